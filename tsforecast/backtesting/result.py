"""`BacktestResult`: the forecasts of a backtest, their scores, and how to read them.

The result holds plain pandas tables and JSON-able metadata, so it can be saved
without pickle and read by the report. Nothing here fits a model.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from .._validation import check_int
from ..exceptions import InputTypeError, InvalidParameterError, ModelFileError
from .significance import diebold_mariano

__all__ = ["BacktestResult", "aggregate_steps"]

_FORMAT = "tsforecast-backtest-result"
_VERSION = 1
_TABLES = ("forecasts", "metrics", "errors")
_KEYS = ("model", "unique_id", "fold", "cutoff", "step")
#: Metrics whose per-step values are absolute errors to be averaged as squares.
_QUADRATIC = ("rmse",)


def aggregate_steps(values: pd.Series | np.ndarray, metric: str) -> float:
    """Combine per-step values of ``metric`` into one score.

    Per-step RMSE values are absolute errors, so they are combined as the root of the
    mean of their squares; every other metric is averaged.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if not values.size:
        return float("nan")
    if metric in _QUADRATIC:
        return float(np.sqrt(np.mean(values**2)))
    return float(np.mean(values))


class BacktestResult:
    """What :func:`tsforecast.backtest` returns.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        One row per model, series, fold and horizon step: ``model``, ``unique_id``,
        ``fold``, ``cutoff`` (the last time step the model saw), ``ds``, ``step``
        (steps ahead of the cutoff), ``y``, ``y_hat`` and one ``q<level>`` column per
        quantile (NaN for models without quantiles).
    metrics : pandas.DataFrame
        The same keys (without ``ds``) and one column per metric, per step. A
        fold's score is the mean over its steps (the root mean square for ``rmse``).
    errors : pandas.DataFrame
        Failed tasks: ``model``, ``unique_id``, ``fold``, ``error`` ("Type: message").
    histories : dict
        ``{model: {fold: {"loss": [...], "val_loss": [...]}}}`` for models exposing
        ``history_``; for a per-series model on a panel, one level more keyed by series.
    info : dict
        JSON-able description of the run: data, folds, models, versions, times.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [("a", "s", 0, 9, 1, 1.0), ("b", "s", 0, 9, 1, 2.0)]
    >>> metrics = pd.DataFrame(rows, columns=["model", "unique_id", "fold", "cutoff", "step", "mae"])
    >>> result = BacktestResult(pd.DataFrame(), metrics, None, {}, {"metrics": ["mae"]})
    >>> result.summary(reference="b")["skill"].tolist()
    [0.5, 0.0]
    """

    def __init__(self, forecasts, metrics, errors=None, histories=None, info=None):
        for name, value, kinds in (("forecasts", forecasts, pd.DataFrame), ("metrics", metrics, pd.DataFrame),
                                   ("errors", errors, (pd.DataFrame, type(None))),
                                   ("histories", histories, (dict, type(None))), ("info", info, (dict, type(None)))):
            if not isinstance(value, kinds):
                raise InputTypeError(f"{name} must be a {'DataFrame' if kinds is pd.DataFrame else 'dict'}"
                                     f"{'' if kinds is pd.DataFrame else ' or None'}; got {type(value).__name__}.")
        self.forecasts = forecasts
        self.metrics = metrics
        self.errors = errors if errors is not None else pd.DataFrame(columns=["model", "unique_id", "fold", "error"])
        self.histories = histories or {}
        self.info = info or {}

    def __repr__(self) -> str:
        return (
            f"BacktestResult(models={self.models}, folds={self.metrics['fold'].nunique() if len(self.metrics) else 0}, "
            f"rows={len(self.forecasts)}, errors={len(self.errors)})"
        )

    # -- reading -------------------------------------------------------------
    @property
    def models(self) -> list[str]:
        """Model names in the order they were given."""
        names = self.info.get("model_names")
        if names:
            return list(names)
        return list(dict.fromkeys(self.metrics["model"])) if len(self.metrics) else []

    @property
    def metric_names(self) -> list[str]:
        """The metric columns of :attr:`metrics`, main metric first."""
        names = self.info.get("metrics")
        if names:
            return [m for m in names if m in self.metrics.columns]
        return [c for c in self.metrics.columns if c not in _KEYS]

    def _check_metric(self, metric: str | None) -> str:
        names = self.metric_names
        if metric is None:
            return names[0]
        if metric not in names:
            raise InvalidParameterError(f"metric must be one of {names!r}; got {metric!r}.")
        return metric

    def _check_model(self, model, name: str) -> str:
        if model not in self.models:
            raise InvalidParameterError(f"{name} must be one of the backtested models {self.models!r}; got {model!r}.")
        return model

    def fold_scores(self, metric: str | None = None) -> pd.DataFrame:
        """Scores per model, series and fold: each metric combined over the horizon steps."""
        metrics = [self._check_metric(metric)] if metric is not None else self.metric_names
        keys = ["model", "unique_id", "fold", "cutoff"]
        # aggregate_steps for every group at once (a Python call per group took minutes
        # for 20,000 series and the per-level interval metrics): mean of the non-NaN
        # values, of their squares under a root for the quadratic metrics.
        quadratic = [m for m in metrics if m in _QUADRATIC]
        values = self.metrics[keys + metrics].assign(**{m: self.metrics[m] ** 2 for m in quadratic})
        table = values.groupby(keys, sort=False, observed=True)[metrics].mean()
        for m in quadratic:
            table[m] = np.sqrt(table[m])
        return table.reset_index()

    def _per_fold(self, metrics: list[str]) -> pd.DataFrame:
        """Scores per model and fold, averaged over series."""
        scores = self.fold_scores()
        return scores.groupby(["model", "fold"], sort=False, observed=True)[metrics].mean().reset_index()

    def summary(self, reference: str | None = None, metric: str | None = None) -> pd.DataFrame:
        """Per model: mean and standard deviation over folds of every metric, the rank
        by ``metric`` (the first metric by default; 1 = best) and, given a
        ``reference`` model, the skill ``1 - score / score_reference``.
        """
        metric = self._check_metric(metric)
        if reference is not None:
            self._check_model(reference, "reference")
        per_fold = self._per_fold(self.metric_names)
        grouped = per_fold.groupby("model", sort=False, observed=True)
        table = pd.DataFrame(index=pd.Index([m for m in self.models if m in set(per_fold["model"])], name="model"))
        for name in self.metric_names:
            table[f"{name}_mean"] = grouped[name].mean()
            table[f"{name}_std"] = grouped[name].std(ddof=1)
        table["n_folds"] = grouped["fold"].nunique()
        failed = self.errors.groupby("model", observed=True).size() if len(self.errors) else pd.Series(dtype=int)
        table["n_errors"] = [int(failed.get(m, 0)) for m in table.index]
        table["rank"] = table[f"{metric}_mean"].rank(method="min").astype("Int64")
        if reference is not None:
            base = table.loc[reference, f"{metric}_mean"] if reference in table.index else np.nan
            table["skill"] = 1.0 - table[f"{metric}_mean"] / base
        return table

    def by_step(self, metric: str | None = None) -> pd.DataFrame:
        """``metric`` per horizon step (rows) and model (columns), over series and folds."""
        metric = self._check_metric(metric)
        table = self.metrics.groupby(["step", "model"], sort=True, observed=True)[metric].agg(lambda v: aggregate_steps(v, metric))
        wide = table.unstack("model")
        return wide[[m for m in self.models if m in wide.columns]]

    def compare(self, reference: str, metric: str = "mae", horizon_step: int | None = None) -> pd.DataFrame:
        """Diebold-Mariano test of each model against ``reference``.

        The loss differential is taken per series, fold and step where both models
        have a forecast, ordered by series, cutoff and step; its long-run variance uses
        autocovariances up to lag ``h - 1`` with ``h`` the horizon (all steps pooled) or
        the number of cutoffs a ``horizon_step``-ahead forecast overlaps. The loss is
        the per-step value of ``metric`` (the squared error for ``rmse``). Negative
        statistics mean the model beats the reference; the small-sample correction of
        Harvey, Leybourne and Newbold is applied.

        Returns
        -------
        pandas.DataFrame
            Indexed by model: ``statistic``, ``p_value``, ``mean_difference`` (model
            loss minus reference loss), ``n``.
        """
        self._check_model(reference, "reference")
        metric = self._check_metric(metric)
        table = self.metrics
        if horizon_step is not None:
            horizon_step = check_int(horizon_step, "horizon_step", minimum=1)
            if horizon_step not in set(table["step"]):
                raise InvalidParameterError(
                    f"horizon_step must be one of the backtested steps {sorted(set(table['step']))!r}; "
                    f"got {horizon_step!r}."
                )
            table = table[table["step"] == horizon_step]
            spacing = int(self.info.get("step", 1) or 1)
            h = max(1, -(-horizon_step // spacing))
        else:
            h = int(self.info.get("horizon", table["step"].nunique()))
        keys = ["unique_id", "cutoff", "step"]
        loss = table[["model", *keys, metric]].copy()
        if metric in _QUADRATIC:
            loss[metric] = loss[metric] ** 2
        ref = loss[loss["model"] == reference].drop(columns="model")
        rows = {}
        for model in self.models:
            if model == reference:
                continue
            own = loss[loss["model"] == model].drop(columns="model")
            both = own.merge(ref, on=keys, suffixes=("", "_ref")).sort_values(keys, kind="stable")
            both = both[np.isfinite(both[metric]) & np.isfinite(both[f"{metric}_ref"])]
            if len(both) < 2:
                rows[model] = (np.nan, np.nan, np.nan, len(both))
                continue
            test = diebold_mariano(both[metric].to_numpy(), both[f"{metric}_ref"].to_numpy(), h=h)
            rows[model] = (test.statistic, test.p_value, test.mean_difference, test.n)
        out = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "p_value", "mean_difference", "n"])
        out.index.name = "model"
        out["n"] = out["n"].astype(int)
        return out

    # -- files ---------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write the result to one zip file (CSV tables and JSON), atomically."""
        path = Path(path)
        members = {"info.json": _dumps(self.info), "histories.json": _dumps(self.histories)}
        schema, categories = {}, {}
        for name in _TABLES:
            table = getattr(self, name)
            members[f"{name}.csv"] = table.to_csv(index=False).encode("utf-8")
            schema[name] = {str(c): str(t) for c, t in table.dtypes.items()}
            categories[name] = {str(c): _json_labels(table[c].cat.categories) for c, t in table.dtypes.items()
                                if isinstance(t, pd.CategoricalDtype)}
        manifest = {
            "format": _FORMAT,
            "version": _VERSION,
            "schema": schema,
            "categories": categories,
            "sha256": {k: hashlib.sha256(v).hexdigest() for k, v in members.items()},
        }
        members["manifest.json"] = _dumps(manifest)
        _atomic_zip(path, members)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike) -> BacktestResult:
        """Read a result written by :meth:`save`; raises :class:`ModelFileError` if the
        file is not one, is truncated or was altered."""
        path = Path(path)
        try:
            with zipfile.ZipFile(path) as archive:
                members = {name: archive.read(name) for name in archive.namelist()}
        except (OSError, zipfile.BadZipFile) as exc:
            raise ModelFileError(f"path {str(path)!r} is not a readable backtest result file: {exc}.") from None
        try:
            manifest = json.loads(members["manifest.json"])
        except (KeyError, ValueError):
            raise ModelFileError(
                f"path {str(path)!r} has no valid manifest.json; it is not a backtest result."
            ) from None
        if manifest.get("format") != _FORMAT or manifest.get("version") != _VERSION:
            raise ModelFileError(
                f"path {str(path)!r} holds format {manifest.get('format')!r} version {manifest.get('version')!r}; "
                f"expected {_FORMAT!r} version {_VERSION}."
            )
        for name, digest in manifest.get("sha256", {}).items():
            if name not in members or hashlib.sha256(members[name]).hexdigest() != digest:
                raise ModelFileError(f"member {name!r} of {str(path)!r} is missing or altered (checksum mismatch).")
        tables = {name: _read_table(members[f"{name}.csv"], manifest["schema"][name],
                                    manifest.get("categories", {}).get(name, {})) for name in _TABLES}
        return cls(
            tables["forecasts"],
            tables["metrics"],
            tables["errors"],
            _fold_keys(json.loads(members["histories.json"])),
            json.loads(members["info.json"]),
        )


