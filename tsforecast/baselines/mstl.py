"""MSTL: several seasonal patterns taken out by STL, a trend model on what is left.

Hourly load has a daily and a weekly cycle; half-hourly a 48- and a 336-step one. MSTL
(Bandara, Hyndman and Bergmeir, 2021) removes them one after the other: each season's
component is estimated by STL (as statsmodels' ``STL`` computes it, compiled for all
series at once in :mod:`tsforecast.core.kernels.stl`; LOESS with seasonal degree 0 and
seasonal windows 11, 15, 19, ... as R's ``forecast::mstl``) on the series with the other
components taken out, twice round. The seasonally adjusted series (trend + remainder)
is forecast by a non-seasonal model of the user's choice (default:
:class:`NonSeasonalETS`, the non-seasonal form chosen by AICc and fitted as R's
``forecast::ets`` does, the method of statsforecast's ``AutoETS(model="ZZN")`` that its
MSTL uses), and each seasonal component by repeating its last cycle.

Quantiles are the trend model's, shifted by the seasonal forecast (the seasonal
components are taken as known, as in statsforecast); without a trend model that gives
quantiles, wrap MSTL in :class:`tsforecast.ConformalIntervals`. Where the trend model
simulates them (the default's multiplicative-error forms), ``q0.5`` is the median of its
paths, not the point forecast (the mean).

A season needs two full cycles in a series: a series shorter than ``2 * m`` is
decomposed without the season ``m`` (a :class:`~tsforecast.exceptions.FallbackWarning`
says so); with no season left, the trend model forecasts the series itself.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from tsforecast.baselines import Naive
>>> t = np.arange(24 * 7 * 3)
>>> y = pd.Series(50 + 5 * np.sin(2 * np.pi * t / 24) + 3 * np.sin(2 * np.pi * t / 168))
>>> forecast = MSTL(season_length=(24, 168), trend_forecaster=Naive()).fit(y).predict(24)
>>> bool(np.abs(forecast.to_numpy() - y.iloc[-168:-144].to_numpy()).max() < 0.5)
True
"""

from __future__ import annotations

import numbers

import numpy as np
from sklearn.base import clone

from ..core.kernels.stl import mstl_panel
from ..core.params import Check, Unchecked
from ..exceptions import InputTypeError, InvalidParameterError
from ._base import LocalForecaster

__all__ = ["MSTL", "mstl_decompose"]

#: Decomposition rounds over all seasons (statsforecast's and R's default).
ITERATIONS = 2


def default_windows(n_seasons: int) -> list[int]:
    """Seasonal LOESS windows ``7 + 4 k`` (11, 15, 19, ...), R's ``forecast::mstl``."""
    return [7 + 4 * k for k in range(1, n_seasons + 1)]


def mstl_decompose(x: np.ndarray, periods, windows=None, iterations: int = ITERATIONS) -> tuple[np.ndarray, list]:
    """The series ``x`` less its seasonal components, and the last cycle of each.

    Parameters
    ----------
    x : ndarray
        One series (float64).
    periods : sequence of int
        Seasonal periods, shortest first; a period longer than ``len(x) / 2`` is left out.
    windows : sequence of int, optional
        STL's seasonal LOESS span per period (odd); ``None`` gives 11, 15, ...
    iterations : int
        Rounds over all seasons (one when a single season is decomposed).

    Returns
    -------
    adjusted : ndarray
        ``x`` less every seasonal component.
    tails : list of ndarray
        The last ``m`` values of each period's component (zeros where left out).
    """
    periods = np.asarray(periods, dtype=np.int64)
    windows = np.asarray(default_windows(periods.size) if windows is None else windows, dtype=np.int64)
    values = np.ascontiguousarray(x, dtype=np.float64)
    adjusted, tails, _ = mstl_panel(values, np.array([0]), np.array([values.size]), periods, windows, iterations)
    bounds = np.concatenate([[0], np.cumsum(periods)])
    return adjusted, [tails[0, lo:hi] for lo, hi in zip(bounds[:-1], bounds[1:])]


def _season_lengths(value, name: str) -> tuple[int, ...]:
    """``season_length``: one period or several, each an integer >= 2, sorted."""
    values = [value] if isinstance(value, numbers.Integral) else value
    if isinstance(value, (str, bytes, bool)) or not hasattr(values, "__iter__"):
        raise InputTypeError(f"{name} must be an int or a sequence of ints; got {value!r}.")
    values = list(values)
    if not values or any(isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 2 for v in values):
        raise InvalidParameterError(f"{name} must be one or more integers >= 2; got {value!r}.")
    if len(set(values)) != len(values):
        raise InvalidParameterError(f"{name} names a period twice; got {value!r}.")
    return tuple(sorted(int(v) for v in values))


