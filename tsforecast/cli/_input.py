"""Read the command line's data: a CSV or Parquet file, or a bundled dataset.

A file is a table with one row per time step (and per series for a panel): a time
column, the target and covariate columns, and for a panel an id column. The result is
what the library takes: one frame indexed by time, or the long panel format
(``unique_id``, ``ds``, value columns). Every problem raises an exception from
:mod:`tsforecast.exceptions` whose message names the option and the value.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..core.forms import ID_COLUMN, TIME_COLUMN
from ..core.silencing import silenced
from ..core.timeindex import likely_freq, read_day_first, read_iso8601
from ..core.validation import first_non_number
from ..exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    UnknownColumnError,
)
from ._clock_changes import across_clock_changes
from ._compressed import COMPRESSED_SUFFIXES, READ_ERRORS, inner_suffix
from ._delimited import check_unique, read_text_table
from ._excel import EXCEL_SUFFIXES, read_excel_table, serial_dates
from ._frequency import as_frequency, frequency_of
from ._labels import read_period_labels, reads_as_time
from ._numbers import plain_numbers
from ._rows import dates_but_the_last, without_rows_of_no_data
from ._series_ids import implied_id_column, repeated_dates_hint
from ._time_of_day import time_of_day
from ._transposed import dates_as_rows
from ._wide import STACKED_TARGET, drop_leading_empty, stacked

__all__ = ["TIME_COLUMN_NAMES", "Selection", "read_table", "select", "load_dataset", "split_names"]

#: Column names taken as the time column when ``--time-column`` is not given.
TIME_COLUMN_NAMES = ("ds", "date", "datetime", "timestamp", "time", "period")
_READERS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet",
            **{suffix: "excel" for suffix in EXCEL_SUFFIXES}}
#: The extra each kind of file needs installed, by the module whose absence says so.
_EXTRAS = {"parquet": ("Parquet", "pyarrow", "parquet"), "excel": ("Excel workbooks", "openpyxl", "excel")}


@dataclass
class Selection:
    """The data and the roles of its columns, ready for the library."""

    data: pd.DataFrame
    target: str
    covariates: list[str]
    future_covariates: list[str]
    name: str
    #: What was inferred about the columns (the time column taken, the long format seen), for stderr.
    notes: list[str] = field(default_factory=list)


def split_names(value: str | None, option: str) -> list[str]:
    """``"a,b"`` -> ``["a", "b"]``; empty or missing -> ``[]``.

    Examples
    --------
    >>> split_names("temp_min, wind", "--covariates")
    ['temp_min', 'wind']
    """
    if value is None:
        return []
    names = [part.strip() for part in value.split(",") if part.strip()]
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"{option} names a column twice; got {value!r}.")
    return names


def read_table(path: str | Path, notes: list[str] | None = None, text_columns=(), sheet: str | None = None
               ) -> pd.DataFrame:
    """Read a ``.csv``/``.tsv``/``.parquet``/``.xlsx`` file into a DataFrame (no index set); a ``.csv``
    or ``.tsv`` file may be compressed (``.gz``, ``.bz2``, ``.xz``, or a ``.zip`` of that one file),
    and a workbook's sheet ``sheet`` (default: its first) is read (:mod:`._excel`); ``sheet`` given
    for another kind of file is refused.

    A ``.csv`` file's delimiter is the one of ``, ; | tab`` that splits its header and first
    lines into as many fields each (a ``;``-separated file, as spreadsheets write where the decimal mark is a comma, is
    read with decimal commas where that makes more columns numeric, and dots between groups
    of three digits as thousands separators there: ``1.000`` beside ``990``; a column so
    written in a file without decimal commas is refused, 1.0 or 1000; a tab-separated file is
    read with decimal commas where that makes more columns numeric too); a delimiter other
    than the comma is said in ``notes``. Rows with more fields than the header has names
    are refused: pandas would silently take the first field as the index. So are
    repeated column names (pandas renames the second ``y`` to ``y.1``); spaces around
    the names are dropped. A Parquet file's pandas index is read as a column (see
    :func:`_parquet_table`). ``text_columns`` (series ids) are read as written, as text:
    ``02134`` and ``2134`` are two series.
    """
    path = Path(path)
    kind = _READERS.get(inner_suffix(path))
    compressed = path.suffix.lower() in COMPRESSED_SUFFIXES
    if kind is None or (compressed and kind in _EXTRAS):  # Parquet and workbooks compress inside the file
        suffix = "".join(path.suffixes[-2:]) if compressed else path.suffix
        old_excel = " (an Excel 97-2003 workbook: save it as .xlsx or .csv)" if suffix.lower() == ".xls" else ""
        raise InvalidParameterError(
            f"--data must be a .csv (or .txt), .tsv, .parquet (or .pq) or .xlsx file, the first two also compressed "
            f"({', '.join(COMPRESSED_SUFFIXES)}: sales.csv.gz); got {str(path)!r} (unknown suffix {suffix!r})"
            f"{old_excel}."
        )
    if not path.is_file():
        raise FileNotFoundError(f"--data file {str(path)!r} does not exist or is not a file.")
    if sheet is not None and kind != "excel":
        raise InvalidParameterError(f"--sheet applies to Excel workbooks (.xlsx, .xlsm); got {sheet!r} with --data "
                                    f"{str(path)!r}.")
    try:
        if kind == "parquet":
            table = _parquet_table(path, notes)
        elif kind == "excel":
            table = read_excel_table(path, notes, list(text_columns), sheet)
        else:
            table = read_text_table(path, kind, notes, list(text_columns))
    except (InvalidInputError, InvalidParameterError):  # ours, already naming the file or --sheet
        raise
    except pd.errors.EmptyDataError:
        raise InsufficientDataError(f"--data file {str(path)!r} is empty (no header, no rows).") from None
    except pd.errors.ParserError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise InvalidInputError(f"--data file {str(path)!r} is not a valid table: {reason}") from None
    except ImportError as error:
        what, module, extra = _EXTRAS[kind]
        raise InvalidParameterError(
            f"--data {str(path)!r}: reading {what} needs {module} (pip install 'tsforecast[{extra}]'): {error}"
        ) from None
    except (ValueError, OSError, *READ_ERRORS) as error:  # READ_ERRORS: a damaged compressed file or workbook
        if isinstance(error, FileNotFoundError):
            raise
        raise InvalidInputError(f"--data file {str(path)!r} could not be read: {error}") from None
    if len(table) == 0:
        raise InsufficientDataError(f"--data file {str(path)!r} has a header but no rows: {list(table.columns)!r}.")
    table = _tidy_names(_without_trailing_empty_columns(table, notes), path, notes)
    table = plain_numbers(without_rows_of_no_data(table, notes), list(text_columns), notes)
    if kind not in _EXTRAS and not isinstance(table.index, pd.RangeIndex):  # pandas took a first field as the index
        raise InvalidInputError(
            f"--data file {str(path)!r} has rows with more fields than its header has names "
            f"({list(map(str, table.columns))!r}), from data row 1 (starting {table.index[0]!r}); "
            "is a value written with the delimiter in it (a decimal comma in a comma-separated file)?"
        )
    return dates_as_rows(table, path.name, notes)


def _parquet_table(path: Path, notes: list[str] | None) -> pd.DataFrame:
    """A Parquet file's table with the pandas index it restores (``df.to_parquet`` keeps one)
    as columns: a named index (``date``), or an unnamed one of timestamps (as ``ds``), is a
    column like the others; an unnamed index of other values (row labels left by
    ``pd.concat``) is dropped; both said in ``notes``."""
    table = pd.read_parquet(path)
    index = table.index
    if isinstance(index, pd.RangeIndex):  # row numbers, sliced or sorted: nothing to keep
        return table.reset_index(drop=True)
    dates = index.nlevels == 1 and index.name is None and isinstance(index, pd.DatetimeIndex) \
        and TIME_COLUMN not in table.columns
    if dates:
        table.index = index = index.rename(TIME_COLUMN)
    kept = [name for name in index.names if name is not None and name not in table.columns]
    if notes is not None and kept:
        said = f"of timestamps without a name read as the column {TIME_COLUMN!r}" if dates else \
            f"{', '.join(map(repr, kept))} read as a column"
        notes.append(f"{path.name}: its index {said}.")
    if notes is not None and len(kept) < index.nlevels:
        notes.append(f"{path.name}: its index without a name (row labels, as pd.concat leaves them) dropped.")
    return (table.reset_index(level=kept) if kept else table).reset_index(drop=True)


def _tidy_names(table: pd.DataFrame, path: Path, notes: list[str] | None) -> pd.DataFrame:
    """Column names without the spaces around them (`` date , y ``), said in ``notes``."""
    names = [c.strip() if isinstance(c, str) else c for c in table.columns]
    if names != list(table.columns):
        check_unique(names, path)
        if notes is not None:
            notes.append(f"{path.name}: spaces around column names dropped.")
        table.columns = names
    return table


def _without_trailing_empty_columns(table: pd.DataFrame, notes: list[str] | None) -> pd.DataFrame:
    """``table`` less the nameless, empty columns a delimiter at the end of each line makes."""
    empty = [c for c in table.columns if str(c).startswith("Unnamed: ") and table[c].isna().all()]
    if empty and notes is not None:
        notes.append(f"dropped {len(empty)} empty column(s) without a name (a delimiter at the end of each line).")
    return table.drop(columns=empty)


def _check_named(table: pd.DataFrame, names: list[str], option: str, source: str) -> None:
    missing = [name for name in names if name not in table.columns]
    if missing:
        columns = [str(c) for c in table.columns]
        close = difflib.get_close_matches(str(missing[0]), columns, n=1, cutoff=0.6) or \
            [c for c in columns if c.lower() == str(missing[0]).lower()]
        shown = ", ".join(map(repr, columns[:20])) + (f", ... ({len(columns)} in all)" if len(columns) > 20 else "")
        raise UnknownColumnError(
            f"{option} names {', '.join(repr(m) for m in missing)}, not a column of {source}"
            f"{f' (did you mean {close[0]!r}?)' if close else ''}; its columns are {shown}."
        )


def _time_column(table: pd.DataFrame, time_column: str | None, source: str, notes: list[str]) -> str | None:
    """``--time-column``, else a column of the usual names, else the one column of dates."""
    if time_column is not None:
        _check_named(table, [time_column], "--time-column", source)
        return time_column
    lower = {str(c).lower(): c for c in table.columns}
    named = next((lower[name] for name in TIME_COLUMN_NAMES if name in lower), None)
    if named is not None:
        return named
    dates = [c for c in table.columns if reads_as_time(table[c])
             or (_named_like_time(c) and (_numeric_dates(table[c], c) is not None or dates_but_the_last(table[c])))]
    if len(dates) > 1:
        raise InvalidParameterError(
            f"{source} has {len(dates)} columns of dates ({', '.join(map(repr, dates))}); "
            "name the time column with --time-column."
        )
    if dates:
        notes.append(f"time column: {dates[0]!r} (its values are dates; --time-column chooses another)")
        return dates[0]
    return None


def _with_clock(table: pd.DataFrame, time, taken: list, notes: list[str]) -> tuple[pd.Series, object]:
    """The time column's values, joined to the times of day of the one other column that
    holds only those (``Date`` ``16/12/2006``, or ``20061216``, beside ``Time`` ``17:24:00``,
    as exports and the UCI household power data write them) or hour numbers (``HE`` 1 to 24,
    :mod:`._time_of_day`) where the dates have none, said in ``notes``; and that column (or None).
    Read alone, such dates repeat once a reading and were refused as duplicated."""
    values = table[time]
    days = _days_written(values)
    if days is None:
        return values, None  # time steps, or the times are there already
    found = time_of_day(table, [c for c in table.columns if c not in taken])
    if found is None:
        return values, None
    column, clock, said = found
    notes.append(f"time column: {time!r} and {column!r} read together ({said})")
    return days + " " + clock, column


def _days_written(values: pd.Series) -> pd.Series | None:
    """The dates of a time column without times of day, as text (``YYYYMMDD`` integers as
    ``2024-01-31``); None for integer steps, Unix time, numbers, or values that hold times."""
    if pd.api.types.is_integer_dtype(values.dtype):
        dates = _integer_dates(values)
        return None if dates is None or dates[1] != _YYYYMMDD else dates[0].dt.strftime("%Y-%m-%d")
    if pd.api.types.is_numeric_dtype(values.dtype) or values.astype(str).str.contains(":", regex=False).any():
        return None
    return values.astype(str).str.strip()


#: Words of column names that hold time (``Year``, ``week``, ``Monat``) though not of dates pandas reads.
_TIME_WORDS = r"year|quarter|month|week|day|date|time|period|step|jahr|monat|woche|tag|datum|annee|mois|jour"


def _check_no_time_left_unused(table: pd.DataFrame, taken: list, id_column: str | None, source: str,
                               notes: list[str]) -> None:
    """Without a time column, rows are steps in file order: refuse a column left unused
    that looks like time (a name of ``_TIME_WORDS``, or integers) whose values do not rise
    in file order (``Year`` 2035 down to 2000: the forecast would start from the oldest
    value), naming it and ``--time-column``; else say in ``notes`` that it is left unused."""
    unused = [c for c in table.columns if c not in taken and _looks_like_time(table, c, id_column)]
    if not unused:
        return
    column = unused[0]
    values = table[column].to_numpy()
    ids = table[id_column].to_numpy() if id_column else None
    same_series = ids[1:] == ids[:-1] if id_column else True
    try:
        falling = (values[1:] < values[:-1]) & same_series
    except TypeError:  # values of mixed types: no order to check
        falling = np.zeros(0, dtype=bool)
    if falling.any():
        row = int(np.flatnonzero(falling)[0]) + 1
        raise InvalidInputError(
            f"{source} has no time column its values read as dates, and {column!r} looks like one but falls in file "
            f"order ({values[row - 1]!r}, then {values[row]!r} in data row {row + 1}): rows would be taken as steps in "
            "file order, the forecast following the last row. Sort the rows oldest first, or name it with "
            "--time-column (where its values are dates or integer time steps).")
    notes.append(f"no time column: rows are time steps 0, 1, ... in file order; {column!r} is left unused "
                 "(--time-column names a time column of dates or integer time steps).")


def _named_like_time(column) -> bool:
    """Whether ``column``'s name holds one of ``_TIME_WORDS`` (``Year``, ``day``, ``Datum``)."""
    return re.search(_TIME_WORDS, str(column), flags=re.IGNORECASE) is not None


