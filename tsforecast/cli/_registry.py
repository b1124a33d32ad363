"""Model names of the command line and the forecasters they make.

Each name maps to a factory that builds a forecaster with sensible defaults for the
horizon and season length of the run. The defaults are documented in
:data:`MODEL_HELP` (shown by ``tsforecast backtest --help``).
"""

from __future__ import annotations

import difflib

from collections.abc import Callable
from dataclasses import dataclass

import click

from .._registry import CLI_MODELS
from ..exceptions import InvalidParameterError

__all__ = ["DEFAULT_MODELS", "ModelSettings", "MODEL_HELP", "model_names", "make_model", "make_models",
           "parse_model_names", "describe_lstm"]


@dataclass(frozen=True)
class ModelSettings:
    """What the factories need to know about the run."""

    horizon: int
    season_length: int = 1
    lookback: int | None = None
    epochs: int = 50
    units: int = 32
    seed: int | None = 0
    future_covariates: tuple[str, ...] = ()
    #: The user gave the season (``--season-length``): the look-back then holds three of them.
    season_given: bool = False

    @property
    def n_steps_in(self) -> int:
        """Input steps of window models: ``--lookback``, else 3 horizons (at least 12), and
        3 seasons of a season the user gave (so that it reaches the lstm's scaling and segments)."""
        if self.lookback is not None:
            return self.lookback
        seasons = 3 * self.season_length if self.season_given else 0
        return max(3 * self.horizon, 12, seasons)

    @property
    def lstm_season(self) -> int | None:
        """The season given to the lstm: when its window holds it, else None (derived in fit from the frequency)."""
        return self.season_length if 1 < self.season_length < self.n_steps_in else None


def _lstm(s: ModelSettings):
    from ..forecasters.window import WindowForecaster
    from ..models import EncoderDecoderLSTM

    # Small batches and a brisk learning rate train in few epochs on series of a few
    # thousand windows; early stopping on the latest 10% of windows ends training. The
    # season reaches the network only when the window holds it (a yearly season of
    # daily data does not fit 56 steps); else WindowForecaster derives it from the
    # frequency, and the network its scaling and segments from the season.
    network = EncoderDecoderLSTM(
        units=s.units, epochs=s.epochs, batch_size=32, learning_rate=3e-3, patience=8, validation_fraction=0.1,
        season_length=s.lstm_season, random_state=s.seed,
    )
    return WindowForecaster(network, n_steps_in=s.n_steps_in, n_steps_out=s.horizon,
                            future_covariates=list(s.future_covariates) or None)


def describe_lstm(s: ModelSettings) -> str:
    """One line on what the lstm derives from the run's season and look-back.

    Examples
    --------
    >>> describe_lstm(ModelSettings(horizon=48, season_length=336, season_given=True))
    'look-back 1008 steps (3 seasons of 336, the given season); season 336 for its scaling reference (when it beats the naive in training and a linear map does not beat it on the validation tail) and segments of 336 steps'
    """
    if s.lookback is not None:
        origin = "--lookback"
    elif s.season_given and s.n_steps_in == 3 * s.season_length:
        origin = f"3 seasons of {s.season_length}, the given season"
    else:
        origin = "3 horizons, at least 12"
    text = f"look-back {s.n_steps_in} steps ({origin}); "
    season = s.lstm_season
    if season is None:
        return text + (f"season {s.season_length} does not fit the look-back: the season of the data's frequency "
                       "is used, else segments of look-back/10 steps")
    short = s.n_steps_in // 10
    segments = (f"segments of {season} steps" if 3 * season <= s.n_steps_in
                else f"segments of {short} steps" if short >= 2 else "one step per recurrent step")
    return text + (f"season {season} for its scaling reference (when it beats the naive in training and a linear "
                   f"map does not beat it on the validation tail) and {segments}")


def _ridge(s: ModelSettings):
    from sklearn.linear_model import Ridge

    from ..forecasters.window import WindowForecaster

    return WindowForecaster(Ridge(alpha=1.0), n_steps_in=s.n_steps_in, n_steps_out=s.horizon,
                            future_covariates=list(s.future_covariates) or None)


#: Longest season ETS models seasonally; statsmodels' ETS grows slow and unstable with
#: hundreds of seasonal states (daily data with a yearly season), so longer seasons get
#: a non-seasonal ETS.
ETS_MAX_SEASON = 52


def _ets(s: ModelSettings):
    from ..baselines import ETS

    return ETS(season_length=s.season_length if s.season_length <= ETS_MAX_SEASON else 1, random_state=s.seed)


def _arima(s: ModelSettings):
    from ..baselines import ARIMA

    return ARIMA(order=(1, 1, 1), auto=True, max_p=2, max_q=2, future_covariates=list(s.future_covariates) or None)


