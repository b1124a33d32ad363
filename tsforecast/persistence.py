"""Saving and loading fitted objects without pickle.

:func:`save` writes ONE zip file:

- ``manifest.json``: the format name (``"tsforecast"``) and version, the class of the
  saved object, its configuration as JSON, the SHA-256 of every other member and of
  the configuration itself (``config_sha256``: an edited configuration is refused);
- ``arrays.npz``: the numeric arrays (weights of scikit-learn models, scalers, the last
  input windows), written by :func:`numpy.savez` and read with ``allow_pickle=False``;
- ``<name>.keras``: one member per Keras model, in Keras' native format, loaded with
  ``safe_mode=True``.

Loading never unpickles and never imports a name read from the file: classes are looked
up in an allowlist (tsforecast's saveable classes and scikit-learn's public estimators),
and Keras configurations naming code-carrying layers (``Lambda``) or objects outside
``keras``/``tsforecast`` are refused before Keras reads them. Every problem with a file
(not a zip, truncated, a member missing, a checksum mismatch, an unknown version or
class) raises :class:`~tsforecast.exceptions.ModelFileError` naming the path.

Objects take part by implementing ``_get_state() -> {"config", "arrays", "models"}`` and
a classmethod ``_from_state(config, arrays, models)``. Nested values (estimators inside
a forecaster, dicts, indexes) are encoded by :func:`encode_value` and restored by
:func:`decode_value`; scikit-learn estimators are stored as their parameters plus their
fitted attributes, provided those are arrays, numbers, strings or lists of them.

Examples
--------
>>> import numpy as np, tempfile, os
>>> from sklearn.linear_model import Ridge
>>> model = Ridge().fit(np.arange(10.0).reshape(5, 2), np.arange(5.0))
>>> path = os.path.join(tempfile.mkdtemp(), "ridge.tsf")
>>> _ = save(model, path)
>>> bool(np.array_equal(load(path).predict([[1.0, 2.0]]), model.predict([[1.0, 2.0]])))
True
"""

from __future__ import annotations

import hashlib
import importlib
import io
import json
import os
import re
import tempfile
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from .exceptions import DataNotFoundError, InputTypeError, ModelFileError, NotFittedError

__all__ = ["save", "load", "encode_value", "decode_value", "FORMAT_NAME", "FORMAT_VERSION"]

FORMAT_NAME = "tsforecast"
FORMAT_VERSION = 1
_MANIFEST = "manifest.json"
_ARRAYS = "arrays.npz"
_KERAS_SUFFIX = ".keras"

#: tsforecast classes that may be restored: name -> module (relative to the package).
_TSFORECAST_CLASSES = {
    "WindowForecaster": "forecaster",
    "EncoderDecoderLSTM": "models",
    "MedianEnsemble": "models",
    **dict.fromkeys(["Naive", "SeasonalNaive", "Drift", "Mean", "Naive2", "SES", "Holt", "Damped", "Theta", "Comb",
                     "ETS", "ARIMA"],
                    "baselines"),
}

#: Keras class names whose configuration carries Python code; never loaded.
_CODE_CLASSES = {"Lambda", "__lambda__", "TFOpLambda", "SlicingOpLambda"}
_SAFE_MODULE = re.compile(r"^(keras|tsforecast)(\.|$)")
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
    if cls.__module__.startswith("tsforecast.") and _TSFORECAST_CLASSES.get(cls.__name__) is not None:
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
        "numbers, strings, lists, dicts, numeric arrays, time indexes, tsforecast models and "
        "scikit-learn estimators whose fitted state is made of these can be saved."
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
        return {"__dict__": [[encode_value(k, arrays, models, f"{where}.key{i}"),
                              encode_value(v, arrays, models, f"{where}.{i}")]
                             for i, (k, v) in enumerate(value.items())]}
    if isinstance(value, pd.Index):
        return _encode_index(value, arrays, models, where)
    if _is_keras_model(value):
        models[_member_name(where)] = value
        return {"__model__": _member_name(where)}
    key = _class_key(value)
    if key is None:
        raise _unsupported(value, where)
    if key.startswith("tsforecast:"):
        return _encode_tsforecast(value, key, arrays, models, where)
    return _encode_sklearn(value, key, arrays, models, where)


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


