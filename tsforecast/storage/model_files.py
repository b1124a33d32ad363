"""Saving and loading fitted objects without pickle.

:func:`save` writes ONE zip file:

- ``manifest.json``: the format name (``"tsforecast"``) and version, the class of the
  saved object, its state as JSON, the SHA-256 of every other member and of the state
  itself (``config_sha256``);
- ``arrays.npz``: the numeric arrays, written by :func:`numpy.savez` and read with
  ``allow_pickle=False``;
- ``<name>.keras``: one member per Keras model, in Keras' native format, scanned against
  an allow-list of the Keras classes tsforecast's networks use, then loaded with
  ``safe_mode=True`` by a Keras release with every known safe-mode fix
  (:data:`KERAS_REQUIREMENT`);
- ``signature.json``, only when saved with a key: an HMAC-SHA256 of ``manifest.json``,
  which holds the checksum of every other member, so the key authenticates the whole file.

What a file guarantees: without a key, **integrity against damage** (a truncated, flipped
or partly rewritten file is refused); it does not stop someone who edits a member and
recomputes the checksums. With a key (``key=`` or ``$TSFORECAST_MODEL_KEY``),
**authenticity**: :func:`load` refuses an unsigned file, another key's signature and any
edited member. In both modes loading never unpickles and never imports a name read from
the file: classes are looked up in an allow-list (:mod:`tsforecast._registry`'s saveable
classes and scikit-learn's public estimators). Every problem with a file raises
:class:`~tsforecast.exceptions.ModelFileError` naming the path.

One generic state encoder serves every class: an object is stored as its
hyper-parameters (``get_params(deep=False)``, or its ``__init__`` arguments) and its
fitted attributes (every other attribute; for tsforecast's classes their names end in
``_``, private ones such as ``_last_inputs_`` included), each encoded by
:func:`encode_value` (numbers, strings, lists, dicts, numeric arrays, time indexes, Keras
models as ``.keras`` members, and other saveable objects). Two optional per-class hooks:
``_persistence_exclude`` (a tuple of attribute names not to save, added up over the
class and its bases) and ``_after_load(self)``
(rebuilds what the class needs once its attributes are set). One check applies to every
attribute name a file sets, whatever the class. The encoder is :mod:`tsforecast.storage.encoding`,
the Keras members' checks :mod:`tsforecast.storage.keras_files`, the archive :mod:`tsforecast.storage.files`.

Examples
--------
>>> import numpy as np, tempfile, os
>>> from sklearn.linear_model import Ridge
>>> model = Ridge().fit(np.arange(10.0).reshape(5, 2), np.arange(5.0))
>>> path = os.path.join(tempfile.mkdtemp(), "ridge.tsf")
>>> _ = save(model, path, key=b"a key of at least 16 bytes")
>>> loaded = load(path, key=b"a key of at least 16 bytes")
>>> bool(np.array_equal(loaded.predict([[1.0, 2.0]]), model.predict([[1.0, 2.0]])))
True
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import sys
import zipfile
from pathlib import Path

import numpy as np

from ..exceptions import DataNotFoundError, InputTypeError, InvalidParameterError, ModelFileError
from .encoding import decode_value, encode_value, object_keys, resolve_class
from .files import (MANIFEST, ArchiveFormat, as_path, digests, dumps, file_target, read_archive,
                    signature_member, write_archive)
from .keras_files import KERAS_REQUIREMENT, KERAS_SUFFIX, keras_bytes, load_keras

__all__ = ["save", "load", "resolve_key", "encode_value", "decode_value", "FORMAT_NAME", "FORMAT_VERSION",
           "KEY_ENV", "KERAS_REQUIREMENT"]

FORMAT_NAME = "tsforecast"
FORMAT_VERSION = 2
#: Environment variable read for the signing key when ``key`` is not given.
KEY_ENV = "TSFORECAST_MODEL_KEY"
#: Keras releases whose safe mode has every known fix (3.12.4 on the 3.12 line, for Python 3.10).
_ARRAYS = "arrays.npz"
_SIGNATURE = "signature.json"
_MIN_KEY_BYTES = 16
_HMAC_CONTEXT = b"tsforecast model manifest\0"
#: What :func:`tsforecast.storage.files.read_archive` checks of a model file.
_FORM = ArchiveFormat(FORMAT_NAME, (FORMAT_VERSION,), "tsforecast model file", version_field="format_version",
                      signature=_SIGNATURE, hmac_context=_HMAC_CONTEXT, key_source=f"key= or ${KEY_ENV}")

_MEMBER_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


# ---------------------------------------------------------------------------- keys


def resolve_key(key) -> bytes | None:
    """The signing key as bytes: ``key``, else ``$TSFORECAST_MODEL_KEY``, else None (unsigned).

    A str given as ``key`` is UTF-8 encoded; the variable's value is taken as its raw
    bytes (:func:`os.fsencode`), so a key that is not valid UTF-8 works there too and is
    the same key as those bytes in a file or given as ``key``.

    Checked as :func:`save` and :func:`load` check it (at least 16 bytes; an empty
    ``$TSFORECAST_MODEL_KEY`` refused), so that a caller can refuse a bad key before work.

    Examples
    --------
    >>> resolve_key("0123456789abcdef")
    b'0123456789abcdef'
    """
    source = "key"
    if key is None:
        key = os.environ.get(KEY_ENV)
        source = f"${KEY_ENV}"
        if key is None:
            return None
        if not key:  # set but empty: a secret that failed to arrive must not turn the checks off
            raise InvalidParameterError(
                f"${KEY_ENV} is set but empty; give the signing key there, or unset it to save and load "
                "unsigned files."
            )
        # the raw bytes (the system decoded them for os.environ): a key need not be UTF-8
        key = os.fsencode(key)
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not isinstance(key, (bytes, bytearray)):
        raise InputTypeError(f"key must be bytes, a str or None; got a {type(key).__name__}.")
    if len(key) < _MIN_KEY_BYTES:
        # the key itself is never echoed: its length is enough to act on
        raise InvalidParameterError(
            f"{source} must be at least {_MIN_KEY_BYTES} bytes long; got a key of {len(key)} byte(s). "
            "Generate one with: python -c \"import secrets; print(secrets.token_hex(32))\""
        )
    return bytes(key)


# ---------------------------------------------------------------------------- saving


def save(obj, path, *, key: bytes | str | None = None) -> Path:
    """Write a fitted (or unfitted) model to ``path`` as one file, atomically.

    Parameters
    ----------
    obj : forecaster, EncoderDecoderLSTM, MedianEnsemble or scikit-learn estimator
        What to save: any class of :mod:`tsforecast._registry` marked saveable, or a
        scikit-learn estimator, whose fitted state is numbers, strings, arrays, time
        indexes, Keras models or lists and dicts of them (not trees, ensembles or
        statsmodels results).
    path : str or os.PathLike
        The file to write. It is replaced only once the new file is complete; missing
        parent folders are created (the rule of every writer, :mod:`tsforecast.storage.files`).
    key : bytes or str, optional
        Signing key (at least 16 bytes; a str is UTF-8 encoded). Default: the value of
        ``$TSFORECAST_MODEL_KEY`` (its raw bytes) if set, else the file is not signed. A signed file
        loads only with the same key.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputTypeError
        ``obj`` (or something it holds) cannot be saved without pickle, or ``key`` is
        not bytes or a str.
    InvalidParameterError
        ``key`` is shorter than 16 bytes.
    FileWriteError
        ``path`` is a folder or ends with a separator, a parent of it is a file, the
        name is too long or holds a null byte, or the system refused the write.
    """
    path = file_target(path)  # before the conversion drops the separator of "out/"
    secret = resolve_key(key)
    arrays, models = {}, {}
    try:
        config = encode_value(obj, arrays, models, "")
    except InputTypeError as error:
        raise InputTypeError(f"{type(obj).__name__} cannot be saved: {error}") from None
    if not isinstance(config, dict) or "__object__" not in config:
        raise InputTypeError(f"obj must be a model or estimator; got {type(obj).__name__}.")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    members = {_ARRAYS: buffer.getvalue()}
    for name, model in models.items():
        members[name + KERAS_SUFFIX] = keras_bytes(model)
    manifest = dumps({
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "class": config["__object__"],
        "config": config,
        "arrays": sorted(arrays),
        "models": sorted(models),
        "sha256": digests(members),
        "config_sha256": _config_digest(config),
        "signed": secret is not None,
        "versions": _versions(),
    })
    signature = [] if secret is None else [signature_member(_FORM, secret, manifest)]
    write_archive(path, [(MANIFEST, manifest), *signature, *members.items()])
    return path


def _versions() -> dict:
    import sklearn

    from .._version import __version__

    versions = {"tsforecast": __version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__}
    keras = sys.modules.get("keras")
    if keras is not None:
        versions["keras"] = keras.__version__
    return versions


# ---------------------------------------------------------------------------- loading


def _as_path(path) -> Path:
    return as_path(path, "path")


def _config_digest(config: dict) -> str:
    """SHA-256 of the configuration (canonical JSON): the manifest's own content is checked too."""
    return hashlib.sha256(dumps(config, canonical=True)).hexdigest()


