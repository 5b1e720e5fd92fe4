"""Tests for analysis/tables.py: string columns and tables built from ready arrays."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from analysis import tables


def test_string_columns_are_pandas_default_str_dtype():
    from_arrow = tables.string_column(pa.array(["稀土", None, "包头"], pa.large_string()))
    from_python = tables.strings_column(["稀土", None, "包头"])
    for column in (from_arrow, from_python):
        series = pd.Series(column)
        assert series.dtype == "str" and series.dtype == pd.Series(["x"]).dtype  # what pandas itself makes
        assert series.isna().tolist() == [False, True, False] and series[2] == "包头"


def test_a_new_table_names_its_columns_and_keeps_their_arrays():
    counts = np.array([3, 1, 2], dtype=np.int64)
    table = tables.new_table({"term": tables.strings_column(["镨", "钕", "镝"]), "count": counts})
    assert list(table.columns) == ["term", "count"] and table["term"].dtype == "str"
    assert table["count"].dtype == "int64" and table["count"].tolist() == [3, 1, 2]
    assert np.shares_memory(table["count"].to_numpy(), counts)  # not copied
    assert table.equals(pd.DataFrame({"term": ["镨", "钕", "镝"], "count": [3, 1, 2]}))
    assert tables.column_labels(("term", "count")) is tables.column_labels(("term", "count"))  # built once


def test_arrow_strings_of_a_str_column_are_its_own_strings():
    column = pd.Series(["稀土", None, "包头"], dtype="str")
    values = tables.arrow_strings(column)
    assert isinstance(values, pa.Array) and values.type == pa.large_string()
    assert values.to_pylist() == ["稀土", None, "包头"]
    assert tables.arrow_strings(pd.Series(["镧", "铈"], dtype=object)).to_pylist() == ["镧", "铈"]
