"""The ABC-SMC core on toy models with known posteriors (no model runs: fast)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from scenarios.calibration.abc import Kernel, Settings, abc_smc, weighted_cov, weighted_quantile
from scenarios.calibration.prior import UniformPrior
from scenarios.errors import ScenarioError
from scenarios.spec import registry

N_OBS = 10
OBSERVED_MEAN = 1.3


def gaussian_mean_simulator(thetas: np.ndarray, seeds: list[int]) -> tuple[np.ndarray, np.ndarray]:
    """x_1..x_n ~ N(mu, 1); summary: the sample mean; distance to the observed mean in units of 0.1."""
    means = np.array(
        [np.random.default_rng(s).normal(t[0], 1.0, N_OBS).mean() for t, s in zip(thetas, seeds, strict=True)]
    )
    return ((means - OBSERVED_MEAN) / 0.1) ** 2, means[:, None]


PRIOR = UniformPrior(("mu",), np.array([-5.0]), np.array([5.0]))


def test_recovers_the_known_posterior_of_a_gaussian_mean():
    # flat prior on [-5, 5], n = 10 draws of N(mu, 1) with mean 1.3: the posterior is N(1.3, 1/10)
    gens, _ = abc_smc(gaussian_mean_simulator, PRIOR, Settings(particles=200, generations=6, batch=100), seed=1)
    last = gens[-1]
    mean = float(last.weights @ last.theta[:, 0])
    sd = float(np.sqrt(last.weights @ (last.theta[:, 0] - mean) ** 2))
    assert abs(mean - OBSERVED_MEAN) < 0.1
    assert 0.8 / np.sqrt(N_OBS) < sd < 1.25 / np.sqrt(N_OBS)
    # epsilon shrinks every generation (adaptive: a quantile of the previous distances)
    eps = [g.epsilon for g in gens[1:]]
    assert all(b < a for a, b in itertools.pairwise(eps))
    # the kept statistics are the simulated means, within the last epsilon of the observation
    assert np.all(np.abs(last.stats[:, 0] - OBSERVED_MEAN) <= 0.1 * np.sqrt(last.epsilon) + 1e-12)


def test_same_seed_same_result_whatever_the_simulator_does_in_parallel():
    def reversed_order(thetas, seeds):  # evaluates rows in another order, returns them in order
        d, s = gaussian_mean_simulator(thetas[::-1], seeds[::-1])
        return d[::-1], s[::-1]

    settings = Settings(particles=30, generations=2, batch=10)
    a, _ = abc_smc(gaussian_mean_simulator, PRIOR, settings, seed=7)
    b, _ = abc_smc(reversed_order, PRIOR, settings, seed=7)
    c, _ = abc_smc(gaussian_mean_simulator, PRIOR, settings, seed=8)
    for ga, gb in zip(a, b, strict=True):
        np.testing.assert_array_equal(ga.theta, gb.theta)
        np.testing.assert_array_equal(ga.weights, gb.weights)
    assert not np.array_equal(a[-1].theta, c[-1].theta)


def test_resuming_from_saved_generations_gives_the_same_run():
    settings = Settings(particles=30, generations=3, batch=10)
    whole, _ = abc_smc(gaussian_mean_simulator, PRIOR, settings, seed=3)
    resumed, _ = abc_smc(gaussian_mean_simulator, PRIOR, settings, seed=3, done=whole[:2])
    np.testing.assert_array_equal(whole[-1].theta, resumed[-1].theta)
    assert len(resumed) == 4


def test_a_generation_that_cannot_fill_stops_the_run_and_keeps_the_earlier_ones():
    def hopeless(thetas, seeds):  # only the prior's generation (epsilon infinite) accepts anything
        return np.where(np.arange(len(seeds)) >= 0, 1.0 + np.array(seeds) % 7, 0.0), np.zeros((len(seeds), 0))

    settings = Settings(particles=10, generations=3, batch=5, max_attempts=2, quantile=0.01)
    gens, why = abc_smc(hopeless, PRIOR, settings, seed=1)
    assert 1 <= len(gens) < 4
    assert "particles in" in why


def test_importance_weights_follow_the_kernel_density():
    # previous population: two equally weighted particles at 0 and 4; a new particle at 0 is far more
    # likely under the kernel than one half-way, so it gets the smaller weight (1 / sum_j w_j K)
    prior = UniformPrior(("x",), np.array([-10.0]), np.array([10.0]))
    prev_theta = np.array([[0.0], [4.0]])
    from scenarios.calibration.abc import Generation

    prev = Generation(0, np.inf, prev_theta, np.array([0.5, 0.5]), np.zeros(2), [0, 1], 2, np.zeros((2, 0)))
    k = Kernel(prev, prior)
    var = float(np.linalg.inv(k.inv)[0, 0])
    assert var == pytest.approx(2 * 8.0 + (1e-3 * 20) ** 2)  # 2 x weighted covariance (unbiased) + ridge
    theta = np.array([[0.0], [2.0]])
    w = k.weights(theta)

    def dens(x):
        return 0.5 * np.exp(-0.5 * (x - 0.0) ** 2 / var) + 0.5 * np.exp(-0.5 * (x - 4.0) ** 2 / var)

    expected = np.array([1 / dens(0.0), 1 / dens(2.0)])
    np.testing.assert_allclose(w, expected / expected.sum())


def test_weighted_quantile_and_covariance():
    v = np.array([3.0, 1.0, 2.0, 10.0])
    w = np.array([0.1, 0.1, 0.1, 0.7])
    assert weighted_quantile(v, w, 0.5) == 10.0
    assert weighted_quantile(v, np.full(4, 0.25), 0.5) == 2.0
    theta = np.array([[0.0, 1.0], [2.0, 3.0]])
    np.testing.assert_allclose(weighted_cov(theta, np.array([0.5, 0.5])), [[2.0, 2.0], [2.0, 2.0]])


def test_proposals_stay_in_the_prior():
    prior = UniformPrior(("a", "b"), np.array([0.0, 0.0]), np.array([1.0, 1.0]))
    gens, _ = abc_smc(
        lambda t, s: (np.sum((t - 0.99) ** 2, axis=1) * 100, np.zeros((len(s), 0))),
        prior,
        Settings(particles=20, generations=3, batch=10),
        seed=2,
    )
    for g in gens:
        assert prior.contains(g.theta).all()


def test_settings_and_prior_refuse_nonsense():
    with pytest.raises(ValueError, match="quantile"):
        Settings(quantile=1.0)
    with pytest.raises(ValueError):
        Settings(particles=1)
    with pytest.raises(ValueError):
        UniformPrior(("a",), np.array([1.0]), np.array([1.0]))
    with pytest.raises(ScenarioError, match="not parameters"):
        UniformPrior.from_registry(["no_such_parameter"])
    with pytest.raises(ScenarioError, match="without a range"):
        UniformPrior.from_registry(["arrest_constant_k"])
    p = UniformPrior.from_registry(["legitimacy_initial"])
    declared = registry.parameters()["legitimacy_initial"]
    assert p.low[0] == declared.min and p.high[0] == declared.max
    np.testing.assert_allclose(p.variance(), [(declared.max - declared.min) ** 2 / 12])
