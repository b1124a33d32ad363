"""What the report says: selection and formatting of a ``BacktestResult``.

Every number shown comes from the result as it is (``summary``, ``compare``,
``by_step``, ``per_series``, ``forecasts``, ``histories``, ``info``); this module only chooses which
ones to show, in which order, and formats them. It computes no new statistic.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping

import pandas as pd

from ..backtesting.result import RANKING_ORDER, aggregate_steps, model_levels, nominal_span
from ..core import metrics as _metrics
from ..core.silencing import silenced
from ..exceptions import InvalidInputError, InvalidParameterError
from . import _calibration, _fallback, _figures, _notes, _per_series
from ._document import Block, Bullets, Code, Figure, Heading, Paragraph, Table
from ._verdict import (SHARED_CELLS, SIGNIFICANCE_LEVELS, best_sentence, direction_agrees, p_digits,
                       significance_mark, single_model_sentence, verdict_sentence)

__all__ = [
    "MAX_SERIES",
    "MAX_FOLDS",
    "MAX_MODELS_PLOTTED",
    "format_number",
    "cutoff_text",
    "step_groups",
    "format_percent",
    "main_metric",
    "choose_reference",
    "build_document",
]

#: A panel of at most this many series shows all of them; a larger one its best, median
#: and worst series for the top model (see ``_per_series.chosen_series``).
MAX_SERIES = 6
#: The step table shows this many steps one by one, then groups of steps ...
STEPS_SHOWN_SINGLY = 12
#: ... at most this many groups (the figure always shows every step).
MAX_STEP_GROUPS = 12
#: Forecasts are drawn for at most this many of the latest folds.
MAX_FOLDS = 3
#: At most this many models are drawn in the forecast panels, so the lines stay readable.
MAX_MODELS_PLOTTED = 4
#: The report's yardsticks, preferred in this order when the result holds one (by the
#: class the backtest recorded): the seasonal naive, the honest yardstick of seasonal
#: data, then the naive. A report's choice, not a model's claim.
REFERENCE_CLASSES = ("tsforecast.baselines.naive.SeasonalNaive", "tsforecast.baselines.naive.Naive")
#: The metrics in the order they are shown; others follow in the result's order.
_METRIC_ORDER = RANKING_ORDER  # the ranking metric's column first
_MAX_ERROR_ROWS = 20
#: Readable headers of per-model entries of ``info``.
_COLUMN_LABELS = {"model_seconds": "wall time (s)", "random_states": "random state",
                  "without_intervals": "no intervals: why"}
#: At most this many training curves per model (folds, or fold/series pairs).
_MAX_CURVES = 8


# -- formatting --------------------------------------------------------------
def format_number(value) -> str:
    """A metric value with 4 significant digits; ``n/a`` when missing.

    Examples
    --------
    >>> format_number(0.812345), format_number(1234.5678), format_number(float("nan"))
    ('0.8123', '1235', 'n/a')
    """
    if value is None or value is pd.NA:
        return "n/a"
    try:
        value = float(value)
    except (TypeError, ValueError):
        return str(value)
    return "n/a" if math.isnan(value) else f"{value:.4g}"


def format_percent(fraction) -> str:
    """A skill fraction as a signed percentage with one decimal.

    Examples
    --------
    >>> format_percent(0.1234), format_percent(-0.05)
    ('+12.3%', '-5.0%')
    """
    if fraction is None or fraction is pd.NA or (isinstance(fraction, float) and math.isnan(fraction)):
        return "n/a"
    return f"{float(fraction) * 100:+.1f}%"


def _format_p(p_value) -> str:
    if p_value is None or (isinstance(p_value, float) and math.isnan(p_value)):
        return "n/a"
    return p_digits(float(p_value)) if float(p_value) > 0 else "<1e-300"  # underflowed, never zero


def _json(value) -> str:
    # Estimator reprs inside parameters carry line breaks and indentation: one line here.
    return re.sub(r"\\n\s*", " ", json.dumps(value, sort_keys=True, default=str))


def _scalar_text(value) -> str:
    if isinstance(value, float):
        return format_number(value)
    if isinstance(value, (list, tuple)):
        shown = ", ".join(str(v) for v in value[:12])
        return shown + (f", ... ({len(value)} in all)" if len(value) > 12 else "")
    if isinstance(value, Mapping):
        return _json(value)
    return str(value)


# -- selection ---------------------------------------------------------------
def _metric_names(result) -> list[str]:
    columns = list(result.metric_names)
    return sorted(columns, key=lambda c: (_METRIC_ORDER.index(c) if c in _METRIC_ORDER else len(_METRIC_ORDER),
                                          columns.index(c)))


def _better(metric: str) -> str:
    """Which score of ``metric`` is better, from the metric registry's orientation."""
    direction, _ = _metrics.orientation(metric, 0.0)
    return "lower is better" if direction == "lower" else "closest to the nominal level is better"


