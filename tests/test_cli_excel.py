"""Excel workbooks as --data (``tsforecast.cli._excel``): the first sheet, read as the same
data in a CSV file would be; what cannot be read is refused by name."""

from __future__ import annotations

import io
import sys

import numpy as np
import pandas as pd
import pytest

from _cli_helpers import backtest_outputs, one_line_error, run

pytest.importorskip("openpyxl")  # the test extra installs it


def _sales() -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    noise = np.random.default_rng(0).normal(0, 2, 70)
    return pd.DataFrame({"date": days, "sales": 100 + 10 * np.sin(np.arange(70) * 2 * np.pi / 7) + noise})


def test_a_workbook_is_backtested_as_the_same_data_in_a_csv_file(capsys, tmp_path):
    sales = _sales()
    with pd.ExcelWriter(tmp_path / "sales.xlsx") as book:
        sales.to_excel(book, sheet_name="Daily", index=False)
        pd.DataFrame({"remark": ["prices in EUR"]}).to_excel(book, sheet_name="Notes", index=False)
    sales.assign(date=sales["date"].dt.strftime("%Y-%m-%d")).to_csv(tmp_path / "sales.csv", index=False)
    outputs, _ = backtest_outputs(capsys, [tmp_path / "sales.xlsx", tmp_path / "sales.csv"], "--models",
                                  "naive,snaive", "--horizon", "7", "--folds", "2", "-q")
    # before: refused for its unknown suffix '.xlsx'
    assert outputs["sales.xlsx"] == outputs["sales.csv"] and "season length 7" in outputs["sales.xlsx"]
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "sales.xlsx", "--models", "naive", "--horizon",
                         "7", "--folds", "2")
    assert "its first sheet 'Daily' read, of 2 ('Notes' left unread)" in err


def test_a_column_name_given_twice_in_a_workbook_is_refused(capsys, tmp_path):
    table = _sales()
    table.columns = ["date", "sales"]
    pd.concat([table, table["sales"]], axis=1).to_excel(tmp_path / "twice.xlsx", index=False)
    status, out, err = run(capsys, "backtest", "--data", tmp_path / "twice.xlsx", "--models", "naive", "-H", "7")
    assert status == 1 and not out
    assert "names column(s) ['sales'] more than once" in one_line_error(err)


@pytest.mark.parametrize("name, content, said", [
    ("old.xls", b"\xd0\xcf\x11\xe0", "(an Excel 97-2003 workbook: save it as .xlsx or .csv)"),
    ("broken.xlsx", b"not a zip at all", "could not be read"),
])
def test_workbooks_that_cannot_be_read_are_refused_by_name(capsys, tmp_path, name, content, said):
    (tmp_path / name).write_bytes(content)
    status, out, err = run(capsys, "backtest", "--data", tmp_path / name, "--models", "naive", "-H", "7")
    assert status != 0 and not out
    assert name in one_line_error(err) and said in one_line_error(err)


def test_without_openpyxl_the_error_names_the_extra(capsys, tmp_path, monkeypatch):
    _sales().to_excel(tmp_path / "sales.xlsx", index=False)
    monkeypatch.setitem(sys.modules, "openpyxl", None)  # import fails as if it were not installed
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "sales.xlsx", "--models", "naive", "-H", "7")
    assert status != 0 and "reading Excel workbooks needs openpyxl (pip install 'tsforecast[excel]')" in \
        one_line_error(err)


def test_forecasts_and_per_series_scores_named_xlsx_are_written_as_workbooks(capsys, tmp_path):
    _sales().to_csv(tmp_path / "sales.csv", index=False)
    status, _, err = run(capsys, "fit", "--data", tmp_path / "sales.csv", "--model", "snaive", "-H", "7", "--levels",
                         "80", "--calibration-windows", "3", "--out", tmp_path / "m.tsf")
    assert status == 0, err
    status, plain, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf", "--levels", "80")
    assert status == 0, err
    status, _, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf", "--levels", "80", "--out",
                         tmp_path / "forecast.xlsx")
    assert status == 0, err  # before: refused, 'name it .csv'
    book = pd.read_excel(tmp_path / "forecast.xlsx", sheet_name=None)
    expected = pd.read_csv(io.StringIO(plain), parse_dates=["date"])
    assert list(book) == ["forecast"]
    pd.testing.assert_frame_equal(book["forecast"], expected, check_dtype=False)
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "sales.csv", "--models", "naive,snaive", "-H", "7",
                         "--folds", "2", "-q", "--per-series", tmp_path / "scores.xlsx")
    assert status == 0, err
    assert sorted(pd.read_excel(tmp_path / "scores.xlsx")["model"]) == ["naive", "snaive"]


def _workbook(path, sheets: dict) -> None:
    with pd.ExcelWriter(path) as book:
        for name, table in sheets.items():
            table.to_excel(book, sheet_name=name, index=False)


