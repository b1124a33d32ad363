"""One contract, checked on every forecaster (as sktime's test_all_forecasters does).

Every forecaster fits a Series, a DataFrame and a long panel and answers in the same
form, indexed by the future timestamps; survives ``clone``; saves and loads to the same
forecasts; gives the same forecasts twice; and refuses bad input with a documented
error naming the argument.
"""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge

import tsforecast as tsf
from tsforecast import baselines
from tsforecast.exceptions import InputTypeError, InvalidInputError, InvalidParameterError, TsForecastError

SEASON = 4


def _forecasters() -> dict:
    """Every public forecaster class of tsforecast, with small settings."""
    out = {}
    for name in baselines.__all__:
        cls = getattr(baselines, name)
        if not (isinstance(cls, type) and issubclass(cls, tsf.forecasters.base.BaseForecaster)) or name == "LocalForecaster":
            continue
        params = cls().get_params()
        if "season_length" in params and name not in ("ETS",):
            out[name] = lambda cls=cls: cls(season_length=SEASON)
        else:
            out[name] = cls
    out["WindowForecaster(Ridge)"] = lambda: tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=3)
    out["WindowForecaster(LSTM)"] = lambda: tsf.WindowForecaster(
        tsf.EncoderDecoderLSTM(units=4, epochs=1, batch_size=16, validation_fraction=0.0, random_state=0),
        n_steps_in=6, n_steps_out=3)
    # Conformal intervals around a model without a distribution of its own: local and global.
    out["ConformalIntervals(Theta)"] = lambda: tsf.ConformalIntervals(
        baselines.Theta(season_length=SEASON), levels=(50, 80), horizon=3, n_windows=5)
    out["ConformalIntervals(Ridge)"] = lambda: tsf.ConformalIntervals(
        tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=3), levels=(50, 80), n_windows=5)
    # Combinations: of local baselines, and of a global window model with a local baseline.
    out["Combination(Naive, Theta)"] = lambda: tsf.Combination(
        [baselines.Naive(), baselines.Theta(season_length=SEASON)], weights=[0.3, 0.7])
    out["Combination(Ridge, Damped)"] = lambda: tsf.Combination(
        [tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=3),
         baselines.Damped(season_length=SEASON)], method="median")
    return out


FORECASTERS = _forecasters()
SLOW = {"WindowForecaster(LSTM)", "ETS", "ARIMA"}
PARAMS = [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in FORECASTERS]


def series(length: int = 48, start: float = 20.0, seed: int = 0, index: str = "datetime") -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    values = start + 0.05 * t + 2 * np.sin(2 * np.pi * t / SEASON) + rng.normal(0, 0.3, length)
    stamps = pd.date_range("2024-01-01", periods=length, freq="h") if index == "datetime" else pd.RangeIndex(length)
    return pd.Series(values, index=stamps, name="y")


def long_panel() -> pd.DataFrame:
    parts = {"a": series(48, seed=1), "b": series(40, start=50.0, seed=2)}
    return pd.concat(parts, names=["unique_id", "ds"]).reset_index()


def fit_predict(name: str, data, horizon: int = 3):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return FORECASTERS[name]().fit(data).predict(horizon)


def test_every_public_forecaster_is_checked():
    exported = {n for n in tsf.__all__ if isinstance(getattr(tsf, n), type)
                and issubclass(getattr(tsf, n), tsf.forecasters.base.BaseForecaster)}
    checked = {n.split("(")[0] for n in FORECASTERS}
    assert exported <= checked, f"forecasters without the contract checks: {sorted(exported - checked)}"


@pytest.mark.parametrize("name", PARAMS)
@pytest.mark.parametrize("index", ["datetime", "integer"])
def test_series_in_series_out_on_the_future_index(name, index):
    y = series(index=index)
    forecast = fit_predict(name, y)
    assert isinstance(forecast, pd.Series) and forecast.name == "y"
    expected = (pd.date_range(y.index[-1] + y.index.freq, periods=3, freq="h") if index == "datetime"
                else pd.RangeIndex(48, 51))
    pd.testing.assert_index_equal(forecast.index, expected, exact=False)
    assert np.isfinite(forecast.to_numpy()).all()


