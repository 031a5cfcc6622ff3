"""Statistics for checks and comparisons (analysis/stats.py): power-law fits and paired differences."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.analysis.stats import fit_power_law, paired_difference


def test_power_law_fit_recovers_a_known_exponent():
    rng = np.random.default_rng(3)
    x = np.floor(3.0 * (1 - rng.random(5000)) ** (-1 / 1.5))  # alpha 2.5 above 3
    fit = fit_power_law(x)
    assert fit.alpha == pytest.approx(2.5, abs=0.15)
    assert fit.loglik_ratio > 0 and 0 <= fit.p_value <= 1
    assert fit.x_min >= 3 and fit.n_tail == int(np.sum(x >= fit.x_min)) and 0 <= fit.ks < 0.1


def test_power_law_fit_prefers_exponential_for_exponential_data():
    rng = np.random.default_rng(4)
    x = np.floor(1 + rng.exponential(8.0, 5000))
    assert fit_power_law(x).loglik_ratio < 0


def test_power_law_fit_keeps_a_tail_of_at_least_min_tail():
    rng = np.random.default_rng(5)
    x = np.floor(1 + rng.exponential(3.0, 400))
    assert fit_power_law(x, min_tail=200).n_tail >= 200


def test_power_law_fit_needs_data():
    with pytest.raises(ValueError, match="need at least 30 observations >= 1, got 2"):
        fit_power_law(np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match="got 0"):
        fit_power_law(np.zeros(100))  # values below 1 are not counts of casualties


def test_paired_difference_is_the_mean_of_b_minus_a_with_a_t_interval():
    m, lo, hi = paired_difference(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.5]))
    assert m == pytest.approx(7 / 6) and lo < m < hi
    d = np.array([1.0, 1.0, 1.5])
    half = 4.302652729911275 * d.std(ddof=1) / np.sqrt(3)  # t(0.975, 2)
    assert (lo, hi) == pytest.approx((m - half, m + half))
    _, lo90, hi90 = paired_difference(np.array([1.0, 2.0, 3.0]), np.array([2.0, 3.0, 4.5]), level=0.9)
    assert lo < lo90 < hi90 < hi


def test_paired_difference_of_one_pair_has_no_interval():
    m, lo, hi = paired_difference(np.array([1.0]), np.array([3.0]))
    assert m == 2.0 and np.isnan(lo) and np.isnan(hi)
