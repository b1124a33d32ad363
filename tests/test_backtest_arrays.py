"""A backtest result holds its forecasts as arrays: every reading of them equals the
reading of the same result rebuilt from its long tables, and none needs the tables."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest
from _backtest_helpers import FailOn, LastValue

from tsforecast import BacktestResult, ExpandingWindowSplit, backtest
from tsforecast.baselines import Naive, SeasonalNaive


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    rng = np.random.default_rng(5)
    frames = []
    for key, level in (("a", 10.0), ("b", 50.0), ("c", 20.0)):
        index = pd.date_range("2024-01-01", periods=40, freq="D")
        frames.append(pd.DataFrame({"unique_id": key, "ds": index,
                                    "y": level + np.cumsum(rng.normal(size=40))}))
    panel = pd.concat(frames, ignore_index=True)
    # FailOn fails where it is fitted on 34 rows: fold 1 of every series, so rows are missing.
    models = {"naive": Naive(), "last": LastValue(), "flaky": FailOn(n_rows=34), "snaive": SeasonalNaive(7)}
    return backtest(models, panel, cv=ExpandingWindowSplit(3, n_splits=3, step=3), season_length=7,
                    metrics=["mae", "rmse", "smape", "mase"], quantiles="auto", levels=(80, 95), progress=False)


def _from_tables(result: BacktestResult) -> BacktestResult:
    return BacktestResult(result.forecasts, result.metrics, result.errors, result.histories, result.info)


def test_the_fixture_has_missing_rows_quantiles_and_intervals(result):
    assert len(result.errors) == 3
    assert {"pinball", "coverage", "coverage_80", "msis_95"} <= set(result.metric_names)


def test_readings_of_the_arrays_equal_those_of_the_tables(result):
    tables = _from_tables(result)
    pd.testing.assert_frame_equal(result.fold_scores(), tables.fold_scores())
    pd.testing.assert_frame_equal(result.summary(reference="last"), tables.summary(reference="last"))
    for metric in result.metric_names:
        pd.testing.assert_frame_equal(result.by_step(metric), tables.by_step(metric))
    for metric in ("mae", "rmse", "mase"):
        pd.testing.assert_frame_equal(result.compare("last", metric=metric), tables.compare("last", metric=metric))
    pd.testing.assert_frame_equal(result.compare("snaive", horizon_step=2), tables.compare("snaive", horizon_step=2))
    pd.testing.assert_frame_equal(result.per_series(reference="last"), tables.per_series(reference="last"))


def test_metrics_table_holds_each_metric_computed_from_the_forecasts(result):
    forecasts, metrics = result.forecasts, result.metrics
    assert len(metrics) == len(forecasts)
    error = (forecasts["y"] - forecasts["y_hat"]).abs()
    np.testing.assert_allclose(metrics["mae"], error)
    lo, hi = forecasts["lo_80"], forecasts["hi_80"]
    inside = ((forecasts["y"] >= lo) & (forecasts["y"] <= hi)).astype(float).where(lo.notna())
    np.testing.assert_array_equal(metrics["coverage_80"].to_numpy(), inside.to_numpy())


def test_readings_do_not_build_the_long_tables():
    y = pd.Series(np.arange(60.0) % 7, index=pd.date_range("2024", periods=60, freq="D"), name="y")
    fresh = backtest({"naive": Naive(), "snaive": SeasonalNaive(7)}, y, horizon=7, cv=3, progress=False)
    fresh.summary(reference="naive"), fresh.by_step(), fresh.compare("naive"), fresh.per_series(), repr(fresh)
    assert fresh._forecasts is None and fresh._metrics is None
    assert len(fresh.forecasts) == 2 * 3 * 7  # built on first access


def test_save_load_and_pickle_keep_the_arrays(result, tmp_path):
    loaded = BacktestResult.load(result.save(tmp_path / "r.zip"))
    again = pickle.loads(pickle.dumps(result))
    for other in (loaded, again):
        pd.testing.assert_frame_equal(other.forecasts, result.forecasts, check_exact=True)
        pd.testing.assert_frame_equal(other.metrics, result.metrics, check_exact=True)
        pd.testing.assert_frame_equal(other.per_series(reference="last"), result.per_series(reference="last"))
        assert other.info == result.info or other is loaded  # JSON turns some values into strings


def test_timestamps_numpy_cannot_store_fall_back_to_tables(tmp_path):
    """tz-aware stamps are objects in NumPy: such a result is saved as tables, and reads back."""
    index = pd.date_range("2024-01-01", periods=30, freq="h", tz="Europe/Paris")
    y = pd.Series(np.sin(np.arange(30.0)), index=index, name="y")
    result = backtest(LastValue(), y, horizon=3, cv=2, progress=False)
    assert str(result.forecasts["ds"].dtype).startswith("datetime64") and result.forecasts["ds"].dt.tz is not None
    loaded = BacktestResult.load(result.save(tmp_path / "tz.zip"))
    pd.testing.assert_frame_equal(loaded.forecasts, result.forecasts)
    pd.testing.assert_frame_equal(loaded.summary(), result.summary())
