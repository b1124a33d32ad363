"""The data ``tsforecast predict --data`` forecasts from: new observations for a model that
can update its inputs, or only the future covariates for one that cannot (ARIMA with
regressors forecasts from the end of its fit, and needs the regressors of the steps)."""

from __future__ import annotations

from pathlib import Path

import click
import numpy as np
import pandas as pd

from ..core.forms import ID_COLUMN, TIME_COLUMN
from ..exceptions import (
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    UnknownColumnError,
)
from ._frequency import as_frequency, has_timestamps
from ._input import read_table, select
from ._wide import drop_leading_empty, series_columns, stacked

__all__ = ["inputs_from", "check_no_future_rows", "check_no_new_values", "future_rows_in_cli_words"]


def inputs_from(model, data_file: Path, time_column, id_column, sheet=None):
    """Give ``model`` the data of ``data_file`` to forecast from; return the future
    covariates for ``predict`` (or None) and, for a model that cannot update, the last
    observed target time of each series (which must precede its first forecast step)."""
    update = getattr(model, "update", None)
    future = list(getattr(model, "future_covariates_", []) or [])
    if not callable(update) and not future:
        raise InvalidParameterError(
            f"--data: {type(model).__name__} cannot forecast from new data without refitting; "
            "fit it on that data with `tsforecast fit` instead."
        )
    past = list(getattr(model, "past_covariates_", []) or []) if callable(update) else []
    data, target = _read(model, data_file, time_column, id_column, past, future, sheet)
    keys = [ID_COLUMN, TIME_COLUMN] if ID_COLUMN in data.columns else []
    observed = _observed(data, target)
    # The future rows (no target yet) carry the future-known covariates of the forecast steps.
    X = data[[*keys, *future]] if future else None
    if not callable(update):
        return X, _last_times(observed)
    _check_observed(model, observed, target, data_file)
    try:
        update(observed[[*keys, target]], observed[[*keys, *past, *future]] if past or future else None)
    except InvalidInputError as error:  # the library names its argument y: say which file
        raise InvalidInputError(f"--data {str(data_file)!r}: {error}") from None
    return X, None


def future_rows_in_cli_words(error: Exception, model, data_file: Path) -> Exception:
    """``error`` of a forecast from ``--data``, said of the file and the options: the library's
    'X lacks 2 of the 5 forecast timestamps' named an argument the command line has not."""
    facts = getattr(error, "facts", {})
    if facts.get("stage") != "forecast":
        return error
    future = list(getattr(model, "future_covariates_", []) or [])
    targets = list(getattr(model, "target_names_", []))
    series = f" of series {facts['series']!r}" if facts["series"] is not None else ""
    count, horizon = facts["lacking"], facts["of"]
    return type(error)(
        f"--data {str(data_file)!r} has no row with the future covariates {future!r} for {count} of the {horizon} "
        f"forecast dates{series}, for example {facts['examples']}: the model reads them for every forecast step. "
        f"Add rows with those dates (after the last {targets[0] if targets else 'target'!r} value) and their "
        f"future covariates{', or forecast fewer steps with a shorter -H' if count < horizon else ''}.")


def check_no_future_rows(data: pd.DataFrame, target: str, source: str, command: str) -> None:
    """Refuse rows after a series' last ``target`` value in the data ``command`` (fit,
    backtest) learns from: they are the future rows ``predict --data`` takes, and
    ``--fill`` would invent values for them and move the forecast origin."""
    future = ~_observed_rows(data, target)
    if not future.any():
        return
    first = int(np.flatnonzero(future)[0])
    panel = ID_COLUMN in data.columns
    series = f", series {data[ID_COLUMN].iloc[first]!r}," if panel else ""
    when = data[TIME_COLUMN].iloc[first] if panel else data.index[first]
    raise InvalidInputError(
        f"--data {source!r}{series} has {int(future.sum())} row(s) after the last value of {target!r} (the first at "
        f"{when}); they look like future rows: drop them for {command}, or pass them to `tsforecast predict --data` "
        "(future covariates of the forecast steps).")


def _observed_rows(data: pd.DataFrame, target: str) -> np.ndarray:
    """Whether each row comes up to its series' last target value; the rows after it are
    future rows (a missing value before it is a missing value, not the end of the data)."""
    seen = data[target].notna().astype(int)[::-1]
    later = (seen.groupby(data[ID_COLUMN][::-1], sort=False).cummax() if ID_COLUMN in data.columns
             else seen.cummax())
    return later[::-1].to_numpy().astype(bool)


def _observed(data: pd.DataFrame, target: str) -> pd.DataFrame:
    """The rows up to each series' last target value (see :func:`_observed_rows`)."""
    return data[_observed_rows(data, target)]


def _check_observed(model, observed: pd.DataFrame, target: str, data_file: Path) -> None:
    """Refuse, in the command line's words, what ``update`` would: a missing target value
    among the observed rows (unless the model was fitted with --fill) and a series shorter
    than the model's input window."""
    panel = ID_COLUMN in observed.columns
    missing = observed[target].isna().to_numpy()
    if missing.any() and getattr(model, "fill", None) is None:
        row = observed[missing].iloc[0]
        series = f": series {row[ID_COLUMN]!r}" if panel else ""
        when = row[TIME_COLUMN] if panel else observed.index[missing][0]
        raise InvalidInputError(
            f"--data {str(data_file)!r}{series} has no {target!r} value at {when}, before its last one "
            f"({int(missing.sum())} such row(s)); only the rows after a series' last value are future rows. The "
            "model was fitted without --fill, so predict does not repair missing values: fill them in the file, "
            "or refit with `tsforecast fit --fill ffill` (or interpolate).")
    need = getattr(model, "n_steps_in_", None)
    if need is None or getattr(model, "on_short", "raise") == "skip":
        return
    lengths = observed.groupby(ID_COLUMN, sort=False).size() if panel else pd.Series([len(observed)])
    short = lengths[lengths < need]
    if len(short):
        series = f": series {short.index[0]!r}" if panel else ""
        raise InsufficientDataError(
            f"--data {str(data_file)!r}{series} has {int(short.iloc[0])} row(s) up to its last {target!r} value; "
            f"the model reads the last {need} steps of each series (its lookback): give at least {need}.")


