"""Scalers of windows ``X (n, T, F)`` and targets ``y (n, H, K)`` inside the estimator.

They are fitted on the training windows only, so a backtest never lets later data shape
the scale of an earlier forecast, and they invert the network's output. Their state is a
handful of arrays, saved by :mod:`tsforecast.storage.model_files` beside the network.

The input features named by ``target_features`` are the targets' own past: they share
the targets' statistics, so the feedback decoder reads observed and predicted values on
one scale.
"""

from __future__ import annotations

import numpy as np

from .trials import clearly_positive

__all__ = ["SCALINGS", "LinearWindowScaler", "MeanWindowScaler", "SeasonalWindowScaler", "StandardWindowScaler",
           "WindowScaler", "LastValueScaler", "fit_linear_map", "linear_forecast", "make_scaler", "reference_on_tail", "resolve_scaling",
           "seasonal_naive_beats_naive"]

#: Accepted values of ``EncoderDecoderLSTM(scaling=...)``.
SCALINGS = ("standard", "window", "mean", "seasonal", "linear", "last", None)

#: Ridge penalty of the linear reference, relative to the mean diagonal of its Gram matrix:
#: small enough to leave a well-determined map as least squares, large enough to keep a
#: map from fewer windows than look-back steps finite.
LINEAR_RIDGE = 1e-3

_TINY = 1e-8


def _safe_scale(std: np.ndarray, level: np.ndarray) -> np.ndarray:
    """Spread to divide by: a flat feature is divided by 1 (left as is) instead of by 0."""
    flat = std <= _TINY * (1.0 + np.abs(level))
    return np.where(flat, 1.0, std)


class IdentityScaler:
    """``scaling=None``: the data reach the network unchanged."""

    def fit(self, X: np.ndarray, y: np.ndarray, target_features) -> "IdentityScaler":
        return self

    def transform(self, X: np.ndarray, y: np.ndarray | None = None):
        return X, y, None

    def inverse(self, pred: np.ndarray, context) -> np.ndarray:
        return pred

    def get_arrays(self) -> dict[str, np.ndarray]:
        return {}

    def set_arrays(self, arrays: dict[str, np.ndarray]) -> "IdentityScaler":
        return self


class StandardWindowScaler(IdentityScaler):
    """``scaling="standard"``: each feature and target by its mean and standard deviation
    over all training windows (one set of statistics, learned in ``fit``).

    Examples
    --------
    >>> X = np.arange(12.0).reshape(2, 3, 2); y = np.ones((2, 1, 1))
    >>> s = StandardWindowScaler().fit(X, y, target_features=None)
    >>> Xs, ys, ctx = s.transform(X, y)
    >>> bool(np.allclose(Xs.mean(axis=(0, 1)), 0))
    True
    """

    def fit(self, X, y, target_features):
        self.x_mean_ = X.mean(axis=(0, 1))
        self.x_scale_ = _safe_scale(X.std(axis=(0, 1)), self.x_mean_)
        if target_features is None:
            self.y_mean_ = y.mean(axis=(0, 1))
            self.y_scale_ = _safe_scale(y.std(axis=(0, 1)), self.y_mean_)
        else:
            # the targets' past in X sets the scale of the targets, so both agree
            self.y_mean_ = self.x_mean_[list(target_features)].copy()
            self.y_scale_ = self.x_scale_[list(target_features)].copy()
        return self

    def transform(self, X, y=None):
        Xs = (X - self.x_mean_) / self.x_scale_
        ys = None if y is None else (y - self.y_mean_) / self.y_scale_
        return Xs, ys, None

    def inverse(self, pred, context):
        # pred: (n, H, K, Q)
        return pred * self.y_scale_[:, None] + self.y_mean_[:, None]

    def get_arrays(self):
        return {"x_mean": self.x_mean_, "x_scale": self.x_scale_, "y_mean": self.y_mean_, "y_scale": self.y_scale_}

    def set_arrays(self, arrays):
        self.x_mean_, self.x_scale_ = arrays["x_mean"], arrays["x_scale"]
        self.y_mean_, self.y_scale_ = arrays["y_mean"], arrays["y_scale"]
        return self


