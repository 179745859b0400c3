"""``read_toml_file``: every failure a ConfigError naming the file; nesting refused before Python's stack runs out."""

from __future__ import annotations

import pytest

from peka.config.tomlfile import MAX_DEPTH, read_toml_file
from peka.errors import ConfigError, printable_name


def test_nesting_at_the_limit_is_read_and_one_deeper_is_refused(tmp_path):
    path = tmp_path / "nest.toml"
    depth = MAX_DEPTH  # arrays inside arrays below the document
    path.write_text("a = " + "[" * depth + "1" + "]" * depth + "\n", encoding="utf-8")
    value = read_toml_file(path)["a"]
    for _ in range(depth):
        value = value[0]
    assert value == 1
    path.write_text("a = " + "[" * (depth + 1) + "1" + "]" * (depth + 1) + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"nested more than {MAX_DEPTH} levels deep") as err:
        read_toml_file(path, what="mapping")
    assert str(err.value) == f"{path}: nested more than {MAX_DEPTH} levels deep: not a peka mapping file"


def test_deep_table_headers_are_refused_too(tmp_path):
    path = tmp_path / "tables.toml"
    path.write_text("[" + ".".join(["t"] * (MAX_DEPTH + 5)) + "]\nx = 1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="nested more than"):
        read_toml_file(path)


def test_brackets_in_strings_and_comments_do_not_count(tmp_path):
    path = tmp_path / "text.toml"
    many = "[" * (MAX_DEPTH + 10)
    path.write_text(f'# {many}\na = "{many}"\nb = \'{many}\'\nc = """\n{many}\n"""\n', encoding="utf-8")
    assert read_toml_file(path) == {"a": many, "b": many, "c": many + "\n"}


def test_missing_unreadable_and_invalid_files_name_the_file(tmp_path):
    with pytest.raises(ConfigError) as err:
        read_toml_file(tmp_path / "nope.toml")
    assert str(err.value) == f"{tmp_path / 'nope.toml'}: file not found"
    bad = tmp_path / "bad.toml"
    bad.write_bytes(b"a = '\xff'\n")
    with pytest.raises(ConfigError) as err:
        read_toml_file(bad)
    assert str(err.value) == f"{bad}: cannot read the configuration file (UnicodeDecodeError)"
    bad.write_text("a = \n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad.toml: not valid TOML: .*line 1"):
        read_toml_file(bad)


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("households.csv", "households.csv"),
        ("C:\\data\\rumah tangga é.csv", "C:\\data\\rumah tangga é.csv"),  # printable: unchanged, backslashes too
        ("a\nb.csv", "a\\nb.csv"),
        ("a\r\tb.csv", "a\\r\\tb.csv"),
        ("x\x1b[31m.csv", "x\\x1b[31m.csv"),  # a terminal escape sequence
        ("z\u200b.csv", "z\\u200b.csv"),  # zero-width space (format character)
        ("h\udcff.csv", "h\\xff.csv"),  # os.fsdecode(b"h\xff.csv")
    ],
)
def test_printable_name(name, shown):
    assert printable_name(name) == shown
    assert printable_name(shown) == shown  # applying it twice changes nothing
