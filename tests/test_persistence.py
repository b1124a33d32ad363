"""Tests of tsforecast.save / tsforecast.load.

Round trips must predict bit-identically without the training data; damaged, altered or
foreign files must raise ModelFileError and execute nothing: the payloads planted in
them (a Keras Lambda, a pickle) would create a marker file if they ever ran.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.tree import DecisionTreeRegressor

import tsforecast
from tsforecast import WindowForecaster, load, save
from tsforecast.exceptions import InputTypeError, InvalidParameterError, ModelFileError
from tsforecast.storage import encoding as _encoding
from tsforecast.storage import files as _io
from tsforecast.storage import keras_files as _keras_files
from tsforecast.storage import model_files as persistence


# ---------------------------------------------------------------------------- helpers


def members_of(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def write_zip(path, members: dict[str, bytes], *, rehash: bool = True) -> None:
    """Write ``members``; with ``rehash`` the manifest's checksums are made to match."""
    members = dict(members)
    if rehash and "manifest.json" in members:
        manifest = json.loads(members["manifest.json"])
        manifest["sha256"] = {n: hashlib.sha256(d).hexdigest() for n, d in members.items()
                              if n not in ("manifest.json", "signature.json")}
        # re-sign the edited config too, so the deeper checks below the checksums are tested
        if isinstance(manifest.get("config"), dict):
            manifest["config_sha256"] = persistence._config_digest(manifest["config"])
        members["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def edit_manifest(members: dict, change) -> dict:
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    return {**members, "manifest.json": json.dumps(manifest).encode()}


def sine_series(n=80, index="datetime"):
    t = np.arange(n)
    idx = pd.date_range("2024-01-01", periods=n, freq="h") if index == "datetime" else pd.RangeIndex(n)
    return pd.Series(5.0 + np.sin(2 * np.pi * t / 12) + 0.01 * t, index=idx, name="y")


def tiny_lstm(**params):
    from tsforecast import EncoderDecoderLSTM

    return EncoderDecoderLSTM(**{"units": 4, "epochs": 2, "batch_size": 64, "random_state": 0, **params})


@pytest.fixture(scope="module")
def lstm_file(tmp_path_factory):
    """A saved tiny EncoderDecoderLSTM (for the tampering tests)."""
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 6, 1)), rng.normal(size=(40, 2))
    model = tiny_lstm().fit(X, y)
    path = tmp_path_factory.mktemp("lstm") / "model.tsf"
    save(model, path)
    return path, model, X


@pytest.fixture
def ridge_file(tmp_path):
    model = WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=3).fit(sine_series())
    path = tmp_path / "ridge.tsf"
    save(model, path)
    return path, model


# ---------------------------------------------------------------------------- round trips


def test_sklearn_estimators_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    X = pd.DataFrame(rng.normal(size=(30, 3)), columns=["a", "b", "c"])
    y = X.to_numpy() @ [1.0, -2.0, 0.5] + 3.0
    for model in (Ridge(alpha=0.3).fit(X, y), make_pipeline(StandardScaler(), Ridge()).fit(X, y)):
        save(model, tmp_path / "m.tsf")
        loaded = load(tmp_path / "m.tsf")
        assert type(loaded) is type(model) and loaded is not model
        np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert list(loaded.feature_names_in_) == ["a", "b", "c"]


def test_trees_are_refused(tmp_path):
    model = DecisionTreeRegressor().fit(np.arange(10.0).reshape(-1, 1), np.arange(10.0))
    with pytest.raises(InputTypeError, match="tree_"):
        save(model, tmp_path / "tree.tsf")
    assert not (tmp_path / "tree.tsf").exists()
    with pytest.raises(InputTypeError, match="estimator_.*tree_"):
        save(WindowForecaster(DecisionTreeRegressor(), n_steps_in=3, n_steps_out=1).fit(sine_series()),
             tmp_path / "tree.tsf")


@pytest.mark.parametrize("index", ["datetime", "range"])
def test_ridge_forecaster_round_trip_is_bit_identical(tmp_path, index):
    y = sine_series(index=index)
    model = WindowForecaster(Ridge(alpha=0.1), n_steps_in=6, n_steps_out=3).fit(y)
    save(model, tmp_path / "f.tsf")
    loaded = load(tmp_path / "f.tsf")
    pd.testing.assert_series_equal(loaded.predict(), model.predict(), check_exact=True)
    pd.testing.assert_series_equal(loaded.predict(10), model.predict(10), check_exact=True)
    assert loaded.get_params()["estimator__alpha"] == 0.1


