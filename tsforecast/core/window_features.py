"""From a panel (targets and covariates) to a window regressor's inputs and targets.

One pipeline for every input form: the panel's input columns (targets, past-observed
covariates, future-known covariates, in that order) become one array ``[rows,
features]``; training windows of every series are cut from it at once with
:func:`tsforecast.core.windowing.cut_windows` (never across two series), and the last
``n_steps_in`` rows of each series are the forecasting input.

A sequence estimator (3-D input) gets the future-known covariates shifted by
``n_steps_out`` as extra input features; a flattened one gets them appended to its row
(see :mod:`tsforecast.forecasters.window`); a lean flattened row
(``WindowSpec.covariate_steps`` below ``n_in``) keeps only the latest covariate steps.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..exceptions import InsufficientDataError, InvalidInputError, InvalidParameterError, UnknownColumnError
from .kernels.common import gather_flat_windows
from .forms import SINGLE_SERIES_ID
from .panel import Panel
from .timeaxis import TimeAxis, calendar_stamps
from .validation import MAX_MAGNITUDE, check_magnitude
from .windowing import cut_windows

__all__ = ["WindowSpec", "takes_sequences", "season_readers", "check_derived_season", "check_panel_magnitude",
           "input_array", "check_log_inputs", "training_windows", "window_features", "last_inputs"]


@dataclass(frozen=True)
class WindowSpec:
    """The window shape and roles a forecaster cuts its training windows with."""

    n_in: int
    n_out: int
    n_targets: int
    n_future: int
    stride: int = 1
    max_windows: int | None = None
    sequence: bool = False
    #: Input steps of the covariates (past-observed and future-known) a flattened row
    #: keeps, the latest ones; ``None``: all ``n_in`` (rows interleave every input).
    covariate_steps: int | None = None

    @property
    def lean(self) -> bool:
        """True when a flattened row keeps fewer covariate steps than target steps: it is
        then laid out as target lags, then covariate lags, then future covariates."""
        return not self.sequence and self.covariate_steps is not None and self.covariate_steps < self.n_in


def takes_sequences(estimator) -> bool:
    """True if the estimator takes (samples, steps, features) windows, declared by the
    scikit-learn input tag ``three_d_array``; :class:`EncoderDecoderLSTM` always does."""
    try:
        if estimator.__sklearn_tags__().input_tags.three_d_array:
            return True
    except AttributeError:
        pass
    # Loaded whenever an LSTM exists; named from the package root, wherever this module
    # lives. Read from its own module, and only once defined: in a Dask worker another
    # thread may be importing the package meanwhile (its half-initialised module lacked
    # the class: AttributeError in every task of a scikit-learn regressor).
    module = sys.modules.get(f"{__name__.partition('.')[0]}.models.estimator")
    lstm = getattr(module, "EncoderDecoderLSTM", None)
    return lstm is not None and isinstance(estimator, lstm)


SEASONAL_SCALINGS = ("seasonal", "linear")


def season_readers(estimator, n_in: int) -> list[tuple[str, int]]:
    """``(scaling, input steps)`` of each part of ``estimator`` that would read a season
    left unset (``season_length=None``) from its input: the estimator itself, or the
    members of an ensemble (cycled designs, each reading its ``input_lengths`` steps;
    an ensemble's own ``season_length``, when set, is not one left unset)."""
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    if callable(getattr(estimator, "_bases", None)) and "n_members" in params:
        lengths = params.get("input_lengths")
        lengths = list(lengths) if isinstance(lengths, (list, tuple)) and lengths else [n_in]
        if params.get("season_length") is not None or not isinstance(params["n_members"], int) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in lengths):
            return []  # a season of the user's, or parameters the ensemble refuses itself
        bases = estimator._bases()
        return [reader for i in range(params["n_members"])
                for reader in season_readers(bases[i % len(bases)], min(lengths[i % len(lengths)], n_in))]
    if "season_length" in params and params["season_length"] is None and params.get("scaling") in SEASONAL_SCALINGS:
        return [(params["scaling"], n_in)]
    deep = estimator.get_params(deep=True) if params else {}  # another wrapper's inner estimator
    return [(deep[name.replace("season_length", "scaling")], n_in) for name, value in deep.items()
            if name.endswith("__season_length") and value is None
            and deep.get(name.replace("season_length", "scaling")) in SEASONAL_SCALINGS]


