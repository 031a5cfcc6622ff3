"""ABC-SMC: approximate Bayesian computation by sequential Monte Carlo (population Monte Carlo).

The algorithm of Beaumont, Cornuet, Marin & Robert (2009, "Adaptive approximate Bayesian
computation") and Toni et al. (2009): generation 0 draws ``particles`` parameter sets from the
prior and keeps them all; each later generation t

1. sets its tolerance epsilon_t to the weighted ``quantile`` of the previous generation's distances
   (adaptive epsilon);
2. proposes parameter sets by drawing a particle of generation t-1 by its weight and moving it with
   a Gaussian kernel whose covariance is twice the weighted covariance of generation t-1,
   redrawing proposals that leave the prior's support;
3. keeps proposals whose simulated distance is at most epsilon_t, until it has ``particles``;
4. weights each kept particle by prior(theta) / sum_j w_j K(theta | theta_j) (importance weights;
   the prior is uniform, so the numerator is constant on its support).

Why not pyabc: pyabc 0.13 (the maintained library) installs on Python 3.12, but its hard
dependencies include redis, SQLAlchemy, scikit-learn, GitPython and ipykernel, and its multicore
and Dask samplers accept the first particles to *finish*, so a result depends on the worker count
and timing. This project promises the same results for the same seed whatever the worker count,
so this module is a small, tested implementation instead:

Reproducibility: attempt k of generation t draws its proposal and its simulation seed from
``SeedSequence(seed, spawn_key=(t, k))``; attempts are simulated in fixed-size batches and kept in
attempt order, never in finish order. The result depends on the seed and the settings only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from scenarios.calibration.prior import UniformPrior

Simulator = Callable[[NDArray[np.float64], list[int]], tuple[NDArray[np.float64], NDArray[np.float64]]]
"""``simulate(thetas, seeds) -> (distances, stats)``: one distance per row of ``thetas`` (shape
(n, dim)) and a row of statistics (shape (n, m), m >= 0, kept with the particles), each simulated
with its seed. It may run the rows in parallel; it must return them in order."""


@dataclass(frozen=True)
class Settings:
    """What an ABC-SMC run does.

    Attributes:
        particles: particles per generation.
        generations: generations after generation 0 (so ``generations + 1`` populations).
        quantile: epsilon_t is this weighted quantile of the previous distances (0 < q < 1).
        batch: attempts simulated together (a fixed size, so results do not depend on workers).
        max_attempts: attempts per particle a generation may use before stopping the run.
        min_epsilon: stop once epsilon falls to this (0: never).
    """

    particles: int = 100
    generations: int = 4
    quantile: float = 0.5
    batch: int = 50
    max_attempts: int = 50
    min_epsilon: float = 0.0

    def __post_init__(self) -> None:
        if self.particles < 2 or self.generations < 0 or self.batch < 1 or self.max_attempts < 1:
            raise ValueError("particles >= 2, generations >= 0, batch >= 1 and max_attempts >= 1")
        if not 0 < self.quantile < 1:
            raise ValueError(f"quantile must lie in (0, 1), got {self.quantile}")


@dataclass
class Generation:
    """One population: particles (n, dim), normalised weights, distances and bookkeeping."""

    index: int
    epsilon: float
    theta: NDArray[np.float64]
    weights: NDArray[np.float64]
    distances: NDArray[np.float64]
    seeds: list[int]
    attempts: int
    stats: NDArray[np.float64]
    seconds: float = 0.0

    @property
    def acceptance(self) -> float:
        """Share of attempts kept."""
        return int(self.theta.shape[0]) / max(1, self.attempts)

    @property
    def ess(self) -> float:
        """Effective sample size, 1 / sum(w^2)."""
        return float(1.0 / np.sum(self.weights**2))


class StopEarly(Exception):
    """A generation used ``max_attempts`` per particle without filling its population."""


def weighted_quantile(values: NDArray[np.float64], weights: NDArray[np.float64], q: float) -> float:
    """The ``q`` quantile of ``values`` under normalised ``weights`` (inverse of the weighted CDF)."""
    order = np.argsort(values, kind="stable")
    cdf = np.cumsum(weights[order])
    i = int(np.searchsorted(cdf, q * cdf[-1], side="left"))
    return float(values[order][min(i, values.size - 1)])


def weighted_cov(theta: NDArray[np.float64], weights: NDArray[np.float64]) -> NDArray[np.float64]:
    """Weighted covariance (dim, dim) of the particles (reliability weights, unbiased)."""
    w = weights / weights.sum()
    mean = w @ theta
    d = theta - mean
    denom = 1.0 - np.sum(w**2)
    cov = (d * w[:, None]).T @ d / (denom if denom > 0 else 1.0)
    return np.atleast_2d(cov)


def _attempt_rng(seed: int, generation: int, attempt: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(generation, attempt)))


def _sim_seed(rng: np.random.Generator) -> int:
    return int(rng.integers(0, 2**63 - 1))


class Kernel:
    """The Gaussian perturbation kernel of a generation: covariance 2 x the weighted covariance."""

    def __init__(self, prev: Generation, prior: UniformPrior):
        # a small ridge (1e-3 of each prior range) keeps the kernel proper when the particles are
        # fewer than the parameters or collapse on a value; a covariance still not positive
        # definite falls back to its diagonal
        cov = 2.0 * weighted_cov(prev.theta, prev.weights) + np.diag((1e-3 * (prior.high - prior.low)) ** 2)
        try:
            self.chol: NDArray[np.float64] = np.linalg.cholesky(cov)
        except np.linalg.LinAlgError:
            cov = np.diag(np.diag(cov))
            self.chol = np.linalg.cholesky(cov)
        self.inv: NDArray[np.float64] = np.linalg.inv(cov)
        self.prev = prev
        self.prior = prior

    def propose(self, rng: np.random.Generator) -> NDArray[np.float64]:
        """A particle of the previous generation drawn by weight, moved, redrawn until in the prior's support."""
        for _ in range(10_000):
            j = int(rng.choice(self.prev.weights.size, p=self.prev.weights))
            theta: NDArray[np.float64] = self.prev.theta[j] + self.chol @ rng.standard_normal(self.prior.dim)
            if self.prior.contains(theta)[0]:
                return theta
        raise StopEarly("the perturbation kernel found no proposal inside the prior's support in 10,000 tries")

    def weights(self, theta: NDArray[np.float64]) -> NDArray[np.float64]:
        """Importance weights of new particles: 1 / sum_j w_j K(theta | theta_j), normalised."""
        d = theta[:, None, :] - self.prev.theta[None, :, :]
        m: NDArray[np.float64] = np.einsum("ijk,kl,ijl->ij", d, self.inv, d)
        # the kernel's normalising constant is the same for every pair, so it cancels
        dens = np.exp(-0.5 * (m - m.min(axis=1, keepdims=True))) @ self.prev.weights
        logw = -(np.log(dens) - 0.5 * m.min(axis=1))
        w: NDArray[np.float64] = np.exp(logw - logw.max())
        return w / w.sum()


