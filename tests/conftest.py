"""Shared test fixtures."""

from __future__ import annotations

import os
from pathlib import Path

# Quiet TensorFlow's start-up chatter; keep Keras on TensorFlow.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[1]
M4_DIR = Path(os.environ.get("TSFORECAST_M4_DIR", REPO_ROOT.parent / "shared" / "data" / "m4"))


@pytest.fixture(scope="session")
def m4_dir() -> Path:
    """The M4 Hourly/Weekly files shipped beside the project (../shared/data/m4)."""
    if not (M4_DIR / "Hourly-train.csv").exists():
        pytest.fail(f"M4 data not found in {M4_DIR}; set TSFORECAST_M4_DIR")
    return M4_DIR


@pytest.fixture
def seasonal_series() -> pd.Series:
    """A noisy hourly series with trend and a daily season (600 steps)."""
    rng = np.random.default_rng(0)
    t = np.arange(600)
    values = 10 + 0.01 * t + 3 * np.sin(2 * np.pi * t / 24) + rng.normal(0, 0.3, t.size)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=t.size, freq="h"), name="y")


def pytest_terminal_summary(terminalreporter):
    """Print how many hostile-input cases ran (tests/test_hostile_input.py)."""
    ran = [report for outcome in ("passed", "failed") for report in terminalreporter.stats.get(outcome, [])
           if getattr(report, "when", None) == "call" and "test_hostile_input.py::" in report.nodeid]
    if ran:
        table = [r for r in ran if "::test_hostile_input_raises_a_documented_error[" in r.nodeid]
        passed = sum(r.passed for r in ran)
        terminalreporter.write_line(
            f"hostile input: {len(table)} bad-input cases of the table, {len(ran)} reliability tests in all "
            f"({passed} passed)"
        )
