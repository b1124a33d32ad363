"""A value of the calling thread, set for the length of a block.

Several records are kept per thread so that worker threads of one backtest do not mix
them (the fallbacks a fit warned of, the series it is fitting, the warnings a worker
process hands back); each is set on entering a block and put back on leaving it, nested
blocks included.

Examples
--------
>>> import threading
>>> state = threading.local()
>>> with held(state, "series", "b") as outer:
...     state.series, outer
('b', None)
>>> getattr(state, "series")
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["held"]


@contextmanager
def held(state: threading.local, name: str, value) -> Iterator:
    """``state.<name>`` is ``value`` inside the block and what it was before after it.

    Parameters
    ----------
    state : threading.local
        The thread's record.
    name : str
        The attribute.
    value : object
        Its value inside the block.

    Yields
    ------
    object
        The value it had before (None where it had none).
    """
    outer = getattr(state, name, None)
    setattr(state, name, value)
    try:
        yield outer
    finally:
        setattr(state, name, outer)
