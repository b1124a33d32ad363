"""Tests of tsforecast.forecasters.window.WindowForecaster.

Most tests use Ridge on noise-free signals a linear window model reproduces exactly
(a sinusoid plus a level obeys a 3-term linear recurrence without intercept), so a
forecast that is off by more than round-off means a wrong window, a window crossing two
series, a misplaced covariate or a wrong timestamp. LSTM tests are tiny: they check the
plumbing (shapes, index, quantiles, history), not accuracy.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.linear_model import Ridge, SGDRegressor

from tsforecast import WindowForecaster
from tsforecast.exceptions import (
    FallbackWarning,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    NotFittedError,
    UnknownColumnError,
)

W = 2 * np.pi / 12  # a period of 12 steps


def sine(t, level=0.0, amplitude=1.0):
    return level + amplitude * np.sin(W * np.asarray(t, dtype=float))


def exact_ridge():
    # No intercept: the recurrence x_t = (1 + 2cos w) x_{t-1} - (1 + 2cos w) x_{t-2} + x_{t-3}
    # holds for any level and amplitude, so one global model fits every series exactly.
    return Ridge(alpha=1e-10, fit_intercept=False)


def make_index(kind: str, n: int, start: int = 0):
    if kind == "datetime":
        return pd.date_range("2024-01-01", periods=n + start, freq="h")[start:]
    return pd.RangeIndex(start, start + n)


# ---------------------------------------------------------------------------- single series


@pytest.mark.parametrize("index_kind", ["datetime", "range"])
def test_ridge_single_series_forecasts_exactly_on_future_index(index_kind):
    n = 120
    y = pd.Series(sine(np.arange(n), level=5), index=make_index(index_kind, n), name="load")
    model = WindowForecaster(exact_ridge(), n_steps_in=6, n_steps_out=4).fit(y)
    forecast = model.predict()
    assert isinstance(forecast, pd.Series) and forecast.name == "load"
    assert forecast.index.equals(make_index(index_kind, 4, start=n))
    np.testing.assert_allclose(forecast.to_numpy(), sine(np.arange(n, n + 4), level=5), atol=1e-6)
    assert model.n_windows_ == n - 6 - 4 + 1


def test_dataframe_input_gives_dataframe_and_multiple_targets():
    n = 100
    t = np.arange(n)
    y = pd.DataFrame({"a": sine(t, 3), "b": sine(t + 3, -2, 2)}, index=make_index("datetime", n))
    forecast = WindowForecaster(exact_ridge(), n_steps_in=6, n_steps_out=3).fit(y).predict()
    assert list(forecast.columns) == ["a", "b"]
    np.testing.assert_allclose(forecast["a"], sine(np.arange(n, n + 3), 3), atol=1e-6)
    np.testing.assert_allclose(forecast["b"], sine(np.arange(n + 3, n + 6), -2, 2), atol=1e-6)


def test_recursive_horizon_longer_than_n_steps_out():
    n = 100
    y = pd.Series(sine(np.arange(n), level=1), index=make_index("range", n))
    model = WindowForecaster(exact_ridge(), n_steps_in=6, n_steps_out=4).fit(y)
    forecast = model.predict(horizon=22)
    assert len(forecast) == 22 and forecast.index.equals(pd.RangeIndex(n, n + 22))
    np.testing.assert_allclose(forecast.to_numpy(), sine(np.arange(n, n + 22), level=1), atol=1e-5)
    # The first block is the direct forecast; a shorter horizon is its prefix.
    np.testing.assert_array_equal(model.predict(4).to_numpy(), forecast.to_numpy()[:4])
    np.testing.assert_array_equal(model.predict(3).to_numpy(), forecast.to_numpy()[:3])


def test_recursion_feeds_back_forecasts_not_zeros():
    # A random walk-like series: the 2nd block must continue from the 1st block's values.
    y = pd.Series(np.arange(60.0) * 2.0 + 7.0)
    model = WindowForecaster(Ridge(alpha=1e-10), n_steps_in=3, n_steps_out=2).fit(y)
    np.testing.assert_allclose(model.predict(7).to_numpy(), 7.0 + 2.0 * np.arange(60, 67), atol=1e-6)


# ---------------------------------------------------------------------------- panels


def two_series_panel(n_a=90, n_b=70):
    """Two series of very different levels and lengths, hourly."""
    a = pd.Series(sine(np.arange(n_a), level=0.0), index=make_index("datetime", n_a), name="y")
    b = pd.Series(sine(np.arange(n_b) + 5, level=1000.0, amplitude=50.0), index=make_index("datetime", n_b), name="y")
    return {"a": a, "b": b}


def test_panel_long_frame_windows_never_cross_series():
    series = two_series_panel()
    panel = pd.concat(
        [pd.DataFrame({"unique_id": k, "ds": s.index, "y": s.to_numpy()}) for k, s in series.items()],
        ignore_index=True,
    )
    model = WindowForecaster(exact_ridge(), n_steps_in=6, n_steps_out=4).fit(panel)
    # A window across the join (level 0 -> 1000) would ruin the exact fit.
    assert model.n_windows_ == (90 - 9) + (70 - 9)
    forecast = model.predict()
    assert list(forecast.columns) == ["unique_id", "ds", "y"]
    got_a = forecast[forecast.unique_id == "a"]
    got_b = forecast[forecast.unique_id == "b"]
    assert list(got_a.ds) == list(make_index("datetime", 4, start=90))
    assert list(got_b.ds) == list(make_index("datetime", 4, start=70))
    np.testing.assert_allclose(got_a.y, sine(np.arange(90, 94)), atol=1e-6)
    np.testing.assert_allclose(got_b.y, sine(np.arange(70, 74) + 5, 1000.0, 50.0), atol=1e-5)


def test_panel_dict_answers_as_dict():
    series = two_series_panel()
    forecast = WindowForecaster(exact_ridge(), n_steps_in=6, n_steps_out=4).fit(series).predict(6)
    assert isinstance(forecast, dict) and list(forecast) == ["a", "b"]
    assert isinstance(forecast["a"], pd.Series)
    np.testing.assert_allclose(forecast["b"], sine(np.arange(70, 76) + 5, 1000.0, 50.0), atol=1e-4)


def test_panel_series_too_short_for_training_is_still_forecast():
    series = two_series_panel()
    series["c"] = pd.Series(sine(np.arange(8), 10.0), index=make_index("datetime", 8), name="y")
    model = WindowForecaster(exact_ridge(), n_steps_in=6, n_steps_out=4).fit(series)
    assert model.n_windows_ == (90 - 9) + (70 - 9)
    np.testing.assert_allclose(model.predict()["c"], sine(np.arange(8, 12), 10.0), atol=1e-5)


def test_panel_series_shorter_than_input_window_is_an_error():
    series = two_series_panel()
    series["c"] = pd.Series([1.0, 2.0, 3.0], index=make_index("datetime", 3))
    with pytest.raises(InsufficientDataError, match="'c'"):
        WindowForecaster(exact_ridge(), n_steps_in=6, n_steps_out=4).fit(series)


# ---------------------------------------------------------------------------- covariates


def covariate_data(n=80, extra=10, seed=0):
    rng = np.random.default_rng(seed)
    index = make_index("datetime", n + extra)
    c = rng.normal(size=n + extra)
    X_all = pd.DataFrame({"price": c}, index=index)
    y = pd.Series(3.0 * c[:n], index=index[:n], name="y")
    return y, X_all


def test_future_covariates_enter_for_the_forecast_steps():
    # y_t = 3 * price_t with random prices: only the future prices can explain y.
    y, X_all = covariate_data()
    model = WindowForecaster(Ridge(alpha=1e-8), n_steps_in=4, n_steps_out=3, future_covariates="price")
    model.fit(y, X_all.iloc[:80])
    forecast = model.predict(X=X_all)
    np.testing.assert_allclose(forecast.to_numpy(), 3.0 * X_all["price"].to_numpy()[80:83], atol=1e-4)
    # Recursive: the forecasts and future prices are fed back.
    forecast = model.predict(horizon=8, X=X_all.iloc[80:])
    np.testing.assert_allclose(forecast.to_numpy(), 3.0 * X_all["price"].to_numpy()[80:88], atol=1e-4)
    assert model.future_covariates_ == ["price"] and model.past_covariates_ == []


def test_future_covariates_required_at_predict():
    y, X_all = covariate_data()
    model = WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=3, future_covariates=["price"]).fit(y, X_all)
    with pytest.raises(InsufficientDataError, match="price"):
        model.predict()
    with pytest.raises(UnknownColumnError, match="price"):
        model.predict(X=X_all.rename(columns={"price": "cost"}))
    with pytest.raises(InsufficientDataError, match="lacks 2 of the 3 forecast timestamps"):
        model.predict(X=X_all.iloc[:81])


def test_past_covariates_use_the_input_window_only():
    # y_t = 2 * driver_{t-1}: the last observed driver gives the next value.
    rng = np.random.default_rng(1)
    index = make_index("range", 60)
    driver = rng.normal(size=60)
    y = pd.Series(np.r_[0.0, 2.0 * driver[:-1]], index=index, name="y")
    X = pd.DataFrame({"driver": driver}, index=index)
    model = WindowForecaster(Ridge(alpha=1e-8), n_steps_in=3, n_steps_out=1).fit(y, X)
    assert model.past_covariates_ == ["driver"]
    np.testing.assert_allclose(model.predict().to_numpy(), [2.0 * driver[-1]], atol=1e-4)
    with pytest.raises(InvalidParameterError, match="past-observed covariates"):
        model.predict(horizon=2)


def test_covariate_columns_inside_y_and_explicit_roles():
    y, X_all = covariate_data()
    frame = pd.DataFrame({"y": y, "price": X_all["price"].iloc[:80], "noise": 0.0})
    model = WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=3, targets="y", covariates=[],
                             future_covariates="price").fit(frame)
    assert (model.target_names_, model.past_covariates_) == (["y"], [])
    forecast = model.predict(X=X_all)
    assert list(forecast.columns) == ["y"]


def test_panel_with_future_covariates():
    rng = np.random.default_rng(2)
    frames, xs = {}, {}
    for key, n in (("a", 50), ("b", 40)):
        index = make_index("datetime", n + 5)
        price = rng.normal(size=n + 5)
        frames[key] = pd.Series(3.0 * price[:n], index=index[:n], name="y")
        xs[key] = pd.DataFrame({"price": price}, index=index)
    model = WindowForecaster(Ridge(alpha=1e-8), n_steps_in=4, n_steps_out=2, future_covariates="price")
    model.fit(frames, {k: x.iloc[: len(frames[k])] for k, x in xs.items()})
    forecast = model.predict(X=xs)
    for key in frames:
        expected = 3.0 * xs[key]["price"].to_numpy()[len(frames[key]) : len(frames[key]) + 2]
        np.testing.assert_allclose(forecast[key].to_numpy(), expected, atol=1e-4)
    with pytest.raises(InvalidInputError, match="X has no series 'b'"):  # as fit and update say it
        model.predict(X={"a": xs["a"]})


def test_x_must_cover_y_and_match_its_form():
    y, X_all = covariate_data()
    with pytest.raises(InsufficientDataError, match="timestamps of y"):
        WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=3).fit(y, X_all.iloc[5:])
    with pytest.raises(InvalidInputError, match="same form"):
        WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=3).fit(y, {"a": X_all})
    with pytest.raises(InvalidInputError, match="share column"):
        WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=3).fit(y, X_all.rename(columns={"price": "y"}))


# ---------------------------------------------------------------------------- update, warm start


def test_update_moves_the_forecast_origin_without_refitting():
    n = 150
    y = pd.Series(sine(np.arange(n), 2.0), index=make_index("datetime", n), name="y")
    model = WindowForecaster(exact_ridge(), n_steps_in=6, n_steps_out=4).fit(y.iloc[:100])
    coef = model.estimator_.coef_.copy()
    forecast = model.update(y).predict()
    np.testing.assert_array_equal(model.estimator_.coef_, coef)
    assert forecast.index[0] == y.index[-1] + y.index.freq
    np.testing.assert_allclose(forecast.to_numpy(), sine(np.arange(n, n + 4), 2.0), atol=1e-6)
    # A new series: the model is global.
    other = pd.Series(sine(np.arange(30), 50.0, 3.0), index=make_index("range", 30), name="y")
    np.testing.assert_allclose(model.update(other).predict(), sine(np.arange(30, 34), 50.0, 3.0), atol=1e-5)
    with pytest.raises(InsufficientDataError):
        model.update(other.iloc[:3])


def test_warm_start_estimator_is_kept_across_fits():
    y = pd.Series(sine(np.arange(80), 1.0), index=make_index("range", 80))
    model = WindowForecaster(SGDRegressor(warm_start=True, max_iter=5, tol=None, random_state=0),
                             n_steps_in=4, n_steps_out=1).fit(y)
    first = model.estimator_
    assert model.fit(y).estimator_ is first
    cold = WindowForecaster(SGDRegressor(max_iter=5, tol=None, random_state=0), n_steps_in=4, n_steps_out=1).fit(y)
    first = cold.estimator_
    assert cold.fit(y).estimator_ is not first


def test_clone_and_params():
    model = WindowForecaster(Ridge(alpha=2.0), n_steps_in=5, n_steps_out=2, future_covariates=["x"])
    copy = clone(model)
    assert copy.get_params()["estimator__alpha"] == 2.0
    assert copy.get_params()["future_covariates"] == ["x"]
    assert not hasattr(copy, "estimator_")
    assert WindowForecaster.fits_globally and WindowForecaster.uses_covariates


# ---------------------------------------------------------------------------- bad input


@pytest.fixture
def fitted():
    y = pd.Series(sine(np.arange(60), 1.0), index=make_index("datetime", 60), name="y")
    return WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=3).fit(y), y


def test_unfitted_predict_raises_not_fitted():
    with pytest.raises(NotFittedError):
        WindowForecaster(Ridge()).predict(3)
    with pytest.raises(NotFittedError):
        WindowForecaster(Ridge()).update(pd.Series(np.arange(30.0)))


@pytest.mark.parametrize("horizon", [0, -2])
def test_horizon_must_be_positive(fitted, horizon):
    with pytest.raises(InvalidParameterError, match=f"horizon must be >= 1; got {horizon}"):
        fitted[0].predict(horizon)


def test_unknown_target_and_covariate():
    y = pd.Series(np.arange(50.0), name="y")
    with pytest.raises(UnknownColumnError, match="'sales'"):
        WindowForecaster(Ridge(), n_steps_in=3, n_steps_out=1, targets="sales").fit(y)
    with pytest.raises(UnknownColumnError, match="'temp'"):
        WindowForecaster(Ridge(), n_steps_in=3, n_steps_out=1, future_covariates="temp").fit(y)
    with pytest.raises(InvalidParameterError, match="two roles"):
        WindowForecaster(Ridge(), n_steps_in=3, n_steps_out=1, targets="y", covariates="y").fit(y)


def test_too_short_series():
    with pytest.raises(InsufficientDataError, match="at least 6"):
        WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=3).fit(pd.Series(np.arange(4.0)))
    with pytest.raises(InsufficientDataError, match="n_steps_in \\+ n_steps_out = 9"):
        WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=3).fit(pd.Series(np.arange(8.0)))


@pytest.mark.parametrize("param, value", [("n_steps_in", 0), ("n_steps_out", -1), ("fill", "zero")])
def test_invalid_parameters(param, value):
    with pytest.raises(InvalidParameterError, match=param):
        WindowForecaster(Ridge(), **{param: value}).fit(pd.Series(np.arange(50.0)))


def test_wrong_columns_at_update(fitted):
    model, y = fitted
    with pytest.raises(UnknownColumnError, match="'y'"):
        model.update(y.rename("other"))


def test_nan_in_y_is_refused_or_filled():
    y = pd.Series(np.sin(np.arange(50.0)))
    y.iloc[10] = np.nan
    with pytest.raises(InvalidInputError, match="NaN"):
        WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=2).fit(y)
    WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=2, fill="interpolate").fit(y).predict()


def test_quantiles_need_a_quantile_estimator(fitted):
    model, _ = fitted
    assert not model.supports_quantiles
    with pytest.raises(InvalidParameterError, match="supports_quantiles"):
        model.predict_quantiles(3)
    assert not hasattr(model, "history_")


# ---------------------------------------------------------------------------- LSTM


def tiny_lstm(**params):
    from tsforecast import EncoderDecoderLSTM

    defaults = dict(units=4, epochs=2, batch_size=64, random_state=0)
    return EncoderDecoderLSTM(**{**defaults, **params})


@pytest.mark.slow
def test_lstm_single_series_with_quantiles_and_history():
    y = pd.Series(sine(np.arange(80), 5.0), index=make_index("datetime", 80), name="y")
    model = WindowForecaster(tiny_lstm(quantiles=(0.1, 0.5, 0.9)), n_steps_in=8, n_steps_out=4).fit(y)
    assert model.supports_quantiles
    assert set(model.history_) >= {"loss"} and len(model.history_["loss"]) >= 1
    forecast = model.predict(6)  # recursive: 2 blocks
    assert forecast.index.equals(make_index("datetime", 6, start=80)) and np.isfinite(forecast).all()
    bands = model.predict_quantiles(4)  # one block: the quantile heads
    assert list(bands.columns) == ["q0.1", "q0.5", "q0.9"]
    np.testing.assert_allclose(bands["q0.5"], forecast.iloc[:4], rtol=1e-6)
    assert (bands["q0.1"] <= bands["q0.9"]).all()
    assert list(model.predict_quantiles(4, quantiles=[0.9]).columns) == ["q0.9"]
    with pytest.raises(InvalidParameterError, match="not trained"):
        model.predict_quantiles(4, quantiles=[0.25])
    with pytest.warns(FallbackWarning, match="n_steps_out=4"):  # past one block: conformal
        assert list(model.predict_quantiles(6).columns) == ["q0.1", "q0.5", "q0.9"]


@pytest.mark.slow
def test_lstm_panel_with_future_covariates():
    rng = np.random.default_rng(3)
    index = make_index("range", 45)
    xs = {k: pd.DataFrame({"hour": (np.arange(45) % 12).astype(float), "promo": rng.normal(size=45)}, index=index)
          for k in ("a", "b")}
    frames = {"a": pd.Series(sine(np.arange(40)), index=index[:40], name="y"),
              "b": pd.Series(sine(np.arange(40), 100.0, 10.0), index=index[:40], name="y")}
    model = WindowForecaster(tiny_lstm(scaling="window"), n_steps_in=6, n_steps_out=3, future_covariates="hour")
    model.fit(frames, {k: x.iloc[:40] for k, x in xs.items()})
    assert model.past_covariates_ == ["promo"]
    # targets, promo, hour, and hour shifted by n_steps_out
    assert model._feature_shape_ == (6, 4)
    forecast = model.predict(X={k: x[["hour"]] for k, x in xs.items()})
    assert list(forecast["b"].index) == [40, 41, 42] and np.isfinite(forecast["b"]).all()
    with pytest.raises(InsufficientDataError, match="hour"):
        model.predict()


def test_lstm_future_covariates_need_long_enough_input_window():
    y, X_all = covariate_data(n=40)
    model = WindowForecaster(tiny_lstm(), n_steps_in=2, n_steps_out=3, future_covariates="price")
    with pytest.raises(InvalidParameterError, match="n_steps_in must be >= n_steps_out"):
        model.fit(y, X_all)


@pytest.mark.slow
def test_default_estimator_is_the_lstm():
    from tsforecast import EncoderDecoderLSTM

    y = pd.Series(sine(np.arange(60), 5.0), name="y")
    model = WindowForecaster(n_steps_in=6, n_steps_out=2)
    model.set_params(n_steps_in=6)
    model.fit(y.iloc[:40])  # default epochs, early stopping keeps it short on tiny data
    assert isinstance(model.estimator_, EncoderDecoderLSTM)
    assert model.estimator_.get_params() == EncoderDecoderLSTM().get_params()  # its own defaults
    # scaling="auto" chose on the validation tail: a linear map of 6 lags reproduces a sine exactly
    # (error ~0.001), which the (seasonal) naive reference, at season 1 here, does not (~0.6)
    assert model.estimator_.scaling_ == "linear"
    assert model.estimator_.reference_scores_["linear"] < model.estimator_.reference_scores_["seasonal"]
    assert len(model.predict()) == 2


def test_predict_ignores_other_columns_of_x():
    # Past-observed covariates are unknown after the cutoff (NaN); only future ones are read.
    y, X_all = covariate_data()
    X_all["temp"] = np.r_[np.random.default_rng(4).normal(size=80), np.full(10, np.nan)]
    model = WindowForecaster(Ridge(alpha=1e-8), n_steps_in=4, n_steps_out=3, future_covariates="price")
    model.fit(y, X_all.iloc[:80])
    assert model.past_covariates_ == ["temp"]
    panel_x = X_all.rename_axis("ds").reset_index().assign(unique_id="s")
    forecast = model.predict(X=X_all)
    assert np.isfinite(forecast).all() and len(forecast) == 3
    with pytest.raises(InvalidInputError, match="same form"):
        model.predict(X=panel_x)


def test_failed_update_keeps_the_previous_inputs(fitted):
    model, y = fitted
    before = model.predict()
    with pytest.raises(UnknownColumnError):
        model.update({"a": y.rename("other"), "b": y.rename("other")})
    pd.testing.assert_series_equal(model.predict(), before)


class _Recorder(BaseEstimator, RegressorMixin):
    """A regressor that remembers the windows it was fitted on (in their order)."""

    def fit(self, X, y):
        self.X_, self.y_ = np.asarray(X), np.asarray(y)
        return self

    def predict(self, X):
        return np.zeros((len(X), 2))


def test_panel_windows_reach_the_estimator_in_origin_time_order():
    # Series "b" starts later and sits at 1000+: its windows must interleave with a's by time,
    # so that a chronological validation tail (early stopping) holds the latest windows of both.
    index_a = pd.date_range("2024-01-01", periods=30, freq="h")
    index_b = pd.date_range("2024-01-01 10:00", periods=20, freq="h")
    data = {"a": pd.Series(np.arange(30.0), index=index_a, name="y"),
            "b": pd.Series(1000 + np.arange(20.0), index=index_b, name="y")}
    model = WindowForecaster(_Recorder(), n_steps_in=3, n_steps_out=2).fit(data)
    last_inputs = model.estimator_.X_[:, -1]  # the value at each window's origin
    origin_hours = np.where(last_inputs >= 1000, last_inputs - 1000 + 10, last_inputs)
    assert np.all(np.diff(origin_hours) >= 0)
    tail = last_inputs[-6:]
    assert (tail < 1000).any() and (tail >= 1000).any()


# ---------------------------------------------------------------------------- one values array
def _windows_series_by_series(frames: dict, n_in: int, n_out: int, n_targets: int, n_future: int, stride: int,
                              max_windows):
    """The reference: each series windowed alone by the public make_windows, the kept
    windows chosen back from the latest, all of them ordered by origin time."""
    from tsforecast import make_windows

    features, targets, origins = [], [], []
    for frame in frames.values():
        array = frame.to_numpy()
        if len(array) < n_in + n_out:
            continue
        past, target, _ = make_windows(array, n_in, n_out, targets=list(range(n_targets)))
        future = make_windows(array, n_in, n_out, targets=list(range(array.shape[1] - n_future, array.shape[1]))).y \
            if n_future else np.zeros((len(past), n_out, 0))
        keep = np.arange(len(past) - 1, -1, -stride)[:max_windows][::-1]
        n = keep.size
        features.append(np.concatenate([past[keep].reshape(n, -1), future[keep].reshape(n, -1)], axis=1))
        targets.append(target[keep].reshape(n, -1))
        index = frame.index
        stamps = index.as_unit("ns").asi8 if isinstance(index, pd.DatetimeIndex) else np.asarray(index)
        origins.append(stamps[keep + n_in - 1])
    order = np.argsort(np.concatenate(origins), kind="stable")
    return np.concatenate(features)[order], np.concatenate(targets)[order]


@pytest.mark.parametrize("freq", ["h", "MS", None, "mixed"])
@pytest.mark.parametrize("stride, max_windows, future", [(1, None, None), (3, 4, ["f"])])
@pytest.mark.parametrize("in_x", [False, True])
def test_panel_windows_equal_the_per_series_windows(freq, stride, max_windows, future, in_x):
    # Every input form goes through one values array (covariates in X aligned into it);
    # its windows equal those cut series by series, in the same order (origin time).
    rng = np.random.default_rng(0)
    data = {}
    for i, n in enumerate([30, 12, 45, 20]):
        kind = (None if i % 2 else "h") if freq == "mixed" else freq
        index = pd.RangeIndex(5 * i, 5 * i + n) if kind is None else pd.date_range(f"2020-0{1 + i}-01", periods=n,
                                                                                    freq=kind)
        data[f"s{i}"] = pd.DataFrame(rng.normal(size=(n, 3)), columns=["y", "c", "f"], index=index)
    recorder = _Recorder()
    # Rows cut series by series hold every input step of each covariate: covariate_steps_in=None.
    model = WindowForecaster(recorder, n_steps_in=6, n_steps_out=3, window_stride=stride, max_windows=max_windows,
                             future_covariates=future, covariate_steps_in=None)
    if in_x:
        model.fit({k: v[["y"]] for k, v in data.items()}, {k: v[["c", "f"]] for k, v in data.items()})
    else:
        model.fit(data)
    n_future = len(future or [])
    n_targets = 1 if in_x else 3 - n_future  # y's columns not named as covariates are targets
    expected_features, expected_targets = _windows_series_by_series(data, 6, 3, n_targets, n_future, stride,
                                                                     max_windows)
    np.testing.assert_array_equal(model.estimator_.X_, expected_features)
    np.testing.assert_array_equal(model.estimator_.y_, expected_targets)
    for key, frame in data.items():
        np.testing.assert_array_equal(model._last_inputs_[key], frame.to_numpy()[-6:])


def test_panel_path_names_the_first_series_with_an_overflowing_value():
    from sklearn.linear_model import Ridge

    data = {key: pd.Series(np.arange(20.0)) for key in ("a", "b", "c")}
    data["b"].iloc[5] = 1e200
    data["c"].iloc[5] = 1e300
    with pytest.raises(InvalidInputError, match=r"y series 'b' column 'y' holds values as large as 1e\+200"):
        WindowForecaster(Ridge(), n_steps_in=4, n_steps_out=2).fit(data)


# ---------------------------------------------------------------------------
# the season of the data's frequency reaches the LSTM (its defaults derive the rest)


def hourly_load(n_days: int, seed: int = 0) -> pd.Series:
    """A strongly seasonal hourly load: a morning and an evening peak, 20% lower on weekends, noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(24 * n_days)
    hour, day = t % 24, t // 24
    profile = 1 + 0.3 * np.exp(-((hour - 9) / 2.5) ** 2) + 0.45 * np.exp(-((hour - 19) / 3) ** 2)
    level = 100 * np.where(day % 7 >= 5, 0.8, 1.0) * profile
    index = pd.date_range("2024-01-01", periods=t.size, freq="h")
    return pd.Series(level + rng.normal(0, 4, t.size), index=index, name="load")


