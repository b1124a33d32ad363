"""The state encoder of model files: objects as JSON, numeric arrays and Keras models.

An object is stored as its hyper-parameters (``get_params(deep=False)``, or its
``__init__`` arguments) and its fitted attributes, each encoded by :func:`encode_value`;
:func:`decode_value` rebuilds it, looking classes up in an allow-list only
(:func:`resolve_class`: :mod:`tsforecast._registry`'s saveable classes and
scikit-learn's public estimators), never importing a name read from a file. The file
around it (manifest, checksums, signature) is :mod:`tsforecast.storage.model_files`'s.
"""

from __future__ import annotations

import importlib
import inspect
import keyword
import re
import sys

import numpy as np
import pandas as pd

from .._registry import saveable_classes
from ..core.offsets import offset_of, offset_settings
from ..core.timeindex import tz_name
from ..exceptions import InputTypeError, ModelFileError

__all__ = ["encode_value", "decode_value", "resolve_class", "object_keys", "TSFORECAST_CLASSES"]

#: tsforecast classes that may be restored: name -> module (relative to the package).
TSFORECAST_CLASSES = saveable_classes()


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
    if cls.__module__.startswith("tsforecast.") and cls.__name__ in TSFORECAST_CLASSES:
        if resolve_class(f"tsforecast:{cls.__name__}") is cls:
            return f"tsforecast:{cls.__name__}"
    if cls.__module__.startswith("sklearn.") and _sklearn_classes().get(cls.__name__) is cls:
        return f"sklearn:{cls.__name__}"
    return None


def resolve_class(key: str) -> type | None:
    """The class for an allowlist key, or None. Only fixed module names are imported."""
    if not isinstance(key, str) or ":" not in key:
        return None
    package, name = key.split(":", 1)
    if package == "tsforecast" and name in TSFORECAST_CLASSES:
        # the registry's modules are relative to the package root, wherever this module lives
        module = importlib.import_module(f".{TSFORECAST_CLASSES[name]}", __name__.partition(".")[0])
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
            "tz": tz_name(index.tz),  # a name pandas reads back (a dateutil zone's str is not one)
            "freq": None if index.freq is None else index.freqstr,
            "name": name,
            **_freq_settings(index, arrays, models, where),
        }
    raise _unsupported(index, where)


def _freq_settings(index: pd.DatetimeIndex, arrays: dict, models: dict, where: str) -> dict:
    """What the name of ``index``'s frequency leaves out (a business day's holidays and
    weekmask), where it leaves anything out; files without it read the name alone."""
    settings = offset_settings(index.freq, where or "index") if index.freq is not None else None
    return {} if settings is None else {"freq_settings": encode_value(settings, arrays, models, f"{where}.freq")}


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
        settings = decode_value(node.get("freq_settings"), arrays, models)
        return pd.DatetimeIndex(index, freq=offset_of(node["freq"], settings)) if node["freq"] else index
    raise ModelFileError(f"unknown index kind {node['__index__']!r} in the configuration")


def _decode_object(node: dict, arrays: dict, models: dict):
    """Rebuild a saved object: the class from the allowlist, checked names only."""
    key = node["__object__"]
    cls = resolve_class(key)
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


def object_keys(node) -> list[str]:
    """Every class named in a configuration (checked against the allowlist before use)."""
    if isinstance(node, list):
        return [k for v in node for k in object_keys(v)]
    if not isinstance(node, dict):
        return []
    keys = [node["__object__"]] if "__object__" in node else []
    return keys + [k for v in node.values() for k in object_keys(v)]
