"""Our seasonal automatic ARIMA beside statsforecast's AutoARIMA on M4 Hourly and Weekly.

Both sides fit the training part of the first ``--series`` series of the ``--subset``
(Hourly: season 24, 48 steps; Weekly: season 52, 13 steps) and are scored with
:mod:`tsforecast.core.metrics` (sMAPE, MASE with M4's season, 24 or 1, OWA relative to our
Naive2 on the same series). Times are wall seconds of
fit + predict, ``n_jobs=1`` on both sides, and the CPU seconds of the process over the
same span (the fairer figure on a shared, loaded machine); the load average, the CPU and both libraries'
versions are recorded. Each run on the test data is appended to the JSON's
``test_runs``. Writes ``reports/auto_arima.json`` and renders ``reports/auto_arima.md``
from it alone.

Run in the benchmark venv (statsforecast installed), from the repository root::

    export TSFORECAST_M4_DIR=/work/shared/data/m4
    PYTHONPATH=$PWD nice -n 10 /work/venv-bench/bin/python benchmarks/auto_arima.py --series 20

``--sides ours`` or ``--sides statsforecast`` runs one side only and keeps the other
side's latest figures for the same series (the peer takes minutes: run it once).

``--validation`` scores our variants (``VARIANTS``: the method, the criterion, the full
search, the differencing rules) on the last horizon of each training series instead (the
test file is not read), with each series' MASE and chosen orders, and stores them under
``validation`` (``validation_weekly``); the default is chosen there, before the one test
run. ``--validation --sides statsforecast`` adds statsforecast's AutoARIMA there too.
Every run re-reads the JSON under a lock and adds or replaces its own entries only, so
runs of other subsets, sizes or variants, finished before or at the same time, stay.

``--first K --series N`` runs the series ``K`` to ``K + N - 1`` only, a chunk: the peer's
AutoARIMA takes about 46 CPU seconds a series here (5 h for the 414 Hourly ones), so it is
run on the whole subset in chunks, one or two at a time, each a logged test run stored under
``chunks``. ``--chunk 10`` cuts the range into chunks of 10 and skips the series stored
chunks already cover, so that a stopped run goes on where it stopped::

    python benchmarks/auto_arima.py --sides statsforecast --first 0 --series 207 --chunk 10 &
    python benchmarks/auto_arima.py --sides statsforecast --first 207 --series 207 --chunk 10 The report sets the chunks' per-series scores beside our run on the whole
subset, on the series they cover so far, and on all of them once every series is covered.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks import _test_log  # noqa: E402
from benchmarks._report import update_report  # noqa: E402
from benchmarks.stats_models import environment, load, measured, run_ours, score  # noqa: E402
from tsforecast import baselines  # noqa: E402
from tsforecast.core.metrics import mase, owa, smape  # noqa: E402
from tsforecast.models.trials import clearly_positive  # noqa: E402

OUT = REPO / "reports" / "auto_arima"
#: Per subset: the horizon, the models' season and M4's season of MASE and Naive2.
SUBSETS = {"Hourly": {"horizon": 48, "season": 24, "mase_season": 24},
           "Weekly": {"horizon": 13, "season": 52, "mase_season": 1}}
SIDES = ("ours", "statsforecast")
#: The parameters of our AutoARIMA that decide its search and forecasts: each test run of
#: ours records them, so that a row measured under earlier defaults says so.
SETTINGS = ("d", "D", "max_p", "max_q", "max_P", "max_Q", "max_d", "max_D", "seasonal_test", "kpss_alpha",
            "max_order", "stepwise", "ic", "method")


#: How our stepwise search fits its candidates, recorded with each of our entries. Since
#: 2026-12-06 each CSS fit starts from zero and from the coefficients of the model the
#: search moves around, keeping the lower sum of squares, and where the null model without
#: the constant wins among the starting models, the moves keep the constant (R's rule).
SEARCH = "zero and neighbour starts; the constant kept after the null model"
#: Our earlier searches, by the ``search`` their entries recorded (None: not recorded, from
#: before 2026-12-06): each one's mark in the validation tables and what it did otherwise.
EARLIER_SEARCHES = {
    None: ("†", "each candidate's CSS fit started from zero only (since 2026-12-06 also from the neighbour's "
                "coefficients)"),
    "zero and neighbour starts": ("‡", "where the null model without the constant won among the starting models, "
                                       "the moves dropped the constant (on 2026-12-06 until R's rule was followed: "
                                       "they keep it)"),
}
#: The validation entry of the defaults until 2026-12-06 (CSS fits from zero only, the
#: code of af3f3a1): the ``CURRENT`` entry of then, kept under this name when ``CURRENT``
#: was scored again with both starts.
ONE_START = "max_d=1 (css-loglik-filter), zero start"
#: The validation entry of our defaults until 2026-12-05 (``method="css"``; since then the
#: default is ``"css-loglik-filter"``, :data:`PREVIOUS`, and then with ``max_d=1``, :data:`CURRENT`).
DEFAULT = "defaults (kpss_alpha=0.025)"
#: The entry of the defaults until 2026-12-04 (``kpss_alpha=0.05``): the reference of the
#: variants' gains where it was scored.
FORMER = "method='css' (default)"
#: The defaults' entry from 2026-12-05 (``max_d=1``), and the one before it (``max_d=2``, R's).
CURRENT, PREVIOUS = "max_d=1 (css-loglik-filter)", "method='css-loglik-filter'"
#: Our variants compared on the validation split (parameters besides the season). Those
#: scored while R's ``max_d=2`` was our default keep it, so that a rerun measures what they
#: measured.
VARIANTS = {name: {"max_d": 2, **params} for name, params in {
    DEFAULT: {"method": "css"},
    "kpss_alpha=0.05": {"kpss_alpha": 0.05},
    "method='css-ml'": {"method": "css-ml"},
    "method='css-refit'": {"method": "css-refit"},
    "method='exact'": {"method": "exact"},
    "method='exact', kpss_alpha=0.05": {"method": "exact", "kpss_alpha": 0.05},
    "ic='aic'": {"ic": "aic"},
    "ic='bic'": {"ic": "bic"},
    "stepwise=False": {"stepwise": False},
    "max_d=1": {"max_d": 1},
    "kpss_alpha=0.01": {"kpss_alpha": 0.01},
    "seasonal_test='ocsb'": {"seasonal_test": "ocsb"},
    "method='css-filter'": {"method": "css-filter"},
    PREVIOUS: {"method": "css-loglik-filter"},
    "method='css-loglik-r'": {"method": "css-loglik-r"},
    # one difference at most: on long trending series d = 2 extrapolates the latest slope
    CURRENT: {"method": "css-loglik-filter", "max_d": 1},
}.items()}


def settings() -> dict:
    """Our AutoARIMA's :data:`SETTINGS` at their current defaults."""
    params = baselines.AutoARIMA().get_params()
    return {name: params[name] for name in SETTINGS}


