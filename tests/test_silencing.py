"""Warnings silenced in one thread leave every other thread's warnings, and the filters, alone.

``warnings.catch_warnings`` swaps the process-wide filters (Python < 3.14): a worker
silencing optimiser chatter hid the FallbackWarnings other workers raised meanwhile, and
two overlapping blocks left "ignore" in place for good.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd
import pytest

from tsforecast.core.silencing import silenced
from tsforecast.exceptions import FallbackWarning


def _in_thread(target) -> threading.Thread:
    thread = threading.Thread(target=target)
    thread.start()
    return thread


def test_a_silencing_thread_does_not_hide_another_threads_warning():
    inside, warned = threading.Event(), threading.Event()

    def silencing():
        with silenced():
            inside.set()
            warned.wait(5)
            warnings.warn("chatter", RuntimeWarning)

    def warning():
        inside.wait(5)
        warnings.warn("series 'a' fell back to Naive", FallbackWarning)
        warned.set()

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        threads = [_in_thread(silencing), _in_thread(warning)]
        for thread in threads:
            thread.join(5)
    assert [str(w.message) for w in caught] == ["series 'a' fell back to Naive"]


def test_overlapping_blocks_in_two_threads_leave_no_filter_in_force():
    """A enters, B enters, A leaves, B leaves: catch_warnings restored A's "ignore" at B's exit."""
    steps = [threading.Event() for _ in range(3)]

    def first():
        with silenced():
            steps[0].set()
            steps[1].wait(5)
        steps[2].set()

    def second():
        steps[0].wait(5)
        with silenced():
            steps[1].set()
            steps[2].wait(5)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        threads = [_in_thread(first), _in_thread(second)]
        for thread in threads:
            thread.join(5)
        warnings.warn("after both", UserWarning)
    assert [str(w.message) for w in caught] == ["after both"]


def test_only_the_categories_and_messages_asked_are_silenced():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with silenced(RuntimeWarning, message="Mean of empty slice"):
            warnings.warn("Mean of empty slice", RuntimeWarning)
            warnings.warn("overflow encountered", RuntimeWarning)
            warnings.warn("Mean of empty slice", UserWarning)
            with silenced(UserWarning):  # nested: both apply until the inner one ends
                warnings.warn("inner", UserWarning)
                warnings.warn("Mean of empty slice", RuntimeWarning)
            warnings.warn("outer again", UserWarning)
        warnings.warn("Mean of empty slice", RuntimeWarning)
    assert [str(w.message) for w in caught] == ["overflow encountered", "Mean of empty slice", "outer again",
                                                "Mean of empty slice"]


def test_silencing_wins_over_filters_put_in_front_before_the_block():
    """statsmodels' first import puts an "always" filter in front; a user may turn warnings
    into errors: chatter inside a block stays silent, as with catch_warnings + "ignore"."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with silenced():
            warnings.warn("optimiser chatter", RuntimeWarning)
        with pytest.raises(UserWarning):
            warnings.warn("outside", UserWarning)


def test_a_threaded_backtest_shows_every_fallback_it_records():
    """Worker threads fitting ETS silence statsmodels' chatter while others warn that a 95%
    conformal interval fell back to the pooled one: every fallback in the result's record
    reaches the caller as a warning."""
    from tsforecast import backtest
    from tsforecast.baselines import ETS, Theta
    from tsforecast import ConformalIntervals

    rng = np.random.default_rng(5)
    data = pd.concat([pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024", periods=150, freq="D"),
                                    "y": 50 + rng.normal(size=150).cumsum()}) for i in range(4)], ignore_index=True)
    models = {"ci": ConformalIntervals(Theta(), n_windows=10), "ets": ETS(season_length=7)}
    for _ in range(3):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = backtest(models, data, horizon=6, cv=2, levels=(80, 95), n_jobs=4, backend="threading",
                              progress=False)
        recorded = {m for folds in result.info["fallback_notes"].values() for fold in folds.values() for m in fold}
        shown = {str(w.message) for w in caught if issubclass(w.category, FallbackWarning)}
        assert recorded and recorded <= shown
