"""neuralforecast's NHITS on M4 Weekly, scored beside our LSTM by the same code.

The peer the issue names, as it names it: ``NHITS(h=13, input_size=52, max_steps=1000,
scaler_type="standard", random_seed=seed)``, one global model over the 359 series, on the
validation split of ``benchmarks/m4.py --validate`` (each series' last 13 training weeks held
out; the test files are not read) or on the test. neuralforecast (with torch and pandas < 3)
lives in a separate, benchmark-only venv where tsforecast (keras, numba, scikit-learn) is not
installed, so this script runs in two parts:

- the driver (the project's venv) loads the split with ``m4.load_validation`` /
  ``m4.load_subset``, scores the forecasts with ``m4.score`` against the same run's Naive2
  (``m4.run_model``) and merges the entries into ``reports/m4.json`` with ``m4.merge_json``
  (a test run is appended to the log ``test_runs``), then rewrites ``reports/m4.md``;
- the worker (``--worker``, started by the driver with ``--nf-python``) reads the training
  panel the driver wrote, fits and forecasts NHITS, and writes the forecasts, its fit and
  predict seconds (wall and process CPU, every thread) and its environment.

Usage (from the repository root)::

    nice -n 10 python benchmarks/nhits_peer.py --split validation --seeds 1
    nice -n 10 python benchmarks/nhits_peer.py --split validation --origin 2   # the 13 weeks before
    nice -n 10 python benchmarks/nhits_peer.py --split test --seeds 1 --first-seed 0

Torch runs on ``--threads`` (default 2: the machine's cores) intra-op threads, one inter-op.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NF_PYTHON = Path("/work/venv-nf/bin/python")
SUBSET, MODEL = "Weekly", "NHITS"
#: The peer's settings as the issue states them (``random_seed`` is added per seed).
NHITS_PARAMS = {"h": 13, "input_size": 52, "max_steps": 1000, "scaler_type": "standard"}


# --------------------------------------------------------------------------- worker (venv-nf)
def fit_predict(train_csv: Path, out_json: Path, seed: int, threads: int) -> None:
    """Fit NHITS on the panel in ``train_csv`` (``unique_id, ds, y``) and write its forecasts,
    seconds and environment to ``out_json``. Imports only the peer's own packages."""
    import logging

    import pandas as pd
    import torch

    torch.set_num_threads(threads)
    torch.set_num_interop_threads(1)
    logging.getLogger("lightning.pytorch").setLevel(logging.ERROR)
    import neuralforecast
    from neuralforecast import NeuralForecast
    from neuralforecast.models import NHITS

    train = pd.read_csv(train_csv, dtype={"unique_id": str, "ds": "int64", "y": "float64"})
    model = NHITS(**NHITS_PARAMS, random_seed=seed, accelerator="cpu", devices=1, logger=False,
                  enable_progress_bar=False, enable_model_summary=False, enable_checkpointing=False)
    forecaster = NeuralForecast(models=[model], freq=1)
    start, cpu_start = time.perf_counter(), time.process_time()
    forecaster.fit(train)
    fit_seconds, fit_cpu = time.perf_counter() - start, time.process_time() - cpu_start
    forecast = forecaster.predict()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    forecast = forecast.reset_index() if "unique_id" not in forecast.columns else forecast
    values = {key: group.sort_values("ds")[MODEL].tolist() for key, group in forecast.groupby("unique_id")}
    out_json.write_text(json.dumps({
        "forecast": values, "fit_seconds": fit_seconds, "fit_cpu_seconds": fit_cpu, "seconds": seconds,
        "cpu_seconds": cpu_seconds, "environment": {
            "neuralforecast": neuralforecast.__version__, "torch": torch.__version__, "pandas": pd.__version__,
            "python": platform.python_version(), "torch_threads": torch.get_num_threads(),
            "torch_interop_threads": torch.get_num_interop_threads(), "device": "cpu"}}))


# --------------------------------------------------------------------------- driver (project venv)
def run_seed(train, ids, seed: int, threads: int, nf_python: Path) -> dict:
    """One seed of NHITS in the peer's venv: ``{"forecast": (series, 13) array, seconds..., environment}``."""
    import numpy as np

    with tempfile.TemporaryDirectory(prefix="nhits-peer-") as folder:
        train_csv, out_json = Path(folder) / "train.csv", Path(folder) / "out.json"
        train.to_csv(train_csv, index=False)
        env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
        env.pop("PYTHONPATH", None)  # the worker imports neither tsforecast nor the project's venv
        subprocess.run([str(nf_python), __file__, "--worker", str(train_csv), str(out_json), "--seed", str(seed),
                        "--threads", str(threads)], check=True, env=env)
        out = json.loads(out_json.read_text())
    out["forecast"] = np.array([out["forecast"][key][:NHITS_PARAMS["h"]] for key in ids], dtype=np.float64)
    return out


