"""Where a warning of tsforecast points: the user's line that called into the package.

A fixed ``stacklevel`` counts frames from the line that warns, so it points at the
caller only along the one path it was counted for: the same check reached through a
dict or a long frame, or through a wrapper, pointed into the library instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

__all__ = ["user_stacklevel"]

_PACKAGE = str(Path(__file__).resolve().parent.parent)


def user_stacklevel() -> int:
    """The ``stacklevel`` for :func:`warnings.warn`, called by the function that warns,
    that points at the first frame outside tsforecast (the last frame if there is none)."""
    frame, level = sys._getframe(1), 1  # the function that warns: stacklevel 1
    while frame is not None and str(Path(frame.f_code.co_filename).resolve()).startswith(_PACKAGE):
        frame, level = frame.f_back, level + 1
    return level if frame is not None else level - 1
