"""``peka mapping suggest``: propose mapping TOML for a file peka does not know.

Header names are fuzzy-matched (difflib) against canonical names, their display labels, column descriptions and
every preset's source names; coded columns are also recognised by their value labels or distinct texts. The
proposal marks what is uncertain with ``# TODO`` and writes ``"?"`` where no value matched, so the file fails to
load (exit 4) until edited.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Sequence
from collections.abc import Mapping as MappingABC
from pathlib import Path
from typing import Any

import pandas as pd

from peka.errors import printable_name
from peka.mapping.apply import BOOL_WORDS, cell_text
from peka.mapping.spec import LEVELS, code_text, load_mapping, name_key, preset_names, value_key
from peka.schema.findings import LONG_DIGITS
from peka.schema.model import COLUMNS, ROW, Column, Level, columns_for

MAX_DISTINCT = 40  # more distinct values than this: not a coded column, no values proposed
_LONG_DIGITS = re.compile(LONG_DIGITS)


def _candidates() -> dict[str, list[tuple[Level, str]]]:
    """Normalised name → canonical (level, column) it stands for: canonical names, preset sources, descriptions."""
    table: dict[str, list[tuple[Level, str]]] = {}

    def add(name: str, level: Level, canonical: str) -> None:
        for key in {name_key(name), _tokens_key(name)}:
            entry = table.setdefault(key, [])
            if (level, canonical) not in entry:
                entry.append((level, canonical))

    for column in COLUMNS:
        add(column.name, column.level, column.name)
        add(column.name.replace("_", " "), column.level, column.name)
        add(column.description, column.level, column.name)
        for text in _display_labels(column.name):
            add(text, column.level, column.name)
    for name in preset_names():
        mapping = load_mapping(name)
        for level in LEVELS:
            for canonical, spec in mapping.specs(level).items():
                for source in spec.sources:
                    add(source, level, canonical)
    return table


def suggest_mapping(
    header: Sequence[str],
    *,
    person_header: Sequence[str] | None = None,
    value_labels: MappingABC[str, MappingABC[object, str]] | None = None,
    sample_values: MappingABC[str, Iterable[object]] | None = None,
    person_value_labels: MappingABC[str, MappingABC[object, str]] | None = None,
    person_sample_values: MappingABC[str, Iterable[object]] | None = None,
    name: str = "suggested",
) -> str:
    """Propose mapping TOML for a file from its header names (difflib against canonical names, preset source names
    and column descriptions) and, for coded columns, its value labels or distinct text values. Uncertain lines
    carry ``# TODO``; unmatched source columns are listed as comments so nothing is dropped unseen.

    >>> print(suggest_mapping(["ID Keluarga P3KE", "Jumlah Anggota Keluarga"]).splitlines()[4])
    [household]
    """
    candidates = _candidates()
    lines = [
        f"name = {_toml_str(name)}",
        'description = "Suggested by peka mapping suggest: check every # TODO line"',
        'absent = "error"',
        "",
    ]
    levels: list[tuple[Level, Sequence[str], Any, Any]] = [("household", header, value_labels, sample_values)]
    if person_header is not None:
        levels.append(("person", person_header, person_value_labels, person_sample_values))
    for level, names, labels, samples in levels:
        lines.append(f"[{level}]")
        lines.extend(_suggest_level(level, names, candidates, labels or {}, samples or {}))
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _suggest_level(
    level: Level,
    header: Sequence[str],
    candidates: dict[str, list[tuple[Level, str]]],
    labels: MappingABC[str, MappingABC[object, str]],
    samples: MappingABC[str, Iterable[object]],
) -> list[str]:
    keys = list(candidates)
    key_words = {key: _words(key) for key in keys}
    taken: dict[str, tuple[str, float]] = {}
    for source in header:
        if str(source) == ROW:
            continue
        best: tuple[str, float] | None = None
        for variant in {name_key(source), _tokens_key(source)}:
            for match in difflib.get_close_matches(variant, keys, n=5, cutoff=0.6):
                ratio = difflib.SequenceMatcher(None, variant, match).ratio()
                for lvl, canonical in candidates[match]:
                    if lvl == level and (best is None or ratio > best[1]):
                        best = (canonical, ratio)
        by_words = _match_by_words(level, _words(str(source)), key_words, candidates)
        if by_words is not None and (best is None or by_words[1] > best[1]):
            best = by_words
        by_values = _match_by_values(level, labels.get(source), samples.get(source), best)
        if by_values is not None:
            best = by_values
        if best is None:
            continue
        canonical, ratio = best
        if canonical not in taken or ratio > taken[canonical][1]:
            taken[canonical] = (str(source), ratio)
    lines: list[str] = []
    cols = columns_for(level)
    for canonical in cols:
        if canonical not in taken:
            if cols[canonical].required:
                lines.append(f'# TODO {canonical} = "?"  # required: no column of the file looks like it')
            continue
        source, ratio = taken[canonical]
        note = "" if ratio >= 0.999 else f"  # TODO check: match {ratio:.0%}"
        column = cols[canonical]
        values_line, missing = "", list[str]()
        if column.kind in ("category", "bool"):
            values_line, missing = _suggest_values(column, labels.get(source), samples.get(source))
        elif labels.get(source):
            missing = [code_text(k) if isinstance(k, float) else str(k) for k, v in labels[source].items()
                       if value_key(v) in MISSING_LABELS]  # fmt: skip
        parts = [f"from = {_toml_str(source)}"]
        if values_line:
            parts.append(f"values = {{ {values_line} }}")
            if '= "?"' in values_line:
                note = (note + ";" if note else "  # TODO") + ' replace each "?" with a canonical code'
        if missing:
            parts.append(f"missing = [{', '.join(_toml_str(m) for m in missing)}]")
        if len(parts) == 1:
            lines.append(f"{canonical} = {_toml_str(source)}{note}")
        else:
            lines.append(f"{canonical} = {{ {', '.join(parts)} }}{note}")
    used = {s for s, _ in taken.values()}
    for source in header:
        if str(source) != ROW and str(source) not in used:
            lines.append(
                f"# not mapped: {_toml_str(str(source))}  (TODO map it or leave it: unmapped columns are dropped)"
            )
    return lines


# Abbreviations of Indonesian survey headers, expanded before words are compared ("Jml ART" = "Jumlah anggota rumah
# tangga"). Only unambiguous ones: "KK" (kartu keluarga or kepala keluarga?) is left alone.
ABBREVIATIONS: dict[str, str] = {
    "jml": "jumlah", "jmlh": "jumlah", "art": "anggota rumah tangga", "krt": "kepala rumah tangga",
    "rt": "rumah tangga", "kel": "keluarga", "pend": "pendidikan", "pddk": "pendidikan", "kap": "kapita",
    "kec": "kecamatan", "kab": "kabupaten", "prov": "provinsi", "no": "nomor", "nmr": "nomor", "umr": "umur",
    "usia": "umur", "jk": "jenis kelamin", "pengel": "pengeluaran", "pdpt": "pendapatan", "desil": "desil",
    "hh": "household", "hhsize": "household size",
}  # fmt: skip
WORD_MATCH_MIN = 0.66  # share of words in common (Dice) for a match on words alone


def _words(name: str) -> frozenset[str]:
    """The words of a header or candidate name, abbreviations expanded: ``"Jml ART"`` → jumlah anggota rumah tangga."""
    words: list[str] = []
    for token in re.split(r"[^0-9a-z]+", name_key(name)):
        if token:
            words.extend(ABBREVIATIONS.get(token, token).split())
    return frozenset(words)


def _match_by_words(
    level: Level,
    words: frozenset[str],
    key_words: MappingABC[str, frozenset[str]],
    candidates: MappingABC[str, list[tuple[Level, str]]],
) -> tuple[str, float] | None:
    """The candidate sharing the most words with the header (Dice coefficient), when it is at least
    ``WORD_MATCH_MIN``: ``"NIK Kepala"`` is the head's NIK (2 of 3 words), not the head's education, which a
    letter-by-letter ratio prefers. Below 1, a match on words is always marked ``# TODO check``."""
    if not words:
        return None
    best: tuple[str, float] | None = None
    for key, other in key_words.items():
        if not other:
            continue
        score = 2 * len(words & other) / (len(words) + len(other))
        if score < WORD_MATCH_MIN or (best is not None and score <= best[1]):
            continue
        for lvl, canonical in candidates[key]:
            if lvl == level:
                best = (canonical, score)
                break
    # capped below 1: words shared, abbreviations expanded, is a guess to check, never an exact name
    return None if best is None else (best[0], min(best[1], 0.99))


