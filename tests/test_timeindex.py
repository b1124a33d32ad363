"""Tests of tsforecast.core.timeindex: regular indexes and the steps that follow them."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tsforecast.core.timeindex import future_index, reads_as_dates, regularize_index, season_length_of_freq
from tsforecast.exceptions import InputTypeError, InsufficientDataError, InvalidInputError


@pytest.mark.parametrize("freq", ["h", "D", "W-SUN", "MS", "ME", "15min", "QS-JAN"])
def test_frequency_is_inferred_when_missing(freq):
    dates = pd.date_range("2024-01-01", periods=6, freq=freq)
    bare = pd.DatetimeIndex(list(dates))  # the same timestamps without freq
    assert bare.freq is None
    result = regularize_index(bare)
    assert result.freqstr == dates.freqstr
    assert (result == dates).all()


# Only fixed-length steps: two month starts 31 days apart are ambiguous by nature.
@pytest.mark.parametrize("freq", ["h", "D", "W-SUN", "15min"])
def test_two_timestamps_get_the_same_freq_as_more(freq):
    two = pd.DatetimeIndex(list(pd.date_range("2024-01-01", periods=2, freq=freq)))
    assert regularize_index(two).freqstr == pd.date_range("2024-01-01", periods=2, freq=freq).freqstr


def test_existing_freq_and_time_zone_are_kept():
    dates = pd.date_range("2024-03-30", periods=48, freq="h", tz="Europe/Paris")  # crosses DST
    result = regularize_index(dates)
    assert result.freqstr == "h" and str(result.tz) == "Europe/Paris"


def test_one_timestamp_has_no_frequency():
    with pytest.raises(InsufficientDataError, match=r"y has 1 timestamp\(s\); at least 2"):
        regularize_index(pd.DatetimeIndex(["2024-01-01"]))


def test_empty_index_raises():
    with pytest.raises(InsufficientDataError, match="empty"):
        regularize_index(pd.DatetimeIndex([]), "data")


def test_unsorted_index_names_the_pair():
    index = pd.DatetimeIndex(["2024-01-01", "2024-01-03", "2024-01-02", "2024-01-04"])
    with pytest.raises(InvalidInputError) as info:
        regularize_index(index, "train")
    message = str(info.value)
    assert "train" in message and "unsorted" in message
    assert "2024-01-03 00:00:00 is followed by 2024-01-02 00:00:00" in message


def test_duplicated_index_names_the_timestamp():
    index = pd.DatetimeIndex(["2024-01-01", "2024-01-02", "2024-01-02", "2024-01-03"])
    with pytest.raises(InvalidInputError, match=r"y has duplicated timestamps: \[2024-01-02 00:00:00\]"):
        regularize_index(index)


@pytest.mark.parametrize("position", [0, 1, 3])
def test_missing_timestamps_are_reported_as_such(position):
    values = ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"]
    values[position] = None
    with pytest.raises(InvalidInputError, match=rf"missing timestamp.*NaT.*\[{position}\]"):
        regularize_index(pd.DatetimeIndex(values))


def test_irregular_datetime_index_names_the_steps():
    index = pd.DatetimeIndex(["2024-01-01 00:00", "2024-01-01 01:00", "2024-01-01 03:00", "2024-01-01 04:00"])
    with pytest.raises(InvalidInputError) as info:
        regularize_index(index, "y")
    message = str(info.value)
    assert "irregular DatetimeIndex" in message and "0 days 01:00:00" in message and "0 days 02:00:00" in message
    assert "asfreq" in message


def test_mixed_time_zones_raise_type_error():
    index = pd.Index([pd.Timestamp("2024-01-01", tz="UTC"), pd.Timestamp("2024-01-01 02:00", tz="Asia/Tokyo"),
                      pd.Timestamp("2024-01-01 02:00", tz="UTC")])
    assert index.dtype == object
    with pytest.raises(InputTypeError, match="mixed time zones") as info:
        regularize_index(index)
    assert "Timestamp" in str(info.value)


@pytest.mark.parametrize("index", [pd.Index(["a", "b", "c"]), pd.Index([0.0, 1.0, 2.0])])
def test_non_time_index_raises_type_error(index):
    with pytest.raises(InputTypeError, match=f"dtype {index.dtype}") as info:
        regularize_index(index)
    assert "time zones" not in str(info.value)  # the hint is only for timestamps


@pytest.mark.parametrize(
    ("values", "expected"),
    [([3, 5, 7, 9], pd.RangeIndex(3, 11, 2)), ([7], pd.RangeIndex(7, 8)), ([0, 1, 2], pd.RangeIndex(3))],
)
def test_regular_integer_time_becomes_a_range(values, expected):
    result = regularize_index(pd.Index(values))
    assert isinstance(result, pd.RangeIndex) and result.equals(expected) and result.step == expected.step


def test_range_index_is_returned_as_is():
    index = pd.RangeIndex(10, 20)
    assert regularize_index(index) is index


@pytest.mark.parametrize(
    ("values", "error", "word"),
    [([0, 1, 3], InvalidInputError, "irregular integer"), ([0, 2, 1], InvalidInputError, "unsorted"),
     ([0, 1, 1], InvalidInputError, "duplicated")],
)
def test_bad_integer_time(values, error, word):
    with pytest.raises(error, match=word):
        regularize_index(pd.Index(values, dtype=np.int64))


def test_future_index_of_dates_continues_the_frequency():
    index = pd.date_range("2024-01-01", periods=3, freq="MS", name="ds")
    future = future_index(index, 2)
    assert list(future) == [pd.Timestamp("2024-04-01"), pd.Timestamp("2024-05-01")]
    assert future.freqstr == "MS" and future.name == "ds"


def test_future_index_of_month_ends():
    index = regularize_index(pd.DatetimeIndex(["2024-01-31", "2024-02-29", "2024-03-31"]))
    assert list(future_index(index, 2)) == [pd.Timestamp("2024-04-30"), pd.Timestamp("2024-05-31")]


def test_future_index_of_integer_time_keeps_the_step():
    future = future_index(pd.RangeIndex(0, 10, 2, name="t"), 3)
    assert list(future) == [10, 12, 14] and future.name == "t"


def test_future_index_keeps_the_time_zone():
    index = pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC")
    assert str(future_index(index, 1).tz) == "UTC"


@pytest.mark.parametrize(
    "freq, season",
    [("h", 24), ("30min", 48), ("15min", 96), ("2h", 12), ("5min", 12), ("min", 60), ("s", 1), ("D", 7),
     ("2D", 1), ("B", 5), ("W-SUN", 52), ("2W-SUN", 26), ("MS", 12), ("ME", 12), ("3MS", 4), ("QS-JAN", 4),
     ("YS", 1), (None, 1), ("not a frequency", 1)],
)
def test_season_length_of_freq(freq, season):
    assert season_length_of_freq(freq) == season


@pytest.mark.parametrize("stamps, expected", [
    (["2024-01-31", "2024-02-29"], "ME"),  # pandas: business month ends ('BME'), forecasting 2024-03-29
    (["2024-04-01", "2024-05-01"], "MS"),  # pandas: '30D'
    (["2024-03-31", "2024-06-30"], "QE-DEC"),
    (["2024-02-01", "2024-05-01"], "QS-FEB"),
    (["2022-12-31", "2023-12-31"], "YE-DEC"),
    (["2024-03-01", "2025-03-01"], "YS-MAR"),
    (["2024-03-01", "2024-03-04"], "B"),  # Friday then Monday
    (["2024-03-04", "2024-03-05"], "D"),
    (["2024-03-03", "2024-03-10"], "W-SUN"),
])
def test_two_timestamps_read_as_the_calendar_step_they_are(stamps, expected):
    index = regularize_index(pd.DatetimeIndex(stamps))
    assert index.freqstr == expected
    assert future_index(index, 1)[0] == pd.Timestamp(stamps[1]) + index.freq


def test_the_repair_hint_of_business_days_with_a_gap_is_business_days():
    """Runs of Monday to Wednesday read as daily: the hint said data.asfreq('D'), which
    would insert every weekend as rows for fill= to invent."""
    days = pd.bdate_range("2024-01-01", periods=60).delete(17)
    with pytest.raises(InvalidInputError, match=r"data\.asfreq\('B'\)"):
        regularize_index(days)


#: Timestamps without a frequency pandas infers (read from a file), each with a gap.
_WITHOUT_FREQ = {
    "semi-month starts": pd.date_range("2024-01-01", periods=30, freq="SMS").delete(5),
    "semi-month ends": pd.date_range("2024-01-15", periods=30, freq="SME").delete(5),
    "every second business day": pd.bdate_range("2024-01-01", periods=60)[::2].delete(4),
    "monthly on the 15th": pd.date_range("2022-01-15", periods=30, freq=pd.DateOffset(months=1)).delete(5),
}


def _hinted_freq(index: pd.DatetimeIndex):
    with pytest.raises(InvalidInputError, match="irregular DatetimeIndex") as error:
        regularize_index(pd.DatetimeIndex(index.astype(str)))
    found = re.search(r"data\.asfreq\('([^']+)'\)", str(error.value))
    return (found.group(1) if found else None), str(error.value)


@pytest.mark.parametrize("label", list(_WITHOUT_FREQ))
def test_the_repair_hint_names_a_grid_that_keeps_every_timestamp(label):
    """The hint fell back to the step most runs of three have: '31D' for monthly data on the
    15th (asfreq kept 2 of 30 rows), '2W-TUE' for semi-months, '2D' (every weekend inserted)
    for every second business day."""
    index = _WITHOUT_FREQ[label]
    freq, message = _hinted_freq(index)
    if freq is None:  # no grid pandas names holds them: the message says so
        assert "holds every timestamp" in message
        return
    following = pd.Series(np.arange(len(index), dtype=float), index=index).asfreq(freq)
    assert following.notna().sum() == len(index)  # following the hint loses no observation
    grid = pd.date_range(index[0], index[-1], freq=freq)
    assert len(grid) - len(index) == 1  # and inserts only the one missing step, no weekend or mid-month


def test_no_grid_is_hinted_where_none_holds_the_timestamps():
    freq, message = _hinted_freq(_WITHOUT_FREQ["monthly on the 15th"])
    assert freq is None and "no frequency pandas names has a grid that holds every timestamp" in message


@pytest.mark.parametrize(("written", "call"), [
    ("%Y-%m-%d", "pd.to_datetime(data.index)"),
    ("%d/%m/%Y", "pd.to_datetime(data.index, dayfirst=True)"),  # before: not taken for dates, no hint
    ("%d.%m.%Y", "pd.to_datetime(data.index, dayfirst=True)"),
])
def test_an_index_of_dates_as_text_is_named_with_the_call_that_reads_it(written, call):
    days = pd.date_range("2024-01-01", periods=40, freq="D")
    text = pd.Index(list(days.strftime(written)), dtype=object)
    assert reads_as_dates(text)
    with pytest.raises(InputTypeError, match="They read as dates") as error:
        regularize_index(text)
    assert f"(data.index = {call})" in str(error.value)
    data = pd.Series(np.arange(40.0), index=text)
    data.index = eval(call)  # what the message says to do reads them all, day first where they are
    assert data.index.equals(pd.DatetimeIndex(days))


def test_a_bad_date_is_named_by_its_row_as_a_plain_number():
    from tsforecast.baselines import Naive

    days = pd.date_range("2024-01-01", periods=40, freq="D")
    long = pd.DataFrame({"unique_id": "a", "ds": list(days.strftime("%d/%m/%Y")), "y": np.arange(40.0)},
                        index=pd.Index(np.arange(40, dtype=np.int64)))  # an index of NumPy integers
    with pytest.raises(InvalidInputError, match="dayfirst=True") as error:
        Naive().fit(long)
    assert "'13/01/2024' in row 12 (" in str(error.value)  # before: 'in row np.int64(12)'


@pytest.mark.parametrize("others", [0, 1])  # the one (longest) series, and a series beside a longer one
def test_the_repair_hint_for_a_long_frame_resamples_per_series(others):
    """The longest series and a series of another step were checked as single series: the
    hint said data.asfreq('B'), which fails on a long frame's repeated timestamps."""
    from tsforecast.baselines import Naive

    days = pd.bdate_range("2024-01-01", periods=30)
    gap = pd.DataFrame({"unique_id": "a", "ds": days.delete(7), "y": np.arange(29.0)})
    whole = [pd.DataFrame({"unique_id": "b", "ds": days.append(days[-1:] + pd.offsets.BDay()), "y": np.arange(31.0)})]
    with pytest.raises(InvalidInputError, match=r"y\['a'\] has an irregular") as error:
        Naive().fit(pd.concat(whole * others + [gap]))
    assert "data.asfreq('B') per series (or the CLI's --freq)" in str(error.value)


@pytest.mark.parametrize("freq", ["SMS", "SME", "2B"])
def test_a_long_frame_on_a_grid_pandas_does_not_infer_is_regular(freq):
    """Semi-months and every second business day are regular, but pandas infers no
    frequency from their timestamps: a long frame (which carries no freq) was refused and
    told to resample to the very grid it was on. A gap is still refused, naming the grid."""
    from tsforecast import backtest
    from tsforecast.baselines import Naive

    ds = pd.date_range("2022-01-03", periods=48, freq=freq)
    long = pd.concat([pd.DataFrame({"unique_id": k, "ds": ds.astype(str), "y": np.arange(48.0)}) for k in "ab"])
    result = backtest(Naive(), long, horizon=3, cv=2, progress=False)
    expected = pd.date_range(ds[-6], periods=6, freq=freq)
    assert list(result.forecasts.loc[result.forecasts["unique_id"] == "a", "ds"]) == list(expected)
    with pytest.raises(InvalidInputError, match=re.escape(f"data.asfreq({freq!r}) per series")):
        backtest(Naive(), long.drop(index=[5]), horizon=3, cv=2, progress=False)
