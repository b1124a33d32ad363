"""The report as a renderer-neutral document: a list of blocks.

The content module decides *what* the report says; the HTML and Markdown renderers
decide only *how* each block looks, so the two files always say the same thing.
Every text is plain text (renderers escape it); numbers arrive already formatted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Heading", "Paragraph", "Code", "Bullets", "Table", "Figure", "Block"]


@dataclass(frozen=True)
class Heading:
    """A section title; ``level`` 1 is the report's title."""

    text: str
    level: int = 2
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text; ``emphasis`` renders it as a highlighted box."""

    text: str
    emphasis: bool = False


@dataclass(frozen=True)
class Code:
    """A line of code to copy, such as the command that made the report."""

    text: str


@dataclass(frozen=True)
class Bullets:
    """A bulleted list of plain-text items."""

    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A table of formatted cells; ``numeric`` flags the right-aligned columns."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str = ""
    numeric: tuple[bool, ...] = field(default=())


@dataclass(frozen=True)
class Figure:
    """A PNG image; ``name`` is its file stem in the Markdown twin's folder."""

    name: str
    png: bytes
    caption: str


Block = Heading | Paragraph | Code | Bullets | Table | Figure
