"""Covariates ``X`` aligned to the series of a panel, once and vectorised.

``X`` (any form ``y`` may take) is validated into a :class:`~tsforecast.core.panel.Panel`
of its own, matched to ``y``'s series by id, and its rows are picked by time with
integer arithmetic on the two time axes: no pandas object per series. Only where
the arithmetic cannot decide (calendar frequencies, axes of different units or
types, a dict of mixed time types) or where a series fails (a missing timestamp) is
that series aligned alone with pandas, which then gives the exact error message.

- :func:`align_covariates` puts ``X``'s values beside the targets of ``y``'s panel
  (``Panel.covariates``), row by row: what ``fit`` and ``update`` read. Only those
  rows are checked (``X`` may be blank after ``y``), and a ``fill`` repairs each series
  of ``X`` cut at the end of its ``y``: a value after the forecast origin (unknown
  then) never reaches the repair;
- :func:`future_values` reads the future-known covariates of the forecast steps
  from the ``X`` given to ``predict``.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from ..exceptions import InsufficientDataError, InvalidInputError, UnknownColumnError
from .forms import ID_COLUMN, SINGLE_SERIES_ID, TIME_COLUMN
from .panel import Panel, as_panel
from .timeaxis import TimeAxis
from .validation import _check_finite_frame, apply_fill

__all__ = ["align_covariates", "future_values", "only_columns", "missing_series_message"]


def only_columns(X, names: list):
    """``X`` restricted to ``names`` (when it has them all), so that other columns, for
    example past-observed covariates left empty after the cutoff, are not validated."""
    def pick(frame):
        if isinstance(frame, pd.DataFrame) and all(c in frame.columns for c in names):
            keep = [c for c in frame.columns if c in (ID_COLUMN, TIME_COLUMN)] + list(names)
            return frame[keep]
        return frame

    if isinstance(X, dict):
        return {key: pick(value) for key, value in X.items()}
    return pick(X)


def missing_series_message(key, x_ids, name: str) -> str:
    """Why series ``key`` of ``y`` has no covariates among the series ``x_ids`` of ``name``."""
    if key == SINGLE_SERIES_ID or SINGLE_SERIES_ID in list(x_ids):
        return f"{name} must have the same form as y (one series, or a panel with the same series)."
    return f"{name} has no series {key!r}; it must give covariates for every series of y."


# --------------------------------------------------------------------------- matching
def _series_of(ids: np.ndarray, x: Panel) -> np.ndarray:
    """Position of each of ``ids`` among ``x``'s series (-1: absent)."""
    if len(ids) == len(x.ids) and all(a == b for a, b in zip(ids.tolist(), x.ids.tolist())):
        return np.arange(len(ids))
    return pd.Index(x.ids.tolist(), dtype=object).get_indexer(pd.Index(ids.tolist(), dtype=object))


def _arithmetic(axis: TimeAxis, x_axis: TimeAxis) -> bool:
    """Whether positions on ``axis`` map to ``x_axis`` by integer arithmetic."""
    return (axis.kind == x_axis.kind and axis.kind in ("datetime", "integer") and axis.step != 0
            and x_axis.step == axis.step and x_axis.unit == axis.unit and x_axis.tz == axis.tz)


def _fast_rows(axis, rows, start, count, steps, x: Panel, j: np.ndarray):
    """Rows of ``x`` for positions ``start + [0, steps)`` of series ``rows`` of ``axis``,
    and which series have all of their first ``count`` positions in ``x``."""
    delta = axis.at(start, rows) - x.time.first[j]
    k0, off_grid = np.divmod(delta, axis.step)
    x_lengths = x.lengths[j]
    ok = (off_grid == 0) & (k0 >= 0) & (k0 + count <= x_lengths)
    local = k0[:, None] + np.arange(steps)[None, :]
    local = np.minimum(local, (x_lengths - 1)[:, None])  # beyond X: its last row (ffill)
    return x.starts[j][:, None] + np.where(ok[:, None], local, 0), ok


def _check_index_types(x_index: pd.Index, index: pd.Index, name: str) -> None:
    if not isinstance(x_index, type(index)) and not (
        pd.api.types.is_integer_dtype(x_index.dtype) and pd.api.types.is_integer_dtype(index.dtype)
    ):
        raise InvalidInputError(
            f"{name} is indexed by {type(x_index).__name__}, y by {type(index).__name__}; "
            "they must share one time axis."
        )
    zones = [str(getattr(i, "tz", None)) for i in (x_index, index)]
    if zones[0] != zones[1]:  # no timestamp would match: say why, not which are missing
        raise InvalidInputError(
            f"{name}'s timestamps are in time zone {zones[0]}, y's in {zones[1]}; give both in one "
            f"(tz_localize or tz_convert the index of one of them)."
        )


