"""The tsforecast command end to end: backtests with reports, fit/predict, datasets, bad input."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import tsforecast
from tsforecast import BacktestResult
from tsforecast.cli import _quiet, cli
from tsforecast.cli._registry import model_names
from _cli_helpers import one_line_error, run
from _report_helpers import md_table

# -- helpers ---------------------------------------------------------------------------


def assert_report_matches(markdown: str, result: BacktestResult, reference: str) -> None:
    """The report's metrics table shows the result's summary, model by model."""
    summary = result.summary(reference=reference, metric="mase")
    rows = md_table(markdown, "rank")
    assert [row["model"] for row in rows] == list(summary.sort_values("rank").index)
    for row in rows:
        expected = summary.loc[row["model"]]
        assert float(row["MASE mean"]) == float(f"{expected['mase_mean']:.4g}")
        assert float(row["MAE mean"]) == float(f"{expected['mae_mean']:.4g}")
        assert float(row["RMSE mean"]) == float(f"{expected['rmse_mean']:.4g}")
        if row["model"] != reference:
            assert float(row[f"skill vs {reference}"].rstrip("%")) == pytest.approx(100 * expected["skill"], abs=0.05)


@pytest.fixture
def load_csv(tmp_path) -> Path:
    """Hourly electricity-like load with a temperature covariate and a known hour-of-day feature."""
    rng = np.random.default_rng(3)
    n = 144
    times = pd.date_range("2024-03-01", periods=n, freq="h")
    hour = times.hour.to_numpy()
    temp = 15 + 5 * np.sin(2 * np.pi * (hour - 6) / 24) + rng.normal(0, 1, n)
    load = 50 + 10 * np.sin(2 * np.pi * hour / 24) + 0.8 * temp + rng.normal(0, 1, n)
    table = pd.DataFrame({"timestamp": times.strftime("%Y-%m-%d %H:%M"), "load": load, "temp": temp,
                          "hour": hour.astype(float)})
    path = tmp_path / "load.csv"
    table.to_csv(path, index=False)
    return path


@pytest.fixture
def panel_csv(tmp_path) -> Path:
    rng = np.random.default_rng(4)
    frames = []
    for store in ("north", "south", "east"):
        n = 96
        frames.append(pd.DataFrame({
            "store": store, "date": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
            "sales": 100 + 10 * np.sin(2 * np.pi * np.arange(n) / 7) + rng.normal(0, 3, n),
        }))
    path = tmp_path / "panel.csv"
    pd.concat(frames).to_csv(path, index=False)
    return path


# -- help, datasets, entry points --------------------------------------------------------------
@pytest.mark.parametrize("command", [[], ["backtest"], ["fit"], ["predict"], ["datasets"]])
def test_help_everywhere(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage: " in result.output and "--help" in result.output


def test_backtest_help_lists_every_model():
    output = CliRunner().invoke(cli, ["backtest", "--help"]).output
    for name in model_names():
        assert f"{name}: " in output


def test_datasets_lists_the_bundled_ones(capsys):
    status, out, _ = run(capsys, "datasets")
    assert status == 0
    for name in tsforecast.list_datasets().index:
        assert out.count(f"{name}: ") == 1


@pytest.mark.slow
def test_module_and_console_script_run():
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    for name in ("tsforecast.cli", "tsforecast"):
        module = subprocess.run([sys.executable, "-m", name, "datasets"], capture_output=True, text=True,
                                env=env, timeout=120)
        assert module.returncode == 0 and "seattle_weather" in module.stdout, name
    script = Path(sys.executable).parent / "tsforecast"
    if not script.exists():
        pytest.skip(f"the console script is not installed beside {sys.executable}")
    version = subprocess.run([str(script), "--version"], capture_output=True, text=True, env=env, timeout=120)
    assert version.returncode == 0 and tsforecast.__version__ in version.stdout


# -- backtests with reports ------------------------------------------------------------------
def test_backtest_on_bundled_dataset(capsys, tmp_path):
    report = tmp_path / "reports" / "co2.html"
    saved = tmp_path / "co2_result.zip"
    status, out, err = run(capsys, "backtest", "--dataset", "co2", "--horizon", "13", "--folds", "2",
                           "--models", "naive,snaive,drift", "--report", report, "--save-result", saved)
    assert status == 0, err
    assert "Models ranked by mean MASE" in out and "skill relative to snaive" in out
    assert "backtest" in err and "task" in err  # the progress bar
    result = BacktestResult.load(saved)
    assert result.info["season_length"] == 52  # the dataset's season
    markdown = report.with_suffix(".md").read_text()
    assert markdown.startswith("# Backtest of naive, snaive, drift on co2\n")
    assert_report_matches(markdown, result, "snaive")
    assert "tsforecast backtest --dataset co2 --horizon 13" in markdown  # the command that made it
    assert report.exists() and (tmp_path / "reports" / "co2_files" / "error_by_step.png").exists()


def test_backtest_on_csv_with_covariates(capsys, tmp_path, load_csv):
    report = tmp_path / "load.html"
    saved = tmp_path / "load.zip"
    status, _, err = run(capsys, "backtest", "--data", load_csv, "--target", "load", "--covariates", "temp",
                         "--future-covariates", "hour", "--horizon", "6", "--folds", "3", "--lookback", "24",
                         "--models", "ridge,naive,snaive", "--reference", "naive", "--report", report,
                         "--save-result", saved, "-q")
    assert status == 0, err
    result = BacktestResult.load(saved)
    assert result.info["data"]["covariates"] == ["temp"] and result.info["data"]["future_covariates"] == ["hour"]
    assert result.info["season_length"] == 24  # hourly data
    assert result.info["data"]["freq"] == "h"
    assert len(result.errors) == 0
    markdown = report.with_suffix(".md").read_text()
    assert_report_matches(markdown, result, "naive")
    assert "| future_covariates | hour |" in markdown


@pytest.mark.parametrize("name, path", [("autoarima", "tsforecast.baselines.auto_arima.AutoARIMA"),
                                        ("arima", "tsforecast.baselines.statsmodels_models.ARIMA")])
def test_backtest_arima_regresses_on_the_future_covariates(capsys, tmp_path, load_csv, name, path):
    saved = tmp_path / "arima.zip"
    status, _, err = run(capsys, "backtest", "--data", load_csv, "--target", "load", "--future-covariates", "temp",
                         "--horizon", "6", "--folds", "2", "--models", f"{name},naive", "--save-result", saved, "-q")
    assert status == 0, err
    result = BacktestResult.load(saved)
    assert result.info["models"][name]["class"] == path
    assert result.info["data"]["future_covariates"] == ["temp"] and len(result.errors) == 0
    # load = 0.8 temp + a daily cycle + noise: the regression beats the naive forecast
    summary = result.summary()
    assert summary.loc[name, "mae_mean"] < summary.loc["naive", "mae_mean"]


def test_backtest_on_panel_csv(capsys, tmp_path, panel_csv):
    report = tmp_path / "panel.html"
    saved = tmp_path / "panel.zip"
    status, _, err = run(capsys, "backtest", "--data", panel_csv, "--id-column", "store", "--target", "sales",
                         "--horizon", "7", "--folds", "2", "--models", "naive,snaive,mean", "--report", report,
                         "--save-result", saved, "-q")
    assert status == 0, err
    result = BacktestResult.load(saved)
    assert sorted(result.forecasts["unique_id"].unique()) == ["east", "north", "south"]
    assert result.info["season_length"] == 7
    assert_report_matches(report.with_suffix(".md").read_text(), result, "snaive")


@pytest.mark.slow
def test_backtest_with_lstm_reports_training_curves(capsys, tmp_path, load_csv):
    report = tmp_path / "lstm.html"
    saved = tmp_path / "lstm.zip"
    status, _, err = run(capsys, "backtest", "--data", load_csv, "--target", "load", "--covariates", "temp",
                         "--horizon", "6", "--folds", "2", "--models", "lstm,snaive", "--epochs", "2", "--units",
                         "4", "--lookback", "12", "--report", report, "--save-result", saved, "-q")
    assert status == 0, err
    result = BacktestResult.load(saved)
    markdown = report.with_suffix(".md").read_text()
    assert_report_matches(markdown, result, "snaive")
    curves = md_table(markdown, "model | fold", "epochs")  # not the reference forecasts table
    assert [(row["model"], row["epochs"]) for row in curves] == [
        ("lstm", str(len(result.histories["lstm"][fold]["loss"]))) for fold in sorted(result.histories["lstm"])]
    assert (report.parent / "lstm_files" / "training_curves.png").exists()
    assert any(line.startswith("> lstm ") for line in markdown.splitlines())  # a verdict on the LSTM


# -- fit and predict ------------------------------------------------------------------------------
def test_fit_then_predict(capsys, tmp_path, load_csv):
    model = tmp_path / "ridge.tsf"
    status, out, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--covariates", "temp",
                           "--model", "ridge", "--horizon", "6", "--lookback", "24", "--save", model)
    assert status == 0, err
    assert model.exists()
    out_file = tmp_path / "forecast.csv"
    status, _, err = run(capsys, "predict", "--model", model, "--out", out_file)
    assert status == 0, err
    forecast = pd.read_csv(out_file, parse_dates=["timestamp"])
    assert list(forecast.columns) == ["timestamp", "load"] and len(forecast) == 6
    assert forecast["timestamp"].iloc[0] == pd.Timestamp("2024-03-07 00:00")  # the hour after the data

    # From newer data: forecasts start after its end, without refitting.
    table = pd.read_csv(load_csv).iloc[24:]
    later = tmp_path / "later.csv"
    table.assign(timestamp=pd.to_datetime(table["timestamp"]) + pd.Timedelta(hours=24)).to_csv(later, index=False)
    status, out, err = run(capsys, "predict", "--model", model, "--data", later, "--horizon", "3")
    assert status == 0, err
    printed = pd.read_csv(pd.io.common.StringIO(out), parse_dates=["timestamp"])
    assert len(printed) == 3 and printed["timestamp"].iloc[0] == pd.Timestamp("2024-03-08 00:00")


def test_backtest_with_levels_scores_intervals_of_every_model(capsys, tmp_path, panel_csv):
    saved = tmp_path / "result.zip"
    status, out, err = run(capsys, "backtest", "--data", panel_csv, "--id-column", "store", "--target", "sales",
                           "--horizon", "7", "--folds", "2", "--models", "naive,theta", "--levels", "80,95",
                           "--calibration-windows", "8", "--save-result", saved, "-q")
    assert status == 0, err
    assert "Prediction intervals: empirical coverage" in out
    result = BacktestResult.load(saved)
    assert result.info["levels"] == [80.0, 95.0]
    # theta has no distribution of its own: wrapped in conformal intervals, calibrated per fold
    assert result.info["models"]["theta"]["class"] == "tsforecast.forecasters.intervals.ConformalIntervals"
    assert result.info["models"]["naive"]["class"] == "tsforecast.baselines.naive.Naive"
    assert result.forecasts[["lo_80", "hi_80", "lo_95", "hi_95"]].notna().all().all()
    summary = result.summary()
    printed = out.split("Prediction intervals")[1]
    for model in ("naive", "theta"):
        assert f"{summary.loc[model, 'coverage_95_mean']:.4g}" in printed


def test_fit_and_predict_with_levels(capsys, tmp_path, load_csv):
    plain, wrapped = tmp_path / "theta.tsf", tmp_path / "theta_intervals.tsf"
    for path, extra in ((plain, []), (wrapped, ["--levels", "80,95", "--calibration-windows", "19"])):
        status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "theta",
                             "--horizon", "3", "--save", path, *extra)
        assert status == 0, err
    out_file = tmp_path / "forecast.csv"
    status, _, err = run(capsys, "predict", "--model", wrapped, "--levels", "80,95", "--out", out_file)
    assert status == 0, err
    forecast = pd.read_csv(out_file)
    assert list(forecast.columns) == ["timestamp", "load", "lo_80", "hi_80", "lo_95", "hi_95"] and len(forecast) == 3
    assert (forecast["lo_95"] < forecast["lo_80"]).all() and (forecast["hi_80"] < forecast["hi_95"]).all()
    status, _, err = run(capsys, "predict", "--model", plain, "--levels", "80")
    assert status == 2 and "fit it with `tsforecast fit --levels" in one_line_error(err)


def test_conformal_model_file_forecasts_past_its_calibration_and_says_how_to_refit(capsys, tmp_path, load_csv):
    """Point forecasts past the calibrated steps were refused ('set ConformalIntervals(horizon=6)'),
    and a level the file cannot give asked for --calibration-windows, an option of fit only."""
    model = tmp_path / "theta.tsf"
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "theta", "-H", "3",
                         "--levels", "80", "--calibration-windows", "5", "--out", model)
    assert status == 0, err
    status, out, err = run(capsys, "predict", "--model-file", model, "-H", "6")
    assert status == 0 and len(pd.read_csv(io.StringIO(out))) == 6, err
    status, _, err = run(capsys, "predict", "--model-file", model, "-H", "6", "--levels", "80")
    error = one_line_error(err)
    assert status == 2 and "--horizon" in error and "`tsforecast fit -H 6 --levels" in error
    assert "ConformalIntervals" not in error
    status, _, err = run(capsys, "predict", "--model-file", model, "--levels", "95")
    error = one_line_error(err)
    assert status == 1 and "--levels" in error and "`tsforecast fit --levels 95 --calibration-windows 19`" in error
    assert "give more --calibration-windows" not in error


def test_predict_with_levels_calibrates_a_window_model_on_its_data(capsys, tmp_path, load_csv):
    model = tmp_path / "ridge.tsf"
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "ridge",
                         "--horizon", "4", "--lookback", "12", "--save", model)
    assert status == 0, err
    status, _, err = run(capsys, "predict", "--model", model, "--levels", "80")
    assert status == 2 and "or give --data" in one_line_error(err)
    out_file = tmp_path / "forecast.csv"
    status, _, err = run(capsys, "predict", "--model", model, "--data", load_csv, "--levels", "80,95",
                         "--out", out_file)
    assert status == 0, err
    forecast = pd.read_csv(out_file)
    assert list(forecast.columns) == ["timestamp", "load", "lo_80", "hi_80", "lo_95", "hi_95"] and len(forecast) == 4
    assert (forecast["lo_95"] <= forecast["lo_80"]).all() and (forecast["hi_80"] <= forecast["hi_95"]).all()


def test_predict_with_future_covariates_from_rows_without_target(capsys, tmp_path, load_csv):
    model = tmp_path / "ridge.tsf"
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--future-covariates", "hour",
                         "--model", "ridge", "--horizon", "4", "--lookback", "12", "--save", model)
    assert status == 0, err
    table = pd.read_csv(load_csv)
    future = pd.DataFrame({"timestamp": pd.date_range("2024-03-07", periods=4, freq="h").strftime("%Y-%m-%d %H:%M"),
                           "load": np.nan, "temp": np.nan, "hour": [0.0, 1.0, 2.0, 3.0]})
    data = tmp_path / "with_future.csv"
    pd.concat([table, future]).to_csv(data, index=False)
    status, out, err = run(capsys, "predict", "--model", model, "--data", data)
    assert status == 0, err
    assert len(pd.read_csv(pd.io.common.StringIO(out))) == 4


# -- bad input: one line, non-zero exit, nothing written ------------------------------------
def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


BAD_INPUT = {
    "missing target column": (["--target", "nope"], 1, "--target names 'nope', not a column of"),
    "missing covariate": (["--target", "load", "--covariates", "temp,wind"], 1, "--covariates names 'wind'"),
    "unknown model": (["--target", "load", "--models", "naive,prophet"], 1,
                      "unknown model name(s) 'prophet'; known: lstm, ridge, naive, snaive"),
    "horizon too long": (["--target", "load", "--horizon", "500"], 1, "horizon"),
    "zero horizon": (["--target", "load", "--horizon", "0"], 2, "--horizon"),
    "unknown option": (["--target", "load", "--colour", "red"], 2, "No such option '--colour'"),
    "reference not a model": (["--target", "load", "--reference", "theta"], 2, "--reference"),
    "time column missing": (["--target", "load", "--time-column", "when"], 1, "--time-column names 'when'"),
    # --levels misused, as every other option: exit status 2, one wording of the range
    "level of 100": (["--target", "load", "--levels", "80,100"], 2,
                     "--levels must be percentages from 1 to below 100 (80 for an 80% interval); got '80,100'"),
    "level of 0": (["--target", "load", "--levels", "0"], 2,
                   "--levels must be percentages from 1 to below 100 (80 for an 80% interval); got '0'"),
    "level as a fraction": (["--target", "load", "--levels", "0.8"], 2,
                            "--levels must be percentages from 1 to below 100 (80 for an 80% interval); got '0.8' "
                            "(percent, not fractions: pass 80)"),
    "levels not numbers": (["--target", "load", "--levels", "high"], 2,
                           "--levels must be comma-separated percentages such as 80,95; got 'high'"),
    "levels unsorted": (["--target", "load", "--levels", "95,80"], 2, "--levels must be increasing"),
    "no parallel task": (["--target", "load", "--n-jobs", "0"], 2,
                         "--n-jobs: must be a positive number of parallel tasks or -1 (all cores); got 0."),
    "negative parallel tasks": (["--target", "load", "--n-jobs", "-3"], 2, "--n-jobs: must be a positive number"),
    # pandas' asfreq kept every second hour and the backtest ran on half the data
    "freq coarser than the data": (["--target", "load", "--freq", "2h"], 1,
                                   "--freq '2h' would drop 72 of the 144 rows of"),
    # one column as both id and time: 'AttributeError: 'DataFrame' object has no attribute 'dtype''
    "id column is the time column": (["--target", "load", "--id-column", "timestamp"], 1,
                                     "--id-column 'timestamp' is also the time column 'timestamp'"),
    "id and time column alike": (["--target", "load", "--id-column", "timestamp", "--time-column", "timestamp"], 1,
                                 "--time-column and --id-column both name 'timestamp'"),
    # a role clash named the time column 'timestamp', whichever column clashed
    "id column is the target": (["--target", "load", "--id-column", "load"], 1,
                                "--id-column 'load' is also named by --target"),
    "time column is a covariate": (["--target", "load", "--time-column", "hour", "--covariates", "hour"], 1,
                                   "--time-column 'hour' is also named by --covariates"),
}


@pytest.mark.parametrize("extra, fragment", [
    (["--covariates", "unique_id"], "the id column 'unique_id' (the default; --id-column chooses another) is also "
                                    "named by --covariates"),
    (["--time-column", "unique_id"], "the id column 'unique_id' (the default; --id-column chooses another) is also "
                                     "--time-column 'unique_id'"),
    (["--id-column", "ds"], "--id-column 'ds' is also the time column 'ds'"),
])
def test_a_panel_column_with_two_roles_is_named(capsys, tmp_path, extra, fragment):
    path = tmp_path / "panel.csv"
    pd.DataFrame({"unique_id": ["a"] * 20, "ds": pd.date_range("2024-01-01", periods=20).strftime("%Y-%m-%d"),
                  "y": np.arange(20.0)}).to_csv(path, index=False)
    status, _, err = run(capsys, "backtest", "--data", path, "--target", "y", "-H", "2", "-m", "naive", "-q", *extra)
    assert status == 1 and fragment in one_line_error(err)


@pytest.mark.parametrize("case", list(BAD_INPUT))
def test_bad_options_and_columns(capsys, tmp_path, load_csv, case):
    extra, expected_status, fragment = BAD_INPUT[case]
    args = ["backtest", "--data", load_csv, "--horizon", "6", "--folds", "2", "--models", "naive,snaive",
            "--report", tmp_path / "out" / "r.html", "-q"]
    # later options win in click, so the case's own --horizon/--models replace the defaults above
    status, _, err = run(capsys, *args, *extra)
    assert status == expected_status
    assert fragment in one_line_error(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("empty.csv", "", "is empty"),
        ("header.csv", "timestamp,load\n", "has a header but no rows"),
        ("dates.csv", "timestamp,load\n2024-01-01,1\nyesterday,2\n2024-01-03,3\n",
         "--time-column 'timestamp' of {path} holds 1 value(s) that are not timestamps, the first 'yesterday'"),
        ("text.csv", "timestamp,load\n2024-01-01,1\n2024-01-02,high\n2024-01-03,3\n", "non-numeric"),
        ("ragged.csv", "timestamp,load\n2024-01-01,1\n2024-01-02,2,3,4\n", "is not a valid table"),
        ("data.json", "x", "must be a .csv (or .txt), .tsv, .parquet (or .pq) or .xlsx file"),
        # the library's fill= in the command line's words
        ("hole.csv", "timestamp,load\n2024-01-01,1\n2024-01-02,\n2024-01-03,3\n2024-01-04,4\n",
         "remove them or pass --fill ffill or --fill interpolate."),
        # pandas renamed the second 'load' to 'load.1', and --target load took the first
        ("twice.csv", "timestamp,load,load\n2024-01-01,1,5\n2024-01-02,2,6\n",
         "--data file '{path}' names column(s) ['load'] more than once; give each column its own name."),
    ],
)
def test_bad_files(capsys, tmp_path, name, content, fragment):
    path = _write(tmp_path / name, content)
    status, _, err = run(capsys, "backtest", "--data", path, "--target", "load", "--horizon", "1", "--folds", "1",
                         "--models", "naive", "--report", tmp_path / "out" / "r.html", "-q")
    assert status == 1
    assert fragment.format(path=path) in one_line_error(err)
    assert not (tmp_path / "out").exists()


def test_missing_file_and_data_source_conflicts(capsys, tmp_path):
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "none.csv", "--target", "y", "-H", "2",
                         "-m", "naive")
    assert status == 1 and "none.csv" in one_line_error(err) and "does not exist" in err
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "none.csv", "--dataset", "co2", "-H", "2",
                         "-m", "naive")
    assert status == 2 and "exactly one of --data FILE and --dataset NAME" in one_line_error(err)
    status, _, err = run(capsys, "backtest", "--dataset", "weather", "-H", "2", "-m", "naive")
    assert status == 1 and "--dataset must be one of the bundled datasets" in one_line_error(err)
    status, _, err = run(capsys, "predict", "--model", tmp_path / "none.tsf")
    assert status == 1 and "none.tsf" in one_line_error(err)


def test_predict_refuses_a_file_that_is_not_a_model(capsys, tmp_path):
    fake = _write(tmp_path / "model.tsf", "not a zip")
    status, _, err = run(capsys, "predict", "--model", fake)
    assert status == 1 and "is not a tsforecast model file" in one_line_error(err)


@pytest.mark.parametrize("module", ["_input", "_registry", "_quiet", "_compressed", "_wide", "_labels"])
def test_docstring_examples(module):
    import doctest
    import importlib

    outcome = doctest.testmod(importlib.import_module(f"tsforecast.cli.{module}"))
    assert outcome.failed == 0 and outcome.attempted > 0


@pytest.mark.slow
def test_lstm_model_file_predicts_in_a_new_process(capsys, tmp_path, load_csv):
    """As users run it: a new process loads the model file (custom Keras layers included)."""
    model = tmp_path / "lstm.tsf"
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "lstm", "--horizon", "4",
                         "--lookback", "12", "--epochs", "2", "--units", "4", "--save", model)
    assert status == 0, err
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}
    predict = subprocess.run([sys.executable, "-m", "tsforecast.cli", "predict", "--model", str(model)],
                             capture_output=True, text=True, env=env, timeout=300)
    assert predict.returncode == 0, predict.stderr
    forecast = pd.read_csv(pd.io.common.StringIO(predict.stdout))
    assert list(forecast.columns) == ["timestamp", "load"] and len(forecast) == 4
    assert np.isfinite(forecast["load"]).all()


def test_backtest_on_parquet_with_integer_time(capsys, tmp_path):
    pytest.importorskip("pyarrow", reason="reading Parquet needs pyarrow (the test extra installs it)")
    rng = np.random.default_rng(5)
    table = pd.DataFrame({"y": 5 + np.sin(np.arange(80) / 3) + rng.normal(0, 0.1, 80)})  # no time column
    path = tmp_path / "series.parquet"
    table.to_parquet(path)
    saved = tmp_path / "r.zip"
    status, _, err = run(capsys, "backtest", "--data", path, "--target", "y", "-H", "5", "--folds", "2",
                         "-m", "naive,drift", "--save-result", saved, "-q")
    assert status == 0, err
    result = BacktestResult.load(saved)
    assert result.info["data"]["freq"] == "integer" and result.info["season_length"] == 1
    assert sorted(result.forecasts["ds"].unique()) == list(range(70, 80))


# -- TensorFlow's start-up lines -----------------------------------------------------------------
TF_NOISE = ("cudart_stub", "cuInit", "oneDNN", "absl::InitializeLog", "cpu_feature_guard", "rebuild TensorFlow")


@pytest.mark.slow
def test_backtest_with_lstm_prints_no_tensorflow_log_line(tmp_path):
    """As a user runs it, in a new process: stdout and stderr hold our output only."""
    env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "PYTHONWARNINGS")}
    env["PYTHONPATH"] = str(Path(tsforecast.__file__).resolve().parents[1])  # the package under test
    args = [sys.executable, "-m", "tsforecast.cli", "backtest", "--dataset", "seattle_weather", "--target",
            "temp_max", "--horizon", "7", "--folds", "1", "--epochs", "1", "--units", "4", "--models", "lstm,naive"]
    quiet = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600, cwd=tmp_path)
    assert quiet.returncode == 0, quiet.stderr
    output = quiet.stdout + quiet.stderr
    assert "lstm" in quiet.stdout and "naive" in quiet.stdout
    assert not [line for line in output.splitlines() if any(noise in line for noise in TF_NOISE)], output
    assert not [line for line in output.splitlines()
                if _quiet.TF_LOG_LINE.match(line.split("\r")[-1].encode())], output


def test_quiet_stderr_drops_tensorflow_lines_only(capfd):
    tf_lines = [b"WARNING: All log messages before absl::InitializeLog() is called are written to STDERR\n",
                b"I0000 00:00:1796036252.742037    5203 cudart_stub.cc:31] Could not find cuda drivers\n",
                b"E0000 00:00:1796036259.306081    5203 cuda_platform.cc:52] failed call to cuInit: INTERNAL\n",
                b"2026-01-01 10:00:00.123456: I tensorflow/core/util/port.cc:153] oneDNN custom operations are on.\n"]
    with _quiet.QuietStderr():
        for line in tf_lines[:2]:
            os.write(2, line)
        os.write(2, b"Error: ours stays\n")
        for line in tf_lines[2:]:
            os.write(2, line)
        os.write(2, b"a last line without newline")
    err = capfd.readouterr().err
    assert err == "Error: ours stays\na last line without newline"
    os.write(2, tf_lines[1])  # after the context: descriptor 2 is the original again
    assert capfd.readouterr().err == tf_lines[1].decode()


def test_verbose_keeps_tensorflow_lines(capfd, monkeypatch):
    entered = []
    monkeypatch.setattr(_quiet.QuietStderr, "__enter__", lambda self: entered.append(1) or self)
    monkeypatch.setattr(_quiet.QuietStderr, "__exit__", lambda self, *a: None)
    assert CliRunner().invoke(cli, ["--verbose", "datasets"]).exit_code == 0 and entered == []
    assert CliRunner().invoke(cli, ["datasets"]).exit_code == 0 and entered == [1]


# -- signed model files ----------------------------------------------------------------------------
CLI_KEY = "cli-test-key-0123456789abcdef"


def test_fit_and_predict_with_a_key(capsys, tmp_path, load_csv, monkeypatch):
    monkeypatch.delenv("TSFORECAST_MODEL_KEY", raising=False)
    monkeypatch.setenv("MY_MODEL_KEY", CLI_KEY)
    model = tmp_path / "signed.tsf"
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "naive", "--horizon", "3",
                         "--save", model, "--key-env", "MY_MODEL_KEY")
    assert status == 0, err
    assert "signature.json" in persistence_members(model)
    status, out, err = run(capsys, "predict", "--model", model, "-H", "3", "--key-env", "MY_MODEL_KEY")
    assert status == 0 and len(pd.read_csv(pd.io.common.StringIO(out))) == 3, err
    key_file = tmp_path / "key.txt"
    key_file.write_text(CLI_KEY + "\n")
    assert run(capsys, "predict", "--model", model, "-H", "3", "--key-file", key_file)[0] == 0
    key_file.write_text("another key that is long enough\n")
    status, _, err = run(capsys, "predict", "--model", model, "-H", "3", "--key-file", key_file)
    assert status == 1 and "signature does not match" in one_line_error(err)
    monkeypatch.setenv("TSFORECAST_MODEL_KEY", "the default key, also long")
    status, _, err = run(capsys, "predict", "--model", model, "-H", "3")  # the default variable is read too
    assert status == 1 and "signature does not match" in one_line_error(err)


def test_a_key_that_is_not_utf8_is_the_same_in_a_variable_and_a_file(capsys, tmp_path, load_csv, monkeypatch):
    raw = b"\xe9\xff\xfe" + b"abcdefghijklmnopqrstuvwxyz0123"
    monkeypatch.delenv("TSFORECAST_MODEL_KEY", raising=False)
    monkeypatch.setenv("BIN_KEY", os.fsdecode(raw))  # the system's str for those bytes
    (tmp_path / "key.bin").write_bytes(raw)
    model = tmp_path / "signed.tsf"
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "naive", "-H", "3",
                         "--out", model, "--key-env", "BIN_KEY")
    assert status == 0, err
    for source in (["--key-file", tmp_path / "key.bin"], ["--key-env", "BIN_KEY"]):
        status, _, err = run(capsys, "predict", "--model", model, "-H", "3", *source)
        assert status == 0, err
    tsforecast.load(model, key=raw)


def test_unsigned_model_is_refused_when_a_key_is_given(capsys, tmp_path, load_csv, monkeypatch):
    monkeypatch.delenv("TSFORECAST_MODEL_KEY", raising=False)
    model = tmp_path / "plain.tsf"
    assert run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "naive", "-H", "2",
               "--save", model)[0] == 0
    monkeypatch.setenv("MY_MODEL_KEY", CLI_KEY)
    status, _, err = run(capsys, "predict", "--model", model, "-H", "2", "--key-env", "MY_MODEL_KEY")
    assert status == 1 and "not signed" in one_line_error(err)


@pytest.mark.parametrize("options, fragment", [
    (["--key-env", "NO_SUCH_VARIABLE_HERE"], "'NO_SUCH_VARIABLE_HERE' is not set"),
    (["--key-env", "MY_MODEL_KEY", "--key-file", "KEYFILE"], "not both"),
    (["--key-file", "EMPTYFILE"], "is empty"),
    # too short: refused before the model is fitted, by the option's name
    (["--key-env", "SHORT_KEY"], "--key-env: the key in environment variable 'SHORT_KEY': a key must be at least 16"),
    (["--key-file", "SHORTFILE"], "--key-file: the key file"),
])
def test_bad_key_options(capsys, tmp_path, load_csv, monkeypatch, options, fragment):
    monkeypatch.setenv("MY_MODEL_KEY", CLI_KEY)
    monkeypatch.setenv("SHORT_KEY", "abc")
    (tmp_path / "KEYFILE").write_text(CLI_KEY)
    (tmp_path / "EMPTYFILE").write_text("  \n")
    (tmp_path / "SHORTFILE").write_text("abc\n")
    options = [str(tmp_path / o) if o in ("KEYFILE", "EMPTYFILE", "SHORTFILE") else o for o in options]
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "naive", "-H", "2",
                         "--save", tmp_path / "m.tsf", *options)
    assert status == 2 and fragment in one_line_error(err)
    assert not (tmp_path / "m.tsf").exists()


def test_a_short_key_in_the_default_variable_is_refused_before_fitting(capsys, tmp_path, load_csv, monkeypatch):
    monkeypatch.setenv("TSFORECAST_MODEL_KEY", "abc")
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "naive", "-H", "2",
                         "--out", tmp_path / "m.tsf")
    assert status == 1 and "$TSFORECAST_MODEL_KEY must be at least 16 bytes" in one_line_error(err)
    assert not (tmp_path / "m.tsf").exists()


def persistence_members(path) -> list[str]:
    import zipfile

    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


# -- --per-series ------------------------------------------------------------------------------
def test_backtest_writes_the_per_series_table(capsys, tmp_path, panel_csv):
    table_path = tmp_path / "tables" / "per_series.csv"
    saved = tmp_path / "panel.zip"
    status, out, err = run(capsys, "backtest", "--data", panel_csv, "--id-column", "store", "--target", "sales",
                           "--horizon", "7", "--folds", "2", "--models", "naive,snaive,mean", "--per-series",
                           table_path, "--save-result", saved, "-q")
    assert status == 0, err
    written = pd.read_csv(table_path)
    expected = BacktestResult.load(saved).per_series(metric="mase", reference="snaive")
    assert list(written.columns) == list(expected.columns)
    assert list(written["model"]) == list(expected["model"].astype(str))
    assert list(written["unique_id"]) == list(expected["unique_id"].astype(str))
    np.testing.assert_allclose(written["mase"], expected["mase"], rtol=1e-12)
    np.testing.assert_allclose(written["skill"], expected["skill"], rtol=1e-12)
    assert list(written["rank"]) == list(expected["rank"]) and written["win"].sum() == 3
    wins = expected[expected["win"]].groupby("model", observed=True).size()
    assert "series won: " + ", ".join(f"{m} {n}" for m, n in wins.items()) in out
    assert [p.name for p in table_path.parent.iterdir()] == ["per_series.csv"]  # no temporary file left


def test_per_series_path_that_cannot_be_written(capsys, tmp_path, panel_csv):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    status, _, err = run(capsys, "backtest", "--data", panel_csv, "--id-column", "store", "--target", "sales",
                         "--horizon", "7", "--folds", "2", "--models", "naive,snaive", "--per-series",
                         blocked / "per_series.csv", "-q")
    assert status == 1  # a FileWriteError, before the backtest
    line = one_line_error(err)
    assert "--per-series" in line and f"cannot write '{blocked / 'per_series.csv'}'" in line


@pytest.mark.parametrize("season, lookback, expected", [(24, 168, 24), (365, 56, None), (7, 7, None), (1, 56, None)])
def test_lstm_takes_the_season_only_when_the_lookback_holds_it(season, lookback, expected):
    from tsforecast.cli._registry import ModelSettings, make_model

    model = make_model("lstm", ModelSettings(horizon=7, season_length=season, lookback=lookback))
    # None: WindowForecaster derives the season from the data's frequency in fit
    assert model.estimator.season_length == expected and model.n_steps_in == lookback


def _daily_csv(path: Path, dates: list[str], ids: list[str] | None = None) -> Path:
    frame = pd.DataFrame({"ds": dates, "y": np.sin(np.arange(len(dates)) * 2 * np.pi / 7) + 10})
    if ids is not None:
        frame.insert(0, "unique_id", ids)
    frame.to_csv(path, index=False)
    return path


def test_dates_written_day_first_are_read_day_first_and_said(capsys, tmp_path):
    days = pd.date_range("2024-01-01", periods=42, freq="D")
    path = _daily_csv(tmp_path / "dayfirst.csv", list(days.strftime("%d/%m/%Y")))
    status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "7", "--folds", "2",
                           "--models", "naive,snaive", "--report", tmp_path / "r.md")
    assert status == 0, err
    # read month first, 02/01/2024 would be 1 February and the steps irregular; day first they are daily
    assert "--time-column 'ds': dates read day first ('13/01/2024' cannot be read month first); " \
           "they run from 2024-01-01 to 2024-02-11." in err
    assert "season length 7 (from frequency D)" in out


@pytest.mark.parametrize(("column", "written", "sep"), [("Tag", "%d/%m/%Y", ","), ("Datum", "%d.%m.%Y", ";")])
def test_a_column_of_dates_written_day_first_is_the_time_column_whatever_its_name(capsys, tmp_path, column,
                                                                                   written, sep):
    days = pd.date_range("2024-01-01", periods=42, freq="D")
    path = tmp_path / "sales.csv"
    pd.DataFrame({column: days.strftime(written), "Umsatz": _sales()["sales"]}).to_csv(path, sep=sep, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "7", "--folds", "2",
                           "--models", "naive,snaive", "--report", tmp_path / "r.md")
    assert status == 0, err
    # before: no time column found, integer time and season 1
    assert f"time column: {column!r} (its values are dates" in err and "dates read day first" in err
    assert "season length 7 (from frequency D)" in out


@pytest.mark.parametrize("model", ["naive", "snaive"])
def test_month_starts_written_day_first_are_read_as_months(capsys, tmp_path, model):
    # 01/02/2022, 01/03/2022, ...: every value reads month first too, as days (2, 3 January)
    months = pd.date_range("2022-01-01", periods=36, freq="MS")
    path = _daily_csv(tmp_path / "monthly.csv", list(months.strftime("%d/%m/%Y")))
    status, out, err = run(capsys, "fit", "--data", path, "--model", model, "--horizon", "3",
                           "--out", tmp_path / "m.tsf")
    assert status == 0, err
    assert "dates read day first" in err and "regular (MS)" in err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    assert status == 0, err
    forecast = pd.read_csv(io.StringIO(out), parse_dates=["ds"])
    assert list(forecast["ds"]) == list(pd.date_range("2025-01-01", periods=3, freq="MS"))


def test_a_gap_in_month_starts_written_day_first_asks_for_their_frequency(capsys, tmp_path):
    months = pd.date_range("2022-01-01", periods=36, freq="MS").delete(16)  # 2023-05-01 missing
    path = _daily_csv(tmp_path / "monthly.csv", list(months.strftime("%d/%m/%Y")))
    status, _, err = run(capsys, "backtest", "--data", path, "--horizon", "3", "--folds", "2", "--models", "naive")
    assert status == 1
    error = err.splitlines()[-1]
    assert "--freq MS" in error and "--freq D" not in error, err
    assert "after 2023-04-01" in error


@pytest.mark.parametrize(("dates", "hint"), [
    (pd.date_range("2022-01-15", periods=30, freq=pd.DateOffset(months=1)), None),  # before: --freq 31D
    (pd.date_range("2022-01-01", periods=30, freq="SMS").delete(7), "SMS"),
    (pd.bdate_range("2024-01-01", periods=60)[::2].delete(4), "2B"),  # before: --freq 2D
])
def test_irregular_dates_are_hinted_only_a_frequency_whose_grid_keeps_them(capsys, tmp_path, dates, hint):
    path = _daily_csv(tmp_path / "dates.csv", list(dates.strftime("%Y-%m-%d")))
    status, _, err = run(capsys, "backtest", "--data", path, "--horizon", "1", "--folds", "1", "--models", "naive")
    error = one_line_error(err)
    assert status == 1
    if hint is None:
        assert "no frequency pandas names has a grid that holds every timestamp" in error and "--freq FREQ" in error
    else:
        assert f"--freq {hint} " in error
        assert pd.DatetimeIndex(dates).isin(pd.date_range(dates[0], dates[-1], freq=hint)).all()


def test_dates_that_fit_no_reading_are_still_refused(capsys, tmp_path):
    path = _daily_csv(tmp_path / "dates.csv", ["01/01/2024", "13/01/2024", "13/13/2024"] + ["14/01/2024"] * 9)
    status, _, err = run(capsys, "backtest", "--data", path, "--horizon", "1", "--folds", "1", "--models", "naive",
                         "--report", tmp_path / "out" / "r.md", "-q")
    assert status == 1
    assert "holds 11 value(s) that are not timestamps, the first '13/01/2024' in data row 2" in one_line_error(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("freq", [[], ["--freq", "D"]])  # before: --freq D gave pandas' 'cannot reindex'
def test_duplicated_timestamps_are_named_without_a_note_about_integer_time(capsys, tmp_path, freq):
    days = list(pd.date_range("2024-01-01", periods=30, freq="D").strftime("%Y-%m-%d"))
    days[5] = days[4]
    path = _daily_csv(tmp_path / "dup.csv", days, ids=["a"] * 30)
    status, _, err = run(capsys, "backtest", "--data", path, "--horizon", "7", "--folds", "2", "--models", "naive",
                         *freq, "--report", tmp_path / "out" / "r.md")
    assert status == 1
    assert "data['a'] has duplicated timestamps: [2024-01-05 00:00:00]" in err.splitlines()[-1]
    assert "integer time" not in err and "season length 1" not in err
    assert not (tmp_path / "out").exists()


def _sales(n: int = 42) -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=n, freq="D")
    return pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "sales": np.round(50 + np.sin(np.arange(n)), 2)})


@pytest.mark.parametrize(("sep", "decimal", "note"), [
    (";", ",", "fields separated by ';', decimal commas"),  # a spreadsheet where the decimal mark is a comma
    (";", ".", "fields separated by ';' (read"),
    ("\t", ".", "fields separated by '\\t' (read"),
])
def test_a_csv_with_another_delimiter_is_read_as_its_header_says(capsys, tmp_path, sep, decimal, note):
    path = tmp_path / "sales.csv"
    _sales().to_csv(path, sep=sep, decimal=decimal, index=False)
    comma = tmp_path / "comma.csv"
    _sales().to_csv(comma, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "7", "--folds", "2",
                           "--models", "naive,snaive", "--report", tmp_path / "r.md")
    assert status == 0, err
    assert note in err
    status, reference, _ = run(capsys, "backtest", "--data", comma, "--horizon", "7", "--folds", "2",
                               "--models", "naive,snaive", "--report", tmp_path / "c.md")
    # the same figures as the same data written with commas (the lines before the report's paths)
    assert status == 0 and out.split("wrote")[0] == reference.split("wrote")[0] and "naive" in out


def _german(number: float, decimals: int) -> str:
    """``number`` as a German spreadsheet writes it: dots between thousands, a decimal comma."""
    return f"{number:,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")


def test_thousands_written_with_dots_beside_decimal_commas_are_read_as_thousands(capsys, tmp_path):
    sales = _sales().assign(sales=lambda d: 990.0 + 10 * np.arange(len(d)) + (np.arange(len(d)) % 7 == 0) * 25,
                            price=lambda d: np.round(2.9 + 0.01 * np.arange(len(d)), 2))
    german = sales.assign(sales=sales["sales"].map(lambda v: _german(v, 0)),
                          price=sales["price"].map(lambda v: _german(v, 2)))
    assert german["sales"].iloc[1] == "1.000"
    path = tmp_path / "sales.csv"
    german.to_csv(path, sep=";", index=False)
    comma = tmp_path / "comma.csv"
    sales.to_csv(comma, index=False)
    args = ["backtest", "--target", "sales", "--horizon", "7", "--folds", "2", "--models", "naive,snaive"]
    status, out, err = run(capsys, *args, "--data", path, "--report", tmp_path / "r.md")
    assert status == 0, err  # before: 1.000 was read as 1.0, the series falling from 990 to 1
    assert "decimal commas and dots between thousands in 'sales' (read" in err
    status, reference, _ = run(capsys, *args, "--data", comma, "--report", tmp_path / "c.md")
    assert status == 0 and out.split("wrote")[0] == reference.split("wrote")[0] and "naive" in out


@pytest.mark.parametrize("first, said", [
    (990.0, "'1.000' beside '990' is 1 with a decimal point, or 1000"),
    # every value as 1.013, 1.250, ...: it was read as decimals, 1000x too small if thousands, without a word
    (1013.0, "'1.013', like every value of it, is 1.013 with a decimal point, or 1013"),
])
def test_thousands_with_dots_and_no_decimal_comma_are_refused_as_ambiguous(capsys, tmp_path, first, said):
    # dots between three digits in a ';' file with no decimal comma: 1.0 or one thousand, no reading is safe
    rows = "".join(f"{day};{_german(first + 10 * i, 0)}\n" for i, day in enumerate(_sales()["date"]))
    path = _write(tmp_path / "sales.csv", "date;sales\n" + rows)
    status, _, err = run(capsys, "backtest", "--data", path, "--horizon", "7", "--folds", "2", "--models", "naive",
                         "--report", tmp_path / "out" / "r.md", "-q")
    assert status == 1
    assert f"column 'sales' reads two ways: {said} with a dot between thousands" in one_line_error(err)
    assert not (tmp_path / "out").exists()


def test_decimals_written_with_a_dot_in_a_semicolon_file_are_read_as_before(capsys, tmp_path):
    plain = _write(tmp_path / "plain.csv", "date;sales\n" + "".join(
        f"{day};{1.5 + i / 8}\n" for i, day in enumerate(_sales()["date"])))
    status, _, err = run(capsys, "backtest", "--data", plain, "--horizon", "7", "--folds", "2", "--models", "naive",
                         "--report", tmp_path / "p.md")
    assert status == 0, err


def test_rows_with_more_fields_than_the_header_are_refused(capsys, tmp_path):
    # decimal commas in a comma-separated file: pandas would take each date as the index and
    # forecast the digits after the comma
    path = _write(tmp_path / "sales.csv", "date,sales\n2024-01-01,50,13\n2024-01-02,49,99\n2024-01-03,48,01\n")
    status, _, err = run(capsys, "backtest", "--data", path, "--horizon", "1", "--folds", "1", "--models", "naive",
                         "--report", tmp_path / "out" / "r.md", "-q")
    assert status == 1
    assert "has rows with more fields than its header has names (['date', 'sales']), from data row 1 " \
           "(starting '2024-01-01')" in one_line_error(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("column", ["timestamp", "ts"])  # a usual name, or a column found by its dates
def test_timestamps_across_a_daylight_saving_change_are_read_in_utc(capsys, tmp_path, column):
    local = pd.date_range("2024-03-25", periods=24 * 14, freq="h", tz="Europe/Berlin")  # +01:00, then +02:00
    load = 10 + np.sin(2 * np.pi * np.arange(local.size) / 24) + np.random.default_rng(0).normal(0, 0.1, local.size)
    path = tmp_path / "load.csv"
    pd.DataFrame({column: local.strftime("%Y-%m-%dT%H:%M:%S%z"), "load": load}).to_csv(path, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "24", "--folds", "2",
                           "--models", "naive,snaive", "--report", tmp_path / "r.md")
    assert status == 0, err
    assert "timestamps with different UTC offsets (daylight saving time) converted to UTC" in err
    assert "season length 24 (from frequency h)" in out  # in UTC the hours are regular


@pytest.mark.parametrize("freq", ["D", "MS"])
def test_local_midnights_across_a_daylight_saving_change_are_read_as_local_dates(capsys, tmp_path, freq):
    # midnight in Berlin is 23:00 UTC in winter and 22:00 in summer: in UTC the days are irregular
    local = pd.date_range("2023-11-01" if freq == "MS" else "2024-03-01", periods=60 if freq == "D" else 30,
                          freq=freq, tz="Europe/Berlin")
    path = tmp_path / "sales.csv"
    sales = 10 + np.sin(2 * np.pi * np.arange(local.size) / 7)
    pd.DataFrame({"date": local.map(lambda t: t.isoformat()), "sales": sales}).to_csv(path, index=False)
    status, out, err = run(capsys, "fit", "--data", path, "--model", "snaive", "--horizon", "3",
                           "--out", tmp_path / "m.tsf")
    assert status == 0, err  # before: "no regular step (steps 1 day, 23 h ...)"; and --freq D dropped half the rows
    assert "read as the local times they show" in err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    assert status == 0, err
    forecast = pd.read_csv(io.StringIO(out), parse_dates=["date"])
    following = pd.date_range(local[-1].tz_localize(None), periods=4, freq=freq)[1:]
    assert list(forecast["date"]) == list(following)  # the local calendar goes on


def test_a_delimiter_at_the_end_of_each_line_leaves_no_column(capsys, tmp_path):
    rows = "".join(f"{day},{value},\n" for day, value in zip(_sales()["date"], _sales()["sales"]))
    path = _write(tmp_path / "sales.csv", "date,sales,\n" + rows)
    status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "7", "--folds", "2", "--models", "naive",
                           "--report", tmp_path / "r.md")
    assert status == 0, err  # before: two numeric columns, 'sales' and an empty 'Unnamed: 2', and no target
    assert "dropped 1 empty column(s) without a name" in err


def test_numbers_written_as_text_are_named_with_a_value(capsys, tmp_path):
    # a word before the number: not read as one (thousands separators, currency signs and codes and
    # units after it are, with a note)
    rows = "".join(f'{day},"ca. {1000 + value:,.1f}"\n' for day, value in zip(_sales()["date"], _sales()["sales"]))
    path = _write(tmp_path / "sales.csv", "date,sales\n" + rows)
    args = ["backtest", "--data", path, "--horizon", "1", "--folds", "1", "--models", "naive", "-q"]
    status, _, err = run(capsys, *args)
    assert status == 1
    assert "has no numeric column besides the time and id columns: 'sales' holds text such as 'ca. 1,050.0' " \
           "(numbers written with thousands separators" in one_line_error(err)
    status, _, err = run(capsys, *args, "--target", "sales")
    assert status == 1 and "for example 'sales' holds 'ca. 1,050.0'" in one_line_error(err)


def test_iso_timestamps_without_the_time_at_midnight_are_read(capsys, tmp_path):
    hours = pd.date_range("2024-01-01", periods=24 * 10, freq="h")
    stamps = [t.strftime("%Y-%m-%d") if t.hour == 0 else t.strftime("%Y-%m-%d %H:%M") for t in hours]
    load = 10 + np.sin(2 * np.pi * np.arange(hours.size) / 24) + np.random.default_rng(0).normal(0, 0.1, hours.size)
    path = tmp_path / "load.csv"
    pd.DataFrame({"timestamp": stamps, "load": load}).to_csv(path, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "24", "--folds", "2",
                           "--models", "naive,snaive", "--report", tmp_path / "r.md")
    # before: '2024-01-01 01:00' was 'not a timestamp' (one format, inferred from the first value)
    assert status == 0, err
    assert "season length 24 (from frequency h)" in out


def test_quarters_written_as_2000Q1_are_read_without_a_pandas_warning(capsys, tmp_path):
    quarters = [str(q) for q in pd.period_range("2000Q1", periods=40, freq="Q")]
    path = tmp_path / "gdp.csv"
    pd.DataFrame({"quarter": quarters, "gdp": np.arange(40.0) + np.tile([0.0, 2.0, 1.0, 3.0], 10)}).to_csv(path, index=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "4", "--folds", "2",
                               "--models", "naive,snaive", "--report", tmp_path / "r.md")
    assert status == 0, err
    assert "season length 4 (from frequency QS-JAN)" in out
    assert not [w for w in caught if "infer format" in str(w.message)]  # the CLI prints warnings to users


@pytest.mark.parametrize(("name", "encoding", "sep", "note"), [
    ("sales.csv", "cp1252", ";", "not UTF-8 (byte 0xfc at "),  # a Western European spreadsheet's CSV
    ("sales.txt", "utf-16", "\t", "fields separated by '\\t'"),  # a spreadsheet's "Unicode text"
])
def test_spreadsheet_encodings_are_read(capsys, tmp_path, name, encoding, sep, note):
    frame = _sales().assign(store="Zürich")
    path = tmp_path / name
    frame.to_csv(path, sep=sep, index=False, encoding=encoding)
    status, out, err = run(capsys, "backtest", "--data", path, "--target", "sales", "--horizon", "7", "--folds", "2",
                           "--models", "naive", "--report", tmp_path / "r.md")
    assert status == 0, err  # before: "'utf-8' codec can't decode byte ..."
    assert note in err
    comma = tmp_path / "comma.csv"
    frame.to_csv(comma, index=False)
    status, reference, _ = run(capsys, "backtest", "--data", comma, "--target", "sales", "--horizon", "7",
                               "--folds", "2", "--models", "naive", "--report", tmp_path / "c.md")
    assert out.split("wrote")[0] == reference.split("wrote")[0]


def test_a_missing_day_is_refused_with_the_options_that_repair_it(capsys, tmp_path):
    sales = _sales(60).drop(index=[20, 21])  # 2024-01-21 and -22 missing
    path = tmp_path / "sales.csv"
    sales.to_csv(path, index=False)
    args = ["backtest", "--data", path, "--horizon", "7", "--folds", "2", "--models", "naive"]
    status, _, err = run(capsys, *args, "--report", tmp_path / "out" / "r.md", "-q")
    assert status == 1
    assert ("the timestamps have no regular step (steps seen: 1 days 00:00:00, 3 days 00:00:00; the first irregular "
            "one after 2024-01-20 00:00:00); pass --freq D to put them on a regular grid, with --fill ffill") \
        in one_line_error(err)
    assert not (tmp_path / "out").exists()
    status, out, err = run(capsys, *args, "--freq", "D", "--fill", "ffill", "--report", tmp_path / "r.md")
    assert status == 0, err  # what the error said to do works


@pytest.mark.parametrize("gap_in", ["a", "b"])
def test_a_missing_day_in_any_series_of_a_panel_is_refused_naming_it(capsys, tmp_path, gap_in):
    days = list(pd.date_range("2024-01-01", periods=40, freq="D").strftime("%Y-%m-%d"))
    ids = ["a"] * 40 + ["b"] * 40
    path = _daily_csv(tmp_path / "panel.csv", days + days, ids=ids)
    table = pd.read_csv(path)
    table.drop(index=table.index[(table["unique_id"] == gap_in) & (table["ds"] == "2024-01-21")]).to_csv(path,
                                                                                                      index=False)
    args = ["backtest", "--data", path, "--horizon", "7", "--folds", "2", "--models", "naive", "-q"]
    status, _, err = run(capsys, *args)
    assert status == 1
    error = err.splitlines()[-1]
    assert f"series {gap_in!r}: the timestamps have no regular step" in error, err
    assert "the first irregular one after 2024-01-20" in error and "--freq D" in error
    assert "asfreq" not in error and "fill=" not in error
    status, _, err = run(capsys, *args, "--freq", "D", "--fill", "ffill")
    assert status == 0, err


def test_a_reference_that_failed_everywhere_falls_back_and_every_output_is_written(capsys, tmp_path):
    path = tmp_path / "sales.csv"
    _sales(60).to_csv(path, index=False)
    # ridge's windows of 80 steps never fit in 60 rows: it fails in every fold
    status, out, err = run(capsys, "backtest", "--data", path, "--target", "sales", "--horizon", "7", "--folds", "2",
                           "--models", "naive,snaive,ridge", "--lookback", "80", "--reference", "ridge", "-q",
                           "--out", tmp_path / "res.zip", "--per-series", tmp_path / "ps.csv",
                           "--report", tmp_path / "r.html")
    assert status == 0, err
    assert "--reference 'ridge' failed in every fold" in err and "against 'snaive' instead" in err
    assert "skill relative to snaive" in out
    assert BacktestResult.load(tmp_path / "res.zip").errors["model"].astype(str).eq("ridge").all()
    assert (tmp_path / "r.html").exists() and (tmp_path / "r.md").exists()
    table = pd.read_csv(tmp_path / "ps.csv")
    assert table.loc[table["model"] == "snaive", "skill"].eq(0).all()


@pytest.mark.parametrize("option, name", [("--out", "x_files"), ("--per-series", "x_files"),
                                          ("--per-series", "x_files/ps.csv"), ("--data", "x_files/sales.csv")])
def test_a_file_in_the_reports_figures_folder_is_refused_up_front(capsys, tmp_path, option, name):
    data = tmp_path / ("x_files/sales.csv" if option == "--data" else "sales.csv")
    data.parent.mkdir(exist_ok=True)
    _sales(60).to_csv(data, index=False)
    outputs = {} if option == "--data" else {option: tmp_path / name}
    args = [arg for pair in outputs.items() for arg in map(str, pair)]
    status, out, err = run(capsys, "backtest", "--data", data, "--target", "sales", "--horizon", "7", "--folds", "2",
                           "--models", "naive", "-q", "--report", tmp_path / "x.html", *args)
    assert status == 2, err
    assert option in one_line_error(err) and "figures folder" in err and "x_files" in err
    assert not out and not (tmp_path / "x.html").exists()
    assert data.exists()


@pytest.mark.parametrize("option, value", [("--freq", "W-SUN"), ("--time-column", "when"), ("--id-column", "id")])
def test_options_of_data_files_are_refused_with_a_dataset(capsys, option, value):
    status, out, err = run(capsys, "backtest", "--dataset", "co2", "--horizon", "3", "--folds", "1",
                           "--models", "naive", "-q", option, value)
    assert status == 2 and not out
    assert f"{option} applies to --data files only" in one_line_error(err)


@pytest.mark.parametrize("option, name, fix", [("--out", "res.csv", "res.zip"), ("--out", "res.json", "res.zip"),
                                               ("--out", "res.csv.gz", "res.zip"), ("--out", "res.gz", "res.zip"),
                                               ("--per-series", "ps.parquet", "ps.csv"),
                                               ("--per-series", "ps.parquet.gz", "ps.csv")])
def test_an_output_named_for_another_format_is_refused(capsys, tmp_path, load_csv, option, name, fix):
    status, out, err = run(capsys, "backtest", "--data", load_csv, "--target", "load", "--horizon", "6", "--folds",
                           "2", "--models", "naive", "-q", option, tmp_path / name)
    assert status == 2 and not out
    assert f"Invalid value for {option}" in err and f"({fix})" in one_line_error(err)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("suffix", [".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zip"])
def test_tables_named_compressed_are_written_compressed_and_read_back(capsys, tmp_path, load_csv, suffix):
    """`predict --out f.csv.gz` and `--per-series ps.csv.gz` wrote plain CSV text under a
    name that promised gzip: now packed as named, and `--data` reads the forecast back."""
    model = tmp_path / "theta.tsf"
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "theta", "-H", "3",
                         "--out", model)
    assert status == 0, err
    status, plain, err = run(capsys, "predict", "--model-file", model)
    assert status == 0, err
    status, _, err = run(capsys, "predict", "--model-file", model, "--out", tmp_path / f"f{suffix}")
    assert status == 0, err
    packed = (tmp_path / f"f{suffix}").read_bytes()
    assert not packed.startswith(plain[:10].encode())  # not CSV text
    assert pd.read_csv(tmp_path / f"f{suffix}").equals(pd.read_csv(io.StringIO(plain)))
    status, _, err = run(capsys, "backtest", "--data", load_csv, "--target", "load", "--horizon", "6", "--folds",
                         "2", "--models", "naive", "-q", "--per-series", tmp_path / f"ps{suffix}")
    assert status == 0, err
    assert list(pd.read_csv(tmp_path / f"ps{suffix}")["model"]) == ["naive"]


@pytest.mark.parametrize("name, fix", [("f.parquet", "f.csv"), ("f.json.gz", "f.csv"), ("f.xlsx.gz", "f.csv")])
def test_a_forecast_named_for_another_format_is_refused(capsys, tmp_path, load_csv, name, fix):
    """`predict --out f.parquet` wrote CSV text under the name of a Parquet file."""
    model = tmp_path / "theta.tsf"
    status, _, err = run(capsys, "fit", "--data", load_csv, "--target", "load", "--model", "theta", "-H", "3",
                         "--out", model)
    assert status == 0, err
    status, out, err = run(capsys, "predict", "--model-file", model, "--out", tmp_path / name)
    assert status == 2 and not out
    assert "Invalid value for --out" in err and f"({fix})" in one_line_error(err)
    assert not (tmp_path / name).exists()


def test_no_arguments_prints_the_help(capsys):
    """A first `tsforecast`: the help as --help lays it out, not squeezed into an error line."""
    status, out, err = run(capsys)
    assert status == 0 and err == ""
    assert out.startswith("Usage: tsforecast [OPTIONS] COMMAND") and "\nCommands:\n" in out


def test_series_ids_are_read_as_written(capsys, tmp_path):
    """Ids that look like numbers stay text: '02134' came back as 2134.0, and '001', '01'
    and '1' were merged into one series (an error about duplicated timestamps)."""
    ids = ["02134", "001", "01", "1", "1e3"]
    days = pd.date_range("2024-01-01", periods=20, freq="D")
    rows = [f"{uid},{day.date()},{i % 5 + k}" for k, uid in enumerate(ids) for i, day in enumerate(days)]
    path = _write(tmp_path / "ids.csv", "unique_id,ds,y\n" + "\n".join(rows) + "\n")
    status, _, err = run(capsys, "backtest", "--data", path, "--models", "naive", "--horizon", "2", "--folds", "2",
                         "--per-series", tmp_path / "series.csv", "-q")
    assert status == 0, err
    written = pd.read_csv(tmp_path / "series.csv", dtype={"unique_id": str})
    assert sorted(written["unique_id"]) == sorted(ids)


def test_spaces_around_column_names_are_dropped(capsys, tmp_path, load_csv):
    spaced = tmp_path / "spaced.csv"
    text = load_csv.read_text().splitlines()
    spaced.write_text(", ".join(f" {name} " for name in text[0].split(",")) + "\n" + "\n".join(text[1:]) + "\n")
    args = ["--target", "load", "--covariates", "temp", "--horizon", "6", "--folds", "2", "--models", "naive", "-q"]
    status, out, err = run(capsys, "backtest", "--data", spaced, *args)
    assert status == 0 and "spaces around column names dropped" in err
    assert out == run(capsys, "backtest", "--data", load_csv, *args)[1]


@pytest.mark.parametrize("option", ["--out", "--report", "--per-series"])
def test_an_output_written_as_a_folder_is_refused(capsys, tmp_path, load_csv, option):
    """click's Path dropped the trailing separator: '--out res/' wrote a file named 'res'."""
    folder = f"{tmp_path / 'res'}/"
    status, _, err = run(capsys, "backtest", "--data", load_csv, "--target", "load", "--horizon", "6", "--folds", "2",
                         "--models", "naive", "-q", option, folder)
    assert status == 2 and f"Invalid value for '{option}': must name a file; got {folder!r}, a folder" in err
    assert not (tmp_path / "res").exists()


