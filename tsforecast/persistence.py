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
attribute name a file sets, whatever the class (:func:`_is_state_name`).

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
import hmac
import importlib
import inspect
import io
import json
import keyword
import os
import re
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from ._io import as_path, atomic_write
from ._registry import saveable_classes
from .exceptions import DataNotFoundError, InputTypeError, InvalidParameterError, ModelFileError

__all__ = ["save", "load", "encode_value", "decode_value", "FORMAT_NAME", "FORMAT_VERSION", "KEY_ENV",
           "KERAS_REQUIREMENT"]

FORMAT_NAME = "tsforecast"
FORMAT_VERSION = 2
#: Environment variable read for the signing key when ``key`` is not given.
KEY_ENV = "TSFORECAST_MODEL_KEY"
#: Keras releases whose safe mode has every known fix (3.12.4 on the 3.12 line, for Python 3.10).
KERAS_REQUIREMENT = "keras>=3.12.4,!=3.13.*,!=3.14.*,!=3.15.0"
_MANIFEST = "manifest.json"
_ARRAYS = "arrays.npz"
_SIGNATURE = "signature.json"
_KERAS_SUFFIX = ".keras"
_MIN_KEY_BYTES = 16
_HMAC_CONTEXT = b"tsforecast model manifest\0"

#: tsforecast classes that may be restored: name -> module (relative to the package).
_TSFORECAST_CLASSES = saveable_classes()
_MEMBER_NAME = re.compile(r"^[A-Za-z0-9_.\-]+$")


# ---------------------------------------------------------------------------- allowlist


def _sklearn_classes() -> dict[str, type]:
    """scikit-learn's public estimators by name (computed once; sklearn code only)."""
    global _SKLEARN_CACHE
    if _SKLEARN_CACHE is None:
        from sklearn.utils import all_estimators

        _SKLEARN_CACHE = dict(all_estimators())
    return _SKLEARN_CACHE


_SKLEARN_CACHE: dict | None = None


def _class_key(obj) -> str | None:
    """The allowlist key of ``obj``'s class (``"tsforecast:Name"``, ``"sklearn:Name"``) or None."""
    cls = type(obj)
    if cls.__module__.startswith("tsforecast.") and cls.__name__ in _TSFORECAST_CLASSES:
        if _resolve_class(f"tsforecast:{cls.__name__}") is cls:
            return f"tsforecast:{cls.__name__}"
    if cls.__module__.startswith("sklearn.") and _sklearn_classes().get(cls.__name__) is cls:
        return f"sklearn:{cls.__name__}"
    return None


def _resolve_class(key: str) -> type | None:
    """The class for an allowlist key, or None. Only fixed module names are imported."""
    if not isinstance(key, str) or ":" not in key:
        return None
    package, name = key.split(":", 1)
    if package == "tsforecast" and name in _TSFORECAST_CLASSES:
        module = importlib.import_module(f".{_TSFORECAST_CLASSES[name]}", __package__)
        return getattr(module, name)
    if package == "sklearn":
        return _sklearn_classes().get(name)
    return None


# ---------------------------------------------------------------------------- encoding


def _unsupported(value, where: str) -> InputTypeError:
    return InputTypeError(
        f"cannot save {where or 'obj'}: it holds a {type(value).__module__}.{type(value).__qualname__}; only "
        "numbers, strings, lists, dicts, numeric arrays, time indexes, Keras models, tsforecast models and "
        "scikit-learn estimators whose fitted state is made of these can be saved (not trees, ensembles or "
        "statsmodels results)."
    )


