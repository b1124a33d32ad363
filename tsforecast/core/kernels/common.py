"""Compiled loops over many series at once: the recursions NumPy cannot vectorise.

Each kernel takes one values array and the ``starts``/``ends`` offsets of its series
(see :class:`tsforecast.core.panel.Panel`) and loops over series and time in machine
code (numba), so a panel of 100,000 series costs no Python per series. numba is the
compiler the peers (statsforecast, utilsforecast) use for the same job; the kernels
are compiled once and cached on disk (where: :mod:`tsforecast.core.kernels`).

The SES fit is the one of :mod:`tsforecast.baselines._smoothing` (a grid over
``alpha``, then SciPy's bounded Brent, ``fminbound``, ported here step by step), so
the M4 forecasts stay those the competition published.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["ses_fit", "seasonal_sigma", "segment_mean_sd", "theta_line", "m4_deseasonalize",
           "segment_all_nonnegative", "seasonal_mae"]

_SQRT_EPS = math.sqrt(2.2e-16)
_GOLDEN = 0.5 * (3.0 - math.sqrt(5.0))


@njit(cache=True)
def _ses_filter(x, lo, hi, alpha, start, errors, response):
    """One-step errors from the initial level ``start`` and their response to a unit
    change of that level (``scipy.signal.lfilter``'s recursion, value for value)."""
    z = -start
    zr = -1.0
    for t in range(lo, hi):
        e = x[t] + z
        errors[t - lo] = e
        z = -x[t] - (alpha - 1.0) * e
        response[t - lo] = zr
        zr = -(alpha - 1.0) * zr


@njit(cache=True)
def _ses_profile(x, lo, hi, alpha, start, errors, response):
    """(SSE minimised over the initial level, that level's shift from ``start``)."""
    _ses_filter(x, lo, hi, alpha, start, errors, response)
    gain = np.dot(response, response)  # BLAS, as NumPy's: the sums match the reference
    shift = -(np.dot(errors, response) / gain)
    return np.dot(errors, errors) - shift * shift * gain, shift


@njit(cache=True)
def _fminbound(x, lo, hi, start, a, b, xatol, maxfun, errors, response):
    """SciPy's ``_minimize_scalar_bounded`` on the SES profile; returns (x, f(x))."""
    fulc = a + _GOLDEN * (b - a)
    nfc = fulc
    xf = fulc
    rat = 0.0
    e = 0.0
    fx = max(_ses_profile(x, lo, hi, xf, start, errors, response)[0], 0.0)
    num = 1
    ffulc = fx
    fnfc = fx
    xm = 0.5 * (a + b)
    tol1 = _SQRT_EPS * abs(xf) + xatol / 3.0
    tol2 = 2.0 * tol1
    while abs(xf - xm) > (tol2 - 0.5 * (b - a)):
        golden = True
        if abs(e) > tol1:
            golden = False
            r = (xf - nfc) * (fx - ffulc)
            q = (xf - fulc) * (fx - fnfc)
            p = (xf - fulc) * q - (xf - nfc) * r
            q = 2.0 * (q - r)
            if q > 0.0:
                p = -p
            q = abs(q)
            r = e
            e = rat
            if abs(p) < abs(0.5 * q * r) and p > q * (a - xf) and p < q * (b - xf):
                rat = (p + 0.0) / q
                u = xf + rat
                if (u - a) < tol2 or (b - u) < tol2:
                    d = xm - xf
                    rat = tol1 * ((1.0 if d > 0 else (-1.0 if d < 0 else 0.0)) + (1.0 if d == 0 else 0.0))
            else:
                golden = True
        if golden:
            e = (a - xf) if xf >= xm else (b - xf)
            rat = _GOLDEN * e
        si = (1.0 if rat > 0 else (-1.0 if rat < 0 else 0.0)) + (1.0 if rat == 0 else 0.0)
        u = xf + si * max(abs(rat), tol1)
        fu = max(_ses_profile(x, lo, hi, u, start, errors, response)[0], 0.0)
        num += 1
        if fu <= fx:
            if u >= xf:
                a = xf
            else:
                b = xf
            fulc, ffulc = nfc, fnfc
            nfc, fnfc = xf, fx
            xf, fx = u, fu
        else:
            if u < xf:
                a = u
            else:
                b = u
            if fu <= fnfc or nfc == xf:
                fulc, ffulc = nfc, fnfc
                nfc, fnfc = u, fu
            elif fu <= ffulc or fulc == xf or fulc == nfc:
                fulc, ffulc = u, fu
        xm = 0.5 * (a + b)
        tol1 = _SQRT_EPS * abs(xf) + xatol / 3.0
        tol2 = 2.0 * tol1
        if num >= maxfun:
            break
    return xf, fx


@njit(cache=True)
def _grid_profile(x, lo, hi, grid, decay, start):
    """The SES profile SSE at every ``alpha`` of ``grid``, all recursions in one pass
    over the series (independent recursions side by side keep the CPU's pipelines full)."""
    k = grid.size
    z = np.full(k, -start)
    ee = np.zeros(k)
    ed = np.zeros(k)
    dd = np.zeros(k)
    a1 = grid - 1.0
    for t in range(lo, hi):
        xt = x[t]
        for j in range(k):
            e = xt + z[j]
            z[j] = -xt - a1[j] * e
            d = decay[j, t - lo]
            ee[j] += e * e
            ed[j] += e * d
            dd[j] += d * d
    return ee - ed * ed / dd


@njit(cache=True)
def ses_fit(x, starts, ends, grid, decay, initial):
    """Fit SES by MSE on every series ``x[starts[i]:ends[i]]``, as ``forecast::ses``.

    ``decay[j, t] = (1 - grid[j]) ** t`` (from NumPy, so the grid stage computes what
    the reference does); ``initial[i]`` is the mean of series ``i``'s first (up to)
    10 values, the starting level. Returns ``alpha``, ``level0``, ``level`` (the last smoothed
    level) and ``sse``, one entry per series.
    """
    n = starts.size
    alpha_out = np.empty(n)
    level0_out = np.empty(n)
    level_out = np.empty(n)
    sse_out = np.empty(n)
    for i in range(n):
        lo, hi = starts[i], ends[i]
        errors = np.empty(hi - lo)
        response = np.empty(hi - lo)
        start = initial[i]
        profile = _grid_profile(x, lo, hi, grid, decay, start)
        best = np.argmin(profile)
        best_value = profile[best]
        low = grid[max(best - 1, 0)]
        high = grid[min(best + 1, grid.size - 1)]
        alpha, fun = _fminbound(x, lo, hi, start, low, high, 1e-7, 500, errors, response)
        if not fun <= best_value:  # Brent never worsens the grid's best point
            alpha = grid[best]
        sse, shift = _ses_profile(x, lo, hi, alpha, start, errors, response)
        level0 = start + shift
        _ses_filter(x, lo, hi, alpha, level0, errors, response)
        alpha_out[i] = alpha
        level0_out[i] = level0
        level_out[i] = x[hi - 1] - (1.0 - alpha) * errors[hi - lo - 1]
        sse_out[i] = max(sse, 0.0)
    return alpha_out, level0_out, level_out, sse_out


@njit(cache=True)
def seasonal_sigma(x, starts, ends, lag):
    """Root mean square of the ``lag``-differences of each series (NaN if too short)."""
    out = np.full(starts.size, np.nan)
    for i in range(starts.size):
        lo, hi = starts[i], ends[i]
        if hi - lo <= lag:
            continue
        total = 0.0
        for t in range(lo + lag, hi):
            d = x[t] - x[t - lag]
            total += d * d
        out[i] = math.sqrt(total / (hi - lo - lag))
    return out


@njit(cache=True)
def segment_mean_sd(x, starts, ends):
    """Mean and sample standard deviation (``ddof=1``; 0 for one value) per series."""
    n = starts.size
    mean = np.empty(n)
    sd = np.zeros(n)
    for i in range(n):
        lo, hi = starts[i], ends[i]
        total = 0.0
        for t in range(lo, hi):
            total += x[t]
        mean[i] = total / (hi - lo)
        if hi - lo > 1:
            ss = 0.0
            for t in range(lo, hi):
                d = x[t] - mean[i]
                ss += d * d
            sd[i] = math.sqrt(ss / (hi - lo - 1))
    return mean, sd


@njit(cache=True)
def theta_line(x, starts, ends, slope, intercept):
    """``2 x - (intercept + slope t)`` at ``t = 1..n`` per series (same layout as ``x``)."""
    out = np.zeros(x.size)
    for i in range(starts.size):
        for t in range(starts[i], ends[i]):
            out[t] = 2.0 * x[t] - (intercept[i] + slope[i] * (t - starts[i] + 1))
    return out


@njit(cache=True)
def segment_all_nonnegative(x, starts, ends):
    out = np.ones(starts.size, dtype=np.bool_)
    for i in range(starts.size):
        for t in range(starts[i], ends[i]):
            if x[t] < 0:
                out[i] = False
                break
    return out


@njit(cache=True)
def seasonal_mae(x, lo, hi, lag, rounding):
    """Mean ``|x_t - x_{t-lag}|`` over ``t`` in ``[lo[i] + lag, hi[i])`` for each range
    ``i`` (NaN when empty), each range summed on its own; 0 where the mean is at most
    ``rounding`` times the range's largest ``|x_t|`` (``metrics.ROUNDING_SCALE``)."""
    out = np.full(lo.size, np.nan)
    for i in range(lo.size):
        count = hi[i] - lo[i] - lag
        if count <= 0:
            continue
        total = 0.0
        peak = 0.0
        for t in range(lo[i], hi[i]):
            peak = max(peak, abs(x[t]))
            if t >= lo[i] + lag:
                total += abs(x[t] - x[t - lag])
        out[i] = 0.0 if total / count <= rounding * peak else total / count
    return out


# --------------------------------------------------------------------------- M4 decomposition
# The M4 seasonality test and classical decomposition of ``baselines.seasonality``, for
# every series in one call. The sums are taken in NumPy's order (pairwise summation
# for ``sum``/``mean``, BLAS dots for ``np.dot``/``np.convolve``, row by row for a sum
# over axis 0), so the adjusted series equal the reference's bit for bit.
_PAIRWISE_BLOCK = 128


@njit(cache=True)
def _block_sum(a, lo, n):
    """NumPy's sum of a run of at most 128 values: eight interleaved partial sums."""
    if n < 8:
        total = 0.0
        for i in range(lo, lo + n):
            total += a[i]
        return total
    r = a[lo : lo + 8].copy()
    i = 8
    while i < n - (n % 8):
        for j in range(8):
            r[j] += a[lo + i + j]
        i += 8
    total = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]))
    while i < n:
        total += a[lo + i]
        i += 1
    return total


