"""Automatic non-seasonal ETS, compiled: MSTL's default trend model.

The six non-seasonal exponential smoothing forms (additive or multiplicative errors;
no trend, a linear trend or a damped one: ANN, AAN, AAdN, MNN, MAN, MAdN) fitted to
every series of a panel in one compiled call, as R's ``forecast::ets`` and
statsforecast's ``AutoETS(model="ZZN")`` fit them (see :mod:`tsforecast.core.kernels.ets`),
and the form with the smallest AICc kept. It is what statsforecast's MSTL puts on the
seasonally adjusted series, at a small fraction of :class:`ETS`'s time (statsmodels,
one optimiser per form and series).

Examples
--------
>>> import numpy as np, pandas as pd
>>> y = pd.Series(100 + 0.5 * np.arange(200) + np.random.default_rng(0).normal(0, 1, 200))
>>> model = NonSeasonalETS().fit(y)
>>> model.forms_[0][0]
'AAN'
>>> bool(abs(model.predict(10).iloc[-1] - 205) < 3)
True
"""

from __future__ import annotations

import numpy as np

from ..core.kernels.ets import FORMS, fit_panel, forecast_panel
from ..core.params import Integer, Options, Real
from ._base import LocalForecaster
from .statsmodels_models import ETS, ETS_DAMPED

__all__ = ["NonSeasonalETS"]

_AUTO = "auto"
_NAMES = tuple(("M" if mul else "A") + ("N" if not trend else ("Ad" if damped else "A")) + "N"
               for mul, trend, damped in FORMS)


class NonSeasonalETS(ETS):
    """Exponential smoothing without season, form chosen by AICc, compiled for panels.

    Each of ``error``, ``trend`` and ``damped_trend`` is fixed or ``"auto"``;
    multiplicative errors are tried only on positive series. Parameters and initial
    states are estimated by maximum likelihood (R's bounds: smoothing parameters in
    [1e-4, 0.9999] with the slope's at most the level's, damping in [0.8, 0.98]).
    Quantiles come from statsmodels' ``ETSModel`` with the fitted parameters (exact for
    additive errors, simulated for multiplicative ones), as :class:`ETS` gives them: for
    multiplicative errors ``q0.5`` is the median of the simulated paths, not the point
    forecast (the mean).

    Parameters
    ----------
    error : {"add", "mul", "auto"}
    trend : {None, "add", "auto"}
    damped_trend : {True, False, "auto"}
        Damping of an additive trend (ignored without trend).
    max_beta : float, default 0.9999
        Upper bound of the slope's smoothing parameter: R's bound by default.
        statsforecast's AutoETS bounds it, in effect, by its starting alpha (about
        0.2), which keeps slopes slow; on M4 Hourly's validation split (the last 48
        values of each training series) MSTL was more accurate with R's bound
        (``reports/stats_models.md``).
    simulate_repetitions : int
        Paths simulated for the quantiles of multiplicative-error forms.
    random_state : int or None
        Seed of those simulations.
    n_jobs : int, optional
        Processes for fitting a panel.

    Attributes
    ----------
    forms_ : list of list of str
        Per target column, each series' chosen form (``"AAdN"`` ...; ``"Naive"`` where
        no form could be fitted).
    """

    _parameter_constraints = {
        "error": Options(("add", "mul", _AUTO)),
        "trend": Options((None, "add", _AUTO)),
        "damped_trend": ETS_DAMPED,
        "max_beta": Real(minimum=1e-4, maximum=0.9999),
        "simulate_repetitions": Integer(minimum=1),
        "random_state": Integer(minimum=0, allow_none=True),
        **LocalForecaster._parameter_constraints,
    }

    def __init__(self, error="auto", trend="auto", damped_trend="auto", *, max_beta: float = 0.9999,
                 simulate_repetitions: int = 1000, random_state: int | None = 0, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.error = error
        self.trend = trend
        self.damped_trend = damped_trend
        self.max_beta = max_beta
        self.simulate_repetitions = simulate_repetitions
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _check_params(self):
        # ETS's own check adds rules about its seasonal part, which this model does not have
        LocalForecaster._check_params(self)

    def _allowed(self) -> np.ndarray:
        """Which of :data:`FORMS` the parameters allow."""
        keep = []
        for mul, trend, damped in FORMS:
            ok = self.error == _AUTO or (self.error == "mul") == mul
            ok = ok and (self.trend == _AUTO or (self.trend == "add") == trend)
            ok = ok and (not trend or self.damped_trend == _AUTO or bool(self.damped_trend) == damped)
            keep.append(ok)
        return np.array(keep, dtype=np.bool_)

    @property
    def forms_(self) -> list[list[str]]:
        return [[s.get("form", self.fallback_name) for s in column["objects"]] for column in self.states_]

    def _fit_batch(self, series: list[np.ndarray]) -> list:
        lengths = np.array([x.size for x in series], dtype=np.int64)
        ends = np.cumsum(lengths)
        values = np.concatenate(series).astype(np.float64) if series else np.zeros(0)
        forms, params, _, final = fit_panel(values, ends - lengths, ends, self._allowed(), float(self.max_beta))
        allowed_mul = self.error != "add"
        return [self._state(x, int(f), p, last, allowed_mul) for x, f, p, last in zip(series, forms, params, final)]

    def _fit_one(self, x):
        state = self._fit_batch([x])[0]
        if isinstance(state, Exception):
            raise state
        return state

    @staticmethod
    def _state(x, form, params, final, allowed_mul):
        """The state :class:`ETS` forecasts from (statsmodels' parameter order), or the
        reason no form fitted."""
        if form < 0:
            reason = "no form could be fitted" + ("" if not allowed_mul or np.all(x > 0) else
                                                   " (multiplicative errors need positive values)")
            return FloatingPointError(reason)
        mul, trend, damped = FORMS[form]
        alpha, beta, phi, level, slope = params
        values = [alpha] + ([beta] if trend else []) + ([phi] if damped else []) + [level] + ([slope] if trend else [])
        spec = {"error": "mul" if mul else "add", "trend": "add" if trend else None, "damped_trend": bool(damped),
                "seasonal": None, "seasonal_periods": None, "initialization_method": "estimated"}
        return {"x": np.array(x), "params": np.array(values, dtype=np.float64), "spec": spec, "n": x.size,
                "form": _NAMES[form], "final": np.array(final, dtype=np.float64), "phi": float(phi)}

    def _forecast(self, state, horizon):
        return forecast_panel(state["final"][None, :], np.array([state["phi"]]), horizon)[0]
