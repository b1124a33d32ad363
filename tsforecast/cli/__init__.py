"""The ``tsforecast`` command: backtest, fit, predict, datasets.

A thin layer over the library: it parses options (with click), reads the data, calls
:func:`tsforecast.backtest`, :func:`tsforecast.report`, :func:`tsforecast.save` and
:func:`tsforecast.load`, and prints results. Every expected failure (a missing file or
column, a bad option, data the models cannot use) ends with a one-line
``Error: ...`` message on stderr and a non-zero exit status (2 for misused options,
1 for everything else); set ``TSFORECAST_DEBUG=1`` to see the traceback instead.

Examples
--------
::

    tsforecast datasets
    tsforecast backtest --dataset seattle_weather --target temp_max \\
        --covariates precipitation,temp_min,wind --horizon 7 --folds 3 \\
        --models lstm,naive,snaive,theta,ets --report reports/weather.html
    tsforecast backtest --data panel.csv --horizon 7 --models naive,snaive,ses   # unique_id, ds, y
    tsforecast fit --data sales.csv --target sales --model lstm --horizon 14 --out sales.tsf
    tsforecast predict --model-file sales.tsf --data sales.csv --out forecast.csv
    tsforecast predict --model-file sales.tsf --levels 80,95 --out forecast.csv   # + lo_80, hi_80, ...

One name per concept: ``--model``/``--models`` name models of the registry,
``--model-file`` is a file written by ``fit``, and ``--out`` is the file a command
writes (the old names ``--save``, ``--save-result`` and ``predict --model FILE`` still
work, hidden from ``--help``).
"""

from __future__ import annotations

import os
import sys
import warnings
from functools import partial
from pathlib import Path

import click

from .. import __version__
from ..core.forms import ID_COLUMN
from ..core.splits import ExpandingWindowSplit
from ..core.timeindex import SEASON_GIVEN, season_rule
from ..exceptions import InsufficientDataError, InvalidParameterError
from ..forecasters.calibration import can_give_intervals
from ._covariates import target_and_covariates, warn_ignored_covariates
from ._conformal_words import check_calibration_possible, check_conformal_horizon, conformal_in_cli_words
from ._forecast_data import check_no_future_rows, check_no_new_values, future_rows_in_cli_words, inputs_from
from ._frequency import has_timestamps, regular_frequency
from ._input import Selection, load_dataset, read_table, select, split_names
from ._keys import key_options, read_key
from ._paths import FILE, check_csv_name, check_outputs, check_suffixes
from ._written import write_table
from ._quiet import QuietStderr, quiet_python_loggers
from ._registry import (
    DEFAULT_MODELS,
    MODEL_HELP,
    ModelSettings,
    describe_lstm,
    make_model,
    make_models,
    model_names,
    parse_levels,
    parse_model_names,
    with_intervals,
)

__all__ = ["cli", "main"]

_DEBUG_ENV = "TSFORECAST_DEBUG"
_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


