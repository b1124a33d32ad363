"""benchmarks/auto_arima.py's JSON: a validation run adds its own entries and drops none."""

from __future__ import annotations

import importlib.util
import json
import multiprocessing
import sys
import time
import uuid
from argparse import Namespace
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def bench():
    sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location("auto_arima_benchmark", ROOT / "benchmarks" / "auto_arima.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


ENV = {"python": "3", "statsforecast": "2", "statsmodels": "0", "numba": "0", "numpy": "2", "pandas": "2",
       "cpu": "cpu", "cpus": 2, "measured": "2026-12-04 16:00 UTC"}


def _variant(mase: float) -> dict:
    return {"smape": 5.0, "mase": mase, "owa": 0.9, "seconds": 1.0, "cpu_seconds": 1.0, "load_average": 1.0,
            "mase_per_series": [mase], "orders": ["(1,0,0)(0,1,1)"], "measured": "2026-12-04 16:00 UTC"}


def _result(**variants) -> dict:
    return {"naive2": {"smape": 6.0, "mase": 1.2}, "series": ["H1"], "variants": variants}


def test_a_validation_run_keeps_the_entries_of_earlier_runs(bench, tmp_path):
    out = tmp_path / f"auto_arima_{uuid.uuid4().hex}"
    earlier = {"subsets": {}, "environment": ENV, "test_runs": [{"subset": "Hourly"}],
               "validation": {"20": _result(**{"ic='bic'": {**_variant(1.0), "measured": "earlier"}}),
                              "414": _result(a=_variant(0.5))},
               "validation_weekly": {"20": _result(b=_variant(2.0))}}
    out.with_suffix(".json").write_text(json.dumps(earlier))
    args = Namespace(subset="Hourly", series=20)
    new = {**_variant(0.9), "search": bench.SEARCH}
    bench.update_report(out, lambda d: bench._add_validation(d, ENV, args, _result(**{"max_d=1": new})), bench.render)
    content = json.loads(out.with_suffix(".json").read_text())
    assert list(content["validation"]["20"]["variants"]) == ["ic='bic'", "max_d=1"]
    assert content["validation"]["20"]["variants"]["ic='bic'"]["measured"] == "earlier"
    assert content["validation"]["414"] == earlier["validation"]["414"]
    assert content["validation_weekly"] == earlier["validation_weekly"] and content["test_runs"] == [{"subset": "Hourly"}]
    markdown = out.with_suffix(".md").read_text()
    assert "| ic='bic' † | 5.000 | 1.0000 |" in markdown  # scored before the second start
    assert "| max_d=1 | 5.000 | 0.9000 |" in markdown


def _add_slowly(bench, out, names):
    """Add ``names`` one run at a time, each update pausing between its read and its write."""
    def update(document, name):
        time.sleep(0.05)  # widen the window in which an unlocked writer would lose the other's entry
        document.setdefault("validation", {}).setdefault("20", _result())["variants"][name] = _variant(1.0)

    for name in names:
        bench.update_report(out, lambda document, name=name: update(document, name), lambda document: "")


def test_runs_finishing_together_lose_no_entry(bench, tmp_path):
    out = tmp_path / f"auto_arima_{uuid.uuid4().hex}"
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_add_slowly, args=(bench, out, [f"{side}{i}" for i in range(6)]))
               for side in ("a", "b")]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    variants = json.loads(out.with_suffix(".json").read_text())["validation"]["20"]["variants"]
    assert sorted(variants) == sorted(f"{side}{i}" for side in "ab" for i in range(6))


def test_a_row_names_its_cpu_only_where_it_differs_and_an_old_row_claims_none(bench):
    from benchmarks.stats_models import measured

    env = {**ENV, "cpu": "Intel Xeon"}
    assert measured({"measured": "2026-12-05 11:00 UTC", "cpu": "Intel Xeon"}, env) == "2026-12-05 11:00 UTC"
    assert measured({"measured": "2026-12-04 10:00 UTC", "cpu": "AMD EPYC"}, env) == "2026-12-04 10:00 UTC (AMD EPYC)"
    assert measured({"smape": 1.0}, env) == "not recorded (an older run)"  # never the latest run's CPU or time