def encode_value(value, arrays: dict, models: dict, where: str):
    """Encode ``value`` as JSON, moving numeric arrays into ``arrays`` and Keras models
    into ``models`` (keyed by names derived from ``where``, a dotted path)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, np.generic):
        return value
    if isinstance(value, (np.ndarray, np.generic)):
        return _encode_array(np.asarray(value), isinstance(value, np.generic), arrays, where)
    if isinstance(value, (list, tuple)):
        items = [encode_value(v, arrays, models, f"{where}.{i}") for i, v in enumerate(value)]
        return items if isinstance(value, list) else {"__tuple__": items}
    if isinstance(value, dict):
        return _encode_dict(value, arrays, models, where)
    if isinstance(value, pd.Index):
        return _encode_index(value, arrays, models, where)
    if _is_keras_model(value):
        models[_member_name(where)] = value
        return {"__model__": _member_name(where)}
    key = _class_key(value)
    if key is None:
        raise _unsupported(value, where)
    return _encode_object(value, key, arrays, models, where)


def _member_name(where: str) -> str:
    name = where.strip(".") or "object"
    return re.sub(r"[^A-Za-z0-9_.\-]", "_", name)


def _encode_array(array: np.ndarray, scalar: bool, arrays: dict, where: str):
    if array.dtype.kind in "biufc":
        name = _member_name(where)
        arrays[name] = array
        return {"__array__": name, "scalar": scalar}
    if array.dtype.kind == "U" or (array.dtype == object and all(isinstance(v, str) for v in array.ravel())):
        return {"__strarray__": array.ravel().tolist(), "shape": list(array.shape), "object": array.dtype == object}
    raise _unsupported(array, f"{where} (an array of dtype {array.dtype})")


def _encode_dict(value: dict, arrays: dict, models: dict, where: str):
    """A dict as key/value pairs; a dict of numeric arrays of one shape (the last
    window of every series) as one stacked array."""
    keys = [encode_value(k, arrays, models, f"{where}.key{i}") for i, k in enumerate(value)]
    items = list(value.values())
    first = items[0] if items else None
    if (items and all(type(v) is np.ndarray for v in items) and first.dtype.kind in "biufc"
            and all(v.shape == first.shape and v.dtype == first.dtype for v in items)):
        return {"__arraydict__": keys, "array": _encode_array(np.stack(items), False, arrays, where)}
    return {"__dict__": [[k, encode_value(v, arrays, models, f"{where}.{i}")] for i, (k, v) in
                         enumerate(zip(keys, items))]}


def _encode_index(index: pd.Index, arrays: dict, models: dict, where: str):
    name = encode_value(index.name, arrays, models, f"{where}.name")
    if isinstance(index, pd.RangeIndex):
        return {"__index__": "range", "start": index.start, "stop": index.stop, "step": index.step, "name": name}
    if isinstance(index, pd.DatetimeIndex):
        return {
            "__index__": "datetime",
            "values": index.asi8.tolist(),  # UTC epoch counts for a zone-aware index
            "unit": index.unit,
            "tz": None if index.tz is None else str(index.tz),
            "freq": None if index.freq is None else index.freqstr,
            "name": name,
        }
    raise _unsupported(index, where)


def _param_names(cls: type) -> list[str]:
    """The hyper-parameter names of ``cls``: scikit-learn's, else its ``__init__`` arguments."""
    if hasattr(cls, "_get_param_names"):
        return list(cls._get_param_names())
    kinds = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    return [p.name for p in inspect.signature(cls).parameters.values() if p.kind in kinds]


def _params_of(obj) -> dict:
    """The hyper-parameters as they are to be saved.

    A ``random_state`` that is a generator (its position is no part of a fitted model) and
    a ``tf.distribute.Strategy`` (a handle on this process's devices) are saved as None.
    """
    if hasattr(obj, "get_params"):
        params = obj.get_params(deep=False)
    else:
        params = {name: getattr(obj, name) for name in _param_names(type(obj))}
    for name, value in params.items():
        if _is_distribute_strategy(value):
            params[name] = None
        elif name == "random_state" and isinstance(value, np.integer):
            params[name] = int(value)
        elif name == "random_state" and not (value is None or isinstance(value, int)):
            params[name] = None
    return params


def _is_distribute_strategy(value) -> bool:
    return any(c.__name__ == "Strategy" and c.__module__.startswith("tensorflow.") for c in type(value).__mro__)


