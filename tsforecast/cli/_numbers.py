"""Numbers as spreadsheets display them: thousands separators, currency and percent signs.

A column exported "as displayed" holds ``"1,234.56"``, ``"$1,234.56"``, ``"1234.5 €"`` or
``"12.5%"``: text to pandas, so the file had no numeric column to forecast, and the error
asked for plain numbers. Where every value of a text column is such a number, one way only,
it is read as the number (percent values in percent: ``12.5%`` is 12.5), with a note.
Where two readings are possible (``"1,250"`` alone: one thousand two hundred and fifty, or
1.25 with a decimal comma) the column stays text and the error stands. Numbers with
decimal commas are read where the delimiter says so (``;`` and tab files, see
:mod:`._delimited`).
"""

from __future__ import annotations

import pandas as pd

__all__ = ["plain_numbers"]

#: A number as displayed: a sign, a currency sign, digits grouped by commas in threes (or
#: not at all), a decimal part, then a currency or percent sign.
_DISPLAYED = (r"\s*(?P<sign>[+-]?)\s*(?P<before>[$€£¥]?)\s*(?P<minus>-?)"
              r"(?P<digits>\d{1,3}(?:,\d{3})+|\d+)(?P<decimals>\.\d+)?\s*(?P<after>[$€£¥%]?)\s*")


def plain_numbers(table: pd.DataFrame, text_columns, notes: list[str] | None) -> pd.DataFrame:
    """``table`` with each text column whose values are all numbers as displayed (one
    currency or percent sign throughout, thousands grouped unmistakably) read as numbers;
    each such column said in ``notes``. ``text_columns`` (series ids) stay text."""
    columns = {}
    for column in table.columns:
        values = table[column]
        if column in text_columns or not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        read = _read_displayed(values.dropna().astype(str))
        if read is not None:
            numbers, said = read
            columns[column] = numbers.reindex(values.index)
            if notes is not None:
                notes.append(f"{column!r}: numbers read without their {said} (as {values.dropna().iloc[0]!r} -> "
                             f"{numbers.iloc[0]:g}).")
    return table.assign(**columns) if columns else table


def _read_displayed(text: pd.Series) -> tuple[pd.Series, str] | None:
    """The numbers ``text`` displays and what was dropped to read them, or None where a value
    is not such a number, the signs differ between values, or the grouping is unclear."""
    if text.empty:
        return None
    parts = text.str.extract(f"^{_DISPLAYED}$")
    if parts["digits"].isna().any():
        return None
    signs = set(parts["before"]) | set(parts["after"])
    grouped = parts["digits"].str.contains(",", regex=False)
    if len(signs - {""}) > 1 or len(set(parts["before"] + "|" + parts["after"])) > 1:
        return None  # $ beside €, or 12% beside 12: not one unit
    if grouped.any() and not (parts["decimals"].notna().any() or parts["digits"].str.count(",").gt(1).any()
                              or (signs - {"", "%"})):
        return None  # '1,250' alone: 1250, or 1.25 with a decimal comma
    if not grouped.any() and signs == {""}:
        return None  # plain numbers pandas would have read: something else in this column
    negative = (parts["sign"] == "-") ^ (parts["minus"] == "-")
    numbers = pd.to_numeric(parts["digits"].str.replace(",", "", regex=False) + parts["decimals"].fillna(""))
    numbers = numbers.where(~negative, -numbers)
    said = [name for name, used in (("thousands separators", grouped.any()),
                                    (f"{(signs - {''}).pop()!r} sign" if signs - {""} else "", bool(signs - {""})))
            if used]
    return pd.Series(numbers.to_numpy(dtype=float), index=text.index), " and ".join(said)
