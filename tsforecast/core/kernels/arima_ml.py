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

:func:`diffuse_likelihood` is R's own computation instead, as statsforecast copies it:
the undifferenced series, the differences in the state with a diffuse start, and the
ARMA part started from :func:`gardner_covariance`, the matrix of Gardner, Harvey &
Phillips' algorithm AS 154 (R's default ``SSinit = "Gardner1980"``). That matrix solves
the same equations, but for seasonal models with AR and MA parts it can be far from the
solution, with negative variances; R's likelihood is then undefined and ``auto.arima``
refuses the model.

The AR parts are optimised in R's transformed coordinates (``partrans``: partial
autocorrelations through ``tanh`` and the Durbin-Levinson recursion), so every step of
the optimiser stays stationary; the MA parts are not transformed, as in R.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from .arima import expand_polynomials, less_regression

__all__ = ["partrans", "inverse_partrans", "stationary_covariance", "gardner_covariance", "arma_likelihood",
           "diffuse_likelihood", "kalman_forecast", "integrate", "ml_objective", "ml_gradient", "untransform"]

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
def _rotate_in(row, work, value, diag, rbar, thetab):
    """Include the equation ``row . x = value`` in the square-root-free Givens
    factorisation ``(diag, rbar, thetab)`` (AS 154's ``inclu2``)."""
    size = row.size
    for i in range(size):
        work[i] = row[i]
    position = 0
    for i in range(size):
        xi = work[i]
        if xi == 0.0:
            position += size - i - 1
            continue
        di = diag[i]
        dpi = di + xi * xi
        diag[i] = dpi
        cbar, sbar = di / dpi, xi / dpi
        for k in range(i + 1, size):
            xk = work[k]
            work[k] = xk - xi * rbar[position]
            rbar[position] = cbar * rbar[position] + sbar * xk
            position += 1
        xk = value
        value = xk - xi * thetab[i]
        thetab[i] = cbar * thetab[i] + sbar * xk
        if di == 0.0:
            return


