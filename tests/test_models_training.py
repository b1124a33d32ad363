"""What training decides on: the feedback decoder's validation loss, combinations refused
before training, and the fitted attributes a failed fit leaves alone."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tsforecast.exceptions import InvalidParameterError
from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.training import predict_rows


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
