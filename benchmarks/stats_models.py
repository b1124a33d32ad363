"""Our statistical models beside statsforecast's counterparts on M4 Hourly and Weekly.

Both sides run in one process, one after the other on the same series: each model is
fitted on the training part of every series (or the first ``--series`` of them), the
horizon forecast (48 hourly, 13 weekly) and scored with :mod:`tsforecast.core.metrics`
(sMAPE, MASE with M4's season, OWA relative to our Naive2 on the same series). Times
are wall seconds of fit + predict (``n_jobs=1`` on both sides); the CPU model, the load
average and both libraries' versions are recorded. Writes ``reports/stats_models.json``
and renders ``reports/stats_models.md`` from it alone.

Run in the benchmark venv (statsforecast installed), from the repository root::

    export TSFORECAST_M4_DIR=/work/shared/data/m4
    PYTHONPATH=$PWD /work/venv-bench/bin/python benchmarks/stats_models.py --subset Hourly Weekly
    PYTHONPATH=$PWD /work/venv-bench/bin/python benchmarks/stats_models.py --subset Hourly --series 20 \\
        --models MSTL

Runs of different subsets and models accumulate in the JSON (a rerun replaces its rows;
every run on test data is appended to ``test_runs``). ``--validation`` scores on the last
horizon of each training series instead (the test file is not read), where the defaults
are chosen; ``--ours-only`` skips statsforecast's side::

    PYTHONPATH=$PWD /work/venv-bench/bin/python benchmarks/stats_models.py --validation --ours-only \\
        --subset Hourly Weekly --models MSTL "MSTL(slope smoothing <= 0.2)" "MSTL(Theta trend)"
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from dataclasses import dataclass
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks._report import write_report  # noqa: E402
from tsforecast import baselines  # noqa: E402
from tsforecast.core.metrics import mase, owa, smape  # noqa: E402
from tsforecast.datasets import load_m4  # noqa: E402

OUT = REPO / "reports" / "stats_models"
#: Horizon, M4's season for MASE and Naive2, and the seasons MSTL decomposes.
SUBSETS = {"Hourly": {"horizon": 48, "season_length": 24, "mstl": (24, 168)},
           "Weekly": {"horizon": 13, "season_length": 1, "mstl": (52,)}}


@dataclass(frozen=True)
class Pair:
    """Our model and statsforecast's counterpart, each built from the subset's settings."""

    ours: Callable[[dict], object]
    theirs: Callable[[dict], object] | None  # None: a variant of ours with no counterpart
    note: str = ""


def _sf():
    import statsforecast.models as sf

    return sf


PAIRS: dict[str, Pair] = {
    "Naive": Pair(lambda s: baselines.Naive(), lambda s: _sf().Naive()),
    "SeasonalNaive": Pair(lambda s: baselines.SeasonalNaive(s["season_length"]),
                          lambda s: _sf().SeasonalNaive(s["season_length"])),
    "Theta": Pair(lambda s: baselines.Theta(s["season_length"]), lambda s: _sf().Theta(s["season_length"]),
                  "ours: M4's classic Theta; statsforecast: Theta (the same method, its own SES fit)"),
    "MSTL": Pair(lambda s: baselines.MSTL(s["mstl"]), lambda s: _sf().MSTL(list(s["mstl"])),
                 "trend: ours NonSeasonalETS (compiled, R's bounds: slope smoothing <= alpha <= 0.9999); "
                 "statsforecast AutoETS(model='ZZN')"),
    "MSTL(slope smoothing <= 0.2)": Pair(
        lambda s: baselines.MSTL(s["mstl"], trend_forecaster=baselines.NonSeasonalETS(max_beta=0.2)), None,
        "NonSeasonalETS bounded as statsforecast's AutoETS is in effect; rejected on Hourly's validation split"),
    "MSTL(statsmodels ETS trend)": Pair(
        lambda s: baselines.MSTL(s["mstl"], trend_forecaster=baselines.ETS()), None,
        "the earlier default: statsmodels ETSModel per form and series, non-seasonal form by AICc"),
    "MSTL(Theta trend)": Pair(lambda s: baselines.MSTL(s["mstl"], trend_forecaster=baselines.Theta()),
                              lambda s: _sf().MSTL(list(s["mstl"]), trend_forecaster=_sf().Theta()),
                              "the same decomposition, Theta on the adjusted series on both sides"),
    "NonSeasonalETS": Pair(lambda s: baselines.NonSeasonalETS(), lambda s: _sf().AutoETS(model="ZZN"),
                           "the non-seasonal forms by AICc on the series itself (no decomposition) on both sides: "
                           "ours compiled, statsforecast AutoETS(model='ZZN')"),
    "Croston": Pair(lambda s: baselines.Croston(), lambda s: _sf().CrostonClassic()),
    "CrostonSBA": Pair(lambda s: baselines.CrostonSBA(), lambda s: _sf().CrostonSBA()),
    "TSB": Pair(lambda s: baselines.TSB(0.1, 0.1), lambda s: _sf().TSB(alpha_d=0.1, alpha_p=0.1)),
    "ADIDA": Pair(lambda s: baselines.ADIDA(), lambda s: _sf().ADIDA()),
    "IMAPA": Pair(lambda s: baselines.IMAPA(), lambda s: _sf().IMAPA()),
    "ETS": Pair(lambda s: baselines.ETS(season_length=s["season_length"]),
                lambda s: _sf().AutoETS(season_length=s["season_length"]),
                "ours: statsmodels ETSModel per series; statsforecast: AutoETS"),
}


def environment() -> dict:
    import numba
    import statsforecast
    import statsmodels

    return {"python": platform.python_version(), "statsforecast": statsforecast.__version__,
            "statsmodels": statsmodels.__version__, "numba": numba.__version__, "numpy": np.__version__,
            "pandas": pd.__version__, "cpu": cpu_name(), "cpus": os.cpu_count(),
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


def cpu_name() -> str:
    """This machine's CPU model: rows measured on different machines say so (timings differ)."""
    return next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")), platform.processor())


