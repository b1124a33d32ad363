"""Reconstruct the runs on the M4 test files made before ``reports/m4.json`` logged them.

Walks every committed version of ``reports/m4.json`` (``git log -- reports/m4.json``)
and turns each result that appears for the first time into a log entry of
:mod:`_test_log`: the M4 benchmarks, each LSTM seed, the ablation rows scored on the
test files before ``--validate`` existed, and the interval runs. A result that a later
run overwrote before anyone committed it left no trace, so the count is a lower bound.

Usage (once; entries already logged are kept and the reconstruction goes before them)::

    python benchmarks/m4_history.py            # prints the entries
    python benchmarks/m4_history.py --write    # puts them into reports/m4.json
"""

from __future__ import annotations

import argparse
import fcntl
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _test_log import SECTION  # noqa: E402  (benchmarks/ is on sys.path)

REPO = Path(__file__).resolve().parents[1]
PATH = "reports/m4.json"
SUBSETS = ("Hourly", "Weekly")


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, text=True, check=True).stdout


def _items(content: dict):
    """``(kind, subset, key, record)`` for every test result in one version of the JSON."""
    for subset in SUBSETS:
        for model, e in content.get(subset, {}).items():
            if "per_seed" in e:
                for r in e["per_seed"]:
                    key = (model, json.dumps(e.get("config"), sort_keys=True), r["seed"], round(r["owa"], 9))
                    yield "lstm" if model == "lstm" else model, subset, key, {**e, **r, "model": model}
            else:
                yield "M4 benchmarks and others", subset, (model, e.get("measured")), {**e, "model": model}
        for label, e in content.get("ablation", {}).get(subset, {}).items():
            # keyed by time and score, not label: a row renamed later is the same run
            yield "LSTM ablation", subset, (e.get("measured"), round(e["owa"], 9)), {**e, "label": label}
        for label, e in content.get("intervals", {}).get(subset, {}).items():
            if e.get("split", "test") == "test":
                yield "intervals", subset, (label, e.get("measured")), {**e, "label": label}


def _entry(kind: str, subset: str, commit: str, subject: str, records: list[dict]) -> dict:
    when = min((r.get("measured") or "").rstrip(" †‡") for r in records)  # marks of old ablation rows
    entry = {"subset": subset, "what": kind, "when": when, "commit": commit, "command": None,
             "source": f"reconstructed from {PATH} at {commit} ({subject[:90]})",
             "n_series": records[0].get("n_series")}
    if kind == "lstm":
        entry.update(config=records[0].get("config"), result={"lstm": {
            "owa": sum(r["owa"] for r in records) / len(records), "seeds": [r["seed"] for r in records]}})
        chosen = records[0].get("selected_by_validation")
        if chosen:
            entry["candidate"] = chosen["candidate"]
    elif kind == "LSTM ablation":
        entry.update(config=records[0].get("config"), result={records[0]["label"]: {"owa": records[0]["owa"]}})
    elif kind == "intervals":
        entry["result"] = {r["label"]: {"coverage_80": r["levels"]["80"]["coverage"],
                                        "coverage_95": r["levels"]["95"]["coverage"]} for r in records}
        candidates = {r["candidate"] for r in records if r.get("candidate")}
        if candidates:
            entry["candidate"] = candidates.pop()
    else:
        entry["result"] = {r["model"]: {"owa": r["owa"]} for r in records}
    return entry


def reconstruct() -> list[dict]:
    """The log entries of every result first seen in a commit of ``reports/m4.json``."""
    seen, entries = set(), []
    for line in _git("log", "--reverse", "--format=%h %s", "--", PATH).splitlines():
        commit, subject = line.split(" ", 1)
        content = json.loads(_git("show", f"{commit}:{PATH}"))
        groups: dict[tuple, list[dict]] = {}
        for kind, subset, key, record in _items(content):
            if (kind, subset, key) in seen:
                continue
            seen.add((kind, subset, key))
            # each ablation row was its own run; the other results of one commit, one run per subset
            group = (kind, subset, key if kind == "LSTM ablation" else None)
            groups.setdefault(group, []).append(record)
        entries += [_entry(kind, subset, commit, subject, records) for (kind, subset, _), records in groups.items()]
    return entries


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help=f"put the entries into {PATH}")
    args = parser.parse_args(argv)
    entries = reconstruct()
    if not args.write:
        print(json.dumps(entries, indent=1))
        return 0
    path = REPO / PATH
    with open(Path(tempfile.gettempdir()) / f"tsforecast-{path.name}.lock", "w") as lock:  # m4.py's lock
        fcntl.flock(lock, fcntl.LOCK_EX)
        content = json.loads(path.read_text())
        logged = [e for e in content.get(SECTION, []) if not e["source"].startswith("reconstructed")]
        content[SECTION] = entries + logged
        path.write_text(json.dumps(content, indent=2, sort_keys=True) + "\n")
    print(f"{len(entries)} reconstructed entries and {len(logged)} logged ones in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
