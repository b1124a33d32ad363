"""The linear reference of EncoderDecoderLSTM (``scaling="linear"``, and ``scaling="auto"``
choosing it on the validation tail): NLinear's least-squares map, fitted on the training
windows only, that the network corrects."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import tsforecast
from tsforecast.exceptions import FallbackWarning, InvalidParameterError
from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.scaling import (
    LinearWindowScaler,
    fit_linear_map,
    linear_forecast,
    reference_on_tail,
    resolve_scaling,
)

N_IN, N_OUT = 16, 4


def _windows(series: np.ndarray):
    """Stride-1 windows ``X (n, N_IN, K)``, ``y (n, N_OUT, K)`` of a ``(T, K)`` (or ``(T,)``) series."""
    series = series.reshape(len(series), -1)
    starts = np.arange(len(series) - N_IN - N_OUT + 1)[:, None]
    return series[starts + np.arange(N_IN)], series[starts + N_IN + np.arange(N_OUT)]


def _ar2(n: int = 400, seed: int = 0, k: int = 1) -> np.ndarray:
    """A damped oscillation (AR(2)) with noise: the linear map forecasts it far better than
    the naive one."""
    rng = np.random.default_rng(seed)
    x = np.zeros((n, k))
    for t in range(2, n):
        x[t] = 1.9 * x[t - 1] - 0.95 * x[t - 2] + rng.normal(0, 0.3, k)
    return x


def test_linear_map_learns_an_ar2_process_and_beats_the_naive_forecast():
    X, y = _windows(_ar2())
    weights = fit_linear_map(X[:300], y[:300], (0,))
    assert weights.shape == (N_IN, N_OUT)
    pred = linear_forecast(X[300:], weights, (0,))
    naive = np.repeat(X[300:, -1:], N_OUT, axis=1)
    assert np.abs(y[300:] - pred).mean() < 0.6 * np.abs(y[300:] - naive).mean()


def test_linear_map_is_shared_by_the_targets_and_equivariant_to_a_shift_and_scale():
    X, y = _windows(_ar2(k=2))
    weights = fit_linear_map(X, y, (0, 1))
    pred = linear_forecast(X, weights, (0, 1))
    np.testing.assert_allclose(linear_forecast(X[:, :, ::-1], weights, (0, 1)), pred[:, :, ::-1])
    np.testing.assert_allclose(linear_forecast(3 * X + 7, weights, (0, 1)), 3 * pred + 7)


def test_linear_scaler_zero_output_is_the_linear_forecast_and_inverts_exactly():
    X, y = _windows(_ar2())
    scaler = LinearWindowScaler(1).fit(X, y, target_features=(0,))
    Xs, ys, context = scaler.transform(X, y)
    zero = scaler.inverse(np.zeros(y.shape + (1,)), context)[..., 0]
    np.testing.assert_allclose(zero, linear_forecast(X, scaler.weights_, (0,)))
    np.testing.assert_allclose(scaler.inverse(ys[..., None], context)[..., 0], y)
    restored = LinearWindowScaler().set_arrays(scaler.get_arrays())
    np.testing.assert_allclose(restored.transform(X, y)[1], ys)


def test_the_reference_is_fitted_on_the_windows_given_only():
    """Perturbation: the windows after the training ones (garbage) change nothing of the
    fitted map or of the choice made on the training windows' own tail."""
    series = _ar2(500)
    X, y = _windows(series)
    n_train = 300
    dirty = series.copy()
    dirty[n_train + N_IN + N_OUT:] = 1e6  # every row after the training windows' last target
    Xd, yd = _windows(dirty)
    np.testing.assert_array_equal(Xd[:n_train], X[:n_train])
    np.testing.assert_array_equal(yd[:n_train], y[:n_train])
    clean = LinearWindowScaler().fit(X[:n_train], y[:n_train], (0,))
    np.testing.assert_array_equal(LinearWindowScaler().fit(Xd[:n_train], yd[:n_train], (0,)).weights_, clean.weights_)
    assert reference_on_tail(Xd[:n_train], yd[:n_train], (0,), 1, 30) == reference_on_tail(
        X[:n_train], y[:n_train], (0,), 1, 30)
    # ... and the tail decides: the same call sees a different tail when it is handed other windows
    assert reference_on_tail(Xd[:n_train + 50], yd[:n_train + 50], (0,), 1, 30)[1] != reference_on_tail(
        X[:n_train + 50], y[:n_train + 50], (0,), 1, 30)[1]


def test_auto_chooses_the_linear_reference_where_it_wins_on_the_tail():
    X, y = _windows(_ar2())
    scaling, season, scores = resolve_scaling("auto", None, "parallel", X, y, (0,), 38)
    assert (scaling, season) == ("linear", 1)
    assert scores["linear"] < scores["seasonal"]


def test_auto_keeps_the_seasonal_naive_where_it_is_exact():
    period = 8
    X, y = _windows(5 + np.tile(np.arange(period, dtype=float) % 5, 60))
    scaling, season, scores = resolve_scaling("auto", period, "parallel", X, y, (0,), 30)
    assert (scaling, season) == ("seasonal", period)
    assert scores["seasonal"] == 0.0 < scores["linear"]


