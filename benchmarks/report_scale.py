"""The report of a backtest over 100,000 series: build time and size (issue 15).

The work: a synthetic panel of N series x 120 integer steps (three kinds of series: a
daily cycle with little noise, a daily cycle with a lot, and a random walk, so that
different models win different series); a 2-fold walk-forward backtest, horizon 24, of
Naive and SeasonalNaive(24), timed once on its own. Then :func:`tsforecast.report` of
that result is timed: one cold run (the first in the process: it imports matplotlib and
loads its fonts) and ``--repeats`` warm runs, each writing a complete report (HTML page,
Markdown twin, figures) into a fresh folder. The report's build time is the median of the
warm runs; wall and CPU seconds are both recorded, with the load average, because the
machine's two cores are shared (CPU seconds are what the build costs on an idle core).

    python benchmarks/report_scale.py                      # N = 100,000, 5 warm runs
    python benchmarks/report_scale.py --sizes 2000 --repeats 1

Writes ``reports/report_scale.json`` and ``reports/report_scale.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from _report import write_report  # benchmarks/ is on sys.path when a script runs

ROOT = Path(__file__).resolve().parents[1]
LENGTH, HORIZON, FOLDS, SEASON = 120, 24, 2, 24
#: What the issue asks of a report over 100,000 series.
LIMIT_SECONDS, LIMIT_HTML_MB = 10.0, 5.0


def make_panel(n_series: int, seed: int = 0):
    """N series of LENGTH integer steps in long format, a third of each kind."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    t = np.arange(LENGTH)
    kind = np.arange(n_series) % 3
    level = rng.uniform(50, 150, size=(n_series, 1))
    cycle = np.where(kind[:, None] < 2, rng.uniform(5, 20, size=(n_series, 1)), 0.0) * np.sin(2 * np.pi * t / SEASON)
    noise = rng.normal(0, np.array([1.0, 8.0, 0.0])[kind][:, None], size=(n_series, LENGTH))
    walk = np.where(kind[:, None] == 2, np.cumsum(rng.normal(0, 2.0, size=(n_series, LENGTH)), axis=1), 0.0)
    values = level + cycle + noise + walk
    ids = np.char.add("s", np.arange(n_series).astype(str))
    return pd.DataFrame({"unique_id": np.repeat(ids, LENGTH), "ds": np.tile(t, n_series), "y": values.ravel()})


def run_backtest(n_series: int):
    import tsforecast as tsf
    from tsforecast import ExpandingWindowSplit
    from tsforecast.baselines import Naive, SeasonalNaive

    data = make_panel(n_series)
    started = time.perf_counter()
    result = tsf.backtest({"naive": Naive(), "snaive": SeasonalNaive(SEASON)}, data,
                          cv=ExpandingWindowSplit(HORIZON, n_splits=FOLDS, step=HORIZON), season_length=SEASON,
                          progress=False)
    return result, time.perf_counter() - started


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def time_report(result, folder: Path) -> dict:
    """One complete report into ``folder``: wall and CPU seconds, the sizes of its files."""
    import tsforecast as tsf

    load = os.getloadavg()[0]
    wall, cpu = time.perf_counter(), time.process_time()
    paths = tsf.report(result, folder / "report.html")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {"wall_s": wall, "cpu_s": cpu, "load_1min": load, "html_bytes": paths.html.stat().st_size,
            "markdown_bytes": paths.markdown.stat().st_size, "figures_bytes": _folder_bytes(paths.figures),
            "figures": sorted(p.name for p in paths.figures.iterdir()), "markdown": paths.markdown.read_text()}


def _content(markdown: str, result) -> dict:
    """What the report said (its verdict and win counts), checked against the result."""
    section = markdown.split("## Verdict", 1)[1].split("\n## ", 1)[0]
    verdict = [line[2:] for line in section.splitlines() if line.startswith("> ")]
    table = result.per_series(metric="mase", reference="snaive")
    wins = {str(m): int(n) for m, n in table[table["win"]].groupby("model", observed=True).size().items()}
    rows = [line for line in markdown.splitlines() if line.startswith("| all models |")]
    return {"verdict": verdict, "wins": wins, "wins_row": rows[0] if rows else None}


