"""Tests of tsforecast.backtest: folds, refit cadence, metrics, results, bad input."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from _backtest_helpers import CovariateEcho, FailOn, GlobalMean, LastValue, NoisyQuantiles, UpdatableMean, WideNaive

from tsforecast import BacktestResult, ConformalIntervals, ExpandingWindowSplit, SlidingWindowSplit, backtest, report
from tsforecast.baselines import Naive
from tsforecast.core.metrics import mase_scale
from tsforecast.exceptions import (
    BacktestError,
    InputTypeError,
    InsufficientDataError,
    InvalidParameterError,
    ModelFileError,
    TsForecastWarning,
    UndefinedMetricWarning,
    UnknownColumnError,
)


@pytest.fixture
def series() -> pd.Series:
    rng = np.random.default_rng(1)
    values = 10 + np.cumsum(rng.normal(size=30))
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=30, freq="D"), name="y")


@pytest.fixture
def panel(series) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    other = pd.Series(50 + np.cumsum(rng.normal(size=30)), index=series.index, name="y")
    frame = pd.concat({"a": series, "b": other}, names=["unique_id", "ds"]).reset_index()
    return frame


def count(path) -> int:
    return len(path.read_text().splitlines()) if path.exists() else 0


def test_forecasts_table_single_series(series):
    result = backtest({"last": LastValue()}, series, horizon=3, cv=3, progress=False)
    table = result.forecasts
    assert list(table.columns) == ["model", "unique_id", "fold", "cutoff", "ds", "step", "y", "y_hat"]
    assert len(table) == 9 and set(table["unique_id"]) == {"series"}
    # Folds end on the last row, cutoffs step by horizon: positions 20, 23, 26.
    cutoffs = table.groupby("fold")["cutoff"].first()
    assert list(cutoffs) == list(series.index[[20, 23, 26]])
    for fold, cutoff_pos in enumerate([20, 23, 26]):
        rows = table[table["fold"] == fold]
        assert list(rows["step"]) == [1, 2, 3]
        assert list(rows["ds"]) == list(series.index[cutoff_pos + 1 : cutoff_pos + 4])
        np.testing.assert_array_equal(rows["y"], series.to_numpy()[cutoff_pos + 1 : cutoff_pos + 4])
        np.testing.assert_array_equal(rows["y_hat"], np.full(3, series.iloc[cutoff_pos]))
    assert result.errors.empty
    assert result.info["n_folds"] == 3 and result.info["horizon"] == 3


def test_metrics_per_step_and_mase_on_fold_training_data(series):
    result = backtest({"last": LastValue()}, series, horizon=3, cv=2, season_length=2, progress=False)
    metrics, table = result.metrics, result.forecasts
    assert list(metrics.columns) == ["model", "unique_id", "fold", "cutoff", "step", "mae", "rmse", "smape", "mase"]
    error = (table["y"] - table["y_hat"]).abs().to_numpy()
    np.testing.assert_allclose(metrics["mae"], error)
    np.testing.assert_allclose(metrics["rmse"], error)
    np.testing.assert_allclose(metrics["smape"], 200 * error / (table["y"].abs() + table["y_hat"].abs()))
    for fold, cutoff_pos in enumerate([23, 26]):
        scale = mase_scale(series.to_numpy()[: cutoff_pos + 1], 2)[0]  # this fold's training rows only
        rows = metrics["fold"] == fold
        np.testing.assert_allclose(metrics.loc[rows, "mase"], error[rows.to_numpy()] / scale)


def test_summary_by_step_and_fold_scores(series):
    models = {"good": LastValue(), "bad": LastValue(offset=3.0)}
    result = backtest(models, series, horizon=3, cv=3, progress=False)
    summary = result.summary(reference="bad")
    assert list(summary.index) == ["good", "bad"]
    assert summary.loc["good", "rank"] == 1 and summary.loc["bad", "rank"] == 2
    assert summary.loc["bad", "skill"] == 0.0 and summary.loc["good", "skill"] > 0
    # ranked, and skill taken, by MASE where none is named (as the report and the CLI)
    assert result.main_metric == "mase"
    expected = 1 - summary.loc["good", "mase_mean"] / summary.loc["bad", "mase_mean"]
    assert summary.loc["good", "skill"] == pytest.approx(expected)
    scores = result.fold_scores()
    good = result.forecasts[(result.forecasts["model"] == "good") & (result.forecasts["fold"] == 1)]
    rmse = np.sqrt(np.mean((good["y"] - good["y_hat"]) ** 2))
    assert scores.query("model == 'good' and fold == 1")["rmse"].item() == pytest.approx(rmse)
    by_step = result.by_step("mae")
    assert list(by_step.columns) == ["good", "bad"] and list(by_step.index) == [1, 2, 3]


def test_fold_scores_skip_missing_steps_and_combine_rmse_as_a_root_mean_square():
    from tsforecast.backtesting import BacktestResult
    from tsforecast.backtesting.result import aggregate_steps

    keys = [("m", "s", fold, 9 + fold, step) for fold in (0, 1) for step in (1, 2, 3)]
    metrics = pd.DataFrame(keys, columns=["model", "unique_id", "fold", "cutoff", "step"])
    metrics["rmse"] = [1.0, np.nan, 3.0, np.nan, np.nan, np.nan]
    metrics["mae"] = [1.0, 2.0, np.nan, 4.0, np.nan, 6.0]
    scores = BacktestResult(pd.DataFrame(), metrics, info={"metrics": ["mae", "rmse"]}).fold_scores()
    assert scores["rmse"].iloc[0] == pytest.approx(aggregate_steps(np.array([1.0, np.nan, 3.0]), "rmse"))
    assert scores["rmse"].iloc[0] == pytest.approx(np.sqrt(5.0)) and np.isnan(scores["rmse"].iloc[1])
    assert scores["mae"].tolist() == [1.5, 5.0]


def test_local_model_on_panel_fits_each_series(panel, tmp_path):
    counter = tmp_path / "fits"
    result = backtest(LastValue(counter=str(counter)), panel, horizon=2, cv=3, progress=False)
    assert count(counter) == 6  # 2 series x 3 folds
    assert set(result.forecasts["unique_id"]) == {"a", "b"}
    assert list(result.forecasts["unique_id"].drop_duplicates()) == ["a", "b"]
    assert result.info["data"]["n_series"] == 2


def test_global_model_fits_once_per_fold_on_all_series(panel, tmp_path):
    counter = tmp_path / "fits"
    result = backtest({"global": GlobalMean(counter=str(counter))}, panel, horizon=2, cv=3, progress=False)
    assert count(counter) == 3
    assert result.info["n_tasks"] == 3
    # The drift is the mean over both series: the forecast of "a" depends on "b".
    frames = {k: g.set_index("ds")["y"] for k, g in panel.groupby("unique_id")}
    cutoff = 25
    drift = np.mean([f.iloc[cutoff] - f.iloc[cutoff - 1] for f in frames.values()])
    rows = result.forecasts.query("unique_id == 'a' and fold == 1")
    np.testing.assert_allclose(rows["y_hat"], frames["a"].iloc[cutoff] + drift * np.array([1, 2]))


def test_dict_panel_gives_same_result_as_long_panel(panel):
    as_dict = {k: g.set_index("ds")["y"].rename("y") for k, g in panel.groupby("unique_id")}
    long = backtest(LastValue(), panel, horizon=2, cv=2, progress=False)
    other = backtest(LastValue(), as_dict, horizon=2, cv=2, progress=False)
    pd.testing.assert_frame_equal(long.forecasts, other.forecasts)


@pytest.mark.parametrize(("refit", "fits"), [(True, 5), (2, 3), (False, 1)])
def test_refit_cadence_and_update(series, tmp_path, refit, fits):
    counter = tmp_path / "fits"
    result = backtest(UpdatableMean(counter=str(counter)), series, horizon=2, cv=5, refit=refit, progress=False)
    assert count(counter) == fits
    values = series.to_numpy()
    cutoffs = [29 - 2 * (5 - k) for k in range(5)]
    for fold, cutoff in enumerate(cutoffs):
        fitted_at = cutoffs[fold - fold % (5 if refit is False else 1 if refit is True else refit)]
        expected = 0.5 * (values[: fitted_at + 1].mean() + values[cutoff])
        rows = result.forecasts[result.forecasts["fold"] == fold]
        np.testing.assert_allclose(rows["y_hat"], expected)


def test_refit_false_without_update_refits_with_warning(series, tmp_path):
    counter = tmp_path / "fits"
    with pytest.warns(TsForecastWarning, match="no update"):
        result = backtest(LastValue(counter=str(counter)), series, horizon=2, cv=3, refit=False, progress=False)
    assert count(counter) == 3
    assert "LastValue" in result.info["fallbacks"]


def test_gap_forecasts_past_the_gap(series):
    result = backtest(LastValue(), series, cv=ExpandingWindowSplit(2, n_splits=2, gap=2), progress=False)
    table = result.forecasts
    assert sorted(set(table["step"])) == [3, 4]
    last = table[table["fold"] == 1]
    cutoff_pos = 29 - 2 - 2
    assert last["cutoff"].iloc[0] == series.index[cutoff_pos]
    assert list(last["ds"]) == list(series.index[cutoff_pos + 3 : cutoff_pos + 5])
    np.testing.assert_array_equal(last["y_hat"], series.iloc[cutoff_pos])


def test_sliding_window_trains_on_window_only(series):
    result = backtest(UpdatableMean(), series, cv=SlidingWindowSplit(5, 2, n_splits=2), progress=False)
    values = series.to_numpy()
    for fold, cutoff in enumerate([25, 27]):
        expected = 0.5 * (values[cutoff - 4 : cutoff + 1].mean() + values[cutoff])
        np.testing.assert_allclose(result.forecasts.loc[result.forecasts["fold"] == fold, "y_hat"], expected)


def test_covariates_past_up_to_cutoff_future_for_horizon(series):
    rng = np.random.default_rng(3)
    data = pd.DataFrame({"y": series, "x": rng.normal(size=30), "z": rng.normal(size=30)})
    result = backtest(CovariateEcho(), data, horizon=3, cv=2, covariates=["z"], future_covariates=["x"],
                      progress=False)
    for fold, cutoff in enumerate([23, 26]):
        expected = data["x"].to_numpy()[cutoff + 1 : cutoff + 4] + data["z"].iloc[cutoff]
        np.testing.assert_allclose(result.forecasts.loc[result.forecasts["fold"] == fold, "y_hat"], expected)
    assert result.info["data"]["covariates"] == ["z"] and result.info["data"]["future_covariates"] == ["x"]


def test_target_selection_and_unknown_column(series):
    data = pd.DataFrame({"sales": series, "other": series * 2})
    result = backtest(LastValue(), data, horizon=2, cv=1, target="sales", progress=False)
    assert result.forecasts["y_hat"].iloc[0] == series.iloc[27]
    with pytest.raises(InvalidParameterError, match="target"):
        backtest(LastValue(), data, horizon=2, cv=1, progress=False)
    with pytest.raises(UnknownColumnError, match="nope"):
        backtest(LastValue(), data, horizon=2, cv=1, target="sales", covariates=["nope"], progress=False)


def test_quantiles_only_when_asked(series):
    models = {"q": NoisyQuantiles(width=2.0), "last": LastValue()}
    plain = backtest(models, series, horizon=2, cv=2, progress=False)
    assert not [c for c in plain.forecasts.columns if c.startswith("q0")]
    assert "pinball" not in plain.metric_names and plain.info["quantiles"] is None
    asked = backtest(models, series, horizon=2, cv=2, quantiles=[0.9, 0.1], progress=False)
    assert [c for c in asked.forecasts.columns if c.startswith("q0")] == ["q0.1", "q0.9"]
    assert asked.info["quantiles"] == [0.1, 0.9]
    pd.testing.assert_series_equal(asked.forecasts["y_hat"], plain.forecasts["y_hat"])
    with pytest.raises(InvalidParameterError, match="quantiles must be None, \"auto\".*got 'all'"):
        backtest(models, series, horizon=2, cv=2, quantiles="all", progress=False)


def test_quantile_models_get_pinball_and_coverage(series):
    result = backtest({"q": NoisyQuantiles(width=2.0), "last": LastValue()}, series, horizon=2, cv=3,
                      quantiles="auto", progress=False)
    table, metrics = result.forecasts, result.metrics
    assert {"q0.1", "q0.5", "q0.9"} <= set(table.columns)
    assert table.loc[table["model"] == "last", "q0.1"].isna().all()
    q = table[table["model"] == "q"]
    np.testing.assert_allclose(q["q0.9"], q["y_hat"] + 2.0 * 1.2816)
    rows = metrics[metrics["model"] == "q"]
    inside = ((q["y"] >= q["q0.1"]) & (q["y"] <= q["q0.9"])).astype(float).to_numpy()
    np.testing.assert_array_equal(rows["coverage"], inside)
    assert rows["pinball"].notna().all() and metrics.loc[metrics["model"] == "last", "pinball"].isna().all()
    assert "pinball" in result.summary().columns.str.replace("_mean", "").tolist()


def test_auto_quantiles_rank_each_model_against_its_own_band():
    rng = np.random.default_rng(0)
    y = pd.Series(100 + np.cumsum(rng.normal(size=80)), index=pd.date_range("2020", periods=80, freq="D"), name="y")
    result = backtest({"wide": WideNaive(), "naive": Naive()}, y, horizon=2, cv=10, quantiles="auto",
                      metrics=["mae"], progress=False)
    assert result.info["model_quantiles"] == {"wide": [0.05, 0.5, 0.95], "naive": [0.1, 0.5, 0.9]}
    table = result.summary(metric="coverage")
    own = (table["coverage_mean"] - pd.Series({"wide": 0.9, "naive": 0.8})).abs()
    assert own.idxmin() != (table["coverage_mean"] - 0.8).abs().idxmin()  # the data tell the two rules apart
    assert table["rank"].idxmin() == own.idxmin()  # before: both measured against 0.8
    assert result.per_series(metric="coverage").set_index("model")["rank"].idxmin() == own.idxmin()
    # pinball averages each model's own levels: not ranked across different sets
    for rank in (lambda: result.summary(metric="pinball"), lambda: result.per_series(metric="pinball"),
                 lambda: result.compare("naive", metric="pinball")):
        with pytest.raises(InvalidParameterError,
                           match="different quantile levels.*'wide': \\[0.05, 0.5, 0.95\\]"):
            rank()
    same = backtest({"wide": WideNaive(), "naive": Naive()}, y, horizon=2, cv=10, quantiles=[0.1, 0.9],
                    metrics=["mae"], progress=False)
    assert same.summary(metric="pinball")["rank"].notna().all()


def test_failing_fold_is_reported_and_rest_completes(series):
    # FailOn raises when fitted on 26 rows: fold 1 of 3 (24, 26 and 28 training rows).
    result = backtest({"flaky": FailOn(n_rows=26), "last": LastValue()}, series, cv=ExpandingWindowSplit(2, n_splits=3, step=2),
                      progress=False)
    errors = result.errors
    assert len(errors) == 1
    assert errors.iloc[0][["model", "unique_id", "fold"]].tolist() == ["flaky", "series", 1]
    assert errors.iloc[0]["error"] == "ValueError: boom at 26 rows"
    assert sorted(set(result.forecasts.query("model == 'flaky'")["fold"])) == [0, 2]
    assert len(result.forecasts.query("model == 'last'")) == 6
    assert result.summary().loc["flaky", "n_errors"] == 1


class FailsOnLarge(LastValue):
    """A last-value forecaster that cannot fit a series with values above 100."""

    def fit(self, y, X=None):
        if float(np.nanmax(np.asarray(y, dtype=float))) > 100:
            raise ValueError("too large")
        return super().fit(y, X)


def _calm_and_wild() -> dict:
    index = pd.date_range("2024-01-01", periods=30, freq="D")
    return {"calm": pd.Series(10 + 0.1 * np.arange(30), index),
            "wild": pd.Series(200 + 50 * np.sin(np.arange(30)), index)}


def test_summary_ranks_models_on_the_cells_all_of_them_scored():
    """A model failing on the hard series has a mean over the easy one only: it ranked
    first with skill 0.79 against the same forecasts where both were scored."""
    result = backtest({"last": LastValue(), "shy": FailsOnLarge()}, _calm_and_wild(), horizon=2, cv=3,
                      progress=False)
    table = result.summary(reference="last")
    assert table.loc["shy", "mase_mean"] < 0.5 * table.loc["last", "mase_mean"]  # own cells differ
    assert table.loc["shy", "mase_common"] == pytest.approx(table.loc["last", "mase_common"])
    assert table["rank"].tolist() == [1, 1]
    assert table.loc["shy", "skill"] == pytest.approx(0.0)


def test_by_step_compares_models_on_the_cells_all_of_them_scored():
    result = backtest({"last": LastValue(), "shy": FailsOnLarge()}, _calm_and_wild(), horizon=2, cv=3,
                      progress=False)
    steps = result.by_step("mae")
    pd.testing.assert_series_equal(steps["shy"], steps["last"], check_names=False)  # same forecasts on 'calm'
    calm = result.metrics.query("unique_id == 'calm' and model == 'last'").groupby("step")["mae"].mean()
    np.testing.assert_allclose(steps["last"].to_numpy(), calm.to_numpy())


def test_summary_has_no_common_column_where_every_model_scored_every_cell():
    result = backtest({"last": LastValue(), "off": LastValue(offset=1.0)}, _calm_and_wild(), horizon=2, cv=3,
                      progress=False)
    table = result.summary()
    assert "mase_common" not in table.columns
    assert table.loc["last", "rank"] == 1 and table.loc["off", "rank"] == 2


def test_report_says_ranks_compare_the_shared_cells(tmp_path):
    result = backtest({"last": LastValue(), "shy": FailsOnLarge()}, _calm_and_wild(), horizon=2, cv=3,
                      progress=False)
    markdown = report(result, tmp_path / "r.html").markdown.read_text(encoding="utf-8")
    assert "MASE on shared cells" in markdown
    assert "ranks and skill compare the models on the cells all of them scored" in markdown


def test_every_task_failing_raises_backtest_error(series):
    class Broken(LastValue):
        def fit(self, y, X=None):
            raise RuntimeError("always")

    with pytest.raises(BacktestError, match="RuntimeError: always"):
        backtest(Broken(), series, horizon=2, cv=2, progress=False)


def test_horizon_larger_than_data_names_the_numbers(series):
    with pytest.raises(InsufficientDataError, match=r"30 rows.*at least 41"):
        backtest(LastValue(), series, horizon=40, cv=1, progress=False)
    with pytest.raises(InsufficientDataError, match="30 rows"):
        backtest(LastValue(), series, horizon=10, cv=3, progress=False)


def test_zero_folds_and_bad_parameters(series):
    with pytest.raises(InvalidParameterError, match="cv must be >= 1.*got 0"):
        backtest(LastValue(), series, horizon=2, cv=0, progress=False)
    with pytest.raises(InvalidParameterError, match="horizon"):
        backtest(LastValue(), series, horizon=0, progress=False)
    with pytest.raises(InvalidParameterError, match="horizon must be given unless cv is a splitter"):
        backtest(LastValue(), series, cv=3, progress=False)
    with pytest.raises(InvalidParameterError, match="horizon=3 disagrees with the splitter's horizon=2"):
        backtest(LastValue(), series, horizon=3, cv=ExpandingWindowSplit(2, n_splits=2), progress=False)
    with pytest.raises(InputTypeError, match="cv must be None, a number of folds or a splitter.*'rolling'"):
        backtest(LastValue(), series, horizon=2, cv="rolling", progress=False)
    with pytest.raises(InvalidParameterError, match="metrics"):
        backtest(LastValue(), series, horizon=2, metrics=["r2"], progress=False)
    with pytest.raises(InputTypeError, match="models must be a forecaster, a list of forecasters or a dict"):
        backtest("last", series, horizon=2, progress=False)
    with pytest.raises(InvalidParameterError, match="n_jobs"):
        backtest(LastValue(), series, horizon=2, n_jobs=0, progress=False)
    with pytest.raises(InvalidParameterError, match="dask"):
        backtest(LastValue(), series, horizon=2, backend="dask", progress=False)


def test_compare_unknown_reference(series):
    result = backtest({"a": LastValue(), "b": LastValue(offset=1.0)}, series, horizon=2, cv=3, progress=False)
    with pytest.raises(InvalidParameterError, match=r"reference must be one of .*'a', 'b'.*got 'c'"):
        result.compare(reference="c")
    with pytest.raises(InvalidParameterError, match="reference"):
        result.summary(reference="c")
    with pytest.raises(InvalidParameterError, match="metric"):
        result.compare(reference="a", metric="r2")
    with pytest.raises(InvalidParameterError, match="horizon_step"):
        result.compare(reference="a", horizon_step=7)


def test_compare_uses_squared_errors_for_rmse(series):
    result = backtest({"a": LastValue(), "b": LastValue(offset=1.0)}, series, horizon=2, cv=4, progress=False)
    table = result.compare(reference="a", metric="rmse")
    f = result.forecasts
    diff = ((f[f.model == "b"]["y"].to_numpy() - f[f.model == "b"]["y_hat"].to_numpy()) ** 2
            - (f[f.model == "a"]["y"].to_numpy() - f[f.model == "a"]["y_hat"].to_numpy()) ** 2)
    assert table.loc["b", "mean_difference"] == pytest.approx(diff.mean())
    assert table.loc["b", "n"] == 8


def test_save_and_load_round_trip(panel, tmp_path):
    result = backtest({"q": NoisyQuantiles(), "last": FailOn(n_rows=24)}, panel, horizon=2, cv=3,
                      progress=False)
    assert len(result.errors) == 2
    path = result.save(tmp_path / "result.zip")
    loaded = BacktestResult.load(path)
    for name in ("forecasts", "metrics", "errors"):
        pd.testing.assert_frame_equal(getattr(loaded, name), getattr(result, name), check_exact=True)
    assert loaded.info["data"]["sha256"] == result.info["data"]["sha256"]
    assert loaded.info["cutoffs"] == result.info["cutoffs"] and 1 in loaded.info["cutoffs"]  # int fold keys kept
    pd.testing.assert_frame_equal(loaded.summary(reference="q"), result.summary(reference="q"))
    assert not list(tmp_path.glob("*.tmp"))


def _rewrite(path, target, change, manifest=None):
    """A copy of the zip at ``path`` with member ``target`` changed (and the manifest replaced)."""
    import zipfile

    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members[target] = change(members[target])
    if manifest is not None:
        members["manifest.json"] = manifest(members)
    with zipfile.ZipFile(target_path := path.with_name("altered.zip"), "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return target_path


def test_load_rejects_altered_or_foreign_files(series, tmp_path):
    result = backtest(LastValue(), series, horizon=2, cv=2, progress=False)
    path = result.save(tmp_path / "r.zip")
    altered = _rewrite(path, "arrays/y_hat.npy", lambda data: data[:-8] + np.float64(7.5).tobytes())
    with pytest.raises(ModelFileError, match="y_hat.npy.*altered"):
        BacktestResult.load(altered)
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="junk.zip"):
        BacktestResult.load(tmp_path / "junk.zip")


def test_load_rejects_arrays_of_inconsistent_shapes_even_with_fresh_checksums(series, tmp_path):
    import hashlib
    import io
    import json

    result = backtest(LastValue(), series, horizon=2, cv=2, progress=False)
    path = result.save(tmp_path / "r.zip")

    def shorter(data):
        buffer = io.BytesIO()
        np.save(buffer, np.load(io.BytesIO(data))[:, :, :1])
        return buffer.getvalue()

    def resigned(members):
        manifest = json.loads(members["manifest.json"])
        manifest["sha256"] = {k: hashlib.sha256(v).hexdigest() for k, v in members.items() if k != "manifest.json"}
        return json.dumps(manifest).encode()

    with pytest.raises(ModelFileError, match=r"inconsistent forecast arrays: y has shape \(1, 2, 1\), expected \(1, 2, 2\)"):
        BacktestResult.load(_rewrite(path, "arrays/y.npy", shorter, resigned))


def test_a_result_built_from_tables_saves_them_and_loads_back(series, tmp_path):
    """Version 1 files (CSV tables) are still written for results built from tables, and read."""
    import json
    import zipfile

    result = backtest(LastValue(), series, horizon=2, cv=2, progress=False)
    from_tables = BacktestResult(result.forecasts, result.metrics, result.errors, result.histories, result.info)
    path = from_tables.save(tmp_path / "tables.zip")
    with zipfile.ZipFile(path) as archive:
        assert json.loads(archive.read("manifest.json"))["version"] == 1
    loaded = BacktestResult.load(path)
    pd.testing.assert_frame_equal(loaded.forecasts, result.forecasts)
    pd.testing.assert_frame_equal(loaded.summary(), result.summary())
    pd.testing.assert_frame_equal(loaded.fold_scores(), result.fold_scores())


def test_histories_of_models_with_history(series):
    class WithHistory(LastValue):
        def fit(self, y, X=None):
            super().fit(y, X)
            self.history_ = {"loss": [float(len(y)), 1.0], "val_loss": [2.0, 1.5]}
            return self

    result = backtest({"h": WithHistory(), "last": LastValue()}, series, horizon=2, cv=2, progress=False)
    assert result.histories["last"] == {}
    assert result.histories["h"][1]["loss"] == [28.0, 1.0]
    assert set(result.histories["h"]) == {0, 1}


def test_models_are_cloned_not_mutated(series):
    model = LastValue()
    backtest(model, series, horizon=2, cv=2, progress=False)
    assert not hasattr(model, "last_")


def test_unequal_panel_lengths_align_folds_from_the_end(series):
    data = {"long": series, "short": series.iloc[10:]}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = backtest(LastValue(), data, cv=ExpandingWindowSplit(2, n_splits=None, initial_window=14), progress=False)
    folds = result.forecasts.groupby("unique_id")["fold"].agg(["min", "max"])
    assert folds.loc["long", "max"] == folds.loc["short", "max"]
    assert folds.loc["short", "min"] > folds.loc["long", "min"]
    last = result.forecasts[result.forecasts["fold"] == folds.loc["long", "max"]]
    assert last.groupby("unique_id")["cutoff"].first().nunique() == 1


def test_warm_start_with_a_warm_start_parameter_continues_the_estimator(series):
    from sklearn.linear_model import SGDRegressor

    from tsforecast import WindowForecaster

    def make():
        return WindowForecaster(SGDRegressor(max_iter=3, tol=None, random_state=0), n_steps_in=4, n_steps_out=1)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SGD's ConvergenceWarning at max_iter=3
        result = backtest(make(), series, horizon=2, cv=2, warm_start=True, progress=False)
        manual = make().fit(series.iloc[:28 - 2])
        first = manual.predict(2).to_numpy()
        manual.estimator_.set_params(warm_start=True)
        second = manual.fit(series.iloc[:28]).predict(2).to_numpy()
    np.testing.assert_array_equal(result.forecasts["y_hat"], np.concatenate([first, second]))
    assert result.info["n_tasks"] == 1 and not result.info["notes"]


class _Net:
    def __init__(self, weights):
        self.weights = list(weights)

    def get_weights(self):
        return list(self.weights)

    def set_weights(self, weights):
        self.weights = list(weights)


def test_warm_start_continues_networks_and_shortens_their_epochs(series):
    from sklearn.base import BaseEstimator, RegressorMixin

    from tsforecast import WindowForecaster

    class NetEstimator(RegressorMixin, BaseEstimator):
        """Trains by adding ``epochs`` to its single weight; a fresh network starts at 0,
        a warm one (scikit-learn's ``warm_start`` idiom) at the fitted weight."""

        def __init__(self, epochs: int = 8, warm_start: bool = False):
            self.epochs = epochs
            self.warm_start = warm_start

        def fit(self, X, y):
            network = _Net([0.0])
            if self.warm_start and hasattr(self, "network_"):
                network.set_weights(self.network_.get_weights())
            self.start_ = network.get_weights()[0]
            network.set_weights([self.start_ + self.epochs])
            self.network_ = network
            self.history_ = {"loss": [1.0] * self.epochs}
            return self

        def predict(self, X):
            return np.full((len(X), 2), self.network_.get_weights()[0])

    model = WindowForecaster(NetEstimator(), n_steps_in=4, n_steps_out=2)
    result = backtest(model, series, horizon=2, cv=3, warm_start=True, progress=False)
    # Fold 0 trains 8 epochs from 0; each warm refit continues for 8 // 4 = 2 epochs.
    np.testing.assert_array_equal(result.forecasts.groupby("fold")["y_hat"].first(), [8.0, 10.0, 12.0])
    assert [len(result.histories["WindowForecaster"][k]["loss"]) for k in range(3)] == [8, 2, 2]
    epochs = backtest(model, series, horizon=2, cv=3, warm_start=3, progress=False)
    np.testing.assert_array_equal(epochs.forecasts.groupby("fold")["y_hat"].first(), [8.0, 11.0, 14.0])
    cold = backtest(model, series, horizon=2, cv=3, progress=False)
    np.testing.assert_array_equal(cold.forecasts.groupby("fold")["y_hat"].first(), [8.0, 8.0, 8.0])
    assert model.get_params()["estimator"].epochs == 8  # the user's model is untouched


def test_warm_start_unsupported_refits_from_scratch_with_a_note(series):
    result = backtest(LastValue(), series, horizon=2, cv=2, warm_start=True, progress=False)
    assert result.info["notes"] == {"LastValue": ["warm_start unsupported: refit from scratch"]}
    np.testing.assert_array_equal(result.forecasts.groupby("fold")["y_hat"].first(), series.iloc[[25, 27]])


@pytest.mark.parametrize("named", [{}, {"covariates": "z"}, {"future_covariates": ["x"]}])
def test_covariates_declared_by_the_model_reach_the_backtest(series, named):
    """A window model's own covariates need not be named again (every task failed before)."""
    from sklearn.linear_model import Ridge

    from tsforecast import WindowForecaster

    rng = np.random.default_rng(4)
    data = pd.DataFrame({"y": series + rng.normal(size=30), "x": rng.normal(size=30), "z": rng.normal(size=30)})
    model = WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=3, covariates=["z"], future_covariates=["x"])
    both = backtest(model, data, horizon=3, cv=2, covariates=["z"], future_covariates=["x"], progress=False)
    got = backtest(model, data, horizon=3, cv=2, progress=False, **named)
    assert len(got.errors) == 0
    assert got.info["data"]["covariates"] == ["z"] and got.info["data"]["future_covariates"] == ["x"]
    pd.testing.assert_frame_equal(got.forecasts, both.forecasts, check_exact=True)


