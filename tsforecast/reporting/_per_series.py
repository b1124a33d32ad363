"""The report's per-series view of a panel: who wins where, and which series to look at.

With many series a model can win on average and lose on a large share of them. This
module reads :meth:`BacktestResult.per_series` (one row per model and series: score,
skill against the reference, rank, wins) and makes the per-series section (wins per
model, the spread of per-series skill, the series where the model of interest loses
most) and chooses the series the forecast plots show. Like the rest of the report it
computes no new statistic, and it draws only summary figures plus a few chosen series,
so the report stays small at 100,000 series.
"""

from __future__ import annotations

import pandas as pd

from ..core.timeindex import periods_as_timestamps
from . import _figures
from ._document import Block, Figure, Heading, Paragraph, Table

__all__ = ["MAX_WORST", "MAX_WORST_PLOTTED", "per_series_table", "focus_model", "chosen_series",
           "latest_forecasts", "per_series_blocks"]

#: Rows of the table of series where the model of interest loses most.
MAX_WORST = 10
#: Of those, the ones drawn (forecasts against actuals).
MAX_WORST_PLOTTED = 4
#: The level of a significant per-series win.
ALPHA = 0.05


def _format(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value):.4g}"


def _percent(value) -> str:
    return "n/a" if value is None or pd.isna(value) else f"{float(value) * 100:+.1f}%"


def per_series_table(result, metric: str, reference: str) -> pd.DataFrame | None:
    """``result.per_series`` for a panel of at least two series; None otherwise."""
    if len(result.series) < 2:
        return None
    return result.per_series(metric=metric, reference=reference, alpha=ALPHA)


def focus_model(ranked: list[str], reference: str, trained: list[str] = ()) -> str | None:
    """The model a per-series view follows: the best-ranked trained model, else the
    best-ranked model other than the reference (None with the reference alone).

    Examples
    --------
    >>> focus_model(["snaive", "theta", "lstm"], "snaive", ["lstm"]), focus_model(["snaive", "theta"], "snaive")
    ('lstm', 'theta')
    """
    candidates = [m for m in ranked if m in trained and m != reference] or [m for m in ranked if m != reference]
    return candidates[0] if candidates else None