class WindowScaler(IdentityScaler):
    """``scaling="window"``: each window by its own level (mean) and spread (standard
    deviation) computed from its *input* part only, per feature; a target is scaled and
    rescaled by the statistics of its own past (its ``target_features`` column).

    Nothing is learned, so a model trained this way is equivariant to positive scaling
    and shifting of a whole window: ``predict(a * X + b) == a * predict(X) + b``; one
    global network serves series of any scale. A flat input feature has spread 1.

    Examples
    --------
    >>> X = np.array([[[1.0], [3.0]]]); y = np.array([[[5.0]]])
    >>> Xs, ys, ctx = WindowScaler().fit(X, y, target_features=(0,)).transform(X, y)
    >>> Xs.ravel().tolist(), ys.ravel().tolist()
    ([-1.0, 1.0], [3.0])
    """

    def fit(self, X, y, target_features):
        self.target_features_ = np.asarray(target_features, dtype=np.int64)
        return self

    def transform(self, X, y=None):
        level = X.mean(axis=1, keepdims=True)
        scale = _safe_scale(X.std(axis=1, keepdims=True), level)
        Xs = (X - level) / scale
        y_level = level[:, :, self.target_features_]  # (n, 1, K)
        y_scale = scale[:, :, self.target_features_]
        ys = None if y is None else (y - y_level) / y_scale
        return Xs, ys, (y_level, y_scale)

    def inverse(self, pred, context):
        y_level, y_scale = context
        return pred * y_scale[..., None] + y_level[..., None]

    def get_arrays(self):
        return {"target_features": self.target_features_}

    def set_arrays(self, arrays):
        self.target_features_ = np.asarray(arrays["target_features"], dtype=np.int64)
        return self


class MeanWindowScaler(WindowScaler):
    """``scaling="mean"``: each window divided by the mean absolute value of its input
    part, per feature (no shift; the classic normalisation of positive data such as
    counts or loads). Equivariant to positive scaling ``predict(a * X) == a * predict(X)``.

    Examples
    --------
    >>> X = np.array([[[1.0], [3.0]]]); y = np.array([[[4.0]]])
    >>> Xs, ys, ctx = MeanWindowScaler().fit(X, y, target_features=(0,)).transform(X, y)
    >>> Xs.ravel().tolist(), ys.ravel().tolist()
    ([0.5, 1.5], [2.0])
    """

    def transform(self, X, y=None):
        scale = np.abs(X).mean(axis=1, keepdims=True)
        scale = np.where(scale <= _TINY, 1.0, scale)  # an all-zero input stays as is
        y_scale = scale[:, :, self.target_features_]
        ys = None if y is None else y / y_scale
        return X / scale, ys, (np.zeros_like(y_scale), y_scale)


class LastValueScaler(WindowScaler):
    """``scaling="last"``: each window less the last value of its input part, per feature
    (SegRNN's normalisation, Lin et al. 2023): no division, so a loss on the network's
    output is the loss on the data's own units, and a network output of 0 is the naive
    (last value) forecast. Equivariant to a shift, ``predict(X + b) == predict(X) + b``.

    Examples
    --------
    >>> X = np.array([[[1.0], [3.0]]]); y = np.array([[[5.0]]])
    >>> Xs, ys, ctx = LastValueScaler().fit(X, y, target_features=(0,)).transform(X, y)
    >>> Xs.ravel().tolist(), ys.ravel().tolist()
    ([-2.0, 0.0], [2.0])
    """

    def transform(self, X, y=None):
        last = X[:, -1:]
        y_last = last[:, :, self.target_features_]
        ys = None if y is None else y - y_last
        return X - last, ys, (y_last, np.ones_like(y_last))


