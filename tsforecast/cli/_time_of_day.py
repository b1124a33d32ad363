"""The column that gives the time of day to a column of dates: clock times, or hour numbers.

Exports write the date and the time of day in two columns: ``Date`` ``16/12/2006`` beside
``Time`` ``17:24:00`` (the UCI household power data), or, in energy markets, beside the
hour as a number: ``Hour`` 0 to 23, or ``HE`` (hour ending) 1 to 24, where hour 1 is the
hour from 00:00 to 01:00, as ERCOT, PJM and MISO publish load and prices. Read alone, the
dates repeat once a reading: they were refused as duplicated, and the error then offered
the hour column as the series id (``--id-column HE``: 24 daily series). The one column
that holds only clock times, else the one hour column, is joined to the dates
(:func:`time_of_day`); an hour column whose numbers fit both conventions (1 to 23 only) is
left alone.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["time_of_day"]

#: A time of day as clocks write it: ``13:05``, ``1:05 PM``, ``13:05:59.250``.
_CLOCK = r"\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?\s*"
#: Names of columns of hour numbers, and of those that count hours ending.
_HOUR = r"hour|hr|h|he|hb|hour[ _]?(?:ending|beginning|begin|start|end)|stunde|heure|hora|ora|uur|time"
_ENDING = r"he|hour[ _]?(?:ending|end)"


def time_of_day(table: pd.DataFrame, columns: list) -> tuple[object, pd.Series, str] | None:
    """Among ``columns`` of ``table``: the one that holds only clock times, else the one of
    hour numbers; with its values as clock text (``"17:24:00"``, ``"05:00"``) and how they
    were read; None where there is not exactly one."""
    clocks = [c for c in columns if _holds_clock_times(table[c])]
    if clocks:
        return (clocks[0], table[clocks[0]].astype(str).str.strip(), "dates and times of day in two columns") \
            if len(clocks) == 1 else None
    hours = [found for found in (_hour_numbers(table[c], c) for c in columns) if found is not None]
    return hours[0] if len(hours) == 1 else None


def _holds_clock_times(column: pd.Series) -> bool:
    """Whether every value of ``column`` is a time of day (``13:05:00``), none missing."""
    if pd.api.types.is_numeric_dtype(column.dtype) or column.isna().any():
        return False
    return all(part.astype(str).str.fullmatch(_CLOCK).all() for part in (column.head(100), column))


def _hour_numbers(column: pd.Series, name) -> tuple[object, pd.Series, str] | None:
    """``column`` as the hours it numbers, where its name says hour and its integers run 0 to
    23 (the hour starting then) or 1 to 24 (the hour ending then, as ``HE`` says)."""
    if not pd.api.types.is_integer_dtype(column.dtype) or not re.fullmatch(_HOUR, str(name).strip(), re.I):
        return None
    low, high = int(column.min()), int(column.max())
    ending = bool(re.fullmatch(_ENDING, str(name).strip(), re.I))
    if low >= 1 and high <= 24 and (ending or high == 24):
        return name, (column - 1).map("{:02d}:00".format), f"hours ending 1 to 24: {name!r} 1 is 00:00 to 01:00"
    if low >= 0 and high <= 23 and (low == 0 and not ending):
        return name, column.map("{:02d}:00".format), f"hours 0 to 23 of the day in {name!r}"
    return None
