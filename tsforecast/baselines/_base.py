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

import warnings

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from scipy.stats import norm
from sklearn.utils.validation import check_is_fitted

from .._validation import FILL_POLICIES, check_choice, check_int
from ..base import BaseForecaster, check_quantiles, quantile_column
from ..exceptions import FallbackWarning, InvalidParameterError
from ..panel import InputForm

__all__ = ["LocalForecaster", "DEFAULT_QUANTILES"]

#: Quantiles returned by ``predict_quantiles`` when none are given.
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)
#: Fitted attributes saved by ``tsforecast.save`` (besides ``input_form_``).
_FITTED = ("series_ids_", "target_names_", "n_series_", "_last_index_", "states_")
#: Below this many series a panel is fitted in the calling process even if n_jobs > 1:
#: starting worker processes costs more than these models' fits.
_MIN_SERIES_PER_JOB = 8


class LocalForecaster(BaseForecaster):
    """Base class of per-series baselines (not used directly).

    Subclasses define ``__init__`` (storing ``n_jobs``, ``fill``, ``on_short`` and their own parameters),
    :meth:`_check_params`, :meth:`_fit_one`, :meth:`_forecast`, and optionally
    :meth:`_fit_batch` (to fit many series at once), :meth:`_fallback_one`,
    :meth:`_forecast_std` (with ``supports_quantiles = True``) and ``fallback_name``.
    """

    #: The model used when a fit fails, named in the FallbackWarning.
    fallback_name: str = "Naive"

    # -- hooks ------------------------------------------------------------------
    def _check_params(self) -> None:
        """Validate the constructor parameters (called first in ``fit``)."""

    def _min_length(self) -> int:
        """The fewest observations a series needs (shorter ones raise)."""
        return 1

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

    # -- fitting ------------------------------------------------------------------
    def fit(self, y, X=None):
        """Fit one model per series (and per target column) of ``y``.

        Parameters
        ----------
        y : Series, DataFrame, panel DataFrame or dict
            One series or many (see :mod:`tsforecast.panel`).
        X : None
            Baselines use no covariates; anything else raises.

        Returns
        -------
        self
        """
        self._check_no_covariates(X)
        self._check_shared_params()
        self._check_params()
        frames = self._fit_frames(y, min_length=self._min_length(), fill=self.fill, on_short=self.on_short)
        labels, series = [], []
        for key, frame in frames.items():
            for column in frame.columns:
                labels.append(key if frame.shape[1] == 1 else f"{key}/{column}")
                series.append(frame[column].to_numpy(dtype=np.float64))
        states = self._fit_all(series)
        for label, state in zip(labels, states):
            if state.get("note"):
                warnings.warn(f"{type(self).__name__}, series {label!r}: {state['note']}", FallbackWarning,
                              stacklevel=2)
            if state.get("fallback_reason"):
                warnings.warn(
                    f"{type(self).__name__} could not be fitted on series {label!r} "
                    f"({state['fallback_reason']}); {state['fallback_model']} is used for it instead.",
                    FallbackWarning,
                    stacklevel=2,
                )
        per_series = iter(states)
        self.states_ = {key: [next(per_series) for _ in frame.columns] for key, frame in frames.items()}
        return self

    def _check_shared_params(self) -> None:
        """``n_jobs``, ``fill`` and ``on_short``, which every baseline takes."""
        if self.n_jobs is not None:
            check_int(self.n_jobs, "n_jobs")
            if self.n_jobs == 0:
                raise InvalidParameterError("n_jobs must be a positive int, a negative int (-1: all cores) or None; "
                                            "got 0.")
        check_choice(self.fill, "fill", FILL_POLICIES)
        check_choice(self.on_short, "on_short", ("raise", "skip"))

    def _fit_all(self, series: list[np.ndarray]) -> list[dict]:
        n_jobs = effective_n_jobs(self.n_jobs)
        n_chunks = min(n_jobs, len(series) // _MIN_SERIES_PER_JOB)
        if n_chunks <= 1:
            return self._fit_chunk(series)
        bounds = np.linspace(0, len(series), n_chunks + 1).astype(int)
        chunks = Parallel(n_jobs=n_chunks)(
            delayed(self._fit_chunk)(series[lo:hi]) for lo, hi in zip(bounds[:-1], bounds[1:])
        )
        return [state for chunk in chunks for state in chunk]

    def _fit_chunk(self, series: list[np.ndarray]) -> list[dict]:
        """Fit a chunk of series, replacing failed or unusable fits by the fallback model."""
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # optimiser chatter; our own warnings are raised by fit
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
    def predict(self, horizon=None, X=None):
        """Forecast ``horizon`` steps after the end of each series.

        Returns
        -------
        pandas object
            Indexed by the future timestamps, in the form ``y`` was given to ``fit``.
        """
        check_is_fitted(self, "states_")
        self._check_no_covariates(X)
        h = self._check_horizon(horizon)
        out = {
            key: self._wrap(key, h, np.column_stack([self._point(s, h) for s in states]), self.target_names_)
            for key, states in self.states_.items()
        }
        return self._restore(out)

    def _predict_quantiles(self, horizon, X, quantiles):
        """Normal quantiles ``forecast + z_q * std`` (see each class for its ``std``)."""
        self._check_no_covariates(X)
        h = self._check_horizon(horizon)
        levels = check_quantiles(DEFAULT_QUANTILES if quantiles is None else quantiles)
        z = norm.ppf(levels)
        single = len(self.target_names_) == 1
        columns = [quantile_column(q) if single else f"{target}_{quantile_column(q)}"
                   for target in self.target_names_ for q in levels]
        out = {}
        for key, states in self.states_.items():
            blocks = [self._quantiles(state, h, z) for state in states]
            out[key] = self._wrap(key, h, np.column_stack(blocks), columns)
        return self._restore(out)

    # -- persistence (tsforecast.save / load, no pickle) ----------------------------
    def _get_state(self) -> dict:
        """Parameters and the fitted per-series states (numbers and arrays only)."""
        from ..persistence import encode_value

        arrays, models = {}, {}
        params = {k: encode_value(v, arrays, models, f"param.{k}") for k, v in self.get_params(deep=False).items()}
        config = {"class": type(self).__name__, "params": params, "fitted": None}
        if hasattr(self, "states_"):
            form = self.input_form_
            fitted = {"input_form_": {"kind": form.kind, "name": form.name, "dict_values": form.dict_values}}
            fitted.update({name: getattr(self, name) for name in _FITTED})
            config["fitted"] = encode_value(fitted, arrays, models, "fitted")
        return {"config": config, "arrays": arrays, "models": models}

    @classmethod
    def _from_state(cls, config: dict, arrays: dict, models: dict):
        from ..persistence import decode_value

        params = {k: decode_value(v, arrays, models) for k, v in config["params"].items()}
        forecaster = cls(**params)
        if config.get("fitted") is not None:
            fitted = decode_value(config["fitted"], arrays, models)
            forecaster.input_form_ = InputForm(**fitted.pop("input_form_"))
            for name, value in fitted.items():
                setattr(forecaster, name, value)
        return forecaster

    def _quantiles(self, state: dict, horizon: int, z: np.ndarray) -> np.ndarray:
        mean = self._point(state, horizon)
        std = self._std(state, horizon)
        return mean[:, None] + std[:, None] * z[None, :]


def _naive_sigma(x: np.ndarray) -> float:
    """Residual standard deviation of the random walk (one-step differences)."""
    return float(np.sqrt(np.mean(np.diff(x) ** 2))) if x.size > 1 else 0.0