def _validation_key(subset: str) -> str:
    """The JSON section of a subset's validation runs (Hourly's kept its first name)."""
    return "validation" if subset == "Hourly" else f"validation_{subset.lower()}"


def run_validation(n_series: int, names: list[str], subset: str = "Hourly", peer: bool = False) -> dict:
    """Each of ``names`` (of ``VARIANTS``), and statsforecast's AutoARIMA if ``peer``, on the
    validation split of the first ``n_series`` series, with each series' MASE and chosen orders."""
    horizon, season, mase_season = (SUBSETS[subset][k] for k in ("horizon", "season", "mase_season"))
    train, ids, rows, actual = load(subset, n_series, validation=True)
    naive2_forecast, _ = run_ours(baselines.Naive2(mase_season), train, ids, horizon)
    naive2 = (float(smape(actual, naive2_forecast)), float(mase(actual, naive2_forecast, rows, mase_season)))
    runs = [(name, lambda params=VARIANTS[name]: _ours_with_orders(season, params, train, ids, horizon))
            for name in names]
    if peer:
        _theirs_with_orders(season, train[train["unique_id"] == ids[0]].tail(season * 10), ids[:1], horizon)  # numba
        runs.append((PEER, lambda: _theirs_with_orders(season, train, ids, horizon)))
    out = {name: _scored(name, fit, actual, rows, mase_season, naive2) for name, fit in runs}
    for name in names:
        out[name]["search"] = SEARCH
    return {"naive2": {"smape": round(naive2[0], 4), "mase": round(naive2[1], 4)}, "series": ids, "variants": out}


