"""Exponential smoothing fitted as the M4 competition's R code fits it.

The M4 benchmarks call ``forecast::ses`` and ``forecast::holt``, that is ``ets`` with
the models ANN, AAN and AAdN, ``opt.crit = "mse"``, parameters bounded to
``[1e-4, 0.9999]`` (``beta <= alpha``; ``phi`` in ``[0.8, 0.98]``) and the initial
states optimised with the parameters by R's Nelder-Mead (``optim``'s ``nmmin``,
ported by ``forecast`` to C++ as ``etsNelderMead``).

- SES has one smoothing parameter: the mean squared error is minimised over the
  initial level in closed form (it enters linearly) and over ``alpha`` by a grid and
  Brent's method. This reaches R's optimum (the official M4 SES forecasts are
  reproduced to about 1e-5 relative; see the tests).
- Holt and damped Holt are fitted by :func:`nelder_mead`, a line-by-line port of
  R's ``nmmin`` started where ``ets`` starts (``alpha = 0.2``, ``beta = 0.02``,
  ``phi = 0.9782``, initial level and trend from a regression on the first 10
  values). R's optimiser often stops short of the best fit for these models, and the
  published M4 figures carry its answer, so only a faithful port reproduces them.

One-step errors of these linear models are computed by :func:`scipy.signal.lfilter`
(the innovations form is a 2nd-order recursive filter whose zero-input response is
fixed by the initial states), about 20 times faster than a Python loop.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter

try:  # lfilter without its argument checks: halves the cost of one SSE evaluation.
    from scipy.signal._sigtools import _linear_filter

    _linear_filter(np.ones(1), np.ones(1), np.ones(2), -1, np.zeros(0))  # still the signature we use?
except Exception:  # pragma: no cover - private scipy API moved or changed: use the public one
    _linear_filter = None

__all__ = [
    "LOWER",
    "UPPER",
    "PHI_LOWER",
    "PHI_UPPER",
    "ses_errors",
    "linear_errors",
    "fit_ses",
    "fit_ses_batch",
    "fit_linear",
    "linear_forecast",
    "variance_factors",
    "nelder_mead",
]

#: ``forecast::ets`` bounds of the smoothing parameters and of the damping ``phi``.
LOWER, UPPER = 1e-4, 0.9999
PHI_LOWER, PHI_UPPER = 0.8, 0.98
#: R's ``nmmin`` value for a point where the objective is not finite.
_BIG = 1.0e35
#: ``optim``'s default relative tolerance, ``sqrt(.Machine$double.eps)``.
_RELTOL = 1.490116119384765625e-08
_SES_GRID = np.linspace(LOWER, UPPER, 41)


def _filter(b, a, x, zi) -> np.ndarray:
    if _linear_filter is not None:
        return _linear_filter(
            np.asarray(b, dtype=np.float64), np.asarray(a, dtype=np.float64), x, -1,
            np.asarray(zi, dtype=np.float64),
        )[0]
    return lfilter(b, a, x, zi=zi)[0]  # pragma: no cover


def ses_errors(x: np.ndarray, alpha: float, level0: float) -> np.ndarray:
    """One-step errors of simple exponential smoothing (ANN) started at ``level0``."""
    return _filter([1.0, -1.0], [1.0, alpha - 1.0], x, [-level0])


def linear_errors(x: np.ndarray, alpha: float, beta: float, phi: float, level0: float, trend0: float) -> np.ndarray:
    """One-step errors of (damped) Holt's linear method (AAN / AAdN, ``phi = 1`` undamped).

    With ``l_t = l_{t-1} + phi b_{t-1} + alpha e_t`` and ``b_t = phi b_{t-1} + beta e_t``
    the error is ``x`` filtered by ``(1 - (1+phi) z + phi z^2) / (1 + (alpha + phi beta
    - 1 - phi) z + phi (1 - alpha) z^2)``, plus the response to the initial states,
    set through the filter's initial conditions.
    """
    a1 = alpha + phi * beta - 1.0 - phi
    a = [1.0, a1, phi * (1.0 - alpha)]
    s0 = -(level0 + phi * trend0)
    s1 = -(level0 * (1.0 - alpha - phi * beta) + trend0 * phi * (1.0 - alpha + phi - beta * phi))
    return _filter([1.0, -(1.0 + phi), phi], a, x, [s0, s1 + a1 * s0])


# --------------------------------------------------------------------------- SES
def _ses_profile(x: np.ndarray, alpha: float, start: float) -> tuple[float, float]:
    """(SSE, best initial level) for ``alpha``: the level enters the errors linearly.

    One filter call gives both the errors from the level ``start`` and their response
    to a unit change of the initial level, ``-(1 - alpha)^t``.
    """
    inputs = np.zeros((2, x.size))
    inputs[0] = x
    both = _filter([1.0, -1.0], [1.0, alpha - 1.0], inputs, [[-start], [-1.0]])
    errors, response = both[0], both[1]
    gain = np.dot(response, response)
    shift = -float(np.dot(errors, response) / gain)
    sse = float(np.dot(errors, errors)) - shift * shift * gain
    return max(sse, 0.0), start + shift


def _ses_result(x: np.ndarray, alpha: float, start: float) -> dict:
    sse, level0 = _ses_profile(x, alpha, start)
    errors = ses_errors(x, alpha, level0)
    level = x[-1] - (1.0 - alpha) * errors[-1]
    return {"alpha": alpha, "level0": level0, "level": float(level), "sse": sse, "n_params": 2}


def _ses_refine(x: np.ndarray, profile_on_grid: np.ndarray, start: float) -> dict:
    best = int(np.argmin(profile_on_grid))
    low, high = _SES_GRID[max(best - 1, 0)], _SES_GRID[min(best + 1, _SES_GRID.size - 1)]
    result = minimize_scalar(lambda a: _ses_profile(x, a, start)[0], bounds=(low, high),
                             method="bounded", options={"xatol": 1e-7})
    alpha = float(result.x)
    if not result.fun <= profile_on_grid[best]:  # Brent never worsens the grid's best point
        alpha = float(_SES_GRID[best])
    return _ses_result(x, alpha, start)


def fit_ses(x: np.ndarray) -> dict:
    """Fit SES by MSE as ``forecast::ses``; returns alpha, initial and final level, SSE."""
    return fit_ses_batch([x])[0]


def fit_ses_batch(series: list[np.ndarray]) -> list[dict]:
    """:func:`fit_ses` for many series: the grid stage filters all series at once."""
    lengths = np.array([s.size for s in series])
    starts = np.array([s[: min(10, s.size)].mean() for s in series])
    padded = np.zeros((len(series), int(lengths.max())))
    for row, s in zip(padded, series):
        row[: s.size] = s
    steps = np.arange(padded.shape[1])
    profiles = np.empty((len(series), _SES_GRID.size))
    for j, alpha in enumerate(_SES_GRID):
        # Filtering is causal, so the zero padding never reaches a series' own errors.
        errors = lfilter([1.0, -1.0], [1.0, alpha - 1.0], padded, axis=1, zi=-starts[:, None])[0]
        decay = np.power(1.0 - alpha, steps)
        for i, n in enumerate(lengths):
            e, d = errors[i, :n], decay[:n]
            ed = np.dot(e, d)
            profiles[i, j] = np.dot(e, e) - ed * ed / np.dot(d, d)
    return [_ses_refine(s, profiles[i], starts[i]) for i, s in enumerate(series)]


# --------------------------------------------------------------------------- Holt
def nelder_mead(fn, x0, *, maxit: int = 2000, reltol: float = _RELTOL, alpha: float = 1.0,
                beta: float = 0.5, gamma: float = 2.0) -> tuple[np.ndarray, float, int]:
    """R's ``nmmin`` (``optim(method = "Nelder-Mead")``), step for step.

    Returns ``(x, f(x), evaluations)``. The initial simplex steps every coordinate by a
    tenth of the largest ``|x0|``, as R does; non-finite values count as ``1e35``.
    """
    n = len(x0)
    x = np.array(x0, dtype=np.float64)

    def f(point):
        value = fn(point)
        return value if math.isfinite(value) else _BIG

    value = fn(x)
    if not math.isfinite(value):
        raise FloatingPointError("the objective is not finite at the starting point")
    convtol = reltol * (abs(value) + reltol)
    simplex = np.repeat(x[None, :], n + 1, axis=0)
    values = np.empty(n + 1)
    values[0] = value
    step = max(0.1 * float(np.max(np.abs(x))), 0.0) or 0.1
    size = 0.0
    for j in range(1, n + 1):
        trystep = step
        while simplex[j, j - 1] == x[j - 1]:
            simplex[j, j - 1] = x[j - 1] + trystep
            trystep *= 10
        size += trystep
    oldsize = size
    evaluations = 1
    low = 0
    calcvert = True
    while True:
        if calcvert:
            for j in range(n + 1):
                if j != low:
                    values[j] = f(simplex[j])
                    evaluations += 1
            calcvert = False
        # R scans from the current best vertex, keeping the first minimum it meets.
        vl = values[low]
        vh, high = vl, low
        for j in range(n + 1):
            if j != low:
                if values[j] < vl:
                    low, vl = j, values[j]
                if values[j] > vh:
                    high, vh = j, values[j]
        if vh <= vl + convtol:
            break
        centroid = (simplex.sum(axis=0) - simplex[high]) / n
        point = (1 + alpha) * centroid - alpha * simplex[high]
        vr = f(point)
        evaluations += 1
        if vr < vl:
            expanded = gamma * point + (1 - gamma) * centroid
            ve = f(expanded)
            evaluations += 1
            if ve < vr:
                simplex[high], values[high] = expanded, ve
            else:
                simplex[high], values[high] = point, vr
        else:
            if vr < vh:
                simplex[high], values[high] = point, vr
            contracted = (1 - beta) * simplex[high] + beta * centroid
            vc = f(contracted)
            evaluations += 1
            if vc < values[high]:
                simplex[high], values[high] = contracted, vc
            elif vr >= vh:
                calcvert = True
                simplex = beta * (simplex - simplex[low]) + simplex[low]
                size = float(np.abs(simplex - simplex[low]).sum())
                if size < oldsize:
                    oldsize = size
                else:
                    break
        if evaluations > maxit:
            break
    return simplex[low].copy(), float(values[low]), evaluations


def _initial_states(x: np.ndarray) -> tuple[float, float]:
    """``ets``' start: least-squares line through the first (up to) 10 values at t = 1..k."""
    k = min(10, x.size)
    if k < 2:
        return float(x[0]), 0.0
    slope, intercept = np.polyfit(np.arange(1.0, k + 1), x[:k], 1)
    return float(intercept), float(slope)


