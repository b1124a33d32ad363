"""The one registry of tsforecast's public names and of the classes a model file may hold.

Three readers, one list:

- ``tsforecast/__init__.py`` resolves its lazy imports from :data:`PUBLIC` (name -> module);
- :mod:`tsforecast.storage.model_files` restores only the classes :func:`saveable_classes` names;
- the command line (``tsforecast/cli/_registry.py``) offers the model names of
  :data:`CLI_MODELS`, each mapped to a class registered here.

This module imports nothing but the standard library, so ``import tsforecast`` stays fast.

Examples
--------
>>> PUBLIC["Naive"]
'baselines'
>>> CLASSES["WindowForecaster"].forecaster
True
>>> "InputForm" in PUBLIC, "InputForm" in saveable_classes()
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ClassEntry", "CLASSES", "FUNCTIONS", "PUBLIC", "CLI_MODELS", "saveable_classes", "forecaster_names"]


@dataclass(frozen=True)
class ClassEntry:
    """Where a class lives and what it is.

    Attributes
    ----------
    module : str
        Module relative to the package (``"baselines"``, ``"models.scaling"``).
    public : bool
        Exported as ``tsforecast.<name>``.
    forecaster : bool
        Has the forecaster contract (``fit(y, X)``, ``predict(horizon, X)``).
    saveable : bool
        May be written by ``tsforecast.save`` and rebuilt by ``tsforecast.load``.
    """

    module: str
    public: bool = True
    forecaster: bool = False
    saveable: bool = False


def _forecasters(module: str, *names: str) -> dict[str, ClassEntry]:
    return {name: ClassEntry(module, forecaster=True, saveable=True) for name in names}


#: Every class tsforecast exports or restores from a model file, by name.
CLASSES: dict[str, ClassEntry] = {
    **_forecasters("forecasters.window", "WindowForecaster"),
    **_forecasters("baselines", "Naive", "SeasonalNaive", "Drift", "Mean", "Naive2", "SES", "Holt", "Damped",
                   "Theta", "Comb", "ETS", "NonSeasonalETS", "ARIMA", "AutoARIMA", "Croston", "CrostonSBA", "TSB",
                   "ADIDA", "IMAPA", "MSTL"),
    **_forecasters("forecasters.intervals", "ConformalIntervals"),
    **_forecasters("forecasters.combination", "Combination"),
    "EncoderDecoderLSTM": ClassEntry("models", saveable=True),
    "MedianEnsemble": ClassEntry("models", saveable=True),
    "SlidingWindowTransformer": ClassEntry("core.windowing"),
    "BacktestResult": ClassEntry("backtesting"),
    "ExpandingWindowSplit": ClassEntry("core.splits"),
    "SlidingWindowSplit": ClassEntry("core.splits"),
    # parts of fitted models, restored but not exported
    "InputForm": ClassEntry("core.forms", public=False, saveable=True),
    "TimeAxis": ClassEntry("core.timeaxis", public=False, saveable=True),
    **{name: ClassEntry("models.scaling", public=False, saveable=True)
       for name in ("IdentityScaler", "StandardWindowScaler", "WindowScaler", "MeanWindowScaler",
                    "SeasonalWindowScaler", "LinearWindowScaler", "LastValueScaler")},
}

#: Public functions, by name -> module.
FUNCTIONS: dict[str, str] = {
    "make_windows": "core.windowing",
    "backtest": "backtesting",
    "report": "reporting",
    "save": "storage.model_files",
    "load": "storage.model_files",
    "to_panel": "core.forms",
    "from_panel": "core.forms",
    "list_datasets": "datasets",
    "load_m4": "datasets",
    "forecast_partitions": "backtesting.partitions",
    "backtest_partitions": "backtesting.partitions",
}

#: ``tsforecast.<name>`` -> module that defines it (read by the package's lazy imports).
PUBLIC: dict[str, str] = {
    **{name: entry.module for name, entry in CLASSES.items() if entry.public},
    **FUNCTIONS,
}

#: Model names of the command line -> the forecaster class each one builds.
CLI_MODELS: dict[str, str] = {
    "lstm": "WindowForecaster",
    "ridge": "WindowForecaster",
    "naive": "Naive",
    "snaive": "SeasonalNaive",
    "drift": "Drift",
    "mean": "Mean",
    "naive2": "Naive2",
    "ses": "SES",
    "holt": "Holt",
    "damped": "Damped",
    "theta": "Theta",
    "comb": "Comb",
    "ets": "ETS",
    "ets_nonseasonal": "NonSeasonalETS",
    "arima": "ARIMA",
    "autoarima": "AutoARIMA",
    "croston": "Croston",
    "croston_sba": "CrostonSBA",
    "tsb": "TSB",
    "adida": "ADIDA",
    "imapa": "IMAPA",
    "mstl": "MSTL",
}


def saveable_classes() -> dict[str, str]:
    """``{class name: module}`` of the classes a model file may name."""
    return {name: entry.module for name, entry in CLASSES.items() if entry.saveable}


def forecaster_names() -> list[str]:
    """Names of the public classes with the forecaster contract."""
    return [name for name, entry in CLASSES.items() if entry.forecaster and entry.public]