def _encode_tsforecast(obj, key: str, arrays: dict, models: dict, where: str):
    try:
        state = obj._get_state()
    except NotFittedError:  # an unfitted estimator (a template) is just its parameters
        return _encode_sklearn(obj, key, arrays, models, where)
    prefix = f"{_member_name(where)}." if where else ""
    for name, array in state.get("arrays", {}).items():
        arrays[prefix + name] = np.asarray(array)
    for name, model in state.get("models", {}).items():
        models[prefix + name] = model
    return {
        "__object__": key,
        "config": state["config"],
        "arrays": sorted(state.get("arrays", {})),
        "models": sorted(state.get("models", {})),
        "prefix": prefix,
    }


def _encode_sklearn(estimator, key: str, arrays: dict, models: dict, where: str):
    params = estimator.get_params(deep=False)
    if key.startswith("tsforecast:") and params.get("distribute_strategy") is not None:
        params["distribute_strategy"] = None  # a handle on this process's devices, as in _get_state
    label = f"{where}({type(estimator).__name__})" if where else type(estimator).__name__
    fitted = {}
    for attr, value in vars(estimator).items():
        if attr in params:
            continue
        try:
            fitted[attr] = encode_value(value, arrays, models, f"{where}.{attr}" if where else attr)
        except InputTypeError:
            raise InputTypeError(
                f"cannot save {label}: its fitted attribute {attr!r} holds a {type(value).__name__}; "
                "only estimators whose fitted state is numbers, strings, arrays or lists of them "
                "(linear models, scalers) can be saved, not trees or ensembles."
            ) from None
    return {
        "__object__": key,
        "params": {k: encode_value(v, arrays, models, f"{where}.param.{k}" if where else f"param.{k}")
                   for k, v in params.items()},
        "fitted": fitted,
    }


def _is_keras_model(value) -> bool:
    # Only look at Keras if it is loaded: a model cannot exist otherwise.
    keras = __import__("sys").modules.get("keras")
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
    if name not in store:
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
    key = node["__object__"]
    cls = _resolve_class(key)
    if cls is None:
        raise ModelFileError(f"class {key!r} is not one that tsforecast restores")
    if "config" in node:  # a tsforecast object saved by its _get_state
        prefix = node.get("prefix", "")
        own_arrays = {name: _lookup(arrays, prefix + name, "array") for name in node.get("arrays", [])}
        own_models = {name: _lookup(models, prefix + name, "Keras model") for name in node.get("models", [])}
        return cls._from_state(node["config"], own_arrays, own_models)
    params = {k: decode_value(v, arrays, models) for k, v in node.get("params", {}).items()}
    if params.get("memory") is not None:  # a joblib cache folder would be unpickled on fit
        raise ModelFileError(f"{key} has memory={params['memory']!r}; a saved model must not name a cache folder")
    estimator = cls(**params)
    for attr, value in node.get("fitted", {}).items():
        if not (isinstance(attr, str) and attr.isidentifier() and not attr.startswith("__")):
            raise ModelFileError(f"{key} has an invalid attribute name {attr!r}")
        setattr(estimator, attr, decode_value(value, arrays, models))
    return estimator


def _object_keys(node) -> list[str]:
    """Every class named in a configuration (checked against the allowlist before use)."""
    if isinstance(node, list):
        return [k for v in node for k in _object_keys(v)]
    if not isinstance(node, dict):
        return []
    keys = [node["__object__"]] if "__object__" in node else []
    return keys + [k for v in node.values() for k in _object_keys(v)]


# ---------------------------------------------------------------------------- saving


def _write_member(archive: zipfile.ZipFile, name: str, data: bytes) -> None:
    archive.writestr(name, data)


def _keras_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "model.keras"
        model.save(file)
        return file.read_bytes()


def save(obj, path) -> Path:
    """Write a fitted (or unfitted) model to ``path`` as one file, atomically.

    Parameters
    ----------
    obj : WindowForecaster, EncoderDecoderLSTM or scikit-learn estimator
        What to save. scikit-learn estimators whose fitted state holds other objects
        than arrays, numbers and strings (trees, ensembles) are refused.
    path : str or os.PathLike
        The file to write. It is replaced only once the new file is complete.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    InputTypeError
        ``obj`` (or something it holds) cannot be saved without pickle.
    """
    path = _as_path(path)
    arrays, models = {}, {}
    config = encode_value(obj, arrays, models, "")
    if not isinstance(config, dict) or "__object__" not in config:
        raise InputTypeError(f"obj must be a model or estimator; got {type(obj).__name__}.")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    members = {_ARRAYS: buffer.getvalue()}
    for name, model in models.items():
        members[name + _KERAS_SUFFIX] = _keras_bytes(model)
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "class": config["__object__"],
        "config": config,
        "arrays": sorted(arrays),
        "models": sorted(models),
        "sha256": {name: hashlib.sha256(data).hexdigest() for name, data in members.items()},
        "config_sha256": _config_digest(config),
        "versions": _versions(),
    }
    _atomic_write(path, [(_MANIFEST, json.dumps(manifest, indent=1).encode())] + list(members.items()))
    return path


