"""Checks of parameters, arrays, series and frames.

Every check raises an exception from :mod:`tsforecast.exceptions` whose message names
the argument and the value received, so that a user sees at once what to fix.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from ..exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    ShapeMismatchError,
    UnknownColumnError,
)
from .timeindex import reads_as_dates, regularize_index, to_datetime_code

__all__ = [
    "FILL_POLICIES",
    "first_non_number",
    "check_int",
    "check_float",
    "check_choice",
    "check_bool",
    "check_array",
    "check_finite",
    "check_magnitude",
    "check_frame",
    "check_columns",
    "apply_fill",
]

#: Accepted values of every ``fill`` argument: how missing values are repaired.
#: ``None`` refuses NaN; ``"ffill"`` carries the last value forward (a leading gap is
#: back-filled); ``"interpolate"`` interpolates linearly (edges take the nearest value).
FILL_POLICIES = (None, "ffill", "interpolate")


def check_int(
    value, name: str, *, minimum: int | None = None, maximum: int | None = None, allow_none: bool = False
) -> int | None:
    """Return ``value`` as an int after checking its type and range.

    Examples
    --------
    >>> check_int(3, "n_steps_in", minimum=1)
    3
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise InputTypeError(f"{name} must be an integer; got {value!r} of type {type(value).__name__}.")
    value = int(value)
    if minimum is not None and value < minimum:
        raise InvalidParameterError(f"{name} must be >= {minimum}; got {value!r}.")
    if maximum is not None and value > maximum:
        raise InvalidParameterError(f"{name} must be <= {maximum}; got {value!r}.")
    return value


def check_float(
    value,
    name: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    include_minimum: bool = True,
    include_maximum: bool = True,
    allow_none: bool = False,
) -> float | None:
    """Return ``value`` as a finite float after checking its type and range.

    Examples
    --------
    >>> check_float(0.1, "validation_fraction", minimum=0, maximum=1, include_maximum=False)
    0.1
    """
    if value is None and allow_none:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise InputTypeError(f"{name} must be a number; got {value!r} of type {type(value).__name__}.")
    value = float(value)
    if not np.isfinite(value):
        raise InvalidParameterError(f"{name} must be finite; got {value!r}.")
    low_ok = minimum is None or (value >= minimum if include_minimum else value > minimum)
    high_ok = maximum is None or (value <= maximum if include_maximum else value < maximum)
    if not (low_ok and high_ok):
        lo = "" if minimum is None else f"{minimum} {'<=' if include_minimum else '<'} "
        hi = "" if maximum is None else f" {'<=' if include_maximum else '<'} {maximum}"
        raise InvalidParameterError(f"{name} must satisfy {lo}{name}{hi}; got {value!r}.")
    return value


def check_choice(value, name: str, choices: Sequence):
    """Return ``value`` if it is one of ``choices``.

    Examples
    --------
    >>> check_choice("repeat", "decoder", ("repeat", "feedback"))
    'repeat'
    """
    try:
        ok = value in choices
    except TypeError:  # unhashable or incomparable values are simply not a choice
        ok = False
    if not ok:
        raise InvalidParameterError(
            f"{name} must be one of {', '.join(repr(c) for c in choices)}; got {value!r}."
        )
    return value


def check_bool(value, name: str) -> bool:
    """Return ``value`` if it is a bool (numpy bools included)."""
    if not isinstance(value, (bool, np.bool_)):
        raise InputTypeError(f"{name} must be True or False; got {value!r} of type {type(value).__name__}.")
    return bool(value)


#: Largest magnitude accepted where values are squared (scaling, least squares, losses):
#: beyond it squares and sums overflow float64 to inf.
MAX_MAGNITUDE = 1e150


def check_magnitude(values: np.ndarray, name: str, limit: float = MAX_MAGNITUDE) -> None:
    """Raise :class:`InvalidInputError` if a value of ``values`` exceeds ``limit`` in magnitude."""
    values = np.asarray(values)
    if values.size == 0 or values.dtype.kind not in "iuf":
        return
    largest = float(np.max(np.abs(values)))
    if largest > limit:
        raise InvalidInputError(
            f"{name} holds values as large as {largest:.3g} in magnitude; beyond {limit:.0e} their squares "
            "overflow: rescale the data (divide by a constant) before fitting."
        )


