"""Backtests over many series, side by side with statsforecast.

The work (issue 11): a synthetic panel of N series x 300 integer steps with a daily
cycle; a 3-fold walk-forward backtest, horizon 24, step 24, of Naive,
SeasonalNaive(24) and SES. tsforecast runs ``backtest``, then ``summary()`` (the
scores per model) and builds the long forecasts table; statsforecast runs
``cross_validation`` with its Naive, SeasonalNaive(24) and
SimpleExponentialSmoothingOptimized (its forecasts table). Both times include
everything listed.

The ids are zero-padded (``s00000`` ...), so the panel is sorted by id as well as by
time: neither package pays for sorting strings. Each measurement runs in a fresh
interpreter. Times and memory come from separate runs: a timed run does nothing but the
work; a memory run samples RSS every 5 ms in a thread and reports the highest value
above the RSS just before the call (the data already built): for tsforecast during
``backtest`` + ``summary`` (the result holds its forecasts as arrays) and, separately,
including the long forecasts table (one row per model, series, fold and step, built on
first access). Timed runs alternate between the two packages and the medians are
reported; the load average is recorded before and after each.

statsforecast pins pandas < 3. By default both packages run in the interpreter that
runs this script, so run it from an environment that has statsforecast (both then use
the same pandas); ``--peer-python`` runs statsforecast in another one. The report
records each package's interpreter, Python, numpy, pandas and numba, and the CPU::

    /work/venv-bench/bin/python benchmarks/panel_scale.py                     # N = 20,000 and 100,000
    /work/venv-bench/bin/python benchmarks/panel_scale.py --sizes 2000 --repeats 1
    /work/venv-bench/bin/python benchmarks/panel_scale.py --sizes 20000 --before /tmp/before
    python benchmarks/panel_scale.py --render   # reports/panel_scale.md again from the JSON

``--before DIR`` times a third contender in the same alternation: tsforecast as checked
out in ``DIR`` (an earlier commit, ``git worktree add DIR <commit>``), so a change is
measured against the code before it side by side, on the same load.

Writes ``reports/panel_scale.json`` and ``reports/panel_scale.md``; a run replaces the
rows of the sizes it ran and keeps the others, each row with its own date, command and
commit.
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

from _report import update_report  # benchmarks/ is on sys.path when a script runs

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
    # zero-padded: string order is numeric order, so the long frame is sorted by id and time
    ids = np.char.add("s", np.char.zfill(np.arange(n_series).astype(str), len(str(n_series - 1))))
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


class _NoSampler:
    """Stands in for :class:`_PeakSampler` in timed runs: no thread, no reading."""

    peak = float("nan")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        pass


def _memory(measure: bool):
    return _PeakSampler() if measure else _NoSampler()


def run_tsforecast(n_series: int, memory_run: bool = False) -> dict:
    import time
    import warnings

    import tsforecast as tsf
    from tsforecast import ExpandingWindowSplit
    from tsforecast.baselines import SES, Naive, SeasonalNaive

    data = make_panel(n_series)
    models = {"naive": Naive(), "snaive": SeasonalNaive(SEASON), "ses": SES()}
    baseline = _rss_mb() if memory_run else float("nan")
    started, cpu_started = time.perf_counter(), time.process_time()
    with warnings.catch_warnings(), _memory(memory_run) as memory:
        warnings.simplefilter("ignore")
        result = tsf.backtest(models, data, cv=ExpandingWindowSplit(HORIZON, n_splits=FOLDS, step=HORIZON), progress=False,
                              season_length=SEASON)
        summary = result.summary()
    scored = time.perf_counter() - started
    with _memory(memory_run) as with_table:
        table = result.forecasts
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"seconds": seconds, "cpu_seconds": cpu, "backtest_summary_seconds": scored, "table_seconds": seconds - scored,
            "rows": len(table), "baseline_mb": baseline, "peak_mb": memory.peak,
            "peak_with_table_mb": max(memory.peak, with_table.peak),
            "output_mb": table.memory_usage(deep=True).sum() / 2**20,
            "mase": summary["mase_mean"].round(4).to_dict(), "imported_from": tsf.__file__}


def run_statsforecast(n_series: int, memory_run: bool = False) -> dict:
    import time

    from statsforecast import StatsForecast
    from statsforecast.models import Naive, SeasonalNaive, SimpleExponentialSmoothingOptimized

    data = make_panel(n_series)
    baseline = _rss_mb() if memory_run else float("nan")
    started, cpu_started = time.perf_counter(), time.process_time()
    with _memory(memory_run) as memory:
        sf = StatsForecast(models=[Naive(), SeasonalNaive(season_length=SEASON),
                                   SimpleExponentialSmoothingOptimized()], freq=1, n_jobs=1)
        table = sf.cross_validation(df=data, h=HORIZON, n_windows=FOLDS, step_size=HORIZON)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": len(table), "baseline_mb": baseline, "peak_mb": memory.peak,
            "output_mb": table.memory_usage(deep=True).sum() / 2**20}


def _warm_up(package: str) -> None:
    """Compile both packages' numba kernels once (cached on disk) before timing."""
    _measure(package, 200)


