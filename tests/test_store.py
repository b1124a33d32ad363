"""Files saved by the previous version still load, and forecast as they did.

The fixtures in ``tests/data/legacy`` were written by tsforecast at commit 94fb9a0 (the
base of the store unification of issue 21) with ``make_legacy_files.py`` there, which
also recorded the forecasts they gave in ``expected.json``.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import tsforecast as tsf

LEGACY = Path(__file__).parent / "data" / "legacy"
EXPECTED = json.loads((LEGACY / "expected.json").read_text())


@pytest.mark.parametrize("name", sorted(EXPECTED["forecasts"]))
def test_a_model_file_of_the_previous_version_loads_and_forecasts_the_same(name):
    model = tsf.load(LEGACY / f"{name}.zip")
    out = model.predict_interval(7) if name == "conformal_naive" else model.predict(7)
    assert out["unique_id"].tolist() == ["a"] * 7 + ["b"] * 7
    got = out.drop(columns=["unique_id", "ds"]).to_numpy()
    np.testing.assert_allclose(got, np.asarray(EXPECTED["forecasts"][name]), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", sorted(EXPECTED["forecasts"]))
def test_a_legacy_model_refitted_today_gives_the_forecasts_it_saved(name):
    """The file's parameters, fitted again by this version on the same data, agree."""
    data = pd.read_csv(LEGACY / "panel.csv", parse_dates=["ds"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = clone(tsf.load(LEGACY / f"{name}.zip")).fit(data)
        out = model.predict_interval(7) if name == "conformal_naive" else model.predict(7)
    np.testing.assert_allclose(out.drop(columns=["unique_id", "ds"]).to_numpy(),
                               np.asarray(EXPECTED["forecasts"][name]), rtol=0, atol=1e-12)


def test_a_result_file_of_the_previous_version_loads_with_its_forecasts_and_metrics():
    result = tsf.BacktestResult.load(LEGACY / "result.zip")
    assert result.models == ["naive", "snaive"]
    for table in ("forecasts", "metrics"):
        got = getattr(result, table).select_dtypes("number").to_numpy()
        assert got.size > 0
        np.testing.assert_allclose(got, np.asarray(EXPECTED[f"result_{table}"]), rtol=0, atol=1e-12)


def test_a_legacy_model_saved_again_loads_to_the_same_forecasts(tmp_path):
    model = tsf.load(LEGACY / "window_ridge.zip")
    again = tsf.load(tsf.save(model, tmp_path / "again.zip"))
    pd.testing.assert_frame_equal(again.predict(7), model.predict(7), check_exact=True)
