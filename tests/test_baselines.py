"""Tests of tsforecast.baselines: the forecaster contract, the M4 reproduction, fallbacks, bad input."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from tsforecast.baselines import (
    ARIMA,
    ETS,
    MSTL,
    SES,
    Comb,
    Damped,
    Drift,
    Holt,
    Mean,
    Naive,
    Naive2,
    NonSeasonalETS,
    SeasonalNaive,
    Theta,
)
from tsforecast.baselines import _smoothing, m4
from tsforecast.baselines.seasonality import deseasonalize, seasonal_indices, seasonality_test
from tsforecast.exceptions import FallbackWarning, InvalidInputError, InvalidParameterError, NotFittedError

FAST = [
    Naive(),
    SeasonalNaive(season_length=4),
    Drift(),
    Mean(window=5),
    Naive2(season_length=4),
    SES(season_length=4),
    Holt(season_length=4),
    Damped(season_length=4),
    Theta(season_length=4),
    Comb(season_length=4),
]
SLOW = [ETS(error="add", trend="add", damped_trend=False, seasonal=None), ARIMA(order=(1, 0, 0))]
ALL = FAST + SLOW
QUANTILE_MODELS = [m for m in ALL if m.supports_quantiles]


def _ids(models):
    return [type(m).__name__ for m in models]


def _series(n=40, seed=0, index="range", level=20.0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = level + 0.2 * t + 2 * np.sin(2 * np.pi * t / 4) + rng.normal(0, 0.5, n)
    idx = pd.RangeIndex(n) if index == "range" else pd.date_range("2024-01-01", periods=n, freq="h")
    return pd.Series(values, index=idx, name="y")


def _panel(n_series=3, n=40):
    return {f"s{i}": _series(n, seed=i, level=20.0 + 5 * i) for i in range(n_series)}


# --------------------------------------------------------------------------- contract
@pytest.mark.parametrize("model", ALL, ids=_ids(ALL))
@pytest.mark.parametrize("index", ["range", "datetime"])
def test_single_series_forecast_is_indexed_by_future_steps(model, index):
    y = _series(index=index)
    forecast = clone(model).fit(y).predict(6)
    assert isinstance(forecast, pd.Series) and forecast.name == "y"
    assert len(forecast) == 6 and np.isfinite(forecast).all()
    if index == "range":
        assert list(forecast.index) == list(range(40, 46))
    else:
        assert forecast.index[0] == y.index[-1] + pd.Timedelta(hours=1) and forecast.index.freqstr == "h"
    # Forecasts stay in the neighbourhood of the data (catches sign and scale slips).
    assert forecast.between(y.min() - 10, y.max() + 10).all()


@pytest.mark.parametrize("model", FAST, ids=_ids(FAST))
def test_panel_and_dict_give_the_same_forecasts_as_single_series(model):
    data = _panel()
    from tsforecast.core.forms import to_panel

    by_dict = clone(model).fit(data).predict(5)
    by_panel = clone(model).fit(to_panel(data)).predict(5)
    assert set(by_dict) == set(data) and isinstance(by_dict["s1"], pd.Series)
    assert list(by_panel.columns) == ["unique_id", "ds", "y"] and len(by_panel) == 15
    for key, series in data.items():
        alone = clone(model).fit(series).predict(5)
        np.testing.assert_allclose(by_dict[key].to_numpy(), alone.to_numpy(), rtol=1e-12)
        np.testing.assert_allclose(by_panel.loc[by_panel.unique_id == key, "y"].to_numpy(), alone.to_numpy(),
                                   rtol=1e-12)


def test_dataframe_with_two_targets_is_fitted_per_column():
    frame = pd.DataFrame({"a": _series(seed=1).to_numpy(), "b": _series(seed=2).to_numpy() * 10})
    forecast = SES().fit(frame).predict(3)
    assert list(forecast.columns) == ["a", "b"]
    np.testing.assert_allclose(forecast["b"], SES().fit(frame["b"]).predict(3).to_numpy())
    quantiles = SES().fit(frame).predict_quantiles(2, quantiles=[0.1, 0.9])
    assert list(quantiles.columns) == ["a_q0.1", "a_q0.9", "b_q0.1", "b_q0.9"]


@pytest.mark.parametrize("model", [Naive(), SES(season_length=4), Damped(season_length=4), Theta(season_length=4)],
                         ids=["Naive", "SES", "Damped", "Theta"])
def test_n_jobs_2_equals_n_jobs_1(model):
    data = _panel(n_series=16, n=30)
    one = clone(model).set_params(n_jobs=1).fit(data).predict(4)
    two = clone(model).set_params(n_jobs=2).fit(data).predict(4)
    for key in data:
        np.testing.assert_array_equal(one[key].to_numpy(), two[key].to_numpy())


@pytest.mark.parametrize("model", ALL, ids=_ids(ALL))
def test_clone_and_get_params_follow_sklearn(model):
    params = model.get_params()
    copy = clone(model)
    assert copy.get_params() == params and copy is not model
    with pytest.raises(NotFittedError):
        copy.predict(3)
    fitted = clone(model).fit(_series())
    assert not hasattr(clone(fitted), "states_")


@pytest.mark.parametrize("model", QUANTILE_MODELS, ids=_ids(QUANTILE_MODELS))
def test_quantiles_are_ordered_and_widen(model):
    y = _series(60)
    fitted = clone(model).fit(y)
    quantiles = fitted.predict_quantiles(8, quantiles=[0.9, 0.1, 0.5])
    assert list(quantiles.columns) == ["q0.1", "q0.5", "q0.9"]
    assert np.isfinite(quantiles.to_numpy()).all()
    assert (quantiles["q0.1"] < quantiles["q0.5"]).all() and (quantiles["q0.5"] < quantiles["q0.9"]).all()
    width = (quantiles["q0.9"] - quantiles["q0.1"]).to_numpy()
    assert width[-1] >= width[0] - 1e-9
    if not isinstance(model, ETS):  # ETS' simulated forms give the paths' median; the others are symmetric
        np.testing.assert_allclose(quantiles["q0.5"].to_numpy(), fitted.predict(8).to_numpy(), rtol=1e-9)


@pytest.mark.parametrize("model, season", [(ETS(error="mul", trend=None, seasonal=None), 0), (ETS(), 0),
                                           (NonSeasonalETS(error="mul"), 0),
                                           (MSTL(season_length=7, trend_forecaster=NonSeasonalETS(error="mul")), 7)],
                         ids=["ETS-MNN", "ETS", "NonSeasonalETS-mul", "MSTL"])
def test_quantiles_of_simulated_forms_never_cross_and_the_median_is_theirs(model, season):
    """q0.5 was the mean while the other quantiles came from simulated paths: on a volatile
    positive series q0.45 = 5.94, q0.5 = 26.89, q0.55 = 13.04 at step 6."""
    y = 10 * np.exp(np.cumsum(np.random.default_rng(0).normal(0, 0.35, 60)))
    if season:  # a weekly pattern on a floor that keeps the seasonally adjusted series positive
        y = 20 + y * (1 + 0.2 * np.sin(2 * np.pi * np.arange(60) / season))
    fitted = clone(model).fit(pd.Series(y))
    quantiles = fitted.predict_quantiles(6, quantiles=[0.05, 0.25, 0.45, 0.5, 0.55, 0.75, 0.95]).to_numpy()
    assert (np.diff(quantiles, axis=1) > 0).all()
    # the point forecast stays the mean, above the median of these right-skewed paths
    assert (fitted.predict(6).to_numpy()[1:] > quantiles[1:, 3]).all()


def test_quantiles_of_exact_forms_are_centred_on_the_point_forecast():
    fitted = ETS(error="add", trend="add", seasonal=None).fit(_series(60))
    quantiles = fitted.predict_quantiles(6, quantiles=[0.1, 0.5, 0.9])
    np.testing.assert_allclose(quantiles["q0.5"], fitted.predict(6), rtol=1e-12)
    np.testing.assert_allclose(quantiles["q0.9"] - quantiles["q0.5"], quantiles["q0.5"] - quantiles["q0.1"], rtol=1e-9)


def test_models_without_quantiles_say_so():
    with pytest.raises(InvalidParameterError, match="supports_quantiles"):
        Theta().fit(_series()).predict_quantiles(3)


def test_naive_quantile_widths_follow_the_random_walk():
    y = pd.Series([0.0, 1.0, 0.0, 1.0, 0.0])  # one-step differences of size 1: sigma = 1
    quantiles = Naive().fit(y).predict_quantiles(4, quantiles=[0.5, 0.8413447460685429])
    np.testing.assert_allclose(quantiles["q0.841345"] - quantiles["q0.5"], np.sqrt([1, 2, 3, 4]), rtol=1e-6)


# --------------------------------------------------------------------------- simple methods
def test_simple_methods_values():
    y = pd.Series([1.0, 3.0, 2.0, 4.0, 6.0])
    assert Naive().fit(y).predict(2).tolist() == [6.0, 6.0]
    assert SeasonalNaive(2).fit(y).predict(3).tolist() == [4.0, 6.0, 4.0]
    assert Drift().fit(y).predict(2).tolist() == [7.25, 8.5]
    assert Mean().fit(y).predict(1).tolist() == [3.2]
    assert Mean(window=2).fit(y).predict(1).tolist() == [5.0]


# --------------------------------------------------------------------------- M4 reproduction
def _read_official(m4_dir, name, ids, horizon):
    frame = pd.read_csv(m4_dir / "point_forecasts" / f"{name}-HW.csv", index_col=0)
    return frame.loc[ids].to_numpy(dtype=float)[:, :horizon]


@pytest.mark.parametrize("subset, horizon, m", [("Hourly", 48, 24), ("Weekly", 13, 1)])
def test_naive2_and_ses_match_the_official_m4_forecasts(m4_dir, subset, horizon, m):
    from tsforecast.datasets import load_m4

    train = load_m4(subset, m4_dir)
    ids = list(dict.fromkeys(train.unique_id))[::12]  # every 12th series: 35 hourly, 30 weekly
    data = {key: pd.Series(group["y"].to_numpy()) for key, group in train.groupby("unique_id") if key in ids}
    for model, name, rtol in ((Naive2(m), "Naive2", 1e-8), (SES(m), "SES", 1e-3)):
        forecast = model.fit(data).predict(horizon)
        ours = np.stack([forecast[key].to_numpy() for key in ids])
        official = _read_official(m4_dir, name, ids, horizon)
        np.testing.assert_allclose(ours, official, rtol=rtol, err_msg=f"{name} on {subset}")


def test_seasonality_test_and_decomposition_match_r():
    # As R's decompose(ts(x, frequency = 4), "multiplicative")$figure: cycle positions from t = 1.
    x = np.array([10.0, 14.0, 8.0, 12.0, 11.0, 15.0, 9.0, 13.0, 12.0, 16.0, 10.0, 14.0])
    figure = seasonal_indices(x, 4)[:4]
    trend = np.convolve(x, np.r_[0.5, 1, 1, 1, 0.5] / 4, mode="valid")  # centred 2x4 MA at t = 2..9
    ratio = x[2:10] / trend
    expected = np.array([ratio[[2, 6]].mean(), ratio[[3, 7]].mean(), ratio[[0, 4]].mean(), ratio[[1, 5]].mean()])
    np.testing.assert_allclose(figure, expected / expected.mean())
    seasonal = np.tile([10.0, 14.0, 8.0, 12.0], 6) + 0.1 * np.arange(24)
    assert seasonality_test(seasonal, 4) and not seasonality_test(seasonal, 1)
    assert not seasonality_test(np.random.default_rng(0).normal(size=48), 4)
    assert not seasonality_test(np.arange(10.0), 4)  # fewer than 3 seasons: never seasonal
    assert not seasonality_test(np.full(30, 5.0), 4)  # constant: no autocorrelation


def test_linear_errors_equal_the_ets_recursion():
    rng = np.random.default_rng(1)
    x = np.cumsum(rng.normal(size=200)) + 50
    alpha, beta, phi, level, trend = 0.4, 0.1, 0.9, 48.0, 0.3
    errors = []
    for value in x:
        forecast = level + phi * trend
        errors.append(value - forecast)
        level, trend = forecast + alpha * errors[-1], phi * trend + beta * errors[-1]
    np.testing.assert_allclose(_smoothing.linear_errors(x, alpha, beta, phi, 48.0, 0.3), errors, rtol=1e-10)
    np.testing.assert_allclose(_smoothing.ses_errors(x, alpha, 48.0),
                               _smoothing.linear_errors(x, alpha, 0.0, 1.0, 48.0, 0.0), rtol=1e-10)


def test_ses_fit_reaches_the_least_squares_optimum():
    rng = np.random.default_rng(2)
    x = np.cumsum(rng.normal(size=150)) * 0.3 + rng.normal(size=150) + 10
    fit = _smoothing.fit_ses(x)
    for alpha in np.linspace(1e-4, 0.9999, 200):
        for level0 in np.linspace(x[:10].min(), x[:10].max(), 5):
            e = _smoothing.ses_errors(x, alpha, level0)
            assert fit["sse"] <= np.dot(e, e) + 1e-9


def test_nelder_mead_port_minimises_and_counts_like_r():
    x, value, evaluations = _smoothing.nelder_mead(lambda p: (p[0] - 1) ** 2 + 10 * (p[1] + 2) ** 2, [0.5, 0.5])
    np.testing.assert_allclose(x, [1, -2], atol=1e-3)
    assert value < 1e-6 and evaluations <= 2001


# --------------------------------------------------------------------------- fallbacks and bad input
def test_a_failing_fit_falls_back_to_naive2_and_names_the_series(monkeypatch):
    real = _smoothing.fit_linear

    def flaky(x, damped):
        if x[0] > 30:  # only series s2 (level 30) fails
            raise FloatingPointError("optimiser diverged")
        return real(x, damped)

    monkeypatch.setattr(m4, "fit_linear", flaky)
    data = _panel()
    with pytest.warns(FallbackWarning, match=r"Holt could not be fitted on series 's2'.*diverged.*Naive2"):
        forecast = Holt().fit(data).predict(3)
    np.testing.assert_allclose(forecast["s2"].to_numpy(), data["s2"].iloc[-1])
    assert np.isfinite(forecast["s0"]).all()


def test_seasonal_naive_on_a_series_shorter_than_the_season_falls_back_with_a_warning():
    data = {"long": _series(30), "short": _series(3)}
    with pytest.warns(FallbackWarning, match=r"series 'short'.*season_length=4.*Naive"):
        forecast = SeasonalNaive(4).fit(data).predict(5)
    assert forecast["short"].tolist() == [data["short"].iloc[-1]] * 5
    np.testing.assert_allclose(forecast["long"].to_numpy()[:4], data["long"].to_numpy()[-4:])


def test_non_positive_seasonal_series_is_decomposed_additively_with_a_warning():
    y = _series(48) - 20  # strongly seasonal, crosses zero
    adjusted, tail, kind = deseasonalize(y.to_numpy(), 4)
    assert kind == "additive" and abs(tail.mean()) < 1e-12
    with pytest.warns(FallbackWarning, match=r"series 'series'.*additively"):
        forecast = Naive2(season_length=4).fit(y).predict(4)
    np.testing.assert_allclose(forecast.to_numpy(), adjusted[-1] + tail)


def test_ets_multiplicative_on_negative_data_falls_back_to_additive():
    y = _series(30) - 25
    with pytest.warns(FallbackWarning, match="multiplicative"):
        model = ETS(error="mul", trend=None, seasonal=None).fit(y)
    assert model.states_[0]["objects"][0]["form"] == "ANN"


@pytest.mark.parametrize("model", FAST + [ETS(error="add", trend=None, seasonal=None)],
                         ids=_ids(FAST) + ["ETS"])
def test_constant_and_short_series_give_finite_forecasts(model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        constant = clone(model).fit(pd.Series(np.full(30, 7.0))).predict(5)
        np.testing.assert_allclose(constant.to_numpy(), 7.0, rtol=1e-6)
        zeros = clone(model).fit(pd.Series(np.zeros(30))).predict(5)
        np.testing.assert_allclose(zeros.to_numpy(), 0.0, atol=1e-6)
        short = clone(model).fit(pd.Series([3.0, 5.0, 4.0, 6.0])).predict(5)
        assert np.isfinite(short.to_numpy()).all()


@pytest.mark.parametrize("cls", [SeasonalNaive, Naive2, SES, Holt, Damped, Theta, Comb])
@pytest.mark.parametrize("bad", [0, -3])
def test_non_positive_season_length_is_refused(cls, bad):
    with pytest.raises(InvalidParameterError, match=rf"season_length must be >= 1; got {bad}"):
        cls(season_length=bad).fit(_series())


@pytest.mark.parametrize("horizon", [0, -1])
def test_non_positive_horizon_is_refused(horizon):
    fitted = SES().fit(_series())
    with pytest.raises(InvalidParameterError, match=rf"horizon must be >= 1; got {horizon}"):
        fitted.predict(horizon)


def test_other_bad_input_is_refused_with_named_arguments():
    with pytest.raises(InvalidParameterError, match="window must be >= 1; got 0"):
        Mean(window=0).fit(_series())
    with pytest.raises(InvalidInputError, match="non-finite"):
        SES().fit(pd.Series([1.0, np.nan, 3.0]))
    with pytest.raises(InvalidParameterError, match="X must be None"):
        Naive().fit(_series(), X=_series())
    with pytest.raises(InvalidParameterError, match="seasonal='add' needs season_length > 1"):
        ETS(seasonal="add").fit(_series())
    with pytest.raises(InvalidParameterError, match=r"order must be a tuple of 3 integers; got \(1, 0\)"):
        ARIMA(order=(1, 0)).fit(_series())
    with pytest.raises(InvalidParameterError, match="horizon must be given"):
        Naive().fit(_series()).predict()


def test_arima_auto_search_picks_an_order_by_aicc():
    rng = np.random.default_rng(3)
    x = np.zeros(120)
    for t in range(2, 120):
        x[t] = 0.6 * x[t - 1] - 0.4 * x[t - 2] + rng.normal()
    model = ARIMA(order=(0, 0, 0), auto=True, max_p=2, max_q=0).fit(pd.Series(x + 5))
    assert model.states_[0]["objects"][0]["order"][0] == 2


@pytest.mark.parametrize("model", FAST, ids=_ids(FAST))
def test_save_and_load_round_trip(model, tmp_path):
    from tsforecast import load, save

    data = {"a": _series(30), "b": _series(36, seed=4, index="datetime")}
    fitted = clone(model).fit(data)
    save(fitted, tmp_path / "model.tsf")
    loaded = load(tmp_path / "model.tsf")
    assert type(loaded) is type(model) and loaded.get_params() == model.get_params()
    before, after = fitted.predict(4), loaded.predict(4)
    for key in data:
        pd.testing.assert_series_equal(before[key], after[key])


def test_ets_auto_selects_a_seasonal_form_on_seasonal_data():
    t = np.arange(72)
    y = pd.Series(20 + 4 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(5).normal(0, 0.3, 72))
    model = ETS(error="add", trend=None, season_length=12).fit(y)
    assert model.states_[0]["objects"][0]["form"][-1] in "AM"
    forecast = model.predict(12).to_numpy()
    np.testing.assert_allclose(forecast, 20 + 4 * np.sin(2 * np.pi * np.arange(72, 84) / 12), atol=1.0)
    with pytest.raises(InvalidParameterError, match="initialization_method must be one of"):
        ETS(initialization_method="guess").fit(y)


def test_fallback_warnings_reach_the_caller_from_worker_processes():
    data = {**_panel(n_series=15, n=20), "tiny": _series(2)}
    with pytest.warns(FallbackWarning, match=r"series 'tiny'"):
        forecast = SeasonalNaive(4, n_jobs=2).fit(data).predict(2)
    assert forecast["tiny"].tolist() == [data["tiny"].iloc[-1]] * 2


def test_statsmodels_convergence_chatter_stays_inside_the_first_fit():
    """statsmodels' first import puts an 'always' filter for ConvergenceWarning in front of
    the fit's 'ignore': the first ETS or ARIMA fit of a process let them through."""
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent("""
        import warnings
        import numpy as np, pandas as pd
        from tsforecast.baselines import ARIMA, ETS
        y = pd.Series(np.zeros(60), index=pd.date_range("2024-01-01", periods=60, freq="D"))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ETS().fit(y)
            ARIMA(order=(2, 0, 2)).fit(y)
        print(sorted({w.category.__name__ for w in caught}))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert out.stdout.strip() == "['FallbackWarning']"  # ETS on zeros falls back to Naive, and says so
