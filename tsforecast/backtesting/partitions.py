"""Panels beyond one machine: a Dask DataFrame partitioned by series, one task a partition.

A long panel (``unique_id``, ``ds``, values) as a :class:`dask.dataframe.DataFrame`
whose partitions each hold whole series runs each partition's forecast or backtest on
a Dask worker, where the partition becomes one :class:`~tsforecast.core.panel.Panel` and
is computed on arrays, and comes back as a Dask DataFrame, as statsforecast's Fugue
backend does. Nothing is collected on the client until you ask (``.compute()``).

Every partition's work depends only on its own rows and the models' ``random_state``,
so the results do not depend on how Dask places or orders the partitions.

Examples
--------
>>> import dask.dataframe as dd  # doctest: +SKIP
>>> panel = dd.from_pandas(long_frame, npartitions=8, sort=False)  # doctest: +SKIP
>>> by_series = panel.shuffle("unique_id")  # whole series per partition  # doctest: +SKIP
>>> forecast_partitions(SeasonalNaive(24), by_series, horizon=48).compute()  # doctest: +SKIP
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import clone

from ..core.forms import ID_COLUMN, TIME_COLUMN
from ..exceptions import InputTypeError, InvalidInputError, InvalidParameterError

__all__ = ["forecast_partitions", "backtest_partitions", "check_partitioned_by_series"]


def _check_dask_frame(data, name: str = "data"):
    try:
        import dask.dataframe as dd
    except ImportError:  # pragma: no cover - dask is an optional extra
        raise InputTypeError("a Dask panel needs dask (pip install 'tsforecast[dask]'); it is not installed.") from None
    if not isinstance(data, dd.DataFrame):
        raise InputTypeError(f"{name} must be a dask.dataframe.DataFrame (a long panel); got {type(data).__name__}.")
    missing = [c for c in (ID_COLUMN, TIME_COLUMN) if c not in data.columns]
    if missing:
        raise InputTypeError(f"{name} must have columns {ID_COLUMN!r} and {TIME_COLUMN!r}; it lacks {missing!r} "
                             f"(columns: {list(data.columns)!r}).")
    return data


def _ids_of(part: pd.DataFrame) -> pd.Series:
    return pd.Series(pd.unique(part[ID_COLUMN]))


def check_partitioned_by_series(data, name: str = "data") -> None:
    """Raise :class:`InvalidInputError` if a series of ``data`` spans two partitions.

    Reads only the ids of every partition (one small task each).
    """
    _check_dask_frame(data, name)
    ids = data.map_partitions(_ids_of, meta=pd.Series(dtype=object)).compute()
    repeated = ids[ids.duplicated()]
    if len(repeated):
        raise InvalidInputError(
            f"{name} must hold whole series per partition; series {repeated.unique()[:5].tolist()!r} span "
            f"several partitions. Repartition by series first, for example data.shuffle({ID_COLUMN!r})."
        )


def _forecast_part(part: pd.DataFrame, model, horizon: int) -> pd.DataFrame:
    if len(part) == 0:
        return None
    out = clone(model).fit(part).predict(horizon)
    out[ID_COLUMN] = out[ID_COLUMN].astype(object)
    return out


def forecast_partitions(model, data, horizon: int, *, check: bool = True):
    """Fit ``model`` and forecast ``horizon`` steps on every partition of a Dask panel.

    Parameters
    ----------
    model : forecaster
        Cloned for each partition (a global model is fitted per partition: on the
        series that partition holds).
    data : dask.dataframe.DataFrame
        A long panel with whole series per partition.
    horizon : int
        Steps to forecast.
    check : bool
        Check first that no series spans two partitions (reads every partition's ids).

    Returns
    -------
    dask.dataframe.DataFrame
        The long forecasts (``unique_id``, ``ds``, one column per target), lazily.
    """
    _check_dask_frame(data)
    if check:
        check_partitioned_by_series(data)
    # The model's forecast columns, not every data column: covariates are inputs only.
    values = model.target_columns([c for c in data.columns if c not in (ID_COLUMN, TIME_COLUMN)])
    meta = pd.DataFrame({ID_COLUMN: pd.Series(dtype=object), TIME_COLUMN: pd.Series(dtype=data._meta[TIME_COLUMN].dtype),
                         **{c: pd.Series(dtype=np.float64) for c in values}})
    return data.map_partitions(_forecast_part, model, horizon, meta=meta, align_dataframes=False)


def _backtest_part(part: pd.DataFrame, models, table: str, options: dict, columns: list) -> pd.DataFrame:
    """The ``table`` of the backtest of one partition, with the metadata's ``columns``:
    a quantile or interval column no model gave in this partition (no series long
    enough for a spread) is NaN here, where a backtest of the partition alone leaves
    it out."""
    from . import backtest

    if len(part) == 0:
        return None
    result = backtest(models, part, progress=False, **options)
    out = getattr(result, table).reindex(columns=columns)
    for column in ("model", "unique_id"):
        out[column] = out[column].astype(object)  # partitions have their own categories
    return out


def backtest_partitions(models, data, *, table: str = "forecasts", check: bool = True, **options):
    """Run :func:`tsforecast.backtest` on every partition of a Dask panel.

    Parameters
    ----------
    models : forecaster, list or dict
        As in :func:`~tsforecast.backtest` (a list named by class).
    data : dask.dataframe.DataFrame
        A long panel with whole series per partition.
    table : {"forecasts", "metrics", "errors"}
        Which table of each partition's :class:`~tsforecast.BacktestResult` to return.
    check : bool
        Check first that no series spans two partitions.
    **options
        The other arguments of :func:`~tsforecast.backtest` (``horizon``, ``cv``,
        ``season_length`` ...); ``progress`` is off on workers. ``align="time"`` is
        refused: a partition does not know the panel's latest times.

    Returns
    -------
    dask.dataframe.DataFrame
        That table of every partition, lazily; its rows are those the same backtest
        on the whole panel gives, partition by partition. Its columns are known before
        any partition is computed: the quantile columns every model can give
        (``quantiles="auto"``: each model's own set, a window model's those its
        estimator is trained for), and ``pinball``/``coverage`` with them; where no
        series of a partition is long enough for a model's spread they are NaN there
        (a backtest of the whole panel leaves out a column that no series has).
    """
    _check_dask_frame(data)
    if table not in ("forecasts", "metrics", "errors"):
        raise InvalidParameterError(f"table must be 'forecasts', 'metrics' or 'errors'; got {table!r}.")
    _check_options(options)
    if check:
        check_partitioned_by_series(data)
    from ._run import check_models

    # the models named as backtest names them (a list by class), so the metadata holds the
    # quantile columns of every model in a list as the partitions' tables will
    meta = _table_meta(table, data._meta[TIME_COLUMN].dtype, check_models(models), options)
    return data.map_partitions(_backtest_part, models, table, options, list(meta.columns), meta=meta,
                               align_dataframes=False)


def _check_options(options: dict) -> None:
    """Refuse, at call time rather than at ``.compute()``, an option ``backtest`` does not
    take or a value it would refuse before reading data (``horizon=0``, ``cv=-1`` ...)."""
    import inspect

    from ._run import backtest, check_settings

    parameters = inspect.signature(backtest).parameters
    accepted = [name for name in parameters if name not in ("models", "data")]
    unknown = sorted(set(options) - set(accepted))
    if unknown:
        raise InvalidParameterError(f"options must be arguments of backtest {accepted!r}; got unknown {unknown!r}.")
    settings = inspect.signature(check_settings).parameters
    check_settings(**{name: options.get(name, parameters[name].default) for name in settings})
    if options.get("align", "end") == "time":  # each partition's backtest sees only its own series
        raise InvalidParameterError(
            "align='time' places every series' folds at the panel's latest times, which a partition's backtest "
            "does not know: each would align its folds to its own series, not the same backtest on the whole "
            "panel; got align='time'. Use align='end' here, or backtest() on the whole panel.")


def _table_meta(table: str, time_dtype, named: dict, options: dict) -> pd.DataFrame:
    """The empty frame of a backtest table: its columns and dtypes, known in advance
    (``named``: the models as :func:`._run.check_models` names them)."""
    from ._scoring import check_metrics, metric_names
    from ..forecasters.base import auto_quantiles, check_levels, check_quantiles, quantile_column

    keys = {"model": object, "unique_id": object, "fold": np.int64, "cutoff": time_dtype}
    if table == "errors":
        return pd.DataFrame({"model": pd.Series(dtype=object), "unique_id": pd.Series(dtype=object),
                             "fold": pd.Series(dtype=np.int64), "error": pd.Series(dtype=object)})
    asked = options.get("quantiles")
    spread = [m for m in named.values() if getattr(m, "supports_quantiles", False)] if asked is not None else []
    quantiles = bool(spread)
    levels = check_levels(options["levels"]) if options.get("levels") is not None else ()
    if table == "forecasts":
        columns = {**keys, "ds": time_dtype, "step": np.int64, "y": np.float64, "y_hat": np.float64}
        # each model's own set for "auto" (a window model's are its estimator's), all of them in level order
        auto = isinstance(asked, str) and asked == "auto"
        given = sorted(q for m in spread for q in (auto_quantiles(m) if auto else check_quantiles(asked)))
        columns.update({quantile_column(q): np.float64 for q in given})
        columns.update({f"{side}_{level:g}": np.float64 for level in levels for side in ("lo", "hi")})
    else:
        names = metric_names(check_metrics(options.get("metrics")), quantiles, levels)
        columns = {**keys, "step": np.int64, **dict.fromkeys(names, np.float64)}
    return pd.DataFrame({name: pd.Series(dtype=dtype) for name, dtype in columns.items()})
