"""Conformal intervals on demand: a fitted forecaster calibrated on the data it was fitted on.

:meth:`tsforecast.forecasters.base.BaseForecaster.predict_interval` comes here with
``method="conformal"``, and with ``method="auto"`` for a model without a forecast
distribution of its own. It runs the calibration of
:class:`~tsforecast.forecasters.intervals.ConformalIntervals` (walk-forward windows inside the
training data, per-step split-conformal quantiles, pooled over series for global
models) around the model already fitted, so there is no second final fit, and the
bounds equal those of ``ConformalIntervals(model, levels, horizon=h, n_windows=n,
refit=...).fit(y)`` exactly.

Only the training data is read: the model keeps a reference to the validated panel of
its latest ``fit`` or ``update`` (``_training_panel_``, no second copy; the panel owns
its values, never a view of the user's data, so changing that data in place after ``fit``
changes nothing here), and every calibration window ends inside it.

The calibration (the conformity scores, which do not depend on the levels) is cached on
the model in ``_conformal_cache_``, one entry per ``(horizon, n_windows, refit)``: other
levels reuse it; ``fit`` and ``update`` clear it. A model file keeps the cache but not the
training panel (a model file holds no training data), so a loaded model answers the
calibrations made before it was saved and refuses others with an error saying so. A
model that needs covariates from ``X`` cannot be calibrated on its training data at all,
loaded or not: the error says to wrap it in ``ConformalIntervals`` instead.
"""

from __future__ import annotations

from ..core.validation import check_int
from ..exceptions import InvalidParameterError
from .conformal import Calibrator, pooling_for

__all__ = ["INTERVAL_METHODS", "DEFAULT_CALIBRATION_WINDOWS", "can_give_intervals", "calibration_refits",
           "conformal_interval_arrays", "uses_conformal"]

#: The ``method`` values of ``predict_interval``.
INTERVAL_METHODS = ("auto", "model", "conformal")
#: Calibration windows per series when ``n_windows`` is not given (ConformalIntervals' default).
DEFAULT_CALIBRATION_WINDOWS = 20
#: The attributes of a calibrated ConformalIntervals that make up a cache entry.
_STATE = ("scores_", "scale_", "n_calibration_windows_", "pooling_", "horizon_")


def uses_conformal(model, method: str) -> bool:
    """Whether ``predict_interval(method=method)`` calibrates conformally for ``model``
    (``method`` already checked): asked for, or ``"auto"`` without a distribution."""
    return method == "conformal" or (method == "auto" and not model.supports_quantiles)


def can_give_intervals(model) -> bool:
    """Whether ``predict_interval`` of the fitted ``model`` has a source of bounds: its own
    distribution, the training data to calibrate on, or calibrations saved with it."""
    return bool(getattr(model, "supports_quantiles", False) or getattr(model, "_training_panel_", None) is not None
                or getattr(model, "_conformal_cache_", None))


def calibration_refits(model) -> bool:
    """``refit`` of the calibration: False (one fit, then ``update`` per window) for a
    global model with ``update``, whose refits are the expensive ones (a network);
    True (a fit per window, vectorised over series) for the rest."""
    return not (callable(getattr(model, "update", None)) and getattr(model, "fits_globally", False))


def conformal_interval_arrays(model, horizon, X, quantiles, levels, n_windows) -> tuple:
    """Point forecasts ``[series, horizon, targets]`` and conformal ``quantiles`` of them
    ``[series, horizon, targets, quantiles]`` for the fitted ``model``.

    ``horizon`` defaults to the model's ``n_steps_out_`` where it has one; ``n_windows``
    (None: :data:`DEFAULT_CALIBRATION_WINDOWS`) as in ConformalIntervals.
    """
    h = model._check_horizon(horizon, default=getattr(model, "n_steps_out_", None))
    n_windows = DEFAULT_CALIBRATION_WINDOWS if n_windows is None else check_int(n_windows, "n_windows", minimum=1)
    calibration = _calibration(model, h, n_windows, calibration_refits(model), levels)
    point = model.forecast_arrays(h, X).point
    return point, calibration._bounds(point, quantiles)


def _calibration(model, horizon: int, n_windows: int, refit: bool, levels) -> Calibrator:
    """The calibration around the fitted ``model`` (that of a ConformalIntervals with
    these settings and ``pooling="auto"``), computed once per settings."""
    calibrator = Calibrator(model, n_windows, pooling_for(model, "auto"))
    key = f"horizon={horizon},n_windows={n_windows},refit={refit}"
    cache = getattr(model, "_conformal_cache_", None)
    if cache and key in cache:
        calibrator.series_ids_, calibrator.target_names_ = model.series_ids_, model.target_names_
        for name in _STATE:
            setattr(calibrator, name, cache[key][name])
        calibrator._check_levels_calibrated(levels)  # the same errors and warnings as a first call
        return calibrator
    panel = _training_panel(model, key, cache)
    try:
        calibrator._calibrate(panel, None, levels, n_windows, calibrator.pooling, refit, horizon, horizon)
    finally:
        # Cached also when the levels asked for cannot be calibrated (too few windows):
        # lower levels need no new refits.
        if hasattr(calibrator, "horizon_"):
            model._conformal_cache_ = {**(cache or {}), key: {name: getattr(calibrator, name) for name in _STATE}}
    return calibrator


def _training_panel(model, key: str, cache):
    """The panel ``model`` was fitted on, or an error saying why it cannot serve."""
    panel = getattr(model, "_training_panel_", None)
    # first: a model that needs X is told to wrap, loaded or not ("fit it again" cannot help)
    _check_no_covariates_needed(model, panel)
    if panel is not None:
        return panel
    name = type(model).__name__
    known = sorted(cache) if cache else []
    raise InvalidParameterError(
        f"{name} keeps no training data to calibrate conformal intervals with {key} on (a model file does "
        f"not hold it; calibrations saved with this model: {known or 'none'}). Fit it again, call "
        f"predict_interval(method='conformal') with those settings before saving, or save a fitted "
        f"ConformalIntervals({name}(...)) instead (`tsforecast fit --levels`)."
    )


def _check_no_covariates_needed(model, panel) -> None:
    """Refuse a model that needs covariates the training panel lacks: they were given
    as ``X`` to ``fit``, which the model does not keep. Without the panel (a loaded
    model) only the future covariates are known to come from ``X``: past ones may be
    columns of ``y``."""
    future = list(getattr(model, "future_covariates_", None) or [])
    columns = panel.columns if panel is not None else None
    past = [c for c in getattr(model, "past_covariates_", None) or [] if columns is not None and c not in columns]
    if future or past:
        name = type(model).__name__
        raise InvalidParameterError(
            f"{name} uses covariates {future + past!r} from X, which the fitted model does not keep, so "
            f"method='conformal' cannot calibrate on its training data; wrap it instead: "
            f"ConformalIntervals({name}(...), levels=..., horizon=...).fit(y, X)."
        )
