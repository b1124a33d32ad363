"""``WindowForecaster``: a window regressor behind the DataFrame forecaster contract.

The forecaster cuts each series into windows of ``n_steps_in`` input steps followed by
``n_steps_out`` target steps (never across two series of a panel), fits ONE global
estimator on the windows of all series and forecasts the steps after the end of each
series. The estimator is :class:`tsforecast.EncoderDecoderLSTM` by default; any
scikit-learn regressor works too (its windows are flattened to rows, for example
``Ridge()`` is then a linear direct multi-step model).

Inputs are three kinds of columns, in this order in every window:

- targets: the columns of ``y`` that are forecast (all of ``y`` by default);
- past-observed covariates (``covariates``): known up to the forecast origin only;
- future-known covariates (``future_covariates``): calendar features, planned prices,
  known for the forecast steps too, and therefore required in ``X`` by ``predict``.

The future-known covariates of the ``n_steps_out`` forecast steps enter the model in
addition to their past values: a flattened estimator gets them appended to its row;
a sequence estimator (one whose scikit-learn tags accept 3-D input, like the LSTM)
gets them as extra input features, shifted by ``n_steps_out`` steps: the value of a
future covariate at input step ``t`` is its value at ``t + n_steps_out``, so the last
``n_steps_out`` input steps carry the covariates of the forecast steps. This keeps the
estimator interface ``fit(X, y)`` and works with any sequence estimator; it needs
``n_steps_in >= n_steps_out`` for the shift to cover every forecast step.

A horizon longer than ``n_steps_out`` is forecast recursively: each block of forecasts is
fed back as input to the next block. That is possible only when every input is a target
or a future-known covariate.
"""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from ._panel import as_series_dict, calendar_stamps
from ._params import Integer, Options, Unchecked, validate_params
from ._timeindex import season_length_of_freq
from ._validation import FILL_POLICIES, MAX_MAGNITUDE, check_magnitude
from .base import BaseForecaster, check_quantiles, quantile_column
from .exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    ShapeMismatchError,
    UnknownColumnError,
)
from .panel import ID_COLUMN, SINGLE_SERIES_ID, TIME_COLUMN, check_same_columns
from .windowing import make_windows

__all__ = ["WindowForecaster"]


def _names(value, name: str) -> list | None:
    """A column-name parameter as a list (a single name is accepted); ``None`` stays ``None``."""
    if value is None:
        return None
    if isinstance(value, (str, int, np.integer)):
        return [value]
    try:
        names = list(value)
    except TypeError:
        raise InputTypeError(f"{name} must be a column name or a list of names; got {value!r}.") from None
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"{name} names a column twice; got {value!r}.")
    return names


def _stamps(index: pd.Index) -> np.ndarray:
    """Timestamps of a time index as comparable int64 (nanoseconds in UTC, or integer time)."""
    if isinstance(index, pd.DatetimeIndex):
        return index.as_unit("ns").asi8
    return np.asarray(index, dtype=np.int64)


def _takes_sequences(estimator) -> bool:
    """True if the estimator takes (samples, steps, features) windows, declared by the
    scikit-learn input tag ``three_d_array``; :class:`EncoderDecoderLSTM` always does."""
    try:
        if estimator.__sklearn_tags__().input_tags.three_d_array:
            return True
    except AttributeError:
        pass
    models = sys.modules.get(f"{__package__}.models")  # loaded whenever an LSTM exists
    return models is not None and isinstance(estimator, models.EncoderDecoderLSTM)


def _only_columns(X, names: list):
    """``X`` restricted to ``names`` (when it has them all), so that other columns, for
    example past-observed covariates left empty after the cutoff, are not validated."""
    def pick(frame):
        if isinstance(frame, pd.DataFrame) and all(c in frame.columns for c in names):
            keep = [c for c in frame.columns if c in (ID_COLUMN, TIME_COLUMN)] + list(names)
            return frame[keep]
        return frame

    if isinstance(X, dict):
        return {key: pick(value) for key, value in X.items()}
    return pick(X)


