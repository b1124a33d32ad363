"""The first ten minutes of a new user, as that user would spend them.

Each test writes its own files into a fresh temporary folder and runs the command
line in a subprocess (``python -m tsforecast.cli``, the console script's code), or the
Python API as a notebook would: the statsforecast long format with no flags, a date
column named ``day``, the season rule shared by ``backtest()`` and the CLI, error
hints built from the data, ``PeriodIndex`` and string ``ds``, one CLI dialect (a model
file keeps its horizon; ``--help`` examples that run), TensorFlow's silence, numba's
cache outside the package, and pictures of forecasts.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import tsforecast as tsf
from tsforecast import BacktestResult
from tsforecast._quiet import TF_LOG_LINE
from tsforecast.baselines import Naive, SeasonalNaive
from tsforecast.exceptions import InputTypeError, InvalidInputError, InvalidParameterError

REPO = Path(__file__).resolve().parents[1]


def _env(**extra) -> dict:
    """The user's environment: this checkout importable, no TensorFlow log setting of ours."""
    env = {k: v for k, v in os.environ.items() if k != "TF_CPP_MIN_LOG_LEVEL"}
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return {**env, **extra}


def tsforecast(*args, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    """``tsforecast ARGS`` in a subprocess, in folder ``cwd``."""
    run = subprocess.run([sys.executable, "-m", "tsforecast.cli", *map(str, args)], cwd=cwd, env=_env(),
                         capture_output=True, text=True, timeout=600)
    if check:
        assert run.returncode == 0, run.stderr
    return run


def _weekly_pattern(n: int, seed: int = 0) -> np.ndarray:
    """Daily values with a strong weekly cycle: the seasonal naive beats the naive on them."""
    rng = np.random.default_rng(seed)
    return 20 + 5 * np.sin(2 * np.pi * np.arange(n) / 7) + rng.normal(0, 0.3, n)


@pytest.fixture
def nixtla_csv(tmp_path) -> Path:
    ds = pd.date_range("2024-01-01", periods=60, freq="D")
    frame = pd.concat([pd.DataFrame({"unique_id": key, "ds": ds, "y": _weekly_pattern(60, seed)})
                       for seed, key in enumerate(["store_1", "store_2"])])
    path = tmp_path / "panel.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture
def day_csv(tmp_path) -> Path:
    ds = pd.date_range("2024-01-01", periods=70, freq="D")
    path = tmp_path / "sales.csv"
    pd.DataFrame({"day": ds.strftime("%Y-%m-%d"), "sales": _weekly_pattern(70)}).to_csv(path, index=False)
    return path


# -- reading the user's file ------------------------------------------------------------------
def test_nixtla_long_format_needs_no_flags(tmp_path, nixtla_csv):
    run = tsforecast("backtest", "--data", nixtla_csv, "--horizon", "7", "--models", "naive,snaive,ses", "-q",
                     "--out", tmp_path / "r.zip", cwd=tmp_path)
    assert "'unique_id'" in run.stderr  # it says it read the long format
    result = BacktestResult.load(tmp_path / "r.zip")
    assert sorted(result.series) == ["store_1", "store_2"]
    assert result.info["data"]["target"] == "y"
    assert result.info["season_length"] == 7 and result.info["season_length_source"] == "from frequency D"
    assert "season length 7 (from frequency D)" in run.stdout


def test_date_column_of_any_name_gives_the_season(tmp_path, day_csv):
    run = tsforecast("backtest", "--data", day_csv, "--horizon", "7", "--folds", "2", "--models", "naive,snaive",
                     "-q", "--out", tmp_path / "r.zip", cwd=tmp_path)
    assert "time column: 'day'" in run.stderr  # which column it took
    result = BacktestResult.load(tmp_path / "r.zip")
    assert result.info["data"]["target"] == "sales"  # the one numeric column, without --target
    assert result.info["data"]["freq"] == "D" and result.info["season_length"] == 7
    mase = result.summary(metric="mase")["mase_mean"]
    assert mase["snaive"] < mase["naive"]  # with season 1 both would be the same forecast


def test_integer_time_says_the_season_is_one(tmp_path):
    path = tmp_path / "steps.csv"
    pd.DataFrame({"y": _weekly_pattern(40)}).to_csv(path, index=False)
    run = tsforecast("backtest", "--data", path, "-H", "3", "--folds", "2", "-m", "naive", "-q", cwd=tmp_path)
    assert "season length 1 (default; integer time: no frequency)" in run.stderr
    assert "--season-length sets one" in run.stderr


@pytest.mark.parametrize(
    ("frame", "flag"),
    [
        (pd.DataFrame({"opened": ["2024-01-01", "2024-01-02", "2024-01-03"],
                       "closed": ["2024-02-01", "2024-02-02", "2024-02-03"], "y": [1.0, 2.0, 3.0]}), "--time-column"),
        # integer ids: ids or a count? (a text id column is found: tests/test_cli_input.py)
        (pd.DataFrame({"store": [1, 1, 2, 2], "date": ["2024-01-01", "2024-01-02"] * 2,
                       "sales": [1.0, 2.0, 3.0, 4.0]}), "--id-column"),
        (pd.DataFrame({"date": ["2024-01-01", "2024-01-02", "2024-01-03"], "a": [1.0, 2.0, 3.0],
                       "b": [1.0, 2.0, 3.0]}), "--target"),
    ],
    ids=["two date columns", "many series, no id", "two numeric columns"],
)
def test_when_it_cannot_tell_the_error_names_the_flag(tmp_path, frame, flag):
    path = tmp_path / "data.csv"
    frame.to_csv(path, index=False)
    run = tsforecast("backtest", "--data", path, "-H", "1", "--folds", "1", "-m", "naive", "-q", cwd=tmp_path,
                     check=False)
    assert run.returncode == 1
    assert run.stderr.startswith("Error: ") and flag in run.stderr and "Traceback" not in run.stderr


def test_freq_and_fill_repair_a_missing_day(tmp_path):
    ds = pd.date_range("2024-01-01", periods=40, freq="D").delete(17)
    path = tmp_path / "gap.csv"
    pd.DataFrame({"ds": ds, "y": _weekly_pattern(39)}).to_csv(path, index=False)
    refused = tsforecast("backtest", "--data", path, "-H", "3", "--folds", "2", "-m", "naive", "-q", cwd=tmp_path,
                         check=False)
    assert refused.returncode == 1 and "pass --freq D" in refused.stderr  # the data's own frequency, as a CLI option
    tsforecast("backtest", "--data", path, "-H", "3", "--folds", "2", "-m", "naive", "-q", "--freq", "D",
               "--fill", "interpolate", "--out", tmp_path / "r.zip", cwd=tmp_path)
    assert BacktestResult.load(tmp_path / "r.zip").info["data"]["freq"] == "D"


# -- one season rule ----------------------------------------------------------------------------
def test_backtest_takes_the_season_of_daily_data():
    y = pd.Series(_weekly_pattern(70), index=pd.date_range("2024-01-01", periods=70, freq="D"), name="y")
    result = tsf.backtest({"naive": Naive()}, y, horizon=7, cv=2, progress=False)
    assert result.info["season_length"] == 7 and result.info["season_length_source"] == "from frequency D"
    given = tsf.backtest({"naive": Naive()}, y, horizon=7, cv=2, season_length=3, progress=False)
    assert given.info["season_length"] == 3 and given.info["season_length_source"] == "given"
    integer = tsf.backtest({"naive": Naive()}, y.reset_index(drop=True), horizon=7, cv=2, progress=False)
    assert integer.info["season_length"] == 1 and integer.info["season_length_source"].startswith("default")
    # MASE is scaled by the weekly differences, not by day-to-day ones
    assert not np.allclose(result.summary(metric="mase")["mase_mean"], integer.summary(metric="mase")["mase_mean"])


def test_report_settings_say_where_the_season_came_from(tmp_path):
    y = pd.Series(_weekly_pattern(70), index=pd.date_range("2024-01-01", periods=70, freq="D"), name="y")
    result = tsf.backtest({"naive": Naive()}, y, horizon=7, cv=2, progress=False)
    paths = tsf.report(result, tmp_path / "r.html")
    markdown = Path(paths.markdown).read_text()
    assert "| season_length | 7 |" in markdown and "| season_length_source | from frequency D |" in markdown


# -- the data's own hints, periods and strings --------------------------------------------------
def test_hints_are_built_from_the_data():
    ds = pd.date_range("2024-01-01", periods=12, freq="D")
    long = pd.DataFrame({"unique_id": ["a"] * 6 + ["b"] * 6, "ds": list(ds[:6]) * 2, "y": np.arange(12.0)})
    with pytest.raises(InvalidInputError, match=re.escape('sort_values(["unique_id", "ds"])')):
        Naive().fit(long.iloc[::-1])
    gap = pd.Series(np.arange(11.0), index=ds.delete(4))
    with pytest.raises(InvalidInputError, match=re.escape("data.asfreq('D')")):
        Naive().fit(gap)
    weekly_gap = pd.Series(np.arange(11.0), index=pd.date_range("2024-01-07", periods=12, freq="W-SUN").delete(4))
    with pytest.raises(InvalidInputError, match=re.escape("data.asfreq('W-SUN')")):
        Naive().fit(weekly_gap)


def test_period_index_is_answered_in_periods():
    y = pd.Series(np.tile(np.arange(12.0), 3), index=pd.period_range("2021-01", periods=36, freq="M"), name="y")
    forecast = SeasonalNaive(season_length=12).fit(y).predict(3)
    assert isinstance(forecast.index, pd.PeriodIndex) and forecast.index.freqstr == "M"
    assert [str(p) for p in forecast.index] == ["2024-01", "2024-02", "2024-03"]
    np.testing.assert_array_equal(forecast.to_numpy(), [0.0, 1.0, 2.0])
    interval = SeasonalNaive(season_length=12).fit(y).predict_interval(2, levels=(80,))
    assert isinstance(interval.index, pd.PeriodIndex)
    result = tsf.backtest({"snaive": SeasonalNaive()}, y, horizon=3, cv=2, progress=False)
    assert result.info["season_length"] == 12  # months: read from the period frequency


def test_string_ds_is_parsed_and_a_bad_one_named():
    ds = pd.date_range("2024-01-01", periods=10, freq="D").strftime("%Y-%m-%d")
    long = pd.DataFrame({"unique_id": ["a"] * 10 + ["b"] * 10, "ds": list(ds) * 2, "y": np.arange(20.0)})
    forecast = Naive().fit(long).predict(2)
    assert forecast["ds"].tolist() == [pd.Timestamp("2024-01-11"), pd.Timestamp("2024-01-12")] * 2
    assert forecast["y"].tolist() == [9.0, 9.0, 19.0, 19.0]
    bad = long.copy()
    bad.loc[13, "ds"] = "next tuesday"
    with pytest.raises(InvalidInputError, match=r"\['ds'\] holds text that is not a date: 'next tuesday' in row 13") as error:
        Naive().fit(bad)
    assert "day first" not in str(error.value)  # no reading makes 'next tuesday' a date


def test_day_first_text_ds_is_refused_with_the_parse_that_reads_it():
    ds = pd.date_range("2024-01-01", periods=20, freq="D").strftime("%d/%m/%Y")
    long = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(20.0)})
    with pytest.raises(InvalidInputError, match=r"'13/01/2024' in row 12 \(8 such value\(s\)\).*"
                                                r"They all read as dates written day first: parse them with "
                                                r"pd.to_datetime\(ds, dayfirst=True\)"):
        Naive().fit(long)
    fixed = long.assign(ds=pd.to_datetime(long["ds"], dayfirst=True))
    assert Naive().fit(fixed).predict(1)["ds"].tolist() == [pd.Timestamp("2024-01-21")]