@pytest.mark.parametrize("case", ["out is data", "per-series is data", "two outputs", "twin is a folder",
                                  "figures folder is a file", "fit over data", "predict over model",
                                  "fit over key", "predict over key"])
def test_outputs_never_overwrite_inputs_or_each_other(capsys, tmp_path, load_csv, case):
    """Checked before any work: --out equal to --data turned the data file into a zip, and a
    folder named like the report's Markdown twin failed only after the whole backtest."""
    data = tmp_path / "data.csv"
    data.write_bytes(load_csv.read_bytes())
    before = data.read_bytes()
    common = ["--data", data, "--target", "load", "--horizon", "6"]
    backtest = ["backtest", *common, "--folds", "2", "--models", "naive", "-q"]
    (tmp_path / "r.md").mkdir()
    (tmp_path / "q_files").write_text("not a folder")
    key = tmp_path / "key.txt"
    key.write_text(CLI_KEY + "\n")
    args, option, fragment = {
        "out is data": (backtest + ["--out", data], "--out", "is also --data"),
        "per-series is data": (backtest + ["--per-series", data], "--per-series", "is also --data"),
        "two outputs": (backtest + ["--out", tmp_path / "a.csv", "--per-series", tmp_path / "a.csv"],
                        "--per-series", "is also --out"),
        "twin is a folder": (backtest + ["--report", tmp_path / "r.html"], "--report's Markdown twin", "it is a folder"),
        "figures folder is a file": (backtest + ["--report", tmp_path / "q.html"], "--report", "it is a file"),
        "fit over data": (["fit", *common, "--model", "naive", "--out", data], "--out", "is also --data"),
        "predict over model": (None, "--out", "is also --model-file"),
        # the signing key became the model file (or the forecast table), and the key was lost
        "fit over key": (["fit", *common, "--model", "naive", "--key-file", key, "--out", key], "--out",
                         "is also --key-file"),
        "predict over key": (None, "--out", "is also --key-file"),
    }[case]
    if case == "fit over key":
        before, data = key.read_bytes(), key
    if args is None:
        model = tmp_path / "m.tsf"
        signing = ["--key-file", key] if case == "predict over key" else []
        assert run(capsys, "fit", *common, "--model", "naive", "--out", model, *signing)[0] == 0
        target = key if signing else model
        before, data, args = (target.read_bytes(), target,
                              ["predict", "--model-file", model, *signing, "--out", target])
    status, _, err = run(capsys, *args)
    if fragment.startswith("is also"):  # a usage error
        assert status == 2 and f"Invalid value for {option}" in err
    else:  # a file in the way: FileWriteError, as every writer says it
        assert status == 1 and one_line_error(err).startswith(f"Error: {option}: cannot write")
    assert fragment in one_line_error(err)
    assert data.read_bytes() == before
    written = ["m.tsf"] if case in ("predict over model", "predict over key") else []
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([load_csv.name, "data.csv", "r.md", "q_files",
                                                                 "key.txt", *written])


