"""Benchmark: a backtest with a future-known covariate against the same without it.

On a synthetic hourly panel (``--series`` series x ``--steps`` steps, seed 0; the target
is an autoregressive walk plus twice a random covariate ``x`` known in advance), one run
backtests ``WindowForecaster(Ridge(), n_steps_in=48, n_steps_out=24)`` over 3 expanding
folds of 24 steps (``ExpandingWindowSplit(24, n_splits=3, step=24)``, ``n_jobs=1``):

* ``without``: the panel's target alone;
* ``with``: the same panel with ``x``, declared on the model only
  (``future_covariates=["x"]``), so the backtest reads it from the model.

The two variants alternate, ``--repeats`` times each, after one untimed warm-up of
each; the report gives each variant's wall time (median and all runs), their ratio
(issue 21's acceptance: the covariate within 2x), the MASE of both (the covariate
must help: a check the covariates arrive), and the load average around the runs.

Run: ``python benchmarks/covariate_backtest.py`` (about a minute on 2 shared cores);
``--render`` only rewrites ``reports/covariate_backtest.md`` from the JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "reports" / "covariate_backtest"


def make_panel(n_series: int, n_steps: int, seed: int = 0) -> pd.DataFrame:
    """A long panel: ``y = walk + 2 x``, ``x`` standard normal, hourly from 2024-01-01."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_series, n_steps))
    walk = np.cumsum(rng.normal(scale=0.5, size=(n_series, n_steps)), axis=1)
    stamps = pd.date_range("2024-01-01", periods=n_steps, freq="h")
    return pd.DataFrame({
        "unique_id": np.repeat([f"s{i}" for i in range(n_series)], n_steps),
        "ds": np.tile(stamps, n_series),
        "y": (walk + 2.0 * x).ravel(),
        "x": x.ravel(),
    })


class TimedRidge(Ridge):
    """``Ridge`` that adds the CPU seconds of its fits to ``TimedRidge.fit_seconds`` (the
    estimator's own share of a backtest, against the data path's)."""

    fit_seconds = [0.0]

    def fit(self, X, y, sample_weight=None):
        started = time.process_time()
        super().fit(X, y, sample_weight)
        TimedRidge.fit_seconds[0] += time.process_time() - started
        return self


def _run(variant: str, panel: pd.DataFrame):
    from tsforecast import WindowForecaster, backtest
    from tsforecast.splits import ExpandingWindowSplit

    covariates = ["x"] if variant == "with" else None
    model = WindowForecaster(TimedRidge(), n_steps_in=48, n_steps_out=24, future_covariates=covariates)
    TimedRidge.fit_seconds[0] = 0.0
    data = panel if variant == "with" else panel[["unique_id", "ds", "y"]]
    started, cpu_started = time.perf_counter(), time.process_time()
    result = backtest({"ridge": model}, data, cv=ExpandingWindowSplit(24, n_splits=3, step=24), season_length=24,
                      progress=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if len(result.errors):
        raise RuntimeError(f"{variant}: {result.errors.iloc[0].to_dict()}")
    return seconds, cpu, TimedRidge.fit_seconds[0], float(result.summary().loc["ridge", "mase_mean"])


def run(args) -> dict:
    # One BLAS thread: on shared cores a threaded BLAS measures the load, not the code.
    with threadpool_limits(limits=1, user_api="blas"):
        return _timed_runs(args)


def _timed_runs(args) -> dict:
    panel = make_panel(args.series, args.steps)
    variants = ("without", "with")
    for variant in variants:  # warm-up: imports, numba, first-call caches
        _run(variant, panel)
    load_before = os.getloadavg()
    seconds, cpu, ridge = {v: [] for v in variants}, {v: [] for v in variants}, {v: [] for v in variants}
    mase = {}
    for _ in range(args.repeats):
        for variant in variants:
            elapsed, used, fitting, mase[variant] = _run(variant, panel)
            seconds[variant].append(round(elapsed, 3))
            cpu[variant].append(round(used, 3))
            ridge[variant].append(round(fitting, 3))
    load_after = os.getloadavg()
    medians = {v: round(statistics.median(seconds[v]), 3) for v in variants}
    cpu_medians = {v: round(statistics.median(cpu[v]), 3) for v in variants}
    rest = {v: round(statistics.median(np.subtract(cpu[v], ridge[v])), 3) for v in variants}
    return {
        "benchmark": "covariate_backtest",
        "setup": {"series": args.series, "steps": args.steps, "freq": "h", "seed": 0,
                  "model": "WindowForecaster(Ridge(), n_steps_in=48, n_steps_out=24)",
                  "cv": "ExpandingWindowSplit(24, n_splits=3, step=24)", "n_jobs": 1, "repeats": args.repeats,
                  "covariate": "x, future-known, declared on the model only", "blas_threads": 1},
        "results": {v: {"seconds": seconds[v], "median_seconds": medians[v], "cpu_seconds": cpu[v],
                        "median_cpu_seconds": cpu_medians[v], "ridge_fit_seconds": ridge[v],
                        "median_cpu_seconds_besides_ridge_fit": rest[v], "mase": round(mase[v], 4)} for v in variants},
        "ratio_with_to_without": round(medians["with"] / medians["without"], 2),
        "cpu_ratio_with_to_without": round(cpu_medians["with"] / cpu_medians["without"], 2),
        "ratio_besides_ridge_fit": round(rest["with"] / rest["without"], 2),
        "environment": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
                        "cpu_count": os.cpu_count(), "platform": platform.platform(),
                        "load_average_1min": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)}},
        "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": "python benchmarks/covariate_backtest.py" + ("" if args.series == 2000 and args.steps == 300
                                                                 else f" --series {args.series} --steps {args.steps}"),
    }


