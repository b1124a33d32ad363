"""Write the report's files all-or-nothing.

Everything (the HTML page, the Markdown twin and its folder of PNG figures) is first
written to temporary names in the target folder, flushed to disk, then moved into
place with :func:`os.replace`. If anything fails before that, the temporary files are
removed and no report file, old or new, is touched; a folder created for the report is
removed again too (folders are created, and a path that is a folder refused, by the rule
of every writer, :mod:`tsforecast.storage.files`). If a failure comes between the three renames, the files already
moved into place are removed and the previous report (kept aside until the end) is put
back, so a reader never finds a page from one run beside figures from another.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..storage.files import fsync_folder, make_parents, os_errors, temporary_prefix

__all__ = ["ReportPaths", "report_paths", "write_atomically"]


@dataclass(frozen=True)
class ReportPaths:
    """Where a report was written: the HTML page, its Markdown twin, the figures folder."""

    html: Path
    markdown: Path
    figures: Path


def report_paths(path: str | os.PathLike) -> ReportPaths:
    """The three paths of a report at ``path``.

    The HTML page is ``path`` where it ends in ``.html``/``.htm``; a Markdown name
    (``.md``) has its suffix swapped for ``.html``; any other name has ``.html``
    added (a dot in a name, ``run.v1`` or ``weekly.2024-06-01``, is part of it: swapping
    there gave two runs one page). The Markdown twin has the suffix ``.md``, and the
    figures go to the folder ``<stem>_files`` beside them.

    Examples
    --------
    >>> report_paths("reports/run.html").figures.as_posix()
    'reports/run_files'
    >>> report_paths("reports/weekly.2024-06-01").html.as_posix()
    'reports/weekly.2024-06-01.html'
    """
    path = Path(path)
    suffix = path.suffix.lower()
    html = path if suffix in (".html", ".htm") else path.with_suffix(".html") if suffix == ".md" else \
        path.with_name(f"{path.name}.html")
    return ReportPaths(html=html, markdown=html.with_suffix(".md"), figures=html.with_name(f"{html.stem}_files"))


def _write_file(path: Path, data: bytes) -> None:
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())
    # mkstemp creates private files; a report is meant to be shared and served.
    os.chmod(path, 0o644)


def _temp_file(folder: Path, name: str) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(name), suffix=".tmp", dir=folder)
    os.close(fd)
    return Path(tmp)


def _keep_copy(path: Path, copy: Path) -> None:
    """``copy`` keeps the content of ``path`` after ``path`` is replaced (a hard link, else a copy)."""
    try:
        os.link(path, copy)
    except OSError:
        shutil.copy2(path, copy)


def _remove(path: Path | None) -> None:
    if path is None:
        return
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def write_atomically(paths: ReportPaths, html: str, markdown: str, figures: dict[str, bytes]) -> None:
    """Write the report's files, all or none (see the module docstring)."""
    with os_errors(paths.html):
        _write_all(paths, html, markdown, figures)


def _write_all(paths: ReportPaths, html: str, markdown: str, figures: dict[str, bytes]) -> None:
    folder = paths.html.parent
    created = make_parents(paths.html)  # the rule of every writer (tsforecast.storage.files)
    staged: list[Path] = []
    placed: list[Path] = []  # final paths already holding new content
    old_figures = None
    try:
        tmp_figures = Path(tempfile.mkdtemp(prefix=temporary_prefix(paths.figures.name), suffix=".tmp", dir=folder))
        staged.append(tmp_figures)
        os.chmod(tmp_figures, 0o755)
        for name, png in figures.items():
            _write_file(tmp_figures / name, png)
        tmp_md = _temp_file(folder, paths.markdown.name)
        staged.append(tmp_md)
        _write_file(tmp_md, markdown.encode("utf-8"))
        tmp_html = _temp_file(folder, paths.html.name)
        staged.append(tmp_html)
        _write_file(tmp_html, html.encode("utf-8"))
        # A folder cannot replace a non-empty folder: move the old one aside first. The old
        # page and twin are kept as hard links beside it, so that a failure between the
        # renames below can put the whole previous report back, not half of it.
        old_figures = Path(tempfile.mkdtemp(prefix=temporary_prefix(paths.figures.name), suffix=".old", dir=folder))
        for final in (paths.markdown, paths.html):
            if final.is_file():
                _keep_copy(final, old_figures / final.name)
        if paths.figures.exists():
            os.replace(paths.figures, old_figures / "old")
        for tmp, final in ((tmp_figures, paths.figures), (tmp_md, paths.markdown), (tmp_html, paths.html)):
            os.replace(tmp, final)
            placed.append(final)
        fsync_folder(folder)
    except BaseException:
        for path in staged + placed:
            _remove(path)
        if old_figures is not None:
            for name, final in (("old", paths.figures), (paths.markdown.name, paths.markdown),
                                (paths.html.name, paths.html)):
                if (old_figures / name).exists() and not final.exists():
                    os.replace(old_figures / name, final)
        _remove(old_figures)
        for path in created:
            try:
                path.rmdir()
            except OSError:
                pass
        raise
    _remove(old_figures)
