"""backtest(align="time"): every series' folds at the same times, so a model fitted on all
series at once never learns from rows after a series' cutoff."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from tsforecast import Naive, WindowForecaster, backtest
from tsforecast.exceptions import InsufficientDataError, InvalidParameterError, TsForecastWarning

MODELS = {"naive": Naive(), "ridge": WindowForecaster(Ridge(), n_steps_in=7)}


def _series(uid, n, end, freq="D", seed=0):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"unique_id": uid, "ds": pd.date_range(end=end, periods=n, freq=freq),
                         "y": 10 + rng.normal(size=n).cumsum()})


@pytest.fixture
def ragged() -> pd.DataFrame:
    return pd.concat([_series("a", 120, "2024-06-30", seed=1), _series("b", 100, "2024-06-20", seed=2),
                      _series("c", 80, "2024-06-30", seed=3)], ignore_index=True)


def _run(panel, **options):
    return backtest(MODELS, panel, horizon=5, cv=4, progress=False, **options)


def test_folds_share_their_cutoffs_and_an_early_series_keeps_those_it_covers(ragged):
    table = _run(ragged, align="time").forecasts
    per_fold = table.groupby("fold")["cutoff"].agg(["min", "max"])
    assert (per_fold["min"] == per_fold["max"]).all()
    assert per_fold["max"].iloc[-1] == pd.Timestamp("2024-06-25")
    folds_of_b = sorted(table.loc[table["unique_id"] == "b", "fold"].unique())
    assert folds_of_b == [0, 1]  # the later folds' horizons run past 2024-06-20
    assert table.loc[table["unique_id"] == "b", "ds"].max() == pd.Timestamp("2024-06-20")


def test_a_global_model_never_sees_another_series_rows_after_a_cutoff(ragged):
    time_aligned = _run(ragged, align="time")
    last_cutoff_of_b = time_aligned.forecasts.query("unique_id == 'b'")["cutoff"].max()
    later = ragged.copy()
    later.loc[(later["unique_id"] == "a") & (later["ds"] > last_cutoff_of_b), "y"] += 1000.0

    def ridge_on_b(result):
        return result.forecasts.query("unique_id == 'b' and model == 'ridge'")["y_hat"].to_numpy()

    np.testing.assert_array_equal(ridge_on_b(_run(later, align="time")), ridge_on_b(time_aligned))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", TsForecastWarning)
        assert not np.allclose(ridge_on_b(_run(later)), ridge_on_b(_run(ragged)))  # what the warning says


def test_end_alignment_warns_and_points_to_time_alignment(ragged):
    with pytest.warns(TsForecastWarning, match="pass align='time'"):
        _run(ragged)
    with warnings.catch_warnings():
        warnings.simplefilter("error", TsForecastWarning)
        assert _run(ragged, align="time").info["align"] == "time"


def test_series_that_end_together_get_the_same_folds_either_way():
    panel = pd.concat([_series("a", 90, "2024-06-30", seed=1), _series("b", 60, "2024-06-30", seed=2)],
                      ignore_index=True)
    pd.testing.assert_frame_equal(_run(panel, align="time").forecasts, _run(panel).forecasts)


def test_a_series_without_a_fold_is_refused_or_skipped(ragged):
    early = pd.concat([ragged, _series("d", 60, "2024-05-01", seed=4)], ignore_index=True)
    with pytest.raises(InsufficientDataError, match="data series 'd': it ends 60 step\\(s\\) before"):
        _run(early, align="time")
    with pytest.warns(match="data series 'd' is skipped"):
        result = _run(early, align="time", on_short="skip")
    assert "d" in result.info["skipped_series"] and "d" not in set(result.forecasts["unique_id"])


def test_calendar_steps_are_counted():
    panel = pd.concat([_series("a", 60, "2024-12-01", freq="MS", seed=1),
                       _series("b", 50, "2024-10-01", freq="MS", seed=2)], ignore_index=True)
    table = backtest(Naive(), panel, horizon=2, cv=3, progress=False, align="time").forecasts
    assert table.groupby("fold")["cutoff"].nunique().eq(1).all()
    of_b = table[table["unique_id"] == "b"]
    assert sorted(of_b["fold"].unique()) == [0, 1]  # two months short: the last fold's horizon is past its end
    assert of_b["ds"].max() == pd.Timestamp("2024-10-01")


@pytest.mark.parametrize(("data", "words"), [
    (pd.concat([_series("a", 50, "2024-06-30 00:00", freq="h"), _series("b", 50, "2024-06-30 00:30", freq="h")],
               ignore_index=True), "off the time grid"),
    ({"a": pd.Series(np.arange(50.0), index=pd.date_range("2024", periods=50, freq="D")),
      "b": pd.Series(np.arange(50.0))}, "time axes differ"),
])
def test_series_without_one_time_grid_are_refused(data, words):
    with pytest.raises(InvalidParameterError, match=words):
        backtest(Naive(), data, horizon=2, cv=2, progress=False, align="time")


def test_an_unknown_alignment_is_refused_by_name(ragged):
    with pytest.raises(InvalidParameterError, match="align"):
        _run(ragged, align="start")


def test_the_command_line_passes_the_alignment(ragged, tmp_path, capsys):
    from tsforecast import BacktestResult
    from tsforecast.cli import main

    ragged.to_csv(tmp_path / "panel.csv", index=False)
    with pytest.raises(SystemExit) as stop:
        main(["backtest", "--data", str(tmp_path / "panel.csv"), "-H", "5", "--folds", "4", "--models", "naive",
              "--align", "time", "-q", "--out", str(tmp_path / "result.zip")])
    assert stop.value.code == 0, capsys.readouterr().err
    result = BacktestResult.load(tmp_path / "result.zip")
    assert result.info["align"] == "time" and result.forecasts.groupby("fold")["cutoff"].nunique().eq(1).all()


def test_a_report_of_a_ragged_time_aligned_backtest_draws_each_series_in_its_own_latest_folds(tmp_path):
    """The first series ends before the last folds: the report's interval bands read it in
    those folds, an empty selection, which failed on dated data (cannot cast datetimes to
    float), and figures drew it as an empty panel."""
    from tsforecast import SeasonalNaive, report
    from tsforecast.reporting import _calibration, _per_series

    data = pd.concat([_series("a", 60, "2024-03-01", seed=1), _series("b", 75, "2024-03-16", seed=2)],
                     ignore_index=True)
    result = backtest({"naive": Naive(), "snaive": SeasonalNaive(season_length=7)}, data, horizon=5, cv=6,
                      progress=False, align="time", levels=(80,))
    empty = result.forecasts_of(series=["a"], folds=[result.folds[-1]])
    assert empty.empty and empty["ds"].dtype == empty["cutoff"].dtype == result.forecasts["ds"].dtype
    paths = report(result, tmp_path / "r.html")
    assert paths.html.exists() and paths.markdown.exists()
    a_folds = sorted(set(result.forecasts.query("unique_id == 'a'")["fold"]))
    shown = _per_series.latest_forecasts(result, ["a", "b"], result.folds[-3:], ["naive", "snaive"])
    assert sorted(set(shown.query("unique_id == 'a'")["fold"])) == a_folds[-3:]
    assert sorted(set(shown.query("unique_id == 'b'")["fold"])) == result.folds[-3:]
    series, bands = _calibration._band_frames(result, pd.DataFrame({"model": ["naive"]}))
    assert series == "a" and sorted(set(bands["fold"])) == a_folds[-3:]
