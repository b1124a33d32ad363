"""Intermittent demand: Croston, Croston SBA, TSB, ADIDA and IMAPA.

Series with many zeros (spare parts, retail items per store and day) defeat smoothing
models, which chase every spike and forecast a fraction of one after a run of zeros.
These methods forecast the *rate* of demand instead, one flat value for every step:

- :class:`Croston` smooths the non-zero demand sizes and the intervals between them
  separately (SES with ``alpha = 0.1``) and divides the first by the second;
- :class:`CrostonSBA` multiplies Croston's forecast by 0.95, the Syntetos-Boylan
  correction of its bias;
- :class:`TSB` smooths the demand probability (each period, 1 if any demand) instead of
  the interval, so the forecast decays while no demand comes (obsolescence);
- :class:`ADIDA` sums the series over blocks as long as the mean interval between
  demands, forecasts the sums with SES and spreads the forecast evenly over the block;
- :class:`IMAPA` averages ADIDA's forecasts over block lengths ``1..k``.

The definitions are statsforecast's (``models.py``, ``src/ses.cpp``): SES started at the
first value, ADIDA's and IMAPA's ``alpha`` found by golden-section search in
``[0.1, 0.3]`` on the in-sample squared errors. Our forecasts equal statsforecast's
to 1e-6 (``tests/test_intermittent.py`` against forecasts stored by
``benchmarks/intermittent_reference.py``). All series of a panel are fitted in one
compiled pass (:mod:`tsforecast.core.kernels.intermittent`).

No model here has a forecast distribution of its own: wrap one in
:class:`tsforecast.ConformalIntervals` for intervals (the command line does). A series
with a negative value is not demand: it gets :class:`~tsforecast.baselines.Naive` with a
:class:`~tsforecast.exceptions.FallbackWarning` naming it. Score these models with MASE
on the non-seasonal scale or a cumulative error, not sMAPE or MAPE (see
``docs/statistical_models.md``).

Examples
--------
>>> import pandas as pd
>>> y = pd.Series([0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 2.0, 0.0])
>>> Croston().fit(y).predict(2).round(4).tolist()
[0.9355, 0.9355]
>>> TSB(alpha_d=0.2, alpha_p=0.2).fit(y).predict(1).round(4).tolist()
[0.6315]
"""

from __future__ import annotations

import numpy as np

from ..core.kernels.common import segment_all_nonnegative
from ..core.kernels.intermittent import adida_level, croston_level, imapa_level, tsb_level
from ..core.params import Real
from ._base import LocalForecaster

__all__ = ["Croston", "CrostonSBA", "TSB", "ADIDA", "IMAPA"]

#: The Syntetos-Boylan approximation's debiasing factor, ``1 - alpha / 2`` for alpha 0.1.
SBA_FACTOR = 0.95
#: Croston's smoothing parameter in statsforecast's CrostonClassic and CrostonSBA.
CROSTON_ALPHA = 0.1
_NEGATIVE = "a negative value, which is not demand"


