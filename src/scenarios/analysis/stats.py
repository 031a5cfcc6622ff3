"""Statistics used by checks and comparisons (plain numpy/scipy on arrays)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class PowerLawFit:
    """A discrete power-law fit by maximum likelihood (Clauset, Shalizi & Newman 2009).

    Attributes:
        alpha: exponent of P(x) ~ x^-alpha above x_min.
        x_min: lower bound chosen by minimising the Kolmogorov-Smirnov distance.
        n_tail: observations at or above x_min.
        ks: KS distance of the fit.
        loglik_ratio: log-likelihood ratio R of power law vs exponential on the tail (R > 0 favours the power law).
        p_value: two-sided p-value of R (Vuong's normalised test).
    """

    alpha: float
    x_min: float
    n_tail: int
    ks: float
    loglik_ratio: float
    p_value: float


def _alpha(tail: np.ndarray, x_min: float) -> float:
    # discrete data: Clauset et al.'s approximation treats x as continuous above x_min - 1/2
    return float(1.0 + tail.size / np.sum(np.log(tail / (x_min - 0.5))))


def _ks(tail: np.ndarray, x_min: float, alpha: float) -> float:
    xs = np.sort(tail)
    empirical = np.arange(1, xs.size + 1) / xs.size
    model = 1.0 - ((xs + 0.5) / (x_min - 0.5)) ** (1.0 - alpha)
    return float(np.max(np.abs(empirical - model)))


def fit_power_law(x: np.ndarray, min_tail: int = 30) -> PowerLawFit:
    """Fit a power law to positive integer data, choosing x_min by KS, and compare with an exponential."""
    data = np.asarray(x, dtype=float)
    data = data[data >= 1]
    if data.size < min_tail:
        raise ValueError(f"need at least {min_tail} observations >= 1, got {data.size}")
    best = None
    for x_min in np.unique(data):
        tail = data[data >= x_min]
        if tail.size < min_tail:
            break
        a = _alpha(tail, x_min)
        d = _ks(tail, x_min, a)
        if best is None or d < best[0]:
            best = (d, x_min, a)
    assert best is not None
    ks, x_min, alpha = best
    tail = data[data >= x_min]
    shift = x_min - 0.5
    ll_pl = np.log(alpha - 1.0) - np.log(shift) - alpha * np.log(tail / shift)
    lam = 1.0 / np.mean(tail - shift)
    ll_exp = np.log(lam) - lam * (tail - shift)
    diff = ll_pl - ll_exp
    r = float(diff.sum())
    sd = float(diff.std(ddof=1))
    z = r / (sd * np.sqrt(tail.size)) if sd > 0 else np.inf
    p = float(2 * stats.norm.sf(abs(z)))
    return PowerLawFit(float(alpha), float(x_min), int(tail.size), ks, r, p)


def paired_difference(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean of b - a over paired replicates with its t confidence interval."""
    d = np.asarray(b, float) - np.asarray(a, float)
    m = float(d.mean())
    if d.size < 2:
        return m, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, d.size - 1) * d.std(ddof=1) / np.sqrt(d.size))
    return m, m - half, m + half
