"""The arrays behind a :class:`~tsforecast.BacktestResult`, and the tables they give.

A backtest's forecasts live in arrays ``[model, series, fold, step]`` (the actuals in
``[series, fold, step]``, the MASE scales in ``[series, fold]``) from the first task
to the last reading. Scores are computed from them one model at a time, when asked,
and reduced at once, so a result over 100,000 series stays a few times the size of
its panel. The long ``forecasts`` and ``metrics`` tables are views built from the
arrays on first access.

Two sources give the same reading interface (``models``, ``series``, ``folds``,
``steps``, ``has``, ``cutoff``, ``names``, ``metric(name, m)``, ``key_column``):
:class:`ForecastArrays` (a backtest's own arrays) and :class:`TableScores` (a metrics
table given by hand or read from an older file).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._scoring import INTERVAL_SCORES, interval_scores, metric_names, point_scores, quantile_level, quantile_scores

__all__ = ["ForecastArrays", "TableScores", "combine_steps", "labels_index", "json_labels", "KEY_COLUMNS"]

#: The key columns of the long tables, in order (``ds`` only in the forecasts table).
KEY_COLUMNS = ("model", "unique_id", "fold", "cutoff", "step")
#: Metrics whose per-step values are absolute errors to be averaged as squares.
QUADRATIC = ("rmse",)


def combine_steps(values: np.ndarray, metric: str, axis: int = -1) -> np.ndarray:
    """The mean over ``axis`` of the finite values (the root mean square for ``rmse``),
    NaN where none is finite: how a fold's score combines its steps."""
    finite = ~np.isnan(values)
    values = np.where(finite, values, 0.0)
    if metric in QUADRATIC:
        values = values**2
    count = finite.sum(axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, values.sum(axis=axis) / np.maximum(count, 1), np.nan)
    return np.sqrt(mean) if metric in QUADRATIC else mean


def labels_index(values) -> pd.Index:
    """Category labels: the values as they are, strings kept as Python strings."""
    return pd.Index(np.asarray(list(values), dtype=object), dtype=object)


def _filled(shape: tuple, like: np.ndarray) -> np.ndarray:
    """An array of ``shape`` in ``like``'s dtype holding its "missing" value."""
    missing = {"M": np.datetime64("NaT"), "m": np.timedelta64("NaT"), "f": np.nan, "O": None}
    out = np.empty(shape, dtype=like.dtype)
    out[...] = missing.get(like.dtype.kind, 0)
    return out


