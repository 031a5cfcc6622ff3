"""Tajikistan's threat index: what the regime perceives, and what adaptive policies respond to.

``x = casualties/yr / threat_casualty_scale + infiltrations/yr / threat_infiltration_scale
+ unrest share / threat_unrest_scale``, smoothed with time constant ``threat_memory_weeks``;
the index is ``1 - exp(-x)`` (0 calm, toward 1 under threat). The threat to Chinese nationals is
the same construction on attacks on Chinese interests per year.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scenarios.schedule import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from scenarios.model.state import ModelState, Tables


class Threat:
    """Smoothed threat levels; ``index`` and ``to_china`` are read by the states next week."""

    def __init__(self) -> None:
        self.level = 0.0
        self.china_level = 0.0
        self.index = 0.0
        self.to_china = 0.0

    def update(self, model: ModelState) -> None:
        """Fold this week's casualties, infiltrations, unrest and attacks on Chinese interests in."""
        p = model.p
        mil = model.militants
        soc = model.society
        unrest = float((soc.active_count / soc.counts) @ model.index.pop_weights)
        x = (
            float(mil.casualties.sum()) * WEEKS_PER_YEAR / p.threat_casualty_scale
            + mil.successes * WEEKS_PER_YEAR / p.threat_infiltration_scale
            + unrest / p.threat_unrest_scale
        )
        a = 1.0 / p.threat_memory_weeks
        self.level += a * (x - self.level)
        self.china_level += a * (mil.attacks_chinese * WEEKS_PER_YEAR - self.china_level)
        self.index = float(1.0 - np.exp(-self.level))
        self.to_china = float(1.0 - np.exp(-self.china_level))


def step(state: ModelState) -> None:
    """The threat stage: fold this week into the index the states read next week."""
    state.threat.update(state)


def record(state: ModelState, tables: Tables) -> None:
    """Write the threat stage's outcome of week ``state.t``."""
    tables.ts["threat_index"][state.t] = state.threat.index
