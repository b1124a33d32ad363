"""Scores of backtest forecasts per model, series, fold and horizon step.

Scoring is separate from producing forecasts: it reads forecast arrays and the
actuals, never a model. Every function here is elementwise over arrays of any shape
(a model's ``[series, fold, step]`` block in a backtest), so a panel of any size is
scored without a loop over series. MASE is scaled on each fold's own training rows.
"""

from __future__ import annotations

import numpy as np

from ..core import metrics as _metrics
from ..exceptions import InvalidParameterError

__all__ = ["POINT_METRICS", "DEFAULT_METRICS", "RANKING_ORDER", "check_metrics", "quantile_level", "point_scores",
           "quantile_scores", "interval_scores", "metric_names"]

#: Point metrics backtests can compute, by name (elementwise via ``reduce="none"``).
POINT_METRICS = ("mae", "rmse", "smape", "mase", "mape")
DEFAULT_METRICS = ("mae", "rmse", "smape", "mase")
#: The metric that ranks models where none is named: the first of these that was scored
#: (MASE: scale-free, so series of any level weigh alike).
RANKING_ORDER = ("mase", "mae", "rmse", "smape", "mape")
#: The scores of each interval level, in the order their columns appear.
INTERVAL_SCORES = ("coverage", "width", "interval_score", "msis")


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


def metric_names(points: list[str], quantiles: bool, levels) -> list[str]:
    """The metric columns of a backtest, in table order: the point metrics, then
    ``pinball`` and ``coverage`` with quantiles, then each level's interval scores."""
    names = list(points) + (["pinball", "coverage"] if quantiles else [])
    return names + [f"{score}_{level:g}" for level in levels or () for score in INTERVAL_SCORES]


def point_scores(name: str, y: np.ndarray, y_hat: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Metric ``name`` per element (NaN where undefined); ``scale``: the MASE scale of
    each element, broadcast to ``y``'s shape."""
    out = np.full(y.shape, np.nan)
    ok = np.isfinite(y) & np.isfinite(y_hat)
    if name == "mase":
        scale = np.broadcast_to(scale, y.shape)
        ok &= np.isfinite(scale) & (scale > 0)
        if ok.any():
            out[ok] = _metrics.mae(y[ok], y_hat[ok], reduce="none") / scale[ok]
        return out
    if name == "mape":
        ok &= y != 0
    if ok.any():
        out[ok] = getattr(_metrics, name)(y[ok], y_hat[ok], reduce="none")
    return out


def quantile_scores(y: np.ndarray, bands: dict) -> tuple[np.ndarray, np.ndarray]:
    """``pinball`` (mean over the levels) and ``coverage`` (of the interval between the
    lowest and highest level) per element, from ``{column: values}`` quantile arrays
    shaped like ``y``; NaN where a band or the actual is missing."""
    pinball = np.full(y.shape, np.nan)
    cover = np.full(y.shape, np.nan)
    if not bands:
        return pinball, cover
    levels = [quantile_level(c) for c in bands]
    values = np.stack([np.asarray(v, dtype=np.float64) for v in bands.values()], axis=-1)
    ok = np.isfinite(y) & np.isfinite(values).all(axis=-1)
    if not ok.any():
        return pinball, cover
    chosen = values[ok]
    pinball[ok] = _metrics.pinball_loss(y[ok], chosen, levels, reduce="none")
    if len(levels) > 1:
        low, high = chosen[:, int(np.argmin(levels))], chosen[:, int(np.argmax(levels))]
        cover[ok] = _metrics.coverage(y[ok], np.minimum(low, high), np.maximum(low, high), reduce="none")
    return pinball, cover


def interval_scores(y: np.ndarray, low: np.ndarray, high: np.ndarray, level: float,
                    scale: np.ndarray) -> dict[str, np.ndarray]:
    """Per element: ``coverage`` (1 inside, 0 outside), ``width``, ``interval_score``
    (Winkler) and ``msis`` (the interval score over the MASE ``scale``); NaN where
    the model gave no interval."""
    columns = {name: np.full(y.shape, np.nan) for name in ("coverage", "width", "interval_score")}
    ok = np.isfinite(y) & np.isfinite(low) & np.isfinite(high)
    if ok.any():
        columns["coverage"][ok] = _metrics.coverage(y[ok], low[ok], high[ok], reduce="none")
        columns["width"][ok] = _metrics.interval_width(low[ok], high[ok], reduce="none")
        columns["interval_score"][ok] = _metrics.interval_score(y[ok], low[ok], high[ok], level, reduce="none")
    scale = np.where(np.isfinite(scale) & (scale > 0), scale, np.nan)
    columns["msis"] = columns["interval_score"] / scale
    return columns
