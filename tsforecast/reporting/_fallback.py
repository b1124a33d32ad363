"""What the report says of models that correct a reference forecast (the LSTM).

``EncoderDecoderLSTM`` learns corrections to a reference forecast (the seasonal naive,
the naive one, or a linear map) and keeps them only when, on the validation tail of its
training windows, they clearly beat that reference; else its forecast is shrunk toward
the reference or *is* the reference. The backtest records, per model and fold, what each
fit did (``result.info["fit_references"]``); this module turns it into a paragraph and
a table, so a reader of "does it beat the baseline" learns where the answer is the
baseline itself. It computes nothing new.
"""

from __future__ import annotations

from collections.abc import Mapping

from ._document import Block, Heading, Paragraph, Table

__all__ = ["fallback_blocks", "forecast_text"]


def forecast_text(record: Mapping) -> str:
    """What a fit forecast, in words.

    Examples
    --------
    >>> forecast_text({"reference": "seasonal naive (season 336)", "shrinkage": 0.0})
    'the reference itself'
    >>> forecast_text({"reference": "naive (last value)", "shrinkage": 0.25})
    'shrunk toward the reference (corrections x 0.25)'
    """
    shrinkage = float(record["shrinkage"])
    if shrinkage >= 1.0:
        return "the network's (corrections kept)"
    if shrinkage <= 0.0:
        return "the reference itself"
    return f"shrunk toward the reference (corrections x {shrinkage:g})"


def _summary(model: str, records: list[Mapping]) -> Paragraph:
    itself = sum(float(r["shrinkage"]) <= 0.0 for r in records)
    shrunk = sum(0.0 < float(r["shrinkage"]) < 1.0 for r in records)
    references = ", ".join(sorted({str(r["reference"]) for r in records}))
    if not itself and not shrunk:
        return Paragraph(f"{model}: in all {len(records)} fit(s) the network's corrections to its reference "
                         f"({references}) clearly beat it on the validation tail and were kept.")
    return Paragraph(
        f"{model} fell back in {itself + shrunk} of {len(records)} fit(s): on the validation tail of its training "
        f"windows the network did not clearly beat its reference ({references}), so in {itself} fit(s) its forecast "
        f"is that reference itself and in {shrunk} it is shrunk toward it.", emphasis=True)


def fallback_blocks(result) -> list[Block]:
    """A section per backtest with models that recorded their reference (none otherwise)."""
    recorded = (result.info or {}).get("fit_references") or {}
    per_model = {str(m): result.fit_references(m) for m, folds in recorded.items() if folds}
    if not per_model:
        return []
    blocks: list[Block] = [Heading("Reference forecasts", 2, "fallback")]
    blocks += [_summary(model, [r for _, r in rows]) for model, rows in per_model.items()]
    rows = tuple((model, label, str(record["reference"]), forecast_text(record))
                 for model, records in per_model.items() for label, record in records)
    blocks.append(Table(("model", "fold", "reference", "forecast"), rows,
                        caption="What each fit forecast: its network's corrections, or its reference"))
    return blocks
