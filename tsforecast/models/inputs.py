"""The estimator's checks of its input arrays (``X`` and ``y`` of ``fit`` and ``predict``)."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from ..core.validation import check_array, check_magnitude
from ..exceptions import InputTypeError, InvalidInputError, ShapeMismatchError

__all__ = ["as_float_array", "positive_log"]


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
    array = check_array(array, name, ndims=ndims)
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
