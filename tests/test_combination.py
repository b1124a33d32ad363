"""Combination: weighted mean / median of member forecasts (tsforecast/forecasters/combination.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

import tsforecast as tsf
from tsforecast.baselines import Damped, Drift, Naive, Theta
from tsforecast.exceptions import InputTypeError, InvalidInputError, InvalidParameterError


def series(length: int = 40, seed: int = 0, start: float = 10.0) -> pd.Series:
    rng = np.random.default_rng(seed)
    values = start + 0.1 * np.arange(length) + rng.normal(0, 0.5, length)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=length, freq="W"), name="y")


def panel() -> pd.DataFrame:
    parts = {"a": series(40, 1), "b": series(30, 2, start=50.0), "c": series(35, 3, start=5.0)}
    return pd.concat(parts, names=["unique_id", "ds"]).reset_index()


def window() -> tsf.WindowForecaster:
    return tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=8, n_steps_out=4)


@pytest.mark.parametrize("data", [series(), panel()], ids=["series", "panel"])
def test_weighted_mean_is_the_weighted_mean_of_the_members(data):
    members = [window(), Damped(), Theta()]
    model = tsf.Combination(members, weights=[2.0, 1.0, 1.0]).fit(data)
    own = [m.fit(data).predict(4) for m in members]
    column = "y"
    expected = 0.5 * own[0][column] if isinstance(data, pd.DataFrame) else 0.5 * own[0]
    for part in own[1:]:
        expected = expected + 0.25 * (part[column] if isinstance(data, pd.DataFrame) else part)
    got = model.predict(4)
    got = got[column] if isinstance(got, pd.DataFrame) else got
    np.testing.assert_allclose(got.to_numpy(), expected.to_numpy())
    np.testing.assert_allclose(model.weights_, [0.5, 0.25, 0.25])


def test_median_and_equal_weights():
    y = pd.Series(np.arange(30.0), index=pd.RangeIndex(30), name="y")
    members = [Naive(), Drift(), Naive()]
    assert tsf.Combination(members, method="median").fit(y).predict(2).tolist() == [29.0, 29.0]
    np.testing.assert_allclose(tsf.Combination(members).fit(y).predict(2).to_numpy(), [29 + 1 / 3, 29 + 2 / 3])


def test_default_horizon_is_the_window_members_and_forecasts_are_indexed_by_the_future():
    y = series()
    model = tsf.Combination([Theta(), window()]).fit(y)
    forecast = model.predict()
    assert len(forecast) == 4 and forecast.index[0] == y.index[-1] + y.index.freq
    with pytest.raises(InvalidParameterError, match="horizon"):
        tsf.Combination([Theta()]).fit(y).predict()


def test_capabilities_follow_the_members():
    assert tsf.Combination([window(), Theta()]).fits_globally
    assert not tsf.Combination([Naive(), Theta()]).fits_globally
    assert not tsf.Combination([Naive()]).supports_quantiles


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"forecasters": []}, InvalidParameterError, "at least one"),
        ({"forecasters": Naive()}, InputTypeError, "list of forecasters"),
        ({"forecasters": [Naive(), "theta"]}, InputTypeError, r"forecasters\[1\]"),
        ({"forecasters": [Naive(), Theta()], "weights": [1.0]}, InvalidParameterError, "one weight per"),
        ({"forecasters": [Naive(), Theta()], "weights": [1.0, -1.0]}, InvalidParameterError, r"weights\[1\]"),
        ({"forecasters": [Naive(), Theta()], "weights": [0.0, 0.0]}, InvalidParameterError, "all be zero"),
        ({"forecasters": [Naive(), Theta()], "weights": "ab"}, InputTypeError, "weights"),
        ({"forecasters": [Naive(), Theta()], "weights": [1, 2], "method": "median"}, InvalidParameterError,
         "method='mean'"),
        ({"forecasters": [Naive()], "method": "max"}, InvalidParameterError, "method"),
    ],
)
def test_bad_parameters_are_refused_in_fit(kwargs, error, match):
    model = tsf.Combination(**kwargs)  # __init__ only stores
    with pytest.raises(error, match=match):
        model.fit(series())


@pytest.mark.filterwarnings("ignore::tsforecast.exceptions.SkippedSeriesWarning")
def test_members_must_forecast_every_series():
    data = panel()
    short = tsf.WindowForecaster(Ridge(), n_steps_in=32, n_steps_out=4, on_short="skip")  # drops "b" (30 rows)
    with pytest.raises(InvalidInputError, match="every member must forecast every series"):
        tsf.Combination([short, Theta()]).fit(data)


def test_update_moves_the_forecast_origin_and_refits_members_without_update():
    y = series(40)
    model = tsf.Combination([window(), Theta()]).fit(y.iloc[:30])
    model.update(y)
    fresh_theta = Theta().fit(y).predict(4)
    ridge = tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=8, n_steps_out=4).fit(y.iloc[:30]).update(y).predict(4)
    np.testing.assert_allclose(model.predict(4).to_numpy(), 0.5 * (fresh_theta.to_numpy() + ridge.to_numpy()))
    assert model.predict(4).index[0] == y.index[-1] + y.index.freq


def test_conformal_intervals_around_a_combination_with_refit_false():
    data = panel()
    model = tsf.ConformalIntervals(tsf.Combination([window(), Theta()]), levels=(50, 80), horizon=4, n_windows=3,
                                   pooling="panel", refit=False).fit(data)
    out = model.predict_interval(4)
    assert (out["lo_80"] <= out["y"]).all() and (out["y"] <= out["hi_80"]).all()


def _panel_with_a_short_series(short_length: int) -> dict:
    rng = np.random.default_rng(1)
    idx = pd.date_range("2024-01-01", periods=60, freq="D")
    data = {f"s{i}": pd.Series(np.cumsum(rng.normal(size=60)) + 30, index=idx) for i in range(4)}
    data["short"] = pd.Series(np.cumsum(rng.normal(size=short_length)) + 5, index=idx[-short_length:])
    return data


def test_a_combination_needs_the_longest_training_series_of_its_members():
    wide = tsf.WindowForecaster(Ridge(), n_steps_in=10, n_steps_out=3)
    assert tsf.Combination([Naive(), wide]).min_train_length() == wide.min_train_length() == 13
    assert tsf.Combination([Naive(), Theta()]).min_train_length() == max(
        Naive().min_train_length(), Theta().min_train_length())


@pytest.mark.filterwarnings("ignore")
def test_conformal_calibration_of_a_combination_skips_windows_too_short_for_a_member():
    # 'short' has 23 rows: a window member needs 13 to fit, so of the 5 calibration
    # windows (training lengths 20, 17, 14, 11, 8) only the first 3 can be fitted
    data = _panel_with_a_short_series(23)
    member = tsf.WindowForecaster(Ridge(), n_steps_in=10, n_steps_out=3)
    alone = tsf.ConformalIntervals(member, levels=(80,), horizon=3, n_windows=5).fit(data)
    combined = tsf.ConformalIntervals(tsf.Combination([member]), levels=(80,), horizon=3, n_windows=5).fit(data)
    np.testing.assert_array_equal(combined.n_calibration_windows_, alone.n_calibration_windows_)
    assert combined.n_calibration_windows_[-1] == 3
    for key, interval in alone.predict_interval(3).items():
        np.testing.assert_allclose(combined.predict_interval(3)[key].to_numpy(), interval.to_numpy())


@pytest.mark.filterwarnings("ignore")
def test_a_backtest_forecasts_the_short_series_at_the_folds_where_it_can_be_calibrated():
    data = _panel_with_a_short_series(26)
    member = tsf.WindowForecaster(Ridge(), n_steps_in=10, n_steps_out=3)
    model = tsf.ConformalIntervals(tsf.Combination([member, Naive()]), levels=(80,), horizon=3, n_windows=5)
    res = tsf.backtest({"conf": model}, data, horizon=3, cv=4, progress=False)
    cutoffs = res.forecasts.groupby("fold")["cutoff"].first()
    train_length = {fold: int((data["short"].index <= cutoff).sum()) for fold, cutoff in cutoffs.items()}
    # one calibration window: the member's training window plus the horizon
    expected = {fold for fold, n in train_length.items() if n >= member.n_steps_in + member.n_steps_out + 3}
    forecast = res.forecasts[res.forecasts["unique_id"] == "short"]
    assert expected and expected != set(train_length)
    assert set(forecast["fold"]) == expected and np.isfinite(forecast["y_hat"]).all()
    assert set(res.errors["fold"]) == set(train_length) - expected


def test_save_load_round_trip(tmp_path):
    data = panel()
    model = tsf.Combination([window(), Damped()], weights=[0.7, 0.3]).fit(data)
    path = tsf.save(model, tmp_path / "combination.tsf")
    loaded = tsf.load(path)
    pd.testing.assert_frame_equal(loaded.predict(4), model.predict(4))
    assert loaded.get_params()["weights"] == [0.7, 0.3]


class _NaNForFirstSeries(Naive):
    """Naive whose forecasts of the first series are NaN (a member that cannot forecast it)."""

    def _forecast_column(self, state, horizon):
        out = super()._forecast_column(state, horizon).astype(float)
        out[0] = np.nan
        return out


def test_a_member_of_weight_zero_does_not_reach_the_forecast():
    data = panel()
    combined = tsf.Combination([Drift(), _NaNForFirstSeries()], weights=[1.0, 0.0]).fit(data).predict(3)
    pd.testing.assert_frame_equal(combined, Drift().fit(data).predict(3))


def test_huge_weights_are_normalised_without_overflow():
    data = panel()
    huge = tsf.Combination([Drift(), Naive()], weights=[1e308, 1e308]).fit(data).predict(3)
    pd.testing.assert_frame_equal(huge, tsf.Combination([Drift(), Naive()]).fit(data).predict(3))
