"""The internal panel: many series as one values array plus offsets, built once.

Every input a forecaster accepts (a Series, a DataFrame, a long panel, a dict of
series) becomes a :class:`Panel` here, validated with whole-array operations: one
stable sort by series, then order, duplicates, regularity, dtypes and NaN/inf checked
vectorised. Only when a check fails is the offending series looked at alone, so that
the error names the series, the column and the timestamp exactly as the per-series
checks of :mod:`tsforecast.core.validation` do.

Series ``i`` is ``values[starts[i]:ends[i]]``. A panel cut at cutoffs
(:meth:`Panel.window`) shares ``values`` with its parent: a backtest fold is a view,
and a model given it cannot index past a series' ``end``. A panel built from the
user's data owns its values (a copy where they would be a view of that data): fitted
models keep their training panel, which must not change when the user's data does.

Forecasts leave as one array ``[series, horizon, columns]``; :func:`forecast_output`
turns it into the user's form once.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from ..exceptions import InputTypeError, InsufficientDataError, InvalidInputError, SkippedSeriesWarning, UnknownColumnError
from .forms import ID_COLUMN, SINGLE_SERIES_ID, TIME_COLUMN, InputForm, is_panel, restore_form
from .stack import user_stacklevel
from .offsets import offset_settings
from .timeaxis import TimeAxis, calendar_stamps, fixed_step, time_values
from .timeindex import as_periods, as_timestamps, regularize_index, tz_name
from .validation import _check_finite_frame, _check_numeric_columns, apply_fill, check_choice, check_frame

__all__ = ["Panel", "as_panel", "as_series_dict", "axis_freqs", "data_freqs", "forecast_output"]


# --------------------------------------------------------------------------- panel
@dataclass(eq=False)
class Panel:
    """Series ids, offsets into one values array ``[rows, variables]``, and their time axis.

    Attributes
    ----------
    ids : ndarray
        Series identifiers in the order of their first appearance in the input.
    starts, ends : ndarray of int64
        Series ``i`` is ``values[starts[i]:ends[i]]``.
    values : ndarray of float64, shape (rows, variables)
    columns : list
        The variable names (columns of ``values``).
    time : TimeAxis
        ``time.first[i]`` is the timestamp of ``values[starts[i]]``.
    form : InputForm
        How the user gave the data, to answer in the same form.
    covariates : ndarray of float64, shape (rows, covariates), or None
        Covariates ``X`` aligned row by row with ``values`` (series ``i``'s are
        ``covariates[starts[i]:ends[i]]``; rows outside every series are NaN), set by
        :func:`tsforecast.core.covariates.align_covariates`. Cuts and selections of the
        panel carry them along.
    covariate_columns : list
        Their names.
    """

    ids: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    values: np.ndarray
    columns: list
    time: TimeAxis
    form: InputForm
    covariates: np.ndarray | None = None
    covariate_columns: list = field(default_factory=list)

    @property
    def n_series(self) -> int:
        return len(self.ids)

    @property
    def lengths(self) -> np.ndarray:
        return self.ends - self.starts

    def series(self, i: int) -> np.ndarray:
        """The values of series ``i`` (a view), ``[length, variables]``."""
        return self.values[self.starts[i] : self.ends[i]]

    def select(self, columns: list) -> "Panel":
        """The panel restricted to ``columns`` (a view when they are adjacent, else a copy)."""
        if list(columns) == self.columns:
            return self
        picks = [self.columns.index(c) for c in columns]
        if picks == list(range(picks[0], picks[0] + len(picks))):  # a contiguous block: a view
            return replace(self, values=self.values[:, picks[0] : picks[0] + len(picks)], columns=list(columns))
        return replace(self, values=np.ascontiguousarray(self.values[:, picks]), columns=list(columns))

    def window(self, starts: np.ndarray, ends: np.ndarray, rows: np.ndarray | None = None) -> "Panel":
        """Series ``rows`` cut to positions ``[starts, ends)`` of each (views of ``values``).

        Positions count from each series' first value; the time axis moves with them.
        """
        rows = np.arange(self.n_series) if rows is None else np.asarray(rows)
        base = self.starts[rows]
        starts, ends = np.asarray(starts, dtype=np.int64), np.asarray(ends, dtype=np.int64)
        if np.any(ends > self.lengths[rows]) or np.any(starts < 0) or np.any(ends < starts):
            raise ValueError("a window reaches outside its series")  # internal misuse, never user input
        return replace(self, ids=self.ids[rows], starts=base + starts, ends=base + ends,
                       time=self.time.take(rows, starts))

    def frame(self, i: int) -> pd.DataFrame:
        """Series ``i`` as a DataFrame indexed by its time (for per-series fallbacks)."""
        index = self.time.series_index(i, 0, int(self.lengths[i]))
        return pd.DataFrame(self.series(i), index=index, columns=self.columns, copy=False)

    def to_frames(self) -> dict:
        """``{id: DataFrame}``: the per-series form older code paths read."""
        return {key: self.frame(i) for i, key in enumerate(self.ids.tolist())}

    def nonfinite_series(self) -> np.ndarray:
        """Rows (series numbers) holding a NaN or inf."""
        bad_rows = ~np.isfinite(self.values).all(axis=1)
        if not bad_rows.any():
            return np.empty(0, dtype=np.int64)
        cumulative = np.r_[0, np.cumsum(bad_rows)]
        counts = cumulative[self.ends] - cumulative[self.starts]
        return np.flatnonzero(counts)

    def repaired(self, fill: str | None) -> "Panel":
        """This panel with each series' gaps repaired by ``fill`` from its own rows
        (values copied only when a series has a gap)."""
        if fill is None:
            return self
        broken = self.nonfinite_series()
        if not broken.size:
            return self
        values = self.values.copy()
        for i in broken:
            frame = pd.DataFrame(self.series(i), columns=self.columns)
            values[self.starts[i] : self.ends[i]] = apply_fill(frame, fill, f"data[{self.ids[i]!r}]").to_numpy()
        return replace(self, values=values)


# --------------------------------------------------------------------------- building
def as_panel(
    data,
    name: str = "y",
    *,
    columns=None,
    fill: str | None = None,
    min_length: int = 1,
    on_short: str = "raise",
    keep_missing: bool | str = False,
) -> Panel:
    """Validate a single series, a long panel or a dict, and return it as a :class:`Panel`.

    Parameters
    ----------
    data : Series, DataFrame, ndarray, long panel DataFrame, dict or Panel
        The data as the user gave it (a :class:`Panel` is returned as it is).
    name : str
        The argument's name in error messages (``y['H12']`` for one series of a panel).
    columns : list, optional
        The variables to keep (checked to exist); default all.
    fill : {None, "ffill", "interpolate"}
        How missing values are repaired; ``None`` refuses NaN and inf.
    min_length : int
        The fewest rows a series needs.
    on_short : {"raise", "skip"}
        A panel series shorter than ``min_length`` raises
        :class:`InsufficientDataError`, or is left out with a :class:`SkippedSeriesWarning`.
    keep_missing : bool or "as_given"
        Keep NaN unrepaired (inf becomes NaN), for callers that repair each training
        slice on its own; ``"as_given"`` keeps inf too, for a later check to name it.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"unique_id": ["a", "a", "b", "b", "b"], "ds": [1, 2, 1, 2, 3],
    ...                      "y": [1.0, 2.0, 3.0, 4.0, 5.0]})
    >>> panel = as_panel(long)
    >>> panel.ids.tolist(), panel.lengths.tolist(), panel.time.first.tolist()
    (['a', 'b'], [2, 3], [1, 1])
    """
    check_choice(on_short, "on_short", ("raise", "skip"))
    if isinstance(data, Panel):
        return _long_enough(data, name, min_length, on_short)
    data, period = as_timestamps(data, name)  # PeriodIndex, string ds: timestamps inside, periods outside
    if period is not None:
        panel = as_panel(data, name, columns=columns, fill=fill, min_length=min_length, on_short=on_short,
                         keep_missing=keep_missing)
        return replace(panel, form=replace(panel.form, period=period))
    if not is_panel(data):
        frame = check_frame(data, name, columns=columns, fill=fill, min_length=min_length, keep_missing=keep_missing)
        form = InputForm("series", name=data.name) if isinstance(data, pd.Series) else \
            InputForm("frame" if isinstance(data, pd.DataFrame) else "array")
        return _from_frames({SINGLE_SERIES_ID: frame}, form, name, source=data)
    if isinstance(data, dict):
        return _from_dict(data, name, columns, fill, min_length, on_short, keep_missing)
    return _from_long(data, name, columns, fill, min_length, on_short, keep_missing)


def _from_frames(frames: dict, form: InputForm, name: str, source=None) -> Panel:
    """A panel of already validated frames (one per series, same columns); ``source``:
    the user's data of a single series, which the panel's values must not be a view of."""
    keys = list(frames)
    first_frame = frames[keys[0]]
    lengths = np.array([len(f) for f in frames.values()], dtype=np.int64)
    ends = np.cumsum(lengths)
    if len(keys) > 1:
        values = np.concatenate([f.to_numpy(dtype=np.float64) for f in frames.values()])
    else:
        values = _owned(np.ascontiguousarray(first_frame.to_numpy(dtype=np.float64)), source)
    axis = _axis_of_indexes([f.index for f in frames.values()], name)
    ids = np.empty(len(keys), dtype=object)
    ids[:] = keys
    return Panel(ids, ends - lengths, ends, values, list(first_frame.columns), axis, form)


def _owned(values: np.ndarray, source) -> np.ndarray:
    """``values``, copied where they may share memory with the user's ``source``.

    A fitted model keeps its training panel (conformal intervals on demand calibrate on
    it later): a view of the user's Series would change with it, so a series rescaled in
    place after ``fit`` gave intervals on the new scale around forecasts on the old one.
    ``np.may_share_memory`` (bounds only) may copy where no byte is shared, never the
    reverse; one series is cheap to copy.
    """
    if isinstance(source, pd.Series):
        arrays = [source.to_numpy()]
    elif isinstance(source, pd.DataFrame):
        arrays = [source.iloc[:, i].to_numpy() for i in range(source.shape[1])]
    elif isinstance(source, np.ndarray):
        arrays = [source]
    else:
        arrays = []
    if any(isinstance(a, np.ndarray) and np.may_share_memory(values, a) for a in arrays):
        return values.copy()
    return values


def _axis_of_indexes(indexes: list, name: str) -> TimeAxis:
    index = indexes[0]
    if isinstance(index, pd.DatetimeIndex):
        unit, tz, freq = index.unit, index.tz, index.freq
        if all(isinstance(i, pd.DatetimeIndex) and i.freq == freq and i.unit == unit and i.tz == tz
               and i.name == index.name for i in indexes):
            first = np.array([i.asi8[0] for i in indexes], dtype=np.int64)
            return TimeAxis("datetime", first, fixed_step(freq, unit, tz, index[0]), freq.freqstr, unit, tz_name(tz),
                            index.name, freq_settings=offset_settings(freq, name))
    elif all(isinstance(i, pd.RangeIndex) and i.step == index.step and i.name == index.name for i in indexes):
        first = np.array([i[0] for i in indexes], dtype=np.int64)
        return TimeAxis("integer", first, int(index.step), None, "ns", None, index.name)
    # A dict of series of different time types or frequencies: each keeps its own index.
    return TimeAxis("mixed", np.zeros(len(indexes), dtype=np.int64), 0, indexes=tuple(indexes))


def axis_freqs(axis: TimeAxis) -> str | tuple | None:
    """The frequency of ``axis`` (None: integer time) or, for a dict whose series differ
    (in frequency, time type, resolution or index name), each distinct one in order: what
    :func:`~tsforecast.core.timeindex.season_rule` reads."""
    if axis.kind != "mixed":
        # a keyword offset (DateOffset(months=1)) has no name a season can be read from: the
        # offset itself; a named one with settings ("C" with holidays) reads by its name
        keyword = axis.freq_settings is not None and type(axis.offset) is pd.DateOffset
        return axis.offset if keyword else axis.freq
    return tuple(dict.fromkeys(i.freqstr if isinstance(i, pd.DatetimeIndex) else None for i in axis.indexes))


def data_freqs(panel: Panel) -> str | tuple | None:
    """:func:`axis_freqs` as the user gave them: a period input's own frequency (periods
    of ``W-SUN`` start on Mondays, so their timestamps alone would read ``W-MON``)."""
    period = panel.form.period
    return period if isinstance(period, str) else axis_freqs(panel.time)


def _from_dict(data: dict, name, columns, fill, min_length, on_short, keep_missing) -> Panel:
    form = InputForm("dict", dict_values={k: isinstance(v, pd.Series) for k, v in data.items()})
    if not data:
        raise InsufficientDataError(f"{name} holds no series; got an empty dict.")
    frames = {}
    for key, value in data.items():
        frame = value.to_frame(value.name if value.name is not None else "y") if isinstance(value, pd.Series) \
            else value
        if _too_short(len(frame), key, name, min_length, on_short):
            continue
        frames[key] = check_frame(frame, f"{name}[{key!r}]", columns=columns, fill=fill, min_length=min_length,
                                  keep_missing=keep_missing)
    _none_left(frames, name, min_length)
    wanted = list(next(iter(frames.values())).columns)
    for key, frame in frames.items():
        if list(frame.columns) != wanted:
            raise InvalidInputError(f"{name}[{key!r}] has columns {list(frame.columns)!r}; every series must have "
                                    f"{wanted!r}.")
    return _from_frames(frames, form, name, source=next(iter(data.values())) if len(data) == 1 else None)


def _long_enough(panel: Panel, name: str, min_length: int, on_short: str) -> Panel:
    """An internal panel checked for ``min_length`` as the other forms are (the
    validation itself happened when it was built)."""
    short = np.flatnonzero(panel.lengths < min_length)
    if not short.size:
        return panel
    if on_short == "raise":
        first = int(short[0])
        raise InsufficientDataError(f"{name}[{panel.ids[first]!r}] has {int(panel.lengths[first])} row(s); at least "
                                    f"{min_length} are needed.", too_short="rows", series=panel.ids[first],
                                    rows=int(panel.lengths[first]), needed=min_length)
    for row in short.tolist():
        _too_short(int(panel.lengths[row]), panel.ids[row], name, min_length, on_short)
    keep = np.flatnonzero(panel.lengths >= min_length)
    _none_left(keep, name, min_length)
    return panel.window(np.zeros(keep.size, dtype=np.int64), panel.lengths[keep], keep)


def _too_short(length: int, key, name: str, min_length: int, on_short: str) -> bool:
    if length < min_length and on_short == "skip":
        warnings.warn(f"series {key!r} of {name} has {length} row(s), fewer than {min_length}; it is skipped.",
                      SkippedSeriesWarning, stacklevel=user_stacklevel())
        return True
    return False


def _none_left(kept, name: str, min_length: int) -> None:
    if not len(kept):
        raise InsufficientDataError(f"every series of {name} is shorter than {min_length} rows; none is left.")


def _value_columns(data: pd.DataFrame, columns, name: str) -> list:
    available = [c for c in data.columns if c not in (ID_COLUMN, TIME_COLUMN)]
    if columns is None:
        if not available:
            raise InvalidInputError(f"{name} has no value columns besides {ID_COLUMN!r} and {TIME_COLUMN!r}.")
        return available
    columns = [columns] if isinstance(columns, (str, int)) else list(columns)
    missing = [c for c in columns if c not in available]
    if missing:
        raise UnknownColumnError(f"columns names column(s) {missing!r} that are not in the data; "
                                 f"available columns: {available!r}.")
    return columns


def _from_long(data: pd.DataFrame, name, columns, fill, min_length, on_short, keep_missing) -> Panel:
    form = InputForm("panel")
    if len(data) == 0:
        raise InsufficientDataError(f"{name} holds no series; got an empty panel.")
    ids = data[ID_COLUMN]
    if ids.isna().any():  # factorize would give these rows the code -1
        rows = data.index[ids.isna()][:5].tolist()
        raise InvalidInputError(f"panel has rows without a {ID_COLUMN} (missing value) at index {rows!r}.")
    value_columns = _value_columns(data, columns, name)
    _check_numeric_columns(data[value_columns], name)
    codes, uniques = pd.factorize(ids, sort=False)
    _release_arrow_memory(ids)
    counts = np.bincount(codes, minlength=len(uniques)).astype(np.int64)
    # Rows already grouped by series (the usual long frame) need no sort: the order is
    # the identity and no copy of the rows is made for it.
    grouped = bool((codes[1:] >= codes[:-1]).all())
    order = slice(None) if grouped else np.argsort(codes, kind="stable")
    keep = np.ones(len(uniques), dtype=bool)
    for i in np.flatnonzero(counts < min_length):
        keep[i] = not _too_short(int(counts[i]), uniques[i], name, min_length, on_short)
        if keep[i]:
            raise InsufficientDataError(f"{name}[{uniques[i]!r}] has {counts[i]} row(s); at least {min_length} "
                                        "are needed.", too_short="rows", series=uniques[i], rows=int(counts[i]),
                                        needed=min_length)
    _none_left(np.flatnonzero(keep), name, min_length)
    if not keep.all():
        order = np.flatnonzero(keep[codes]) if grouped else order[keep[codes[order]]]
        counts = counts[keep]
        uniques = uniques[keep]
    del codes  # one int64 per row: not needed past here
    ends = np.cumsum(counts)
    starts = ends - counts
    stamps, axis_info = _stamps(data[TIME_COLUMN], order)
    source = _SeriesSource(data, order, starts, ends, uniques, value_columns, name)
    axis = _check_time(stamps, starts, ends, axis_info, source)
    if grouped and isinstance(order, slice):  # the panel owns its values: a copy, never a view of data
        values = data[value_columns].to_numpy(dtype=np.float64, copy=True)
    else:
        values = data[value_columns].to_numpy(dtype=np.float64)[order]
    values = _check_values(values, starts, ends, source, fill, keep_missing)
    ids = np.asarray(uniques, dtype=object) if not isinstance(uniques, np.ndarray) else uniques.astype(object)
    return Panel(ids, starts, ends, values, value_columns, axis, form)


def _release_arrow_memory(column: pd.Series) -> None:
    """Hand the memory pyarrow kept after encoding an Arrow-backed id column back to the
    system: its pool keeps freed blocks, which for a long panel is a few hundred MB
    held for nothing after the panel is built."""
    if "pyarrow" in str(getattr(column.dtype, "storage", "")) or "pyarrow" in str(column.dtype):
        import pyarrow

        pyarrow.default_memory_pool().release_unused()


@dataclass
class _SeriesSource:
    """The original rows of each series, to rebuild one series' frame when it fails a
    check (the per-series checks then give their exact messages)."""

    data: pd.DataFrame
    order: np.ndarray | slice  # rows of each series in data, or slice(None): data's own order
    starts: np.ndarray
    ends: np.ndarray
    ids: object
    columns: list
    name: str

    def label(self, i: int) -> str:
        return f"{self.name}[{self.ids[i]!r}]"

    def frame(self, i: int) -> pd.DataFrame:
        span = slice(self.starts[i], self.ends[i])
        rows = self.data.iloc[span if isinstance(self.order, slice) else self.order[span]]
        return rows.set_index(TIME_COLUMN)[self.columns]


def _stamps(ds: pd.Series, order: np.ndarray) -> tuple[np.ndarray, dict]:
    dtype = ds.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_dtype(dtype):
        if ds.isna().any():
            return np.empty(0), {"kind": "bad"}
        array = ds.array
        return array.asi8[order], {"kind": "datetime", "unit": array.unit, "tz": getattr(dtype, "tz", None)}
    if pd.api.types.is_integer_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return ds.to_numpy(dtype=np.int64)[order], {"kind": "integer"}
    return np.empty(0), {"kind": "bad"}


def _fail_series(source: _SeriesSource, i: int):
    """Run the per-series checks on series ``i``, which failed a vectorised one."""
    frame = source.frame(i)
    regularize_index(frame.index, source.label(i), long=True)


def _time_kind(index: pd.Index) -> str | None:
    """What a series' time values are on their own ("timestamps in UTC", "integer time"),
    or None when they are no time at all (strings, floats, NaT, mixed zones)."""
    alone = pd.Index(index.tolist())
    if isinstance(alone, pd.DatetimeIndex) and not alone.hasnans:
        return f"timestamps in {alone.tz}" if alone.tz is not None else "timestamps without a time zone"
    if pd.api.types.is_integer_dtype(alone.dtype) and not pd.api.types.is_bool_dtype(alone.dtype):
        return "integer time"
    return None


def _fail_mixed_time(source: _SeriesSource, n_series: int):
    """Raise for a ``ds`` column that is no one kind of time: the first series whose
    values are no time on their own (its own check names them), else the first series
    whose kind differs from the first series' kind."""
    kinds = [_time_kind(source.frame(i).index) for i in range(n_series)]
    for i, kind in enumerate(kinds):
        if kind is None:
            _fail_series(source, i)
    other = next((i for i, kind in enumerate(kinds) if kind != kinds[0]), None)
    if other is None:  # pragma: no cover - a column of one time kind is never "bad"
        raise InputTypeError(f"{source.name}[{TIME_COLUMN!r}] must hold timestamps or integer time.")
    raise InputTypeError(
        f"{source.name}[{TIME_COLUMN!r}] must hold one kind of time for every series; {source.label(0)} has "
        f"{kinds[0]} but {source.label(other)} has {kinds[other]} (convert the column first, for example "
        f"pd.to_datetime(..., utc=True))."
    )


