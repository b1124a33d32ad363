"""Offline datasets: small series shipped with the package, and the M4 file format.

* :func:`list_datasets` and :func:`load` give the series shipped inside the package
  (``tsforecast/_data/``, so an installed package finds them; provenance and licences
  in ``datasets/README.md``, and ``datasets/make_datasets.py`` regenerates the files).
* :func:`load_m4` reads the M4 competition CSV files (kept outside the project, by
  default in ``../shared/data/m4`` or the folder named by ``TSFORECAST_M4_DIR``) into
  the panel format: a long DataFrame with columns ``unique_id``, ``ds`` (integer time)
  and ``y``.

Nothing is ever downloaded.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

import numpy as np
import pandas as pd

from .core.forms import ID_COLUMN, TIME_COLUMN
from .core.timeindex import season_rule
from .core.validation import check_choice, check_columns
from .exceptions import DataNotFoundError, InvalidInputError, InvalidParameterError

__all__ = [
    "DatasetInfo",
    "list_datasets",
    "load",
    "M4_SUBSETS",
    "M4_HORIZONS",
    "M4_SEASONALITY",
    "default_m4_dir",
    "load_m4",
]

#: The six M4 subsets; each has ``<Subset>-train.csv`` and ``<Subset>-test.csv``.
M4_SUBSETS = ("Yearly", "Quarterly", "Monthly", "Weekly", "Daily", "Hourly")
#: Forecast horizon of each M4 subset (the length of its test part).
M4_HORIZONS = {"Yearly": 6, "Quarterly": 8, "Monthly": 18, "Weekly": 13, "Daily": 14, "Hourly": 48}
#: Seasonal period ``m`` the M4 evaluation uses for MASE and Naive2.
M4_SEASONALITY = {"Yearly": 1, "Quarterly": 4, "Monthly": 12, "Weekly": 1, "Daily": 1, "Hourly": 24}

_M4_ENV = "TSFORECAST_M4_DIR"
_M4_SPLITS = ("train", "test", "both")


# --------------------------------------------------------------------------- shipped
@dataclass(frozen=True)
class DatasetInfo:
    """What :func:`list_datasets` tells about one shipped dataset."""

    name: str
    description: str
    frequency: str
    length: int
    columns: tuple[str, ...]
    target: str
    #: Its longest cycle in steps (a year of days): not the season its frequency gives
    #: the models (``season_length`` in :func:`list_datasets`, the package's one rule).
    longest_cycle: int
    source: str
    licence: str

    @property
    def file(self) -> str:
        return f"{self.name}.csv"


_DATASETS = {
    info.name: info
    for info in (
        DatasetInfo(
            name="co2",
            description=(
                "Weekly atmospheric CO2 concentration (ppm) at Mauna Loa, Hawaii, 1958-03-29 to "
                "2001-12-29; trend plus a yearly season. 59 missing weeks filled by linear interpolation."
            ),
            frequency="W-SAT",
            length=2284,
            columns=("co2",),
            target="co2",
            longest_cycle=52,
            source="statsmodels.datasets.co2 (Scripps/NOAA, Keeling and Whorf 2004)",
            licence="public domain",
        ),
        DatasetInfo(
            name="seattle_weather",
            description=(
                "Daily weather in Seattle, 2012-01-01 to 2015-12-31: precipitation (mm), maximum and "
                "minimum temperature (deg C), mean wind speed (m/s); yearly season. Multivariate; temp_max is the "
                "usual target."
            ),
            frequency="D",
            length=1461,
            columns=("precipitation", "temp_max", "temp_min", "wind"),
            target="temp_max",
            longest_cycle=365,
            source="vega_datasets seattle-weather.csv (NOAA daily observations)",
            licence="public domain (NOAA)",
        ),
    )
}


def list_datasets() -> pd.DataFrame:
    """Describe the datasets shipped with tsforecast (all offline).

    Returns
    -------
    pandas.DataFrame
        One row per dataset, indexed by name, with columns ``description``,
        ``frequency``, ``length``, ``n_variables``, ``columns``, ``target``,
        ``season_length`` (the season its frequency gives, the one every model and
        metric takes by default: 7 for daily data), ``longest_cycle`` (its longest cycle
        in steps: 365 for a year of days), ``source`` and ``licence``.

    Examples
    --------
    >>> sorted(list_datasets().index)
    ['co2', 'seattle_weather']
    """
    rows = [
        {
            "name": info.name,
            "description": info.description,
            "frequency": info.frequency,
            "length": info.length,
            "n_variables": len(info.columns),
            "columns": list(info.columns),
            "target": info.target,
            "season_length": season_rule(None, info.frequency)[0],
            "longest_cycle": info.longest_cycle,
            "source": info.source,
            "licence": info.licence,
        }
        for info in _DATASETS.values()
    ]
    return pd.DataFrame(rows).set_index("name")


def load(name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
    """Load a shipped dataset as a DataFrame with a regular DatetimeIndex.

    Parameters
    ----------
    name : str
        One of the names of :func:`list_datasets`.
    columns : list of str, optional
        Columns to keep; all by default.

    Returns
    -------
    pandas.DataFrame
        Float64 columns, indexed by a DatetimeIndex named ``date`` whose ``freq`` is set,
        without missing values.

    Raises
    ------
    InvalidParameterError
        If ``name`` is not a shipped dataset (the message lists them).
    UnknownColumnError
        If ``columns`` names a column the dataset lacks.

    Examples
    --------
    >>> weather = load("seattle_weather")
    >>> weather.shape, weather.index.freqstr
    ((1461, 4), 'D')
    """
    if not isinstance(name, str) or name not in _DATASETS:
        known = ", ".join(f"{n!r}" for n in _DATASETS)
        raise InvalidParameterError(f"name must be one of the shipped datasets {known}; got {name!r}.")
    info = _DATASETS[name]
    resource = files(__package__) / "_data" / info.file
    if not resource.is_file():
        raise DataNotFoundError(f"dataset {name!r}: file {info.file!r} is missing from the installed package.")
    with resource.open("r", encoding="utf-8") as handle:
        frame = pd.read_csv(handle, index_col="date", parse_dates=["date"])
    frame = frame.asfreq(info.frequency).astype(np.float64)
    if columns is not None:
        chosen = check_columns(frame, columns, "columns")
        if not chosen or len(set(chosen)) != len(chosen):
            raise InvalidParameterError(f"columns must name one or more of the dataset's columns {list(frame.columns)!r}, "
                                        f"each once; got {columns!r}.")
        frame = frame[chosen]
    return frame


# --------------------------------------------------------------------------- M4
def default_m4_dir() -> Path:
    """Where :func:`load_m4` looks when no ``path`` is given.

    The folder named by the environment variable ``TSFORECAST_M4_DIR`` if set, else
    ``../shared/data/m4`` next to the project checkout.
    """
    if os.environ.get(_M4_ENV):
        return Path(os.environ[_M4_ENV])
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "m4"


def _m4_subset(subset) -> str:
    if isinstance(subset, str):
        for known in M4_SUBSETS:
            if subset.lower() == known.lower():
                return known
    raise InvalidParameterError(
        f"subset must be one of {', '.join(repr(s) for s in M4_SUBSETS)}; got {subset!r}."
    )


def _read_m4_wide(file: Path) -> dict[str, np.ndarray]:
    """``{series id: values}`` from one M4 CSV (one left-aligned, NaN-padded row per series)."""
    if not file.is_file():
        raise DataNotFoundError(
            f"M4 file {str(file)!r} does not exist; pass path= (the folder holding "
            f"{file.name}) or set the environment variable {_M4_ENV}."
        )
    wide = _read_m4_csv(file)
    values = wide.to_numpy(dtype=np.float64)
    duplicated = wide.index[wide.index.duplicated()]
    if len(duplicated) or wide.index.isna().any():
        what = f"names series {str(duplicated[0])!r} twice" if len(duplicated) else "has a row without a series id"
        raise InvalidInputError(f"M4 file {str(file)!r} {what}; each row is one series with its own id.")
    if np.isinf(values).any():
        row = int(np.flatnonzero(np.isinf(values).any(axis=1))[0])
        raise InvalidInputError(f"M4 file {str(file)!r}: series {str(wide.index[row])!r} holds an infinite value.")
    series = {}
    for key, row in zip(wide.index.astype(str), values):
        present = ~np.isnan(row)
        length = int(present.sum())
        if length == 0 or not present[:length].all():
            raise InvalidInputError(
                f"M4 file {str(file)!r}: series {key!r} is empty or has a gap; M4 rows are left-aligned "
                "values padded with empty cells at the end."
            )
        series[key] = row[:length]
    return series


def _read_m4_csv(file: Path) -> pd.DataFrame:
    """The M4 CSV as a frame of float values indexed by series id; a file pandas cannot
    read that way is an :class:`InvalidInputError` naming it."""
    try:
        wide = pd.read_csv(file, index_col=0, dtype={0: str})
        if wide.shape[1] == 0 or wide.empty:
            raise ValueError("no series (a header at most)")
        wide = wide.astype(np.float64)
    except (ValueError, TypeError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise InvalidInputError(f"M4 file {str(file)!r} is not an M4 CSV (one row of numbers per series after its "
                                f"id): {error}") from None
    return wide


def _long(series: dict[str, np.ndarray], starts: dict[str, int] | None = None) -> pd.DataFrame:
    lengths = np.array([v.size for v in series.values()])
    ids = np.repeat(np.array(list(series), dtype=object), lengths)
    offsets = np.repeat(
        np.array([0 if starts is None else starts[k] for k in series], dtype=np.int64), lengths
    )
    within = np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    return pd.DataFrame(
        {ID_COLUMN: ids, TIME_COLUMN: offsets + within, "y": np.concatenate(list(series.values()))}
    )


def load_m4(subset: str, path: str | os.PathLike | None = None, *, split: str = "train"):
    """Read an M4 subset into the panel format.

    Parameters
    ----------
    subset : {"Yearly", "Quarterly", "Monthly", "Weekly", "Daily", "Hourly"}
        Which subset (case-insensitive). Only the files present in ``path`` can be read;
        tsforecast's benchmarks use ``"Hourly"`` and ``"Weekly"``.
    path : str or path-like, optional
        Folder holding ``<Subset>-train.csv`` and ``<Subset>-test.csv``; by default
        :func:`default_m4_dir` (``$TSFORECAST_M4_DIR`` or ``../shared/data/m4``).
    split : {"train", "test", "both"}
        Which part to return; ``"both"`` returns the tuple ``(train, test)``.

    Returns
    -------
    pandas.DataFrame or tuple of two DataFrames
        Long panel(s) with columns ``unique_id`` (str, e.g. ``"H1"``; series in file
        order), ``ds`` (int64 time position) and ``y`` (float64). Training series start
        at ``ds = 0``; a test part continues its series' time, at ``ds = n_train``.

    Raises
    ------
    InvalidParameterError
        For an unknown ``subset`` or ``split``.
    DataNotFoundError
        If the folder or a file is missing.

    Examples
    --------
    >>> train, test = load_m4("Hourly", split="both")  # doctest: +SKIP
    >>> train.groupby("unique_id").size().min(), test.groupby("unique_id").size().max()  # doctest: +SKIP
    (700, 48)
    """
    subset = _m4_subset(subset)
    check_choice(split, "split", _M4_SPLITS)
    folder = Path(path) if path is not None else default_m4_dir()
    if not folder.is_dir():
        raise DataNotFoundError(
            f"path {str(folder)!r} is not a folder; pass the folder holding {subset}-train.csv and "
            f"{subset}-test.csv, or set the environment variable {_M4_ENV}."
        )
    train = _read_m4_wide(folder / f"{subset}-train.csv")
    if split == "train":
        return _long(train)
    test = _read_m4_wide(folder / f"{subset}-test.csv")
    if list(test) != list(train):
        raise InvalidInputError(
            f"M4 files in {str(folder)!r}: {subset}-test.csv does not list the same series, in the same "
            f"order, as {subset}-train.csv."
        )
    test_panel = _long(test, starts={k: v.size for k, v in train.items()})
    return test_panel if split == "test" else (_long(train), test_panel)