def test_the_peer_line_splits_the_series_where_the_searches_parted(bench):
    ours = {"orders": ["(1,0,0)(0,1,1)", "(2,0,0)(0,1,1)", "(1,0,0)(1,1,1)"], "mase_per_series": [1.0, 2.0, 0.5]}
    theirs = {"orders": ["(1,0,0)(0,1,1)", "(1,0,1)(0,1,1)", "(1,0,0)(1,1,1)"], "mase_per_series": [1.002, 1.5, 0.5]}
    line = bench._peer_line(ours, theirs)[0]
    assert "the same on 2 of 3 series (largest MASE difference there 0.0020)" in line
    assert "on the other 1, where the two searches parted, mean MASE 2.0000 ours, 1.5000 theirs" in line
    assert bench._peer_line(ours, {"mase_per_series": [1.0, 2.0, 0.5]}) == []  # an entry without orders
    assert "parted" not in bench._peer_line(ours, ours)[0]
    apart = bench._peer_line(ours, {**theirs, "orders": ["(0,1,0)(0,0,0)"] * 3})[0]
    assert apart.startswith("Our orders against statsforecast's: the same on 0 of 3 series; on the other 3")


def test_a_test_row_says_whether_it_ran_with_the_current_defaults(bench):
    now = bench.settings()
    assert now["method"] == bench.baselines.AutoARIMA().method and set(now) == set(bench.SETTINGS)
    assert bench._settings_line({"params": now, "search": bench.SEARCH, "mase": 1.0}) == [
        "Our row ran with the current defaults.", ""]
    zero_only = bench._settings_line({"params": now, "mase": 1.0})[0]
    assert zero_only.startswith("Our row ran with earlier defaults: each candidate's CSS fit started from zero only")
    method = "exact" if now["method"] != "exact" else "css"
    older = bench._settings_line({"params": {**now, "max_d": now["max_d"] + 1, "method": method},
                                  "params_source": "from git"})[0]
    assert older.startswith("Our row ran with earlier defaults (from git): ")
    assert f"max_d={now['max_d'] + 1} (now {now['max_d']})" in older and f"method='{method}' (now '{now['method']}')" in older
    assert "kpss_alpha" not in older  # only what differs
    assert "not recorded" in bench._settings_line({"mase": 1.0})[0]
    assert bench._settings_line({}) == []  # no row of ours in that table
    entry = {"measured": "2026-12-05 17:00 UTC", "cpu": "cpu", "commit": "abc1234"}
    assert bench._measured_at(entry, ENV) == "2026-12-05 17:00 UTC, abc1234"


def test_the_defaults_are_compared_with_the_zero_start_search_and_max_d_within_one_search(bench):
    def entry(per_series, orders, search=True):
        return {**_variant(0.0), "mase_per_series": per_series, "orders": orders,
                **({"search": bench.SEARCH} if search else {})}

    variants = {bench.CURRENT: entry([1.0, 2.0], ["a", "b"]),
                bench.ONE_START: entry([1.5, 1.5], ["a", "c"], search=False),
                bench.PREVIOUS: entry([1.5, 1.0], ["a", "d"], search=False)}
    starts, max_d = bench._paired_lines({"variants": variants})[::2]
    assert starts.startswith("The defaults against the same search fitting each candidate from zero only")
    assert "MASE gain +0.0000 ± 1.0000; better on 1 series, worse on 1; orders changed on 1." in starts
    # max_d is judged within the zero-start search: ONE_START against PREVIOUS, not CURRENT
    assert max_d.startswith("With CSS from zero only, `max_d=1` against R's `max_d=2`: MASE gain -0.2500")
    assert "better on 0 series, worse on 1" in max_d
    before = {bench.CURRENT: variants[bench.ONE_START], bench.PREVIOUS: variants[bench.PREVIOUS]}
    assert bench._paired_lines({"variants": before})[0].startswith("With CSS from zero only")
    # the defaults scored with both starts and no zero-start entry of them: no max_d line
    assert bench._paired_lines({"variants": {bench.CURRENT: variants[bench.CURRENT],
                                             bench.PREVIOUS: variants[bench.PREVIOUS]}}) == []


def test_rows_of_each_earlier_search_are_marked_and_explained(bench):
    result = {"naive2": {"smape": 6.0, "mase": 1.2}, "series": ["H1"],
              "variants": {"a": _variant(1.0), "b": {**_variant(0.9), "search": "zero and neighbour starts"},
                           "c": {**_variant(0.8), "search": bench.SEARCH}}}
    labels = [bench._label(name, entry) for name, entry in result["variants"].items()]
    assert labels == ["a †", "b ‡", "c"]
    notes = [line for line in bench._footnotes(result) if line]
    assert [line[0] for line in notes] == ["†", "‡"] and "from zero only" in notes[0] and "constant" in notes[1]
    assert bench._footnotes({"variants": {"c": result["variants"]["c"]}}) == []
    older = bench._settings_line({"params": bench.settings(), "search": "zero and neighbour starts"})[0]
    assert older.startswith("Our row ran with earlier defaults: where the null model without the constant won")


