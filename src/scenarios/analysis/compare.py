"""Comparing scenarios against a baseline with common random numbers and honest statistics.

Replicate i of every scenario ran with the same seed, so differences are *paired*. For each
outcome and scenario the statistic is taken over a time :class:`Window` of simulated years (the
whole run, a span such as 2026-2030, or the last year): per replicate, the mean per year over the
window. We report its mean and 95% CI over replicates, its 5th and 95th percentiles, and the
paired difference from the baseline with the standardised effect size d_z = mean(diff) / sd(diff).

Significance and intervals come from one correction (Bonferroni over the m comparisons that are
tested): the difference's interval is the paired t interval at level 1 - 0.05/m, and the adjusted
p-value is min(1, m p). So a difference is significant exactly when its interval excludes zero.
A difference that is identical in every replicate (the outcome does not vary between replicates,
e.g. a driver set by the scenario) is a consequence of the config, not a statistical finding: it
is not tested, gets no p-value and is not counted in m.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray
from scipy import stats

from scenarios.analysis.summary import HEADLINE, yearly, yearly_unit
from scenarios.spec import outcomes


@dataclass(frozen=True)
class Window:
    """The simulated calendar years a statistic covers.

    Attributes:
        first: first year included (``None``: from the start of the run).
        last: last year included (``None``: to the end of the run).
        last_year: only the last simulated year (``first`` and ``last`` must then be ``None``).
    """

    first: int | None = None
    last: int | None = None
    last_year: bool = False

    def mask(self, years: np.ndarray) -> NDArray[np.bool_]:
        """Which of ``years`` (calendar years of a run) the window keeps.

        Raises:
            ValueError: if the window is inverted or keeps no simulated year.
        """
        if self.last_year:
            if self.first is not None or self.last is not None:
                raise ValueError("the last-year window takes no --from/--to")
            last: NDArray[np.bool_] = years == years.max()
            return last
        if self.first is not None and self.last is not None and self.first > self.last:
            raise ValueError(f"the window {self.first}-{self.last} is inverted: --from must not be after --to")
        keep = np.ones(years.shape, dtype=bool)
        if self.first is not None:
            keep &= years >= self.first
        if self.last is not None:
            keep &= years <= self.last
        if not keep.any():
            raise ValueError(
                f"the window {self.asked(years)} holds no simulated year; the run covers {years.min()}-{years.max()}"
            )
        return keep

    def asked(self, years: np.ndarray) -> str:
        """The window as asked for (``1990-2022``; an open end is the run's first or last year)."""
        lo = self.first if self.first is not None else int(years.min())
        hi = self.last if self.last is not None else int(years.max())
        return f"{lo}" if lo == hi else f"{lo}-{hi}"

    def used(self, years: np.ndarray) -> tuple[int, int]:
        """The first and last calendar year the window really keeps of ``years`` (clipped to the run).

        Raises:
            ValueError: as :meth:`mask`.
        """
        kept = years[self.mask(years)]
        return int(kept.min()), int(kept.max())

    def text(self, years: np.ndarray) -> str:
        """The window in words, with the years it really keeps: ``2026-2030``, ``the last year (2030)``.

        A window that reaches outside the run is named by the years inside it (``--from 1990 --to
        2022`` on a run of 2021-2030 is ``2021-2022``); :meth:`clip_note` says so.
        """
        if self.last_year:
            return f"the last year ({int(years.max())})"
        lo, hi = self.used(years)
        whole = self.first is None and self.last is None
        return f"the whole run ({lo}-{hi})" if whole else (f"{lo}" if lo == hi else f"{lo}-{hi}")

    def clip_note(self, years: np.ndarray) -> str | None:
        """A sentence when the window asked for reaches outside the run's years, else ``None``."""
        if self.last_year:
            return None
        lo, hi = int(years.min()), int(years.max())
        outside = (self.first is not None and self.first < lo) or (self.last is not None and self.last > hi)
        if not outside:
            return None
        return f"the window {self.asked(years)} reaches outside the run ({lo}-{hi}): the statistics cover {self.text(years)}"


@dataclass(frozen=True)
class Row:
    """One (scenario, outcome) line of a comparison.

    ``diff_low``/``diff_high`` are the interval at the corrected level (see the module docstring);
    ``p_adjusted`` is the corrected p-value; both are ``None`` for the baseline and for differences
    that do not vary between replicates (``tested`` False).
    """

    scenario: str
    outcome: str
    unit: str
    n: int
    mean: float
    ci_low: float
    ci_high: float
    p5: float
    p95: float
    base_mean: float | None = None
    diff: float | None = None
    diff_pct: float | None = None
    diff_low: float | None = None
    diff_high: float | None = None
    effect_size: float | None = None
    p_value: float | None = None
    p_adjusted: float | None = None
    significant: bool | None = None
    tested: bool = False
    n_to_resolve: int | None = None


def per_replicate(
    timeseries_by_rep: dict[int, dict[str, np.ndarray]], statistic: str = "mean_per_year"
) -> dict[str, np.ndarray]:
    """Per outcome, one value per replicate (ordered by replicate index): mean per year, or the last year."""
    reps = sorted(timeseries_by_rep)
    out = {}
    for name, o in outcomes.national().items():
        vals = []
        for r in reps:
            y = yearly(np.asarray(timeseries_by_rep[r][name], dtype=float), o.summary)
            vals.append(y.mean() if statistic == "mean_per_year" else y[-1])
        out[name] = np.array(vals)
    return out


def window_values(by_year: dict[str, np.ndarray], years: np.ndarray, window: Window) -> dict[str, np.ndarray]:
    """Per outcome, one value per replicate: the mean per year over ``window``.

    Args:
        by_year: outcome -> array (replicates, simulated years) of yearly values.
        years: calendar year of each simulated year.
        window: which years to keep.
    """
    keep = window.mask(years)
    return {name: v[:, keep].mean(axis=1) for name, v in by_year.items()}


def _t_half(x: np.ndarray, level: float = 0.95) -> float:
    if x.size < 2:
        return float("nan")
    return float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / math.sqrt(x.size))


