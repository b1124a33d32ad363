"""Sliding windows over time series, as zero-copy views.

:func:`make_windows` cuts a series (or every series of a panel) into supervised
samples: ``X`` of shape ``(samples, n_steps_in, n_features)`` holds the input rows and
``y`` of shape ``(samples, n_steps_out, n_targets)`` the rows that follow them.
:class:`SlidingWindowTransformer` is the same as a scikit-learn transformer.

Memory
------
For one numeric ndarray, Series or DataFrame, ``X`` and ``y`` are **read-only views**
of the input built with :func:`numpy.lib.stride_tricks.sliding_window_view`: no value
is copied, whatever the input's length (``np.shares_memory(X, data)`` holds). For a
DataFrame this holds when pandas can hand out its values without a copy, that is when
every column has the same numeric dtype and pandas holds them in one block (a column
added after the frame was built makes a second block); otherwise the frame is copied
once into one array by :meth:`pandas.DataFrame.to_numpy`. ``y`` is a view when the target
columns are evenly spaced (one column, a contiguous range, or every k-th column);
otherwise only the target columns are copied once (``n_rows x n_targets`` values) and
``y`` is a view of that copy. A panel is always copied: it is validated at once into
one float64 array, and the windows of all its series are gathered from it in one copy
(``n_steps_in`` times the panel's size: windows of several series are no one strided view).

Because the windows overlap, writing into them is refused (they are read-only);
``np.ascontiguousarray(X)`` makes a private copy, ``n_steps_in`` times the input's
size, which is what a training loop should avoid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    ShapeMismatchError,
    UnknownColumnError,
)
from .forms import ID_COLUMN, TIME_COLUMN, is_panel
from .panel import Panel, as_panel
from .timeaxis import calendar_stamps
from .params import Integer, Unchecked, validate_params
from .timeindex import regularize_index
from .validation import _check_numeric_columns, check_bool, check_int

__all__ = ["Windows", "make_windows", "SlidingWindowTransformer"]

# Rows scanned at a time when locating a NaN/inf, so the scan's scratch memory stays small.
_FINITE_CHUNK_ROWS = 65_536


class Windows(NamedTuple):
    """What :func:`make_windows` returns; unpacks as ``X, y, origins``.

    Attributes
    ----------
    X : numpy.ndarray
        ``(samples, n_steps_in, n_features)`` input windows.
    y : numpy.ndarray
        ``(samples, n_steps_out, n_targets)`` target windows.
    origins : pandas.Index or pandas.MultiIndex
        The time of the first target step of each sample: the input's index values
        for a Series or DataFrame, integer row positions (a :class:`~pandas.RangeIndex`,
        which takes no memory) for an ndarray, and for a panel a
        :class:`~pandas.MultiIndex` with levels ``unique_id`` and ``ds`` that also says
        which series each sample comes from.
    """

    X: np.ndarray
    y: np.ndarray
    origins: pd.Index


@dataclass(frozen=True)
class _Prepared:
    """Validated data: one ``(series id, values, index)`` part per series."""

    parts: list  # [(key, 2-D values of shape (rows, features), pandas.Index or None)]
    columns: list
    kind: str  # "array", "series", "frame" or "panel"
    panel: Panel | None = None  # the validated panel ("panel" kind)

    @property
    def freq(self):
        if self.panel is None:
            index = self.parts[0][2]
        else:
            axis = self.panel.time
            if axis.kind == "datetime":
                return axis.offset
            index = axis.indexes[0] if axis.kind == "mixed" else None
        return getattr(index, "freq", None) if isinstance(index, pd.DatetimeIndex) else None


# ---------------------------------------------------------------------------- checks


def _check_finite_fast(values: np.ndarray, name: str) -> None:
    """Raise if ``values`` holds NaN or inf, without allocating an array of its size.

    One summation decides the common case: a NaN or inf anywhere makes the IEEE sum
    NaN or inf. Only when the sum is not finite (a bad value, or an overflow of large
    finite values) are the rows scanned chunk by chunk to find the culprit.
    """
    if values.dtype.kind != "f" or values.size == 0:
        return
    with np.errstate(over="ignore", invalid="ignore"):  # overflow is handled by the scan below
        total = np.add.reduce(values, axis=None)
    if np.isfinite(total):
        return
    for start in range(0, len(values), _FINITE_CHUNK_ROWS):
        finite = np.isfinite(values[start : start + _FINITE_CHUNK_ROWS])
        if not finite.all():
            row, column = np.unravel_index(int(np.argmin(finite)), finite.shape)
            row, column = start + int(row), int(column)
            raise InvalidInputError(
                f"{name} contains a non-finite value (NaN or inf), the first {float(values[row, column])!r} "
                f"at row {row}, column {column}; remove or repair non-finite values first."
            )


def _array_values(data: np.ndarray, name: str) -> np.ndarray:
    if isinstance(data, np.ma.MaskedArray):  # its mask would be dropped by the views, and NaN under it unseen
        raise InputTypeError(
            f"{name} is a masked array ({int(np.ma.count_masked(data))} masked value(s)); windows are views of plain "
            "arrays: give data.filled(np.nan) and repair the gaps, or drop the masked rows."
        )
    if data.dtype.kind == "b":
        raise InputTypeError(f"{name} must be numeric; got an array of dtype bool.")
    if data.dtype.kind not in "iuf":
        raise InputTypeError(
            f"{name} must be a numeric array; got dtype {data.dtype} "
            f"(for example {data.ravel()[:3].tolist()!r})."
        )
    if data.ndim not in (1, 2):
        raise ShapeMismatchError(
            f"{name} must be 1-D (one series) or 2-D (time x features); got an array of shape "
            f"{data.shape} ({data.ndim} dimensions)."
        )
    if len(data) == 0:
        raise InsufficientDataError(f"{name} is empty; got an array of shape {data.shape}.")
    if data.ndim == 2 and data.shape[1] == 0:
        raise InvalidInputError(f"{name} has no columns; got an array of shape {data.shape}.")
    # A 1-D array becomes one column; reshape of a 1-D array is always a view.
    return data[:, np.newaxis] if data.ndim == 1 else data


def _frame_values(frame: pd.DataFrame, name: str) -> np.ndarray:
    if frame.shape[1] == 0:
        raise InvalidInputError(f"{name} has no columns; got a frame of shape {frame.shape}.")
    _check_numeric_columns(frame, name)
    # One numeric dtype: pandas returns a (read-only) view of its block, no copy.
    values = frame.to_numpy()
    if values.dtype.kind not in "iuf":  # nullable extension dtypes: pd.NA becomes NaN
        values = frame.to_numpy(dtype=np.float64, na_value=np.nan)
    return values


def _prepare_single(data, name: str, check_values: bool) -> _Prepared:
    if isinstance(data, pd.Series):
        frame, kind = data.to_frame(), "series"
        columns = [data.name]
    elif isinstance(data, pd.DataFrame):
        frame, kind = data, "frame"
        columns = list(data.columns)
    else:
        if not isinstance(data, np.ndarray):
            if not isinstance(data, (list, tuple)):
                raise InputTypeError(
                    f"{name} must be an ndarray, a pandas Series or DataFrame, or a panel "
                    f"(long DataFrame with {ID_COLUMN!r} and {TIME_COLUMN!r}, or dict); got "
                    f"{type(data).__name__}."
                )
            try:
                data = np.asarray(data)
            except ValueError as error:  # ragged nested lists
                raise InputTypeError(f"{name} must be a rectangular numeric array; {error}") from None
        values = _array_values(data, name)
        if check_values:
            _check_finite_fast(values, name)
        return _Prepared([(None, values, None)], list(range(values.shape[1])), "array")
    values = _frame_values(frame, name)
    index = regularize_index(frame.index, name)
    if check_values:
        _check_finite_fast(values, name)
    return _Prepared([(None, values, index)], columns, kind)


def _prepare_panel(data, name: str) -> _Prepared:
    panel = as_panel(data, name)  # one float64 array, checked at once
    if panel.time.kind == "mixed":
        freqs = {str(getattr(index, "freq", None)) for index in panel.time.indexes}
        if len(freqs) > 1:
            raise InvalidInputError(
                f"the series of {name} have different frequencies {sorted(freqs)}; "
                "a panel must have one frequency."
            )
    parts = [(key, panel.series(i), None) for i, key in enumerate(panel.ids.tolist())]
    return _Prepared(parts, list(panel.columns), "panel", panel)


def _prepare(data, name: str = "data", *, check_values: bool = True) -> _Prepared:
    if is_panel(data):
        return _prepare_panel(data, name)
    return _prepare_single(data, name, check_values)


def _resolve_targets(targets, columns: list, by_position: bool) -> np.ndarray:
    """Positions of the target columns; all columns when ``targets`` is None."""
    if targets is None:
        return np.arange(len(columns))
    if isinstance(targets, (str, int, np.integer)) or not isinstance(targets, (list, tuple, np.ndarray, pd.Index)):
        targets = [targets]
    targets = list(targets)
    if not targets:
        raise InvalidParameterError("targets must name at least one column; got an empty list.")
    # by value, NumPy scalars as the Python values they equal (np.int64(1) is 1; a repr differs)
    plain = [t.item() if isinstance(t, np.generic) else t for t in targets]
    if any(t in plain[:i] for i, t in enumerate(plain)):
        raise InvalidParameterError(f"targets must not repeat a column; got {targets!r}.")
    if by_position:
        bad = [t for t in targets if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer))
               or not 0 <= t < len(columns)]
        if bad:
            raise UnknownColumnError(
                f"targets must be integer column positions in [0, {len(columns)}) for an array input; "
                f"got {bad!r} (the array has {len(columns)} column(s))."
            )
        return np.asarray(targets, dtype=np.intp)
    missing = [t for t in targets if t not in columns]
    if missing:
        raise UnknownColumnError(
            f"targets names column(s) {missing!r} that are not in the data; available columns: {columns!r}."
        )
    repeated = [t for t in targets if columns.count(t) > 1]
    if repeated:  # list.index would take the first of them without a word
        raise InvalidInputError(f"targets names {repeated!r}, a name more than one column of the data has; "
                                f"its columns: {columns!r}. Rename them so that each name is one column.")
    return np.asarray([columns.index(t) for t in targets], dtype=np.intp)


def _check_window_params(n_steps_in, n_steps_out, stride) -> tuple[int, int, int]:
    return (
        check_int(n_steps_in, "n_steps_in", minimum=1),
        check_int(n_steps_out, "n_steps_out", minimum=1),
        check_int(stride, "stride", minimum=1),
    )


def _check_length(length: int, name: str, key, n_steps_in: int, n_steps_out: int | None = None) -> None:
    needed = n_steps_in + (n_steps_out or 0)
    if length >= needed:
        return
    label = name if key is None else f"{name}[{key!r}]"
    what = f"n_steps_in={n_steps_in}"
    if n_steps_out is not None:
        what = f"n_steps_in + n_steps_out = {n_steps_in} + {n_steps_out} = {needed}"
    raise InsufficientDataError(f"{label} has {length} row(s); {what} row(s) are needed for one window.",
                                too_short="window", series=key, rows=length, needed=needed)


# ---------------------------------------------------------------------------- views


def _column_selector(positions: np.ndarray, n_columns: int) -> slice | np.ndarray:
    """A slice (so the selection stays a view) when ``positions`` are evenly spaced."""
    if len(positions) == 1:
        return slice(int(positions[0]), int(positions[0]) + 1)
    steps = np.diff(positions)
    if (steps == steps[0]).all() and steps[0] != 0:
        stop = int(positions[-1] + steps[0])
        return slice(int(positions[0]), None if stop < 0 else stop, int(steps[0]))
    return positions  # fancy indexing: a copy of the target columns only


def cut_windows(values: np.ndarray, length: int, starts) -> np.ndarray:
    """The windows of ``length`` rows of ``values`` that start at rows ``starts``:
    ``(windows, length, columns)``.

    The one window cutter of the package. ``starts`` as a slice gives a read-only
    view of ``values`` (no value copied); as an array of row numbers (windows of many
    series of one panel array, never across two when the caller keeps each start at
    most ``length`` rows before its series' end) one gather.

    Examples
    --------
    >>> cut_windows(np.arange(6.0)[:, None], 3, slice(0, None, 2))[:, :, 0].tolist()
    [[0.0, 1.0, 2.0], [2.0, 3.0, 4.0]]
    """
    # sliding_window_view puts the window axis last; transposing keeps it a view.
    return sliding_window_view(values, length, axis=0)[starts].transpose(0, 2, 1)


def gather_windows(values: np.ndarray, length: int, starts: np.ndarray) -> np.ndarray:
    """The windows of ``length`` rows of ``values`` starting at rows ``starts``, copied
    in one gather into a C-contiguous ``(windows, length, columns)`` array: a window's
    rows are ``length * columns`` consecutive values of the row-major array, so they
    are :func:`cut_windows` of its flattened values."""
    columns = values.shape[1]
    flat = np.ascontiguousarray(values).reshape(-1, 1)
    return cut_windows(flat, length * columns, np.asarray(starts) * columns)[:, :, 0].reshape(-1, length, columns)


def _strided(values: np.ndarray, length: int, count: int, stride: int) -> np.ndarray:
    """``count`` read-only windows of ``length`` rows, ``stride`` rows apart: (count, length, columns)."""
    return cut_windows(values[: (count - 1) * stride + length], length, slice(None, None, stride))


def _pair_views(values, n_steps_in, n_steps_out, stride, positions):
    count = (len(values) - n_steps_in - n_steps_out) // stride + 1
    X = _strided(values, n_steps_in, count, stride)
    targets = values[n_steps_in:, _column_selector(positions, values.shape[1])]
    y = _strided(targets, n_steps_out, count, stride)
    return X, y, count


def _input_views(values, n_steps_in, stride):
    # Anchored at the end, so the last window is the latest n_steps_in rows.
    count = (len(values) - n_steps_in) // stride + 1
    offset = (len(values) - n_steps_in) % stride
    return _strided(values[offset:], n_steps_in, count, stride)


def _single_origins(index, start: int, count: int, stride: int) -> pd.Index:
    if index is None:
        return pd.RangeIndex(start, start + count * stride, stride)
    return index[start : start + (count - 1) * stride + 1 : stride]


def _concat(arrays: list[np.ndarray]) -> np.ndarray:
    if len(arrays) == 1:
        return arrays[0]
    out = np.concatenate(arrays)
    out.flags.writeable = False
    return out


def _panel_origins(panel: Panel, series: np.ndarray, positions: np.ndarray) -> pd.MultiIndex:
    """``(unique_id, ds)`` of (series, position) pairs, from the time axis at once."""
    ids = pd.Index(panel.ids.tolist(), dtype=object)[series]
    axis = panel.time
    if axis.kind == "mixed":  # each series its own index
        times = [axis.indexes[row][int(axis.first[row]) + positions[series == row]] for row in range(panel.n_series)]
        times = times[0].append(times[1:]) if len(times) > 1 else times[0]
    else:
        stamps = axis.at(positions, series) if axis.step else calendar_stamps(axis, series, positions)
        times = axis.to_index(stamps)
    return pd.MultiIndex.from_arrays([ids, times], names=[ID_COLUMN, TIME_COLUMN])


def _panel_windows(panel: Panel, n_steps_in, n_steps_out, stride, positions, name: str) -> Windows:
    """The windows of every series of ``panel`` (never across two), in the order of the
    series, gathered at once."""
    lengths = panel.lengths
    for i in np.flatnonzero(lengths < n_steps_in + n_steps_out)[:1].tolist():
        _check_length(int(lengths[i]), name, panel.ids[i], n_steps_in, n_steps_out)
    counts = (lengths - n_steps_in - n_steps_out) // stride + 1
    series = np.repeat(np.arange(panel.n_series), counts)
    offset = stride * (np.arange(series.size) - np.repeat(np.cumsum(counts) - counts, counts))
    starts = panel.starts[series] + offset
    X = gather_windows(panel.values, n_steps_in, starts)
    y = gather_windows(panel.values[:, _column_selector(positions, panel.values.shape[1])], n_steps_out,
                       starts + n_steps_in)
    X.flags.writeable = y.flags.writeable = False
    return Windows(X, y, _panel_origins(panel, series, offset + n_steps_in))


def _windows(prep: _Prepared, n_steps_in, n_steps_out, stride, positions, name: str) -> Windows:
    if prep.kind == "panel":
        return _panel_windows(prep.panel, n_steps_in, n_steps_out, stride, positions, name)
    (key, values, index), = prep.parts
    _check_length(len(values), name, key, n_steps_in, n_steps_out)
    X, y, count = _pair_views(values, n_steps_in, n_steps_out, stride, positions)
    return Windows(X, y, _single_origins(index, n_steps_in, count, stride))


def make_windows(
    data,
    n_steps_in: int,
    n_steps_out: int = 1,
    *,
    targets=None,
    stride: int = 1,
    check_finite: bool = True,
) -> Windows:
    """Cut ``data`` into supervised windows: inputs ``X``, targets ``y`` and origins.

    Sample ``i`` uses the input rows ``[i*stride, i*stride + n_steps_in)`` (all
    features) and targets the next ``n_steps_out`` rows of the target columns. Only
    complete windows are returned: ``(n_rows - n_steps_in - n_steps_out) // stride + 1``
    samples per series. For a panel, windows are built per series (never across two
    series) and concatenated in the order of the series.

    Parameters
    ----------
    data : ndarray, pandas.Series, pandas.DataFrame, panel DataFrame or dict
        A 1-D array (one series) or 2-D array ``(time, features)``; a Series or
        DataFrame with a regular DatetimeIndex or integer index; or a panel (long
        DataFrame with ``unique_id``, ``ds`` and value columns, or a dict
        ``{series_id: Series or DataFrame}``).
    n_steps_in : int
        Input window length, ``>= 1``.
    n_steps_out : int, default 1
        Number of future steps to predict, ``>= 1`` (for input windows alone use
        :meth:`SlidingWindowTransformer.transform`).
    targets : label, int or list, optional
        Target columns: column labels for pandas input and panels, integer positions
        for arrays. All columns by default.
    stride : int, default 1
        Rows between the starts of consecutive samples, ``>= 1``.
    check_finite : bool, default True
        Scan the values for NaN and inf. The scan reads the whole input once (no
        copy, but time linear in its size); pass False to skip it for data known to
        be clean, so that windowing costs constant time. Panels are always checked.

    Returns
    -------
    Windows
        A named tuple ``(X, y, origins)``. ``X`` and ``y`` are read-only views of
        ``data`` for a single numeric series (see the module notes for when a copy is
        made). ``origins`` holds the time of the first target step of each sample: a
        slice of the input's index for pandas input, a RangeIndex of row positions for
        arrays, and for panels a MultiIndex ``(unique_id, ds)``.

    Raises
    ------
    InvalidParameterError, InputTypeError
        An argument is out of range or of the wrong type.
    ShapeMismatchError
        ``data`` has 3 or more dimensions.
    InputTypeError
        ``data`` is not numeric (bool, strings, objects).
    InvalidInputError
        NaN or inf values; an unsorted, duplicated or irregular time index.
    UnknownColumnError
        A target is not a column of ``data``.
    InsufficientDataError
        A series is shorter than ``n_steps_in + n_steps_out``.

    Examples
    --------
    >>> import numpy as np
    >>> X, y, origins = make_windows(np.arange(10.0), n_steps_in=3, n_steps_out=2)
    >>> X.shape, y.shape
    ((6, 3, 1), (6, 2, 1))
    >>> X[0, :, 0].tolist(), y[0, :, 0].tolist(), origins[0]
    ([0.0, 1.0, 2.0], [3.0, 4.0], 3)
    >>> np.shares_memory(X, y), X.flags.writeable
    (True, False)
    """
    n_steps_in, n_steps_out, stride = _check_window_params(n_steps_in, n_steps_out, stride)
    check_bool(check_finite, "check_finite")
    prep = _prepare(data, "data", check_values=check_finite)
    positions = _resolve_targets(targets, prep.columns, by_position=prep.kind == "array")
    return _windows(prep, n_steps_in, n_steps_out, stride, positions, "data")


# ---------------------------------------------------------------------------- transformer


def _has_string_names(columns: list) -> bool:
    return bool(columns) and all(isinstance(c, str) for c in columns)


class SlidingWindowTransformer(TransformerMixin, BaseEstimator):
    """Turn a series or panel into sliding windows (a scikit-learn transformer).

    Parameters
    ----------
    n_steps_in : int
        Input window length, ``>= 1``.
    n_steps_out : int, default 1
        Target steps per sample in :meth:`transform_xy`, ``>= 1``.
    targets : label, int or list, optional
        Target columns (labels for pandas input, positions for arrays); all by default.
    stride : int, default 1
        Rows between consecutive windows, ``>= 1``.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns seen in :meth:`fit`.
    feature_names_in_ : ndarray of str
        Column names seen in :meth:`fit`; only set when they are all strings.
    columns_ : list
        Column labels seen in fit (positions for arrays).
    target_positions_ : ndarray of int
        Positions of the target columns.
    freq_ : pandas.DateOffset or None
        Frequency of the DatetimeIndex seen in fit; None for integer time and arrays.

    Notes
    -----
    :meth:`transform` returns every complete *input* window, aligned to end at the
    last row, so its last window is the input for forecasting the future. With
    ``stride > 1`` the first window therefore starts at row
    ``(n_rows - n_steps_in) % stride``. :meth:`transform_xy` returns the training
    pairs of :func:`make_windows`, which start at row 0. The outputs are read-only
    views (see :mod:`tsforecast.core.windowing`); panels are concatenated.

    Examples
    --------
    >>> import numpy as np
    >>> windows = SlidingWindowTransformer(n_steps_in=4, n_steps_out=2)
    >>> windows.fit_transform(np.arange(10.0)).shape
    (7, 4, 1)
    >>> X, y = windows.transform_xy(np.arange(10.0))
    >>> X.shape, y.shape
    ((5, 4, 1), (5, 2, 1))
    """

    _parameter_constraints = {
        "n_steps_in": Integer(minimum=1),
        "n_steps_out": Integer(minimum=1),
        "targets": Unchecked("column labels or positions: resolved against the data's columns in fit"),
        "stride": Integer(minimum=1),
    }

    def __init__(self, n_steps_in: int, n_steps_out: int = 1, *, targets=None, stride: int = 1):
        self.n_steps_in = n_steps_in
        self.n_steps_out = n_steps_out
        self.targets = targets
        self.stride = stride

    def fit(self, X, y=None):
        """Learn the columns, target positions and frequency of ``X``.

        Parameters
        ----------
        X : ndarray, Series, DataFrame, panel DataFrame or dict
            The data that will be windowed.
        y : None
            Ignored; present for scikit-learn pipelines.

        Returns
        -------
        self
        """
        validate_params(self)
        prep = _prepare(X, "X")
        self.target_positions_ = _resolve_targets(self.targets, prep.columns, by_position=prep.kind == "array")
        self.columns_ = list(prep.columns)
        self.n_features_in_ = len(prep.columns)
        if _has_string_names(prep.columns):
            self.feature_names_in_ = np.asarray(prep.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        self.freq_ = prep.freq
        return self

    def _check_data(self, X) -> _Prepared:
        check_is_fitted(self)
        validate_params(self)  # set_params after fit (stride=0 divided by zero here)
        prep = _prepare(X, "X")
        if len(prep.columns) != self.n_features_in_:
            raise ShapeMismatchError(
                f"X has {len(prep.columns)} feature(s); {type(self).__name__} was fitted with "
                f"{self.n_features_in_} ({self.columns_!r})."
            )
        if hasattr(self, "feature_names_in_") and _has_string_names(prep.columns):
            if list(prep.columns) != list(self.feature_names_in_):
                raise UnknownColumnError(
                    f"X has columns {list(prep.columns)!r}; {type(self).__name__} was fitted with "
                    f"{list(self.feature_names_in_)!r} (same names, same order)."
                )
        if self.freq_ is not None and prep.freq is not None and prep.freq != self.freq_:
            raise InvalidInputError(
                f"X has frequency {prep.freq.freqstr!r}; {type(self).__name__} was fitted with "
                f"{self.freq_.freqstr!r}."
            )
        return prep

    def transform(self, X) -> np.ndarray:
        """Every complete input window, ``(samples, n_steps_in, n_features)``.

        The windows end at the last row (see Notes); for a panel they are computed per
        series and concatenated, so the last window of each series is its forecasting
        input.
        """
        prep = self._check_data(X)
        windows = []
        for key, values, _ in prep.parts:
            _check_length(len(values), "X", key, self.n_steps_in)
            windows.append(_input_views(values, self.n_steps_in, self.stride))
        return _concat(windows)

    def transform_xy(self, X) -> tuple[np.ndarray, np.ndarray]:
        """Aligned training pairs ``(X, y)`` as returned by :func:`make_windows`."""
        prep = self._check_data(X)
        # targets read now, as the window lengths are: set_params(targets=...) after fit took no effect
        positions = _resolve_targets(self.targets, self.columns_, by_position=prep.kind == "array")
        windows = _windows(prep, self.n_steps_in, self.n_steps_out, self.stride, positions, "X")
        return windows.X, windows.y
