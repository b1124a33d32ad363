"""Tests of tsforecast.core.splits: walk-forward fold positions and their validation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsforecast.core.splits import ExpandingWindowSplit, SlidingWindowSplit
from tsforecast.exceptions import InputTypeError, InsufficientDataError, InvalidParameterError


def folds(cv, X):
    return [(train.tolist(), test.tolist()) for train, test in cv.split(X)]


def test_expanding_positions_by_hand():
    assert folds(ExpandingWindowSplit(horizon=2, n_splits=3), 10) == [
        (list(range(4)), [4, 5]),
        (list(range(6)), [6, 7]),
        (list(range(8)), [8, 9]),
    ]


def test_sliding_positions_by_hand():
    assert folds(SlidingWindowSplit(window_length=3, horizon=2, n_splits=3), 10) == [
        ([1, 2, 3], [4, 5]),
        ([3, 4, 5], [6, 7]),
        ([5, 6, 7], [8, 9]),
    ]


def test_gap_and_step():
    cv = ExpandingWindowSplit(horizon=2, n_splits=2, step=1, gap=3)
    assert folds(cv, 12) == [(list(range(6)), [9, 10]), (list(range(7)), [10, 11])]
    assert cv.cutoffs(12).tolist() == [5, 6]


def test_accepts_length_array_series_frame_and_index():
    cv = ExpandingWindowSplit(horizon=3, n_splits=2)
    expected = folds(cv, 20)
    index = pd.date_range("2024", periods=20, freq="D")
    for X in (np.zeros(20), np.zeros((20, 3)), pd.Series(range(20), index=index), pd.DataFrame({"a": range(20)}), index):
        assert folds(cv, X) == expected
    with pytest.raises(InputTypeError, match="X must be"):
        list(cv.split(3.5))


def test_n_splits_none_gives_every_fold_that_fits():
    cv = ExpandingWindowSplit(horizon=2, n_splits=None, initial_window=5)
    result = folds(cv, 12)  # train ends at 10, 8, 6; 4 < 5 does not fit
    assert [len(train) for train, _ in result] == [6, 8, 10]
    assert cv.get_n_splits(12) == 3
    sliding = SlidingWindowSplit(window_length=4, horizon=2, n_splits=None, step=3)
    assert sliding.cutoffs(12).tolist() == [3, 6, 9]  # train ends 4, 7, 10; end 1 < window 4
    with pytest.raises(InvalidParameterError, match="X is needed"):
        cv.get_n_splits()


def test_get_n_splits_and_cutoffs_match_split():
    cv = SlidingWindowSplit(window_length=5, horizon=3, n_splits=4, step=2)
    result = list(cv.split(30))
    assert cv.get_n_splits() == cv.get_n_splits(30) == len(result) == 4
    assert cv.cutoffs(30).tolist() == [int(train[-1]) for train, _ in result]


@given(
    n=st.integers(1, 120),
    horizon=st.integers(1, 10),
    n_splits=st.integers(1, 8),
    step=st.none() | st.integers(1, 6),
    gap=st.integers(0, 4),
    window=st.integers(1, 30),
    sliding=st.booleans(),
)
def test_fold_invariants(n, horizon, n_splits, step, gap, window, sliding):
    if sliding:
        cv = SlidingWindowSplit(window_length=window, horizon=horizon, n_splits=n_splits, step=step, gap=gap)
    else:
        cv = ExpandingWindowSplit(horizon=horizon, n_splits=n_splits, initial_window=window, step=step, gap=gap)
    stride = step if step is not None else horizon
    needed = window + gap + horizon + (n_splits - 1) * stride
    if n < needed:
        with pytest.raises(InsufficientDataError, match=f"X has {n} rows.*at least {needed}"):
            list(cv.split(n))
        return
    result = list(cv.split(n))
    assert len(result) == n_splits
    assert result[-1][1][-1] == n - 1  # the last fold ends on the last row
    previous_end = None
    for train, test in result:
        assert train.dtype == np.int64 and test.dtype == np.int64
        assert len(test) == horizon and np.all(np.diff(test) == 1)
        assert np.all(np.diff(train) == 1) and train[0] >= 0
        assert test[0] - train[-1] - 1 == gap  # gap honoured, test strictly after train
        assert not np.intersect1d(train, test).size
        assert test[-1] < n
        if sliding:
            assert len(train) == window
        else:
            assert train[0] == 0 and len(train) >= window
        if previous_end is not None:
            assert train[-1] + 1 - previous_end == stride
        previous_end = train[-1] + 1


def test_expanding_grows_sliding_stays_fixed():
    grow = [len(train) for train, _ in ExpandingWindowSplit(horizon=4, n_splits=3).split(40)]
    fixed = [len(train) for train, _ in SlidingWindowSplit(10, horizon=4, n_splits=3).split(40)]
    assert grow == [28, 32, 36] and fixed == [10, 10, 10]


@pytest.mark.parametrize(
    ("factory", "match"),
    [
        (lambda: ExpandingWindowSplit(horizon=2, n_splits=0), "n_splits must be >= 1; got 0"),
        (lambda: ExpandingWindowSplit(horizon=0), "horizon must be >= 1; got 0"),
        (lambda: ExpandingWindowSplit(step=0), "step must be >= 1; got 0"),
        (lambda: ExpandingWindowSplit(gap=-1), "gap must be >= 0; got -1"),
        (lambda: ExpandingWindowSplit(initial_window=0), "initial_window must be >= 1; got 0"),
        (lambda: SlidingWindowSplit(window_length=0), "window_length must be >= 1; got 0"),
    ],
)
def test_invalid_parameters(factory, match):
    with pytest.raises(InvalidParameterError, match=match):
        factory()


def test_too_short_names_the_numbers():
    cv = SlidingWindowSplit(window_length=10, horizon=5, n_splits=3, gap=1)
    with pytest.raises(InsufficientDataError, match=r"X has 20 rows; n_splits=3 folds need at least 26"):
        list(cv.split(20))
    with pytest.raises(InsufficientDataError, match="X has 3 rows; one fold needs at least 5"):
        list(ExpandingWindowSplit(horizon=2, n_splits=None, initial_window=3).split(3))


def test_repr_shows_parameters():
    assert repr(SlidingWindowSplit(24, horizon=6)) == (
        "SlidingWindowSplit(window_length=24, horizon=6, n_splits=5, step=None, gap=0)"
    )


def test_usable_as_sklearn_cv():
    from sklearn.linear_model import LinearRegression
    from sklearn.model_selection import cross_val_score

    X = np.arange(40, dtype=float).reshape(-1, 1)
    y = 2 * X.ravel() + 1
    scores = cross_val_score(LinearRegression(), X, y, cv=ExpandingWindowSplit(horizon=5, n_splits=3), scoring="r2")
    assert scores.shape == (3,) and np.allclose(scores, 1.0)


def test_docstring_examples_run():
    import doctest

    import tsforecast.core.splits as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
