"""Tests of tsforecast.core.forms: the long panel format, dicts, and answering in the form given."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforecast.core.forms import (
    SINGLE_SERIES_ID,
    check_same_columns,
    from_panel,
    is_panel,
    restore_form,
    to_panel,
)
from tsforecast.core.panel import as_series_dict
from tsforecast.exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    SkippedSeriesWarning,
)


def daily(values, start="2024-01-01", name="y"):
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq="D"), name=name)


@pytest.fixture
def series_dict():
    return {"a": daily([1.0, 2.0, 3.0]), "b": daily([10.0, 20.0, 30.0, 40.0], start="2024-02-01")}


def test_is_panel():
    assert is_panel({}) and is_panel(pd.DataFrame(columns=["unique_id", "ds", "y"]))
    assert not is_panel(pd.DataFrame({"y": [1.0]})) and not is_panel(pd.Series([1.0])) and not is_panel(np.ones(3))


def test_to_panel_stacks_in_long_format(series_dict):
    panel = to_panel(series_dict)
    assert list(panel.columns) == ["unique_id", "ds", "y"]
    assert panel["unique_id"].tolist() == ["a"] * 3 + ["b"] * 4
    assert panel["ds"].iloc[3] == pd.Timestamp("2024-02-01")
    assert panel["y"].tolist() == [1.0, 2.0, 3.0, 10.0, 20.0, 30.0, 40.0]


def test_to_panel_names_and_frames():
    panel = to_panel({1: pd.Series([1.0, 2.0]), 2: pd.DataFrame({"y": [3.0], "temp": [4.0]})})
    assert list(panel.columns) == ["unique_id", "ds", "y", "temp"]  # an unnamed Series is "y"
    assert np.isnan(panel.loc[0, "temp"]) and panel.loc[2, "temp"] == 4.0


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        ([pd.Series([1.0])], InputTypeError, ["series must be a dict", "list"]),
        ({"a": np.ones(3)}, InputTypeError, ["series['a']", "ndarray"]),
        ({}, InsufficientDataError, ["empty dict"]),
    ],
)
def test_to_panel_rejects(data, error, words):
    with pytest.raises(error) as info:
        to_panel(data)
    for word in words:
        assert word in str(info.value)


def test_from_panel_splits_by_id_in_order_of_appearance(series_dict):
    panel = to_panel(series_dict).iloc[::-1]
    out = from_panel(panel)
    assert list(out) == ["b", "a"]
    assert out["a"].index.name == "ds" and list(out["a"].columns) == ["y"]
    assert out["a"]["y"].tolist() == [3.0, 2.0, 1.0]  # rows kept as given (validation sorts nothing)


def test_from_panel_rejects_non_panels_and_missing_ids():
    with pytest.raises(InputTypeError, match=r"panel must be a DataFrame with columns 'unique_id' and 'ds'; got \['y'\]"):
        from_panel(pd.DataFrame({"y": [1.0]}))
    with pytest.raises(InputTypeError, match="got 'dict'"):
        from_panel({"a": pd.Series([1.0])})
    panel = pd.DataFrame({"unique_id": ["a", None, "a"], "ds": [0, 0, 1], "y": [1.0, 2.0, 3.0]})
    with pytest.raises(InvalidInputError, match=r"without a unique_id.*\[1\]"):
        from_panel(panel)


def test_dict_panel_dict_round_trip(series_dict):
    back = from_panel(to_panel(series_dict))
    assert list(back) == list(series_dict)
    for key, series in series_dict.items():
        pd.testing.assert_series_equal(back[key]["y"], series, check_names=False, check_freq=False)
        assert back[key].index.name == "ds"


def test_panel_dict_panel_round_trip():
    panel = pd.DataFrame({
        "unique_id": ["x", "x", "y", "y", "y"],
        "ds": [0, 1, 0, 1, 2],
        "y": [1.0, 2.0, 3.0, 4.0, 5.0],
        "temp": [0.1, 0.2, 0.3, 0.4, 0.5],
    })
    pd.testing.assert_frame_equal(to_panel(from_panel(panel)), panel)


# ------------------------------------------------------------------ as_series_dict and restore_form


def test_single_series_gets_the_single_id():
    frames, form = as_series_dict(daily([1.0, 2.0, 3.0], name="sales"))
    assert list(frames) == [SINGLE_SERIES_ID] and form.kind == "series" and form.name == "sales"
    assert not form.is_multi and frames[SINGLE_SERIES_ID].index.freqstr == "D"


@pytest.mark.parametrize(
    ("data", "kind"),
    [(np.arange(4.0), "array"), (pd.DataFrame({"a": [1.0, 2.0]}), "frame"), (pd.Series([1.0, 2.0]), "series")],
)
def test_single_forms(data, kind):
    _, form = as_series_dict(data)
    assert form.kind == kind


def test_dict_form_remembers_which_values_were_series(series_dict):
    series_dict["c"] = pd.DataFrame({"y": [5.0, 6.0]}, index=pd.date_range("2024-03-01", periods=2, freq="D"))
    frames, form = as_series_dict(series_dict)
    assert form.kind == "dict" and form.is_multi
    assert form.dict_values == {"a": True, "b": True, "c": False}
    assert all(frame.index.freqstr == "D" for frame in frames.values())


def test_panel_series_are_validated_with_their_id_in_messages():
    panel = to_panel({"ok": daily([1.0, 2.0, 3.0]), "bad": daily([1.0, np.nan, 3.0])})
    with pytest.raises(InvalidInputError, match=r"y\['bad'\] contains 1 non-finite"):
        as_series_dict(panel)
    unsorted = to_panel({"u": daily([1.0, 2.0, 3.0])}).iloc[[0, 2, 1]]
    with pytest.raises(InvalidInputError, match=r"y\['u'\] has an unsorted"):
        as_series_dict(unsorted)
    dup = to_panel({"d": daily([1.0, 2.0, 3.0])}).iloc[[0, 1, 1, 2]]
    with pytest.raises(InvalidInputError, match=r"y\['d'\] has duplicated"):
        as_series_dict(dup)


def test_panel_with_mixed_time_zones_raises():
    panel = pd.DataFrame({
        "unique_id": ["a", "a", "a"],
        "ds": [pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-01 02:00", tz="Europe/Paris"),
               pd.Timestamp("2024-01-01 02:00", tz="UTC")],
        "y": [1.0, 2.0, 3.0],
    })
    with pytest.raises(InputTypeError, match=r"y\['a'\].*mixed time zones"):
        as_series_dict(panel)


def test_panel_fill_policies_apply_per_series():
    panel = to_panel({"a": daily([np.nan, 2.0, np.nan, 4.0]), "b": daily([1.0, np.nan, 3.0])})
    frames, _ = as_series_dict(panel, fill="interpolate")
    assert frames["a"]["y"].tolist() == [2.0, 2.0, 3.0, 4.0]
    assert frames["b"]["y"].tolist() == [1.0, 2.0, 3.0]
    frames, _ = as_series_dict(panel, fill="ffill")
    assert frames["a"]["y"].tolist() == [2.0, 2.0, 2.0, 4.0]  # the leading gap is back-filled, never from b


def test_short_series_raise_by_default(series_dict):
    with pytest.raises(InsufficientDataError, match=r"y\['a'\] has 3 row\(s\); at least 4"):
        as_series_dict(series_dict, min_length=4)


def test_short_series_skipped_with_a_warning_naming_them(series_dict):
    with pytest.warns(SkippedSeriesWarning, match=r"series 'a' of y has 3 row\(s\), fewer than 4; it is skipped"):
        frames, _ = as_series_dict(series_dict, min_length=4, on_short="skip")
    assert list(frames) == ["b"]


def test_skipping_every_series_raises(series_dict):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SkippedSeriesWarning)
        with pytest.raises(InsufficientDataError, match="every series of y is shorter than 9 rows"):
            as_series_dict(series_dict, min_length=9, on_short="skip")


def test_bad_on_short_and_empty_panels():
    with pytest.raises(InvalidParameterError, match="on_short must be one of 'raise', 'skip'; got 'drop'"):
        as_series_dict({"a": daily([1.0])}, on_short="drop")
    with pytest.raises(InsufficientDataError, match="holds no series; got an empty dict"):
        as_series_dict({})
    with pytest.raises(InsufficientDataError, match="empty panel"):
        as_series_dict(pd.DataFrame(columns=["unique_id", "ds", "y"]))


def _forecasts(frames):
    # A stand-in for a forecaster: two future steps of the same columns per series.
    return {k: pd.DataFrame({c: [0.5, 0.5] for c in f.columns},
                            index=pd.RangeIndex(len(f), len(f) + 2) if isinstance(f.index, pd.RangeIndex)
                            else pd.date_range(f.index[-1] + f.index.freq, periods=2, freq=f.index.freq))
            for k, f in frames.items()}


def test_restore_form_gives_a_dict_back_for_a_dict(series_dict):
    series_dict["c"] = pd.DataFrame({"y": [5.0, 6.0]})
    frames, form = as_series_dict(series_dict)
    out = restore_form(_forecasts(frames), form)
    assert isinstance(out, dict) and list(out) == ["a", "b", "c"]
    assert isinstance(out["a"], pd.Series) and isinstance(out["c"], pd.DataFrame)


def test_restore_form_gives_a_panel_back_for_a_panel(series_dict):
    frames, form = as_series_dict(to_panel(series_dict))
    out = restore_form(_forecasts(frames), form)
    assert list(out.columns) == ["unique_id", "ds", "y"] and out["unique_id"].tolist() == ["a", "a", "b", "b"]
    assert out["ds"].tolist()[:1] == [pd.Timestamp("2024-01-04")]


@pytest.mark.parametrize(
    ("data", "kind"),
    [(daily([1.0, 2.0, 3.0], name="sales"), pd.Series), (pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}), pd.DataFrame),
     (np.arange(3.0), pd.DataFrame)],
)
def test_restore_form_single(data, kind):
    frames, form = as_series_dict(data)
    out = restore_form(_forecasts(frames), form)
    assert type(out) is kind and len(out) == 2
    if isinstance(data, pd.Series):
        assert out.name == "sales" and out.index[0] == pd.Timestamp("2024-01-04")


def test_check_same_columns():
    same = {"a": pd.DataFrame({"y": [1.0]}), "b": pd.DataFrame({"y": [2.0]})}
    assert check_same_columns(same, "y") == ["y"]
    assert check_same_columns({}, "y") == []
    with pytest.raises(InvalidInputError, match=r"y\['b'\] has columns \['z'\]; every series must have \['y'\]"):
        check_same_columns({"a": pd.DataFrame({"y": [1.0]}), "b": pd.DataFrame({"z": [2.0]})}, "y")


def test_an_internal_panel_is_held_to_min_length_like_every_other_form():
    from tsforecast.core.panel import as_panel
    from tsforecast.exceptions import InsufficientDataError, SkippedSeriesWarning

    panel = as_panel({"a": pd.Series(np.arange(10.0)), "b": pd.Series(np.arange(3.0))})
    assert as_panel(panel, min_length=3) is panel
    with pytest.raises(InsufficientDataError, match=r"y\['b'\] has 3 row\(s\); at least 4 are needed"):
        as_panel(panel, min_length=4)
    with pytest.warns(SkippedSeriesWarning, match="series 'b'"):
        kept = as_panel(panel, min_length=4, on_short="skip")
    assert kept.ids.tolist() == ["a"] and kept.series(0)[:, 0].tolist() == list(range(10))


# -- the internal Panel built from a long frame ---------------------------------------
def _long_frame(n_series: int = 4, length: int = 6) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    return pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(n_series)], length),
                         "ds": np.tile(np.arange(length), n_series), "y": rng.normal(size=n_series * length)})


def test_grouped_and_shuffled_long_frames_give_the_same_panel():
    from tsforecast.core.panel import as_panel

    grouped = _long_frame()
    shuffled = grouped.sort_values(["ds", "unique_id"], kind="stable")  # interleaved series, each in time order
    first_seen = list(dict.fromkeys(shuffled["unique_id"]))
    a = as_panel(grouped.set_index(pd.RangeIndex(len(grouped))))
    b = as_panel(shuffled)
    order = [first_seen.index(k) for k in a.ids]  # ids come in order of first appearance
    assert sorted(a.ids.tolist()) == sorted(b.ids.tolist())
    for i, j in enumerate(order):
        np.testing.assert_array_equal(a.series(i), b.series(j))


def test_a_panel_never_shares_memory_with_the_callers_frame():
    """The identity-order path copies the values once: changing the frame later does
    not change the panel, and repairs of the panel never write into the frame."""
    from tsforecast.core.panel import as_panel

    frame = _long_frame()
    before = frame["y"].to_numpy().copy()
    panel = as_panel(frame)
    assert not np.shares_memory(panel.values, frame["y"].to_numpy())
    frame.loc[0, "y"] = 1e6
    assert panel.values[0, 0] == before[0]
    gappy = _long_frame()
    gappy.loc[2, "y"] = np.nan
    repaired = as_panel(gappy, fill="ffill")
    assert np.isnan(gappy.loc[2, "y"]) and repaired.values[2, 0] == gappy.loc[1, "y"]


def test_forecasts_of_a_dict_mixing_time_types_start_the_step_after_each_series():
    """A dict of series on different time axes (days, integer time, month ends) keeps each
    series' own index; its forecast starts the step after that series' last one (it started
    one step late)."""
    from tsforecast.baselines import Naive

    data = {"days": daily(np.arange(10.0)),
            "ints": pd.Series(np.arange(5.0), index=pd.RangeIndex(5)),
            "months": pd.Series(np.arange(6.0), index=pd.date_range("2024-01-31", periods=6, freq="ME"))}
    forecast = Naive().fit(data).predict(2)
    assert list(forecast["days"].index) == list(pd.date_range("2024-01-11", periods=2, freq="D"))
    assert list(forecast["ints"].index) == [5, 6]
    assert list(forecast["months"].index) == list(pd.date_range("2024-07-31", periods=2, freq="ME"))
    assert forecast["ints"].tolist() == [4.0, 4.0]


def test_a_dict_of_period_indexed_series_is_taken_as_one_series_is():
    """sktime's PeriodIndex works for one series; a dict of them was refused as 'not a
    DatetimeIndex or integer time'. Forecasts come back as periods."""
    from tsforecast.baselines import Naive

    monthly = pd.Series(np.arange(10.0), index=pd.period_range("2024-01", periods=10, freq="M"))
    forecast = Naive().fit({"a": monthly, "b": 2 * monthly}).predict(2)
    for key, last in (("a", 9.0), ("b", 18.0)):
        assert list(forecast[key].index) == list(pd.period_range("2024-11", periods=2, freq="M"))
        assert forecast[key].tolist() == [last, last]