def test_panel_forecaster_with_covariates_round_trip(tmp_path):
    rng = np.random.default_rng(2)
    idx = pd.date_range("2024-01-01", periods=60, freq="D", tz="Europe/Paris")
    rows = []
    for key, level in ((1, 0.0), ("b", 500.0)):
        price = rng.normal(size=60)
        rows.append(pd.DataFrame({"unique_id": key, "ds": idx, "y": level + 3 * price + rng.normal(size=60),
                                  "temp": rng.normal(size=60), "price": price}))
    panel = pd.concat(rows, ignore_index=True)
    train = panel[panel.ds < idx[50]]
    X_future = panel[panel.ds >= idx[50]][["unique_id", "ds", "price"]]
    model = WindowForecaster(make_pipeline(StandardScaler(), Ridge()), n_steps_in=5, n_steps_out=4,
                             targets="y", future_covariates="price").fit(train)
    save(model, tmp_path / "p.tsf")
    loaded = load(tmp_path / "p.tsf")
    expected = model.predict(X=X_future)
    pd.testing.assert_frame_equal(loaded.predict(X=X_future), expected, check_exact=True)
    assert expected.unique_id.tolist()[:1] == [1] and str(expected.ds.dt.tz) == "Europe/Paris"
    assert loaded.past_covariates_ == ["temp"] and loaded.n_windows_ == model.n_windows_


def test_unfitted_forecaster_round_trip(tmp_path):
    model = WindowForecaster(tiny_lstm(quantiles=(0.1, 0.5, 0.9)), n_steps_in=9, future_covariates=["a", "b"])
    save(model, tmp_path / "u.tsf")
    loaded = load(tmp_path / "u.tsf")
    assert not hasattr(loaded, "estimator_")
    assert loaded.get_params()["estimator__quantiles"] == (0.1, 0.5, 0.9)
    assert loaded.get_params()["future_covariates"] == ["a", "b"]


def test_loaded_forecaster_can_be_updated(ridge_file):
    path, model = ridge_file
    loaded = load(path)
    newer = sine_series(100)
    pd.testing.assert_series_equal(loaded.update(newer).predict(), model.update(newer).predict(), check_exact=True)


def test_lstm_round_trip_is_bit_identical(lstm_file, tmp_path):
    path, model, X = lstm_file
    loaded = load(path)
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    assert loaded.history_ == model.history_


@pytest.mark.slow
def test_quantile_lstm_loads_in_a_fresh_process(tmp_path):
    """A new process has not imported tsforecast.models: load must register the
    custom layers itself (it once failed with "Could not locate class")."""
    import subprocess
    import sys

    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(30, 6, 1)), rng.normal(size=(30, 2))
    model = tiny_lstm(quantiles=(0.1, 0.5, 0.9)).fit(X, y)
    save(model, tmp_path / "q.tsf")
    np.save(tmp_path / "X.npy", X)
    script = (
        "import sys, numpy as np, tsforecast; "
        "m = tsforecast.load(sys.argv[1]); np.save(sys.argv[2], m.predict(np.load(sys.argv[3])))"
    )
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "q.tsf"), str(tmp_path / "p.npy"), str(tmp_path / "X.npy")],
        check=True, capture_output=True, timeout=300,
    )
    np.testing.assert_array_equal(np.load(tmp_path / "p.npy"), model.predict(X))


@pytest.mark.slow
@pytest.mark.parametrize("scaling", ["standard", "window"])
def test_lstm_forecaster_round_trip_is_bit_identical(tmp_path, scaling):
    y = sine_series(60)
    lstm = tiny_lstm(scaling=scaling, quantiles=(0.1, 0.5, 0.9) if scaling == "window" else None)
    model = WindowForecaster(lstm, n_steps_in=8, n_steps_out=3).fit(y)
    save(model, tmp_path / "l.tsf")
    loaded = load(tmp_path / "l.tsf")
    pd.testing.assert_series_equal(loaded.predict(7), model.predict(7), check_exact=True)
    if model.supports_quantiles:  # within one block: the heads' own quantiles (past it, conformal ones)
        pd.testing.assert_frame_equal(loaded.predict_quantiles(3), model.predict_quantiles(3), check_exact=True)
    assert loaded.history_ == model.history_


