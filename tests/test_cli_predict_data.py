"""``tsforecast predict --data`` for a model that cannot update: ARIMA with regressors takes
only the future covariates of the forecast steps from the file."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest

from tsforecast import AutoARIMA
from _cli_helpers import run

HORIZON = 4


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(0)
    n = 120
    x = rng.normal(size=n + HORIZON)
    u = np.zeros(n)
    for t in range(1, n):
        u[t] = 0.5 * u[t - 1] + rng.normal()
    frame = pd.DataFrame({"ds": pd.date_range("2024-01-01", periods=n + HORIZON, freq="D"),
                          "y": np.r_[3 * x[:n] + u, [np.nan] * HORIZON], "x": x})
    frame.iloc[:n].to_csv(tmp_path / "train.csv", index=False)
    frame.to_csv(tmp_path / "future.csv", index=False)
    frame.assign(y=frame["y"].fillna(1.0)).to_csv(tmp_path / "newer.csv", index=False)
    return tmp_path, frame


@pytest.mark.parametrize("name", ["autoarima", "arima"])
def test_predict_reads_the_future_covariates_of_a_model_that_cannot_update(capsys, files, name):
    folder, frame = files
    model_file = folder / f"{name}.tsf"
    status, _, err = run(capsys, "fit", "--data", folder / "train.csv", "--target", "y", "--future-covariates", "x",
                         "--model", name, "-H", HORIZON, "--out", model_file)
    assert status == 0, err
    status, out, err = run(capsys, "predict", "--model-file", model_file, "--data", folder / "future.csv")
    assert status == 0, err
    forecast = pd.read_csv(io.StringIO(out))
    assert forecast["ds"].tolist() == frame["ds"].dt.strftime("%Y-%m-%d").tail(HORIZON).tolist()
    if name == "autoarima":
        train = frame.iloc[:-HORIZON].set_index("ds")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = AutoARIMA().fit(train[["y"]], train[["x"]]).predict(HORIZON, frame.set_index("ds")[["x"]])
        np.testing.assert_allclose(forecast["y"], expected.to_numpy().ravel(), rtol=1e-9)


def test_predict_without_the_future_covariates_says_to_give_them(capsys, files):
    folder, _ = files
    run(capsys, "fit", "--data", folder / "train.csv", "--target", "y", "--future-covariates", "x", "--model",
        "autoarima", "-H", HORIZON, "--out", folder / "m.tsf")
    status, _, err = run(capsys, "predict", "--model-file", folder / "m.tsf")
    assert status != 0 and "--data is needed" in err and "['x']" in err


@pytest.mark.parametrize("name", ["arima", "ridge"])
def test_too_few_future_rows_are_said_of_data_and_horizon(capsys, files, name):
    """'X lacks 2 of the 4 forecast timestamps' named an argument the command line has not."""
    folder, frame = files
    run(capsys, "fit", "--data", folder / "train.csv", "--target", "y", "--future-covariates", "x", "--model",
        name, "-H", HORIZON, "--out", folder / "m.tsf")
    frame.iloc[:-2].to_csv(folder / "short.csv", index=False)  # the covariates of 2 of the 4 steps
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "short.csv")
    assert status == 1 and out == ""
    error = err.strip().splitlines()[-1]
    assert "--data" in error and "['x']" in error and "2 of the 4" in error and "-H" in error, err
    assert "X lacks" not in error
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "short.csv",
                           "-H", HORIZON - 2)
    assert status == 0 and len(pd.read_csv(io.StringIO(out))) == HORIZON - 2, err


def test_a_model_fitted_with_levels_reads_its_future_covariates_from_data(capsys, files):
    """A ridge with future covariates fitted with --levels (ConformalIntervals): predict said
    'X must give the future covariates' without --data, and with it 'cannot forecast from new
    data without refitting; fit it on that data with tsforecast fit' (the file was that fit)."""
    folder, frame = files
    fit = ["fit", "--data", folder / "train.csv", "--target", "y", "--future-covariates", "x", "--model", "ridge",
           "-H", HORIZON, "--lookback", "14"]
    assert run(capsys, *fit, "--out", folder / "plain.tsf")[0] == 0
    status, _, err = run(capsys, *fit, "--levels", "80", "--calibration-windows", "5", "--out", folder / "m.tsf")
    assert status == 0, err
    status, _, err = run(capsys, "predict", "--model-file", folder / "m.tsf")
    assert status == 2 and "--data is needed" in err and "['x']" in err
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "future.csv",
                           "--levels", "80")
    assert status == 0, err
    forecast = pd.read_csv(io.StringIO(out))
    _, plain, _ = run(capsys, "predict", "--model-file", folder / "plain.tsf", "--data", folder / "future.csv")
    expected = pd.read_csv(io.StringIO(plain))  # the point forecasts are the wrapped ridge's own
    assert forecast["ds"].tolist() == expected["ds"].tolist() == frame["ds"].dt.strftime("%Y-%m-%d").tail(
        HORIZON).tolist()
    np.testing.assert_allclose(forecast["y"], expected["y"])
    assert (forecast["lo_80"] < forecast["y"]).all() and (forecast["y"] < forecast["hi_80"]).all()