# -- one CLI dialect ----------------------------------------------------------------------------
def test_fit_then_predict_without_horizon(tmp_path, day_csv):
    # the old option names, as the issue typed them, still work
    tsforecast("fit", "--data", day_csv, "--model", "snaive", "-H", "7", "--save", tmp_path / "m.tsf", cwd=tmp_path)
    old = tsforecast("predict", "--model", tmp_path / "m.tsf", cwd=tmp_path)
    new = tsforecast("predict", "--model-file", tmp_path / "m.tsf", "--out", tmp_path / "f.csv", cwd=tmp_path)
    forecast = pd.read_csv(tmp_path / "f.csv")
    assert len(forecast) == 7 and old.stdout.count("\n") == 8  # header + the 7 steps fitted for
    assert forecast["day"].iloc[0] == "2024-03-11"  # the day after the data, in the data's own column name
    assert "--model-file" in tsforecast("predict", "--help", cwd=tmp_path).stdout
    assert new.returncode == 0


def test_help_examples_run_as_written(tmp_path):
    from tsforecast.cli import EXAMPLES

    for command in ("backtest", "fit", "predict"):
        shown = tsforecast(command, "--help", cwd=tmp_path).stdout
        for line in EXAMPLES[command]:
            assert line in " ".join(shown.split())  # the help shows it as written
            args = shlex.split(line)
            assert args[0] == "tsforecast"
            tsforecast(*args[1:], cwd=tmp_path)
    forecast = pd.read_csv(tmp_path / "forecast.csv")
    assert len(forecast) == 13 and {"lo_80", "hi_95"} <= set(forecast.columns)
    assert (tmp_path / "co2.html").exists() and (tmp_path / "co2.md").exists()


