"""Planning a backtest: folds per series as arrays, and the tasks that share fitted state.

Fold numbers are aligned from the end of the data (every series' last fold has the
same number). A task is a chain of folds of one model that share a fitted model (a
refit starts a new chain unless ``warm_start`` carries weights across) over a set of
series:

- models that compute on panels (``computes_on_panel``, every baseline) take chunks of
  many series, one chunk per worker;
- models that fit globally take all series at once;
- any other model takes one series at a time (the contract of a single series).
"""

from __future__ import annotations

import hashlib
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import clone

from .._version import __version__
from ..exceptions import InsufficientDataError, InvalidParameterError, SkippedSeriesWarning
from ._data import BacktestData, panel_hash
from ._tasks import FoldPlan, Task
from .checkpoint import task_key

__all__ = ["Folds", "series_folds", "end_lags", "plan_tasks", "resolve_random_states", "json_value"]


@dataclass
class Folds:
    """Training spans per series and fold: ``starts[s, f]`` and ``cutoffs[s, f]`` (the
    first and last training positions), ``-1`` where series ``s`` has no fold ``f``;
    ``skipped``: the series left out (``on_short="skip"``), ``{str(id): why}``."""

    starts: np.ndarray
    cutoffs: np.ndarray
    skipped: dict = field(default_factory=dict)

    @property
    def n_folds(self) -> int:
        return self.starts.shape[1]

    @property
    def present(self) -> np.ndarray:
        return self.cutoffs >= 0


def series_folds(data: BacktestData, splitter, on_short: str = "raise", align: str = "end") -> Folds:
    """The folds of every series (computed once per distinct length).

    With ``on_short="skip"`` a series too short for the folds is dropped from ``data``
    (with a :class:`SkippedSeriesWarning`) unless every series is. ``align="time"``
    places the folds of every series at the same times, those of the series that ends
    last: a series that ends ``k`` steps earlier is split as if ``k`` steps longer, and
    keeps the folds whose horizon it covers (see :func:`end_lags`).
    """
    lags = end_lags(data.panel) if align == "time" else np.zeros(data.panel.n_series, dtype=np.int64)
    return _drop_short(data, *_placed_folds(data.panel, splitter, lags), on_short)


def end_lags(panel) -> np.ndarray:
    """Steps from each series' last time to the latest last time of the panel.

    Raises :class:`InvalidParameterError` where the series share no time grid (a dict
    mixing time axes, or series whose steps fall between each other's).
    """
    axis, lengths = panel.time, panel.lengths
    if axis.kind == "mixed":
        raise InvalidParameterError("align='time' places every series' folds at the same times, but the series' "
                                    "time axes differ (a dict mixing dates and integer time, or frequencies); got "
                                    "align='time'.")
    ends = axis.at(lengths - 1)
    latest = int(ends.max())
    if axis.step:
        lags, off_grid = np.divmod(latest - ends, axis.step)
    else:  # calendar steps (months, business days): count them
        stamps = {int(e): axis._timestamp(int(e)) for e in np.unique(ends).tolist()}
        last = axis._timestamp(latest)
        grids = {e: pd.date_range(stamp, last, freq=axis.offset) for e, stamp in stamps.items()}  # once per end
        lags = np.array([len(grids[int(e)]) - 1 for e in ends], dtype=np.int64)
        off_grid = np.array([grids[int(e)][-1] != last for e in ends], dtype=bool)
    if np.any(off_grid):
        row = int(np.flatnonzero(off_grid)[0])
        raise InvalidParameterError(
            f"align='time' places every series' folds at the same times, but series {panel.ids[row]!r} ends at "
            f"{axis.to_index(ends[row:row + 1])[0]}, off the time grid of the series ending last "
            f"({axis.to_index(np.array([latest]))[0]}); got align='time'.")
    return np.asarray(lags, dtype=np.int64)