def _scored(label: str, fit, actual, rows, mase_season: int, naive2) -> dict:
    """``fit()`` (returning forecasts and orders) timed and scored, with each series' MASE
    and chosen orders (to compare the two sides series by series); printed under ``label``."""
    cpu, start = time.process_time(), time.perf_counter()
    forecast, orders = fit()
    seconds = time.perf_counter() - start
    entry = {**score(actual, forecast, rows, mase_season, naive2), "seconds": round(seconds, 2),
             "cpu_seconds": round(time.process_time() - cpu, 2), "load_average": round(os.getloadavg()[0], 2),
             "mase_per_series": [round(float(v), 4) for v in mase(actual, forecast, rows, mase_season, reduce="series")],
             "smape_per_series": [round(float(v), 4) for v in smape(actual, forecast, reduce="series")],
             "orders": orders}
    print(label, {k: v for k, v in entry.items() if not k.endswith("_per_series") and k != "orders"}, flush=True)
    return entry


#: The validation entry of statsforecast's AutoARIMA (``--validation --sides statsforecast``).
PEER = "statsforecast AutoARIMA"


def _order_text(p, d, q, big_p, big_d, big_q, constant) -> str:
    """``"(p,d,q)(P,D,Q) constant"``, the form both sides' orders are stored in."""
    return f"({p},{d},{q})({big_p},{big_d},{big_q}) {constant}".strip()


def _ours_with_orders(season: int, params: dict, train, ids, horizon):
    model = baselines.AutoARIMA(season_length=season, **params)
    forecast, _ = run_ours(model, train, ids, horizon)
    frame = model.orders_.loc[ids]
    orders = [_order_text(*(int(r[k]) if r[k] == r[k] else "-" for k in ("p", "d", "q", "P", "D", "Q")), r["constant"])
              for _, r in frame.iterrows()]
    return forecast, orders


