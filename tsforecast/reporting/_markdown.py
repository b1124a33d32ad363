"""Render the report document as Markdown (GitHub-flavoured tables).

Figures are referenced as PNG files in a folder beside the Markdown file, so the
Markdown can be pasted into a pull request or a wiki together with that folder.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from ._document import Block, Bullets, Code, Figure, Heading, Paragraph, Table

__all__ = ["render_markdown", "figure_filename"]


def figure_filename(figure: Figure) -> str:
    """The PNG file name of ``figure`` inside the figures folder."""
    return f"{figure.name}.png"


#: A "<" that could open an HTML tag or comment (a title or model name holding
#: ``<script>``): Markdown renderers pass raw HTML through. "p < 0.01" stays as it is.
_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")


def _text(text: str) -> str:
    """Plain text as Markdown that renders as that text: no raw HTML tag, and no newline
    (one would end a heading, a quote or a list item, and start a block of its own)."""
    return _TAG_START.sub("&lt;", " ".join(text.splitlines()))


def _cell(text: str) -> str:
    # A pipe would end the cell and a newline the row.
    return _text(text.replace("\\", "\\\\").replace("|", "\\|"))


def _table(block: Table) -> str:
    numeric = block.numeric or (False,) * len(block.header)
    lines = [f"*{_text(block.caption)}*", ""] if block.caption else []
    lines.append("| " + " | ".join(_cell(cell) for cell in block.header) + " |")
    lines.append("|" + "|".join("---:" if is_num else "---" for is_num in numeric) + "|")
    lines.extend("| " + " | ".join(_cell(cell) for cell in row) + " |" for row in block.rows)
    return "\n".join(lines)


def _block(block: Block, figures_dir: str) -> str:
    if isinstance(block, Heading):
        return "#" * block.level + " " + _text(block.text)
    if isinstance(block, Paragraph):
        return "> " + _text(block.text) if block.emphasis else _text(block.text)
    if isinstance(block, Code):
        return f"```\n{block.text}\n```"
    if isinstance(block, Bullets):
        return "\n".join(f"- {_text(item)}" for item in block.items)
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        alt = _text(block.caption).replace("[", "(").replace("]", ")")
        return f"![{alt}]({quote(figures_dir)}/{quote(figure_filename(block))})\n\n*{_text(block.caption)}*"
    raise TypeError(f"unknown report block {type(block).__name__}")  # pragma: no cover - programming error


def render_markdown(blocks: list[Block], figures_dir: str) -> str:
    """The Markdown text for ``blocks``; figures link to ``figures_dir/<name>.png``."""
    return "\n\n".join(_block(block, figures_dir) for block in blocks) + "\n"
