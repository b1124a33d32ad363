"""Resumable backtests: one archive per finished task, written atomically.

A task's file is named by a hash of everything that determines its result (model
name, class and parameters, the folds and series it covers, the data's hash, the
horizon...), so a changed backtest never reuses a stale file, and a killed one
redoes only the tasks whose file is missing. A file is tsforecast's one archive
format (:mod:`tsforecast.storage.files`): a manifest with the SHA-256 of the payload, plain JSON
(floats written with their shortest exact representation), never pickles. Task
files of the previous format (one JSON document, ``<key>.json``) are still read.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from ..exceptions import InputTypeError, InvalidInputError, ModelFileError
from ..storage.files import MANIFEST, ArchiveFormat, digests, dumps, os_errors, read_archive, write_archive

__all__ = ["TaskStore", "task_key"]

_FORM = ArchiveFormat("tsforecast-backtest-task", (2,), "backtest checkpoint file")
_PAYLOAD = "payload.json"
#: The format of the task files written before the one archive format: ``<key>.json``.
_LEGACY_FORMAT = "tsforecast-backtest-task/1"


def task_key(spec: dict) -> str:
    """A stable hash of a JSON-able task description."""
    return hashlib.sha256(dumps(spec, canonical=True)).hexdigest()[:32]


class TaskStore:
    """Finished tasks of one backtest, kept in ``directory`` as ``<key>.zip``.

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

    def _path(self, key: str, suffix: str = ".zip") -> Path:
        return self.directory / f"{key}{suffix}"

    def load(self, key: str) -> dict | None:
        """The payload saved under ``key``, or None if the task has not finished.

        A file that cannot be read (truncated by a crash of the file system, altered, or
        written by another version) counts as missing, so the task is redone.
        """
        path = self._path(key)
        if not path.is_file():
            return _load_legacy(self._path(key, ".json"), key)
        try:
            manifest, members = read_archive(path, _FORM)
            payload = json.loads(members[_PAYLOAD])
        except (ModelFileError, KeyError, ValueError):
            return None
        return payload if manifest.get("key") == key else None

    def save(self, key: str, payload: dict) -> None:
        """Write ``payload`` under ``key`` atomically (temporary file, fsync, rename)."""
        members = {_PAYLOAD: dumps(payload, canonical=True)}
        manifest = dumps({"format": _FORM.name, "version": _FORM.versions[-1], "key": key,
                          "sha256": digests(members)})
        # No folder fsync: a task file lost to a power cut is only redone.
        write_archive(self._path(key), [(MANIFEST, manifest), *members.items()], sync_folder=False)

    def keys(self) -> list[str]:
        """Keys of the finished tasks in the folder (either format)."""
        return sorted({p.stem for suffix in ("zip", "json") for p in self.directory.glob(f"*.{suffix}")})


def _load_legacy(path: Path, key: str) -> dict | None:
    """The payload of a task file of the previous format, or None."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or document.get("format") != _LEGACY_FORMAT or document.get("key") != key:
        return None
    return document.get("payload")
