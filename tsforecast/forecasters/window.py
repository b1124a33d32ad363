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

A flattened estimator may see fewer past steps of the covariates than of the targets
(``covariate_steps_in``): its row is then the target lags, the latest covariate steps,
and the future values, so a linear fit solves for far fewer columns.

A horizon longer than ``n_steps_out`` is forecast recursively: each block of forecasts is
fed back as input to the next block. That is possible only when every input is a target
or a future-known covariate. The estimator's quantiles describe one block only (a
later block's inputs hold point forecasts, not their uncertainty), so past
``n_steps_out`` the quantiles and intervals are conformal (see ``_conformal_beyond_block``).
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from ..core.covariates import align_covariates, future_values, only_columns
from ..core.fallbacks import warn_fallback
from ..core.forms import SINGLE_SERIES_ID
from ..core.panel import axis_freqs
from ..core.params import Check, Integer, Options, Unchecked, validate_params
from ..core.timeindex import season_rule
from ..core.validation import FILL_POLICIES, check_int
from ..core.window_features import (
    WindowSpec,
    check_derived_season,
    check_log_inputs,
    check_panel_magnitude,
    input_array,
    last_inputs,
    takes_sequences,
    training_windows,
    window_features,
)
from ..exceptions import (
    InputTypeError,
    InvalidInputError,
    InvalidParameterError,
    ShapeMismatchError,
    UnknownColumnError,
)
from .base import BaseForecaster, check_quantiles, kept_on_failure, quantile_column
from .calibration import conformal_interval_arrays

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


