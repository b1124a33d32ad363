"""Hostile input that must be answered right, not refused (issue 24, round three).

The refusals of round three are rows of the table in ``tests/test_hostile_input.py``;
here are the inputs that have a right answer: each test is a small table of inputs of
one kind (several per kind) and asserts the answer, so it fails if the code is wrong.
"""

from __future__ import annotations

import errno
import functools
import os
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from tsforecast import (BacktestResult, ConformalIntervals, WindowForecaster, backtest, baselines, load,
                        report, save, to_panel)
from tsforecast.core import metrics
from tsforecast.exceptions import FileWriteError, UndefinedMetricWarning


def daily(values, start: str = "2024-01-01") -> pd.Series:
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"), name="y")


# --------------------------------------------------------------------------- 2. metrics with a direction
def interval_table(coverages: dict, widths: dict, scores: dict) -> BacktestResult:
    """A result of two series, one fold, eight steps per model: coverage per step 0/1."""
    rows = []
    for model, covered in coverages.items():
        for series in ("x", "y"):
            for step, inside in enumerate(covered, start=1):
                rows.append((model, series, 0, 9, step, 1.0, float(inside), widths[model], scores[model]))
    columns = ["model", "unique_id", "fold", "cutoff", "step", "mae", "coverage_80", "width_80", "interval_score_80"]
    return BacktestResult(pd.DataFrame(), pd.DataFrame(rows, columns=columns), None, {},
                          {"metrics": columns[5:]})


# "under" covers 1/8 = 12.5% at nominal 80% with narrow intervals; "over" 7/8 = 87.5%;
# "exact" 80% is impossible with 8 steps: "near" covers 6/8 = 75%.
RESULT_2 = dict(coverages={"under": [1, 0, 0, 0, 0, 0, 0, 0], "over": [1] * 7 + [0], "near": [1] * 6 + [0, 0]},
                widths={"under": 1.0, "over": 3.0, "near": 2.0}, scores={"under": 9.0, "over": 4.0, "near": 5.0})


@pytest.mark.parametrize("metric, best_first", [
    ("coverage_80", ["near", "over", "under"]),  # |0.75 - 0.8| < |0.875 - 0.8| < |0.125 - 0.8|
    ("width_80", ["under", "near", "over"]),  # narrower is better
    ("interval_score_80", ["over", "near", "under"]),  # lower is better
    ("mae", ["under", "over", "near"]),  # a tie: every model ranks 1
])
def test_summary_and_per_series_rank_by_each_metrics_orientation(metric, best_first):
    result = interval_table(**RESULT_2)
    summary = result.summary(metric=metric)
    ranks = summary["rank"].to_dict()
    if metric == "mae":
        assert set(ranks.values()) == {1}
        return
    assert sorted(ranks, key=ranks.get) == best_first
    table = result.per_series(metric=metric)
    winners = table[table["win"]]
    assert winners["model"].astype(str).tolist() == [best_first[0]] * 2
    assert (table[table["model"] == best_first[-1]]["rank"] == 3).all()


def test_skill_of_coverage_is_on_the_distance_to_the_nominal_level():
    result = interval_table(**RESULT_2)
    skill = result.summary(metric="coverage_80", reference="under")["skill"]
    assert skill["under"] == 0
    assert skill["over"] == pytest.approx(1 - 0.075 / 0.675)
    assert skill["near"] == pytest.approx(1 - 0.05 / 0.675)
    per_series = result.per_series(metric="coverage_80", reference="under")
    assert per_series.loc[per_series["model"] == "over", "skill"].to_numpy() == pytest.approx([1 - 0.075 / 0.675] * 2)
    # coverage has no per-step loss: no Diebold-Mariano p-value for its winners
    assert per_series["win_p_value"].isna().all()


