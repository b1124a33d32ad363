"""SegRNN's normalisation as an option of EncoderDecoderLSTM (``scaling="last"``): each
window less its last value, no division, so the loss is in the data's own units."""

from __future__ import annotations

import numpy as np

import tsforecast
from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.scaling import LastValueScaler, make_scaler

N_IN, N_OUT = 16, 4


def _windows(k: int = 2, n: int = 160, seed: int = 0):
    """Stride-1 windows of ``k`` noisy sines of different levels, ``X (m, N_IN, k)``, ``y (m, N_OUT, k)``."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)[:, None]
    series = 10 * np.arange(1, k + 1) + np.sin(2 * np.pi * t / 8 + np.arange(k)) + rng.normal(0, 0.1, (n, k))
    starts = np.arange(n - N_IN - N_OUT + 1)[:, None]
    return series[starts + np.arange(N_IN)], series[starts + N_IN + np.arange(N_OUT)]


def _tiny(**params) -> EncoderDecoderLSTM:
    settings = dict(units=8, epochs=2, batch_size=32, segment_length=4, scaling="last", channels="independent",
                    random_state=0)
    return EncoderDecoderLSTM(**{**settings, **params})


def test_last_value_scaler_zero_output_is_the_naive_forecast_and_inverts_exactly():
    X, y = _windows()
    scaler = make_scaler("last").fit(X, y, target_features=(0, 1))
    assert isinstance(scaler, LastValueScaler)
    Xs, ys, context = scaler.transform(X, y)
    np.testing.assert_allclose(Xs[:, -1], 0.0)
    np.testing.assert_allclose(ys, y - X[:, -1:])  # no division: the data's own units
    naive = scaler.inverse(np.zeros(y.shape + (1,)), context)[..., 0]
    np.testing.assert_allclose(naive, np.repeat(X[:, -1:], N_OUT, axis=1))
    np.testing.assert_allclose(scaler.inverse(ys[..., None], context)[..., 0], y)


def test_estimator_with_last_value_scaling_is_shift_equivariant_and_reproducible(tmp_path):
    X, y = _windows()
    model = _tiny().fit(X, y)
    pred = model.predict(X)
    assert pred.shape == y.shape and model.scaling_ == "last"
    # a shift of the whole window shifts the forecast: nothing but the last value sets the level
    np.testing.assert_allclose(model.predict(X + 100.0), pred + 100.0, atol=1e-4)
    np.testing.assert_array_equal(_tiny().fit(X, y).predict(X), pred)  # same seed, same forecasts
    tsforecast.save(model, tmp_path / "m.tsf")
    np.testing.assert_allclose(tsforecast.load(tmp_path / "m.tsf").predict(X), pred)



def test_learning_rate_decay_follows_segrnns_schedule_and_changes_the_fit():
    """Epochs 1-3 at the full rate, then a factor per epoch; a constant rate records nothing."""
    X, y = _windows()
    decayed = _tiny(epochs=5, learning_rate=1e-2, learning_rate_decay=0.5, validation_fraction=0.0).fit(X, y)
    np.testing.assert_allclose(decayed.history_["learning_rate"], [1e-2, 1e-2, 1e-2, 5e-3, 2.5e-3], rtol=1e-6)
    constant = _tiny(epochs=5, learning_rate=1e-2, validation_fraction=0.0).fit(X, y)
    assert "learning_rate" not in constant.history_
    assert not np.allclose(decayed.predict(X), constant.predict(X))
