"""Forecast accuracy metrics: pure functions on arrays.

Every metric accepts one series (a 1-D array of forecast steps) or a batch of series
(a 2-D array, one row per series) and a ``reduce`` argument that says what comes back:

``"mean"`` (default)
    One float: the metric of the series, or for a batch the mean over series of each
    series' metric (the M4 convention: score every series, then average).
``"series"``
    One value per series: a float for a 1-D input, an array of shape ``(n_series,)``
    for a batch.
``"none"``
    The elementwise errors, the same shape as ``y_true``: one value per series and
    horizon step, so a backtest can report errors by step. Their mean over steps is
    the series' metric for every metric but :func:`rmse`, whose elementwise values
    are the absolute errors (the root of each squared error).

Inputs must be finite and of matching shapes; anything else raises an exception from
:mod:`tsforecast.exceptions` naming the argument and its value. Only the training
series of :func:`mase` may be NaN-padded (see there).

Examples
--------
>>> import numpy as np
>>> y = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 10.0]])
>>> f = np.array([[1.0, 2.0, 4.0], [12.0, 10.0, 10.0]])
>>> float(mae(y, f))
0.5
>>> mae(y, f, reduce="series").tolist()
[0.3333333333333333, 0.6666666666666666]
>>> mae(y, f, reduce="none").tolist()
[[0.0, 0.0, 1.0], [2.0, 0.0, 0.0]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real

import numpy as np

from ..exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    ShapeMismatchError,
)
# re-exported: ranking and reports read which way each metric is better from here too
from .orientation import ORIENTATIONS, distance_from_best, orientation  # noqa: F401
from .validation import check_array, check_choice, check_int

__all__ = [
    "REDUCTIONS",
    "mae",
    "rmse",
    "mape",
    "smape",
    "mase",
    "mase_scale",
    "ROUNDING_SCALE",
    "owa",
    "pinball_loss",
    "coverage",
    "interval_width",
    "interval_score",
    "msis",
    "acd",
    "ORIENTATIONS",
    "orientation",
    "distance_from_best",
]

#: Accepted values of every ``reduce`` argument (see the module docstring).
REDUCTIONS = ("mean", "series", "none")

# --------------------------------------------------------------------------- helpers
def _as_batch(values, name: str) -> np.ndarray:
    """A finite, non-empty 1-D or 2-D float array."""
    array = check_array(values, name, ndims=(1, 2)).astype(np.float64, copy=False)
    if array.size == 0:
        raise InsufficientDataError(f"{name} is empty; got an array of shape {array.shape}.")
    return array


def _same_shape(reference: np.ndarray, other: np.ndarray, ref_name: str, name: str) -> None:
    if other.shape != reference.shape:
        raise ShapeMismatchError(
            f"{name} must have the same shape as {ref_name} {reference.shape}; got shape {other.shape}."
        )


def _pair(y_true, y_pred, pred_name: str = "y_pred") -> tuple[np.ndarray, np.ndarray]:
    true = _as_batch(y_true, "y_true")
    pred = _as_batch(y_pred, pred_name)
    _same_shape(true, pred, "y_true", pred_name)
    return true, pred


def _reduce(
    elementwise: np.ndarray,
    reduce: str,
    per_series: Callable[[np.ndarray], np.ndarray] | None = None,
):
    """Reduce elementwise values along the step axis (last), then over series."""
    check_choice(reduce, "reduce", REDUCTIONS)
    if reduce == "none":
        return elementwise
    series = per_series(elementwise) if per_series is not None else elementwise.mean(axis=-1)
    if reduce == "series" and elementwise.ndim == 2:
        return series
    return float(np.mean(series))


# --------------------------------------------------------------------------- metrics
def mae(y_true, y_pred, *, reduce: str = "mean"):
    """Mean absolute error.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (n_series, h)
        Observed values and forecasts.
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> mae([1.0, 2.0, 3.0], [2.0, 2.0, 5.0])
    1.0
    """
    true, pred = _pair(y_true, y_pred)
    return _reduce(np.abs(true - pred), reduce)


def rmse(y_true, y_pred, *, reduce: str = "mean"):
    """Root mean squared error, per series (the mean over a batch is of per-series RMSEs).

    With ``reduce="none"`` the elementwise values are ``|y_true - y_pred|``, the root
    of each squared error; average their squares, not the values, to get an RMSE.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (n_series, h)
        Observed values and forecasts.
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> rmse([1.0, 1.0], [4.0, -2.0])
    3.0
    """
    true, pred = _pair(y_true, y_pred)
    error = np.abs(true - pred)
    return _reduce(error, reduce, lambda e: np.sqrt(np.mean(e**2, axis=-1)))


def mape(y_true, y_pred, *, reduce: str = "mean"):
    """Mean absolute percentage error, in percent: ``100 * |y - ŷ| / |y|``.

    Raises
    ------
    InvalidInputError
        If ``y_true`` holds a zero (the percentage error is undefined there); use
        :func:`smape` or :func:`mase` for such series.

    Examples
    --------
    >>> mape([100.0, 200.0], [110.0, 180.0])
    10.0
    """
    true, pred = _pair(y_true, y_pred)
    zeros = true == 0
    if zeros.any():
        position = tuple(int(p) for p in np.unravel_index(int(np.argmax(zeros)), true.shape))
        raise InvalidInputError(
            f"y_true holds {int(zeros.sum())} zero(s), the first at position {position}; MAPE divides "
            "by |y_true| and is undefined there (use smape or mase instead)."
        )
    return _reduce(100.0 * np.abs(true - pred) / np.abs(true), reduce)


def smape(y_true, y_pred, *, reduce: str = "mean"):
    """Symmetric mean absolute percentage error, M4 definition, in percent (0 to 200).

    Each step contributes ``200 * |y - ŷ| / (|y| + |ŷ|)``; a step where both ``y`` and
    ``ŷ`` are 0 is a perfect forecast and contributes 0 (not NaN).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (n_series, h)
        Observed values and forecasts.
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`).

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> smape([100.0, 0.0], [300.0, 0.0])
    50.0
    """
    true, pred = _pair(y_true, y_pred)
    numerator = 200.0 * np.abs(true - pred)
    denominator = np.abs(true) + np.abs(pred)
    # 0/0 only where both are 0, i.e. a perfect forecast: define it as 0 error.
    safe = np.where(denominator == 0, 1.0, denominator)
    return _reduce(np.where(denominator == 0, 0.0, numerator / safe), reduce)


def _is_row_list(values) -> bool:
    """A list of series of different lengths; rows of one length are a 2-D array (which
    may be right-padded with NaN, as a nested list of M4's layout is)."""
    return (isinstance(values, (list, tuple)) and len(values) > 0 and np.ndim(values[0]) == 1
            and len({np.size(row) for row in values}) > 1)


def _training_rows(y_train) -> list[np.ndarray]:
    """``y_train`` as one finite 1-D array per series (NaN padding at the end removed)."""
    if _is_row_list(y_train):
        rows = [_as_batch(row, f"y_train[{i}]") for i, row in enumerate(y_train)]
        for i, row in enumerate(rows):
            if row.ndim != 1:
                raise ShapeMismatchError(f"y_train[{i}] must be 1-D; got shape {row.shape}.")
        return rows
    array = check_array(y_train, "y_train", ndims=(1, 2), allow_nan=True).astype(np.float64, copy=False)
    if array.size == 0:
        raise InsufficientDataError(f"y_train is empty; got an array of shape {array.shape}.")
    if np.isinf(array).any():
        raise InvalidInputError("y_train contains inf; training values must be finite.")
    rows = []
    for i, row in enumerate(np.atleast_2d(array)):
        label = "y_train" if array.ndim == 1 else f"y_train[{i}]"
        present = ~np.isnan(row)
        length = int(present.sum())
        # NaN is accepted only as right padding (M4's layout), never inside a series.
        if not present[:length].all():
            first = int(np.argmin(present))
            raise InvalidInputError(
                f"{label} has a NaN at position {first} followed by values; NaN is accepted only as "
                "padding at the end of a shorter training series."
            )
        rows.append(row[:length])
    return rows


def _training_scales(values: np.ndarray, y_train, season_length: int) -> np.ndarray:
    """:func:`mase_scale` of ``y_train``, one per series of ``values`` ((h,) or (n_series, h));
    a single series may come as a list of one row."""
    if values.ndim == 1 and _is_row_list(y_train) and len(y_train) == 1:
        y_train = y_train[0]
    return mase_scale(y_train, season_length, n_series=1 if values.ndim == 1 else values.shape[0])


# A mean seasonal difference this small beside the series' largest value is float rounding
# (a series that repeats its season exactly, e.g. a sine sampled once a period), not a scale:
# dividing by it gave MASE near 1e14, so it counts as zero, which MASE refuses or skips.
ROUNDING_SCALE = 1e4 * np.finfo(np.float64).eps


def mase_scale(y_train, season_length: int = 1, *, n_series: int | None = None) -> np.ndarray:
    """The MASE denominators: in-sample mean of ``|x_t - x_{t-m}|`` of each training series.

    A mean at most :data:`ROUNDING_SCALE` times the series' largest absolute value is float
    rounding of a series that repeats its season exactly, and is returned as 0.

    Parameters
    ----------
    y_train : array-like of shape (n,) or (n_series, n), or a list of 1-D arrays
        Training series; a 2-D array may be right-padded with NaN for shorter series.
    season_length : int
        The seasonal period ``m`` (1 = the naive one-step-ahead scale).
    n_series : int, optional
        Expected number of series (checked when given).

    Returns
    -------
    numpy.ndarray of shape (n_series,)

    Examples
    --------
    >>> mase_scale([1.0, 3.0, 2.0, 6.0]).tolist()
    [2.3333333333333335]
    >>> mase_scale(100 + 10 * np.sin(2 * np.pi * np.arange(48) / 24), season_length=24).tolist()
    [0.0]
    """
    m = check_int(season_length, "season_length", minimum=1)
    rows = _training_rows(y_train)
    if n_series is not None and len(rows) != n_series:
        raise ShapeMismatchError(
            f"y_train must hold one training series per row of y_true ({n_series}); got {len(rows)}."
        )
    scales = np.empty(len(rows))
    for i, row in enumerate(rows):
        if row.size <= m:
            raise InsufficientDataError(
                f"y_train[{i}] has {row.size} value(s); season_length={m} needs at least {m + 1}."
            )
        scale = np.mean(np.abs(row[m:] - row[:-m]))
        scales[i] = 0.0 if scale <= ROUNDING_SCALE * np.abs(row).max() else scale
    return scales


def mase(
    y_true,
    y_pred,
    y_train,
    season_length: int = 1,
    *,
    reduce: str = "mean",
    zero_scale: str = "raise",
):
    """Mean absolute scaled error (M4 definition).

    The absolute errors are divided by the in-sample mean absolute seasonal difference
    ``mean(|x_t - x_{t-m}|)`` of the series' training part (see :func:`mase_scale`).

    Parameters
    ----------
    y_true, y_pred : array-like of shape (h,) or (n_series, h)
        Observed values and forecasts.
    y_train : array-like
        The training part: shape (n,) for one series; for a batch, a list of 1-D arrays
        (lengths may differ) or a 2-D array right-padded with NaN.
    season_length : int
        The seasonal period ``m`` (M4: 24 for hourly, 1 for weekly data).
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`).
    zero_scale : {"raise", "nan"}
        What to do when a training series has a zero scale (it is constant at lag ``m``,
        so MASE is undefined): raise :class:`InvalidInputError` (default), or give that
        series NaN (a mean over series then skips it). Never inf.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> mase([5.0, 7.0], [6.0, 6.0], [1.0, 3.0, 5.0, 7.0])
    0.5
    """
    check_choice(zero_scale, "zero_scale", ("raise", "nan"))
    true, pred = _pair(y_true, y_pred)
    scales = _training_scales(true, y_train, season_length)
    zero = scales == 0
    if zero.any():
        if zero_scale == "raise":
            raise InvalidInputError(
                f"y_train series {np.flatnonzero(zero).tolist()} have a zero MASE scale (no change at lag "
                f"season_length={season_length} beyond float rounding); MASE is undefined. Pass zero_scale='nan' to skip them."
            )
        scales = np.where(zero, np.nan, scales)
    scaled = np.abs(true - pred) / (scales[0] if true.ndim == 1 else scales[:, None])
    check_choice(reduce, "reduce", REDUCTIONS)
    if reduce == "mean":
        series = scaled.mean(axis=-1)
        return float(np.nanmean(series)) if not np.isnan(series).all() else float("nan")
    return _reduce(scaled, reduce)


def owa(smape, mase, smape_naive2, mase_naive2):
    """Overall weighted average (M4): ``0.5 * (sMAPE / sMAPE_Naive2 + MASE / MASE_Naive2)``.

    M4 applies it to the subset means of sMAPE and MASE; element-wise arrays work too.

    Parameters
    ----------
    smape, mase : float or array-like
        Scores of the method: numbers, not negative.
    smape_naive2, mase_naive2 : float or array-like
        Scores of the Naive2 benchmark on the same data; must be positive.

    All four: numbers (not text or bools), finite, of one shape or scalars.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> owa(9.0, 2.0, 18.0, 2.0)
    0.75
    """
    given = {"smape": smape, "mase": mase, "smape_naive2": smape_naive2, "mase_naive2": mase_naive2}
    values = {name: _owa_score(value, name) for name, value in given.items()}
    try:
        np.broadcast_shapes(*(array.shape for array in values.values()))
    except ValueError:
        raise ShapeMismatchError("smape, mase, smape_naive2 and mase_naive2 must be numbers or arrays of one shape; "
                                 f"got shapes {', '.join(f'{k} {v.shape}' for k, v in values.items())}.") from None
    result = 0.5 * (values["smape"] / values["smape_naive2"] + values["mase"] / values["mase_naive2"])
    return float(result) if result.ndim == 0 else result


def _owa_score(value, name: str) -> np.ndarray:
    """A score of :func:`owa` as floats: numbers (``"9"`` is none), finite, not negative."""
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # ragged
        array = None
    if array is None or array.dtype.kind not in "iuf":
        raise InputTypeError(f"{name} must be a number or array of numbers; got {value!r}.")
    array = array.astype(np.float64, copy=False)
    if not np.isfinite(array).all():
        raise InvalidInputError(f"{name} must be finite; got {value!r}.")
    divisor = name.endswith("naive2")
    if (array < 0).any() or (divisor and (array == 0).any()):
        need = "be positive (it is a divisor)" if divisor else "not be negative (sMAPE and MASE are not)"
        raise InvalidInputError(f"{name} must {need}; got {value!r}.")
    return array


def _check_quantiles(quantiles) -> tuple[np.ndarray, bool]:
    """The quantile levels as a 1-D array and whether a single scalar was given."""
    scalar = np.ndim(quantiles) == 0
    try:
        levels = np.atleast_1d(np.asarray(quantiles, dtype=np.float64))
    except (TypeError, ValueError):
        raise InputTypeError(f"quantiles must be numbers in (0, 1); got {quantiles!r}.") from None
    if levels.ndim != 1 or levels.size == 0:
        raise ShapeMismatchError(f"quantiles must be a number or a 1-D sequence of numbers; got {quantiles!r}.")
    if not (np.isfinite(levels).all() and (levels > 0).all() and (levels < 1).all()):
        raise InvalidParameterError(f"quantiles must lie strictly between 0 and 1; got {quantiles!r}.")
    return levels, scalar


def pinball_loss(y_true, y_quantiles, quantiles: float | Sequence[float], *, reduce: str = "mean"):
    """Pinball (quantile) loss, averaged over the quantile levels.

    For a level ``q`` and error ``e = y - ŷ_q`` the loss is ``max(q * e, (q - 1) * e)``.

    Parameters
    ----------
    y_true : array-like of shape (h,) or (n_series, h)
        Observed values.
    y_quantiles : array-like
        Quantile forecasts: the shape of ``y_true`` for a single level, or that shape
        plus a last axis with one entry per level, e.g. ``(n_series, h, n_quantiles)``.
    quantiles : float or sequence of float
        The levels, each strictly between 0 and 1.
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`); ``"none"`` gives the loss per
        series and step, averaged over the levels.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> round(pinball_loss([10.0], [[8.0, 12.0]], [0.1, 0.9]), 6)
    0.2
    """
    true = _as_batch(y_true, "y_true")
    levels, scalar = _check_quantiles(quantiles)
    forecast = check_array(y_quantiles, "y_quantiles", ndims=(1, 2, 3)).astype(np.float64, copy=False)
    expected = true.shape if scalar else true.shape + (levels.size,)
    if forecast.shape != expected:
        raise ShapeMismatchError(
            f"y_quantiles must have shape {expected} (y_true's shape"
            f"{'' if scalar else ' plus one entry per quantile'}); got shape {forecast.shape}."
        )
    if scalar:
        forecast = forecast[..., None]
    error = true[..., None] - forecast
    loss = np.maximum(levels * error, (levels - 1.0) * error).mean(axis=-1)
    return _reduce(loss, reduce)


def coverage(y_true, lower, upper, *, reduce: str = "mean"):
    """Share of observations inside the interval ``[lower, upper]`` (bounds included).

    Parameters
    ----------
    y_true, lower, upper : array-like of shape (h,) or (n_series, h)
        Observed values and the interval bounds; ``lower <= upper`` everywhere.
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`); ``"none"`` gives 1.0 where the
        value is covered and 0.0 where not.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> coverage([1.0, 5.0, 3.0, 9.0], [0.0, 0.0, 0.0, 0.0], [4.0, 4.0, 4.0, 4.0])
    0.5
    """
    true, low, high = _interval(y_true, lower, upper)
    return _reduce(((true >= low) & (true <= high)).astype(np.float64), reduce)


def _interval(y_true, lower, upper) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Observed values and ordered bounds of one shape (``lower <= upper`` checked)."""
    true, low = _pair(y_true, lower, "lower")
    return (true, *_bounds(low, upper))