@pytest.mark.parametrize("name, expected", [
    ("mase", ("lower", None)), ("coverage_80", ("target", 0.8)), ("coverage_95", ("target", 0.95)),
    ("coverage_99.5", ("target", 0.995)), ("width_80", ("lower", None)), ("msis_95", ("lower", None)),
    ("pinball", ("lower", None)), ("interval_score", ("lower", None)),
])
def test_every_backtest_metric_name_has_an_orientation(name, expected):
    direction, target = metrics.orientation(name)
    assert direction == expected[0]
    assert target == (pytest.approx(expected[1]) if expected[1] is not None else None)


@pytest.mark.parametrize("quantiles, span", [((0.1, 0.9), 0.8), ((0.05, 0.5, 0.95), 0.9), ("auto", 0.8)])
def test_quantile_coverage_is_ranked_against_the_quantile_span(quantiles, span):
    y = daily(10 + np.sin(np.arange(60) / 2) + np.random.default_rng(0).normal(0, 0.3, 60))
    models = {"naive": baselines.Naive(), "drift": baselines.Drift(), "mean": baselines.Mean()}
    result = backtest(models, y, horizon=3, cv=6, quantiles=quantiles, progress=False)
    summary = result.summary(metric="coverage")
    distance = (summary["coverage_mean"] - span).abs()
    assert summary["rank"].tolist() == distance.rank(method="min").astype(int).tolist()


# --------------------------------------------------------------------------- 3. degenerate calibration
CONSTANT = daily(np.full(60, 5.0))
WAVY = daily(5 + np.sin(np.arange(60)))


LOCAL = {"Naive": baselines.Naive, "Mean": baselines.Mean}
DEGENERATE = [(name, data) for name in LOCAL for data in ("one_constant", "two_constant", "constant_beside_wavy")]
# A global Ridge model is exact only on a lone constant series (on two, its penalty leaves errors).
DEGENERATE.append(("WindowForecaster", "one_constant"))


@pytest.mark.parametrize("model, data", DEGENERATE)
@pytest.mark.parametrize("pooling", ["panel", "series"])
def test_constant_series_get_zero_width_conformal_intervals(model, data, pooling):
    y = {"one_constant": CONSTANT, "two_constant": to_panel({"a": CONSTANT, "b": CONSTANT + 1}),
         "constant_beside_wavy": to_panel({"a": CONSTANT, "b": WAVY})}[data]
    make = LOCAL.get(model, lambda: WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=2))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = ConformalIntervals(make(), levels=(80,), horizon=2, pooling=pooling).fit(y).predict_interval(2)
    rows = out if "unique_id" not in out else out[out["unique_id"] == "a"]
    width = (rows["hi_80"] - rows["lo_80"]).to_numpy()
    assert np.all(width == 0), width
    if data == "constant_beside_wavy":
        wavy = out[out["unique_id"] == "b"]
        assert np.all(wavy["hi_80"] - wavy["lo_80"] > 0)


