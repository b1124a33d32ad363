"""update keeps a model whole: a refused update changes nothing, and the frequency it
takes is fit's. Failed backtest tasks are tried again on resume."""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge

from tsforecast import Combination, WindowForecaster, backtest
from tsforecast.exceptions import InputTypeError, InsufficientDataError, InvalidInputError


@pytest.fixture
def daily() -> pd.Series:
    return pd.Series(np.sin(np.arange(80) / 4) + 3, index=pd.date_range("2024", periods=80, freq="D"), name="v")


def test_a_refused_combination_update_leaves_every_member_as_it_was(daily):
    combination = Combination([WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4),
                               WindowForecaster(Ridge(), n_steps_in=20, n_steps_out=4)]).fit(daily.iloc[:60])
    before = combination.predict(4)
    with pytest.raises(InsufficientDataError):
        combination.update(daily.iloc[-12:])  # long enough for the first member only
    pd.testing.assert_series_equal(combination.predict(4), before)


def test_update_takes_the_frequency_of_fit_after_any_update(daily):
    model = WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4).fit(daily)
    monthly = daily.set_axis(pd.date_range("2000", periods=80, freq="MS"))
    with pytest.raises(InvalidInputError, match="fitted on data of frequency 'D'"):
        model.update(monthly)
    model.update(pd.Series(daily.to_numpy(), name="v"))  # integer time: no frequency to compare (a global model)
    with pytest.raises(InvalidInputError, match="fitted on data of frequency 'D'"):
        model.update(monthly)  # still fit's frequency: the integer-time update let any dates through after it


@pytest.mark.parametrize(("freq", "start"), [("QE-MAR", "2000-03-31"), ("QS-APR", "2000-04-01"), ("24h", "2000-01-01")])
def test_update_takes_the_same_dates_under_another_name_of_their_frequency(freq, start):
    """Dates read back from text infer another name for the same grid ('QE-DEC' for
    quarters ending in March, 'QS-JAN', 'D' for '24h'): update refused them."""
    dates = pd.date_range(start, periods=40, freq=freq)
    y = pd.Series(np.sin(np.arange(40) / 3) + 3, index=dates, name="v")
    model = WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4).fit(y)
    fitted = model.predict(4)
    model.update(y.set_axis(pd.DatetimeIndex(dates.astype(str))))  # the same dates, re-read from text
    pd.testing.assert_series_equal(model.predict(4), fitted, check_freq=False)
    assert list(model.predict(4).index) == list(pd.date_range(dates[-1], periods=5, freq=freq)[1:])


def test_update_still_refuses_dates_off_the_fitted_grid():
    sundays = pd.date_range("2000-01-02", periods=40, freq="W-SUN")
    model = WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4).fit(pd.Series(np.arange(40.0), index=sundays))
    with pytest.raises(InvalidInputError, match="fitted on data of frequency 'W-SUN'.*not on that grid"):
        model.update(pd.Series(np.arange(40.0), index=sundays + pd.Timedelta(days=1)))  # Mondays


class _FailsWhenAsked(RegressorMixin, BaseEstimator):
    """Ridge whose fit raises while the environment variable ``TSF_TEST_FAIL`` is set."""

    def fit(self, X, y):
        if os.environ.get("TSF_TEST_FAIL"):
            raise MemoryError("out of memory (simulated)")
        self.model_ = Ridge().fit(X, y)
        return self

    def predict(self, X):
        return self.model_.predict(X)


def test_a_failed_task_is_tried_again_when_the_backtest_resumes(daily, tmp_path, monkeypatch):
    models = {"flaky": WindowForecaster(_FailsWhenAsked(), n_steps_in=8, n_steps_out=4),
              "steady": WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4)}
    monkeypatch.setenv("TSF_TEST_FAIL", "1")
    failed = backtest(models, daily, horizon=4, cv=3, checkpoint_dir=tmp_path, progress=False)
    assert len(failed.errors) == 3
    monkeypatch.delenv("TSF_TEST_FAIL")
    resumed = backtest(models, daily, horizon=4, cv=3, checkpoint_dir=tmp_path, progress=False)
    assert resumed.errors.empty and resumed.info["n_tasks_resumed"] >= 1
    fresh = backtest(models, daily, horizon=4, cv=3, progress=False)
    pd.testing.assert_frame_equal(resumed.forecasts, fresh.forecasts)


@pytest.mark.parametrize("value", [None, 2.0, "2"])
def test_a_refit_cadence_of_the_wrong_type_names_every_accepted_form(daily, value):
    with pytest.raises(InputTypeError, match="refit must be True, False or a positive integer"):
        backtest(WindowForecaster(Ridge(), n_steps_in=8), daily, horizon=4, cv=2, refit=value, progress=False)
