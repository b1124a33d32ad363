"""The one forecaster contract shared by every model in tsforecast.

``fit(y, X=None) -> self`` and ``predict(horizon=None, X=None)`` returning a pandas
object indexed by the future timestamps, in the form ``y`` was given (Series,
DataFrame, long panel or dict).

Inside, one array contract: :meth:`BaseForecaster.forecast_arrays` answers, for the
series of the latest ``fit``, point forecasts ``[series, horizon, targets]`` and, when
asked, quantiles ``[series, horizon, targets, quantiles]`` (a :class:`Forecast`). The
pandas methods are thin layers over it; backtests, ``Combination``, conformal
calibration and Dask partitions call only it and the capability attributes below,
never class names or private arrays.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import NamedTuple

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from ..core.fallbacks import warn_fallback
from ..core.forms import InputForm, restore_form
from ..core.panel import Panel, as_panel, forecast_output
from ..core.validation import check_choice, check_float, check_int
from ..exceptions import InputTypeError, InvalidParameterError
from .calibration import INTERVAL_METHODS, conformal_interval_arrays, uses_conformal

__all__ = ["BaseForecaster", "Forecast", "DEFAULT_QUANTILES", "DEFAULT_LEVELS", "quantile_column", "check_quantiles",
           "check_levels", "level_quantiles", "interval_columns", "interval_values", "ordered_quantiles",
           "auto_quantiles"]

#: Quantiles a forecaster gives when none are asked for.
DEFAULT_QUANTILES = (0.1, 0.5, 0.9)
#: Interval levels (nominal coverage in percent) when none are asked for.
DEFAULT_LEVELS = (80, 95)


def quantile_column(q: float) -> str:
    """The column name of quantile ``q`` in forecasts (``0.1 -> "q0.1"``).

    Examples
    --------
    >>> quantile_column(0.9)
    'q0.9'
    """
    return f"q{float(q):g}"


def check_quantiles(quantiles, name: str = "quantiles") -> tuple[float, ...]:
    """Return ``quantiles`` as a sorted tuple of floats strictly between 0 and 1."""
    if isinstance(quantiles, (int, float)):
        quantiles = (quantiles,)
    if isinstance(quantiles, (str, bytes)):  # iterable, but its characters are no quantiles
        raise InputTypeError(f"{name} must be a sequence of floats in (0, 1); got {quantiles!r}.")
    try:
        values = tuple(quantiles)
    except TypeError:
        raise InputTypeError(f"{name} must be a sequence of floats in (0, 1); got {quantiles!r}.") from None
    if not values:
        raise InvalidParameterError(f"{name} must hold at least one quantile; got {quantiles!r}.")
    checked = [check_float(q, f"{name}[{i}]", minimum=0, maximum=1, include_minimum=False, include_maximum=False)
               for i, q in enumerate(values)]
    return tuple(sorted(checked))


def check_levels(levels, name: str = "levels") -> tuple[float, ...]:
    """Return interval ``levels`` (percent) as a tuple of floats in (0, 100), increasing.

    Unsorted or repeated levels are refused rather than reordered: the order of the
    ``lo_``/``hi_`` columns follows them, and a repeat is almost always a typo. So are
    fractions (a level below 1, such as 0.8: levels are percent, 80 for an 80% interval)
    and levels whose column names would coincide (80 and 80.0000001 both name ``lo_80``).

    Examples
    --------
    >>> check_levels([80, 95])
    (80.0, 95.0)
    """
    if isinstance(levels, (int, float, np.integer, np.floating)) and not isinstance(levels, bool):
        levels = (levels,)
    if isinstance(levels, (str, bytes)):
        raise InputTypeError(f"{name} must be a sequence of numbers in (0, 100) (percent); got {levels!r}.")
    try:
        values = tuple(levels)
    except TypeError:
        raise InputTypeError(f"{name} must be a sequence of numbers in (0, 100) (percent); got {levels!r}.") from None
    if not values:
        raise InvalidParameterError(f"{name} must hold at least one level; got {levels!r}.")
    checked = tuple(check_float(v, f"{name}[{i}]", minimum=0, maximum=100, include_minimum=False,
                                include_maximum=False) for i, v in enumerate(values))
    fractions = [v for v in checked if v < 1]
    if fractions:  # 0.8 is almost always meant as 80%; taken as 0.8% it would be silently useless
        raise InvalidParameterError(
            f"{name} are percent in [1, 100) (80 for an 80% interval); got {levels!r}, which holds the "
            f"fraction(s) {fractions!r}: pass {[round(v * 100, 10) for v in fractions]!r} instead."
        )
    if any(b <= a for a, b in zip(checked, checked[1:])):
        raise InvalidParameterError(f"{name} must be increasing, without repeats; got {levels!r}.")
    names = [_level_name(v) for v in checked]
    if len(set(names)) < len(names):
        raise InvalidParameterError(
            f"{name} must differ in their column names (lo_<level>, hi_<level>); got {levels!r}, which names "
            f"{names!r}."
        )
    return checked


def level_quantiles(levels) -> tuple[float, ...]:
    """The quantiles that bound central intervals of ``levels`` (80 -> 0.1 and 0.9), sorted.

    Examples
    --------
    >>> level_quantiles((80, 95))
    (0.025, 0.1, 0.9, 0.975)
    """
    lows = [round((100.0 - level) / 200.0, 12) for level in levels]
    return tuple(sorted(lows + [round(1.0 - q, 12) for q in lows]))


def auto_quantiles(model) -> tuple[float, ...]:
    """The quantiles ``model.forecast_arrays(quantiles="auto")`` gives, known before
    ``fit`` too: the columns a table of its forecasts will have, computed in advance
    (a Dask backtest's metadata). A window model's are those its estimator is trained
    for; a forecaster outside this contract gives :data:`DEFAULT_QUANTILES`.

    Examples
    --------
    >>> from tsforecast.baselines import Naive
    >>> auto_quantiles(Naive())
    (0.1, 0.5, 0.9)
    """
    own = getattr(model, "_default_quantiles", None)
    return tuple(own()) if callable(own) else DEFAULT_QUANTILES


def ordered_quantiles(bands: np.ndarray, levels, owner: str) -> np.ndarray:
    """Quantile forecasts ``[..., quantiles]`` (``levels`` increasing) with every crossing
    set sorted, and a :class:`~tsforecast.exceptions.FallbackWarning` naming ``owner``
    where one was.

    Quantile heads fitted separately cross (a 0.1 quantile above the 0.9 one); an
    interval read from them would have its lower bound above its upper one, which no
    interval metric can score. Sorting each step's quantiles (the rearrangement of
    Chernozhukov, Fernandez-Val and Galichon, 2010) brings them no further from the true
    quantiles. Bands that do not cross are returned as they are.

    Examples
    --------
    >>> ordered_quantiles(np.array([[1.0, 2.0, 3.0]]), (0.1, 0.5, 0.9), "m").tolist()
    [[1.0, 2.0, 3.0]]
    """
    if bands.shape[-1] < 2 or np.any(np.diff(levels) <= 0):
        return bands
    crossed = (np.diff(bands, axis=-1) < 0).any(axis=-1)
    if not crossed.any():
        return bands
    ordered = np.array(bands, dtype=np.float64, copy=True)
    ordered[crossed] = np.sort(ordered[crossed], axis=-1)
    warn_fallback(f"{owner} forecast crossing quantiles (a lower level above a higher one) at {int(crossed.sum())} "
                  f"of {crossed.size} (series, step, target) points of levels {list(levels)!r}; they were sorted "
                  "per step (quantile rearrangement), so every interval's lower bound is at most its upper one.")
    return ordered


def _level_name(level: float) -> str:
    return f"{float(level):g}"


def interval_columns(targets, levels) -> list[str]:
    """Columns of :meth:`BaseForecaster.predict_interval`: per target its point forecast,
    then ``lo_<level>``, ``hi_<level>`` per level (prefixed by the target if several).

    Examples
    --------
    >>> interval_columns(["y"], (80, 95))
    ['y', 'lo_80', 'hi_80', 'lo_95', 'hi_95']
    """
    single = len(targets) == 1
    columns = []
    for target in targets:
        prefix = "" if single else f"{target}_"
        columns.append(target)
        for level in levels:
            columns += [f"{prefix}lo_{_level_name(level)}", f"{prefix}hi_{_level_name(level)}"]
    return columns


def interval_values(point: np.ndarray, bands: np.ndarray, levels) -> np.ndarray:
    """``[series, horizon, targets * (1 + 2 * levels)]`` in :func:`interval_columns` order
    from point forecasts ``[series, horizon, targets]`` and the quantiles of
    :func:`level_quantiles` ``[series, horizon, targets, 2 * levels]``."""
    n = len(levels)
    # level_quantiles sorts the bounds: lows of the widest level first, highs last.
    order = [(n - 1 - j, n + j) for j in range(n)]
    blocks = []
    for t in range(point.shape[2]):
        blocks.append(point[:, :, t : t + 1])
        for lo, hi in order:
            blocks += [bands[:, :, t, lo : lo + 1], bands[:, :, t, hi : hi + 1]]
    return np.concatenate(blocks, axis=2)


@contextmanager
def kept_on_failure(forecaster) -> Iterator[None]:
    """Run the block (a ``fit`` or ``update`` body) so that, if it raises, ``forecaster``
    is left as it found it: a failed refit keeps the previous fit whole, a failed first
    fit leaves it unfitted. A fit sets its attributes step by step (window lengths, time
    axis, roles), so a refit refused on bad data left new window lengths beside the old
    estimator (``predict`` then failed on a reshape), and a first fit refused left enough
    to pass ``check_is_fitted``. A block, not a decorator: a wrapping frame would move
    every warning raised for "the caller of fit" one frame into the library. The
    attributes are restored, not objects changed in place: an estimator warm-started
    in place gets its parameters back, but weights a failed fit already moved stay moved.
    """
    before = dict(forecaster.__dict__)
    try:
        yield
    except BaseException:
        forecaster.__dict__.clear()
        forecaster.__dict__.update(before)
        raise


class Forecast(NamedTuple):
    """The array answer of :meth:`BaseForecaster.forecast_arrays`, the one forecast contract.

    Attributes
    ----------
    point : ndarray of shape (n_series, horizon, n_targets)
        Point forecasts of the series of the latest ``fit``/``update`` (``series_ids``
        order) and the columns in ``targets``.
    quantiles : ndarray of shape (n_series, horizon, n_targets, n_quantiles) or None
        The forecast quantiles ``levels``; ``None`` unless asked for.
    levels : tuple of float
        The quantile levels of the last axis of ``quantiles`` (increasing), ``()`` without.
    series_ids : list
        The series of the first axis.
    targets : list
        The forecast columns of the last axis of ``point``.
    """

    point: np.ndarray
    quantiles: np.ndarray | None
    levels: tuple
    series_ids: list
    targets: list


class BaseForecaster(BaseEstimator):
    """Base class of forecasters: input handling shared by baselines and LSTM models.

    The one forecast contract is :meth:`forecast_arrays`: a fitted forecaster answers
    arrays ``[series, horizon, targets]`` (and quantiles ``[..., quantiles]`` when asked)
    for the series of its latest ``fit``. ``predict``, ``predict_quantiles`` and
    ``predict_interval`` are thin layers over it, and backtests, :class:`Combination`,
    conformal calibration and Dask partitions call only it. Subclasses implement two
    hooks: ``_point_array(horizon, X)`` and, with ``supports_quantiles``,
    ``_interval_arrays(horizon, X, quantiles)``; and :meth:`target_columns` when they
    forecast fewer columns than they are given.

    Capabilities (class attributes, read by backtest and report):

    - ``supports_quantiles``: ``forecast_arrays(quantiles=...)``, ``predict_quantiles``
      and ``predict_interval(method="model")`` give the model's own quantiles.
    - ``uses_covariates``: ``X`` is used (otherwise it is accepted and ignored only
      when ``None``).
    - ``fits_globally``: one model is fitted on all series of a panel at once, so a
      backtest fits it once per fold, not once per series.
    - ``computes_on_panel``: ``fit`` and ``update`` take a :class:`~tsforecast.core.panel.Panel`
      and each series is fitted alone, so a backtest hands it chunks of many series
      (local models, one fit per series inside); its forecasts come, as every
      model's, from :meth:`forecast_arrays`.
    """

    supports_quantiles: bool = False
    uses_covariates: bool = False
    fits_globally: bool = False
    computes_on_panel: bool = False
    #: Not written by ``tsforecast.save``: a model file holds no training data.
    _persistence_exclude: tuple = ("_training_panel_",)

    # -- input --------------------------------------------------------------
    def _fit_panel(self, y, *, min_length: int = 1, fill=None, on_short: str = "raise", columns=None) -> Panel:
        """Validate ``y`` once into a :class:`~tsforecast.core.panel.Panel` and remember its
        form, names and time axis (what :meth:`_output` needs to answer in kind)."""
        panel = as_panel(y, "y", columns=columns, fill=fill, min_length=min_length, on_short=on_short)
        self.input_form_: InputForm = panel.form
        self.series_ids_ = panel.ids.tolist()
        self.target_names_ = list(panel.columns)
        self.n_series_ = panel.n_series
        self.time_axis_ = panel.time
        self.n_obs_ = panel.lengths.copy()
        # The data conformal intervals on demand are calibrated on (a reference, not a
        # copy; never saved); a calibration of earlier data no longer applies.
        self._training_panel_ = panel
        self._conformal_cache_ = {}
        return panel

    def _output(self, values: np.ndarray, columns) -> object:
        """Forecasts ``[series, horizon, columns]`` in the form ``y`` was given to ``fit``."""
        ids = np.empty(len(self.series_ids_), dtype=object)
        ids[:] = self.series_ids_
        return forecast_output(values, list(columns), ids, self.time_axis_, np.asarray(self.n_obs_), self.input_form_)

    def _fit_frames(self, y, *, min_length: int = 1, fill=None, on_short: str = "raise"):
        """:meth:`_fit_panel`, answered as ``{series_id: DataFrame}`` (per-series code paths)."""
        return self._fit_panel(y, min_length=min_length, fill=fill, on_short=on_short).to_frames()

    def _check_horizon(self, horizon, default: int | None = None) -> int:
        if horizon is None:
            if default is None:
                raise InvalidParameterError("horizon must be given for this forecaster; got None.")
            return default
        return check_int(horizon, "horizon", minimum=1)

    def _future_index(self, key, horizon: int) -> pd.Index:
        row = self.series_ids_.index(key)
        return self.time_axis_.series_index(row, int(self.n_obs_[row]), horizon)

    def _check_no_covariates(self, X) -> None:
        if X is not None and not self.uses_covariates:
            raise InvalidParameterError(
                f"X must be None for {type(self).__name__}, which uses no covariates; got {type(X).__name__}."
            )

    def _wrap(self, key, horizon: int, values: np.ndarray, columns) -> pd.DataFrame:
        """A forecast frame for series ``key`` indexed by its future timestamps."""
        index = self._future_index(key, horizon)
        return pd.DataFrame(np.asarray(values, dtype=float).reshape(horizon, -1), index=index, columns=columns)

    def _restore(self, frames: dict):
        return restore_form(frames, self.input_form_)

    # -- public contract -----------------------------------------------------
    def forecast_arrays(self, horizon=None, X=None, quantiles=None) -> Forecast:
        """Forecast ``horizon`` steps after the end of every series, as arrays.

        The one forecast contract every forecaster keeps: the point forecasts (and the
        forecast quantiles when asked) of the series of the latest ``fit`` or
        ``update``, without a pandas object per series. ``predict``,
        ``predict_quantiles`` and ``predict_interval`` wrap it in the form ``y`` had.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast (default: the model's ``n_steps_out_`` where it has one).
        X : optional
            Covariates, as for ``predict`` (future-known ones for the forecast steps).
        quantiles : sequence of float or "auto", optional
            Forecast quantiles to give too (``supports_quantiles`` models only);
            ``"auto"``: the model's own default set.

        Returns
        -------
        Forecast
            ``point [series, horizon, targets]``, ``quantiles [series, horizon, targets,
            quantiles]`` or None, their ``levels``, ``series_ids`` and ``targets``.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from tsforecast.baselines import Naive
        >>> y = pd.Series(np.arange(10.0), index=pd.date_range("2024", periods=10, freq="D"), name="y")
        >>> out = Naive().fit(y).forecast_arrays(2, quantiles=[0.5])
        >>> out.point.shape, out.quantiles.shape, out.point[0, :, 0].tolist()
        ((1, 2, 1), (1, 2, 1, 1), [9.0, 9.0])
        """
        check_is_fitted(self)
        if quantiles is None:
            point, bands, levels = self._point_array(horizon, X), None, ()
        else:
            if not self.supports_quantiles:
                raise InvalidParameterError(
                    f"{type(self).__name__} gives no quantile forecasts (supports_quantiles is False); "
                    f"got quantiles={quantiles!r}.")
            auto = isinstance(quantiles, str) and quantiles == "auto"
            levels = self._default_quantiles() if auto else check_quantiles(quantiles)
            point, bands = self._interval_arrays(horizon, X, levels)
            bands = ordered_quantiles(np.asarray(bands), levels, type(self).__name__)
        return Forecast(point, bands, tuple(levels), list(self.series_ids_), list(self.target_names_))

    def target_columns(self, columns) -> list:
        """The columns a fit on data with ``columns`` would forecast (all of them here;
        models with covariates forecast fewer). Known before fitting, for Dask metadata."""
        return list(columns)

    def declared_covariates(self) -> tuple[list, list]:
        """The covariate columns this forecaster's parameters name: ``(past-observed,
        future-known)``. A backtest passes them without their being named again."""
        return [], []

    def min_train_length(self) -> int:
        """The fewest values of a series this forecaster can be fitted on alone (with
        fewer, ``fit`` raises :class:`~tsforecast.exceptions.InsufficientDataError`).
        Conformal calibration leaves out the windows with less training data."""
        return 1

    def _default_quantiles(self) -> tuple:
        """The quantiles ``forecast_arrays(quantiles="auto")`` gives, fitted or not (see
        :func:`auto_quantiles`)."""
        return DEFAULT_QUANTILES

    def _point_array(self, horizon, X) -> np.ndarray:
        """Point forecasts ``[series, horizon, targets]``: the hook of :meth:`forecast_arrays`.

        The forecasters of tsforecast compute it directly; this default serves a
        forecaster written against the pandas contract only (``predict``), reading its
        output back in :attr:`series_ids_` order.
        """
        output = self.predict(horizon) if X is None else self.predict(horizon, X=X)
        return self._read_back(output, list(self.target_names_))

    def _interval_arrays(self, horizon, X, quantiles) -> tuple[np.ndarray, np.ndarray]:
        """Point forecasts ``[series, horizon, targets]`` and ``quantiles`` of them
        ``[series, horizon, targets, quantiles]``. This default reads back the columns
        of a ``predict_quantiles`` written against the pandas contract."""
        point = self._point_array(horizon, X)
        output = self.predict_quantiles(horizon, X=X, quantiles=list(quantiles))
        single = len(self.target_names_) == 1
        columns = [quantile_column(q) if single else f"{t}_{quantile_column(q)}"
                   for t in self.target_names_ for q in quantiles]
        bands = self._read_back(output, columns)
        return point, bands.reshape(point.shape + (len(quantiles),))

    def _read_back(self, output, columns: list) -> np.ndarray:
        """``columns`` of a forecast in the user's form as ``[series, horizon, columns]``."""
        panel = as_panel(output, "forecast")
        missing = [c for c in columns if c not in panel.columns]
        if missing:
            raise ValueError(f"the model's forecast lacks column(s) {missing!r}; got {list(panel.columns)!r}.")
        steps = int(panel.lengths[0]) if panel.n_series else 0
        if (panel.lengths != steps).any():
            raise ValueError(f"the model returned {panel.lengths.tolist()} forecast steps per series; "
                             "every series must have as many.")
        values = panel.values[:, [list(panel.columns).index(c) for c in columns]]
        values = values.reshape(panel.n_series, steps, len(columns))
        ids = panel.ids.tolist()
        if ids != self.series_ids_ and len(ids) == len(self.series_ids_) and set(ids) == set(self.series_ids_):
            values = values[[ids.index(key) for key in self.series_ids_]]
        return values

    def predict_quantiles(self, horizon=None, X=None, quantiles=None):
        """Quantile forecasts: one column per quantile named ``q<quantile>``.

        Only forecasters with ``supports_quantiles`` implement it.
        """
        check_is_fitted(self)
        if not self.supports_quantiles:
            raise InvalidParameterError(
                f"{type(self).__name__} gives no quantile forecasts (supports_quantiles is False)."
            )
        return self._predict_quantiles(horizon, X, quantiles)

    def _predict_quantiles(self, horizon, X, quantiles):  # pragma: no cover - overridden
        raise NotImplementedError

    def predict_interval(self, horizon=None, X=None, levels=DEFAULT_LEVELS, method: str = "auto",
                         n_windows: int | None = None):
        """Point forecasts with central prediction intervals of ``levels`` percent.

        Two sources of bounds:

        - the model's own forecast distribution (``supports_quantiles``): the 80%
          interval runs from its 0.1 to its 0.9 quantile (analytic for the naive-type
          and ETS models, quantile heads for an LSTM trained with ``quantiles``);
        - conformal calibration on the model's own walk-forward errors, computed as
          :class:`tsforecast.ConformalIntervals` does (the same bounds, exactly), on
          the data of the latest ``fit`` or ``update`` only: ``n_windows`` windows at
          the end of each training series, each fitted without the ``horizon`` steps
          it then forecasts.

        The calibration is cached on the fitted model per ``(horizon, n_windows)``;
        other levels reuse it, ``fit`` or ``update`` clears it. Its cost, once:
        models fitted per series refit on every window (one stacked fit of
        ``n_series * n_windows`` series); global models with ``update``
        (:class:`~tsforecast.WindowForecaster`, such as the LSTM) fit ONCE more, on the data
        before the earliest window, and ``update`` to the later ones (``refit=False``
        of ConformalIntervals: see there for the trade-off). To calibrate on demand, a
        fitted model keeps a reference to its validated training panel (in memory as
        long as the model is). A model loaded from a file holds no training data: it
        answers only the calibrations made before saving.
        Models fitted with covariates in ``X`` need the wrapper
        (``ConformalIntervals(model).fit(y, X)``).

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast (default: the model's ``n_steps_out_`` where it has one).
        X : optional
            Covariates, as for ``predict``.
        levels : sequence of float, default=(80, 95)
            Nominal coverages in percent, increasing, each in (0, 100).
        method : {"auto", "model", "conformal"}, default="auto"
            ``"model"``: the model's own distribution (raises for a model without one,
            and for a window model's quantiles beyond its ``n_steps_out``);
            ``"conformal"``: conformal calibration, also for a model with a
            distribution; ``"auto"``: the model's own where it has one, else conformal
            (a window model past ``n_steps_out`` too, with a ``FallbackWarning``: its
            quantiles hold for one block only).
        n_windows : int, optional
            Conformal calibration windows per series (default 20). A ``level``%
            interval needs ``ceil(level / (100 - level))`` errors per step (19 for 95%,
            4 for 80%): per series for local models, over all series for global ones.

        Returns
        -------
        DataFrame, panel DataFrame or dict
            The point forecast column, then ``lo_80``, ``hi_80``, ``lo_95``, ``hi_95``
            (see :func:`interval_columns`), in the form ``y`` was given (a Series
            becomes a DataFrame).

        Raises
        ------
        InvalidParameterError
            Bad ``levels``, ``method`` or ``n_windows``; ``method="model"`` for a model
            without a distribution; conformal calibration of a loaded model for
            settings not calibrated before saving.
        InsufficientDataError
            Conformal calibration on series too short for one window, or too few
            windows for a level (the message names the series and the numbers).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from tsforecast.baselines import Naive, Theta
        >>> y = pd.Series(np.arange(40.0), index=pd.date_range("2024", periods=40, freq="D"), name="y")
        >>> Naive().fit(y).predict_interval(3).columns.tolist()
        ['y', 'lo_80', 'hi_80', 'lo_95', 'hi_95']
        >>> Theta().fit(y).predict_interval(3, levels=(80,), n_windows=5).columns.tolist()  # conformal
        ['y', 'lo_80', 'hi_80']
        """
        check_is_fitted(self)
        levels = check_levels(levels)
        method = check_choice(method, "method", INTERVAL_METHODS)
        if n_windows is not None:
            check_int(n_windows, "n_windows", minimum=1)
        if uses_conformal(self, method):
            point, bands = conformal_interval_arrays(self, horizon, X, level_quantiles(levels), levels, n_windows)
        elif not self.supports_quantiles:
            name = type(self).__name__
            raise InvalidParameterError(
                f"{name} has no forecast distribution of its own (supports_quantiles is False), so "
                f"predict_interval(method='model') has nothing to read levels={list(levels)!r} from; use "
                f"method='conformal' (or 'auto') to calibrate intervals on its past errors, or wrap it: "
                f"ConformalIntervals({name}(...), levels={list(levels)!r})."
            )
        else:
            if method == "model":
                self._check_own_distribution(horizon)
            forecast = self.forecast_arrays(horizon, X, level_quantiles(levels))
            point, bands = forecast.point, forecast.quantiles
        return self._interval_output(interval_values(point, bands, levels), levels)

    def _check_own_distribution(self, horizon) -> None:
        """Raise where ``method="model"`` asks the model's own distribution for steps it
        does not cover (a window model's quantiles beyond ``n_steps_out``); here: none."""

    def _interval_output(self, values: np.ndarray, levels) -> object:
        output = self._output(values, interval_columns(self.target_names_, levels))
        if isinstance(output, pd.Series):  # intervals are always columns
            return output.to_frame()
        return output