def _state_names(obj, params: dict, label: str) -> list[str]:
    """The fitted attributes to save: every attribute but the parameters and the excluded ones.

    Raises InputTypeError for an attribute :func:`_is_state_name` refuses: it could not be
    restored, and a model without it would not be the one saved.
    """
    cls = type(obj)
    # Every class of the MRO may exclude names: a subclass' own tuple adds to its bases'
    # (BaseForecaster excludes the training panel), never hides them.
    excluded = {name for klass in cls.__mro__ for name in vars(klass).get("_persistence_exclude", ())}
    names = []
    for attr in vars(obj):
        if attr in params or attr in excluded:
            continue
        if not _is_state_name(cls, attr, set(params)):
            raise InputTypeError(
                f"cannot save {label}: its attribute {attr!r} is neither a parameter nor fitted state (a name "
                "ending in '_'); tsforecast restores only those."
            )
        names.append(attr)
    return names


def _is_state_name(cls: type, name, params: set[str]) -> bool:
    """The one check of every attribute name a file sets, whatever the class.

    A fitted attribute is an identifier, not a keyword, not a dunder, not a parameter
    (those go through ``__init__`` and its checks) and not a method, property or class
    attribute of ``cls``; for tsforecast's classes it also ends in ``_``. (scikit-learn's
    estimators keep some plain or private fitted attributes, such as ``Lasso.l1_ratio``.)
    """
    if not (isinstance(name, str) and name.isidentifier() and not keyword.iskeyword(name)):
        return False
    if name.startswith("__") or name in params or hasattr(cls, name):
        return False
    return name.endswith("_") or not cls.__module__.startswith("tsforecast.")


def _encode_object(obj, key: str, arrays: dict, models: dict, where: str):
    """Any saveable object: its hyper-parameters and its fitted attributes."""
    label = f"{where}({type(obj).__name__})" if where else type(obj).__name__
    params = _params_of(obj)
    fitted = {attr: encode_value(getattr(obj, attr), arrays, models, f"{where}.{attr}" if where else attr)
              for attr in _state_names(obj, params, label)}
    return {
        "__object__": key,
        "params": {k: encode_value(v, arrays, models, f"{where}.param.{k}" if where else f"param.{k}")
                   for k, v in params.items()},
        "fitted": fitted,
    }


def _is_keras_model(value) -> bool:
    # Only look at Keras if it is loaded: a model cannot exist otherwise.
    keras = sys.modules.get("keras")
    return keras is not None and isinstance(value, keras.Model)


def decode_value(node, arrays: dict, models: dict):
    """Rebuild a value encoded by :func:`encode_value`; raise ModelFileError on a bad node."""
    if node is None or isinstance(node, (bool, int, float, str)):
        return node
    if isinstance(node, list):
        return [decode_value(v, arrays, models) for v in node]
    if not isinstance(node, dict):
        raise ModelFileError(f"unexpected value {node!r} in the configuration")
    if "__tuple__" in node:
        return tuple(decode_value(v, arrays, models) for v in node["__tuple__"])
    if "__dict__" in node:
        return {decode_value(k, arrays, models): decode_value(v, arrays, models) for k, v in node["__dict__"]}
    if "__arraydict__" in node:
        stacked = decode_value(node["array"], arrays, models)
        keys = [decode_value(k, arrays, models) for k in node["__arraydict__"]]
        if not isinstance(stacked, np.ndarray) or stacked.ndim == 0 or len(stacked) != len(keys):
            raise ModelFileError(f"an array dict has {len(keys)} keys but not as many arrays")
        return {k: stacked[i] for i, k in enumerate(keys)}
    if "__array__" in node:
        array = _lookup(arrays, node["__array__"], "array")
        return array[()] if node.get("scalar") else array
    if "__strarray__" in node:
        dtype = object if node.get("object") else str
        return np.array(node["__strarray__"], dtype=dtype).reshape(node["shape"])
    if "__index__" in node:
        return _decode_index(node, arrays, models)
    if "__model__" in node:
        return _lookup(models, node["__model__"], "Keras model")
    if "__object__" in node:
        return _decode_object(node, arrays, models)
    raise ModelFileError(f"unknown entry with keys {sorted(node)!r} in the configuration")


