"""`backtest`: walk-forward evaluation of forecasters, planned as independent tasks."""

from __future__ import annotations

import platform
import sys
import time
import warnings
from datetime import datetime, timezone

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from .. import __version__
from .._validation import check_bool, check_choice, check_int
from ..base import check_quantiles
from ..exceptions import (
    BacktestError,
    InputTypeError,
    InsufficientDataError,
    InvalidParameterError,
    TsForecastWarning,
)
from ..metrics import mase_scale
from ..splits import ExpandingWindowSplit, SlidingWindowSplit
from ._data import BacktestData, frame_hash, prepare_data
from ._execute import check_backend, execute
from ._scoring import check_metrics, quantile_level, score
from ._tasks import FoldPlan, Task
from .checkpoint import TaskStore, task_key
from .result import BacktestResult

__all__ = ["backtest"]

_DEFAULT_FOLDS = 5


# --------------------------------------------------------------------------- arguments
def _check_models(models) -> dict:
    if isinstance(models, dict):
        if not models:
            raise InvalidParameterError("models must hold at least one forecaster; got an empty dict.")
        named = dict(models)
    elif hasattr(models, "fit") and hasattr(models, "predict"):
        named = {type(models).__name__: models}
    else:
        raise InputTypeError(
            f"models must be a forecaster or a dict name -> forecaster; got {type(models).__name__}."
        )
    for name, model in named.items():
        if not isinstance(name, str) or not name:
            raise InputTypeError(f"models must be keyed by non-empty strings; got the key {name!r}.")
        if not (isinstance(model, BaseEstimator) and hasattr(model, "fit") and hasattr(model, "predict")):
            raise InputTypeError(
                f"models[{name!r}] must be a forecaster (a scikit-learn estimator with fit and predict); "
                f"got {type(model).__name__}."
            )
    return named


