"""Dask panels partitioned by series: each partition computed on a worker, results as local."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforecast import backtest
from tsforecast.backtesting.partitions import backtest_partitions, check_partitioned_by_series, forecast_partitions
from tsforecast.baselines import SES, SeasonalNaive, Theta
from tsforecast.exceptions import InputTypeError, InvalidInputError, InvalidParameterError

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

KEYS = ["model", "unique_id", "fold", "step"]


def long_panel(n_series: int = 12, length: int = 96, datetime: bool = False) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    t = np.arange(length)
    values = 20 + 5 * np.sin(2 * np.pi * t / 24)[None, :] + rng.normal(0, 1, (n_series, length))
    ds = pd.date_range("2024-01-01", periods=length, freq="h") if datetime else t
    return pd.DataFrame({"unique_id": np.repeat([f"s{i:02d}" for i in range(n_series)], length),
                         "ds": np.tile(ds, n_series), "y": values.ravel()})


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            yield client


def _sorted(frame: pd.DataFrame, keys: list) -> pd.DataFrame:
    frame = frame.astype({k: object for k in ("model", "unique_id") if k in frame.columns})
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.mark.parametrize("datetime", [False, True])
def test_forecast_partitions_equal_the_local_forecast(client, datetime):
    data = long_panel(datetime=datetime)
    parts = dd.from_pandas(data, npartitions=3, sort=False)
    got = forecast_partitions(SeasonalNaive(24), parts, horizon=12)
    assert isinstance(got, dd.DataFrame)
    local = SeasonalNaive(24).fit(data).predict(12)
    pd.testing.assert_frame_equal(_sorted(got.compute(), ["unique_id", "ds"]), _sorted(local, ["unique_id", "ds"]),
                                  check_exact=True)


@pytest.mark.parametrize("table", ["forecasts", "metrics"])
def test_backtest_partitions_equal_the_local_backtest(client, table):
    data = long_panel()
    models = {"snaive": SeasonalNaive(24), "ses": SES(), "theta": Theta(24)}
    parts = dd.from_pandas(data, npartitions=4, sort=False)
    got = backtest_partitions(models, parts, table=table, horizon=12, cv=3, season_length=24).compute()
    local = getattr(backtest(models, data, horizon=12, cv=3, season_length=24, progress=False), table)
    assert list(got.columns) == list(local.columns)
    pd.testing.assert_frame_equal(_sorted(got, KEYS), _sorted(local, KEYS), check_exact=True)


@pytest.mark.parametrize("table", ["forecasts", "metrics"])
def test_backtest_partitions_with_levels_equal_the_local_backtest(client, table):
    from tsforecast import ConformalIntervals

    data = long_panel()
    models = {"snaive": SeasonalNaive(24), "theta": ConformalIntervals(Theta(24), levels=(80,), n_windows=4)}
    parts = dd.from_pandas(data, npartitions=3, sort=False)
    got = backtest_partitions(models, parts, table=table, horizon=12, cv=2, season_length=24, levels=(80,)).compute()
    local = getattr(backtest(models, data, horizon=12, cv=2, season_length=24, levels=(80,), progress=False), table)
    assert list(got.columns) == list(local.columns)
    assert {"lo_80", "coverage_80"} & set(local.columns)
    pd.testing.assert_frame_equal(_sorted(got, KEYS), _sorted(local, KEYS), check_exact=True)


@pytest.mark.parametrize("table", ["forecasts", "metrics"])
def test_backtest_partitions_of_a_list_of_quantile_models_equal_the_local_backtest(client, table):
    from tsforecast.baselines import Drift, Naive

    data = long_panel(n_series=4)
    models = [Naive(), Drift(), Naive()]  # named by class as backtest names them, repeats numbered
    parts = dd.from_pandas(data, npartitions=2, sort=False)
    # before: the metadata took the list for one model without quantiles, and compute()
    # failed on Dask's "columns in the computed data do not match" (extra coverage, pinball)
    got = backtest_partitions(models, parts, table=table, horizon=2, cv=2, quantiles=[0.1, 0.9]).compute()
    local = getattr(backtest(models, data, horizon=2, cv=2, quantiles=[0.1, 0.9], progress=False), table)
    assert list(got.columns) == list(local.columns)
    assert {"q0.1", "pinball"} & set(local.columns)
    pd.testing.assert_frame_equal(_sorted(got, KEYS), _sorted(local, KEYS), check_exact=True)


@pytest.mark.parametrize("table", ["forecasts", "metrics"])
def test_a_partition_without_any_spread_has_the_tables_columns_as_nan(table):
    """Both series of the partition are too short for Drift's spread (3 values), so its
    backtest has no quantile columns, nor pinball and coverage: compute() failed on Dask's
    "columns in the computed data do not match" (missing q0.1, q0.9)."""
    from tsforecast.baselines import Drift

    data = pd.DataFrame({"unique_id": np.repeat(["a", "b"], 3), "ds": np.tile(np.arange(3), 2),
                         "y": [1.0, 2.0, 4.0, 3.0, 1.0, 2.0]})
    options = dict(horizon=1, cv=1, quantiles=[0.1, 0.9])
    with pytest.warns(Warning):  # the fallback: no spread
        got = backtest_partitions(Drift(), dd.from_pandas(data, npartitions=1, sort=False), table=table,
                                  **options).compute(scheduler="sync")
        local = getattr(backtest(Drift(), data, progress=False, **options), table)
    added = [c for c in got.columns if c not in local.columns]
    assert set(added) == ({"q0.1", "q0.9"} if table == "forecasts" else {"pinball", "coverage"})
    assert got[added].isna().all().all()
    pd.testing.assert_frame_equal(_sorted(got[list(local.columns)], KEYS), _sorted(local, KEYS), check_exact=True)


def test_auto_quantiles_of_a_window_model_are_its_estimators_in_every_partition():
    """quantiles="auto" gave the metadata the default quantiles (0.1, 0.5, 0.9) whatever
    the model's own: an LSTM trained for (0.05, 0.5, 0.95) failed compute() with "Extra:
    ['q0.05', 'q0.95'] Missing: ['q0.1', 'q0.9']"."""
    from tsforecast import WindowForecaster
    from tsforecast.models import EncoderDecoderLSTM

    model = WindowForecaster(EncoderDecoderLSTM(units=4, epochs=1, batch_size=16, random_state=0,
                                                quantiles=(0.05, 0.5, 0.95)), n_steps_in=6, n_steps_out=3)
    data = long_panel(n_series=4, length=24)
    got = backtest_partitions(model, dd.from_pandas(data, npartitions=2, sort=False), horizon=3, cv=1,
                              quantiles="auto").compute(scheduler="sync")
    local = backtest(model, data, horizon=3, cv=1, quantiles="auto", progress=False).forecasts
    assert list(got.columns) == list(local.columns)
    quantiles = [c for c in got.columns if c.startswith("q")]
    assert got[quantiles].notna().all().all()
    from tsforecast.forecasters.base import auto_quantiles

    before = auto_quantiles(model)  # known before fitting: the set the fitted model gives
    assert before == tuple(model.fit(data).forecast_arrays(3, quantiles="auto").levels)


