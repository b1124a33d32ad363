"""The compiled exact likelihood of a seasonal ARMA and ``AutoARIMA(method="exact")``,
checked against statsmodels' SARIMAX (its Kalman filter, stationary initialisation)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX

from _arima_series import seasonal_arima
from tsforecast import baselines
from tsforecast.baselines._arima_fit import criterion, fit_css
from tsforecast.baselines._arima_ml import exact_loglik, fit_ml
from tsforecast.core.kernels.arima import expand_polynomials
from tsforecast.core.kernels.arima_ml import arma_likelihood, inverse_partrans, partrans, stationary_covariance

M = 6


def _seasonal_arma(n: int, seed: int) -> np.ndarray:
    """``(1 - 0.5B)(1 - 0.3B^6) w = (1 + 0.4B)(1 - 0.5B^6) e``, burnt in."""
    return seasonal_arima(n, seed, m=M, ar=[0.5], sar=[0.3], ma=[0.4], sma=[-0.5], burn=200)


def _loglik(w, coef, orders):
    p, q, big_p, big_q = orders
    ar, ma = expand_polynomials(np.asarray(coef, dtype=float), p, q, big_p, big_q, M)
    ssq, sumlog, n = arma_likelihood(w, ar, ma)
    return -0.5 * (n * (math.log(2 * math.pi * ssq / n) + 1) + sumlog)


@pytest.mark.parametrize("coef, orders", [([0.45, 0.35, 0.25, -0.45], (1, 1, 1, 1)), ([0.6, -0.2], (2, 0, 0, 0)),
                                          ([-0.7], (0, 1, 0, 0)), ([0.3, 0.5, -0.6], (1, 0, 1, 1))])
def test_loglik_equals_statsmodels(coef, orders):
    w = _seasonal_arma(150, 0)
    p, q, big_p, big_q = orders
    model = SARIMAX(w, order=(p, 0, q), seasonal_order=(big_p, 0, big_q, M if big_p or big_q else 0), trend="n",
                    concentrate_scale=True)
    expected = model.loglike(np.asarray(coef))
    assert _loglik(w, coef, orders) == pytest.approx(expected, rel=1e-8)


def test_stationary_covariance_solves_lyapunov():
    ar, ma = expand_polynomials(np.array([0.5, 0.4, 0.3, -0.5]), 1, 1, 1, 1, M)
    cov, ok = stationary_covariance(ar, ma)
    r = cov.shape[0]
    transition = np.zeros((r, r))
    transition[: ar.size, 0] = ar
    transition[np.arange(r - 1), np.arange(1, r)] = 1.0
    loads = np.concatenate([[1.0], ma, np.zeros(r - 1 - ma.size)])
    assert ok
    np.testing.assert_allclose(cov, transition @ cov @ transition.T + np.outer(loads, loads), atol=1e-10)
    assert not stationary_covariance(np.array([1.0]), np.zeros(0))[1]  # a unit root has no stationary state


def test_partrans_maps_onto_stationary_models_and_back():
    raw = np.array([2.5, -1.0, 0.7])
    phi = partrans(raw)
    roots = np.roots(np.concatenate([[1.0], -phi])[::-1])
    assert np.all(np.abs(roots) > 1)
    np.testing.assert_allclose(inverse_partrans(phi), raw, atol=1e-10)
    assert np.all(np.isnan(inverse_partrans(np.array([1.2]))))


def test_fit_ml_matches_statsmodels_maximum_likelihood():
    w = _seasonal_arma(240, 1)
    x = w + 5.0
    z = np.ones((x.size, 1))
    css = fit_css(x, z, (1, 0, 1, 1, 0, 1), M)
    ours = fit_ml(css, x, z)
    theirs = SARIMAX(x, exog=z, order=(1, 0, 1), seasonal_order=(1, 0, 1, M), trend="n",
                     enforce_invertibility=False).fit(disp=False)
    assert ours["loglik"] == pytest.approx(theirs.llf, rel=1e-4)
    assert ours["loglik"] >= theirs.llf - 1e-3  # at least as high a maximum
    theirs_coef = np.concatenate([theirs.params[1:5], theirs.params[:1]])  # ARMA first, then the mean
    np.testing.assert_allclose(ours["coef"], theirs_coef, atol=0.02)
    assert ours["sigma2"] == pytest.approx(theirs.params[-1], rel=0.01)
    npar = 6
    assert ours["aic"] == pytest.approx(-2 * ours["loglik"] + 2 * npar)
    assert ours["aicc"] == pytest.approx(criterion(ours, "aicc"))
    assert ours["loglik"] > -0.5 * x.size * (math.log(2 * math.pi * css["sigma2"]) + 1) - 50  # sane scale


def test_exact_loglik_at_the_css_coefficients_and_below_the_maximum():
    x = np.cumsum(_seasonal_arma(200, 4)) * 0.1  # one difference: the drift column is differenced too
    z = np.arange(1, x.size + 1, dtype=float)[:, None]
    css = fit_css(x, z, (1, 1, 1, 0, 0, 0), M)
    at_css = exact_loglik(css, x, z)
    expected = SARIMAX(np.diff(x), exog=np.ones((x.size - 1, 1)), order=(1, 0, 1), trend="n",
                       concentrate_scale=True).loglike(np.concatenate([css["coef"][2:], css["coef"][:2]]))
    assert at_css == pytest.approx(expected, rel=1e-8)
    assert fit_ml(css, x, z)["loglik"] >= at_css


def test_fit_ml_refuses_a_nonstationary_css_start():
    x = np.cumsum(np.random.default_rng(2).normal(size=120))
    css = fit_css(x, np.zeros((x.size, 0)), (1, 0, 0, 0, 0, 0), 1)
    css = {**css, "coef": np.array([1.05])}
    assert math.isinf(fit_ml(css, x, np.zeros((x.size, 0)))["aicc"])


def test_auto_arima_exact_ranks_by_the_exact_likelihood():
    y = _seasonal_arma(200, 3) + 10
    exact = baselines.AutoARIMA(season_length=M, method="exact", d=0, D=0, max_p=2, max_q=2, max_P=1,
                                max_Q=1).fit(y)
    model = exact.states_[0]["objects"][0]["model"]
    assert math.isfinite(model["loglik"])
    assert model["aic"] == pytest.approx(-2 * model["loglik"] + 2 * (len(model["coef"]) + 1))
    again = baselines.AutoARIMA(season_length=M, method="exact", d=0, D=0, max_p=2, max_q=2, max_P=1,
                                max_Q=1).fit(y)
    np.testing.assert_array_equal(exact.predict(12), again.predict(12))
    css = baselines.AutoARIMA(season_length=M, method="css", d=0, D=0, max_p=2, max_q=2, max_P=1, max_Q=1).fit(y)
    assert not np.allclose(exact.predict(12), css.predict(12))  # the exact fit is not the CSS one
    assert np.all(np.isfinite(exact.predict(12)))
