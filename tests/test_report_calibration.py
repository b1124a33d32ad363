"""The report's prediction-interval section and calibration verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _report_helpers import md_table

import tsforecast as tsf
from tsforecast.baselines import Naive, Theta
from tsforecast.reporting._calibration import coverage_table, judgement


class NarrowNaive(Naive):
    """Naive with intervals a fifth as wide as its own: certain to under-cover."""

    def _std_column(self, state, horizon):
        return 0.2 * super()._std_column(state, horizon)


def random_walks(n_series: int = 20, length: int = 100) -> pd.DataFrame:
    rng = np.random.default_rng(21)
    values = 50 + np.cumsum(rng.normal(size=(n_series, length)), axis=1)
    return pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(n_series)], length),
                         "ds": np.tile(np.arange(length), n_series), "y": values.ravel()})


@pytest.fixture(scope="module")
def result():
    models = {"naive": Naive(), "narrow": NarrowNaive(), "theta": Theta()}
    return tsf.backtest(models, random_walks(), horizon=4, cv=3, levels=(80, 95), progress=False)


def test_judgement_allows_sampling_error_and_two_points():
    assert judgement(0.95, 0.931, 10_000) == "calibrated"      # two points, though far beyond sampling error
    assert judgement(0.95, 0.929, 10_000) == "too narrow"
    assert judgement(0.80, 0.70, 30) == "calibrated"           # 2 * sqrt(.8 * .2 / 30) = 0.146
    assert judgement(0.80, 0.96, 400) == "too wide"


def test_section_table_and_verdict_sentences_read_the_summary(result, tmp_path):
    paths = tsf.report(result, tmp_path / "r.html")
    markdown = paths.markdown.read_text()
    summary = result.summary()
    table = coverage_table(result)
    assert list(table["model"].unique()) == ["naive", "narrow"]  # theta has no intervals
    rows = md_table(markdown, "model", "level")  # the per-series wins table also starts with "model"
    assert [(r["model"], r["level"]) for r in rows] == [("naive", "80%"), ("naive", "95%"), ("narrow", "80%"),
                                                        ("narrow", "95%")]
    for row in rows:
        level = row["level"].rstrip("%")
        assert row["coverage"] == f"{summary.loc[row['model'], f'coverage_{level}_mean'] * 100:.1f}%"
        assert float(row["MSIS"]) == float(f"{summary.loc[row['model'], f'msis_{level}_mean']:.4g}")
    narrow = summary.loc["narrow", "coverage_95_mean"]
    assert narrow < 0.6
    assert (f"narrow's 80% interval covered {summary.loc['narrow', 'coverage_80_mean'] * 100:.0f}% of the actuals: "
            f"too narrow; its 95% interval covered {narrow * 100:.0f}% of the actuals: too narrow.") in markdown
    # the random walk's own Naive intervals are right
    assert "naive's 80% interval covered" in markdown and "naive's 95%" not in markdown
    assert [r["calibration"] for r in rows if r["model"] == "naive"] == ["calibrated", "calibrated"]
    assert "Without intervals: theta." in markdown
    verdict = markdown.split("## Verdict")[1].split("## Metrics")[0]
    assert "narrow's 80% interval covered" in verdict and "naive's 80% interval covered" in verdict
    metrics_header = md_table(markdown, "rank")[0]
    assert not [h for h in metrics_header if "COVERAGE_" in h or "MSIS" in h]  # kept out of the main table
    assert (paths.figures / "interval_coverage.png").exists() and (paths.figures / "interval_bands.png").exists()


def test_no_section_without_levels(tmp_path):
    plain = tsf.backtest({"naive": Naive()}, random_walks(3, 60), horizon=4, cv=2, progress=False)
    markdown = tsf.report(plain, tmp_path / "r.html").markdown.read_text()
    assert "Prediction intervals" not in markdown and "interval covered" not in markdown


def test_docstring_examples():
    import doctest

    from tsforecast.reporting import _calibration

    outcome = doctest.testmod(_calibration)
    assert outcome.failed == 0 and outcome.attempted > 0
