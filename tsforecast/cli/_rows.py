"""Rows of an exported table that are not data: rows with no value, and a total row at the end.

Spreadsheets export rows of delimiters only (``,,``) below the table, and often a last
row ``Total`` (``Summe``, ``Gesamt``) that sums the column. Neither is a time step: the
empty rows made the time column look unfinished (its dates were not recognised) and
then read as future rows; a total row made the time column text, the rows were taken as
steps, and the total was forecast as the last observation, without a word. Both are left
out, with a note. A row of text in the time column that is not a total word still stops
the reading (the error names it).

Loggers and statistics offices write the units on the line below the names (``date,load``
then ``,MW``): that line made every column text, and the file was refused as having no
numeric column. A first row of words and empty cells only, above a row of values where it
has words, is such a line (:func:`is_units_row`); the readers leave it out, with a note.
"""

from __future__ import annotations

import re

import pandas as pd

from ._labels import reads_as_time

__all__ = ["dates_but_the_last", "is_units_row", "without_rows_of_no_data"]

#: Words a spreadsheet's total row starts with, in a few languages.
_TOTAL = r"\s*(?:grand\s+)?(?:total|totals|sum|summe|gesamt|gesamtsumme|totaal|totale|somme|suma|σ)\s*:?\s*"
#: How many rows at the end may be totals (a total, a grand total, an average).
_LAST_ROWS = 3
#: A number as written in a cell: a sign, digits with thousands separators and a decimal
#: point or comma, an exponent, a percent sign.
_NUMBER = r"\s*[+-]?[$€£¥]?\s*(?:\d[\d,.'\s\u00a0\u202f]*|[.,]\d+)(?:[eE][+-]?\d+)?\s*%?\s*"


def without_rows_of_no_data(table: pd.DataFrame, notes: list[str] | None) -> pd.DataFrame:
    """``table`` without its rows of no value and its total rows at the end (see the module
    docstring), each left out said in ``notes``."""
    empty = table.isna().all(axis=1)
    if empty.any():
        if notes is not None:
            notes.append(f"{int(empty.sum())} empty row(s) left out (rows of delimiters only, the first at data "
                         f"row {int(empty.to_numpy().argmax()) + 1}).")
        table = table[~empty].reset_index(drop=True)
    totals = _total_rows(table)
    if totals:
        if notes is not None:
            shown = table.iloc[totals[0]].dropna().astype(str).head(3).tolist()
            notes.append(f"{len(totals)} total row(s) at the end left out (data row {totals[0] + 1}: {shown}): a "
                         "total is not a time step.")
        table = table.drop(index=totals).reset_index(drop=True)
    return table


def _total_rows(table: pd.DataFrame) -> list[int]:
    """The positions of the rows at the end whose cell in a column of dates is a total word."""
    for column in table.columns:
        values = table[column]
        if pd.api.types.is_numeric_dtype(values.dtype) or len(values) <= _LAST_ROWS:
            continue
        last = values.iloc[-_LAST_ROWS:].astype(str)
        is_total = last.str.fullmatch(_TOTAL, flags=re.IGNORECASE) & values.iloc[-_LAST_ROWS:].notna()
        if not is_total.any():
            continue
        first = int(is_total.to_numpy().argmax()) + len(values) - _LAST_ROWS
        rest = values.iloc[:first]
        if rest.notna().all() and reads_as_time(rest):
            return list(range(first, len(values)))
    return []


def dates_but_the_last(values: pd.Series) -> bool:
    """Whether every value but some of the last few reads as a date (``Source: ERP`` below
    the dates): the column is the time column, and those rows are named by the error of
    values that are not timestamps, rather than the rows taken as steps without a word."""
    if pd.api.types.is_numeric_dtype(values.dtype) or len(values) <= 2 * _LAST_ROWS:
        return False
    rest = values.iloc[:-_LAST_ROWS]
    return bool(rest.notna().all() and reads_as_time(rest))


def is_units_row(row: list, following: list) -> bool:
    """Whether ``row``, the first below the header, names units rather than values: it holds
    words and empty cells only (``EUR``, ``MW``, ``Day``; no number, no date), and the row
    after it holds a value under one of its words at least."""
    words = [_is_word(value) for value in row]
    if not any(words) or any(_is_value(value) for value in row):
        return False
    return any(word and _is_value(after) for word, after in zip(words, following))


def _is_value(value) -> bool:
    """A number or a date, as a cell holds it (text read as one too)."""
    if not isinstance(value, str):
        return not pd.isna(value)
    return bool(re.fullmatch(_NUMBER, value)) or (bool(value.strip()) and reads_as_time(pd.Series([value.strip()])))


def _is_word(value) -> bool:
    return isinstance(value, str) and bool(value.strip()) and not _is_value(value)
