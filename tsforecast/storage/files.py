"""The one way tsforecast writes files: atomically, with one rule for folders.

Every writer (``save``, ``BacktestResult.save``, the backtest checkpoints, ``report``
and the CLI's CSV outputs) goes through here, so all of them behave alike:

- missing parent folders are created; a symbolic link stays one (its target is written),
  and a replaced file keeps its permission bits;
- a path that is an existing folder, ends with a separator (``out/``), or whose parent
  is a file, is refused with a
  :class:`~tsforecast.exceptions.FileWriteError` that names the path or the folder;
- the bytes go to a temporary file beside the target (named by :func:`temporary_prefix`,
  short enough whatever the target's name), are flushed to disk (fsync) and
  renamed over the target, so a reader sees the old file or the new one, never half;
  the temporary file is removed on any failure;
- an error of the operating system (no permission, disk full, a name too long) is raised
  as :class:`~tsforecast.exceptions.FileWriteError` naming the target and the reason, never
  the temporary file's name; so is a name no system takes (a null byte,
  :func:`file_target`).

One archive format serves the files that hold several parts (model files, backtest
results, backtest checkpoints): a zip whose :data:`MANIFEST` names its format and version
and lists the SHA-256 of every other member (:func:`digests`), optionally signed with an
HMAC-SHA256 of the manifest (:func:`signature_member`). :func:`write_archive` writes it and
:func:`read_archive` reads it back for every kind of file alike: it refuses a file that is
not a zip, is truncated, lacks the manifest, has another format or version, has a member
that is missing, unlisted or fails its digest, or (given a key) is unsigned or signed
otherwise, with a :class:`~tsforecast.exceptions.ModelFileError` naming the file and the
member. One JSON encoder (:func:`dumps`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from ..exceptions import FileWriteError, InputTypeError, ModelFileError

__all__ = ["as_path", "names_folder", "file_target", "make_parents", "os_errors", "atomic_write", "temporary_prefix",
           "fsync_folder", "MANIFEST", "dumps", "digests", "hmac_sha256", "ArchiveFormat", "signature_member",
           "write_archive", "read_archive"]


def as_path(path, argument: str = "path") -> Path:
    """``path`` as a :class:`~pathlib.Path`; :class:`InputTypeError` naming ``argument`` otherwise."""
    try:
        return Path(path)
    except TypeError:
        raise InputTypeError(
            f"{argument} must be a str or os.PathLike; got {path!r} of type {type(path).__name__}."
        ) from None


def names_folder(path) -> bool:
    """Whether ``path`` (a str or os.PathLike) ends with a separator, so names a folder:
    :class:`~pathlib.Path` drops the separator, and ``"out/"`` became a file called ``out``.

    Examples
    --------
    >>> names_folder("out/"), names_folder("out"), names_folder("/")
    (True, False, False)
    """
    text = os.fspath(path)
    separators = ("/", os.sep) if isinstance(text, str) else (b"/", os.fsencode(os.sep))
    # the root alone is left to the check of an existing folder, which says so
    return text.endswith(separators) and bool(text.strip(separators[0] + separators[1]))


def file_target(path, argument: str = "path") -> Path:
    """``path``, a file to write, as a :class:`~pathlib.Path`; refused before any work
    where it names a folder or no system could write it.

    Raises
    ------
    InputTypeError
        ``path`` is not a str or os.PathLike (the message names ``argument``).
    FileWriteError
        ``path`` ends with a separator (it names a folder; the conversion would drop the
        separator), or the name holds a null byte (the system would raise a bare ValueError).

    Examples
    --------
    >>> file_target("reports/model.tsf").name
    'model.tsf'
    """
    target = as_path(path, argument)
    if names_folder(path):
        raise FileWriteError(f"cannot write {os.fspath(path)!r}: it names a folder (it ends with a separator); "
                             "give a file name after the separator.")
    if "\0" in str(target):
        raise FileWriteError(f"cannot write {str(target)!r}: a file name cannot hold a null byte.")
    return target


def make_parents(path: Path) -> list[Path]:
    """Check that ``path`` can be a file and create its missing parent folders.

    Returns the folders created, deepest first (a writer that fails may remove them).

    Raises
    ------
    FileWriteError
        If ``path`` is an existing folder, a parent is not a folder, a folder cannot
        be created, or the system refuses to look (a name too long); the message names it.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in make_parents(root / "a" / "b" / "file.txt")]
    ['b', 'a']
    """
    with os_errors(path):  # pathlib's checks raise OSError too (a name too long for the system)
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
        Permission bits of the new file (default: those of the file it replaces, else
        the temporary file's, owner only).
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
    path = file_target(path, argument)
    with os_errors(path):
        if path.is_symlink():  # the link stays a link: its target is the file replaced
            path = Path(os.path.realpath(path))
    created = make_parents(path)
    folder = path.parent
    try:
        _write_replacing(path, write, mode)
    except BaseException:
        _remove_empty(created)  # a failed write leaves the tree as it found it
        raise
    if sync_folder:
        fsync_folder(folder)
    return path


def _remove_empty(folders: list[Path]) -> None:
    """Remove ``folders`` (deepest first) where still empty."""
    for folder in folders:
        try:
            folder.rmdir()
        except OSError:
            return


#: The most characters of the target's name that a temporary file's name repeats: the
#: whole name plus a dot, the random part and ".tmp" passed the system's limit (255 bytes)
#: for a valid name of 242 characters or more, which could then not be written at all.
_TEMPORARY_NAME_CHARS = 32


def temporary_prefix(name: str) -> str:
    """The prefix of a temporary file for the file ``name``, in the same folder (a rename
    is atomic only within one file system): hidden, and recognisable by the start of the
    name, but short whatever its length.

    Examples
    --------
    >>> temporary_prefix("model.tsf")
    '.model.tsf.'
    >>> len(temporary_prefix("m" * 250)) < 40
    True
    """
    return f".{name[:_TEMPORARY_NAME_CHARS]}."


def _write_replacing(path: Path, write: Callable[[BinaryIO], None], mode: int | None) -> None:
    """Write a temporary file beside ``path`` through ``write``, then rename it over ``path``."""
    with os_errors(path):
        if mode is None and path.is_file():  # a rewrite keeps who may read the file
            mode = stat.S_IMODE(path.stat().st_mode)
        descriptor, temporary = tempfile.mkstemp(prefix=temporary_prefix(path.name), suffix=".tmp", dir=path.parent)
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


def hmac_sha256(key: bytes, context: bytes, data: bytes) -> str:
    """HMAC-SHA256 (hex) of ``data`` under ``key``; ``context`` separates the uses of a key."""
    return hmac.new(key, context + data, hashlib.sha256).hexdigest()


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(name, data)


def write_archive(path, members: Iterable[tuple[str, bytes]], *, write_member: Callable | None = None,
                  sync_folder: bool = True) -> Path:
    """Write the zip archive of ``members`` (``(name, bytes)`` in order, the manifest first)
    atomically, through :func:`atomic_write` (``sync_folder`` as there): a reader sees the
    old file or the new one.

    ``write_member(archive, name, data)`` replaces ``ZipFile.writestr`` (a test injects
    faults through it).
    """
    put = write_member or _write_member

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                put(archive, name, data)

    return atomic_write(path, write, sync_folder=sync_folder)


@dataclass(frozen=True)
class ArchiveFormat:
    """What :func:`read_archive` expects of one kind of file.

    Parameters
    ----------
    name : str
        The manifest's ``"format"``.
    versions : tuple of int
        The manifest versions this code reads.
    what : str
        The kind of file in messages ("tsforecast model file").
    version_field : str, default "version"
        The manifest entry that holds the version.
    signature : str, optional
        The member that holds the HMAC of the manifest, for files that may be signed.
    hmac_context : bytes, default b""
        Separates this kind's signatures from other uses of a key.
    key_source : str, default "key="
        Where a key comes from, for the message refusing an unsigned file.
    """

    name: str
    versions: tuple
    what: str
    version_field: str = "version"
    signature: str | None = None
    hmac_context: bytes = b""
    key_source: str = "key="


def signature_member(form: ArchiveFormat, key: bytes, manifest: bytes) -> tuple[str, bytes]:
    """The ``(name, bytes)`` member that signs ``manifest`` (and so every digest in it) with ``key``."""
    return form.signature, dumps({"algorithm": "HMAC-SHA256", "manifest": hmac_sha256(key, form.hmac_context, manifest)})


def read_archive(path, form: ArchiveFormat, *, key: bytes | None = None) -> tuple[dict, dict[str, bytes]]:
    """Open the archive at ``path``, check it against ``form``, and return its manifest and
    its other members (the signature excluded), every one verified against its SHA-256.

    With ``key``, the file must carry ``form.signature`` made with that key. Every refusal
    is a :class:`~tsforecast.exceptions.ModelFileError` naming ``path`` (and the member).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> form = ArchiveFormat("example", (1,), "example file")
    >>> members = {"a.txt": b"hello"}
    >>> manifest = dumps({"format": "example", "version": 1, "sha256": digests(members)})
    >>> path = write_archive(pathlib.Path(tempfile.mkdtemp()) / "x.zip", [(MANIFEST, manifest), *members.items()])
    >>> read_archive(path, form)[1]
    {'a.txt': b'hello'}
    """
    path = Path(path)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, NotImplementedError) as error:  # NotImplementedError: a version edited
        raise ModelFileError(f"{path} is not a {form.what}: not a zip archive ({error}).") from None
    except (OSError, ValueError) as error:  # ValueError: a null byte in the name
        reason = getattr(error, "strerror", None) or error  # strerror: without the file name again
        raise ModelFileError(f"{str(path)!r} cannot be read as a {form.what}: {reason}.") from None
    with archive:
        names = archive.namelist()
        if MANIFEST not in names:
            raise ModelFileError(f"{path} is not a {form.what}: it has no {MANIFEST}.")
        raw = _read_member(archive, MANIFEST, path, MAX_MANIFEST_BYTES)
        if key is not None:
            _check_signature(archive, raw, key, form, path)
        manifest = _parse_manifest(raw, form, path)
        expected = manifest["sha256"]
        extra = sorted(set(names) - set(expected) - {MANIFEST, form.signature})
        if extra or MANIFEST in expected or (form.signature is not None and form.signature in expected):
            listed = [n for n in (MANIFEST, form.signature) if n in expected]
            raise ModelFileError(
                f"{path} was altered: member(s) {extra + listed!r} are not covered by the manifest's checksums."
            )
        members = {}
        for name, digest in expected.items():
            # streamed through the digest first: an altered member (a few kB inflating to
            # gigabytes) is refused before it is ever held whole in memory
            if _streamed_sha256(archive, name, path) != digest:
                raise ModelFileError(
                    f"{path}: member {name!r} fails its SHA-256 check; the file was altered or damaged."
                )
            members[name] = _read_member(archive, name, path)
    return manifest, members


#: What reading a damaged member raises: zipfile's own errors, a flag of an unknown
#: compression or version (NotImplementedError), one saying it is encrypted (RuntimeError).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError)
#: The largest manifest read (a panel of millions of series labels fits): a few kB of
#: altered file inflating to gigabytes of JSON is refused before it is held in memory.
MAX_MANIFEST_BYTES = 64 << 20
#: The largest signature read (one HMAC in a line of JSON needs about 100 bytes).
_MAX_SIGNATURE_BYTES = 4096


def _streamed_sha256(archive: zipfile.ZipFile, name: str, path: Path, chunk: int = 1 << 20) -> str:
    """The SHA-256 of member ``name``, decompressed a chunk at a time."""
    digest = hashlib.sha256()
    try:
        with archive.open(name) as handle:
            for block in iter(lambda: handle.read(chunk), b""):
                digest.update(block)
    except KeyError:
        raise ModelFileError(f"{path} lacks the member {name!r}; the file is incomplete.") from None
    except _DAMAGED as error:
        raise ModelFileError(f"{path}: member {name!r} is damaged or truncated ({error}).") from None
    return digest.hexdigest()


def _read_member(archive: zipfile.ZipFile, name: str, path: Path, limit: int | None = None) -> bytes:
    """Member ``name`` whole; with ``limit``, refused unread where its header declares
    more bytes (the reader inflates no more than the header declares)."""
    try:
        declared = archive.getinfo(name).file_size
        if limit is None or declared <= limit:
            return archive.read(name)
    except KeyError:
        raise ModelFileError(f"{path} lacks the member {name!r}; the file is incomplete.") from None
    except _DAMAGED as error:
        raise ModelFileError(f"{path}: member {name!r} is damaged or truncated ({error}).") from None
    raise ModelFileError(f"{path}: member {name!r} holds {declared} bytes, more than the {limit} tsforecast writes "
                         "there; the file was altered. It is refused unread.")


def _parse_manifest(raw: bytes, form: ArchiveFormat, path: Path) -> dict:
    """The manifest as a dict of ``form``'s format and version, with a valid ``"sha256"``."""
    try:
        manifest = json.loads(raw)
    except (ValueError, RecursionError) as error:  # ValueError: not JSON, not UTF-8, an integer of 5,000 digits
        raise ModelFileError(f"{path}: {MANIFEST} is not valid JSON ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != form.name:
        got = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ModelFileError(f"{path} is not a {form.what} (format {got!r}).")
    version = manifest.get(form.version_field)
    if isinstance(version, bool) or version not in form.versions:
        readable = " or ".join(map(str, form.versions))
        raise ModelFileError(f"{path} has format version {version!r}; this tsforecast reads version {readable}.")
    expected = manifest.get("sha256")
    if not isinstance(expected, dict) or not all(isinstance(n, str) and isinstance(d, str)
                                                 for n, d in expected.items()):
        raise ModelFileError(f"{path}: {MANIFEST} lacks a valid 'sha256' entry.")
    return manifest


def _check_signature(archive: zipfile.ZipFile, manifest: bytes, key: bytes, form: ArchiveFormat, path: Path) -> None:
    """Refuse an unsigned file, another key's signature, or an edited manifest."""
    if form.signature is None or form.signature not in archive.namelist():
        raise ModelFileError(
            f"{path} is not signed: it was saved without a key, and a key was given ({form.key_source}); "
            "an unsigned file cannot prove where it came from, so it is refused."
        )
    try:
        signature = json.loads(_read_member(archive, form.signature, path, _MAX_SIGNATURE_BYTES))
        given = signature["manifest"] if signature.get("algorithm") == "HMAC-SHA256" else None
    except (ValueError, RecursionError, TypeError, KeyError, AttributeError):
        given = None
    if not isinstance(given, str) or not hmac.compare_digest(given, hmac_sha256(key, form.hmac_context, manifest)):
        raise ModelFileError(
            f"{path}: the signature does not match: the file was altered after it was signed, or it was signed "
            "with another key. It is refused."
        )
