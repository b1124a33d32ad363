"""What the report says of the series a backtest left out and of the models that fell back.

A backtest with ``on_short="skip"`` leaves out the series too short for its folds, and a
model that cannot be fitted as asked on a series (a season longer than the training
rows, intervals without enough calibration windows) uses a simpler form there with a
:class:`~tsforecast.exceptions.FallbackWarning`. The backtest records both in
``result.info`` (``skipped_series``: ``{series: why}``; ``fallback_notes``:
``{model: {fold: [message, ...]}}``), so a report read later says which series its
scores leave out and where a model's scores are those of a simpler one. This module
turns them into a section; it computes nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._document import Block, Heading, Paragraph, Table

__all__ = ["MAX_ROWS", "notes_blocks"]

#: At most this many rows per table (the rest are counted).
MAX_ROWS = 20


def _capped(rows: list[tuple], what: str) -> tuple[tuple, str]:
    """The first :data:`MAX_ROWS` rows and a sentence saying so when there are more."""
    note = f" The first {MAX_ROWS} of {len(rows)} {what} are listed." if len(rows) > MAX_ROWS else ""
    return tuple(rows[:MAX_ROWS]), note


def _skipped_blocks(skipped: Mapping, n_scored: int) -> list[Block]:
    rows, note = _capped([(str(key), str(why)) for key, why in skipped.items()], "series")
    return [
        Paragraph(f"{len(skipped)} series of the data {'was' if len(skipped) == 1 else 'were'} left out, too short "
                  f"for the folds (on_short=\"skip\"): "
                  f"no score of this report covers them; the {n_scored} other series are scored." + note),
        Table(("series", "why it was left out"), rows, caption="Skipped series"),
    ]


def _fallback_rows(notes: Mapping) -> list[tuple[str, str, str]]:
    return [(str(model), str(fold), str(text))
            for model, folds in notes.items()
            for fold, texts in sorted(folds.items(), key=lambda kv: int(kv[0]))
            for text in texts]


def _fallback_blocks(notes: Mapping) -> list[Block]:
    rows, note = _capped(_fallback_rows(notes), "notes")
    models = ", ".join(str(m) for m in notes)
    return [
        Paragraph(f"In some folds {models} could not be fitted as asked on some series and used a simpler form "
                  "there (or said how its fit changed): its scores in those folds are those of what it used." + note),
        Table(("model", "fold", "what its fit said"), rows, caption="Fallbacks per model and fold"),
    ]


def notes_blocks(result) -> list[Block]:
    """A section on skipped series and model fallbacks, read from ``result.info`` (none
    when the backtest skipped nothing and no model fell back)."""
    info = result.info or {}
    skipped = info.get("skipped_series") or {}
    fallbacks = {m: f for m, f in (info.get("fallback_notes") or {}).items() if f}
    if not skipped and not fallbacks:
        return []
    blocks: list[Block] = [Heading("Skipped series and fallbacks", 2, "skipped")]
    if skipped:
        blocks += _skipped_blocks(skipped, len(result.series))
    if fallbacks:
        blocks += _fallback_blocks(fallbacks)
    return blocks