def _looks_like_time(table: pd.DataFrame, column, id_column: str | None) -> bool:
    """A name of ``_TIME_WORDS``, or integers each once in a series (years, steps; not a 0/1 flag)."""
    if _named_like_time(column):
        return True
    keys = [column] if id_column is None else [id_column, column]
    return pd.api.types.is_integer_dtype(table[column].dtype) and not table.duplicated(keys).any()


def _id_column(table: pd.DataFrame, id_column: str | None, source: str, notes: list[str]) -> str | None:
    """``--id-column``, else ``unique_id`` (the long format of Nixtla's libraries) when present."""
    if id_column is not None:
        _check_named(table, [id_column], "--id-column", source)
        return id_column
    if ID_COLUMN in table.columns:
        notes.append(f"long format: one series per {ID_COLUMN!r} (--id-column chooses another column)")
        return ID_COLUMN
    return None


def _key_words(option: str, column: str, given: dict) -> str:
    """``--id-column 'x'`` as given, or ``the id column 'x' (the default; ...)`` as inferred."""
    if given[option] is not None:
        return f"{option} {column!r}"
    return f"the {option[2:-len('-column')]} column {column!r} (the default; {option} chooses another)"


def _check_time_not_id(time: str | None, id_column: str | None, given: dict) -> None:
    """Refuse one column as both the time and the id column, naming the options (before:
    an AttributeError from the two columns of one name)."""
    if time is None or time != id_column:
        return
    named = [option for option in ("--time-column", "--id-column") if given[option] is not None]
    if len(named) == 2:
        clash, fix = f"--time-column and --id-column both name {time!r}", "one of them"
    else:
        clash = (f"{_key_words('--id-column', id_column, given)} is also "
                 f"{_key_words('--time-column', time, given)}")
        fix = named[0] if named else "--id-column or --time-column"
    raise InvalidParameterError(f"{clash}: a column holds either the series ids or the timestamps; "
                                f"name another column with {fix}.")


