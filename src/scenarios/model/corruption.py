"""Corruption: it relaxes toward the driver (external pressure) plus what drug money buys.

``target = driver + drug_corruption_gain x R / (R + drug_revenue_half)`` with R the drug revenue of
the route (USD M/yr, :mod:`.trafficking`), capped at 0.95; time constant
``corruption_adjust_weeks``. Next week's border conditions (:mod:`.border`) read the level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scenarios.model.state import ModelState, Tables


def step(state: ModelState) -> None:
    """The corruption stage: move the level one week toward its target."""
    p = state.p
    revenue = state.trafficking.revenue_musd
    target = state.driver("corruption") + p.drug_corruption_gain * revenue / (revenue + p.drug_revenue_half)
    state.corruption += (min(0.95, target) - state.corruption) / p.corruption_adjust_weeks


def record(state: ModelState, tables: Tables) -> None:
    """Write the corruption stage's outcome of week ``state.t``."""
    tables.ts["corruption_level"][state.t] = state.corruption