def _theirs_with_orders(season: int, train, ids, horizon, **params):
    """statsforecast's AutoARIMA (with ``params``) fitted series by series (what
    ``StatsForecast.forecast`` does), keeping orders."""
    from statsforecast.models import AutoARIMA

    forecasts, orders = [], []
    groups = {key: g["y"].to_numpy(dtype=np.float64) for key, g in train.groupby("unique_id", sort=False)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key in ids:
            model = AutoARIMA(season_length=season, **params).fit(groups[key])
            forecasts.append(model.predict(horizon)["mean"])
            p, q, big_p, big_q, _, d, big_d = model.model_["arma"]
            coef = model.model_["coef"]
            constant = "drift" if "drift" in coef else "mean" if "intercept" in coef else ""
            orders.append(_order_text(p, d, q, big_p, big_d, big_q, constant))
    return np.stack(forecasts), orders


def run(n_series: int, sides: list[str], subset: str = "Hourly", first: int = 0) -> dict:
    """Both ``sides`` (each timed and scored) on the ``n_series`` series of ``subset`` from
    the ``first`` one (0-based)."""
    horizon, season, mase_season = (SUBSETS[subset][k] for k in ("horizon", "season", "mase_season"))
    train, ids, rows, actual = load(subset, first + n_series)
    if first:
        ids, rows, actual = ids[first:], rows[first:], actual[first:]
        train = train[train["unique_id"].isin(ids)].reset_index(drop=True)
    naive2_forecast, _ = run_ours(baselines.Naive2(mase_season), train, ids, horizon)
    naive2 = (float(smape(actual, naive2_forecast)), float(mase(actual, naive2_forecast, rows, mase_season)))
    warm = train[train["unique_id"] == ids[0]].tail(season * 10)
    # each side fits series by series with its defaults, keeping the orders it chose
    fits = {"ours": lambda data, keys: _ours_with_orders(season, {}, data, keys, horizon),
            "statsforecast": lambda data, keys: _theirs_with_orders(season, data, keys, horizon)}
    out = {}
    for side in sides:
        fits[side](warm, ids[:1])  # compile numba kernels (both sides) before timing
        try:
            out[side] = _scored(side, lambda: fits[side](train, ids), actual, rows, mase_season, naive2)
        except Exception as error:  # noqa: BLE001 - a failing side is reported, not hidden
            out[side] = {"error": f"{type(error).__name__}: {error}"[:300]}
            print(side, out[side], flush=True)
    return {"naive2": {"smape": round(naive2[0], 4), "mase": round(naive2[1], 4)}, "sides": out}


def render(document: dict) -> str:
    env = document["environment"]
    lines = ["# Seasonal automatic ARIMA: tsforecast beside statsforecast on M4", "",
             "Generated by `benchmarks/auto_arima.py` from `reports/auto_arima.json` (do not edit by hand).",
             "Hourly: season 24, h = 48, MASE season 24; Weekly: season 52, h = 13, MASE season 1 (M4's). "
             "`n_jobs=1`; seconds are wall time of fit + predict, CPU seconds those of "
             "the process over the same span (on a shared machine the fairer figure). Environment of the latest "
             "run: Python "
             f"{env['python']}, statsforecast {env['statsforecast']}, statsmodels {env['statsmodels']}, numba "
             f"{env['numba']}, numpy {env['numpy']}, pandas {env['pandas']}; {env['cpu']}, {env['cpus']} CPUs "
             "shared with other jobs (load average per row; a row measured since 2026-12-05 names its CPU where "
             "it differs).", ""]
    runs = [(subset, n, result) for subset, by_size in document["subsets"].items()
            for n, result in sorted(by_size.items(), key=lambda item: int(item[0]))]
    for subset, n_series, result in runs:
        lines += [f"## {subset}: first {n_series} series", "",
                  f"OWA relative to our Naive2 on the same series (sMAPE {result['naive2']['smape']:.3f}, "
                  f"MASE {result['naive2']['mase']:.3f}).", "",
                  "| model | sMAPE | MASE | OWA | seconds | CPU seconds | load | measured |",
                  "|---|---|---|---|---|---|---|---|"]
        for side, label in (("ours", "tsforecast AutoARIMA"), ("statsforecast", "statsforecast AutoARIMA")):
            entry = result["sides"].get(side)
            if entry is None:
                continue
            if "error" in entry:
                lines.append(f"| {label} | failed: {entry['error']} | | | | | | {_measured_at(entry, env)} |")
                continue
            lines.append(f"| {label} | {entry['smape']:.3f} | {entry['mase']:.4f} | {entry['owa']:.3f} | "
                         f"{entry['seconds']:.1f} | {entry['cpu_seconds']:.1f} | {entry['load_average']:.1f} | "
                         f"{_measured_at(entry, env)} |")
        lines += ["", *_settings_line(result["sides"].get("ours", {})),
                  *_peer_line(*(result["sides"].get(side, {}) for side in SIDES))]
    for subset, n_series, result in _validations(document):
        last = "48 hours" if subset == "Hourly" else f"{SUBSETS[subset]['horizon']} steps"
        lines += [f"## {subset}, validation split: our variants on the first {n_series} series", "",
                  f"The last {last} of each training series play the test (the test file is not read); "
                  f"OWA relative to our Naive2 there (sMAPE {result['naive2']['smape']:.3f}, MASE "
                  f"{result['naive2']['mase']:.3f}). The default is chosen here, before the test run.", "",
                  f"MASE gain: the MASE of {_LABELS[_base(result)]} less the variant's, mean over series ± two "
                  "standard errors (\"clearly\": beyond them, as `tsforecast.models.trials.clearly_positive`)"
                  + ("; each variant there changes only its named parameter from them." if _base(result) == FORMER
                     else "."),
                  *_footnotes(result),
                  "", "| variant | sMAPE | MASE | OWA | MASE gain | seconds | CPU seconds | load | measured |",
                  "|---|---|---|---|---|---|---|---|---|"]
        base = result["variants"].get(_base(result), {}).get("mase_per_series")
        lines += [f"| {_label(name, e)} | {e['smape']:.3f} | {e['mase']:.4f} | {e['owa']:.3f} | "
                  f"{_gain(base, e, name == _base(result))} | "
                  f"{e['seconds']:.1f} | {e['cpu_seconds']:.1f} | {e['load_average']:.1f} | {measured(e, env)} |"
                  for name, e in result["variants"].items()]
        lines += ["", *_paired_lines(result),
                  *_peer_line(*(result["variants"].get(name, {}) for name in (CURRENT, PEER)))]
    lines += _chunk_sections(document)
    lines += [f"Runs on the test data logged in the JSON: {len(document.get(_test_log.SECTION, []))}.", ""]
    return "\n".join(lines)


#: How the report names the defaults' entries.
_LABELS = {DEFAULT: "the defaults until 2026-12-05 (method='css', kpss_alpha=0.025)",
           FORMER: "the former defaults (method='css', kpss_alpha=0.05)",
           PREVIOUS: "method='css-loglik-filter' (with max_d=2: the defaults on 2026-12-05 until 11:30 UTC)",
           CURRENT: "the defaults (method='css-loglik-filter', max_d=1)",
           ONE_START: "the defaults until 2026-12-06 (method='css-loglik-filter', max_d=1)"}


def _label(name: str, entry: dict) -> str:
    """A validation row's name, marked where it was scored with an earlier search (:data:`EARLIER_SEARCHES`)."""
    older = name != PEER and entry.get("search") != SEARCH
    return _LABELS.get(name, name) + (f" {EARLIER_SEARCHES[entry.get('search')][0]}" if older else "")


def _footnotes(result: dict) -> list[str]:
    """A line for each mark of an earlier search in a validation table, saying what it did."""
    used = {entry.get("search") for name, entry in result["variants"].items() if name != PEER} - {SEARCH}
    return [line for search, (mark, what) in EARLIER_SEARCHES.items() if search in used
            for line in ("", f"{mark}: scored with an earlier search, in which {what}.")]


def _base(result: dict) -> str:
    """The entry the gains are measured from: the former defaults where they were scored."""
    return FORMER if FORMER in result["variants"] else DEFAULT


def _gain(base, entry: dict, is_base: bool) -> str:
    """The variant's paired MASE gain over the default's ``base`` ("" without per-series scores of both)."""
    if is_base or base is None or len(entry.get("mase_per_series", ())) != len(base):
        return ""
    gain = np.asarray(base) - np.asarray(entry["mase_per_series"])
    verdict = " clearly better" if clearly_positive(gain, 1) else " clearly worse" if clearly_positive(-gain, 1) else ""
    return f"{gain.mean():+.4f} ± {2 * gain.std(ddof=1) / np.sqrt(gain.size):.4f}{verdict}"


def _paired_lines(result: dict) -> list[str]:
    """The defaults' paired MASE gain over the same search fitting from zero only, and
    (both from zero) ``max_d=1`` over R's ``max_d=2``, where scored on the same series."""
    variants = result["variants"]
    one_start = ONE_START if ONE_START in variants else CURRENT  # CURRENT fitted from zero until then
    zero_only = "search" not in variants.get(one_start, {})  # else no zero-start max_d=1 to compare
    return [*_paired(variants, CURRENT, ONE_START, "The defaults against the same search fitting each candidate from "
                     "zero only (until 2026-12-06)"),
            *(_paired(variants, one_start, PREVIOUS, "With CSS from zero only, `max_d=1` against R's `max_d=2`")
              if zero_only else [])]


def _paired(variants: dict, now: str, before: str, text: str) -> list[str]:
    """``text``: the paired MASE gain of ``now`` over ``before``, and the series each way."""
    if now == before or now not in variants or before not in variants:
        return []
    a, b = (variants[name].get("mase_per_series") for name in (now, before))
    if a is None or b is None or len(a) != len(b):
        return []
    gain = np.asarray(b) - np.asarray(a)
    changed = sum(x != y for x, y in zip(variants[now].get("orders", ()), variants[before].get("orders", ())))
    return [f"{text}: MASE gain {_gain(b, variants[now], False)}; better on {int((gain > 0).sum())} series, "
            f"worse on {int((gain < 0).sum())}; orders changed on {changed}.", ""]


def _measured_at(entry: dict, env: dict) -> str:
    """When (and where) a test-run row was measured, and the commit of the code that ran."""
    return measured(entry, env) + (f", {entry['commit']}" if "commit" in entry else "")


def _settings_line(ours: dict) -> list[str]:
    """Whether our row ran with the current defaults, and which settings differed if not
    (a row measured before they were recorded says so)."""
    if not ours:
        return []
    if "params" not in ours:
        return ["Our row's settings were not recorded (it ran before they were; its code is that of the commit "
                "named, or of the test run logged at that time).", ""]
    now = settings()
    changed = [f"{name}={ours['params'][name]!r} (now {now[name]!r})" for name in SETTINGS
               if ours["params"].get(name) != now[name]]
    source = f" ({ours['params_source']})" if "params_source" in ours else ""
    if ours.get("search") != SEARCH:
        changed.append(EARLIER_SEARCHES[ours.get("search")][1])
    if not changed:
        return [f"Our row ran with the current defaults{source}.", ""]
    return [f"Our row ran with earlier defaults{source}: {', '.join(changed)}.", ""]


def _peer_line(ours: dict, theirs: dict) -> list[str]:
    """How far our search follows statsforecast's on the same series: the series where both
    chose the same orders, their forecasts' agreement there, and the MASE of each side on the
    others (where the two searches parted); nothing unless both entries have orders."""
    if "orders" not in ours or "orders" not in theirs or len(ours["orders"]) != len(theirs["orders"]):
        return []
    same = np.asarray([a == b for a, b in zip(ours["orders"], theirs["orders"])])
    mine, peer = np.asarray(ours["mase_per_series"]), np.asarray(theirs["mase_per_series"])
    line = f"Our orders against statsforecast's: the same on {int(same.sum())} of {same.size} series"
    if same.any():
        line += f" (largest MASE difference there {np.abs(mine - peer)[same].max():.4f})"
    if not same.all():
        line += (f"; on the other {int((~same).sum())}, where the two searches parted, mean MASE "
                 f"{mine[~same].mean():.4f} ours, {peer[~same].mean():.4f} theirs")
    return [line + ".", ""]


def _validations(document: dict) -> list:
    """``(subset, n_series, result)`` of every validation run in the JSON, Hourly first."""
    return [(subset, n_series, result) for subset in SUBSETS
            for n_series, result in sorted(document.get(_validation_key(subset), {}).items(),
                                           key=lambda item: int(item[0]))]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=20, help="the first N series of the subset")
    parser.add_argument("--subset", default="Hourly", choices=list(SUBSETS))
    parser.add_argument("--sides", nargs="+", choices=SIDES,
                        help="default: both on the test; with --validation ours only (statsforecast: its row too)")
    parser.add_argument("--validation", action="store_true",
                        help="our variants on the last horizon of each training series (no test data)")
    parser.add_argument("--variants", nargs="*", default=list(VARIANTS), choices=list(VARIANTS),
                        help="with --validation: the variants to score")
    parser.add_argument("--first", type=int, help="a chunk: the --series series from this one (0-based) on")
    parser.add_argument("--chunk", type=int, help="with --first: run the series no stored chunk of the sides covers "
                                                  "yet, in chunks of at most this many, each stored as it ends")
    parser.add_argument("--render", action="store_true", help="only write the Markdown from the JSON again")
    args = parser.parse_args(argv)
    if args.render:
        update_report(OUT, lambda document: None, render)
        return
    if args.validation:
        env = environment()
        result = run_validation(args.series, args.variants, args.subset, peer="statsforecast" in (args.sides or ()))
        update_report(OUT, lambda document: _add_validation(document, env, args, result), render)
        return
    if args.chunk is None:
        _test_run(args)
        return
    for first, size in _uncovered_chunks(args):
        _test_run(argparse.Namespace(**{**vars(args), "first": first, "series": size}))