def _check_time(stamps, starts, ends, info: dict, source: _SeriesSource) -> TimeAxis:
    if info["kind"] == "bad":  # NaT, strings, floats, mixed zones: blame the series that holds them
        _fail_mixed_time(source, len(starts))
    diffs = np.diff(stamps)
    inner = np.ones(diffs.size, dtype=bool)
    inner[(ends[:-1] - 1)] = False  # no step across two series
    bad = inner & (diffs <= 0)
    if bad.any():  # unsorted or duplicated: the series' own check names the timestamps
        _fail_series(source, _series_of_row(int(np.argmax(bad)), ends))
    # The longest series tells the frequency: a short one may read as another (Monday to
    # Thursday of business-day data as daily, two month ends as business month ends).
    reference = int(np.argmax(ends - starts))
    if ends[reference] - starts[reference] < 2:  # one-row series only: the per-series check says no step is known
        _fail_series(source, 0)
    ref_index = regularize_index(source.frame(reference).index, source.label(reference), long=True)
    if info["kind"] == "integer":
        step = int(ref_index.step)
        freq, unit, tz = None, "ns", None
    else:
        freq, unit, tz = ref_index.freq, info["unit"], info["tz"]
        step = fixed_step(freq, unit, tz, ref_index[0])
    if step:
        irregular = inner & (diffs != step)
        if irregular.any():
            _mismatch(source, _series_of_row(int(np.argmax(irregular)), ends), ref_index, reference)
    else:  # calendar frequency (months, business days): positions on its grid
        for i in _off_calendar(stamps, starts, ends, inner, freq, unit, tz):
            if ends[i] - starts[i] >= 2 and not _steps_by(source.frame(i).index, freq):
                _mismatch(source, i, ref_index, reference)
    # A long frame's frequency is inferred (or given by name): its name is all of it.
    return TimeAxis(info["kind"], np.ascontiguousarray(stamps[starts]), step, freq.freqstr if freq is not None else None,
                    unit, tz_name(tz), TIME_COLUMN)


