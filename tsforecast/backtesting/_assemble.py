"""Assembling a backtest's tables from task payloads, once, from preallocated arrays.

Forecasts go into one array ``[model, series, fold, step]`` (quantiles likewise), so
the tables come out sorted by model (as given), series (as in the data), fold and step
whatever the order in which tasks finished. Observed values, timestamps and MASE
scales are read from the data here, never from a worker.
"""

from __future__ import annotations

import warnings
from functools import partial

import numpy as np
import pandas as pd

from ..core.kernels.common import seasonal_mae
from ..core.metrics import ROUNDING_SCALE, mase_scale
from ..core.timeaxis import calendar_stamps
from ..exceptions import UndefinedMetricWarning
from ._arrays import ForecastArrays, dense_times, labels_index
from ._data import BacktestData, repaired
from ._plan import Folds
from ._tasks import Task, interval_names

__all__ = ["Collector", "assemble", "error_table"]


class Collector:
    """Forecasts, errors, histories, times, notes and fallbacks, written into preallocated arrays
    as each task's payload arrives (the payload is then dropped, so a backtest holds
    one task's forecasts twice at most, never all of them)."""

    def __init__(self, data: BacktestData, folds: Folds, model_order: list, horizon: int):
        self._shape = (len(model_order), data.panel.n_series, folds.n_folds, horizon)
        self._data, self._rank = data, {name: i for i, name in enumerate(model_order)}
        self._per_series_history = data.panel.n_series > 1
        self.out = {"y_hat": np.full(self._shape, np.nan), "ok": np.zeros(self._shape[:3], dtype=bool),
                    "quantiles": {}, "intervals": {}, "errors": [],
                    "histories": {name: {} for name in model_order},
                    "fit_references": {name: {} for name in model_order},
                    "seconds": dict.fromkeys(model_order, 0.0), "notes": {},
                    "fallbacks": {name: {} for name in model_order}}

    def add(self, task: Task, payload: dict) -> None:
        """Store the forecasts of one finished task."""
        out = self.out
        if payload.get("notes"):
            out["notes"].setdefault(task.model_name, set()).update(payload["notes"])
        m = self._rank[task.model_name]
        for plan, record in zip(task.folds, payload["folds"], strict=True):
            out["seconds"][task.model_name] += float(record["seconds"])
            rows = task.rows[plan.members]
            if record["error"] is not None:
                out["errors"].extend((m, int(r), plan.fold, record["error"]) for r in rows.tolist())
                continue
            per_series = self._per_series_history
            _store_fold(out["histories"][task.model_name], record.get("history"), plan.fold, plan, task, self._data,
                        per_series)
            _store_fold(out["fit_references"][task.model_name], record.get("fit_reference"), str(plan.fold), plan,
                        task, self._data, per_series, as_text=True)
            y_hat = np.asarray(record["y_hat"], dtype=np.float64)
            out["y_hat"][m, rows, plan.fold] = y_hat
            failed = dict(record.get("failed") or [])  # members whose own fit failed: position -> error
            if record.get("fallbacks") and len(failed) < len(rows):  # said of a fit that forecast something
                said = out["fallbacks"][task.model_name].setdefault(str(plan.fold), [])  # str: as JSON keeps it
                said += [text for text in record["fallbacks"] if text not in said]
            # a forecast with NaN or inf is a failure, not a success that scores nothing;
            # a member whose fit failed (its slot left NaN) is one error, with its own cause
            steps = y_hat[0].size
            finite = np.isfinite(y_hat).reshape(len(rows), -1).sum(axis=1)
            out["ok"][m, rows, plan.fold] = finite == steps
            for position, (r, n) in enumerate(zip(rows.tolist(), finite.tolist())):
                if position in failed:
                    out["ok"][m, r, plan.fold] = False
                    out["errors"].append((m, int(r), plan.fold, failed[position]))
                elif n < steps:
                    out["errors"].append((m, int(r), plan.fold, f"ValueError: the forecast holds {steps - n} "
                                                                f"non-finite value(s) (NaN or inf) among its {steps}"))
            for kind in ("quantiles", "intervals"):
                for column, values in (record.get(kind) or {}).items():
                    store = out[kind].setdefault(column, np.full(self._shape, np.nan))
                    store[m, rows, plan.fold] = np.asarray(values, dtype=np.float64)

    def collected(self) -> dict:
        """Everything stored, notes and fallbacks sorted (tasks finish in any order)."""
        fallbacks = {model: {fold: sorted(said) for fold, said in folds.items()}
                     for model, folds in self.out["fallbacks"].items()}
        return {**self.out, "notes": {k: sorted(v) for k, v in self.out["notes"].items()}, "fallbacks": fallbacks}


def _store_fold(store: dict, value, fold, plan, task: Task, data: BacktestData, per_series: bool,
                as_text: bool = False) -> None:
    """``store[fold] = value``, one level more keyed by series for a model fitted series
    by series on a panel; ``as_text``: keys as strings, as JSON keeps them."""
    if value is None:
        return
    if task.mode == "global" or not per_series:
        store[fold] = value
        return
    series = data.ids[task.rows[plan.members[0]]]  # the one series this fit saw
    store.setdefault(fold, {})[str(series) if as_text else series] = value


def _times(axis, series: np.ndarray, positions: np.ndarray):
    """Timestamps of ``positions`` of each series ``series`` (same shapes), as values."""
    if axis.kind == "mixed":
        values = [axis.series_index(int(s), int(p), 1)[0] for s, p in zip(series, positions)]
        return pd.Index(values) if values else pd.Index([], dtype=float)
    stamps = axis.at(positions, series) if axis.step else calendar_stamps(axis, series, positions)
    return axis.to_index(stamps) if axis.kind == "datetime" else stamps


