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
windows and keeps ``"independent"`` unless ``"joint"`` is clearly better on the
chronological validation tail (a gain beyond its noise, :func:`joint_clearly_better`).

Stacked windows are ordered window by window (all channels of window 0, then of window
1, ...), so the latest stacked rows are the latest windows of every channel: the
estimator's chronological validation tail stays chronological. This is the layout of
``X.transpose(0, 2, 1).reshape(-1, n_steps_in, 1)`` done by hand.

The shared network cannot tell the channels apart, which is the point (it cannot
overfit one channel's noise), but it also cannot give a channel a behaviour of its own.
``channel_embedding=True`` appends a one-hot of the channel to every step of its
window (:func:`add_channel_ids`), which the first layer turns into a learned vector per
channel, as SegRNN's channel embedding does.
"""

from __future__ import annotations

import numpy as np

from .trials import TRIAL_SAMPLES, clearly_positive, tail_length, trial_window_errors

__all__ = ["CHANNELS", "add_channel_ids", "choose_channels", "from_channels", "joint_clearly_better", "to_channels"]

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


def add_channel_ids(Xs: np.ndarray, n_targets: int) -> np.ndarray:
    """Stacked (scaled) windows ``(n * K, T, F)`` with a one-hot of each row's channel appended: ``(n * K, T, F + K)``.

    The channel embedding of ``EncoderDecoderLSTM(channel_embedding=True)``, SegRNN's
    ``channel_id``: the first layer that reads a step (the segment projection, or the
    LSTM's input kernel point-wise) multiplies the one-hot by a learned matrix, which is a
    learned vector per channel added to what every step contributes. Appended after
    scaling, so no scaler flattens the constant columns.

    Examples
    --------
    >>> add_channel_ids(np.zeros((4, 1, 1)), 2)[:, 0].tolist()  # rows: window 0 channel 0, 1, window 1 ...
    [[0.0, 1.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    """
    n, steps = len(Xs) // n_targets, Xs.shape[1]
    ids = np.broadcast_to(np.eye(n_targets, dtype=Xs.dtype)[None, :, None, :], (n, n_targets, steps, n_targets))
    return np.concatenate([Xs, ids.reshape(n * n_targets, steps, n_targets)], axis=-1)


def choose_channels(model, p: dict, X: np.ndarray, y: np.ndarray, target_features, seed: int
                    ) -> tuple[str, dict[str, float]]:
    """The channel mode of one fit, and the validation error of each candidate tried.

    ``channels="auto"`` with several targets whose past is in the inputs: a short fit of
    each mode (:data:`~.trials.TRIAL_EPOCHS` epochs) on the *same* evenly spaced windows
    before the validation tail (at most :data:`~.trials.TRIAL_SAMPLES` divided by the
    number of targets: the independent trial reads them as that many samples), scored per
    tail window by :func:`~.trials.trial_window_errors`. ``"independent"`` is kept unless
    ``"joint"`` is clearly better on the tail (:func:`joint_clearly_better`). Only ``X`` and
    ``y`` are read, so nothing after the training data shapes the choice. With one target
    both modes are the same network (``"joint"``, nothing tried); without the targets'
    past (``target_features`` None) only ``"joint"`` is possible.
    """
    if p["channels"] != "auto":
        return p["channels"], {}
    n_targets = y.shape[2]
    n_val = tail_length(len(X), p["validation_fraction"])
    if n_targets < 2 or target_features is None or n_val < 1:
        return "joint", {}
    errors = {mode: trial_window_errors(model, {"channels": mode}, X, y, n_val, seed, TRIAL_SAMPLES // n_targets)
              for mode in ("joint", "independent")}
    scores = {mode: float(e.mean()) for mode, e in errors.items()}
    joint = joint_clearly_better(errors["independent"] - errors["joint"], y.shape[1])
    return ("joint" if joint else "independent"), scores


def joint_clearly_better(gain: np.ndarray, horizon: int) -> bool:
    """Whether the joint mode's lower error on the tail is more than noise.

    ``gain`` is, per tail window in time order, the independent trial's error minus the
    joint one's. Windows closer than ``horizon`` share target rows, so the gains are
    averaged over blocks of ``horizon`` consecutive windows and the joint mode must win by
    more than two standard errors of the block means (:func:`~.trials.clearly_positive`).
    Otherwise the independent mode is kept: the long-horizon benchmarks found it the more
    accurate (PatchTST, SegRNN, DLinear), and a short trial under-states it, since its
    full fit trains on every window once per channel.

    Examples
    --------
    >>> joint_clearly_better(np.r_[np.full(4, 0.5), np.full(4, 0.6)], horizon=4)
    True
    >>> joint_clearly_better(np.r_[np.full(4, 0.5), np.full(4, -0.4)], horizon=4)
    False
    """
    return clearly_positive(gain, horizon)
