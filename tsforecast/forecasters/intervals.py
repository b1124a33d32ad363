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

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from ..core.panel import as_panel
from ..core.params import Boolean, Check, Integer, Options, validate_params
from ..core.validation import check_choice, check_int
from ..exceptions import InputTypeError, InvalidParameterError
from .base import (
    DEFAULT_LEVELS,
    DEFAULT_QUANTILES,
    BaseForecaster,
    check_levels,
    check_quantiles,
    interval_values,
    kept_on_failure,
    level_quantiles,
    quantile_column,
)
from .calibration import INTERVAL_METHODS
from .conformal import ConformalCalibration, conformal_quantile, pooling_for

__all__ = ["ConformalIntervals", "conformal_quantile"]

_POOLING = ("auto", "series", "panel")


def _check_model(model, name: str):
    """``model``: a forecaster (fit and predict)."""
    if not (isinstance(model, BaseEstimator) and callable(getattr(model, "fit", None))
            and callable(getattr(model, "predict", None))):
        raise InputTypeError(f"{name} must be a forecaster (fit and predict); got {type(model).__name__}.")
    return model


class ConformalIntervals(ConformalCalibration, BaseForecaster):
    """Prediction intervals for any forecaster, calibrated on its own walk-forward errors.

    Parameters
    ----------
    model : forecaster
        The forecaster whose point forecasts get intervals; it is cloned, never changed.
    levels : sequence of float, default=(80, 95)
        Nominal coverages in percent (increasing, in (0, 100)) that ``fit`` checks it
        can calibrate; ``predict_interval`` answers these by default and may ask others.
    horizon : int, optional
        Steps calibrated (the longest horizon of ``predict_interval`` and
        ``predict_quantiles``; ``predict``'s point forecasts take any). Default: the model's
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
        windows for a level is given the panel's pooled quantile instead (never narrower
        than the series' largest own error, so its intervals nest across levels), with a
        :class:`~tsforecast.exceptions.FallbackWarning` naming it (so a backtest keeps
        the series of a panel in one task: ``fits_globally`` is True). ``"panel"``: one
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
    future_covariates_ : list
        The wrapped model's future-known covariates (the ``X`` its forecasts need).

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
        """True: the intervals of a series may depend on the other series of the panel,
        so a backtest keeps them together (one task per model, never chunks of series).

        Every pooling can use the panel: ``"panel"`` always, and ``"series"`` (and
        ``"auto"`` for a local model) for each series with too few calibration windows
        for a level, which takes the quantile pooled over all series. Split into
        ``n_jobs`` chunks, that pool would hold only the chunk's series, so the bounds
        depended on ``n_jobs`` (and a chunk of one series had no pool at all).
        """
        return True

    @property
    def computes_on_panel(self) -> bool:
        return bool(getattr(self.model, "computes_on_panel", False))

    @property
    def history_(self) -> dict:
        """The wrapped model's training curves (of the final fit)."""
        check_is_fitted(self)
        return self.model_.history_

    @property
    def future_covariates_(self) -> list:
        """The future-known covariates the wrapped model reads for the forecast steps (the
        ``X`` that ``predict`` and ``predict_interval`` need)."""
        check_is_fitted(self)
        return list(getattr(self.model_, "future_covariates_", None) or [])

    # -- fitting ------------------------------------------------------------------
    def _check_params(self) -> tuple:
        """The declared checks (each once) and the settings the model must allow:
        ``(levels, n_windows, pooling, refit, horizon, step)``, ``pooling="auto"``,
        ``horizon=None`` and ``step=None`` resolved."""
        p = validate_params(self)
        levels, n_windows, pooling, refit = p["levels"], p["n_windows"], p["pooling"], p["refit"]
        if not refit and not callable(getattr(self.model, "update", None)):
            raise InvalidParameterError(
                f"refit=False calibrates with update(y, X), which {type(self.model).__name__} does not have; "
                "use refit=True (its refits on the calibration windows are vectorised over series)."
            )
        horizon = self._calibration_horizon(p["horizon"])
        step = horizon if p["step"] is None else p["step"]
        return levels, n_windows, pooling_for(self.model, pooling), refit, horizon, step

    def _calibration_horizon(self, horizon: int | None) -> int:
        """``horizon`` (already checked), else the wrapped model's ``n_steps_out``."""
        if horizon is not None:
            return horizon
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
        with kept_on_failure(self):
            levels, n_windows, pooling, refit, horizon, step = self._check_params()
            self._check_no_covariates(X)
            self.model_ = clone(self.model).fit(y, X)
            # Gaps kept: each calibration window repairs its own training rows and is scored
            # on observed values only (see _cut).
            panel = as_panel(y, "y", keep_missing=getattr(self.model, "fill", None) is not None,
                             on_short=getattr(self.model, "on_short", "raise"))
            return self._calibrate(panel, X, levels, n_windows, pooling, refit, horizon, step)

    def _remember_series(self, panel) -> None:
        self._fit_panel(panel)  # the series, their form and time axis: the wrapper's output

    # -- prediction ---------------------------------------------------------------
    def _check_predict_horizon(self, horizon) -> int:
        """The horizon of intervals or quantiles: at most the steps calibrated (point
        forecasts are the model's own and take any horizon it does)."""
        h = self._check_horizon(horizon, default=self.horizon_)
        if h > self.horizon_:
            raise InvalidParameterError(
                f"horizon={h} exceeds the {self.horizon_} steps the intervals were calibrated for; "
                f"set ConformalIntervals(horizon={h}) and fit again (point forecasts, predict({h}), need "
                "no calibration)."
            )
        return h

    def declared_covariates(self) -> tuple[list, list]:
        """Those of the wrapped model."""
        return self.model.declared_covariates()

    def min_train_length(self) -> int:
        """That of the wrapped model (its calibration windows need more: see :meth:`fit`)."""
        return self.model.min_train_length()

    def target_columns(self, columns) -> list:
        """Those of the wrapped model."""
        return self.model.target_columns(columns)

    def predict(self, horizon=None, X=None):
        """The wrapped model's point forecasts (see its ``predict``), for any horizon the
        model takes: only intervals and quantiles are limited to the steps calibrated."""
        check_is_fitted(self)
        h = self._check_horizon(horizon, default=self.horizon_)
        return self.model_.predict(h) if X is None else self.model_.predict(h, X=X)

    def _point_array(self, horizon, X) -> np.ndarray:
        return self._point(self._check_horizon(horizon, default=self.horizon_), X)

    def _point(self, horizon: int, X) -> np.ndarray:
        return self.model_.forecast_arrays(horizon, X).point

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
        wrapper's own. See :meth:`tsforecast.forecasters.base.BaseForecaster.predict_interval`.
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
