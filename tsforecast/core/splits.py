"""Walk-forward splitters: (train positions, test positions) for backtests.

Both splitters place their folds **at the end of the data**: the test window of the
last fold ends on the last row, and each earlier fold's cutoff lies ``step`` rows before
the next one's (as in sktime and Darts). So the most recent data are always tested,
whatever the length of the series, and the earliest fold is the one that runs short of
training data when the series is short.

For fold ``k = 0 .. n_splits - 1`` (oldest first) of a series of ``n`` rows::

    train_end = n - gap - horizon - (n_splits - 1 - k) * step     # exclusive
    train     = [0, train_end)                    ExpandingWindowSplit
              = [train_end - window_length, train_end)   SlidingWindowSplit
    test      = [train_end + gap, train_end + gap + horizon)

The *cutoff* of a fold is its last training position, ``train_end - 1``: the forecast
is made there, with data up to and including it. ``gap`` rows between the cutoff and the
test window are neither trained on nor tested (for example data published late).

The splitters follow scikit-learn's cross-validator protocol: ``split(X, y=None,
groups=None)`` yields ``(train, test)`` integer arrays and ``get_n_splits`` counts them,
so they can be passed as ``cv=`` to scikit-learn's model selection tools.

Examples
--------
>>> cv = ExpandingWindowSplit(horizon=2, n_splits=3)
>>> for train, test in cv.split(10):
...     print(train.tolist(), test.tolist())
[0, 1, 2, 3] [4, 5]
[0, 1, 2, 3, 4, 5] [6, 7]
[0, 1, 2, 3, 4, 5, 6, 7] [8, 9]
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..exceptions import InputTypeError, InsufficientDataError, InvalidParameterError
from .validation import check_int

__all__ = ["ExpandingWindowSplit", "SlidingWindowSplit"]


def _n_rows(X) -> int:
    """The number of time steps: ``X`` itself if an integer, else ``len(X)``."""
    if isinstance(X, (int, np.integer)) and not isinstance(X, (bool, np.bool_)):
        return check_int(X, "X", minimum=0)
    if X is None or not hasattr(X, "__len__"):
        raise InputTypeError(
            f"X must be the number of time steps (an int) or an object with a length "
            f"(array, Series, DataFrame, Index); got {type(X).__name__}."
        )
    return len(X)


class _WindowSplit:
    """Shared logic: fold placement from the end, validation, scikit-learn protocol."""

    _min_train_name: str

    def __init__(self, horizon: int, n_splits: int | None, step: int | None, gap: int) -> None:
        self.horizon = check_int(horizon, "horizon", minimum=1)
        self.n_splits = check_int(n_splits, "n_splits", minimum=1, allow_none=True)
        self.step = check_int(step, "step", minimum=1, allow_none=True)
        self.gap = check_int(gap, "gap", minimum=0)

    # -- hooks
    def _min_train(self) -> int:
        raise NotImplementedError

    def _train(self, train_end: int) -> np.ndarray:
        raise NotImplementedError

    # -- placement
    @property
    def _stride(self) -> int:
        # Default: consecutive test windows touch without overlapping.
        return self.step if self.step is not None else self.horizon

    def _train_ends(self, n: int) -> np.ndarray:
        last_end = n - self.gap - self.horizon
        min_train = self._min_train()
        stride = self._stride
        if self.n_splits is None:
            count = (last_end - min_train) // stride + 1 if last_end >= min_train else 0
            if count < 1:
                raise InsufficientDataError(
                    f"X has {n} rows; one fold needs at least {min_train + self.gap + self.horizon} "
                    f"({self._min_train_name}={min_train} + gap={self.gap} + horizon={self.horizon}).",
                    too_short="folds", rows=n, needed=min_train + self.gap + self.horizon)
        else:
            count = self.n_splits
            needed = min_train + self.gap + self.horizon + (count - 1) * stride
            if n < needed:
                raise InsufficientDataError(
                    f"X has {n} rows; n_splits={count} folds need at least {needed} "
                    f"({self._min_train_name}={min_train} + gap={self.gap} + horizon={self.horizon} "
                    f"+ (n_splits - 1) * step={(count - 1) * stride}).",
                    too_short="folds", rows=n, needed=needed)
        return last_end - stride * np.arange(count - 1, -1, -1, dtype=np.int64)

    # -- public protocol
    def split(self, X, y=None, groups=None) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Yield ``(train_positions, test_positions)`` for each fold, oldest first.

        Parameters
        ----------
        X : int or sized object
            The number of time steps, or one series (array, Series, DataFrame) whose
            rows are the time steps.
        y, groups : ignored
            Present for scikit-learn compatibility.

        Yields
        ------
        train, test : numpy.ndarray of int64
            Row positions; ``test`` starts ``gap`` rows after the end of ``train``.
        """
        for train_end in self._train_ends(_n_rows(X)):
            start = int(train_end) + self.gap
            yield self._train(int(train_end)), np.arange(start, start + self.horizon, dtype=np.int64)

    def get_n_splits(self, X=None, y=None, groups=None) -> int:
        """The number of folds; ``X`` is needed when ``n_splits`` is None (as many as fit)."""
        if X is None:
            if self.n_splits is None:
                raise InvalidParameterError(
                    "X is needed to count the folds when n_splits=None (as many folds as fit); got X=None."
                )
            return self.n_splits
        return len(self._train_ends(_n_rows(X)))

    def cutoffs(self, X) -> np.ndarray:
        """Position of the last training row of each fold (where each forecast is made).

        Examples
        --------
        >>> ExpandingWindowSplit(horizon=2, n_splits=3).cutoffs(10).tolist()
        [3, 5, 7]
        """
        return self._train_ends(_n_rows(X)) - 1

    def __repr__(self) -> str:
        params = ", ".join(f"{name}={getattr(self, name)!r}" for name in self._param_names())
        return f"{type(self).__name__}({params})"

    def _param_names(self) -> list[str]:
        raise NotImplementedError


