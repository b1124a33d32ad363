"""Writing the tables the command line outputs (forecasts, per-series scores), whole or not at all.

As CSV text, compressed where the name says so (``forecast.csv.gz``, see
:mod:`._compressed`), or as an Excel workbook of one sheet (``forecast.xlsx``, see
:mod:`._excel`); through one atomic write, so a file is complete or absent.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..exceptions import InvalidParameterError
from ._compressed import compressed
from ._excel import workbook_bytes

__all__ = ["write_table"]


def write_table(table, path) -> None:
    """Write ``table`` (no index) to ``path`` (str or path-like) in the format its name says,
    atomically."""
    from ..storage.files import atomic_write

    # the name decides the format; the path itself goes to atomic_write as given, which
    # refuses 'out/' (pathlib would drop the separator and write a file 'out')
    named = Path(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else None
    if named is not None and named.suffix.lower() == ".xlsx":
        try:
            data = workbook_bytes(table, sheet=named.stem[:31])  # Excel's limit on a sheet's name
        except ImportError as error:
            raise InvalidParameterError(f"writing {str(named)!r} needs openpyxl (pip install 'tsforecast[excel]'): "
                                        f"{error}") from None
    else:
        text = table.to_csv(index=False, lineterminator="\n").encode("utf-8")
        data = text if named is None else compressed(text, named)
    atomic_write(path, lambda handle: handle.write(data), mode=0o644)
