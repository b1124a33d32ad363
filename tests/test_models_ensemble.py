"""Tests of tsforecast.models.ensemble.MedianEnsemble."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import Ridge

import tsforecast
from tsforecast import MedianEnsemble, WindowForecaster
from tsforecast.exceptions import InvalidParameterError, ShapeMismatchError


class _Constant(RegressorMixin, BaseEstimator):
    """Predicts its random_state (so the median over members is checkable)."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.n_features_in_ = np.asarray(X).shape[1]
        return self

    def predict(self, X):
        return np.full((len(X), 2), float(self.random_state))


def _windows(n=30, n_in=6):
    series = np.arange(n + n_in + 2, dtype=float)
    X = series[np.arange(n)[:, None] + np.arange(n_in)]
    return X, series[np.arange(n)[:, None] + n_in + np.arange(2)]


def test_members_get_distinct_seeds_and_the_median_is_returned():
    X, y = _windows()
    model = MedianEnsemble(_Constant(), n_members=3, random_state=0).fit(X, y)
    seeds = sorted(m.random_state for m in model.estimators_)
    assert len(set(seeds)) == 3
    np.testing.assert_array_equal(model.predict(X[:2]), np.full((2, 2), float(seeds[1])))
    again = MedianEnsemble(_Constant(), n_members=3, random_state=0).fit(X, y)
    assert [m.random_state for m in again.estimators_] == [m.random_state for m in model.estimators_]


def test_members_read_their_input_lengths():
    X, y = _windows()
    model = MedianEnsemble(Ridge(), n_members=3, input_lengths=[6, 2]).fit(X, y)
    assert model.input_lengths_ == [6, 2, 6]
    assert [m.n_features_in_ for m in model.estimators_] == [6, 2, 6]
    assert model.predict(X).shape == y.shape


@pytest.mark.parametrize("params, error", [({"n_members": 0}, InvalidParameterError),
                                           ({"input_lengths": [7]}, InvalidParameterError),
                                           ({"input_lengths": []}, InvalidParameterError)])
def test_bad_parameters_raise_naming_them(params, error):
    X, y = _windows()
    with pytest.raises(error, match=next(iter(params))):
        MedianEnsemble(Ridge(), **params).fit(X, y)


def test_predict_checks_the_window_length():
    X, y = _windows()
    model = MedianEnsemble(Ridge(), n_members=1).fit(X, y)
    with pytest.raises(ShapeMismatchError, match="n_steps_in=6"):
        model.predict(X[:, :4])


def test_clone_keeps_parameters():
    model = MedianEnsemble(Ridge(alpha=2.0), n_members=2, input_lengths=(4,), random_state=1)
    assert clone(model).get_params()["estimator__alpha"] == 2.0


@pytest.mark.slow
def test_lstm_ensemble_in_a_forecaster_saves_and_loads(tmp_path):
    rng = np.random.default_rng(0)
    t = np.arange(120)
    y = pd.Series(10 + np.sin(2 * np.pi * t / 6) + rng.normal(0, 0.1, t.size))
    member = tsforecast.EncoderDecoderLSTM(units=4, epochs=1, batch_size=32, validation_fraction=0.0,
                                           scaling="seasonal", season_length=6, loss="mae")
    forecaster = WindowForecaster(MedianEnsemble(member, n_members=2, input_lengths=[24, 12], random_state=0),
                                  n_steps_in=24, n_steps_out=6).fit(y)
    forecast = forecaster.predict(6)
    assert forecast.shape == (6,) and np.isfinite(forecast).all()
    loaded = tsforecast.load(tsforecast.save(forecaster, tmp_path / "ensemble.tsf"))
    pd.testing.assert_series_equal(loaded.predict(6), forecast, rtol=1e-5)


