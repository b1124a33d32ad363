"""Read a delimited text file (``.csv``, ``.tsv``, ``.txt``, each maybe compressed) as spreadsheets write them.

The encoding (UTF-16 with its byte-order mark, UTF-8, else Windows-1252), the delimiter,
and where a comma is the decimal mark, decimal commas and dots between thousands: what
is inferred is said in ``notes``, and a reading that is not safe is refused naming the
file, the column and the value.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path

import pandas as pd

from ..core.timeindex import reads_as_dates
from ..exceptions import InvalidInputError
from ._compressed import open_data
from ._numbers import NOT_AVAILABLE
from ._rows import is_units_row

__all__ = ["check_unique", "read_text_table"]


def check_unique(names: list, path: Path) -> None:
    """Refuse a name given to two columns: pandas would rename the second ``y`` to ``y.1``."""
    repeated = sorted({str(c) for c in names if names.count(c) > 1})
    if repeated:
        raise InvalidInputError(f"--data file {str(path)!r} names column(s) {repeated!r} more than once; "
                                "give each column its own name.")


#: The delimiters a ``.csv`` file may use, the comma first (it wins a tie of the header's counts).
_DELIMITERS = (",", ";", "|", "\t")


def read_text_table(path: Path, kind: str, notes: list[str] | None, text_columns: list) -> pd.DataFrame:
    """A delimited file's table: UTF-16 where it starts with its byte-order mark
    (spreadsheets' "Unicode text"), else UTF-8, and failing that Windows-1252 (the usual
    one of Western European spreadsheets), said in ``notes``."""
    with open_data(path, "rb") as handle:
        encoding = "utf-16" if handle.read(2) in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
    lines = _first_lines(path, encoding)
    named, skip = _named_delimiter(lines), _preamble(lines)
    comments = sum(line.lstrip().startswith("#") for line in lines[:skip])
    if notes is not None and comments:
        notes.append(f"{path.name}: {comments} comment line(s) before the header skipped (starting with '#').")
    records = _records(lines[skip:])
    sep = named or ("\t" if kind == "tsv" else _delimiter(records, path))
    read = dict(notes=notes, text_columns=text_columns, named=named is not None, skip=skip)
    try:
        return _read_delimited(path, sep, encoding, **read)
    except UnicodeDecodeError:
        if encoding != "utf-8-sig":
            raise
    if notes is not None:
        try:  # only on this path: where the first byte that is not UTF-8 stands in the whole file
            with open_data(path, "rb") as handle:
                handle.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            notes.append(f"{path.name}: not UTF-8 (byte {error.object[error.start]:#04x} at {error.start}), "
                         "read as Windows-1252.")
    return _read_delimited(path, sep, "cp1252", **read)


def _named_delimiter(lines: list[str]) -> str | None:
    """The delimiter a first line ``sep=;`` names (Excel writes it, and reads the file by
    it, where the delimiter is not the comma), else None."""
    match = re.fullmatch(r"sep=(.)\r?\n?", lines[0], flags=re.IGNORECASE) if lines else None
    return match.group(1) if match else None


def _preamble(lines: list[str]) -> int:
    """How many of the file's first ``lines`` come before its header: a first line ``sep=``,
    then blank lines and comments (``# exported from ...``, as loggers and ERP exports write
    them), where the line after those reads as a header (names, no number among its fields;
    a header written as a comment, ``#date,value`` before ``Jan 2024,5``, stays the header)."""
    start = int(_named_delimiter(lines) is not None)
    end = start
    while end < len(lines) and (not lines[end].strip() or lines[end].lstrip().startswith("#")):
        end += 1
    if end == start or end == len(lines) or not _reads_as_header(lines[end]):
        return start
    return end


def _reads_as_header(line: str) -> bool:
    """Whether ``line`` holds names: a letter, and no field that is a number (a data line has one)."""
    fields = re.split(r"[,;|\t]", line.strip())
    return bool(re.search(r"[^\W\d_]", line)) and not any(re.fullmatch(r"\s*[+-]?\d+(?:[.,]\d+)?\s*", f)
                                                            for f in fields)


def _delimiter(records: list[str], path: Path) -> str:
    """The delimiter of ``_DELIMITERS`` that splits the header and the first data lines
    into as many fields each (as :class:`csv.Sniffer` tests it); where two do (a ``;`` file
    whose header reads ``Umsatz (EUR, netto)`` and values ``1.611,83``: one comma a line),
    the one whose fields hold the other only in numbers with a decimal comma. A file that
    no delimiter splits alike is read by its header line's commonest delimiter, and its
    ragged rows named as before; one that two split equally well is refused. ``records``:
    the file's first lines (:func:`_first_records`).
    """
    if not records:  # an empty file: pandas says so
        return ","
    alike = [sep for sep in _DELIMITERS if _splits_alike(records, sep)]
    if not alike:
        return max(_DELIMITERS, key=records[0].count)
    clean = [sep for sep in alike if not _holds_another(records, sep, alike)]
    if len(alike) == 1 or len(clean) == 1:
        return alike[0] if len(alike) == 1 else clean[0]
    readings = "; ".join(f"by {sep!r}: {_fields(records[0], sep)!r}" for sep in alike)
    raise InvalidInputError(
        f"--data file {str(path)!r}: the delimiter is unclear, {' and '.join(map(repr, alike))} both split its header "
        f"and first lines into the same number of fields ({readings}); put the column names and values that hold "
        "a delimiter in double quotes, or save the file separated by tabs (.tsv)."
    )


#: Lines the delimiter is read from: the header and this many more.
_SNIFF_LINES = 50

#: A number with a decimal comma (``1.611,83``, ``1 000,5``, ``-3,2``): the comma a ``;`` file's field may hold.
_COMMA_NUMBER = r"\s*[+-]?\d[\d.\s\u00a0\u202f]*,\d*\s*"


#: Lines of comments and blanks a file may open with before its header.
_PREAMBLE_LINES = 100


def _first_lines(path: Path, encoding: str) -> list[str]:
    """The file's first lines, as many as a preamble and the lines the delimiter is read from take."""
    with open_data(path, encoding=encoding, errors="replace", newline="") as handle:
        return list(itertools.islice(handle, _PREAMBLE_LINES + _SNIFF_LINES + 2))


def _records(lines: list[str]) -> list[str]:
    """The header and the next lines (``lines`` start at the header), blank ones left out; the
    last one dropped where the file goes on (it may end inside a quoted field)."""
    lines = lines[:_SNIFF_LINES + 2]
    if len(lines) > _SNIFF_LINES + 1:
        lines = lines[:-1]
    return [line for line in lines if line.strip()]


def _fields(line: str, sep: str) -> list[str]:
    return next(csv.reader([line.rstrip("\r\n")], delimiter=sep), [])


def _splits_alike(records: list[str], sep: str) -> bool:
    """Whether ``sep`` splits the header into two or more fields, and every data line into as many."""
    rows = list(csv.reader(io.StringIO("".join(records)), delimiter=sep))
    return len(rows[0]) > 1 and all(len(row) == len(rows[0]) for row in rows[1:] if row)


def _holds_another(records: list[str], sep: str, others: list[str]) -> bool:
    """Whether the data fields ``sep`` makes hold another of ``others`` (a comma only outside
    a number with a decimal comma): a field of ``01.01.2024;1.611`` is a line split wrongly."""
    fields = pd.Series([field for row in csv.reader(io.StringIO("".join(records[1:])), delimiter=sep)
                        for field in row], dtype=object)
    for other in others:
        if other == sep:
            continue
        holding = fields[fields.str.contains(other, regex=False)]
        if other == "," and holding.str.fullmatch(_COMMA_NUMBER).all():
            continue
        if len(holding):
            return True
    return False


def _read_delimited(path: Path, sep: str, encoding: str, notes: list[str] | None, text_columns: list,
                    named: bool = False, skip: int = 0) -> pd.DataFrame:
    """The table of a delimited text file (``sep``; ``named``: by its first line ``sep=``)
    from its line ``skip`` on (the lines before are :func:`_preamble`'s); a ``.csv`` file's
    delimiter other than the comma, and decimal commas (in a ``;`` or tab-separated file),
    are said in ``notes``."""
    # UTF-8 must decode (else the caller reads Windows-1252), whose five undefined bytes become U+FFFD
    errors = "replace" if encoding == "cp1252" else "strict"
    with open_data(path, encoding=encoding, errors=errors, newline="") as handle:
        for _ in range(skip):  # line by line: a comment's quote must not open a field
            handle.readline()
        reader = csv.reader(handle, delimiter=sep)
        header, first, following = next(reader, []), next(reader, []), next(reader, [])
    names = [name.strip() for name in header]
    while names and not names[-1]:  # a delimiter at the end of each line: read_table drops those columns, said
        names.pop()
    text = {name: str for name in text_columns}
    read = dict(sep=sep, encoding=encoding, encoding_errors=errors, dtype=text, skiprows=skip,
                na_values=list(NOT_AVAILABLE))
    if _holds_values(names):  # no header: its first line is data, which pandas would take for names
        read.update(header=None, names=[f"column_{i + 1}" for i in range(len(header))])
        if notes is not None:
            notes.append(f"{path.name}: no header, its first line holds values ({', '.join(names[:3])}): read as "
                         f"data, the columns named column_1 ... column_{len(header)}.")
    else:
        check_unique(names, path)  # pandas would rename the second 'y' to 'y.1'
        if is_units_row(first, following):  # 'date,load' above ',MW': the line right after the header
            read.update(skiprows=[*range(skip), skip + 1])
            if notes is not None:
                notes.append(f"{path.name}: the line below the header holds no values ({sep.join(first)!r}): "
                             "read as units, left out.")

    table, decimal, grouped = pd.read_csv(path, **read), ".", []
    if sep in (";", "\t"):  # where a comma is the decimal mark, spreadsheets separate fields by these
        read = dict(read, decimal=",")
        table, decimal, grouped = _decimal_commas(path, table, read, text_columns, refuse_two_readings=sep == ";")
    if notes is not None:
        groups = f" and dots between thousands in {', '.join(map(repr, grouped))}" if grouped else ""
        source = f"named by its first line 'sep={sep}'" if named else "read from its first lines"
        said = [] if (sep == "," and not named) or path.suffix.lower() == ".tsv" else [f"fields separated by {sep!r}"]
        said += [f"decimal commas{groups}"] if decimal == "," else []
        if said:  # a .tsv file's tabs go without saying
            read_from = f" ({source})" if said[0].startswith("fields") else ""
            notes.append(f"{path.name}: {', '.join(said)}{read_from}.")
    return table


#: A number as a header line of values writes it, with a decimal point or comma.
_NUMBER = r"[+-]?(?:\d+[.,]?\d*|[.,]\d+)(?:[eE][+-]?\d+)?"


def _holds_values(names: list[str]) -> bool:
    """Whether a header line holds values, not names: every field a number or a date, and
    one at least a date or a number with decimals (``2010-01,100.0``; a header of years,
    ``2019,2020``, stays names)."""
    if len(names) < 2 or not all(names):
        return False
    numbers = [bool(re.fullmatch(_NUMBER, name)) for name in names]
    dates = [not is_number and reads_as_dates(pd.Series([name])) for name, is_number in zip(names, numbers)]
    decimals = [is_number and not name.lstrip("+-").isdigit() for name, is_number in zip(names, numbers)]
    return all(a or b for a, b in zip(numbers, dates)) and (any(dates) or any(decimals))


def _decimal_commas(path: Path, dots: pd.DataFrame, read: dict, text_columns: list,
                    refuse_two_readings: bool) -> tuple[pd.DataFrame, str, list]:
    """A ``;`` or tab-separated file's table read with decimal commas (``read``) where that
    makes more columns numeric than ``dots`` (the reading with decimal points), else ``dots``;
    with the decimal mark and the columns read with dots between thousands (``1.000`` beside
    ``990``). ``refuse_two_readings``: refuse such a column in a file without decimal commas
    (a ``;`` file's; tab-separated files are written where the decimal mark is a dot too, and
    their ``1.250`` stays 1.25 as before)."""
    commas = pd.read_csv(path, **read)
    grouped = [c for c in commas.columns if c not in text_columns and _thousands_grouped(commas[c])]
    written = commas[grouped]
    if grouped:
        commas[grouped] = pd.read_csv(path, thousands=".", **read)[grouped]
    if _numeric_columns(commas) > _numeric_columns(dots):
        return commas, ",", grouped
    if refuse_two_readings:
        _refuse_two_readings(dots, commas, written, path)
    return dots, ".", []


#: A number written with dots between groups of three digits (``1.000``, ``12.345.678,9``):
#: how spreadsheets write thousands where the decimal mark is a comma.
_GROUPED = r"\s*[+-]?[1-9]\d{0,2}(?:\.\d{3})+(?:,\d*)?\s*"
_PLAIN = r"\s*[+-]?\d+(?:,\d*)?\s*"


#: Rows a column's text is first tested on before all of it.
_SAMPLE = 1000


def _thousands_grouped(column: pd.Series) -> bool:
    """Whether a text column (read with decimal commas) holds numbers only, some of them
    with dots between groups of three digits and none with a dot elsewhere (``50.84``)."""
    if pd.api.types.is_numeric_dtype(column.dtype):
        return False
    values = column.dropna().astype(str)
    for part in (values.iloc[:_SAMPLE], values):  # the first rows refute a dot-decimal column at once
        dotted = part.str.contains(".", regex=False)
        if not (part[dotted].str.fullmatch(_GROUPED).all() and part[~dotted].str.fullmatch(_PLAIN).all()):
            return False
    return bool(dotted.any())


def _refuse_two_readings(dots: pd.DataFrame, groups: pd.DataFrame, written: pd.DataFrame, path: Path) -> None:
    """Refuse a column of a ``;`` file without decimal commas elsewhere that mixes plain
    integers with numbers of dot-separated groups (``990`` beside ``1.000``), or holds only
    such numbers (``1.013``, ``1.250``): 1.0 with a decimal point, one thousand where the
    decimal mark is a comma; no reading is safe.
    ``written`` holds those columns' text, ``dots`` and ``groups`` their two readings."""
    for column in written.columns:
        values = written[column].dropna().astype(str)
        dotted = values.str.contains(".", regex=False)
        if not pd.api.types.is_numeric_dtype(dots[column].dtype):
            continue
        row = values.index[dotted.to_numpy()][0]  # every dotted value is grouped (1.013: 3 decimals?)
        beside = ", like every value of it," if dotted.all() else f" beside {values[~dotted].iloc[0]!r}"
        raise InvalidInputError(
            f"--data file {str(path)!r}: column {str(column)!r} reads two ways: {values[row]!r}{beside} "
            f"is {dots.at[row, column]:g} with a decimal point, or "
            f"{groups.at[row, column]:g} with a dot between thousands (as spreadsheets write where the decimal "
            "mark is a comma); write its numbers without thousands separators (1013), or decimals with a comma "
            "(1,013)."
        )


def _numeric_columns(table: pd.DataFrame) -> int:
    return sum(pd.api.types.is_numeric_dtype(dtype) for dtype in table.dtypes)
