"""Regressors of local baselines: ``X`` checked and aligned on each series' timestamps.

The checks and their messages are those of :class:`tsforecast.WindowForecaster`'s
covariates: ``X`` in the form of ``y`` (one series, or a panel with the same series), no
column in both, every timestamp of ``y`` (in ``fit``) or every forecast timestamp (in
``predict``) present in ``X``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._panel import as_series_dict
from ..exceptions import InsufficientDataError, InvalidInputError, UnknownColumnError
from ..panel import SINGLE_SERIES_ID, check_same_columns

__all__ = ["regressor_names", "training_regressors", "future_regressors"]


def _missing_series(key, covariates: dict) -> str:
    if key == SINGLE_SERIES_ID or SINGLE_SERIES_ID in covariates:
        return "X must have the same form as y (one series, or a panel with the same series)."
    return f"X has no series {key!r}; it must give covariates for every series of y."


def _aligned(frame: pd.DataFrame, index: pd.Index, key, what: str) -> np.ndarray:
    if not isinstance(frame.index, type(index)) and not (
        pd.api.types.is_integer_dtype(frame.index.dtype) and pd.api.types.is_integer_dtype(index.dtype)
    ):
        raise InvalidInputError(
            f"X is indexed by {type(frame.index).__name__}, y by {type(index).__name__}; they must share one time axis."
        )
    missing = index.difference(frame.index)
    if len(missing):
        label = "X" if key == SINGLE_SERIES_ID else f"X[{key!r}]"
        raise InsufficientDataError(f"{label} lacks {len(missing)} of {what}, for example "
                                    f"{[str(m) for m in missing[:3]]}.")
    return frame.reindex(index).to_numpy(dtype=np.float64)


def regressor_names(covariates: dict, names, y_columns: list) -> list:
    """The regressor columns: ``names`` (``future_covariates``) or every column of ``X``."""
    available = check_same_columns(covariates, "X")
    clash = sorted(set(available) & set(y_columns), key=str)
    if clash:
        raise InvalidInputError(f"X and y share column(s) {clash!r}; each variable must be given once.")
    if names is None:
        return list(available)
    unknown = [c for c in names if c not in available]
    if unknown:
        raise UnknownColumnError(f"future_covariates names column(s) {unknown!r} found neither in y nor in X; "
                                 f"available: {list(y_columns) + list(available)!r}.")
    return list(names)


def training_regressors(X, frames: dict, names, fill) -> tuple[list, dict]:
    """The regressor names and ``{series: [n, k] array}`` on the timestamps of ``frames``."""
    covariates, _ = as_series_dict(X, "X", fill=fill)
    for key in frames:
        if key not in covariates:
            raise InvalidInputError(_missing_series(key, covariates))
    columns = regressor_names({key: covariates[key] for key in frames}, names,
                              check_same_columns(frames, "y"))
    return columns, {key: _aligned(covariates[key][columns], frame.index, key, "the timestamps of y")
                     for key, frame in frames.items()}


def future_regressors(X, names: list, indexes: dict, horizon: int, fill) -> dict:
    """``{series: [horizon, k] array}`` of the regressors on each series' forecast
    timestamps (``indexes``); ``X`` may hold more rows (the past, later steps)."""
    if X is None:
        raise InsufficientDataError(
            f"X must give the future covariates {names!r} for the {horizon} forecast step(s); got None.")
    covariates, _ = as_series_dict(X, "X", fill=fill)
    out = {}
    for key, index in indexes.items():
        if key not in covariates:
            raise InsufficientDataError(_missing_series(key, covariates))
        frame = covariates[key]
        missing = [c for c in names if c not in frame.columns]
        if missing:
            raise UnknownColumnError(
                f"X lacks the future covariate column(s) {missing!r}; got columns {list(frame.columns)!r}.")
        out[key] = _aligned(frame[names], index, key, f"the {horizon} forecast timestamps")
    return out
