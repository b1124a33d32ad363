"""ETS and ARIMA baselines: statsmodels' ``ETSModel`` and ``SARIMAX`` behind the forecaster contract.

One model is fitted per series (and target column), in standard units (see
:mod:`tsforecast.baselines._units`: statsmodels' optimisers are made for values of order
one), its parameters stored in the data's units. A fit whose optimiser did not converge
is kept, with a :class:`~tsforecast.exceptions.FallbackWarning` saying so. A series whose fit raises or gives
non-finite forecasts gets :class:`~tsforecast.baselines.Naive` instead, with a
:class:`~tsforecast.exceptions.FallbackWarning` naming it. Fitting many series is slow
(tens of milliseconds per model and series): use ``n_jobs`` on panels.

Examples
--------
>>> import numpy as np, pandas as pd
>>> y = pd.Series(10 + np.sin(np.arange(48) * np.pi / 6), index=pd.date_range("2024", periods=48, freq="MS"))
>>> ETS(error="add", trend=None, seasonal="add", season_length=12).fit(y).predict(3).index[0]
Timestamp('2028-01-01 00:00:00')
>>> ARIMA(order=(1, 0, 0)).fit(y).predict_quantiles(2, quantiles=[0.1, 0.9]).shape
(2, 2)
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd
from scipy.stats import norm

from ..core.kernels.arima import difference
from ..core.params import Boolean, Check, Integer, Options
from ..core.silencing import silenced
from ..core.validation import check_bool, check_int
from ..exceptions import InvalidParameterError
from ._base import LocalForecaster
from ._regressors import FUTURE_COVARIATES, RegressionForecaster
from ._units import arima_params, column_units, ets_params, series_units

__all__ = ["ETS", "ARIMA"]

_AUTO = "auto"


#: The note (a FallbackWarning) of a fit whose optimiser stopped before it converged.
_NOT_CONVERGED = ("statsmodels' optimiser did not converge (mle_retvals['converged'] is False): the fitted "
                  "parameters may be far from the best ones, and the forecasts with them")


#: The largest gradient of the (mean) log-likelihood, in standard units, at which an
#: optimiser that stopped for loss of precision (BFGS's warnflag 2) is taken at its optimum.
_FLAT_GRADIENT = 1e-3


#: Residuals (in standard units) below which a fit is exact: its likelihood has no
#: maximum to converge to, and the forecasts are the data's own pattern.
_EXACT = 1e-8


#: L-BFGS iterations of a SARIMAX fit: statsmodels' 50 stop short of optima on the boundary
#: (an ARIMA(1,1,1) of a random walk with drift: AR near 1, MA near -1) that 200 reach.
_SARIMAX_ITERATIONS = 200


def _converged(results) -> bool:
    """Whether statsmodels' maximum likelihood optimiser converged (True where it does not
    say): a stop for loss of precision where the gradient is flat is an optimum reached,
    and a fit without residuals (noise-free data) has nothing to converge to."""
    retvals = getattr(results, "mle_retvals", None)
    if not isinstance(retvals, dict) or bool(retvals.get("converged", True)):
        return True
    with np.errstate(all="ignore"):
        if np.nanmax(np.abs(np.asarray(results.resid, dtype=np.float64)), initial=0.0) <= _EXACT:
            return True
    gradient = np.asarray(retvals.get("gopt", np.inf), dtype=np.float64)
    return bool(np.all(np.abs(gradient) <= _FLAT_GRADIENT))


def _join(note: str | None, more: str) -> str:
    return more if note is None else f"{note}; {more}"


def _check_damped(value, name: str):
    """``damped_trend``: True, False or "auto"."""
    return value if isinstance(value, str) and value == _AUTO else check_bool(value, name)


#: ``damped_trend`` of the ETS family: True, False or "auto".
ETS_DAMPED = Check(_check_damped)


class ETS(LocalForecaster):
    """Exponential smoothing state-space model (statsmodels ``ETSModel``), form fixed or chosen by AICc.

    Each of ``error``, ``trend``, ``damped_trend`` and ``seasonal`` is either fixed or
    ``"auto"``; the automatic search fits every allowed combination and keeps the one
    with the smallest AICc. As R's ``forecast::ets`` does, it skips additive errors with
    multiplicative seasonality, multiplicative forms for series with a value <= 0 and
    seasonal forms when ``season_length == 1`` or the series has fewer than two seasons.
    A fixed form that the data cannot take (multiplicative on non-positive data,
    seasonal on a too-short series) falls back to the same form made additive or
    non-seasonal, with a FallbackWarning.

    Initial states: ``initialization_method="estimated"`` optimises them with the
    parameters (as R does); ``"heuristic"`` takes them from the first seasons (needs two
    full seasons and 10 values; about ten times faster when there are many seasonal
    states); ``"auto"`` (default) uses the heuristic for a series whenever a seasonal form
    is among its candidates and it has the data, estimation otherwise. All candidate
    forms of one series use the same method, so their AICc stay comparable.

    Each form is fitted on the series divided by its spread (less its mean, for forms with
    additive errors and season, whose level absorbs a shift) and its initial states carried
    back, so the forecasts follow the data's units (and level) exactly.

    Quantiles come from statsmodels' forecast distribution: exact (normal) for the linear
    (additive) forms, simulated (``simulate_repetitions`` paths, seeded by
    ``random_state``) for the others, with the variance of R's ``forecast::ets``: the
    sum of squared errors over the degrees of freedom left by the parameters (smoothing
    weights, damping, initial states, sigma), not over ``n``. For the simulated forms every quantile comes from
    the paths, so ``q0.5`` is their median, not the point forecast: ``predict`` gives the
    mean, which a multiplicative error's skewed distribution puts above the median.

    Parameters
    ----------
    error : {"add", "mul", "auto"}
    trend : {None, "add", "auto"}
    damped_trend : {True, False, "auto"}
        Damping of an additive trend (ignored without trend).
    seasonal : {None, "add", "mul", "auto"}
    season_length : int
        The seasonal period ``m`` (>= 1).
    initialization_method : {"auto", "estimated", "heuristic"}
        How initial states are set (see above).
    simulate_repetitions : int
        Paths simulated for the quantiles of non-linear forms.
    random_state : int or None
        Seed of those simulations; the default 0 makes quantiles reproducible, ``None``
        draws fresh randomness at every call.
    n_jobs : int, optional
        Processes for fitting a panel.
    """

    supports_quantiles = True
    _parameter_constraints = {
        "error": Options(("add", "mul", _AUTO)),
        "trend": Options((None, "add", _AUTO)),
        "damped_trend": ETS_DAMPED,
        "seasonal": Options((None, "add", "mul", _AUTO)),
        "season_length": Integer(minimum=1),
        "initialization_method": Options((_AUTO, "estimated", "heuristic")),
        "simulate_repetitions": Integer(minimum=1),
        "random_state": Integer(minimum=0, allow_none=True),
        **LocalForecaster._parameter_constraints,
    }

    def __init__(self, error="auto", trend="auto", damped_trend="auto", seasonal="auto", season_length: int = 1,
                 *, initialization_method: str = "auto", simulate_repetitions: int = 1000, random_state: int | None = 0, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.error = error
        self.trend = trend
        self.damped_trend = damped_trend
        self.seasonal = seasonal
        self.season_length = season_length
        self.initialization_method = initialization_method
        self.simulate_repetitions = simulate_repetitions
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _check_params(self):
        super()._check_params()
        if self.seasonal in ("add", "mul") and self.season_length == 1:
            raise InvalidParameterError(
                f"seasonal={self.seasonal!r} needs season_length > 1; got season_length={self.season_length!r}."
            )

    def _min_length(self):
        return 4

    def _candidates(self, x: np.ndarray) -> tuple[list[tuple], str | None]:
        positive = bool(np.all(x > 0))
        seasonal_ok = self.season_length > 1 and x.size >= 2 * self.season_length + 2
        pick = {
            "error": ("add", "mul") if self.error == _AUTO else (self.error,),
            "trend": (None, "add") if self.trend == _AUTO else (self.trend,),
            "damped": (False, True) if self.damped_trend == _AUTO else (bool(self.damped_trend),),
            "seasonal": ((None, "add", "mul") if seasonal_ok else (None,)) if self.seasonal == _AUTO
            else (self.seasonal,),
        }
        note = None
        if not positive and "mul" in (self.error, self.seasonal):
            note = "a value <= 0 rules out multiplicative forms; the additive form is used"
        if self.seasonal in ("add", "mul") and not seasonal_ok:
            note = f"{x.size} values are fewer than two seasons plus two; a non-seasonal form is used"
            pick["seasonal"] = (None,)
        elif self.season_length > 1 and not seasonal_ok:  # the season asked for cannot be estimated
            note = (f"{x.size} values are fewer than two seasons plus two (season_length={self.season_length}); "
                    "only non-seasonal forms are tried")
        forms = []
        for error, trend, damped, seasonal in itertools.product(*pick.values()):
            if not positive:
                error = "add" if error == "mul" else error
                seasonal = "add" if seasonal == "mul" else seasonal
            if trend is None:
                damped = False
            if error == "add" and seasonal == "mul" and self.seasonal == _AUTO:
                continue  # unstable: excluded as by forecast::ets(restrict = TRUE)
            forms.append((error, trend, damped, seasonal))
        return list(dict.fromkeys(forms)), note

    def _fit_one(self, x):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        # statsmodels' first import puts an "always" filter for its ConvergenceWarning in
        # front of the caller's "ignore" (_fit_chunk's): silenced again here, after it
        with silenced():
            return self._fit_forms(ETSModel, x)

    def _fit_forms(self, ETSModel, x):
        forms, note = self._candidates(x)
        endog = pd.Series(x)  # statsmodels' prediction intervals need a pandas index
        heuristic_ok = x.size >= max(10, 2 * self.season_length)
        method = self.initialization_method
        if method == _AUTO:
            method = "heuristic" if heuristic_ok and any(form[3] for form in forms) else "estimated"
        elif method == "heuristic" and not heuristic_ok:
            note = f"{x.size} values are too few for heuristic initial states; they are estimated"
            method = "estimated"
        best, best_aicc, errors = None, math.inf, []
        for error, trend, damped, seasonal in forms:
            # a shift is absorbed by the level of the additive forms only; scaling by all
            units = dict(zip(("centre", "scale"), series_units(x, shift=error == "add" and seasonal != "mul")))
            try:
                results = ETSModel((endog - units["centre"]) / units["scale"], error=error, trend=trend,
                                   damped_trend=damped, seasonal=seasonal,
                                   seasonal_periods=self.season_length if seasonal else None,
                                   initialization_method=method).fit(disp=False)
            except Exception as failure:  # noqa: BLE001 - try the other forms
                errors.append(failure)
                continue
            # the AICc of the fit in the data's units (the Jacobian of the scaling), comparable across forms
            aicc = results.aicc + 2 * x.size * math.log(units["scale"])
            if np.isfinite(aicc) and aicc < best_aicc and np.all(np.isfinite(results.forecast(2))):
                best, best_aicc, best_units = results, aicc, units
        if best is None:
            raise errors[0] if errors else FloatingPointError("no ETS form gave a finite fit")
        if not _converged(best):
            note = _join(note, _NOT_CONVERGED)
        form = "".join(["A" if best.model.error == "add" else "M",
                        "N" if best.model.trend is None else ("Ad" if best.model.damped_trend else "A"),
                        "N" if best.model.seasonal is None else ("A" if best.model.seasonal == "add" else "M")])
        # Plain numbers only (savable): the results are rebuilt from the data and the
        # fitted parameters when forecasting (statsmodels' smooth gives the same forecasts).
        spec = {"error": best.model.error, "trend": best.model.trend, "damped_trend": bool(best.model.damped_trend),
                "seasonal": best.model.seasonal, "seasonal_periods": best.model.seasonal_periods,
                "initialization_method": method}
        params = ets_params(np.asarray(best.params, dtype=np.float64), list(best.model.param_names), best_units,
                            best.model.seasonal)
        state = {"x": np.array(x), "params": params, "spec": spec, "n": x.size, "form": form}
        if note:
            state["note"] = note
        return state

    @staticmethod
    def _results(state):
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        return ETSModel(pd.Series(state["x"]), **state["spec"]).smooth(state["params"])

    def _forecast(self, state, horizon):
        return np.asarray(self._results(state).forecast(horizon), dtype=np.float64)

    def _quantiles(self, state, horizon, z):
        if state.get("fallback"):
            return super()._quantiles(state, horizon, z)
        n = state["n"]
        # statsmodels' variance is SSE / n; R's forecast::ets (and statsforecast) divide by
        # the degrees of freedom left: on 36 monthly values SSE / n covered 81% at 95%
        inflation = n / max(n - _ets_parameter_count(state["spec"]), 1)
        errors = np.random.default_rng(self.random_state).standard_normal((horizon, self.simulate_repetitions))
        # a series without variance (constant, all zeros) takes log(0) in statsmodels' parameter
        # covariance: numpy's warnings say nothing to the user, the bands are the point forecast
        with np.errstate(divide="ignore", invalid="ignore"):
            results = self._results(state)
            prediction = results.get_prediction(
                start=n, end=n + horizon - 1, simulate_repetitions=self.simulate_repetitions,
                random_errors=errors * math.sqrt(results.scale * inflation),
            )
        if prediction.method == "simulated":
            # every quantile, the median included, from the same paths: monotone in q (the
            # mean, which predict gives, lies above the median of these skewed paths)
            # (read from the unwrapped results: the wrapper's dates for them fail on a RangeIndex)
            paths = np.asarray(getattr(prediction, "_results", prediction).simulation_results, dtype=np.float64)
            return np.quantile(paths, norm.cdf(z), axis=1).T
        mean = np.asarray(prediction.predicted_mean, dtype=np.float64)
        std = np.sqrt(np.asarray(prediction.forecast_variance, dtype=np.float64) * inflation)
        return mean[:, None] + std[:, None] * z[None, :]


def _ets_parameter_count(spec: dict) -> int:
    """The parameters of an ETS form as R's ``forecast::ets`` counts them for its variance:
    smoothing parameters, damping, initial states (``m - 1`` seasonal ones) and sigma."""
    count = 3  # alpha, the initial level, sigma
    if spec["trend"] is not None:
        count += 2 + bool(spec["damped_trend"])  # beta, the initial slope (and phi)
    if spec["seasonal"] is not None:
        count += 1 + spec["seasonal_periods"] - 1  # gamma, m - 1 free initial seasonal states
    return count


def _check_order(value, name: str) -> tuple:
    """``order`` (3) or ``seasonal_order`` (4 integers): non-negative integers."""
    size = 4 if name == "seasonal_order" else 3
    if not isinstance(value, (tuple, list)) or len(value) != size:
        raise InvalidParameterError(f"{name} must be a tuple of {size} integers; got {value!r}.")
    return tuple(check_int(v, f"{name}[{i}]", minimum=0) for i, v in enumerate(value))


class ARIMA(RegressionForecaster):
    """Seasonal ARIMA (statsmodels ``SARIMAX``) with fixed orders or a small search by AICc, and regressors.

    With ``auto=True`` every ``(p, q)`` with ``p <= max_p`` and ``q <= max_q`` is fitted
    (``d`` and the seasonal orders as given) and the smallest AICc is kept.

    With ``X`` the model is a regression with ARIMA errors (SARIMAX's ``exog``, as
    ``AutoARIMA``'s): ``y_t = beta' x_t + u_t``, ``u`` the seasonal ARIMA, all
    coefficients estimated together by maximum likelihood; ``predict`` then needs ``X``
    for the forecast steps. The regressor columns are named by ``future_covariates``
    (``None``: every column of ``X``) and declared to backtests, which pass each fold its
    known future values.

    The fit runs on ``y`` and the regressors in standard units (less their means where
    the model absorbs a shift: a constant or differences; divided by their spreads
    always), an exact reparametrisation; the parameters are stored in the data's units, so
    forecasts and coefficients do not depend on the data's level or units.

    Parameters
    ----------
    order : tuple of 3 int
        ``(p, d, q)``.
    seasonal_order : tuple of 4 int
        ``(P, D, Q, m)``; ``(0, 0, 0, 0)`` for none.
    trend : {None, "n", "c", "t", "ct"}
        Deterministic trend; ``None`` means a constant when ``d + D == 0``, else none.
    auto : bool
        Search ``p`` and ``q`` by AICc.
    max_p, max_q : int
        Bounds of that search.
    future_covariates : str or list of str, optional
        The columns of ``X`` used as regressors (their future values are needed to
        predict); ``None`` uses every column of the ``X`` given to ``fit``.
    n_jobs : int, optional
        Processes for fitting a panel.

    Attributes
    ----------
    future_covariates_ : list
        The regressor columns of ``X`` (empty without ``X``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=110)}, index=pd.RangeIndex(110))
    >>> y = pd.Series(3 * X["x"].to_numpy()[:100] + rng.normal(size=100), index=pd.RangeIndex(100), name="y")
    >>> model = ARIMA(order=(1, 0, 0)).fit(y, X.iloc[:100])
    >>> model.future_covariates_, model.predict(10, X).shape
    (['x'], (10,))
    """

    supports_quantiles = True

    _parameter_constraints = {
        "order": Check(_check_order),
        "seasonal_order": Check(_check_order),
        "trend": Options((None, "n", "c", "t", "ct")),
        "auto": Boolean(),
        "max_p": Integer(minimum=0),
        "max_q": Integer(minimum=0),
        "future_covariates": FUTURE_COVARIATES,
        **RegressionForecaster._parameter_constraints,
    }

    def __init__(self, order=(1, 0, 0), seasonal_order=(0, 0, 0, 0), trend=None, *, auto: bool = False,
                 max_p: int = 2, max_q: int = 2, future_covariates=None, n_jobs: int | None = None,
                 fill: str | None = None, on_short: str = "raise"):
        self.order = order
        self.seasonal_order = seasonal_order
        self.trend = trend
        self.auto = auto
        self.max_p = max_p
        self.max_q = max_q
        self.future_covariates = future_covariates
        self.n_jobs = n_jobs
        self.fill = fill
        self.on_short = on_short

    def _check_params(self):
        super()._check_params()
        if self.seasonal_order[3] == 1 or (any(self.seasonal_order[:3]) and self.seasonal_order[3] < 2):
            raise InvalidParameterError(
                f"seasonal_order[3] (the season length) must be 0 (none) or >= 2; got {self.seasonal_order!r}."
            )

    def _min_length(self):
        p, d, q = self.order
        big_p, big_d, big_q, m = self.seasonal_order
        return max(3, d + big_d * m + max(p, self.max_p if self.auto else 0) + 2)

    def _orders(self):
        p, d, q = self.order
        if not self.auto:
            return [(p, d, q)]
        return [(i, d, j) for i in range(self.max_p + 1) for j in range(self.max_q + 1)]

    def _fit_one(self, item):
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        with silenced():  # after statsmodels' import-time filter (see ETS._fit_one)
            return self._fit_orders(SARIMAX, item)

    def _fit_orders(self, SARIMAX, item):
        x, z = item
        exog = z if z.shape[1] else None
        differences = self.order[1] + self.seasonal_order[1]
        trend = self.trend if self.trend is not None else ("c" if differences == 0 else "n")
        units = self._units(x, exog, shift=differences > 0 or trend in ("c", "ct"), differencing=(
            self.order[1], self.seasonal_order[1], self.seasonal_order[3]))
        endog, regressors = _standard(x, exog, units)
        best, best_aicc, errors = None, math.inf, []
        for order in self._orders():
            try:
                results = SARIMAX(endog, exog=regressors, order=order, seasonal_order=tuple(self.seasonal_order),
                                  trend=trend).fit(disp=False, maxiter=_SARIMAX_ITERATIONS)
            except Exception as failure:  # noqa: BLE001 - try the other orders
                errors.append(failure)
                continue
            if np.isfinite(results.aicc) and results.aicc < best_aicc:
                best, best_aicc = results, results.aicc
        if best is None:
            raise errors[0] if errors else FloatingPointError("no ARIMA order gave a finite fit")
        # Plain numbers only (savable): the results are rebuilt from the data and the
        # fitted parameters when forecasting (statsmodels' smooth gives the same forecasts).
        # The parameters are stored in the data's units (those users read), with the units.
        params = arima_params(np.asarray(best.params, dtype=np.float64), list(best.model.param_names), units,
                              differenced=differences > 0, to_original=True)
        state = {"x": np.array(x), "params": params, "order": list(best.model.order), "trend": trend, **units}
        if exog is not None:  # absent without regressors, as in files saved before they existed
            state["z"] = np.array(z)
        if not _converged(best):
            state["note"] = _NOT_CONVERGED
        return state

    @staticmethod
    def _units(x, exog, shift: bool, differencing=(0, 0, 0)) -> dict:
        """Standard units of the series and its regressors (shifted only where the model
        absorbs a shift: a constant, or differences). A differenced model's scale is that of
        the differences ``(d, D, m)`` its optimiser works on: the levels' spread of a
        trending series is far larger (a random walk with drift 10 over 150 steps had
        differences of 1e-3 in its levels' units, and statsmodels stopped short)."""
        z = exog if exog is not None else np.zeros((x.size, 0))
        centre, scale = series_units(x, shift)
        z_centre, z_scale = column_units(z, shift)
        d, big_d, m = differencing
        big_d = big_d if m > 1 else 0
        if (d or big_d) and x.size - d - big_d * m >= 2:
            dx = difference(np.ascontiguousarray(x, dtype=np.float64), d, big_d, m)
            dz = difference(np.ascontiguousarray(z, dtype=np.float64), d, big_d, m)
            scale, z_scale = series_units(dx, True)[1], column_units(dz, True)[1]
        return {"centre": centre, "scale": scale, "z_centre": z_centre, "z_scale": z_scale}

    def _results(self, state):
        """statsmodels' results in standard units (a fit saved before units were stored: the data's)."""
        from statsmodels.tsa.statespace.sarimax import SARIMAX

        units = _stored_units(state)
        endog, exog = _standard(state["x"], state.get("z"), units)
        model = SARIMAX(endog, exog=exog, order=tuple(state["order"]),
                        seasonal_order=tuple(self.seasonal_order), trend=state["trend"])
        differenced = self.seasonal_order[1] + state["order"][1] > 0
        params = arima_params(state["params"], list(model.param_names), units, differenced=differenced,
                              to_original=False)
        return model.smooth(params)

    @staticmethod
    def _exog(state, horizon, future):
        """The regressors of the forecast steps in standard units (zeros where only their shape matters)."""
        if "z" not in state:
            return None
        if future is None:
            return np.zeros((horizon, state["z"].shape[1]))
        return _standard(np.zeros(0), future, _stored_units(state))[1]

    def _forecast(self, state, horizon, future=None):
        exog = self._exog(state, horizon, future)
        units = _stored_units(state)
        standard = np.asarray(self._results(state).forecast(horizon, exog=exog), dtype=np.float64)
        return units["centre"] + units["scale"] * standard

    def _forecast_std(self, state, horizon):
        # The standard errors do not depend on the regressors' values (their coefficients are estimated).
        exog = self._exog(state, horizon, None)
        standard = np.asarray(self._results(state).get_forecast(horizon, exog=exog).se_mean, dtype=np.float64)
        return _stored_units(state)["scale"] * standard


def _stored_units(state: dict) -> dict:
    """The units of an ARIMA state: the data's own (centre 0, scale 1) in a fit saved before they were stored."""
    k = state["z"].shape[1] if "z" in state else 0
    return {"centre": float(state.get("centre", 0.0)), "scale": float(state.get("scale", 1.0)),
            "z_centre": np.asarray(state.get("z_centre", np.zeros(k)), dtype=np.float64),
            "z_scale": np.asarray(state.get("z_scale", np.ones(k)), dtype=np.float64)}


def _standard(x: np.ndarray, z: np.ndarray | None, units: dict) -> tuple[np.ndarray, np.ndarray | None]:
    """The series and its regressors in standard units."""
    endog = (np.asarray(x, dtype=np.float64) - units["centre"]) / units["scale"]
    exog = None if z is None else (np.asarray(z, dtype=np.float64) - units["z_centre"]) / units["z_scale"]
    return endog, exog
