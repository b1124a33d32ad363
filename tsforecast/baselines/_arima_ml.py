"""One seasonal ARIMA fitted by exact Gaussian maximum likelihood, started from its CSS fit.

This is R's ``arima(method = "CSS-ML")``, what ``auto.arima(approximation = FALSE)`` and
statsforecast's ``AutoARIMA`` fit for every candidate: the CSS coefficients
(:func:`tsforecast.baselines._arima_fit.fit_css`) start a BFGS minimisation of the
concentrated exact likelihood of the differenced series (regression columns differenced
alike), computed in compiled code by :mod:`tsforecast.core.kernels.arima_ml`; the AIC,
AICc and BIC then come from that likelihood. As in R, a CSS fit whose AR part is not
stationary is refused, and so is a maximum-likelihood fit with an AR or MA root within
1.01 of the unit circle (``auto.arima``'s rule).

Also the same filter for fits that keep their CSS coefficients: their exact likelihood
(:func:`with_filter_likelihood`) and forecasts from the filter's state
(:func:`forecast_filtered`) instead of the CSS residual recursion.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.optimize import minimize

from ..core.kernels.arima import difference, expand_polynomials, integrated_ar
from ..core.kernels.arima_ml import (arma_likelihood, diffuse_likelihood, gardner_covariance, integrate,
                                     inverse_partrans, kalman_forecast, ml_gradient,
                                     ml_objective, untransform)
from ..core.silencing import silenced
from ._arima_fit import _ROOT_MARGIN, _min_model_root, coefficient_spread, criterion

__all__ = ["fit_ml", "exact_loglik", "with_filter_likelihood", "r_loglik", "with_r_likelihood", "forecast_filtered"]

#: BFGS iterations of one fit (R's ``optim`` default).
_MAX_ITERATIONS = 100


def _start(model: dict, p: int, q: int, big_p: int) -> np.ndarray | None:
    """The optimiser's values at the CSS coefficients (AR parts transformed); None when
    an AR part is not stationary (R stops with "non-stationary AR part from CSS")."""
    raw = np.array(model["coef"], dtype=np.float64)
    for first, size in ((0, p), (p + q, big_p)):
        if size:
            part = inverse_partrans(raw[first:first + size])
            if not np.all(np.isfinite(part)):
                return None
            raw[first:first + size] = part
    return raw


def fit_ml(css: dict, x: np.ndarray, z: np.ndarray) -> dict:
    """The CSS fit ``css`` of ``x`` (regression columns ``z``) refitted by exact maximum
    likelihood; its ``aic``/``aicc`` come from the exact log-likelihood (``loglik``),
    infinite for a refused model."""
    p, _, q, big_p, _, big_q = css["orders"]
    period = css["m"]
    refused = {**css, "aic": math.inf, "aicc": math.inf}
    raw = _start(css, p, q, big_p)
    if raw is None:
        return refused
    n_arma = p + q + big_p + big_q
    w, dz = _differenced(css, x, z)
    beta0 = raw[n_arma:].copy()
    scale = np.ones(dz.shape[1])
    if dz.shape[1]:  # the regression coefficients as changes from the CSS ones, in their units
        spread = coefficient_spread(dz)
        scale = np.where(spread > 0, 10 * spread * math.sqrt(max(css["sigma2"], 1e-300)), 1.0)
    w0 = np.ascontiguousarray(w - dz @ beta0 if dz.shape[1] else w)
    raw[n_arma:] = 0.0
    args = (w0, np.ascontiguousarray(dz), scale, p, q, big_p, big_q, period, np.empty(w.size))
    with silenced():  # a BFGS short of convergence still improves on its start
        result = minimize(ml_objective, raw, args=args, jac=ml_gradient, method="BFGS",
                          options={"maxiter": _MAX_ITERATIONS, "gtol": 1e-6})
    if not math.isfinite(float(result.fun)) or result.fun >= 1e9:
        return refused
    coef = untransform(np.asarray(result.x, dtype=np.float64), p, q, big_p)
    coef[n_arma:] = beta0 + scale * coef[n_arma:]
    return _scored(css, coef, np.ascontiguousarray(w - dz @ coef[n_arma:] if dz.shape[1] else w))


def _scored(css: dict, coef: np.ndarray, u: np.ndarray) -> dict:
    """The model at the optimum (``u``: the differenced series less its regression):
    ``sigma2`` and the log-likelihood from the filter, the criteria from the
    log-likelihood, or refused near the unit circle."""
    p, _, q, big_p, _, big_q = css["orders"]
    model = {**css, "coef": coef, "aic": math.inf, "aicc": math.inf}
    ar, ma = expand_polynomials(coef, p, q, big_p, big_q, css["m"])
    ssq, sumlog, count = arma_likelihood(u, ar, ma)
    if count <= 0 or not math.isfinite(ssq) or ssq <= 0:
        return model
    sigma2 = ssq / count
    loglik = -0.5 * (count * (math.log(2 * math.pi * sigma2) + 1) + sumlog)
    model.update(sigma2=sigma2, loglik=loglik)
    npar = coef.size + 1
    if u.size - npar - 1 <= 0 or _min_model_root(coef, tuple(css["orders"]), css["m"]) < _ROOT_MARGIN:
        return model
    model["aic"] = -2 * loglik + 2 * npar
    model["aicc"] = criterion(model, "aicc")
    return model


def _differenced(model: dict, x: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x`` and its regression columns ``z`` differenced by the model's ``d``, ``D``, ``m``."""
    _, d, _, _, big_d, _ = model["orders"]
    w = difference(x, d, big_d, model["m"])
    if not z.shape[1]:
        return w, np.zeros((w.size, 0))
    return w, difference(np.ascontiguousarray(z), d, big_d, model["m"])


