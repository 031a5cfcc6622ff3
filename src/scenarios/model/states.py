"""States as agents: Tajikistan, China, Russia, the Taliban authorities and the SCO.

Each state's lever spending comes from its plan in the scenario (a per-year schedule per lever,
expanded to weekly steps). Its ``policy`` is either

- ``schedule``: spend exactly the plan; or
- ``adaptive``: the state's documented rule scales the plan each week (below), capped by its
  ``budget_musd`` when one is set.

Adaptive rules (assumptions, parameters in ``parameters.yaml``):

- **Tajikistan** (regime security first; Lemon & Norov 2025: the Tajik side *demands*
  cooperation): spends ``plan x (1 + tajik_threat_response x threat)``, and its *demand* for
  cooperation is that same threat index.
- **China** (border, citizens and investments, influence): supplies
  ``plan x (1 + china_threat_response x max(Tajik demand, threat to Chinese nationals))``.
- **Russia**: its plan is scaled by the ``russia_engagement`` driver under either policy
  (distracted since 2022); the 201st base adds counter-terrorism and a little interdiction
  capacity in proportion to engagement.
- **Taliban authorities**: no levers; their border cooperation is the driver, raised by the
  ``border_cooperation`` capacity that diplomacy and the SCO build.
- **SCO**: supplies the levers whose ``suppliers`` in levers.yaml name it (the lever flagged
  ``multiplier``, which multiplies the ``sco_amplified`` levers, and multilateral drills).

Financial aid received by Tajikistan becomes Tajik spending on its own levers, in the shares of
its ``aid_allocation``, less the share lost to corruption.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from scenarios.schedule import WEEKS_PER_YEAR

if TYPE_CHECKING:
    from scenarios.model.state import ModelState, Tables

CATEGORIES = ("security", "economic", "soft")
"""Spending categories of the levers (``category`` in levers.yaml)."""


class State(mesa.Agent):  # type: ignore[misc]  # Mesa ships no type information: its Agent is Any
    """A state: its weekly lever plan, its policy, and what it spent this week.

    Args:
        model: the model.
        name: one of :data:`scenarios.spec.registry.STATES`.
        plan: planned effort, shape ``(steps, levers)``, in lever units per year.
        policy: ``"schedule"`` or ``"adaptive"``.
        budget: cap on spending in USD M per year, or None.
    """

    model: ModelState  # set by mesa.Agent.__init__; typed here as the stages see the model

    def __init__(self, model: ModelState, name: str, plan: NDArray[np.float64], policy: str, budget: float | None):
        super().__init__(model)
        self.name = name
        self.plan = plan
        self.policy = policy
        self.budget = budget
        self.effort: NDArray[np.float64] = np.zeros(plan.shape[1])
        self.spending = 0.0  # USD M per year at this week's rate

    def multiplier(self) -> float:
        """How much of its plan the state carries out this week (1 under ``schedule``)."""
        return 1.0

    def spending_by_category(self) -> dict[str, float]:
        """This week's spending rate (USD M/yr) on security, economic and soft levers."""
        m = self.model
        totals = np.bincount(m.lever_category_code, self.effort * m.lever_cost, len(CATEGORIES))
        return dict(zip(CATEGORIES, totals.tolist(), strict=True))

    def act(self) -> None:
        """Set this week's effort per lever and its spending."""
        m = self.model
        effort = self.plan[m.t] * self.multiplier()
        cost = m.lever_cost
        spend = float(effort @ cost)
        if self.budget is not None and spend > self.budget > 0:
            effort = effort * (self.budget / spend)
            spend = self.budget
        self.effort = effort
        self.spending = spend


class Tajikistan(State):
    """Tajikistan: raises its own effort with threat when adaptive; spends the aid it receives."""

    def multiplier(self) -> float:
        if self.policy != "adaptive":
            return 1.0
        return 1.0 + self.model.p.tajik_threat_response * self.model.threat.index

    def demand(self) -> float:
        """Demand for outside cooperation: the threat index (0-1)."""
        return self.model.threat.index

    def receive_aid(self, aid_musd: float, allocation: NDArray[np.float64]) -> None:
        """Turn received aid (USD M/yr) into effort on Tajik levers, less corruption."""
        m = self.model
        usable = aid_musd * (1.0 - m.corruption)
        self.effort = self.effort + usable * allocation / m.lever_cost
        self.spending += usable