def measure(n_series: int, repeats: int) -> dict:
    result, backtest_s = run_backtest(n_series)
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for index in range(repeats + 1):  # the first is the cold run
            runs.append(time_report(result, Path(tmp) / f"run{index}"))
            print(f"N={n_series} report {'cold' if index == 0 else index}: {runs[-1]['wall_s']:.2f} s wall, "
                  f"{runs[-1]['cpu_s']:.2f} s CPU (load {runs[-1]['load_1min']:.1f})", flush=True)
    cold, warm = runs[0], runs[1:]
    return {
        "n_series": n_series, "backtest_s": backtest_s, "metrics_rows": len(result.metrics),
        "forecast_rows": len(result.forecasts),
        "cold_wall_s": cold["wall_s"], "cold_cpu_s": cold["cpu_s"],
        "wall_s": statistics.median(r["wall_s"] for r in warm), "cpu_s": statistics.median(r["cpu_s"] for r in warm),
        "runs_wall_s": [r["wall_s"] for r in warm], "runs_cpu_s": [r["cpu_s"] for r in warm],
        "load_1min": [r["load_1min"] for r in runs],
        "html_mb": warm[-1]["html_bytes"] / 2**20, "markdown_kb": warm[-1]["markdown_bytes"] / 2**10,
        "figures_kb": warm[-1]["figures_bytes"] / 2**10, "figures": warm[-1]["figures"],
        **_content(warm[-1]["markdown"], result),
    }


def _versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("tsforecast", "numpy", "pandas", "matplotlib")}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "report_scale")
    args = parser.parse_args(argv)
    rows = [measure(n, args.repeats) for n in args.sizes]
    document = {"work": {"length": LENGTH, "horizon": HORIZON, "folds": FOLDS, "step": HORIZON,
                         "models": ["Naive", "SeasonalNaive(24)"]},
                "limits": {"seconds": LIMIT_SECONDS, "html_mb": LIMIT_HTML_MB},
                "rows": rows, "repeats": args.repeats,
                "machine": {"python": platform.python_version(), "processor": platform.processor(),
                            "cpus": os.cpu_count()},
                "versions": _versions(),
                "command": "python benchmarks/report_scale.py " + " ".join(argv or sys.argv[1:]),
                "finished": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    write_report(args.out, document, render)
    return 0


def render(document: dict) -> str:
    """The Markdown report, every figure read from ``document``."""
    work, limits = document["work"], document["limits"]
    lines = [
        "# The report of a backtest over many series: build time and size",
        "",
        f"Generated by `{document['command'].strip()}` on {document['finished']} "
        f"({document['machine']['cpus']} CPUs, shared; medians of {document['repeats']} warm runs after one cold run, "
        "each a complete report: HTML page, Markdown twin and figures).",
        "",
        f"Work: N synthetic series x {work['length']} integer steps (a third each: a daily cycle with little noise, "
        f"with much noise, a random walk); {work['folds']}-fold walk-forward backtest, horizon {work['horizon']}, of "
        f"{', '.join(work['models'])}, timed separately. The report is built from that BacktestResult. Limits asked "
        f"for: at most {limits['seconds']:g} s and an HTML page under {limits['html_mb']:g} MB.",
        "",
        "| N | metrics rows | backtest (s) | report wall (s) | report CPU (s) | cold run wall / CPU (s) | "
        "load (1 min) | HTML (MB) | Markdown (KB) | figures (KB) |",
        "|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for row in document["rows"]:
        load = ", ".join(f"{v:.1f}" for v in row["load_1min"])
        lines.append(
            f"| {row['n_series']:,} | {row['metrics_rows']:,} | {row['backtest_s']:.1f} | {row['wall_s']:.2f} | "
            f"{row['cpu_s']:.2f} | {row['cold_wall_s']:.2f} / {row['cold_cpu_s']:.2f} | {load} | "
            f"{row['html_mb']:.2f} | {row['markdown_kb']:.0f} | {row['figures_kb']:.0f} |")
    for row in document["rows"]:
        def verdict(value, limit, unit):
            return f"{value:.2f} {unit} is {'within' if value <= limit else 'above'} the limit of {limit:g} {unit}"
        lines += [
            "",
            f"N = {row['n_series']:,}: warm runs {', '.join(f'{v:.2f}' for v in row['runs_wall_s'])} s wall, "
            f"{', '.join(f'{v:.2f}' for v in row['runs_cpu_s'])} s CPU; figures: {', '.join(row['figures'])}. "
            f"Median CPU time: {verdict(row['cpu_s'], limits['seconds'], 's')}; median wall time on the shared "
            f"cores: {verdict(row['wall_s'], limits['seconds'], 's')}; HTML page: "
            f"{verdict(row['html_mb'], limits['html_mb'], 'MB')}.",
            "",
            "The report's verdict:",
            "",
            *[part for line in row["verdict"] for part in (f"> {line}", "")],
            f"Series won (from `per_series`): {', '.join(f'{m} {n:,}' for m, n in row['wins'].items())}; the "
            f"report's wins table ends with `{row['wins_row']}`.",
        ]
    lines += ["", "Versions: " + ", ".join(f"{k} {v}" for k, v in document["versions"].items()) + ".", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
