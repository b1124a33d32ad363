"""The fixed-order ARIMA with regressors: regression with ARIMA errors through SARIMAX's exog."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import tsforecast as tsf
from tsforecast import backtest
from tsforecast.baselines import ARIMA, AutoARIMA
from tsforecast.exceptions import (FallbackWarning, InsufficientDataError, InvalidInputError, InvalidParameterError,
                                   UnknownColumnError)


def regression_data(n: int = 300, horizon: int = 10, seed: int = 3):
    """``y = 3 x + u``, ``u`` an AR(1) with coefficient 0.6; ``X`` runs ``horizon`` steps past ``y``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=2.0, size=n + horizon)
    shocks = rng.normal(size=n + 50)
    u = np.zeros(n + 50)
    for t in range(1, n + 50):
        u[t] = 0.6 * u[t - 1] + shocks[t]
    index = pd.date_range("2024-01-01", periods=n + horizon, freq="D")
    return pd.Series(3 * x[:n] + u[50:], index=index[:n], name="y"), pd.DataFrame({"x": x}, index=index)


def coefficient(model: ARIMA) -> float:
    """The fitted coefficient of the one regressor (SARIMAX names it ``x1``)."""
    state = model.states_[0]["objects"][0]
    return float(state["params"][model._results(state).model.param_names.index("x1")])


def test_recovers_the_coefficient_and_forecasts_with_the_future_x():
    y, X = regression_data()
    model = ARIMA(order=(1, 0, 0)).fit(y, X.iloc[: len(y)])
    beta = coefficient(model)
    assert model.future_covariates_ == ["x"] and beta == pytest.approx(3.0, rel=0.05)
    forecast = model.predict(10, X)
    shifted = X.copy()
    shifted.iloc[len(y):, 0] += 1.0
    # The forecast moves by the coefficient times the change in the future x, step by step.
    np.testing.assert_allclose(model.predict(10, shifted) - forecast, beta, rtol=1e-6)
    assert np.abs(forecast.to_numpy() - 3 * X["x"].to_numpy()[len(y):]).max() < 5
    # Without the regressor the model is the plain AR(1), which cannot follow x.
    plain = ARIMA(order=(1, 0, 0)).fit(y).predict(10)
    assert np.abs(plain.to_numpy() - 3 * X["x"].to_numpy()[len(y):]).mean() > 2
    with pytest.raises(InsufficientDataError, match=r"X lacks 5 of the 10 forecast timestamps"):
        model.predict(10, X.iloc[: len(y) + 5])


def test_differenced_model_with_regressor_is_a_regression_with_arima_errors():
    y, X = regression_data(seed=4)
    walk = y + np.cumsum(np.random.default_rng(0).normal(size=len(y)))
    model = ARIMA(order=(0, 1, 1)).fit(walk, X.iloc[: len(y)])
    assert coefficient(model) == pytest.approx(3.0, rel=0.05)


def test_intervals_widen_with_the_horizon_and_hold_the_point_forecast():
    y, X = regression_data()
    model = ARIMA(order=(1, 0, 0)).fit(y, X.iloc[: len(y)])
    bands = model.predict_interval(5, X, levels=(80,))
    np.testing.assert_allclose(bands["y"], model.predict(5, X))
    width = (bands["hi_80"] - bands["lo_80"]).to_numpy()
    assert (np.diff(width) > 0).all()
    quantiles = model.predict_quantiles(5, X, quantiles=[0.1, 0.5, 0.9])
    np.testing.assert_allclose(quantiles.iloc[:, 1], bands["y"])


def test_saved_and_loaded_with_its_regressors(tmp_path):
    y, X = regression_data(150)
    model = ARIMA(order=(1, 0, 0), future_covariates="x").fit(y, X.iloc[: len(y)])
    loaded = tsf.load(tsf.save(model, tmp_path / "arima.zip"))
    assert loaded.future_covariates_ == ["x"]
    pd.testing.assert_frame_equal(loaded.predict_interval(5, X), model.predict_interval(5, X), check_exact=True)