def measured(entry: dict, env: dict) -> str:
    """When an entry was measured, and on which CPU where it is not the latest run's (entries
    older than these fields say so rather than borrow the latest run's)."""
    if "measured" not in entry:
        return "not recorded (an older run)"
    cpu = entry.get("cpu")
    return entry["measured"] + (f" ({cpu})" if cpu and cpu != env["cpu"] else "")


def load(subset: str, n_series: int | None, validation: bool = False):
    """Training panel, ids, training arrays and the actual future ``[series, horizon]``;
    with ``validation`` the last horizon of each training series plays the test (the
    test file is not read)."""
    if validation:
        return _validation_split(subset, n_series)
    train, test = load_m4(subset, split="both")  # $TSFORECAST_M4_DIR, else datasets.default_m4_dir()
    ids = list(dict.fromkeys(train["unique_id"]))[:n_series]
    train = train[train["unique_id"].isin(ids)].reset_index(drop=True)
    test = test[test["unique_id"].isin(ids)]
    actual = np.stack([g["y"].to_numpy() for _, g in test.groupby("unique_id", sort=False)])
    rows = [g["y"].to_numpy() for _, g in train.groupby("unique_id", sort=False)]
    return train, ids, rows, actual


def _validation_split(subset: str, n_series: int | None):
    horizon = SUBSETS[subset]["horizon"]
    full = load_m4(subset, split="train")
    ids = list(dict.fromkeys(full["unique_id"]))[:n_series]
    full = full[full["unique_id"].isin(ids)]
    position = full.groupby("unique_id", sort=False).cumcount(ascending=False)
    train, held = full[position >= horizon].reset_index(drop=True), full[position < horizon]
    actual = np.stack([g["y"].to_numpy() for _, g in held.groupby("unique_id", sort=False)])
    rows = [g["y"].to_numpy() for _, g in train.groupby("unique_id", sort=False)]
    return train, ids, rows, actual


def _wide(forecast: pd.DataFrame, ids, column: str) -> np.ndarray:
    groups = {key: g[column].to_numpy(dtype=np.float64) for key, g in forecast.groupby("unique_id", sort=False)}
    return np.stack([groups[key] for key in ids])


def run_ours(model, train, ids, horizon):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecast = model.fit(train).predict(horizon)
    return _wide(forecast, ids, "y"), time.perf_counter() - start


def run_theirs(model, train, ids, horizon):
    from statsforecast import StatsForecast

    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        forecast = StatsForecast(models=[model], freq=1, n_jobs=1).forecast(df=train, h=horizon)
    column = [c for c in forecast.columns if c not in ("unique_id", "ds")][0]
    return _wide(forecast.reset_index() if "unique_id" not in forecast.columns else forecast, ids, column), \
        time.perf_counter() - start


def score(actual, forecast, rows, season_length, naive2) -> dict:
    s, m = float(smape(actual, forecast)), float(mase(actual, forecast, rows, season_length))
    return {"smape": round(s, 4), "mase": round(m, 4), "owa": round(float(owa(s, m, *naive2)), 4)}


