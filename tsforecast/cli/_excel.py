"""Read an Excel workbook's first sheet (``.xlsx``, ``.xlsm``) as a table.

Analysts keep their series in workbooks; saving one as CSV first was the price of a
first run. The first sheet is read, with a note naming the others, through pandas and
openpyxl (the optional extra ``tsforecast[excel]``); cells Excel holds as dates arrive as
timestamps. As in a CSV file, a column name given twice is refused (pandas renames the
second ``y`` to ``y.1``) and series ids are read as text. The older binary ``.xls`` is
refused with the way out: save it as ``.xlsx`` or ``.csv``. Tables the command line writes
under an ``.xlsx`` name (forecasts, per-series scores) are written as a workbook of one sheet.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from ._delimited import check_unique

__all__ = ["EXCEL_SUFFIXES", "read_excel_table", "workbook_bytes"]

#: The workbook suffixes read (openpyxl's formats).
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def read_excel_table(path: Path, notes: list[str] | None, text_columns: list) -> pd.DataFrame:
    """The first sheet of the workbook at ``path`` (``text_columns`` read as text), its other
    sheets named in ``notes``; raises ImportError without openpyxl."""
    import openpyxl  # noqa: F401 - without it, the caller names the extra to install

    with pd.ExcelFile(path, engine="openpyxl") as book:
        sheets = book.sheet_names
        header = pd.read_excel(book, sheet_name=sheets[0], header=None, nrows=1)
        check_unique([str(name).strip() for name in header.iloc[0].dropna()] if len(header) else [], path)
        present = set(header.iloc[0].dropna().astype(str).str.strip()) if len(header) else set()
        table = pd.read_excel(book, sheet_name=sheets[0], dtype={name: str for name in text_columns if name in present})
    if len(sheets) > 1 and notes is not None:
        others = ", ".join(map(repr, sheets[1:4])) + (", ..." if len(sheets) > 4 else "")
        notes.append(f"{path.name}: its first sheet {sheets[0]!r} read, of {len(sheets)} ({others} left unread): "
                     "move the sheet to forecast to the front, or save it as .csv.")
    return table


def workbook_bytes(table: pd.DataFrame, sheet: str) -> bytes:
    """``table`` as the bytes of an ``.xlsx`` workbook of one sheet named ``sheet`` (timestamps
    as Excel dates, no index); raises ImportError without openpyxl."""
    import openpyxl  # noqa: F401 - without it, the caller names the extra to install

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as book:
        table.to_excel(book, sheet_name=sheet, index=False)
    return buffer.getvalue()