def test_file_layout(ridge_file):
    path, _ = ridge_file
    members = members_of(path)
    assert set(members) == {"manifest.json", "arrays.npz"}
    manifest = json.loads(members["manifest.json"])
    assert manifest["format"] == "tsforecast" and manifest["format_version"] == persistence.FORMAT_VERSION
    assert manifest["class"] == "tsforecast:WindowForecaster"
    assert manifest["sha256"]["arrays.npz"] == hashlib.sha256(members["arrays.npz"]).hexdigest()
    with np.load(io.BytesIO(members["arrays.npz"]), allow_pickle=False) as arrays:
        assert arrays["_last_inputs_"].shape == (1, 6, 1)  # the last window of every series, stacked
    assert manifest["signed"] is False and "signature.json" not in members


def test_public_names():
    assert tsforecast.save is save and tsforecast.load is load


# ---------------------------------------------------------------------------- damaged and foreign files


def test_truncated_file(ridge_file, tmp_path):
    path, _ = ridge_file
    data = path.read_bytes()
    for cut in (len(data) // 2, len(data) - 10, 30):
        bad = tmp_path / f"cut{cut}.tsf"
        bad.write_bytes(data[:cut])
        with pytest.raises(ModelFileError, match=str(bad.name)):
            load(bad)


def test_altered_member_fails_checksum(ridge_file, tmp_path):
    path, _ = ridge_file
    members = members_of(path)
    buffer = io.BytesIO()
    np.savez(buffer, last_inputs=np.zeros((1, 6, 1)))
    write_zip(tmp_path / "alt.tsf", {**members, "arrays.npz": buffer.getvalue()}, rehash=False)
    with pytest.raises(ModelFileError, match="SHA-256"):
        load(tmp_path / "alt.tsf")


def test_flipped_byte_is_detected(ridge_file, tmp_path):
    path, _ = ridge_file
    data = bytearray(path.read_bytes())
    data[len(data) // 3] ^= 0xFF
    (tmp_path / "flip.tsf").write_bytes(bytes(data))
    with pytest.raises(ModelFileError):
        load(tmp_path / "flip.tsf")


def test_files_that_are_not_ours(tmp_path):
    (tmp_path / "text.tsf").write_text("hello")
    with pytest.raises(ModelFileError, match="not a zip"):
        load(tmp_path / "text.tsf")
    write_zip(tmp_path / "other.zip", {"data.csv": b"a,b\n1,2\n"})
    with pytest.raises(ModelFileError, match="no manifest.json"):
        load(tmp_path / "other.zip")
    write_zip(tmp_path / "foreign.zip", {"manifest.json": json.dumps({"format": "other"}).encode()})
    with pytest.raises(ModelFileError, match="not a tsforecast model file"):
        load(tmp_path / "foreign.zip")
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "missing.tsf")


def test_missing_extra_and_unknown_version(ridge_file, tmp_path):
    path, _ = ridge_file
    members = members_of(path)
    write_zip(tmp_path / "missing.tsf", {"manifest.json": members["manifest.json"]}, rehash=False)
    with pytest.raises(ModelFileError, match="arrays.npz"):
        load(tmp_path / "missing.tsf")
    write_zip(tmp_path / "extra.tsf", {**members, "evil.py": b"print(1)"}, rehash=False)
    with pytest.raises(ModelFileError, match="evil.py"):
        load(tmp_path / "extra.tsf")
    write_zip(tmp_path / "v99.tsf", edit_manifest(members, lambda m: m.update(format_version=99)))
    with pytest.raises(ModelFileError, match="format version 99"):
        load(tmp_path / "v99.tsf")


@pytest.mark.parametrize("key", ["builtins:eval", "os:system", "sklearn:NoSuchEstimator", "tsforecast:backtest",
                                 "subprocess.Popen"])
def test_class_outside_the_allowlist(ridge_file, tmp_path, key):
    path, _ = ridge_file

    def plant(manifest):
        manifest["config"]["fitted"]["estimator_"]["__object__"] = key

    write_zip(tmp_path / "cls.tsf", edit_manifest(members_of(path), plant))
    with pytest.raises(ModelFileError, match="not one that tsforecast restores"):
        load(tmp_path / "cls.tsf")


def test_pickled_array_is_never_unpickled(ridge_file, tmp_path):
    path, _ = ridge_file
    marker = tmp_path / "pickle_ran"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    buffer = io.BytesIO()
    np.savez(buffer, last_inputs=np.array([Payload()], dtype=object))
    write_zip(tmp_path / "pickle.tsf", {**members_of(path), "arrays.npz": buffer.getvalue()})
    with pytest.raises(ModelFileError, match="without pickle"):
        load(tmp_path / "pickle.tsf")
    assert not marker.exists()


def lambda_keras_bytes(tmp_path, marker, monkeypatch) -> bytes:
    """A .keras model whose Lambda layer creates ``marker`` whenever it runs."""
    import keras

    monkeypatch.setenv("TSFORECAST_TEST_MARKER", str(marker))
    inputs = keras.Input((6, 1))
    outputs = keras.layers.Lambda(
        lambda x: (open(__import__("os").environ["TSFORECAST_TEST_MARKER"], "w").close(), x)[1]
    )(inputs)
    file = tmp_path / "lambda.keras"
    keras.Model(inputs, outputs).save(file)
    marker.unlink()  # building the model ran the function once
    # The payload is live: an unsafe load would run it.
    keras.saving.load_model(file, safe_mode=False)
    assert marker.exists()
    marker.unlink()
    return file.read_bytes()


def test_lambda_layer_is_refused_and_never_runs(lstm_file, tmp_path, monkeypatch):
    import keras

    path, _, _ = lstm_file
    marker = tmp_path / "lambda_ran"
    members = {**members_of(path), "network_.keras": lambda_keras_bytes(tmp_path, marker, monkeypatch)}
    write_zip(tmp_path / "lambda.tsf", members)
    calls = []
    real_load = keras.saving.load_model
    monkeypatch.setattr(keras.saving, "load_model", lambda *a, **k: calls.append(1) or real_load(*a, **k))
    with pytest.raises(ModelFileError, match="Lambda"):
        load(tmp_path / "lambda.tsf")
    assert not marker.exists() and calls == []  # refused before Keras saw it
    # Without our own scan, Keras' safe mode still refuses it, wrapped as ModelFileError.
    monkeypatch.setattr(_keras_files, "check_keras_config", lambda *a: None)
    with pytest.raises(ModelFileError, match="safe mode"):
        load(tmp_path / "lambda.tsf")
    assert not marker.exists() and calls == [1]


def test_keras_config_naming_a_foreign_module_is_refused(lstm_file, tmp_path):
    path, _, _ = lstm_file
    members = members_of(path)
    with zipfile.ZipFile(io.BytesIO(members["network_.keras"])) as inner:
        parts = {name: inner.read(name) for name in inner.namelist()}
    config = json.loads(parts["config.json"])
    config["module"] = "os"
    parts["config.json"] = json.dumps(config).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as inner:
        for name, data in parts.items():
            inner.writestr(name, data)
    write_zip(tmp_path / "module.tsf", {**members, "network_.keras": buffer.getvalue()})
    with pytest.raises(ModelFileError, match="module 'os'"):
        load(tmp_path / "module.tsf")


# ---------------------------------------------------------------------------- atomic save


def failing_writer(monkeypatch, after: int):
    real = _io._write_member  # the one archive writer's member hook
    count = {"n": 0}

    def write(archive, name, data):
        count["n"] += 1
        if count["n"] > after:
            raise OSError("disk full (injected)")
        real(archive, name, data)

    monkeypatch.setattr(_io, "_write_member", write)


def test_interrupted_save_leaves_no_file(tmp_path, monkeypatch):
    model = WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=3).fit(sine_series())
    failing_writer(monkeypatch, after=1)
    with pytest.raises(OSError, match="injected"):
        save(model, tmp_path / "new.tsf")
    assert list(tmp_path.iterdir()) == []


