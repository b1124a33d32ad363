"""The append-only log of runs on test data kept in a benchmark's JSON.

Every run that reads a test file appends one entry to the list ``content["test_runs"]``
(what ran, when, at which commit, its configuration and its result); entries are never
rewritten or dropped, so the report can say how often the test files have been read and
by what, and say that a figure comes from a single test run only when that is true.
Entries reconstructed afterwards from the git history carry ``"source": "reconstructed
..."`` instead of ``"logged"``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

#: Key of the log in a benchmark's JSON.
SECTION = "test_runs"


#: The paths whose uncommitted changes make a run's code differ from its commit.
CODE = ("tsforecast", "benchmarks", "pyproject.toml")


def git_commit(repo: Path) -> str:
    """The commit the code runs at (short hash; ``-dirty`` when tracked files of
    :data:`CODE` differ from it), or ``"unknown"`` outside a git checkout."""
    try:
        head = subprocess.run(["git", "-C", str(repo), "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(repo), "status", "--porcelain", "--untracked-files=no", "--",
                                *CODE], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("-dirty" if dirty else "")


#: The repository of these benchmarks.
REPO = Path(__file__).resolve().parents[1]
#: The commit of the code the running benchmark loaded: taken when this module is imported,
#: at the start of the run, so that edits or commits made while a long run works neither
#: mark its code dirty nor credit it to a later commit.
LOADED = git_commit(REPO)


def entry(repo: Path, subset: str, what: str, result: dict, **details) -> dict:
    """One log entry for a run just made: ``what`` ran on ``subset``'s test files and
    gave ``result``; ``details`` (configuration, seeds, ...) are stored beside it."""
    commit = LOADED if Path(repo).resolve() == REPO else git_commit(repo)
    return {"subset": subset, "what": what, "when": time.strftime("%Y-%m-%d %H:%M"), "commit": commit,
            "command": " ".join(["python", *sys.argv]), "source": "logged", "result": result, **details}


def append(content: dict, new: dict) -> dict:
    """``content`` with ``new`` appended to its log (in place; the log only grows)."""
    content.setdefault(SECTION, []).append(new)
    return content


def runs_of(content: dict, subset: str, what: str | None = None) -> list[dict]:
    """The logged runs on ``subset``'s test files (of ``what`` only, if given), oldest first."""
    return [r for r in content.get(SECTION, []) if r["subset"] == subset and (what is None or r["what"] == what)]


def _result_text(result: dict) -> str:
    """A short reading of a logged result: OWA per model (with seeds), or coverages."""
    parts = []
    for name, value in result.items():
        if isinstance(value, dict) and "owa" in value:
            seeds = value.get("seeds")
            parts.append(f"{name} OWA {value['owa']:.3f}" + (f" ({len(seeds)} seed(s): {', '.join(map(str, seeds))})"
                                                              if seeds else ""))
        elif isinstance(value, dict) and "coverage_95" in value:
            parts.append(f"{name} coverage {value['coverage_80']:.3f} / {value['coverage_95']:.3f} (80% / 95%)")
        else:
            parts.append(f"{name} {json.dumps(value, sort_keys=True)}")
    return "; ".join(parts)


def render_history(content: dict, subset: str) -> list[str]:
    """Markdown lines: the count of ``subset``'s test runs and a table of all of them."""
    runs = runs_of(content, subset)
    if not runs:
        return []
    lines = [f"#### Every run on the {subset} test files ({len(runs)})", "",
             "Source: *logged* by the run itself, or *reconstructed* from the JSON committed at that commit.", "",
             "| # | when | commit | what | n series | result | source |", "|---|---|---|---|---|---|---|"]
    for number, run in enumerate(runs, 1):
        what = run["what"] + (f": *{run['candidate']}*" if run.get("candidate") else "")
        lines.append(f"| {number} | {run['when']} | {run['commit']} | {what} | {run.get('n_series', '')} | "
                     f"{_result_text(run['result'])} | {run['source'].split(' ')[0]} |")
    return lines + [""]
