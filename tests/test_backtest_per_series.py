"""BacktestResult.per_series: scores, skill, ranks and wins per model and series.

Each expectation is computed the slow way (per group, with pandas and the scalar
Diebold-Mariano test) and compared with the vectorised method.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforecast import BacktestResult, backtest
from tsforecast.backtesting.result import aggregate_steps
from tsforecast.backtesting.significance import diebold_mariano, diebold_mariano_rows
from tsforecast.baselines import Drift, Naive, SeasonalNaive
from tsforecast.exceptions import InputTypeError, InvalidParameterError


def _panel(n_series: int = 7, length: int = 96) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    t = np.arange(length)
    frames = []
    for i in range(n_series):
        # Series differ in noise and trend, so different models win different series.
        y = 20 + 0.2 * i * t / 10 + 4 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 0.5 + i, length)
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": t, "y": y}))
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    models = {"naive": Naive(), "snaive": SeasonalNaive(12), "drift": Drift()}
    return backtest(models, _panel(), horizon=6, cv=3, season_length=12, progress=False)


def _expected_scores(result, metric):
    scores = result.fold_scores(metric)
    return scores.groupby(["model", "unique_id"], observed=True)[metric].mean()


@pytest.mark.parametrize("metric", ["mase", "rmse"])
def test_scores_skill_and_ranks_equal_the_slow_computation(result, metric):
    table = result.per_series(metric=metric, reference="snaive")
    assert list(table.columns) == ["model", "unique_id", metric, "n_folds", "skill", "rank", "win", "win_p_value",
                                   "significant_win"]
    assert len(table) == 3 * 7
    assert list(table["model"].unique()) == ["naive", "snaive", "drift"]
    expected = _expected_scores(result, metric)
    for row in table.itertuples(index=False):
        assert getattr(row, metric) == pytest.approx(expected[(row.model, row.unique_id)], rel=1e-12)
        assert row.skill == pytest.approx(1 - expected[(row.model, row.unique_id)]
                                          / expected[("snaive", row.unique_id)], rel=1e-9)
        on_series = table.loc[table["unique_id"] == row.unique_id, metric]
        assert row.rank == 1 + (on_series < getattr(row, metric)).sum()
        assert row.n_folds == 3
    assert (table.loc[table["model"] == "snaive", "skill"] == 0).all()


def test_one_winner_per_series_and_wins_add_up(result):
    table = result.per_series(metric="mase")
    wins = table.groupby("unique_id", observed=True)["win"].sum()
    assert (wins == 1).all() and table["win"].sum() == 7
    assert (table.loc[table["win"], "rank"] == 1).all()
    assert "skill" not in table.columns  # skill needs a reference
    counts = table.groupby("model", observed=True)["win"].sum()
    assert (counts > 0).sum() >= 2  # the data make more than one model win somewhere


def test_win_p_value_is_the_test_against_the_runner_up(result):
    table = result.per_series(metric="mase", alpha=0.2)
    metrics = result.metrics
    assert table["win_p_value"].notna().sum() == 7  # 3 folds x 6 steps >= 2 x horizon: every series is tested
    assert table.loc[~table["win"], "win_p_value"].isna().all()
    for series, rows in table.groupby("unique_id", observed=True):
        ranked = rows.sort_values(["mase"], kind="stable")
        winner, runner_up = ranked["model"].iloc[0], ranked["model"].iloc[1]

        def losses(model, series=series):
            part = metrics[(metrics["model"] == model) & (metrics["unique_id"] == series)]
            return part.sort_values(["fold", "step"])["mase"].to_numpy()

        expected = diebold_mariano(losses(winner), losses(runner_up), h=6)
        row = rows[rows["win"]].iloc[0]
        assert row["model"] == winner and row["win_p_value"] == pytest.approx(expected.p_value, rel=1e-9)
        assert row["significant_win"] == (expected.p_value < 0.2 and expected.statistic < 0)


def test_too_few_steps_for_a_per_series_test():
    models = {"naive": Naive(), "drift": Drift()}
    result = backtest(models, _panel(3), horizon=6, cv=1, progress=False)  # 6 steps < 2 x horizon
    table = result.per_series(metric="mae")
    assert table["win"].sum() == 3
    assert table["win_p_value"].isna().all() and not table["significant_win"].any()


def _hand_made(rows, metric="mae"):
    metrics = pd.DataFrame(rows, columns=["model", "unique_id", "fold", "cutoff", "step", metric])
    return BacktestResult(pd.DataFrame(), metrics, None, {}, {"metrics": [metric], "model_names": ["a", "b"]})


def test_zero_or_missing_reference_score_gives_no_skill():
    rows = [("a", "x", 0, 9, 1, 1.0), ("b", "x", 0, 9, 1, 0.0),       # a perfect reference
            ("a", "y", 0, 9, 1, 2.0), ("b", "y", 0, 9, 1, np.nan),    # an unscored reference
            ("a", "z", 0, 9, 1, 3.0), ("b", "z", 0, 9, 1, 6.0)]
    table = _hand_made(rows).per_series(reference="b").set_index(["model", "unique_id"])
    assert np.isnan(table.loc[("a", "x"), "skill"]) and np.isnan(table.loc[("a", "y"), "skill"])
    assert table.loc[("a", "z"), "skill"] == 0.5
    assert table.loc[("a", "y"), "win"] and pd.isna(table.loc[("b", "y"), "rank"])


def test_a_tie_goes_to_the_model_given_first():
    rows = [("b", "x", 0, 9, 1, 1.0), ("a", "x", 0, 9, 1, 1.0)]
    table = _hand_made(rows).per_series().set_index("model")
    assert table.loc["a", "win"] and not table.loc["b", "win"]
    assert table.loc["a", "rank"] == table.loc["b", "rank"] == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"metric": "mape"}, r"metric must be one of \['mae'\]; got 'mape'"),
    ({"reference": "c"}, r"reference must be one of the backtested models \['a', 'b'\]; got 'c'"),
    ({"alpha": 1.5}, r"alpha must satisfy 0 < alpha < 1; got 1.5"),
    ({"alpha": 0}, r"alpha must satisfy 0 < alpha < 1; got 0.0"),
])
def test_bad_arguments_name_the_argument_and_value(kwargs, message):
    result = _hand_made([("a", "x", 0, 9, 1, 1.0), ("b", "x", 0, 9, 1, 2.0)])
    with pytest.raises(InvalidParameterError, match=message):
        result.per_series(**kwargs)
    with pytest.raises(InputTypeError, match="alpha must be a number; got '5%'"):
        result.per_series(alpha="5%")


def test_fold_scores_equal_aggregate_steps_per_group(result):
    """The vectorised fold scores equal aggregate_steps per group, NaN metrics included."""
    metrics = result.metrics.copy()
    metrics.loc[metrics.index[::5], "mae"] = np.nan
    shuffled = BacktestResult(result.forecasts, metrics.sample(frac=1, random_state=0), None, {}, result.info)
    scores = shuffled.fold_scores().set_index(["model", "unique_id", "fold"]).sort_index()
    for (model, series, fold), rows in metrics.groupby(["model", "unique_id", "fold"], observed=True):
        for metric in ("mae", "rmse", "mase"):
            expected = aggregate_steps(rows[metric], metric)
            assert scores.loc[(model, series, fold), metric] == pytest.approx(expected, rel=1e-12, nan_ok=True)
        assert scores.loc[(model, series, fold), "cutoff"] == rows["cutoff"].iloc[0]


def test_diebold_mariano_rows_equal_the_scalar_test():
    rng = np.random.default_rng(0)
    a, b = rng.gamma(2.0, size=(6, 30)), rng.gamma(2.2, size=(6, 30))
    b[4] = a[4]  # equal losses: statistic 0, p-value 1
    a[5, 3] = np.nan  # a missing loss: left out, as the scalar test leaves it out
    for h in (1, 4):
        statistic, p_value = diebold_mariano_rows(a, b, h=h)
        for i in range(6):
            expected = diebold_mariano(a[i], b[i], h=h)
            assert statistic[i] == pytest.approx(expected.statistic, rel=1e-10)
            assert p_value[i] == pytest.approx(expected.p_value, rel=1e-10)
    assert diebold_mariano(a[5], b[5]).n == 29


@pytest.mark.parametrize("metric", ["mase", "rmse"])
def test_compare_equals_the_merge_of_series_cutoffs_and_steps(metric):
    """compare aligns models on codes; the result equals a merge on (series, cutoff, step),
    sorted, on a panel of unequal lengths given in shuffled row order."""
    rng = np.random.default_rng(1)
    frames = [pd.DataFrame({"unique_id": f"q{i}", "ds": pd.date_range("2024-01-01", periods=80 + 5 * i, freq="h"),
                            "y": 10 + np.sin(np.arange(80 + 5 * i) / 4) + rng.normal(0, 0.3, 80 + 5 * i)})
              for i in range(6)]
    models = {"naive": Naive(), "snaive": SeasonalNaive(24), "drift": Drift()}
    result = backtest(models, pd.concat(frames), horizon=6, cv=3, season_length=24, progress=False)
    shuffled = BacktestResult(result.forecasts, result.metrics.sample(frac=1, random_state=2), None, {}, result.info)
    table = shuffled.compare("snaive", metric=metric)
    keys = ["unique_id", "cutoff", "step"]
    loss = result.metrics[["model", *keys, metric]].copy()
    if metric == "rmse":
        loss[metric] **= 2
    ref = loss[loss["model"] == "snaive"].drop(columns="model")
    for model in ("naive", "drift"):
        own = loss[loss["model"] == model].drop(columns="model")
        both = own.merge(ref, on=keys, suffixes=("", "_ref")).sort_values(keys)
        expected = diebold_mariano(both[metric].to_numpy(), both[f"{metric}_ref"].to_numpy(), h=6)
        assert table.loc[model, "statistic"] == pytest.approx(expected.statistic, rel=1e-10)
        assert table.loc[model, "p_value"] == pytest.approx(expected.p_value, rel=1e-10, abs=1e-300)
        assert table.loc[model, "n"] == expected.n


def test_a_series_is_ranked_on_the_folds_all_its_models_scored():
    """A model failing in the hardest fold of a series had its mean over the easier
    folds compared with the others' mean over all three, and won the series for it."""
    from _backtest_helpers import LastValue

    class FailsSecondFold(LastValue):
        def fit(self, y, X=None):
            if len(y) == 26 and y.max() > 100:  # fold 1 of the wild series
                raise ValueError("no")
            return super().fit(y, X)

    from tsforecast import ExpandingWindowSplit

    index = pd.date_range("2024-01-01", periods=30, freq="D")
    data = {"calm": pd.Series(10 + 0.1 * np.arange(30), index),
            "wild": pd.Series(200 + 50 * np.sin(np.arange(30)), index)}
    result = backtest({"last": LastValue(), "shy": FailsSecondFold()}, data,
                      cv=ExpandingWindowSplit(2, n_splits=3, step=2), progress=False)
    assert result.errors[["model", "unique_id", "fold"]].values.tolist() == [["shy", "wild", 1]]
    table = result.per_series(reference="last").set_index(["model", "unique_id"])
    folds = result.fold_scores("mase").set_index(["model", "unique_id", "fold"])["mase"]
    shared = folds.loc[("last", "wild", [0, 2])].mean()
    assert table.loc[("last", "wild"), "mase"] == pytest.approx(folds.loc[("last", "wild")].mean())
    assert table.loc[("last", "wild"), "mase_common"] == pytest.approx(shared)
    assert table.loc[("shy", "wild"), "mase_common"] == pytest.approx(table.loc[("shy", "wild"), "mase"])
    # Same forecasts where both were scored: a tie, no skill, the win to the model given first.
    assert table.loc[("shy", "wild"), "skill"] == pytest.approx(0.0)
    assert table.loc[("shy", "wild"), "rank"] == table.loc[("last", "wild"), "rank"] == 1
    assert table.loc[("last", "wild"), "win"]


