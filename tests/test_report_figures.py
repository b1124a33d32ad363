"""Figures typed into README.md (and docs/*.md, where README's long sections move) are
checked against the JSON reports they quote: each declared phrase must be found, and the
figure in it must equal the JSON's value as the prose rounds it."""

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
    (r"former 3-member configuration's intervals covered ([0-9.]+%)", lambda: _pct(_diagnosis("cov80"))),
    (r"\(80%\) and ([0-9.]+%) \(95%\)", lambda: _pct(_diagnosis("cov95"))),
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
    (r"8 members, 5 epochs; validation OWA ([0-9.]+) over 2 seeds",
     lambda: f"{_m4('Weekly', 'lstm', 'selected_by_validation', 'validation_owa')():.3f}"),
    (r"\(Theta: ([0-9.]+); best weekly", lambda: f"{_m4('Weekly', 'Theta', 'owa')():.3f}"),
    (r"the former configuration: ([0-9.]+)\)", lambda: "{:.3f}".format(next(
        r["result"]["lstm"]["owa"] for r in _json("m4")["test_runs"]
        if r["subset"] == "Weekly" and r.get("candidate") == "segments 4, dense head, 3 members"))),
    (r"\(0.718, 0.718, 0.719; sMAPE ([0-9.]+), MASE", lambda: f"{_m4('Weekly', 'lstm', 'smape')():.2f}"),
    # panel scale and intervals at scale
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
