"""Read and write files that may be compressed (``.csv.gz``, ``.tsv.bz2``, ``.txt.xz``, ``.csv.zip``).

Exports and logs are often shipped compressed. The text inside is read as it is inflated,
with every rule of an uncompressed file (delimiter, encoding, decimal commas); pandas
infers the same codecs from the same suffixes, so ``read_csv`` reads the path itself. A
table the command line writes under such a name is compressed the same way, so that
``--data`` reads it back.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import zipfile
from pathlib import Path

from ..exceptions import InvalidInputError

__all__ = ["COMPRESSED_SUFFIXES", "READ_ERRORS", "compressed", "inner_suffix", "open_data"]


def _zip_member(path: Path, mode: str = "rb", **text):
    """The one file of a zip archive (pandas reads no other kind), opened in ``mode``."""
    archive = zipfile.ZipFile(path)
    names = [name for name in archive.namelist() if not name.endswith("/")]
    if len(names) != 1:
        archive.close()
        raise InvalidInputError(
            f"--data file {str(path)!r} is a zip archive of {len(names)} files ({names[:5]!r}); "
            "it must hold exactly one table, or pass that file itself."
        )
    handle = archive.open(names[0])
    return handle if mode == "rb" else io.TextIOWrapper(handle, **text)


def _zipped(data: bytes, path: Path) -> bytes:
    """A zip archive of one file, ``data`` named as ``path`` less ``.zip`` (``forecast.csv``)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # a fixed date: the same table gives the same bytes
        archive.writestr(zipfile.ZipInfo(path.with_suffix("").name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                         compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


#: How each compressed suffix packs the bytes of a file written under it.
_PACKERS = {".gz": lambda data, path: gzip.compress(data, mtime=0), ".bz2": lambda data, path: bz2.compress(data),
            ".xz": lambda data, path: lzma.compress(data), ".zip": _zipped}


def compressed(data: bytes, path: Path) -> bytes:
    """``data`` as the file ``path`` should hold it: compressed as its suffix says, else as it is.

    Examples
    --------
    >>> gzip.decompress(compressed(b"ds,y\\n", Path("forecast.csv.gz")))
    b'ds,y\\n'
    >>> compressed(b"ds,y\\n", Path("forecast.csv"))
    b'ds,y\\n'
    """
    pack = _PACKERS.get(path.suffix.lower())
    return data if pack is None else pack(data, path)


#: The codec of each compressed suffix (pandas' ``compression="infer"`` reads the same).
_OPENERS = {".gz": gzip.open, ".bz2": bz2.open, ".xz": lzma.open, ".zip": _zip_member}
COMPRESSED_SUFFIXES = tuple(_OPENERS)
#: What a damaged or truncated compressed file raises besides OSError and ValueError.
READ_ERRORS = (EOFError, zipfile.BadZipFile, lzma.LZMAError)


def inner_suffix(path: Path) -> str:
    """The suffix of the file inside: ``.csv`` for ``sales.csv.gz``; a plain file's own.

    Examples
    --------
    >>> inner_suffix(Path("sales.CSV.gz")), inner_suffix(Path("sales.tsv"))
    ('.csv', '.tsv')
    """
    if path.suffix.lower() in _OPENERS:
        return path.with_suffix("").suffix.lower()
    return path.suffix.lower()


def open_data(path: Path, mode: str = "r", **text):
    """``open(path, mode, **text)`` (``mode`` ``"rb"`` or text), through the codec its suffix names."""
    opener = _OPENERS.get(path.suffix.lower())
    if opener is None:
        return open(path, mode, **text)
    return opener(path, "rb" if mode == "rb" else "rt", **text)
