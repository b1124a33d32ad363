"""Running Keras for :class:`~tsforecast.models.EncoderDecoderLSTM`: seeding, building and
compiling the networks, training with early stopping on the chronological tail, and
predicting in row blocks that make every window's forecast independent of its place.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time

import numpy as np

from ..exceptions import ShapeMismatchError

__all__ = ["KERAS_LOCK", "seeded", "predict_rows", "carry_weights", "n_validation", "use_xla", "build", "train"]

#: Windows per call of the network when predicting (bounds memory for many windows).
PREDICT_CHUNK = 4096
#: Rows per block that every prediction batch is padded to (see :func:`predict_rows`).
_ROW_BLOCK = 64
_XLA_MIN_STEPS = 500  # gradient steps from which XLA's compile time pays off on CPU
#: Epochs at the full learning rate before ``learning_rate_decay`` applies (SegRNN's "type3").
_CONSTANT_EPOCHS = 3

#: One Keras fit (seeding, building, training) or prediction at a time per process.
#: Seeding sets process-wide state (Python's, NumPy's and TensorFlow's global seeds and
#: TensorFlow's op-seed counter, from which Keras draws each epoch's shuffle): fits in
#: parallel threads (a multi-threaded Dask worker) would otherwise draw from each
#: other's streams and give forecasts that depend on task placement. Re-entrant, so a
#: model may be fitted inside another's lock (an ensemble of members).
KERAS_LOCK = threading.RLock()


@contextlib.contextmanager
def seeded(seed: int):
    """Seed Python, NumPy, TensorFlow and Keras for one fit, then give Python's and
    NumPy's global generators back their previous state (TensorFlow's global seed stays
    set: it has no public getter)."""
    import keras

    python_state, numpy_state = random.getstate(), np.random.get_state()
    keras.utils.set_random_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)


def _rows_alike(network, X: np.ndarray) -> np.ndarray:
    """``network(X)`` with every row computed alike, whatever its position.

    Matrix kernels treat the rows of a batch in blocks and the leftover rows by another
    code path whose float32 sums can differ in the last bit, so a window's forecast
    would depend on where it sits in the batch (scikit-learn's sample-order check
    catches it). Padding the batch to whole blocks of ``_ROW_BLOCK`` rows sends every
    real row down the blocked path.
    """
    n = len(X)
    padded = -(-n // _ROW_BLOCK) * _ROW_BLOCK
    if padded != n:
        X = np.concatenate([X, np.zeros((padded - n, *X.shape[1:]), dtype=X.dtype)])
    return np.asarray(network(X, training=False))[:n]


def predict_rows(network, Xs: np.ndarray) -> np.ndarray:
    """``network`` on float32 windows ``Xs``, :data:`PREDICT_CHUNK` windows a call.

    Calling the network directly skips ``Model.predict``'s per-model graph tracing.
    """
    return np.concatenate([_rows_alike(network, Xs[i : i + PREDICT_CHUNK]) for i in range(0, len(Xs), PREDICT_CHUNK)])


def carry_weights(previous: list, network) -> None:
    """Give a freshly built ``network`` the weights of the previous fit (``warm_start``),
    or say which weight array no longer fits (index, name and both shapes)."""
    expected = [tuple(w.shape) for w in network.get_weights()]
    found = [tuple(w.shape) for w in previous]
    if expected != found:
        raise ShapeMismatchError(
            f"warm_start=True continues the fitted network, but {_first_difference(expected, found, network)}; "
            "keep the window shapes (n_steps_in, n_steps_out, features) and architecture, or set warm_start=False."
        )
    network.set_weights(previous)  # the training model shares these layers


def _first_difference(expected: list, found: list, network) -> str:
    """The first weight array whose shape differs, in words (the first ones are often the
    same: the encoder's do not depend on n_steps_out)."""
    i = next((k for k, (a, b) in enumerate(zip(expected, found)) if a != b), min(len(expected), len(found)))
    if i == len(expected) or i == len(found):
        return (f"the new data or parameters need {len(expected)} weight arrays where the fitted network has "
                f"{len(found)}")
    name = getattr(network.weights[i], "path", None) or getattr(network.weights[i], "name", "")
    return (f"weight array {i} of {len(expected)} ({name!r}) needs shape {expected[i]} for the new data or "
            f"parameters, the fitted network's has {found[i]}")


def n_validation(n: int, fraction: float) -> int:
    """Windows of the chronological validation tail (at least one window is trained on)."""
    return min(int(np.floor(n * fraction)), n - 1)


def use_xla(p: dict, n_train: int, strategy) -> bool | str:
    """``jit_compile`` of the training step (``"auto"`` resolved; see the estimator)."""
    if p["jit_compile"] != "auto":
        return p["jit_compile"]
    if strategy is not None:
        return False  # Keras' own rule: no XLA with tf.distribute
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU"):
        return "auto"  # Keras decides on accelerators
    steps = p["epochs"] * -(-n_train // p["batch_size"])
    return steps >= _XLA_MIN_STEPS


def build(p: dict, spec, strategy):
    """The compiled training model and the prediction network of ``spec`` (a
    :class:`~tsforecast.models.networks.NetworkSpec`), under ``strategy`` if given."""
    import keras
    import tensorflow as tf

    from .networks import PinballLoss, build_networks

    if tf.config.list_physical_devices("GPU"):
        # GPU kernels (cuDNN) are only reproducible in this mode; CPU ones already are
        tf.config.experimental.enable_op_determinism()
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        train_model, network = build_networks(spec)
        if p["quantiles"] is not None:
            loss = PinballLoss(p["quantiles"])
        else:
            loss = {"mse": keras.losses.MeanSquaredError, "mae": keras.losses.MeanAbsoluteError,
                    "huber": keras.losses.Huber}[p["loss"]]()
        train_model.compile(optimizer=keras.optimizers.Adam(p["learning_rate"]), loss=loss, jit_compile=p["jit"])
    return train_model, network


def train(model, p: dict, Xs: np.ndarray, ys: np.ndarray, forecaster=None) -> tuple[dict[str, list[float]], list[float]]:
    """Train ``model`` on scaled windows, early-stopped on the chronological tail; return
    the loss curves per epoch and the wall time of each epoch.

    ``forecaster`` is the prediction network of a feedback decoder: the training model
    reads the true previous values (teacher forcing), so the tail's loss is that of
    ``forecaster``'s own autoregressive forecasts, the ones ``predict`` makes; the
    teacher-forced loss (5.83 against 5.33 on a probe) chose epochs for another model.
    """
    import keras

    class _EpochTimer(keras.callbacks.Callback):
        """Wall time of every epoch (the first includes tracing the graph)."""

        def on_train_begin(self, logs=None):
            self.seconds = []

        def on_epoch_begin(self, epoch, logs=None):
            self._start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            self.seconds.append(round(time.perf_counter() - self._start, 6))

    n = len(Xs)
    n_val = n_validation(n, p["validation_fraction"])
    target = ys[..., None]  # (n, H, K, 1) against predictions (n, H, K, Q)
    inputs = [Xs, ys] if p["decoder"] == "feedback" else Xs

    def part(a, sl):
        return [v[sl] for v in a] if isinstance(a, list) else a[sl]

    timer = _EpochTimer()
    fit_kwargs = {"epochs": p["epochs"], "batch_size": p["batch_size"], "verbose": p["verbose"], "shuffle": True,
                  "callbacks": [timer]}
    if p["learning_rate_decay"] < 1.0:
        base, decay = p["learning_rate"], p["learning_rate_decay"]
        fit_kwargs["callbacks"].append(keras.callbacks.LearningRateScheduler(
            lambda epoch, rate: float(base * decay ** max(0, epoch - _CONSTANT_EPOCHS + 1))))
    if n_val > 0:
        train_part, val = slice(0, n - n_val), slice(n - n_val, n)
        if forecaster is not None and p["decoder"] == "feedback":
            fit_kwargs["callbacks"].append(_forecast_validation(keras, forecaster, model.loss, Xs[val], target[val]))
        else:
            fit_kwargs["validation_data"] = (part(inputs, val), target[val])
        fit_kwargs["callbacks"].append(
            keras.callbacks.EarlyStopping(monitor="val_loss", patience=p["patience"], restore_best_weights=True)
        )
        inputs, target = part(inputs, train_part), target[train_part]
    history = model.fit(inputs, target, **fit_kwargs)
    return {key: [float(v) for v in values] for key, values in history.history.items()}, timer.seconds


def _forecast_validation(keras, forecaster, loss, X_val: np.ndarray, y_val: np.ndarray):
    """A callback setting each epoch's ``val_loss`` to ``loss`` of ``forecaster`` on the
    tail, before early stopping reads it (callbacks run in list order)."""

    class _ForecastValidation(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if logs is not None:
                logs["val_loss"] = float(keras.ops.convert_to_numpy(loss(y_val, predict_rows(forecaster, X_val))))

    return _ForecastValidation()
