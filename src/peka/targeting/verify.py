"""The village-meeting round-trip: returned lists (``lists.csv`` with ``hasil_verifikasi`` and ``catatan`` filled
in) are checked row by row against this run's lists, and only when every row is sound are the verdicts applied.

Verdicts: ``layak`` (eligible: kept), ``tidak_layak`` (not eligible), ``pindah`` (moved away), ``meninggal``
(deceased), ``ganda`` (duplicate) — the last four remove the household from that programme's list, so the next
eligible household moves up. An empty verdict leaves the row as it was.

Refused (``InputError``, exit 3, every problem listed with file and row, nothing applied): a file without the list
columns, a ``run_id`` other than this run's (a list from another run or other data), a household id or programme
that is not on this run's lists (an edited id), an unknown verdict, a household listed twice for a programme
across the returned files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from peka.errors import InputError, printable_name

VERDICTS: dict[str, bool] = {"layak": False, "tidak_layak": True, "pindah": True, "meninggal": True, "ganda": True}
REQUIRED: tuple[str, ...] = ("run_id", "program", "hh_id", "hasil_verifikasi", "catatan")
MAX_LISTED_PROBLEMS = 50


def read_returned(path: Path) -> pd.DataFrame:
    """A returned list as text (every cell a string, empty for blank), with ``_file`` and ``_row`` (line of the
    file, header = 1). Comma- or semicolon-separated (``--csv-dialect id``, or Excel set to Indonesian saving it
    back): the header line tells which."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as handle:
            header = handle.readline()
        sep = ";" if header.count(";") > header.count(",") else ","
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig", sep=sep)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read the returned list ({type(exc).__name__})", file=str(path)) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    frame = frame.apply(lambda col: col.str.strip().str.removeprefix("'"))  # formula-safe prefix of peka's CSV
    return frame.assign(_file=printable_name(Path(path).name), _row=np.arange(2, len(frame) + 2))


def check_returned(returned: Sequence[pd.DataFrame], listed: pd.DataFrame, run_id: str) -> pd.DataFrame:
    """The verdict rows (``_file``, ``_row``, ``program``, ``hh_id``, ``verdict``, ``note``) of ``returned``
    checked against ``listed`` (``program``, ``hh_id`` as shown in the lists); raises ``InputError`` naming every
    problem."""
    problems: list[str] = []
    frames = []
    for frame in returned:
        name = frame["_file"].iloc[0] if len(frame) else "?"
        missing = [c for c in REQUIRED if c not in frame.columns]
        if missing:
            problems.append(f"{name}: no column {', '.join(missing)} (return the lists.csv of peka target)")
            continue
        frames.append(frame[["_file", "_row", *REQUIRED]])
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["_file", "_row", *REQUIRED])
    rows["hasil_verifikasi"] = rows["hasil_verifikasi"].str.lower()
    known = pd.MultiIndex.from_frame(listed[["program", "hh_id"]].astype(str))
    keys = pd.MultiIndex.from_frame(rows[["program", "hh_id"]].astype(str))
    checks = [
        (rows["run_id"] != run_id, "run_id", "this list comes from another run (other data, options or catalogue)"),
        (~keys.isin(known), "hh_id", "household and programme are not on this run's lists (edited id?)"),
        (~rows["hasil_verifikasi"].isin([*VERDICTS, ""]), "hasil_verifikasi",
         f"unknown verdict: use one of {', '.join(VERDICTS)} or leave it empty"),
        (keys.duplicated(keep="first"), "hh_id", "this household appears again for the same programme"),
    ]  # fmt: skip
    for mask, column, message in checks:
        for file, row in rows.loc[np.asarray(mask, dtype=bool), ["_file", "_row"]].itertuples(index=False):
            problems.append(f"{file} row {row}, column {column}: {message}")
    if problems:
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = f"\n  … and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
        raise InputError(
            f"{len(problems)} problem(s) in the returned lists; nothing was applied:\n  " + "\n  ".join(shown) + more
        )
    return rows.rename(columns={"hasil_verifikasi": "verdict", "catatan": "note"})[
        ["_file", "_row", "program", "hh_id", "verdict", "note"]
    ]


def removed(verdicts: pd.DataFrame) -> pd.DataFrame:
    """The (program, hh_id) pairs whose verdict removes them from the list."""
    mask = verdicts["verdict"].map(VERDICTS).fillna(False).astype(bool)
    return verdicts.loc[mask, ["program", "hh_id"]]
