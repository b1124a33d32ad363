"""The Diebold-Mariano test of equal predictive accuracy.

With the small-sample correction of Harvey, Leybourne and Newbold (1997): the
statistic is scaled by ``sqrt((n + 1 - 2h + h(h - 1) / n) / n)`` and compared with a
Student t distribution with ``n - 1`` degrees of freedom.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..core.validation import check_int
from ..exceptions import InsufficientDataError, ShapeMismatchError

__all__ = ["DieboldMarianoResult", "diebold_mariano", "diebold_mariano_rows"]


@dataclass(frozen=True)
class DieboldMarianoResult:
    """The outcome of :func:`diebold_mariano`.

    ``statistic`` is negative when the first forecast has the smaller loss.
    """

    statistic: float
    p_value: float
    mean_difference: float
    n: int
    h: int


def _autocovariance(centred: np.ndarray, lag: int) -> float:
    """Of a centred series; the 1/n normalisation of Diebold and Mariano (1995), not 1/(n - lag)."""
    return float(np.dot(centred[lag:], centred[: len(centred) - lag]) / len(centred))


def diebold_mariano(loss_a, loss_b, h: int = 1) -> DieboldMarianoResult:
    """Test whether two forecasts have equal expected loss.

    Parameters
    ----------
    loss_a, loss_b : array-like of shape (n,)
        The loss of each forecast at the same n targets, in time order (for example
        absolute or squared errors).
    h : int
        The forecast horizon: autocovariances of the loss differential up to lag
        ``h - 1`` enter its long-run variance.

    Returns
    -------
    DieboldMarianoResult
        The corrected statistic, the two-sided p-value, the mean of
        ``loss_a - loss_b``, ``n`` and ``h``; statistic and p-value are NaN where ``n``
        is too small for ``h`` (about ``2h`` or fewer).

    Examples
    --------
    >>> r = diebold_mariano([1.0, 2.0, 1.5, 1.2, 0.9], [2.0, 2.5, 2.1, 2.2, 1.8])
    >>> bool(r.statistic < 0), bool(r.p_value < 0.01)
    (True, True)
    """
    a = np.asarray(loss_a, dtype=float).ravel()
    b = np.asarray(loss_b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ShapeMismatchError(f"loss_a and loss_b must have the same length; got {a.size} and {b.size}.")
    h = check_int(h, "h", minimum=1)
    d = a - b
    d = d[np.isfinite(d)]
    n = d.size
    if n < 2:
        raise InsufficientDataError(f"the Diebold-Mariano test needs at least 2 loss differentials; got {n}.")
    mean = float(d.mean())
    lags = min(h - 1, n - 1)
    centred = d - mean  # once, not per lag: d has millions of entries in a backtest of many series
    variance = (_autocovariance(centred, 0) + 2 * sum(_autocovariance(centred, k) for k in range(1, lags + 1))) / n
    if variance <= 0:
        # Negative long-run variance estimates happen with short samples; fall back
        # to the lag-0 variance, as common implementations do.
        variance = _autocovariance(centred, 0) / n
    if variance <= 0:
        statistic = 0.0 if mean == 0 else float(np.sign(mean) * np.inf)
    else:
        statistic = mean / np.sqrt(variance)
    correction = _correction(n, h)
    if np.isnan(correction):  # too few differentials for the horizon: no test, not p = 1
        return DieboldMarianoResult(statistic=math.nan, p_value=math.nan, mean_difference=mean, n=int(n), h=int(h))
    statistic = float(statistic * correction) if np.isfinite(statistic) else statistic
    p_value = float(2 * stats.t.sf(abs(statistic), df=n - 1))
    return DieboldMarianoResult(statistic=statistic, p_value=p_value, mean_difference=mean, n=int(n), h=int(h))


def diebold_mariano_rows(loss_a, loss_b, h: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """:func:`diebold_mariano` on each row of two loss matrices at once.

    Used to test many series in one pass (no Python loop per row): row ``i`` of the
    result equals ``diebold_mariano(loss_a[i], loss_b[i], h)`` for rows whose
    differentials are all finite; rows with a missing value, or fewer than 2 columns,
    get NaN.

    Parameters
    ----------
    loss_a, loss_b : array-like of shape (rows, n)
        Losses of the two forecasts, each row in time order.
    h : int
        The forecast horizon, as in :func:`diebold_mariano`.

    Returns
    -------
    statistic, p_value : ndarray of shape (rows,)

    Examples
    --------
    >>> a = [[1.0, 2.0, 1.5, 1.2, 0.9], [1.0, 1.0, 1.0, 1.0, 1.0]]
    >>> b = [[2.0, 2.5, 2.1, 2.2, 1.8], [1.0, 1.0, 1.0, 1.0, 1.0]]
    >>> statistic, p_value = diebold_mariano_rows(a, b)
    >>> bool(p_value[0] < 0.01), float(p_value[1])
    (True, 1.0)
    """
    a = np.atleast_2d(np.asarray(loss_a, dtype=float))
    b = np.atleast_2d(np.asarray(loss_b, dtype=float))
    if a.shape != b.shape or a.ndim != 2:
        raise ShapeMismatchError(f"loss_a and loss_b must be 2-D of the same shape; got {a.shape} and {b.shape}.")
    h = check_int(h, "h", minimum=1)
    d = a - b
    rows, n = d.shape
    statistic = np.full(rows, np.nan)
    p_value = np.full(rows, np.nan)
    ok = np.isfinite(d).all(axis=1)
    if n < 2 or not ok.any():
        return statistic, p_value
    d = d[ok]
    mean = d.mean(axis=1)
    centred = d - mean[:, None]
    gamma0 = np.einsum("ij,ij->i", centred, centred) / n
    long_run = gamma0.copy()
    for lag in range(1, min(h - 1, n - 1) + 1):  # a loop over lags, each across all rows
        long_run += 2 * np.einsum("ij,ij->i", centred[:, lag:], centred[:, : n - lag]) / n
    variance = np.where(long_run > 0, long_run, gamma0) / n  # the same fallback as diebold_mariano
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(variance > 0, mean / np.sqrt(np.where(variance > 0, variance, 1.0)),
                         np.where(mean == 0, 0.0, np.sign(mean) * np.inf))
    correction = _correction(n, h)
    if np.isnan(correction):
        return statistic, p_value
    value = np.where(np.isfinite(value), value * correction, value)
    statistic[ok] = value
    p_value[ok] = 2 * stats.t.sf(np.abs(value), df=n - 1)
    return statistic, p_value


def _correction(n: int, h: int) -> float:
    """Harvey, Leybourne and Newbold's factor ``sqrt((n + 1 - 2h + h(h - 1) / n) / n)``;
    NaN where the term under the root is not positive (``n`` about ``2h`` or fewer: the
    autocovariances of ``h - 1`` lags use up the sample, and the factor 0 gave p = 1)."""
    term = n + 1 - 2 * h + h * (h - 1) / n
    return math.sqrt(term / n) if term > 0 else math.nan