def test_interrupted_save_keeps_the_previous_file(ridge_file, monkeypatch):
    path, model = ridge_file
    before = path.read_bytes()
    model.set_params(n_steps_out=5).fit(sine_series(90))
    failing_writer(monkeypatch, after=1)
    with pytest.raises(OSError, match="injected"):
        save(model, path)
    assert path.read_bytes() == before
    assert list(path.parent.iterdir()) == [path]
    assert load(path).n_steps_out_ == 3


def test_interrupted_fsync_keeps_the_previous_file(ridge_file, monkeypatch):
    path, model = ridge_file
    before = path.read_bytes()

    def fail(_):
        raise OSError("fsync failed (injected)")

    monkeypatch.setattr(persistence.os, "fsync", fail)
    with pytest.raises(OSError, match="injected"):
        save(model, path)
    assert path.read_bytes() == before and list(path.parent.iterdir()) == [path]


# ---------------------------------------------------------------------------- value encoding


@pytest.mark.parametrize(
    "value",
    [
        pd.date_range("2024-03-30", periods=3, freq="h", tz="Europe/Paris", name="ds"),
        pd.date_range("2024-01-07", periods=3, freq="W-SUN").as_unit("s"),
        pd.RangeIndex(3, 12, 3, name="t"),
        {"a": (1, 2.5), 3: [None, "x"], (1, "k"): np.float32(1.5)},
        np.array(["a", "bc"]),
    ],
)
def test_values_round_trip(value):
    arrays, models = {}, {}
    node = json.loads(json.dumps(persistence.encode_value(value, arrays, models, "v")))
    restored = persistence.decode_value(node, arrays, models)
    if isinstance(value, pd.Index):
        assert restored.equals(value) and restored.dtype == value.dtype and restored.name == value.name
        assert getattr(restored, "freq", None) == getattr(value, "freq", None)
    elif isinstance(value, np.ndarray):
        np.testing.assert_array_equal(restored, value)
    else:
        assert restored == value and type(restored[(1, "k")]) is np.float32


