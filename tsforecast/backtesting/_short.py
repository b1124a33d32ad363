"""Leaving out the series too short for a model: the longest series that fit together.

A model fitted on many series at once fails as a whole where one of them is too short
for it: a model that pools over series (one fit, or one conformal calibration, for all)
and refuses a short series, or a model asked for a spread that a short series cannot
give and that does not say which series those are (a local baseline says so itself:
``too_short_for_spread``, and needs no search). Retrying each series alone loses the pool (a calibration over one series
has too few errors), and a result of the whole chunk depends on which series share it
(on ``n_jobs``). What is too short for a model is a matter of length, so the backtest
tries again without the series of the shortest length, then of the next, and so on,
until the model succeeds: the series kept are fitted together (their pool kept), and
the one result does not depend on how the series were cut into chunks.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..exceptions import InsufficientDataError

__all__ = ["longest_that_fit"]


def longest_that_fit(lengths: np.ndarray, attempt: Callable[[np.ndarray], object]) -> tuple[np.ndarray, object]:
    """The series to keep and ``attempt``'s result on them: those of every length from
    the shortest with which ``attempt`` succeeds.

    Parameters
    ----------
    lengths : ndarray of int
        The training rows of each series (``attempt`` has failed on all of them).
    attempt : callable
        ``attempt(keep)`` with ``keep`` a boolean mask of the series: a fit on those
        series, raising :class:`~tsforecast.exceptions.InsufficientDataError` where one
        is too short for it.

    Returns
    -------
    keep : ndarray of bool
        The series kept: every series at least as long as the shortest one kept.
    result
        What ``attempt(keep)`` returned.

    Raises
    ------
    InsufficientDataError
        Where even the series of the longest length fail (the last error).

    Notes
    -----
    The distinct lengths are searched by doubling steps from the shortest, then by
    halving (one attempt where only the shortest length is too short; a few more where
    many are): the cost of a failure grows with the log of the number of lengths, not
    with the number of series.
    """
    lengths = np.asarray(lengths)
    distinct = np.unique(lengths)
    found: dict[int, tuple] = {}

    def succeeds(j: int) -> bool:
        keep = lengths >= distinct[j]
        try:
            found[j] = (keep, attempt(keep))
        except InsufficientDataError:
            if j == distinct.size - 1:
                raise  # even the longest series fail: nothing to keep
            return False
        return True

    if distinct.size < 2:
        raise InsufficientDataError("every series has the same length: none can be left out for being shorter")
    failed, j = 0, 1
    while not succeeds(j):
        failed, j = j, min(2 * j, distinct.size - 1)
    while j - failed > 1:  # the shortest length that succeeds lies in (failed, j]
        middle = (failed + j) // 2
        if succeeds(middle):
            j = middle
        else:
            failed = middle
    return found[j]