def main_metric(result) -> str:
    """The metric that ranks models: MASE when the result has it, else the first one."""
    if not result.metric_names:
        raise InvalidInputError("result.metrics holds no metric column; there is nothing to report.")
    return result.main_metric  # one rule for the report, the CLI and the result's own tables


def _model_names(result) -> list[str]:
    """Models that have scores, in the order they were given."""
    present = [str(m) for m in result.scored_models]
    scored = set(present)
    given = [str(m) for m in (getattr(result, "models", None) or result.info.get("models") or [])]
    ordered = [m for m in given if m in scored] + [m for m in present if m not in given]
    return ordered


def _reference_priority(result, model: str) -> int | None:
    """The place of ``model``'s recorded class in :data:`REFERENCE_CLASSES`, or None."""
    spec = (result.info.get("models") or {}).get(model) or {}
    cls = spec.get("class") if isinstance(spec, Mapping) else None
    return REFERENCE_CLASSES.index(cls) if cls in REFERENCE_CLASSES else None


def _trained(result) -> list[str]:
    """Models with training curves (networks), in the result's model order."""
    histories = result.histories or {}
    return [m for m in _model_names(result) if histories.get(m)]


def choose_reference(result, reference: str | None) -> str:
    """The model that skill and significance are measured against.

    An explicit ``reference`` must be one of the result's models. By default: the first
    yardstick of :data:`REFERENCE_CLASSES` the result holds (the seasonal naive, then the
    naive, by the class the backtest recorded: a subclass or a namesake is not one); else
    the best-ranked model without training curves (the best baseline); else the first
    model.
    """
    models = _model_names(result)
    if reference is not None:
        if reference not in models:
            raise InvalidParameterError(f"reference must be one of the result's models {models!r}; got {reference!r}.")
        return reference
    declared = {m: _reference_priority(result, m) for m in models}
    candidates = [m for m in models if declared[m] is not None]
    if candidates:
        return min(candidates, key=lambda m: declared[m])  # stable: the first of equals
    trained = set(_trained(result))
    baselines = [m for m in models if m not in trained]
    if baselines:
        ranking = _summary_frame(result.summary(metric=main_metric(result)))
        ranked = [m for m in ranking.sort_values("rank").index if m in baselines] if "rank" in ranking else []
        return ranked[0] if ranked else baselines[0]
    return models[0]


def _summary_frame(summary: pd.DataFrame) -> pd.DataFrame:
    """``result.summary()`` indexed by model name (as str)."""
    frame = summary.set_index("model") if "model" in summary.columns else summary
    frame = frame.copy()
    frame.index = frame.index.map(str)
    return frame


def _summary_value(row: pd.Series, metric: str, stat: str):
    for key in ((metric, stat), f"{metric}_{stat}", f"{metric}.{stat}"):
        if key in row.index:
            return row[key]
    return row[metric] if stat == "mean" and metric in row.index else float("nan")


