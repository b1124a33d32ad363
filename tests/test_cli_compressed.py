"""Compressed data files (``tsforecast.cli._compressed``): ``.gz``, ``.bz2``, ``.xz`` and a
one-file ``.zip`` of a ``.csv``/``.tsv`` read as the file inside, with every rule of it."""

from __future__ import annotations

import bz2
import gzip
import lzma
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from _cli_helpers import one_line_error, run
from tsforecast.cli._input import read_table
from tsforecast.exceptions import InvalidInputError, InvalidParameterError


def _text(sep: str = ",", decimal: str = ".") -> str:
    days = pd.date_range("2024-03-01", periods=40, freq="D")
    sales = 100 + np.arange(40) * 1.25 + 10 * np.sin(np.arange(40) * 2 * np.pi / 7)
    rows = [sep.join([f"{day:%Y-%m-%d}", f"{value:.2f}".replace(".", decimal)]) for day, value in zip(days, sales)]
    return "\n".join([sep.join(["date", "sales"]), *rows]) + "\n"


def _compressed(path: Path, data: bytes) -> Path:
    """``data`` written to ``path`` compressed by the codec its suffix names."""
    if path.suffix == ".zip":
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(path.with_suffix("").name, data)
    else:
        path.write_bytes({".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}[path.suffix](data))
    return path


@pytest.mark.parametrize("name", ["sales.csv.gz", "sales.CSV.bz2", "sales.txt.xz", "sales.csv.zip"])
def test_a_compressed_csv_reads_as_the_file_inside(tmp_path, name):
    plain = tmp_path / "sales.csv"
    plain.write_text(_text())
    packed = _compressed(tmp_path / name, _text().encode())
    pd.testing.assert_frame_equal(read_table(packed), read_table(plain))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "cp1252"])
def test_the_inner_files_delimiter_decimal_commas_and_encoding_are_found(tmp_path, encoding):
    text = _text(";", ",").replace("sales", "Umsatz \u00e4")  # a letter whose bytes differ by encoding
    notes: list[str] = []
    table = read_table(_compressed(tmp_path / "umsatz.csv.gz", text.encode(encoding)), notes)
    assert list(table.columns) == ["date", "Umsatz \u00e4"]
    assert table["Umsatz \u00e4"].iloc[1] == pytest.approx(100 + 1.25 + 10 * np.sin(2 * np.pi / 7), abs=0.006)
    assert any("fields separated by ';', decimal commas" in note for note in notes)
    assert any("Windows-1252" in note for note in notes) == (encoding == "cp1252")


def test_a_compressed_tsv_is_read_on_tabs(tmp_path):
    table = read_table(_compressed(tmp_path / "sales.tsv.gz", _text("\t").encode()))
    assert list(table.columns) == ["date", "sales"] and len(table) == 40


def test_the_cli_backtests_a_compressed_file_as_the_plain_one(capsys, tmp_path):
    plain = tmp_path / "sales.csv"
    plain.write_text(_text())
    packed = _compressed(tmp_path / "sales.csv.gz", _text().encode())
    outputs = []
    for path in (plain, packed):
        status, out, err = run(capsys, "backtest", "--data", path, "-H", "7", "--folds", "2", "--models", "naive,snaive")
        assert status == 0, err
        outputs.append(out)
    assert outputs[0] == outputs[1]


def test_a_zip_of_two_files_is_refused_naming_them(tmp_path):
    path = tmp_path / "exports.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.csv", _text())
        archive.writestr("b.csv", _text())
    path = path.rename(tmp_path / "exports.csv.zip")
    with pytest.raises(InvalidInputError, match=r"zip archive of 2 files \(\['a.csv', 'b.csv'\]\)"):
        read_table(path)


@pytest.mark.parametrize("damage", ["truncated", "not compressed"])
def test_a_damaged_compressed_file_is_refused_naming_it(tmp_path, damage):
    data = gzip.compress(_text().encode())
    path = tmp_path / "sales.csv.gz"
    path.write_bytes(data[: len(data) // 2] if damage == "truncated" else _text().encode())
    with pytest.raises(InvalidInputError, match=r"--data file '.*sales\.csv\.gz' could not be read"):
        read_table(path)


@pytest.mark.parametrize("name", ["model.parquet.gz", "sales.json.gz", "sales.gz"])
def test_other_compressed_files_are_refused_with_the_kinds_read(capsys, tmp_path, name):
    path = _compressed(tmp_path / name, b"x")
    with pytest.raises(InvalidParameterError, match=r"the first two also compressed \(\.gz, \.bz2, \.xz, \.zip"):
        read_table(path)
    status, _, err = run(capsys, "backtest", "--data", path, "-H", "2", "--models", "naive")
    assert status != 0 and "unknown suffix" in one_line_error(err)
