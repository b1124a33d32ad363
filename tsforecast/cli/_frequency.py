"""The command line's time grid: ``--freq`` puts each series on a regular grid, and the
data's frequency is read (or its irregular timestamps refused, naming the --freq that
repairs them) as the library reads it, so the season the CLI says is the backtest's."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.forms import ID_COLUMN, TIME_COLUMN
from ..core.silencing import silenced
from ..core.timeindex import likely_freq, regularize_index
from ..exceptions import InvalidInputError, InvalidParameterError

__all__ = ["as_frequency", "frequency_of", "has_timestamps", "regular_frequency"]


def as_frequency(frame: pd.DataFrame, freq: str, source: str) -> pd.DataFrame:
    """``--freq``: each series on a regular grid of ``freq``, missing steps as NaN rows (--fill repairs them)."""
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        renamed = {"M": "ME", "Q": "QE", "Y": "YE", "A": "YE", "H": "h", "T": "min", "S": "s"}.get(freq.upper())
        hint = f" (pandas now spells it {renamed!r})" if renamed else ""
        raise InvalidParameterError(
            f"--freq must be a pandas frequency such as D, h, W-SUN, MS, ME; got {freq!r}{hint}.") from None
    if ID_COLUMN not in frame.columns:
        if not isinstance(frame.index, pd.DatetimeIndex):
            raise InvalidParameterError(f"--freq {freq!r} needs a time column of dates; {source} has integer time.")
        return _on_grid(frame, offset, freq, source)
    if not pd.api.types.is_datetime64_any_dtype(frame[TIME_COLUMN].dtype):
        raise InvalidParameterError(f"--freq {freq!r} needs a time column of dates; {source} has integer time.")
    _refuse_duplicates(frame, source)
    parts = [_on_grid(part.set_index(TIME_COLUMN), offset, freq, source).assign(**{ID_COLUMN: key})
             for key, part in frame.groupby(ID_COLUMN, sort=False)]
    out = pd.concat(parts).rename_axis(TIME_COLUMN).reset_index()
    return out[frame.columns]


def _refuse_duplicates(frame: pd.DataFrame, source: str) -> None:
    """Refuse a long frame with a timestamp twice in a series, as the library does, before
    --freq puts it on a grid (pandas' 'cannot reindex on an axis with duplicate labels')."""
    twice = frame.duplicated([ID_COLUMN, TIME_COLUMN]).to_numpy()
    if twice.any():  # the library's check of that series' timestamps says which (duplicates first)
        key = frame[ID_COLUMN].to_numpy()[twice][0]
        regularize_index(pd.DatetimeIndex(frame.loc[frame[ID_COLUMN] == key, TIME_COLUMN]), f"{source}: data[{key!r}]",
                         long=True)


def _on_grid(frame: pd.DataFrame, offset, freq: str, source: str) -> pd.DataFrame:
    """``frame.asfreq(offset)``, refused where it would drop rows (pandas keeps only the
    timestamps on the new grid: a coarser --freq threw away the rest without a word)."""
    out = frame.asfreq(offset)
    off = ~frame.index.isin(out.index)
    if off.any():
        raise InvalidParameterError(
            f"--freq {freq!r} would drop {int(off.sum())} of the {len(frame)} rows of {source} (the first at "
            f"{frame.index[off][0]}): their timestamps are not on its grid from {frame.index[0]}. --freq fills in "
            "missing steps; it does not aggregate: give the data's own step (or aggregate the file first)."
        )
    return out


def _time_index(data: pd.DataFrame) -> pd.Index:
    """The time steps of the data's first series."""
    if ID_COLUMN in data.columns:
        first = data[ID_COLUMN].iloc[0]
        return pd.Index(data.loc[data[ID_COLUMN] == first, TIME_COLUMN])
    return data.index


def has_timestamps(data: pd.DataFrame) -> bool:
    """Whether the data's time steps are timestamps (not integer steps)."""
    return isinstance(_time_index(data), pd.DatetimeIndex)


def regular_frequency(data: pd.DataFrame, source: str) -> str | None:
    """The frequency of the data's (first series') timestamps; None for integer time or
    timestamps the backtest's checks refuse (duplicated, unsorted). Sorted, unique timestamps
    with no regular step (a day missing from daily data), in any series of a panel, are
    refused here, naming the series and the options that repair them.

    Examples
    --------
    >>> regular_frequency(pd.DataFrame({"y": range(5)}, index=pd.date_range("2024", periods=5, freq="D")), "f.csv")
    'D'
    """
    index = _time_index(data)
    frequency = frequency_of(index)
    series = data[ID_COLUMN].iloc[0] if ID_COLUMN in data.columns else None
    if frequency is None:
        _refuse_irregular(index, source, series)
    elif series is not None:
        for key in _series_off(data, frequency):
            _refuse_irregular(pd.Index(data.loc[data[ID_COLUMN] == key, TIME_COLUMN]), source, key)
    return frequency


def _series_off(data: pd.DataFrame, frequency: str) -> list:
    """The panel's series with a step other than ``frequency`` (the first series'), found
    without a loop over series: a gap, or a frequency of their own (the backtest names that)."""
    times = pd.DatetimeIndex(data[TIME_COLUMN])
    with silenced():  # offsets pandas applies element-wise (business days) warn so
        expected = times[:-1] + pd.tseries.frequencies.to_offset(frequency)
    ids = data[ID_COLUMN].to_numpy()
    off = (ids[1:] == ids[:-1]) & (times[1:] != expected)
    return list(pd.unique(ids[1:][off]))


def _refuse_irregular(index: pd.Index, source: str, series=None) -> None:
    """Refuse sorted, unique timestamps without a regular step, with the --freq of their likely grid."""
    if (not isinstance(index, pd.DatetimeIndex) or len(index) < 3 or frequency_of(index) is not None
            or not index.is_monotonic_increasing or index.has_duplicates):
        return
    gaps = index[1:] - index[:-1]
    steps = pd.Series(gaps).value_counts()
    likely = likely_freq(index)
    # the first step off the likely grid (months' steps differ in days: the usual step misleads there)
    expected = index[:-1] + pd.tseries.frequencies.to_offset(likely) if likely else index[:-1] + steps.index[0]
    off_grid = np.flatnonzero(index[1:] != expected)
    first = int(off_grid[0]) if len(off_grid) else 0
    where = f"{source}, series {series!r}" if series is not None else source
    raise InvalidInputError(
        f"{where}: the timestamps have no regular step (steps seen: {', '.join(str(s) for s in steps.index[:3])}; "
        f"the first irregular one after {index[first]}"
        f"{'' if likely else '; no frequency pandas names has a grid that holds every timestamp'}); pass --freq "
        f"{likely or 'FREQ'} to put them on a regular grid, with --fill ffill or --fill interpolate for the rows it "
        "adds."
    )


def frequency_of(index: pd.Index) -> str | None:
    """The frequency of timestamps as the library reads it (semi-months included, which
    pandas does not infer); None for integer time, fewer than 3 or no regular step."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return None
    try:
        return regularize_index(index).freqstr
    except InvalidInputError:
        return None
