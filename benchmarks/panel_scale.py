"""Backtests over many series, side by side with statsforecast.

The work (issue 11): a synthetic panel of N series x 300 integer steps with a daily
cycle; a 3-fold walk-forward backtest, horizon 24, step 24, of Naive,
SeasonalNaive(24) and SES. tsforecast runs ``backtest`` (forecasts, the forecasts
table and the metrics table); statsforecast runs ``cross_validation`` with its Naive,
SeasonalNaive(24) and SimpleExponentialSmoothingOptimized (forecasts table only).

Each measurement runs in a fresh interpreter, so its peak RSS is its own: the
baseline is the RSS after imports, before the data are built. Runs alternate between
the two packages and the medians are reported.

Run it in the benchmark environment (statsforecast pins pandas < 3)::

    python -m venv .venv-bench && .venv-bench/bin/pip install -e ".[bench]"
    .venv-bench/bin/python benchmarks/panel_scale.py                 # N = 20,000 and 100,000
    .venv-bench/bin/python benchmarks/panel_scale.py --sizes 2000 --repeats 1

Writes ``reports/panel_scale.json`` and ``reports/panel_scale.md``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

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


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def run_tsforecast(n_series: int) -> dict:
    import time
    import warnings

    import tsforecast as tsf
    from tsforecast.baselines import SES, Naive, SeasonalNaive

    baseline = _rss_mb()
    data = make_panel(n_series)
    models = {"naive": Naive(), "snaive": SeasonalNaive(SEASON), "ses": SES()}
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsf.backtest(models, data, horizon=HORIZON, n_folds=FOLDS, step=HORIZON, progress=False,
                              season_length=SEASON)
    seconds = time.perf_counter() - started
    scores = result.summary()["mase"].to_dict() if "mase" in result.summary() else {}
    return {"seconds": seconds, "rows": len(result.forecasts), "baseline_mb": baseline,
            "peak_mb": _peak_mb(), "mase": scores}


def run_statsforecast(n_series: int) -> dict:
    import time

    from statsforecast import StatsForecast
    from statsforecast.models import Naive, SeasonalNaive, SimpleExponentialSmoothingOptimized

    baseline = _rss_mb()
    data = make_panel(n_series)
    started = time.perf_counter()
    sf = StatsForecast(models=[Naive(), SeasonalNaive(season_length=SEASON), SimpleExponentialSmoothingOptimized()],
                       freq=1, n_jobs=1)
    table = sf.cross_validation(df=data, h=HORIZON, n_windows=FOLDS, step_size=HORIZON)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "rows": len(table), "baseline_mb": baseline, "peak_mb": _peak_mb()}


def _warm_up(package: str) -> None:
    """Compile both packages' numba kernels once (cached on disk) before timing."""
    _measure(package, 200)


def _measure(package: str, n_series: int) -> dict:
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import panel_scale as b; "
            f"print(json.dumps(b.run_{package}({n_series})))")
    output = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True, cwd=ROOT)
    return json.loads(output.stdout.strip().splitlines()[-1])


def _versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("tsforecast", "statsforecast", "numpy", "pandas", "numba")}


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
            "tsforecast_mase": ours[0]["mase"],
        })
    document = {"work": {"length": LENGTH, "horizon": HORIZON, "folds": FOLDS, "step": HORIZON,
                         "models": ["Naive", "SeasonalNaive(24)", "SES"]},
                "rows": rows, "repeats": args.repeats, "machine": {"python": platform.python_version(),
                                                                   "processor": platform.processor()},
                "versions": _versions(), "command": "python benchmarks/panel_scale.py " + " ".join(argv or sys.argv[1:]),
                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n")
    args.out.with_suffix(".md").write_text(render(document))
    print(render(document))
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
        "tsforecast's time includes its forecasts and metrics tables; statsforecast's its forecasts table.",
        "",
        "| N | tsforecast (s) | statsforecast (s) | ratio | µs per series, model and fold | "
        "peak RSS above baseline (MB) | x panel float64 size | statsforecast peak above baseline (MB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in document["rows"]:
        lines.append(
            f"| {row['n_series']:,} | {row['tsforecast_s']:.2f} | {row['statsforecast_s']:.2f} | {row['ratio']:.2f} | "
            f"{row['us_per_series_model_fold']:.1f} | {row['tsforecast_peak_above_baseline_mb']:.0f} | "
            f"{row['peak_over_panel']:.1f} | {row['statsforecast_peak_above_baseline_mb']:.0f} |")
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in document["versions"].items()) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