@njit(cache=True)
def _pairwise_sum(a, lo, n):
    """``np.add.reduce(a[lo:lo + n])`` as NumPy sums a contiguous float64 run: halves
    (cut at a multiple of 8) summed apart down to blocks of 128. NumPy recurses; this
    walks the same tree with an explicit stack (numba's disk cache breaks recursion)."""
    if n <= _PAIRWISE_BLOCK:
        return _block_sum(a, lo, n)
    run_lo = np.empty(128, dtype=np.int64)
    run_n = np.empty(128, dtype=np.int64)
    expanded = np.zeros(128, dtype=np.bool_)
    sums = np.empty(128)
    top, done = 0, 0
    run_lo[0], run_n[0] = lo, n
    while top >= 0:
        start, count = run_lo[top], run_n[top]
        if count <= _PAIRWISE_BLOCK:
            sums[done] = _block_sum(a, start, count)
            done += 1
            top -= 1
        elif expanded[top]:  # both halves summed: left below right
            sums[done - 2] = sums[done - 2] + sums[done - 1]
            done -= 1
            top -= 1
        else:
            expanded[top] = True
            half = count // 2
            half -= half % 8
            run_lo[top + 1], run_n[top + 1], expanded[top + 1] = start + half, count - half, False
            run_lo[top + 2], run_n[top + 2], expanded[top + 2] = start, half, False
            top += 2
    return sums[0]


