"""Local clock times across daylight saving changes, written without their UTC offset.

Energy and sensor exports often write local wall-clock times: when the clocks turn back,
an hour is written twice (``02:00``, ``02:00``, or ``02:00, 02:30, 02:00, 02:30`` for half
hours), and when they go forward an hour is missing. Read as they are, the repeated hour
was refused as duplicated timestamps. Where the file runs in time order at a regular step,
except for such changes at night on Sundays (when Europe and North America change their
clocks), the steps are read in file order as consecutive, and each timestamp before a
change is shifted by the hour the clocks moved: the times after the last change, and the
forecasts after them, are the local times the file shows (said in a note). Timestamps
with their UTC offset (``02:00+02:00``, then ``02:00+01:00``) need none of this (see
:func:`._input._across_offsets`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["across_clock_changes"]

_HOUR = pd.Timedelta(hours=1)


def across_clock_changes(stamps: pd.Series, notes: list[str]) -> pd.Series:
    """``stamps`` (in file order) on one regular clock where they are local times across
    daylight saving changes (see the module docstring), said in ``notes``; else as they are."""
    if len(stamps) < 3 or not pd.api.types.is_datetime64_any_dtype(stamps.dtype) or stamps.dt.tz is not None:
        return stamps
    steps = stamps.diff().iloc[1:]
    step = steps.mode().iloc[0]
    if not pd.Timedelta(0) < step <= _HOUR:
        return stamps
    back, forward = (steps == step - _HOUR).to_numpy(), (steps == step + _HOUR).to_numpy()
    changed = back | forward
    if not changed.any() or not (steps[~changed] == step).all():
        return stamps
    before = stamps.iloc[:-1][changed]
    if not ((before.dt.day_of_week == 6) & (before.dt.hour < 4)).all():  # Sunday nights only
        return stamps
    # the changes after each row, counted back from the end: the last stretch keeps its times
    after = np.concatenate([np.cumsum((back.astype(int) - forward.astype(int))[::-1])[::-1], [0]])
    notes.append(f"timestamps in local clock time across {int(changed.sum())} daylight saving change(s) "
                 f"(the first on {before.iloc[0]:%Y-%m-%d}: an hour {'written twice' if back[changed][0] else 'missing'}"
                 "): read in file order at a regular step, the times before each change shifted by its hour; the "
                 "last ones, and the forecasts, are local times.")
    return stamps - after * _HOUR
