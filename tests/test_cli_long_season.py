"""Sub-daily data with a long declared season (issue 22): the CLI's lstm, given
``--season-length 336`` on half-hourly load, must not lose to the seasonal naive.

The series is the seeded synthetic load of ``datasets/synthetic_load.py`` (we hold no
half-hourly load data): a daily profile, lower weekends, a weather-driven level that
moves from week to week, noise."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from tsforecast import BacktestResult

REPO = Path(__file__).resolve().parents[1]


def _generator():
    spec = importlib.util.spec_from_file_location("synthetic_load", REPO / "datasets" / "synthetic_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_synthetic_load_is_seeded_with_a_daily_and_a_weekly_season():
    make = _generator().half_hourly_load
    load = make(weeks=4, seed=0)
    assert len(load) == 4 * 336 and load.index.freqstr == "30min"
    assert load.equals(make(weeks=4, seed=0)) and not load.equals(make(weeks=4, seed=1))
    values = load.to_numpy()
    lag_error = {lag: np.abs(values[lag:] - values[:-lag]).mean() for lag in (24, 48)}
    assert lag_error[48] < 0.5 * lag_error[24]  # a day ago is like now; half a day ago is not
    days = values.reshape(-1, 48)
    swing = days.max(axis=1) / days.min(axis=1)  # the daily peak over the night, free of the level
    weekend = np.arange(len(days)) % 7 >= 5  # 2024-01-01 is a Monday
    assert swing[weekend].mean() < swing[~weekend].mean() - 0.05

@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason="issue 22 open: on this series the CLI's lstm scored MASE 0.383 against the "
                   "seasonal naive's 0.353 (7 folds; 4 of 7 fits shrunk toward the seasonal naive, not enough)")
def test_cli_lstm_with_a_long_season_is_at_most_the_seasonal_naive(tmp_path):
    """The issue's command: before the season reached the lstm it read 144 steps and scored
    MASE 0.994 against the seasonal naive's 0.643 on the half-hourly load it was run on.
    Strict xfail: the day this passes, the marker must go."""
    path = tmp_path / "load.csv"
    _generator().main([str(path)])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
    run = subprocess.run([sys.executable, "-m", "tsforecast.cli", "backtest", "--data", str(path), "--horizon", "48",
                          "--folds", "7", "--season-length", "336", "--models", "lstm,snaive", "-q",
                          "--out", str(tmp_path / "r.zip")], env=env, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr
    assert "look-back 1008 steps" in run.stdout + run.stderr  # three declared seasons reach the network
    mase = BacktestResult.load(tmp_path / "r.zip").summary(metric="mase")["mase_mean"]
    assert mase["lstm"] <= mase["snaive"], mase.to_dict()