def _read(model, data_file, time_column, id_column, past, future, sheet) -> tuple[pd.DataFrame, str]:
    targets = list(getattr(model, "target_names_", []))
    if len(targets) != 1:
        raise InvalidParameterError(f"--model: expected a model of one target column; it forecasts {targets!r}.")
    notes: list[str] = []
    table = read_table(data_file, notes, text_columns=[id_column or ID_COLUMN], sheet=sheet)
    columns = series_columns(model, table) if id_column is None else None
    if columns is not None:  # fitted with several --target columns: the file's layout
        table = stacked(table, columns, str(data_file))
        id_column = ID_COLUMN
        notes.append(f"the model's {len(columns)} series are columns of --data: each read as its series")
    # predict has no --target nor --covariates: the model names these columns
    for role, names in (("forecasts", targets), ("reads as covariates", [*past, *future])):
        lacking = [name for name in names if name not in table.columns]
        if lacking:
            raise UnknownColumnError(
                f"--data {str(data_file)!r} lacks the column(s) {', '.join(map(repr, lacking))} the model {role}; "
                f"its columns are {', '.join(repr(str(c)) for c in table.columns)}.")
    selection = select(table, target=targets[0],
                       time_column=time_column, id_column=id_column, covariates=past, future_covariates=future,
                       source=str(data_file))
    notes += selection.notes
    data = selection.data if columns is None else drop_leading_empty(selection.data, str(data_file), notes)
    for note in notes:
        click.echo(f"note: {note}", err=True)
    if callable(getattr(model, "update", None)):
        data = _on_model_grid(model, data, targets[0], data_file)
    return data, targets[0]


def _on_model_grid(model, data: pd.DataFrame, target: str, data_file: Path) -> pd.DataFrame:
    """``data`` on the frequency the model was fitted on: dates missing from the file
    become empty rows that the model's fill repairs, as ``fit --freq ... --fill`` did; a
    model fitted without fill refuses them, in the command line's options (the library
    advised pandas' ``asfreq`` and ``fill=``)."""
    freq = getattr(getattr(model, "time_axis_", None), "freq", None)
    if freq is None or not has_timestamps(data):
        return data
    grid = as_frequency(data, freq, f"--data {str(data_file)!r}")
    if len(grid) == len(data):
        return data
    added = grid[grid[target].isna() & ~_keys(grid).isin(_keys(data))]
    first = added[TIME_COLUMN].iloc[0] if ID_COLUMN in added.columns else added.index[0]
    series = f", series {added[ID_COLUMN].iloc[0]!r}" if ID_COLUMN in added.columns else ""
    fill = getattr(model, "fill", None)
    if fill is None:
        raise InvalidInputError(
            f"--data {str(data_file)!r}{series} lacks {len(added)} date(s) of the model's frequency {freq} (the "
            f"first {first}); the model was fitted without --fill, so predict does not insert and repair missing "
            f"dates: add those rows to the file, or refit with `tsforecast fit --freq {freq} --fill ffill` (or "
            "interpolate).")
    click.echo(f"note: --data {str(data_file)!r}{series} lacks {len(added)} date(s) of the model's frequency {freq} "
               f"(the first {first}): added as empty rows that --fill {fill} repairs, as in its fit.", err=True)
    return grid


def _keys(data: pd.DataFrame) -> pd.Index:
    """The (series, time) of each row, or its time for a single series."""
    if ID_COLUMN in data.columns:
        return pd.MultiIndex.from_frame(data[[ID_COLUMN, TIME_COLUMN]])
    return data.index


def _last_times(observed: pd.DataFrame) -> pd.Series:
    """The last observed time of each series (one unnamed entry for a single series)."""
    if ID_COLUMN in observed.columns:
        return observed.groupby(ID_COLUMN, sort=False)[TIME_COLUMN].max()
    return pd.Series([observed.index.max()])


def check_no_new_values(model, table: pd.DataFrame, last_times: pd.Series | None) -> None:
    """Refuse target values at or after a series' first forecast step: a model that cannot
    update forecasts from the end of its fit and would ignore them."""
    if last_times is None or not len(table):
        return
    if ID_COLUMN in table.columns:
        first = table.groupby(ID_COLUMN, sort=False)[TIME_COLUMN].min()
        last = last_times.reindex(first.index)
    else:
        first, last = pd.Series([table.iloc[0, 0]]), last_times
    late = [i for i, (a, b) in enumerate(zip(last, first)) if pd.notna(a) and a >= b]
    if late:
        i = late[0]
        series = f" (series {first.index[i]!r})" if ID_COLUMN in table.columns else ""
        raise InvalidParameterError(
            f"--data holds target values up to {last.iloc[i]}{series}, at or after the first forecast step "
            f"{first.iloc[i]}: {type(model).__name__} forecasts from the end of the data it was fitted on and cannot "
            "take new values without refitting. Refit with `tsforecast fit` on that data, or give --data only "
            "the rows up to the fit's end and the future covariates after it."
        )