#: The interpreter each package runs in (``--python`` / ``--peer-python`` change them).
PYTHONS = {"tsforecast": sys.executable, "statsforecast": sys.executable}
#: Where each contender's code is imported from (``--before`` adds an earlier checkout).
SOURCES = {"tsforecast": ROOT, "statsforecast": ROOT}
BEFORE = "tsforecast_before"


def _library(package: str) -> str:
    """The package a contender imports (the earlier checkout is tsforecast too)."""
    return "tsforecast" if package == BEFORE else package


def _environ(package: str) -> dict:
    """The environment of a contender's interpreter: its own checkout first on the path."""
    return {**os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SOURCES[package]), os.environ.get("PYTHONPATH")]))}


def _measure(package: str, n_series: int, memory_run: bool = False) -> dict:
    runner = _library(package)
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import panel_scale as b; "
            f"print(json.dumps(b.run_{runner}({n_series}, {memory_run})))")
    source = str(SOURCES[package])
    env = _environ(package)
    load = os.getloadavg()[0]
    output = subprocess.run([PYTHONS[package], "-c", code], check=True, capture_output=True, text=True, cwd=source,
                            env=env)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    if not result.get("imported_from", source).startswith(source):  # a contender must run its own checkout
        raise RuntimeError(f"{package} imported {result['imported_from']}, not from {source}")
    return {**result, "load_before": load, "load_after": os.getloadavg()[0]}


def _environment(package: str) -> dict:
    """The interpreter ``package`` runs in and the versions it sees there."""
    name = _library(package)
    code = ("import json, platform, sys; from importlib.metadata import version as v; "
            f"print(json.dumps({{'interpreter': sys.executable, 'python': platform.python_version(), "
            f"'imported_from': __import__('{name}').__file__, "
            f"**{{n: v(n) for n in ('{name}', 'numpy', 'pandas', 'numba')}}}}))")
    env = _environ(package)
    out = subprocess.run([PYTHONS[package], "-c", code], check=True, capture_output=True, text=True, env=env,
                         cwd=SOURCES[package])  # `python -c` looks in its working folder first
    return json.loads(out.stdout)


