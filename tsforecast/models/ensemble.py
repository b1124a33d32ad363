"""``MedianEnsemble``: the median forecast of several window regressors.

Networks trained from different seeds, or on different lengths of the same input
window, make partly independent errors; the median of their forecasts is more accurate
than a typical member and robust to one member that trained badly.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..core.params import Integer, Unchecked, validate_params
from ..core.validation import check_array, check_int
from ..exceptions import InputTypeError, InvalidParameterError, ShapeMismatchError

__all__ = ["MedianEnsemble"]


class MedianEnsemble(RegressorMixin, BaseEstimator):
    """Fit ``n_members`` copies of a window regressor; predict their median.

    Member ``i`` is a clone of ``estimator`` with its own ``random_state`` (drawn from
    this ensemble's ``random_state``) and, with ``input_lengths``, reads only the latest
    ``input_lengths[i % len(input_lengths)]`` steps of each input window. Training time
    grows with ``n_members``.

    Parameters
    ----------
    estimator : estimator or None, default=None
        The member regressor, e.g. :class:`tsforecast.EncoderDecoderLSTM` (the default,
        with its default parameters). It is cloned, never fitted itself.
    n_members : int, default=3
        Number of members.
    input_lengths : sequence of int or None, default=None
        Input steps read by the members, cycled over them; each must be at most the
        window's length. ``None``: every member reads the whole window.
    random_state : int, RandomState or None, default=None
        Seeds the members' seeds (resolved in :meth:`fit`).

    Attributes
    ----------
    estimators_ : list of estimators
        The fitted members.
    input_lengths_ : list of int
        The input steps each member reads.
    n_steps_in_ : int
        Length of the input windows seen in ``fit``.

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
        "estimator": Unchecked("a scikit-learn regressor or None: checked by _base before the first member"),
        "n_members": Integer(minimum=1),
        "input_lengths": Unchecked("window lengths: checked in fit against the windows of X"),
        "random_state": Unchecked("resolved by check_random_state in fit"),
    }

    def __init__(self, estimator=None, n_members: int = 3, input_lengths: Sequence[int] | None = None,
                 random_state=None):
        self.estimator = estimator
        self.n_members = n_members
        self.input_lengths = input_lengths
        self.random_state = random_state

    def _base(self):
        if self.estimator is not None:
            if not (hasattr(self.estimator, "get_params") and callable(getattr(self.estimator, "fit", None))):
                raise InputTypeError(
                    "estimator must be a scikit-learn regressor (get_params, fit, predict) or None; "
                    f"got {self.estimator!r} of type {type(self.estimator).__name__}."
                )
            return self.estimator
        from .estimator import EncoderDecoderLSTM

        return EncoderDecoderLSTM()

    def fit(self, X, y) -> "MedianEnsemble":
        """Fit every member on ``X`` (its latest steps) and ``y``."""
        n_members = validate_params(self)["n_members"]
        if np.ndim(X) < 2:
            raise ShapeMismatchError(f"X must hold windows (n, n_steps_in[, features]); got shape {np.shape(X)}.")
        X = check_array(X, "X", ndims=(2, 3))  # numeric and finite, named, before any member sees it
        y = check_array(y, "y", ndims=(1, 2, 3))
        if len(y) != len(X):
            raise ShapeMismatchError(f"X and y must hold the same number of windows; got {len(X)} and {len(y)}.")
        lengths = [X.shape[1]] if self.input_lengths is None else list(self.input_lengths)
        if not lengths or any(isinstance(v, bool) for v in lengths):
            raise InvalidParameterError(f"input_lengths must be None or a non-empty list of ints; got {self.input_lengths!r}.")
        lengths = [check_int(v, "input_lengths", minimum=1, maximum=X.shape[1]) for v in lengths]
        rng = check_random_state(self.random_state)
        members = []
        for i in range(n_members):
            member = clone(self._base())
            if "random_state" in member.get_params(deep=False):
                member.set_params(random_state=int(rng.randint(0, 2**31 - 1)))
            members.append(member.fit(X[:, -lengths[i % len(lengths)]:], y))
        self.estimators_ = members
        self.input_lengths_ = [lengths[i % len(lengths)] for i in range(n_members)]
        self.n_steps_in_ = int(X.shape[1])
        self.n_features_in_ = int(np.prod(X.shape[1:]))
        return self

    def predict(self, X) -> np.ndarray:
        """The median over members of their point forecasts."""
        check_is_fitted(self, "estimators_")
        X = check_array(X, "X", ndims=(2, 3))
        if X.shape[1] != self.n_steps_in_:
            raise ShapeMismatchError(
                f"X must have windows of n_steps_in={self.n_steps_in_} steps as in fit; got X of shape {X.shape}."
            )
        forecasts = [np.asarray(m.predict(X[:, -n:]), dtype=np.float64)
                     for m, n in zip(self.estimators_, self.input_lengths_)]
        return np.median(np.stack(forecasts), axis=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        base = self._base()
        try:
            sequences = base.__sklearn_tags__().input_tags.three_d_array
        except AttributeError:
            sequences = False
        from .estimator import EncoderDecoderLSTM

        # windows go to the members as they come: 3-D when the members take sequences
        tags.input_tags.three_d_array = bool(sequences or isinstance(base, EncoderDecoderLSTM))
        return tags
