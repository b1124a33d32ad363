"""Do prediction intervals keep the panel backtest's speed?

The work of ``benchmarks/panel_scale.py`` (N series x 300 integer steps with a daily
cycle; 3-fold walk-forward backtest, horizon 24, step 24, Naive, SeasonalNaive(24) and
SES), run three ways, alternating, each in a fresh interpreter:

- ``points``: as in panel_scale (no intervals);
- ``levels``: the same with ``levels=(80, 95)`` (analytic bounds, and per level
  coverage, width, interval score and MSIS in the metrics table);
- ``conformal``: the same three models each wrapped in
  ``ConformalIntervals(model, n_windows=5, pooling="panel")`` with ``levels=(80, 95)``:
  every fold fits each model 6 times (5 calibration windows, stacked into one vectorised
  fit of N x 5 series, and the final fit).

Medians of the repeats are reported, with microseconds per series, model and fold.

Usage::

    python benchmarks/interval_scale.py                       # N = 20,000, 3 repeats
    python benchmarks/interval_scale.py --sizes 2000 --repeats 1

Writes ``reports/interval_scale.json`` and ``reports/interval_scale.md``.
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
KINDS = ("points", "levels", "conformal")
LEVELS = (80, 95)


def run(kind: str, n_series: int) -> dict:
    import time
    import warnings

    sys.path.insert(0, str(ROOT))
    import tsforecast as tsf
    from panel_scale import FOLDS, HORIZON, SEASON, make_panel
    from tsforecast import ConformalIntervals, ExpandingWindowSplit
    from tsforecast.baselines import SES, Naive, SeasonalNaive

    data = make_panel(n_series)
    models = {"naive": Naive(), "snaive": SeasonalNaive(SEASON), "ses": SES()}
    if kind == "conformal":
        models = {name: ConformalIntervals(m, levels=LEVELS, n_windows=5, pooling="panel")
                  for name, m in models.items()}
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = tsf.backtest(models, data, cv=ExpandingWindowSplit(HORIZON, n_splits=FOLDS, step=HORIZON),
                              progress=False, season_length=SEASON, levels=None if kind == "points" else LEVELS)
    seconds = time.perf_counter() - started
    out = {"seconds": seconds, "rows": len(result.forecasts),
           "us_per_series_model_fold": seconds / (n_series * len(models) * FOLDS) * 1e6}
    if kind != "points":
        summary = result.summary()
        out["coverage_95"] = summary["coverage_95_mean"].round(4).to_dict()
        out["coverage_80"] = summary["coverage_80_mean"].round(4).to_dict()
    return out


def _measure(kind: str, n_series: int) -> dict:
    """One run in a fresh interpreter (no warm caches shared between the kinds)."""
    code = (f"import json, sys; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import interval_scale; "
            f"print(json.dumps(interval_scale.run({kind!r}, {n_series})))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[20_000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "interval_scale")
    args = parser.parse_args(argv)
    rows = []
    for n in args.sizes:
        runs = {kind: [] for kind in KINDS}
        for repeat in range(args.repeats):
            for kind in KINDS:  # alternate, so a busy spell of the shared machine hits all kinds alike
                runs[kind].append(_measure(kind, n))
                print(f"N={n} repeat {repeat} {kind}: {runs[kind][-1]['seconds']:.2f} s", flush=True)
        row = {"n_series": n}
        for kind in KINDS:
            row[kind] = {"seconds": statistics.median(r["seconds"] for r in runs[kind]),
                         "all_seconds": [r["seconds"] for r in runs[kind]],
                         "us_per_series_model_fold": statistics.median(r["us_per_series_model_fold"]
                                                                       for r in runs[kind]),
                         **{k: v for k, v in runs[kind][-1].items() if k.startswith("coverage")}}
        rows.append(row)
    document = {"command": "python benchmarks/interval_scale.py " + " ".join(argv or sys.argv[1:]),
                "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"), "repeats": args.repeats,
                "load_average": os.getloadavg()[0], "cpus": os.cpu_count(), "python": platform.python_version(),
                "rows": rows}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.with_suffix(".json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    args.out.with_suffix(".md").write_text(render(document))
    print(f"wrote {args.out.with_suffix('.json')} and {args.out.with_suffix('.md')}")
    return 0


#: The models' order in the report's coverage column (the JSON's keys are sorted).
MODEL_ORDER = ("naive", "snaive", "ses")


def render(document: dict) -> str:
    """The Markdown report, from the JSON alone."""
    lines = ["# Prediction intervals at panel scale", "",
             f"Generated by `{document['command'].strip()}` on {document['measured']} (medians of "
             f"{document['repeats']} alternating runs, each in a fresh interpreter; {document['cpus']} shared CPU "
             f"cores, load average {document['load_average']:.1f} at the end). Do not edit by hand.", "",
             "Work: N series x 300 integer steps with a daily cycle; 3-fold walk-forward backtest, horizon 24, "
             "step 24, models Naive, SeasonalNaive(24), SES (the work of `benchmarks/panel_scale.py`). "
             "*points*: no intervals; *levels*: `levels=(80, 95)`, the models' analytic bounds and the interval "
             "scores; *conformal*: each model in `ConformalIntervals(model, n_windows=5, pooling=\"panel\")` "
             "(six fits per model and fold, the five calibration fits stacked into one over N x 5 series).", "",
             "| N | points (s) | levels (s) | levels / points | conformal (s) | conformal / points | "
             "µs per series, model and fold (points / levels / conformal) | conformal coverage 95% "
             f"({', '.join(MODEL_ORDER)}) |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for row in document["rows"]:
        p, lv, c = row["points"], row["levels"], row["conformal"]
        cover = ", ".join(f"{c['coverage_95'][m]:.3f}" for m in MODEL_ORDER if m in c.get("coverage_95", {}))
        lines.append(f"| {row['n_series']:,} | {p['seconds']:.2f} | {lv['seconds']:.2f} | "
                     f"{lv['seconds'] / p['seconds']:.2f} | {c['seconds']:.2f} | {c['seconds'] / p['seconds']:.2f} | "
                     f"{p['us_per_series_model_fold']:.1f} / {lv['us_per_series_model_fold']:.1f} / "
                     f"{c['us_per_series_model_fold']:.1f} | {cover} |")
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
