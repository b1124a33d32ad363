"""The one registry of public classes: lazy imports, persistence allow-list and CLI names agree."""

from __future__ import annotations

import subprocess
import sys

import pytest

import tsforecast
from tsforecast import _registry
from tsforecast.cli import _registry as cli_registry
from tsforecast.storage import encoding as _encoding


@pytest.mark.parametrize("name", sorted(_registry.PUBLIC))
def test_every_public_name_resolves_to_its_module(name):
    obj = getattr(tsforecast, name)
    assert obj.__name__ == name
    assert obj.__module__.startswith(f"tsforecast.{_registry.PUBLIC[name]}")


def test_all_and_dir_come_from_the_registry():
    assert set(tsforecast.__all__) == set(_registry.PUBLIC) | {"__version__"}
    assert set(dir(tsforecast)) == set(tsforecast.__all__)
    with pytest.raises(AttributeError, match="no attribute 'InputForm'"):
        tsforecast.InputForm  # saveable, but not public


def test_cli_names_map_to_registered_forecasters():
    assert cli_registry.model_names() == list(_registry.CLI_MODELS)
    for name, class_name in _registry.CLI_MODELS.items():
        assert _registry.CLASSES[class_name].forecaster
        model = cli_registry.make_model(name, cli_registry.ModelSettings(horizon=3, season_length=7, epochs=1))
        assert type(model).__name__ == class_name


def test_every_forecaster_is_saveable_and_restorable():
    for name in _registry.forecaster_names():
        assert name in _registry.saveable_classes()
        assert _encoding.resolve_class(f"tsforecast:{name}") is getattr(tsforecast, name)


def test_registry_imports_nothing_heavy():
    code = ("import sys, tsforecast._registry; "
            "print(sorted(m for m in ('numpy', 'pandas', 'sklearn', 'keras', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
