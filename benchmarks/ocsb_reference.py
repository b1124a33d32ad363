"""Write pmdarima's OCSB seasonal-difference decisions on a seeded synthetic panel.

The fixture ``tests/data/ocsb_pmdarima.json`` holds the series, pmdarima's
``nsdiffs(x, m, test="ocsb")`` and its OCSB statistic and 5% critical value, so
``tests/test_auto_arima.py`` checks our decisions against them without pmdarima.
statsforecast 2.1.1 (the benchmark venv) accepts ``seasonal_test="ocsb"`` but runs the
seasonal-strength heuristic whatever the test's name, so it cannot serve as the reference.
pmdarima is not a project dependency; run this where it is installed::

    python -m venv --system-site-packages /tmp/pmdvenv && /tmp/pmdvenv/bin/pip install pmdarima
    /tmp/pmdvenv/bin/python benchmarks/ocsb_reference.py

pmdarima's statistic is not R's: it adds an intercept to the AR fit of the double
difference and picks the lag order differently, so only the decisions and the critical
value are compared (ours follows R's ``forecast::ocsb.test``).
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "ocsb_pmdarima.json"
SEED = 20261204
#: (period, length) of the panel's series.
SHAPES = ((4, 80), (12, 144), (24, 300))
#: Weights of the seasonal random walk against a fixed season: 1 needs D = 1, 0 does not.
MIXES = (0.0, 0.25, 0.5, 0.75, 1.0)


def synthetic_panel(seed: int = SEED) -> list[dict]:
    """For each shape and mix, ``mix`` seasonal random walk plus ``1 - mix`` fixed season, with noise."""
    rng = np.random.default_rng(seed)
    panel = []
    for m, n in SHAPES:
        for mix in MIXES:
            e = rng.normal(size=n)
            walk = np.zeros(n)
            for t in range(n):
                walk[t] = (walk[t - m] if t >= m else 0.0) + e[t]
            fixed = 5 * np.sin(2 * np.pi * np.arange(n) / m) + rng.normal(size=n)
            x = mix * walk + (1 - mix) * fixed + 0.1 * np.cumsum(rng.normal(size=n))
            panel.append({"m": m, "mix": mix, "x": np.round(x, 8).tolist()})
    return panel


def main() -> None:
    import pmdarima
    from pmdarima.arima import nsdiffs
    from pmdarima.arima.seasonality import OCSBTest

    panel = synthetic_panel()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for entry in panel:
            x, m = np.asarray(entry["x"]), entry["m"]
            entry["pmdarima_D"] = int(nsdiffs(x, m, max_D=1, test="ocsb"))
            entry["pmdarima_statistic"] = float(OCSBTest(m)._compute_test_statistic(x))
            entry["pmdarima_critical"] = float(OCSBTest._calc_ocsb_crit_val(m))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"pmdarima": pmdarima.__version__, "seed": SEED, "series": panel}) + "\n")
    print(f"wrote {OUT}: {sum(e['pmdarima_D'] for e in panel)} of {len(panel)} series get D = 1")


if __name__ == "__main__":
    main()
