"""Forecasts from the exact Kalman filter's state (``AutoARIMA(method="css-filter")`` and
``"css-loglik-filter"``), checked against statsmodels' SARIMAX at fixed parameters."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.statespace.sarimax import SARIMAX

from _arima_series import seasonal_arima
from tsforecast import baselines
from tsforecast.baselines._arima_fit import fit_css, forecast_model
from tsforecast.baselines._arima_ml import exact_loglik, forecast_filtered, with_filter_likelihood
from tsforecast.core.kernels.arima import expand_polynomials
from tsforecast.core.kernels.arima_ml import integrate, kalman_forecast

M = 6
HORIZON = 9


def _series(n: int, seed: int) -> np.ndarray:
    """A seasonal ARMA with a seasonal MA near -1, integrated once at lag 1 and at lag ``M``."""
    return seasonal_arima(n, seed, m=M, ar=[0.4], ma=[0.3], sma=[-0.9], d=1, D=1, level=50)


def _sarimax_forecast(x, coef, orders):
    """statsmodels' forecasts at fixed parameters (AR, MA, seasonal AR, MA, sigma2): SARIMAX
    differences the data itself (``simple_differencing``: the ARMA part starts from its
    stationary distribution, as R's ``arima``) and forecasts the differences, integrated
    back here through the differencing polynomial."""
    p, d, q, big_p, big_d, big_q = orders
    model = SARIMAX(x, order=(p, d, q), seasonal_order=(big_p, big_d, big_q, M), trend="n",
                    simple_differencing=True, enforce_stationarity=True, enforce_invertibility=False)
    w_future = model.filter(np.asarray(coef, dtype=float)).forecast(HORIZON)
    operator = np.polymul(np.poly1d([1.0, -1.0]) ** d, np.poly1d([1.0] + [0.0] * (M - 1) + [-1.0]) ** big_d)
    lags = -np.asarray(operator)[1:]  # x_t = w_t + sum lags_j x_{t-j}
    path = list(x)
    for value in w_future:
        path.append(value + sum(c * path[-j - 1] for j, c in enumerate(lags)))
    return np.array(path[x.size:])


@pytest.mark.parametrize("coef, orders", [([0.4, 0.3, -0.9], (1, 0, 1, 0, 0, 1)),
                                          ([0.4, 0.3, -0.9], (1, 1, 1, 0, 1, 1)),
                                          ([0.5, -0.2, 0.3, -0.6], (2, 1, 0, 1, 0, 1)),
                                          ([-0.7], (0, 0, 1, 0, 1, 0))])
def test_filter_forecasts_equal_sarimax(coef, orders):
    x = _series(120, 0)
    p, d, q, big_p, big_d, big_q = orders
    model = {"orders": list(orders), "m": M, "coef": np.array(coef)}
    ours = forecast_filtered(model, x, np.zeros((x.size, 0)), np.zeros((HORIZON, 0)), HORIZON)
    expected = _sarimax_forecast(x, coef + [1.0], orders)
    np.testing.assert_allclose(ours, expected, atol=1e-6, rtol=0)


def test_filter_forecasts_with_regressor_equal_sarimax():
    """A regression with ARIMA errors: the ARIMA forecasts of the series less its regression, plus the future regression."""
    x = _series(120, 1)
    reg = np.random.default_rng(2).normal(size=(120 + HORIZON, 1))
    y = x + 3.0 * reg[:120, 0]
    model = {"orders": [1, 1, 1, 0, 1, 1], "m": M, "coef": np.array([0.4, 0.3, -0.9, 3.0])}
    ours = forecast_filtered(model, y, reg[:120], reg[120:], HORIZON)
    expected = _sarimax_forecast(y - 3.0 * reg[:120, 0], [0.4, 0.3, -0.9, 1.0], model["orders"]) + 3.0 * reg[120:, 0]
    np.testing.assert_allclose(ours, expected, atol=1e-6, rtol=0)


def test_filter_and_css_recursion_differ_near_the_unit_circle_and_agree_far_from_it():
    """The filter removes the start-up error the recursion's zero pre-sample errors leave:
    with a seasonal MA at -0.99 the two forecasts differ, with -0.2 they nearly agree."""
    x = _series(96, 3)
    empty = np.zeros((x.size, 0)), np.zeros((HORIZON, 0))
    gaps = []
    for theta in (-0.99, -0.2):
        model = {"orders": [1, 1, 1, 0, 1, 1], "m": M, "coef": np.array([0.4, 0.3, theta])}
        gaps.append(np.max(np.abs(forecast_filtered(model, x, *empty, HORIZON)
                                  - forecast_model(model, x, *empty, HORIZON))))
    assert gaps[0] > 10 * gaps[1]
    assert gaps[1] < 0.05


def test_kalman_forecast_of_white_noise_is_zero_and_integrate_repeats_the_season():
    w = np.random.default_rng(4).normal(size=30)
    np.testing.assert_array_equal(kalman_forecast(w, np.zeros(0), np.zeros(0), 4), np.zeros(4))
    u = np.arange(12, dtype=float)
    path = integrate(u, np.zeros(M), np.array([0.0] * (M - 1) + [1.0]))  # (1 - B^6): the last season again
    np.testing.assert_array_equal(path, u[-M:])


def test_filter_likelihood_scores_the_exact_loglik_at_the_css_coefficients():
    x = _series(120, 5)
    css = fit_css(x, np.zeros((x.size, 0)), (1, 1, 1, 0, 1, 1), M)
    scored = with_filter_likelihood(css, x, np.zeros((x.size, 0)))
    loglik = exact_loglik(css, x, np.zeros((x.size, 0)))
    np.testing.assert_array_equal(scored["coef"], css["coef"])
    assert scored["aic"] == pytest.approx(-2 * loglik + 2 * (css["coef"].size + 1), rel=1e-12)
    assert scored["aic"] != pytest.approx(css["aic"], rel=1e-6)  # not the CSS criterion
    refused = with_filter_likelihood({**css, "aic": math.inf}, x, np.zeros((x.size, 0)))
    assert refused["aic"] == math.inf


@pytest.mark.parametrize("method", ["css-filter", "css-loglik-filter"])
def test_auto_arima_filter_methods_forecast_from_the_filter(method):
    x = _series(144, 6)
    y = pd.Series(x, index=pd.date_range("2024", periods=x.size, freq="h"))
    model = baselines.AutoARIMA(season_length=M, method=method).fit(y)
    state = model.states_[0]["objects"][0]
    design = np.ones((x.size, 1)) if state["constant"] else np.zeros((x.size, 0))
    assert state["constant"] in ("", "mean", "drift")
    if state["constant"] == "drift":
        design = np.arange(1, x.size + 1, dtype=float)[:, None]
    future = {"": np.zeros((HORIZON, 0)), "mean": np.ones((HORIZON, 1)),
              "drift": np.arange(x.size + 1, x.size + HORIZON + 1, dtype=float)[:, None]}[state["constant"]]
    expected = forecast_filtered(state["model"], x, design, future, HORIZON)
    np.testing.assert_allclose(model.predict(HORIZON).to_numpy(), expected, rtol=1e-12)
    again = baselines.AutoARIMA(season_length=M, method=method).fit(y).predict(HORIZON)
    np.testing.assert_array_equal(again.to_numpy(), model.predict(HORIZON).to_numpy())


def test_css_filter_keeps_the_css_choice():
    x = _series(144, 7)
    y = pd.Series(x, index=pd.date_range("2024", periods=x.size, freq="h"))
    css = baselines.AutoARIMA(season_length=M, method="css").fit(y)
    filtered = baselines.AutoARIMA(season_length=M, method="css-filter").fit(y)
    pd.testing.assert_frame_equal(css.orders_, filtered.orders_)
    assert not np.allclose(css.predict(HORIZON).to_numpy(), filtered.predict(HORIZON).to_numpy(), atol=1e-9)


def test_the_default_full_search_keeps_the_minimum_of_the_exact_likelihood_criterion():
    """``method="css-loglik-filter"`` (the default) ranks by the AICc of the exact likelihood
    at the CSS coefficients, not by the CSS criterion."""
    rng = np.random.default_rng(8)
    e = rng.normal(size=400)
    x = np.zeros(400)
    for t in range(1, 400):
        x[t] = 0.5 * x[t - 1] + e[t] + 0.4 * e[t - 1]
    x = x[100:] + 5.0
    model = baselines.AutoARIMA(d=0, max_p=2, max_q=2, max_order=3, stepwise=False).fit(pd.Series(x))
    ones = np.ones((x.size, 1))
    scores = {}
    for p in range(3):
        for q in range(3):
            if p + q <= 3:
                css = fit_css(x, ones, (p, 0, q, 0, 0, 0), 1)
                scores[(p, q)] = with_filter_likelihood(css, x, ones)["aicc"]
    orders = model.orders_.iloc[0]
    assert orders["constant"] == "mean"
    assert (orders["p"], orders["q"]) == min(scores, key=scores.get)
    chosen = model.states_[0]["objects"][0]["model"]
    assert chosen["aicc"] == pytest.approx(scores[(orders["p"], orders["q"])], rel=1e-12)
    css_aicc = fit_css(x, ones, (orders["p"], 0, orders["q"], 0, 0, 0), 1)["aicc"]
    assert chosen["aicc"] != pytest.approx(css_aicc, rel=1e-6)
