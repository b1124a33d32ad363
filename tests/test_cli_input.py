"""The columns the command line reads from a ``--data`` file (``tsforecast.cli._input``):
Parquet files' indexes, the time column, and what is said about them."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from _cli_helpers import run


def _sales(n: int = 30) -> pd.DataFrame:
    days = pd.date_range("2024-03-01", periods=n, freq="D")
    return pd.DataFrame({"date": days, "sales": 100 + np.arange(n) % 7 * 3.0})


@pytest.mark.parametrize(("index", "time_column", "said"), [
    ("date", "date", "its index 'date' read as a column"),
    (None, "ds", "its index of timestamps without a name read as the column 'ds'"),
])
def test_a_parquet_file_with_a_time_index_is_read_with_its_times(capsys, tmp_path, index, time_column, said):
    pytest.importorskip("pyarrow")
    sales = _sales()
    path = tmp_path / "sales.parquet"
    sales.set_index("date").rename_axis(index).to_parquet(path)
    status, _, err = run(capsys, "fit", "--data", path, "--model", "naive", "-H", "2", "--out", tmp_path / "m.tsf")
    assert status == 0, err  # before: "has rows with more fields than its header has names" (a CSV's diagnosis)
    assert said in err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    forecast = pd.read_csv(io.StringIO(out), parse_dates=[time_column])
    assert list(forecast[time_column]) == list(pd.date_range(sales["date"].iloc[-1], periods=3, freq="D")[1:])
    assert forecast["sales"].to_numpy() == pytest.approx([sales["sales"].iloc[-1]] * 2)


def test_a_parquet_file_of_concatenated_frames_drops_their_row_labels(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    sales = _sales()
    path = tmp_path / "sales.parquet"
    pd.concat([sales.iloc[:15], sales.iloc[15:]]).set_axis(pd.Index(list(range(15)) * 2)).to_parquet(path)
    status, _, err = run(capsys, "fit", "--data", path, "--model", "naive", "-H", "2", "--out", tmp_path / "m.tsf")
    assert status == 0, err
    assert "its index without a name (row labels, as pd.concat leaves them) dropped" in err
