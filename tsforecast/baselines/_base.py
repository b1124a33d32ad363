"""``LocalForecaster``: the shared machinery of baselines that fit one small model per series.

A subclass says how to fit one series (:meth:`LocalForecaster._fit_one`, returning a
small dict of numbers: the *state*) and how to forecast from a state
(:meth:`LocalForecaster._forecast`); everything else (input forms, panels,
multivariate targets, joblib over series, fallbacks with warnings, quantiles) lives
here. Each target column of each series is fitted on its own.

Failures: when fitting a series raises (an optimiser that diverges, a model that
cannot be estimated) or gives non-finite forecasts, the subclass' simpler
:meth:`LocalForecaster._fallback_one` is used and a :class:`FallbackWarning` names the
series, the reason and the fallback; the rest of the panel is unaffected. Warnings are
raised in the calling process, also when ``n_jobs`` runs fits in worker processes.
"""

from __future__ import annotations

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy.stats import norm
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..core.fallbacks import series_label, warn_fallback
from ..core.params import Check, Options, validate_params
from ..core.silencing import silenced
from ..core.validation import FILL_POLICIES, check_int
from ..core.window_features import check_panel_magnitude
from ..exceptions import InsufficientDataError, InvalidParameterError
from ..forecasters.base import DEFAULT_QUANTILES, BaseForecaster, check_quantiles, kept_on_failure, quantile_column

__all__ = ["LocalForecaster", "DEFAULT_QUANTILES"]

#: Below this many series a panel is fitted in the calling process even if n_jobs > 1:
#: starting worker processes costs more than these models' fits.
_MIN_SERIES_PER_JOB = 8


def check_n_jobs(value, name: str = "n_jobs") -> int | None:
    """``n_jobs`` as joblib takes it: a positive int, a negative int (-1: all cores) or None."""
    if value is None:
        return None
    value = check_int(value, name)
    if value == 0:
        raise InvalidParameterError(f"{name} must be a positive int, a negative int (-1: all cores) or None; "
                                    f"got {value}.")
    return value


