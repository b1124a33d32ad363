"""Tests of WindowForecaster's sampling of training windows (window_stride, max_windows)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge

from tsforecast import WindowForecaster
from tsforecast.exceptions import InputTypeError, InvalidParameterError


class _Recorder(RegressorMixin, BaseEstimator):
    """Keeps the rows it was fitted on; predicts zeros."""

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        return self

    def predict(self, X):
        return np.zeros((len(X), self.y_.shape[1]))


def _panel(lengths=(30, 50)):
    return pd.concat([pd.DataFrame({"unique_id": f"s{i}", "ds": np.arange(n), "y": np.arange(n, dtype=float) + 1000 * i})
                      for i, n in enumerate(lengths)], ignore_index=True)


@pytest.mark.parametrize("stride, max_windows, expected", [(1, None, [23, 43]), (5, None, [5, 9]),
                                                           (1, 4, [4, 4]), (5, 3, [3, 3])])
def test_stride_and_cap_count_windows_per_series(stride, max_windows, expected):
    model = WindowForecaster(_Recorder(), n_steps_in=5, n_steps_out=3, window_stride=stride,
                             max_windows=max_windows).fit(_panel())
    assert model.n_windows_ == sum(expected)
    first_inputs = model.estimator_.X_[:, 0]
    assert ((first_inputs < 1000).sum(), (first_inputs >= 1000).sum()) == tuple(expected)


def test_latest_window_of_every_series_is_kept_and_order_is_chronological():
    model = WindowForecaster(_Recorder(), n_steps_in=5, n_steps_out=3, window_stride=4, max_windows=3).fit(_panel())
    targets = model.estimator_.y_
    # series 0 has values 1..30 (0-based 0..29): its last window ends on the last value
    np.testing.assert_array_equal(targets[:3, -1], [21.0, 25.0, 29.0])
    np.testing.assert_array_equal(targets[3:, -1], [1041.0, 1045.0, 1049.0])


def test_sampling_leaves_prediction_inputs_alone():
    full = WindowForecaster(Ridge(), n_steps_in=5, n_steps_out=3).fit(_panel())
    sampled = WindowForecaster(Ridge(), n_steps_in=5, n_steps_out=3, window_stride=3).fit(_panel())
    # a linear trend is learned exactly from any subset of its windows
    pd.testing.assert_frame_equal(full.predict(3), sampled.predict(3), atol=1e-6)


@pytest.mark.parametrize("params, error", [({"window_stride": 0}, InvalidParameterError),
                                           ({"window_stride": 1.5}, InputTypeError),
                                           ({"max_windows": 0}, InvalidParameterError)])
def test_bad_sampling_parameters_raise(params, error):
    with pytest.raises(error, match=next(iter(params))):
        WindowForecaster(Ridge(), n_steps_in=5, n_steps_out=3, **params).fit(_panel())