# -- caches and noise ---------------------------------------------------------------------------
def _printed_cache_folder(code: str, tmp_path) -> Path:
    """The folder ``code`` prints, run with the user's cache folder in ``tmp_path`` (no NUMBA_CACHE_DIR)."""
    env = _env(XDG_CACHE_HOME=str(tmp_path / "cache"))
    env.pop("NUMBA_CACHE_DIR", None)
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    return Path(run.stdout.strip())


def test_numba_caches_outside_the_package(tmp_path):
    code = ("import numpy as np, pandas as pd, tsforecast as tsf\n"
            "from tsforecast.baselines import SES\n"
            "y = pd.Series(np.arange(30.0) % 5, index=pd.date_range('2024', periods=30, freq='D'))\n"
            "tsf.backtest({'ses': SES()}, y, horizon=3, cv=2, progress=False)\n"
            "from tsforecast.core import kernels\n"
            "print(kernels.CACHE_DIR)\n")
    assert _printed_cache_folder(code, tmp_path) == _versioned(tmp_path / "cache" / "tsforecast" / "numba")
    cached = list((tmp_path / "cache" / "tsforecast" / "numba").rglob("*.nbi"))
    assert cached, "no kernel was cached in the user's cache folder"
    package = Path(tsf.__file__).parent
    assert all(package not in path.parents for path in cached)


