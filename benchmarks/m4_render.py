"""``reports/m4.md`` from ``reports/m4.json`` alone: the tables of each subset, the log of
runs on the test files, the validation candidates and the choice among them, where the
time goes and the prediction intervals. Computes nothing that is not in the JSON except
readings of it (counts, the selection rule applied to the validation section).
"""

from __future__ import annotations

import json

import _test_log
from m4_setup import (ACD_TARGETS, CANDIDATES, MODEL_ORDER, PEER_LABEL, PUBLISHED, SUBSETS, TARGETS, TIME_BUDGET_S,
                      selection, split_origin_key)

def render_intervals(intervals: dict, current: dict | None = None) -> list[str]:
    """The ``--intervals`` runs: coverage, ACD and MSIS per subset and method; ``current``
    (subset -> the candidate the selection rule chooses now) marks an LSTM row of another."""
    if not intervals:
        return []
    lines = ["## Prediction intervals", "",
             "`python benchmarks/m4.py --subset Hourly Weekly --intervals --models Naive sNaive Naive2 lstm` and",
             "`python benchmarks/m4.py --subset Hourly Weekly --intervals --models ridge --refit-windows`:",
             "each model fitted on the training files and its 80% and 95% intervals scored on the test as in",
             "M4's interval track: coverage pooled over all series and steps, ACD = |coverage - level|, and",
             "MSIS = mean over series of the interval score (width + 2/alpha x miss) over the in-sample",
             "seasonal naive MAE (alpha = 0.05 at 95%; the 80% column uses alpha = 0.2 the same way). Scaled",
             "width: mean width over the same scale. *Analytic*: the model's own normal intervals;",
             "*conformal*: `ConformalIntervals(model, n_windows=5, pooling=\"panel\")`, the absolute errors",
             "of 5 walk-forward windows at the end of each training series, pooled over series (each divided by",
             "the mean error of its series' other windows), one finite-sample-corrected quantile per step. The",
             "LSTM is calibrated with `refit=False`: one fit on the data before the calibration windows, then",
             "`update` to each window (2 network fits in all instead of 6; see README); *conformal, refit each",
             "window* (`--refit-windows`) refits it on every window instead, shown for the cheap global Ridge",
             "(`ridge`: raw-scale linear model on the LSTM's windows) to measure what the single fit changes.",
             "Conformal coverage holds when the test errors are exchangeable with the calibration errors.",
             "Rows marked *(validation split)* (`--intervals --validate`) are fitted on the training files less",
             "each series' last horizon and scored on that horizon: the test files are not read.",
             "Target: ACD at most",
             f"{ACD_TARGETS[95]} at 95% and {ACD_TARGETS[80]} at 80%.", ""]
    for subset, rows in intervals.items():
        lines += [f"### {subset}", "",
                  "| model | intervals | 95% coverage | ACD 95% | MSIS 95% | scaled width 95% | 80% coverage | "
                  "ACD 80% | MSIS 80% | within target | seconds | CPU s | load |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for label, e in sorted(rows.items(), key=lambda item: (_rank(item[1]["model"]), item[1]["method"])):
            a, b = e["levels"]["95"], e["levels"]["80"]
            ok = a["acd"] <= ACD_TARGETS[95] and b["acd"] <= ACD_TARGETS[80]
            method = e["method"] + (f" ({e['split']} split)" if "split" in e else "")
            lines.append(f"| {e['model']} | {method} | {a['coverage']:.3f} | {a['acd']:.3f} | {a['msis']:.2f} | "
                         f"{a['scaled_width']:.2f} | {b['coverage']:.3f} | {b['acd']:.3f} | {b['msis']:.2f} | "
                         f"{'yes' if ok else 'no'} | {e['seconds']:.1f} | {e['cpu_seconds']:.0f} | "
                         f"{e['load_average']:.1f} |")
        lstm = [e for e in rows.values() if e.get("candidate")]
        for e in lstm:
            now = (current or {}).get(subset)
            lines += ["", f"LSTM: seed {e['seed']} of the candidate chosen on validation (*{e['candidate']}*)."
                      if now in (None, e["candidate"]) else
                      f"LSTM: seed {e['seed']} of *{e['candidate']}*, the candidate chosen on validation when it "
                      f"ran; the one chosen now, *{now}*, has not had its intervals scored on the test."]
        lines.append("")
    return lines


def _agreement(name: str, ours: dict, published) -> str:
    if name not in TARGETS or published is None:
        return ""
    kind, tolerance = TARGETS[name]
    pairs = [(ours["smape"], published[0]), (ours["mase"], published[1])]
    if kind == "decimals":
        ok = all(round(a, tolerance) == round(b, tolerance) for a, b in pairs)
        return f"{'yes' if ok else 'NO'} (3 decimals)"
    worst = max(abs(a - b) / b for a, b in pairs)
    return f"{'yes' if worst <= tolerance else 'NO'} ({100 * worst:.2f}% ≤ {100 * tolerance:g}%)"


def _fmt(value, digits=3) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def render_markdown(content: dict) -> str:
    """The whole report, from the JSON content alone."""
    lines = [
        "# M4 Hourly and Weekly: our forecasters beside the published M4 figures",
        "",
        "Generated by `benchmarks/m4.py` from `reports/m4.json` (do not edit by hand). sMAPE and MASE are",
        "means over all series of the subset; OWA is relative to our Naive2 on the same run. Published",
        "figures: sheet \"Point Forecasts-Frequency\" of the M4 results workbook (see",
        "`../shared/data/m4/README.md`). *Agrees* checks the reproduction targets: Naive, sNaive and",
        "Naive2 equal to 3 decimals; SES and Theta within 0.5%; Holt, Damped and Comb within 2%",
        "(relative, sMAPE and MASE). OWA uses our unrounded sMAPE and MASE.",
        "",
        "Seconds = wall time of `fit` + `predict` on the whole panel (validation and panel",
        "conversion included), on a 2-core machine shared with other jobs: timings are noisy.",
        "",
    ]
    for subset in [s for s in SUBSETS if s in content] + [s for s in content if s not in SUBSETS
                                                          and s not in SECTIONS]:
        published = PUBLISHED.get(subset, {})
        spec = SUBSETS.get(subset, {})
        lines += [f"## {subset}" + (f" (h = {spec['horizon']}, m = {spec['season_length']})" if spec else ""), "",
                  "| model | sMAPE | MASE | OWA | published sMAPE / MASE / OWA | agrees | seconds | n_jobs |",
                  "|---|---|---|---|---|---|---|---|"]
        entries = content[subset]
        order = sorted(entries, key=lambda m: (_rank(m), m))
        for name in order:
            e = entries[name]
            spread = e.get("std")
            smape_text = _fmt(e["smape"]) + (f" ± {spread['smape']:.3f}" if spread else "")
            mase_text = _fmt(e["mase"]) + (f" ± {spread['mase']:.3f}" if spread else "")
            owa_text = _fmt(e.get("owa")) + (f" ± {spread['owa']:.3f}" if spread else "")
            pub = published.get(name)
            pub_text = " / ".join(_fmt(v) for v in pub) if pub else ""
            lines.append(f"| {name} | {smape_text} | {mase_text} | {owa_text} | {pub_text} | "
                         f"{_agreement(name, e, pub)} | {_fmt(e.get('seconds'), 2)} | {e.get('n_jobs') or 1} |")
        others = [m for m in published if m not in entries]
        for name in others:
            lines.append(f"| *{name}* (published only) |  |  |  | {' / '.join(_fmt(v) for v in published[name])} "
                         "|  |  |  |")
        lines.append("")
        for name in order:
            e = entries[name]
            if "per_seed" in e or "config" in e:
                lines += [f"**{name}**: " + "; ".join(_seed_text(r) for r in e.get("per_seed", []))]
                if "config" in e:
                    lines += ["", f"configuration: `{json.dumps(e['config'], sort_keys=True)}`"]
                if e.get("peer"):
                    lines += ["", *_peer_note(e)]
                if "selected_by_validation" in e:
                    lines += ["", *_selection_note(content, subset, e["selected_by_validation"])]
                lines.append("")
        lines += _snaive_note(entries)
    lines += render_test_runs(content)
    lines += render_validation(content.get("validation", {}), content)
    lines += render_time_parts(content.get("time_parts", {}), content)
    chosen_now = {s: (_current(content, s) or {}).get("candidate") for s in SUBSETS}
    lines += render_intervals(content.get("intervals", {}), chosen_now)
    return "\n".join(lines)


def _seed_text(r: dict) -> str:
    """One seed's run: scores, seconds (the training part, and a peer's fit CPU time), CPU and load."""
    return (f"seed {r['seed']}: sMAPE {r['smape']:.3f}, MASE {r['mase']:.3f}, OWA {r['owa']:.3f}, {r['seconds']:.0f} s"
            + (f" (training {r['fit_seconds']:.0f} s on {r['n_windows']} windows)" if "n_windows" in r else "")
            + (f" (fit {r['fit_seconds']:.0f} s, CPU {r['fit_cpu_seconds']:.0f} s)" if "fit_cpu_seconds" in r else "")
            + (f", CPU {r['cpu_seconds']:.0f} s, load average {r['load_average']:.1f}" if "cpu_seconds" in r else ""))


def _peer_note(e: dict) -> list[str]:
    """Where a peer's figures come from: its package versions and threads (``benchmarks/nhits_peer.py``)."""
    env = e["environment"]
    return [f"{e['description']}: neuralforecast {env['neuralforecast']}, torch {env['torch']} on the CPU with "
            f"{env['torch_threads']} intra-op thread(s), pandas {env['pandas']}, Python {env['python']}; scored by "
            "`benchmarks/m4.py`'s code against the same run's Naive2 (`python benchmarks/nhits_peer.py --split "
            "test`). Seconds: fit + predict wall time; fit: its `NeuralForecast.fit` alone."]


def _current(content: dict, subset: str) -> dict | None:
    """What the selection rule chooses from the validation section now (None: nothing)."""
    try:
        return selection(content, subset)
    except SystemExit:
        return None


#: Top-level sections of the JSON that are not subsets.
SECTIONS = ("validation", "time_parts", "ablation", "intervals", _test_log.SECTION)


def _rank(model: str) -> int:
    """A model's place in the report's declared order (:data:`MODEL_ORDER`); unknown ones last."""
    return MODEL_ORDER.index(model) if model in MODEL_ORDER else len(MODEL_ORDER)


#: What of the log counts as an LSTM run on the test files.
LSTM_RUNS = ("lstm", "LSTM ablation")


def _selection_note(content: dict, subset: str, chosen: dict) -> list[str]:
    """How the tested LSTM was chosen, how often an LSTM has read the test files (from the
    log), and whether today's selection rule still picks the same candidate."""
    runs = [r for r in _test_log.runs_of(content, subset) if r["what"] in LSTM_RUNS]
    lines = [f"Chosen on the validation split: candidate *{chosen['candidate']}*, validation OWA "
             f"{chosen['validation_owa']:.3f} over {chosen['validation_seeds']} seed(s) ({chosen['rule']})."]
    if len(runs) == 1:
        lines[0] += " This test run is the only run of an LSTM on the test files."
    else:
        lines[0] += (f" An LSTM has been run on the {subset} test files {len(runs)} times in all (log below), "
                     "so earlier test scores may have steered the choices this one started from.")
    current = _current(content, subset)
    now = current["candidate"] if current is not None else None
    if now is not None and now != chosen["candidate"]:
        lines[0] += (f" The current selection rule (see the validation section) would choose *{now}*, "
                     "which has not been run on the test.")
    elif now is not None and (round(current["owa"], 3), current["seeds"]) != (round(chosen["validation_owa"], 3),
                                                                              chosen["validation_seeds"]):
        origins = len(current.get("origins") or []) or 1
        lines[0] += (f" (That is the record of the choice when it was made; the current rule, over "
                     f"{current['seeds']} seed(s) and {origins} origin(s), scores it {current['owa']:.3f} and "
                     "still chooses it.)")
    recheck = content[subset].get("lstm", {}).get("recheck")
    if recheck and now == chosen["candidate"] == recheck["candidate"]:
        lines[0] += (f" Re-checked on the validation split on {recheck['when']} ({recheck['commit']}) over "
                     f"{recheck['n_candidates']} candidates, {', '.join(f'*{a}*' for a in recheck['added'])} added "
                     f"because {recheck['why']}: the rule chose this candidate again (mean OWA {recheck['owa']:.3f} "
                     f"over the first {recheck['seeds']} seed(s)), so it was not run on the test again.")
    return lines


def render_test_runs(content: dict) -> list[str]:
    """The log of every run on the test files, counted per subset (:mod:`_test_log`)."""
    if not content.get(_test_log.SECTION):
        return []
    lines = ["## Runs on the test files", "",
             "Every run that read a test file, from the log in `reports/m4.json` (`test_runs`, append-only).",
             "Runs made before the log existed are reconstructed from the committed versions of the JSON",
             "(`python benchmarks/m4_history.py`); a result overwritten before it was committed left no",
             "trace, so those counts are lower bounds. The LSTM ablations were scored on the test files",
             "before the validation split (`--validate`) existed; the base configuration (`LSTM_BASE`) came",
             "from them.", ""]
    for subset in [s for s in SUBSETS if _test_log.runs_of(content, s)]:
        runs = _test_log.runs_of(content, subset)
        lstm = [r for r in runs if r["what"] in LSTM_RUNS]
        lines += [f"### {subset}: {len(runs)} runs on the test files, {len(lstm)} of them of an LSTM", ""]
        lines += _test_log.render_history(content, subset)
    return lines


def _snaive_note(entries: dict) -> list[str]:
    """Why our sNaive OWA may differ from the published one in the third decimal."""
    if not {"sNaive", "Naive2"} <= set(entries):
        return []
    s, n = entries["sNaive"], entries["Naive2"]
    value = 0.5 * (s["smape"] / n["smape"] + s["mase"] / n["mase"])
    return [f"sNaive's OWA from unrounded figures: 0.5 * ({s['smape']:.4f} / {n['smape']:.4f} + "
            f"{s['mase']:.4f} / {n['mase']:.4f}) = {value:.4f}.", ""]


def render_validation(validation: dict, content: dict) -> list[str]:
    """The candidates scored on the validation split, the chosen one marked."""
    if not validation:
        return []
    lines = ["## LSTM configurations scored on the validation split", "",
             "Each series' last horizon of its *training* file is held out; the networks are fitted on the rest",
             "and scored there (OWA relative to Naive2 on the same split; sNaive beside it). The test files",
             "are not read. Each row: `python benchmarks/m4.py --subset <subset> --validate --candidates",
             "'<label>' [--first-seed K] [--seeds N]`, the changes to `LSTM_BASE` in `CANDIDATES`.",
             "Selection (`m4_setup.selection`) compares like with like: candidates within the time budget",
             "(`TIME_BUDGET_S`, mean CPU seconds a seed; a run without CPU seconds is not eligible, never",
             "judged on its wall time) are scored by their mean OWA over the same number of seeds, the fewest",
             "any of them has; candidates whose gap to the lowest is within the seed spread (the larger",
             "standard deviation of OWA over seeds of the two) are tied, and the cheapest tied one (CPU",
             "seconds) is chosen. Only it is run on the test. Seconds: fit + predict wall time of one seed;",
             "CPU s: its process CPU time (all threads); load: the machine's 1-minute load average at the",
             "end of the run (2 cores). Rows *(origin 2)*: the same, forecast from 13 weeks (one horizon)",
             "earlier, the last horizon dropped (`--origin 2`); when candidates have them, only those scored",
             "at every origin compete, by their mean over the origins.", ""]
    for subset, rows in validation.items():
        try:
            chosen = selection(content, subset)
        except SystemExit:
            chosen = {"candidate": None}
        budget = TIME_BUDGET_S.get(subset)
        base = next((e["config"] for e in rows.values() if e.get("changes") == {} and "config" in e), None)
        lines += [f"### {subset}" + (f" (time budget: {budget:.0f} CPU seconds per seed)" if budget else ""), ""]
        if base is not None:
            lines += [f"Base configuration (`LSTM_BASE`): `{json.dumps(base, sort_keys=True)}`", ""]
        lines += ["| candidate | changes | seeds | sMAPE | MASE | OWA | sNaive OWA | seconds | CPU s | windows | load |",
                  "|---|---|---|---|---|---|---|---|---|---|---|"]
        for label, e in sorted(rows.items(), key=lambda item: item[1]["owa"]):
            spread = e.get("std", {})
            seeds = len(e.get("per_seed", [])) or 1
            mark = " **(chosen)**" if label == chosen["candidate"] else ""
            owa_text = _fmt(e["owa"]) + (f" ± {spread['owa']:.3f}" if seeds > 1 else "")
            changes = ("peer: " if e.get("peer") else "") + json.dumps(e.get("config" if e.get("peer") else "changes",
                                                                                {}), sort_keys=True)
            load = e.get("load_average")
            lines.append(f"| {label}{mark} | `{changes}` | {seeds} | {_fmt(e['smape'])} | {_fmt(e['mase'])} | "
                         f"{owa_text} | {_fmt(e.get('snaive_owa'))} | {_fmt(e['seconds'], 0)} | "
                         f"{_fmt(e.get('cpu_seconds'), 0)} | {e.get('n_windows', '')} | {'' if load is None else f'{load:.1f}'} |")
        if chosen["candidate"] is not None:
            lines += ["", f"Chosen: *{chosen['candidate']}*, mean OWA {chosen['owa']:.3f} over the first "
                      f"{chosen['seeds']} seed(s) of every eligible candidate (lowest: *{chosen['best']}*; tied "
                      f"within the seed spread: {', '.join(f'*{t}*' for t in chosen['tied'])}); not eligible: "
                      + ("; ".join(f"*{label}* ({why})" for label, why in sorted(chosen["excluded"].items()))
                         or "none") + "."]
        lines += _beside_peer(rows, CANDIDATES.get(subset, {}))
        lines += _by_origin(rows)
        multi = [(label, e) for label, e in rows.items() if len(e.get("per_seed", [])) > 1]
        for label, e in multi:
            lines.append("")
            lines.append(f"*{label}*, per seed: " + "; ".join(
                f"seed {r['seed']}: OWA {r['owa']:.3f}, {r['seconds']:.0f} s" for r in e["per_seed"]))
        lines.append("")
    return lines


def _beside_peer(rows: dict, candidates: dict) -> list[str]:
    """The LSTM candidates at or below the peer's validation OWA, and which of them took no more
    CPU seconds a seed (fit + predict) than the peer's fit (both on the 2 cores, same split)."""
    peer = rows.get(PEER_LABEL)
    if peer is None:
        return []
    fit_wall = sum(r["fit_seconds"] for r in peer["per_seed"]) / len(peer["per_seed"])
    fit_cpu = sum(r["fit_cpu_seconds"] for r in peer["per_seed"]) / len(peer["per_seed"])
    candidates = {label: e for label, e in rows.items() if label in candidates and e.get("sample") is None}
    better = sorted(label for label, e in candidates.items() if e["owa"] <= peer["owa"])
    within = [label for label in better if (candidates[label].get("cpu_seconds") or float("inf")) <= fit_cpu]
    return ["", f"Beside the peer, *{PEER_LABEL}*: validation OWA {peer['owa']:.3f} over "
            f"{len(peer['per_seed'])} seed(s), its fit {fit_wall:.0f} s wall, {fit_cpu:.0f} CPU s a seed. LSTM "
            f"candidates at or below its OWA: {', '.join(f'*{b}*' for b in better) or 'none'}; of them within its "
            f"fit's CPU seconds a seed: {', '.join(f'*{w}*' for w in within) or 'none'}."]


def _by_origin(rows: dict) -> list[str]:
    """Each model scored at more than one origin: its OWA (mean over seeds) at each, and their mean."""
    found: dict[str, dict[int, float]] = {}
    for key, e in rows.items():
        label, origin = split_origin_key(key)
        if origin > 1 and e.get("sample") is None and label in rows:
            found.setdefault(label, {1: rows[label]["owa"]})[origin] = e["owa"]
    if not found:
        return []
    lines = ["", "At more than one origin (OWA, mean over each row's seeds):", ""]
    for label, by_origin in sorted(found.items(), key=lambda item: sum(item[1].values()) / len(item[1])):
        at = ", ".join(f"origin {o}: {v:.3f}" for o, v in sorted(by_origin.items()))
        lines.append(f"- *{label}*: {at}; mean {sum(by_origin.values()) / len(by_origin):.3f}")
    return lines


def render_time_parts(parts: dict, content: dict) -> list[str]:
    """CPU seconds of each M4 benchmark's fit and predict (``--time-parts``)."""
    if not parts:
        return []
    lines = ["## Where the time goes", "",
             "CPU seconds (`time.process_time`, less disturbed by the shared machine than wall time) of",
             "`fit` and `predict` on the whole training file, n_jobs=1, by `python benchmarks/m4.py --subset",
             "<subset> --time-parts`; the statsmodels rows are a plain loop over the series for reference.", ""]
    for subset, run in parts.items():
        lines += [f"### {subset} ({run['n_series']} series, measured {run['measured']}, load average "
                  f"{run['load_average']:.1f} on {run['cpus']} cores)", "",
                  "| model | fit CPU s | predict CPU s |", "|---|---|---|"]
        for name, row in run["models"].items():
            lines.append(f"| {name} | {row['fit_cpu_s']:.2f} | {row['predict_cpu_s']:.2f} |")
        lines.append("")
    ets = {subset: content[subset]["ETS"] for subset in SUBSETS if "ETS" in content.get(subset, {})}
    lines += ["- ETS (statsmodels, up to 15 candidate forms per series) is not an M4 benchmark"
              + "".join(f"; {subset}: {e['seconds']:.0f} s wall with n_jobs={e['n_jobs']} for {e['n_series']} series"
                        for subset, e in ets.items()) + ".", ""]
    return lines