def render(document: dict) -> str:
    s, r, env = document["setup"], document["results"], document["environment"]
    lines = [
        "# Backtest with a future-known covariate against the same without it",
        "",
        "Generated by `benchmarks/covariate_backtest.py` from `reports/covariate_backtest.json` (do not edit by "
        "hand).",
        "",
        f"Data: {s['series']:,} synthetic hourly series x {s['steps']} steps (seed {s['seed']}; target = random "
        f"walk + 2 x). Model: `{s['model']}`, backtested over `{s['cv']}`, n_jobs={s['n_jobs']}. "
        f"`with`: the covariate {s['covariate']}. Each variant run {s['repeats']} times, alternating, after an "
        "untimed warm-up.",
        "",
        "| variant | median wall s | runs (wall s) | median CPU s | runs (CPU s) | of which Ridge.fit (CPU s) "
        "| median CPU s besides Ridge.fit | MASE |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("without", "with"):
        v = r[name]
        lines.append(f"| {name} covariate | {v['median_seconds']} | {', '.join(map(str, v['seconds']))} | "
                     f"{v['median_cpu_seconds']} | {', '.join(map(str, v['cpu_seconds']))} | "
                     f"{', '.join(map(str, v['ridge_fit_seconds']))} | {v['median_cpu_seconds_besides_ridge_fit']} | "
                     f"{v['mase']} |")
    load = env["load_average_1min"]
    lines += [
        "",
        f"With the covariate the backtest takes {document['ratio_with_to_without']}x the wall time without it and "
        f"{document['cpu_ratio_with_to_without']}x the CPU time (issue 21's acceptance: within 2x); besides the "
        f"Ridge fits, which solve for {48 * 2 + 24} instead of 48 features, {document['ratio_besides_ridge_fit']}x "
        "the CPU time. CPU time (of this one process: BLAS on one thread, n_jobs=1) is the steadier measure on "
        "shared cores, where wall time also counts the other jobs' turns.",
        "",
        f"Measured {document['measured']} on {env['cpu_count']} CPU cores shared with other jobs (1-minute load "
        f"average {load['before']} before, {load['after']} after); Python {env['python']}, numpy {env['numpy']}, "
        f"pandas {env['pandas']}, BLAS pinned to {s['blas_threads']} thread. Rerun: `{document['command']}`.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=2000)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT, help="path of the report, without extension")
    parser.add_argument("--render", action="store_true", help="only rewrite the Markdown from the JSON")
    args = parser.parse_args(argv)
    json_path, md_path = args.out.with_suffix(".json"), args.out.with_suffix(".md")
    if args.render:
        document = json.loads(json_path.read_text())
    else:
        document = run(args)
        json_path.write_text(json.dumps(document, indent=2) + "\n")
    md_path.write_text(render(document))
    print(render(document))
    return 0


if __name__ == "__main__":
    sys.exit(main())