def test_a_dict_of_dated_and_integer_time_series_backtests_on_each_own_axis():
    """Dates and integer time in one dict: each series is cut on its own axis, and the
    fold's cutoffs (which do not compare across the two kinds) are recorded kind by kind
    (this raised pandas' "'<=' not supported between 'Timestamp' and 'int'")."""
    data = {"dated": pd.Series(np.arange(10.0), index=pd.date_range("2024-01-01", periods=10, freq="D")),
            "counted": pd.Series(np.arange(8.0), index=pd.RangeIndex(8))}
    result = backtest({"last": LastValue()}, data, horizon=2, cv=1)
    rows = result.forecasts.set_index("unique_id")
    assert rows.loc["dated", "y_hat"].tolist() == [7.0, 7.0]
    assert rows.loc["counted", "y_hat"].tolist() == [5.0, 5.0]
    assert result.info["cutoffs"] == {0: ["2024-01-08 00:00:00", "2024-01-08 00:00:00", "5", "5"]}


@pytest.mark.parametrize("case, expected", [
    ("resolution", (7, "from frequency D")), ("index name", (7, "from frequency D")),
    ("anchor", (52, "from frequency W-SUN, W-WED")), ("D and h", (1, "default (the series' time axes differ: D, h)"))])
def test_a_dict_whose_axes_differ_keeps_the_season_they_share(case, expected):
    """Daily series whose indexes differed only in resolution or name, or weekly ones on
    other weekdays, got season 1 'from integer time: no frequency'."""
    days = pd.date_range("2024-01-01", periods=30, freq="D")
    first, second = {"resolution": (days, days.as_unit("us")), "index name": (days, days.rename("date")),
                     "anchor": (pd.date_range("2024-01-07", periods=30, freq="W-SUN"),
                                pd.date_range("2024-01-03", periods=30, freq="W-WED")),
                     "D and h": (days, pd.date_range("2024-01-01", periods=30, freq="h"))}[case]
    data = {"a": pd.Series(np.arange(30.0), first), "b": pd.Series(np.arange(30.0) ** 1.5, second)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UndefinedMetricWarning)  # the season 52 outgrows 30 weeks
        result = backtest({"last": LastValue()}, data, horizon=2, cv=1)
    assert (result.info["season_length"], result.info["season_length_source"]) == expected


