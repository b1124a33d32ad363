"""Compiled loops for intermittent demand: Croston, SBA, TSB, ADIDA and IMAPA over a panel.

Each kernel takes one values array and the ``starts``/``ends`` offsets of its series
(see :class:`tsforecast.core.panel.Panel`), as :mod:`tsforecast.core.kernels.common` does, and returns
one flat forecast per series.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["croston_level", "tsb_level", "adida_level", "imapa_level"]


# Croston, SBA, TSB, ADIDA and IMAPA as statsforecast defines them (``models.py`` and
# ``src/ses.cpp``): the same SES recursion (started at the first value, no fitted
# initial level), the same golden-section search for ``alpha`` in [0.1, 0.3], the same
# aggregation levels (Python's ``round``: halves to even). Each kernel returns one flat
# forecast per series.
_GOLDEN_RATIO = (math.sqrt(5.0) + 1.0) / 2.0


@njit(cache=True)
def _ses_step(f, last, value, alpha, count):
    """Feed ``value`` to the SES recursion; returns (fitted, last value, count).

    ``f`` is the fitted value of ``last``: the first value fits itself, and each next one
    is ``alpha * previous value + (1 - alpha) * previous fitted``."""
    if count == 0:
        return value, value, 1
    return alpha * last + (1.0 - alpha) * f, value, count + 1


@njit(cache=True)
def _ses_next(f, last, alpha, count):
    """The one-step forecast after ``count`` values (the single value itself for one)."""
    return last if count == 1 else alpha * last + (1.0 - alpha) * f


@njit(cache=True)
def _ses_sse(x, alpha):
    if x.size < 2:
        return 0.0
    forecast = x[0]
    sse = 0.0
    for i in range(1, x.size):
        forecast = alpha * x[i - 1] + (1.0 - alpha) * forecast
        err = x[i] - forecast
        sse += err * err
    return sse


@njit(cache=True)
def _golden_alpha(x):
    """statsforecast's golden-section search of the SES ``alpha`` in [0.1, 0.3]."""
    a, b = 0.1, 0.3
    c = b - (b - a) / _GOLDEN_RATIO
    d = a + (b - a) / _GOLDEN_RATIO
    fc, fd = _ses_sse(x, c), _ses_sse(x, d)
    while abs(b - a) >= 1e-12:
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - (b - a) / _GOLDEN_RATIO
            fc = _ses_sse(x, c)
        elif fd < fc:
            a, c, fc = c, d, fd
            d = a + (b - a) / _GOLDEN_RATIO
            fd = _ses_sse(x, d)
        else:
            break
    return (b + a) / 2.0


@njit(cache=True)
def _chunk_forecast(x, lo, hi, k):
    """SES (``alpha`` by :func:`_golden_alpha`) on the sums of ``k`` consecutive values,
    the first ``(hi - lo) % k`` values left out; the forecast of one such sum."""
    lost = (hi - lo) % k
    n_chunks = (hi - lo - lost) // k
    if n_chunks == 0:
        return x[hi - 1]
    sums = np.zeros(n_chunks)
    for i in range(n_chunks):
        base = lo + lost + i * k
        s = 0.0
        for j in range(k):
            s += x[base + j]
        sums[i] = s
    if n_chunks == 1:
        return sums[0]
    alpha = _golden_alpha(sums)
    f, last, count = 0.0, 0.0, 0
    for i in range(n_chunks):
        f, last, count = _ses_step(f, last, sums[i], alpha, count)
    return _ses_next(f, last, alpha, count)


@njit(cache=True)
def _round_half_even(value):
    low = math.floor(value)
    rest = value - low
    if rest > 0.5 or (rest == 0.5 and low % 2 == 1):
        return int(low) + 1
    return int(low)


@njit(cache=True)
def _mean_interval(x, lo, hi):
    """Mean number of steps between non-zero values (the first counted from the start),
    rounded half to even; 0 for a series of zeros."""
    count = 0
    last = -1
    for t in range(lo, hi):
        if x[t] != 0.0:
            count += 1
            last = t - lo
    if count == 0:
        return 0
    return _round_half_even((last + 1.0) / count)


@njit(cache=True)
def croston_level(x, starts, ends, alpha):
    """Croston's forecast per series: SES (``alpha``) of the positive demands over SES of
    the intervals between non-zero values; the last value when no demand is positive."""
    out = np.empty(starts.size)
    for i in range(starts.size):
        fd, ld, nd = 0.0, 0.0, 0
        fi, li, ni = 0.0, 0.0, 0
        previous = -1
        for t in range(starts[i], ends[i]):
            v = x[t]
            if v != 0.0:
                fi, li, ni = _ses_step(fi, li, float(t - starts[i] - previous), alpha, ni)
                previous = t - starts[i]
            if v > 0.0:
                fd, ld, nd = _ses_step(fd, ld, v, alpha, nd)
        if nd == 0:
            out[i] = x[ends[i] - 1]
            continue
        demand = _ses_next(fd, ld, alpha, nd)
        interval = _ses_next(fi, li, alpha, ni)
        out[i] = demand / interval if interval != 0.0 else demand
    return out


@njit(cache=True)
def tsb_level(x, starts, ends, alpha_d, alpha_p):
    """TSB's forecast per series: SES (``alpha_p``) of the demand indicator times SES
    (``alpha_d``) of the positive demands; 0 for a series of zeros."""
    out = np.zeros(starts.size)
    for i in range(starts.size):
        fd, ld, nd = 0.0, 0.0, 0
        fp, lp, n_p = 0.0, 0.0, 0
        any_nonzero = False
        for t in range(starts[i], ends[i]):
            v = x[t]
            any_nonzero = any_nonzero or v != 0.0
            fp, lp, n_p = _ses_step(fp, lp, 1.0 if v != 0.0 else 0.0, alpha_p, n_p)
            if v > 0.0:
                fd, ld, nd = _ses_step(fd, ld, v, alpha_d, nd)
        if not any_nonzero:
            continue
        demand = _ses_next(fd, ld, alpha_d, nd) if nd > 0 else np.nan
        out[i] = _ses_next(fp, lp, alpha_p, n_p) * demand
    return out


@njit(cache=True)
def adida_level(x, starts, ends):
    """ADIDA's forecast per series: the SES forecast of sums over blocks as long as the
    mean interval between demands, divided by that length; 0 for a series of zeros."""
    out = np.zeros(starts.size)
    for i in range(starts.size):
        k = _mean_interval(x, starts[i], ends[i])
        if k > 0:
            out[i] = _chunk_forecast(x, starts[i], ends[i], k) / k
    return out


@njit(cache=True)
def imapa_level(x, starts, ends):
    """IMAPA's forecast per series: the mean over block lengths ``1..k`` (``k`` the mean
    interval between demands) of ADIDA's forecast at that length; 0 for zeros."""
    out = np.zeros(starts.size)
    for i in range(starts.size):
        k = _mean_interval(x, starts[i], ends[i])
        if k == 0:
            continue
        total = 0.0
        for level in range(1, k + 1):
            total += _chunk_forecast(x, starts[i], ends[i], level) / level
        out[i] = total / k
    return out
