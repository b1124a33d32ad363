"""The Diebold-Mariano tests of a backtest's models against a reference
(:meth:`~tsforecast.backtesting.result.BacktestResult.compare`): which step losses
each test pairs, on which (series, fold) cells, and the lag window of its long-run
variance. Arrays in, a table out: no loop over series."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..exceptions import InvalidParameterError
from ._arrays import QUADRATIC, combine_steps
from .significance import diebold_mariano

__all__ = ["CELLS", "check_cells", "lag_window", "step_lag_window", "shared_cells", "compare_table"]

#: What ``compare`` pairs: the cells all models scored (those ``summary`` ranks and
#: computes skill on, where they differ), or the cells both models of a test scored.
CELLS = ("shared", "pair")


def check_cells(cells) -> str:
    """``cells`` if it is one of :data:`CELLS`; else an error naming it and the value."""
    if not isinstance(cells, str) or cells not in CELLS:
        raise InvalidParameterError(f"cells must be one of {list(CELLS)!r}; got {cells!r}.")
    return cells


def lag_window(info: dict, n_steps: int) -> int:
    """``h`` of the pooled tests: the horizon; where cutoffs are closer than the last
    scored step (``gap + horizon``: the errors of forecasts from cutoffs that close share
    innovations), the horizon times the number of cutoffs such a step reaches back over,
    so that the lags cover the losses of neighbouring cutoffs (left out, they made
    p-values far too small: p = 4e-25 on 48 losses; with ``gap`` 6 ignored, 11% of
    equally good forecasts were "significant" at 5%)."""
    h = int(info.get("horizon", max(n_steps, 1)))
    reach = h + int(info.get("gap", 0) or 0)
    spacing = int(info.get("step", h) or h)
    return h * -(-reach // spacing) if 0 < spacing < reach else h


def step_lag_window(info: dict, horizon_step: int) -> int:
    """``h`` of the test of one step: the number of cutoffs a ``horizon_step``-ahead
    forecast overlaps (the step counts from the cutoff, gap included)."""
    spacing = int(info.get("step", 1) or 1)
    return max(1, -(-horizon_step // spacing))


def shared_cells(scores, metric: str, models: list) -> np.ndarray | None:
    """``[series, fold]``: the cells where every one of ``models`` has a score of
    ``metric``, as ``summary`` finds them; None where they all scored the same cells
    (each pair's cells are then these) or share none (``summary`` then ranks each model
    on its own cells, and each test pairs the cells both of its models scored)."""
    positions = {str(label): i for i, label in enumerate(scores.models)}
    scored = [np.isfinite(combine_steps(scores.metric(metric, positions[str(m)]), metric))
              for m in models if str(m) in positions]
    if not scored:
        return None
    shared = np.logical_and.reduce(scored)
    if not shared.any() or all(np.array_equal(own, shared) for own in scored):
        return None
    return shared


def compare_table(scores, models: list, reference: str, metric: str, steps: slice, h: int,
                  cells: np.ndarray | None) -> pd.DataFrame:
    """The table of ``compare``: each model of ``models`` tested against ``reference`` on
    the step losses of ``steps`` at the cells both scored, within ``cells``
    (``[series, fold]``) where given."""
    positions = {str(label): i for i, label in enumerate(scores.models)}
    n_steps = len(scores.steps[steps])
    size = len(scores.series) * len(scores.folds) * n_steps
    within = np.ones(size, dtype=bool) if cells is None else np.repeat(cells.ravel(), n_steps)

    def losses(model) -> np.ndarray:
        """Per series, fold and step in that order (series, then cutoff, then step)."""
        m = positions.get(str(model))
        if m is None:
            return np.full(size, np.nan)
        values = scores.metric(metric, m)[..., steps]
        return (values**2 if metric in QUADRATIC else values).ravel()

    ref = losses(reference)
    rows = {}
    for model in models:
        if model == reference:
            continue
        own = losses(model)
        both = np.isfinite(own) & np.isfinite(ref) & within
        if both.sum() < 2:
            rows[model] = (np.nan, np.nan, np.nan, int(both.sum()))
            continue
        test = diebold_mariano(own[both], ref[both], h=h)
        rows[model] = (test.statistic, test.p_value, test.mean_difference, test.n)
    out = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "p_value", "mean_difference", "n"])
    out.index.name = "model"
    out["n"] = out["n"].astype(int)
    return out