def _placed_folds(panel, splitter, lags: np.ndarray) -> tuple[Folds, dict]:
    """The folds of :func:`series_folds`, each series split as if ``lags`` steps longer
    (0: from its own end; else on the timeline of the series ending last, a fold whose
    horizon runs past the series' end absent for it), computed once per distinct
    (length, lag); and the series left without any fold, ``{row: why}``."""
    lengths = panel.lengths
    pairs, group = np.unique(np.column_stack([lengths, lags]), axis=0, return_inverse=True)
    spans, failures = {}, {}
    for virtual in np.unique(pairs.sum(axis=1)).tolist():
        try:
            spans[virtual] = np.array([(train[0], train[-1], test[-1]) for train, test in splitter.split(virtual)],
                                      dtype=np.int64)
        except InsufficientDataError as exc:
            # The splitter names its own arguments; say it in backtest's words.
            failures[virtual] = str(exc).replace("X has", "it has")
    total = max((len(v) for v in spans.values()), default=0)
    starts = np.full((len(lengths), total), -1, dtype=np.int64)
    cutoffs = np.full((len(lengths), total), -1, dtype=np.int64)
    reasons = {}
    # each pair's rows from one stable sort (a scan of every series per pair grew as their product)
    order = np.argsort(group.ravel(), kind="stable")
    bounds = np.searchsorted(group.ravel()[order], np.arange(len(pairs) + 1))
    for g, (length, lag) in enumerate(pairs.tolist()):
        rows = order[bounds[g]:bounds[g + 1]]
        folds = spans.get(length + lag)
        if folds is None:
            reasons.update(dict.fromkeys(rows.tolist(), failures[length + lag]))
            continue
        scored = folds[:, 2] < length  # its horizon lies within the series: it can be scored
        if not scored.any():
            reasons.update(dict.fromkeys(rows.tolist(), f"it ends {lag} step(s) before the series that ends last, so "
                                                       "with align='time' no fold's horizon falls within it"))
            continue
        first = total - len(folds)
        starts[rows, first:] = np.where(scored, folds[:, 0], -1)
        cutoffs[rows, first:] = np.where(scored, folds[:, 1], -1)
    return Folds(starts, cutoffs), reasons


def _drop_short(data: BacktestData, folds: Folds, reasons: dict, on_short: str) -> Folds:
    """``folds`` without the series of ``reasons`` (``{row: why}``): skipped with a
    warning under ``on_short="skip"`` unless every series is, else refused."""
    single = data.panel.n_series == 1
    for row, message in sorted(reasons.items()):
        label = "data" if single else f"data series {data.ids[row]!r}"
        if on_short == "skip" and len(reasons) < data.panel.n_series:
            warnings.warn(f"{label} is skipped: {message}", SkippedSeriesWarning, stacklevel=4)
            folds.skipped[str(data.ids[row])] = message
            continue
        raise InsufficientDataError(f"{label}: {message}", too_short="folds",
                                    series=None if single else data.ids[row]) from None
    if reasons:
        keep = np.setdiff1d(np.arange(data.panel.n_series), list(reasons))
        data.keep(keep)
        folds = Folds(folds.starts[keep], folds.cutoffs[keep], folds.skipped)
    return folds