def _check_cadence(value, name: str) -> int | bool:
    """A bool, or a positive int (``refit``: every k folds; ``warm_start``: epochs)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    return check_int(value, name, minimum=1)


def _splitter(horizon, n_folds, initial_window, step, window, window_length, gap):
    n_folds = check_int(n_folds, "n_folds", allow_none=True)
    if n_folds is not None and n_folds < 1:
        raise InvalidParameterError(f"n_folds must be >= 1 (a backtest needs at least one fold); got {n_folds}.")
    window = check_choice(window, "window", ("expanding", "sliding"))
    if window == "sliding":
        if window_length is None:
            raise InvalidParameterError("window_length must be given with window='sliding'; got None.")
        if n_folds is None and initial_window is not None:
            raise InvalidParameterError(
                f"initial_window applies to window='expanding'; got initial_window={initial_window!r} "
                "with window='sliding' (use window_length)."
            )
        return SlidingWindowSplit(window_length, horizon, n_splits=n_folds or (None if initial_window else _DEFAULT_FOLDS),
                                  step=step, gap=gap)
    if window_length is not None:
        raise InvalidParameterError(
            f"window_length applies to window='sliding'; got window_length={window_length!r} with window='expanding'."
        )
    if n_folds is None and initial_window is None:
        n_folds = _DEFAULT_FOLDS
    return ExpandingWindowSplit(horizon, n_splits=n_folds, initial_window=initial_window, step=step, gap=gap)


def _series_folds(data: BacktestData, splitter) -> dict:
    """``{series: [(start, cutoff), ...]}``, oldest fold first."""
    folds = {}
    for key, frame in data.frames.items():
        try:
            splits = list(splitter.split(len(frame)))
        except InsufficientDataError as exc:
            label = "data" if len(data.frames) == 1 else f"data series {key!r}"
            raise InsufficientDataError(f"{label}: {exc}".replace("X has", "it has")) from None
        folds[key] = [(int(train[0]), int(train[-1])) for train, _ in splits]
    return folds


def _json_value(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, np.generic):
        return value.item()
    return repr(value)


def _resolve_random_states(model):
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
    changed = {k: v for k, v in resolved.items() if not (v is None or isinstance(v, (int, np.integer)))}
    if changed:  # pragma: no cover - only RandomState/Generator reach here, converted above
        raise InputTypeError(f"random_state must be None, an int or a numpy random generator; got {changed!r}.")
    model.set_params(**resolved)
    return model, {k: _json_value(v) for k, v in resolved.items()}


# --------------------------------------------------------------------------- planning
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
    for key, cutoff in last_cutoff.items():
        frame = data.frames[key]
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


def _plan(models: dict, data: BacktestData, folds: dict, settings: dict) -> list[Task]:
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
                    quantiles=settings["quantiles"], warm_start=bool(warm),
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
        "params": {k: _json_value(v) for k, v in model.get_params(deep=False).items()},
        "folds": [[p.fold, p.fit, [repr(k) for k in p.series], list(p.starts), list(p.cutoffs)] for p in task.folds],
        "data": frame_hash(task.frames),
        "settings": {k: _json_value(v) for k, v in settings.items()},
        "columns": [repr(data.target), [repr(c) for c in data.inputs], [repr(c) for c in data.future_covariates]],
        "is_global": task.is_global,
        "version": __version__,
    })


# --------------------------------------------------------------------------- assembly
def _collect(tasks: list[Task], payloads: dict, data: BacktestData, model_order: list) -> dict:
    """Forecast rows, error rows, histories, times and notes from the task payloads."""
    per_series_history = len(data.frames) > 1
    rows: dict[str, list] = {c: [] for c in ("model", "unique_id", "fold", "cutoff_pos", "start_pos", "step", "y_hat")}
    out = {"rows": rows, "quantiles": [], "errors": [], "histories": {name: {} for name in model_order},
           "seconds": dict.fromkeys(model_order, 0.0), "notes": {}}
    for task in tasks:
        payload = payloads[task.index]
        if payload.get("notes"):
            out["notes"].setdefault(task.model_name, set()).update(payload["notes"])
        steps = np.arange(task.gap + 1, task.gap + task.horizon + 1)
        for plan, record in zip(task.folds, payload["folds"], strict=True):
            out["seconds"][task.model_name] += float(record["seconds"])
            if record["error"] is not None:
                out["errors"].extend((task.model_name, key, plan.fold, record["error"]) for key in plan.series)
                continue
            if record.get("history") is not None:
                store = out["histories"][task.model_name]
                if task.is_global or not per_series_history:
                    store[plan.fold] = record["history"]
                else:
                    store.setdefault(plan.fold, {})[plan.series[0]] = record["history"]
            for key, start, cutoff, entry in zip(plan.series, plan.starts, plan.cutoffs, record["series"], strict=True):
                n = len(entry["y_hat"])
                if entry.get("quantiles"):
                    out["quantiles"].append((len(rows["y_hat"]), entry["quantiles"]))
                rows["model"].extend([task.model_name] * n)
                rows["unique_id"].extend([key] * n)
                rows["fold"].extend([plan.fold] * n)
                rows["cutoff_pos"].extend([cutoff] * n)
                rows["start_pos"].extend([start] * n)
                rows["step"].extend(steps[:n].tolist())
                rows["y_hat"].extend(entry["y_hat"])
    out["notes"] = {k: sorted(v) for k, v in out["notes"].items()}
    return out


def _quantile_columns(frame: pd.DataFrame, quantile_rows: list) -> None:
    columns = sorted({c for _, bands in quantile_rows for c in bands}, key=quantile_level)
    for column in columns:
        values = np.full(len(frame), np.nan)
        for first, bands in quantile_rows:
            if column in bands:
                values[first : first + len(bands[column])] = bands[column]
        frame[column] = values


def _scale(train: np.ndarray, season: int) -> float:
    """The MASE scale of one fold's training rows (NaN when too short or constant)."""
    if train.size <= season:
        return float("nan")
    return float(mase_scale(train, season)[0])


def _observed(frame: pd.DataFrame, rows: dict, data: BacktestData, season: int) -> np.ndarray:
    """Add ``cutoff``, ``ds`` and ``y`` read from the data; return the MASE scale per row."""
    cutoff_pos = np.asarray(rows["cutoff_pos"], dtype=np.int64)
    start_pos = np.asarray(rows["start_pos"], dtype=np.int64)
    target_pos = cutoff_pos + frame["step"].to_numpy(dtype=np.int64)
    y, scale = np.empty(len(frame)), np.empty(len(frame))
    cutoff, ds = [None] * len(frame), [None] * len(frame)
    for key, positions in frame.groupby("unique_id", sort=False).indices.items():
        series = data.frames[key]
        values = series[data.target].to_numpy()
        y[positions] = values[target_pos[positions]]
        for i, value in zip(positions, series.index[cutoff_pos[positions]], strict=True):
            cutoff[i] = value
        for i, value in zip(positions, series.index[target_pos[positions]], strict=True):
            ds[i] = value
        spans = {}
        for i in positions:
            span = (start_pos[i], cutoff_pos[i])
            if span not in spans:
                spans[span] = _scale(values[span[0] : span[1] + 1], season)
            scale[i] = spans[span]
    frame.insert(3, "cutoff", pd.Index(cutoff) if len(frame) else pd.Index([], dtype=float))
    frame.insert(4, "ds", pd.Index(ds) if len(frame) else pd.Index([], dtype=float))
    frame.insert(6, "y", y)
    return scale


