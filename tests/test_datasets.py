"""Tests of tsforecast.datasets: shipped datasets and the M4 reader."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforecast.core.validation import check_frame
from tsforecast.datasets import M4_HORIZONS, list_datasets, load, load_m4
from tsforecast.exceptions import DataNotFoundError, InvalidParameterError, UnknownColumnError

EXPECTED_SHAPES = {"co2": (2284, 1), "seattle_weather": (1461, 4)}


def test_list_datasets_describes_every_dataset():
    table = list_datasets()
    assert set(table.index) == set(EXPECTED_SHAPES)
    for column in ("description", "frequency", "length", "columns", "target", "source", "licence"):
        assert table[column].notna().all(), column
    assert table.loc["seattle_weather", "n_variables"] >= 3
    assert table.loc["seattle_weather", "length"] >= 1000


def test_list_datasets_gives_the_season_the_models_take():
    """seattle_weather's season_length was 365 (its yearly cycle), while every model,
    metric and the CLI take 7 from its daily frequency: passed on, it chose another season."""
    from tsforecast import backtest
    from tsforecast.baselines import SeasonalNaive

    table = list_datasets()
    for name in table.index:
        result = backtest(SeasonalNaive(), load(name)[table.loc[name, "target"]], horizon=1, cv=1, progress=False)
        assert table.loc[name, "season_length"] == result.info["season_length"], name
    assert table.loc["seattle_weather", "longest_cycle"] == 365


@pytest.mark.parametrize("name", sorted(EXPECTED_SHAPES))
def test_every_dataset_loads_regular_and_complete(name):
    info = list_datasets().loc[name]
    frame = load(name)
    assert frame.shape == EXPECTED_SHAPES[name] == (info["length"], info["n_variables"])
    assert list(frame.columns) == info["columns"]
    assert info["target"] in frame.columns
    assert isinstance(frame.index, pd.DatetimeIndex)
    assert frame.index.freqstr == info["frequency"]
    assert (frame.index == pd.date_range(frame.index[0], periods=len(frame), freq=info["frequency"])).all()
    assert not frame.isna().any().any()
    assert (frame.dtypes == np.float64).all()
    # the validation layer accepts it as is
    assert check_frame(frame).shape == frame.shape


def test_datasets_have_plausible_values():
    co2 = load("co2")["co2"]
    assert 310 < co2.iloc[0] < 320 and 365 < co2.iloc[-1] < 375  # ppm rises over 1958-2001
    weather = load("seattle_weather")
    assert (weather["temp_max"] >= weather["temp_min"]).all()
    assert (weather["precipitation"] >= 0).all()


def test_load_columns_subset():
    assert list(load("seattle_weather", columns=["temp_max", "wind"]).columns) == ["temp_max", "wind"]
    with pytest.raises(UnknownColumnError, match="humidity"):
        load("seattle_weather", columns=["humidity"])


def test_load_unknown_name_lists_known():
    with pytest.raises(InvalidParameterError, match=r"'co2'.*'seattle_weather'.*got 'airline'"):
        load("airline")


# --------------------------------------------------------------------------- M4
def _lengths(panel: pd.DataFrame) -> pd.Series:
    return panel.groupby("unique_id", sort=False).size()


def test_load_m4_hourly_shapes(m4_dir):
    train, test = load_m4("Hourly", m4_dir, split="both")
    assert list(train.columns) == ["unique_id", "ds", "y"] == list(test.columns)
    train_lengths, test_lengths = _lengths(train), _lengths(test)
    assert len(train_lengths) == 414 == len(test_lengths)
    assert train_lengths.min() == 700 and train_lengths.max() == 960
    assert (test_lengths == 48).all()
    assert list(train_lengths.index[:3]) == ["H1", "H2", "H3"]  # file order kept
    assert train["ds"].dtype == np.int64 and train["y"].dtype == np.float64
    assert not train["y"].isna().any() and not test["y"].isna().any()
    # training time starts at 0, the test part continues it
    first = train[train["unique_id"] == "H1"]
    assert first["ds"].tolist() == list(range(len(first)))
    assert test[test["unique_id"] == "H1"]["ds"].tolist() == list(range(len(first), len(first) + 48))


def test_load_m4_values_match_file(m4_dir):
    train = load_m4("hourly", m4_dir)  # case-insensitive, split="train" by default
    assert train["y"].iloc[:2].tolist() == [605.0, 586.0]  # H1 starts "605","586"
    test = load_m4("Weekly", m4_dir, split="test")
    assert test["y"].iloc[:2].tolist() == [35397.16, 35808.59]  # W1 of Weekly-test.csv
    assert (_lengths(test) == M4_HORIZONS["Weekly"]).all() and _lengths(test).size == 359
    assert _lengths(load_m4("Weekly", m4_dir)).agg(["min", "max"]).tolist() == [80, 2597]


def test_load_m4_default_path_from_env(m4_dir, monkeypatch):
    monkeypatch.setenv("TSFORECAST_M4_DIR", str(m4_dir))
    assert _lengths(load_m4("Hourly")).size == 414


def test_load_m4_errors(m4_dir, tmp_path):
    with pytest.raises(InvalidParameterError, match=r"subset.*'Hourly'.*got 'Minutely'"):
        load_m4("Minutely", m4_dir)
    with pytest.raises(InvalidParameterError, match="split"):
        load_m4("Hourly", m4_dir, split="validation")
    with pytest.raises(DataNotFoundError, match="nowhere"):
        load_m4("Hourly", tmp_path / "nowhere")
    with pytest.raises(DataNotFoundError, match="Daily-train.csv"):
        load_m4("Daily", tmp_path)
    assert issubclass(DataNotFoundError, FileNotFoundError)


def test_docstring_examples_run():
    import doctest

    import tsforecast.datasets as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.parametrize(("content", "words"), [
    ('"V1","V2","V3"\n"H1",1.0,2.0\n"H1",3.0,4.0\n', "names series 'H1' twice"),
    ('"V1","V2","V3"\n,1.0,2.0\n"H2",3.0,4.0\n', "a row without a series id"),
    ('"V1","V2","V3"\n"H1",1.0,inf\n', "series 'H1' holds an infinite value"),
    ('"V1","V2","V3"\n"H1",1.0,abc\n', "is not an M4 CSV"),
    ("", "is not an M4 CSV"),
    ('"V1","V2","V3"\n', "is not an M4 CSV"),
    ('"V1","V2"\n"H1",1.0,2.0,3.0,4.0\n', "is not an M4 CSV"),
])
def test_a_damaged_m4_file_is_refused_naming_it(tmp_path, content, words):
    from tsforecast.exceptions import InvalidInputError

    (tmp_path / "Hourly-train.csv").write_text(content)
    with pytest.raises(InvalidInputError, match=words) as error:
        load_m4("Hourly", tmp_path, split="train")
    assert "Hourly-train.csv" in str(error.value)


@pytest.mark.parametrize("columns", [[], ["wind", "wind"]])
def test_load_refuses_no_columns_or_a_column_twice(columns):
    with pytest.raises(InvalidParameterError, match="each once"):
        load("seattle_weather", columns=columns)