def _lookup(store: dict, name, what: str):
    if not isinstance(name, str) or name not in store:
        raise ModelFileError(f"the configuration refers to {what} {name!r}, which the file does not hold")
    return store[name]


def _decode_index(node: dict, arrays: dict, models: dict) -> pd.Index:
    name = decode_value(node.get("name"), arrays, models)
    if node["__index__"] == "range":
        return pd.RangeIndex(node["start"], node["stop"], node["step"], name=name)
    if node["__index__"] == "datetime":
        values = np.asarray(node["values"], dtype=np.int64).view(f"datetime64[{node['unit']}]")
        index = pd.DatetimeIndex(values, name=name)
        if node["tz"] is not None:
            index = index.tz_localize("UTC").tz_convert(node["tz"])
        return pd.DatetimeIndex(index, freq=node["freq"]) if node["freq"] else index
    raise ModelFileError(f"unknown index kind {node['__index__']!r} in the configuration")


def _decode_object(node: dict, arrays: dict, models: dict):
    """Rebuild a saved object: the class from the allowlist, checked names only."""
    key = node["__object__"]
    cls = _resolve_class(key)
    if cls is None:
        raise ModelFileError(f"class {key!r} is not one that tsforecast restores")
    params, fitted = node.get("params", {}), node.get("fitted", {})
    if not isinstance(params, dict) or not isinstance(fitted, dict):
        raise ModelFileError(f"{key} has 'params' or 'fitted' entries that are not mappings")
    unknown = sorted(set(params) - set(_param_names(cls)), key=str)
    if unknown:
        raise ModelFileError(f"{key} has no parameter(s) {unknown!r}; the file names parameters the class lacks")
    values = {k: decode_value(v, arrays, models) for k, v in params.items()}
    if values.get("memory") is not None:  # a joblib cache folder would be unpickled on fit
        raise ModelFileError(f"{key} has memory={values['memory']!r}; a saved model must not name a cache folder")
    obj = cls(**values)
    names = set(_param_names(cls))
    for attr, value in fitted.items():
        if not _is_state_name(cls, attr, names):
            raise ModelFileError(
                f"{key} has an invalid attribute name {attr!r}: a fitted attribute must be an identifier (ending "
                "in '_' for tsforecast's classes), not a dunder, a parameter, or a method, property or class "
                "attribute of the class"
            )
        setattr(obj, attr, decode_value(value, arrays, models))
    after_load = getattr(obj, "_after_load", None)
    if callable(after_load):
        after_load()
    return obj


def _object_keys(node) -> list[str]:
    """Every class named in a configuration (checked against the allowlist before use)."""
    if isinstance(node, list):
        return [k for v in node for k in _object_keys(v)]
    if not isinstance(node, dict):
        return []
    keys = [node["__object__"]] if "__object__" in node else []
    return keys + [k for v in node.values() for k in _object_keys(v)]


# ---------------------------------------------------------------------------- keys


def _resolve_key(key) -> bytes | None:
    """The signing key as bytes: ``key``, else ``$TSFORECAST_MODEL_KEY``, else None (unsigned)."""
    source = "key"
    if key is None:
        key = os.environ.get(KEY_ENV) or None
        source = f"${KEY_ENV}"
        if key is None:
            return None
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


def _signature(key: bytes, manifest: bytes) -> str:
    return hmac.new(key, _HMAC_CONTEXT + manifest, hashlib.sha256).hexdigest()


def _signature_member(key: bytes, manifest: bytes) -> bytes:
    return json.dumps({"algorithm": "HMAC-SHA256", "manifest": _signature(key, manifest)}).encode()