def _peer_chunk(first: int, mases: list, measured: str) -> dict:
    side = {"mase_per_series": mases, "smape_per_series": [10.0 * m for m in mases], "cpu_seconds": 40.0 * len(mases),
            "orders": ["(1,0,0)(0,1,1)"] * len(mases), "measured": measured, "commit": "abc1234"}
    return {"first": first, "series": len(mases), "sides": {"statsforecast": side}}


def test_the_peer_chunks_are_scored_on_the_series_they_cover_and_whole_once_all_are(bench):
    ours = {"mase_per_series": [1.0, 2.0, 3.0, 4.0], "smape_per_series": [10.0, 20.0, 30.0, 40.0],
            "orders": ["(1,0,0)(0,1,1)", "(2,0,0)(0,1,1)", "(1,0,0)(0,1,1)", "(1,0,0)(0,1,1)"],
            "cpu_seconds": 2.0, "measured": "2026-12-06 12:00 UTC", "commit": "abc1234",
            "smape": 25.0, "mase": 2.5, "owa": 0.5625, "seconds": 2.0, "load_average": 1.0}
    document = {"environment": ENV, "subsets": {"Hourly": {"4": {"naive2": {"smape": 40.0, "mase": 5.0},
                                                                  "sides": {"ours": ours}}}},
                "chunks": {"Hourly": {"2-4": _peer_chunk(2, [3.5, 4.5], "2026-12-06 13:00 UTC")}}}
    markdown = bench.render(document)
    # only series 3 and 4 are covered: ours is scored there, not on all four
    assert "on the 2 series covered: 3-4." in markdown
    assert "| tsforecast AutoARIMA | 2 | 35.000 | 3.5000 | 0.50 (of the whole run) |" in markdown
    assert "| statsforecast AutoARIMA | 2 | 40.000 | 4.0000 | 40.00 |" in markdown
    # the same gap on both series: no spread
    assert ("On these 2 of the 4 series, statsforecast's MASE less ours: +0.5000 ± 0.0000 (two standard errors of the "
            "paired difference).") in markdown
    assert "each a logged test run: 1 so far," in markdown
    # a chunk over the first two, and a later rerun of series 3-4 that replaces the earlier scores
    document["chunks"]["Hourly"].update({"0-2": _peer_chunk(0, [1.0, 1.0], "2026-12-06 14:00 UTC"),
                                         "3-4": _peer_chunk(3, [4.0], "2026-12-06 15:00 UTC")})
    markdown = bench.render(document)
    assert "on the 4 series covered: 1-4." in markdown and "| statsforecast AutoARIMA | 4 | 23.750 | 2.3750 |" in markdown
    assert "the same on 3 of 4 series" in markdown
    # the whole subset: OWA from the means, relative to the subset's Naive2 (ours 0.5 * (25/40 + 2.5/5), theirs 0.5 * (23.75/40 + 2.375/5))
    # paired differences 0, -1, 0.5, 0: mean -0.125, two standard errors 2 * 0.6292 / 2
    assert ("On all series, statsforecast's MASE less ours: -0.1250 ± 0.6292 (two standard errors of the paired "
            "difference); OWA 0.5625 ours, 0.5344 theirs.") in markdown
    assert "each a logged test run: 3 in all," in markdown


def test_ranges_name_one_based_spans(bench):
    assert bench._ranges([0, 1, 2, 5, 7, 8]) == "1-3, 6, 8-9"


def test_chunks_to_run_skip_the_series_stored_chunks_cover(bench, tmp_path, monkeypatch):
    out = tmp_path / "auto_arima"
    stored = {"chunks": {"Hourly": {"20-30": _peer_chunk(20, [1.0] * 10, "t"), "33-35": _peer_chunk(33, [1.0] * 2, "t"),
                                    "0-5": {"first": 0, "series": 5, "sides": {"ours": {"mase_per_series": [1.0] * 5}}}}}}
    out.with_suffix(".json").write_text(json.dumps(stored))
    monkeypatch.setattr(bench, "OUT", out)
    args = Namespace(subset="Hourly", sides=["statsforecast"], first=0, series=45, chunk=10)
    # ours' chunk 0-5 covers no statsforecast series; 20-29 and 33-34 are covered
    assert bench._uncovered_chunks(args) == [(0, 10), (10, 10), (30, 3), (35, 10)]
    args.first, args.series, args.chunk = 25, 20, 4
    assert bench._uncovered_chunks(args) == [(30, 3), (35, 4), (39, 4), (43, 2)]
