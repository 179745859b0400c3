"""Which mapping fits a file, and which of the file's columns each canonical column comes from.

``detect_mapping`` picks a preset from a header; ``resolve_sources`` matches a mapping's ``from`` names against a
header, exactly or case- and space-blind, and refuses an ambiguous header (two columns that could both be the source
of one canonical column) instead of choosing one of them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from peka.errors import ConfigError, InputError
from peka.mapping.spec import Mapping, load_mapping, name_key, preset_names
from peka.schema.model import ROW, Level

log = logging.getLogger(__name__)

# Detection: share of header names a preset must explain to be chosen without being asked.
DETECT_MIN_SCORE = 0.5


def resolve_sources(mapping: Mapping, level: Level, header: Sequence[str], *, file: str = "") -> dict[str, str]:
    """Canonical name → the file's own column name; names match case- and space-blind (``urut`` = ``URUT``).

    Exactly one column of the file may match a canonical column's ``from`` names: two columns that fold to the same
    name (``WEIGHT `` and ``Weight``), or two present alternatives of ``from = ["A", "B"]``, are a ``ConfigError``
    (exit 4) naming both, never a silent choice of one (a wrong weight column would skew every weighted figure).
    A mapped source absent from the file raises ``InputError`` naming it (unless the mapping says
    ``absent = "skip"`` or the column is ``optional``); a *required* canonical column always must be present.

    >>> from peka.mapping import load_mapping
    >>> resolve_sources(load_mapping("canonical"), "household", ["HH_ID", " hh_size "])
    {'hh_id': 'HH_ID', 'hh_size': ' hh_size '}
    """
    by_key: dict[str, list[str]] = {}
    for h in header:
        if str(h) != ROW:
            by_key.setdefault(name_key(h), []).append(str(h))
    resolved: dict[str, str] = {}
    cols = mapping.columns(level)
    for canonical, spec in mapping.specs(level).items():
        keys = dict.fromkeys(name_key(s) for s in spec.sources)
        matches = [h for key in keys for h in by_key.get(key, [])]
        if len(matches) > 1:
            raise _ambiguous(mapping, level, canonical, matches, file)
        if matches:
            resolved[canonical] = matches[0]
            continue
        wanted = " or ".join(repr(s) for s in spec.sources)
        if cols[canonical].required or not (spec.optional or mapping.absent == "skip"):
            raise InputError(
                f"{level} column {wanted} (canonical {canonical}) named in mapping {mapping.name!r} is not in the file",
                file=file or None,
            )
        log.debug("mapping %s: %s (%s) not in %s; skipped", mapping.name, wanted, canonical, file)
    for column in cols.values():
        if column.required and column.name not in resolved:
            raise InputError(
                f"required {level} column {column.name} has no source in mapping {mapping.name!r}", file=file or None
            )
    used = list(resolved.values())
    duplicated = {s for s in used if used.count(s) > 1}
    if duplicated:
        log.debug("mapping %s: source columns used twice: %s", mapping.name, sorted(duplicated))
    return resolved


def _ambiguous(mapping: Mapping, level: Level, canonical: str, matches: list[str], file: str) -> ConfigError:
    named = ", ".join(repr(m) for m in matches[:-1]) + f" and {matches[-1]!r}"
    verb = "both match" if len(matches) == 2 else "all match"
    sources = mapping.specs(level)[canonical].sources
    wanted = repr(sources[0]) if len(sources) == 1 else "any of " + ", ".join(repr(s) for s in sources)
    return ConfigError(
        f"ambiguous header: columns {named} {verb} {level} column {canonical} (mapping {mapping.name!r} reads it "
        f"from {wanted}, names compared case- and space-blind); keep one of them (rename or remove the others)",
        file=file or None,
    )


def detect_mapping(header: Sequence[str], person_header: Sequence[str] | None = None) -> tuple[Mapping, float]:
    """Pick the preset whose source names best explain the header(s); ``ConfigError`` (exit 4) if none fits.

    The score is the share of names matched, out of the smaller of (file columns, preset columns): a file with
    only the core Susenas columns and a P3KE workbook with dozens of extra columns both score high for their preset.
    """
    scores: list[tuple[float, str, Mapping]] = []
    for name in preset_names():
        mapping = load_mapping(name)
        score = _match_score(mapping, "household", header)
        if person_header is not None and mapping.person:
            score = (score + _match_score(mapping, "person", person_header)) / 2
        scores.append((score, name, mapping))
    scores.sort(key=lambda item: (-item[0], item[1]))
    best_score, best_name, best = scores[0]
    shown = ", ".join(f"{name} {score:.0%}" for score, name, _ in scores)
    if best_score < DETECT_MIN_SCORE:
        raise ConfigError(
            f"no mapping preset matches the file's columns (best: {shown}); pass --mapping or write one with "
            "`peka mapping suggest`",
            key="mapping",
        )
    log.info("mapping: detected preset %r from the header (match %s)", best_name, shown)
    return best, best_score


def _match_score(mapping: Mapping, level: Level, header: Sequence[str]) -> float:
    """Share of names matched, out of the smaller of (file columns, preset columns). A missing required column does
    not lower the score: the preset that fits best is still chosen, so that loading can name the missing column
    (exit 3) instead of claiming that no preset fits (exit 4)."""
    names = {name_key(h) for h in header if str(h) != ROW}
    sources = {name_key(s) for s in mapping.source_names(level)}
    if not names or not sources:
        return 0.0
    return len(names & sources) / min(len(names), len(sources))