def test_levels_for_a_model_with_future_covariates_says_to_fit_with_levels(capsys, files):
    """A ridge with future covariates fitted without --levels cannot calibrate at predict: the
    library's remedy was Python ('wrap it instead: ConformalIntervals(WindowForecaster(...))')."""
    folder, _ = files
    status, _, err = run(capsys, "fit", "--data", folder / "train.csv", "--target", "y", "--future-covariates", "x",
                         "--model", "ridge", "-H", HORIZON, "--lookback", "14", "--out", folder / "m.tsf")
    assert status == 0, err
    for data in (["--data", folder / "future.csv"], []):
        status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", *data, "--levels", "80")
        error = err.strip().splitlines()[-1]
        assert status == 2 and out == "" and "`tsforecast fit --future-covariates x" in error and "--levels 80" in error
        assert "ConformalIntervals" not in error and "give --data" not in error, err


def test_predict_refuses_new_target_values_a_model_would_ignore(capsys, files):
    folder, _ = files
    run(capsys, "fit", "--data", folder / "train.csv", "--target", "y", "--future-covariates", "x", "--model",
        "autoarima", "-H", HORIZON, "--out", folder / "m.tsf")
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "newer.csv")
    assert status != 0 and out == ""
    assert "at or after the first forecast step 2024-04-30" in err and "cannot take new values without refitting" in err


# -- a model that can update (ridge): the file's rows up to each series' last value ---------------------------


@pytest.fixture
def ridge_panel(tmp_path):
    """A ridge fitted on two daily series ``a`` and ``b`` (target ``sales``), and their table."""
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    frame = pd.concat([pd.DataFrame({"unique_id": key, "ds": days,
                                     "sales": 50 + shift + np.sin(np.arange(60) * 2 * np.pi / 7)})
                       for key, shift in (("a", 0), ("b", 5))], ignore_index=True)
    frame.to_csv(tmp_path / "train.csv", index=False)
    return tmp_path, frame


def _fit_ridge(capsys, folder, *extra) -> None:
    status, _, err = run(capsys, "fit", "--data", folder / "train.csv", "--model", "ridge", "-H", HORIZON,
                         "--lookback", "14", "--out", folder / "m.tsf", *extra)
    assert status == 0, err


def test_a_missing_value_inside_the_data_is_named_not_read_as_a_gap(capsys, ridge_panel):
    folder, frame = ridge_panel
    _fit_ridge(capsys, folder)
    frame.loc[(frame["unique_id"] == "b") & (frame["ds"] == "2024-02-20"), "sales"] = np.nan
    frame.to_csv(folder / "gap.csv", index=False)
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "gap.csv")
    assert status == 1 and out == ""
    error = err.strip().splitlines()[-1]
    assert "--data" in error and "series 'b'" in error and "2024-02-20" in error and "'sales'" in error, err
    assert "irregular" not in error and "asfreq" not in error and "fill=" not in error
    assert "--fill" in error and "tsforecast fit" in error  # predict has no --fill: fit has