# --------------------------------------------------------------------------- 4. one question, one answer
@pytest.mark.parametrize("models, without", [
    ({"naive": baselines.Naive(), "theta": baselines.Theta()}, ["theta"]),
    ({"theta": baselines.Theta(), "ridge": WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=3)}, ["theta", "ridge"]),
    ({"naive": baselines.Naive(), "conformal_theta": ConformalIntervals(baselines.Theta(), levels=(80,), n_windows=8)}, []),
])
def test_backtest_levels_say_which_models_have_no_intervals_and_why(models, without, tmp_path):
    y = daily(10 + np.sin(np.arange(80) / 3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = backtest(models, y, horizon=3, cv=3, levels=(80,), progress=False)
    assert sorted(result.info["without_intervals"]) == sorted(without)
    for name in without:
        assert "supports_quantiles is False" in result.info["without_intervals"][name]
    warned = [str(w.message) for w in caught if issubclass(w.category, UndefinedMetricWarning)]
    assert bool(warned) == bool(without) and all(repr(name) in warned[0] for name in without)
    coverage = result.summary()["coverage_80_mean"]
    assert coverage[[m for m in models if m not in without]].notna().all()
    assert coverage.reindex(without).isna().all()
    if without:
        markdown = report(result, tmp_path / "r.html").markdown.read_text()
        assert all(f"{name}: {result.info['without_intervals'][name]}" in markdown for name in without)


# --------------------------------------------------------------------------- 7. one rule for every writer
def _writers() -> dict:
    """Every writer, as a function of the path it writes."""
    y = daily(10 + np.sin(np.arange(30) / 3))
    result = backtest(baselines.Naive(), y, horizon=2, cv=2, progress=False)
    from tsforecast.backtesting.checkpoint import TaskStore
    from tsforecast.cli._written import write_table

    return {
        "save": lambda path: save(baselines.Naive().fit(y), path),
        "BacktestResult.save": lambda path: result.save(path),
        "report": lambda path: report(result, path).html,
        "checkpoint": lambda path: TaskStore(path).save("k", {"a": 1}),
        "cli_csv": lambda path: write_table(result.forecasts, path),
        "cli_xlsx": lambda path: write_table(result.forecasts, path),
    }


_NAMES = {"save": "m.tsf", "BacktestResult.save": "r.zip", "report": "r.html", "checkpoint": "ck", "cli_csv": "f.csv",
          "cli_xlsx": "f.xlsx"}


def _write_each(target: Path, stem: str = "") -> dict:
    """Every writer, writing under ``target`` (a folder that may not exist); ``stem`` starts
    every file name."""
    return {writer: functools.partial(write, target / f"{stem}{_NAMES[writer]}") for writer, write in _writers().items()}


@pytest.mark.parametrize("writer", ["save", "BacktestResult.save", "report", "checkpoint", "cli_csv"])
def test_every_writer_creates_missing_folders(writer, tmp_path):
    target = tmp_path / "missing" / "deeper"
    _write_each(target)[writer]()
    assert target.is_dir() and any(target.iterdir())
    assert not [p for p in tmp_path.rglob("*.tmp")]


@pytest.mark.parametrize("writer", ["save", "BacktestResult.save", "report", "cli_csv"])
def test_every_writer_refuses_a_file_as_folder_the_same_way(writer, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    with pytest.raises(FileWriteError, match=f"{str(blocker)!r} is not a folder"):
        _write_each(blocker / "sub")[writer]()
    assert blocker.read_text() == "x"


@pytest.mark.parametrize("writer", ["save", "BacktestResult.save", "cli_csv"])
@pytest.mark.parametrize("failure", [errno.ENOSPC, errno.EACCES])
def test_os_errors_name_the_target_never_the_temporary_file(writer, failure, tmp_path, monkeypatch):
    write = _write_each(tmp_path)[writer]
    real_replace = os.replace

    def refuse(source, destination, *args, **kwargs):
        if str(source).endswith(".tmp"):
            raise OSError(failure, os.strerror(failure), str(source))
        return real_replace(source, destination, *args, **kwargs)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(FileWriteError) as caught:
        write()
    assert ".tmp" not in str(caught.value) and os.strerror(failure) in str(caught.value)
    assert str(tmp_path) in str(caught.value)
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.parametrize("writer", ["save", "BacktestResult.save", "report", "cli_csv"])
def test_every_writer_takes_a_name_of_the_longest_length_allowed(writer, tmp_path):
    """A temporary file named after the whole target was longer than the system allows."""
    longest = os.pathconf(tmp_path, "PC_NAME_MAX")
    written = {"save": "m.tsf", "BacktestResult.save": "r.zip", "report": "r_files", "cli_csv": "f.csv"}[writer]
    stem = "x" * (longest - len(written))  # the longest name the writer makes is just allowed
    _write_each(tmp_path, stem)[writer]()
    assert (tmp_path / f"{stem}{written}").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize("writer", ["save", "BacktestResult.save", "report", "cli_csv"])
@pytest.mark.parametrize("form", [str, lambda text: type("Custom", (), {"__fspath__": lambda self: text})()],
                         ids=["str", "PathLike"])
def test_every_writer_refuses_a_path_ending_in_a_separator(writer, form, tmp_path):
    """'out/' names a folder: pathlib dropped the separator and wrote a file called 'out'."""
    with pytest.raises(FileWriteError, match="folder") as caught:
        _writers()[writer](form(f"{tmp_path / 'out'}{os.sep}"))
    assert f"{tmp_path / 'out'}{os.sep}" in str(caught.value)
    assert list(tmp_path.iterdir()) == []


def test_saved_model_in_a_new_folder_loads(tmp_path):
    y = daily(np.arange(20.0))
    folder = tmp_path / "new"
    path = save(baselines.Drift().fit(y), folder / "drift.tsf")
    pd.testing.assert_series_equal(load(path).predict(3), baselines.Drift().fit(y).predict(3))


# --------------------------------------------------------------------------- 9. late or missing refusals
@pytest.mark.parametrize("values, zeros", [
    (np.r_[np.arange(1.0, 29.0), 0.0, 0.0], 2),  # zeros in the last fold
    (np.tile([0.0, 1.0, 2.0], 10), None),  # zeros everywhere (count depends on the folds)
    (np.arange(1.0, 31.0), 0),  # no zero: no warning
])
def test_backtest_mape_warns_where_actuals_are_zero(values, zeros):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = backtest(baselines.Naive(), daily(values), horizon=2, cv=2, metrics=["mape", "mae"], progress=False)
    warned = [str(w.message) for w in caught if issubclass(w.category, UndefinedMetricWarning)]
    if zeros == 0:
        assert not warned
        return
    assert len(warned) == 1 and "'mape'" in warned[0] and "zero" in warned[0]
    n_zero = int((result.forecasts["y"] == 0).sum())
    assert f"{n_zero} of" in warned[0] and (zeros is None or n_zero == zeros)
    assert result.metrics["mape"].isna().sum() == n_zero and result.metrics["mae"].notna().all()


def test_backtest_mape_without_the_metric_does_not_warn():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        backtest(baselines.Naive(), daily(np.tile([0.0, 1.0], 15)), horizon=2, cv=2, progress=False)
    assert not [w for w in caught if issubclass(w.category, UndefinedMetricWarning)]


def test_cli_fit_saves_into_a_missing_folder(tmp_path):
    from tsforecast.cli import cli

    y = daily(10 + np.sin(np.arange(30) / 3))
    data = tmp_path / "daily.csv"
    pd.DataFrame({"ds": y.index, "y": y.to_numpy()}).to_csv(data, index=False)
    target = tmp_path / "missing" / "naive.tsf"
    args = ["fit", "--data", str(data), "--target", "y", "--model", "naive", "-H", "2", "--save", str(target)]
    cli.main(args=args, prog_name="tsforecast", standalone_mode=False, obj={"argv": args})
    assert load(target).predict(2).to_numpy() == pytest.approx([y.iloc[-1]] * 2)


# --------------------------------------------------------------------------- figures that depend on the CPU
@pytest.mark.parametrize("histories, noted", [
    (None, False),  # baselines only: their figures do not come from TensorFlow
    ({"mean": {0: {"loss": [1.0, 0.5]}, 1: {"loss": [1.0, 0.4]}}}, True),  # a trained model
])
def test_report_says_which_figures_depend_on_the_cpu(histories, noted, tmp_path):
    from tsforecast.reporting._content import CPU_NOTE

    y = daily(10 + np.sin(np.arange(30) / 3))
    result = backtest({"naive": baselines.Naive(), "mean": baselines.Mean()}, y, horizon=2, cv=2, progress=False)
    if histories is not None:
        result = BacktestResult(result.forecasts, result.metrics, result.errors, histories, result.info)
    markdown = report(result, tmp_path / "r.html").markdown.read_text()
    assert (CPU_NOTE in markdown) == noted
