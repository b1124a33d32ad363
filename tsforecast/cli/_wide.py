"""A table with one column per series (``date, store_1, store_2``) read as a panel.

Spreadsheets and many exports keep each series in its own column. ``--target
store_1,store_2`` forecasts each named column as its own series: the table is stacked into
the long format, ``unique_id`` holding the column's name and ``y`` its values, the time
column and the covariates repeated for each series. Rows before a series' first value (a
series that starts later than the others) are left out, as they are not data. A model
fitted so forecasts from a file of the same layout (``predict --data``): its series are
the file's columns.
"""

from __future__ import annotations

import pandas as pd

from ..core.forms import ID_COLUMN, TIME_COLUMN
from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = ["STACKED_TARGET", "drop_leading_empty", "series_columns", "stacked"]

#: The target column of a stacked table (the long format's name).
STACKED_TARGET = "y"


def stacked(table: pd.DataFrame, columns: list[str], source: str) -> pd.DataFrame:
    """``table`` in the long format: ``columns`` stacked into :data:`STACKED_TARGET`, one
    series per column (its name in ``unique_id``), every other column repeated for each.

    Examples
    --------
    >>> wide = pd.DataFrame({"date": ["2024-01-01", "2024-01-02"], "a": [1.0, 2.0], "b": [3.0, 4.0]})
    >>> stacked(wide, ["a", "b"], "wide.csv").to_dict("list")  # doctest: +NORMALIZE_WHITESPACE
    {'date': ['2024-01-01', '2024-01-02', '2024-01-01', '2024-01-02'], 'unique_id': ['a', 'a', 'b', 'b'],
     'y': [1.0, 2.0, 3.0, 4.0]}
    """
    taken = [name for name in (ID_COLUMN, STACKED_TARGET) if name in table.columns and name not in columns]
    if taken:
        raise InvalidParameterError(
            f"--target names {len(columns)} columns, each to be forecast as its own series, stacked into the "
            f"columns {ID_COLUMN!r} and {STACKED_TARGET!r}; {source} already has {', '.join(map(repr, taken))}: "
            f"rename it, or, if the file is a long panel already, name one target and its id column.")
    numeric = [c for c in columns if not pd.api.types.is_numeric_dtype(table[c].dtype)]
    if numeric:
        raise InvalidInputError(
            f"--target column {numeric[0]!r} of {source} holds text, not numbers; each --target column is a "
            "series to forecast.")
    keep = [c for c in table.columns if c not in columns]
    long = table.melt(id_vars=keep, value_vars=columns, var_name=ID_COLUMN, value_name=STACKED_TARGET)
    long[ID_COLUMN] = long[ID_COLUMN].astype(str)
    return long


def drop_leading_empty(data: pd.DataFrame, source: str, notes: list[str]) -> pd.DataFrame:
    """``data`` (long, sorted by series and time) without each series' rows before its first
    value; a series with no value at all is refused by name. Said in ``notes``."""
    present = data[STACKED_TARGET].notna()
    started = present.groupby(data[ID_COLUMN], sort=False).cummax()
    empty = sorted(set(data[ID_COLUMN]) - set(data.loc[present, ID_COLUMN]))
    if empty:
        raise InvalidInputError(f"--target column {empty[0]!r} of {source} is empty: it has no value to forecast from.")
    if started.all():
        return data
    later = data.loc[~started, ID_COLUMN].value_counts(sort=False)
    first = data.loc[started & (data[ID_COLUMN] == later.index[0]), TIME_COLUMN].iloc[0]
    notes.append(f"{len(later)} series start{'s' if len(later) == 1 else ''} later than the file: their "
                 f"{int(later.sum())} empty row(s) before their first value are left out (for example "
                 f"{later.index[0]!r}, from {first}).")
    return data[started].reset_index(drop=True)


def series_columns(model, table: pd.DataFrame) -> list[str] | None:
    """The columns of ``table`` that are the series of a ``model`` fitted on a stacked table
    (one target :data:`STACKED_TARGET`, absent from ``table``; every series id a column),
    else None."""
    if list(getattr(model, "target_names_", [])) != [STACKED_TARGET] or STACKED_TARGET in table.columns:
        return None
    ids = [str(series) for series in getattr(model, "series_ids_", None) or []]
    names = {str(c): c for c in table.columns}
    if len(ids) < 2 or any(series not in names for series in ids):
        return None
    return [names[series] for series in ids]
