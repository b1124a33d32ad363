"""Conformal prediction intervals: :class:`ConformalIntervals` wraps any forecaster.

The wrapper fits its model on the whole training data (its point forecasts are the
model's own) and, to size the intervals, replays the model on ``n_windows`` walk-forward
windows at the end of the same training data: window ``k`` trains on each series up
to ``horizon + (k - 1) * step`` steps before its end and forecasts the next ``horizon``
steps, which are known. The absolute errors ``|y - y_hat|`` of those forecasts, kept as
one array ``[series, window, step, target]``, are the conformity scores.

The half-width of a ``level``% interval at a horizon step is the
``ceil((n + 1) * level / 100)``-th smallest of the ``n`` scores of that step (split
conformal prediction with the finite-sample correction; Vovk et al. 2005, Stankeviciute
et al. 2021 for one quantile per horizon step), computed either per series from its own
windows or pooled over the series of a panel after dividing each series' scores by its
mean score (so that series of different scales share one quantile; normalised conformal
prediction, Papadopoulos et al. 2008; each window's scores are divided by the mean
score of the series' other windows, which keeps them exchangeable with a new one's).
Everything is sorting and indexing over whole
arrays: no loop over series.

Calibration reads only the training data given to ``fit``: inside a backtest a fold's
calibration windows all end at or before that fold's cutoff.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from ._calibration import INTERVAL_METHODS
from ._panel import as_panel
from ._params import Boolean, Check, Integer, Options, validate_params
from ._validation import check_choice, check_int
from .base import (
    DEFAULT_LEVELS,
    DEFAULT_QUANTILES,
    BaseForecaster,
    check_levels,
    check_quantiles,
    interval_values,
    level_quantiles,
    quantile_column,
)
from .exceptions import FallbackWarning, InputTypeError, InsufficientDataError, InvalidParameterError, TsForecastWarning

__all__ = ["ConformalIntervals", "conformal_quantile"]

_POOLING = ("auto", "series", "panel")


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
    """The shortest training series ``model`` can be fitted on (declared, never guessed
    from the class name): a window model needs one whole window."""
    n_in, n_out = getattr(model, "n_steps_in", None), getattr(model, "n_steps_out", None)
    if isinstance(n_in, (int, np.integer)) and isinstance(n_out, (int, np.integer)):
        return int(n_in) + int(n_out)
    minimum = getattr(model, "_min_length", None)
    return max(2, int(minimum())) if callable(minimum) else 2


def _check_model(model, name: str):
    """``model``: a forecaster (fit and predict)."""
    if not (isinstance(model, BaseEstimator) and callable(getattr(model, "fit", None))
            and callable(getattr(model, "predict", None))):
        raise InputTypeError(f"{name} must be a forecaster (fit and predict); got {type(model).__name__}.")
    return model


class ConformalIntervals(BaseForecaster):
    """Prediction intervals for any forecaster, calibrated on its own walk-forward errors.

    Parameters
    ----------
    model : forecaster
        The forecaster whose point forecasts get intervals; it is cloned, never changed.
    levels : sequence of float, default=(80, 95)
        Nominal coverages in percent (increasing, in (0, 100)) that ``fit`` checks it
        can calibrate; ``predict_interval`` answers these by default and may ask others.
    horizon : int, optional
        Steps calibrated (the longest ``predict`` horizon). Default: the model's
        ``n_steps_out`` when it has one; a backtest sets it to its own horizon.
    n_windows : int, default=20
        Calibration windows per series (fewer for a series too short for them).
        A ``level``% interval needs ``ceil(level / (100 - level))`` scores per step
        (19 for 95%, 4 for 80%): per series with ``pooling="series"``, over all the
        series of a panel with ``pooling="panel"``.
    step : int, optional
        Steps between the cutoffs of consecutive windows; default ``horizon`` (windows
        whose forecast steps do not overlap).
    pooling : {"auto", "series", "panel"}, default="auto"
        ``"series"``: each series' quantiles from its own scores; a series with too few
        windows for a level is given the panel's pooled quantile instead, with a
        :class:`~tsforecast.exceptions.FallbackWarning` naming it. ``"panel"``: one
        quantile per step over all series, each window's scores divided by the mean
        score of its series' other windows, and the width multiplied back by the
        series' mean score (needs two windows per series). ``"auto"``: ``"panel"`` for models that
        fit globally (one model for all series), else ``"series"``.
    refit : bool, default=True
        ``True``: the model is fitted anew on every calibration window (exact
        walk-forward errors; ``n_windows`` fits). ``False``: ONE fit on the data before
        the earliest window, then ``update`` to each later window's cutoff (models with
        ``update``, such as :class:`~tsforecast.WindowForecaster`): two fits in all, far
        cheaper for a network. The trade-off: the errors then come from one model that
        has seen less recent data than the final fit (larger errors: wider intervals),
        and they vary less from window to window than a new fit's would (narrower
        intervals); which wins depends on the model. Check the coverage in a backtest
        (on M4, see ``reports/m4.md``: right for the LSTM, too low for a raw-scale Ridge).

    Attributes
    ----------
    model_ : forecaster
        The model fitted on all the data given to ``fit`` (it makes the point forecasts).
    scores_ : ndarray of shape (n_series, n_windows, horizon, n_targets)
        Absolute calibration errors; NaN where a series had no such window.
    scale_ : ndarray of shape (n_series, n_targets)
        Each series' mean calibration error (the unit of pooled quantiles).
    n_calibration_windows_ : ndarray of shape (n_series,)
        Windows each series was calibrated on.
    pooling_ : str
        The pooling used (``"auto"`` resolved).
    horizon_ : int
        Steps calibrated.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tsforecast.baselines import Theta
    >>> y = pd.Series(np.random.default_rng(0).normal(size=120).cumsum(),
    ...               index=pd.date_range("2024", periods=120, freq="D"), name="y")
    >>> model = ConformalIntervals(Theta(), levels=(80, 95), horizon=3, n_windows=20).fit(y)
    >>> model.predict_interval(3).columns.tolist()
    ['y', 'lo_80', 'hi_80', 'lo_95', 'hi_95']
    """

    supports_quantiles = True
    _parameter_constraints = {
        "model": Check(_check_model),
        "levels": Check(check_levels),
        "horizon": Integer(minimum=1, allow_none=True),
        "n_windows": Integer(minimum=1),
        "step": Integer(minimum=1, allow_none=True),
        "pooling": Options(_POOLING),
        "refit": Boolean(),
    }

    def __init__(self, model, levels=DEFAULT_LEVELS, horizon: int | None = None, n_windows: int = 20,
                 step: int | None = None, pooling: str = "auto", refit: bool = True):
        self.model = model
        self.levels = levels
        self.horizon = horizon
        self.n_windows = n_windows
        self.step = step
        self.pooling = pooling
        self.refit = refit

    # -- capabilities: those of the wrapped model -------------------------------
    @property
    def uses_covariates(self) -> bool:
        return bool(getattr(self.model, "uses_covariates", False))

    @property
    def fits_globally(self) -> bool:
        """True for a global model, or when the calibration pools over series: then
        the intervals of a series depend on the others, so a backtest keeps them together."""
        return bool(getattr(self.model, "fits_globally", False)) or self.pooling == "panel"

    @property
    def computes_on_panel(self) -> bool:
        return bool(getattr(self.model, "computes_on_panel", False))

    @property
    def history_(self) -> dict:
        """The wrapped model's training curves (of the final fit)."""
        check_is_fitted(self)
        return self.model_.history_

    # -- fitting ------------------------------------------------------------------
    def _check_params(self) -> tuple:
        """The declared checks and the settings the model must allow: ``(levels, n_windows,
        pooling, refit)``, ``pooling="auto"`` resolved."""
        p = validate_params(self)
        levels, n_windows, pooling, refit = p["levels"], p["n_windows"], p["pooling"], p["refit"]
        if not refit and not callable(getattr(self.model, "update", None)):
            raise InvalidParameterError(
                f"refit=False calibrates with update(y, X), which {type(self.model).__name__} does not have; "
                "use refit=True (its refits on the calibration windows are vectorised over series)."
            )
        if pooling == "auto":
            pooling = "panel" if getattr(self.model, "fits_globally", False) else "series"
        return levels, n_windows, pooling, refit

    def _calibration_horizon(self) -> int:
        if self.horizon is not None:
            return check_int(self.horizon, "horizon", minimum=1)
        n_out = getattr(self.model, "n_steps_out", None)
        if n_out is None:
            raise InvalidParameterError(
                f"horizon must be given for {type(self.model).__name__} (the steps to calibrate); got None."
            )
        return check_int(n_out, "model.n_steps_out", minimum=1)

    def fit(self, y, X=None):
        """Fit the model on ``y`` and calibrate intervals on its walk-forward errors.

        Parameters
        ----------
        y : Series, DataFrame, panel DataFrame or dict
            The training data (only it is read, also for calibration).
        X : optional
            Covariates, for models that use them.

        Returns
        -------
        self
        """
        levels, n_windows, pooling, refit = self._check_params()
        self._check_no_covariates(X)
        horizon = self._calibration_horizon()
        step = horizon if self.step is None else check_int(self.step, "step", minimum=1)
        self.model_ = clone(self.model).fit(y, X)
        panel = as_panel(y, "y", fill=getattr(self.model, "fill", None),
                         on_short=getattr(self.model, "on_short", "raise"))
        return self._calibrate(panel, X, levels, n_windows, pooling, refit, horizon, step)

    def _calibrate(self, panel, X, levels, n_windows: int, pooling: str, refit: bool, horizon: int, step: int):
        """Calibrate around the fitted ``model_`` on the walk-forward windows of ``panel``
        (its training data): set ``scores_`` and the other calibration attributes.

        Kept apart from :meth:`fit` so that a forecaster fitted elsewhere can be
        calibrated without a second final fit
        (:meth:`~tsforecast.base.BaseForecaster.predict_interval` with ``method="conformal"``).
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
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # series without a finite score: NaN
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
        self._fit_panel(panel)
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
        with warnings.catch_warnings():
            # Fallbacks of fits on shortened data would repeat per window; the final
            # fit, on all the data, has already warned about the series that need one.
            warnings.simplefilter("ignore", TsForecastWarning)
            if self.computes_on_panel and refit:
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

    @staticmethod
    def _cut(panel, ends, rows):
        return panel.window(np.zeros(len(rows), dtype=np.int64), ends, rows)

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
        return quantile[None] * self.scale_[:, None, :]

    def _pooled_scores(self) -> np.ndarray:
        """The scores of all series and windows ``[series * window, horizon, targets]``,
        each over the mean score of its series' other windows (see :meth:`_pooled_width`)."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a missing window has no mean: NaN
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
        series that fell back from their own scores to the pooled ones."""
        pooled = self._pooled_width(level)
        if self.pooling_ == "panel":
            return pooled, np.zeros(len(pooled), dtype=bool)
        own = self._series_width(level)
        fallback = ~np.isfinite(own)
        return np.where(fallback, pooled, own), fallback.any(axis=(1, 2))

    def _check_levels_calibrated(self, levels) -> None:
        for level in levels:
            width, fallback = self._width(level)
            if not np.isfinite(width).all():
                raise InsufficientDataError(self._too_few_message(level))
            if fallback.any():
                names = np.asarray(self.series_ids_, dtype=object)[fallback]
                warnings.warn(
                    f"ConformalIntervals: series {names[:5].tolist()!r}"
                    f"{f' and {names.size - 5} others' if names.size > 5 else ''} have too few calibration "
                    f"windows for a {level:g}% interval ({self._needed(level)} needed, got "
                    f"{self.n_calibration_windows_[fallback][:5].tolist()}); the quantile pooled over all "
                    "series (scaled to each series) is used for them.",
                    FallbackWarning, stacklevel=3,
                )

    @staticmethod
    def _needed(level: float) -> int:
        n = 1
        while _rank(n, level) > n:
            n += 1
        return n

    def _too_few_message(self, level: float) -> str:
        scores = self._pooled_scores() if self.pooling_ == "panel" else self.scores_.reshape(-1, *self.scores_.shape[2:])
        n = int(np.isfinite(scores).sum(axis=0).min())  # the usable ones: pooled scores need a unit
        unusable = int(np.isfinite(self.scores_).sum(axis=(0, 1)).min()) - n
        why = (f", {unusable} more without a scale (their series' other windows were forecast perfectly)"
               if unusable > 0 else "")
        return (f"a {level:g}% conformal interval needs at least {self._needed(level)} usable calibration errors "
                f"per step; got {n}{why} (n_windows={self.n_windows} over {len(self.series_ids_)} series). "
                "Give longer series, more n_windows, a smaller step, or a lower level.")

    # -- prediction ---------------------------------------------------------------
    def _check_predict_horizon(self, horizon) -> int:
        h = self._check_horizon(horizon, default=self.horizon_)
        if h > self.horizon_:
            raise InvalidParameterError(
                f"horizon={h} exceeds the {self.horizon_} steps the intervals were calibrated for; "
                f"set ConformalIntervals(horizon={h}) and fit again."
            )
        return h

    def declared_covariates(self) -> tuple[list, list]:
        """Those of the wrapped model."""
        return self.model.declared_covariates()

    def target_columns(self, columns) -> list:
        """Those of the wrapped model."""
        return self.model.target_columns(columns)

    def predict(self, horizon=None, X=None):
        """The wrapped model's point forecasts (see its ``predict``)."""
        check_is_fitted(self)
        h = self._check_predict_horizon(horizon)
        return self.model_.predict(h) if X is None else self.model_.predict(h, X=X)

    def _point_array(self, horizon, X) -> np.ndarray:
        return self._point(self._check_predict_horizon(horizon), X)

    def _point(self, horizon: int, X) -> np.ndarray:
        return self.model_.forecast_arrays(horizon, X).point

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
                raise InsufficientDataError(self._too_few_message(level))
            out[..., j] = point + np.sign(q - 0.5) * width[:, :h]
        return out

    def _interval_arrays(self, horizon, X, quantiles):
        h = self._check_predict_horizon(horizon)
        point = self._point(h, X)
        return point, self._bounds(point, quantiles)

    def _predict_quantiles(self, horizon, X, quantiles):
        h = self._check_predict_horizon(horizon)
        wanted = check_quantiles(DEFAULT_QUANTILES if quantiles is None else quantiles)
        point = self._point(h, X)
        bands = self._bounds(point, wanted).reshape(point.shape[0], h, -1)
        single = len(self.target_names_) == 1
        columns = [quantile_column(q) if single else f"{t}_{quantile_column(q)}"
                   for t in self.target_names_ for q in wanted]
        output = self._output(bands, columns)
        return output.to_frame() if isinstance(output, pd.Series) else output

    def predict_interval(self, horizon=None, X=None, levels=None, method: str = "auto",
                         n_windows: int | None = None):
        """Point forecasts with conformal intervals; ``levels`` default to the wrapper's.

        Every ``method`` answers with this wrapper's calibration (it is the model's
        distribution, and it is conformal); ``n_windows``, if given, must be the
        wrapper's own. See :meth:`tsforecast.base.BaseForecaster.predict_interval`.
        """
        check_is_fitted(self)
        levels = check_levels(self.levels if levels is None else levels)
        check_choice(method, "method", INTERVAL_METHODS)
        if n_windows is not None and check_int(n_windows, "n_windows", minimum=1) != self.n_windows:
            raise InvalidParameterError(
                f"n_windows={n_windows} differs from the n_windows={self.n_windows} this ConformalIntervals was "
                f"calibrated with; set ConformalIntervals(n_windows={n_windows}) and fit again."
            )
        point, bands = self._interval_arrays(horizon, X, level_quantiles(levels))
        return self._interval_output(interval_values(point, bands, levels), levels)
