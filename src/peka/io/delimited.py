"""CSV/TSV/TXT: detect encoding, delimiter and number format, then read with the pandas C engine.

Detection looks at the first ``SAMPLE_BYTES`` of the file:

* encoding: a BOM decides (UTF-8 with BOM, UTF-16); otherwise UTF-8 if the bytes are valid UTF-8, else cp1252
  (Windows "ANSI", what Indonesian Excel writes) with a warning in the log. Bytes invalid in cp1252 too are an
  ``InputError``: peka never guesses silently wrong. Invalid UTF-8 found later in the file switches to cp1252 the
  same way (logged), on both reading paths.
* header line: the first line filling at least two fields and half as many as the lines below it, so a title above
  the table (``DATA RUMAH TANGGA MISKIN GAMPONG X 2025``) is skipped with a warning; ``_row`` stays the file line.
* delimiter: the one of ``,`` ``;`` tab ``|`` that splits the header into the most fields while giving the same
  field count on (nearly) every sampled line.
* number format: with a delimiter other than ``,``, numbers such as ``1.250.000,50`` or ``2,5`` mean decimal comma
  and dot thousands (Indonesian Excel); ``decimal=","``/``"."`` forces it.

Files below ``ARROW_TEXT_MIN_BYTES`` are read in one pass of the pandas C engine, with every check (field counts,
encoding fallback, blank lines). Bigger files go through pyarrow's multi-threaded CSV reader first
(``_read_split``); on any irregularity it gives up and the C engine reads the file as above. Id and text columns are
read as strings (leading zeros kept); other columns are left to the parser's inference, so numbers arrive as
numbers, except the numbers of a decimal-comma file, read as text and parsed strictly by the mapping (neither
parser does ``1.250.000,50`` right: the C engine accepts a thousands dot anywhere, pyarrow keeps it as text).
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from peka.errors import InputError, UsageError, printable_name
from peka.io.raw import CODED_KINDS, TEXT_KINDS, RawTable, add_row_numbers, drop_blank_rows, require_rows, unique_header

log = logging.getLogger(__name__)

SAMPLE_BYTES = 256 * 1024
SAMPLE_LINES = 200
DELIMITERS = (",", ";", "\t", "|")
# Cells read as missing. Deliberately short: "NA"-like markers and the empty cell; a dash is what Indonesian
# spreadsheets put in an empty cell. Anything else (e.g. "Tidak tahu") stays a value and is reported if unexpected.
NA_VALUES = ["", "NA", "N/A", "#N/A", "NULL", "null", "NaN", "nan", "-"]
_COMMA_NUMBER = re.compile(r"-?(?:\d{1,3}(?:\.\d{3})+|\d+),\d+|-?\d{1,3}(?:\.\d{3}){2,}")
_DOT_NUMBER = re.compile(r"-?\d+\.\d+")
_DOT_THOUSANDS_ONLY = re.compile(r"-?\d{1,3}\.\d{3}")  # "1.250": 1250 or 1.25, says nothing
# Files from this size up read their id/text columns with pyarrow (see ``_read_split``); below, one C-engine pass.
ARROW_TEXT_MIN_BYTES = 32 * 1024 * 1024
_LINE_IN_ERROR = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what both parsers count as a line end
# A title above the header ("DATA RUMAH TANGGA MISKIN GAMPONG X 2025", maybe a blank line or a subtitle): at most
# this many non-blank lines are looked at for the header, and it must fill at least half as many fields as the
# fullest of the HEADER_WINDOW lines from it (the rule the XLSX reader uses for rows above a sheet's table).
MAX_LINES_ABOVE_HEADER = 10
HEADER_WINDOW = 20


@dataclass(frozen=True)
class Dialect:
    encoding: str
    sep: str
    decimal: str
    header: tuple[str, ...]
    encoding_given: bool = False  # the user named the encoding: no fallback to cp1252
    header_line: int = 1  # the file line of the header; the lines above it (a title) are not read

    @property
    def thousands(self) -> str | None:
        return "." if self.decimal == "," else None


def normalise_sep(sep: str | None) -> str | None:
    """``"tab"``/``"\\t"`` → a tab character; others as given (one character)."""
    if sep is None:
        return None
    if sep.lower() in ("tab", "\\t", "t"):
        return "\t"
    if sep.lower() in ("semicolon",):
        return ";"
    if sep.lower() in ("pipe",):
        return "|"
    if len(sep) != 1:
        raise UsageError(f"--sep must be one character (or 'tab'), got {sep!r}")
    return sep


def sniff(path: Path, *, sep: str | None = None, encoding: str | None = None, decimal: str | None = None) -> Dialect:
    """Decide encoding, delimiter and decimal mark of a delimited file from its first bytes."""
    file = printable_name(path)
    size = path.stat().st_size
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    if size == 0 or not head.strip():
        raise InputError("the file is empty", file=file)
    complete = len(head) >= size
    enc = encoding or _detect_encoding(head, complete, file)
    try:
        codecs.lookup(enc)
    except LookupError:
        raise UsageError(f"unknown encoding {enc!r}") from None
    text = _decode_sample(head, enc, complete, file)
    numbered = [(n, line) for n, line in enumerate(_LINE_BREAK.split(text), start=1) if line.strip()]
    numbered = numbered[: SAMPLE_LINES + MAX_LINES_ABOVE_HEADER]
    lines = [line for _, line in numbered]
    if max(map(len, lines)) > csv.field_size_limit():
        csv.field_size_limit(SAMPLE_BYTES * 4)  # a huge cell must not stop detection (it is reported later)
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the last sampled line may be cut in the middle
    first, sep = _find_header(lines, normalise_sep(sep))
    header_line = numbered[first][0]
    if first:
        above = "line 1" if header_line == 2 else f"lines 1-{header_line - 1}"
        log.warning("%s: the header is on line %d; %s above it (a title?) not read as data", file, header_line, above)
    lines = lines[first : first + SAMPLE_LINES]
    header_fields = next(csv.reader([lines[0]], delimiter=sep))
    header = tuple(unique_header(header_fields, file, row=header_line))
    if len(header) == 1:
        others = [d for d in DELIMITERS if d != sep and d in header[0]]
        if others:
            shown = "tab" if others[0] == "\t" else others[0]
            raise InputError(
                f"the header is one single column; the delimiter looks like {shown!r}, not {sep!r}: pass --sep",
                file=file,
                row=header_line,
            )
    if decimal is None:
        decimal = _detect_decimal(lines[1:], sep)
    elif decimal not in (",", "."):
        raise UsageError(f"--decimal must be ',' or '.', got {decimal!r}")
    return Dialect(
        encoding=enc,
        sep=sep,
        decimal=decimal,
        header=header,
        encoding_given=encoding is not None,
        header_line=header_line,
    )


def _find_header(lines: list[str], sep: str | None) -> tuple[int, str]:
    """Which of the sampled non-blank ``lines`` is the header, and the delimiter.

    The header is the first line that fills at least two fields and at least half as many as the fullest of the
    ``HEADER_WINDOW`` lines from it on, with the delimiter detected from that line down. A title above the table
    fills one field (``DATA RUMAH TANGGA MISKIN GAMPONG X 2025``, or ``DATA …,,,,`` as Excel exports it) and is
    passed over; in an ordinary file the first line qualifies at once. When no line among the first
    ``MAX_LINES_ABOVE_HEADER + 1`` qualifies (a one-column file, a wrong ``--sep``), the first line is the header,
    as before, and the usual messages explain what is wrong with it."""
    for first in range(min(MAX_LINES_ABOVE_HEADER + 1, len(lines))):
        rest = lines[first:]
        candidate = sep or _detect_sep(rest)
        filled = [
            sum(1 for f in fields if f.strip()) for fields in csv.reader(rest[:HEADER_WINDOW], delimiter=candidate)
        ]
        if filled[0] >= 2 and 2 * filled[0] >= max(filled):
            return first, candidate
    return 0, sep or _detect_sep(lines)


def _detect_encoding(head: bytes, complete: bool, file: str) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if b"\x00" in head:
        raise InputError(
            "binary data (NUL bytes), not a text file", file=file, row=head[: head.index(b"\x00")].count(b"\n") + 1
        )
    sample = head if complete else head[: head.rfind(b"\n") + 1] or head
    try:
        sample.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        bad_at = exc.start
    try:
        sample.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"unreadable text encoding: neither UTF-8 (byte 0x{sample[bad_at]:02x}) nor cp1252 "
            f"(byte 0x{sample[exc.start]:02x}); pass --encoding",
            file=file,
            row=sample[:bad_at].count(b"\n") + 1,
        ) from None
    log.warning("%s: not valid UTF-8 (byte 0x%02x on line %d); reading it as cp1252 (Windows-1252)",
                file, sample[bad_at], sample[:bad_at].count(b"\n") + 1)  # fmt: skip
    return "cp1252"


def _decode_sample(head: bytes, enc: str, complete: bool, file: str) -> str:
    sample = head
    if not complete and not enc.startswith("utf-16"):
        sample = head[: head.rfind(b"\n") + 1] or head
    try:
        return sample.decode(enc, errors="strict" if complete or enc != "utf-16" else "ignore")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"unreadable text encoding: byte 0x{sample[exc.start]:02x} is not valid {enc}; pass --encoding",
            file=file,
            row=sample[: exc.start].count(b"\n") + 1,
        ) from None


def _detect_sep(lines: list[str]) -> str:
    best, best_key = ",", (-1.0, 0)
    for candidate in DELIMITERS:
        counts = [len(fields) for fields in csv.reader(lines, delimiter=candidate)]
        n_header = counts[0]
        if n_header < 2:
            continue
        rest = counts[1:] or [n_header]
        consistent = sum(c == n_header for c in rest) / len(rest)
        key = (round(consistent, 1), n_header)
        if key > best_key:
            best, best_key = candidate, key
    return best


def _detect_decimal(lines: list[str], sep: str) -> str:
    if sep == "," or not lines:
        return "."
    comma = dot = 0
    for fields in csv.reader(lines, delimiter=sep):
        for cell in fields:
            cell = cell.strip()
            if _COMMA_NUMBER.fullmatch(cell):
                comma += 1
            elif _DOT_NUMBER.fullmatch(cell) and not _DOT_THOUSANDS_ONLY.fullmatch(cell):
                dot += 1
    if comma > dot:
        return ","
    # a tie: ";" is what Excel writes where the comma is the decimal mark (Indonesian locale)
    return "," if comma == dot > 0 and sep == ";" else "."


def read_delimited(
    path: Path,
    dialect: Dialect,
    *,
    usecols: list[str] | None = None,
    kinds: dict[str, str] | None = None,
    types: dict[str, str] | None = None,
) -> RawTable:
    """Read the data of a sniffed file. ``kinds`` maps source columns to canonical kinds to choose dtypes.

    ``types`` gives the exact type of columns of a file whose layout is known (one peka wrote: ``"float"``,
    ``"bool"`` or ``"text"``): the fast path parses them as such instead of inferring (inference tries integer,
    boolean, dates … on every block of every column: most of pyarrow's time on a wide file). A cell that does
    not fit its type sends the file to the C engine, which infers as without ``types``; text is read as text on
    both paths."""
    file = printable_name(path)
    kinds = kinds or {}
    types = types or {}
    dtype: dict[str, str] = {}
    for name in usecols or dialect.header:
        if kinds.get(name) in TEXT_KINDS or types.get(name) == "text":
            dtype[name] = "str"
        elif kinds.get(name) in ("int", "float") and dialect.decimal == ",":
            # the C engine accepts a thousands dot anywhere ("2100000.50" → 210000050): with decimal commas the
            # mapping parses numbers strictly from text instead (docs/readers.md)
            dtype[name] = "str"
        # coded columns (category/bool) are left to inference: text codes arrive as interned ``str`` and numeric
        # codes as numbers, both recoded through their distinct values; ``dtype="category"`` measured slower
    encoding = dialect.encoding
    frame = None
    if path.stat().st_size >= ARROW_TEXT_MIN_BYTES:
        frame, encoding = _read_split(path, dialect, dtype, kinds, usecols, types)
    if frame is None:
        frame, encoding = _read_all(path, dialect, dtype, usecols)
    frame = drop_blank_rows(frame, file)
    require_rows(frame, file, row=dialect.header_line + 1)
    return RawTable(
        frame=frame,
        file=file,
        format="csv",
        rows=len(frame),
        decimal=dialect.decimal,
        details={"encoding": encoding, "sep": dialect.sep, "decimal": dialect.decimal},
    )


def _read_all(
    path: Path, dialect: Dialect, dtype: dict[str, str], usecols: list[str] | None
) -> tuple[pd.DataFrame, str]:
    """The C engine on the whole file, with every check: field counts, encoding fallback, blank lines.

    Every column is parsed, even those the mapping drops: with ``usecols`` the C engine silently ignores extra
    fields on a row, and the last column is needed to find short rows. Unused columns are dropped after."""
    file = printable_name(path)
    encoding = dialect.encoding
    try:
        frame = _read(path, dialect, encoding, dtype)
    except UnicodeDecodeError as exc:
        line = _first_bad_line(path, encoding)
        if encoding != "utf-8" or dialect.encoding_given:
            raise InputError(f"unreadable text encoding: not valid {encoding} ({exc.reason}); pass --encoding",
                             file=file, row=line) from None  # fmt: skip
        _warn_late_cp1252(file, line)
        encoding = "cp1252"
        try:
            frame = _read(path, dialect, encoding, dtype)
        except UnicodeDecodeError:
            raise InputError("unreadable text encoding: neither UTF-8 nor cp1252; pass --encoding", file=file,
                             row=_first_bad_line(path, encoding)) from None  # fmt: skip
    if not frame.index.equals(pd.RangeIndex(len(frame))) or frame.shape[1] != len(dialect.header):
        # pandas turns the first column into the index when the first data row has one field too many
        raise InputError(f"the row has more fields than the header ({len(dialect.header)})", file=file,
                         row=dialect.header_line + 1)  # fmt: skip
    frame = add_row_numbers(frame, first=dialect.header_line + 1)
    _check_short_rows(path, frame, dialect, encoding)
    if usecols is not None:
        frame = frame[["_row", *usecols]]
    return frame, encoding


def _read_split(
    path: Path,
    dialect: Dialect,
    dtype: dict[str, str],
    kinds: dict[str, str],
    usecols: list[str] | None,
    types: dict[str, str] | None = None,
) -> tuple[pd.DataFrame | None, str]:
    """Fast path for big files: pyarrow's multi-threaded CSV reader; the C engine only for what pyarrow cannot do.

    The C engine builds every distinct string (hh_id, NIK, names) as a Python object and parses on one core: on
    1,000,000 households that is most of the read time. pyarrow parses on every core, builds strings natively and
    dictionary-encodes coded text columns (recoded through their few distinct values), and it is strict about field
    counts (a short, long or blank line is an error), which is what lets the C engine read only some columns.

    * decimal point: every column through pyarrow; numbers and codes are inferred as the C engine infers them
      (``"01"`` → 1), ids and text as strings.
    * decimal comma: pyarrow reads ids, text and numbers as strings (the mapping parses ``1.250.000,50`` strictly),
      the C engine the coded columns, whose ``thousands="."`` reading pyarrow does not have.

    A quoted cell spanning lines is read correctly inside one of pyarrow's blocks and is an error across two
    ("parser out of sync"), never a silently split row. Any problem → ``None``: the caller reads the whole file
    with the C engine, which reports it with its row number.

    Invalid UTF-8 past the sampled start (pyarrow refuses it in a string column and turns an inferred column into
    raw bytes) switches to cp1252 as the C engine does, unless the user named the encoding. Returns the frame and
    the encoding it was read with.
    """
    wanted = list(usecols) if usecols is not None else list(dialect.header)
    strings = [c for c in wanted if dtype.get(c) == "str"]  # ids, text, and numbers of a decimal-comma file
    arrow_cols = wanted if dialect.decimal == "." else strings
    if not arrow_cols:
        return None, dialect.encoding
    file = printable_name(path)
    encoding = dialect.encoding
    column_types = {c: pa.string() for c in strings}
    if dialect.decimal == ".":  # numbers of a decimal-comma file are text for the mapping
        column_types |= {c: _ARROW_TYPES[t] for c, t in (types or {}).items() if c in arrow_cols and t != "text"}
    coded = {c for c in arrow_cols if kinds.get(c) in CODED_KINDS}
    table = _arrow_read(path, dialect, encoding, arrow_cols, column_types, coded)
    if table is _NOT_UTF8 and encoding == "utf-8" and not dialect.encoding_given:
        _warn_late_cp1252(file, _first_bad_line(path, encoding))
        encoding = "cp1252"
        table = _arrow_read(path, dialect, encoding, arrow_cols, column_types, coded)
    if not isinstance(table, pa.Table):
        return None, dialect.encoding
    if any(pa.types.is_temporal(field.type) for field in table.schema):
        # pyarrow infers dates and times ("2024-03-01"), the C engine keeps them as text: one behaviour for all sizes
        log.debug("%s: fast read not used (a column looks like dates); reading with the C engine", file)
        return None, dialect.encoding
    frame = table.to_pandas(types_mapper=_ARROW_TO_PANDAS.get)
    for name in frame.columns:
        if isinstance(frame[name].dtype, pd.CategoricalDtype) and kinds.get(name) not in CODED_KINDS:
            frame[name] = frame[name].astype("str").mask(frame[name].isna())  # only codes stay categorical
    rest = [c for c in wanted if c not in arrow_cols]
    if rest:
        try:
            numbers = _read(path, dialect, encoding, {c: dtype[c] for c in rest if c in dtype}, usecols=rest)
        except (InputError, UnicodeDecodeError):
            return None, dialect.encoding
        if len(numbers) != len(frame):
            return None, dialect.encoding
        frame = pd.concat([frame, numbers.reset_index(drop=True)], axis=1)
    return add_row_numbers(frame[wanted], first=dialect.header_line + 1), encoding


_NOT_UTF8 = object()  # _arrow_table's answer for a file that is not valid UTF-8


_ARROW_TYPES = {"float": pa.float64(), "bool": pa.bool_()}  # ``types`` of read_delimited, "text" aside
# types pyarrow infers on the sampled start that the whole file is then parsed as (not text: whether a text column
# becomes a dictionary depends on its distinct values over the whole first block)
_SAMPLED_TYPES = (pa.int64(), pa.float64(), pa.bool_())
# what a coded column sampled as text is read as: a dictionary (a pandas categorical), as inference with
# ``auto_dict_encode`` gives for codes; stated, it spares pyarrow trying integer, boolean, dates … on every block
_CODED_TEXT = pa.dictionary(pa.int32(), pa.string())


def _arrow_read(
    path: Path,
    dialect: Dialect,
    encoding: str,
    arrow_cols: list[str],
    column_types: dict[str, pa.DataType],
    coded: set[str] = frozenset(),  # type: ignore[assignment]
) -> pa.Table | object | None:
    """``_arrow_table`` with the number and true/false columns typed from the sampled start of the file.

    pyarrow infers a column's type from its first block and then parses every block as that type, failing on a
    cell that does not fit; inference itself tries integer, boolean, dates, times, timestamps and floats in turn.
    Inferring on the first ``SAMPLE_BYTES`` and giving those types for the whole file saves a quarter of the
    parsing of a wide survey. A cell later in the file that does not fit its sampled type (``1.5`` in a column
    of integers) fails that read, and the file is read again with inference: the same table either way.

    A ``coded`` column (category/bool kind) sampled as text is read as a dictionary: the categorical that
    inference gives for a few distinct codes (with many, inference gives plain strings; the mapping recodes
    both alike through their distinct values)."""
    sampled = _sampled_types(path, dialect, encoding, arrow_cols, column_types, coded)
    if sampled:
        table = _arrow_table(path, dialect, encoding, arrow_cols, column_types | sampled)
        if isinstance(table, pa.Table) or table is _NOT_UTF8:
            return table
        log.debug("%s: a cell does not fit the type sampled from the start; reading again with inference",
                  printable_name(path))  # fmt: skip
    return _arrow_table(path, dialect, encoding, arrow_cols, column_types)


def _sampled_types(
    path: Path,
    dialect: Dialect,
    encoding: str,
    arrow_cols: list[str],
    column_types: dict[str, pa.DataType],
    coded: set[str] = frozenset(),  # type: ignore[assignment]
) -> dict[str, pa.DataType]:
    """The number and true/false types pyarrow infers for the untyped ``arrow_cols`` on the first complete lines
    of the file, and ``_CODED_TEXT`` for the ``coded`` ones inferred as text (``{}`` when the sample cannot be
    read)."""
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
    head = head[: head.rfind(b"\n") + 1]
    if not head:
        return {}
    untyped = [c for c in arrow_cols if c not in column_types]
    sample = _arrow_table(path, dialect, encoding, untyped, column_types, data=io.BytesIO(head))
    if not isinstance(sample, pa.Table) or sample.num_rows == 0:
        return {}
    text = (pa.string(), pa.large_string(), _CODED_TEXT)
    return {f.name: f.type for f in sample.schema if f.type in _SAMPLED_TYPES} | {
        f.name: _CODED_TEXT for f in sample.schema if f.name in coded and f.type in text
    }


def _arrow_table(
    path: Path,
    dialect: Dialect,
    encoding: str,
    arrow_cols: list[str],
    column_types: dict[str, pa.DataType],
    *,
    data: io.BytesIO | None = None,
) -> pa.Table | object | None:
    """pyarrow's reading of ``arrow_cols`` of ``path`` (or of ``data``, bytes of its start); ``None`` when it gives
    up, ``_NOT_UTF8`` when the bytes are not UTF-8."""
    arrow_encoding = {"utf-8-sig": "utf8", "utf-8": "utf8"}.get(encoding, encoding)
    try:
        table = pa_csv.read_csv(
            data if data is not None else path,
            read_options=pa_csv.ReadOptions(
                column_names=list(dialect.header), skip_rows=dialect.header_line, encoding=arrow_encoding
            ),
            # newlines_in_values=False keeps parsing parallel; see the docstring for quoted line breaks
            parse_options=pa_csv.ParseOptions(
                delimiter=dialect.sep, newlines_in_values=False, ignore_empty_lines=False
            ),
            convert_options=pa_csv.ConvertOptions(
                include_columns=arrow_cols,
                column_types=column_types,
                null_values=NA_VALUES,
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
                auto_dict_encode=True,  # inferred text columns of few values (codes) → pandas categoricals
            ),
        )
    except (pa.ArrowException, UnicodeDecodeError, ValueError, OSError) as exc:
        if arrow_encoding == "utf8" and "invalid UTF8" in str(exc):
            return _NOT_UTF8
        # the message can quote a row of data: only its type is logged
        log.debug("%s: fast read not used (%s); reading with the C engine", printable_name(path), type(exc).__name__)
        return None
    if any(pa.types.is_binary(field.type) or pa.types.is_large_binary(field.type) for field in table.schema):
        return _NOT_UTF8 if arrow_encoding == "utf8" else None  # an inferred text column that is not UTF-8
    return table


def _warn_late_cp1252(file: str, line: int | None) -> None:
    log.warning("%s: invalid UTF-8 on line %s (after the sampled start); reading it as cp1252 (Windows-1252)",
                file, line)  # fmt: skip


_ARROW_TO_PANDAS = {
    pa.string(): pd.StringDtype("pyarrow", na_value=np.nan),  # the ``str`` dtype the C engine gives
    pa.large_string(): pd.StringDtype("pyarrow", na_value=np.nan),
    pa.bool_(): pd.BooleanDtype(),  # with missing cells: nullable booleans, not an object column
}


def _read(
    path: Path, dialect: Dialect, encoding: str, dtype: dict[str, str], usecols: list[str] | None = None
) -> pd.DataFrame:
    file = printable_name(path)
    try:
        return pd.read_csv(
            path,
            sep=dialect.sep,
            encoding=encoding,
            decimal=dialect.decimal,
            thousands=dialect.thousands,
            skiprows=dialect.header_line - 1,  # a title above the header (see _find_header)
            header=0,
            names=list(dialect.header),  # the sniffed names (BOM removed, duplicates already refused)
            usecols=usecols,
            dtype=dtype or None,
            engine="c",
            skip_blank_lines=False,  # keeps file lines and _row in step; blank rows are dropped afterwards
            keep_default_na=False,
            na_values=NA_VALUES,
            # low_memory (chunked) parsing builds high-cardinality string columns (NIK, hh_id) several times
            # faster than one pass; mixed-type chunks become object columns, which the mapping converts anyway
        )
    except pd.errors.EmptyDataError:
        raise InputError("the file is empty", file=file) from None
    except pd.errors.ParserError as exc:
        text = str(exc)
        match = _LINE_IN_ERROR.search(text)
        if match:
            expected, line, saw = match.groups()
            raise InputError(
                f"the row has {saw} fields but the header has {expected}", file=file, row=int(line)
            ) from None
        if "EOF inside string" in text:
            row = re.search(r"row (\d+)", text)
            raise InputError(
                "the file ends inside a quoted field (truncated, or an unclosed quote)",
                file=file,
                row=int(row.group(1)) + dialect.header_line + 1 if row else None,
            ) from None
        raise InputError(f"cannot parse the file ({text.splitlines()[-1][:200]})", file=file) from None
    except UnicodeDecodeError:
        raise  # a subclass of ValueError: the caller falls back to cp1252 or names the line
    except ValueError as exc:  # a dtype the data cannot take; usecols are checked before
        raise InputError(f"cannot parse the file ({type(exc).__name__})", file=file) from None


def _first_bad_line(path: Path, encoding: str) -> int | None:
    """The file line holding the first byte ``encoding`` cannot decode; read in blocks up to that byte only."""
    decoder = codecs.getincrementaldecoder(encoding)()
    lines_before = 0
    with path.open("rb") as fh:
        while block := fh.read(_SCAN_BLOCK):
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                # exc.start is counted from the bytes the decoder still held from the previous block plus this one
                held = exc.object[: len(exc.object) - len(block)]
                return lines_before - held.count(b"\n") + exc.object[: exc.start].count(b"\n") + 1
            lines_before += block.count(b"\n")
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return lines_before + 1
    return None


_SCAN_BLOCK = 8 * 1024 * 1024


def _check_short_rows(path: Path, frame: pd.DataFrame, dialect: Dialect, encoding: str) -> None:
    """A row with fewer fields than the header (a truncated last line, a lost delimiter) is an error naming the row.

    pandas fills such rows with missing values, so only rows whose *last* field is missing can be short; only
    those lines are counted again, and only when there are any.
    """
    last = dialect.header[-1]
    if last not in frame.columns or len(dialect.header) < 2:
        return
    candidates = frame.loc[frame[last].isna(), "_row"].to_numpy()
    if candidates.size == 0:
        return
    wanted = {int(r) for r in candidates}
    limit = int(candidates.max())
    n_fields = len(dialect.header)
    with open(path, encoding=encoding, newline="") as fh:
        for lineno, line in enumerate(fh, start=1):
            if lineno > limit:
                break
            if lineno not in wanted:
                continue
            body = line.rstrip("\r\n")
            if not body.strip():
                continue  # blank line: dropped later
            fields = (
                body.count(dialect.sep) + 1 if '"' not in body else len(next(csv.reader([body], delimiter=dialect.sep)))
            )
            if fields < n_fields:
                final = lineno == int(frame["_row"].iloc[-1])
                ending = "; the last line is incomplete: the file looks truncated" if final else ""
                raise InputError(f"the row has {fields} fields but the header has {n_fields}{ending}",
                                 file=str(path), row=lineno)  # fmt: skip
