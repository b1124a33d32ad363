"""Write ``covariate_forecasts.json``: WindowForecaster forecasts with covariates on small
panels, as the per-series pandas pipeline (before issue 21) made them.

Run with the code before the change on the path, from the repository root:

    PYTHONPATH=<checkout before issue 21> python tests/data/make_covariate_forecasts.py

``tests/test_covariates.py`` compares today's forecasts with these (to 1e-12).
"""

from __future__ import annotations

import inspect
import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge

from tsforecast import WindowForecaster as _WindowForecaster


def WindowForecaster(*args, **kwargs):
    """The forecaster with the row layout of the pipeline these forecasts came from.

    They were made before ``covariate_steps_in`` existed, with every input step of each
    covariate in a row; that layout is ``covariate_steps_in=None`` since its default
    became ``"auto"`` (one step for a flattened estimator).
    """
    if "covariate_steps_in" in inspect.signature(_WindowForecaster).parameters:
        kwargs.setdefault("covariate_steps_in", None)
    return _WindowForecaster(*args, **kwargs)


def fixture(freq):
    """Three series of different lengths and starts; X runs 10 steps past each."""
    rng = np.random.default_rng(7)
    ys, xs = {}, {}
    for i, n in enumerate([40, 31, 52]):
        index = pd.RangeIndex(3 * i, 3 * i + n + 10) if freq is None else \
            pd.date_range(f"2021-0{1 + i}-01", periods=n + 10, freq=freq)
        f = rng.normal(size=n + 10)
        c = rng.normal(size=n + 10)
        y = np.cumsum(rng.normal(size=n + 10)) + 2.0 * f + np.r_[0.0, c[:-1]]
        ys[f"s{i}"] = pd.Series(y[:n], index=index[:n], name="y")
        xs[f"s{i}"] = pd.DataFrame({"c": c, "f": f}, index=index)
    return ys, xs


def cases():
    for freq in ("h", "MS", None):
        ys, xs = fixture(freq)
        both = WindowForecaster(Ridge(alpha=0.1), n_steps_in=6, n_steps_out=4, future_covariates="f")
        both.fit(ys, {k: x.iloc[: len(ys[k])] for k, x in xs.items()})
        yield f"{freq}/past+future", both.predict(X=xs)
        short = {k: y.iloc[:-5] for k, y in ys.items()}
        yield f"{freq}/past+future/update", both.update(short, xs).predict(X=xs)
        future = WindowForecaster(Ridge(alpha=0.1), n_steps_in=6, n_steps_out=3, covariates=[],
                                  future_covariates=["f"], window_stride=2)
        future.fit(ys, xs)
        yield f"{freq}/future/recursive", future.predict(horizon=8, X=xs)
        single = WindowForecaster(Ridge(alpha=0.1), n_steps_in=5, n_steps_out=2, future_covariates="f")
        yield f"{freq}/single", single.fit(ys["s2"], xs["s2"]).predict(X=xs["s2"])


def main() -> None:
    out = {name: {str(k): np.asarray(v, dtype=float).tolist() for k, v in
                  (forecast.items() if isinstance(forecast, dict) else [("series", forecast)])}
           for name, forecast in cases()}
    path = Path(__file__).with_name("covariate_forecasts.json")
    path.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {path} ({len(out)} cases)")


if __name__ == "__main__":
    main()
