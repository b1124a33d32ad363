"""The plain-language verdict and the significance marks of the report."""

from __future__ import annotations

import math

import pytest

from tsforecast.reporting._verdict import significance_level, significance_mark, verdict_sentence


@pytest.mark.parametrize(
    ("p_value", "level", "mark"),
    [(0.0001, 0.01, "***"), (0.0099, 0.01, "***"), (0.01, 0.05, "**"), (0.049, 0.05, "**"),
     (0.05, 0.10, "*"), (0.0999, 0.10, "*"), (0.1, None, ""), (0.8, None, ""), (math.nan, None, ""), (None, None, "")],
)
def test_levels_and_marks(p_value, level, mark):
    assert significance_level(p_value) == level
    assert significance_mark(p_value) == mark


def test_significant_win():
    assert verdict_sentence("EncoderDecoderLSTM", "SeasonalNaive", "mase", 0.2049, 0.0003) == (
        "EncoderDecoderLSTM beats SeasonalNaive by 20.5% MASE, significant at 1% (Diebold-Mariano p = 0.0003).")


def test_win_that_is_not_significant_is_not_called_a_win():
    text = verdict_sentence("lstm", "snaive", "mase", 0.031, 0.31)
    assert text.startswith("lstm has 3.1% lower MASE than snaive, but the difference is not significant")
    assert "does not clearly beat snaive" in text and "p = 0.31" in text
    assert "beats" not in text


def test_significant_loss():
    text = verdict_sentence("lstm", "snaive", "mae", -0.082, 0.02)
    assert text == "lstm does not beat snaive: its MAE is 8.2% higher, significant at 5% (Diebold-Mariano p = 0.02)."


def test_loss_that_is_not_significant():
    text = verdict_sentence("lstm", "snaive", "mase", -0.02, 0.6)
    assert text.startswith("lstm does not beat snaive: its MASE is 2.0% higher, though the difference is not")


def test_missing_values():
    assert "no Diebold-Mariano test available" in verdict_sentence("a", "b", "mase", 0.1, None)
    assert verdict_sentence("a", "b", "mase", math.nan, 0.1) == "a and b have no common MASE scores to compare."
    assert verdict_sentence("a", "b", "mase", 0.0, 0.9).startswith("a ties with b on MASE")


@pytest.mark.parametrize("module", ["_verdict", "_content", "_files"])
def test_docstring_examples(module):
    import doctest
    import importlib

    outcome = doctest.testmod(importlib.import_module(f"tsforecast.reporting.{module}"))
    assert outcome.failed == 0 and outcome.attempted > 0
