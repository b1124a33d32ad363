"""Render the report document as one self-contained HTML page.

Figures are embedded as base64 ``data:`` URIs and the style sheet is inline; the page
holds no script and its Content-Security-Policy forbids every fetch, so it renders the
same offline, from a mail attachment or from a CI artefact.
"""

from __future__ import annotations

import base64
from html import escape

from ._document import Block, Bullets, Code, Figure, Heading, Paragraph, Table

__all__ = ["render_html"]

# Only inline styles and data: images may load; nothing is ever fetched.
_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       color: #1b1b1b; background: #fff; margin: 0; line-height: 1.45; }
main { max-width: 1120px; margin: 0 auto; padding: 1.5rem 1.5rem 3rem; }
h1 { font-size: 1.7rem; margin-bottom: 0.3rem; }
h2 { font-size: 1.25rem; margin-top: 2.2rem; border-bottom: 1px solid #ddd; padding-bottom: 0.2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
.verdict { background: #f1f6fb; border-left: 4px solid #0072B2; padding: 0.6rem 0.9rem; margin: 0.5rem 0; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.88rem; }
caption { caption-side: top; text-align: left; color: #555; padding-bottom: 0.3rem; }
th, td { border: 1px solid #d6d6d6; padding: 0.25rem 0.55rem; vertical-align: top; }
th { background: #f4f4f4; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td code, li code { font-size: 0.82rem; }
pre { background: #f6f8fa; padding: 0.6rem 0.8rem; white-space: pre-wrap; overflow-wrap: anywhere; font-size: 0.85rem; }
figure { margin: 0.8rem 0 1.4rem; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { color: #555; font-size: 0.88rem; }
"""


def _table(block: Table) -> str:
    numeric = block.numeric or (False,) * len(block.header)
    head = "".join(f"<th>{escape(cell)}</th>" for cell in block.header)
    body = "\n".join(
        "<tr>" + "".join(
            f'<td class="num">{escape(cell)}</td>' if is_num else f"<td>{escape(cell)}</td>"
            for cell, is_num in zip(row, numeric)
        ) + "</tr>"
        for row in block.rows
    )
    caption = f"<caption>{escape(block.caption)}</caption>" if block.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>\n{body}\n</tbody></table>"


def _figure(block: Figure) -> str:
    data = base64.b64encode(block.png).decode("ascii")
    return (f'<figure><img src="data:image/png;base64,{data}" alt="{escape(block.caption)}">'
            f"<figcaption>{escape(block.caption)}</figcaption></figure>")


def _block(block: Block) -> str:
    if isinstance(block, Heading):
        anchor = f' id="{escape(block.anchor)}"' if block.anchor else ""
        return f"<h{block.level}{anchor}>{escape(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f'<p class="verdict">{escape(block.text)}</p>' if block.emphasis else f"<p>{escape(block.text)}</p>"
    if isinstance(block, Code):
        return f"<pre><code>{escape(block.text)}</code></pre>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{escape(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _table(block)
    if isinstance(block, Figure):
        return _figure(block)
    raise TypeError(f"unknown report block {type(block).__name__}")  # pragma: no cover - programming error


def render_html(title: str, blocks: list[Block]) -> str:
    """The whole HTML page for ``blocks``; every text is escaped."""
    body = "\n".join(_block(block) for block in blocks)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