def test_every_kernel_module_caches_outside_the_package(tmp_path):
    # A kernel module imported alone (not through common) still points numba at our folder:
    # the package's __init__ sets it before any of its kernels is decorated.
    code = ("import sys, numba\n"
            "import tsforecast.core.kernels.intermittent\n"
            "assert 'tsforecast.core.kernels.common' not in sys.modules, 'imported through common'\n"
            "print(numba.config.CACHE_DIR)\n")
    assert _printed_cache_folder(code, tmp_path) == _versioned(tmp_path / "cache" / "tsforecast" / "numba")


def _versioned(folder: Path) -> Path:
    """The cache subfolder of this environment's numpy and numba versions."""
    import numba
    return folder / f"numpy-{np.__version__}-numba-{numba.__version__}"


def test_environments_with_other_numpy_versions_use_other_cache_folders(tmp_path):
    # A benchmark venv pinning an older numpy imports the same source tree; sharing one cache
    # folder, a kernel compiled under one numpy crashed the other on load.
    from tsforecast.core.kernels import cache_folder
    environ = {"XDG_CACHE_HOME": str(tmp_path)}
    ours = cache_folder(environ, "2.4.6", "0.68.1")
    older = cache_folder(environ, "1.26.4", "0.68.1")
    assert ours.parent == older.parent == tmp_path / "tsforecast" / "numba"
    assert ours != older and "1.26.4" in older.name
    assert cache_folder(environ, "2.4.6", "0.61.0") != ours
    assert cache_folder({**environ, "NUMBA_CACHE_DIR": str(tmp_path / "mine")}) == tmp_path / "mine"


