"""Seed noise against parameter uncertainty in a posterior ensemble, and how robust an effect is.

In a posterior ensemble replicate i runs posterior draw ``draw[i]`` with seed i; with S seeds per
draw, each draw holds S replicates. For a per-replicate value x (an outcome, or the paired
difference between a scenario and its baseline), the one-way random-effects decomposition

- seed variance: the mean variance within a draw (pooled over draws, S - 1 degrees of freedom each);
- parameter variance: the variance of the draws' means minus the seed variance / S (at least 0);

splits the variance of x into what more seeds would shrink and what only better knowledge of the
parameters would. The robustness of a difference is the share of draws whose mean difference goes
the better way ("better in 87% of plausible parameter sets"), with the seed noise of a draw's mean
beside it (``+/-`` its standard deviation, sqrt(seed variance / S)). With one seed per draw the
two parts cannot be separated (the decomposition says so: ``separable`` False).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Decomposition:
    """Variance of a per-replicate value split into seed noise and parameter uncertainty.

    Attributes:
        mean: mean over replicates.
        total: variance over replicates (ddof 1).
        seed: seed (within-draw) variance; NaN when not separable.
        parameter: parameter (between-draw) variance; NaN when not separable.
        draws: number of draws.
        seeds_per_draw: replicates per draw (the smallest group).
        separable: at least 2 seeds per draw.
    """

    mean: float
    total: float
    seed: float
    parameter: float
    draws: int
    seeds_per_draw: int
    separable: bool

    @property
    def parameter_share(self) -> float:
        """Share of the variance that parameter uncertainty explains, parameter / (seed + parameter)."""
        s = self.seed + self.parameter
        return self.parameter / s if s > 0 else float("nan")


def _groups(values: np.ndarray, draw: np.ndarray) -> list[np.ndarray]:
    return [values[draw == d] for d in np.unique(draw)]


def decompose(values: np.ndarray, draw: np.ndarray) -> Decomposition:
    """Split the variance of ``values`` (one per replicate) by the replicates' posterior ``draw``.

    Raises:
        ValueError: ``values`` and ``draw`` differ in length or hold fewer than 2 replicates.
    """
    x = np.asarray(values, dtype=float)
    d = np.asarray(draw)
    if x.shape != d.shape or x.size < 2:
        raise ValueError("one draw index per value, and at least 2 values")
    groups = _groups(x, d)
    s = min(g.size for g in groups)
    total = float(x.var(ddof=1))
    if s < 2:
        return Decomposition(float(x.mean()), total, float("nan"), float("nan"), len(groups), s, False)
    within = float(np.mean([g.var(ddof=1) for g in groups]))
    means = np.array([g.mean() for g in groups])
    between = float(means.var(ddof=1)) - within / s if means.size > 1 else 0.0
    return Decomposition(float(x.mean()), total, within, max(0.0, between), len(groups), s, True)


@dataclass(frozen=True)
class Robustness:
    """How robust a paired difference is across the posterior's draws.

    Attributes:
        share_better: share of draws whose mean difference goes the better way (NaN when no
            direction is better).
        seed_noise: standard deviation of a draw's mean difference from seed noise alone (NaN when
            not separable).
        draws: number of draws.
        decomposition: the variance decomposition of the difference.
    """

    share_better: float
    seed_noise: float
    draws: int
    decomposition: Decomposition

    def statement(self, unit: str = "") -> str:
        """E.g. ``better in 87% of plausible parameter sets (seed noise: +/- 0.2)``."""
        if not np.isfinite(self.share_better):
            return "no better direction for this outcome"
        noise = (
            f"seed noise: +/- {self.seed_noise:.3g}{(' ' + unit) if unit else ''}"
            if np.isfinite(self.seed_noise)
            else "seed noise not separable: 1 seed per draw"
        )
        return f"better in {self.share_better:.0%} of plausible parameter sets ({noise})"


def robustness(diff: np.ndarray, draw: np.ndarray, higher_is_better: bool | None) -> Robustness:
    """Robustness of the paired differences ``diff`` (scenario - baseline, one per replicate).

    Args:
        diff: per-replicate paired differences.
        draw: the posterior draw of each replicate.
        higher_is_better: the outcome's direction (None: neither, share_better is NaN).
    """
    dec = decompose(diff, draw)
    means = np.array([g.mean() for g in _groups(np.asarray(diff, dtype=float), np.asarray(draw))])
    if higher_is_better is None:
        share = float("nan")
    else:
        share = float(np.mean(means > 0) if higher_is_better else np.mean(means < 0))
    noise = float(np.sqrt(dec.seed / dec.seeds_per_draw)) if dec.separable else float("nan")
    return Robustness(share, noise, dec.draws, dec)
