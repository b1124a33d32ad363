"""Tests of benchmarks/m4.py: scoring, merging into the JSON report, Markdown from the JSON."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "m4.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("m4_benchmark", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_run_merges_into_earlier_results_and_renders_them(bench, m4_dir, tmp_path):
    report = tmp_path / "m4.json"
    earlier = {"Weekly": {"lstm": {"smape": 8.0, "mase": 2.3, "owa": 0.86, "seconds": 600.0,
                                   "per_seed": [{"seed": 0, "smape": 8.0, "mase": 2.3, "owa": 0.86, "seconds": 600}],
                                   "std": {"smape": 0.0, "mase": 0.0, "owa": 0.0}}},
               "Hourly": {"Naive": {"smape": 1.0, "mase": 1.0, "owa": 1.0, "seconds": 1.0}}}
    report.write_text(json.dumps(earlier))
    markdown = tmp_path / "m4.md"
    assert bench.main(["--subset", "Weekly", "--models", "Naive", "Naive2", "--data", str(m4_dir),
                       "--json", str(report), "--md", str(markdown)]) == 0
    content = json.loads(report.read_text())
    assert content["Hourly"] == earlier["Hourly"] and content["Weekly"]["lstm"] == earlier["Weekly"]["lstm"]
    naive = content["Weekly"]["Naive"]
    assert (round(naive["smape"], 3), round(naive["mase"], 3), round(naive["owa"], 3)) == (9.161, 2.777, 1.0)
    assert naive["seconds"] > 0 and naive["n_series"] == 359
    text = markdown.read_text()
    assert "| Naive2 | 9.161 | 2.777 | 1.000 | 9.161 / 2.777 / 1.000 | yes (3 decimals)" in text
    assert "| lstm | 8.000 ± 0.000" in text and "seed 0: sMAPE 8.000" in text


def test_unknown_model_is_refused(bench, capsys):
    with pytest.raises(SystemExit):
        bench.main(["--models", "nope"])
    assert "unknown model(s) ['nope']" in capsys.readouterr().err
