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

import pickle
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

__all__ = ["RelayedWarning", "portable_filters", "relaying", "rewarn"]

_ACTIVE = threading.local()
_LOCK = threading.Lock()
_SHOWN_BEFORE: list = [warnings.showwarning]  # what shows the warnings of threads that do not relay


class RelayedWarning(NamedTuple):
    """A warning raised in a worker: what :func:`warnings.warn_explicit` needs."""

    category: type[Warning]
    message: str
    filename: str
    lineno: int


def portable_filters() -> list[tuple]:
    """The caller's warning filters that mean the same in another process: those of
    :mod:`warnings` itself (a message and module pattern or none), not the entries of
    :func:`tsforecast.core.silencing.silenced`, which only the caller's threads use."""
    def plain(pattern) -> bool:
        return pattern is None or isinstance(pattern, re.Pattern)

    return [f for f in warnings.filters if plain(f[1]) and plain(f[3]) and _picklable(f[2])]


def _picklable(category) -> bool:
    try:
        pickle.dumps(category)
    except Exception:  # noqa: BLE001 - a class defined in a function, say
        return False
    return True


def _show(message, category, filename, lineno, file=None, line=None):
    """``warnings.showwarning`` of a worker: a warning of a relaying thread is recorded,
    any other shown as before."""
    records = getattr(_ACTIVE, "records", None)
    if records is None:
        return _SHOWN_BEFORE[0](message, category, filename, lineno, file, line)
    if not _picklable(category):  # it must travel back to the caller
        category = UserWarning
    records.append(RelayedWarning(category, str(message), str(filename), int(lineno)))
    return None


def _install(filters: list[tuple]) -> None:
    """Put the caller's filters in force in this (worker) process and record through
    :func:`_show`. Process-wide: every task of one backtest brings the same filters,
    and a worker thread's own silencing (:mod:`tsforecast.core.silencing`) adds its
    entries in front again when it needs them."""
    with _LOCK:
        if warnings.showwarning is not _show:  # first use, or someone put theirs in since
            _SHOWN_BEFORE[0] = warnings.showwarning
            warnings.showwarning = _show
        ours = [f for f in warnings.filters if f not in filters and not (f[1] is None or isinstance(f[1], re.Pattern))]
        warnings.filters[:] = ours + list(filters)
        mutated = getattr(warnings, "_filters_mutated", None)
        if mutated is not None:  # "default" and "once" registries start afresh, as in a new caller
            mutated()


@contextmanager
def relaying(filters: list[tuple]) -> Iterator[list[RelayedWarning]]:
    """In a worker process: run the block under the caller's ``filters`` (from
    :func:`portable_filters`) and collect the warnings of this thread that pass them,
    instead of printing them. A filter of "error" raises in the worker, as it would have
    in the caller."""
    _install(filters)
    outer = getattr(_ACTIVE, "records", None)
    _ACTIVE.records = records = []
    try:
        yield records
    finally:
        _ACTIVE.records = outer


def rewarn(records: list[RelayedWarning], registry: dict) -> None:
    """Raise ``records`` again in the caller, under its filters; ``registry`` (one dict
    per run) keeps "default" showing each warning once, as one process would have."""
    for record in records:
        warnings.warn_explicit(record.message, record.category, record.filename, record.lineno,
                               registry=registry.setdefault(record.filename, {}))
