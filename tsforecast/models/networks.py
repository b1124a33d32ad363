"""Keras builders of the encoder-decoder networks and their custom layers.

The estimator (:mod:`.estimator`) calls :func:`build_networks` lazily in ``fit``, once
the shapes of the data are known. Every custom layer is registered with
``keras.saving.register_keras_serializable(package="tsforecast")`` and implements
``get_config``, so a network saves to and loads from the native ``.keras`` format in
Keras' safe mode (no ``Lambda`` layers, no pickled code).

Every network maps a window ``(batch, n_steps_in, n_features)`` to
``(batch, n_steps_out, n_targets, n_quantiles)``; a point forecast has one "quantile".

Segment-wise recurrence (``segment_length``, after SegRNN, Lin et al. 2023,
arXiv:2308.11200): the window is cut into consecutive segments of ``segment_length``
steps (zeros padded on the *left* when ``n_steps_in`` is not a multiple), each segment
is projected by one dense layer to ``units`` values and read as one recurrent step; the
decoder emits one segment of ``segment_length`` steps per step, and the steps after
``n_steps_out`` are trimmed. 216 recurrent steps of hourly data become 9 with segments
of 24.

Every layer gets an explicit seed derived from ``NetworkSpec.seed`` (initializers,
dropout, position embeddings), so a network's initial weights never depend on global
random state.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
from keras import layers, ops

__all__ = [
    "NetworkSpec",
    "build_networks",
    "ReverseTime",
    "LastStep",
    "Segments",
    "SegmentsToSteps",
    "ParallelDecoder",
    "QuantileOutput",
    "FeedbackDecoder",
    "PinballLoss",
]

PACKAGE = "tsforecast"


@dataclass(frozen=True)
class NetworkSpec:
    """Everything a builder needs: the observed shapes and the estimator's options."""

    n_steps_in: int
    n_features: int
    n_steps_out: int
    n_targets: int
    n_quantiles: int = 1
    units: int = 64
    n_layers: int = 1
    decoder: str = "repeat"
    reverse_input: bool = False
    attention: bool = False
    dropout: float = 0.0
    target_features: tuple[int, ...] | None = None
    median_index: int = 0
    seed: int = 0
    segment_length: int | None = None

    @property
    def step(self) -> int:
        """Time steps read or emitted per recurrent step (1 when point-wise)."""
        return self.segment_length or 1

    @property
    def n_segments_out(self) -> int:
        """Decoder steps: output segments, the last one trimmed to ``n_steps_out``."""
        return -(-self.n_steps_out // self.step)


# ---------------------------------------------------------------------------
# custom layers


@keras.saving.register_keras_serializable(package=PACKAGE)
class ReverseTime(layers.Layer):
    """Reverse the time axis of a window (Sutskever et al., 2014)."""

    def call(self, inputs):
        return ops.flip(inputs, axis=1)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package=PACKAGE)
class LastStep(layers.Layer):
    """The last time step of the chosen features: ``x[:, -1, features]``.

    The feedback decoder starts from the last observed value of each target.
    """

    def __init__(self, features, **kwargs):
        super().__init__(**kwargs)
        self.features = [int(f) for f in features]

    def call(self, inputs):
        return ops.take(inputs[:, -1, :], self.features, axis=-1)

    def compute_output_shape(self, input_shape):
        return (input_shape[0], len(self.features))

    def get_config(self):
        return {**super().get_config(), "features": self.features}


