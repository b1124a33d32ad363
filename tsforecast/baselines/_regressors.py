"""``RegressionForecaster``: per-series baselines whose series may carry regressors ``X``.

The regression-with-ARIMA-errors models (``ARIMA`` and ``AutoARIMA``) share this one
path: ``X`` is aligned into the panel as ``WindowForecaster``'s covariates are (same
checks, same messages), each series is fitted with its own regressor rows ``[n, k]``,
and ``predict`` reads the regressors of the forecast steps per series. The columns
used are named by ``future_covariates`` and declared to backtests, which pass each
fold its known future values.

A subclass fits an item ``(x, z)`` in :meth:`_fit_one` and forecasts with
``_forecast(state, horizon, future)``, ``future`` the regressors ``[horizon, k]`` of the
forecast steps (``None`` without regressors).
"""

from __future__ import annotations

import math

import numpy as np
from scipy.stats import norm

from ..core.covariates import align_covariates, future_values, only_columns
from ..core.params import Check
from ..exceptions import InvalidInputError, InvalidParameterError, UnknownColumnError
from ..forecasters.base import DEFAULT_QUANTILES, check_quantiles, kept_on_failure, quantile_column
from ._base import LocalForecaster
from ._units import standard_columns

__all__ = ["RegressionForecaster", "FUTURE_COVARIATES"]


def _check_names(names, name: str):
    """``future_covariates``: None, one column name or a list of names."""
    if names is not None and not isinstance(names, str) and (
            not isinstance(names, (list, tuple)) or not all(isinstance(n, str) for n in names)):
        raise InvalidParameterError(f"{name} must be None, a column name or a list of names; got {names!r}.")
    return names


#: The ``future_covariates`` constraint: None, one column name or a list of names.
FUTURE_COVARIATES = Check(_check_names)


