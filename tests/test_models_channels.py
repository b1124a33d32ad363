"""Channel modes of EncoderDecoderLSTM: joint, independent (one shared network per target
channel) and auto (chosen on the chronological validation tail of the training windows)."""

from __future__ import annotations

import numpy as np
import pytest

from tsforecast.exceptions import InvalidParameterError
from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.channels import add_channel_ids, from_channels, joint_clearly_better, targets_to_channels, to_channels

pytest.importorskip("keras")

N_IN, N_OUT, PERIOD = 24, 6, 12
# the reference pinned to the naive one (what scaling="auto" chose here before the linear
# reference): with the linear map exact on these sines, the network would fall back to it
FAST = dict(units=8, epochs=2, batch_size=32, random_state=0, scaling="seasonal", season_length=1)


def _windows(n: int = 260, seed: int = 0, covariate: bool = False):
    """Two seasonal target channels of different scales (and a covariate feature)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    columns = [np.sin(2 * np.pi * t / PERIOD) + rng.normal(0, 0.1, n),
               10 + 3 * np.cos(2 * np.pi * t / PERIOD) + rng.normal(0, 0.3, n)]
    if covariate:
        columns.append(rng.normal(size=n))
    series = np.stack(columns, axis=-1)
    starts = np.arange(n - N_IN - N_OUT + 1)[:, None]
    return series[starts + np.arange(N_IN)], series[starts + N_IN + np.arange(N_OUT)][:, :, :2]


def test_stacking_round_trip_and_layout():
    X, y = _windows(60, covariate=True)
    stacked = to_channels(X, (0, 1))
    assert stacked.shape == (2 * len(X), N_IN, 2)
    # window by window: row 2 i + k is target k's past of window i, then the covariate
    np.testing.assert_array_equal(stacked[7, :, 0], X[3, :, 1])
    np.testing.assert_array_equal(stacked[7, :, 1], X[3, :, 2])
    np.testing.assert_array_equal(stacked[6, :, 1], X[3, :, 2])
    pred = targets_to_channels(y)[..., None]  # (n * K, H, 1, 1)
    np.testing.assert_array_equal(from_channels(pred, 2)[..., 0], y)


@pytest.mark.parametrize("channels", ["joint", "independent", "auto"])
def test_every_mode_gives_the_shapes_y_had(channels):
    X, y = _windows()
    model = EncoderDecoderLSTM(**FAST, channels=channels).fit(X, y)
    assert model.predict(X[:5]).shape == (5, N_OUT, 2)
    assert model.channels_ in ("joint", "independent") and model.n_input_features_ == 2
    if channels != "auto":
        assert model.channels_ == channels and model.channel_scores_ == {}
    one = EncoderDecoderLSTM(**FAST, channels=channels).fit(X[:, :, 0], y[:, :, 0])
    assert one.predict(X[:5, :, 0]).shape == (5, N_OUT)
    assert one.channel_scores_ == {}  # one target: the modes are the same network, nothing tried


def test_independent_equals_the_channels_stacked_by_hand():
    """Same seed, no channel embedding: the independent model is the joint model fitted on
    the univariate windows of every channel, stacked window by window (the by-hand
    ``X.transpose(0, 2, 1).reshape(-1, n_steps_in, 1)``): bit-identical forecasts."""
    X, y = _windows()
    model = EncoderDecoderLSTM(**FAST, channels="independent").fit(X, y)
    by_hand = EncoderDecoderLSTM(**FAST, channels="joint").fit(X.transpose(0, 2, 1).reshape(-1, N_IN, 1),
                                                               y.transpose(0, 2, 1).reshape(-1, N_OUT, 1))
    expected = by_hand.predict(X.transpose(0, 2, 1).reshape(-1, N_IN, 1)).reshape(len(X), 2, N_OUT)
    np.testing.assert_array_equal(model.predict(X), expected.transpose(0, 2, 1))
    joint = EncoderDecoderLSTM(**FAST, channels="joint").fit(X, y).predict(X)
    assert not np.allclose(joint, model.predict(X))  # the modes are different networks


def test_without_embedding_independent_channels_are_interchangeable():
    """What differs from fitting each channel alone: one network is trained on every
    channel's windows, so a channel's forecast depends on its own window only, never on
    its position: swapping the channels of X swaps the forecasts, exactly."""
    X, y = _windows()
    model = EncoderDecoderLSTM(**FAST, channels="independent").fit(X, y)
    assert model.channel_ids_ == 0
    np.testing.assert_array_equal(model.predict(X[:, :, ::-1])[:, :, ::-1], model.predict(X))


def test_channel_embedding_tells_the_channels_apart():
    X, y = _windows()
    model = EncoderDecoderLSTM(**FAST, channels="independent", channel_embedding=True).fit(X, y)
    assert model.channel_ids_ == 2 and model.network_.input_shape[-1] == 1 + 2  # own past + one-hot
    assert model.predict(X[:5]).shape == (5, N_OUT, 2)
    swapped = model.predict(X[:, :, ::-1])[:, :, ::-1]
    assert np.abs(swapped - model.predict(X)).max() > 1e-3  # the channel's id is read
    # the embedding is the stacked-by-hand model whose (scaled) windows carry the one-hot
    plain = EncoderDecoderLSTM(**FAST, channels="independent", channel_embedding=False).fit(X, y)
    assert not np.allclose(plain.predict(X), model.predict(X))
    joint = EncoderDecoderLSTM(**FAST, channels="joint", channel_embedding=True).fit(X, y)
    assert joint.channel_ids_ == 0  # joint channels are distinct features already
    np.testing.assert_array_equal(joint.predict(X), EncoderDecoderLSTM(**FAST, channels="joint").fit(X, y).predict(X))


def test_channel_ids_are_one_hot_per_stacked_row():
    Xs = np.arange(12.0).reshape(6, 2, 1)
    out = add_channel_ids(Xs, 3)
    assert out.shape == (6, 2, 4)
    np.testing.assert_array_equal(out[..., 0], Xs[..., 0])
    np.testing.assert_array_equal(out[:, 0, 1:].argmax(axis=1), [0, 1, 2, 0, 1, 2])
    assert (out[:, :, 1:].sum(axis=2) == 1).all()


def test_independent_reads_the_covariates_beside_each_channel():
    X, y = _windows(covariate=True)
    model = EncoderDecoderLSTM(**FAST, channels="independent", target_features=(0, 1)).fit(X, y)
    by_hand = EncoderDecoderLSTM(**FAST, channels="joint").fit(to_channels(X, (0, 1)), targets_to_channels(y))
    expected = by_hand.predict(to_channels(X, (0, 1))).reshape(len(X), 2, N_OUT).transpose(0, 2, 1)
    np.testing.assert_array_equal(model.predict(X), expected)
    assert model.network_.input_shape[-1] == 2  # own past + the covariate
    changed = X.copy()
    changed[:, :, 2] += 5 * np.sin(np.arange(N_IN))
    assert not np.allclose(model.predict(changed), model.predict(X))  # the covariate is read


def test_auto_keeps_independent_unless_joint_is_clearly_better():
    X, y = _windows()
    model = EncoderDecoderLSTM(**FAST, channels="auto").fit(X, y)
    scores = model.channel_scores_
    assert set(scores) == {"joint", "independent"} and all(np.isfinite(v) and v > 0 for v in scores.values())
    assert model.channels_ == "independent" or scores["joint"] < scores["independent"]
    again = EncoderDecoderLSTM(**FAST, channels="auto").fit(X, y)
    assert again.channel_scores_ == scores
    np.testing.assert_array_equal(again.predict(X), model.predict(X))  # same random_state, same forecasts


def test_joint_must_beat_independent_beyond_the_noise_of_the_tail():
    """The gains are averaged over blocks of ``horizon`` windows (they share targets): a
    steady gain counts, an equal mean gain that flips sign from block to block does not."""
    steady = np.r_[np.full(6, 0.1), np.full(6, 0.12), np.full(6, 0.09)]
    assert joint_clearly_better(steady, horizon=6)
    flipping = np.r_[np.full(6, 0.9), np.full(6, -0.6), np.full(6, 0.3)]
    assert flipping.mean() > steady.mean() and not joint_clearly_better(flipping, horizon=6)
    assert not joint_clearly_better(-steady, horizon=6)
    assert not joint_clearly_better(steady[:8], horizon=6)  # one block: no evidence, independent kept


def _lagged(n: int, n_in: int, n_out: int, seed: int = 0):
    """Channel 1 repeats channel 0 ``n_out`` steps later (plus a little noise); channel 0 is
    white noise. Channel 1's future is in channel 0's past: only the joint mode can read it."""
    rng = np.random.default_rng(seed)
    a = rng.normal(size=n)
    b = np.r_[np.zeros(n_out), a[:-n_out]] + rng.normal(0, 0.05, n)
    series = np.stack([a, b], axis=-1)[n_out:]
    starts = np.arange(len(series) - n_in - n_out + 1)[:, None]
    return series[starts + np.arange(n_in)], series[starts + n_in + np.arange(n_out)]


@pytest.mark.slow
def test_auto_picks_joint_where_one_channel_forecasts_the_other():
    X, y = _lagged(1200, 8, 4)
    model = EncoderDecoderLSTM(units=16, epochs=5, batch_size=32, learning_rate=0.01, random_state=0).fit(X, y)
    assert model.channels_ == "joint", model.channel_scores_
    assert model.channel_scores_["joint"] < 0.95 * model.channel_scores_["independent"]


def test_auto_picks_independent_where_the_channels_do_not_inform_each_other():
    """Seasonal channels of one shape, each with its own noise: the joint trial has nothing
    to read across channels, so independence (the literature's choice) is kept."""
    X, y = _windows(seed=3)
    model = EncoderDecoderLSTM(**FAST).fit(X, y)
    assert model.channels_ == "independent", model.channel_scores_


def test_auto_choice_reads_only_the_windows_it_is_given():
    """The trial fits train on the windows before the validation tail and score on the
    tail: changing the targets of windows *before* the tail changes the scores, and the
    scores never depend on anything but X and y (same inputs, same scores)."""
    X, y = _windows()
    base = EncoderDecoderLSTM(**FAST).fit(X, y).channel_scores_
    tail = len(X) - int(np.floor(0.1 * len(X)))
    y_changed = y.copy()
    y_changed[: tail // 2] *= -1
    assert EncoderDecoderLSTM(**FAST).fit(X, y_changed).channel_scores_ != base


def test_bad_channels_are_named():
    X, y = _windows(60)
    with pytest.raises(InvalidParameterError, match="channels must be one of.*got 'split'"):
        EncoderDecoderLSTM(**FAST, channels="split").fit(X, y)
    with pytest.raises(InvalidParameterError, match="channels='independent'.*target_features=None"):
        EncoderDecoderLSTM(**{**FAST, "scaling": "standard"}, channels="independent").fit(X[:, :, :1], y)


@pytest.mark.slow
def test_auto_channel_choice_never_reads_rows_after_the_training_data():
    """Garbage in every row after a cutoff (as in test_backtest_leakage) leaves the choice,
    its trial scores and the forecasts made at the cutoff bit-identical: the trial fits and
    the validation tail are cut from the training rows only."""
    from test_backtest_leakage import HORIZON, corrupt, make_data

    from tsforecast import WindowForecaster

    data, cutoff_pos = make_data(), 47
    dirty = corrupt(data, cutoff_pos, "random")

    def fit(frame, upto):
        rows = frame.groupby("unique_id").cumcount() <= upto
        estimator = EncoderDecoderLSTM(units=4, epochs=2, batch_size=16, random_state=0, channels="auto")
        model = WindowForecaster(estimator, n_steps_in=12, n_steps_out=HORIZON, targets=["y", "z"], covariates=["x"])
        model.fit(frame[rows].reset_index(drop=True))
        return model.estimator_, model.predict().to_numpy()

    (clean_model, clean_pred), (dirty_model, dirty_pred) = fit(data, cutoff_pos), fit(dirty, cutoff_pos)
    assert set(clean_model.channel_scores_) == {"joint", "independent"}
    assert dirty_model.channel_scores_ == clean_model.channel_scores_
    assert dirty_model.channels_ == clean_model.channels_
    np.testing.assert_array_equal(dirty_pred, clean_pred)
    # not vacuous: the same fit on rows that include the garbage chooses on other scores
    assert fit(dirty, cutoff_pos + HORIZON)[0].channel_scores_ != clean_model.channel_scores_
