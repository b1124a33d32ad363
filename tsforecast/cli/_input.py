"""Read the command line's data: a CSV or Parquet file, or a bundled dataset.

A file is a table with one row per time step (and per series for a panel): a time
column, the target and covariate columns, and for a panel an id column. The result is
what the library takes: one frame indexed by time, or the long panel format
(``unique_id``, ``ds``, value columns). Every problem raises an exception from
:mod:`tsforecast.exceptions` whose message names the option and the value.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    UnknownColumnError,
)
from .._timeindex import season_length_of_freq
from ..panel import ID_COLUMN, TIME_COLUMN

__all__ = [
    "TIME_COLUMN_NAMES", "Selection", "read_table", "select", "load_dataset", "split_names", "season_length_of",
]

#: Column names taken as the time column when ``--time-column`` is not given.
TIME_COLUMN_NAMES = ("ds", "date", "datetime", "timestamp", "time", "period")
_READERS = {".csv": "csv", ".txt": "csv", ".tsv": "tsv", ".parquet": "parquet", ".pq": "parquet"}


@dataclass
class Selection:
    """The data and the roles of its columns, ready for the library."""

    data: pd.DataFrame
    target: str
    covariates: list[str]
    future_covariates: list[str]
    name: str
    season_length: int | None = None


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


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a ``.csv``/``.tsv``/``.parquet`` file into a DataFrame (no index set)."""
    path = Path(path)
    kind = _READERS.get(path.suffix.lower())
    if kind is None:
        raise InvalidParameterError(
            f"--data must be a .csv, .tsv or .parquet file; got {str(path)!r} (unknown suffix {path.suffix!r})."
        )
    if not path.is_file():
        raise FileNotFoundError(f"--data file {str(path)!r} does not exist or is not a file.")
    try:
        if kind == "parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path, sep="\t" if kind == "tsv" else ",")
    except pd.errors.EmptyDataError:
        raise InsufficientDataError(f"--data file {str(path)!r} is empty (no header, no rows).") from None
    except pd.errors.ParserError as error:
        reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
        raise InvalidInputError(f"--data file {str(path)!r} is not a valid table: {reason}") from None
    except ImportError as error:
        raise InvalidParameterError(
            f"--data {str(path)!r}: reading Parquet needs pyarrow (pip install 'tsforecast[parquet]'): {error}"
        ) from None
    except (ValueError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise InvalidInputError(f"--data file {str(path)!r} could not be read: {error}") from None
    if len(table) == 0:
        raise InsufficientDataError(f"--data file {str(path)!r} has a header but no rows: {list(table.columns)!r}.")
    return table


def _check_named(table: pd.DataFrame, names: list[str], option: str, source: str) -> None:
    missing = [name for name in names if name not in table.columns]
    if missing:
        raise UnknownColumnError(
            f"{option} names {', '.join(repr(m) for m in missing)}, not a column of {source}; "
            f"its columns are {', '.join(repr(str(c)) for c in table.columns)}."
        )


def _time_column(table: pd.DataFrame, time_column: str | None, source: str) -> str | None:
    if time_column is not None:
        _check_named(table, [time_column], "--time-column", source)
        return time_column
    lower = {str(c).lower(): c for c in table.columns}
    return next((lower[name] for name in TIME_COLUMN_NAMES if name in lower), None)


def _parse_time(values: pd.Series, column: str, source: str) -> pd.Series:
    """Timestamps (or integer time steps) of the time column; names the first bad value."""
    if pd.api.types.is_integer_dtype(values.dtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if values.isna().any():
        row = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise InvalidInputError(f"--time-column {column!r} of {source} is empty in data row {row + 1}.")
    if pd.api.types.is_float_dtype(values.dtype):
        raise InputTypeError(
            f"--time-column {column!r} of {source} holds numbers with decimals (for example {values.iloc[0]!r}); "
            "use timestamps or integer time steps."
        )
    parsed = pd.to_datetime(values, errors="coerce")
    bad = parsed.isna()
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InvalidInputError(
            f"--time-column {column!r} of {source} holds {int(bad.sum())} value(s) that are not timestamps, "
            f"the first {values.iloc[row]!r} in data row {row + 1}."
        )
    return parsed


def select(
    table: pd.DataFrame,
    *,
    target: str | None,
    time_column: str | None = None,
    id_column: str | None = None,
    covariates: list[str] = (),
    future_covariates: list[str] = (),
    source: str = "the data",
) -> Selection:
    """Pick the target, covariates, time and id columns of a table read from a file.

    Rows are sorted by time (within each series); a table without a time column gets
    integer time steps 0, 1, ... in row order.
    """
    if target is None:
        raise InvalidParameterError("--target must name the column to forecast; got none.")
    covariates, future_covariates = list(covariates), list(future_covariates)
    _check_named(table, [target], "--target", source)
    _check_named(table, covariates, "--covariates", source)
    _check_named(table, future_covariates, "--future-covariates", source)
    if id_column is not None:
        _check_named(table, [id_column], "--id-column", source)
    time = _time_column(table, time_column, source)
    values = [target, *covariates, *future_covariates]
    if len(set(values)) != len(values):
        raise InvalidParameterError(
            f"a column has two roles: --target {target!r}, --covariates {covariates!r}, "
            f"--future-covariates {future_covariates!r}."
        )
    if time in values or (id_column is not None and id_column in values):
        raise InvalidParameterError(
            f"the time or id column {time or id_column!r} cannot also be forecast or a covariate."
        )
    frame = table[[c for c in (id_column, time) if c is not None] + values].copy()
    if time is not None:
        frame[time] = _parse_time(frame[time], time, source)
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
    return Selection(frame, target, covariates, future_covariates, source)


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
    selection.season_length = int(info["season_length"])
    selection.name = name
    return selection


def season_length_of(data: pd.DataFrame) -> int:
    """The usual season length for the data's frequency (1 when unknown or integer time;
    see :func:`tsforecast._timeindex.season_length_of_freq`).

    Examples
    --------
    >>> frame = pd.DataFrame({"y": range(10)}, index=pd.date_range("2024", periods=10, freq="h"))
    >>> season_length_of(frame)
    24
    """
    if ID_COLUMN in data.columns:
        first = data[ID_COLUMN].iloc[0]
        index = pd.Index(data.loc[data[ID_COLUMN] == first, TIME_COLUMN])
    else:
        index = data.index
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        return 1
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        freq = index.freqstr or pd.infer_freq(index)
    return season_length_of_freq(freq)
