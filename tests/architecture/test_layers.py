"""The layering of docs/architecture.md, checked on the source: imports only go down, only the job layer (and the
CLI above it) reads configuration, only ``peka.deliver`` writes files."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "peka"

# lower number = lower layer; a module may import its own layer and the ones below, never above
LAYERS: dict[str, int] = {
    "errors": 0, "data": 0,
    "schema": 1, "rules": 1, "config": 1,
    "io": 2, "mapping": 2, "classify": 2, "estimate": 2, "present": 2, "deliver": 2, "sample": 2, "targeting": 2,
    "engine": 2,
    "jobs": 3,
    "cli": 4, "__main__": 4,
}  # fmt: skip
CONFIG_READERS = ("jobs", "cli", "config")  # packages allowed to call load_config
FILE_WRITERS = ("deliver",)
WRITE_METHODS = {"to_csv", "to_parquet", "to_excel", "to_json", "to_feather", "write_text", "write_bytes",
                 "write_csv", "write_sav", "write_dta", "write_xport", "write_table", "unlink", "mkdir", "touch",
                 "mkstemp", "mkdtemp"}  # fmt: skip
FILE_MODULES = {"os", "shutil"}  # os.replace, os.rename, shutil.move ...: every call on them that changes files
FILE_FUNCTIONS = {"replace", "rename", "renames", "remove", "unlink", "rmdir", "removedirs", "makedirs", "mkdir",
                  "move", "copy", "copy2", "copyfile", "copytree", "rmtree", "chmod"}  # fmt: skip


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p.name != "__init__.py" or p.parent != SRC)


def package_of(path: Path) -> str:
    return path.relative_to(SRC).parts[0].removesuffix(".py")


def peka_imports(tree: ast.AST) -> list[tuple[str, int]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("peka.") and node.level == 0:
            found.append((node.module.split(".")[1], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name.split(".")[1], node.lineno) for a in node.names if a.name.startswith("peka.")]
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_imports_only_go_down(path):
    layer = LAYERS[package_of(path)]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for package, line in peka_imports(tree):
        assert LAYERS[package] <= layer, f"{path.relative_to(SRC)}:{line} imports peka.{package} (a higher layer)"


def _calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            yield node


def _name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_only_jobs_read_configuration(path):
    if package_of(path) in CONFIG_READERS:
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in _calls(tree):
        assert _name(call.func) != "load_config", f"{path.relative_to(SRC)}:{call.lineno} calls load_config"


def _deliver_names(tree: ast.AST) -> set[str]:
    """Names bound to peka.deliver modules or functions (calling deliver is how other layers write)."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("peka.deliver"):
            names |= {a.asname or a.name for a in node.names}
    return names


def _writes(tree: ast.AST) -> list[tuple[str, int]]:
    allowed = _deliver_names(tree)
    found = []
    for call in _calls(tree):
        func = call.func
        name = _name(func)
        if name in allowed:
            continue
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in allowed:
            continue
        if name == "open" and isinstance(func, ast.Name):
            modes = [a for a in call.args[1:2]] + [k.value for k in call.keywords if k.arg == "mode"]
            if any(isinstance(m, ast.Constant) and set(str(m.value)) & set("wax+") for m in modes):
                found.append(("open for writing", call.lineno))
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in FILE_MODULES:
            if name in FILE_FUNCTIONS:
                found.append((f"{func.value.id}.{name}", call.lineno))
        elif name in WRITE_METHODS and isinstance(func, ast.Attribute):
            target = call.args[0] if call.args else None
            if not (isinstance(target, ast.Attribute) and target.attr in ("stdout", "stderr")):
                found.append((name, call.lineno))
    return found


@pytest.mark.parametrize("path", modules(), ids=lambda p: str(p.relative_to(SRC)))
def test_only_deliver_writes_files(path):
    if package_of(path) in FILE_WRITERS:
        return
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _writes(tree) == [], f"{path.relative_to(SRC)} writes files outside peka.deliver"


def test_the_checks_catch_what_they_look_for():
    # the detectors themselves: a call below the job layer and a write outside deliver are found
    assert _writes(ast.parse("frame.to_csv('x.csv')\nopen('y', 'w')\nsys.stdout.write('ok')")) == [
        ("to_csv", 1), ("open for writing", 2)]
    assert _writes(ast.parse("from peka.deliver import files\nfiles.write_text('t', 'p')")) == []
    assert _writes(ast.parse("frame.to_csv(sys.stdout)\ntext.replace('a', 'b')\nframe.rename(columns={})")) == []
    assert _writes(ast.parse("os.replace(a, b)")) == [("os.replace", 1)]
    assert [n for n, _ in peka_imports(ast.parse("from peka.deliver.files import x\nimport peka.jobs"))] == [
        "deliver", "jobs"]
