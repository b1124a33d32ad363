"""Keras members of model files: written in Keras' native format, and read only after
their ``config.json`` names nothing outside the allow-list of tsforecast's networks, by
a Keras release with every known safe-mode fix (:data:`KERAS_REQUIREMENT`).
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
import zlib
from pathlib import Path

from ..exceptions import ModelFileError

__all__ = ["KERAS_REQUIREMENT", "KERAS_SUFFIX", "keras_bytes", "keras_version_is_safe", "check_keras_config",
           "load_keras"]

KERAS_REQUIREMENT = "keras>=3.12.4,!=3.13.*,!=3.14.*,!=3.15.0"
KERAS_SUFFIX = ".keras"


def keras_bytes(model) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "model.keras"
        model.save(file)
        return file.read_bytes()



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


def keras_version_is_safe(version: str) -> bool:
    """Whether ``version`` meets :data:`KERAS_REQUIREMENT` (pre-releases of 3.12.4 and 3.15.1 do not)."""
    match = re.match(r"^(\d+)\.(\d+)\.(\d+)(.*)$", version)
    if match is None:
        return False
    release = tuple(int(part) for part in match.groups()[:3])
    pre = re.match(r"^\.?(a|b|rc|dev)", match.group(4)) is not None
    if pre and release in {(3, 12, 4), (3, 15, 1)}:
        return False
    return (3, 12, 4) <= release < (3, 13, 0) or release >= (3, 15, 1)


def check_keras_version() -> None:
    import keras

    if not keras_version_is_safe(keras.__version__):
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


def check_keras_config(data: bytes, name: str, path: Path) -> None:
    """Refuse a .keras member naming anything outside :data:`_KERAS_OBJECTS`, before Keras reads it."""
    label = f"{path}: model {name + KERAS_SUFFIX!r}"
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as inner:
            config = json.loads(inner.read("config.json"))
    except (zipfile.BadZipFile, KeyError, zlib.error, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise ModelFileError(f"{label} is not a valid .keras archive ({error}).") from None
    stack = [config]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
        elif isinstance(node, dict):
            _check_keras_node(node, label)
            stack.extend(node.values())


def load_keras(data: bytes, name: str, path: Path):
    check_keras_config(data, name, path)
    check_keras_version()
    import keras

    # Registers tsforecast's custom layers with Keras; a fresh process that never
    # imported the models could not otherwise rebuild them.
    from ..models import networks  # noqa: F401

    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "model.keras"
        file.write_bytes(data)
        try:
            return keras.saving.load_model(file, compile=False, safe_mode=True)
        except Exception as error:  # Keras raises many types; all mean "not loadable safely"
            raise ModelFileError(
                f"{path}: model {name + KERAS_SUFFIX!r} cannot be loaded in Keras safe mode "
                f"({type(error).__name__}: {error})."
            ) from error
