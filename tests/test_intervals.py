"""Tests of tsforecast.forecasters.intervals (ConformalIntervals) and of predict_interval."""

from __future__ import annotations

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from sklearn.linear_model import Ridge

import tsforecast as tsf
from tsforecast import baselines
from tsforecast.exceptions import FallbackWarning, InsufficientDataError
from tsforecast.forecasters.base import check_levels, interval_columns, level_quantiles
from tsforecast.forecasters.intervals import conformal_quantile


def random_walks(n_series: int, length: int, seed: int = 0) -> pd.DataFrame:
    """A long panel of random walks whose noise scale differs by series (1 .. 100)."""
    rng = np.random.default_rng(seed)
    scales = np.exp(rng.uniform(0, np.log(100), n_series))
    values = 1000 + np.cumsum(rng.normal(size=(n_series, length)) * scales[:, None], axis=1)
    return pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(n_series)], length),
                         "ds": np.tile(np.arange(length), n_series), "y": values.ravel()})


def split(panel: pd.DataFrame, horizon: int):
    """Training part and the last ``horizon`` values of each series ``[series, horizon]``."""
    position = panel.groupby("unique_id", sort=False).cumcount()
    length = panel.groupby("unique_id", sort=False)["ds"].transform("size")
    test = position >= length - horizon
    return panel[~test].reset_index(drop=True), panel.loc[test, "y"].to_numpy().reshape(-1, horizon)


# --------------------------------------------------------------------------- the quantile rule
@pytest.mark.parametrize("n", [4, 19, 20, 57])
@pytest.mark.parametrize("level", [50, 80, 95])
def test_conformal_quantile_is_the_kth_smallest_score_at_the_corrected_rank(n, level):
    scores = np.random.default_rng(n).exponential(size=(n, 3))
    alpha = 1 - level / 100
    k = int(np.ceil(round((n + 1) * (1 - alpha), 9)))
    got = conformal_quantile(scores, level)
    if k > n:
        assert np.isinf(got).all()
    else:
        np.testing.assert_array_equal(got, np.sort(scores, axis=0)[k - 1])
        np.testing.assert_array_equal(got, np.quantile(scores, k / n, axis=0, method="inverted_cdf"))
        # numpy's "higher" at k / n lands one order statistic above the rule whenever k < n
        assert k == n or (np.quantile(scores, k / n, axis=0, method="higher") > got).all()


def test_conformal_quantile_ignores_missing_scores_per_column():
    scores = np.array([[1.0, 1.0], [2.0, np.nan], [3.0, np.nan], [4.0, np.nan]])
    assert conformal_quantile(scores, 50).tolist() == [3.0, 1.0]  # ceil(5 * .5) = 3rd of 4; ceil(2 * .5) = 1st of 1
    assert conformal_quantile(scores, 80).tolist() == [4.0, np.inf]  # ceil(2 * .8) = 2 > 1 score


def test_level_helpers():
    assert level_quantiles((50, 80, 95)) == (0.025, 0.1, 0.25, 0.75, 0.9, 0.975)
    assert interval_columns(["a", "b"], (80,)) == ["a", "a_lo_80", "a_hi_80", "b", "b_lo_80", "b_hi_80"]
    assert check_levels(90) == (90.0,)
    assert interval_columns(["y"], (97.5,)) == ["y", "lo_97.5", "hi_97.5"]


# --------------------------------------------------------------------------- analytic intervals
def test_analytic_interval_of_naive_is_the_random_walk_normal_interval():
    y = pd.Series(np.cumsum(np.random.default_rng(3).normal(size=80)), name="y")
    model = baselines.Naive().fit(y)
    bands = model.predict_interval(4, levels=(80, 95))
    sigma = np.sqrt(np.mean(np.diff(y.to_numpy()) ** 2))
    for level in (80, 95):
        half = norm.ppf(0.5 + level / 200) * sigma * np.sqrt(np.arange(1, 5))
        np.testing.assert_allclose(bands[f"hi_{level}"] - bands["y"], half, rtol=1e-9)
        np.testing.assert_allclose(bands["y"] - bands[f"lo_{level}"], half, rtol=1e-9)
    quantiles = model.predict_quantiles(4, quantiles=[0.1, 0.9])
    np.testing.assert_array_equal(bands["lo_80"], quantiles["q0.1"])
    np.testing.assert_array_equal(bands["hi_80"], quantiles["q0.9"])


