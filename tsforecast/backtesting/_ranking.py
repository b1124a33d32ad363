"""Per-series reductions of a backtest's step losses ``[model, series, fold, step]``:
each model's score on each series, the score ranks compare (over the folds all models
scored there), and the ranks, winners and winners' Diebold-Mariano p-values that
:meth:`~tsforecast.backtesting.result.BacktestResult.per_series` reports. Arrays in,
arrays out: no loop over series."""

from __future__ import annotations

import numpy as np

from ..core import metrics as _metrics
from ..exceptions import InvalidParameterError
from ..forecasters.base import DEFAULT_QUANTILES
from ._arrays import combine_steps
from .significance import diebold_mariano_rows

__all__ = ["series_scores", "shared_folds", "shared_fold_scores", "series_ranks", "ranking_distance",
           "check_same_quantiles", "model_levels", "nominal_span"]


def model_levels(info: dict, models) -> dict:
    """``{model: levels}`` of the quantile bands ``models`` were scored on: each model's
    own (``info["model_quantiles"]``), else (a result saved before they were kept) the
    levels asked of every model, the default set for ``"auto"``.

    Examples
    --------
    >>> model_levels({"model_quantiles": {"a": [0.05, 0.5, 0.95]}}, ["a", "b"])
    {'a': (0.05, 0.5, 0.95)}
    """
    own = info.get("model_quantiles")
    if own is not None:
        return {m: tuple(own[str(m)]) for m in models if str(m) in own}
    asked = info.get("quantiles")
    levels = tuple(q for q in (DEFAULT_QUANTILES if asked == "auto" else asked or ()) if isinstance(q, (int, float)))
    return {m: levels for m in models} if levels else {}


def nominal_span(levels) -> float:
    """The share of actuals a band of quantile ``levels`` should hold, its highest level
    less its lowest (what its ``coverage`` aims at); NaN for fewer than two levels.

    Examples
    --------
    >>> round(nominal_span((0.05, 0.5, 0.95)), 9), nominal_span((0.5,))
    (0.9, nan)
    """
    return max(levels) - min(levels) if len(levels) > 1 else float("nan")


def check_same_quantiles(metric: str, models, info: dict) -> None:
    """Refuse to compare ``pinball`` across ``models`` forecasting different quantile
    levels (``quantiles="auto"``): each loss is the mean over the model's own levels, so
    a model scored on 0.05 and 0.95 would be ranked against one scored on 0.1 and 0.9."""
    if metric != "pinball":
        return
    levels = model_levels(info, models)
    if len(set(levels.values())) > 1:
        shown = ", ".join(f"{m!r}: {list(v)}" for m, v in levels.items())
        raise InvalidParameterError(
            f"metric 'pinball' does not compare across models with different quantile levels ({shown}): each "
            "is the mean loss over the model's own levels. Backtest with the same quantiles for every model "
            "(quantiles=[0.1, 0.5, 0.9], say), or rank on another metric."
        )


def ranking_distance(metric: str, scores, models, info: dict) -> np.ndarray:
    """Scores of ``metric`` for ``models`` (the first axis of ``scores``; one model: any
    shape) as "lower is better" (:func:`tsforecast.core.metrics.distance_from_best`).
    ``coverage`` of a quantile band is the distance to the band's nominal span, each
    model's own (0.9 for 0.05-0.95, 0.8 for 0.1-0.9): with ``quantiles="auto"`` the
    models' bands differ, and one target for all would rank a well-calibrated 90% band
    as off by 0.1."""
    check_same_quantiles(metric, models, info)
    values = np.asarray(scores, dtype=np.float64)
    direction, target = _metrics.orientation(metric, np.nan)
    if direction == "lower" or np.isfinite(target):  # a level suffix names its target
        return _metrics.distance_from_best(metric, values)
    levels = model_levels(info, models)
    if not levels:  # no band known: refused as before, naming the metric
        _metrics.orientation(metric)
    spans = np.array([nominal_span(levels.get(m, ())) for m in models])
    spans = spans[0] if len(models) == 1 else spans.reshape((-1,) + (1,) * (values.ndim - 1))
    return np.abs(values - spans)


def series_scores(values: np.ndarray, metric: str) -> tuple[np.ndarray, np.ndarray]:
    """From ``values[model, series, fold, step]``: the mean over folds of the fold
    scores ``[model, series]``, and the folds scored."""
    folds = combine_steps(values, metric)
    scored = np.isfinite(folds)
    n_folds = scored.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = np.where(n_folds > 0, np.where(scored, folds, 0.0).sum(axis=2) / np.maximum(n_folds, 1), np.nan)
    return score, n_folds


def shared_folds(values: np.ndarray, metric: str) -> np.ndarray:
    """``[series, fold]``: the folds of each series that every model scoring it scored;
    all folds of a series where they share none (each model is then ranked on its own)."""
    return _shared(combine_steps(values, metric))


def _shared(folds: np.ndarray) -> np.ndarray:
    """:func:`shared_folds` of the fold scores ``folds[model, series, fold]``."""
    scored = np.isfinite(folds)
    shared = (scored | ~scored.any(axis=2, keepdims=True)).all(axis=0)
    return shared | ~shared.any(axis=1, keepdims=True)


def shared_fold_scores(values: np.ndarray, metric: str, own: np.ndarray,
                       shared: np.ndarray | None = None) -> np.ndarray:
    """Per model and series, the mean fold score over the folds of that series every
    model scoring it scored (``own``, each model's mean over its folds, where they share
    none): what ranks and skill compare, like with like. ``shared``: those folds, where
    the caller has them (:func:`shared_folds`)."""
    folds = combine_steps(values, metric)
    use = np.isfinite(folds) & (_shared(folds) if shared is None else shared)[None]
    n_used = use.sum(axis=2)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(use, folds, 0.0).sum(axis=2) / np.maximum(n_used, 1)
    return np.where(n_used > 0, mean, own)


def series_ranks(score: np.ndarray, losses: np.ndarray,
                 h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per model and series (``score[model, series]``): the rank among models (1 = best,
    ties share the lower rank), the one winner per series (ties to the first model) and
    the winner's Diebold-Mariano statistic and p-value against the runner-up (the
    statistic negative where the winner's mean loss is the lower), on the step losses
    ``losses[model, series, :]`` (missing ones left out)."""
    finite = np.isfinite(score)
    filled = np.where(finite, score, np.inf)
    beaten_by = (filled[None, :, :] < filled[:, None, :]).sum(axis=1)  # [model, series]: models strictly better
    rank = np.where(finite, 1.0 + beaten_by, np.nan)
    n_series = score.shape[1]
    scored = finite.any(axis=0)
    best = np.argmin(filled, axis=0)
    win = np.zeros_like(finite)
    win[best[scored], np.flatnonzero(scored)] = True
    statistic = np.full(score.shape, np.nan)
    p_value = np.full(score.shape, np.nan)
    second_filled = filled.copy()
    second_filled[best, np.arange(n_series)] = np.inf
    second = np.argmin(second_filled, axis=0)
    paired = scored & np.isfinite(second_filled[second, np.arange(n_series)])
    if paired.any():
        columns = np.flatnonzero(paired)
        statistic[best[columns], columns], p_value[best[columns], columns] = diebold_mariano_rows(
            losses[best[columns], columns], losses[second[columns], columns], h=h)
    return rank, win, statistic, p_value