class RegressionForecaster(LocalForecaster):
    """Base class of per-series models with regressors (not used directly).

    Subclasses store ``future_covariates`` and declare it with :data:`FUTURE_COVARIATES`.
    """

    uses_covariates = True

    # -- capabilities that depend on the parameters ------------------------------
    @property
    def computes_on_panel(self) -> bool:
        """Without regressors, backtests hand it chunks of series as arrays; with them,
        series with their covariate frames."""
        return not self._names()

    def declared_covariates(self) -> tuple[list, list]:
        return [], list(self._names())

    def _names(self) -> list:
        names = self.future_covariates
        return [names] if isinstance(names, str) else list(names or [])

    # -- fitting --------------------------------------------------------------------
    def fit(self, y, X=None):
        """Fit a model per series (and target column) of ``y``, with regressors ``X``.

        Parameters
        ----------
        y : Series, DataFrame, panel DataFrame or dict
            One series or many (see :mod:`tsforecast.core.forms`).
        X : same form as ``y``, optional
            Regressors on (at least) the timestamps of ``y``; only those rows are read
            and checked (later ones may be blank).

        Returns
        -------
        self
        """
        with kept_on_failure(self):
            self._check_params()
            panel = self._fit_panel(y, min_length=self._min_length(), fill=self.fill, on_short=self.on_short)
            self._check_regressors_given(panel, X)
            self.future_covariates_, self._z, self._kept = [], None, None
            if X is not None:
                # only the named regressors are read, and checked (an unused text column is no error)
                panel = align_covariates(panel, only_columns(X, self._names()) if self._names() else X, fill=self.fill)
                self.future_covariates_ = self._regressor_names(panel)
                positions = [panel.covariate_columns.index(c) for c in self.future_covariates_]
                regressors = [panel.covariates[lo:hi][:, positions] for lo, hi in zip(panel.starts, panel.ends)]
                # once for every target column: the columns each series' regression can estimate
                self._kept = [usable_columns(z) for z in regressors]
                self._z = [z[:, kept] for z, kept in zip(regressors, self._kept)]
            try:
                self._fit_columns(panel)
            finally:
                del self._z, self._kept
            return self

    def _check_regressors_given(self, panel, X) -> None:
        """Refuse regressors named but not given as ``X`` (they were silently left out):
        every column of ``y`` is a series to forecast, so a named column found there is
        a misplaced regressor."""
        in_y = [c for c in self._names() if c in panel.columns]
        if in_y:
            targets = [c for c in panel.columns if c not in in_y]
            if not targets:
                raise InvalidInputError(
                    f"future_covariates names {in_y!r}, the column(s) of y that {type(self).__name__} would forecast; "
                    "y holds the series to forecast and X the regressors: fit(y, X) with the regressors in X only."
                )
            raise InvalidInputError(
                f"future_covariates names {in_y!r}, column(s) of y; {type(self).__name__} forecasts every column "
                f"of y: pass the regressors as X, e.g. fit(y[{targets!r}], X=y[{in_y!r}])."
            )
        if X is None and self._names():
            raise UnknownColumnError(f"future_covariates names column(s) {self._names()!r}, but X is None: "
                                     "give the regressors as fit(y, X).")

    def _regressor_names(self, panel) -> list:
        """The regressor columns: ``future_covariates``, or every column of ``X``."""
        available = list(panel.covariate_columns)
        if self.future_covariates is None:
            return available
        unknown = [c for c in self._names() if c not in available]
        if unknown:
            raise UnknownColumnError(f"future_covariates names column(s) {unknown!r} found neither in y nor in X; "
                                     f"available: {list(panel.columns) + available!r}.")
        return self._names()

    def _column_items(self, x, starts, ends) -> list:
        """Each series with its regressors ``[n, k]`` (those its regression can estimate,
        :func:`usable_columns`): _fit_one and _fallback_one take the pair."""
        bounds = list(zip(starts.tolist(), ends.tolist()))
        regressors = self._z or [np.zeros((hi - lo, 0)) for lo, hi in bounds]
        return [(x[lo:hi], z) for (lo, hi), z in zip(bounds, regressors)]

    def _fit_column(self, x, starts, ends) -> dict:
        state = super()._fit_column(x, starts, ends)
        if self._kept is None:
            return state
        names = self.future_covariates_
        for i, (item, kept) in enumerate(zip(state["objects"], self._kept)):
            item["regressors"] = kept  # the columns of X its forecasts read
            left = [name for j, name in enumerate(names) if j not in kept]
            if left and not item.get("fallback"):
                said = (f"regressor column(s) {left!r} constant over its training rows, or a combination of the "
                        "other columns and the constant: left out of its regression")
                state["note"][i] = said if state["note"][i] is None else f"{state['note'][i]}; {said}"
        return state

    def _fit_column_alone(self, x, starts, ends) -> dict:
        """:meth:`_fit_column` without regressors, for a model fitted inside another (the
        trend model of :class:`~tsforecast.baselines.MSTL`), whose ``fit`` never runs."""
        self.future_covariates_, self._z, self._kept = [], None, None
        try:
            return self._fit_column(x, starts, ends)
        finally:
            del self._z, self._kept

    def _fallback_one(self, item):
        return super()._fallback_one(item[0])

    # -- forecasting --------------------------------------------------------------
    def _future(self, horizon: int, X) -> list:
        """Per series, the regressors of the forecast steps (``[horizon, k]``)."""
        if not self.future_covariates_:
            if X is not None:  # it would be ignored: the fit had no regressors to forecast with
                raise InvalidParameterError(
                    f"X must be None: this {type(self).__name__} was fitted without regressors (fit got no X); "
                    f"got {type(X).__name__}. To forecast with regressors, fit with them: fit(y, X)."
                )
            return [None] * len(self.series_ids_)
        ids = np.empty(len(self.series_ids_), dtype=object)
        ids[:] = self.series_ids_
        return list(future_values(X, self.time_axis_, ids, self.n_obs_, self.future_covariates_, horizon, horizon,
                                  fill=self.fill))

    def _column_point(self, state: dict, horizon: int, future: list) -> np.ndarray:
        return np.stack([self._forecast_fallback(s, horizon) if s.get("fallback") else
                         self._forecast(s, horizon, _kept_columns(s, f)) for s, f in zip(state["objects"], future)])

    def _point_array(self, horizon, X) -> np.ndarray:
        h = self._check_horizon(horizon)
        future = self._future(h, X)
        return np.stack([self._column_point(state, h, future) for state in self.states_], axis=-1)

    def _interval_arrays(self, horizon, X, quantiles):
        h = self._check_horizon(horizon)
        point = self._point_array(h, X)
        std = np.stack([np.stack([self._std(s, h) for s in state["objects"]]) for state in self.states_], axis=-1)
        return point, point[..., None] + std[..., None] * norm.ppf(np.asarray(quantiles))

    def _predict_quantiles(self, horizon, X, quantiles):
        levels = check_quantiles(DEFAULT_QUANTILES if quantiles is None else quantiles)
        _, bands = self._interval_arrays(horizon, X, levels)
        single = len(self.target_names_) == 1
        columns = [quantile_column(q) if single else f"{target}_{quantile_column(q)}"
                   for target in self.target_names_ for q in levels]
        return self._output(bands.reshape(bands.shape[0], bands.shape[1], -1), columns)


