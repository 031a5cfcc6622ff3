"""What scenarios cost and what they buy: each state's spending by category, and cost-effectiveness.

Spending comes from the recorded outcomes ``<category>_spending_<state>`` (security, economic,
soft) and ``spending_<state>`` (the state's total), each in USD M/yr at the week's rate and
averaged over the report's window, so adaptive policies and budget caps count as they played out.
"All states" adds the states' totals. Tajikistan's spending includes the aid it receives and
spends (less what corruption takes), so aid is counted once for the donor and once for
Tajikistan; the per-state rows show who pays.

Cost-effectiveness is the change in an outcome per 100 USD M/yr of extra spending, paired
replicate by replicate (common random numbers): with Δy_i and Δs_i the differences of replicate i
from the baseline in the outcome and in spending, the estimate is 100 mean(Δy) / mean(Δs), a
ratio of means. Its interval comes from the delta method: the t interval of
z_i = 100 (Δy_i - (estimate / 100) Δs_i) / mean(Δs), which is the paired interval of Δy scaled
by 100 / Δs when spending is the same in every replicate (a scheduled policy). When the extra
spending is below :data:`MIN_EXTRA_MUSD` in size the ratio means nothing and is reported as n/a.
"""

from __future__ import annotations

import math
import typing
from dataclasses import dataclass

import numpy as np
from scipy import stats

from scenarios.analysis.summary import yearly_unit
from scenarios.spec import outcomes, registry

CATEGORIES: tuple[str, ...] = typing.get_args(registry.Lever.model_fields["category"].annotation)
"""Spending categories of the levers (``category`` in levers.yaml): security, economic, soft."""
ALL_STATES = "all states"
"""The payer name of the sum of every state's spending."""
MIN_EXTRA_MUSD = 0.5
"""Extra spending (USD M/yr, in size) below which cost-effectiveness is n/a: nothing was spent."""
PER_MUSD = 100.0
"""Cost-effectiveness is given per this much extra spending (USD M/yr)."""


def spending_outcomes() -> dict[str, dict[str, str]]:
    """Per state, the recorded outcome of each spending category and of its total (``total``).

    Only states with a recorded total appear; a category appears where the model records it.
    """
    known = outcomes.national()
    out: dict[str, dict[str, str]] = {}
    for state in registry.STATES:
        if f"spending_{state}" not in known:
            continue
        mine = {c: f"{c}_spending_{state}" for c in CATEGORIES if f"{c}_spending_{state}" in known}
        mine["total"] = f"spending_{state}"
        out[state] = mine
    return out


def total_spending(values: dict[str, np.ndarray]) -> np.ndarray:
    """Per replicate, the sum of every state's total spending (USD M/yr) from per-outcome values."""
    names = [cats["total"] for cats in spending_outcomes().values()]
    return np.sum([np.asarray(values[n], dtype=float) for n in names], axis=0)


@dataclass(frozen=True)
class Cost:
    """One (scenario, state, category) line of spending, in USD M/yr over the window.

    ``diff``, ``diff_low`` and ``diff_high`` (paired 95% interval) are ``None`` for the baseline;
    the interval is ``None`` when the difference is the same in every replicate.
    """

    scenario: str
    state: str
    category: str
    mean: float
    base_mean: float | None = None
    diff: float | None = None
    diff_low: float | None = None
    diff_high: float | None = None
    unit: str = "USD M/yr"


def _half(x: np.ndarray, level: float) -> float | None:
    if x.size < 2:
        return None
    sd = float(x.std(ddof=1))
    if sd <= 1e-12 * max(1.0, float(np.abs(x).max())):
        return 0.0
    return float(stats.t.ppf(0.5 + level / 2, x.size - 1) * sd / math.sqrt(x.size))


def costs(values: dict[str, dict[str, np.ndarray]], baseline: str, level: float = 0.95) -> list[Cost]:
    """Each scenario's spending per state and category (and all states), with paired differences.

    Args:
        values: scenario -> outcome -> one value per replicate (the window's mean per year).
        baseline: the scenario the others are compared with.
        level: confidence level of the intervals of the differences.
    """
    rows: list[Cost] = []
    base = values[baseline]
    for scen, vals in values.items():
        lines = [(state, cat, name) for state, cats in spending_outcomes().items() for cat, name in cats.items()]
        pairs = [
            (state, cat, np.asarray(vals[name], float), np.asarray(base[name], float)) for state, cat, name in lines
        ]
        pairs.append((ALL_STATES, "total", total_spending(vals), total_spending(base)))
        for state, cat, x, b in pairs:
            row = Cost(scen, state, cat, float(x.mean()))
            if scen != baseline:
                d = x - b
                half = _half(d, level)
                mean_d = float(d.mean())
                low, high = (None, None) if half is None else (mean_d - half, mean_d + half)
                row = Cost(scen, state, cat, float(x.mean()), float(b.mean()), mean_d, low, high)
            rows.append(row)
    return rows


@dataclass(frozen=True)
class CostEffect:
    """Change in one outcome per 100 USD M/yr of a scenario's extra spending, against the baseline.

    ``per_100`` and its interval are ``None`` (shown as n/a) when the extra spending is below
    :data:`MIN_EXTRA_MUSD` in size; the interval alone is ``None`` with a single replicate.
    """

    scenario: str
    outcome: str
    unit: str
    payer: str
    extra_spending: float
    diff: float
    per_100: float | None
    low: float | None
    high: float | None


def cost_effectiveness(
    values: dict[str, dict[str, np.ndarray]],
    baseline: str,
    names: typing.Sequence[str],
    payer: str = ALL_STATES,
    level: float = 0.95,
) -> list[CostEffect]:
    """Per scenario (but the baseline) and outcome of ``names``: the change per 100 USD M/yr of extra spending.

    Args:
        values: scenario -> outcome -> one value per replicate (paired by index).
        baseline: the scenario the others are compared with.
        names: outcomes to relate to spending.
        payer: whose extra spending is the denominator: ``all states`` or a state with recorded spending.
        level: confidence level of the intervals.

    Raises:
        ValueError: an unknown payer, or scenarios with different numbers of replicates.
    """
    by_state = spending_outcomes()
    if payer != ALL_STATES and payer not in by_state:
        raise ValueError(f"unknown payer {payer!r}; allowed: {ALL_STATES}, {', '.join(by_state)}")

    def spent(vals: dict[str, np.ndarray]) -> np.ndarray:
        return total_spending(vals) if payer == ALL_STATES else np.asarray(vals[by_state[payer]["total"]], float)

    table = outcomes.national()
    base = values[baseline]
    out: list[CostEffect] = []
    for scen, vals in values.items():
        if scen == baseline:
            continue
        ds = spent(vals) - spent(base)
        extra = float(ds.mean())
        for name in names:
            dy = np.asarray(vals[name], float) - np.asarray(base[name], float)
            if dy.size != ds.size:
                raise ValueError(f"{scen} and {baseline} have different numbers of replicates")
            unit = f"{yearly_unit(table[name])} per {PER_MUSD:g} USD M/yr"
            if abs(extra) < MIN_EXTRA_MUSD:
                out.append(CostEffect(scen, name, unit, payer, extra, float(dy.mean()), None, None, None))
                continue
            ratio = PER_MUSD * float(dy.mean()) / extra
            z = PER_MUSD * (dy - ratio / PER_MUSD * ds) / extra
            half = _half(z, level)
            low, high = (None, None) if half is None else (ratio - half, ratio + half)
            out.append(CostEffect(scen, name, unit, payer, extra, float(dy.mean()), ratio, low, high))
    return out