@keras.saving.register_keras_serializable(package=PACKAGE)
class Segments(layers.Layer):
    """Cut a window into consecutive segments, each flattened to one vector:
    ``(batch, n_steps, F)`` -> ``(batch, ceil(n_steps / segment_length), segment_length * F)``.

    When ``n_steps`` is not a multiple of ``segment_length``, zeros are padded on the left
    (before the oldest step), so the latest segment always ends at the latest step.
    """

    def __init__(self, segment_length: int, **kwargs):
        super().__init__(**kwargs)
        self.segment_length = int(segment_length)

    def _sizes(self, input_shape):
        n_steps, n_features = int(input_shape[1]), int(input_shape[2])
        n_segments = -(-n_steps // self.segment_length)
        return n_segments, n_segments * self.segment_length - n_steps, self.segment_length * n_features

    def call(self, inputs):
        n_segments, pad, width = self._sizes(inputs.shape)
        if pad:
            inputs = ops.pad(inputs, [[0, 0], [pad, 0], [0, 0]])
        return ops.reshape(inputs, (-1, n_segments, width))

    def compute_output_shape(self, input_shape):
        n_segments, _, width = self._sizes(input_shape)
        return (input_shape[0], n_segments, width)

    def get_config(self):
        return {**super().get_config(), "segment_length": self.segment_length}


@keras.saving.register_keras_serializable(package=PACKAGE)
class SegmentsToSteps(layers.Layer):
    """Lay output segments end to end and trim: ``(batch, n_segments, segment_length * C)``
    -> ``(batch, n_steps, C)``, the first ``n_steps`` of ``n_segments * segment_length``."""

    def __init__(self, segment_length: int, n_steps: int, **kwargs):
        super().__init__(**kwargs)
        self.segment_length = int(segment_length)
        self.n_steps = int(n_steps)

    def call(self, inputs):
        n_segments, width = int(inputs.shape[1]), int(inputs.shape[2])
        steps = ops.reshape(inputs, (-1, n_segments * self.segment_length, width // self.segment_length))
        return steps[:, : self.n_steps]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.n_steps, int(input_shape[2]) // self.segment_length)

    def get_config(self):
        return {**super().get_config(), "segment_length": self.segment_length, "n_steps": self.n_steps}


def monotone_quantiles(raw, n_targets: int, n_quantiles: int):
    """Reshape ``(..., n_targets * n_quantiles)`` to ``(..., n_targets, n_quantiles)``
    with quantiles that never cross: the lowest is free, each next one adds a
    softplus (hence positive) increment."""
    shape = tuple(ops.shape(raw)[:-1]) + (n_targets, n_quantiles)
    raw = ops.reshape(raw, shape)
    if n_quantiles == 1:
        return raw
    base = raw[..., :1]
    steps = ops.cumsum(ops.softplus(raw[..., 1:]), axis=-1)
    return ops.concatenate([base, base + steps], axis=-1)


@keras.saving.register_keras_serializable(package=PACKAGE)
class QuantileOutput(layers.Layer):
    """``(batch, steps, n_targets * n_quantiles)`` -> ``(batch, steps, n_targets, n_quantiles)``,
    non-crossing (see :func:`monotone_quantiles`)."""

    def __init__(self, n_targets: int, n_quantiles: int, **kwargs):
        super().__init__(**kwargs)
        self.n_targets = int(n_targets)
        self.n_quantiles = int(n_quantiles)

    def call(self, inputs):
        return monotone_quantiles(inputs, self.n_targets, self.n_quantiles)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape[:-1]) + (self.n_targets, self.n_quantiles)

    def get_config(self):
        return {**super().get_config(), "n_targets": self.n_targets, "n_quantiles": self.n_quantiles}


@keras.saving.register_keras_serializable(package=PACKAGE)
class FeedbackDecoder(layers.Layer):
    """An LSTM decoder that reads its own previous output.

    Called as ``decoder(encoder_outputs, first_input, states, teacher=None)``:

    - ``encoder_outputs`` ``(batch, n_steps_in, units)``: attended over when ``attention``;
    - ``first_input`` ``(batch, n_targets)``: the last observed target values;
    - ``states``: ``[h_1, c_1, ..., h_L, c_L]``, the encoder's final states seeding the
      ``n_layers`` decoder cells;
    - ``teacher`` ``(batch, n_steps_out, n_targets)``: the true targets. Given (training),
      step ``t`` reads the true value of step ``t - 1`` (teacher forcing); absent
      (inference), it reads its own previous prediction, the median quantile
      (autoregressive). The loop lives in this layer, so it is saved with the model.
    """

    def __init__(
        self,
        units: int,
        n_layers: int,
        n_steps_out: int,
        n_targets: int,
        n_quantiles: int = 1,
        median_index: int = 0,
        attention: bool = False,
        dropout: float = 0.0,
        seed: int | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.units = int(units)
        self.n_layers = int(n_layers)
        self.n_steps_out = int(n_steps_out)
        self.n_targets = int(n_targets)
        self.n_quantiles = int(n_quantiles)
        self.median_index = int(median_index)
        self.attention = bool(attention)
        self.dropout = float(dropout)
        self.seed = seed
        self.cells = [layers.LSTMCell(self.units, seed=_offset(seed, i), name=f"cell_{i}", **_initializers(seed, 10 * i))
                      for i in range(self.n_layers)]
        self.head = layers.Dense(self.n_targets * self.n_quantiles, name="head",
                                 kernel_initializer=_glorot(_offset(seed, 300)))
        self.attend = layers.Attention(name="attention") if self.attention else None
        self.drop = layers.Dropout(self.dropout, seed=_offset(seed, 100)) if self.dropout > 0 else None

    def build(self, encoder_outputs_shape, first_input_shape=None, states_shape=None, teacher_shape=None):
        batch = encoder_outputs_shape[0]
        size = self.n_targets
        for cell in self.cells:
            cell.build((batch, size))
            size = self.units
        if self.attend is not None:
            self.attend.build([(batch, 1, self.units), tuple(encoder_outputs_shape)])
        self.head.build((batch, self.units * (2 if self.attention else 1)))

    def _step(self, previous, states, encoder_outputs, training):
        x = previous
        new_states = []
        for layer, cell in enumerate(self.cells):
            x, (h, c) = cell(x, [states[2 * layer], states[2 * layer + 1]], training=training)
            new_states += [h, c]
            if self.drop is not None:
                x = self.drop(x, training=training)
        if self.attend is not None:
            context = self.attend([ops.expand_dims(x, 1), encoder_outputs])
            x = ops.concatenate([x, ops.squeeze(context, 1)], axis=-1)
        out = monotone_quantiles(self.head(x), self.n_targets, self.n_quantiles)
        return out, new_states

    def call(self, encoder_outputs, first_input, states, teacher=None, training=None):
        states = list(states)
        previous = first_input
        outputs = []
        # A Python loop over a known, short horizon: Keras traces it into one graph.
        for step in range(self.n_steps_out):
            out, states = self._step(previous, states, encoder_outputs, training)
            outputs.append(out)
            if teacher is not None:
                previous = teacher[:, step, :]
            else:
                previous = out[..., self.median_index]
        return ops.stack(outputs, axis=1)

    def compute_output_shape(self, encoder_outputs_shape, *args, **kwargs):
        return (encoder_outputs_shape[0], self.n_steps_out, self.n_targets, self.n_quantiles)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "n_layers": self.n_layers,
            "n_steps_out": self.n_steps_out,
            "n_targets": self.n_targets,
            "n_quantiles": self.n_quantiles,
            "median_index": self.median_index,
            "attention": self.attention,
            "dropout": self.dropout,
            "seed": self.seed,
        }


@keras.saving.register_keras_serializable(package=PACKAGE)
class ParallelDecoder(layers.Layer):
    """Parallel multi-step decoding (SegRNN's PMF): every output position at once.

    Called as ``decoder(states)`` with ``states = [h_1, c_1, ..., h_L, c_L]``, the
    encoder's final states. Position ``j`` (an output segment, or a step when point-wise)
    is one step of ``n_layers`` stacked LSTM cells that start from those states and read
    a learned position embedding ``e_j`` (``units`` values). The ``n_positions`` steps do
    not depend on each other, so they run as one batch of ``batch * n_positions`` rows:
    no recurrence over the horizon. Returns ``(batch, n_positions, units)``.
    """

    def __init__(self, units: int, n_layers: int, n_positions: int, dropout: float = 0.0, seed: int | None = None,
                 **kwargs):
        super().__init__(**kwargs)
        self.units = int(units)
        self.n_layers = int(n_layers)
        self.n_positions = int(n_positions)
        self.dropout = float(dropout)
        self.seed = seed
        self.cells = [layers.LSTMCell(self.units, seed=_offset(seed, i), name=f"cell_{i}", **_initializers(seed, 10 * i))
                      for i in range(self.n_layers)]
        self.drop = layers.Dropout(self.dropout, seed=_offset(seed, 100)) if self.dropout > 0 else None

    def build(self, states_shape):
        self.positions = self.add_weight(
            shape=(self.n_positions, self.units), name="positions",
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=_offset(self.seed, 200)),
        )
        for cell in self.cells:
            cell.build((None, self.units))

    def call(self, states, training=None):
        batch = ops.shape(states[0])[0]
        # (batch * n_positions, units): row b * n_positions + j is position j of window b
        x = ops.reshape(ops.tile(ops.expand_dims(self.positions, 0), (batch, 1, 1)), (-1, self.units))
        for layer, cell in enumerate(self.cells):
            h = ops.repeat(states[2 * layer], self.n_positions, axis=0)
            c = ops.repeat(states[2 * layer + 1], self.n_positions, axis=0)
            x, _ = cell(x, [h, c], training=training)
            if self.drop is not None:
                x = self.drop(x, training=training)
        return ops.reshape(x, (-1, self.n_positions, self.units))

    def compute_output_shape(self, states_shape):
        return (states_shape[0][0], self.n_positions, self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "n_layers": self.n_layers,
                "n_positions": self.n_positions, "dropout": self.dropout, "seed": self.seed}


@keras.saving.register_keras_serializable(package=PACKAGE)
class PinballLoss(keras.losses.Loss):
    """Mean pinball (quantile) loss of ``y_pred (..., n_quantiles)`` against ``y_true (..., 1)``."""

    def __init__(self, quantiles, name: str = "pinball", **kwargs):
        super().__init__(name=name, **kwargs)
        self.quantiles = [float(q) for q in quantiles]

    def call(self, y_true, y_pred):
        q = ops.convert_to_tensor(self.quantiles, dtype=y_pred.dtype)
        error = ops.cast(y_true, y_pred.dtype) - y_pred
        return ops.mean(ops.maximum(q * error, (q - 1.0) * error), axis=-1)

    def get_config(self):
        return {**super().get_config(), "quantiles": self.quantiles}


# ---------------------------------------------------------------------------
# builders


def _offset(seed: int | None, i: int) -> int | None:
    return None if seed is None else int(seed) + i


def _glorot(seed: int | None):
    return keras.initializers.GlorotUniform(seed=seed)


def _initializers(seed: int | None, i: int) -> dict:
    """Explicitly seeded kernel initializers of an LSTM (cell) numbered ``i``: without a
    seed Keras draws one from Python's global generator, shared by every thread."""
    return {"kernel_initializer": _glorot(_offset(seed, 1000 + i)),
            "recurrent_initializer": keras.initializers.Orthogonal(seed=_offset(seed, 2000 + i))}


def _encoder(x, spec: NetworkSpec, need_sequence: bool):
    """Stack of ``n_layers`` LSTMs; returns (top-layer outputs or None, [h, c] per layer)."""
    states = []
    for layer in range(spec.n_layers):
        last = layer == spec.n_layers - 1
        sequences = not last or need_sequence
        out = layers.LSTM(
            spec.units,
            return_sequences=sequences,
            return_state=True,
            seed=_offset(spec.seed, layer),
            name=f"encoder_{layer}",
            **_initializers(spec.seed, layer),
        )(x)
        x, h, c = out
        states += [h, c]
        if spec.dropout > 0:
            x = layers.Dropout(spec.dropout, seed=_offset(spec.seed, 50 + layer), name=f"encoder_dropout_{layer}")(x)
    return (x if need_sequence else None), states


def _encoder_input(window, spec: NetworkSpec):
    """The encoder's input sequence: the window, or its segments projected to ``units``
    (SegRNN's segment embedding: one dense layer with ReLU), optionally reversed."""
    x = window
    if spec.segment_length is not None:
        x = Segments(spec.segment_length, name="segments")(x)
        x = layers.Dense(spec.units, activation="relu", name="segment_projection",
                         kernel_initializer=_glorot(_offset(spec.seed, 400)))(x)
    return ReverseTime(name="reverse")(x) if spec.reverse_input else x


def _head(y, spec: NetworkSpec):
    """Decoder outputs ``(batch, n_segments_out, width)`` -> ``(batch, n_steps_out, K, Q)``."""
    if spec.attention:
        encoder_outputs = y[1]
        y = y[0]
        context = layers.Attention(name="attention")([y, encoder_outputs])
        y = layers.Concatenate(name="with_context")([y, context])
    channels = spec.n_targets * spec.n_quantiles
    y = layers.Dense(spec.step * channels, name="head", kernel_initializer=_glorot(_offset(spec.seed, 300)))(y)
    if spec.segment_length is not None:
        y = SegmentsToSteps(spec.segment_length, spec.n_steps_out, name="segments_to_steps")(y)
    return QuantileOutput(spec.n_targets, spec.n_quantiles, name="quantiles")(y)


def _repeat(x, spec: NetworkSpec):
    encoder_outputs, states = _encoder(x, spec, need_sequence=spec.attention)
    y = layers.RepeatVector(spec.n_segments_out, name="repeat")(states[-2])  # top layer's final h
    for layer in range(spec.n_layers):
        y = layers.LSTM(spec.units, return_sequences=True, seed=_offset(spec.seed, 10 + layer), name=f"decoder_{layer}",
                        **_initializers(spec.seed, 10 + layer))(y)
        if spec.dropout > 0:
            y = layers.Dropout(spec.dropout, seed=_offset(spec.seed, 60 + layer), name=f"decoder_dropout_{layer}")(y)
    return _head((y, encoder_outputs) if spec.attention else y, spec)


def _parallel(x, spec: NetworkSpec):
    encoder_outputs, states = _encoder(x, spec, need_sequence=spec.attention)
    decoder = ParallelDecoder(spec.units, spec.n_layers, spec.n_segments_out, dropout=spec.dropout,
                              seed=_offset(spec.seed, 20), name="parallel_decoder")
    y = decoder(states)
    return _head((y, encoder_outputs) if spec.attention else y, spec)


def _dense(x, spec: NetworkSpec):
    if spec.attention:
        raise ValueError("attention needs decoder steps to attend from; decoder='dense' has none; got attention=True")
    _, states = _encoder(x, spec, need_sequence=False)
    channels = spec.n_targets * spec.n_quantiles
    y = layers.Dense(spec.n_steps_out * channels, name="head", kernel_initializer=_glorot(_offset(spec.seed, 300)))(
        states[-2])
    y = layers.Reshape((spec.n_steps_out, channels), name="steps")(y)
    return QuantileOutput(spec.n_targets, spec.n_quantiles, name="quantiles")(y)


#: Decoders that read the encoder's final state only (one network for training and prediction).
_DIRECT = {"repeat": _repeat, "parallel": _parallel, "dense": _dense}


def build_networks(spec: NetworkSpec) -> tuple[keras.Model, keras.Model]:
    """Build ``(train_model, predict_model)`` for ``spec``; they share their weights.

    ``decoder``: ``"repeat"`` (the encoder's final vector repeated, read by a decoder
    LSTM: one step per output step or segment); ``"parallel"`` (all output segments at
    once, see :class:`ParallelDecoder`); ``"dense"`` (one dense layer from the encoder's
    final vector to every output step); for these, both models are the same, input the
    window. ``"feedback"``: the training model takes ``[window, targets]`` and
    teacher-forces the decoder; the prediction model takes the window only and decodes
    autoregressively (point-wise only).

    Examples
    --------
    >>> train, predict = build_networks(NetworkSpec(12, 1, 3, 1, units=4))
    >>> predict.output_shape
    (None, 3, 1, 1)
    >>> predict = build_networks(NetworkSpec(50, 1, 7, 1, units=4, segment_length=24, decoder="parallel"))[1]
    >>> predict.get_layer("segments").output.shape, predict.output_shape  # 50 steps: 22 zeros padded on the left
    ((None, 3, 24), (None, 7, 1, 1))
    """
    window = keras.Input((spec.n_steps_in, spec.n_features), name="window")
    x = _encoder_input(window, spec)
    if spec.decoder in _DIRECT:
        model = keras.Model(window, _DIRECT[spec.decoder](x, spec), name=f"encoder_decoder_{spec.decoder}")
        return model, model
    if spec.decoder != "feedback":
        raise ValueError(f"decoder must be one of 'repeat', 'parallel', 'dense', 'feedback'; got {spec.decoder!r}")
    if spec.segment_length is not None:
        raise ValueError(f"decoder='feedback' reads one step at a time; got segment_length={spec.segment_length}")
    encoder_outputs, states = _encoder(x, spec, need_sequence=True)
    first = LastStep(spec.target_features, name="last_target")(window)  # before any reversal
    decoder = FeedbackDecoder(
        spec.units,
        spec.n_layers,
        spec.n_steps_out,
        spec.n_targets,
        spec.n_quantiles,
        spec.median_index,
        attention=spec.attention,
        dropout=spec.dropout,
        seed=_offset(spec.seed, 20),
        name="feedback_decoder",
    )
    targets = keras.Input((spec.n_steps_out, spec.n_targets), name="targets")
    train = keras.Model([window, targets], decoder(encoder_outputs, first, states, teacher=targets), name="feedback_train")
    predict = keras.Model(window, decoder(encoder_outputs, first, states), name="encoder_decoder_feedback")
    return train, predict
