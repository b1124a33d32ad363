"""``EncoderDecoderLSTM(search=True)``: look-back, reference and segment length chosen on
the data, in ``fit``, by short trial fits scored on the chronological validation tail
(:mod:`.trials`).

The search is coordinate-wise, each step keeping the best so far, so its cost grows with
the *sum* of the candidates of each setting, not their product (about seven trials of a
few percent of a full fit each):

1. the reference the network corrects (``scaling="seasonal"``): the seasonal naive of
   ``season_length`` and the naive forecast (season 1);
2. the look-back: the latest ``k * season_length`` steps of each window for ``k`` in
   :data:`SEASON_MULTIPLES`, and the whole window (``n_steps_in // 2`` and the whole
   window without a season);
3. the segment length: the one so far, the season, half of it, and ``input_steps // 10``.

A candidate the windows cannot hold (a look-back longer than the window, a season not
shorter than the look-back) is skipped with its reason recorded, never an error.
"""

from __future__ import annotations

from .trials import tail_length, trial_error

__all__ = ["SEASON_MULTIPLES", "search_settings"]

#: Look-backs tried, in seasons (a week of hourly data is 7).
SEASON_MULTIPLES = (2, 4, 7)


def _lookbacks(n_steps_in: int, season: int) -> tuple[list[int], dict[str, str]]:
    """Look-back candidates and the reasons of those skipped."""
    wanted = [k * season for k in SEASON_MULTIPLES] if season > 1 else [n_steps_in // 2]
    kept, skipped = [], {}
    for steps in wanted:
        if steps > n_steps_in:
            skipped[f"input_steps={steps}"] = f"longer than the windows ({n_steps_in} steps)"
        elif steps < 2:
            skipped[f"input_steps={steps}"] = "fewer than 2 steps"
        else:
            kept.append(steps)
    return sorted(set(kept) | {n_steps_in}), skipped


def _segments(steps: int, season: int) -> list[int | None]:
    options = {season, season // 2, steps // 10} if season > 1 else {steps // 10}
    return sorted(s for s in options if s >= 2 and s < steps) or [None]


def search_settings(model, p: dict, X, y, seed: int, channels: str, target_features=()) -> dict:
    """The settings a ``search=True`` fit uses, the trial scores and the skipped candidates.

    Returns a dict with ``input_steps``, ``season_length`` (the reference: 1 is the naive
    forecast), ``segment_length``, ``scores`` (candidate label to tail error) and
    ``skipped`` (candidate label to reason). Without a tail to score on (fewer than 3
    windows), with ``decoder="feedback"``, or where the inputs do not hold the targets'
    past (``target_features`` None: the candidates' seasonal references read it) the whole
    window and the model's own settings are kept, the reason recorded.
    """
    n_steps_in = X.shape[1]
    season = p["season_length"] or 1
    n_val = tail_length(len(X), p["validation_fraction"])
    lookbacks, skipped = _lookbacks(n_steps_in, season)
    best = {"input_steps": n_steps_in, "season_length": 1, "segment_length": p["segment_length"]}
    scores: dict[str, float] = {}
    reason = _no_search(p, len(X), n_steps_in, n_val, target_features)
    if reason:
        return {**best, "season_length": p["season_length"], "scores": scores, "skipped": {"search": reason}}

    def score(**settings) -> float:
        trial = {**best, **settings}
        label = ", ".join(f"{k}={trial[k]}" for k in ("input_steps", "season_length", "segment_length"))
        if label not in scores:  # the best so far comes back in the next step: fitted once
            params = {"channels": channels, "search": False, "scaling": "seasonal",
                      "season_length": trial["season_length"], "segment_length": trial["segment_length"]}
            scores[label] = trial_error(model, params, X, y, n_val, seed, input_steps=trial["input_steps"])
        return scores[label]

    references = [1] + ([season] if season > 1 else [])
    best["season_length"] = min(references, key=lambda m: _try_season(m, best, skipped, score))
    best["input_steps"] = min(lookbacks, key=lambda s: _try_lookback(s, best, skipped, score))
    # the segment length the best so far was scored with stays a candidate (listed first, it
    # wins ties): the step keeps it unless another scores lower
    segments = list(dict.fromkeys([best["segment_length"], *_segments(best["input_steps"], season)]))
    best["segment_length"] = min(segments, key=lambda s: score(segment_length=s))
    return {**best, "scores": scores, "skipped": skipped}


def _no_search(p: dict, n_windows: int, n_steps_in: int, n_val: int, target_features) -> str | None:
    """Why a search cannot run, or None."""
    if p["decoder"] == "feedback":
        return "decoder='feedback' corrects no reference"
    if target_features is None:
        return ("the inputs do not hold the targets' past (target_features), which the candidates' references "
                "read")
    if n_val < 1 or n_steps_in < 3:
        return f"too little data to score candidates ({n_windows} windows of {n_steps_in} steps)"
    return None


def _try_season(m: int, best: dict, skipped: dict, score) -> float:
    if m >= best["input_steps"]:
        skipped[f"season_length={m}"] = f"not shorter than the look-back ({best['input_steps']} steps)"
        return float("inf")
    return score(season_length=m)


def _try_lookback(steps: int, best: dict, skipped: dict, score) -> float:
    if best["season_length"] >= steps:
        skipped[f"input_steps={steps}"] = f"not longer than the reference's season ({best['season_length']})"
        return float("inf")
    return score(input_steps=steps)