def test_a_list_of_estimators_is_cycled_over_the_members_with_seeds_in_member_order():
    X, y = _windows()
    model = MedianEnsemble([_Constant(), Ridge(alpha=3.0)], n_members=3, random_state=0).fit(X, y)
    assert [type(m).__name__ for m in model.estimators_] == ["_Constant", "Ridge", "_Constant"]
    same_seeds = MedianEnsemble(_Constant(), n_members=3, random_state=0).fit(X, y)
    # Ridge has no random_state, yet a seed is drawn for its place: member i's seed depends on i alone
    assert [model.estimators_[i].random_state for i in (0, 2)] == [same_seeds.estimators_[i].random_state
                                                                   for i in (0, 2)]
    assert model.predict(X).shape == y.shape


def test_the_mean_aggregate_averages_the_members():
    X, y = _windows()
    mean = MedianEnsemble(_Constant(), n_members=3, random_state=0, aggregate="mean").fit(X, y)
    seeds = [m.random_state for m in mean.estimators_]
    np.testing.assert_allclose(mean.predict(X[:2]), np.full((2, 2), np.mean(seeds)))
    median = clone(mean).set_params(aggregate="median").fit(X, y)
    np.testing.assert_allclose(median.predict(X[:2]), np.full((2, 2), float(np.median(seeds))))
    assert np.mean(seeds) != np.median(seeds)


@pytest.mark.parametrize("estimator", [[], [Ridge(), "ridge"]])
def test_a_bad_list_of_estimators_raises_naming_it(estimator):
    X, y = _windows()
    with pytest.raises(tsforecast.exceptions.InputTypeError, match="estimator"):
        MedianEnsemble(estimator).fit(X, y)


def test_an_ensemble_of_two_designs_saves_and_loads(tmp_path):
    rng = np.random.default_rng(1)
    y = pd.Series(np.sin(np.arange(80) / 3) + rng.normal(0, 0.1, 80))
    ensemble = MedianEnsemble([Ridge(alpha=0.5), Ridge(alpha=5.0)], n_members=3, random_state=0, aggregate="mean")
    forecaster = WindowForecaster(ensemble, n_steps_in=12, n_steps_out=4).fit(y)
    loaded = tsforecast.load(tsforecast.save(forecaster, tmp_path / "mixed.tsf"))
    pd.testing.assert_series_equal(loaded.predict(4), forecaster.predict(4))
    assert [m.alpha for m in loaded.estimator_.estimators_] == [0.5, 5.0, 0.5]
    assert loaded.estimator_.aggregate == "mean"


class _Seasonal(_Constant):
    """A flat regressor with a season_length parameter (as the LSTM's: None until told)."""

    def __init__(self, random_state=None, season_length=None):
        super().__init__(random_state)
        self.season_length = season_length


def _daily(n=60):
    t = np.arange(n)
    return pd.Series(10 + 3 * np.sin(2 * np.pi * t / 7), index=pd.date_range("2024-01-01", periods=n, freq="D"))


@pytest.mark.parametrize("estimator", [_Seasonal(), [_Seasonal(), _Seasonal(random_state=1)]])
def test_the_data_s_season_reaches_every_member_left_unset(estimator):
    # a list of designs got season 1: WindowForecaster found no estimator__season_length to set
    forecaster = WindowForecaster(MedianEnsemble(estimator, n_members=3, random_state=0),
                                  n_steps_in=14, n_steps_out=2).fit(_daily())
    assert forecaster.season_length_ == 7
    assert [m.season_length for m in forecaster.estimator_.estimators_] == [7, 7, 7]


def test_a_member_s_own_season_is_kept_and_the_default_lstm_is_told(monkeypatch):
    forecaster = WindowForecaster(MedianEnsemble([_Seasonal(season_length=3), _Seasonal()], n_members=2),
                                  n_steps_in=14, n_steps_out=2).fit(_daily())
    assert [m.season_length for m in forecaster.estimator_.estimators_] == [3, 7]
    # estimator=None builds EncoderDecoderLSTM() inside fit (its training is not what is tested)
    monkeypatch.setattr(tsforecast.EncoderDecoderLSTM, "fit", lambda self, X, y: self)
    forecaster = WindowForecaster(MedianEnsemble(None, n_members=2), n_steps_in=14, n_steps_out=2).fit(_daily())
    assert [m.season_length for m in forecaster.estimator_.estimators_] == [7, 7]
    assert MedianEnsemble(None).season_length is None  # the user's ensemble is not changed