def mase_scales(data: BacktestData, folds: Folds, season: int) -> np.ndarray:
    """The MASE scale ``[series, fold]``: mean ``|x_t - x_{t-m}|`` over each fold's
    training rows (repaired from those rows alone), NaN when too short."""
    panel, target = data.panel, data.panel.columns.index(data.target)
    x = np.ascontiguousarray(panel.values[:, target])
    scales = np.full(folds.starts.shape, np.nan)
    s_idx, f_idx = np.nonzero(folds.present)
    base = panel.starts[s_idx]
    scales[s_idx, f_idx] = seasonal_mae(x, base + folds.starts[s_idx, f_idx], base + folds.cutoffs[s_idx, f_idx] + 1,
                                        season, ROUNDING_SCALE)
    if data.fill is not None:  # folds with gaps: repaired from their own rows
        for s, f in zip(s_idx.tolist(), f_idx.tolist()):
            start, cutoff = int(folds.starts[s, f]), int(folds.cutoffs[s, f])
            rows = panel.series(s)[start : cutoff + 1, target]
            if np.isfinite(rows).all():
                continue
            frame = pd.DataFrame({"y": rows})
            train = repaired(frame, data.fill, data.ids[s])["y"].to_numpy()
            scales[s, f] = mase_scale(train, season)[0] if train.size > season else np.nan
    return scales


def assemble(collected: dict, data: BacktestData, folds: Folds, model_order: list, season: int, gap: int,
             points: list, levels=None) -> ForecastArrays:
    """The arrays of a result: the collected forecasts with the actuals, MASE scales
    and timestamps read from the data (the forecast steps' stamps only when asked)."""
    horizon = collected["y_hat"].shape[3]
    steps = np.arange(gap + 1, gap + horizon + 1, dtype=np.int64)
    present = folds.present
    s_idx, f_idx = np.nonzero(present)
    actuals, target = data.actuals, data.actuals.columns.index(data.target)
    y = np.full(present.shape + (horizon,), np.nan)
    rows = actuals.starts[s_idx][:, None] + folds.cutoffs[s_idx, f_idx][:, None] + steps[None, :]
    y[s_idx, f_idx] = actuals.values[rows, target]
    times = partial(_times, data.panel.time)  # a partial, not a closure: results pickle
    cutoff = dense_times(times, present, folds.cutoffs, np.zeros(1, np.int64))[:, :, 0]
    failed = ~collected["ok"]
    for store in (collected["y_hat"], *collected["quantiles"].values(), *collected["intervals"].values()):
        store[failed] = np.nan  # a failed member's slot holds no forecast
    intervals = {name: collected["intervals"].get(name) for name in interval_names(levels or ())}
    if "mape" in points:
        _warn_zero_actuals(y, data.ids)
    scale = mase_scales(data, folds, season)
    if "mase" in points:
        _warn_undefined_scales(scale, folds, data.ids, season)
    return ForecastArrays(models=model_order, series=labels_index(data.ids), steps=steps, ok=collected["ok"],
                          y_hat=collected["y_hat"], quantiles=collected["quantiles"], intervals=intervals, y=y,
                          scale=scale, cutoff=cutoff,
                          ds=(times, folds.cutoffs), points=points, levels=levels)


def _warn_zero_actuals(y: np.ndarray, ids) -> None:
    """Warn that MAPE is NaN where the actual is zero (``metrics.mape`` refuses those)."""
    zero = y == 0
    if not zero.any():
        return
    names = [str(ids[s]) for s in np.flatnonzero(zero.any(axis=(1, 2)))]
    shown = ", ".join(repr(n) for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    warnings.warn(
        f"metrics 'mape' is undefined where the actual is zero (it divides by the actual): {int(zero.sum())} of "
        f"{int(np.isfinite(y).sum())} forecast value(s) of series {shown} get no MAPE and are left out of its "
        f"means; use 'smape' or 'mase' for series with zeros.",
        UndefinedMetricWarning, stacklevel=2,
    )


def _warn_undefined_scales(scale: np.ndarray, folds: Folds, ids, season: int) -> None:
    """Warn that MASE is NaN in the folds whose training rows give no scale (constant,
    repeating its season exactly, or too few rows for one seasonal difference): those folds are left out of its means,
    and a series that is constant throughout gets no MASE rank at all."""
    undefined = (folds.cutoffs >= 0) & ~(np.isfinite(scale) & (scale > 0))
    if not undefined.any():
        return
    named = undefined.any(axis=1)
    names = [str(ids[s]) for s in np.flatnonzero(named)]
    shown = ", ".join(repr(n) for n in names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
    # out of the folds of the series named, not of every series
    warnings.warn(
        f"metrics 'mase' is undefined in {int(undefined.sum())} of {int((folds.cutoffs[named] >= 0).sum())} fold(s) of "
        f"series {shown}: their training rows give no seasonal naive error to scale it by (season_length={season}: "
        "a constant series or one that repeats its season exactly, or no more training rows than the season, as in a short first fold or a season "
        "longer than the data); those folds are left out of its means (compare models by 'mae' there).",
        UndefinedMetricWarning, stacklevel=2,
    )


def error_table(errors: list, data: BacktestData, model_order: list) -> pd.DataFrame:
    """Failed (model, series, fold) triples with their error, sorted like the forecasts."""
    errors = sorted(errors, key=lambda e: (e[0], e[1], e[2]))
    table = pd.DataFrame({
        "model": [model_order[m] for m, _, _, _ in errors],
        "unique_id": [data.ids[s] for _, s, _, _ in errors],
        "fold": np.array([f for _, _, f, _ in errors], dtype=np.int64),
        "error": [e for _, _, _, e in errors],
    })
    table["model"] = table["model"].astype(str)
    table["error"] = table["error"].astype(str)
    return table
