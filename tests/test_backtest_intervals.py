"""backtest(..., levels=...): interval columns and interval scores, on arrays."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from _backtest_helpers import NoisyQuantiles

import tsforecast as tsf
from tsforecast import ConformalIntervals, backtest
from tsforecast.baselines import Naive, SeasonalNaive, Theta
from tsforecast.core import metrics
from tsforecast.core.panel import Panel
from tsforecast.exceptions import FallbackWarning

HORIZON = 4


def panel(n_series: int = 3, length: int = 120, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    values = 100 + np.cumsum(rng.normal(size=(n_series, length)) * rng.uniform(1, 10, (n_series, 1)), axis=1)
    return pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(n_series)], length),
                         "ds": np.tile(np.arange(length), n_series), "y": values.ravel()})


MODELS = {"naive": Naive(), "theta": Theta(), "ctheta": ConformalIntervals(Theta(), levels=(80,), n_windows=8)}


def test_interval_columns_and_scores_match_the_metric_functions():
    data = panel()
    result = backtest(MODELS, data, horizon=HORIZON, cv=3, season_length=2, levels=(80, 95), progress=False)
    f, m = result.forecasts, result.metrics
    assert [c for c in f.columns if c.startswith(("lo_", "hi_"))] == ["lo_80", "hi_80", "lo_95", "hi_95"]
    assert f.loc[f["model"] == "theta", ["lo_80", "hi_95"]].isna().all().all()  # no distribution, not wrapped
    assert m.loc[m["model"] == "theta", "coverage_80"].isna().all()
    has = f["model"] != "theta"
    assert f.loc[has, ["lo_80", "hi_80", "lo_95", "hi_95"]].notna().all().all()
    assert (f.loc[has, "lo_95"] <= f.loc[has, "lo_80"]).all() and (f.loc[has, "hi_80"] <= f.loc[has, "hi_95"]).all()
    y, low, high = f["y"].to_numpy(), f["lo_95"].to_numpy(), f["hi_95"].to_numpy()
    ok = has.to_numpy()
    np.testing.assert_array_equal(m["coverage_95"].to_numpy()[ok], ((y >= low) & (y <= high))[ok])
    np.testing.assert_allclose(m["width_95"].to_numpy()[ok], (high - low)[ok])
    np.testing.assert_allclose(m["interval_score_95"].to_numpy()[ok],
                               metrics.interval_score(y[ok], low[ok], high[ok], 95, reduce="none"))
    # MSIS of one series and fold: the interval score over the seasonal MAE of that fold's training data
    one = f[(f["model"] == "naive") & (f["unique_id"] == "s1") & (f["fold"] == 2)]
    cutoff = int(one["cutoff"].iloc[0])
    train = data.loc[(data["unique_id"] == "s1") & (data["ds"] <= cutoff), "y"].to_numpy()
    expected = metrics.msis(one["y"], one["lo_95"], one["hi_95"], train, 2, 95)
    got = m.loc[one.index, "msis_95"].mean()
    assert got == pytest.approx(expected, rel=1e-12)
    summary = result.summary()
    naive = m[m["model"] == "naive"]
    per_fold = naive.groupby(["fold", "unique_id"], observed=True)["coverage_80"].mean().groupby("fold").mean()
    assert summary.loc["naive", "coverage_80_mean"] == pytest.approx(per_fold.mean())
    assert result.info["levels"] == [80.0, 95.0]


def test_conformal_wrapper_without_horizon_is_calibrated_for_the_backtest_and_left_unchanged():
    wrapper = ConformalIntervals(SeasonalNaive(season_length=2), levels=(80,), n_windows=6)
    result = backtest({"c": wrapper}, panel(), horizon=HORIZON, cv=2, levels=(80,), progress=False)
    assert wrapper.horizon is None and not hasattr(wrapper, "model_")
    assert result.info["models"]["c"]["params"]["horizon"] == HORIZON
    assert result.forecasts[["lo_80", "hi_80"]].notna().all().all()


def test_pooled_calibration_is_one_task_so_n_jobs_does_not_change_it(tmp_path):
    models = {"pooled": ConformalIntervals(Naive(), pooling="panel", levels=(80,), n_windows=4),
              "local": ConformalIntervals(Naive(), levels=(80,), n_windows=6)}
    data = panel(n_series=12)
    one = backtest(models, data, horizon=HORIZON, cv=2, levels=(80,), progress=False)
    two = backtest(models, data, horizon=HORIZON, cv=2, levels=(80,), progress=False, n_jobs=2,
                   checkpoint_dir=tmp_path)
    again = backtest(models, data, horizon=HORIZON, cv=2, levels=(80,), progress=False, n_jobs=2,
                     checkpoint_dir=tmp_path)
    # per fold: one task (all series) for each, the local one too: a series with too few
    # windows for a level takes the quantile pooled over the panel, so no chunks of series
    assert again.info["n_tasks_resumed"] == again.info["n_tasks"] == 2 * (1 + 1)
    for other in (two, again):
        pd.testing.assert_frame_equal(one.forecasts, other.forecasts, check_exact=True)
        pd.testing.assert_frame_equal(one.metrics, other.metrics, check_exact=True)


def test_intervals_of_a_panel_are_computed_without_per_series_frames(monkeypatch):
    """The panel path stays on arrays with levels set: building a per-series DataFrame
    (the slow path, ~ms per series) would fail this test."""
    def refuse(*args, **kwargs):
        raise AssertionError("a per-series DataFrame was built")

    monkeypatch.setattr(Panel, "frame", refuse)
    monkeypatch.setattr(Panel, "to_frames", refuse)
    models = {"naive": Naive(), "conformal": ConformalIntervals(Naive(), pooling="panel", levels=(80,), n_windows=3)}
    result = backtest(models, panel(n_series=300, length=40), horizon=HORIZON, cv=2, levels=(80, 95),
                      progress=False)
    assert result.errors.empty and result.forecasts[["lo_80", "hi_95"]].notna().all().all()


def test_levels_are_checked(tmp_path):
    with pytest.raises(tsf.exceptions.InvalidParameterError, match=r"levels.*\(95, 80\)"):
        backtest(Naive(), panel(), horizon=HORIZON, levels=(95, 80), progress=False)
    with pytest.raises(tsf.exceptions.InvalidParameterError, match=r"levels\[0\].*100"):
        backtest(Naive(), panel(), horizon=HORIZON, levels=[100], progress=False)


def test_fold_scores_combine_steps_as_aggregate_steps_does():
    from tsforecast.backtesting.result import aggregate_steps

    result = backtest(MODELS, panel(), horizon=HORIZON, cv=2, levels=(80,), progress=False)
    scores = result.fold_scores()
    groups = result.metrics.groupby(["model", "unique_id", "fold", "cutoff"], sort=False, observed=True)
    for name in ("rmse", "mae", "coverage_80", "msis_80"):
        expected = groups[name].agg(lambda v, name=name: aggregate_steps(v, name)).to_numpy()
        np.testing.assert_allclose(scores[name].to_numpy(), expected, rtol=1e-12, equal_nan=True)
    assert scores.loc[scores["model"] == "theta", "coverage_80"].isna().all()


@pytest.mark.parametrize("pooling", ["auto", "series"])
def test_conformal_bounds_do_not_depend_on_n_jobs_when_a_level_falls_back_to_the_pool(pooling):
    """With 10 windows a 95% interval falls back to the quantile pooled over the panel's
    series. The backtest split the series into n_jobs chunks and pooled within a chunk:
    the bounds changed with n_jobs, and with one series a chunk every task failed."""
    data = panel(n_series=4, length=150, seed=5)
    model = {"ci": ConformalIntervals(Theta(), n_windows=10, pooling=pooling)}
    results = {}
    for n_jobs in (1, 2, 4):
        with pytest.warns(FallbackWarning, match="95% interval"):  # raised in worker threads too
            results[n_jobs] = backtest(model, data, horizon=6, cv=2, levels=(80, 95), n_jobs=n_jobs,
                                       backend="threading", progress=False)
        said = [m for fold in results[n_jobs].info["fallback_notes"]["ci"].values() for m in fold]
        assert any("95% interval" in m for m in said) and results[n_jobs].errors.empty
    for n_jobs in (2, 4):
        pd.testing.assert_frame_equal(results[n_jobs].forecasts, results[1].forecasts, check_exact=True)


def test_crossing_quantiles_are_sorted_with_a_warning_and_the_other_models_keep_their_scores():
    # NoisyQuantiles with a negative width forecasts its 0.1 quantile above its 0.9 one
    y = pd.Series(10 + np.random.default_rng(4).normal(0, 1, 40), name="y",
                  index=pd.date_range("2020-01-01", periods=40, freq="D"))
    with pytest.warns(FallbackWarning, match="crossing quantiles"):
        result = backtest({"q": NoisyQuantiles(width=-1.0), "naive": Naive()}, y, horizon=2, cv=2, levels=(80,),
                          quantiles=[0.1, 0.9], progress=False)
    summary = result.summary()  # before: "lower must not exceed upper", every model lost
    assert set(summary.index) == {"q", "naive"}
    f = result.forecasts
    assert (f["lo_80"] <= f["hi_80"]).all() and (f["q0.1"] <= f["q0.9"]).all()
    assert ((result.metrics["coverage_80"] >= 0) & (result.metrics["coverage_80"] <= 1)).all()
    assert any("crossing quantiles" in note for notes in result.info["fallback_notes"]["q"].values() for note in notes)
    assert "naive" not in result.info["fallback_notes"]
    # the same rule outside a backtest: predict_interval reads the same contract
    with pytest.warns(FallbackWarning, match="NoisyQuantiles.*crossing quantiles"):
        bounds = NoisyQuantiles(width=-1.0).fit(y).predict_interval(2, levels=(80,), method="model")
    assert (bounds["lo_80"] <= bounds["hi_80"]).all()


def test_a_fold_too_short_for_a_models_spread_keeps_its_point_forecasts():
    """Holt's intervals need 5 values: a fold with 4 training values lost its point forecasts
    (and MASE) too, recorded as a failed task, where a model without a distribution (Theta)
    keeps them with NaN bounds. Now the fold keeps its point forecasts, its bounds are NaN
    and the reason is in the fold's fallback notes."""
    y = pd.Series(10 + np.random.default_rng(0).normal(size=12).cumsum(), index=pd.date_range("2024", periods=12,
                                                                                              freq="D"))
    with pytest.warns(FallbackWarning, match="no quantiles or intervals at this fold"):
        result = backtest({"holt": tsf.Holt()}, y, cv=tsf.ExpandingWindowSplit(2, n_splits=4, step=2), levels=(80,),
                          progress=False)
    assert result.errors.empty
    table = result.forecasts.set_index("fold")
    assert table["y_hat"].notna().all() and table.loc[0, "lo_80"].isna().all() and table.loc[1:, "lo_80"].notna().all()
    assert "need at least 5 values" in result.info["fallback_notes"]["holt"]["0"][0]


