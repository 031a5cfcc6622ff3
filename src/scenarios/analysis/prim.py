"""PRIM scenario discovery (Friedman & Fisher 1999, "Bump hunting in high-dimensional data").

Given inputs X (one row per run) and a binary outcome y (1 = the case of interest, e.g. the
policy fails), PRIM starts from the box holding all data and repeatedly *peels* the slice (a
fraction ``alpha`` of the remaining points at the low or high end of one input) whose removal
raises the box's density (share of cases of interest) the most, until the box holds less than
``min_mass`` of the data. Each step of this peeling trajectory trades coverage (share of all
cases of interest inside the box) for density. A box is then chosen on the trajectory and
*pasted* (grown back along any edge that raises density). Implemented from the paper; the
vocabulary (coverage, density, mass) follows Bryant & Lempert (2010) and EMA Workbench.

Like the EMA Workbench's PRIM, each restriction of a chosen box gets a significance test: with the
restriction removed the box holds N runs of which K are cases; the box itself holds n of them with
k cases. Under the null hypothesis that the restriction does not concentrate cases, k follows a
hypergeometric distribution, and the one-sided p-value is P(X >= k). :func:`prune` then drops
restrictions that are not significant (largest p first; the threshold is Bonferroni-adjusted for
the k inputs peeling searched) or that add almost no density, so a box states only what the data support (Bryant & Lempert 2010 recommend this "pruning" step). This is
our own implementation; the EMA Workbench (the ``ema`` extra) is not needed for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import stats


@dataclass
class Box:
    """A box: per input, [low, high]; and its statistics on the data."""

    limits: np.ndarray  # (k, 2)
    coverage: float
    density: float
    mass: float
    restricted: list[int] = field(default_factory=list)


def _inside(x: np.ndarray, limits: np.ndarray) -> np.ndarray:
    return np.all((x >= limits[:, 0]) & (x <= limits[:, 1]), axis=1)


def _stats(x: np.ndarray, y: np.ndarray, limits: np.ndarray, full: np.ndarray) -> Box:
    m = _inside(x, limits)
    n_in = int(m.sum())
    cases = y.sum()
    density = float(y[m].mean()) if n_in else 0.0
    coverage = float(y[m].sum() / cases) if cases else 0.0
    restricted = [j for j in range(x.shape[1]) if limits[j, 0] > full[j, 0] or limits[j, 1] < full[j, 1]]
    return Box(limits.copy(), coverage, density, n_in / len(y), restricted)


def peel(x: np.ndarray, y: np.ndarray, alpha: float = 0.05, min_mass: float = 0.05) -> list[Box]:
    """The peeling trajectory, from the full box to the smallest box with at least ``min_mass``."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    full = np.column_stack([x.min(axis=0), x.max(axis=0)])
    limits = full.copy()
    trajectory = [_stats(x, y, limits, full)]
    while True:
        m = _inside(x, limits)
        xin, yin = x[m], y[m]
        if len(yin) / len(y) <= min_mass:
            break
        best = None
        for j in range(x.shape[1]):
            for side in (0, 1):
                q = np.quantile(xin[:, j], alpha if side == 0 else 1 - alpha)
                keep = xin[:, j] > q if side == 0 else xin[:, j] < q
                if keep.sum() in (0, len(yin)) or keep.sum() / len(y) < min_mass:
                    continue
                d = yin[keep].mean()
                if best is None or d > best[0]:
                    best = (d, j, side, q)
        if best is None:
            break
        _, j, side, q = best
        new = limits.copy()
        if side == 0:
            new[j, 0] = np.min(xin[xin[:, j] > q, j])
        else:
            new[j, 1] = np.max(xin[xin[:, j] < q, j])
        limits = new
        trajectory.append(_stats(x, y, limits, full))
    return trajectory


