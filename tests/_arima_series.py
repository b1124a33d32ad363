"""Seeded seasonal ARIMA series for the ARIMA tests (likelihoods, filters, forecasts)."""

from __future__ import annotations

import numpy as np


def _polynomial(coefficients, lag: int) -> np.ndarray:
    """``1 + c_1 B^lag + c_2 B^(2 lag) + ...`` as coefficients of ``B^0, B^1, ...``."""
    poly = np.zeros(len(coefficients) * lag + 1)
    poly[0] = 1.0
    poly[lag::lag] = coefficients
    return poly


def seasonal_arima(n: int, seed: int, *, m: int, ar=(), ma=(), sar=(), sma=(), d: int = 0, D: int = 0,
                   level: float = 0.0, burn: int = 100) -> np.ndarray:
    """``n`` values of ``(1 - ar B)(1 - sar B^m) w = (1 + ma B)(1 + sma B^m) e``, standard
    normal ``e`` drawn from ``seed``, started at zero and burnt in over ``burn`` values,
    then integrated ``d`` times at lag 1 and ``D`` times at lag ``m``, plus ``level``."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n + burn)
    phi = np.convolve(_polynomial(-np.asarray(ar, float), 1), _polynomial(-np.asarray(sar, float), m))
    theta = np.convolve(_polynomial(ma, 1), _polynomial(sma, m))
    ar_lags, ma_lags = np.arange(1, len(phi)), np.arange(len(theta))
    w = np.zeros(n + burn)
    for t in range(max(len(phi), len(theta)) - 1, n + burn):
        w[t] = -phi[1:] @ w[t - ar_lags] + theta @ e[t - ma_lags]
    x = w[burn:]
    for _ in range(d):
        x = np.cumsum(x)
    for _ in range(D):
        x = x.copy()
        for t in range(m, n):
            x[t] += x[t - m]
    return level + x
