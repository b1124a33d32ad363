"""Helpers shared by the report and CLI tests."""

from __future__ import annotations


def md_table(markdown: str, first_header: str, second_header: str | None = None) -> list[dict[str, str]]:
    """The (first) Markdown table whose header starts with ``first_header`` (then
    ``second_header``, when given), as dicts."""
    lines = markdown.splitlines()
    prefix = f"| {first_header} |" + (f" {second_header} |" if second_header is not None else "")
    start = next(i for i, line in enumerate(lines) if line.startswith(prefix))
    header = [cell.strip() for cell in lines[start].strip("|").split("|")]
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append(dict(zip(header, (cell.strip() for cell in line.strip("|").split("|")))))
    return rows
