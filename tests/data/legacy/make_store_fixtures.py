"""Write the store fixtures of the previous file formats that ``make_legacy_files.py``
lacks: the checkpoint folder of a backtest (task files in the JSON format
``tsforecast-backtest-task/1``) and a model file signed with a key, so that
tests/test_store.py can check that they still read after the archive reader was unified.

Written by tsforecast at commit ea992f6 (main before the one archive reader of issue 21):

    PYTHONPATH=<tree at ea992f6> python tests/data/legacy/make_store_fixtures.py tests/data/legacy
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

import tsforecast as tsf
from tsforecast import baselines

#: The signing key of ``signed_theta.zip`` (a test fixture, not a secret).
KEY = b"tsforecast legacy fixture key"


def main(folder: Path) -> None:
    data = pd.read_csv(folder / "panel.csv", parse_dates=["ds"])
    models = {"naive": baselines.Naive(), "snaive": baselines.SeasonalNaive(7)}
    result = tsf.backtest(models, data, horizon=7, cv=2, progress=False, checkpoint_dir=folder / "checkpoint")
    model = baselines.Theta(season_length=7).fit(data)
    tsf.save(model, folder / "signed_theta.zip", key=KEY)
    expected = {"tsforecast": tsf.__version__,
                "checkpoint_forecasts": result.forecasts.select_dtypes("number").to_numpy().tolist(),
                "signed_theta": model.predict(7).drop(columns=["unique_id", "ds"]).to_numpy().tolist()}
    (folder / "expected_store.json").write_text(json.dumps(expected, indent=1) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
