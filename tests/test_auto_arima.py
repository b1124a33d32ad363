"""AutoARIMA: its CSS fits and forecasts against statsmodels, the stepwise search, regressors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tsforecast as tsf
from tsforecast import backtest
from tsforecast.baselines import AutoARIMA
from tsforecast.baselines._arima_fit import (criterion, fit_css, forecast_model, forecast_std, ndiffs, nested_start,
                                            nsdiffs)
from tsforecast.baselines.auto_arima import _Search
from tsforecast.core.kernels.arima import expand_polynomials, integrated_ar, psi_weights
from tsforecast.exceptions import FallbackWarning, InsufficientDataError, InvalidInputError, InvalidParameterError


def arma(n: int, ar: float, ma: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n + 100)
    x = np.zeros(n + 100)
    for t in range(1, n + 100):
        x[t] = ar * x[t - 1] + e[t] + ma * e[t - 1]
    return x[100:]


def regression_data(n: int = 400, horizon: int = 10, seed: int = 1):
    """``y = 3 x + u``, ``u`` an AR(1) with coefficient 0.7; ``X`` runs ``horizon`` steps past ``y``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=2.0, size=n + horizon)
    index = pd.date_range("2024-01-01", periods=n + horizon, freq="D")
    y = pd.Series(3 * x[:n] + arma(n, 0.7, 0.0, seed), index=index[:n], name="y")
    return y, pd.DataFrame({"x": x}, index=index)


def test_expanded_polynomials_multiply_the_seasonal_factors():
    # (1 - 0.5B)(1 - 0.3B^4) = 1 - 0.5B - 0.3B^4 + 0.15B^5; (1 + 0.2B)(1 + 0.4B^4)
    ar, ma = expand_polynomials(np.array([0.5, 0.2, 0.3, 0.4]), 1, 1, 1, 1, 4)
    np.testing.assert_allclose(ar, [0.5, 0, 0, 0.3, -0.15])
    np.testing.assert_allclose(ma, [0.2, 0, 0, 0.4, 0.08])
    # (1 - 0.5B)(1 - B): u_t = 1.5 u_{t-1} - 0.5 u_{t-2}
    np.testing.assert_allclose(integrated_ar(np.array([0.5]), 1, 0, 1), [1.5, -0.5])


def test_psi_weights_are_statsmodels_arma2ma():
    from statsmodels.tsa.arima_process import arma2ma

    ar, ma = np.array([0.6, -0.2]), np.array([0.3])
    expected = arma2ma(np.r_[1, -ar], np.r_[1, ma], lags=12)
    np.testing.assert_allclose(psi_weights(ar, ma, 12), expected, atol=1e-12)


def test_css_fit_is_close_to_statsmodels_maximum_likelihood():
    from statsmodels.tsa.arima.model import ARIMA as SMARIMA

    x = 5 + arma(2000, 0.6, 0.3)
    model = fit_css(x, np.ones((x.size, 1)), (1, 0, 1, 0, 0, 0), 1)
    reference = SMARIMA(x, order=(1, 0, 1), trend="c").fit()
    np.testing.assert_allclose(model["coef"], reference.params[[1, 2, 0]], atol=0.01)
    assert model["sigma2"] == pytest.approx(reference.params[3], rel=0.01)


def test_forecasts_and_std_are_those_of_statsmodels_with_the_same_coefficients():
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    x = np.cumsum(arma(600, 0.5, 0.4, seed=2))  # an ARIMA(1, 1, 1)
    model = fit_css(x, np.zeros((x.size, 0)), (1, 1, 1, 0, 0, 0), 1)
    reference = SARIMAX(x, order=(1, 1, 1)).smooth(np.r_[model["coef"], model["sigma2"]])
    none = np.zeros((x.size, 0))
    np.testing.assert_allclose(forecast_model(model, x, none, np.zeros((8, 0)), 8), reference.forecast(8),
                               atol=1e-6)
    np.testing.assert_allclose(forecast_std(model, 8), np.sqrt(reference.get_forecast(8).var_pred_mean), rtol=1e-6)


