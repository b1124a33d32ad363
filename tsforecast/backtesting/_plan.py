"""Planning a backtest: folds per series, and the tasks that share fitted state.

Fold numbers are aligned from the end of the data (every series' last fold has the
same number). A task is a chain of folds of one model that share a fitted model (a
refit starts a new chain unless ``warm_start`` carries weights across), for one series,
or for all series at once when the model fits globally. Each task gets only the rows
it needs, with target and past covariates blanked after its last cutoff.
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import clone

from .. import __version__
from ..exceptions import InsufficientDataError, SkippedSeriesWarning
from ._data import BacktestData, frame_hash
from ._tasks import FoldPlan, Task
from .checkpoint import task_key

__all__ = ["series_folds", "plan_tasks", "resolve_random_states", "json_value"]


def series_folds(data: BacktestData, splitter, on_short: str = "raise") -> dict:
    """``{series: [(start, cutoff), ...]}``, oldest fold first.

    With ``on_short="skip"`` a series too short for the folds is dropped from ``data``
    (with a :class:`SkippedSeriesWarning`) unless every series is.
    """
    folds, skipped = {}, []
    for key, frame in data.frames.items():
        try:
            splits = list(splitter.split(len(frame)))
        except InsufficientDataError as exc:
            label = "data" if len(data.frames) == 1 else f"data series {key!r}"
            # The splitter names its own arguments; say it in backtest's words.
            message = str(exc).replace("X has", "it has").replace("n_splits", "n_folds")
            if on_short == "skip" and len(skipped) + 1 < len(data.frames):
                warnings.warn(f"{label} is skipped: {message}", SkippedSeriesWarning, stacklevel=3)
                skipped.append(key)
                continue
            raise InsufficientDataError(f"{label}: {message}") from None
        folds[key] = [(int(train[0]), int(train[-1])) for train, _ in splits]
    if skipped:
        data.frames = {k: f for k, f in data.frames.items() if k not in skipped}
        data.sha256 = frame_hash(data.frames)  # describes (and keys checkpoints on) the data used
    return folds


def json_value(value):
    """``value`` if JSON can hold it, else its repr (estimators, tuples of objects)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def resolve_random_states(model):
    """A clone of ``model`` whose random states are ints (or None), and those values."""
    model = clone(model)
    resolved = {}
    for name, value in model.get_params(deep=True).items():
        if not name.endswith("random_state"):
            continue
        if isinstance(value, np.random.RandomState):
            value = int(value.randint(np.iinfo(np.int32).max))
        elif isinstance(value, np.random.Generator):
            value = int(value.integers(np.iinfo(np.int32).max))
        resolved[name] = value
    model.set_params(**resolved)
    return model, {k: json_value(v) for k, v in resolved.items()}


def _chains(n_folds: int, refit, warm_start, can_update: bool) -> list[list[tuple[int, bool]]]:
    """Group fold indices into chains that share a fitted model: ``[(fold, fit?)]``."""
    if refit is True or not can_update:
        fits = [True] * n_folds
    else:
        every = n_folds if refit is False else int(refit)
        fits = [k % every == 0 for k in range(n_folds)]
    if warm_start:
        return [list(zip(range(n_folds), fits, strict=True))]
    chains: list = []
    for fold, fit in enumerate(fits):
        if fit:
            chains.append([])
        chains[-1].append((fold, fit))
    return chains


def _task_frames(data: BacktestData, plans: list[FoldPlan], steps: int) -> dict:
    """Rows a task needs, with target and past covariates blanked after its last cutoff
    (only future-known covariates may be read beyond it)."""
    last_cutoff: dict = {}
    for plan in plans:
        for key, cutoff in zip(plan.series, plan.cutoffs, strict=True):
            last_cutoff[key] = max(cutoff, last_cutoff.get(key, -1))
    frames = {}
    source = data.raw if data.raw is not None else data.frames  # gaps are repaired per fold
    for key, cutoff in last_cutoff.items():
        frame = source[key]
        end = cutoff + 1 + (steps if data.future_covariates else 0)
        part = frame.iloc[:end].copy()
        blank = [data.target, *data.covariates]
        part.iloc[cutoff + 1 :, [part.columns.get_loc(c) for c in blank]] = np.nan
        frames[key] = part
    return frames


def _aligned_folds(folds: dict) -> dict:
    """``{series: {fold: (start, cutoff)}}`` with fold numbers aligned from the end:
    the last fold of every series has the same number (series with fewer folds start
    later)."""
    total = max(len(v) for v in folds.values())
    return {key: {total - len(own) + j: sc for j, sc in enumerate(own)} for key, own in folds.items()}


def _chain_plans(group: tuple, aligned: dict, settings: dict, can_update: bool) -> list[list[FoldPlan]]:
    first = min(min(aligned[k]) for k in group)
    last = max(max(aligned[k]) for k in group)
    chains = _chains(last - first + 1, settings["refit"], settings["warm_start"], can_update)
    out = []
    for chain in chains:
        plans = []
        for relative, fit in chain:
            fold = first + relative
            members = [k for k in group if fold in aligned[k]]
            if members:
                spans = [aligned[k][fold] for k in members]
                plans.append(FoldPlan(fold, fit or not plans, tuple(members),
                                      tuple(s for s, _ in spans), tuple(c for _, c in spans)))
        if plans:
            out.append(plans)
    return out


def plan_tasks(models: dict, data: BacktestData, folds: dict, settings: dict) -> list[Task]:
    tasks: list[Task] = []
    ids = list(data.frames)
    aligned = _aligned_folds(folds)
    steps = settings["gap"] + settings["horizon"]
    warm = settings["warm_start"]
    for name, model in models.items():
        can_update = callable(getattr(model, "update", None))
        is_global = bool(getattr(model, "fits_globally", False)) and len(ids) > 1
        groups = [tuple(ids)] if is_global else [(key,) for key in ids]
        for group in groups:
            for plans in _chain_plans(group, aligned, settings, can_update):
                frames = _task_frames(data, plans, steps)
                task = Task(
                    index=len(tasks), model_name=name, model=model, series_ids=group, folds=tuple(plans),
                    frames=frames, target=data.target, inputs=data.inputs,
                    future_covariates=data.future_covariates, horizon=settings["horizon"], gap=settings["gap"],
                    quantiles=settings["quantiles"], fill=data.fill, warm_start=bool(warm),
                    warm_epochs=None if isinstance(warm, bool) else int(warm), is_global=is_global,
                )
                task.key = _key(task, data, settings)
                tasks.append(task)
    return tasks


def _key(task: Task, data: BacktestData, settings: dict) -> str:
    """The checkpoint key: everything that determines the task's result."""
    model = task.model
    return task_key({
        "model": task.model_name,
        "class": f"{type(model).__module__}.{type(model).__qualname__}",
        "params": {k: json_value(v) for k, v in model.get_params(deep=False).items()},
        "folds": [[p.fold, p.fit, [repr(k) for k in p.series], list(p.starts), list(p.cutoffs)] for p in task.folds],
        "data": frame_hash(task.frames),
        "settings": {k: json_value(v) for k, v in settings.items()},
        "columns": [repr(data.target), [repr(c) for c in data.inputs], [repr(c) for c in data.future_covariates]],
        "is_global": task.is_global,
        "version": __version__,
    })