@pytest.mark.parametrize("name", PARAMS)
def test_frame_in_frame_out(name):
    forecast = fit_predict(name, series().to_frame())
    assert isinstance(forecast, pd.DataFrame) and list(forecast.columns) == ["y"] and len(forecast) == 3


@pytest.mark.parametrize("name", PARAMS)
def test_panel_in_panel_out(name):
    forecast = fit_predict(name, long_panel())
    assert list(forecast.columns[:2]) == ["unique_id", "ds"]
    assert forecast["unique_id"].tolist() == ["a"] * 3 + ["b"] * 3
    assert forecast["ds"].iloc[3] == pd.Timestamp("2024-01-01") + pd.Timedelta(hours=40)
    # A panel forecast of series "b" is the forecast of "b" alone, for models fitted per series.
    if not getattr(FORECASTERS[name](), "fits_globally", False):
        alone = fit_predict(name, series(40, start=50.0, seed=2))
        np.testing.assert_allclose(forecast["y"].iloc[3:].to_numpy(), alone.to_numpy(), rtol=1e-9)


@pytest.mark.parametrize("name", PARAMS)
def test_clone_gives_an_unfitted_twin(name):
    model = FORECASTERS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(series())
    twin = clone(model)
    assert twin.get_params() == FORECASTERS[name]().get_params() or repr(twin) == repr(FORECASTERS[name]())
    assert not [a for a in vars(twin) if a.endswith("_") and not a.startswith("__")]


@pytest.mark.parametrize("name", PARAMS)
def test_same_data_same_forecasts(name):
    first, second = fit_predict(name, long_panel()), fit_predict(name, long_panel())
    pd.testing.assert_frame_equal(first, second, check_exact=True)


@pytest.mark.parametrize("name", PARAMS)
def test_save_load_round_trip(name, tmp_path):
    model = FORECASTERS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(long_panel())
    path = tsf.save(model, tmp_path / "model.zip")
    loaded = tsf.load(path)
    assert type(loaded) is type(model)
    pd.testing.assert_frame_equal(loaded.predict(3), model.predict(3), check_exact=True)