def _bounds(low: np.ndarray, upper) -> tuple[np.ndarray, np.ndarray]:
    """``low`` and ``upper`` of one shape, refused where a lower bound exceeds its upper one."""
    high = _as_batch(upper, "upper")
    _same_shape(low, high, "lower", "upper")
    crossed = low > high
    if crossed.any():
        position = tuple(int(p) for p in np.unravel_index(int(np.argmax(crossed)), low.shape))
        raise InvalidInputError(f"lower must not exceed upper; at position {position} "
                                f"lower={float(low[position])!r} > upper={float(high[position])!r}.")
    return low, high


def _check_level(level) -> float:
    """A nominal coverage in percent, strictly between 0 and 100."""
    # A bool or a text is no level, though float() reads True as 1 and "95" as 95.
    if isinstance(level, (bool, np.bool_)) or not isinstance(level, Real):
        raise InputTypeError(f"level must be a number in (0, 100) (percent); got {level!r}.")
    value = float(level)
    if not (np.isfinite(value) and 0 < value < 100):
        raise InvalidParameterError(f"level must lie strictly between 0 and 100 (percent); got {level!r}.")
    if value < 1:  # the rule of every levels argument (tsforecast.forecasters.base.check_levels)
        raise InvalidParameterError(f"level is percent in [1, 100) (80 for an 80% interval); got the fraction "
                                    f"{level!r}: pass {round(value * 100, 10)!r} instead.")
    return value


