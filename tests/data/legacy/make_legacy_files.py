"""Write the legacy fixtures: a model file and a backtest result saved by an earlier
tsforecast, with the forecasts they gave, so that tests/test_store.py can check that
files of the previous version still load and forecast the same.

Run with the EARLIER version first on the path (here: commit 94fb9a0, the base of the
store unification of issue 21, exported with ``git archive 94fb9a0 tsforecast``):

    PYTHONPATH=/tmp/params_base python tests/data/legacy/make_legacy_files.py tests/data/legacy

Small on purpose (a few kB): 2 series of 40 daily values.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge

import tsforecast as tsf
from tsforecast import baselines


def panel() -> pd.DataFrame:
    rng = np.random.default_rng(21)
    frames = []
    for key, level in (("a", 10.0), ("b", 50.0)):
        t = np.arange(40)
        y = level + 0.1 * t + 2 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.3, 40)
        frames.append(pd.DataFrame({"unique_id": key, "ds": pd.date_range("2024-01-01", periods=40, freq="D"), "y": y}))
    return pd.concat(frames, ignore_index=True)


MODELS = {
    "theta": lambda: baselines.Theta(season_length=7),
    "window_ridge": lambda: tsf.WindowForecaster(Ridge(alpha=1.0), n_steps_in=14, n_steps_out=7),
    "conformal_naive": lambda: tsf.ConformalIntervals(baselines.SeasonalNaive(7), levels=(80,), horizon=7,
                                                      n_windows=3),
}


def main(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    data = panel()
    data.to_csv(folder / "panel.csv", index=False)
    expected = {"tsforecast": tsf.__version__, "forecasts": {}}
    for name, make in MODELS.items():
        model = make().fit(data)
        tsf.save(model, folder / f"{name}.zip")
        out = model.predict_interval(7) if name == "conformal_naive" else model.predict(7)
        expected["forecasts"][name] = out.drop(columns=["unique_id", "ds"]).to_numpy().tolist()
    result = tsf.backtest({"naive": baselines.Naive(), "snaive": baselines.SeasonalNaive(7)}, data, horizon=7, cv=2,
                          progress=False)
    result.save(folder / "result.zip")
    expected["result_forecasts"] = result.forecasts.select_dtypes("number").to_numpy().tolist()
    expected["result_metrics"] = result.metrics.select_dtypes("number").to_numpy().tolist()
    (folder / "expected.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
