"""Assembling a backtest's tables from task payloads, once, from preallocated arrays.

Forecasts go into one array ``[model, series, fold, step]`` (quantiles likewise), so
the tables come out sorted by model (as given), series (as in the data), fold and step
whatever the order in which tasks finished. Observed values, timestamps and MASE
scales are read from the data here, never from a worker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._kernels import seasonal_mae
from .._panel import calendar_stamps
from ._data import BacktestData, repaired
from ._plan import Folds
from ._scoring import quantile_level
from ._tasks import Task, interval_names

__all__ = ["collect", "forecast_table", "error_table"]


def collect(tasks: list[Task], payloads: dict, data: BacktestData, folds: Folds, model_order: list,
            horizon: int) -> dict:
    """Forecasts, errors, histories, times and notes from the task payloads."""
    shape = (len(model_order), data.panel.n_series, folds.n_folds, horizon)
    out = {"y_hat": np.full(shape, np.nan), "ok": np.zeros(shape[:3], dtype=bool), "quantiles": {}, "intervals": {},
           "errors": [], "histories": {name: {} for name in model_order},
           "seconds": dict.fromkeys(model_order, 0.0), "notes": {}}
    per_series_history = data.panel.n_series > 1
    rank = {name: i for i, name in enumerate(model_order)}
    for task in tasks:
        payload = payloads[task.index]
        if payload.get("notes"):
            out["notes"].setdefault(task.model_name, set()).update(payload["notes"])
        m = rank[task.model_name]
        for plan, record in zip(task.folds, payload["folds"], strict=True):
            out["seconds"][task.model_name] += float(record["seconds"])
            rows = task.rows[plan.members]
            if record["error"] is not None:
                out["errors"].extend((m, int(r), plan.fold, record["error"]) for r in rows.tolist())
                continue
            _store_history(out["histories"][task.model_name], record, plan, task, data, per_series_history)
            out["y_hat"][m, rows, plan.fold] = np.asarray(record["y_hat"], dtype=np.float64)
            out["ok"][m, rows, plan.fold] = True
            for kind in ("quantiles", "intervals"):
                for column, values in (record.get(kind) or {}).items():
                    store = out[kind].setdefault(column, np.full(shape, np.nan))
                    store[m, rows, plan.fold] = np.asarray(values, dtype=np.float64)
            for position, error in record.get("failed") or []:
                out["ok"][m, rows[position], plan.fold] = False
                out["errors"].append((m, int(rows[position]), plan.fold, error))
    out["notes"] = {k: sorted(v) for k, v in out["notes"].items()}
    return out


def _store_history(store: dict, record: dict, plan, task: Task, data: BacktestData, per_series: bool) -> None:
    if record.get("history") is None:
        return
    if task.mode == "global" or not per_series:
        store[plan.fold] = record["history"]
    else:
        store.setdefault(plan.fold, {})[data.ids[task.rows[plan.members[0]]]] = record["history"]


def _times(data: BacktestData, series: np.ndarray, positions: np.ndarray):
    """Timestamps of ``positions`` of each series ``series`` (same shapes), as values."""
    axis = data.panel.time
    if axis.kind == "mixed":
        values = [data.panel.time.series_index(int(s), int(p), 1)[0] for s, p in zip(series, positions)]
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
                                        season)
    if data.fill is not None:  # folds with gaps: repaired from their own rows
        for s, f in zip(s_idx.tolist(), f_idx.tolist()):
            start, cutoff = int(folds.starts[s, f]), int(folds.cutoffs[s, f])
            rows = panel.series(s)[start : cutoff + 1, target]
            if np.isfinite(rows).all():
                continue
            frame = pd.DataFrame({"y": rows})
            train = repaired(frame, data.fill, data.ids[s])["y"].to_numpy()
            scales[s, f] = np.mean(np.abs(train[season:] - train[:-season])) if train.size > season else np.nan
    return scales


def forecast_table(collected: dict, data: BacktestData, folds: Folds, model_order: list, season: int,
                   gap: int, levels=None):
    """The forecasts table sorted by model, series, fold and step, and each row's MASE scale.

    With ``levels``, ``lo_<level>``/``hi_<level>`` columns follow the quantiles (NaN
    for models without intervals)."""
    ok = collected["ok"]
    horizon = collected["y_hat"].shape[3]
    m_idx, s_idx, f_idx = np.nonzero(ok)
    steps = np.arange(gap + 1, gap + horizon + 1)
    cutoff_pos = folds.cutoffs[s_idx, f_idx]
    row_series = np.repeat(s_idx, horizon)
    target_pos = (cutoff_pos[:, None] + steps[None, :]).ravel()
    actual = data.actuals.values[data.actuals.starts[row_series] + target_pos,
                                 data.actuals.columns.index(data.target)]
    # Categoricals: the labels are stored once, the rows hold small integer codes.
    frame = pd.DataFrame({
        "model": pd.Categorical.from_codes(np.repeat(m_idx, horizon), categories=_labels(model_order)),
        "unique_id": pd.Categorical.from_codes(np.repeat(s_idx, horizon), categories=_labels(data.ids)),
        "fold": np.repeat(f_idx, horizon).astype(np.int64),
        "cutoff": np.repeat(np.asarray(_times(data, s_idx, cutoff_pos)), horizon) if len(s_idx) else [],
        "ds": _times(data, row_series, target_pos) if len(s_idx) else [],
        "step": np.tile(steps, len(s_idx)).astype(np.int64),
        "y": actual,
        "y_hat": collected["y_hat"][m_idx, s_idx, f_idx].ravel(),
    })
    if not len(s_idx):
        frame = frame.astype({"cutoff": float, "ds": float})
    for column in sorted(collected["quantiles"], key=quantile_level):
        frame[column] = collected["quantiles"][column][m_idx, s_idx, f_idx].ravel()
    for column in interval_names(levels or ()):
        store = collected["intervals"].get(column)
        frame[column] = store[m_idx, s_idx, f_idx].ravel() if store is not None else np.nan
    scales = mase_scales(data, folds, season)
    return frame, np.repeat(scales[s_idx, f_idx], horizon)


def _labels(values) -> pd.Index:
    """Category labels: the values as they are, strings kept as Python strings."""
    return pd.Index(np.asarray(list(values), dtype=object), dtype=object)


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