def test_a_model_that_failed_is_named_with_its_error(capsys, tmp_path):
    """theta's conformal intervals need more calibration windows than 100 days give: it
    dropped out of the table with only '3 task(s) failed; see result.errors' (an API)."""
    days = pd.date_range("2024-01-01", periods=100, freq="D")
    path = tmp_path / "days.csv"
    pd.DataFrame({"date": days.date, "y": np.arange(100.0) % 7}).to_csv(path, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "7", "--folds", "3",
                           "--models", "naive,theta", "--levels", "80,95", "-q")
    assert status == 0 and "theta" not in out
    assert ("warning: theta failed in 3 of 3 fold(s): InsufficientDataError: a 95% conformal interval needs at least "
            "19 usable calibration errors") in err
    assert "--calibration-windows=20" in err and "n_windows" not in err


def test_the_readme_names_every_model_of_the_command_line():
    """The README's list of --model/--models names lacked the eight added since it was written."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    listed = readme.split("name models: `", 1)[1].split("`", 1)[0]
    assert [name.strip() for name in listed.split(",")] == model_names()


@pytest.mark.skipif(int(pd.__version__.split(".")[0]) < 3, reason="pandas < 3 still reads 'M' (deprecated)")
def test_a_frequency_pandas_renamed_is_named_with_its_new_spelling(capsys, tmp_path, load_csv):
    status, _, err = run(capsys, "backtest", "--data", load_csv, "--target", "load", "--horizon", "6", "--models",
                         "naive", "--freq", "M")
    assert status == 1 and "got 'M' (pandas now spells it 'ME')" in one_line_error(err)


def test_a_warning_repeated_at_every_fit_is_printed_once():
    """A backtest fits at every fold (and calibration window): the README's main job printed
    one Theta note 30 times. Run as a user runs it (a process of its own: pytest records
    warnings instead of printing them)."""
    command = [sys.executable, "-m", "tsforecast", "backtest", "--dataset", "seattle_weather", "--target",
               "temp_min", "--models", "theta,naive", "--horizon", "7", "--folds", "6", "-q"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if "multiplicative decomposition is impossible" in line]
    assert len(notes) == 1, done.stderr


def test_a_partial_failure_is_said_with_its_cause(capsys, tmp_path):
    """A model failing on every series of one fold was said as "the forecast holds 7 non-finite
    value(s)": the cell counted twice, its real error hidden behind the second."""
    rng = np.random.default_rng(0)
    rows = [(key, day, value) for key in ("a", "b") for day, value in
            zip(pd.date_range("2024-01-01", periods=30, freq="D").date, rng.normal(size=30).cumsum())]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["unique_id", "ds", "y"]).to_csv(path, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--horizon", "7", "--folds", "3",
                           "--models", "naive,snaive,theta", "--levels", "80", "-q")
    assert status == 0
    line = next(line for line in err.splitlines() if line.startswith("warning: theta failed"))
    assert "InsufficientDataError" in line and "non-finite" not in line


