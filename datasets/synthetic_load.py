"""A seeded synthetic half-hourly electricity load: sub-daily data with a long season.

We hold no half-hourly load data, so this script builds the class of series the issue
describes (one series, 12 weeks at 30 minutes, a daily and a weekly season, the weekly
one 336 steps long) from the parts load forecasting literature names:

* a daily profile with a morning and an evening peak and a night trough;
* weekends lower by day (Saturday 12%, Sunday 18% of the daytime part);
* a weather-driven level: a daily AR(1) anomaly (coefficient 0.8, so a week later it
  has mostly moved on: the seasonal naive of a week pays for it), interpolated across
  the day;
* a slow trend (+2% over the 12 weeks) and AR(1) half-hourly noise.

Same seed, same series; nothing is downloaded. Used by ``tests/test_cli_long_season.py``.

Run: ``python datasets/synthetic_load.py OUT.csv [--weeks 12] [--seed 0]`` writes a CSV
with columns ``time`` and ``load`` (MW).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

STEPS_PER_DAY = 48
STEPS_PER_WEEK = 7 * STEPS_PER_DAY  # 336, the long season


def half_hourly_load(weeks: int = 12, seed: int = 0) -> pd.Series:
    """The series: a ``Series`` named ``load`` on a 30-minute ``DatetimeIndex`` from 2024-01-01 (a Monday).

    Examples
    --------
    >>> load = half_hourly_load(weeks=2)
    >>> len(load), load.index.freqstr, bool((load > 0).all())
    (672, '30min', True)
    """
    rng = np.random.default_rng(seed)
    n, days = weeks * STEPS_PER_WEEK, weeks * 7
    hour = (np.arange(n) % STEPS_PER_DAY) / 2.0
    day = np.arange(n) // STEPS_PER_DAY
    daytime = 0.35 * np.exp(-(((hour - 8.5) / 1.5) ** 2)) + 0.5 * np.exp(-(((hour - 18.5) / 2.0) ** 2)) \
        + 0.25 * np.exp(-(((hour - 13.0) / 3.0) ** 2))
    weekend = np.select([day % 7 == 5, day % 7 == 6], [0.88, 0.82], 1.0)
    profile = 0.75 + daytime * weekend
    anomaly = np.zeros(days + 1)
    for d in range(1, days + 1):
        anomaly[d] = 0.8 * anomaly[d - 1] + rng.normal(0, 0.05)
    level = np.interp(np.arange(n) / STEPS_PER_DAY, np.arange(days + 1), anomaly)
    noise = np.zeros(n)
    shocks = rng.normal(0, 0.012, n)
    for t in range(1, n):
        noise[t] = 0.7 * noise[t - 1] + shocks[t]
    trend = 1 + 0.02 * np.arange(n) / n
    values = 1000 * profile * trend * (1 + level) * (1 + noise)
    index = pd.date_range("2024-01-01", periods=n, freq="30min", name="time")
    return pd.Series(values.round(1), index=index, name="load")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--weeks", type=int, default=12)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    half_hourly_load(args.weeks, args.seed).to_frame().to_csv(args.out)


if __name__ == "__main__":
    main()
