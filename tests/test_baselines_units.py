"""ETS and ARIMA fitted in standard units: forecasts follow the data's level and units."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import tsforecast as tsf
from tsforecast.baselines import ARIMA, ETS, AutoARIMA
from tsforecast.baselines._units import arima_params
from tsforecast.exceptions import FallbackWarning


def _seasonal(n: int = 48) -> pd.Series:
    t = np.arange(n)
    y = 10 + 0.1 * t + 2 * np.sin(2 * np.pi * t / 12) + np.random.default_rng(0).normal(0, 0.5, n)
    return pd.Series(y, index=pd.date_range("2020", periods=n, freq="MS"))


def _regression(n: int = 100, horizon: int = 5, seed: int = 0):
    """``y = 3 x + u``, ``u`` an AR(1) with coefficient 0.6; ``X`` runs ``horizon`` steps past ``y``."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"promo": rng.normal(size=n + horizon)})
    u = np.zeros(n + 50)
    for t in range(1, n + 50):
        u[t] = 0.6 * u[t - 1] + rng.normal()
    return pd.Series(3 * X["promo"].to_numpy()[:n] + u[50:], name="y"), X


def _coefficient(model: ARIMA, name: str) -> float:
    state = model.states_[0]["objects"][0]
    return float(state["params"][model._results(state).model.param_names.index(name)])


@pytest.mark.parametrize("model", [ARIMA(), ARIMA(order=(1, 1, 1)), ETS(),
                                   ETS(error="add", trend="add", damped_trend=False, seasonal="add", season_length=12)],
                         ids=["ARIMA", "ARIMA(1,1,1)", "ETS", "ETS-AAA"])
@pytest.mark.parametrize("scale", [1e-6, 1e6])
def test_forecasts_and_bands_follow_the_units_of_the_data(model, scale):
    y = _seasonal()
    base = model.fit(y).predict_quantiles(3, quantiles=[0.1, 0.9]).to_numpy()
    scaled = clone(model).fit(y * scale).predict_quantiles(3, quantiles=[0.1, 0.9]).to_numpy() / scale
    np.testing.assert_allclose(scaled, base, rtol=1e-4)


@pytest.mark.parametrize("model", [ARIMA(), ARIMA(order=(0, 1, 1)), ETS(error="add", trend="add", seasonal=None)],
                         ids=["ARIMA", "ARIMA(0,1,1)", "ETS-AAN"])
def test_forecasts_follow_a_shift_where_the_model_absorbs_it(model):
    y = _seasonal()
    base = model.fit(y).predict(3).to_numpy()
    np.testing.assert_allclose(clone(model).fit(y + 1e4).predict(3).to_numpy() - 1e4, base, atol=1e-4)


@pytest.mark.parametrize("level, scale", [(0.0, 1.0), (1e4, 1.0), (0.0, 1e-6), (1e4, 1e6)])
def test_regression_coefficient_and_forecasts_whatever_the_level_and_units(level, scale):
    y, X = _regression()
    n = len(y)
    base = ARIMA(order=(1, 0, 0)).fit(y, X.iloc[:n])
    model = ARIMA(order=(1, 0, 0)).fit(level + scale * y, X.iloc[:n])
    # the coefficient of the data's units, as users read it back
    assert _coefficient(model, "x1") / scale == pytest.approx(3.0, rel=0.05)
    np.testing.assert_allclose((model.predict(5, X).to_numpy() - level) / scale, base.predict(5, X).to_numpy(),
                               rtol=1e-4, atol=1e-4)
    width = model.predict_interval(5, X, levels=(80,))
    np.testing.assert_allclose((width["hi_80"] - width["lo_80"]).to_numpy() / scale,
                               (base.predict_interval(5, X, levels=(80,)).pipe(lambda b: b["hi_80"] - b["lo_80"])
                                .to_numpy()), rtol=1e-4)