@pytest.mark.parametrize("name", PARAMS)
def test_bad_input_is_refused_with_a_documented_error(name):
    model = FORECASTERS[name]()
    bad = series()
    bad.iloc[5] = np.nan
    with pytest.raises(InvalidInputError, match=r"non-finite.*2024-01-01 05:00:00"):
        model.fit(bad)
    with pytest.raises(InvalidInputError, match="duplicated timestamps"):
        model.fit(series().iloc[[0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]])
    with pytest.raises(InputTypeError, match="y"):
        model.fit("not a series")
    with pytest.raises(TsForecastError, match="horizon"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.fit(series()).predict(0)


LEVELS = (50, 80)  # 80% needs 4 calibration errors a step: within reach of 5 windows on 40 values


def _interval_model(name: str):
    """The model itself when it has a distribution; else wrapped in ConformalIntervals."""
    model = FORECASTERS[name]()
    if model.supports_quantiles:
        return model
    return tsf.ConformalIntervals(model, levels=LEVELS, horizon=3, n_windows=5)


@pytest.mark.parametrize("name", PARAMS)
def test_predict_interval_brackets_the_point_forecast_in_the_form_of_predict(name):
    data = long_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _interval_model(name).fit(data)
        point = model.predict(3)
        bands = model.predict_interval(3, levels=LEVELS)
    assert list(bands.columns) == ["unique_id", "ds", "y", "lo_50", "hi_50", "lo_80", "hi_80"]
    pd.testing.assert_frame_equal(bands[["unique_id", "ds", "y"]], point, check_exact=True)
    values = bands[["lo_80", "lo_50", "y", "hi_50", "hi_80"]].to_numpy()
    assert np.isfinite(values).all()
    assert (np.diff(values, axis=1) >= 0).all()  # nested, around the point forecast
    assert (values[:, -1] - values[:, 0] > 0).any()


@pytest.mark.parametrize("name", PARAMS)
def test_predict_interval_method_model_without_distribution_names_the_alternatives(name):
    model = FORECASTERS[name]()
    if model.supports_quantiles:
        pytest.skip("the model has its own forecast distribution")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(series())
    with pytest.raises(InvalidParameterError, match=r"method='conformal'.*ConformalIntervals\(.*levels=\[80.0, 95.0\]"):
        model.predict_interval(3, method="model")


@pytest.mark.parametrize("name", PARAMS)
def test_predict_interval_of_a_series_is_a_frame_on_the_future_index(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _interval_model(name).fit(series())
    bands = model.predict_interval(3, levels=LEVELS)
    assert isinstance(bands, pd.DataFrame) and list(bands.columns) == ["y", "lo_50", "hi_50", "lo_80", "hi_80"]
    pd.testing.assert_index_equal(bands.index, model.predict(3).index)


# --------------------------------------------------------------------------- the array contract
@pytest.mark.parametrize("name", PARAMS)
def test_forecast_arrays_is_what_predict_and_predict_interval_answer(name):
    """``forecast_arrays`` is the one contract: ``predict`` is its point array in the
    user's form, ``predict_interval`` its quantile array at the interval bounds."""
    model = FORECASTERS[name]().fit(long_panel())
    out = model.forecast_arrays(3)
    assert isinstance(out, tsf.forecasters.base.Forecast)
    assert out.point.shape == (2, 3, 1) and out.quantiles is None and out.levels == ()
    assert out.series_ids == ["a", "b"] and out.targets == ["y"]
    predicted = model.predict(3)
    np.testing.assert_array_equal(predicted["y"].to_numpy().reshape(2, 3), out.point[:, :, 0])
    if not model.supports_quantiles:
        with pytest.raises(InvalidParameterError, match="quantiles"):
            model.forecast_arrays(3, quantiles=[0.1, 0.9])
        return
    bands = model.forecast_arrays(3, quantiles=[0.9, 0.1])  # sorted on the way in
    assert bands.levels == (0.1, 0.9) and bands.quantiles.shape == (2, 3, 1, 2)
    np.testing.assert_array_equal(bands.point, out.point)
    assert (bands.quantiles[..., 0] <= bands.quantiles[..., 1]).all()
    interval = model.predict_interval(3, levels=(80,))
    np.testing.assert_array_equal(interval["lo_80"].to_numpy().reshape(2, 3), bands.quantiles[:, :, 0, 0])
    np.testing.assert_array_equal(interval["hi_80"].to_numpy().reshape(2, 3), bands.quantiles[:, :, 0, 1])
    auto = model.forecast_arrays(3, quantiles="auto")
    assert len(auto.levels) >= 1 and auto.quantiles.shape == (2, 3, 1, len(auto.levels))


def covariate_panel(n_series: int = 3, length: int = 40) -> pd.DataFrame:
    """A long panel whose ``x`` column leads ``y`` by one step (a useful covariate)."""
    rng = np.random.default_rng(5)
    frames = []
    for i in range(n_series):
        x = rng.normal(0, 1, length + 1)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024", periods=length, freq="D"),
                                    "y": 10 * (i + 1) + 3 * x[:-1], "x": x[1:]}))
    return pd.concat(frames, ignore_index=True)


@pytest.mark.parametrize("n_series", [1, 3])
@pytest.mark.parametrize("members", ["window", "window+theta", "theta+window"])
def test_combination_of_a_window_model_with_a_covariate_column(n_series, members):
    """A window member fitted with a covariate column forecasts ``y`` only (``x`` is an
    input); the combination forecasts the columns every member forecasts (it reshaped
    the member's one column into two before)."""
    data = covariate_panel(n_series)
    window = tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=3, targets="y", covariates=["x"])
    theta = baselines.Theta(season_length=SEASON)
    chosen = {"window": [window], "window+theta": [window, theta], "theta+window": [theta, window]}[members]
    model = tsf.Combination(chosen).fit(data)
    got = model.predict(3)
    assert list(got.columns) == ["unique_id", "ds", "y"] and len(got) == 3 * n_series
    alone = [clone(m).fit(data).forecast_arrays(3) for m in chosen]
    expected = np.mean([a.point[:, :, a.targets.index("y")] for a in alone], axis=0)
    np.testing.assert_allclose(got["y"].to_numpy().reshape(n_series, 3), expected, rtol=0, atol=1e-12)
    assert model.target_columns(["y", "x"]) == ["y"]


