"""One seasonal ARIMA with regression terms, fitted by conditional sum of squares.

The fit is R's ``arima(method = "CSS")``: the regression coefficients start from least
squares on the differenced data, the ARMA coefficients from zero, and SciPy's BFGS
minimises ``0.5 log(CSS / n)`` computed by :mod:`tsforecast.core.kernels.arima`. The
information criteria are those ``forecast::auto.arima`` gives CSS fits
(``nstar log(sigma2) + 2 npar`` with ``nstar = n - d - D m``), and a fit with an AR or MA
root within 1.01 of the unit circle is refused (criterion infinite), as there.

Also the differencing tests of the automatic search: KPSS for ``d`` (level
stationarity, ``floor(3 sqrt(n) / 13)`` lags, 5% level by default) and the seasonal strength of an
STL decomposition for ``D`` (difference when above 0.64), as ``forecast::ndiffs`` /
``nsdiffs`` and statsforecast, or else the OCSB seasonal unit-root test as R's
``nsdiffs(test = "ocsb")`` runs it.
"""

from __future__ import annotations

import math

import numpy as np

from ..core.kernels.arima import (arima_forecast, css_hessian, css_minimize, css_residuals, difference,
                              expand_polynomials, integrated_ar, psi_weights)
from ..core.kernels.stl import stl_seasonal
from ..core.silencing import silenced
from ._units import coefficients_back, standard_columns

__all__ = ["fit_css", "coefficient_spread", "forecast_model", "forecast_std", "ndiffs", "nsdiffs", "ocsb_statistic",
           "refit_ml", "criterion", "with_exact_likelihood", "nested_start"]

#: KPSS critical values by level (level stationarity), Kwiatkowski et al. (1992), table 1.
KPSS_CRITICAL = {0.01: 0.739, 0.025: 0.574, 0.05: 0.463, 0.1: 0.347}
#: Seasonal strength above which one seasonal difference is taken (Wang, Smith & Hyndman 2006).
_SEASONAL_STRENGTH = 0.64
#: A root this close to the unit circle rules a model out (R's ``myarima``).
_ROOT_MARGIN = 1.01
#: BFGS iterations of one fit (R's ``optim`` default).
_MAX_ITERATIONS = 100
#: Iterations of the exact maximum-likelihood refit (it starts from the CSS optimum).
_ML_ITERATIONS = 50
#: Seasonal LOESS window of the strength test's STL (``forecast::mstl``'s first).
_STL_WINDOW = 11
#: Most lags of the OCSB regression (R's ``nsdiffs`` passes ``maxlag = 3``).
_OCSB_MAX_LAG = 3


def is_constant(x: np.ndarray) -> bool:
    return x.size == 0 or bool(np.all(x == x[0]))


def kpss_rejects(x: np.ndarray, alpha: float = 0.05) -> bool:
    """KPSS test of level stationarity rejected at level ``alpha`` (a key of :data:`KPSS_CRITICAL`)."""
    n = x.size
    lags = math.floor(3 * math.sqrt(n) / 13)
    e = x - x.mean()
    eta = float(np.sum(np.cumsum(e) ** 2)) / n**2
    s2 = float(e @ e)
    for k in range(1, lags + 1):
        s2 += 2 * (1 - k / (lags + 1)) * float(e[k:] @ e[:-k])
    s2 /= n
    return s2 > 0 and eta / s2 > KPSS_CRITICAL[alpha]


def ndiffs(x: np.ndarray, max_d: int, alpha: float = 0.05) -> int:
    """Differences at lag 1 until KPSS (at level ``alpha``) no longer rejects (at most ``max_d``)."""
    d = 0
    if is_constant(x):
        return 0
    while d < max_d and x.size > 2 and kpss_rejects(x, alpha):
        d += 1
        x = np.diff(x)
        if is_constant(x):
            break
    return d


def seasonal_strength(x: np.ndarray, m: int) -> float:
    """``1 - var(remainder) / var(remainder + seasonal)`` of an STL decomposition."""
    # statsmodels' default trend and low-pass spans (odd), as the MSTL kernels use
    trend_span = math.ceil(1.5 * m / (1.0 - 1.5 / _STL_WINDOW))
    trend_span += 1 - trend_span % 2
    low_pass = m + 1 + (1 - (m + 1) % 2)
    seasonal, trend = stl_seasonal(np.ascontiguousarray(x, dtype=np.float64), m, _STL_WINDOW, trend_span,
                                   low_pass, 0, 5)
    detrended = x - trend
    total = np.var(detrended, ddof=1)
    if total <= 0:
        return 0.0
    return float(max(0.0, min(1.0, 1 - np.var(detrended - seasonal, ddof=1) / total)))