@pytest.mark.slow
def test_python_lstm_fit_writes_no_tensorflow_startup_lines(tmp_path):
    code = ("import logging, numpy as np, tsforecast as tsf\n"
            "logging.getLogger('mine').setLevel(logging.DEBUG)\n"
            "X = np.random.default_rng(0).random((40, 8, 1)); y = X[:, -2:, :]\n"
            "tsf.EncoderDecoderLSTM(units=4, epochs=1, random_state=0).fit(X, y).predict(X[:1])\n"
            "print(logging.getLogger('mine').level, logging.getLogger().level)\n")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=_env(), capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stderr
    noise = [line for line in run.stderr.splitlines() if TF_LOG_LINE.match(line.encode())
             or "cuda" in line.lower() or "onednn" in line.lower() or "absl" in line]
    assert not noise, run.stderr
    assert run.stdout.split() == ["10", "30"]  # the user's own loggers are as they were (DEBUG, root WARNING)


# -- the CLI's lstm takes the user's season (issue 22) -----------------------------------------
@pytest.mark.slow
def test_cli_lstm_uses_the_given_season(tmp_path):
    path = tmp_path / "steps.csv"
    pd.DataFrame({"load": _weekly_pattern(160)}).to_csv(path, index=False)  # integer time: no frequency
    run = tsforecast("fit", "--data", path, "--model", "lstm", "-H", "4", "--season-length", "7", "--epochs", "1",
                     "--units", "4", "--out", tmp_path / "lstm.tsf", cwd=tmp_path)
    assert "lstm: look-back 21 steps (3 seasons of 7, the given season)" in run.stderr
    assert "segments of 7 steps" in run.stderr
    model = tsf.load(tmp_path / "lstm.tsf")
    assert model.n_steps_in == 21
    assert model.estimator_.season_length_ in (1, 7) and model.estimator_.segment_length_ == 7


# -- pictures -----------------------------------------------------------------------------------
def test_backtest_result_plot_draws_actuals_forecasts_and_bands():
    y = pd.Series(_weekly_pattern(70), index=pd.date_range("2024-01-01", periods=70, freq="D"), name="y")
    result = tsf.backtest({"naive": Naive(), "snaive": SeasonalNaive(season_length=7)}, y, horizon=7, cv=3,
                          levels=(80, 95), progress=False)
    figure = result.plot(folds=[1, 2], level=80)
    (ax,) = figure.axes
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels.count("actual") == 1 and labels.count("naive") == 2 and labels.count("snaive") == 2
    assert len(ax.collections) == 4  # one 80% band per model and fold
    actual = ax.get_lines()[0].get_ydata()
    expected = result.forecasts_of(folds=[1, 2], models=["naive"])["y"].to_numpy()
    np.testing.assert_allclose(actual, expected)
    with pytest.raises(tsf.exceptions.InvalidParameterError, match="level must be one of"):
        result.plot(level=50)


def test_plot_forecast_draws_history_and_interval():
    from tsforecast.reporting.plotting import plot_forecast

    y = pd.Series(_weekly_pattern(40), index=pd.date_range("2024-01-01", periods=40, freq="D"), name="y")
    forecast = SeasonalNaive(season_length=7).fit(y).predict_interval(7, levels=(80,))
    figure = plot_forecast(forecast, history=y)
    (ax,) = figure.axes
    history, drawn = ax.get_lines()
    np.testing.assert_allclose(history.get_ydata(), y.to_numpy())
    np.testing.assert_allclose(drawn.get_ydata(), forecast["y"].to_numpy())
    assert len(ax.collections) == 1


def test_iso_text_ds_of_mixed_precision_is_parsed():
    hours = pd.date_range("2024-01-01", periods=30, freq="h")
    ds = [t.strftime("%Y-%m-%d") if t.hour == 0 else t.strftime("%Y-%m-%d %H:%M") for t in hours]
    long = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(30.0)})
    assert Naive().fit(long).predict(1)["ds"].tolist() == [pd.Timestamp("2024-01-02 06:00")]


def _read_as_csv_gives() -> pd.DataFrame:
    """A daily series as pd.read_csv gives it: the dates a text column beside the values."""
    days = pd.date_range("2024-01-01", periods=40, freq="D").strftime("%Y-%m-%d")
    return pd.DataFrame({"date": days, "sales": _weekly_pattern(40)})