def test_combination_of_members_without_a_common_column_is_refused():
    data = covariate_panel()
    only_x = tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=3, targets="x", covariates=["y"])
    only_y = tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=3, targets="y", covariates=["x"])
    with pytest.raises(InvalidInputError, match="no forecast column in common"):
        tsf.Combination([only_x, only_y]).fit(data)


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ["y", "x"]),
    ({"targets": "y"}, ["y"]),
    ({"covariates": ["x"]}, ["y"]),
    ({"future_covariates": "x"}, ["y"]),
    ({"targets": ["x"], "covariates": "y"}, ["x"]),
])
def test_target_columns_are_those_fit_forecasts(params, expected):
    """``target_columns`` (known before fitting: Dask metadata) names what ``fit`` decides."""
    model = tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=3, **params)
    assert model.target_columns(["y", "x"]) == expected
    X = None
    if "future_covariates" in params:
        X = covariate_panel()[["unique_id", "ds", "x"]]
        data = covariate_panel()[["unique_id", "ds", "y"]]
        future = X.assign(ds=X["ds"] + pd.Timedelta(days=40))
        fitted = model.fit(data, X)
        assert fitted.forecast_arrays(3, X=pd.concat([X, future])).targets == expected
    else:
        assert model.fit(covariate_panel()).forecast_arrays(3).targets == expected
    assert baselines.Naive().target_columns(["y", "x"]) == ["y", "x"]


# --------------------------------------------------------------------------- declared parameters
def _registered_estimators() -> dict:
    """Every saveable class of the registry with constructor parameters (forecasters, the
    LSTM and its ensemble): each declares them in ``_parameter_constraints``."""
    from tsforecast._registry import CLASSES

    out = {}
    for name, entry in CLASSES.items():
        if entry.forecaster or name in ("EncoderDecoderLSTM", "MedianEnsemble"):
            out[name] = getattr(tsf, name) if entry.public else None
    return out


@pytest.mark.parametrize("name", sorted(_registered_estimators()))
def test_parameter_constraints_declare_exactly_the_init_parameters(name):
    import inspect

    cls = _registered_estimators()[name]
    signature = [p for p in inspect.signature(cls.__init__).parameters if p != "self"]
    assert list(cls._parameter_constraints) == signature, (
        f"{name}._parameter_constraints {list(cls._parameter_constraints)} against __init__ {signature}")


@pytest.mark.parametrize(("model", "argument", "value", "error"), [
    (lambda: baselines.SeasonalNaive(season_length=0), "season_length", "0", InvalidParameterError),
    (lambda: baselines.Naive(fill="mean"), "fill", "'mean'", InvalidParameterError),
    (lambda: baselines.TSB(alpha_d=1.5), "alpha_d", "1.5", InvalidParameterError),
    (lambda: tsf.WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=3, max_windows=0), "max_windows", "0",
     InvalidParameterError),
    (lambda: tsf.Combination([baselines.Naive()], method="mode"), "method", "'mode'", InvalidParameterError),
    (lambda: tsf.ConformalIntervals(baselines.Naive(), pooling="all"), "pooling", "'all'", InvalidParameterError),
    (lambda: tsf.ConformalIntervals(baselines.Naive(), refit="no"), "refit", "'no'", InputTypeError),
])
def test_the_one_validator_refuses_in_fit_naming_argument_and_value(model, argument, value, error):
    """``__init__`` stores anything (scikit-learn's rule); ``fit`` refuses, naming both."""
    estimator = model()
    with pytest.raises(error, match=rf"{argument}.*{re.escape(value)}"):
        estimator.fit(series())


def test_a_declaration_that_misses_a_parameter_is_caught_by_the_validator():
    from tsforecast.core.params import Integer, validate_params

    class Sloppy(baselines.SeasonalNaive):
        _parameter_constraints = {"season_length": Integer(minimum=1)}

    with pytest.raises(TypeError, match="n_jobs"):
        validate_params(Sloppy())


# --------------------------------------------------------------------------- capabilities keep their promises
CAPABILITIES = ("supports_quantiles", "uses_covariates", "fits_globally", "computes_on_panel")


