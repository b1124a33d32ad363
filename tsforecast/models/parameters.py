"""The parameters of :class:`~tsforecast.models.EncoderDecoderLSTM`, declared.

:data:`PARAMETERS` holds one constraint per constructor argument (the estimator's
``_parameter_constraints``), checked by the one validator
:func:`tsforecast.core.params.validate_params` first in ``fit``; :func:`check_combinations`
then refuses the settings that do not go together, and :func:`resolve_target_features`
checks ``target_features`` against the shapes seen in ``fit``.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np

from ..core.params import Boolean, Check, Integer, Options, Real, Unchecked
from ..core.validation import check_float, check_int
from ..exceptions import InputTypeError, InvalidParameterError, TsForecastWarning
from .channels import CHANNELS
from .scaling import SCALINGS

__all__ = ["DECODERS", "LOSSES", "PARAMETERS", "check_combinations", "resolve_target_features",
           "resolve_segment_length", "warn_mostly_padding"]

DECODERS = ("repeat", "parallel", "dense", "feedback")
LOSSES = ("mse", "mae", "huber")


def _segment_length(value, name: str) -> int | str | None:
    if isinstance(value, str):
        if value != "auto":
            raise InvalidParameterError(f"{name} must be a positive int, 'auto' or None; got {value!r}.")
        return "auto"
    return check_int(value, name, minimum=1, allow_none=True)


def _quantiles(value, name: str) -> tuple[float, ...] | None:
    if value is None:
        return None
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence | np.ndarray) or len(value) == 0:
        raise InvalidParameterError(f"{name} must be None or a non-empty sequence of levels in (0, 1); got {value!r}.")
    levels = tuple(check_float(v, name, minimum=0, maximum=1, include_minimum=False, include_maximum=False)
                   for v in value)
    if any(b <= a for a, b in zip(levels, levels[1:])):
        raise InvalidParameterError(f"{name} must be strictly increasing; got {value!r}.")
    return levels


def _jit_compile(value, name: str) -> bool | str:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, str) and value == "auto":
        return value
    raise InvalidParameterError(f"{name} must be True, False or 'auto'; got {value!r}.")


def _distribute_strategy(value, name: str):
    if value is None:
        return None
    import tensorflow as tf  # only when a strategy is given: a strategy means TensorFlow is in use

    if not isinstance(value, tf.distribute.Strategy):
        raise InputTypeError(f"{name} must be a tf.distribute.Strategy or None; got {value!r} of type "
                             f"{type(value).__name__}.")
    return value


def _verbose(value, name: str) -> int:
    return check_int(int(value) if isinstance(value, bool) else value, name, minimum=0, maximum=2)


#: ``EncoderDecoderLSTM._parameter_constraints``, in the constructor's order.
PARAMETERS = {
    "units": Integer(minimum=1),
    "n_layers": Integer(minimum=1),
    "decoder": Options(DECODERS),
    "segment_length": Check(_segment_length),
    "reverse_input": Boolean(),
    "attention": Boolean(),
    "dropout": Real(minimum=0, maximum=1, include_maximum=False),
    "loss": Options(LOSSES),
    "quantiles": Check(_quantiles),
    "epochs": Integer(minimum=1),
    "batch_size": Integer(minimum=1),
    "learning_rate": Real(minimum=0, include_minimum=False),
    "validation_fraction": Real(minimum=0, maximum=1, include_maximum=False),
    "patience": Integer(minimum=1),
    "scaling": Options(("auto",) + SCALINGS),
    "season_length": Integer(minimum=1, allow_none=True),
    "log": Boolean(),
    "target_features": Unchecked("positions of input features: checked in fit against X (resolve_target_features)"),
    "random_state": Unchecked("resolved by check_random_state in fit, whose refusal names it"),
    "verbose": Check(_verbose),
    "jit_compile": Check(_jit_compile),
    "distribute_strategy": Check(_distribute_strategy),
    "warm_start": Boolean(),
    "channels": Options(CHANNELS),
    "search": Boolean(),
    "channel_embedding": Boolean(),
    "learning_rate_decay": Real(minimum=0, maximum=1, include_minimum=False),
    "blend_linear": Boolean(),
}


def check_combinations(p: dict) -> None:
    """Refuse checked parameters ``p`` (by name) that do not go together."""
    if p["segment_length"] not in (None, "auto") and p["decoder"] == "feedback":
        raise InvalidParameterError(
            "decoder='feedback' reads its previous value one step at a time and cannot decode segments; use "
            f"decoder='repeat', 'parallel' or 'dense' with segment_length={p['segment_length']}, or "
            "segment_length=None; got decoder='feedback'."
        )
    if p["attention"] and p["decoder"] == "dense":
        raise InvalidParameterError(
            "attention needs decoder steps to attend from, and decoder='dense' has none; use decoder='repeat' or "
            "'parallel' with attention=True; got decoder='dense'."
        )
    if p["scaling"] == "seasonal" and p["season_length"] is None:
        raise InvalidParameterError(
            "season_length is required with scaling='seasonal' (24 for hourly data with a daily cycle, "
            "1 for none); got None."
        )
    if p["blend_linear"] and not p["validation_fraction"]:
        raise InvalidParameterError(
            "blend_linear=True chooses the network's weight against the linear map on the validation tail, and "
            "validation_fraction=0 leaves none; give validation_fraction > 0 (0.1: the last tenth of the "
            f"windows) or blend_linear=False; got validation_fraction={p['validation_fraction']!r}."
        )
    if p["scaling"] in ("seasonal", "linear") and p["decoder"] == "feedback":
        raise InvalidParameterError(
            f"decoder='feedback' reads its own previous values, but scaling={p['scaling']!r} makes the targets "
            "corrections to a reference forecast; use decoder='repeat' with it; got decoder='feedback'."
        )



def resolve_target_features(given, n_features: int, n_targets: int, p: dict) -> tuple[int, ...] | None:
    """``target_features_``: the input features holding the targets' past (``given``, or
    the first ``n_targets`` features; ``None`` where the inputs do not hold them)."""
    if given is None:
        if n_features >= n_targets:
            return tuple(range(n_targets))
        if p["decoder"] == "feedback" or p["scaling"] in ("window", "mean", "seasonal", "linear", "last"):
            raise InvalidParameterError(
                f"target_features: with {n_features} input feature(s) and {n_targets} target(s), "
                f"decoder={p['decoder']!r} and scaling={p['scaling']!r} need to know which input features "
                "hold the targets' past; pass target_features=[...]; got None."
            )
        return None
    if isinstance(given, (str, bytes)) or not isinstance(given, Sequence | np.ndarray):
        raise InvalidParameterError(f"target_features must be None or a sequence of ints; got {given!r}.")
    try:
        features = tuple(check_int(f, "target_features", minimum=0, maximum=n_features - 1) for f in given)
    except (InvalidParameterError, InputTypeError):
        features = ()
    if len(features) != n_targets or len(set(features)) != len(features):
        raise InvalidParameterError(
            f"target_features must name {n_targets} distinct input feature(s) in 0..{n_features - 1}, "
            f"one per target; got {given!r}."
        )
    return features


#: ``segment_length="auto"`` uses the season when the window holds this many of them.
MIN_SEASONS_PER_WINDOW = 3
#: ... and else segments of about ``n_steps_in / 10`` steps (SegRNN's 5-20 segments).
SEGMENTS_PER_WINDOW = 10


def resolve_segment_length(p: dict, n_steps_in: int) -> int | None:
    """``segment_length_`` of this fit (``segment_length="auto"`` resolved).

    ``"auto"``: the season (``season_length``, whether or not the scaling uses it)
    when the window holds at least three of them, so that a recurrent step reads one
    whole cycle (a day of hourly data); else about ``n_steps_in / 10`` steps (SegRNN's
    5-20 segments); point-wise for the feedback decoder and for windows under 20 steps.
    """
    if p["segment_length"] != "auto":
        warn_mostly_padding(p["segment_length"], n_steps_in)
        return p["segment_length"]
    if p["decoder"] == "feedback":
        return None
    season = p["season_length"] or 1
    if season > 1 and MIN_SEASONS_PER_WINDOW * season <= n_steps_in:
        return season
    length = n_steps_in // SEGMENTS_PER_WINDOW
    return length if length >= 2 else None


def warn_mostly_padding(segment_length: int | None, n_steps_in: int) -> None:
    """A segment longer than the input window is read as one segment whose older part
    is zero padding: legal, but rarely what was meant (a season given for other data)."""
    if segment_length is not None and segment_length > n_steps_in:
        warnings.warn(TsForecastWarning(
            f"segment_length={segment_length} is longer than the input window (n_steps_in={n_steps_in}): the "
            f"encoder reads one segment of which {segment_length - n_steps_in} steps are zero padding; use a "
            f"segment_length of at most {n_steps_in} or a longer window."), stacklevel=4)
