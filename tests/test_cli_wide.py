"""A file with one column per series (``date, store_0, store_1, ...``): ``--target a,b,c``
forecasts each column as its own series, as the same data in the long format would be."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from _cli_helpers import one_line_error, run

STORES = ["store_0", "store_1", "store_2"]


def _wide(path, late: int = 0):
    """Daily sales of three stores side by side (store_2 opening ``late`` days after the others) and a
    temperature column; the same data in the long format beside it."""
    rng = np.random.default_rng(0)
    days = pd.date_range("2024-01-01", periods=84, freq="D")
    wide = pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                         **{s: 100 + 10 * k + 8 * np.sin(np.arange(84) * 2 * np.pi / 7) + rng.normal(0, 2, 84)
                            for k, s in enumerate(STORES)},
                         "temp": rng.normal(20, 3, 84)})
    wide.loc[:late - 1, "store_2"] = np.nan
    wide.to_csv(path, index=False)
    long = wide.melt(id_vars=["date", "temp"], value_vars=STORES, var_name="unique_id", value_name="y").dropna()
    return path, long


def test_several_targets_are_backtested_as_the_long_panel_is(capsys, tmp_path):
    path, long = _wide(tmp_path / "wide.csv", late=10)
    long.to_csv(tmp_path / "long.csv", index=False)
    scores = {}
    for name, target in (("wide", ",".join(STORES)), ("long", "y")):
        status, _, err = run(capsys, "backtest", "--data", tmp_path / f"{name}.csv", "--target", target, "--models",
                             "naive,snaive,ets", "--horizon", "7", "--folds", "3", "-q", "--per-series",
                             tmp_path / f"{name}_ps.csv")
        assert status == 0, err
        scores[name] = pd.read_csv(tmp_path / f"{name}_ps.csv").sort_values(["model", "unique_id"], ignore_index=True)
    assert sorted(set(scores["wide"]["unique_id"])) == STORES
    pd.testing.assert_frame_equal(scores["wide"], scores["long"])


def test_the_notes_say_how_the_columns_were_read(capsys, tmp_path):
    path, _ = _wide(tmp_path / "wide.csv", late=10)
    status, _, err = run(capsys, "backtest", "--data", path, "--target", ",".join(STORES), "--models", "naive",
                         "--horizon", "7", "--folds", "2")
    assert status == 0, err
    assert "--target: 3 columns, each forecast as its own series (ids 'store_0'" in err
    assert "1 series starts later than the file: their 10 empty row(s) before their first value are left out" in err


def test_a_model_fitted_on_columns_forecasts_from_a_file_of_that_layout(capsys, tmp_path):
    path, _ = _wide(tmp_path / "wide.csv", late=5)
    model = tmp_path / "ridge.tsf"
    status, _, err = run(capsys, "fit", "--data", path, "--target", ",".join(STORES), "--model", "ridge", "-H", "7",
                         "--out", model)
    assert status == 0, err
    status, plain, err = run(capsys, "predict", "--model-file", model)
    assert status == 0, err
    status, again, err = run(capsys, "predict", "--model-file", model, "--data", path)
    assert status == 0, err
    assert "the model's 3 series are columns of --data" in err
    forecast = pd.read_csv(io.StringIO(again))
    assert sorted(set(forecast["unique_id"])) == STORES and len(forecast) == 21
    pd.testing.assert_frame_equal(forecast, pd.read_csv(io.StringIO(plain)))
    # a later file (two more weeks): the forecasts start after its last date
    days = pd.date_range("2024-01-01", periods=98, freq="D")
    later = pd.DataFrame({"date": days.strftime("%Y-%m-%d"),
                          **{s: 100.0 + np.arange(98) % 7 for s in STORES}, "temp": 20.0})
    later.to_csv(tmp_path / "later.csv", index=False)
    status, out, err = run(capsys, "predict", "--model-file", model, "--data", tmp_path / "later.csv")
    assert status == 0, err
    assert pd.read_csv(io.StringIO(out))["ds"].min() == "2024-04-08"


def test_the_ambiguous_target_error_offers_several_targets(capsys, tmp_path):
    path, _ = _wide(tmp_path / "wide.csv")
    status, _, err = run(capsys, "backtest", "--data", path, "--models", "naive", "--horizon", "7")
    assert status == 1
    assert "or several, comma-separated, to forecast each as its own series (--target store_0,store_1)" in \
        one_line_error(err)


@pytest.mark.parametrize("change, options, said", [
    (None, ["--target", "store_0,store_9"], "--target names 'store_9', not a column of"),
    (None, ["--target", "store_0,store_1", "--id-column", "temp"],
     "so --id-column has nothing to say; got --id-column 'temp'"),
    (None, ["--target", "store_0,store_1", "--covariates", "store_1"], "'store_1' is one of the --target series and"),
    ("empty", ["--target", "store_0,store_2"], "wide.csv is empty: it has no value to forecast from"),
    ("text", ["--target", "store_0,store_2"], "wide.csv holds text, not numbers"),
    ("y", ["--target", "store_0,store_1"], "wide.csv already has 'y': rename it"),
])
def test_columns_that_cannot_be_series_are_refused_by_name(capsys, tmp_path, change, options, said):
    path, _ = _wide(tmp_path / "wide.csv")
    if change is not None:
        table = pd.read_csv(path)
        if change == "empty":
            table["store_2"] = np.nan
        elif change == "text":
            table["store_2"] = "closed"
        else:
            table["y"] = 1.0
        table.to_csv(path, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--models", "naive", "--horizon", "7", *options)
    assert status != 0 and not out
    assert said in one_line_error(err)