@pytest.mark.slow
@pytest.mark.parametrize(
    "index, estimator_season, expected",
    [
        ("h", None, (24, 24)),  # derived from the frequency
        ("30min", None, (48, 48)),
        ("h", 12, (24, 12)),  # the user's season wins
        ("range", None, (1, None)),  # integer time: no frequency, nothing set
    ],
)
def test_season_of_the_frequency_reaches_an_unset_lstm(index, estimator_season, expected):
    from tsforecast import MedianEnsemble

    y = hourly_load(4)
    y.index = pd.RangeIndex(len(y)) if index == "range" else pd.date_range("2024-01-01", periods=len(y), freq=index)
    lstm = tiny_lstm(epochs=1, season_length=estimator_season)
    model = WindowForecaster(lstm, n_steps_in=48, n_steps_out=6, window_stride=6).fit(y)
    assert (model.season_length_, model.estimator_.season_length) == expected
    assert lstm.season_length == estimator_season  # the user's estimator is not changed
    assert model.estimator_.segment_length_ == (expected[1] if expected[1] and 3 * expected[1] <= 48 else 4)
    if index != "h" or estimator_season is not None:
        return
    # the members of an ensemble are told too
    ensemble = WindowForecaster(MedianEnsemble(tiny_lstm(epochs=1), n_members=2, random_state=0),
                                n_steps_in=48, n_steps_out=6, window_stride=6).fit(y)
    assert ensemble.estimator_.get_params()["estimator__season_length"] == 24


