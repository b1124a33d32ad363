"""Warnings silenced in the current thread only.

``warnings.catch_warnings`` swaps the warning filters of the whole process (Python
before 3.14 shares them across threads), so a block that silences an optimiser's chatter
in one worker thread also silences every other thread while it runs, and two such blocks
that overlap restore each other's filters: a threaded backtest lost the warnings of other
workers, and could leave "ignore" in place for good. :func:`silenced` changes no filter
while it runs. Its first use puts one filter per silenced category (and message) at the
front of ``warnings.filters`` for good; that filter's message pattern matches only in a
thread inside a :func:`silenced` block for it, so everywhere else the caller's filters
decide, as before.

Examples
--------
>>> import warnings
>>> with silenced(RuntimeWarning):
...     warnings.warn("chatter", RuntimeWarning)  # not shown
"""

from __future__ import annotations

import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["silenced", "filters_changed"]

_ACTIVE = threading.local()
_LOCK = threading.Lock()
#: The filter entry of each silenced (category, message pattern), created once.
_ENTRIES: dict[tuple[type, str], tuple] = {}


class _InSilencingThread:
    """The message pattern of a filter entry: matches where the current thread silences
    its (category, message) pair, and the message matches ``message`` (a regular
    expression matched at the start, as ``warnings.filterwarnings``' ``message``)."""

    def __init__(self, key: tuple[type, str]):
        self.key = key
        self.pattern = re.compile(key[1], re.I)

    def match(self, text: str) -> bool:
        counts = getattr(_ACTIVE, "counts", None)
        return bool(counts) and counts.get(self.key, 0) > 0 and self.pattern.match(text) is not None

    def __repr__(self) -> str:
        return f"<tsforecast: {self.key[0].__name__} {self.key[1]!r} silenced in the thread that asks>"


def _entry(key: tuple[type, str]) -> tuple:
    if key not in _ENTRIES:
        _ENTRIES[key] = ("ignore", _InSilencingThread(key), key[0], None, 0)
    return _ENTRIES[key]


def _put_in_front(keys: list[tuple[type, str]]) -> None:
    """Move the entries of ``keys`` ahead of every other filter (another filter put in front
    since, e.g. a library's "always" at import, would otherwise decide first)."""
    ours = set(map(id, _ENTRIES.values()))
    with _LOCK:
        filters = warnings.filters
        first_other = next((i for i, f in enumerate(filters) if id(f) not in ours), len(filters))
        wanted = [_entry(key) for key in keys]
        if all(any(f is entry for f in filters[:first_other]) for entry in wanted):
            return
        for entry in wanted:
            while entry in filters:
                filters.remove(entry)
            filters.insert(0, entry)
        filters_changed()


def filters_changed() -> None:
    """Tell :mod:`warnings` its filters changed: per-module "default" and "once" registries
    read the filters' version (an in-place change of ``warnings.filters`` does not bump it)."""
    mutated = getattr(warnings, "_filters_mutated", None)
    if mutated is not None:
        mutated()


@contextmanager
def silenced(*categories: type[Warning], message: str = "") -> Iterator[None]:
    """Ignore warnings of ``categories`` (default: every warning) raised in this thread
    inside the block, whose message matches ``message`` (a regular expression matched at
    its start; empty: any); other threads' warnings and the filters are unchanged."""
    keys = [(category, message) for category in (categories or (Warning,))]
    _put_in_front(keys)
    counts = getattr(_ACTIVE, "counts", None)
    if counts is None:
        counts = _ACTIVE.counts = {}
    for key in keys:
        counts[key] = counts.get(key, 0) + 1
    try:
        yield
    finally:
        for key in keys:
            counts[key] -= 1