def test_a_win_is_tested_on_the_folds_it_was_won_on():
    """The winner of a series was chosen on the folds all its models scored, and its
    p-value came from all folds: here "a" wins on folds 1-5 (where "c" was scored) and is
    far worse in fold 0, so the test on all folds favoured the runner-up."""
    rng = np.random.default_rng(4)
    rows = []
    for fold in range(6):
        for step in (1, 2, 3):
            rows += [("a", "s", fold, fold * 3, step, (30.0 if fold == 0 else 0.5) + 0.2 * rng.random()),
                     ("b", "s", fold, fold * 3, step, 1.0 + 0.2 * rng.random())]
            if fold:
                rows.append(("c", "s", fold, fold * 3, step, 3.0 + rng.random()))
    metrics = pd.DataFrame(rows, columns=["model", "unique_id", "fold", "cutoff", "step", "mae"])
    result = BacktestResult(pd.DataFrame(), metrics, None, {}, {"metrics": ["mae"], "horizon": 3, "step": 3,
                                                               "model_names": ["a", "b", "c"]})
    table = result.per_series(reference="b").set_index("model")
    assert table.loc["a", "win"] and table.loc["a", "skill"] > 0
    shared = metrics[metrics["fold"] > 0].sort_values(["fold", "step"])
    expected = diebold_mariano(shared.loc[shared["model"] == "a", "mae"], shared.loc[shared["model"] == "b", "mae"],
                               h=3)
    assert expected.statistic < 0 and expected.p_value < 0.05
    assert table.loc["a", "win_p_value"] == pytest.approx(expected.p_value, rel=1e-10, abs=1e-300)
    assert table.loc["a", "significant_win"]


