"""Comparison statistics on known answers."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.analysis.compare import compare, replicates_for_precision
from scenarios.analysis.summary import HEADLINE, mean_ci


def values(shift=0.0, noise=1.0, n=30, seed=0, noise_seed=None):
    rng = np.random.default_rng(seed)
    common = rng.normal(50, 5, n)  # what common random numbers share between scenarios
    own = rng if noise_seed is None else np.random.default_rng(noise_seed)  # what differs between scenarios
    return {name: common + shift + own.normal(0, noise, n) * 0.01 for name in HEADLINE}


def test_paired_difference_detects_a_shift_hidden_by_between_replicate_noise():
    rows = compare({"base": values(), "other": values(shift=0.2, noise_seed=9)}, "base")
    r = next(r for r in rows if r.scenario == "other" and r.outcome == "stability_index")
    assert r.diff == pytest.approx(0.2, abs=0.02)
    assert r.diff_low > 0 and r.significant
    # the unpaired CIs of the means overlap widely: pairing is what resolves the difference
    b = next(r for r in rows if r.scenario == "base" and r.outcome == "stability_index")
    assert b.ci_high > r.ci_low


def test_no_difference_is_not_significant():
    rows = compare({"base": values(seed=1), "same": values(seed=1)}, "base")
    assert all(r.diff == 0 for r in rows if r.scenario == "same")
    assert not any(r.significant for r in rows if r.scenario == "same")


def test_unpaired_replicate_counts_are_refused():
    with pytest.raises(ValueError, match="paired"):
        compare({"base": values(n=10), "other": values(n=12)}, "base")


def test_replicates_for_precision_matches_the_formula():
    x = np.random.default_rng(2).normal(0, 2.0, 200)
    n = replicates_for_precision(x, 0.5)
    # 1.96 * 2 / sqrt(n) = 0.5  ->  n ~ 61
    assert 55 <= n <= 75


def test_mean_ci_gives_plain_floats_and_the_t_interval():
    m, lo, hi = mean_ci([1.0, 2.0, 4.0])
    assert all(type(x) is float for x in (m, lo, hi))  # safe for JSON and YAML writers
    # t(0.975, 2) = 4.302653; sd = 1.527525; half = t * sd / sqrt(3)
    assert m == pytest.approx(7 / 3) and hi - m == pytest.approx(4.302653 * 1.527525 / 3**0.5, rel=1e-6)
    assert np.isnan(mean_ci([5.0])[1])