def test_season_length_is_checked_and_integer_time_leaves_members_unset():
    X, y = _windows()
    with pytest.raises(InvalidParameterError, match="season_length"):
        MedianEnsemble(_Seasonal(), season_length=0).fit(X, y)
    y_int = _daily().reset_index(drop=True)
    forecaster = WindowForecaster(MedianEnsemble([_Seasonal()], n_members=1), n_steps_in=14, n_steps_out=2).fit(y_int)
    assert forecaster.estimator_.estimators_[0].season_length is None


@pytest.mark.parametrize("shape", [(5, 0), (5, 0, 1), (5, 3, 0)])
def test_windows_without_a_step_or_feature_are_refused_naming_x(shape):
    # the error spoke of input_lengths, which the user never set
    with pytest.raises(ShapeMismatchError, match=r"X must hold windows of at least one step and feature; "
                                                 rf"found 0 feature\(s\) \(shape=\({shape[0]}, {shape[1]}"):
        MedianEnsemble(Ridge()).fit(np.empty(shape), np.zeros(5))


def test_an_aggregate_set_after_fit_is_checked_by_predict():
    X, y = _windows()
    model = MedianEnsemble(Ridge(), n_members=1).fit(X, y).set_params(aggregate="max")
    with pytest.raises(InvalidParameterError, match=r"aggregate must be one of 'median', 'mean'; got 'max'"):
        model.predict(X)


def test_dataframe_columns_are_remembered_and_checked_as_a_single_regressor_does():
    # the ensemble dropped the names and read reordered columns as the fitted ones, silently
    X, y = _windows()
    frame = pd.DataFrame(X, columns=[f"lag{i}" for i in range(X.shape[1], 0, -1)])
    model = MedianEnsemble(Ridge(), n_members=2, input_lengths=[6, 3], random_state=0).fit(frame, y)
    np.testing.assert_array_equal(model.feature_names_in_, frame.columns)
    assert model.n_features_in_ == frame.shape[1]
    with pytest.warns(UserWarning, match="fitted with feature names"):
        np.testing.assert_allclose(model.predict(frame), model.predict(X))
    with pytest.raises(tsforecast.exceptions.InvalidInputError, match="feature names should match"):
        model.predict(frame[frame.columns[::-1]])
    assert not hasattr(model.fit(X, y), "feature_names_in_")  # a refit on an array forgets them


def _two_series(n=80):
    rng = np.random.default_rng(0)
    return pd.DataFrame({"a": np.cumsum(rng.normal(size=n)), "b": np.cumsum(rng.normal(size=n))},
                        index=pd.date_range("2024-01-01", periods=n, freq="D"))


def test_input_lengths_cut_time_steps_of_every_input_not_columns_of_a_flattened_row():
    # input_lengths=[1] on two targets took the last column of the flattened row: b's latest value only
    data = _two_series()
    forecaster = WindowForecaster(MedianEnsemble(Ridge(), n_members=1, input_lengths=[1]),
                                  n_steps_in=6, n_steps_out=3).fit(data)
    assert forecaster.estimator_.estimators_[0].n_features_in_ == 2  # a and b at the forecast origin
    X, y, _ = tsforecast.make_windows(data.to_numpy(), 6, 3)
    direct = Ridge().fit(X[:, -1, :], y.reshape(len(y), -1)).predict(data.to_numpy()[-1:]).reshape(3, 2)
    np.testing.assert_allclose(forecaster.predict(3).to_numpy(), direct, rtol=1e-6, atol=1e-9)
    with_covariate = WindowForecaster(MedianEnsemble(Ridge(), n_members=1, input_lengths=[2]), n_steps_in=6,
                                      n_steps_out=3, targets="a", covariates="b").fit(data)
    assert with_covariate.estimator_.estimators_[0].n_features_in_ == 4  # 2 steps of a and b


