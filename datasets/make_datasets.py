"""Regenerate the CSV files shipped in ``tsforecast/_data/`` from their sources.

A maintainer's script, not run by the package or the tests. It reads only data that
installed packages bundle (nothing is downloaded at run time):

* ``co2.csv`` from statsmodels (``statsmodels.datasets.co2``);
* ``seattle_weather.csv`` from the vega_datasets package (``vega_datasets/_data/
  seattle-weather.csv``); install it first with ``pip install vega_datasets``.

Run from the repository root: ``python datasets/make_datasets.py``.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pandas as pd

OUT = Path(__file__).resolve().parents[1] / "tsforecast" / "_data"


def make_co2() -> pd.DataFrame:
    from statsmodels.datasets import co2

    frame = co2.load_pandas().data  # weekly (W-SAT), 59 missing weeks
    # Fill the missing weeks by time-linear interpolation; round to the source's 0.1 ppm.
    frame = frame.asfreq("W-SAT").interpolate(method="time").round(1)
    return frame.rename_axis("date")


def make_seattle_weather() -> pd.DataFrame:
    source = files("vega_datasets") / "_data" / "seattle-weather.csv"
    frame = pd.read_csv(source, parse_dates=["date"], index_col="date")
    # Keep the numeric variables; the categorical "weather" label is dropped.
    return frame[["precipitation", "temp_max", "temp_min", "wind"]].asfreq("D")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, frame in {"co2": make_co2(), "seattle_weather": make_seattle_weather()}.items():
        if frame.isna().any().any():
            raise SystemExit(f"{name}: missing values remain")
        frame.to_csv(OUT / f"{name}.csv", date_format="%Y-%m-%d", lineterminator="\n")
        print(f"wrote {OUT / (name + '.csv')}: {frame.shape}")


if __name__ == "__main__":
    main()
