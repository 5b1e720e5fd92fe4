"""Building pandas tables from ready column arrays, without copies: what every step that makes a table shares.

Text columns are pandas' default `str` dtype (Arrow strings); the helpers build them straight from Arrow arrays or
Python strings, and tables straight from their columns, skipping the inference and copies of `pd.DataFrame(dict)`
(which cost more than the rest of building a batch's many small tables).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import numpy as np
import pandas as pd
import pyarrow as pa

STRING_DTYPE = pd.StringDtype("pyarrow", na_value=np.nan)  # pandas' default `str` dtype


def string_column(values: pa.Array) -> pd.arrays.ArrowStringArray:
    """A pandas string column (the default `str` dtype) from an Arrow large_string array."""
    return pd.arrays.ArrowStringArray(values, dtype=STRING_DTYPE)


def strings_column(values: Iterable) -> pd.arrays.ArrowStringArray:
    """A pandas string column (the default `str` dtype) from Python strings (None: missing), through Arrow."""
    return string_column(pa.array(values, type=pa.large_string()))


def arrow_strings(column: pd.Series) -> pa.Array:
    """A text column as one Arrow large_string array (a `str` column's own strings, without a copy)."""
    values = pa.array(column, pa.large_string())
    return values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values


@functools.cache
def column_labels(names: tuple[str, ...]) -> pd.Index:
    """The column labels of a table with these column names (built once per process: pandas infers their type)."""
    return pd.Index(list(names))


def new_table(columns: dict[str, object]) -> pd.DataFrame:
    """A table from column arrays made for it and never changed afterwards.

    The arrays are not copied (copying and consolidating them cost more than the rest of building a small table),
    and the table is built with numbered columns that are then named: building it with the names makes pandas infer
    the type of a new label index each time.
    """
    table = pd.DataFrame(dict(enumerate(columns.values())), copy=False)
    table.columns = column_labels(tuple(columns))
    return table
