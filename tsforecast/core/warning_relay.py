"""Warnings raised in a worker process, handed back to the process that asked.

A backtest run with ``n_jobs > 1`` (loky, multiprocessing) or on a Dask cluster of worker
processes fits its models in other processes. A warning raised there (a model that fell
back to a simpler one) was printed by the worker, under the worker's filters: the
caller's filters, ``pytest.warns`` and ``warnings.catch_warnings(record=True)`` never saw
it, and a filter of "error" made the sequential run fail folds that the parallel run
completed. :func:`relaying` runs a task in the worker under the caller's filters and
records, instead of printing, the warnings that pass them; :func:`rewarn` raises them
again in the caller, where its filters decide, as if the task had run there.

"""

from __future__ import annotations

import os
import pickle
import re
import threading
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

from .silencing import filters_changed
from .thread_state import held

__all__ = ["RelayedWarning", "portable_filters", "process_token", "relaying", "rewarn"]

_ACTIVE = threading.local()
_LOCK = threading.Lock()
#: What a worker process had in force before its first relaying block, restored after its
#: last (worker threads may relay at once): a reused worker (joblib's pool serves
#: scikit-learn and the user's own jobs too) must not keep a caller's "error" or "ignore".
_SAVED: dict = {"depth": 0, "filters": None, "show": warnings.showwarning}
#: Told apart from the caller's by pid and this token: a forked worker inherits the token,
#: a worker in another container may have the caller's pid (1, say), never both.
_TOKEN = uuid.uuid4().hex


def process_token() -> str:
    """This process's identity, as :func:`relaying`'s caller gives it."""
    return f"{os.getpid()}:{_TOKEN}"


class RelayedWarning(NamedTuple):
    """A warning raised in a worker: what :func:`warnings.warn_explicit` needs."""

    category: type[Warning]
    message: str
    filename: str
    lineno: int


def portable_filters() -> list[tuple]:
    """The caller's warning filters that mean the same in another process.

    Returns
    -------
    list of tuple
        The entries of ``warnings.filters`` of :mod:`warnings` itself (a message and
        module pattern or none, a category that pickles), not those of
        :func:`tsforecast.core.silencing.silenced`, which only the caller's threads use.
    """
    return [f for f in warnings.filters if _plain(f[1]) and _plain(f[3]) and _picklable(f[2])]


def _plain(pattern) -> bool:
    """A filter's message or module pattern as :mod:`warnings` keeps it (not silencing's)."""
    return pattern is None or isinstance(pattern, re.Pattern)


def _picklable(category) -> bool:
    try:
        pickle.dumps(category)
    except Exception:  # noqa: BLE001 - a class defined in a function, say
        return False
    return True


def _show(message, category, filename, lineno, file=None, line=None):
    """``warnings.showwarning`` of a worker while it relays: a warning of a relaying
    thread is recorded, any other shown as before."""
    records = getattr(_ACTIVE, "records", None)
    if records is None:
        return _SAVED["show"](message, category, filename, lineno, file, line)
    if not _picklable(category):  # it must travel back to the caller
        category = UserWarning
    records.append(RelayedWarning(category, str(message), str(filename), int(lineno)))
    return None


def _enter(filters: list[tuple]) -> None:
    """Put the caller's filters in force in this (worker) process and record through
    :func:`_show`, what was in force saved by the first block in. Process-wide: every
    task of one backtest brings the same filters, and a thread's own silencing
    (:mod:`tsforecast.core.silencing`) keeps its entries in front."""
    with _LOCK:
        if _SAVED["depth"] == 0:
            _SAVED["filters"], _SAVED["show"] = list(warnings.filters), warnings.showwarning
            warnings.showwarning = _show
        _SAVED["depth"] += 1
        ours = [f for f in warnings.filters if f not in filters and not _plain(f[1])]
        warnings.filters[:] = ours + list(filters)
        filters_changed()  # "default" and "once" registries start afresh, as in a new caller


def _leave() -> None:
    """The last block out puts back what was in force before the first came in."""
    with _LOCK:
        _SAVED["depth"] -= 1
        if _SAVED["depth"] == 0:
            warnings.filters[:] = _SAVED["filters"]
            warnings.showwarning = _SAVED["show"]
            filters_changed()


@contextmanager
def relaying(filters: list[tuple]) -> Iterator[list[RelayedWarning]]:
    """In a worker process: run the block under the caller's warning filters and collect
    the warnings of this thread that pass them, instead of printing them.

    Parameters
    ----------
    filters : list of tuple
        The caller's :func:`portable_filters`.

    Yields
    ------
    list of RelayedWarning
        Filled as the block warns; a filter of "error" raises in the worker instead, as
        it would have in the caller. The worker's own filters are back after the block.
    """
    _enter(filters)
    records: list[RelayedWarning] = []
    try:
        with held(_ACTIVE, "records", records):
            yield records
    finally:
        _leave()


def rewarn(records: list[RelayedWarning], registry: dict) -> None:
    """Raise warnings of a worker again in the caller, where its filters decide.

    Parameters
    ----------
    records : list of RelayedWarning
        What :func:`relaying` collected.
    registry : dict
        One per run, filled here: "default" shows each warning once, as one process
        would have.
    """
    for record in records:
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno,
                               registry=registry.setdefault(record.filename, {}))
