"""The report's prediction-interval section: are the intervals as wide as they claim?

For a backtest run with ``levels=`` it shows, per model and level, the nominal against
the empirical coverage, the mean width, the interval (Winkler) score and MSIS, all read
from ``BacktestResult.summary()``; a figure of coverage against level; the bands of
every model that gives them on the latest folds of the first series; and one verdict
sentence per model ("lstm's 95% interval covered 78% of the actuals: too narrow").
Nothing new is computed but the judgement: an interval is called calibrated when its
coverage is within sampling error of the level (see :func:`judgement`).
"""

from __future__ import annotations

import math

import pandas as pd

from ..core.timeindex import periods_as_timestamps
from ._document import Block, Bullets, Figure, Heading, Paragraph, Table
from ._per_series import own_latest_folds

__all__ = ["INTERVAL_METRICS", "is_interval_metric", "coverage_table", "judgement", "calibration_sentences",
           "verdict_blocks", "calibration_blocks"]

#: Prefixes of the per-level metric columns a backtest with ``levels=`` adds.
INTERVAL_METRICS = ("coverage_", "width_", "interval_score_", "msis_")
#: Coverage within this many points of the level always counts as calibrated.
_TOLERANCE = 0.02
#: At most this many latest folds are drawn with bands.
_BAND_FOLDS = 3


def is_interval_metric(name: str) -> bool:
    """True for a per-level interval metric (``coverage_80``, ``msis_95``, ...).

    Examples
    --------
    >>> is_interval_metric("coverage_95"), is_interval_metric("coverage"), is_interval_metric("mase")
    (True, False, False)
    """
    return isinstance(name, str) and name.startswith(INTERVAL_METRICS)


def _levels(result) -> list[float]:
    return [float(level) for level in (result.info or {}).get("levels") or []]


def _name(level: float) -> str:
    return f"{level:g}"


def judgement(nominal: float, coverage: float, n: int) -> str:
    """``"calibrated"``, ``"too narrow"`` or ``"too wide"``.

    Calibrated means within two standard errors of a binomial proportion at the level
    over ``n`` scored values, and never stricter than two points (so a long backtest
    does not call 94.8% for 95% "too narrow").

    Examples
    --------
    >>> judgement(0.95, 0.78, 400), judgement(0.95, 0.94, 400), judgement(0.8, 0.97, 400)
    ('too narrow', 'calibrated', 'too wide')
    """
    tolerance = max(_TOLERANCE, 2 * math.sqrt(nominal * (1 - nominal) / max(n, 1)))
    if coverage < nominal - tolerance:
        return "too narrow"
    if coverage > nominal + tolerance:
        return "too wide"
    return "calibrated"


def coverage_table(result) -> pd.DataFrame:
    """Per model with intervals and level: nominal and empirical coverage, the number of
    scored values, mean width, interval score and MSIS, and the judgement."""
    levels = _levels(result)
    if not levels:
        return pd.DataFrame()
    summary = result.summary()
    summary.index = summary.index.map(str)
    counts = {str(level): result.count(f"coverage_{_name(level)}") for level in levels}
    rows = []
    for model in summary.index:
        for level in levels:
            name = _name(level)
            column = f"coverage_{name}"
            if f"{column}_mean" not in summary.columns or pd.isna(summary.loc[model, f"{column}_mean"]):
                continue
            n = int(counts[str(level)].rename(index=str).get(model, 0))
            coverage = float(summary.loc[model, f"{column}_mean"])
            rows.append({"model": model, "level": level, "nominal": level / 100, "coverage": coverage, "n": n,
                         "width": float(summary.loc[model, f"width_{name}_mean"]),
                         "interval_score": float(summary.loc[model, f"interval_score_{name}_mean"]),
                         "msis": float(summary.loc[model, f"msis_{name}_mean"]),
                         "judgement": judgement(level / 100, coverage, n)})
    return pd.DataFrame(rows)


def calibration_sentences(result) -> list[str]:
    """One sentence per model with intervals, on every level's coverage, such as
    "lstm's 95% interval covered 78% of the actuals: too narrow."."""
    table = coverage_table(result)
    if table.empty:
        return []
    sentences = []
    for model, rows in table.groupby("model", sort=False):
        parts = [f"{_name(r.level)}% interval covered {r.coverage * 100:.0f}% of the actuals: {r.judgement}"
                 for r in rows.itertuples()]
        sentences.append(f"{model}'s " + "; its ".join(parts) + ".")
    return sentences


def verdict_blocks(result) -> list[Block]:
    """The calibration sentences, for the verdict section (none without levels)."""
    return [Paragraph(sentence, emphasis=True) for sentence in calibration_sentences(result)]


def _percent(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value * 100:.1f}%"


def _number(value: float) -> str:
    return "n/a" if pd.isna(value) else f"{value:.4g}"


