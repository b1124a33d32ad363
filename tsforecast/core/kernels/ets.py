"""Compiled non-seasonal exponential smoothing fitted as R's ``forecast::ets`` does.

The method of Hyndman, Koehler, Ord and Snyder (2008) and R's ``forecast::ets``
(which statsforecast's ``AutoETS`` follows): initial level and slope from a line
through the first ten values, smoothing parameters started at fixed fractions of their
bounds, all of them (initial states included) optimised by a bounded Nelder-Mead on
``n log(SSE)`` (plus ``2 sum log|forecast|`` for multiplicative errors), the form
chosen by AICc with ``k = parameters + states + 1``. Only the six non-seasonal forms
(errors A/M, trend N/A/Ad) are compiled here: the trend model of MSTL.

Every kernel takes one values array and the ``starts``/``ends`` offsets of its series
(see :class:`tsforecast.core.panel.Panel`) and fits all series in one call.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["FORMS", "fit_panel", "forecast_panel"]

#: The candidate forms as ``(multiplicative error, trend, damped)``, in search order.
FORMS = ((False, False, False), (False, True, False), (False, True, True),
         (True, False, False), (True, True, False), (True, True, True))

#: R's default bounds: smoothing parameters in [1e-4, 0.9999], damping in [0.8, 0.98].
SMOOTH_LOWER, SMOOTH_UPPER = 1e-4, 0.9999
PHI_LOWER, PHI_UPPER = 0.8, 0.98
#: Nelder-Mead: stop when the simplex' values spread less than this, or after this many steps.
TOLERANCE, MAX_STEPS = 1e-4, 1000
_TINY = 1e-10


@njit(cache=True)
def _likelihood(y, mul, trend, alpha, beta, phi, level, slope):
    """``n log(SSE) (+ 2 sum log|f|)`` of one-step errors, and the final level and slope."""
    sse, log_f = 0.0, 0.0
    for t in range(y.size):
        forecast = level + phi * slope if trend else level
        if mul:
            denominator = forecast if abs(forecast) >= _TINY else forecast + _TINY
            error = (y[t] - forecast) / denominator
        else:
            error = y[t] - forecast
        sse += error * error
        log_f += math.log(abs(forecast) if forecast != 0.0 else 1e-8)
        new_level = forecast + alpha * (y[t] - forecast)
        if trend:
            # the error-correction form R uses (the same for both error types)
            slope = phi * slope + (beta / alpha) * (new_level - level - phi * slope)
        level = new_level
    value = y.size * math.log(sse if sse > 0.0 else 1e-8)
    if mul:
        value += 2.0 * log_f
    return value, level, slope


@njit(cache=True)
def _unpack(p, trend, damped):
    """``(alpha, beta, phi, level0, slope0)`` from the optimiser's vector."""
    if not trend:
        return p[0], 0.0, 1.0, p[1], 0.0
    if damped:
        return p[0], p[1], p[2], p[3], p[4]
    return p[0], p[1], 1.0, p[2], p[3]


@njit(cache=True)
def _objective(p, y, mul, trend, damped):
    alpha, beta, phi, level, slope = _unpack(p, trend, damped)
    if trend and beta > alpha:  # R's check.param: beta < alpha
        return np.inf
    value = _likelihood(y, mul, trend, alpha, beta, phi, level, slope)[0]
    return value if math.isfinite(value) else np.inf


@njit(cache=True)
def _clamp(x, lower, upper):
    for i in range(x.size):
        x[i] = min(max(x[i], lower[i]), upper[i])
    return x


@njit(cache=True)
def _nelder_mead(x0, lower, upper, y, mul, trend, damped):
    """Bounded Nelder-Mead (points clamped to the box; adaptive coefficients of Gao and
    Han, 2012): the best point and its value."""
    n = x0.size
    expand, contract, shrink = 1.0 + 2.0 / n, 0.75 - 0.5 / n, 1.0 - 1.0 / n
    simplex = np.empty((n + 1, n))
    values = np.empty(n + 1)
    for i in range(n + 1):
        simplex[i] = _clamp(x0.copy(), lower, upper)
        if i > 0:
            v = simplex[i, i - 1]
            simplex[i, i - 1] = min(max(v * 1.05 if v != 0.0 else 1e-4, lower[i - 1]), upper[i - 1])
        values[i] = _objective(simplex[i], y, mul, trend, damped)
    for _ in range(MAX_STEPS):
        if np.std(values) < TOLERANCE:
            break
        order = np.argsort(values)
        best, worst, second = order[0], order[n], order[n - 1]
        centre = (simplex.sum(axis=0) - simplex[worst]) / n
        reflected = _clamp(2.0 * centre - simplex[worst], lower, upper)
        f_r = _objective(reflected, y, mul, trend, damped)
        if values[best] <= f_r < values[second]:
            simplex[worst], values[worst] = reflected, f_r
            continue
        if f_r < values[best]:
            expanded = _clamp(centre + expand * (reflected - centre), lower, upper)
            f_e = _objective(expanded, y, mul, trend, damped)
            if f_e < f_r:
                simplex[worst], values[worst] = expanded, f_e
            else:
                simplex[worst], values[worst] = reflected, f_r
            continue
        if f_r < values[worst]:  # outside contraction
            point = _clamp(centre + contract * (reflected - centre), lower, upper)
            f_c = _objective(point, y, mul, trend, damped)
            if f_c <= f_r:
                simplex[worst], values[worst] = point, f_c
                continue
        else:  # inside contraction
            point = _clamp(centre - contract * (reflected - centre), lower, upper)
            f_c = _objective(point, y, mul, trend, damped)
            if f_c < values[worst]:
                simplex[worst], values[worst] = point, f_c
                continue
        for i in range(n + 1):
            if i != best:
                simplex[i] = _clamp(simplex[best] + shrink * (simplex[i] - simplex[best]), lower, upper)
                values[i] = _objective(simplex[i], y, mul, trend, damped)
    best = np.argmin(values)
    return simplex[best].copy(), values[best]


