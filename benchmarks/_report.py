"""Writing a benchmark's figures: one JSON document and the Markdown rendered from it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path


def write_report(out: Path, document: dict, render: Callable[[dict], str]) -> None:
    """Write ``out.json`` (the figures) and ``out.md`` (``render(document)``), print the Markdown."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.with_suffix(".json").write_text(json.dumps(document, indent=2) + "\n")
    out.with_suffix(".md").write_text(render(document))
    print(render(document))