def _check_covariate_steps_in(value, name: str):
    """``"auto"``, ``None`` or an int >= 0 (checked against the window in ``fit``)."""
    if isinstance(value, str):
        if value != "auto":
            raise InvalidParameterError(f"{name} must be 'auto', None or an int >= 0; got {value!r}.")
        return value
    return check_int(value, name, minimum=0, allow_none=True)


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
        (A :class:`~tsforecast.MedianEnsemble` with ``input_lengths`` or a sequence
        member takes sequence windows and flattens them for its row members itself;
        future covariates then come shifted by ``n_steps_out`` into the window, so each
        of its ``input_lengths`` must be at least ``n_steps_out``.)
        An estimator with ``warm_start=True`` keeps training across calls to ``fit``.
    n_steps_in : int, default=24
        Input steps per window (how far back the model looks).
    n_steps_out : int, default=12
        Steps forecast at once. Longer horizons are forecast recursively; the
        estimator's quantiles then hold for the first block only, so intervals and
        quantiles of a longer horizon are conformal, calibrated on the recursive
        forecast in the training data (with a ``FallbackWarning``; see
        ``docs/intervals.md``).
    targets : str or list, optional
        The columns of ``y`` to forecast; default: every column of ``y`` that is not
        named as a covariate.
    covariates : str or list, optional
        Past-observed covariates (columns of ``y`` or ``X``), used as inputs up to the
        forecast origin; default: every other column of ``y`` and ``X`` that is not a
        target or future-known covariate. Named (``[]`` included), only the named
        columns of ``X`` are read and checked: others may hold text or gaps.
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
    covariate_steps_in : "auto", int or None, default="auto"
        Input steps of each covariate a flattened (scikit-learn) estimator sees: the
        latest ``covariate_steps_in`` of the ``n_steps_in``, besides the ``n_steps_out``
        forecast-step values of the future-known ones. ``"auto"``: 1 for a flattened
        estimator (the covariates' values at the forecast origin, beside the target's;
        peers feed no more by default: skforecast's direct models and mlforecast take a
        covariate at the target's time, Darts none until its lags are set), every step
        for a sequence estimator. ``None``: all ``n_steps_in`` (the rows before this
        option existed; give it when a covariate acts with a lag, such as weather on
        load a day later). ``0``: only the forecast-step values (as skforecast's direct
        models take a future-known covariate); past-observed covariates then need
        ``>= 1``. Fewer columns make a linear fit much cheaper (its cost grows with
        their square): with one future-known covariate a Ridge backtest takes about 1.7x
        the time without it at ``"auto"`` against 2.9x with every step
        (``reports/covariate_backtest.md``). The row is laid out as target lags,
        covariate lags, future covariates. A sequence estimator (the LSTM) reads every
        input step and accepts only ``"auto"``, ``None`` or ``n_steps_in``.

    Attributes
    ----------
    estimator_ : estimator
        The fitted window regressor.
    season_length_ : int
        The usual seasonal period of the data's frequency: 24 hourly, 48 half-hourly,
        7 daily, 5 business-daily, 52 weekly, 12 monthly, 4 quarterly, else 1 (integer
        time, yearly data). Given to an estimator whose ``season_length`` is ``None``
        (or to its members: any ``*__season_length`` parameter left ``None``; a
        :class:`~tsforecast.MedianEnsemble`'s own ``season_length`` reaches every member
        that left its own ``None``, of a list of designs or the default LSTM too), from
        which :class:`~tsforecast.EncoderDecoderLSTM` derives its scaling and segment
        length.
    target_names_, past_covariates_, future_covariates_ : list
        The resolved column roles; the input features are these three, in order.
    fit_time_axis_ : object
        The time axis of the data of :meth:`fit` (``update`` takes data of its time type
        and frequency).
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
        "covariate_steps_in": Check(_check_covariate_steps_in),
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
        covariate_steps_in: int | str | None = "auto",
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
        self.covariate_steps_in = covariate_steps_in

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
            Covariates, aligned with ``y`` by timestamp (it may extend beyond ``y``; only
            the rows at ``y``'s timestamps are read and checked).

        Returns
        -------
        self
        """
        with kept_on_failure(self):
            n_in, n_out = self._check_steps()
            self._make_estimator()  # a wrong estimator fails before the data are windowed
            panel = self._fit_panel(y, min_length=n_in, fill=self.fill, on_short=self.on_short)
            panel = align_covariates(panel, self._named_columns(X, panel.columns), fill=self.fill)
            check_panel_magnitude(panel)
            self._resolve_roles(list(panel.columns), list(panel.covariate_columns))
            self._check_future_shift(n_in, n_out)
            self._check_covariate_steps(n_in)
            inputs = self._inputs(panel)
            features, targets = training_windows(inputs, panel, self._spec(takes_sequences(self._make_estimator())))
            self.estimator_ = self._fitted_estimator(features, targets)
            self.n_windows_ = int(len(features))
            self.fit_time_axis_ = self.time_axis_
            self._last_inputs_ = last_inputs(inputs, panel, n_in)
            return self

    def _named_columns(self, X, y_columns: list):
        """``X`` restricted to the covariates the roles name, so that its other columns (a
        text note, an unused column with gaps) are neither read nor checked, as ARIMA's.
        ``covariates=None`` (every other column) reads all of ``X``; so does an ``X`` that
        lacks a named column (the roles then name it, with the columns available)."""
        if X is None or self.covariates is None:
            return X
        past, future = self.declared_covariates()
        in_x = [c for c in past + future if c not in y_columns]
        return only_columns(X, in_x) if in_x else X

    def _check_future_shift(self, n_in: int, n_out: int) -> None:
        """Future covariates reach a sequence estimator shifted ``n_steps_out`` steps into
        the window: an input shorter than that misses the first forecast steps' values."""
        estimator = self._make_estimator()
        if not self.future_covariates_ or not takes_sequences(estimator):
            return
        if n_in < n_out:
            raise InvalidParameterError(
                f"n_steps_in must be >= n_steps_out for future covariates with a sequence estimator "
                f"(they are shifted by n_steps_out into the input window); got n_steps_in={n_in}, "
                f"n_steps_out={n_out}."
            )
        lengths = estimator.get_params(deep=False).get("input_lengths") if hasattr(estimator, "get_params") else None
        short = [v for v in (lengths if isinstance(lengths, (list, tuple)) else []) if isinstance(v, int) and v < n_out]
        if short:
            raise InvalidParameterError(
                f"each of the estimator's input_lengths must be >= n_steps_out={n_out} with future covariates (they "
                f"are shifted by n_steps_out into the input window, so a member reading fewer steps misses the first "
                f"forecast steps' values); got input_lengths={list(lengths)!r}, with {short[0]} < {n_out}."
            )

    def _check_covariate_steps(self, n_in: int) -> None:
        """``covariate_steps_in`` against the window and the roles (after the declared check)."""
        steps = self.covariate_steps_in
        if steps is None or steps == "auto" or steps == n_in:
            return
        if steps > n_in:
            raise InvalidParameterError(
                f"covariate_steps_in must be <= n_steps_in={n_in} (None: all of them); got {steps}.")
        if takes_sequences(self._make_estimator()):
            raise InvalidParameterError(
                f"covariate_steps_in must be 'auto', None or n_steps_in={n_in} with a sequence estimator (it "
                f"reads every input step); got {steps}.")
        if steps == 0 and self.past_covariates_:
            raise InvalidParameterError(
                f"covariate_steps_in=0 leaves the past-observed covariates {self.past_covariates_!r} no input "
                "step; give covariate_steps_in >= 1, or declare them in future_covariates if they are known "
                "ahead.")

    def _covariate_steps(self, sequence: bool) -> int | None:
        """The covariate steps a row keeps (``None``: all ``n_steps_in``), ``"auto"`` resolved."""
        if self.covariate_steps_in == "auto":
            return None if sequence else 1
        return self.covariate_steps_in

    def update(self, y, X=None):
        """Replace the data forecasts start from, without refitting.

        ``predict`` then forecasts the steps after the end of ``y``. The series may
        differ from those of ``fit`` (the model is global); each needs at least
        ``n_steps_in`` rows and the columns used in ``fit`` (dates: on the grid of fit's frequency,
        whatever name they infer: quarters ending in March re-read from text as 'QE-DEC').

        Returns
        -------
        self
        """
        check_is_fitted(self)
        # All or nothing: bad data leaves the previous inputs in place.
        with kept_on_failure(self):
            # against fit's time axis: each update replaces time_axis_ (integer time slipped past)
            fitted_axis, targets = getattr(self, "fit_time_axis_", self.time_axis_), self.target_names_
            panel = self._fit_panel(y, min_length=self.n_steps_in_, fill=self.fill, on_short=self.on_short)
            # the same dates by another name ('QE-DEC' for 'QE-MAR') forecast on by fit's name
            panel = replace(panel, time=panel.time.on_grid_of(fitted_axis, panel.lengths, "y"))
            self.time_axis_, self._training_panel_ = panel.time, panel
            self.target_names_ = targets  # the roles stay those of fit
            panel = align_covariates(panel, self._named_columns(X, panel.columns), fill=self.fill)
            self._last_inputs_ = last_inputs(self._inputs(panel), panel, self.n_steps_in_)
        return self

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
        from ..models import EncoderDecoderLSTM  # imports Keras: only when needed

        return EncoderDecoderLSTM()

    def _fitted_estimator(self, features: np.ndarray, targets: np.ndarray):
        axis = self.time_axis_  # of the data being fitted
        self.season_length_ = season_rule(None, axis_freqs(axis))[0]
        previous = getattr(self, "estimator_", None)
        kept = previous.get_params(deep=False) if previous is not None else None  # before a warm start sets them
        estimator = self._seasonal_clone()
        asked = estimator.get_params(deep=False).get("warm_start", False)  # on the estimator= given
        if previous is not None and (asked or getattr(previous, "warm_start", False)):  # or set on estimator_
            shape = getattr(self, "_feature_shape_", None)
            if shape == features.shape[1:]:
                # the fitted network continues; asked on estimator=, with the parameters set there since
                # (epochs, learning rate, ...), which the fitted object alone ignored without a word
                estimator = previous.set_params(**estimator.get_params(deep=False)) if asked else previous
            else:
                warnings.warn(
                    f"warm_start: the windows now have shape {features.shape[1:]}, the fitted network's "
                    f"{shape} (other covariates, targets or n_steps_in); it starts from new weights.",
                    UserWarning, stacklevel=4)
        self._feature_shape_ = features.shape[1:]
        try:
            return estimator.fit(features, targets)
        except BaseException:
            if estimator is previous:  # a warm start continues in place: its parameters back (not weights it changed)
                previous.set_params(**kept)
            raise

    def _seasonal_clone(self):
        """A fresh clone of the estimator, told the data's season when it left
        ``season_length`` unset (windows carry no timestamps to derive it from)."""
        estimator = clone(self._make_estimator())
        if self.season_length_ > 1:
            # deep parameters: the members of an ensemble of LSTMs are told too (an ensemble's own
            # season_length passes it on to members get_params cannot reach: a list of designs, the default)
            params = estimator.get_params(deep=True)
            unset = {name: self.season_length_ for name, value in params.items()
                     if (name == "season_length" or name.endswith("__season_length")) and value is None}
            check_derived_season(estimator, self.season_length_, self.n_steps_in_, _frequency_words(self.time_axis_))
            estimator.set_params(**unset)
        return estimator

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
        if targets is not None and not targets:
            raise InvalidParameterError("targets must name at least one column to forecast; got [].")
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

    def _inputs(self, panel) -> np.ndarray:
        """The input columns (targets, past, future covariates) of all rows, ``(rows, F)``."""
        roles = (f"targets {self.target_names_!r}, covariates {self.past_covariates_!r}, "
                 f"future_covariates {self.future_covariates_!r}")
        inputs = input_array(panel, self._input_names, roles)
        # estimator=None is the default LSTM, without log: nothing to build to ask it
        if self.estimator is not None and self.estimator.get_params(deep=False).get("log") is True:
            check_log_inputs(inputs, panel, self._input_names, type(self.estimator).__name__)
        return inputs

    def _spec(self, sequence: bool) -> WindowSpec:
        # Without covariates every row is target lags alone: the layout needs no choice.
        steps = self._covariate_steps(sequence) if self.past_covariates_ or self.future_covariates_ else None
        return WindowSpec(self.n_steps_in_, self.n_steps_out_, len(self.target_names_), len(self.future_covariates_),
                          self.window_stride, self.max_windows, sequence, steps)

    # -- prediction -------------------------------------------------------------
    def predict(self, horizon: int | None = None, X=None):
        """Forecast ``horizon`` steps (default ``n_steps_out``) after the end of each series.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; beyond ``n_steps_out`` the forecast is recursive.
        X : same form as ``y``, optional
            Required with future covariates: their values for the forecast steps. A block
            of ``n_steps_out`` steps is forecast from all of its steps' values, so where
            the horizon ends inside one, its later steps are read too: ``X``'s values
            there where given, else the last one carried.

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

    def min_train_length(self) -> int:
        """One whole training window: ``n_steps_in + n_steps_out`` values."""
        return int(self.n_steps_in) + int(self.n_steps_out)

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
        # before fitting (a table's columns computed in advance): those the estimator will be trained for
        estimator = getattr(self, "estimator_", self.estimator)
        return tuple(float(q) for q in getattr(estimator, "quantiles_", None) or estimator.quantiles)

    def _interval_arrays(self, horizon, X, quantiles):
        horizon = self._check_horizon(horizon, default=self.n_steps_out_)
        if horizon > self.n_steps_out_:
            return self._conformal_beyond_block(horizon, X, quantiles)
        point, bands = self._forecast(horizon, X, self._quantile_positions(quantiles))
        return point, bands.reshape(point.shape + (len(quantiles),))

    def _check_own_distribution(self, horizon) -> None:
        """``predict_interval(method="model")``: the estimator's quantiles hold for one
        block of ``n_steps_out`` steps only (see :meth:`_conformal_beyond_block`)."""
        horizon = self._check_horizon(horizon, default=self.n_steps_out_)
        if horizon > self.n_steps_out_:  # on-demand calibration has no future covariates to replay windows with
            other = (f"wrap the model in ConformalIntervals(horizon={horizon}), which calibrates at fit with the "
                     "covariates," if self.future_covariates_ else "use method='auto' or 'conformal' (conformal "
                     "intervals calibrated on the recursive forecasts), ConformalIntervals(...),")
            raise InvalidParameterError(
                f"method='model' reads the estimator's quantiles, which hold for the first n_steps_out="
                f"{self.n_steps_out_} steps only; got horizon={horizon} (later steps are forecast recursively). "
                f"Instead {other} or train with n_steps_out >= {horizon}.")

    def _conformal_beyond_block(self, horizon: int, X, quantiles):
        """Point forecasts and conformal quantiles for a horizon past ``n_steps_out``.

        The estimator's quantiles of a later block come from inputs that hold only the
        fed-back point forecasts of the earlier blocks: they ignore the uncertainty of
        those inputs, so every block would repeat the first block's widths (95% coverage
        fell to 70% four steps ahead on random walks). Conformal calibration replays the
        same recursive forecast on windows of the training data, so its widths grow with
        the step as the errors do. All steps then come from it (not the first block from
        the estimator and the rest from the calibration: one source, one method).
        """
        if self.future_covariates_:  # the calibration has no future covariates to replay the windows with
            raise InvalidParameterError(
                f"{type(self).__name__}: horizon={horizon} exceeds n_steps_out={self.n_steps_out_}, and past one "
                "block the estimator's quantiles do not hold (later blocks are forecast from fed-back point "
                f"forecasts); conformal ones cannot be calibrated on demand with future covariates "
                f"{self.future_covariates_!r}. Train with n_steps_out >= {horizon}, or wrap the model in "
                f"ConformalIntervals(horizon={horizon}), which calibrates at fit with the covariates.")
        warn_fallback(
            f"{type(self).__name__}: horizon={horizon} exceeds n_steps_out={self.n_steps_out_}; the estimator's "
            "quantiles hold for one block only (later blocks are forecast from fed-back point forecasts), so the "
            f"quantiles of all {horizon} steps are conformal, calibrated on the recursive forecasts' errors in the "
            "training data (as predict_interval(method='conformal'); one extra fit, cached). For the "
            f"estimator's own quantiles use n_steps_out >= {horizon}.")
        levels = sorted({round(abs(1.0 - 2.0 * q) * 100.0, 9) for q in quantiles if not np.isclose(q, 0.5)})
        return conformal_interval_arrays(self, horizon, X, quantiles, levels, None)

    def _predict_quantiles(self, horizon, X, quantiles):
        horizon = self._check_horizon(horizon, default=self.n_steps_out_)
        known = self._known_quantiles()
        wanted = known if quantiles is None else check_quantiles(quantiles)
        if horizon > self.n_steps_out_:
            bands = self._conformal_beyond_block(horizon, X, wanted)[1].reshape(len(self.series_ids_), horizon, -1)
        else:
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
        spec = self._spec(takes_sequences(self.estimator_))
        points, bands = [], []
        for block in range(n_blocks):
            block_future = future[:, block * n_out : (block + 1) * n_out]
            features = window_features(inputs, block_future, spec)
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

        ``X`` must cover the first ``horizon`` steps; later steps of the last block take
        ``X``'s values where given, else repeat the last one: they are inputs of the whole
        block, so they reach its kept forecasts too (see :func:`future_values`).
        """
        names = self.future_covariates_
        ids = np.empty(len(self.series_ids_), dtype=object)
        ids[:] = self.series_ids_
        if not names:
            return np.zeros((len(ids), steps, 0))
        return future_values(X, self.time_axis_, ids, self.n_obs_, names, horizon, steps, fill=self.fill)


def _frequency_words(axis) -> str:
    """Where a season derived from the data came from: "from its frequency 'D'"."""
    freqs = axis_freqs(axis)
    return f"from its frequency {freqs!r}" if not isinstance(freqs, tuple) else \
        f"from its series' frequencies {', '.join(map(repr, freqs))}"
