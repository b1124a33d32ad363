"""benchmarks/nhits_peer.py: the NHITS peer scored by benchmarks/m4.py's code, and its rows
in reports/m4.md. neuralforecast lives in a separate venv; here a stand-in worker (the
naive forecast, written in the worker's output format) checks the driver's plumbing."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"

#: A stand-in for the peer venv's python: writes the last value of each training series as
#: its forecast, in the worker's output format (argv: script --worker TRAIN OUT --seed S ...).
FAKE_WORKER = """#!{python}
import json, sys
import pandas as pd
train_csv, out_json = sys.argv[3], sys.argv[4]
train = pd.read_csv(train_csv, dtype={{"unique_id": str}})
last = train.groupby("unique_id")["y"].last()
json.dump({{"forecast": {{k: [float(v)] * 13 for k, v in last.items()}}, "fit_seconds": 1.0,
           "fit_cpu_seconds": 2.0, "seconds": 1.5, "cpu_seconds": 2.5,
           "environment": {{"neuralforecast": "fake", "torch": "fake", "pandas": pd.__version__, "python": "3",
                            "torch_threads": 2, "torch_interop_threads": 1, "device": "cpu"}}}}, open(out_json, "w"))
"""


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"{name}_peer_test", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def peer():
    return _load("nhits_peer")


@pytest.fixture(scope="module")
def bench():
    return _load("m4")


@pytest.fixture
def fake_python(tmp_path) -> Path:
    path = tmp_path / "fake_python"
    path.write_text(FAKE_WORKER.format(python=sys.executable))
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def test_peer_settings_are_the_issues():
    peer = _load("nhits_peer")
    assert peer.NHITS_PARAMS == {"h": 13, "input_size": 52, "max_steps": 1000, "scaler_type": "standard"}


def test_validation_run_reads_no_test_file_and_scores_like_m4(peer, bench, m4_dir, fake_python, tmp_path):
    data = tmp_path / "train_only"
    data.mkdir()
    shutil.copy(m4_dir / "Weekly-train.csv", data)  # no test file: the validation split must not need it
    json_path, md = tmp_path / "m4.json", tmp_path / "m4.md"
    argv = ["--split", "validation", "--seeds", "2", "--data", str(data), "--nf-python", str(fake_python),
            "--json", str(json_path), "--md", str(md)]
    assert peer.main(argv) == 0
    content = json.loads(json_path.read_text())
    entry = content["validation"]["Weekly"][bench.PEER_LABEL]
    # the stand-in forecasts the last value: on Weekly (m = 1) that is Naive2 itself, OWA 1 exactly,
    # which holds only if every forecast was matched to its own series
    assert entry["owa"] == pytest.approx(1.0) and entry["n_series"] == 359
    assert [r["seed"] for r in entry["per_seed"]] == [0, 1] and entry["per_seed"][0]["fit_cpu_seconds"] == 2.0
    assert entry["environment"]["torch_threads"] == 2 and entry["config"]["max_steps"] == 1000
    assert "Weekly" not in content and "test_runs" not in content  # nothing scored on the test
    text = md.read_text()
    assert f"| {bench.PEER_LABEL} | `peer: " in text
    assert f"Beside the peer, *{bench.PEER_LABEL}*: validation OWA 1.000 over 2 seed(s), its fit 1 s wall, 2 CPU s" in text


def test_second_origin_is_a_row_of_its_own(peer, bench, m4_dir, fake_python, tmp_path, capsys):
    json_path, md = tmp_path / "m4.json", tmp_path / "m4.md"
    argv = ["--split", "validation", "--origin", "2", "--data", str(m4_dir), "--nf-python", str(fake_python),
            "--json", str(json_path), "--md", str(md)]
    assert peer.main(argv) == 0
    rows = json.loads(json_path.read_text())["validation"]["Weekly"]
    (key, entry), = rows.items()
    assert key == f"{bench.PEER_LABEL} (origin 2)" and entry["origin"] == 2
    # the last value of the series cut 26 weeks before their end: Naive2 there, OWA 1 exactly
    assert entry["owa"] == pytest.approx(1.0) and entry["n_series"] == 359
    _, _, rows_2, actual_2 = bench.load_validation("Weekly", m4_dir, origin=2)
    naive = bench.score(actual_2, [[r[-1]] * 13 for r in rows_2], rows_2, 1, None)
    assert entry["smape"] == pytest.approx(naive["smape"]) and entry["mase"] == pytest.approx(naive["mase"])
    with pytest.raises(SystemExit):
        peer.main(["--split", "test", "--origin", "2", "--data", str(m4_dir)])
    assert "--origin goes with --split validation" in capsys.readouterr().err


def test_test_run_is_logged_and_shown_beside_the_lstm(peer, bench, m4_dir, fake_python, tmp_path):
    json_path, md = tmp_path / "m4.json", tmp_path / "m4.md"
    argv = ["--split", "test", "--first-seed", "3", "--data", str(m4_dir), "--nf-python", str(fake_python),
            "--json", str(json_path), "--md", str(md)]
    assert peer.main(argv) == 0
    content = json.loads(json_path.read_text())
    (logged,) = content["test_runs"]
    assert logged["what"] == "NHITS" and logged["result"] == {"NHITS": {"owa": pytest.approx(1.0), "seeds": [3]}}
    text = md.read_text()
    assert "| NHITS | 9.161" in text and "neuralforecast fake, torch fake on the CPU with 2 intra-op" in text
    assert "seed 3: sMAPE 9.161, MASE 2.777, OWA 1.000, 2 s (fit 1 s, CPU 2 s), CPU 2 s" in text


def _peer_row(owa: float, fit_cpu: float) -> dict:
    run = {"seed": 0, "owa": owa, "smape": 6.0, "mase": 2.0, "seconds": 60.0, "cpu_seconds": fit_cpu + 1,
           "fit_seconds": 50.0, "fit_cpu_seconds": fit_cpu}
    return {**run, "per_seed": [run], "peer": True, "config": {"h": 13}, "sample": None}


def test_peer_is_never_a_candidate_and_qualifiers_are_named(bench):
    labels = list(bench.CANDIDATES["Weekly"])
    cheap_good = {"owa": 0.68, "cpu_seconds": 90.0, "seconds": 95.0, "sample": None, "smape": 6.0, "mase": 2.0}
    dear_good = {**cheap_good, "cpu_seconds": 500.0}
    cheap_bad = {**cheap_good, "owa": 0.72}
    rows = {bench.PEER_LABEL: _peer_row(0.60, 100.0), labels[0]: cheap_good, labels[1]: dear_good, labels[2]: cheap_bad}
    content = {"validation": {"Weekly": rows}}
    assert bench.selection(content, "Weekly")["candidate"] != bench.PEER_LABEL  # lowest OWA, yet not an LSTM
    text = "\n".join(bench.render_validation(content["validation"], content))
    assert "LSTM candidates at or below its OWA: none; of them within its fit's CPU seconds a seed: none." in text
    rows[bench.PEER_LABEL] = _peer_row(0.70, 100.0)
    text = "\n".join(bench.render_validation(content["validation"], content))
    both = ", ".join(f"*{label}*" for label in sorted([labels[0], labels[1]]))
    assert f"LSTM candidates at or below its OWA: {both}; of them within its fit's CPU seconds a seed: *{labels[0]}*." \
        in text


def test_worker_environment_drops_the_projects_path(peer, monkeypatch, tmp_path):
    """The worker runs in the peer's venv: the project's PYTHONPATH must not reach it."""
    seen = {}

    def fake_run(command, check, env):
        seen.update(env=env, command=command)
        Path(command[4]).write_text(json.dumps({"forecast": {"a": [1.0] * 13}, "fit_seconds": 0.0}))

    monkeypatch.setenv("PYTHONPATH", "/somewhere")
    monkeypatch.setattr(peer.subprocess, "run", fake_run)
    import pandas as pd

    out = peer.run_seed(pd.DataFrame({"unique_id": ["a"], "ds": [0], "y": [1.0]}), ["a"], 7, 2, Path("py"))
    assert "PYTHONPATH" not in seen["env"] and seen["env"]["OMP_NUM_THREADS"] == "2"
    assert seen["command"][-4:] == ["--seed", "7", "--threads", "2"] and out["forecast"].shape == (1, 13)
    assert os.environ["PYTHONPATH"] == "/somewhere"  # the driver's own environment is left alone
