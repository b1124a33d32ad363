"""MSTL: the decomposition against statsmodels' STL, forecasts, parameters and quantiles."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.seasonal import STL

from tsforecast import baselines
from tsforecast.baselines.mstl import mstl_decompose
from tsforecast.core.kernels.stl import stl_seasonal
from tsforecast.exceptions import FallbackWarning, InputTypeError, InvalidParameterError


def two_seasons(n: int = 24 * 7 * 3, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    return (100 + 0.05 * t + 8 * np.sin(2 * np.pi * t / 24) + 5 * np.cos(2 * np.pi * t / 168)
            + rng.normal(0, 1, n))


def reference_mstl(x, periods, windows, iterations=2):
    """MSTL as statsforecast's ``mstl`` computes it, with statsmodels' STL."""
    seasonal = np.zeros((len(periods), x.size))
    adjusted = x.copy()
    for _ in range(iterations if len(periods) > 1 else 1):
        for i, (period, window) in enumerate(zip(periods, windows)):
            adjusted = adjusted + seasonal[i]
            seasonal[i] = STL(adjusted, period=period, seasonal=window, seasonal_deg=0).fit().seasonal
            adjusted = adjusted - seasonal[i]
    return adjusted, seasonal


@pytest.mark.parametrize("period, window, degree", [(24, 11, 0), (168, 15, 0), (7, 7, 1), (12, 13, 1)])
def test_stl_kernel_equals_statsmodels(period, window, degree):
    x = two_seasons(400, seed=period)
    reference = STL(x, period=period, seasonal=window, seasonal_deg=degree).fit()
    trend = int(np.ceil(1.5 * period / (1 - 1.5 / window)))
    trend += trend % 2 == 0
    low_pass = period + 1
    low_pass += low_pass % 2 == 0
    season, trend_part = stl_seasonal(x, period, window, trend, low_pass, degree, 5)
    np.testing.assert_allclose(season, reference.seasonal, atol=1e-9)
    np.testing.assert_allclose(trend_part, reference.trend, atol=1e-9)


@pytest.mark.parametrize("periods", [(24, 168), (24,), (12, 24, 168)])
def test_decomposition_equals_statsforecasts_mstl_on_statsmodels(periods):
    x = two_seasons()
    windows = [7 + 4 * k for k in range(1, len(periods) + 1)]
    expected_adjusted, expected_seasonal = reference_mstl(x, periods, windows)
    adjusted, tails = mstl_decompose(x, periods)
    np.testing.assert_allclose(adjusted, expected_adjusted, atol=1e-8)
    for tail, component, period in zip(tails, expected_seasonal, periods):
        np.testing.assert_allclose(tail, component[-period:], atol=1e-8)


@pytest.mark.parametrize("periods", [(24, 168), (12, 24)])
def test_decomposition_equals_statsmodels_mstl_with_seasonal_degree_0(periods):
    from statsmodels.tsa.seasonal import MSTL as StatsmodelsMSTL

    x = two_seasons()
    reference = StatsmodelsMSTL(x, periods=periods, stl_kwargs={"seasonal_deg": 0}).fit()
    adjusted, tails = mstl_decompose(x, periods)
    np.testing.assert_allclose(adjusted, reference.trend + reference.resid, atol=1e-9)
    for k, (tail, period) in enumerate(zip(tails, periods)):
        np.testing.assert_allclose(tail, reference.seasonal[-period:, k], atol=1e-9)


def test_forecast_is_the_trend_forecast_plus_each_last_cycle():
    x = two_seasons()
    adjusted, (daily, weekly) = mstl_decompose(x, (24, 168))
    forecast = baselines.MSTL((168, 24), trend_forecaster=baselines.Naive()).fit(pd.Series(x)).predict(200)
    steps = np.arange(200)
    np.testing.assert_allclose(forecast.to_numpy(), adjusted[-1] + daily[steps % 24] + weekly[steps % 168],
                               rtol=1e-12)


def test_panel_is_decomposed_series_by_series():
    panel = {"a": pd.Series(two_seasons(400, seed=1)), "b": pd.Series(two_seasons(500, seed=2))}
    model = baselines.MSTL((24, 168), trend_forecaster=baselines.Theta())
    together = model.fit(panel).predict(5)
    for key, y in panel.items():
        alone = baselines.MSTL((24, 168), trend_forecaster=baselines.Theta()).fit(y).predict(5)
        np.testing.assert_allclose(together[key].to_numpy() if isinstance(together, dict)
                                   else together.loc[together["unique_id"] == key, "y"].to_numpy(),
                                   alone.to_numpy(), rtol=1e-10)


def test_a_season_without_two_cycles_is_left_out_with_a_warning():
    x = two_seasons(24 * 10)  # 240 values: two daily cycles, not two weekly ones
    with pytest.warns(FallbackWarning, match=r"'series'.*240 values.*season\(s\) 168"):
        forecast = baselines.MSTL((24, 168), trend_forecaster=baselines.Naive()).fit(pd.Series(x)).predict(3)
    adjusted, (daily,) = mstl_decompose(x, (24,))
    np.testing.assert_allclose(forecast.to_numpy(), adjusted[-1] + daily[:3], rtol=1e-12)


def test_quantiles_are_the_trend_models_shifted_by_the_season():
    y = pd.Series(two_seasons(400))
    model = baselines.MSTL((24,), trend_forecaster=baselines.Naive()).fit(y)
    assert model.supports_quantiles
    bands = model.predict_quantiles(4, quantiles=[0.1, 0.5, 0.9]).to_numpy()
    adjusted, (daily,) = mstl_decompose(y.to_numpy(), (24,))
    naive = baselines.Naive().fit(pd.Series(adjusted)).predict_quantiles(4, quantiles=[0.1, 0.5, 0.9]).to_numpy()
    np.testing.assert_allclose(bands, naive + daily[:4, None], rtol=1e-12)
    assert not baselines.MSTL((24,), trend_forecaster=baselines.Croston()).supports_quantiles


def test_default_trend_model_is_nonseasonal_ets_on_the_adjusted_series():
    y = pd.Series(two_seasons(400))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = baselines.MSTL((24, 168)).fit(y)
        forecast = model.predict(30).to_numpy()
        adjusted, (daily, weekly) = mstl_decompose(y.to_numpy(), (24, 168))
        trend = baselines.NonSeasonalETS().fit(pd.Series(adjusted)).predict(30).to_numpy()
    steps = np.arange(30)
    np.testing.assert_allclose(forecast, trend + daily[steps % 24] + weekly[steps % 168], rtol=1e-12)
    assert model.supports_quantiles


def test_default_trend_is_non_seasonal_ets_and_beats_seasonal_naive_here():
    x = two_seasons(24 * 7 * 4)
    train, test = x[:-48], x[-48:]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecast = baselines.MSTL((24, 168)).fit(pd.Series(train)).predict(48).to_numpy()
    snaive = baselines.SeasonalNaive(168).fit(pd.Series(train)).predict(48).to_numpy()
    assert np.abs(forecast - test).mean() < np.abs(snaive - test).mean()


@pytest.mark.parametrize("kwargs, error, text", [
    ({"season_length": 1}, InvalidParameterError, "season_length"),
    ({"season_length": (24, 24)}, InvalidParameterError, "twice"),
    ({"season_length": "24"}, InputTypeError, "'24'"),
    ({"season_length": (24, 168), "seasonal_windows": (11, 14)}, InvalidParameterError, "seasonal_windows"),
    ({"season_length": (24, 168), "seasonal_windows": (11,)}, InvalidParameterError, "seasonal_windows"),
    ({"trend_forecaster": baselines.Theta(season_length=24)}, InvalidParameterError, "season_length must be 1"),
    ({"trend_forecaster": "ets"}, InputTypeError, "trend_forecaster"),
])
def test_bad_parameters_are_refused_naming_the_argument(kwargs, error, text):
    with pytest.raises(error, match=text):
        baselines.MSTL(**kwargs).fit(pd.Series(two_seasons(400)))


def test_each_seasonal_window_stays_with_the_season_it_was_given_for():
    y = pd.Series(two_seasons(), index=pd.date_range("2024", periods=24 * 7 * 3, freq="h"))

    def forecast(seasons, windows):
        model = baselines.MSTL(season_length=seasons, seasonal_windows=windows, trend_forecaster=baselines.Naive())
        return model.fit(y).predict(24).to_numpy()

    given_shortest_first = forecast((24, 168), (11, 101))
    np.testing.assert_allclose(forecast((168, 24), (101, 11)), given_shortest_first)
    assert not np.allclose(forecast((24, 168), (101, 11)), given_shortest_first)


@pytest.mark.parametrize("trend", [baselines.AutoARIMA(), baselines.ARIMA()], ids=["AutoARIMA", "ARIMA"])
def test_an_arima_trend_model_forecasts_the_adjusted_series(trend):
    y = pd.Series(two_seasons(24 * 7 * 2), index=pd.date_range("2024", periods=24 * 7 * 2, freq="h"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = baselines.MSTL(season_length=24, trend_forecaster=trend).fit(y)
        state = model.states_[0]
    point = model.predict(5).to_numpy()
    expected = state["trend_model"]._forecast_column(state["trend"], 5)[0] + model._seasonal(state, 5)[0]
    np.testing.assert_allclose(point, expected)
    assert np.isfinite(point).all()
    bands = model.predict_interval(5, levels=[80])
    assert (bands["lo_80"] <= bands["y"]).all() and (bands["y"] <= bands["hi_80"]).all()


def test_a_trend_model_with_regressors_is_refused():
    with pytest.raises(InvalidParameterError, match="trend_forecaster must not take regressors"):
        baselines.MSTL(season_length=24, trend_forecaster=baselines.AutoARIMA(future_covariates="x")).fit(
            pd.Series(two_seasons(24 * 7 * 2)))
