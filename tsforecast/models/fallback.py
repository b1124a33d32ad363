"""Never worse than its own reference without saying so.

With ``scaling="seasonal"`` (or ``"linear"``) the network learns corrections to a
reference forecast (the seasonal naive of each window, the naive one for a season of 1,
or the linear map): an output of 0 *is* the reference. After training,
:func:`shrinkage_on_tail` compares the network with that reference on the chronological
validation tail of the training windows, in the scaled units the loss is computed in
(per window, the error divided by the window's mean absolute seasonal difference:
MASE-like, so series of every scale weigh alike).

The reference is the default, and the network must earn its place: its corrections are
kept (factor 1) only when their gain over the reference on the tail is more than noise
(:func:`~.trials.clearly_positive`: two standard errors of the means over blocks of one
horizon of tail windows, which share target rows). Otherwise the factor of
:data:`SHRINKAGES` with the lowest tail error is taken if *its* gain is clear, else 0:
the reference itself. The estimator records it (``shrinkage_``, ``fallback_``,
``reference_``) and warns. The bar is deliberately a clear gain, not a lower mean: the
same tail chose the early-stopping epoch, so a plain comparison favours the network
(on the half-hourly load of ``datasets/synthetic_load.py`` networks that were 9-14%
better than the seasonal naive on the tail, by less than two standard errors, were
50-95% worse on the next day).
"""

from __future__ import annotations

import numpy as np

from .trials import clearly_positive, tail_block

__all__ = ["SHRINKAGES", "reference_name", "shrinkage_on_tail"]

#: Factors tried on the network's corrections when they do not clearly beat their reference.
SHRINKAGES = (0.0, 0.25, 0.5, 0.75)


def reference_name(scaling: str, season_length: int) -> str:
    """What a ``scaling`` with corrections corrects, in words (``reference_``).

    Examples
    --------
    >>> reference_name("seasonal", 336), reference_name("seasonal", 1), reference_name("linear", 24)
    ('seasonal naive (season 336)', 'naive (last value)', 'linear map of the training windows')
    """
    if scaling == "linear":
        return "linear map of the training windows"
    return "naive (last value)" if season_length <= 1 else f"seasonal naive (season {season_length})"


def shrinkage_on_tail(corrections: np.ndarray, targets: np.ndarray, block: int = 1) -> tuple[float, dict[str, float]]:
    """Factor on the network's corrections (1.0: kept as trained) and the tail's errors.

    Parameters
    ----------
    corrections : ndarray of shape (n, H, K)
        The network's point outputs on the validation tail, in time order, in scaled
        units (deviations from the reference forecast).
    targets : ndarray of shape (n, H, K)
        The tail's targets in the same units (the reference's errors).
    block : int, default=1
        Consecutive tail rows that share target values (one horizon of windows); the
        gains are compared over blocks of that many rows, at least four blocks.

    Returns
    -------
    shrinkage : float
    errors : dict
        Mean absolute error in scaled units of ``"network"`` and ``"reference"``, and of
        ``"shrunk"`` when a factor below 1 was chosen.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.normal(size=(40, 2, 1))
    >>> shrinkage_on_tail(0.9 * y, y)[0]  # removes most of the reference's error
    1.0
    >>> shrinkage_on_tail(-y, y)[0]  # doubles it
    0.0
    >>> shrinkage_on_tail(0.3 * y + rng.normal(size=y.shape), y)[0]  # mostly noise
    0.0
    """
    reference = np.abs(targets).mean(axis=(1, 2))
    block = tail_block(block, len(targets))
    tried = {a: np.abs(targets - a * corrections).mean(axis=(1, 2)) for a in (*SHRINKAGES[1:], 1.0)}
    errors = {"network": float(tried[1.0].mean()), "reference": float(reference.mean())}
    if clearly_positive(reference - tried[1.0], block):
        return 1.0, errors
    best = min(SHRINKAGES[1:], key=lambda a: tried[a].mean())
    chosen = best if clearly_positive(reference - tried[best], block) else 0.0
    errors["shrunk"] = float(tried[chosen].mean()) if chosen else errors["reference"]
    return float(chosen), errors
