"""``Combination``: the weighted mean (or median) of several forecasters' forecasts.

Forecast combination is the oldest reliable improvement in forecasting (Bates & Granger
1969; Makridakis et al. 2020 for M4, where most of the top entries combined): models
that err differently, such as a global network and a local exponential smoothing,
average out part of each other's errors. ``Combination`` fits every member on the same
data and combines their point forecasts step by step, one array operation over all
series.
"""

from __future__ import annotations

import copy

import numpy as np
from sklearn.base import BaseEstimator, clone
from sklearn.utils.validation import check_is_fitted

from ..core.params import Check, Options, validate_params
from ..core.validation import check_float
from ..exceptions import InputTypeError, InvalidInputError, InvalidParameterError
from .base import BaseForecaster, kept_on_failure

__all__ = ["Combination"]

_METHODS = ("mean", "median")


def _check_members(members, name: str) -> list:
    """``forecasters``: a non-empty list of forecasters (fit and predict)."""
    if isinstance(members, (str, bytes, BaseEstimator)) or not isinstance(members, (list, tuple)):
        raise InputTypeError(f"{name} must be a list of forecasters; got {members!r}.")
    if len(members) < 1:
        raise InvalidParameterError(f"{name} must hold at least one forecaster; got an empty list.")
    for i, member in enumerate(members):
        if not (isinstance(member, BaseEstimator) and callable(getattr(member, "fit", None))
                and callable(getattr(member, "predict", None))):
            raise InputTypeError(f"{name}[{i}] must be a forecaster (fit and predict); got {type(member).__name__}.")
    return list(members)


def _check_weights(weights, name: str) -> list | None:
    """``weights``: None or a sequence of non-negative floats (one per member: checked
    with the members)."""
    if weights is None:
        return None
    if isinstance(weights, (str, bytes)) or np.ndim(weights) != 1:
        raise InputTypeError(f"{name} must be a sequence of floats, one per forecaster; got {weights!r}.")
    return [check_float(w, f"{name}[{i}]", minimum=0) for i, w in enumerate(weights)]


