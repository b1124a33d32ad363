"""The likelihood as R's ``arima`` computes it (``AutoARIMA(method="css-loglik-r")``):
AS 154's start covariance (R's ``getQ0``) and the diffuse filter of the undifferenced
series (R's ``ARIMA_Like``).

The reference figures were computed with statsforecast 2.1.1, whose ``getQ0`` and
``arima`` are ports of R's (``/work/venv-bench``)::

    import statsforecast.arima as sfa
    sfa.getQ0(phi, theta)                      # the AS 154 matrices below
    sfa.arima(x, order=(p, d, q), seasonal={"order": (P, D, Q), "period": 6},
              include_mean=False, fixed=np.array(coef), method="ML")["loglik"]
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from _arima_series import seasonal_arima
from tsforecast import baselines
from tsforecast.baselines._arima_fit import fit_css
from tsforecast.baselines._arima_ml import exact_loglik, forecast_filtered, r_loglik, with_r_likelihood
from tsforecast.core.kernels.arima import expand_polynomials
from tsforecast.core.kernels.arima_ml import diffuse_likelihood, gardner_covariance, stationary_covariance

M = 6


def _series(n: int, seed: int) -> np.ndarray:
    """A seasonal ARMA(1, 1)(0, 1) integrated once at lag 1 and once at lag ``M``."""
    return seasonal_arima(n, seed, m=M, ar=[0.4], ma=[0.3], sma=[-0.6], d=1, D=1, level=50)


def _model(orders, coef, m=M) -> dict:
    return {"orders": list(orders), "m": m, "coef": np.asarray(coef, dtype=float), "nstar": 100}


@pytest.mark.parametrize("coef, orders, m", [([0.5, 0.3], (1, 0, 1, 0, 0, 0), 1), ([0.5, 0.2], (2, 0, 0, 0, 0, 0), 1),
                                             ([0.5, 0.2], (0, 0, 2, 0, 0, 0), 1),
                                             ([0.5, 0.3, 0.4, -0.5], (1, 0, 1, 1, 0, 1), 4)])
def test_gardner_covariance_solves_the_stationary_equations_on_small_models(coef, orders, m):
    p, _, q, big_p, _, big_q = orders
    ar, ma = expand_polynomials(np.array(coef), p, q, big_p, big_q, m)
    exact, ok = stationary_covariance(ar, ma)
    assert ok
    np.testing.assert_allclose(gardner_covariance(ar, ma), exact, atol=1e-12)


def test_gardner_covariance_is_r_getq0_where_that_is_wrong():
    """A seasonal model of M4 Hourly's H16 (its CSS fit): AS 154 gives negative variances
    where the stationary covariance is positive (R's PR#14682), as R's getQ0 does."""
    ar, ma = expand_polynomials(np.array([0.7891, 0.1245, -0.7188, -0.0926, -0.1029, -0.508]), 2, 0, 2, 2, 24)
    gardner = gardner_covariance(ar, ma)
    assert gardner[0, 0] == pytest.approx(-23.42031418985244, rel=1e-10)
    assert gardner[1, 1] == pytest.approx(-1.7851481925841635, rel=1e-10)
    assert gardner[0, 1] == pytest.approx(-5.101908901092918, rel=1e-10)
    np.testing.assert_array_equal(gardner, gardner.T)
    assert stationary_covariance(ar, ma)[0][0, 0] == pytest.approx(7.819313829303114, rel=1e-8)


@pytest.mark.parametrize("orders, coef, expected", [((1, 1, 1, 0, 1, 1), [0.35, 0.25, -0.55], -159.33222514284145),
                                                    ((2, 1, 0, 1, 1, 1), [0.3, 0.1, -0.2, -0.5], -169.0927377021986)])
def test_r_loglik_is_r_arima_likelihood(orders, coef, expected):
    x = _series(120, 3)
    none = np.zeros((x.size, 0))
    assert r_loglik(_model(orders, coef), x, none) == pytest.approx(expected, rel=1e-10)
    # the diffuse start approximates the likelihood of the differenced series
    assert r_loglik(_model(orders, coef), x, none) == pytest.approx(exact_loglik(_model(orders, coef), x, none),
                                                                  abs=0.01)


def test_without_differences_the_diffuse_filter_is_the_exact_filter():
    rng = np.random.default_rng(4)
    w = np.convolve(rng.normal(size=200), [1.0, 0.4])[:200]
    ar, ma = np.array([0.5]), np.array([0.4])
    ssq, sumlog, count = diffuse_likelihood(w, ar, ma, np.zeros(0), gardner_covariance(ar, ma), 1e6)
    model = _model((1, 0, 1, 0, 0, 0), [0.5, 0.4], 1)
    expected = exact_loglik(model, w, np.zeros((w.size, 0)))
    assert count == w.size
    assert -0.5 * count * (math.log(2 * math.pi) + 1 + math.log(ssq / count) + sumlog / count) == pytest.approx(
        expected, rel=1e-10)


def test_a_model_whose_r_likelihood_is_undefined_is_refused():
    """Where AS 154's start has a negative variance R's likelihood is NaN and auto.arima
    refuses the model; the exact likelihood still scores it."""
    ar_coef = [0.7891, 0.1245, -0.7188, -0.0926, -0.1029, -0.508]
    rng = np.random.default_rng(5)
    x = np.cumsum(rng.normal(size=24 * 8))
    css = {**fit_css(x, np.zeros((x.size, 0)), (2, 0, 0, 2, 1, 2), 24), "coef": np.array(ar_coef)}
    assert math.isnan(r_loglik(css, x, np.zeros((x.size, 0))))
    assert math.isfinite(exact_loglik(css, x, np.zeros((x.size, 0))))
    assert with_r_likelihood({**css, "aic": 1.0}, x, np.zeros((x.size, 0)))["aicc"] == math.inf


def test_css_loglik_r_keeps_the_minimum_of_the_r_likelihood_criterion_and_forecasts_from_the_filter():
    x = _series(144, 6)
    y = pd.Series(x, index=pd.date_range("2024", periods=x.size, freq="h"))
    model = baselines.AutoARIMA(season_length=M, d=1, D=1, max_p=1, max_q=1, max_P=1, max_Q=1, stepwise=False,
                                method="css-loglik-r").fit(y)
    none = np.zeros((x.size, 0))
    scores = {}
    for p in range(2):
        for q in range(2):
            for big_p in range(2):
                for big_q in range(2):
                    css = fit_css(x, none, (p, 1, q, big_p, 1, big_q), M)
                    scores[(p, q, big_p, big_q)] = with_r_likelihood(css, x, none)["aicc"]
    orders = model.orders_.iloc[0]
    assert (orders["p"], orders["q"], orders["P"], orders["Q"]) == min(scores, key=scores.get)
    state = model.states_[0]["objects"][0]
    expected = forecast_filtered(state["model"], x, none, np.zeros((9, 0)), 9)
    np.testing.assert_allclose(model.predict(9).to_numpy(), expected, rtol=1e-12)