def _check_roles(time: str | None, id_column: str | None, given: dict, values: dict) -> None:
    """Refuse a time or id column that is also the target or a covariate, naming the
    options and that column (before: 'the time or id column' named the time column always)."""
    for option, column in (("--time-column", time), ("--id-column", id_column)):
        clash = next((other for other, names in values.items() if column is not None and column in names), None)
        if clash is not None:
            raise InvalidParameterError(
                f"{_key_words(option, column, given)} is also named by {clash}: a column is the "
                f"{option[2:-len('-column')]} column or a value column, not both; name another with "
                f"{option if given[option] is not None else clash}.")


def _target(table: pd.DataFrame, target: str | None, taken: list, source: str, panel_hint: str = "") -> str:
    """``--target``, else ``y`` in the long format, else the one numeric column left; where
    it cannot tell, the error offers several targets, or where the dates repeat (a panel
    whose id column was not found) ``panel_hint``."""
    if target is not None:
        return target
    free = [c for c in table.columns if c not in taken]
    if "y" in free and ID_COLUMN in taken:
        return "y"
    numeric = [c for c in free if pd.api.types.is_numeric_dtype(table[c].dtype)]
    if len(numeric) == 1:
        return numeric[0]
    if numeric:
        raise InvalidParameterError(
            f"--target must name the column to forecast; got none, and {source} has {len(numeric)} numeric "
            f"column(s) besides the time and id columns: {', '.join(repr(str(c)) for c in numeric)}. Name one"
            + (f"; {panel_hint}." if panel_hint else f", or several, comma-separated, to forecast each as its own "
                                                      f"series (--target {','.join(str(c) for c in numeric[:2])}).")
        )
    text = "; ".join(f"{str(c)!r} holds text such as {first_non_number(table[c])!r}" for c in free[:3])
    raise InvalidParameterError(
        f"--target must name the column to forecast; got none, and {source} has no numeric column besides "
        f"the time and id columns{': ' + text if text else ''} (numbers written with thousands separators "
        "or units must be plain numbers)."
    )