def test_a_dict_of_naive_and_zoned_dates_backtests():
    """Naive and zoned timestamps do not compare either: the backtest ran every task and
    then died in pandas ("Cannot compare tz-naive and tz-aware timestamps")."""
    data = {"naive": pd.Series(np.arange(10.0), index=pd.date_range("2024-01-01", periods=10, freq="D")),
            "berlin": pd.Series(np.arange(12.0), index=pd.date_range("2024-01-01", periods=12, freq="h",
                                                                       tz="Europe/Berlin"))}
    result = backtest({"last": LastValue()}, data, horizon=2, cv=1)
    assert result.info["cutoffs"] == {0: ["2024-01-08 00:00:00", "2024-01-08 00:00:00",
                                          "2024-01-01 09:00:00+01:00", "2024-01-01 09:00:00+01:00"]}


def test_undefined_mase_is_warned_with_the_series_and_folds():
    """A constant series has no MASE scale: its NaN scores were left out of the means (and
    every model ranked alike) without a word."""
    index = pd.date_range("2024-01-01", periods=40, freq="D")
    data = {"flat": pd.Series(np.full(40, 5.0), index=index), "moving": pd.Series(np.arange(40.0), index=index)}
    with pytest.warns(UndefinedMetricWarning, match=r"'mase' is undefined in 2 of 2 fold\(s\) of series 'flat'"):
        result = backtest({"last": LastValue()}, data, horizon=2, cv=2)
    mase = result.metrics.groupby("unique_id", observed=True)["mase"].mean()
    assert np.isnan(mase["flat"]) and np.isfinite(mase["moving"])