# -- sections ----------------------------------------------------------------
def _sentence(model, reference, metric, summary, compare) -> Paragraph:
    skill = summary.loc[model, "skill"] if model in summary.index and "skill" in summary else None
    test = {column: compare.loc[model, column] if model in compare.index and column in compare else None
            for column in ("p_value", "statistic")}
    return Paragraph(verdict_sentence(model, reference, metric, skill, test["p_value"], test["statistic"]),
                     emphasis=True)


def _verdict_blocks(result, summary, compare, reference, metric) -> list[Block]:
    """The best model, then every other model against the reference and, when the best
    is not the reference, against the best (``summary``/``compare`` with it as
    reference): true for any mix of baselines and trained models."""
    ranked = list(summary.sort_values("rank", kind="stable").index)
    blocks: list[Block] = [Heading("Verdict", 2, "verdict")]
    if len(ranked) <= 1:
        failed = [m for m in result.models if m not in set(ranked)]  # run, but never scored
        blocks.append(Paragraph(single_model_sentence(ranked[0] if ranked else reference, failed), emphasis=True))
        return blocks
    best = ranked[0]
    top = summary["rank"].eq(summary.loc[best, "rank"]).fillna(False)
    tied = [m for m in ranked if top[m]] or [best]
    # where the models scored different cells they are ranked on the shared ones: quote that figure
    shared = f"{metric}_common" in summary.columns
    value = summary.loc[best, f"{metric}_common"] if shared else _summary_value(summary.loc[best], metric, "mean")
    blocks.append(Paragraph(best_sentence(tied, reference, metric, value, shared=shared), emphasis=True))
    if shared:
        blocks.append(Paragraph(
            f"Not every model was scored on every series and fold (see Failed tasks), so the ranks and skills of "
            f"this verdict compare the models {SHARED_CELLS} (their own means over all their folds are in the "
            "Metrics table), and so do the Diebold-Mariano tests."))
    against_best = None
    if best != reference:
        blocks.append(_sentence(best, reference, metric, summary, compare))
        against_best = (_summary_frame(result.summary(reference=best, metric=metric)),
                        _summary_frame(result.compare(reference=best, metric=metric)))
    for model in ranked[1:]:
        if model != reference:
            blocks.append(_sentence(model, reference, metric, summary, compare))
            if against_best is not None:
                blocks.append(_sentence(model, best, metric, *against_best))
    unscored = [m for m in map(str, result.models) if m not in summary.index]
    if unscored:
        blocks.append(Paragraph(f"No scores for {', '.join(unscored)}: every task failed (see Failed tasks)."))
    return blocks


def _metrics_blocks(summary, compare, metrics, reference, metric, levels) -> list[Block]:
    """The Metrics section; ``levels``: each model's quantile levels (``pinball`` is left
    out of the table where they differ, ``coverage`` shown beside its band's nominal span)."""
    common = f"{metric}_common" in summary.columns
    own_sets = len(set(levels.values())) > 1
    shown = [m for m in metrics if m != metric and not (own_sets and m == "pinball")]
    header = ["rank", "model", f"{metric.upper()} mean", f"{metric.upper()} sd"]
    header += [f"{metric.upper()} on shared cells"] if common else []
    header += [f"{m.upper()} mean" + (" (nominal)" if m == "coverage" and levels else "") for m in shown]
    header += [f"skill vs {reference}", "DM p-value", "sig."]
    rows = []
    for model, row in summary.sort_values("rank").iterrows():
        p_value = compare.loc[model, "p_value"] if model in compare.index and model != reference else None
        statistic = compare.loc[model, "statistic"] if p_value is not None else None
        cells = [format_number(row["rank"]) if "rank" in row else "", model,
                 format_number(_summary_value(row, metric, "mean")), format_number(_summary_value(row, metric, "std"))]
        cells += [format_number(row[f"{metric}_common"])] if common else []
        cells += [_mean_cell(row, m, levels.get(model, ())) for m in shown]
        cells += ["reference" if model == reference else format_percent(row.get("skill")),
                  "" if model == reference else _format_p(p_value),
                  "" if model == reference else _mark(row.get("skill"), p_value, statistic)]
        rows.append(tuple(cells))
    numeric = tuple([True, False] + [True] * (len(header) - 3) + [False])
    blocks = [Heading("Metrics", 2, "metrics"),
              Paragraph(_metrics_intro(metric, reference, common, spans="coverage" in shown and bool(levels))),
              Table(tuple(header), tuple(rows), numeric=numeric)]
    if own_sets and "pinball" in metrics:
        blocks.append(_own_pinball(summary, levels))
    return blocks