def test_regressors_in_any_units_give_the_same_forecasts():
    y, X = _regression()
    n = len(y)
    base = ARIMA(order=(1, 0, 0)).fit(y, X.iloc[:n]).predict(5, X).to_numpy()
    for scale, shift in [(1e6, 0.0), (1e-6, 5.0)]:
        moved = X * scale + shift
        forecast = ARIMA(order=(1, 0, 0)).fit(y, moved.iloc[:n]).predict(5, moved).to_numpy()
        np.testing.assert_allclose(forecast, base, rtol=1e-4, atol=1e-4)


def _traffic(n: int = 200, horizon: int = 5):
    """``y = 140 + 40 (tb - 1) + noise``: a driver in terabytes near 1 (spread 0.05)."""
    rng = np.random.default_rng(0)
    tb = 1 + 0.05 * rng.normal(size=n + horizon)
    return pd.Series(100 + 40 * tb[:n] + rng.normal(size=n), name="y"), pd.DataFrame({"traffic": tb})


#: Units of a regressor as ``(factor, shift)``: bytes, epoch-like seconds, both, picoterabytes.
_UNITS = [(1e12, 0.0), (1.0, 1.7e9), (2e7, 1.7e9), (1e-12, 0.0)]


def _driven_walk(n: int = 80, horizon: int = 5):
    """``y = 20 + 2 z + w + noise``: a random-walk driver ``z``, ``w`` a random walk of
    its own (differenced once, with drift: the level of ``z`` is absorbed by the difference)."""
    rng = np.random.default_rng(7)
    z = rng.normal(size=n + horizon).cumsum()
    y = 20 + 2 * z[:n] + 0.5 * np.cumsum(rng.normal(size=n)) + rng.normal(size=n)
    return pd.Series(y, name="y"), pd.DataFrame({"driver": z})


#: Every fitting method of AutoARIMA.
_METHODS = ["css", "css-refit", "css-ml", "exact", "css-filter", "css-loglik-filter", "css-loglik-r"]


@pytest.mark.parametrize("data", [_traffic, _driven_walk], ids=["level", "walk"])
@pytest.mark.parametrize("make", [lambda: ARIMA(order=(1, 0, 0)), lambda: ARIMA(order=(1, 1, 0)),
                                  *[lambda m=m: AutoARIMA(method=m) for m in _METHODS]],
                         ids=["ARIMA", "ARIMA(1,1,0)", *[f"AutoARIMA-{m}" for m in _METHODS]])
def test_forecasts_with_a_regressor_do_not_depend_on_its_units_or_level(make, data):
    """In bytes (1e12 for 1 TB) the regressor beside the constant looked constant to the
    rank test (ARIMA fell back to the mean, warning it was constant) and left the mean a
    standard error of 1e-19 (AutoARIMA refused every model with it): forecasts 8 noise sd
    off. Shifted by 1.7e9 (epoch seconds) the mean and the regressor are nearly collinear.
    statsmodels' refit of "css-refit" and "css-ml" stopped elsewhere for a regressor in
    other units, and R's likelihood ("css-loglik-r") chose another model for one far from
    zero beside the drift."""
    y, X = data()
    n = len(y)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        base = make().fit(y, X.iloc[:n]).predict(5, X).to_numpy()
        for factor, shift in _UNITS:
            moved = X * factor + shift
            forecast = make().fit(y, moved.iloc[:n]).predict(5, moved).to_numpy()
            # a shift of 1.7e9 leaves the values of a spread of 0.05 ~1e-5 of it: no tighter
            np.testing.assert_allclose(forecast, base, rtol=0, atol=1e-4, err_msg=f"units {factor} + {shift}")


