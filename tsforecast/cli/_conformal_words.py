"""What ``tsforecast predict`` says of the conformal intervals a model file holds (those of
``tsforecast fit --levels``): they were calibrated at fit time for a horizon and a number
of windows, and a model file holds no data to calibrate them again, so the remedy is a
refit with ``tsforecast fit``, said in the command line's options."""

from __future__ import annotations

from pathlib import Path

import click

from ..exceptions import InsufficientDataError
from ..forecasters.calibration import uses_conformal
from ..forecasters.intervals import ConformalIntervals

__all__ = ["check_calibration_possible", "check_conformal_horizon", "conformal_in_cli_words"]

def check_conformal_horizon(model, model_file: Path, horizon: int, levels) -> None:
    """Refuse, before forecasting, intervals past the steps a model's conformal intervals
    were calibrated for; point forecasts (no ``--levels``) take any horizon."""
    if levels is None or not isinstance(model, ConformalIntervals) or horizon <= model.horizon_:
        return
    raise click.BadParameter(
        f"{horizon}: the conformal intervals of the model in {str(model_file)!r} were calibrated for "
        f"{model.horizon_} steps (its `tsforecast fit -H`); ask at most -H {model.horizon_} with --levels, or refit "
        f"with `tsforecast fit -H {horizon} --levels ...`. Point forecasts (without --levels) take any horizon.",
        param_hint="--horizon")


def check_calibration_possible(model, model_file: Path, horizon: int, levels) -> None:
    """Refuse ``--levels`` before forecasting where predict would calibrate conformal
    intervals for a model with future covariates: the calibration replays the model on
    its training data, whose covariates a model file does not keep (the library said to
    wrap it in ``ConformalIntervals(...)``, Python the command line has not)."""
    future = list(getattr(model, "future_covariates_", None) or [])
    if levels is None or not future or isinstance(model, ConformalIntervals):
        return
    n_out = getattr(model, "n_steps_out_", None)
    if not uses_conformal(model, "auto") and (n_out is None or horizon <= n_out):
        return  # its own distribution answers (past a window model's n_steps_out it goes conformal)
    asked = ",".join(f"{level:g}" for level in levels)
    raise click.UsageError(
        f"--levels: the model in {str(model_file)!r} ({type(model).__name__}) reads the future covariates "
        f"{future!r}, and predict cannot calibrate conformal intervals for it (that needs the covariates of its "
        f"fit, which a model file does not keep): fit it with `tsforecast fit --future-covariates "
        f"{','.join(future)} -H {horizon} --levels {asked} ...`, which calibrates them at fit, then predict with "
        "--data and --levels.")


def conformal_in_cli_words(error: InsufficientDataError, model, model_file: Path, levels) -> Exception:
    """Too few calibration errors for a level, said with predict's remedy: ``give more
    --calibration-windows`` named an option of ``fit``, not of predict."""
    found = getattr(error, "facts", {})
    if "usable" not in found or not isinstance(model, ConformalIntervals):
        return error
    asked = ",".join(f"{level:g}" for level in levels)
    return InsufficientDataError(
        f"--levels: a {found['level']:g}% interval needs at least {found['needed']} calibration errors per step; the "
        f"model in {str(model_file)!r} was calibrated with {found['usable']} per step (`tsforecast fit --calibration-windows "
        f"{model.n_windows}`), and predict cannot calibrate again (a model file holds no data): ask lower "
        f"--levels, or refit with `tsforecast fit --levels {asked} --calibration-windows {found['needed']}`.")
