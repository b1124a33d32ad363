"""The plain-language verdict: does a model beat the reference, and is it significant?

Only words are made here: the skill (``1 - metric / metric_reference``) and the
Diebold-Mariano p-value come from ``BacktestResult.summary`` and ``.compare``.
"""

from __future__ import annotations

import math

__all__ = ["SIGNIFICANCE_LEVELS", "significance_level", "significance_mark", "verdict_sentence"]

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


def _percent(level: float) -> str:
    return f"{level * 100:g}%"


def verdict_sentence(model: str, reference: str, metric: str, skill: float | None, p_value: float | None) -> str:
    """One sentence comparing ``model`` with ``reference`` on ``metric``.

    Parameters
    ----------
    skill : float or None
        ``1 - metric(model) / metric(reference)``: positive when ``model`` is better.
    p_value : float or None
        The Diebold-Mariano p-value of the two models' loss differential.

    Examples
    --------
    >>> verdict_sentence("EncoderDecoderLSTM", "SeasonalNaive", "mase", 0.123, 0.004)
    'EncoderDecoderLSTM beats SeasonalNaive by 12.3% MASE, significant at 1% (Diebold-Mariano p = 0.004).'
    """
    label = metric.upper()
    if _missing(skill):
        return f"{model} and {reference} have no common {label} scores to compare."
    level = significance_level(p_value)
    test = "no Diebold-Mariano test available" if _missing(p_value) else f"Diebold-Mariano p = {p_value:.2g}"
    size = f"{abs(skill) * 100:.1f}%"
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