def paste(x: np.ndarray, y: np.ndarray, box: Box, alpha: float = 0.05) -> Box:
    """Grow the box back along any edge while that raises density."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    full = np.column_stack([x.min(axis=0), x.max(axis=0)])
    limits = box.limits.copy()
    current = _stats(x, y, limits, full)
    improved = True
    while improved:
        improved = False
        for j in range(x.shape[1]):
            for side in (0, 1):
                outside = x[:, j] < limits[j, 0] if side == 0 else x[:, j] > limits[j, 1]
                others = _inside(np.delete(x, j, axis=1), np.delete(limits, j, axis=0))
                cand = x[outside & others, j]
                if cand.size == 0:
                    continue
                step = max(1, int(alpha * _inside(x, limits).sum()))
                new = limits.copy()
                if side == 0:
                    new[j, 0] = np.sort(cand)[-min(step, cand.size)]
                else:
                    new[j, 1] = np.sort(cand)[min(step, cand.size) - 1]
                trial = _stats(x, y, new, full)
                if trial.density > current.density:
                    limits, current, improved = new, trial, True
    return current


def choose(trajectory: list[Box], min_coverage: float = 0.5) -> Box:
    """The densest box on the trajectory that still covers at least ``min_coverage`` of the cases."""
    ok = [b for b in trajectory if b.coverage >= min_coverage]
    return max(ok or trajectory[:1], key=lambda b: (b.density, b.coverage))


def describe(box: Box, names: list[str]) -> list[str]:
    """Readable limits of the restricted inputs."""
    return [f"{names[j]} in [{box.limits[j, 0]:.4g}, {box.limits[j, 1]:.4g}]" for j in box.restricted]


@dataclass(frozen=True)
class Restriction:
    """One restricted input of a box and how much it matters.

    Attributes:
        index: column of the input.
        low, high: the box's limits on it.
        p_value: one-sided hypergeometric p-value that the restriction does not concentrate cases.
        density_without: the box's density with this restriction removed.
    """

    index: int
    low: float
    high: float
    p_value: float
    density_without: float


def restriction_tests(x: np.ndarray, y: np.ndarray, box: Box) -> list[Restriction]:
    """The significance of each restriction of ``box`` (see the module docstring)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    full = np.column_stack([x.min(axis=0), x.max(axis=0)])
    inside = _inside(x, box.limits)
    n, k = int(inside.sum()), int(y[inside].sum())
    out = []
    for j in box.restricted:
        relaxed = box.limits.copy()
        relaxed[j] = full[j]
        wide = _inside(x, relaxed)
        big_n, big_k = int(wide.sum()), int(y[wide].sum())
        p = float(stats.hypergeom.sf(k - 1, big_n, big_k, n)) if n else 1.0
        out.append(Restriction(j, float(box.limits[j, 0]), float(box.limits[j, 1]), p, big_k / big_n if big_n else 0.0))
    return out


def prune(x: np.ndarray, y: np.ndarray, box: Box, alpha: float = 0.05, min_gain: float = 0.01) -> Box:
    """Drop restrictions that are not significant or add less than ``min_gain`` density.

    Peeling searched every input for the slice that raised density most, so a restriction is kept
    only if its p-value is at most ``alpha / k`` for k inputs (Bonferroni over the inputs searched).
    One restriction at a time, the weakest (largest p) first, re-testing the rest after each drop.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    max_p = alpha / x.shape[1]
    full = np.column_stack([x.min(axis=0), x.max(axis=0)])
    while box.restricted:
        tests = restriction_tests(x, y, box)
        weak = [t for t in tests if t.p_value > max_p or box.density - t.density_without < min_gain]
        if not weak:
            break
        worst = max(weak, key=lambda t: (t.p_value, -(box.density - t.density_without)))
        limits = box.limits.copy()
        limits[worst.index] = full[worst.index]
        box = _stats(x, y, limits, full)
    return box


def pareto(trajectory: list[Box]) -> list[int]:
    """Steps of the trajectory that no other step beats on both coverage and density (the trade-off curve)."""
    front = []
    for i, b in enumerate(trajectory):
        dominated = any(
            (o.coverage >= b.coverage and o.density >= b.density) and (o.coverage > b.coverage or o.density > b.density)
            for o in trajectory
        )
        if not dominated:
            front.append(i)
    return front
