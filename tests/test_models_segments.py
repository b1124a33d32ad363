"""Segment-wise recurrence of EncoderDecoderLSTM (``segment_length``, SegRNN) and the
``"parallel"`` and ``"dense"`` decoders: the layers, the networks they build, and the
estimator with scaling, log, quantiles, covariates, attention and save/load."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

import tsforecast
from tsforecast.exceptions import InputTypeError, InvalidParameterError
from tsforecast.models import EncoderDecoderLSTM

import keras  # noqa: E402  (a hard dependency: a broken install must fail, not skip)

from tsforecast.models.networks import (  # noqa: E402
    NetworkSpec,
    ParallelDecoder,
    Segments,
    SegmentsToSteps,
    build_networks,
)

PERIOD = 8


def _windows(n: int = 160, n_in: int = 30, n_out: int = 11, seed: int = 0):
    """Windows of noisy seasonal series, each with its own amplitude and trend (positive values)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)[:, None] + np.arange(n_in + n_out)
    slope = rng.uniform(-0.15, 0.15, (n, 1))
    values = (20 + slope * (t - t[:, :1]) + 3 * np.sin(2 * np.pi * t / PERIOD) * rng.uniform(0.5, 2, (n, 1))
              + rng.normal(0, 0.2, t.shape))
    return values[:, :n_in], values[:, n_in:]


def _spec(**kw) -> NetworkSpec:
    base = dict(n_steps_in=10, n_features=2, n_steps_out=5, n_targets=1, units=4, target_features=(0,), seed=0,
                segment_length=4)
    return NetworkSpec(**{**base, **kw})


# ---------------------------------------------------------------------------
# layers


def test_segments_pad_zeros_on_the_left_and_flatten_each_segment():
    x = np.arange(1.0, 11.0).reshape(1, 5, 2).astype("float32")  # 5 steps of 2 features
    out = np.asarray(Segments(2)(x))
    assert out.shape == (1, 3, 4)
    # one step of zeros first, so the latest segment ends at the latest step
    np.testing.assert_array_equal(out[0], [[0, 0, 1, 2], [3, 4, 5, 6], [7, 8, 9, 10]])
    np.testing.assert_array_equal(np.asarray(Segments(5)(x))[0], x.reshape(1, 10))  # a multiple: no padding


def test_segments_to_steps_lays_segments_end_to_end_and_trims():
    x = np.arange(12.0).reshape(1, 2, 6).astype("float32")  # 2 segments of 3 steps x 2 channels
    out = np.asarray(SegmentsToSteps(3, 5)(x))
    np.testing.assert_array_equal(out[0], np.arange(10.0).reshape(5, 2))  # the 6th step is trimmed


def test_parallel_decoder_runs_one_cell_step_per_position_from_the_encoder_states():
    decoder = ParallelDecoder(units=3, n_layers=1, n_positions=4, seed=0)
    rng = np.random.default_rng(0)
    h, c = (rng.normal(size=(2, 3)).astype("float32") for _ in range(2))
    out = np.asarray(decoder([h, c]))
    assert out.shape == (2, 4, 3)
    positions = np.asarray(decoder.positions)
    for j in range(4):  # position j: the cell reads embedding j, starting from (h, c)
        step, _ = decoder.cells[0](np.repeat(positions[j : j + 1], 2, axis=0), [h, c])
        np.testing.assert_allclose(out[:, j], np.asarray(step), rtol=1e-5, atol=1e-6)
    assert not np.allclose(out[:, 0], out[:, 1])  # the positions differ


# ---------------------------------------------------------------------------
# networks


@pytest.mark.parametrize("decoder, decoder_steps", [("repeat", 2), ("parallel", 2), ("dense", None)])
def test_segment_network_recurs_once_per_segment(decoder, decoder_steps):
    _, model = build_networks(_spec(decoder=decoder))  # 10 steps in (3 segments of 4), 5 out (2 segments)
    assert model.get_layer("encoder_0").input.shape[1:] == (3, 4)  # 3 recurrent steps of projected segments
    assert model.get_layer("segment_projection").input.shape[1:] == (3, 4 * 2)
    if decoder == "repeat":
        assert model.get_layer("decoder_0").output.shape[1] == decoder_steps
    if decoder == "parallel":
        assert model.get_layer("parallel_decoder").output.shape[1] == decoder_steps
    x = np.random.default_rng(0).normal(size=(6, 10, 2)).astype("float32")
    assert np.asarray(model(x)).shape == (6, 5, 1, 1)


def test_point_wise_network_is_unchanged_by_the_new_options():
    _, model = build_networks(_spec(segment_length=None))
    assert model.get_layer("encoder_0").input.shape[1:] == (10, 2)
    assert "segments" not in [layer.name for layer in model.layers]