def test_freq_puts_a_long_file_on_a_grid_pandas_does_not_infer(capsys, tmp_path):
    """A long file of semi-monthly dates with a gap: --freq SMS was ignored by the CLI's own
    check, which re-inferred from the dates and told the user to pass --freq 2W-TUE (a grid
    that drops rows). Without the gap it ran only as a dict would."""
    ds = pd.date_range("2022-01-01", periods=48, freq="SMS").strftime("%Y-%m-%d")
    table = pd.concat([pd.DataFrame({"unique_id": k, "ds": ds, "y": np.arange(48.0)}) for k in "ab"],
                      ignore_index=True)
    table.to_csv(tmp_path / "regular.csv", index=False)
    table.drop(index=[5]).to_csv(tmp_path / "gap.csv", index=False)
    status, out, err = run(capsys, "backtest", "--data", tmp_path / "regular.csv", "-H", 3, "--folds", 2, "-m", "naive")
    assert status == 0, err
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "gap.csv", "-H", 3, "--folds", 2, "-m", "naive")
    assert status != 0 and "--freq SMS" in err
    status, out, err = run(capsys, "backtest", "--data", tmp_path / "gap.csv", "--freq", "SMS", "--fill", "ffill",
                           "-H", 3, "--folds", 2, "-m", "naive")
    assert status == 0, err


