"""Time labels that statistics offices and ISO 8601 write but pandas does not read as dates.

Months written ``2010M01`` (as Eurostat, the IMF and SDMX files write them; Stata writes
``2010m1``) or ``Jan-19`` (Excel's ``mmm-yy``, which pandas reads as 19 January of the year
1), quarters written ``2010 Q1``, ``2010:Q1`` (BEA, FRED), ``Q1 2010`` or ``Q1-10``, and ISO
weeks written ``2020-W02`` or ``2020W02``. Read as the start of their
period (the month's first day, the week's Monday) they keep the data's frequency and so its
season; left as text, the file had no time column, its rows were taken as steps, and the
season was lost without a word (or the rows were refused as out of order).
"""

from __future__ import annotations

import pandas as pd

from ..core.timeindex import reads_as_dates

__all__ = ["read_period_labels", "reads_as_time"]

def _quarter_starts(parts: pd.DataFrame) -> pd.Series:
    """The first days of the quarters ``parts`` name (two-digit years as Python's ``%y``)."""
    year = parts["year"].astype(int)
    year = year.where(year >= 100, year + 2000 - 100 * (year > 68))
    return pd.to_datetime(pd.DataFrame({"year": year, "month": 3 * parts["quarter"].astype(int) - 2, "day": 1}))


#: Each form: its pattern (the whole value), what it is called in a note, how it is read.
_FORMS = (
    # quarters as statistics offices write them (pandas reads 2010Q1 and 2010-Q1 only)
    (r"(?P<year>\d{4})\s*[-:/ ]?\s*[Qq](?P<quarter>[1-4])", "quarters written 2010 Q1 or 2010:Q1", _quarter_starts),
    (r"[Qq](?P<quarter>[1-4])\s*[-/ ']?\s*(?P<year>\d{4}|\d{2})", "quarters written Q1 2010 or Q1-10",
     _quarter_starts),
    (r"(?P<year>\d{4})[Mm](?P<month>0?[1-9]|1[0-2])", "months written 2010M01",
     lambda parts: pd.to_datetime(parts.assign(day=1)[["year", "month", "day"]].astype(int))),
    # Excel's display format mmm-yy: pandas read 'Jan-19' as 19 January of the year 1
    (r"(?i:(?P<name>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec))[-\s/']?(?P<yy>\d{2})",
     "months written Jan-19 (two-digit years 00-68 as 20xx, 69-99 as 19xx)",
     lambda parts: pd.to_datetime(parts["name"].str.title() + "-" + parts["yy"], format="%b-%y", errors="coerce")),
    # upper-case W only: Stata's 2020w2 counts weeks from 1 January, not ISO's
    (r"(?P<year>\d{4})-?W(?P<week>0[1-9]|[1-4]\d|5[0-3])", "ISO weeks written 2020-W02",
     lambda parts: pd.to_datetime(parts["year"] + "W" + parts["week"] + "1", format="%GW%V%u", errors="coerce")),
)


def read_period_labels(values: pd.Series) -> tuple[pd.Series, str] | None:
    """``values`` read as the starts of the months or ISO weeks they name, and what they
    were; None unless every value is one such label of one form (a week 53 that its year
    lacks is no label).

    Examples
    --------
    >>> stamps, written = read_period_labels(pd.Series(["2010M01", "2010M02"]))
    >>> [str(day.date()) for day in stamps], written
    (['2010-01-01', '2010-02-01'], 'months written 2010M01')
    >>> [str(day.date()) for day in read_period_labels(pd.Series(["2020-W01", "2020-W53"]))[0]]
    ['2019-12-30', '2020-12-28']
    >>> read_period_labels(pd.Series(["2010M01", "total"])) is None
    True
    """
    if values.empty or not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
        return None
    text = values.astype(str).str.strip()
    for pattern, written, read in _FORMS:
        if not text.head(200).str.fullmatch(pattern).all():  # most text columns fail here, cheaply
            continue
        parts = text.str.extract(f"^{pattern}$")
        if parts.notna().all().all():
            stamps = read(parts)
            if stamps.notna().all() and _weeks_exist(stamps, parts):
                return pd.Series(stamps.to_numpy(), index=values.index, name=values.name), written
    return None


def _weeks_exist(stamps: pd.Series, parts: pd.DataFrame) -> bool:
    """Whether each ISO week label names a week its year has (``2021-W53`` reads as 2022's first)."""
    if "week" not in parts.columns:
        return True
    return bool((stamps.dt.isocalendar().week.astype(int) == parts["week"].astype(int)).all())


def reads_as_time(values: pd.Series) -> bool:
    """Whether ``values`` are dates pandas reads or period labels :func:`read_period_labels` reads."""
    return reads_as_dates(values) or read_period_labels(values) is not None
