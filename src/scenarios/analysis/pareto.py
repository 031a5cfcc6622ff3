"""Pareto fronts and paired comparisons of evaluated policies (plain arrays in and out).

Used by the lever-mix optimisation (:mod:`scenarios.experiments.optimise`): which evaluated mixes
no other beats on every objective, and how robustly a mix beats the baseline over replicates
that share their seeds (common random numbers).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def non_dominated(points: np.ndarray) -> list[int]:
    """Rows of ``points`` (objectives to be minimised, one column each) that no other row dominates.

    A row dominates another when it is no worse on every objective and better on at least one.
    Identical rows are kept once (the first).
    """
    pts = np.asarray(points, float)
    out: list[int] = []
    for i, p in enumerate(pts):
        dominated = bool(np.any(np.all(pts <= p, axis=1) & np.any(pts < p, axis=1)))
        if not dominated and not any(np.array_equal(pts[j], p) for j in out):
            out.append(i)
    return out


def share_better(values: Sequence[float] | np.ndarray, baseline: Sequence[float] | np.ndarray, maximise: bool) -> float:
    """Share of paired replicates (same seed) where ``values`` beats ``baseline`` (ties do not count)."""
    v, b = np.asarray(values, float), np.asarray(baseline, float)
    if v.shape != b.shape or v.size == 0:
        raise ValueError(f"paired values need the same number of replicates, got {v.size} and {b.size}")
    return float(np.mean(v > b if maximise else v < b))