# --------------------------------------------------------------------------- conformal intervals
def test_point_forecasts_are_the_wrapped_models_bit_for_bit():
    panel = random_walks(6, 120)
    wrapped = tsf.ConformalIntervals(baselines.Theta(), horizon=5, n_windows=10, levels=(80,)).fit(panel)
    alone = baselines.Theta().fit(panel).predict(5)
    pd.testing.assert_frame_equal(wrapped.predict(5), alone, check_exact=True)
    pd.testing.assert_frame_equal(wrapped.predict_interval(5)[["unique_id", "ds", "y"]], alone, check_exact=True)


def test_scores_are_the_errors_of_refits_on_each_window():
    y = pd.Series(np.cumsum(np.random.default_rng(4).normal(size=60)), name="y")
    model = tsf.ConformalIntervals(baselines.SES(), horizon=3, n_windows=4, step=2, levels=(50,)).fit(y)
    for k in range(4):
        end = 60 - 3 - 2 * k
        forecast = baselines.SES().fit(y.iloc[:end]).predict(3).to_numpy()
        np.testing.assert_allclose(model.scores_[0, k, :, 0], np.abs(y.iloc[end : end + 3].to_numpy() - forecast),
                                   rtol=1e-12)


def test_pooled_conformal_intervals_cover_new_data_at_their_level():
    # 400 random walks of very different scales: pooled, normalised scores must give
    # each level its coverage on the next horizon (within sampling error of 400 x 4).
    train, future = split(random_walks(400, 104, seed=7), 4)
    model = tsf.ConformalIntervals(baselines.Naive(), levels=(80, 95), horizon=4, n_windows=5,
                                   pooling="panel").fit(train)
    bands = model.predict_interval(4)
    for level in (80, 95):
        low = bands[f"lo_{level}"].to_numpy().reshape(future.shape)
        high = bands[f"hi_{level}"].to_numpy().reshape(future.shape)
        covered = np.mean((future >= low) & (future <= high))
        assert abs(covered - level / 100) < 0.035, (level, covered)


def test_per_series_windows_too_few_for_a_level_fall_back_to_the_pool_with_a_warning():
    panel = random_walks(3, 30)
    long = random_walks(1, 120, seed=2).assign(unique_id="long")
    data = pd.concat([long, panel], ignore_index=True)
    with pytest.warns(FallbackWarning, match=r"\['s0', 's1', 's2'\].*95% interval.*pooled") as caught:
        model = tsf.ConformalIntervals(baselines.Naive(), levels=(80, 95), horizon=2, n_windows=20,
                                       pooling="series").fit(data)
    assert "'long'" not in str(caught[0].message)
    assert model.n_calibration_windows_.tolist() == [20, 14, 14, 14]
    assert np.isfinite(model.predict_interval(2)[["lo_95", "hi_95"]].to_numpy()).all()


def test_intervals_nest_across_levels_when_only_the_higher_level_falls_back():
    """Ten one-step windows give a series its own 80% quantile but not a 95% one, which
    then comes from the pool. A series with two level shifts inside its windows has a
    wide own 80% interval; the pooled 95% one was narrower and did not contain it."""
    rng = np.random.default_rng(0)
    values = rng.normal(size=(20, 100)).cumsum(axis=1)
    values[0, -5:] += 30
    values[0, -8:] += 30
    data = pd.DataFrame({"unique_id": np.repeat([f"s{i}" for i in range(20)], 100),
                         "ds": np.tile(np.arange(100), 20), "y": values.ravel()})
    with pytest.warns(FallbackWarning, match="95%"):
        model = tsf.ConformalIntervals(baselines.Naive(), horizon=1, n_windows=10, pooling="series").fit(data)
        both = model.predict_interval(1, levels=(80, 95))
    assert (both["lo_95"] <= both["lo_80"]).all() and (both["hi_80"] <= both["hi_95"]).all()
    # the 95% band of a series depends on its scores, not on which other levels are asked
    alone = model.predict_interval(1, levels=(95,))
    np.testing.assert_array_equal(alone["hi_95"].to_numpy(), both["hi_95"].to_numpy())
    with pytest.warns(FallbackWarning, match="95%"):
        on_demand = baselines.Naive().fit(data).predict_interval(1, levels=(80, 95), method="conformal",
                                                                  n_windows=10)
    assert (on_demand["lo_95"] <= on_demand["lo_80"]).all() and (on_demand["hi_80"] <= on_demand["hi_95"]).all()