@pytest.mark.slow
def test_default_lstm_beats_seasonal_naive_on_hourly_load():
    """The defaults, on 4 weeks of a strongly seasonal hourly series, forecast the next
    7 days (one day at a time from the actual past, no refit) better than SeasonalNaive(24)."""
    from tsforecast import EncoderDecoderLSTM
    from tsforecast.baselines import SeasonalNaive

    y = hourly_load(35)
    train_days = 28
    model = WindowForecaster(EncoderDecoderLSTM(random_state=0), n_steps_in=168, n_steps_out=24, window_stride=4)
    model.fit(y.iloc[: 24 * train_days])
    fitted = model.estimator_
    assert (fitted.scaling_, fitted.season_length_, fitted.segment_length_) == ("seasonal", 24, 24)
    lstm, snaive = [], []
    for day in range(train_days, 35):
        past, actual = y.iloc[: 24 * day], y.iloc[24 * day : 24 * (day + 1)].to_numpy()
        lstm.append(np.abs(model.update(past).predict(24).to_numpy().ravel() - actual).mean())
        snaive.append(np.abs(SeasonalNaive(24).fit(past).predict(24).to_numpy().ravel() - actual).mean())
    # measured: MAE 5.3 against 9.6 (noise alone: 3.2); the margin leaves room for other CPUs' arithmetic
    assert np.mean(lstm) < 0.75 * np.mean(snaive)