def _rmse_points_two_ways() -> BacktestResult:
    """One series, 60 one-step folds: "a" usually tiny and sometimes huge errors, "b"
    always moderate ones; a's mean fold RMSE (the mean |error|) is the lower, its mean
    squared error, the loss of the test, the higher."""
    rng = np.random.default_rng(0)
    folds = 60
    errors = {"a": np.where(rng.random(folds) < 0.15, 6.0, 0.2) * (1 + 0.1 * rng.random(folds)),
              "b": 1.5 * (1 + 0.1 * rng.random(folds))}
    rows = [(m, "s", f, f, 1, e) for m, values in errors.items() for f, e in enumerate(values)]
    metrics = pd.DataFrame(rows, columns=["model", "unique_id", "fold", "cutoff", "step", "rmse"])
    forecasts = metrics.assign(ds=metrics["cutoff"] + 1, y=0.0, y_hat=metrics["rmse"]).drop(columns="rmse")
    return BacktestResult(forecasts, metrics, None, {}, {"metrics": ["rmse"], "horizon": 1, "step": 1,
                                                         "model_names": ["a", "b"]})


def test_a_significant_difference_the_other_way_is_no_significant_win():
    """"a" won the series on mean fold RMSE and its test against "b" (on squared errors)
    gave p = 0.038 with a positive statistic ("a" worse): significant_win said True."""
    result = _rmse_points_two_ways()
    table = result.per_series(reference="b").set_index("model")
    assert table.loc["a", "win"] and table.loc["a", "skill"] > 0
    test = result.compare("b").loc["a"]
    assert test["statistic"] > 0 and test["p_value"] < 0.05
    assert table.loc["a", "win_p_value"] == pytest.approx(test["p_value"])
    assert not table.loc["a", "significant_win"]