def interval_width(lower, upper, *, reduce: str = "mean"):
    """Width ``upper - lower`` of prediction intervals.

    Parameters
    ----------
    lower, upper : array-like of shape (h,) or (n_series, h)
        The interval bounds; ``lower <= upper`` everywhere.
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`).

    Examples
    --------
    >>> interval_width([0.0, 1.0], [2.0, 5.0])
    3.0
    """
    low, high = _bounds(_as_batch(lower, "lower"), upper)
    return _reduce(high - low, reduce)


def interval_score(y_true, lower, upper, level, *, reduce: str = "mean"):
    """Interval (Winkler) score of a central ``level``% interval: its width plus
    ``2 / alpha`` times the distance by which the value falls outside it.

    Lower is better; a narrow interval that misses pays ``2 / alpha`` per unit missed
    (Gneiting and Raftery, 2007), with ``alpha = 1 - level / 100``.

    Parameters
    ----------
    y_true, lower, upper : array-like of shape (h,) or (n_series, h)
        Observed values and the interval bounds.
    level : float
        The interval's nominal coverage in percent, in (0, 100).
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`).

    Examples
    --------
    >>> interval_score([1.0, 5.0], [0.0, 0.0], [2.0, 2.0], 95)  # widths 2 and 2 + 40 * 3
    62.0
    """
    alpha = (100.0 - _check_level(level)) / 100.0
    true, low, high = _interval(y_true, lower, upper)
    penalty = (2.0 / alpha) * (np.maximum(low - true, 0.0) + np.maximum(true - high, 0.0))
    return _reduce(high - low + penalty, reduce)


