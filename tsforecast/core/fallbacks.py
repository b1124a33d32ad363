"""The :class:`~tsforecast.exceptions.FallbackWarning` a model raises where it falls back
to a simpler one, and its record per thread.

A backtest keeps each fold's fallbacks in its result (``info["fallback_notes"]``),
whatever the caller's warning filters. ``warnings.catch_warnings`` cannot record them
there: it swaps the warning machinery of the whole process, so two worker threads
recording at once restored each other's state and warnings raised afterwards were lost
(a threaded backtest's FallbackWarning never reached the caller). Each thread records
into its own list instead, and the warning is raised as any other. (Our own code silences
chatter with :func:`tsforecast.core.silencing.silenced`, which changes no filter while it
runs, so a warning raised in one worker thread is not lost to another thread's silencing.)
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from ..exceptions import FallbackWarning
from .forms import SINGLE_SERIES_ID
from .stack import user_stacklevel
from .thread_state import held

__all__ = ["warn_fallback", "recording_fallbacks", "unrecorded_fallbacks", "naming_series", "series_label"]

_RECORD = threading.local()


def warn_fallback(message: str) -> None:
    """Raise ``message`` as a :class:`FallbackWarning` pointing at the user's line,
    recorded first where the current thread records (:func:`recording_fallbacks`)."""
    record = getattr(_RECORD, "messages", None)
    if record is not None:
        record.append(message)
    warnings.warn(message, FallbackWarning, stacklevel=user_stacklevel())


@contextmanager
def recording_fallbacks() -> Iterator[list[str]]:
    """Collect the messages of the fallbacks warned in this thread inside the block (also
    passed on to an enclosing record)."""
    messages: list[str] = []
    with held(_RECORD, "messages", messages) as outer:
        try:
            yield messages
        finally:
            if outer is not None:
                outer.extend(messages)


@contextmanager
def unrecorded_fallbacks() -> Iterator[None]:
    """Leave the fallbacks warned in this thread inside the block out of every record:
    for internal fits whose warnings are silenced too (conformal calibration windows on
    shortened data, trial fits), whose fallbacks are not those of the model's fit."""
    with held(_RECORD, "messages", None):
        yield


@contextmanager
def naming_series(key) -> Iterator[None]:
    """Inside the block, a one-series fit of this thread names its series ``key`` in its
    fallbacks (:func:`series_label`).

    The backtest fits such models on one pandas Series at a time, whose id is the single
    series' placeholder: every series of a panel was named 'series', and two series with
    the same fallback were recorded as one.

    Parameters
    ----------
    key : hashable or None
        The series' id in the user's panel; None names nothing (a global fit).
    """
    with held(_RECORD, "series", key):
        yield


def series_label(series_id):
    """The name a fallback gives ``series_id``.

    Examples
    --------
    >>> with naming_series("store 7"):
    ...     series_label("series"), series_label("b")
    ('store 7', 'b')
    """
    key = getattr(_RECORD, "series", None)
    return key if key is not None and series_id == SINGLE_SERIES_ID else series_id