class ExpandingWindowSplit(_WindowSplit):
    """Walk-forward folds whose training window grows: every fold trains from row 0.

    Parameters
    ----------
    horizon : int
        Length of each test window (the forecast horizon), >= 1.
    n_splits : int or None, default 5
        Number of folds, >= 1, placed at the end of the data. ``None``: as many folds as
        fit with at least ``initial_window`` training rows.
    initial_window : int or None
        The fewest training rows the earliest fold may have (default 1). With an integer
        ``n_splits`` the data must be long enough for it, else
        :class:`InsufficientDataError`.
    step : int or None
        Rows between consecutive cutoffs; default ``horizon`` (test windows touch but
        do not overlap). A smaller step gives overlapping test windows.
    gap : int, default 0
        Rows skipped between the last training row and the first test row.

    Raises
    ------
    InvalidParameterError
        At construction, for a parameter out of range (e.g. ``n_splits=0``).
    InsufficientDataError
        In ``split``, when the data are too short for the folds (the message gives the
        numbers).

    Examples
    --------
    >>> cv = ExpandingWindowSplit(horizon=3, n_splits=2, gap=1)
    >>> [(int(train[-1]), test.tolist()) for train, test in cv.split(12)]
    [(4, [6, 7, 8]), (7, [9, 10, 11])]
    """

    _min_train_name = "initial_window"

    def __init__(
        self,
        horizon: int = 1,
        *,
        n_splits: int | None = 5,
        initial_window: int | None = None,
        step: int | None = None,
        gap: int = 0,
    ) -> None:
        super().__init__(horizon, n_splits, step, gap)
        self.initial_window = check_int(initial_window, "initial_window", minimum=1, allow_none=True)

    def _min_train(self) -> int:
        return self.initial_window if self.initial_window is not None else 1

    def _train(self, train_end: int) -> np.ndarray:
        return np.arange(train_end, dtype=np.int64)

    def _param_names(self) -> list[str]:
        return ["horizon", "n_splits", "initial_window", "step", "gap"]


class SlidingWindowSplit(_WindowSplit):
    """Walk-forward folds with a fixed-length training window that slides forward.

    Parameters
    ----------
    window_length : int
        Number of training rows in every fold, >= 1.
    horizon : int
        Length of each test window (the forecast horizon), >= 1.
    n_splits : int or None, default 5
        Number of folds, >= 1, placed at the end of the data. ``None``: as many folds as
        fit with a full training window.
    step : int or None
        Rows between consecutive cutoffs; default ``horizon``.
    gap : int, default 0
        Rows skipped between the last training row and the first test row.

    Raises
    ------
    InvalidParameterError
        At construction, for a parameter out of range.
    InsufficientDataError
        In ``split``, when the data are too short for the folds.

    Examples
    --------
    >>> cv = SlidingWindowSplit(window_length=3, horizon=2, n_splits=2)
    >>> [(train.tolist(), test.tolist()) for train, test in cv.split(9)]
    [([2, 3, 4], [5, 6]), ([4, 5, 6], [7, 8])]
    """

    _min_train_name = "window_length"

    def __init__(
        self,
        window_length: int,
        horizon: int = 1,
        *,
        n_splits: int | None = 5,
        step: int | None = None,
        gap: int = 0,
    ) -> None:
        super().__init__(horizon, n_splits, step, gap)
        self.window_length = check_int(window_length, "window_length", minimum=1)

    def _min_train(self) -> int:
        return self.window_length

    def _train(self, train_end: int) -> np.ndarray:
        return np.arange(train_end - self.window_length, train_end, dtype=np.int64)

    def _param_names(self) -> list[str]:
        return ["window_length", "horizon", "n_splits", "step", "gap"]
