"""Hostile model files: damage the zip reader itself trips on, members inflated to exhaust
memory, numbers JSON cannot hold, an empty key variable or one that is not UTF-8, and a
failed save's folders."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile

import numpy as np
import pandas as pd
import pytest

import tsforecast as tsf
from tsforecast.baselines import Naive
from tsforecast.exceptions import InvalidParameterError, ModelFileError
from tsforecast.storage import files
from tsforecast.storage.model_files import _config_digest

KEY = b"k" * 32


@pytest.fixture
def model():
    return Naive().fit(pd.Series(np.arange(30.0), index=pd.date_range("2020", periods=30, freq="D")))


def _rewrite(source, target, change):
    """Copy the archive ``source`` to ``target`` with ``change(name, data)`` applied to each member."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as new:
        for name in old.namelist():
            new.writestr(name, change(name, old.read(name)))
    return target


def _reseal(source, target, edit_manifest=None, edit_arrays=None):
    """A deliberate edit with the checksums recomputed (what a file without a key cannot refuse)."""
    with zipfile.ZipFile(source) as old:
        manifest, arrays = json.loads(old.read("manifest.json")), old.read("arrays.npz")
    arrays = edit_arrays(arrays) if edit_arrays else arrays
    if edit_manifest:
        edit_manifest(manifest)
    manifest["sha256"] = {"arrays.npz": hashlib.sha256(arrays).hexdigest()}
    manifest["config_sha256"] = _config_digest(manifest["config"])
    with zipfile.ZipFile(target, "w") as new:
        new.writestr("manifest.json", json.dumps(manifest))
        new.writestr("arrays.npz", arrays)
    return target


def test_an_inflated_manifest_is_refused_before_it_is_read(model, tmp_path):
    saved = tsf.save(model, tmp_path / "m.tsf", key=KEY)
    padding = b" " * (files.MAX_MANIFEST_BYTES + 1)  # still valid JSON, compressed to a few kB
    bomb = _rewrite(saved, tmp_path / "bomb.tsf", lambda n, d: d + padding if n == "manifest.json" else d)
    assert bomb.stat().st_size < 1 << 20
    for key in (None, KEY):
        with pytest.raises(ModelFileError, match="manifest.json.*more than the 67108864 .*refused unread"):
            tsf.load(bomb, key=key)


def test_an_inflated_signature_is_refused_with_the_key(model, tmp_path):
    saved = tsf.save(model, tmp_path / "m.tsf", key=KEY)
    padded = _rewrite(saved, tmp_path / "p.tsf", lambda n, d: d + b" " * 10_000 if n == "signature.json" else d)
    with pytest.raises(ModelFileError, match="signature does not match"):  # read no further than 4 kB
        tsf.load(padded, key=KEY)


@pytest.mark.parametrize(("offset", "value"), [(10, 99), (6, 0xFF), (8, 0x01)],
                         ids=["compression method", "version needed", "encrypted flag"])
def test_a_zip_header_the_reader_cannot_handle_is_a_model_file_error(model, tmp_path, offset, value):
    raw = bytearray(tsf.save(model, tmp_path / "m.tsf", key=KEY).read_bytes())
    raw[raw.find(b"PK\x01\x02") + offset] = value  # the central directory entry of the first member
    (tmp_path / "bad.tsf").write_bytes(bytes(raw))
    with pytest.raises(ModelFileError, match="bad.tsf"):
        tsf.load(tmp_path / "bad.tsf", key=KEY)


def test_an_integer_json_cannot_hold_is_a_model_file_error(model, tmp_path):
    huge = b"1" * 5000
    signed = tsf.save(model, tmp_path / "s.tsf", key=KEY)
    forged = _rewrite(signed, tmp_path / "f.tsf", lambda n, d: (b'{"algorithm": "HMAC-SHA256", "manifest": '
                                                               + huge + b"}") if n == "signature.json" else d)
    with pytest.raises(ModelFileError, match="signature does not match"):
        tsf.load(forged, key=KEY)
    plain = tsf.save(model, tmp_path / "u.tsf")
    edited = _rewrite(plain, tmp_path / "e.tsf", lambda n, d: d.replace(b"{", b'{"x": ' + huge + b", ", 1)
                      if n == "manifest.json" else d)
    with pytest.raises(ModelFileError, match="manifest.json is not valid JSON"):
        tsf.load(edited)