def peer_entry(split: str, seeds: list[int], threads: int, data: Path, nf_python: Path, origin: int = 1) -> dict:
    """NHITS on ``split`` (at validation ``origin``) for each seed, scored as
    ``benchmarks/m4.py`` scores the LSTM: the entry (means over seeds, ``std`` and
    ``per_seed`` with each seed's fit seconds, wall and CPU) that goes into ``reports/m4.json``."""
    import m4

    train, ids, train_rows, actual = (m4.load_validation(SUBSET, data, origin) if split == "validation"
                                      else m4.load_subset(SUBSET, data))
    spec = m4.SUBSETS[SUBSET]
    context = m4.Context(SUBSET, spec["horizon"], spec["season_length"])
    naive2_run = m4.run_model("Naive2", context, train, ids, train_rows, actual, None)
    naive2 = (naive2_run["smape"], naive2_run["mase"])
    runs = []
    for seed in seeds:
        out = run_seed(train, ids, seed, threads, nf_python)
        scores = m4.score(actual, out["forecast"], train_rows, spec["season_length"], naive2)
        runs.append({"seed": seed, **scores, **{k: round(out[k], 3) for k in
                                               ("seconds", "cpu_seconds", "fit_seconds", "fit_cpu_seconds")},
                     "load_average": os.getloadavg()[0]})
        print(f"{SUBSET} {split[:5]} NHITS seed {seed}: sMAPE {scores['smape']:.3f}  MASE {scores['mase']:.3f}  "
              f"OWA {scores['owa']:.3f}  fit {out['fit_seconds']:.1f} s (CPU {out['fit_cpu_seconds']:.1f} s)",
              flush=True)
    entry = m4.summarize({"n_series": len(ids), "n_jobs": 1, "measured": time.strftime("%Y-%m-%d %H:%M"),
                          "cpus": os.cpu_count(), "load_average": os.getloadavg()[0], "peer": True,
                          "description": "neuralforecast NHITS, one global model (benchmark-only peer, separate venv)",
                          "config": {**NHITS_PARAMS, "random_seed": "per seed", "threads": threads},
                          "environment": out["environment"]}, runs)
    return entry


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--worker", nargs=2, type=Path, metavar=("TRAIN_CSV", "OUT_JSON"), help=argparse.SUPPRESS)
    parser.add_argument("--split", choices=["validation", "test"], default="validation")
    parser.add_argument("--seeds", type=int, default=1, help="runs (seeds K..K+N-1)")
    parser.add_argument("--first-seed", "--seed", dest="first_seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2, help="torch intra-op threads")
    parser.add_argument("--origin", type=int, default=1,
                        help="with --split validation: forecast origin (1: the last 13 training weeks; 2: the 13 "
                             "before them)")
    parser.add_argument("--data", type=Path, default=Path(os.environ.get("TSFORECAST_M4_DIR", REPO.parent / "shared"
                                                                             / "data" / "m4")))
    parser.add_argument("--nf-python", type=Path, default=NF_PYTHON, help="python of the venv with neuralforecast")
    parser.add_argument("--json", type=Path, default=REPO / "reports" / "m4.json")
    parser.add_argument("--md", type=Path, default=REPO / "reports" / "m4.md")
    args = parser.parse_args(argv)
    if args.seeds < 1 or args.threads < 1 or args.origin < 1:
        parser.error(f"--seeds, --threads and --origin must be at least 1; got {args.seeds}, {args.threads} and "
                     f"{args.origin}")
    if args.origin != 1 and args.split != "validation":
        parser.error(f"--origin goes with --split validation (the test has one origin); got --split {args.split}")
    if args.worker:
        fit_predict(*args.worker, seed=args.first_seed, threads=args.threads)
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import _test_log
    import m4

    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    entry = peer_entry(args.split, seeds, args.threads, args.data, args.nf_python, args.origin)
    if args.split == "validation":
        entry["origin"] = args.origin
        content = m4.merge_json(args.json, SUBSET, {m4.origin_key(m4.PEER_LABEL, args.origin): entry},
                                section="validation", seeds=True)
    else:
        log = _test_log.entry(REPO, SUBSET, MODEL, {MODEL: {"owa": entry["owa"], "seeds": seeds}},
                              n_series=entry["n_series"], config=entry["config"])
        content = m4.merge_json(args.json, SUBSET, {MODEL: entry}, test_run=log, seeds=True)
    args.md.write_text(m4.render_markdown(content))
    print(f"wrote {args.json} and {args.md}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