def _varies(d: np.ndarray) -> bool:
    return d.size > 1 and float(d.std(ddof=1)) > 1e-12 * max(1.0, float(np.abs(d).max()))


def compare(
    values: dict[str, dict[str, np.ndarray]], baseline: str, names: tuple[str, ...] = HEADLINE, alpha: float = 0.05
) -> list[Row]:
    """Compare scenarios (name -> outcome -> per-replicate values) against ``baseline``.

    Scenarios must have the same number of replicates, paired by index (common random numbers).
    Rows come per scenario, then per outcome in the order of ``names``.

    Raises:
        ValueError: if replicate counts differ.
    """
    table = outcomes.national()
    base = values[baseline]
    tested = sum(
        1
        for scen, vals in values.items()
        if scen != baseline
        for name in names
        if vals[name].size == base[name].size and _varies(vals[name] - base[name])
    )
    level = 1 - alpha / max(tested, 1)
    rows: list[Row] = []
    for scen, vals in values.items():
        for name in names:
            x = vals[name]
            half = _t_half(x)
            p5, p95 = np.percentile(x, [5, 95])
            row = Row(
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
                row = _paired(row, x, base[name], baseline, scen, level, tested, alpha)
            rows.append(row)
    return rows


def _paired(
    row: Row, x: np.ndarray, b: np.ndarray, baseline: str, scen: str, level: float, m: int, alpha: float
) -> Row:
    if x.size != b.size:
        raise ValueError(f"{scen} has {x.size} replicates, {baseline} has {b.size}: they must be paired")
    d = x - b
    mean_d, base_mean = float(d.mean()), float(b.mean())
    pct = 100 * mean_d / abs(base_mean) if base_mean != 0 else None
    row = replace(row, base_mean=base_mean, diff=mean_d, diff_pct=pct)
    if not _varies(d):  # identical in every replicate, or one replicate: nothing to test
        return row
    sd = float(d.std(ddof=1))
    p = float(stats.ttest_rel(x, b).pvalue)
    half = _t_half(d, level)
    need = math.ceil((stats.t.ppf(1 - alpha / 2, d.size - 1) * sd / abs(mean_d)) ** 2) if mean_d != 0 else None
    p_adj = min(1.0, m * p)
    return replace(
        row,
        diff_low=mean_d - half,
        diff_high=mean_d + half,
        effect_size=mean_d / sd,
        p_value=p,
        p_adjusted=p_adj,
        significant=p_adj < alpha,
        tested=True,
        n_to_resolve=need,
    )


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