def _kept_columns(state: dict, future):
    """The future regressors of the columns the series' regression kept (all of them in
    a fit saved before columns could be left out)."""
    kept = state.get("regressors")
    return future if future is None or kept is None else future[:, np.asarray(kept, dtype=np.intp)]


def usable_columns(z: np.ndarray) -> np.ndarray:
    """Indices of the columns of ``z`` ``[n, k]`` kept for a regression with a constant:
    in order, each that raises the rank of the constant and the columns kept before it.
    A column constant over the training rows (a holiday flag with no holiday in a fold)
    or a combination of others (``x`` and ``2 x``) cannot be estimated: statsmodels'
    fits failed on them and the model fell back to Naive, or split the effect arbitrarily.

    The test runs on each column less its mean and divided by its spread, so it does not
    depend on the column's units or level: the rank of the raw columns beside the constant
    (tolerance relative to the largest) called a regressor in bytes (1e12 for 1), or one
    of epoch seconds, constant. A column's spread or a residual below what rounding of its
    values can explain counts as none.

    Examples
    --------
    >>> x = np.arange(6.0)
    >>> usable_columns(np.column_stack([x, np.ones(6), 2 * x, x ** 2])).tolist()
    [0, 3]
    >>> usable_columns(np.column_stack([1e12 * x, 1.7e9 + x])).tolist()
    [0]
    """
    n = z.shape[0]
    standard, noise = _standard_columns(z)
    basis = np.full((n, 1), 1.0 / math.sqrt(max(n, 1)))  # orthonormal: the constant, then the kept columns
    kept: list[int] = []
    for j in range(z.shape[1]):
        if not np.isfinite(noise[j]):  # no spread beyond rounding: constant
            continue
        residual = standard[:, j] - basis @ (basis.T @ standard[:, j])
        residual -= basis @ (basis.T @ residual)  # twice is enough (Gram-Schmidt's rounding)
        length = float(np.linalg.norm(residual))
        # the rounding of this column and of those kept could leave a residual this long
        if length > max(n, z.shape[1] + 1) * max([noise[j], *noise[kept]]) * math.sqrt(n):
            basis = np.column_stack([basis, residual / length])
            kept.append(j)
    return np.asarray(kept, dtype=np.intp)


def _standard_columns(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each column of ``z`` in standard units (less its mean, divided by its root mean
    square about it), and the rounding error of its values in those units (``eps`` times
    its largest absolute value over its spread; infinite for a spread that rounding alone
    could give)."""
    eps = np.finfo(np.float64).eps
    standard, _, scales = standard_columns(z, shift=True)
    # the spread itself: none where the units fell back to another scale (all values equal)
    spread = scales * np.sqrt(np.mean(standard**2, axis=0)) if z.shape[0] else np.zeros(z.shape[1])
    size = np.max(np.abs(z), axis=0, initial=0.0)
    varies = spread > max(z.shape[0], 1) * eps * size
    return np.where(varies, standard, 0.0), np.where(varies, eps * size / np.where(varies, spread, 1.0), np.inf)
