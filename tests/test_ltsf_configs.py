"""The configurations of ``benchmarks/ltsf.py`` are valid estimator settings, and the one
chosen per horizon is the lowest validation MSE (the benchmark's only selection rule)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from tsforecast.models import EncoderDecoderLSTM

ROOT = Path(__file__).resolve().parents[1]


def _ltsf():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module("ltsf")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


LTSF = _ltsf()


@pytest.mark.parametrize("name", sorted(LTSF.CONFIGS))
def test_every_configuration_passes_the_estimators_checks(name):
    settings = LTSF.CONFIGS[name]
    assert set(settings) <= set(EncoderDecoderLSTM._parameter_constraints)
    checked = EncoderDecoderLSTM(random_state=0, **settings)._check_params()
    assert all(checked[key] == value for key, value in settings.items())


def test_segrnn48_differs_from_the_l1_recipe_only_by_its_loss():
    l1, squared = LTSF.CONFIGS["segrnn_l1_blend"], LTSF.CONFIGS["segrnn48_blend"]
    assert {k for k in l1 if l1[k] != squared[k]} == {"loss"}
    assert squared["segment_length"] == 48 and squared["blend_linear"] and squared["loss"] == "mse"


def test_windows_read_only_rows_before_the_forecast_start():
    z = np.arange(400.0)[:, None] * np.ones((1, 7))
    X, y = LTSF.windows(z, 100, 110, 24)
    assert X.shape == (11, LTSF.LOOKBACK, 7) and y.shape == (11, 24, 7)
    assert (X[:, -1, 0] == np.arange(99, 110)).all() and (y[:, 0, 0] == np.arange(100, 111)).all()
