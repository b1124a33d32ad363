"""Backtests over many series, side by side with statsforecast.

The work (issue 11): a synthetic panel of N series x 300 integer steps with a daily
cycle; a 3-fold walk-forward backtest, horizon 24, step 24, of Naive,
SeasonalNaive(24) and SES. tsforecast runs ``backtest``, then ``summary()`` (the
scores per model) and builds the long forecasts table; statsforecast runs
``cross_validation`` with its Naive, SeasonalNaive(24) and
SimpleExponentialSmoothingOptimized (its forecasts table). Both times include
everything listed.

Each measurement runs in a fresh interpreter; memory is the highest RSS sampled
above the RSS just before the call (the data already built): for tsforecast during
``backtest`` + ``summary`` (the result holds its forecasts as arrays: the figure the
issue's 4x target is about) and, separately, including the long forecasts table
(one row per model, series, fold and step, built on first access). Runs alternate
between the two packages and the medians are reported.

statsforecast pins pandas < 3, so it runs from its own environment, ``.venv-bench``
(tsforecast, in this interpreter, runs on the project's pandas 3)::

    python -m venv .venv-bench && .venv-bench/bin/pip install -e ".[bench]"
    pip install psutil && python benchmarks/panel_scale.py           # N = 20,000 and 100,000
    python benchmarks/panel_scale.py --sizes 2000 --repeats 1

Writes ``reports/panel_scale.json`` and ``reports/panel_scale.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from _report import write_report  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
LENGTH, HORIZON, FOLDS, SEASON = 300, 24, 3, 24


def make_panel(n_series: int, seed: int = 0):
    """N series of LENGTH integer steps: level + daily cycle + noise, in long format."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    t = np.arange(LENGTH)
    level = rng.uniform(50, 150, size=(n_series, 1))
    amplitude = rng.uniform(5, 20, size=(n_series, 1))
    values = level + amplitude * np.sin(2 * np.pi * t / SEASON) + rng.normal(0, 3, size=(n_series, LENGTH))
    ids = np.char.add("s", np.arange(n_series).astype(str))
    return pd.DataFrame({"unique_id": np.repeat(ids, LENGTH), "ds": np.tile(t, n_series),
                         "y": values.ravel()})


def _rss_mb() -> float:
    import psutil

    return psutil.Process().memory_info().rss / 2**20


class _PeakSampler:
    """The highest RSS seen while the block runs (sampled every 5 ms in a thread)."""

    def __enter__(self):
        import threading

        self.peak, self._stop = _rss_mb(), threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def run_tsforecast(n_series: int) -> dict:
    import time
    import warnings

    import tsforecast as tsf
    from tsforecast import ExpandingWindowSplit
    from tsforecast.baselines import SES, Naive, SeasonalNaive

    data = make_panel(n_series)
    models = {"naive": Naive(), "snaive": SeasonalNaive(SEASON), "ses": SES()}
    baseline = _rss_mb()
    started = time.perf_counter()
    with warnings.catch_warnings(), _PeakSampler() as memory:
        warnings.simplefilter("ignore")
        result = tsf.backtest(models, data, cv=ExpandingWindowSplit(HORIZON, n_splits=FOLDS, step=HORIZON), progress=False,
                              season_length=SEASON)
        summary = result.summary()
    scored = time.perf_counter() - started
    with _PeakSampler() as with_table:
        table = result.forecasts
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "backtest_summary_seconds": scored, "table_seconds": seconds - scored,
            "rows": len(table), "baseline_mb": baseline, "peak_mb": memory.peak,
            "peak_with_table_mb": max(memory.peak, with_table.peak),
            "output_mb": table.memory_usage(deep=True).sum() / 2**20,
            "mase": summary["mase_mean"].round(4).to_dict()}


def run_statsforecast(n_series: int) -> dict:
    import time

    from statsforecast import StatsForecast
    from statsforecast.models import Naive, SeasonalNaive, SimpleExponentialSmoothingOptimized

    data = make_panel(n_series)
    baseline = _rss_mb()
    started = time.perf_counter()
    with _PeakSampler() as memory:
        sf = StatsForecast(models=[Naive(), SeasonalNaive(season_length=SEASON),
                                   SimpleExponentialSmoothingOptimized()], freq=1, n_jobs=1)
        table = sf.cross_validation(df=data, h=HORIZON, n_windows=FOLDS, step_size=HORIZON)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(table), "baseline_mb": baseline, "peak_mb": memory.peak,
            "output_mb": table.memory_usage(deep=True).sum() / 2**20}


def _warm_up(package: str) -> None:
    """Compile both packages' numba kernels once (cached on disk) before timing."""
    _measure(package, 200)


#: The interpreter each package runs in: tsforecast in this one, statsforecast in the
#: benchmark environment (it pins pandas < 3; tsforecast runs on pandas 3 here).
PYTHONS = {"tsforecast": sys.executable, "statsforecast": str(ROOT / ".venv-bench" / "bin" / "python")}


