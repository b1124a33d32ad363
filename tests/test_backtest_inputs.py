"""Tests of the forms ``backtest`` accepts and answers in: lists of models, periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sklearn.linear_model import Ridge

from tsforecast import AutoARIMA, BacktestResult, Naive, SeasonalNaive, WindowForecaster, backtest, report
from tsforecast.exceptions import InputTypeError, InvalidParameterError


@pytest.fixture
def monthly() -> pd.Series:
    t = np.arange(60.0)
    return pd.Series(t + 3 * np.sin(2 * np.pi * t / 12), index=pd.period_range("2020-01", periods=60, freq="M"))


def test_a_list_of_models_is_named_by_class_and_repeats_are_numbered(monthly):
    listed = backtest([Naive(), SeasonalNaive(season_length=12), Naive()], monthly, horizon=3, progress=False)
    named = backtest({"Naive-1": Naive(), "SeasonalNaive": SeasonalNaive(season_length=12), "Naive-2": Naive()},
                     monthly, horizon=3, progress=False)
    assert set(listed.summary().index) == {"Naive-1", "SeasonalNaive", "Naive-2"}
    pd.testing.assert_frame_equal(listed.forecasts, named.forecasts)


@pytest.mark.parametrize(("models", "error", "words"), [
    ([], InvalidParameterError, "empty list"),
    ((Naive(), 3), InputTypeError, "models['int'] must be a forecaster"),
    ("naive", InputTypeError, "a list of forecasters"),
])
def test_a_bad_list_of_models_is_refused_by_name(monthly, models, error, words):
    with pytest.raises(error) as caught:
        backtest(models, monthly, horizon=3, progress=False)
    assert words in str(caught.value)


def test_a_period_index_backtest_answers_in_periods_as_predict_does(monthly):
    result = backtest(Naive(), monthly, horizon=3, progress=False)
    assert (result.info["season_length"], result.info["season_length_source"]) == (12, "from frequency M")
    table = result.forecasts
    assert isinstance(table["cutoff"].dtype, pd.PeriodDtype) and isinstance(table["ds"].dtype, pd.PeriodDtype)
    last = table[table["fold"] == table["fold"].max()]
    cutoff = last["cutoff"].iloc[0]
    expected = Naive().fit(monthly[:cutoff]).predict(3)
    assert list(last["ds"]) == list(expected.index)
    np.testing.assert_allclose(last["y_hat"], expected.to_numpy())
    assert list(result.forecasts_of(folds=[0])["ds"]) == list(table[table["fold"] == 0]["ds"])


def test_a_period_index_backtest_draws_reports_and_round_trips(monthly, tmp_path):
    result = backtest({"naive": Naive(), "snaive": SeasonalNaive(season_length=12)}, monthly, horizon=3,
                      levels=[80], progress=False)
    assert result.plot() is not None
    paths = report(result, tmp_path / "r.html")
    assert paths.html.exists() and paths.markdown.exists()
    loaded = BacktestResult.load(result.save(tmp_path / "result"))
    pd.testing.assert_frame_equal(loaded.forecasts, result.forecasts)


def test_timestamp_input_keeps_timestamps(monthly):
    stamped = monthly.set_axis(monthly.index.to_timestamp(), axis=0)
    table = backtest(Naive(), stamped, horizon=3, progress=False).forecasts
    assert pd.api.types.is_datetime64_any_dtype(table["ds"]) and pd.api.types.is_datetime64_any_dtype(table["cutoff"])


def test_weekly_periods_are_described_by_their_own_frequency():
    # W-SUN periods start on Mondays: read from their timestamps alone they said W-MON
    weekly = pd.Series(np.arange(120.0), index=pd.period_range("2020-01-05", periods=120, freq="W-SUN"))
    result = backtest(Naive(), weekly, horizon=4, progress=False)
    assert result.info["data"]["freq"] == "W-SUN"
    assert result.info["season_length"] == 52 and result.info["season_length_source"] == "from frequency W-SUN"
    assert str(result.forecasts["ds"].dtype) == "period[W-SUN]"


@pytest.mark.parametrize("model", [
    pytest.param(lambda: AutoARIMA(future_covariates="x"), id="AutoARIMA"),
    pytest.param(lambda: WindowForecaster(Ridge(), n_steps_in=7, future_covariates=["x"]), id="WindowForecaster"),
])
def test_a_models_future_covariate_named_past_by_the_caller_is_refused_up_front(model):
    # every fold failed before, each with "X must give the future covariates ['x'] ... got None"
    rng = np.random.default_rng(0)
    data = pd.DataFrame({"y": rng.normal(size=120).cumsum(), "x": rng.normal(size=120)},
                        index=pd.date_range("2024", periods=120, freq="D"))
    with pytest.raises(InvalidParameterError, match=r"models\['m'\] declares future_covariates \['x'\], which "
                                                    r"covariates= names as observed only up to each cutoff"):
        backtest({"m": model()}, data, horizon=4, cv=2, covariates="x", progress=False)


def test_backtest_future_covariates_reach_a_window_model_that_names_none():
    """A WindowForecaster left at ``future_covariates=None`` took the backtest's future
    covariates as past-observed (its ``covariates=None``: every other column): each fold
    passed x's values for the forecast steps, the forecast did not move with them (MAE
    2.8 against 0.14), and a horizon past ``n_steps_out`` failed in every fold."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=60)
    data = pd.DataFrame({"y": 10 + 3 * x + rng.normal(0, 0.1, 60), "x": x},
                        index=pd.date_range("2024-01-01", periods=60, freq="D"))
    moved = data.assign(x=data["x"] + np.r_[np.zeros(57), np.full(3, 10.0)])  # inside the last fold's horizon

    def run(model, frame, horizon=3):
        return backtest({"m": model}, frame, horizon=horizon, cv=2, future_covariates=["x"], progress=False)

    named = WindowForecaster(Ridge(), n_steps_in=7, n_steps_out=3, future_covariates=["x"])
    unnamed = WindowForecaster(Ridge(), n_steps_in=7, n_steps_out=3)
    for frame in (data, moved):
        pd.testing.assert_frame_equal(run(unnamed, frame).forecasts, run(named, frame).forecasts)
    assert not np.allclose(run(unnamed, moved).forecasts["y_hat"], run(unnamed, data).forecasts["y_hat"])
    assert unnamed.future_covariates is None  # the caller's object is not changed
    longer = run(unnamed, data, horizon=5)
    assert longer.errors.empty and longer.metrics["mae"].mean() < 0.5
    # a column the model names itself as past-observed keeps that role
    past = run(WindowForecaster(Ridge(), n_steps_in=7, n_steps_out=3, covariates=["x"]), data)
    assert past.info["models"]["m"]["params"]["future_covariates"] is None


def test_a_dict_series_without_the_first_series_column_is_named():
    """The backtest took 'sales' from the first series and blamed a 'columns' argument the
    user never gave ("columns names column(s) ['sales'] that are not in the data")."""
    from tsforecast.exceptions import UnknownColumnError

    index = pd.date_range("2024-01-01", periods=30, freq="D")
    data = {"a": pd.Series(np.arange(30.0), index=index, name="sales"), "b": pd.Series(np.arange(30.0), index=index)}
    with pytest.raises(UnknownColumnError, match=r"columns \(of data\['b'\]\) names column\(s\) \['sales'\].*available columns: \['y'\]"):
        backtest(Naive(), data, horizon=2, cv=2, progress=False)