def check_finite(values: np.ndarray, name: str) -> None:
    """Raise :class:`InvalidInputError` if ``values`` holds NaN or inf, naming where."""
    finite = np.isfinite(values)
    if finite.all():
        return
    position = np.unravel_index(int(np.argmin(finite)), values.shape)
    bad = float(values[position])
    count = int(values.size - finite.sum())
    raise InvalidInputError(
        f"{name} contains {count} non-finite value(s) (NaN or inf), the first {bad!r} at position "
        f"{tuple(int(p) for p in position)}; remove them or pass fill='ffill' or fill='interpolate'."
    )


def _check_finite_frame(frame: pd.DataFrame, name: str) -> None:
    """:func:`check_finite`, naming the column and the timestamp of the first bad value."""
    try:
        check_finite(frame.to_numpy(), name)
    except InvalidInputError as error:
        finite = np.isfinite(frame.to_numpy())
        row, col = np.unravel_index(int(np.argmin(finite)), finite.shape)
        where = f"column {frame.columns[col]!r} at {frame.index[row]}"
        raise InvalidInputError(str(error).replace(" at position ", f" in {where} (position ", 1).replace(
            "); remove", ")); remove", 1)) from None


def _numeric_array(data, name: str) -> np.ndarray:
    if isinstance(data, (pd.Series, pd.DataFrame)):
        data = data.to_numpy()
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        if data.dtype.kind == "b":
            raise InputTypeError(f"{name} must be numeric; got an array of dtype bool.")
        return data
    try:
        array = np.asarray(data)
    except (TypeError, ValueError) as error:
        raise InputTypeError(f"{name} must be a numeric array; got {type(data).__name__} ({error}).") from None
    if array.dtype.kind not in "iuf":
        raise InputTypeError(
            f"{name} must be numeric; got an array of dtype {array.dtype} "
            f"(for example {array.ravel()[:3].tolist()!r})."
        )
    return array


def check_array(
    data, name: str, *, ndims: Iterable[int] = (1, 2, 3), min_samples: int = 1, allow_nan: bool = False
) -> np.ndarray:
    """Return ``data`` as a numeric ndarray of an accepted number of dimensions.

    The array is not copied when it is already a numeric ndarray.

    Examples
    --------
    >>> check_array([[1.0, 2.0]], "X", ndims=(2,)).shape
    (1, 2)
    """
    array = _numeric_array(data, name)
    ndims = tuple(ndims)
    if array.ndim not in ndims:
        raise ShapeMismatchError(
            f"{name} must have {' or '.join(str(n) for n in ndims)} dimensions; "
            f"got an array of shape {array.shape} ({array.ndim} dimensions)."
        )
    if array.shape[0] < min_samples:
        raise InsufficientDataError(
            f"{name} must have at least {min_samples} sample(s); got an array of shape {array.shape}."
        )
    if not allow_nan and array.dtype.kind == "f":
        check_finite(array, name)
    return array


def check_columns(frame: pd.DataFrame, columns, name: str) -> list:
    """Return ``columns`` as a list after checking each one is in ``frame``."""
    if columns is None:
        return list(frame.columns)
    if isinstance(columns, (str, int)):
        columns = [columns]
    columns = list(columns)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UnknownColumnError(
            f"{name} names column(s) {missing!r} that are not in the data; "
            f"available columns: {list(frame.columns)!r}."
        )
    return columns


def apply_fill(frame: pd.DataFrame, fill: str | None, name: str) -> pd.DataFrame:
    """Repair missing values in ``frame`` by the ``fill`` policy (see :data:`FILL_POLICIES`)."""
    check_choice(fill, "fill", FILL_POLICIES)
    if fill is None:
        return frame
    frame = frame.replace([np.inf, -np.inf], np.nan)
    if frame.isna().all().any():
        empty = [c for c in frame.columns if frame[c].isna().all()]
        raise InvalidInputError(f"{name} column(s) {empty!r} hold no value at all; fill={fill!r} cannot repair them.")
    if fill == "ffill":
        return frame.ffill().bfill()
    return frame.interpolate(method="linear", limit_direction="both")


