"""No future value reaches a forecast: garbage after a cutoff leaves the forecasts made
at (and before) that cutoff bit-identical, for every kind of model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _backtest_helpers import GlobalMean, LastValue, NoisyQuantiles, UpdatableMean
from sklearn.linear_model import Ridge

from tsforecast import ConformalIntervals, WindowForecaster, backtest
from tsforecast import baselines as _baselines

HORIZON, N_FOLDS, LENGTH = 3, 3, 72
FORECAST_COLUMNS = ["model", "unique_id", "fold", "cutoff", "ds", "step", "y_hat"]


def make_data() -> pd.DataFrame:
    """Two hourly series with a daily season, a past covariate z and a future-known x."""
    rng = np.random.default_rng(11)
    t = np.arange(LENGTH)
    frames = {}
    for i, key in enumerate(["a", "b"]):
        x = np.sin(2 * np.pi * t / 24)
        frames[key] = pd.DataFrame(
            {"y": 20 + 5 * i + 3 * x + rng.normal(0, 0.3, LENGTH), "x": x, "z": rng.normal(size=LENGTH)},
            index=pd.date_range("2024-01-01", periods=LENGTH, freq="h"),
        )
    return pd.concat(frames, names=["unique_id", "ds"]).reset_index()


def corrupt(data: pd.DataFrame, cutoff_pos: int, how: str, keep_future: str | None = None) -> pd.DataFrame:
    """Garbage in every row after ``cutoff_pos`` of every series; a declared future-known
    column keeps its values for the horizon (they are known at the cutoff)."""
    rng = np.random.default_rng(99)
    out = []
    for _, frame in data.groupby("unique_id", sort=False):
        frame = frame.reset_index(drop=True).copy()
        after = frame.index > cutoff_pos
        for column in ("y", "x", "z"):
            rows = after.copy()
            if column == keep_future:
                rows &= frame.index > cutoff_pos + HORIZON
            garbage = frame.loc[rows, column] * 1000 if how == "x1000" else rng.normal(0, 1e6, rows.sum())
            frame.loc[rows, column] = garbage
        out.append(frame)
    return pd.concat(out, ignore_index=True)


def assert_no_leak(models: dict, *, fold: int = 1, keep_future: str | None = None, n_folds: int = N_FOLDS,
                   garbage=("x1000", "random"), **kwargs):
    data = make_data()
    clean = backtest(models, data, horizon=HORIZON, cv=n_folds, progress=False, **kwargs)
    cutoff_pos = LENGTH - HORIZON * (n_folds - fold) - 1
    assert clean.forecasts.query("fold == @fold")["cutoff"].iloc[0] == data["ds"].iloc[cutoff_pos]
    for how in garbage:
        dirty = backtest(models, corrupt(data, cutoff_pos, how, keep_future), horizon=HORIZON, cv=n_folds,
                         progress=False, **kwargs)
        assert dirty.errors.empty and clean.errors.empty
        columns = FORECAST_COLUMNS + [c for c in clean.forecasts.columns if c.startswith(("q", "lo_", "hi_"))]
        made_by_cutoff = clean.forecasts["fold"] <= fold
        pd.testing.assert_frame_equal(
            clean.forecasts.loc[made_by_cutoff, columns],
            dirty.forecasts.loc[dirty.forecasts["fold"] <= fold, columns],
            check_exact=True,
        )
        # The test is not vacuous: later forecasts did see the garbage.
        later = clean.forecasts["fold"] > fold
        assert not np.array_equal(clean.forecasts.loc[later, "y_hat"], dirty.forecasts.loc[later, "y_hat"])
    return clean


BASELINES = ["Naive", "SeasonalNaive", "Drift", "Mean", "Naive2", "SES", "Holt", "Damped", "Theta", "Comb",
             "ETS", "ARIMA"]


# ETS and ARIMA fit statsmodels per fold (about 40 s together): whole suite only.
@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.slow) if n in ("ETS", "ARIMA") else n
                                  for n in BASELINES])
def test_baselines_do_not_leak(name):
    cls = getattr(_baselines, name, None)
    if cls is None:
        pytest.skip(f"tsforecast.baselines.{name} is not available")
    params = cls().get_params()
    model = cls(season_length=24) if "season_length" in params else cls()
    assert_no_leak({name: model, "last": LastValue()})


@pytest.mark.filterwarnings("ignore:models.*has no update")
def test_test_forecasters_do_not_leak():
    models = {"last": LastValue(), "global": GlobalMean(), "q": NoisyQuantiles(), "mean": UpdatableMean()}
    assert_no_leak(models)
    assert_no_leak(models, fold=0, refit=2)


def test_window_forecaster_with_ridge_and_covariates_does_not_leak():
    model = WindowForecaster(Ridge(alpha=1.0), n_steps_in=12, n_steps_out=HORIZON, covariates=["z"],
                             future_covariates=["x"])
    assert_no_leak({"ridge": model}, covariates=["z"], future_covariates=["x"], keep_future="x")
    assert_no_leak({"ridge": model}, covariates=["z"], future_covariates=["x"], keep_future="x", refit=False)


def lstm(**params):
    from tsforecast import EncoderDecoderLSTM

    estimator = EncoderDecoderLSTM(units=4, epochs=4, batch_size=16, validation_fraction=0.25, patience=1,
                                   scaling="standard", random_state=0, **params)
    return WindowForecaster(estimator, n_steps_in=12, n_steps_out=HORIZON)


@pytest.mark.slow
def test_lstm_with_scaling_early_stopping_and_warm_start_does_not_leak():
    # Two folds, warm-started: fold 0 trains from scratch with standard scaling and early
    # stopping, fold 1 continues from fold 0's weights for 4 // 4 = 1 epoch.
    result = assert_no_leak({"lstm": lstm()}, fold=0, n_folds=2, garbage=("random",), warm_start=True)
    assert result.errors.empty and not result.info["notes"]
    assert result.info["n_tasks"] == 1
    assert len(result.histories["lstm"][1]["loss"]) == 1
    assert 1 <= len(result.histories["lstm"][0]["loss"]) <= 4


@pytest.mark.parametrize("fill", ["ffill", "interpolate"])
def test_fill_repairs_each_fold_from_its_own_rows(fill, monkeypatch):
    """A gap that ends at a cutoff is repaired from the rows up to the cutoff only: an
    interpolation over the whole series would pull the (garbage) value after it in."""
    import sys

    cutoff_pos = LENGTH - HORIZON * (N_FOLDS - 1) - 1  # fold 1
    gappy = make_data()
    in_gap = gappy.groupby("unique_id").cumcount().between(cutoff_pos - 1, cutoff_pos)
    gappy.loc[in_gap, ["y", "z"]] = np.nan
    monkeypatch.setattr(sys.modules[__name__], "make_data", gappy.copy)
    ridge = WindowForecaster(Ridge(alpha=1.0), n_steps_in=12, n_steps_out=HORIZON, covariates=["z"])
    clean = assert_no_leak({"last": LastValue(), "ridge": ridge}, covariates=["z"], fill=fill)
    assert clean.errors.empty


def test_a_global_model_on_series_ending_at_different_times_is_warned():
    """Folds count back from each series' own end: a global model fitted at fold 1 learned
    from series a's rows after b's fold-1 cutoff (b's forecasts moved with them) without a word."""
    import warnings

    from tsforecast.exceptions import TsForecastWarning

    index = pd.date_range("2024-01-01", periods=40, freq="h")
    ragged = {"a": pd.Series(np.arange(40.0), index), "b": pd.Series(np.arange(28.0), index[:28])}
    with pytest.warns(TsForecastWarning, match=r"cutoffs of 3 of 3 fold\(s\) differ across series \(fold 0: from "
                                               r"2024-01-01 18:00:00 to 2024-01-02 06:00:00.*'global' learn"):
        backtest({"global": GlobalMean(), "local": LastValue()}, ragged, horizon=3, cv=3, season_length=1,
                 progress=False)
    aligned = {"a": ragged["a"], "b": pd.Series(np.arange(40.0), index)}
    with warnings.catch_warnings():
        warnings.simplefilter("error", TsForecastWarning)
        backtest({"global": GlobalMean()}, aligned, horizon=3, cv=3, season_length=1, progress=False)  # one cutoff
        backtest({"local": LastValue()}, ragged, horizon=3, cv=3, season_length=1, progress=False)  # series alone


@pytest.mark.parametrize("fill", ["ffill", "interpolate"])
def test_a_missing_actual_is_left_unscored_not_scored_against_a_repair(fill):
    """The actuals were the whole series repaired once: a gap inside a fold's horizon was
    scored against a value interpolated from the rows after the horizon."""
    cutoff_pos = LENGTH - HORIZON * (N_FOLDS - 1) - 1  # fold 1; its second step is missing
    gappy = make_data()
    gappy.loc[gappy.groupby("unique_id").cumcount() == cutoff_pos + 2, "y"] = np.nan
    later = gappy.groupby("unique_id").cumcount() > cutoff_pos + HORIZON
    moved = gappy.assign(y=np.where(later, gappy["y"] * 1000, gappy["y"]))
    results = [backtest({"last": LastValue()}, data, horizon=HORIZON, cv=N_FOLDS, fill=fill, progress=False)
               for data in (gappy, moved)]
    for result in results:
        fold1 = result.forecasts.query("fold == 1")
        assert fold1.loc[fold1["step"] == 2, "y"].isna().all() and fold1.loc[fold1["step"] != 2, "y"].notna().all()
    scores = [r.metrics.query("fold == 1")[["unique_id", "step", "mae"]].reset_index(drop=True) for r in results]
    pd.testing.assert_frame_equal(scores[0], scores[1], check_exact=True)
    assert scores[0].loc[scores[0]["step"] == 2, "mae"].isna().all()


def test_conformal_intervals_do_not_leak():
    """Calibration windows end at or before each fold's cutoff: garbage after it leaves
    that fold's intervals (and those of earlier folds) bit-identical."""
    ridge = WindowForecaster(Ridge(alpha=1.0), n_steps_in=12, n_steps_out=HORIZON)
    models = {
        "theta": ConformalIntervals(_baselines.Theta(), levels=(80,), n_windows=6),
        "pooled": ConformalIntervals(_baselines.Naive(), levels=(80,), n_windows=6, pooling="panel"),
        "ridge": ConformalIntervals(ridge, levels=(80,), n_windows=4),
        "ridge_once": ConformalIntervals(ridge, levels=(80,), n_windows=4, refit=False),
        "naive": _baselines.Naive(),
    }
    for fold in (0, 1):
        clean = assert_no_leak(models, fold=fold, levels=(50, 80))
        assert clean.forecasts[["lo_50", "hi_50", "lo_80", "hi_80"]].notna().all().all()
