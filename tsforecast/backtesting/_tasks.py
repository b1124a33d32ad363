"""Backtest tasks: what one worker fits and predicts, and how it does it.

A task is one model over a chain of folds that share fitted state (a fold that is
refit starts a new chain unless ``warm_start`` carries weights over) for one series,
or for every series at once when the model fits globally. A worker receives only
the rows a task needs, with every target and past-covariate value after the task's
last cutoff blanked out, and slices each fold's inputs at its cutoff before any
model sees them, so no future value can reach a forecast.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from types import MethodType

import numpy as np
import pandas as pd
from sklearn.base import clone

from ._data import repaired

__all__ = ["FoldPlan", "Task", "run_task", "error_text"]


@dataclass(frozen=True)
class FoldPlan:
    """One fold of a task: its index, whether the model is (re)fitted there, and per
    series (in ``series`` order) the first training position and the cutoff position."""

    fold: int
    fit: bool
    series: tuple
    starts: tuple
    cutoffs: tuple


@dataclass
class Task:
    """Everything a worker needs to run one task; it holds no fitted state."""

    index: int
    model_name: str
    model: object
    series_ids: tuple
    folds: tuple
    frames: dict
    target: object
    inputs: list
    future_covariates: list
    horizon: int
    gap: int
    quantiles: tuple | None
    fill: str | None = None
    warm_start: bool = False
    warm_epochs: int | None = None
    is_global: bool = False
    key: str = field(default="")


def error_text(exc: BaseException) -> str:
    """``"Type: message"`` of an exception, as reported in ``BacktestResult.errors``."""
    return f"{type(exc).__name__}: {exc}"


def _fold_inputs(task: Task, plan: FoldPlan, uses_covariates: bool):
    """The training data and future covariates of ``plan``: nothing after each cutoff,
    except future-known covariates for the forecast steps."""
    steps = task.gap + task.horizon
    ys, xs, futures = {}, {}, {}
    for key, start, cutoff in zip(plan.series, plan.starts, plan.cutoffs, strict=True):
        frame = task.frames[key]
        # Gaps are repaired from this fold's own rows, so no value after the cutoff
        # reaches the training data through an interpolation.
        train = repaired(frame.iloc[start : cutoff + 1], task.fill, key)
        ys[key] = train[task.target]
        if uses_covariates and task.inputs:
            xs[key] = train[task.inputs]
            if task.future_covariates:
                # X may extend past the cutoff only for covariates declared future-known.
                known = frame[task.future_covariates].iloc[start : cutoff + 1 + steps]
                futures[key] = repaired(known, task.fill, key)
    if task.is_global:
        return ys, (xs or None), (futures or None)
    key = plan.series[0]
    return ys[key], xs.get(key), futures.get(key)


def _values(output, key, target, is_global: bool) -> pd.DataFrame | pd.Series:
    return output[key] if is_global else output


def _point(output, key, target, steps: int, is_global: bool) -> np.ndarray:
    part = _values(output, key, target, is_global)
    if isinstance(part, pd.DataFrame):
        part = part[target] if target in part.columns else part.iloc[:, 0]
    values = np.asarray(part, dtype=np.float64).reshape(-1)
    if values.size != steps:
        raise ValueError(f"the model returned {values.size} forecast steps; {steps} were asked for.")
    return values


def _quantile_frame(output, key, is_global: bool, steps: int) -> dict:
    part = _values(output, key, None, is_global)
    frame = part.to_frame() if isinstance(part, pd.Series) else part
    if len(frame) != steps:
        raise ValueError(f"the model returned {len(frame)} quantile steps; {steps} were asked for.")
    return {str(c): frame[c].to_numpy(dtype=np.float64) for c in frame.columns}


def _history(model):
    """Training curves as ``{name: [float]}``, or None when the model keeps none."""
    try:
        history = model.history_
    except Exception:  # noqa: BLE001 - a missing or unfitted history is simply absent
        return None
    history = getattr(history, "history", history)
    if not isinstance(history, dict):
        return None
    return {str(k): [float(v) for v in np.asarray(vals, dtype=float).ravel()] for k, vals in history.items()}


def _warm_holder(model):
    """The fitted estimator whose ``warm_start`` parameter continues training, if any."""
    for candidate in (getattr(model, "estimator_", None), model):
        if hasattr(candidate, "get_params") and "warm_start" in candidate.get_params(deep=False):
            return candidate
    return None


def _network_holder(model):
    """The fitted Keras-backed estimator (``network_`` and an ``epochs`` parameter), if any."""
    for candidate in (getattr(model, "estimator_", None), model):
        if (
            candidate is not None
            and hasattr(getattr(candidate, "network_", None), "get_weights")
            and "epochs" in candidate.get_params(deep=False)
            and callable(getattr(type(candidate), "_build", None))
        ):
            return candidate
    return None


def _adopt_own_weights(estimator) -> None:
    """Make the next ``fit`` of a Keras-backed estimator start from its current weights.

    A bridge for estimators without a ``warm_start`` parameter (such as
    :class:`tsforecast.EncoderDecoderLSTM` today): the network is still built by the
    estimator, from the new data's shapes, and then takes the previous fold's weights
    before training. ``warm_start = True`` on the instance tells
    :class:`tsforecast.WindowForecaster` to refit this estimator rather than a clone.
    """
    weights = estimator.network_.get_weights()
    build = type(estimator)._build

    def _build(self, *args, **kwargs):
        train_model, network = build(self, *args, **kwargs)
        network.set_weights(weights)  # the training model shares these layers
        return train_model, network

    estimator._build = MethodType(_build, estimator)
    estimator.warm_start = True


def _warm_refit(model, y, X, epochs: int | None, state: dict) -> bool:
    """Refit ``model`` from its current weights with fewer epochs; False if it cannot.

    ``epochs=None`` means a quarter of the epochs of the first (cold) fit, which
    ``state`` remembers across the chain."""
    holder = _warm_holder(model)
    adopt = holder is None
    if adopt:
        holder = _network_holder(model)
        if holder is None:
            return False
    own = holder.get_params(deep=False)
    if "epochs" in own:
        full = state.setdefault("epochs", int(own["epochs"]))
        holder.set_params(epochs=epochs if epochs is not None else max(1, full // 4))
    if adopt:
        _adopt_own_weights(holder)
    else:
        holder.set_params(warm_start=True)
    model.fit(y, X)
    return True


def _run_fold(task: Task, plan: FoldPlan, model, notes: list, state: dict):
    """Fit (or refit, warm-start, update) and predict one fold; returns the model and
    the fold's record."""
    proto = task.model
    uses_covariates = bool(getattr(proto, "uses_covariates", False))
    y, X, X_future = _fold_inputs(task, plan, uses_covariates)
    steps = task.gap + task.horizon
    if plan.fit:
        warm = task.warm_start and model is not None and _warm_refit(model, y, X, task.warm_epochs, state)
        if task.warm_start and model is not None and not warm:
            notes.append("warm_start unsupported: refit from scratch")
        if not warm:
            model = clone(proto).fit(y, X)
        how = "warm" if warm else "fit"
    else:
        model.update(y, X)
        how = "update"
    predict_x = X_future if task.future_covariates else None
    point = model.predict(steps, X=predict_x)
    bands = None
    if getattr(model, "supports_quantiles", False):
        wanted = list(task.quantiles) if task.quantiles else None  # None: the model's own levels
        bands = model.predict_quantiles(steps, X=predict_x, quantiles=wanted)
    series = []
    for key in plan.series:
        entry = {"y_hat": _point(point, key, task.target, steps, task.is_global)[task.gap :].tolist()}
        if bands is not None:
            frame = _quantile_frame(bands, key, task.is_global, steps)
            entry["quantiles"] = {c: v[task.gap :].tolist() for c, v in frame.items()}
        series.append(entry)
    record = {"how": how, "series": series, "history": _history(model) if plan.fit else None}
    return model, record


def run_task(task: Task) -> dict:
    """Run every fold of ``task``; a fold that fails is recorded with its error and
    the folds that depend on its model fail with it. Returns a JSON-able payload."""
    model, folds, notes, state = None, [], [], {}
    for plan in task.folds:
        started = time.perf_counter()
        try:
            if not plan.fit and model is None:
                raise RuntimeError("no fitted model: the fit this fold depends on failed")
            model, record = _run_fold(task, plan, model, notes, state)
            record["error"] = None
        except Exception as exc:  # noqa: BLE001 - one failing model must not stop the backtest
            model = None if plan.fit else model
            record = {"how": None, "series": None, "history": None, "error": error_text(exc)}
        record["fold"] = plan.fold
        record["seconds"] = time.perf_counter() - started
        folds.append(record)
    return {"folds": folds, "notes": sorted(set(notes))}
