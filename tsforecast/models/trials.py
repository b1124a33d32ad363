"""Short trial fits scored on the chronological validation tail of the training windows.

The choices ``EncoderDecoderLSTM`` makes on the data in ``fit`` (:mod:`.channels`,
:mod:`.selection`) compare candidates the same way: a clone with the candidate's
parameters is trained for :data:`TRIAL_EPOCHS` epochs (no early stopping) on evenly
spaced windows *before* the tail, at most :data:`TRIAL_SAMPLES` of them and at most a
quarter, then forecasts the tail, the latest windows. Each candidate costs a few
percent of a full fit, so trying a handful does not multiply the fit time by their
number. Only the ``X`` and ``y`` given
to ``fit`` are read: nothing after the training data can shape a choice.
"""

from __future__ import annotations

import numpy as np

from ..core.fallbacks import unrecorded_fallbacks
from ..core.silencing import silenced

__all__ = ["TRIAL_EPOCHS", "TRIAL_SAMPLES", "clearly_positive", "tail_block", "tail_length", "trial_error",
           "trial_window_errors"]

#: Epochs of each trial fit (at most the model's own ``epochs``).
TRIAL_EPOCHS = 5
#: Samples a trial fit trains on.
TRIAL_SAMPLES = 2048
#: A trial reads at most one in this many windows before the tail (and at least
#: ``_MIN_TRIAL_WINDOWS``): on small data, too, a trial costs a fraction of a full fit.
_TRIAL_SHARE = 4
_MIN_TRIAL_WINDOWS = 32
#: Standard errors by which a candidate must beat the default on the tail to replace it.
_EVIDENCE = 2.0
#: Blocks a tail is cut into at least when a gain is judged (:func:`tail_block`).
_MIN_BLOCKS = 4
#: Validation tail used for choices when the model keeps none (``validation_fraction=0``).
_CHOICE_FRACTION = 0.1


def tail_length(n: int, validation_fraction: float) -> int:
    """Windows of the tail the choices are scored on (at least two are left to train on)."""
    return min(int(np.floor(n * (validation_fraction or _CHOICE_FRACTION))), n - 2)


def tail_block(block: int, n_tail: int) -> int:
    """Windows per block of :func:`clearly_positive` on a tail of ``n_tail`` windows: ``block``
    (one horizon's windows, which share target rows), but at most a quarter of the tail, so
    that a tail shorter than a few horizons still decides, on blocks sharing some rows.

    >>> tail_block(48, 264), tail_block(48, 40), tail_block(12, 2)
    (48, 10, 1)
    """
    return max(1, min(block, n_tail // _MIN_BLOCKS))


def _subsample(n: int, size: int) -> np.ndarray:
    """``size`` evenly spaced positions out of ``n`` (all of them when ``size >= n``)."""
    if size >= n:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max(size, 1)).round().astype(np.int64))


def trial_window_errors(model, params: dict, X: np.ndarray, y: np.ndarray, n_val: int, seed: int,
                        samples: int = TRIAL_SAMPLES, input_steps: int | None = None) -> np.ndarray:
    """Validation-tail error of each tail window after a short fit of ``model`` with ``params`` set.

    ``X (n, T, F)`` and ``y (n, H, K)`` are the training windows; the last ``n_val`` are the
    tail. With ``input_steps``, the trial reads only the latest ``input_steps`` steps of
    each window. A window's error is the mean over targets of its mean absolute error
    divided by the target's standard deviation over the windows before the tail
    (scale-free), shape ``(n_val,)``.
    """
    n = len(X)
    rows = _subsample(n - n_val, min(samples, max((n - n_val) // _TRIAL_SHARE, _MIN_TRIAL_WINDOWS)))
    steps = input_steps or X.shape[1]
    # a trial compares networks under the settings the full fit will use: no tail to blend on,
    # and no search of its own (a channel trial with search=True ran five nested trials each)
    trial = model.__sklearn_clone__().set_params(**{
        "search": False, **params, "epochs": min(model.epochs, TRIAL_EPOCHS), "validation_fraction": 0.0,
        "random_state": seed, "warm_start": False, "verbose": 0, "blend_linear": False})
    # a short trial may lose to its reference: the full fit will tell
    with silenced(), unrecorded_fallbacks():
        trial.fit(X[rows, -steps:], y[rows])
    pred = np.asarray(trial.predict(X[n - n_val:, -steps:])).reshape(y[n - n_val:].shape)
    spread = y[: n - n_val].std(axis=(0, 1))
    spread = np.where(spread > 0, spread, 1.0)
    return (np.abs(y[n - n_val:] - pred).mean(axis=1) / spread).mean(axis=1)


def trial_error(model, params: dict, X: np.ndarray, y: np.ndarray, n_val: int, seed: int,
                samples: int = TRIAL_SAMPLES, input_steps: int | None = None) -> float:
    """Mean over the tail of :func:`trial_window_errors`."""
    return float(trial_window_errors(model, params, X, y, n_val, seed, samples, input_steps).mean())


def clearly_positive(gain: np.ndarray, block: int) -> bool:
    """Whether a candidate's gain on the tail over the default is more than noise.

    ``gain`` holds, per tail window in time order, the default's error minus the
    candidate's. Windows closer than the horizon share target rows, so the gains are
    averaged over blocks of ``block`` consecutive windows, and their mean must exceed
    :data:`_EVIDENCE` standard errors of the block means (at least two blocks).

    Examples
    --------
    >>> clearly_positive(np.r_[np.full(4, 0.5), np.full(4, 0.6)], block=4)
    True
    >>> clearly_positive(np.r_[np.full(4, 0.5), np.full(4, -0.4)], block=4)
    False
    """
    blocks = gain[: len(gain) // block * block].reshape(-1, block).mean(axis=1)
    if len(blocks) < 2:
        return False
    return bool(blocks.mean() > _EVIDENCE * blocks.std(ddof=1) / np.sqrt(len(blocks)))
