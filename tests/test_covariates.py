"""Tests of tsforecast.core.covariates: X aligned to the series of a panel, vectorised.

The identity test compares WindowForecaster forecasts with covariates against those the
per-series pandas pipeline made before (``tests/data/covariate_forecasts.json``, written
by ``tests/data/make_covariate_forecasts.py`` with that code).
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforecast.core.covariates import align_covariates, future_values
from tsforecast.core.panel import as_panel
from tsforecast.exceptions import InsufficientDataError, InvalidInputError, UnknownColumnError

DATA = Path(__file__).parent / "data"


def _script():
    spec = importlib.util.spec_from_file_location("make_covariate_forecasts", DATA / "make_covariate_forecasts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_forecasts_with_covariates_equal_those_of_the_per_series_pipeline():
    expected = json.loads((DATA / "covariate_forecasts.json").read_text())
    got = {name: forecast for name, forecast in _script().cases()}
    assert sorted(got) == sorted(expected)
    for name, forecast in got.items():
        series = forecast.items() if isinstance(forecast, dict) else [("series", forecast)]
        for key, values in series:
            np.testing.assert_allclose(np.asarray(values, dtype=float), expected[name][str(key)], rtol=0,
                                       atol=1e-12, err_msg=f"{name} {key}")


def _panel(freq, lengths=(20, 13), offset=0):
    frames = {}
    for i, n in enumerate(lengths):
        index = pd.RangeIndex(offset + 2 * i, offset + 2 * i + n) if freq is None else \
            pd.date_range(pd.Timestamp(f"2022-0{1 + i}-01") + offset * pd.tseries.frequencies.to_offset(freq),
                          periods=n, freq=freq)
        frames[f"s{i}"] = pd.DataFrame({"x": np.arange(n) + 100.0 * i}, index=index)
    return frames


@pytest.mark.parametrize("freq", ["h", "MS", None])
def test_aligned_rows_are_those_of_a_pandas_reindex(freq):
    # X starts 3 steps before y and runs 4 steps past it: each row of y gets X's row at
    # the same timestamp; the calendar frequency (MS) takes the per-series path.
    X = _panel(freq, lengths=(27, 20))
    y = {k: pd.Series(1.0, index=x.index[3:-4], name="y") for k, x in X.items()}
    panel = align_covariates(as_panel(y), X)
    assert panel.covariate_columns == ["x"]
    for i, key in enumerate(y):
        expected = X[key]["x"].reindex(y[key].index).to_numpy()
        np.testing.assert_array_equal(panel.covariates[panel.starts[i] : panel.ends[i], 0], expected)


@pytest.mark.parametrize("freq", ["h", "MS", None])
def test_future_values_take_the_forecast_steps_and_repeat_the_last(freq):
    X = _panel(freq, lengths=(27, 20))
    y = {k: pd.Series(1.0, index=x.index[:-4], name="y") for k, x in X.items()}
    panel = as_panel(y)
    ids = panel.ids
    out = future_values(X, panel.time, ids, panel.lengths, ["x"], horizon=4, steps=6)
    for i, key in enumerate(y):
        tail = X[key]["x"].to_numpy()[-4:]
        np.testing.assert_array_equal(out[i, :, 0], np.r_[tail, tail[-1], tail[-1]])
    with pytest.raises(InsufficientDataError, match=r"X\['s0'\] lacks 1 of the 5 forecast timestamps") as lacking:
        future_values(X, panel.time, ids, panel.lengths, ["x"], horizon=5, steps=6)
    facts = lacking.value.facts  # what the command line words again, without parsing the message
    assert (facts["stage"], facts["lacking"], facts["of"], facts["series"]) == ("forecast", 1, 5, "s0")
    assert len(facts["examples"]) == 1 and facts["examples"][0] in str(lacking.value)
    with pytest.raises(UnknownColumnError, match=r"X lacks the future covariate column\(s\) \['z'\]"):
        future_values(X, panel.time, ids, panel.lengths, ["z"], horizon=4, steps=4)
    with pytest.raises(InvalidInputError, match="X has no series 's1'") as raised:  # as in fit and update
        future_values({"s0": X["s0"]}, panel.time, ids, panel.lengths, ["x"], horizon=4, steps=4)
    assert type(raised.value) is InvalidInputError


def test_future_values_refuse_missing_values_in_the_forecast_steps_only():
    """A plan known for the horizon and blank after it was refused as a whole ("X
    contains 2 non-finite values"); a blank inside the horizon is named by step."""
    X = _panel("h", lengths=(27, 20))
    y = {k: pd.Series(1.0, index=x.index[:-6], name="y") for k, x in X.items()}
    panel = as_panel(y)
    for frame in X.values():
        frame.iloc[-2:, 0] = np.nan  # steps 5 and 6 of the forecast
    out = future_values(X, panel.time, panel.ids, panel.lengths, ["x"], horizon=4, steps=6)
    for i, key in enumerate(y):
        known = X[key]["x"].to_numpy()[-6:-2]
        np.testing.assert_array_equal(out[i, :, 0], np.r_[known, known[-1], known[-1]])
    X["s1"].iloc[-5, 0] = np.nan
    with pytest.raises(InvalidInputError, match=r"X holds 1 missing value\(s\).*column 'x' at step 2 of series 's1'"):
        future_values(X, panel.time, panel.ids, panel.lengths, ["x"], horizon=4, steps=6)


def test_a_forecaster_reads_its_future_covariates_for_the_horizon_only():
    from sklearn.linear_model import Ridge

    from tsforecast import WindowForecaster
    from tsforecast.baselines import AutoARIMA

    rng = np.random.default_rng(0)
    index = pd.date_range("2024-01-01", periods=60, freq="D")
    x = rng.normal(size=60)
    y = pd.Series(3 * x + 0.1 * rng.normal(size=60), index, name="y")
    X = pd.DataFrame({"x": x}, index)
    plan = pd.DataFrame({"x": [1.0, 2.0, 3.0, np.nan, np.nan]}, pd.date_range("2024-03-01", periods=5, freq="D"))
    for model in (WindowForecaster(Ridge(), n_steps_in=5, n_steps_out=3, future_covariates=["x"]),
                  AutoARIMA(future_covariates=["x"])):
        model.fit(y, X)
        np.testing.assert_allclose(model.predict(3, X=plan).to_numpy(), [3.0, 6.0, 9.0], atol=0.5)
        with pytest.raises(InvalidInputError, match="column 'x' at step 4; future covariates must be known"):
            model.predict(4, X=plan)


@pytest.mark.parametrize("freq", ["h", None])
def test_the_first_failing_series_is_named_as_series_by_series(freq):
    X = _panel(freq)
    y = {k: pd.Series(1.0, index=x.index, name="y") for k, x in X.items()}
    short = {"s0": X["s0"], "s1": X["s1"].iloc[2:]}
    with pytest.raises(InsufficientDataError, match=r"X\['s1'\] lacks 2 of the timestamps of y, for example"):
        align_covariates(as_panel(y), short)
    with pytest.raises(InvalidInputError, match="X has no series 's1'; it must give covariates for every series"):
        align_covariates(as_panel(y), {"s0": X["s0"]})
    with pytest.raises(InvalidInputError, match="X and y share column"):
        align_covariates(as_panel(y), {k: x.rename(columns={"x": "y"}) for k, x in X.items()})
    with pytest.raises(InvalidInputError, match="same form as y"):
        align_covariates(as_panel(y), X["s0"])


def test_off_grid_and_other_time_types_are_refused_by_name():
    y = pd.Series(1.0, index=pd.date_range("2022", periods=10, freq="h"), name="y")
    half_past = pd.DataFrame({"x": np.ones(12)}, index=pd.date_range("2022-01-01 00:30", periods=12, freq="h"))
    with pytest.raises(InsufficientDataError, match=r"X lacks 10 of the timestamps of y, for example \['2022-01-01"):
        align_covariates(as_panel(y), half_past)
    with pytest.raises(InvalidInputError, match="X is indexed by RangeIndex, y by DatetimeIndex"):
        align_covariates(as_panel(y), pd.DataFrame({"x": np.ones(10)}))


def test_cuts_of_a_panel_carry_its_covariates():
    X = _panel("h")
    y = {k: pd.Series(1.0, index=x.index, name="y") for k, x in X.items()}
    panel = align_covariates(as_panel(y), X)
    cut = panel.window(np.array([2]), np.array([9]), np.array([1]))
    np.testing.assert_array_equal(cut.covariates[cut.starts[0] : cut.ends[0], 0], X["s1"]["x"].to_numpy()[2:9])


def test_covariates_in_another_time_zone_are_named_as_such():
    """Every timestamp of y was 'missing' from X in UTC: the error listed three of them."""
    from tsforecast.baselines import ARIMA

    index = pd.date_range("2024-01-01", periods=40, freq="D")
    y = pd.Series(np.sin(np.arange(40.0)), index=index)
    X = pd.DataFrame({"x": np.arange(43.0)}, index=pd.date_range("2024-01-01", periods=43, freq="D", tz="UTC"))
    with pytest.raises(InvalidInputError, match=r"X's timestamps are in time zone UTC, y's in None"):
        ARIMA(order=(1, 0, 0)).fit(y, X)
    ARIMA(order=(1, 0, 0)).fit(y, X.tz_localize(None))


def _perturbed_after(X: dict, y: dict, value: float) -> dict:
    """``X`` with every value after the end of each series of ``y`` set to ``value``."""
    out = {}
    for key, frame in X.items():
        frame = frame.copy()
        frame.loc[frame.index > y[key].index[-1]] = value
        out[key] = frame
    return out


@pytest.mark.parametrize("freq", ["h", "MS", None])
def test_a_fill_repairs_x_from_its_rows_up_to_the_end_of_y_only(freq):
    """X was repaired as a whole before its rows were picked: a gap at the end of y was
    interpolated towards X's values after it, which are unknown at the forecast origin."""
    X = _panel(freq, lengths=(27, 20))
    y = {k: pd.Series(1.0, index=x.index[3:-4], name="y") for k, x in X.items()}
    X["s0"].iloc[-6:-4, 0] = np.nan  # the last two timestamps of y's first series
    X["s1"].iloc[1, 0] = np.nan  # before y: repaired from X's rows, never read
    for fill in ("interpolate", "ffill"):
        aligned = [align_covariates(as_panel(y), _perturbed_after(X, y, value), fill=fill).covariates
                   for value in (1e6, -1e6)]
        np.testing.assert_array_equal(aligned[0], aligned[1])
        cut = {k: x.loc[: y[k].index[-1]] for k, x in X.items()}
        np.testing.assert_array_equal(aligned[0], align_covariates(as_panel(y), cut, fill=fill).covariates)
        assert np.isfinite(aligned[0]).all()


def test_forecasts_do_not_read_a_past_covariate_after_the_origin_through_a_fill():
    from sklearn.linear_model import Ridge

    from tsforecast import WindowForecaster
    from tsforecast.baselines import ARIMA

    rng = np.random.default_rng(0)
    n = 60
    index = pd.date_range("2024-01-01", periods=n + 3, freq="D")
    X = pd.DataFrame({"z": rng.normal(size=n + 3), "x": rng.normal(size=n + 3)}, index=index)
    y = pd.Series(10 + X["z"].shift(1).fillna(0).iloc[:n] + X["x"].iloc[:n], index=index[:n], name="y")
    X.iloc[n - 1, 0] = np.nan  # z unobserved at the origin
    later = [X.copy(), X.copy()]
    later[0].iloc[n:, 0], later[1].iloc[n:, 0] = 100.0, -100.0

    def window():
        return WindowForecaster(Ridge(), n_steps_in=7, n_steps_out=3, covariates=["z"], future_covariates=["x"],
                                fill="interpolate")

    forecasts = [window().fit(y, Xl).predict(3, X[["x"]]) for Xl in later]
    pd.testing.assert_series_equal(forecasts[0], forecasts[1], check_exact=True)
    model = window().fit(y, X.iloc[:n])
    updated = [model.update(y, Xl).predict(3, X[["x"]]) for Xl in later]
    pd.testing.assert_series_equal(updated[0], updated[1], check_exact=True)
    # z as ARIMA's regressor: fit on either X, forecast with the same future values
    arima = [ARIMA(order=(1, 0, 0), fill="interpolate").fit(y, Xl[["z"]]).predict(3, X[["z"]]) for Xl in later]
    pd.testing.assert_series_equal(arima[0], arima[1], check_exact=True)


def test_fit_checks_x_on_the_timestamps_of_y_only():
    """A plan known a few steps ahead and blank after was refused by fit ("X contains 7
    non-finite value(s) ... pass fill='ffill'") though predict accepts the same X."""
    from sklearn.linear_model import Ridge

    from tsforecast import WindowForecaster
    from tsforecast.baselines import ARIMA, AutoARIMA

    rng = np.random.default_rng(0)
    n = 60
    index = pd.date_range("2024-01-01", periods=n + 10, freq="D")
    X = pd.DataFrame({"x": rng.normal(size=n + 10)}, index=index)
    y = pd.Series(5 + 3 * X["x"].iloc[:n] + rng.normal(0, 0.3, n), index=index[:n], name="y")
    X.iloc[n + 3 :] = np.nan  # known for 3 steps after y, blank after
    def window():
        return WindowForecaster(Ridge(), n_steps_in=7, n_steps_out=3, future_covariates=["x"])

    for make in (window, lambda: AutoARIMA(future_covariates=["x"]), lambda: ARIMA(order=(1, 0, 0))):
        expected = make().fit(y, X.iloc[:n]).predict(3, X)
        pd.testing.assert_series_equal(make().fit(y, X).predict(3, X), expected)
    pd.testing.assert_series_equal(window().fit(y, X.iloc[:n]).update(y, X).predict(3, X), window().fit(
        y, X.iloc[:n]).predict(3, X))
    X.iloc[5, 0] = np.inf  # a blank fit reads is refused, by column and timestamp
    with pytest.raises(InvalidInputError, match=r"X contains 1 non-finite value\(s\).*column 'x' at 2024-01-06"):
        window().fit(y, X)
    with pytest.raises(InvalidInputError, match=r"X contains 1 non-finite value\(s\).*column 'x' at 2024-01-06"):
        AutoARIMA(future_covariates=["x"]).fit(y, X)


def test_a_window_model_naming_its_covariates_reads_only_those_columns_of_x():
    """Named roles: a text column or an unused column with gaps was refused ("X has
    non-numeric column(s) {'note': 'str'} ..."), where ARIMA reads its named columns only."""
    from sklearn.linear_model import Ridge

    from tsforecast import WindowForecaster
    from tsforecast.exceptions import InputTypeError

    rng = np.random.default_rng(1)
    n = 60
    index = pd.date_range("2024-01-01", periods=n + 3, freq="D")
    X = pd.DataFrame({"z": rng.normal(size=n + 3), "x": rng.normal(size=n + 3)}, index=index)
    y = pd.Series(10 + X["z"].shift(1).fillna(0).iloc[:n] + X["x"].iloc[:n], index=index[:n], name="y")
    extra = X.assign(note="promo", w=np.where(np.arange(n + 3) % 5, 1.0, np.nan))

    def window(**roles):
        return WindowForecaster(Ridge(), n_steps_in=7, n_steps_out=3, **roles)

    for roles in ({"covariates": ["z"], "future_covariates": ["x"]}, {"covariates": [], "future_covariates": "x"}):
        expected = window(**roles).fit(y, X).predict(3, X)
        pd.testing.assert_series_equal(window(**roles).fit(y, extra).predict(3, extra), expected)
        pd.testing.assert_series_equal(window(**roles).fit(y, X).update(y, extra).predict(3, extra), expected)
    with pytest.raises(InputTypeError, match=r"X has non-numeric column\(s\) \{'note'"):  # every other column
        window(future_covariates=["x"]).fit(y, extra)
