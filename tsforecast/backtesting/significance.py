"""The Diebold-Mariano test of equal predictive accuracy.

With the small-sample correction of Harvey, Leybourne and Newbold (1997): the
statistic is scaled by ``sqrt((n + 1 - 2h + h(h - 1) / n) / n)`` and compared with a
Student t distribution with ``n - 1`` degrees of freedom.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from .._validation import check_int
from ..exceptions import InsufficientDataError, ShapeMismatchError

__all__ = ["DieboldMarianoResult", "diebold_mariano"]


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


def _autocovariance(d: np.ndarray, lag: int) -> float:
    centred = d - d.mean()
    # The 1/n normalisation of Diebold and Mariano (1995), not 1/(n - lag).
    return float(np.dot(centred[lag:], centred[: len(d) - lag]) / len(d))


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
        ``loss_a - loss_b``, ``n`` and ``h``.

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
    variance = (_autocovariance(d, 0) + 2 * sum(_autocovariance(d, k) for k in range(1, lags + 1))) / n
    if variance <= 0:
        # Negative long-run variance estimates happen with short samples; fall back
        # to the lag-0 variance, as common implementations do.
        variance = _autocovariance(d, 0) / n
    if variance <= 0:
        statistic = 0.0 if mean == 0 else float(np.sign(mean) * np.inf)
    else:
        statistic = mean / np.sqrt(variance)
    correction = np.sqrt(max(n + 1 - 2 * h + h * (h - 1) / n, 0.0) / n)
    statistic = float(statistic * correction) if np.isfinite(statistic) else statistic
    p_value = float(2 * stats.t.sf(abs(statistic), df=n - 1))
    return DieboldMarianoResult(statistic=statistic, p_value=p_value, mean_difference=mean, n=int(n), h=int(h))
