"""A fit that raises leaves the forecaster as it found it: the previous fit whole, or unfitted."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge

from tsforecast import Combination, ConformalIntervals, Naive, Theta, WindowForecaster
from tsforecast.baselines import ARIMA
from tsforecast.exceptions import InvalidInputError

# the window lengths change with the refit: predict reads the fitted ones (n_steps_out_)
FORECASTERS = {
    "window": (lambda: WindowForecaster(Ridge(), n_steps_in=5, n_steps_out=2), {"n_steps_in": 8, "n_steps_out": 3}),
    "theta": (lambda: Theta(), {}),
    "arima": (lambda: ARIMA(order=(1, 0, 0)), {}),
    "conformal": (lambda: ConformalIntervals(Naive(), n_windows=20, horizon=3), {}),
    "combination": (lambda: Combination([Naive(), Theta()]), {}),
}


@pytest.fixture
def series() -> pd.Series:
    return pd.Series(10 + np.arange(60.0) % 7, index=pd.date_range("2024", periods=60, freq="D"))


def _broken(series: pd.Series) -> pd.Series:
    bad = series.copy()
    bad.iloc[30] = np.nan
    return bad


@pytest.mark.parametrize("name", FORECASTERS)
def test_a_refit_refused_on_bad_data_keeps_the_previous_fit(series, name):
    make, changes = FORECASTERS[name]
    model = make().fit(series)
    before, fitted = model.predict(3), {k: v for k, v in vars(model).items() if k.endswith("_")}
    model.set_params(**changes)
    with pytest.raises(InvalidInputError):
        model.fit(_broken(series))
    pd.testing.assert_series_equal(model.predict(3), before)
    assert {k for k in vars(model) if k.endswith("_")} == set(fitted)


@pytest.mark.parametrize("name", FORECASTERS)
def test_a_first_fit_refused_leaves_the_model_unfitted(series, name):
    model = FORECASTERS[name][0]()
    with pytest.raises(InvalidInputError):
        model.fit(_broken(series))
    with pytest.raises(NotFittedError):
        model.predict(3)


def test_a_failed_warm_start_gives_the_estimator_its_parameters_back(series):
    from sklearn.linear_model import SGDRegressor

    model = WindowForecaster(SGDRegressor(warm_start=True, max_iter=5, tol=None, random_state=0),
                             n_steps_in=5, n_steps_out=1).fit(series)
    fitted = model.estimator_
    model.set_params(estimator=SGDRegressor(warm_start=True, max_iter=5, tol=None, alpha=-1.0, random_state=0))
    with pytest.raises(ValueError):  # scikit-learn refuses alpha=-1 in the continued fit
        model.fit(series)
    assert model.estimator_ is fitted and fitted.alpha == SGDRegressor().alpha