def msis(y_true, lower, upper, y_train, season_length: int = 1, level: float = 95, *, reduce: str = "mean"):
    """Mean scaled interval score (M4's interval measure).

    The interval score (:func:`interval_score`, M4: ``level=95``) divided by the
    in-sample mean absolute seasonal difference of the training series
    (:func:`mase_scale`, the MASE denominator).

    Parameters
    ----------
    y_true, lower, upper : array-like of shape (h,) or (n_series, h)
        Observed values and the interval bounds.
    y_train : array-like
        The training part, as for :func:`mase`.
    season_length : int
        The seasonal period ``m`` of the scale (M4: 24 hourly, 1 weekly).
    level : float
        Nominal coverage in percent (M4: 95, so ``alpha = 0.05``).
    reduce : {"mean", "series", "none"}
        What to return (see :mod:`tsforecast.core.metrics`).

    Examples
    --------
    >>> msis([5.0, 7.0], [4.0, 4.0], [6.0, 6.0], [1.0, 3.0, 5.0, 7.0])
    11.0
    """
    scores = interval_score(y_true, lower, upper, level, reduce="none")
    scales = _training_scales(scores, y_train, season_length)
    if (scales == 0).any():
        raise InvalidInputError(
            f"y_train series {np.flatnonzero(scales == 0).tolist()} have a zero scale (no change at lag "
            f"season_length={season_length} beyond float rounding); MSIS is undefined for them."
        )
    return _reduce(scores / (scales[0] if scores.ndim == 1 else scales[:, None]), reduce)


def acd(y_true, lower, upper, level):
    """Absolute coverage difference (M4): ``|empirical coverage - level / 100|``.

    Coverage is pooled over every series and step given, as M4 computes it.

    Parameters
    ----------
    y_true, lower, upper : array-like of shape (h,) or (n_series, h)
        Observed values and the interval bounds.
    level : float
        The interval's nominal coverage in percent, in (0, 100).

    Examples
    --------
    >>> round(acd([1.0, 5.0, 3.0, 9.0], [0.0] * 4, [4.0] * 4, 95), 6)
    0.45
    """
    nominal = _check_level(level) / 100.0
    true, low, high = _interval(y_true, lower, upper)
    return float(abs(np.mean((true >= low) & (true <= high)) - nominal))
