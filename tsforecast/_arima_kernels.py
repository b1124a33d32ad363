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

__all__ = ["expand_polynomials", "css_value_and_gradient", "css_residuals", "arima_forecast", "psi_weights",
           "difference"]

#: The objective answered for parameters whose residuals overflow (an explosive MA part):
#: large and finite, so the optimiser's line search backs off.
_BIG = 1e10
#: Central-difference step of the numerical gradient (R's ``optim`` uses 1e-3).
_STEP = 1e-4


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
def css_residuals(w, ar, ma, out):
    """Residuals of the ARMA ``(ar, ma)`` on ``w`` (zero before ``len(ar)``) into ``out``;
    returns the sum of their squares and how many there are."""
    n, n_ar, n_ma = w.size, ar.size, ma.size
    ssq = 0.0
    for t in range(n):
        if t < n_ar:
            out[t] = 0.0
            continue
        e = w[t]
        for j in range(n_ar):
            e -= ar[j] * w[t - j - 1]
        for j in range(min(t, n_ma)):
            e -= ma[j] * out[t - j - 1]
        out[t] = e
        ssq += e * e
    return ssq, n - n_ar


@njit(cache=True)
def _css_value(params, w0, dz, scale, p, q, big_p, big_q, m, work, resid):
    n_arma = p + q + big_p + big_q
    for t in range(w0.size):
        work[t] = w0[t]
    for k in range(dz.shape[1]):
        coefficient = scale[k] * params[n_arma + k]
        for t in range(w0.size):
            work[t] -= dz[t, k] * coefficient
    ar, ma = expand_polynomials(params, p, q, big_p, big_q, m)
    ssq, count = css_residuals(work, ar, ma, resid)
    if count <= 0 or not math.isfinite(ssq) or ssq > 1e300:
        return _BIG
    if ssq <= 0.0:
        return -_BIG
    return 0.5 * math.log(ssq / count)


@njit(cache=True)
def css_value_and_gradient(params, w0, dz, scale, p, q, big_p, big_q, m):
    """``0.5 log(CSS / n)`` (R's CSS objective) and its central-difference gradient.

    ``w0`` is the differenced series, ``dz`` the differenced regression columns and
    ``scale`` the units of their coefficients (the parameters after the ARMA ones are
    ``beta / scale``, so the optimiser sees every parameter on a similar scale).
    """
    work = np.empty(w0.size)
    resid = np.empty(w0.size)
    value = _css_value(params, w0, dz, scale, p, q, big_p, big_q, m, work, resid)
    grad = np.zeros(params.size)
    shifted = params.copy()
    for k in range(params.size):
        shifted[k] = params[k] + _STEP
        upper = _css_value(shifted, w0, dz, scale, p, q, big_p, big_q, m, work, resid)
        shifted[k] = params[k] - _STEP
        lower = _css_value(shifted, w0, dz, scale, p, q, big_p, big_q, m, work, resid)
        shifted[k] = params[k]
        grad[k] = (upper - lower) / (2.0 * _STEP)
    return value, grad


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