def _forecast_table(collected: dict, data: BacktestData, model_order: list, season: int):
    """The forecasts table sorted by model, series, fold and step, and each row's MASE scale."""
    rows = collected["rows"]
    frame = pd.DataFrame({k: rows[k] for k in ("model", "unique_id", "fold", "step", "y_hat")})
    frame["fold"] = frame["fold"].astype(np.int64)
    frame["step"] = frame["step"].astype(np.int64)
    frame["y_hat"] = frame["y_hat"].astype(np.float64)
    _quantile_columns(frame, collected["quantiles"])
    scale = _observed(frame, rows, data, season)
    model_rank = {name: i for i, name in enumerate(model_order)}
    series_rank = {key: i for i, key in enumerate(data.frames)}
    order = np.lexsort((
        frame["step"].to_numpy(), frame["fold"].to_numpy(),
        frame["unique_id"].map(series_rank).to_numpy(), frame["model"].map(model_rank).to_numpy(),
    ))
    return frame.iloc[order].reset_index(drop=True), scale[order]


def _error_table(errors: list, data: BacktestData, model_order: list) -> pd.DataFrame:
    table = pd.DataFrame(errors, columns=["model", "unique_id", "fold", "error"])
    if len(table):
        model_rank = {name: i for i, name in enumerate(model_order)}
        series_rank = {key: i for i, key in enumerate(data.frames)}
        order = np.lexsort((table["fold"].to_numpy(), table["unique_id"].map(series_rank).to_numpy(),
                            table["model"].map(model_rank).to_numpy()))
        table = table.iloc[order].reset_index(drop=True)
    table["fold"] = table["fold"].astype(np.int64)
    table["model"] = table["model"].astype(str)
    table["error"] = table["error"].astype(str)
    return table


def _versions() -> dict:
    import joblib
    import sklearn

    versions = {"python": platform.python_version(), "tsforecast": __version__, "numpy": np.__version__,
                "pandas": pd.__version__, "scikit-learn": sklearn.__version__, "joblib": joblib.__version__}
    for name in ("keras", "tensorflow", "statsmodels", "dask", "distributed"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "__version__"):
            versions[name] = module.__version__
    return versions


# --------------------------------------------------------------------------- running
def _run_tasks(tasks: list[Task], *, n_jobs, backend, checkpoint_dir, progress) -> tuple[dict, int]:
    """Payload of every task, reading finished ones from the checkpoint; returns the
    payloads and how many were resumed."""
    from tqdm.auto import tqdm

    store = TaskStore(checkpoint_dir) if checkpoint_dir is not None else None
    payloads = {}
    if store is not None:
        for task in tasks:
            saved = store.load(task.key)
            if saved is not None and len(saved.get("folds", [])) == len(task.folds):
                payloads[task.index] = saved
    resumed = len(payloads)
    pending = [task for task in tasks if task.index not in payloads]
    keys = {task.index: task.key for task in tasks}
    with tqdm(total=len(tasks), initial=resumed, disable=not progress, desc="backtest", unit="task") as bar:

        def finished(index: int, payload: dict) -> None:
            if store is not None:
                store.save(keys[index], payload)
            payloads[index] = payload
            bar.update(1)

        execute(pending, finished, n_jobs=n_jobs, backend=backend)
    return payloads, resumed


def _warn_fallbacks(models: dict, refit, warm_start) -> dict:
    fallbacks = {}
    for name, model in models.items():
        if refit is not True and not callable(getattr(model, "update", None)):
            fallbacks[name] = "refit every fold (the model has no update(y, X))"
            warnings.warn(
                f"models[{name!r}] ({type(model).__name__}) has no update(y, X), so refit={refit!r} cannot keep "
                "its fit across folds; it is refit at every fold.",
                TsForecastWarning,
                stacklevel=3,
            )
    return fallbacks


