"""The report on a panel: the per-series section, the chosen series, the grouped step table.

Every cell is checked against ``BacktestResult.per_series`` / ``by_step`` as printed.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from _report_helpers import md_table

import tsforecast
from tsforecast.backtesting.result import aggregate_steps
from tsforecast.baselines import Drift, Naive, SeasonalNaive
from tsforecast.reporting._content import step_groups

N_SERIES, HORIZON = 9, 30


def shown(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{float(value):.4g}"


def percent(value: float) -> str:
    return f"{float(value) * 100:+.1f}%"


@pytest.fixture(scope="module")
def result():
    rng = np.random.default_rng(7)
    t = np.arange(150)
    frames = []
    for i in range(N_SERIES):
        # Some series are seasonal (snaive wins), some a noisy random walk (naive or drift win).
        seasonal = 6 * np.sin(2 * np.pi * t / 12) * (i % 3 != 0)
        y = 50 + seasonal + np.cumsum(rng.normal(0, 0.3 + 0.3 * (i % 3 == 0), t.size))
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": t, "y": y}))
    models = {"naive": Naive(), "snaive": SeasonalNaive(12), "drift": Drift()}
    return tsforecast.backtest(models, pd.concat(frames, ignore_index=True), horizon=HORIZON, cv=2,
                               season_length=12, progress=False)


@pytest.fixture(scope="module")
def markdown(result, tmp_path_factory):
    paths = tsforecast.report(result, tmp_path_factory.mktemp("panel") / "p.html")
    assert (paths.figures / "skill_by_series.png").exists() and (paths.figures / "worst_series.png").exists()
    return paths.markdown.read_text(encoding="utf-8")


def test_wins_table_equals_per_series(result, markdown):
    table = result.per_series("mase", reference="snaive")
    rows = {row["model"]: row for row in md_table(markdown, "model | series won")}
    assert set(rows) == {"naive", "snaive", "drift", "all models"}
    assert int(rows["all models"]["series won"]) == N_SERIES
    assert sum(int(rows[m]["series won"]) for m in ("naive", "snaive", "drift")) == N_SERIES
    for model, part in table.groupby("model", observed=True):
        row = rows[model]
        assert int(row["series won"]) == part["win"].sum()
        assert int(row["significant wins"]) == part["significant_win"].sum()
        if model == "snaive":
            assert row["median skill vs snaive"] == "reference"
        else:
            assert row["median skill vs snaive"] == percent(part["skill"].median())
            assert int(row["series better than snaive"]) == (part["skill"] > 0).sum()
            assert int(row["series worse than snaive"]) == (part["skill"] < 0).sum()
    assert sum(int(rows[m]["series won"]) > 0 for m in rows if m != "all models") >= 2  # a mixed panel
    tested = table["win_p_value"].notna().sum()
    assert f"the test ran on {tested} of {N_SERIES} series" in markdown


def test_worst_series_of_the_focus_model(result, markdown):
    table = result.per_series("mase", reference="snaive")
    ranked = list(result.summary(reference="snaive", metric="mase").sort_values("rank", kind="stable").index)
    focus = next(m for m in ranked if m != "snaive")  # no trained model: the best other than the reference
    own = table[table["model"] == focus].set_index("unique_id").sort_values("skill", kind="stable")
    rows = md_table(markdown, "series")
    assert [row["series"] for row in rows] == [str(k) for k in own.index[:10]]
    reference = table[table["model"] == "snaive"].set_index("unique_id")["mase"]
    winners = table[table["win"]].set_index("unique_id")["model"]
    for row in rows:
        key = row["series"]
        assert row[f"{focus} MASE"] == shown(own.loc[key, "mase"])
        assert row["snaive MASE"] == shown(reference[key])
        assert row["skill"] == percent(own.loc[key, "skill"])
        assert row[f"rank of {focus}"] == str(own.loc[key, "rank"])
        assert row["best model"] == winners[key]
    losing = int((own["skill"] < 0).sum())
    assert f"### Where {focus} loses most against snaive" in markdown
    assert f"{focus} loses against snaive on {losing} of {N_SERIES} series" in markdown


def test_forecast_series_are_best_median_and_worst(result, markdown):
    table = result.per_series("mase", reference="snaive")
    ranked = list(result.summary(reference="snaive", metric="mase").sort_values("rank", kind="stable").index)
    top = next(m for m in ranked if m != "snaive")
    skill = table[table["model"] == top].set_index("unique_id")["skill"].sort_values(ascending=False, kind="stable")
    line = next(line for line in markdown.splitlines() if line.startswith("- Series shown: "))
    assert line.startswith(f"- Series shown: 3 of {N_SERIES}, chosen by the per-series skill of {top} against snaive")
    for why, key in (("best", skill.index[0]), ("median", skill.index[len(skill) // 2]), ("worst", skill.index[-1])):
        assert f"{key}: {why} skill of {top}: {percent(skill[key])}" in line


def test_long_horizon_step_table_is_grouped(result, markdown):
    by_step = result.by_step("mase")
    rows = md_table(markdown, "step")
    assert [row["step"] for row in rows] == [str(s) for s in range(1, 13)] + ["13-24", "25-30"]
    for row in rows:
        first, _, last = row["step"].partition("-")
        steps = list(range(int(first), int(last or first) + 1))
        for model in by_step.columns:
            assert row[model] == shown(aggregate_steps(by_step.loc[steps, model], "mase"))
    assert "then groups of steps" in markdown and "the figure shows every step" in markdown


@pytest.mark.parametrize(("horizon", "labels"), [
    (12, [str(s) for s in range(1, 13)]),
    (13, [str(s) for s in range(1, 14)]),
    (48, [str(s) for s in range(1, 13)] + ["13-24", "25-36", "37-48"]),
    (168, [str(s) for s in range(1, 13)] + ["13-36", "37-60", "61-84", "85-108", "109-132", "133-156", "157-168"]),
])
def test_step_groups(horizon, labels):
    groups = step_groups(list(range(1, horizon + 1)))
    assert [label for label, _ in groups] == labels
    assert [s for _, steps in groups for s in steps] == list(range(1, horizon + 1))


def test_single_series_has_no_per_series_section(tmp_path):
    y = pd.Series(10 + np.sin(np.arange(80) / 3), index=pd.date_range("2024-01-01", periods=80, freq="D"))
    result = tsforecast.backtest({"naive": Naive(), "snaive": SeasonalNaive(7)}, y, horizon=4, cv=2,
                                 season_length=7, progress=False)
    markdown = tsforecast.report(result, tmp_path / "one.html").markdown.read_text()
    assert "## Per series" not in markdown and "## Verdict" in markdown


def test_one_model_on_a_panel(tmp_path):
    rng = np.random.default_rng(2)
    frame = pd.concat([pd.DataFrame({"unique_id": f"s{i}", "ds": np.arange(60),
                                     "y": 10 + np.cumsum(rng.normal(0, 1 + i, 60))}) for i in range(8)])
    result = tsforecast.backtest({"naive": Naive()}, frame, horizon=4, cv=2, progress=False)
    markdown = tsforecast.report(result, tmp_path / "solo.html").markdown.read_text()
    assert "> Only one model, naive, was backtested; there is nothing to compare it with." in markdown
    assert md_table(markdown, "model | series won")[0]["series won"] == "8"
    scores = result.per_series("mase").set_index("unique_id")["mase"].sort_values(kind="stable")
    line = next(line for line in markdown.splitlines() if line.startswith("- Series shown: "))
    assert f"{scores.index[0]}: best MASE of naive: {shown(scores.iloc[0])}" in line
    assert f"{scores.index[-1]}: worst MASE of naive: {shown(scores.iloc[-1])}" in line
    assert line.startswith("- Series shown: 3 of 8, chosen by the per-series MASE of naive: ") and "skill" not in line