def _slow_rows(axis, row, start, count, steps, x: Panel, j: int, key, name: str, stage: str) -> np.ndarray:
    """The rows of one series aligned with pandas (and its exact error when it fails: of
    ``stage`` "fit", y's timestamps, or "forecast", the forecast's)."""
    x_index = x.time.series_index(j, 0, int(x.lengths[j]))
    index = axis.series_index(row, start, steps)
    _check_index_types(x_index, index, name)
    found = x_index.get_indexer(index)
    missing = index[:count][found[:count] < 0]
    if len(missing):
        label = name if key == SINGLE_SERIES_ID else f"{name}[{key!r}]"
        examples = [str(m) for m in missing[:3]]
        what = f"the {count} forecast timestamps" if stage == "forecast" else "the timestamps of y"
        raise InsufficientDataError(f"{label} lacks {len(missing)} of {what}, for example {examples}.",
                                    stage=stage, lacking=len(missing), of=count, examples=examples,
                                    series=None if key == SINGLE_SERIES_ID else key)
    # Steps after the required ones that X lacks repeat its last given value (ffill).
    last_found = np.maximum.accumulate(np.where(found >= 0, np.arange(steps), 0))
    return x.starts[j] + found[last_found]


def _rows(axis: TimeAxis, ids: np.ndarray, start: np.ndarray, count: np.ndarray, steps: int, x: Panel,
          j: np.ndarray, name: str, stage: str) -> np.ndarray:
    """``[series, steps]`` rows of ``x`` for positions ``start + [0, steps)`` of each
    series; the first ``count`` must be in ``x``. The first series (in order) that has
    no covariates or lacks a timestamp raises, as a per-series loop would."""
    rows = np.arange(len(ids))
    out = np.zeros((len(ids), steps), dtype=np.int64)
    ok = np.zeros(len(ids), dtype=bool)
    present = j >= 0
    if _arithmetic(axis, x.time):
        out[present], ok[present] = _fast_rows(axis, rows[present], start[present], count[present], steps, x,
                                               j[present])
    for i in np.flatnonzero(~ok).tolist():  # in order: the first failure is the one reported
        if j[i] < 0:
            raise InvalidInputError(missing_series_message(ids[i], x.ids, name))
        out[i, :] = _slow_rows(axis, i, int(start[i]), int(count[i]), steps, x, int(j[i]), ids[i], name, stage)
    return out


# --------------------------------------------------------------------------- fit and predict
def align_covariates(panel: Panel, X, *, fill: str | None = None, name: str = "X") -> Panel:
    """``panel`` with ``X`` aligned to the timestamps of its series (``Panel.covariates``).

    Parameters
    ----------
    panel : Panel
        The validated ``y``.
    X : Series, DataFrame, long panel, dict, Panel or None
        The covariates, in ``y``'s form; they may extend beyond ``y`` (rows neither
        read nor checked here, which may be missing). ``None`` returns ``panel`` as it
        is.
    fill : {None, "ffill", "interpolate"}
        How missing values of ``X`` at ``y``'s timestamps are repaired, from ``X``'s
        rows up to the end of each series of ``y`` only; ``None`` refuses them,
        naming the column and the timestamp.
    name : str
        The argument's name in error messages.

    Raises
    ------
    InvalidInputError
        A series of ``y`` has no series in ``X``; ``X`` and ``y`` share a column, or
        have different time types; ``X`` holds NaN or inf at a timestamp of ``y`` (that
        ``fill`` does not repair).
    InsufficientDataError
        ``X`` lacks a timestamp of ``y``.
    """
    if X is None:
        return panel
    # unrepaired and unchecked: only the rows at y's timestamps are read, repaired up to y's end
    # (inf kept as given, for the error to name it)
    x = as_panel(X, name, keep_missing="as_given")
    j = _series_of(panel.ids, x)
    if j[0] >= 0:  # the column check comes after the first series' own
        clash = sorted(set(panel.columns) & set(x.columns), key=str)
        if clash:
            raise InvalidInputError(f"{name} and y share column(s) {clash!r}; each variable must be given once.")
    lengths = panel.lengths
    steps = int(lengths.max())
    rows = _rows(panel.time, panel.ids, np.zeros(panel.n_series, dtype=np.int64), lengths, steps, x, j, name,
                 "fit")
    inside = np.arange(steps)[None, :] < lengths[:, None]
    target_rows = panel.starts[:, None] + np.arange(steps)[None, :]
    covariates = np.full((len(panel.values), len(x.columns)), np.nan)
    covariates[target_rows[inside]] = x.values[rows[inside]]
    _repair(covariates, panel, x, rows, j, fill, name)
    return replace(panel, covariates=covariates, covariate_columns=list(x.columns))