def _parse_time(values: pd.Series, column: str, source: str, notes: list[str]) -> pd.Series:
    """Timestamps (or integer time steps) of the time column; names the first bad value.

    Dates written day first (``13/01/2024``) are read so when the month-first reading
    fails on some of them and the day-first one reads them all, or when both read them all
    and the day-first steps fill more of a regular grid (month starts ``01/02/2022``,
    ``01/03/2022``: days read month first); said in ``notes``, see
    :func:`tsforecast.core.timeindex.read_day_first`.
    """
    if pd.api.types.is_integer_dtype(values.dtype) or serial_dates(values, column) is not None:
        return _numeric_time(values, column, notes)
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    labels = read_period_labels(values)
    if labels is not None:
        notes.append(f"--time-column {column!r}: {labels[1]}, read as the dates they start on "
                     f"({labels[0].min():%Y-%m-%d} to {labels[0].max():%Y-%m-%d}).")
        return labels[0]
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise InvalidInputError(f"--time-column {column!r} of {source} is empty in data row {row + 1}.")
    if pd.api.types.is_float_dtype(values.dtype):
        raise InputTypeError(
            f"--time-column {column!r} of {source} holds numbers with decimals (for example {values.iloc[0]!r}); "
            "use timestamps or integer time steps."
        )
    try:
        with silenced():  # "could not infer format": a fallback (checked below), not a failure
            parsed = pd.to_datetime(values, errors="coerce")
    except ValueError:  # pandas refuses offsets that change (daylight saving time) unless told to convert
        parsed = _across_offsets(values, column, notes)
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        iso = read_iso8601(values)
        if iso is not None:  # ISO dates whose time is left out at midnight: one format inferred misses them
            return iso
        day_first = read_day_first(values)
        if day_first is not None:
            notes.append(f"--time-column {column!r}: dates read day first ({values.iloc[row]!r} cannot be read "
                         f"month first); they run from {day_first.min():%Y-%m-%d} to {day_first.max():%Y-%m-%d}.")
            return day_first
        raise InvalidInputError(
            f"--time-column {column!r} of {source} holds {int(bad.sum())} value(s) that are not timestamps, "
            f"the first {values.iloc[row]!r} in data row {row + 1}."
        )
    return _day_first_where_regular(values, parsed, column, notes)


