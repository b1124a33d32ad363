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

import math

import numpy as np

from ..core.kernels.common import m4_deseasonalize, segment_all_nonnegative, ses_fit, theta_line
from ..core.params import Integer
from ._base import LocalForecaster, map_chunks
from ._smoothing import _SES_GRID, fit_linear, linear_forecast, variance_factors
from .naive import naive_sigma
from .seasonality import _TCRIT

__all__ = ["Naive2", "SES", "Holt", "Damped", "Theta", "Comb"]


_KINDS = ("none", "multiplicative", "additive")


class _M4Benchmark(LocalForecaster):
    """Seasonal adjustment around a non-seasonal core model (subclasses define the core).

    The core works on whole columns: :meth:`_fit_core_column` fits every adjusted
    series (vectorised where the maths allows; by default one by one with
    :meth:`_fit_core`), :meth:`_core_forecast_column` and :meth:`_core_std_column`
    forecast ``[series, horizon]``.
    """

    fallback_name = "Naive2"
    _parameter_constraints = {"season_length": Integer(minimum=1), **LocalForecaster._parameter_constraints}

    def __init__(self, season_length: int = 1, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.season_length = season_length
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    # -- the core model on the adjusted series ------------------------------------
    def _fit_core(self, adjusted: np.ndarray) -> dict:  # pragma: no cover - overridden
        raise NotImplementedError

    def _core_forecast(self, state: dict, horizon: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _core_std(self, state: dict, horizon: int) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _fit_core_column(self, adjusted: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> dict:
        """Fit the core on every adjusted series, one by one; a failure is kept as its
        reason (that series falls back, the others stand)."""
        series = [adjusted[lo:hi] for lo, hi in zip(starts.tolist(), ends.tolist())]
        return {"objects": _fit_each(self._fit_core, series, self.n_jobs)}

    def _core_forecast_column(self, core: dict, horizon: int) -> np.ndarray:
        return _stack_each(self._core_forecast, core["objects"], horizon)

    def _core_std_column(self, core: dict, horizon: int) -> np.ndarray:
        return _stack_each(self._core_std, core["objects"], horizon)

    # -- LocalForecaster hooks ----------------------------------------------------
    def _adjust_column(self, x, starts, ends):
        """Seasonally adjusted values (same layout as ``x``), the last ``m`` indices
        per series, the decomposition kind (index into ``_KINDS``) and notes."""
        adjusted, tails, kinds = m4_deseasonalize(np.ascontiguousarray(x, dtype=np.float64), starts, ends,
                                                  self.season_length, _TCRIT)
        additive = ("seasonal with a value <= 0, so multiplicative decomposition is impossible; "
                    "it was decomposed additively instead")
        m = self.season_length
        short = (f"fewer than two seasons (season_length={m}): not tested for seasonality, "
                 "forecast without a season")
        notes = [additive if kind == _KINDS.index("additive") else (short if m > 1 and n < 2 * m else None)
                 for kind, n in zip(kinds.tolist(), (ends - starts).tolist())]
        return adjusted, tails, kinds, notes

    def _fit_column(self, x, starts, ends):
        adjusted, tails, kinds, notes = self._adjust_column(x, starts, ends)
        core = self._fit_core_column(adjusted, starts, ends)
        reason = _reasons(core)
        with np.errstate(all="ignore"):
            usable = np.isfinite(self._core_forecast_column(core, 2)).all(axis=1)
        reason = [r if r is not None else (None if ok else "the fitted model gives non-finite forecasts")
                  for r, ok in zip(reason, usable)]
        return {"core": core, "season": tails, "kind": kinds, "note": notes, "reason": reason,
                "fallback": np.array([r is not None for r in reason], dtype=bool),
                "last": adjusted[ends - 1], "sigma": naive_sigma(adjusted, starts, ends)}

    def _seasonal(self, state: dict, horizon: int) -> np.ndarray:
        return state["season"][:, np.arange(horizon) % self.season_length]

    def _forecast_column(self, state, horizon):
        with np.errstate(all="ignore"):
            core = self._core_forecast_column(state["core"], horizon)
        core = np.where(state["fallback"][:, None], state["last"][:, None], core)
        future, kind = self._seasonal(state, horizon), state["kind"][:, None]
        return np.where(kind == 1, core * future, np.where(kind == 2, core + future, core))

    def _std_column(self, state, horizon):
        naive = state["sigma"][:, None] * np.sqrt(np.arange(1, horizon + 1))[None, :]
        with np.errstate(all="ignore"):
            core = self._core_std_column(state["core"], horizon)
        std = np.where(state["fallback"][:, None], naive, core)
        return np.where(state["kind"][:, None] == 1, std * self._seasonal(state, horizon), std)


def _fit_each(fit, series: list, n_jobs) -> list:
    """``fit(x)`` for each series (in ``n_jobs`` chunks); an exception is kept as its text."""

    def chunk(part):
        out = []
        for x in part:
            try:
                out.append(fit(x))
            except Exception as error:  # noqa: BLE001 - that series falls back, the others stand
                out.append(f"{type(error).__name__}: {error}")
        return out

    return map_chunks(chunk, series, n_jobs)


def _stack_each(method, objects: list, horizon: int) -> np.ndarray:
    out = np.full((len(objects), horizon), np.nan)
    for i, state in enumerate(objects):
        if isinstance(state, dict):
            out[i] = method(state, horizon)
    return out


def _reasons(core: dict) -> list:
    if "objects" in core:
        return [None if isinstance(s, dict) else s for s in core["objects"]]
    return list(core.get("reason", [None] * len(next(iter(core.values())))))


def _ses(x: np.ndarray, starts: np.ndarray, ends: np.ndarray):
    """:func:`~tsforecast.core.kernels.common.ses_fit` with the grid's decay curves."""
    lengths = ends - starts
    decay = np.power(1.0 - _SES_GRID[:, None], np.arange(int(lengths.max()))[None, :])
    initial = np.empty(starts.size)
    for k in np.unique(np.minimum(lengths, 10)):  # NumPy's own mean, as the reference takes it
        rows = np.flatnonzero(np.minimum(lengths, 10) == k)
        initial[rows] = x[starts[rows, None] + np.arange(k)[None, :]].mean(axis=1)
    return ses_fit(x, starts, ends, _SES_GRID, decay, initial)


def _trend_lines(x: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Slope and intercept of the least-squares line at ``t = 1..n`` per series.

    ``np.polyfit`` series by series (about 25 us each): the M4 Theta forecasts move by
    1e-9 with any other rounding of the line, because SES' Brent search amplifies it.
    """
    slope, intercept = np.zeros(starts.size), np.empty(starts.size)
    for i, (lo, hi) in enumerate(zip(starts.tolist(), ends.tolist())):
        if hi - lo > 1:
            slope[i], intercept[i] = np.polyfit(np.arange(1.0, hi - lo + 1), x[lo:hi], 1)
        else:
            intercept[i] = x[lo]
    return slope, intercept


def _sigma(state: dict, n: int) -> float:
    """The residuals' standard deviation; NaN where the fit's parameters use up every value
    (its sum of squares is then 0: the bounds claimed certainty)."""
    dof = n - state["n_params"]
    return float(np.sqrt(state["sse"] / dof)) if dof >= 1 else math.nan


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

    def _fit_core_column(self, adjusted, starts, ends):
        return {"last": adjusted[ends - 1], "sigma": naive_sigma(adjusted, starts, ends)}

    def _core_forecast_column(self, core, horizon):
        return np.repeat(core["last"][:, None], horizon, axis=1)

    def _core_std_column(self, core, horizon):
        return core["sigma"][:, None] * np.sqrt(np.arange(1, horizon + 1))[None, :]


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
    >>> bool(0 < model.states_[0]["core"]["alpha"][0] < 1)
    True
    """

    supports_quantiles = True
    _spread_source = "the one-step errors left after fitting its level and smoothing weight"
    _spread_values = 3

    def _fit_core_column(self, adjusted, starts, ends):
        alpha, _, level, sse = _ses(adjusted, starts, ends)
        return {"alpha": alpha, "level": level, "sse": sse, "n": ends - starts}

    def _core_forecast_column(self, core, horizon):
        return np.repeat(core["level"][:, None], horizon, axis=1)

    def _core_std_column(self, core, horizon):
        # two parameters (level, alpha): no residual left to estimate the spread from with 2 values
        sigma = np.where(core["n"] > 2, np.sqrt(core["sse"] / np.maximum(core["n"] - 2, 1)), np.nan)
        factors = 1.0 + np.arange(horizon)[None, :] * core["alpha"][:, None] ** 2  # c_j = alpha for SES
        return sigma[:, None] * np.sqrt(factors)


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
    _spread_source = "the one-step errors left after fitting its level, trend and two smoothing weights"
    _spread_values = 5

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
    _spread_source = "the one-step errors left after fitting its level, trend, damping and two smoothing weights"
    _spread_values = 6


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

    def _fit_core_column(self, adjusted, starts, ends):
        slope, intercept = _trend_lines(adjusted, starts, ends)
        alpha, _, level, _ = _ses(theta_line(adjusted, starts, ends, slope, intercept), starts, ends)
        return {"slope": slope, "intercept": intercept, "n": ends - starts, "level": level, "alpha": alpha,
                "clip": segment_all_nonnegative(adjusted, starts, ends)}

    def _core_forecast_column(self, core, horizon):
        t = core["n"][:, None] + np.arange(1.0, horizon + 1)[None, :]
        forecast = 0.5 * core["level"][:, None] + 0.5 * (core["intercept"][:, None] + core["slope"][:, None] * t)
        return np.where(core["clip"][:, None], np.maximum(forecast, 0.0), forecast)


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

    def _fit_core_column(self, adjusted, starts, ends):
        parts = [part(n_jobs=self.n_jobs)._fit_core_column(adjusted, starts, ends) for part in self._parts]
        reasons = [_reasons(part) for part in parts]
        return {"parts": parts, "reason": [next((r for r in combo if r is not None), None) for combo in zip(*reasons)]}

    def _core_forecast_column(self, core, horizon):
        forecasts = [part()._core_forecast_column(state, horizon) for part, state in zip(self._parts, core["parts"])]
        return np.mean(forecasts, axis=0)