@pytest.mark.parametrize("extra", ["constant", "collinear"])
def test_a_constant_or_collinear_regressor_far_from_zero_is_still_left_out(extra):
    y, X = _traffic()
    n = len(y)
    moved = X * 1e12 + 1.7e9
    added = moved.assign(z=1.7e9) if extra == "constant" else moved.assign(z=2e12 * X["traffic"] - 5e9)
    for make in (lambda: ARIMA(order=(1, 0, 0)), lambda: AutoARIMA()):
        with pytest.warns(FallbackWarning, match=r"regressor column\(s\) \['z'\] constant over its training rows"):
            model = make().fit(y, added.iloc[:n])
        alone = make().fit(y, moved.iloc[:n])
        np.testing.assert_allclose(model.predict(5, added), alone.predict(5, moved), rtol=1e-9)


def test_stored_parameters_give_the_fit_back_in_standard_units():
    names = ["intercept", "x1", "ar.L1", "ar.S.L4", "ma.L1", "sigma2"]
    units = {"centre": 1e4, "scale": 3.0, "z_centre": np.array([2.0]), "z_scale": np.array([0.5])}
    standard = np.array([0.1, 0.9, 0.5, 0.2, 0.3, 0.4])
    for differenced in (False, True):
        original = arima_params(standard, names, units, differenced=differenced, to_original=True)
        assert original[1] == pytest.approx(0.9 * 3.0 / 0.5) and original[-1] == pytest.approx(0.4 * 9)
        back = arima_params(original, names, units, differenced=differenced, to_original=False)
        np.testing.assert_allclose(back, standard, rtol=1e-12)


def test_saved_fit_forecasts_alike_and_a_fit_saved_without_units_still_loads(tmp_path):
    y, X = _regression()
    n = len(y)
    model = ARIMA(order=(1, 0, 0)).fit(1e4 + y, X.iloc[:n])
    loaded = tsf.load(tsf.save(model, tmp_path / "arima.tsf"))
    pd.testing.assert_frame_equal(loaded.predict_interval(5, X), model.predict_interval(5, X), check_exact=True)
    # a state of the data's units alone (as saved before units were stored) forecasts from them
    state = loaded.states_[0]["objects"][0]
    for key in ("centre", "scale", "z_centre", "z_scale"):
        state.pop(key)
    np.testing.assert_allclose(loaded.predict(5, X), model.predict(5, X), rtol=1e-6)


def test_an_optimiser_that_did_not_converge_is_named(monkeypatch):
    from statsmodels.tsa.statespace.mlemodel import MLEModel

    fit = MLEModel.fit
    monkeypatch.setattr(MLEModel, "fit", lambda self, *args, **kwargs: fit(self, *args, **{**kwargs, "maxiter": 1}))
    y, X = _regression()
    with pytest.warns(FallbackWarning, match=r"ARIMA, series 'series': statsmodels' optimiser did not converge"):
        ARIMA(order=(2, 0, 1)).fit(y, X.iloc[: len(y)])


@pytest.mark.parametrize("seed", [0, 1, 8])
def test_a_differenced_arima_of_a_trending_series_reaches_statsmodels_best_fit_without_a_warning(seed):
    """Scaled by its levels' spread, a random walk with drift 10 left differences of 1e-3 for
    the optimiser, which stopped short (log-likelihood 14 units below statsmodels' own best,
    forecasts off by 3.5 noise sd) without a word; the differences' scale is used now, and
    statsmodels' 50 iterations, short of the boundary optimum (AR near 1, MA near -1), are 200."""
    from statsmodels.tsa.statespace.sarimax import SARIMAX

    y = pd.Series(100 + np.cumsum(10 + np.random.default_rng(seed).normal(size=150)))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)
        model = ARIMA(order=(1, 1, 1)).fit(y)
    space = SARIMAX(y.to_numpy(), order=(1, 1, 1), trend="n")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        best = space.fit(disp=False, maxiter=2000)
    assert space.loglike(model.states_[0]["objects"][0]["params"]) >= best.llf - 0.05
    np.testing.assert_allclose(model.predict(6).to_numpy(), best.forecast(6), atol=0.05)
