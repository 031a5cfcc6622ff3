"""Seed noise against parameter uncertainty, and the robustness statement, on hand-made data."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.analysis.uncertainty import decompose, robustness


def test_decomposition_known_answer():
    # 3 draws x 2 seeds: draw means 1, 2, 6; within-draw deviations +/-1
    draw = np.array([0, 0, 1, 1, 2, 2])
    x = np.array([0.0, 2.0, 1.0, 3.0, 5.0, 7.0])
    dec = decompose(x, draw)
    assert dec.separable and dec.draws == 3 and dec.seeds_per_draw == 2
    assert dec.seed == pytest.approx(2.0)  # each draw's variance (ddof 1) is 2
    assert dec.parameter == pytest.approx(np.var([1.0, 2.0, 6.0], ddof=1) - 2.0 / 2)
    assert dec.mean == pytest.approx(3.0)
    assert dec.parameter_share == pytest.approx(dec.parameter / (dec.parameter + 2.0))


def test_parameter_variance_is_zero_when_draws_do_not_matter_and_large_when_they_do():
    rng = np.random.default_rng(0)
    draw = np.repeat(np.arange(200), 5)
    noise_only = decompose(rng.normal(0, 1, draw.size), draw)
    assert noise_only.seed == pytest.approx(1.0, rel=0.1)
    assert noise_only.parameter < 0.05
    effects = rng.normal(0, 3, 200)[draw]
    both = decompose(effects + rng.normal(0, 1, draw.size), draw)
    assert both.parameter == pytest.approx(9.0, rel=0.25) and both.parameter_share > 0.8


def test_one_seed_per_draw_cannot_be_separated():
    dec = decompose(np.array([1.0, 2.0, 3.0]), np.array([0, 1, 2]))
    assert not dec.separable and np.isnan(dec.seed) and np.isnan(dec.parameter)
    r = robustness(np.array([1.0, 2.0, -3.0]), np.array([0, 1, 2]), higher_is_better=True)
    assert r.share_better == pytest.approx(2 / 3)
    assert "not separable" in r.statement()


def test_robustness_share_of_draws_and_statement():
    draw = np.array([0, 0, 1, 1, 2, 2, 3, 3])
    diff = np.array([1.0, 1.2, 0.8, 1.0, -0.5, -0.3, 2.0, 2.2])  # draw means 1.1, 0.9, -0.4, 2.1
    up = robustness(diff, draw, higher_is_better=True)
    assert up.share_better == pytest.approx(0.75)
    down = robustness(diff, draw, higher_is_better=False)
    assert down.share_better == pytest.approx(0.25)
    assert up.seed_noise == pytest.approx(np.sqrt(0.02 / 2))
    assert up.statement() == f"better in 75% of plausible parameter sets (seed noise: +/- {up.seed_noise:.3g})"
    assert np.isnan(robustness(diff, draw, None).share_better)
    with pytest.raises(ValueError):
        decompose(np.array([1.0]), np.array([0]))
