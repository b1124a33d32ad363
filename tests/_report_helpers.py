"""Helpers shared by the report and CLI tests."""

from __future__ import annotations


def md_table(markdown: str, first_header: str) -> list[dict[str, str]]:
    """The Markdown table whose header starts with ``first_header``, as dicts."""
    lines = markdown.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"| {first_header} |"))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")))))
    return rows
