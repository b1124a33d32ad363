"""Hostile input across the public surface: every bad input gets a documented error.

One table, :data:`CASES`: each row is a bad input (an id ``<public name>/<what>``, a
callable, the exception type users are told to catch, and substrings the message must
contain: the argument's name and the value received). A case passes when the call
raises exactly that type, which is always a :class:`tsforecast.exceptions.TsForecastError`
or scikit-learn's ``NotFittedError`` (never a raw TensorFlow, NumPy or pandas error),
within a time limit. :data:`SURVIVABLE` lists odd but legal inputs (constant series,
huge values, negative values for multiplicative models): each must give finite
forecasts. The suite also checks that every public name of the package has at least one
hostile case, so "every public function validates its arguments" is tested, not claimed.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import signal
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge

import tsforecast
from tsforecast import baselines, datasets
from tsforecast import (
    BacktestResult,
    EncoderDecoderLSTM,
    ExpandingWindowSplit,
    SlidingWindowSplit,
    SlidingWindowTransformer,
    WindowForecaster,
    backtest,
    from_panel,
    load,
    make_windows,
    report,
    save,
    to_panel,
)
from tsforecast.backtesting import partitions
from tsforecast.core import metrics
from tsforecast.core import splits
from tsforecast.exceptions import (
    DataNotFoundError,
    FallbackWarning,
    FileWriteError,
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    ModelFileError,
    NotFittedError,
    ShapeMismatchError,
    SkippedSeriesWarning,
    TsForecastError,
    UnknownColumnError,
)

#: Seconds any one hostile call may take before it counts as a hang.
TIME_LIMIT = 60


# --------------------------------------------------------------------------- data
def series(n: int = 40, *, values=None, name: str = "y") -> pd.Series:
    """A daily series (a sine around 10 unless ``values`` is given)."""
    if values is None:
        values = 10 + np.sin(np.arange(n) / 3)
    values = np.asarray(values, dtype=float)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values), freq="D"), name=name)


def with_nan(n: int = 40, at: int = 5, value=np.nan) -> pd.Series:
    y = series(n)
    y.iloc[at] = value
    return y


def frame_with(column, values) -> pd.DataFrame:
    """The target ``y`` and one more column ``column`` holding ``values``."""
    y = series(len(values))
    return pd.DataFrame({"y": y.to_numpy(), column: values}, index=y.index)


def panel(lengths: dict) -> pd.DataFrame:
    """A long panel with one series per ``{id: length}``."""
    parts = [pd.DataFrame({"unique_id": key, "ds": series(n).index, "y": series(n).to_numpy()})
             for key, n in lengths.items()]
    return pd.concat(parts, ignore_index=True)


def panel_with_gap() -> pd.DataFrame:
    data = panel({"a": 30, "b": 30})
    drop = data.index[(data["unique_id"] == "b")][10]
    return data.drop(index=drop)


def reindexed(y: pd.Series, index) -> pd.Series:
    return pd.Series(y.to_numpy()[: len(index)], index=index, name=y.name)


def ridge(n_in: int = 4, n_out: int = 2, **params) -> WindowForecaster:
    return WindowForecaster(Ridge(), n_steps_in=n_in, n_steps_out=n_out, **params)


def tiny_lstm(**params) -> EncoderDecoderLSTM:
    settings = dict(units=4, epochs=1, batch_size=16, patience=1, validation_fraction=0.0, random_state=0)
    return EncoderDecoderLSTM(**{**settings, **params})


def windows_xy(n: int = 40, n_in: int = 4, n_out: int = 2, features: int = 1):
    data = np.column_stack([np.sin(np.arange(n) / 3 + k) for k in range(features)])
    w = make_windows(data, n_in, n_out)
    return np.asarray(w.X), np.asarray(w.y)


# --------------------------------------------------------------------------- fitted objects (built once)
@functools.cache
def workdir() -> Path:
    return Path(tempfile.mkdtemp(prefix="tsforecast-hostile-"))


@functools.cache
def fitted_ridge() -> WindowForecaster:
    return ridge().fit(series())


@functools.cache
def fitted_lstm() -> EncoderDecoderLSTM:
    X, y = windows_xy()
    return tiny_lstm().fit(X, y)


@functools.cache
def ridge_file() -> Path:
    return save(fitted_ridge(), workdir() / "ridge.tsf")


@functools.cache
def lstm_file() -> Path:
    return save(fitted_lstm(), workdir() / "lstm.tsf")


@functools.cache
def small_result() -> BacktestResult:
    return backtest({"naive": baselines.Naive(), "mean": baselines.Mean()}, series(30), horizon=2, cv=2,
                    progress=False)


@functools.cache
def interval_result() -> BacktestResult:
    return backtest({"naive": baselines.Naive(), "drift": baselines.Drift()}, series(30), horizon=2, cv=2,
                    levels=(80,), progress=False)


def mixed_time_panel(second: str) -> pd.DataFrame:
    """A long panel whose ``ds`` holds timestamps for series a and something else for b."""
    stamps = list(pd.date_range("2024-01-01", periods=20, freq="D"))
    other = {"strings": [str(t.date()) for t in stamps], "utc": [t.tz_localize("UTC") for t in stamps],
             "integers": list(range(20))}[second]
    return pd.DataFrame({"unique_id": ["a"] * 20 + ["b"] * 20, "ds": stamps + other, "y": np.arange(40.0)})


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path: Path, content: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in content.items():
            archive.writestr(name, data)
    return path


def altered_config(change: Callable[[dict], None], name: str) -> Path:
    """The Ridge model file with its manifest's config changed by ``change``."""
    content = members(ridge_file())
    manifest = json.loads(content["manifest.json"])
    change(manifest["config"])
    content["manifest.json"] = json.dumps(manifest).encode()
    return write_zip(workdir() / name, content)


def set_first(node, key: str, value) -> bool:
    """Set the first ``key`` found in a nested JSON config (depth first)."""
    if isinstance(node, dict):
        if key in node:
            node[key] = value
            return True
        return any(set_first(v, key, value) for v in node.values())
    if isinstance(node, list):
        return any(set_first(v, key, value) for v in node)
    return False


def lambda_file() -> Path:
    """The LSTM model file with its network replaced by a Keras model holding a Lambda layer."""
    import keras

    inputs = keras.Input((4, 1))
    outputs = keras.layers.Lambda(lambda x: x * 2.0)(inputs)
    keras_path = workdir() / "lambda.keras"
    keras.Model(inputs, outputs).save(keras_path)
    content = members(lstm_file())
    (name,) = [n for n in content if n.endswith(".keras")]
    content[name] = keras_path.read_bytes()
    # re-sign the members, as an attacker would: the Lambda layer itself must be refused
    manifest = json.loads(content["manifest.json"])
    manifest["sha256"] = {n: hashlib.sha256(d).hexdigest() for n, d in content.items() if n != "manifest.json"}
    content["manifest.json"] = json.dumps(manifest).encode()
    return write_zip(workdir() / "lambda.tsf", content)


