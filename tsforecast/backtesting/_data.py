"""The data of a backtest: one validated frame per series, its roles and its hash."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..core.forms import ID_COLUMN, TIME_COLUMN, is_panel
from ..core.panel import Panel, as_panel
from ..core.timeindex import reads_as_dates, to_datetime_code
from ..core.validation import apply_fill
from ..core.window_features import check_panel_magnitude
from ..exceptions import InputTypeError, InvalidParameterError, UnknownColumnError

__all__ = ["BacktestData", "prepare_data", "panel_hash", "repaired", "with_declared_covariates", "name_list"]


def repaired(rows: pd.DataFrame, fill: str | None, key) -> pd.DataFrame:
    """``rows`` of series ``key`` with gaps repaired by ``fill`` from these rows alone."""
    return rows if fill is None else apply_fill(rows, fill, f"data[{key!r}]")


@dataclass
class BacktestData:
    """The validated data of a backtest as one panel (target first, then covariates).

    ``panel`` keeps gaps as NaN when a ``fill`` policy is given, so that each fold's
    training rows are repaired from those rows alone (an interpolation over the whole
    series would carry values from after a cutoff into the fold); ``actuals``, the values
    forecasts are scored against, are the observed ones: a missing step is left unscored
    (NaN), never scored against a value repaired from the rows after it.
    """

    panel: Panel
    actuals: Panel
    target: object
    covariates: list
    future_covariates: list
    kind: str
    sha256: str
    fill: str | None = None

    @property
    def inputs(self) -> list:
        """The covariate columns passed to models as ``X`` (past, then future-known)."""
        return self.covariates + [c for c in self.future_covariates if c not in self.covariates]

    @property
    def ids(self) -> np.ndarray:
        return self.panel.ids

    def keep(self, rows: np.ndarray) -> None:
        """Keep only series ``rows`` (series too short for the folds are dropped)."""
        lengths = self.panel.lengths[rows]
        zeros = np.zeros(len(rows), dtype=np.int64)
        self.panel = self.panel.window(zeros, lengths, rows)
        self.actuals = self.actuals.window(zeros, lengths, rows) if self.actuals is not self.panel else self.panel
        self.sha256 = panel_hash(self.panel)  # describes (and keys checkpoints on) the data used

    def describe(self) -> dict:
        lengths = self.panel.lengths
        return {
            "form": self.kind,
            "n_series": int(self.panel.n_series),
            "length": {"min": int(lengths.min()), "max": int(lengths.max()), "total": int(lengths.sum())},
            "freq": self.panel.form.period if isinstance(self.panel.form.period, str) else self.panel.time.describe_freq(),
            "target": self.target,
            "covariates": self.covariates,
            "future_covariates": self.future_covariates,
            "sha256": self.sha256,
            # the period frequency of a PeriodIndex input: the tables answer in periods again
            **({"period": self.panel.form.period} if isinstance(self.panel.form.period, str) else {}),
        }


def _column_names(data) -> list:
    if isinstance(data, pd.Series):
        return [data.name if data.name is not None else "y"]
    if isinstance(data, dict):
        first = next(iter(data.values()), None)
        return [] if first is None else _column_names(first)
    if isinstance(data, pd.DataFrame):
        skip = (ID_COLUMN, TIME_COLUMN) if is_panel(data) else ()
        return [c for c in data.columns if c not in skip]
    raise InputTypeError(
        f"data must be a pandas Series, DataFrame, long panel DataFrame or dict of series; got {type(data).__name__}."
    )


def name_list(value, name: str) -> list:
    """A column-name argument as a list (one name accepted; ``None``: none)."""
    if value is None:
        return []
    if isinstance(value, (str, int, np.integer)):
        return [value]
    try:
        return list(value)
    except TypeError:
        raise InputTypeError(f"{name} must be a column name or a list of names; got {value!r}.") from None


def with_declared_covariates(models, covariates, future_covariates) -> tuple[list, list]:
    """``covariates`` and ``future_covariates`` of a backtest, plus the columns the models
    declare (``declared_covariates()``), so a covariate is named once, on the model. A
    column the caller named keeps the caller's role, except a model's future covariate named
    a past one (refused: no fold could pass the future values its forecasts read)."""
    past, future = name_list(covariates, "covariates"), name_list(future_covariates, "future_covariates")
    for name, model in models.items():
        declared = getattr(model, "declared_covariates", None)
        own_past, own_future = declared() if callable(declared) else ([], [])
        needed = [c for c in own_future if c in past]
        if needed:  # its forecasts read their future values, which no fold would pass
            raise InvalidParameterError(
                f"models[{name!r}] declares future_covariates {needed!r}, which covariates= names as observed only "
                f"up to each cutoff; its forecasts need their future values. Name them in future_covariates= "
                "(known in advance, as a calendar or a planned price), or leave them out of the model."
            )
        for names, own in ((past, own_past), (future, own_future)):
            names += [c for c in own if c not in past and c not in future]
    return past, future


def _date_columns(data, columns: list) -> list:
    """Those of ``columns`` that hold dates where ``data`` is one frame on integer time (a
    time column left among the data, as ``pd.read_csv`` gives it); ``[]`` otherwise."""
    if not isinstance(data, pd.DataFrame) or is_panel(data) or isinstance(data.index, (pd.DatetimeIndex,
                                                                                         pd.PeriodIndex)):
        return []
    return [c for c in columns if reads_as_dates(data[c])]


def _dates_hint(data: pd.DataFrame, column) -> str:
    code = to_datetime_code(data[column], f"data[{column!r}]")
    return f"{column!r} holds dates: make it the time index first (data.set_index({code}))."


def _default_target(columns: list, covariates: list, data=None):
    left = [c for c in columns if c not in covariates]
    if len(left) == 1:
        return left[0]
    if "y" in left:
        return "y"
    dates = _date_columns(data, left)
    hint = f" {_dates_hint(data, dates[0])}" if dates else ""
    raise InvalidParameterError(
        f"target must name the column to forecast when the data has several ({columns!r}); got None.{hint}"
    )


def _refuse_time_column_in_data(data, columns: list, target) -> None:
    """Refuse a frame on integer time with a column of dates: forecasting ``target`` alone
    would drop the dates and score on integer time (no season from the frequency)."""
    dates = _date_columns(data, columns)
    if dates:
        raise InputTypeError(
            f"data is indexed by integer time ({type(data.index).__name__}) and column {_dates_hint(data, dates[0])} "
            f"Forecasting target {target!r} on integer time would drop the dates and their frequency."
        )


def panel_hash(panel: Panel, rows: np.ndarray | None = None) -> str:
    """SHA-256 of series ids, time axes, column names and values (of ``rows``, default all)."""
    rows = np.arange(panel.n_series) if rows is None else np.asarray(rows)
    digest = hashlib.sha256()
    digest.update(repr(panel.ids[rows].tolist()).encode())
    digest.update(repr(list(panel.columns)).encode())
    digest.update(repr((panel.time.kind, panel.time.step, panel.time.describe_freq())).encode())
    if panel.time.freq_settings is not None:  # holidays the name "C" leaves out (keys of other data unchanged)
        digest.update(repr(panel.time.freq_settings).encode())
    # Buffers, not .tobytes(): the same bytes without a copy of the whole panel.
    digest.update(memoryview(np.ascontiguousarray(panel.time.first[rows])))
    digest.update(memoryview(np.ascontiguousarray(panel.lengths[rows])))
    starts, ends = panel.starts[rows], panel.ends[rows]
    if rows.size and np.array_equal(starts[1:], ends[:-1]):  # one contiguous block: hash it at once
        digest.update(memoryview(np.ascontiguousarray(panel.values[starts[0] : ends[-1]])))
    else:
        for i in rows.tolist():
            digest.update(memoryview(np.ascontiguousarray(panel.series(i))))
    return digest.hexdigest()


def prepare_data(data, target=None, covariates=None, future_covariates=None, *, fill=None) -> BacktestData:
    """Validate ``data`` and select the target and covariate columns.

    Parameters
    ----------
    data : Series, DataFrame, long panel DataFrame or dict
        One series or a panel (see :mod:`tsforecast.core.forms`).
    target : str, optional
        The column to forecast; default: the only column, or ``"y"``.
    covariates : str or list, optional
        Past-observed covariates, passed to models that use covariates up to each cutoff.
    future_covariates : str or list, optional
        Covariates known in advance; their values for the forecast steps are passed too.
    fill : {None, "ffill", "interpolate"}
        How missing values are repaired (see :data:`tsforecast.core.validation.FILL_POLICIES`).
    """
    columns = _column_names(data)
    past = name_list(covariates, "covariates")
    future = name_list(future_covariates, "future_covariates")
    if target is None:
        target = _default_target(columns, past + future, data)
    _refuse_time_column_in_data(data, columns, target)
    if target in past or target in future:
        raise InvalidParameterError(
            f"target {target!r} is also named as a covariate (covariates={past!r}, "
            f"future_covariates={future!r}); a column has one role."
        )
    if set(past) & set(future):
        raise InvalidParameterError(
            f"covariates and future_covariates share {sorted(set(past) & set(future), key=str)!r}; "
            "a column has one role."
        )
    for role, names in (("target", [target]), ("covariates", past), ("future_covariates", future)):
        missing = [c for c in names if c not in columns]
        if missing and columns:  # name the argument, not the internal column selection
            shown = missing[0] if role == "target" else missing
            raise UnknownColumnError(f"{role} names {shown!r}, not a column of data; its columns: {columns!r}.")
    selected = [target, *past, *future]
    if len(set(selected)) != len(selected):
        raise InvalidParameterError(f"a column is named twice in target/covariates: {selected!r}.")
    # With fill, models see fold-wise repairs of the raw rows, and are scored on the observed ones.
    panel = as_panel(data, "data", columns=selected, keep_missing=fill is not None)
    check_panel_magnitude(panel, "data")  # once, as NaN is: not one failed fit per fold
    return BacktestData(panel, panel, target, past, future, panel.form.kind, panel_hash(panel), fill=fill)
