"""Write ``susenas_kor_rt_40.sas7bdat``: the first 40 households of the bundled Susenas-style sample as SAS7BDAT.

pyreadstat reads SAS7BDAT but cannot write it, and no SAS-made file of ours ships with a Python package (the pandas
wheel leaves its test data out), so the file is made with the ReadStat command-line tool (Debian package
``readstat``, ``apt-get install readstat``), which writes SAS7BDAT with the same C library that pyreadstat reads
with::

    python tests/io/data/make_sas7bdat.py

SAS7BDAT has no value labels (SAS keeps formats in a separate catalog), so the file holds the Susenas codes only;
the ``susenas`` preset maps codes, not labels. The test compares what peka reads with the canonical CSV sample,
an independent copy of the same households (tests/io/test_sas7bdat.py).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import pyreadstat

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parents[2] / "data" / "samples" / "sabang"
HOUSEHOLDS = 40
OUT = HERE / f"susenas_kor_rt_{HOUSEHOLDS}.sas7bdat"


def main() -> None:
    readstat = shutil.which("readstat")
    if readstat is None:
        raise SystemExit("the ReadStat command-line tool is needed: apt-get install readstat")
    frame, meta = pyreadstat.read_dta(SAMPLE / "susenas_kor_rt.dta", row_limit=HOUSEHOLDS)
    with tempfile.TemporaryDirectory() as tmp:
        dta = Path(tmp) / "head.dta"
        pyreadstat.write_dta(frame, str(dta), column_labels=meta.column_names_to_labels)
        subprocess.run([readstat, str(dta), str(OUT)], check=True, capture_output=True)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes, {HOUSEHOLDS} households)")


if __name__ == "__main__":
    main()
