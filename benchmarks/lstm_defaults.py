"""Benchmark: the default LSTM against the seasonal naive forecast on seasonal data.

``EncoderDecoderLSTM(random_state=0)`` with every other setting at its default, in a
``WindowForecaster`` that tells it the season of the data's frequency, is backtested
beside ``SeasonalNaive`` and ``Naive`` (walk-forward folds one horizon apart, ending on
the last row; each fold's model sees only the data up to its cutoff):

* ``m4_hourly``: the first ``--m4-series`` series of the M4 Hourly *training* file (the
  test file is not read), as hourly loads: an hourly time index from 2000-01-01 (M4
  gives none), horizon 48, one week in, every 6th window, 3 folds;
* ``co2``: the bundled weekly Mauna Loa CO2 series, horizon 13, two years in, 4 folds;
* ``seattle_weather``: the bundled daily data, ``temp_max`` with the README main job's
  covariates (``precipitation``, ``temp_min``, ``wind``), horizon 7, 56 days in, 6 folds;
  the seasonal naive of the frequency (7) and of the dataset's yearly season (365).

The window settings (``n_steps_in``, ``n_steps_out``, ``window_stride``) are the only
ones given; the season, the scaling and the segment length are derived (they are
reported per fold). Writes ``reports/lstm_defaults.json``; ``reports/lstm_defaults.md``
is rendered from the JSON (``--render`` renders it again without running).

Run: ``python benchmarks/lstm_defaults.py`` (``--cases co2`` for one case; a case run
replaces that case's entry in the JSON).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import pandas as pd  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CASES = ("m4_hourly", "co2", "seattle_weather")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", nargs="+", choices=CASES, default=list(CASES))
    parser.add_argument("--m4-series", type=int, default=8, help="first M4 Hourly series used (default 8)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports", help="folder of the reports")
    parser.add_argument("--render", action="store_true", help="only render the Markdown from the JSON")
    return parser.parse_args(argv)


def m4_hourly_loads(n_series: int) -> pd.DataFrame:
    """The first ``n_series`` M4 Hourly training series as a panel with an hourly time index."""
    from tsforecast.datasets import load_m4

    panel = load_m4("Hourly", split="train")
    panel = panel[panel["unique_id"].isin(panel["unique_id"].unique()[:n_series])].copy()
    panel["ds"] = pd.Timestamp("2000-01-01") + pd.to_timedelta(panel["ds"], unit="h")
    return panel


def case_setup(name: str, args) -> dict:
    """Data, target, covariates, horizon, folds, window settings and baselines of a case."""
    from tsforecast.baselines import Naive, SeasonalNaive
    from tsforecast.datasets import load

    if name == "m4_hourly":
        return {"data": m4_hourly_loads(args.m4_series), "target": "y", "covariates": None, "horizon": 48, "cv": 3,
                "window": {"n_steps_in": 168, "n_steps_out": 48, "window_stride": 6}, "season": 24,
                "baselines": {"snaive(24)": SeasonalNaive(24), "naive": Naive()},
                "what": f"first {args.m4_series} series of the M4 Hourly training file, hourly index"}
    if name == "co2":
        return {"data": load("co2"), "target": None, "covariates": None, "horizon": 13, "cv": 4,
                "window": {"n_steps_in": 104, "n_steps_out": 13}, "season": 52,
                "baselines": {"snaive(52)": SeasonalNaive(52), "naive": Naive()},
                "what": "bundled weekly Mauna Loa CO2 (2,284 weeks)"}
    weather = load("seattle_weather")
    return {"data": weather, "target": "temp_max", "covariates": ["precipitation", "temp_min", "wind"], "horizon": 7,
            "cv": 6, "window": {"n_steps_in": 56, "n_steps_out": 7}, "season": 7,
            "baselines": {"snaive(7)": SeasonalNaive(7), "snaive(365)": SeasonalNaive(365), "naive": Naive()},
            "what": "bundled daily Seattle weather, temp_max with 3 past covariates (the README main job's data)"}


def run_case(name: str, args) -> dict:
    import tsforecast as tsf
    from tsforecast import EncoderDecoderLSTM, WindowForecaster

    setup = case_setup(name, args)
    # the backtest hands the target as y and the covariates as X (the CLI's way)
    lstm = WindowForecaster(EncoderDecoderLSTM(random_state=0), **setup["window"])
    models = {"lstm (defaults)": lstm, **setup["baselines"]}
    kwargs = {"target": setup["target"], "covariates": setup["covariates"]} if setup["target"] else {}
    start, cpu = time.perf_counter(), time.process_time()
    result = tsf.backtest(models, setup["data"], horizon=setup["horizon"], cv=setup["cv"],
                          season_length=setup["season"], progress=False, **kwargs)
    seconds, cpu_s = time.perf_counter() - start, time.process_time() - cpu
    if len(result.errors):
        raise RuntimeError(f"{name}: failed tasks:\n{result.errors.to_string()}")
    summary = result.summary(reference=next(iter(setup["baselines"])), metric="mase")
    return {
        "what": setup["what"], "horizon": setup["horizon"], "folds": setup["cv"], "season_for_mase": setup["season"],
        "window": setup["window"],
        "models": {model: {"mase": float(row["mase_mean"]), "mase_sd": float(row["mase_std"]),
                           "mae": float(row["mae_mean"]), "smape": float(row["smape_mean"]),
                           "rank": int(row["rank"]), "skill_vs_snaive": float(row["skill"])}
                   for model, row in summary.iterrows()},
        "derived": derived_settings(lstm, setup),
        "seconds": round(seconds, 1), "cpu_seconds": round(cpu_s, 1), "load_average": round(os.getloadavg()[0], 1),
        "measured": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
    }


def derived_settings(lstm, setup: dict) -> dict:
    """What the defaults resolve to on the whole data, with one epoch: the per-fold fits
    of the backtest are not kept, and the season check reads the training windows."""
    from sklearn.base import clone

    model = clone(lstm).set_params(estimator__epochs=1, targets=setup["target"], covariates=setup["covariates"])
    data = setup["data"]
    model.fit(data if setup["covariates"] is None else data[[setup["target"], *setup["covariates"]]])
    fitted = model.estimator_
    return {"forecaster.season_length_": int(model.season_length_), "scaling_": fitted.scaling_,
            "season_length_": int(fitted.season_length_), "segment_length_": fitted.segment_length_,
            "decoder": fitted.decoder, "loss": fitted.loss}


def render(report: dict) -> str:
    lines = [
        "# The default LSTM against the seasonal naive forecast",
        "",
        "Generated by `benchmarks/lstm_defaults.py` from `reports/lstm_defaults.json` (do not edit by hand).",
        "`EncoderDecoderLSTM(random_state=0)` with every other setting at its default, in a `WindowForecaster`",
        "given only the window lengths; walk-forward folds one horizon apart, ending on the last row, each",
        "fold's model fitted on the data up to its cutoff. MASE is scaled by the seasonal naive error of",
        "each fold's training data at the season given; skill = 1 - MASE / MASE of the first seasonal",
        "naive listed. Seconds: the whole backtest (every model and fold) on 2 CPU cores shared with",
        "other jobs.",
        "",
    ]
    for name, case in report["cases"].items():
        derived = case["derived"]
        lines += [
            f"## {name}: {case['what']}",
            "",
            f"Horizon {case['horizon']}, {case['folds']} folds, window `{json.dumps(case['window'])}`, MASE season "
            f"{case['season_for_mase']}; {case['seconds']} s ({case['cpu_seconds']} CPU s, load average "
            f"{case['load_average']}), measured {case['measured']}.",
            "",
            f"Derived on the whole data: season of the frequency {derived['forecaster.season_length_']}, "
            f"`scaling_={derived['scaling_']!r}`, `season_length_={derived['season_length_']}`, "
            f"`segment_length_={derived['segment_length_']}` (decoder {derived['decoder']!r}, loss "
            f"{derived['loss']!r}).",
            "",
            "| rank | model | MASE mean | MASE sd | MAE | sMAPE | skill vs seasonal naive |",
            "|---:|---|---:|---:|---:|---:|---:|",
        ]
        for model, row in sorted(case["models"].items(), key=lambda item: item[1]["rank"]):
            lines.append(f"| {row['rank']} | {model} | {row['mase']:.3f} | {row['mase_sd']:.3f} | {row['mae']:.3f} | "
                         f"{row['smape']:.2f} | {row['skill_vs_snaive']:+.1%} |")
        lstm, snaive = case["models"]["lstm (defaults)"], next(v for k, v in case["models"].items() if k.startswith("snaive"))
        verdict = "beats" if lstm["mase"] < snaive["mase"] else "does **not** beat"
        lines += ["", f"The default LSTM {verdict} the seasonal naive forecast here "
                      f"(MASE {lstm['mase']:.3f} against {snaive['mase']:.3f}).", ""]
    lines += [f"Machine: {report['machine']}. Command: `{report['command']}`.", ""]
    return "\n".join(lines)


def main(argv=None) -> None:
    args = parse_args(argv)
    json_path, md_path = args.out / "lstm_defaults.json", args.out / "lstm_defaults.md"
    report = json.loads(json_path.read_text()) if json_path.exists() else {"cases": {}}
    if not args.render:
        for name in args.cases:
            print(f"{name} ...", flush=True)
            report["cases"][name] = run_case(name, args)
            print(json.dumps(report["cases"][name]["models"], indent=1), flush=True)
        report["cases"] = {name: report["cases"][name] for name in CASES if name in report["cases"]}
        report["machine"] = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
        report["command"] = "python benchmarks/lstm_defaults.py"
        json_path.write_text(json.dumps(report, indent=1) + "\n")
    md_path.write_text(render(report))
    print(f"wrote {md_path}")


if __name__ == "__main__":
    main()
