"""A table whose columns are the dates: one row per series, as pivot tables and statistics
offices write it (``product, 2021-01, 2021-02, ...``; the World Bank's years ``1960,
1961, ...``; Excel's ``Jan-21, Feb-21, ...``).

Read as it was, each date was a numeric column and the error offered to forecast the
dates as series (``--target 2021-01,2021-02``). Where three or more column names read as
times, every such column holds numbers and no column's values are dates, the table is
turned into the long format the rest of the reading knows: the other columns are kept for
each row (the text column naming the series is then found as the id column, or named with
``--id-column``), the names become a ``date`` column, the cells a ``value`` column. Empty
cells before a series starts and after it ends are left out (series of different
lengths); an empty cell between two values stays a missing value.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._labels import reads_as_time

__all__ = ["dates_as_rows"]

#: Fewer columns named by times than this are columns, not a series written across.
_FEWEST = 3


def dates_as_rows(table: pd.DataFrame, source: str, notes: list[str] | None) -> pd.DataFrame:
    """``table`` in the long format where its columns are dates (see the module docstring),
    said in ``notes``; else ``table`` itself."""
    # a column of dates (the usual layout) answers before every name is read as a time, which
    # costs milliseconds a column: seconds on a wide file of a thousand series
    if any(_holds_dates(table[c]) for c in table.columns if not pd.api.types.is_numeric_dtype(table[c].dtype)):
        return table
    timed = [column for column in table.columns if _names_a_time(column)]
    others = [column for column in table.columns if column not in timed]
    if len(timed) < _FEWEST or not others or not reads_as_time(pd.Series([str(c) for c in timed])):
        return table
    if not all(pd.api.types.is_numeric_dtype(table[c].dtype) for c in timed) or any(
            _holds_dates(table[c]) for c in others):
        return table  # a column of dates (a wide panel whose series are named by years), or text cells
    time, value = (next(name for name in names if name not in map(str, others))
                   for names in (("date", "ds", "period"), ("value", "y", "observation")))
    cells = table[timed].to_numpy(dtype=float)
    seen = ~np.isnan(cells)
    # inside each series' span only: after its first value and up to its last
    inside = (np.maximum.accumulate(seen, axis=1) & np.maximum.accumulate(seen[:, ::-1], axis=1)[:, ::-1]).ravel()
    rows = np.repeat(np.arange(len(table)), len(timed))[inside]
    long = table[others].iloc[rows].reset_index(drop=True)
    long[time] = np.tile(np.asarray([str(c) for c in timed], dtype=object), len(table))[inside]
    long[value] = cells.ravel()[inside]
    if notes is not None:
        notes.append(f"{source}: its columns {str(timed[0])!r} ... {str(timed[-1])!r} are dates, one row per series "
                     f"({len(table)} rows): read as a long table of {', '.join(map(repr, map(str, others)))}, "
                     f"{time!r} and {value!r}.")
    return long


def _names_a_time(column) -> bool:
    """Whether a column's name alone reads as a time (``2021-01``, ``Jan-21``, ``1960``,
    a workbook's date cell)."""
    if isinstance(column, pd.Timestamp):
        return True
    name = str(column).strip()
    return any(ch.isdigit() for ch in name) and reads_as_time(pd.Series([name]))


def _holds_dates(column: pd.Series) -> bool:
    return bool(column.notna().any()) and reads_as_time(column.dropna())