def chosen_series(table: pd.DataFrame, model: str, metric: str) -> list[tuple[object, str]]:
    """The best, median and worst series for ``model``, each with why it is shown.

    By ``model``'s skill against the reference when the table has it (highest skill
    first), else by its score (lowest first). Ties keep the data's order.

    Examples
    --------
    >>> table = pd.DataFrame({"model": "m", "unique_id": list("abcde"),
    ...                       "mase": [1.0, 3.0, 2.0, 5.0, 4.0], "skill": [0.2, -0.1, 0.1, -0.5, 0.0]})
    >>> chosen_series(table, "m", "mase")
    [('a', 'best skill of m: +20.0%'), ('e', 'median skill of m: +0.0%'), ('d', 'worst skill of m: -50.0%')]
    """
    rows = table[table["model"] == model]
    by_skill = "skill" in rows.columns and rows["skill"].notna().any()
    column = "skill" if by_skill else metric
    rows = rows[rows[column].notna()]
    if rows.empty:
        return []
    ordered = rows.sort_values(column, ascending=not by_skill, kind="stable")
    ids, values = ordered["unique_id"].to_numpy(), ordered[column].to_numpy()
    positions = {"best": 0, "median": len(ordered) // 2, "worst": len(ordered) - 1}
    text = _percent if by_skill else _format
    name = "skill" if by_skill else metric.upper()
    chosen: dict[object, str] = {}
    for why, position in positions.items():
        chosen.setdefault(ids[position], f"{why} {name} of {model}: {text(values[position])}")
    return list(chosen.items())


def latest_forecasts(result, series: list, folds: list, models: list[str]) -> pd.DataFrame:
    """The forecasts of ``result`` for ``series``, ``folds`` and ``models`` (model names as str).

    Read through ``result.forecasts_of``: the whole table of a large panel has millions
    of rows and is never built for a figure.
    """
    rows = result.forecasts_of(series=series, folds=folds)
    if rows.empty and "unique_id" not in rows:  # a result without forecasts
        return rows
    present = set(rows["unique_id"])
    missing = [key for key in series if key not in present]
    if missing:  # series that end earlier (align="time") have no forecasts there: their own latest folds
        rows = pd.concat([rows, *(own_latest_folds(result, key, len(folds)) for key in missing)], ignore_index=True)
    rows = periods_as_timestamps(rows)
    if rows.empty:
        return rows
    rows["model"] = rows["model"].astype(str)
    rows["unique_id"] = rows["unique_id"].astype(object)
    return rows[rows["model"].isin(models)]


def own_latest_folds(result, key, n_folds: int) -> pd.DataFrame:
    """The forecasts of series ``key`` in the latest ``n_folds`` folds it has forecasts in."""
    rows = result.forecasts_of(series=[key])
    if rows.empty:
        return rows
    return rows[rows["fold"].isin(sorted(set(rows["fold"]))[-n_folds:])].reset_index(drop=True)


def panels(rows: pd.DataFrame, titles: list[tuple[object, str]]) -> tuple[dict, dict]:
    """The actuals and forecast rows per panel title, for :func:`_figures.forecast_figure`."""
    actuals, forecasts = {}, {}
    for key, title in titles:
        part = rows[rows["unique_id"] == key]
        actuals[title] = part.drop_duplicates("ds").sort_values("ds").set_index("ds")["y"]
        forecasts[title] = part
    return actuals, forecasts


def _wins_table(table, ranked, reference, metric) -> Table:
    n_series = table["unique_id"].nunique()
    grouped = table.groupby("model", observed=True)
    rows = []
    for model in ranked:
        if model not in grouped.groups:
            continue
        part = grouped.get_group(model)
        wins, significant = int(part["win"].sum()), int(part["significant_win"].sum())
        if model == reference:
            skill_cells = ("reference", "", "")
        else:
            skill = part["skill"]
            skill_cells = (_percent(skill.median()), str(int((skill > 0).sum())), str(int((skill < 0).sum())))
        rows.append((model, str(wins), f"{wins / n_series:.1%}", str(significant), *skill_cells))
    rows.append(("all models", str(int(table["win"].sum())), f"{table['win'].sum() / n_series:.1%}",
                 str(int(table["significant_win"].sum())), "", "", ""))
    header = ("model", "series won", "share", "significant wins", f"median skill vs {reference}",
              f"series better than {reference}", f"series worse than {reference}")
    return Table(header, tuple(rows), caption=f"Wins per model (lowest mean {metric.upper()} on a series)",
                 numeric=(False, True, True, True, True, True, True))


def _skill_blocks(table, ranked, reference) -> list[Block]:
    skills = {m: table.loc[table["model"] == m, "skill"].dropna().to_numpy() for m in ranked if m != reference}
    skills = {m: v for m, v in skills.items() if v.size}
    if not skills:
        return [Paragraph(f"No model has a per-series skill against {reference} (its score is zero or missing).")]
    figure = _figures.skill_distribution_figure(skills, reference)
    return [
        Paragraph(f"The spread of per-series skill against {reference}, one box per model: the box spans the middle "
                  "half of the series, the line is the median, the whiskers reach the 5th and 95th percentiles "
                  f"(series beyond them are not drawn; the axis stops at {_figures.SKILL_FLOOR:+.0%}, and a whisker "
                  f"cut there is labelled with its 5th percentile). Left of the dashed line a model is worse than "
                  f"{reference}; the share of series where it is worse is written at the right."),
        Figure("skill_by_series", figure, f"Per-series skill against {reference}"),
    ]


def _scored_on(table: pd.DataFrame, metric: str) -> str:
    """The column skill, ranks and wins compare: ``<metric>_common`` (each series' folds
    all its scored models share) where some model missed folds others scored, else ``metric``."""
    return f"{metric}_common" if f"{metric}_common" in table.columns else metric


def _worst_blocks(result, table, focus, reference, metric, folds) -> list[Block]:
    column = _scored_on(table, metric)
    label = metric.upper() + (" (shared folds)" if column != metric else "")
    wide = table.pivot(index="unique_id", columns="model", values=column)
    own = table[table["model"] == focus].set_index("unique_id")
    own = own[own["skill"].notna()]
    if own.empty:
        return []
    losing = int((own["skill"] < 0).sum())
    worst = own.sort_values("skill", kind="stable").head(MAX_WORST)
    winners = table[table["win"]].set_index("unique_id")["model"]
    rows = tuple((str(key), _format(row[column]), _format(wide.loc[key, reference]), _percent(row["skill"]),
                  _format(row["rank"]), str(winners.get(key, "")))
                 for key, row in worst.iterrows())
    lead = (f"{focus} loses against {reference} on {losing} of {len(own)} series; the {len(worst)} where its skill "
            "is lowest:" if losing else
            f"{focus} does not lose against {reference} on any series; the {len(worst)} where its skill is lowest:")
    shown = [(key, f"{key}: skill {_percent(row['skill'])}") for key, row in worst.head(MAX_WORST_PLOTTED).iterrows()]
    latest = latest_forecasts(result, [key for key, _ in shown], folds, [focus, reference])
    actuals, forecasts = panels(latest, shown)
    figure = _figures.forecast_figure(actuals, forecasts, [focus, reference], reference, None)
    return [
        Heading(f"Where {focus} loses most against {reference}", 3, "worst-series"),
        Paragraph(lead),
        Table(("series", f"{focus} {label}", f"{reference} {label}", "skill", f"rank of {focus}", "best model"), rows,
              numeric=(False, True, True, True, True, False)),
        Figure("worst_series", figure, f"{focus} and {reference} on the {len(shown)} series where {focus}'s skill is "
                                       f"lowest, latest {len(folds)} fold(s)"),
    ]


def per_series_blocks(result, table, ranked: list[str], reference: str, metric: str, trained: list[str],
                      folds: list) -> list[Block]:
    """The per-series section: wins, the spread of skill, the worst series of the focus model."""
    if table is None:
        return []
    n_series = table["unique_id"].nunique()
    winners = table.loc[table["win"], "model"]
    tested = int(table["win_p_value"].notna().sum())
    label = metric.upper()
    over = ("over the folds of that series all models scored (not every model was scored on every series and "
            "fold; see Failed tasks)" if _scored_on(table, metric) != metric else "over folds")
    text = (f"{n_series} series. On each series a model's score is its mean {label} {over}; its skill is "
            f"1 - {label} / {label} of {reference} on that series (n/a where {reference} scores zero or nothing). "
            f"A model wins a series with the lowest {label} there (a tie goes to the model listed first), so the "
            f"wins add up to the {len(winners)} series scored. A win is significant when the winner's "
            f"Diebold-Mariano test against the runner-up on that series (on the folds the win was decided on) "
            f"gives p < {ALPHA:g} and favours the winner; the test ran on {tested} of {len(winners)} series (it "
            "needs at least twice its lag window, the horizon or more, of paired step losses).")
    blocks: list[Block] = [Heading("Per series", 2, "per-series"), Paragraph(text),
                           _wins_table(table, ranked, reference, metric)]
    blocks += _skill_blocks(table, ranked, reference)
    focus = focus_model(ranked, reference, trained)
    if focus is not None:
        blocks += _worst_blocks(result, table, focus, reference, metric, folds)
    return blocks