#: The span of dates integers are read as (Unix time, ``YYYYMMDD``): no count of time steps
#: reaches so far, and years (2024) stay steps.
_DATE_SPAN = (pd.Timestamp("1990-01-01"), pd.Timestamp("2100-01-01"))


def _numeric_time(values: pd.Series, column: str, notes: list[str]) -> pd.Series:
    """Numbers that are dates (:func:`_numeric_dates`), read so and said in ``notes``; else
    the integer time steps themselves. Read as steps, Unix seconds were refused as
    irregular, and milliseconds and Excel's serial dates lost their hours and seasons."""
    dates = _numeric_dates(values, column)
    if dates is None:
        return values
    stamps, written = dates
    kind = "integers" if pd.api.types.is_integer_dtype(values.dtype) else "numbers"
    notes.append(f"--time-column {column!r}: {kind} read as {written} ({stamps.min()} to {stamps.max()}).")
    return stamps


def _numeric_dates(values: pd.Series, column) -> tuple[pd.Series, str] | None:
    """:func:`_integer_dates`, else Excel's serial dates in a date-named column (:func:`serial_dates`)."""
    return _integer_dates(values) or serial_dates(values, column)


#: How :func:`_integer_dates` names dates written ``20240131``.
_YYYYMMDD = "dates written YYYYMMDD"


