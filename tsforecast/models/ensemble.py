"""``MedianEnsemble``: the median (or mean) forecast of several window regressors.

Networks trained from different seeds, on different lengths of the same input window, or
of different designs, make partly independent errors; the median of their forecasts is
more accurate than a typical member and robust to one member that trained badly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..core.params import Integer, Options, Unchecked, validate_params
from ..core.validation import check_array, check_int
from ..core.window_features import takes_sequences
from ..exceptions import InputTypeError, InvalidParameterError, ShapeMismatchError
from .inputs import check_feature_names, remember_feature_names

__all__ = ["MedianEnsemble"]

#: How ``aggregate`` combines the members' forecasts (over the first axis).
AGGREGATES = {"median": np.median, "mean": np.mean}


def member_seeds(random_state, n_members: int) -> list[int]:
    """The seeds :class:`MedianEnsemble` gives its members, in member order: member ``i``'s
    depends on ``random_state`` and ``i`` alone, whatever the other members are."""
    rng = check_random_state(random_state)
    return [int(rng.randint(0, 2**31 - 1)) for _ in range(n_members)]


def _member(base, seed: int, season_length: int | None):
    """An unfitted clone of ``base`` with its seed and, where it left its own unset, the
    ensemble's season."""
    member = clone(base)
    params = member.get_params(deep=False)
    if "random_state" in params:
        member.set_params(random_state=seed)
    if season_length is not None and "season_length" in params and params["season_length"] is None:
        member.set_params(season_length=season_length)
    return member


def _check_windows(X, y) -> tuple[np.ndarray, np.ndarray]:
    """``X`` and ``y`` of :meth:`MedianEnsemble.fit` as arrays: numeric and finite, named,
    before any member sees them; windows of at least one step and feature."""
    if np.ndim(X) < 2:
        raise ShapeMismatchError(f"X must hold windows (n, n_steps_in[, features]); got shape {np.shape(X)}.")
    X = check_array(X, "X", ndims=(2, 3))
    y = check_array(y, "y", ndims=(1, 2, 3))
    if not np.prod(X.shape[1:]):  # else the first complaint would be about input_lengths, never set
        raise ShapeMismatchError(f"X must hold windows of at least one step and feature; found 0 feature(s) "
                                 f"(shape={X.shape}) while a minimum of 1 is required.")
    if len(y) != len(X):
        raise ShapeMismatchError(f"X and y must hold the same number of windows; got {len(X)} and {len(y)}.")
    return X, y


def _latest(X: np.ndarray, n_steps: int, sequence: bool) -> np.ndarray:
    """The latest ``n_steps`` steps of windows ``X``; for a member that takes rows, a 3-D
    window flattened step by step (each step's features together)."""
    latest = X[:, X.shape[1] - n_steps :]
    return latest if sequence or latest.ndim < 3 else latest.reshape(len(latest), -1)


def _rows(y: np.ndarray) -> np.ndarray:
    """3-D targets as a row member's: ``(n, steps * targets)``, 1-D for a single value."""
    rows = y.reshape(len(y), -1)
    return rows.ravel() if rows.shape[1] == 1 else rows