def test_difference_tests_find_a_random_walk_and_a_strong_season():
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=500))
    assert ndiffs(walk, 2) == 1 and ndiffs(rng.normal(size=500), 2) == 0
    t = np.arange(480)
    seasonal = 10 * np.sin(2 * np.pi * t / 24) + rng.normal(size=480)
    assert nsdiffs(seasonal, 24, 1) == 1 and nsdiffs(rng.normal(size=480), 24, 1) == 0


def test_one_difference_at_most_by_default_and_two_when_asked():
    """A doubly integrated walk: KPSS asks for d = 2, R's limit; the default stops at one
    difference (an AR(1) on the differences with drift) and max_d=2 restores R's search."""
    rng = np.random.default_rng(11)
    x = pd.Series(np.cumsum(np.cumsum(rng.normal(size=300))), index=pd.RangeIndex(300))
    assert ndiffs(x.to_numpy(), 2, 0.025) == 2
    assert AutoARIMA().fit(x).orders_.loc[:, "d"].tolist() == [1]
    assert AutoARIMA(max_d=2).fit(x).orders_.loc[:, "d"].tolist() == [2]


def test_a_near_unit_root_is_refused_as_auto_arima_does():
    x = np.cumsum(np.random.default_rng(3).normal(size=400))
    assert fit_css(x, np.ones((400, 1)), (1, 0, 0, 0, 0, 0), 1)["aicc"] == np.inf


def test_seasonal_series_gets_a_seasonal_model_that_beats_the_seasonal_naive():
    rng = np.random.default_rng(4)
    t = np.arange(24 * 25)
    y = 20 + 5 * np.sin(2 * np.pi * t / 24) + np.cumsum(rng.normal(scale=0.2, size=t.size)) + arma(t.size, 0.8, 0, 5)
    index = pd.date_range("2024-01-01", periods=t.size, freq="h")
    train, test = pd.Series(y[:-48], index=index[:-48]), y[-48:]
    model = AutoARIMA(season_length=24).fit(train)
    orders = model.orders_.iloc[0]
    assert orders["m"] == 24 and orders["D"] + orders["P"] + orders["Q"] > 0
    error = np.abs(model.predict(48).to_numpy() - test).mean()
    naive = np.abs(y[-72:-48].repeat(1)[np.arange(48) % 24] - test).mean()
    assert error < naive


def test_constant_series_forecasts_its_value():
    y = pd.Series(np.full(30, 7.0), index=pd.RangeIndex(30))
    model = AutoARIMA().fit(y)
    np.testing.assert_array_equal(model.predict(4).to_numpy(), 7.0)
    np.testing.assert_array_equal(model.predict_interval(4, levels=(80,)).to_numpy(), 7.0)


#: Series given exactly by their differences: a line, a line plus a fixed season, a fixed season.
_PATTERN = np.array([1.0, 5, 2, 8, 3, 0, 4, 7, 6, 2, 9, 1])
_EXACT_AFTER_DIFFERENCES = {
    "line": (1, lambda t: 3 + 2 * t),
    "line_and_season": (12, lambda t: 0.5 * t + _PATTERN[t.astype(int) % 12]),
    "season": (12, lambda t: _PATTERN[t.astype(int) % 12]),
}