def test_a_missing_value_inside_the_data_is_repaired_by_a_model_fitted_with_fill(capsys, ridge_panel):
    folder, frame = ridge_panel
    _fit_ridge(capsys, folder, "--fill", "ffill")
    gap = frame.copy()
    gap.loc[(gap["unique_id"] == "b") & (gap["ds"] == "2024-02-20"), "sales"] = np.nan
    gap.to_csv(folder / "gap.csv", index=False)
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "gap.csv")
    assert status == 0, err
    forecast = pd.read_csv(io.StringIO(out), parse_dates=["ds"])
    assert forecast.groupby("unique_id")["ds"].min().eq(pd.Timestamp("2024-03-01")).all()
    frame.loc[(frame["unique_id"] == "b") & (frame["ds"] == "2024-02-20"), "sales"] = \
        frame.loc[(frame["unique_id"] == "b") & (frame["ds"] == "2024-02-19"), "sales"].iloc[0]
    frame.to_csv(folder / "filled.csv", index=False)
    _, filled, _ = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "filled.csv")
    assert out == filled  # the same forecasts as the file filled forward by hand


def test_dates_missing_from_data_are_put_on_the_models_frequency_or_refused(capsys, ridge_panel):
    """A day missing from --data was refused with pandas advice ('irregular DatetimeIndex ...
    data.asfreq('D'), then fill= ...'): a model fitted with --fill repairs it as its fit did."""
    folder, frame = ridge_panel
    frame[~((frame["unique_id"] == "b") & (frame["ds"] == "2024-02-20"))].to_csv(folder / "hole.csv", index=False)
    _fit_ridge(capsys, folder)
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "hole.csv")
    error = err.strip().splitlines()[-1]
    assert status == 1 and out == ""
    assert "--data" in error and "series 'b'" in error and "2024-02-20" in error and "--fill" in error, err
    assert "irregular" not in error and "asfreq" not in error and "fill=" not in error
    _fit_ridge(capsys, folder, "--freq", "D", "--fill", "ffill")
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "hole.csv")
    assert status == 0, err
    frame.loc[(frame["unique_id"] == "b") & (frame["ds"] == "2024-02-20"), "sales"] = np.nan
    frame.to_csv(folder / "gap.csv", index=False)
    _, expected, _ = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "gap.csv")
    assert out == expected  # the missing date is the missing value --fill repairs


def test_rows_after_a_series_last_value_are_future_rows(capsys, ridge_panel):
    folder, frame = ridge_panel
    _fit_ridge(capsys, folder)
    ragged = frame[~((frame["unique_id"] == "a") & (frame["ds"] > "2024-02-25"))]
    ragged.to_csv(folder / "ragged.csv", index=False)
    frame.loc[(frame["unique_id"] == "a") & (frame["ds"] > "2024-02-25"), "sales"] = np.nan
    frame.to_csv(folder / "trailing.csv", index=False)
    _, expected, _ = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "ragged.csv")
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "trailing.csv")
    assert status == 0, err
    assert out == expected


def test_a_file_without_the_models_target_names_data_not_target(capsys, ridge_panel):
    folder, frame = ridge_panel
    _fit_ridge(capsys, folder)
    frame.rename(columns={"sales": "y"}).to_csv(folder / "renamed.csv", index=False)
    status, _, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "renamed.csv")
    assert status == 1
    assert "--data" in err and "lacks the column(s) 'sales' the model forecasts" in err and "--target" not in err


def test_too_short_data_is_said_of_data(capsys, ridge_panel):
    folder, frame = ridge_panel
    _fit_ridge(capsys, folder)
    frame[frame["ds"] >= "2024-02-20"].to_csv(folder / "short.csv", index=False)  # 10 rows a series
    status, _, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "short.csv")
    assert status == 1
    error = err.strip().splitlines()[-1]
    assert "--data" in error and "series 'a'" in error and "10 row(s)" in error and "at least 14" in error, err
    assert "y has" not in error


def test_too_few_calibration_errors_are_said_in_predicts_options(capsys, files):
    """A level the model file's calibration cannot give: the library's remedy, 'give more
    n_windows', named a parameter the command line has not; predict names fit's option."""
    folder, _ = files
    status, _, err = run(capsys, "fit", "--data", folder / "train.csv", "--target", "y", "--model", "ridge",
                         "-H", 2, "--levels", 80, "--calibration-windows", 10, "--out", folder / "ridge.tsf")
    assert status == 0, err
    status, _, err = run(capsys, "predict", "--model-file", folder / "ridge.tsf", "-H", 2, "--levels", 95)
    assert status != 0
    assert "--levels: a 95% interval needs at least 19 calibration errors per step" in err
    assert "calibrated with 10 per step" in err and "--calibration-windows 19" in err
    assert "n_windows" not in err
