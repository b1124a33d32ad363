"""Pictures of forecasts for a notebook: one matplotlib figure, returned, never shown.

:func:`plot_backtest` draws a :class:`~tsforecast.BacktestResult` (the actuals of the
chosen series and folds, and each model's forecasts with their interval band);
:func:`plot_forecast` draws what ``predict`` or ``predict_interval`` returned, after the
history it was forecast from. Both build a :class:`matplotlib.figure.Figure` without
pyplot, so no global state or backend changes; a notebook shows the returned figure,
a script saves it (``fig.savefig("forecast.png")``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from tsforecast.baselines import Naive
>>> y = pd.Series(np.arange(30.0), index=pd.date_range("2024", periods=30, freq="D"), name="y")
>>> fig = plot_forecast(Naive().fit(y).predict_interval(5, levels=(80,)), history=y)
>>> len(fig.axes)
1
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..core.forms import ID_COLUMN, TIME_COLUMN
from ..core.timeindex import periods_as_timestamps
from ..exceptions import InvalidParameterError

__all__ = ["plot_backtest", "plot_forecast"]

#: Series drawn when none are chosen: one panel each, so a large panel stays legible.
DEFAULT_SERIES_SHOWN = 4
_BAND_ALPHA = 0.2


def _figure(n_axes: int, width: float = 9.0, height: float = 2.8):
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height * n_axes), layout="constrained")
    return figure, figure.subplots(n_axes, 1, squeeze=False)[:, 0]


def _levels(columns) -> list[float]:
    return sorted({float(c[3:]) for c in columns if str(c).startswith("lo_") and f"hi_{c[3:]}" in columns})


def _band_level(columns, level, where: str) -> float | None:
    """The interval drawn: ``level`` (checked to be there), else the widest one present."""
    levels = _levels(columns)
    if level is None:
        return levels[-1] if levels else None
    if float(level) not in levels:
        raise InvalidParameterError(f"level must be one of the interval levels of {where} {levels!r}; got {level!r}.")
    return float(level)


def _suffix(level: float) -> str:
    return f"{level:g}"


def _chosen(values: list, chosen, name: str, default: list) -> list:
    if chosen is None:
        return default
    chosen = [chosen] if isinstance(chosen, (str, int, np.integer)) or not np.iterable(chosen) else list(chosen)
    unknown = [c for c in chosen if c not in values]
    if unknown or not chosen:
        raise InvalidParameterError(f"{name} must name some of {values[:10]!r}; got {chosen!r}.")
    return chosen


def plot_backtest(result, series=None, folds=None, models=None, level=None):
    """Actuals and each model's forecasts (with an interval band) of a backtest.

    Parameters
    ----------
    result : BacktestResult
    series : id or list of ids, optional
        Series drawn, one axis each; default the first four.
    folds : int or list of int, optional
        Folds drawn; default all (their test windows follow each other in time).
    models : str or list of str, optional
        Models drawn; default all.
    level : float, optional
        The interval level drawn as a band (``lo_<level>``/``hi_<level>``); default the widest
        the result holds; none when it holds no intervals.

    Returns
    -------
    matplotlib.figure.Figure
    """
    all_series = list(result.series)
    series = _chosen(all_series, series, "series", all_series[:DEFAULT_SERIES_SHOWN])
    folds = _chosen(list(result.folds), folds, "folds", list(result.folds))
    models = _chosen(list(result.models), models, "models", list(result.models))
    table = periods_as_timestamps(result.forecasts_of(series=series, folds=folds, models=models))
    target = result.info.get("data", {}).get("target", "y")
    band = _band_level(table.columns, level, "the result")
    figure, axes = _figure(len(series))
    for ax, key in zip(axes, series):
        rows = table[table[ID_COLUMN] == key]
        actual = rows.drop_duplicates(TIME_COLUMN).sort_values(TIME_COLUMN)
        ax.plot(actual[TIME_COLUMN], actual["y"], color="black", linewidth=1.2, label="actual")
        for colour, model in enumerate(models):
            _draw_model(ax, rows[rows["model"] == model], model, f"C{colour}", band)
        ax.set_title(f"{target} of {key}" if len(all_series) > 1 else str(target), fontsize=10)
        _dedupe_legend(ax)
    return figure


def _draw_model(ax, rows: pd.DataFrame, model: str, colour: str, band: float | None) -> None:
    """One line per fold (not joined across folds), with its band."""
    for _, fold in rows.groupby("fold", sort=True):
        fold = fold.sort_values(TIME_COLUMN)
        ax.plot(fold[TIME_COLUMN], fold["y_hat"], color=colour, linewidth=1.0, label=model)
        if band is not None:
            ax.fill_between(fold[TIME_COLUMN], fold[f"lo_{_suffix(band)}"], fold[f"hi_{_suffix(band)}"],
                            color=colour, alpha=_BAND_ALPHA, linewidth=0, label=f"{model} {band:g}%")


def _dedupe_legend(ax) -> None:
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), fontsize=8, loc="best")


def plot_forecast(forecast, history=None, level=None, column=None):
    """The forecast returned by ``predict``/``predict_interval``, after its history.

    Parameters
    ----------
    forecast : Series or DataFrame
        One series (indexed by time; ``lo_<level>``/``hi_<level>`` columns drawn as a
        band) or a long panel (``unique_id``, ``ds``): one axis per series, at most four.
    history : Series or DataFrame, optional
        The data the model was fitted on, drawn before the forecast (same form).
    level : float, optional
        The interval level drawn; default the widest present.
    column : str, optional
        The forecast column drawn; default the first that is not an interval bound.

    Returns
    -------
    matplotlib.figure.Figure
    """
    frames = _by_series(forecast, "forecast")
    histories = _by_series(history, "history") if history is not None else {}
    first = next(iter(frames.values()))
    band = _band_level(first.columns, level, "the forecast")
    points = [c for c in first.columns if not str(c).startswith(("lo_", "hi_"))]
    if column is None:
        column = points[0]
    elif column not in points:
        raise InvalidParameterError(f"column must be one of the forecast's columns {points!r}; got {column!r}.")
    keys = list(frames)[:DEFAULT_SERIES_SHOWN]
    figure, axes = _figure(len(keys))
    for ax, key in zip(axes, keys):
        frame = frames[key]
        past = histories.get(key)
        if past is not None:
            values = past[column] if column in past.columns else past.iloc[:, 0]
            ax.plot(_times(past.index), values, color="black", linewidth=1.2, label="history")
        ax.plot(_times(frame.index), frame[column], color="C0", linewidth=1.2, label="forecast")
        if band is not None:
            ax.fill_between(_times(frame.index), frame[f"lo_{_suffix(band)}"], frame[f"hi_{_suffix(band)}"],
                            color="C0", alpha=_BAND_ALPHA, linewidth=0, label=f"{band:g}% interval")
        ax.set_title(str(column) if key is None else f"{column} of {key}", fontsize=10)
        ax.legend(fontsize=8, loc="best")
    return figure


def _times(index: pd.Index):
    """Periods drawn as their start timestamps (matplotlib has no Period axis)."""
    return index.to_timestamp() if isinstance(index, pd.PeriodIndex) else index


def _by_series(data, name: str) -> dict:
    """``{id: frame indexed by time}`` of a Series, a DataFrame or a long panel."""
    if isinstance(data, pd.Series):
        return {None: data.to_frame(data.name if data.name is not None else "y")}
    if not isinstance(data, pd.DataFrame) or data.empty:
        raise InvalidParameterError(f"{name} must be a non-empty pandas Series or DataFrame; got {type(data).__name__}.")
    if {ID_COLUMN, TIME_COLUMN} <= set(data.columns):
        return {key: part.drop(columns=ID_COLUMN).set_index(TIME_COLUMN)
                for key, part in data.groupby(ID_COLUMN, sort=False, observed=True)}
    return {None: data}
