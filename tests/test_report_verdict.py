"""The plain-language verdict and the significance marks of the report."""

from __future__ import annotations

import math

import pytest

from tsforecast.reporting._verdict import (format_p, p_digits, significance_level, significance_mark,
                                           verdict_sentence)


@pytest.mark.parametrize(
    ("p_value", "level", "mark"),
    [(0.0001, 0.01, "***"), (0.0099, 0.01, "***"), (0.01, 0.05, "**"), (0.049, 0.05, "**"),
     (0.05, 0.10, "*"), (0.0999, 0.10, "*"), (0.1, None, ""), (0.8, None, ""), (math.nan, None, ""), (None, None, "")],
)
def test_levels_and_marks(p_value, level, mark):
    assert significance_level(p_value) == level
    assert significance_mark(p_value) == mark


def test_significant_win():
    assert verdict_sentence("EncoderDecoderLSTM", "SeasonalNaive", "mase", 0.2049, 0.0003, -4.1) == (
        "EncoderDecoderLSTM beats SeasonalNaive by 20.5% MASE, significant at 1% (Diebold-Mariano p = 0.0003).")


def test_win_that_is_not_significant_is_not_called_a_win():
    text = verdict_sentence("lstm", "snaive", "mase", 0.031, 0.31, -1.0)
    assert text.startswith("lstm has 3.1% lower MASE than snaive, but the difference is not significant")
    assert "does not clearly beat snaive" in text and "p = 0.31" in text
    assert "beats" not in text


def test_significant_loss():
    text = verdict_sentence("lstm", "snaive", "mae", -0.082, 0.02, 2.4)
    assert text == "lstm does not beat snaive: its MAE is 8.2% higher, significant at 5% (Diebold-Mariano p = 0.02)."


def test_loss_that_is_not_significant():
    text = verdict_sentence("lstm", "snaive", "mase", -0.02, 0.6, 0.5)
    assert text.startswith("lstm does not beat snaive: its MASE is 2.0% higher, though the difference is not")


def test_missing_values():
    """Without a p-value the sentence said "not significant at 10% (no Diebold-Mariano test
    available)": a claim no test made."""
    for skill in (0.1, -0.1, 0.0):
        for p_value in (None, math.nan):
            text = verdict_sentence("a", "b", "mase", skill, p_value, p_value)
            assert "no test ran" in text and "significant at" not in text and "available" not in text
    assert verdict_sentence("a", "b", "mase", math.nan, 0.1, 1.7) == "a and b have no common MASE scores to compare."
    assert verdict_sentence("a", "b", "mase", 0.0, 0.9, 0.1).startswith("a ties with b on MASE")


@pytest.mark.parametrize("module", ["_verdict", "_content", "_files", "_per_series"])
def test_docstring_examples(module):
    import doctest
    import importlib

    outcome = doctest.testmod(importlib.import_module(f"tsforecast.reporting.{module}"))
    assert outcome.failed == 0 and outcome.attempted > 0


# -- the verdict of whole reports: true for any mix of models ---------------------------
def _verdicts(result, tmp_path, **kwargs) -> list[str]:
    import tsforecast

    markdown = tsforecast.report(result, tmp_path / "v.html", **kwargs).markdown.read_text()
    section = markdown.split("## Verdict", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in section.splitlines() if line.startswith("> ")]


def _against(result, model, reference, metric="mase"):
    skill = result.summary(reference=reference, metric=metric).loc[model, "skill"]
    test = result.compare(reference, metric=metric).loc[model]
    return verdict_sentence(model, reference, metric, skill, test["p_value"], test["statistic"])