class SeasonalWindowScaler(WindowScaler):
    """``scaling="seasonal"``: the network learns corrections to the seasonal naive
    forecast, in units of the window's own seasonal naive error (MASE-like).

    Per window and feature, with ``m = season_length``: the level is the mean of the
    last ``m`` input steps and the scale is the mean absolute seasonal difference
    ``|x_t - x_{t-m}|`` over the input (the denominator of MASE, measured on the
    window). Inputs become ``(x - level) / scale``; a target becomes its deviation from
    the seasonal naive forecast (the last season of its past, repeated) divided by the
    same scale. So a network that outputs 0 forecasts the seasonal naive, and an MAE loss
    is the MASE of each window: series of every scale and noise weigh alike. ``m = 1``
    gives corrections to the naive (last value) forecast in units of the mean absolute
    step. Needs ``n_steps_in > season_length``.

    Examples
    --------
    >>> X = np.array([[[1.0], [2.0], [1.0], [3.0]]]); y = np.array([[[2.0], [4.0]]])
    >>> s = SeasonalWindowScaler(season_length=2).fit(X, y, target_features=(0,))
    >>> Xs, ys, ctx = s.transform(X, y)
    >>> ys.ravel().tolist()  # (2 - 1) / 0.5 and (4 - 3) / 0.5
    [2.0, 2.0]
    >>> s.inverse(ys[..., None], ctx).ravel().tolist()
    [2.0, 4.0]
    """

    def __init__(self, season_length: int = 1):
        self.season_length = season_length

    def fit(self, X, y, target_features):
        super().fit(X, y, target_features)
        self.n_steps_out_ = int(y.shape[1])
        return self

    def transform(self, X, y=None):
        m = int(self.season_length)
        level = X[:, -m:].mean(axis=1, keepdims=True)
        spread = np.abs(X[:, m:] - X[:, :-m]).mean(axis=1, keepdims=True)
        # A window without seasonal change (flat) keeps its scale relative to its level.
        scale = np.where(spread <= _TINY * (1.0 + np.abs(level)), np.maximum(np.abs(level), 1.0), spread)
        base = self._reference(X)  # (n, H, K)
        y_scale = scale[:, :, self.target_features_]
        ys = None if y is None else (y - base) / y_scale
        return (X - level) / scale, ys, (base, y_scale)

    def _reference(self, X: np.ndarray) -> np.ndarray:
        """The forecast the network corrects, ``(n, H, K)``: the seasonal naive (the last
        season of each target's past, repeated)."""
        m = int(self.season_length)
        last_season = X[:, -m:, self.target_features_]  # (n, m, K)
        return last_season[:, np.arange(self.n_steps_out_) % m]

    def inverse(self, pred, context):
        base, y_scale = context
        return pred * y_scale[..., None] + base[..., None]

    def get_arrays(self):
        return {"target_features": self.target_features_,
                "season_length": np.asarray(self.season_length, dtype=np.int64),
                "n_steps_out": np.asarray(self.n_steps_out_, dtype=np.int64)}

    def set_arrays(self, arrays):
        super().set_arrays(arrays)
        self.season_length = int(arrays["season_length"])
        self.n_steps_out_ = int(arrays["n_steps_out"])
        return self


def fit_linear_map(X: np.ndarray, y: np.ndarray, target_features) -> np.ndarray:
    """Least-squares map ``(L, H)`` from a target's past, less its last value, to its
    future less the same value (NLinear, Zeng et al., 2023), shared by every target.

    Closed form (ridge :data:`LINEAR_RIDGE`) over every window and target of ``X (n, L, F)``
    and ``y (n, H, K)``: only the windows given are read, so a fit on training windows
    cannot see later data.

    Examples
    --------
    >>> x = np.arange(30.0)  # a straight line: the next value is the last plus one
    >>> X = np.stack([x[i : i + 4] for i in range(20)])[..., None]
    >>> y = np.stack([x[i + 4 : i + 6] for i in range(20)])[..., None]
    >>> np.round(linear_forecast(X[:1], fit_linear_map(X, y, (0,)), (0,)).ravel(), 3).tolist()
    [4.0, 5.0]
    """
    past = X[:, :, list(target_features)]  # (n, L, K)
    last = past[:, -1:]
    inputs = (past - last).transpose(0, 2, 1).reshape(-1, past.shape[1])  # (n * K, L)
    outputs = (y - last).transpose(0, 2, 1).reshape(-1, y.shape[1])  # (n * K, H)
    gram = inputs.T @ inputs
    ridge = LINEAR_RIDGE * np.trace(gram) / len(gram) + _TINY
    return np.linalg.solve(gram + ridge * np.eye(len(gram)), inputs.T @ outputs)