def _check_signature(archive: zipfile.ZipFile, manifest: bytes, key: bytes, path: Path) -> None:
    """Refuse an unsigned file, another key's signature, or an edited manifest."""
    if _SIGNATURE not in archive.namelist():
        raise ModelFileError(
            f"{path} is not signed: it was saved without a key, and a key was given (key= or ${KEY_ENV}); "
            "an unsigned file cannot prove where it came from, so it is refused."
        )
    try:
        signature = json.loads(_read(archive, _SIGNATURE, path))
        given = signature["manifest"] if signature.get("algorithm") == "HMAC-SHA256" else None
    except (UnicodeDecodeError, json.JSONDecodeError, TypeError, KeyError, AttributeError):
        given = None
    if not isinstance(given, str) or not hmac.compare_digest(given, _signature(key, manifest)):
        raise ModelFileError(
            f"{path}: the signature does not match: the file was altered after it was signed, or it was signed "
            "with another key. It is refused."
        )


# ---------------------------------------------------------------------------- saving


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(name, data)


def _keras_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "model.keras"
        model.save(file)
        return file.read_bytes()


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
        parent folders are created (the rule of every writer, :mod:`tsforecast._io`).
    key : bytes or str, optional
        Signing key (at least 16 bytes; a str is UTF-8 encoded). Default: the value of
        ``$TSFORECAST_MODEL_KEY`` if set, else the file is not signed. A signed file
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
        ``path`` is a folder, a parent of it is a file, or the system refused the write.
    """
    path = _as_path(path)
    secret = _resolve_key(key)
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
        members[name + _KERAS_SUFFIX] = _keras_bytes(model)
    manifest = json.dumps({
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "class": config["__object__"],
        "config": config,
        "arrays": sorted(arrays),
        "models": sorted(models),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
        "config_sha256": _config_digest(config),
        "signed": secret is not None,
        "versions": _versions(),
    }, indent=1).encode()
    signature = [] if secret is None else [(_SIGNATURE, _signature_member(secret, manifest))]
    _atomic_write(path, [(_MANIFEST, manifest), *signature, *members.items()])
    return path


def _versions() -> dict:
    import sklearn

    from ._version import __version__

    versions = {"tsforecast": __version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__}
    keras = sys.modules.get("keras")
    if keras is not None:
        versions["keras"] = keras.__version__
    return versions


def _atomic_write(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Write the zip through the one atomic writer (:func:`tsforecast._io.atomic_write`)."""

    def write(handle) -> None:
        with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                _write_member(archive, name, data)

    atomic_write(path, write)


# ---------------------------------------------------------------------------- loading


def _as_path(path) -> Path:
    return as_path(path, "path")


def _config_digest(config: dict) -> str:
    """SHA-256 of the configuration (canonical JSON): the manifest's own content is checked too."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


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
        The file is not a tsforecast file, is truncated or altered, is unsigned or
        signed with another key (when a key is given), has an unknown format version,
        names a class outside the allowlist, holds a Keras model with objects outside
        the allow-list of tsforecast's networks, or the installed Keras is older than
        :data:`KERAS_REQUIREMENT`.
    """
    path = _as_path(path)
    secret = _resolve_key(key)
    if not path.is_file():
        raise DataNotFoundError(f"path {str(path)!r} does not exist or is not a file.")
    try:
        return _load(path, secret)
    except ModelFileError as error:
        if str(path) in str(error):
            raise
        raise ModelFileError(f"{path}: {error}") from error.__cause__


def _load(path: Path, secret: bytes | None):
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ModelFileError(f"{path} is not a tsforecast model file: not a zip archive ({error}).") from None
    with archive:
        if _MANIFEST not in archive.namelist():
            raise ModelFileError(f"{path} is not a tsforecast model file: it has no {_MANIFEST}.")
        raw = _read(archive, _MANIFEST, path)
        if secret is not None:
            _check_signature(archive, raw, secret, path)
        manifest = _parse_manifest(raw, path)
        members = _read_members(archive, manifest, path)
    for key in _object_keys(manifest["config"]):
        if _resolve_class(key) is None:
            raise ModelFileError(f"{path} names class {key!r}, which is not one that tsforecast restores.")
    if manifest.get("config_sha256") != _config_digest(manifest["config"]):
        raise ModelFileError(f"{path}: the configuration in {_MANIFEST} fails its SHA-256 check; the file was altered.")
    arrays = _read_arrays(members.pop(_ARRAYS), manifest, path)
    models = {name: _load_keras(members[name + _KERAS_SUFFIX], name, path) for name in manifest["models"]}
    try:
        return decode_value(manifest["config"], arrays, models)
    except ModelFileError:
        raise
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ModelFileError(f"{path} has an invalid configuration: {type(error).__name__}: {error}") from error


