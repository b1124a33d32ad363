"""TensorFlow's log lines kept out of the command line's stderr (see :mod:`tsforecast._quiet`).

Examples
--------
>>> bool(TF_LOG_LINE.match(b"I0000 00:00:1796036252.742037    5203 cudart_stub.cc:31] Could not find cuda"))
True
>>> bool(TF_LOG_LINE.match(b"Error: --horizon must be at least 1"))
False
"""

from __future__ import annotations

from .._quiet import TF_LOG_LINE, QuietStderr, quiet_python_loggers

__all__ = ["TF_LOG_LINE", "QuietStderr", "quiet_python_loggers"]