def _cpu_model() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or "unknown"
    return next((line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")), "unknown")


def _row(n: int, timed: dict, memory: dict) -> dict:
    """One size's figures: medians of the timed runs, memory from the memory runs."""
    ours, peer = timed["tsforecast"], timed["statsforecast"]
    t_ours = statistics.median(r["seconds"] for r in ours)
    t_peer = statistics.median(r["seconds"] for r in peer)
    panel_mb = n * LENGTH * 8 / 2**20
    m_ours, m_peer = memory["tsforecast"], memory["statsforecast"]
    above = m_ours["peak_mb"] - m_ours["baseline_mb"]
    return {
        "n_series": n, "tsforecast_s": t_ours, "statsforecast_s": t_peer, "ratio": t_ours / t_peer,
        "us_per_series_model_fold": t_ours / (n * 3 * FOLDS) * 1e6,
        "tsforecast_peak_above_baseline_mb": above,
        "statsforecast_peak_above_baseline_mb": m_peer["peak_mb"] - m_peer["baseline_mb"],
        "panel_float64_mb": panel_mb, "peak_over_panel": above / panel_mb,
        "tsforecast_runs_s": [r["seconds"] for r in ours], "statsforecast_runs_s": [r["seconds"] for r in peer],
        "loads": [[r["load_before"], r["load_after"]] for pair in zip(ours, peer) for r in pair],
        "tsforecast_rows": ours[0]["rows"], "statsforecast_rows": peer[0]["rows"],
        "tsforecast_output_mb": ours[0]["output_mb"], "statsforecast_output_mb": peer[0]["output_mb"],
        "tsforecast_backtest_summary_s": statistics.median(r["backtest_summary_seconds"] for r in ours),
        "tsforecast_table_s": statistics.median(r["table_seconds"] for r in ours),
        "tsforecast_peak_with_table_mb": m_ours["peak_with_table_mb"] - m_ours["baseline_mb"],
        "tsforecast_mase": ours[0]["mase"],
        **_cpu_figures(timed),
        **_before_figures(timed, t_ours),
    }


def _cpu_figures(timed: dict) -> dict:
    """Median CPU seconds of each contender (steadier than wall time on shared cores)."""
    if any("cpu_seconds" not in r for runs in timed.values() for r in runs):
        return {}
    cpu = {package: statistics.median(r["cpu_seconds"] for r in runs) for package, runs in timed.items()}
    figures = {"tsforecast_cpu_s": cpu["tsforecast"], "statsforecast_cpu_s": cpu["statsforecast"],
               "cpu_ratio": cpu["tsforecast"] / cpu["statsforecast"]}
    if BEFORE in cpu:
        figures.update(before_cpu_s=cpu[BEFORE], cpu_ratio_to_before=cpu["tsforecast"] / cpu[BEFORE])
    return figures


def _before_figures(timed: dict, t_ours: float) -> dict:
    """The earlier checkout's times and today's time over its median, when it ran."""
    if BEFORE not in timed:
        return {}
    t_before = statistics.median(r["seconds"] for r in timed[BEFORE])
    # Both checkouts backtest the same models on the same panel: their scores must agree.
    return {"before_s": t_before, "ratio_to_before": t_ours / t_before,
            "before_runs_s": [r["seconds"] for r in timed[BEFORE]],
            "before_mase_equal": timed[BEFORE][0]["mase"] == timed["tsforecast"][0]["mase"]}


def _commit(path: Path) -> str:
    """The commit checked out at ``path`` (with ``+changes`` when its tree differs from it)."""
    def git(*args):
        return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True).stdout.strip()

    return git("rev-parse", "--short", "HEAD") + ("+changes" if git("status", "--porcelain", "--untracked-files=no")
                                                  else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "panel_scale")
    parser.add_argument("--python", default=sys.executable, help="interpreter of tsforecast's runs")
    parser.add_argument("--peer-python", default=sys.executable, help="interpreter of statsforecast's runs")
    parser.add_argument("--before", type=Path, default=None,
                        help="a checkout of an earlier commit whose tsforecast is timed beside today's")
    parser.add_argument("--render", action="store_true", help="only rewrite the Markdown from the JSON")
    args = parser.parse_args(argv)
    if args.render:
        args.out.with_suffix(".md").write_text(render(json.loads(args.out.with_suffix(".json").read_text())))
        return 0
    PYTHONS.update(tsforecast=args.python, statsforecast=args.peer_python)
    if args.before is not None:
        PYTHONS[BEFORE], SOURCES[BEFORE] = args.python, args.before.resolve()
    for package in PYTHONS:
        _warm_up(package)
    command = "python benchmarks/panel_scale.py " + " ".join(argv or sys.argv[1:])
    rows = []
    for n in args.sizes:
        timed = {package: [] for package in PYTHONS}
        for _ in range(args.repeats):
            for package in timed:  # alternate, so a noisy spell hits each
                timed[package].append(_measure(package, n))
                print(f"N={n} {package}: {timed[package][-1]['seconds']:.2f} s", flush=True)
        memory = {package: _measure(package, n, memory_run=True) for package in ("tsforecast", "statsforecast")}
        rows.append({**_row(n, timed, memory), "repeats": args.repeats, "command": command, "commit": _commit(ROOT),
                     "before_commit": _commit(args.before) if args.before is not None else None,
                     "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")})
    run = {"work": {"length": LENGTH, "horizon": HORIZON, "folds": FOLDS, "step": HORIZON,
                    "models": ["Naive", "SeasonalNaive(24)", "SES"], "ids": "zero-padded, sorted"},
           "repeats": args.repeats,
           "machine": {"cpu": _cpu_model(), "cpus": os.cpu_count(),
                       "cpus_allowed": sorted(os.sched_getaffinity(0))},  # taskset pinning, if any
           "environments": {package: _environment(package) for package in PYTHONS},
           "command": command, "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"),
           "load": round(os.getloadavg()[0], 2)}

    def merge(document: dict) -> None:
        # A run replaces the rows of its sizes and keeps the others (each row says when it ran).
        kept = [{"command": document.get("command"), "finished": document.get("finished"),
                 "repeats": document.get("repeats"), **row}  # rows written before rows said so themselves
                for row in document.get("rows", []) if row["n_series"] not in args.sizes]
        document.update(run, rows=sorted(kept + rows, key=lambda row: row["n_series"]))

    update_report(args.out, merge, render)
    return 0