def _uneven(lengths: dict) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    return pd.concat([pd.DataFrame({"unique_id": k, "ds": pd.date_range("2024", periods=n, freq="D"),
                                    "y": 10 + rng.normal(size=n).cumsum()}) for k, n in lengths.items()],
                     ignore_index=True)


@pytest.mark.parametrize("n_jobs", [1, 2, 3])
def test_a_series_too_short_for_a_spread_costs_only_its_own_bounds_whatever_n_jobs(n_jobs):
    """b (2 training values at fold 0) and e (3) are too short for Holt's spread (5), b for
    Drift's (3) too. Before, the whole chunk holding one lost its bounds and quantiles at that
    fold: with n_jobs=1 every series, with n_jobs=2 those that shared its chunk; and the
    fallback note named the chunk's short series together, once per chunk."""
    data = _uneven({"a": 30, "b": 6, "c": 30, "d": 30, "e": 7, "f": 30})
    models = {"drift": tsf.Drift(), "holt": tsf.Holt()}
    with pytest.warns(FallbackWarning, match="no quantiles or intervals at this fold for series 'b'"):
        result = backtest(models, data, horizon=2, cv=2, levels=(80,), quantiles=(0.1, 0.9), n_jobs=n_jobs,
                          backend="threading", progress=False)
    first = result.forecasts[result.forecasts["fold"] == 0]
    bounded = first.groupby(["model", "unique_id"], observed=True)[["lo_80", "hi_80", "q0.1", "q0.9"]].apply(
        lambda cells: cells.notna().all().all())
    short = {("drift", "b"), ("holt", "b"), ("holt", "e")}
    assert {cell for cell, ok in bounded.items() if not ok} == short
    assert result.forecasts["y_hat"].notna().all() and result.errors.empty
    # the series with bounds have those of a backtest without the short series
    alone = backtest(models, data[~data["unique_id"].isin(["b", "e"])], horizon=2, cv=2, levels=(80,),
                     quantiles=(0.1, 0.9), progress=False).forecasts
    kept = result.forecasts[~result.forecasts["unique_id"].isin(["b", "e"])]
    np.testing.assert_array_equal(kept[["lo_80", "hi_80", "q0.1", "q0.9"]].to_numpy(),
                                  alone[["lo_80", "hi_80", "q0.1", "q0.9"]].to_numpy())
    notes = result.info["fallback_notes"]
    named = {(model, fold, text.split("for series ")[1].split(",")[0]) for model, folds in notes.items()
             for fold, texts in folds.items() for text in texts}
    assert named == {("drift", "0", "'b'"), ("holt", "0", "'b'"), ("holt", "0", "'e'"), ("holt", "1", "'b'")}
    assert all("need at least" in text for folds in notes.values() for texts in folds.values() for text in texts)