def load(path, *, key: bytes | str | None = None):
    """Load an object written by :func:`save`; no code from the file is run.

    Parameters
    ----------
    path : str or os.PathLike
        The model file.
    key : bytes or str, optional
        The key the file was signed with. Default: ``$TSFORECAST_MODEL_KEY`` if set.
        With a key, an unsigned file, a file signed with another key and any edited
        member are refused; without one, the checksums catch damage but not a
        deliberate edit.

    Raises
    ------
    DataNotFoundError
        ``path`` does not exist (a :class:`FileNotFoundError`).
    InputTypeError
        ``path`` is not a path, or ``key`` is not bytes or a str.
    InvalidParameterError
        ``key`` is shorter than 16 bytes.
    ModelFileError
        The system refuses to read ``path`` (a name too long), or the file is not a
        tsforecast file, is truncated or altered, is unsigned or
        signed with another key (when a key is given), has an unknown format version,
        names a class outside the allowlist, holds a Keras model with objects outside
        the allow-list of tsforecast's networks, or the installed Keras is older than
        :data:`KERAS_REQUIREMENT`.
    """
    path = _as_path(path)
    secret = resolve_key(key)
    if not _is_file(path):
        raise DataNotFoundError(f"path {str(path)!r} does not exist or is not a file.")
    try:
        return _load(path, secret)
    except ModelFileError as error:
        if str(path) in str(error):
            raise
        raise ModelFileError(f"{path}: {error}") from error.__cause__
    except RecursionError:  # the configuration is walked recursively; ours nest a few levels
        raise ModelFileError(f"{path}: the configuration in {MANIFEST} is nested too deeply to be one that "
                             "tsforecast wrote; the file was altered.") from None