def _fold_keys(histories: dict) -> dict:
    """JSON turns the integer fold keys of ``histories`` into strings; turn them back."""
    return {model: {int(k) if str(k).lstrip("-").isdigit() else k: v for k, v in folds.items()}
            for model, folds in histories.items()}


def _dumps(value) -> bytes:
    return json.dumps(value, indent=1, default=str).encode("utf-8")


def _json_labels(labels: pd.Index) -> list:
    return [v.item() if isinstance(v, np.generic) else v for v in labels.tolist()]


def _read_table(data: bytes, schema: dict, categories: dict | None = None) -> pd.DataFrame:
    categories = categories or {}
    text_columns = {c: str for c, t in schema.items() if t in ("object", "str", "string") or c in categories}
    # pandas >= 3 parses floats exactly by default and deprecates float_precision.
    exact = {"float_precision": "round_trip"} if int(pd.__version__.split(".")[0]) < 3 else {}
    table = pd.read_csv(io.BytesIO(data), dtype=text_columns, keep_default_na=False,
                        na_values={c: [""] for c in schema if c not in text_columns}, **exact)
    for column, labels in categories.items():  # codes from the labels' text, labels as saved
        index = pd.Index([str(v) for v in labels])
        table[column] = pd.Categorical.from_codes(index.get_indexer(table[column]),
                                                  categories=pd.Index(labels, dtype=object))
    for column, dtype in schema.items():
        if column not in table.columns or column in categories or (column in text_columns and dtype != "object"):
            continue
        if dtype == "object":
            table[column] = table[column].astype(object)
        elif dtype.startswith("datetime64"):
            table[column] = pd.to_datetime(table[column]).astype(dtype)
        elif str(table[column].dtype) != dtype:
            table[column] = table[column].astype(dtype)
    return table


def _atomic_zip(path: Path, members: dict[str, bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED) as archive:
                for name, data in members.items():
                    archive.writestr(name, data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
