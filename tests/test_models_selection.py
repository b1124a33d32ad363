"""EncoderDecoderLSTM(search=True): look-back, reference and segment length chosen in fit
on the chronological validation tail of the training windows."""

from __future__ import annotations

import numpy as np
import pytest

from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.selection import search_settings

pytest.importorskip("keras")

PERIOD, N_OUT = 12, 6
FAST = dict(units=4, epochs=1, batch_size=32, random_state=0)


def _windows(n_in: int, n: int = 500, seed: int = 0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    series = 5 + np.sin(2 * np.pi * t / PERIOD) + 0.01 * t + rng.normal(0, 0.1, n)
    starts = np.arange(n - n_in - N_OUT + 1)[:, None]
    return series[starts + np.arange(n_in)], series[starts + n_in + np.arange(N_OUT)]


def test_search_records_its_choice_and_uses_it_in_predict():
    X, y = _windows(4 * PERIOD)
    model = EncoderDecoderLSTM(**FAST, season_length=PERIOD, search=True).fit(X, y)
    scores = model.search_scores_
    assert len(scores) >= 4 and all(np.isfinite(v) for v in scores.values())
    chosen = (f"input_steps={model.input_steps_}, season_length={model.season_length_}, "
              f"segment_length={model.segment_length_}")
    # the last step of the search tried the chosen segment on the chosen look-back and reference
    assert chosen in scores and model.scaling_ == "seasonal"
    assert model.input_steps_ in (2 * PERIOD, 4 * PERIOD) and model.season_length_ in (1, PERIOD)
    assert model.network_.input_shape[1] == model.input_steps_ and model.n_steps_in_ == 4 * PERIOD
    assert model.predict(X[:3]).shape == (3, N_OUT)
    # only the latest input_steps_ steps are read
    changed = X.copy()
    changed[:, : 4 * PERIOD - model.input_steps_] += 100.0
    np.testing.assert_array_equal(model.predict(changed), model.predict(X))


def test_a_look_back_longer_than_the_windows_is_skipped_with_its_reason():
    X, y = _windows(3 * PERIOD)  # room for 2 seasons, not 4 or 7
    model = EncoderDecoderLSTM(**FAST, season_length=PERIOD, search=True).fit(X, y)
    assert model.search_skipped_ == {f"input_steps={4 * PERIOD}": "longer than the windows (36 steps)",
                                     f"input_steps={7 * PERIOD}": "longer than the windows (36 steps)"}
    assert model.input_steps_ in (2 * PERIOD, 3 * PERIOD)


def test_too_little_data_skips_the_search_and_fits():
    X, y = _windows(2 * PERIOD, n=2 * PERIOD + N_OUT + 1)  # two windows: no tail to score on
    model = EncoderDecoderLSTM(**FAST, season_length=PERIOD, search=True).fit(X, y)
    assert model.search_scores_ == {} and "too little data" in model.search_skipped_["search"]
    assert model.input_steps_ == 2 * PERIOD


def test_search_is_reproducible():
    X, y = _windows(4 * PERIOD)
    first = EncoderDecoderLSTM(**FAST, season_length=PERIOD, search=True).fit(X, y)
    again = EncoderDecoderLSTM(**FAST, season_length=PERIOD, search=True).fit(X, y)
    assert again.search_scores_ == first.search_scores_
    np.testing.assert_array_equal(again.predict(X), first.predict(X))


@pytest.mark.slow
def test_search_never_reads_rows_after_the_training_data():
    """Garbage in every row after a cutoff (as in test_backtest_leakage) leaves the search's
    scores, its choice and the forecasts made at the cutoff bit-identical."""
    from test_backtest_leakage import corrupt, make_data

    from tsforecast import WindowForecaster

    data, cutoff_pos = make_data(), 59

    def fit(frame, upto):
        rows = frame.groupby("unique_id").cumcount() <= upto
        estimator = EncoderDecoderLSTM(**FAST, search=True)
        model = WindowForecaster(estimator, n_steps_in=24, n_steps_out=3, targets="y", covariates=[])
        model.fit(frame[rows].reset_index(drop=True)[["unique_id", "ds", "y"]])
        return model.estimator_, model.predict().to_numpy()

    clean, clean_pred = fit(data, cutoff_pos)
    dirty, dirty_pred = fit(corrupt(data, cutoff_pos, "random"), cutoff_pos)
    assert clean.search_scores_ and dirty.search_scores_ == clean.search_scores_
    assert (dirty.input_steps_, dirty.season_length_) == (clean.input_steps_, clean.season_length_)
    np.testing.assert_array_equal(dirty_pred, clean_pred)
    # not vacuous: with the garbage inside the training rows the scores change
    assert fit(corrupt(data, cutoff_pos, "random"), cutoff_pos + 6)[0].search_scores_ != clean.search_scores_


def test_search_is_off_by_default():
    X, y = _windows(4 * PERIOD)
    model = EncoderDecoderLSTM(**FAST, season_length=PERIOD).fit(X, y)
    assert model.search_scores_ == {} and model.search_skipped_ == {} and model.input_steps_ == 4 * PERIOD


def test_feedback_decoder_skips_the_search():
    X, y = _windows(2 * PERIOD)
    model = EncoderDecoderLSTM(**FAST, decoder="feedback", search=True, season_length=PERIOD)
    settings = search_settings(model, model._check_params(), X[:, :, None], y[:, :, None], 0, "joint")
    assert settings["scores"] == {} and "feedback" in settings["skipped"]["search"]


def test_the_segment_step_keeps_the_segment_scored_best_so_far(monkeypatch):
    """The look-back step scored segment_length='auto' best, but the segment step chose only
    among the season, half of it and input_steps // 10: a worse setting was used than one
    measured (search_scores_ said so)."""
    from tsforecast.models import selection

    def error(model, params, X, y, n_val, seed, input_steps):  # 'auto' best, then the longest segment
        return 0.1 if params["segment_length"] == "auto" else 1.0 / (params["segment_length"] or 1)

    monkeypatch.setattr(selection, "trial_error", error)
    p = {"season_length": 4, "validation_fraction": 0.2, "segment_length": "auto", "decoder": "repeat"}
    X, y = np.zeros((40, 32, 1)), np.zeros((40, 4))
    chosen = selection.search_settings(None, p, X, y, seed=0, channels="joint")
    best_label = min(chosen["scores"], key=chosen["scores"].get)
    assert chosen["segment_length"] == "auto" and best_label.endswith("segment_length=auto")


def test_a_search_on_inputs_without_the_targets_past_is_skipped_with_its_reason():
    """Without search the fit works (standard scaling); with search=True its trials set
    scaling='seasonal' and failed with 'decoder=... and scaling='seasonal' need to know
    which input features hold the targets' past', a setting the user never gave."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(100, 21, 1)), rng.normal(size=(100, 5, 2))  # two targets, not among the inputs
    model = EncoderDecoderLSTM(units=4, epochs=1, random_state=0, search=True, season_length=7).fit(X, y)
    assert model.search_scores_ == {} and "targets' past" in model.search_skipped_["search"]
    assert model.predict(X[:2]).shape == (2, 5, 2)


def test_predict_uses_the_log_setting_of_fit():
    """predict read the log parameter: set_params(log=False) after a fit on logs changed the
    forecasts without a refit (every other option is read as fitted)."""
    x = 10 + np.sin(np.arange(200) / 3.0)
    X = np.stack([x[i:i + 21] for i in range(170)])[..., None]
    y = np.stack([x[i + 21:i + 26] for i in range(170)])
    model = EncoderDecoderLSTM(units=4, epochs=1, random_state=0, log=True, scaling="window").fit(X, y)
    fitted = model.predict(X[:1])
    np.testing.assert_array_equal(model.set_params(log=False).predict(X[:1]), fitted)