def _to_frame(data, name: str) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, pd.Series):
        return data.to_frame(name=data.name if data.name is not None else "y")
    if isinstance(data, (np.ndarray, list, tuple)):
        array = _numeric_array(data, name)
        if array.ndim not in (1, 2):
            raise ShapeMismatchError(
                f"{name} must be 1-D (one series) or 2-D (time x variables); got an array of shape {array.shape}."
            )
        return pd.DataFrame(array.reshape(len(array), -1))
    kind = type(data)
    where = kind.__module__.partition(".")[0]
    got = kind.__name__ if where in ("builtins", "pandas", "numpy") else f"{where}.{kind.__name__}"
    hint = (" (a Dask collection: tsf.forecast_partitions and tsf.backtest_partitions run on it, or call "
            ".compute() for pandas)" if where == "dask" else "")
    raise InputTypeError(f"{name} must be a pandas Series, DataFrame or numeric ndarray; got {got}{hint}.")


def first_non_number(values: pd.Series):
    """The first value of ``values`` that is not a number (else the first value; None if all missing)."""
    present = values.dropna()
    if not len(present):
        return None
    failed = pd.to_numeric(present.astype(object), errors="coerce").isna().to_numpy()
    value = present.iloc[int(failed.argmax())] if failed.any() else present.iloc[0]
    return value.item() if isinstance(value, np.generic) else value


def _check_numeric_columns(frame: pd.DataFrame, name: str) -> None:
    bad = {
        str(c): str(t)
        for c, t in frame.dtypes.items()
        # complex counts as numeric for pandas, and its imaginary part would be dropped silently
        if not (pd.api.types.is_numeric_dtype(t) and not pd.api.types.is_bool_dtype(t)
                and not pd.api.types.is_complex_dtype(t))
    }
    if bad:
        first = next(iter(bad))
        column = frame[frame.columns[[str(c) for c in frame.columns].index(first)]]
        example = first_non_number(column)
        example = f", for example {first!r} holds {example!r}" if example is not None else ""
        dates = (f" {first!r} holds dates: make it the time index "
                 f"(data.set_index({to_datetime_code(column, 'data[' + repr(first) + ']')}))."
                 if reads_as_dates(column) else "")
        raise InputTypeError(
            f"{name} has non-numeric column(s) {bad}{example}; every forecast variable must be numeric "
            f"(convert or drop the others).{dates}"
        )


def check_frame(
    data,
    name: str = "y",
    *,
    columns=None,
    fill: str | None = None,
    min_length: int = 1,
    keep_missing: bool | str = False,
) -> pd.DataFrame:
    """Validate one series and return it as a DataFrame with a regular time index.

    Parameters
    ----------
    data : pandas.Series, pandas.DataFrame or array-like
        One (multivariate) series; arrays get integer time.
    name : str
        The argument's name, used in error messages.
    columns : list, optional
        Columns to keep (checked to exist); all columns by default.
    fill : {None, "ffill", "interpolate"}
        How to repair missing values; ``None`` raises on NaN or inf.
    min_length : int
        The fewest rows accepted.
    keep_missing : bool or "as_given"
        Return NaN (and inf, as NaN) unrepaired instead of applying ``fill``: for
        callers that repair each training slice on its own (a backtest must not let an
        interpolation reach across a cutoff). ``"as_given"`` keeps inf as inf, for
        callers whose later check names the value.

    Returns
    -------
    pandas.DataFrame
        The selected columns as float64, indexed by a regular DatetimeIndex (with
        ``freq``) or a RangeIndex.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 2.0, 3.0], index=pd.date_range("2024", periods=3, freq="h"))
    >>> check_frame(y).index.freqstr
    'h'
    """
    frame = _to_frame(data, name)
    if frame.shape[1] == 0:
        raise InvalidInputError(f"{name} has no columns; got a frame of shape {frame.shape}.")
    # a panel's series lacking a column is named (a backtest asks every series for the first one's)
    frame = frame[check_columns(frame, columns, f"columns (of {name})" if columns is not None else name)]
    if len(frame) < min_length:
        raise InsufficientDataError(f"{name} has {len(frame)} row(s); at least {min_length} are needed.",
                                    too_short="rows", series=None, rows=len(frame), needed=min_length)
    _check_numeric_columns(frame, name)
    index = regularize_index(frame.index, name)
    if not (frame.dtypes == np.float64).all():  # astype's copy= is deprecated in pandas 3
        frame = frame.astype(np.float64)
    if keep_missing:
        if keep_missing != "as_given":
            frame = frame.replace([np.inf, -np.inf], np.nan)
    else:
        frame = apply_fill(frame, fill, name)
        _check_finite_frame(frame, name)
    if frame.index is not index:
        # A shallow copy: the caller's frame keeps its index, the values are shared.
        frame = frame.copy(deep=False)
        frame.index = index
    return frame
