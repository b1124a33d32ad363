"""Intermittent-demand models against statsforecast's forecasts on the same data.

``tests/data/intermittent_statsforecast.json`` holds a seeded synthetic panel and the
forecasts statsforecast gave on it (written by ``benchmarks/intermittent_reference.py``
in the benchmark venv), so these tests need no statsforecast.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforecast import baselines
from tsforecast.exceptions import FallbackWarning, InvalidParameterError

REFERENCE = json.loads((Path(__file__).parent / "data" / "intermittent_statsforecast.json").read_text())
MODELS = {"Croston": baselines.Croston, "CrostonSBA": baselines.CrostonSBA, "ADIDA": baselines.ADIDA,
          "IMAPA": baselines.IMAPA,
          **{f"TSB({a}, {p})": (lambda a=a, p=p: baselines.TSB(alpha_d=a, alpha_p=p))
             for a, p in REFERENCE["tsb_settings"]}}


def reference_panel() -> pd.DataFrame:
    frames = [pd.DataFrame({"unique_id": key, "ds": np.arange(len(values)), "y": values})
              for key, values in REFERENCE["panel"].items()]
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("name", list(MODELS))
def test_panel_forecasts_equal_statsforecast(name):
    forecast = MODELS[name]().fit(reference_panel()).predict(3)
    ours = forecast.groupby("unique_id", sort=False)["y"]
    expected = REFERENCE["forecasts"][name]
    assert set(ours.groups) == set(expected)
    for key, values in ours:
        np.testing.assert_allclose(values.to_numpy(), np.full(3, expected[key]), rtol=1e-6, atol=1e-9,
                                   err_msg=f"{name} on series {key!r}")


@pytest.mark.parametrize("name", list(MODELS))
def test_a_series_alone_gets_its_panel_forecast(name):
    values = REFERENCE["panel"]["s07"]
    alone = MODELS[name]().fit(pd.Series(values)).predict(2)
    np.testing.assert_allclose(alone.to_numpy(), REFERENCE["forecasts"][name]["s07"], rtol=1e-6)


def test_sba_is_croston_times_095():
    y = pd.Series(REFERENCE["panel"]["s03"])
    np.testing.assert_allclose(baselines.CrostonSBA().fit(y).predict(1).to_numpy(),
                               0.95 * baselines.Croston().fit(y).predict(1).to_numpy())


def test_tsb_decays_while_demand_is_absent():
    demand = [0.0, 5.0, 0.0, 4.0, 6.0, 0.0, 5.0]
    before = baselines.TSB(alpha_d=0.2, alpha_p=0.2).fit(pd.Series(demand)).predict(1).iloc[0]
    after = baselines.TSB(alpha_d=0.2, alpha_p=0.2).fit(pd.Series(demand + [0.0] * 5)).predict(1).iloc[0]
    assert 0 < after < before
    # Croston ignores the zeros after the last demand: the same forecast.
    assert (baselines.Croston().fit(pd.Series(demand)).predict(1).iloc[0]
            == baselines.Croston().fit(pd.Series(demand + [0.0] * 5)).predict(1).iloc[0])


@pytest.mark.parametrize("name", ["Croston", "CrostonSBA", "ADIDA", "IMAPA", "TSB"])
def test_negative_series_falls_back_to_naive_with_a_warning(name):
    y = pd.Series([0.0, 3.0, -1.0, 0.0, 2.0, 0.0, -4.0])
    with pytest.warns(FallbackWarning, match=r"'series'.*negative value.*Naive"):
        forecast = getattr(baselines, name)().fit(y).predict(2)
    np.testing.assert_array_equal(forecast.to_numpy(), [-4.0, -4.0])


@pytest.mark.parametrize("argument, value", [("alpha_d", 1.5), ("alpha_p", -0.1)])
def test_tsb_refuses_smoothing_parameters_outside_0_1(argument, value):
    with pytest.raises(InvalidParameterError, match=rf"{argument}.*{value}"):
        baselines.TSB(**{argument: value}).fit(pd.Series([0.0, 1.0, 0.0]))


def test_intervals_come_from_conformal_calibration():
    import tsforecast as tsf

    rng = np.random.default_rng(0)
    y = pd.Series(rng.poisson(0.4, 200).astype(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = tsf.ConformalIntervals(baselines.Croston(), levels=(80,), horizon=4, n_windows=10).fit(y)
        bands = model.predict_interval(4)
    assert (bands.iloc[:, 0] <= bands.iloc[:, -1]).all() and bands.shape[0] == 4


@pytest.mark.parametrize("name", ["Croston", "CrostonSBA", "TSB", "ADIDA", "IMAPA"])
def test_conformal_bands_of_demand_stay_at_or_above_zero(name):
    """Point -/+ a conformal width put lo_80 below 0 on nearly every intermittent series
    (demand cannot be negative); clipped there, on series whose values were all >= 0."""
    import tsforecast as tsf
    from tsforecast import baselines

    rng = np.random.default_rng(0)
    demand = np.where(rng.random(200) < 0.8, 0.0, rng.integers(1, 4, 200).astype(float))
    index = pd.date_range("2024-01-01", periods=200, freq="D")
    data = {"demand": pd.Series(demand, index=index), "signed": pd.Series(np.r_[demand[:-1], -1.0], index=index)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 'signed' falls back to Naive, and says so
        model = getattr(baselines, name)().fit(data)
        bands = model.predict_interval(3, n_windows=40)
        wrapped = tsf.ConformalIntervals(getattr(baselines, name)(), levels=(80, 95), horizon=3,
                                         n_windows=40).fit(data).predict_interval(3)
    for out in (bands, wrapped):
        assert (out["demand"][["lo_80", "lo_95"]] >= 0).all().all() and (out["demand"]["lo_95"] == 0).any()
        assert (out["demand"]["hi_95"] > out["demand"]["hi_80"]).all()
        assert (out["signed"]["lo_95"] < 0).all()  # a series with a negative value is not clipped


def test_a_pooled_interval_of_an_all_zero_series_has_width_zero_without_a_warning():
    """Scores of a series that never sold are 0/0: the pooled quantile is NaN, and NaN
    times the series' zero scale raised numpy's 'invalid value encountered in multiply'
    (printed raw by the CLI). The width of a series whose errors were all zero is zero."""
    import tsforecast as tsf

    y = pd.Series(0.0, index=pd.date_range("2024-01-01", periods=40, freq="D"), name="y")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)  # too few windows for 95%: pooled, and said
        warnings.simplefilter("error", RuntimeWarning)
        bands = tsf.ConformalIntervals(baselines.Croston(), levels=(80, 95), horizon=3, n_windows=10).fit(
            y).predict_interval(3)
    assert (bands.to_numpy() == 0.0).all()