def _test_run(args) -> None:
    """One run on the test (a chunk where ``args.first`` is set), stored and logged."""
    env = environment()
    result = run(args.series, args.sides or list(SIDES), args.subset, args.first or 0)
    for entry in result["sides"].values():
        entry.update(measured=env["measured"], cpu=env["cpu"])
    chunk = {} if args.first is None else {"first": args.first}
    log = _test_log.entry(REPO, args.subset, "auto_arima", result["sides"], series=args.series,
                          sides=args.sides or list(SIDES), **chunk)
    for entry in result["sides"].values():
        entry["commit"] = log["commit"]
    if "ours" in result["sides"]:
        result["sides"]["ours"].update(params=settings(), search=SEARCH)
    add = _add_chunk if chunk else _add_test_run
    update_report(OUT, lambda document: add(document, env, args, result, log), render)


def _uncovered_chunks(args) -> list[tuple[int, int]]:
    """``(first, size)`` of each chunk to run: the series ``--first`` to ``--first + --series
    - 1`` that no stored chunk covers for every side asked, in runs of at most ``--chunk``
    (so a run stopped midway goes on where it stopped)."""
    path = OUT.with_suffix(".json")
    chunks = (json.loads(path.read_text()) if path.exists() else {}).get("chunks", {}).get(args.subset, {})
    sides = args.sides or list(SIDES)
    covered = set.intersection(*({c["first"] + i for c in chunks.values()
                                  for i in range(len(c["sides"].get(side, {}).get("mase_per_series", ())))}
                                 for side in sides))
    first = args.first or 0
    todo = [i for i in range(first, first + args.series) if i not in covered]
    runs, start = [], None
    for before, index in zip([None, *todo], todo):
        if start is None or index != before + 1 or index - start == args.chunk:
            start = index
            runs.append([index, 0])
        runs[-1][1] += 1
    return [tuple(r) for r in runs]