def _repair(covariates: np.ndarray, panel: Panel, x: Panel, rows: np.ndarray, j: np.ndarray, fill: str | None,
            name: str) -> None:
    """Repair (or, without ``fill``, refuse) in place the missing covariates of each
    series of ``panel``, from ``x``'s rows up to the series' last timestamp only."""
    for i in replace(panel, values=covariates).nonfinite_series().tolist():
        key, n, first = panel.ids[i], int(panel.lengths[i]), int(x.starts[j[i]])
        label = name if key == SINGLE_SERIES_ID else f"{name}[{key!r}]"
        own = rows[i, :n] - first  # y's rows among those of its X series, which may start earlier
        known = pd.DataFrame(x.values[first : first + own[-1] + 1], columns=list(x.columns),
                             index=x.time.series_index(int(j[i]), 0, int(own[-1]) + 1))
        picked = apply_fill(known, fill, label).to_numpy()[own]
        _check_finite_frame(pd.DataFrame(picked, index=panel.time.series_index(i, 0, n), columns=list(x.columns)),
                            label)
        covariates[panel.starts[i] : panel.ends[i]] = picked


def future_values(X, axis: TimeAxis, ids: np.ndarray, n_obs: np.ndarray, names: list, horizon: int, steps: int, *,
                  fill: str | None = None, name: str = "X") -> np.ndarray:
    """Future-known covariates ``names`` for ``steps`` forecast steps, ``(series, steps, len(names))``.

    ``X`` must cover the first ``horizon`` steps after each series' ``n_obs`` observed
    ones, with finite values there (without ``fill``); later steps, up to the end of
    the last block of ``n_steps_out``, take ``X``'s values where given and finite, else
    the step's before (the last value carried): what ``X`` holds after the horizon is
    never refused, but it is read. A block's forecast comes from one input holding the
    whole block's future covariates, so those values (or the carried one) reach the
    kept forecasts of the last block.
    """
    if X is None:
        raise InsufficientDataError(
            f"{name} must give the future covariates {names!r} for the {horizon} forecast step(s); got None."
        )
    x = as_panel(only_columns(X, names), name, fill=fill, keep_missing="as_given" if fill is None else False)
    j = _series_of(ids, x)
    if j[0] >= 0:
        missing = [c for c in names if c not in x.columns]
        if missing:
            raise UnknownColumnError(
                f"{name} lacks the future covariate column(s) {missing!r}; got columns {list(x.columns)!r}."
            )
    n = len(ids)
    rows = _rows(axis, ids, np.asarray(n_obs, dtype=np.int64), np.full(n, horizon), steps, x, j, name, "forecast")
    values = x.values[rows[..., None], [x.columns.index(c) for c in names]]
    _check_forecast_steps(values[:, :horizon], ids, names, name)
    for step in range(horizon, steps):  # beyond the horizon: inputs of the last block, carried where not given
        values[:, step] = np.where(np.isfinite(values[:, step]), values[:, step], values[:, step - 1])
    return values


def _check_forecast_steps(values: np.ndarray, ids: np.ndarray, names: list, name: str) -> None:
    """Refuse NaN or inf among the future covariates of the forecast steps, naming the first."""
    finite = np.isfinite(values)
    if finite.all():
        return
    series, step, column = np.unravel_index(int(np.argmin(finite)), values.shape)
    where = "" if len(ids) == 1 and ids[0] == SINGLE_SERIES_ID else f" of series {ids[series]!r}"
    raise InvalidInputError(
        f"{name} holds {int(values.size - finite.sum())} missing value(s) (NaN or inf) in the forecast steps, "
        f"the first {float(values[series, step, column])!r} in column {names[column]!r} at step {step + 1}{where}; "
        "future covariates must be known for every forecast step (rows after the horizon may be missing)."
    )