@pytest.fixture(scope="module")
def baselines():
    """Baselines only, on strongly seasonal series: the reference (snaive) is best."""
    import numpy as np
    import pandas as pd

    import tsforecast
    from tsforecast.baselines import Drift, Mean, Naive, SeasonalNaive

    rng = np.random.default_rng(5)
    t = np.arange(96)
    frame = pd.concat([pd.DataFrame({"unique_id": f"s{i}", "ds": t,
                                     "y": 30 + 8 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.3, t.size)})
                       for i in range(5)], ignore_index=True)
    models = {"naive": Naive(), "snaive": SeasonalNaive(12), "drift": Drift(), "mean": Mean()}
    return tsforecast.backtest(models, frame, horizon=6, cv=3, season_length=12, progress=False)


def test_only_baselines_with_the_reference_best(baselines, tmp_path):
    from tsforecast.reporting._verdict import best_sentence

    summary = baselines.summary(reference="snaive", metric="mase")
    assert summary["rank"].idxmin() == "snaive"  # the data make the reference best
    verdicts = _verdicts(baselines, tmp_path)
    assert verdicts[0] == best_sentence(["snaive"], "snaive", "mase", summary.loc["snaive", "mase_mean"])
    assert verdicts[0].startswith("snaive, the reference, has the lowest mean MASE")
    others = list(summary.sort_values("rank").index[1:])
    assert verdicts[1:] == [_against(baselines, m, "snaive") for m in others]  # each other model, once
    assert all("does not beat snaive" in v and "significant at" in v for v in verdicts[1:])
    assert not any("nothing to compare" in v for v in verdicts)


def test_a_trained_model_best(baselines, tmp_path):
    """The best model (with training curves) against the reference; every other model
    against the reference and against the best; the reference is not repeated."""
    from tsforecast import BacktestResult

    summary = baselines.summary(reference="snaive", metric="mase")
    second = summary.sort_values("rank").index[1]
    histories = {second: {0: {"loss": [1.0, 0.5]}}}
    trained = BacktestResult(baselines.forecasts, baselines.metrics, baselines.errors, histories, baselines.info)
    verdicts = _verdicts(trained, tmp_path, reference=second)  # the trained model is then not the reference
    ranked = list(trained.summary(reference=second, metric="mase").sort_values("rank").index)
    best = ranked[0]
    assert best == "snaive" and verdicts[0].startswith("snaive has the lowest mean MASE over folds (")
    expected = [_against(trained, best, second)]
    for model in ranked[1:]:
        if model != second:
            expected += [_against(trained, model, second), _against(trained, model, best)]
    assert verdicts[1:] == expected


