"""The plain-language verdict: does a model beat the reference, and is it significant?

Only words are made here: the skill (``1 - metric / metric_reference``) and the
Diebold-Mariano p-value come from ``BacktestResult.summary`` and ``.compare``.
"""

from __future__ import annotations

import math

__all__ = ["SHARED_CELLS", "SIGNIFICANCE_LEVELS", "significance_level", "significance_mark", "direction_agrees",
           "verdict_sentence", "best_sentence", "format_p", "p_digits", "single_model_sentence"]

#: How the report names the (series, fold) cells every model scored, on which models are
#: ranked and compared when some model failed on cells others scored.
SHARED_CELLS = "on the cells all models scored"
#: Significance levels and their marks in the metrics table (the usual star convention).
SIGNIFICANCE_LEVELS = ((0.01, "***"), (0.05, "**"), (0.10, "*"))


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def significance_level(p_value: float | None) -> float | None:
    """The smallest level in :data:`SIGNIFICANCE_LEVELS` that ``p_value`` is below, if any.

    Examples
    --------
    >>> significance_level(0.003), significance_level(0.2)
    (0.01, None)
    """
    if _missing(p_value):
        return None
    for level, _ in SIGNIFICANCE_LEVELS:
        if p_value < level:
            return level
    return None


def significance_mark(p_value: float | None) -> str:
    """``"***"``, ``"**"``, ``"*"`` or ``""`` for a Diebold-Mariano p-value.

    Examples
    --------
    >>> significance_mark(0.03)
    '**'
    """
    level = significance_level(p_value)
    return dict(SIGNIFICANCE_LEVELS).get(level, "") if level is not None else ""


def format_p(p_value: float) -> str:
    """``= 0.0042``; ``< 1e-300`` for a p-value that underflowed to zero (it is never zero).

    Examples
    --------
    >>> format_p(0.0042), format_p(0.0)
    ('= 0.0042', '< 1e-300')
    """
    return f"= {p_digits(p_value)}" if p_value > 0 else "< 1e-300"


def p_digits(p_value: float) -> str:
    """``p_value`` to two significant digits, more where two would round it up to a level
    it is below (0.0996 is significant at 10%: "0.1" would read as the threshold itself).

    Examples
    --------
    >>> p_digits(0.0042), p_digits(0.0996), p_digits(0.04996)
    ('0.0042', '0.0996', '0.04996')
    """
    for digits in range(2, 8):
        text = f"{p_value:.{digits}g}"
        if not any(p_value < level <= float(text) for level, _ in SIGNIFICANCE_LEVELS):
            return text
    return text


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


def direction_agrees(skill: float | None, statistic: float | None) -> bool:
    """Whether the Diebold-Mariano ``statistic`` (negative: the model's mean loss is the
    lower) points the way ``skill`` does (positive: the model is better). The two can
    disagree: the test's loss for ``rmse`` is the squared error, whose mean can rank two
    models the other way from the mean of fold RMSEs that skill compares.

    Examples
    --------
    >>> direction_agrees(0.2, -3.1), direction_agrees(0.2, 2.1), direction_agrees(-0.1, 2.0)
    (True, False, True)
    """
    if _missing(skill) or _missing(statistic) or skill == 0 or statistic == 0:
        return True
    return (skill > 0) == (statistic < 0)


