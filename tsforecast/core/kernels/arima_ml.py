"""Compiled exact Gaussian likelihood of a seasonal ARMA, as R's ``arima`` computes it.

The ARMA part ``w_t = sum phi_j w_{t-j} + e_t + sum theta_j e_{t-j}`` (the polynomials
multiplied out by :func:`tsforecast.core.kernels.arima.expand_polynomials`) is put in
Harvey's state-space form of dimension ``r = max(p, q + 1)`` (R's ``makeARIMA``): the
transition is the companion matrix of ``phi``, the disturbance loads ``(1, theta)``. The
state starts from its stationary covariance, the sum ``sum_k T^k V T'^k`` by doubling
(R uses Gardner et al.'s algorithm for the same matrix), and the Kalman filter of R's
``ARIMA_Like`` gives the innovations, their variances ``F_t`` (in units of ``sigma2``) and
the concentrated objective ``0.5 (log(S / n) + sum log F_t / n)`` with ``S = sum v_t^2 / F_t``
that R's ``arima(method = "ML")`` minimises. The filter stops updating the covariance
once it has converged (the remaining steps then use the steady gain, as statsmodels does).
The filtered state after the last observation gives the forecasts (:func:`kalman_forecast`).

The AR parts are optimised in R's transformed coordinates (``partrans``: partial
autocorrelations through ``tanh`` and the Durbin-Levinson recursion), so every step of
the optimiser stays stationary; the MA parts are not transformed, as in R.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .arima import expand_polynomials, less_regression

__all__ = ["partrans", "inverse_partrans", "stationary_covariance", "arma_likelihood", "kalman_forecast",
           "integrate", "ml_objective", "ml_gradient", "untransform"]

#: The objective answered where the likelihood is undefined (an explosive or degenerate
#: model): large and finite, so the optimiser's line search backs off.
_BIG = 1e10
#: Doubling steps of the stationary covariance (2^60 terms of the sum: enough for any
#: stationary model the transformed coordinates can reach in floating point).
_DOUBLINGS = 60
#: Change of the predicted covariance below which the filter counts it as converged.
_STEADY = 1e-12
#: Central-difference step of the numerical gradient (R's ``optim`` default ``ndeps``).
_STEP = 1e-3


@njit(cache=True)
def partrans(raw):
    """AR coefficients of a stationary model from unconstrained values (R's ``partrans``):
    ``tanh`` gives partial autocorrelations, the Durbin-Levinson recursion the coefficients."""
    p = raw.size
    new = np.tanh(raw)
    work = new.copy()
    for j in range(1, p):
        a = new[j]
        for k in range(j):
            work[k] -= a * new[j - k - 1]
        for k in range(j):
            new[k] = work[k]
    return new


@njit(cache=True)
def inverse_partrans(phi):
    """The unconstrained values of stationary AR coefficients ``phi`` (R's ``invpartrans``);
    NaN where ``phi`` is not stationary."""
    p = phi.size
    new = phi.copy()
    work = phi.copy()
    for j in range(p - 1, 0, -1):
        a = new[j]
        if abs(a) >= 1.0:
            return np.full(p, np.nan)
        for k in range(j):
            work[k] = (new[k] + a * new[j - k - 1]) / (1.0 - a * a)
        for k in range(j):
            new[k] = work[k]
    for j in range(p):
        if abs(new[j]) >= 1.0:
            return np.full(p, np.nan)
        new[j] = math.atanh(new[j])
    return new


@njit(cache=True)
def untransform(raw, p, q, big_p):
    """The model's coefficients from the optimiser's values: the non-seasonal and the
    seasonal AR parts through :func:`partrans`, the rest unchanged."""
    out = raw.copy()
    if p:
        out[:p] = partrans(raw[:p])
    if big_p:
        out[p + q:p + q + big_p] = partrans(raw[p + q:p + q + big_p])
    return out


@njit(cache=True)
def _padded(phi, theta):
    r = max(phi.size, theta.size + 1)
    phi_r, theta_r = np.zeros(r), np.zeros(r)
    phi_r[:phi.size] = phi
    theta_r[0] = 1.0
    theta_r[1:theta.size + 1] = theta
    return phi_r, theta_r


@njit(cache=True)
def stationary_covariance(phi, theta):
    """The state's stationary covariance ``P = T P T' + V`` (``sigma2 = 1``) by doubling;
    ``ok`` False when the sum does not converge (a model on or beyond the unit circle)."""
    phi_r, loads = _padded(phi, theta)
    r = phi_r.size
    power = np.zeros((r, r))
    for i in range(r):
        power[i, 0] = phi_r[i]
        if i + 1 < r:
            power[i, i + 1] = 1.0
    cov = np.outer(loads, loads)
    for _ in range(_DOUBLINGS):
        step = power @ cov @ power.T
        cov += step
        change = np.max(np.abs(step))
        if not math.isfinite(change):
            return cov, False
        if change <= 1e-15 * max(1.0, np.max(np.abs(cov))):
            return cov, True
        power = power @ power
    return cov, False


@njit(cache=True)
def arma_likelihood(w, phi, theta):
    """Kalman filter of the zero-mean ARMA ``(phi, theta)`` on ``w`` (R's ``ARIMA_Like``
    without differences): the sum of squared standardised innovations, the sum of the
    logs of their variances and how many there are (``sigma2 = 1``)."""
    ssq, sumlog, count, _ = _kalman(w, phi, theta)
    return ssq, sumlog, count


@njit(cache=True)
def kalman_forecast(w, phi, theta, horizon):
    """Forecasts of ``w`` at steps 1..horizon from the Kalman filter's state after the last
    observation (the conditional means of the exact Gaussian model, as statsmodels' and R's
    ``predict``); NaN where the filter fails (a model on or beyond the unit circle)."""
    _, _, count, a = _kalman(w, phi, theta)
    out = np.full(horizon, np.nan)
    if count <= 0 and w.size > 0:
        return out
    r = a.size
    for h in range(horizon):
        first = a[0]
        for i in range(r):
            value = a[i + 1] if i < r - 1 else 0.0
            if i < phi.size:
                value += phi[i] * first
            a[i] = value
        out[h] = a[0]
    return out


@njit(cache=True)
def integrate(u, w_future, delta):
    """The path of ``u`` whose differences (``u_t - sum delta_j u_{t-j}``, ``delta`` from
    :func:`tsforecast.core.kernels.arima.integrated_ar` of no AR part) are ``w_future``."""
    n, k = u.size, delta.size
    path = np.empty(n + w_future.size)
    path[:n] = u
    for t in range(w_future.size):
        value = w_future[t]
        for j in range(k):
            value += delta[j] * path[n + t - j - 1]
        path[n + t] = value
    return path[n:]


@njit(cache=True)
def _kalman(w, phi, theta):
    """The filter of :func:`arma_likelihood`, also returning the filtered state after the
    last observation (zeros where the model has no stationary covariance)."""
    phi_r, loads = _padded(phi, theta)
    r = phi_r.size
    cov, ok = stationary_covariance(phi, theta)
    if not ok:
        return math.inf, 0.0, 0, np.zeros(r)
    n_phi = phi.size
    a, anew = np.zeros(r), np.zeros(r)
    pnew = cov.copy()  # the first prediction's covariance is the stationary one
    filt = np.empty((r, r))
    gain_vec = np.empty(r)
    ssq, sumlog, steady = 0.0, 0.0, False
    for t in range(w.size):
        for i in range(r):
            value = a[i + 1] if i < r - 1 else 0.0
            if i < n_phi:
                value += phi_r[i] * a[0]
            anew[i] = value
        if t > 0 and not steady:
            change = 0.0
            for i in range(r):
                for j in range(i, r):
                    value = loads[i] * loads[j]
                    if i < n_phi and j < n_phi:
                        value += phi_r[i] * phi_r[j] * filt[0, 0]
                    if i < r - 1 and j < r - 1:
                        value += filt[i + 1, j + 1]
                    if i < n_phi and j < r - 1:
                        value += phi_r[i] * filt[j + 1, 0]
                    if j < n_phi and i < r - 1:
                        value += phi_r[j] * filt[i + 1, 0]
                    change = max(change, abs(value - pnew[i, j]))
                    pnew[i, j] = value
                    pnew[j, i] = value
            steady = change <= _STEADY
        f = pnew[0, 0]
        if not (f > 0.0) or not math.isfinite(f):
            return math.inf, 0.0, 0, a
        resid = w[t] - anew[0]
        ssq += resid * resid / f
        sumlog += math.log(f)
        for i in range(r):
            gain_vec[i] = pnew[i, 0]
            a[i] = anew[i] + gain_vec[i] * resid / f
        if not steady:
            for i in range(r):
                for j in range(r):
                    filt[i, j] = pnew[i, j] - gain_vec[i] * gain_vec[j] / f
    return ssq, sumlog, w.size, a


@njit(cache=True)
def ml_objective(raw, w0, dz, scale, p, q, big_p, big_q, m, work):
    """R's ``armafn``: ``0.5 (log(S / n) + sum log F_t / n)`` of the series ``w0`` less its
    regression ``dz (scale * raw[n_arma:])``, at the optimiser's values ``raw``."""
    less_regression(raw, w0, dz, scale, p + q + big_p + big_q, work)
    params = untransform(raw, p, q, big_p)
    ar, ma = expand_polynomials(params, p, q, big_p, big_q, m)
    ssq, sumlog, count = arma_likelihood(work, ar, ma)
    if count <= 0 or not math.isfinite(ssq) or ssq <= 0.0 or ssq > 1e300:
        return _BIG
    return 0.5 * (math.log(ssq / count) + sumlog / count)


@njit(cache=True)
def ml_gradient(raw, w0, dz, scale, p, q, big_p, big_q, m, work):
    """Central differences of :func:`ml_objective` (R's ``optim`` without a gradient)."""
    grad = np.empty(raw.size)
    shifted = raw.copy()
    for k in range(raw.size):
        shifted[k] = raw[k] + _STEP
        upper = ml_objective(shifted, w0, dz, scale, p, q, big_p, big_q, m, work)
        shifted[k] = raw[k] - _STEP
        lower = ml_objective(shifted, w0, dz, scale, p, q, big_p, big_q, m, work)
        shifted[k] = raw[k]
        grad[k] = (upper - lower) / (2.0 * _STEP)
    return grad
