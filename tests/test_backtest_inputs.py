"""Tests of the forms ``backtest`` accepts and answers in: lists of models, periods."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _backtest_helpers import GlobalMean, UpdatableMean
from sklearn.linear_model import Ridge

from tsforecast import (SES, AutoARIMA, BacktestResult, Combination, ConformalIntervals, ExpandingWindowSplit, Naive,
                        SeasonalNaive, Theta, WindowForecaster, backtest, report)
from tsforecast.exceptions import InputTypeError, InsufficientDataError, InvalidParameterError


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


def test_a_period_index_backtest_gives_its_cutoffs_as_periods_everywhere(monthly, tmp_path):
    """fold_scores() and info["cutoffs"] gave the start of the cutoff's period as a
    timestamp while the forecasts table has periods: the tables did not join."""
    result = backtest(Naive(), monthly, horizon=3, cv=2, progress=False)
    scores, table = result.fold_scores(), result.forecasts
    assert scores["cutoff"].dtype == table["cutoff"].dtype
    joined = scores.merge(table, on=["model", "unique_id", "fold", "cutoff"])
    assert len(joined) == len(table)
    for fold, (first, last) in result.info["cutoffs"].items():
        assert first == last == str(table.loc[table["fold"] == fold, "cutoff"].iloc[0])
    loaded = BacktestResult.load(result.save(tmp_path / "result"))
    pd.testing.assert_frame_equal(loaded.fold_scores(), scores)


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
    said = r"columns \(of data\['b'\]\) names column\(s\) \['sales'\].*available columns: \['y'\]"
    with pytest.raises(UnknownColumnError, match=said):
        backtest(Naive(), data, horizon=2, cv=2, progress=False)


def _ending_together(lengths) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.concat([pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range(end="2024-06-30", periods=n, freq="D"),
                                    "y": rng.normal(size=n).cumsum()}) for i, n in enumerate(lengths)],
                     ignore_index=True)


@pytest.mark.parametrize("on_short", ["skip", "raise"])
@pytest.mark.parametrize("refit", [True, False])
def test_a_series_too_short_for_a_window_model_in_one_fold_fails_alone(on_short, refit):
    """s1 has 7 training rows at fold 0, fewer than n_steps_in=8. Before, that fold failed for
    every series ("the model returned no forecast for series ['s1']", or s1's own
    InsufficientDataError for all), and with refit=False every later fold with it ("no fitted
    model"), though the fit had worked: the backtest failed."""
    model = WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=2, on_short=on_short)
    cv = ExpandingWindowSplit(horizon=4, n_splits=3, gap=1, step=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = backtest({"r": model}, _ending_together((70, 18, 62)), cv=cv, refit=refit, progress=False)
    errors = result.errors
    assert errors[["unique_id", "fold"]].astype(str).values.tolist() == [["s1", "0"]]
    assert "7 training row(s)" in errors["error"].iloc[0]
    forecast = result.forecasts.dropna(subset=["y_hat"])
    scored = forecast.groupby(["unique_id", "fold"], observed=True).size()
    assert ("s1", 0) not in scored.index and len(scored) == 8 and (scored == 4).all()  # every other cell
    assert result.summary().loc["r", "n_errors"] == 1


def _pooling_models() -> dict:
    window = WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=3)
    return {"combined": Combination([window, Theta()]),
            "conformal": ConformalIntervals(SES(), n_windows=3, levels=(80,)),
            "window_conformal": ConformalIntervals(window, n_windows=3, levels=(80,))}