def test_warm_start_takes_the_parameters_set_since_and_says_when_it_cannot_continue():
    """The fitted estimator was reused with its old parameters (set_params(estimator__max_iter=...)
    changed nothing), and windows of another shape started afresh without a word."""
    y = pd.Series(sine(np.arange(80), 1.0), index=make_index("range", 80))
    model = WindowForecaster(SGDRegressor(warm_start=True, max_iter=5, tol=None, random_state=0),
                             n_steps_in=4, n_steps_out=1).fit(y)
    first = model.estimator_
    model.set_params(estimator__max_iter=9).fit(y)
    assert model.estimator_ is first and model.estimator_.max_iter == 9 and model.estimator_.n_iter_ == 9
    with pytest.warns(UserWarning, match=r"warm_start: the windows now have shape .* it starts from new weights"):
        model.set_params(n_steps_in=6).fit(y)
    assert model.estimator_ is not first


def test_empty_targets_and_a_derived_season_too_long_for_the_window_are_named():
    """targets=[] reached Ridge's raw 'Found array with 0 feature(s)'; a season derived from
    the data's frequency was blamed as if given ('got season_length=7 with n_steps_in=5')."""
    from tsforecast import EncoderDecoderLSTM

    daily = pd.DataFrame({"a": sine(np.arange(120), 5.0)}, index=pd.date_range("2024-01-01", periods=120, freq="D"))
    with pytest.raises(InvalidParameterError, match=r"targets must name at least one column to forecast; got \[\]"):
        WindowForecaster(Ridge(), n_steps_in=5, n_steps_out=3, targets=[]).fit(daily)
    weekly = {"sun": pd.Series(np.arange(30.0), pd.date_range("2024-01-07", periods=30, freq="W-SUN")),
              "wed": pd.Series(np.arange(30.0), pd.date_range("2024-01-03", periods=30, freq="W-WED"))}
    assert WindowForecaster(Ridge(), n_steps_in=5, n_steps_out=3).fit(weekly).season_length_ == 52  # was 1
    lstm = EncoderDecoderLSTM(units=4, epochs=1, scaling="seasonal", random_state=0)
    with pytest.raises(InvalidParameterError, match=r"the data's season, 52 steps \(from its series' frequencies "
                                                    r"'W-SUN', 'W-WED'\), does not fit"):
        WindowForecaster(lstm, n_steps_in=5, n_steps_out=3).fit(weekly)
    with pytest.raises(InvalidParameterError, match=r"the data's season, 7 steps \(from its frequency 'D'\), does not "
                                                    r"fit the input window n_steps_in=5"):
        WindowForecaster(lstm, n_steps_in=5, n_steps_out=3).fit(daily)