def test_ties_and_insignificant_differences(tmp_path):
    import numpy as np
    import pandas as pd

    from tsforecast import BacktestResult

    rng = np.random.default_rng(0)
    errors = rng.gamma(2.0, size=12)
    rows = []
    for model, values in (("a", errors), ("b", errors), ("c", errors + rng.normal(0, 0.05, 12) + 0.01)):
        rows += [(model, "x", i // 4, 10 + i // 4, i % 4 + 1, v) for i, v in enumerate(values)]
    metrics = pd.DataFrame(rows, columns=["model", "unique_id", "fold", "cutoff", "step", "mae"])
    result = BacktestResult(pd.DataFrame(), metrics, None, {}, {"metrics": ["mae"], "horizon": 4,
                                                                 "model_names": ["a", "b", "c"]})
    verdicts = _verdicts(result, tmp_path)
    mean = result.summary(metric="mae").loc["a", "mae_mean"]
    assert verdicts[0] == f"a (the reference) and b tie for the lowest mean MAE over folds ({mean:.4g})."
    assert verdicts[1].startswith("b ties with a on MAE")
    assert verdicts[2] == _against(result, "c", "a", "mae")
    assert "not significant at 10%" in verdicts[2]


def test_one_model_says_so(tmp_path):
    import pandas as pd

    from tsforecast import BacktestResult

    metrics = pd.DataFrame([("solo", "x", 0, 9, 1, 1.0), ("solo", "x", 1, 10, 1, 2.0)],
                           columns=["model", "unique_id", "fold", "cutoff", "step", "mae"])
    result = BacktestResult(pd.DataFrame(), metrics, None, {}, {"metrics": ["mae"]})
    assert _verdicts(result, tmp_path) == ["Only one model, solo, was backtested; there is nothing to compare it with."]


def test_a_p_value_that_underflowed_is_not_called_zero():
    text = verdict_sentence("naive", "snaive", "mase", -2.0, 0.0, 40.0)
    assert text.endswith("significant at 1% (Diebold-Mariano p < 1e-300).") and "p = 0" not in text


def test_a_significant_verdict_rests_on_the_cells_of_its_skill(tmp_path):
    """With a model failing on the hard series, the verdict said "a beats b by 19% MAE,
    significant at 1%" quoting a test, on all of a's and b's cells, that found a
    significantly worse."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent))
    from test_backtest_significance import _one_model_fails_on_the_hard_series

    result = _one_model_fails_on_the_hard_series()
    verdicts = _verdicts(result, tmp_path, reference="b")
    claim = next(v for v in verdicts if v.startswith("a beats b by"))
    test = result.compare("b", cells="pair").loc["a"]
    assert test["statistic"] > 0 and test["p_value"] < 0.01  # on a's and b's cells, a is worse
    shared = result.compare("b").loc["a"]
    assert shared["statistic"] < 0 and f"p {format_p(shared['p_value'])})" in claim
    assert claim == _against(result, "a", "b", "mae")


def test_a_test_pointing_the_other_way_is_not_called_a_significant_win():
    text = verdict_sentence("a", "b", "rmse", 0.231, 0.038, 2.1)
    assert "beats" not in text and "significant at" not in text
    assert text.startswith("a has 23.1% lower RMSE than b, but the Diebold-Mariano test points the other way")
    assert "favour b" in text and "p = 0.038" in text
    text = verdict_sentence("a", "b", "rmse", -0.1, 0.01, -3.0)
    assert text.startswith("a does not beat b: its RMSE is 10.0% higher, though the Diebold-Mariano test points")
    assert "favour a" in text and "significant at" not in text


def test_the_report_does_not_call_an_rmse_win_significant_when_the_test_disagrees(tmp_path):
    """The mean of fold RMSEs ranked "a" first (+23% skill) while the test on squared
    errors found it worse (p = 0.038): the report said "a beats b by 23.1% RMSE,
    significant at 5%" and marked the p-value **."""
    import sys
    from pathlib import Path

    import tsforecast

    sys.path.insert(0, str(Path(__file__).parent))
    from _report_helpers import md_table
    from test_backtest_per_series import _rmse_points_two_ways

    result = _rmse_points_two_ways()
    markdown = tsforecast.report(result, tmp_path / "r.html", reference="b").markdown.read_text()
    verdicts = [line[2:] for line in markdown.splitlines() if line.startswith("> ")]
    about_a = [v for v in verdicts if v.startswith("a ")][1:]
    assert about_a == [_against(result, "a", "b", "rmse")]
    assert "points the other way" in about_a[0] and "beats" not in about_a[0]
    row = next(r for r in md_table(markdown.split("## Metrics", 1)[1], "rank") if r["model"] == "a")
    assert row["sig."] == "other way"
    assert "squared error" in markdown.split("## Metrics", 1)[1].split("\n\n", 2)[1]


@pytest.mark.parametrize("p_value", [0.0996, 0.04996, 0.00996, 0.0499999])
def test_a_p_value_below_a_level_is_never_shown_as_the_level(p_value):
    """Two significant digits showed "significant at 10% (p = 0.1)" for p = 0.0996."""
    level = significance_level(p_value)
    assert level is not None and float(p_digits(p_value)) < level
    assert f"p {format_p(p_value)}" in verdict_sentence("m", "ref", "mase", 0.2, p_value, -2.0)
    assert abs(float(p_digits(p_value)) - p_value) <= 0.01 * p_value