@njit(cache=True)
def _start(y, trend, damped, max_beta):
    """R's starting point: alpha, beta, phi at fixed fractions of their bounds; level and
    slope from least squares on the first ``min(10, n)`` values."""
    k = min(10, y.size)
    alpha = SMOOTH_LOWER + 0.2 * (SMOOTH_UPPER - SMOOTH_LOWER)
    if not trend:
        return np.array([alpha, y[:k].mean()])
    t_mean = (k + 1) / 2.0
    y_mean = y[:k].mean()
    num, den = 0.0, 0.0
    for i in range(k):
        num += (i + 1 - t_mean) * (y[i] - y_mean)
        den += (i + 1 - t_mean) ** 2
    slope = num / den if den > 0.0 else 0.0
    level = y_mean - slope * t_mean
    if abs(level + slope) < 1e-8:  # keep the first forecast away from 0 (multiplicative errors)
        level, slope = level * (1 + 1e-3), slope * (1 - 1e-3)
    beta = SMOOTH_LOWER + 0.1 * (min(SMOOTH_UPPER, alpha, max_beta) - SMOOTH_LOWER)
    if damped:
        phi = PHI_LOWER + 0.99 * (PHI_UPPER - PHI_LOWER)
        return np.array([alpha, beta, phi, level, slope])
    return np.array([alpha, beta, level, slope])


@njit(cache=True)
def _bounds(trend, damped, size, max_beta):
    lower, upper = np.full(size, -np.inf), np.full(size, np.inf)
    n_smooth = 1 + trend + damped
    for i in range(1 + trend):
        lower[i], upper[i] = SMOOTH_LOWER, SMOOTH_UPPER if i == 0 else min(SMOOTH_UPPER, max_beta)
    if damped:
        lower[n_smooth - 1], upper[n_smooth - 1] = PHI_LOWER, PHI_UPPER
    return lower, upper


@njit(cache=True)
def _fit_one(y, allowed, max_beta):
    """The best allowed form of one series by AICc: ``(form, params[5], aicc)`` with
    params ``(alpha, beta, phi, level0, slope0)``; form -1 when none could be fitted."""
    n = y.size
    best_form, best_aicc, best = -1, np.inf, np.zeros(5)
    constant = True
    for t in range(1, n):
        constant = constant and y[t] == y[0]
    if constant:  # R fits ANN with alpha 0.9999 and no search
        best[0], best[2], best[3] = SMOOTH_UPPER, 1.0, y[0]
        return 0, best, np.inf
    positive = y.min() > 0.0
    for f in range(len(FORMS)):
        mul, trend, damped = FORMS[f]
        if not allowed[f] or (mul and not positive):
            continue
        x0 = _start(y, trend, damped, max_beta)
        k = x0.size + 1  # the parameters, the initial states and the error variance
        if k >= n - 1:
            continue
        lower, upper = _bounds(trend, damped, x0.size, max_beta)
        p, value = _nelder_mead(x0, lower, upper, y, mul, trend, damped)
        if not math.isfinite(value):
            continue
        aicc = value + 2.0 * k + 2.0 * k * (k + 1) / (n - k - 1)
        if aicc < best_aicc:
            best_form, best_aicc = f, aicc
            alpha, beta, phi, level, slope = _unpack(p, trend, damped)
            best[0], best[1], best[2], best[3], best[4] = alpha, beta, phi, level, slope
    return best_form, best, best_aicc


@njit(cache=True)
def fit_panel(x, starts, ends, allowed, max_beta):
    """Fit every series ``x[starts[i]:ends[i]]`` among the ``allowed`` forms (a mask over
    :data:`FORMS`), the slope's smoothing parameter at most ``max_beta`` (and ``alpha``).

    Returns ``(form, params, aicc, final)``: the chosen form's index (-1: none fitted),
    ``[series, 5]`` parameters ``(alpha, beta, phi, level0, slope0)``, the AICc and the
    ``[series, 2]`` level and slope after the last value.
    """
    n_series = starts.size
    forms = np.full(n_series, -1, dtype=np.int64)
    params = np.zeros((n_series, 5))
    aicc = np.full(n_series, np.inf)
    final = np.zeros((n_series, 2))
    for i in range(n_series):
        y = x[starts[i]:ends[i]]
        forms[i], params[i], aicc[i] = _fit_one(y, allowed, max_beta)
        if forms[i] >= 0:
            mul, trend, damped = FORMS[forms[i]]
            a, b, phi, level, slope = params[i]
            _, final[i, 0], final[i, 1] = _likelihood(y, mul, trend, a, b, phi, level, slope)
    return forms, params, aicc, final


def forecast_panel(final: np.ndarray, phi: np.ndarray, horizon: int) -> np.ndarray:
    """Point forecasts ``[series, horizon]``: level plus the damped sum of the slope
    (``phi = 1`` undamped; slope 0 without trend)."""
    steps = np.arange(1, horizon + 1)
    damping = np.cumsum(phi[:, None] ** steps[None, :], axis=1)
    return final[:, :1] + damping * final[:, 1:2]
