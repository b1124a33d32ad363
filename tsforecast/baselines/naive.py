"""The simplest forecasts: last value, last season, drift line and (moving) mean.

Quantiles are normal, with the textbook forecast standard deviations (Hyndman &
Athanasopoulos, *Forecasting: Principles and Practice*, 5.5), ``sigma`` estimated from
the in-sample one-step residuals of each method.

Examples
--------
>>> import pandas as pd
>>> y = pd.Series([1.0, 2.0, 3.0, 4.0])
>>> Naive().fit(y).predict(2).tolist()
[4.0, 4.0]
>>> Drift().fit(y).predict(2).tolist()
[5.0, 6.0]
>>> SeasonalNaive(season_length=2).fit(y).predict(3).tolist()
[3.0, 4.0, 3.0]
>>> Mean(window=2).fit(y).predict(1).tolist()
[3.5]
"""

from __future__ import annotations

import numpy as np

from .._validation import check_int
from ._base import LocalForecaster, _naive_sigma
from ..exceptions import InsufficientDataError

__all__ = ["Naive", "SeasonalNaive", "Drift", "Mean"]


def _steps(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=np.float64)


class Naive(LocalForecaster):
    """Repeat the last observed value (random walk); ``std_h = sigma * sqrt(h)``.

    Parameters
    ----------
    n_jobs : int, optional
        Processes for fitting a panel (joblib convention; ``None`` means 1).
    """

    supports_quantiles = True

    def __init__(self, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _fit_one(self, x):
        return {"last": float(x[-1]), "sigma": _naive_sigma(x)}

    def _forecast(self, state, horizon):
        return np.full(horizon, state["last"])

    def _forecast_std(self, state, horizon):
        return state["sigma"] * np.sqrt(_steps(horizon))


class SeasonalNaive(LocalForecaster):
    """Repeat the last observed season: ``y_{T+h} = y_{T+h-m*k}``, ``k = ceil(h/m)``.

    ``std_h = sigma * sqrt(k)`` with ``sigma`` from the seasonal differences. A series
    shorter than ``season_length`` gets :class:`Naive` instead, with a
    :class:`~tsforecast.exceptions.FallbackWarning` naming it.

    Parameters
    ----------
    season_length : int
        The seasonal period ``m`` (24 for hourly data with a daily cycle), ``>= 1``.
    n_jobs : int, optional
        Processes for fitting a panel.
    """

    supports_quantiles = True

    def __init__(self, season_length: int = 1, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.season_length = season_length
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _check_params(self):
        check_int(self.season_length, "season_length", minimum=1)

    def _fit_one(self, x):
        m = self.season_length
        if x.size < m:
            raise InsufficientDataError(f"{x.size} value(s), fewer than season_length={m}")
        sigma = float(np.sqrt(np.mean((x[m:] - x[:-m]) ** 2))) if x.size > m else _naive_sigma(x)
        return {"season": x[-m:].copy(), "sigma": sigma}

    def _forecast(self, state, horizon):
        return np.resize(state["season"], horizon)

    def _forecast_std(self, state, horizon):
        cycles = np.floor((_steps(horizon) - 1) / self.season_length) + 1
        return state["sigma"] * np.sqrt(cycles)


class Drift(LocalForecaster):
    """Extend the line from the first to the last observation.

    ``std_h = sigma * sqrt(h * (1 + h / (n - 1)))`` (drift estimation error included).

    Parameters
    ----------
    n_jobs : int, optional
        Processes for fitting a panel.
    """

    supports_quantiles = True

    def __init__(self, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _fit_one(self, x):
        n = x.size
        slope = (x[-1] - x[0]) / (n - 1) if n > 1 else 0.0
        residuals = np.diff(x) - slope
        sigma = float(np.sqrt(np.sum(residuals**2) / (n - 2))) if n > 2 else 0.0
        return {"last": float(x[-1]), "slope": float(slope), "sigma": sigma, "n": n}

    def _forecast(self, state, horizon):
        return state["last"] + state["slope"] * _steps(horizon)

    def _forecast_std(self, state, horizon):
        h = _steps(horizon)
        n = max(state["n"], 2)
        return state["sigma"] * np.sqrt(h * (1 + h / (n - 1)))


class Mean(LocalForecaster):
    """Forecast the mean of the series, or of its last ``window`` values.

    ``std = s * sqrt(1 + 1/k)`` for the ``k`` values averaged (``s`` their standard
    deviation), the same at every step.

    Parameters
    ----------
    window : int, optional
        How many of the latest values to average; ``None`` (default) averages all.
    n_jobs : int, optional
        Processes for fitting a panel.
    """

    supports_quantiles = True

    def __init__(self, window: int | None = None, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.window = window
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _check_params(self):
        check_int(self.window, "window", minimum=1, allow_none=True)

    def _fit_one(self, x):
        values = x if self.window is None else x[-self.window :]
        k = values.size
        sd = float(np.std(values, ddof=1)) if k > 1 else 0.0
        return {"mean": float(values.mean()), "sigma": sd * np.sqrt(1 + 1 / k)}

    def _forecast(self, state, horizon):
        return np.full(horizon, state["mean"])

    def _forecast_std(self, state, horizon):
        return np.full(horizon, state["sigma"])