def test_unsupported_values_are_refused():
    with pytest.raises(InputTypeError, match="function"):
        persistence.encode_value({"f": len}, {}, {}, "v")


def test_sklearn_cache_folder_and_odd_attributes_are_refused(tmp_path):
    model = make_pipeline(StandardScaler(), Ridge()).fit(np.arange(20.0).reshape(10, 2), np.arange(10.0))
    save(model, tmp_path / "pipe.tsf")
    members = members_of(tmp_path / "pipe.tsf")

    def cache(manifest):
        manifest["config"]["params"]["memory"] = str(tmp_path / "cache")

    write_zip(tmp_path / "cache.tsf", edit_manifest(members, cache))
    with pytest.raises(ModelFileError, match="memory"):
        load(tmp_path / "cache.tsf")

    def dunder(manifest):
        manifest["config"]["params"]["steps"][1]["__tuple__"][1]["fitted"]["__class__"] = 1

    write_zip(tmp_path / "dunder.tsf", edit_manifest(members, dunder))
    with pytest.raises(ModelFileError, match="__class__"):
        load(tmp_path / "dunder.tsf")


# ---------------------------------------------------------------------------- signed files

KEY = b"0123456789abcdef-test-key"


def tamper_coefficients(members: dict) -> dict:
    """Change the Ridge coefficients and recompute every checksum, as an attacker would."""
    with np.load(io.BytesIO(members["arrays.npz"]), allow_pickle=False) as npz:
        arrays = {name: npz[name] for name in npz.files}
    arrays["estimator_.coef_"] = arrays["estimator_.coef_"] * 0 + 1e6
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return {**members, "arrays.npz": buffer.getvalue()}


@pytest.fixture
def signed_file(tmp_path):
    model = WindowForecaster(Ridge(), n_steps_in=6, n_steps_out=3).fit(sine_series())
    return save(model, tmp_path / "signed.tsf", key=KEY), model


def test_signed_round_trip_and_layout(signed_file, monkeypatch):
    path, model = signed_file
    monkeypatch.delenv(persistence.KEY_ENV, raising=False)
    members = members_of(path)
    assert set(members) == {"manifest.json", "arrays.npz", "signature.json"}
    assert json.loads(members["manifest.json"])["signed"] is True
    pd.testing.assert_series_equal(load(path, key=KEY).predict(), model.predict(), check_exact=True)
    pd.testing.assert_series_equal(load(path, key=KEY.decode()).predict(), model.predict(), check_exact=True)
    load(path)  # without a key the signature is not checked: integrity only


def test_signed_file_edited_and_rehashed_is_refused(signed_file, tmp_path):
    path, _ = signed_file
    edited = tamper_coefficients(members_of(path))
    write_zip(tmp_path / "edited.tsf", edited)  # every checksum recomputed, signature kept
    with pytest.raises(ModelFileError, match="signature does not match"):
        load(tmp_path / "edited.tsf", key=KEY)
    assert load(tmp_path / "edited.tsf").estimator_.coef_.max() == 1e6  # what a key-less load lets through


def test_signed_file_without_its_signature_is_refused(signed_file, tmp_path):
    path, _ = signed_file
    members = members_of(path)
    del members["signature.json"]
    write_zip(tmp_path / "stripped.tsf", members, rehash=False)
    with pytest.raises(ModelFileError, match="not signed"):
        load(tmp_path / "stripped.tsf", key=KEY)
    write_zip(tmp_path / "stripped_edited.tsf", tamper_coefficients(members))
    with pytest.raises(ModelFileError, match="not signed"):
        load(tmp_path / "stripped_edited.tsf", key=KEY)


