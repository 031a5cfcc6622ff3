"""Border and policing conditions of one week, from capacities, drivers and events.

- **Border interdiction** on segment s: the border capacity combines detection and interdiction
  like independent chances, then Russia's residual role (``russia_base_interdiction`` x engagement)
  and the Taliban side's cooperation (x ``taliban_border_effect``). The chance a crossing is stopped
  is ``base + (interdiction_max - base) x capacity``, lowered by terrain
  (x (1 - ``terrain_effect`` x difficulty)) and corruption (x (1 - corruption)), times any
  crackdown event, capped at ``interdiction_ceiling``.
- **Transit seizure** per region crossed: ``base + (transit_max - base) x transit policing``, x (1 - corruption).
- **Roads**: the ``roads`` channel (fed only by levers that build roads: infrastructure) lowers route
  cost by ``roads_help_smugglers`` x its population-weighted level.
- **Counter-terrorism**: Tajik capacity combined with the 201st base (x engagement).
- **Border command** (stage ``border_command``, after trafficking): re-targets patrols and systems
  toward where seizures happen (:func:`adapt_effort`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from scenarios.model.states import Taliban, of_kind

if TYPE_CHECKING:
    from scenarios.model.state import ModelState, Tables


@dataclass(frozen=True)
class Conditions:
    """This week's chances and capacities that the threat stages read."""

    p_border: NDArray[np.float64]
    """Chance a crossing is stopped, per border segment."""
    p_transit: NDArray[np.float64]
    """Chance a shipment is seized in each region it crosses."""
    road_factor: float
    """Multiplier of route cost (1 = no roads effect)."""
    counterterrorism: float
    """National counter-terrorism capacity (0-1), including Russia's base."""
    preemption: float
    """Chance an infiltration or plot is known in advance (0-1)."""
    taliban: float
    """Effective Taliban-side border cooperation (0-1)."""
    corruption: float
    """Corruption level this week (0-1)."""


def step(state: ModelState) -> None:
    """The border stage: this week's :class:`Conditions`, read by the trafficking and militant stages."""
    state.conditions = conditions(state)


def adapt_effort(state: ModelState) -> None:
    """The border command moves patrols and systems toward where seizures happen (co-adaptation).

    NarcoLogic's interdiction agent re-targets where flows were seen; here the segment shares of
    border levers relax (rate ``interdiction_reallocation`` per week) toward
    ``(1 - reallocation_share) x base shares + reallocation_share x recent seizure shares``.
    Off when the scenario fixes ``allocation.border``. The capacities change at the next week's
    capacity stage.
    """
    p = state.p
    if state.cfg.allocation.border or p.interdiction_reallocation <= 0:
        return
    seized = state.trafficking.seized_seg.sum(axis=0)
    if seized.sum() > 0:
        state.border_focus += p.interdiction_reallocation * (seized / seized.sum() - state.border_focus)
    base = state.capacities.base_segment_shares
    state.capacities.set_segment_shares((1.0 - p.reallocation_share) * base + p.reallocation_share * state.border_focus)


def record(state: ModelState, tables: Tables) -> None:
    """Write the border stage's outcomes of week ``state.t``."""
    tables.ts["taliban_cooperation"][state.t] = state.conditions.taliban
    tables.sg["interdiction_probability"][state.t] = state.conditions.p_border


def conditions(model: ModelState) -> Conditions:
    """The border and policing conditions of the current week."""
    p = model.p
    ix = model.index
    cap = model.capacities
    taliban = of_kind(model.states, "taliban", Taliban).cooperation()
    engagement = model.driver("russia_engagement")
    corruption = model.corruption
    border_cap = 1.0 - (1.0 - cap["detection"]) * (1.0 - cap["interdiction"])
    border_cap = 1.0 - (1.0 - border_cap) * (1.0 - p.russia_base_interdiction * engagement) * (
        1.0 - p.taliban_border_effect * taliban
    )
    p_border = p.base_interdiction + (p.interdiction_max - p.base_interdiction) * border_cap
    p_border = p_border * (1.0 - p.terrain_effect * ix.segment_difficulty) * (1.0 - corruption)
    p_border = np.minimum(p.interdiction_ceiling, p_border * model.crackdown[model.t])
    p_transit = (p.base_transit_seizure + (p.transit_max - p.base_transit_seizure) * cap["transit_policing"]) * (
        1.0 - corruption
    )
    roads = float(cap["roads"] @ ix.population / ix.population.sum())
    ct = 1.0 - (1.0 - float(cap["counterterrorism"][0])) * (1.0 - p.russia_base_counterterrorism * engagement)
    return Conditions(
        p_border=p_border,
        p_transit=p_transit,
        road_factor=1.0 - p.roads_help_smugglers * roads,
        counterterrorism=ct,
        preemption=float(cap["preemption"][0]),
        taliban=taliban,
        corruption=corruption,
    )
