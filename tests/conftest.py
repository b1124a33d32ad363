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


# -- under CI=true a skip is a failure, unless it is declared here with its reason --------------
#: Skips CI accepts: (test file, words of the skip reason) -> why the skip is right even in CI.
#: Anything else that skips under CI=true (an optional dependency the test extra installs:
#: dask, distributed, pyarrow; the console script; Chromium) fails instead.
ALLOWED_SKIPS = {
    ("test_contract.py", "the model has its own forecast distribution"):
        "the test is about models without a distribution; it is parametrized over every forecaster",
    ("test_predict_interval_all.py", "already conformal"):
        "comparing ConformalIntervals with itself says nothing; parametrized over every forecaster",
    # scikit-learn's check_array_api_input (parametrize_with_checks): the network takes NumPy arrays only
    ("test_models.py", "SCIPY_ARRAY_API is not set"): "the array API check; the estimator takes NumPy arrays",
    ("test_models_segments.py", "SCIPY_ARRAY_API is not set"): "the array API check; the estimator takes NumPy arrays",
}


def in_ci() -> bool:
    """CI sets CI=true (GitHub Actions, GitLab, .ci/run)."""
    return os.environ.get("CI", "").strip().lower() in ("true", "1", "yes")


def _skip_reason(report) -> str:
    longrepr = report.longrepr
    return longrepr[2] if isinstance(longrepr, tuple) and len(longrepr) == 3 else str(longrepr)


def _allowed(nodeid: str, reason: str) -> bool:
    return any(nodeid.split("::")[0].endswith(name) and words in reason for name, words in ALLOWED_SKIPS)


def _fail_undeclared_skip(report) -> None:
    """Turn ``report``'s skip into a failure under CI=true unless :data:`ALLOWED_SKIPS` has it."""
    if not in_ci() or not report.skipped or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report)
    if not _allowed(report.nodeid, reason):
        report.outcome = "failed"
        report.longrepr = (f"CI=true: skipped ({reason}); a skip in CI must be declared in tests/conftest.py "
                           "ALLOWED_SKIPS with its reason (is the test extra installed?)")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    _fail_undeclared_skip(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    _fail_undeclared_skip(outcome.get_result())  # a module-level importorskip skips at collection