def _read(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise ModelFileError(f"{path} lacks the member {name!r}; the file is incomplete.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise ModelFileError(f"{path}: member {name!r} is damaged or truncated ({error}).") from None


def _parse_manifest(raw: bytes, path: Path) -> dict:
    try:
        manifest = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{path}: {_MANIFEST} is not valid JSON ({error}).") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT_NAME:
        got = manifest.get("format") if isinstance(manifest, dict) else type(manifest).__name__
        raise ModelFileError(f"{path} is not a tsforecast model file (format {got!r}).")
    version = manifest.get("format_version")
    if version != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has format version {version!r}; this tsforecast reads version {FORMAT_VERSION}."
        )
    required = {"config": dict, "arrays": list, "models": list, "sha256": dict}
    for key, kind in required.items():
        if not isinstance(manifest.get(key), kind):
            raise ModelFileError(f"{path}: {_MANIFEST} lacks a valid {key!r} entry.")
    bad = [name for name in manifest["models"] if not isinstance(name, str) or not _MEMBER_NAME.match(name)]
    if bad:
        raise ModelFileError(f"{path}: {_MANIFEST} names invalid model member(s) {bad!r}.")
    return manifest


def _read_members(archive: zipfile.ZipFile, manifest: dict, path: Path) -> dict[str, bytes]:
    """Every member but the manifest and the signature, each checked against its SHA-256."""
    expected = dict(manifest["sha256"])
    needed = {_ARRAYS} | {name + _KERAS_SUFFIX for name in manifest["models"]}
    unlisted = sorted(needed - set(expected))
    extra = sorted(set(archive.namelist()) - set(expected) - {_MANIFEST, _SIGNATURE})
    if _SIGNATURE in expected:
        raise ModelFileError(f"{path} was altered: its manifest lists {_SIGNATURE!r} among the checksummed members.")
    if unlisted or extra:
        raise ModelFileError(
            f"{path} was altered: member(s) {unlisted + extra!r} are not covered by the manifest's checksums."
        )
    members = {}
    for name, digest in expected.items():
        data = _read(archive, name, path)
        if hashlib.sha256(data).hexdigest() != digest:
            raise ModelFileError(f"{path}: member {name!r} fails its SHA-256 check; the file was altered or damaged.")
        members[name] = data
    return members


def _read_arrays(data: bytes, manifest: dict, path: Path) -> dict[str, np.ndarray]:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as error:
        raise ModelFileError(f"{path}: {_ARRAYS} cannot be read without pickle ({error}).") from None
    missing = sorted(set(manifest["arrays"]) - set(arrays))
    if missing:
        raise ModelFileError(f"{path}: {_ARRAYS} lacks the array(s) {missing!r}.")
    return arrays


# ---------------------------------------------------------------------------- Keras members

#: The Keras objects tsforecast's networks are made of (``tsforecast.models.networks``),
#: by the module Keras writes in ``config.json``. Anything else is refused before Keras
#: reads the file: other layers (``Lambda``, ``TFSMLayer``, ``StringLookup`` with a
#: vocabulary path), functions by reference, foreign modules.
_KERAS_OBJECTS: dict[str | None, frozenset[str]] = {
    "keras": frozenset({"DTypePolicy", "FloatDTypePolicy"}),
    "keras.layers": frozenset({"InputLayer", "LSTM", "LSTMCell", "Dense", "Dropout", "RepeatVector",
                               "TimeDistributed", "Attention", "Concatenate", "Reshape"}),
    "keras.initializers": frozenset({"GlorotUniform", "Orthogonal", "Zeros", "RandomNormal"}),
    "keras.losses": frozenset({"MeanSquaredError", "MeanAbsoluteError", "Huber"}),
    "keras.optimizers": frozenset({"Adam"}),
    "keras.src.models.functional": frozenset({"Functional"}),
    "tsforecast.models.networks": frozenset({"ReverseTime", "LastStep", "QuantileOutput", "FeedbackDecoder",
                                             "PinballLoss", "Segments", "SegmentsToSteps", "ParallelDecoder"}),
    None: frozenset({"__keras_tensor__"}),
}
#: Activations given by name (Keras looks these up in its own table).
_KERAS_ACTIVATIONS = frozenset({"tanh", "sigmoid", "linear", "relu"})


def _keras_version_is_safe(version: str) -> bool:
    """Whether ``version`` meets :data:`KERAS_REQUIREMENT` (pre-releases of 3.12.4 and 3.15.1 do not)."""
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)(.*)$", version)
    if match is None:
        return False
    release = tuple(int(part) for part in match.groups()[:3])
    pre = re.match(r"^\.?(a|b|rc|dev)", match.group(4)) is not None
    if pre and release in {(3, 12, 4), (3, 15, 1)}:
        return False
    return (3, 12, 4) <= release < (3, 13, 0) or release >= (3, 15, 1)


