"""``AutoARIMA``: seasonal ARIMA chosen by the Hyndman-Khandakar stepwise search, with regressors.

For each series (and target column) the differences come from tests (KPSS for ``d``,
the seasonal strength of an STL decomposition for ``D``), then the orders
``(p, q)(P, Q)`` and the constant from the stepwise search of R's
``forecast::auto.arima`` (Hyndman & Khandakar 2008; statsforecast's ``AutoARIMA`` is
the same search): start from ``(2, 2)(1, 1)``, ``(0, 0)(0, 0)``, ``(1, 0)(1, 0)`` and
``(0, 1)(0, 1)`` (and the null model without the constant; where it wins, the moves keep
the constant, as R's code does), then move to a neighbour (one order up or down, or two
at once, or the constant dropped or added) while that lowers the AICc (or ``ic``), at most
94 models; ``stepwise=False`` fits every order
within the maxima instead. Each candidate is fitted by conditional sum of squares (CSS)
in compiled loops (:mod:`tsforecast.baselines._arima_fit`), which is R's
``approximation`` mode. The stepwise search starts each fit from zero coefficients, as R
does, and also from the coefficients of the model it moves around (the candidate's
neighbour), keeping the lower sum of squares: from zero alone, BFGS stopped in local
minima up to 18% above the other start's on M4 Hourly, and those fits steered the search
(``reports/auto_arima.md``). By default (``method="css-loglik-filter"``) the candidates are
ranked by the exact Gaussian likelihood at their CSS coefficients, and the chosen model
keeps its CSS fit and forecasts from the exact Kalman filter's state
(:mod:`tsforecast.baselines._arima_ml`); ``method="css"`` ranks by the CSS criterion and
forecasts by the CSS residual recursion. Forecast standard deviations come from the psi
weights (normal quantiles). A series given exactly by its differences (with the constant
or drift, and the regressors) gets ``(0, d, 0)(0, D, 0)m`` and exact forecasts, as in R.

With ``X`` the model is a regression with ARIMA errors (R's ``xreg``, statsforecast's
``X_df``): ``y_t = beta' x_t + u_t``, ``u`` a seasonal ARIMA; ``predict`` then needs
``X`` for the forecast steps. The regressor columns are named by
``future_covariates`` (``None``: every column of ``X``) and declared to backtests, which
pass each fold its known future values.

Examples
--------
>>> import numpy as np, pandas as pd
>>> t = np.arange(96)
>>> y = pd.Series(10 + np.sin(2 * np.pi * t / 12) + 0.1 * np.cos(t), index=pd.date_range("2024", periods=96, freq="h"))
>>> model = AutoARIMA(season_length=12).fit(y)
>>> model.predict(3).shape
(3,)
>>> list(model.orders_.columns)
['p', 'd', 'q', 'P', 'D', 'Q', 'm', 'constant']
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from ..core.kernels.arima import difference
from ..core.params import Boolean, Integer, Options
from ..exceptions import InvalidParameterError
from ._arima_fit import (KPSS_CRITICAL, criterion, fit_css, forecast_model, forecast_std, is_constant, ndiffs,
                         nested_start, nsdiffs, refit_ml, with_exact_likelihood)
from ._arima_ml import fit_ml, forecast_filtered, with_filter_likelihood, with_r_likelihood
from ._regressors import FUTURE_COVARIATES, RegressionForecaster
from ._units import coefficients_back, standard_columns

__all__ = ["AutoARIMA"]

#: Most models the stepwise search fits (R's ``nmodels``).
_MAX_MODELS = 94
#: The orders the stepwise search starts from, capped by the maxima (R's ``start.*``).
_START = {"p": 2, "q": 2, "P": 1, "Q": 1}


class AutoARIMA(RegressionForecaster):
    """Seasonal ARIMA ``(p, d, q)(P, D, Q)m`` chosen per series by a stepwise AICc search.

    Parameters
    ----------
    season_length : int, default 1
        The seasonal period ``m`` (1: no seasonal part).
    d, D : int or None
        Fixed numbers of differences (lag 1, lag ``m``); ``None`` (default) chooses them
        by KPSS and seasonal-strength tests. ``D=1`` needs a season (``season_length``
        of 2 or more); with ``season_length=1`` it is refused.
    max_p, max_q : int, default 5
        Largest non-seasonal AR and MA orders.
    max_P, max_Q : int, default 2
        Largest seasonal AR and MA orders.
    max_d : int, default 1
        Most differences at lag 1 the KPSS test may choose. R's ``auto.arima`` and
        statsforecast allow 2; on long trending series (M4 Weekly) KPSS then often asks for
        ``d = 2``, whose forecasts extrapolate the latest slope, at times far off. On the
        validation splits of M4 Weekly (359 series) ``max_d=1`` lowered the mean MASE from
        2.665 to 2.301, a gain beyond two standard errors (+0.364 +- 0.355); on M4 Hourly
        (414 series) KPSS never asked for ``d = 2`` (``reports/auto_arima.md``). Pass
        ``max_d=2`` for R's search.
    max_D : int, default 1
        Most seasonal differences the test may choose.
    seasonal_test : {"seas", "ocsb"}, default "seas"
        The test that chooses ``D``: ``"seas"``, a seasonal strength above 0.64 (R's and
        statsforecast's default); ``"ocsb"``, the Osborn-Chui-Smith-Birchenhall
        seasonal unit-root test at 5%, as R's ``nsdiffs(test = "ocsb")`` (pmdarima's
        default; statsforecast 2.1.1 accepts the name but runs the strength test).
    kpss_alpha : {0.01, 0.025, 0.05, 0.1}, default 0.025
        Level of the KPSS test that chooses ``d`` (``alpha`` of R's and statsforecast's
        ``ndiffs``, whose default is 0.05); a smaller level differences less often.
        0.025 scored a lower MASE than 0.05 on the validation splits of both M4 Hourly
        and Weekly (``reports/auto_arima.md``).
    max_order : int, default 5
        Largest ``p + q + P + Q`` of the full search (``stepwise=False`` only, as in R).
    stepwise : bool, default True
        The Hyndman-Khandakar stepwise search; ``False`` fits every order within the
        maxima and ``max_order`` (with and without the constant) and keeps the best.
    ic : {"aicc", "aic", "bic"}, default "aicc"
        The information criterion that ranks the candidates.
    method : {"css", "css-refit", "css-ml", "exact", "css-filter", "css-loglik-filter", "css-loglik-r"}, \