def test_edited_shapes_and_dates_are_model_file_errors(model, tmp_path):
    saved = tsf.save(model, tmp_path / "m.tsf")

    def huge_shape(npz: bytes) -> bytes:
        inner, out = zipfile.ZipFile(io.BytesIO(npz)), io.BytesIO()
        with zipfile.ZipFile(out, "w") as new:
            for name in inner.namelist():
                data = inner.read(name)
                new.writestr(name, data.replace(b"'shape': (", b"'shape': (100000000000000, ", 1))
        return out.getvalue()

    with pytest.raises(ModelFileError, match="arrays.npz cannot be read"):
        tsf.load(_reseal(saved, tmp_path / "a.tsf", edit_arrays=huge_shape))

    def overflowing_date(manifest):
        manifest["config"]["params"]["fill"] = {"__index__": "datetime", "values": [10**30], "unit": "ns",
                                                "tz": None, "freq": None, "name": None}

    with pytest.raises(ModelFileError, match="invalid configuration"):
        tsf.load(_reseal(saved, tmp_path / "b.tsf", edit_manifest=overflowing_date))


def test_an_empty_key_variable_is_refused_not_read_as_no_key(model, tmp_path, monkeypatch):
    unsigned = tsf.save(model, tmp_path / "u.tsf")
    monkeypatch.setenv("TSFORECAST_MODEL_KEY", "")
    for call in (lambda: tsf.load(unsigned), lambda: tsf.save(model, tmp_path / "v.tsf")):
        with pytest.raises(InvalidParameterError, match=r"\$TSFORECAST_MODEL_KEY is set but empty"):
            call()
    assert not (tmp_path / "v.tsf").exists()


#: A key whose bytes are not valid UTF-8 (as a random or binary secret may be).
RAW_KEY = b"\xe9\xff\xfe" + b"abcdefghijklmnopqrstuvwxyz0123"


def test_a_key_variable_that_is_not_utf8_is_its_raw_bytes(model, tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORECAST_MODEL_KEY", os.fsdecode(RAW_KEY))  # how the system hands such bytes over
    signed = tsf.save(model, tmp_path / "env.tsf")
    assert tsf.load(signed).predict(3).equals(model.predict(3))
    monkeypatch.delenv("TSFORECAST_MODEL_KEY")
    tsf.load(signed, key=RAW_KEY)  # the same bytes given directly: the same key
    with pytest.raises(ModelFileError, match="signature does not match"):
        tsf.load(signed, key=RAW_KEY[3:] + b"xyz")
    monkeypatch.setenv("TSFORECAST_MODEL_KEY", os.fsdecode(RAW_KEY))
    tsf.load(tsf.save(model, tmp_path / "bytes.tsf", key=RAW_KEY))


def test_a_str_key_is_still_utf8(model, tmp_path, monkeypatch):
    monkeypatch.delenv("TSFORECAST_MODEL_KEY", raising=False)
    text = "clé de signature ünïcode, assez longue"
    signed = tsf.save(model, tmp_path / "s.tsf", key=text)
    tsf.load(signed, key=text.encode("utf-8"))
    monkeypatch.setenv("TSFORECAST_MODEL_KEY", text)  # the variable's bytes are its UTF-8 here too
    tsf.load(signed)


def test_a_failed_save_removes_the_folders_it_created(model, tmp_path, monkeypatch):
    def full_disk(path, write, mode):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_write_replacing", full_disk)
    with pytest.raises(OSError, match="No space left"):
        tsf.save(model, tmp_path / "new" / "a" / "b" / "m.tsf")
    assert list(tmp_path.iterdir()) == []