def _off_calendar(stamps, starts, ends, inner, freq, unit: str, tz):
    """The series to check on their own for consecutive steps of the calendar ``freq``:
    the first of two or more rows that is off its grid (none where every one is on it;
    every series where the grid would be too long to build). One grid over the panel's
    span and one search, not a date_range per series: 20,000 business-day series took
    15 s that way."""
    if stamps.size == 0:
        return []
    first, last = int(stamps.min()), int(stamps.max())
    shortest = np.diff(stamps)[inner]
    shortest = int(shortest.min()) if shortest.size else last - first
    if shortest <= 0 or (last - first) // shortest > 50 * stamps.size + 100_000:
        return range(len(starts))
    ends_at = pd.DatetimeIndex(np.array([first, last]).astype(f"datetime64[{unit}]"))
    if tz is not None:
        ends_at = ends_at.tz_localize("UTC").tz_convert(tz)
    grid = pd.date_range(ends_at[0], ends_at[1], freq=freq).as_unit(unit).asi8
    position = np.searchsorted(grid, stamps)
    on_grid = grid[np.minimum(position, grid.size - 1)] == stamps
    counted = np.repeat(ends - starts >= 2, ends - starts)
    bad_rows = counted & ~on_grid
    bad_steps = inner & counted[1:] & (np.diff(position) != 1)
    rows = [int(np.argmax(bad)) + shift for bad, shift in ((bad_rows, 0), (bad_steps, 1)) if bad.any()]
    return [_series_of_row(min(rows), ends)] if rows else []


