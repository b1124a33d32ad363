"""Delimited text files as spreadsheets export them (``tsforecast.cli._delimited``): the
delimiter, decimal commas and empty trailing columns, read through the command line."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _cli_helpers import one_line_error, run


def _german(number: float) -> str:
    """``number`` as a German spreadsheet writes it: dots between thousands, a decimal comma."""
    return f"{number:,.2f}".replace(",", "_").replace(".", ",").replace("_", ".")


def _excel_export(path: Path, header: str, rows: list[str]) -> Path:
    """A file as Excel writes 'CSV (semicolon)': a byte-order mark and CRLF line ends."""
    path.write_bytes(("\ufeff" + "\r\n".join([header, *rows]) + "\r\n").encode("utf-8"))
    return path


def _days(n: int = 30) -> pd.DatetimeIndex:
    return pd.date_range("2024-03-01", periods=n, freq="D")


@pytest.mark.parametrize("names", [["Umsatz (EUR, netto)"], ["Umsatz, EUR", "Menge, Stk"]])
def test_a_semicolon_file_with_commas_in_its_column_names_is_split_on_semicolons(capsys, tmp_path, names):
    sales = 1500 + np.arange(30) * 3.37
    columns = [sales, np.arange(30)][: len(names)]
    rows = [";".join([f"{day:%d.%m.%Y}", _german(columns[0][i]), *(str(c[i]) for c in columns[1:])])
            for i, day in enumerate(_days())]
    path = _excel_export(tmp_path / "umsatz.csv", ";".join(["Datum", *names]), rows)
    status, _, err = run(capsys, "fit", "--data", path, "--target", names[0], "--model", "naive", "-H", "2",
                         "--out", tmp_path / "m.tsf")
    # before: one comma in the header split the file on commas (the cents were forecast); two: a NaN error
    assert status == 0, err
    assert "fields separated by ';', decimal commas" in err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    assert status == 0, err
    forecast = pd.read_csv(io.StringIO(out), parse_dates=["Datum"])
    assert list(forecast.columns) == ["Datum", names[0]]
    assert list(forecast["Datum"]) == list(pd.date_range(_days()[-1], periods=3, freq="D")[1:])
    assert forecast[names[0]].to_numpy() == pytest.approx([round(sales[-1], 2)] * 2)


def test_a_file_two_delimiters_split_alike_is_refused_naming_both(capsys, tmp_path):
    # ';' fields hold a comma in text, ',' fields a semicolon: either split may be the right one
    rows = [f"{day:%Y-%m-%d};gut, {i}" for i, day in enumerate(_days())]
    path = _excel_export(tmp_path / "notes.csv", "Tag;Notiz, frei", rows)
    status, _, err = run(capsys, "fit", "--data", path, "--model", "naive", "-H", "2", "--out", tmp_path / "m.tsf")
    assert status == 1
    line = one_line_error(err)
    assert "the delimiter is unclear, ',' and ';' both split its header" in line
    assert "double quotes" in line and not (tmp_path / "m.tsf").exists()


@pytest.mark.parametrize("sep", [",", ";"])
def test_two_delimiters_at_the_end_of_each_line_leave_no_column(capsys, tmp_path, sep):
    rows = [f"{day:%Y-%m-%d}{sep}{10 + i % 7}{sep}{sep}" for i, day in enumerate(_days())]
    path = _excel_export(tmp_path / "sales.csv", f"date{sep}sales{sep}{sep}", rows)
    status, _, err = run(capsys, "fit", "--data", path, "--model", "naive", "-H", "2", "--out", tmp_path / "m.tsf")
    assert status == 0, err  # before: refused, "names column(s) [''] more than once"
    assert "dropped 2 empty column(s) without a name" in err


@pytest.mark.parametrize(("name", "encoding"), [("umsatz.tsv", "utf-8"), ("umsatz.txt", "utf-16")])
def test_decimal_commas_in_a_tab_separated_export_are_read(capsys, tmp_path, name, encoding):
    # Excel's "Unicode text" (UTF-16, tabs) of a German sheet, or a .tsv written where the decimal mark is a comma
    sales = 1000 + np.arange(30) * 10.5
    rows = [f"{day:%d.%m.%Y}\t" + f"{value:.1f}".replace(".", ",") for day, value in zip(_days(), sales)]
    assert rows[1] == "02.03.2024\t1010,5"
    path = tmp_path / name
    path.write_text("Datum\tUmsatz\r\n" + "\r\n".join(rows) + "\r\n", encoding=encoding)
    status, _, err = run(capsys, "fit", "--data", path, "--model", "naive", "-H", "2", "--out", tmp_path / "m.tsf")
    assert status == 0, err  # before: "numbers written with thousands separators or units must be plain numbers"
    assert "decimal commas" in err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    assert status == 0, err
    assert pd.read_csv(io.StringIO(out))["Umsatz"].to_numpy() == pytest.approx([sales[-1]] * 2)


def test_a_tab_separated_file_with_decimal_points_is_read_as_before(capsys, tmp_path):
    # three decimals after a dot in a file without decimal commas: 1.25, not one thousand two hundred fifty
    path = tmp_path / "weights.tsv"
    path.write_text("date\tkg\n" + "".join(f"{day:%Y-%m-%d}\t{1.25 + i / 1000:.3f}\n" for i, day in
                                             enumerate(_days())))
    status, _, err = run(capsys, "fit", "--data", path, "--model", "naive", "-H", "1", "--out", tmp_path / "m.tsf")
    assert status == 0, err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    assert pd.read_csv(io.StringIO(out))["kg"].to_numpy() == pytest.approx([1.25 + 29 / 1000])


@pytest.mark.parametrize("sep", [";", ",", "|", "\t"])
def test_a_first_line_naming_the_delimiter_is_read_and_skipped(tmp_path, sep):
    from tsforecast.cli._input import read_table

    decimal = "," if sep in ";\t" else "."
    sales = 1500 + np.arange(30) * 3.25
    rows = [sep.join([f"{day:%Y-%m-%d}", f"{value:.2f}".replace(".", decimal)]) for day, value in zip(_days(), sales)]
    path = _excel_export(tmp_path / "export.csv", f"sep={sep}", [sep.join(["date", "sales"]), *rows])
    notes: list[str] = []
    table = read_table(path, notes)
    # before: 'sep=;' was read as the header, and no column was numeric
    assert list(table.columns) == ["date", "sales"]
    assert table["sales"].to_numpy() == pytest.approx(sales)
    assert any(f"fields separated by {sep!r}" in note and f"(named by its first line 'sep={sep}')" in note
               for note in notes), notes


@pytest.mark.parametrize(("sep", "preamble"), [
    (",", ["# exported from ERP v2", "# units: EUR"]), (";", ["# exported from ERP v2", "# units: EUR"]),
    (",", ['# source: "Sales", 2024', "", "#"]), (";", ['# source: "Sales", 2024', "", "#"]),
    (";", ["sep=;", "# units: EUR"]),
])
def test_comment_lines_before_the_header_are_skipped_and_said(tmp_path, sep, preamble):
    """Loggers and ERP exports open with '#' lines: read as the header, pandas failed with
    'Expected 1 fields in line 3, saw 2' (or a comment's quote opened a field)."""
    from tsforecast.cli._input import read_table

    sales = 1500 + np.arange(30) * 3.25
    rows = [sep.join([f"{day:%Y-%m-%d}", f"{value:.2f}".replace(".", "," if sep == ";" else ".")])
            for day, value in zip(_days(), sales)]
    path = tmp_path / "export.csv"
    path.write_text("\n".join([*preamble, sep.join(["date", "sales"]), *rows]) + "\n")
    notes: list[str] = []
    table = read_table(path, notes)
    assert list(table.columns) == ["date", "sales"] and len(table) == 30
    assert table["sales"].to_numpy() == pytest.approx(sales)
    comments = sum(line.startswith("#") for line in preamble)
    assert any(f"{comments} comment line(s) before the header skipped" in note for note in notes), notes


@pytest.mark.parametrize("day", ["%Y-%m-%d", "%d %b %Y"])  # the second has letters, as a header has
def test_a_header_written_as_a_comment_stays_the_header(tmp_path, day):
    """'#date,value' before data lines is the header (no row of data is taken for one)."""
    from tsforecast.cli._input import read_table

    path = tmp_path / "log.csv"
    path.write_text("#date,value\n" + "".join(f"{d.strftime(day)},{i}\n" for i, d in enumerate(_days())))
    notes: list[str] = []
    table = read_table(path, notes)
    assert list(table.columns) == ["#date", "value"] and len(table) == 30
    assert not any("comment" in note for note in notes)


@pytest.mark.parametrize(("sep", "show", "said"), [
    (",", "{:,.2f}".format, "thousands separators"),
    (",", "${:,.2f}".format, "thousands separators and '$' sign"),
    (",", "{:.1f} €".format, "'€' sign"),
    (",", "{:.1f}%".format, "'%' sign"),
    (";", lambda v: f"{v:,.2f}".replace(",", "\u202f").replace(".", ","), "thousands separators"),  # French Excel
    (";", lambda v: f"{v:,.2f}".replace(",", "\u00a0").replace(".", ",") + " €", "thousands separators and '€'"),
    (",", lambda v: f"{v:,.2f}".replace(",", " "), "thousands separators"),  # ISO: '1 254.55'
    (",", lambda v: f"{v:,.2f}".replace(",", "'"), "thousands separators"),  # Swiss: 1'254.55
    (",", "{:.1f} kWh".format, "'kWh' unit"),
    (",", "EUR {:,.2f}".format, "thousands separators and 'EUR' unit"),
])
def test_numbers_as_spreadsheets_display_them_are_read(capsys, tmp_path, sep, show, said):
    """'1,254.55', '$1,254.55', '12.5 €', '12.5%', '1 254,55' (a space, U+00A0 or U+202F
    between thousands), 1'254.55 and '1254.5 kWh' were text: no numeric column, refused.
    Values below 1000 ('950,25') carry no separator."""
    values = 700 + 300 * np.sin(np.arange(30) * 2 * np.pi / 7) + np.arange(30) * 20
    path = tmp_path / "revenue.csv"
    pd.DataFrame({"date": _days(), "revenue": [show(v) for v in values]}).to_csv(path, sep=sep, index=False)
    status, out, err = run(capsys, "fit", "--data", path, "--model", "naive", "-H", "1", "--out", tmp_path / "m.tsf")
    assert status == 0, err
    assert f"'revenue': numbers read without their {said}" in err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    # as written, to one or two decimals: a misread separator is off by a factor of 10 or more
    assert pd.read_csv(io.StringIO(out))["revenue"].iloc[0] == pytest.approx(values[-1], abs=0.05)


@pytest.mark.parametrize("values", [["1,250", "2,500"] * 15,  # 1250, or 1.25 with a decimal comma
                                    ["$5", "€5"] * 15, ["12%", "12"] * 15, ["(1,000.00)", "2,000.00"] * 15,
                                    ["1 250,50", "1 300.50"] * 15,  # two decimal marks
                                    ["SKU 1001", "SKU 1002"] * 15,  # names, not amounts
                                    ["1,250 kg", "2,500 kg"] * 15,  # 1250 kg, or 1.25 kg with a decimal comma
                                    ["12 kWh", "12 kg"] * 15])
def test_numbers_displayed_two_ways_stay_text_and_are_refused(capsys, tmp_path, values):
    path = tmp_path / "revenue.csv"
    pd.DataFrame({"date": _days(), "revenue": values}).to_csv(path, index=False)
    status, out, err = run(capsys, "fit", "--data", path, "--model", "naive", "-H", "1", "--out", tmp_path / "m.tsf")
    assert status == 1 and "numbers written with thousands separators or units must be plain numbers" in \
        one_line_error(err)


@pytest.mark.parametrize("sep", [",", ";"])
def test_a_file_without_a_header_keeps_its_first_row(tmp_path, sep):
    """A logger's file of values only: its first row was taken for the names ('2024-03-01',
    '1500.0'), and that observation lost without a word."""
    from tsforecast.cli._input import read_table, select

    sales = 1500 + np.arange(30) * 3.25
    decimal = "," if sep == ";" else "."
    path = tmp_path / "log.csv"
    path.write_text("".join(f"{day:%Y-%m-%d}{sep}{f'{value:.2f}'.replace('.', decimal)}\n"
                            for day, value in zip(_days(), sales)))
    notes: list[str] = []
    chosen = select(read_table(path, notes), target=None, source=path.name)
    assert list(chosen.data.index) == list(_days()) and chosen.data["column_2"].to_numpy() == pytest.approx(sales)
    assert any("no header, its first line holds values" in note for note in notes)


@pytest.mark.parametrize("header", ["2019,2020", "sales,2020", "date,value", "id,1"])
def test_a_header_of_names_or_years_stays_the_header(tmp_path, header):
    from tsforecast.cli._input import read_table

    path = tmp_path / "table.csv"
    path.write_text(header + "\n1.5,2.5\n3.5,4.5\n")
    notes: list[str] = []
    table = read_table(path, notes)
    assert list(table.columns) == header.split(",") and len(table) == 2
    assert not any("no header" in note for note in notes)


@pytest.mark.parametrize(("sep", "mark"), [(",", "#DIV/0!"), (",", "#VALUE!"), (",", "-"), (",", "n.a."), (",", ":"),
                                           (";", "-"), (";", "#REF!")])
def test_cells_that_say_the_value_is_missing_are_missing_values(capsys, tmp_path, sep, mark):
    """An Excel error or a statistics table's mark ('-', 'n.a.', Eurostat's ':') in one cell made
    the whole column text: refused as 'no numeric column'. Now it is a missing value, named by
    date without --fill and repaired with it as an empty cell is."""
    values = [f"{v:.2f}".replace(".", "," if sep == ";" else ".") for v in 1000 + np.arange(30) % 7 * 25.0]
    paths = {}
    for name, cell in (("marked", mark), ("empty", "")):
        paths[name] = tmp_path / f"{name}.csv"
        written = values[:12] + [cell] + values[13:]
        pd.DataFrame({"date": _days(), "sales": written}).to_csv(paths[name], sep=sep, index=False)
    status, _, err = run(capsys, "backtest", "--data", paths["marked"], "--models", "naive", "-H", "3", "-q")
    error = err.splitlines()[-1]  # after the note on a ';' file's decimal commas
    assert status == 1 and error.startswith("Error: ") and "the first nan in column 'sales' at 2024-03-13" in error
    outputs = {}
    for name, path in paths.items():
        status, outputs[name], err = run(capsys, "backtest", "--data", path, "--models", "naive,snaive", "-H", "3",
                                         "--folds", "2", "--fill", "interpolate", "-q")
        assert status == 0, err
    assert outputs["marked"] == outputs["empty"]


def test_a_minus_sign_alone_is_missing_but_negative_numbers_stay_numbers(tmp_path):
    from tsforecast.cli._input import read_table

    path = tmp_path / "balance.csv"
    pd.DataFrame({"date": _days()[:4], "balance": ["-5.5", "-", "-3", "12"]}).to_csv(path, index=False)
    table = read_table(path)
    assert table["balance"].tolist()[:1] == [-5.5] and np.isnan(table["balance"].iloc[1])
    assert table["balance"].tolist()[2:] == [-3.0, 12.0]


@pytest.mark.parametrize(("sep", "units"), [(",", ",EUR"), (",", "Day,EUR"), (";", ";EUR"), ("\t", "\t(EUR)")])
def test_a_line_of_units_below_the_header_is_left_out(tmp_path, sep, units):
    """'date,sales' above ',EUR', as loggers and statistics offices write it: every column was
    text, and the file was refused as having no numeric column."""
    from tsforecast.cli._input import read_table, select

    sales = 1000 + np.arange(30) % 7 * 25.5
    decimal = "," if sep in (";", "\t") else "."
    rows = "".join(f"{day:%Y-%m-%d}{sep}{f'{value:.2f}'.replace('.', decimal)}\n" for day, value in zip(_days(), sales))
    path = tmp_path / "sales.csv"
    path.write_text(f"date{sep}sales\n{units}\n{rows}")
    notes: list[str] = []
    chosen = select(read_table(path, notes), target=None, source=path.name)
    assert list(chosen.data.index) == list(_days()) and chosen.data["sales"].to_numpy() == pytest.approx(sales)
    assert any("the line below the header holds no values" in note and "read as units" in note for note in notes)


@pytest.mark.parametrize("first", ["2024-02-29,n.a.", "2024-02-29,", "Note: preliminary,5"])
def test_a_first_row_with_a_date_or_a_number_is_data(tmp_path, first):
    from tsforecast.cli._input import read_table

    path = tmp_path / "sales.csv"
    path.write_text("date,sales\n" + first + "\n" + "".join(f"{day:%Y-%m-%d},{i}\n" for i, day in enumerate(_days())))
    notes: list[str] = []
    table = read_table(path, notes)
    assert len(table) == 31 and not any("units" in note for note in notes)