@njit(cache=True)
def _is_seasonal(x, m, tcrit):
    """The M4 90% autocorrelation test at lag ``m`` (``x`` at least ``3 m`` long)."""
    n = x.size
    centred = x - (0.0 + _pairwise_sum(x, 0, n)) / n
    denominator = np.dot(centred, centred)
    if denominator == 0.0:
        return False  # a constant series: every autocorrelation is 0
    squares = np.empty(m - 1)
    for k in range(1, m):
        r = np.dot(centred[k:], centred[: n - k]) / denominator
        squares[k - 1] = r * r
    r_m = np.dot(centred[m:], centred[: n - m]) / denominator
    limit = tcrit * math.sqrt((1.0 + 2.0 * (0.0 + _pairwise_sum(squares, 0, m - 1))) / n)
    return abs(r_m) > limit


@njit(cache=True)
def _seasonal_figure(x, m, multiplicative):
    """The ``m`` seasonal indices of ``x`` by classical decomposition (R's ``decompose``)."""
    n = x.size
    weights = np.full(m + 1, 1.0 / m) if m % 2 == 0 else np.full(m, 1.0 / m)
    if m % 2 == 0:
        weights[0] = 0.5 / m
        weights[m] = 0.5 / m
    half = weights.size // 2
    k = weights.size
    total = np.zeros(m)
    count = np.zeros(m, dtype=np.int64)
    for t in range(half, n - half):
        trend = np.dot(x[t - half : t - half + k], weights)
        j = t % m
        total[j] += x[t] / trend if multiplicative else x[t] - trend
        count[j] += 1
    figure = total / count
    mean = (0.0 + _pairwise_sum(figure, 0, m)) / m
    return figure / mean if multiplicative else figure - mean


