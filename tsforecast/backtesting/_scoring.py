"""Scores of backtest forecasts per model, series, fold and horizon step.

Scoring is separate from producing forecasts: it reads the forecasts table and the
data, never a model. MASE is scaled on each fold's own training rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import metrics as _metrics
from ..exceptions import InvalidParameterError

__all__ = ["POINT_METRICS", "DEFAULT_METRICS", "check_metrics", "quantile_level", "score"]

#: Point metrics backtests can compute, by name (elementwise via ``reduce="none"``).
POINT_METRICS = ("mae", "rmse", "smape", "mase", "mape")
DEFAULT_METRICS = ("mae", "rmse", "smape", "mase")
_KEYS = ["model", "unique_id", "fold", "cutoff", "step"]


def check_metrics(metrics) -> list[str]:
    """The metric names to compute, checked against :data:`POINT_METRICS`."""
    if metrics is None:
        return list(DEFAULT_METRICS)
    names = [metrics] if isinstance(metrics, str) else list(metrics)
    unknown = [m for m in names if m not in POINT_METRICS]
    if unknown or not names:
        raise InvalidParameterError(
            f"metrics must be a non-empty list of names among {list(POINT_METRICS)!r}; got {metrics!r}."
        )
    return list(dict.fromkeys(names))


def quantile_level(column: str) -> float:
    """The level of a quantile column (``"q0.1" -> 0.1``)."""
    return float(column[1:])


def _elementwise(name: str, y: np.ndarray, y_hat: np.ndarray, scale: np.ndarray) -> np.ndarray:
    out = np.full(y.shape, np.nan)
    ok = np.isfinite(y) & np.isfinite(y_hat)
    if name == "mase":
        ok &= np.isfinite(scale) & (scale > 0)
        if ok.any():
            out[ok] = _metrics.mae(y[ok], y_hat[ok], reduce="none") / scale[ok]
        return out
    if name == "mape":
        ok &= y != 0
    if ok.any():
        out[ok] = getattr(_metrics, name)(y[ok], y_hat[ok], reduce="none")
    return out


def _quantile_scores(y: np.ndarray, bands: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    pinball = np.full(y.shape, np.nan)
    cover = np.full(y.shape, np.nan)
    levels = [quantile_level(c) for c in bands.columns]
    values = bands.to_numpy(dtype=np.float64)
    ok = np.isfinite(y) & np.isfinite(values).all(axis=1)
    if not ok.any():
        return pinball, cover
    pinball[ok] = _metrics.pinball_loss(y[ok], values[ok], levels, reduce="none")
    if len(levels) > 1:
        low, high = values[ok, int(np.argmin(levels))], values[ok, int(np.argmax(levels))]
        cover[ok] = _metrics.coverage(y[ok], np.minimum(low, high), np.maximum(low, high), reduce="none")
    return pinball, cover


def _interval_scores(table: pd.DataFrame, forecasts: pd.DataFrame, scales: np.ndarray, levels) -> None:
    """Per level: ``coverage_``, ``width_``, ``interval_score_`` and ``msis_`` columns,
    elementwise over the whole table (NaN where a model gave no interval)."""
    y = forecasts["y"].to_numpy(dtype=np.float64)
    scale = np.where(np.isfinite(scales) & (scales > 0), scales, np.nan)
    for level in levels:
        low = forecasts[f"lo_{level:g}"].to_numpy(dtype=np.float64)
        high = forecasts[f"hi_{level:g}"].to_numpy(dtype=np.float64)
        ok = np.isfinite(y) & np.isfinite(low) & np.isfinite(high)
        columns = {name: np.full(y.shape, np.nan) for name in ("coverage", "width", "interval_score")}
        if ok.any():
            columns["coverage"][ok] = _metrics.coverage(y[ok], low[ok], high[ok], reduce="none")
            columns["width"][ok] = _metrics.interval_width(low[ok], high[ok], reduce="none")
            columns["interval_score"][ok] = _metrics.interval_score(y[ok], low[ok], high[ok], level, reduce="none")
        for name, values in columns.items():
            table[f"{name}_{level:g}"] = values
        table[f"msis_{level:g}"] = columns["interval_score"] / scale


def score(forecasts: pd.DataFrame, scales: np.ndarray, names: list[str], levels=None) -> pd.DataFrame:
    """The metrics table: ``forecasts``' keys and one column per metric, per row.

    ``scales`` holds, per forecast row, the MASE scale of the fold's training data.
    Quantile columns add ``pinball`` (mean over the levels) and ``coverage`` (of the
    interval between the lowest and highest level), computed per model on the
    quantile columns it filled. ``levels`` add the interval scores of the
    ``lo_``/``hi_`` columns (see :func:`tsforecast.backtest`).
    """
    y = forecasts["y"].to_numpy(dtype=np.float64)
    y_hat = forecasts["y_hat"].to_numpy(dtype=np.float64)
    table = forecasts[_KEYS].copy(deep=False)  # the keys are shared with the forecasts, not copied
    for name in names:
        table[name] = _elementwise(name, y, y_hat, scales)
    quantiles = [c for c in forecasts.columns if c.startswith("q") and c[1:2].isdigit()]
    if quantiles:
        pinball = np.full(y.shape, np.nan)
        cover = np.full(y.shape, np.nan)
        for _, rows in forecasts.groupby("model", sort=False, observed=True).indices.items():
            filled = [c for c in quantiles if forecasts[c].iloc[rows].notna().any()]
            if filled:
                pinball[rows], cover[rows] = _quantile_scores(y[rows], forecasts[filled].iloc[rows])
        table["pinball"] = pinball
        table["coverage"] = cover
    if levels:
        _interval_scores(table, forecasts, scales, levels)
    return table
