"""Tests of tsforecast.core.windowing: window contents, zero-copy views, panels, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from tsforecast import SlidingWindowTransformer, make_windows
from tsforecast.core.windowing import Windows
from tsforecast.exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    ShapeMismatchError,
    UnknownColumnError,
)

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SINGLE_KINDS = ["array1d", "array2d", "series", "frame_datetime", "frame_range"]


def _values(n_rows: int, n_features: int, offset: float = 0.0) -> np.ndarray:
    # Distinct values, so equal windows can only come from the same rows.
    return offset + np.arange(n_rows * n_features, dtype=np.float64).reshape(n_rows, n_features)


def _as_kind(values: np.ndarray, kind: str):
    columns = [f"f{j}" for j in range(values.shape[1])]
    if kind == "array1d":
        return values[:, 0].copy()
    if kind == "array2d":
        return values
    index = pd.date_range("2024-01-01", periods=len(values), freq="h")
    if kind == "series":
        return pd.Series(values[:, 0], index=index, name="f0")
    if kind == "frame_datetime":
        return pd.DataFrame(values, index=index, columns=columns)
    return pd.DataFrame(values, columns=columns, index=pd.RangeIndex(10, 10 + len(values)))


def _expected(values, n_in, n_out, stride, positions):
    count = (len(values) - n_in - n_out) // stride + 1
    X = np.stack([values[i * stride : i * stride + n_in] for i in range(count)])
    y = np.stack([values[i * stride + n_in : i * stride + n_in + n_out][:, positions] for i in range(count)])
    return X, y


@st.composite
def window_cases(draw, max_features: int = 4):
    n_in = draw(st.integers(1, 6))
    n_out = draw(st.integers(1, 4))
    stride = draw(st.integers(1, 4))
    n_rows = draw(st.integers(n_in + n_out, n_in + n_out + 25))
    n_features = draw(st.integers(1, max_features))
    positions = draw(st.none() | st.lists(st.integers(0, n_features - 1), min_size=1, max_size=n_features, unique=True))
    return n_in, n_out, stride, n_rows, n_features, positions


# ---------------------------------------------------------------- contents, every input type


@HYPOTHESIS
@given(case=window_cases(), kind=st.sampled_from(SINGLE_KINDS))
def test_window_i_holds_rows_i_stride_and_the_next_targets(case, kind):
    n_in, n_out, stride, n_rows, n_features, positions = case
    if kind in ("array1d", "series"):
        n_features, positions = 1, None if positions is None else [0]
    values = _values(n_rows, n_features)
    data = _as_kind(values, kind)
    targets = positions
    if positions is not None and kind.startswith("frame") or kind == "series" and positions is not None:
        targets = [f"f{p}" for p in positions]

    X, y, origins = make_windows(data, n_in, n_out, targets=targets, stride=stride)

    expected_X, expected_y = _expected(values, n_in, n_out, stride, positions if positions else slice(None))
    np.testing.assert_array_equal(X, expected_X)
    np.testing.assert_array_equal(y, expected_y)
    first_target_rows = n_in + stride * np.arange(len(X))
    index = np.arange(n_rows) if kind.startswith("array") else data.index
    assert list(origins) == list(index[first_target_rows])


@HYPOTHESIS
@given(
    case=window_cases(max_features=3),
    lengths=st.lists(st.integers(0, 20), min_size=1, max_size=4),
    as_dict=st.booleans(),
)
def test_panel_windows_are_per_series_and_never_cross(case, lengths, as_dict):
    n_in, n_out, stride, _, n_features, positions = case
    columns = [f"f{j}" for j in range(n_features)]
    series = {}
    for k, extra in enumerate(lengths):
        n_rows = n_in + n_out + extra
        values = _values(n_rows, n_features, offset=1_000_000.0 * k)
        index = pd.date_range("2024-01-01", periods=n_rows, freq="D") + pd.Timedelta(days=k)
        series[f"s{k}"] = pd.DataFrame(values, index=index, columns=columns)
    data = series if as_dict else pd.concat(
        [f.rename_axis("ds").reset_index().assign(unique_id=k) for k, f in series.items()], ignore_index=True
    )
    targets = None if positions is None else [columns[p] for p in positions]

    X, y, origins = make_windows(data, n_in, n_out, targets=targets, stride=stride)

    assert isinstance(origins, pd.MultiIndex) and list(origins.names) == ["unique_id", "ds"]
    ids = origins.get_level_values("unique_id")
    start = 0
    for k, frame in series.items():
        exp_X, exp_y = _expected(frame.to_numpy(), n_in, n_out, stride, positions if positions else slice(None))
        assert list(ids[start : start + len(exp_X)]) == [k] * len(exp_X)
        np.testing.assert_array_equal(X[start : start + len(exp_X)], exp_X)
        np.testing.assert_array_equal(y[start : start + len(exp_X)], exp_y)
        expected_origins = frame.index[n_in + stride * np.arange(len(exp_X))]
        assert list(origins.get_level_values("ds")[start : start + len(exp_X)]) == list(expected_origins)
        start += len(exp_X)
    assert start == len(X) == len(y)
    # Every value of a sample belongs to the series it is labelled with (no crossing).
    owner = (np.concatenate([X.reshape(len(X), -1), y.reshape(len(y), -1)], axis=1) // 1_000_000).astype(int)
    assert (owner == np.asarray([int(k[1:]) for k in ids])[:, None]).all()


def test_panel_windows_skip_nothing_between_series():
    # Two series of 5 rows, n_in=3, n_out=1: 2 windows each; a crossing window would be a 5th.
    frame = pd.DataFrame({"y": np.arange(10.0)}, index=pd.RangeIndex(5).append(pd.RangeIndex(5)))
    panel = frame.rename_axis("ds").reset_index().assign(unique_id=["a"] * 5 + ["b"] * 5)
    X, y, origins = make_windows(panel, 3, 1)
    assert X[:, :, 0].tolist() == [[0, 1, 2], [1, 2, 3], [5, 6, 7], [6, 7, 8]]
    assert y[:, 0, 0].tolist() == [3, 4, 8, 9]
    assert list(origins) == [("a", 3), ("a", 4), ("b", 3), ("b", 4)]


def test_returns_a_named_tuple():
    result = make_windows(np.arange(6.0), 2, 2)
    assert isinstance(result, Windows)
    assert result.X is result[0] and result.y is result[1] and result.origins is result[2]
    assert isinstance(result.origins, pd.RangeIndex)  # integer positions, no memory


# ---------------------------------------------------------------- zero copy


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
@pytest.mark.parametrize("order", ["C", "F"])
def test_array_windows_are_read_only_views(dtype, order):
    data = np.asarray(_values(50, 3), dtype=dtype, order=order)
    X, y, _ = make_windows(data, 7, 3, stride=2)
    assert np.shares_memory(X, data) and np.shares_memory(y, data)
    assert not X.flags.writeable and not y.flags.writeable
    assert X.base is not None and X.dtype == data.dtype
    with pytest.raises(ValueError):
        X[0, 0, 0] = 1.0
    assert data.flags.writeable  # the caller's array is left alone


@pytest.mark.parametrize("positions", [[0], [2], [1, 2], [0, 2], [2, 0], [3, 1]])
def test_evenly_spaced_targets_stay_views(positions):
    data = _values(30, 4)
    _, y, _ = make_windows(data, 4, 2, targets=positions)
    assert np.shares_memory(y, data)
    np.testing.assert_array_equal(y[0], data[4:6][:, positions])


def test_unevenly_spaced_targets_copy_only_the_target_columns():
    data = _values(30, 4)
    X, y, _ = make_windows(data, 4, 2, targets=[0, 1, 3])
    assert np.shares_memory(X, data) and not np.shares_memory(y, data)
    assert not y.flags.writeable
    assert y.base is not None and y.base.size <= 30 * 3 * 2  # a view of one (rows x 3) copy
    np.testing.assert_array_equal(y[5], data[9:11][:, [0, 1, 3]])


@pytest.mark.parametrize("kind", ["series", "frame_datetime", "frame_range"])
def test_pandas_windows_are_views_of_the_values(kind):
    data = _as_kind(_values(40, 3), kind)
    X, y, _ = make_windows(data, 5, 2)
    assert np.shares_memory(X, data.to_numpy()) and np.shares_memory(y, data.to_numpy())
    assert not X.flags.writeable


def test_float32_frame_is_not_cast():
    frame = pd.DataFrame(_values(20, 2).astype(np.float32), columns=["a", "b"])
    X, _, _ = make_windows(frame, 3)
    assert X.dtype == np.float32 and np.shares_memory(X, frame.to_numpy())


def test_large_input_is_not_copied():
    data = np.zeros((2_000_000, 4), dtype=np.float32)
    X, y, origins = make_windows(data, 168, 24)
    assert X.shape == (2_000_000 - 192 + 1, 168, 4) and np.may_share_memory(X, data)
    assert X.nbytes > 100 * data.nbytes  # what a copy would cost
    assert isinstance(origins, pd.RangeIndex)


def test_check_finite_false_skips_the_scan():
    data = np.array([1.0, np.nan, 3.0, 4.0])
    X, _, _ = make_windows(data, 2, check_finite=False)
    assert np.isnan(X[0, 1, 0])


def test_nullable_float_frame_is_converted():
    frame = pd.DataFrame({"a": pd.array([1.0, 2.0, 3.0, 4.0], dtype="Float64")})
    X, y, _ = make_windows(frame, 2, 1)
    assert X.dtype == np.float64 and y[:, 0, 0].tolist() == [3.0, 4.0]


# ---------------------------------------------------------------- bad input


def _frame(n=20):
    return pd.DataFrame({"a": np.arange(n, dtype=float), "b": np.ones(n)},
                        index=pd.date_range("2024-01-01", periods=n, freq="h"))


@pytest.mark.parametrize(
    ("kwargs", "error", "words"),
    [
        (dict(n_steps_in=0), InvalidParameterError, ["n_steps_in", "0"]),
        (dict(n_steps_in=-3), InvalidParameterError, ["n_steps_in", "-3"]),
        (dict(n_steps_in=2.5), InputTypeError, ["n_steps_in", "2.5"]),
        (dict(n_steps_in=True), InputTypeError, ["n_steps_in", "True"]),
        (dict(n_steps_in=3, n_steps_out=0), InvalidParameterError, ["n_steps_out", "0"]),
        (dict(n_steps_in=3, stride=0), InvalidParameterError, ["stride", "0"]),
        (dict(n_steps_in=3, stride="2"), InputTypeError, ["stride", "'2'"]),
        (dict(n_steps_in=3, targets="z"), UnknownColumnError, ["targets", "'z'", "'a'"]),
        (dict(n_steps_in=3, targets=["a", "nope"]), UnknownColumnError, ["targets", "'nope'"]),
        (dict(n_steps_in=3, targets=[]), InvalidParameterError, ["targets", "empty"]),
        (dict(n_steps_in=3, targets=["a", "a"]), InvalidParameterError, ["targets", "'a'"]),
        (dict(n_steps_in=3, check_finite="yes"), InputTypeError, ["check_finite", "'yes'"]),
        (dict(n_steps_in=15, n_steps_out=10), InsufficientDataError, ["20 row", "15 + 10 = 25"]),
    ],
)
def test_bad_arguments_name_the_argument_and_value(kwargs, error, words):
    with pytest.raises(error) as info:
        make_windows(_frame(), **kwargs)
    for word in words:
        assert word in str(info.value)


@pytest.mark.parametrize(
    ("targets", "words"),
    [(5, ["targets", "[5]", "[0, 2)"]), (["a"], ["targets", "['a']"]), ([-1], ["[-1]"]), ([True], ["[True]"])],
)
def test_array_targets_must_be_positions(targets, words):
    with pytest.raises(UnknownColumnError) as info:
        make_windows(np.ones((10, 2)), 2, targets=targets)
    for word in words:
        assert word in str(info.value)


def _bad_index(kind):
    frame = _frame(6)
    if kind == "unsorted":
        return frame.iloc[[0, 2, 1, 3, 4, 5]], ["unsorted"]
    if kind == "duplicated":
        return frame.iloc[[0, 1, 1, 2, 3, 4]], ["duplicated", "2024-01-01 01:00:00"]
    if kind == "irregular":
        index = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-04", "2024-01-05", "2024-01-09", "2024-01-10"])
        return frame.set_axis(index), ["irregular"]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["unsorted", "duplicated", "irregular"])
def test_bad_time_index_raises(kind):
    frame, words = _bad_index(kind)
    with pytest.raises(InvalidInputError) as info:
        make_windows(frame, 2)
    assert "data" in str(info.value)
    for word in words:
        assert word in str(info.value)


def test_mixed_timezones_raise_type_error():
    index = pd.Index([pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-01 02:00", tz="Europe/Paris"),
                      pd.Timestamp("2024-01-01 02:00", tz="UTC")], dtype=object)
    with pytest.raises(InputTypeError, match="time zone"):
        make_windows(pd.Series([1.0, 2.0, 3.0], index=index), 1)


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (np.array([1.0, np.nan, 2.0, 3.0]), InvalidInputError, ["data", "nan", "row 1"]),
        (np.array([[1.0, 2.0], [3.0, np.inf], [0.0, 0.0]]), InvalidInputError, ["inf", "row 1, column 1"]),
        (pd.Series([1.0, -np.inf, 2.0]), InvalidInputError, ["-inf"]),
        (np.zeros((4, 3, 2)), ShapeMismatchError, ["data", "(4, 3, 2)", "3 dimensions"]),
        (np.array(["a", "b", "c"]), InputTypeError, ["data", "'a'"]),
        (np.array([True, False, True]), InputTypeError, ["data", "bool"]),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "b": ["x", "y", "z"]}), InputTypeError, ["data", "'b'"]),
        (pd.DataFrame({"a": [1.0, 2.0, 3.0], "flag": [True, False, True]}), InputTypeError, ["'flag'", "bool"]),
        (pd.DataFrame(index=pd.RangeIndex(3)), InvalidInputError, ["no columns"]),
        (np.array([]), InsufficientDataError, ["empty"]),
        ("abc", InputTypeError, ["data", "str"]),
        ([[1.0, 2.0], [3.0]], InputTypeError, ["data"]),
    ],
)
def test_bad_data_raises(data, error, words):
    with pytest.raises(error) as info:
        make_windows(data, 1)
    for word in words:
        assert word in str(info.value)


def test_nan_far_into_a_large_array_is_located():
    data = np.ones((300_000, 3))
    data[234_567, 2] = np.nan
    with pytest.raises(InvalidInputError, match="row 234567, column 2"):
        make_windows(data, 10)


def test_overflowing_sum_is_not_mistaken_for_inf():
    data = np.full((10, 2), np.finfo(np.float64).max)
    X, _, _ = make_windows(data, 3)  # the sum overflows, the values are finite
    assert np.isfinite(X).all()


def test_short_series_in_a_panel_is_named():
    panel = {"long": pd.Series(np.arange(30.0)), "tiny": pd.Series(np.arange(4.0))}
    with pytest.raises(InsufficientDataError) as info:
        make_windows(panel, 5, 2)
    assert "data['tiny']" in str(info.value) and "4 row" in str(info.value) and "5 + 2 = 7" in str(info.value)


def test_panel_with_nan_and_mismatched_columns_raise():
    with pytest.raises(InvalidInputError, match="'b'"):
        make_windows({"a": pd.Series([1.0, 2.0, 3.0]), "b": pd.Series([1.0, np.nan, 3.0])}, 1)
    with pytest.raises(InvalidInputError, match="columns"):
        make_windows({"a": pd.DataFrame({"x": [1.0, 2.0]}), "b": pd.DataFrame({"z": [1.0, 2.0]})}, 1)


def test_panel_with_different_frequencies_raises():
    data = {"a": pd.Series(np.ones(5), index=pd.date_range("2024", periods=5, freq="h")),
            "b": pd.Series(np.ones(5), index=pd.date_range("2024", periods=5, freq="D"))}
    with pytest.raises(InvalidInputError, match="frequencies"):
        make_windows(data, 2)


# ---------------------------------------------------------------- transformer


def test_transformer_learns_columns_targets_and_frequency():
    transformer = SlidingWindowTransformer(4, 2, targets=["b"]).fit(_frame())
    assert transformer.n_features_in_ == 2
    assert list(transformer.feature_names_in_) == ["a", "b"]
    assert transformer.target_positions_.tolist() == [1]
    assert transformer.freq_ == pd.tseries.frequencies.to_offset("h")
    assert transformer.columns_ == ["a", "b"]


def test_transformer_on_arrays_has_no_feature_names_and_no_freq():
    transformer = SlidingWindowTransformer(3, targets=[1]).fit(np.ones((10, 2)))
    assert not hasattr(transformer, "feature_names_in_")
    assert transformer.freq_ is None and transformer.n_features_in_ == 2
    # refitting on an array forgets the names of an earlier frame
    transformer.set_params(targets=None).fit(_frame()).fit(np.ones((10, 2)))
    assert not hasattr(transformer, "feature_names_in_")


@pytest.mark.parametrize("stride", [1, 2, 3])
def test_transform_returns_every_input_window_ending_at_the_last_row(stride):
    data = _values(20, 2)
    windows = SlidingWindowTransformer(5, 3, stride=stride).fit_transform(data)
    assert windows.shape == ((20 - 5) // stride + 1, 5, 2)
    np.testing.assert_array_equal(windows[-1], data[-5:])
    offset = (20 - 5) % stride
    for i, window in enumerate(windows):
        np.testing.assert_array_equal(window, data[offset + i * stride : offset + i * stride + 5])
    assert np.shares_memory(windows, data) and not windows.flags.writeable


def test_transform_needs_only_n_steps_in_rows():
    transformer = SlidingWindowTransformer(5, 10).fit(np.ones(20))
    assert transformer.transform(np.ones(5)).shape == (1, 5, 1)
    with pytest.raises(InsufficientDataError, match="X has 4 row.*n_steps_in=5"):
        transformer.transform(np.ones(4))


def test_transform_xy_matches_make_windows():
    frame = _frame(30)
    transformer = SlidingWindowTransformer(6, 3, targets="a", stride=2).fit(frame)
    X, y = transformer.transform_xy(frame)
    expected = make_windows(frame, 6, 3, targets="a", stride=2)
    np.testing.assert_array_equal(X, expected.X)
    np.testing.assert_array_equal(y, expected.y)
    assert y.shape == (len(X), 3, 1)


def test_transform_on_a_panel_ends_each_series_at_its_last_row():
    data = {"a": pd.Series(np.arange(8.0)), "b": pd.Series(100 + np.arange(6.0))}
    transformer = SlidingWindowTransformer(3).fit(data)
    windows = transformer.transform(data)
    assert len(windows) == (8 - 3 + 1) + (6 - 3 + 1)
    assert windows[5, :, 0].tolist() == [5.0, 6.0, 7.0]
    assert windows[-1, :, 0].tolist() == [103.0, 104.0, 105.0]


def test_transformer_clone_and_params():
    transformer = SlidingWindowTransformer(24, 6, targets=["a"], stride=2)
    assert transformer.get_params() == {"n_steps_in": 24, "n_steps_out": 6, "targets": ["a"], "stride": 2}
    copy = clone(transformer.fit(_frame(40)))
    assert copy.get_params() == transformer.get_params()
    assert not hasattr(copy, "n_features_in_")
    copy.set_params(stride=3)
    assert copy.stride == 3 and transformer.stride == 2


def test_transformer_validates_params_in_fit_not_init():
    transformer = SlidingWindowTransformer(0)  # storing a bad value is allowed (sklearn rule)
    assert transformer.n_steps_in == 0
    with pytest.raises(InvalidParameterError, match="n_steps_in must be >= 1; got 0"):
        transformer.fit(np.ones(10))
    with pytest.raises(UnknownColumnError, match="'zz'"):
        SlidingWindowTransformer(2, targets="zz").fit(_frame())


def test_transformer_must_be_fitted():
    with pytest.raises(NotFittedError):
        SlidingWindowTransformer(3).transform(np.ones(10))
    with pytest.raises(NotFittedError):
        SlidingWindowTransformer(3).transform_xy(np.ones(10))


def test_transformer_checks_features_at_transform():
    transformer = SlidingWindowTransformer(3).fit(_frame())
    with pytest.raises(ShapeMismatchError, match="X has 3 feature.*fitted with 2"):
        transformer.transform(_frame().assign(c=1.0))
    with pytest.raises(UnknownColumnError, match=r"\['a', 'c'\]"):
        transformer.transform(_frame().rename(columns={"b": "c"}))
    with pytest.raises(UnknownColumnError, match=r"\['b', 'a'\]"):
        transformer.transform(_frame()[["b", "a"]])
    with pytest.raises(ShapeMismatchError):
        transformer.transform(np.ones(10))
    assert transformer.transform(np.ones((10, 2))).shape == (8, 3, 2)  # arrays are matched by count


def test_transformer_checks_frequency_at_transform():
    transformer = SlidingWindowTransformer(3).fit(_frame())
    daily = _frame().set_axis(pd.date_range("2024-01-01", periods=20, freq="D"))
    with pytest.raises(InvalidInputError, match="'D'.*'h'"):
        transformer.transform(daily)


def test_sliding_window_transformer_declares_its_parameters_and_checks_them_in_fit():
    """One validator (``_params.validate_params``) checks every constructor argument."""
    from tsforecast.core.params import validate_params

    assert list(SlidingWindowTransformer._parameter_constraints) == ["n_steps_in", "n_steps_out", "targets", "stride"]
    assert validate_params(SlidingWindowTransformer(3, 2, stride=4)) == {
        "n_steps_in": 3, "n_steps_out": 2, "targets": None, "stride": 4}
    for params, error, message in [({"n_steps_in": 0}, InvalidParameterError, "n_steps_in must be >= 1; got 0"),
                                   ({"n_steps_in": 2, "n_steps_out": 1.0}, InputTypeError, "n_steps_out must be an integer"),
                                   ({"n_steps_in": 2, "stride": 0}, InvalidParameterError, "stride must be >= 1; got 0")]:
        with pytest.raises(error, match=message):
            SlidingWindowTransformer(**params).fit(np.zeros(10))


def test_flat_features_with_future_covariates_are_the_windows_side_by_side():
    """The compiled gather writes, per window, its n_in input rows then its n_out future
    covariate rows, flattened by step: the features a per-window loop would build."""
    from tsforecast.core.window_features import WindowSpec, _flat_features

    rng = np.random.default_rng(3)
    inputs = rng.normal(size=(40, 3))  # y, a past covariate, a future covariate
    spec = WindowSpec(n_in=4, n_out=2, n_targets=1, n_future=1)
    starts = np.array([7, 0, 21, 34])  # unordered, as windows ordered by time across series are
    got = _flat_features(inputs, inputs[:, 2:], starts, spec)
    expected = np.array([np.r_[inputs[s : s + 4].ravel(), inputs[s + 4 : s + 6, 2]] for s in starts])
    assert got.flags.c_contiguous and got.dtype == np.float64
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize(("param", "value", "method"),
                         [("stride", 0, "transform"), ("n_steps_in", 0, "transform"), ("n_steps_out", 0, "transform_xy")])
def test_parameters_set_after_fit_are_checked_at_transform(param, value, method):
    """set_params after fit gave empty windows without a word, or a ZeroDivisionError."""
    a = np.arange(20.0)
    fitted = SlidingWindowTransformer(5).fit(a).set_params(**{param: value})
    with pytest.raises(InvalidParameterError, match=f"{param} must be >= 1; got 0"):
        getattr(fitted, method)(a)


def test_an_array_without_columns_and_a_repeated_target_name_are_refused():
    with pytest.raises(InvalidInputError, match=r"has no columns; got an array of shape \(10, 0\)"):
        make_windows(np.zeros((10, 0)), 2, 1)
    frame = pd.DataFrame(np.arange(30.0).reshape(10, 3), columns=["a", "a", "b"])
    with pytest.raises(InvalidInputError, match=r"targets names \['a'\], a name more than one column"):
        make_windows(frame, 3, 1, targets="a")  # took the first 'a' silently
    assert make_windows(frame, 3, 1, targets="b").y.shape == (7, 1, 1)


def test_targets_set_after_fit_take_effect_as_the_window_lengths_do():
    """set_params(targets=...) after fit was ignored: y kept the fitted column, and an
    unknown name raised nothing."""
    from tsforecast.exceptions import UnknownColumnError

    frame = pd.DataFrame({"a": np.arange(20.0), "b": np.arange(20.0) * 10, "c": -np.arange(20.0)})
    transformer = SlidingWindowTransformer(4, 2, targets="a").fit(frame)
    transformer.set_params(targets="b")
    _, y = transformer.transform_xy(frame)
    np.testing.assert_array_equal(y[0, :, 0], [40.0, 50.0])
    transformer.set_params(targets="nope")
    with pytest.raises(UnknownColumnError, match="'nope'"):
        transformer.transform_xy(frame)


@pytest.mark.parametrize("targets", [[1, np.int64(1)], ["b", np.str_("b")]])
def test_a_target_repeated_as_a_numpy_scalar_is_refused(targets):
    """The repeat check compared reprs: np.int64(1) beside 1 gave y the column twice."""
    from tsforecast.exceptions import InvalidParameterError

    data = np.arange(30.0).reshape(10, 3) if isinstance(targets[0], int) else \
        pd.DataFrame(np.arange(30.0).reshape(10, 3), columns=["a", "b", "c"])
    with pytest.raises(InvalidParameterError, match="targets must not repeat a column"):
        make_windows(data, n_steps_in=3, n_steps_out=1, targets=targets)


def test_complex_values_and_masked_arrays_are_refused():
    """A complex column lost its imaginary part (pandas' ComplexWarning only); NaN under a
    mask passed the NaN check and the views dropped the mask."""
    from tsforecast.exceptions import InputTypeError

    with pytest.raises(InputTypeError, match=r"non-numeric column\(s\) \{'z': 'complex128'\}"):
        make_windows(pd.DataFrame({"z": np.arange(10) * 1j}), n_steps_in=3)
    masked = np.ma.masked_invalid(np.r_[np.arange(5.0), np.nan, np.arange(4.0)])
    with pytest.raises(InputTypeError, match=r"masked array \(1 masked value\(s\)\).*filled\(np\.nan\)"):
        make_windows(masked, n_steps_in=3)