def test_backtest_passes_the_declared_future_regressor_of_each_fold():
    y, X = regression_data(120, horizon=0)
    data = pd.concat([y, X], axis=1)
    model = ARIMA(order=(1, 0, 0), future_covariates=["x"])
    assert model.declared_covariates() == ([], ["x"]) and not model.computes_on_panel
    assert ARIMA().computes_on_panel and ARIMA().declared_covariates() == ([], [])
    result = backtest(model, data, horizon=4, cv=2, progress=False)
    for fold, cutoff in enumerate([111, 115]):
        alone = ARIMA(order=(1, 0, 0)).fit(y.iloc[: cutoff + 1], X.iloc[: cutoff + 1])
        expected = alone.predict(4, X.iloc[: cutoff + 5]).to_numpy()
        np.testing.assert_allclose(result.forecasts.loc[result.forecasts["fold"] == fold, "y_hat"], expected)


def test_conformal_intervals_with_regressors_come_from_the_wrapper():
    y, X = regression_data(150)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped = tsf.ConformalIntervals(ARIMA(order=(1, 0, 0), future_covariates="x"), levels=(80,),
                                         horizon=5, n_windows=5).fit(y, X.iloc[:150])
    model = ARIMA(order=(1, 0, 0)).fit(y, X.iloc[:150])
    bands = wrapped.predict_interval(5, X)
    pd.testing.assert_series_equal(bands["y"], model.predict(5, X), check_names=False)
    assert (bands["lo_80"] < bands["y"]).all() and (bands["y"] < bands["hi_80"]).all()


def test_panel_regressors_are_each_series_own():
    (y1, X1), (y2, X2) = regression_data(200, seed=5), regression_data(160, seed=6)
    y2 = (-2 / 3) * y2
    y = pd.concat({"a": y1, "b": y2}, names=["unique_id", "ds"]).rename("y").reset_index()
    X = pd.concat({"b": X2["x"], "a": X1["x"]}, names=["unique_id", "ds"]).rename("x").reset_index()
    model = ARIMA(order=(1, 0, 0)).fit(y, X)
    forecast = model.predict(10, X)
    shifted = X.copy()
    shifted.loc[shifted["unique_id"] == "b", "x"] += 1.0
    moved = (model.predict(10, shifted)["y"] - forecast["y"]).to_numpy().reshape(2, 10)
    np.testing.assert_allclose(moved[0], 0.0, atol=1e-9)
    np.testing.assert_allclose(moved[1], -2.0, rtol=0.05)


def test_bad_regressor_arguments_are_named():
    y, X = regression_data(60)
    with pytest.raises(InvalidParameterError, match=r"future_covariates must be None.*got 3"):
        ARIMA(future_covariates=3).fit(y)
    with pytest.raises(UnknownColumnError, match=r"future_covariates names column\(s\) \['z'\]"):
        ARIMA(future_covariates=["z"]).fit(y, X.iloc[:60])
    with pytest.raises(InsufficientDataError, match=r"X"):
        ARIMA().fit(y, X.iloc[:60]).predict(3)


def test_regressors_never_silently_left_out():
    """Regressors named but not given, given where they are forecast, or given to a model
    fitted without them: each an error naming the fix (each was dropped without a word)."""
    y, X = regression_data(60)
    with pytest.raises(UnknownColumnError, match=r"future_covariates names column\(s\) \['x'\], but X is None"):
        ARIMA(future_covariates=["x"]).fit(y)
    frame = pd.concat([y, X.iloc[:60]], axis=1)  # the regressor as a column of y
    with pytest.raises(InvalidInputError, match=r"\['x'\], column\(s\) of y.*fit\(y\[\['y'\]\], X=y\[\['x'\]\]\)"):
        ARIMA(future_covariates="x").fit(frame)
    with pytest.raises(InvalidParameterError, match=r"X must be None: this ARIMA was fitted without regressors"):
        ARIMA(order=(1, 0, 0)).fit(y).predict(3, X)


def test_backtest_future_covariates_reach_a_model_that_names_none():
    """``backtest(future_covariates=...)`` passes them to a regression model left at
    ``future_covariates=None`` (it was fitted on the target alone), as to one naming them."""
    y, X = regression_data(120, horizon=0)
    data = pd.concat([y, X], axis=1)
    named = backtest(ARIMA(order=(1, 0, 0), future_covariates=["x"]), data, horizon=4, cv=2, progress=False)
    unnamed = backtest(ARIMA(order=(1, 0, 0)), data, future_covariates="x", horizon=4, cv=2, progress=False)
    plain = backtest(ARIMA(order=(1, 0, 0)), data, target="y", horizon=4, cv=2, progress=False)
    np.testing.assert_allclose(unnamed.forecasts["y_hat"], named.forecasts["y_hat"])
    assert not np.allclose(plain.forecasts["y_hat"], named.forecasts["y_hat"])
    assert unnamed.info["models"]["ARIMA"]["params"]["future_covariates"] == "['x']"


