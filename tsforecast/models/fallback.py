"""Never worse than its own reference without saying so.

With ``scaling="seasonal"`` the network learns corrections to a reference forecast (the
seasonal naive of each window, or the naive one for a season of 1): an output of 0 *is*
the reference. After training, :func:`shrinkage_on_tail` compares the network with that
reference on the chronological validation tail of the training windows, in the scaled
units the loss is computed in (per window, the error divided by the window's mean
absolute seasonal difference: MASE-like, so series of every scale weigh alike). When the
network's error is not below the reference's, its corrections are shrunk toward the
reference by the factor of :data:`SHRINKAGES` with the lowest error on the tail (0: the
reference itself), and the estimator records it (``shrinkage_``, ``fallback_``) and
warns. The same tail also chose the early-stopping epoch, so the check favours the
network: it fires only where training found nothing to learn.
"""

from __future__ import annotations

import numpy as np

__all__ = ["SHRINKAGES", "shrinkage_on_tail"]

#: Factors tried on the network's corrections when it does not beat its reference.
SHRINKAGES = (0.0, 0.25, 0.5, 0.75)


def shrinkage_on_tail(corrections: np.ndarray, targets: np.ndarray) -> tuple[float, dict[str, float]]:
    """Factor on the network's corrections (1.0: kept as trained) and the tail's errors.

    Parameters
    ----------
    corrections : ndarray of shape (n, H, K)
        The network's point outputs on the validation tail, in scaled units (deviations
        from the reference forecast).
    targets : ndarray of shape (n, H, K)
        The tail's targets in the same units (the reference's errors).

    Returns
    -------
    shrinkage : float
    errors : dict
        Mean absolute error in scaled units of ``"network"`` and ``"reference"``, and of
        ``"shrunk"`` when a factor below 1 was chosen.

    Examples
    --------
    >>> y = np.array([[[1.0], [-1.0]]])
    >>> shrinkage_on_tail(np.array([[[0.5], [-0.5]]]), y)[0]  # halves the reference's error
    1.0
    >>> shrinkage_on_tail(np.array([[[-1.0], [1.0]]]), y)[0]  # worse than the reference
    0.0
    """
    network = float(np.abs(targets - corrections).mean())
    reference = float(np.abs(targets).mean())
    errors = {"network": network, "reference": reference}
    if network < reference:
        return 1.0, errors
    tried = {a: float(np.abs(targets - a * corrections).mean()) for a in SHRINKAGES}
    best = min(tried, key=tried.get)
    errors["shrunk"] = tried[best]
    return float(best), errors