def test_a_dict_mixing_period_frequencies_and_timestamps_answers_each_in_its_own(tmp_path):
    """A dict may mix time axes: monthly and quarterly periods beside daily timestamps
    were refused as 'not a DatetimeIndex or integer time'."""
    import tsforecast
    from tsforecast.baselines import Naive

    data = {"m": pd.Series(np.arange(10.0), index=pd.period_range("2024-01", periods=10, freq="M")),
            7: pd.Series(np.arange(8.0), index=pd.period_range("2020Q1", periods=8, freq="Q")),
            "d": pd.Series(np.arange(5.0), index=pd.date_range("2024-03-01", periods=5, freq="D"))}
    model = Naive().fit(data)
    tsforecast.save(model, tmp_path / "m.tsf")
    for fitted in (model, tsforecast.load(tmp_path / "m.tsf")):
        forecast = fitted.predict(2)
        assert list(forecast["m"].index) == list(pd.period_range("2024-11", periods=2, freq="M"))
        assert list(forecast[7].index) == list(pd.period_range("2022Q1", periods=2, freq="Q"))
        assert list(forecast["d"].index) == list(pd.date_range("2024-03-06", periods=2, freq="D"))


@pytest.mark.parametrize("freq, first, expected", [("M", "2024-01", "2025-01"), ("Q-DEC", "2024Q1", "2027Q1"),
                                                   ("Y-DEC", "2000", "2012"), ("W-SUN", "2024-01-07", "2024-03-31")])
