"""Exceptions and warnings that users of tsforecast catch.

Every error is a subclass of :class:`ValueError` or :class:`TypeError`, so code
written against scikit-learn's conventions keeps working, and of
:class:`TsForecastError`, so one ``except`` clause catches everything the package
raises on purpose. Messages always name the argument and the value received.

Unfitted estimators raise scikit-learn's :class:`sklearn.exceptions.NotFittedError`,
re-exported here for convenience.
"""

from __future__ import annotations

from sklearn.exceptions import NotFittedError

__all__ = [
    "TsForecastError",
    "InvalidParameterError",
    "InvalidInputError",
    "InputTypeError",
    "InsufficientDataError",
    "ShapeMismatchError",
    "UnknownColumnError",
    "ModelFileError",
    "DataNotFoundError",
    "FileWriteError",
    "BacktestError",
    "NotFittedError",
    "TsForecastWarning",
    "FallbackWarning",
    "SkippedSeriesWarning",
    "UndefinedMetricWarning",
]


class TsForecastError(Exception):
    """Base class of every error raised on purpose by tsforecast.

    Keyword arguments are kept in ``facts`` (a dict): what the message says, for code
    that words it again (the command line, in its options' names) without parsing text.
    """

    def __init__(self, *args, **facts):
        super().__init__(*args)
        self.facts = facts


class InvalidParameterError(TsForecastError, ValueError):
    """A parameter has a value outside its documented range or choices."""


class InvalidInputError(TsForecastError, ValueError):
    """Data has values or structure that cannot be forecast: NaN, inf,
    an unsorted, duplicated or irregular time index, and so on."""


class InputTypeError(TsForecastError, TypeError):
    """An argument or a column has the wrong type or dtype."""


class InsufficientDataError(InvalidInputError):
    """A series is too short for the request (windows, season, folds)."""


class ShapeMismatchError(InvalidInputError):
    """An array has the wrong number of dimensions, features or steps."""


class UnknownColumnError(InvalidInputError):
    """A named column (target, covariate) is not in the data."""


class ModelFileError(TsForecastError, ValueError):
    """A saved file is not a tsforecast file, is truncated or was altered."""


class DataNotFoundError(TsForecastError, FileNotFoundError):
    """A data file or folder (a shipped dataset, the M4 files) is not where it was looked for."""


class FileWriteError(TsForecastError, OSError):
    """A file could not be written: the path is a folder, a parent is not a folder, or
    the system refused (no permission, disk full); the message names the path and why."""


class BacktestError(TsForecastError, RuntimeError):
    """Every task of a backtest failed, so there is no result to return."""


class TsForecastWarning(UserWarning):
    """Base class of the warnings tsforecast emits."""


class FallbackWarning(TsForecastWarning):
    """A model could not be fitted on one series and a simpler one was used."""


class SkippedSeriesWarning(TsForecastWarning):
    """A series of a panel was left out (for example, too short)."""


class UndefinedMetricWarning(TsForecastWarning):
    """A metric asked of a backtest is undefined on some forecasts (MAPE where the
    actual is zero, interval scores of a model without intervals); those scores are NaN
    and left out of the means."""