def test_unsigned_file_and_wrong_key_are_refused(ridge_file, signed_file):
    with pytest.raises(ModelFileError, match="not signed"):
        load(ridge_file[0], key=KEY)
    with pytest.raises(ModelFileError, match="signature does not match.*another key"):
        load(signed_file[0], key=b"another key, also long enough")


@pytest.mark.parametrize("signature", [b"not json", b'{"algorithm": "MD5", "manifest": "00"}', b"[]",
                                       b'{"algorithm": "HMAC-SHA256", "manifest": 7}'])
def test_malformed_signature_is_refused(signed_file, tmp_path, signature):
    path, _ = signed_file
    write_zip(tmp_path / "bad_sig.tsf", {**members_of(path), "signature.json": signature}, rehash=False)
    with pytest.raises(ModelFileError, match="signature does not match"):
        load(tmp_path / "bad_sig.tsf", key=KEY)


def test_key_from_the_environment(tmp_path, monkeypatch, ridge_file):
    model = ridge_file[1]
    monkeypatch.setenv(persistence.KEY_ENV, KEY.decode())
    path = save(model, tmp_path / "env.tsf")
    assert "signature.json" in members_of(path)
    load(path)  # verified with the same key
    load(path, key=KEY)
    with pytest.raises(ModelFileError, match="not signed"):
        load(ridge_file[0])  # the variable asks for signed files
    with pytest.raises(ModelFileError, match="signature does not match"):
        load(path, key=b"an explicit key wins over the env")


@pytest.mark.parametrize("key, error, words", [
    (b"short", InvalidParameterError, ["key", "16 bytes", "5 byte"]),
    ("", InvalidParameterError, ["key", "0 byte"]),
    (12345678901234567890, InputTypeError, ["key", "int"]),
])
def test_bad_keys(ridge_file, tmp_path, key, error, words):
    path, model = ridge_file
    for call in (lambda: save(model, tmp_path / "k.tsf", key=key), lambda: load(path, key=key)):
        with pytest.raises(error) as caught:
            call()
        assert all(w in str(caught.value) for w in words), str(caught.value)
        if isinstance(key, bytes):
            assert key.decode() not in str(caught.value)  # a secret is never echoed
    assert not (tmp_path / "k.tsf").exists()


def test_short_key_in_the_environment_names_the_variable(ridge_file, tmp_path, monkeypatch):
    monkeypatch.setenv(persistence.KEY_ENV, "abc")
    with pytest.raises(InvalidParameterError, match=r"\$TSFORECAST_MODEL_KEY.*3 byte"):
        save(ridge_file[1], tmp_path / "k.tsf")


# ---------------------------------------------------------------------------- Keras members: allow-list and floor


def edit_keras_config(members: dict, change) -> dict:
    """``members`` with the network's config.json changed by ``change`` (checksums recomputed by write_zip)."""
    (name,) = [n for n in members if n.endswith(".keras")]
    with zipfile.ZipFile(io.BytesIO(members[name])) as inner:
        parts = {n: inner.read(n) for n in inner.namelist()}
    config = json.loads(parts["config.json"])
    change(config)
    parts["config.json"] = json.dumps(config).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as inner:
        for n, data in parts.items():
            inner.writestr(n, data)
    return {**members, name: buffer.getvalue()}


def first_layer(config: dict, class_name: str) -> dict:
    return next(layer for layer in config["config"]["layers"] if layer["class_name"] == class_name)


# CVE-2025-8747: keras.utils.get_file by reference; CVE-2026-1462: TFSMLayer; CVE-2025-12058: StringLookup
# with a vocabulary path; plus a function by reference in an activation and a foreign registered name.
KERAS_GADGETS = {
    "function_by_reference": (
        lambda c: first_layer(c, "LSTM").__setitem__("config", {
            **first_layer(c, "LSTM")["config"],
            "activation": {"module": "keras.utils", "class_name": "function", "config": "get_file",
                           "registered_name": "get_file"}}),
        "function by reference"),
    "lambda_function": (
        lambda c: first_layer(c, "LSTM")["config"].__setitem__(
            "activation", {"class_name": "__lambda__", "config": {"code": "AAAA"}}),
        "function by reference"),
    "tfsm_layer": (
        lambda c: first_layer(c, "LSTM").update(class_name="TFSMLayer"), "class 'TFSMLayer'"),
    "string_lookup": (
        lambda c: c["config"]["layers"].append({"module": "keras.layers", "class_name": "StringLookup",
                                                "config": {"vocabulary": "/etc/passwd"}}),
        "class 'StringLookup'"),
    "activation_by_name": (
        lambda c: first_layer(c, "LSTM")["config"].__setitem__("activation", "keras.utils.get_file"),
        "activation 'keras.utils.get_file'"),
    "registered_name": (
        lambda c: first_layer(c, "LSTM").update(registered_name="evil>LSTM"), "registers 'LSTM'"),
}


