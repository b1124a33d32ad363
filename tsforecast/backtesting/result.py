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

from .._validation import check_float, check_int
from ..exceptions import InputTypeError, InvalidParameterError, ModelFileError
from .significance import diebold_mariano, diebold_mariano_rows

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


def _codes(column: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of ``column`` and the labels they index (categories kept in their order)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(np.int64), column.cat.categories
    values = column.to_numpy()
    if values.dtype.kind in "iu" and len(values):
        low, high = int(values.min()), int(values.max())
        if high - low <= len(values):  # folds, steps: a short range, no hashing needed
            shifted = np.subtract(values, low, dtype=np.int64)
            counts = np.bincount(shifted, minlength=high - low + 1)
            if counts.all():  # every value in the range occurs: the shift is the code
                return shifted, pd.Index(np.arange(low, high + 1), dtype=values.dtype)
            present = np.flatnonzero(counts)
            lookup = np.full(high - low + 1, -1, np.int64)
            lookup[present] = np.arange(len(present))
            return lookup[shifted], pd.Index(present + low, dtype=values.dtype)
    codes, labels = pd.factorize(column, sort=True)
    return codes.astype(np.int64), pd.Index(labels)


class _Groups:
    """The groups of some key columns present in a table: each row's group number, each
    group's code per key and, when the rows come sorted by group (as a backtest's tables
    do), where each group starts.

    One pass over integer codes, without pandas' per-group machinery: a backtest of
    100,000 series has millions of rows and hundreds of thousands of groups.
    """

    def __init__(self, table: pd.DataFrame, keys: list[str]):
        codes, self.labels = (list(x) for x in zip(*(_codes(table[k]) for k in keys)))
        shape = tuple(max(len(lab), 1) for lab in self.labels)
        flat = np.ravel_multi_index(codes, shape) if len(table) else np.zeros(0, np.int64)
        if np.prod(shape, dtype=float) <= 4 * len(table) + 1024:
            present = np.bincount(flat, minlength=int(np.prod(shape))) > 0
            # Every combination present (a complete backtest): the flat key is the group.
            self.row_group = flat if present.all() else (np.cumsum(present) - 1)[flat]
            present = np.flatnonzero(present)
        else:  # a sparse key space: compress it by sorting
            present, self.row_group = np.unique(flat, return_inverse=True)
        self.codes = list(np.unravel_index(present, shape))
        self.n = len(present)
        self._starts = False  # not yet known

    @property
    def starts(self) -> np.ndarray | None:
        """Where each group starts when the rows are sorted by group, else None."""
        if self._starts is False:
            change = np.diff(self.row_group)
            sorted_rows = len(self.row_group) > 0 and bool((change >= 0).all())
            self._starts = np.flatnonzero(np.r_[True, change != 0]) if sorted_rows else None
        return self._starts

    def total(self, values: np.ndarray) -> np.ndarray:
        """The sum of ``values`` over each group's rows."""
        if self.n and self.starts is not None:
            return np.add.reduceat(values, self.starts)
        return np.bincount(self.row_group, weights=values, minlength=self.n)


def _combine_steps(table: pd.DataFrame, groups: _Groups, metric: str) -> np.ndarray:
    """:func:`aggregate_steps` of ``metric`` over the rows of each group, vectorised."""
    values = table[metric].to_numpy(dtype=float)
    finite = ~np.isnan(values)
    values = np.where(finite, values, 0.0)
    if metric in _QUADRATIC:
        values = values**2
    total, count = groups.total(values), groups.total(finite.astype(np.float64))
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(count > 0, total / np.where(count > 0, count, 1), np.nan)
    return np.sqrt(mean) if metric in _QUADRATIC else mean


def _key_column(labels: pd.Index, codes: np.ndarray, like: pd.Series):
    """A key column of a grouped table, categorical when the source column is."""
    if isinstance(like.dtype, pd.CategoricalDtype):
        return pd.Categorical.from_codes(codes, dtype=like.dtype)
    return labels.take(codes).to_numpy()


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
        keys = ["model", "unique_id", "fold"]
        groups = _Groups(self.metrics, keys)
        table = pd.DataFrame({k: _key_column(lab, c, self.metrics[k])
                              for k, lab, c in zip(keys, groups.labels, groups.codes)})
        # A series' fold has one cutoff, so any row of a group gives the group's cutoff.
        row = np.zeros(groups.n, np.int64)
        row[groups.row_group] = np.arange(len(groups.row_group))
        table.insert(3, "cutoff", self.metrics["cutoff"].to_numpy()[row] if groups.n else [])
        for m in metrics:
            table[m] = _combine_steps(self.metrics, groups, m)
        return table

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
        groups = _Groups(self.metrics, ["step", "model"])
        (steps, models), (step_labels, model_labels) = groups.codes, groups.labels
        values = _combine_steps(self.metrics, groups, metric)
        index = pd.MultiIndex.from_arrays([step_labels.take(steps), model_labels.take(models).astype(object)],
                                          names=["step", "model"])
        wide = pd.Series(values, index=index, name=metric).unstack("model")
        wide.columns = pd.Index(list(wide.columns), name="model")
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
        # Align the models on (series, cutoff, step) through integer codes: the group order is
        # the sort order of those keys, so no merge or sort of millions of rows is needed.
        groups = _Groups(table, ["unique_id", "cutoff", "step"])
        loss = table[metric].to_numpy(dtype=float)
        if metric in _QUADRATIC:
            loss = loss**2
        model_codes, model_labels = _codes(table["model"])
        positions = {str(label): i for i, label in enumerate(model_labels)}

        def aligned(model) -> np.ndarray:
            values = np.full(groups.n, np.nan)
            mine = model_codes == positions.get(str(model), -1)
            values[groups.row_group[mine]] = loss[mine]
            return values

        ref = aligned(reference)
        rows = {}
        for model in self.models:
            if model == reference:
                continue
            own = aligned(model)
            both = np.isfinite(own) & np.isfinite(ref)
            if both.sum() < 2:
                rows[model] = (np.nan, np.nan, np.nan, int(both.sum()))
                continue
            test = diebold_mariano(own[both], ref[both], h=h)
            rows[model] = (test.statistic, test.p_value, test.mean_difference, test.n)
        out = pd.DataFrame.from_dict(rows, orient="index", columns=["statistic", "p_value", "mean_difference", "n"])
        out.index.name = "model"
        out["n"] = out["n"].astype(int)
        return out

    def per_series(self, metric: str | None = None, reference: str | None = None,
                   alpha: float = 0.05) -> pd.DataFrame:
        """Scores per model and series: who wins each series, and by how much.

        The per-series view of :meth:`summary`: with many series a model can win on
        average and lose on a large share of them. Computed on arrays in one pass over
        the metrics table (no loop over series).

        Parameters
        ----------
        metric : str, optional
            The metric to score with (default: the first of :attr:`metric_names`).
        reference : str, optional
            A model to measure skill against, series by series.
        alpha : float, default 0.05
            The level below which a per-series win counts as significant.

        Returns
        -------
        pandas.DataFrame
            One row per model and series with a score, by model (as given) then series:

            - ``model``, ``unique_id``;
            - ``<metric>``: the mean over folds of the fold score (the mean over steps,
              the root mean square for ``rmse``), as in :meth:`summary`;
            - ``n_folds``: the folds with a score;
            - ``skill`` (with ``reference``): ``1 - score / score of reference`` on the
              same series, NaN where the reference's score is zero or missing (no ratio
              exists: a perfect or unscored reference);
            - ``rank``: 1 for the lowest score on the series (ties share the lower rank);
            - ``win``: True for the one model with the lowest score on the series (a
              tie goes to the model given first), so the wins add up to the number of
              scored series;
            - ``win_p_value``: for the winner, the Diebold-Mariano p-value against the
              runner-up on that series (the steps of all folds in time order, losses as
              in :meth:`compare`); NaN on other rows, and where the test lacks the data:
              fewer than ``2 h`` paired step losses (``h`` the horizon, whose
              ``h - 1`` autocovariances enter the variance) or a missing one;
            - ``significant_win``: ``win`` and ``win_p_value < alpha``.

        Raises
        ------
        InvalidParameterError
            If ``metric`` or ``reference`` is not one of the result's, or ``alpha`` is
            not in (0, 1).

        Examples
        --------
        >>> import pandas as pd
        >>> rows = [("a", s, 0, 9, 1, e) for s, e in (("x", 1.0), ("y", 4.0))]
        >>> rows += [("b", s, 0, 9, 1, e) for s, e in (("x", 2.0), ("y", 2.0))]
        >>> metrics = pd.DataFrame(rows, columns=["model", "unique_id", "fold", "cutoff", "step", "mae"])
        >>> result = BacktestResult(pd.DataFrame(), metrics, None, {}, {"metrics": ["mae"]})
        >>> table = result.per_series(reference="b")
        >>> table["skill"].tolist(), table["rank"].tolist(), table["win"].tolist()
        ([0.5, -1.0, 0.0, 0.0], [1, 2, 2, 1], [True, False, False, True])
        """
        metric = self._check_metric(metric)
        if reference is not None:
            self._check_model(reference, "reference")
        alpha = check_float(alpha, "alpha", minimum=0, maximum=1, include_minimum=False, include_maximum=False)
        dense = _DenseScores(self.metrics, metric)
        score, n_folds = dense.series_scores()
        order = [m for m in self.models if m in set(dense.models)] + [m for m in dense.models if m not in self.models]
        rows = [list(dense.models).index(m) for m in order]
        score, n_folds, has = score[rows], n_folds[rows], dense.has[rows]
        rank, win, p_value = _series_ranks(score, dense.paired_losses(rows), self._dm_lag_window())
        table = pd.DataFrame({"model": np.repeat(np.asarray(order, dtype=object), score.shape[1]),
                              "unique_id": np.tile(np.arange(score.shape[1]), len(order))})
        table[metric] = score.ravel()
        table["n_folds"] = n_folds.ravel()
        if reference is not None:
            base = score[order.index(reference)] if reference in order else np.full(score.shape[1], np.nan)
            with np.errstate(divide="ignore", invalid="ignore"):
                skill = np.where(np.isfinite(base) & (base != 0), 1.0 - score / base, np.nan)
            table["skill"] = skill.ravel()
        table["rank"] = pd.array(np.where(np.isnan(rank), np.nan, rank).ravel(), dtype="Int64")
        table["win"] = win.ravel()
        table["win_p_value"] = p_value.ravel()
        table["significant_win"] = table["win"] & (table["win_p_value"] < alpha)
        table = table[has.ravel()].reset_index(drop=True)
        table["model"] = pd.Categorical(table["model"], categories=pd.Index(order, dtype=object))
        table["unique_id"] = dense.series_column(table["unique_id"].to_numpy(), self.metrics["unique_id"])
        return table

    def _dm_lag_window(self) -> int:
        """``h`` of the pooled Diebold-Mariano tests: the horizon, as in :meth:`compare`."""
        return int(self.info.get("horizon", self.metrics["step"].nunique() if len(self.metrics) else 1))

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


class _DenseScores:
    """One metric as a dense array ``[model, series, fold, step]`` (NaN where absent)."""

    def __init__(self, metrics: pd.DataFrame, metric: str):
        codes, labels = zip(*(_codes(metrics[k]) for k in ("model", "unique_id", "fold", "step")))
        self.models = [str(m) for m in labels[0]]
        self.series_labels = labels[1]
        self.metric = metric
        shape = tuple(len(lab) for lab in labels)
        self.values = np.full(shape, np.nan)
        self.values[codes] = metrics[metric].to_numpy(dtype=float)
        self.has = np.zeros(shape[:2], dtype=bool)
        self.has[codes[0], codes[1]] = True

    def series_scores(self) -> tuple[np.ndarray, np.ndarray]:
        """The mean over folds of the fold scores ``[model, series]``, and the folds scored."""
        values = self.values**2 if self.metric in _QUADRATIC else self.values
        finite = np.isfinite(values)
        steps = finite.sum(axis=3)
        with np.errstate(invalid="ignore", divide="ignore"):
            folds = np.where(steps > 0, np.where(finite, values, 0.0).sum(axis=3) / np.maximum(steps, 1), np.nan)
        if self.metric in _QUADRATIC:
            folds = np.sqrt(folds)
        scored = np.isfinite(folds)
        n_folds = scored.sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            score = np.where(n_folds > 0, np.where(scored, folds, 0.0).sum(axis=2) / np.maximum(n_folds, 1), np.nan)
        return score, n_folds

    def paired_losses(self, rows: list[int]) -> np.ndarray:
        """The per-step losses ``[model, series, fold * step]`` in time order (squared for rmse)."""
        values = self.values[rows]
        values = values**2 if self.metric in _QUADRATIC else values
        return values.reshape(values.shape[0], values.shape[1], -1)

    def series_column(self, codes: np.ndarray, like: pd.Series):
        return _key_column(pd.Index(self.series_labels), codes, like)


def _series_ranks(score: np.ndarray, losses: np.ndarray, h: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per model and series (``score[model, series]``): the rank among models (1 = best,
    ties share the lower rank), the one winner per series (ties to the first model) and
    the winner's Diebold-Mariano p-value against the runner-up."""
    finite = np.isfinite(score)
    filled = np.where(finite, score, np.inf)
    beaten_by = (filled[None, :, :] < filled[:, None, :]).sum(axis=1)  # [model, series]: models strictly better
    rank = np.where(finite, 1.0 + beaten_by, np.nan)
    n_series = score.shape[1]
    scored = finite.any(axis=0)
    best = np.argmin(filled, axis=0)
    win = np.zeros_like(finite)
    win[best[scored], np.flatnonzero(scored)] = True
    p_value = np.full(score.shape, np.nan)
    second_filled = filled.copy()
    second_filled[best, np.arange(n_series)] = np.inf
    second = np.argmin(second_filled, axis=0)
    paired = scored & np.isfinite(second_filled[second, np.arange(n_series)])
    if paired.any() and losses.shape[2] >= 2 * h:
        columns = np.flatnonzero(paired)
        _, p = diebold_mariano_rows(losses[best[columns], columns], losses[second[columns], columns], h=h)
        p_value[best[columns], columns] = p
    return rank, win, p_value


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
