"""Why our AutoARIMA and statsforecast's choose different orders: the search mode.

On the validation split of the first N M4 Hourly series (the test file is not read) this
fits our AutoARIMA with R's and statsforecast's KPSS level (``kpss_alpha=0.05``, so both
sides difference alike) and statsforecast's ``AutoARIMA(season_length=24,
approximation=True)``: the search R's ``auto.arima`` runs on series longer than 150 or
seasons over 12 (candidates by conditional sum of squares, the choice refitted by
maximum likelihood). It prints, per series, both choices beside the one statsforecast's
default (``approximation=False``: every candidate fitted by exact likelihood) made in
``reports/auto_arima.json``'s validation entry, and how many agree.

With ``--aicc`` it prints instead, for each series where our orders differ from that
default's, the AICc difference (ours less theirs) of the two orders by both
implementations' CSS approximations (ours: ``fit_css``; statsforecast: ``myarima`` with
its offset, the criterion its ``approximation=True`` search ranks by) and by
statsforecast's exact likelihood (``approximation=False``, its default's criterion).

With ``--exact`` it fits nothing: it sets the orders of our ``method="exact"`` search (every
candidate by exact likelihood, ``kpss_alpha=0.05`` as statsforecast), recorded by
``benchmarks/auto_arima.py --validation --variants "method='exact', kpss_alpha=0.05"``,
beside statsforecast's default choices recorded in the same validation entry.
With ``--refused`` it fits statsforecast's recorded default choices by our CSS then exact
maximum likelihood and prints the log-likelihood at the CSS coefficients and at the
optimum, the smallest AR/MA root there and whether our search refuses the model (a root
within 1.01 of the unit circle, R's rule).

With ``--trace H6 H16 ...`` it runs statsforecast's default search on those validation
series with every candidate's AICc recorded (its ``myarima`` wrapped) and prints them
beside the AICc our search gives the same candidate by ``method="css-loglik-filter"``
(exact likelihood at the CSS coefficients) and ``"css-loglik-r"`` (R's likelihood:
AS 154 start, diffuse differences); "-" where our search did not visit it, ``inf`` where
a side refused it.

Run with statsforecast installed (``/work/venv-bench`` here)::

    PYTHONPATH=$PWD TSFORECAST_M4_DIR=... python benchmarks/auto_arima_choice.py --series 20
"""

from __future__ import annotations

import argparse
import json
import math
import re
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.auto_arima import PEER, SUBSETS, _ours_with_orders, _theirs_with_orders  # noqa: E402
from benchmarks.stats_models import load  # noqa: E402
from tsforecast.baselines._arima_fit import criterion, fit_css  # noqa: E402
from tsforecast.baselines.auto_arima import _constant_columns  # noqa: E402


def _parse(text: str) -> tuple[tuple, str]:
    """``"(p,d,q)(P,D,Q) constant"`` -> the six orders and the constant."""
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    return tuple(numbers[:6]), "drift" if "drift" in text else "mean" if "mean" in text else ""


def _statsforecast_aicc(x, orders, kind, season, offset=None) -> float:
    """statsforecast's AICc of one model: by CSS with ``offset``, or by exact likelihood without it."""
    from statsforecast.arima import myarima

    fit = myarima(x, orders[:3], {"order": orders[3:], "period": season}, constant=bool(kind), ic="aicc",
                  approximation=offset is not None, offset=offset or 0)
    return fit.get("ic", math.inf)