def map_chunks(function, items: list, n_jobs) -> list:
    """``function`` over ``items`` cut into at most ``n_jobs`` contiguous chunks (of at
    least ``_MIN_SERIES_PER_JOB`` items), one joblib task per chunk, never one per item;
    ``function`` takes a list and returns one result per item, kept in order."""
    n_chunks = min(effective_n_jobs(n_jobs), len(items) // _MIN_SERIES_PER_JOB)
    if n_chunks <= 1:
        return function(items)
    bounds = np.linspace(0, len(items), n_chunks + 1).astype(int)
    parts = Parallel(n_jobs=n_chunks)(delayed(function)(items[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:]))
    return [result for part in parts for result in part]


class LocalForecaster(BaseForecaster):
    """Base class of per-series baselines (not used directly).

    Subclasses define ``__init__`` (storing ``n_jobs``, ``fill``, ``on_short`` and their own parameters),
    ``_parameter_constraints`` (these three and their own), :meth:`_fit_one`, :meth:`_forecast`, and optionally
    :meth:`_fit_batch` (to fit many series at once), :meth:`_fallback_one`,
    :meth:`_forecast_std` (with ``supports_quantiles = True``) and ``fallback_name``.
    """

    #: The model used when a fit fails, named in the FallbackWarning.
    fallback_name: str = "Naive"
    #: Fits and forecasts whole panels as arrays (``_predict``): a backtest gives it
    #: chunks of many series at once, cut at their cutoffs, instead of one series a task.
    computes_on_panel: bool = True

    #: The arguments every baseline takes; subclasses add their own to these.
    _parameter_constraints: dict = {
        "n_jobs": Check(check_n_jobs),
        "fill": Options(FILL_POLICIES),
        "on_short": Options(("raise", "skip")),
    }

    # -- hooks ------------------------------------------------------------------
    def _check_params(self) -> None:
        """Validate the constructor parameters (called first in ``fit``): the declared
        ``_parameter_constraints``; subclasses add rules that tie several together."""
        validate_params(self)

    def _min_length(self) -> int:
        """The fewest observations a series needs (shorter ones raise)."""
        return 1

    def min_train_length(self) -> int:
        """The fewest values a series needs: :meth:`_min_length`, the hook subclasses
        override."""
        return self._min_length()

    def _fit_one(self, x: np.ndarray) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def _fit_batch(self, series: list[np.ndarray]) -> list:
        """Fit many series; override to vectorise.

        Returns one entry per series: its state, or the exception that stopped its fit
        (that series then falls back; the others keep their fits).
        """
        states = []
        for x in series:
            try:
                states.append(self._fit_one(x))
            except Exception as error:  # noqa: BLE001 - one series must never sink a panel
                states.append(error)
        return states

    def _fallback_one(self, x: np.ndarray) -> dict:
        """The simpler model used when the fit fails: the last value (naive)."""
        return {"fallback": True, "last": float(x[-1]), "sigma": _naive_sigma(x)}

    def _forecast_fallback(self, state: dict, horizon: int) -> np.ndarray:
        return np.full(horizon, state["last"])

    def _std_fallback(self, state: dict, horizon: int) -> np.ndarray:
        return state["sigma"] * np.sqrt(np.arange(1, horizon + 1))

    def _point(self, state: dict, horizon: int) -> np.ndarray:
        if state.get("fallback"):
            return self._forecast_fallback(state, horizon)
        return self._forecast(state, horizon)

    def _std(self, state: dict, horizon: int) -> np.ndarray:
        if state.get("fallback"):
            return self._std_fallback(state, horizon)
        return self._forecast_std(state, horizon)

    def _forecast(self, state: dict, horizon: int) -> np.ndarray:  # pragma: no cover - overridden
        raise NotImplementedError

    def _forecast_std(self, state: dict, horizon: int) -> np.ndarray:  # pragma: no cover
        """Standard deviation of the forecast errors at steps 1..horizon (for quantiles)."""
        raise NotImplementedError

    # -- whole columns of a panel (vectorised subclasses override these three) -----
    def _fit_column(self, x: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> dict:
        """Fit every series ``x[starts[i]:ends[i]]``; returns the state as arrays or lists
        with one entry per series. ``"reason"`` (optional) holds, per series, why it
        fell back (``None`` where it did not), ``"note"`` a remark to warn about.

        This default fits series one by one with :meth:`_fit_one` (in ``n_jobs``
        chunks of many series); vectorised subclasses compute all series at once.
        """
        states = self._fit_all(self._column_items(x, starts, ends))
        return {"objects": states,
                "reason": [s.get("fallback_reason") for s in states],
                "model": [s.get("fallback_model") for s in states],
                "note": [s.get("note") for s in states]}

    def _column_items(self, x: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> list:
        """What :meth:`_fit_one` and :meth:`_fallback_one` take, one item per series
        (the series itself here; a model with regressors adds them)."""
        return [x[lo:hi] for lo, hi in zip(starts.tolist(), ends.tolist())]

    def _forecast_column(self, state: dict, horizon: int) -> np.ndarray:
        """Point forecasts ``[series, horizon]`` from a column's state (one BLAS thread, as in fits)."""
        with threadpool_limits(limits=1, user_api="blas"):
            return np.stack([self._point(s, horizon) for s in state["objects"]])

    def _quantile_column(self, state: dict, horizon: int, z: np.ndarray) -> np.ndarray:
        """Quantile forecasts ``[series, horizon, len(z)]`` (normal by default)."""
        if "objects" in state:
            with threadpool_limits(limits=1, user_api="blas"):
                return np.stack([self._quantiles(s, horizon, z) for s in state["objects"]])
        mean = self._forecast_column(state, horizon)
        return mean[:, :, None] + self._std_column(state, horizon)[:, :, None] * z[None, None, :]

    def _std_column(self, state: dict, horizon: int) -> np.ndarray:  # pragma: no cover - overridden
        """Forecast standard deviations ``[series, horizon]`` (vectorised subclasses)."""
        raise NotImplementedError

    # -- fitting ------------------------------------------------------------------
    def fit(self, y, X=None):
        """Fit one model per series (and per target column) of ``y``.

        Parameters
        ----------
        y : Series, DataFrame, panel DataFrame or dict
            One series or many (see :mod:`tsforecast.core.forms`).
        X : None
            Baselines use no covariates; anything else raises.

        Returns
        -------
        self
        """
        with kept_on_failure(self):
            self._check_no_covariates(X)
            self._check_params()
            panel = self._fit_panel(y, min_length=self._min_length(), fill=self.fill, on_short=self.on_short)
            self._fit_columns(panel)
            return self

    def _fit_columns(self, panel) -> None:
        """Fit every target column of ``panel`` into ``states_``, warning about fallbacks."""
        # sums of squares (ETS, ARIMA, the MASE scale) overflow beyond it: refused, as the LSTM does
        check_panel_magnitude(panel)
        columns = []
        with silenced():  # optimiser chatter; our own warnings are raised below
            for j in range(len(panel.columns)):
                x = np.ascontiguousarray(panel.values[:, j])
                columns.append(self._fit_column(x, panel.starts, panel.ends))
        self._warn_fallbacks(panel, columns)
        self.states_ = columns

    def _warn_fallbacks(self, panel, columns: list) -> None:
        """One FallbackWarning per series (and target) that fell back or has a note."""
        multi = len(panel.columns) > 1
        ids = panel.ids
        for column, state in zip(panel.columns, columns):
            for kind in ("note", "reason"):
                flags = state.get(kind)
                if flags is None:
                    continue
                for i in np.flatnonzero([f is not None for f in flags]):
                    label = f"{series_label(ids[i])}/{column}" if multi else series_label(ids[i])
                    text = flags[i]
                    if kind == "note":
                        message = f"{type(self).__name__}, series {label!r}: {text}"
                    else:
                        model = state.get("model", [self.fallback_name] * len(ids))[i] or self.fallback_name
                        message = (f"{type(self).__name__} could not be fitted on series {label!r} ({text}); "
                                   f"{model} is used for it instead.")
                    warn_fallback(message)

    def _fit_all(self, series: list[np.ndarray]) -> list[dict]:
        return map_chunks(self._fit_chunk, series, self.n_jobs)

    def _fit_chunk(self, series: list[np.ndarray]) -> list[dict]:
        """Fit a chunk of series, replacing failed or unusable fits by the fallback model.

        BLAS runs on one thread here: these fits are many small problems, where BLAS
        threads only fight each other and other processes for the cores (on 2 busy cores
        statsmodels' ETS took 4x as long with BLAS free).
        """
        # optimiser chatter silenced; our own warnings are raised by fit
        with silenced(), threadpool_limits(limits=1, user_api="blas"):
            try:
                states = self._fit_batch(series)
            except Exception:  # noqa: BLE001 - a vectorised fit failed: redo it series by series
                states = LocalForecaster._fit_batch(self, series)
            return [self._checked(x, state) for x, state in zip(series, states)]

    def _checked(self, x: np.ndarray, state) -> dict:
        if isinstance(state, dict):
            try:
                if self._is_usable(state):
                    return state
                reason = "the fitted model gives non-finite forecasts"
            except Exception as error:  # noqa: BLE001
                reason = f"{type(error).__name__}: {error}"
        else:
            reason = f"{type(state).__name__}: {state}"
        state = self._fallback_one(x)
        state.update(fallback_reason=reason, fallback_model=self.fallback_name)
        return state

    def _is_usable(self, state: dict) -> bool:
        return bool(np.all(np.isfinite(self._point(state, 2))))

    # -- prediction -------------------------------------------------------------
    def _predict(self, horizon: int) -> np.ndarray:
        """Point forecasts ``[series, horizon, targets]``."""
        return np.stack([self._forecast_column(state, horizon) for state in self.states_], axis=-1)

    def predict(self, horizon=None, X=None):
        """Forecast ``horizon`` steps after the end of each series.

        Returns
        -------
        pandas object
            Indexed by the future timestamps, in the form ``y`` was given to ``fit``.
        """
        return self._output(self.forecast_arrays(horizon, X).point, self.target_names_)

    def _point_array(self, horizon, X) -> np.ndarray:
        self._check_no_covariates(X)
        return self._predict(self._check_horizon(horizon))

    def _predict_quantile_array(self, horizon: int, levels: tuple) -> np.ndarray:
        """Quantile forecasts ``[series, horizon, targets * quantiles]`` (target-major)."""
        z = norm.ppf(levels)
        blocks = [self._quantile_column(state, horizon, z) for state in self.states_]
        bands = np.concatenate(blocks, axis=-1)
        self._check_spread(bands)
        return bands

    #: What the spread of a forecast is estimated from, and the fewest values that leave
    #: something to estimate it with (:meth:`_check_spread`); models that fit more from
    #: the same values need more.
    _spread_source: str = "one-step changes"
    _spread_values: int = 2

    def _check_spread(self, bands: np.ndarray) -> None:
        """Refuse quantiles of series too short to estimate a spread from: a random walk's
        (Naive, SeasonalNaive, Naive2 and every fallback) comes from one-step changes, which
        one value does not have; Drift's from the changes around a slope fitted to them
        too, and so on. Their spread is NaN, and so were their bounds, without a word
        (before that, of zero width: certainty); the point forecasts (``predict``) stay defined."""
        undefined = np.isnan(bands).any(axis=(1, 2)) & (np.asarray(self.n_obs_) < self._spread_values)
        if undefined.any():
            raise self._spread_refusal(undefined)

    def _spread_refusal(self, short: np.ndarray) -> InsufficientDataError:
        """The error refusing quantiles of the fitted series of the mask ``short``."""
        lengths = np.asarray(self.n_obs_)
        ids = np.asarray(self.series_ids_, dtype=object)[short]
        more = f" and {ids.size - 5} others" if ids.size > 5 else ""
        return InsufficientDataError(
            f"{type(self).__name__} cannot give quantiles or intervals for series {ids[:5].tolist()!r}{more}: they "
            f"have {lengths[short][:5].tolist()} value(s), and the spread of a forecast is estimated from "
            f"{self._spread_source}, which need at least {self._spread_values} values. Their point forecasts "
            "(predict) are defined; for intervals give those series more values or leave them out.")

    def too_short_for_spread(self) -> dict:
        """The fitted series too short for quantiles or intervals, each with the error it
        raises alone: the spread of each series is its own, so the others keep theirs
        without being fitted again (a backtest blanks only these series' bounds).

        Returns
        -------
        dict
            ``{series id: InsufficientDataError}``, empty where every series is long enough.

        Examples
        --------
        >>> import pandas as pd
        >>> from tsforecast.baselines import Drift
        >>> panel = pd.DataFrame({"unique_id": ["a"] * 2 + ["b"] * 4, "ds": [0, 1, 0, 1, 2, 3],
        ...                       "y": [1.0, 2.0, 1.0, 3.0, 2.0, 4.0]})
        >>> list(Drift().fit(panel).too_short_for_spread())
        ['a']
        """
        check_is_fitted(self)
        short = np.asarray(self.n_obs_) < self._spread_values
        every = np.arange(short.size)
        return {self.series_ids_[i]: self._spread_refusal(every == i) for i in np.flatnonzero(short).tolist()}

    def _predict_quantiles(self, horizon, X, quantiles):
        """Normal quantiles ``forecast + z_q * std`` (see each class for its ``std``)."""
        self._check_no_covariates(X)
        h = self._check_horizon(horizon)
        levels = check_quantiles(DEFAULT_QUANTILES if quantiles is None else quantiles)
        single = len(self.target_names_) == 1
        columns = [quantile_column(q) if single else f"{target}_{quantile_column(q)}"
                   for target in self.target_names_ for q in levels]
        return self._output(self._predict_quantile_array(h, levels), columns)

    def _interval_arrays(self, horizon, X, quantiles):
        self._check_no_covariates(X)
        h = self._check_horizon(horizon)
        bands = self._predict_quantile_array(h, quantiles)
        return self._predict(h), bands.reshape(bands.shape[0], h, len(self.target_names_), len(quantiles))

    def _quantiles(self, state: dict, horizon: int, z: np.ndarray) -> np.ndarray:
        mean = self._point(state, horizon)
        std = self._std(state, horizon)
        return mean[:, None] + std[:, None] * z[None, :]


def _naive_sigma(x: np.ndarray) -> float:
    """Residual standard deviation of the random walk (one-step differences; NaN for one
    value, which gives no spread to estimate)."""
    return float(np.sqrt(np.mean(np.diff(x) ** 2))) if x.size > 1 else float("nan")

