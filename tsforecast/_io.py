"""The one way tsforecast writes files: atomically, with one rule for folders.

Every writer (``save``, ``BacktestResult.save``, the backtest checkpoints, ``report``
and the CLI's CSV outputs) goes through here, so all of them behave alike:

- missing parent folders are created;
- a path that is an existing folder, or whose parent is a file, is refused with a
  :class:`~tsforecast.exceptions.FileWriteError` that names the path or the folder;
- the bytes go to a temporary file beside the target, are flushed to disk (fsync) and
  renamed over the target, so a reader sees the old file or the new one, never half;
  the temporary file is removed on any failure;
- an error of the operating system (no permission, disk full) is raised as
  :class:`~tsforecast.exceptions.FileWriteError` naming the target and the reason, never
  the temporary file's name.

One archive format serves the files that hold several parts (model files, backtest
results): a zip whose :data:`MANIFEST` lists the SHA-256 of every other member
(:func:`digests`), written by :func:`write_archive`, optionally signed with an
HMAC-SHA256 of the manifest (:func:`hmac_sha256`); one JSON encoder (:func:`dumps`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from .exceptions import FileWriteError, InputTypeError

__all__ = ["as_path", "make_parents", "os_errors", "atomic_write", "fsync_folder", "MANIFEST", "dumps", "digests",
           "mismatched", "hmac_sha256", "write_archive"]


def as_path(path, argument: str = "path") -> Path:
    """``path`` as a :class:`~pathlib.Path`; :class:`InputTypeError` naming ``argument`` otherwise."""
    try:
        return Path(path)
    except TypeError:
        raise InputTypeError(
            f"{argument} must be a str or os.PathLike; got {path!r} of type {type(path).__name__}."
        ) from None


def make_parents(path: Path) -> list[Path]:
    """Check that ``path`` can be a file and create its missing parent folders.

    Returns the folders created, deepest first (a writer that fails may remove them).

    Raises
    ------
    FileWriteError
        If ``path`` is an existing folder, a parent is not a folder, or a folder cannot
        be created; the message names it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in make_parents(root / "a" / "b" / "file.txt")]
    ['b', 'a']
    """
    if path.is_dir():
        raise FileWriteError(f"cannot write {str(path)!r}: it is a folder; give a file name (inside it).")
    created, folder = [], path.parent
    while not folder.exists() and folder != folder.parent:
        created.append(folder)
        folder = folder.parent
    if not folder.is_dir():
        raise FileWriteError(f"cannot write {str(path)!r}: {str(folder)!r} is not a folder.")
    if created:
        with os_errors(created[0]):
            created[0].mkdir(parents=True, exist_ok=True)
    return created


@contextmanager
def os_errors(path: Path) -> Iterator[None]:
    """Raise an :class:`OSError` of the block as :class:`FileWriteError` naming ``path``
    (not the temporary file the system may have named)."""
    try:
        yield
    except FileWriteError:
        raise
    except OSError as error:
        reason = error.strerror or str(error) or type(error).__name__  # strerror: without the file name
        raise FileWriteError(f"cannot write {str(path)!r}: {reason}.") from None


def atomic_write(path, write: Callable[[BinaryIO], None], *, mode: int | None = None,
                 argument: str = "path", sync_folder: bool = True) -> Path:
    """Write a file through ``write(handle)`` atomically (see the module docstring).

    Parameters
    ----------
    path : str or os.PathLike
        The file to write or replace.
    write : callable
        Writes the content to the binary file handle it receives.
    mode : int, optional
        Permission bits of the new file (default: the temporary file's, owner only).
    argument : str, default "path"
        The argument's name in the error for a ``path`` of the wrong type.
    sync_folder : bool, default True
        Also fsync the folder, so that the rename survives a power cut (a file whose
        loss costs only a redo, such as a backtest checkpoint, may skip it).

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    path = as_path(path, argument)
    make_parents(path)
    folder = path.parent
    with os_errors(path):
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                write(handle)
                handle.flush()
                os.fsync(handle.fileno())
            if mode is not None:
                os.chmod(temporary, mode)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    if sync_folder:
        fsync_folder(folder)
    return path


def fsync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX); a no-op where folders cannot be opened."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


# ---------------------------------------------------------------------------- the one archive format
#: The member of every tsforecast archive (model files, backtest results) that describes
#: the others, with the SHA-256 of each (``"sha256"``: name -> hex digest).
MANIFEST = "manifest.json"


def dumps(value, *, canonical: bool = False) -> bytes:
    """The one JSON encoder of tsforecast's files, as UTF-8 bytes.

    Readable (one item a line) by default; ``canonical``: sorted keys without spaces, the
    form digests and cache keys are computed on (equal values, equal bytes). Values JSON
    has no type for (a Timestamp, a numpy scalar) are written as their ``str``.

    Examples
    --------
    >>> dumps({"b": 1, "a": [1, 2]}, canonical=True)
    b'{"a":[1,2],"b":1}'
    """
    if canonical:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str).encode("utf-8")
    return json.dumps(value, indent=1, default=str).encode("utf-8")


def digests(members: dict[str, bytes]) -> dict[str, str]:
    """The manifest's ``"sha256"`` entry: the SHA-256 hex digest of every member, by name."""
    return {name: hashlib.sha256(data).hexdigest() for name, data in members.items()}


def mismatched(members: dict[str, bytes], expected: dict) -> list[str]:
    """The names of ``expected`` (a manifest's ``"sha256"``) whose member is missing or
    whose bytes fail their digest."""
    return [name for name, digest in expected.items()
            if name not in members or hashlib.sha256(members[name]).hexdigest() != digest]


def hmac_sha256(key: bytes, context: bytes, data: bytes) -> str:
    """HMAC-SHA256 (hex) of ``data`` under ``key``; ``context`` separates the uses of a key."""
    return hmac.new(key, context + data, hashlib.sha256).hexdigest()


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(name, data)


def write_archive(path, members: Iterable[tuple[str, bytes]], *, write_member: Callable | None = None) -> Path:
    """Write the zip archive of ``members`` (``(name, bytes)`` in order, the manifest first)
    atomically, through :func:`atomic_write`: a reader sees the old file or the new one.

    ``write_member(archive, name, data)`` replaces ``ZipFile.writestr`` (a test injects
    faults through it).
    """
    put = write_member or _write_member

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                put(archive, name, data)

    return atomic_write(path, write)
