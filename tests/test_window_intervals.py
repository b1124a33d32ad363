"""Tests of WindowForecaster's intervals: the estimator's quantiles for one block of
``n_steps_out`` steps, conformal ones (calibrated on the recursive forecast) beyond it.

The estimator is an exact random-walk model: its point forecast is the last value and
its quantiles those of a unit random walk, ``last + z * sqrt(step)``, so a valid
interval must grow with the step all along the horizon.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.base import BaseEstimator, RegressorMixin

import tsforecast as tsf
from tsforecast.exceptions import FallbackWarning, InvalidParameterError


class RandomWalkQuantiles(RegressorMixin, BaseEstimator):
    """The exact forecast distribution of a unit random walk over one block."""

    def __init__(self, quantiles=(0.025, 0.1, 0.5, 0.9, 0.975)):
        self.quantiles = quantiles

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def fit(self, X, y):
        self.n_out_, self.quantiles_ = y.shape[1], tuple(self.quantiles)
        return self

    def predict(self, X):
        return np.repeat(X[:, -1, :1], self.n_out_, axis=1)[:, :, None]

    def predict_quantiles(self, X):
        spread = np.sqrt(np.arange(1, self.n_out_ + 1))[None, :, None, None] * norm.ppf(self.quantiles_)
        return self.predict(X)[..., None] + spread


def walks(n_series: int, length: int, seed: int) -> pd.DataFrame:
    values = np.random.default_rng(seed).normal(size=(n_series, length)).cumsum(axis=1)
    return pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(n_series)], length),
                         "ds": np.tile(pd.date_range("2020", periods=length, freq="D"), n_series),
                         "y": values.ravel()})


def model() -> tsf.WindowForecaster:
    return tsf.WindowForecaster(RandomWalkQuantiles(), n_steps_in=5, n_steps_out=3)


def test_within_one_block_the_estimators_quantiles_are_the_intervals():
    fitted = model().fit(walks(1, 200, seed=0))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)  # no fallback within n_steps_out
        out = fitted.predict_interval(3, levels=(95,), method="model")
    np.testing.assert_allclose(out["hi_95"] - out["lo_95"], 2 * norm.ppf(0.975) * np.sqrt([1, 2, 3]))


def test_beyond_n_steps_out_intervals_are_conformal_on_the_recursive_forecast():
    """The estimator's quantiles of a later block come from fed-back point forecasts:
    they repeated the first block's widths (3.92 5.54 6.79 | 3.92 ...). Past n_steps_out
    the intervals are those of the conformal calibration, with a warning saying so."""
    fitted = model().fit(walks(1, 200, seed=0))
    with pytest.warns(FallbackWarning, match="n_steps_out=3"):
        auto = fitted.predict_interval(9, levels=(80, 95))
    conformal = fitted.predict_interval(9, levels=(80, 95), method="conformal")
    pd.testing.assert_frame_equal(auto, conformal)
    with pytest.warns(FallbackWarning):
        bands = fitted.forecast_arrays(9, quantiles=[0.025, 0.975])
    np.testing.assert_array_equal(bands.quantiles[0, :, 0, 1], conformal["hi_95"].to_numpy())
    with pytest.warns(FallbackWarning):
        frame = fitted.predict_quantiles(9, quantiles=[0.1, 0.9])
    np.testing.assert_array_equal(frame["q0.9"].to_numpy(), conformal["hi_80"].to_numpy())
    with pytest.raises(InvalidParameterError, match=r"horizon=9.*n_steps_out >= 9"):
        fitted.predict_interval(9, method="model")


def test_backtest_intervals_past_n_steps_out_keep_their_coverage():
    """On random walks the 95% intervals of the second block covered 70% of the values
    when they repeated the first block's widths; they must cover about 95% at every step."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        result = tsf.backtest({"rw": model()}, walks(200, 100, seed=2), target="y", horizon=6, cv=1,
                              levels=(95,), progress=False)
    coverage = result.metrics.groupby("step")["coverage_95"].mean()
    assert (coverage.loc[4:] > 0.88).all(), coverage.round(3).tolist()
    width = result.metrics.groupby("step")["width_95"].mean()
    assert width.loc[6] > 1.2 * width.loc[3]  # it keeps growing past the first block


def test_quantiles_past_the_block_with_future_covariates_name_the_remedy():
    class LastValueQuantiles(RegressorMixin, BaseEstimator):
        def __init__(self, quantiles=(0.1, 0.5, 0.9)):
            self.quantiles = quantiles

        def fit(self, X, y):
            self.n_out_, self.quantiles_ = y.shape[1], tuple(self.quantiles)
            return self

        def predict(self, X):
            return np.repeat(X[:, -1:], self.n_out_, axis=1)

        def predict_quantiles(self, X):
            return self.predict(X)[..., None] + norm.ppf(self.quantiles_)

    index = pd.date_range("2024", periods=80, freq="D")
    y = pd.Series(np.arange(80.0), index=index, name="y")
    X = pd.DataFrame({"promo": np.tile([0.0, 1.0], 45)}, index=pd.date_range("2024", periods=90, freq="D"))
    model = tsf.WindowForecaster(LastValueQuantiles(), n_steps_in=5, n_steps_out=2,
                                 future_covariates=["promo"]).fit(y, X)
    with pytest.raises(InvalidParameterError, match="horizon=6 exceeds n_steps_out=2.*future covariates \\['promo'\\]"
                       ".*n_steps_out >= 6.*ConformalIntervals\\(horizon=6\\)"):
        model.predict_quantiles(6, X)


def test_too_few_calibration_windows_after_an_update_to_short_data_say_why():
    """After update() to 20 rows per series each series has one calibration window, which
    pooled scores cannot scale: the refusal said '3 more without a scale (their series' other
    windows were forecast perfectly)', and advised ConformalIntervals(step=1), not an argument
    of predict_interval."""
    from sklearn.linear_model import Ridge

    from tsforecast.exceptions import InsufficientDataError

    data = walks(3, 140, seed=4)
    fitted = tsf.WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=3).fit(data)
    fitted.update(data.groupby("unique_id").tail(20))
    with pytest.raises(InsufficientDataError) as caught:
        fitted.predict_interval(7, levels=[80])
    message = str(caught.value)
    assert "3 more without a scale (each the only window of its series" in message
    assert "forecast perfectly" not in message
    assert "fit ConformalIntervals(model, step=1) instead of calling predict_interval" in message


def test_method_model_past_the_block_with_future_covariates_gives_only_advice_that_works():
    """The refusal said "Use method='auto' or 'conformal'", both of which then refuse with
    future covariates (no calibration on demand can replay them); only wrapping in
    ConformalIntervals or a longer n_steps_out works."""
    index = pd.date_range("2024", periods=80, freq="D")
    y = pd.Series(np.random.default_rng(0).normal(size=80).cumsum(), index=index, name="y")
    X = pd.DataFrame({"promo": np.tile([0.0, 1.0], 45)}, index=pd.date_range("2024", periods=90, freq="D"))
    fitted = tsf.WindowForecaster(RandomWalkQuantiles(), n_steps_in=5, n_steps_out=2,
                                  future_covariates=["promo"]).fit(y, X)
    with pytest.raises(InvalidParameterError, match=r"ConformalIntervals\(horizon=6\).*n_steps_out >= 6") as caught:
        fitted.predict_interval(6, X, levels=[80], method="model")
    assert "method='auto'" not in str(caught.value) and "'conformal'" not in str(caught.value)
    for method in ("auto", "conformal"):  # why they are not advised
        with pytest.raises(InvalidParameterError):
            fitted.predict_interval(6, X, levels=[80], method=method)
