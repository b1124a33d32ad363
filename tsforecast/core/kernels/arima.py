"""Compiled loops of seasonal ARIMA: the conditional sum of squares and the forecasts.

A model ``(p, d, q)(P, D, Q)m`` with regression coefficients ``beta`` on columns ``Z``
(intercept, drift, user regressors) is ``x_t = Z_t beta + u_t``, where ``u`` differenced
``d`` times at lag 1 and ``D`` times at lag ``m`` is the ARMA process
``phi(B) Phi(B^m) w_t = theta(B) Theta(B^m) e_t``. Signs follow R's ``arima``:
``w_t = sum ar_j w_{t-j} + e_t + sum ma_j e_{t-j}``.

The conditional sum of squares (CSS, R's ``method = "CSS"``) sets the innovations before
the first ``p + P m`` differenced values to zero and sums the squares of the others.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

__all__ = ["expand_polynomials", "css_minimize", "css_hessian", "css_residuals", "arima_forecast", "psi_weights",
           "difference", "less_regression"]

#: The objective answered for parameters whose residuals overflow (an explosive MA part):
#: large and finite, so the optimiser's line search backs off.
_BIG = 1e10
#: Central-difference step of the numerical gradient (R's ``optim`` uses 1e-3).
_STEP = 1e-4
#: R's ``vmmin`` constants: step reduction, acceptance tolerance, the scale below which
#: a parameter counts as unchanged, and the relative convergence tolerance.
_STEPREDN, _ACCTOL, _RELTEST, _RELTOL = 0.2, 1e-4, 10.0, 1e-8
#: Step of the Hessian's differences (R's ``optimhess`` default ``ndeps``).
_HESSIAN_STEP = 1e-3


@njit(cache=True)
def expand_polynomials(params, p, q, big_p, big_q, m):
    """The AR and MA polynomials ``phi(B) Phi(B^m)`` and ``theta(B) Theta(B^m)`` multiplied
    out: ``ar`` (length ``p + P m``) and ``ma`` (length ``q + Q m``), R's ``phi``/``theta``."""
    ar = np.zeros(p + big_p * m)
    ma = np.zeros(q + big_q * m)
    for i in range(p):
        ar[i] = params[i]
    for i in range(q):
        ma[i] = params[p + i]
    for j in range(big_p):
        seasonal = params[p + q + j]
        ar[(j + 1) * m - 1] += seasonal
        for i in range(p):
            ar[(j + 1) * m + i] -= seasonal * params[i]
    for j in range(big_q):
        seasonal = params[p + q + big_p + j]
        ma[(j + 1) * m - 1] += seasonal
        for i in range(q):
            ma[(j + 1) * m + i] += seasonal * params[p + i]
    return ar, ma


@njit(cache=True)
def _nonzero(coefficients):
    """Lags (from 1) and values of the non-zero coefficients: a seasonal polynomial
    multiplied out is mostly zeros, and the residual loop skips them."""
    count = 0
    for c in coefficients:
        count += 1 if c != 0.0 else 0
    lags = np.empty(count, dtype=np.int64)
    values = np.empty(count)
    k = 0
    for j in range(coefficients.size):
        if coefficients[j] != 0.0:
            lags[k], values[k] = j + 1, coefficients[j]
            k += 1
    return lags, values


@njit(cache=True)
def css_residuals(w, ar, ma, out):
    """Residuals of the ARMA ``(ar, ma)`` on ``w`` (zero before ``len(ar)``) into ``out``;
    returns the sum of their squares and how many there are."""
    n, n_ar = w.size, ar.size
    ar_lags, ar_values = _nonzero(ar)
    ma_lags, ma_values = _nonzero(ma)
    ssq = 0.0
    for t in range(n):
        if t < n_ar:
            out[t] = 0.0
            continue
        e = w[t]
        for j in range(ar_lags.size):
            e -= ar_values[j] * w[t - ar_lags[j]]
        for j in range(ma_lags.size):
            if ma_lags[j] <= t:
                e -= ma_values[j] * out[t - ma_lags[j]]
        out[t] = e
        ssq += e * e
    return ssq, n - n_ar


