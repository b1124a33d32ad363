"""The configurations of ``benchmarks/ltsf.py`` are valid estimator settings, and the one
chosen per horizon is the lowest validation MSE (the benchmark's only selection rule)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pytest

from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.ensemble import member_seeds

ROOT = Path(__file__).resolve().parents[1]


def _ltsf():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return importlib.import_module("ltsf")
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


LTSF = _ltsf()


@pytest.mark.parametrize("name", sorted(LTSF.CONFIGS))
def test_every_configuration_passes_the_estimators_checks(name):
    settings = LTSF.CONFIGS[name]
    assert set(settings) <= set(EncoderDecoderLSTM._parameter_constraints)
    checked = EncoderDecoderLSTM(random_state=0, **settings)._check_params()
    assert all(checked[key] == value for key, value in settings.items())


def test_segrnn48_differs_from_the_l1_recipe_only_by_its_loss():
    l1, squared = LTSF.CONFIGS["segrnn_l1_blend"], LTSF.CONFIGS["segrnn48_blend"]
    assert {k for k in l1 if l1[k] != squared[k]} == {"loss"}
    assert squared["segment_length"] == 48 and squared["blend_linear"] and squared["loss"] == "mse"


def test_windows_read_only_rows_before_the_forecast_start():
    z = np.arange(400.0)[:, None] * np.ones((1, 7))
    X, y = LTSF.windows(z, 100, 110, 24)
    assert X.shape == (11, LTSF.LOOKBACK, 7) and y.shape == (11, 24, 7)
    assert (X[:, -1, 0] == np.arange(99, 110)).all() and (y[:, 0, 0] == np.arange(100, 111)).all()


def _run(mse, fit_cpu, predict_wall, predict_cpu=None):
    run = {"mse": mse, "fit_cpu_seconds": fit_cpu, "predict_seconds": predict_wall}
    return run if predict_cpu is None else {**run, "predict_cpu_seconds": predict_cpu}


def test_the_cost_is_fit_plus_prediction_cpu_seconds_and_bounds_an_unrecorded_prediction():
    assert LTSF.cpu_cost(_run(1.0, 100.0, 10.0, predict_cpu=12.0)) == 112.0
    assert LTSF.cpu_cost(_run(1.0, 100.0, 10.0)) == 100.0 + LTSF.CORES * 10.0  # wall x cores, an upper bound
    assert LTSF.cpu_cost({"mse": 1.0, "fit_seconds": 9.0, "predict_seconds": 1.0}) is None


def test_a_configuration_over_the_budget_is_not_chosen_however_low_its_error():
    validation = {"slow": _run(0.5, 290.0, 6.0), "fast": _run(0.6, 50.0, 1.0, predict_cpu=1.0)}
    assert LTSF.cpu_cost(validation["slow"]) == 302.0
    assert LTSF.choose(validation) == "fast"
    assert set(LTSF.over_budget(validation)) == {"slow"} and "302.0 CPU s > 300" in LTSF.over_budget(validation)["slow"]
    assert LTSF.choose(validation, budget=400.0) == "slow"  # within a larger budget the lowest MSE wins


def test_an_entry_without_cpu_seconds_is_not_selectable_and_none_within_budget_chooses_none():
    validation = {"untimed": {"mse": 0.1, "fit_seconds": 5.0, "predict_seconds": 1.0}, "slow": _run(0.5, 400.0, 1.0)}
    assert LTSF.over_budget(validation)["untimed"] == "no CPU seconds recorded"
    assert LTSF.choose(validation) is None


def test_of_equal_validation_error_the_cheaper_is_chosen_and_select_records_why():
    entry = {"validation": {"dear": _run(1.25, 200.0, 5.0, 5.0), "cheap": _run(1.25, 60.0, 2.0, 2.0),
                            "worse": _run(1.3, 10.0, 1.0, 1.0), "over": _run(1.0, 299.0, 2.0, 2.0)}}
    LTSF.select(entry)
    assert entry["chosen"] == "cheap"
    assert entry["budget"]["cpu_seconds"] == LTSF.BUDGET_CPU_S and set(entry["budget"]["excluded"]) == {"over"}


@pytest.mark.parametrize("n, n_tail", [(8449, 2785), (8161, 2497), (7825, 2161), (7825, 1441), (10, 1)])
def test_the_protocol_tail_is_exactly_the_validation_windows_in_windows_and_channel_rows(n, n_tail):
    from tsforecast.models.training import n_validation

    fraction = LTSF.tail_fraction(n, n_tail)
    assert n_validation(n, fraction) == n_tail and n_validation(7 * n, fraction) == 7 * n_tail


def test_a_configuration_fitted_on_the_validation_rows_is_never_selectable():
    validation = {"segrnn48_blend_tv": _run(0.1, 10.0, 1.0, 1.0), "segrnn48_blend": _run(0.6, 50.0, 1.0, 1.0)}
    assert LTSF.choose(validation) == "segrnn48_blend"
    assert LTSF.over_budget(validation) == {"segrnn48_blend_tv": "its fit used the validation rows"}


def _tiny(monkeypatch):
    tiny = {"units": 4, "epochs": 1, "batch_size": 16, "scaling": "last", "segment_length": 4,
            "channels": "independent", "jit_compile": False}
    monkeypatch.setitem(LTSF.CONFIGS, "tiny", tiny)
    monkeypatch.setitem(LTSF.ENSEMBLES, "tiny_x2", ("tiny", 2))
    monkeypatch.setitem(LTSF.ENSEMBLES, "tiny_x3", ("tiny", 3))
    monkeypatch.setitem(LTSF.CONFIGS, "tiny8", {**tiny, "segment_length": 8})
    monkeypatch.setitem(LTSF.ENSEMBLES, "tiny_mix_x3_mean", (("tiny", "tiny8"), 3, "mean"))
    rng = np.random.default_rng(0)
    z = np.sin(np.arange(160.0) / 3)[:, None] + 0.1 * rng.standard_normal((160, 2))
    X, y = z[np.arange(40)[:, None] + np.arange(8)], z[np.arange(40)[:, None] + 8 + np.arange(4)]
    return {"train": (X[:30], y[:30]), "valid": (X[30:], y[30:])}


@pytest.mark.slow
def test_an_ensemble_of_shared_members_forecasts_as_the_median_ensemble_it_stands_for(monkeypatch):
    from tsforecast.models import MedianEnsemble

    data, cache = _tiny(monkeypatch), {}
    small, small_times = LTSF.fit_config("tiny_x2", data, 0, cache)
    large, large_times = LTSF.fit_config("tiny_x3", data, 0, cache)
    assert len(cache["members"]) == 3  # the 2 members of x2 are the first 2 of x3, fitted once
    assert large.estimators_[:2] == small.estimators_
    assert large_times["fit_cpu_seconds"] == pytest.approx(sum(large_times["member_fit_cpu_seconds"]), abs=0.2)
    assert large_times["member_fit_cpu_seconds"][:2] == small_times["member_fit_cpu_seconds"]
    alone = MedianEnsemble(EncoderDecoderLSTM(**LTSF.CONFIGS["tiny"]), n_members=3, random_state=0)
    alone.fit(*data["train"])
    np.testing.assert_allclose(large.predict(data["valid"][0]), alone.predict(data["valid"][0]), rtol=1e-6)
    assert member_seeds(0, 3) == [m.random_state for m in alone.estimators_]


@pytest.mark.slow
def test_a_mixed_mean_ensemble_of_shared_members_forecasts_as_its_median_ensemble(monkeypatch):
    data, cache = _tiny(monkeypatch), {}
    plain, _ = LTSF.fit_config("tiny_x3", data, 0, cache)
    mixed, times = LTSF.fit_config("tiny_mix_x3_mean", data, 0, cache)
    assert mixed.estimators_[0] is plain.estimators_[0] and mixed.estimators_[2] is plain.estimators_[2]
    assert [m.segment_length for m in mixed.estimators_] == [4, 8, 4]
    assert len(cache["members"]) == 4  # only member 1 was fitted anew
    alone = LTSF.build("tiny_mix_x3_mean", 0).fit(*data["train"])
    assert alone.aggregate == "mean"
    X, y = data["valid"]
    np.testing.assert_allclose(mixed.predict(X), alone.predict(X), rtol=1e-6)
    first, again = LTSF.timed_scores(mixed, X, y), LTSF.timed_scores(mixed, X, y)
    assert first == again  # the members' predictions are made once and charged alike
    assert LTSF.configuration("tiny_mix_x3_mean", 0)["aggregate"] == "mean"


def _channel_report(mse: dict, commits: dict) -> dict:
    """A report whose H = 96 test entries have the given MSEs, each logged at its commit."""
    log = [{"what": f"ETTh1 test rows, H=96, {name}" + (" (chosen on validation)" if name == "joint" else ""),
            "git_commit": commits[name]} for name in mse]
    return {"horizons": {"96": {"test": {name: {"mse": v} for name, v in mse.items()}}}, "test_log": log}


def test_the_channel_target_compares_no_options_with_the_better_mode_of_one_commit():
    report = _channel_report({"default": 0.40, "joint": 0.45, "independent": 0.39}, dict.fromkeys(
        ("default", "joint", "independent"), "abc1234def"))
    line = LTSF.channel_check(report, "96")
    assert "`independent` 0.3900" in line and "the other 0.4500" in line
    assert f"ratio {0.40 / 0.39:.3f} <= 1.03" in line and "abc1234)" in line
    report["horizons"]["96"]["test"]["default"]["mse"] = 0.41  # 5% behind the better mode
    assert f"ratio {0.41 / 0.39:.3f} > 1.03" in LTSF.channel_check(report, "96")


def test_the_channel_target_refuses_runs_of_different_code_or_a_missing_mode():
    mixed = _channel_report({"default": 0.4, "joint": 0.5, "independent": 0.4},
                            {"default": "aaa", "joint": "aaa", "independent": "bbb+dirty"})
    assert "different commits" in LTSF.channel_check(mixed, "96")
    missing = _channel_report({"default": 0.4, "joint": 0.5}, {"default": "aaa", "joint": "aaa"})
    assert "no test entry for `independent`" in LTSF.channel_check(missing, "96")