def _prepared(document: dict, env: dict) -> dict:
    """``document`` in the current layout (the first held Hourly's runs only), with ``env``."""
    if "runs" in document:
        document["subsets"] = {"Hourly": document.pop("runs")}
    document.setdefault("subsets", {})
    document["environment"] = env
    return document


def _add_validation(document: dict, env: dict, args, result: dict) -> None:
    """Add or replace this run's variants of its subset and size; every other entry stays."""
    for entry in result["variants"].values():
        entry.update(measured=env["measured"], cpu=env["cpu"])
    earlier = _prepared(document, env).setdefault(_validation_key(args.subset), {}).setdefault(str(args.series), {})
    earlier.update({k: v for k, v in result.items() if k != "variants"})
    earlier.setdefault("variants", {}).update(result["variants"])


def _add_test_run(document: dict, env: dict, args, result: dict, log: dict) -> None:
    """Store this test run's sides beside the other side's latest figures and log it."""
    by_size = _prepared(document, env)["subsets"].setdefault(args.subset, {})
    previous = by_size.get(str(args.series), {"sides": {}})
    by_size[str(args.series)] = {**result, "sides": {**previous["sides"], **result["sides"]}}
    _test_log.append(document, log)


def _add_chunk(document: dict, env: dict, args, result: dict, log: dict) -> None:
    """Store a chunk's sides under ``chunks`` (replacing a run of the same range) and log it."""
    chunks = _prepared(document, env).setdefault("chunks", {}).setdefault(args.subset, {})
    key = f"{args.first}-{args.first + args.series}"
    previous = chunks.get(key, {"sides": {}})
    chunks[key] = {**result, "first": args.first, "series": args.series,
                   "sides": {**previous["sides"], **result["sides"]}}
    _test_log.append(document, log)


