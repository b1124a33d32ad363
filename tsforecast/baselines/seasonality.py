"""The M4 seasonality test and classical decomposition (pure functions on 1-D arrays).

These follow the M4 competition's R code (``SeasonalityTest`` and ``stats::decompose``):

- :func:`seasonality_test`: a series is seasonal at period ``m`` when
  ``|r_m| > 1.645 * sqrt((1 + 2 * sum_{k<m} r_k**2) / n)`` (90% one-sided), with ``r``
  the sample autocorrelation; never seasonal when ``m == 1`` or ``n < 3 * m``.
- :func:`seasonal_indices`: a centred moving average (``2 x m`` for even ``m``) gives
  the trend; the mean ratio (or difference) of the series to its trend at each
  position of the cycle, normalised to mean 1 (or 0), gives the seasonal indices.
- :func:`deseasonalize`: both of the above, returning the seasonally adjusted series
  and the last ``m`` indices, which :func:`reseasonalize` repeats over the horizon.

Multiplicative decomposition needs positive values: a series with a zero or a negative
value is decomposed additively instead (``kind="additive"``), which callers report.

Examples
--------
>>> import numpy as np
>>> t = np.arange(96)
>>> x = 10 + 3 * np.sin(2 * np.pi * t / 24)
>>> bool(seasonality_test(x, 24))
True
>>> adjusted, tail, kind = deseasonalize(x, 24)
>>> kind, round(float(np.ptp(adjusted[12:-12])), 6) < 0.5
('multiplicative', True)
"""

from __future__ import annotations

import numpy as np

from ..core.validation import check_array, check_choice, check_int

__all__ = ["acf", "seasonality_test", "seasonal_indices", "deseasonalize", "reseasonalize"]

#: The one-sided 90% normal quantile used by the M4 seasonality test.
_TCRIT = 1.645


def acf(x: np.ndarray, nlags: int) -> np.ndarray:
    """Sample autocorrelations ``r_1..r_nlags`` (biased, as R's ``acf``); zeros for a constant series."""
    x = np.asarray(x, dtype=np.float64)
    centred = x - x.mean()
    denominator = float(np.dot(centred, centred))
    if denominator == 0.0:
        return np.zeros(nlags)
    n = centred.size
    return np.array([np.dot(centred[k:], centred[: n - k]) / denominator if k < n else 0.0
                     for k in range(1, nlags + 1)])


def seasonality_test(x: np.ndarray, season_length: int) -> bool:
    """True when ``x`` is seasonal at ``season_length`` by the M4 90% autocorrelation test."""
    m = check_int(season_length, "season_length", minimum=1)
    x = np.asarray(check_array(x, "x", ndims=(1,)), dtype=np.float64)  # NaN would make every test False
    if m == 1 or x.size < 3 * m:
        return False
    r = acf(x, m)
    limit = _TCRIT * np.sqrt((1.0 + 2.0 * np.sum(r[: m - 1] ** 2)) / x.size)
    return bool(abs(r[m - 1]) > limit)


def seasonal_indices(x: np.ndarray, season_length: int, kind: str = "multiplicative") -> np.ndarray:
    """Classical decomposition (R's ``decompose``): the seasonal component of ``x``, same length.

    The cycle starts at the first observation. Multiplicative indices have mean 1,
    additive ones mean 0.
    """
    m = check_int(season_length, "season_length", minimum=2)
    check_choice(kind, "kind", ("multiplicative", "additive"))
    x = np.asarray(x, dtype=np.float64)
    n = x.size
    weights = np.r_[0.5, np.ones(m - 1), 0.5] / m if m % 2 == 0 else np.ones(m) / m
    half = weights.size // 2
    trend = np.full(n, np.nan)
    trend[half : n - half] = np.convolve(x, weights, mode="valid")
    detrended = x / trend if kind == "multiplicative" else x - trend
    # One mean per position in the cycle over the defined (not NaN) values: pad to
    # whole cycles with NaN and average the columns.
    cycles = np.full(-(-n // m) * m, np.nan)
    cycles[:n] = detrended
    figure = np.nanmean(cycles.reshape(-1, m), axis=0)
    figure = figure / figure.mean() if kind == "multiplicative" else figure - figure.mean()
    return np.resize(figure, n)


def deseasonalize(x: np.ndarray, season_length: int, *, test: bool = True) -> tuple[np.ndarray, np.ndarray, str]:
    """Seasonally adjust ``x`` the M4 way.

    Returns ``(adjusted, tail, kind)``: ``kind`` is ``"none"`` (``m == 1``, fewer than
    two cycles, or not seasonal by :func:`seasonality_test` when ``test``: then
    ``adjusted is x`` and ``tail`` is empty), ``"multiplicative"``, or ``"additive"``
    for a series with a value <= 0; ``tail`` holds the last ``m`` seasonal indices.
    """
    x = np.asarray(check_array(x, "x", ndims=(1,)), dtype=np.float64)
    m = check_int(season_length, "season_length", minimum=1)
    if m == 1 or x.size < 2 * m or (test and not seasonality_test(x, m)):
        return x, np.empty(0), "none"
    kind = "multiplicative" if np.all(x > 0) else "additive"
    indices = seasonal_indices(x, m, kind)
    adjusted = x / indices if kind == "multiplicative" else x - indices
    return adjusted, indices[-m:].copy(), kind


def reseasonalize(forecast: np.ndarray, tail: np.ndarray, kind: str) -> np.ndarray:
    """Apply the seasonal ``tail`` (from :func:`deseasonalize`), repeated, to a forecast.

    ``forecast`` may be 1-D (steps) or 2-D (steps x quantiles).
    """
    forecast = np.asarray(forecast, dtype=np.float64)
    if kind == "none":
        return forecast
    future = np.resize(tail, forecast.shape[0]).reshape(-1, *([1] * (forecast.ndim - 1)))
    return forecast + future if kind == "additive" else forecast * future