def check_derived_season(estimator, season: int, n_in: int, source: str) -> None:
    """Refuse a season derived from the data (``source``: where from, "from its
    frequency 'D'") that does not fit the input steps of a part of ``estimator`` that
    scales by it (:func:`season_readers`), naming the window or ``input_lengths``."""
    for scaling, steps in season_readers(estimator, n_in):
        if season >= steps:
            window, fix = ((f"input window n_steps_in={steps}", "n_steps_in") if steps == n_in
                           else (f"{steps} input steps (input_lengths) of an ensemble member", "input_lengths"))
            raise InvalidParameterError(
                f"the data's season, {season} steps ({source}), does not fit the {window} that scaling={scaling!r} "
                f"reads it from: give {fix} > {season}, or set the estimator's season_length (1 for none).")


def _check_magnitude(values: np.ndarray, columns: list, panel: Panel, name: str) -> None:
    too_large = (np.abs(values) > MAX_MAGNITUDE).any(axis=1)
    if not too_large.any():
        return
    cumulative = np.r_[0, np.cumsum(too_large)]
    failing = np.flatnonzero(cumulative[panel.ends] - cumulative[panel.starts])  # rows of a cut's series only
    if not failing.size:
        return
    i = int(failing[0])
    series = values[panel.starts[i] : panel.ends[i]]
    where = name if panel.n_series == 1 else f"{name} series {panel.ids[i]!r}"
    for j, column in enumerate(columns):
        check_magnitude(series[:, j], f"{where} column {column!r}")


def check_panel_magnitude(panel: Panel, name: str = "y") -> None:
    """:func:`check_magnitude` of every column of every series at once (``name``, then
    the covariates ``X``); the first failing series and column, in the data's order, is
    named as a check series by series would name it (window regressors square values)."""
    _check_magnitude(panel.values, panel.columns, panel, name)
    if panel.covariates is not None:
        _check_magnitude(panel.covariates, panel.covariate_columns, panel, "X")


def input_array(panel: Panel, names: list, roles: str) -> np.ndarray:
    """The input columns ``names`` (of ``y`` or ``X``) of all rows, ``(rows, features)``."""
    columns = list(panel.columns) + list(panel.covariate_columns)
    missing = [c for c in names if c not in columns]
    if missing:
        raise UnknownColumnError(f"the data lacks column(s) {missing!r} used in fit ({roles}); got columns "
                                 f"{columns!r}.")
    out = np.empty((len(panel.values), len(names)))
    for k, name in enumerate(names):
        if name in panel.columns:
            out[:, k] = panel.values[:, panel.columns.index(name)]
        else:
            out[:, k] = panel.covariates[:, panel.covariate_columns.index(name)]
    return out


def check_log_inputs(inputs: np.ndarray, panel: Panel, names: list, owner: str) -> None:
    """Refuse a value <= 0 that an estimator's ``log=True`` would take the log of, naming
    its column, series and timestamp (the estimator sees only windows: it named "X" and
    counted window cells).

    Parameters
    ----------
    inputs : ndarray of shape (rows, features)
        :func:`input_array` of ``panel``.
    panel : Panel
        The data the rows belong to.
    names : list
        The columns of ``inputs``.
    owner : str
        The estimator's class name, for the message.

    Raises
    ------
    InvalidInputError
        A value of ``inputs`` is <= 0.
    """
    bad = inputs <= 0
    if not bad.any():
        return
    row, column = (int(i) for i in np.argwhere(bad)[0])
    j = int(np.searchsorted(panel.starts, row, side="right") - 1)
    when = panel.time.series_index(j, row - int(panel.starts[j]), 1)[0]
    series = "" if panel.ids[j] == SINGLE_SERIES_ID else f" of series {panel.ids[j]!r}"
    raise InvalidInputError(
        f"{owner} has log=True, which needs positive values; column {names[column]!r}{series} is "
        f"{float(inputs[row, column])!r} at {when} ({int(bad[:, column].sum())} value(s) <= 0 in that column). "
        "Drop log=True for data with zeros or negative values.")