def test_a_time_column_left_in_the_data_is_named_with_the_fix():
    frame = _read_as_csv_gives()
    fix = "'date' holds dates: make it the time index"
    with pytest.raises(InvalidParameterError, match="target must name the column") as error:
        tsf.backtest({"naive": Naive()}, frame, horizon=7, cv=2, progress=False)
    assert fix in str(error.value) and "data.set_index(pd.to_datetime(data['date']))" in str(error.value)
    with pytest.raises(InputTypeError, match="non-numeric column") as error:
        Naive().fit(frame)
    assert fix in str(error.value)
    fixed = frame.set_index(pd.to_datetime(frame["date"]))["sales"]  # what the message says to do
    assert tsf.backtest({"naive": Naive()}, fixed, horizon=7, cv=2, progress=False).info["season_length"] == 7
    with pytest.raises(InvalidParameterError) as error:  # no hint where no column holds dates
        tsf.backtest({"naive": Naive()}, frame.assign(date=1.0), horizon=7, cv=2, progress=False)
    assert "holds dates" not in str(error.value)


@pytest.mark.parametrize("dates", ["text", "timestamps"])
def test_a_time_column_left_in_the_data_is_named_when_the_target_is_given(dates):
    # before: target= kept the target alone, dropped the dates and scored on integer time (season 1)
    frame = _read_as_csv_gives().assign(other=1.0)
    if dates == "timestamps":
        frame["date"] = pd.to_datetime(frame["date"])
    with pytest.raises(InputTypeError, match="integer time") as error:
        tsf.backtest({"naive": Naive()}, frame, target="sales", horizon=7, cv=2, progress=False)
    assert "'date' holds dates: make it the time index first (data.set_index(pd.to_datetime(data['date'])))" \
        in str(error.value)
    fixed = frame.set_index(pd.to_datetime(frame["date"]))  # what the message says to do
    result = tsf.backtest({"naive": Naive()}, fixed, target="sales", horizon=7, cv=2, progress=False)
    assert result.info["season_length"] == 7
    plain = frame.drop(columns="date")  # integer time without a column of dates is integer time still
    assert tsf.backtest({"naive": Naive()}, plain, target="sales", horizon=7, cv=2, progress=False).info[
        "season_length"] == 1


def test_numbers_held_as_objects_are_not_said_to_hold_dates():
    # before: pandas reads 12.5 as 12.5 nanoseconds after 1970, and the hint said 'sales' holds dates
    y = pd.Series(_weekly_pattern(40), dtype=object, name="sales",
                  index=pd.date_range("2024-01-01", periods=40, freq="D"))
    with pytest.raises(InputTypeError, match="non-numeric column") as error:
        Naive().fit(y)
    assert "holds dates" not in str(error.value)


def test_an_index_of_local_times_across_a_daylight_saving_change_is_named_with_the_fix():
    hours = pd.date_range("2024-03-30", periods=48, freq="h", tz="Europe/Berlin")  # +01:00, then +02:00
    data = pd.Series(_weekly_pattern(48), index=pd.Index([t.isoformat() for t in hours], dtype=object))
    with pytest.raises(InputTypeError, match="different UTC offsets") as error:
        Naive().fit(data)
    # before: 'data.index = pd.to_datetime(data.index)', which fails with 'Mixed timezones detected'
    assert "(data.index = pd.to_datetime(data.index, utc=True)), then data.index.tz_convert(zone)" \
        in str(error.value)
    data.index = pd.to_datetime(data.index, utc=True)  # what the message says to do
    data.index = data.index.tz_convert("Europe/Berlin")
    assert Naive().fit(data).predict(1).index[0] == hours[-1] + pd.Timedelta(hours=1)


def test_an_index_of_date_strings_is_named_with_the_fix():
    series = _read_as_csv_gives().set_index("date")["sales"]
    with pytest.raises(InputTypeError, match=r"They read as dates: convert them first "
                                             r"\(data.index = pd.to_datetime\(data.index\)\)"):
        Naive().fit(series)
    with pytest.raises(InputTypeError) as error:
        Naive().fit(series.set_axis([f"day {i}" for i in range(40)]))
    assert "read as dates" not in str(error.value)