@pytest.mark.parametrize("name", ["combined", "conformal", "window_conformal"])
def test_a_series_too_short_for_a_pooling_model_fails_alone_and_the_others_keep_their_pool(name):
    """b is too short for these models at its first folds. Before, the models without an
    on_short of their own (a Combination or ConformalIntervals around a window model) failed
    the fold for every series with b's error, and ConformalIntervals(SES), retried series by
    series, failed a and c too: alone, one series has too few calibration errors."""
    rng = np.random.default_rng(0)
    data = pd.concat([pd.DataFrame({"unique_id": k, "ds": pd.date_range("2024", periods=n, freq="D"),
                                    "y": 10 + rng.normal(size=n).cumsum()}) for k, n in (("a", 40), ("b", 14),
                                                                                          ("c", 40))])
    options = dict(horizon=3, cv=4, levels=(80,), progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = [backtest({name: _pooling_models()[name]}, data, n_jobs=n_jobs, backend="threading", **options)
                   for n_jobs in (1, 2)]
        without_b = backtest({name: _pooling_models()[name]}, data[data["unique_id"] != "b"], **options)
    result = results[0]
    for table in ("forecasts", "metrics", "errors"):
        pd.testing.assert_frame_equal(getattr(result, table), getattr(results[1], table))
    errors = result.errors
    assert len(errors) and set(errors["unique_id"]) == {"b"}
    assert not errors["error"].str.contains("over 1 series|the model returned").any()  # b's own reason
    assert errors["error"].str.startswith("InsufficientDataError").all()
    # a and c are forecast at those folds, as if b were not there (their pool without it)
    failed = errors["fold"].tolist()
    mine = result.forecasts[(result.forecasts["unique_id"] != "b") & result.forecasts["fold"].isin(failed)]
    theirs = without_b.forecasts[without_b.forecasts["fold"].isin(failed)]
    columns = ["y_hat", "lo_80", "hi_80"]
    assert mine[columns].notna().all().all() or name == "combined"
    np.testing.assert_allclose(mine[columns].to_numpy(dtype=float), theirs[columns].to_numpy(dtype=float))


class _ThinPoolGlobal(GlobalMean):
    """Pools its series (a series of one value refuses the fit); its forecast fails where
    it was fitted on 2 series of 3 (as a pool some subsets leave too thin)."""

    def predict(self, horizon=None, X=None):
        if 1 < len(self.last_) < 3:
            raise ValueError("the pool is too thin")
        return super().predict(horizon, X)


class _ThinPoolPanel(Naive):
    """The same on panels: a series of one value refuses the fit of all."""

    fits_globally = True

    def fit(self, y, X=None):
        super().fit(y, X)
        if (np.asarray(self.n_obs_) < 2).any():
            raise InsufficientDataError("one value: nothing to pool")
        return self

    def forecast_arrays(self, horizon=None, X=None, quantiles=None):
        if 1 < self.n_series_ < 3:
            raise ValueError("the pool is too thin")
        return super().forecast_arrays(horizon, X, quantiles)


@pytest.mark.parametrize("model, failed", [(_ThinPoolGlobal(), {"a", "b", "c"}), (_ThinPoolPanel(), {"b"})],
                         ids=["global", "panel"])
def test_a_retry_without_the_short_series_that_fails_otherwise_leaves_the_first_error_to_stand(model, failed):
    """b has one training value at fold 0; fitted without it, the forecast fails. Before,
    that trial's ValueError escaped the retry and was recorded for every series, in place
    of b's own error (global) or of the series-by-series retry that forecasts a and c
    (panel)."""
    rng = np.random.default_rng(0)
    data = pd.concat([pd.DataFrame({"unique_id": k, "ds": pd.date_range("2024", periods=n, freq="D"),
                                    "y": 10 + rng.normal(size=n).cumsum()}) for k, n in (("a", 40), ("b", 7),
                                                                                          ("c", 40))])
    result = backtest({"m": model}, data, horizon=3, cv=2, progress=False)
    errors = result.errors
    assert set(errors["unique_id"]) == failed and set(errors["fold"]) == {0}
    assert errors["error"].str.startswith("InsufficientDataError").all()
    forecast = result.forecasts.dropna(subset=["y_hat"])
    assert len(forecast) == 3 * (6 - len(failed))


class _FirstForecastFails(UpdatableMean):
    """Fits and updates; forecasts only after an update."""

    def fit(self, y, X=None):
        self.updated_ = False
        return super().fit(y, X)

    def update(self, y, X=None):
        self.updated_ = True
        return super().update(y, X)

    def predict(self, horizon=None, X=None):
        if not self.updated_:
            raise ValueError("no forecast before an update")
        return super().predict(horizon, X)


def test_a_fold_whose_forecast_failed_keeps_its_fit_for_the_folds_that_update_it(monthly):
    """With refit=False, a first fold whose fit worked and whose forecast failed made every
    later fold fail with "no fitted model: the fit this fold depends on failed"."""
    result = backtest({"m": _FirstForecastFails()}, monthly, horizon=3, cv=3, refit=False, progress=False)
    assert result.errors["fold"].tolist() == [0]
    assert result.errors["error"].iloc[0] == "ValueError: no forecast before an update"
    assert set(result.forecasts.dropna(subset=["y_hat"])["fold"]) == {1, 2}
