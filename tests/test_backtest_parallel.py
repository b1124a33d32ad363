"""Backtests in parallel (joblib, Dask) and resumed from checkpoints give the same result."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from _backtest_helpers import GlobalMean, LastValue, NoisyQuantiles
from sklearn.linear_model import Ridge

from tsforecast import WindowForecaster, backtest

HERE = Path(__file__).resolve().parent


def make_panel(n_series: int = 3, length: int = 60) -> pd.DataFrame:
    rng = np.random.default_rng(7)
    frames = {}
    for i in range(n_series):
        t = np.arange(length)
        values = 10 * (i + 1) + np.sin(t / 3) + rng.normal(0, 0.2, length)
        frames[f"s{i}"] = pd.Series(values, index=pd.date_range("2024-01-01", periods=length, freq="h"), name="y")
    return pd.concat(frames, names=["unique_id", "ds"]).reset_index()


def models() -> dict:
    return {
        "last": LastValue(),
        "global": GlobalMean(),
        "ridge": WindowForecaster(Ridge(alpha=0.5), n_steps_in=6, n_steps_out=3),
        "q": NoisyQuantiles(),
    }


def assert_same(one, other) -> None:
    for name in ("forecasts", "metrics", "errors"):
        pd.testing.assert_frame_equal(getattr(one, name), getattr(other, name), check_exact=True)
    assert one.histories == other.histories


@pytest.fixture(scope="module")
def sequential():
    return backtest(models(), make_panel(), horizon=3, cv=4, progress=False)


@pytest.mark.slow
def test_joblib_two_workers_match_sequential(sequential):
    parallel = backtest(models(), make_panel(), horizon=3, cv=4, n_jobs=2, progress=False)
    assert_same(sequential, parallel)
    assert parallel.info["n_jobs"] == 2


@pytest.mark.parametrize("backend", ["multiprocessing", "sequential"])
def test_every_joblib_backend_name_accepted_runs(sequential, backend):
    """check_backend accepts joblib's names, but "multiprocessing" failed after the data was
    prepared: it cannot hand results over as they finish (return_as='generator_unordered')."""
    result = backtest(models(), make_panel(), horizon=3, cv=4, n_jobs=2, backend=backend, progress=False)
    assert_same(sequential, result)


def test_dask_local_cluster_matches_sequential(sequential):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        by_client = backtest(models(), make_panel(), horizon=3, cv=4, backend=client, progress=False)
        by_name = backtest(models(), make_panel(), horizon=3, cv=4, backend="dask", progress=False)
    assert_same(sequential, by_client)
    assert_same(sequential, by_name)


def test_checkpoint_resume_redoes_nothing(tmp_path):
    counter = tmp_path / "fits"
    data = make_panel(2, 40)
    model = {"last": LastValue(counter=str(counter))}
    first = backtest(model, data, horizon=2, cv=3, checkpoint_dir=tmp_path / "ck", progress=False)
    assert len(counter.read_text().splitlines()) == 6
    assert len(list((tmp_path / "ck").glob("*.zip"))) == 6
    again = backtest(model, data, horizon=2, cv=3, checkpoint_dir=tmp_path / "ck", progress=False)
    assert len(counter.read_text().splitlines()) == 6
    assert again.info["n_tasks_resumed"] == 6
    assert_same(first, again)
    # A different horizon is a different backtest: nothing is reused.
    backtest(model, data, horizon=3, cv=3, checkpoint_dir=tmp_path / "ck", progress=False)
    assert len(counter.read_text().splitlines()) == 12


SCRIPT = """
import sys
sys.path.insert(0, {here!r})
import numpy as np, pandas as pd
from _backtest_helpers import LastValue
from tsforecast import backtest
rng = np.random.default_rng(0)
y = pd.Series(np.cumsum(rng.normal(size=80)), index=pd.RangeIndex(80), name="y")
backtest({{"slow": LastValue(counter={counter!r}, delay={delay})}}, y, horizon=2, cv=12,
         checkpoint_dir={ck!r}, progress=False)