def test_a_derived_season_too_long_for_an_ensemble_member_s_input_is_named():
    """A seasonal LSTM in a MedianEnsemble list (get_params cannot reach it) or reading fewer
    input_lengths steps got the data's season and blamed the caller: 'season_length must be
    smaller than the input window ... got season_length=7 with n_steps_in=6'."""
    from tsforecast import EncoderDecoderLSTM, MedianEnsemble

    daily = pd.Series(sine(np.arange(60), 5.0), index=pd.date_range("2024-01-01", periods=60, freq="D"))
    lstm = EncoderDecoderLSTM(units=4, epochs=1, scaling="seasonal", random_state=0)
    listed = MedianEnsemble([lstm, Ridge()], n_members=2)
    with pytest.raises(InvalidParameterError, match=r"the data's season, 7 steps \(from its frequency 'D'\), does not "
                                                    r"fit the input window n_steps_in=6"):
        WindowForecaster(listed, n_steps_in=6, n_steps_out=3).fit(daily)
    cut = MedianEnsemble(lstm, n_members=2, input_lengths=[10, 5])
    with pytest.raises(InvalidParameterError, match=r"the data's season, 7 steps \(from its frequency 'D'\), does not "
                                                    r"fit the 5 input steps \(input_lengths\) of an ensemble member "
                                                    r"that scaling='seasonal' reads it from: give input_lengths > 7"):
        WindowForecaster(cut, n_steps_in=10, n_steps_out=3).fit(daily)


def test_a_half_imported_models_package_is_no_error_for_a_scikit_learn_regressor(monkeypatch):
    """In a Dask worker one thread may still be importing tsforecast.models (Keras takes
    seconds) while another asks whether a Ridge takes 3-D windows: the half-initialised
    module lacked EncoderDecoderLSTM and every task of that model failed (AttributeError)."""
    import sys
    import types

    from tsforecast.core.window_features import takes_sequences

    for name in ("tsforecast.models", "tsforecast.models.estimator"):
        monkeypatch.setitem(sys.modules, name, types.ModuleType(name))  # as mid-import: no class yet
    assert takes_sequences(Ridge()) is False
