"""Assembling a backtest's tables from task payloads, in a fixed order.

Rows are sorted by model (as given), series (as in the data), fold and step, so the
tables do not depend on the order in which tasks finished. Observed values, dates and
MASE scales are read from the data here, never from a worker.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..metrics import mase_scale
from ._data import BacktestData
from ._scoring import quantile_level
from ._tasks import Task

__all__ = ["collect", "forecast_table", "error_table"]


def collect(tasks: list[Task], payloads: dict, data: BacktestData, model_order: list) -> dict:
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
                train = data.training_rows(key, span[0], span[1] + 1)[data.target].to_numpy()
                spans[span] = _scale(train, season)
            scale[i] = spans[span]
    frame.insert(3, "cutoff", pd.Index(cutoff) if len(frame) else pd.Index([], dtype=float))
    frame.insert(4, "ds", pd.Index(ds) if len(frame) else pd.Index([], dtype=float))
    frame.insert(6, "y", y)
    return scale


def forecast_table(collected: dict, data: BacktestData, model_order: list, season: int):
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


def error_table(errors: list, data: BacktestData, model_order: list) -> pd.DataFrame:
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
