"""Which way each forecast metric is better: lower, or closest to a target.

A backtest ranks models and computes skill by each metric's orientation: most metrics are
better lower, coverage is better closest to the interval's nominal level (``coverage_80``:
0.8). Kept apart from the metrics themselves (:mod:`tsforecast.core.metrics`, which
re-exports these names), since ranking and reports need only this.
"""

from __future__ import annotations

import numpy as np

from ..exceptions import InvalidParameterError

__all__ = ["ORIENTATIONS", "orientation", "distance_from_best"]

#: How each metric reads: ``"lower"`` is better, or ``"target"``: closest to a nominal
#: value is better (coverage, whose target is the interval's nominal level). Names are
#: the functions' and a backtest's columns (``width``, ``pinball``; a level suffix such
#: as ``coverage_80`` names the nominal level in percent).
ORIENTATIONS = {
    "mae": "lower", "rmse": "lower", "mape": "lower", "smape": "lower", "mase": "lower", "owa": "lower",
    "pinball": "lower", "pinball_loss": "lower", "width": "lower", "interval_width": "lower",
    "interval_score": "lower", "msis": "lower", "acd": "lower", "coverage": "target",
}


def orientation(name: str, target: float | None = None) -> tuple[str, float | None]:
    """How metric ``name`` reads: ``("lower", None)`` or ``("target", t)``.

    Parameters
    ----------
    name : str
        A metric name of :data:`ORIENTATIONS`, optionally with a level suffix in
        percent (``"coverage_80"``: target 0.8).
    target : float, optional
        The target of a ``"target"`` metric without a level suffix (``"coverage"`` of a
        quantile band: the share between its lowest and highest quantile).

    Raises
    ------
    InvalidParameterError
        If ``name`` is no known metric, or a target metric has no target.

    Examples
    --------
    >>> orientation("mase"), orientation("coverage_80"), orientation("width_95")
    (('lower', None), ('target', 0.8), ('lower', None))
    """
    base, _, suffix = str(name).rpartition("_")
    level = _level_suffix(suffix, name) if base in ORIENTATIONS else None
    if level is None:
        base = str(name)
    direction = ORIENTATIONS.get(base)
    if direction is None:
        raise InvalidParameterError(f"metric must be one of {sorted(ORIENTATIONS)!r} (optionally with a level "
                                    f"suffix such as '_80'); got {name!r}.")
    if direction == "lower":
        return direction, None
    target = level / 100 if level is not None else target
    if target is None:
        raise InvalidParameterError(f"metric {name!r} is read by its distance to a target; none was given.")
    return direction, float(target)


def _level_suffix(suffix: str, name) -> float | None:
    """A name's level suffix in percent (None: no number); refused if no level (``nan``)."""
    try:
        level = float(suffix)
    except ValueError:
        return None
    if not (np.isfinite(level) and 0 < level < 100):
        raise InvalidParameterError(f"metric {name!r} has the level suffix {suffix!r}; a level is a percent in "
                                    "(0, 100), as in 'coverage_80'.")
    return level


def distance_from_best(name: str, scores, target: float | None = None) -> np.ndarray:
    """Scores of metric ``name`` turned into "lower is better" (NaN kept): the scores
    themselves, or for a target metric their absolute distance to the target.

    Examples
    --------
    >>> distance_from_best("coverage_80", [0.125, 0.875, 0.8]).round(3).tolist()
    [0.675, 0.075, 0.0]
    """
    direction, target = orientation(name, target)
    values = np.asarray(scores, dtype=np.float64)
    return values if direction == "lower" else np.abs(values - target)
