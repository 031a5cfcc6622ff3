"""The model as its stages see it: a typed state that every stage reads and writes, and the tables
the reporters write into.

Each stage of the weekly schedule (:mod:`.stages`) is a function ``step(state)`` over a
:class:`ModelState`, and each stage's reporter a function ``record(state, tables)`` writing its
declared outcomes into :class:`Tables`. :class:`scenarios.model.model.SecurityModel` satisfies the
protocol; the stage modules import this module, never the model module, so no import runs from a
stage back up to the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from scenarios.model.border import Conditions
    from scenarios.model.capacity import Capacities
    from scenarios.model.militants import Militants
    from scenarios.model.society import Society
    from scenarios.model.states import State
    from scenarios.model.threat import Threat
    from scenarios.model.trafficking import Trafficking
    from scenarios.model.world import WorldIndex
    from scenarios.rng import WeeklyStreams
    from scenarios.spec.params import Params
    from scenarios.spec.registry import World
    from scenarios.spec.schema import Scenario


class ModelState(Protocol):
    """What the stages read and write during a week.

    Set-up (read only): ``p`` (the parameters), ``index`` (the world's arrays), ``cfg`` (the
    scenario), ``drivers`` (weekly series, burn-in included), ``supply``, ``crackdown``,
    ``forced_attacks``, ``burn_in``, the lever index arrays ``aid_levers`` and ``exposure_levers``,
    ``aid_allocation`` and the levers' ``lever_cost`` and ``lever_category_code``. The clock: ``t`` (index into the weekly series) and ``week`` (the key of
    the random draws). Written by the stages, in schedule order: ``effort`` (states), the
    ``capacities`` (capacity), ``china_investment_musd`` and ``chinese_visibility`` (presence),
    ``conditions`` (border), the ``trafficking`` tallies and ``border_focus`` (trafficking), the
    ``militants`` (militants), the ``society`` (society), the ``threat`` (threat) and
    ``corruption`` (corruption).
    """

    p: Params
    index: WorldIndex
    world: World
    cfg: Scenario
    seed: int
    draws: WeeklyStreams
    t: int
    week: int
    burn_in: int
    n_total: int
    years: NDArray[np.float64]
    drivers: dict[str, NDArray[np.float64]]
    supply: NDArray[np.float64]
    crackdown: NDArray[np.float64]
    forced_attacks: dict[int, list[int]]
    aid_levers: NDArray[np.int64]
    exposure_levers: NDArray[np.int64]
    aid_allocation: NDArray[np.float64]
    states: dict[str, State]
    effort: NDArray[np.float64]
    capacities: Capacities
    china_investment_musd: float
    chinese_visibility: float
    conditions: Conditions
    trafficking: Trafficking
    traffickers: Any  # Mesa's AgentSet of TraffickingOrganisation (Mesa is untyped)
    border_focus: NDArray[np.float64]
    militants: Militants
    groups: Any  # Mesa's AgentSet of MilitantGroup
    society: Society
    threat: Threat
    corruption: float

    lever_cost: NDArray[np.float64]
    lever_category_code: NDArray[np.int64]

    def driver(self, name: str) -> float:
        """This week's value of a driver."""
        ...

    def tajik_demand(self) -> float:
        """Tajikistan's demand for cooperation (its threat index)."""
        ...


@dataclass
class Tables:
    """The preallocated weekly tables the reporters write (NaN until written).

    Attributes:
        ts: national outcomes, one value per week.
        rg: regional outcomes, shape ``(weeks, regions)``.
        sg: per-segment outcomes, shape ``(weeks, segments)``.
        index_weights: the stability index's component weights (fixed for the run).
        carry: running totals a reporter keeps from week to week (cumulative spending).
    """

    ts: dict[str, NDArray[np.float64]]
    rg: dict[str, NDArray[np.float64]]
    sg: dict[str, NDArray[np.float64]]
    index_weights: dict[str, float]
    carry: dict[str, float] = field(default_factory=dict)

    def window(self, t: int) -> int:
        """First week of the 52-week window that ends at week ``t`` (rolling sums)."""
        return max(0, t - 52 + 1)