class ForecastArrays:
    """A backtest's forecasts, actuals and scales as arrays, and the tables they give.

    Parameters
    ----------
    models : list of str
        Model names, the first axis.
    series : pandas.Index
        Series labels, the second axis.
    steps : numpy.ndarray
        Steps ahead of the cutoff of the last axis (``gap + 1`` to ``gap + horizon``).
    ok : numpy.ndarray
        ``[model, series, fold]``: True where a forecast was made.
    y_hat, quantiles, intervals : numpy.ndarray, dict
        Forecasts ``[model, series, fold, step]`` (NaN where not ``ok``), quantile
        arrays by column (``"q0.1"``) and interval bounds by column (``"lo_80"``;
        None for a level no model gave).
    y : numpy.ndarray
        Actuals ``[series, fold, step]``.
    scale : numpy.ndarray
        MASE scale ``[series, fold]`` of each fold's training rows.
    cutoff : numpy.ndarray
        Cutoff timestamps ``[series, fold]``.
    ds : numpy.ndarray or tuple
        Timestamps ``[series, fold, step]``, or ``(times, cutoff_positions)``:
        ``times(series, positions)`` gives the stamps of positions of series, so only
        the rows a table or a file needs are computed.
    points : list of str
        The point metrics scored.
    levels : list of float, optional
        Interval levels scored.
    """

    def __init__(self, *, models, series, steps, ok, y_hat, quantiles, intervals, y, scale, cutoff, ds, points,
                 levels=None):
        self.models = list(models)
        self.series = series
        self.steps = np.asarray(steps, dtype=np.int64)
        self.folds = np.arange(ok.shape[2], dtype=np.int64)
        self.has = ok
        self.y_hat, self.y, self.scale, self.cutoff = y_hat, y, scale, cutoff
        self.quantiles = dict(sorted(quantiles.items(), key=lambda item: quantile_level(item[0])))
        self.intervals = intervals
        self.points, self.levels = list(points), list(levels) if levels else None
        self._ds = ds
        self.names = metric_names(self.points, bool(self.quantiles), self.levels)
        self._interval_metrics = {f"{score}_{level:g}": (level, score) for level in self.levels or ()
                                  for score in INTERVAL_SCORES}
        self._dtypes = {"model": pd.CategoricalDtype(labels_index(self.models)),
                        "unique_id": pd.CategoricalDtype(labels_index(series))}

    @property
    def ds(self) -> np.ndarray:
        """Timestamps ``[series, fold, step]`` of the forecast steps (built once)."""
        if isinstance(self._ds, tuple):
            times, positions = self._ds
            self._ds = dense_times(times, positions >= 0, positions, self.steps)
        return self._ds

    def ds_rows(self, s_idx: np.ndarray, f_idx: np.ndarray) -> np.ndarray:
        """Timestamps ``[len(s_idx), step]`` of the forecast steps of those folds."""
        if not isinstance(self._ds, tuple):
            return self._ds[s_idx, f_idx]
        times, positions = self._ds
        at = (positions[s_idx, f_idx][:, None] + self.steps[None, :]).ravel()
        values = np.asarray(times(np.repeat(s_idx, len(self.steps)), at)) if len(s_idx) else np.zeros(0)
        return values.reshape(len(s_idx), len(self.steps))

    def select(self, series=None, folds=None, models=None) -> np.ndarray:
        """``has`` restricted to the given series labels, fold labels and model names."""
        mask = self.has.copy()
        for axis, labels, wanted in ((1, self.series, series), (2, pd.Index(self.folds), folds),
                                     (0, pd.Index(self.models), models)):
            if wanted is not None:
                keep = np.zeros(mask.shape[axis], dtype=bool)
                found = labels.get_indexer(pd.Index(list(wanted), dtype=object))
                keep[found[found >= 0]] = True
                mask &= np.expand_dims(keep, tuple(a for a in range(3) if a != axis))
        return mask
    @property
    def n_rows(self) -> int:
        """Rows of the long tables: one per forecast step."""
        return int(self.has.sum()) * len(self.steps)

    def key_column(self, key: str, codes: np.ndarray):
        """The ``model`` or ``unique_id`` column of a table, as categorical codes."""
        return pd.Categorical.from_codes(codes, dtype=self._dtypes[key])

    # -- scores ----------------------------------------------------------------
    def metric(self, name: str, m: int) -> np.ndarray:
        """Metric ``name`` of model ``m`` per ``[series, fold, step]`` (NaN where no
        forecast or where undefined)."""
        y = self.y
        if name == "pinball" or name == "coverage":
            bands = {c: v[m] for c, v in self.quantiles.items() if np.isfinite(v[m]).any()}
            return quantile_scores(y, bands)[name == "coverage"]
        if name in self._interval_metrics:
            level, score = self._interval_metrics[name]
            low, high = (self.intervals.get(f"{side}_{level:g}") for side in ("lo", "hi"))
            if low is None or high is None:
                return np.full(y.shape, np.nan)
            return interval_scores(y, low[m], high[m], level, self.scale[:, :, None])[score]
        return point_scores(name, y, self.y_hat[m], self.scale[:, :, None])

    # -- tables ----------------------------------------------------------------
    def forecast_table(self, mask: np.ndarray | None = None) -> pd.DataFrame:
        """One row per model, series, fold and step (of ``mask``, default all): the keys,
        ``ds``, ``y``, ``y_hat``, the quantile columns and the ``lo_``/``hi_`` columns
        (NaN for models without)."""
        m_idx, s_idx, f_idx = np.nonzero(self.has if mask is None else mask)
        horizon = len(self.steps)
        frame = pd.DataFrame({
            "model": self.key_column("model", np.repeat(m_idx, horizon)),
            "unique_id": self.key_column("unique_id", np.repeat(s_idx, horizon)),
            "fold": np.repeat(f_idx, horizon).astype(np.int64),
            "cutoff": np.repeat(self.cutoff[s_idx, f_idx], horizon),
            "ds": _time_column(self.ds_rows(s_idx, f_idx).ravel()),
            "step": np.tile(self.steps, len(s_idx)),
            "y": self.y[s_idx, f_idx].ravel(),
            "y_hat": self.y_hat[m_idx, s_idx, f_idx].ravel(),
        })
        if not len(s_idx):  # an empty selection: integer times as empty floats, dates as empty dates
            dated = _is_time(frame["cutoff"])
            frame = frame.astype({"cutoff": frame["cutoff"].dtype, "ds": frame["cutoff"].dtype} if dated else
                                 {"cutoff": float, "ds": float})
        for column, values in self.quantiles.items():
            frame[column] = values[m_idx, s_idx, f_idx].ravel()
        for level in self.levels or ():
            for side in ("lo", "hi"):
                store = self.intervals.get(f"{side}_{level:g}")
                frame[f"{side}_{level:g}"] = store[m_idx, s_idx, f_idx].ravel() if store is not None else np.nan
        return frame

    def metrics_table(self, forecasts: pd.DataFrame) -> pd.DataFrame:
        """The forecasts' keys (shared, not copied) and one column per metric, per row."""
        table = forecasts[list(KEY_COLUMNS)].copy(deep=False)
        per_model = self.has.sum(axis=(1, 2))
        for name in self.names:
            column = np.empty(len(table))
            at = 0
            for m in np.flatnonzero(per_model):
                block = self.metric(name, int(m))[self.has[m]].ravel()
                column[at : at + block.size] = block
                at += block.size
            table[name] = column
        return table

    # -- files -----------------------------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """Every array, by member name (what a result file stores)."""
        out = {"ok": self.has, "y_hat": self.y_hat, "y": self.y, "scale": self.scale, "cutoff": self.cutoff,
               "ds": self.ds, "steps": self.steps}
        out.update({f"quantile/{c}": v for c, v in self.quantiles.items()})
        out.update({f"interval/{c}": v for c, v in self.intervals.items() if v is not None})
        return out

    def describe(self) -> dict:
        """The JSON-able rest: labels and what was scored."""
        return {"models": self.models, "series": json_labels(self.series), "points": self.points,
                "levels": self.levels}

    @classmethod
    def from_arrays(cls, arrays: dict, description: dict) -> ForecastArrays:
        """The inverse of :meth:`arrays` and :meth:`describe`."""
        bands = {kind: {name.split("/", 1)[1]: v for name, v in arrays.items() if name.startswith(f"{kind}/")}
                 for kind in ("quantile", "interval")}
        levels = description.get("levels")
        intervals = {f"{side}_{level:g}": bands["interval"].get(f"{side}_{level:g}")
                     for level in levels or () for side in ("lo", "hi")}
        return cls(models=description["models"], series=labels_index(description["series"]), steps=arrays["steps"],
                   ok=arrays["ok"], y_hat=arrays["y_hat"], quantiles=bands["quantile"], intervals=intervals,
                   y=arrays["y"], scale=arrays["scale"], cutoff=arrays["cutoff"], ds=arrays["ds"],
                   points=description["points"], levels=levels)

    def check_shapes(self) -> str | None:
        """What is inconsistent between the arrays' shapes, or None."""
        m, s, f = len(self.models), len(self.series), len(self.folds)
        h = len(self.steps)
        expected = {"y_hat": (m, s, f, h), "y": (s, f, h), "scale": (s, f), "cutoff": (s, f), "ds": (s, f, h)}
        expected.update({f"quantile/{c}": (m, s, f, h) for c in self.quantiles})
        expected.update({f"interval/{c}": (m, s, f, h) for c, v in self.intervals.items() if v is not None})
        arrays = self.arrays()
        for name, shape in expected.items():
            if arrays[name].shape != shape:
                return f"{name} has shape {arrays[name].shape}, expected {shape}"
        if self.has.dtype != bool:
            return f"ok has dtype {self.has.dtype}, expected bool"
        return None


