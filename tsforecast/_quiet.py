"""Keep TensorFlow's start-up log lines out of the user's terminal (CLI and Python alike).

TensorFlow writes from C++ straight to file descriptor 2, before any Python setting can
reach it: ``cudart_stub.cc:31] Could not find cuda drivers``, ``oneDNN custom operations
are on``, ``failed call to cuInit`` and absl's ``WARNING: All log messages before
absl::InitializeLog() is called are written to STDERR``. ``TF_CPP_MIN_LOG_LEVEL=3``
silences most of them but not the lines absl writes before it is initialised, so
:class:`QuietStderr` puts a filter between descriptor 2 and the terminal for the time of
a command: lines in TensorFlow's log format are dropped, everything else passes
unchanged. Python's own ``sys.stderr`` (our messages, warnings, progress bars) is moved
to a copy of the terminal's descriptor, so it is not delayed by the filter. Worker
processes started by the command inherit both the filtered descriptor and
``TF_CPP_MIN_LOG_LEVEL``. :func:`quiet_tensorflow_import` does the same for Python
users, once, around the first import of TensorFlow and Keras (by :mod:`tsforecast.models`);
only TensorFlow's settings change (its loggers and ``TF_CPP_MIN_LOG_LEVEL``, each only
when the user has not set it).

:mod:`tsforecast.cli._quiet` shows, with examples, which lines :data:`TF_LOG_LINE` matches.
"""

from __future__ import annotations

import io
import logging
import os
import re
import sys
import threading

__all__ = ["TF_LOG_LINE", "QuietStderr", "quiet_python_loggers", "quiet_tensorflow_import"]

#: A line of TensorFlow/absl's C++ log format, or absl's notice about it.
TF_LOG_LINE = re.compile(
    rb"^(?:[IWEF]\d{4} \d\d:\d\d:\d+\.\d+\s+\d+ [^\]\s]+:\d+\] "
    rb"|WARNING: All log messages before absl::InitializeLog\(\) is called are written to STDERR"
    rb"|.*oneDNN custom operations are on"
    rb"|.*This TensorFlow binary is optimized to use available CPU instructions"
    rb"|.*To enable the following instructions: .* rebuild TensorFlow with the appropriate compiler flags)"
)


def quiet_python_loggers() -> None:
    """TensorFlow's and absl's Python loggers: errors only; C++ logging: errors hidden too."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in ("tensorflow", "absl", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)


#: TensorFlow's own Python loggers (absl is the logging library TensorFlow writes through).
_TF_LOGGERS = ("tensorflow", "absl")


def quiet_tensorflow_import() -> None:
    """Import TensorFlow and Keras with their start-up lines filtered out of stderr.

    ``TF_CPP_MIN_LOG_LEVEL`` defaults to 3 (errors hidden too: the ``failed call to
    cuInit`` line of a machine without a GPU comes at the first fit) and TensorFlow's
    Python loggers to errors only, unless the user set them; nothing else changes. Set
    ``TF_CPP_MIN_LOG_LEVEL=0`` before importing tsforecast to see every line.
    """
    if "tensorflow" in sys.modules:  # imported already: its lines are written, and its settings the user's
        return
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    for name in _TF_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.ERROR)
    with QuietStderr():
        import keras  # noqa: F401
        import tensorflow  # noqa: F401


class QuietStderr:
    """Filter TensorFlow's log lines out of file descriptor 2 while the context is open."""

    def __init__(self) -> None:
        self._saved_fd: int | None = None
        self._thread: threading.Thread | None = None
        self._python_stderr = None

    def __enter__(self) -> "QuietStderr":
        try:
            sys.stderr.flush()
            self._saved_fd = os.dup(2)
            read_fd, write_fd = os.pipe()
        except (OSError, ValueError):  # no descriptor 2 (embedded interpreters): nothing to filter
            self._saved_fd = None
            return self
        os.dup2(write_fd, 2)
        os.close(write_fd)
        self._thread = threading.Thread(target=self._pump, args=(read_fd, self._saved_fd), daemon=True)
        self._thread.start()
        self._redirect_python_stderr()
        return self

    def _redirect_python_stderr(self) -> None:
        """Point ``sys.stderr`` at the terminal's copy when it writes to descriptor 2."""
        try:
            writes_to_fd2 = sys.stderr.fileno() == 2
        except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
            writes_to_fd2 = False  # a test runner's capture object: leave it alone
        if writes_to_fd2:
            self._python_stderr = sys.stderr
            sys.stderr = io.TextIOWrapper(os.fdopen(os.dup(self._saved_fd), "wb", buffering=0),
                                          encoding=sys.stderr.encoding, errors="backslashreplace",
                                          line_buffering=True)

    @staticmethod
    def _pump(read_fd: int, out_fd: int) -> None:
        pending = b""
        with os.fdopen(read_fd, "rb", buffering=0) as source:
            while chunk := source.read(65536):
                lines = (pending + chunk).split(b"\n")
                pending = lines.pop()
                kept = b"".join(line + b"\n" for line in lines if not TF_LOG_LINE.match(line))
                if kept:
                    os.write(out_fd, kept)
        if pending and not TF_LOG_LINE.match(pending):
            os.write(out_fd, pending)

    def __exit__(self, *exc_info) -> None:
        if self._saved_fd is None:
            return
        if self._python_stderr is not None:
            sys.stderr.flush()
            sys.stderr.close()
            sys.stderr = self._python_stderr
        os.dup2(self._saved_fd, 2)  # closes the pipe's last write end held by this process
        self._thread.join(timeout=2.0)  # worker processes still alive may hold it open
        if not self._thread.is_alive():
            os.close(self._saved_fd)
        self._saved_fd = None
