"""The paths the command line reads and writes: a click parameter type for files, and the
checks made of every output before any work (writable, no input overwritten, no name
promising another format)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..exceptions import FileWriteError
from ..storage.files import names_folder
from ._compressed import COMPRESSED_SUFFIXES, inner_suffix

__all__ = ["FILE", "check_csv_name", "check_outputs", "check_suffixes"]


class _FilePath(click.Path):
    """A file's path; one written with a trailing separator (``out/``) names a folder,
    which click's Path dropped silently (``--out out/`` wrote a file called ``out``)."""

    def __init__(self):
        super().__init__(dir_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if isinstance(value, (str, os.PathLike)) and names_folder(value):
            self.fail(f"must name a file; got {os.fspath(value)!r}, a folder (add a file name after the separator).",
                      param, ctx)
        return super().convert(value, param, ctx)


FILE = _FilePath()


def check_outputs(inputs: dict, outputs: dict) -> None:
    """Before any work: every output writable, none of them an input file or another
    output (``--out`` equal to ``--data`` overwrote the data with a zip), and a report's
    Markdown twin and figures folder free (found only after minutes of backtest), and no
    input or other output inside that folder (the report replaces it whole)."""
    from ..reporting import report_paths

    files, folders = {}, {}
    for option, path in outputs.items():
        if path is None or str(path) == "-":
            continue
        if option == "--report":
            paths = report_paths(path)
            files.update({option: paths.html, f"{option}'s Markdown twin": paths.markdown})
            folders[paths.figures.resolve()] = (option, paths.figures)
            if paths.figures.exists() and not paths.figures.is_dir():
                raise FileWriteError(f"{option}: cannot write the figures folder {str(paths.figures)!r}: it is a "
                                     "file; move it or choose another report name.")
        else:
            files[option] = Path(path)
    taken = {Path(p).resolve(): option for option, p in inputs.items() if p is not None}
    for option, path in files.items():
        if path.is_dir():
            raise FileWriteError(f"{option}: cannot write {str(path)!r}: it is a folder; give a file name.")
        _check_writable(path, option)
        resolved = path.resolve()
        if resolved in taken:
            raise click.BadParameter(f"{str(path)!r} is also {taken[resolved]}: writing it would destroy "
                                     f"that file; choose another name.", param_hint=option)
        taken[resolved] = option
    _check_outside(folders, {**{o: Path(p) for o, p in inputs.items() if p is not None}, **files})


def _check_outside(folders: dict, files: dict) -> None:
    """Refuse a file at or inside a report's figures folder: the report replaces that whole
    folder, so the file would be written, reported and then destroyed."""
    for option, path in files.items():
        resolved = path.resolve()
        for folder, (report, figures) in folders.items():
            if resolved == folder or folder in resolved.parents:
                raise click.BadParameter(
                    f"{str(path)!r} is {'' if resolved == folder else 'inside '}the figures folder "
                    f"{str(figures)!r} of {report}, which the report replaces whole: it would be destroyed; "
                    "choose another name for one of them.", param_hint=option)


#: Suffixes of table and page formats: a BacktestResult file named so would be a zip in disguise.
_NOT_A_ZIP = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".json", ".html", ".htm", ".md", ".xlsx")


#: Suffixes of a CSV table the command line writes, before any compression suffix.
_CSV_NAMES = ("", ".csv", ".txt")


def check_suffixes(save_result: Path | None, per_series_path: Path | None) -> None:
    """Refuse a name whose suffix promises another format than the file written: ``--out
    res.csv`` (or ``res.csv.gz``) wrote a zip, ``--per-series ps.parquet`` CSV text."""
    if save_result is not None and (inner_suffix(save_result) in _NOT_A_ZIP
                                    or save_result.suffix.lower() in set(COMPRESSED_SUFFIXES) - {".zip"}):
        raise click.BadParameter(
            f"writes the BacktestResult as a zip of tables and JSON (BacktestResult.load reads it), not a "
            f"{''.join(save_result.suffixes[-2:])} file; got {str(save_result)!r}: name it .zip "
            f"({_bare_name(save_result)}.zip). --per-series writes a CSV table, --report an HTML page.",
            param_hint="--out")
    if per_series_path is not None:
        check_csv_name(per_series_path, "--per-series")


def check_csv_name(path: Path, option: str) -> None:
    """Refuse a table's name that promises a format not written (``forecast.parquet`` got CSV
    text); ``.csv.gz``, ``.csv.bz2``, ``.csv.xz`` and ``.csv.zip`` are written compressed, and
    ``.xlsx`` as a workbook."""
    if path.suffix.lower() == ".xlsx":
        return
    if inner_suffix(path) not in _CSV_NAMES:
        raise click.BadParameter(
            f"writes a CSV table (compressed when named .csv.gz, .csv.bz2, .csv.xz or .csv.zip) or an Excel "
            f"workbook (.xlsx); got {str(path)!r}: name it .csv ({_bare_name(path)}.csv).", param_hint=option)


def _bare_name(path: Path) -> str:
    """``path``'s name without its format and compression suffixes: ``res`` for ``res.csv.gz``."""
    name = path.with_suffix("") if path.suffix.lower() in COMPRESSED_SUFFIXES else path
    return name.stem


def _check_writable(path: Path, option: str) -> None:
    """Refuse a file that cannot be written: its folder (or the nearest existing parent) is not writable."""
    folder = path.parent if str(path.parent) else Path(".")
    existing = next((p for p in (folder, *folder.parents) if p.exists()), Path("."))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        what = "a writable folder" if existing.is_dir() else "a folder"
        raise FileWriteError(f"{option}: cannot write {str(path)!r}: {str(existing)!r} is not {what}.")