@pytest.mark.parametrize("gadget", sorted(KERAS_GADGETS))
def test_keras_objects_outside_the_allow_list_are_refused_before_keras(lstm_file, tmp_path, monkeypatch, gadget):
    import keras

    change, message = KERAS_GADGETS[gadget]
    path, _, _ = lstm_file
    write_zip(tmp_path / "gadget.tsf", edit_keras_config(members_of(path), change))
    calls = []
    monkeypatch.setattr(keras.saving, "load_model", lambda *a, **k: calls.append(1))
    with pytest.raises(ModelFileError, match=message):
        load(tmp_path / "gadget.tsf")
    assert calls == []


def test_allow_list_covers_every_network_variant(tmp_path):
    """Every builder path of tsforecast.models.networks passes the scan (else our own files would not load)."""
    import keras
    from tsforecast.models.networks import NetworkSpec, build_networks

    variants = [(decoder, None, True) for decoder in ("repeat", "feedback", "parallel")]
    variants += [("repeat", 4, True), ("parallel", 4, True), ("dense", 4, False), ("dense", None, False)]
    for decoder, segment_length, attention in variants:
        spec = NetworkSpec(8, 2, 3, 1, n_quantiles=3, units=2, n_layers=2, decoder=decoder, attention=attention,
                           dropout=0.1, reverse_input=True, target_features=(0,), median_index=1,
                           segment_length=segment_length)
        train, model = build_networks(spec)
        train.compile(optimizer=keras.optimizers.Adam(), loss=keras.losses.Huber())
        name = f"{decoder}-{segment_length}"
        model.save(tmp_path / f"{name}.keras")
        _keras_files.check_keras_config((tmp_path / f"{name}.keras").read_bytes(), name, tmp_path)


@pytest.mark.parametrize("version, safe", [
    ("3.0.0", False), ("3.8.0", False), ("3.11.3", False), ("3.12.3", False), ("3.12.4", True),
    ("3.13.2", False), ("3.14.1", False), ("3.15.0", False), ("3.15.1", True), ("3.15.1rc1", False),
    ("3.16.0", True), ("3.16.0.dev2026", True), ("4.0.0", True), ("nightly", False),
])
def test_keras_version_floor(version, safe):
    assert _keras_files.keras_version_is_safe(version) is safe


def test_load_refuses_an_old_keras(lstm_file, monkeypatch):
    import keras

    path, _, _ = lstm_file
    monkeypatch.setattr(keras, "__version__", "3.8.0")
    with pytest.raises(ModelFileError, match=r"Keras 3\.8\.0 has known safe-mode bypasses.*keras>=3\.12\.4"):
        load(path)


def test_installed_keras_meets_the_floor():
    import keras

    assert _keras_files.keras_version_is_safe(keras.__version__), keras.__version__


# ---------------------------------------------------------------------------- attribute names and hooks


@pytest.mark.parametrize("name", ["__class__", "predict", "supports_quantiles", "fill", "n_jobs", "1bad_", "no_suffix", "get_params_"])
def test_attribute_names_from_a_file_are_checked_for_every_class(tmp_path, name, monkeypatch):
    from tsforecast.baselines import Naive

    if name == "get_params_":  # a class attribute ending in '_' is no fitted attribute either
        monkeypatch.setattr(Naive, "get_params_", None, raising=False)
    model = Naive().fit(sine_series())
    save(model, tmp_path / "naive.tsf")

    def plant(manifest):
        manifest["config"]["fitted"][name] = 1

    write_zip(tmp_path / "name.tsf", edit_manifest(members_of(tmp_path / "naive.tsf"), plant))
    with pytest.raises(ModelFileError, match=f"Naive has an invalid attribute name '{name}'"):
        load(tmp_path / "name.tsf")


def test_lstm_attribute_names_are_checked(lstm_file, tmp_path):
    path, _, _ = lstm_file

    def plant(manifest):
        manifest["config"]["fitted"]["predict"] = 1

    write_zip(tmp_path / "lstm_name.tsf", edit_manifest(members_of(path), plant))
    with pytest.raises(ModelFileError, match="EncoderDecoderLSTM has an invalid attribute name 'predict'"):
        load(tmp_path / "lstm_name.tsf")


