"""Yearly aggregates and summary tables of runs and ensembles."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np

from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec import outcomes

HEADLINE = outcomes.view("headline")
"""The outcomes printed after a run and shown first in reports (the ``headline`` view)."""


def yearly(values: np.ndarray, summary: str) -> np.ndarray:
    """Weekly values of one replicate -> one value per simulated year (sum, mean or last)."""
    n_years = values.size // WEEKS_PER_YEAR
    v = values[: n_years * WEEKS_PER_YEAR].reshape(n_years, WEEKS_PER_YEAR)
    if summary == "sum":
        return v.sum(axis=1)
    if summary == "last":
        return v[:, -1]
    return v.mean(axis=1)


def yearly_unit(outcome: outcomes.Outcome) -> str:
    """Unit of the yearly value of an outcome (weekly flows become per-year flows)."""
    return outcome.unit.replace("/week", "/yr") if outcome.summary == "sum" else outcome.unit


def replicate_summary(timeseries: dict[str, np.ndarray]) -> dict[str, dict[str, float]]:
    """Per national outcome: first year, last year and mean over years of one replicate."""
    out = {}
    for name, o in outcomes.national().items():
        y = yearly(np.asarray(timeseries[name], dtype=float), o.summary)
        out[name] = {"first_year": float(y[0]), "last_year": float(y[-1]), "mean_per_year": float(y.mean())}
    return out


def mean_ci(x: Sequence[float] | np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its t-based confidence interval (the interval is NaN for fewer than 2 values)."""
    a = np.asarray(x, dtype=float)
    m = float(a.mean())
    if a.size < 2:
        return m, float("nan"), float("nan")
    half = float(t_quantile(0.5 + level / 2, a.size - 1) * a.std(ddof=1) / np.sqrt(a.size))
    return m, m - half, m + half


def t_quantile(q: float, df: int) -> float:
    """Student's t quantile. scipy.stats is imported here, on first use, not with this module: it
    takes ~0.3 s of CPU, which every model worker, classroom server and single run would otherwise pay
    without ever computing an interval."""
    from scipy import stats

    return float(stats.t.ppf(q, df))


def summary_csv(per_replicate: dict[int, dict[str, dict[str, float]]]) -> str:
    """The ``summary.csv`` of a results folder: rows per (replicate, outcome), then ensemble rows.

    Ensemble rows have ``replicate = all`` and give, for each statistic, the mean over replicates
    with its 95% CI and the 5th/95th percentiles.
    """
    buf = io.StringIO()
    buf.write("replicate,outcome,unit,statistic,value,ci_low,ci_high,p5,p95\n")
    reps = sorted(per_replicate)
    table = outcomes.national()
    for r in reps:
        for name, s in per_replicate[r].items():
            for stat, v in s.items():
                buf.write(f"{r},{name},{yearly_unit(table[name])},{stat},{v:.10g},,,,\n")
    for name in table:
        for stat in ("first_year", "last_year", "mean_per_year"):
            vals = [per_replicate[r][name][stat] for r in reps]
            m, lo, hi = mean_ci(vals)
            p5, p95 = np.percentile(vals, [5, 95])
            buf.write(
                f"all,{name},{yearly_unit(table[name])},{stat},{m:.10g},{lo:.10g},{hi:.10g},{p5:.10g},{p95:.10g}\n"
            )
    return buf.getvalue()


def headline_rows(per_replicate: dict[int, dict[str, dict[str, float]]]) -> list[list[str]]:
    """Rows of the terminal summary: outcome, unit, first year, last year, mean per year (± CI)."""
    table = outcomes.national()
    reps = sorted(per_replicate)
    rows = []
    for name in HEADLINE:
        cells = [name, yearly_unit(table[name])]
        for stat in ("first_year", "last_year", "mean_per_year"):
            vals = [per_replicate[r][name][stat] for r in reps]
            m, lo, hi = mean_ci(vals)
            half = (hi - lo) / 2
            if len(reps) >= 2 and half <= 1e-9 * max(1.0, abs(m)):
                half = 0.0  # floating-point noise of an outcome that does not vary between replicates
            cells.append(fmt(m) if len(reps) < 2 else f"{fmt(m)} ±{fmt(half)}")
        rows.append(cells)
    return rows


def fmt(x: float) -> str:
    """Short human formatting of a number."""
    if not np.isfinite(x):
        return "nan"
    ax = abs(x)
    if ax == 0:
        return "0"
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    if ax >= 0.01:
        return f"{x:.3f}"
    # three significant digits, never scientific notation (0.00237, not 2.37e-03; 0.000000481)
    return f"{x:.{2 - int(np.floor(np.log10(ax)))}f}"


def render_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain-text table with aligned columns."""
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False))
    sep = "  ".join("-" * w for w in widths)
    body = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=False)) for r in rows]
    return "\n".join([line, sep, *body])