def _metrics_intro(metric: str, reference: str, common: bool, spans: bool) -> str:
    """What the Metrics table shows; ``common``: ranked on shared cells, ``spans``:
    coverage shown with its nominal span."""
    marks = ", ".join(f"{mark} p < {level:g}" for level, mark in SIGNIFICANCE_LEVELS)
    return (
        f"Models ranked by mean {metric.upper()} over folds ({_better(metric)}); sd is the spread over folds. "
        f"Skill is 1 - {metric.upper()} / {metric.upper()} of {reference} (positive: better than {reference}). "
        f"DM p-value: Diebold-Mariano test (Harvey-Leybourne-Newbold correction) of each model against "
        f"{reference} on {metric.upper()}"
        + (" (its loss is the squared error, whose mean can rank two models the other way from the mean of "
           "fold RMSEs)" if metric == "rmse" else "")
        + f"; marks: {marks}, where the test points the way the skill does (\"{OTHER_WAY}\" where it is "
        "significant the other way)."
        + (f" Not every model was scored on every series and fold (see Failed tasks), so the means cover "
           f"different cells: ranks and skill compare the models on the cells all of them scored "
           f"({metric.upper()} on shared cells), and so do the DM tests." if common else "")
        + (" COVERAGE is the share of actuals inside a model's outermost quantile band; the nominal span in "
           "brackets is the share that band should hold (0.9 for 0.05 to 0.95): closest to it is best."
           if spans else "")
    )


def _mean_cell(row: pd.Series, metric: str, levels) -> str:
    """A model's mean of ``metric``; for ``coverage`` of quantiles, with its band's
    nominal span in brackets (models with other bands aim at other shares)."""
    value = format_number(_summary_value(row, metric, "mean"))
    span = nominal_span(levels) if metric == "coverage" and levels else float("nan")
    return value if math.isnan(span) else f"{value} ({format_number(span)})"


def _own_pinball(summary, levels) -> Paragraph:
    """Each model's pinball loss on its own quantile levels, kept out of the compared
    table: a mean over other levels is another loss (``summary(metric="pinball")`` refuses it)."""
    own = [f"{model} {format_number(_summary_value(row, 'pinball', 'mean'))} on "
           + ", ".join(f"{q:g}" for q in levels[model])
           for model, row in summary.sort_values("rank").iterrows() if model in levels]
    return Paragraph(
        "PINBALL is left out of the table: the models forecast different quantile levels and each pinball loss "
        "is the mean over the model's own levels, so the losses do not compare across models (each model's "
        f"own: {'; '.join(own)}).")


#: The mark of a test significant against the direction of the skill beside it.
OTHER_WAY = "other way"


def _mark(skill, p_value, statistic) -> str:
    """The significance mark of a test; :data:`OTHER_WAY` where it is significant but
    favours the model the skill does not."""
    if significance_mark(p_value) and not direction_agrees(skill, statistic):
        return OTHER_WAY
    return significance_mark(p_value)


def _by_step_table(result, metric: str) -> pd.DataFrame:
    """``result.by_step(metric)`` as a frame indexed by step with one column per model."""
    table = result.by_step(metric=metric)
    if {"model", "step"} <= set(table.columns):
        table = table.pivot(index="step", columns="model", values=metric)
    table.columns = table.columns.map(str)
    return table


