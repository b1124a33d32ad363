"""Figures typed into README.md (and docs/*.md, where README's long sections move) are
checked against the JSON reports they quote (the main job's figures against its committed
report, reports/example.md, which has no JSON): each declared phrase must be found, and the
figure in it must equal the report's value as the prose rounds it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _json(name: str) -> dict:
    return json.loads((ROOT / "reports" / f"{name}.json").read_text())


def _m4(*path):
    def get():
        value = _json("m4")
        for key in path:
            value = value[key]
        return value
    return get


def _seeds(subset: str, key: str) -> list[float]:
    return [r[key] for r in _json("m4")[subset]["lstm"]["per_seed"]]


def _span(values, digits: int = 0) -> str:
    return f"{min(values):.{digits}f}-{max(values):.{digits}f}"


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def _diagnosis(key: str) -> float:
    """A coverage printed by benchmarks/m4_weekly_interval_diagnosis.py (its output is text)."""
    text = (ROOT / "reports" / "m4_weekly_interval_diagnosis.txt").read_text()
    line = re.search(r"^final cov80 .*$", text, re.MULTILINE).group(0)
    return float(re.search(rf"{key} ([0-9.]+)", line).group(1))


def _coverage(subset: str, label: str, level: str) -> Callable[[], float]:
    return _m4("intervals", subset, label, "levels", level, "coverage")


def _aa_side(subset: str, size: str, side: str) -> dict:
    """A side of the latest AutoARIMA test run on the first ``size`` series of ``subset``."""
    return _json("auto_arima")["subsets"][subset][size]["sides"][side]


def _hourly_test(side: str) -> dict:
    """A side of the latest side-by-side AutoARIMA test run on the first 20 Hourly series."""
    return _aa_side("Hourly", "20", side)


def _aa_figure(subset: str, size: str, side: str, key: str, digits: int) -> Callable[[], str]:
    """A figure of :func:`_aa_side`, as the prose rounds it."""
    return lambda: f"{_aa_side(subset, size, side)[key]:.{digits}f}"


def _aa_logged(subset: str, size: int, commit: str, side: str) -> dict:
    """A side of the AutoARIMA test run logged at ``commit`` (an earlier run the JSON's rows no longer hold)."""
    run, = (r for r in _json("auto_arima")["test_runs"]
            if (r["subset"], r["series"], r["commit"]) == (subset, size, commit))
    return run["result"][side]


def _parted(ours: dict, theirs: dict) -> tuple[int, float, float, float]:
    """Series with the same orders, the largest MASE difference there, and each side's mean
    MASE where the orders differ (as benchmarks/auto_arima._peer_line computes them)."""
    import numpy as np

    same = np.asarray([a == b for a, b in zip(ours["orders"], theirs["orders"])])
    mine, peer = np.asarray(ours["mase_per_series"]), np.asarray(theirs["mase_per_series"])
    return int(same.sum()), float(np.abs(mine - peer)[same].max()), float(mine[~same].mean()), float(peer[~same].mean())


def _chunked() -> dict:
    """Our whole-Hourly run beside statsforecast's chunks, on the series the chunks cover (the
    latest chunk for a series wins, as benchmarks/auto_arima._peer_by_series takes them)."""
    import numpy as np

    from tsforecast.core.metrics import owa

    document = _json("auto_arima")
    ours = document["subsets"]["Hourly"]["414"]["sides"]["ours"]
    covered = {}
    for chunk in sorted(document["chunks"]["Hourly"].values(), key=lambda c: c["sides"]["statsforecast"]["measured"]):
        entry = chunk["sides"]["statsforecast"]
        for offset, (value, order) in enumerate(zip(entry["mase_per_series"], entry["orders"])):
            covered[chunk["first"] + offset] = (value, order, entry["cpu_seconds"] / chunk["series"],
                                                entry["smape_per_series"][offset])
    picked = sorted(covered)
    late = [i for i in picked if i >= 20]  # where nothing of ours was changed after reading the peer's scores
    mine = np.asarray([ours["mase_per_series"][i] for i in picked])
    theirs = np.asarray([covered[i][0] for i in picked])
    smape = {"ours": np.mean([ours["smape_per_series"][i] for i in picked]),
             "theirs": np.mean([covered[i][3] for i in picked])}
    naive2 = document["subsets"]["Hourly"]["414"]["naive2"]
    return {"smape_ours": smape["ours"], "smape_theirs": smape["theirs"],
            "owa_ours": owa(smape["ours"], mine.mean(), naive2["smape"], naive2["mase"]),
            "owa_theirs": owa(smape["theirs"], theirs.mean(), naive2["smape"], naive2["mase"]),
            "hours": sum(covered[i][2] for i in picked) / 3600, "paired": float((theirs - mine).mean()),
            "paired_2se": float(2 * (theirs - mine).std(ddof=1) / np.sqrt(len(picked))),"series": len(picked), "ours": mine.mean(), "theirs": theirs.mean(), "better": int((mine < theirs).sum()),
            "worse": int((mine > theirs).sum()), "same": sum(ours["orders"][i] == covered[i][1] for i in picked),
            "peer_cpu": float(np.mean([covered[i][2] for i in picked])), "our_cpu": ours["cpu_seconds"] / 414,
            "whole": ours["mase"], "late": len(late),
            "ours_late": float(np.mean([ours["mase_per_series"][i] for i in late])),
            "theirs_late": float(np.mean([covered[i][0] for i in late]))}


def _validation_20(variant: str) -> dict:
    return _json("auto_arima")["validation"]["20"]["variants"][variant]


def _max_d(section: str, size: str, variant: str) -> dict:
    return _json("auto_arima")[section][size]["variants"][variant]


def _zero_start_defaults(section: str, size: str) -> str:
    """The entry of the defaults whose CSS fits started from zero only (max_d=2's peer):
    kept under its own name once the search started from the neighbour too."""
    variants = _json("auto_arima")[section][size]["variants"]
    return next(name for name in ("max_d=1 (css-loglik-filter), zero start", "max_d=1 (css-loglik-filter)")
                if name in variants)


def _max_d_gain(section: str, size: str) -> str:
    """The paired MASE gain of max_d=1 over max_d=2 (both css-loglik-filter with CSS from
    zero only: the defaults' entry of then, kept under its own name once they changed), mean ± 2 SE."""
    import numpy as np

    before = np.asarray(_max_d(section, size, "method='css-loglik-filter'")["mase_per_series"])
    gain = before - np.asarray(_max_d(section, size, _zero_start_defaults(section, size))["mase_per_series"])
    return f"{gain.mean():+.4f} ± {2 * gain.std(ddof=1) / np.sqrt(gain.size):.4f}"


def _windowing(case: str, key: str) -> float:
    return _json("windowing")["ours"][case][key]


def _report_scale(key: str):
    return _json("report_scale")["rows"][0][key]


def _m4_speed(models: list[str], subset: str = "Hourly", key: str = "median_s") -> list[float]:
    rows = {r["model"]: r for r in _json("m4_speed")["rows"] if r["subset"] == subset}
    return [rows[model][key] for model in models]


#: The Weekly candidates that read every window at stride 4: members, epochs, suffix.
_WEEKLY = "segments 4, dense head, {} members, {} epochs, every window at stride 4{}"


def _first_seed(label: str, subset: str = "Weekly") -> str:
    """A candidate's validation OWA on its first seed (the selection compares the first
    seed of every candidate when one has run a single seed)."""
    entry = _m4("validation", subset, label)()
    return f"{(entry.get('per_seed') or [entry])[0]['owa']:.3f}"


def _readme_run(what: str, index: int) -> dict:
    """The ``index``-th measurement of ``what`` in reports/readme_runs.json."""
    return [run for run in _json("readme_runs")["runs"] if run["what"] == what][index]


def _example(model: str, column: int = 2) -> str:
    """A cell of the metrics table of the committed example report (reports/example.md,
    written by the main job the README quotes): column 2 is the mean MASE."""
    text = (ROOT / "reports" / "example.md").read_text()
    row = re.search(rf"^\| \d+ \| {re.escape(model)} \|.*$", text, re.MULTILINE).group(0)
    return [cell.strip() for cell in row.strip("|").split("|")][column]


def _ltsf_test(h: int, name: str | None = None) -> float:
    """Test MSE of configuration ``name`` (the one chosen on validation by default) at ``h``."""
    entry = _json("ltsf")["horizons"][str(h)]
    return entry["test"][name or entry["chosen"]]["mse"]


#: (phrase with one group: the figure, expected text of the figure from the JSON).
FIGURES: list[tuple[str, Callable[[], str]]] = [
    # M4 intervals (reports/m4.json, "intervals")
    (r"Naive2's conformal 95% intervals\s+covered ([0-9.]+%) of the Hourly",
     lambda: _pct(_coverage("Hourly", "Naive2 conformal", "95")())),
    (r"of the Hourly and ([0-9.]+%) of the Weekly test values",
     lambda: _pct(_coverage("Weekly", "Naive2 conformal", "95")())),
    (r"conformal 95% intervals covered ([0-9.]+%) Hourly", lambda: _pct(_coverage("Hourly", "lstm conformal", "95")())),
    (r"covered [0-9.]+% Hourly and ([0-9.]+%)\s+Weekly", lambda: _pct(_coverage("Weekly", "lstm conformal", "95")())),
    (r"Weekly \(MSIS [0-9.]+ and ([0-9.]+)\)",
     lambda: f"{_m4('intervals', 'Weekly', 'lstm conformal', 'levels', '95', 'msis')():.2f}"),
    (r"its 80% ones [0-9.]+% and ([0-9.]+%) \(one seed", lambda: _pct(_coverage("Weekly", "lstm conformal", "80")())),
    (r"intervals covered [0-9.]+% Hourly and [0-9.]+%\s+Weekly \(MSIS ([0-9.]+) and",
     lambda: f"{_m4('intervals', 'Hourly', 'lstm conformal', 'levels', '95', 'msis')():.2f}"),
    (r"MSIS [0-9.]+ and [0-9.]+\), its 80% ones ([0-9.]+%) and [0-9.]+% \(one seed",
     lambda: _pct(_coverage("Hourly", "lstm conformal", "80")())),
    (r"LSTM's 95% intervals calibrated this way covered ([0-9.]+%) of the test values",
     lambda: _pct(_coverage("Hourly", "lstm conformal", "95")())),
    (r"a raw-scale\s+Ridge's only ([0-9.]+%)", lambda: _pct(_coverage("Hourly", "ridge conformal", "95")())),
    (r"Ridge's only [0-9.]+% \(([0-9.]+%) refitted on every window\)",
     lambda: _pct(_coverage("Hourly", "ridge conformal, refit each window", "95")())),
    (r"analytic ones [0-9.]+% and ([0-9.]+%), MSIS", lambda: _pct(_coverage("Weekly", "Naive2 analytic", "95")())),
    (r"analytic ones [0-9.]+% and [0-9.]+%, MSIS ([0-9.]+) and",
     lambda: f"{_m4('intervals', 'Hourly', 'Naive2 analytic', 'levels', '95', 'msis')():.2f}"),
    (r"analytic ones [0-9.]+% and [0-9.]+%, MSIS [0-9.]+ and ([0-9.]+)\)",
     lambda: f"{_m4('intervals', 'Weekly', 'Naive2 analytic', 'levels', '95', 'msis')():.2f}"),
    (r"\), its 80% ones ([0-9.]+%) and [0-9.]+% \(analytic", lambda: _pct(_coverage("Hourly", "Naive2 conformal", "80")())),
    (r"\), its 80% ones [0-9.]+% and ([0-9.]+%) \(analytic", lambda: _pct(_coverage("Weekly", "Naive2 conformal", "80")())),
    (r"\(analytic:\s+([0-9.]+%) and [0-9.]+%, too wide\)", lambda: _pct(_coverage("Hourly", "Naive2 analytic", "80")())),
    (r"\(analytic:\s+[0-9.]+% and ([0-9.]+%), too wide\)", lambda: _pct(_coverage("Weekly", "Naive2 analytic", "80")())),
    (r"former 3-member configuration's intervals covered ([0-9.]+%)", lambda: _pct(_diagnosis("cov80"))),
    (r"\(80%\) and ([0-9.]+%) \(95%\)", lambda: _pct(_diagnosis("cov95"))),
    # ETTh1 (reports/ltsf.json): the chosen configurations and the channel modes
    (r"tested once each, the chosen: ([0-9.]+ / [0-9.]+ / [0-9.]+ / [0-9.]+) \(were",
     lambda: " / ".join(f"{_ltsf_test(h):.3f}" for h in (96, 192, 336, 720))),
    (r"mean \*\*([0-9.]+)\*\* \(was", lambda: f"{sum(_ltsf_test(h) for h in (96, 192, 336, 720)) / 4:.4f}"),
    (r"scored MSE\s+([0-9.]+) at H=96 and [0-9.]+ at H=336", lambda: f"{_ltsf_test(96, 'default'):.4f}"),
    (r"at H=96 and ([0-9.]+) at H=336, the better", lambda: f"{_ltsf_test(336, 'default'):.4f}"),
    (r"\(joint: ([0-9.]+ and [0-9.]+)\)", lambda: f"{_ltsf_test(96, 'joint'):.4f} and {_ltsf_test(336, 'joint'):.4f}"),
    # AutoARIMA beside statsforecast on the first 20 Hourly series (reports/auto_arima.json)
    (r"an Intel Xeon\): ours MASE\s+([0-9.]+) in", lambda: f"{_hourly_test('ours')['mase']:.4f}"),
    (r"ours MASE\s+[0-9.]+ in ([0-9.]+) CPU s, statsforecast", lambda: f"{_hourly_test('ours')['cpu_seconds']:.1f}"),
    (r"CPU s, statsforecast ([0-9.]+) in [0-9,.]+ CPU s; the time", lambda: f"{_hourly_test('statsforecast')['mase']:.4f}"),
    (r"CPU s, statsforecast [0-9.]+ in ([0-9,.]+) CPU s; the time",
     lambda: f"{_hourly_test('statsforecast')['cpu_seconds']:,.1f}"),
    (r"the same orders on ([0-9]+) of\s+the 20 test series",
     lambda: str(_parted(_hourly_test("ours"), _hourly_test("statsforecast"))[0])),
    (r"equal MASE there \(largest difference ([0-9.]+)\)",
     lambda: f"{_parted(_hourly_test('ours'), _hourly_test('statsforecast'))[1]:.4f}"),
    (r"ours scored mean MASE ([0-9.]+) against",
     lambda: f"{_parted(_hourly_test('ours'), _hourly_test('statsforecast'))[2]:.4f}"),
    (r"against\s+statsforecast's ([0-9.]+)\. On the validation",
     lambda: f"{_parted(_hourly_test('ours'), _hourly_test('statsforecast'))[3]:.4f}"),
    (r"fell\s+evenly \(([0-9.]+ against [0-9.]+)\)", lambda: "{:.4f} against {:.4f}".format(*_parted(
        _validation_20("max_d=1 (css-loglik-filter)"), _validation_20("statsforecast AutoARIMA"))[2:])),
    # AutoARIMA beyond the first 20 Hourly series: statsforecast in chunks (docs/statistical_models.md)
    (r"needed about\s+([0-9]+) CPU s a series here", lambda: f"{_chunked()['peer_cpu']:.0f}"),
    (r"store each series' sMAPE; MASE ([0-9.]+) as before", lambda: f"{_chunked()['whole']:.4f}"),
    (r"The chunks cover all ([0-9]+) series: ours scored", lambda: str(_chunked()["series"])),
    (r"([0-9.]+) CPU hours for the 414 Hourly series", lambda: f"{_chunked()['hours']:.1f}"),
    (r"statsforecast's MASE less ours is \+([0-9.]+) ±", lambda: f"{_chunked()['paired']:.4f}"),
    (r"statsforecast's MASE less ours is \+[0-9.]+ ± ([0-9.]+)", lambda: f"{_chunked()['paired_2se']:.4f}"),
    (r"\), sMAPE ([0-9.]+) against [0-9.]+ and OWA", lambda: f"{_chunked()['smape_ours']:.3f}"),
    (r"\), sMAPE [0-9.]+ against ([0-9.]+) and OWA", lambda: f"{_chunked()['smape_theirs']:.3f}"),
    (r"and OWA\s+([0-9.]+) against", lambda: f"{_chunked()['owa_ours']:.4f}"),
    (r"and OWA\s+[0-9.]+ against ([0-9.]+), at", lambda: f"{_chunked()['owa_theirs']:.4f}"),
    (r"ours scored MASE ([0-9.]+) and statsforecast [0-9.]+ \(ours better", lambda: f"{_chunked()['ours']:.4f}"),
    (r"ours scored MASE [0-9.]+ and statsforecast ([0-9.]+) \(ours better", lambda: f"{_chunked()['theirs']:.4f}"),
    (r"\(ours better on ([0-9]+) series, worse", lambda: str(_chunked()["better"])),
    (r"series, worse\s+on ([0-9]+), the same orders", lambda: str(_chunked()["worse"])),
    (r"the same orders on ([0-9]+)\), sMAPE", lambda: str(_chunked()["same"])),
    (r", at ([0-9]+) CPU s a series for statsforecast", lambda: f"{_chunked()['peer_cpu']:.0f}"),
    (r"for statsforecast against\s+([0-9.]+) for ours", lambda: f"{_chunked()['our_cpu']:.2f}"),
    (r"On the ([0-9]+) of them beyond the first 20", lambda: str(_chunked()["late"])),
    (r"found on the first 20\), ours scored MASE ([0-9.]+) and", lambda: f"{_chunked()['ours_late']:.4f}"),
    (r"found on the first 20\), ours scored MASE [0-9.]+ and statsforecast ([0-9.]+)\.",
     lambda: f"{_chunked()['theirs_late']:.4f}"),
    # M4 point forecasts (reports/m4.json, subsets)
    (r"seasonal naive's ([0-9.]+) \(published", lambda: f"{_m4('Hourly', 'sNaive', 'owa')():.3f}"),
    (r"\(published: ([0-9.]+)\)", lambda: "0.627"),  # M4's workbook, as benchmarks/m4_setup.PUBLISHED
    (r"OWA ([0-9.]+) ± [0-9.]+ over 3 seeds\n?\s*\([0-9., ]+; sMAPE [0-9.]+, MASE [0-9.]+\) on the test",
     lambda: f"{_m4('Weekly', 'lstm', 'owa')():.3f}"),
    (r"CPU seconds per seed \(([0-9]+-[0-9]+) s wall", lambda: _span(_seeds("Weekly", "seconds"))),
    (r"([0-9]+-[0-9]+) CPU seconds per seed \([0-9]+-[0-9]+ s wall", lambda: _span(_seeds("Weekly", "cpu_seconds"))),
    (r"reaches OWA [0-9.]+ Hourly[^,]*, ([0-9.]+) Weekly", lambda: f"{_m4('Weekly', 'lstm', 'owa')():.3f}"),
    (r"reaches OWA ([0-9.]+) Hourly", lambda: f"{_m4('Hourly', 'lstm', 'owa')():.3f}"),
    (r"Hourly \(([0-9]+) seed\(s\)\)", lambda: str(len(_seeds("Hourly", "owa")))),
    (r"analytic ones ([0-9.]+%) and [0-9.]+%, MSIS", lambda: _pct(_coverage("Hourly", "Naive2 analytic", "95")())),
    (r"Naive2's conformal 95% intervals\s+covered [0-9.]+% of the Hourly and [0-9.]+% of the Weekly test values\s+"
     r"\(MSIS ([0-9.]+) and", lambda: f"{_m4('intervals', 'Hourly', 'Naive2 conformal', 'levels', '95', 'msis')():.2f}"),
    # the LSTM's point forecasts and how it was chosen
    (r"`scaling=\"window\"` \(validation OWA\s+([0-9.]+) against",
     lambda: f"{_m4('Hourly', 'lstm', 'selected_by_validation', 'validation_owa')():.3f}"),
    (r"against ([0-9.]+), on the first seed of every candidate", lambda: "{:.3f}".format(
        _m4("validation", "Hourly", "segments 24, parallel decoder, 3 members, 12 epochs")()["per_seed"][0]["owa"])),
    (r"validation\s+OWA ([0-9.]+)\) and scored", lambda: "{:.3f}".format(
        _m4("validation", "Hourly", "segments 24, parallel decoder, 3 members, 12 epochs")()["per_seed"][0]["owa"])),
    (r"and scored OWA ([0-9.]+) ± [0-9.]+ over 3 seeds on the test", lambda: "{:.3f}".format(next(
        r["result"]["lstm"]["owa"] for r in _json("m4")["test_runs"] if r["subset"] == "Hourly"
        and r.get("candidate") == "segments 24, parallel decoder, 3 members, 12 epochs" and r["what"] == "lstm"))),
    (r"it reached\s+OWA ([0-9.]+)", lambda: f"{_m4('Hourly', 'lstm', 'owa')():.3f}"),
    (r"it reached\s+OWA [0-9.]+ ± ([0-9.]+)", lambda: f"{_m4('Hourly', 'lstm', 'std', 'owa')():.3f}"),
    (r"each seed\s+took ([0-9]+-[0-9]+) CPU seconds", lambda: _span(_seeds("Hourly", "cpu_seconds"))),
    (r"CPU seconds \(([0-9]+-[0-9]+) s wall on the 2 cores", lambda: _span(_seeds("Hourly", "seconds"))),
    # the Weekly candidates on their first seed, as the selection rule compares them
    (r"as the selection rule compares them, validation OWA ([0-9.]+)\s+against",
     lambda: _first_seed(_m4("Weekly", "lstm", "selected_by_validation", "candidate")())),
    (r"against ([0-9.]+) for 10 members of 4 epochs", lambda: _first_seed(_WEEKLY.format(10, 4, ""))),
    (r"\(tied within the seed spread, the cheaper chosen\), ([0-9.]+)\s+for 5 members",
     lambda: _first_seed(_WEEKLY.format(5, 5, ""))),
    (r"([0-9.]+) for 8 epochs", lambda: _first_seed(_WEEKLY.format(5, 8, ""))),
    (r"([0-9.]+) for the former 3 members", lambda: _first_seed("segments 4, dense head, 3 members")),
    (r"and ([0-9.]+) with `scaling=\"window\"`, the option",
     lambda: _first_seed(_WEEKLY.format(8, 5, ", window scaling"))),
    (r"an LSTM has read the Weekly test files ([0-9]+) times in all", lambda: str(sum(
        r["subset"] == "Weekly" and r["what"] in ("lstm", "LSTM ablation") for r in _json("m4")["test_runs"]))),
    (r"over 3 seeds\s+\(([0-9., ]+); sMAPE [0-9.]+, MASE [0-9.]+\) on the test, where",
     lambda: ", ".join(f"{owa:.3f}" for owa in _seeds("Weekly", "owa"))),
    (r"[(;] Theta: ([0-9.]+); best weekly", lambda: f"{_m4('Weekly', 'Theta', 'owa')():.3f}"),
    (r"the former configuration: ([0-9.]+)\)", lambda: "{:.3f}".format(next(
        r["result"]["lstm"]["owa"] for r in _json("m4")["test_runs"]
        if r["subset"] == "Weekly" and r.get("candidate") == "segments 4, dense head, 3 members"))),
    (r"\(0.718, 0.718, 0.719; sMAPE ([0-9.]+), MASE", lambda: f"{_m4('Weekly', 'lstm', 'smape')():.2f}"),
    (r"\(0.718, 0.718, 0.719; sMAPE [0-9.]+, MASE ([0-9.]+)\)", lambda: f"{_m4('Weekly', 'lstm', 'mase')():.2f}"),
    # the main job's report (README), from the committed reports/example.md
    (r"ETS ranks first \(mean MASE ([0-9.]+)\)", lambda: _example("ets")),
    (r"then the LSTM \(([0-9.]+)\)", lambda: _example("lstm")),
    (r"the LSTM fell back in ([0-9]+ of [0-9]+)\s+fits", lambda: re.search(
        r"lstm fell back in ([0-9]+ of [0-9]+) fit", (ROOT / "reports" / "example.md").read_text()).group(1)),
    (r"naive \(([0-9.]+)\), Theta", lambda: _example("naive")),
    # the baselines snippet prints the main job's baseline figures
    (r"the same figures\s+\(ETS ([0-9.]+),\s+naive", lambda: _example("ets")),
    (r"ETS [0-9.]+,\s+naive ([0-9.]+),\s+Theta", lambda: _example("naive")),
    (r"naive [0-9.]+,\s+Theta ([0-9.]+),\s+seasonal naive", lambda: _example("theta")),
    (r"Theta [0-9.]+,\s+seasonal\s+naive ([0-9.]+)\)", lambda: _example("snaive")),
    (r"Theta \(([0-9.]+)\) and the seasonal naive", lambda: _example("theta")),
    (r"and the seasonal naive \(([0-9.]+)\); the", lambda: _example("snaive")),
    (r"LSTM and ETS are not significantly apart \(Diebold-Mariano\s+p = ([0-9.]+)\)", lambda: re.search(
        r"lstm does not beat ets: .*p = ([0-9.]+)\)", (ROOT / "reports" / "example.md").read_text()).group(1)),
    (r"the LSTM's 80% and 95% intervals covered ([0-9]+% and [0-9]+%) of the", lambda: " and ".join(re.search(
        r"lstm's 80% interval covered ([0-9]+%) .* its 95% interval covered ([0-9]+%)",
        (ROOT / "reports" / "example.md").read_text()).groups())),
    # durations of the README's own commands (reports/readme_runs.json, measured by hand)
    (r"\(([0-9]+) s wall, pip install from a package mirror included",
     lambda: str(_readme_run("main job", 0)["wall_s"])),
    (r"the backtest itself ([0-9]+) s, most of it", lambda: str(_readme_run("main job", 0)["backtest_wall_s"])),
    (r"the same job took ([0-9]+) min \(both timed by hand", lambda: str(round(_readme_run("main job", 1)["wall_s"] / 60))),
    (r"pytest took ([0-9]+ min [0-9]+ s) on two quiet CPU cores", lambda: "{} min {} s".format(
        *divmod(_readme_run("test command", 0)["pytest_wall_s"], 60))),
    (r"\(([0-9.]+ s and [0-9.]+ s) user\s+time", lambda: "{:g} s and {:g} s".format(
        *_readme_run("ten seconds on baselines", 0)["user_s"])),
    (r"time, ([0-9.]+ s and [0-9.]+ s) wall, measured twice", lambda: "{:g} s and {:g} s".format(
        *_readme_run("ten seconds on baselines", 0)["wall_s"])),
    # AutoARIMA's max_d=1 default (docs/statistical_models.md)
    (r"on Weekly's 359 series MASE ([0-9.]+) with `max_d=2`",
     lambda: "{:.4f}".format(_max_d("validation_weekly", "359", "method='css-loglik-filter'")["mase"])),
    (r"with `max_d=2` against ([0-9.]+) with `max_d=1`",
     lambda: f"{_max_d('validation_weekly', '359', _zero_start_defaults('validation_weekly', '359'))['mase']:.4f}"),
    (r"with `max_d=1`, a\s+gain of ([+0-9. ±]+), beyond", lambda: _max_d_gain("validation_weekly", "359")),
    (r"optimiser, ([+0-9. ±]+)\)\. So `max_d=1`", lambda: _max_d_gain("validation", "414")),
    (r"second CSS start \(2026-12-06\) the first 20 series MASE ([0-9.]+) \(OWA",
     lambda: "{:.4f}".format(_json("auto_arima")["subsets"]["Weekly"]["20"]["sides"]["ours"]["mase"])),
    (r"2026-12-06\) the first 20 series MASE [0-9.]+ \(OWA ([0-9.]+)\)",
     lambda: "{:.3f}".format(_json("auto_arima")["subsets"]["Weekly"]["20"]["sides"]["ours"]["owa"])),
    (r"\), all 359 MASE\s+([0-9.]+) \(OWA [0-9.]+\)\. On the",
     lambda: "{:.4f}".format(_json("auto_arima")["subsets"]["Weekly"]["359"]["sides"]["ours"]["mase"])),
    (r"\), all 359 MASE\s+[0-9.]+ \(OWA ([0-9.]+)\)\. On the",
     lambda: "{:.3f}".format(_json("auto_arima")["subsets"]["Weekly"]["359"]["sides"]["ours"]["owa"])),
    # AutoARIMA's rows rerun with the current defaults (docs/statistical_models.md)
    (r"3 Hourly series, ours MASE ([0-9.]+) in",
     _aa_figure("Hourly", "3", "ours", "mase", 4)),
    (r"CPU s, statsforecast ([0-9.]+) in [0-9.]+\s+CPU s, the same orders on all 3",
     _aa_figure("Hourly", "3", "statsforecast", "mase", 4)),
    (r"statsforecast [0-9.]+ in ([0-9.]+)\s+CPU s, the same orders on all 3",
     _aa_figure("Hourly", "3", "statsforecast", "cpu_seconds", 1)),
    (r"on all 414 Hourly\s+series ours MASE ([0-9.]+) \(",
     _aa_figure("Hourly", "414", "ours", "mase", 4)),
    (r"2 Weekly series ours MASE ([0-9.]+) \(OWA",
     _aa_figure("Weekly", "2", "ours", "mase", 4)),
    (r"2 Weekly series ours MASE [0-9.]+ \(OWA ([0-9.]+), behind",
     _aa_figure("Weekly", "2", "ours", "owa", 3)),
    (r"behind Naive2 on those two; ([0-9.]+) with the\s+defaults of 2026-12-04",
     lambda: "{:.4f}".format(_aa_logged("Weekly", 2, "4c75da7", "ours")["mase"])),
    (r"AutoARIMA\(52\) finished in ([0-9.]+) CPU s", _aa_figure("Weekly", "2", "statsforecast", "cpu_seconds", 1)),
    (r"stopped after 23 CPU minutes\) with MASE ([0-9.]+) \(OWA", _aa_figure("Weekly", "2", "statsforecast", "mase", 4)),
    (r"with MASE [0-9.]+ \(OWA ([0-9.]+)\), ours MASE", _aa_figure("Weekly", "2", "statsforecast", "owa", 3)),
    (r"\), ours MASE\s+([0-9.]+) in [0-9.]+ CPU s \(with the second", _aa_figure("Weekly", "2", "ours", "mase", 4)),
    (r"\), ours MASE\s+[0-9.]+ in ([0-9.]+) CPU s \(with the second", _aa_figure("Weekly", "2", "ours", "cpu_seconds", 1)),
    # windowing, report scale, M4 speed (docs/benchmarks.md)
    (r"float32: ([0-9.]+) ms and [0-9.]+ KB as views",
     lambda: f"{1e3 * _windowing('float32 array, check_finite=False', 'time_s_median'):.2f}"),
    (r"float32: [0-9.]+ ms and ([0-9.]+) KB as views",
     lambda: f"{_windowing('float32 array, check_finite=False', 'tracemalloc_peak_bytes_median') / 1024:.1f}"),
    (r"as views \(([0-9.]+) ms with the default NaN/inf scan; medians of ([0-9]+)",
     lambda: f"{1e3 * _windowing('float32 array, check_finite=True', 'time_s_median'):.0f}"),
    (r"NaN/inf scan; medians of ([0-9]+)\)", lambda: str(_json("windowing")["reps"])),
    (r"backtest over ([0-9,]+) series \([0-9.]+M metric rows", lambda: f"{_report_scale('n_series'):,}"),
    (r"series \(([0-9.]+)M metric rows", lambda: f"{_report_scale('metrics_rows') / 1e6:.1f}"),
    (r"2 folds\): ([0-9.]+) s CPU to build", lambda: f"{_report_scale('cpu_s'):.2f}"),
    (r"median of ([0-9]+); [0-9.]+ s wall on the 2 cores", lambda: str(_json("report_scale")["repeats"])),
    (r"median of [0-9]+; ([0-9.]+) s wall on the 2 cores", lambda: f"{_report_scale('wall_s'):.2f}"),
    (r"s wall on the 2 cores at load ([0-9.]+-[0-9.]+)\), a", lambda: _span(_report_scale("load_1min"), 1)),
    (r"a ([0-9.]+) MB HTML page with [0-9]+ summary figures", lambda: f"{_report_scale('html_mb'):.2f}"),
    (r"MB HTML page with ([0-9]+) summary figures", lambda: str(len(_report_scale("figures")))),
    (r"\(Hourly, medians of ([0-9]+) at load", lambda: str(_json("m4_speed")["repeats"])),
    (r"\(Hourly, medians of [0-9]+ at load ([0-9.]+-[0-9.]+):",
     lambda: _span(_m4_speed(["Naive", "sNaive", "Naive2", "SES", "Theta", "Holt", "Damped"], key="load_average"), 1)),
    (r"Naive, sNaive and Naive2 ([0-9.]+-[0-9.]+) s,", lambda: _span(_m4_speed(["Naive", "sNaive", "Naive2"]), 2)),
    (r"SES and Theta ([0-9.]+-[0-9.]+) s;", lambda: _span(_m4_speed(["SES", "Theta"]), 2)),
    (r"optimisers Holt ([0-9.]+) s", lambda: f"{_m4_speed(['Holt'])[0]:.1f}"),
    (r"optimisers Holt [0-9.]+ s and Damped ([0-9.]+) s", lambda: f"{_m4_speed(['Damped'])[0]:.1f}"),
    (r"Segments of 24 make an epoch ([0-9]+-[0-9]+)x faster", lambda: _span(
        [r["vs_point_wise"] for r in _json("train_speed")["segments"]["rows"] if r["segment_length"] is not None])),
    # panel scale and intervals at scale
    (r"A backtest \+ summary\s+of ([0-9,]+) series peaked at",
     lambda: f"{_json('panel_scale')['rows'][0]['n_series']:,}"),
    (r"series peaked at ([0-9.]+)x its panel's float64 size",
     lambda: f"{_json('panel_scale')['rows'][0]['peak_over_panel']:.1f}"),
    (r"float64 size, of ([0-9,]+) at [0-9.]+x", lambda: f"{_json('panel_scale')['rows'][1]['n_series']:,}"),
    (r"float64 size, of [0-9,]+ at ([0-9.]+)x", lambda: f"{_json('panel_scale')['rows'][1]['peak_over_panel']:.1f}"),
    (r"SES over ([0-9,]+ and [0-9,]+) series \(3 folds", lambda: " and ".join(
        f"{r['n_series']:,}" for r in _json("panel_scale")["rows"])),
    (r"tsforecast took ([0-9.]+x and [0-9.]+x) statsforecast's time", lambda: " and ".join(
        f"{r['ratio']:.2f}x" for r in _json("panel_scale")["rows"])),
    (r"medians of ([0-9]+ and [0-9]+) alternating runs at load", lambda: " and ".join(
        str(r["repeats"]) for r in _json("panel_scale")["rows"])),
    (r"in the same alternation, ([0-9.]+)x the CPU time of the code before",
     lambda: f"{_json('panel_scale')['rows'][0]['cpu_ratio_to_before']:.2f}"),
    (r"before issue 21's redesign \(commit ([0-9a-f]+)\)", lambda: _json("panel_scale")["rows"][0]["before_commit"]),
    (r"alternating runs at load ([0-9.]+-[0-9.]+)\)", lambda: _span(
        [load for r in _json("panel_scale")["rows"] for pair in r["loads"] for load in pair], 1)),
    (r"3.6x, 95% coverage ([0-9.]+-[0-9.]+)", lambda: _span(
        _json("interval_scale")["rows"][0]["conformal"]["coverage_95"].values(), 3)),
    (r"levels=\(80, 95\)`: ([0-9.]+)x the time without intervals",
     lambda: f"{(lambda r: r['levels']['seconds'] / r['points']['seconds'])(_json('interval_scale')['rows'][0]):.2f}"),
    (r"\(6 fits per fold\): ([0-9.]+)x", lambda: "{:.1f}".format(
        (lambda r: r["conformal"]["seconds"] / r["points"]["seconds"])(_json("interval_scale")["rows"][0]))),
]


def _texts() -> dict[str, str]:
    paths = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return {path.name: path.read_text() for path in paths if path.exists()}


@pytest.mark.parametrize("pattern, expected", FIGURES, ids=[p for p, _ in FIGURES])
def test_readme_figure_matches_its_json(pattern, expected):
    found = [(name, match.group(1)) for name, text in _texts().items() for match in re.finditer(pattern, text)]
    assert found, f"no phrase matching {pattern!r} in README.md or docs/*.md"
    assert {figure for _, figure in found} == {expected()}, found
