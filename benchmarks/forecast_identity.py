"""Check that a refactor changes no forecast: snapshot every model's output, compare two snapshots.

A refactor of the forecaster layer (issue 21) must leave forecasts, intervals and
backtest results identical. This script writes, for the code it runs on, one ``.npz``
holding:

- every baseline's point forecasts on M4 Hourly and Weekly (``fit`` on the training
  files, ``predict`` the subset's horizon); the slow statsmodels models (ETS, ARIMA,
  MSTL) on the first ``--slow-series`` series only;
- their prediction intervals at 80% and 95% (``predict_interval``) on the first 20 series;
- a backtest of the README's baselines and a covariate ``WindowForecaster`` on the
  bundled Seattle data (the README's main job without the LSTM, whose fit is the
  slow part and is covered by the test suite's determinism tests);
- a model file written by this code, so that ``compare`` can load one version's file
  with the other version's code (``--load-from``).

Usage (from the repository root)::

    python benchmarks/forecast_identity.py snapshot --out /tmp/before.npz   # on the old code
    python benchmarks/forecast_identity.py snapshot --out /tmp/after.npz    # on the new code
    python benchmarks/forecast_identity.py compare /tmp/before.npz /tmp/after.npz

``compare`` prints the largest absolute difference per entry and exits 1 when any entry
differs by more than ``--tolerance`` (1e-12) or is missing on one side. Nothing is written
to ``reports/``: this is a check, not a benchmark.
"""

from __future__ import annotations

import argparse
import os
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SUBSETS = {"Hourly": (48, 24), "Weekly": (13, 1)}  # horizon, season length (as M4's benchmarks)
FAST = ["Naive", "SeasonalNaive", "Drift", "Mean", "Naive2", "SES", "Holt", "Damped", "Theta", "Comb",
        "Croston", "CrostonSBA", "TSB", "ADIDA", "IMAPA"]
SLOW = ["ETS", "ARIMA", "MSTL"]
SEASONAL = {"SeasonalNaive", "Naive2", "SES", "Holt", "Damped", "Theta", "Comb", "ETS"}


def _model(name: str, season: int):
    import tsforecast

    if name == "MSTL":
        return tsforecast.MSTL(season_length=(season, 7 * season) if season > 1 else (52,))
    cls = getattr(tsforecast, name)
    return cls(season_length=season) if name in SEASONAL else cls()


def _numbers(frame) -> np.ndarray:
    """The numeric columns of a forecast table, as one float array."""
    return np.asarray(frame.select_dtypes("number"), dtype=float)


def _first_series(panel, n: int):
    ids = panel["unique_id"].drop_duplicates().iloc[:n]
    return panel[panel["unique_id"].isin(ids)]


def _m4_entries(data_dir: str, slow_series: int) -> dict:
    from tsforecast.datasets import load_m4

    out = {}
    for subset, (horizon, season) in SUBSETS.items():
        train = load_m4(subset, data_dir)
        for name in FAST + SLOW:
            y = _first_series(train, slow_series) if name in SLOW else train
            model = _model(name, season).fit(y)
            out[f"m4/{subset}/{name}/point"] = _numbers(model.predict(horizon))
            if name in SLOW or name in ("Naive", "SeasonalNaive", "Theta", "Naive2"):
                small = model if name in SLOW and slow_series <= 20 else _model(name, season).fit(
                    _first_series(train, 20))
                out[f"m4/{subset}/{name}/interval"] = _numbers(small.predict_interval(horizon, levels=(80, 95)))
            print(f"{subset} {name}", file=sys.stderr)
    return out


def _every_covariate_step() -> dict:
    """``covariate_steps_in=None`` where the code has it: rows with every covariate step.

    Code before ``covariate_steps_in`` always built such rows; since its default became
    ``"auto"`` (one step for a flattened estimator) the same rows need ``None``, so the
    two versions compare the same model.
    """
    import inspect

    from tsforecast import WindowForecaster

    return {"covariate_steps_in": None} if "covariate_steps_in" in inspect.signature(WindowForecaster).parameters \
        else {}


def _readme_entries() -> dict:
    import tsforecast
    from sklearn.linear_model import Ridge
    from tsforecast.datasets import load as load_dataset

    data = load_dataset("seattle_weather")
    models = {"naive": tsforecast.Naive(), "snaive": tsforecast.SeasonalNaive(7), "theta": tsforecast.Theta(7),
              "ets": tsforecast.ETS(season_length=7),
              "ridge": tsforecast.WindowForecaster(Ridge(), n_steps_in=56, n_steps_out=7,
                                                   covariates=["precipitation", "temp_min", "wind"],
                                                   **_every_covariate_step())}
    result = tsforecast.backtest(models, data, target="temp_max", horizon=7, cv=6, season_length=7,
                                 levels=(80, 95), progress=False)
    forecasts = result.forecasts.sort_values(["model", "unique_id", "fold", "step"]).reset_index(drop=True)
    return {"readme/forecasts": _numbers(forecasts), "readme/summary": _numbers(result.summary())}


def snapshot(args) -> int:
    import tsforecast
    from tsforecast.datasets import load as load_dataset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        entries = {**_readme_entries(), **_m4_entries(args.data, args.slow_series)}
        model = tsforecast.Theta(7).fit(load_dataset("seattle_weather")[["temp_max"]])
        model_file = Path(args.out).with_suffix(".tsf")
        tsforecast.save(model, model_file)
        entries["file/theta_point"] = _numbers(model.predict(7))
    np.savez(args.out, **entries)
    print(f"wrote {args.out} ({len(entries)} entries) and {model_file}")
    return 0


def compare(args) -> int:
    before, after = np.load(args.before), np.load(args.after)
    failures = sorted(set(before.files) ^ set(after.files))
    for name in failures:
        print(f"MISSING on one side: {name}")
    for name in sorted(set(before.files) & set(after.files)):
        a, b = before[name], after[name]
        if a.shape != b.shape:
            print(f"SHAPE {name}: {a.shape} vs {b.shape}")
            failures.append(name)
            continue
        diff = float(np.nanmax(np.abs(a - b))) if a.size else 0.0
        same_nan = bool(np.array_equal(np.isnan(a), np.isnan(b)))
        ok = diff <= args.tolerance and same_nan
        print(f"{'ok  ' if ok else 'DIFF'} {name}: max |diff| {diff:.3g}")
        if not ok:
            failures.append(name)
    if args.load_from:
        import tsforecast

        point = _numbers(tsforecast.load(Path(args.load_from).with_suffix(".tsf")).predict(7))
        ok = np.array_equal(point, before["file/theta_point"])
        print(f"{'ok  ' if ok else 'DIFF'} file written by the other version loads and forecasts the same")
        failures += [] if ok else ["file/load"]
    print(f"{len(failures)} entr{'y' if len(failures) == 1 else 'ies'} differ")
    return 1 if failures else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    snap = sub.add_parser("snapshot")
    snap.add_argument("--out", required=True)
    snap.add_argument("--data", default=os.environ.get("TSFORECAST_M4_DIR", str(ROOT.parent / "shared/data/m4")))
    snap.add_argument("--slow-series", type=int, default=20)
    comp = sub.add_parser("compare")
    comp.add_argument("before")
    comp.add_argument("after")
    comp.add_argument("--tolerance", type=float, default=1e-12)
    comp.add_argument("--load-from", help="the .npz whose model file to load with this code")
    args = parser.parse_args(argv)
    return snapshot(args) if args.command == "snapshot" else compare(args)


if __name__ == "__main__":
    sys.exit(main())
