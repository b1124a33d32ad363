"""Declared parameters: constraints per constructor argument and the one validator.

Every estimator and forecaster of tsforecast declares its constructor arguments in a
class attribute ``_parameter_constraints`` (as scikit-learn does), one constraint per
argument, and calls :func:`validate_params` first in ``fit``. The constraints wrap the
checks of :mod:`tsforecast.core.validation`, so every refusal names the argument and the
value received, with the exception class users catch (scikit-learn's own validator
raises its own class, with other wording). Rules that tie several arguments together
stay in the estimator, after the declared checks.

Examples
--------
>>> from sklearn.base import BaseEstimator
>>> class Model(BaseEstimator):
...     _parameter_constraints = {"window": Integer(minimum=1), "method": Options(("mean", "median"))}
...     def __init__(self, window=3, method="mean"):
...         self.window, self.method = window, method
>>> validate_params(Model(window=4))
{'window': 4, 'method': 'mean'}
>>> validate_params(Model(window=0))
Traceback (most recent call last):
...
tsforecast.exceptions.InvalidParameterError: window must be >= 1; got 0.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass

from .validation import check_bool, check_choice, check_float, check_int

__all__ = ["Constraint", "Integer", "Real", "Options", "Boolean", "Check", "Unchecked", "validate_params"]


class Constraint(ABC):
    """One argument's rule: :meth:`check` returns the cleaned value or raises."""

    @abstractmethod
    def check(self, value, name: str):
        """Return ``value`` cleaned, or raise an error naming ``name`` and the value."""


@dataclass(frozen=True)
class Integer(Constraint):
    """An int (not a bool) in ``[minimum, maximum]``; ``None`` too with ``allow_none``."""

    minimum: int | None = None
    maximum: int | None = None
    allow_none: bool = False

    def check(self, value, name: str):
        return check_int(value, name, minimum=self.minimum, maximum=self.maximum, allow_none=self.allow_none)


@dataclass(frozen=True)
class Real(Constraint):
    """A finite number between ``minimum`` and ``maximum`` (each bound inclusive or not)."""

    minimum: float | None = None
    maximum: float | None = None
    include_minimum: bool = True
    include_maximum: bool = True
    allow_none: bool = False

    def check(self, value, name: str):
        return check_float(value, name, minimum=self.minimum, maximum=self.maximum,
                           include_minimum=self.include_minimum, include_maximum=self.include_maximum,
                           allow_none=self.allow_none)


@dataclass(frozen=True)
class Options(Constraint):
    """One of ``choices`` (``None`` among them where it is a choice)."""

    choices: tuple

    def check(self, value, name: str):
        return check_choice(value, name, self.choices)


@dataclass(frozen=True)
class Boolean(Constraint):
    """True or False (numpy bools included)."""

    def check(self, value, name: str):
        return check_bool(value, name)


@dataclass(frozen=True)
class Check(Constraint):
    """A rule of its own: ``function(value, name)`` returns the cleaned value or raises
    an exception of :mod:`tsforecast.exceptions` naming ``name`` and the value."""

    function: Callable

    def check(self, value, name: str):
        return self.function(value, name)


@dataclass(frozen=True)
class Unchecked(Constraint):
    """Taken as given here, for the stated ``reason`` (checked where it is used, such as an
    estimator argument by its own ``fit``, or a seed by ``check_random_state``)."""

    reason: str

    def check(self, value, name: str):
        return value


def validate_params(estimator) -> dict:
    """Check every constructor argument of ``estimator`` against its class'
    ``_parameter_constraints``; return the cleaned values by name, in declaration order.

    Raises
    ------
    InputTypeError, InvalidParameterError
        The first argument that breaks its constraint, named with the value received.
    TypeError
        The class declares other names than its constructor takes (a programming error).
    """
    constraints: dict[str, Constraint] = type(estimator)._parameter_constraints
    params = estimator.get_params(deep=False)
    if set(constraints) != set(params):
        raise TypeError(f"{type(estimator).__name__}._parameter_constraints declares {sorted(constraints)}, but its "
                        f"constructor takes {sorted(params)}.")
    return {name: constraint.check(params[name], name) for name, constraint in constraints.items()}

