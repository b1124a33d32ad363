"""Tests of tsforecast.core.metrics, including the M4 benchmark reproduction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforecast.core import metrics
from tsforecast.datasets import M4_HORIZONS, M4_SEASONALITY, load_m4
from tsforecast.exceptions import (
    InputTypeError,
    InsufficientDataError,
    InvalidInputError,
    InvalidParameterError,
    ShapeMismatchError,
)

Y = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 10.0]])
F = np.array([[1.0, 2.0, 4.0], [12.0, 10.0, 10.0]])


# --------------------------------------------------------------------------- values
def test_mae_rmse_by_hand():
    assert metrics.mae(Y, F) == pytest.approx(0.5)
    assert metrics.rmse([1.0, 1.0], [4.0, -2.0]) == pytest.approx(3.0)
    # RMSE of a batch is the mean of per-series RMSEs, not the pooled RMSE.
    per_series = [np.sqrt(1 / 3), np.sqrt(4 / 3)]
    assert metrics.rmse(Y, F, reduce="series") == pytest.approx(per_series)
    assert metrics.rmse(Y, F) == pytest.approx(np.mean(per_series))


def test_mape_and_smape_by_hand():
    assert metrics.mape([100.0, 200.0], [110.0, 180.0]) == pytest.approx(10.0)
    assert metrics.smape([100.0], [300.0]) == pytest.approx(100.0)
    # symmetric in its arguments, bounded by 200
    assert metrics.smape([3.0], [1.0]) == pytest.approx(metrics.smape([1.0], [3.0]))
    assert metrics.smape([5.0], [-5.0]) == pytest.approx(200.0)


def test_smape_zero_over_zero_is_zero():
    assert metrics.smape([0.0, 0.0], [0.0, 0.0]) == 0.0
    assert metrics.smape([0.0, 2.0], [0.0, 1.0], reduce="none").tolist() == pytest.approx([0.0, 200 / 3])


def test_reduce_options_shapes_and_consistency():
    for metric in (metrics.mae, metrics.smape, metrics.mape):
        raw = metric(Y, F, reduce="none")
        assert raw.shape == Y.shape
        per_series = metric(Y, F, reduce="series")
        assert per_series.shape == (2,)
        assert per_series == pytest.approx(raw.mean(axis=1))
        assert metric(Y, F) == pytest.approx(per_series.mean())
        assert isinstance(metric(Y[0], F[0], reduce="series"), float)
    with pytest.raises(InvalidParameterError, match="reduce"):
        metrics.mae(Y, F, reduce="median")


def test_mase_by_hand_and_scale():
    # training diffs at lag 1 are all 2, so the scale is 2
    assert metrics.mase([5.0, 7.0], [6.0, 6.0], [1.0, 3.0, 5.0, 7.0]) == pytest.approx(0.5)
    # seasonal scale: lag 2 differences of [1, 5, 2, 6, 3] are 1, 1, 1
    assert metrics.mase_scale([1.0, 5.0, 2.0, 6.0, 3.0], season_length=2).tolist() == [1.0]


def test_mase_batch_list_equals_nan_padded():
    train = [np.array([1.0, 3.0, 5.0, 7.0]), np.array([0.0, 1.0])]
    padded = np.array([[1.0, 3.0, 5.0, 7.0], [0.0, 1.0, np.nan, np.nan]])
    from_list = metrics.mase(Y, F, train, reduce="series")
    from_padded = metrics.mase(Y, F, padded, reduce="series")
    assert from_list == pytest.approx(from_padded)
    assert from_list == pytest.approx([(1 / 3) / 2, (2 / 3) / 1])
    raw = metrics.mase(Y, F, train, reduce="none")
    assert raw.shape == Y.shape and raw.mean(axis=1) == pytest.approx(from_list)
    # The padded layout as nested lists was read as a list of rows, and its NaN refused.
    assert metrics.mase(Y, F, padded.tolist(), reduce="series") == pytest.approx(from_padded)


def test_mase_zero_scale_raises_or_gives_nan():
    with pytest.raises(InvalidInputError, match="zero MASE scale"):
        metrics.mase([1.0], [2.0], [4.0, 4.0, 4.0])
    both = metrics.mase(Y[:, :1], F[:, :1], [[4.0, 4.0, 4.0], [1.0, 2.0, 3.0]], zero_scale="nan", reduce="series")
    assert np.isnan(both[0]) and both[1] == pytest.approx(2.0)
    assert metrics.mase(Y[:, :1], F[:, :1], [[4.0, 4.0, 4.0], [1.0, 2.0, 3.0]], zero_scale="nan") == pytest.approx(2.0)
    assert not np.isinf(both).any()


def test_mase_scale_of_a_series_repeating_its_season_exactly_is_zero():
    """A sine sampled 24 times a period repeats itself up to float rounding (seasonal
    differences near 1e-14): dividing by that gave MASE near 1e14 instead of the zero scale's
    answer. Real differences, however small beside the level, keep their scale."""
    periodic = 100 + 10 * np.sin(2 * np.pi * np.arange(240) / 24)
    assert 0 < np.mean(np.abs(periodic[24:] - periodic[:-24])) < 1e-12  # the rounding this is about
    assert metrics.mase_scale(periodic, season_length=24).tolist() == [0.0]
    with pytest.raises(InvalidInputError, match="beyond float rounding"):
        metrics.mase([100.0], [101.0], periodic, season_length=24)
    assert np.isnan(metrics.mase([100.0], [101.0], periodic, season_length=24, zero_scale="nan"))
    tiny = periodic + 1e-8 * np.arange(240)  # a drift of 1e-8 a step is data, not rounding
    assert metrics.mase_scale(tiny, season_length=24)[0] == pytest.approx(24e-8)


def test_mase_errors():
    with pytest.raises(InsufficientDataError, match="season_length=24"):
        metrics.mase([1.0], [1.0], np.arange(10.0), season_length=24)
    with pytest.raises(ShapeMismatchError, match="one training series per row"):
        metrics.mase(Y, F, [np.arange(5.0)])
    with pytest.raises(InvalidInputError, match="padding at the end"):
        metrics.mase([1.0], [1.0], [1.0, np.nan, 3.0])
    with pytest.raises(InvalidParameterError, match="season_length"):
        metrics.mase([1.0], [1.0], [1.0, 2.0], season_length=0)


def test_owa():
    assert metrics.owa(9.0, 2.0, 18.0, 2.0) == pytest.approx(0.75)
    assert metrics.owa(18.0, 2.0, 18.0, 2.0) == pytest.approx(1.0)
    assert metrics.owa(np.array([9.0, 18.0]), 2.0, 18.0, 2.0).tolist() == pytest.approx([0.75, 1.0])
    with pytest.raises(InvalidInputError, match="mase_naive2"):
        metrics.owa(9.0, 2.0, 18.0, 0.0)


def test_owa_refuses_scores_that_are_no_scores_naming_them():
    # before: a raw NumPy broadcast error, a negative sMAPE scored, "9" read as 9.0
    with pytest.raises(ShapeMismatchError, match=r"smape \(3,\), mase \(2,\)"):
        metrics.owa(np.ones(3), np.ones(2), 1.0, 1.0)
    with pytest.raises(InvalidInputError, match="smape must not be negative.*-1.0"):
        metrics.owa(-1.0, 1.0, 1.0, 1.0)
    with pytest.raises(InvalidInputError, match="mase must not be negative"):
        metrics.owa(1.0, np.array([1.0, -0.5]), 1.0, 1.0)
    for text in ("9", True):
        with pytest.raises(InputTypeError, match=f"smape must be a number.*got {text!r}"):
            metrics.owa(text, 1.0, 1.0, 1.0)


def test_pinball_loss():
    # median pinball loss is half the absolute error
    assert metrics.pinball_loss([1.0, 5.0], [2.0, 2.0], 0.5) == pytest.approx(0.5 * metrics.mae([1.0, 5.0], [2.0, 2.0]))
    # under-forecast at q=0.9 costs 0.9 per unit; over-forecast costs 0.1 per unit
    assert metrics.pinball_loss([10.0], [8.0], 0.9) == pytest.approx(1.8)
    assert metrics.pinball_loss([10.0], [12.0], 0.9) == pytest.approx(0.2)
    quantile_forecasts = np.stack([F - 1, F + 1], axis=-1)
    raw = metrics.pinball_loss(Y, quantile_forecasts, [0.1, 0.9], reduce="none")
    assert raw.shape == Y.shape
    with pytest.raises(ShapeMismatchError, match="y_quantiles"):
        metrics.pinball_loss(Y, F, [0.1, 0.9])
    with pytest.raises(InvalidParameterError, match="quantiles"):
        metrics.pinball_loss(Y, F, 1.5)


def test_coverage():
    y = [1.0, 5.0, 3.0, 4.0]
    assert metrics.coverage(y, [0.0] * 4, [4.0] * 4) == pytest.approx(0.75)  # bounds included
    assert metrics.coverage(y, [0.0] * 4, [4.0] * 4, reduce="none").tolist() == [1.0, 0.0, 1.0, 1.0]
    with pytest.raises(InvalidInputError, match="lower must not exceed upper"):
        metrics.coverage(y, [5.0] * 4, [4.0] * 4)


def test_interval_width_names_its_own_arguments():
    # before: the errors named y_true, an argument interval_width does not take
    with pytest.raises(ShapeMismatchError, match="upper must have the same shape as lower"):
        metrics.interval_width([1.0], [2.0, 5.0])
    with pytest.raises(InsufficientDataError, match="^lower must have at least 1"):
        metrics.interval_width([], [])
    with pytest.raises(InvalidInputError, match="lower must not exceed upper"):
        metrics.interval_width([3.0, 1.0], [2.0, 5.0])


@pytest.mark.parametrize("level", [True, "95", None])
def test_interval_score_refuses_a_level_that_is_no_number(level):
    # before: float() read True as 1 and "95" as 95
    with pytest.raises(InputTypeError, match=f"level must be a number.*got {level!r}"):
        metrics.interval_score([1.0], [0.0], [2.0], level)


def test_interval_score_takes_numpy_levels():
    assert metrics.interval_score([1.0], [0.0], [2.0], np.int64(95)) == metrics.interval_score([1.0], [0.0], [2.0], 95)


@pytest.mark.parametrize("name", ["coverage_nan", "coverage_150", "width_0", "coverage_inf"])
def test_orientation_refuses_a_level_suffix_that_is_no_level(name):
    # before: orientation("coverage_nan") was ('target', nan)
    with pytest.raises(InvalidParameterError, match=f"metric '{name}' has the level suffix"):
        metrics.orientation(name)


def test_interval_width_and_score_by_hand():
    y = np.array([[1.0, 5.0, -1.0]])
    low, high = np.zeros((1, 3)), np.full((1, 3), 2.0)
    assert metrics.interval_width(low, high) == pytest.approx(2.0)
    # inside: the width; above by 3 and below by 1 at 80%: width + 2 / 0.2 * miss
    assert metrics.interval_score(y, low, high, 80, reduce="none").tolist() == [[2.0, 32.0, 12.0]]
    # a wider interval that covers everything scores its width
    assert metrics.interval_score(y, low - 1, high + 3, 80) == pytest.approx(6.0)


def test_msis_is_the_interval_score_over_the_seasonal_scale():
    y_train = np.array([1.0, 3.0, 2.0, 6.0, 4.0, 8.0])
    y, low, high = np.array([5.0, 9.0]), np.array([4.0, 4.0]), np.array([6.0, 6.0])
    raw = metrics.interval_score(y, low, high, 95, reduce="none")
    for m in (1, 2):
        assert metrics.msis(y, low, high, y_train, m) == pytest.approx(raw.mean() / metrics.mase_scale(y_train, m)[0])
    batch = metrics.msis(np.vstack([y, y]), np.vstack([low, low]), np.vstack([high, high]), [y_train, y_train * 2],
                         reduce="series")
    assert batch[0] == pytest.approx(2 * batch[1])


def test_acd_is_the_absolute_gap_between_pooled_and_nominal_coverage():
    y = np.array([[1.0, 5.0], [3.0, 9.0]])
    assert metrics.acd(y, np.zeros((2, 2)), np.full((2, 2), 4.0), 95) == pytest.approx(0.45)
    assert metrics.acd(y, np.zeros((2, 2)), np.full((2, 2), 10.0), 95) == pytest.approx(0.05)
    with pytest.raises(InvalidParameterError, match=r"level.*0"):
        metrics.acd(y, np.zeros((2, 2)), np.ones((2, 2)), 0)


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("metric", [metrics.mae, metrics.rmse, metrics.mape, metrics.smape])
def test_shape_mismatch_nan_empty_and_3d(metric):
    with pytest.raises(ShapeMismatchError, match=r"y_pred.*\(3,\).*\(2,\)"):
        metric([1.0, 2.0, 3.0], [1.0, 2.0])
    with pytest.raises(InvalidInputError, match="y_true.*non-finite"):
        metric([1.0, np.nan], [1.0, 2.0])
    with pytest.raises(InvalidInputError, match="y_pred.*non-finite"):
        metric([1.0, 2.0], [1.0, np.inf])
    with pytest.raises(InsufficientDataError, match="y_true"):
        metric([], [])
    with pytest.raises(InsufficientDataError, match="empty"):
        metric(np.zeros((2, 0)), np.zeros((2, 0)))
    with pytest.raises(ShapeMismatchError, match="3 dimensions"):
        metric(np.ones((2, 2, 2)), np.ones((2, 2, 2)))


def test_mape_zero_actual_raises():
    with pytest.raises(InvalidInputError, match=r"zero.*position \(1,\)"):
        metrics.mape([1.0, 0.0], [1.0, 1.0])


# --------------------------------------------------------------------------- M4 acceptance
# Published M4 results (sMAPE, MASE, OWA) for the benchmarks in point_forecasts/.
PUBLISHED = {
    "Hourly": {
        "Naive": (43.003, 11.608, 3.593),
        "sNaive": (13.912, 1.193, 0.627),
        "Naive2": (18.383, 2.395, 1.000),
        "SES": (18.094, 2.385, 0.990),
    },
    "Weekly": {
        "Naive": (9.161, 2.777, 1.000),
        "sNaive": (9.161, 2.777, 1.000),
        "Naive2": (9.161, 2.777, 1.000),
        "SES": (9.012, 2.685, 0.975),
    },
}


@pytest.mark.parametrize("subset", ["Hourly", "Weekly"])
def test_m4_benchmarks_reproduce_published_scores(m4_dir, subset):
    train, test = load_m4(subset, m4_dir, split="both")
    ids = list(dict.fromkeys(train["unique_id"]))
    y_train = [group.to_numpy() for _, group in train.groupby("unique_id", sort=False)["y"]]
    horizon = M4_HORIZONS[subset]
    y_true = test["y"].to_numpy().reshape(len(ids), horizon)
    scores = {}
    for method in PUBLISHED[subset]:
        table = pd.read_csv(m4_dir / "point_forecasts" / f"{method}-HW.csv", index_col=0)
        y_pred = table.loc[ids].iloc[:, :horizon].to_numpy()
        scores[method] = (
            metrics.smape(y_true, y_pred),
            metrics.mase(y_true, y_pred, y_train, season_length=M4_SEASONALITY[subset]),
        )
    for method, (smape_pub, mase_pub, owa_pub) in PUBLISHED[subset].items():
        smape_value, mase_value = scores[method]
        assert round(smape_value, 3) == pytest.approx(smape_pub, abs=1e-9), method
        assert round(mase_value, 3) == pytest.approx(mase_pub, abs=1e-9), method
        owa_value = metrics.owa(smape_value, mase_value, *scores["Naive2"])
        # Hourly sNaive's OWA is 0.62750 unrounded, right on the rounding boundary of the
        # published 0.627, so OWA is held to within one unit of the third decimal.
        assert owa_value == pytest.approx(owa_pub, abs=1e-3), method


def test_docstring_examples_run():
    import doctest

    import tsforecast.core.metrics as module

    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0
