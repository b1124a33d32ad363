"""Benchmark: the default LSTM on real series it was never tuned on, beside the simple references.

Each dataset is backtested walk-forward (``tsforecast.backtest``, refit every fold) with
the models the command line builds for ``--season-length m`` and no other option:
``lstm`` (the CLI's ``EncoderDecoderLSTM`` in a ``WindowForecaster``), ``naive``,
``snaive``, ``ets`` and ``theta``. Per dataset: MASE (mean over folds and series, scaled
by the seasonal differences of each fold's training rows), skill against the seasonal
naive (``1 - MASE / MASE_snaive``), rank, the seconds each model spent fitting and
forecasting, and the LSTM fits that fell back toward their reference forecast (read from
what each fit recorded, ``result.info["fit_references"]``: the baselines' own
``FallbackWarning``s are not LSTM fallbacks), with the reference and factor of each fold.

The datasets: what the package bundles (``seattle_weather`` daily ``temp_max``, ``co2``
weekly), samples of M4 Hourly and Weekly (training files only: no M4 test row is read),
ETTh1's ``OT`` (rows before the long-horizon protocol's test rows), and series bundled in
statsmodels (``macrodata`` quarterly real GDP, ``elnino`` monthly sea temperature,
``sunspots`` yearly) and in pmdarima (``airpassengers`` and ``wineind`` monthly, ``woolyrnq``
and ``ausbeer`` quarterly; ``pip install -e ".[suite]"``). Nothing is downloaded.

Writes ``reports/defaults_suite.json`` (each dataset as it ends) and renders
``reports/defaults_suite.md`` from the JSON alone (``--render``).

Run: ``python benchmarks/defaults_suite.py --data-dir ../shared/data`` (``--datasets co2 sunspots``
for some).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
import warnings
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import _test_log  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
MODELS = ("lstm", "naive", "snaive", "ets", "theta")
#: Series drawn from each M4 subset (evenly spaced in file order, so the draw is fixed).
M4_SAMPLE = 6
#: Shortest series drawn: 3 seasons of look-back, then training windows and the folds.
M4_MIN_LENGTH = {"Hourly": 700, "Weekly": 300}


def _bundled(name: str, column: str) -> pd.Series:
    from tsforecast.datasets import load

    return load(name)[column]


def _m4(subset: str) -> pd.DataFrame:
    from tsforecast.datasets import load_m4

    train = load_m4(subset, SHARED / "m4")
    sizes = train.groupby("unique_id", sort=False).size()
    ids = sizes.index[sizes >= M4_MIN_LENGTH[subset]].to_numpy()  # the look-back (3 seasons) and the folds fit
    keep = ids[np.linspace(0, len(ids) - 1, M4_SAMPLE).round().astype(int)]
    return train[train["unique_id"].isin(keep)].reset_index(drop=True)


def _etth1_ot() -> pd.Series:
    frame = pd.read_csv(SHARED / "ett" / "ETTh1.csv", parse_dates=["date"], index_col="date")
    return frame["OT"].iloc[11520 - 4032 : 11520].asfreq("h")  # 24 weeks before the protocol's test rows


def _statsmodels(name: str) -> pd.Series:
    import statsmodels.api as sm

    data = getattr(sm.datasets, name).load_pandas().data
    if name == "macrodata":
        return pd.Series(data["realgdp"].to_numpy(), index=pd.period_range("1959Q1", periods=len(data), freq="Q")
                         .to_timestamp(), name="realgdp").asfreq("QS")
    if name == "elnino":
        values = data.drop(columns="YEAR").to_numpy().ravel()
        return pd.Series(values, index=pd.date_range("1950-01-01", periods=len(values), freq="MS"), name="sst")
    return pd.Series(data["SUNACTIVITY"].to_numpy(), name="sunspots")  # yearly 1700-2008, integer time


#: pmdarima's bundled series (arrays inside the package; its gasoline and taylor are downloaded,
#: so not used): name -> (first period, pandas frequency).
PMDARIMA = {"airpassengers": ("1949-01-01", "MS"), "wineind": ("1980-01-01", "MS"),
            "woolyrnq": ("1965-01-01", "QS"), "ausbeer": ("1956-01-01", "QS")}


def _pmdarima(name: str) -> pd.Series:
    """A series bundled in pmdarima (``pip install -e ".[suite]"``), on its calendar."""
    from pmdarima import datasets

    values = np.asarray(getattr(datasets, f"load_{name}")(), dtype=float)
    values = values[: np.flatnonzero(np.isfinite(values))[-1] + 1]  # ausbeer ends with a missing quarter
    start, freq = PMDARIMA[name]
    return pd.Series(values, index=pd.date_range(start, periods=len(values), freq=freq), name=name)


#: name -> (loader, season m, horizon, folds, what it is)
DATASETS = {
    "sunspots": (lambda: _statsmodels("sunspots"), 11, 11, 4, "statsmodels, yearly (11-year cycle)"),
    "macrodata_realgdp": (lambda: _statsmodels("macrodata"), 4, 8, 4, "statsmodels, quarterly"),
    "elnino": (lambda: _statsmodels("elnino"), 12, 12, 4, "statsmodels, monthly"),
    "seattle_temp_max": (lambda: _bundled("seattle_weather", "temp_max"), 7, 7, 4, "bundled, daily"),
    "co2": (lambda: _bundled("co2", "co2"), 52, 13, 4, "bundled (statsmodels), weekly"),
    "m4_hourly": (lambda: _m4("Hourly"), 24, 48, 2, f"M4 Hourly training files, {M4_SAMPLE} series"),
    "m4_weekly": (lambda: _m4("Weekly"), 52, 13, 3, f"M4 Weekly training files, {M4_SAMPLE} series of >= 300 weeks"),
    "etth1_ot": (_etth1_ot, 24, 24, 4, "ETTh1 OT, 24 weeks before the test rows, hourly"),
    "airpassengers": (lambda: _pmdarima("airpassengers"), 12, 12, 4, "pmdarima, monthly (Box & Jenkins' airline)"),
    "wineind": (lambda: _pmdarima("wineind"), 12, 12, 4, "pmdarima, monthly (Australian wine sales)"),
    "woolyrnq": (lambda: _pmdarima("woolyrnq"), 4, 8, 4, "pmdarima, quarterly (Australian woollen yarn)"),
    "ausbeer": (lambda: _pmdarima("ausbeer"), 4, 8, 4, "pmdarima, quarterly (Australian beer production)"),
}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    parser.add_argument("--data-dir", type=Path, default=SHARED, help="the folder holding m4/ and ett/")
    parser.add_argument("--out", type=Path, default=ROOT / "reports")
    parser.add_argument("--render", action="store_true", help="only render the Markdown from the JSON")
    return parser.parse_args(argv)


def run_dataset(name: str) -> dict:
    """Backtest the five models on one dataset; MASE, skill, rank, seconds, fallbacks."""
    from tsforecast import backtest
    from tsforecast.cli._registry import ModelSettings, make_models

    loader, season, horizon, folds, what = DATASETS[name]
    data = loader()
    settings = ModelSettings(horizon=horizon, season_length=season, season_given=True, seed=0)
    wall, cpu = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # what fell back is read from the result
        result = backtest(make_models(list(MODELS), settings), data, horizon=horizon, cv=folds,
                          season_length=season, metrics=["mase"], progress=False)
    mase = result.summary(metric="mase")["mase_mean"]
    ranks = mase.rank(method="min").astype(int)
    fits = result.fit_references("lstm")  # one fit per fold (global model)
    return {
        "what": what, "season_length": season, "horizon": horizon, "folds": folds,
        "series": 1 if isinstance(data, pd.Series) else int(data["unique_id"].nunique()),
        "mase": {m: float(mase[m]) for m in MODELS},
        "skill_vs_snaive": {m: float(1 - mase[m] / mase["snaive"]) for m in MODELS},
        "rank": {m: int(ranks[m]) for m in MODELS},
        "seconds": {m: round(float(result.info["model_seconds"][m]), 1) for m in MODELS},
        "lstm_fallbacks": sum(r["shrinkage"] < 1.0 for _, r in fits), "lstm_fits": len(fits),
        "lstm_references": {fold: [r["reference"], r["shrinkage"]] for fold, r in fits},
        "wall_seconds": round(time.perf_counter() - wall, 1), "cpu_seconds": round(time.process_time() - cpu, 1),
        "load_average": list(os.getloadavg()),
    }


def _fell_back(row: dict) -> str:
    """``"2 of 4 fits (fold 0: seasonal naive (season 7) itself; fold 3: x 0.25)"``."""
    text = f"{row['lstm_fallbacks']} of {row['lstm_fits']} fits"
    folds = [f"fold {fold}: {ref} " + ("itself" if factor == 0 else f"x {factor:g}")
             for fold, (ref, factor) in row.get("lstm_references", {}).items() if factor < 1.0]
    return text + (f" ({'; '.join(folds)})" if folds else "")


def render(report: dict) -> str:
    """The Markdown report, from the JSON alone."""
    rows = report["datasets"]
    lines = ["# The default LSTM on series it was not tuned on", "",
             f"Generated by `{report['command']}` from `reports/defaults_suite.json` (render only: "
             "`python benchmarks/defaults_suite.py --render`). Walk-forward backtests, refit every fold, with the "
             "command line's models for `--season-length m` and no other option. MASE is the mean over folds and "
             "series; skill is `1 - MASE / MASE(snaive)` (>= 0: at least as good as the seasonal naive); rank 1 is "
             "best. Seconds are the time each model spent fitting and forecasting (wall, a shared machine). "
             "'LSTM fell back': the fits whose network did not clearly beat its reference forecast on the validation "
             "tail of its training windows, so the forecast is that reference itself or shrunk toward it (x factor on "
             "the network's corrections), as each fit recorded it.", "",
             f"Machine: {report['machine']}. Code: {report['git_commit']}.", "",
             "| dataset | m | H | folds | series | " + " | ".join(f"{m} MASE" for m in MODELS)
             + " | LSTM skill | LSTM rank | LSTM s | LSTM fell back |",
             "|---|---:|---:|---:|---:|" + "---:|" * len(MODELS) + "---:|---:|---:|---|"]
    for name, r in rows.items():
        cells = " | ".join(f"{r['mase'][m]:.3f}" for m in MODELS)
        lines.append(f"| {name} ({r['what']}) | {r['season_length']} | {r['horizon']} | {r['folds']} | {r['series']} "
                     f"| {cells} | {r['skill_vs_snaive']['lstm']:+.3f} | {r['rank']['lstm']} | {r['seconds']['lstm']} "
                     f"| {_fell_back(r)} |")
    worse = [name for name, r in rows.items() if r["skill_vs_snaive"]["lstm"] < 0]
    lines += ["", "## Target: the default LSTM's MASE at most the seasonal naive's on every dataset", "",
              f"- datasets run: {len(rows)} of {len(DATASETS)}, in "
              f"{sum(r['cpu_seconds'] for r in rows.values()):.0f} CPU seconds (all threads of the process)",
              "- skill < 0 (worse than the seasonal naive): " + (", ".join(worse) if worse else "none")]
    return "\n".join(lines) + "\n"


def main(argv=None) -> None:
    global SHARED
    args = parse_args(argv)
    SHARED = args.data_dir
    json_path, md_path = args.out / "defaults_suite.json", args.out / "defaults_suite.md"
    report = json.loads(json_path.read_text()) if json_path.exists() else {"datasets": {}}
    if not args.render:
        report["command"] = "python benchmarks/defaults_suite.py " + " ".join(argv if argv is not None else sys.argv[1:])
        report["machine"] = f"{platform.machine()}, {os.cpu_count()} CPU(s), load average at start {os.getloadavg()}"
        report["git_commit"] = _test_log.LOADED
        report["started"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        for name in args.datasets:
            report["datasets"][name] = run_dataset(name)
            print(name, json.dumps(report["datasets"][name]), flush=True)
            json_path.write_text(json.dumps(report, indent=1) + "\n")  # each dataset kept as it ends
    md_path.write_text(render(report))


if __name__ == "__main__":
    main()
