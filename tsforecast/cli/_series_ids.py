"""The series id column of a long panel whose id column has another name than ``unique_id``.

A file of many series in the long format (``store, date, sales``, as most exports and
Kaggle's data write them) repeats each date once per series. Without ``--id-column`` the
repeated dates were refused as duplicated timestamps. The id column is the one column of
text that, with the time column, names each row once (``store``: each date once per store);
it is taken with a note. Where several text columns do that, or only integer columns
(``store_id``: ids, or a count?), the choice is left to ``--id-column``, and the error
about the repeated dates names the candidates.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["id_candidates", "implied_id_column", "repeated_dates_hint"]


def id_candidates(table: pd.DataFrame, time, times: pd.Series, exclude: list) -> list:
    """The columns (text or integers, none missing, not ``time`` or in ``exclude``) that with
    the timestamps ``times`` name each row of ``table`` once: where ``times`` repeat, the
    series id is one of them."""
    keyed = table.assign(**{str(time): times})
    return [c for c in table.columns if c != time and c not in exclude
            and not pd.api.types.is_float_dtype(table[c].dtype) and not pd.api.types.is_bool_dtype(table[c].dtype)
            and table[c].notna().all() and not keyed.duplicated([c, time]).any()]


def implied_id_column(table: pd.DataFrame, time, times: pd.Series | None, exclude: list,
                      notes: list[str]) -> str | None:
    """The id column of a long panel whose timestamps ``times`` (the column ``time``'s values,
    with the times of day of a clock column joined; None where they do not) repeat: the one
    text column of :func:`id_candidates`, said in ``notes``; else None (no timestamp repeats,
    or the choice is not clear)."""
    if time is None or times is None or not times.duplicated().any():
        return None
    text = [c for c in id_candidates(table, time, times, exclude) if not pd.api.types.is_numeric_dtype(table[c].dtype)]
    if len(text) != 1:
        return None
    notes.append(f"long format: one series per {text[0]!r} (the dates repeat once per series; "
                 "--id-column chooses another column)")
    return text[0]


def repeated_dates_hint(table: pd.DataFrame, time, times: pd.Series | None, exclude: list) -> str:
    """Where the timestamps ``times`` repeat (``""`` where not): name the series id column,
    with the columns that could be it (:func:`id_candidates`)."""
    if times is None or not times.duplicated().any():
        return ""
    candidates = id_candidates(table, time, times, exclude)
    seen = (f" (each date is once per value of {', '.join(map(repr, candidates))}: --id-column {candidates[0]})"
            if candidates else "")
    return f"if it holds many series, name their id column with --id-column{seen}"