def test_a_long_frame_of_periods_is_answered_in_periods(freq, first, expected):
    """pandas 3 spells the offsets of M, Q and Y periods 'ME', 'QE-DEC', 'YE-DEC', which
    to_period refuses: predict raised pandas' 'Invalid frequency: ME'."""
    from tsforecast.baselines import Naive

    periods = pd.period_range(first, periods=12, freq=freq)
    long = pd.DataFrame({"unique_id": "a", "ds": periods, "y": np.arange(12.0)})
    forecast = Naive().fit(long).predict(2)
    assert forecast["ds"].tolist() == list(pd.period_range(expected, periods=2, freq=freq))


def test_a_long_frame_of_python_datetimes_or_changing_offsets():
    """Python datetimes in an object column (a frame built row by row) were 'not
    timestamps'; ISO text whose UTC offset changes (to_csv of local time) gave pandas'
    raw 'Mixed timezones detected'."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from tsforecast.baselines import Naive

    days = [dt.datetime(2024, 3, 25, tzinfo=ZoneInfo("Europe/Berlin")) + dt.timedelta(days=i) for i in range(10)]
    long = pd.DataFrame({"unique_id": "a", "ds": pd.Series(days, dtype=object), "y": np.arange(10.0)})
    forecast = Naive().fit(long).predict(1)
    assert forecast["ds"].iloc[0] == pd.Timestamp("2024-04-04", tz="Europe/Berlin")
    text = long.assign(ds=[d.isoformat() for d in days])
    with pytest.raises(InvalidInputError, match=r"y\['ds'\] holds timestamps of different UTC offsets.*utc=True"):
        Naive().fit(text)


@pytest.mark.parametrize("short", ["first", "last"])
def test_a_short_series_of_a_calendar_panel_is_checked_against_the_panel_frequency(short):
    """Each series' frequency was inferred alone: a Monday-to-Thursday run of business
    days read as daily and two month starts as '31D', refusing valid panels ("y['old'] has
    frequency B; every series must share one (y['new'] has D)")."""
    from tsforecast.baselines import Naive

    for freq, short_stamps in (("B", pd.date_range("2024-03-04", periods=4, freq="D")),
                               ("MS", pd.DatetimeIndex(["2024-01-01", "2024-02-01"]))):
        long = pd.DataFrame({"unique_id": "old", "ds": pd.date_range("2023-01-02", periods=30, freq=freq),
                             "y": np.arange(30.0)})
        new = pd.DataFrame({"unique_id": "new", "ds": short_stamps, "y": np.arange(len(short_stamps), dtype=float)})
        frame = pd.concat([new, long] if short == "first" else [long, new], ignore_index=True)
        forecast = Naive().fit(frame).predict(1).set_index("unique_id")["ds"]
        assert forecast["new"] == short_stamps[-1] + pd.tseries.frequencies.to_offset(freq)
    off_grid = pd.concat([long, new.assign(ds=pd.DatetimeIndex(["2024-01-01", "2024-01-15"]))], ignore_index=True)
    with pytest.raises(InvalidInputError, match=r"y\['new'\] has frequency .*every series of a panel must share one"):
        Naive().fit(off_grid)


# --------------------------------------------------------------------------- the panel owns its values
def _single_forms():
    """Each single-series form with the callback that rescales the user's data in place."""
    def series():
        y = daily(np.random.default_rng(0).normal(size=150).cumsum())
        return y, lambda: y.iloc.__setitem__(slice(None), y.to_numpy() * 10)

    def frame():
        y = daily(np.random.default_rng(0).normal(size=150).cumsum()).to_frame()
        return y, lambda: y.iloc.__setitem__((slice(None), 0), y["y"].to_numpy() * 10)

    def one_dict():
        y = {"a": daily(np.random.default_rng(0).normal(size=150).cumsum())}
        return y, lambda: y["a"].iloc.__setitem__(slice(None), y["a"].to_numpy() * 10)

    def two_dict():
        y = {"a": daily(np.random.default_rng(0).normal(size=150).cumsum()),
             "b": daily(np.random.default_rng(1).normal(size=150).cumsum())}
        return y, lambda: y["a"].iloc.__setitem__(slice(None), y["a"].to_numpy() * 10)

    def array():
        y = np.random.default_rng(0).normal(size=(150, 1)).cumsum(axis=0)
        return y, lambda: y.__imul__(10)

    return {"series": series, "frame": frame, "dict1": one_dict, "dict2": two_dict, "array": array}


@pytest.mark.parametrize("form", ["series", "frame", "dict1", "dict2", "array"])
def test_the_panel_does_not_change_when_the_users_data_is_changed_in_place(form):
    from tsforecast.core.panel import as_panel

    y, rescale = _single_forms()[form]()
    panel = as_panel(y)
    before = panel.values.copy()
    rescale()
    np.testing.assert_array_equal(panel.values, before)


@pytest.mark.parametrize("form", ["series", "frame", "dict1"])
def test_a_fitted_model_reads_no_user_data_after_fit(form):
    """Conformal intervals on demand calibrate on the training panel after fit: a view of
    the user's Series made them 10x too wide once the user rescaled it in place."""
    from tsforecast.baselines import Theta

    y, _ = _single_forms()[form]()
    reference = Theta().fit(y).predict_interval(4)  # the intervals of the data as fitted
    y, rescale = _single_forms()[form]()
    model = Theta().fit(y)
    rescale()
    out = model.predict_interval(4)
    for key in out if isinstance(out, dict) else [None]:
        pd.testing.assert_frame_equal(out if key is None else out[key], reference if key is None else reference[key])


@pytest.mark.parametrize("freq", ["B", "MS", "W-SUN"])
@pytest.mark.parametrize("fault", ["gap", "off_grid", "fine"])
def test_a_calendar_panel_is_checked_at_once_and_names_the_series_at_fault(freq, fault):
    """Calendar frequencies (business days, months) have no fixed step, and every series
    was checked with its own date_range (20,000 business-day series: 15 s). One grid over
    the panel's span finds the same first series at fault, with the same message."""
    from tsforecast.core.panel import as_panel

    dates = pd.date_range("2024-01-01", periods=30, freq=freq)
    frames = []
    for i in range(40):
        own = dates[i % 5:]
        if i == 23 and fault == "gap":
            own = own.delete(7)
        if i == 23 and fault == "off_grid":
            own = own[:-1].append(pd.DatetimeIndex([own[-2] + pd.Timedelta(hours=36)]))
        frames.append(pd.DataFrame({"unique_id": f"s{i:02d}", "ds": own, "y": 1.0}))
    long = pd.concat(frames, ignore_index=True)
    if fault == "fine":
        assert as_panel(long).n_series == 40
        return
    with pytest.raises(InvalidInputError, match=r"s23"):
        as_panel(long)
    long[long["unique_id"] != "s23"].pipe(as_panel)  # without it, the panel is regular