def _chunk_sections(document: dict) -> list[str]:
    """Per subset with chunks: the peer's chunks beside our run on the whole subset, on the
    series the chunks cover (a series in two chunks counts once, from the later one)."""
    lines = []
    for subset, chunks in document.get("chunks", {}).items():
        sizes = document["subsets"].get(subset, {})
        whole = max(sizes, key=int, default=None)
        ours = sizes[whole]["sides"].get("ours", {}) if whole else {}
        covered = _peer_by_series(chunks, int(whole or 0))
        if covered and len(ours.get("mase_per_series", ())) == int(whole):
            lines += _chunk_section(subset, sizes[whole], chunks, covered, document["environment"])
    return lines


def _chunk_section(subset: str, whole_run: dict, chunks: dict, covered: dict, env: dict) -> list[str]:
    """One subset's section of :func:`_chunk_sections`: which chunks ran, both sides' scores
    on the series covered, where their orders part, and the MASE gap (with OWA once whole)."""
    ours, picked, whole = whole_run["sides"]["ours"], sorted(covered), len(whole_run["sides"]["ours"]["orders"])
    theirs = {key: [covered[i][key] for i in picked] for key in ("mase", "smape", "order", "cpu")}
    mine = {key: [ours[key][i] for i in picked] for key in ("mase_per_series", "orders")}
    my_smape = [ours["smape_per_series"][i] for i in picked] if "smape_per_series" in ours else None
    runs = [c["sides"]["statsforecast"] for c in chunks.values()
            if "mase_per_series" in c["sides"].get("statsforecast", {})]
    paired = np.asarray(theirs["mase"]) - np.asarray(mine["mase_per_series"])
    # two standard errors of the paired difference: whether the gap is more than the series' spread
    spread = 2 * paired.std(ddof=1) / np.sqrt(paired.size) if paired.size > 1 else float("nan")
    scope = "all" if len(picked) == whole else f"these {len(picked)} of the {whole}"
    owa_text = _whole_owa(whole_run["naive2"], my_smape, mine["mase_per_series"], theirs) \
        if scope == "all" and my_smape is not None else ""
    return [f"## {subset}: statsforecast in chunks beside our run on the first {whole} series", "",
            f"statsforecast's AutoARIMA run on consecutive ranges of series (`--sides statsforecast --first K "
            f"--series N`, each a logged test run: {len(runs)} {'in all' if scope == 'all' else 'so far'}, measured "
            f"{min(r['measured'] for r in runs)} to {max(r['measured'] for r in runs)} at "
            f"{', '.join(sorted({r['commit'] for r in runs}))}), set beside our run on the first {whole} series "
            f"({_measured_at(ours, env)}) on the {len(picked)} series covered: {_ranges(picked)}.", "",
            "| model | series | sMAPE | MASE | CPU seconds a series |", "|---|---|---|---|---|",
            f"| tsforecast AutoARIMA | {len(picked)} | {'–' if my_smape is None else f'{np.mean(my_smape):.3f}'} | "
            f"{np.mean(mine['mase_per_series']):.4f} | {ours['cpu_seconds'] / whole:.2f} (of the whole run) |",
            f"| statsforecast AutoARIMA | {len(picked)} | {np.mean(theirs['smape']):.3f} | "
            f"{np.mean(theirs['mase']):.4f} | {np.mean(theirs['cpu']):.2f} |", "",
            *_peer_line(mine, {"orders": theirs["order"], "mase_per_series": theirs["mase"]}),
            f"On {scope} series, statsforecast's MASE less ours: {paired.mean():+.4f} ± {spread:.4f} (two "
            f"standard errors of the paired difference){owa_text}.", ""]


