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

from ..core.kernels.common import seasonal_sigma, segment_mean_sd
from ..core.params import Integer
from ..exceptions import InvalidParameterError
from ._base import LocalForecaster

__all__ = ["Naive", "SeasonalNaive", "Drift", "Mean"]


def _steps(horizon: int) -> np.ndarray:
    return np.arange(1, horizon + 1, dtype=np.float64)


def naive_sigma(x: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Residual standard deviation of the random walk per series (NaN for one value: no
    difference to estimate it from, so asking its intervals raises
    :class:`~tsforecast.exceptions.InsufficientDataError` instead of claiming certainty)."""
    return seasonal_sigma(x, starts, ends, 1)


class Naive(LocalForecaster):
    """Repeat the last observed value (random walk); ``std_h = sigma * sqrt(h)``.

    ``sigma`` comes from the one-step changes: a series of one value has a point forecast
    but no intervals (``predict_interval`` raises
    :class:`~tsforecast.exceptions.InsufficientDataError` naming it).

    The report's default yardstick when no seasonal naive was backtested.

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

    def _fit_column(self, x, starts, ends):
        return {"last": x[ends - 1], "sigma": naive_sigma(x, starts, ends)}

    def _forecast_column(self, state, horizon):
        return np.repeat(state["last"][:, None], horizon, axis=1)

    def _std_column(self, state, horizon):
        return state["sigma"][:, None] * np.sqrt(_steps(horizon))[None, :]


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
    _parameter_constraints = {"season_length": Integer(minimum=1), **LocalForecaster._parameter_constraints}

    def __init__(self, season_length: int = 1, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.season_length = season_length
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _fit_column(self, x, starts, ends):
        m = self.season_length
        lengths = ends - starts
        short = lengths < m  # fewer values than one season: Naive instead
        season = x[np.maximum(ends - m, starts)[:, None] + np.arange(m)[None, :] % np.maximum(lengths, 1)[:, None]]
        season[short] = x[ends[short] - 1][:, None]
        naive = naive_sigma(x, starts, ends)
        seasonal = seasonal_sigma(x, starts, ends, m)
        reason = [f"InsufficientDataError: {n} value(s), fewer than season_length={m}" if too_short else None
                  for n, too_short in zip(lengths.tolist(), short.tolist())]
        return {"season": season, "sigma": np.where(np.isnan(seasonal), naive, seasonal), "fallback": short,
                "reason": reason}

    def _forecast_column(self, state, horizon):
        return state["season"][:, np.arange(horizon) % self.season_length]

    def _std_column(self, state, horizon):
        cycles = np.floor((_steps(horizon) - 1) / self.season_length) + 1
        steps = np.where(state["fallback"][:, None], _steps(horizon)[None, :], cycles[None, :])
        return state["sigma"][:, None] * np.sqrt(steps)


class Drift(LocalForecaster):
    """Extend the line from the first to the last observation.

    ``std_h = sigma * sqrt(h * (1 + h / (n - 1)))`` (drift estimation error included).

    Parameters
    ----------
    n_jobs : int, optional
        Processes for fitting a panel.
    """

    supports_quantiles = True
    _spread_source = "the one-step changes around the drift (its slope is estimated from them too)"
    _spread_values = 3

    def __init__(self, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _fit_column(self, x, starts, ends):
        n = ends - starts
        last = x[ends - 1]
        slope = np.where(n > 1, (last - x[starts]) / np.maximum(n - 1, 1), 0.0)
        # Residuals of the one-step differences around the slope, as sums of squares.
        rms = np.nan_to_num(seasonal_sigma(x, starts, ends, 1), nan=0.0)
        sse = np.maximum(rms**2 * np.maximum(n - 1, 0) - slope**2 * np.maximum(n - 1, 0), 0.0)
        # two values leave no change around the slope fitted to them: no spread (it was 0, certainty)
        sigma = np.where(n > 2, np.sqrt(sse / np.maximum(n - 2, 1)), np.nan)
        return {"last": last, "slope": slope, "sigma": sigma, "n": n}

    def _forecast_column(self, state, horizon):
        return state["last"][:, None] + state["slope"][:, None] * _steps(horizon)[None, :]

    def _std_column(self, state, horizon):
        h = _steps(horizon)[None, :]
        n = np.maximum(state["n"], 2)[:, None]
        return state["sigma"][:, None] * np.sqrt(h * (1 + h / (n - 1)))


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
    _parameter_constraints = {"window": Integer(minimum=1, allow_none=True), **LocalForecaster._parameter_constraints}
    _spread_source = "the deviations of the values averaged from their mean"

    def __init__(self, window: int | None = None, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.window = window
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _fit_column(self, x, starts, ends):
        first = starts if self.window is None else np.maximum(starts, ends - self.window)
        mean, sd = segment_mean_sd(x, first, ends)
        sd = np.where(ends - first > 1, sd, np.nan)  # one value averaged: no spread (it was 0, certainty)
        return {"mean": mean, "sigma": sd * np.sqrt(1 + 1 / (ends - first))}

    def _check_spread(self, bands):
        if self.window == 1:
            raise InvalidParameterError(
                "Mean(window=1) cannot give quantiles or intervals: it averages one value, whose spread is "
                "undefined (its bounds claimed certainty). Use window >= 2 for intervals; its point forecasts "
                "(predict) are defined.")
        super()._check_spread(bands)

    def _forecast_column(self, state, horizon):
        return np.repeat(state["mean"][:, None], horizon, axis=1)

    def _std_column(self, state, horizon):
        return np.repeat(state["sigma"][:, None], horizon, axis=1)
