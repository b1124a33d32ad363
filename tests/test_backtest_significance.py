"""Tests of the Diebold-Mariano test (Harvey-Leybourne-Newbold correction)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from tsforecast.backtesting import BacktestResult, diebold_mariano
from tsforecast.backtesting.significance import diebold_mariano_rows
from tsforecast.exceptions import InsufficientDataError, InvalidParameterError, ShapeMismatchError


def hand_dm(d: np.ndarray, h: int) -> tuple[float, float]:
    """Diebold-Mariano with the HLN correction, written out step by step."""
    n = len(d)
    mean = sum(d) / n
    gammas = []
    for k in range(h):
        gammas.append(sum((d[t] - mean) * (d[t - k] - mean) for t in range(k, n)) / n)
    variance = (gammas[0] + 2 * sum(gammas[1:])) / n
    dm = mean / variance**0.5
    hln = dm * ((n + 1 - 2 * h + h * (h - 1) / n) / n) ** 0.5
    p = 2 * (1 - stats.t.cdf(abs(hln), df=n - 1))
    return hln, p


@pytest.mark.parametrize("h", [1, 3])
def test_matches_hand_computation(h):
    rng = np.random.default_rng(0)
    a, b = np.abs(rng.normal(size=40)), np.abs(rng.normal(1.2, 1, size=40))
    result = diebold_mariano(a, b, h=h)
    statistic, p_value = hand_dm(a - b, h)
    assert result.statistic == pytest.approx(statistic, rel=1e-12)
    assert result.p_value == pytest.approx(p_value, rel=1e-9)
    assert result.mean_difference == pytest.approx(np.mean(a - b))
    assert (result.n, result.h) == (40, h)


def test_much_better_forecast_is_significant():
    rng = np.random.default_rng(1)
    y = rng.normal(size=200)
    good = y + rng.normal(0, 0.1, size=200)
    bad = y + rng.normal(0, 1.0, size=200)
    result = diebold_mariano(np.abs(y - good), np.abs(y - bad), h=1)
    assert result.p_value < 0.01 and result.statistic < 0


def test_equally_good_forecasts_are_not_significant():
    rng = np.random.default_rng(2)
    y = rng.normal(size=200)
    one = y + rng.normal(0, 1.0, size=200)
    two = y + rng.normal(0, 1.0, size=200)
    result = diebold_mariano((y - one) ** 2, (y - two) ** 2, h=1)
    assert result.p_value > 0.1


def test_identical_losses_give_p_one():
    result = diebold_mariano([1.0, 2.0, 3.0], [1.0, 2.0, 3.0])
    assert result.statistic == 0.0 and result.p_value == 1.0


def test_bad_input():
    with pytest.raises(ShapeMismatchError, match="same length"):
        diebold_mariano([1.0, 2.0], [1.0])
    with pytest.raises(InsufficientDataError, match="at least 2"):
        diebold_mariano([1.0], [2.0])


def _result(errors: dict, horizon: int) -> BacktestResult:
    rows = []
    for model, values in errors.items():
        for i, e in enumerate(values):
            rows.append((model, "s", i // horizon, i // horizon, i % horizon + 1, abs(e)))
    metrics = pd.DataFrame(rows, columns=["model", "unique_id", "fold", "cutoff", "step", "mae"])
    return BacktestResult(pd.DataFrame(), metrics, None, {}, {"horizon": horizon, "step": horizon,
                                                               "metrics": ["mae"], "model_names": list(errors)})


def test_compare_against_reference_uses_per_step_losses_and_horizon_lags():
    rng = np.random.default_rng(3)
    good, bad, same = rng.normal(0, 0.1, 60), rng.normal(0, 1, 60), rng.normal(0, 1, 60)
    result = _result({"ref": bad, "good": good, "same": same}, horizon=3)
    table = result.compare(reference="ref")
    assert list(table.index) == ["good", "same"]
    statistic, p_value = hand_dm(np.abs(good) - np.abs(bad), 3)
    assert table.loc["good", "statistic"] == pytest.approx(statistic)
    assert table.loc["good", "p_value"] == pytest.approx(p_value) and p_value < 0.01
    assert table.loc["same", "p_value"] > 0.05
    one_step = result.compare(reference="ref", horizon_step=2)
    assert one_step.loc["good", "n"] == 20
    statistic, _ = hand_dm((np.abs(good) - np.abs(bad))[1::3], 1)
    assert one_step.loc["good", "statistic"] == pytest.approx(statistic)


def test_too_few_differentials_for_the_horizon_give_no_test_rather_than_p_one():
    """With n = h the small-sample factor is 0, and the test said p = 1: 'not significant'
    about 7 losses that all favour one model."""
    a, b = [0.0] * 7, [10.0, 9.0, 9.0, 12.0, 11.0, 10.0, 10.0]
    result = diebold_mariano(a, b, h=7)
    assert np.isnan(result.statistic) and np.isnan(result.p_value) and result.n == 7
    statistic, p_value = diebold_mariano_rows([a], [b], h=7)
    assert np.isnan(statistic).all() and np.isnan(p_value).all()
    assert diebold_mariano(a * 3, b * 3, h=7).p_value < 0.05  # 21 of them are enough


def _overlapping_backtest():
    """Two models on two series, horizon 4, cutoffs one step apart (each target time is
    forecast from four cutoffs)."""
    from tsforecast import ExpandingWindowSplit, backtest
    from tsforecast.baselines import Naive, SeasonalNaive

    rng = np.random.default_rng(5)
    t = np.arange(60)
    data = {key: pd.Series(10 + 3 * np.sin(2 * np.pi * t / 4) + rng.normal(0, 1, 60),
                           index=pd.date_range("2024-01-01", periods=60, freq="D")) for key in ("a", "b")}
    return backtest({"naive": Naive(), "snaive": SeasonalNaive(4)}, data, season_length=4,
                    cv=ExpandingWindowSplit(4, n_splits=6, step=1), progress=False)


def test_pooled_test_covers_the_lags_of_overlapping_folds():
    """Cutoffs closer than the horizon repeat each target time in the pooled losses at lag
    h - step and its multiples; with lags up to h - 1 only, p-values were far too small."""
    result = _overlapping_backtest()
    table = result.compare(reference="snaive", metric="mae")
    losses = {m: result.metrics.query("model == @m").sort_values(["unique_id", "fold", "step"])["mae"].to_numpy()
              for m in ("naive", "snaive")}
    expected = diebold_mariano(losses["naive"], losses["snaive"], h=16)  # 4 steps x 4 cutoffs under one target
    assert table.loc["naive", "p_value"] == pytest.approx(expected.p_value, rel=1e-9)
    assert table.loc["naive", "p_value"] > diebold_mariano(losses["naive"], losses["snaive"], h=4).p_value


def test_compare_defaults_to_the_main_metric_and_skill_has_no_ratio_to_a_perfect_reference():
    """compare() tested MAE when no metric was named, though summary, per_series, the
    report and the CLI use the main metric (MASE); summary's skill against a reference
    scoring zero was -inf (per_series: NaN)."""
    from tsforecast import backtest
    from tsforecast.baselines import Drift, Naive

    result = _overlapping_backtest()
    assert result.main_metric == "mase"
    pd.testing.assert_frame_equal(result.compare(reference="snaive"),
                                  result.compare(reference="snaive", metric="mase"))
    line = pd.Series(np.arange(40.0), index=pd.date_range("2024-01-01", periods=40, freq="D"))
    perfect = backtest({"drift": Drift(), "naive": Naive()}, line, horizon=3, cv=3, progress=False)
    skill = perfect.summary(reference="drift", metric="mae")["skill"]
    assert skill.isna().all()


@pytest.mark.parametrize(("n", "h"), [(10, 6), (10, 9), (10, 12), (10, 20), (18, 36)])
def test_fewer_differentials_than_twice_the_lag_window_give_no_test(n, h):
    """The HLN term is negative only for h in [n, n + 1]: with h >= n + 2 the variance
    of lags capped at n - 1 was rounding noise, and the test said p = 2e-125 on 18 losses."""
    rng = np.random.default_rng(n + h)
    a, b = rng.gamma(2.0, size=n), rng.gamma(2.0, size=n)
    result = diebold_mariano(a, b, h=h)
    assert np.isnan(result.statistic) and np.isnan(result.p_value) and result.n == n
    statistic, p_value = diebold_mariano_rows([a], [b], h=h)
    assert np.isnan(statistic).all() and np.isnan(p_value).all()
    assert np.isfinite(diebold_mariano(a, b, h=n // 2).p_value)  # 2h differentials are enough


def test_rows_and_scalar_test_agree_on_every_size_and_missing_value():
    """The row-wise test gave p = 2e-9 where the scalar one gave 0.13 (n = 2, h = 5), and
    NaN for a row with one missing loss that the scalar test leaves out."""
    rng = np.random.default_rng(0)
    for n in (2, 3, 5, 8, 13, 40):
        for h in (1, 2, 3, 5, 8):
            a, b = rng.gamma(2.0, size=(8, n)), rng.gamma(2.0, size=(8, n))
            a[0], a[1] = b[0], b[1] + 1.0  # equal losses; a constant difference
            a[2, 0] = np.nan
            statistic, p_value = diebold_mariano_rows(a, b, h)
            for i in range(8):
                if np.isfinite(a[i] - b[i]).sum() < 2:
                    assert np.isnan(statistic[i]) and np.isnan(p_value[i])
                    continue
                expected = diebold_mariano(a[i], b[i], h)
                assert statistic[i] == pytest.approx(expected.statistic, rel=1e-12, nan_ok=True)
                assert p_value[i] == pytest.approx(expected.p_value, rel=1e-12, nan_ok=True)


def test_compare_gives_no_test_where_the_lag_window_exceeds_the_losses():
    """Cutoffs one step apart under a horizon of 6: a lag window of 36 on 18 losses gave a
    statistic of 8e7 and p = 2e-125 ('significant at 1%' in the report)."""
    from tsforecast import ExpandingWindowSplit, backtest
    from tsforecast.baselines import Drift, Naive

    rng = np.random.default_rng(1)
    y = pd.Series(np.cumsum(rng.normal(size=80)), index=pd.date_range("2020-01-01", periods=80, freq="D"))
    result = backtest([Naive(), Drift()], y, cv=ExpandingWindowSplit(horizon=6, n_splits=3, step=1),
                      metrics=["mae"], progress=False)
    table = result.compare("Naive")
    assert table.loc["Drift", "n"] == 18
    assert np.isnan(table.loc["Drift", "statistic"]) and np.isnan(table.loc["Drift", "p_value"])
    for step in (3, 6):  # 3 losses, lag windows 3 and 6
        one_step = result.compare("Naive", horizon_step=step)
        assert np.isnan(one_step.loc["Drift", "p_value"])
    assert np.isfinite(result.compare("Naive", horizon_step=1).loc["Drift", "p_value"])


def _equally_good_with_a_gap(gap: int, horizon: int = 4, folds: int = 60, series: int = 2000) -> BacktestResult:
    """Many random walks, each a series: models "a" and "b" forecast the last value seen
    plus or minus 1 (equally good), for steps gap + 1 to gap + horizon of cutoffs
    ``horizon`` apart (the default spacing)."""
    rng = np.random.default_rng(0)
    y = np.cumsum(rng.normal(size=(series, folds * horizon + gap + horizon + 1)), axis=1)
    cutoffs, steps = np.arange(folds) * horizon, np.arange(gap + 1, gap + horizon + 1)
    errors = y[:, cutoffs[:, None] + steps[None, :]] - y[:, cutoffs][:, :, None]  # [series, fold, step]
    s, f, j = (k.ravel() for k in np.meshgrid(np.arange(series), np.arange(folds), np.arange(horizon), indexing="ij"))
    frames = [pd.DataFrame({"model": model, "unique_id": s, "fold": f, "cutoff": cutoffs[f], "step": steps[j],
                            "mae": np.abs(errors + shift).ravel()}) for model, shift in (("a", -1.0), ("b", 1.0))]
    return BacktestResult(pd.DataFrame(), pd.concat(frames, ignore_index=True), None, {},
                          {"metrics": ["mae"], "horizon": horizon, "step": horizon, "gap": gap,
                           "model_names": ["a", "b"]})


def test_the_lag_window_covers_the_gap():
    """Scored steps run to gap + horizon, so the errors from neighbouring cutoffs share
    innovations beyond lag horizon - 1; with a window of the horizon only, 11% of 2000
    series where two models are equally good had a significant winner at 5%."""
    result = _equally_good_with_a_gap(gap=6)
    table = result.per_series(reference="b")
    p_values = table.loc[table["win"], "win_p_value"]
    assert p_values.notna().all()
    assert (p_values < 0.05).mean() < 0.10  # near 5%; the test over-rejects a little on 240 losses


def _one_model_fails_on_the_hard_series() -> BacktestResult:
    """Model "a" is better than "b" on 15 easy series and far worse on 5 hard ones, where
    "c" failed: on the cells all models scored (those summary ranks on) "a" is better,
    on all of a's and b's cells it is worse."""
    rng = np.random.default_rng(0)
    rows = []
    for s in range(20):
        hard = s < 5
        for fold in range(4):
            for step in (1, 2):
                rows += [("a", f"s{s}", fold, 10 * fold, step, (5.0 if hard else 0.8) + 0.1 * rng.random()),
                         ("b", f"s{s}", fold, 10 * fold, step, 1.0 + 0.1 * rng.random())]
                if not hard:
                    rows.append(("c", f"s{s}", fold, 10 * fold, step, 2.0))
    metrics = pd.DataFrame(rows, columns=["model", "unique_id", "fold", "cutoff", "step", "mae"])
    forecasts = metrics.assign(ds=metrics["cutoff"] + metrics["step"], y=0.0, y_hat=metrics["mae"]).drop(columns="mae")
    return BacktestResult(forecasts, metrics, None, {}, {"metrics": ["mae"], "horizon": 2, "step": 2,
                                                         "model_names": ["a", "b", "c"]})


def test_compare_tests_on_the_cells_summary_ranks_on():
    """summary gave "a" a skill of +19% on the cells all models scored while compare said
    "a" was significantly worse (statistic +4.8) on all the cells a and b scored: the
    report then said "a beats b, significant"."""
    result = _one_model_fails_on_the_hard_series()
    summary = result.summary(reference="b")
    assert "mae_common" in summary.columns and summary.loc["a", "skill"] > 0
    metrics = result.metrics.sort_values(["unique_id", "fold", "step"])
    shared = metrics[metrics["unique_id"].isin(metrics.loc[metrics["model"] == "c", "unique_id"])]
    losses = {m: shared.loc[shared["model"] == m, "mae"].to_numpy() for m in ("a", "b")}
    expected = diebold_mariano(losses["a"], losses["b"], h=2)
    table = result.compare("b")
    assert table.loc["a", "n"] == expected.n == 15 * 4 * 2
    assert table.loc["a", "statistic"] == pytest.approx(expected.statistic, rel=1e-10)
    assert table.loc["a", "p_value"] == pytest.approx(expected.p_value, rel=1e-10, abs=1e-300)
    assert table.loc["a", "statistic"] < 0  # the way the skill points
    pair = result.compare("b", cells="pair")  # every cell both scored, on request
    assert pair.loc["a", "n"] == 20 * 4 * 2 and pair.loc["a", "statistic"] > 0
    with pytest.raises(InvalidParameterError, match=r"cells must be one of \['shared', 'pair'\]; got 'all'"):
        result.compare("b", cells="all")
