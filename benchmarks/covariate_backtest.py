"""Benchmark: a backtest with a future-known covariate against the same without it.

On a synthetic hourly panel (``--series`` series x ``--steps`` steps, seed 0; the target
is a random walk plus twice a random covariate ``x`` known in advance), one run
backtests ``WindowForecaster(Ridge(), n_steps_in=48, n_steps_out=24)`` over 3 expanding
folds of 24 steps (``ExpandingWindowSplit(24, n_splits=3, step=24)``, ``n_jobs=1``):

* ``without``: the panel's target alone;
* ``with``: the same panel with ``x``, declared on the model only
  (``future_covariates=["x"]``), so the backtest reads it from the model; at the default
  ``covariate_steps_in="auto"`` each row holds the last past value of ``x`` besides its 24
  forecast-step values;
* ``with_all_steps`` / ``with_steps_0``: the same with ``covariate_steps_in=None`` / ``0``:
  a row holds all 48 past steps of ``x`` (the layout before the option existed) / none.

The variants alternate, ``--repeats`` times each, after one untimed warm-up of each;
the report gives each variant's CPU and wall time (median and all runs), their ratio
to ``without`` (issue 21's acceptance: the covariate within 2x), the MASE of each (the
covariate must still help), and the load average around the runs.

It also splits each run's CPU time into the Ridge fits, the building of the training
features (``training_windows``: windows cut and flattened into the estimator's
matrix) and the rest, and compares the Ridge fits with all 48 past steps of ``x`` (120
features a window: 48 lags of y, 48 past and 24 future values of x) with twice the
whole run without it: when they alone exceed it, no data path makes the 2x target
reachable with these features.

Run: ``python benchmarks/covariate_backtest.py`` (two to three minutes on 2 shared cores);
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


#: CPU seconds of the training feature build (``training_windows``) in the current run.
FEATURE_SECONDS = [0.0]


def _timed_feature_build():
    """Make the forecaster's ``training_windows`` add its CPU seconds to :data:`FEATURE_SECONDS`
    (instrumentation of this benchmark only; the function itself is unchanged)."""
    from tsforecast.forecasters import window as forecaster

    build = getattr(forecaster.training_windows, "__wrapped__", forecaster.training_windows)

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return build(*args, **kwargs)
        finally:
            FEATURE_SECONDS[0] += time.process_time() - started

    timed.__wrapped__ = build
    forecaster.training_windows = timed


#: The variants, in the order they alternate: (the covariate given?, covariate_steps_in).
VARIANTS = {"without": (False, "auto"), "with": (True, "auto"), "with_all_steps": (True, None),
            "with_steps_0": (True, 0)}
LABELS = {"without": "without covariate", "with": "with covariate (default covariate_steps_in='auto': 1 past step)",
          "with_all_steps": "with covariate, covariate_steps_in=None (all 48 past steps)",
          "with_steps_0": "with covariate, covariate_steps_in=0"}
#: Features a window's row has: 48 lags of y, the kept past steps of x, 24 future values of x.
FEATURES = {"without": 48, "with": 48 + 1 + 24, "with_all_steps": 48 + 48 + 24, "with_steps_0": 48 + 24}


def _run(variant: str, panel: pd.DataFrame):
    from tsforecast import WindowForecaster, backtest
    from tsforecast.core.splits import ExpandingWindowSplit

    _timed_feature_build()
    given, steps = VARIANTS[variant]
    model = WindowForecaster(TimedRidge(), n_steps_in=48, n_steps_out=24, future_covariates=["x"] if given else None,
                             covariate_steps_in=steps)
    TimedRidge.fit_seconds[0] = FEATURE_SECONDS[0] = 0.0
    data = panel if given else panel[["unique_id", "ds", "y"]]
    started, cpu_started = time.perf_counter(), time.process_time()
    result = backtest({"ridge": model}, data, cv=ExpandingWindowSplit(24, n_splits=3, step=24), season_length=24,
                      progress=False)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    if len(result.errors):
        raise RuntimeError(f"{variant}: {result.errors.iloc[0].to_dict()}")
    # Ridge.fit is not called inside training_windows: the two shares do not overlap.
    return (seconds, cpu, TimedRidge.fit_seconds[0], FEATURE_SECONDS[0],
            float(result.summary().loc["ridge", "mase_mean"]))


def run(args) -> dict:
    # One BLAS thread: on shared cores a threaded BLAS measures the load, not the code.
    with threadpool_limits(limits=1, user_api="blas"):
        return _timed_runs(args)


def _median(values) -> float:
    return round(statistics.median(values), 3)


def _timed_runs(args) -> dict:
    panel = make_panel(args.series, args.steps)
    for variant in VARIANTS:  # warm-up: imports, numba, first-call caches
        _run(variant, panel)
    load_before = os.getloadavg()
    seconds, cpu, ridge, build = ({v: [] for v in VARIANTS} for _ in range(4))
    mase = {}
    for _ in range(args.repeats):
        for variant in VARIANTS:
            elapsed, used, fitting, building, mase[variant] = _run(variant, panel)
            seconds[variant].append(round(elapsed, 3))
            cpu[variant].append(round(used, 3))
            ridge[variant].append(round(fitting, 3))
            build[variant].append(round(building, 3))
    load_after = os.getloadavg()
    results = {}
    for v in VARIANTS:
        besides = np.subtract(cpu[v], ridge[v])
        results[v] = {
            "covariate_steps_in": VARIANTS[v][1], "features": FEATURES[v],
            "seconds": seconds[v], "median_seconds": _median(seconds[v]), "cpu_seconds": cpu[v],
            "median_cpu_seconds": _median(cpu[v]), "ridge_fit_seconds": ridge[v],
            "median_cpu_seconds_besides_ridge_fit": _median(besides), "feature_build_seconds": build[v],
            "median_cpu_parts": {"ridge_fit": _median(ridge[v]), "feature_build": _median(build[v]),
                                 "rest": _median(np.subtract(besides, build[v]))},
            "mase": round(mase[v], 4)}
    base = results["without"]
    for v in VARIANTS:
        r = results[v]
        r["ratio_to_without"] = round(r["median_seconds"] / base["median_seconds"], 2)
        r["cpu_ratio_to_without"] = round(r["median_cpu_seconds"] / base["median_cpu_seconds"], 2)
        r["ratio_besides_ridge_fit"] = round(r["median_cpu_seconds_besides_ridge_fit"]
                                             / base["median_cpu_seconds_besides_ridge_fit"], 2)
        # The Ridge fits against the whole run without the covariate: above 2, no data path
        # makes the 2x target reachable with these features and this estimator.
        r["ridge_fit_to_cpu_without"] = round(r["median_cpu_parts"]["ridge_fit"] / base["median_cpu_seconds"], 2)
    return {
        "benchmark": "covariate_backtest",
        "setup": {"series": args.series, "steps": args.steps, "freq": "h", "seed": 0,
                  "model": "WindowForecaster(Ridge(), n_steps_in=48, n_steps_out=24)",
                  "cv": "ExpandingWindowSplit(24, n_splits=3, step=24)", "n_jobs": 1, "repeats": args.repeats,
                  "covariate": "x, future-known, declared on the model only", "blas_threads": 1},
        "results": results,
        "environment": {"python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
                        "cpu_count": os.cpu_count(), "platform": platform.platform(),
                        "load_average_1min": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)}},
        "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": "python benchmarks/covariate_backtest.py" + ("" if args.series == 2000 and args.steps == 300
                                                                 else f" --series {args.series} --steps {args.steps}")
                   + ("" if args.repeats == 3 else f" --repeats {args.repeats}"),
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
        f"`with`: the covariate {s['covariate']}; `covariate_steps_in` sets how many of the 48 input steps of x "
        f"a row keeps (besides its 24 forecast-step values). The variants alternate, {s['repeats']} runs each, "
        "after an untimed warm-up of each.",
        "",
        "| variant | features a row | median CPU s | CPU ratio to without | median wall s | wall ratio "
        "| of which Ridge.fit (CPU s) | CPU s besides Ridge.fit (ratio) | MASE |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, v in r.items():
        lines.append(f"| {LABELS[name]} | {v['features']} | {v['median_cpu_seconds']} | {v['cpu_ratio_to_without']} "
                     f"| {v['median_seconds']} | {v['ratio_to_without']} | {v['median_cpu_parts']['ridge_fit']} | "
                     f"{v['median_cpu_seconds_besides_ridge_fit']} ({v['ratio_besides_ridge_fit']}) | {v['mase']} |")
    lines += ["", "Each run (CPU s, then wall s):", "", "| variant | CPU s | wall s |", "|---|---|---|"]
    for name, v in r.items():
        lines.append(f"| {LABELS[name]} | {', '.join(map(str, v['cpu_seconds']))} | "
                     f"{', '.join(map(str, v['seconds']))} |")
    lines += ["", "Where the CPU time goes (medians of the runs, CPU s):", "",
              "| variant | Ridge.fit | feature build (training_windows) | rest | total |", "|---|---|---|---|---|"]
    for name, v in r.items():
        p = v["median_cpu_parts"]
        lines.append(f"| {LABELS[name]} | {p['ridge_fit']} | {p['feature_build']} | {p['rest']} | "
                     f"{v['median_cpu_seconds']} |")
    full, lean = r["with_all_steps"], r["with"]
    share = full["ridge_fit_to_cpu_without"]
    room = round(2 * r["without"]["median_cpu_seconds"] - full["median_cpu_parts"]["ridge_fit"], 3)
    verdict = ("above 2, so with every past step of x the 2x target is out of reach with this estimator, whatever "
               "the data path costs" if share > 2 else
               f"below 2, so within 2x the rest of that run would have to take at most {room} CPU s: it takes "
               f"{full['median_cpu_seconds_besides_ridge_fit']} s, and {r['without']['median_cpu_seconds_besides_ridge_fit']}"
               " s without the covariate")
    lines += [
        "",
        f"With all 48 past steps of x, the Ridge fits alone take {share}x the CPU time of the whole run without the "
        f"covariate ({full['features']} features instead of 48; the normal equations grow with their square): "
        f"{verdict}. At the default (`covariate_steps_in='auto'`: the last past value of x) the backtest takes "
        f"{lean['cpu_ratio_to_without']}x the CPU time without the covariate ({lean['ratio_to_without']}x the wall "
        f"time; issue 21's acceptance: within 2x) at MASE {lean['mase']}, against {full['mase']} with all 48 steps "
        f"and {r['without']['mase']} without x: the last past value of x is what "
        "recovers the walk's level (y - 2 x at the origin); with `covariate_steps_in=0` "
        f"(MASE {r['with_steps_0']['mase']}) the level is read from y's lags alone, through the noise of 2 x.",
        "",
        "CPU time (of this one process: BLAS on one thread, n_jobs=1) is the steadier measure on shared cores, "
        "where wall time also counts the other jobs' turns.",
    ]
    load = env["load_average_1min"]
    lines += [
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
