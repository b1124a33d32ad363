"""A weighted average of the network's forecast and the linear map's (``blend_linear=True``).

With ``scaling="last"`` (or any scaling whose network forecasts on its own) the network
and the closed-form linear map of :func:`~.scaling.fit_linear_map` are different models of
the same windows, and their errors are far from equal: averaging two such forecasts is
the oldest gain of forecast combination (Bates and Granger, 1969). On ETTh1's validation
rows (``benchmarks/ltsf.py``, the SegRNN-like network) the average was below both
(``reports/ltsf.md``); a network trained to *correct* the map (``scaling="linear"``) is
shrunk toward it by :mod:`.fallback` instead, a different rule.

The weight is chosen on the chronological validation tail of the training windows: the
map is fitted on the windows before the tail, every weight of :data:`BLEND_WEIGHTS` is
scored on it (in the training loss's terms: squared errors for ``loss="mse"``, absolute
otherwise), and the best weight is kept only when its gain over the map alone is clear
(:func:`~.trials.clearly_positive`, blocks of one horizon); else the weight is 0, the map
alone. The map used to forecast is then refitted on all the training windows. Only the
windows given to ``fit`` are read.
"""

from __future__ import annotations

import numpy as np

from .scaling import fit_linear_map, linear_forecast
from .trials import clearly_positive, tail_block

__all__ = ["BLEND_WEIGHTS", "blend_linear_map", "blend_with_map"]

#: Weights tried on the network's forecast (the map's is one minus it).
BLEND_WEIGHTS = (0.0, 0.25, 0.5, 0.75, 1.0)


def blend_linear_map(network_tail: np.ndarray, X: np.ndarray, y: np.ndarray, target_features, n_tail: int,
                     block: int = 1, squared: bool = True) -> tuple[float, np.ndarray, dict[float, float]]:
    """The network's weight, the map's weights ``(L, H)`` on all windows, and the tail's errors.

    Parameters
    ----------
    network_tail : ndarray of shape (n_tail, H, K)
        The network's forecasts of the last ``n_tail`` windows, in the units of ``y``.
    X : ndarray of shape (n, L, F)
        Training windows, in time order.
    y : ndarray of shape (n, H, K)
    target_features : sequence of int
        The features of ``X`` holding each target's past.
    n_tail : int
        Windows at the end held out as the validation tail (at least 1).
    block : int, default=1
        Consecutive tail rows sharing target values (one horizon of windows).
    squared : bool, default=True
        Score squared errors (else absolute ones).

    Returns
    -------
    weight : float
        In :data:`BLEND_WEIGHTS`; 0 is the map alone.
    weights : ndarray of shape (L, H)
        The map fitted on every window of ``X``.
    errors : dict
        Mean tail error per tried weight (keys: the weight as text, "0.25").

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.cumsum(rng.normal(size=400))
    >>> X = np.stack([x[i : i + 8] for i in range(390)])[..., None]
    >>> y = np.stack([x[i + 8 : i + 10] for i in range(390)])[..., None]
    >>> truth = y[-80:]
    >>> blend_linear_map(truth + 5.0, X, y, (0,), 80)[0]  # a network far off: the map alone
    0.0
    >>> blend_linear_map(truth, X, y, (0,), 80)[0]  # a perfect one: the network alone
    1.0
    """
    n_fit = len(X) - n_tail
    linear = linear_forecast(X[n_fit:], fit_linear_map(X[:n_fit], y[:n_fit], target_features), target_features)
    error = np.square if squared else np.abs
    per_window = {w: error(y[n_fit:] - (w * network_tail + (1.0 - w) * linear)).mean(axis=(1, 2))
                  for w in BLEND_WEIGHTS}
    best = min(BLEND_WEIGHTS, key=lambda w: per_window[w].mean())
    clear = best > 0 and clearly_positive(per_window[0.0] - per_window[best], tail_block(block, n_tail))
    errors = {f"{w:g}": float(e.mean()) for w, e in per_window.items()}
    return (float(best) if clear else 0.0), fit_linear_map(X, y, target_features), errors


def blend_with_map(pred: np.ndarray, X: np.ndarray, weights: np.ndarray, target_features, weight: float,
                   median_index: int = 0) -> np.ndarray:
    """``weight * pred + (1 - weight) *`` the map's forecast of ``X``; ``pred`` is
    ``(n, H, K)``, or carries a trailing axis of quantiles: then the median (at
    ``median_index``) is blended and every quantile moves with it, so the bands keep their
    width (blending each quantile scaled the widths by ``weight``: none at weight 0).

    >>> X = np.ones((1, 3, 1)); pred = np.full((1, 2, 1), 3.0)
    >>> blend_with_map(pred, X, np.zeros((3, 2)), (0,), 0.25).ravel().tolist()  # the map: the last value, 1
    [1.5, 1.5]
    >>> bands = np.stack([pred - 1, pred, pred + 1], axis=-1)
    >>> blend_with_map(bands, X, np.zeros((3, 2)), (0,), 0.0, median_index=1)[0, 0, 0].tolist()
    [0.0, 1.0, 2.0]
    """
    if weight >= 1.0:
        return pred
    linear = linear_forecast(X, weights, target_features)
    if pred.ndim == linear.ndim + 1:
        median = pred[..., median_index]
        return pred + ((weight - 1.0) * median + (1.0 - weight) * linear)[..., None]
    return weight * pred + (1.0 - weight) * linear
