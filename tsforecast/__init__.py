"""tsforecast: multi-step forecasting with an encoder-decoder LSTM, held honestly
against naive and statistical baselines.

Heavy parts (TensorFlow, statsmodels, matplotlib) are imported only when first used,
so ``import tsforecast`` stays fast.
"""

from __future__ import annotations

import importlib

from ._registry import PUBLIC as _LAZY  # public name -> module; resolved lazily by __getattr__
from ._version import __version__

__all__ = sorted(_LAZY) + ["__version__"]


def __getattr__(name: str):
    if name in _LAZY:
        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'tsforecast' has no attribute {name!r}")


def __dir__():
    return __all__