def _steps_by(index: pd.DatetimeIndex, freq) -> bool:
    """Whether ``index`` is consecutive steps of ``freq`` from its first timestamp."""
    return bool(freq.is_on_offset(index[0])) and index.equals(pd.date_range(index[0], periods=len(index), freq=freq))


def _series_of_row(position: int, ends: np.ndarray) -> int:
    return int(np.searchsorted(ends, position, side="right"))


def _mismatch(source: _SeriesSource, i: int, ref_index: pd.Index, reference: int):
    own = regularize_index(source.frame(i).index, source.label(i), long=True)  # raises when irregular
    shown = getattr(own, "freqstr", None) or f"step {own.step}"
    expected = getattr(ref_index, "freqstr", None) or f"step {ref_index.step}"
    raise InvalidInputError(f"{source.label(i)} has frequency {shown}; every series of a panel must share one "
                            f"({source.label(reference)} has {expected}).")


def _check_values(values, starts, ends, source: _SeriesSource, fill, keep_missing) -> np.ndarray:
    finite = np.isfinite(values).all(axis=1)
    if finite.all():
        return values
    cumulative = np.r_[0, np.cumsum(~finite)]
    broken = np.flatnonzero(cumulative[ends] - cumulative[starts])
    if keep_missing:
        if keep_missing != "as_given":
            values[~np.isfinite(values)] = np.nan
        return values
    if fill is None:  # the per-series check names the column and the timestamp
        frame = source.frame(int(broken[0]))
        _check_finite_frame(frame.astype(np.float64), source.label(int(broken[0])))
    for i in broken:
        frame = apply_fill(source.frame(int(i)).astype(np.float64), fill, source.label(int(i)))
        _check_finite_frame(frame, source.label(int(i)))
        values[starts[i] : ends[i]] = frame.to_numpy()
    return values