def test_global_model_pools_and_refit_false_fits_once():
    panel = random_walks(8, 80)
    forecaster = tsf.WindowForecaster(Ridge(), n_steps_in=8, n_steps_out=4)
    exact = tsf.ConformalIntervals(forecaster, levels=(80,), n_windows=4).fit(panel)
    once = tsf.ConformalIntervals(forecaster, levels=(80,), n_windows=4, refit=False).fit(panel)
    assert exact.pooling_ == once.pooling_ == "panel"
    # The latest window is forecast by a model fitted on data up to the earliest one:
    # other errors than the exact walk-forward, both finite.
    assert np.isfinite(once.scores_).all() and not np.allclose(once.scores_, exact.scores_)
    np.testing.assert_array_equal(once.scores_[:, -1], exact.scores_[:, -1])  # same fit for the earliest
    a, b = exact.predict_interval(4), once.predict_interval(4)
    pd.testing.assert_frame_equal(a[["unique_id", "ds", "y"]], b[["unique_id", "ds", "y"]], check_exact=True)


def test_same_random_state_same_intervals():
    panel = random_walks(5, 70)

    def fitted():
        from sklearn.neural_network import MLPRegressor

        estimator = MLPRegressor(hidden_layer_sizes=(4,), max_iter=30, random_state=3)
        return tsf.ConformalIntervals(tsf.WindowForecaster(estimator, n_steps_in=6, n_steps_out=3),
                                      levels=(80,), n_windows=3).fit(panel)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # MLP convergence
        pd.testing.assert_frame_equal(fitted().predict_interval(3), fitted().predict_interval(3), check_exact=True)


def test_predict_quantiles_are_the_symmetric_interval_bounds():
    panel = random_walks(4, 90)
    model = tsf.ConformalIntervals(baselines.Naive(), levels=(80,), horizon=3, n_windows=10).fit(panel)
    quantiles = model.predict_quantiles(3, quantiles=[0.1, 0.5, 0.9])
    bands = model.predict_interval(3)
    np.testing.assert_array_equal(quantiles["q0.1"], bands["lo_80"])
    np.testing.assert_array_equal(quantiles["q0.5"], bands["y"])
    np.testing.assert_array_equal(quantiles["q0.9"], bands["hi_80"])


def test_save_and_load_give_the_same_intervals(tmp_path):
    panel = random_walks(4, 90)
    model = tsf.ConformalIntervals(baselines.Theta(), levels=(80,), horizon=3, n_windows=10).fit(panel)
    loaded = tsf.load(tsf.save(model, tmp_path / "conformal.tsf"))
    pd.testing.assert_frame_equal(loaded.predict_interval(3), model.predict_interval(3), check_exact=True)


def test_point_forecasts_take_any_horizon_intervals_only_the_calibrated_one():
    """Point forecasts are the model's own: a horizon past the calibrated steps refused them too."""
    panel = random_walks(3, 90)
    model = tsf.ConformalIntervals(baselines.Theta(), levels=(80,), horizon=3, n_windows=10).fit(panel)
    pd.testing.assert_frame_equal(model.predict(6), model.model_.predict(6))
    np.testing.assert_array_equal(model.forecast_arrays(6).point, model.model_.forecast_arrays(6).point)
    for ask in (model.predict_interval, model.predict_quantiles):
        with pytest.raises(tsf.exceptions.InvalidParameterError, match="horizon=6 exceeds the 3 steps"):
            ask(6)