class MedianEnsemble(RegressorMixin, BaseEstimator):
    """Fit ``n_members`` copies of a window regressor; predict their median.

    Member ``i`` is a clone of ``estimator`` (of a list: of ``estimator[i % len(estimator)]``)
    with its own ``random_state`` (drawn from this ensemble's ``random_state``, in member
    order) and, with ``input_lengths``, reads only the latest
    ``input_lengths[i % len(input_lengths)]`` steps of each input window. Training time
    grows with ``n_members``.

    The ensemble takes windows as sequences ``(n, n_steps_in, features)`` (its
    scikit-learn tag ``three_d_array``) when a member does, or when ``input_lengths``
    is set: steps can be cut only from windows that keep them apart (a flattened row of
    several inputs would lose its latest columns, not its latest steps). A member that
    takes rows (a scikit-learn regressor) then gets each window, cut to its input steps,
    flattened step by step, and 2-D targets; its forecasts are shaped back as ``y``. So
    in a :class:`~tsforecast.WindowForecaster` such an ensemble gets the windows of a
    sequence estimator (every covariate step; future-known covariates as shifted inputs).

    Parameters
    ----------
    estimator : estimator, list of estimators or None, default=None
        The member regressor, e.g. :class:`tsforecast.EncoderDecoderLSTM` (the default,
        with its default parameters), or several cycled over the members (members of
        different designs err more independently). Cloned, never fitted itself.
    n_members : int, default=3
        Number of members.
    input_lengths : sequence of int or None, default=None
        Input steps read by the members, cycled over them; each must be at most the
        window's length. ``None``: every member reads the whole window. In a
        :class:`~tsforecast.WindowForecaster` with future covariates each must be at
        least ``n_steps_out`` (the forecast steps' covariates are the window's last
        ``n_steps_out`` steps).
    random_state : int, RandomState or None, default=None
        Seeds the members' seeds (resolved in :meth:`fit`).
    aggregate : {"median", "mean"}, default="median"
        How the members' forecasts are combined: the median is robust to one member that
        trained badly; the mean has the lower variance when none did.
    season_length : int or None, default=None
        Seasonal period given to every member whose own ``season_length`` parameter is
        ``None`` (the default LSTM's included); members that set theirs, or have none,
        keep it. :class:`~tsforecast.WindowForecaster` sets it to the data's season, as
        it does an LSTM's. ``None``: the members are left as they are.

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.
    input_lengths_ : list of int
        The input steps each member reads.
    target_shape_ : tuple of int
        The shape of one window's targets in ``fit`` (``y.shape[1:]``): that of every
        forecast.
    n_steps_in_ : int
        Length of the input windows seen in ``fit``.
    n_features_in_ : int
        Values per input window seen in ``fit`` (steps x features).
    feature_names_in_ : ndarray of str
        The column names of a DataFrame ``X`` of ``fit`` (all strings); ``predict``
        refuses other or reordered columns. Absent for an array.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> X = np.arange(40.0)[np.arange(30)[:, None] + np.arange(6)]
    >>> y = X[:, -1] + 1
    >>> model = MedianEnsemble(Ridge(), n_members=3, input_lengths=[6, 3], random_state=0).fit(X, y)
    >>> [m.n_features_in_ for m in model.estimators_], model.predict(X[:1]).shape
    ([6, 3, 6], (1,))
    """

    _parameter_constraints = {
        "estimator": Unchecked("a scikit-learn regressor, a list of them, or None: checked by _bases "
                               "before the first member"),
        "n_members": Integer(minimum=1),
        "input_lengths": Unchecked("window lengths: checked in fit against the windows of X"),
        "random_state": Unchecked("resolved by check_random_state in fit"),
        "aggregate": Options(("median", "mean")),
        "season_length": Integer(minimum=1, allow_none=True),
    }

    def __init__(self, estimator=None, n_members: int = 3, input_lengths: Sequence[int] | None = None,
                 random_state=None, aggregate: str = "median", season_length: int | None = None):
        self.estimator = estimator
        self.n_members = n_members
        self.input_lengths = input_lengths
        self.random_state = random_state
        self.aggregate = aggregate
        self.season_length = season_length

    def _bases(self) -> list:
        """The member designs, cycled over the members."""
        if self.estimator is None:
            from .estimator import EncoderDecoderLSTM

            return [EncoderDecoderLSTM()]
        bases = list(self.estimator) if isinstance(self.estimator, (list, tuple)) else [self.estimator]
        if not bases or not all(hasattr(b, "get_params") and callable(getattr(b, "fit", None)) for b in bases):
            raise InputTypeError(
                "estimator must be a scikit-learn regressor (get_params, fit, predict), a non-empty list of them, "
                f"or None; got {self.estimator!r} of type {type(self.estimator).__name__}."
            )
        return bases

    def fit(self, X, y) -> "MedianEnsemble":
        """Fit every member on ``X`` (its latest steps) and ``y``."""
        p = validate_params(self)
        bases = self._bases()
        frame, (X, y) = X, _check_windows(X, y)
        lengths = self._lengths(X.shape[1])
        members = []
        for i, seed in enumerate(member_seeds(self.random_state, p["n_members"])):
            member = _member(bases[i % len(bases)], seed, p["season_length"])
            sequence = takes_sequences(member)
            members.append(member.fit(_latest(X, lengths[i % len(lengths)], sequence),
                                      y if sequence or y.ndim < 3 else _rows(y)))
        self.estimators_ = members
        self.target_shape_ = tuple(int(v) for v in y.shape[1:])
        self.input_lengths_ = [lengths[i % len(lengths)] for i in range(p["n_members"])]
        self.n_steps_in_ = int(X.shape[1])
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        remember_feature_names(self, frame)  # the members see arrays: the names are checked here
        return self

    def _lengths(self, n_steps_in: int) -> list[int]:
        """``input_lengths`` checked against the windows' length (``None``: all of them)."""
        lengths = [n_steps_in] if self.input_lengths is None else list(self.input_lengths)
        if not lengths or any(isinstance(v, bool) for v in lengths):
            raise InvalidParameterError(
                f"input_lengths must be None or a non-empty list of ints; got {self.input_lengths!r}.")
        return [check_int(v, "input_lengths", minimum=1, maximum=n_steps_in) for v in lengths]

    def predict(self, X) -> np.ndarray:
        """The median (``aggregate="mean"``: the mean) over members of their point forecasts."""
        check_is_fitted(self, "estimators_")
        # set_params may have changed it since fit: named here, not a KeyError of the table below
        aggregate = self._parameter_constraints["aggregate"].check(self.aggregate, "aggregate")
        # before the values: reordered columns would be read as other features, silently
        check_feature_names(getattr(self, "feature_names_in_", None), X)
        X = check_array(X, "X", ndims=(2, 3))
        if X.shape[1] != self.n_steps_in_ or np.prod(X.shape[1:]) != self.n_features_in_:
            raise ShapeMismatchError(  # scikit-learn's wording first (its estimator checks match it)
                f"X has {int(np.prod(X.shape[1:]))} features, but MedianEnsemble is expecting {self.n_features_in_} "
                f"features as input: windows of n_steps_in={self.n_steps_in_} steps as in fit; got X of shape "
                f"{X.shape}."
            )
        forecasts = [self._forecast(m, X, n) for m, n in zip(self.estimators_, self.input_lengths_)]
        return AGGREGATES[aggregate](np.stack(forecasts), axis=0)

    def _forecast(self, member, X: np.ndarray, n_steps: int) -> np.ndarray:
        """A member's forecast from the latest ``n_steps`` of windows ``X``, shaped as ``y``."""
        sequence = takes_sequences(member)
        forecast = np.asarray(member.predict(_latest(X, n_steps, sequence)), dtype=np.float64)
        if sequence:
            return forecast
        # a row member was fitted on flattened targets; absent from files saved before it was recorded
        return forecast.reshape((len(X), *getattr(self, "target_shape_", forecast.shape[1:])))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        # 3-D windows when a member reads sequences or steps are to be cut (see the class docstring)
        tags.input_tags.three_d_array = (self.input_lengths is not None
                                         or any(takes_sequences(base) for base in self._bases()))
        return tags