class MSTL(LocalForecaster):
    """Multiple seasonal-trend decomposition by LOESS, forecast season by season.

    Parameters
    ----------
    season_length : int or sequence of int, default (24, 168)
        The seasonal periods (each ``>= 2``; daily and weekly for hourly data), in any
        order; they are decomposed shortest first.
    trend_forecaster : LocalForecaster, optional
        A non-seasonal baseline for the seasonally adjusted series (``season_length``,
        if it has one, must be 1). ``None`` (default) uses :class:`NonSeasonalETS`
        (ANN ... MAdN by AICc, compiled for the whole panel).
    seasonal_windows : sequence of int, optional
        STL's seasonal LOESS window per season (odd, ``>= 3``), in the order of
        ``season_length``; ``None`` gives 11, 15, ... (shortest season first)
    n_jobs : int, optional
        Processes for the trend model's fits (the decomposition is one compiled pass).

    Attributes
    ----------
    states_ : list of dict
        Per target column: the trend model's state and each series' last seasonal cycles.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tsforecast.baselines import Naive
    >>> y = pd.Series(10 + np.sin(np.arange(96) * 2 * np.pi / 12) + np.sin(np.arange(96) * 2 * np.pi / 4))
    >>> MSTL(season_length=(12, 4), trend_forecaster=Naive()).fit(y).predict(3).shape
    (3,)
    """

    _parameter_constraints = {
        "season_length": Check(_season_lengths),
        "trend_forecaster": Unchecked("a non-seasonal baseline: checked, with its own parameters, in _check_params"),
        "seasonal_windows": Unchecked("one per season: checked against season_length in _check_params"),
        **LocalForecaster._parameter_constraints,
    }

    def __init__(self, season_length=(24, 168), trend_forecaster=None, seasonal_windows=None, *,
                 n_jobs: int | None = None, fill: str | None = None, on_short: str = "raise"):
        self.season_length = season_length
        self.trend_forecaster = trend_forecaster
        self.seasonal_windows = seasonal_windows
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    @property
    def supports_quantiles(self) -> bool:
        """Whether the trend model gives quantiles (MSTL's are its, shifted)."""
        return bool(getattr(self._trend_model(), "supports_quantiles", False))

    # -- parameters -----------------------------------------------------------------
    def _periods(self) -> tuple[int, ...]:
        return _season_lengths(self.season_length, "season_length")

    def _windows(self, n_seasons: int) -> tuple[int, ...]:
        if self.seasonal_windows is None:
            return tuple(default_windows(n_seasons))
        windows = list(self.seasonal_windows) if hasattr(self.seasonal_windows, "__iter__") else None
        if (windows is None or len(windows) != n_seasons
                or any(isinstance(w, bool) or not isinstance(w, numbers.Integral) or w < 3 or w % 2 == 0
                       for w in windows)):
            raise InvalidParameterError(f"seasonal_windows must be None or one odd integer >= 3 per season "
                                        f"({n_seasons}); got {self.seasonal_windows!r}.")
        return tuple(int(w) for w in windows)

    def _sorted_windows(self) -> tuple[int, ...]:
        """The windows in the order of the sorted periods: each stays with the season it was given for."""
        windows = self._windows(len(self._periods()))
        if self.seasonal_windows is None:
            return windows
        given = [self.season_length] if isinstance(self.season_length, numbers.Integral) else list(self.season_length)
        return tuple(windows[i] for i in np.argsort([int(p) for p in given], kind="stable"))

    def _trend_model(self) -> LocalForecaster:
        if self.trend_forecaster is None:
            from .nonseasonal_ets import NonSeasonalETS

            return NonSeasonalETS()
        return self.trend_forecaster

    def _check_params(self):
        super()._check_params()
        self._windows(len(self._periods()))
        trend = self._trend_model()
        if not isinstance(trend, LocalForecaster):  # a wrong type, as the README's table says
            raise InputTypeError(f"trend_forecaster must be a non-seasonal baseline such as ETS() or Theta(); "
                                 f"got {trend!r} of type {type(trend).__name__}.")
        if isinstance(trend, MSTL):
            raise InvalidParameterError(f"trend_forecaster must be a non-seasonal baseline such as ETS() or "
                                        f"Theta(); got {trend!r}.")
        if trend.get_params(deep=False).get("season_length", 1) != 1:
            raise InvalidParameterError(f"trend_forecaster must not model a season (MSTL removes them): its "
                                        f"season_length must be 1; got {trend!r}.")
        if getattr(trend, "future_covariates", None):
            raise InvalidParameterError(f"trend_forecaster must not take regressors (MSTL is fitted on y alone); "
                                        f"got {trend!r}.")
        clone(trend)._check_params()

    def _min_length(self):
        return self._trend_model()._min_length()

    # -- fit and forecast on whole columns ------------------------------------------------
    def _fit_column(self, x, starts, ends):
        periods = self._periods()
        adjusted, tails, kept = mstl_panel(x, starts, ends, np.array(periods, dtype=np.int64),
                                           np.array(self._sorted_windows(), dtype=np.int64), ITERATIONS)
        trend = clone(self._trend_model())
        state = getattr(trend, "_fit_column_alone", trend._fit_column)(adjusted, starts, ends)
        lengths = (ends - starts).tolist()
        notes = [None if row.all() else
                 f"{n} values hold fewer than two cycles of season(s) "
                 f"{', '.join(str(p) for p, k in zip(periods, row) if not k)}, left out of its decomposition"
                 for n, row in zip(lengths, kept)]
        trend_notes = state.get("note") or [None] * len(lengths)
        return {"trend_model": trend, "trend": state, "periods": list(periods), "tails": tails,
                "reason": state.get("reason"), "model": state.get("model"),
                "note": [a if b is None else (b if a is None else f"{a}; {b}") for a, b in zip(notes, trend_notes)]}

    def _seasonal(self, state, horizon):
        """Each component's last cycle repeated over the horizon, summed: ``[series, horizon]``."""
        steps = np.arange(horizon)
        total = np.zeros((state["tails"].shape[0], horizon))
        offset = 0
        for period in state["periods"]:
            total += state["tails"][:, offset + steps % period]
            offset += period
        return total

    def _forecast_column(self, state, horizon):
        return state["trend_model"]._forecast_column(state["trend"], horizon) + self._seasonal(state, horizon)

    def _quantile_column(self, state, horizon, z):
        bands = state["trend_model"]._quantile_column(state["trend"], horizon, z)
        return bands + self._seasonal(state, horizon)[:, :, None]