def _tokens_key(name: str) -> str:
    """Name words in sorted order, so ``UMUR_KRT`` and ``KRT_UMUR`` compare equal."""
    return " ".join(sorted(t for t in re.split(r"[\s_/\-.()]+", name_key(name)) if t))


def _match_by_values(
    level: Level,
    labels: MappingABC[object, str] | None,
    samples: Iterable[object] | None,
    by_name: tuple[str, float] | None,
) -> tuple[str, float] | None:
    """A category column recognised by its value labels or distinct texts (``Perkotaan``/``Perdesaan`` →
    urban_rural), when that is surer than the name match. Bool columns all share one vocabulary: not used here."""
    texts = [str(v) for v in labels.values()] if labels else [t for t in (cell_text(v) for v in samples or []) if t]
    keys = {value_key(t) for t in texts} - MISSING_LABELS - {None}
    if not keys or all(k.isdigit() for k in keys if k):
        return None
    best: tuple[str, float] | None = None
    for column in columns_for(level).values():
        if column.kind != "category":
            continue
        share = len(keys & set(_known_value_words(column))) / len(keys)
        score = 0.5 + 0.45 * share if share >= 0.5 else 0.0  # below 1: a match on values alone is always a TODO
        name_bonus = by_name is not None and by_name[0] == column.name
        if score and (best is None or score > best[1] or (score == best[1] and name_bonus)):
            best = (column.name, score)
    if best is None or (by_name is not None and by_name[1] >= best[1]):
        return None
    return best


