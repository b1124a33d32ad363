"""Files saved by the previous version still load, and forecast as they did.

The fixtures in ``tests/data/legacy`` were written by tsforecast at commit 94fb9a0 (the
base of the store unification of issue 21) with ``make_legacy_files.py`` there, which
also recorded the forecasts they gave in ``expected.json``.
"""

from __future__ import annotations

import json
import warnings
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

import tsforecast as tsf

LEGACY = Path(__file__).parent / "data" / "legacy"
EXPECTED = json.loads((LEGACY / "expected.json").read_text())


def assert_as_recorded(name: str, got: np.ndarray, **tolerance) -> None:
    """``got`` equals the recorded forecasts, except that conformal bounds may be wider:
    since a230fe2 a series that falls back to the pooled quantile keeps at least its own
    largest calibration error (so levels nest); the file holds 3 windows for an 80%
    interval (4 needed), so both series fall back."""
    expected = np.asarray(EXPECTED["forecasts"][name])
    if name != "conformal_naive":
        np.testing.assert_allclose(got, expected, **tolerance)
        return
    np.testing.assert_allclose(got[:, 0], expected[:, 0], **tolerance)  # the point forecasts
    assert (got[:, 1] <= expected[:, 1] + 1e-12).all() and (got[:, 2] >= expected[:, 2] - 1e-12).all()


@pytest.mark.parametrize("name", sorted(EXPECTED["forecasts"]))
def test_a_model_file_of_the_previous_version_loads_and_forecasts_the_same(name):
    model = tsf.load(LEGACY / f"{name}.zip")
    out = model.predict_interval(7) if name == "conformal_naive" else model.predict(7)
    assert out["unique_id"].tolist() == ["a"] * 7 + ["b"] * 7
    assert_as_recorded(name, out.drop(columns=["unique_id", "ds"]).to_numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("name", sorted(EXPECTED["forecasts"]))
def test_a_legacy_model_refitted_today_gives_the_forecasts_it_saved(name):
    """The file's parameters, fitted again by this version on the same data, agree."""
    data = pd.read_csv(LEGACY / "panel.csv", parse_dates=["ds"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = clone(tsf.load(LEGACY / f"{name}.zip")).fit(data)
        out = model.predict_interval(7) if name == "conformal_naive" else model.predict(7)
    # a refit runs the optimisers again: on another CPU their last-bit differences grow to
    # ~1e-12 relative (Theta's on an Intel AVX-512 machine), far below any change of method
    assert_as_recorded(name, out.drop(columns=["unique_id", "ds"]).to_numpy(), rtol=1e-9, atol=1e-12)


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


# ---------------------------------------------------------------------------- the one archive reader
# ``expected_store.json``, ``checkpoint/`` and ``signed_theta.zip`` were written by commit ea992f6
# (before the one reader) with ``make_store_fixtures.py``.
EXPECTED_STORE = json.loads((LEGACY / "expected_store.json").read_text())
LEGACY_KEY = b"tsforecast legacy fixture key"


def test_a_signed_model_file_of_the_previous_version_loads_with_its_key_only():
    model = tsf.load(LEGACY / "signed_theta.zip", key=LEGACY_KEY)
    got = model.predict(7).drop(columns=["unique_id", "ds"]).to_numpy()
    np.testing.assert_allclose(got, np.asarray(EXPECTED_STORE["signed_theta"]), rtol=0, atol=1e-12)
    with pytest.raises(tsf.exceptions.ModelFileError, match="signed_theta.zip: the signature does not match"):
        tsf.load(LEGACY / "signed_theta.zip", key=b"another key of 16+ bytes")


def test_checkpoint_files_of_the_previous_version_are_resumed(tmp_path):
    from tsforecast.backtesting.checkpoint import TaskStore

    legacy = sorted((LEGACY / "checkpoint").glob("*.json"))
    assert len(legacy) == 4
    for path in legacy:
        (tmp_path / path.name).write_bytes(path.read_bytes())
    store = TaskStore(tmp_path)
    assert store.keys() == [p.stem for p in legacy]
    for path in legacy:
        payload = store.load(path.stem)
        assert payload == json.loads(path.read_text())["payload"]
        assert np.asarray(payload["folds"][0]["y_hat"]).shape == (2, 7)
    assert store.load("0" * 32) is None


def test_a_checkpoint_is_an_archive_and_a_damaged_one_is_redone(tmp_path):
    from tsforecast.backtesting.checkpoint import TaskStore

    store = TaskStore(tmp_path)
    store.save("k1", {"y_hat": [1.5, 2.5]})
    path = tmp_path / "k1.zip"
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["manifest.json", "payload.json"]
    assert store.load("k1") == {"y_hat": [1.5, 2.5]}
    members = _members(path)
    _write(tmp_path / "k2.zip", {**members, "payload.json": b'{"y_hat":[9.5,2.5]}'})  # stale digest
    _write(tmp_path / "k3.zip", members)  # another task's file under this key
    (tmp_path / "k4.zip").write_bytes(path.read_bytes()[:-20])
    assert [store.load(k) for k in ("k2", "k3", "k4")] == [None, None, None]


def _members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _write(path, members):
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize("kind", ["model", "result"])
def test_model_files_and_results_are_refused_alike_by_the_one_reader(kind, tmp_path):
    """Every kind of archive is checked by ``storage.files.read_archive``: the same refusal, naming
    the file and the member, for an unlisted member, a failing digest and a truncation."""
    source = LEGACY / ("theta.zip" if kind == "model" else "result.zip")
    read = tsf.load if kind == "model" else tsf.BacktestResult.load
    read(source)
    members = _members(source)
    victim = next(n for n in members if n != "manifest.json")
    with pytest.raises(tsf.exceptions.ModelFileError, match=r"extra\.zip was altered: member\(s\) \['evil\.py'\]"):
        read(_write(tmp_path / "extra.zip", {**members, "evil.py": b"print(1)"}))
    with pytest.raises(tsf.exceptions.ModelFileError,
                       match=rf"edited\.zip: member '{victim}' fails its SHA-256 check"):
        read(_write(tmp_path / "edited.zip", {**members, victim: members[victim] + b" "}))
    (tmp_path / "cut.zip").write_bytes(source.read_bytes()[:-30])
    with pytest.raises(tsf.exceptions.ModelFileError, match=r"cut\.zip is not a tsforecast .*: not a zip archive"):
        read(tmp_path / "cut.zip")
    manifest = json.loads(members["manifest.json"])
    manifest["sha256"] = "none"
    with pytest.raises(tsf.exceptions.ModelFileError, match=r"nosha\.zip: manifest\.json lacks a valid 'sha256'"):
        read(_write(tmp_path / "nosha.zip", {**members, "manifest.json": json.dumps(manifest).encode()}))
