"""Tests of the per-window scalings added for global models over many series
(``scaling="mean"`` and ``scaling="seasonal"`` of EncoderDecoderLSTM)."""

from __future__ import annotations

import numpy as np
import pytest

from tsforecast.exceptions import InvalidParameterError
from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.scaling import MeanWindowScaler, SeasonalWindowScaler, make_scaler, seasonal_naive_beats_naive

M, N_IN, N_OUT = 4, 12, 6


def _windows(n: int = 40, seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)[:, None] + np.arange(N_IN + N_OUT)
    values = 5 + np.sin(2 * np.pi * t / M) * rng.uniform(0.5, 2, (n, 1)) + rng.normal(0, 0.1, t.shape)
    return values[:, :N_IN, None], values[:, N_IN:, None]


def test_seasonal_scaler_zero_output_is_the_seasonal_naive_forecast():
    X, y = _windows()
    scaler = SeasonalWindowScaler(M).fit(X, y, target_features=(0,))
    _, _, context = scaler.transform(X)
    forecast = scaler.inverse(np.zeros(y.shape + (1,)), context)[..., 0]
    expected = X[:, -M:][:, np.arange(N_OUT) % M]  # last season repeated
    np.testing.assert_allclose(forecast, expected)


def test_seasonal_scaler_uses_the_mase_scale_and_inverts_exactly():
    X, y = _windows()
    scaler = SeasonalWindowScaler(M).fit(X, y, target_features=(0,))
    Xs, ys, context = scaler.transform(X, y)
    scale = np.abs(X[:, M:] - X[:, :-M]).mean(axis=1)[:, 0]
    np.testing.assert_allclose(context[1][:, 0, 0], scale)
    # MAE in scaled units = MAE / in-window seasonal naive MAE (a MASE per window)
    np.testing.assert_allclose(np.abs(ys).mean(axis=(1, 2)), np.abs(y - context[0]).mean(axis=(1, 2)) / scale)
    np.testing.assert_allclose(scaler.inverse(ys[..., None], context)[..., 0], y)
    np.testing.assert_allclose(Xs[:, -M:].mean(axis=1), 0, atol=1e-12)


@pytest.mark.parametrize("cls", [MeanWindowScaler, SeasonalWindowScaler])
def test_scaled_inputs_do_not_depend_on_the_series_scale(cls):
    X, y = _windows()
    scaler = (cls(M) if cls is SeasonalWindowScaler else cls()).fit(X, y, target_features=(0,))
    a, b = scaler.transform(X, y), scaler.transform(1000 * X, 1000 * y)
    np.testing.assert_allclose(a[0], b[0])
    np.testing.assert_allclose(a[1], b[1])


def test_flat_window_keeps_a_finite_scale():
    X = np.full((2, N_IN, 1), 7.0)
    y = np.full((2, N_OUT, 1), 7.0)
    scaler = SeasonalWindowScaler(M).fit(X, y, target_features=(0,))
    Xs, ys, context = scaler.transform(X, y)
    assert np.isfinite(Xs).all() and np.isfinite(ys).all()
    np.testing.assert_allclose(scaler.inverse(ys[..., None], context)[..., 0], y)


def test_seasonal_scaler_state_round_trip():
    X, y = _windows()
    scaler = SeasonalWindowScaler(M).fit(X, y, target_features=(0,))
    restored = make_scaler("seasonal").set_arrays(scaler.get_arrays())
    assert restored.season_length == M and restored.n_steps_out_ == N_OUT
    np.testing.assert_allclose(restored.transform(X, y)[1], scaler.transform(X, y)[1])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"scaling": "seasonal"}, "season_length is required"),
        ({"scaling": "seasonal", "season_length": 0}, "season_length"),
        ({"scaling": "seasonal", "season_length": M, "decoder": "feedback"}, "decoder='feedback'"),
        ({"scaling": "seasonal", "season_length": N_IN}, "smaller than the input window"),
    ],
)
def test_seasonal_scaling_parameters_are_checked(params, match):
    X, y = _windows()
    with pytest.raises(InvalidParameterError, match=match):
        EncoderDecoderLSTM(units=4, epochs=1, **params).fit(X, y)