def test_sheet_reads_the_sheet_it_names_by_name_or_position(capsys, tmp_path):
    sales = _sales()
    weekly = sales.iloc[::7].assign(sales=lambda t: t["sales"] * 7).head(10)
    _workbook(tmp_path / "book.xlsx", {"Notes": pd.DataFrame({"remark": ["EUR"]}), "Daily": sales, "Weekly": weekly})
    sales.assign(date=sales["date"].dt.strftime("%Y-%m-%d")).to_csv(tmp_path / "sales.csv", index=False)
    args = ("--models", "naive,snaive", "--horizon", "7", "--folds", "2", "-q")
    _, expected, _ = run(capsys, "backtest", "--data", tmp_path / "sales.csv", *args)
    for sheet in ("Daily", " daily", "2"):  # before: no such option
        status, out, err = run(capsys, "backtest", "--data", tmp_path / "book.xlsx", "--sheet", sheet, *args)
        assert status == 0, err
        assert out == expected and "left unread" not in err
    status, out, err = run(capsys, "backtest", "--data", tmp_path / "book.xlsx", *args)
    assert status != 0 and "--sheet NAME reads another" in err  # the first sheet, 'Notes', holds no series


@pytest.mark.parametrize("sheet, said", [
    ("Dialy", "has no sheet 'Dialy' (did you mean 'Daily'?); its sheets are 'Daily', 'Notes' (or their "
              "positions 1 to 2)"),
    ("3", "has no sheet '3'; its sheets are 'Daily', 'Notes'"),
])
def test_a_sheet_the_workbook_lacks_is_refused_with_its_sheets(capsys, tmp_path, sheet, said):
    _workbook(tmp_path / "book.xlsx", {"Daily": _sales(), "Notes": pd.DataFrame({"remark": ["EUR"]})})
    status, out, err = run(capsys, "backtest", "--data", tmp_path / "book.xlsx", "--sheet", sheet, "--models",
                           "naive", "-H", "7")
    assert status != 0 and not out
    assert said in one_line_error(err) and "book.xlsx" in one_line_error(err)


def test_sheet_is_refused_where_there_is_no_workbook(capsys, tmp_path):
    _sales().to_csv(tmp_path / "sales.csv", index=False)
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "sales.csv", "--sheet", "Daily", "--models",
                         "naive", "-H", "7")
    assert status != 0 and "--sheet applies to Excel workbooks (.xlsx, .xlsm); got 'Daily'" in one_line_error(err)
    status, _, err = run(capsys, "backtest", "--dataset", "seattle_weather", "--sheet", "Daily", "--models",
                         "naive", "-H", "7")
    assert status != 0 and "--sheet applies to --data files only" in one_line_error(err)


def test_predict_reads_the_data_of_the_sheet_named(capsys, tmp_path):
    sales = _sales()
    _workbook(tmp_path / "book.xlsx", {"Notes": pd.DataFrame({"remark": ["EUR"]}), "Daily": sales})
    sales.to_csv(tmp_path / "sales.csv", index=False)
    status, _, err = run(capsys, "fit", "--data", tmp_path / "book.xlsx", "--sheet", "Daily", "--model", "ridge",
                         "-H", "7", "--out", tmp_path / "m.tsf")
    assert status == 0, err
    forecasts = {}
    for data in (("--data", tmp_path / "sales.csv"), ("--data", tmp_path / "book.xlsx", "--sheet", "Daily")):
        status, forecasts[data[1].name], err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf", *data)
        assert status == 0, err
    read = {name: pd.read_csv(io.StringIO(text)) for name, text in forecasts.items()}
    assert len(read["sales.csv"]) == 7  # the CSV file's text round trip costs the last digit or two
    pd.testing.assert_frame_equal(read["book.xlsx"], read["sales.csv"], rtol=1e-12)
    status, _, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf", "--sheet", "Daily")
    assert status != 0 and "--sheet applies to a workbook given as --data" in err


@pytest.mark.parametrize("mark", ["-", "n.a."])
def test_a_cell_marked_missing_in_a_workbook_is_a_missing_value(capsys, tmp_path, mark):
    sales = _sales()
    sales["sales"] = sales["sales"].astype(object)
    sales.loc[20, "sales"] = mark  # a text cell (an error cell of a failed formula is read as empty)
    sales.to_excel(tmp_path / "sales.xlsx", index=False)
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "sales.xlsx", "--models", "naive", "-H", "7", "-q")
    # before: 'sales' holds text such as '-', no numeric column
    assert status == 1 and "the first nan in column 'sales' at 2024-01-21" in one_line_error(err)


def test_a_row_of_units_below_a_workbooks_header_is_left_out(capsys, tmp_path):
    sales = _sales()
    units = pd.DataFrame({"date": [None], "sales": ["EUR"]})
    pd.concat([units, sales.astype(object)], ignore_index=True).to_excel(tmp_path / "units.xlsx", index=False)
    sales.to_excel(tmp_path / "plain.xlsx", index=False)
    # before: 'sales' holds text such as 'EUR'
    outputs, _ = backtest_outputs(capsys, [tmp_path / "units.xlsx", tmp_path / "plain.xlsx"], "--models",
                                  "naive,snaive", "-H", "7", "--folds", "2", "-q")
    assert outputs["units.xlsx"] == outputs["plain.xlsx"]
    _, _, err = run(capsys, "backtest", "--data", tmp_path / "units.xlsx", "--models", "naive", "-H", "7", "-q")
    assert "units.xlsx: the row below the header holds no values (['EUR']): read as units, left out." in err