# -- shared options ------------------------------------------------------------
def _data_options(command):
    """The options that say which data to read and what each column is."""
    options = [
        click.option("--data", "data_file", type=FILE,
                     help="A .csv, .tsv, .parquet or .xlsx file (.csv.gz, .bz2, .xz, .zip too; a workbook's first "
                          "sheet): one row per time step "
                          "(and series, for a panel)."),
        click.option("--sheet", help="The sheet of an .xlsx --data to read: its name or position from 1 "
                                     "(default: the first)."),
        click.option("--dataset", help="A bundled dataset instead of --data (see `tsforecast datasets`)."),
        click.option("--target", help="The column to forecast (default with --dataset: its usual target); "
                                      "several, comma-separated, forecast each column as its own series."),
        click.option("--time-column", help="The timestamp column (default: the first of ds, date, datetime, "
                                           "timestamp, time, period, else the one column of dates; without "
                                           "one, rows are time steps 0, 1, ...)."),
        click.option("--id-column", help="The series id column of a panel (many series in one long table; "
                                         "default: unique_id when there is one)."),
        click.option("--freq", help="Put the data on this pandas frequency (D, h, W-SUN, MS, ...): missing steps "
                                    "become empty rows that --fill repairs."),
        click.option("--covariates", help="Comma-separated past-observed covariate columns (known up to the "
                                          "forecast origin)."),
        click.option("--future-covariates", help="Comma-separated covariate columns known in advance for the "
                                                 "forecast steps (calendar, plans)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _model_options(command):
    """Options that tune the models the registry makes."""
    options = [
        click.option("--season-length", type=click.IntRange(min=1),
                     help="Season length m for seasonal baselines, MASE and the lstm (default: from the data's "
                          "frequency: 24 hourly, 48 half-hourly, 7 daily, 5 business-daily, 52 weekly, 12 "
                          "monthly, 4 quarterly, else 1 with a note; the lstm takes it when shorter than "
                          "--lookback)."),
        click.option("--lookback", type=click.IntRange(min=1),
                     help="Input steps of the lstm and ridge windows (default: 3 horizons, at least 12, and "
                          "3 seasons of a given --season-length)."),
        click.option("--epochs", type=click.IntRange(min=1), default=50, show_default=True,
                     help="Most training epochs of the lstm (early stopping may end sooner)."),
        click.option("--units", type=click.IntRange(min=1), default=32, show_default=True,
                     help="LSTM units of the lstm model."),
        click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the lstm."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _repair_options(command):
    """How missing values and too-short series are handled (as the library's fill/on_short)."""
    options = [
        click.option("--fill", type=click.Choice(["ffill", "interpolate"]),
                     help="Repair missing values: carry the last value forward, or interpolate linearly "
                          "(default: refuse data with missing values)."),
        click.option("--on-short", type=click.Choice(["raise", "skip"]), default="raise", show_default=True,
                     help="A panel series too short for the models or folds: stop with an error, or skip it "
                          "with a warning naming it."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _interval_options(command):
    """Prediction intervals: the levels, and how models without their own are calibrated."""
    options = [
        click.option("--levels", help="Prediction interval levels in percent, comma-separated (e.g. 80,95). "
                                      "Models without a forecast distribution of their own (lstm, ridge, theta, "
                                      "comb) get conformal intervals calibrated on their walk-forward errors."),
        click.option("--calibration-windows", type=click.IntRange(min=1), default=20, show_default=True,
                     help="Walk-forward windows that calibrate conformal intervals (a 95% interval needs 19 "
                          "errors per step: windows x series)."),
        click.option("--conformal", is_flag=True,
                     help="Calibrate every model's intervals conformally, also those with a distribution."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _selection(data_file, dataset, target, time_column, id_column, covariates, future_covariates,
               freq=None, sheet=None) -> Selection:
    past, future = split_names(covariates, "--covariates"), split_names(future_covariates, "--future-covariates")
    if (data_file is None) == (dataset is None):
        raise click.UsageError("give exactly one of --data FILE and --dataset NAME.")
    if dataset is not None:
        if id_column is not None:
            raise click.UsageError("--id-column applies to --data files only; bundled datasets are single series.")
        # a bundled dataset has its own time column and a regular frequency: these would be ignored
        for option, value in (("--time-column", time_column), ("--freq", freq), ("--sheet", sheet)):
            if value is not None:
                raise click.UsageError(f"{option} applies to --data files only; bundled datasets come with their "
                                       f"time column and frequency (see `tsforecast datasets`); got {value!r}.")
        return load_dataset(dataset, target=target, covariates=past, future_covariates=future)
    notes: list[str] = []
    table = read_table(data_file, notes, text_columns=[id_column or ID_COLUMN], sheet=sheet)
    for note in notes:  # before the columns are read: a sheet left unread explains a refusal
        click.echo(f"note: {note}", err=True)
    selection = select(table, target=target, time_column=time_column, id_column=id_column, covariates=past,
                       future_covariates=future, source=f"{data_file}", freq=freq)
    for note in selection.notes:
        click.echo(f"note: {note}", err=True)
    check_no_future_rows(selection.data, selection.target, str(data_file), click.get_current_context().info_name)
    return selection


def _season(selection: Selection, season_length: int | None) -> tuple[int, str]:
    """The season by :func:`tsforecast.core.timeindex.season_rule` (as ``backtest`` derives it), said on stderr."""
    frequency = regular_frequency(selection.data, selection.name)
    season, source = season_rule(season_length, frequency)
    # timestamps without a frequency are irregular or duplicated, an error the backtest names
    # (a note about integer time before it would mislead); a season read from the frequency
    # is said with the results
    irregular = frequency is None and has_timestamps(selection.data)
    if season == 1 and source != SEASON_GIVEN and not irregular:
        click.echo(f"note: {_season_words(1, source)}: seasonal models and MASE use no season; "
                   "--season-length sets one.", err=True)
    return season, source


def _season_words(season, source: str) -> str:
    """``season length 7 (from frequency D)``; a source with its own reason in parentheses
    (``default (integer time: no frequency)``) without parentheses in parentheses."""
    if source.endswith(")") and " (" in source:
        head, reason = source[:-1].split(" (", 1)
        source = f"{head}; {reason}"
    return f"season length {season} ({source})"


def _settings(horizon, selection, season_length, lookback, epochs, units, seed) -> ModelSettings:
    season, source = _season(selection, season_length)
    return ModelSettings(horizon=horizon, season_length=season, lookback=lookback, epochs=epochs, units=units,
                         seed=seed, future_covariates=tuple(selection.future_covariates),
                         season_given=source == SEASON_GIVEN)


def _deprecated(new_value, old_value, old: str, new: str):
    """The value of ``new``, or of its deprecated alias ``old`` (hidden from --help, kept
    silent so that scripts and their one-line error output keep working); both: a usage error."""
    if old_value is None:
        return new_value
    if new_value is not None:
        raise click.UsageError(f"give {new}, not both {new} and its old name {old}.")
    return old_value


#: Examples shown by each command's --help; tests/test_first_use.py runs them, in this order, in one folder.
EXAMPLES = {
    "backtest": ["tsforecast backtest --dataset co2 --horizon 13 --folds 2 --models naive,snaive,theta "
                 "--report co2.html"],
    "fit": ["tsforecast fit --dataset co2 --model theta --horizon 13 --levels 80,95 --out co2.tsf"],
    "predict": ["tsforecast predict --model-file co2.tsf --levels 80,95 --out forecast.csv"],
}


def _epilog(command: str, models: bool = False) -> str:
    """Examples (kept as written: click's \\b), then the model names for commands that make models."""
    text = "Examples:\n\n\b\n" + "\n".join(f"  {line}" for line in EXAMPLES[command])
    return text + ("\n\nModels:\n\n" + MODEL_HELP.replace("\n", "\n\n") if models else "")


# -- commands ------------------------------------------------------------------
@click.group(context_settings=_CONTEXT, epilog=f"Set {_DEBUG_ENV}=1 to see tracebacks of errors.")
@click.version_option(__version__, prog_name="tsforecast")
@click.option("--verbose", "-v", is_flag=True,
              help="Show TensorFlow's start-up and log lines (hidden by default).")
@click.pass_context
def cli(ctx: click.Context, verbose: bool) -> None:
    """Multi-step forecasting with an encoder-decoder LSTM, held against baselines.

    Run `tsforecast COMMAND --help` for the options of each command.
    """
    if not verbose:
        # before TensorFlow is first imported: its C++ lines go to descriptor 2 at import
        quiet_python_loggers()
        ctx.with_resource(QuietStderr())


@cli.command(epilog=_epilog("backtest", models=True))
@_data_options
@click.option("--horizon", "-H", type=click.IntRange(min=1), required=True, help="Steps forecast and scored per fold.")
@click.option("--models", "-m", "model_list", default=DEFAULT_MODELS, show_default=True,
              help=f"Comma-separated model names: {', '.join(model_names())}.")
@click.option("--folds", type=click.IntRange(min=1), default=3, show_default=True,
              help="Walk-forward folds, placed at the end of the data.")
@click.option("--step", type=click.IntRange(min=1), help="Steps between fold cutoffs (default: the horizon).")
@click.option("--align", type=click.Choice(["end", "time"]), default="end", show_default=True,
              help="Folds counted back from each series' own end, or at the same times for every series (those "
                   "of the series ending last; for panels whose series end at different times).")
@_model_options
@click.option("--report", "report_path", type=FILE,
              help="Write the HTML report here, its Markdown twin beside it (.md) and figures in <stem>_files/.")
@click.option("--title", help="The report's title.")
@click.option("--reference", help="The model skill and significance are measured against (default: snaive, "
                                  "else naive, else the best baseline; also where the model named failed in "
                                  "every fold, with a warning).")
@click.option("--out", "save_result", type=FILE,
              help="Save the BacktestResult here, for example result.zip (a zip of tables and JSON, no pickle; "
                   "BacktestResult.load reads it; a .csv, .json, ... name is refused).")
@click.option("--save-result", "save_result_old", type=FILE, hidden=True,
              help="Deprecated name of --out.")
@click.option("--per-series", "per_series_path", type=FILE,
              help="Write the per-series table here as CSV: one row per model and series with the mean of the "
                   "main metric over folds, skill against the reference, rank and wins (BacktestResult.per_series).")
@click.option("--n-jobs", type=int, default=1, show_default=True, callback=lambda ctx, param, value: _n_jobs(value),
              help="Parallel tasks (-1: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@_interval_options
@_repair_options
def backtest(data_file, sheet, dataset, target, time_column, id_column, freq, covariates, future_covariates,
             horizon, model_list, folds, step, align, season_length, lookback, epochs, units, seed, report_path, title,
             reference, save_result, save_result_old, per_series_path, n_jobs, quiet, levels, calibration_windows,
             conformal, fill, on_short) -> None:
    """Walk-forward backtest of models on a file or bundled dataset; optional report.

    Prints the models ranked by their main metric and, with --report, writes an HTML
    report and its Markdown twin.
    """
    save_result = _deprecated(save_result, save_result_old, "--save-result", "--out")
    names = parse_model_names(model_list)
    if reference is not None and reference not in names:
        raise click.BadParameter(f"must be one of the models {', '.join(names)}; got {reference!r}.",
                                 param_hint="--reference")
    # before the backtest, not after minutes of it
    check_outputs({"--data": data_file},
                   {"--report": report_path, "--out": save_result, "--per-series": per_series_path})
    check_suffixes(save_result, per_series_path)
    levels = parse_levels(levels)
    selection = _selection(data_file, dataset, target, time_column, id_column, covariates, future_covariates, freq,
                           sheet)
    settings = _settings(horizon, selection, season_length, lookback, epochs, units, seed)
    models = make_models(names, settings)
    _say_lstm_settings(names, settings)
    warn_ignored_covariates(selection, models, regression_reads_past=False)
    if levels is not None:
        models = with_intervals(models, levels, horizon, calibration_windows, conformal)
    from ..backtesting import backtest as run_backtest

    try:
        result = run_backtest(
            models, selection.data, cv=ExpandingWindowSplit(horizon, n_splits=folds, step=step),
            target=selection.target, covariates=selection.covariates or None,
            future_covariates=selection.future_covariates or None, season_length=season_length,
            levels=levels, n_jobs=n_jobs, progress=not quiet, fill=fill, on_short=on_short, align=align,
        )
    except InsufficientDataError as error:
        raise _short_in_cli_words(error, selection, models, on_short, folds=True) from None
    # Where the data came from and how to rerun: shown in the report, kept by --save-result.
    if _command_line() is not None:
        result.info["command"] = _command_line()
    result.info["data"] = {"source": selection.name, **result.info.get("data", {})}
    if save_result is not None:  # first: the result needs no reference, and holds minutes of work
        result.save(save_result)
        click.echo(f"saved the result to {save_result}")
    reference = _scored_reference(result, reference)
    _print_summary(result, reference)
    if per_series_path is not None:
        _write_per_series(result, reference, per_series_path)
    if report_path is not None:
        from ..reporting import report

        title = title if title is not None else f"Backtest of {', '.join(names)} on {selection.name}"
        paths = report(result, report_path, title=title, reference=reference)
        click.echo(f"wrote {paths.html}, {paths.markdown} and {paths.figures}/")


def _scored_reference(result, reference: str | None) -> str | None:
    """``--reference``, or where that model failed in every fold (nothing to measure against),
    the default reference, said in a warning: the outputs are still written, each naming it."""
    from ..reporting import choose_reference

    errors = result.errors
    if reference is None or not len(errors) or reference not in set(errors["model"].astype(str)):
        return reference
    try:
        return choose_reference(result, reference)
    except InvalidParameterError:  # absent from the scores: it failed everywhere
        fallback = choose_reference(result, None)
    click.echo(f"warning: --reference {reference!r} failed in every fold (see its failure below), so nothing can "
               f"be measured against it; skill and significance are measured against {fallback!r} instead "
               "(the default reference).", err=True)
    return fallback


def _n_jobs(value: int) -> int:
    """``--n-jobs`` checked as the backtest checks ``n_jobs``, before any work and by the option's name."""
    if value < 1 and value != -1:
        raise click.BadParameter(f"must be a positive number of parallel tasks or -1 (all cores); got {value}.",
                                 param_hint="--n-jobs")
    return value


def _say_lstm_settings(names: list[str], settings: ModelSettings) -> None:
    """What the lstm derives from the season (issue: a season the user gives must reach it)."""
    if "lstm" in names:
        click.echo(f"note: lstm: {describe_lstm(settings)}", err=True)


def _write_per_series(result, reference: str | None, path: Path) -> None:
    """``result.per_series`` of the main metric against the report's reference, as CSV."""
    from ..reporting import choose_reference, main_metric

    table = result.per_series(metric=main_metric(result), reference=choose_reference(result, reference))
    try:
        write_table(table, path)
    except OSError as error:  # a FileWriteError: it names the path and why
        raise click.BadParameter(str(error), param_hint="--per-series") from None
    wins = table[table["win"]].groupby("model", observed=True).size()
    click.echo(f"wrote {len(table)} per-series row(s) to {path}; series won: "
               + ", ".join(f"{model} {int(count)}" for model, count in wins.items()))


def _command_line() -> str | None:
    """The command as typed, when run through :func:`main` (which records its arguments)."""
    import shlex

    obj = click.get_current_context().find_root().obj
    args = obj.get("argv") if isinstance(obj, dict) else None
    return None if args is None else "tsforecast " + " ".join(shlex.quote(arg) for arg in args)


def _print_summary(result, reference: str | None) -> None:
    from ..reporting import choose_reference, main_metric

    metric = main_metric(result)
    reference = choose_reference(result, reference)
    summary = result.summary(reference=reference, metric=metric)
    columns = [c for c in ("rank", f"{metric}_mean", f"{metric}_std", f"{metric}_common", "skill", "n_errors")
               if c in summary.columns]
    table = summary.sort_values("rank")[columns]
    season = _season_words(result.info.get("season_length"), result.info.get("season_length_source", "given"))
    ranked_by = (f"{metric.upper()} on the series and folds every model scored ({metric}_common; not all were)"
                 if f"{metric}_common" in summary.columns else f"mean {metric.upper()} over folds")
    click.echo(f"Models ranked by {ranked_by}; skill relative to {reference}; {season}:")
    click.echo(table.to_string(float_format=lambda v: f"{v:.4g}"))
    levels = result.info.get("levels") or []
    columns = [f"{name}_{level:g}_mean" for level in levels for name in ("coverage", "width")]
    if columns:
        click.echo("Prediction intervals: empirical coverage (nominal: the level) and mean width:")
        click.echo(summary[columns].rename(columns=lambda c: c[: -len("_mean")])
                   .to_string(float_format=lambda v: f"{v:.4g}"))
    _say_failures(result)


def _say_failures(result) -> None:
    """Each model with failed folds, how many and the first error, in the CLI's option names:
    a model that failed everywhere is missing from the table above, which must not pass unsaid."""
    errors = result.errors
    if not len(errors):
        return
    folds = result.info.get("n_folds")
    for model, rows in errors.groupby("model", observed=True, sort=False):
        message = _in_cli_words(str(rows["error"].iloc[0]))
        where = f"{rows['fold'].nunique()} of {folds} fold(s)" + (
            f" of {rows['unique_id'].nunique()} series" if rows["unique_id"].nunique() > 1 else "")
        click.echo(f"warning: {model} failed in {where}: {message}", err=True)


@cli.command(epilog=_epilog("fit", models=True))
@_data_options
@click.option("--model", "model_name", required=True, help=f"One model name: {', '.join(model_names())}.")
@click.option("--horizon", "-H", type=click.IntRange(min=1), required=True,
              help="Steps the model will forecast (the lstm's output steps; kept in the file as predict's default).")
@_model_options
@click.option("--out", "save_path", type=FILE,
              help="The model file to write (for example model.tsf); required.")
@click.option("--save", "save_path_old", type=FILE, hidden=True,
              help="Deprecated name of --out.")
@key_options
@_interval_options
@_repair_options
def fit(data_file, sheet, dataset, target, time_column, id_column, freq, covariates, future_covariates, model_name,
        horizon, season_length, lookback, epochs, units, seed, save_path, save_path_old, key_env, key_file, levels,
        calibration_windows, conformal, fill, on_short) -> None:
    """Fit one model on all the data and save it to a file (no pickle; signed with a key if one is given).

    With --levels, a model without a forecast distribution of its own is saved with
    conformal intervals calibrated on this data, so that `predict --levels` can give them.
    """
    save_path = _deprecated(save_path, save_path_old, "--save", "--out")
    if save_path is None:
        raise click.UsageError("Missing option '--out': the model file to write.")
    check_outputs({"--data": data_file, "--key-file": key_file}, {"--out": save_path})
    key = read_key(key_env, key_file)
    name = parse_model_names(model_name, "--model")
    if len(name) != 1:
        raise click.BadParameter("names one model only.", param_hint="--model")
    levels = parse_levels(levels)
    selection = _selection(data_file, dataset, target, time_column, id_column, covariates, future_covariates, freq,
                           sheet)
    settings = _settings(horizon, selection, season_length, lookback, epochs, units, seed)
    model = make_model(name[0], settings)
    _say_lstm_settings(name, settings)
    model.set_params(**{k: v for k, v in {"fill": fill, "on_short": on_short}.items() if k in model.get_params()})
    if levels is not None:
        model = with_intervals({"m": model}, levels, horizon, calibration_windows, conformal)["m"]
    warn_ignored_covariates(selection, {name[0]: model}, regression_reads_past=True)
    y, X = target_and_covariates(selection, model)
    click.echo(f"fitting {name[0]} ({type(model).__name__}) on {selection.name} ...", err=True)
    try:
        model.fit(y, X)
    except InsufficientDataError as error:
        raise _short_in_cli_words(error, selection, {name[0]: model}, on_short, folds=False) from None
    if getattr(model, "n_steps_out_", None) is None and getattr(model, "horizon_", None) is None:
        model.horizon_ = horizon  # fitted state, saved with the model: predict's default horizon
    from ..storage.model_files import save

    save(model, save_path, key=key)
    click.echo(f"saved {name[0]} ({type(model).__name__}) fitted on {selection.name} to {save_path}")


@cli.command(epilog=_epilog("predict"))
@click.option("--model-file", "model_file", type=FILE,
              help="A model file written by `tsforecast fit --out`; required.")
@click.option("--model", "model_file_old", type=FILE, hidden=True,
              help="Deprecated name of --model-file.")
@click.option("--data", "data_file", type=FILE,
              help="Forecast from the end of this data instead of the data the model was fitted on "
                   "(models that can update their inputs, like lstm and ridge). Rows after a series' last "
                   "target value carry future covariates (for arima and autoarima with --future-covariates, and "
                   "models fitted with --levels and --future-covariates, which forecast from the end of their "
                   "fit, only those); a target value or date missing before it is "
                   "refused unless the model was fitted with --fill (then a missing date becomes an empty row on "
                   "the model's frequency, repaired as in its fit).")
@click.option("--sheet", help="The sheet of an .xlsx --data: its name or position from 1 (default: the first).")
@click.option("--time-column", help="The timestamp column of --data.")
@click.option("--id-column", help="The series id column of --data (a panel).")
@click.option("--horizon", "-H", type=click.IntRange(min=1), help="Steps to forecast (default: the model's).")
@click.option("--out", "out_file", type=FILE, default="-", show_default=True,
              help="The CSV file to write (.csv.gz, .bz2, .xz, .zip: compressed; .xlsx: a workbook); '-' prints it.")
@click.option("--levels", help="Add prediction intervals of these levels in percent (e.g. 80,95): lo_80, hi_80, "
                               "... columns. The model needs a forecast distribution, conformal intervals "
                               "from `tsforecast fit --levels`, or --data to calibrate conformal ones on "
                               "(lstm, ridge without --future-covariates: one extra fit).")
@key_options
def predict(model_file, model_file_old, data_file, sheet, time_column, id_column, horizon, out_file, levels,
            key_env, key_file) -> None:
    """Forecast with a saved model and write the forecasts (and intervals) as CSV."""
    from ..storage.model_files import load

    model_file = _deprecated(model_file, model_file_old, "--model", "--model-file")
    if model_file is None:
        raise click.UsageError("Missing option '--model-file': a model file written by `tsforecast fit`.")
    check_outputs({"--model-file": model_file, "--data": data_file, "--key-file": key_file}, {"--out": out_file})
    if sheet is not None and data_file is None:
        raise click.UsageError(f"--sheet applies to a workbook given as --data; got --sheet {sheet!r} without --data.")
    if str(out_file) != "-":
        check_csv_name(out_file, "--out")
    levels = parse_levels(levels)
    model = load(model_file, key=read_key(key_env, key_file))
    horizon = horizon if horizon is not None else (getattr(model, "n_steps_out_", None)
                                                   or getattr(model, "horizon_", None))
    if horizon is None:
        raise click.UsageError("--horizon is needed: this model has no default horizon.")
    check_conformal_horizon(model, model_file, horizon, levels)
    check_calibration_possible(model, model_file, horizon, levels)
    # With --data, a model that can update calibrates conformal intervals on that data.
    if levels is not None and data_file is None and not can_give_intervals(model):
        raise click.UsageError(f"--levels: the model in {model_file} ({type(model).__name__}) has no forecast "
                               "distribution of its own and a model file holds no data to calibrate one on; fit "
                               "it with `tsforecast fit --levels ...` to calibrate conformal intervals, or give "
                               "--data (lstm, ridge) to calibrate them on.")
    future = list(getattr(model, "future_covariates_", []) or [])
    if future and data_file is None:
        raise click.UsageError(f"--data is needed: the model in {model_file} reads the future covariates {future!r} "
                               "of the forecast steps; give --data with rows carrying them after the last target "
                               "value.")
    X = last_times = None
    if data_file is not None:
        X, last_times = inputs_from(model, data_file, time_column, id_column, sheet)
    try:
        if levels is None:
            forecast = model.predict(horizon, X=X)
        else:
            forecast = model.predict_interval(horizon, X=X, levels=levels)
    except InsufficientDataError as error:
        said = conformal_in_cli_words(error, model, model_file, levels) if levels is not None else error
        if said is error and data_file is not None:
            said = future_rows_in_cli_words(error, model, data_file)
        raise said from None
    table = _as_table(forecast)
    check_no_new_values(model, table, last_times)
    if str(out_file) == "-":
        click.echo(table.to_csv(index=False), nl=False)
    else:
        write_table(table, out_file)
        click.echo(f"wrote {len(table)} forecast row(s) to {out_file}", err=True)


def _as_table(forecast):
    import pandas as pd

    from ..core.forms import ID_COLUMN

    if isinstance(forecast, pd.Series):
        forecast = forecast.to_frame(forecast.name if forecast.name is not None else "y_hat")
    if ID_COLUMN in forecast.columns:
        return forecast
    index_name = forecast.index.name or "ds"
    return forecast.rename_axis(index_name).reset_index()


@cli.command()
def datasets() -> None:
    """List the bundled datasets (usable with --dataset NAME)."""
    from ..datasets import list_datasets

    table = list_datasets()
    for name, row in table.iterrows():
        click.echo(f"{name}: {row['description']}")
        click.echo(f"    frequency {row['frequency']}, {row['length']} steps, columns {', '.join(row['columns'])}; "
                   f"target {row['target']}, season length {row['season_length']} (from its "
                   f"frequency; its longest cycle: {row['longest_cycle']} steps); {row['licence']}")


# -- entry point -----------------------------------------------------------------
def _one_line(text: str) -> str:
    return " ".join(str(text).split())


#: The library's argument names in its messages, as the command line spells them.
_CLI_WORDS = (("pass fill='ffill' or fill='interpolate'", "pass --fill ffill or --fill interpolate"),
              ("n_splits - 1", "--folds - 1"), ("n_splits=", "--folds "), ("n_windows", "--calibration-windows"))


def _short_in_cli_words(error: Exception, selection: Selection, models: dict, on_short: str,
                        folds: bool) -> Exception:
    """``error`` of a series too short (its ``facts`` say so), with the options that make
    do: ``--on-short skip`` (in a panel), fewer ``--folds`` (``folds``: backtest), a smaller
    ``-H`` or ``--lookback`` (of window models); the library's ``y['C']`` as the series it
    is. Other errors as they are."""
    facts = getattr(error, "facts", {})
    text = str(error).rstrip(".")
    if "too_short" not in facts:
        return error
    if facts["too_short"] == "rows" and facts.get("series") is not None:
        text = (f"series {facts['series']!r} of the data has {facts['rows']} row(s); at least {facts['needed']} "
                "are needed")
    windows = any(key.endswith("n_steps_in") for model in models.values() for key in model.get_params(deep=True))
    options = ["fewer --folds"] * folds + ["a smaller -H"] + ["--lookback"] * windows
    skip = "pass --on-short skip to leave such series out, or " if on_short == "raise" and \
        ID_COLUMN in selection.data.columns else ""
    return type(error)(f"{text}: {skip}ask for {', '.join(options[:-1])}{' or ' * (len(options) > 1)}{options[-1]}.")


def _in_cli_words(message: str) -> str:
    for library, cli_option in _CLI_WORDS:
        message = message.replace(library, cli_option)
    return message


def _fail(message: str, status: int) -> None:
    click.echo(f"Error: {_one_line(_in_cli_words(message))}", err=True)
    sys.exit(status)


def _warning_line(message, category, filename, lineno, line=None) -> str:
    return f"warning: {_one_line(_in_cli_words(str(message)))}\n"


def _warning_line_once(seen: set, message, category, filename, lineno, line=None) -> str:
    """Each distinct warning line once per run: a backtest repeats the same note at every
    fit (the README's main job printed one Theta note 30 times)."""
    text = _warning_line(message, category, filename, lineno, line)
    if text in seen:
        return ""
    seen.add(text)
    return text


def main(argv: list[str] | None = None) -> None:
    """Run the command line; expected errors end in one line on stderr, not a traceback."""
    import pandas as pd

    from ..exceptions import NotFittedError, TsForecastError

    debug = os.environ.get(_DEBUG_ENV, "") not in ("", "0")
    warnings.formatwarning = partial(_warning_line_once, set())
    # Metrics a model does not give (pinball without quantiles) average to NaN, shown as such.
    warnings.filterwarnings("ignore", "Mean of empty slice", RuntimeWarning)
    # statsmodels' optimiser notes on baselines are noise here; the scores show the outcome.
    warnings.filterwarnings("ignore", "Maximum Likelihood optimization failed to converge")
    args = sys.argv[1:] if argv is None else list(argv)
    if not args:  # a first look: the help, laid out as --help lays it out (not as an error line)
        with click.Context(cli, info_name="tsforecast") as ctx:
            click.echo(cli.get_help(ctx))
        sys.exit(0)
    try:
        status = cli.main(args=args, prog_name="tsforecast", standalone_mode=False, obj={"argv": args})
    except click.exceptions.Abort:
        _fail("aborted.", 130)
    except click.ClickException as error:
        if debug:
            raise
        hint = f" (see '{error.ctx.command_path} --help')" if getattr(error, "ctx", None) is not None else ""
        _fail(error.format_message() + hint, error.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted.", 130)
    except (TsForecastError, NotFittedError, OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        if debug:
            raise
        _fail(str(error) or type(error).__name__, 1)
    except Exception as error:  # an unexpected failure: still one line, with a way to see more
        if debug:
            raise
        _fail(f"{type(error).__name__}: {error} (an unexpected error; set {_DEBUG_ENV}=1 for the traceback)", 1)
    sys.exit(status if isinstance(status, int) else 0)


if __name__ == "__main__":  # pragma: no cover
    main()