def _check_keras_version() -> None:
    import keras

    if not _keras_version_is_safe(keras.__version__):
        raise ModelFileError(
            f"the installed Keras {keras.__version__} has known safe-mode bypasses; tsforecast loads Keras models "
            f"only with {KERAS_REQUIREMENT} (pip install --upgrade keras)."
        )


def _check_keras_node(node: dict, label: str) -> None:
    if "class_name" in node or "module" in node:
        module, name = node.get("module"), node.get("class_name")
        if not isinstance(module, (str, type(None))) or name not in _KERAS_OBJECTS.get(module, ()):
            what = "a function by reference" if name in ("function", "__lambda__") else f"class {name!r}"
            raise ModelFileError(
                f"{label} names {what} from module {module!r}, which tsforecast's networks do not use; "
                "it is refused before Keras reads it."
            )
        registered = node.get("registered_name")
        if registered not in (None, name, f"tsforecast>{name}"):
            raise ModelFileError(f"{label} registers {name!r} as {registered!r}; refused before Keras reads it.")
    for field in ("activation", "recurrent_activation"):
        value = node.get(field)
        if isinstance(value, str) and value not in _KERAS_ACTIVATIONS:
            raise ModelFileError(f"{label} uses activation {value!r}, which tsforecast's networks do not use.")


def _check_keras_config(data: bytes, name: str, path: Path) -> None:
    """Refuse a .keras member naming anything outside :data:`_KERAS_OBJECTS`, before Keras reads it."""
    label = f"{path}: model {name + _KERAS_SUFFIX!r}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            config = json.loads(inner.read("config.json"))
    except (zipfile.BadZipFile, KeyError, zlib.error, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ModelFileError(f"{label} is not a valid .keras archive ({error}).") from None
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            _check_keras_node(node, label)
            stack.extend(node.values())


def _load_keras(data: bytes, name: str, path: Path):
    _check_keras_config(data, name, path)
    _check_keras_version()
    import keras

    # Registers tsforecast's custom layers with Keras; a fresh process that never
    # imported the models could not otherwise rebuild them.
    from .models import networks  # noqa: F401

    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "model.keras"
        file.write_bytes(data)
        try:
            return keras.saving.load_model(file, compile=False, safe_mode=True)
        except Exception as error:  # Keras raises many types; all mean "not loadable safely"
            raise ModelFileError(
                f"{path}: model {name + _KERAS_SUFFIX!r} cannot be loaded in Keras safe mode "
                f"({type(error).__name__}: {error})."
            ) from error
