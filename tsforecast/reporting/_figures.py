"""The report's figures, drawn with matplotlib's Agg canvas into PNG bytes.

The figures use :class:`matplotlib.figure.Figure` directly rather than ``pyplot``, so no
GUI backend or global figure state is touched (safe on headless servers and in threads).
Each function takes data already selected by the content module and draws it as is.
"""

from __future__ import annotations

import io
import math

import pandas as pd

__all__ = ["error_by_step_figure", "forecast_figure", "loss_curves_figure"]

_DPI = 100
# Colour-blind-safe cycle (Okabe-Ito); the reference model is always drawn in grey.
_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
_REFERENCE_COLOUR = "#777777"


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