@pytest.mark.parametrize("given, meant", [("naiv", "naive"), ("SeasonalNaive", "snaive"), ("auto_arima", "autoarima"),
                                          ("AutoETS", "ets"), ("Holt-Winters", "ets"), ("crostonsba", "croston_sba")])
def test_a_model_name_from_elsewhere_is_answered_with_ours(capsys, given, meant):
    status, out, err = run(capsys, "backtest", "--dataset", "co2", "--models", given, "-H", "3")
    assert status != 0 and not out
    assert f"unknown model name(s) {given.lower()!r} (did you mean {meant!r}?)" in one_line_error(err)


def test_backtest_without_models_compares_the_lstm_with_the_baselines(capsys, tmp_path):
    """A first run asks whether the LSTM beats the baselines: without --models it compares
    lstm, naive, snaive, theta and ets (before: 'Missing option --models')."""
    path = tmp_path / "sales.csv"
    _sales().to_csv(path, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "-H", "3", "--folds", "1", "--epochs", "1", "-q")
    assert status == 0, err
    ranked = out.split("model", 2)[-1]
    assert all(f"\n{name} " in ranked for name in ("lstm", "naive", "snaive", "theta", "ets")), out
    status, out, _ = run(capsys, "backtest", "--help")
    assert "[default: lstm,naive,snaive,theta,ets]" in " ".join(out.split())
