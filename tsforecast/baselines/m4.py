"""The statistical benchmarks of the M4 competition: Naive2, SES, Holt, Damped, Theta, Comb.

They follow the competition's R code (``Benchmarks and Evaluation.R``) step by step:

1. When ``season_length > 1`` the series is tested for seasonality (90% autocorrelation
   test, skipped when it has fewer than ``3 * season_length`` values) and, if seasonal,
   divided by its classical multiplicative seasonal indices
   (:mod:`tsforecast.baselines.seasonality`).
2. A non-seasonal model forecasts the adjusted series: the last value (Naive2),
   exponential smoothing fitted by MSE (SES, Holt, Damped; see
   :mod:`tsforecast.baselines._smoothing` for how the R fits are reproduced), or the
   classic Theta method (mean of the linear trend and SES on ``2x - trend``, negative
   forecasts set to 0); Comb averages SES, Holt and Damped.
3. The forecast is multiplied by the last ``season_length`` indices, repeated.

Documented departures, for inputs M4 never has:

- a seasonal series with a zero or negative value is decomposed additively
  (indices subtracted and added back), with a :class:`FallbackWarning` naming it;
- Theta sets negative forecasts to 0 only when the series has no negative value;
- a series whose fit fails or gives non-finite forecasts gets Naive2 (the last value
  of its adjusted series, re-seasonalised) with a :class:`FallbackWarning` naming it.

Quantiles (Naive2, SES, Holt, Damped) are normal with the ETS forecast variances of the
adjusted series (``sigma^2`` = SSE / (n - number of fitted parameters)), scaled by the
seasonal indices: an approximation that ignores the uncertainty of the indices.

Examples
--------
>>> import numpy as np, pandas as pd
>>> y = pd.Series(10 + np.sin(np.arange(120) * 2 * np.pi / 12) + np.arange(120) * 0.05)
>>> forecast = Theta(season_length=12).fit(y).predict(12)
>>> forecast.index[0], bool(forecast.between(9, 18).all())
(120, True)
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int
from ._base import LocalForecaster, _naive_sigma
from ._smoothing import fit_linear, fit_ses_batch, linear_forecast, variance_factors
from .seasonality import deseasonalize, reseasonalize

__all__ = ["Naive2", "SES", "Holt", "Damped", "Theta", "Comb"]


class _M4Benchmark(LocalForecaster):
    """Seasonal adjustment around a non-seasonal core model (subclasses define the core)."""

    fallback_name = "Naive2"

    def __init__(self, season_length: int = 1, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.season_length = season_length
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _check_params(self):
        check_int(self.season_length, "season_length", minimum=1)

    # -- the core model on the adjusted series (overridden) -----------------------
    def _fit_core_batch(self, adjusted: list[np.ndarray]) -> list:
        """Fit the core on every adjusted series; a failure is returned as its exception."""
        states = []
        for a in adjusted:
            try:
                states.append(self._fit_core(a))
            except Exception as error:  # noqa: BLE001 - that series falls back, the others stand
                states.append(error)
        return states

    def _fit_core(self, adjusted: np.ndarray) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def _core_forecast(self, state: dict, horizon: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _core_std(self, state: dict, horizon: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    # -- LocalForecaster hooks ----------------------------------------------------
    def _adjust(self, x: np.ndarray) -> tuple[np.ndarray, dict]:
        adjusted, tail, kind = deseasonalize(x, self.season_length)
        extra = {"season": tail, "kind": kind}
        if kind == "additive":
            extra["note"] = ("seasonal with a value <= 0, so multiplicative decomposition is impossible; "
                             "it was decomposed additively instead")
        return adjusted, extra

    def _fit_batch(self, series):
        adjusted, extras = zip(*(self._adjust(x) for x in series))
        cores = self._fit_core_batch(list(adjusted))
        return [core if isinstance(core, Exception) else {**core, **extra} for core, extra in zip(cores, extras)]

    def _fit_one(self, x):
        state = self._fit_batch([x])[0]
        if isinstance(state, Exception):
            raise state
        return state

    def _fallback_one(self, x):
        adjusted, extra = self._adjust(x)
        return {"fallback": True, "last": float(adjusted[-1]), "sigma": _naive_sigma(adjusted), **extra}

    def _forecast(self, state, horizon):
        return reseasonalize(self._core_forecast(state, horizon), state["season"], state["kind"])

    def _forecast_std(self, state, horizon):
        std = self._core_std(state, horizon)
        return reseasonalize(std, state["season"], state["kind"]) if state["kind"] == "multiplicative" else std

    def _forecast_fallback(self, state, horizon):
        return reseasonalize(np.full(horizon, state["last"]), state["season"], state["kind"])

    def _std_fallback(self, state, horizon):
        std = state["sigma"] * np.sqrt(np.arange(1, horizon + 1))
        return reseasonalize(std, state["season"], state["kind"]) if state["kind"] == "multiplicative" else std


def _sigma(state: dict, n: int) -> float:
    dof = max(n - state["n_params"], 1)
    return float(np.sqrt(state["sse"] / dof))


class Naive2(_M4Benchmark):
    """M4's Naive2: the last value of the seasonally adjusted series, re-seasonalised.

    Parameters
    ----------
    season_length : int
        The seasonal period ``m`` (M4: 24 hourly, 1 weekly); 1 switches seasonality off.
    n_jobs : int, optional
        Processes for fitting a panel (joblib convention; ``None`` means 1).

    Examples
    --------
    >>> import pandas as pd
    >>> Naive2().fit(pd.Series([3.0, 1.0, 2.0])).predict(2).tolist()
    [2.0, 2.0]
    """

    supports_quantiles = True

    def _fit_core(self, adjusted):
        return {"last": float(adjusted[-1]), "sigma": _naive_sigma(adjusted)}

    def _core_forecast(self, state, horizon):
        return np.full(horizon, state["last"])

    def _core_std(self, state, horizon):
        return state["sigma"] * np.sqrt(np.arange(1, horizon + 1))


class SES(_M4Benchmark):
    """M4's SES: simple exponential smoothing fitted by MSE on the adjusted series.

    ``alpha`` in ``[1e-4, 0.9999]`` and the initial level are optimised (the official M4
    SES forecasts are reproduced; see :mod:`tsforecast.baselines._smoothing`).

    Parameters
    ----------
    season_length : int
        The seasonal period ``m``; 1 switches seasonality off.
    n_jobs : int, optional
        Processes for fitting a panel.

    Examples
    --------
    >>> import pandas as pd
    >>> model = SES().fit(pd.Series([10.0, 12.0, 11.0, 13.0, 12.0, 12.5]))
    >>> 0 < model.states_["series"][0]["alpha"] < 1
    True
    """

    supports_quantiles = True

    def _fit_core_batch(self, adjusted):
        return [{**state, "n": a.size} for state, a in zip(fit_ses_batch(adjusted), adjusted)]

    def _core_forecast(self, state, horizon):
        return np.full(horizon, state["level"])

    def _core_std(self, state, horizon):
        return _sigma(state, state["n"]) * np.sqrt(variance_factors(state["alpha"], 0.0, 1.0, horizon))


class Holt(_M4Benchmark):
    """M4's Holt: Holt's linear trend method (ETS AAN) fitted by MSE on the adjusted series.

    Parameters are fitted by a port of R's Nelder-Mead from ``ets``' starting point, which
    is what reproduces the published figures (see :mod:`tsforecast.baselines._smoothing`).

    Parameters
    ----------
    season_length : int
        The seasonal period ``m``; 1 switches seasonality off.
    n_jobs : int, optional
        Processes for fitting a panel.

    Examples
    --------
    >>> import pandas as pd
    >>> Holt().fit(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).predict(2).round(3).tolist()
    [7.0, 8.0]
    """

    supports_quantiles = True
    _damped = False

    def _fit_core(self, adjusted):
        return {**fit_linear(adjusted, damped=self._damped), "n": adjusted.size}

    def _core_forecast(self, state, horizon):
        return linear_forecast(state["level"], state["trend"], state["phi"], horizon)

    def _core_std(self, state, horizon):
        factors = variance_factors(state["alpha"], state["beta"], state["phi"], horizon)
        return _sigma(state, state["n"]) * np.sqrt(factors)


class Damped(Holt):
    """M4's Damped: damped-trend exponential smoothing (ETS AAdN, ``phi`` in [0.8, 0.98]).

    Parameters
    ----------
    season_length : int
        The seasonal period ``m``; 1 switches seasonality off.
    n_jobs : int, optional
        Processes for fitting a panel.

    Examples
    --------
    >>> import pandas as pd
    >>> forecast = Damped().fit(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).predict(20)
    >>> bool(forecast.diff().iloc[-1] < forecast.diff().iloc[1])  # the trend fades
    True
    """

    _damped = True


class Theta(_M4Benchmark):
    """M4's classic Theta: mean of the linear trend line and SES on ``2x - line``.

    Parameters
    ----------
    season_length : int
        The seasonal period ``m``; 1 switches seasonality off.
    n_jobs : int, optional
        Processes for fitting a panel.

    Examples
    --------
    >>> import pandas as pd
    >>> Theta().fit(pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])).predict(1).round(2).tolist()
    [6.5]
    """

    def _fit_core_batch(self, adjusted):
        lines = []
        for a in adjusted:
            t = np.arange(1.0, a.size + 1)
            slope, intercept = np.polyfit(t, a, 1) if a.size > 1 else (0.0, float(a[0]))
            lines.append((float(slope), float(intercept), a.size, bool(np.all(a >= 0))))
        theta_lines = [2 * a - (intercept + slope * np.arange(1.0, n + 1))
                       for a, (slope, intercept, n, _) in zip(adjusted, lines)]
        return [{"slope": slope, "intercept": intercept, "n": n, "clip": clip, "level": ses["level"],
                 "alpha": ses["alpha"]}
                for (slope, intercept, n, clip), ses in zip(lines, fit_ses_batch(theta_lines))]

    def _core_forecast(self, state, horizon):
        t = state["n"] + np.arange(1.0, horizon + 1)
        forecast = 0.5 * state["level"] + 0.5 * (state["intercept"] + state["slope"] * t)
        return np.maximum(forecast, 0.0) if state["clip"] else forecast


class Comb(_M4Benchmark):
    """M4's Comb: the mean of the SES, Holt and Damped forecasts.

    Parameters
    ----------
    season_length : int
        The seasonal period ``m``; 1 switches seasonality off.
    n_jobs : int, optional
        Processes for fitting a panel.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    >>> Comb().fit(y).predict(1).round(2).tolist()[0] > 6
    True
    """

    _parts = (SES, Holt, Damped)

    def _fit_core_batch(self, adjusted):
        parts = [part()._fit_core_batch(adjusted) for part in self._parts]
        return [next((p for p in combo if isinstance(p, Exception)), None) or {"parts": list(combo)}
                for combo in zip(*parts)]

    def _core_forecast(self, state, horizon):
        forecasts = [part()._core_forecast(s, horizon) for part, s in zip(self._parts, state["parts"])]
        return np.mean(forecasts, axis=0)
