"""Standard units for statsmodels' fits: ``(x - centre) / scale``, and the way back.

statsmodels' optimisers (``ETSModel``, ``SARIMAX``) start from fixed values and stop at
absolute tolerances that assume data of order one: on a series at a level of 1e4 an
ARIMA with a regressor stopped far from its optimum (coefficient 0.89 for 3), and on
values of 1e-6 ETS left its smoothing parameter at its start. The models below are
linear Gaussian (or, for multiplicative ETS, scale-free), so a fit in standard units is
an exact reparametrisation of the fit in the data's units: it is done there, and the
parameters are carried back, so that what a state stores and users read is in the data's
units. A shift is used only where the model absorbs it (a constant, or differences);
scaling always is.

Examples
--------
>>> import numpy as np
>>> series_units(np.array([1e4, 1e4 + 2.0]), shift=True)
(10001.0, 1.0)
>>> series_units(np.array([0.0, 0.0]), shift=False)
(0.0, 1.0)
"""

from __future__ import annotations

import re

import numpy as np

__all__ = ["series_units", "column_units", "arima_params", "ets_params"]

_EXOG = re.compile(r"x\d+$")  # statsmodels' names of ndarray regressors: x1, x2, ...


def series_units(x: np.ndarray, shift: bool) -> tuple[float, float]:
    """``(centre, scale)`` of one series: its mean (0 without ``shift``) and its root mean
    square about it; a series without spread takes its largest absolute value, or 1."""
    centre = float(np.mean(x)) if shift and x.size else 0.0
    scale = float(np.sqrt(np.mean((x - centre) ** 2))) if x.size else 0.0
    if not (np.isfinite(scale) and scale > 0):
        scale = float(np.max(np.abs(x))) if x.size else 0.0
    return centre, scale if np.isfinite(scale) and scale > 0 else 1.0


def column_units(z: np.ndarray, shift: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`series_units` of each column of ``z`` ``[n, k]``: ``(centres, scales)``, ``[k]`` each."""
    pairs = [series_units(z[:, j], shift) for j in range(z.shape[1])]
    return (np.array([p[0] for p in pairs], dtype=np.float64).reshape(-1),
            np.array([p[1] for p in pairs], dtype=np.float64).reshape(-1))


def arima_params(params: np.ndarray, names: list, units: dict, *, differenced: bool,
                 to_original: bool) -> np.ndarray:
    """SARIMAX parameters carried between standard units and the data's.

    In standard units ``(y - c) / s = sum_j b_j (x_j - m_j) / s_j + u``; in the data's,
    ``y = sum_j beta_j x_j + u'`` with ``beta_j = s b_j / s_j`` and ``u' = s u + k``,
    ``k = c - sum_j beta_j m_j``. The trend terms of ``u`` (which enter its AR equation)
    scale by ``s``; the constant also takes ``k`` times the AR polynomials at 1, unless the
    series is differenced (which removes ``k``). AR and MA coefficients are unchanged,
    ``sigma2`` scales by ``s**2``.

    Parameters
    ----------
    params : ndarray
        In the units named by ``to_original``'s opposite.
    names : list of str
        statsmodels' ``param_names`` (regressors named ``x1, x2, ...``).
    units : dict
        ``centre`` and ``scale`` of the series, ``z_centre`` and ``z_scale`` of the regressors.
    differenced : bool
        Whether the model differences the series (``d + D > 0``).
    to_original : bool
        From standard units to the data's (True) or back (False).
    """
    c, s = units["centre"], units["scale"]
    exog = [i for i, name in enumerate(names) if _EXOG.match(name)]
    ratio = s / np.asarray(units["z_scale"], dtype=np.float64) if exog else np.zeros(0)
    out = np.array(params, dtype=np.float64)
    out[exog] = out[exog] * ratio if to_original else out[exog] / ratio
    beta = out[exog] if to_original else np.asarray(params, dtype=np.float64)[exog]
    offset = c - float(beta @ np.asarray(units["z_centre"], dtype=np.float64)) if exog else c
    carry = 0.0 if differenced else offset * _ar_at_one(params, names)
    for i, name in enumerate(names):
        if name == "sigma2":
            out[i] = out[i] * s ** 2 if to_original else out[i] / s ** 2
        elif i in exog or name.startswith(("ar.", "ma.")):
            continue
        elif name == "intercept":
            out[i] = out[i] * s + carry if to_original else (out[i] - carry) / s
        else:  # drift and higher trend terms
            out[i] = out[i] * s if to_original else out[i] / s
    return out


def _ar_at_one(params: np.ndarray, names: list) -> float:
    """The product of the non-seasonal and seasonal AR polynomials at 1 (the same in
    either units: AR coefficients do not change)."""
    regular = sum(float(v) for v, n in zip(params, names) if n.startswith("ar.L"))
    seasonal = sum(float(v) for v, n in zip(params, names) if n.startswith("ar.S.L"))
    return (1.0 - regular) * (1.0 - seasonal)


def ets_params(params: np.ndarray, names: list, units: dict, seasonal: str | None) -> np.ndarray:
    """ETSModel parameters from standard units to the data's: the initial level and trend
    (and additive seasonal states) scale by ``s``, the level takes the centre back; the
    smoothing and damping parameters and multiplicative seasonal factors are unchanged."""
    c, s = units["centre"], units["scale"]
    out = np.array(params, dtype=np.float64)
    for i, name in enumerate(names):
        if name == "initial_level":
            out[i] = out[i] * s + c
        elif name == "initial_trend" or (name.startswith("initial_seasonal") and seasonal == "add"):
            out[i] = out[i] * s
    return out
