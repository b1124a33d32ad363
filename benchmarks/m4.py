"""M4 Hourly/Weekly benchmark: our forecasters beside the competition's published figures.

Fits each chosen model on the training part of every series of a subset, forecasts the
horizon (48 hourly, 13 weekly), scores sMAPE, MASE and OWA with :mod:`tsforecast.core.metrics`
and merges the figures into ``reports/m4.json``
(``{subset: {model: {"smape", "mase", "owa", "seconds", ...}}}``); ``reports/m4.md`` is
then rewritten from the whole JSON, so runs of different models and subsets accumulate.

Usage (from the repository root)::

    python benchmarks/m4.py --subset Hourly Weekly              # every M4 benchmark
    python benchmarks/m4.py --subset Hourly --models SES Theta --n-jobs 2
    python benchmarks/m4.py --subset Hourly --validate          # score the LSTM candidates (train files only)
    python benchmarks/m4.py --subset Hourly --validate --candidates "segments 24, dense head, 5 members" --seeds 2
    python benchmarks/m4.py --subset Weekly --validate --origin 2 --candidates "..."  # 13 weeks earlier
    python benchmarks/m4.py --subset Hourly --model lstm --seeds 3   # the chosen candidate, on the test
    python benchmarks/m4.py --subset Hourly --time-parts        # CPU seconds of each benchmark
    python benchmarks/m4.py --subset Hourly Weekly --intervals --models Naive sNaive Naive2 lstm
                                                                # 95% and 80% intervals: MSIS, ACD

Adding a model: add a :class:`ModelSpec` to :data:`MODELS` (a factory taking a
:class:`Context` and returning an unfitted forecaster). Models marked ``stochastic`` are
run once per seed; their entry holds the mean over seeds and ``per_seed`` figures.
Any extra JSON-able details of a run (``config``) are stored in its entry.

The LSTM (``lstm``) is one global ``WindowForecaster(MedianEnsemble(EncoderDecoderLSTM))``
per subset. Its configuration is chosen on a validation split cut from the training
files alone (each series' last horizon held out): ``--validate`` scores the candidates
of :data:`CANDIDATES` (changes to :data:`LSTM_BASE`) there and stores them in the
``"validation"`` section of the JSON; ``--model lstm`` runs the candidate
:func:`m4_setup.selection` picks from those validation scores (equal seed counts, ties
within the seed spread go to the cheaper, CPU seconds within the subset's budget) on the
test, and records which it was. Every run on the test files is appended to the JSON's
log ``test_runs`` (:mod:`_test_log`); the report counts them. ``--sample N`` and
``--lstm-options`` only go with ``--validate`` (exploration on the validation split; such
rows are never selected).
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling modules below, however this is loaded

import _test_log  # noqa: E402
from m4_render import render_intervals, render_markdown, render_validation  # noqa: E402, F401
from m4_setup import (  # noqa: E402, F401  (re-exported: the tests and README refer to m4.X)
    ACD_TARGETS,
    CANDIDATES,
    CONFORMAL_WINDOWS,
    INTERVAL_LEVELS,
    LSTM_BASE,
    M4_BENCHMARKS,
    MODEL_ORDER,
    PEER_LABEL,
    PUBLISHED,
    SUBSETS,
    TARGETS,
    TIME_BUDGET_S,
    origin_key,
    select_candidate,
    selection,
    within_budget,
)

from tsforecast.baselines import (  # noqa: E402
    ARIMA,
    ETS,
    SES,
    Comb,
    Damped,
    Holt,
    Naive,
    Naive2,
    SeasonalNaive,
    Theta,
)
from tsforecast.core.forms import ID_COLUMN  # noqa: E402
from tsforecast.core.metrics import acd, coverage, interval_width, mase, mase_scale, msis, owa, smape  # noqa: E402
from tsforecast.datasets import load_m4  # noqa: E402

DEFAULT_DATA = REPO.parent / "shared" / "data" / "m4"
DEFAULT_JSON = REPO / "reports" / "m4.json"
DEFAULT_MD = REPO / "reports" / "m4.md"



@dataclass(frozen=True)
class Context:
    """What a model factory may use to build a forecaster for one run."""

    subset: str
    horizon: int
    season_length: int
    n_jobs: int | None = None
    seed: int | None = None
    lstm_options: dict | None = None
    candidate: str | None = None




#: Keys of a candidate that combine the LSTM with statistical baselines
#: (:class:`tsforecast.Combination`): the part ``"combination"`` of its configuration.
COMBINATION_KEYS = {"combine_with": "with", "combine_weights": "weights", "combine_method": "method"}
#: Keys of a candidate about the data the LSTM is fitted on: the part ``"data"`` of its
#: configuration. ``end_aligned``: fit on :func:`end_aligned` (every series ending at the same time).
DATA_KEYS = ("end_aligned",)


def end_aligned(train):
    """``train`` with each series' time ``ds`` shifted so that every series ends at the same
    ``ds`` (the longest series' last one); values and order unchanged.

    M4 series are loaded with ``ds = 0, 1, ...`` each (``load_m4``), so a panel model that
    orders its training windows by origin time (its chronological validation tail: early
    stopping, the blend's weight) would take "latest" to mean the largest positions: the
    windows of the few longest series. Aligned at their ends, the tail holds the last
    windows of every series, as neuralforecast's NHITS validates on the last steps of each.
    """
    last = train.groupby(ID_COLUMN, sort=False)["ds"].transform("max")
    return train.assign(ds=train["ds"] + (last.max() - last))


def lstm_config(context: Context) -> dict:
    """:data:`LSTM_BASE` of the subset with the candidate's changes, then
    ``context.lstm_options``, applied (flat dicts: each key goes to the part that has it,
    forecaster first; the keys of :data:`COMBINATION_KEYS` to a part ``"combination"``)."""
    config = {part: dict(values) for part, values in LSTM_BASE[context.subset].items()}
    changes = {**CANDIDATES[context.subset].get(context.candidate, {}), **(context.lstm_options or {})}
    for key, value in changes.items():
        if key in DATA_KEYS:
            config.setdefault("data", {})[key] = value
            continue
        if key in COMBINATION_KEYS:
            config.setdefault("combination", {"with": [], "weights": None, "method": "mean"})[
                COMBINATION_KEYS[key]] = value
            continue
        part = next((p for p in ("forecaster", "ensemble") if key in config[p]
                     or key in ("n_steps_in", "window_stride", "max_windows") and p == "forecaster"), "network")
        config[part][key] = value
    return config


def lstm_forecaster(context: Context):
    """One global WindowForecaster(MedianEnsemble(EncoderDecoderLSTM)) for the subset;
    with a ``"combination"`` part, a :class:`tsforecast.Combination` of it and the named
    M4 benchmarks (fitted on the same data: their time counts)."""
    from tsforecast import Combination, EncoderDecoderLSTM, MedianEnsemble, WindowForecaster

    config = lstm_config(context)
    member = EncoderDecoderLSTM(**config["network"])
    ensemble = MedianEnsemble(member, random_state=context.seed, **config["ensemble"])
    lstm = WindowForecaster(ensemble, n_steps_out=context.horizon, **config["forecaster"])
    if "combination" not in config:
        return lstm
    combination = config["combination"]
    others = [MODELS[name].factory(context) for name in combination["with"]]
    return Combination([lstm, *others], weights=combination["weights"], method=combination["method"])


def ridge_forecaster(context: Context):
    """One global ``WindowForecaster(Ridge())`` on the LSTM's windows (a cheap global model)."""
    from sklearn.linear_model import Ridge

    from tsforecast import WindowForecaster

    forecaster = dict(LSTM_BASE[context.subset]["forecaster"])
    return WindowForecaster(Ridge(alpha=1.0), n_steps_out=context.horizon, **forecaster)


@dataclass(frozen=True)
class ModelSpec:
    """A benchmark entry: ``factory(context) -> unfitted forecaster``."""

    factory: Callable[[Context], object]
    description: str
    stochastic: bool = False
    config: Callable[[Context], dict] | None = field(default=None)


MODELS: dict[str, ModelSpec] = {
    "Naive": ModelSpec(lambda c: Naive(n_jobs=c.n_jobs), "last value"),
    "sNaive": ModelSpec(lambda c: SeasonalNaive(c.season_length, n_jobs=c.n_jobs), "last season"),
    "Naive2": ModelSpec(lambda c: Naive2(c.season_length, n_jobs=c.n_jobs), "Naive on the seasonally adjusted series"),
    "SES": ModelSpec(lambda c: SES(c.season_length, n_jobs=c.n_jobs), "simple exponential smoothing (ANN)"),
    "Holt": ModelSpec(lambda c: Holt(c.season_length, n_jobs=c.n_jobs), "Holt's linear trend (AAN)"),
    "Damped": ModelSpec(lambda c: Damped(c.season_length, n_jobs=c.n_jobs), "damped trend (AAdN)"),
    "Theta": ModelSpec(lambda c: Theta(c.season_length, n_jobs=c.n_jobs), "classic Theta"),
    "Comb": ModelSpec(lambda c: Comb(c.season_length, n_jobs=c.n_jobs), "mean of SES, Holt and Damped"),
    "ETS": ModelSpec(lambda c: ETS(trend="auto", seasonal="auto" if c.season_length > 1 else None,
                                   season_length=c.season_length, n_jobs=c.n_jobs),
                     "statsmodels ETS, form by AICc (not an M4 benchmark)"),
    "ARIMA": ModelSpec(lambda c: ARIMA(order=(0, 1, 0), auto=True, max_p=2, max_q=2, n_jobs=c.n_jobs),
                       "statsmodels SARIMAX, (p,1,q) by AICc, p,q <= 2 (not an M4 benchmark)"),
    "ridge": ModelSpec(ridge_forecaster, "one global Ridge regression on flattened windows "
                       "(direct multi-step; a cheap global model)"),
    "lstm": ModelSpec(lstm_forecaster, "one global encoder-decoder LSTM over all series (see configuration)",
                      stochastic=True, config=lstm_config),
}
assert set(MODELS) <= set(MODEL_ORDER), "every model has its place in the report's order"


# --------------------------------------------------------------------------- scoring
def _wide(panel, ids, horizon: int, column: str = "y") -> np.ndarray:
    """Forecast panel -> array (n_series, horizon) of ``column`` in the order of ``ids``."""
    groups = {key: group[column].to_numpy(dtype=np.float64) for key, group in panel.groupby(ID_COLUMN, sort=False)}
    return np.stack([groups[key][:horizon] for key in ids])


def _rows(panel) -> list[np.ndarray]:
    return [group["y"].to_numpy(dtype=np.float64) for _, group in panel.groupby(ID_COLUMN, sort=False)]


def load_subset(subset: str, data: Path):
    """The training files and the test horizon: ``(train panel, ids, train rows, actual)``."""
    train, test = load_m4(subset, data, split="both")
    ids = list(dict.fromkeys(train[ID_COLUMN]))
    return train, ids, _rows(train), _wide(test, ids, SUBSETS[subset]["horizon"])


def load_validation(subset: str, data: Path, origin: int = 1):
    """The validation split, from the training file alone (the test file is never read):
    each series' last horizon of training values is held out as the actual, the rest is
    fitted. ``origin=k`` moves the forecast origin ``k - 1`` horizons earlier: the values
    after the held-out horizon are dropped (never fitted, never scored), so a second
    origin (``2``: the horizon before the last) scores the same rule on other weeks.
    Same return as :func:`load_subset`."""
    if not isinstance(origin, int) or isinstance(origin, bool) or origin < 1:
        raise ValueError(f"origin must be a positive integer (1: the last horizon); got {origin!r}")
    train = load_m4(subset, data, split="train")
    ids = list(dict.fromkeys(train[ID_COLUMN]))
    from_end = train.groupby(ID_COLUMN, sort=False).cumcount(ascending=False).to_numpy()
    horizon = SUBSETS[subset]["horizon"]
    fitted = train[from_end >= origin * horizon].reset_index(drop=True)
    held_out = (from_end >= (origin - 1) * horizon) & (from_end < origin * horizon)
    return fitted, ids, _rows(fitted), _wide(train[held_out], ids, horizon)



def score(actual: np.ndarray, forecast: np.ndarray, train_rows, season_length: int, naive2) -> dict:
    """sMAPE and MASE (means over series) and OWA relative to ``naive2 = (smape, mase)``."""
    if not np.isfinite(forecast).all():
        raise FloatingPointError(f"{int((~np.isfinite(forecast)).sum())} forecasts are not finite")
    s = float(smape(actual, forecast))
    m = float(mase(actual, forecast, train_rows, season_length))
    return {"smape": s, "mase": m, "owa": float(owa(s, m, *naive2)) if naive2 else None}


def run_model(name: str, context: Context, train, ids, train_rows, actual, naive2) -> dict:
    """Fit, forecast and score one model (once, with ``context.seed``); seconds = fit + predict wall time."""
    model = MODELS[name].factory(context)
    aligned = MODELS[name].config is not None and MODELS[name].config(context).get("data", {}).get("end_aligned")
    start, cpu_start = time.perf_counter(), time.process_time()
    model.fit(end_aligned(train) if aligned else train)
    fit_seconds = time.perf_counter() - start
    forecast = model.predict(context.horizon)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    result = score(actual, _wide(forecast, ids, context.horizon), train_rows, context.season_length, naive2)
    result.update(seconds=round(seconds, 3), cpu_seconds=round(cpu_seconds, 3), load_average=os.getloadavg()[0])
    window = next((m for m in getattr(model, "forecasters_", [model]) if hasattr(m, "n_windows_")), None)
    if window is not None:  # a window model (alone or in a combination): how much it trained on, and for how long
        result.update(n_windows=int(window.n_windows_), fit_seconds=round(fit_seconds, 3))
    return result


def sample_subset(train, ids, train_rows, actual, n: int):
    """``n`` series drawn at random (seed 0), in their original order."""
    pick = sorted(np.random.default_rng(0).choice(len(ids), size=min(n, len(ids)), replace=False))
    kept = [ids[i] for i in pick]
    return (train[train[ID_COLUMN].isin(set(kept))], kept, [train_rows[i] for i in pick], actual[pick])


def run(subset: str, names: list[str], data: Path, *, n_jobs=None, seeds: int = 1, verbose: bool = True,
        sample: int | None = None, lstm_options: dict | None = None, first_seed: int = 0, split: str = "test",
        candidate: str | None = None, origin: int = 1) -> dict:
    """Every model of ``names`` on ``subset`` (or on ``sample`` of its series): ``{model: entry}``.
    ``split="validation"`` scores on :func:`load_validation`'s split (training file only),
    at ``origin``."""
    spec = SUBSETS[subset]
    train, ids, train_rows, actual = (load_validation(subset, data, origin) if split == "validation"
                                      else load_subset(subset, data))
    if sample is not None:
        train, ids, train_rows, actual = sample_subset(train, ids, train_rows, actual, sample)
    base = Context(subset, spec["horizon"], spec["season_length"], n_jobs, None, lstm_options, candidate)
    naive2_run = run_model("Naive2", base, train, ids, train_rows, actual, None)
    naive2 = (naive2_run["smape"], naive2_run["mase"])
    naive2_run["owa"] = float(owa(*naive2, *naive2))
    results = {}
    for name in names:
        runs = []
        for seed in range(first_seed, first_seed + seeds) if MODELS[name].stochastic else [None]:
            context = Context(subset, spec["horizon"], spec["season_length"], n_jobs, seed, lstm_options, candidate)
            outcome = naive2_run if name == "Naive2" and seed is None else run_model(
                name, context, train, ids, train_rows, actual, naive2)
            runs.append({"seed": seed, **outcome})
            if verbose and MODELS[name].config is not None and seed in (None, 0):
                print(f"{subset} {name} configuration: {json.dumps(MODELS[name].config(context), sort_keys=True)}")
            if verbose:
                label = name if seed is None else f"{name} seed {seed}"
                print(f"{subset:7s} {split[:5]} {label:16s} sMAPE {outcome['smape']:8.3f}  MASE {outcome['mase']:7.3f}  "
                      f"OWA {outcome['owa']:6.3f}  {outcome['seconds']:8.2f} s"
                      + (f"  (training {outcome['fit_seconds']:.0f} s on {outcome['n_windows']} windows)"
                         if "fit_seconds" in outcome else ""), flush=True)
        entry = {"n_series": len(ids), "n_jobs": n_jobs, "description": MODELS[name].description,
                 "measured": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(),
                 "python": platform.python_version()}
        if MODELS[name].config is not None:
            entry["config"] = MODELS[name].config(base)
        results[name] = summarize(entry, runs)
    return results


def summarize(entry: dict, runs: list[dict]) -> dict:
    """``entry`` with the mean (and, over seeds, the spread) of ``runs``."""
    keys = ("smape", "mase", "owa", "seconds") + (("cpu_seconds",) if all("cpu_seconds" in r for r in runs) else ())
    entry = {**entry, **{key: float(np.mean([r[key] for r in runs])) for key in keys}}
    if "n_windows" in runs[0]:
        entry.update(n_windows=runs[0]["n_windows"], fit_seconds=float(np.mean([r["fit_seconds"] for r in runs])))
    if len(runs) > 1 or runs[0]["seed"] is not None:
        entry["per_seed"] = sorted(runs, key=lambda r: r["seed"])
        entry["std"] = {key: float(np.std([r[key] for r in runs])) for key in ("smape", "mase", "owa")}
    return entry


def add_earlier_seeds(results: dict, earlier: dict) -> dict:
    """Seeds run one at a time accumulate: a stochastic model's new entry takes the
    earlier seeds of its entry when the configuration is the same (a rerun seed replaces)."""
    merged = {}
    for name, entry in results.items():
        old = earlier.get(name, {})
        if "per_seed" in entry and "per_seed" in old and old.get("config") == entry.get("config"):
            seeds = {r["seed"] for r in entry["per_seed"]}
            runs = [r for r in old["per_seed"] if r["seed"] not in seeds] + entry["per_seed"]
            entry = summarize({k: v for k, v in entry.items() if k not in ("per_seed", "std")}, runs)
        merged[name] = entry
    return merged


# --------------------------------------------------------------------------- intervals


def interval_forecaster(name: str, method: str, context: Context, windows: int):
    """The model of ``name`` as it gives intervals: ``"analytic"`` (its own forecast
    distribution), ``"conformal"`` (:class:`~tsforecast.ConformalIntervals`, pooled over
    series; a model with ``update`` (the LSTM) is fitted once on the data before the
    calibration windows instead of once per window) or ``"conformal, refit each window"``."""
    from tsforecast import ConformalIntervals

    model = MODELS[name].factory(context)
    if method == "analytic":
        return model
    refit = method == REFIT_METHOD or not callable(getattr(model, "update", None))
    return ConformalIntervals(model, levels=INTERVAL_LEVELS, horizon=context.horizon, n_windows=windows,
                              pooling="panel", refit=refit)


#: The conformal method that refits a model with ``update`` on every window (``--refit-windows``).
REFIT_METHOD = "conformal, refit each window"


def interval_scores(actual, bands: dict, train_rows, season_length: int) -> dict:
    """Per level: pooled coverage, ACD, MSIS (mean over series, M4's scaling) and the mean
    width in units of the MASE scale."""
    scales = mase_scale(train_rows, season_length)
    out = {}
    for level in INTERVAL_LEVELS:
        low, high = bands[f"lo_{level}"], bands[f"hi_{level}"]
        out[str(level)] = {"coverage": float(coverage(actual, low, high)), "acd": acd(actual, low, high, level),
                           "msis": float(msis(actual, low, high, train_rows, season_length, level)),
                           "scaled_width": float(np.mean(interval_width(low, high, reduce="series") / scales))}
    return out


def run_intervals(subset: str, names: list[str], data: Path, *, windows: int = CONFORMAL_WINDOWS,
                  seed: int = 0, refit_windows: bool = False, split: str = "test") -> dict:
    """Every model of ``names`` with its analytic intervals (where it has a distribution)
    and its conformal ones, on the test (``split="validation"``: on :func:`load_validation`'s
    split, the test files unread): ``{label: entry}``."""
    spec = SUBSETS[subset]
    train, ids, train_rows, actual = (load_validation if split == "validation" else load_subset)(subset, data)
    candidate = None
    if "lstm" in names:
        content = json.loads(DEFAULT_JSON.read_text()) if DEFAULT_JSON.exists() else {}
        candidate = select_candidate(content, subset)[0]
    results = {}
    for name in names:
        context = Context(subset, spec["horizon"], spec["season_length"], None,
                          seed if MODELS[name].stochastic else None, None, candidate)
        model = MODELS[name].factory(context)
        own = bool(getattr(model, "supports_quantiles", False))
        refit = [REFIT_METHOD] if refit_windows and callable(getattr(model, "update", None)) else []
        for method in (["analytic"] if own else []) + ["conformal"] + refit:
            model = interval_forecaster(name, method, context, windows)
            start, cpu_start = time.perf_counter(), time.process_time()
            model.fit(train)
            forecast = model.predict_interval(context.horizon, levels=INTERVAL_LEVELS)
            seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
            bands = {c: _wide(forecast, ids, context.horizon, c) for c in forecast.columns
                     if c.startswith(("lo_", "hi_"))}
            entry = {"model": name, "method": method,
                     "levels": interval_scores(actual, bands, train_rows, context.season_length),
                     "seconds": round(seconds, 2), "cpu_seconds": round(cpu_seconds, 2),
                     "load_average": os.getloadavg()[0], "n_series": len(ids),
                     "measured": time.strftime("%Y-%m-%d %H:%M")}
            if method == "conformal":
                entry.update(n_windows=windows, pooling=model.pooling_, refit=model.refit,
                             calibration_windows=int(model.n_calibration_windows_.sum()))
            if MODELS[name].stochastic:
                entry.update(seed=seed, candidate=candidate)
            label = f"{name} {method}"
            if split != "test":
                entry["split"] = split
                label += f" ({split} split)"
            results[label] = entry
            level95, level80 = entry["levels"]["95"], entry["levels"]["80"]
            print(f"{subset:7s} {label:18s} 95%: coverage {level95['coverage']:.3f} ACD {level95['acd']:.3f} "
                  f"MSIS {level95['msis']:.2f} | 80%: coverage {level80['coverage']:.3f} ACD {level80['acd']:.3f} "
                  f"| {seconds:.1f} s", flush=True)
    return results


# --------------------------------------------------------------------------- reports
def merge_json(path: Path, subset: str, results: dict, section: str | None = None,
               test_run: dict | None = None, seeds: bool = False) -> dict:
    """Merge ``results`` into the JSON at ``path`` (atomically; under ``content[section]``
    if given; ``seeds``: joined with the earlier seeds of their entries by
    :func:`add_earlier_seeds`), append ``test_run`` (if given) to its log of runs on the test
    files (:mod:`_test_log`), and return the whole content."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # runs of other subsets or seeds may finish at the same moment: read-merge-write under a
    # lock, the earlier seeds read under it too (else two seeds finishing together lose one)
    with open(Path(tempfile.gettempdir()) / f"tsforecast-{path.name}.lock", "w") as lock:  # not in the repo
        fcntl.flock(lock, fcntl.LOCK_EX)
        content = json.loads(path.read_text()) if path.exists() else {}
        entries = (content.setdefault(section, {}) if section else content).setdefault(subset, {})
        entries.update(add_earlier_seeds(results, entries) if seeds else results)
        if test_run is not None:
            _test_log.append(content, test_run)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False) as handle:
            json.dump(content, handle, indent=2, sort_keys=True)
            handle.write("\n")
        os.replace(handle.name, path)
    return content


def time_parts(subset: str, data: Path) -> dict:
    """CPU seconds of fit and predict of every M4 benchmark on the training file (and a
    plain statsmodels loop over the series for SES and Theta)."""
    spec = SUBSETS[subset]
    train = load_m4(subset, data, split="train")
    context = Context(subset, spec["horizon"], spec["season_length"])
    models = {}
    for name in M4_BENCHMARKS:
        model = MODELS[name].factory(context)
        start = time.process_time()
        model.fit(train)
        middle = time.process_time()
        model.predict(spec["horizon"])
        models[name] = {"fit_cpu_s": middle - start, "predict_cpu_s": time.process_time() - middle}
        print(f"{subset} {name}: {models[name]}", flush=True)
    models.update(_statsmodels_loops(_rows(train), spec["horizon"], spec["season_length"]))
    return {"n_series": int(train[ID_COLUMN].nunique()), "models": models,
            "measured": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "load_average": os.getloadavg()[0]}


def _statsmodels_loops(rows, horizon: int, season_length: int) -> dict:
    import warnings

    from statsmodels.tsa.forecasting.theta import ThetaModel
    from statsmodels.tsa.holtwinters import SimpleExpSmoothing

    loops = {
        "statsmodels loop: SimpleExpSmoothing(initialization_method='estimated') per series":
            lambda y: SimpleExpSmoothing(y, initialization_method="estimated").fit().forecast(horizon),
        f"statsmodels loop: ThetaModel(period={season_length}) per series":
            lambda y: ThetaModel(y, period=season_length).fit().forecast(horizon),
    }
    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, fn in loops.items():
            start = time.process_time()
            for y in rows:
                fn(y)
            out[name] = {"fit_cpu_s": time.process_time() - start, "predict_cpu_s": 0.0}
            print(f"{name}: {out[name]}", flush=True)
    return out


def validate(subset: str, args) -> dict:
    """Score the candidates on the validation split and merge them into the report."""
    labels = args.candidates or list(CANDIDATES[subset])
    unknown = [label for label in labels if label not in CANDIDATES[subset]]
    if unknown:
        raise SystemExit(f"unknown {subset} candidate(s) {unknown}; known: {list(CANDIDATES[subset])}")
    snaive = run(subset, ["sNaive"], args.data, sample=args.sample, verbose=False, split="validation",
                 origin=args.origin)["sNaive"]
    content = {}
    for label in labels:
        entry = run(subset, ["lstm"], args.data, seeds=args.seeds, sample=args.sample, lstm_options=args.lstm_options,
                    first_seed=args.first_seed, split="validation", candidate=label, origin=args.origin)["lstm"]
        entry.update(candidate=label, changes={**CANDIDATES[subset][label], **(args.lstm_options or {})},
                     sample=args.sample, snaive_owa=snaive["owa"], load_average=os.getloadavg()[0],
                     origin=args.origin)
        key = origin_key(label, args.origin) + (
            f" + {json.dumps(args.lstm_options, sort_keys=True)}" if args.lstm_options else "") + (
            f" (sample of {args.sample})" if args.sample else "")
        content = merge_json(args.json, subset, {key: entry}, section="validation", seeds=True)
        args.md.write_text(render_markdown(content))
    try:
        chosen, e = select_candidate(content, subset)
        print(f"{subset}: chosen on validation: {chosen!r} (OWA {e['owa']:.3f}, {e['seconds']:.0f} s per seed)")
    except SystemExit as error:
        print(error)
    return content


def recheck(subset: str, args) -> dict:
    """After candidates were added on the validation split: whether the selection rule still
    chooses the LSTM last run on the test. If so, record that in its entry (``"recheck"``:
    when, commit, the candidates scored since that test run, why they were added) instead of
    running it on the test again; if not, say which command runs the new choice."""
    content = json.loads(args.json.read_text())
    tested, chosen = content[subset]["lstm"], selection(content, subset)
    if chosen["candidate"] != tested["selected_by_validation"]["candidate"]:
        raise SystemExit(f"{subset}: the rule now chooses {chosen['candidate']!r}, not the tested "
                         f"{tested['selected_by_validation']['candidate']!r}; run it on the test: "
                         f"python benchmarks/m4.py --subset {subset} --model lstm --seeds 3")
    added = sorted(label for label, e in content["validation"][subset].items()
                   if e.get("sample") is None and e["measured"] > tested["measured"])
    note = {"when": time.strftime("%Y-%m-%d %H:%M"), "commit": _test_log.LOADED, "why": args.recheck,
            "candidate": chosen["candidate"], "added": added, "owa": chosen["owa"], "seeds": chosen["seeds"],
            "n_candidates": sum(e.get("sample") is None and label in CANDIDATES[subset]
                                for label, e in content["validation"][subset].items()) - len(chosen["excluded"])}
    print(f"{subset}: the rule still chooses {chosen['candidate']!r}: {note}")
    return merge_json(args.json, subset, {"lstm": {**tested, "recheck": note}})


def _interval_log(subset: str, results: dict) -> dict:
    """The log entry of an ``--intervals`` run on the test files."""
    summary = {label: {"coverage_80": e["levels"]["80"]["coverage"], "coverage_95": e["levels"]["95"]["coverage"]}
               for label, e in results.items()}
    candidates = {e["candidate"] for e in results.values() if e.get("candidate")}
    return _test_log.entry(REPO, subset, "intervals", summary, n_series=next(iter(results.values()))["n_series"],
                           **({"candidate": candidates.pop()} if candidates else {}))


def run_test(subset: str, args) -> dict:
    """The M4 benchmarks and, for ``lstm``, the candidate chosen on validation, on the test."""
    candidate, chosen = None, None
    if "lstm" in args.models:
        content = json.loads(args.json.read_text()) if args.json.exists() else {}
        chosen = selection(content, subset)
        candidate = chosen["candidate"]
    results = run(subset, args.models, args.data, n_jobs=args.n_jobs, seeds=args.seeds, first_seed=args.first_seed,
                  candidate=candidate)
    if "lstm" in results:
        results["lstm"]["selected_by_validation"] = {
            "candidate": candidate, "validation_owa": chosen["owa"], "validation_seeds": chosen["seeds"],
            "tied": chosen["tied"], "rule": chosen["rule"]}
    summary = {name: {"owa": e["owa"], **({"seeds": [r["seed"] for r in e["per_seed"]]} if "per_seed" in e else {})}
               for name, e in results.items()}
    details = {"config": results["lstm"]["config"], "candidate": candidate} if "lstm" in results else {}
    run_log = _test_log.entry(REPO, subset, "lstm" if list(results) == ["lstm"] else "M4 benchmarks and others",
                              summary, n_series=next(iter(results.values()))["n_series"], **details)
    return merge_json(args.json, subset, results, test_run=run_log, seeds=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--subset", nargs="+", default=list(SUBSETS), choices=list(SUBSETS))
    parser.add_argument("--models", "--model", nargs="+", default=M4_BENCHMARKS,
                        help=f"models to run (default: the M4 benchmarks); known: {', '.join(MODELS)}")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of the M4 CSV files")
    parser.add_argument("--n-jobs", type=int, default=None, help="processes for fitting (joblib)")
    parser.add_argument("--seeds", type=int, default=1, help="runs (seeds 0..N-1) of stochastic models")
    parser.add_argument("--first-seed", type=int, default=0,
                        help="first seed (seeds K..K+N-1; joins the earlier seeds of the same configuration)")
    parser.add_argument("--json", type=Path, default=DEFAULT_JSON, help="JSON report to merge into")
    parser.add_argument("--md", type=Path, default=DEFAULT_MD, help="Markdown report to rewrite")
    parser.add_argument("--render", action="store_true", help="only rewrite the Markdown from the JSON")
    parser.add_argument("--validate", action="store_true",
                        help="score LSTM candidates on the validation split (training files only)")
    parser.add_argument("--candidates", nargs="+", default=None, help="with --validate: labels of CANDIDATES")
    parser.add_argument("--sample", type=int, default=None,
                        help="with --validate: this many series drawn at random (not selectable)")
    parser.add_argument("--origin", type=int, default=1,
                        help="with --validate: forecast origin (1: the last horizon of the training files; 2: the "
                             "horizon before it; stored as a row of its own, never selected on its own)")
    parser.add_argument("--lstm-options", type=json.loads, default=None,
                        help="with --validate: JSON dict of further changes to the candidates (not selectable)")
    parser.add_argument("--time-parts", action="store_true",
                        help="measure CPU seconds of the M4 benchmarks' fit and predict (training file)")
    parser.add_argument("--intervals", action="store_true",
                        help="score 80%% and 95%% intervals (analytic and conformal) on the test (with "
                             "--validate: on the validation split): MSIS, ACD")
    parser.add_argument("--calibration-windows", type=int, default=CONFORMAL_WINDOWS,
                        help="with --intervals: walk-forward windows of the conformal calibration")
    parser.add_argument("--recheck", metavar="WHY", default=None,
                        help="record that the selection rule still chooses the LSTM last run on the test "
                             "(after candidates were added on the validation split for the reason WHY)")
    parser.add_argument("--refit-windows", action="store_true",
                        help="with --intervals: also calibrate models with update (ridge, lstm) by refitting "
                             "every window")
    args = parser.parse_args(argv)
    if args.render:
        args.md.write_text(render_markdown(json.loads(args.json.read_text())))
        print(f"wrote {args.md}")
        return 0
    unknown = [m for m in args.models if m not in MODELS]
    if unknown:
        parser.error(f"unknown model(s) {unknown}; known: {', '.join(MODELS)}")
    if not args.validate and (args.sample is not None or args.lstm_options is not None or args.candidates
                              or args.origin != 1):
        parser.error("--sample, --lstm-options, --candidates and --origin go with --validate: choices are made on "
                     "the validation split, never on the test")
    if args.origin < 1:
        parser.error(f"--origin must be at least 1; got {args.origin}")
    for subset in args.subset:
        if args.intervals:
            results = run_intervals(subset, args.models, args.data, windows=args.calibration_windows,
                                    refit_windows=args.refit_windows,
                                    split="validation" if args.validate else "test")
            content = merge_json(args.json, subset, results, section="intervals",
                                 test_run=None if args.validate else _interval_log(subset, results))
        elif args.recheck is not None:
            content = recheck(subset, args)
        elif args.validate:
            content = validate(subset, args)
        elif args.time_parts:
            content = merge_json(args.json, subset, time_parts(subset, args.data), section="time_parts")
        else:
            content = run_test(subset, args)
        args.md.write_text(render_markdown(content))
    print(f"wrote {args.json} and {args.md}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
