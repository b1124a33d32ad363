"""Every committed report in reports/ is rendered from its JSON: re-rendering the JSON
with the benchmark's own renderer gives the committed Markdown byte for byte."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REPORTS = ROOT / "reports"

#: report -> (benchmark module in benchmarks/, its function from the JSON document to the Markdown).
RENDERERS = {
    "auto_arima": ("auto_arima", "render"),
    "blas_threads": ("blas_threads", "render"),
    "covariate_backtest": ("covariate_backtest", "render"),
    "defaults_suite": ("defaults_suite", "render"),
    "interval_scale": ("interval_scale", "render"),
    "lstm_defaults": ("lstm_defaults", "render"),
    "ltsf": ("ltsf", "render"),
    "m4": ("m4", "render_markdown"),
    "m4_speed": ("m4_speed", "render"),
    "panel_scale": ("panel_scale", "render"),
    "report_scale": ("report_scale", "render"),
    "stats_models": ("stats_models", "render"),
    "train_speed": ("train_speed", "render"),
    "warm_start": ("warm_start", "markdown"),
    "windowing": ("windowing", "render"),
}
#: Reports with no JSON, and why.
NOT_FROM_JSON = {
    "example": "the report of the README's main job (`tsforecast report`), written by tsforecast.reporting "
               "from a backtest, not by a benchmark from a JSON",
}


def _renderer(module: str, function: str):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        return getattr(importlib.import_module(module), function)
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_every_committed_report_is_declared():
    stems = {path.stem for path in REPORTS.glob("*.md")}
    assert stems == set(RENDERERS) | set(NOT_FROM_JSON)
    assert all((REPORTS / f"{stem}.json").exists() for stem in RENDERERS)


@pytest.mark.parametrize("stem", sorted(RENDERERS))
def test_committed_report_is_its_json_rendered(stem):
    render = _renderer(*RENDERERS[stem])
    document = json.loads((REPORTS / f"{stem}.json").read_text())
    assert render(document) == (REPORTS / f"{stem}.md").read_text()


@pytest.mark.parametrize("stem", sorted(RENDERERS))
def test_every_benchmark_report_is_listed_in_the_measured_figures(stem):
    """docs/benchmarks.md, which README calls the list of every benchmark, links each report."""
    assert f"(../reports/{stem}.md" in (ROOT / "docs" / "benchmarks.md").read_text()