# --------------------------------------------------------------------------- output
def forecast_output(values: np.ndarray, columns: list, ids: np.ndarray, time: TimeAxis, start: np.ndarray,
                    form: InputForm):
    """Forecasts ``[series, horizon, columns]`` in the user's form, built once.

    ``start[i]`` is the position (steps after ``time.first[i]``) of series ``i``'s first
    forecast step.
    """
    n_series, horizon = values.shape[:2]
    values = np.asarray(values, dtype=np.float64).reshape(n_series, horizon, -1)
    if form.kind == "panel":
        positions = start[:, None] + np.arange(horizon)[None, :]
        stamps = time.at(positions) if time.step else calendar_stamps(
            time, np.repeat(np.arange(n_series), horizon), positions.ravel()).reshape(positions.shape)
        frame = pd.DataFrame(values.reshape(n_series * horizon, -1), columns=list(columns))
        frame.insert(0, TIME_COLUMN, time_values(time, stamps.ravel()))
        frame.insert(0, ID_COLUMN, np.repeat(ids, horizon))
        return as_periods(frame, form.period)
    frames = {key: pd.DataFrame(values[i], index=time.series_index(i, int(start[i]), horizon), columns=list(columns))
              for i, key in enumerate(ids.tolist())}
    return restore_form(frames, form)


def as_series_dict(data, name: str = "y", **options) -> tuple[dict[object, pd.DataFrame], InputForm]:
    """:func:`as_panel` (same arguments, same checks) answered as ``{id: frame}`` and the
    input's form, for the per-series code paths."""
    panel = as_panel(data, name, **options)
    return panel.to_frames(), panel.form
