"""Read an Excel workbook's sheet (``.xlsx``, ``.xlsm``) as a table.

Analysts keep their series in workbooks; saving one as CSV first was the price of a
first run. The sheet named by ``--sheet`` is read (a name, else a position from 1), by
default the first, with a note naming the others, through pandas and
openpyxl (the optional extra ``tsforecast[excel]``); cells Excel holds as dates arrive as
timestamps. As in a CSV file, a column name given twice is refused (pandas renames the
second ``y`` to ``y.1``) and series ids are read as text. The older binary ``.xls`` is
refused with the way out: save it as ``.xlsx`` or ``.csv``. Tables the command line writes
under an ``.xlsx`` name (forecasts, per-series scores) are written as a workbook of one sheet.
"""

from __future__ import annotations

import difflib
import io
from pathlib import Path

import pandas as pd

from ..exceptions import InvalidParameterError
from ._delimited import check_unique

__all__ = ["EXCEL_SUFFIXES", "read_excel_table", "workbook_bytes"]

#: The workbook suffixes read (openpyxl's formats).
EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def read_excel_table(path: Path, notes: list[str] | None, text_columns: list, sheet: str | None = None
                     ) -> pd.DataFrame:
    """The sheet ``sheet`` (by default the first) of the workbook at ``path`` (``text_columns``
    read as text), its other sheets named in ``notes``; raises ImportError without openpyxl."""
    import openpyxl  # noqa: F401 - without it, the caller names the extra to install

    with pd.ExcelFile(path, engine="openpyxl") as book:
        sheets = book.sheet_names
        chosen = sheets[0] if sheet is None else chosen_sheet(sheet, sheets, path)
        header = pd.read_excel(book, sheet_name=chosen, header=None, nrows=1)
        check_unique([str(name).strip() for name in header.iloc[0].dropna()] if len(header) else [], path)
        present = set(header.iloc[0].dropna().astype(str).str.strip()) if len(header) else set()
        table = pd.read_excel(book, sheet_name=chosen, dtype={name: str for name in text_columns if name in present})
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