def last_inputs(inputs: np.ndarray, panel: Panel, n_in: int) -> dict:
    """``{series id: its last n_in input rows}`` (one gather, no loop)."""
    rows = panel.ends[:, None] - n_in + np.arange(n_in)[None, :]
    return dict(zip(panel.ids.tolist(), inputs[rows], strict=True))


def window_features(past: np.ndarray, future: np.ndarray, spec: WindowSpec) -> np.ndarray:
    """Estimator input from input windows (n, n_in, F) and future covariates (n, n_out, Fu)."""
    n = len(past)
    if spec.lean:
        kept = past[:, spec.n_in - spec.covariate_steps :, spec.n_targets :]
        return np.concatenate([past[:, :, : spec.n_targets].reshape(n, -1), kept.reshape(n, -1),
                               future.reshape(n, -1)], axis=1)
    if spec.sequence:
        if future.shape[2] == 0:
            return past
        # Shift the future covariates by n_steps_out: input step t carries the values
        # at t + n_steps_out, known at the forecast origin.
        shifted = np.concatenate([past[:, spec.n_out :, past.shape[2] - future.shape[2] :], future], axis=1)
        return np.concatenate([past, shifted], axis=2)
    return np.concatenate([past.reshape(n, -1), future.reshape(n, -1)], axis=1)


