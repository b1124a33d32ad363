"""Write statsforecast's intermittent-demand forecasts on a seeded synthetic panel.

The fixture ``tests/data/intermittent_statsforecast.json`` holds the panel and the
forecasts of statsforecast's CrostonClassic, CrostonSBA, TSB (two settings), ADIDA and
IMAPA, so ``tests/test_intermittent.py`` checks ours against them without statsforecast.
Run it where statsforecast is installed (the benchmark venv)::

    PYTHONPATH=$PWD /work/venv-bench/bin/python benchmarks/intermittent_reference.py
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "intermittent_statsforecast.json"
SEED = 20261204
TSB_SETTINGS = ((0.1, 0.1), (0.3, 0.05))


def synthetic_panel(seed: int = SEED) -> dict[str, list[float]]:
    """Intermittent series of many lengths and sparsities, plus the edge cases."""
    rng = np.random.default_rng(seed)
    panel = {}
    for i in range(40):
        length = int(rng.integers(2, 160))
        p_demand = float(rng.uniform(0.05, 0.9))
        sizes = rng.gamma(shape=rng.uniform(0.5, 3.0), scale=rng.uniform(1.0, 20.0), size=length)
        if i % 3 == 0:
            sizes = np.ceil(sizes)  # count data
        panel[f"s{i:02d}"] = (sizes * (rng.random(length) < p_demand)).tolist()
    panel.update({
        "zeros": [0.0] * 12,
        "one_value": [4.0],
        "one_zero": [0.0],
        "demand_at_end": [0.0] * 9 + [5.0],
        "demand_at_start": [7.0] + [0.0] * 9,
        "interval_2.5": [0.0, 3.0, 0.0, 0.0, 2.0],  # mean interval 2.5 rounds to 2
        "interval_3.5": [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 6.0],  # 3.5 rounds to 4
        "dense": rng.uniform(1.0, 9.0, 30).tolist(),
    })
    return panel


def main() -> None:
    import statsforecast
    from statsforecast.models import ADIDA, IMAPA, TSB, CrostonClassic, CrostonSBA

    models = {"Croston": CrostonClassic, "CrostonSBA": CrostonSBA, "ADIDA": ADIDA, "IMAPA": IMAPA}
    panel = synthetic_panel()
    forecasts: dict[str, dict[str, float]] = {name: {} for name in models}
    for alpha_d, alpha_p in TSB_SETTINGS:
        forecasts[f"TSB({alpha_d}, {alpha_p})"] = {}
    for key, values in panel.items():
        y = np.asarray(values, dtype=np.float64)
        for name, cls in models.items():
            forecasts[name][key] = float(cls().forecast(y, h=1)["mean"][0])
        for alpha_d, alpha_p in TSB_SETTINGS:
            forecasts[f"TSB({alpha_d}, {alpha_p})"][key] = float(
                TSB(alpha_d=alpha_d, alpha_p=alpha_p).forecast(y, h=1)["mean"][0])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"statsforecast": statsforecast.__version__, "seed": SEED,
                               "tsb_settings": TSB_SETTINGS, "panel": panel, "forecasts": forecasts},
                              indent=1) + "\n")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