def json_value(value):
    """``value`` if JSON can hold it, else its repr (estimators, tuples of objects)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def key_value(value):
    """``value`` in full, for a checkpoint key: nested estimators by class and parameters,
    sequences, mappings and arrays item by item. (scikit-learn's repr, which ``json_value``
    shows, keeps 30 items of a sequence and cuts long reprs in the middle: two models that
    differ only there got one key, and a resumed backtest reused the other's forecasts.)"""
    if hasattr(value, "get_params") and not isinstance(value, type):
        params = {k: key_value(v) for k, v in value.get_params(deep=False).items()}
        return {"class": f"{type(value).__module__}.{type(value).__qualname__}", "params": params}
    if isinstance(value, (list, tuple)):
        return [type(value).__name__, [key_value(v) for v in value]]
    if isinstance(value, dict):
        return {repr(k): key_value(v) for k, v in value.items()}
    if isinstance(value, np.ndarray) and value.dtype == object:
        return ["ndarray", list(value.shape), [key_value(v) for v in value.ravel().tolist()]]
    if isinstance(value, np.ndarray):
        data = np.ascontiguousarray(value)
        return ["ndarray", str(data.dtype), list(data.shape), hashlib.sha256(data.tobytes()).hexdigest()]
    return json_value(value)


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


def _chain_plans(rows: np.ndarray, folds: Folds, settings: dict, can_update: bool) -> list[list[FoldPlan]]:
    """The fold plans of a task over series ``rows`` (positions into ``rows`` per fold)."""
    present = folds.present[rows]
    used = np.flatnonzero(present.any(axis=0))
    first, last = int(used.min()), int(used.max())
    out = []
    for chain in _chains(last - first + 1, settings["refit"], settings["warm_start"], can_update):
        plans = []
        for relative, fit in chain:
            fold = first + relative
            members = np.flatnonzero(present[:, fold])
            if members.size:
                plans.append(FoldPlan(fold, fit or not plans, members, folds.starts[rows[members], fold],
                                      folds.cutoffs[rows[members], fold]))
        if plans:
            out.append(plans)
    return out


def task_mode(model, n_series: int) -> str:
    """``"panel"`` (chunks of series as arrays), ``"global"`` (all series, one model)
    or ``"single"`` (one series per task)."""
    if getattr(model, "computes_on_panel", False):
        return "panel"
    if getattr(model, "fits_globally", False) and n_series > 1:
        return "global"
    return "single"


def _groups(mode: str, n_series: int, n_chunks: int) -> list[np.ndarray]:
    rows = np.arange(n_series)
    if mode == "global":
        return [rows]
    if mode == "single":
        return [rows[i : i + 1] for i in range(n_series)]
    return [part for part in np.array_split(rows, max(1, min(n_chunks, n_series))) if part.size]


def plan_tasks(models: dict, data: BacktestData, folds: Folds, settings: dict, n_chunks: int = 1,
               keyed: bool = False) -> list[Task]:
    """Every task of the backtest, in a fixed order (model, then series); ``keyed``
    gives each its checkpoint key (which hashes the task's data)."""
    tasks: list[Task] = []
    warm = settings["warm_start"]
    for name, model in models.items():
        can_update = callable(getattr(model, "update", None))
        mode = task_mode(model, data.panel.n_series)
        # A model that pools over series (one fit, or one calibration, for all) gets them all in one task.
        chunks = 1 if getattr(model, "fits_globally", False) else n_chunks
        for rows in _groups(mode, data.panel.n_series, chunks):
            for plans in _chain_plans(rows, folds, settings, can_update):
                task = Task(
                    index=len(tasks), model_name=name, model=model, rows=rows, folds=tuple(plans),
                    panel=data.panel, target=data.target, inputs=data.inputs,
                    future_covariates=data.future_covariates, horizon=settings["horizon"], gap=settings["gap"],
                    quantiles=settings["quantiles"], levels=settings.get("levels"), fill=data.fill,
                    warm_start=bool(warm),
                    warm_epochs=None if isinstance(warm, bool) else int(warm), mode=mode,
                )
                task.key = _key(task, data, settings) if keyed else str(task.index)
                tasks.append(task)
    return tasks


def _key(task: Task, data: BacktestData, settings: dict) -> str:
    """The checkpoint key: everything that determines the task's result."""
    model = task.model
    return task_key({
        "model": task.model_name,
        "class": f"{type(model).__module__}.{type(model).__qualname__}",
        "params": {k: key_value(v) for k, v in model.get_params(deep=False).items()},
        "folds": [[p.fold, p.fit, [repr(k) for k in data.ids[task.rows[p.members]].tolist()], p.starts.tolist(),
                   p.cutoffs.tolist()] for p in task.folds],
        "data": panel_hash(data.panel, task.rows),
        "settings": {k: json_value(v) for k, v in settings.items()},
        "columns": [repr(data.target), [repr(c) for c in data.inputs], [repr(c) for c in data.future_covariates]],
        # the repair of missing values: the data's hash is of the raw rows, gaps included
        "fill": data.fill,
        "mode": task.mode,
        "version": __version__,
    })