def _integer_dates(values: pd.Series) -> tuple[pd.Series, str] | None:
    """The dates integers write, and how: Unix time in seconds, milliseconds, microseconds
    or nanoseconds (logs and APIs write it), or ``YYYYMMDD`` (``20240131``), each within
    :data:`_DATE_SPAN`; else None."""
    if not pd.api.types.is_integer_dtype(values.dtype) or values.empty:
        return None
    low, high = int(values.min()), int(values.max())
    for unit, name in (("s", "seconds"), ("ms", "milliseconds"), ("us", "microseconds"), ("ns", "nanoseconds")):
        start, end = (moment.value // pd.Timedelta(1, unit=unit).value for moment in _DATE_SPAN)
        if start <= low and high < end:
            return pd.to_datetime(values, unit=unit), f"Unix time in {name} (UTC)"
    if 10000 * _DATE_SPAN[0].year <= low and high < 10000 * _DATE_SPAN[1].year:
        stamps = pd.to_datetime(values.astype(str), format="%Y%m%d", errors="coerce")
        if stamps.notna().all():
            return stamps, _YYYYMMDD
    return None


def _across_offsets(values: pd.Series, column: str, notes: list[str]) -> pd.Series:
    """Timestamps whose UTC offset changes (daylight saving time): as the local times they
    show where those are regular (days or months at local midnight: 23:00, then 22:00 in
    UTC) or closer to it than in UTC, else in UTC (hours, which the local clock repeats or
    skips); said in ``notes``."""
    utc = pd.to_datetime(values, errors="coerce", utc=True)
    local = None if utc.isna().any() or _sub_daily(utc) else _wall_clock(values)
    if local is not None and local.nunique() == utc.nunique():  # no hour the clock turned back read twice
        local_share = _grid_share(local)
        if local_share == 1.0 or local_share > _grid_share(utc):
            notes.append(f"--time-column {column!r}: timestamps with different UTC offsets (daylight saving time) "
                         "read as the local times they show, where steps are regular; the forecasts' timestamps "
                         "are local times without an offset.")
            return local
    notes.append(f"--time-column {column!r}: timestamps with different UTC offsets (daylight saving time) "
                 "converted to UTC, where steps are regular; the forecasts' timestamps are in UTC.")
    return utc


def _sub_daily(stamps: pd.Series) -> bool:
    """Whether distinct timestamps come less than 22 hours apart (hours, minutes: their local
    times cannot be regular across a daylight saving change, so reading them one at a time
    would be time lost); a day across the change is 23 or 25 hours. Gaps do not hide it, as
    they hid an inferred frequency."""
    distinct = pd.DatetimeIndex(stamps.drop_duplicates().sort_values())
    return bool(((distinct[1:] - distinct[:-1]) < pd.Timedelta(hours=22)).any())


def _wall_clock(values: pd.Series) -> pd.Series | None:
    """Each timestamp's local time without its offset (``2024-03-31T00:00+02:00``: midnight),
    or None where one does not read; one distinct value at a time (a panel repeats its dates), as
    pandas reads no mixed offsets at once."""
    try:
        with silenced():
            local = {text: pd.Timestamp(text).tz_localize(None) for text in pd.unique(values.dropna())}
            return pd.to_datetime(values.map(local))
    except (ValueError, TypeError):
        return None


#: Dates that start with a day or month number (``01/02/2022``, ``1.2.2022``): those a day-first
#: reading may fit better (never ISO dates: pandas reads ``2024-01-02`` day first as 1 February).
_NUMERIC_DATE = r"\s*\d{1,2}[/.\-]\d{1,2}[/.\-]\d"


def _day_first_where_regular(values: pd.Series, parsed: pd.Series, column: str, notes: list[str]) -> pd.Series:
    """``parsed`` (read month first), or the day-first reading of ``values`` where that one
    fills more of a regular grid (said in ``notes``).

    Month starts written ``01/02/2022, 01/03/2022, ...`` all read month first, as days
    (2 and 3 January): irregular steps whose fix (``--freq D``) would invent daily data.
    """
    month_share = _grid_share(parsed)
    if month_share == 1.0 or not values.astype(str).str.match(_NUMERIC_DATE).all():
        return parsed
    try:
        day_first = read_day_first(values)
    except ValueError:  # UTC offsets that change: the month-first reading stands
        return parsed
    if day_first is None or day_first.equals(parsed) or _grid_share(day_first) <= month_share:
        return parsed
    freq = frequency_of(pd.DatetimeIndex(day_first.drop_duplicates().sort_values()))
    steps = f"regular ({freq})" if freq else "closer to a regular grid"
    row = int(np.flatnonzero((day_first != parsed).to_numpy())[0])
    notes.append(f"--time-column {column!r}: dates read day first: read month first ({values.iloc[row]!r} as "
                 f"{parsed.iloc[row]:%Y-%m-%d}) their steps are irregular, read day first they are {steps}; they run "
                 f"from {day_first.min():%Y-%m-%d} to {day_first.max():%Y-%m-%d}.")
    return day_first


def _grid_share(stamps: pd.Series) -> float:
    """The share of the steps of the timestamps' likeliest regular grid that they hold (1 for
    regular timestamps; those of every series of a panel, taken together)."""
    index = pd.DatetimeIndex(stamps.drop_duplicates().sort_values())
    if len(index) < 3 or frequency_of(index) is not None:
        return 1.0
    likely = likely_freq(index, or_commonest=True)
    if likely is None:
        return 0.0
    grid = pd.date_range(index[0], index[-1], freq=likely)
    return float(index.isin(grid).sum()) / max(len(grid), 1)


def select(
    table: pd.DataFrame,
    *,
    target: str | None,
    time_column: str | None = None,
    id_column: str | None = None,
    covariates: list[str] = (),
    future_covariates: list[str] = (),
    source: str = "the data",
    freq: str | None = None,
) -> Selection:
    """Pick the target, covariates, time and id columns of a table read from a file.

    Rows are sorted by time (within each series); a table without a time column gets
    integer time steps 0, 1, ... in row order. Without ``target``, ``time_column`` and
    ``id_column``: ``unique_id`` is the id column when present (the long format of
    Nixtla's libraries, target ``y``), a column of the usual time names or else the one
    column of dates is the time column, and the one numeric column left is the target;
    what was inferred is listed in ``Selection.notes``. ``freq`` puts each series on a
    regular grid (missing steps become NaN rows).
    """
    covariates, future_covariates = list(covariates), list(future_covariates)
    several = _several_targets(table, target)
    if several:
        return _select_stacked(table, several, time_column=time_column, id_column=id_column, covariates=covariates,
                               future_covariates=future_covariates, source=source, freq=freq)
    notes: list[str] = []
    _check_named(table, covariates, "--covariates", source)
    _check_named(table, future_covariates, "--future-covariates", source)
    id_column_given = id_column
    id_column = _id_column(table, id_column, source, notes)
    time = _time_column(table, time_column, source, notes)
    exclude = [c for c in (target, *covariates, *future_covariates) if c is not None]
    times = clock = None  # the timestamps, where they repeat: Date beside Time repeats, but is one series
    if time is not None and table[time].duplicated().any():
        times, clock = _with_clock(table, time, [time, *exclude], [])
    if id_column is None:
        id_column = implied_id_column(table, time, times, exclude, notes)
    given = {"--time-column": time_column, "--id-column": id_column_given}
    _check_time_not_id(time, id_column, given)
    taken = [c for c in (id_column, time, clock, *covariates, *future_covariates) if c is not None]
    target = _target(table, target, taken, source, repeated_dates_hint(table, time, times, exclude))
    _check_named(table, [target], "--target", source)
    values = [target, *covariates, *future_covariates]
    if len(set(values)) != len(values):
        raise InvalidParameterError(
            f"a column has two roles: --target {target!r}, --covariates {covariates!r}, "
            f"--future-covariates {future_covariates!r}."
        )
    _check_roles(time, id_column, given,
                 {"--target": [target], "--covariates": covariates, "--future-covariates": future_covariates})
    if time is None:
        _check_no_time_left_unused(table, [*taken, target], id_column, source, notes)
    frame = table[[c for c in (id_column, time) if c is not None] + values].copy()
    if time is not None:
        joined = _with_clock(table, time, [c for c in (*taken, target) if c != clock], notes)[0]
        frame[time] = _parse_time(joined, time, source, notes)
    if id_column is None and time is not None:  # before sorting: a repeated hour is told apart by file order
        frame[time] = across_clock_changes(frame[time], notes)
    if id_column is None:
        if time is not None:
            frame = frame.sort_values(time, kind="stable").set_index(time)
        else:
            frame = frame.reset_index(drop=True)
        frame.index.name = time or TIME_COLUMN
    else:
        frame = frame.rename(columns={id_column: ID_COLUMN})
        if time is None:
            frame[TIME_COLUMN] = frame.groupby(ID_COLUMN, sort=False).cumcount()
        else:
            frame = frame.rename(columns={time: TIME_COLUMN})
        frame = frame.sort_values([ID_COLUMN, TIME_COLUMN], kind="stable").reset_index(drop=True)
        frame = frame[[ID_COLUMN, TIME_COLUMN, *values]]
    if id_column is None and frame.index.has_duplicates:
        raise InvalidInputError(
            f"{source} has duplicated timestamps in {time!r} (for example {frame.index[frame.index.duplicated()][0]}): "
            f"{repeated_dates_hint(table, time, times, [target, *covariates, *future_covariates])}; "
            "if the dates are in another column, name it with --time-column."
        )
    if freq is not None:
        frame = as_frequency(frame, freq, source)
    return Selection(frame, target, covariates, future_covariates, source, notes=notes)


def _several_targets(table: pd.DataFrame, target: str | None) -> list[str]:
    """The columns of a ``--target`` that names several (``"store_1,store_2"``), else ``[]``."""
    if target is None or "," not in target or target in table.columns:
        return []
    names = split_names(target, "--target")
    return names if len(names) > 1 else []


def _select_stacked(table: pd.DataFrame, columns: list[str], *, id_column: str | None, source: str,
                    **options) -> Selection:
    """:func:`select` of a table with one column per series (see :mod:`._wide`): ``columns``
    stacked into a long panel, each one series."""
    if id_column is not None:
        raise InvalidParameterError(
            f"--target names {len(columns)} columns, each forecast as its own series (the series are the columns), "
            f"so --id-column has nothing to say; got --id-column {id_column!r}. A long panel names one --target.")
    _check_named(table, columns, "--target", source)
    both = [c for c in columns if c in {*options["covariates"], *options["future_covariates"]}]
    if both:
        raise InvalidParameterError(f"a column has two roles: {both[0]!r} is one of the --target series and a "
                                    "covariate; covariates are columns shared by every series.")
    chosen = select(stacked(table, columns, source), target=STACKED_TARGET, id_column=ID_COLUMN, source=source,
                    **options)
    notes = [f"--target: {len(columns)} columns, each forecast as its own series (ids {columns[0]!r}, ...; "
             f"values in {STACKED_TARGET!r})", *chosen.notes]
    data = drop_leading_empty(chosen.data, source, notes)
    return Selection(data, chosen.target, chosen.covariates, chosen.future_covariates, source, notes=notes)


def load_dataset(name: str, *, target: str | None, covariates: list[str], future_covariates: list[str]) -> Selection:
    """A bundled dataset (see ``tsforecast datasets``); its usual target by default."""
    from .. import datasets

    catalogue = datasets.list_datasets()
    if name not in catalogue.index:
        raise InvalidParameterError(
            f"--dataset must be one of the bundled datasets {', '.join(map(repr, catalogue.index))}; got {name!r}."
        )
    frame = datasets.load(name)
    info = catalogue.loc[name]
    target = target if target is not None else str(info["target"])
    table = frame.reset_index()
    selection = select(table, target=target, time_column=frame.index.name, covariates=covariates,
                       future_covariates=future_covariates, source=f"dataset {name!r}")
    selection.name = name
    return selection
