"""What the command line makes of a ``--data`` file (``tsforecast.cli._input``): Parquet
files' indexes, future rows, covariates no model reads, series too short; and what it
says about them."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from _cli_helpers import backtest_outputs, one_line_error, run
from tsforecast.exceptions import InvalidInputError


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


def _with_future_rows(tmp_path, panel: bool):
    """Sales with a price, and 3 rows at the end with the price of the next days but no sales yet
    (the layout `predict --data` takes); for a panel, those of series 'b' only."""
    sales = _sales(33).assign(price=lambda d: 9.5 + np.arange(len(d)) % 2)
    sales.loc[30:, "sales"] = np.nan
    if panel:
        sales = pd.concat([_sales(30).assign(price=9.5, unique_id="a"), sales.assign(unique_id="b")])
    path = tmp_path / "sales.csv"
    sales.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("panel", [False, True])
@pytest.mark.parametrize("command", [
    ["fit", "--model", "naive", "-H", "2", "--out", "m.tsf"],
    ["backtest", "--models", "naive", "-H", "2", "--folds", "2", "--fill", "ffill", "-q"],
])
def test_rows_after_the_last_target_value_are_refused_as_future_rows(capsys, tmp_path, command, panel):
    path = _with_future_rows(tmp_path, panel)
    status, out, err = run(capsys, command[0], "--data", path, "--target", "sales", "--covariates", "price",
                           *(str(tmp_path / a) if a.endswith(".tsf") else a for a in command[1:]))
    # before: fit advised --fill (which would invent the sales of the future rows and move the forecast
    # origin), and backtest --fill ffill left the folds of only such rows unscored without a word
    assert status == 1, out
    line = one_line_error("\n".join(said for said in err.splitlines() if not said.startswith("note: ")))
    assert f"{'series ' + repr('b') + ', ' if panel else ''}has 3 row(s) after the last value of 'sales'" in line
    assert f"drop them for {command[0]}, or pass them to `tsforecast predict --data`" in line
    assert "--fill" not in line and not (tmp_path / "m.tsf").exists()


def test_backtest_names_the_models_that_ignore_the_covariates_given(capsys, tmp_path):
    path = tmp_path / "sales.csv"
    _sales(40).assign(price=lambda d: 9.5 + np.arange(len(d)) % 3).to_csv(path, index=False)
    with pytest.warns(UserWarning) as record:  # the command line prints them as 'warning: ...' lines
        status, out, err = run(capsys, "backtest", "--data", path, "--target", "sales", "--covariates", "price",
                               "--models", "arima,theta,naive,ridge", "--lookback", "7", "-H", "3", "--folds", "2",
                               "-q")
    assert status == 0, err  # before: no word, the scores the same as without --covariates
    said = [str(warning.message) for warning in record]
    assert "theta and naive use no covariates; price are ignored by them." in said
    assert "arima regresses only on --future-covariates; --covariates price are ignored by it." in said
    assert not any("ridge" in line for line in said)  # it reads them


@pytest.mark.parametrize(("command", "remedy"), [
    (["backtest", "--models", "naive,snaive", "--folds", "2", "-q"],
     "pass --on-short skip to leave such series out, or ask for fewer --folds or a smaller -H."),
    (["fit", "--model", "ridge", "--out", "m.tsf"],
     "pass --on-short skip to leave such series out, or ask for a smaller -H or --lookback."),
])
def test_a_series_too_short_is_refused_with_the_options_that_make_do(capsys, tmp_path, command, remedy):
    path = tmp_path / "panel.csv"
    pd.concat([_sales(60).assign(unique_id="long"), _sales(10).assign(unique_id="short")]).to_csv(path, index=False)
    args = [str(tmp_path / a) if a.endswith(".tsf") else a for a in command]
    status, _, err = run(capsys, *args, "--data", path, "--target", "sales", "--id-column", "unique_id", "-H", "7")
    assert status == 1
    line = one_line_error("\n".join(said for said in err.splitlines() if not said.startswith(("note: ", "fitting "))))
    assert "'short'" in line and line.endswith(remedy)  # before: the rows needed, and no way out
    status, _, err = run(capsys, *args, "--data", path, "--target", "sales", "--id-column", "unique_id", "-H", "7",
                         "--on-short", "skip")
    assert status == 0, err  # the way out said works


@pytest.mark.parametrize(("column", "values"), [
    ("Year", list(range(2035, 2005, -1))),  # newest first: integers, not read as dates
    ("week", [f"W{w}" for w in range(40, 10, -1)]),  # weeks without a year: no dates
])
def test_a_time_column_left_unused_that_falls_in_file_order_is_refused(capsys, tmp_path, column, values):
    path = tmp_path / "yearly.csv"
    pd.DataFrame({column: values, "value": np.arange(30.0)}).to_csv(path, index=False)
    status, _, err = run(capsys, "fit", "--data", path, "--target", "value", "--model", "naive", "-H", "2",
                         "--out", tmp_path / "m.tsf")
    # before: read in file order as integer time, the forecast following the oldest value, without a word
    assert status == 1
    line = one_line_error(err)
    assert f"{column!r} looks like one but falls in file order" in line
    assert "Sort the rows oldest first, or name it with --time-column" in line


def test_a_time_column_left_unused_in_file_order_is_said(capsys, tmp_path):
    path = tmp_path / "yearly.csv"
    pd.DataFrame({"Year": range(2000, 2030), "promo": np.arange(30) % 2, "value": np.arange(30.0)}).to_csv(
        path, index=False)
    status, _, err = run(capsys, "fit", "--data", path, "--target", "value", "--model", "naive", "-H", "2",
                         "--out", tmp_path / "m.tsf")
    assert status == 0, err
    assert "no time column: rows are time steps 0, 1, ... in file order; 'Year' is left unused" in err
    assert "promo" not in err  # a 0/1 flag is no time column
    status, _, err = run(capsys, "fit", "--data", path, "--target", "value", "--time-column", "Year",
                         "--model", "naive", "-H", "2", "--out", tmp_path / "m.tsf")
    assert status == 0 and "left unused" not in err


def _two_column_times(n: int = 24 * 10) -> tuple[pd.DataFrame, pd.DatetimeIndex]:
    """Hourly readings with the date and the time of day in two columns, as exports write them."""
    stamps = pd.date_range("2006-12-16 17:00", periods=n, freq="h")
    load = 2 + np.sin(np.arange(n) * 2 * np.pi / 24)
    return pd.DataFrame({"Date": stamps.strftime("%d/%m/%Y"), "Time": stamps.strftime("%H:%M:%S"),
                         "Global_active_power": load}), stamps


@pytest.mark.parametrize("time_column", [None, "Date"])
def test_dates_and_times_of_day_in_two_columns_are_read_together(tmp_path, time_column):
    from tsforecast.cli._input import read_table, select

    table, stamps = _two_column_times()
    path = tmp_path / "household_power.csv"
    table.to_csv(path, index=False)
    chosen = select(read_table(path), target=None, time_column=time_column, source=path.name)
    # before: 'Date' alone repeated once an hour and was refused as duplicated timestamps
    assert list(chosen.data.index) == list(stamps)
    assert chosen.target == "Global_active_power"
    assert any("'Date' and 'Time' read together" in note for note in chosen.notes)


def test_the_cli_forecasts_hourly_from_a_date_and_a_time_column(capsys, tmp_path):
    table, stamps = _two_column_times()
    path = tmp_path / "household_power.csv"
    table.to_csv(path, index=False)
    status, out, err = run(capsys, "fit", "--data", path, "--model", "snaive", "-H", "3", "--out", tmp_path / "m.tsf")
    assert status == 0, err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    assert status == 0, err
    forecast = pd.read_csv(io.StringIO(out))
    assert list(pd.to_datetime(forecast.iloc[:, 0])) == list(pd.date_range(stamps[-1], periods=4, freq="h")[1:])


@pytest.mark.parametrize("case", ["timestamps already", "two clock columns"])
def test_a_clock_column_is_not_joined_where_that_would_be_a_guess(tmp_path, case):
    from tsforecast.cli._input import read_table, select

    table, stamps = _two_column_times()
    if case == "timestamps already":  # 'ds' has its times; 'Time' (a shift start, say) stays unused
        table = table.assign(ds=stamps.strftime("%Y-%m-%d %H:%M")).drop(columns="Date")
    else:
        table = table.assign(End=table["Time"])
    path = tmp_path / "data.csv"
    table.to_csv(path, index=False)
    if case == "timestamps already":
        chosen = select(read_table(path), target=None, source=path.name)
        assert list(chosen.data.index) == list(stamps)
        assert not any("read together" in note for note in chosen.notes)
    else:
        with pytest.raises(InvalidInputError, match="duplicated timestamps in 'Date'"):
            select(read_table(path), target=None, source=path.name)


@pytest.mark.parametrize("unit, name", [("s", "seconds"), ("ms", "milliseconds"), ("us", "microseconds"),
                                        ("ns", "nanoseconds")])
def test_unix_time_integers_are_read_as_timestamps(tmp_path, unit, name):
    from tsforecast.cli._input import read_table, select

    stamps = pd.date_range("2024-01-01", periods=72, freq="h")
    ticks = (stamps - pd.Timestamp("1970-01-01")) // pd.Timedelta(1, unit=unit)
    path = tmp_path / "log.csv"
    pd.DataFrame({"timestamp": ticks, "load": np.arange(72.0)}).to_csv(path, index=False)
    chosen = select(read_table(path), target=None, source=path.name)
    # before: integer steps (seconds: refused as irregular; milliseconds: no hours, no season)
    assert list(chosen.data.index) == list(stamps)
    assert any(f"integers read as Unix time in {name}" in note for note in chosen.notes)


def test_yyyymmdd_integers_are_dates_and_found_as_the_time_column(capsys, tmp_path):
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    path = tmp_path / "daily.csv"
    pd.DataFrame({"day": days.strftime("%Y%m%d").astype(int), "sales": 10 + np.arange(60) % 7 * 2.5 + np.arange(60)}
                 ).to_csv(path, index=False)
    status, out, err = run(capsys, "fit", "--data", path, "--model", "snaive", "-H", "2", "--out", tmp_path / "m.tsf")
    assert status == 0, err  # before: two numeric columns, the target could not be told
    assert "integers read as dates written YYYYMMDD" in err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    assert list(pd.to_datetime(pd.read_csv(io.StringIO(out))["day"])) == list(pd.date_range("2024-03-01", periods=2))


def test_yyyymmdd_dates_beside_a_clock_column_are_read_together(tmp_path):
    """Minute bars as some exports write them: ``date`` 20240131 beside ``time`` 09:30. The
    integer dates repeat once a reading, and were refused as duplicated timestamps."""
    from tsforecast.cli._input import read_table, select

    stamps = pd.date_range("2024-01-30 22:00", periods=6, freq="h")
    path = tmp_path / "bars.csv"
    pd.DataFrame({"date": stamps.strftime("%Y%m%d").astype(int), "time": stamps.strftime("%H:%M"),
                  "close": np.arange(6.0)}).to_csv(path, index=False)
    chosen = select(read_table(path), target=None, source=path.name)
    assert list(chosen.data.index) == list(stamps) and chosen.target == "close"
    assert any("'date' and 'time' read together" in note for note in chosen.notes)


def _serials(stamps) -> pd.Index:
    """``stamps`` as Excel holds them: days since 1899-12-30, fractions of a day for the times."""
    return (stamps - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)


@pytest.mark.parametrize("column, stamps", [
    ("date", pd.date_range("2020-01-01", periods=60, freq="D")),  # integers 43831, 43832, ...
    ("Order Date", pd.date_range("2020-01-01", periods=60, freq="D")),  # found by its name, not given
    ("Datum", pd.date_range("2023-03-01", periods=72, freq="h")),  # 45351.041666666664, ...: hours
])
def test_excel_serial_dates_are_read_as_dates(tmp_path, column, stamps):
    from tsforecast.cli._input import read_table, select

    serials = _serials(stamps)
    path = tmp_path / "export.csv"
    values = serials.astype(int) if stamps.freq == "D" else serials
    pd.DataFrame({column: values, "sales": 10 + np.arange(len(stamps)) % 7 * 2.5}).to_csv(path, index=False)
    chosen = select(read_table(path), target="sales", source=path.name)
    # before: integer steps with season 1; the hours (floats) were refused as 'numbers with decimals'
    assert list(chosen.data.index) == list(stamps)
    assert any("read as Excel's serial dates" in note for note in chosen.notes)


@pytest.mark.parametrize("column", ["step", "period", "t"])
def test_numbers_in_excels_date_span_under_other_names_stay_steps(tmp_path, column):
    from tsforecast.cli._input import read_table, select

    path = tmp_path / "steps.csv"
    steps = np.arange(40000, 40050)
    pd.DataFrame({column: steps, "value": np.arange(50.0)}).to_csv(path, index=False)
    chosen = select(read_table(path), target="value", time_column=column, source=path.name)
    assert list(chosen.data.index) == list(steps) and not any("serial" in note for note in chosen.notes)


def test_a_workbook_whose_date_cells_lost_their_format_is_read_with_its_dates(capsys, tmp_path):
    pytest.importorskip("openpyxl")
    days = pd.date_range("2024-01-01", periods=60, freq="D")
    sales = pd.DataFrame({"date": days, "sales": 100 + np.arange(60) % 7 * 3.0})
    sales.assign(date=_serials(days).astype(int)).to_excel(tmp_path / "numbers.xlsx", index=False)
    sales.to_excel(tmp_path / "dates.xlsx", index=False)
    outputs, _ = backtest_outputs(capsys, [tmp_path / "numbers.xlsx", tmp_path / "dates.xlsx"], "--models",
                                  "naive,snaive", "-H", "7", "--folds", "2", "-q")
    assert outputs["numbers.xlsx"] == outputs["dates.xlsx"] and "season length 7" in outputs["dates.xlsx"]


@pytest.mark.parametrize(("name", "first", "said"), [
    ("HE", 1, "hours ending 1 to 24: 'HE' 1 is 00:00 to 01:00"),  # ERCOT, PJM, MISO
    ("Hour Ending", 1, "hours ending 1 to 24"),
    ("hour", 0, "hours 0 to 23 of the day in 'hour'"),
    ("Stunde", 0, "hours 0 to 23 of the day in 'Stunde'"),
])
def test_dates_beside_hour_numbers_are_read_together(tmp_path, name, first, said):
    """Energy markets write the hour as a number beside the date: the dates repeated 24 times
    and were refused, the error offering the hour column as the series id (24 daily series)."""
    from tsforecast.cli._input import read_table, select

    stamps = pd.date_range("2024-03-01", periods=24 * 3, freq="h")
    path = tmp_path / "load.csv"
    pd.DataFrame({"Date": stamps.strftime("%m/%d/%Y"), name: stamps.hour + first,
                  "Load": np.arange(72.0)}).to_csv(path, index=False)
    chosen = select(read_table(path), target=None, source=path.name)
    assert list(chosen.data.index) == list(stamps) and chosen.target == "Load"
    assert any(said in note for note in chosen.notes)


@pytest.mark.parametrize(("name", "hours"), [("hour", range(1, 24)), ("HE", range(0, 24)), ("level", range(24))])
def test_numbers_that_fit_no_hour_convention_are_not_joined(tmp_path, name, hours):
    from tsforecast.cli._input import read_table, select

    path = tmp_path / "load.csv"
    days = np.repeat(pd.date_range("2024-03-01", periods=3).strftime("%Y-%m-%d"), len(hours))
    pd.DataFrame({"date": days, name: list(hours) * 3, "load": np.arange(3.0 * len(hours))}).to_csv(path, index=False)
    with pytest.raises(InvalidInputError, match="duplicated timestamps"):
        select(read_table(path), target="load", source=path.name)


@pytest.mark.parametrize("steps", [np.arange(50), np.arange(1990, 2040), np.arange(50) * 7 + 100])
def test_integer_time_steps_and_years_stay_steps(tmp_path, steps):
    from tsforecast.cli._input import read_table, select

    path = tmp_path / "steps.csv"
    pd.DataFrame({"period": steps, "value": np.arange(50.0)}).to_csv(path, index=False)
    chosen = select(read_table(path), target=None, source=path.name)
    assert list(chosen.data.index) == list(steps) and not any("integers read as" in n for n in chosen.notes)


def test_a_value_column_of_large_integers_is_not_taken_for_time(tmp_path):
    from tsforecast.cli._input import read_table, select

    path = tmp_path / "traffic.csv"
    pd.DataFrame({"bytes": 1_700_000_000 + np.arange(50) * 3600}).to_csv(path, index=False)
    chosen = select(read_table(path), target=None, source=path.name)
    assert chosen.target == "bytes" and chosen.data.index.dtype.kind == "i"


def test_integer_time_steps_are_not_joined_to_a_clock_column(tmp_path):
    from tsforecast.cli._input import read_table, select

    path = tmp_path / "steps.csv"
    pd.DataFrame({"step": np.arange(30), "shift_start": ["08:00"] * 30, "value": np.arange(30.0)}).to_csv(
        path, index=False)
    chosen = select(read_table(path), target="value", time_column="step", source=path.name)
    assert list(chosen.data.index) == list(range(30))


@pytest.mark.parametrize("labels, written, freq, season", [
    ([f"{2010 + i // 12}M{i % 12 + 1:02d}" for i in range(60)], "months written 2010M01", "MS", 12),
    ([f"{2010 + i // 12}m{i % 12 + 1}" for i in range(60)], "months written 2010M01", "MS", 12),
    # quarters as BEA, FRED and spreadsheets write them: refused as out of order, or steps with season 1
    ([f"Q{p.quarter} {p.year}" for p in pd.period_range("2010Q1", periods=40, freq="Q")],
     "quarters written Q1 2010", "QS-JAN", 4),
    ([f"{p.year}:Q{p.quarter}" for p in pd.period_range("2010Q1", periods=40, freq="Q")],
     "quarters written 2010 Q1 or 2010:Q1", "QS-JAN", 4),
    ([f"Q{p.quarter}-{p.year % 100:02d}" for p in pd.period_range("1995Q1", periods=40, freq="Q")],
     "quarters written Q1 2010 or Q1-10", "QS-JAN", 4),
    # Excel's mmm-yy: pandas read 'Jan-19' as 19 January of the year 1 (irregular steps, refused)
    ([p.strftime("%b-%y") for p in pd.period_range("2019-01", periods=60, freq="M")], "months written Jan-19",
     "MS", 12),
    ([f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in pd.date_range("2019-12-30", periods=120, freq="W-MON")],
     "ISO weeks written 2020-W02", "W-MON", 52),
    ([f"{d.isocalendar()[0]}W{d.isocalendar()[1]:02d}" for d in pd.date_range("2019-12-30", periods=120, freq="W-MON")],
     "ISO weeks written 2020-W02", "W-MON", 52),
])
def test_month_and_iso_week_labels_are_dates_with_their_season(capsys, tmp_path, labels, written, freq, season):
    """Eurostat's 2010M01 and ISO's 2020-W02 were left unused as text: rows became steps and
    the season was lost (season length 1), with only a note."""
    from tsforecast.cli._input import read_table, select

    path = tmp_path / "stats.csv"
    noise = np.random.default_rng(0).normal(0, 1, len(labels))
    pd.DataFrame({"period": labels, "value": 100 + np.arange(len(labels)) % season + noise}).to_csv(path, index=False)
    chosen = select(read_table(path), target=None, source=path.name)
    index = chosen.data.index
    assert list(index) == list(pd.date_range(index[0], periods=len(labels), freq=freq))
    assert any(written in note for note in chosen.notes)
    status, out, err = run(capsys, "backtest", "--data", path, "--models", "snaive", "--horizon", "4", "--folds", "2")
    assert status == 0 and f"season length {season} (from frequency" in out, err


def test_iso_week_labels_newest_first_are_read_in_time_order(tmp_path):
    """'2024W40' down to '2024W11' was refused as a time-like column falling in file order."""
    from tsforecast.cli._input import read_table, select

    path = tmp_path / "weekly.csv"
    pd.DataFrame({"week": [f"2024W{w}" for w in range(40, 10, -1)], "value": np.arange(30.0)}).to_csv(
        path, index=False)
    chosen = select(read_table(path), target="value", source=path.name)
    assert chosen.data.index[0] == pd.Timestamp("2024-03-11") and chosen.data["value"].iloc[0] == 29.0


@pytest.mark.parametrize("labels", [["2021-W52", "2021-W53"],  # 2021 has 52 ISO weeks
                                    ["2010M01", "2010M13"], ["2010M01", "total"], ["2020w01", "2020w02"]])
def test_labels_that_name_no_month_or_iso_week_are_not_read_as_dates(labels):
    from tsforecast.cli._labels import read_period_labels

    assert read_period_labels(pd.Series(labels)) is None


def _stores(ids) -> pd.DataFrame:
    days = pd.date_range("2024-01-01", periods=42, freq="D").strftime("%Y-%m-%d")
    rng = np.random.default_rng(5)
    return pd.concat([pd.DataFrame({"store": store, "date": days,
                                    "sales": 100 + 10 * np.sin(np.arange(42) * 2 * np.pi / 7) + rng.normal(0, 2, 42)})
                      for store in ids], ignore_index=True)


def test_a_long_panel_finds_its_id_column_of_text(capsys, tmp_path):
    """'store, date, sales' (dates once per store) was refused for duplicated timestamps."""
    path = tmp_path / "stores.csv"
    _stores(["north", "south", "east"]).to_csv(path, index=False)
    tables = {}
    for name, options in (("found", []), ("named", ["--id-column", "store"])):
        status, _, err = run(capsys, "backtest", "--data", path, "--models", "naive,snaive", "--horizon", "7",
                             "--folds", "2", "--per-series", tmp_path / f"{name}.csv", *options)
        assert status == 0, err
        tables[name] = pd.read_csv(tmp_path / f"{name}.csv")
    pd.testing.assert_frame_equal(tables["found"], tables["named"])
    assert sorted(set(tables["found"]["unique_id"])) == ["east", "north", "south"]


def test_the_found_id_column_is_said(tmp_path):
    from tsforecast.cli._input import read_table, select

    path = tmp_path / "stores.csv"
    _stores(["north", "south"]).to_csv(path, index=False)
    chosen = select(read_table(path), target=None, source=path.name)
    assert sorted(set(chosen.data["unique_id"])) == ["north", "south"] and chosen.target == "sales"
    assert any("long format: one series per 'store'" in note for note in chosen.notes)


@pytest.mark.parametrize("case", ["integer ids", "two text columns"])
def test_an_id_column_that_is_not_clear_is_named_in_the_error(capsys, tmp_path, case):
    table = _stores([101, 102] if case == "integer ids" else ["north", "south"])
    if case == "two text columns":
        table["city"] = table["store"].map({"north": "Oslo", "south": "Rome"})
    path = tmp_path / "stores.csv"
    table.to_csv(path, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--target", "sales", "--models", "naive",
                           "--horizon", "7")
    assert status == 1 and not out
    named = "'store'" if case == "integer ids" else "'store', 'city'"
    assert f"if it holds many series, name their id column with --id-column (each date is once per value of " \
           f"{named}: --id-column store)" in one_line_error(err)


def test_with_repeated_dates_the_target_error_names_the_id_column_not_several_targets(capsys, tmp_path):
    """Integer store ids beside the sales: the error offered --target store,sales (each column a series)."""
    path = tmp_path / "stores.csv"
    _stores([101, 102]).to_csv(path, index=False)
    status, _, err = run(capsys, "backtest", "--data", path, "--models", "naive", "--horizon", "7")
    line = one_line_error(err)
    assert status == 1 and "Name one; if it holds many series, name their id column with --id-column" in line
    assert "comma-separated" not in line


def _monthly_lines() -> list[str]:
    months = pd.period_range("2015-01", periods=60, freq="M")
    return ["month,sales", *(f"{m},{100 + i % 12 * 3 + i * 0.5}" for i, m in enumerate(months))]


@pytest.mark.parametrize("tail, said", [
    ([",", ","], "2 empty row(s) left out (rows of delimiters only, the first at data row 61)"),
    (["Total,6543.2"], "1 total row(s) at the end left out (data row 61: ['Total', '6543.2'])"),
    (["Summe:,6543.2", "Gesamt,9999"], "2 total row(s) at the end left out (data row 61"),
])
def test_rows_of_no_data_below_the_table_are_left_out(capsys, tmp_path, tail, said):
    """Before: empty rows hid the dates and read as future rows (refused); a total row made the
    time column text, so rows were steps (season 1) and the total the last observation."""
    path = tmp_path / "export.csv"
    path.write_text("\n".join([*_monthly_lines(), *tail]) + "\n")
    status, out, err = run(capsys, "fit", "--data", path, "--model", "snaive", "-H", "2", "--out", tmp_path / "m.tsf")
    assert status == 0, err
    assert said in err
    status, out, err = run(capsys, "predict", "--model-file", tmp_path / "m.tsf")
    forecast = pd.read_csv(io.StringIO(out))
    assert list(forecast["month"]) == ["2020-01-01", "2020-02-01"]  # after the last month, not the total
    assert forecast["sales"].iloc[0] == pytest.approx(100 + 48 * 0.5)  # January a year before


def test_a_workbook_with_a_total_row_is_read_without_it(tmp_path):
    pytest.importorskip("openpyxl")
    from tsforecast.cli._input import read_table, select

    days = pd.date_range("2024-01-01", periods=30, freq="D")
    table = pd.DataFrame({"date": list(days) + ["Total"], "sales": list(np.arange(30.0)) + [435.0]})
    table.to_excel(tmp_path / "sales.xlsx", index=False)
    notes: list[str] = []
    chosen = select(read_table(tmp_path / "sales.xlsx", notes), target=None, source="sales.xlsx")
    assert list(chosen.data.index) == list(days) and chosen.data["sales"].iloc[-1] == 29.0
    assert any("1 total row(s) at the end left out" in note for note in notes)


def test_other_text_below_the_dates_is_named_not_taken_as_steps(capsys, tmp_path):
    path = tmp_path / "export.csv"
    path.write_text("\n".join([*_monthly_lines(), "Source: ERP export,"]) + "\n")
    status, out, err = run(capsys, "fit", "--data", path, "--model", "snaive", "-H", "2", "--out", tmp_path / "m.tsf")
    # before: 'month' left unused, rows taken as steps, season 1, without an error
    assert status == 1 and "holds 1 value(s) that are not timestamps, the first 'Source: ERP export' in data " \
                           "row 61" in one_line_error(err)


def _local_clock(start: str, periods: int, freq: str, zone: str = "Europe/Berlin") -> tuple[list[str], pd.Series]:
    """A regular series in UTC written as the local wall-clock times of ``zone`` (no offset)."""
    stamps = pd.date_range(start, periods=periods, freq=freq, tz="UTC").tz_convert(zone)
    step = pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    values = pd.Series(50 + 10 * np.sin(np.arange(periods) * 2 * np.pi * step / pd.Timedelta("1D")))
    return list(stamps.tz_localize(None).strftime("%Y-%m-%d %H:%M")), values


@pytest.mark.parametrize("start, periods, freq, zone, changes", [
    ("2024-10-20", 24 * 14, "h", "Europe/Berlin", 1),  # clocks back: 02:00 twice
    ("2024-10-30", 48 * 10, "30min", "America/New_York", 1),  # half hours: 01:00, 01:30 twice
    ("2024-03-24", 24 * 14, "h", "Europe/Berlin", 1),  # clocks forward: 02:00 missing
    ("2024-03-20", 24 * 230, "h", "Europe/London", 2),  # both
])
def test_local_clock_times_across_daylight_saving_changes_are_read_in_file_order(tmp_path, start, periods, freq,
                                                                                zone, changes):
    """Energy exports in local time without offsets: the repeated hour was refused as duplicated
    timestamps, the missing one made the steps irregular."""
    from tsforecast.cli._input import read_table, select

    written, values = _local_clock(start, periods, freq, zone)
    path = tmp_path / "load.csv"
    pd.DataFrame({"timestamp": written, "load": values}).to_csv(path, index=False)
    chosen = select(read_table(path), target=None, source=path.name)
    index = chosen.data.index
    assert list(index) == list(pd.date_range(index[0], periods=periods, freq=freq))  # one regular step
    assert index[-1] == pd.Timestamp(written[-1])  # the last stretch keeps the times the file shows
    assert chosen.data["load"].to_numpy() == pytest.approx(values.to_numpy())  # in file order
    assert any(f"across {changes} daylight saving change(s)" in note for note in chosen.notes)


def test_a_repeated_hour_that_is_not_a_clock_change_is_still_refused(tmp_path):
    from tsforecast.cli._input import read_table, select

    hours = list(pd.date_range("2024-06-03", periods=72, freq="h").strftime("%Y-%m-%d %H:%M"))
    hours[13] = hours[12]  # a Monday at noon: a duplicated reading, not the clocks turning back
    path = tmp_path / "load.csv"
    pd.DataFrame({"timestamp": hours, "load": np.arange(72.0)}).to_csv(path, index=False)
    with pytest.raises(InvalidInputError, match="duplicated timestamps in 'timestamp'"):
        select(read_table(path), target=None, source=path.name)


def test_an_unknown_column_is_named_with_the_closest_and_a_long_list_is_cut(capsys, tmp_path):
    path = tmp_path / "wide.csv"
    columns = {f"meter_{i:03d}": np.arange(30.0) + i for i in range(40)}
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=30).strftime("%Y-%m-%d"), **columns}).to_csv(
        path, index=False)
    status, out, err = run(capsys, "backtest", "--data", path, "--target", "Meter_007", "--models", "naive", "-H", "2")
    line = one_line_error(err)
    assert status == 1 and "not a column of" in line and "(did you mean 'meter_007'?)" in line
    assert "'meter_018', ... (41 in all)." in line  # 40 meters and the date: the first 20 named