def test_a_series_split_across_partitions_is_refused(client):
    data = long_panel(n_series=2)
    parts = dd.from_pandas(data, npartitions=3, sort=True)  # cuts series s00 in two
    with pytest.raises(InvalidInputError, match="whole series per partition.*s0"):
        check_partitioned_by_series(parts)
    with pytest.raises(InvalidInputError, match="shuffle"):
        forecast_partitions(SeasonalNaive(24), parts, horizon=3)


def test_a_pandas_frame_is_not_a_dask_panel():
    with pytest.raises(InputTypeError, match="data must be a dask.dataframe.DataFrame.*DataFrame"):
        forecast_partitions(SeasonalNaive(24), long_panel(), horizon=3)


def test_unknown_table_is_refused(client):
    parts = dd.from_pandas(long_panel(), npartitions=2, sort=False)
    with pytest.raises(InvalidParameterError, match="table must be.*'fits'"):
        backtest_partitions(SES(), parts, table="fits", horizon=3)


@pytest.mark.slow
def test_lstm_backtest_on_dask_threads_is_identical_run_after_run():
    """Dask workers run tasks in threads (default settings); every fit must depend on its
    own inputs and seed only, so repeated Dask runs equal the sequential one bit for bit."""
    from tsforecast import EncoderDecoderLSTM, WindowForecaster

    data = long_panel(n_series=4, length=72)
    models = {"lstm": WindowForecaster(EncoderDecoderLSTM(units=4, epochs=2, batch_size=16, random_state=0),
                                       n_steps_in=12, n_steps_out=6),
              "ses": SES()}
    sequential = backtest(models, data, horizon=6, cv=3, progress=False)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        for _ in range(3):
            on_dask = backtest(models, data, horizon=6, cv=3, progress=False, backend=client)
            pd.testing.assert_frame_equal(on_dask.forecasts, sequential.forecasts, check_exact=True)


def covariate_panel(n_series: int = 6, length: int = 60, datetime: bool = False) -> pd.DataFrame:
    data = long_panel(n_series, length, datetime)
    return data.assign(x=np.cos(np.arange(len(data)) / 7.0))


def _window(**params):
    from sklearn.linear_model import Ridge

    from tsforecast import WindowForecaster

    return WindowForecaster(Ridge(alpha=1.0), n_steps_in=12, n_steps_out=6, **params)


@pytest.mark.parametrize("datetime", [False, True])
@pytest.mark.parametrize("which", ["covariates", "targets", "combination"])
def test_forecast_partitions_of_a_model_with_a_covariate_column(client, datetime, which):
    """The forecasts hold the model's target columns only: covariate columns of the data
    are inputs (the metadata listed every data column before, and ``compute`` failed)."""
    from tsforecast import Combination

    model = {"covariates": _window(covariates=["x"]), "targets": _window(targets="y"),
             "combination": Combination([_window(covariates="x"), Theta(24)])}[which]
    data = covariate_panel(datetime=datetime)
    parts = dd.from_pandas(data, npartitions=3, sort=False)
    got = forecast_partitions(model, parts, horizon=6)
    assert list(got.columns) == ["unique_id", "ds", "y"]
    computed = got.compute()
    assert list(computed.columns) == ["unique_id", "ds", "y"] and len(computed) == 6 * 6
    # Each partition fits its own global model: compare partition by partition.
    pieces = [parts.get_partition(i).compute() for i in range(parts.npartitions)]
    local = pd.concat([model.fit(piece).predict(6) for piece in pieces if len(piece)])
    pd.testing.assert_frame_equal(_sorted(computed, ["unique_id", "ds"]), _sorted(local, ["unique_id", "ds"]),
                                  check_exact=True)


def test_a_dask_frame_given_to_fit_names_the_functions_that_take_it():
    """It was refused as 'got DataFrame', as if a pandas one had been wrong."""
    frame = pd.DataFrame({"unique_id": ["a"] * 10, "ds": pd.date_range("2024-01-01", periods=10, freq="D"),
                          "y": np.arange(10.0)})
    with pytest.raises(InputTypeError, match=r"got dask\.DataFrame \(a Dask collection: tsf\.forecast_partitions"):
        SES().fit(dd.from_pandas(frame, npartitions=1))