def _measure(package: str, n_series: int) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import panel_scale as b; "
            f"print(json.dumps(b.run_{package}({n_series})))")
    output = subprocess.run([PYTHONS[package], "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _versions() -> dict:
    from importlib.metadata import version

    out = {name: version(name) for name in ("tsforecast", "numpy", "pandas", "numba")}
    code = "from importlib.metadata import version as v; print(v('statsforecast'), v('pandas'))"
    peer = subprocess.run([PYTHONS["statsforecast"], "-c", code], check=True, capture_output=True, text=True)
    out["statsforecast"], out["pandas (statsforecast's environment)"] = peer.stdout.split()
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "panel_scale")
    args = parser.parse_args(argv)
    for package in ("tsforecast", "statsforecast"):
        _warm_up(package)
    rows = []
    for n in args.sizes:
        runs = {"tsforecast": [], "statsforecast": []}
        for _ in range(args.repeats):
            for package in runs:  # alternate, so a noisy spell hits both
                runs[package].append(_measure(package, n))
                print(f"N={n} {package}: {runs[package][-1]['seconds']:.2f} s", flush=True)
        ours, peer = runs["tsforecast"], runs["statsforecast"]
        t_ours = statistics.median(r["seconds"] for r in ours)
        t_peer = statistics.median(r["seconds"] for r in peer)
        panel_mb = n * LENGTH * 8 / 2**20
        above = statistics.median(r["peak_mb"] - r["baseline_mb"] for r in ours)
        rows.append({
            "n_series": n, "tsforecast_s": t_ours, "statsforecast_s": t_peer, "ratio": t_ours / t_peer,
            "us_per_series_model_fold": t_ours / (n * 3 * FOLDS) * 1e6,
            "tsforecast_peak_above_baseline_mb": above,
            "statsforecast_peak_above_baseline_mb": statistics.median(r["peak_mb"] - r["baseline_mb"] for r in peer),
            "panel_float64_mb": panel_mb, "peak_over_panel": above / panel_mb,
            "tsforecast_runs_s": [r["seconds"] for r in ours], "statsforecast_runs_s": [r["seconds"] for r in peer],
            "tsforecast_rows": ours[0]["rows"], "statsforecast_rows": peer[0]["rows"],
            "tsforecast_output_mb": ours[0]["output_mb"], "statsforecast_output_mb": peer[0]["output_mb"],
            "tsforecast_backtest_summary_s": statistics.median(r["backtest_summary_seconds"] for r in ours),
            "tsforecast_table_s": statistics.median(r["table_seconds"] for r in ours),
            "tsforecast_peak_with_table_mb": statistics.median(r["peak_with_table_mb"] - r["baseline_mb"] for r in ours),
            "tsforecast_mase": ours[0]["mase"],
        })
    document = {"work": {"length": LENGTH, "horizon": HORIZON, "folds": FOLDS, "step": HORIZON,
                         "models": ["Naive", "SeasonalNaive(24)", "SES"]},
                "rows": rows, "repeats": args.repeats, "machine": {"python": platform.python_version(),
                                                                   "processor": platform.processor()},
                "versions": _versions(), "command": "python benchmarks/panel_scale.py " + " ".join(argv or sys.argv[1:]),
                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "load": round(os.getloadavg()[0], 2)}
    write_report(args.out, document, render)
    return 0


def render(document: dict) -> str:
    """The Markdown report, every figure read from ``document``."""
    work = document["work"]
    lines = [
        "# Backtests over many series: tsforecast and statsforecast side by side",
        "",
        f"Generated by `{document['command'].strip()}` on {document['finished']} "
        f"(medians of {document['repeats']} alternating runs, each in a fresh interpreter).",
        "",
        f"Work: N series x {work['length']} integer steps with a daily cycle; {work['folds']}-fold walk-forward "
        f"backtest, horizon {work['horizon']}, step {work['step']}, models {', '.join(work['models'])}. "
        "tsforecast's time: `backtest`, `summary()` and the long forecasts table (split out in the second "
        "table); statsforecast's: `cross_validation` (its forecasts table).",
        "",
        "| N | tsforecast (s) | statsforecast (s) | ratio | µs per series, model and fold | "
        "peak RSS above baseline, backtest + summary (MB) | x panel float64 size | "
        "statsforecast peak above baseline (MB) | x panel |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in document["rows"]:
        lines.append(
            f"| {row['n_series']:,} | {row['tsforecast_s']:.2f} | {row['statsforecast_s']:.2f} | {row['ratio']:.2f} | "
            f"{row['us_per_series_model_fold']:.1f} | {row['tsforecast_peak_above_baseline_mb']:.0f} | "
            f"{row['peak_over_panel']:.1f} | {row['statsforecast_peak_above_baseline_mb']:.0f} | "
            f"{row['statsforecast_peak_above_baseline_mb'] / row['panel_float64_mb']:.1f} |")
    lines += [
        "",
        "The long forecasts table (one row per model, series, fold and step) is built from the result's "
        "arrays on first access; its cost, inside the times above:",
        "",
        "| N | backtest + summary (s) | forecasts table (s) | table rows | table size (MB) | "
        "peak RSS with the table (MB) | x panel | statsforecast's table (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in document["rows"]:
        lines.append(
            f"| {row['n_series']:,} | {row['tsforecast_backtest_summary_s']:.2f} | {row['tsforecast_table_s']:.2f} | "
            f"{row['tsforecast_rows']:,} | {row['tsforecast_output_mb']:.0f} | {row['tsforecast_peak_with_table_mb']:.0f} | "
            f"{row['tsforecast_peak_with_table_mb'] / row['panel_float64_mb']:.1f} | {row['statsforecast_output_mb']:.0f} |")
    lines += ["", f"Machine load (1-minute average) at the end of the run: {document.get('load', 'n/a')}."]
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in document["versions"].items()) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