def ocsb_critical(m: int) -> float:
    """The OCSB test's 5% critical value for period ``m`` (R's ``calcOCSBCritVal``, smoothed simulations)."""
    log_m = math.log(m) - 0.7656451
    return -0.2937411 * math.exp(-0.2850853 * log_m - 0.05983644 * log_m**2) - 1.652202


def _ocsb_regression(x: np.ndarray, m: int, lag: int, first: int) -> tuple[float, float]:
    """AIC and the t value of ``Z5`` of the OCSB regression over the times ``first .. n - 1``.

    ``(1 - B)(1 - B^m) x_t`` is regressed (no intercept) on its ``lag`` lags,
    ``Z4_{t-1}`` and ``Z5_{t-m}``, where ``Z4 = lambda(B)(1 - B^m) x`` and
    ``Z5 = lambda(B)(1 - B) x`` are filtered by the AR(``lag``) fit ``lambda`` of the
    double difference over the same times (Osborn et al. 1988, as R's ``ocsb.test``).
    """
    t = np.arange(first, x.size)
    seasonal, first_diff = x[m:] - x[:-m], np.diff(x)  # element i is time i + m / i + 1
    double = np.diff(seasonal)  # element i is time i + m + 1
    target = double[t - m - 1]
    lags = np.column_stack([double[t - m - 1 - j] for j in range(1, lag + 1)]) if lag else np.empty((t.size, 0))
    ar = np.linalg.lstsq(lags, target, rcond=None)[0] if lag else np.zeros(0)

    def filtered(series: np.ndarray, times: np.ndarray) -> np.ndarray:
        return series[times] - sum(a * series[times - j] for j, a in enumerate(ar, start=1))

    design = np.column_stack([lags, filtered(seasonal, t - 1 - m), filtered(first_diff, t - m - 1)])
    if t.size <= design.shape[1] + 1:
        raise np.linalg.LinAlgError("too few observations for the OCSB regression")
    beta, _, rank, _ = np.linalg.lstsq(design, target, rcond=None)
    resid = target - design @ beta
    rss = float(resid @ resid)
    if rank < design.shape[1] or rss <= 0:
        raise np.linalg.LinAlgError("the OCSB regression is singular")
    variance = np.linalg.inv(design.T @ design)[-1, -1] * rss / (t.size - design.shape[1])
    aic = t.size * (math.log(2 * math.pi) + 1 + math.log(rss / t.size)) + 2 * (design.shape[1] + 1)
    return aic, float(beta[-1] / math.sqrt(variance))


def ocsb_statistic(x: np.ndarray, m: int) -> float:
    """The OCSB test statistic of ``x`` at period ``m``, as R's ``ocsb.test(x, maxlag = 3,
    lag.method = "AIC")``: the lag order is one less than the AIC's choice among 1-3 (R's
    ``which.min(icvals) - 1``, kept so the decisions match R's)."""
    first = m + 1 + _OCSB_MAX_LAG
    aics = [_ocsb_regression(x, m, lag, first)[0] for lag in range(1, _OCSB_MAX_LAG + 1)]
    lag = int(np.argmin(aics))
    return _ocsb_regression(x, m, lag, m + 1 + lag)[1]


def _seasonal_unit_root(x: np.ndarray, m: int, test: str) -> bool:
    """Whether ``test`` ("seas" or "ocsb") asks for a seasonal difference of ``x``."""
    if test == "seas":
        return seasonal_strength(x, m) > _SEASONAL_STRENGTH
    try:
        return ocsb_statistic(x, m) > ocsb_critical(m)
    except np.linalg.LinAlgError:  # too short or degenerate: no difference, as R's nsdiffs after an error
        return False


def nsdiffs(x: np.ndarray, m: int, max_d: int, test: str = "seas") -> int:
    """Seasonal differences while ``test`` asks for one (at most ``max_d``): "seas", the
    seasonal strength above 0.64; "ocsb", the OCSB statistic above its 5% critical value."""
    big_d = 0
    while big_d < max_d and x.size >= 2 * m and not is_constant(x) and _seasonal_unit_root(x, m, test):
        big_d += 1
        x = x[m:] - x[:-m]
    return big_d