@njit(cache=True)
def m4_deseasonalize(x, starts, ends, m, tcrit):
    """Seasonally adjust every series the M4 way.

    Returns ``(adjusted, tails, kinds)``: the adjusted values (same layout as ``x``),
    the last ``m`` indices per series and the kind per series (0 none, 1
    multiplicative, 2 additive: a series with a value <= 0). Series shorter than three
    seasons, or not seasonal by the test, are left as they are (kind 0).
    """
    n_series = starts.size
    adjusted = x.copy()
    tails = np.zeros((n_series, m))
    kinds = np.zeros(n_series, dtype=np.int64)
    if m == 1:
        return adjusted, tails, kinds
    for i in range(n_series):
        lo, hi = starts[i], ends[i]
        n = hi - lo
        if n < 3 * m:  # the test needs three seasons (decomposition two)
            continue
        values = x[lo:hi].copy()
        if not _is_seasonal(values, m, tcrit):
            continue
        positive = True
        for t in range(n):
            if values[t] <= 0:
                positive = False
                break
        figure = _seasonal_figure(values, m, positive)
        kinds[i] = 1 if positive else 2
        for t in range(n):
            adjusted[lo + t] = values[t] / figure[t % m] if positive else values[t] - figure[t % m]
        for j in range(m):
            tails[i, j] = figure[(n - m + j) % m]
    return adjusted, tails, kinds


@njit(cache=True)
def gather_flat_windows(values, n_columns, starts, n_in, future, n_future, n_out, out):
    """Fill row ``i`` of ``out`` with rows ``starts[i] + [0, n_in)`` of ``values`` and then
    rows ``starts[i] + n_in + [0, n_out)`` of ``future`` (both given flattened, row-major,
    with ``n_columns`` and ``n_future`` columns), each in (step, column) order: a window
    regressor's features written once in their final layout (a gather per part and a
    concatenation would write them three times). A window's rows are consecutive values
    of a row-major array, so each part is one slice copy."""
    past, ahead = n_in * n_columns, n_out * n_future
    for i in range(starts.size):
        start = starts[i]
        out[i, :past] = values[start * n_columns : start * n_columns + past]
        out[i, past:] = future[(start + n_in) * n_future : (start + n_in) * n_future + ahead]
    return out
