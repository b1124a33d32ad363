"""Writing a benchmark's figures: one JSON document and the Markdown rendered from it."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def write_report(out: Path, document: dict, render: Callable[[dict], str]) -> None:
    """Write ``out.json`` (the figures) and ``out.md`` (``render(document)``), print the Markdown."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n")
    out.with_suffix(".md").write_text(render(document))
    print(render(document))


def update_report(out: Path, update: Callable[[dict], None], render: Callable[[dict], str]) -> dict:
    """Apply ``update`` to the document in ``out.json`` (``{}`` if none) and write it back
    with its Markdown, under a lock, atomically; return the document.

    Two runs of one benchmark finishing together each re-read the file under the lock, so
    neither drops the other's entries (``update`` should add or replace its own only).
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    path = out.with_suffix(".json")
    with open(Path(tempfile.gettempdir()) / f"tsforecast-{path.name}.lock", "w") as lock:  # not in the repo
        fcntl.flock(lock, fcntl.LOCK_EX)
        document = json.loads(path.read_text()) if path.exists() else {}
        update(document)
        for target, text in ((path, json.dumps(document, indent=2) + "\n"), (out.with_suffix(".md"), render(document))):
            with tempfile.NamedTemporaryFile("w", dir=out.parent, suffix=".tmp", delete=False) as handle:
                handle.write(text)
            os.replace(handle.name, target)
    print(render(document))
    return document