def test_unknown_parameter_is_refused(ridge_file, tmp_path):
    path, _ = ridge_file

    def plant(manifest):
        manifest["config"]["params"]["evil"] = 1

    write_zip(tmp_path / "param.tsf", edit_manifest(members_of(path), plant))
    with pytest.raises(ModelFileError, match="no parameter.*evil"):
        load(tmp_path / "param.tsf")


def test_objects_with_other_attributes_are_refused(tmp_path):
    from tsforecast.baselines import Naive

    model = Naive().fit(sine_series())
    model.scratch = 1  # neither a parameter nor fitted state
    with pytest.raises(InputTypeError, match="Naive.*'scratch' is neither a parameter nor fitted state"):
        save(model, tmp_path / "odd.tsf")
    assert not (tmp_path / "odd.tsf").exists()


def test_optional_hooks(tmp_path, monkeypatch):
    from tsforecast.baselines import Naive

    restored = []
    monkeypatch.setattr(Naive, "_persistence_exclude", ("cache_",), raising=False)
    monkeypatch.setattr(Naive, "_after_load", lambda self: restored.append(self.series_ids_), raising=False)
    model = Naive().fit(sine_series())
    model.cache_ = object()  # not saveable, and not saved
    loaded = load(save(model, tmp_path / "hooks.tsf"))
    assert not hasattr(loaded, "cache_") and restored == [model.series_ids_]
    pd.testing.assert_series_equal(loaded.predict(4), model.predict(4), check_exact=True)


@pytest.mark.parametrize("name", ["Naive", "SeasonalNaive", "Drift", "Mean", "Naive2", "SES", "Holt", "Damped",
                                  "Theta", "Comb"])
def test_every_registered_baseline_round_trips(tmp_path, name):
    model = getattr(tsforecast, name)().fit(sine_series())
    loaded = load(save(model, tmp_path / f"{name}.tsf"))
    assert type(loaded) is type(model)
    pd.testing.assert_series_equal(loaded.predict(5), model.predict(5), check_exact=True)


def test_allow_list_comes_from_the_registry():
    from tsforecast import _registry

    saveable = _registry.saveable_classes()
    assert _encoding.TSFORECAST_CLASSES == saveable
    assert set(_registry.forecaster_names()) <= set(saveable)
    for name in saveable:
        assert _encoding.resolve_class(f"tsforecast:{name}").__name__ == name
    assert _encoding.resolve_class("tsforecast:backtest") is None  # public, but no class to restore


def test_pyproject_pins_the_same_keras_floor():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text()
    assert f'"{persistence.KERAS_REQUIREMENT}",' in text


@pytest.mark.parametrize("where", ["manifest", "config"])
def test_a_manifest_nested_too_deeply_is_a_model_file_error(tmp_path, where):
    """JSON nested past Python's recursion limit (as the manifest itself, or as a rehashed
    configuration the loader walks) is refused as an altered file, not a raw RecursionError."""
    path = tmp_path / "model.tsf"
    save(WindowForecaster(Ridge(), n_steps_in=12, n_steps_out=3).fit(sine_series()), path)
    members = members_of(path)
    if where == "manifest":
        write_zip(path, {**members, "manifest.json": b"[" * 100_000 + b"]" * 100_000}, rehash=False)
    else:
        deep = "x"
        for _ in range(600):
            deep = [deep]
        write_zip(path, edit_manifest(members, lambda m: m["config"].update(params=deep)))
    with pytest.raises(ModelFileError, match=r"not valid JSON|nested too deeply"):
        load(path)


def test_saving_over_a_file_keeps_its_permissions_and_a_link_stays_a_link(tmp_path):
    """A rewrite replaced a shared 0644 file by an owner-only one, and a symbolic link by
    a plain file (leaving the file it pointed to stale)."""
    model = WindowForecaster(Ridge(), n_steps_in=12, n_steps_out=3).fit(sine_series())
    target, link = tmp_path / "model.tsf", tmp_path / "current.tsf"
    save(model, target)
    target.chmod(0o644)
    link.symlink_to(target)
    before = target.read_bytes()
    save(WindowForecaster(Ridge(alpha=5.0), n_steps_in=12, n_steps_out=3).fit(sine_series()), link)
    assert link.is_symlink() and target.read_bytes() != before
    assert (target.stat().st_mode & 0o777) == 0o644
    assert load(link).estimator.alpha == 5.0