def _autoarima(s: ModelSettings):
    from ..baselines import AutoARIMA

    return AutoARIMA(season_length=s.season_length, future_covariates=list(s.future_covariates) or None)


def _mstl(s: ModelSettings):
    from ..baselines import MSTL

    if s.season_length < 2:
        raise InvalidParameterError(f"mstl needs --season-length >= 2; got {s.season_length}.")
    # Hourly data: the daily and the weekly cycle, MSTL's textbook case.
    return MSTL(season_length=(24, 168) if s.season_length == 24 else (s.season_length,))


def _baseline(class_name: str) -> Callable[[ModelSettings], object]:
    def factory(s: ModelSettings):
        from .. import baselines

        cls = getattr(baselines, class_name)
        seasonal = "season_length" in cls().get_params(deep=False)
        return cls(season_length=s.season_length) if seasonal else cls()

    return factory


#: Factories with settings of their own; every other name builds its class with defaults.
_FACTORIES: dict[str, Callable[[ModelSettings], object]] = {"lstm": _lstm, "ridge": _ridge, "ets": _ets,
                                                            "arima": _arima, "autoarima": _autoarima,
                                                            "mstl": _mstl}

#: One line per model name on the defaults it uses.
_DESCRIPTIONS = {
    "lstm": "EncoderDecoderLSTM in a WindowForecaster: --lookback input steps, the horizon as output "
            "steps, --units units, at most --epochs epochs with early stopping (patience 8), seed --seed; "
            "season m = --season-length when shorter than --lookback (the default look-back then holds 3 "
            "seasons), else from the frequency (24 hourly, 48 half-hourly, 7 daily, 5 business-daily, 52 weekly, "
            "12 monthly, 4 quarterly); "
            "it learns corrections to the seasonal naive "
            "forecast when that beats the naive one on the training windows, else to the naive one, and "
            "reads segments of m steps when --lookback holds 3 seasons (else lookback/10)",
    "ridge": "Ridge regression on flattened windows (direct multi-step), same windows as lstm",
    "naive": "last value",
    "snaive": "value one season ago (--season-length)",
    "drift": "line through the first and last values",
    "mean": "mean of the history",
    "naive2": "naive on seasonally adjusted data (M4's Naive2)",
    "ses": "simple exponential smoothing (seasonally adjusted)",
    "holt": "Holt's linear trend (seasonally adjusted)",
    "damped": "damped trend (seasonally adjusted)",
    "theta": "Theta method",
    "comb": "mean of SES, Holt and Damped (M4's Comb)",
    "ets": f"exponential smoothing, form chosen by AICc (seasonal for seasons up to {ETS_MAX_SEASON})",
    "ets_nonseasonal": "exponential smoothing without season (ANN ... MAdN by AICc), compiled for panels",
    "arima": "ARIMA(p,1,q), p and q up to 2 chosen by AICc (non-seasonal); regression on the --future-covariates",
    "autoarima": "seasonal ARIMA (season --season-length) by the stepwise AICc search of auto.arima, "
                 "fitted by conditional sum of squares; regression on the --future-covariates",
    "croston": "Croston's method for intermittent demand (SES alpha 0.1 of sizes and intervals)",
    "croston_sba": "Croston with the Syntetos-Boylan correction (x 0.95)",
    "tsb": "TSB for intermittent demand (demand probability alpha 0.1, size alpha 0.1)",
    "adida": "ADIDA: SES on sums over blocks of the mean interval between demands",
    "imapa": "IMAPA: mean of ADIDA over block lengths 1..mean interval",
    "mstl": "MSTL: seasons removed by STL (24 and 168 for --season-length 24, else --season-length), "
            "non-seasonal ETS (NonSeasonalETS) on the rest",
}

# name -> (factory, one-line description of the defaults), in the order of tsforecast._registry.CLI_MODELS
_REGISTRY: dict[str, tuple[Callable[[ModelSettings], object], str]] = {
    name: (_FACTORIES.get(name) or _baseline(class_name), _DESCRIPTIONS[name])
    for name, class_name in CLI_MODELS.items()
}

#: ``name: description`` lines for the help text.
MODEL_HELP = "\n".join(f"{name}: {text}" for name, (_, text) in _REGISTRY.items())


def model_names() -> list[str]:
    """The names ``--models`` accepts.

    Examples
    --------
    >>> model_names()[:3]
    ['lstm', 'ridge', 'naive']
    """
    return list(_REGISTRY)


#: What ``backtest`` compares without ``--models``: the network beside the baselines it must
#: beat, the question a first run asks ("does the LSTM beat naive, seasonal naive, Theta, ETS?").
DEFAULT_MODELS = "lstm,naive,snaive,theta,ets"


