"""Comparing scenarios against a baseline with common random numbers and honest statistics.

Replicate i of every scenario ran with the same seed, so differences are *paired*: for each
outcome and scenario we report the mean and 95% CI of the per-replicate statistic, its 5th and
95th percentiles, and the paired difference from the baseline with its 95% t interval, the
standardised effect size d_z = mean(diff) / sd(diff), a paired t-test p-value, and that p-value
adjusted for the number of comparisons (Holm-Bonferroni over every scenario x outcome pair).
It also says how many replicates a requested precision needs, and how many would be needed to
tell an observed difference from zero.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from scenarios.analysis.summary import HEADLINE, yearly, yearly_unit
from scenarios.spec import outcomes

STATISTICS = ("mean_per_year", "last_year")


@dataclass(frozen=True)
class Row:
    """One (scenario, outcome) line of a comparison."""

    scenario: str
    outcome: str
    unit: str
    n: int
    mean: float
    ci_low: float
    ci_high: float
    p5: float
    p95: float
    diff: float | None = None
    diff_low: float | None = None
    diff_high: float | None = None
    effect_size: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    significant: bool | None = None
    n_to_resolve: int | None = None


def per_replicate(
    timeseries_by_rep: dict[int, dict[str, np.ndarray]], statistic: str = "mean_per_year"
) -> dict[str, np.ndarray]:
    """Per outcome, one value per replicate (ordered by replicate index)."""
    reps = sorted(timeseries_by_rep)
    out = {}
    for name, o in outcomes.national().items():
        vals = []
        for r in reps:
            y = yearly(np.asarray(timeseries_by_rep[r][name], dtype=float), o.summary)
            vals.append(y.mean() if statistic == "mean_per_year" else y[-1])
        out[name] = np.array(vals)
    return out


def _t_half(x: np.ndarray) -> float:
    if x.size < 2:
        return float("nan")
    return float(stats.t.ppf(0.975, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))


def holm(p: list[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values (NaN stays NaN)."""
    idx = [i for i, v in enumerate(p) if not math.isnan(v)]
    order = sorted(idx, key=lambda i: p[i])
    adjusted = [float("nan")] * len(p)
    running = 0.0
    m = len(order)
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p[i]))
        adjusted[i] = running
    return adjusted


def compare(
    values: dict[str, dict[str, np.ndarray]], baseline: str, names: tuple[str, ...] = HEADLINE, alpha: float = 0.05
) -> list[Row]:
    """Compare scenarios (name -> outcome -> per-replicate values) against ``baseline``.

    Scenarios must have the same number of replicates, paired by index (common random numbers).
    """
    table = outcomes.national()
    rows: list[Row] = []
    tests: list[tuple[int, float]] = []
    base = values[baseline]
    for scen, vals in values.items():
        for name in names:
            x = vals[name]
            half = _t_half(x)
            p5, p95 = np.percentile(x, [5, 95])
            row = dict(
                scenario=scen,
                outcome=name,
                unit=yearly_unit(table[name]),
                n=int(x.size),
                mean=float(x.mean()),
                ci_low=float(x.mean() - half),
                ci_high=float(x.mean() + half),
                p5=float(p5),
                p95=float(p95),
            )
            if scen != baseline:
                if x.size != base[name].size:
                    raise ValueError(
                        f"{scen} has {x.size} replicates, {baseline} has {base[name].size}: they must be paired"
                    )
                d = x - base[name]
                dh = _t_half(d)
                sd = float(d.std(ddof=1)) if d.size > 1 else float("nan")
                if sd > 0:
                    p = float(stats.ttest_rel(x, base[name]).pvalue)
                    es = float(d.mean() / sd)
                    need = (
                        math.ceil((stats.t.ppf(0.975, max(d.size - 1, 1)) * sd / abs(d.mean())) ** 2)
                        if d.mean() != 0
                        else None
                    )
                else:  # identical in every replicate (or a single replicate)
                    p = float("nan") if d.size < 2 else (0.0 if d.mean() != 0 else 1.0)
                    es, need = (float("nan"), None)
                row.update(
                    diff=float(d.mean()),
                    diff_low=float(d.mean() - dh),
                    diff_high=float(d.mean() + dh),
                    effect_size=es,
                    p_value=p,
                    n_to_resolve=need,
                )
                tests.append((len(rows), p))
            rows.append(Row(**row))
    adjusted = holm([p for _, p in tests])
    for (i, _), pa in zip(tests, adjusted, strict=True):
        r = rows[i]
        rows[i] = Row(
            **{**r.__dict__, "p_adjusted": pa, "significant": bool(pa < alpha) if not math.isnan(pa) else None}
        )
    return rows


def replicates_for_precision(x: np.ndarray, half_width: float) -> int:
    """Replicates needed for a 95% CI of the mean of ``x`` with the given half-width."""
    sd = float(np.std(x, ddof=1))
    if sd == 0:
        return 2
    n = 2
    while n < 1_000_000:
        if stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n) <= half_width:
            return n
        n = max(n + 1, int(n * 1.2))
    return n