def test_capabilities_are_declared_once_on_the_base_class():
    """The flags every forecaster answers, with their defaults, live on BaseForecaster only;
    ``reference_priority`` is the report's choice, not a model's."""
    for flag in CAPABILITIES:
        assert getattr(tsf.forecasters.base.BaseForecaster, flag) is False
    for name in FORECASTERS:
        model = FORECASTERS[name]()
        assert not hasattr(model, "reference_priority")
        assert all(isinstance(getattr(model, flag), bool) for flag in CAPABILITIES)


@pytest.mark.parametrize("name", PARAMS)
def test_supports_quantiles_promises_quantile_methods(name):
    model = FORECASTERS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(long_panel())
    if not model.supports_quantiles:
        with pytest.raises(InvalidParameterError, match="supports_quantiles"):
            model.predict_quantiles(3, quantiles=[0.1, 0.9])
        return
    frame = model.predict_quantiles(3, quantiles=[0.1, 0.9])
    assert {"q0.1", "q0.9"} <= set(frame.columns) and np.isfinite(frame[["q0.1", "q0.9"]].to_numpy()).all()
    assert (frame["q0.1"] <= frame["q0.9"]).all()


@pytest.mark.parametrize("name", PARAMS)
def test_uses_covariates_promises_that_X_is_taken_and_its_absence_that_X_is_refused(name):
    data = covariate_panel()
    y, X = data[["unique_id", "ds", "y"]], data[["unique_id", "ds", "x"]]
    model = FORECASTERS[name]()
    if not model.uses_covariates:
        with pytest.raises(InvalidParameterError, match=r"X must be None"):
            model.fit(y, X)
        return
    fit_rows = data["ds"] < data["ds"].max() - pd.Timedelta(days=2)  # X runs 3 steps past y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(y[fit_rows], X)
    future = list(getattr(model, "future_covariates_", None) or model.declared_covariates()[1])
    # future-known covariates are given for the forecast steps; past ones are not needed
    assert model.forecast_arrays(3, X if future else None).point.shape == (3, 3, 1)


def _series_b_after_a_changes(name):
    """Forecasts of series ``b`` in a panel fit, and in a fit where series ``a`` is another."""
    panel = long_panel()
    other = panel.assign(y=np.where(panel["unique_id"] == "a", panel["y"] * 3.0 + 40.0, panel["y"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        first = FORECASTERS[name]().fit(panel).forecast_arrays(3).point[1]
        second = FORECASTERS[name]().fit(other).forecast_arrays(3).point[1]
    return first, second


def _where(flag: str, value: bool) -> list:
    """The PARAMS whose forecaster's capability ``flag`` is ``value`` (chosen at collection:
    no skip at run time)."""
    def name(param):
        return param if isinstance(param, str) else param.values[0]

    return [param for param in PARAMS if bool(getattr(FORECASTERS[name(param)](), flag)) is value]


@pytest.mark.parametrize("name", _where("fits_globally", False))
def test_fits_globally_false_promises_series_fitted_alone(name):
    """A local model's forecast of a series depends on that series only (a global one may
    learn from the others: the backtest then fits it once a fold, on all series)."""
    first, second = _series_b_after_a_changes(name)
    np.testing.assert_allclose(first, second, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("name", _where("computes_on_panel", True))
def test_computes_on_panel_promises_fit_on_a_panel_object(name):
    """``computes_on_panel``: ``fit`` takes the internal Panel itself (the backtest hands it
    chunks of series so) and forecasts as from the user's frame."""
    from tsforecast.core.panel import as_panel

    model = FORECASTERS[name]()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_panel = model.fit(as_panel(long_panel(), "y")).forecast_arrays(3)
        from_frame = FORECASTERS[name]().fit(long_panel()).forecast_arrays(3)
    np.testing.assert_array_equal(from_panel.point, from_frame.point)
    assert from_panel.series_ids == from_frame.series_ids


@pytest.mark.parametrize("name", PARAMS)
def test_forecast_arrays_are_float64_arrays_in_the_declared_order(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = FORECASTERS[name]().fit(long_panel()).forecast_arrays(2)
    assert isinstance(out.point, np.ndarray) and out.point.dtype == np.float64 and out.point.shape == (2, 2, 1)
    assert out.series_ids == ["a", "b"] and out.targets == ["y"] and np.isfinite(out.point).all()