def truncated_file() -> Path:
    data = ridge_file().read_bytes()
    path = workdir() / "truncated.tsf"
    path.write_bytes(data[: len(data) // 2])
    return path


def foreign_file() -> Path:
    path = workdir() / "notes.tsf"
    path.write_text("this is not a model file\n")
    return path


def foreign_zip() -> Path:
    return write_zip(workdir() / "foreign.zip", {"hello.txt": b"hi"})


def cli(*args: str):
    """Run the command line without click's exit handling, so errors surface as exceptions."""
    from tsforecast.cli import cli as command

    return command.main(args=list(args), prog_name="tsforecast", standalone_mode=False, obj={"argv": list(args)})


def csv_file(name: str, data: pd.DataFrame) -> str:
    path = workdir() / name
    data.to_csv(path, index=False)
    return str(path)


def daily_csv(n: int = 40, **extra) -> str:
    y = series(n)
    data = pd.DataFrame({"ds": y.index, "y": y.to_numpy(), **extra})
    return csv_file(f"daily_{n}_{'_'.join(extra)}.csv", data)


def report_to(result, **kwargs):
    return report(result, workdir() / "report.html", **kwargs)


# --------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Case:
    id: str
    call: Callable[[], object]
    error: type
    contains: tuple[str, ...] = field(default_factory=tuple)


def panel_frame() -> pd.DataFrame:
    return pd.DataFrame({"unique_id": np.repeat(["a", "b"], 30), "ds": np.tile(np.arange(30), 2),
                         "y": np.arange(60.0)})


def dask_panel(npartitions: int = 1, sort: bool = False):
    import dask.dataframe as dd

    return dd.from_pandas(panel_frame().iloc[:30], npartitions=npartitions, sort=sort)


def case(id: str, call, error, *contains: str) -> Case:
    return Case(id, call, error, contains)


BASELINES = {
    "Naive": baselines.Naive, "SeasonalNaive": baselines.SeasonalNaive, "Drift": baselines.Drift,
    "Mean": baselines.Mean, "Naive2": baselines.Naive2, "SES": baselines.SES, "Holt": baselines.Holt,
    "Damped": baselines.Damped, "Theta": baselines.Theta, "Comb": baselines.Comb, "ETS": baselines.ETS,
    "ARIMA": baselines.ARIMA, "Croston": baselines.Croston, "CrostonSBA": baselines.CrostonSBA,
    "TSB": baselines.TSB, "ADIDA": baselines.ADIDA, "IMAPA": baselines.IMAPA, "MSTL": baselines.MSTL,
    "NonSeasonalETS": baselines.NonSeasonalETS,
    "AutoARIMA": baselines.AutoARIMA,
}

Y = series()
X4, Y4 = windows_xy()

CASES: list[Case] = [
    # -- make_windows / SlidingWindowTransformer
    case("make_windows/nan", lambda: make_windows(with_nan().to_numpy(), 4, 2), InvalidInputError, "NaN", "nan"),
    case("make_windows/inf", lambda: make_windows(with_nan(value=np.inf).to_numpy(), 4, 2), InvalidInputError,
         "inf"),
    case("make_windows/strings", lambda: make_windows(np.array(["a"] * 10), 2, 1), InputTypeError, "data"),
    case("make_windows/bool", lambda: make_windows(np.ones(10, dtype=bool), 2, 1), InputTypeError, "bool"),
    case("make_windows/datetime", lambda: make_windows(pd.date_range("2024", periods=10).to_numpy(), 2, 1),
         InputTypeError, "data"),
    case("make_windows/length_0", lambda: make_windows(np.zeros(0), 2, 1), InsufficientDataError, "0"),
    case("make_windows/length_1", lambda: make_windows(np.zeros(1), 2, 1), InsufficientDataError, "1"),
    case("make_windows/length_in_plus_out_minus_1", lambda: make_windows(np.zeros(5), 4, 2),
         InsufficientDataError, "5", "n_steps_in"),
    case("make_windows/n_steps_in_0", lambda: make_windows(np.zeros(10), 0, 1), InvalidParameterError,
         "n_steps_in", "0"),
    case("make_windows/n_steps_out_str", lambda: make_windows(np.zeros(10), 2, "1"), InputTypeError,
         "n_steps_out", "'1'"),
    case("make_windows/stride_negative", lambda: make_windows(np.zeros(10), 2, 1, stride=-1),
         InvalidParameterError, "stride", "-1"),
    case("make_windows/3d", lambda: make_windows(np.zeros((4, 5, 2)), 2, 1), ShapeMismatchError, "data", "3"),
    case("make_windows/targets_out_of_range", lambda: make_windows(np.zeros((10, 2)), 2, 1, targets=[5]),
         UnknownColumnError, "targets", "5"),
    case("SlidingWindowTransformer/n_steps_in_float", lambda: SlidingWindowTransformer(2.5).fit(np.zeros(10)),
         InputTypeError, "n_steps_in", "2.5"),
    case("SlidingWindowTransformer/unfitted", lambda: SlidingWindowTransformer(2).transform(np.zeros(10)),
         NotFittedError, "SlidingWindowTransformer"),
    case("SlidingWindowTransformer/features_changed",
         lambda: SlidingWindowTransformer(2).fit(np.zeros((10, 2))).transform(np.zeros((10, 3))),
         ShapeMismatchError, "3", "2"),
    # -- EncoderDecoderLSTM
    case("EncoderDecoderLSTM/nan_in_X", lambda: tiny_lstm().fit(np.where(X4 > 0.9, np.nan, X4), Y4),
         InvalidInputError, "X", "nan"),
    case("EncoderDecoderLSTM/inf_in_y", lambda: tiny_lstm().fit(X4, np.where(Y4 > 0.9, np.inf, Y4)),
         InvalidInputError, "y", "inf"),
    case("EncoderDecoderLSTM/units_0", lambda: tiny_lstm(units=0).fit(X4, Y4), InvalidParameterError, "units", "0"),
    case("EncoderDecoderLSTM/decoder_unknown", lambda: tiny_lstm(decoder="magic").fit(X4, Y4),
         InvalidParameterError, "decoder", "'magic'"),
    case("EncoderDecoderLSTM/dropout_1.5", lambda: tiny_lstm(dropout=1.5).fit(X4, Y4), InvalidParameterError,
         "dropout", "1.5"),
    case("EncoderDecoderLSTM/epochs_str", lambda: tiny_lstm(epochs="3").fit(X4, Y4), InputTypeError, "epochs",
         "'3'"),
    case("EncoderDecoderLSTM/X_4d", lambda: tiny_lstm().fit(X4[..., None], Y4), ShapeMismatchError, "X", "4"),
    case("EncoderDecoderLSTM/samples_differ", lambda: tiny_lstm().fit(X4, Y4[:-3]), ShapeMismatchError,
         str(len(X4)), str(len(X4) - 3)),
    case("EncoderDecoderLSTM/unfitted_predict", lambda: tiny_lstm().predict(X4), NotFittedError,
         "EncoderDecoderLSTM"),
    case("EncoderDecoderLSTM/features_differ_at_predict",
         lambda: fitted_lstm().predict(np.repeat(X4, 3, axis=2)), ShapeMismatchError, "3", "1"),
    case("EncoderDecoderLSTM/steps_differ_at_predict", lambda: fitted_lstm().predict(X4[:, :2]),
         ShapeMismatchError, "2", "4"),
    case("EncoderDecoderLSTM/channels_unknown", lambda: tiny_lstm(channels="split").fit(X4, Y4),
         InvalidParameterError, "channels", "'split'"),
    case("EncoderDecoderLSTM/channels_none", lambda: tiny_lstm(channels=None).fit(X4, Y4),
         InvalidParameterError, "channels", "None"),
    case("EncoderDecoderLSTM/independent_without_targets_past",
         lambda: tiny_lstm(channels="independent", scaling="standard").fit(X4, np.repeat(Y4, 2, axis=2)),
         InvalidParameterError, "channels='independent'", "target_features=None"),
    case("EncoderDecoderLSTM/search_str", lambda: tiny_lstm(search="yes").fit(X4, Y4), InputTypeError, "search",
         "'yes'"),
    case("EncoderDecoderLSTM/linear_with_feedback", lambda: tiny_lstm(scaling="linear", decoder="feedback").fit(X4, Y4),
         InvalidParameterError, "scaling='linear'", "decoder='feedback'"),
    case("EncoderDecoderLSTM/scaling_unknown", lambda: tiny_lstm(scaling="last_value").fit(X4, Y4),
         InvalidParameterError, "scaling", "'last_value'"),
    case("EncoderDecoderLSTM/learning_rate_decay_0", lambda: tiny_lstm(learning_rate_decay=0.0).fit(X4, Y4),
         InvalidParameterError, "learning_rate_decay", "0.0"),
    case("EncoderDecoderLSTM/learning_rate_decay_1.5", lambda: tiny_lstm(learning_rate_decay=1.5).fit(X4, Y4),
         InvalidParameterError, "learning_rate_decay", "1.5"),
    case("EncoderDecoderLSTM/blend_linear_str", lambda: tiny_lstm(blend_linear="yes").fit(X4, Y4), InputTypeError,
         "blend_linear", "'yes'"),
    case("EncoderDecoderLSTM/blend_linear_without_tail", lambda: tiny_lstm(blend_linear=True).fit(X4, Y4),
         InvalidParameterError, "blend_linear=True", "validation_fraction=0.0"),
    case("EncoderDecoderLSTM/channel_embedding_int", lambda: tiny_lstm(channel_embedding=2).fit(X4, Y4),
         InputTypeError, "channel_embedding", "2"),
    # -- MedianEnsemble
    case("MedianEnsemble/n_members_0", lambda: tsforecast.MedianEnsemble(Ridge(), n_members=0).fit(X4, Y4),
         InvalidParameterError, "n_members", "0"),
    case("MedianEnsemble/estimator_string", lambda: tsforecast.MedianEnsemble("ridge").fit(X4, Y4),
         InputTypeError, "estimator", "'ridge'"),
    case("MedianEnsemble/estimator_list_with_string", lambda: tsforecast.MedianEnsemble([Ridge(), "ridge"]).fit(X4, Y4),
         InputTypeError, "estimator", "'ridge'"),
    case("MedianEnsemble/aggregate_unknown", lambda: tsforecast.MedianEnsemble(Ridge(), aggregate="max").fit(
        X4[:, :, 0], Y4), InvalidParameterError, "aggregate", "max"),
    case("MedianEnsemble/nan_in_X", lambda: tsforecast.MedianEnsemble(Ridge()).fit(
        np.where(X4 > 0.9, np.nan, X4)[:, :, 0], Y4), InvalidInputError, "X", "nan"),
    case("MedianEnsemble/input_lengths_too_long",
         lambda: tsforecast.MedianEnsemble(Ridge(), input_lengths=[10]).fit(X4[:, :, 0], Y4),
         InvalidParameterError, "input_lengths", "10"),
    case("MedianEnsemble/unfitted_predict", lambda: tsforecast.MedianEnsemble(Ridge()).predict(X4[:, :, 0]),
         NotFittedError, "MedianEnsemble"),
    # -- WindowForecaster
    case("WindowForecaster/nan_target", lambda: ridge().fit(with_nan()), InvalidInputError, "y", "nan", "fill="),
    case("WindowForecaster/inf_covariate",
         lambda: ridge(covariates=["x"]).fit(frame_with("x", np.r_[np.ones(39), np.inf])),
         InvalidInputError, "inf", "'x'", "2024-02-09"),
    case("WindowForecaster/string_column", lambda: ridge().fit(frame_with("x", ["a"] * 40)), InputTypeError, "x"),
    case("WindowForecaster/bool_column", lambda: ridge().fit(frame_with("x", [True, False] * 20)), InputTypeError,
         "x", "bool"),
    case("WindowForecaster/datetime_column",
         lambda: ridge().fit(frame_with("x", pd.date_range("2020", periods=40))), InputTypeError, "x"),
    case("WindowForecaster/object_index",
         lambda: ridge().fit(reindexed(Y, pd.Index([f"t{i}" for i in range(40)], dtype=object))),
         InputTypeError, "index"),
    case("WindowForecaster/timezone_mixed",
         lambda: ridge().fit(reindexed(Y, pd.Index(
             list(pd.date_range("2024", periods=20, freq="D", tz="UTC"))
             + list(pd.date_range("2024-01-21", periods=20, freq="D", tz="Europe/Paris")), dtype=object))),
         InputTypeError, "y", "time zones"),
    case("WindowForecaster/duplicated_timestamps",
         lambda: ridge().fit(reindexed(Y, Y.index[:20].append(Y.index[19:39]))), InvalidInputError, "duplicate",
         "2024-01-20"),
    case("WindowForecaster/irregular_spacing",
         lambda: ridge().fit(reindexed(Y, Y.index.delete(7).append(pd.DatetimeIndex(["2024-03-01"])))),
         InvalidInputError, "y"),
    case("WindowForecaster/unsorted", lambda: ridge().fit(Y.iloc[::-1]), InvalidInputError, "y", "sort"),
    case("WindowForecaster/panel_gap", lambda: ridge().fit(panel_with_gap()), InvalidInputError, "'b'"),
    case("WindowForecaster/panel_one_short", lambda: ridge().fit(panel({"a": 30, "short": 3})),
         InsufficientDataError, "'short'", "3"),
    case("WindowForecaster/length_0", lambda: ridge().fit(series(0)), InsufficientDataError, "0"),
    case("WindowForecaster/length_1", lambda: ridge().fit(series(1)), InsufficientDataError, "1"),
    case("WindowForecaster/length_in_plus_out_minus_1", lambda: ridge(4, 2).fit(series(5)),
         InsufficientDataError, "5"),
    case("WindowForecaster/horizon_0", lambda: fitted_ridge().predict(0), InvalidParameterError, "horizon", "0"),
    case("WindowForecaster/horizon_negative", lambda: fitted_ridge().predict(-3), InvalidParameterError,
         "horizon", "-3"),
    case("WindowForecaster/horizon_float", lambda: fitted_ridge().predict(2.0), InputTypeError, "horizon", "2.0"),
    case("WindowForecaster/unfitted_predict", lambda: ridge().predict(2), NotFittedError, "WindowForecaster"),
    case("WindowForecaster/future_covariates_missing_at_predict",
         lambda: ridge(future_covariates=["x"]).fit(frame_with("x", np.arange(40.0))).predict(
             2, X=frame_with("z", np.arange(42.0))[["z"]]),
         UnknownColumnError, "'x'"),
    case("WindowForecaster/fill_unknown", lambda: ridge(fill="zero").fit(Y), InvalidParameterError, "fill",
         "'zero'"),
    case("WindowForecaster/n_steps_in_negative", lambda: ridge(-1).fit(Y), InvalidParameterError, "n_steps_in",
         "-1"),
    case("WindowForecaster/covariate_steps_in_negative", lambda: ridge(covariate_steps_in=-1).fit(Y),
         InvalidParameterError, "covariate_steps_in", "-1"),
    case("WindowForecaster/covariate_steps_in_float", lambda: ridge(covariate_steps_in=1.5).fit(Y),
         InputTypeError, "covariate_steps_in", "1.5"),
    case("WindowForecaster/covariate_steps_in_unknown_word", lambda: ridge(covariate_steps_in="all").fit(Y),
         InvalidParameterError, "covariate_steps_in", "'all'"),
    case("WindowForecaster/covariate_steps_in_above_n_steps_in",
         lambda: ridge(future_covariates=["x"], covariate_steps_in=5).fit(frame_with("x", np.arange(40.0))),
         InvalidParameterError, "covariate_steps_in", "5"),
    case("WindowForecaster/estimator_string", lambda: WindowForecaster("ridge").fit(Y), InputTypeError,
         "estimator", "'ridge'"),
    case("WindowForecaster/y_string", lambda: ridge().fit("sales"), InputTypeError, "y", "str"),
    case("WindowForecaster/lstm_nan_target", lambda: WindowForecaster(tiny_lstm(), 4, 2).fit(with_nan()),
         InvalidInputError, "y", "nan"),
    # -- baselines (each class: NaN, horizon 0, unfitted, a wrong parameter)
    *[case(f"{name}/nan_target", lambda cls=cls: cls().fit(with_nan()), InvalidInputError, "y", "nan")
      for name, cls in BASELINES.items()],
    *[case(f"{name}/horizon_0", lambda cls=cls: cls().fit(Y).predict(0), InvalidParameterError, "horizon", "0")
      for name, cls in BASELINES.items()],
    *[case(f"{name}/unfitted_predict", lambda cls=cls: cls().predict(3), NotFittedError, name)
      for name, cls in BASELINES.items()],
    *[case(f"{name}/n_jobs_str", lambda cls=cls: cls(n_jobs="all").fit(Y), InputTypeError, "n_jobs", "'all'")
      for name, cls in BASELINES.items()],
    case("SeasonalNaive/season_length_0", lambda: baselines.SeasonalNaive(0).fit(Y), InvalidParameterError,
         "season_length", "0"),
    case("Theta/season_length_str", lambda: baselines.Theta("7").fit(Y), InputTypeError, "season_length", "'7'"),
    case("Mean/window_0", lambda: baselines.Mean(window=0).fit(Y), InvalidParameterError, "window", "0"),
    case("ETS/error_unknown", lambda: baselines.ETS(error="mult").fit(Y), InvalidParameterError, "error",
         "'mult'"),
    case("ARIMA/order_negative", lambda: baselines.ARIMA(order=(1, -1, 0)).fit(Y), InvalidParameterError,
         "order", "-1"),
    case("ARIMA/order_str", lambda: baselines.ARIMA(order="110").fit(Y), InvalidParameterError, "order",
         "'110'"),
    case("AutoARIMA/season_length_0", lambda: baselines.AutoARIMA(season_length=0).fit(Y), InvalidParameterError,
         "season_length", "0"),
    case("AutoARIMA/d_3", lambda: baselines.AutoARIMA(d=3).fit(Y), InvalidParameterError, "d", "3"),
    case("AutoARIMA/D_str", lambda: baselines.AutoARIMA(D="1").fit(Y), InputTypeError, "D", "'1'"),
    # a seasonal difference without a season was dropped silently
    case("AutoARIMA/D_without_season", lambda: baselines.AutoARIMA(D=1).fit(Y), InvalidParameterError, "D=1",
         "season_length=1"),
    case("AutoARIMA/max_p_negative", lambda: baselines.AutoARIMA(max_p=-1).fit(Y), InvalidParameterError,
         "max_p", "-1"),
    case("AutoARIMA/max_Q_float", lambda: baselines.AutoARIMA(max_Q=1.5).fit(Y), InputTypeError, "max_Q", "1.5"),
    case("AutoARIMA/ic_unknown", lambda: baselines.AutoARIMA(ic="hqic").fit(Y), InvalidParameterError, "ic",
         "'hqic'"),
    case("AutoARIMA/method_ml", lambda: baselines.AutoARIMA(method="ml").fit(Y), InvalidParameterError, "method",
         "'ml'"),
    case("AutoARIMA/method_exact_capitalised", lambda: baselines.AutoARIMA(method="Exact").fit(Y),
         InvalidParameterError, "method", "'Exact'"),
    case("AutoARIMA/method_filter_misspelt", lambda: baselines.AutoARIMA(method="css-kalman").fit(Y),
         InvalidParameterError, "method", "'css-kalman'"),
    case("AutoARIMA/method_r_capitalised", lambda: baselines.AutoARIMA(method="css-loglik-R").fit(Y),
         InvalidParameterError, "method", "'css-loglik-R'"),
    case("AutoARIMA/stepwise_str", lambda: baselines.AutoARIMA(stepwise="no").fit(Y), InputTypeError, "stepwise",
         "'no'"),
    case("AutoARIMA/seasonal_test_unknown", lambda: baselines.AutoARIMA(seasonal_test="ch").fit(Y),
         InvalidParameterError, "seasonal_test", "'ch'"),
    case("AutoARIMA/kpss_alpha_unlisted", lambda: baselines.AutoARIMA(kpss_alpha=0.2).fit(Y), InvalidParameterError,
         "kpss_alpha", "0.2"),
    case("AutoARIMA/max_order_negative", lambda: baselines.AutoARIMA(max_order=-1).fit(Y), InvalidParameterError,
         "max_order", "-1"),
    # The regression-with-ARIMA-errors models share one regressor path and its messages.
    *[case(f"{name}/{label}", build, error, *needles) for name in ("ARIMA", "AutoARIMA") for label, build, error, *needles in [
        ("future_covariates_int", lambda cls=BASELINES[name]: cls(future_covariates=3).fit(Y),
         InvalidParameterError, "future_covariates", "3"),
        ("future_covariates_unknown",
         lambda cls=BASELINES[name]: cls(future_covariates=["z"]).fit(Y, X=frame_with("x", np.ones(40))[["x"]]),
         UnknownColumnError, "future_covariates", "'z'"),
        ("X_too_short", lambda cls=BASELINES[name]: cls().fit(Y, X=frame_with("x", np.ones(40))[["x"]].iloc[:30]),
         InsufficientDataError, "X", "10"),
        ("X_shares_y", lambda cls=BASELINES[name]: cls().fit(Y, X=frame_with("x", np.ones(40))),
         InvalidInputError, "X and y", "'y'"),
        ("predict_without_X",
         lambda cls=BASELINES[name]: cls().fit(Y, X=frame_with("x", np.arange(40.0))[["x"]]).predict(3),
         InsufficientDataError, "X", "None"),
        # an inf was named "the first nan" (X's panel had turned it into NaN)
        ("X_inf", lambda cls=BASELINES[name]: cls().fit(Y, X=frame_with("x", np.r_[np.ones(39), np.inf])[["x"]]),
         InvalidInputError, "the first inf", "'x'", "2024-02-09"),
        ("future_X_minus_inf",
         lambda cls=BASELINES[name]: cls().fit(Y, X=frame_with("x", np.arange(43.0))[["x"]]).predict(
             3, frame_with("x", np.r_[np.arange(41.0), -np.inf, 0.0])[["x"]]),
         InvalidInputError, "the first -inf", "'x'", "step 2"),
    ]],
    case("TSB/alpha_d_above_1", lambda: baselines.TSB(alpha_d=1.5).fit(Y), InvalidParameterError, "alpha_d",
         "1.5"),
    case("TSB/alpha_p_str", lambda: baselines.TSB(alpha_p="0.1").fit(Y), InputTypeError, "alpha_p", "'0.1'"),
    case("NonSeasonalETS/max_beta_above_bound", lambda: baselines.NonSeasonalETS(max_beta=1.5).fit(Y),
         InvalidParameterError, "max_beta", "1.5"),
    case("NonSeasonalETS/trend_mul", lambda: baselines.NonSeasonalETS(trend="mul").fit(Y), InvalidParameterError,
         "trend", "'mul'"),
    case("MSTL/season_length_1", lambda: baselines.MSTL(season_length=1).fit(Y), InvalidParameterError,
         "season_length", "1"),
    case("MSTL/seasonal_trend_forecaster", lambda: baselines.MSTL(trend_forecaster=baselines.Theta(7)).fit(Y),
         InvalidParameterError, "trend_forecaster", "season_length"),
    case("MSTL/trend_forecaster_not_a_model", lambda: baselines.MSTL(season_length=(4,), trend_forecaster=3).fit(Y),
         InputTypeError, "trend_forecaster", "int"),
    case("MSTL/trend_forecaster_mstl",
         lambda: baselines.MSTL(season_length=(4,), trend_forecaster=baselines.MSTL(season_length=(2,))).fit(Y),
         InvalidParameterError, "trend_forecaster", "MSTL"),
    case("Naive/covariates_given", lambda: baselines.Naive().fit(Y, X=frame_with("x", np.ones(40))),
         InvalidParameterError, "X", "DataFrame"),
    case("Naive/panel_one_empty", lambda: baselines.Naive().fit({"a": series(30), "empty": series(0)}),
         InsufficientDataError, "'empty'", "0"),
    case("ETS/fill_unknown", lambda: baselines.ETS(fill="bfill").fit(Y), InvalidParameterError, "fill",
         "'bfill'"),
    case("Theta/on_short_unknown", lambda: baselines.Theta(on_short="drop").fit(Y), InvalidParameterError,
         "on_short", "'drop'"),
    case("seasonality_test/season_length_0", lambda: baselines.seasonality_test(Y.to_numpy(), 0),
         InvalidParameterError, "season_length", "0"),
    case("deseasonalize/nan", lambda: baselines.deseasonalize(with_nan().to_numpy(), 7), InvalidInputError,
         "nan"),
    # -- backtest / BacktestResult
    case("forecast_partitions/pandas_frame",
         lambda: partitions.forecast_partitions(baselines.Naive(), panel_frame(), horizon=2), InputTypeError,
         "data must be a dask.dataframe.DataFrame", "DataFrame"),
    case("backtest_partitions/unknown_table",
         lambda: partitions.backtest_partitions(baselines.Naive(), dask_panel(), table="fit", horizon=2),
         InvalidParameterError, "table must be", "'fit'"),
    case("backtest_partitions/align_time",  # each partition aligned its folds to its own series
         lambda: partitions.backtest_partitions(baselines.Naive(), dask_panel(), horizon=2, align="time"),
         InvalidParameterError, "align", "'time'"),
    case("check_partitioned_by_series/split_series",
         lambda: partitions.check_partitioned_by_series(dask_panel(npartitions=2, sort=True)), InvalidInputError,
         "whole series per partition", "shuffle"),
    case("backtest/backend_unknown",  # joblib's raw ValueError, after the data was prepared
         lambda: backtest(baselines.Naive(), Y, horizon=2, backend="nonsense", progress=False),
         InvalidParameterError, "backend", "'nonsense'", "'loky'"),
    case("backtest/values_beyond_1e150",  # every fold failed, then a BacktestError
         lambda: backtest(baselines.Naive(), Y * 1e151, horizon=2, progress=False),
         InvalidInputError, "data column", "1e+150"),
    case("backtest/horizon_0", lambda: backtest(baselines.Naive(), Y, horizon=0, progress=False),
         InvalidParameterError, "horizon", "0"),
    case("backtest/horizon_negative", lambda: backtest(baselines.Naive(), Y, horizon=-2, progress=False),
         InvalidParameterError, "horizon", "-2"),
    case("backtest/cv_0", lambda: backtest(baselines.Naive(), Y, horizon=2, cv=0, progress=False),
         InvalidParameterError, "cv", "0"),
    case("backtest/models_string", lambda: backtest("naive", Y, horizon=2, progress=False), InputTypeError,
         "models", "str"),
    case("backtest/series_too_short",
         lambda: backtest(baselines.Naive(), series(6), horizon=3, cv=4, progress=False),
         InsufficientDataError, "n_splits", "6"),
    case("backtest/unknown_target",
         lambda: backtest(baselines.Naive(), frame_with("x", np.ones(40)), horizon=2, target="sales",
                          progress=False),
         UnknownColumnError, "target", "'sales'"),
    case("backtest/unknown_covariate",
         lambda: backtest(baselines.Naive(), frame_with("x", np.ones(40)), horizon=2, covariates=["price"],
                          progress=False),
         UnknownColumnError, "covariates", "'price'"),
    case("backtest/data_list", lambda: backtest(baselines.Naive(), [1.0, 2.0], horizon=1, progress=False),
         InputTypeError, "data", "list"),
    case("backtest/cv_unknown",
         lambda: backtest(baselines.Naive(), Y, horizon=2, cv="rolling", progress=False),
         InputTypeError, "cv", "'rolling'"),
    case("backtest/horizon_disagrees_with_cv",
         lambda: backtest(baselines.Naive(), Y, horizon=3, cv=splits.ExpandingWindowSplit(2), progress=False),
         InvalidParameterError, "horizon=3", "horizon=2"),
    case("backtest/nan_target", lambda: backtest(baselines.Naive(), with_nan(), horizon=2, progress=False),
         InvalidInputError, "nan", "fill="),
    case("backtest/checkpoint_dir_is_a_file",
         lambda: backtest(baselines.Naive(), Y, horizon=2, checkpoint_dir=foreign_file(), progress=False),
         InvalidInputError, "checkpoint_dir", "notes.tsf"),
    case("backtest/panel_gap", lambda: backtest(baselines.Naive(), panel_with_gap(), horizon=2, progress=False),
         InvalidInputError, "'b'"),
    case("backtest/metric_unknown",
         lambda: backtest(baselines.Naive(), Y, horizon=2, metrics=["accuracy"], progress=False),
         InvalidParameterError, "metrics", "'accuracy'"),
    case("backtest/levels_duplicated",
         lambda: backtest(baselines.Naive(), Y, horizon=2, levels=(95, 95), progress=False),
         InvalidParameterError, "levels", "(95, 95)"),
    case("backtest/level_150", lambda: backtest(baselines.Naive(), Y, horizon=2, levels=[150], progress=False),
         InvalidParameterError, "levels[0]", "150"),
    case("backtest/quantile_0", lambda: backtest(baselines.Naive(), Y, horizon=2, quantiles=[0.0], progress=False),
         InvalidParameterError, "quantiles", "0.0"),
    case("backtest/gap_negative",
         lambda: backtest(baselines.Naive(), Y, cv=splits.ExpandingWindowSplit(2, gap=-1), progress=False),
         InvalidParameterError, "gap", "-1"),
    case("backtest/fill_unknown", lambda: backtest(baselines.Naive(), Y, horizon=2, fill="zero", progress=False),
         InvalidParameterError, "fill", "'zero'"),
    case("backtest/on_short_unknown",
         lambda: backtest(baselines.Naive(), Y, horizon=2, on_short="drop", progress=False),
         InvalidParameterError, "on_short", "'drop'"),
    case("ETS/quantile_1.5", lambda: baselines.ETS().fit(Y).predict_quantiles(3, quantiles=[0.5, 1.5]),
         InvalidParameterError, "quantiles", "1.5"),
    case("Drift/quantiles_string", lambda: baselines.Drift().fit(Y).predict_quantiles(3, quantiles="low"),
         InputTypeError, "quantiles", "'low'"),
    case("WindowForecaster/on_short_unknown", lambda: ridge(on_short="drop").fit(Y), InvalidParameterError,
         "on_short", "'drop'"),
    case("EncoderDecoderLSTM/loss_unknown", lambda: tiny_lstm(loss="hinge").fit(X4, Y4), InvalidParameterError,
         "loss", "'hinge'"),
    case("BacktestResult/forecasts_not_a_frame", lambda: BacktestResult("forecasts", "metrics"), InputTypeError,
         "forecasts", "str"),
    case("BacktestResult/load_foreign", lambda: BacktestResult.load(foreign_file()), ModelFileError,
         "notes.tsf"),
    case("BacktestResult/summary_unknown_reference", lambda: small_result().summary(reference="lstm"),
         InvalidParameterError, "reference", "'lstm'"),
    case("BacktestResult/per_series_unknown_metric", lambda: small_result().per_series(metric="mape"),
         InvalidParameterError, "metric", "'mape'"),
    case("BacktestResult/per_series_unknown_reference", lambda: small_result().per_series(reference="lstm"),
         InvalidParameterError, "reference", "'lstm'"),
    case("BacktestResult/fit_references_unknown_model", lambda: small_result().fit_references("lstm"),
         InvalidParameterError, "model", "'lstm'"),
    case("BacktestResult/per_series_alpha_one", lambda: small_result().per_series(alpha=1.0),
         InvalidParameterError, "alpha", "1.0"),
    # -- report
    case("report/not_a_result", lambda: report_to({"mae": 1.0}), InputTypeError, "result", "dict"),
    case("report/unknown_reference", lambda: report_to(small_result(), reference="lstm"), InvalidParameterError,
         "reference", "'lstm'"),
    case("report/title_not_str", lambda: report_to(small_result(), title=42), InputTypeError, "title", "42"),
    case("report/path_int", lambda: report(small_result(), 7), InputTypeError, "path", "7"),
    # -- save / load
    case("save/not_ours", lambda: save(object(), workdir() / "object.tsf"), InputTypeError, "obj", "object"),
    case("load/not_a_zip", lambda: load(foreign_file()), ModelFileError, "notes.tsf"),
    case("load/foreign_zip", lambda: load(foreign_zip()), ModelFileError, "foreign.zip", "manifest.json"),
    case("load/truncated", lambda: load(truncated_file()), ModelFileError, "truncated.tsf"),
    case("load/altered_config_class",
         lambda: load(altered_config(lambda c: set_first(c, "__object__", "builtins:eval"), "class.tsf")),
         ModelFileError, "builtins:eval"),
    case("load/altered_config_n_steps_in",
         lambda: load(altered_config(lambda c: set_first(c, "n_steps_in_", 9), "n_steps_in.tsf")).predict(2),
         ModelFileError, "n_steps_in.tsf", "SHA-256"),
    case("load/lambda_layer", lambda: load(lambda_file()), ModelFileError, "Lambda"),
    case("load/missing_file", lambda: load(workdir() / "absent.tsf"), DataNotFoundError, "absent.tsf"),
    case("load/path_int", lambda: load(42), InputTypeError, "path", "42"),
    # -- metrics
    case("mae/shapes_differ", lambda: metrics.mae(np.ones(3), np.ones(4)), ShapeMismatchError, "3", "4"),
    case("rmse/nan", lambda: metrics.rmse(np.ones(3), np.array([1.0, np.nan, 1.0])), InvalidInputError, "nan"),
    case("mape/strings", lambda: metrics.mape(np.array(["a", "b"]), np.ones(2)), InputTypeError, "y_true"),
    case("smape/reduce_unknown", lambda: metrics.smape(np.ones(3), np.ones(3), reduce="median"),
         InvalidParameterError, "reduce", "'median'"),
    case("mase/constant_train", lambda: metrics.mase(np.ones(3), np.ones(3), np.ones(10)), InvalidInputError,
         "y_train"),
    case("mase_scale/season_length_0", lambda: metrics.mase_scale(np.arange(10.0), 0), InvalidParameterError,
         "season_length", "0"),
    case("owa/zero_naive2", lambda: metrics.owa(1.0, 1.0, 0.0, 1.0), InvalidInputError, "smape_naive2"),
    case("pinball_loss/quantile_1.5", lambda: metrics.pinball_loss(np.ones(3), np.ones((3, 1)), [1.5]),
         InvalidParameterError, "quantiles", "1.5"),
    case("coverage/shapes_differ", lambda: metrics.coverage(np.ones(3), np.zeros(3), np.ones(2)),
         ShapeMismatchError, "3", "2"),
    case("interval_width/crossed", lambda: metrics.interval_width([2.0], [1.0]), InvalidInputError, "lower", "2.0"),
    case("interval_score/level_100", lambda: metrics.interval_score(np.ones(2), np.zeros(2), np.ones(2), 100),
         InvalidParameterError, "level", "100"),
    case("msis/zero_scale", lambda: metrics.msis(np.ones(2), np.zeros(2), np.ones(2) * 2, np.ones(10)),
         InvalidInputError, "zero scale"),
    case("acd/level_str", lambda: metrics.acd(np.ones(2), np.zeros(2), np.ones(2), "high"), InputTypeError,
         "level", "'high'"),
    # -- prediction intervals
    case("predict_interval/level_0", lambda: baselines.Naive().fit(Y).predict_interval(2, levels=(0, 80)),
         InvalidParameterError, "levels[0]", "0"),
    case("predict_interval/level_100", lambda: baselines.Naive().fit(Y).predict_interval(2, levels=(80, 100)),
         InvalidParameterError, "levels[1]", "100"),
    case("predict_interval/level_negative", lambda: baselines.Naive().fit(Y).predict_interval(2, levels=(-5,)),
         InvalidParameterError, "levels[0]", "-5"),
    case("predict_interval/unsorted", lambda: baselines.Naive().fit(Y).predict_interval(2, levels=(95, 80)),
         InvalidParameterError, "levels", "increasing", "(95, 80)"),
    case("predict_interval/duplicated", lambda: baselines.Naive().fit(Y).predict_interval(2, levels=[80, 80]),
         InvalidParameterError, "levels", "[80, 80]"),
    case("predict_interval/string", lambda: baselines.Naive().fit(Y).predict_interval(2, levels="80"),
         InputTypeError, "levels", "'80'"),
    case("predict_interval/no_distribution", lambda: baselines.Theta().fit(Y).predict_interval(2, method="model"),
         InvalidParameterError, "Theta", "method='conformal'", "ConformalIntervals"),
    case("predict_interval/method_unknown", lambda: baselines.Naive().fit(Y).predict_interval(2, method="bootstrap"),
         InvalidParameterError, "method", "'bootstrap'"),
    case("predict_interval/n_windows_0", lambda: baselines.Theta().fit(Y).predict_interval(2, n_windows=0),
         InvalidParameterError, "n_windows", "0"),
    case("predict_interval/too_few_windows",
         lambda: baselines.Theta().fit(Y).predict_interval(2, levels=(95,), n_windows=5),
         InsufficientDataError, "95%", "19", "n_windows=5"),
    case("predict_interval/series_too_short", lambda: baselines.Theta().fit(Y).predict_interval(39),
         InsufficientDataError, "too short to calibrate", "[40]"),
    case("Combination/not_a_list", lambda: tsforecast.Combination(baselines.Naive()).fit(Y),
         InputTypeError, "forecasters must be a list", "Naive()"),
    case("Combination/empty", lambda: tsforecast.Combination([]).fit(Y),
         InvalidParameterError, "forecasters", "empty"),
    case("Combination/member_not_a_forecaster", lambda: tsforecast.Combination([baselines.Naive(), "theta"]).fit(Y),
         InputTypeError, "forecasters[1]", "str"),
    case("Combination/weights_wrong_length",
         lambda: tsforecast.Combination([baselines.Naive(), baselines.Drift()], weights=[1.0]).fit(Y),
         InvalidParameterError, "one weight per forecaster (2)", "got 1"),
    case("Combination/negative_weight",
         lambda: tsforecast.Combination([baselines.Naive(), baselines.Drift()], weights=[1.0, -0.5]).fit(Y),
         InvalidParameterError, "weights[1]", "-0.5"),
    case("Combination/weights_with_median",
         lambda: tsforecast.Combination([baselines.Naive(), baselines.Drift()], weights=[1, 1], method="median").fit(Y),
         InvalidParameterError, "weights go with method='mean'", "'median'"),
    case("Combination/method_unknown",
         lambda: tsforecast.Combination([baselines.Naive()], method="mode").fit(Y),
         InvalidParameterError, "method", "'mode'"),
    case("ConformalIntervals/too_few_windows",
         lambda: tsforecast.ConformalIntervals(baselines.Naive(), levels=(95,), horizon=2, n_windows=5).fit(Y),
         InsufficientDataError, "95%", "19", "n_windows=5"),
    case("ConformalIntervals/series_too_short",
         lambda: tsforecast.ConformalIntervals(baselines.Naive(), horizon=39).fit(Y),
         InsufficientDataError, "too short to calibrate", "[40]"),
    case("ConformalIntervals/n_windows_0",
         lambda: tsforecast.ConformalIntervals(baselines.Naive(), horizon=2, n_windows=0).fit(Y),
         InvalidParameterError, "n_windows", "0"),
    case("ConformalIntervals/pooling_unknown",
         lambda: tsforecast.ConformalIntervals(baselines.Naive(), horizon=2, pooling="global").fit(Y),
         InvalidParameterError, "pooling", "'global'"),
    case("ConformalIntervals/levels_unsorted",
         lambda: tsforecast.ConformalIntervals(baselines.Naive(), levels=(95, 80), horizon=2).fit(Y),
         InvalidParameterError, "levels", "(95, 80)"),
    case("ConformalIntervals/refit_false_without_update",
         lambda: tsforecast.ConformalIntervals(baselines.Naive(), horizon=2, refit=False).fit(Y),
         InvalidParameterError, "refit=False", "Naive"),
    case("ConformalIntervals/no_horizon", lambda: tsforecast.ConformalIntervals(baselines.Naive()).fit(Y),
         InvalidParameterError, "horizon", "None"),
    case("ConformalIntervals/predict_beyond_calibration",
         lambda: tsforecast.ConformalIntervals(baselines.Naive(), levels=(50,), horizon=2, n_windows=5).fit(Y)
         .predict_interval(5), InvalidParameterError, "horizon=5", "2 steps"),
    case("ConformalIntervals/model_not_a_forecaster", lambda: tsforecast.ConformalIntervals("naive").fit(Y),
         InputTypeError, "model", "str"),
    # -- splits
    case("ExpandingWindowSplit/horizon_0", lambda: list(ExpandingWindowSplit(0).split(np.arange(20))),
         InvalidParameterError, "horizon", "0"),
    case("ExpandingWindowSplit/too_short", lambda: list(ExpandingWindowSplit(5, n_splits=5).split(np.arange(8))),
         InsufficientDataError, "8"),
    case("SlidingWindowSplit/window_length_str", lambda: list(SlidingWindowSplit("a").split(np.arange(20))),
         InputTypeError, "window_length", "'a'"),
    # -- panels
    case("to_panel/list", lambda: to_panel([1, 2]), InputTypeError, "series", "list"),
    case("from_panel/no_id_column", lambda: from_panel(pd.DataFrame({"ds": Y.index, "y": Y.to_numpy()})),
         InputTypeError, "panel", "unique_id"),
    # -- datasets
    case("list_datasets/unexpected_argument", lambda: datasets.list_datasets(42), TypeError, "argument"),
    case("load_dataset/unknown_name", lambda: datasets.load("weather_on_mars"), InvalidParameterError, "name",
         "'weather_on_mars'"),
    case("load_dataset/unknown_column", lambda: datasets.load("co2", columns=["nope"]), UnknownColumnError,
         "'nope'"),
    case("load_m4/unknown_subset", lambda: datasets.load_m4("Hourlyy"), InvalidParameterError, "subset",
         "'Hourlyy'"),
    case("load_m4/missing_folder", lambda: datasets.load_m4("Hourly", workdir() / "no_m4"), DataNotFoundError,
         "no_m4"),
    case("load_m4/split_unknown", lambda: datasets.load_m4("Hourly", split="validation"), InvalidParameterError,
         "split", "'validation'"),
    # -- huge values: squares overflow float64
    case("WindowForecaster/huge_values", lambda: ridge().fit(series(values=1e300 * (1 + np.sin(np.arange(40))))),
         InvalidInputError, "y", "e+300"),
    case("WindowForecaster/huge_covariate",
         lambda: ridge(covariates=["x"]).fit(frame_with("x", np.full(40, -1e200))), InvalidInputError, "'x'",
         "e+200"),
    case("EncoderDecoderLSTM/huge_values", lambda: tiny_lstm().fit(X4 * 1e300, Y4), InvalidInputError, "X",
         "e+300"),
    # -- command line (errors surface as exceptions with standalone_mode=False)
    case("cli/unknown_model", lambda: cli("backtest", "--data", daily_csv(), "--target", "y", "-H", "2", "-m", "prophet", "-q"),
         InvalidParameterError, "prophet"),
    case("cli/missing_target_column",
         lambda: cli("backtest", "--data", daily_csv(), "--target", "sales", "-H", "2", "-m", "naive", "-q"),
         UnknownColumnError, "'sales'"),
    case("cli/nan_in_data",
         lambda: cli("backtest", "--data", csv_file("nan.csv", pd.DataFrame({"ds": Y.index, "y": with_nan()})),
                     "--target", "y", "-H", "2", "-m", "naive", "-q"),
         InvalidInputError, "nan"),
    case("cli/too_short", lambda: cli("backtest", "--data", daily_csv(5), "--target", "y", "-H", "2", "--folds", "3",
                                      "-m", "naive", "-q"),
         InsufficientDataError, "5"),
    case("cli/predict_truncated_model", lambda: cli("predict", "--model", str(truncated_file())), ModelFileError,
         "truncated.tsf"),
    case("cli/several_targets_unknown_column",
         lambda: cli("backtest", "--data", daily_csv(x=np.arange(40.0)), "--target", "y,sales", "-H", "2", "-m",
                     "naive", "-q"),
         UnknownColumnError, "'sales'"),
    case("cli/several_targets_text_column",
         lambda: cli("backtest", "--data", daily_csv(shop=["a"] * 40), "--target", "y,shop", "-H", "2", "-m",
                     "naive", "-q"),
         InvalidInputError, "'shop'", "text"),
    case("cli/several_targets_and_an_id_column",
         lambda: cli("backtest", "--data", daily_csv(x=np.arange(40.0)), "--target", "y,x", "--id-column", "ds",
                     "-H", "2", "-m", "naive", "-q"),
         InvalidParameterError, "--id-column", "'ds'"),
    # -- round three (issue 24): the new surfaces refuse clearly
    case("orientation/unknown_metric", lambda: metrics.orientation("accuracy"), InvalidParameterError, "accuracy"),
    case("orientation/target_without_target", lambda: metrics.orientation("coverage"), InvalidParameterError,
         "'coverage'", "target"),
    case("distance_from_best/unknown_metric", lambda: metrics.distance_from_best("r2", [1.0]),
         InvalidParameterError, "'r2'"),
    case("BacktestResult.compare/coverage_has_no_loss",
         lambda: interval_result().compare("naive", metric="coverage_80"), InvalidParameterError,
         "'coverage_80'", "interval_score"),
    case("to_panel/differently_named_series", lambda: to_panel({"a": Y, "b": Y.rename("sales")}),
         InvalidInputError, "series['b']", "'sales'", "'y'"),
    case("to_panel/frames_without_a_common_column",
         lambda: to_panel({"a": Y.to_frame().assign(x=1.0), "b": Y.rename("sales").to_frame()}), InvalidInputError,
         "series['b']", "'sales'", "'x'"),
    case("to_panel/unnamed_beside_named", lambda: to_panel({"a": Y.rename(None), "b": Y.rename("sales")}),
         InvalidInputError, "series['b']", "'sales'", "'y'"),
    case("fit/long_panel_strings_in_one_series", lambda: baselines.Naive().fit(mixed_time_panel("strings")),
         InputTypeError, "y['b']", "str"),
    case("fit/long_panel_zones_differ", lambda: baselines.Naive().fit(mixed_time_panel("utc")), InputTypeError,
         "y['a']", "y['b']", "UTC"),
    case("fit/long_panel_integers_in_one_series", lambda: baselines.Naive().fit(mixed_time_panel("integers")),
         InputTypeError, "y['b']", "integer time"),
    case("save/onto_a_folder", lambda: save(fitted_ridge(), workdir()), FileWriteError, str(workdir()), "folder"),
    case("save/under_a_file", lambda: save(fitted_ridge(), ridge_file() / "model.tsf"), FileWriteError,
         str(ridge_file()), "not a folder"),
    case("BacktestResult.save/onto_a_folder", lambda: small_result().save(workdir()), FileWriteError,
         str(workdir()), "folder"),
    case("BacktestResult.save/under_a_file", lambda: small_result().save(ridge_file() / "r.zip"), FileWriteError,
         str(ridge_file()), "not a folder"),
    case("report/under_a_file", lambda: report(small_result(), ridge_file() / "report.html"), FileWriteError,
         str(ridge_file()), "not a folder"),
    case("backtest/checkpoint_under_a_file",
         lambda: backtest(baselines.Naive(), Y, horizon=2, cv=2, checkpoint_dir=ridge_file() / "ck", progress=False),
         FileWriteError, "ck"),
    # odd names: the system's refusal (a name too long, a null byte) is the documented error, naming the path
    *[case(f"{writer}/{odd}", functools.partial(write, name), FileWriteError, repr(name)[1:-1], why)
      for writer, write in (("save", lambda name: save(fitted_ridge(), workdir() / name)),
                            ("BacktestResult.save", lambda name: small_result().save(workdir() / name)),
                            ("report", lambda name: report(small_result(), workdir() / name)))
      for odd, name, why in (("name_too_long", "x" * 300 + ".out", os.strerror(errno.ENAMETOOLONG)),
                             ("null_byte", "a\0b.out", "null byte"))],
    case("load/name_too_long", lambda: load(workdir() / ("x" * 300 + ".tsf")), ModelFileError, "x" * 300,
         os.strerror(errno.ENAMETOOLONG)),
    case("load/null_byte", lambda: load(workdir() / "a\0b.tsf"), DataNotFoundError, "a\\x00b.tsf"),
    case("BacktestResult.load/null_byte", lambda: BacktestResult.load(workdir() / "a\0b.zip"), ModelFileError,
         "a\\x00b.zip", "null byte"),
    case("cli/fit_save_under_a_file",
         lambda: cli("fit", "--data", daily_csv(), "--target", "y", "--model", "naive", "-H", "2", "--save",
                     str(ridge_file() / "m.tsf")), FileWriteError, str(ridge_file()), "not a folder"),
    case("backtest/levels_fraction", lambda: backtest(baselines.Naive(), Y, horizon=2, cv=2, levels=[0.8],
                                                      progress=False), InvalidParameterError, "percent", "0.8", "80"),
    case("backtest/levels_same_name",
         lambda: backtest(baselines.Naive(), Y, horizon=2, cv=2, levels=[80, 80.0000001], progress=False),
         InvalidParameterError, "80.0000001", "column names"),
    case("predict_interval/levels_fraction", lambda: baselines.Naive().fit(Y).predict_interval(2, levels=[0.8, 0.95]),
         InvalidParameterError, "percent", "0.95"),
    case("predict_interval/levels_same_name",
         lambda: baselines.Naive().fit(Y).predict_interval(2, levels=[80, 80.0000001]), InvalidParameterError,
         "80.0000001", "column names"),
    case("ConformalIntervals/levels_fraction",
         lambda: tsforecast.ConformalIntervals(baselines.Naive(), levels=(0.8,), horizon=2).fit(Y),
         InvalidParameterError, "percent", "0.8"),
    case("interval_score/level_fraction", lambda: metrics.interval_score(np.ones(2), np.zeros(2), np.ones(2), 0.8),
         InvalidParameterError, "percent", "0.8"),
    case("cli/levels_fraction",
         lambda: cli("backtest", "--data", daily_csv(), "--target", "y", "-H", "2", "-m", "naive", "--levels", "0.8",
                     "-q"), InvalidParameterError, "--levels", "percent", "0.8"),
    case("backtest_partitions/horizon_0_at_call", lambda: partitions.backtest_partitions(
         baselines.Naive(), dask_panel(), horizon=0, cv=2), InvalidParameterError, "horizon", "0"),
    case("backtest_partitions/unknown_option_at_call", lambda: partitions.backtest_partitions(
         baselines.Naive(), dask_panel(), horizon=2, cv=2, horizn=3), InvalidParameterError, "horizn"),
    case("backtest_partitions/levels_fraction_at_call", lambda: partitions.backtest_partitions(
         baselines.Naive(), dask_panel(), horizon=2, cv=2, levels=[0.8]), InvalidParameterError, "percent"),
    case("WindowForecaster.update/hourly_after_daily",
         lambda: fitted_ridge().update(pd.Series(Y.to_numpy(), index=pd.date_range("2024", periods=40, freq="h"))),
         InvalidInputError, "'h'", "'D'"),
    case("WindowForecaster.update/weekly_after_daily",
         lambda: fitted_ridge().update(pd.Series(Y.to_numpy(), index=pd.date_range("2024", periods=40, freq="W"))),
         InvalidInputError, "'W-SUN'", "'D'"),
    case("WindowForecaster.update/monthly_panel_after_daily",
         lambda: fitted_ridge().update(to_panel({"a": pd.Series(Y.to_numpy(), name="y",
                                                               index=pd.date_range("2024", periods=40, freq="MS"))})),
         InvalidInputError, "'MS'", "'D'"),
]


# --------------------------------------------------------------------------- the checks
@contextmanager
def time_limit(seconds: int):
    """Fail instead of hanging (SIGALRM; the tests run in the main thread)."""

    def expired(signum, frame):
        raise TimeoutError(f"the call did not finish within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_there_are_at_least_40_hostile_cases():
    assert len(CASES) >= 40
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_input_raises_a_documented_error(case: Case):
    with time_limit(TIME_LIMIT), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            case.call()
        except Exception as error:  # noqa: BLE001 - the point is to inspect it
            caught = error
        else:
            pytest.fail(f"{case.id}: no error raised")
    assert type(caught).__module__.startswith(("tsforecast", "sklearn", "builtins")) or isinstance(
        caught, TsForecastError), f"raw {type(caught).__module__}.{type(caught).__name__}: {caught}"
    assert isinstance(caught, case.error), f"{type(caught).__name__}: {caught}"
    assert isinstance(caught, (TsForecastError, NotFittedError)) or case.error is TypeError, (
        f"{type(caught).__name__} is not a documented tsforecast error: {caught}")
    message = str(caught)
    missing = [text for text in case.contains if text not in message]
    assert not missing, f"message lacks {missing}: {message}"


#: Public callables that take no argument to get wrong, or are not meant to be called by users.
NOT_CHECKED = {
    "default_m4_dir": "takes no argument",
    "DatasetInfo": "a record returned by list_datasets, not built by users",
    "LocalForecaster": "the base class of the baselines, not used directly",
}


def _public_names() -> set[str]:
    """Every public callable of tsforecast and of its public modules."""
    names = set()
    for module in (tsforecast, baselines, metrics, splits, datasets, partitions):
        for name in module.__all__:
            if callable(getattr(module, name)) and not name.startswith("_"):
                # datasets.load is a different function from tsforecast.load
                names.add("load_dataset" if module is datasets and name == "load" else name)
    return names - set(NOT_CHECKED)


def test_every_public_name_has_a_hostile_case():
    covered = {c.id.split("/")[0] for c in CASES}
    missing = sorted(_public_names() - covered)
    assert not missing, f"public names without a hostile-input case: {missing}"


# --------------------------------------------------------------------------- odd but legal input
FORECASTERS = {**{name: cls for name, cls in BASELINES.items()},
               "WindowForecaster(Ridge)": lambda **kw: ridge(**kw),
               "WindowForecaster(LSTM)": lambda **kw: WindowForecaster(tiny_lstm(), 4, 2, **kw)}
ODD_SERIES = {
    "constant": lambda: series(values=np.full(40, 5.0)),
    "zeros": lambda: series(values=np.zeros(40)),
    "negative": lambda: series(values=-5 - np.sin(np.arange(40))),
}
SURVIVABLE = [(m, d) for m in FORECASTERS for d in ODD_SERIES]


def _slow_if_lstm(model: str, *values, id: str | None = None):
    """A parameter set marked slow when it trains an LSTM (the fast lane keeps the table's LSTM cases)."""
    return pytest.param(model, *values, id=id, marks=pytest.mark.slow if "LSTM" in model else ())


@pytest.mark.parametrize("model, data", [_slow_if_lstm(m, d, id=f"{m}-{d}") for m, d in SURVIVABLE])
def test_odd_but_legal_input_gives_finite_forecasts(model, data):
    with time_limit(TIME_LIMIT), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecast = FORECASTERS[model]().fit(ODD_SERIES[data]()).predict(3)
    assert forecast.shape[0] == 3 and np.isfinite(forecast.to_numpy()).all()


def _zones() -> dict:
    import datetime as dt
    from zoneinfo import ZoneInfo

    import dateutil.tz

    return {"dateutil gettz": dateutil.tz.gettz("Europe/Berlin"), "dateutil/ name": "dateutil/Europe/Berlin",
            "dateutil utc": dateutil.tz.tzutc(), "dateutil offset": dateutil.tz.tzoffset(None, 3600),
            "zoneinfo": ZoneInfo("Europe/Berlin"), "fixed offset": dt.timezone(dt.timedelta(hours=-5, minutes=-30))}


@pytest.mark.parametrize("zone", list(_zones()))
def test_timestamps_in_any_time_zone_library_are_forecast_and_saved(zone, tmp_path):
    """A dateutil zone's str is no name pandas reads back: Naive().fit worked, predict and
    backtest failed with a raw ZoneInfoNotFoundError."""
    tz = _zones()[zone]
    index = pd.date_range("2024-03-29", periods=48, freq="h", tz=tz)  # crosses Berlin's change to summer time
    y = pd.Series(10 + np.sin(np.arange(48) / 3), index=index, name="y")
    following = pd.date_range(index[-1], periods=3, freq="h")[1:]

    def local_times(stamps: pd.Index) -> list:  # the instants and the clock they are shown in
        return [(t, t.utcoffset()) for t in stamps]

    fitted = baselines.Naive().fit(y)
    assert local_times(fitted.predict(2).index) == local_times(following)
    path = save(fitted, tmp_path / "naive.tsf")
    assert local_times(load(path).predict(2).index) == local_times(following)
    result = backtest({"naive": baselines.Naive()}, y, horizon=2, cv=2, progress=False)
    assert result.forecasts["ds"].iloc[-1] == index[-1]


@pytest.mark.parametrize("model", list(BASELINES))
def test_values_beyond_1e150_are_refused_by_every_baseline(model):
    """As the window models and the README's error table: sums of squares overflow there
    (Theta's seasonality test gave a flat line at 1e200, AutoARIMA fell back to Naive)."""
    with pytest.raises(InvalidInputError, match=r"y column 'y' holds values as large as 2\.5e\+300"):
        BASELINES[model]().fit(series(values=1e300 * (1.5 + np.sin(np.arange(40)))))


@pytest.mark.parametrize("model", [baselines.Naive, baselines.Naive2, lambda: baselines.SeasonalNaive(7)],
                         ids=["Naive", "Naive2", "SeasonalNaive"])
def test_one_value_refuses_intervals_instead_of_claiming_certainty_or_nan(model):
    """A series of one value has no difference to estimate a spread from: its bounds were of
    zero width, then NaN without a word; now the error names the series and its length.
    Its point forecast stays defined, and a series with two values has intervals."""
    fitted = model().fit({"one": series(1), "many": series(40)})
    with pytest.raises(InsufficientDataError, match=r"\['one'\].*\[1\] value"):
        fitted.predict_interval(2, levels=[80])
    with pytest.raises(InsufficientDataError, match=r"\['one'\]"):
        fitted.predict_quantiles(2, quantiles=[0.1, 0.9])
    assert np.isfinite(fitted.predict(2)["one"].to_numpy()).all()
    bands = model().fit({"two": series(2), "many": series(40)}).predict_interval(2, levels=[80])
    assert all((bands[k]["hi_80"] >= bands[k]["lo_80"]).all() for k in bands)


@pytest.mark.parametrize("model, needs", [(baselines.Drift, 3), (baselines.Mean, 2), (baselines.SES, 3),
                                          (baselines.Holt, 5), (baselines.Damped, 6)],
                         ids=["Drift", "Mean", "SES", "Holt", "Damped"])
def test_too_few_values_for_the_models_parameters_refuse_intervals_instead_of_claiming_certainty(model, needs):
    """Drift on two values, SES on two, Holt on four...: the parameters fitted use every
    value, the sum of squares left is 0, and the bounds had zero width (certainty)."""
    short = series(needs - 1, values=np.array([5.0, 6.5, 5.5, 7.0, 6.0])[: needs - 1])
    fitted = model().fit({"short": short, "many": series(40)})
    with pytest.raises(InsufficientDataError, match=rf"\['short'\].*\[{needs - 1}\] value.*at least {needs} values"):
        fitted.predict_interval(2, levels=[80])
    assert np.isfinite(fitted.predict(2)["short"].to_numpy()).all()
    bands = model().fit(series(needs, values=np.array([5.0, 6.5, 5.5, 7.0, 6.0, 6.2])[:needs]))
    bands = bands.predict_interval(2, levels=[80])
    assert (bands["hi_80"] > bands["lo_80"]).all()


@pytest.mark.parametrize("model, needs", [(baselines.Drift, 3), (baselines.Mean, 2), (baselines.SES, 3),
                                          (baselines.Holt, 5), (baselines.Damped, 6)],
                         ids=["Drift", "Mean", "SES", "Holt", "Damped"])
def test_a_local_model_names_its_series_too_short_for_a_spread_with_the_error_each_raises_alone(model, needs):
    """What a backtest words a short series' note with, without fitting it alone again."""
    values = np.array([5.0, 6.5, 5.5, 7.0, 6.0])
    fitted = model().fit({"short": series(needs - 1, values=values[: needs - 1]), "many": series(40)})
    refusals = fitted.too_short_for_spread()
    assert list(refusals) == ["short"]
    with pytest.raises(InsufficientDataError) as alone:
        model().fit({"short": series(needs - 1, values=values[: needs - 1])}).predict_interval(2, levels=[80])
    assert str(refusals["short"]) == str(alone.value)
    assert model().fit(series(40)).too_short_for_spread() == {}


def test_mean_of_one_value_refuses_intervals_however_long_the_series():
    fitted = baselines.Mean(window=1).fit(series(40))
    with pytest.raises(InvalidParameterError, match=r"Mean\(window=1\).*window >= 2"):
        fitted.predict_interval(2, levels=[80])
    assert np.isfinite(fitted.predict(2).to_numpy()).all()


def test_negative_values_for_multiplicative_ets_fall_back_to_additive_with_a_warning():
    y = series(values=-5 - np.sin(np.arange(40) * 2 * np.pi / 7))
    with pytest.warns(FallbackWarning, match=r"'series'.*<= 0 rules out multiplicative"):
        forecast = baselines.ETS(error="mul", seasonal="mul", season_length=7).fit(y).predict(7)
    assert np.isfinite(forecast.to_numpy()).all()


@pytest.mark.parametrize("model", ["ETS", "Theta", "AutoARIMA"])
def test_a_season_the_series_is_too_short_for_is_dropped_with_a_warning(model):
    """ETS(season_length=60) on 100 values equalled ETS() without a word (as Theta and
    AutoARIMA did); SeasonalNaive and MSTL already said so."""
    with pytest.warns(FallbackWarning, match=r"'series'.*season_length=60"):
        BASELINES[model](season_length=60).fit(series(100))
    with warnings.catch_warnings():
        warnings.simplefilter("error", FallbackWarning)  # a season the data holds twice: no word
        BASELINES[model](season_length=7).fit(series(100))


def test_season_longer_than_the_series_falls_back_to_naive_with_a_warning():
    with pytest.warns(FallbackWarning, match=r"'series'.*season_length=50.*Naive"):
        forecast = baselines.SeasonalNaive(50).fit(series(40)).predict(3)
    np.testing.assert_array_equal(forecast.to_numpy(), np.full(3, series(40).iloc[-1]))


# --------------------------------------------------------------------------- fill, on_short
FILLED = {"ffill": lambda y: y.ffill(), "interpolate": lambda y: y.interpolate()}


@pytest.mark.parametrize("fill", list(FILLED))
@pytest.mark.parametrize("model", [m for m in FORECASTERS if m != "WindowForecaster(LSTM)"])
def test_fill_repairs_missing_values_like_pandas(model, fill):
    gappy = with_nan(at=20)
    gappy.iloc[21] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        repaired = FORECASTERS[model](fill=fill).fit(gappy).predict(3)
        reference = FORECASTERS[model]().fit(FILLED[fill](gappy)).predict(3)
    pd.testing.assert_series_equal(repaired, reference)


def test_fill_in_backtest_matches_backtesting_the_ffilled_series():
    gappy = with_nan(at=12)
    filled = backtest(baselines.Naive(), gappy, horizon=2, cv=2, fill="ffill", progress=False)
    reference = backtest(baselines.Naive(), gappy.ffill(), horizon=2, cv=2, progress=False)
    pd.testing.assert_frame_equal(filled.forecasts, reference.forecasts)
    assert filled.info["fill"] == "ffill"


@pytest.mark.parametrize("model", [_slow_if_lstm(m, id=m) for m in FORECASTERS])
def test_on_short_skip_leaves_out_the_short_series_with_a_warning(model):
    data = {"long": series(30), "short": series(3)}
    make = FORECASTERS[model]
    minimum = 4 if model.startswith("WindowForecaster") else make()._min_length()
    if minimum <= 3:  # for these 3 rows are enough; an empty series is the short one
        data["short"] = series(0)
    with time_limit(TIME_LIMIT), warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        with pytest.warns(SkippedSeriesWarning, match="'short'"):
            forecast = FORECASTERS[model](on_short="skip").fit(data).predict(2)
        with pytest.raises(InsufficientDataError, match="'short'"):
            FORECASTERS[model]().fit(data)
    assert list(forecast) == ["long"] and np.isfinite(forecast["long"].to_numpy()).all()


@pytest.mark.parametrize("short_rows", [4, 1])  # one row was refused before on_short was read
def test_on_short_skip_in_backtest(short_rows):
    data = panel({"long": 30, "short": short_rows})
    with pytest.warns(SkippedSeriesWarning, match="'short'"):
        result = backtest(baselines.Naive(), data, horizon=2, cv=3, on_short="skip", progress=False)
    assert set(result.forecasts["unique_id"]) == {"long"} and result.info["data"]["n_series"] == 1
    with pytest.raises(InsufficientDataError, match="'short'"):
        backtest(baselines.Naive(), data, horizon=2, cv=3, progress=False)


# --------------------------------------------------------------------------- interrupted writes
# Also covered elsewhere: tests/test_persistence.py (save interrupted after the first member
# and at fsync), tests/test_report.py (the third file and the final rename),
# tests/test_backtest_parallel.py (a backtest process killed with SIGKILL). Here every
# write point of each artefact is interrupted in turn by an injected exception.
class Injected(Exception):
    """The fault injected mid-write."""


def fail_at(monkeypatch, owner, name: str, call: int) -> list:
    """Make ``owner.name`` raise :class:`Injected` at its ``call``-th call (1-based)."""
    original, calls = getattr(owner, name), []

    def faulty(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise Injected(f"{name} interrupted at call {call}")
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, faulty)
    return calls


def snapshot(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def interrupted(monkeypatch, owner, name, call, write) -> bool:
    """Run ``write`` with the fault in place; True if the fault fired."""
    fail_at(monkeypatch, owner, name, call)
    try:
        write()
    except Injected:
        return True
    finally:
        monkeypatch.undo()
    return False


def _persistence():
    from tsforecast.storage import model_files as persistence

    return persistence


def _archive_writer():
    from tsforecast.storage import files as _io  # the one archive writer of model files and results

    return _io


def _result_module():
    from tsforecast.backtesting import result

    return result


def _report_files():
    from tsforecast.reporting import _files

    return _files


WRITE_POINTS = {
    "save": [(_archive_writer, "_write_member", k) for k in (1, 2)]  # a saved Ridge has 2 members: no 3rd call
    + [(lambda: _persistence().os, name, 1) for name in ("fsync", "replace")],
    "BacktestResult.save": [(lambda: _archive_writer().zipfile.ZipFile, "writestr", k) for k in (1, 3)]
    + [(lambda: _result_module().os, name, 1) for name in ("fsync", "replace")],
    "report": [(_report_files, "_write_file", k) for k in (1, 2, 4)]
    + [(lambda: _report_files().os, "replace", k) for k in (1, 2, 3, 4)],
}
INTERRUPTIONS = [(artefact, point) for artefact, points in WRITE_POINTS.items() for point in points]


def _write(artefact: str, target: Path, variant: int):
    """Write ``artefact`` to ``target``; ``variant`` changes the content."""
    if artefact == "save":
        return lambda: save(ridge(4 + variant).fit(series()), target)
    if artefact == "BacktestResult.save":
        return lambda: backtest(baselines.Naive(), series(30 + variant), horizon=2, cv=2,
                                progress=False).save(target)
    return lambda: report(small_result(), target, title=f"version {variant}")


def _is_complete(artefact: str, folder: Path, target: Path) -> bool:
    if artefact == "save":
        return load(target).predict(2).notna().all()
    if artefact == "BacktestResult.save":
        return len(BacktestResult.load(target).forecasts) > 0
    return target.read_text().rstrip().endswith("</html>") and target.with_suffix(".md").exists()


# Each interrupted report renders figures (about 3 s): the fast lane keeps the first point of each kind.
@pytest.mark.parametrize("artefact, point", [
    pytest.param(a, p, id=f"{a}-{p[1]}#{p[2]}", marks=pytest.mark.slow if a == "report" and p[2] > 1 else ())
    for a, p in INTERRUPTIONS])
@pytest.mark.parametrize("previous", [False, True], ids=["no_previous", "previous"])
def test_interrupted_write_leaves_the_previous_complete_file_or_none(artefact, point, previous, tmp_path,
                                                                     monkeypatch):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / ("model.tsf" if artefact == "save" else "result.zip" if artefact.startswith("Back")
                       else "report.html")
    if previous:
        _write(artefact, target, 0)()
    before = snapshot(folder)
    owner, name, call = point
    fired = interrupted(monkeypatch, owner(), name, call, _write(artefact, target, 1))
    after = snapshot(folder)
    # without a previous report no old figures folder is moved aside: the 4th os.replace never comes
    unreached = not previous and artefact == "report" and (name, call) == ("replace", 4)
    assert fired is not unreached, f"the fault at {name} call {call} fired: {fired}, expected: {not unreached}"
    if fired:
        assert after == before, "an interrupted write changed or left files"
    if after:  # whatever is there is complete and readable
        assert _is_complete(artefact, folder, target)
    assert not [p for p in folder.rglob("*") if p.name.endswith((".tmp", ".old"))]


def test_interrupted_checkpointed_backtest_leaves_only_complete_task_files(tmp_path, monkeypatch):
    from tsforecast.backtesting import checkpoint

    ck = tmp_path / "ck"
    models = {"naive": baselines.Naive(), "drift": baselines.Drift()}
    data = panel({"a": 30, "b": 30})
    # the third task's file fails after its bytes are written, before it is renamed into place
    fail_at(monkeypatch, checkpoint.os, "fsync", 3)
    with pytest.raises(Injected):
        backtest(models, data, horizon=2, cv=2, checkpoint_dir=ck, progress=False)
    monkeypatch.undo()
    files = sorted(ck.iterdir())
    assert [p.suffix for p in files] == [".zip", ".zip"], files  # no partial or temporary file
    store = checkpoint.TaskStore(ck)
    assert all(store.load(p.stem) is not None for p in files)
    resumed = backtest(models, data, horizon=2, cv=2, checkpoint_dir=ck, progress=False)
    clean = backtest(models, data, horizon=2, cv=2, progress=False)
    assert resumed.info["n_tasks_resumed"] == 2
    pd.testing.assert_frame_equal(resumed.forecasts, clean.forecasts)
    pd.testing.assert_frame_equal(resumed.metrics, clean.metrics)


# --------------------------------------------------------------------------- determinism across processes
DETERMINISM_SCRIPT = """
import os, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.simplefilter("ignore")
import numpy as np, pandas as pd
from tsforecast import WindowForecaster, EncoderDecoderLSTM, MedianEnsemble, baselines
t = np.arange(60)
y = pd.Series(10 + 0.05 * t + np.sin(2 * np.pi * t / 7) + 0.3 * np.cos(t * 1.7),
              index=pd.date_range("2024-01-01", periods=60, freq="D"), name="y")
models = {name: getattr(baselines, name)() for name in %r}
models["SeasonalNaive"] = baselines.SeasonalNaive(7)
models["ETS"] = baselines.ETS(season_length=7, random_state=0)
models["lstm"] = WindowForecaster(EncoderDecoderLSTM(units=4, epochs=2, batch_size=16, random_state=0), 14, 7)
models["median_ensemble"] = WindowForecaster(MedianEnsemble(EncoderDecoderLSTM(units=4, epochs=2, batch_size=16),
                                                            n_members=2, input_lengths=[14, 7], random_state=0), 14, 7)
out = {}
for name, model in models.items():
    model.fit(y)
    out[name] = model.predict(7).to_numpy()
    if model.supports_quantiles:
        out[name + "/quantiles"] = model.predict_quantiles(7, quantiles=[0.1, 0.9]).to_numpy()
np.savez(sys.argv[1], **out)
"""


@pytest.mark.slow
def test_every_model_gives_bit_identical_forecasts_in_separate_processes(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "forecast.py"
    script.write_text(DETERMINISM_SCRIPT % (list(BASELINES),))
    outs = [tmp_path / f"run{k}.npz" for k in range(2)]
    processes = [subprocess.Popen([sys.executable, str(script), str(out)], stderr=subprocess.PIPE) for out in outs]
    runs = []
    for process, out in zip(processes, outs):  # both at once: half the wall time
        _, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stderr.decode()[-2000:]
        with np.load(out) as arrays:
            runs.append({name: arrays[name] for name in arrays.files})
    first, second = runs
    assert set(first) == set(second) and {*BASELINES, "lstm", "median_ensemble"} <= set(first)
    for name in first:
        assert np.isfinite(first[name]).all(), name
        assert first[name].tobytes() == second[name].tobytes(), f"{name} differs between processes"


# --------------------------------------------------------------------------- the command line
def test_cli_fill_and_on_short(tmp_path, capsys):
    gappy = with_nan(at=12)
    nan_csv = csv_file("gappy.csv", pd.DataFrame({"ds": gappy.index, "y": gappy.to_numpy()}))
    common = ["--target", "y", "-H", "2", "--folds", "2", "-m", "naive", "-q"]
    cli("backtest", "--data", nan_csv, *common, "--fill", "ffill", "--save-result", str(tmp_path / "a.zip"))
    reference = backtest({"naive": baselines.Naive()}, gappy.ffill(), horizon=2, cv=2, progress=False)
    filled = BacktestResult.load(tmp_path / "a.zip")
    np.testing.assert_array_equal(filled.forecasts["y_hat"], reference.forecasts["y_hat"])

    data = panel({"long": 30, "short": 4})
    panel_csv = csv_file("short_panel.csv", data)
    with pytest.raises(InsufficientDataError, match="'short'"):
        cli("backtest", "--data", panel_csv, "--id-column", "unique_id", *common)
    with pytest.warns(SkippedSeriesWarning, match="'short'"):
        cli("backtest", "--data", panel_csv, "--id-column", "unique_id", *common, "--on-short", "skip",
            "--save-result", str(tmp_path / "b.zip"))
    assert set(BacktestResult.load(tmp_path / "b.zip").forecasts["unique_id"]) == {"long"}

    cli("fit", "--data", nan_csv, "--target", "y", "--model", "naive", "-H", "2", "--fill", "interpolate",
        "--save", str(tmp_path / "m.tsf"))
    assert load(tmp_path / "m.tsf").fill == "interpolate"


@pytest.mark.parametrize("argv, words", [
    (["backtest", "--dataset", "co2", "-H", "0", "-m", "naive"], ["--horizon", "0"]),
    (["backtest", "--dataset", "co2", "-H", "2", "-m", "naive", "--fill", "bfill"], ["--fill", "bfill"]),
    (["predict", "--model", "/nonexistent/model.tsf"], ["model.tsf"]),
], ids=["horizon_0", "fill_unknown", "missing_model_file"])
def test_cli_errors_are_one_line_without_traceback(argv, words, capsys):
    from tsforecast.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code in (1, 2)
    assert "Traceback" not in err and err.startswith("Error:")
    assert all(word in err for word in words), err
