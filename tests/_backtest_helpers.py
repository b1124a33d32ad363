"""Tiny forecasters for the backtest tests (importable by joblib/Dask workers and
by the subprocess of the kill-and-resume test)."""

from __future__ import annotations

import os
import time

import numpy as np

from tsforecast.baselines import Naive
from tsforecast.forecasters.base import BaseForecaster, quantile_column


def _count(path):
    if path:
        # One short line per fit, appended: atomic enough for a counter on POSIX.
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()}\n")


class LastValue(BaseForecaster):
    """Repeats the last observed value (plus ``offset``); counts fits in ``counter``."""

    def __init__(self, offset: float = 0.0, counter: str | None = None, delay: float = 0.0):
        self.offset = offset
        self.counter = counter
        self.delay = delay

    def fit(self, y, X=None):
        frames = self._fit_frames(y)
        _count(self.counter)
        if self.delay:
            time.sleep(self.delay)
        self.last_ = {k: f.iloc[-1].to_numpy() + self.offset for k, f in frames.items()}
        self.n_fit_rows_ = {k: len(f) for k, f in frames.items()}
        return self

    def predict(self, horizon=None, X=None):
        h = self._check_horizon(horizon)
        return self._restore(
            {k: self._wrap(k, h, np.tile(v, (h, 1)), self.target_names_) for k, v in self.last_.items()}
        )


class UpdatableMean(BaseForecaster):
    """Mean of the fit data plus the last value seen (so ``update`` changes forecasts
    but not the fitted mean); counts fits."""

    def __init__(self, counter: str | None = None):
        self.counter = counter

    def fit(self, y, X=None):
        frames = self._fit_frames(y)
        _count(self.counter)
        self.mean_ = {k: float(f.iloc[:, 0].mean()) for k, f in frames.items()}
        self.last_ = {k: float(f.iloc[-1, 0]) for k, f in frames.items()}
        return self

    def update(self, y, X=None):
        frames = self._fit_frames(y)
        self.last_ = {k: float(f.iloc[-1, 0]) for k, f in frames.items()}
        return self

    def predict(self, horizon=None, X=None):
        h = self._check_horizon(horizon)
        return self._restore({
            k: self._wrap(k, h, np.full(h, 0.5 * (self.mean_[k] + self.last_[k])), self.target_names_)
            for k in self.last_
        })


class FailOn(LastValue):
    """A last-value forecaster that raises when fitted on exactly ``n_rows`` rows."""

    def __init__(self, n_rows: int = 0, offset: float = 0.0):
        self.n_rows = n_rows
        self.offset = offset
        self.counter = None
        self.delay = 0.0

    def fit(self, y, X=None):
        if len(y) == self.n_rows:
            raise ValueError(f"boom at {self.n_rows} rows")
        return super().fit(y, X)


class GlobalMean(BaseForecaster):
    """Fitted on all series at once: forecasts each series' last value plus the mean
    last change over every series (so the forecast of one series depends on all)."""

    fits_globally = True

    def __init__(self, counter: str | None = None):
        self.counter = counter

    def fit(self, y, X=None):
        frames = self._fit_frames(y, min_length=2)
        _count(self.counter)
        self.drift_ = float(np.mean([f.iloc[-1, 0] - f.iloc[-2, 0] for f in frames.values()]))
        self.last_ = {k: float(f.iloc[-1, 0]) for k, f in frames.items()}
        return self

    def predict(self, horizon=None, X=None):
        h = self._check_horizon(horizon)
        return self._restore({
            k: self._wrap(k, h, v + self.drift_ * np.arange(1, h + 1), self.target_names_)
            for k, v in self.last_.items()
        })


class NoisyQuantiles(LastValue):
    """Last value with quantiles ``last +- width * z``."""

    supports_quantiles = True

    def __init__(self, width: float = 1.0):
        self.width = width
        self.offset = 0.0
        self.counter = None
        self.delay = 0.0

    def predict_quantiles(self, horizon=None, X=None, quantiles=None):
        h = self._check_horizon(horizon)
        levels = quantiles or (0.1, 0.5, 0.9)
        z = {0.1: -1.2816, 0.5: 0.0, 0.9: 1.2816}
        out = {}
        for k, v in self.last_.items():
            values = np.column_stack([np.full(h, v[0] + self.width * z[q]) for q in levels])
            out[k] = self._wrap(k, h, values, [quantile_column(q) for q in levels])
        return self._restore(out)


class CovariateEcho(BaseForecaster):
    """Forecasts the future-known covariate ``x`` (checks X reaches predict) plus the
    last past covariate value ``z`` seen in fit."""

    uses_covariates = True

    def fit(self, y, X=None):
        self._fit_frames(y)
        self.last_z_ = float(X["z"].iloc[-1]) if X is not None and "z" in X else 0.0
        self.fit_end_ = X.index[-1]
        return self

    def predict(self, horizon=None, X=None):
        h = self._check_horizon(horizon)
        key = self.series_ids_[0]
        index = self._future_index(key, h)
        values = X["x"].reindex(index).to_numpy() + self.last_z_
        return self._restore({key: self._wrap(key, h, values, self.target_names_)})


class WideNaive(Naive):
    """Naive whose own quantile set (``quantiles="auto"``) is 0.05, 0.5, 0.95: a 90% band."""

    def _default_quantiles(self):
        return (0.05, 0.5, 0.95)