def aicc_table(train, ids, default: dict, season: int) -> None:
    """Per series whose choice differs: the two orders' AICc differences by each criterion."""
    from statsforecast.arima import arima

    groups = {key: g["y"].to_numpy(dtype=np.float64) for key, g in train.groupby("unique_id", sort=False)}
    _, ours = _ours_with_orders(season, {"kpss_alpha": 0.05}, train, ids, SUBSETS["Hourly"]["horizon"])
    print("| series | ours | statsforecast default | dAICc CSS, ours | dAICc CSS, statsforecast | dAICc exact, "
          "statsforecast |")
    print("|---|---|---|---|---|---|")
    for key, mine in zip(ids, ours):
        theirs = default.get(key)
        if theirs is None or theirs == mine:
            continue
        x = groups[key]
        (o1, k1), (o2, k2) = _parse(mine), _parse(theirs)
        null = arima(x, order=(0, o1[1], 0), seasonal={"order": (0, o1[4], 0), "period": season})
        offset = -2 * null["loglik"] - x.size * math.log(null["sigma2"])
        none = np.zeros((x.size, 0))
        css = [criterion(fit_css(x, _constant_columns(k, 0, x.size, none), o, season), "aicc") for o, k in
               ((o1, k1), (o2, k2))]
        theirs_css = [_statsforecast_aicc(x, o, k, season, offset) for o, k in ((o1, k1), (o2, k2))]
        exact = [_statsforecast_aicc(x, o, k, season) for o, k in ((o1, k1), (o2, k2))]
        print(f"| {key} | {mine} | {theirs} | {css[0] - css[1]:.2f} | {theirs_css[0] - theirs_css[1]:.2f} | "
              f"{exact[0] - exact[1]:.2f} |", flush=True)


#: The validation entry of our exact-likelihood search with statsforecast's KPSS level.
EXACT = "method='exact', kpss_alpha=0.05"


def exact_table(recorded: dict, default: dict) -> None:
    """Our exact-likelihood choices beside statsforecast's default ones, both as recorded."""
    entry = recorded.get("variants", {}).get(EXACT)
    if entry is None or not default:
        raise SystemExit(f"run benchmarks/auto_arima.py --validation --variants \"{EXACT}\" (and the peer) first")
    ids = recorded["series"]
    print(f"| series | ours, {EXACT} | statsforecast default (exact likelihood) |")
    print("|---|---|---|")
    for key, mine in zip(ids, entry["orders"]):
        print(f"| {key} | {mine} | {default.get(key)}{'' if default.get(key) == mine else ' (differs)'} |")
    same = sum(default.get(k) == a for k, a in zip(ids, entry["orders"]))
    peer = recorded["variants"][PEER]
    print(f"\nsame orders: {same} of {len(ids)}; validation MASE ours {entry['mase']}, statsforecast {peer['mase']}; "
          f"CPU s ours {entry['cpu_seconds']}, statsforecast {peer['cpu_seconds']}")


def refused_table(train, ids, default: dict, season: int) -> None:
    """Per series, statsforecast's default choice fitted by our CSS then exact maximum
    likelihood: the log-likelihood at the CSS coefficients and at the optimum, and the
    smallest root there (below 1.01 the search refuses the model, as R's does)."""
    from tsforecast.baselines._arima_fit import _min_model_root
    from tsforecast.baselines._arima_ml import exact_loglik, fit_ml

    groups = {key: g["y"].to_numpy(dtype=np.float64) for key, g in train.groupby("unique_id", sort=False)}
    print("| series | statsforecast default | loglik at CSS | loglik at ML | smallest root at ML | refused |")
    print("|---|---|---|---|---|---|")
    refused = 0
    for key in ids:
        orders, kind = _parse(default[key])
        x = groups[key]
        z = _constant_columns(kind, 0, x.size, np.zeros((x.size, 0)))
        css = fit_css(x, z, orders, season)
        ml = fit_ml(css, x, z)
        root = _min_model_root(ml["coef"], orders, season)
        refused += not math.isfinite(ml["aicc"])
        print(f"| {key} | {default[key]} | {exact_loglik(css, x, z):.1f} | {ml.get('loglik', math.nan):.1f} | "
              f"{root:.4f} | {'yes' if not math.isfinite(ml['aicc']) else ''} |", flush=True)
    print(f"\nrefused by our exact search: {refused} of {len(ids)}")


