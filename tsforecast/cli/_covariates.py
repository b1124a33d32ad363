"""Which covariates reach which model of the command line, and a warning naming the
models that ignore those given (``fit`` and ``backtest`` alike)."""

from __future__ import annotations

import warnings

from ..core.forms import ID_COLUMN, TIME_COLUMN
from ._input import Selection

__all__ = ["target_and_covariates", "warn_ignored_covariates"]


def target_and_covariates(selection: Selection, model):
    """``y`` (the target) and ``X`` (covariates, or None) in the data's form."""
    keys = [ID_COLUMN, TIME_COLUMN] if ID_COLUMN in selection.data.columns else []
    inputs = selection.covariates + selection.future_covariates
    y = selection.data[[*keys, selection.target]]
    if not inputs or not getattr(model, "uses_covariates", False):  # warn_ignored_covariates said which
        return y, None
    return y, selection.data[[*keys, *inputs]]


def warn_ignored_covariates(selection: Selection, models: dict, regression_reads_past: bool) -> None:
    """Warn of the covariates given that models ignore, naming the models (a backtest of
    arima and theta with --covariates scored as without them, without a word): models
    that use no covariates, and models with only a ``future_covariates`` parameter (arima,
    autoarima), which a backtest gives no --covariates (a past-observed column has no
    values for the forecast steps to regress on); ``fit`` gives them as regressors
    (``regression_reads_past``)."""
    past, future = selection.covariates, selection.future_covariates
    blind = [name for name, model in models.items() if not getattr(model, "uses_covariates", False)]
    if past + future and blind:
        warnings.warn(f"{_they(blind, 'uses', 'use')} no covariates; {', '.join(past + future)} are ignored by "
                      f"{'it' if len(blind) == 1 else 'them'}.", stacklevel=2)
    future_only = [name for name, model in models.items() if name not in blind and not _has_past_role(model)]
    if past and future_only and not regression_reads_past:
        warnings.warn(f"{_they(future_only, 'regresses', 'regress')} only on --future-covariates; --covariates "
                      f"{', '.join(past)} are ignored by {'it' if len(future_only) == 1 else 'them'}.", stacklevel=2)


def _they(names: list[str], one: str, many: str) -> str:
    """``theta uses`` or ``theta and ets use`` (``one``, ``many``: the verb's two forms)."""
    return f"{', '.join(names[:-1])} and {names[-1]} {many}" if len(names) > 1 else f"{names[0]} {one}"


def _has_past_role(model) -> bool:
    """Whether the model (or the one it wraps) has a ``covariates`` parameter: past-observed inputs."""
    return any(key == "covariates" or key.endswith("__covariates") for key in model.get_params(deep=True))