def calibration_blocks(result, reference: str | None = None) -> list[Block]:
    """The section "Prediction intervals": table, coverage figure and bands (none without levels)."""
    levels = _levels(result)
    if not levels:
        return []
    blocks: list[Block] = [Heading("Prediction intervals", 2, "intervals")]
    table = coverage_table(result)
    without = [str(m) for m in result.scored_models if table.empty or str(m) not in set(table.model)]
    reasons = (result.info or {}).get("without_intervals") or {}
    why = "; ".join(f"{m}: {reasons[m]}" for m in without if m in reasons)
    without_text = ", ".join(without) + (f". Why: {why}" if why else "")
    if table.empty:
        return blocks + [Paragraph("No model of this backtest gave prediction intervals; wrap models in "
                                   f"ConformalIntervals to calibrate them. Without intervals: {without_text}.")]
    notes = [f"Levels: {', '.join(_name(v) + '%' for v in levels)}. Coverage is the share of actuals inside the "
             "interval (mean over folds of the mean over series); calibrated: within two binomial standard "
             "errors of the level, or two points.",
             "Interval score (Winkler): width plus 2 / alpha times the miss; MSIS: the same over the MASE scale "
             "of each fold's training data (M4's MSIS is the 95% one). Lower is better for both."]
    if without:
        notes.append(f"Without intervals: {without_text}.")
    rows = tuple((r.model, f"{_name(r.level)}%", _percent(r.coverage), str(r.n), _number(r.width),
                  _number(r.interval_score), _number(r.msis), r.judgement) for r in table.itertuples())
    blocks += [
        Bullets(tuple(notes)),
        Table(("model", "level", "coverage", "scored", "mean width", "interval score", "MSIS", "calibration"), rows,
              numeric=(False, True, True, True, True, True, True, False)),
        Figure("interval_coverage", coverage_figure(table, reference), "Empirical coverage against level"),
    ]
    bands = _band_frames(result, table)
    if bands is not None:
        series, frame = bands
        where = "the series" if len(result.series) == 1 else f"series {series}"
        blocks += [Paragraph(f"Bands of every model with intervals on {where}, latest "
                             f"{frame['fold'].nunique()} fold(s): the darker band is the narrower level; "
                             "black: the actuals."),
                   Figure("interval_bands", bands_figure(frame, list(dict.fromkeys(table.model)), levels),
                          f"Prediction intervals on {where}")]
    return blocks


def _band_frames(result, table: pd.DataFrame):
    if not result.folds:
        return None
    series = result.series[0]
    frame = periods_as_timestamps(own_latest_folds(result, series, _BAND_FOLDS))
    frame["model"] = frame["model"].map(str)
    return series, frame[frame["model"].isin(set(table.model))]


# -- figures -------------------------------------------------------------------
def coverage_figure(table: pd.DataFrame, reference: str | None) -> bytes:
    """Empirical coverage (y) against the level (x) per model; the diagonal is calibration."""
    from ._figures import _colour_map, _new_figure, _png

    figure = _new_figure(5.5, 4.2)
    axes = figure.add_subplot()
    models = list(dict.fromkeys(table["model"]))
    colours = _colour_map(models, reference)
    low = min(table["nominal"].min(), table["coverage"].min()) - 0.05
    axes.plot([low, 1.0], [low, 1.0], color="#999999", linestyle=":", linewidth=1, label="calibrated")
    for model in models:
        rows = table[table["model"] == model]
        axes.plot(rows["nominal"], rows["coverage"], marker="o", color=colours[model], label=model,
                  linestyle="--" if model == reference else "-")
    axes.set_xlabel("nominal coverage (level)")
    axes.set_ylabel("empirical coverage")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small")
    return _png(figure)


def bands_figure(frame: pd.DataFrame, models: list[str], levels: list[float]) -> bytes:
    """One panel per model: actuals, the point forecast and one shaded band per level."""
    from ._figures import _COLOURS, _new_figure, _png

    n = len(models)
    ncols = 1 if n == 1 else 2
    nrows = math.ceil(n / ncols)
    figure = _new_figure(7.5 if ncols == 1 else 11, 2.8 * nrows + 0.4)
    for position, model in enumerate(models, start=1):
        axes = figure.add_subplot(nrows, ncols, position)
        colour = _COLOURS[(position - 1) % len(_COLOURS)]
        rows = frame[frame["model"] == model]
        actual = rows.drop_duplicates("ds").sort_values("ds")
        for _, fold in rows.groupby("fold", sort=True):
            fold = fold.sort_values("ds")
            for index, level in enumerate(sorted(levels, reverse=True)):  # widest first, lightest
                low, high = fold[f"lo_{_name(level)}"], fold[f"hi_{_name(level)}"]
                if low.notna().all() and high.notna().all():
                    axes.fill_between(fold["ds"], low, high, color=colour, alpha=0.15 + 0.15 * index, linewidth=0)
            axes.plot(fold["ds"], fold["y_hat"], color=colour, linewidth=1.1)
        axes.plot(actual["ds"], actual["y"], color="black", linewidth=1.0, marker=".", markersize=3)
        axes.set_title(model, fontsize="medium")
        axes.grid(alpha=0.3)
        axes.tick_params(axis="x", labelsize="small", labelrotation=20)
    return _png(figure)
