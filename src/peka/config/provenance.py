"""Which policy numbers of an effective configuration are in force, where each comes from and how sure we are of it.

``settings_status(config)`` lists the sourced settings a classification rests on: the poverty lines of the chosen
period, the extreme line, the level scheme, the MPI set and its thresholds, the BPS-14 set, every named constant and
the cause catalogue. ``peka classify`` prints the ones that are not confirmed under its summary and writes them, with
the whole effective configuration, beside its output file (``peka.config.show.record_text``), so that a table never
travels without the status of the numbers behind it.

>>> from peka.config import load_config
>>> [s.key for s in settings_status(load_config()) if s.status == "unconfirmed"]
['desil', 'mpi', 'constants.DEPENDENCY_RATIO_MAX', 'bps14.constants.LAND_M2', 'causes']
"""

from __future__ import annotations

from dataclasses import dataclass

from peka.config.models import Config, Constant, Sourced

SET_WITHOUT_SOURCE = "set without a source"
CHANGED_WITHOUT_SOURCE = "changed from the preset without a source"


@dataclass(frozen=True)
class SettingStatus:
    """One sourced setting: its dotted key, the value in force (as text), its status and source."""

    key: str
    value: str
    status: str
    source: str | None
    note: str | None = None

    @property
    def confirmed(self) -> bool:
        return self.status == "confirmed"


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _item(key: str, value: str, entry: Sourced) -> SettingStatus:
    return SettingStatus(key, value, entry.status, entry.source, entry.note)


def settings_status(config: Config) -> list[SettingStatus]:
    """Every sourced setting in force, in a fixed order (lines, extreme, levels, MPI, BPS-14, constants, causes).

    A constant written as a plain number in a user's file has no status of its own: it is listed as
    ``unconfirmed`` with the file that set it as its source, since peka cannot vouch for it.
    """
    out: list[SettingStatus] = []
    for line in config.line_for_period:
        out.append(_item(f"lines[{line.line_id}]", f"Rp{_number(line.value)}", line))
    ext = config.extreme
    out.append(_item("extreme", f"Rp{_number(ext.value)} ({ext.basis})", ext))
    levels = config.levels
    bounds = " / ".join(f"{c.code} < {_number(c.below)}" for c in levels.classes if c.below is not None)
    out.append(_item(f"levels[{levels.scheme}]", f"{bounds} × GK", levels))
    desil = config.desil
    if desil.classes:
        bounds = " / ".join(f"{c.code} ≤ D{c.max}" for c in desil.classes)
        out.append(_item("desil", f"{bounds}; poor: {', '.join(desil.poor)}", desil))
    mpi = config.mpi
    mpi_text = (
        f"{mpi.preset}: {len(mpi.active)} indicators, k = {mpi.k:.4g}, "
        f"vulnerable {mpi.vulnerable:g}, severe {mpi.severe:g}"
    )
    out.append(_item("mpi", mpi_text, mpi))
    for ind in mpi.active:
        if ind.source is not None or ind.status != "confirmed":  # an indicator with provenance of its own
            out.append(_item(f"mpi.indicators[{ind.name}]", ind.deprived_if, ind))
    bps = config.bps14
    out.append(_item("bps14", f"{len(bps.active)} criteria, cutoff {bps.cutoff}", bps))
    for name, (key, entry) in config.constant_entries().items():
        if isinstance(entry, Constant):
            out.append(_item(key, f"{name} = {_number(entry.value)}", entry))
        else:
            layer = config.sources.get(tuple(key.split(".")))
            out.append(SettingStatus(key, f"{name} = {_number(entry)}", "unconfirmed", layer, SET_WITHOUT_SOURCE))
    causes = config.causes
    out.append(_item("causes", f"{len(causes.active)} causes, primary_rule = {causes.primary_rule}", causes))
    for cause in causes.active:
        if cause.source is not None:
            out.append(SettingStatus(f"causes.catalogue[{cause.code}]", cause.rule, causes.status, cause.source))
    return out + _changed_without_source(config)


# policy values inside a sourced section: a user who changes one of them without restating the section's source
# and status changes a number peka can no longer vouch for
POLICY_FIELDS: dict[str, frozenset[str]] = {
    "extreme": frozenset({"value"}),
    "levels": frozenset({"below"}),
    "mpi": frozenset({"k", "vulnerable", "severe", "weight", "deprived_if", "eligible_if", "no_eligible", "enabled"}),
    "bps14": frozenset({"cutoff", "rule", "enabled"}),
}


def _changed_without_source(config: Config) -> list[SettingStatus]:
    """Policy values of the extreme line, level scheme, MPI set and BPS-14 set that a user layer (peka.toml,
    ``--set``) changed while the section's source and status are still the preset's: ``unconfirmed``."""
    from peka.config.layers import BUILTIN, dotted

    data = config.model_dump(mode="python")
    out = []
    for path, layer in config.sources.items():
        section = str(path[0])
        if section not in POLICY_FIELDS or layer.startswith(BUILTIN) or path[-1] not in POLICY_FIELDS[section]:
            continue
        status_layer = config.sources.get((section, "status"), BUILTIN)
        if (
            path[1:2] == ("constants",)
            or not status_layer.startswith(BUILTIN)
            or data[section]["status"] == "unconfirmed"
        ):
            # constants are listed on their own; a section with the user's own status speaks for itself; an
            # unconfirmed section is already labelled as such
            continue
        value = _at(data, path)
        builtin = _at(config.builtin, path)
        if _same(value, True if builtin is None and path[-1] == "enabled" else builtin):
            continue  # restated, not changed (e.g. the cutoff = 9 of `peka config init`)
        text = value if isinstance(value, str) else _number(value)
        out.append(SettingStatus(dotted(path), str(text), "unconfirmed", layer, CHANGED_WITHOUT_SOURCE))
    return out


def not_confirmed(config: Config, *, used_only: bool = False) -> list[SettingStatus]:
    """The settings of ``settings_status`` whose status is ``single_source`` or ``unconfirmed``; with
    ``used_only``, constants no enabled rule reads are left out."""
    items = [s for s in settings_status(config) if not s.confirmed]
    if used_only:
        used = constants_in_use(config)
        items = [s for s in items if not s.key.startswith(("constants.", "bps14.constants.")) or s.key in used]
    return items


def constants_in_use(config: Config) -> set[str]:
    """Dotted keys (``bps14.constants.LAND_M2``) of the constants some enabled rule reads."""
    from peka.rules import compile_rule

    texts: list[str | None] = []
    for d in config.active_derive:
        texts += [d.where, d.value, *(d.of or [])]
    for ind in config.mpi.active:
        texts += [ind.deprived_if, ind.eligible_if]
    texts += [c.rule for c in config.bps14.active] + [c.rule for c in config.causes.active]
    names: set[str] = set()
    for text in texts:
        if text:
            names |= set(compile_rule(text, key="constants").columns)
    return {key for name, (key, _) in config.constant_entries().items() if name in names}


def _at(data: object, path: tuple[object, ...]) -> object:
    """The value at ``path`` in nested dicts/lists, or ``None`` when it is not there."""
    for part in path:
        try:
            data = data[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _same(value: object, builtin: object) -> bool:
    if builtin is None:
        return False
    number, base = _as_number(value), _as_number(builtin)
    if number is not None and base is not None:
        return abs(number - base) <= 1e-12
    return value == builtin


def _as_number(value: object) -> float | None:
    from peka.config.models import _number as parse

    parsed = parse(value)
    return float(parsed) if isinstance(parsed, int | float) and not isinstance(parsed, bool) else None