def step_groups(steps: list, single: int = STEPS_SHOWN_SINGLY, most: int = MAX_STEP_GROUPS) -> list[tuple[str, list]]:
    """Rows of the step table: the first ``single`` steps one by one, then groups of 12
    steps (24, 48, ... when more than ``most`` groups would follow), labelled ``a-b``.

    Examples
    --------
    >>> [label for label, _ in step_groups(list(range(1, 49)))][10:]
    ['11', '12', '13-24', '25-36', '37-48']
    >>> [label for label, _ in step_groups(list(range(1, 7)))]
    ['1', '2', '3', '4', '5', '6']
    """
    steps = list(steps)
    groups = [(str(step), [step]) for step in steps[:single]]
    rest = steps[single:]
    width = single
    while math.ceil(len(rest) / width) > most:
        width *= 2
    for start in range(0, len(rest), width):
        part = rest[start : start + width]
        groups.append((f"{part[0]}-{part[-1]}" if len(part) > 1 else str(part[0]), part))
    return groups


def _by_step_blocks(result, summary, metric, reference) -> list[Block]:
    table = _by_step_table(result, metric)
    models = list(table.columns)
    groups = step_groups(list(table.index))
    # A group's value combines its steps' values as a fold score combines steps (aggregate_steps).
    rows = tuple((label, *(format_number(aggregate_steps(table.loc[steps, m], metric)) for m in models))
                 for label, steps in groups)
    if f"{metric}_common" in summary.columns:  # by_step, as summary, keeps the cells all models scored
        text = (f"Mean {metric.upper()} at each step ahead, over the series and folds of the cells all models scored "
                "(not every model was scored on every series and fold; see Failed tasks).")
    else:
        text = f"Mean {metric.upper()} at each step ahead, over series and folds."
    if len(groups) < len(table.index):
        text += (f" The table shows steps 1 to {STEPS_SHOWN_SINGLY} one by one, then groups of steps (each the mean "
                 f"over its steps, {'root mean square' if metric == 'rmse' else 'equally weighted'}); the figure "
                 "shows every step.")
    return [
        Heading("Error by horizon step", 2, "by-step"),
        Paragraph(text),
        Figure("error_by_step", _figures.error_by_step_figure(table, metric, reference),
               f"Mean {metric.upper()} by horizon step"),
        Table(("step", *models), rows, numeric=(True,) * (len(models) + 1)),
    ]


def _quantile_band(forecasts: pd.DataFrame) -> tuple[str, str] | None:
    """The outermost pair of quantile columns around the median that hold values, if any."""
    levels = {}
    for column in forecasts.columns:
        if isinstance(column, str) and column.startswith("q") and forecasts[column].notna().any():
            try:
                levels[float(column[1:])] = column
            except ValueError:
                continue
    low = [q for q in levels if q < 0.5]
    high = [q for q in levels if q > 0.5]
    if not low or not high:
        return None
    return levels[min(low)], levels[max(high)]


def _shaded_band(forecasts, preference, plotted, reference) -> tuple[str | None, tuple[str, str] | None]:
    """The one plotted model whose quantile band is shaded, the first of ``preference``
    that gives one (not the reference where another does), and its own outermost band:
    with ``quantiles="auto"`` the models' bands differ, and the widest columns of all
    would pick the model that has them, whatever its place."""
    bands = {m: _quantile_band(forecasts[forecasts["model"] == m]) for m in plotted}
    candidates = [m for m in dict.fromkeys(preference) if bands.get(m) is not None]
    others = [m for m in candidates if m != reference]
    model = (others or candidates or [None])[0]
    return model, bands.get(model)


def _plotted_models(summary, reference, trained) -> list[str]:
    ranked = list(summary.sort_values("rank").index)
    if len(ranked) <= MAX_MODELS_PLOTTED:
        return ranked
    chosen = list(dict.fromkeys([reference, *trained, *ranked]))
    return chosen[:MAX_MODELS_PLOTTED]


