"""EncoderDecoderLSTM is never worse than its own reference forecast without saying so."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tsforecast.exceptions import FallbackWarning
from tsforecast.models import EncoderDecoderLSTM

pytest.importorskip("keras")

N_IN, N_OUT, PERIOD = 24, 6, 12


def _windows(series: np.ndarray):
    starts = np.arange(len(series) - N_IN - N_OUT + 1)[:, None]
    return series[starts + np.arange(N_IN)], series[starts + N_IN + np.arange(N_OUT)]


def test_a_network_that_cannot_beat_its_reference_falls_back_to_it():
    """A purely periodic series: the seasonal naive forecast is exact, so any correction the
    (one-epoch) network makes is an error; the model falls back to the reference, warns,
    and forecasts the seasonal naive exactly."""
    X, y = _windows(5 + np.tile(np.arange(PERIOD, dtype=float) % 5, 50))
    with pytest.warns(FallbackWarning, match="not clearly below its reference forecast's, the seasonal naive"):
        model = EncoderDecoderLSTM(units=8, epochs=1, random_state=0, season_length=PERIOD).fit(X, y)
    assert model.scaling_ == "seasonal" and model.season_length_ == PERIOD
    assert model.fallback_ and model.shrinkage_ == 0.0
    assert model.reference_errors_["reference"] == 0.0 < model.reference_errors_["network"]
    np.testing.assert_allclose(model.predict(X), X[:, -PERIOD:][:, np.arange(N_OUT) % PERIOD], rtol=0, atol=1e-12)


def test_pure_noise_is_never_worse_than_the_reference_on_the_tail():
    rng = np.random.default_rng(0)
    X, y = _windows(rng.normal(size=600))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model = EncoderDecoderLSTM(units=8, epochs=1, random_state=0).fit(X, y)
    errors = model.reference_errors_
    # issue 22: a network is kept only when it clearly beats its reference (fallback.py), so
    # a kept one is below it, and a network not below it always falls back
    assert not (errors["network"] >= errors["reference"] and not model.fallback_)
    assert model.fallback_ == any(issubclass(w.category, FallbackWarning) for w in caught)
    if model.fallback_:  # the shrunk corrections are at most as bad as the reference on the tail
        assert model.shrinkage_ < 1.0 and errors["shrunk"] <= errors["reference"]
    else:
        assert errors["network"] < errors["reference"]


def test_a_network_that_learns_keeps_its_corrections():
    rng = np.random.default_rng(1)
    t = np.arange(600)
    X, y = _windows(np.sin(2 * np.pi * t / PERIOD) + 0.05 * t + rng.normal(0, 0.1, 600))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        # the seasonal naive as reference (auto takes the linear map here, which the sine plus
        # a line leaves little to correct): the network must learn the trend it misses
        model = EncoderDecoderLSTM(units=8, epochs=5, random_state=0, season_length=PERIOD,
                                   scaling="seasonal").fit(X, y)
    assert not model.fallback_ and model.shrinkage_ == 1.0
    assert model.reference_errors_["network"] < model.reference_errors_["reference"]


def test_no_tail_or_no_reference_means_no_check():
    X, y = _windows(np.sin(np.arange(200.0)))
    for params in ({"validation_fraction": 0.0}, {"scaling": "window"}, {"quantiles": (0.1, 0.5, 0.9)}):
        model = EncoderDecoderLSTM(units=4, epochs=1, random_state=0, **params).fit(X, y)
        assert model.shrinkage_ == 1.0 and not model.fallback_ and model.reference_errors_ == {}
