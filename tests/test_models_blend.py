"""``EncoderDecoderLSTM(blend_linear=True)``: the network's forecast averaged with the
closed-form linear map of the training windows, the weight chosen on the validation tail
of the training windows only (:mod:`tsforecast.models.blend`)."""

from __future__ import annotations

import numpy as np
import pytest
from test_models_linear_reference import N_IN, N_OUT, _ar2, _windows  # the same windows and AR(2) series

import tsforecast
from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.blend import BLEND_WEIGHTS, blend_linear_map, blend_with_map
from tsforecast.models.scaling import fit_linear_map, linear_forecast


def _map_tail(X, y, n_tail):
    n_fit = len(X) - n_tail
    return linear_forecast(X[n_fit:], fit_linear_map(X[:n_fit], y[:n_fit], (0,)), (0,))


def test_a_forecast_with_errors_independent_of_the_maps_gets_an_inner_weight():
    """Two forecasts with independent errors of equal spread: their average is clearly
    better than either, so the weight is strictly between the map alone and the network alone."""
    X, y = _windows(_ar2(600))
    n_tail = 200
    linear = _map_tail(X, y, n_tail)
    rng = np.random.default_rng(1)
    spread = np.abs(y[-n_tail:] - linear).std()
    network = y[-n_tail:] + rng.normal(0, spread, size=linear.shape)
    weight, weights, errors = blend_linear_map(network, X, y, (0,), n_tail, block=N_OUT)
    assert 0.0 < weight < 1.0
    assert errors[f"{weight:g}"] < errors["0"] and errors[f"{weight:g}"] < errors["1"]
    np.testing.assert_allclose(weights, fit_linear_map(X, y, (0,)))  # refitted on every window


def test_a_gain_within_noise_keeps_the_map_alone():
    X, y = _windows(_ar2(600))
    n_tail = 200
    linear = _map_tail(X, y, n_tail)
    rng = np.random.default_rng(2)
    network = linear + rng.normal(0, 1e-3, size=linear.shape)  # the map, jittered: nothing to gain
    assert blend_linear_map(network, X, y, (0,), n_tail, block=N_OUT)[0] == 0.0


def test_the_blend_reads_the_windows_given_only():
    """Perturbation: rows after the training windows (garbage) change neither the weight
    nor the map; handing it those rows does."""
    series = _ar2(600)
    X, y = _windows(series)
    n_train, n_tail = 400, 100
    dirty = series.copy()
    dirty[n_train + N_IN + N_OUT:] = 1e6
    Xd, yd = _windows(dirty)
    rng = np.random.default_rng(3)
    network = y[n_train - n_tail:n_train] + rng.normal(0, 0.3, size=(n_tail, N_OUT, 1))
    clean = blend_linear_map(network, X[:n_train], y[:n_train], (0,), n_tail, N_OUT)
    perturbed = blend_linear_map(network, Xd[:n_train], yd[:n_train], (0,), n_tail, N_OUT)
    assert clean[0] == perturbed[0] and clean[2] == perturbed[2]
    np.testing.assert_array_equal(clean[1], perturbed[1])
    longer = blend_linear_map(network, Xd[:n_train + 50], yd[:n_train + 50], (0,), n_tail, N_OUT)
    assert longer[2] != clean[2]


def test_blend_with_map_mixes_the_median_moves_every_quantile_with_it_and_weight_one_is_the_network():
    X, _ = _windows(_ar2(100))
    weights = fit_linear_map(*_windows(_ar2(100)), (0,))
    pred = np.sort(np.random.default_rng(0).normal(size=(len(X), N_OUT, 1, 3)), axis=-1)
    mixed = blend_with_map(pred, X, weights, (0,), 0.25, median_index=1)
    linear = linear_forecast(X, weights, (0,))
    np.testing.assert_allclose(mixed[..., 1], 0.25 * pred[..., 1] + 0.75 * linear)
    for q in range(3):  # the bands keep their width: each quantile moves as the median does
        np.testing.assert_allclose(mixed[..., q] - mixed[..., 1], pred[..., q] - pred[..., 1], atol=1e-12)
    np.testing.assert_allclose(blend_with_map(pred[..., 1], X, weights, (0,), 0.25), mixed[..., 1])
    assert blend_with_map(pred, X, weights, (0,), 1.0) is pred
    assert set(BLEND_WEIGHTS) >= {0.0, 1.0}


def test_estimator_blend_predicts_the_weighted_average_reproducibly_and_round_trips(tmp_path):
    pytest.importorskip("keras")
    X, y = _windows(_ar2(300, k=2))
    params = dict(units=8, epochs=2, scaling="last", blend_linear=True, random_state=0)
    model = EncoderDecoderLSTM(**params).fit(X, y)
    assert model.blend_weight_ in BLEND_WEIGHTS and set(model.blend_errors_) == {f"{w:g}" for w in BLEND_WEIGHTS}
    pred = model.predict(X)
    assert pred.shape == y.shape and np.isfinite(pred).all()
    # the prediction is the weighted average of the network's own forecast and the map's
    weight = model.blend_weight_
    model.blend_weight_ = 1.0
    network = model.predict(X)
    model.blend_weight_ = weight
    flat = X.transpose(0, 2, 1).reshape(-1, N_IN, 1)  # the map is shared by the channels
    linear = linear_forecast(flat, model.blend_map_, (0,)).reshape(len(X), 2, N_OUT).transpose(0, 2, 1)
    np.testing.assert_allclose(pred, weight * network + (1 - weight) * linear, atol=1e-9)
    np.testing.assert_array_equal(EncoderDecoderLSTM(**params).fit(X, y).predict(X), pred)
    tsforecast.save(model, tmp_path / "m.tsf")
    loaded = tsforecast.load(tmp_path / "m.tsf")
    assert loaded.blend_weight_ == weight
    np.testing.assert_allclose(loaded.predict(X), pred)


def test_without_blend_linear_nothing_changes():
    pytest.importorskip("keras")
    X, y = _windows(_ar2(200))
    model = EncoderDecoderLSTM(units=4, epochs=1, scaling="last", random_state=0).fit(X, y)
    assert model.blend_weight_ == 1.0 and model.blend_map_ is None and model.blend_errors_ == {}


def test_quantile_bands_keep_their_width_through_the_blend():
    """Blending every quantile with the map scaled the band widths by the weight: at the
    usual weight 0 of a short fit, predict_quantiles gave bands of zero width."""
    X, y = _windows(_ar2(400))
    settings = dict(units=4, epochs=1, random_state=0, quantiles=(0.1, 0.5, 0.9), scaling="last")
    alone = EncoderDecoderLSTM(**settings).fit(X, y)
    blended = EncoderDecoderLSTM(blend_linear=True, **settings).fit(X, y)
    assert blended.blend_weight_ < 1.0
    bands, reference = blended.predict_quantiles(X[-5:]), alone.predict_quantiles(X[-5:])
    np.testing.assert_allclose(bands[..., 2] - bands[..., 0], reference[..., 2] - reference[..., 0], rtol=1e-9)
    np.testing.assert_allclose(bands[..., 1], blended.predict(X[-5:]))
    assert (np.diff(bands, axis=-1) >= 0).all()