def _whole_owa(naive2: dict, my_smape: list, my_mase: list, theirs: dict) -> str:
    """``"; OWA ours, theirs"`` on the whole subset, relative to its Naive2."""
    mine, peer = (owa(np.mean(s), np.mean(m), naive2["smape"], naive2["mase"])
                  for s, m in ((my_smape, my_mase), (theirs["smape"], theirs["mase"])))
    return f"; OWA {mine:.4f} ours, {peer:.4f} theirs"


def _peer_by_series(chunks: dict, whole: int) -> dict:
    """``{series index: its MASE, sMAPE, orders and share of CPU seconds}`` from the peer's
    chunks within the first ``whole`` series, the latest measured chunk winning."""
    out = {}
    for chunk in sorted(chunks.values(), key=lambda c: c["sides"].get("statsforecast", {}).get("measured", "")):
        entry = chunk["sides"].get("statsforecast", {})
        if "smape_per_series" not in entry or chunk["first"] + chunk["series"] > whole:
            continue
        for offset, values in enumerate(zip(entry["mase_per_series"], entry["smape_per_series"], entry["orders"])):
            out[chunk["first"] + offset] = {"mase": values[0], "smape": values[1], "order": values[2],
                                            "cpu": entry["cpu_seconds"] / chunk["series"]}
    return out


def _ranges(indices: list[int]) -> str:
    """Sorted 0-based series indices as 1-based ranges, ``"1-20, 31-40"``."""
    spans, start = [], indices[0]
    for before, after in zip(indices, indices[1:] + [None]):
        if after != before + 1:
            spans.append(f"{start + 1}-{before + 1}" if before > start else f"{start + 1}")
            start = after
    return ", ".join(spans)


if __name__ == "__main__":
    main()
