"""`backtest`: walk-forward evaluation of forecasters, planned as independent tasks."""

from __future__ import annotations

import platform
import time
import warnings
from datetime import datetime, timezone
from importlib import metadata

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone

from .._version import __version__
from ..core.panel import data_freqs
from ..core.timeaxis import calendar_stamps
from ..core.splits import ExpandingWindowSplit, SlidingWindowSplit
from ..core.timeindex import season_rule
from ..core.validation import FILL_POLICIES, check_bool, check_choice, check_int
from ..exceptions import (BacktestError, InputTypeError, InvalidParameterError, TsForecastWarning,
                          UndefinedMetricWarning)
from ..forecasters.base import check_levels, check_quantiles
from ._assemble import Collector, assemble, error_table
from ._data import name_list, prepare_data, with_declared_covariates
from ._execute import check_backend, execute, worker_count
from ._plan import json_value, plan_tasks, resolve_random_states, series_folds, task_mode
from ._scoring import check_metrics, quantile_level
from ._tasks import Task
from .checkpoint import TaskStore
from .result import BacktestResult

__all__ = ["backtest", "check_models"]

_DEFAULT_FOLDS = 5


# --------------------------------------------------------------------------- arguments
def check_models(models) -> dict:
    """``models`` as ``{name: forecaster}``, named as :func:`backtest` names them (a list by
    class, repeats numbered; one forecaster by its class), each checked to be a forecaster."""
    if isinstance(models, dict):
        if not models:
            raise InvalidParameterError("models must hold at least one forecaster; got an empty dict.")
        named = dict(models)
    elif hasattr(models, "fit") and hasattr(models, "predict"):
        named = {type(models).__name__: models}
    elif isinstance(models, (list, tuple)):
        named = _name_by_class(models)
    else:
        raise InputTypeError(
            "models must be a forecaster, a list of forecasters or a dict name -> forecaster; "
            f"got {type(models).__name__}."
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


def _name_by_class(models) -> dict:
    """Name a list of forecasters by their classes, numbering repeats as ``make_pipeline`` does."""
    if not models:
        raise InvalidParameterError("models must hold at least one forecaster; got an empty list.")
    names = [type(model).__name__ for model in models]
    counts = {name: names.count(name) for name in names}
    seen: dict = {}
    named = {}
    for name, model in zip(names, models):
        if counts[name] > 1:
            seen[name] = seen.get(name, 0) + 1
            name = f"{name}-{seen[name]}"
        named[name] = model
    return named


def _check_cadence(value, name: str) -> int | bool:
    """A bool, or a positive int (``refit``: every k folds; ``warm_start``: epochs)."""
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if not isinstance(value, (int, np.integer)):
        raise InputTypeError(f"{name} must be True, False or a positive integer; got {value!r}.")
    return check_int(value, name, minimum=1)


def _check_asked_quantiles(quantiles):
    """None (no quantiles), ``"auto"`` (each model's own levels) or checked levels."""
    if quantiles is None or (isinstance(quantiles, str) and quantiles == "auto"):
        return quantiles
    if isinstance(quantiles, str):
        raise InvalidParameterError(f'quantiles must be None, "auto" or a list of levels in (0, 1); got {quantiles!r}.')
    return check_quantiles(quantiles)


def _check_cv(cv, horizon):
    """The splitter of a backtest and its horizon (``cv``: None, a number of folds, or a
    splitter; ``horizon``: the splitter's, or required for the other two)."""
    if cv is None or (isinstance(cv, (int, np.integer)) and not isinstance(cv, (bool, np.bool_))):
        if horizon is None:
            raise InvalidParameterError("horizon must be given unless cv is a splitter (which has its own); got None.")
        horizon = check_int(horizon, "horizon", minimum=1)
        n_folds = _DEFAULT_FOLDS if cv is None else check_int(cv, "cv")
        if n_folds < 1:
            raise InvalidParameterError(f"cv must be >= 1 (a backtest needs at least one fold); got {n_folds}.")
        return ExpandingWindowSplit(horizon, n_splits=n_folds), horizon
    if not isinstance(cv, (ExpandingWindowSplit, SlidingWindowSplit)):
        raise InputTypeError(
            "cv must be None, a number of folds or a splitter (ExpandingWindowSplit, SlidingWindowSplit); "
            f"got {cv!r} of type {type(cv).__name__}."
        )
    if horizon is not None and check_int(horizon, "horizon", minimum=1) != cv.horizon:
        raise InvalidParameterError(
            f"horizon={horizon} disagrees with the splitter's horizon={cv.horizon}; give one of them."
        )
    return cv, cv.horizon


def _splitter_settings(splitter) -> dict:
    """How the folds are placed, for ``BacktestResult.info`` (read by the report)."""
    sliding = isinstance(splitter, SlidingWindowSplit)
    return {"step": splitter.step if splitter.step is not None else splitter.horizon,
            "window": "sliding" if sliding else "expanding",
            "window_length": splitter.window_length if sliding else None,
            "initial_window": None if sliding else splitter.initial_window,
            "cv": repr(splitter)}


#: The packages whose versions can change a backtest's forecasts (the runtime dependencies
#: that compute, and the dask backend), each with the distributions it may be installed as.
_RECORDED_PACKAGES = {
    "numpy": ("numpy",), "pandas": ("pandas",), "scikit-learn": ("scikit-learn",), "joblib": ("joblib",),
    "scipy": ("scipy",), "numba": ("numba",), "statsmodels": ("statsmodels",), "keras": ("keras",),
    "tensorflow": ("tensorflow", "tensorflow-cpu", "tensorflow-macos"),
    "dask": ("dask",), "distributed": ("distributed",),
}


def _versions() -> dict:
    """The versions of Python, tsforecast and every installed package of
    :data:`_RECORDED_PACKAGES`.

    Read from the installed distributions, never from the modules this process imported:
    the models may have run in worker processes, or been read back from a checkpoint, so
    the parent's imports depended on ``n_jobs`` (statsmodels with one job, not with two);
    and asking the metadata imports nothing (no TensorFlow start-up just for its version).
    """
    versions = {"python": platform.python_version(), "tsforecast": __version__}
    for name, distributions in _RECORDED_PACKAGES.items():
        for distribution in distributions:
            try:
                versions[name] = metadata.version(distribution)
                break
            except metadata.PackageNotFoundError:  # an optional package, or another distribution name
                continue
    return versions


# --------------------------------------------------------------------------- running
def _run_tasks(tasks: list[Task], collector: Collector, *, n_jobs, backend, checkpoint_dir, progress) -> int:
    """Run every task into ``collector``, reading finished ones from the checkpoint;
    returns how many were resumed."""
    from tqdm.auto import tqdm

    store = TaskStore(checkpoint_dir) if checkpoint_dir is not None else None
    by_index = {task.index: task for task in tasks}
    done = set()
    if store is not None:
        for task in tasks:
            saved = store.load(task.key)
            if saved is not None and len(saved.get("folds", [])) == len(task.folds):
                collector.add(task, _from_json(saved))
                done.add(task.index)
    resumed = len(done)
    pending = [task for task in tasks if task.index not in done]
    with tqdm(total=len(tasks), initial=resumed, disable=not progress, desc="backtest", unit="task") as bar:

        def finished(index: int, payload: dict) -> None:
            # a task with a failure is not kept: a resumed run tries it again (the failure
            # may have been passing: memory, a missing optional dependency)
            failed = any(f.get("error") or f.get("failed") for f in payload["folds"])
            if store is not None and not failed:
                store.save(by_index[index].key, _to_json(payload))
            collector.add(by_index[index], payload)
            bar.update(1)

        execute(pending, finished, n_jobs=n_jobs, backend=backend)
    return resumed


def _to_json(payload: dict) -> dict:
    """A task payload with its forecast arrays as lists (for the JSON checkpoint)."""
    def plain(record):
        bands = {kind: record.get(kind) for kind in ("quantiles", "intervals")}
        return {**record, "y_hat": None if record["y_hat"] is None else np.asarray(record["y_hat"]).tolist(),
                **{kind: None if b is None else {c: np.asarray(v).tolist() for c, v in b.items()}
                   for kind, b in bands.items()},
                "failed": [list(f) for f in record.get("failed") or []]}

    return {**payload, "folds": [plain(r) for r in payload["folds"]]}


def _from_json(payload: dict) -> dict:
    def arrays(record):
        bands = {kind: record.get(kind) for kind in ("quantiles", "intervals")}
        return {**record, "y_hat": None if record["y_hat"] is None else np.asarray(record["y_hat"], dtype=float),
                **{kind: None if b is None else {c: np.asarray(v, dtype=float) for c, v in b.items()}
                   for kind, b in bands.items()},
                "failed": [tuple(f) for f in record.get("failed") or []]}

    return {**payload, "folds": [arrays(r) for r in payload["folds"]]}


def _fold_cutoffs(arrays, period: str | None = None) -> dict:
    """``{fold: [first cutoff, last cutoff]}`` over the series with a forecast in the fold;
    periods of ``period`` for a PeriodIndex input (as the forecasts table has them)."""
    made = arrays.has.any(axis=0)
    out = {}
    for fold in np.flatnonzero(made.any(axis=0)).tolist():
        values = arrays.cutoff[made[:, fold], fold].tolist()
        if period is not None:
            values = pd.DatetimeIndex(values).to_period(period).tolist()
        # a dict of series on different time axes (dates and integer time, naive and zoned
        # dates) has cutoffs that do not compare: each kind's first and last, in order of appearance
        by_kind = {}
        for value in values:
            by_kind.setdefault((type(value), str(getattr(value, "tz", None))), []).append(value)
        out[fold] = [str(f(group)) for group in by_kind.values() for f in (min, max)]
    return out


def _model_quantiles(arrays) -> dict:
    """``{model: [levels]}``: the quantile levels each model forecast (its columns with
    a value), for the models that gave quantiles."""
    out = {}
    for m, name in enumerate(arrays.models):
        levels = [quantile_level(c) for c, values in arrays.quantiles.items() if np.isfinite(values[m]).any()]
        if levels:
            out[str(name)] = sorted(levels)
    return out


def _info(settings, data, folds, named, resolved, collected, arrays, run) -> dict:
    """The JSON-able description of a finished backtest (``BacktestResult.info``)."""
    quantiles, levels = settings["quantiles"], settings.get("levels")
    return {
        "data": data,
        **{k: v for k, v in settings.items() if k not in ("quantiles", "levels")},
        "quantiles": list(quantiles) if isinstance(quantiles, tuple) else quantiles,
        "levels": list(levels) if levels is not None else None,
        # each model's own quantile levels (with "auto" they differ): its coverage's nominal span
        "model_quantiles": _model_quantiles(arrays),
        "n_folds": int(folds.n_folds),
        "cutoffs": _fold_cutoffs(arrays, data.get("period")),
        "metrics": arrays.names,
        "model_names": list(named),
        "models": {name: {"class": f"{type(m).__module__}.{type(m).__qualname__}",
                          "params": {k: json_value(v) for k, v in m.get_params(deep=False).items()},
                          "fits_globally": bool(getattr(m, "fits_globally", False)),
                          "computes_on_panel": bool(getattr(m, "computes_on_panel", False)),
                          "supports_quantiles": bool(getattr(m, "supports_quantiles", False))}
                   for name, m in named.items()},
        "random_states": {name: states for name, (_, states) in resolved.items()},
        "notes": collected["notes"],
        # the series left out (on_short="skip") and why; what each model fell back to, fold by fold
        "skipped_series": dict(folds.skipped),
        "fallback_notes": {name: notes for name, notes in collected["fallbacks"].items() if notes},
        # what each fit of a model correcting a reference forecast did with it (the LSTM's fallback)
        "fit_references": {name: folds for name, folds in collected["fit_references"].items() if folds},
        "model_seconds": collected["seconds"],
        **run,
        "versions": _versions(),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def _without_intervals(models: dict, levels) -> dict:
    """The models a backtest with ``levels`` gives no intervals, and why (warned once,
    kept in ``info["without_intervals"]`` for the report)."""
    why = {name: f"{type(m).__name__} has no forecast distribution of its own (supports_quantiles is False); "
                 f"wrap it in ConformalIntervals to calibrate intervals in each fold"
           for name, m in models.items() if not getattr(m, "supports_quantiles", False)}
    if why:
        warnings.warn(f"backtest(levels={list(levels)!r}): no intervals (NaN lo_/hi_ and interval scores) for "
                      + "; ".join(f"{name!r}: {reason}" for name, reason in why.items()) + ".",
                      UndefinedMetricWarning, stacklevel=3)
    return why


def _with_horizon(model, steps: int):
    """A model with a ``horizon`` parameter left unset (``ConformalIntervals``: the steps
    it calibrates) gets the backtest's; the caller's object is not changed."""
    params = model.get_params(deep=False)
    if "horizon" in params and params["horizon"] is None:
        return clone(model).set_params(horizon=steps)
    return model


def _with_regressors(model, future: list):
    """A model (or one wrapped) left at ``future_covariates=None`` reads the backtest's
    future-known covariates as such. A regression model (``ARIMA``, ``AutoARIMA``): its
    ``None`` means every column of ``X``, and left so it would be fitted on the target
    alone (past-observed covariates have no values for the forecast steps to regress
    on). A :class:`~tsforecast.WindowForecaster`: its ``None`` means none, and left so it
    took them as past-observed (its ``covariates=None``: every other column), blind to the
    values of the forecast steps each fold passes; a column it names itself in
    ``covariates`` or ``targets`` keeps that role. The caller's object is not changed;
    ``info["models"]`` shows the columns used."""
    if not future or not getattr(model, "uses_covariates", False):
        return model  # a model without covariates has no regressors named
    params = model.get_params(deep=True)
    unset = {}
    for name, value in params.items():
        if value is not None or not (name == "future_covariates" or name.endswith("__future_covariates")):
            continue
        owner = name[: -len("future_covariates")]  # "" or "model__": the roles beside it
        taken = [c for role in ("covariates", "targets") for c in name_list(params.get(owner + role), role)]
        names = [c for c in future if c not in taken]
        if names:
            unset[name] = names
    return clone(model).set_params(**unset) if unset else model


def _warn_staggered_cutoffs(models: dict, data, folds) -> None:
    """Folds count back from each series' own end. Where dated series end at different
    times, a fold's cutoffs differ across series, and a model fitted on all series at
    once (one global fit or one pooled calibration per fold) learns, for a series that
    ends first, from the other series' rows after its cutoff: say so, with the fix."""
    axis, n_series = data.panel.time, data.panel.n_series
    pooled = [name for name, model in models.items() if task_mode(model, n_series) == "global"]
    if axis.kind != "datetime" or not pooled:
        return
    s_idx, f_idx = np.nonzero(folds.present)
    positions = folds.cutoffs[s_idx, f_idx]
    stamps = axis.at(positions, s_idx) if axis.step else calendar_stamps(axis, s_idx, positions)
    spans = pd.Series(stamps).groupby(f_idx).agg(["min", "max"])
    staggered = spans[spans["max"] > spans["min"]]
    if staggered.empty:
        return
    fold = staggered.index[0]
    first, last = axis.to_index(staggered.loc[fold, ["min", "max"]].to_numpy(dtype=np.int64))
    warnings.warn(TsForecastWarning(
        f"the series end at different times, so the cutoffs of {len(staggered)} of {folds.n_folds} fold(s) differ "
        f"across series (fold {fold}: from {first} to {last}; folds count back from each series' own end). "
        f"{', '.join(map(repr, pooled))} learn(s) from all series at once, so a series that ends first is forecast "
        "by a model that saw the other series' rows after its cutoff. For a comparison strictly in time, pass "
        "align='time' (every series' folds at the same times)."), stacklevel=3)


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


def check_settings(*, horizon, cv, refit, warm_start, metrics, season_length, quantiles, levels, n_jobs, backend,
                   progress, fill, on_short) -> tuple:
    """The arguments of :func:`backtest` that need no data, checked (in that order, but
    ``cv`` becomes the splitter and ``metrics`` the metric names); ``backtest_partitions``
    checks them at call time with this."""
    splitter, horizon = _check_cv(cv, horizon)
    refit = _check_cadence(refit, "refit")
    warm_start = _check_cadence(warm_start, "warm_start")
    names = check_metrics(metrics)
    if season_length is not None:  # None: the rule of _timeindex.season_rule, applied on the data
        season_length = check_int(season_length, "season_length", minimum=1)
    quantiles = _check_asked_quantiles(quantiles)
    levels = check_levels(levels) if levels is not None else None
    backend, n_jobs = check_backend(backend, n_jobs)
    return (splitter, horizon, refit, warm_start, names, season_length, quantiles, levels, backend, n_jobs,
            check_bool(progress, "progress"), check_choice(fill, "fill", FILL_POLICIES),
            check_choice(on_short, "on_short", ("raise", "skip")))


def backtest(
    models,
    data,
    *,
    horizon: int | None = None,
    cv=None,
    refit: bool | int = True,
    warm_start: bool | int = False,
    target=None,
    covariates=None,
    future_covariates=None,
    metrics=None,
    season_length: int | None = None,
    quantiles=None,
    levels=None,
    n_jobs: int = 1,
    backend=None,
    checkpoint_dir=None,
    progress: bool = True,
    fill: str | None = None,
    on_short: str = "raise",
    align: str = "end",
) -> BacktestResult:
    """Walk-forward backtest of one or more forecasters on one series or a panel.

    At each fold's cutoff every model is given the data up to the cutoff only (plus
    declared future-known covariates for the forecast steps), forecasts
    ``gap + horizon`` steps, and the last ``horizon`` are scored against the data.

    Parameters
    ----------
    models : forecaster, list or dict
        One forecaster, a list of them (named by class, repeats numbered ``Naive-1``,
        ``Naive-2`` as :func:`sklearn.pipeline.make_pipeline` does), or
        ``{name: forecaster}``. Each is cloned
        (:func:`sklearn.base.clone`) per task, so no state leaks between folds,
        series or models. Models with ``fits_globally = True`` (for example
        :class:`tsforecast.WindowForecaster`) are fitted on all series of a panel at
        once; the others on each series alone.
    data : Series, DataFrame, long panel DataFrame or dict
        One series (its columns: the target and covariates) or a panel (see
        :mod:`tsforecast.core.forms`), regularly indexed by time.
    horizon : int, optional
        Steps scored per fold; taken from ``cv`` when it is a splitter.
    cv : int or splitter, optional
        Where the folds are: a number of folds (expanding windows whose last test
        window ends on the last row, one ``horizon`` apart; default 5), or a splitter,
        :class:`~tsforecast.ExpandingWindowSplit` or
        :class:`~tsforecast.SlidingWindowSplit`, that sets the horizon, the step between
        cutoffs, the first training length or the sliding window, and the ``gap``
        between a cutoff and its first scored step (forecast but not scored, for data
        published late; ``step`` in the results counts steps ahead of the cutoff, from
        ``gap + 1`` to ``gap + horizon``).
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
        forecast steps (calendar features, planned prices). Covariates a model
        declares itself (``WindowForecaster(covariates=..., future_covariates=...)``)
        are added here in their role: a covariate is named once, on the model. A
        model left at ``future_covariates=None`` (``WindowForecaster``, ``ARIMA``,
        ``AutoARIMA``) reads these future-known covariates as such, except a column a
        ``WindowForecaster`` names itself in ``covariates`` or ``targets``. They are
        given for the ``gap + horizon`` steps after each cutoff; a window model whose
        last block of ``n_steps_out`` runs past them reads the last one carried there.
    metrics : list of str, optional
        Among ``"mae", "rmse", "smape", "mase", "mape"``; default the first four.
        With ``quantiles``, quantile models add ``pinball`` and ``coverage``.
    season_length : int, optional
        The seasonal period of the MASE scale (1: naive one-step differences),
        computed on each fold's own training rows. Default: the usual season of the
        data's frequency (7 daily, 24 hourly, ...; see
        :func:`tsforecast.core.timeindex.season_rule`), else 1; ``info["season_length_source"]``
        says which (``given``, ``from frequency D``, ``default ...``).
    quantiles : list of float or "auto", optional
        Quantiles asked of models with ``supports_quantiles`` (``"auto"``: each
        model's own levels), scored as ``pinball`` and ``coverage``; default: none
        (they cost memory and time on large panels; ``levels`` gives intervals).
        Each model's levels are kept in ``info["model_quantiles"]``: its ``coverage``
        is ranked against the nominal span of its own band (0.9 for 0.05-0.95), and
        ``pinball`` is not ranked across models with different level sets.
    levels : sequence of float, optional
        Prediction interval levels in percent, e.g. ``(80, 95)``: models with a
        forecast distribution (``supports_quantiles``, which includes
        :class:`tsforecast.ConformalIntervals`) add ``lo_<level>`` and ``hi_<level>``
        columns to the forecasts, and the metrics gain per level ``coverage_<level>``
        (1 inside, 0 outside), ``width_<level>``, ``interval_score_<level>`` (Winkler)
        and ``msis_<level>`` (the interval score over the MASE scale; M4's MSIS is
        ``msis_95``). Other models get NaN there: wrap them in ``ConformalIntervals``,
        whose calibration then reads each fold's training data only. A wrapper
        without a ``horizon`` is calibrated for the backtest's.
    n_jobs : int
        Parallel workers for tasks (joblib); -1 for all cores.
    backend : str or dask.distributed.Client, optional
        A joblib backend name (``"loky"``, ``"threading"``), ``"dask"`` (the current
        Dask client) or a ``dask.distributed.Client``: tasks then run on that cluster.
    checkpoint_dir : path, optional
        Folder where each finished task is saved (atomically, as JSON); a backtest
        rerun with the same arguments skips the tasks found there. A task that failed
        on a fold or series is not saved: the rerun tries it again.
    progress : bool
        Show a progress bar over tasks (tqdm).
    fill : {None, "ffill", "interpolate"}
        How missing values in ``data`` are repaired; ``None`` refuses NaN. Models see
        each fold's training rows repaired from those rows alone (a gap just before a
        cutoff is filled from values up to the cutoff, never from later ones), and the
        MASE scale is taken from the same repaired rows. The actuals are never
        repaired: a value missing in a horizon is left unscored (NaN in
        ``forecasts["y"]`` and in the metrics), as a repair would read the rows after it.
    on_short : {"raise", "skip"}
        A series of a panel too short for the folds raises
        :class:`~tsforecast.exceptions.InsufficientDataError`, or with ``"skip"`` is
        left out with a :class:`~tsforecast.exceptions.SkippedSeriesWarning` naming it
        (kept in ``info["skipped_series"]``: ``{series: why}``). This checks the folds
        only; a series a model cannot take at a fold (fewer training rows than a
        window model's ``n_steps_in``) is an error of that series and fold in
        ``errors``, with the reason it gives alone, and the model's other series are
        forecast without it. A model that pools over series (``fits_globally``: a
        :class:`~tsforecast.Combination` or :class:`~tsforecast.ConformalIntervals`
        around one) is fitted again on the others together, without the series of the
        shortest lengths until it fits, so they keep their pool.
    align : {"end", "time"}, default "end"
        Where each series' folds lie. ``"end"``: counted back from each series' own
        end (every series has every fold). ``"time"``: at the same times for every
        series, those of the series ending last; a series ending earlier has the folds
        whose horizon it covers (the others are unscored), one with none is too short
        (see ``on_short``). Use it where dated series end at different times and a model
        learns from all series at once (``fits_globally``: the LSTM in
        :class:`~tsforecast.WindowForecaster`, pooled conformal intervals): with
        ``"end"``, a series that ends first is forecast by a model that saw the other
        series' rows after its cutoff (the backtest warns). Needs one time grid for the
        panel (not a dict mixing time axes).

    Returns
    -------
    BacktestResult
        The same, whatever ``n_jobs``, ``backend`` or resuming, given models that are
        deterministic under their ``random_state``. Its ``info["fallback_notes"]`` keeps,
        per model and fold (``{model: {"0": [message, ...]}}``), the
        :class:`~tsforecast.exceptions.FallbackWarning` messages of the fits that forecast.

    Notes
    -----
    Reproducibility: every ``random_state`` among a model's (nested) parameters is
    resolved once, a NumPy generator becoming an int, and every task of that model
    fits a clone with the same int, so results do not depend on where or in which
    order tasks run. A model with ``random_state=None`` is not reproducible.

    Checkpoints: a task's file is keyed by the model's name, class and parameters, its
    folds and series, the hash of the rows it sees and the settings that change
    forecasts, so a changed backtest never reuses a stale file.

    Raises
    ------
    InsufficientDataError
        A series is too short for the folds (the message gives the numbers).
    InvalidParameterError
        A parameter is out of range, for example ``cv=0``.
    BacktestError
        Every task failed; the errors are in the message.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import Ridge
    >>> from tsforecast import WindowForecaster
    >>> y = pd.Series(np.sin(np.arange(120) / 4), index=pd.date_range("2024", periods=120, freq="D"))
    >>> model = WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4)
    >>> result = backtest({"ridge": model}, y, horizon=4, cv=3, progress=False)
    >>> result.metrics[["fold", "step"]].drop_duplicates().shape[0]
    12
    """
    started = time.perf_counter()
    started_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    (splitter, horizon, refit, warm_start, names, season_length, quantiles, levels, backend, n_jobs, progress, fill,
     on_short) = check_settings(horizon=horizon, cv=cv, refit=refit, warm_start=warm_start, metrics=metrics,
                                season_length=season_length, quantiles=quantiles, levels=levels, n_jobs=n_jobs,
                                backend=backend, progress=progress, fill=fill, on_short=on_short)
    gap = splitter.gap
    align = check_choice(align, "align", ("end", "time"))
    named = check_models(models)
    covariates, future_covariates = with_declared_covariates(named, covariates, future_covariates)
    named = {name: _with_regressors(model, future_covariates) for name, model in named.items()}
    prepared = prepare_data(data, target, covariates, future_covariates, fill=fill)
    folds = series_folds(prepared, splitter, on_short=on_short, align=align)
    season_length, season_source = season_rule(season_length, data_freqs(prepared.panel))

    named = {name: _with_horizon(model, gap + horizon) for name, model in named.items()}
    resolved = {name: resolve_random_states(model) for name, model in named.items()}
    protos = {name: proto for name, (proto, _) in resolved.items()}
    fallbacks = _warn_fallbacks(protos, refit, warm_start)
    if align == "end":
        _warn_staggered_cutoffs(protos, prepared, folds)
    settings = {"horizon": horizon, "gap": gap, "refit": refit, "warm_start": warm_start, "quantiles": quantiles,
                "levels": levels}
    tasks = plan_tasks(protos, prepared, folds, settings, n_chunks=worker_count(n_jobs, backend),
                       keyed=checkpoint_dir is not None)
    order = list(named)
    collector = Collector(prepared, folds, order, horizon)
    resumed = _run_tasks(tasks, collector, n_jobs=n_jobs, backend=backend, checkpoint_dir=checkpoint_dir,
                         progress=progress)
    collected = collector.collected()
    if not collected["ok"].any():
        shown = "; ".join(f"{order[m]} / {prepared.ids[s]!r} / fold {f}: {e}"
                          for m, s, f, e in collected["errors"][:5])
        raise BacktestError(f"every task of the backtest failed ({len(collected['errors'])} errors), e.g. {shown}")
    arrays = assemble(collected, prepared, folds, order, season_length, gap, names, levels)
    run = {
        "n_tasks": len(tasks), "n_tasks_resumed": resumed, "n_jobs": n_jobs,
        "backend": backend if isinstance(backend, str) or backend is None else type(backend).__name__,
        "fallbacks": fallbacks, "started": started_at, "wall_seconds": time.perf_counter() - started,
    }
    if levels:
        run["without_intervals"] = _without_intervals(protos, levels)
    settings.update(**_splitter_settings(splitter), season_length=season_length,
                    season_length_source=season_source, fill=fill, on_short=on_short, align=align)
    info = _info(settings, prepared.describe(), folds, named, resolved, collected, arrays, run)
    errors = error_table(collected["errors"], prepared, order)
    return BacktestResult.from_arrays(arrays, errors, collected["histories"], info)
