"""Walk-forward backtests: leakage-proof, parallel (joblib or Dask), resumable.

:func:`backtest` runs forecasters over walk-forward folds and returns a
:class:`BacktestResult` (forecasts, metrics per step, summaries, Diebold-Mariano
comparisons). The package is named ``backtesting`` so that the function
``tsforecast.backtest`` is never shadowed by a submodule of the same name.

Modules: ``_data`` (the data and its roles), ``_tasks`` (what a worker runs),
``_execute`` (joblib and Dask), ``checkpoint`` (resuming), ``_assemble`` (payloads
into arrays), ``_arrays`` (the arrays behind a result and the tables they give),
``_scoring`` (elementwise metrics), ``significance`` (Diebold-Mariano), ``result``
(``BacktestResult``) and ``_run`` (``backtest``).
"""

from __future__ import annotations

from ._run import backtest
from .result import BacktestResult
from .significance import DieboldMarianoResult, diebold_mariano

__all__ = ["backtest", "BacktestResult", "diebold_mariano", "DieboldMarianoResult"]