@njit(cache=True)
def less_regression(params, w0, dz, scale, n_arma, work):
    """``w0`` less its regression ``dz (scale * params[n_arma:])``, into ``work``."""
    for t in range(w0.size):
        work[t] = w0[t]
    for k in range(dz.shape[1]):
        coefficient = scale[k] * params[n_arma + k]
        for t in range(w0.size):
            work[t] -= dz[t, k] * coefficient


@njit(cache=True)
def _css_value(params, w0, dz, scale, p, q, big_p, big_q, m, work, resid):
    less_regression(params, w0, dz, scale, p + q + big_p + big_q, work)
    ar, ma = expand_polynomials(params, p, q, big_p, big_q, m)
    ssq, count = css_residuals(work, ar, ma, resid)
    if count <= 0 or not math.isfinite(ssq) or ssq > 1e300:
        return _BIG
    if ssq <= 0.0:
        return -_BIG
    return 0.5 * math.log(ssq / count)


@njit(cache=True)
def _css_gradient(params, w0, dz, scale, p, q, big_p, big_q, m, work, resid, grad):
    """Central differences of the objective (R's ``optim`` without a gradient does the same)."""
    shifted = params.copy()
    for k in range(params.size):
        shifted[k] = params[k] + _STEP
        upper = _css_value(shifted, w0, dz, scale, p, q, big_p, big_q, m, work, resid)
        shifted[k] = params[k] - _STEP
        lower = _css_value(shifted, w0, dz, scale, p, q, big_p, big_q, m, work, resid)
        shifted[k] = params[k]
        grad[k] = (upper - lower) / (2.0 * _STEP)


@njit(cache=True)
def css_minimize(start, w0, dz, scale, p, q, big_p, big_q, m, maxit):
    """Minimise ``0.5 log(CSS / n)`` from ``start`` by R's variable-metric BFGS (``vmmin``
    of ``optim(method = "BFGS")``: backtracking by 0.2, relative tolerance 1e-8, the
    inverse Hessian reset when a step fails), all compiled.

    ``w0`` is the differenced series, ``dz`` the differenced regression columns and
    ``scale`` the units of their coefficients: the parameters after the ARMA ones are
    ``beta / scale``, so every parameter has a similar scale. Returns the parameters
    and the objective there.
    """
    n = start.size
    work, resid = np.empty(w0.size), np.empty(w0.size)
    b = start.copy()
    f = _css_value(b, w0, dz, scale, p, q, big_p, big_q, m, work, resid)
    if n == 0 or not math.isfinite(f):
        return b, f
    g, c, t = np.empty(n), np.empty(n), np.empty(n)
    _css_gradient(b, w0, dz, scale, p, q, big_p, big_q, m, work, resid, g)
    inverse = np.eye(n)
    gradcount, ilast, iterations = 1, 1, 0
    while True:
        if ilast == gradcount:
            inverse[:] = np.eye(n)
        x = b.copy()
        c[:] = g
        t[:] = -(inverse @ g)
        gradproj = t @ g
        count = n
        if gradproj < 0.0:
            steplength, accepted, f_new = 1.0, False, f
            while True:
                count = 0
                for i in range(n):
                    b[i] = x[i] + steplength * t[i]
                    count += 1 if _RELTEST + x[i] == _RELTEST + b[i] else 0
                if count < n:
                    f_new = _css_value(b, w0, dz, scale, p, q, big_p, big_q, m, work, resid)
                    accepted = math.isfinite(f_new) and f_new <= f + gradproj * steplength * _ACCTOL
                    if not accepted:
                        steplength *= _STEPREDN
                if count == n or accepted:
                    break
            if count < n and abs(f_new - f) <= _RELTOL * (abs(f) + _RELTOL):
                count, f = n, f_new  # no progress left: stop after one more try from a reset metric
            if count < n:
                f = f_new
                _css_gradient(b, w0, dz, scale, p, q, big_p, big_q, m, work, resid, g)
                gradcount += 1
                iterations += 1
                t *= steplength
                c[:] = g - c
                d1 = t @ c
                if d1 > 0.0:
                    bc = inverse @ c
                    d2 = 1.0 + (c @ bc) / d1
                    inverse += (d2 * np.outer(t, t) - np.outer(bc, t) - np.outer(t, bc)) / d1
                else:
                    ilast = gradcount
            elif ilast < gradcount:
                count, ilast = 0, gradcount
        else:
            count = 0
            if ilast == gradcount:
                count = n
            else:
                ilast = gradcount
        if iterations >= maxit:
            break
        if gradcount - ilast > 2 * n:
            ilast = gradcount
        if count == n and ilast == gradcount:
            break
    return b, f


