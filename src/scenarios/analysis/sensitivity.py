"""Global sensitivity analysis with SALib: Morris screening and Sobol indices (plain arrays in and out).

Morris (1991) elementary effects give mu* (mean absolute effect: importance) and sigma
(interactions / non-linearity) for many factors at r (k + 1) model runs. Sobol (Saltelli 2010
estimators) gives first-order S1 and total ST indices with bootstrap confidence intervals at
N (k + 2) runs (second order off). Replicate noise is averaged before analysis: every design point
runs the same replicate seeds (common random numbers), so noise does not masquerade as effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypedDict

import numpy as np
from numpy.typing import NDArray
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample


class SalibProblem(TypedDict):
    """The problem mapping SALib's samplers and analysers read."""

    num_vars: int
    names: list[str]
    bounds: list[list[float]]


@dataclass(frozen=True)
class Problem:
    """The factors varied and the range of each."""

    names: tuple[str, ...]
    bounds: tuple[tuple[float, float], ...]

    def salib(self) -> SalibProblem:
        """The problem as SALib reads it."""
        return {"num_vars": len(self.names), "names": list(self.names), "bounds": [list(b) for b in self.bounds]}


def morris_design(problem: Problem, trajectories: int, seed: int, levels: int = 4) -> NDArray[np.float64]:
    """Morris design: ``trajectories x (k + 1)`` points."""
    # SALib has no type information: its design is a float array
    return np.asarray(
        morris_sample.sample(problem.salib(), trajectories, num_levels=levels, seed=seed), dtype=np.float64
    )


def morris_indices(
    problem: Problem, x: NDArray[np.float64], y: NDArray[np.float64], seed: int, levels: int = 4
) -> dict[str, NDArray[np.float64]]:
    """mu*, its bootstrap confidence half-width, mu and sigma per factor."""
    res = morris_analyze.analyze(
        problem.salib(), x, np.asarray(y, float), num_levels=levels, seed=seed, print_to_console=False
    )
    return {
        "mu_star": np.asarray(res["mu_star"]),
        "mu_star_conf": np.asarray(res["mu_star_conf"]),
        "mu": np.asarray(res["mu"]),
        "sigma": np.asarray(res["sigma"]),
    }


def sobol_design(problem: Problem, base_samples: int, seed: int) -> NDArray[np.float64]:
    """Saltelli design: ``base_samples x (k + 2)`` points (``base_samples`` should be a power of 2)."""
    # SALib has no type information: its design is a float array
    return np.asarray(
        sobol_sample.sample(problem.salib(), base_samples, calc_second_order=False, seed=seed), dtype=np.float64
    )


def sobol_indices(problem: Problem, y: NDArray[np.float64], seed: int) -> dict[str, NDArray[np.float64]]:
    """S1 and ST per factor, with 95% bootstrap confidence half-widths."""
    res = sobol_analyze.analyze(
        problem.salib(), np.asarray(y, float), calc_second_order=False, seed=seed, print_to_console=False
    )
    return {
        "S1": np.asarray(res["S1"]),
        "S1_conf": np.asarray(res["S1_conf"]),
        "ST": np.asarray(res["ST"]),
        "ST_conf": np.asarray(res["ST_conf"]),
    }


def ishigami(x: NDArray[np.float64], a: float = 7.0, b: float = 0.1) -> NDArray[np.float64]:
    """The Ishigami test function on [-pi, pi]^3 (known Sobol indices)."""
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


MORRIS_MIN_TRAJECTORIES = 10
"""Below this many trajectories Morris rankings are unstable (Campolongo, Cariboni & Saltelli 2007 use 10-20)."""
SOBOL_MIN_SAMPLES = 256
"""Below this many base samples Saltelli-estimated Sobol indices are usually too noisy to read (Saltelli et al. 2010)."""


def stability_warnings(method: str, samples: int, rows: list[dict[str, float | str]]) -> list[str]:
    """Plain warnings when the design is too small for stable indices, naming the suspicious values.

    Args:
        method: ``morris`` or ``sobol``.
        samples: Morris trajectories or Sobol base samples.
        rows: one dict per (outcome, factor) with the index columns of :func:`morris_indices` or
            :func:`sobol_indices`.
    """
    notes = []
    if method == "morris":
        if samples < MORRIS_MIN_TRAJECTORIES:
            notes.append(
                f"{samples} Morris trajectories: rankings are unstable below about {MORRIS_MIN_TRAJECTORIES} "
                "(10-20 is usual); read mu* as indicative and check the bootstrap intervals."
            )
        for r in rows:
            mu, conf = float(r["mu_star"]), float(r["mu_star_conf"])
            if mu > 0 and conf > mu:
                notes.append(
                    f"{r['outcome']} / {r['factor']}: mu* {mu:.3g} has a 95% interval of +/-{conf:.3g}, wider than mu* itself."
                )
        return notes
    if samples < SOBOL_MIN_SAMPLES:
        notes.append(
            f"{samples} Sobol base samples: indices are unstable below about {SOBOL_MIN_SAMPLES} "
            "(often 1,000 or more are needed); values outside [0, 1] below are sampling error, not effects."
        )
    for r in rows:
        where = f"{r['outcome']} / {r['factor']}"
        for key in ("S1", "ST"):
            v, conf = float(r[key]), float(r[f"{key}_conf"])
            if v < -0.05 or v > 1.05:
                notes.append(f"{where}: {key} = {v:.3g} lies outside [0, 1] (sampling error; more samples needed).")
            elif conf > 0.2:
                notes.append(f"{where}: {key} = {v:.3g} +/- {conf:.3g} (95% bootstrap interval too wide to rank).")
        if float(r["S1"]) > float(r["ST"]) + float(r["ST_conf"]) + 0.05:
            notes.append(
                f"{where}: S1 {float(r['S1']):.3g} exceeds ST {float(r['ST']):.3g}, impossible in theory: sampling error."
            )
    return notes