def _fill(
    simulate: Simulator,
    settings: Settings,
    seed: int,
    index: int,
    epsilon: float,
    propose: Callable[[np.random.Generator], NDArray[np.float64]],
    on_batch: Callable[[int, int], None] | None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], list[int], int, NDArray[np.float64]]:
    kept_theta: list[NDArray[np.float64]] = []
    kept_d: list[float] = []
    kept_stats: list[NDArray[np.float64]] = []
    kept_seeds: list[int] = []
    attempts = 0
    limit = settings.max_attempts * settings.particles
    while len(kept_theta) < settings.particles:
        if attempts >= limit:
            raise StopEarly(
                f"generation {index} kept {len(kept_theta)} of {settings.particles} particles in {attempts} attempts "
                f"(epsilon {epsilon:.4g}); the earlier generations are the result"
            )
        ks = range(attempts, attempts + settings.batch)
        thetas, seeds = [], []
        for k in ks:
            rng = _attempt_rng(seed, index, k)
            thetas.append(propose(rng))
            seeds.append(_sim_seed(rng))
        dists, stats = simulate(np.array(thetas), seeds)
        for theta, dist, row, s in zip(
            thetas, np.asarray(dists, dtype=float), np.atleast_2d(stats), seeds, strict=True
        ):
            attempts += 1
            if dist <= epsilon and len(kept_theta) < settings.particles:
                kept_theta.append(theta)
                kept_d.append(float(dist))
                kept_stats.append(np.asarray(row, dtype=float))
                kept_seeds.append(s)
        if on_batch is not None:
            on_batch(len(kept_theta), attempts)
    return np.array(kept_theta), np.array(kept_d), kept_seeds, attempts, np.array(kept_stats)


def abc_smc(
    simulate: Simulator,
    prior: UniformPrior,
    settings: Settings,
    seed: int,
    done: list[Generation] | None = None,
    on_generation: Callable[[Generation], None] | None = None,
    on_batch: Callable[[int, int, int], None] | None = None,
) -> tuple[list[Generation], str]:
    """Run ABC-SMC; returns every generation and why it stopped.

    Args:
        simulate: distances of a batch of parameter sets (see :data:`Simulator`).
        prior: the uniform prior (its names give the column order).
        settings: particles, generations, quantile, batch size, limits.
        seed: root seed; with the same settings the run is the same whatever ``simulate`` parallelises.
        done: generations of an interrupted run to continue from (as :func:`abc_smc` made them).
        on_generation: called with each finished generation (to save it).
        on_batch: ``on_batch(generation, kept, attempts)`` after each batch (progress).
    """
    import time

    gens = list(done or [])
    while len(gens) <= settings.generations:
        t = len(gens)
        t0 = time.perf_counter()
        tick = None if on_batch is None else (lambda kept, att, t=t: on_batch(t, kept, att))
        if t == 0:
            epsilon = float("inf")
            theta, dist, seeds, attempts, stats = _fill(
                simulate, settings, seed, 0, epsilon, lambda rng: prior.sample(rng, 1)[0], tick
            )
            weights = np.full(settings.particles, 1.0 / settings.particles)
        else:
            prev = gens[-1]
            epsilon = weighted_quantile(prev.distances, prev.weights, settings.quantile)
            if epsilon <= settings.min_epsilon and t > 1:
                return gens, f"epsilon reached min_epsilon ({settings.min_epsilon:g})"
            kernel = Kernel(prev, prior)
            try:
                theta, dist, seeds, attempts, stats = _fill(simulate, settings, seed, t, epsilon, kernel.propose, tick)
            except StopEarly as err:
                return gens, str(err)
            weights = kernel.weights(theta)
        gen = Generation(t, epsilon, theta, weights, dist, seeds, attempts, stats, time.perf_counter() - t0)
        gens.append(gen)
        if on_generation is not None:
            on_generation(gen)
    return gens, f"{settings.generations} generations after the prior's"
