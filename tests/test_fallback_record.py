"""Fallback warnings point at the user's line, and a backtest records those of the model's
own fit, not those of internal fits whose warnings are silenced."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

from tsforecast import ConformalIntervals, WindowForecaster
from tsforecast.baselines import SeasonalNaive
from tsforecast.core.fallbacks import recording_fallbacks
from tsforecast.exceptions import FallbackWarning, SkippedSeriesWarning


def _daily(n: int) -> pd.Series:
    return pd.Series(np.arange(float(n)) % 5, index=pd.date_range("2024", periods=n, freq="D"), name="y")


def test_a_fallback_warning_points_at_the_line_that_called_fit():
    with pytest.warns(FallbackWarning) as caught:
        SeasonalNaive(season_length=20).fit(_daily(10))
    assert {w.filename for w in caught if issubclass(w.category, FallbackWarning)} == {__file__}


def test_a_skipped_series_warning_points_at_the_line_that_called_fit():
    panel = {"long": _daily(40), "short": _daily(3)}
    with pytest.warns(SkippedSeriesWarning) as caught:
        WindowForecaster(Ridge(), n_steps_in=7, on_short="skip").fit(panel)
    assert {w.filename for w in caught if issubclass(w.category, SkippedSeriesWarning)} == {__file__}


def test_calibration_fits_on_shortened_windows_are_not_recorded_as_the_models_fallbacks():
    model = ConformalIntervals(SeasonalNaive(season_length=36), levels=(80,), horizon=3, n_windows=8, step=1)
    with warnings.catch_warnings(), recording_fallbacks() as said:
        warnings.simplefilter("ignore")
        model.fit(_daily(40))
    # the fit on all 40 values has its season: only shortened calibration windows fell back
    assert said == []
