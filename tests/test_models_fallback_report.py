"""Issue 22: the LSTM's fallback to its reference forecast is chosen by a clear gain on the
validation tail, picks the declared long season, and is recorded per fold in the backtest's
result and said by its report (HTML and Markdown)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforecast import BacktestResult, WindowForecaster, backtest, report
from tsforecast.baselines import SeasonalNaive
from tsforecast.cli._registry import ModelSettings, make_model
from tsforecast.exceptions import FallbackWarning
from tsforecast.models import EncoderDecoderLSTM
from tsforecast.models.fallback import shrinkage_on_tail

from _report_helpers import md_table
from _scripts import load_script

pytest.importorskip("keras")

PERIOD = 12


def _load(weeks: int) -> pd.Series:
    return load_script("datasets/synthetic_load.py").half_hourly_load(weeks=weeks, seed=0)


# -- the rule ------------------------------------------------------------------
def test_a_lower_mean_on_the_tail_is_not_enough_to_keep_the_corrections():
    """Corrections that help on half of the tail and hurt almost as much on the other half:
    lower mean error than the reference, yet no clear gain over blocks of windows: the reference."""
    rng = np.random.default_rng(0)
    targets = rng.normal(size=(80, 4, 1))
    corrections = 0.8 * targets
    corrections[40:] = -0.7 * targets[40:]  # the later half: worse than the reference
    network = np.abs(targets - corrections).mean()
    assert network < np.abs(targets).mean()  # the old rule kept the network
    shrinkage, errors = shrinkage_on_tail(corrections, targets, block=4)
    assert shrinkage == 0.0 and errors["shrunk"] == errors["reference"]
    assert shrinkage_on_tail(0.8 * targets, targets, block=4)[0] == 1.0  # a gain on every block is kept


def test_a_clear_gain_of_shrunk_corrections_is_kept_shrunk():
    """Corrections of the right sign but twice too large: the full network is no better than
    the reference, half of it clearly is."""
    rng = np.random.default_rng(1)
    targets = rng.normal(size=(80, 4, 1))
    shrinkage, errors = shrinkage_on_tail(2 * targets, targets, block=4)
    assert shrinkage == 0.5 and errors["shrunk"] < 1e-12 < errors["reference"]


# -- the declared long season ----------------------------------------------------
@pytest.mark.slow
def test_the_cli_lstm_falls_back_to_the_declared_long_season():
    """Half-hourly load whose first week repeats (weekends differ from weekdays, so only the
    week repeats, not the day), ``--season-length 336`` (the frequency's season is 48): the
    weekly seasonal naive is exact, the network cannot beat it, so the forecast is that
    seasonal naive exactly, and the fit says which reference it was."""
    week = _load(weeks=1)
    y = pd.Series(np.tile(week.to_numpy(), 6), index=pd.date_range(week.index[0], periods=6 * 336, freq="30min"))
    settings = ModelSettings(horizon=8, season_length=336, season_given=True, epochs=1, units=4, seed=0)
    with pytest.warns(FallbackWarning, match=r"seasonal naive \(season 336\)"):
        model = make_model("lstm", settings).fit(y)
    lstm = model.estimator_
    assert lstm.n_steps_in_ == 1008 and lstm.scaling_ == "seasonal" and lstm.season_length_ == 336
    assert lstm.reference_ == "seasonal naive (season 336)" and lstm.fallback_ and lstm.shrinkage_ == 0.0
    weekly = y.to_numpy()[-336:][:8]
    np.testing.assert_allclose(model.predict(8).to_numpy().ravel(), weekly, rtol=1e-9)


# -- recorded by the backtest, said by the report --------------------------------
def _periodic() -> pd.Series:
    values = 5 + np.tile(np.arange(PERIOD, dtype=float) % 5, 30)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=len(values), freq="MS"), name="y")


@pytest.fixture(scope="module")
def fell_back() -> BacktestResult:
    """A purely periodic series: the seasonal naive is exact, the network's corrections can
    only add error, so every fold's forecast is the reference."""
    lstm = WindowForecaster(EncoderDecoderLSTM(units=4, epochs=1, random_state=0, season_length=PERIOD),
                            n_steps_in=3 * PERIOD, n_steps_out=6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FallbackWarning)
        return backtest({"lstm": lstm, "snaive": SeasonalNaive(PERIOD)}, _periodic(), horizon=6, cv=3,
                        season_length=PERIOD, metrics=["mase", "mae"], progress=False)


def test_the_result_records_each_fold_s_reference_and_shrinkage(fell_back, tmp_path):
    recorded = fell_back.info["fit_references"]
    assert set(recorded) == {"lstm"}  # baselines correct no reference
    assert recorded["lstm"] == {str(f): {"reference": f"seasonal naive (season {PERIOD})", "shrinkage": 0.0}
                                for f in range(3)}
    forecasts = fell_back.forecasts
    lstm, snaive = (forecasts[forecasts["model"] == m]["y_hat"].to_numpy() for m in ("lstm", "snaive"))
    np.testing.assert_allclose(lstm, snaive, rtol=1e-9)  # the forecast is the reference itself
    fell_back.save(tmp_path / "r.zip")
    assert BacktestResult.load(tmp_path / "r.zip").info["fit_references"] == recorded
    # the public reading: one row per fold, in fold order; a baseline records none
    assert fell_back.fit_references("lstm") == [(str(f), recorded["lstm"][str(f)]) for f in range(3)]
    assert fell_back.fit_references("snaive") == []


def test_the_report_says_where_the_lstm_fell_back(fell_back, tmp_path):
    paths = report(fell_back, tmp_path / "report.html")
    markdown = Path(paths.markdown).read_text()
    assert "## Reference forecasts" in markdown
    assert "lstm fell back in 3 of 3 fit(s)" in markdown
    rows = md_table(markdown, "model", "fold")
    fallback_rows = [r for r in rows if "reference" in r]
    assert [(r["fold"], r["reference"], r["forecast"]) for r in fallback_rows] == [
        (str(f), f"seasonal naive (season {PERIOD})", "the reference itself") for f in range(3)]
    html = Path(paths.html).read_text()
    assert "Reference forecasts" in html and "lstm fell back in 3 of 3 fit(s)" in html
    assert "fit_references" not in markdown  # not repeated as a raw entry of the models table


def test_a_kept_network_is_said_too_and_a_backtest_without_reference_has_no_section(fell_back):
    from tsforecast.reporting._fallback import fallback_blocks

    kept = BacktestResult(pd.DataFrame(), pd.DataFrame(columns=["model"]), None, {}, {"fit_references": {
        "lstm": {"0": {"reference": "naive (last value)", "shrinkage": 1.0},
                 "1": {"a": {"reference": "naive (last value)", "shrinkage": 0.25}}}}})
    assert kept.fit_references("lstm") == [("0", {"reference": "naive (last value)", "shrinkage": 1.0}),
                                           ("1/a", {"reference": "naive (last value)", "shrinkage": 0.25})]
    blocks = fallback_blocks(kept)
    assert "fell back in 1 of 2 fit(s)" in blocks[1].text and "in 0 fit(s) its forecast is that reference" in blocks[1].text
    assert [row[1:] for row in blocks[2].rows] == [("0", "naive (last value)", "the network's (corrections kept)"),
                                                   ("1/a", "naive (last value)",
                                                    "shrunk toward the reference (corrections x 0.25)")]
    assert fallback_blocks(BacktestResult(pd.DataFrame(), pd.DataFrame(columns=["model"]), None, {}, {})) == []


def test_the_record_is_found_inside_an_intervals_wrapper():
    """The CLI's ``--levels`` wraps the lstm for intervals: its fits are recorded all the same."""
    from tsforecast.backtesting._tasks import _fit_reference
    from tsforecast.cli._registry import with_intervals

    lstm = WindowForecaster(EncoderDecoderLSTM(units=4, epochs=1, random_state=0, season_length=PERIOD),
                            n_steps_in=3 * PERIOD, n_steps_out=6)
    wrapped = with_intervals({"lstm": lstm}, (50,), horizon=6, n_windows=4)["lstm"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrapped.fit(_periodic())
    assert _fit_reference(wrapped) == {"reference": f"seasonal naive (season {PERIOD})", "shrinkage": 0.0}
    assert _fit_reference(SeasonalNaive(PERIOD).fit(_periodic())) is None