@pytest.mark.parametrize("method", ["css", "css-loglik-filter", "exact"])
@pytest.mark.parametrize("shape", list(_EXACT_AFTER_DIFFERENCES))
def test_a_series_exact_after_differencing_is_forecast_exactly(shape, method):
    """Every ARMA candidate has a zero variance there and was refused: the search ended on
    a wrong model (a line forecast 194.75 for 195) or fell back to Naive. The differences
    and their drift alone are the model, as R's auto.arima and statsforecast find."""
    m, formula = _EXACT_AFTER_DIFFERENCES[shape]
    t = np.arange(100.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no fallback
        model = AutoARIMA(season_length=m, method=method).fit(pd.Series(formula(t[:96])))
        bands = model.predict_interval(4, levels=(80,)).to_numpy()
    np.testing.assert_allclose(model.predict(4).to_numpy(), formula(t[96:]), atol=1e-9)
    orders = model.orders_.iloc[0]
    assert orders["p"] == orders["q"] == orders["P"] == orders["Q"] == 0 and orders["d"] + orders["D"] == 1
    np.testing.assert_allclose(bands, formula(t[96:])[:, None].repeat(bands.shape[1], axis=1), atol=1e-9)


def test_a_series_exact_after_differencing_with_regressors_is_forecast_exactly():
    t = np.arange(100.0)
    X = pd.DataFrame({"x": np.sin(t)})
    y = 1 + 0.3 * t + 2 * X["x"].to_numpy()
    model = AutoARIMA().fit(pd.Series(y[:96]), X.iloc[:96])
    np.testing.assert_allclose(model.predict(4, X).to_numpy(), y[96:], atol=1e-9)
    # the differences, the drift and the regressor explain it all: no ARMA term on top
    assert model.orders_.iloc[0][["p", "d", "q"]].tolist() == [0, 1, 0]


@pytest.mark.parametrize("n, k", [(6, 4), (8, 6), (5, 3), (5, 4)])
@pytest.mark.parametrize("d", [None, 1])
def test_a_noisy_series_as_short_as_its_regression_is_not_taken_as_exact(n, k, d):
    """Differenced once, ``n`` values leave ``n - 1`` rows for the drift and ``k``
    regressors (undifferenced, ``n`` for the mean and ``k``): with no row to spare least
    squares fits any values without error. That was taken as an exact series, (0, 1, 0)
    with drift and intervals of zero width."""
    rng = np.random.default_rng(5)
    X = pd.DataFrame(rng.normal(size=(n + 2, k)), columns=[f"z{i}" for i in range(k)])
    y = pd.Series(np.cumsum(rng.normal(size=n)) * 3 + 50)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)  # a fallback is an honest answer here
        bands = AutoARIMA(future_covariates=list(X.columns), d=d).fit(y, X.iloc[:n]).predict_interval(
            2, X=X.iloc[n:], levels=(80,))
    assert np.all(bands["hi_80"] - bands["lo_80"] > 0.1)


def test_regression_with_arima_errors_recovers_the_coefficient_and_uses_future_x():
    y, X = regression_data()
    model = AutoARIMA().fit(y, X.iloc[: len(y)])
    state = model.states_[0]["objects"][0]
    assert model.future_covariates_ == ["x"]
    assert state["model"]["coef"][-1] == pytest.approx(3.0, rel=0.05)
    forecast = model.predict(10, X)
    shifted = X.copy()
    shifted.iloc[len(y):, 0] += 1.0
    # The forecast moves by the coefficient times the change in the future x, step by step.
    np.testing.assert_allclose(model.predict(10, shifted) - forecast, state["model"]["coef"][-1], rtol=1e-9)
    assert np.abs(forecast.to_numpy() - 3 * X["x"].to_numpy()[len(y):]).max() < 5
    with pytest.raises(InsufficientDataError, match=r"X lacks 5 of the 10 forecast timestamps"):
        model.predict(10, X.iloc[: len(y) + 5])


def test_future_covariates_are_saved_and_loaded(tmp_path):
    y, X = regression_data(200)
    model = AutoARIMA(future_covariates="x").fit(y, X.iloc[: len(y)])
    loaded = tsf.load(tsf.save(model, tmp_path / "arima.zip"))
    pd.testing.assert_frame_equal(loaded.predict_interval(5, X), model.predict_interval(5, X), check_exact=True)


def test_backtest_passes_the_declared_future_regressor_of_each_fold():
    y, X = regression_data(150, horizon=0)
    data = pd.concat([y, X], axis=1)
    model = AutoARIMA(future_covariates=["x"], max_p=1, max_q=1)
    assert model.declared_covariates() == ([], ["x"]) and not model.computes_on_panel
    result = backtest(model, data, horizon=4, cv=2, progress=False)
    for fold, cutoff in enumerate([141, 145]):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            alone = AutoARIMA(max_p=1, max_q=1).fit(y.iloc[: cutoff + 1], X.iloc[: cutoff + 1])
        expected = alone.predict(4, X.iloc[: cutoff + 5]).to_numpy()
        np.testing.assert_allclose(result.forecasts.loc[result.forecasts["fold"] == fold, "y_hat"], expected)