def render(document: dict) -> str:
    """The Markdown report, every figure read from ``document``."""
    work = document["work"]
    lines = [
        "# Backtests over many series: tsforecast and statsforecast side by side",
        "",
        "Generated by `python benchmarks/panel_scale.py` (each row by the run named under *Runs* below; "
        "times: medians of the alternating runs, each in a fresh interpreter, with no memory "
        "sampling; memory: one further run of each package that samples RSS every 5 ms).",
        "",
        f"Work: N series x {work['length']} integer steps with a daily cycle; {work['folds']}-fold walk-forward "
        f"backtest, horizon {work['horizon']}, step {work['step']}, models {', '.join(work['models'])}; ids "
        f"{work['ids']}. "
        "tsforecast's time: `backtest`, `summary()` and the long forecasts table (split out in the second "
        "table); statsforecast's: `cross_validation` (its forecasts table).",
        "",
        "| N | tsforecast (s) | statsforecast (s) | ratio | tsforecast before (s) | today / before | "
        "µs per series, model and fold | "
        "peak RSS above baseline, backtest + summary (MB) | x panel float64 size | "
        "statsforecast peak above baseline (MB) | x panel |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in document["rows"]:
        before = (f"{row['before_s']:.2f} | {row['ratio_to_before']:.2f}" if "before_s" in row else " | ")
        lines.append(
            f"| {row['n_series']:,} | {row['tsforecast_s']:.2f} | {row['statsforecast_s']:.2f} | {row['ratio']:.2f} | "
            f"{before} | "
            f"{row['us_per_series_model_fold']:.1f} | {row['tsforecast_peak_above_baseline_mb']:.0f} | "
            f"{row['peak_over_panel']:.1f} | {row['statsforecast_peak_above_baseline_mb']:.0f} | "
            f"{row['statsforecast_peak_above_baseline_mb'] / row['panel_float64_mb']:.1f} |")
    lines += ["", "*tsforecast before*: the same work with tsforecast as checked out at the row's *before* commit "
              "(`--before`), timed in the same alternation as the other two."]
    lines += _cpu_table(document["rows"])
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
    loads = [value for row in document["rows"] for pair in row["loads"] for value in pair]
    lines += ["", f"Machine: {document['machine']['cpu']}, {document['machine']['cpus']} logical CPUs (runs pinned to CPU(s) "
              f"{', '.join(map(str, document['machine']['cpus_allowed']))}); 1-minute load "
              f"average {min(loads):.1f}-{max(loads):.1f} around the timed runs, {document['load']} at the end "
              "(the machine is shared; each timed run alternates with the other package's).", ""]
    lines += _runs(document["rows"])
    lines += ["| package | interpreter | Python | package version | numpy | pandas | numba |",
              "|---|---|---|---|---|---|---|"]
    for package, env in document["environments"].items():
        version = env[_library(package)]
        lines.append(f"| {package} | `{env['interpreter']}` | {env['python']} | {version} | {env['numpy']} | "
                     f"{env['pandas']} | {env['numba']} |")
    lines.append("")
    return "\n".join(lines)


def _cpu_table(rows: list[dict]) -> list[str]:
    """CPU seconds of the timed runs (medians), for the rows that measured them."""
    measured = [row for row in rows if "tsforecast_cpu_s" in row]
    if not measured:
        return []
    lines = ["", "CPU seconds of the same timed runs (medians; each run's own process, so other jobs' turns on the "
             "shared cores do not count):", "",
             "| N | tsforecast | statsforecast | ratio | tsforecast before | today / before | scores equal before |",
             "|---:|---:|---:|---:|---:|---:|---|"]
    for row in measured:
        before = (f"{row['before_cpu_s']:.2f} | {row['cpu_ratio_to_before']:.2f} | "
                  f"{'yes' if row['before_mase_equal'] else 'no'}" if "before_cpu_s" in row else " | | ")
        lines.append(f"| {row['n_series']:,} | {row['tsforecast_cpu_s']:.2f} | {row['statsforecast_cpu_s']:.2f} | "
                     f"{row['cpu_ratio']:.2f} | {before} |")
    return lines


def _runs(rows: list[dict]) -> list[str]:
    """The run behind each row: command, when it finished, its commit and the earlier one."""
    lines = ["## Runs", "", "| N | command | finished | commit | before commit | runs each |", "|---:|---|---|---|---|---:|"]
    for row in rows:
        lines.append(f"| {row['n_series']:,} | `{row['command'].strip()}` | {row['finished']} | "
                     f"{row.get('commit') or 'not recorded'} | {row.get('before_commit') or ''} | {row['repeats']} |")
    return lines + [""]


if __name__ == "__main__":
    raise SystemExit(main())
