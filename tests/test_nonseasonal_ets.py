"""NonSeasonalETS: forecasts as statsmodels' ETS gives them, estimates, form choice, fallbacks."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforecast import baselines
from tsforecast.baselines import ETS, NonSeasonalETS
from tsforecast.exceptions import FallbackWarning


def simulate(n: int, *, alpha: float, beta: float = 0.0, phi: float = 1.0, level: float = 100.0,
             slope: float = 0.0, sigma: float = 1.0, mul: bool = False, seed: int = 0) -> np.ndarray:
    """A path of the ETS model with the given form and parameters (errors N(0, sigma))."""
    rng = np.random.default_rng(seed)
    y = np.empty(n)
    for t in range(n):
        forecast = level + phi * slope
        error = rng.normal(0, sigma)
        y[t] = forecast * (1 + error) if mul else forecast + error
        change = forecast * error if mul else error
        level, slope = forecast + alpha * change, phi * slope + beta * change
    return y


def quiet_fit(model, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(pd.Series(y))


SERIES = {
    "level": simulate(300, alpha=0.4),
    "trend": simulate(300, alpha=0.5, beta=0.1, slope=0.5),
    "multiplicative": simulate(300, alpha=0.3, mul=True, sigma=0.05),
}


@pytest.mark.parametrize("form", ["ANN", "AAN", "AAdN", "MNN", "MAN", "MAdN"])
def test_forecasts_equal_statsmodels_ets_with_the_fitted_parameters(form):
    error = "mul" if form[0] == "M" else "add"
    trend = None if form[1] == "N" else "add"
    model = quiet_fit(NonSeasonalETS(error=error, trend=trend, damped_trend="Ad" in form), SERIES["trend"])
    state = model.states_[0]["objects"][0]
    assert state["form"] == form
    expected = ETS._results(state).forecast(12)
    np.testing.assert_allclose(model.predict(12).to_numpy(), np.asarray(expected), rtol=1e-9)


def test_parameters_of_a_simulated_series_are_recovered():
    y = simulate(4000, alpha=0.3, sigma=2.0, seed=3)
    state = quiet_fit(NonSeasonalETS(error="add", trend=None), y).states_[0]["objects"][0]
    assert abs(state["params"][0] - 0.3) < 0.05


@pytest.mark.parametrize("name, expected", [("level", "N"), ("trend", "A")])
def test_trend_is_chosen_where_the_data_has_one(name, expected):
    form = quiet_fit(NonSeasonalETS(error="add"), SERIES[name]).forms_[0][0]
    assert form[1] == expected, form


@pytest.mark.parametrize("seed", [0, 3])
def test_the_error_form_of_a_simulated_series_is_chosen(seed):
    mul = simulate(800, alpha=0.5, mul=True, sigma=0.1, seed=seed)
    assert mul.max() > 5 * mul.min()  # the level moves enough for the error form to matter
    assert quiet_fit(NonSeasonalETS(), mul).forms_[0][0] == "MNN"
    assert quiet_fit(NonSeasonalETS(), simulate(800, alpha=0.5, sigma=3.0, seed=seed)).forms_[0][0] == "ANN"


@pytest.mark.parametrize("max_beta", [0.05, 0.9999])
def test_slope_smoothing_stays_within_its_bound_and_below_alpha(max_beta):
    state = quiet_fit(NonSeasonalETS(trend="add", damped_trend=False, max_beta=max_beta),
                      simulate(300, alpha=0.2, beta=0.15, slope=0.5, seed=5)).states_[0]["objects"][0]
    alpha, beta = state["params"][:2]
    assert beta <= min(max_beta, alpha) + 1e-12


def test_a_constant_series_is_forecast_by_its_value():
    forecast = NonSeasonalETS().fit(pd.Series(np.full(40, 7.5))).predict(5).to_numpy()
    np.testing.assert_allclose(forecast, 7.5)


def test_multiplicative_errors_on_a_zero_fall_back_to_naive_with_a_warning():
    y = pd.Series(np.r_[0.0, np.arange(1.0, 40.0)])
    with pytest.warns(FallbackWarning, match="multiplicative errors need positive values.*Naive"):
        forecast = NonSeasonalETS(error="mul").fit(y).predict(3).to_numpy()
    np.testing.assert_allclose(forecast, 39.0)


def test_a_panel_is_fitted_series_by_series():
    panel = {"a": pd.Series(SERIES["level"]), "b": pd.Series(SERIES["multiplicative"])}
    together = NonSeasonalETS().fit(pd.concat(panel, names=["unique_id", "ds"]).rename("y").reset_index()).predict(4)
    for key, y in panel.items():
        alone = NonSeasonalETS().fit(y).predict(4).to_numpy()
        np.testing.assert_allclose(together.loc[together["unique_id"] == key, "y"].to_numpy(), alone, rtol=1e-12)


def test_quantiles_surround_the_forecast_and_widen():
    model = quiet_fit(NonSeasonalETS(), SERIES["trend"])
    bands = model.predict_quantiles(6, quantiles=[0.1, 0.5, 0.9]).to_numpy()
    np.testing.assert_allclose(bands[:, 1], model.predict(6).to_numpy(), rtol=1e-9)
    width = bands[:, 2] - bands[:, 0]
    assert np.all(width > 0) and np.all(np.diff(width) > 0)


def test_mstl_default_trend_is_this_model():
    assert type(baselines.MSTL()._trend_model()) is NonSeasonalETS


@pytest.mark.parametrize("level", [5.0, 0.0])
def test_quantiles_of_a_series_without_variance_are_the_value_without_numpy_warnings(level):
    y = pd.Series(level, index=pd.date_range("2024", periods=200, freq="h"))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        bands = NonSeasonalETS().fit(y).predict_quantiles(3)
    np.testing.assert_allclose(bands.to_numpy(), level)


def test_ets_intervals_count_the_degrees_of_freedom_its_parameters_take():
    """statsmodels' forecast variance is SSE / n: on 36 monthly values of ETS(A,N,A) data
    (15 parameters as R's forecast::ets counts them) the 95% interval covered 81% of new
    values. With R's SSE / (n - parameters) it covers about 90% (statsforecast: 89-92%;
    the rest is the parameters' own uncertainty, which plug-in intervals leave out)."""
    from tsforecast.baselines import ETS

    rng = np.random.default_rng(14)
    n_series, length, horizon, m = 200, 36, 6, 12
    values = np.zeros((n_series, length + horizon))
    level, season = np.full(n_series, 10.0), np.tile(3 * np.sin(2 * np.pi * np.arange(m) / m), (n_series, 1))
    for t in range(length + horizon):  # ETS(A,N,A): alpha 0.2, gamma 0.05, sigma 1
        noise = rng.normal(size=n_series)
        values[:, t] = level + season[:, t % m] + noise
        level, season[:, t % m] = level + 0.2 * noise, season[:, t % m] + 0.05 * noise
    data = pd.DataFrame({"unique_id": np.repeat(np.arange(n_series), length), "ds": np.tile(np.arange(length), n_series),
                         "y": values[:, :length].ravel()})
    bands = ETS(error="add", trend=None, damped_trend=False, seasonal="add", season_length=m).fit(
        data).predict_interval(horizon, levels=(95,))
    lo, hi = (bands[c].to_numpy().reshape(n_series, horizon) for c in ("lo_95", "hi_95"))
    covered = ((values[:, length:] >= lo) & (values[:, length:] <= hi)).mean()
    assert covered > 0.87, covered