def test_panel_fits_each_series_with_its_own_orders():
    rng = np.random.default_rng(6)
    walk = pd.Series(np.cumsum(rng.normal(size=300)), index=pd.RangeIndex(300))
    noise = pd.Series(rng.normal(size=100) + 3, index=pd.RangeIndex(100))
    panel = pd.concat({"walk": walk, "noise": noise}, names=["unique_id", "ds"]).rename("y").reset_index()
    model = AutoARIMA().fit(panel)
    assert model.orders_.loc["walk", "d"] == 1 and model.orders_.loc["noise", "d"] == 0
    assert model.orders_.loc["noise", "constant"] == "mean"


def test_conformal_intervals_with_regressors_come_from_the_wrapper():
    y, X = regression_data(200)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped = tsf.ConformalIntervals(AutoARIMA(future_covariates="x", max_p=1, max_q=1), levels=(80,),
                                         horizon=5, n_windows=5).fit(y, X.iloc[:200])
        model = AutoARIMA(max_p=1, max_q=1).fit(y, X.iloc[:200])
    bands = wrapped.predict_interval(5, X)
    pd.testing.assert_series_equal(bands["y"], model.predict(5, X), check_names=False)
    assert (bands["lo_80"] < bands["y"]).all() and (bands["y"] < bands["hi_80"]).all()
    with pytest.raises(InvalidParameterError, match=r"uses covariates \['x'\].*ConformalIntervals"):
        model.predict_interval(5, X, method="conformal", n_windows=5)


def _long(frames: dict, column: str) -> pd.DataFrame:
    return pd.concat(frames, names=["unique_id", "ds"]).rename(column).reset_index()


def test_panel_regressors_are_read_per_series_from_the_panel():
    # Two series of different lengths and coefficients (3 and -2): each series' regressor
    # rows are its own, in fit and in predict, and X may hold series in another order.
    (y1, X1), (y2, X2) = regression_data(300, seed=1), regression_data(250, seed=2)
    y2 = (-2 / 3) * y2
    y = _long({"a": y1, "b": y2}, "y")
    X = _long({"b": X2["x"], "a": X1["x"]}, "x")
    model = AutoARIMA(max_p=1, max_q=1, max_P=0, max_Q=0).fit(y, X)
    coefficients = [s["model"]["coef"][-1] for s in model.states_[0]["objects"]]
    assert coefficients == [pytest.approx(3.0, rel=0.05), pytest.approx(-2.0, rel=0.05)]
    forecast = model.predict(10, X)
    shifted = X.copy()
    shifted.loc[shifted["unique_id"] == "b", "x"] += 1.0  # only b's future (and past) x moves
    moved = (model.predict(10, shifted)["y"] - forecast["y"]).to_numpy().reshape(2, 10)
    np.testing.assert_allclose(moved[0], 0.0, atol=1e-9)
    np.testing.assert_allclose(moved[1], coefficients[1], rtol=1e-9)
    with pytest.raises(InvalidInputError, match=r"X has no series 'b'; it must give covariates for every series"):
        AutoARIMA(max_p=1).fit(y, X[X["unique_id"] == "a"])
    with pytest.raises(InvalidInputError, match=r"X has no series 'b'") as raised:  # the error fit gives
        model.predict(10, X[X["unique_id"] == "a"])
    assert type(raised.value) is InvalidInputError


def _grid_choice(x: np.ndarray, ic: str, max_order: int) -> tuple:
    """The orders (p, q) with the mean that minimise ``ic`` over the whole grid, by hand."""
    scores = {}
    for p in range(3):
        for q in range(3):
            if p + q <= max_order:
                scores[(p, q)] = criterion(fit_css(x, np.ones((x.size, 1)), (p, 0, q, 0, 0, 0), 1), ic)
    return min(scores, key=scores.get)


@pytest.mark.parametrize("ic", ["aic", "bic"])
def test_the_full_search_keeps_the_grid_minimum_of_the_chosen_criterion(ic):
    x = arma(300, 0.5, 0.4, seed=4) + 5.0
    model = AutoARIMA(d=0, max_p=2, max_q=2, max_order=3, stepwise=False, ic=ic, method="css").fit(pd.Series(x))
    orders = model.orders_.iloc[0]
    assert (orders["p"], orders["q"]) == _grid_choice(x, ic, 3) and orders["constant"] == "mean"
    assert orders["p"] + orders["q"] <= 3


