"""The panel format: many series in one long DataFrame.

A panel is a long :class:`pandas.DataFrame` with a ``unique_id`` column (the series
identifier), a ``ds`` column (timestamps or integer time) and one column per variable
(for example ``y`` and covariates), one row per series and time step. Every function
that accepts a panel also accepts a plain dict ``{series_id: Series or DataFrame}`` and
answers in the form it was given.

Examples
--------
>>> import pandas as pd
>>> series = {"a": pd.Series([1.0, 2.0]), "b": pd.Series([3.0, 4.0, 5.0])}
>>> panel = to_panel(series)
>>> list(panel.columns)
['unique_id', 'ds', 'y']
>>> sorted(from_panel(panel))
['a', 'b']
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from ..exceptions import InputTypeError, InsufficientDataError, InvalidInputError

__all__ = [
    "ID_COLUMN",
    "TIME_COLUMN",
    "SINGLE_SERIES_ID",
    "is_panel",
    "to_panel",
    "from_panel",
    "InputForm",
    "restore_form",
    "check_same_columns",
]

ID_COLUMN = "unique_id"
TIME_COLUMN = "ds"
#: The ``unique_id`` given to a single series in long tables (backtest forecasts).
SINGLE_SERIES_ID = "series"


def is_panel(data) -> bool:
    """True if ``data`` is a dict of series or a long DataFrame with ``unique_id`` and ``ds``."""
    if isinstance(data, dict):
        return True
    return isinstance(data, pd.DataFrame) and {ID_COLUMN, TIME_COLUMN} <= set(data.columns)


def to_panel(series: dict) -> pd.DataFrame:
    """Stack a dict ``{series_id: Series or DataFrame}`` into the long panel format.

    A Series becomes a column named after it (``y`` when unnamed). A column missing
    from some series is NaN in their rows, but a series sharing no column with those
    before it (``{"a": y, "b": sales}``) raises :class:`InvalidInputError`.
    """
    if not isinstance(series, dict):
        raise InputTypeError(f"series must be a dict of Series or DataFrames; got {type(series).__name__}.")
    frames, seen = [], []
    for key, value in series.items():
        if isinstance(value, pd.Series):
            value = value.to_frame(value.name if value.name is not None else "y")
        elif not isinstance(value, pd.DataFrame):
            raise InputTypeError(
                f"series[{key!r}] must be a pandas Series or DataFrame; got {type(value).__name__}."
            )
        if frames and not set(value.columns) & set(seen):  # no column in common: a naming mistake, all NaN
            raise InvalidInputError(
                f"series[{key!r}] has columns {list(value.columns)!r}, none of the columns {seen!r} of the "
                f"series before it: each would be NaN in the other's rows (name the series alike, as fitting "
                f"the dict requires)."
            )
        seen = list(dict.fromkeys([*seen, *value.columns]))
        frame = value.rename_axis(TIME_COLUMN).reset_index()
        frame.insert(0, ID_COLUMN, key)
        frames.append(frame)
    if not frames:
        raise InsufficientDataError("series is an empty dict; a panel needs at least one series.")
    return pd.concat(frames, ignore_index=True)


def from_panel(panel: pd.DataFrame) -> dict[object, pd.DataFrame]:
    """Split a long panel into ``{series_id: DataFrame indexed by ds}`` (not validated)."""
    if not is_panel(panel) or isinstance(panel, dict):
        got = list(panel.columns) if isinstance(panel, pd.DataFrame) else type(panel).__name__
        raise InputTypeError(
            f"panel must be a DataFrame with columns {ID_COLUMN!r} and {TIME_COLUMN!r}; got {got!r}."
        )
    if panel[ID_COLUMN].isna().any():  # groupby would silently drop these rows
        rows = panel.index[panel[ID_COLUMN].isna()][:5].tolist()
        raise InvalidInputError(f"panel has rows without a {ID_COLUMN} (missing value) at index {rows!r}.")
    out = {}
    for key, group in panel.groupby(ID_COLUMN, sort=False):
        frame = group.drop(columns=ID_COLUMN).set_index(TIME_COLUMN)
        frame.index.name = TIME_COLUMN
        out[key] = frame
    return out


@dataclass
class InputForm:
    """How a user passed data, so outputs can be given back in the same form.

    ``kind`` is one of ``"series"`` (a pandas Series), ``"frame"`` (a DataFrame),
    ``"array"`` (an ndarray), ``"panel"`` (a long DataFrame) or ``"dict"``.
    """

    kind: str
    name: object = None
    dict_values: dict = field(default_factory=dict)
    #: The frequency of a PeriodIndex (or a ``ds`` of periods) given as input; outputs answer in periods.
    period: str | None = None

    @property
    def is_multi(self) -> bool:
        return self.kind in ("panel", "dict")


def restore_form(frames: dict[object, pd.DataFrame], form: InputForm):
    """Give ``{id: forecast frame}`` back in the form described by ``form``."""
    if form.period is not None:
        from .timeindex import as_periods

        frames = as_periods(frames, form.period)
    if form.kind == "dict":
        return {
            key: (frame.iloc[:, 0] if form.dict_values.get(key) and frame.shape[1] == 1 else frame)
            for key, frame in frames.items()
        }
    if form.kind == "panel":
        return to_panel(frames)
    frame = frames[SINGLE_SERIES_ID]
    if form.kind == "series" and frame.shape[1] == 1:
        series = frame.iloc[:, 0]
        series.name = form.name
        return series
    return frame


def check_same_columns(frames: dict[object, pd.DataFrame], name: str) -> list:
    """Return the columns shared by every frame, raising if the series disagree."""
    columns = None
    for key, frame in frames.items():
        if columns is None:
            columns = list(frame.columns)
        elif list(frame.columns) != columns:
            raise InvalidInputError(
                f"{name}[{key!r}] has columns {list(frame.columns)!r}; every series must have {columns!r}."
            )
    return columns if columns is not None else []