def test_a_series_repeating_its_season_exactly_gets_no_mase_rather_than_1e14():
    """Its seasonal differences are float rounding (near 1e-14), so the last value's MASE
    came out near 1e14 and the ranking by MASE was noise; now it is undefined, as for a
    constant series, and the series beside it keeps its MASE."""
    index = pd.date_range("2024-01-01", periods=24 * 10, freq="h")
    steps = np.arange(index.size)
    data = {"periodic": pd.Series(100 + 10 * np.sin(2 * np.pi * steps / 24), index=index),
            "noisy": pd.Series(np.random.default_rng(0).normal(size=index.size), index=index)}
    with pytest.warns(UndefinedMetricWarning, match=r"undefined in 2 of 2 fold\(s\) of series 'periodic'.*repeats"):
        result = backtest({"last": LastValue()}, data, horizon=24, cv=2, season_length=24)
    mase = result.metrics.groupby("unique_id", observed=True)["mase"].mean()
    assert np.isnan(mase["periodic"]) and np.isfinite(mase["noisy"])


def test_the_undefined_mase_warning_counts_the_folds_of_the_series_it_names():
    """A 6-row daily series has no seasonal difference in any fold: the warning said 3 of 6
    folds, counting the folds of the other series too."""
    index = pd.date_range("2024-01-01", periods=40, freq="D")
    data = {"long": pd.Series(np.arange(40.0) % 5, index=index), "short": pd.Series(np.sin(np.arange(6.0)), index[-6:])}
    with pytest.warns(UndefinedMetricWarning, match="'mase' is undefined") as caught:
        result = backtest({"last": LastValue()}, data, horizon=1, cv=3)
    undefined, total = map(int, re.search(r"undefined in (\d+) of (\d+) fold", str(caught[0].message)).groups())
    scores = result.fold_scores("mase")
    short = scores[scores["unique_id"] == "short"]["mase"]
    assert "'short'" in str(caught[0].message) and "'long'" not in str(caught[0].message)
    assert undefined == short.isna().sum() and total == len(short)