def backtest(
    models,
    data,
    *,
    horizon: int,
    n_folds: int | None = None,
    initial_window: int | None = None,
    step: int | None = None,
    window: str = "expanding",
    window_length: int | None = None,
    gap: int = 0,
    refit: bool | int = True,
    warm_start: bool | int = False,
    target=None,
    covariates=None,
    future_covariates=None,
    metrics=None,
    season_length: int = 1,
    quantiles=None,
    n_jobs: int = 1,
    backend=None,
    checkpoint_dir=None,
    progress: bool = True,
) -> BacktestResult:
    """Walk-forward backtest of one or more forecasters on one series or a panel.

    At each fold's cutoff every model is given the data up to the cutoff only (plus
    declared future-known covariates for the forecast steps), forecasts
    ``gap + horizon`` steps, and the last ``horizon`` are scored against the data.

    Parameters
    ----------
    models : forecaster or dict
        One forecaster, or ``{name: forecaster}``. Each is cloned
        (:func:`sklearn.base.clone`) per task, so no state leaks between folds,
        series or models. Models with ``fits_globally = True`` (for example
        :class:`tsforecast.WindowForecaster`) are fitted on all series of a panel at
        once; the others on each series alone.
    data : Series, DataFrame, long panel DataFrame or dict
        One series (its columns: the target and covariates) or a panel (see
        :mod:`tsforecast.panel`), regularly indexed by time.
    horizon : int
        Steps scored per fold.
    n_folds : int, optional
        Number of folds, placed at the end of the data (the last one ends on the last
        row). Default: 5, or as many as fit when ``initial_window`` is given.
    initial_window : int, optional
        The fewest training rows of the earliest fold (``window="expanding"``).
    step : int, optional
        Rows between consecutive cutoffs; default ``horizon``.
    window : {"expanding", "sliding"}
        Train on all rows up to the cutoff, or on the last ``window_length`` rows.
    window_length : int, optional
        Training rows per fold with ``window="sliding"``.
    gap : int
        Rows between the cutoff and the first scored step, forecast but not scored
        (for data published late). ``step`` in the results counts steps ahead of the
        cutoff, so it runs from ``gap + 1`` to ``gap + horizon``.
    refit : bool or int
        ``True``: fit at every fold. An int ``k``: fit at folds 0, k, 2k, ... and in
        between only refresh the model's inputs with ``update(y, X)`` (the data up to
        the new cutoff; parameters unchanged). ``False``: fit at the first fold only.
        A model without ``update`` is refit at every fold instead (with a warning).
    warm_start : bool or int
        Refits continue from the previous refit's weights instead of from scratch,
        with fewer epochs: ``True`` uses a quarter of the estimator's ``epochs``, an
        int that many epochs. Works for models (or their ``estimator_``) with a
        ``warm_start`` parameter, such as :class:`tsforecast.EncoderDecoderLSTM`;
        others are refit from scratch (noted in ``info["notes"]``). The folds of a
        model and series then run as one task, in order.
    target : str, optional
        The column to forecast; default: the only column, or ``"y"``.
    covariates, future_covariates : str or list, optional
        Columns passed as ``X`` to models with ``uses_covariates``: past-observed
        covariates up to the cutoff, and future-known covariates also for the
        forecast steps (calendar features, planned prices).
    metrics : list of str, optional
        Among ``"mae", "rmse", "smape", "mase", "mape"``; default the first four.
        Quantile models add ``pinball`` and ``coverage``.
    season_length : int
        The seasonal period of the MASE scale (1: naive one-step differences),
        computed on each fold's own training rows.
    quantiles : list of float, optional
        Quantiles asked of models with ``supports_quantiles``; default: their own.
    n_jobs : int
        Parallel workers for tasks (joblib); -1 for all cores.
    backend : str or dask.distributed.Client, optional
        A joblib backend name (``"loky"``, ``"threading"``), ``"dask"`` (the current
        Dask client) or a ``dask.distributed.Client``: tasks then run on that cluster.
    checkpoint_dir : path, optional
        Folder where each finished task is saved (atomically, as JSON); a backtest
        rerun with the same arguments skips the tasks found there.
    progress : bool
        Show a progress bar over tasks (tqdm).

    Returns
    -------
    BacktestResult
        The same, whatever ``n_jobs``, ``backend`` or resuming, given models that are
        deterministic under their ``random_state``.

    Raises
    ------
    InsufficientDataError
        A series is too short for the folds (the message gives the numbers).
    InvalidParameterError
        A parameter is out of range, for example ``n_folds=0``.
    BacktestError
        Every task failed; the errors are in the message.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import Ridge
    >>> from tsforecast import WindowForecaster
    >>> y = pd.Series(np.sin(np.arange(120) / 4), index=pd.date_range("2024", periods=120, freq="D"))
    >>> model = WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4)
    >>> result = backtest({"ridge": model}, y, horizon=4, n_folds=3, progress=False)
    >>> result.metrics[["fold", "step"]].drop_duplicates().shape[0]
    12
    """
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    horizon = check_int(horizon, "horizon", minimum=1)
    gap = check_int(gap, "gap", minimum=0)
    refit = _check_cadence(refit, "refit")
    warm_start = _check_cadence(warm_start, "warm_start")
    names = check_metrics(metrics)
    season_length = check_int(season_length, "season_length", minimum=1)
    quantiles = check_quantiles(quantiles) if quantiles is not None else None
    backend, n_jobs = check_backend(backend, n_jobs)
    progress = check_bool(progress, "progress")
    named = _check_models(models)
    splitter = _splitter(horizon, n_folds, initial_window, step, window, window_length, gap)
    prepared = prepare_data(data, target, covariates, future_covariates)
    folds = _series_folds(prepared, splitter)

    resolved = {name: _resolve_random_states(model) for name, model in named.items()}
    protos = {name: proto for name, (proto, _) in resolved.items()}
    fallbacks = _warn_fallbacks(protos, refit, warm_start)
    settings = {"horizon": horizon, "gap": gap, "refit": refit, "warm_start": warm_start, "quantiles": quantiles}
    tasks = _plan(protos, prepared, folds, settings)
    payloads, resumed = _run_tasks(tasks, n_jobs=n_jobs, backend=backend, checkpoint_dir=checkpoint_dir,
                                   progress=progress)

    order = list(named)
    collected = _collect(tasks, payloads, prepared, order)
    if not collected["rows"]["y_hat"]:
        shown = "; ".join(f"{m} / {s!r} / fold {f}: {e}" for m, s, f, e in collected["errors"][:5])
        raise BacktestError(f"every task of the backtest failed ({len(collected['errors'])} errors), e.g. {shown}")
    forecasts, scales = _forecast_table(collected, prepared, order, season_length)
    table = score(forecasts, scales, names)
    stride = splitter.step if splitter.step is not None else horizon
    cutoffs = forecasts.groupby("fold")["cutoff"].agg(["min", "max"])
    info = {
        "data": prepared.describe(),
        "horizon": horizon,
        "gap": gap,
        "step": stride,
        "window": window,
        "window_length": window_length,
        "initial_window": initial_window,
        "n_folds": int(max(len(v) for v in folds.values())),
        "cutoffs": {int(k): [str(v["min"]), str(v["max"])] for k, v in cutoffs.iterrows()},
        "refit": refit,
        "warm_start": warm_start,
        "season_length": season_length,
        "quantiles": list(quantiles) if quantiles is not None else None,
        "metrics": names + (["pinball", "coverage"] if "pinball" in table.columns else []),
        "model_names": order,
        "models": {name: {"class": f"{type(m).__module__}.{type(m).__qualname__}",
                          "params": {k: _json_value(v) for k, v in m.get_params(deep=False).items()},
                          "fits_globally": bool(getattr(m, "fits_globally", False))}
                   for name, m in named.items()},
        "random_states": {name: states for name, (_, states) in resolved.items()},
        "fallbacks": fallbacks,
        "notes": collected["notes"],
        "model_seconds": collected["seconds"],
        "n_tasks": len(tasks),
        "n_tasks_resumed": resumed,
        "n_jobs": n_jobs,
        "backend": backend if isinstance(backend, str) or backend is None else type(backend).__name__,
        "versions": _versions(),
        "started": started_at,
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "wall_seconds": time.perf_counter() - started,
    }
    errors = _error_table(collected["errors"], prepared, order)
    return BacktestResult(forecasts, table, errors, collected["histories"], info)
