"""Which columns carry min/max statistics in a Parquet file peka writes (whole and chunk by chunk)."""

from __future__ import annotations

import pandas as pd
import pyarrow.parquet as pq

from peka.deliver.files import table_writer, write_table

FRAME = pd.DataFrame({
    "hh_id": pd.Series(["b", "a"], dtype="str"),
    "kab_code": pd.Series(["1172", "1171"], dtype="str"),
    "kab_name": pd.Series(["Kota Sabang", "Kota Banda Aceh"], dtype="str"),
    "weight": [2.5, 1.0],
    "poor": pd.array([True, False], dtype="boolean"),
})


def _statistics(path) -> dict[str, tuple[object, object] | None]:
    group = pq.ParquetFile(path).metadata.row_group(0)
    out = {}
    for i in range(group.num_columns):
        column = group.column(i)
        stats = column.statistics
        out[column.path_in_schema] = (stats.min, stats.max) if stats is not None and stats.has_min_max else None
    return out


EXPECTED = {"hh_id": None, "kab_code": ("1171", "1172"), "kab_name": None, "weight": (1.0, 2.5), "poor": (False, True)}


def test_numbers_flags_and_region_codes_have_statistics_free_text_has_none(tmp_path):
    path = write_table(FRAME, tmp_path / "out.parquet")
    assert _statistics(path) == EXPECTED
    pd.testing.assert_frame_equal(pd.read_parquet(path).astype(FRAME.dtypes.to_dict()), FRAME)


def test_the_chunked_writer_puts_the_same_statistics(tmp_path):
    with table_writer(tmp_path / "out.parquet") as writer:
        writer.write(FRAME)
    assert _statistics(tmp_path / "out.parquet") == EXPECTED