class _Intermittent(LocalForecaster):
    """A flat forecast per series from a kernel over the whole column (subclasses: :meth:`_levels`)."""

    def __init__(self, *, n_jobs: int | None = None, fill: str | None = None, on_short: str = "raise"):
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _levels(self, x: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError

    def _fit_column(self, x, starts, ends):
        with np.errstate(all="ignore"):
            level = self._levels(x, starts, ends)
        nonnegative = segment_all_nonnegative(x, starts, ends)
        finite = np.isfinite(level)
        reason = [None if ok and fine else (_NEGATIVE if not ok else "the fitted model gives non-finite forecasts")
                  for ok, fine in zip(nonnegative.tolist(), finite.tolist())]
        fallback = ~(nonnegative & finite)
        return {"level": np.where(fallback, x[ends - 1], level), "fallback": fallback, "reason": reason,
                "nonnegative": nonnegative}

    def _forecast_column(self, state, horizon):
        return np.repeat(state["level"][:, None], horizon, axis=1)

    def nonnegative_series(self) -> np.ndarray | None:
        """``[series, targets]``: True where the training values were all >= 0, so that
        conformal bounds (point -/+ a width) are clipped at 0 there (demand cannot be
        negative; an 80% band of intermittent demand reached below it on nearly every
        series). None for a fit saved before this was recorded."""
        states = getattr(self, "states_", None)
        if not states or any("nonnegative" not in state for state in states):
            return None
        return np.stack([np.asarray(state["nonnegative"], dtype=bool) for state in states], axis=-1)


class Croston(_Intermittent):
    """Croston's method: smoothed demand size over smoothed interval between demands.

    ``forecast = z / p`` with ``z`` the SES forecast (``alpha = 0.1``) of the positive
    values and ``p`` that of the intervals between non-zero values (the first counted
    from the start of the series); the last value when no value is positive.

    Parameters
    ----------
    n_jobs : int, optional
        Accepted for the baselines' common signature; the fit is one compiled pass.

    Examples
    --------
    >>> import pandas as pd
    >>> Croston().fit(pd.Series([0.0, 4.0, 0.0, 0.0, 2.0])).predict(1).round(4).tolist()
    [1.8095]
    """

    def _levels(self, x, starts, ends):
        return croston_level(x, starts, ends, CROSTON_ALPHA)


class CrostonSBA(_Intermittent):
    """Croston's method with the Syntetos-Boylan correction: 0.95 times :class:`Croston`.

    Croston's ratio of smoothed values is biased upwards; the factor ``1 - alpha / 2``
    (0.95 for ``alpha = 0.1``) removes most of that bias.

    Parameters
    ----------
    n_jobs : int, optional
        Accepted for the baselines' common signature; the fit is one compiled pass.

    Examples
    --------
    >>> import pandas as pd
    >>> CrostonSBA().fit(pd.Series([0.0, 4.0, 0.0, 0.0, 2.0])).predict(1).round(4).tolist()
    [1.719]
    """

    def _levels(self, x, starts, ends):
        return SBA_FACTOR * croston_level(x, starts, ends, CROSTON_ALPHA)


class TSB(_Intermittent):
    """Teunter-Syntetos-Babai: smoothed demand probability times smoothed demand size.

    The probability is the SES forecast (``alpha_p``) of the indicator "any demand in
    this period", updated every period, so the forecast falls while demand is absent;
    the size is the SES forecast (``alpha_d``) of the positive values. 0 for a series of
    zeros.

    Parameters
    ----------
    alpha_d : float, default 0.1
        Smoothing parameter of the demand size, in ``[0, 1]``.
    alpha_p : float, default 0.1
        Smoothing parameter of the demand probability, in ``[0, 1]``.
    n_jobs : int, optional
        Accepted for the baselines' common signature; the fit is one compiled pass.

    Examples
    --------
    >>> import pandas as pd
    >>> TSB(alpha_d=0.1, alpha_p=0.1).fit(pd.Series([0.0, 4.0, 0.0, 0.0, 2.0])).predict(1).round(4).tolist()
    [0.657]
    """

    _parameter_constraints = {"alpha_d": Real(minimum=0.0, maximum=1.0), "alpha_p": Real(minimum=0.0, maximum=1.0),
                              **LocalForecaster._parameter_constraints}

    def __init__(self, alpha_d: float = 0.1, alpha_p: float = 0.1, *, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.alpha_d = alpha_d
        self.alpha_p = alpha_p
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _levels(self, x, starts, ends):
        return tsb_level(x, starts, ends, float(self.alpha_d), float(self.alpha_p))


class ADIDA(_Intermittent):
    """Aggregate-disaggregate intermittent demand approach.

    The series is summed over blocks of ``k`` values (``k`` the mean interval between
    non-zero values, rounded half to even; the oldest ``n mod k`` values left out),
    the block sums forecast by SES with ``alpha`` chosen by golden-section search in
    ``[0.1, 0.3]``, and the forecast divided by ``k``. 0 for a series of zeros.

    Parameters
    ----------
    n_jobs : int, optional
        Accepted for the baselines' common signature; the fit is one compiled pass.

    Examples
    --------
    >>> import pandas as pd
    >>> ADIDA().fit(pd.Series([0.0, 4.0, 0.0, 0.0, 2.0])).predict(1).round(4).tolist()
    [1.8]
    """

    def _levels(self, x, starts, ends):
        return adida_level(x, starts, ends)


class IMAPA(_Intermittent):
    """Intermittent multiple aggregation prediction algorithm.

    The mean of :class:`ADIDA`'s forecasts with blocks of ``1, 2, ..., k`` values
    (``k`` as in ADIDA), which spreads the risk of one badly chosen block length.
    0 for a series of zeros.

    Parameters
    ----------
    n_jobs : int, optional
        Accepted for the baselines' common signature; the fit is one compiled pass.

    Examples
    --------
    >>> import pandas as pd
    >>> IMAPA().fit(pd.Series([0.0, 4.0, 0.0, 0.0, 2.0])).predict(1).round(4).tolist()
    [1.2009]
    """

    def _levels(self, x, starts, ends):
        return imapa_level(x, starts, ends)
