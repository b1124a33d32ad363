"""Compiled STL and MSTL over a panel (the decomposition of :class:`tsforecast.baselines.MSTL`).

The kernels take one values array and the ``starts``/``ends`` offsets of its series
(see :class:`tsforecast.core.panel.Panel`), as :mod:`tsforecast.core.kernels.common` does, and
decompose every series in one call, with no Python per series.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["stl_seasonal", "mstl_panel"]


# STL (Cleveland et al., 1990) as statsmodels' ``STL`` computes it (``_stl.pyx``, a port
# of the NETLIB Fortran), for the settings MSTL uses: no robustness weights, jumps of
# 1, seasonal LOESS of degree 0 or 1, trend and low-pass LOESS of degree 1. Indices
# in the LOESS helpers are 1-based, as in the Fortran.


@njit(cache=True)
def _loess_at(y, n, span, degree, xs, nleft, nright, w):
    """Tricube-weighted local fit of degree 0 or 1 at ``xs`` over ``y[nleft-1:nright]``
    (NaN when every weight is 0)."""
    h = float(max(xs - nleft, nright - xs))
    if span > n:
        h += (span - n) // 2
    h9, h1 = 0.999 * h, 0.001 * h
    total = 0.0
    for j in range(nleft - 1, nright):
        w[j] = 0.0
        r = abs(j + 1 - xs)
        if r <= h9:
            w[j] = 1.0 if r <= h1 else (1.0 - (r / h) ** 3) ** 3
            total += w[j]
    if total <= 0.0:
        return np.nan
    for j in range(nleft - 1, nright):
        w[j] /= total
    if h > 0.0 and degree > 0:
        a = 0.0
        for j in range(nleft - 1, nright):
            a += w[j] * (j + 1)
        b = xs - a
        c = 0.0
        for j in range(nleft - 1, nright):
            c += w[j] * (j + 1 - a) ** 2
        if math.sqrt(c) > 0.001 * (n - 1.0):
            b /= c
            for j in range(nleft - 1, nright):
                w[j] *= b * (j + 1 - a) + 1.0
    out = 0.0
    for j in range(nleft - 1, nright):
        out += w[j] * y[j]
    return out


@njit(cache=True)
def _loess(y, n, span, degree, out, w):
    """LOESS smooth of ``y[:n]`` with ``span`` points at every position, into ``out``."""
    if n < 2:
        out[0] = y[0]
        return
    if span >= n:
        for i in range(n):
            v = _loess_at(y, n, span, degree, i + 1, 1, n, w)
            out[i] = y[i] if math.isnan(v) else v
        return
    half = (span + 2) // 2
    nleft, nright = 1, span
    for i in range(n):
        if i + 1 > half and nright != n:
            nleft += 1
            nright += 1
        v = _loess_at(y, n, span, degree, i + 1, nleft, nright, w)
        out[i] = y[i] if math.isnan(v) else v


@njit(cache=True)
def _moving_average(x, n, span, out):
    v = 0.0
    for i in range(span):
        v += x[i]
    out[0] = v / span
    for j in range(1, n - span + 1):
        v += x[j + span - 1] - x[j - 1]
        out[j] = v / span


@njit(cache=True)
def _cycle_smooth(detrended, n, period, span, degree, out, sub, smooth, w):
    """Each cycle-subseries smoothed by LOESS and extended one cycle each side
    (``out`` has ``n + 2 * period`` values)."""
    for j in range(period):
        k = (n - (j + 1)) // period + 1
        for i in range(k):
            sub[i] = detrended[i * period + j]
        _loess(sub, k, span, degree, smooth[1:], w)
        v = _loess_at(sub, k, span, degree, 0, 1, min(span, k), w)
        smooth[0] = smooth[1] if math.isnan(v) else v
        v = _loess_at(sub, k, span, degree, k + 1, max(1, k - span + 1), k, w)
        smooth[k + 1] = smooth[k] if math.isnan(v) else v
        for m in range(k + 2):
            out[m * period + j] = smooth[m]


@njit(cache=True)
def stl_seasonal(y, period, seasonal, trend, low_pass, seasonal_deg, inner):
    """The seasonal and trend components of ``y`` by non-robust STL (``inner`` passes)."""
    n = y.size
    m = n + 2 * period
    season = np.zeros(n)
    trend_out = np.zeros(n)
    detrended = np.empty(m)
    cycles = np.empty(m)
    work2 = np.empty(m)
    work3 = np.empty(m)
    sub = np.empty(m)
    smooth = np.empty(m)
    w = np.empty(m)
    for _ in range(inner):
        for i in range(n):
            detrended[i] = y[i] - trend_out[i]
        _cycle_smooth(detrended, n, period, seasonal, seasonal_deg, cycles, sub, smooth, w)
        _moving_average(cycles, m, period, work2)
        _moving_average(work2, m - period + 1, period, detrended)
        _moving_average(detrended, m - 2 * period + 2, 3, work2)
        _loess(work2, n, low_pass, 1, detrended, w)
        for i in range(n):
            season[i] = cycles[period + i] - detrended[i]
            work3[i] = y[i] - season[i]
        _loess(work3, n, trend, 1, trend_out, w)
    return season, trend_out


@njit(cache=True)
def _stl_spans(period, seasonal):
    """statsmodels' default trend and low-pass spans for ``period`` and ``seasonal``."""
    trend = int(math.ceil(1.5 * period / (1.0 - 1.5 / seasonal)))
    trend += 1 if trend % 2 == 0 else 0
    low_pass = period + 1
    low_pass += 1 if low_pass % 2 == 0 else 0
    return trend, low_pass


@njit(cache=True)
def mstl_panel(x, starts, ends, periods, windows, iterations):
    """MSTL of every series: each season (``periods`` sorted, STL's seasonal span from
    ``windows``) re-estimated ``iterations`` times on the series less the others.

    Returns ``(adjusted, tails, kept)``: the series less its seasonal components (same
    layout as ``x``), the last cycle of each component (``[series, sum(periods)]``,
    periods one after the other) and which seasons each series held two cycles of
    (the others are left out of its decomposition).
    """
    n_series, n_periods = starts.size, periods.size
    adjusted = x.copy()
    offsets = np.zeros(n_periods + 1, dtype=np.int64)
    for k in range(n_periods):
        offsets[k + 1] = offsets[k] + periods[k]
    tails = np.zeros((n_series, offsets[n_periods]))
    kept = np.zeros((n_series, n_periods), dtype=np.bool_)
    for i in range(n_series):
        lo, hi = starts[i], ends[i]
        n = hi - lo
        count = 0
        for k in range(n_periods):
            kept[i, k] = n >= 2 * periods[k]
            count += 1 if kept[i, k] else 0
        if count == 0:
            continue
        seasonal = np.zeros((n_periods, n))
        values = x[lo:hi].copy()
        for _ in range(iterations if count > 1 else 1):
            for k in range(n_periods):
                if not kept[i, k]:
                    continue
                values += seasonal[k]
                trend, low_pass = _stl_spans(periods[k], windows[k])
                seasonal[k] = stl_seasonal(values, periods[k], windows[k], trend, low_pass, 0, 5)[0]
                values -= seasonal[k]
        adjusted[lo:hi] = values
        for k in range(n_periods):
            if kept[i, k]:
                tails[i, offsets[k]:offsets[k + 1]] = seasonal[k, n - periods[k]:]
    return adjusted, tails, kept
