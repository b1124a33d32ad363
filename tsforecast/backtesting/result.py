"""`BacktestResult`: the forecasts of a backtest, their scores, and how to read them.

A backtest's result holds its forecasts as arrays (:mod:`._arrays`) and JSON-able
metadata; every reading (fold scores, summary, per step, per series, Diebold-Mariano
tests) reduces the arrays, and the long tables are views built when first read. It
is saved without pickle (NumPy arrays and JSON in one zip) and read by the report.
Nothing here fits a model.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..core import metrics as _metrics
from ..core.validation import check_float, check_int
from ..exceptions import InputTypeError, InvalidParameterError, ModelFileError
from ..storage.files import (MANIFEST, ArchiveFormat, as_path, digests, dumps, file_target, read_archive,
                             write_archive)
from ._arrays import QUADRATIC, ForecastArrays, TableScores, combine_steps, json_labels
from ._scoring import RANKING_ORDER
from . import _comparison
from ._ranking import (check_same_quantiles, model_levels, nominal_span, ranking_distance, series_ranks,
                       series_scores, shared_fold_scores, shared_folds)

__all__ = ["BacktestResult", "aggregate_steps", "model_levels", "nominal_span"]

_FORMAT = "tsforecast-backtest-result"
#: 1: the forecasts and metrics as CSV tables; 2: the forecasts as NumPy arrays.
_VERSIONS = (1, 2)
_FORM = ArchiveFormat(_FORMAT, _VERSIONS, "tsforecast backtest result")
_TABLES = ("forecasts", "metrics", "errors")


def aggregate_steps(values: pd.Series | np.ndarray, metric: str) -> float:
    """Combine per-step values of ``metric`` into one score.

    Per-step RMSE values are absolute errors, so they are combined as the root of the
    mean of their squares; every other metric is averaged.
    """
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    if not values.size:
        return float("nan")
    if metric in QUADRATIC:
        return float(np.sqrt(np.mean(values**2)))
    return float(np.mean(values))


class BacktestResult:
    """What :func:`tsforecast.backtest` returns.

    Attributes
    ----------
    forecasts : pandas.DataFrame
        One row per model, series, fold and horizon step: ``model``, ``unique_id``,
        ``fold``, ``cutoff`` (the last time step the model saw), ``ds``, ``step``
        (steps ahead of the cutoff), ``y``, ``y_hat``, one ``q<level>`` column per
        quantile asked (NaN for models without quantiles) and ``lo_<L>``/``hi_<L>``
        per interval level. For a backtest's result it is built from its arrays on
        first access (and kept): the readings below never need it.
    metrics : pandas.DataFrame
        The same keys (without ``ds``) and one column per metric, per step (built
        on first access too). A fold's score is the mean over its steps (the root
        mean square for ``rmse``).
    errors : pandas.DataFrame
        Failed forecasts, one row per (model, series, fold) with its cause: ``model``,
        ``unique_id``, ``fold``, ``error`` ("Type: message"); ``summary()``'s ``n_errors``
        counts these rows.
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

    def __init__(self, forecasts, metrics, errors=None, histories=None, info=None, *, arrays=None):
        for name, value, kinds in (("forecasts", forecasts, pd.DataFrame), ("metrics", metrics, pd.DataFrame),
                                   ("errors", errors, (pd.DataFrame, type(None))),
                                   ("histories", histories, (dict, type(None))), ("info", info, (dict, type(None)))):
            if arrays is not None and name in ("forecasts", "metrics") and value is None:
                continue
            if not isinstance(value, kinds):
                raise InputTypeError(f"{name} must be a {'DataFrame' if kinds is pd.DataFrame else 'dict'}"
                                     f"{'' if kinds is pd.DataFrame else ' or None'}; got {type(value).__name__}.")
        if arrays is not None and (forecasts is not None or metrics is not None):
            raise InvalidParameterError("give either the forecasts and metrics tables or arrays, not both.")
        self._arrays = arrays
        self._forecasts, self._metrics = forecasts, metrics
        self._table_scores = None
        self.errors = errors if errors is not None else pd.DataFrame(columns=["model", "unique_id", "fold", "error"])
        self.histories = histories or {}
        self.info = info or {}

    @classmethod
    def from_arrays(cls, arrays: ForecastArrays, errors=None, histories=None, info=None) -> BacktestResult:
        """A result holding its forecasts as arrays (what :func:`tsforecast.backtest`
        returns); the tables are built from them on first access."""
        return cls(None, None, errors, histories, info, arrays=arrays)

    @property
    def forecasts(self) -> pd.DataFrame:
        """The forecasts table (built from the arrays on first access, then kept)."""
        if self._forecasts is None:
            self._forecasts = self._in_periods(self._arrays.forecast_table())
        return self._forecasts

    def _in_periods(self, table: pd.DataFrame) -> pd.DataFrame:
        """``cutoff`` and ``ds`` (those the table has) back in the period frequency of a
        PeriodIndex input (as ``predict`` answers), timestamps otherwise; a dict mixing
        period frequencies keeps timestamps, one column holding one frequency."""
        period = (self.info.get("data") or {}).get("period")
        if period is None or table.empty:
            return table
        return table.assign(**{column: pd.DatetimeIndex(table[column]).to_period(period)
                               for column in ("cutoff", "ds") if column in table.columns})

    @property
    def metrics(self) -> pd.DataFrame:
        """The per-step metrics table (built from the arrays on first access, then kept)."""
        if self._metrics is None:
            self._metrics = self._arrays.metrics_table(self.forecasts)
        return self._metrics

    @property
    def _scores(self):
        """The arrays every reduction reads: the backtest's own, or the metrics table's."""
        if self._arrays is not None:
            return self._arrays
        if self._table_scores is None:
            self._table_scores = TableScores(self._metrics)
        return self._table_scores

    def __repr__(self) -> str:
        scores = self._scores
        return (
            f"BacktestResult(models={self.models}, folds={int(scores.has.any(axis=(0, 1)).sum())}, "
            f"rows={scores.n_rows}, errors={len(self.errors)})"
        )

    # -- reading -------------------------------------------------------------
    @property
    def models(self) -> list[str]:
        """Model names in the order they were given."""
        names = self.info.get("model_names")
        return list(names) if names else self._present_models()

    def _present_models(self) -> list[str]:
        """Models with at least one forecast, in the order of the arrays' model axis."""
        scores = self._scores
        return [m for m, any_row in zip(scores.models, scores.has.any(axis=(1, 2))) if any_row]

    @property
    def metric_names(self) -> list[str]:
        """The metric columns of :attr:`metrics`, in the order the backtest was asked for them."""
        present = self._scores.names
        names = self.info.get("metrics")
        if names:
            return [m for m in names if m in present]
        return list(present)

    @property
    def scored_models(self) -> list[str]:
        """The models with at least one forecast, in the order they were given."""
        present = self._present_models()
        return [m for m in self.models if m in present] + [m for m in present if m not in self.models]

    @property
    def series(self) -> pd.Index:
        """The ids of the series with at least one forecast, in the data's order."""
        scores = self._scores
        return pd.Index(scores.series[scores.has.any(axis=(0, 2))], name="unique_id")

    @property
    def folds(self) -> list[int]:
        """The folds with at least one forecast, in order."""
        scores = self._scores
        return [int(f) for f in scores.folds[scores.has.any(axis=(0, 1))]]

    def forecasts_of(self, series=None, folds=None, models=None) -> pd.DataFrame:
        """The rows of :attr:`forecasts` for some ``series`` ids, ``folds`` and ``models``
        (each default: all), without building the whole table of a large panel."""
        if self._arrays is not None and self._forecasts is None:
            return self._in_periods(self._arrays.forecast_table(self._arrays.select(series, folds, models)))
        table = self.forecasts
        if table.empty:
            return table
        mask = np.ones(len(table), dtype=bool)
        for column, wanted in (("unique_id", series), ("fold", folds), ("model", models)):
            if wanted is not None:
                mask &= table[column].isin(list(wanted)).to_numpy()
        return table[mask].reset_index(drop=True)

    def plot(self, series=None, folds=None, models=None, level=None):
        """Actuals and each model's forecasts with their interval band, as one matplotlib figure.

        A thin layer over :func:`tsforecast.reporting.plotting.plot_backtest` (see it for the
        arguments); returns the :class:`matplotlib.figure.Figure`.
        """
        from ..reporting.plotting import plot_backtest

        return plot_backtest(self, series=series, folds=folds, models=models, level=level)

    def count(self, metric: str) -> pd.Series:
        """Per model: how many per-step values of ``metric`` were scored (finite)."""
        metric = self._check_metric(metric)
        scores = self._scores
        counts = {m: int(np.isfinite(scores.metric(metric, i)).sum()) for i, m in enumerate(scores.models)
                  if scores.has[i].any()}
        return pd.Series({m: counts[m] for m in self.scored_models}, name=metric, dtype=np.int64)

    @property
    def main_metric(self) -> str:
        """The metric that ranks models where none is named (``summary``, ``compare``,
        ``per_series``, ``by_step``, the report and the CLI alike): MASE where it was
        scored, scale-free across series; else the first of MAE, RMSE, sMAPE, MAPE scored
        (``_scoring.RANKING_ORDER``), else the first metric."""
        names = self.metric_names
        for name in dict.fromkeys([*RANKING_ORDER, *names]):
            if name in names and self.count(name).sum() > 0:
                return name
        return names[0]

    def _check_metric(self, metric: str | None) -> str:
        names = self.metric_names
        if metric is None:
            return self.main_metric
        if metric not in names:
            raise InvalidParameterError(f"metric must be one of {names!r}; got {metric!r}.")
        return metric

    def _check_model(self, model, name: str) -> str:
        if model not in self.models:
            raise InvalidParameterError(f"{name} must be one of the backtested models {self.models!r}; got {model!r}.")
        return model

    def fit_references(self, model) -> list[tuple[str, dict]]:
        """What each fit of ``model`` forecast against the reference it corrects.

        Models that learn corrections to a reference forecast (the LSTM: seasonal naive,
        naive or a linear map) record, per fit, that reference and how much of their
        corrections they kept on their validation tail (``shrinkage``: 1 kept, 0 the
        reference itself). This is where "does it beat the baseline" may be answered by
        the baseline.

        Parameters
        ----------
        model : str
            One of :attr:`models`.

        Returns
        -------
        list of (str, dict)
            ``(label, record)`` in fold order; the label is the fold (``"3"``) or, for a
            model fitted series by series, ``"fold/series"``. Empty for a model that
            records no reference.

        Raises
        ------
        InvalidParameterError
            If ``model`` was not backtested.
        """
        recorded = (self.info or {}).get("fit_references") or {}
        if model not in recorded:
            self._check_model(model, "model")
        return _fold_records(recorded.get(model) or {})

    def fold_scores(self, metric: str | None = None) -> pd.DataFrame:
        """Scores per model, series and fold: each metric combined over the horizon steps."""
        metrics = [self._check_metric(metric)] if metric is not None else self.metric_names
        scores = self._scores
        m_idx, s_idx, f_idx = np.nonzero(scores.has)
        table = pd.DataFrame({"model": scores.key_column("model", m_idx),
                              "unique_id": scores.key_column("unique_id", s_idx),
                              "fold": scores.folds[f_idx], "cutoff": scores.cutoff[s_idx, f_idx]})
        bounds = np.searchsorted(m_idx, np.arange(len(scores.models) + 1))  # rows come sorted by model
        for name in metrics:
            column = np.empty(len(m_idx))
            for m in np.flatnonzero(np.diff(bounds)):
                rows = slice(bounds[m], bounds[m + 1])
                column[rows] = combine_steps(scores.metric(name, int(m)), name)[s_idx[rows], f_idx[rows]]
            table[name] = column
        return self._in_periods(table)  # cutoffs as the forecasts table has them, to join it

    def _per_fold(self, metrics: list[str]) -> pd.DataFrame:
        """Scores per model and fold, averaged over series."""
        scores = self.fold_scores()
        return scores.groupby(["model", "fold"], sort=False, observed=True)[metrics].mean().reset_index()

    def summary(self, reference: str | None = None, metric: str | None = None) -> pd.DataFrame:
        """Per model: mean and standard deviation over folds of every metric, the rank
        by ``metric`` (default :attr:`main_metric`, MASE where scored; 1 = best) and, given a
        ``reference`` model, the skill ``1 - score / score_reference`` (NaN where the
        reference scores zero: no ratio exists).

        Ranks and skill follow the metric's orientation (:func:`tsforecast.core.metrics.orientation`):
        lower is better, except coverage, which is best closest to its nominal level (the
        score in the ranks and skill is then the distance ``|coverage - level|``; for
        ``coverage`` of quantiles, each model's own band: ``info["model_quantiles"]``).
        ``pinball`` is refused where the models forecast different quantile levels.

        Where the models were not all scored on the same (series, fold) cells (a model
        failed on some, or forecast NaN there), their means cover different cells: a model
        that failed on the hard series would look better for it. Ranks and skill then
        compare every model on the cells all of them scored, shown as ``<metric>_common``
        (the mean over folds of that metric there); the ``_mean`` columns stay each
        model's own. Where no cell is shared, each model's own mean ranks it.
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
        common = self._common_mean(metric, list(table.index))
        if common is not None:
            table[f"{metric}_common"] = common
        ranked_on = table[f"{metric}_common" if common is not None else f"{metric}_mean"]
        distance = pd.Series(self._distance(metric, ranked_on, table.index), index=table.index)
        table["rank"] = distance.rank(method="min").astype("Int64")
        if reference is not None:
            base = distance.loc[reference] if reference in table.index else np.nan
            # no ratio to a reference scoring zero (or nothing): NaN, as per_series says it
            table["skill"] = 1.0 - distance / base if np.isfinite(base) and base != 0 else np.nan
        return table

    def _common_mean(self, metric: str, models: list) -> pd.Series | None:
        """Per model, the mean over folds of ``metric`` on the (series, fold) cells every
        one of ``models`` scored; None where they all scored the same cells (their own
        means compare like with like) or share none."""
        scores = self._scores
        shared = _comparison.shared_cells(scores, metric, models)  # the cells compare tests on, too
        if shared is None:
            return None
        positions = {str(label): i for i, label in enumerate(scores.models)}
        used = shared.any(axis=0)  # the folds with a shared cell
        means = []
        for model in models:
            folds = np.where(shared, combine_steps(scores.metric(metric, positions[str(model)]), metric), 0.0)
            means.append((folds.sum(axis=0)[used] / shared.sum(axis=0)[used]).mean())  # over series, then folds
        return pd.Series(means, index=pd.Index(models, name="model"))

    def _distance(self, metric: str, scores, models) -> np.ndarray:
        """Scores of ``metric`` of ``models`` as "lower is better": coverage by its distance
        to the nominal level, of each model's own quantile band for ``coverage``
        (:func:`._ranking.ranking_distance`)."""
        return ranking_distance(metric, scores, list(models), self.info)

    def by_step(self, metric: str | None = None) -> pd.DataFrame:
        """``metric`` per horizon step (rows) and model (columns), over series and folds:
        where the models were not all scored on the same (series, fold) cells, over the
        cells all of them scored, as :meth:`summary` ranks them (else a model that failed
        on the hard series would look better at every step)."""
        metric = self._check_metric(metric)
        scores = self._scores
        values = {label: scores.metric(metric, m) for m, label in enumerate(scores.models) if scores.has[m].any()}
        cells = {label: np.isfinite(v).any(axis=-1) for label, v in values.items()}  # [series, fold]
        shared = np.logical_and.reduce(list(cells.values())) if cells else None
        if shared is not None and shared.any() and any((c != shared).any() for c in cells.values()):
            values = {label: np.where(shared[..., None], v, np.nan) for label, v in values.items()}
        columns = {label: combine_steps(v.reshape(-1, v.shape[-1]), metric, axis=0) for label, v in values.items()}
        wide = pd.DataFrame(columns, index=pd.Index(scores.steps, name="step"))
        wide.columns = pd.Index(list(wide.columns), name="model")
        return wide[[m for m in self.models if m in wide.columns]]

    def compare(self, reference: str, metric: str | None = None, horizon_step: int | None = None,
                cells: str = "shared") -> pd.DataFrame:
        """Diebold-Mariano test of each model against ``reference``.

        The loss differential is taken per series, fold and step where both models
        have a forecast, ordered by series, cutoff and step. Where the models were not
        all scored on the same (series, fold) cells, the test keeps (``cells="shared"``,
        the default) the cells all of them scored, those :meth:`summary` ranks them and
        computes their skill on, so that a p-value qualifies the skill beside it (a model
        failing on the hard series looked better on its own cells, yet was significantly
        worse on the shared ones); ``cells="pair"`` keeps every cell both models scored.

        The long-run variance of the differential uses autocovariances up to lag
        ``h - 1``, ``h`` the horizon (all steps pooled; where cutoffs are closer than the
        last scored step, ``gap + horizon``, so that the errors from several of them
        share innovations, the horizon times that number) or the number of cutoffs a
        ``horizon_step``-ahead forecast overlaps. The loss is the per-step value of
        ``metric`` (default :attr:`main_metric`); for ``rmse`` it is the squared error,
        whose mean can rank two models the other way from the mean of fold RMSEs that
        :meth:`summary` ranks them on. Negative statistics mean the model beats the
        reference; the small-sample correction of Harvey, Leybourne and Newbold is applied.

        Returns
        -------
        pandas.DataFrame
            Indexed by model: ``statistic``, ``p_value``, ``mean_difference`` (model
            loss minus reference loss), ``n``; statistic and p-value are NaN where
            ``n`` is below twice the lag window (no test: see
            :func:`~tsforecast.backtesting.significance.diebold_mariano`).

        Raises
        ------
        InvalidParameterError
            If ``reference`` or ``metric`` is not one of the result's, ``metric`` is a
            coverage (read by its distance to a nominal level, it has no per-step loss),
            ``horizon_step`` is not a backtested step or ``cells`` not one of
            ``"shared"``, ``"pair"``.
        """
        self._check_model(reference, "reference")
        metric = self._check_metric(metric)
        cells = _comparison.check_cells(cells)
        if _metrics.orientation(metric, 0.0)[0] == "target":
            raise InvalidParameterError(
                f"metric {metric!r} is read by its distance to a nominal level over many forecasts, so it has no "
                f"loss per step for a Diebold-Mariano test; compare on a loss such as 'interval_score' instead."
            )
        scores = self._scores
        steps, h = slice(None), self._dm_lag_window()
        if horizon_step is not None:
            horizon_step = check_int(horizon_step, "horizon_step", minimum=1)
            if horizon_step not in set(scores.steps.tolist()):
                raise InvalidParameterError(
                    f"horizon_step must be one of the backtested steps {sorted(scores.steps.tolist())!r}; "
                    f"got {horizon_step!r}."
                )
            at = int(np.flatnonzero(scores.steps == horizon_step)[0])
            steps, h = slice(at, at + 1), _comparison.step_lag_window(self.info, horizon_step)
        present = set(self._present_models())
        check_same_quantiles(metric, [m for m in self.models if m in present], self.info)
        shared = (_comparison.shared_cells(scores, metric, [m for m in self.models if m in present])
                  if cells == "shared" else None)
        return _comparison.compare_table(scores, self.models, reference, metric, steps, h, shared)

    def per_series(self, metric: str | None = None, reference: str | None = None,
                   alpha: float = 0.05) -> pd.DataFrame:
        """Scores per model and series: who wins each series, and by how much.

        The per-series view of :meth:`summary`: with many series a model can win on
        average and lose on a large share of them. Computed on arrays in one pass over
        the metrics table (no loop over series).

        Parameters
        ----------
        metric : str, optional
            The metric to score with (default :attr:`main_metric`, MASE where scored).
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
            - ``<metric>_common``, only where some model missed folds of a series that
              others scored: the mean over the folds of the series all its scored models
              share, on which ``skill``, ``rank`` and ``win`` then compare them (as
              :meth:`summary` does over series and folds);
            - ``skill`` (with ``reference``): ``1 - score / score of reference`` on the
              same series, NaN where the reference's score is zero or missing (no ratio
              exists: a perfect or unscored reference);
            - ``rank``: 1 for the best score on the series (ties share the lower rank):
              the lowest, or for coverage the closest to its nominal level (skill is
              then on the distance to that level, as in :meth:`summary`);
            - ``win``: True for the one model with the best score on the series (a
              tie goes to the model given first), so the wins add up to the number of
              scored series;
            - ``win_p_value``: for the winner, the Diebold-Mariano p-value against the
              runner-up on that series (the steps of the folds the win was decided on,
              those ``<metric>_common`` covers, in time order; losses as in
              :meth:`compare`, the squared error for ``rmse``, a missing one left out);
              NaN on other rows, and where the test lacks the data: fewer than ``2 h``
              paired step losses (``h`` the lag window of :meth:`compare`, whose
              ``h - 1`` autocovariances enter the variance), and for coverage (no loss
              per step);
            - ``significant_win``: ``win`` and ``win_p_value < alpha`` with the test
              pointing the same way as the scores (the winner's mean loss the lower):
              a significant difference the other way is no significant win.

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
        scores = self._scores
        order = self.scored_models
        rows = [scores.models.index(m) for m in order]
        losses = np.stack([scores.metric(metric, m) for m in rows]) if rows else np.zeros((0,) + scores.has.shape[1:])
        score, n_folds = series_scores(losses, metric)
        # the folds of each series all its models scored: ranks compare on them, and a win is tested on them
        shared = shared_folds(losses, metric)
        ranked_on = shared_fold_scores(losses, metric, score, shared)
        has = scores.has[rows].any(axis=2)
        tested = losses if shared.all() else np.where(shared[None, :, :, None], losses, np.nan)
        if metric in QUADRATIC:
            tested = tested**2
        paired = tested.reshape(tested.shape[0], tested.shape[1], -1)  # [model, series, fold * step]: time order
        distance = self._distance(metric, ranked_on, order)
        if _metrics.orientation(metric, 0.0)[0] == "target":
            paired = np.full(paired.shape[:2] + (0,), np.nan)  # no per-step loss: no Diebold-Mariano p-value
        rank, win, statistic, p_value = series_ranks(distance, paired, self._dm_lag_window())
        table = pd.DataFrame({"model": np.repeat(np.asarray(order, dtype=object), score.shape[1]),
                              "unique_id": np.tile(np.arange(score.shape[1]), len(order))})
        table[metric] = score.ravel()
        table["n_folds"] = n_folds.ravel()
        if not np.array_equal(ranked_on, score, equal_nan=True):  # some model missed folds others scored
            table[f"{metric}_common"] = ranked_on.ravel()
        if reference is not None:
            base = ranked_on[order.index(reference)] if reference in order else np.full(score.shape[1], np.nan)
            base = self._distance(metric, base, [reference])
            with np.errstate(divide="ignore", invalid="ignore"):
                skill = np.where(np.isfinite(base) & (base != 0), 1.0 - distance / base, np.nan)
            table["skill"] = skill.ravel()
        table["rank"] = pd.array(np.where(np.isnan(rank), np.nan, rank).ravel(), dtype="Int64")
        table["win"] = win.ravel()
        table["win_p_value"] = p_value.ravel()
        # significant the way the scores rank the models: a test favouring the runner-up is no win
        table["significant_win"] = table["win"] & (table["win_p_value"] < alpha) & (statistic.ravel() < 0)
        table = table[has.ravel()].reset_index(drop=True)
        table["model"] = pd.Categorical(table["model"], categories=pd.Index(order, dtype=object))
        table["unique_id"] = scores.key_column("unique_id", table["unique_id"].to_numpy())
        return table

    def _dm_lag_window(self) -> int:
        """``h`` of the pooled Diebold-Mariano tests (:func:`._comparison.lag_window`)."""
        return _comparison.lag_window(self.info, len(self._scores.steps))

    # -- files ---------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> Path:
        """Write the result to one zip file, atomically: the forecast arrays as ``.npy``
        members (or, for a result built from tables or with timestamps NumPy cannot
        store without pickle, the tables as CSV) and JSON metadata. Missing parent folders
        are created; a ``path`` that is a folder, ends with a separator, or is under a
        file raises :class:`~tsforecast.exceptions.FileWriteError` (the rule of every writer)."""
        path = file_target(path)  # before the conversion drops the separator of "out/"
        members = {"info.json": dumps(self.info), "histories.json": dumps(self.histories)}
        arrays = self._arrays.arrays() if self._arrays is not None else None
        if arrays is not None and all(a.dtype != object for a in arrays.values()):
            manifest = {"version": 2, "arrays": self._arrays.describe(), **_table_members(members, self, ["errors"])}
            for name, values in arrays.items():
                members[f"arrays/{name}.npy"] = _npy(values)
        else:
            manifest = {"version": 1, **_table_members(members, self, _TABLES)}
        manifest = {"format": _FORMAT, **manifest, "sha256": digests(members)}
        return write_archive(path, [(MANIFEST, dumps(manifest)), *members.items()])

    @classmethod
    def load(cls, path: str | os.PathLike) -> BacktestResult:
        """Read a result written by :meth:`save`; raises :class:`ModelFileError` if the
        file is not one, is truncated or was altered."""
        path = as_path(path)
        manifest, members = read_archive(path, _FORM)
        try:
            names = _TABLES if manifest["version"] == 1 else ("errors",)
            tables = {name: _read_table(members[f"{name}.csv"], manifest["schema"][name],
                                        manifest.get("categories", {}).get(name, {})) for name in names}
            rest = (tables["errors"], _fold_keys(json.loads(members["histories.json"])),
                    _info_keys(json.loads(members["info.json"])))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ModelFileError(f"{path} has an invalid member or manifest entry: {exc!r}.") from None
        if manifest["version"] == 1:
            return cls(tables["forecasts"], tables["metrics"], *rest)
        return cls.from_arrays(_read_arrays(path, members, manifest), *rest)


def _fold_records(folds: dict) -> list[tuple[str, dict]]:
    """``[(label, record)]`` in fold order from ``{fold: record}``, or from
    ``{fold: {series: record}}`` for a model fitted series by series (``fold/series``)."""
    rows = []
    for fold, value in sorted(folds.items(), key=lambda kv: int(kv[0])):
        if isinstance(value, dict) and "reference" not in value:
            rows += [(f"{fold}/{series}", dict(inner)) for series, inner in value.items()]
        else:
            rows.append((str(fold), dict(value)))
    return rows


def _table_members(members: dict, result: BacktestResult, names) -> dict:
    """Write tables ``names`` of ``result`` as CSV members; their schema for the manifest."""
    schema, categories = {}, {}
    for name in names:
        table = getattr(result, name)
        members[f"{name}.csv"] = table.to_csv(index=False).encode("utf-8")
        schema[name] = {str(c): str(t) for c, t in table.dtypes.items()}
        categories[name] = {str(c): json_labels(table[c].cat.categories) for c, t in table.dtypes.items()
                            if isinstance(t, pd.CategoricalDtype)}
    return {"schema": schema, "categories": categories}


def _npy(values: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(values), allow_pickle=False)
    return buffer.getvalue()


def _read_arrays(path: Path, members: dict, manifest: dict) -> ForecastArrays:
    """The arrays of a version-2 file, read without pickle and checked for consistency."""
    try:
        arrays = {name[len("arrays/"):-len(".npy")]: np.load(io.BytesIO(data), allow_pickle=False)
                  for name, data in members.items() if name.startswith("arrays/") and name.endswith(".npy")}
        restored = ForecastArrays.from_arrays(arrays, manifest["arrays"])
        problem = restored.check_shapes()
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelFileError(f"path {str(path)!r} holds unreadable forecast arrays: {exc!r}.") from None
    if problem is not None:
        raise ModelFileError(f"path {str(path)!r} holds inconsistent forecast arrays: {problem}.")
    return restored


def _int_keys(mapping: dict) -> dict:
    """``mapping`` with the integer keys JSON turned into strings turned back."""
    return {int(k) if str(k).lstrip("-").isdigit() else k: v for k, v in mapping.items()}


def _info_keys(info: dict) -> dict:
    """``info["cutoffs"]`` keyed by fold number again (``info["cutoffs"][1]`` found nothing after a load)."""
    if isinstance(info.get("cutoffs"), dict):
        info["cutoffs"] = _int_keys(info["cutoffs"])
    return info


def _fold_keys(histories: dict) -> dict:
    """The fold keys of ``histories`` as integers again."""
    return {model: _int_keys(folds) for model, folds in histories.items()}


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