def test_bic_penalises_parameters_more_than_aic():
    model = fit_css(arma(300, 0.5, 0.0, seed=5), np.ones((300, 1)), (2, 0, 1, 0, 0, 0), 1)
    npar = len(model["coef"]) + 1
    assert criterion(model, "aic") == model["aic"]
    assert criterion(model, "bic") - criterion(model, "aic") == pytest.approx(npar * (np.log(model["nstar"]) - 2))
    assert criterion(model, "aicc") == model["aicc"] > model["aic"]


def test_css_ml_refits_the_choice_by_exact_maximum_likelihood():
    from statsmodels.tsa.arima.model import ARIMA

    x = arma(400, 0.7, 0.0, seed=7) + 2.0
    css = AutoARIMA(d=0, max_p=1, max_q=0, method="css").fit(pd.Series(x))
    ml = AutoARIMA(d=0, max_p=1, max_q=0, method="css-ml").fit(pd.Series(x))
    assert tuple(ml.orders_.iloc[0][["p", "q", "constant"]]) == (1, 0, "mean")
    reference = ARIMA(x, order=(1, 0, 0), trend="c").fit()  # the mean as a regression, as ours
    coef = ml.states_[0]["objects"][0]["model"]["coef"]  # AR then mean
    np.testing.assert_allclose(coef, [reference.params[1], reference.params[0]], rtol=1e-3)
    assert not np.allclose(css.states_[0]["objects"][0]["model"]["coef"], coef, rtol=1e-6, atol=0)


def test_css_refit_ranks_by_css_and_refits_the_choice_by_maximum_likelihood():
    # Two candidates whose CSS and exact-likelihood rankings could differ: "css-refit" keeps
    # the CSS choice (the same orders as "css") and only its coefficients move to the ML fit.
    from statsmodels.tsa.arima.model import ARIMA

    x = arma(400, 0.7, 0.3, seed=8) + 2.0
    css = AutoARIMA(d=0, max_p=1, max_q=1, method="css").fit(pd.Series(x))
    refit = AutoARIMA(d=0, max_p=1, max_q=1, method="css-refit").fit(pd.Series(x))
    pd.testing.assert_frame_equal(refit.orders_, css.orders_)
    p, q, constant = css.orders_.iloc[0][["p", "q", "constant"]]
    reference = ARIMA(x, order=(int(p), 0, int(q)), trend="c" if constant == "mean" else "n").fit()
    coef = refit.states_[0]["objects"][0]["model"]["coef"]  # ARMA then mean
    expected = np.concatenate([reference.params[1:-1], reference.params[:1]]) if constant == "mean" \
        else reference.params[:-1]
    np.testing.assert_allclose(coef, expected, rtol=1e-3)
    assert not np.allclose(css.states_[0]["objects"][0]["model"]["coef"], coef, rtol=1e-6, atol=0)


def _r_ocsb_regression(x: np.ndarray, m: int, lag: int, maxlag: int):
    """R's ``fitOCSB`` written out with time-indexed pandas series and statsmodels OLS
    (a second construction: rows joined by their time labels, not by array offsets)."""
    import statsmodels.api as sm

    def lagged(series: pd.Series, k: int) -> pd.Series:
        return pd.Series(series.to_numpy(), index=series.index + k)

    s = pd.Series(x, index=np.arange(1, x.size + 1))
    y = s.diff(m).diff().dropna()
    ylags = [lagged(y, k).rename(f"lag{k}") for k in range(1, lag + 1)]
    frame = pd.concat([y.iloc[maxlag:].rename("y"), *ylags], axis=1).dropna()
    ar = sm.OLS(frame["y"], frame.drop(columns="y")).fit().params.to_numpy() if lag else np.zeros(0)

    def filtered(base: pd.Series) -> pd.Series:
        parts = pd.concat([base, *[lagged(base, k) for k in range(1, lag + 1)]], axis=1).dropna()
        parts = parts[parts.index <= x.size]
        return parts.iloc[:, 0] - parts.iloc[:, 1:].to_numpy() @ ar

    z4 = lagged(filtered(s.diff(m).dropna()), 1).rename("Z4")
    z5 = lagged(filtered(s.diff().dropna()), m).rename("Z5")
    data = pd.concat([frame, z4, z5], axis=1).dropna()
    return sm.OLS(data["y"], data.drop(columns="y")).fit()