@njit(cache=True)
def gardner_covariance(phi, theta):
    """The state's start covariance as AS 154 (Gardner, Harvey & Phillips 1980) computes
    it, step for step as R's ``getQ0``: the equations ``vec(P) = vec(T P T') + vec(V)``
    (packed, reordered to bring leading zeros forward) solved by Givens rotations and
    back-substitution; for a pure MA, back-substitution alone."""
    phi_r, loads = _padded(phi, theta)
    r, p = phi_r.size, phi.size
    size = r * (r + 1) // 2
    packed_v = np.empty(size)
    k = 0
    for j in range(r):
        for i in range(j, r):
            packed_v[k] = loads[i] * loads[j]
            k += 1
    out = np.zeros((r, r))
    if r == 1:
        out[0, 0] = 1.0 / (1.0 - phi_r[0] ** 2) if p else 1.0
        return out
    packed = np.zeros(size)
    if p:
        rbar, thetab = np.zeros(size * (size - 1) // 2), np.zeros(size)
        row, work = np.zeros(size), np.zeros(size)
        k, k1, npr = 0, -1, size - r
        kj, k2 = npr, npr - 1
        for j in range(r):
            row[kj] = 0.0
            kj += 1
            ki = npr + 1 + j
            for i in range(j, r):
                value = packed_v[k]
                k += 1
                if j != r - 1:
                    row[kj] = -phi_r[i]
                    if i != r - 1:
                        row[ki] -= phi_r[j]
                        k1 += 1
                        row[k1] = -1.0
                row[npr] = -phi_r[i] * phi_r[j]
                k2 = 0 if k2 + 1 >= size else k2 + 1
                row[k2] += 1.0
                _rotate_in(row, work, value, packed, rbar, thetab)
                row[k2] = 0.0
                if i != r - 1:
                    row[ki] = 0.0
                    ki += 1
                    row[k1] = 0.0
        position, last = rbar.size - 1, size - 1
        for i in range(size):
            value = thetab[last]
            back = size - 1
            for _ in range(i):
                value -= rbar[position] * packed[back]
                position -= 1
                back -= 1
            packed[last] = value
            last -= 1
        first = packed[npr:npr + r].copy()  # undo the reordering: the first row moves to the front
        for i in range(npr):
            packed[size - 1 - i] = packed[npr - 1 - i]
        packed[:r] = first
    else:
        k, kn = size, size
        for i in range(r):
            for j in range(i + 1):
                k -= 1
                packed[k] = packed_v[k]
                if j:
                    kn -= 1
                    packed[k] += packed[kn]
    k = 0
    for i in range(r):  # packed by rows of the upper triangle
        for j in range(i, r):
            out[i, j] = packed[k]
            out[j, i] = packed[k]
            k += 1
    return out


@njit(cache=True)
def arma_likelihood(w, phi, theta):
    """Kalman filter of the zero-mean ARMA ``(phi, theta)`` on ``w`` (R's ``ARIMA_Like``
    without differences): the sum of squared standardised innovations, the sum of the
    logs of their variances and how many there are (``sigma2 = 1``)."""
    ssq, sumlog, count, _ = _kalman(w, phi, theta)
    return ssq, sumlog, count


@njit(cache=True)
def diffuse_likelihood(y, phi, theta, delta, start, kappa):
    """R's ``ARIMA_Like`` on the undifferenced series ``y`` (less its regression): the state
    is the ARMA part (its covariance ``start``) and the last ``len(delta)`` values of ``y``
    (variance ``kappa``, R's diffuse start), ``y_t = w_t + sum delta_j y_{t-j}``; steps whose
    innovation variance is 1e4 or more (the diffuse start) are left out of the sums. Returns
    the sum of squared standardised innovations, the sum of the logs of their variances and
    how many there are; count 0 where a variance is not positive (R's likelihood is NaN)."""
    phi_r, loads = _padded(phi, theta)
    r, d, n_phi, n_load = phi_r.size, delta.size, phi.size, theta.size + 1
    rd = r + d
    a, anew, gain_vec = np.zeros(rd), np.zeros(rd), np.zeros(rd)
    cov, pnew, tp = np.zeros((rd, rd)), np.zeros((rd, rd)), np.zeros((rd, rd))
    pnew[:r, :r] = start
    for i in range(d):
        pnew[r + i, r + i] = kappa
    ssq, sumlog, count = 0.0, 0.0, 0
    for t in range(y.size):
        for i in range(r):
            anew[i] = (a[i + 1] if i < r - 1 else 0.0) + (phi_r[i] * a[0] if i < n_phi else 0.0)
        if d:
            value = a[0]
            for k in range(d):
                value += delta[k] * a[r + k]
            for i in range(rd - 1, r, -1):
                anew[i] = a[i - 1]
            anew[r] = value
        if t > 0:  # pnew = T cov T' + V, by T's structure
            for j in range(rd):
                for i in range(r):
                    tp[i, j] = (phi_r[i] * cov[0, j] if i < n_phi else 0.0) + (cov[i + 1, j] if i < r - 1 else 0.0)
                if d:
                    value = cov[0, j]
                    for k in range(d):
                        value += delta[k] * cov[r + k, j]
                    tp[r, j] = value
                    for i in range(1, d):
                        tp[r + i, j] = cov[r + i - 1, j]
            for j in range(rd):
                for i in range(r):
                    pnew[j, i] = (phi_r[i] * tp[j, 0] if i < n_phi else 0.0) + (tp[j, i + 1] if i < r - 1 else 0.0)
                if d:
                    value = tp[j, 0]
                    for k in range(d):
                        value += delta[k] * tp[j, r + k]
                    pnew[j, r] = value
                    for i in range(1, d):
                        pnew[j, r + i] = tp[j, r + i - 1]
            for i in range(n_load):
                for j in range(n_load):
                    pnew[i, j] += loads[i] * loads[j]
        resid = y[t] - anew[0]
        for k in range(d):
            resid -= delta[k] * anew[r + k]
        for i in range(rd):
            value = pnew[i, 0]
            for k in range(d):
                value += pnew[i, r + k] * delta[k]
            gain_vec[i] = value
        f = gain_vec[0]
        for k in range(d):
            f += delta[k] * gain_vec[r + k]
        if not (f > 0.0) or not math.isfinite(f):
            return math.inf, 0.0, 0
        if f < 1e4:
            count += 1
            ssq += resid * resid / f
            sumlog += math.log(f)
        for i in range(rd):
            a[i] = anew[i] + gain_vec[i] * resid / f
        for i in range(rd):
            for j in range(rd):
                cov[i, j] = pnew[i, j] - gain_vec[i] * gain_vec[j] / f
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
