"""Backtest tasks: what one worker fits and predicts, and how it does it.

A task is one model over a chain of folds that share fitted state (a fold that is
refit starts a new chain unless ``warm_start`` carries weights over), over a set of
series. Each fold's training data is the panel cut at that fold's cutoffs: a model
computing on panels or fitted globally gets the cut panel itself (views of the values,
nothing after a cutoff inside its series' bounds), its covariates as a panel of the
same rows; a model fitted on one series at a time gets pandas objects of its window. A task sent to another process carries only its own series, with every
target and past-covariate value after its last cutoff blanked out, so no future value
can reach a forecast.
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..core.fallbacks import naming_series, recording_fallbacks, unrecorded_fallbacks, warn_fallback
from ..core.forms import InputForm
from ..core.panel import Panel
from ..core.silencing import silenced
from ..exceptions import FallbackWarning, InsufficientDataError, SkippedSeriesWarning
from ..forecasters.base import Forecast, check_quantiles, level_quantiles, quantile_column
from ._data import repaired
from ._short import longest_that_fit

__all__ = ["FoldPlan", "Task", "run_task", "error_text", "interval_names"]

@dataclass(frozen=True)
class FoldPlan:
    """One fold of a task: its index, whether the model is (re)fitted there, and the
    task's series it covers (``members``: positions into ``Task.rows``) with their first
    training position and cutoff position."""

    fold: int
    fit: bool
    members: np.ndarray
    starts: np.ndarray
    cutoffs: np.ndarray

    @property
    def lengths(self) -> np.ndarray:
        """The training rows of each of ``members``: from its first training position to its cutoff."""
        return self.cutoffs - self.starts + 1


@dataclass
class Task:
    """Everything a worker needs to run one task; it holds no fitted state."""

    index: int
    model_name: str
    model: object
    rows: np.ndarray
    folds: tuple
    panel: Panel
    target: object
    inputs: list
    future_covariates: list
    horizon: int
    gap: int
    quantiles: tuple | str | None
    levels: tuple | None = None
    fill: str | None = None
    warm_start: bool = False
    warm_epochs: int | None = None
    mode: str = "single"
    key: str = field(default="")

    @property
    def steps(self) -> int:
        return self.gap + self.horizon

    def detached(self) -> "Task":
        """This task with only its own series' values (for another process): rows after
        each series' last cutoff are cut, or blanked where future covariates are read."""
        last = np.full(len(self.rows), -1, dtype=np.int64)
        for plan in self.folds:
            np.maximum.at(last, plan.members, plan.cutoffs)
        ahead = self.steps if self.future_covariates else 0
        stop = np.minimum(last + 1 + ahead, self.panel.lengths[self.rows])
        lengths = stop
        offsets = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        source = np.repeat(self.panel.starts[self.rows], lengths) + offsets
        values = self.panel.values[source]  # a copy of this task's rows only
        blank = [self.panel.columns.index(c) for c in [self.target, *self.inputs] if c not in self.future_covariates]
        after = offsets > np.repeat(last, lengths)
        values[np.ix_(after, blank)] = np.nan
        ends = np.cumsum(lengths)
        panel = replace(self.panel, ids=self.panel.ids[self.rows], starts=ends - lengths, ends=ends, values=values,
                        time=self.panel.time.take(self.rows))
        return replace(self, panel=panel, rows=np.arange(len(self.rows)))


def error_text(exc: BaseException) -> str:
    """``"Type: message"`` of an exception, as reported in ``BacktestResult.errors``."""
    return f"{type(exc).__name__}: {exc}"


# --------------------------------------------------------------------------- inputs
def _training_panel(task: Task, plan: FoldPlan, members: np.ndarray) -> Panel:
    """The target of ``members`` cut at their cutoffs, gaps repaired from those rows."""
    rows = task.rows[members]
    positions = np.searchsorted(plan.members, members)
    panel = task.panel.window(plan.starts[positions], plan.cutoffs[positions] + 1, rows)
    return panel.select([task.target]).repaired(task.fill)


