"""benchmarks/defaults_suite.py counts the LSTM's fallbacks from what its fits recorded (issue 22:
the old count took every FallbackWarning of the run, the baselines' too: "5 of 4 fits")."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import pytest

from _scripts import load_script
from tsforecast.cli import _registry

pytest.importorskip("keras")


def _suite():
    return load_script("benchmarks/defaults_suite.py")


def test_the_fallback_count_is_one_per_lstm_fit_that_fell_back(monkeypatch):
    suite = _suite()
    # a short, nearly periodic monthly series: a one-epoch LSTM cannot clearly beat its
    # reference, and the baselines may warn of their own fallbacks (not counted)
    values = 5 + np.tile(np.arange(12, dtype=float) % 5, 8) + np.random.default_rng(0).normal(0, 0.01, 96)
    data = pd.Series(values, index=pd.date_range("2000-01-01", periods=len(values), freq="MS"), name="y")
    monkeypatch.setitem(suite.DATASETS, "periodic", (lambda: data, 12, 6, 3, "test"))
    monkeypatch.setattr(_registry, "ModelSettings", functools.partial(_registry.ModelSettings, epochs=1, units=4))
    row = suite.run_dataset("periodic")
    assert row["lstm_fits"] == 3 and set(row["lstm_references"]) == {"0", "1", "2"}
    shrunk = [f for f, (_, factor) in row["lstm_references"].items() if factor < 1.0]
    assert row["lstm_fallbacks"] == len(shrunk) >= 1
    assert suite._fell_back(row).startswith(f"{len(shrunk)} of 3 fits (fold {shrunk[0]}: ")