def test_non_finite_forecasts_are_failures_not_silent_successes(series):
    """A model answering NaN was counted as run in every fold (n_errors 0) and scored nothing."""
    result = backtest({"nan": LastValue(offset=float("nan")), "last": LastValue()}, series, horizon=2, cv=2)
    failed = result.errors[result.errors["model"] == "nan"]
    assert len(failed) == 2 and failed["error"].str.contains("2 non-finite value\\(s\\) \\(NaN or inf\\)").all()
    assert result.summary().loc["last", "n_errors"] == 0
    assert "nan" not in set(result.forecasts["model"].astype(str))


def _short_panel(n: int = 10) -> dict:
    """Two series too short in the first fold for a conformal 80% interval of a panel model."""
    index = pd.date_range("2024-01-01", periods=n, freq="D")
    rng = np.random.default_rng(0)
    return {key: pd.Series(rng.normal(size=n).cumsum(), index=index) for key in ("a", "b")}


def test_a_series_whose_panel_fit_failed_is_one_error_with_its_cause():
    """A panel model retried series by series, failing on each, got two errors per cell: the
    real cause and "the forecast holds 2 non-finite value(s)" (first, so the CLI showed it),
    and n_errors counted both."""
    models = {"conf": ConformalIntervals(Naive(), levels=(80,)), "naive": Naive()}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = backtest(models, _short_panel(), horizon=2, cv=3, levels=(80,), progress=False)
    failed = result.errors
    assert len(failed) == len(failed[["model", "unique_id", "fold"]].drop_duplicates()) > 0
    assert failed["error"].str.startswith("InsufficientDataError: a 80% conformal interval").all()
    assert result.summary().loc["conf", "n_errors"] == len(failed)