class _Sequences(RegressorMixin, BaseEstimator):
    """A sequence regressor (3-D windows, as the LSTM) that forecasts the last input value."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        return tags

    def fit(self, X, y):
        self.input_shape_, self.target_shape_ = X.shape[1:], y.shape[1:]
        return self

    def predict(self, X):
        return np.repeat(X[:, -1:, : self.target_shape_[-1]], self.target_shape_[0], axis=1)


def test_members_of_both_kinds_each_get_the_windows_they_take():
    # with a Ridge member, the sequence member got flattened rows: [a lags..., b] read as one series
    data = _two_series()
    ensemble = MedianEnsemble([_Sequences(), Ridge()], n_members=2, aggregate="mean")
    forecaster = WindowForecaster(ensemble, n_steps_in=6, n_steps_out=3, targets="a", covariates="b").fit(data)
    sequence, rows = forecaster.estimator_.estimators_
    assert sequence.input_shape_ == (6, 2) and rows.n_features_in_ == 12
    X, y, _ = tsforecast.make_windows(data.to_numpy(), 6, 3, targets=[0])
    last = data.to_numpy()[-6:]
    ridge = Ridge().fit(X.reshape(len(X), -1), y[:, :, 0]).predict(last.reshape(1, -1))[0]
    np.testing.assert_allclose(forecaster.predict(3).to_numpy().ravel(), (last[-1, 0] + ridge) / 2, rtol=1e-6)


def test_an_ensemble_of_row_members_takes_sequences_only_to_cut_steps():
    assert not MedianEnsemble(Ridge()).__sklearn_tags__().input_tags.three_d_array  # rows as before
    assert MedianEnsemble(Ridge(), input_lengths=[2]).__sklearn_tags__().input_tags.three_d_array
    assert MedianEnsemble([Ridge(), _Sequences()]).__sklearn_tags__().input_tags.three_d_array
    X, y, _ = tsforecast.make_windows(_two_series().to_numpy(), 6, 3)
    model = MedianEnsemble(Ridge(), n_members=2, input_lengths=[6, 2]).fit(X, y)
    assert [m.n_features_in_ for m in model.estimators_] == [12, 4]
    assert model.predict(X[:4]).shape == (4, 3, 2)


def test_input_lengths_shorter_than_the_future_covariates_shift_are_refused():
    # future covariates reach the window shifted by n_steps_out=3: a member reading the last 2 steps
    # never saw step 1's value, and the ensemble forecast silently without it
    rng = np.random.default_rng(0)
    index = pd.date_range("2024-01-01", periods=60, freq="D")
    data = pd.DataFrame({"y": rng.normal(size=60).cumsum(), "fut": rng.normal(size=60)}, index=index)
    short = WindowForecaster(MedianEnsemble(Ridge(), n_members=2, input_lengths=[4, 2]), n_steps_in=10,
                             n_steps_out=3, future_covariates="fut")
    with pytest.raises(InvalidParameterError, match=r"input_lengths.*>= n_steps_out=3.*\[4, 2\].*2 < 3"):
        short.fit(data[["y"]], data[["fut"]])
    enough = WindowForecaster(MedianEnsemble(Ridge(), n_members=1, input_lengths=[3]), n_steps_in=10,
                              n_steps_out=3, future_covariates="fut").fit(data[["y"]], data[["fut"]])
    assert enough.estimator_.input_lengths_ == [3]
    # without future covariates nothing is shifted: any length is read as it is
    WindowForecaster(MedianEnsemble(Ridge(), n_members=1, input_lengths=[2]), n_steps_in=10, n_steps_out=3).fit(
        data[["y"]])