def fit_linear(x: np.ndarray, damped: bool) -> dict:
    """Fit Holt's linear method (``damped=False``) or its damped form by MSE as ``forecast::holt``.

    Returns the parameters, initial and final states, SSE and the number of fitted
    parameters. Raises :class:`FloatingPointError` if no finite fit is found.
    """
    n = x.size
    alpha0 = LOWER + 0.2 * (UPPER - LOWER)
    beta0 = LOWER + 0.1 * (min(UPPER, alpha0) - LOWER)
    phi0 = PHI_LOWER + 0.99 * (PHI_UPPER - PHI_LOWER)
    level0, trend0 = _initial_states(x)

    def objective(p):
        alpha, beta = p[0], p[1]
        phi, level, trend = (p[2], p[3], p[4]) if damped else (1.0, p[2], p[3])
        if not (LOWER <= alpha <= UPPER and LOWER <= beta <= alpha and beta <= UPPER):
            return math.inf
        if damped and not PHI_LOWER <= phi <= PHI_UPPER:
            return math.inf
        errors = linear_errors(x, alpha, beta, phi, level, trend)
        return float(np.dot(errors, errors)) / n

    start = [alpha0, beta0, phi0, level0, trend0] if damped else [alpha0, beta0, level0, trend0]
    p, mse, _ = nelder_mead(objective, start)
    if not math.isfinite(mse) or mse >= _BIG:
        raise FloatingPointError("Nelder-Mead found no finite fit")
    alpha, beta = float(p[0]), float(p[1])
    phi, level0, trend0 = (float(p[2]), float(p[3]), float(p[4])) if damped else (1.0, float(p[2]), float(p[3]))
    errors = linear_errors(x, alpha, beta, phi, level0, trend0)
    level = x[-1] - (1.0 - alpha) * errors[-1]
    trend = _filter([beta], [1.0, -phi], errors, [phi * trend0])[-1]
    return {"alpha": alpha, "beta": beta, "phi": phi, "level0": level0, "trend0": trend0,
            "level": float(level), "trend": float(trend), "sse": float(np.dot(errors, errors)),
            "n_params": 5 if damped else 4}


def linear_forecast(level: float, trend: float, phi: float, horizon: int) -> np.ndarray:
    """``l + (phi + phi^2 + ... + phi^h) b`` for ``h = 1..horizon``."""
    return level + trend * np.cumsum(np.power(phi, np.arange(1, horizon + 1)))


def variance_factors(alpha: float, beta: float, phi: float, horizon: int) -> np.ndarray:
    """``v_h / sigma^2 = 1 + sum_{j<h} c_j^2``, ``c_j = alpha + beta (phi + ... + phi^j)``:
    the forecast variance of the ANN/AAN/AAdN models (Hyndman et al. 2008, class 1)."""
    c = alpha + beta * np.cumsum(np.power(phi, np.arange(1, horizon)))
    return np.r_[1.0, 1.0 + np.cumsum(c * c)]