def _seasonal_panel(seed: int, m: int, n: int) -> list:
    """A seasonal random walk, a fixed season with a slow trend, and an ARMA-filtered one."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n)
    walk = np.zeros(n)
    for t in range(n):
        walk[t] = (walk[t - m] if t >= m else 0.0) + e[t]
    fixed = 5 * np.sin(2 * np.pi * np.arange(n) / m) + 0.3 * np.cumsum(rng.normal(size=n)) + e
    return [walk, fixed, walk + 0.5 * np.r_[0.0, walk[:-1]]]


@pytest.mark.parametrize("m, n", [(4, 60), (12, 144), (24, 500)])
def test_ocsb_statistic_is_r_ocsb_test_with_its_lag_choice(m, n):
    from tsforecast.baselines._arima_fit import ocsb_statistic

    for x in _seasonal_panel(m, m, n):
        aics = [_r_ocsb_regression(x, m, lag, 3).aic for lag in (1, 2, 3)]
        lag = int(np.argmin(aics))  # R: which.min(icvals) - 1
        expected = _r_ocsb_regression(x, m, lag, lag).tvalues["Z5"]
        assert ocsb_statistic(x, m) == pytest.approx(expected, rel=1e-9)


def test_ocsb_differences_a_seasonal_random_walk_but_not_a_fixed_season():
    from tsforecast.baselines._arima_fit import ocsb_critical

    # R's calcOCSBCritVal(12), the formula evaluated by hand
    assert ocsb_critical(12) == pytest.approx(-1.8030, abs=1e-4)
    walk, fixed, _ = _seasonal_panel(0, 12, 240)
    assert nsdiffs(walk, 12, 1, "ocsb") == 1 and nsdiffs(fixed, 12, 1, "ocsb") == 0
    assert nsdiffs(walk[:20], 12, 1, "ocsb") == 0  # too short to test: no difference, as R after an error
    model = AutoARIMA(season_length=12, seasonal_test="ocsb").fit(pd.Series(walk))
    assert model.orders_["D"].iloc[0] == 1


def test_kpss_alpha_compares_statsmodels_kpss_statistic_with_the_table():
    from statsmodels.tsa.stattools import kpss

    from tsforecast.baselines._arima_fit import KPSS_CRITICAL, kpss_rejects

    rng = np.random.default_rng(5)
    decisions = set()
    for seed in range(12):
        x = np.cumsum(rng.normal(size=200)) * 0.08 + rng.normal(size=200)  # a weak random walk: borderline
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            statistic = kpss(x, "c", nlags=int(3 * np.sqrt(200) / 13))[0]
        row = tuple(kpss_rejects(x, alpha) for alpha in sorted(KPSS_CRITICAL))
        assert row == tuple(statistic > KPSS_CRITICAL[alpha] for alpha in sorted(KPSS_CRITICAL))
        assert ndiffs(x, 1, 0.01) == int(row[0]) and ndiffs(x, 1, 0.1) == int(row[-1])
        decisions.add(row)
    assert len(decisions) > 2  # the levels do decide differently on these series


def test_ocsb_decisions_and_critical_values_match_pmdarima():
    """pmdarima's figures, written by ``benchmarks/ocsb_reference.py`` (its statistic is
    not R's regression, so the decisions are compared; they agree on all 15 series)."""
    import json
    from pathlib import Path

    from tsforecast.baselines._arima_fit import ocsb_critical

    fixture = json.loads((Path(__file__).parent / "data" / "ocsb_pmdarima.json").read_text())
    decisions = []
    for entry in fixture["series"]:
        x, m = np.asarray(entry["x"]), entry["m"]
        assert ocsb_critical(m) == pytest.approx(entry["pmdarima_critical"], abs=1e-12)
        decisions.append((nsdiffs(x, m, 1, "ocsb"), entry["pmdarima_D"]))
    ours, theirs = zip(*decisions)
    assert ours == theirs and 0 < sum(ours) < len(ours)


