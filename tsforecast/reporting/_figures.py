"""The report's figures, drawn with matplotlib's Agg canvas into PNG bytes.

The figures use :class:`matplotlib.figure.Figure` directly rather than ``pyplot``, so no
GUI backend or global figure state is touched (safe on headless servers and in threads).
Each function takes data already selected by the content module and draws it as is.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

__all__ = ["error_by_step_figure", "skill_distribution_figure", "forecast_figure", "loss_curves_figure"]

_DPI = 100
# Colour-blind-safe cycle (Okabe-Ito); the reference model is always drawn in grey.
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
_REFERENCE_COLOUR = "#777777"
#: The skill figure's axis stops here (an error 4 times the reference's).
SKILL_FLOOR = -3.0


def _new_figure(width: float, height: float):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(figure)
    return figure


def _png(figure) -> bytes:
    buffer = io.BytesIO()
    # No timestamp in the PNG metadata, so identical results give identical files.
    figure.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _colour_map(models, reference: str | None) -> dict[str, str]:
    colours, others = {}, iter(_COLOURS * (1 + len(models) // len(_COLOURS)))
    for model in models:
        colours[model] = _REFERENCE_COLOUR if model == reference else next(others)
    return colours


def error_by_step_figure(table: pd.DataFrame, metric: str, reference: str | None) -> bytes:
    """Lines of the mean ``metric`` (rows: horizon steps) per model (columns)."""
    figure = _new_figure(7.5, 3.8)
    axes = figure.add_subplot()
    colours = _colour_map(list(table.columns), reference)
    for model in table.columns:
        axes.plot(
            table.index, table[model], marker="o", markersize=3, color=colours[model],
            linestyle="--" if model == reference else "-", label=str(model),
        )
    axes.set_xlabel("horizon step")
    axes.set_ylabel(f"mean {metric.upper()}")
    axes.grid(alpha=0.3)
    axes.legend(fontsize="small", ncols=min(4, max(1, len(table.columns))))
    return _png(figure)


def skill_distribution_figure(skills: dict[str, np.ndarray], reference: str) -> bytes:
    """Horizontal boxes of per-series skill against ``reference``, one per model.

    Boxes span the quartiles, whiskers the 5th to 95th percentiles; single series
    beyond them are not drawn (at 100,000 series they would be a smear). The axis covers
    the whiskers but stops at ``SKILL_FLOOR`` (an error several times the reference's),
    so that one very bad model does not flatten the others' boxes; a whisker cut there is
    labelled with its 5th percentile. Each box is labelled with its share of series
    below zero.
    """
    import matplotlib

    # matplotlib 3.10 renamed vert=False to orientation="horizontal" (and deprecated vert).
    newer = tuple(int(part) for part in matplotlib.__version__.split(".")[:2]) >= (3, 10)
    horizontal = {"orientation": "horizontal"} if newer else {"vert": False}
    models = list(skills)
    figure = _new_figure(7.5, 1.0 + 0.55 * len(models))
    axes = figure.add_subplot()
    colours = _colour_map(models, reference)
    positions = np.arange(len(models), 0, -1)
    boxes = axes.boxplot([skills[m] for m in models], positions=positions, **horizontal,
                         whis=(5, 95), showfliers=False, widths=0.6, patch_artist=True)
    for patch, model in zip(boxes["boxes"], models):
        patch.set(facecolor=colours[model], alpha=0.45, edgecolor=colours[model])
    for median in boxes["medians"]:
        median.set(color="black", linewidth=1.4)
    fifth = {m: float(np.percentile(v, 5)) for m, v in skills.items()}
    low = max(min(fifth.values()), SKILL_FLOOR)
    high = max(np.percentile(v, 95) for v in skills.values())
    span = max(high - low, 1e-3)
    left = min(low, 0) - 0.05 * span
    axes.set_xlim(left, max(high, 0) + 0.3 * span)
    for position, model in zip(positions, models):
        worse = float(np.mean(skills[model] < 0))
        axes.annotate(f"worse on {worse:.0%}", (1, position), xycoords=("axes fraction", "data"),
                      xytext=(-4, 0), textcoords="offset points", ha="right", va="center", fontsize="small")
        if fifth[model] < left:
            axes.annotate(f"5th percentile {fifth[model]:+.0%}", (0, position), xycoords=("axes fraction", "data"),
                          xytext=(4, 11), textcoords="offset points", ha="left", va="center", fontsize="x-small")
    axes.axvline(0, color=_REFERENCE_COLOUR, linestyle="--", linewidth=1)
    axes.set_yticks(positions, [str(m) for m in models])
    axes.set_xlabel(f"skill against {reference} per series (1 - score / score of {reference})")
    axes.xaxis.set_major_formatter(lambda value, _: f"{value:+.0%}")
    axes.grid(alpha=0.3, axis="x")
    return _png(figure)


def forecast_figure(
    actuals: dict[object, pd.Series],
    forecasts: dict[object, pd.DataFrame],
    models: list[str],
    reference: str | None,
    band: tuple[str, str] | None,
    band_model: str | None = None,
) -> bytes:
    """One panel per series: actuals, each model's forecast per fold, the quantile band of ``band_model``.

    ``forecasts[series]`` holds the rows of the long forecasts table for that series
    (columns ``model``, ``fold``, ``cutoff``, ``ds``, ``y_hat`` and the band's columns).
    """
    n = len(actuals)
    ncols = 1 if n == 1 else 2
    nrows = math.ceil(n / ncols)
    figure = _new_figure(7.5 if ncols == 1 else 11, 3.0 * nrows + 0.4)
    colours = _colour_map(models, reference)
    for position, (series, actual) in enumerate(actuals.items(), start=1):
        axes = figure.add_subplot(nrows, ncols, position)
        axes.plot(actual.index, actual.to_numpy(), color="black", linewidth=1.2, label="actual")
        rows = forecasts[series]
        for cutoff in rows["cutoff"].unique():
            axes.axvline(cutoff, color="#bbbbbb", linewidth=0.8, linestyle=":")
        for model in models:
            labelled = False
            for _, fold in rows[rows["model"] == model].groupby("fold", sort=True):
                fold = fold.sort_values("ds")
                if model == band_model and band is not None and fold[list(band)].notna().all().all():
                    axes.fill_between(fold["ds"], fold[band[0]], fold[band[1]], color=colours[model], alpha=0.18,
                                      linewidth=0)
                axes.plot(fold["ds"], fold["y_hat"], color=colours[model], linewidth=1.1,
                          linestyle="--" if model == reference else "-", label=None if labelled else str(model))
                labelled = True
        axes.set_title(str(series), fontsize="medium")
        axes.grid(alpha=0.3)
        axes.tick_params(axis="x", labelsize="small", labelrotation=20)
        if position == 1:
            axes.legend(fontsize="small")
    return _png(figure)


def loss_curves_figure(curves: dict[str, dict[str, dict[str, list[float]]]]) -> bytes:
    """Training (solid) and validation (dashed) loss per epoch, one panel per model, one colour per fold."""
    n = len(curves)
    figure = _new_figure(7.5, 3.2 * n + 0.3)
    for position, (model, folds) in enumerate(curves.items(), start=1):
        axes = figure.add_subplot(n, 1, position)
        for index, (fold, history) in enumerate(folds.items()):
            colour = _COLOURS[index % len(_COLOURS)]
            loss = history.get("loss") or []
            axes.plot(range(1, len(loss) + 1), loss, color=colour, label=f"fold {fold} loss")
            val = history.get("val_loss") or []
            if val:
                axes.plot(range(1, len(val) + 1), val, color=colour, linestyle="--", label=f"fold {fold} val_loss")
        axes.set_title(str(model), fontsize="medium")
        axes.set_xlabel("epoch")
        axes.set_ylabel("loss")
        axes.grid(alpha=0.3)
        axes.legend(fontsize="x-small", ncols=2)
    return _png(figure)