def _is_file(path: Path) -> bool:
    """Whether ``path`` is a file; :class:`ModelFileError` where the system refuses to look
    (a name too long), which pathlib raises as a bare OSError."""
    try:
        return path.is_file()
    except OSError as error:
        raise ModelFileError(f"{str(path)!r} cannot be read as a tsforecast model file: "
                             f"{error.strerror or error}.") from None


def _load(path: Path, secret: bytes | None):
    manifest, members = read_archive(path, _FORM, key=secret)
    _check_manifest(manifest, members, path)
    for key in object_keys(manifest["config"]):
        if resolve_class(key) is None:
            raise ModelFileError(f"{path} names class {key!r}, which is not one that tsforecast restores.")
    if manifest.get("config_sha256") != _config_digest(manifest["config"]):
        raise ModelFileError(f"{path}: the configuration in {MANIFEST} fails its SHA-256 check; the file was altered.")
    arrays = _read_arrays(members.pop(_ARRAYS), manifest, path)
    models = {name: load_keras(members[name + KERAS_SUFFIX], name, path) for name in manifest["models"]}
    try:
        return decode_value(manifest["config"], arrays, models)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError, OverflowError) as error:
        raise ModelFileError(f"{path} has an invalid configuration: {type(error).__name__}: {error}") from error


def _check_manifest(manifest: dict, members: dict[str, bytes], path: Path) -> None:
    """What a model file's manifest holds besides the archive's own entries, and the
    members it needs (the arrays, one per Keras model), all covered by the checksums."""
    required = {"config": dict, "arrays": list, "models": list}
    for key, kind in required.items():
        if not isinstance(manifest.get(key), kind):
            raise ModelFileError(f"{path}: {MANIFEST} lacks a valid {key!r} entry.")
    bad = [name for name in manifest["models"] if not isinstance(name, str) or not _MEMBER_NAME.match(name)]
    if bad:
        raise ModelFileError(f"{path}: {MANIFEST} names invalid model member(s) {bad!r}.")
    unlisted = sorted(({_ARRAYS} | {name + KERAS_SUFFIX for name in manifest["models"]}) - set(members))
    if unlisted:
        raise ModelFileError(
            f"{path} was altered: member(s) {unlisted!r} are not covered by the manifest's checksums."
        )


def _read_arrays(data: bytes, manifest: dict, path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError, MemoryError) as error:  # MemoryError: a shape edited
        raise ModelFileError(f"{path}: {_ARRAYS} cannot be read without pickle ({error}).") from None
    missing = sorted(set(manifest["arrays"]) - set(arrays))
    if missing:
        raise ModelFileError(f"{path}: {_ARRAYS} lacks the array(s) {missing!r}.")
    return arrays
