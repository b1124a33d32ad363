"""``EncoderDecoderLSTM``: a multi-step encoder-decoder LSTM as a scikit-learn regressor.

It works on windows: ``X`` of shape ``(n, n_steps_in, n_features)`` (or ``(n, n_steps_in)``
for one variable) and ``y`` of shape ``(n, n_steps_out, n_targets)``, ``(n, n_steps_out)``
or ``(n,)``. The DataFrame-level :class:`tsforecast.WindowForecaster` cuts such windows
from series; this class knows nothing of time indexes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..core.fallbacks import warn_fallback
from ..core.params import validate_params
from ..exceptions import InvalidParameterError, ShapeMismatchError
from .channels import add_channel_ids, choose_channels, from_channels, targets_to_channels, to_channels
from .blend import blend_linear_map, blend_with_map
from .fallback import reference_name, shrinkage_on_tail
from .inputs import (as_float_array, check_feature_names, positive_log, remember_feature_names,
                     warn_if_targets_elsewhere)
from .parameters import PARAMETERS, check_combinations, resolve_segment_length, resolve_target_features
from .scaling import make_scaler, resolve_scaling
from .selection import search_settings
from .training import KERAS_LOCK, build, carry_weights, n_validation, predict_rows, seeded, train, use_xla

__all__ = ["EncoderDecoderLSTM"]


class EncoderDecoderLSTM(RegressorMixin, BaseEstimator):
    """Encoder-decoder LSTM mapping input windows to multi-step forecasts.

    An encoder LSTM reads the input window; a decoder LSTM emits ``n_steps_out`` steps.
    The network is built lazily in :meth:`fit` from the shapes of ``X`` and ``y`` by
    :func:`tsforecast.models.networks.build_networks`. Keras 3 on TensorFlow; a GPU is
    used when TensorFlow sees one.

    Parameters
    ----------
    units : int, default=64
        LSTM units of every encoder and decoder layer.
    n_layers : int, default=1
        Number of stacked LSTM layers in the encoder and in the decoder.
    decoder : {"repeat", "parallel", "dense", "feedback"}, default="parallel"
        ``"parallel"``: every output step (or segment) at once: one decoder LSTM step per
        position, started from the encoder's final states and reading a learned position
        embedding (SegRNN's parallel multi-step forecasting; no recurrence over the
        horizon; chosen on M4 Hourly's validation split). ``"repeat"``: the encoder's
        final vector is repeated once per output step (or segment) and read by the
        decoder LSTM (the classic form; with ``segment_length=None``, ``scaling="window"``
        and ``loss="mse"`` the point-wise network of earlier releases).
        ``"dense"``: one dense layer maps the encoder's final vector to all
        ``n_steps_out`` steps (no decoder LSTM; fastest; no ``attention``).
        ``"feedback"``: the decoder's states start from the encoder's final states and
        each step reads the previous target value: the true one in training (teacher
        forcing), its own prediction (the median) at inference (autoregressive);
        point-wise only (no ``segment_length``).
    segment_length : int, "auto" or None, default="auto"
        Segment-wise recurrence (SegRNN, Lin et al. 2023): the encoder reads the input
        window as consecutive segments of ``segment_length`` steps, each projected by a
        dense layer (ReLU) to ``units`` values and read as *one* recurrent step, and the
        ``"repeat"`` and ``"parallel"`` decoders emit one segment of ``segment_length``
        steps per position. Recurrent steps drop from ``n_steps_in + n_steps_out`` to
        about ``(n_steps_in + n_steps_out) / segment_length``: with hourly data and
        segments of 24 (one day), 168 + 48 steps become 7 + 2, and an epoch trains many
        times faster. When ``n_steps_in`` is not a multiple, the window is padded with
        zeros (in scaled units) on the *left*, before its oldest step; when
        ``n_steps_out`` is not a multiple, the last output segment is trimmed to the
        first ``n_steps_out`` steps. Set it to the seasonal period (24 for hourly data
        with a daily cycle, 7 for daily data with a weekly one) or to a divisor of it;
        for data without a cycle, a length that makes about 5-20 segments of the
        window. ``None``: point-wise recurrence, one step per recurrent step.
        ``"auto"`` (resolved in :meth:`fit`, stored as ``segment_length_``):
        ``season_length`` when the input window holds at least 3 seasons (24 for a
        week of hourly data), else ``n_steps_in // 10`` (``None`` when that is below 2,
        and for ``decoder="feedback"``).
    reverse_input : bool, default=False
        Feed the input window in reverse time order (Sutskever et al., 2014).
    attention : bool, default=False
        Let every decoder step attend (dot-product attention) over all encoder outputs.
    dropout : float, default=0.0
        Dropout rate in [0, 1) after every LSTM layer.
    loss : {"mse", "mae", "huber"}, default="mae"
        Training loss of point forecasts (``"mae"``: with ``scaling="seasonal"`` the
        MASE of each window, so that series of every scale weigh alike). With ``quantiles`` the pinball loss is used
        instead and ``loss`` has no effect.
    quantiles : tuple of float or None, default=None
        Strictly increasing levels in (0, 1), e.g. ``(0.1, 0.5, 0.9)``: train a quantile
        head (pinball loss) whose quantiles cannot cross. :meth:`predict` then returns the
        0.5 quantile if listed, otherwise the middle one (``quantiles[len // 2]``).
    epochs : int, default=100
        Maximum number of passes over the training windows.
    batch_size : int, default=64
        Windows per gradient step (the global batch under a ``distribute_strategy``).
    learning_rate : float, default=1e-3
        Adam's learning rate.
    validation_fraction : float, default=0.1
        Fraction of the windows, taken from the *end* (the latest, never a random draw),
        held out for early stopping. 0 disables early stopping.
    patience : int, default=10
        Epochs without improvement of the validation loss before training stops; the
        best weights are then restored.
    scaling : {"auto", "window", "mean", "seasonal", "linear", "last", "standard", None}, default="auto"
        ``"auto"`` (resolved in :meth:`fit`, stored as ``scaling_`` and
        ``season_length_``): ``"seasonal"`` on ``season_length`` when it is shorter than
        the input window and the seasonal naive forecast has a lower MAE than the naive
        one on the training windows (strongly seasonal data: hourly loads); else
        ``"seasonal"`` on 1, corrections to the naive forecast (a trend, daily weather);
        either replaced by ``"linear"`` when the linear reference has the lower error on
        the validation tail (recorded in ``reference_scores_``);
        ``"window"`` for ``decoder="feedback"`` or windows of one step; ``"standard"``
        when the inputs do not hold the targets' past. ``"window"``: each window by the mean and standard deviation of its own input
        part, per feature (a global model over series of any scale; predictions are
        equivariant to ``a * X + b``; a trend leaving the training range stays in range
        for the network). ``"mean"``: each window divided by the mean absolute value of
        its input part (positive data; equivariant to ``a * X``). ``"seasonal"``: the
        network learns corrections to the seasonal naive forecast of each window (its
        last ``season_length`` input steps, repeated), in units of the window's mean
        absolute seasonal difference, so that ``loss="mae"`` is a MASE-like loss that
        weighs series of every scale alike (see
        :class:`~tsforecast.models.scaling.SeasonalWindowScaler`; the recommended
        setting for strongly seasonal data such as hourly loads; not with the feedback
        decoder). ``"linear"``: the same, correcting a linear forecast fitted in closed
        form on the training windows (NLinear's map; see
        :class:`~tsforecast.models.scaling.LinearWindowScaler`). ``"last"``: each window
        less its last value, no division (SegRNN's normalisation: the loss is in the
        data's own units, for data on one scale such as standardised variables).
        ``"standard"``: each feature and target by its mean and
        standard deviation over the training windows. ``None``: no scaling. Scaling is
        fitted on the training data only and inverted on the output. Per-window
        scalings are preferred to ``"standard"`` because with it a trending series
        drifts out of the range the network was trained on (the synthetic trend test:
        MAE 6.9 against 0.17 for ``"window"``, 0.60 for the seasonal naive forecast).
    log : bool, default=False
        Model the natural logarithm of every input feature and target, and return the
        exponential of the network's output (for positive data: forecasts stay positive,
        and errors count relative to the level, as sMAPE counts them; with
        ``loss="mae"`` the forecast is the median). Data with a zero or negative value
        are refused.
    season_length : int or None, default=None
        Seasonal period in steps (24 for hourly data with a daily cycle, 1 for none).
        Required by ``scaling="seasonal"``, where it must be smaller than
        ``n_steps_in``; the candidate season of ``scaling="auto"`` and
        ``segment_length="auto"`` (``None``: no season, as 1). Windows carry no
        timestamps, so the estimator cannot see the frequency: :class:`~tsforecast.WindowForecaster`
        sets it from the data's frequency when it is ``None`` (24 hourly, 48
        half-hourly, 7 daily, 52 weekly, 12 monthly).
    target_features : sequence of int or None, default=None
        Positions of the input features that hold the targets' past, one per target, in
        the targets' order. The feedback decoder starts from their last values and the
        scalers give them the targets' statistics. ``None``: the first ``n_targets``
        features (the layout of :func:`tsforecast.make_windows`); required explicitly
        for ``decoder="feedback"`` or ``scaling="window"`` when there are fewer input
        features than targets.
    random_state : int, RandomState or None, default=None
        Seed of weights, dropout and shuffling; resolved in :meth:`fit` (stored as
        ``seed_``). The same value gives identical predictions across processes.
        ``None`` draws a fresh seed.
    verbose : int, default=0
        Keras' training verbosity (0 silent, 1 progress bar, 2 one line per epoch).
    jit_compile : bool or "auto", default="auto"
        Compile the training step with XLA. On CPU, XLA fuses the many small operations
        of every recurrent step and trained the benchmark configuration about twice as
        fast per epoch, but compiling costs seconds per fit. ``"auto"``: XLA when the fit
        runs at least 500 gradient steps (``epochs * ceil(n_train / batch_size)``) on
        CPU, Keras' own choice on a GPU, never under a ``distribute_strategy``.
    distribute_strategy : tf.distribute.Strategy or None, default=None
        Build and train the network under this strategy, e.g.
        ``tf.distribute.MirroredStrategy()`` for several GPUs or CPU devices. ``clone``
        shares the strategy (it is a handle on devices, not a value); pickling drops it.
    warm_start : bool, default=False
        When fitted already, start the next :meth:`fit` from the fitted network's weights
        instead of new ones (scikit-learn's idiom, as in ``MLPRegressor``): the network
        and the scaler are rebuilt from the new data, the weights carried over, the
        optimizer starts afresh. The weights' shapes must match (same window shapes and
        architecture parameters). A walk-forward backtest with ``warm_start=True`` sets it
        to continue training from fold to fold.
    channels : {"auto", "independent", "joint"}, default="auto"
        How windows of several targets reach the network (see
        :mod:`tsforecast.models.channels`). ``"joint"``: all input features of a window
        in one recurrent state. ``"independent"``: one shared network applied to each
        target as its own series (its past plus the covariate features: PatchTST's and
        SegRNN's channel independence, the better choice on the long-horizon
        benchmarks). ``"auto"``: with several targets, short trial fits of both on the
        same earlier training windows; ``"independent"`` is kept unless ``"joint"`` beats
        it on the chronological validation tail by more than the tail's noise (stored as
        ``channels_``); with one target the two are the same network (``"joint"``).
    search : bool, default=False
        Choose on the data, in :meth:`fit`: the reference the network corrects
        (``scaling="seasonal"`` on ``season_length`` or on 1), the look-back (the latest
        2, 4 or 7 seasons of each window, or all of it) and the segment length, by short
        trial fits scored on the chronological validation tail of the training windows
        (coordinate-wise, about seven trials of a few percent of a full fit each; see
        :mod:`tsforecast.models.selection`). Overrides ``scaling``, ``segment_length`` and
        the reference season; candidates the windows cannot hold are skipped with a
        recorded reason (``search_skipped_``).
    channel_embedding : bool, default=False
        With ``channels_ == "independent"``: append a one-hot of the channel to every step
        of its window, after scaling, so that the shared network learns a vector per
        channel (SegRNN's channel embedding; see :func:`~tsforecast.models.channels.add_channel_ids`)
        and may treat the channels differently; the forecasts are then no longer
        equivariant to a permutation of the channels. No effect with ``"joint"``, whose
        channels are distinct features already.
    learning_rate_decay : float, default=1.0
        Factor in (0, 1] on the learning rate at every epoch from the fourth on (epochs 1-3
        at ``learning_rate``, then ``learning_rate * learning_rate_decay ** (epoch - 3)``:
        SegRNN's schedule, whose ETTh1 scripts use 0.8). 1.0: a constant rate. The rate of
        every epoch is recorded in ``history_["learning_rate"]`` when it decays.
    blend_linear : bool, default=False
        Forecast a weighted average of the network and the closed-form linear map of the
        training windows (:mod:`tsforecast.models.blend`; for scalings whose network
        forecasts on its own, such as ``"last"``): the network's weight (0, 0.25, ..., 1)
        is chosen on the validation tail, and kept above 0 only on a clear gain over the
        map alone (``blend_weight_``). Needs ``validation_fraction > 0``.

    Attributes
    ----------
    network_ : keras.Model
        The fitted prediction network, window ``(batch, n_steps_in_, n_input_features_)``
        to ``(batch, n_steps_out_, n_targets_, n_quantiles)`` in scaled units.
    history_ : dict of str to list of float
        Loss curves per epoch: ``"loss"`` and, with early stopping, ``"val_loss"`` (for
        ``decoder="feedback"``, the loss of its own autoregressive forecasts of the tail,
        which ``predict`` makes, not of the teacher-forced training model).
    epoch_seconds_ : list of float
        Wall time of each epoch; the first includes building the training graph.
    n_features_in_ : int
        Values per window, ``n_steps_in_ * n_input_features_`` (``X.shape[1]`` for 2-D
        ``X``, as scikit-learn counts the features of a flattened sample).
    feature_names_in_ : ndarray of str
        The column names of a 2-D DataFrame ``X`` in :meth:`fit` (only then): a DataFrame
        given to ``predict`` must have the same columns in the same order.
    n_steps_in_, n_input_features_, n_steps_out_, n_targets_ : int
        The shapes seen in :meth:`fit`.
    y_ndim_ : int
        The dimensions of ``y`` in :meth:`fit` (``predict`` answers in the same shape).
    log_ : bool
        Whether the network was fitted on logs (``log`` at fit; predict reads this).
    target_features_ : tuple of int or None
    quantiles_ : tuple of float or None
    median_index_ : int
        The quantile whose forecast is the point forecast (0 without ``quantiles``).
    seed_ : int
        The seed the fit used.
    jit_compile_ : bool
        Whether the fit compiled its training step with XLA.
    scaler_ : object
        The fitted scaler (see :mod:`tsforecast.models.scaling`).
    scaling_ : str or None
        The scaling used (``scaling="auto"`` resolved).
    season_length_ : int
        The season the scaler corrects (1: none; the naive forecast for
        ``"seasonal"``).
    segment_length_ : int or None
        Steps per recurrent step (``segment_length="auto"`` resolved; ``None``:
        point-wise).
    channels_ : str
        The channel mode of the fit (``channels="auto"`` resolved).
    channel_scores_ : dict of str to float
        Validation-tail error of each mode tried by ``channels="auto"`` (empty when
        nothing was tried).
    channel_ids_ : int
        One-hot channel columns appended to each stacked window (the number of targets
        with ``channel_embedding`` in independent mode, else 0).
    fallback_ : bool
        True when, on the validation tail, the trained network did not clearly beat its
        reference forecast (``reference_``: the seasonal naive, the naive one or the
        linear map; by more than two standard errors of block means) and its corrections
        were shrunk toward it (a ``FallbackWarning`` says so).
    shrinkage_ : float
        Factor on the network's corrections in :meth:`predict`: 1.0 as trained, 0.0 the
        reference forecast itself (see :mod:`tsforecast.models.fallback`).
    blend_weight_ : float
        The network's weight with ``blend_linear`` (0: the linear map alone; 1.0 without
        ``blend_linear``); ``blend_errors_`` holds the tail's error of each weight tried,
        ``blend_map_`` the linear map's weights (None without ``blend_linear``) and
        ``blend_features_`` the input features holding the targets' past.
    reference_ : str or None
        The forecast the network corrects, in words (``"seasonal naive (season 336)"``,
        ``"naive (last value)"``, ``"linear map of the training windows"``); None for
        scalings without a reference.
    reference_scores_ : dict of str to float
        With ``scaling="auto"``: the validation tail's MAE of the ``"seasonal"`` (naive)
        and ``"linear"`` references when both were tried (else empty).
    reference_errors_ : dict of str to float
        Scaled MAE on the validation tail of the ``"network"``, its ``"reference"`` and,
        when shrunk, the ``"shrunk"`` forecast (empty without a tail, for quantile
        models and for scalings without a reference).
    input_steps_ : int
        Latest steps of each window the network reads (``n_steps_in_`` unless ``search``
        chose a shorter look-back).
    search_scores_ : dict of str to float
        With ``search=True``: the validation-tail error of each candidate tried.
    search_skipped_ : dict of str to str
        With ``search=True``: candidates not tried, and why.

    Notes
    -----
    Reproducibility: every layer's initializers and dropout are seeded explicitly from
    ``seed_``; ``fit`` also seeds Python, NumPy, TensorFlow and Keras from it (Keras
    draws each epoch's shuffle from TensorFlow's global seed) and afterwards gives
    Python's and NumPy's global generators back their state; TensorFlow's global seed
    stays set. On a GPU, ``fit`` turns on TensorFlow's op determinism (process-wide).
    Fits and predictions in parallel *threads* of one process (e.g. a Dask worker with
    several threads) take turns on a process-wide lock, so a forecast depends on its
    inputs and seed only, not on which thread or process ran it; threads give no
    speed-up for this model (TensorFlow already uses every core within one fit).

    Persistence: :func:`tsforecast.save` stores the parameters and the fitted attributes
    (``network_`` as a ``.keras`` member, ``scaler_`` as its arrays) with the generic
    state encoder of :mod:`tsforecast.storage.model_files`; :func:`tsforecast.load` restores them.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.sin(np.arange(60.0))[np.arange(40)[:, None] + np.arange(12)]  # 40 windows of 12 steps
    >>> y = np.sin(np.arange(60.0))[np.arange(40)[:, None] + 12 + np.arange(3)]
    >>> model = EncoderDecoderLSTM(units=8, epochs=2, random_state=0).fit(X, y)
    >>> model.predict(X).shape
    (40, 3)
    """

    def __init__(
        self,
        units: int = 64,
        n_layers: int = 1,
        decoder: str = "parallel",
        segment_length: int | str | None = "auto",
        reverse_input: bool = False,
        attention: bool = False,
        dropout: float = 0.0,
        loss: str = "mae",
        quantiles: Sequence[float] | None = None,
        epochs: int = 100,
        batch_size: int = 64,
        learning_rate: float = 1e-3,
        validation_fraction: float = 0.1,
        patience: int = 10,
        scaling: str | None = "auto",
        season_length: int | None = None,
        log: bool = False,
        target_features: Sequence[int] | None = None,
        random_state=None,
        verbose: int = 0,
        jit_compile: bool | str = "auto",
        distribute_strategy=None,
        warm_start: bool = False,
        channels: str = "auto",
        search: bool = False,
        channel_embedding: bool = False,
        learning_rate_decay: float = 1.0,
        blend_linear: bool = False,
    ):
        self.units = units
        self.n_layers = n_layers
        self.decoder = decoder
        self.segment_length = segment_length
        self.reverse_input = reverse_input
        self.attention = attention
        self.dropout = dropout
        self.loss = loss
        self.quantiles = quantiles
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.scaling = scaling
        self.season_length = season_length
        self.log = log
        self.target_features = target_features
        self.random_state = random_state
        self.verbose = verbose
        self.jit_compile = jit_compile
        self.distribute_strategy = distribute_strategy
        self.warm_start = warm_start
        self.channels = channels
        self.search = search
        self.channel_embedding = channel_embedding
        self.learning_rate_decay = learning_rate_decay
        self.blend_linear = blend_linear

    _parameter_constraints = PARAMETERS

    # ------------------------------------------------------------------ checks

    def _check_params(self) -> dict:
        """The checked parameters by name: the declared constraints, then the settings
        that do not go together."""
        p = validate_params(self)
        check_combinations(p)
        return p

    def _check_X(self, X, *, fitted: bool) -> np.ndarray:
        if fitted:  # before the values: other columns are the first thing wrong with them
            check_feature_names(getattr(self, "feature_names_in_", None), X)
        array = as_float_array(X, "X", (2, 3))
        if not fitted:
            return array.reshape(array.shape[0], array.shape[1], -1)
        n_steps, n_vars = self.n_steps_in_, self.n_input_features_
        if array.ndim == 2:
            if n_vars != 1 or array.shape[1] != n_steps:
                raise ShapeMismatchError(
                    f"X has {array.shape[1]} features, but EncoderDecoderLSTM is expecting "
                    f"{self.n_features_in_} features as input (windows of shape ({n_steps}, {n_vars}))."
                )
            return array[:, :, None]
        if array.shape[1:] != (n_steps, n_vars):
            what = "features per time step" if array.shape[2] != n_vars else "time steps"
            got = array.shape[2] if array.shape[2] != n_vars else array.shape[1]
            expected = n_vars if array.shape[2] != n_vars else n_steps
            raise ShapeMismatchError(
                f"X has {got} {what}, but EncoderDecoderLSTM is expecting {expected} "
                f"(X of shape (n, {n_steps}, {n_vars})); got X of shape {array.shape}."
            )
        return array

    def _check_y(self, y, n_samples: int) -> np.ndarray:
        array = as_float_array(y, "y", (1, 2, 3))
        if array.shape[0] != n_samples:
            raise ShapeMismatchError(
                f"y must have one row per window of X ({n_samples}); got y of shape {array.shape}."
            )
        return array.reshape(array.shape[0], array.shape[1] if array.ndim > 1 else 1, -1)

    # ------------------------------------------------------------------ fit

    def fit(self, X, y) -> "EncoderDecoderLSTM":
        """Fit the network on windows ``X`` and their future values ``y``.

        Parameters
        ----------
        X : array-like of shape (n, n_steps_in, n_features) or (n, n_steps_in)
        y : array-like of shape (n, n_steps_out, n_targets), (n, n_steps_out) or (n,)

        Returns
        -------
        self
        """
        p = self._check_params()
        X3 = self._check_X(X, fitted=False)
        y_array = as_float_array(y, "y", (1, 2, 3))
        y_ndim = y_array.ndim
        y3 = self._check_y(y_array, X3.shape[0])
        n, n_steps_in, n_features = X3.shape
        _, n_steps_out, n_targets = y3.shape
        target_features = resolve_target_features(self.target_features, n_features, n_targets, p)
        if self.target_features is None:
            warn_if_targets_elsewhere(X3, y3, target_features)
        if p["scaling"] in ("seasonal", "linear") and n_steps_in <= (p["season_length"] or 1):
            raise InvalidParameterError(
                f"season_length must be smaller than the input window for scaling={p['scaling']!r} (the scale is "
                f"the mean seasonal difference within it); got season_length={p['season_length']} with "
                f"n_steps_in={n_steps_in}."
            )
        try:
            seed = int(check_random_state(self.random_state).randint(0, 2**31 - 1))
        except ValueError as error:
            raise InvalidParameterError(f"random_state cannot seed a generator: got {self.random_state!r} ({error}).") from None

        channels, channel_scores = self._resolve_channels(p, X3, y3, target_features, seed)
        search = search_settings(self, p, X3, y3, seed, channels, target_features) if p["search"] else {}
        if search.get("scores"):
            p.update(scaling="seasonal", season_length=search["season_length"], segment_length=search["segment_length"])
            X3 = X3[:, -search["input_steps"]:]
        net_features = target_features  # the targets' past as the scaler and network see it
        if channels == "independent":
            X3, y3, net_features = to_channels(X3, target_features), targets_to_channels(y3), (0,)
        if p["log"]:
            X3, y3 = positive_log(X3, "X"), positive_log(y3, "y")
        horizon_rows = n_steps_out * (n_targets if channels == "independent" else 1)  # tail rows of one horizon
        n_train = len(X3) - n_validation(len(X3), p["validation_fraction"])
        scaling, season_length, reference_scores = resolve_scaling(
            p["scaling"], p["season_length"], p["decoder"], X3, y3, net_features, len(X3) - n_train, horizon_rows)
        p["segment_length"] = resolve_segment_length(p, X3.shape[1])
        # fitted before the tail, as the network is: the tail it early-stops and judges the
        # network on must be as new to the reference (a linear map, a mean) as to the network
        scaler = make_scaler(scaling, season_length).fit(X3[:n_train], y3[:n_train], net_features)
        Xs, ys, _ = scaler.transform(X3, y3)
        channel_ids = n_targets if channels == "independent" and p["channel_embedding"] else 0
        Xs = add_channel_ids(Xs, n_targets) if channel_ids else Xs
        quantiles = p["quantiles"]
        median_index = 0 if quantiles is None else (quantiles.index(0.5) if 0.5 in quantiles else len(quantiles) // 2)

        if p["blend_linear"] and (n_train == X3.shape[0] or net_features is None):  # refused before training
            self._blend(p, X3, y3, net_features, scaler, Xs, None, median_index, horizon_rows, 1.0)
        p["jit"] = use_xla(p, n_train, self.distribute_strategy)
        # scikit-learn's warm-start rule: continue only a fitted model, and only when asked
        previous = self.network_.get_weights() if p["warm_start"] and hasattr(self, "network_") else None
        with KERAS_LOCK, seeded(seed):
            train_model, network = self._build(p, Xs.shape[1], Xs.shape[2], n_steps_out, y3.shape[2], net_features,
                                               median_index, seed)
            if previous is not None:
                carry_weights(previous, network)
            history, epoch_seconds = train(train_model, p, Xs.astype(np.float32), ys.astype(np.float32), network)
            shrinkage, reference_errors = self._shrinkage(p, scaling, season_length, network, Xs, ys, median_index,
                                                          horizon_rows)
            blend = self._blend(p, X3, y3, net_features, scaler, Xs, network, median_index, horizon_rows, shrinkage)
        if n_train < len(X3) and shrinkage == 0.0:
            # the reference alone forecasts: refitted on every window (as blend_linear's map);
            # a network that corrects it keeps the reference it was trained against
            scaler = make_scaler(scaling, season_length).fit(X3, y3, net_features)

        self.n_features_in_ = n_steps_in * n_features
        remember_feature_names(self, X)
        self.n_steps_in_, self.n_input_features_ = n_steps_in, n_features
        self.n_steps_out_, self.n_targets_ = n_steps_out, n_targets
        self.y_ndim_ = int(y_ndim)
        self.target_features_, self.log_ = target_features, p["log"]
        self.quantiles_ = quantiles
        self.median_index_ = median_index
        self.seed_ = seed
        self.jit_compile_ = bool(train_model.jit_compile)
        self.scaling_, self.season_length_, self.segment_length_ = scaling, season_length, p["segment_length"]
        self.scaler_, self.reference_scores_ = scaler, reference_scores
        self.network_ = network
        self.channels_, self.channel_scores_, self.channel_ids_ = channels, channel_scores, channel_ids
        self.input_steps_ = int(X3.shape[1])
        self.search_scores_, self.search_skipped_ = search.get("scores", {}), search.get("skipped", {})
        self.shrinkage_, self.fallback_, self.reference_errors_ = shrinkage, shrinkage < 1.0, reference_errors
        self.reference_ = reference_name(scaling, season_length) if scaling in ("seasonal", "linear") else None
        self.blend_weight_, self.blend_map_, self.blend_errors_, self.blend_features_ = blend
        self.history_, self.epoch_seconds_ = history, epoch_seconds  # with the rest: a failed fit leaves none
        return self

    def _resolve_channels(self, p: dict, X3, y3, target_features, seed: int) -> tuple[str, dict]:
        """``channels_`` of this fit and the trial scores of ``channels="auto"`` (see
        :func:`~tsforecast.models.channels.choose_channels`)."""
        if p["channels"] == "independent" and target_features is None:
            raise InvalidParameterError(
                "channels='independent' feeds each target's own past to the network, but with fewer input features "
                "than targets it is unknown where that past is; pass target_features=[...]; got target_features=None."
            )
        with KERAS_LOCK:
            return choose_channels(self, p, X3, y3, target_features, seed)

    def _build(self, p, n_steps_in, n_features, n_steps_out, n_targets, target_features, median_index, seed):
        from .networks import NetworkSpec  # Keras is imported on the first fit, not with the package

        spec = NetworkSpec(
            n_steps_in=n_steps_in,
            n_features=n_features,
            n_steps_out=n_steps_out,
            n_targets=n_targets,
            n_quantiles=1 if p["quantiles"] is None else len(p["quantiles"]),
            units=p["units"],
            n_layers=p["n_layers"],
            decoder=p["decoder"],
            segment_length=p["segment_length"],
            reverse_input=p["reverse_input"],
            attention=p["attention"],
            dropout=p["dropout"],
            target_features=target_features,
            median_index=median_index,
            seed=seed,
        )
        return build(p, spec, self.distribute_strategy)

    def _shrinkage(self, p: dict, scaling, season_length: int, network, Xs, ys, median_index: int,
                   block: int) -> tuple[float, dict]:
        """Factor on the network's corrections to its reference forecast (1.0 unless, on the
        validation tail, it does not clearly beat that reference; see :mod:`.fallback`), with
        the tail's errors. Only for point forecasts corrected by ``scaling="seasonal"`` or
        ``"linear"``; ``block``: tail rows of one horizon."""
        n_val = n_validation(len(Xs), p["validation_fraction"])
        if scaling not in ("seasonal", "linear") or p["quantiles"] is not None or n_val < 1:
            return 1.0, {}
        tail = Xs[len(Xs) - n_val:].astype(np.float32)
        out = predict_rows(network, tail)[..., median_index]
        shrinkage, errors = shrinkage_on_tail(out.astype(np.float64), ys[len(Xs) - n_val:], block)
        if shrinkage < 1.0:
            warn_fallback((
                f"EncoderDecoderLSTM: on the validation tail ({n_val} windows) the trained network's scaled MAE "
                f"{errors['network']:.4f} is not clearly below its reference forecast's, the "
                f"{reference_name(scaling, season_length)}: {errors['reference']:.4f}; its corrections are multiplied "
                f"by {shrinkage} (0: the reference itself). See fallback_, shrinkage_ and reference_."))
        return shrinkage, errors

    @staticmethod
    def _blend(p: dict, X3, y3, features, scaler, Xs, network, median_index: int, block: int, shrinkage: float):
        """``blend_weight_``, ``blend_map_``, ``blend_errors_`` and ``blend_features_`` (see
        :mod:`.blend`): the network's weight against the linear map, chosen on the tail."""
        if not p["blend_linear"]:
            return 1.0, None, {}, features
        n_val = n_validation(len(X3), p["validation_fraction"])
        if n_val < 1 or features is None:
            raise InvalidParameterError(
                "blend_linear=True chooses the network's weight on the validation tail and reads the targets' past "
                f"from the inputs; got validation_fraction={p['validation_fraction']} ({n_val} tail windows) and "
                f"target_features {features}.")
        tail = slice(len(X3) - n_val, None)
        raw = predict_rows(network, Xs[tail].astype(np.float32)).astype(np.float64) * shrinkage
        net = scaler.inverse(raw, scaler.transform(X3[tail])[2])[..., median_index]
        weight, weights, errors = blend_linear_map(net, X3, y3, features, n_val, block, p["loss"] == "mse")
        return weight, weights, errors, features

    # ------------------------------------------------------------------ predict

    def _predict_all(self, X) -> np.ndarray:
        """Unscaled predictions of every quantile, shape (n, n_steps_out_, n_targets_, n_quantiles)."""
        check_is_fitted(self, "network_")
        X3 = self._check_X(X, fitted=True)
        log = getattr(self, "log_", getattr(self, "log", False))  # as fitted (a file saved before log_: log)
        if log:
            X3 = positive_log(X3, "X")
        X3 = X3[:, -getattr(self, "input_steps_", self.n_steps_in_):]
        independent = getattr(self, "channels_", "joint") == "independent"
        if independent:
            X3 = to_channels(X3, self.target_features_)
        Xs, _, context = self.scaler_.transform(X3)
        Xs = (add_channel_ids(Xs, self.n_targets_) if getattr(self, "channel_ids_", 0) else Xs).astype(np.float32)
        with KERAS_LOCK:
            raw = predict_rows(self.network_, Xs).astype(np.float64) * getattr(self, "shrinkage_", 1.0)
        pred = self.scaler_.inverse(raw, context)
        if getattr(self, "blend_weight_", 1.0) < 1.0:
            pred = blend_with_map(pred, X3, self.blend_map_, self.blend_features_, self.blend_weight_,
                                  self.median_index_)
        pred = from_channels(pred, self.n_targets_) if independent else pred
        return np.exp(pred) if log else pred

    def _restore_shape(self, pred: np.ndarray) -> np.ndarray:
        """(n, H, K, ...) -> the layout y had in fit, with any trailing quantile axis kept."""
        tail = pred.shape[3:]
        if self.y_ndim_ == 1:
            return pred.reshape((pred.shape[0],) + tail)
        if self.y_ndim_ == 2:
            return pred.reshape((pred.shape[0], pred.shape[1]) + tail)
        return pred

    def predict(self, X) -> np.ndarray:
        """Point forecasts (the median with ``quantiles``) in the shape ``y`` had in fit.

        Parameters
        ----------
        X : array-like of shape (n, n_steps_in_, n_input_features_) or (n, n_steps_in_)

        Returns
        -------
        ndarray of shape (n, n_steps_out_, n_targets_), (n, n_steps_out_) or (n,)
        """
        pred = self._predict_all(X)
        return self._restore_shape(pred[..., self.median_index_])

    def predict_quantiles(self, X) -> np.ndarray:
        """Every fitted quantile, non-crossing, on a last axis ordered as ``quantiles_``.

        Returns
        -------
        ndarray of shape ``y.shape + (len(quantiles_),)`` (``y`` as given in fit)
        """
        check_is_fitted(self, "network_")
        if self.quantiles_ is None:
            raise InvalidParameterError(
                "quantiles is None: this model gives point forecasts only; refit it with quantiles=(0.1, 0.5, 0.9) "
                "or similar to call predict_quantiles."
            )
        return self._restore_shape(self._predict_all(X))

    def score(self, X, y, sample_weight=None) -> float:
        """R² of the predictions over all steps and targets (uniform average)."""
        from sklearn.metrics import r2_score

        check_is_fitted(self, "network_")
        y_true = as_float_array(y, "y", (1, 2, 3))
        y_pred = self.predict(X)
        y3 = self._check_y(y_true, len(y_pred))
        if y3.shape[1:] != (self.n_steps_out_, self.n_targets_):
            raise ShapeMismatchError(
                f"y must have n_steps_out={self.n_steps_out_} step(s) of {self.n_targets_} target(s) as in fit; "
                f"got y of shape {y_true.shape}."
            )
        return float(r2_score(y_true.reshape(len(y_true), -1), y_pred.reshape(len(y_pred), -1), sample_weight=sample_weight))

    # ------------------------------------------------------------------ sklearn plumbing

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True  # y may hold several steps and targets
        tags.regressor_tags.poor_score = True  # a few epochs on tabular test data are not a fair bar
        return tags

    def __sklearn_clone__(self):
        # A tf.distribute.Strategy is a handle on devices: share it, copy the rest.
        params = self.get_params(deep=False)
        return type(self)(
            **{k: (v if k == "distribute_strategy" else clone(v, safe=False)) for k, v in params.items()}
        )

    def __getstate__(self):
        # keras.Model pickles itself (its .keras bytes); a distribution strategy cannot.
        state = super().__getstate__().copy()
        state["distribute_strategy"] = None
        return state