MISSING_LABELS = {"tidak tahu", "tidak menjawab", "tidak diketahui", "tidak ada jawaban", "menolak", "missing",
                  "don't know", "dont know", "refused", "no answer", "not applicable", "tidak berlaku"}  # fmt: skip


def _suggest_values(
    column: Column, labels: MappingABC[object, str] | None, samples: Iterable[object] | None
) -> tuple[str, list[str]]:
    """``"code" = "canonical"`` pairs from value labels (or distinct values), fuzzy-matched on canonical codes and
    on the value keys/labels of the presets; unmatched ones get ``"?"`` so the TOML fails loudly until fixed."""
    pairs: list[tuple[str, str]] = []  # (source key, label text used to match)
    if labels:
        pairs = [(code_text(k) if isinstance(k, float) else str(k), str(v)) for k, v in labels.items()]
    elif samples is not None:
        distinct = sorted({t for t in (cell_text(v) for v in samples) if t is not None})
        if len(distinct) > 40:
            return "", []
        pairs = [(t, t) for t in distinct]
    if not pairs:
        return "", []
    known = _known_value_words(column)
    items: list[str] = []
    missing: list[str] = []
    for key, label in pairs:
        if value_key(label) in MISSING_LABELS:
            missing.append(key)
            continue
        target = known.get(value_key(label))
        if target is None:  # not `or`: False is a found target
            target = known.get(value_key(key))
        if target is None:
            keys = [k for k in known if k is not None]
            close = difflib.get_close_matches(value_key(label) or "", keys, n=1, cutoff=0.75)
            target = known[close[0]] if close else None
        if target is None:
            items.append(f'{_toml_str(key)} = "?"')  # TODO: fails to load until edited
        elif isinstance(target, bool):
            items.append(f"{_toml_str(key)} = {'true' if target else 'false'}")
        else:
            items.append(f"{_toml_str(key)} = {_toml_str(str(target))}")
    return ", ".join(items), missing