def test_too_few_windows_or_no_tail_skip_the_linear_candidate():
    X, y = _windows(_ar2(60))  # 41 windows
    assert resolve_scaling("auto", None, "parallel", X[:12], y[:12], (0,), 2) == ("seasonal", 1, {})  # 10 < 16
    assert resolve_scaling("auto", None, "parallel", X, y, (0,), 0) == ("seasonal", 1, {})
    # explicit choices are kept as given
    assert resolve_scaling("linear", None, "parallel", X, y, (0,), 4) == ("linear", 1, {})


@pytest.mark.slow
def test_estimator_with_the_linear_reference_fits_predicts_saves_and_records(tmp_path):
    pytest.importorskip("keras")
    X, y = _windows(_ar2(300, k=2))
    model = EncoderDecoderLSTM(units=8, epochs=2, random_state=0).fit(X, y)
    assert model.scaling_ == "linear" and model.channels_ in ("joint", "independent")
    assert model.reference_scores_["linear"] < model.reference_scores_["seasonal"]
    pred = model.predict(X)
    assert pred.shape == y.shape and np.isfinite(pred).all()
    same = EncoderDecoderLSTM(units=8, epochs=2, random_state=0).fit(X, y).predict(X)
    np.testing.assert_array_equal(same, pred)  # same random_state, same forecasts
    tsforecast.save(model, tmp_path / "m.tsf")
    np.testing.assert_allclose(tsforecast.load(tmp_path / "m.tsf").predict(X), pred)


@pytest.mark.slow
def test_a_network_that_cannot_beat_the_linear_reference_falls_back_to_it():
    """A straight line with a little noise: the linear map is near exact, a one-epoch
    network's corrections only add error, so it falls back and says so."""
    pytest.importorskip("keras")
    rng = np.random.default_rng(0)
    X, y = _windows(0.5 * np.arange(400.0) + rng.normal(0, 1e-3, 400))
    with pytest.warns(FallbackWarning, match="the linear map of the training windows"):
        model = EncoderDecoderLSTM(units=4, epochs=1, random_state=0, scaling="linear").fit(X, y)
    assert model.fallback_ and model.shrinkage_ < 1.0
    assert model.shrinkage_ == 0.0  # the reference itself: the map of the training windows
    np.testing.assert_allclose(model.predict(X), linear_forecast(X, model.scaler_.weights_, (0,)), rtol=1e-9)


def test_linear_reference_refuses_the_feedback_decoder_and_a_season_as_long_as_the_window():
    X, y = _windows(_ar2(100))
    with pytest.raises(InvalidParameterError, match="scaling='linear'.*got decoder='feedback'"):
        EncoderDecoderLSTM(scaling="linear", decoder="feedback").fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(InvalidParameterError, match="season_length=16 with n_steps_in=16"):
            EncoderDecoderLSTM(scaling="linear", season_length=N_IN).fit(X, y)


def test_a_linear_map_no_better_than_the_naive_beyond_noise_is_not_taken():
    """A random walk: the naive forecast is the best one; the fitted map is close to it and
    its small, noisy edge on the tail is not enough (blocks of one horizon)."""
    rng = np.random.default_rng(3)
    X, y = _windows(np.cumsum(rng.normal(size=600)))
    scaling, _, scores = resolve_scaling("auto", None, "parallel", X, y, (0,), 100, N_OUT)
    assert scaling == "seasonal" and set(scores) == {"seasonal", "linear"}
    # the same data where the map does help (AR(2)) passes the same rule
    X2, y2 = _windows(_ar2(600))
    assert resolve_scaling("auto", None, "parallel", X2, y2, (0,), 100, N_OUT)[0] == "linear"


@pytest.mark.parametrize("kept", [False, True], ids=["falls back", "corrections kept"])
def test_the_estimators_reference_never_saw_its_validation_tail(kept, monkeypatch):
    """The tail early-stops the network and judges it against its reference: the linear
    map (and any scaler statistic) is fitted before the tail, as the network is. Fitted on
    every window, the map had seen the tail it was scored on: its tail error was ~25%
    optimistic, biasing the check toward falling back to it."""
    pytest.importorskip("keras")
    from tsforecast.models import estimator

    if kept:  # the tail keeps the network's corrections (a one-epoch network here would not earn it)
        judged = estimator.shrinkage_on_tail
        monkeypatch.setattr(estimator, "shrinkage_on_tail", lambda *a: (1.0, judged(*a)[1]))
    X, y = _windows(_ar2(300))
    n_train = len(X) - int(np.floor(0.2 * len(X)))
    model = EncoderDecoderLSTM(units=4, epochs=1, random_state=0, scaling="linear", validation_fraction=0.2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        model.fit(X, y)
    _, ys, _ = LinearWindowScaler().fit(X[:n_train], y[:n_train], (0,)).transform(X[n_train:], y[n_train:])
    assert model.reference_errors_["reference"] == pytest.approx(np.abs(ys).mean(), rel=1e-6)
    assert model.shrinkage_ == (1.0 if kept else 0.0)
    # a network whose corrections are kept forecasts with the map it was trained against; where
    # the tail sends it back to the map alone, the map is refitted on every window
    rows = n_train if kept else len(X)
    np.testing.assert_allclose(model.scaler_.weights_, fit_linear_map(X[:rows], y[:rows], (0,)), rtol=1e-12)
