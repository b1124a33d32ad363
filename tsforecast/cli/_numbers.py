"""Numbers as spreadsheets display them: thousands separators, currency signs and units.

A column exported "as displayed" holds ``"1,234.56"``, ``"$1,234.56"``, ``"1234.5 €"``,
``"12.5%"`` or ``"1200.5 kWh"``, or, where the thousands are grouped by spaces (French,
Nordic and ISO locales: a space, U+00A0 or U+202F) or apostrophes (Swiss), ``"1 234,56"``
and ``"1'234.56"``: text to pandas, so the file had no numeric column to forecast, and the
error asked for plain numbers. Where every value of a text column is such a number, one way
only, it is read as the number (percent values in percent: ``12.5%`` is 12.5), with a note.
Where two readings are possible (``"1,250"`` alone: one thousand two hundred and fifty, or
1.25 with a decimal comma) the column stays text and the error stands. Numbers with
decimal commas are read where the delimiter says so (``;`` and tab files, see
:mod:`._delimited`).

A cell that says its number is missing, an Excel error (``#DIV/0!``, ``#VALUE!``) or a mark
as statistics tables and reports write it (``-``, ``n.a.``, Eurostat's ``:``), is read as
missing (:data:`NOT_AVAILABLE`, beside pandas' own ``NA``, ``#N/A``, ``null``): the column
stays numeric, and the missing value is named by date, or repaired by ``--fill``. Such a
cell made the whole column text, refused as "no numeric column".

Eurostat's tables flag some values with letters after them (``101.2 p``: provisional;
``99.0 e``: estimated; ``: c``, confidential, for a missing one): a column of flagged and
plain values is read as its numbers, the flags dropped, with one note for all such columns.
"""

from __future__ import annotations

import re

import pandas as pd

__all__ = ["NOT_AVAILABLE", "plain_numbers"]

#: Cells read as missing values besides pandas' defaults: Excel's errors and the marks of
#: statistics tables (whole cells only: ``-5`` is a number).
NOT_AVAILABLE = ("#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#SPILL!", "#CALC!", "#GETTING_DATA",
                 "-", "--", "\u2013", "\u2014", "?", ".", "..", ":", "n.a.", "N.A.", "n.v.", "k.A.", "missing")

#: Currency codes read before a number (``EUR 1 234,56``); other words there (``SKU 1001``)
#: name things, and the column stays text.
_CODES = "USD|EUR|GBP|JPY|CHF|CAD|AUD|NZD|CNY|HKD|SGD|INR|SEK|NOK|DKK|PLN|CZK|HUF|BRL|MXN|ZAR|KRW|TRY"
#: What may stand before a number (a currency sign or code) and after it (a currency or
#: percent sign, or a unit: ``kWh``, ``°C``, ``m³``, ``EUR``).
_BEFORE, _AFTER = rf"[$€£¥]|(?:{_CODES})(?=\s)", r"[$€£¥%]|[^\W\d_][\w°/²³]{0,5}|°[CF]"
#: The signs of money: a currency sign, or a code of :data:`_CODES`.
_MONEY = rf"[$€£¥]|{_CODES}"
#: A value of a Eurostat table: a number or ``:`` (missing), then flags (``p``, ``e``, ``bep``).
_FLAGGED = r"\s*(?P<number>[+-]?\d+(?:\.\d+)?|:)\s*(?P<flags>[bcdefnprsuz]{0,4})\s*"
#: Characters that group thousands where they are not commas.
_SPACES = "\u0020\u00a0\u202f'\u2019"


def _displayed(group: str, decimal: str) -> str:
    """A number as displayed: a sign, a currency sign, digits grouped by ``group`` in threes
    (or not at all), a decimal part after ``decimal``, then a currency, percent sign or unit."""
    return (rf"\s*(?P<sign>[+-]?)\s*(?P<before>(?:{_BEFORE})?)\s*(?P<minus>-?)"
            rf"(?P<digits>\d{{1,3}}(?:{group}\d{{3}})+|\d+)(?P<decimals>{decimal}\d+)?\s*(?P<after>(?:{_AFTER})?)\s*")


#: Commas between thousands, a decimal point (``1,234.56``); spaces or apostrophes between
#: thousands, a decimal point or comma (``1 234,56``, ``1'234.56``).
_DISPLAYED, _SPACED = _displayed(",", r"\."), _displayed(f"[{_SPACES}]", "[.,]")