class WindowForecaster(BaseForecaster):
    """Forecast one series or a panel with a global window regressor.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The window regressor. ``None`` uses :class:`tsforecast.EncoderDecoderLSTM` with
        its defaults (per-window scaling, so one model serves series of different
        levels). An estimator with a ``season_length`` parameter left at ``None`` (the
        LSTM's default) gets the season of the data's frequency (``season_length_``). A
        scikit-learn regressor gets flattened windows: row = ``n_steps_in`` x inputs
        (+ ``n_steps_out`` x future covariates), target = ``n_steps_out`` x targets.
        An estimator with ``warm_start=True`` keeps training across calls to ``fit``.
    n_steps_in : int, default=24
        Input steps per window (how far back the model looks).
    n_steps_out : int, default=12
        Steps forecast at once. Longer horizons are forecast recursively.
    targets : str or list, optional
        The columns of ``y`` to forecast; default: every column of ``y`` that is not
        named as a covariate.
    covariates : str or list, optional
        Past-observed covariates (columns of ``y`` or ``X``), used as inputs up to the
        forecast origin; default: every other column of ``y`` and ``X`` that is not a
        target or future-known covariate.
    future_covariates : str or list, optional
        Future-known covariates (columns of ``X``, or of ``y``): inputs whose values for
        the forecast steps are known in advance; ``predict`` then requires ``X``.
    fill : {None, "ffill", "interpolate"}, default=None
        How missing values in ``y`` and ``X`` are repaired; ``None`` refuses them.
    on_short : {"raise", "skip"}, default="raise"
        A series of a panel shorter than ``n_steps_in`` raises
        :class:`~tsforecast.exceptions.InsufficientDataError`, or with ``"skip"`` is
        left out (not fitted, not forecast) with a
        :class:`~tsforecast.exceptions.SkippedSeriesWarning` naming it.
    window_stride : int, default=1
        Steps between the ends of consecutive training windows of a series, counted back
        from its last window (which is always kept). A long series gives nearly as much
        information with a stride of a few steps at a fraction of the training time.
    max_windows : int or None, default=None
        Train on at most the latest ``max_windows`` windows of each series (after the
        stride): recent behaviour only, and a cap on training time. ``None``: all.

    Attributes
    ----------
    estimator_ : estimator
        The fitted window regressor.
    season_length_ : int
        The usual seasonal period of the data's frequency: 24 hourly, 48 half-hourly,
        7 daily, 5 business-daily, 52 weekly, 12 monthly, 4 quarterly, else 1 (integer
        time, yearly data). Given to an estimator whose ``season_length`` is ``None``
        (or to its members: any ``*__season_length`` parameter left ``None``), from
        which :class:`~tsforecast.EncoderDecoderLSTM` derives its scaling and segment
        length.
    target_names_, past_covariates_, future_covariates_ : list
        The resolved column roles; the input features are these three, in order.
    n_windows_ : int
        Number of training windows (summed over series).
    series_ids_ : list
        The series forecast by ``predict`` (those of the latest ``fit`` or ``update``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from sklearn.linear_model import Ridge
    >>> y = pd.Series(np.sin(np.arange(100) / 4), index=pd.date_range("2024", periods=100, freq="D"))
    >>> model = WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4).fit(y)
    >>> forecast = model.predict(6)
    >>> forecast.index[0], len(forecast)
    (Timestamp('2024-04-10 00:00:00'), 6)
    """

    uses_covariates = True
    fits_globally = True  # one estimator for all series of a panel
    _parameter_constraints = {
        "estimator": Unchecked("a scikit-learn regressor or None: checked by _make_estimator before windowing"),
        "n_steps_in": Integer(minimum=1),
        "n_steps_out": Integer(minimum=1),
        "targets": Unchecked("column names: checked against the data's columns in fit"),
        "covariates": Unchecked("column names: checked against the data's columns in fit"),
        "future_covariates": Unchecked("column names: checked against the data's columns in fit"),
        "fill": Options(FILL_POLICIES),
        "on_short": Options(("raise", "skip")),
        "window_stride": Integer(minimum=1),
        "max_windows": Integer(minimum=1, allow_none=True),
    }

    def __init__(
        self,
        estimator=None,
        n_steps_in: int = 24,
        n_steps_out: int = 12,
        targets=None,
        covariates=None,
        future_covariates=None,
        fill: str | None = None,
        on_short: str = "raise",
        window_stride: int = 1,
        max_windows: int | None = None,
    ):
        self.estimator = estimator
        self.n_steps_in = n_steps_in
        self.n_steps_out = n_steps_out
        self.targets = targets
        self.covariates = covariates
        self.future_covariates = future_covariates
        self.fill = fill
        self.on_short = on_short
        self.window_stride = window_stride
        self.max_windows = max_windows

    # -- capabilities -----------------------------------------------------------
    @property
    def supports_quantiles(self) -> bool:
        """True when the estimator gives quantile forecasts (``quantiles`` set)."""
        estimator = getattr(self, "estimator_", self.estimator)
        return bool(
            estimator is not None
            and hasattr(estimator, "predict_quantiles")
            and getattr(estimator, "quantiles", None)
        )

    @property
    def history_(self) -> dict:
        """The estimator's training curves (``{"loss": [...], "val_loss": [...]}``)."""
        check_is_fitted(self)
        try:
            return self.estimator_.history_
        except AttributeError:
            raise AttributeError(f"{type(self.estimator_).__name__} keeps no history_.") from None

    # -- fitting ----------------------------------------------------------------
    def fit(self, y, X=None):
        """Fit the estimator on the windows of every series of ``y``.

        Parameters
        ----------
        y : Series, DataFrame, panel DataFrame or dict
            The target series (and optionally past covariates as extra columns).
        X : same form as ``y``, optional
            Covariates, aligned with ``y`` by timestamp (it may extend beyond ``y``).

        Returns
        -------
        self
        """
        n_in, n_out = self._check_steps()
        self._make_estimator()  # a wrong estimator fails before the data are windowed
        panel = self._fit_panel(y, min_length=n_in, fill=self.fill, on_short=self.on_short)
        if X is None and panel.time.kind != "mixed":
            # One values array for all series: windows are cut from it directly.
            self._check_panel_magnitude(panel)
            self._resolve_roles(list(panel.columns), [])
            self._check_future_shift(n_in, n_out)
            inputs = self._panel_inputs(panel)
            features, targets = self._panel_windows(inputs, panel)
            last_inputs = self._panel_last_inputs(inputs, panel)
        else:  # covariates in X are aligned on each series' timestamps
            frames = panel.to_frames()
            y_columns = check_same_columns(frames, "y")
            covariates = self._covariate_frames(X, frames, "X")
            for name, group in (("y", frames), ("X", covariates or {})):
                for key, frame in group.items():  # window regressors square values: refuse what overflows
                    where = name if len(group) == 1 else f"{name} series {key!r}"
                    for column in frame.columns:
                        check_magnitude(frame[column].to_numpy(), f"{where} column {column!r}")
            x_columns = check_same_columns(covariates, "X") if covariates else []
            self._resolve_roles(y_columns, x_columns)
            self._check_future_shift(n_in, n_out)
            inputs = {key: self._input_array(frame, covariates.get(key)) for key, frame in frames.items()}
            features, targets = self._training_windows(frames, inputs)
            last_inputs = self._last_rows(inputs)
        self.estimator_ = self._fitted_estimator(features, targets)
        self.n_windows_ = int(len(features))
        self._last_inputs_ = last_inputs
        return self

    def _check_future_shift(self, n_in: int, n_out: int) -> None:
        if self.future_covariates_ and _takes_sequences(self._make_estimator()) and n_in < n_out:
            raise InvalidParameterError(
                f"n_steps_in must be >= n_steps_out for future covariates with a sequence estimator "
                f"(they are shifted by n_steps_out into the input window); got n_steps_in={n_in}, "
                f"n_steps_out={n_out}."
            )

    def update(self, y, X=None):
        """Replace the data forecasts start from, without refitting.

        ``predict`` then forecasts the steps after the end of ``y``. The series may
        differ from those of ``fit`` (the model is global); each needs at least
        ``n_steps_in`` rows and the columns used in ``fit`` (dates: at fit's frequency).

        Returns
        -------
        self
        """
        check_is_fitted(self)
        # All or nothing: bad data leaves the previous inputs in place.
        # (A model loaded from a file lacks the training panel: absent names stay absent.)
        saved = {name: vars(self)[name] for name in self._INPUT_STATE if name in vars(self)}
        try:
            panel = self._fit_panel(y, min_length=self.n_steps_in_, fill=self.fill, on_short=self.on_short)
            panel.time.check_same_freq(saved.get("time_axis_"), "y")
            self.target_names_ = saved["target_names_"]  # the roles stay those of fit
            if X is None and panel.time.kind != "mixed":
                self._last_inputs_ = self._panel_last_inputs(self._panel_inputs(panel), panel)
            else:
                frames = panel.to_frames()
                covariates = self._covariate_frames(X, frames, "X")
                self._last_inputs_ = self._last_rows(
                    {key: self._input_array(frame, covariates.get(key)) for key, frame in frames.items()})
        except BaseException:
            for name in self._INPUT_STATE:
                if name in saved:
                    setattr(self, name, saved[name])
                else:
                    vars(self).pop(name, None)
            raise
        return self

    # What update replaces (set by _fit_panel and the last inputs; the training panel and
    # the conformal calibrations made on it, too).
    _INPUT_STATE = ("input_form_", "series_ids_", "target_names_", "n_series_", "time_axis_", "n_obs_",
                    "_last_inputs_", "_training_panel_", "_conformal_cache_")

    def _check_steps(self) -> tuple[int, int]:
        """Every declared parameter checked (the one validator); the window lengths set."""
        p = validate_params(self)
        self.n_steps_in_, self.n_steps_out_ = p["n_steps_in"], p["n_steps_out"]
        return self.n_steps_in_, self.n_steps_out_

    def _make_estimator(self):
        if self.estimator is not None:
            if not (hasattr(self.estimator, "get_params") and callable(getattr(self.estimator, "fit", None))
                    and callable(getattr(self.estimator, "predict", None))):
                raise InputTypeError(
                    "estimator must be a scikit-learn regressor (get_params, fit, predict) or None; "
                    f"got {self.estimator!r} of type {type(self.estimator).__name__}."
                )
            return self.estimator
        from .models import EncoderDecoderLSTM  # imports Keras: only when needed

        return EncoderDecoderLSTM()

    def _fitted_estimator(self, features: np.ndarray, targets: np.ndarray):
        axis = self.time_axis_  # of the data being fitted
        self.season_length_ = season_length_of_freq(axis.freq) if axis.kind == "datetime" else 1
        previous = getattr(self, "estimator_", None)
        keep = (
            previous is not None
            and getattr(previous, "warm_start", False)
            and getattr(self, "_feature_shape_", None) == features.shape[1:]
        )
        estimator = previous if keep else self._seasonal_clone()
        self._feature_shape_ = features.shape[1:]
        return estimator.fit(features, targets)

    def _seasonal_clone(self):
        """A fresh clone of the estimator, told the data's season when it left
        ``season_length`` unset (windows carry no timestamps to derive it from)."""
        estimator = clone(self._make_estimator())
        if self.season_length_ > 1:
            # deep parameters: the members of an ensemble of LSTMs are told too
            unset = {name: self.season_length_ for name, value in estimator.get_params(deep=True).items()
                     if (name == "season_length" or name.endswith("__season_length")) and value is None}
            estimator.set_params(**unset)
        return estimator

    def _covariate_frames(self, X, frames: dict, name: str) -> dict:
        """``X`` per series, aligned on the timestamps of ``frames``."""
        if X is None:
            return {}
        covariates, _ = as_series_dict(X, name, fill=self.fill)
        aligned = {}
        for key, frame in frames.items():
            if key not in covariates:
                raise InvalidInputError(self._missing_series_message(key, covariates, name))
            clash = sorted(set(frame.columns) & set(covariates[key].columns), key=str)
            if clash:
                raise InvalidInputError(
                    f"{name} and y share column(s) {clash!r}; each variable must be given once."
                )
            aligned[key] = self._align(covariates[key], frame.index, key, name, "the timestamps of y")
        return aligned

    @staticmethod
    def _missing_series_message(key, covariates: dict, name: str) -> str:
        if key == SINGLE_SERIES_ID or SINGLE_SERIES_ID in covariates:
            return f"{name} must have the same form as y (one series, or a panel with the same series)."
        return f"{name} has no series {key!r}; it must give covariates for every series of y."

    @staticmethod
    def _align(frame: pd.DataFrame, index: pd.Index, key, name: str, what: str) -> pd.DataFrame:
        if not isinstance(frame.index, type(index)) and not (
            pd.api.types.is_integer_dtype(frame.index.dtype) and pd.api.types.is_integer_dtype(index.dtype)
        ):
            raise InvalidInputError(
                f"{name} is indexed by {type(frame.index).__name__}, y by {type(index).__name__}; "
                "they must share one time axis."
            )
        missing = index.difference(frame.index)
        if len(missing):
            label = name if key == SINGLE_SERIES_ID else f"{name}[{key!r}]"
            raise InsufficientDataError(
                f"{label} lacks {len(missing)} of {what}, for example {[str(m) for m in missing[:3]]}."
            )
        return frame.reindex(index)

    def _resolve_roles(self, y_columns: list, x_columns: list) -> None:
        """Decide which columns are targets, past-observed and future-known inputs."""
        available = list(y_columns) + list(x_columns)
        future = _names(self.future_covariates, "future_covariates") or []
        past = _names(self.covariates, "covariates")
        for param, names in (("future_covariates", future), ("covariates", past or [])):
            unknown = [c for c in names if c not in available]
            if unknown:
                raise UnknownColumnError(
                    f"{param} names column(s) {unknown!r} found neither in y nor in X; "
                    f"available: {available!r}."
                )
        targets = _names(self.targets, "targets")
        if targets is None:
            targets = [c for c in y_columns if c not in future and c not in (past or [])]
            if not targets:
                raise InvalidInputError(
                    f"y has no column left to forecast; its columns {y_columns!r} are all covariates."
                )
        unknown = [c for c in targets if c not in y_columns]
        if unknown:
            raise UnknownColumnError(
                f"targets names column(s) {unknown!r} that are not in y; y's columns: {y_columns!r}."
            )
        both = [c for c in targets if c in future or c in (past or [])]
        if both or set(future) & set(past or []):
            raise InvalidParameterError(
                f"a column has two roles (targets={targets!r}, covariates={past!r}, "
                f"future_covariates={future!r}); each column may be named once."
            )
        if past is None:
            past = [c for c in available if c not in targets and c not in future]
        self.target_names_, self.past_covariates_, self.future_covariates_ = targets, past, future

    @property
    def _input_names(self) -> list:
        return self.target_names_ + self.past_covariates_ + self.future_covariates_

    def _input_array(self, frame: pd.DataFrame, covariates: pd.DataFrame | None) -> np.ndarray:
        """The input columns of one series as a (time, features) array."""
        combined = frame if covariates is None else pd.concat([frame, covariates], axis=1)
        missing = [c for c in self._input_names if c not in combined.columns]
        if missing:
            raise UnknownColumnError(
                f"the data lacks column(s) {missing!r} used in fit (targets {self.target_names_!r}, "
                f"covariates {self.past_covariates_!r}, future_covariates {self.future_covariates_!r}); "
                f"got columns {list(combined.columns)!r}."
            )
        return combined[self._input_names].to_numpy(dtype=np.float64)

    def _training_windows(self, frames: dict, inputs: dict) -> tuple[np.ndarray, np.ndarray]:
        n_in, n_out = self.n_steps_in_, self.n_steps_out_
        n_targets, n_future = len(self.target_names_), len(self.future_covariates_)
        n_features = n_targets + len(self.past_covariates_) + n_future
        sequence = _takes_sequences(self._make_estimator())
        features, targets, origins = [], [], []
        for key, array in inputs.items():
            if len(array) < n_in + n_out:
                continue  # too short to train on; it can still be forecast
            # Per series, so no window crosses two series; arrays are validated already.
            past, target, _ = make_windows(array, n_in, n_out, targets=list(range(n_targets)), check_finite=False)
            future = np.zeros((len(past), n_out, 0))
            if n_future:  # the future covariates over the target steps of each window
                positions = list(range(n_features - n_future, n_features))
                future = make_windows(array, n_in, n_out, targets=positions, check_finite=False).y
            keep = self._kept_windows(len(past))
            past, target, future = past[keep], target[keep], future[keep]
            features.append(self._features(past, future, sequence))
            targets.append(target if sequence else target.reshape(len(target), -1))
            origins.append(_stamps(frames[key].index)[keep + n_in - 1])
        if not features:
            longest = max(len(a) for a in inputs.values())
            raise InsufficientDataError(
                f"y has no series long enough for one training window: n_steps_in + n_steps_out = "
                f"{n_in + n_out} rows are needed; the longest series has {longest}."
            )
        features = features[0] if len(features) == 1 else np.concatenate(features)
        targets = targets[0] if len(targets) == 1 else np.concatenate(targets)
        if len(origins) > 1:
            # Windows in the order of their origin time across series, so that an
            # estimator's chronological validation tail (early stopping) holds the latest
            # windows of every series, not the last series' windows.
            order = np.argsort(np.concatenate(origins), kind="stable")
            features, targets = features[order], targets[order]
        # A single output is given as 1-D, as scikit-learn regressors expect.
        return features, (targets.ravel() if targets.shape[1:] == (1,) else targets)

    def _kept_windows(self, n: int) -> np.ndarray:
        """Positions of the windows trained on: every ``window_stride``-th counted back
        from the latest, at most ``max_windows`` of them, in time order."""
        keep = np.arange(n - 1, -1, -self.window_stride)
        if self.max_windows is not None:
            keep = keep[: self.max_windows]
        return keep[::-1]

    def _features(self, past: np.ndarray, future: np.ndarray, sequence: bool) -> np.ndarray:
        """Estimator input from input windows (n, n_in, F) and future covariates (n, n_out, Fu)."""
        n = len(past)
        if sequence:
            if future.shape[2] == 0:
                return past
            # Shift the future covariates by n_steps_out: input step t carries the values
            # at t + n_steps_out, known at the forecast origin (see the module docstring).
            shift = self.n_steps_out_
            shifted = np.concatenate([past[:, shift:, past.shape[2] - future.shape[2] :], future], axis=1)
            return np.concatenate([past, shifted], axis=2)
        return np.concatenate([past.reshape(n, -1), future.reshape(n, -1)], axis=1)

    def _last_rows(self, inputs: dict) -> dict:
        n_in = self.n_steps_in_
        return {key: np.array(array[-n_in:], dtype=np.float64) for key, array in inputs.items()}

    # -- the panel path: one values array, no per-series frame ------------------------
    def _check_panel_magnitude(self, panel) -> None:
        """:func:`check_magnitude` of every column of every series at once; the first
        failing series and column (in the data's order) is named as the frame path does."""
        too_large = np.abs(panel.values) > MAX_MAGNITUDE
        if not too_large.any():
            return
        row = int(np.flatnonzero(too_large.any(axis=1))[0])
        i = int(np.searchsorted(panel.starts, row, side="right") - 1)
        series = panel.series(i)
        where = "y" if panel.n_series == 1 else f"y series {panel.ids[i]!r}"
        for j, column in enumerate(panel.columns):
            check_magnitude(series[:, j], f"{where} column {column!r}")

    def _panel_inputs(self, panel) -> np.ndarray:
        """The input columns (targets, past, future covariates) of all rows, ``(rows, F)``."""
        columns = list(panel.columns)
        missing = [c for c in self._input_names if c not in columns]
        if missing:
            raise UnknownColumnError(
                f"the data lacks column(s) {missing!r} used in fit (targets {self.target_names_!r}, "
                f"covariates {self.past_covariates_!r}, future_covariates {self.future_covariates_!r}); "
                f"got columns {columns!r}."
            )
        return np.ascontiguousarray(panel.values[:, [columns.index(c) for c in self._input_names]], dtype=np.float64)

    def _panel_last_inputs(self, inputs: np.ndarray, panel) -> dict:
        """The last ``n_steps_in`` input rows of every series (one gather, no loop)."""
        rows = panel.ends[:, None] - self.n_steps_in_ + np.arange(self.n_steps_in_)[None, :]
        return dict(zip(panel.ids.tolist(), inputs[rows], strict=True))

    def _panel_windows(self, inputs: np.ndarray, panel) -> tuple[np.ndarray, np.ndarray]:
        """Training windows of every series cut from one array, as :meth:`_training_windows`
        cuts them series by series: the same windows, in the same order."""
        n_in, n_out = self.n_steps_in_, self.n_steps_out_
        n_targets, n_future = len(self.target_names_), len(self.future_covariates_)
        available = np.maximum(panel.lengths - n_in - n_out + 1, 0)
        kept = np.where(available > 0, (available - 1) // self.window_stride + 1, 0)
        if self.max_windows is not None:
            kept = np.minimum(kept, self.max_windows)
        if not kept.any():
            raise InsufficientDataError(
                f"y has no series long enough for one training window: n_steps_in + n_steps_out = "
                f"{n_in + n_out} rows are needed; the longest series has {int(panel.lengths.max())}."
            )
        series = np.repeat(np.arange(panel.n_series), kept)
        rank = np.arange(series.size) - np.repeat(np.cumsum(kept) - kept, kept)  # oldest kept window first
        offset = (available - 1)[series] - self.window_stride * (kept[series] - 1 - rank)
        block = sliding_window_view(inputs, n_in + n_out, axis=0)[panel.starts[series] + offset]  # (W, F, L)
        past = block[:, :, :n_in].transpose(0, 2, 1)
        target = block[:, :n_targets, n_in:].transpose(0, 2, 1)
        future = block[:, inputs.shape[1] - n_future :, n_in:].transpose(0, 2, 1)
        sequence = _takes_sequences(self._make_estimator())
        features = self._features(past, future, sequence)
        targets = target if sequence else target.reshape(len(target), -1)
        if np.count_nonzero(kept) > 1:
            # Windows in the order of their origin time across series (see _training_windows).
            axis, position = panel.time, offset + n_in - 1
            origins = axis.at(position, series) if axis.step else calendar_stamps(axis, series, position)
            order = np.argsort(origins, kind="stable")
            features, targets = features[order], targets[order]
        return features, (targets.ravel() if targets.shape[1:] == (1,) else targets)

    # -- prediction -------------------------------------------------------------
    def predict(self, horizon: int | None = None, X=None):
        """Forecast ``horizon`` steps (default ``n_steps_out``) after the end of each series.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; beyond ``n_steps_out`` the forecast is recursive.
        X : same form as ``y``, optional
            Required with future covariates: their values for the forecast steps.

        Returns
        -------
        Series, DataFrame, panel DataFrame or dict
            The forecast of the target columns, in the form ``y`` had.
        """
        return self._output(self.forecast_arrays(horizon, X).point, self.target_names_)

    def _point_array(self, horizon, X) -> np.ndarray:
        point, _ = self._forecast(self._check_horizon(horizon, default=self.n_steps_out_), X, None)
        return point

    def declared_covariates(self) -> tuple[list, list]:
        """``(covariates, future_covariates)`` as named in the parameters (``[]`` for None)."""
        return (_names(self.covariates, "covariates") or [],
                _names(self.future_covariates, "future_covariates") or [])

    def target_columns(self, columns) -> list:
        """The columns of data with ``columns`` this forecaster would forecast: ``targets``,
        or every column not named as a covariate (as :meth:`fit` decides)."""
        targets = _names(self.targets, "targets")
        if targets is not None:
            return targets
        covariates = (_names(self.covariates, "covariates") or []) + (
            _names(self.future_covariates, "future_covariates") or [])
        return [c for c in columns if c not in covariates]

    def _quantile_positions(self, wanted) -> list[int]:
        """Positions of the ``wanted`` quantiles among the trained ones (absent ones raise)."""
        known = self._known_quantiles()
        absent = [q for q in wanted if not any(np.isclose(q, k) for k in known)]
        if absent:
            raise InvalidParameterError(
                f"quantiles {absent!r} were not trained; the estimator gives quantiles {list(known)!r}. "
                "Train them (the estimator's quantiles=...) or wrap the forecaster in ConformalIntervals."
            )
        return [int(np.argmin(np.abs(np.subtract(known, q)))) for q in wanted]

    def _default_quantiles(self) -> tuple:
        return self._known_quantiles()

    def _known_quantiles(self) -> tuple:
        return tuple(float(q) for q in getattr(self.estimator_, "quantiles_", None) or self.estimator_.quantiles)

    def _interval_arrays(self, horizon, X, quantiles):
        horizon = self._check_horizon(horizon, default=self.n_steps_out_)
        point, bands = self._forecast(horizon, X, self._quantile_positions(quantiles))
        return point, bands.reshape(point.shape + (len(quantiles),))

    def _predict_quantiles(self, horizon, X, quantiles):
        horizon = self._check_horizon(horizon, default=self.n_steps_out_)
        known = self._known_quantiles()
        wanted = known if quantiles is None else check_quantiles(quantiles)
        _, bands = self._forecast(horizon, X, self._quantile_positions(wanted))
        columns = [
            quantile_column(q) if len(self.target_names_) == 1 else f"{t}_{quantile_column(q)}"
            for t in self.target_names_
            for q in wanted
        ]
        frames = {key: self._wrap(key, horizon, bands[i], columns) for i, key in enumerate(self.series_ids_)}
        # Quantiles are always columns: a Series input gets a DataFrame back.
        form = self.input_form_
        if form.kind == "series":
            return frames[SINGLE_SERIES_ID]
        if form.kind == "dict":
            return frames
        return self._restore(frames)

    def _forecast(self, horizon: int, X, quantile_positions):
        """Point forecasts (series, horizon, targets) and, if asked, quantiles
        (series, horizon, targets, quantiles), block by block."""
        n_out = self.n_steps_out_
        n_blocks = -(-horizon // n_out)
        if n_blocks > 1 and self.past_covariates_:
            raise InvalidParameterError(
                f"horizon={horizon} exceeds n_steps_out={n_out}, so the forecast is recursive, which needs "
                f"every input to be a target or future-known; past-observed covariates "
                f"{self.past_covariates_!r} are not known ahead. Declare them in future_covariates, or "
                f"use n_steps_out >= {horizon}."
            )
        future = self._future_values(X, horizon, n_blocks * n_out)
        inputs = np.stack([self._last_inputs_[key] for key in self.series_ids_])
        sequence = _takes_sequences(self.estimator_)
        points, bands = [], []
        for block in range(n_blocks):
            block_future = future[:, block * n_out : (block + 1) * n_out]
            features = self._features(inputs, block_future, sequence)
            self._check_features(features)
            point = self._predict_block(features)
            points.append(point)
            if quantile_positions is not None:
                bands.append(self._quantile_block(features, quantile_positions))
            if block + 1 < n_blocks:
                # Feed the forecast back: targets, then the known future covariates.
                new_rows = np.concatenate([point, block_future], axis=2)
                inputs = np.concatenate([inputs, new_rows], axis=1)[:, -self.n_steps_in_ :]
        point = np.concatenate(points, axis=1)[:, :horizon]
        band = np.concatenate(bands, axis=1)[:, :horizon] if bands else None
        return point, band

    def _check_features(self, features: np.ndarray) -> None:
        if features.shape[1:] != self._feature_shape_:
            raise ShapeMismatchError(
                f"the prediction input has shape {features.shape[1:]} per window; the estimator was fitted "
                f"on {self._feature_shape_}."
            )

    def _predict_block(self, features: np.ndarray) -> np.ndarray:
        n_series = len(features)
        values = np.asarray(self.estimator_.predict(features), dtype=np.float64)
        return values.reshape(n_series, self.n_steps_out_, len(self.target_names_))

    def _quantile_block(self, features: np.ndarray, positions: list) -> np.ndarray:
        values = np.asarray(self.estimator_.predict_quantiles(features), dtype=np.float64)
        values = values.reshape(len(features), self.n_steps_out_, len(self.target_names_), -1)
        return values[..., positions].reshape(len(features), self.n_steps_out_, -1)

    def _future_values(self, X, horizon: int, steps: int) -> np.ndarray:
        """Future covariates for ``steps`` forecast steps, shape (series, steps, Fu).

        ``X`` must cover the first ``horizon`` steps; later steps of the last block, which
        serve only as inputs, take ``X``'s values where given and else repeat the last one.
        """
        names = self.future_covariates_
        n_series = len(self.series_ids_)
        if not names:
            return np.zeros((n_series, steps, 0))
        if X is None:
            raise InsufficientDataError(
                f"X must give the future covariates {names!r} for the {horizon} forecast step(s); got None."
            )
        covariates, _ = as_series_dict(_only_columns(X, names), "X", fill=self.fill)
        out = np.empty((n_series, steps, len(names)))
        for i, key in enumerate(self.series_ids_):
            if key not in covariates:
                raise InsufficientDataError(self._missing_series_message(key, covariates, "X"))
            frame = covariates[key]
            missing = [c for c in names if c not in frame.columns]
            if missing:
                raise UnknownColumnError(
                    f"X lacks the future covariate column(s) {missing!r}; got columns {list(frame.columns)!r}."
                )
            needed = self._future_index(key, horizon)
            self._align(frame[names], needed, key, "X", f"the {horizon} forecast timestamps")
            extended = frame[names].reindex(self._future_index(key, steps)).ffill()
            out[i] = extended.to_numpy(dtype=np.float64)
        return out