def parse_model_names(value: str, option: str = "--models") -> list[str]:
    """Split ``"lstm,naive"`` and check every name; unknown names list the known ones."""
    names = [part.strip().lower() for part in value.split(",") if part.strip()]
    if not names:
        raise InvalidParameterError(f"{option} must name at least one model; got {value!r}.")
    unknown = [n for n in names if n not in _REGISTRY]
    if unknown:
        close = _closest_model(unknown[0])
        raise InvalidParameterError(
            f"{option}: unknown model name(s) {', '.join(map(repr, unknown))}"
            f"{f' (did you mean {close!r}?)' if close else ''}; known: {', '.join(_REGISTRY)}."
        )
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"{option} names a model twice; got {value!r}.")
    return names


class OptionError(click.UsageError, InvalidParameterError):
    """A misused option: a usage error to the command line (exit status 2), and to a caller
    of the command in Python the documented :class:`~tsforecast.exceptions.InvalidParameterError`."""


def parse_levels(value: str | None, option: str = "--levels") -> tuple[float, ...] | None:
    """``"80,95"`` -> ``(80.0, 95.0)``, checked as interval levels; ``None`` stays ``None``.

    A misused option as the others are (:class:`OptionError`, exit status 2), with
    one wording of the range for every level outside it (0, 100, or the fraction 0.8).

    Examples
    --------
    >>> parse_levels("80,95")
    (80.0, 95.0)
    """
    if value is None:
        return None
    from ..exceptions import TsForecastError
    from ..forecasters.base import check_levels

    parts = [part.strip() for part in value.split(",") if part.strip()]
    try:
        numbers = [float(part) for part in parts]
    except ValueError:
        raise OptionError(f"{option} must be comma-separated percentages such as 80,95; got {value!r}.") from None
    outside = [part for part, number in zip(parts, numbers) if not 1 <= number < 100]
    if outside or not numbers:
        fractions = [number for number in numbers if 0 < number < 1]
        hint = f" (percent, not fractions: pass {','.join(f'{100 * f:g}' for f in fractions)})" if fractions else ""
        raise OptionError(f"{option} must be percentages from 1 to below 100 (80 for an 80% interval); got "
                          f"{value!r}{hint}.")
    try:
        return check_levels(numbers, option)
    except TsForecastError as error:  # unsorted, repeated: the option misused
        raise OptionError(str(error)) from None


def with_intervals(models: dict, levels: tuple, horizon: int, n_windows: int, conformal: bool = False) -> dict:
    """``models`` where each model without a forecast distribution of its own (or every
    model, with ``conformal``) is wrapped in :class:`~tsforecast.ConformalIntervals`.

    Window models (lstm, ridge) are calibrated with ``refit=False``: one extra fit per
    fold instead of one per calibration window; baselines refit every window, vectorised.
    """
    from ..forecasters.intervals import ConformalIntervals

    out = {}
    for name, model in models.items():
        if conformal or not model.supports_quantiles:
            model = ConformalIntervals(model, levels=levels, horizon=horizon, n_windows=n_windows,
                                       refit=not callable(getattr(model, "update", None)))
        out[name] = model
    return out


#: Names users bring from other libraries and class names, and ours for them.
_OTHER_NAMES = {"seasonalnaive": "snaive", "seasonal_naive": "snaive", "auto_arima": "autoarima",
                "sarima": "autoarima", "autoets": "ets", "holtwinters": "ets", "holt_winters": "ets",
                "exponential_smoothing": "ets", "autotheta": "theta", "crostonsba": "croston_sba",
                "windowforecaster": "ridge", "encoderdecoderlstm": "lstm", "randomwalk": "naive"}


def _closest_model(name: str) -> str | None:
    """Our model name for ``name`` as other libraries write it, or the closest of ours."""
    key = name.replace("-", "_")
    for spelling in (key, key.replace("_", "")):
        if spelling in _OTHER_NAMES:
            return _OTHER_NAMES[spelling]
    close = difflib.get_close_matches(key, list(_REGISTRY), n=1, cutoff=0.7)
    return close[0] if close else None


def make_model(name: str, settings: ModelSettings):
    """A new forecaster for ``name`` (one of :func:`model_names`)."""
    if name not in _REGISTRY:
        raise InvalidParameterError(f"unknown model name {name!r}; known: {', '.join(_REGISTRY)}.")
    return _REGISTRY[name][0](settings)


def make_models(names: list[str], settings: ModelSettings) -> dict[str, object]:
    """``{name: forecaster}`` for the backtest, in the order given."""
    return {name: make_model(name, settings) for name in names}
