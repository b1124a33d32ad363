"""Reports of backtests: one self-contained HTML page and its Markdown twin.

The package is named ``reporting`` (not ``report``) so that ``tsforecast.report``
stays the function: importing a submodule named like a package attribute would
replace that attribute with the module.

Modules, one concept each: ``_content`` (what is shown: selection and formatting of a
``BacktestResult``), ``_verdict`` (the plain-language verdict), ``_per_series`` (the
per-series section and the choice of series to draw), ``_figures``
(matplotlib PNGs), ``_document`` (the renderer-neutral blocks), ``_html`` and
``_markdown`` (the two renderers) and ``_files`` (all-or-nothing writing).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..exceptions import FileWriteError, InputTypeError
from ..storage.files import file_target, names_folder, os_errors
from ._content import build_document, choose_reference, main_metric
from ._document import Figure
from ._files import ReportPaths, report_paths, write_atomically
from ._html import render_html
from ._markdown import figure_filename, render_markdown

__all__ = ["report", "ReportPaths", "report_paths", "choose_reference", "main_metric"]


def report(result, path: str | os.PathLike, *, title: str | None = None, reference: str | None = None) -> ReportPaths:
    """Write a backtest report as an HTML page and a Markdown twin.

    The HTML page is self-contained: its figures are embedded as base64 PNG data URIs,
    its style sheet is inline, it holds no script and fetches nothing, so it renders
    offline and can be mailed. The Markdown twin (same name, suffix ``.md``) refers to
    the same figures as PNG files in the folder ``<stem>_files`` beside it, for pull
    requests and wikis. The three are written all-or-nothing: on any error no file of
    the report is left behind (and an earlier report at the same path is kept).

    The report shows what ``result`` holds and computes nothing new:

    - a plain-language verdict: the model with the lowest mean MASE (or the first
      metric), then every other model against the reference and, when the best is not
      the reference, against the best: by how much, and whether the Diebold-Mariano
      test finds the difference significant (one model: it says so);
    - the models ranked by mean MASE over folds (the first metric when MASE is absent),
      with spread over folds, the other metrics, skill relative to the reference and
      Diebold-Mariano p-values with significance marks (``***`` 1%, ``**`` 5%, ``*`` 10%);
      ``coverage`` of quantiles beside its band's nominal span, and ``pinball`` left out
      of the table (each model's own given below it) where the models forecast different
      quantile levels (``quantiles="auto"``);
    - for a panel, the per-series section (``BacktestResult.per_series``): wins per
      model, the spread of per-series skill against the reference (a figure), and the
      series where the best trained model (else the best other than the reference)
      loses most, with their forecasts;
    - the error by horizon step (figure with every step; table with steps 1-12, then
      groups of steps);
    - forecasts against actuals for the latest folds (at most 3), for at most 4 models,
      with one model's quantile band (its outermost quantiles; the first trained model
      that gives quantiles, else the best-ranked one): every series of a panel of at most
      6, else its best, median and worst series by the top model's skill;
    - the training and validation loss curves of models that record them;
    - what was run (``result.info``: data and its hash, horizon, folds, models and their
      parameters, seeds, package versions, wall times) and any failed tasks.

    Parameters
    ----------
    result : BacktestResult
        The result of :func:`tsforecast.backtest`.
    path : str or path-like
        The HTML file to write (``.html`` is added when missing; a ``.md`` suffix is swapped for it).
    title : str, optional
        The report's title; by default ``Backtest: <models> on <data name>``.
    reference : str, optional
        The model to measure skill and significance against. By default the first
        model of class ``SeasonalNaive``, else ``Naive``; else the best-ranked model
        without training curves (the best baseline); else the first model.

    Returns
    -------
    ReportPaths
        The paths of the HTML page, the Markdown twin and the figures folder.

    Raises
    ------
    InvalidParameterError
        If ``reference`` is not one of the result's models.
    InputTypeError
        If ``result`` is not a BacktestResult, ``path`` not a path or ``title`` not a str.
    FileWriteError
        If ``path`` is a folder, or a file of the report cannot be written.

    Examples
    --------
    >>> import tsforecast  # doctest: +SKIP
    >>> result = tsforecast.backtest({"naive": Naive(), "snaive": SeasonalNaive(24)}, y, horizon=24)  # doctest: +SKIP
    >>> tsforecast.report(result, "reports/run.html").markdown  # doctest: +SKIP
    PosixPath('reports/run.md')
    """
    _check_arguments(result, path, title)
    _check_not_a_folder(path)
    paths = report_paths(file_target(path))
    title, blocks = build_document(result, title=title, reference=reference)
    figures = [block for block in blocks if isinstance(block, Figure)]
    html = render_html(title, blocks)
    markdown = render_markdown(blocks, paths.figures.name)
    write_atomically(paths, html, markdown, {figure_filename(f): f.png for f in figures})
    return paths


def _check_not_a_folder(path) -> None:
    """Refuse a folder before any work: "out/" would become out.html beside it."""
    with os_errors(Path(path)):  # pathlib's check raises OSError too (a name too long for the system)
        folder = names_folder(path) or Path(path).is_dir()
    if folder:
        raise FileWriteError(f"cannot write a report at {str(path)!r}: it is a folder; give a file name "
                             f"(inside it: {str(Path(path) / 'report.html')!r}).")


def _check_arguments(result, path, title) -> None:
    """Wrong types fail here, with the argument named, not deep inside the rendering."""
    from ..backtesting import BacktestResult

    if not isinstance(result, BacktestResult):
        raise InputTypeError(f"result must be a BacktestResult (from tsforecast.backtest); got {type(result).__name__}.")
    if not isinstance(path, (str, os.PathLike)):
        raise InputTypeError(f"path must be a str or os.PathLike; got {path!r} of type {type(path).__name__}.")
    if title is not None and not isinstance(title, str):
        raise InputTypeError(f"title must be a str or None; got {title!r} of type {type(title).__name__}.")