def _hourly_like(seed: int, n: int = 480, m: int = 24) -> np.ndarray:
    """A slowly modulated daily profile plus a persistent AR(1): the CSS surface of
    seasonal ARMA candidates on such series has local minima."""
    rng = np.random.default_rng(seed)
    t = np.arange(n + 100)
    profile = rng.normal(size=m) * 5
    ar = rng.uniform(0.5, 0.97)
    e = rng.normal(size=n + 100)
    u = np.zeros(n + 100)
    for i in range(1, n + 100):
        u[i] = ar * u[i - 1] + e[i]
    return (profile[t % m] * (1 + 0.3 * np.sin(t / 200)) + u)[-n:]


def test_nested_start_cuts_and_pads_each_polynomial():
    model = {"orders": [2, 0, 1, 1, 1, 2], "coef": np.array([0.5, -0.2, 0.3, 0.4, -0.6, 0.1, 9.0])}
    # (p, q, P, Q) = (2, 1, 1, 2) -> (1, 2, 2, 0): AR cut, MA padded, SAR padded, SMA dropped
    start = nested_start(model, (1, 0, 2, 2, 1, 0))
    np.testing.assert_array_equal(start, [0.5, 0.3, 0.0, 0.4, 0.0])
    np.testing.assert_array_equal(nested_start(model, (2, 0, 1, 1, 1, 2)), model["coef"][:6])


def test_a_second_start_can_find_a_far_lower_sum_of_squares():
    x = _hourly_like(38)
    z = np.zeros((x.size, 0))
    nested = fit_css(x, z, (1, 0, 0, 1, 1, 1), 24)
    orders = (2, 0, 1, 2, 1, 1)
    from_zero = fit_css(x, z, orders, 24)
    both = fit_css(x, z, orders, 24, nested_start(nested, orders))
    # BFGS from zero stops in a local minimum; from the nested model's optimum it goes lower
    assert both["sigma2"] < 0.99 * from_zero["sigma2"]
    assert both["sigma2"] <= nested["sigma2"]


@pytest.mark.parametrize("seed", [11, 65])
def test_stepwise_candidates_are_fitted_at_least_as_well_as_from_zero(seed):
    x = _hourly_like(seed)
    search = _Search(x, np.zeros((x.size, 0)), 24, 0, 1, {"p": 3, "q": 3, "P": 2, "Q": 2}, True, "aicc")
    search.run()
    gains = []
    for (p, q, big_p, big_q, constant), model in search.tried.items():
        design = search.designs["drift" if constant else ""][0]
        alone = fit_css(x, design, (p, 0, q, big_p, 1, big_q), 24)
        assert model["sigma2"] <= alone["sigma2"] * (1 + 1e-9) or not np.isfinite(alone["sigma2"])
        gains.append(alone["sigma2"] / model["sigma2"])
    assert max(gains) > 1.01  # some candidate's fit from zero alone stopped far higher


class _ScriptedSearch(_Search):
    """The stepwise moves alone: each candidate's criterion read from ``scores`` (else 1000)."""

    def __init__(self, scores, **limits):
        super().__init__(np.zeros(60), np.zeros((60, 0)), 12, 0, 1, {"p": 2, "q": 2, "P": 1, "Q": 1, **limits},
                         True, "aicc")
        self.scores = scores

    def fit(self, p, q, big_p, big_q, constant, cap=94):
        key = (p, q, big_p, big_q, bool(constant))
        if key in self.tried:
            return False
        self.tried[key] = {"score": self.scores.get(key, 1000.0), "constant": "drift" if constant else ""}
        if self.best is None or self.tried[key]["score"] < self.best["score"]:
            self.best, self.best_key = self.tried[key], key
            return True
        return False

    def _checked(self):
        return self.best


def test_the_null_model_without_constant_winning_keeps_the_constant_in_the_moves_as_r_does():
    # the null model without drift beats every start; R's auto.arima then moves on *with* drift
    scores = {(0, 0, 0, 0, False): 500.0, (1, 0, 0, 0, True): 400.0, (1, 0, 0, 0, False): 450.0}
    search = _ScriptedSearch(scores)
    search.run()
    order = list(search.tried)
    assert order[:5] == [(2, 2, 1, 1, True), (0, 0, 0, 0, True), (1, 0, 1, 0, True), (0, 1, 0, 1, True),
                         (0, 0, 0, 0, False)]
    assert order[5][4] is True  # before: the moves went on without drift
    assert search.best_key == (1, 0, 0, 0, True)
