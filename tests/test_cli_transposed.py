"""Tables whose columns are the dates, one row per series (``tsforecast.cli._transposed``):
read as the long table of the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from _cli_helpers import backtest_outputs, run


def _long() -> pd.DataFrame:
    months = pd.date_range("2021-01-01", periods=36, freq="MS")
    noise = np.random.default_rng(0).normal(0, 3, (3, 36))
    values = np.round(100 + 20 * np.sin(np.arange(36) * 2 * np.pi / 12) + noise, 1)
    return pd.DataFrame({"product": np.repeat(["apples", "pears", "plums"], 36), "date": np.tile(months, 3),
                         "sales": values.ravel()})


def _across(long: pd.DataFrame, label: str) -> pd.DataFrame:
    """``long`` with its dates as columns, named as ``label`` writes a month."""
    wide = long.pivot(index="product", columns="date", values="sales")
    wide.columns = [f"{month:{label}}" for month in wide.columns]
    return wide.reset_index()


@pytest.mark.parametrize("label", ["%Y-%m", "%b-%y", "%Y-%m-%d"])
def test_dates_as_columns_backtest_as_the_long_table(capsys, tmp_path, label):
    long = _long()
    long.to_csv(tmp_path / "long.csv", index=False)
    _across(long, label).to_csv(tmp_path / "across.csv", index=False)
    args = ("--models", "naive,snaive", "-H", "6", "--folds", "2", "-q", "--per-series")
    outputs = {}
    for name in ("long", "across"):
        status, _, err = run(capsys, "backtest", "--data", tmp_path / f"{name}.csv", *args, tmp_path / f"{name}_ps.csv")
        assert status == 0, err  # before: 36 numeric columns, '--target 2021-01,2021-02' offered
        outputs[name] = pd.read_csv(tmp_path / f"{name}_ps.csv")
    assert "are dates, one row per series (3 rows): read as a long table of 'product', 'date' and 'value'" in err
    pd.testing.assert_frame_equal(outputs["across"], outputs["long"])


def test_series_of_different_lengths_start_at_their_first_value(tmp_path):
    """World Bank style: several text columns, years as columns, a series starting later."""
    from tsforecast.cli._input import read_table, select

    years = [str(year) for year in range(2000, 2021)]
    table = pd.DataFrame(np.arange(63.0).reshape(3, 21) + 1, columns=years)
    table.iloc[1, :5] = np.nan  # no figures before 2005
    table.iloc[2, 10] = np.nan  # a gap: stays missing
    table.insert(0, "Country Code", ["FRA", "DEU", "ITA"])
    table.insert(0, "Country Name", ["France", "Germany", "Italy"])
    path = tmp_path / "indicator.csv"
    table.to_csv(path, index=False)
    long = read_table(path)
    assert list(long.columns) == ["Country Name", "Country Code", "date", "value"]
    lengths = long.groupby("Country Code", sort=False).size()
    assert lengths.to_dict() == {"FRA": 21, "DEU": 16, "ITA": 21}
    assert long.loc[long["Country Code"] == "DEU", "date"].iloc[0] == "2005"
    assert long["value"].isna().sum() == 1
    with pytest.raises(Exception, match="--id-column"):  # two text columns name each row: the user chooses
        select(long, target=None, source=path.name)
    chosen = select(long.dropna(), target=None, id_column="Country Code", source=path.name)
    assert chosen.target == "value" and sorted(chosen.data["unique_id"].unique()) == ["DEU", "FRA", "ITA"]


def test_a_wide_table_with_a_date_column_keeps_its_columns(tmp_path):
    """Series named by years beside a date column are series (``--target 2019,2020``), not dates."""
    from tsforecast.cli._input import read_table

    days = pd.date_range("2024-01-01", periods=20, freq="D")
    path = tmp_path / "wide.csv"
    pd.DataFrame({"date": days, "2019": np.arange(20.0), "2020": np.arange(20.0), "2021": np.arange(20.0)}).to_csv(
        path, index=False)
    assert list(read_table(path).columns) == ["date", "2019", "2020", "2021"]


def test_a_gap_inside_a_series_across_is_named_by_date(capsys, tmp_path):
    across = _across(_long(), "%Y-%m")
    across.loc[1, "2022-03"] = np.nan
    across.to_csv(tmp_path / "across.csv", index=False)
    status, _, err = run(capsys, "backtest", "--data", tmp_path / "across.csv", "--models", "naive", "-H", "6", "-q")
    assert status == 1 and "2022-03-01" in err.splitlines()[-1] and "--fill" in err.splitlines()[-1]


def test_a_workbook_with_date_cells_as_its_header(capsys, tmp_path):
    pytest.importorskip("openpyxl")
    long = _long()
    wide = long.pivot(index="product", columns="date", values="sales").reset_index()  # header cells are dates
    wide.to_excel(tmp_path / "across.xlsx", index=False)
    long.to_csv(tmp_path / "long.csv", index=False)
    outputs, _ = backtest_outputs(capsys, [tmp_path / "long.csv", tmp_path / "across.xlsx"], "--models",
                                  "naive,snaive", "-H", "6", "--folds", "2", "-q")
    assert outputs["across.xlsx"] == outputs["long.csv"]


def test_a_eurostat_table_reads_with_its_flags_dropped(capsys, tmp_path):
    """Eurostat's TSV: dates as columns (``2019M01 ``), one row per series named by a
    comma-joined key, values flagged (``101.2 p``, ``99.0 e``) and ``: c`` where confidential."""
    months = [f"{year}M{month:02d}" for year in (2021, 2022, 2023) for month in range(1, 13)]
    values = np.round(100 + 10 * np.sin(np.arange(36) * 2 * np.pi / 12), 1)
    cells = {"DE": [f"{v} p" if i > 30 else str(v) for i, v in enumerate(values)],
             "FR": [f"{v} e" if i % 11 == 3 else str(v) for i, v in enumerate(values + 1)],
             "IT": [": c" if i == 7 else str(v) for i, v in enumerate(values + 2)]}
    lines = ["freq,unit,geo\\TIME_PERIOD\t" + "\t".join(f"{month} " for month in months)]
    lines += [f"M,I15,{geo}\t" + "\t".join(row) for geo, row in cells.items()]
    path = tmp_path / "estat.tsv"
    path.write_text("\n".join(lines) + "\n")
    from tsforecast.cli._input import read_table

    notes: list[str] = []
    long = read_table(path, notes)
    by_geo = {key[-2:]: group["value"].to_numpy() for key, group in long.groupby("freq,unit,geo\\TIME_PERIOD")}
    assert by_geo["DE"] == pytest.approx(values) and by_geo["FR"] == pytest.approx(values + 1)
    assert np.isnan(by_geo["IT"][7]) and np.delete(by_geo["IT"], 7) == pytest.approx(np.delete(values + 2, 7))
    assert any("without their Eurostat flags" in note for note in notes)  # before: text, refused
    status, _, err = run(capsys, "backtest", "--data", path, "--models", "naive,snaive", "-H", "6", "--folds", "2",
                         "--fill", "interpolate", "-q")
    assert status == 0, err
