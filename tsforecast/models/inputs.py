"""The estimator's checks of its input arrays (``X`` and ``y`` of ``fit`` and ``predict``)."""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse

from ..core.validation import check_array, check_magnitude
from ..exceptions import InputTypeError, InvalidInputError, ShapeMismatchError, TsForecastWarning

__all__ = ["as_float_array", "check_feature_names", "feature_names", "positive_log", "remember_feature_names"]


def as_float_array(data, name: str, ndims: tuple[int, ...]) -> np.ndarray:
    """``data`` as a finite float64 array of ``ndims`` dimensions, or a named error."""
    if sparse.issparse(data):
        raise InputTypeError(f"{name} must be a dense array of windows; got a sparse matrix of shape {data.shape}.")
    if data is None:
        raise InvalidInputError(
            f"{name} is None: EncoderDecoderLSTM requires {name} to be passed, but the target {name} is None."
        )
    array = np.asarray(data)
    if array.dtype.kind == "c":
        raise InvalidInputError(f"Complex data not supported: {name} has dtype {array.dtype}.")
    if array.dtype.kind == "O":
        try:
            array = array.astype(np.float64)
        except (TypeError, ValueError) as error:
            raise InputTypeError(f"{name} must be numeric; converting it failed: {error}") from None
    if array.ndim == 1 and 1 not in ndims:
        raise ShapeMismatchError(
            f"{name} must have {' or '.join(map(str, ndims))} dimensions; got a 1-D array of shape {array.shape}. "
            "Reshape your data: X.reshape(-1, 1) for windows of one step, X.reshape(1, -1) for one window."
        )
    try:
        array = check_array(array, name, ndims=ndims)
    except InvalidInputError as error:
        hint = "pass fill='ffill' or fill='interpolate'"
        if type(error) is not InvalidInputError or hint not in str(error):
            raise
        # the estimator has no fill=: say where gaps are repaired
        raise InvalidInputError(str(error).replace(hint, "impute them (WindowForecaster(fill='ffill') repairs a "
                                                         "series before cutting it into windows)")) from None
    check_magnitude(array, name)  # scaling squares values: 1e300 would become inf, then NaN
    if 0 in array.shape:
        # wording of scikit-learn's own message, which its estimator checks look for
        raise InvalidInputError(
            f"{name} must not be empty: found array with 0 feature(s) (shape={array.shape}) while a minimum of 1 is required."
        )
    return array.astype(np.float64, copy=False)


def positive_log(array: np.ndarray, name: str) -> np.ndarray:
    """``log(array)``, or a named error when a value is not positive (``log=True``)."""
    if not (array > 0).all():
        raise InvalidInputError(
            f"log=True needs positive {name}; got {int((array <= 0).sum())} value(s) <= 0 "
            f"(smallest {float(array.min())!r})."
        )
    return np.log(array)


def feature_names(X) -> np.ndarray | None:
    """The column names of a DataFrame ``X`` when all are strings (scikit-learn's
    ``feature_names_in_``), else None."""
    columns = getattr(X, "columns", None)
    if columns is None or not len(columns) or not all(isinstance(c, str) for c in columns):
        return None
    return np.asarray(columns, dtype=object)


def remember_feature_names(estimator, X) -> None:
    """Set ``estimator.feature_names_in_`` from a DataFrame ``X``, or remove it (a refit on
    an unnamed array), as scikit-learn's estimators do in ``fit``."""
    names = feature_names(X)
    if names is not None:
        estimator.feature_names_in_ = names
    elif hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_


def check_feature_names(fitted: np.ndarray | None, X) -> None:
    """Refuse a DataFrame ``X`` whose column names differ from those of fit (reordered
    columns would be read as other features, silently); as scikit-learn, only warn where
    one of the two had no names."""
    given = feature_names(X)
    if fitted is None and given is None:
        return
    if fitted is None or given is None:
        # scikit-learn's wording
        message = ("X has feature names, but the model was fitted without feature names" if fitted is None else
                   "X does not have valid feature names, but the model was fitted with feature names")
        warnings.warn(f"{message}; its columns are read by position.", UserWarning, stacklevel=5)  # predict's caller
        return
    if len(given) == len(fitted) and (given == fitted).all():
        return
    unseen = [n for n in given if n not in set(fitted)]
    missing = [n for n in fitted if n not in set(given)]
    # scikit-learn's message (its estimator checks match it), then which columns
    parts = [f"Feature names unseen at fit time:\n{_listed(unseen)}" if unseen else "",
             f"Feature names seen at fit time, yet now missing:\n{_listed(missing)}" if missing else "",
             "" if unseen or missing else "Feature names must be in the same order as they were in fit.\n"]
    raise InvalidInputError("The feature names should match those that were passed during fit.\n" + "".join(parts)
                            + "X's DataFrame columns are read as fit read them (feature_names_in_): pass the same "
                            "columns in the same order.")


def _listed(names: list, shown: int = 5) -> str:
    lines = [f"- {n}" for n in sorted(names)[:shown]] + (["- ..."] if len(names) > shown else [])
    return "\n".join(lines) + "\n"


def warn_if_targets_elsewhere(X3: np.ndarray, y3: np.ndarray, features: tuple | None) -> None:
    """With ``target_features`` left at its default (the first features), warn where
    another input feature is plainly a target's past: in consecutive windows (stride 1,
    as :func:`~tsforecast.core.windowing.make_windows` cuts them) a target's first value
    is the last input step of the next window. ``make_windows`` keeps the data's column
    order, so a target that is not the first column was read from another variable."""
    n_targets = y3.shape[2]
    if features is None or X3.shape[2] <= n_targets or len(X3) < 3:
        return
    following = X3[1:, -1, :]
    for target, feature in enumerate(features):
        with np.errstate(invalid="ignore"):
            share = np.isclose(following, y3[:-1, 0, target : target + 1]).mean(axis=0)
        best = int(np.argmax(share))
        if best != feature and share[best] > 0.95 and share[feature] < 0.5:
            warnings.warn(TsForecastWarning(
                f"target_features: target {target}'s past is read from input feature {feature} (the default: the "
                f"first {n_targets} feature(s)), but input feature {best} holds its values (each window's last "
                f"input step equals the previous window's first target in {share[best]:.0%} of windows); pass "
                f"target_features=[...] (make_windows keeps the data's column order), or put the targets first."),
                stacklevel=3)