def _origin_stamps(axis: TimeAxis, series: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Timestamps (as ints) of (series, position) pairs, to order windows by time."""
    if axis.kind == "mixed":  # each series its own index (of its own time type)
        out = np.empty(positions.shape, dtype=np.int64)
        for row in np.unique(series).tolist():
            index = axis.indexes[row]
            stamps = index.as_unit("ns").asi8 if isinstance(index, pd.DatetimeIndex) else \
                np.asarray(index, dtype=np.int64)
            mask = series == row
            out[mask] = stamps[int(axis.first[row]) + positions[mask]]
        return out
    return axis.at(positions, series) if axis.step else calendar_stamps(axis, series, positions)


def _window_rows(panel: Panel, spec: WindowSpec) -> tuple[np.ndarray, np.ndarray]:
    """First rows (into the panel's arrays) of the training windows, ordered by origin
    time across series (stable: a series' windows keep their order), and the windows'
    series. A series' windows end every ``stride`` steps counted back from its last
    one (always kept), at most ``max_windows`` of them."""
    n_in, n_out, stride = spec.n_in, spec.n_out, spec.stride
    available = np.maximum(panel.lengths - n_in - n_out + 1, 0)
    kept = np.where(available > 0, (available - 1) // stride + 1, 0)
    if spec.max_windows is not None:
        kept = np.minimum(kept, spec.max_windows)
    if not kept.any():
        raise InsufficientDataError(
            f"y has no series long enough for one training window: n_steps_in + n_steps_out = "
            f"{n_in + n_out} rows are needed; the longest series has {int(panel.lengths.max())}.",
            too_short="window", series=None, rows=int(panel.lengths.max()), needed=n_in + n_out)
    series = np.repeat(np.arange(panel.n_series), kept)
    rank = np.arange(series.size) - np.repeat(np.cumsum(kept) - kept, kept)  # oldest kept window first
    offset = (available - 1)[series] - stride * (kept[series] - 1 - rank)
    if np.count_nonzero(kept) > 1:
        order = np.argsort(_origin_stamps(panel.time, series, offset + n_in - 1), kind="stable")
        series, offset = series[order], offset[order]
    return panel.starts[series] + offset, series


def _flat_windows(columns: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    """``(windows, length * features)``: rows ``starts + [0, length)`` of ``columns``,
    flattened in (step, feature) order, which in a row-major array are ``length *
    features`` consecutive values: one window of the flattened array, one gather."""
    flat = np.ascontiguousarray(columns).reshape(-1, 1)
    return cut_windows(flat, length * columns.shape[1], starts * columns.shape[1])[:, :, 0]


def _flat_features(inputs: np.ndarray, future_columns: np.ndarray, starts: np.ndarray, spec: WindowSpec) -> np.ndarray:
    """A flattened estimator's rows with future covariates: ``n_in`` input rows, then the
    ``n_out`` future covariate rows, gathered in one compiled pass into the C-contiguous
    float64 array the estimator reads (no intermediate windows, no concatenation).

    A lean row (:attr:`WindowSpec.lean`) is gathered in two such passes into its two
    halves: the ``n_in`` target rows, then the latest ``covariate_steps`` covariate rows
    followed by the future covariate rows."""
    starts = np.asarray(starts, dtype=np.int64)
    future = np.ascontiguousarray(future_columns, dtype=np.float64).reshape(-1)
    if not spec.lean:
        out = np.empty((len(starts), spec.n_in * inputs.shape[1] + spec.n_out * spec.n_future))
        values = np.ascontiguousarray(inputs, dtype=np.float64).reshape(-1)
        return gather_flat_windows(values, inputs.shape[1], starts, spec.n_in, future, spec.n_future, spec.n_out, out)
    n_t, n_cov, kept = spec.n_targets, inputs.shape[1] - spec.n_targets, spec.covariate_steps
    out = np.empty((len(starts), spec.n_in * n_t + kept * n_cov + spec.n_out * spec.n_future))
    targets = np.ascontiguousarray(inputs[:, :n_t], dtype=np.float64).reshape(-1)
    covariates = np.ascontiguousarray(inputs[:, n_t:], dtype=np.float64).reshape(-1)
    gather_flat_windows(targets, n_t, starts, spec.n_in, future[:0], 0, 0, out[:, : spec.n_in * n_t])
    gather_flat_windows(covariates, n_cov, starts + (spec.n_in - kept), kept, future, spec.n_future, spec.n_out,
                        out[:, spec.n_in * n_t :])
    return out


def training_windows(inputs: np.ndarray, panel: Panel, spec: WindowSpec) -> tuple[np.ndarray, np.ndarray]:
    """Training features and targets of every series, cut from one inputs array.

    Windows never cross two series; across series they are ordered by origin time, so
    that an estimator's chronological validation tail (early stopping) holds the
    latest windows of every series, not the last series' windows. Each window's rows
    are gathered once, in that order, straight into the estimator's layout.
    """
    starts, _ = _window_rows(panel, spec)
    n_in, n_out, n_features = spec.n_in, spec.n_out, inputs.shape[1]
    target_columns, future_columns = inputs[:, : spec.n_targets], inputs[:, n_features - spec.n_future :]
    if spec.sequence:
        future = cut_windows(future_columns, n_out, starts + n_in)
        features = window_features(cut_windows(inputs, n_in, starts), future, spec)
        targets = cut_windows(target_columns, n_out, starts + n_in)
    else:
        if spec.n_future or spec.lean:
            features = _flat_features(inputs, future_columns, starts, spec)
        else:
            features = _flat_windows(inputs, starts, n_in)
        targets = _flat_windows(target_columns, starts + n_in, n_out)
    # A single output is given as 1-D, as scikit-learn regressors expect.
    return features, (targets.ravel() if targets.shape[1:] == (1,) else targets)
