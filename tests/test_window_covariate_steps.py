"""Tests of WindowForecaster's ``covariate_steps_in``: how many input steps of each
covariate a flattened estimator sees (tsforecast/forecasters/window.py,
tsforecast/core/window_features.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge

from tsforecast import WindowForecaster, load, save
from tsforecast.exceptions import InvalidParameterError

N_IN, N_OUT = 6, 3


class _Recorder(BaseEstimator, RegressorMixin):
    """A regressor that remembers the rows it was fitted on and the rows it forecast from."""

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        return self

    def predict(self, X):
        self.predicted_from_ = np.asarray(X)
        return np.asarray(X)[:, : N_OUT] * 0.5  # any function of the row: forecasts follow the row


def _panel(seed: int = 0) -> dict:
    """Two hourly series with a target ``y``, a past-observed ``c`` and a future-known ``f``."""
    rng = np.random.default_rng(seed)
    data = {}
    for i, n in enumerate([40, 31]):
        index = pd.date_range(f"2024-01-0{1 + i}", periods=n + N_OUT, freq="h")
        data[f"s{i}"] = pd.DataFrame(rng.normal(size=(n + N_OUT, 3)), columns=["y", "c", "f"], index=index)
    return data


def _fit(steps, data=None, estimator=None, past=True):
    data = data or _panel()
    y = {k: v[["y"]].iloc[:-N_OUT] for k, v in data.items()}
    X = {k: v[["c", "f"]] if past else v[["f"]] for k, v in data.items()}
    model = WindowForecaster(estimator or _Recorder(), n_steps_in=N_IN, n_steps_out=N_OUT,
                             future_covariates=["f"], covariate_steps_in=steps)
    return model.fit(y, X), X


def _lean_columns(steps: int) -> np.ndarray:
    """Where a lean row's columns sit in the full row: (step, feature) pairs of the full
    row are ``step * 3 + feature`` (features y, c, f), then the N_OUT future f values."""
    targets = [t * 3 for t in range(N_IN)]
    covariates = [t * 3 + k for t in range(N_IN - steps, N_IN) for k in (1, 2)]
    future = [N_IN * 3 + s for s in range(N_OUT)]
    return np.array(targets + covariates + future)


@pytest.mark.parametrize("steps", [0, 1, 4])
def test_lean_rows_are_the_full_rows_latest_covariate_steps(steps):
    # Training rows and forecasting rows alike: the full row's target lags, the latest
    # `steps` steps of each covariate and the future values, nothing else, same order.
    full, X = _fit(None, past=steps > 0)
    lean, _ = _fit(steps, past=steps > 0)
    if steps == 0:  # no past-observed covariate: rows are y, f per step
        columns = np.r_[[t * 2 for t in range(N_IN)], [N_IN * 2 + s for s in range(N_OUT)]]
    else:
        columns = _lean_columns(steps)
    np.testing.assert_array_equal(lean.estimator_.X_, full.estimator_.X_[:, columns])
    np.testing.assert_array_equal(lean.estimator_.y_, full.estimator_.y_)
    full.predict(X=X)
    lean.predict(X=X)
    np.testing.assert_array_equal(lean.estimator_.predicted_from_, full.estimator_.predicted_from_[:, columns])


def test_none_and_n_steps_in_give_todays_rows_and_forecasts():
    full, X = _fit(None, estimator=Ridge(alpha=0.1))
    same, _ = _fit(N_IN, estimator=Ridge(alpha=0.1))
    np.testing.assert_array_equal(same.estimator_.coef_, full.estimator_.coef_)
    pd.testing.assert_frame_equal(pd.concat(same.predict(X=X)), pd.concat(full.predict(X=X)))


def _walk_plus_covariate(n_series: int = 40, n_steps: int = 120, seed: int = 3):
    """A panel where ``y = walk + 2 f``, ``f`` random and known ahead (as the benchmark's)."""
    rng = np.random.default_rng(seed)
    f = rng.normal(size=(n_series, n_steps))
    y = np.cumsum(rng.normal(scale=0.1, size=(n_series, n_steps)), axis=1) + 2.0 * f
    index = pd.date_range("2024-01-01", periods=n_steps, freq="h")
    return ({f"s{i}": pd.Series(y[i, :-N_OUT], index=index[:-N_OUT], name="y") for i in range(n_series)},
            {f"s{i}": pd.DataFrame({"f": f[i]}, index=index) for i in range(n_series)}, y[:, -N_OUT:])


@pytest.mark.parametrize("steps", [None, 0, 1])
def test_the_covariate_still_helps_at_every_setting(steps):
    # Each setting recovers the coefficient 2 on the forecast-step values of f, and beats
    # the model without f; one past step (or all) also gives the walk's level exactly
    # (y - 2 f at the origin), so its error is that of the walk alone.
    y, X, actual = _walk_plus_covariate()
    model = WindowForecaster(Ridge(alpha=1e-6), n_steps_in=N_IN, n_steps_out=N_OUT, future_covariates="f",
                             covariate_steps_in=steps).fit(y, X)
    future_coef = model.estimator_.coef_[:, -N_OUT:]
    np.testing.assert_allclose(np.diag(future_coef), 2.0, atol=0.1)
    error = np.abs(np.stack([v.to_numpy() for v in model.predict(X=X).values()]) - actual).mean()
    plain = WindowForecaster(Ridge(alpha=1e-6), n_steps_in=N_IN, n_steps_out=N_OUT).fit(y)
    error_without = np.abs(np.stack([v.to_numpy() for v in plain.predict().values()]) - actual).mean()
    assert error < 0.5 * error_without
    if steps != 0:
        assert error < 0.3  # the walk's own spread over 3 steps (scale 0.1), with room


def test_save_and_load_keep_the_setting_and_the_forecasts(tmp_path):
    model, X = _fit(1, estimator=Ridge())
    save(model, tmp_path / "lean.tsf")
    loaded = load(tmp_path / "lean.tsf")
    assert loaded.covariate_steps_in == 1
    pd.testing.assert_frame_equal(pd.concat(loaded.predict(X=X)), pd.concat(model.predict(X=X)))


@pytest.mark.parametrize(("steps", "past", "message"), [
    (-1, True, "covariate_steps_in must be >= 0; got -1"),
    (N_IN + 1, True, f"covariate_steps_in must be <= n_steps_in={N_IN} .*got {N_IN + 1}"),
    (0, True, r"covariate_steps_in=0 leaves the past-observed covariates \['c'\]"),
])
def test_refused_values_name_the_argument_and_the_value(steps, past, message):
    with pytest.raises(InvalidParameterError, match=message):
        _fit(steps, estimator=Ridge(), past=past)


def test_a_sequence_estimator_takes_every_step_only():
    from tsforecast import EncoderDecoderLSTM

    with pytest.raises(InvalidParameterError, match=r"covariate_steps_in must be 'auto', None or n_steps_in=6 .*got 2"):
        _fit(2, estimator=EncoderDecoderLSTM(units=2, epochs=1))


def test_auto_keeps_one_covariate_step_for_a_flattened_estimator():
    auto, X = _fit("auto", estimator=Ridge())
    one, _ = _fit(1, estimator=Ridge())
    np.testing.assert_array_equal(auto.estimator_.coef_, one.estimator_.coef_)
    pd.testing.assert_frame_equal(pd.concat(auto.predict(X=X)), pd.concat(one.predict(X=X)))
    every, _ = _fit(None, estimator=Ridge())
    assert auto.estimator_.coef_.shape[1] < every.estimator_.coef_.shape[1]


def test_auto_keeps_every_step_for_a_sequence_estimator():
    from tsforecast import EncoderDecoderLSTM

    network = EncoderDecoderLSTM(units=2, epochs=1, random_state=0, validation_fraction=0.0)
    auto, X = _fit("auto", estimator=network)
    every, _ = _fit(None, estimator=network)
    pd.testing.assert_frame_equal(pd.concat(auto.predict(X=X)), pd.concat(every.predict(X=X)))


def test_default_is_auto():
    assert WindowForecaster().covariate_steps_in == "auto"


def test_an_unknown_word_is_refused_by_name():
    with pytest.raises(InvalidParameterError, match=r"covariate_steps_in must be 'auto', None or an int >= 0; "
                                                    r"got 'all'"):
        _fit("all", estimator=Ridge())
