"""The conformal calibration engine, on arrays: walk-forward windows inside the training
data, their absolute errors (the conformity scores) and the split-conformal half-widths.

:class:`ConformalCalibration` holds the calibration (``scores_``, ``scale_``,
``pooling_``, ``horizon_``, ``n_calibration_windows_``) around a fitted model ``model_``
and turns point forecasts into interval bounds. Two users, neither importing the other:
:class:`tsforecast.forecasters.intervals.ConformalIntervals` (a forecaster that fits its model and
calibrates it) and :mod:`tsforecast.forecasters.calibration` (``predict_interval`` of any fitted
forecaster, calibrated on demand). The method is described in :mod:`tsforecast.forecasters.intervals`.

This module needs no forecaster class: it reads models through the forecast contract
(``fit``, ``update``, ``forecast_arrays``) and their declared attributes only.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from ..core.fallbacks import unrecorded_fallbacks, warn_fallback
from ..core.silencing import silenced
from ..exceptions import InsufficientDataError, TsForecastWarning

__all__ = ["ConformalCalibration", "Calibrator", "conformal_quantile", "pooling_for"]


def pooling_for(model, pooling: str) -> str:
    """``pooling="auto"`` resolved: over the panel for a global model, per series else."""
    if pooling == "auto":
        return "panel" if getattr(model, "fits_globally", False) else "series"
    return pooling


def _rank(n: np.ndarray, level: float) -> np.ndarray:
    """``ceil((n + 1) * level / 100)``: the rank of the conformal quantile among ``n``
    scores (rounded first, so 20 * 0.95 is 19, not 19.000000000000004 -> 20)."""
    return np.ceil(np.round((np.asarray(n) + 1) * level / 100.0, 9)).astype(np.int64)


def conformal_quantile(scores: np.ndarray, level: float, axis: int = 0) -> np.ndarray:
    """The split-conformal quantile of ``scores`` along ``axis`` (NaN: no score).

    With ``n`` finite scores it is the ``k = ceil((n + 1) * level / 100)``-th smallest
    (``np.quantile(..., k / n, method="inverted_cdf")``; numpy's ``method="higher"`` at
    ``k / n`` lands one order statistic above it whenever ``k < n``), so an interval of
    that half-width covers a new exchangeable score with probability at least
    ``level``%. Where the rank exceeds ``n`` (too few scores) the answer is ``inf``.

    Examples
    --------
    >>> scores = np.arange(1.0, 20.0)[:, None]            # 19 scores: 1 .. 19
    >>> conformal_quantile(scores, 95).tolist(), conformal_quantile(scores, 80).tolist()
    ([19.0], [16.0])
    >>> conformal_quantile(scores[:10], 95).tolist()       # 10 scores cannot give 95%
    [inf]
    """
    scores = np.moveaxis(np.asarray(scores, dtype=np.float64), axis, 0)
    n = np.isfinite(scores).sum(axis=0)
    rank = _rank(n, level)
    ordered = np.sort(np.where(np.isfinite(scores), scores, np.inf), axis=0)  # missing scores last
    index = np.clip(rank - 1, 0, max(ordered.shape[0] - 1, 0))
    picked = np.take_along_axis(ordered, index[None], axis=0)[0] if ordered.shape[0] else np.full(n.shape, np.inf)
    return np.where(rank <= n, picked, np.inf)


def _min_train_length(model) -> int:
    """The shortest training series ``model`` can be fitted on, as it declares it
    (:meth:`~tsforecast.forecasters.base.BaseForecaster.min_train_length`); at least 2,
    also for a model that declares nothing."""
    minimum = getattr(model, "min_train_length", None)
    return max(2, int(minimum())) if callable(minimum) else 2


class ConformalCalibration:
    """The calibration of a conformal interval around ``model_`` (a mixin: the holder
    provides ``model``, ``model_``, ``n_windows`` and :meth:`_remember_series`)."""

    def _remember_series(self, panel) -> None:  # pragma: no cover - every holder overrides it
        raise NotImplementedError

    def _calibrate(self, panel, X, levels, n_windows: int, pooling: str, refit: bool, horizon: int, step: int):
        """Calibrate around the fitted ``model_`` on the walk-forward windows of ``panel``
        (its training data): set ``scores_`` and the other calibration attributes.

        Kept apart from :meth:`fit` so that a forecaster fitted elsewhere can be
        calibrated without a second final fit
        (:meth:`~tsforecast.forecasters.base.BaseForecaster.predict_interval` with ``method="conformal"``).
        """
        panel = self._same_series(panel)
        targets = [panel.columns.index(t) for t in self.target_names_]
        ends = self._window_ends(panel, horizon, step, n_windows)
        forecasts = self._calibration_forecasts(panel, X, ends, horizon, refit)
        positions = panel.starts[:, None, None] + np.maximum(ends, 0)[:, :, None] + np.arange(horizon)
        actual = panel.values[np.minimum(positions, len(panel.values) - 1)][..., targets]
        scores = np.abs(actual - forecasts)
        scores[ends < 0] = np.nan
        self.scores_ = scores
        self.n_calibration_windows_ = (ends >= 0).sum(axis=1)
        with silenced(RuntimeWarning):  # series without a finite score: NaN
            self.scale_ = np.nanmean(np.abs(scores), axis=(1, 2))
        self.pooling_ = pooling
        self.horizon_ = horizon
        self._check_levels_calibrated(levels)
        return self

    def _same_series(self, panel):
        """The panel restricted to the series the model kept (``on_short="skip"``), and
        this wrapper's output attributes set from it."""
        kept = list(getattr(self.model_, "series_ids_", panel.ids.tolist()))
        if kept != panel.ids.tolist():
            rows = np.array([panel.ids.tolist().index(key) for key in kept])
            panel = panel.window(np.zeros(len(rows), dtype=np.int64), panel.lengths[rows], rows)
        self._remember_series(panel)
        self.target_names_ = list(getattr(self.model_, "target_names_", panel.columns))
        return panel

    def _window_ends(self, panel, horizon: int, step: int, n_windows: int) -> np.ndarray:
        """Training length of each series at each window ``[series, window]``; -1 where
        the series is too short for that window."""
        minimum = _min_train_length(self.model_)
        ends = panel.lengths[:, None] - horizon - step * np.arange(n_windows)[None, :]
        ends = np.where(ends >= minimum, ends, -1)
        short = np.flatnonzero((ends < 0).all(axis=1))
        if short.size:
            names = panel.ids[short[:5]].tolist()
            raise InsufficientDataError(
                f"series {names!r}{' and others' if short.size > 5 else ''} are too short to calibrate intervals: "
                f"a calibration window needs {minimum} training values plus horizon={horizon} known ones "
                f"({minimum + horizon} in all); got lengths {panel.lengths[short[:5]].tolist()}."
            )
        return ends

    def _calibration_forecasts(self, panel, X, ends, horizon: int, refit: bool) -> np.ndarray:
        """Forecasts of every calibration window, ``[series, window, horizon, targets]``."""
        out = np.full(ends.shape + (horizon, len(self.target_names_)), np.nan)
        # Fallbacks of fits on shortened data would repeat per window; the final
        # fit, on all the data, has already warned about the series that need one.
        with silenced(TsForecastWarning), unrecorded_fallbacks():
            if getattr(self.model, "computes_on_panel", False) and refit:
                self._stacked_forecasts(panel, ends, horizon, out)
            elif refit:
                for k in range(ends.shape[1]):
                    rows = np.flatnonzero(ends[:, k] >= 0)
                    if rows.size:
                        model = clone(self.model).fit(self._cut(panel, ends[rows, k], rows), X)
                        out[rows, k] = self._forecast_array(model, horizon, X)
            else:
                self._updated_forecasts(panel, X, ends, horizon, out)
        return out

    def _cut(self, panel, ends, rows):
        """The first ``ends`` rows of series ``rows``, their gaps repaired by the model's
        ``fill`` from these rows alone: a repair of the whole series would pull in the
        values the window is scored on (and an interval calibrated on it would be too narrow)."""
        return panel.window(np.zeros(len(rows), dtype=np.int64), ends, rows).repaired(getattr(self.model, "fill", None))

    def _stacked_forecasts(self, panel, ends, horizon: int, out: np.ndarray) -> None:
        """Local models: every (series, window) pair is one series of ONE panel fit
        (a local model fits each series alone, so stacking them changes nothing but
        the speed)."""
        s_idx, w_idx = np.nonzero(ends >= 0)
        model = clone(self.model).fit(self._cut(panel, ends[s_idx, w_idx], s_idx))
        out[s_idx, w_idx] = model.forecast_arrays(horizon).point

    def _updated_forecasts(self, panel, X, ends, horizon: int, out: np.ndarray):
        """``refit=False``: one fit at each series' earliest window, then ``update``;
        returns the model as updated to the latest window (diagnostics read it)."""
        earliest = (ends >= 0).sum(axis=1) - 1
        rows = np.arange(len(ends))
        model = clone(self.model).fit(self._cut(panel, ends[rows, earliest], rows), X)
        for k in range(ends.shape[1] - 1, -1, -1):
            rows = np.flatnonzero(ends[:, k] >= 0)
            if rows.size:
                model.update(self._cut(panel, ends[rows, k], rows), X)
                out[rows, k] = self._forecast_array(model, horizon, X)
        return model

    @staticmethod
    def _forecast_array(model, horizon: int, X) -> np.ndarray:
        return model.forecast_arrays(horizon, X).point

    # -- quantiles of the scores --------------------------------------------------
    def _pooled_width(self, level: float) -> np.ndarray:
        """Half-widths ``[series, horizon, targets]`` from the scores of all series, each
        in units of its mean score.

        A window's scores are divided by the mean score of the series' OTHER windows
        (the new forecast's by the mean of all of them): dividing them by a mean that
        includes themselves would shrink their tails and the intervals would under-cover.
        """
        quantile = conformal_quantile(self._pooled_scores(), level, axis=0)
        scale = np.broadcast_to(self.scale_[:, None, :], (len(self.scale_), *quantile.shape))
        # a series whose calibration errors were all zero (an all-zero intermittent series)
        # has width zero, even where no series gave the pool a unit (a NaN quantile)
        return np.multiply(quantile[None], scale, out=np.zeros(scale.shape), where=scale > 0)

    def _pooled_scores(self) -> np.ndarray:
        """The scores of all series and windows ``[series * window, horizon, targets]``,
        each over the mean score of its series' other windows (see :meth:`_pooled_width`)."""
        with silenced(RuntimeWarning):  # a missing window has no mean: NaN
            window_mean = np.nanmean(self.scores_, axis=2)  # [series, window, targets]
        total = np.nansum(window_mean, axis=1, keepdims=True)
        count = np.isfinite(window_mean).sum(axis=1, keepdims=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            others = (total - window_mean) / (count - 1)
            scaled = self.scores_ / np.where(others > 0, others, np.nan)[:, :, None, :]  # one window: no unit
        # Perfect other windows give no unit, but a perfect window among them (a constant
        # series) has no error at any scale: 0, so such series get zero-width intervals.
        scaled = np.where((others == 0)[:, :, None, :] & (self.scores_ == 0), 0.0, scaled)
        return scaled.reshape(-1, *self.scores_.shape[2:])

    def _series_width(self, level: float) -> np.ndarray:
        return conformal_quantile(self.scores_, level, axis=1)

    def _width(self, level: float) -> tuple[np.ndarray, np.ndarray]:
        """Half-widths ``[series, horizon, targets]`` of a ``level``% interval, and the
        series that fell back from their own scores to the pooled ones.

        A fallback width is never below the series' largest own score (at that step):
        that score is the series' own quantile at the highest level its windows can
        calibrate, so every level it calibrates alone is at most as wide, and the
        intervals nest across levels (a pooled 95% quantile alone could be narrower than
        the series' own 80% one, a 95% band not containing the 80% band). It only widens
        the pooled interval, so its coverage guarantee holds; and it depends on the
        series' scores only, not on which other levels are asked.
        """
        pooled = self._pooled_width(level)
        if self.pooling_ == "panel":
            return pooled, np.zeros(len(pooled), dtype=bool)
        own = self._series_width(level)
        fallback = ~np.isfinite(own)
        with silenced(RuntimeWarning):  # a series without a finite score: NaN
            widest_own = np.nanmax(self.scores_, axis=1)
        return np.where(fallback, np.fmax(pooled, widest_own), own), fallback.any(axis=(1, 2))

    def _check_levels_calibrated(self, levels) -> None:
        for level in levels:
            width, fallback = self._width(level)
            if not np.isfinite(width).all():
                raise self._too_few(level)
            if fallback.any():
                names = np.asarray(self.series_ids_, dtype=object)[fallback]
                warn_fallback(
                    f"ConformalIntervals: series {names[:5].tolist()!r}"
                    f"{f' and {names.size - 5} others' if names.size > 5 else ''} have too few calibration "
                    f"windows for a {level:g}% interval ({self._needed(level)} needed, got "
                    f"{self.n_calibration_windows_[fallback][:5].tolist()}); the quantile pooled over all "
                    "series (scaled to each series, and at least their own largest error, so the levels "
                    "nest) is used for them.",
                )

    @staticmethod
    def _needed(level: float) -> int:
        n = 1
        while _rank(n, level) > n:
            n += 1
        return n

    def _too_few(self, level: float) -> InsufficientDataError:
        """The error of a level with too few usable calibration errors per step."""
        scores = self._pooled_scores() if self.pooling_ == "panel" else self.scores_.reshape(-1, *self.scores_.shape[2:])
        n = int(np.isfinite(scores).sum(axis=0).min())  # the usable ones: pooled scores need a unit
        fitted = int(np.min(getattr(self, "n_calibration_windows_", [self.n_windows])))
        if fitted < self.n_windows:  # the series' length, not n_windows, is the limit: more cannot help
            remedy = (f"only {fitted} of the n_windows={self.n_windows} windows fit before the start of the "
                      f"shortest series at this horizon: give longer series, {self._overlap_words()}a shorter "
                      "horizon, or a lower level")
        else:
            remedy = "give more n_windows (each one more fit), longer series, or a lower level"
        return InsufficientDataError(
            f"a {level:g}% conformal interval needs at least {self._needed(level)} usable calibration errors "
            f"per step; got {n}{self._unscaled_words(n)} (n_windows={self.n_windows} over "
            f"{len(self.series_ids_)} series): {remedy} (an 80% interval needs {self._needed(80.0)}).",
            level=level, needed=self._needed(level), usable=n)

    def _unscaled_words(self, usable: int) -> str:
        """Why the windows counted but not usable (pooled over the panel) have no unit:
        the only window of their series, or their series' other windows forecast perfectly."""
        unusable = int(np.isfinite(self.scores_).sum(axis=(0, 1)).min()) - usable
        if unusable <= 0:
            return ""
        with silenced(RuntimeWarning):  # a missing window has no mean: NaN
            present = np.isfinite(np.nanmean(self.scores_, axis=2))  # [series, window, targets]
        lone = min(int((present & (present.sum(axis=1, keepdims=True) == 1)).sum(axis=(0, 1)).min()), unusable)
        if lone == unusable:
            why = "each the only window of its series, with no other window to scale it by"
        elif not lone:
            why = "their series' other windows were forecast perfectly"
        else:
            why = (f"{lone} the only window of their series, {unusable - lone} of series whose other windows were "
                   "forecast perfectly")
        return f", {unusable} more without a scale ({why})"

    def _overlap_words(self) -> str:
        """The advice of overlapping windows, where the calibration's windows do not overlap
        yet: a ConformalIntervals' ``step``; on-demand calibration (``predict_interval``)
        steps by the horizon, so it takes wrapping the model."""
        if hasattr(self, "step"):  # None: the horizon
            return "" if (self.step or self.horizon_) == 1 else "windows that overlap (ConformalIntervals(step=1)), "
        if self.horizon_ == 1:
            return ""
        return ("windows that overlap (fit ConformalIntervals(model, step=1) instead of calling predict_interval on "
                "the model), ")

    def _bounds(self, point: np.ndarray, quantiles) -> np.ndarray:
        """``point`` -/+ the half-width of the central interval each quantile bounds,
        ``[series, horizon, targets, quantiles]`` (0.5: the point forecast)."""
        h = point.shape[1]
        out = np.empty(point.shape + (len(quantiles),))
        for j, q in enumerate(quantiles):
            if np.isclose(q, 0.5):
                out[..., j] = point
                continue
            level = abs(1.0 - 2.0 * q) * 100.0
            width, _ = self._width(level)
            if not np.isfinite(width).all():
                raise self._too_few(level)
            out[..., j] = point + np.sign(q - 0.5) * width[:, :h]
        model = getattr(self, "model_", None)
        nonnegative = model.nonnegative_series() if hasattr(model, "nonnegative_series") else None
        if nonnegative is not None:  # demand never below 0: a band reaching there covers nothing possible
            out = np.where(nonnegative[:, None, :, None], np.maximum(out, 0.0), out)
        return out


class Calibrator(ConformalCalibration):
    """A calibration around an already fitted ``model`` (``predict_interval`` on demand):
    the same windows, scores and bounds as a ConformalIntervals, without its final fit."""

    def __init__(self, model, n_windows: int, pooling: str):
        self.model = self.model_ = model
        self.n_windows = n_windows
        self.pooling = pooling

    def _remember_series(self, panel) -> None:
        self.series_ids_ = panel.ids.tolist()