@pytest.mark.slow
def test_seasonal_lstm_fits_saves_and_loads(tmp_path):
    import tsforecast

    X, y = _windows(120)
    model = EncoderDecoderLSTM(units=8, epochs=2, batch_size=32, loss="mae", scaling="seasonal", season_length=M,
                               validation_fraction=0.0, random_state=0).fit(X, y[..., 0])
    pred = model.predict(X[:5])
    assert pred.shape == (5, N_OUT)
    # a barely trained network stays near its starting point, the seasonal naive forecast
    naive = X[:5, -M:, 0][:, np.arange(N_OUT) % M]
    assert np.abs(pred - naive).mean() < np.abs(pred - X[:5, :, 0].mean(axis=1, keepdims=True)).mean()
    loaded = tsforecast.load(tsforecast.save(model, tmp_path / "m.tsf"))
    np.testing.assert_allclose(loaded.predict(X[:5]), pred, rtol=1e-5)


def test_log_refuses_values_that_are_not_positive():
    from tsforecast.exceptions import InputTypeError, InvalidInputError

    X, y = _windows()
    X[0, 0, 0] = 0.0
    with pytest.raises(InvalidInputError, match="log=True needs positive X"):
        EncoderDecoderLSTM(units=4, epochs=1, log=True).fit(X, y)
    with pytest.raises(InputTypeError, match="log"):
        EncoderDecoderLSTM(units=4, epochs=1, log="yes").fit(*_windows())


def test_log_through_a_window_forecaster_names_the_series_and_timestamp():
    """Fitted on series, the estimator saw windows: it named "X" and counted window cells
    (8 for one value -1), not the user's y. The forecaster names the value, its series and
    its date, in fit and in update."""
    import pandas as pd

    from tsforecast import WindowForecaster
    from tsforecast.exceptions import InvalidInputError

    index = pd.date_range("2024-01-01", periods=40, freq="D")
    good = pd.Series(np.arange(1, 41.0), index=index)
    bad = good.copy()
    bad.iloc[29] = -1.0
    model = WindowForecaster(EncoderDecoderLSTM(units=4, epochs=1, log=True), n_steps_in=4, n_steps_out=2)
    with pytest.raises(InvalidInputError, match=r"column 'y' of series 'b' is -1.0 at 2024-01-30 00:00:00 \(1 value"):
        model.fit({"a": good.rename("y"), "b": bad.rename("y")})
    model.fit(good.rename("y"))
    with pytest.raises(InvalidInputError, match=r"column 'y' is -1.0 at 2024-01-30"):
        model.update(bad.rename("y"))


@pytest.mark.slow
def test_log_seasonal_model_is_scale_invariant_and_positive():
    X, y = _windows(120)
    model = EncoderDecoderLSTM(units=8, epochs=2, batch_size=32, loss="mae", scaling="seasonal", season_length=M,
                               log=True, validation_fraction=0.0, random_state=0).fit(X, y[..., 0])
    pred = model.predict(X[:5])
    assert (pred > 0).all()
    # log(a x) = log a + log x, and the seasonal scaling removes the level: a x -> a forecast
    np.testing.assert_allclose(model.predict(100 * X[:5]), 100 * pred, rtol=1e-4)


def _windows_of(x: np.ndarray, n_in: int, n_out: int):
    starts = np.arange(len(x) - n_in - n_out + 1)
    X = x[starts[:, None] + np.arange(n_in)][..., None]
    y = x[starts[:, None] + n_in + np.arange(n_out)][..., None]
    return X, y


def test_seasonal_naive_beats_naive_decides_on_the_targets_past():
    t = np.arange(400.0)
    daily = 10 + 5 * np.sin(2 * np.pi * t / 24)  # a strong cycle: last day's value says more
    X, y = _windows_of(daily, 72, 24)
    assert seasonal_naive_beats_naive(X, y, (0,), 24)
    trend = 0.5 * t + np.sin(2 * np.pi * t / 24) * 0.1  # a steep trend: the last value says more
    X, y = _windows_of(trend, 72, 24)
    assert not seasonal_naive_beats_naive(X, y, (0,), 24)
    # the targets' column is the one read: a covariate with the cycle does not count
    X2 = np.concatenate([X, _windows_of(daily, 72, 24)[0]], axis=2)
    assert not seasonal_naive_beats_naive(X2, y, (0,), 24) and seasonal_naive_beats_naive(
        X2[..., ::-1], _windows_of(daily, 72, 24)[1], (0,), 24)
