"""``tsforecast predict --data`` for a model that cannot update: ARIMA with regressors takes
only the future covariates of the forecast steps from the file."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pandas as pd
import pytest

from tsforecast import AutoARIMA
from tsforecast.cli import main

HORIZON = 4


def run(capsys, *args) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as stop:
        main([str(a) for a in args])
    captured = capsys.readouterr()
    return stop.value.code, captured.out, captured.err


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


def test_predict_refuses_new_target_values_a_model_would_ignore(capsys, files):
    folder, _ = files
    run(capsys, "fit", "--data", folder / "train.csv", "--target", "y", "--future-covariates", "x", "--model",
        "autoarima", "-H", HORIZON, "--out", folder / "m.tsf")
    status, out, err = run(capsys, "predict", "--model-file", folder / "m.tsf", "--data", folder / "newer.csv")
    assert status != 0 and out == ""
    assert "at or after the first forecast step 2024-04-30" in err and "cannot take new values without refitting" in err
