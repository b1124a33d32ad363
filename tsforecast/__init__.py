"""tsforecast: multi-step forecasting with an encoder-decoder LSTM, held honestly
against naive and statistical baselines.

Heavy parts (TensorFlow, statsmodels, matplotlib) are imported only when first used,
so ``import tsforecast`` stays fast.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> module that defines it; resolved lazily by __getattr__
_LAZY = {
    "make_windows": "windowing",
    "SlidingWindowTransformer": "windowing",
    "EncoderDecoderLSTM": "models",
    "MedianEnsemble": "models",
    "WindowForecaster": "forecaster",
    "backtest": "backtesting",
    "BacktestResult": "backtesting",
    "report": "reporting",
    "save": "persistence",
    "load": "persistence",
    "to_panel": "panel",
    "ExpandingWindowSplit": "splits",
    "SlidingWindowSplit": "splits",
    "list_datasets": "datasets",
    "load_m4": "datasets",
    "from_panel": "panel",
    **dict.fromkeys(["Naive", "SeasonalNaive", "Drift", "Mean", "Naive2", "SES", "Holt", "Damped", "Theta",
                     "Comb", "ETS", "ARIMA"], "baselines"),
}

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'tsforecast' has no attribute {name!r}")


def __dir__():
    return __all__