def _versions() -> dict:
    import sklearn

    from . import __version__

    versions = {"tsforecast": __version__, "numpy": np.__version__, "scikit-learn": sklearn.__version__}
    keras = __import__("sys").modules.get("keras")
    if keras is not None:
        versions["keras"] = keras.__version__
    return versions


def _atomic_write(path: Path, members: list[tuple[str, bytes]]) -> None:
    """Write the zip to a temporary file beside ``path``, fsync it, then rename it over ``path``."""
    folder = path.parent if str(path.parent) else Path(".")
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in members:
                    _write_member(archive, name, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    # Makes the rename durable on POSIX; directories cannot be opened on Windows.
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


# ---------------------------------------------------------------------------- loading


def _as_path(path) -> Path:
    try:
        return Path(path)
    except TypeError:
        raise InputTypeError(f"path must be a str or os.PathLike; got {path!r} of type {type(path).__name__}.") from None


def _config_digest(config: dict) -> str:
    """SHA-256 of the configuration (canonical JSON): the manifest's own content is checked too."""
    return hashlib.sha256(json.dumps(config, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def load(path):
    """Load an object written by :func:`save`; no code from the file is run.

    Raises
    ------
    DataNotFoundError
        ``path`` does not exist (a :class:`FileNotFoundError`).
    InputTypeError
        ``path`` is not a path.
    ModelFileError
        The file is not a tsforecast file, is truncated or altered, has an unknown format
        version, names a class outside the allowlist, or holds a Keras model with
        code-carrying layers.
    """
    path = _as_path(path)
    if not path.is_file():
        raise DataNotFoundError(f"path {str(path)!r} does not exist or is not a file.")
    try:
        return _load(path)
    except ModelFileError as error:
        if str(path) in str(error):
            raise
        raise ModelFileError(f"{path}: {error}") from error.__cause__


def _load(path: Path):
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ModelFileError(f"{path} is not a tsforecast model file: not a zip archive ({error}).") from None
    with archive:
        manifest = _read_manifest(archive, path)
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
    except (KeyError, TypeError, ValueError) as error:
        raise ModelFileError(f"{path} has an invalid configuration: {type(error).__name__}: {error}") from error


def _read(archive: zipfile.ZipFile, name: str, path: Path) -> bytes:
    try:
        return archive.read(name)
    except KeyError:
        raise ModelFileError(f"{path} lacks the member {name!r}; the file is incomplete.") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise ModelFileError(f"{path}: member {name!r} is damaged or truncated ({error}).") from None


def _read_manifest(archive: zipfile.ZipFile, path: Path) -> dict:
    if _MANIFEST not in archive.namelist():
        raise ModelFileError(f"{path} is not a tsforecast model file: it has no {_MANIFEST}.")
    try:
        manifest = json.loads(_read(archive, _MANIFEST, path))
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
    """Every member but the manifest, each checked against its SHA-256."""
    expected = dict(manifest["sha256"])
    needed = {_ARRAYS} | {name + _KERAS_SUFFIX for name in manifest["models"]}
    unlisted = sorted(needed - set(expected))
    extra = sorted(set(archive.namelist()) - set(expected) - {_MANIFEST})
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


def _check_keras_config(data: bytes, name: str, path: Path) -> None:
    """Refuse a .keras member whose configuration carries code, before Keras reads it."""
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
            if node.get("class_name") in _CODE_CLASSES:
                raise ModelFileError(
                    f"{label} names the code-carrying layer {node['class_name']!r}; it is refused and not loaded."
                )
            module = node.get("module")
            if module is not None and not (isinstance(module, str) and _SAFE_MODULE.match(module)):
                raise ModelFileError(
                    f"{label} refers to module {module!r}; only keras and tsforecast objects are loaded."
                )
            stack.extend(node.values())


def _load_keras(data: bytes, name: str, path: Path):
    _check_keras_config(data, name, path)
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
