"""Compiled (numba) loops over many series at once, each over one values array and the
``starts``/``ends`` offsets of its series (see :class:`tsforecast.core.panel.Panel`).

Importing any kernel module runs this file first, so every one of them (common, ets,
stl, arima, intermittent) is cached in :data:`CACHE_DIR`, set here once.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import numba as _numba
import numpy as _numpy
from numba import config as _numba_config

def cache_folder(environ=os.environ, numpy_version: str = _numpy.__version__,
                 numba_version: str = _numba.__version__) -> Path:
    """The folder numba caches our kernels in, for these environment variables and versions.

    A folder of our own in the user's cache folder, never ``__pycache__`` beside these
    files: a cache inside site-packages is not a file pip recorded, so uninstalling left it
    behind and the empty package folder it kept shadowed a later editable install. One
    subfolder per numpy and numba version: two environments importing the same source tree
    (the project's venv and a benchmark venv pinning an older numpy) shared one cache, and a
    kernel compiled under one numpy crashed the other on load. numba's own
    ``NUMBA_CACHE_DIR`` still wins when set.
    """
    if environ.get("NUMBA_CACHE_DIR"):
        return Path(environ["NUMBA_CACHE_DIR"])
    user_cache = Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return user_cache / "tsforecast" / "numba" / f"numpy-{numpy_version}-numba-{numba_version}"


#: Where this process caches the compiled kernels (see :func:`cache_folder`).
CACHE_DIR = cache_folder()


def _use_cache_dir() -> bool:
    """Point numba's cache at :data:`CACHE_DIR`; True when no kernel of this package is cached there yet."""
    if not os.environ.get("NUMBA_CACHE_DIR"):
        _numba_config.CACHE_DIR = str(CACHE_DIR)  # read when each @njit(cache=True) of a kernel module is decorated
    from numba.core.caching import UserProvidedCacheLocator

    # The kernel modules share this folder, so they share one cache subfolder.
    folder = CACHE_DIR / UserProvidedCacheLocator.get_suitable_cache_subpath(__file__)
    return not any(folder.glob("*.nbi"))


def _say_first_compile() -> None:
    """One line on a terminal while the kernels compile on first use (6-9 s; cached afterwards)."""
    if sys.stderr is not None and sys.stderr.isatty():
        print(f"tsforecast: compiling the numba kernels on first use (once, about 10 s; cached in {CACHE_DIR})",
              file=sys.stderr, flush=True)


if _use_cache_dir():
    _say_first_compile()
