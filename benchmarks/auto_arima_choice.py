"""Why our AutoARIMA and statsforecast's choose different orders: the search mode.

On the validation split of the first N M4 Hourly series (the test file is not read) this
fits our AutoARIMA with R's and statsforecast's KPSS level (``kpss_alpha=0.05``, so both
sides difference alike) and statsforecast's ``AutoARIMA(season_length=24,
approximation=True)``: the search R's ``auto.arima`` runs on series longer than 150 or
seasons over 12 (candidates by conditional sum of squares, the choice refitted by
maximum likelihood). It prints, per series, both choices beside the one statsforecast's
default (``approximation=False``: every candidate fitted by exact likelihood) made in
``reports/auto_arima.json``'s validation entry, and how many agree.

Run with statsforecast installed (``/work/venv-bench`` here)::

    PYTHONPATH=$PWD TSFORECAST_M4_DIR=... python benchmarks/auto_arima_choice.py --series 20
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.auto_arima import PEER, SUBSETS, _ours_with_orders, _theirs_with_orders  # noqa: E402
from benchmarks.stats_models import load  # noqa: E402


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=20, help="the first N Hourly series")
    args = parser.parse_args(argv)
    horizon, season = SUBSETS["Hourly"]["horizon"], SUBSETS["Hourly"]["season"]
    train, ids, _, _ = load("Hourly", args.series, validation=True)
    start = time.process_time()
    _, ours = _ours_with_orders(season, {"kpss_alpha": 0.05}, train, ids, horizon)
    ours_cpu = time.process_time() - start
    _, approx = _theirs_with_orders(season, train, ids, horizon, approximation=True)
    approx_cpu = time.process_time() - start - ours_cpu
    recorded = json.loads((REPO / "reports" / "auto_arima.json").read_text())["validation"].get(str(args.series), {})
    default = dict(zip(recorded.get("series", []), recorded.get("variants", {}).get(PEER, {}).get("orders", [])))
    print("| series | ours | statsforecast, approximation=True | statsforecast default (exact likelihood) |")
    print("|---|---|---|---|")
    for key, a, b in zip(ids, ours, approx):
        print(f"| {key} | {a} | {b}{'' if a == b else ' (differs)'} | {default.get(key, 'not recorded')} |")
    same = sum(a == b for a, b in zip(ours, approx))
    same_default = sum(default.get(k) == a for k, a in zip(ids, ours))
    print(f"\nsame orders as statsforecast approximation=True: {same} of {len(ids)}; as its default: "
          f"{same_default} of {len(ids)}; CPU s ours {ours_cpu:.1f}, statsforecast approximation=True {approx_cpu:.1f}")


if __name__ == "__main__":
    main()