def test_a_local_models_spread_is_fitted_again_once_without_its_short_series(monkeypatch):
    """Holt's spread is each series' own, so the model says which series are too short for
    it: the others are fitted again once. Before, the chunk was fitted again length by
    length (a search), then each short series alone only to word its note (+55% time on a
    panel of 600 series with 120 short)."""
    data = _uneven({"a": 30, "b": 6, "c": 30, "d": 30, "e": 7, "f": 30})
    sizes, fit = [], tsf.Holt.fit

    def counted(self, y, X=None):
        sizes.append(y.n_series)
        return fit(self, y, X)

    monkeypatch.setattr(tsf.Holt, "fit", counted)
    with pytest.warns(FallbackWarning, match="for series 'e'"):
        backtest({"holt": tsf.Holt()}, data, horizon=2, cv=2, levels=(80,), progress=False)
    assert sizes == [6, 4, 6, 5]  # fold 0 without b and e, fold 1 without b


def test_a_level_the_model_cannot_give_costs_only_that_level(tmp_path):
    """Six calibration windows give a conformal 80% interval but not a 95% one: asked for
    both, the fold lost every bound, the 80% ones included, and the report listed the model
    under "Without intervals" with no reason. The 80% bounds (and the quantiles it can
    give) are kept, the others NaN, and the fallback says which."""
    rng = np.random.default_rng(5)
    y = pd.Series(np.cumsum(rng.normal(size=80)) + 30, index=pd.date_range("2024-01-01", periods=80, freq="D"),
                  name="y")
    model = ConformalIntervals(Theta(), levels=(80,), horizon=2, n_windows=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        both = tsf.backtest({"conf": model}, y, horizon=2, cv=3, levels=(80, 95), quantiles=[0.1, 0.9, 0.975],
                            progress=False)
        alone = tsf.backtest({"conf": model}, y, horizon=2, cv=3, levels=(80,), quantiles=[0.1, 0.9],
                             progress=False)
    for column in ("lo_80", "hi_80", "q0.1", "q0.9"):
        np.testing.assert_array_equal(both.forecasts[column], alone.forecasts[column])
        assert both.forecasts[column].notna().all()
    assert both.forecasts[["lo_95", "hi_95", "q0.975"]].isna().all().all()
    notes = [n for fold in both.info["fallback_notes"]["conf"].values() for n in fold]
    assert any("no 95% interval" in n for n in notes) and any("no quantile 0.975" in n for n in notes)
    paths = tsf.report(both, tmp_path / "run.html")
    assert "80% interval covered" in paths.markdown.read_text()