def trace_table(train, keys: list[str], season: int) -> None:
    """statsforecast's default search on each series of ``keys``, candidate by candidate,
    beside our two likelihood rankings' AICc of the same candidates."""
    import statsforecast.arima as sfa

    from tsforecast.baselines.auto_arima import _REFINE, AutoARIMA, _Search

    groups = {key: g["y"].to_numpy(dtype=np.float64) for key, g in train.groupby("unique_id", sort=False)}
    original = sfa.myarima
    for key in keys:
        x, visited = groups[key], []

        def recorded(*args, **kwargs):
            fit = original(*args, **kwargs)
            order, seasonal = kwargs["order"], kwargs["seasonal"]["order"]
            visited.append(((order[0], order[2], seasonal[0], seasonal[2], bool(kwargs["constant"])), fit["ic"]))
            return fit

        sfa.myarima = recorded
        try:
            chosen = sfa.auto_arima_f(x, period=season, approximation=False)["arma"]
        finally:
            sfa.myarima = original
        ours = {}
        for method in ("css-loglik-filter", "css-loglik-r"):
            model, none = AutoARIMA(season_length=season), np.zeros((x.size, 0))
            constant_ok, d, big_d = model._differences(x, none)
            search = _Search(x, none, season, d, big_d, model._limits(x.size, season), constant_ok, "aicc",
                             _REFINE[method])
            search.run()
            ours[method] = {k: v["score"] for k, v in search.tried.items()}
            ours[method + " choice"] = search.best_key
        print(f"\n{key}: statsforecast chose (p, q, P, Q) = {chosen[:4]}; ours by css-loglik-filter "
              f"{ours['css-loglik-filter choice']}, by css-loglik-r {ours['css-loglik-r choice']} "
              "(p, q, P, Q, constant)\n")
        print("| candidate (p, q, P, Q, constant) | statsforecast | css-loglik-filter | css-loglik-r |")
        print("|---|---|---|---|")
        for candidate, aicc in visited:
            cells = [f"{ours[m][candidate]:.2f}" if candidate in ours[m] else "-"
                     for m in ("css-loglik-filter", "css-loglik-r")]
            print(f"| {candidate} | {aicc:.2f} | {cells[0]} | {cells[1]} |", flush=True)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=20, help="the first N Hourly series")
    parser.add_argument("--aicc", action="store_true", help="the AICc differences where the choices differ")
    parser.add_argument("--refused", action="store_true",
                        help="statsforecast's default choices fitted by our exact maximum likelihood: refused or not")
    parser.add_argument("--exact", action="store_true",
                        help="our method='exact' orders (recorded) beside statsforecast's default (recorded)")
    parser.add_argument("--trace", nargs="+", metavar="SERIES",
                        help="statsforecast's search on these series beside our two likelihood rankings")
    args = parser.parse_args(argv)
    horizon, season = SUBSETS["Hourly"]["horizon"], SUBSETS["Hourly"]["season"]
    train, ids, _, _ = load("Hourly", args.series, validation=True)
    recorded = json.loads((REPO / "reports" / "auto_arima.json").read_text())["validation"].get(str(args.series), {})
    default = dict(zip(recorded.get("series", []), recorded.get("variants", {}).get(PEER, {}).get("orders", [])))
    if args.trace:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            trace_table(train, args.trace, season)
        return
    if args.exact:
        exact_table(recorded, default)
        return
    if args.refused:
        refused_table(train, ids, default, season)
        return
    if args.aicc:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            aicc_table(train, ids, default, season)
        return
    start = time.process_time()
    _, ours = _ours_with_orders(season, {"kpss_alpha": 0.05}, train, ids, horizon)
    ours_cpu = time.process_time() - start
    _, approx = _theirs_with_orders(season, train, ids, horizon, approximation=True)
    approx_cpu = time.process_time() - start - ours_cpu
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
