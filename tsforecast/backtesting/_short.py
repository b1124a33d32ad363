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

__all__ = ["longest_that_fit"]


def longest_that_fit(lengths: np.ndarray, attempt: Callable[[np.ndarray], object]) -> tuple[np.ndarray, object] | None:
    """The series to keep and ``attempt``'s result on them: those of every length from
    the shortest with which ``attempt`` succeeds.

    Parameters
    ----------
    lengths : ndarray of int
        The training rows of each series (``attempt`` has failed on all of them).
    attempt : callable
        ``attempt(keep)`` with ``keep`` a boolean mask of the series: a fit on those
        series (and its forecast), raising where they do not fit together: an
        :class:`~tsforecast.exceptions.InsufficientDataError` where one is too short,
        or any other error (a forecast that fails after the fit).

    Returns
    -------
    tuple or None
        ``(keep, result)``: the series kept (every series at least as long as the
        shortest one kept) and what ``attempt(keep)`` returned; None where even the
        series of the longest length fail, or all have one length (none can be left
        out for being shorter): the caller's own error then stands.

    Notes
    -----
    The distinct lengths are searched by doubling steps from the shortest, then by
    halving (one attempt where only the shortest length is too short; a few more where
    many are): the cost of a failure grows with the log of the number of lengths, not
    with the number of series. A trial runs while the caller handles an error, so none
    of its own errors escapes to replace that one.
    """
    lengths = np.asarray(lengths)
    distinct = np.unique(lengths)
    found: dict[int, tuple] = {}

    def succeeds(j: int) -> bool:
        keep = lengths >= distinct[j]
        try:
            found[j] = (keep, attempt(keep))
        except Exception:  # noqa: BLE001 - whatever stops a trial, these series do not fit together
            return False
        return True

    if distinct.size < 2:
        return None
    failed, j = 0, 1
    while not succeeds(j):
        if j == distinct.size - 1:
            return None  # even the longest series fail: nothing to keep
        failed, j = j, min(2 * j, distinct.size - 1)
    while j - failed > 1:  # the shortest length that succeeds lies in (failed, j]
        middle = (failed + j) // 2
        if succeeds(middle):
            j = middle
        else:
            failed = middle
    return found[j]