def _shown_series(series: list, per_series, summary, reference, metric) -> tuple[list[tuple], str | None]:
    """All series of a small panel; else the best, median and worst by the top model's skill."""
    if len(series) <= MAX_SERIES or per_series is None:
        return [(key, str(key)) for key in series[:MAX_SERIES]], None
    top = _per_series.focus_model(list(summary.sort_values("rank", kind="stable").index), reference)
    # The reference alone: its skill against itself is zero everywhere, so its score chooses.
    chosen = _per_series.chosen_series(per_series if top else per_series.drop(columns="skill"), top or reference,
                                       metric)
    shown = [(key, f"{key}: {why}") for key, why in chosen]
    by = (f"skill of {top} against {reference} (the best-ranked model other than the reference)" if top
          else f"{metric.upper()} of {reference}")
    return shown, f"Series shown: {len(shown)} of {len(series)}, chosen by the per-series {by}: " \
                  f"{'; '.join(t for _, t in shown)}."


def _forecast_blocks(result, summary, reference, trained, per_series=None, metric="mase") -> list[Block]:
    all_folds = result.folds
    folds = all_folds[-MAX_FOLDS:]
    series = list(result.series)
    shown, note = _shown_series(series, per_series, summary, reference, metric)
    models = _plotted_models(summary, reference, trained)
    forecasts = _per_series.latest_forecasts(result, [key for key, _ in shown], folds, models)
    if forecasts.empty:
        return [Heading("Forecasts against actuals", 2, "forecasts"), Paragraph("The result holds no forecasts.")]
    band_model, band = _shaded_band(forecasts, [*trained, *summary.sort_values("rank").index], models, reference)
    actuals, rows = _per_series.panels(forecasts, shown)
    lines = [f"Folds shown: the latest {len(folds)} of {len(all_folds)} ({', '.join(map(str, folds))}); "
             f"dotted vertical lines mark the cutoffs.",
             f"Models shown: {', '.join(models)}."]
    if note is not None:
        lines.append(note)
    if band_model is not None:
        lines.append(f"Shaded: the band from {band[0]} to {band[1]} of {band_model}, its outermost quantiles (one "
                     "model's band, to keep the lines readable: the first trained model that gives quantiles, else "
                     "the best-ranked one, the reference only where no other model gives them).")
    caption = f"Forecasts against actuals, latest {len(folds)} fold(s)"
    return [
        Heading("Forecasts against actuals", 2, "forecasts"),
        Bullets(tuple(lines)),
        Figure("forecasts", _figures.forecast_figure(actuals, rows, models, reference, band, band_model), caption),
    ]


def _fold_curves(folds: Mapping) -> dict[str, dict]:
    """``{label: {"loss": [...], "val_loss": [...]}}`` in fold order, at most
    ``_MAX_CURVES``; a per-series model on a panel has one level more (fold, then
    series), labelled ``fold/series``."""
    curves = {}
    for fold, history in sorted(folds.items(), key=lambda kv: int(kv[0])):
        if isinstance(history, Mapping) and "loss" not in history:
            for series, inner in history.items():
                curves[f"{fold}/{series}"] = inner
        else:
            curves[str(fold)] = history
    return dict(list(curves.items())[:_MAX_CURVES])


def _training_blocks(result, trained) -> list[Block]:
    blocks: list[Block] = [Heading("Training curves", 2, "training")]
    if not trained:
        blocks.append(Paragraph("No model of this backtest records training curves."))
        return blocks
    curves = {m: _fold_curves(result.histories[m]) for m in trained}
    rows = []
    for model, folds in curves.items():
        for fold, history in folds.items():
            loss, val = history.get("loss") or [], history.get("val_loss") or []
            rows.append((model, fold, str(len(loss)), format_number(loss[-1] if loss else None),
                         format_number(val[-1] if val else None), format_number(min(val) if val else None)))
    blocks += [
        Paragraph("Training loss (solid) and validation loss (dashed) per epoch, one colour per fold."),
        Figure("training_curves", _figures.loss_curves_figure(curves), "Training and validation loss"),
        Table(("model", "fold", "epochs", "last loss", "last val_loss", "best val_loss"), tuple(rows),
              numeric=(False, True, True, True, True, True)),
    ]
    return blocks


