"""Standard units: ``(x - centre) / scale`` of a series or of regressor columns, and the way back.

statsmodels' optimisers (``ETSModel``, ``SARIMAX``) start from fixed values and stop at
absolute tolerances that assume data of order one: on a series at a level of 1e4 an
ARIMA with a regressor stopped far from its optimum (coefficient 0.89 for 3), and on
values of 1e-6 ETS left its smoothing parameter at its start. The models below are
linear Gaussian (or, for multiplicative ETS, scale-free), so a fit in standard units is
an exact reparametrisation of the fit in the data's units: it is done there, and the
parameters are carried back, so that what a state stores and users read is in the data's
units. A shift is used only where the model absorbs it (a constant, or differences);
scaling always is.

Regressor columns are put in standard units by :func:`standard_columns` wherever a fit
or a test reads them (least squares, the rank test, the ARIMA search), and their
coefficients carried back by :func:`coefficients_back`: in bytes (1e12 for 1) or epoch
seconds (1.7e9 plus or minus 1e6) a column beside the constant is collinear with it to
rounding, and results changed with the column's units.

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

__all__ = ["series_units", "column_units", "standard_columns", "coefficients_back", "arima_params",
           "ets_params"]

_EXOG = re.compile(r"x\d+$")  # statsmodels' names of ndarray regressors: x1, x2, ...


def series_units(x: np.ndarray, shift: bool) -> tuple[float, float]:
    """``(centre, scale)`` of one series: its mean (0 without ``shift``) and its root mean
    square about it; a series without spread takes its largest absolute value, or 1."""
    centre, scale = column_units(np.reshape(x, (-1, 1)), shift)
    return float(centre[0]), float(scale[0])


def column_units(z: np.ndarray, shift: bool) -> tuple[np.ndarray, np.ndarray]:
    """:func:`series_units` of each column of ``z`` ``[n, k]``: ``(centres, scales)``, ``[k]`` each.

    Both are computed on the columns divided by their largest magnitude first: squares of
    1e200 overflow.
    """
    z = np.asarray(z, dtype=np.float64)
    if not z.shape[0]:
        return np.zeros(z.shape[1]), np.ones(z.shape[1])
    size = _magnitude(z)
    unit = np.where(size > 0, size, 1.0)
    centres = unit * np.mean(z / unit, axis=0) if shift else np.zeros(z.shape[1])
    centred = z - centres
    spread = _magnitude(centred)
    scales = spread * np.sqrt(np.mean((centred / np.where(spread > 0, spread, 1.0)) ** 2, axis=0))
    good = np.isfinite(scales) & (scales > 0)
    scales = np.where(good, scales, size)  # no spread: the largest magnitude, or 1
    return centres, np.where(np.isfinite(scales) & (scales > 0), scales, 1.0)


def _magnitude(z: np.ndarray) -> np.ndarray:
    """The largest absolute value of each column (NaN where one is NaN)."""
    return np.max(np.abs(z), axis=0, initial=0.0)


def standard_columns(z: np.ndarray, shift: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The columns of ``z`` ``[n, k]`` in standard units (:func:`column_units`), with their
    ``centres`` and ``scales``: ``(standard, centres, scales)``.

    Examples
    --------
    >>> z = np.array([[1.7e9], [1.7e9 + 2.0]])
    >>> standard_columns(z, shift=True)[0].ravel().tolist()
    [-1.0, 1.0]
    """
    centres, scales = column_units(z, shift)
    return (np.asarray(z, dtype=np.float64) - centres) / scales, centres, scales


def coefficients_back(beta: np.ndarray, centres: np.ndarray, scales: np.ndarray) -> tuple[np.ndarray, float]:
    """Regression coefficients ``beta`` of the columns in standard units carried back to
    the data's columns: ``(beta / scales, shift)``, ``shift`` what the constant takes
    (``b'(z - c) / s = (b / s)' z - (b / s)' c``). Standard errors carry back alike.

    Examples
    --------
    >>> beta, shift = coefficients_back(np.array([2.0]), np.array([10.0]), np.array([4.0]))
    >>> beta.tolist(), shift
    ([0.5], -5.0)
    """
    back = np.asarray(beta, dtype=np.float64) / scales
    return back, -float(back @ centres) if back.size else 0.0


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
    z_centre, z_scale = (np.asarray(units[key], dtype=np.float64) for key in ("z_centre", "z_scale"))
    out = np.array(params, dtype=np.float64)
    if to_original:
        out[exog], shift = coefficients_back(s * out[exog], z_centre, z_scale)
    else:  # the inverse of coefficients_back
        shift = coefficients_back(out[exog], z_centre, np.ones(len(exog)))[1]
        out[exog] = out[exog] * z_scale / s
    offset = c + shift
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