class China(State):
    """China: supplies more when Tajikistan demands more or its nationals are attacked (adaptive)."""

    def multiplier(self) -> float:
        if self.policy != "adaptive":
            return 1.0
        m = self.model
        pressure = max(m.tajik_demand(), m.threat.to_china)
        return 1.0 + m.p.china_threat_response * pressure


class Russia(State):
    """Russia: its plan scales with the ``russia_engagement`` driver."""

    def multiplier(self) -> float:
        return self.model.driver("russia_engagement")


class Taliban(State):
    """The Taliban authorities: no levers; border cooperation from the driver and diplomacy."""

    def cooperation(self) -> float:
        """Effective border cooperation: the driver, raised by the ``border_cooperation`` capacity."""
        m = self.model
        return 1.0 - (1.0 - m.driver("taliban_border_cooperation")) * (
            1.0 - float(m.capacities["border_cooperation"][0])
        )


class SCO(State):
    """The Shanghai Cooperation Organization: the coordination multiplier and multilateral drills."""


def of_kind[S: State](states: Mapping[str, State], name: str, kind: type[S]) -> S:
    """The state agent ``states[name]`` as the class that plays it (``of_kind(states, "taliban", Taliban)``).

    Raises:
        TypeError: the agent is not a ``kind`` (the model was built with other state classes).
    """
    agent = states[name]
    if not isinstance(agent, kind):
        raise TypeError(f"state {name!r} is a {type(agent).__name__}, not a {kind.__name__}")
    return agent


STATE_CLASSES: dict[str, type[State]] = {
    "tajikistan": Tajikistan,
    "china": China,
    "russia": Russia,
    "taliban": Taliban,
    "sco": SCO,
}
ACT_ORDER = ("china", "russia", "sco", "taliban", "tajikistan")
"""Donors act before Tajikistan, which spends the aid it receives in the same week."""

DONORS = ("china", "russia")
"""States whose aid (levers flagged ``funds_other_levers``) Tajikistan spends."""

SPENDERS = ("china", "russia", "tajikistan")
"""States whose spending is recorded by category (``<category>_spending_<state>``)."""


def step(state: ModelState) -> None:
    """The states stage: the states act (donors first, then Tajikistan spends the aid); sets
    ``state.effort``, the total effort per lever this week."""
    states = state.states
    for name in ACT_ORDER:
        states[name].act()
    aid = sum(float(states[s].effort[state.aid_levers].sum()) for s in DONORS)
    of_kind(states, "tajikistan", Tajikistan).receive_aid(aid, state.aid_allocation)
    state.effort = np.sum([s.effort for s in states.values()], axis=0)


def record(state: ModelState, tables: Tables) -> None:
    """Write spending per state and category (per year), influence shares and the cumulative cost
    to China for week ``state.t``."""
    t, ts, st, carry = state.t, tables.ts, state.states, tables.carry
    lo = tables.window(t)
    base = state.p.russia_security_spending * state.driver("russia_engagement")
    for name in SPENDERS:
        split = st[name].spending_by_category()
        if name == "russia":
            split["security"] += base
        for category, value in split.items():
            ts[f"{category}_spending_{name}"][t] = value
    china = st["china"].spending
    ts["spending_china"][t] = china
    ts["spending_russia"][t] = st["russia"].spending + base
    ts["spending_tajikistan"][t] = st["tajikistan"].spending
    ts["spending_sco"][t] = st["sco"].spending
    for key in ("china", "china_security", "russia_security"):
        carry.setdefault(key, 0.0)
    if t >= state.burn_in:
        carry["china"] += china / WEEKS_PER_YEAR
        carry["china_security"] += ts["security_spending_china"][t] / WEEKS_PER_YEAR
        carry["russia_security"] += ts["security_spending_russia"][t] / WEEKS_PER_YEAR
    ts["cost_to_china_cumulative"][t] = carry["china"]
    c52 = ts["security_spending_china"][lo : t + 1].sum()
    r52 = ts["security_spending_russia"][lo : t + 1].sum()
    ts["china_influence_share"][t] = c52 / (c52 + r52) if c52 + r52 > 0 else 0.0
    total = carry["china_security"] + carry["russia_security"]
    ts["dependence_on_china"][t] = carry["china_security"] / total if total > 0 else 0.0