def _flatten(value: Mapping, prefix: str = "") -> list[tuple[str, str]]:
    """``{"length": {"min": 3}}`` -> ``[("length.min", "3")]``."""
    rows = []
    for key, inner in value.items():
        name = f"{prefix}{key}"
        if isinstance(inner, Mapping) and inner:
            rows += _flatten(inner, name + ".")
        else:
            rows.append((name, _scalar_text(inner)))
    return rows


def _short_class(name) -> str:
    return str(name).rsplit(".", 1)[-1]


def _models_table(models: Mapping, per_model: dict[str, Mapping]) -> Table:
    """One row per model: class, parameters, and every per-model entry of ``info``."""
    extra = list(per_model)
    rows = []
    for name, spec in models.items():
        spec = dict(spec) if isinstance(spec, Mapping) else {"class": spec}
        cls, params = spec.pop("class", ""), spec.pop("params", {})
        others = "; ".join(f"{k}={_scalar_text(v)}" for k, v in spec.items())
        cells = [str(name), _short_class(cls), _json(params), others]
        cells += [_scalar_text(per_model[key].get(name, "")) if per_model[key].get(name) not in (None, {}, [])
                  else "" for key in extra]
        rows.append(tuple(cells))
    numeric = (False,) * 4 + tuple(all(isinstance(v, (int, float)) for v in per_model[k].values()) for k in extra)
    header = ("model", "class", "parameters", "other", *(_COLUMN_LABELS.get(k, k) for k in extra))
    return Table(header, tuple(rows), caption="Models", numeric=numeric)


#: Which figures can differ across machines (shown when the result holds trained models).
CPU_NOTE = ("Figures of models trained with TensorFlow (those with training curves, such as the LSTM) depend on "
            "TensorFlow's CPU kernels: re-running this command on the same machine gives the same figures, but a "
            "CPU with another instruction set can give slightly different ones. The baselines do not use "
            "TensorFlow.")


def cutoff_text(values) -> str:
    """A fold's ``info["cutoffs"]`` entry (first and last cutoff over the series, a pair
    per kind of time axis) in words: one cutoff, or a range across series.

    Examples
    --------
    >>> cutoff_text(["2024-01-24 00:00:00", "2024-02-28 00:00:00"])
    '2024-01-24 00:00:00 to 2024-02-28 00:00:00 (per series)'
    >>> cutoff_text(["2024-01-24 00:00:00", "2024-01-24 00:00:00"])
    '2024-01-24 00:00:00'
    """
    if not isinstance(values, (list, tuple)) or len(values) % 2:
        return _scalar_text(values)
    pairs = [(str(first), str(last)) for first, last in zip(values[::2], values[1::2])]
    return "; ".join(first if first == last else f"{first} to {last} (per series)" for first, last in pairs)


