"""The recommended LSTM setting of benchmarks/m4.py (README: "recommended setting for
hourly data") trains for one short epoch on a few M4 series, so that it cannot rot;
and the benchmark's LSTM bookkeeping (seeds run one at a time, ablation rows)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "m4.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("m4_benchmark_lstm", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.parametrize("subset", ["Hourly", "Weekly"])
def test_recommended_setting_trains_and_forecasts_m4_series(bench, m4_dir, subset):
    train, ids, rows, actual = bench.load_subset(subset, m4_dir)
    train, ids, rows, actual = bench.sample_subset(train, ids, rows, actual, 4)
    spec = bench.SUBSETS[subset]
    # the configuration as recommended, trained briefly: one epoch on a few windows
    context = bench.Context(subset, spec["horizon"], spec["season_length"], seed=0,
                            lstm_options={"epochs": 1, "max_windows": 8})
    model = bench.lstm_forecaster(context)
    config = bench.LSTM_CONFIG[subset]
    assert model.n_steps_in == config["forecaster"]["n_steps_in"]
    assert model.estimator.estimator.get_params()["scaling"] == config["network"]["scaling"] == "seasonal"
    forecast = bench._wide(model.fit(train).predict(spec["horizon"]), ids, spec["horizon"])
    assert forecast.shape == actual.shape and np.isfinite(forecast).all()
    assert model.n_windows_ <= 4 * 8
    # one epoch starts near the seasonal naive forecast: far closer to the data than 10x off
    result = bench.score(actual, forecast, rows, spec["season_length"], None)
    assert result["mase"] < 10


def test_seeds_run_one_at_a_time_accumulate(bench):
    config = {"network": {"units": 64}}

    def entry(*seeds):
        runs = [{"seed": s, "smape": 10.0 + s, "mase": 1.0, "owa": 0.5 + s / 10, "seconds": 60.0} for s in seeds]
        return bench.summarize({"config": config}, runs)

    merged = bench.add_earlier_seeds({"lstm": entry(2)}, {"lstm": entry(0, 1)})["lstm"]
    assert [r["seed"] for r in merged["per_seed"]] == [0, 1, 2]
    assert merged["owa"] == pytest.approx(0.6) and merged["std"]["owa"] == pytest.approx(np.std([0.5, 0.6, 0.7]))
    # another configuration starts afresh
    other = bench.summarize({"config": {"network": {"units": 8}}}, [{"seed": 2, "smape": 1.0, "mase": 1.0,
                                                                      "owa": 1.0, "seconds": 1.0}])
    assert len(bench.add_earlier_seeds({"lstm": other}, {"lstm": entry(0, 1)})["lstm"]["per_seed"]) == 1


def test_lstm_options_go_to_the_part_that_has_them(bench):
    context = bench.Context("Hourly", 48, 24, lstm_options={"window_stride": 3, "n_members": 2, "units": 8})
    config = bench.lstm_config(context)
    assert config["forecaster"]["window_stride"] == 3
    assert config["ensemble"]["n_members"] == 2
    assert config["network"]["units"] == 8
    assert bench.LSTM_CONFIG["Hourly"]["network"]["units"] != 8  # the defaults are left alone


def test_ablation_rows_are_rendered(bench):
    content = {"ablation": {"Hourly": {"baseline": {"n_series": 100, "n_windows": 5442, "smape": 13.4, "mase": 0.97,
                                                    "owa": 0.557, "snaive_owa": 0.582, "seconds": 49.0}}}}
    text = bench.render_markdown(content)
    assert "| baseline | 100 | 5442 | 13.400 | 0.970 | 0.557 | 0.582 | 49 |" in text
    assert "## ablation" not in text
