"""Tests of tsforecast.core.kernels.common: compiled loops that must equal the NumPy reference bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from tsforecast.baselines.seasonality import _TCRIT, deseasonalize
from tsforecast.core.kernels.common import _pairwise_sum, m4_deseasonalize

_KINDS = ("none", "multiplicative", "additive")


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 1000, 4099])
def test_pairwise_sum_equals_numpy_sum_bit_for_bit(n):
    # Values of wildly different magnitudes make every change of summation order visible.
    a = np.random.default_rng(n).standard_normal(n + 3) * 10.0 ** np.random.default_rng(1).integers(-8, 8, n + 3)
    assert _pairwise_sum(a, 3, n) == np.sum(a[3:])


def _panel(lengths, m, seed=0):
    rng = np.random.default_rng(seed)
    parts = []
    for i, n in enumerate(lengths):
        t = np.arange(n)
        level = [50.0, 0.0, 5.0][i % 3]  # positive, crossing zero, positive
        parts.append(level + 3 * np.sin(2 * np.pi * t / m) + rng.normal(0, 0.5, n) * (i % 4 != 3))
    ends = np.cumsum(lengths)
    return np.concatenate(parts), ends - np.asarray(lengths), ends


@pytest.mark.parametrize("m", [4, 7, 12, 24])
def test_m4_deseasonalize_equals_the_per_series_reference(m):
    lengths = [2 * m - 1, 3 * m - 1, 3 * m, 5 * m + 3, 300, 41, 1000]
    x, starts, ends = _panel(lengths, m)
    adjusted, tails, kinds = m4_deseasonalize(x, starts, ends, m, _TCRIT)
    assert set(kinds.tolist()) >= {0, 1}
    for i, (lo, hi) in enumerate(zip(starts, ends)):
        expected, tail, kind = (x[lo:hi], np.empty(0), "none") if hi - lo < 2 * m else deseasonalize(x[lo:hi], m)
        assert _KINDS[kinds[i]] == kind
        # to rounding: the compiled loop and NumPy may sum in another order (one ulp of
        # 50 on a noise-free series differed on an AVX-512 machine)
        np.testing.assert_allclose(adjusted[lo:hi], expected, rtol=1e-13, atol=1e-13)
        if kind != "none":
            np.testing.assert_allclose(tails[i], tail, rtol=1e-13, atol=1e-13)


def test_m4_deseasonalize_leaves_data_alone_without_a_season():
    x, starts, ends = _panel([50, 60], 4)
    adjusted, tails, kinds = m4_deseasonalize(x, starts, ends, 1, _TCRIT)
    np.testing.assert_array_equal(adjusted, x)
    assert not kinds.any() and tails.shape == (2, 1)