def linear_forecast(X: np.ndarray, weights: np.ndarray, target_features) -> np.ndarray:
    """The forecast ``(n, H, K)`` of the map of :func:`fit_linear_map` for windows ``X``."""
    past = X[:, :, list(target_features)]
    last = past[:, -1:]
    return np.einsum("nlk,lh->nhk", past - last, weights) + last


class LinearWindowScaler(SeasonalWindowScaler):
    """``scaling="linear"``: the network learns corrections to a linear forecast fitted in
    closed form on the training windows (:func:`fit_linear_map`: NLinear's map from the
    look-back to the horizon, shared by all targets), in units of the window's mean
    absolute seasonal difference, as :class:`SeasonalWindowScaler` does for the seasonal
    naive. A network that outputs 0 forecasts the linear reference; the long-horizon
    benchmarks found such a map as accurate as most deep models (DLinear, NLinear).

    Examples
    --------
    >>> x = np.arange(30.0)
    >>> X = np.stack([x[i : i + 4] for i in range(20)])[..., None]
    >>> y = np.stack([x[i + 4 : i + 6] for i in range(20)])[..., None]
    >>> s = LinearWindowScaler().fit(X, y, target_features=(0,))
    >>> Xs, ys, ctx = s.transform(X, y)
    >>> bool(np.abs(ys).max() < 1e-3)  # the line is the reference: nothing left to correct
    True
    """

    def fit(self, X, y, target_features):
        super().fit(X, y, target_features)
        self.weights_ = fit_linear_map(X, y, self.target_features_)
        return self

    def _reference(self, X):
        return linear_forecast(X, self.weights_, self.target_features_)

    def get_arrays(self):
        return {**super().get_arrays(), "weights": self.weights_}

    def set_arrays(self, arrays):
        super().set_arrays(arrays)
        self.weights_ = np.asarray(arrays["weights"], dtype=np.float64)
        return self


def make_scaler(scaling: str | None, season_length: int | None = None) -> IdentityScaler:
    """The scaler object of a ``scaling`` choice (see :data:`SCALINGS`); ``season_length``
    is used by ``"seasonal"`` and ``"linear"`` only (restored from the saved arrays when
    not given)."""
    if scaling == "seasonal":
        return SeasonalWindowScaler(season_length or 1)
    if scaling == "linear":
        return LinearWindowScaler(season_length or 1)
    return {"standard": StandardWindowScaler, "window": WindowScaler, "mean": MeanWindowScaler,
            "last": LastValueScaler, None: IdentityScaler}[scaling]()


def seasonal_naive_beats_naive(X: np.ndarray, y: np.ndarray, target_features, season_length: int) -> bool:
    """True when the seasonal naive forecast of the training windows' targets (the last
    ``season_length`` steps of their past, repeated) has a lower mean absolute error than
    the naive one (the last value), over all windows, steps and targets.

    ``EncoderDecoderLSTM(scaling="auto")`` uses it to decide, on the training data only,
    whether the network corrects the seasonal naive forecast or the naive one.

    Examples
    --------
    >>> x = np.tile([0.0, 5.0, 1.0, 6.0], 6)  # low, high, low...: lag 2 is close, lag 3 is not
    >>> X = np.stack([x[i : i + 8] for i in range(12)])[..., None]
    >>> y = np.stack([x[i + 8 : i + 10] for i in range(12)])[..., None]
    >>> seasonal_naive_beats_naive(X, y, (0,), 2), seasonal_naive_beats_naive(X, y, (0,), 3)
    (True, False)
    """
    m = int(season_length)
    past = X[:, -m:, list(target_features)]  # (n, m, K)
    seasonal = past[:, np.arange(y.shape[1]) % m]
    return bool(np.abs(y - seasonal).mean() < np.abs(y - past[:, -1:]).mean())


