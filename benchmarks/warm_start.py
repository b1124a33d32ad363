"""Benchmark: warm-start refits against refits from scratch of the LSTM in a backtest.

On the shipped weekly CO2 series (``tsforecast.datasets.load("co2")``, the last
``--rows`` weeks), one run backtests, with the same folds and seeds:

* ``cold``: ``WindowForecaster(EncoderDecoderLSTM(...))`` refit from scratch at every
  fold for ``--epochs`` epochs (early stopping on the last 10% of windows);
* ``warm``: the same model, ``warm_start=True``: the first fold trains from scratch as
  ``cold`` does, every later fold continues from the previous fold's weights for
  ``epochs // 4`` epochs;
* ``SeasonalNaive(52)`` as the reference for skill.

It reports the time spent fitting and predicting per variant (the sum over folds, and
per fold), the epochs actually run, MAE/RMSE/MASE over folds, skill against the
seasonal naive, and a Diebold-Mariano test of warm against cold (absolute errors,
Harvey-Leybourne-Newbold correction), then writes ``reports/warm_start.md`` and
``reports/warm_start.json``.

Run: ``python benchmarks/warm_start.py`` (about 5 minutes on 2 shared CPU cores). Timings depend
on the machine and its load; both variants run in one process, one after the other.
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

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=520, help="last weeks of the CO2 series used (default 520)")
    parser.add_argument("--horizon", type=int, default=13, help="weeks forecast per fold (default 13)")
    parser.add_argument("--folds", type=int, default=6, help="number of folds (default 6)")
    parser.add_argument("--epochs", type=int, default=40, help="epochs of a from-scratch fit (default 40)")
    parser.add_argument("--units", type=int, default=16, help="LSTM units (default 16)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports", help="folder of the reports")
    return parser.parse_args(argv)


def lstm(args):
    from tsforecast import EncoderDecoderLSTM, WindowForecaster

    estimator = EncoderDecoderLSTM(units=args.units, epochs=args.epochs, batch_size=32, patience=5,
                                   scaling="standard", random_state=0)
    return WindowForecaster(estimator, n_steps_in=52, n_steps_out=args.horizon)


def run(args) -> dict:
    from tsforecast import backtest, datasets
    from tsforecast.backtesting import diebold_mariano
    from tsforecast.baselines import SeasonalNaive

    y = datasets.load("co2")["co2"].iloc[-args.rows :]
    common = {"horizon": args.horizon, "n_folds": args.folds, "season_length": 52, "progress": False}
    runs = {}
    for variant, warm in (("cold", False), ("warm", True)):
        started = time.perf_counter()
        runs[variant] = backtest({variant: lstm(args), "seasonal_naive": SeasonalNaive(52)}, y,
                                 warm_start=warm, **common)
        runs[variant].info["bench_wall_seconds"] = time.perf_counter() - started
    rows = {}
    for variant, result in runs.items():
        summary = result.summary(reference="seasonal_naive", metric="mae")
        epochs = [len(result.histories[variant][k]["loss"]) for k in sorted(result.histories[variant])]
        fold_seconds = result.info["model_seconds"][variant]
        rows[variant] = {
            "fit_predict_seconds": round(fold_seconds, 2),
            "seconds_per_fold": round(fold_seconds / args.folds, 2),
            "wall_seconds": round(result.info["bench_wall_seconds"], 2),
            "epochs_per_fold": epochs,
            "total_epochs": int(sum(epochs)),
            "mae": round(float(summary.loc[variant, "mae_mean"]), 4),
            "mae_std": round(float(summary.loc[variant, "mae_std"]), 4),
            "rmse": round(float(summary.loc[variant, "rmse_mean"]), 4),
            "mase": round(float(summary.loc[variant, "mase_mean"]), 4),
            "skill_vs_seasonal_naive": round(float(summary.loc[variant, "skill"]), 4),
            "errors": int(len(result.errors)),
        }
    naive = runs["cold"].summary().loc["seasonal_naive"]
    rows["seasonal_naive"] = {"mae": round(float(naive["mae_mean"]), 4), "rmse": round(float(naive["rmse_mean"]), 4),
                              "mase": round(float(naive["mase_mean"]), 4)}
    keys = ["fold", "step"]
    warm_f = runs["warm"].forecasts.query("model == 'warm'").set_index(keys)
    cold_f = runs["cold"].forecasts.query("model == 'cold'").set_index(keys)
    both = warm_f.merge(cold_f, left_index=True, right_index=True, suffixes=("_warm", "_cold")).sort_index()
    test = diebold_mariano((both["y_warm"] - both["y_hat_warm"]).abs(), (both["y_cold"] - both["y_hat_cold"]).abs(),
                           h=args.horizon)
    first_fold_equal = bool(np.array_equal(warm_f.loc[0, "y_hat"], cold_f.loc[0, "y_hat"]))
    import keras
    import tensorflow as tf

    return {
        "benchmark": "warm_start",
        "data": {"dataset": "co2", "rows": int(len(y)), "first": str(y.index[0].date()),
                 "last": str(y.index[-1].date()), "freq": "W-SAT"},
        "setup": {"horizon": args.horizon, "folds": args.folds, "step": args.horizon, "n_steps_in": 52,
                  "units": args.units, "epochs_cold": args.epochs, "epochs_warm_refit": max(1, args.epochs // 4),
                  "early_stopping_patience": 5, "random_state": 0},
        "results": rows,
        "diebold_mariano_warm_vs_cold": {"statistic": round(test.statistic, 4), "p_value": round(test.p_value, 4),
                                         "mean_abs_error_difference": round(test.mean_difference, 4), "n": test.n},
        "first_fold_identical": first_fold_equal,
        "speedup_fit_predict": round(rows["cold"]["fit_predict_seconds"] / rows["warm"]["fit_predict_seconds"], 2),
        "environment": {"python": platform.python_version(), "tensorflow": tf.__version__, "keras": keras.__version__,
                        "cpu_count": os.cpu_count(), "platform": platform.platform(),
                        "note": "2 CPU cores shared with other jobs while measured; timings are noisy"},
        "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def markdown(report: dict) -> str:
    r, s, dm = report["results"], report["setup"], report["diebold_mariano_warm_vs_cold"]
    lines = [
        "# Warm-start refits vs refits from scratch (LSTM backtest)",
        "",
        f"Data: weekly CO2 (`tsforecast.datasets.load('co2')`), last {report['data']['rows']} weeks "
        f"({report['data']['first']} to {report['data']['last']}). {s['folds']} expanding-window folds, "
        f"horizon {s['horizon']} weeks, `WindowForecaster(EncoderDecoderLSTM(units={s['units']}))`, "
        f"52 input weeks, standard scaling, early stopping (patience {s['early_stopping_patience']}), "
        f"random_state 0. Cold: every fold trains from scratch for up to {s['epochs_cold']} epochs. "
        f"Warm: fold 0 as cold, later folds continue from the previous fold's weights for "
        f"{s['epochs_warm_refit']} epoch(s). Both measured in one run, one after the other.",
        "",
        "| variant | fit+predict s (all folds) | s / fold | epochs run | MAE (± sd over folds) | RMSE | MASE "
        "| skill vs seasonal naive |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name in ("cold", "warm"):
        v = r[name]
        lines.append(f"| {name} | {v['fit_predict_seconds']} | {v['seconds_per_fold']} | {v['total_epochs']} "
                     f"({', '.join(map(str, v['epochs_per_fold']))}) | {v['mae']} ± {v['mae_std']} | {v['rmse']} | "
                     f"{v['mase']} | {v['skill_vs_seasonal_naive']} |")
    n = r["seasonal_naive"]
    lines += [
        f"| seasonal naive (52) | – | – | – | {n['mae']} | {n['rmse']} | {n['mase']} | 0 |",
        "",
        f"Warm start: {report['speedup_fit_predict']}x less fit+predict time than refits from scratch. "
        f"Diebold-Mariano, warm vs cold (absolute errors per step, h={s['horizon']}): statistic "
        f"{dm['statistic']}, p = {dm['p_value']} (n = {dm['n']}; negative favours warm). "
        f"Fold 0 forecasts identical in both variants: {report['first_fold_identical']}.",
        "",
        f"Measured {report['measured']} on {report['environment']['cpu_count']} CPU cores "
        f"({report['environment']['note']}); TensorFlow {report['environment']['tensorflow']}. "
        "Rerun: `python benchmarks/warm_start.py`.",
        "",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    report = run(args)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "warm_start.json").write_text(json.dumps(report, indent=2) + "\n")
    text = markdown(report)
    (args.out / "warm_start.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