def exact_loglik(model: dict, x: np.ndarray, z: np.ndarray) -> float:
    """The exact Gaussian log-likelihood of a fit at its own coefficients (``sigma2`` profiled out)."""
    p, _, q, big_p, _, big_q = model["orders"]
    coef = np.asarray(model["coef"], dtype=np.float64)
    w, dz = _differenced(model, x, z)
    u = w - dz @ coef[p + q + big_p + big_q:] if dz.shape[1] else w
    return _scored(model, coef, np.ascontiguousarray(u)).get("loglik", math.nan)


def with_filter_likelihood(model: dict, x: np.ndarray, z: np.ndarray) -> dict:
    """A fit whose AIC (and AICc) come from the exact Gaussian log-likelihood at its own
    coefficients (one pass of the compiled filter, no optimisation); infinite where the
    filter fails. The CSS fit's own refusals (non-stationary AR) stay refused."""
    return _rescored(model, x, z, exact_loglik)


def _rescored(model: dict, x: np.ndarray, z: np.ndarray, loglik_of) -> dict:
    """``model`` with its AIC and AICc from ``loglik_of(model, x, z)`` at its own
    coefficients; a refused fit stays refused, and so is one whose likelihood is undefined."""
    if not math.isfinite(model["aic"]):
        return model
    loglik = loglik_of(model, x, z)
    if not math.isfinite(loglik):
        return {**model, "aic": math.inf, "aicc": math.inf}
    scored = {**model, "loglik": loglik, "aic": -2 * loglik + 2 * (len(model["coef"]) + 1)}
    scored["aicc"] = criterion(scored, "aicc")
    return scored


#: R's ``kappa``: the variance of the diffuse start of the differenced part of the state.
_KAPPA = 1e6


def r_loglik(model: dict, x: np.ndarray, z: np.ndarray) -> float:
    """The Gaussian log-likelihood at the fit's coefficients as R's ``arima`` (and
    statsforecast's) computes it: the undifferenced series less its regression filtered
    with the differences in the state (diffuse start, variance 1e6) and the ARMA part
    started from AS 154's covariance (``SSinit = "Gardner1980"``); ``sigma2`` profiled out,
    ``n - d - D m`` observations. NaN where a variance of the filter is not positive."""
    p, d, q, big_p, big_d, big_q = model["orders"]
    coef = np.asarray(model["coef"], dtype=np.float64)
    beta = coef[p + q + big_p + big_q:]
    u = np.ascontiguousarray(x - z @ beta if beta.size else x, dtype=np.float64)
    ar, ma = expand_polynomials(coef, p, q, big_p, big_q, model["m"])
    delta = integrated_ar(np.zeros(0), d, big_d, model["m"])
    ssq, sumlog, count = diffuse_likelihood(u, ar, ma, delta, gardner_covariance(ar, ma), _KAPPA)
    used = u.size - delta.size
    if count <= 0 or not (ssq > 0) or not math.isfinite(ssq):
        return math.nan
    return -0.5 * used * (math.log(2 * math.pi) + 1 + math.log(ssq / count) + sumlog / count)


def with_r_likelihood(model: dict, x: np.ndarray, z: np.ndarray) -> dict:
    """A fit whose AIC (and AICc) come from :func:`r_loglik` at its own coefficients (one
    filter pass, no optimisation); refused (infinite) where R's likelihood is undefined,
    as R's ``auto.arima`` refuses such a model."""
    return _rescored(model, x, z, r_loglik)


def forecast_filtered(model: dict, x: np.ndarray, z: np.ndarray, z_future: np.ndarray, horizon: int) -> np.ndarray:
    """Point forecasts of a fit at its coefficients from the exact Kalman filter's state
    (statsmodels' ``SARIMAX`` forecasts at fixed parameters), where
    :func:`tsforecast.baselines._arima_fit.forecast_model` runs the CSS residual recursion
    from zero pre-sample errors: the two differ where an MA root is near the unit circle."""
    p, d, q, big_p, big_d, big_q = model["orders"]
    coef = np.asarray(model["coef"], dtype=np.float64)
    beta = coef[p + q + big_p + big_q:]
    u = np.ascontiguousarray(x - z @ beta if beta.size else x, dtype=np.float64)
    ar, ma = expand_polynomials(coef, p, q, big_p, big_q, model["m"])
    w_future = kalman_forecast(np.ascontiguousarray(difference(u, d, big_d, model["m"])), ar, ma, horizon)
    path = integrate(u, w_future, integrated_ar(np.zeros(0), d, big_d, model["m"]))
    return path + (z_future @ beta if beta.size else 0.0)