def _run_blocks(result) -> list[Block]:
    """``result.info`` as tables: settings, data, folds, models (with per-model entries), the rest."""
    info = dict(result.info or {})
    if isinstance(info.get("cutoffs"), Mapping):  # [first, last] read as a list of two cutoffs
        info["cutoffs"] = {fold: cutoff_text(values) for fold, values in info["cutoffs"].items()}
    info.pop("fit_references", None)  # shown in its own section (_fallback)
    info.pop("skipped_series", None), info.pop("fallback_notes", None)  # in theirs (_notes)
    command = info.pop("command", None)
    models = info.pop("models", None) or {}
    names = set(map(str, models)) | set(_model_names(result))
    per_model = {key: info.pop(key) for key in list(info)
                 if isinstance(info[key], Mapping) and info[key] and set(map(str, info[key])) <= names}
    settings = [(str(k), _scalar_text(v)) for k, v in info.items() if not isinstance(v, Mapping)]
    groups = [(str(k), v) for k, v in info.items() if isinstance(v, Mapping) and v]
    groups.sort(key=lambda group: group[0] != "data")  # the data first
    blocks: list[Block] = [Heading("What was run", 2, "run")]
    if _trained(result):
        blocks.append(Paragraph(CPU_NOTE))
    if command:
        blocks += [Paragraph("Command:"), Code(str(command))]
    tables = [Table((key, "value"), tuple(_flatten(values)), caption=key.replace("_", " ").capitalize())
              for key, values in groups]
    if tables and groups[0][0] == "data":
        blocks.append(tables.pop(0))
    if settings:
        blocks.append(Table(("setting", "value"), tuple(settings), caption="Backtest"))
    if models:
        blocks.append(_models_table(models, per_model))
    return blocks + tables


def _error_blocks(result) -> list[Block]:
    errors = result.errors
    if errors is None or len(errors) == 0:
        return []
    columns = [c for c in ("model", "unique_id", "fold", "error") if c in errors.columns]
    rows = tuple(tuple(str(v) for v in row) for row in errors[columns].head(_MAX_ERROR_ROWS).itertuples(index=False))
    note = f"{len(errors)} task(s) failed and are left out of the scores above."
    if len(errors) > _MAX_ERROR_ROWS:
        note += f" The first {_MAX_ERROR_ROWS} are listed."
    return [Heading("Failed tasks", 2, "errors"), Paragraph(note), Table(tuple(columns), rows)]


def _latest_folds(result) -> list:
    """The folds the forecast figures draw: the latest ``MAX_FOLDS``."""
    return result.folds[-MAX_FOLDS:]


def default_title(result) -> str:
    """``Backtest: <models> on <data>`` from the result's models and data source or name."""
    data = (result.info or {}).get("data") or {}
    name = (data.get("source") or data.get("name")) if isinstance(data, Mapping) else None
    title = "Backtest: " + ", ".join(_model_names(result))
    return title + (f" on {name}" if name else "")


def build_document(result, *, title: str | None, reference: str | None) -> tuple[str, list[Block]]:
    """The report's title and blocks for ``result``."""
    # Metrics a model does not give (pinball without quantiles) average to NaN: shown as n/a.
    with silenced(RuntimeWarning, message="Mean of empty slice"):
        return _build(result, title=title, reference=reference)


def _build(result, *, title: str | None, reference: str | None) -> tuple[str, list[Block]]:
    metric = main_metric(result)
    reference = choose_reference(result, reference)
    summary = _summary_frame(result.summary(reference=reference, metric=metric))
    compare = _summary_frame(result.compare(reference=reference, metric=metric))
    trained = _trained(result)
    metrics = [m for m in _metric_names(result) if not _calibration.is_interval_metric(m)]
    title = title if title is not None else default_title(result)
    blocks: list[Block] = [Heading(title, 1)]
    per_series = _per_series.per_series_table(result, metric, reference)
    blocks += _verdict_blocks(result, summary, compare, reference, metric)
    blocks += _calibration.verdict_blocks(result)
    blocks += _fallback.fallback_blocks(result)
    levels = model_levels(result.info or {}, list(summary.index))
    blocks += _metrics_blocks(summary, compare, metrics, reference, metric, levels)
    blocks += _per_series.per_series_blocks(result, per_series, list(summary.sort_values("rank", kind="stable").index),
                                            reference, metric, trained, _latest_folds(result))
    blocks += _by_step_blocks(result, summary, metric, reference)
    blocks += _calibration.calibration_blocks(result, reference)
    blocks += _forecast_blocks(result, summary, reference, trained, per_series, metric)
    blocks += _training_blocks(result, trained)
    blocks += _run_blocks(result)
    blocks += _notes.notes_blocks(result)
    blocks += _error_blocks(result)
    return title, blocks
