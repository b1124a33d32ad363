"""Resumable backtests: one JSON file per finished task, written atomically.

A task's file is named by a hash of everything that determines its result (model
name, class and parameters, the folds and series it covers, the data's hash, the
horizon...), so a changed backtest never reuses a stale file, and a killed one
redoes only the tasks whose file is missing. Files hold plain JSON (floats written
with their shortest exact representation), never pickles.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from .._io import atomic_write, dumps, os_errors
from ..exceptions import InputTypeError, InvalidInputError

__all__ = ["TaskStore", "task_key"]

_FORMAT = "tsforecast-backtest-task/1"


def task_key(spec: dict) -> str:
    """A stable hash of a JSON-able task description."""
    return hashlib.sha256(dumps(spec, canonical=True)).hexdigest()[:32]


class TaskStore:
    """Finished tasks of one backtest, kept in ``directory`` as ``<key>.json``.

    Examples
    --------
    >>> import tempfile
    >>> store = TaskStore(tempfile.mkdtemp())
    >>> store.save("abc", {"y_hat": [1.5]})
    >>> store.load("abc")
    {'y_hat': [1.5]}
    """

    def __init__(self, directory: str | os.PathLike):
        try:
            self.directory = Path(directory)
        except TypeError:
            raise InputTypeError(
                f"checkpoint_dir must be a path; got {directory!r} of type {type(directory).__name__}."
            ) from None
        if self.directory.exists() and not self.directory.is_dir():
            raise InvalidInputError(f"checkpoint_dir must be a folder; got the file {str(self.directory)!r}.")
        with os_errors(self.directory):
            self.directory.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, key: str) -> dict | None:
        """The payload saved under ``key``, or None if the task has not finished.

        A file that cannot be read (truncated by a crash of the file system, or
        written by another version) counts as missing, so the task is redone.
        """
        path = self._path(key)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(document, dict) or document.get("format") != _FORMAT or document.get("key") != key:
            return None
        return document.get("payload")

    def save(self, key: str, payload: dict) -> None:
        """Write ``payload`` under ``key`` atomically (temporary file, fsync, rename)."""
        data = dumps({"format": _FORMAT, "key": key, "payload": payload}, canonical=True)
        # No folder fsync: a task file lost to a power cut is only redone.
        atomic_write(self._path(key), lambda handle: handle.write(data), sync_folder=False)

    def keys(self) -> list[str]:
        """Keys of the finished tasks in the folder."""
        return sorted(p.stem for p in self.directory.glob("*.json"))