def run(subset: str, names: list[str], n_series: int | None, validation: bool = False,
        ours_only: bool = False) -> dict:
    settings = SUBSETS[subset]
    train, ids, rows, actual = load(subset, n_series, validation)
    horizon, m = settings["horizon"], settings["season_length"]
    naive2_forecast, _ = run_ours(baselines.Naive2(m), train, ids, horizon)
    naive2 = (float(smape(actual, naive2_forecast)), float(mase(actual, naive2_forecast, rows, m)))
    # Compile our numba kernels (cached on disk) and import statsforecast before timing.
    warm = train[train["unique_id"] == ids[0]]
    for name in names:
        run_ours(PAIRS[name].ours(settings), warm, ids[:1], horizon)
    run_theirs(_sf().Naive(), warm, ids[:1], horizon)
    rows_out = {}
    for name in names:
        pair = PAIRS[name]
        entry = {"note": pair.note, "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                 "cpu": cpu_name()}
        for side, runner, factory in (("ours", run_ours, pair.ours), ("statsforecast", run_theirs, pair.theirs)):
            if factory is None or (ours_only and side != "ours"):
                entry[side] = {}
                continue
            try:
                forecast, seconds = runner(factory(settings), train, ids, horizon)
                entry[side] = {**score(actual, forecast, rows, m, naive2), "seconds": round(seconds, 2),
                               "load_average": round(os.getloadavg()[0], 2)}
            except Exception as error:  # noqa: BLE001 - a failing side is reported, not hidden
                entry[side] = {"error": f"{type(error).__name__}: {error}"[:300]}
            print(subset, name, side, entry[side], flush=True)
        rows_out[name] = entry
    return {"n_series": len(ids), "horizon": horizon, "season_length": m, "mstl_seasons": list(settings["mstl"]),
            "naive2": {"smape": round(naive2[0], 4), "mase": round(naive2[1], 4)}, "models": rows_out}


def _cell(side: dict, key: str, digits: int = 3) -> str:
    if not side:
        return ""
    if "error" in side:
        return "failed" if key == "smape" else ""
    return f"{side[key]:.{digits}f}" if key != "seconds" else f"{side[key]:.2f}"


def render(document: dict) -> str:
    env = document["environment"]
    lines = ["# Statistical models: tsforecast beside statsforecast on M4", "",
             "Generated by `benchmarks/stats_models.py` from `reports/stats_models.json` (do not edit by hand).",
             "Both sides in one process on the same series, `n_jobs=1`; seconds are wall time of fit + predict.",
             f"Environment of the latest run: Python {env['python']}, statsforecast {env['statsforecast']}, "
             f"statsmodels {env['statsmodels']}, numba {env['numba']}, numpy {env['numpy']}, pandas "
             f"{env['pandas']}; {env['cpu']}, {env['cpus']} CPUs shared with other jobs, {env['measured']} (load "
             "average per row; a row names its CPU where it differs, and rows older than that field do not "
             "know theirs; every run on test data is in the JSON).", "",
             "Seasonal automatic ARIMA is compared in its own report, [`reports/auto_arima.md`](auto_arima.md) "
             "(`benchmarks/auto_arima.py`): statsforecast's AutoARIMA takes minutes a series with seasons of 24 "
             "and 52, too long to run here beside every other model; there it ran on all 414 Hourly series in "
             "chunks, each a logged test run.", ""]
    sections = [(subset, result, "") for subset, result in document["subsets"].items()]
    sections += [(subset, result, "validation: the last horizon of each training series, ")
                 for subset, result in document.get("validation", {}).items()]
    for subset, result, split in sections:
        lines += [f"## {subset} ({split}{result['n_series']} series, h = {result['horizon']}, MASE season "
                  f"{result['season_length']}, MSTL seasons {tuple(result['mstl_seasons'])})", "",
                  f"OWA relative to our Naive2 on the same series (sMAPE {result['naive2']['smape']:.3f}, "
                  f"MASE {result['naive2']['mase']:.3f}).", "",
                  "| model | ours sMAPE | ours MASE | ours OWA | ours s | statsforecast sMAPE | MASE | OWA | s | "
                  "load | measured | note |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, entry in result["models"].items():
            ours, theirs = entry["ours"], entry["statsforecast"]
            cells = [_cell(ours, k) for k in ("smape", "mase", "owa", "seconds")]
            cells += [_cell(theirs, k) for k in ("smape", "mase", "owa", "seconds")]
            errors = "; ".join(f"{side}: {e['error']}" for side, e in (("ours", ours), ("statsforecast", theirs))
                               if "error" in e)
            load_avg = max(s.get("load_average", 0.0) for s in (ours, theirs))
            lines.append(f"| {name} | " + " | ".join(cells) + f" | {load_avg:.1f} | {measured(entry, env)} | "
                         + "; ".join(x for x in (entry["note"], errors) if x) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subset", nargs="+", default=["Hourly", "Weekly"], choices=list(SUBSETS))
    parser.add_argument("--models", nargs="+", default=list(PAIRS), choices=list(PAIRS))
    parser.add_argument("--series", type=int, default=None, help="the first N series of each subset")
    parser.add_argument("--validation", action="store_true",
                        help="score on the last horizon of each training series instead of the test set")
    parser.add_argument("--ours-only", action="store_true", help="skip statsforecast's side")
    args = parser.parse_args(argv)
    path = OUT.with_suffix(".json")
    document = json.loads(path.read_text()) if path.exists() else {"subsets": {}}
    document["environment"] = environment()
    split = "validation" if args.validation else "subsets"
    for subset in args.subset:
        result = run(subset, args.models, args.series, args.validation, args.ours_only)
        previous = document.setdefault(split, {}).get(subset)
        if previous and previous["n_series"] == result["n_series"]:
            result["models"] = {**previous["models"], **result["models"]}
        document[split][subset] = result
        if not args.validation:  # every run on test data is logged
            document.setdefault("test_runs", []).append(
                {"subset": subset, "models": args.models, "n_series": result["n_series"],
                 "measured": document["environment"]["measured"]})
    write_report(OUT, document, render)


if __name__ == "__main__":
    main()