def test_other_levels_than_fitted_can_be_asked_until_the_scores_run_out():
    y = pd.Series(np.cumsum(np.random.default_rng(5).normal(size=100)), name="y")
    model = tsf.ConformalIntervals(baselines.Naive(), levels=(80,), horizon=2, n_windows=10).fit(y)
    wide = model.predict_interval(2, levels=(50, 90))
    assert (wide["hi_90"] >= wide["hi_50"]).all()
    with pytest.raises(InsufficientDataError, match="95% conformal interval needs at least 19") as too_few:
        model.predict_interval(2, levels=(95,))
    assert too_few.value.facts == {"level": 95.0, "needed": 19, "usable": 10}
    again = pickle.loads(pickle.dumps(too_few.value))  # as a worker process hands it back
    assert again.facts == too_few.value.facts and str(again) == str(too_few.value)


@pytest.mark.slow
def test_lstm_quantile_heads_give_its_intervals():
    y = pd.Series(np.sin(np.arange(160) / 5) + np.random.default_rng(0).normal(0, 0.1, 160), name="y")
    lstm = tsf.EncoderDecoderLSTM(units=8, epochs=3, batch_size=32, validation_fraction=0.0, random_state=0,
                                  quantiles=(0.1, 0.5, 0.9))
    model = tsf.WindowForecaster(lstm, n_steps_in=12, n_steps_out=4).fit(y)
    bands = model.predict_interval(4, levels=(80,))
    quantiles = model.predict_quantiles(4)
    np.testing.assert_array_equal(bands["lo_80"], quantiles["q0.1"])
    np.testing.assert_array_equal(bands["hi_80"], quantiles["q0.9"])
    with pytest.raises(tsf.exceptions.InvalidParameterError, match=r"0\.025.*not trained.*ConformalIntervals"):
        model.predict_interval(4, levels=(95,))


@pytest.mark.parametrize("module", ["tsforecast.forecasters.intervals", "tsforecast.forecasters.base"])
def test_docstring_examples(module):
    import doctest
    import importlib

    outcome = doctest.testmod(importlib.import_module(module))
    assert outcome.failed == 0 and outcome.attempted > 0


def test_too_few_windows_says_whether_more_windows_could_help():
    """The message advised 'more n_windows' where the series' length, not n_windows, was
    the limit (n_windows=1000 on 30 values)."""
    from tsforecast.baselines import Naive, Theta
    from tsforecast.exceptions import InsufficientDataError

    short = pd.Series(np.random.default_rng(0).normal(size=30).cumsum(), index=pd.date_range("2024", periods=30))
    with pytest.raises(InsufficientDataError, match=r"only 5 of the n_windows=1000 windows fit .* \(an 80% interval "
                                                    r"needs 4\)") as info:
        Naive().fit(short).predict_interval(5, method="conformal", n_windows=1000)
    assert "more n_windows" not in str(info.value)
    long = pd.Series(np.arange(300.0) % 7 + np.random.default_rng(1).normal(size=300),
                     index=pd.date_range("2024", periods=300))
    with pytest.raises(InsufficientDataError, match=r"got 10 \(n_windows=10 over 1 series\): give more n_windows"):
        Theta().fit(long).predict_interval(3, n_windows=10)


@pytest.mark.parametrize("fill", ["ffill", "interpolate"])
def test_calibration_windows_repair_their_own_rows_and_score_observed_values(fill):
    """The training series was repaired once, then cut: a gap ending a calibration
    window's training rows was interpolated from the very value the window is scored on
    (its Naive error 1.0 instead of 2.0: intervals too narrow)."""
    y = pd.Series(np.arange(40.0), index=pd.date_range("2024-01-01", periods=40, freq="D"), name="y")
    y.iloc[35] = np.nan  # the last training row of window k=3 (horizon 1, step 1); window k=4 is scored on it
    model = tsf.ConformalIntervals(baselines.Naive(fill=fill), levels=(80,), horizon=1, n_windows=6, step=1).fit(y)
    scores = model.scores_[0, :, 0, 0]
    np.testing.assert_array_equal(scores[[0, 1, 2, 3, 5]], [1.0, 1.0, 1.0, 2.0, 1.0])
    assert np.isnan(scores[4])  # no observed value to score against
    assert model.predict(1).iloc[0] == 39.0  # the final fit repairs the whole training series as before
