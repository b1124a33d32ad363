"""What training decides on: the feedback decoder's validation loss, combinations refused
before training, and the fitted attributes a failed fit leaves alone."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from tsforecast.exceptions import InvalidParameterError, ShapeMismatchError
from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.training import carry_weights, predict_rows


def windows(n: int = 200, steps_in: int = 24, steps_out: int = 6):
    rng = np.random.default_rng(0)
    s = np.sin(np.arange(n + steps_in + steps_out) / 5) + rng.normal(0, 0.1, n + steps_in + steps_out)
    X = s[np.arange(n)[:, None] + np.arange(steps_in)][..., None]
    y = s[np.arange(n)[:, None] + steps_in + np.arange(steps_out)][..., None]
    return X, y


def test_the_feedback_decoder_is_early_stopped_on_its_own_forecasts():
    # the tail's loss was teacher-forced (the true previous values fed): another model than predict's
    X, y = windows()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = EncoderDecoderLSTM(decoder="feedback", channels="joint", loss="mse", units=8, epochs=3,
                                   validation_fraction=0.1, random_state=0).fit(X, y)
    Xs, ys, _ = model.scaler_.transform(X[-20:], y[-20:])
    forecast_loss = float(((predict_rows(model.network_, Xs.astype(np.float32))[..., 0] - ys) ** 2).mean())
    assert min(model.history_["val_loss"]) == pytest.approx(forecast_loss, rel=1e-4)


def test_blend_without_a_validation_tail_is_refused_before_training(monkeypatch):
    X, y = windows(60)
    trained = []
    monkeypatch.setattr("tsforecast.models.estimator.train", lambda *a, **k: trained.append(1))
    model = EncoderDecoderLSTM(units=4, epochs=50, scaling="window", blend_linear=True, validation_fraction=0.0)
    with pytest.raises(InvalidParameterError, match="validation_fraction=0 leaves none"):
        model.fit(X, y)
    assert trained == [] and not hasattr(model, "epoch_seconds_")


def test_a_fit_refused_after_training_leaves_the_previous_fit_whole():
    X, y = windows(60)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = EncoderDecoderLSTM(units=4, epochs=1, scaling="window", random_state=0).fit(X, y)
    seconds, history = list(model.epoch_seconds_), dict(model.history_)
    model.set_params(epochs=3, target_features=[0], blend_linear=True, validation_fraction=0.01)  # 0 tail windows
    with pytest.raises(InvalidParameterError, match="blend_linear=True"):
        model.fit(X, y)
    assert model.epoch_seconds_ == seconds and model.history_ == history


def test_channel_trials_run_no_search_of_their_own(monkeypatch):
    # each channel trial ran five nested search trials: the modes were compared under other settings
    rng = np.random.default_rng(1)
    s = np.sin(np.arange(200)[:, None] / np.array([4.0, 6.0])) + rng.normal(0, 0.1, (200, 2))
    X = np.stack([s[i : i + 12] for i in range(120)])
    y = np.stack([s[i + 12 : i + 15] for i in range(120)])
    calls = []
    original = EncoderDecoderLSTM.fit

    def recording(self, X, y):
        calls.append(self.search)
        return original(self, X, y)

    monkeypatch.setattr(EncoderDecoderLSTM, "fit", recording)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        EncoderDecoderLSTM(units=4, epochs=1, season_length=4, search=True, random_state=0).fit(X, y)
    assert calls[0] is True and not any(calls[1:])


def test_a_warm_start_on_other_shapes_names_the_weight_that_differs():
    # the message printed the first two shapes, the same in both (the encoder's): nothing to act on
    X, y = windows(40, steps_in=12, steps_out=3)
    X5, y5 = windows(40, steps_in=12, steps_out=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = EncoderDecoderLSTM(units=4, epochs=1, validation_fraction=0.0, warm_start=True, random_state=0)
        model.fit(X, y)
        with pytest.raises(ShapeMismatchError, match="warm_start") as raised:
            model.fit(X5, y5)
    found = re.search(r"weight array (\d+) of \d+ \('([^']+)'\) needs shape (\(.*?\)) .* has (\(.*?\))",
                      str(raised.value))
    assert found, str(raised.value)
    index, name, needed, had = int(found[1]), found[2], found[3], found[4]
    weights = model.network_.weights
    assert weights[index].path == name and str(tuple(weights[index].shape)) == had != needed
    assert model.n_steps_out_ == 3  # the fitted network is left as it was


def test_a_warm_start_with_another_number_of_weights_says_so():
    class Network:
        weights = [np.zeros((2, 3))]

        def get_weights(self):
            return list(self.weights)

    with pytest.raises(ShapeMismatchError, match="need 1 weight arrays where the fitted network has 2"):
        carry_weights([np.zeros((2, 3)), np.zeros(3)], Network())
