"""A frequency with every setting it has, written as plain values and read back.

pandas names a frequency by ``freqstr``, but the name does not always give the offset
back: a :class:`~pandas.offsets.CustomBusinessDay` with holidays or a weekmask is named
``"C"`` (plain weekdays, no holidays), ``Week()`` is named ``"W"`` (read back as weeks
ending on Sunday), and ``DateOffset(months=1)`` has a name pandas cannot read at all. A
time axis keeps the name (to show, save and hash) and, where the name is not enough,
the settings written here: plain values (text, numbers, tuples of them) that model
files hold without pickle and that compare by value.

Examples
--------
>>> import pandas as pd
>>> offset_settings(pd.offsets.MonthBegin()) is None  # its name says it all
True
>>> week = pd.offsets.Week()
>>> settings = offset_settings(week)
>>> offset_of(week.freqstr, settings) == week
True
"""

from __future__ import annotations

import datetime
import functools

import numpy as np
import pandas as pd

from ..exceptions import InvalidInputError

__all__ = ["offset_settings", "offset_of"]

#: Settings pandas derives from the others (a business-day calendar from the weekmask and
#: holidays): rebuilt, not kept.
_DERIVED = ("calendar",)


def offset_settings(offset, name: str = "y") -> tuple | None:
    """The settings of ``offset`` its name leaves out, as plain values; None where
    ``to_offset(offset.freqstr)`` gives ``offset`` back.

    Raises
    ------
    InvalidInputError
        A setting cannot be written plainly, or the offset is not one of pandas' own (a
        subclass of the user's): naming ``name`` and the offset, with what to do.
    """
    if _reads_back(offset):
        return None
    if getattr(pd.offsets, type(offset).__name__, None) is not type(offset):
        _refuse(offset, name, f"{type(offset).__name__} is not an offset class of pandas")
    try:
        kwds = tuple((key, _plain(value)) for key, value in sorted(offset.kwds.items()) if key not in _DERIVED)
        settings = (type(offset).__name__, offset.n, bool(offset.normalize), kwds)
        same = offset_of(offset.freqstr, settings) == offset
    except (TypeError, ValueError) as error:
        _refuse(offset, name, str(error))
    if not same:
        _refuse(offset, name, "its settings do not rebuild it")
    return settings


def _reads_back(offset) -> bool:
    try:
        return pd.tseries.frequencies.to_offset(offset.freqstr) == offset
    except (TypeError, ValueError):  # DateOffset(months=1) is named "<DateOffset: months=1>"
        return False


def _refuse(offset, name: str, why: str):
    raise InvalidInputError(
        f"{name} has frequency {offset!r}, whose settings tsforecast cannot keep ({why}); give the data a "
        "frequency pandas names (data.asfreq('MS'), 'B', 'W-WED', ...) or one with holidays and a weekmask "
        "(pd.offsets.CustomBusinessDay(holidays=[...], weekmask='Sun Mon Tue Wed Thu'))."
    )


def _plain(value):
    """A setting as text, numbers and tagged tuples (a tuple is always ``(tag, ...)``)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (np.datetime64, datetime.date)):  # holidays; a datetime is a date
        return ("date", pd.Timestamp(value).isoformat())
    if isinstance(value, datetime.time):  # business hours
        return ("time", value.isoformat())
    if isinstance(value, (datetime.timedelta, np.timedelta64)):
        return ("timedelta", int(pd.Timedelta(value).value))
    if isinstance(value, (tuple, list)):
        return ("list", tuple(_plain(v) for v in value))
    raise TypeError(f"its setting {value!r} is no date, time, duration, number or text")


def _value(plain):
    if not isinstance(plain, tuple):
        return plain
    tag, content = plain
    if tag == "date":
        return pd.Timestamp(content)
    if tag == "time":
        return datetime.time.fromisoformat(content)
    if tag == "timedelta":
        return pd.Timedelta(content)
    if tag == "list":
        return [_value(v) for v in content]
    raise ValueError(f"unknown setting kind {tag!r}")


@functools.lru_cache(maxsize=64)
def offset_of(freq: str | None, settings: tuple | None = None):
    """The offset named ``freq`` with ``settings`` (from :func:`offset_settings`); None
    for no frequency. Cached: an axis asks for its offset at every date range it makes."""
    if freq is None:
        return None
    if settings is None:
        return pd.tseries.frequencies.to_offset(freq)
    kind, n, normalize, kwds = settings
    cls = getattr(pd.offsets, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, pd.offsets.BaseOffset)):
        raise ValueError(f"{kind!r} is not an offset class of pandas")
    return cls(n=n, normalize=normalize, **{key: _value(value) for key, value in kwds})