class Combination(BaseForecaster):
    """Combine the point forecasts of several forecasters: weighted mean or median.

    Every member is cloned and fitted on the data given to :meth:`fit`; :meth:`predict`
    returns, at every step of every series, the weighted mean of the members' forecasts
    (``method="mean"``) or their median (``method="median"``).

    Parameters
    ----------
    forecasters : list of forecasters
        The members, e.g. ``[WindowForecaster(...), Damped(), Theta()]``. They are
        cloned, never fitted themselves.
    weights : sequence of float, optional
        One non-negative weight per member (``method="mean"`` only); divided by their
        sum. Default: equal weights. Choose them on held-out data, never on the data
        the combination is scored on.
    method : {"mean", "median"}, default="mean"
        How the forecasts are combined.

    Attributes
    ----------
    forecasters_ : list of forecasters
        The fitted members.
    weights_ : ndarray of shape (n_forecasters,)
        The normalised weights (equal ones for ``method="median"``, unused there).

    Notes
    -----
    The combination fits globally when a member does (a backtest then keeps the series
    together). :meth:`update` (used by :class:`~tsforecast.ConformalIntervals` with
    ``refit=False``) updates the members that have ``update`` and refits the others on
    the new data, which for the statistical baselines (local models fitted in seconds)
    is their update. Intervals: wrap the combination in
    :class:`~tsforecast.ConformalIntervals`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from tsforecast.baselines import Drift, Naive
    >>> y = pd.Series(np.arange(30.0), index=pd.date_range("2024", periods=30, freq="D"), name="y")
    >>> model = Combination([Naive(), Drift()], weights=[0.75, 0.25]).fit(y)
    >>> model.predict(2).tolist()             # Naive: 29, 29; Drift: 30, 31
    [29.25, 29.5]
    """

    _parameter_constraints = {
        "forecasters": Check(_check_members),
        "weights": Check(_check_weights),
        "method": Options(_METHODS),
    }

    def __init__(self, forecasters, weights=None, method: str = "mean"):
        self.forecasters = forecasters
        self.weights = weights
        self.method = method

    # -- capabilities: those of the members ---------------------------------------
    def _members(self) -> list:
        members = getattr(self, "forecasters_", None) or self.forecasters
        return list(members) if isinstance(members, (list, tuple)) else []

    @property
    def fits_globally(self) -> bool:
        """True when a member fits one model for all series."""
        return any(getattr(f, "fits_globally", False) for f in self._members())

    @property
    def uses_covariates(self) -> bool:
        """True when a member uses covariates (``X`` goes to those members only)."""
        return any(getattr(f, "uses_covariates", False) for f in self._members())

    @property
    def n_steps_out(self) -> int | None:
        """The default horizon: that of the first member that has one (a window model)."""
        for member in self._members():
            n_out = getattr(member, "n_steps_out", None)
            if n_out is not None:
                return n_out
        return None

    def min_train_length(self) -> int:
        """The largest of the members': every member is fitted on the same data."""
        return max(member.min_train_length() for member in self._members())

    # -- checks -----------------------------------------------------------------
    def _check_params(self) -> np.ndarray:
        """The declared checks, then the weights against the members: normalised weights."""
        p = validate_params(self)
        members, method, values = p["forecasters"], p["method"], p["weights"]
        if values is None:
            return np.full(len(members), 1.0 / len(members))
        if method != "mean":
            raise InvalidParameterError(f"weights go with method='mean'; got method={method!r} and weights.")
        if len(values) != len(members):
            raise InvalidParameterError(
                f"weights must hold one weight per forecaster ({len(members)}); got {len(values)}.")
        values = np.asarray(values, dtype=np.float64)
        # scaled by the largest first: weights of 1e308 summed to inf and normalised to zeros
        largest = float(np.max(values)) if values.size else 0.0
        if not largest > 0:
            raise InvalidParameterError(f"weights must not all be zero; got {self.weights!r}.")
        scaled = values / largest
        return scaled / scaled.sum()

    @staticmethod
    def _covariates(member, X):
        return X if getattr(member, "uses_covariates", False) else None

    def _check_series(self) -> None:
        """Every member must forecast the same series; the combination forecasts the
        columns every member forecasts (a window member with covariates forecasts fewer
        than a local baseline fitted on the same ``y``, which forecasts every column)."""
        names = [list(member.target_names_) for member in self.forecasters_]
        targets = [c for c in names[0] if all(c in other for other in names[1:])]
        if not targets:
            raise InvalidInputError(
                f"the forecasters have no forecast column in common (they forecast {names!r}); name the "
                "columns to forecast with a window member's targets=... .")
        self.target_names_ = targets
        for i, member in enumerate(self.forecasters_):
            ids = list(getattr(member, "series_ids_", self.series_ids_))
            if ids != self.series_ids_:
                raise InvalidInputError(
                    f"forecasters[{i}] ({type(member).__name__}) kept series {ids[:5]!r}"
                    f"{' ...' if len(ids) > 5 else ''}, not those of y ({self.series_ids_[:5]!r}"
                    f"{' ...' if len(self.series_ids_) > 5 else ''}); every member must forecast every series "
                    "(a window model with on_short='skip' drops short ones).")

    # -- fitting ----------------------------------------------------------------
    def fit(self, y, X=None):
        """Fit a clone of every member on ``y``.

        Parameters
        ----------
        y : Series, DataFrame, panel DataFrame or dict
            The training data.
        X : optional
            Covariates, given to the members that use them.

        Returns
        -------
        self
        """
        with kept_on_failure(self):
            weights = self._check_params()
            self._check_no_covariates(X)
            self._fit_panel(y, min_length=1)
            self.forecasters_ = [clone(f).fit(y, self._covariates(f, X)) for f in self.forecasters]
            self._check_series()
            self.weights_ = weights
            return self

    def update(self, y, X=None):
        """Forecast from the end of ``y`` from now on: members with ``update`` update,
        the others are fitted again on ``y``. An update refused by any member leaves the
        combination as it was.

        Returns
        -------
        self
        """
        with kept_on_failure(self):
            check_is_fitted(self)
            self._check_no_covariates(X)
            # copies updated, swapped in at the end: a member refusing must not leave the
            # earlier ones forecasting from the new data under the old origin
            members = [copy.copy(f).update(y, self._covariates(f, X)) if callable(getattr(f, "update", None))
                       else clone(f).fit(y, self._covariates(f, X)) for f in self.forecasters_]
            self._fit_panel(y, min_length=1)
            self.forecasters_ = members
            self._check_series()
            return self

    # -- prediction ---------------------------------------------------------------
    def _member_forecasts(self, horizon: int, X) -> np.ndarray:
        """``[members, series, horizon, targets]``, from every member's array contract."""
        out = []
        for member in self.forecasters_:
            forecast = member.forecast_arrays(horizon, self._covariates(member, X))
            out.append(forecast.point[:, :, [forecast.targets.index(c) for c in self.target_names_]])
        return np.stack(out)

    def _combine(self, forecasts: np.ndarray) -> np.ndarray:
        if self.method == "median":
            return np.median(forecasts, axis=0)
        # members of weight 0 are left out, not multiplied: 0 * NaN is NaN
        used = self.weights_ > 0
        return np.tensordot(self.weights_[used], forecasts[used], axes=1)

    def predict(self, horizon: int | None = None, X=None):
        """The combined forecasts of the next ``horizon`` steps of every series.

        Parameters
        ----------
        horizon : int, optional
            Steps to forecast; default: the first window member's ``n_steps_out``.
        X : optional
            Covariates, given to the members that use them.

        Returns
        -------
        Series, DataFrame, panel DataFrame or dict
            In the form ``y`` was given to :meth:`fit`, indexed by the future timestamps.
        """
        return self._output(self.forecast_arrays(horizon, X).point, self.target_names_)

    def _point_array(self, horizon, X) -> np.ndarray:
        self._check_no_covariates(X)
        h = self._check_horizon(horizon, default=self.n_steps_out)
        return self._combine(self._member_forecasts(h, X))

    def declared_covariates(self) -> tuple[list, list]:
        """The covariates the members declare, each named once, in the members' order."""
        past, future = [], []
        for member in self._members():
            own_past, own_future = member.declared_covariates()
            past += [c for c in own_past if c not in past]
            future += [c for c in own_future if c not in future]
        return past, future

    def target_columns(self, columns) -> list:
        """The columns every member forecasts (as :meth:`fit` decides)."""
        names = [member.target_columns(columns) for member in self._members()] or [list(columns)]
        return [c for c in names[0] if all(c in other for other in names[1:])]