def verdict_sentence(model: str, reference: str, metric: str, skill: float | None, p_value: float | None,
                     statistic: float | None) -> str:
    """One sentence comparing ``model`` with ``reference`` on ``metric``.

    Parameters
    ----------
    skill : float or None
        ``1 - metric(model) / metric(reference)``: positive when ``model`` is better.
    p_value : float or None
        The Diebold-Mariano p-value of the two models' loss differential, on the cells
        ``skill`` covers.
    statistic : float or None
        Its statistic (negative when ``model`` has the lower mean loss): a difference is
        called significant only where it points the way ``skill`` does.

    Examples
    --------
    >>> verdict_sentence("EncoderDecoderLSTM", "SeasonalNaive", "mase", 0.123, 0.004, -2.9)
    'EncoderDecoderLSTM beats SeasonalNaive by 12.3% MASE, significant at 1% (Diebold-Mariano p = 0.004).'
    >>> verdict_sentence("theta", "naive", "mase", 0.05, None, None)
    'theta has 5.0% lower MASE than naive; no test ran (too few paired step losses for a Diebold-Mariano test), so it is not known whether the difference is significant.'
    >>> verdict_sentence("a", "b", "rmse", 0.231, 0.038, 2.1)
    'a has 23.1% lower RMSE than b, but the Diebold-Mariano test points the other way (its step losses favour b, p = 0.038), so a does not clearly beat b.'
    """
    label = metric.upper()
    if _missing(skill):
        return f"{model} and {reference} have no common {label} scores to compare."
    size = f"{abs(skill) * 100:.1f}%"
    if _missing(p_value):  # the test did not run: no claim of (in)significance
        untested = ("no test ran (too few paired step losses for a Diebold-Mariano test), so it is not known "
                    "whether the difference is significant.")
        if skill > 0:
            return f"{model} has {size} lower {label} than {reference}; {untested}"
        if skill < 0:
            return f"{model} does not beat {reference}: its {label} is {size} higher; {untested}"
        return f"{model} ties with {reference} on {label}; no test ran (too few paired step losses)."
    level = significance_level(p_value)
    test = f"Diebold-Mariano p {format_p(p_value)}"
    if level is not None and not direction_agrees(skill, statistic):
        # significant, but for the other model: no claim that either is clearly better
        other_way = (f"the Diebold-Mariano test points the other way (its step losses favour "
                     f"{reference if skill > 0 else model}, p {format_p(p_value)})")
        if skill > 0:
            return (f"{model} has {size} lower {label} than {reference}, but {other_way}, "
                    f"so {model} does not clearly beat {reference}.")
        return f"{model} does not beat {reference}: its {label} is {size} higher, though {other_way}."
    if skill > 0 and level is not None:
        return f"{model} beats {reference} by {size} {label}, significant at {_percent(level)} ({test})."
    if skill > 0:
        return (f"{model} has {size} lower {label} than {reference}, but the difference is not significant "
                f"at 10% ({test}), so it does not clearly beat {reference}.")
    if skill < 0 and level is not None:
        return (f"{model} does not beat {reference}: its {label} is {size} higher, "
                f"significant at {_percent(level)} ({test}).")
    if skill < 0:
        return (f"{model} does not beat {reference}: its {label} is {size} higher, "
                f"though the difference is not significant at 10% ({test}).")
    return f"{model} ties with {reference} on {label} ({test})."


def _names(models: list[str]) -> str:
    return models[0] if len(models) == 1 else ", ".join(models[:-1]) + " and " + models[-1]


def best_sentence(best: list[str], reference: str, metric: str, value: float, shared: bool = False) -> str:
    """The verdict's first sentence: which model (or models, when tied) scores best.

    Parameters
    ----------
    best : list of str
        The models sharing the lowest mean ``metric`` (usually one).
    reference : str
        The model the others are measured against.
    value : float
        Their mean ``metric`` over folds; with ``shared``, over the (series, fold) cells
        all models scored (``summary``'s ``<metric>_common``, on which they are ranked).
    shared : bool
        Whether the models were scored on different cells, so ranked on the shared ones.

    Examples
    --------
    >>> best_sentence(["snaive"], "snaive", "mase", 1.2731)
    'snaive, the reference, has the lowest mean MASE over folds (1.273); no other model does better on average.'
    >>> best_sentence(["lstm"], "snaive", "mase", 0.8123)
    'lstm has the lowest mean MASE over folds (0.8123).'
    >>> best_sentence(["naive", "snaive"], "snaive", "mae", 2.0)
    'naive and snaive (the reference) tie for the lowest mean MAE over folds (2).'
    >>> best_sentence(["ets"], "snaive", "mase", 0.6486, shared=True)
    'ets has the lowest mean MASE on the cells all models scored (0.6486).'
    """
    label = metric.upper()
    shown = f"{value:.4g}"
    scope = SHARED_CELLS if shared else "over folds"
    if len(best) > 1:
        names = _names([f"{m} (the reference)" if m == reference else m for m in best])
        return f"{names} tie for the lowest mean {label} {scope} ({shown})."
    if best[0] == reference:
        return (f"{reference}, the reference, has the lowest mean {label} {scope} ({shown}); "
                "no other model does better on average.")
    return f"{best[0]} has the lowest mean {label} {scope} ({shown})."


def single_model_sentence(model: str, failed: list | tuple = ()) -> str:
    """The verdict of a backtest with one model scored (``failed``: the models run that
    failed in every task, so have no score to compare).

    Examples
    --------
    >>> single_model_sentence("naive")
    'Only one model, naive, was backtested; there is nothing to compare it with.'
    >>> single_model_sentence("naive", ["lstm"])
    'Only naive has scores: lstm failed in every fold (see Failed tasks); there is nothing to compare it with.'
    """
    if failed:
        return (f"Only {model} has scores: {', '.join(failed)} failed in every fold (see Failed tasks); "
                "there is nothing to compare it with.")
    return f"Only one model, {model}, was backtested; there is nothing to compare it with."