def _least_squares(w: np.ndarray, dz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients of ``w`` on ``dz`` and their standard errors (zeros where undefined)."""
    if dz.shape[1] == 0:
        return np.zeros(0), np.zeros(0)
    standard, centres, scales = standard_columns(dz, shift=False)  # any units of the columns
    beta = coefficients_back(np.linalg.lstsq(standard, w, rcond=None)[0], centres, scales)[0]
    dof = max(w.size - dz.shape[1], 1)
    sigma2 = float(np.sum((w - dz @ beta) ** 2)) / dof
    try:
        ses = coefficient_spread(dz) * math.sqrt(max(sigma2, 0.0))
    except np.linalg.LinAlgError:
        ses = np.zeros(dz.shape[1])
    return beta, ses


def coefficient_spread(dz: np.ndarray) -> np.ndarray:
    """``sqrt(diag(pinv(dz' dz)))``, the standard errors of least squares on ``dz`` per
    unit of residual spread (zeros for coefficients that ``dz`` cannot estimate).

    Computed from the singular values of ``dz`` with its columns in standard units
    (scaled, not shifted: :func:`~tsforecast.baselines._units.standard_columns`), never
    from ``dz' dz``: the normal equations square the condition number, so a regressor in bytes (1e12 for 1) beside the constant, or one of epoch seconds (1.7e9
    plus or minus 1e6), left the constant a standard error of 1e-19 and every model with
    it refused; the result is the same in any units of each column.

    Examples
    --------
    >>> t = np.arange(1.0, 5.0)
    >>> design = np.column_stack([np.ones(4), t])
    >>> bool(np.allclose(coefficient_spread(design * [1.0, 1e12]) * [1.0, 1e12], coefficient_spread(design)))
    True
    """
    standard, centres, scales = standard_columns(dz, shift=False)
    _, singular, vt = np.linalg.svd(standard, full_matrices=False)
    if singular.size == 0 or not singular[0] > 0:
        return np.zeros(dz.shape[1])
    keep = singular > singular[0] * max(dz.shape) * np.finfo(np.float64).eps  # numpy's rank rule
    weights = vt[keep] / singular[keep, None]
    return coefficients_back(np.sqrt(np.sum(weights**2, axis=0)), centres, scales)[0]


def _min_root(coefficients: np.ndarray, sign: float) -> float:
    """Smallest root modulus of ``1 + sign * sum c_j z^j`` (2.0 when there is none)."""
    keep = np.flatnonzero(np.abs(coefficients) > 1e-8)
    if keep.size == 0:
        return 2.0
    poly = np.concatenate([[1.0], sign * coefficients[: keep[-1] + 1]])
    return float(np.min(np.abs(np.roots(poly[::-1]))))


def _identified(hessian: np.ndarray, n_used: int) -> bool:
    """Whether the coefficients' variances ``diag(inv(hessian * n))`` are finite and
    positive (R's ``arima`` takes them from the optimiser's Hessian; a fit where one is
    not is refused by ``auto.arima``)."""
    if hessian.size == 0:
        return True
    try:
        variances = np.diag(np.linalg.inv(hessian * n_used))
    except np.linalg.LinAlgError:
        return False
    return bool(np.all(np.isfinite(variances)) and np.all(variances >= 0))


def _min_model_root(coef: np.ndarray, orders: tuple, m: int) -> float:
    """Smallest root modulus of the AR and MA polynomials multiplied out, from their
    factors: a root r of the seasonal factor in B^m gives roots of modulus |r|^(1/m)."""
    p, _, q, big_p, _, big_q = orders
    parts = [(coef[:p], -1.0, 1), (coef[p:p + q], 1.0, 1), (coef[p + q:p + q + big_p], -1.0, m),
             (coef[p + q + big_p:p + q + big_p + big_q], 1.0, m)]
    return min(_min_root(c, sign) ** (1.0 / power) for c, sign, power in parts)


def fit_css(x: np.ndarray, z: np.ndarray, orders: tuple, m: int, start: np.ndarray | None = None) -> dict:
    """Fit ``(p, d, q)(P, D, Q)m`` with regression columns ``z`` ``[n, k]`` to ``x`` by CSS.

    The minimisation starts from zero ARMA coefficients, as R's ``arima``; with ``start``
    (ARMA coefficients in the order ``p, q, P, Q``) it also starts from there, and the fit
    keeps the lower sum of squares. The sum of squares has local minima, and BFGS from
    zero can stop in a far worse one than a nested model's optimum offers (stepwise
    search: :func:`nested_start`).

    Returns the model as plain numbers (``coef``: ARMA coefficients then ``beta``;
    ``sigma2``; ``aicc``, infinite for a refused model; ``orders``; ``m``).
    """
    p, d, q, big_p, big_d, big_q = orders
    period = m if (big_p or big_d or big_q) else 1
    w = difference(x, d, big_d, period)
    dz = difference(np.ascontiguousarray(z), d, big_d, period) if z.shape[1] else np.zeros((w.size, 0))
    beta0, ses = _least_squares(w, dz)
    scale = np.where(ses > 0, 10 * ses, 1.0)
    n_arma = p + q + big_p + big_q
    w0 = w - dz @ beta0 if dz.shape[1] else w.copy()
    args = (np.ascontiguousarray(w0), np.ascontiguousarray(dz), scale, p, q, big_p, big_q, period)
    params, value = css_minimize(np.zeros(n_arma + dz.shape[1]), *args, _MAX_ITERATIONS)
    if start is not None and n_arma:
        other, other_value = css_minimize(np.concatenate([start, np.zeros(dz.shape[1])]), *args, _MAX_ITERATIONS)
        if math.isfinite(other_value) and not other_value >= value:  # also where zero's fit failed (NaN)
            params = other
    coef = np.concatenate([params[:n_arma], beta0 + scale * params[n_arma:]])
    w_final = w - dz @ coef[n_arma:] if dz.shape[1] else w
    ar, ma = expand_polynomials(coef, p, q, big_p, big_q, period)
    resid = np.empty(w_final.size)
    ssq, count = css_residuals(np.ascontiguousarray(w_final), ar, ma, resid)
    model = {"orders": [int(o) for o in orders], "m": int(period), "coef": coef, "n_regressors": int(z.shape[1]),
             "sigma2": ssq / count if count > 0 else math.inf, "aicc": math.inf, "aic": math.inf,
             "nstar": int(w.size)}
    nstar = w.size
    npar = coef.size + 1
    if not (np.isfinite(model["sigma2"]) and model["sigma2"] > 0) or nstar - npar - 1 <= 0:
        return model
    if _min_model_root(coef, orders, period) < _ROOT_MARGIN:
        return model  # near non-stationary or non-invertible: refused, as by auto.arima
    if not _identified(css_hessian(params, *args), nstar):
        return model  # no positive variance for every coefficient: refused, as R's checkarima does
    model["aic"] = nstar * math.log(model["sigma2"]) + 2 * npar
    model["aicc"] = criterion(model, "aicc")
    return model


def nested_start(model: dict, orders: tuple) -> np.ndarray:
    """``model``'s ARMA coefficients on the terms of ``orders`` ``(p, d, q, P, D, Q)``: each
    polynomial's coefficients cut or padded with zeros to its new order. Where ``orders``
    only adds terms, the start is ``model``'s ARMA part unchanged."""
    coef = np.asarray(model["coef"], dtype=np.float64)
    old = [model["orders"][i] for i in (0, 2, 3, 5)]
    new = [orders[i] for i in (0, 2, 3, 5)]
    first = np.cumsum([0] + old)
    return np.concatenate([np.pad(coef[first[k]:first[k] + min(old[k], new[k])], (0, max(new[k] - old[k], 0)))
                           for k in range(4)])


def criterion(model: dict, ic: str) -> float:
    """The information criterion ``ic`` (``"aic"``, ``"aicc"`` or ``"bic"``) of a fit from
    its AIC, as ``forecast::auto.arima`` derives them (infinite for a refused fit)."""
    aic = model.get("aic", math.inf)
    if not math.isfinite(aic):
        return math.inf
    nstar, npar = model["nstar"], len(model["coef"]) + 1
    if ic == "aic":
        return aic
    if ic == "bic":
        return aic + npar * (math.log(nstar) - 2)
    return aic + 2 * npar * (npar + 1) / (nstar - npar - 1)


def _parts(model: dict):
    p, d, q, big_p, big_d, big_q = model["orders"]
    coef = np.asarray(model["coef"], dtype=np.float64)
    ar, ma = expand_polynomials(coef, p, q, big_p, big_q, model["m"])
    return coef, ar, ma, integrated_ar(ar, d, big_d, model["m"])


def forecast_model(model: dict, x: np.ndarray, z: np.ndarray, z_future: np.ndarray, horizon: int) -> np.ndarray:
    """Point forecasts of a fitted model: ``z_future`` ``[horizon, k]`` holds the regression
    columns of the forecast steps."""
    p, d, q, big_p, big_d, big_q = model["orders"]
    coef, ar, ma, ar_full = _parts(model)
    beta = coef[p + q + big_p + big_q:]
    u = x - z @ beta if beta.size else x.astype(np.float64)
    w = difference(u, d, big_d, model["m"])
    resid = np.empty(w.size)
    css_residuals(np.ascontiguousarray(w), ar, ma, resid)
    path = arima_forecast(np.ascontiguousarray(u), resid, ar_full, ma, horizon)
    return path + (z_future @ beta if beta.size else 0.0)


def forecast_std(model: dict, horizon: int) -> np.ndarray:
    """Standard deviations of the forecast errors at steps 1..horizon (psi weights)."""
    _, _, ma, ar_full = _parts(model)
    psi = psi_weights(ar_full, ma, horizon)
    return np.sqrt(model["sigma2"] * np.cumsum(psi**2))


def _state_space(model: dict, x: np.ndarray, z: np.ndarray, concentrate: bool):
    """statsmodels' ``SARIMAX`` of the differenced series (regression columns differenced
    alike), the ARMA part started from its stationary distribution: its likelihood is the
    one R's ``arima`` maximises."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX  # imported here: only exact fits pay for it

    p, d, q, big_p, big_d, big_q = model["orders"]
    period = model["m"]
    w = difference(x, d, big_d, period)
    dz = difference(np.ascontiguousarray(z), d, big_d, period) if z.shape[1] else None
    return SARIMAX(w, exog=dz, order=(p, 0, q), seasonal_order=(big_p, 0, big_q, period if period > 1 else 0),
                   trend="n", enforce_stationarity=True, enforce_invertibility=False,
                   concentrate_scale=concentrate)


def _statsmodels_order(model: dict) -> np.ndarray:
    """The coefficients in statsmodels' order: regression first, then AR, MA, seasonal AR, seasonal MA."""
    coef = np.asarray(model["coef"], dtype=np.float64)
    return np.concatenate([coef[_n_arma(model):], coef[:_n_arma(model)]])


def with_exact_likelihood(model: dict, x: np.ndarray, z: np.ndarray) -> dict:
    """A CSS fit whose AIC (and AICc) come from the exact Gaussian likelihood at its
    coefficients, the innovation variance profiled out: the criterion of a search that
    ranks candidates as maximum-likelihood fits do, without optimising each one by it."""
    if not math.isfinite(model["aic"]):
        return model
    space = _state_space(model, x, z, concentrate=True)
    loglik = float(space.loglike(_statsmodels_order(model)))
    npar = len(model["coef"]) + 1
    if not math.isfinite(loglik):
        return {**model, "aic": math.inf, "aicc": math.inf}
    exact = {**model, "aic": -2 * loglik + 2 * npar}
    exact["aicc"] = criterion(exact, "aicc")
    return exact


def refit_ml(model: dict, x: np.ndarray, z: np.ndarray) -> dict:
    """The chosen model refitted by exact Gaussian maximum likelihood, started from its CSS
    fit (R's ``auto.arima`` refits its choice so when it searched by approximation).

    The likelihood is that of the differenced series (Kalman filter of statsmodels'
    ``SARIMAX``, regression columns differenced alike), as R's ``arima`` computes it. A
    refit that fails, or leaves an AR or MA root within 1.01 of the unit circle, keeps
    the CSS fit.
    """
    start = np.concatenate([_statsmodels_order(model), [model["sigma2"]]])
    try:
        with silenced():  # an optimiser short of convergence still improves on the start
            result = _state_space(model, x, z, concentrate=False).fit(start_params=start, disp=False,
                                                                      maxiter=_ML_ITERATIONS)
    except (np.linalg.LinAlgError, ValueError):
        return model
    params = np.asarray(result.params, dtype=np.float64)
    n_arma = _n_arma(model)
    k = len(model["coef"]) - n_arma
    new_coef = np.concatenate([params[k:k + n_arma], params[:k]])
    if not np.all(np.isfinite(params)) or params[-1] <= 0 or not math.isfinite(result.llf) \
            or _min_model_root(new_coef, tuple(model["orders"]), model["m"]) < _ROOT_MARGIN:
        return model
    return {**model, "coef": new_coef, "sigma2": float(params[-1])}


def _n_arma(model: dict) -> int:
    p, _, q, big_p, _, big_q = model["orders"]
    return p + q + big_p + big_q