def _window_frame(task: Task, row: int, start: int, stop: int) -> pd.DataFrame:
    panel = task.panel
    index = panel.time.series_index(row, start, stop - start)
    values = panel.values[panel.starts[row] + start : panel.starts[row] + stop]
    return pd.DataFrame(values.copy(), index=index, columns=panel.columns)


def _fold_inputs(task: Task, plan: FoldPlan, uses_covariates: bool):
    """The training data and future covariates of a one-series ``plan`` as pandas
    objects (the contract of a model fitted on one series): nothing after the cutoff,
    except future-known covariates for the forecast steps."""
    (key,) = task.panel.ids[task.rows[plan.members]].tolist()
    row, start, cutoff = int(task.rows[plan.members[0]]), int(plan.starts[0]), int(plan.cutoffs[0])
    # Gaps are repaired from this fold's own rows, so no value after the cutoff
    # reaches the training data through an interpolation.
    train = repaired(_window_frame(task, row, start, cutoff + 1), task.fill, key)
    X = X_future = None
    if uses_covariates and task.inputs:
        X = train[task.inputs]
        if task.future_covariates:
            # X may extend past the cutoff only for covariates declared future-known.
            stop = min(cutoff + 1 + task.steps, int(task.panel.lengths[row]))
            X_future = repaired(_window_frame(task, row, start, stop)[task.future_covariates], task.fill, key)
    return [key], train[task.target], X, X_future


def _global_inputs(task: Task, plan: FoldPlan, uses_covariates: bool):
    """The training panel of all of ``plan``'s series, their covariates ``X`` (a panel
    of the same rows) and the future-known covariates of the forecast steps: views of
    the task's values, nothing after each cutoff but future-known covariates."""
    inputs = task.inputs if uses_covariates else []
    if not inputs:
        y = replace(_training_panel(task, plan, plan.members), form=InputForm("panel"))
        return y, None, None
    rows = task.rows[plan.members]
    # Repaired together, as one series' rows, from this fold's rows alone.
    train = task.panel.window(plan.starts, plan.cutoffs + 1, rows).select([task.target, *inputs]).repaired(task.fill)
    y, X = replace(train.select([task.target]), form=InputForm("panel")), train.select(inputs)
    X_future = None
    if task.future_covariates:
        stop = np.minimum(plan.cutoffs + 1 + task.steps, task.panel.lengths[rows])
        X_future = task.panel.window(plan.starts, stop, rows).select(task.future_covariates).repaired(task.fill)
    return y, X, X_future


# --------------------------------------------------------------------------- training state
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


def _fit_reference(model) -> dict | None:
    """What a fitted model that corrects a reference forecast (the LSTM, alone, in a
    ``WindowForecaster``, or that inside an intervals wrapper) recorded of it: ``{"reference": what, "shrinkage": factor}``
    (1.0: the network's corrections kept; 0.0: the reference's forecast itself); None
    for other models."""
    for _ in range(3):  # an intervals wrapper (model_) around a WindowForecaster (estimator_) around it
        reference = getattr(model, "reference_", None)
        if isinstance(reference, str):
            return {"reference": reference, "shrinkage": float(model.shrinkage_)}
        inner = getattr(model, "estimator_", None)
        model = inner if inner is not None else getattr(model, "model_", None)
        if model is None:
            return None
    return None


def _warm_holder(model):
    """The fitted estimator whose ``warm_start`` parameter continues training, if any."""
    for candidate in (getattr(model, "estimator_", None), model):
        if hasattr(candidate, "get_params") and "warm_start" in candidate.get_params(deep=False):
            return candidate
    return None


