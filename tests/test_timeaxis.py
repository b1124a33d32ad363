"""Tests of tsforecast.core.timeaxis and tsforecast.core.offsets: forecasts continue on the
very offset attached to the data, settings its name leaves out included."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from pandas.tseries.holiday import USFederalHolidayCalendar

import tsforecast as tsf
from tsforecast.baselines import Naive
from tsforecast.core.offsets import offset_of, offset_settings
from tsforecast.exceptions import InvalidInputError

US_BUSINESS_DAY = pd.offsets.CustomBusinessDay(calendar=USFederalHolidayCalendar())

#: Offsets whose name (freqstr) reads back as another offset, or not at all.
OFFSETS = {
    "US business days": pd.date_range("2024-01-02", periods=20, freq=US_BUSINESS_DAY),
    "Sunday to Thursday": pd.bdate_range("2024-01-07", periods=20, freq="C", weekmask="Sun Mon Tue Wed Thu"),
    "Week() on Wednesdays": pd.date_range("2024-01-03", periods=10, freq=pd.offsets.Week()),
    "Week() in UTC": pd.date_range("2024-01-03", periods=10, freq=pd.offsets.Week(), tz="UTC"),
    "DateOffset(months=1)": pd.date_range("2022-01-15", periods=30, freq=pd.DateOffset(months=1)),
    "business hours from 8": pd.date_range("2024-01-05 08:00", periods=30, freq=pd.offsets.BusinessHour(start="08:00")),
}


def _following(index: pd.DatetimeIndex, horizon: int) -> pd.DatetimeIndex:
    return pd.date_range(index[-1], periods=horizon + 1, freq=index.freq)[1:]


@pytest.mark.parametrize("label", list(OFFSETS))
def test_a_forecast_continues_with_the_offset_attached_to_the_data(label):
    index = OFFSETS[label]
    forecast = Naive().fit(pd.Series(np.arange(len(index), dtype=float), index=index)).predict(3)
    assert list(forecast.index) == list(_following(index, 3))


@pytest.mark.parametrize("label", ["US business days", "Sunday to Thursday"])
def test_each_series_of_a_dict_continues_with_its_offset(label):
    index = OFFSETS[label]
    data = {"a": pd.Series(np.arange(20.0), index=index), "b": pd.Series(np.arange(12.0), index=index[:12])}
    forecast = Naive().fit(data).predict(2)
    assert list(forecast["a"].index) == list(_following(index, 2))
    assert list(forecast["b"].index) == list(_following(index[:12], 2))


def test_a_backtest_on_a_weekmask_labels_its_cutoffs_and_dates_on_that_weekmask():
    index = OFFSETS["Sunday to Thursday"]
    result = tsf.backtest(Naive(), pd.Series(np.arange(20.0), index=index, name="y"), horizon=2, cv=2,
                          progress=False)
    on_grid = set(index)
    assert set(result.forecasts["ds"]) <= on_grid and set(result.forecasts["cutoff"]) <= on_grid
    assert (result.forecasts["ds"] > result.forecasts["cutoff"]).all()


@pytest.mark.parametrize("form", ["series", "mixed dict"])
def test_a_saved_model_keeps_the_holidays_of_its_offset(form, tmp_path):
    index = OFFSETS["US business days"]
    y = pd.Series(np.arange(20.0), index=index)
    # a dict whose series differ in frequency keeps each series' own index
    data = y if form == "series" else {"a": y, "b": pd.Series(np.arange(9.0), index=pd.date_range("2024-01-01",
                                                                                               periods=9))}
    model = Naive().fit(data)
    tsf.save(model, tmp_path / "model.zip")
    loaded = tsf.load(tmp_path / "model.zip").predict(3)
    loaded = loaded if form == "series" else loaded["a"]
    assert list(loaded.index) == list(_following(index, 3))


def test_an_offset_pandas_cannot_rebuild_is_refused_at_fit_naming_it():
    class Fortnight(pd.offsets.Week):  # a user's own class: not one a model file may name
        pass

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        index = pd.date_range("2024-01-03", periods=10, freq=pd.offsets.Week(weekday=2))
        index = pd.DatetimeIndex(index, freq=Fortnight(weekday=2))
    with pytest.raises(InvalidInputError, match=r"y has frequency .*cannot keep"):
        Naive().fit(pd.Series(np.arange(10.0), index=index))


@pytest.mark.parametrize("offset", [pd.offsets.MonthBegin(), pd.offsets.Week(weekday=2), pd.offsets.Hour(24),
                                    pd.offsets.BusinessDay()])
def test_an_offset_named_in_full_keeps_no_settings(offset):
    assert offset_settings(offset) is None
    assert offset_of(offset.freqstr) == offset


@pytest.mark.parametrize("label", list(OFFSETS))
def test_settings_rebuild_the_offset_and_are_plain_values(label):
    offset = OFFSETS[label].freq
    settings = offset_settings(offset)
    assert settings is not None and offset_of(offset.freqstr, settings) == offset
    hash(settings)  # comparable and usable as a cache key

    def plain(value):
        return value is None or isinstance(value, (bool, int, float, str)) or (
            isinstance(value, tuple) and all(plain(v) for v in value))

    assert plain(settings)


@pytest.mark.parametrize(("months", "season"), [(1, 12), (3, 4)])
def test_a_keyword_offset_gets_the_season_of_its_named_twin(months, season):
    """DateOffset(months=1) data forecast on its own grid but got season 1: the season rule
    read its name '<DateOffset: months=1>', which names no frequency; 'MS' gets 12."""
    from tsforecast import backtest
    from tsforecast.baselines import SeasonalNaive

    index = pd.date_range("2020-01-15", periods=60, freq=pd.DateOffset(months=months))
    y = pd.Series(np.arange(60.0) % season, index=index)
    result = backtest(SeasonalNaive(season), y, horizon=2, cv=1, progress=False)
    assert result.info["season_length"] == season  # MASE's scale: the seasonal differences, all 0 here
    assert not np.isfinite(result.metrics["mase"]).any()
