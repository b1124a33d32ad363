"""Tests of tsforecast.core.validation: argument checks, arrays, frames and fill policies."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforecast.core.validation import (
    FILL_POLICIES,
    apply_fill,
    check_array,
    check_bool,
    check_choice,
    check_columns,
    check_finite,
    check_float,
    check_frame,
    check_int,
)
from tsforecast.exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    ShapeMismatchError,
    TsForecastError,
    UnknownColumnError,
)


def hourly(values, name="y"):
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values), freq="h"), name=name)


# ------------------------------------------------------------------ arguments


def test_exceptions_are_value_and_type_errors():
    assert issubclass(InvalidParameterError, ValueError) and issubclass(InputTypeError, TypeError)
    for error in (InsufficientDataError, ShapeMismatchError, UnknownColumnError):
        assert issubclass(error, InvalidInputError) and issubclass(error, TsForecastError)


@pytest.mark.parametrize("value", [3, np.int32(3), np.int64(3)])
def test_check_int_accepts_integers(value):
    result = check_int(value, "n", minimum=1, maximum=5)
    assert result == 3 and type(result) is int


@pytest.mark.parametrize(
    ("value", "kwargs", "error", "message"),
    [
        (0, dict(minimum=1), InvalidParameterError, "n_steps_in must be >= 1; got 0."),
        (9, dict(maximum=5), InvalidParameterError, "n_steps_in must be <= 5; got 9."),
        (2.0, {}, InputTypeError, "n_steps_in must be an integer; got 2.0 of type float."),
        (True, {}, InputTypeError, "n_steps_in must be an integer; got True of type bool."),
        ("3", {}, InputTypeError, "n_steps_in must be an integer; got '3' of type str."),
        (None, {}, InputTypeError, "got None of type NoneType"),
    ],
)
def test_check_int_rejects(value, kwargs, error, message):
    with pytest.raises(error) as info:
        check_int(value, "n_steps_in", **kwargs)
    assert message in str(info.value)


def test_check_int_allow_none():
    assert check_int(None, "seed", allow_none=True) is None


def test_check_float_ranges_and_types():
    assert check_float(1, "alpha") == 1.0
    assert check_float(None, "alpha", allow_none=True) is None
    with pytest.raises(InvalidParameterError, match=r"fraction must satisfy 0 <= fraction < 1; got 1.0"):
        check_float(1.0, "fraction", minimum=0, maximum=1, include_maximum=False)
    with pytest.raises(InvalidParameterError, match=r"fraction must satisfy 0 < fraction; got 0.0"):
        check_float(0.0, "fraction", minimum=0, include_minimum=False)
    with pytest.raises(InvalidParameterError, match="alpha must be finite; got nan"):
        check_float(float("nan"), "alpha")
    with pytest.raises(InvalidParameterError, match="alpha must be finite; got inf"):
        check_float(np.inf, "alpha")
    with pytest.raises(InputTypeError, match="alpha must be a number; got False"):
        check_float(False, "alpha")
    with pytest.raises(InputTypeError, match="alpha must be a number; got '0.1'"):
        check_float("0.1", "alpha")


def test_check_choice_and_bool():
    assert check_choice("skip", "on_short", ("raise", "skip")) == "skip"
    with pytest.raises(InvalidParameterError, match="on_short must be one of 'raise', 'skip'; got 'ignore'"):
        check_choice("ignore", "on_short", ("raise", "skip"))
    with pytest.raises(InvalidParameterError, match=r"got \['raise'\]"):
        check_choice(["raise"], "on_short", ("raise", "skip"))  # unhashable is simply not a choice
    assert check_bool(np.bool_(True), "shuffle") is True
    with pytest.raises(InputTypeError, match="shuffle must be True or False; got 1 of type int"):
        check_bool(1, "shuffle")


# ------------------------------------------------------------------ arrays


def test_check_finite_names_count_position_and_value():
    values = np.array([[1.0, 2.0], [np.inf, np.nan], [3.0, 4.0]])
    with pytest.raises(InvalidInputError) as info:
        check_finite(values, "X")
    message = str(info.value)
    assert "X contains 2 non-finite value(s)" in message and "inf at position (1, 0)" in message
    check_finite(np.ones((3, 2)), "X")  # no error


def test_check_array_does_not_copy_numeric_arrays():
    data = np.arange(6.0).reshape(3, 2)
    assert check_array(data, "X") is data
    assert check_array([[1, 2], [3, 4]], "X").dtype.kind == "i"


@pytest.mark.parametrize(
    ("data", "kwargs", "error", "words"),
    [
        (np.array([True, False]), {}, InputTypeError, ["X must be numeric", "bool"]),
        (np.array(["a", "b"]), {}, InputTypeError, ["dtype <U1", "'a'"]),
        (np.array([1, "x"], dtype=object), {}, InputTypeError, ["dtype object"]),
        (np.ones((2, 2, 2, 2)), {}, ShapeMismatchError, ["1 or 2 or 3 dimensions", "(2, 2, 2, 2)"]),
        (np.ones((3, 2)), dict(ndims=(3,)), ShapeMismatchError, ["3 dimensions", "(3, 2)"]),
        (np.ones((2, 3)), dict(min_samples=5), InsufficientDataError, ["at least 5", "(2, 3)"]),
        (np.array([1.0, np.nan]), {}, InvalidInputError, ["non-finite", "nan"]),
    ],
)
def test_check_array_rejects(data, kwargs, error, words):
    with pytest.raises(error) as info:
        check_array(data, "X", **kwargs)
    for word in words:
        assert word in str(info.value)


def test_check_array_allows_nan_on_request():
    assert np.isnan(check_array(np.array([1.0, np.nan]), "X", allow_nan=True)).any()


def test_check_columns():
    frame = pd.DataFrame({"a": [1.0], "b": [2.0]})
    assert check_columns(frame, None, "targets") == ["a", "b"]
    assert check_columns(frame, "b", "targets") == ["b"]
    with pytest.raises(UnknownColumnError, match=r"targets names column\(s\) \['c'\].*available columns: \['a', 'b'\]"):
        check_columns(frame, ["a", "c"], "targets")


# ------------------------------------------------------------------ fill policies


def test_fill_policies_are_documented():
    assert FILL_POLICIES == (None, "ffill", "interpolate")


@pytest.mark.parametrize(
    ("fill", "expected"),
    [
        ("ffill", [1.0, 1.0, 1.0, 4.0, 4.0]),  # the leading gap is back-filled
        ("interpolate", [1.0, 1.0, 2.5, 4.0, 4.0]),  # edges take the nearest value
    ],
)
def test_apply_fill(fill, expected):
    frame = pd.DataFrame({"y": [np.nan, 1.0, np.nan, 4.0, np.inf]})
    assert apply_fill(frame, fill, "y")["y"].tolist() == expected
    assert np.isnan(frame["y"].iloc[0])  # the caller's frame is untouched


def test_apply_fill_none_is_identity_and_bad_policy_raises():
    frame = pd.DataFrame({"y": [1.0, np.nan]})
    assert apply_fill(frame, None, "y") is frame
    with pytest.raises(InvalidParameterError, match="fill must be one of None, 'ffill', 'interpolate'; got 'bfill'"):
        apply_fill(frame, "bfill", "y")


def test_apply_fill_refuses_an_empty_column():
    frame = pd.DataFrame({"y": [1.0, 2.0], "x": [np.nan, np.inf]})
    with pytest.raises(InvalidInputError, match=r"y column\(s\) \['x'\] hold no value at all; fill='ffill'"):
        apply_fill(frame, "ffill", "y")


# ------------------------------------------------------------------ frames


def test_check_frame_series_becomes_a_float_frame_with_freq():
    series = pd.Series([1, 2, 3, 4], index=pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]),
                       name="sales")
    frame = check_frame(series)
    assert list(frame.columns) == ["sales"] and frame.dtypes.iloc[0] == np.float64
    assert frame.index.freqstr == "D"
    assert series.index.freq is None  # the caller's index is not modified


def test_check_frame_unnamed_series_and_arrays():
    assert list(check_frame(pd.Series([1.0, 2.0])).columns) == ["y"]
    frame = check_frame(np.arange(6.0).reshape(3, 2))
    assert frame.shape == (3, 2) and isinstance(frame.index, pd.RangeIndex)
    assert isinstance(check_frame([1, 2, 3]).index, pd.RangeIndex)


def test_check_frame_does_not_copy_a_clean_float_frame():
    frame = pd.DataFrame({"a": np.arange(5.0), "b": np.ones(5)}, index=pd.date_range("2024", periods=5, freq="D"))
    checked = check_frame(frame)
    assert np.shares_memory(checked.to_numpy(), frame.to_numpy())


def test_check_frame_selects_columns():
    frame = pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]})
    assert list(check_frame(frame, columns=["a"]).columns) == ["a"]  # the text column is not checked
    with pytest.raises(UnknownColumnError, match=r"columns \(of y\) names column\(s\) \['z'\]"):
        check_frame(frame, columns="z")


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (pd.Series([1.0, np.nan, 3.0]), InvalidInputError, ["y contains 1 non-finite", "nan", "fill="]),
        (pd.Series([1.0, np.inf, 3.0]), InvalidInputError, ["inf"]),
        (pd.Series([1.0, "2"], dtype=object), InputTypeError, ["'y': 'object'", "for example 'y' holds 1.0"]),
        (pd.DataFrame({"a": [1.0, 2.0], "b": ["x", "y"]}), InputTypeError, ["non-numeric", "'b': 'str'"]),
        # the value named is the first that is not a number, not the first of the column
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["1.5", "n/a", "2,000"]}), InputTypeError,
         ["for example 'b' holds 'n/a'"]),
        (pd.DataFrame({"a": [1.0, 2.0], "b": [True, False]}), InputTypeError, ["'b': 'bool'", "'b' holds True"]),
        (pd.DataFrame({"a": [1.0, 2.0], "when": pd.to_datetime(["2024", "2025"])}), InputTypeError, ["'when'"]),
        (pd.DataFrame(index=pd.RangeIndex(3)), InvalidInputError, ["no columns"]),
        (np.zeros((2, 2, 2)), ShapeMismatchError, ["(2, 2, 2)"]),
        ("text", InputTypeError, ["got str"]),
        (hourly([1.0, 2.0, 3.0]).iloc[[0, 2, 1]], InvalidInputError, ["unsorted"]),
        (hourly([1.0, 2.0, 3.0]).iloc[[0, 1, 1]], InvalidInputError, ["duplicated"]),
    ],
)
def test_check_frame_rejects(data, error, words):
    with pytest.raises(error) as info:
        check_frame(data, "y")
    for word in words:
        assert word in str(info.value)


def test_check_frame_rejects_an_irregular_index():
    series = hourly([1.0, 2.0, 3.0, 4.0, 5.0]).iloc[[0, 1, 3, 4]]  # 01:00 -> 03:00 gap
    with pytest.raises(InvalidInputError, match="irregular DatetimeIndex"):
        check_frame(series)
    with pytest.raises(InvalidInputError, match="irregular DatetimeIndex"):
        check_frame(series, fill="ffill")  # fill repairs values, not missing timestamps


def test_check_frame_rejects_mixed_time_zones():
    index = [pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-01 02:00", tz="US/Eastern")]
    with pytest.raises(InputTypeError, match="mixed time zones"):
        check_frame(pd.Series([1.0, 2.0], index=index))


def test_check_frame_too_short():
    with pytest.raises(InsufficientDataError, match=r"series has 3 row\(s\); at least 10 are needed"):
        check_frame(hourly([1.0, 2.0, 3.0]), "series", min_length=10)


@pytest.mark.parametrize(("fill", "expected"), [("ffill", [1.0, 1.0, 3.0]), ("interpolate", [1.0, 2.0, 3.0])])
def test_check_frame_fills_on_request(fill, expected):
    assert check_frame(hourly([1.0, np.nan, 3.0]), fill=fill)["y"].tolist() == expected


def test_check_frame_converts_nullable_and_integer_columns():
    frame = pd.DataFrame({"a": pd.array([1, 2, 3], dtype="Int64"), "b": np.array([1, 2, 3], dtype=np.int32)})
    checked = check_frame(frame)
    assert (checked.dtypes == np.float64).all()
    with pytest.raises(InvalidInputError, match="non-finite"):
        check_frame(pd.DataFrame({"a": pd.array([1.0, None, 3.0], dtype="Float64")}))
    filled = check_frame(pd.DataFrame({"a": pd.array([1.0, None, 3.0], dtype="Float64")}), fill="ffill")
    assert filled["a"].tolist() == [1.0, 1.0, 3.0]