"""


@pytest.mark.slow
def test_killed_backtest_resumes_where_it_stopped(tmp_path):
    ck, counter = tmp_path / "ck", tmp_path / "fits"
    script = tmp_path / "run.py"
    script.write_text(SCRIPT.format(here=str(HERE), counter=str(counter), ck=str(ck), delay=0.4))
    process = subprocess.Popen([sys.executable, str(script)], env={**os.environ, "PYTHONWARNINGS": "ignore"})
    try:
        deadline = time.monotonic() + 120
        while len(list(ck.glob("*.zip"))) < 4:
            assert process.poll() is None, "the backtest ended before it could be killed"
            assert time.monotonic() < deadline, "no task finished in time"
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    finished = len(list(ck.glob("*.zip")))
    assert 4 <= finished < 12
    assert not list(ck.glob("*.tmp"))  # atomic writes leave no partial task file behind
    fits_before = len(counter.read_text().splitlines())

    rng = np.random.default_rng(0)
    y = pd.Series(np.cumsum(rng.normal(size=80)), index=pd.RangeIndex(80), name="y")
    model = {"slow": LastValue(counter=str(counter), delay=0.4)}
    resumed = backtest(model, y, horizon=2, cv=12, checkpoint_dir=ck, progress=False)
    assert resumed.info["n_tasks_resumed"] == finished
    assert len(counter.read_text().splitlines()) - fits_before == 12 - finished
    uninterrupted = backtest({"slow": LastValue(counter=str(counter), delay=0.0)}, y, horizon=2, cv=12,
                             progress=False)
    # The counter path and delay differ in the params, so compare the tables only.
    for name in ("forecasts", "metrics", "errors"):
        pd.testing.assert_frame_equal(getattr(resumed, name), getattr(uninterrupted, name), check_exact=True)


def test_a_checkpoint_of_another_fill_is_not_reused(tmp_path):
    """The data's hash is of the raw rows, gaps included: a run with fill='interpolate'
    resumed the forecasts of an earlier fill='ffill' run over the same checkpoint_dir."""
    counter = tmp_path / "fits"
    data = make_panel(2, 40)
    data.loc[data.index[[10, 11, 12]], "y"] = np.nan
    from tsforecast.baselines import Mean

    model = {"last": LastValue(counter=str(counter)), "mean": Mean()}  # the mean reads the repaired gap
    ffilled = backtest(model, data, horizon=2, cv=3, fill="ffill", checkpoint_dir=tmp_path / "ck", progress=False)
    interpolated = backtest(model, data, horizon=2, cv=3, fill="interpolate", checkpoint_dir=tmp_path / "ck",
                            progress=False)
    assert interpolated.info["n_tasks_resumed"] == 0 and len(counter.read_text().splitlines()) == 12
    fresh = backtest(model, data, horizon=2, cv=3, fill="interpolate", progress=False)
    assert_same(fresh, interpolated)
    means = [r.forecasts.loc[r.forecasts["model"] == "mean", "y_hat"].to_numpy() for r in (ffilled, interpolated)]
    assert not np.allclose(*means)


class ScaledRidge(Ridge):
    """A ridge regression whose predictions are multiplied by the last of ``weights`` (a
    long parameter, as an MLP's hidden layers)."""

    def __init__(self, weights=(1.0,)):
        super().__init__()
        self.weights = weights

    def predict(self, X):
        return super().predict(X) * self.weights[-1]


def test_a_checkpoint_of_a_model_differing_past_its_repr_is_not_reused(tmp_path):
    """The key held scikit-learn's repr of a nested estimator, which shows 30 items of a
    sequence: a model differing in the 31st resumed the other's forecasts."""
    first, second = (WindowForecaster(ScaledRidge(weights=w), n_steps_in=4, n_steps_out=2)
                     for w in ((1.0,) * 31, (1.0,) * 30 + (2.0,)))
    assert repr(first) == repr(second)  # what the key used to hold
    data = make_panel(2, 40)
    backtest({"w": first}, data, horizon=2, cv=2, checkpoint_dir=tmp_path / "ck", progress=False)
    resumed = backtest({"w": second}, data, horizon=2, cv=2, checkpoint_dir=tmp_path / "ck", progress=False)
    assert resumed.info["n_tasks_resumed"] == 0
    assert_same(backtest({"w": second}, data, horizon=2, cv=2, progress=False), resumed)


def fallback_panel() -> tuple[dict, pd.DataFrame]:
    """A conformal model whose 95% interval falls back to the pooled quantile at every fold
    (10 calibration windows where 19 are needed), beside a model that never falls back."""
    from tsforecast import ConformalIntervals
    from tsforecast.baselines import Theta

    rng = np.random.default_rng(5)
    data = pd.concat([pd.DataFrame({"unique_id": f"s{i}", "ds": pd.date_range("2024", periods=150, freq="D"),
                                    "y": 50 + rng.normal(size=150).cumsum()}) for i in range(3)], ignore_index=True)
    return {"ci": ConformalIntervals(Theta(), n_windows=10), "theta": Theta()}, data


def backtest_warned(n_jobs, backend, action):
    """The backtest of :func:`fallback_panel` under the filter ``action`` for
    FallbackWarning, and the fallback messages the caller was shown."""
    from tsforecast.exceptions import FallbackWarning

    models, data = fallback_panel()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter(action, FallbackWarning)
        result = backtest(models, data, horizon=6, cv=2, levels=(80, 95), n_jobs=n_jobs, backend=backend,
                          progress=False)
    return result, [str(w.message) for w in caught if issubclass(w.category, FallbackWarning)]


@pytest.mark.slow
@pytest.mark.parametrize("backend", [None, "multiprocessing"])
def test_worker_processes_hand_their_warnings_to_the_caller(backend):
    """A fallback warned in a loky or multiprocessing worker was printed by the worker:
    the caller's catch_warnings (and pytest.warns) saw nothing. It reaches the caller now,
    once, as in the sequential run."""
    sequential, shown_sequential = backtest_warned(1, None, "default")
    parallel, shown_parallel = backtest_warned(2, backend, "default")
    recorded = {m for folds in parallel.info["fallback_notes"].values() for fold in folds.values() for m in fold}
    assert recorded and set(shown_parallel) == recorded == set(shown_sequential)
    assert sorted(shown_parallel) == sorted(shown_sequential)  # "default" shows each once


@pytest.mark.slow
def test_a_filter_of_error_fails_the_same_folds_in_worker_processes():
    """With FallbackWarning turned into an error the sequential run fails the conformal
    folds; loky's workers, under their own filters, completed them."""
    sequential, _ = backtest_warned(1, None, "error")
    parallel, _ = backtest_warned(2, None, "error")
    assert set(sequential.errors["model"]) == {"ci"}
    pd.testing.assert_frame_equal(sequential.errors, parallel.errors)
    pd.testing.assert_frame_equal(sequential.forecasts, parallel.forecasts)


@pytest.mark.slow
def test_dask_worker_processes_hand_their_warnings_to_the_caller():
    distributed = pytest.importorskip("distributed")
    _, shown_sequential = backtest_warned(1, None, "default")
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=True, protocol="tcp", host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        _, shown = backtest_warned(1, client, "default")
    assert shown and sorted(shown) == sorted(shown_sequential)


def _warns_and_returns_its_filters_said():
    warnings.warn("a job of the user's own", UserWarning)
    return "shown"


@pytest.mark.slow
def test_a_reused_worker_does_not_keep_the_callers_filters():
    """The relay put the caller's filters in force in the worker and left them there:
    after a backtest under "error", joblib's reused loky workers failed the user's own
    later jobs that warn (and "ignore" would have silenced them)."""
    from joblib import Parallel, delayed

    models, data = fallback_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        backtest({"theta": models["theta"]}, data, horizon=6, cv=2, n_jobs=2, progress=False)
    later = Parallel(n_jobs=2)(delayed(_warns_and_returns_its_filters_said)() for _ in range(4))
    assert later == ["shown"] * 4


VERSIONS_SCRIPT = """
import json, sys
import numpy as np, pandas as pd
from tsforecast import backtest
from tsforecast.baselines import ARIMA
rng = np.random.default_rng(0)
index = pd.date_range("2024-01-01", periods=40, freq="D")
data = {k: pd.Series(10 + np.cumsum(rng.normal(size=40)), index=index) for k in "abcd"}
result = backtest({"arima": ARIMA(order=(1, 0, 0))}, data, horizon=2, cv=2, progress=False, n_jobs=2)
print(json.dumps({"versions": result.info["versions"], "imported": sorted(sys.modules)}))
"""


def test_the_recorded_versions_do_not_depend_on_where_the_models_ran(tmp_path):
    """ARIMA's statsmodels was listed with n_jobs=1 but not with n_jobs=2 (the versions
    were read from the parent's imports, and the fits ran in workers); Keras and
    TensorFlow were missing the same way after an LSTM in workers or a resumed run."""
    from importlib import metadata

    script = tmp_path / "versions.py"
    script.write_text(VERSIONS_SCRIPT)
    done = subprocess.run([sys.executable, str(script)], env={**os.environ, "PYTHONWARNINGS": "ignore"},
                          capture_output=True, text=True, timeout=300, check=True)
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    assert "statsmodels" not in answer["imported"]  # the fits ran in the workers only
    for name in ("statsmodels", "keras", "tensorflow"):
        assert answer["versions"][name] == metadata.version(name)
    assert "tensorflow" not in answer["imported"]  # not imported just to ask its version