default "css-loglik-filter"
        ``"css"``: candidates fitted and ranked by conditional sum of squares, the choice
        keeps its CSS fit. ``"css-refit"``: the same search, then the choice refitted by
        exact maximum likelihood, as R's and statsforecast's ``approximation`` mode does
        (the published algorithm on series longer than 150 or seasons over 12; where the
        refit fails the CSS fit is kept, where R tries the next best). ``"css-ml"``: candidates
        fitted by CSS but ranked by the exact Gaussian likelihood at their CSS
        coefficients (statsmodels' Kalman filter), and the choice refitted by exact
        maximum likelihood; slower, and not more accurate on M4 Hourly's validation
        split (``reports/auto_arima.md``). ``"exact"``: every candidate fitted by exact
        Gaussian maximum likelihood started from its CSS fit and ranked by the criterion
        of that likelihood (R's ``auto.arima(approximation = FALSE)``, statsforecast's
        ``AutoARIMA`` default), the likelihood a compiled Kalman filter
        (:mod:`tsforecast.baselines._arima_ml`). Less accurate on M4 Hourly's
        validation split: the maximum-likelihood seasonal MA of a seasonally differenced
        series goes to within 1.01 of the unit circle, so those candidates are refused
        and seasonal AR models chosen (``reports/auto_arima.md``). ``"css-filter"``: as
        ``"css"``, but the forecasts come from the exact Kalman filter's state at the CSS
        coefficients (as statsmodels' and statsforecast's do) instead of the CSS residual
        recursion from zero pre-sample errors. ``"css-loglik-filter"``: as ``"css-filter"``,
        with the candidates ranked by the exact Gaussian likelihood at their CSS
        coefficients (one pass of the compiled filter each, no optimisation): in effect
        statsforecast's default ranking, whose maximum likelihood barely leaves the CSS
        coefficients. The default: on the validation split of all 414 M4 Hourly series
        its MASE was 0.9495 against ``"css"``'s 0.9719, clearly better
        (``reports/auto_arima.md``). ``"css-loglik-r"``: as ``"css-loglik-filter"``, with
        the likelihood computed as R's ``arima`` and statsforecast compute it (the
        undifferenced series, a diffuse start for the differences, the ARMA part started
        from AS 154's covariance, R's default ``SSinit``), so candidates whose likelihood R
        cannot compute (AS 154 gives them negative variances) are refused as there.
    future_covariates : str or list of str, optional
        The columns of ``X`` used as regressors (their future values are needed to
        predict); ``None`` uses every column of the ``X`` given to ``fit``.
    n_jobs : int, optional
        Processes for fitting a panel.

    Attributes
    ----------
    orders_ : DataFrame
        The chosen model of each series (and target column): ``p, d, q, P, D, Q, m`` and
        ``constant`` (``"mean"``, ``"drift"`` or ``""``); a series that fell back has NaN orders.
    future_covariates_ : list
        The regressor columns of ``X`` (empty without ``X``).
    """

    supports_quantiles = True

    _parameter_constraints = {
        "season_length": Integer(minimum=1),
        "d": Integer(minimum=0, maximum=2, allow_none=True),
        "D": Integer(minimum=0, maximum=1, allow_none=True),
        **{name: Integer(minimum=0) for name in ("max_p", "max_q", "max_P", "max_Q", "max_d", "max_D")},
        "seasonal_test": Options(("seas", "ocsb")),
        "kpss_alpha": Options(tuple(KPSS_CRITICAL)),
        "max_order": Integer(minimum=0),
        "stepwise": Boolean(),
        "ic": Options(("aicc", "aic", "bic")),
        "method": Options(("css", "css-refit", "css-ml", "exact", "css-filter", "css-loglik-filter",
                           "css-loglik-r")),
        "future_covariates": FUTURE_COVARIATES,
        **RegressionForecaster._parameter_constraints,
    }

    def __init__(self, season_length: int = 1, *, d: int | None = None, D: int | None = None, max_p: int = 5,
                 max_q: int = 5, max_P: int = 2, max_Q: int = 2, max_d: int = 1, max_D: int = 1,
                 seasonal_test: str = "seas", kpss_alpha: float = 0.025, max_order: int = 5, stepwise: bool = True,
                 ic: str = "aicc", method: str = "css-loglik-filter",
                 future_covariates=None, n_jobs: int | None = None, fill: str | None = None,
                 on_short: str = "raise"):
        self.season_length = season_length
        self.d = d
        self.D = D
        self.max_p = max_p
        self.max_q = max_q
        self.max_P = max_P
        self.max_Q = max_Q
        self.max_d = max_d
        self.max_D = max_D
        self.seasonal_test = seasonal_test
        self.kpss_alpha = kpss_alpha
        self.max_order = max_order
        self.stepwise = stepwise
        self.ic = ic
        self.method = method
        self.future_covariates = future_covariates
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    # -- parameters ---------------------------------------------------------------
    def _check_params(self):
        super()._check_params()
        if self.D and self.season_length == 1:  # a difference at lag 1 is d's: D would be dropped
            raise InvalidParameterError(
                f"D={self.D!r} asks for a seasonal difference, but season_length={self.season_length!r} gives "
                "no season; pass season_length (the period, >= 2) or leave D at None or 0."
            )

    def _min_length(self):
        return 4

    # -- fitting --------------------------------------------------------------------
    def _fit_one(self, item):
        x, z = item
        m = self.season_length
        exact = _exact_model(x, z, 0, 0, 1, constant=True)  # the mean (and regression) itself
        if exact is not None:
            return {"x": np.array(x), "z": np.array(z), "constant": exact[0], "model": exact[1]}
        constant_ok, d, big_d = self._differences(x, z)
        limits = self._limits(x.size, m if m > 1 else 1)
        if m == 1 or x.size <= 2 * m:
            big_d, limits["P"], limits["Q"] = 0, 0, 0
        exact = _exact_model(x, z, d, big_d, m, constant=constant_ok) if d + big_d else None
        if exact is not None:
            kind, model = exact
        else:
            refit = refit_ml if self.method in ("css-ml", "css-refit") else None
            search = _Search(x, z, m, d, big_d, limits, constant_ok, self.ic, _REFINE.get(self.method), refit)
            model = search.run() if self.stepwise else search.run_all(self.max_order)
            kind = model.pop("constant")
        state = {"x": np.array(x), "z": np.array(z), "constant": kind, "model": model}
        if 1 < m and x.size <= 2 * m:  # the season asked for cannot be estimated: say so
            state["note"] = (f"{x.size} values are at most two seasons (season_length={m}); "
                             "no seasonal terms are searched")
        return state

    def _differences(self, x, z) -> tuple[bool, int, int]:
        """Whether a constant is allowed, ``d`` and ``D`` (tested on ``x`` less its
        regression on the regressors, as statsforecast does)."""
        xx = x
        if z.shape[1]:  # in standard units: the same residuals in any units and level of z
            design = np.column_stack([np.ones(x.size), standard_columns(z, shift=True)[0]])
            xx = x - design @ np.linalg.lstsq(design, x, rcond=None)[0]
        m = self.season_length
        big_d = self.D
        if big_d is None:
            big_d = nsdiffs(xx, m, self.max_D, self.seasonal_test) if m > 1 and x.size > 2 * m else 0
        dx = xx[m:] - xx[:-m] if big_d else xx
        d = self.d if self.d is not None else ndiffs(dx, self.max_d, self.kpss_alpha)
        return d + big_d <= 1, d, big_d

    def _limits(self, n: int, m: int) -> dict:
        """The maxima, capped by the series length as auto.arima does."""
        return {"p": min(self.max_p, n // 3), "q": min(self.max_q, n // 3),
                "P": min(self.max_P, n // 3 // m), "Q": min(self.max_Q, n // 3 // m)}

    # -- forecasting --------------------------------------------------------------
    def _design(self, state: dict, start: int, steps: int, z: np.ndarray) -> np.ndarray:
        return _constant_columns(state["constant"], start, steps, z)

    def _forecast(self, state, horizon, future=None):
        x, z = state["x"], state["z"]
        future = np.zeros((horizon, z.shape[1])) if future is None else future
        forecast = forecast_filtered if self.method in _FILTERED else forecast_model
        return forecast(state["model"], x, self._design(state, 0, x.size, z),
                        self._design(state, x.size, horizon, future), horizon)

    def _forecast_std(self, state, horizon):
        return forecast_std(state["model"], horizon)

    @property
    def orders_(self) -> pd.DataFrame:
        multi = len(self.target_names_) > 1
        rows, index = [], []
        for target, state in zip(self.target_names_, self.states_):
            for key, s in zip(self.series_ids_, state["objects"]):
                index.append((key, target) if multi else key)
                if s.get("fallback"):
                    rows.append([np.nan] * 7 + [""])
                    continue
                p, d, q, big_p, big_d, big_q = s["model"]["orders"]
                rows.append([p, d, q, big_p, big_d, big_q, s["model"]["m"], s["constant"]])
        frame = pd.DataFrame(rows, columns=["p", "d", "q", "P", "D", "Q", "m", "constant"],
                             index=pd.MultiIndex.from_tuples(index) if multi else index)
        return frame


def _exact_model(x: np.ndarray, z: np.ndarray, d: int, big_d: int, m: int, constant: bool) -> tuple | None:
    """The model ``(0, d, 0)(0, D, 0)m`` and its constant's kind where ``x`` differenced
    ``d`` times at lag 1 and ``D`` times at lag ``m`` is given exactly by the constant
    (with ``constant``: the mean undifferenced, else the drift) and ``z`` alike
    differenced, else None: a constant series, a line, an exact season, one the regressors
    explain without error. Every candidate of the search has a zero variance there and is
    refused, so the search would end on a wrong model or none; R's ``auto.arima`` and
    statsforecast fit this model instead. Its variance is zero: the forecasts are exact,
    their intervals of zero width."""
    period = m if big_d else 1
    kind = ("mean" if d + big_d == 0 else "drift") if constant else ""
    if kind == "mean" and not z.shape[1]:  # the value itself, where least squares could round it
        beta = np.array([x[0]]) if x.size and is_constant(x) else None
        units = (np.zeros(0), np.zeros(0))
    else:
        design, *units = _standard_design(kind, z, d + big_d > 0)
        beta = _exact_coefficients(difference(np.ascontiguousarray(x, dtype=np.float64), d, big_d, period),
                                   difference(np.ascontiguousarray(design), d, big_d, period),
                                   float(np.max(np.abs(x))))
    if beta is None:
        return None
    model = {"orders": [0, d, 0, 0, big_d, 0], "m": period, "coef": beta, "n_regressors": beta.size,
             "sigma2": 0.0, "aicc": math.nan}
    return kind, _in_data_units(model, kind, *units)


def _exact_coefficients(w: np.ndarray, dz: np.ndarray, size: float) -> np.ndarray | None:
    """The least-squares coefficients of ``w`` on ``dz`` where they leave no error (relative
    to ``size``, the series' largest magnitude) with residual degrees of freedom left, else None.

    A saturated fit (as many independent columns as values: 6 noisy values differenced
    once, with the drift and 4 regressors) leaves no error whatever the values, so it
    says nothing: it was taken as exact, and noisy forecasts got intervals of zero width.
    """
    if not dz.shape[1]:
        return np.zeros(0) if np.max(np.abs(w), initial=0.0) <= 1e-10 * max(1.0, size) else None
    standard, centres, scales = standard_columns(dz, shift=False)  # the rank in any units of the columns
    beta, _, rank, _ = np.linalg.lstsq(standard, w, rcond=None)
    if w.size <= rank:
        return None
    beta = coefficients_back(beta, centres, scales)[0]
    return beta if np.max(np.abs(w - dz @ beta), initial=0.0) <= 1e-10 * max(1.0, size) else None


def _constant_columns(kind: str, start: int, steps: int, z: np.ndarray) -> np.ndarray:
    """Regression columns of positions ``start .. start + steps``: the mean or drift, then ``z``."""
    columns = [np.ones(steps)] if kind == "mean" else [np.arange(start + 1, start + steps + 1, dtype=float)] \
        if kind == "drift" else []
    return np.column_stack(columns + [z]) if columns else np.asarray(z, dtype=np.float64).reshape(steps, -1)


def _standard_design(kind: str, z: np.ndarray, differenced: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The regression columns of a model whose constant is ``kind`` with the regressors
    ``z`` in standard units (centred where the model absorbs a shift: beside the mean, or
    differenced), and the regressors' centres and scales (:func:`_in_data_units` maps back).

    Every fit, likelihood and refit of the search reads these columns, so none depends on
    a regressor's units or level: the mean and a regressor far from zero (epoch seconds,
    1.7e9 plus or minus 1e6) are nearly collinear, so every model with the mean was
    refused; statsmodels' refit ("css-refit", "css-ml") stopped at other optima for a
    regressor in other units; and R's likelihood ("css-loglik-r"), whose diffuse start
    sees the level of the series less its regression, ranked the models differently."""
    standard, centres, scales = standard_columns(z, shift=kind == "mean" or differenced)
    return _constant_columns(kind, 0, z.shape[0], standard), centres, scales


def _in_data_units(model: dict, kind: str, centres: np.ndarray, scales: np.ndarray) -> dict:
    """``model``, fitted on :func:`_standard_design`'s columns, with the coefficients of the
    regressors as they are: ``c + b'(z - centre) / scale`` becomes ``c' + (b / scale)' z``
    (a differenced model absorbs the shift ``c' - c``: its constant is unchanged)."""
    if not centres.size:
        return model
    coef = np.array(model["coef"], dtype=np.float64)
    first = coef.size - centres.size  # the regressors' coefficients come last
    coef[first:], shift = coefficients_back(coef[first:], centres, scales)
    if kind == "mean":
        coef[first - 1] += shift
    return {**model, "coef": coef}


#: What each method does to a candidate's CSS fit before it is ranked: "css-ml" scores it
#: by the exact likelihood at its CSS coefficients, "exact" refits it by exact maximum likelihood.
_REFINE = {"css-ml": with_exact_likelihood, "exact": fit_ml, "css-loglik-filter": with_filter_likelihood,
           "css-loglik-r": with_r_likelihood}
#: The methods that forecast from the exact Kalman filter's state rather than the CSS residual recursion.
_FILTERED = ("css-filter", "css-loglik-filter", "css-loglik-r")


class _Search:
    """The search of one series: candidates fitted once each, the best by the criterion ``ic``."""

    def __init__(self, x, z, m, d, big_d, limits, constant_ok, ic="aicc", refine=None, refit=None):
        self.x, self.z, self.m, self.d, self.big_d = x, z, m, d, big_d
        self.limits, self.constant_ok, self.ic, self.refine, self.refit = limits, constant_ok, ic, refine, refit
        self.tried: dict = {}
        self.best, self.best_key = None, None
        #: Whether each fit also starts from the best model's coefficients (the stepwise
        #: search, whose candidates are that model's neighbours; the full search fits each
        #: order on its own, as R does).
        self.neighbour_starts = False
        constant = "mean" if d + big_d == 0 else "drift"
        self.designs = {kind: _standard_design(kind, z, d + big_d > 0) for kind in (constant, "")}

    def fit(self, p, q, big_p, big_q, constant, cap: int = _MAX_MODELS) -> bool:
        """Fit a candidate (once); True when it is the best so far."""
        key = (p, q, big_p, big_q, bool(constant))
        if key in self.tried or len(self.tried) >= cap:
            return False
        kind = ("mean" if self.d + self.big_d == 0 else "drift") if constant else ""
        design = self.designs[kind][0]
        orders = (p, self.d, q, big_p, self.big_d, big_q)
        start = None
        if self.neighbour_starts and self.best and math.isfinite(self.best["score"]):
            start = nested_start(self.best, orders)  # the centre of the stepwise moves
        try:
            model = fit_css(self.x, design, orders, self.m, start)
            if self.refine is not None:
                model = self.refine(model, self.x, design)
            model["score"] = criterion(model, self.ic)
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            model = {"score": math.inf}
        model["constant"] = kind
        self.tried[key] = model
        if self.best is None or model["score"] < self.best["score"]:
            self.best, self.best_key = model, key
            return True
        return False

    def run_all(self, max_order: int) -> dict:
        """Every order within the limits and ``p + q + P + Q <= max_order``, with and
        without the constant where it is allowed (R's ``stepwise = FALSE``)."""
        lim = self.limits
        for p, q, big_p, big_q in itertools.product(*(range(lim[k] + 1) for k in ("p", "q", "P", "Q"))):
            if p + q + big_p + big_q > max_order:
                continue
            for constant in ((True, False) if self.constant_ok else (False,)):
                self.fit(p, q, big_p, big_q, constant, cap=math.inf)
        return self._checked()

    def _checked(self) -> dict:
        """The best model, refitted by ``refit`` where there is one, in the regressors' own units."""
        if not math.isfinite(self.best["score"]):
            raise FloatingPointError("no ARIMA model of the search gave a finite information criterion")
        kind = self.best["constant"]
        design, centres, scales = self.designs[kind]
        model = self.best if self.refit is None else {**self.refit(self.best, self.x, design), "constant": kind}
        return _in_data_units(model, kind, centres, scales)

    def run(self) -> dict:
        self.neighbour_starts = True
        lim = self.limits
        constant = self.constant_ok
        p, q = min(_START["p"], lim["p"]), min(_START["q"], lim["q"])
        big_p, big_q = min(_START["P"], lim["P"]), min(_START["Q"], lim["Q"])
        self.fit(p, q, big_p, big_q, constant)
        starts = [(0, 0, 0, 0, constant), (int(lim["p"] > 0), 0, int(lim["P"] > 0), 0, constant),
                  (0, int(lim["q"] > 0), 0, int(lim["Q"] > 0), constant)]
        if constant:
            starts.append((0, 0, 0, 0, False))
        for candidate in starts:
            if self.fit(*candidate):
                # R's auto.arima (and statsforecast) keep `constant` where the null model
                # without it wins: the moves go on with it, and the flip move can drop it
                p, q, big_p, big_q = candidate[:4]
        moved = True
        while moved and len(self.tried) < _MAX_MODELS:
            moved = False
            for dp, dq, dbp, dbq, flip in _NEIGHBOURS:
                candidate = (p + dp, q + dq, big_p + dbp, big_q + dbq, constant != flip)
                if flip and not self.constant_ok:
                    continue
                if not all(0 <= v <= lim[k] for v, k in zip(candidate[:4], ("p", "q", "P", "Q"))):
                    continue
                if self.fit(*candidate):
                    p, q, big_p, big_q, constant = candidate
                    moved = True
                    break
        return self._checked()


#: The neighbours the stepwise search tries, in R's order: (dp, dq, dP, dQ, flip the constant).
_NEIGHBOURS = [(0, 0, -1, 0, False), (0, 0, 0, -1, False), (0, 0, 1, 0, False), (0, 0, 0, 1, False),
               (0, 0, -1, -1, False), (0, 0, -1, 1, False), (0, 0, 1, -1, False), (0, 0, 1, 1, False),
               (-1, 0, 0, 0, False), (0, -1, 0, 0, False), (1, 0, 0, 0, False), (0, 1, 0, 0, False),
               (-1, -1, 0, 0, False), (-1, 1, 0, 0, False), (1, -1, 0, 0, False), (1, 1, 0, 0, False),
               (0, 0, 0, 0, True)]