def dense_times(times, present: np.ndarray, cutoffs: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Timestamps ``[series, fold, k]`` of ``offsets`` steps after each present fold's
    cutoff position, from ``times(series, positions)`` (values of the series' axis)."""
    s_idx, f_idx = np.nonzero(present)
    k = len(offsets)
    positions = (cutoffs[s_idx, f_idx][:, None] + offsets[None, :]).ravel()
    values = np.asarray(times(np.repeat(s_idx, k), positions)) if len(s_idx) else np.zeros(0)
    out = _filled(present.shape + (k,), values)
    out[s_idx, f_idx] = values.reshape(-1, k)
    return out


def _is_time(column: pd.Series) -> bool:
    return pd.api.types.is_datetime64_any_dtype(column) or isinstance(column.dtype, pd.PeriodDtype)


def _time_column(values: np.ndarray):
    """Timestamps as a column: objects (tz-aware or per-series stamps) through an index,
    which infers their type as the data's own index did."""
    return pd.Index(values) if values.dtype == object else values


def json_labels(labels) -> list:
    """Labels as JSON-able Python values (NumPy scalars unwrapped)."""
    return [v.item() if isinstance(v, np.generic) else v for v in list(labels)]


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of ``column`` and the labels they index (categories kept in their order)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(np.int64), column.cat.categories
    codes, labels = pd.factorize(column, sort=True)
    return codes.astype(np.int64), pd.Index(labels)


class TableScores:
    """The reading interface of :class:`ForecastArrays` over a metrics table (one row
    per model, series, fold and step): each metric becomes a dense array on first use.
    """

    def __init__(self, metrics: pd.DataFrame):
        codes, labels = zip(*(_codes(metrics[k]) for k in ("model", "unique_id", "fold", "step")))
        self._table, self._codes = metrics, codes
        self.models = [str(m) for m in labels[0]]
        self.series, self.folds, self.steps = labels[1], labels[2].to_numpy(), labels[3].to_numpy()
        self._shape = tuple(len(lab) for lab in labels)
        self.has = np.zeros(self._shape[:3], dtype=bool)
        self.has[codes[0], codes[1], codes[2]] = True
        cutoffs = metrics["cutoff"].to_numpy()
        self.cutoff = _filled(self._shape[1:3], cutoffs)
        self.cutoff[codes[1], codes[2]] = cutoffs
        self.names = [c for c in metrics.columns if c not in KEY_COLUMNS and c != "ds"]
        self._labels = {"model": labels[0], "unique_id": labels[1]}
        self._dense: dict[str, np.ndarray] = {}

    @property
    def n_rows(self) -> int:
        return len(self._table)

    def key_column(self, key: str, codes: np.ndarray):
        """A key column of a reduced table, categorical when the source column is."""
        like = self._table[key]
        if isinstance(like.dtype, pd.CategoricalDtype):
            return pd.Categorical.from_codes(codes, dtype=like.dtype)
        return self._labels[key].take(codes).to_numpy()

    def metric(self, name: str, m: int) -> np.ndarray:
        if name not in self._dense:
            values = np.full(self._shape, np.nan)
            values[self._codes] = self._table[name].to_numpy(dtype=float)
            self._dense[name] = values
        return self._dense[name][m]
