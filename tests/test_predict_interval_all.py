"""predict_interval on every registered forecaster (issue 13): the model's own
distribution where it has one, conformal calibration on its own training data otherwise
or when asked (``method="conformal"``), in the form of ``predict``.

The conformal bounds must be exactly those of :class:`tsforecast.ConformalIntervals` with
the same settings, read only the data the model was fitted on, be cached on the fitted
model, and survive save/load as documented in :mod:`tsforecast.forecasters.calibration`.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import Ridge

import tsforecast as tsf
from tsforecast import baselines
from tsforecast._registry import forecaster_names
from tsforecast.exceptions import InputTypeError, InsufficientDataError, InvalidParameterError
from tsforecast.forecasters.calibration import calibration_refits

SEASON = 4
HORIZON = 3
LEVELS = (50, 80)  # 80% needs 4 calibration errors a step: within reach of 5 windows
N_WINDOWS = 5
COLUMNS = ["y", "lo_50", "hi_50", "lo_80", "hi_80"]


def _ridge():
    return tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=HORIZON)


def _lstm():
    return tsf.WindowForecaster(
        tsf.EncoderDecoderLSTM(units=4, epochs=1, batch_size=16, validation_fraction=0.0, random_state=0),
        n_steps_in=6, n_steps_out=HORIZON)


def _forecasters() -> dict:
    """Every registered public forecaster, with small settings (as tests/test_contract.py)."""
    out = {}
    for name in forecaster_names():
        cls = getattr(tsf, name)
        if name == "WindowForecaster":
            out["WindowForecaster(Ridge)"] = _ridge
            out["WindowForecaster(LSTM)"] = _lstm
        elif name == "ConformalIntervals":
            out["ConformalIntervals(Theta)"] = lambda: tsf.ConformalIntervals(
                baselines.Theta(season_length=SEASON), levels=LEVELS, horizon=HORIZON, n_windows=N_WINDOWS)
        elif name == "Combination":  # of local baselines, and of a global window model with a local baseline
            out["Combination(Naive, Theta)"] = lambda: tsf.Combination(
                [baselines.Naive(), baselines.Theta(season_length=SEASON)], weights=[0.3, 0.7])
            out["Combination(Ridge, Damped)"] = lambda: tsf.Combination(
                [_ridge(), baselines.Damped(season_length=SEASON)], method="median")
        elif "season_length" in cls().get_params() and name != "ETS":
            out[name] = lambda cls=cls: cls(season_length=SEASON)
        else:
            out[name] = cls
    return out


FORECASTERS = _forecasters()
SLOW = {"WindowForecaster(LSTM)", "ETS", "ARIMA"}
PARAMS = [pytest.param(name, marks=pytest.mark.slow) if name in SLOW else name for name in FORECASTERS]
FAST = [name for name in FORECASTERS if name not in SLOW]


def series(length: int = 48, start: float = 20.0, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    t = np.arange(length)
    values = start + 0.05 * t + 2 * np.sin(2 * np.pi * t / SEASON) + rng.normal(0, 0.3, length)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=length, freq="h"), name="y")


def series_dict() -> dict:
    return {"a": series(48, seed=1), "b": series(40, start=50.0, seed=2)}


def long_panel() -> pd.DataFrame:
    return pd.concat(series_dict(), names=["unique_id", "ds"]).reset_index()


def _fit(name: str, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return FORECASTERS[name]().fit(data)


def _bands(model, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.predict_interval(HORIZON, levels=LEVELS, n_windows=N_WINDOWS, **kwargs)


def _check_nested(frame: pd.DataFrame) -> None:
    values = frame[["lo_80", "lo_50", "y", "hi_50", "hi_80"]].to_numpy()
    assert np.isfinite(values).all()
    assert (np.diff(values, axis=1) >= 0).all()  # 80 contains 50, both around the point forecast
    assert (values[:, -1] - values[:, 0] > 0).any()


def test_every_registered_forecaster_is_checked():
    checked = {name.split("(")[0] for name in FORECASTERS}
    assert set(forecaster_names()) <= checked


# -- the form of predict, for every model ---------------------------------------------------
@pytest.mark.parametrize("name", PARAMS)
def test_long_panel_in_long_panel_out(name):
    model = _fit(name, long_panel())
    bands = _bands(model)
    assert list(bands.columns) == ["unique_id", "ds", *COLUMNS]
    pd.testing.assert_frame_equal(bands[["unique_id", "ds", "y"]], model.predict(HORIZON), check_exact=True)
    _check_nested(bands)


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("form", ["series", "frame"])
def test_series_or_frame_in_frame_out_on_the_future_index(name, form):
    y = series() if form == "series" else series().to_frame()
    model = _fit(name, y)
    bands = _bands(model)
    assert isinstance(bands, pd.DataFrame) and list(bands.columns) == COLUMNS
    point = model.predict(HORIZON)
    pd.testing.assert_index_equal(bands.index, point.index)
    np.testing.assert_array_equal(bands["y"].to_numpy(), np.asarray(point).ravel())
    _check_nested(bands)


@pytest.mark.parametrize("name", FAST)
def test_dict_in_dict_out(name):
    model = _fit(name, series_dict())
    bands = _bands(model)
    assert isinstance(bands, dict) and list(bands) == ["a", "b"]
    point = model.predict(HORIZON)
    for key, frame in bands.items():
        assert list(frame.columns) == COLUMNS
        pd.testing.assert_index_equal(frame.index, point[key].index)
        _check_nested(frame)


# -- which source, and the same bounds as ConformalIntervals ---------------------------------
@pytest.mark.parametrize("name", PARAMS)
def test_conformal_bounds_are_those_of_conformal_intervals(name):
    if name.startswith("ConformalIntervals"):
        pytest.skip("already conformal")
    data = long_panel()
    own = _bands(_fit(name, data), method="conformal")
    model = FORECASTERS[name]()
    wrapper = tsf.ConformalIntervals(model, levels=LEVELS, horizon=HORIZON, n_windows=N_WINDOWS,
                                     refit=calibration_refits(model))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = wrapper.fit(data).predict_interval(HORIZON)
    pd.testing.assert_frame_equal(own, expected, check_exact=True)


@pytest.mark.parametrize("name", FAST)
def test_auto_is_the_model_distribution_where_there_is_one_else_conformal(name):
    model = _fit(name, long_panel())
    auto = _bands(model)
    if model.supports_quantiles:
        pd.testing.assert_frame_equal(auto, _bands(model, method="model"), check_exact=True)
    else:
        pd.testing.assert_frame_equal(auto, _bands(model, method="conformal"), check_exact=True)
        with pytest.raises(InvalidParameterError, match="method='conformal'"):
            model.predict_interval(HORIZON, levels=LEVELS, method="model")


def test_conformal_differs_from_the_analytic_intervals_when_asked():
    model = _fit("Naive", long_panel())
    assert not _bands(model, method="conformal").equals(_bands(model, method="model"))


def test_window_model_defaults_to_its_own_horizon():
    model = _fit("WindowForecaster(Ridge)", long_panel())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bands = model.predict_interval(levels=LEVELS, n_windows=N_WINDOWS)
    pd.testing.assert_frame_equal(bands, _bands(model), check_exact=True)


# -- leakage: calibration reads only the training data ----------------------------------------
class _Log:
    """Each fit or update of a recording model: ``(kind, [(series, last timestamp), ...])``."""

    calls: list = []


def _last_stamps(model) -> list:
    """The last timestamp of every series of the panel fitted (a stacked calibration
    panel repeats a series once per window, so not keyed by id)."""
    return [(key, model.time_axis_.series_index(row, int(model.n_obs_[row]) - 1, 1)[0])
            for row, key in enumerate(model.series_ids_)]


class RecordingTheta(baselines.Theta):
    """Theta that logs the end of every series it is fitted on (clones log too)."""

    def fit(self, y, X=None):
        super().fit(y, X)
        _Log.calls.append(("fit", _last_stamps(self)))
        return self


class RecordingWindows(tsf.WindowForecaster):
    """A global window model that logs its fits and updates (the refit=False path)."""

    def fit(self, y, X=None):
        super().fit(y, X)
        _Log.calls.append(("fit", _last_stamps(self)))
        return self

    def update(self, y, X=None):
        super().update(y, X)
        _Log.calls.append(("update", _last_stamps(self)))
        return self


def _recording(kind: str):
    if kind == "local":
        return RecordingTheta(season_length=SEASON)
    return RecordingWindows(Ridge(alpha=1.0), n_steps_in=6, n_steps_out=HORIZON)


@pytest.mark.parametrize("kind", ["local", "global"])
def test_calibration_windows_end_inside_the_training_data(kind):
    full = {key: series(60, start=start, seed=seed) for key, start, seed in (("a", 20.0, 1), ("b", 50.0, 2))}
    train = {key: s.iloc[:48] for key, s in full.items()}
    end = {key: s.index[-1] for key, s in train.items()}
    model = _recording(kind).fit(train)
    _Log.calls.clear()
    first = _bands(model)
    calls = list(_Log.calls)
    assert calls, "the calibration fitted nothing"
    for _, stamps in calls:
        for key, last in stamps:
            # Every calibration model stops at least `horizon` steps before the training end:
            # the steps it forecasts are known training values.
            assert last <= end[key] - pd.Timedelta(hours=HORIZON), (key, last)
    assert list(first) == ["a", "b"]


def test_global_models_calibrate_with_one_extra_fit_and_updates():
    model = _recording("global").fit(long_panel())
    _Log.calls.clear()
    _bands(model)
    kinds = [kind for kind, _ in _Log.calls]
    assert kinds.count("fit") == 1 and kinds.count("update") == N_WINDOWS


# -- caching --------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["local", "global"])
def test_calibration_is_cached_across_calls_and_levels(kind):
    model = _recording(kind).fit(long_panel())
    _Log.calls.clear()
    first = _bands(model)
    n_fits = len(_Log.calls)
    assert n_fits > 0
    again = _bands(model)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        narrow = model.predict_interval(HORIZON, levels=(50,), n_windows=N_WINDOWS)
    assert len(_Log.calls) == n_fits, "a second call refitted"
    pd.testing.assert_frame_equal(again, first, check_exact=True)
    np.testing.assert_array_equal(narrow["lo_50"].to_numpy(), first["lo_50"].to_numpy())
    _bands(model, method="conformal")
    assert len(_Log.calls) == n_fits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.predict_interval(HORIZON, levels=LEVELS, n_windows=N_WINDOWS + 1)  # other settings: calibrated anew
    assert len(_Log.calls) > n_fits


def test_fit_and_update_clear_the_cache():
    model = _recording("global").fit(long_panel())
    _bands(model)
    assert model._conformal_cache_
    model.update(long_panel())
    assert model._conformal_cache_ == {}
    model.fit(long_panel())
    assert model._conformal_cache_ == {}


def test_update_calibrates_on_the_updated_data_and_a_failed_update_keeps_the_old():
    model = _fit("WindowForecaster(Ridge)", long_panel())
    before = _bands(model)
    panel, cache = model._training_panel_, model._conformal_cache_
    with pytest.raises(InsufficientDataError):
        model.update(series(4))  # shorter than n_steps_in: refused
    assert model._training_panel_ is panel and model._conformal_cache_ is cache
    model.update({"c": series(44, start=5.0, seed=3)})
    after = _bands(model)
    assert list(after) == ["c"] and list(after["c"].columns) == COLUMNS
    assert before["unique_id"].unique().tolist() == ["a", "b"]


def test_too_few_windows_is_cached_too():
    model = _recording("local").fit(long_panel())
    _Log.calls.clear()
    with pytest.raises(InsufficientDataError, match=r"95%.*19.*n_windows=5"):
        model.predict_interval(HORIZON, levels=(95,), n_windows=N_WINDOWS)
    n_fits = len(_Log.calls)
    _bands(model)  # lower levels from the same calibration: no refit
    assert len(_Log.calls) == n_fits


# -- save and load --------------------------------------------------------------------------
def test_a_loaded_model_keeps_its_calibrations_but_no_training_data(tmp_path):
    model = _fit("Theta", long_panel())
    bands = _bands(model)
    loaded = tsf.load(tsf.save(model, tmp_path / "theta.tsf"))
    assert not hasattr(loaded, "_training_panel_")
    pd.testing.assert_frame_equal(_bands(loaded), bands, check_exact=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        narrow = loaded.predict_interval(HORIZON, levels=(50,), n_windows=N_WINDOWS)
    np.testing.assert_array_equal(narrow["hi_50"].to_numpy(), bands["hi_50"].to_numpy())
    with pytest.raises(InvalidParameterError, match=r"keeps no training data.*n_windows=6.*n_windows=5"):
        loaded.predict_interval(HORIZON, levels=LEVELS, n_windows=N_WINDOWS + 1)


def test_a_loaded_model_never_calibrated_says_how_to_get_intervals(tmp_path):
    loaded = tsf.load(tsf.save(_fit("Theta", long_panel()), tmp_path / "theta.tsf"))
    with pytest.raises(InvalidParameterError, match=r"Theta keeps no training data.*none.*ConformalIntervals"):
        loaded.predict_interval(HORIZON)
    naive = tsf.load(tsf.save(_fit("Naive", long_panel()), tmp_path / "naive.tsf"))
    assert list(naive.predict_interval(HORIZON).columns[2:]) == ["y", "lo_80", "hi_80", "lo_95", "hi_95"]


def test_a_loaded_window_model_can_still_be_updated_and_calibrated(tmp_path):
    model = _fit("WindowForecaster(Ridge)", long_panel())
    loaded = tsf.load(tsf.save(model, tmp_path / "ridge.tsf"))
    loaded.update(long_panel())  # the data forecasts start from: calibration reads it
    pd.testing.assert_frame_equal(_bands(loaded), _bands(model), check_exact=True)


# -- hostile input --------------------------------------------------------------------------
@pytest.mark.parametrize(("kwargs", "error", "pieces"), [
    ({"levels": (0, 80)}, InvalidParameterError, ["levels[0]", "0"]),
    ({"levels": (80, 100)}, InvalidParameterError, ["levels[1]", "100"]),
    ({"levels": (95, 80)}, InvalidParameterError, ["levels", "increasing", "(95, 80)"]),
    ({"levels": [80, 80]}, InvalidParameterError, ["levels", "[80, 80]"]),
    ({"levels": "80"}, InputTypeError, ["levels", "'80'"]),
    ({"method": "bootstrap"}, InvalidParameterError, ["method", "'bootstrap'"]),
    ({"method": None}, InvalidParameterError, ["method", "None"]),
    ({"n_windows": 0}, InvalidParameterError, ["n_windows", "0"]),
    ({"n_windows": 2.5}, InputTypeError, ["n_windows", "2.5"]),
    ({"levels": (95,), "n_windows": 5}, InsufficientDataError, ["95%", "19", "n_windows=5"]),
    ({"horizon": 39}, InsufficientDataError, ["too short to calibrate", "'b'", "[40]"]),
])
def test_hostile_arguments_are_refused_naming_the_argument(kwargs, error, pieces):
    model = _fit("Theta", long_panel())
    with pytest.raises(error) as caught:
        model.predict_interval(**{"horizon": HORIZON, **kwargs})
    for piece in pieces:
        assert piece in str(caught.value), (piece, str(caught.value))


def test_conformal_intervals_refuses_other_n_windows_and_unknown_methods():
    model = _fit("ConformalIntervals(Theta)", long_panel())
    pd.testing.assert_frame_equal(_bands(model, method="conformal"), _bands(model, method="model"), check_exact=True)
    with pytest.raises(InvalidParameterError, match=r"n_windows=7.*n_windows=5"):
        model.predict_interval(HORIZON, n_windows=7)
    with pytest.raises(InvalidParameterError, match=r"method.*'exact'"):
        model.predict_interval(HORIZON, method="exact")


def test_a_model_fitted_with_covariates_in_x_needs_the_wrapper():
    y = series(48)
    X = pd.DataFrame({"x": np.arange(60.0)}, index=pd.date_range("2024-01-01", periods=60, freq="h"))
    model = tsf.WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=HORIZON, future_covariates="x").fit(y, X)
    with pytest.raises(InvalidParameterError, match=r"covariates \['x'\].*ConformalIntervals\(WindowForecaster"):
        model.predict_interval(HORIZON, X=X.iloc[48:])


def test_a_loaded_model_fitted_with_future_covariates_is_told_to_wrap_too(tmp_path):
    """A loaded model was told to fit again and calibrate before saving, which the model
    in memory refuses: it needs X, which a calibration on its training data cannot replay."""
    y = series(48)
    X = pd.DataFrame({"x": np.arange(60.0)}, index=pd.date_range("2024-01-01", periods=60, freq="h"))
    model = tsf.WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=HORIZON, future_covariates="x").fit(y, X)
    loaded = tsf.load(tsf.save(model, tmp_path / "w.tsf"))
    wrap = r"covariates \['x'\].*ConformalIntervals\(WindowForecaster"
    for fitted in (model, loaded):
        with pytest.raises(InvalidParameterError, match=wrap) as caught:
            fitted.predict_interval(HORIZON, X=X.iloc[48:], levels=(80,))
        assert "Fit it again" not in str(caught.value)


def test_clone_of_a_calibrated_model_is_unfitted():
    model = _fit("Theta", long_panel())
    _bands(model)
    twin = clone(model)
    assert not [a for a in vars(twin) if a.endswith("_")]