def reference_on_tail(X: np.ndarray, y: np.ndarray, target_features, season_length: int, n_tail: int,
                      block: int = 1) -> tuple[str, dict[str, float]]:
    """``"linear"`` or ``"seasonal"``: the reference ``scaling="auto"`` has the network
    correct, chosen on the chronological tail of the training windows, with the tail's
    mean absolute errors of each reference tried.

    The linear map is fitted on the windows before the last ``n_tail`` ones and scored on
    those against the (seasonal) naive forecast of ``season_length``; it is kept only when
    its error is lower by more than the noise: over blocks of ``block`` tail rows (the
    rows of one horizon, which share target values), by more than two standard errors
    (:func:`~.trials.clearly_positive`; at most a quarter of the tail per block), as the
    channel choice does: the naive references stay the default for data we know nothing
    of. It is not tried (``"seasonal"``, no scores) without a tail or with
    fewer fitting rows (windows times targets) than look-back steps, where a map of
    ``L * H`` weights would be set by too few windows.

    Examples
    --------
    >>> x = np.arange(60.0) + np.sin(np.arange(60.0))  # a trend: the naive forecast lags it
    >>> X = np.stack([x[i : i + 8] for i in range(50)])[..., None]
    >>> y = np.stack([x[i + 8 : i + 10] for i in range(50)])[..., None]
    >>> reference_on_tail(X, y, (0,), 1, n_tail=10, block=2)[0]
    'linear'
    """
    n_fit = len(X) - n_tail
    if n_tail < 1 or n_fit * len(target_features) < X.shape[1]:
        return "seasonal", {}
    naive = SeasonalWindowScaler(season_length).fit(X[:1], y[:1], target_features)._reference(X[n_fit:])
    linear = linear_forecast(X[n_fit:], fit_linear_map(X[:n_fit], y[:n_fit], target_features), target_features)
    errors = {"seasonal": np.abs(y[n_fit:] - naive).mean(axis=(1, 2)),
              "linear": np.abs(y[n_fit:] - linear).mean(axis=(1, 2))}
    scores = {name: float(e.mean()) for name, e in errors.items()}
    # at least four blocks: a tail shorter than a few horizons (ETTh1 at H=720) still
    # decides, on blocks that then share some target rows
    wins = clearly_positive(errors["seasonal"] - errors["linear"], max(1, min(block, n_tail // 4)))
    return ("linear" if wins else "seasonal"), scores


def resolve_scaling(scaling: str | None, season_length: int | None, decoder: str, X: np.ndarray, y: np.ndarray,
                    target_features, n_tail: int, block: int = 1) -> tuple[str | None, int, dict[str, float]]:
    """``scaling_``, ``season_length_`` and ``reference_scores_`` of one fit of
    ``EncoderDecoderLSTM`` (``scaling="auto"`` resolved on its windows ``X``, ``y``).

    ``"auto"`` learns corrections to the seasonal naive forecast when the season fits
    in the window and that forecast beats the naive one on the training windows
    (hourly loads), else corrections to the naive forecast (season 1: a trend, or
    weather, whose last value says more than last week's); either is replaced by
    ``"linear"`` when the linear map clearly beats it on the validation tail of ``n_tail``
    windows (blocks of ``block`` rows; :func:`reference_on_tail`). Plain ``"window"`` where the targets cannot be
    corrected (the feedback decoder, a window of one step), and ``"standard"`` where
    the inputs do not hold the targets' past.
    """
    season = season_length or 1
    if scaling != "auto":
        return scaling, season if scaling in ("seasonal", "linear") else 1, {}
    if target_features is None:
        return "standard", 1, {}
    if decoder == "feedback" or X.shape[1] < 2:
        return "window", 1, {}
    if season > 1 and (season >= X.shape[1] or not seasonal_naive_beats_naive(X, y, target_features, season)):
        season = 1
    chosen, scores = reference_on_tail(X, y, target_features, season, n_tail, block)
    return chosen, season, scores