def plain_numbers(table: pd.DataFrame, text_columns, notes: list[str] | None) -> pd.DataFrame:
    """``table`` with each text column whose values are all numbers as displayed (one
    currency or percent sign throughout, thousands grouped unmistakably) read as numbers;
    each such column said in ``notes``. ``text_columns`` (series ids) stay text."""
    columns, flagged = {}, []
    for column in table.columns:
        values = table[column]
        if column in text_columns or not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        text = values.dropna().astype(str)
        flags_dropped = _without_flags(text)  # before units: '99.0 e' in every row is a flag, not a unit 'e'
        if flags_dropped is not None:
            columns[column] = flags_dropped.reindex(values.index)
            flagged.append(str(column))
            continue
        read = _read_displayed(text)
        if read is not None:
            numbers, said = read
            columns[column] = numbers.reindex(values.index)
            if notes is not None:
                notes.append(f"{column!r}: numbers read without their {said} (as {values.dropna().iloc[0]!r} -> "
                             f"{numbers.iloc[0]:g}).")
    if flagged and notes is not None:
        more = ", ..." if len(flagged) > 3 else ""
        notes.append(f"numbers read without their Eurostat flags ('101.2 p' -> 101.2; ': c' as missing) in "
                     f"{len(flagged)} column(s): {', '.join(map(repr, flagged[:3]))}{more}.")
    return table.assign(**columns) if columns else table


def _without_flags(text: pd.Series) -> pd.Series | None:
    """The numbers of a column of Eurostat values (:data:`_FLAGGED`), where some value carries
    a flag; ``:`` is missing. None where a value is not such."""
    parts = text.str.extract(f"^{_FLAGGED}$")
    if text.empty or parts["number"].isna().any() or not parts["flags"].str.len().gt(0).any():
        return None
    return pd.to_numeric(parts["number"].where(parts["number"] != ":"), errors="coerce").astype(float)


def _read_displayed(text: pd.Series) -> tuple[pd.Series, str] | None:
    """The numbers ``text`` displays and what was dropped to read them, or None where a value
    is not such a number, the signs differ between values, or the grouping is unclear."""
    if text.empty:
        return None
    parts, group = text.str.extract(f"^{_DISPLAYED}$"), ","
    if parts["digits"].isna().any():
        parts, group = text.str.extract(f"^{_SPACED}$"), f"[{_SPACES}]"
        if parts["digits"].isna().any() or not _spaced_unmistakably(parts):
            return None
    signs = set(parts["before"]) | set(parts["after"])
    grouped = parts["digits"].str.contains(group)
    if len(signs - {""}) > 1 or len(set(parts["before"] + "|" + parts["after"])) > 1:
        return None  # $ beside €, or 12% beside 12: not one unit
    money = any(re.fullmatch(_MONEY, sign) for sign in signs)
    if group == "," and grouped.any() and not (parts["decimals"].notna().any()
                                               or parts["digits"].str.count(",").gt(1).any() or money):
        return None  # '1,250' or '1,250 kg' alone: 1250, or 1.25 with a decimal comma ('$1,250' is money)
    if not grouped.any() and signs == {""}:
        return None  # plain numbers pandas would have read: something else in this column
    negative = (parts["sign"] == "-") ^ (parts["minus"] == "-")
    numbers = pd.to_numeric(parts["digits"].str.replace(group, "", regex=True)
                            + parts["decimals"].fillna("").str.replace(",", ".", regex=False))
    numbers = numbers.where(~negative, -numbers)
    unit = (signs - {""}).pop() if signs - {""} else ""
    kind = "sign" if unit in {"$", "€", "£", "¥", "%"} else "unit"
    said = [name for name, used in (("thousands separators", grouped.any()), (f"{unit!r} {kind}", bool(unit))) if used]
    return pd.Series(numbers.to_numpy(dtype=float), index=text.index), " and ".join(said)


def _spaced_unmistakably(parts: pd.DataFrame) -> bool:
    """Whether numbers read by :data:`_SPACED` group their thousands (some value does: else the
    decimal commas are the delimited reader's to read) with one decimal mark throughout."""
    grouped = parts["digits"].str.contains(f"[{_SPACES}]")
    marks = set(parts["decimals"].dropna().str[0])
    return bool(grouped.any()) and len(marks) <= 1