def test_skipped_series_and_fallbacks_are_kept_in_info(tmp_path):
    """A series left out by on_short="skip" and a SeasonalNaive that fell back to Naive in its
    first fold were said on stderr only: info["notes"] was {} and the report could not say them."""
    from tsforecast.baselines import SeasonalNaive
    from tsforecast.exceptions import FallbackWarning, SkippedSeriesWarning

    index = pd.date_range("2024-01-01", periods=40, freq="D")
    rng = np.random.default_rng(0)
    data = {"long": pd.Series(rng.normal(size=40).cumsum(), index=index),
            "short": pd.Series(rng.normal(size=5), index=index[:5])}
    models = {"naive": Naive(), "snaive": SeasonalNaive(season_length=35)}
    with pytest.warns(SkippedSeriesWarning), pytest.warns(FallbackWarning, match="Naive is used"):
        result = backtest(models, data, horizon=2, cv=3, on_short="skip", progress=False)
    assert list(result.info["skipped_series"]) == ["short"]
    assert "it has 5 rows" in result.info["skipped_series"]["short"]
    notes = result.info["fallback_notes"]
    assert list(notes) == ["snaive"] and list(notes["snaive"]) == ["0"]  # 34 training rows < 35, then 36 and 38
    assert "SeasonalNaive could not be fitted on series 'long'" in notes["snaive"]["0"][0]
    loaded = BacktestResult.load(result.save(tmp_path / "r.zip"))
    assert loaded.info["skipped_series"] == result.info["skipped_series"] and loaded.info["fallback_notes"] == notes
    with warnings.catch_warnings():  # recorded even where the caller hides them
        warnings.simplefilter("ignore")
        quiet = backtest(models, data, horizon=2, cv=3, on_short="skip", progress=False)
    assert quiet.info["fallback_notes"] == notes
