"""Channel modes of :class:`~tsforecast.models.EncoderDecoderLSTM`: how a window of several
target variables reaches the network.

``"joint"`` reads all variables of a window as the features of one recurrent state (the
classic multivariate encoder). ``"independent"`` applies one shared network to each
target channel as its own univariate series, its window holding that channel's past and
every covariate (non-target) feature: the channel independence of PatchTST (Nie et al.,
ICLR 2023, "A Time Series is Worth 64 Words") and SegRNN (Lin et al., 2023), which the
long-horizon benchmarks (ETT, Weather, Electricity) found more accurate than mixing the
channels, because it multiplies the training windows by the number of channels and
cannot overfit cross-channel noise. ``"auto"`` fits both briefly on the earlier training
windows and keeps the one with the lower error on the chronological validation tail.

Stacked windows are ordered window by window (all channels of window 0, then of window
1, ...), so the latest stacked rows are the latest windows of every channel: the
estimator's chronological validation tail stays chronological. This is the layout of
``X.transpose(0, 2, 1).reshape(-1, n_steps_in, 1)`` done by hand.
"""

from __future__ import annotations

import numpy as np

from .trials import TRIAL_SAMPLES, tail_length, trial_error

__all__ = ["CHANNELS", "choose_channels", "from_channels", "to_channels"]

#: Accepted values of ``EncoderDecoderLSTM(channels=...)``.
CHANNELS = ("auto", "independent", "joint")


def to_channels(X: np.ndarray, target_features) -> np.ndarray:
    """Windows ``(n, T, F)`` as one univariate window per target channel, ``(n * K, T, 1 + C)``.

    Row ``i * K + k`` holds target ``k``'s past (feature ``target_features[k]``) first,
    then the ``C`` covariate features (those not in ``target_features``) in their order.

    Examples
    --------
    >>> X = np.arange(12.0).reshape(1, 4, 3)  # features 0, 1 are targets, 2 a covariate
    >>> to_channels(X, (0, 1))[:, :, 0].tolist(), to_channels(X, (0, 1))[:, :, 1].tolist()
    ([[0.0, 3.0, 6.0, 9.0], [1.0, 4.0, 7.0, 10.0]], [[2.0, 5.0, 8.0, 11.0], [2.0, 5.0, 8.0, 11.0]])
    """
    targets = list(target_features)
    covariates = [f for f in range(X.shape[2]) if f not in targets]
    n, steps, k = X.shape[0], X.shape[1], len(targets)
    own = X[:, :, targets].transpose(0, 2, 1)[..., None]  # (n, K, T, 1)
    if covariates:
        shared = np.broadcast_to(X[:, None, :, covariates], (n, k, steps, len(covariates)))
        own = np.concatenate([own, shared], axis=-1)
    return own.reshape(n * k, steps, own.shape[-1])


def targets_to_channels(y: np.ndarray) -> np.ndarray:
    """Targets ``(n, H, K)`` in the row order of :func:`to_channels`: ``(n * K, H, 1)``."""
    return y.transpose(0, 2, 1).reshape(-1, y.shape[1], 1)


def from_channels(pred: np.ndarray, n_targets: int) -> np.ndarray:
    """Predictions ``(n * K, H, 1, Q)`` of stacked windows back to ``(n, H, K, Q)``."""
    n = pred.shape[0] // n_targets
    return pred[:, :, 0].reshape(n, n_targets, pred.shape[1], pred.shape[-1]).transpose(0, 2, 1, 3)


def choose_channels(model, p: dict, X: np.ndarray, y: np.ndarray, target_features, seed: int
                    ) -> tuple[str, dict[str, float]]:
    """The channel mode of one fit, and the validation error of each candidate tried.

    ``channels="auto"`` with several targets whose past is in the inputs: a short fit of
    each mode (:data:`~.trials.TRIAL_EPOCHS` epochs on at most
    :data:`~.trials.TRIAL_SAMPLES` samples, windows x channels, of the windows *before*
    the validation tail), scored by :func:`~.trials.trial_error` on the tail; ties keep
    ``"joint"``. Only ``X`` and ``y`` are read, so nothing after the
    training data shapes the choice. With one target both modes are the same network
    (``"joint"``, nothing tried); without the targets' past (``target_features`` None)
    only ``"joint"`` is possible.
    """
    if p["channels"] != "auto":
        return p["channels"], {}
    n_targets = y.shape[2]
    n_val = tail_length(len(X), p["validation_fraction"])
    if n_targets < 2 or target_features is None or n_val < 1:
        return "joint", {}
    scores = {mode: trial_error(model, {"channels": mode}, X, y, n_val, seed,
                                TRIAL_SAMPLES // (n_targets if mode == "independent" else 1))
              for mode in ("joint", "independent")}
    return ("independent" if scores["independent"] < scores["joint"] else "joint"), scores
