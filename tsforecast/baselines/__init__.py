"""Baseline forecasters: naive methods, the M4 competition's benchmarks, ETS and ARIMA.

Every class has the forecaster contract of :class:`tsforecast.forecasters.base.BaseForecaster`:
``fit(y)`` on one series or a panel (one model per series and target column, in
parallel over series with ``n_jobs``) and ``predict(horizon)`` indexed by the future
timestamps, in the form ``y`` was given. Classes with ``supports_quantiles`` also give
``predict_quantiles``.

Every class also takes ``fill`` (``None``, ``"ffill"`` or ``"interpolate"``: how missing
values are repaired; ``None`` refuses NaN) and ``on_short`` (``"raise"`` or
``"skip"``: a panel series too short for the model raises
:class:`~tsforecast.exceptions.InsufficientDataError`, or is left out with a
:class:`~tsforecast.exceptions.SkippedSeriesWarning` naming it), as
:class:`tsforecast.WindowForecaster` and :func:`tsforecast.backtest` do.

========================  ===========================================================
``Naive``                 last value
``SeasonalNaive``         last season (``season_length``)
``Drift``                 line from the first to the last value
``Mean``                  mean of all or of the last ``window`` values
``Naive2``                M4: Naive on the seasonally adjusted series
``SES``, ``Holt``,        M4: exponential smoothing fitted as the M4 R code does
``Damped``
``Theta``                 M4: classic Theta method
``Comb``                  M4: mean of SES, Holt and Damped
``ETS``                   statsmodels ETS, form chosen by AICc or fixed
``NonSeasonalETS``        ETS without season (ANN ... MAdN by AICc), compiled for panels
``ARIMA``                 statsmodels SARIMAX, fixed orders or a small AICc search, with regressors
``AutoARIMA``             seasonal ARIMA by the stepwise AICc search, with regressors
``Croston``,              intermittent demand: smoothed size over smoothed interval
``CrostonSBA``            (SBA: times 0.95)
``TSB``                   intermittent demand: smoothed probability times size
``ADIDA``, ``IMAPA``      intermittent demand: SES on temporally aggregated sums
``MSTL``                  several seasons removed by STL, a trend model on the rest
========================  ===========================================================
"""

from ._base import LocalForecaster
from .auto_arima import AutoARIMA
from .intermittent import ADIDA, IMAPA, TSB, Croston, CrostonSBA
from .mstl import MSTL
from .nonseasonal_ets import NonSeasonalETS
from .m4 import SES, Comb, Damped, Holt, Naive2, Theta
from .naive import Drift, Mean, Naive, SeasonalNaive
from .seasonality import deseasonalize, seasonality_test
from .statsmodels_models import ARIMA, ETS

__all__ = [
    "LocalForecaster",
    "Naive",
    "SeasonalNaive",
    "Drift",
    "Mean",
    "Naive2",
    "SES",
    "Holt",
    "Damped",
    "Theta",
    "Comb",
    "ETS",
    "NonSeasonalETS",
    "ARIMA",
    "AutoARIMA",
    "Croston",
    "CrostonSBA",
    "TSB",
    "ADIDA",
    "IMAPA",
    "MSTL",
    "seasonality_test",
    "deseasonalize",
]