def _known_value_words(column: Column) -> dict[str | None, object]:
    known: dict[str | None, object] = {}
    if column.kind == "bool":
        known.update(BOOL_WORDS)
    for code in column.categories:
        known.setdefault(value_key(code), code)
        known.setdefault(value_key(code.replace("_", " ")), code)
        for text in _display_labels(column.name, code):
            known.setdefault(value_key(text), code)
    for name in preset_names():
        mapping = load_mapping(name)
        spec = mapping.specs(column.level).get(column.name)
        if spec is None or spec.values is None:
            continue
        for key, value in spec.values.items():
            if not key.lstrip("+-").isdigit():
                known.setdefault(value_key(key), value)
        for key, label in spec.labels.items():
            if key in spec.values:
                known.setdefault(value_key(label), spec.values[key])
    return known


def _display_labels(column: str, code: str | None = None) -> list[str]:
    """Indonesian and English display labels (``peka.present.labels``) of a column, or of one of its category codes."""
    from peka.present import labels

    out = []
    for lang in labels.LANGS:
        try:
            text = labels.column_label(column, lang) if code is None else labels.category_label(column, code, lang)
        except (KeyError, ValueError, OSError):  # the catalogue is optional for suggestions
            continue
        if text and text not in (column, code):
            out.append(text)
    return out


def _toml_str(text: str) -> str:
    """A TOML basic string; JSON's escapes are TOML's, except DEL, which TOML also wants escaped."""
    return json.dumps(str(text), ensure_ascii=False).replace("\x7f", "\\u007f")


def _describe(
    path: str | Path, **options: object
) -> tuple[list[str], dict[str, dict[object, str]], dict[str, list[object]]]:
    from peka.io.readers import open_source  # here, not at the top: peka.io.load imports peka.mapping

    source = open_source(path, **options)  # type: ignore[arg-type]
    raw = source.read()
    samples: dict[str, list[object]] = {}
    for name in source.header:
        if name == ROW or name in raw.value_labels:
            continue
        column: pd.Series = raw.frame[name]
        distinct = column.dropna().unique()
        if 0 < len(distinct) <= MAX_DISTINCT and not pd.api.types.is_float_dtype(column.dtype):
            if any(_LONG_DIGITS.search(str(v)) for v in distinct):
                continue  # NIK, No KK: never proposed as codes (the proposal would print personal data)
            samples[name] = list(distinct)
    return source.header, raw.value_labels, samples


def suggest_for_files(
    path: str | Path,
    *,
    persons: str | Path | None = None,
    sheet: str | int | None = None,
    person_sheet: str | int | None = None,
    sep: str | None = None,
    encoding: str | None = None,
    name: str | None = None,
) -> str:
    """Mapping TOML proposed for ``path`` (and ``persons``): header names fuzzy-matched to canonical columns, coded
    columns' values from their value labels (SPSS/Stata) or distinct texts. Lines to check carry ``# TODO``.

    >>> print(suggest_for_files("rt.sav", persons="art.sav"))  # doctest: +SKIP
    """
    text_options = {"sep": sep, "encoding": encoding}
    header, labels, samples = _describe(path, sheet=sheet, **text_options)
    person_header = person_labels = person_samples = None
    if persons is not None:
        person_header, person_labels, person_samples = _describe(persons, sheet=person_sheet, **text_options)
    return suggest_mapping(
        header,
        value_labels=labels,
        sample_values=samples,
        person_header=person_header,
        person_value_labels=person_labels,
        person_sample_values=person_samples,
        name=name or printable_name(Path(path).stem),
    )