@pytest.mark.parametrize("extra", ["constant", "collinear"])
def test_a_regressor_that_adds_nothing_is_left_out_with_a_warning(extra):
    """A constant column (a holiday flag without a holiday in the training rows) made every
    AutoARIMA candidate fail (a flat Naive forecast); a collinear one split the effect
    arbitrarily. Left out of that series' regression, said, and forecasts as without it."""
    from tsforecast.baselines import AutoARIMA

    y, X = regression_data(120)
    added = X.assign(z=1.0) if extra == "constant" else X.assign(z=2 * X["x"])
    for make in (lambda: ARIMA(order=(1, 0, 0)), lambda: AutoARIMA()):
        with pytest.warns(FallbackWarning, match=r"regressor column\(s\) \['z'\] constant over its training rows, or"):
            model = make().fit(y, added.iloc[:120])
        alone = make().fit(y, X.iloc[:120])
        np.testing.assert_allclose(model.predict(10, added), alone.predict(10, X), rtol=1e-9)
        assert model.future_covariates_ == ["x", "z"]


@pytest.mark.parametrize("level", [5.0, 0.0])
def test_a_target_the_regressors_explain_exactly_is_forecast_exactly(level):
    # every ARIMA candidate has zero variance there and was refused: the search ended on a
    # (0,0,5) model without a mean that forecast 4.3, 3.2, 2.0 for a series of fives
    rng = np.random.default_rng(8)
    index = pd.date_range("2024-01-01", periods=63, freq="D")
    X = pd.DataFrame({"promo": (rng.random(63) < 0.3).astype(float)}, index=index)
    X.iloc[60:, 0] = [1.0, 1.0, 0.0]
    y = (level + 2 * X["promo"].iloc[:60]).rename("y")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = AutoARIMA().fit(y, X)
    np.testing.assert_allclose(model.predict(3, X).to_numpy(), [level + 2, level + 2, level], atol=1e-9)
    assert model.orders_.iloc[0][["p", "q", "P", "Q"]].tolist() == [0, 0, 0, 0]


def test_columns_of_x_not_named_as_regressors_are_not_read():
    y, X = regression_data(n=120)
    X = X.assign(note="text")  # a column of text that no regression reads
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = AutoARIMA(future_covariates=["x"]).fit(y, X)
        plain = AutoARIMA(future_covariates=["x"]).fit(y, X[["x"]])
    np.testing.assert_allclose(fitted.predict(5, X).to_numpy(), plain.predict(5, X[["x"]]).to_numpy())


def test_a_regressor_naming_the_target_itself_is_refused_without_unusable_advice():
    y, _ = regression_data(n=60)
    with pytest.raises(InvalidInputError, match="the column\\(s\\) of y that AutoARIMA would forecast") as error:
        AutoARIMA(future_covariates="y").fit(y.to_frame())
    assert "y[[]]" not in str(error.value)


def test_a_panel_backtest_names_each_series_in_its_fallback_notes():
    """Fitted one series at a time on a pandas Series, every series was named by the single
    series' placeholder 'series', and two series with the same fallback were one note."""
    rng = np.random.default_rng(0)
    index = pd.date_range("2024-01-01", periods=60, freq="D")
    price = pd.Series(10 + rng.normal(size=60), index=index)
    flat = pd.Series(10.0, index=index)  # a constant regressor: left out, with a note
    data = {"a": pd.DataFrame({"y": 20 - price + rng.normal(size=60), "price": price}),
            "b": pd.DataFrame({"y": 30 - flat + rng.normal(size=60), "price": flat}),
            "c": pd.DataFrame({"y": 40 - flat + rng.normal(size=60), "price": flat})}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = backtest({"arima": ARIMA(order=(1, 0, 0), future_covariates="price")}, data, target="y",
                          horizon=3, cv=2, progress=False)
    for notes in result.info["fallback_notes"]["arima"].values():
        assert sorted(n.split(":")[0] for n in notes) == ["ARIMA, series 'b'", "ARIMA, series 'c'"]