def _warm_refit(model, fit, epochs: int | None, state: dict) -> bool:
    """Refit ``model`` (by calling ``fit(model)``) from its current weights with fewer
    epochs; False if it cannot. ``epochs=None`` means a quarter of the epochs of the
    first (cold) fit, which ``state`` remembers across the chain."""
    holder = _warm_holder(model)
    if holder is None:
        return False
    own = holder.get_params(deep=False)
    changes = {"warm_start": True}
    if "epochs" in own:
        full = state.setdefault("epochs", int(own["epochs"]))
        changes["epochs"] = epochs if epochs is not None else max(1, full // 4)
    holder.set_params(**changes)
    if holder is not model and "estimator" in model.get_params(deep=False):
        # a wrapper (WindowForecaster) hands its next fit the parameters of its estimator
        model.set_params(**{f"estimator__{name}": value for name, value in changes.items()})
    fit(model)
    return True


def _fitted(task: Task, plan: FoldPlan, model, notes: list, state: dict, fit, update):
    """The fold's model: fitted, warm-refitted or updated; and how."""
    if not plan.fit:
        update(model)
        return model, "update"
    warm = task.warm_start and model is not None and _warm_refit(model, fit, task.warm_epochs, state)
    if task.warm_start and model is not None and not warm:
        notes.append("warm_start unsupported: refit from scratch")
    if not warm:
        model = clone(task.model)
        fit(model)
    return model, ("warm" if warm else "fit")


# --------------------------------------------------------------------------- folds
def _panel_fold(task: Task, plan: FoldPlan, model, notes: list, state: dict):
    """A fold of a panel model: one fit over the cut panel, forecasts as arrays. A fit
    that fails is retried without the series too short for it where the model pools
    over series (:func:`_without_short`), else series by series, so one bad series
    fails alone."""
    try:
        return _panel_fold_members(task, plan, plan.members, model, notes, state)
    except Exception as error:  # noqa: BLE001 - isolate the failing series
        if plan.members.size == 1 or not plan.fit:
            raise
        kept = _without_short(task, plan, error, lambda keep: _panel_fold_members(
            task, plan, plan.members, None, notes, state, keep)) if _pools(task) else None
    if kept is not None:
        return kept
    points = np.full((plan.members.size, task.horizon), np.nan)
    bands, failed = {"quantiles": None, "intervals": None}, []
    for i, member in enumerate(plan.members.tolist()):
        try:
            _, record = _panel_fold_members(task, plan, np.array([member]), None, notes, state)
        except Exception as exc:  # noqa: BLE001
            failed.append((i, error_text(_cause(exc))))
            continue
        if record["failed"]:  # the model left it out
            failed.append((i, record["failed"][0][1]))
            continue
        points[i] = record["y_hat"][0]
        for kind in bands:
            if record[kind] is not None:
                bands[kind] = bands[kind] or {c: np.full_like(points, np.nan) for c in record[kind]}
                for column, values in record[kind].items():
                    bands[kind][column][i] = values[0]
    return None, {"how": "fit", "y_hat": points, **bands, "history": None, "failed": failed}


def _cause(exc: BaseException) -> BaseException:
    """What is recorded of a failed fit or forecast (a forecast's failure by its cause)."""
    return exc.cause if isinstance(exc, _ForecastFailed) else exc


def _pools(task: Task) -> bool:
    """Whether the task's model pools over its series (one fit, or one calibration, for
    all: ``fits_globally``), so that a series fitted alone lacks what the others give."""
    return bool(getattr(task.model, "fits_globally", False))


def _member_keys(task: Task, plan: FoldPlan) -> tuple[list, np.ndarray]:
    """The ids of the fold's series and their training rows."""
    return task.panel.ids[task.rows[plan.members]].tolist(), plan.lengths


def _trial(run, *args):
    """``run(*args)`` as a trial: its fallbacks and skipped series neither warned nor
    recorded (those of a fit that is not kept), and handed back with its result, to be
    warned again where the fit is kept."""
    with unrecorded_fallbacks(), recording_fallbacks() as said, silenced(FallbackWarning, SkippedSeriesWarning):
        result = run(*args)
    return result, list(said)


def _alone(attempt, size: int, position: int) -> BaseException | None:
    """The error of ``attempt`` on the series at ``position`` alone (its own reason),
    or None where it succeeds alone."""
    keep = np.zeros(size, dtype=bool)
    keep[position] = True
    try:
        _trial(attempt, keep)
    except Exception as exc:  # noqa: BLE001 - its reason, recorded
        return _cause(exc)
    return None


def _without_short(task: Task, plan: FoldPlan, error: BaseException, attempt):
    """The fold forecast without the series too short for the model, where ``error``
    says one is: ``attempt(keep)`` fits the series of the mask ``keep`` together (the
    others keep their pool) and forecasts every series of the fold; the series left
    out are recorded with the error each raises alone. None where there is no such
    error, or no subset of the longest series fits (whatever a trial raises: ``error``,
    or the series-by-series retry, stands)."""
    if not isinstance(error, InsufficientDataError):
        return None
    _, lengths = _member_keys(task, plan)
    found = _searched_short(lengths, attempt)
    if found is None:
        return None
    (model, record), own, said = found
    for text in said:
        warn_fallback(text)
    record["failed"] = [(i, error_text(own[i]) if own.get(i) is not None else text) for i, text in record["failed"]]
    return model, record


def interval_names(levels) -> list[str]:
    """The interval columns of backtest forecasts: ``lo_<level>``, ``hi_<level>`` per level."""
    return [f"{side}_{level:g}" for level in levels for side in ("lo", "hi")]


def _quantiles_asked(task: Task, model) -> bool:
    """Whether the backtest asks ``model`` for quantiles (``quantiles`` given, and the
    model has them): they cost memory and time, so only when asked."""
    return task.quantiles is not None and bool(getattr(model, "supports_quantiles", False))


def _interval_bands(bands: np.ndarray, levels, gap: int) -> dict:
    """``{lo_80: [series, horizon], ...}`` from the bounds of one target
    ``[series, steps, quantiles]`` ordered as :func:`level_quantiles`."""
    n = len(levels)
    out = {}
    for j, level in enumerate(levels):
        out[f"lo_{level:g}"] = bands[:, gap:, n - 1 - j]
        out[f"hi_{level:g}"] = bands[:, gap:, n + j]
    return out


def _rows(forecast: Forecast, keys: list) -> np.ndarray:
    """Positions of the fold's series ``keys`` among the forecast's series, ``-1`` for a
    series the model returned no forecast for (one it left out, ``on_short="skip"``)."""
    if forecast.series_ids == keys or (len(keys) == 1 and len(forecast.series_ids) == 1):
        return np.arange(len(keys))
    position = {key: i for i, key in enumerate(forecast.series_ids)}
    return np.array([position.get(key, -1) for key in keys], dtype=np.int64)


def _taken(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]``, NaN where ``rows`` is ``-1`` (a series without a forecast)."""
    out = np.asarray(values, dtype=np.float64)[np.maximum(rows, 0)]
    out[rows < 0] = np.nan
    return out


def _unforecast(rows: np.ndarray, lengths) -> list:
    """``[(position, error)]`` of the series the model returned no forecast for: each
    fails alone, and the others keep their forecasts."""
    return [(int(i), f"InsufficientDataError: the model left this series out at this fold ({int(lengths[i])} "
                     "training row(s), too few for it); the other series were forecast without it.")
            for i in np.flatnonzero(rows < 0).tolist()]


def _forecasts(task: Task, model, keys: list, X, lengths, spread_of=None) -> dict:
    """The fold's forecasts of the target column, read from the model's array contract
    (:meth:`~tsforecast.forecasters.base.BaseForecaster.forecast_arrays`), the scored
    steps only; a series of ``keys`` the model returned none for (``lengths``: each
    one's training rows, to say so) is left NaN and in ``failed``. ``spread_of``: see
    :func:`_spread_arrays`."""
    steps, gap = task.steps, task.gap
    point = model.forecast_arrays(steps, X)
    if point.point.shape[1] != steps:
        raise ValueError(f"the model returned {point.point.shape[1]} forecast steps; {steps} were asked for.")
    rows = _rows(point, keys)
    if np.all(rows < 0):
        raise ValueError(f"the model returned no forecast for series {keys[:5]!r}; {len(keys)} series were asked "
                         "for.")
    column = point.targets.index(task.target) if task.target in point.targets else 0
    bands = None
    if _quantiles_asked(task, model):
        wanted = task.quantiles if task.quantiles == "auto" else check_quantiles(task.quantiles)
        parts = None if wanted == "auto" else {f"quantile {q:g}": (q,) for q in wanted}
        out = _spread_arrays(model, steps, X, wanted, spread_of, parts)
        if out is not None:  # of the series that have a spread (a retry may leave some out)
            values = _taken(out.quantiles, _rows(out, keys))[:, gap:, column]
            bands = {quantile_column(q): values[..., j] for j, q in enumerate(out.levels)}
    intervals = None
    if task.levels and getattr(model, "supports_quantiles", False):
        parts = {f"{level:g}% interval": level_quantiles((level,)) for level in task.levels}
        out = _spread_arrays(model, steps, X, level_quantiles(task.levels), spread_of, parts)
        if out is not None:
            intervals = _interval_bands(_taken(out.quantiles, _rows(out, keys))[:, :, column], task.levels, gap)
    return {"y_hat": _taken(point.point, rows)[:, gap:, column], "quantiles": bands, "intervals": intervals,
            "failed": _unforecast(rows, lengths)}


def _spread_arrays(model, steps: int, X, quantiles, spread_of=None, parts=None):
    """The model's quantile arrays, or None where its training part is too short for a
    spread (Drift on 2 values, Holt on 4): the fold keeps its point forecasts, without
    bounds, as a model without a distribution does, and the fallback is recorded.
    ``parts`` (``{label: quantiles}``: each level's pair, each quantile alone): where the
    model gives some of them (:func:`_in_parts`), those. ``spread_of(quantiles)``, where given, answers
    instead for the series that have a spread (:func:`_spread_without_short`), so one
    short series costs only its own."""
    try:
        return model.forecast_arrays(steps, X, quantiles=quantiles)
    except InsufficientDataError as error:
        some = _in_parts(model, steps, X, quantiles, parts, error) if parts and len(parts) > 1 else None
        if some is not None:
            return some
        kept = spread_of(quantiles) if spread_of is not None else None
        if kept is not None:
            return kept
        warn_fallback(f"{type(model).__name__}: no quantiles or intervals at this fold, its point forecasts are "
                      f"kept: {error}")
        return None


def _in_parts(model, steps: int, X, quantiles, parts: dict, error: InsufficientDataError) -> Forecast | None:
    """The ``quantiles`` the model gives when asked ``parts`` one by one, NaN for the
    others (named in a fallback), or None where it gives none: a conformal model with 6
    calibration windows gives an 80% interval but not a 95% one, and asked for both at
    once it gave neither."""
    given, out, missing = {}, None, []
    for label, part in parts.items():
        try:
            answer = model.forecast_arrays(steps, X, quantiles=part)
        except InsufficientDataError:
            missing.append(label)
            continue
        out = answer
        given.update(zip(out.levels, np.moveaxis(out.quantiles, -1, 0)))
    if out is None:
        return None
    blank = np.full(out.quantiles.shape[:-1], np.nan)
    warn_fallback(f"{type(model).__name__}: no {', '.join(missing)} at this fold, the others are kept: {error}")
    return out._replace(quantiles=np.stack([given.get(q, blank) for q in quantiles], axis=-1),
                        levels=tuple(quantiles))


def _spread_without_short(task: Task, plan: FoldPlan, members: np.ndarray, quantiles, model):
    """The quantiles of the fold's series that have a spread, from the model fitted
    again without those too short for one; each of those is named in a fallback with
    the reason it gives alone. None where no series has one.

    The model's fit of the whole chunk had failed for all of its series, so which
    series kept their bounds depended on which shared the chunk (on ``n_jobs``). A model
    whose spread is each series' own says which of ``model``'s series are too short
    (``too_short_for_spread``): the others are fitted again in one call. Any other
    model is searched by length (:func:`_searched_short`)."""
    lengths = plan.lengths[np.searchsorted(plan.members, members)]
    ids = task.panel.ids[task.rows[members]]

    def attempt(keep):
        fitted = clone(task.model).fit(_training_panel(task, plan, members[keep]))
        return fitted.forecast_arrays(task.steps, None, quantiles=quantiles)

    own = getattr(model, "too_short_for_spread", None)
    found = _own_short(own(), ids, attempt) if callable(own) else _searched_short(lengths, attempt)
    if found is None:
        return None
    out, reasons = found[:2]
    name = type(task.model).__name__
    for i, reason in reasons.items():
        warn_fallback(f"{name}: no quantiles or intervals at this fold for series {ids[i]!r}, its point forecasts "
                      f"are kept: {reason if reason is not None else f'{int(lengths[i])} training value(s)'}")
    return out


def _own_short(refusals: dict, ids: np.ndarray, attempt):
    """``attempt``'s result without the series of ``refusals`` (``{id: error}``, the
    model's own word on which are too short) and ``{position: error}`` of those; None
    where it leaves no series, or all of them."""
    keep = np.array([key not in refusals for key in ids.tolist()])
    if keep.all() or not keep.any():
        return None
    try:
        out, _ = _trial(attempt, keep)
    except Exception:  # noqa: BLE001 - a retry that fails leaves the error it retried to stand
        return None
    return out, {i: refusals[ids[i]] for i in np.flatnonzero(~keep).tolist()}


def _searched_short(lengths: np.ndarray, attempt):
    """``attempt``'s result on the longest series that fit together
    (:func:`longest_that_fit`), ``{position: error or None}`` of those left out, each
    fitted alone for its own reason, and the fallbacks the kept trial warned of; None
    where none fit."""
    found = longest_that_fit(lengths, lambda keep: _trial(attempt, keep))
    if found is None:
        return None
    keep, (out, said) = found
    return out, {i: _alone(attempt, lengths.size, i) for i in np.flatnonzero(~keep).tolist()}, said


class _ForecastFailed(Exception):
    """A fold whose fit succeeded and whose forecast failed: the fitted ``model`` is
    kept for the folds that update it; ``cause`` is what is recorded."""

    def __init__(self, model, cause: BaseException):
        super().__init__(str(cause))
        self.model, self.cause = model, cause


def _forecasts_of(task: Task, model, keys: list, X, lengths, spread_of=None) -> dict:
    """:func:`_forecasts`, a failure raised as :class:`_ForecastFailed` with ``model``."""
    try:
        return _forecasts(task, model, keys, X, lengths, spread_of)
    except Exception as exc:  # noqa: BLE001 - the fit stands; only this fold's forecast is lost
        raise _ForecastFailed(model, exc) from exc


def _panel_fold_members(task: Task, plan: FoldPlan, members, model, notes, state, keep=None):
    """A fold of a panel model over ``members``, fitted on those of the mask ``keep``
    (default: all), the others recorded as not forecast."""
    fitted_on = members if keep is None else members[keep]
    panel = _training_panel(task, plan, fitted_on)
    model, how = _fitted(task, plan, model, notes, state, lambda m: m.fit(panel), lambda m: m.update(panel))
    positions = np.searchsorted(plan.members, members)
    keys, lengths = task.panel.ids[task.rows[members]].tolist(), plan.lengths[positions]
    spread_of = (lambda quantiles: _spread_without_short(task, plan, fitted_on, quantiles, model)) if plan.fit else None
    record = _forecasts_of(task, model, keys, None, lengths, spread_of)
    return model, {"how": how, **record, "history": None}


def _frame_fold(task: Task, plan: FoldPlan, model, notes: list, state: dict):
    """A fold of a model fitted globally on all series (on the panel cut at the
    cutoffs, covariates as a panel of the same rows), or on one series at a time. A
    global fit that a series is too short for is retried without it: by the model's
    own ``on_short`` where it has one, else by :func:`_without_short`."""
    try:
        return _frame_fold_members(task, plan, model, notes, state)
    except InsufficientDataError as error:
        if task.mode != "global" or plan.members.size == 1:
            raise
        if plan.fit and _skips_short(task):
            skipping = replace(task, model=clone(task.model).set_params(on_short="skip"))
            return _frame_fold_members(skipping, plan, None, notes, state, quietly=True)
        # an update is tried on copies: a trial must not leave the chain's model updated
        kept = _without_short(task, plan, error, lambda keep: _frame_fold_members(
            task, plan, None if plan.fit else copy.copy(model), notes, state, keep=keep))
        if kept is None:
            raise
        return kept


def _frame_fold_members(task: Task, plan: FoldPlan, model, notes: list, state: dict, keep=None,
                        quietly: bool = False):
    """A fold of :func:`_frame_fold`, a global model fitted on the series of the mask
    ``keep`` (default: all) and the others recorded as not forecast; ``quietly``:
    without the :class:`SkippedSeriesWarning` of a model that skips (the backtest
    records the series)."""
    uses_covariates = bool(getattr(task.model, "uses_covariates", False))
    if task.mode == "global":
        fitted_on = plan if keep is None else replace(plan, members=plan.members[keep], starts=plan.starts[keep],
                                                      cutoffs=plan.cutoffs[keep])
        y, X, X_future = _global_inputs(task, fitted_on, uses_covariates)
        keys, lengths = _member_keys(task, plan)
    else:
        keys, y, X, X_future = _fold_inputs(task, plan, uses_covariates)
        lengths = [len(y)]
    fit, update = (lambda m: m.fit(y, X)), (lambda m: m.update(y, X))
    # a one-series fit's fallbacks name its series, not the single series' placeholder
    with naming_series(keys[0] if task.mode != "global" else None):
        model, how = _fitted(task, plan, model, notes, state, _quietly(fit) if quietly else fit, update)
        record = _forecasts_of(task, model, keys, X_future, lengths)
    return model, {"how": how, **record, "history": _history(model) if plan.fit else None,
                   "fit_reference": _fit_reference(model) if plan.fit else None}


def _skips_short(task: Task) -> bool:
    """Whether the task's model can leave out a series too short for it (``on_short``)."""
    params = task.model.get_params(deep=False) if hasattr(task.model, "get_params") else {}
    return params.get("on_short") == "raise"


def _quietly(fit):
    """``fit`` without its :class:`SkippedSeriesWarning` (the backtest records the series)."""
    def run(model):
        with silenced(SkippedSeriesWarning):
            fit(model)
    return run


def _run_fold(run_fold, task: Task, plan: FoldPlan, model, notes: list, state: dict):
    """``run_fold`` over one fold: the fitted model and the fold's record (with the
    fallbacks its fit warned of, recorded whatever the caller's filters), or the error."""
    try:
        if not plan.fit and model is None:
            raise RuntimeError("no fitted model: the fit this fold depends on failed")
        with recording_fallbacks() as said:
            fitted, record = run_fold(task, plan, model, notes, state)
        record["fallbacks"] = list(dict.fromkeys(said))
        record["error"] = None
        return (fitted if fitted is not None else model), record
    except _ForecastFailed as exc:  # the fit stands for the folds that update it
        return exc.model, _failed_record(exc.cause)
    except Exception as exc:  # noqa: BLE001 - one failing model must not stop the backtest
        return (None if plan.fit else model), _failed_record(exc)


def _failed_record(exc: BaseException) -> dict:
    """The record of a fold that forecast nothing, with its error."""
    return {"how": None, "y_hat": None, "quantiles": None, "intervals": None, "history": None, "failed": [],
            "error": error_text(exc), "fallbacks": []}


def run_task(task: Task) -> dict:
    """Run every fold of ``task``; a fold that fails is recorded with its error and
    the folds that depend on its model fail with it. Returns the payload: per fold,
    forecasts ``[members, horizon]`` (and quantiles) or the error, and the messages of
    the :class:`~tsforecast.exceptions.FallbackWarning` its fits raised (``fallbacks``:
    a series fitted with a simpler model, intervals pooled over series), recorded per
    thread (:mod:`tsforecast.core.fallbacks`) and raised as any warning."""
    model, folds, notes, state = None, [], [], {}
    run_fold = _panel_fold if task.mode == "panel" else _frame_fold
    for plan in task.folds:
        started = time.perf_counter()
        model, record = _run_fold(run_fold, task, plan, model, notes, state)
        record["fold"] = plan.fold
        record["seconds"] = time.perf_counter() - started
        folds.append(record)
    return {"folds": folds, "notes": sorted(set(notes))}