@njit(cache=True)
def css_hessian(params, w0, dz, scale, p, q, big_p, big_q, m):
    """The objective's Hessian by central differences of its gradient (R's ``optimhess``
    with ``ndeps = 1e-3``), made symmetric."""
    n = params.size
    work, resid = np.empty(w0.size), np.empty(w0.size)
    hessian = np.empty((n, n))
    upper, lower = np.empty(n), np.empty(n)
    shifted = params.copy()
    for j in range(n):
        shifted[j] = params[j] + _HESSIAN_STEP
        _css_gradient(shifted, w0, dz, scale, p, q, big_p, big_q, m, work, resid, upper)
        shifted[j] = params[j] - _HESSIAN_STEP
        _css_gradient(shifted, w0, dz, scale, p, q, big_p, big_q, m, work, resid, lower)
        shifted[j] = params[j]
        for i in range(n):
            hessian[i, j] = (upper[i] - lower[i]) / (2.0 * _HESSIAN_STEP)
    return 0.5 * (hessian + hessian.T)


@njit(cache=True)
def difference(x, d, big_d, m):
    """``x`` differenced ``d`` times at lag 1, then ``D`` times at lag ``m`` (each row if 2-D)."""
    out = x.copy()
    for _ in range(d):
        out = out[1:] - out[:-1]
    for _ in range(big_d):
        out = out[m:] - out[:-m]
    return out


@njit(cache=True)
def integrated_ar(ar, d, big_d, m):
    """The AR polynomial of ``u`` itself: ``ar`` times ``(1 - B)^d (1 - B^m)^D``."""
    full = np.zeros(ar.size + 1)  # coefficients of 1 - sum ar_j B^j, ascending powers
    full[0] = 1.0
    for j in range(ar.size):
        full[j + 1] = -ar[j]
    for _ in range(d):
        nxt = np.zeros(full.size + 1)
        nxt[:-1] += full
        nxt[1:] -= full
        full = nxt
    for _ in range(big_d):
        nxt = np.zeros(full.size + m)
        nxt[:-m] += full
        nxt[m:] -= full
        full = nxt
    return -full[1:]


@njit(cache=True)
def psi_weights(ar_full, ma, horizon):
    """The MA(infinity) weights ``psi_0 .. psi_{h-1}`` of ``(ar_full, ma)`` (``psi_0 = 1``)."""
    psi = np.zeros(horizon)
    psi[0] = 1.0
    for j in range(1, horizon):
        value = ma[j - 1] if j - 1 < ma.size else 0.0
        for i in range(min(j, ar_full.size)):
            value += ar_full[i] * psi[j - i - 1]
        psi[j] = value
    return psi


@njit(cache=True)
def arima_forecast(u, resid, ar_full, ma, horizon):
    """Forecasts of ``u`` for ``horizon`` steps from its AR polynomial including the
    differences (``ar_full``), the MA polynomial and the last residuals (``resid``, aligned
    with the end of ``u``); future innovations are zero."""
    n = u.size
    path = np.concatenate((u, np.zeros(horizon)))
    shocks = np.concatenate((resid, np.zeros(horizon)))
    offset = n - resid.size
    for h in range(horizon):
        t = n + h
        value = 0.0
        for j in range(ar_full.size):
            if t - j - 1 >= 0:
                value += ar_full[j] * path[t - j - 1]
        for j in range(ma.size):
            s = t - j - 1 - offset
            if s >= 0:
                value += ma[j] * shocks[s]
        path[t] = value
    return path[n:]