@pytest.mark.parametrize("decoder", ["repeat", "parallel", "dense"])
def test_segment_networks_survive_keras_save_load_bit_identically(decoder, tmp_path):
    spec = _spec(decoder=decoder, attention=decoder != "dense", reverse_input=True, n_quantiles=3, median_index=1,
                 n_layers=2, dropout=0.1)
    _, model = build_networks(spec)
    x = np.random.default_rng(0).normal(size=(6, 10, 2)).astype("float32")
    model.save(tmp_path / "net.keras")
    loaded = keras.saving.load_model(tmp_path / "net.keras", safe_mode=True)
    np.testing.assert_array_equal(np.asarray(loaded(x)), np.asarray(model(x)))
    # every layer is seeded from the spec: the same spec builds the same initial weights
    np.testing.assert_array_equal(np.asarray(build_networks(spec)[1](x)), np.asarray(model(x)))


# ---------------------------------------------------------------------------
# the estimator

FAST = dict(units=8, epochs=2, batch_size=32, validation_fraction=0.0, random_state=0)


@pytest.mark.parametrize(
    "params, error, match",
    [
        ({"segment_length": 0}, InvalidParameterError, "segment_length must be >= 1; got 0"),
        ({"segment_length": 2.5}, InputTypeError, "segment_length must be an integer; got 2.5"),
        ({"segment_length": 4, "decoder": "feedback"}, InvalidParameterError, "got decoder='feedback'"),
        ({"decoder": "dense", "attention": True}, InvalidParameterError, "got decoder='dense'"),
        ({"decoder": "segments"}, InvalidParameterError, "decoder"),
    ],
)
def test_bad_segment_options_are_named(params, error, match):
    X, y = _windows(20)
    with pytest.raises(error, match=match):
        EncoderDecoderLSTM(**{**FAST, **params}).fit(X, y)


def test_segment_longer_than_the_window_is_warned_not_padded_silently():
    X, y = _windows(20, n_in=10, n_out=4)
    with pytest.warns(tsforecast.exceptions.TsForecastWarning,
                      match=r"segment_length=24 is longer than the input window \(n_steps_in=10\).*14 steps"):
        model = EncoderDecoderLSTM(**{**FAST, "epochs": 1}, segment_length=24).fit(X, y)
    assert model.segment_length_ == 24 and model.predict(X).shape == y.shape


@pytest.mark.slow
@pytest.mark.parametrize("decoder", ["repeat", "parallel", "dense"])
def test_segment_model_beats_the_seasonal_naive_forecast(decoder):
    X, y = _windows(400)
    X_test, y_test = _windows(60, seed=1)
    model = EncoderDecoderLSTM(units=16, segment_length=PERIOD, decoder=decoder, epochs=15, batch_size=32,
                               learning_rate=1e-2, validation_fraction=0.0, random_state=0).fit(X, y)
    naive = X_test[:, -PERIOD:][:, np.arange(y.shape[1]) % PERIOD]
    error, naive_error = np.abs(model.predict(X_test) - y_test).mean(), np.abs(naive - y_test).mean()
    assert error < 0.6 * naive_error, (error, naive_error)


@pytest.mark.slow
def test_segment_model_with_seasonal_log_scaling_quantiles_and_covariates_saves_and_loads(tmp_path):
    X, y = _windows()  # 30 steps in (segments of 8: 2 zeros padded), 11 out (2 segments, 5 steps trimmed)
    covariate = np.cos(np.arange(X.shape[1]))[None, :].repeat(len(X), 0) + 2
    X3 = np.stack([X, covariate], axis=-1)
    model = EncoderDecoderLSTM(**FAST, segment_length=PERIOD, decoder="parallel", attention=True, reverse_input=True,
                               scaling="seasonal", season_length=PERIOD, log=True, loss="mae",
                               quantiles=(0.1, 0.5, 0.9)).fit(X3, y)
    q = model.predict_quantiles(X3[:7])
    assert q.shape == (7, 11, 3) and (np.diff(q, axis=-1) >= 0).all() and (q > 0).all()
    np.testing.assert_array_equal(model.predict(X3[:7]), q[..., 1])
    loaded = tsforecast.load(tsforecast.save(model, tmp_path / "segments.tsf"))
    assert loaded.get_params()["segment_length"] == PERIOD and loaded.decoder == "parallel"
    np.testing.assert_array_equal(loaded.predict_quantiles(X3[:7]), q)


@pytest.mark.slow
def test_segment_window_scaling_keeps_predictions_equivariant():
    X, y = _windows()
    model = EncoderDecoderLSTM(**FAST, segment_length=PERIOD, decoder="dense").fit(X, y)
    base = model.predict(X[:5])
    np.testing.assert_allclose(model.predict(50 * X[:5] - 3), 50 * base - 3, rtol=1e-5, atol=1e-3)


@pytest.mark.slow
@parametrize_with_checks(
    [EncoderDecoderLSTM(units=4, epochs=1, batch_size=64, validation_fraction=0.0, random_state=0, segment_length=3,
                        decoder="parallel")],
)
def test_segment_model_is_sklearn_compatible(estimator, check):
    check(estimator)
