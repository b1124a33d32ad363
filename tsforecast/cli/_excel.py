"""Read an Excel workbook's sheet (``.xlsx``, ``.xlsm``) as a table.

Analysts keep their series in workbooks; saving one as CSV first was the price of a
first run. The sheet named by ``--sheet`` is read (a name, else a position from 1), by
default the first, with a note naming the others, through pandas and
openpyxl (the optional extra ``tsforecast[excel]``); cells Excel holds as dates arrive as
timestamps. As in a CSV file, a column name given twice is refused (pandas renames the
second ``y`` to ``y.1``) and series ids are read as text. The older binary ``.xls`` is
refused with the way out: save it as ``.xlsx`` or ``.csv``. Tables the command line writes
under an ``.xlsx`` name (forecasts, per-series scores) are written as a workbook of one sheet.

Excel holds a date as a serial number of days (``43831`` is 2020-01-01, ``43831.5`` its
noon); a sheet whose date cells lost their format is exported as these numbers, which were
read as time steps with no season. A date-named column of such numbers is read as dates
(:func:`serial_dates`).
"""

from __future__ import annotations

import difflib
import io
import re
from pathlib import Path

import pandas as pd

from ..exceptions import InvalidParameterError
from ._delimited import check_unique
from ._numbers import NOT_AVAILABLE
from ._rows import is_units_row

__all__ = ["EXCEL_SUFFIXES", "read_excel_table", "serial_dates", "workbook_bytes"]

#: The workbook suffixes read (openpyxl's formats).
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
#: Excel's day 0 in its 1900 date system (day 60, the 29 February 1900 it counts, lies before
#: the dates read here).
_SERIAL_ORIGIN = pd.Timestamp("1899-12-30")
#: The dates serial numbers are read as: 1990-01-01 (32874) to 2100-01-01 (73051), beside
#: the span of :func:`tsforecast.cli._input._integer_dates`.
_SERIAL_SPAN = (32874, 73051)
#: Names of columns whose serial numbers are dates: only those saying "date" (not "time",
#: "step" or "period", whose numbers may count steps).
_DATE_NAMES = r"date|datum|fecha|^ds$|timestamp|^day$"


def read_excel_table(path: Path, notes: list[str] | None, text_columns: list, sheet: str | None = None
                     ) -> pd.DataFrame:
    """The sheet ``sheet`` (by default the first) of the workbook at ``path`` (``text_columns``
    read as text), its other sheets named in ``notes``; raises ImportError without openpyxl."""
    import openpyxl  # noqa: F401 - without it, the caller names the extra to install

    with pd.ExcelFile(path, engine="openpyxl") as book:
        sheets = book.sheet_names
        chosen = sheets[0] if sheet is None else chosen_sheet(sheet, sheets, path)
        header = pd.read_excel(book, sheet_name=chosen, header=None, nrows=3)
        check_unique([str(name).strip() for name in header.iloc[0].dropna()] if len(header) else [], path)
        present = set(header.iloc[0].dropna().astype(str).str.strip()) if len(header) else set()
        units = len(header) == 3 and is_units_row(list(header.iloc[1]), list(header.iloc[2]))
        table = pd.read_excel(book, sheet_name=chosen, dtype={name: str for name in text_columns if name in present},
                              na_values=list(NOT_AVAILABLE), skiprows=[1] if units else None)
    if units and notes is not None:
        shown = [str(value) for value in header.iloc[1].dropna()]
        notes.append(f"{path.name}: the row below the header holds no values ({shown}): read as units, left out.")
    if len(sheets) > 1 and sheet is None and notes is not None:
        others = ", ".join(map(repr, sheets[1:4])) + (", ..." if len(sheets) > 4 else "")
        notes.append(f"{path.name}: its first sheet {sheets[0]!r} read, of {len(sheets)} ({others} left unread): "
                     "--sheet NAME reads another.")
    return table


def chosen_sheet(sheet: str, sheets: list[str], path: Path) -> str:
    """The sheet ``--sheet`` names: a sheet's name (spaces around it and case aside), else its
    position from 1 (``--sheet 2``); anything else is refused with the sheets there are."""
    by_key = {name.strip().casefold(): name for name in sheets}
    if sheet.strip().casefold() in by_key:
        return by_key[sheet.strip().casefold()]
    if sheet.strip().isdigit() and 1 <= int(sheet) <= len(sheets):
        return sheets[int(sheet) - 1]
    close = difflib.get_close_matches(sheet.strip().casefold(), list(by_key), n=1, cutoff=0.6)
    hint = f" (did you mean {by_key[close[0]]!r}?)" if close else ""
    raise InvalidParameterError(f"--sheet: the workbook {str(path)!r} has no sheet {sheet!r}{hint}; its sheets are "
                                f"{', '.join(map(repr, sheets))} (or their positions 1 to {len(sheets)}).")


def workbook_bytes(table: pd.DataFrame, sheet: str) -> bytes:
    """``table`` as the bytes of an ``.xlsx`` workbook of one sheet named ``sheet`` (timestamps
    as Excel dates, no index); raises ImportError without openpyxl."""
    import openpyxl  # noqa: F401 - without it, the caller names the extra to install

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as book:
        table.to_excel(book, sheet_name=sheet, index=False)
    return buffer.getvalue()


def serial_dates(values: pd.Series, column) -> tuple[pd.Series, str] | None:
    """The dates Excel's serial numbers ``values`` stand for, and how they were written, where
    the column's name says "date" and every value lies in :data:`_SERIAL_SPAN`; else None.
    Fractions of a day are times of day, rounded to the second (``43831.041666666664`` is
    01:00)."""
    numeric = pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype)
    if not numeric or values.empty or values.isna().any() or not re.search(_DATE_NAMES, str(column).strip(),
                                                                           flags=re.IGNORECASE):
        return None
    if not (_SERIAL_SPAN[0] <= values.min() and values.max() < _SERIAL_SPAN[1]):
        return None
    stamps = (_SERIAL_ORIGIN + pd.to_timedelta(values.astype(float), unit="D")).dt.round("s")
    return stamps, "Excel's serial dates (days since 1899-12-30; rename the column if they count steps)"
