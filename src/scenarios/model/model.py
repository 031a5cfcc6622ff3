"""The Mesa model: one step is one week, a loop over the declared stages (:data:`.stages.STAGES`).

1. **States act** (:mod:`.states`): China, Russia, SCO, Taliban, then Tajikistan, which spends the aid it gets.
2. **Capacities** move with this week's lever effort (:mod:`.capacity`).
3. **Presence**: how visible China's investment is (:mod:`.presence`).
4. **Border** conditions: interdiction, transit seizure, counter-terrorism (:mod:`.border`).
5. **Trafficking** organisations ship, get seized and learn (:mod:`.trafficking`); the **border
   command** re-targets patrols toward seizures (:mod:`.border`).
6. **Militant** groups recruit and infiltrate; cells are disrupted or attack (:mod:`.militants`).
7. **Society** updates legitimacy, unrest, arrests and radicalisation (:mod:`.society`).
8. **Threat** index for next week's adaptive policies (:mod:`.threat`).
9. **Corruption** moves toward the driver plus drug money (:mod:`.corruption`).
10. **Investment**: China's investment stock grows (:mod:`.presence`).
11. **Recorder**: each stage's reporter writes its declared outcomes (:mod:`.recorder`).

Every stage is a function of the model's typed state (:class:`.state.ModelState`, which this
class satisfies); no stage module imports this one.

Randomness: the citizens' fixed attributes come from the ``society`` stream of the seed; every
draw made during a week comes from :class:`scenarios.rng.WeeklyStreams`, keyed by stage, week and
entity, so a changed lever never shifts the draws of unrelated agents or weeks.
"""

from __future__ import annotations

from collections.abc import Callable

import mesa
import numpy as np
from mesa.discrete_space import Cell, Network
from numpy.typing import NDArray

from scenarios.model import states as states_stage
from scenarios.model.border import Conditions
from scenarios.model.capacity import Capacities
from scenarios.model.events import apply_events
from scenarios.model.militants import MilitantGroup, Militants
from scenarios.model.presence import CHINA_INVESTMENT_BEFORE_MUSD
from scenarios.model.recorder import Recorder, RunData
from scenarios.model.society import RegionTraits, Society
from scenarios.model.stages import reporters, run_week
from scenarios.model.states import CATEGORIES, STATE_CLASSES, State, Tajikistan, of_kind
from scenarios.model.threat import Threat
from scenarios.model.trafficking import DRUGS, Trafficking, TraffickingOrganisation
from scenarios.model.world import build_graph, build_index
from scenarios.rng import WeeklyStreams, named_generator
from scenarios.schedule import WEEKS_PER_YEAR, expand, step_years
from scenarios.spec import outcomes, registry
from scenarios.spec.params import Params
from scenarios.spec.schema import Scenario

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with recorded weeks done and in all."""


class SecurityModel(mesa.Model):  # type: ignore[misc]  # Mesa ships no type information: its Model is Any
    """China-Tajikistan security cooperation, weekly, from a validated scenario.

    Args:
        scenario: a validated scenario (:func:`scenarios.spec.config.load_scenario`).
        seed: the run's seed; defaults to the scenario's ``seed``.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None):
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=named_generator(seed, "mesa"))
        self.seed = seed
        self.cfg = scenario
        self.draws = WeeklyStreams(seed)
        self.p = Params.defaults(**{k: v for k, v in scenario.parameters.model_dump().items() if v is not None})

        self.world = registry.load_world(scenario.world)
        self.index = ix = build_index(self.world)
        graph = build_graph(self.world)
        self.space = Network(graph, layout={n: d["pos"] for n, d in graph.nodes(data=True)}, random=self.random)

        self.n_steps = scenario.years * WEEKS_PER_YEAR
        self.burn_in = int(self.p.burn_in_weeks)
        self.n_total = self.burn_in + self.n_steps
        self.years = step_years(scenario.start, self.n_steps)
        self.t = 0  # index into the weekly series, burn-in included
        self.week = -self.burn_in  # week of the run (negative during burn-in); keys the random draws
        self.lever_names = tuple(registry.levers())
        self.lever_index = {name: i for i, name in enumerate(self.lever_names)}
        self.lever_cost = np.array([lv.cost_musd_per_unit for lv in registry.levers().values()])
        self.lever_category_code = np.array([CATEGORIES.index(lv.category) for lv in registry.levers().values()])
        # levers read by declaration, never by name: aid that funds other levers, investment that
        # exposes Chinese assets (levers.yaml flags funds_other_levers, raises_exposure)
        self.aid_levers = np.array([self.lever_index[n] for n in registry.flagged("funds_other_levers")], dtype=int)
        self.exposure_levers = np.array([self.lever_index[n] for n in registry.flagged("raises_exposure")], dtype=int)
        drivers = {
            name: expand(getattr(scenario.drivers, name), self.years, d.default)
            for name, d in registry.drivers().items()
        }
        events = apply_events(
            scenario.events, drivers, self.years, ix.segments, ix.regions, int(ix.segment_region[0]), self.p
        )
        self.drivers = {name: self._pad(series) for name, series in drivers.items()}
        self.crackdown = np.concatenate([np.ones((self.burn_in, len(ix.segments))), events.crackdown])
        self.forced_attacks = {k + self.burn_in: v for k, v in events.forced_attacks.items()}
        self.supply = self._supply()
        self.corruption = float(self.drivers["corruption"][0])
        self.chinese_visibility = 0.0
        self.china_investment_musd = CHINA_INVESTMENT_BEFORE_MUSD  # stock of Chinese investment, USD M
        self._build_states()
        self.threat = Threat()
        self.effort = np.zeros(len(self.lever_names))
        states_stage.step(self)  # the effort of the first week: the capacities' warm start
        self.capacities = Capacities(
            self._segment_weights(), self._region_weights(), self.effort, self.p.sco_multiplier, ix.population
        )
        self.conditions: Conditions  # written by the border stage each week
        self.border_focus = self.capacities.segment_shares.copy()
        self._trafficking_setup()
        self._militant_setup()
        self.society = Society(
            named_generator(seed, "society"),
            self.draws,
            ix.population,
            scenario.society.citizens,
            self.p,
            scenario.society.arrest_rounding,
            scenario.society.legitimacy_feedback,
            RegionTraits(ix.autonomy, ix.susceptibility),
        )
        self.recorder = Recorder(
            self.n_total, len(ix.regions), len(ix.segments), outcomes.index_weights(self.p), reporters()
        )

    # ------------------------------------------------------------------ set-up
    def _pad(self, series: NDArray[np.float64]) -> NDArray[np.float64]:
        """A weekly series of the recorded run, preceded by the burn-in weeks at its first value."""
        head = np.repeat(series[:1], self.burn_in, axis=0)
        return np.concatenate([head, series])

    def _supply(self) -> NDArray[np.float64]:
        """Weekly supply per drug (t/week), opiates smoothed by stockpiles (first-order lag)."""
        p = self.p
        opium = self.drivers["opium_production"] * p.tajik_share_of_opiates * p.opiate_product_per_opium_t
        smooth = np.empty_like(opium)
        level = opium[0]
        for i, x in enumerate(opium):
            level += (x - level) / p.supply_stock_weeks
            smooth[i] = level
        meth = self.drivers["meth_production"] * p.meth_share_north
        return np.stack([smooth, meth], axis=1) / WEEKS_PER_YEAR

    def _build_states(self) -> None:
        sc = self.cfg
        names = self.lever_names
        self.states: dict[str, State] = {}
        for name in registry.STATES:
            cfg = sc.states.of(name)
            plan = np.zeros((self.n_steps, len(names)))
            for j, lever in enumerate(names):
                value = cfg.lever(lever)
                if value is not None:
                    plan[:, j] = expand(value, self.years, 0.0)
            self.states[name] = STATE_CLASSES[name](self, name, self._pad(plan), cfg.policy, cfg.budget_musd)
        allocation = sc.states.tajikistan.aid_allocation
        weights = np.array([allocation.weight(n) for n in names])
        if weights.sum() <= 0:
            weights = np.array([1.0 if n in registry.flagged("aid_default") else 0.0 for n in names])
        self.aid_allocation = weights / weights.sum()

    def _segment_weights(self) -> NDArray[np.float64]:
        ix = self.index
        given = self.cfg.allocation.border
        if given:
            return np.array([given.get(s, 0.0) for s in ix.segments])
        return ix.segment_length * (1.0 - ix.segment_difficulty)

    def _region_weights(self) -> NDArray[np.float64]:
        given = self.cfg.allocation.regions
        if given:
            return np.array([given.get(r, 0.0) for r in self.index.regions])
        return self.index.population

    def _trafficking_setup(self) -> None:
        ix = self.index
        n = int(self.p.trafficking_orgs)
        self.trafficking = Trafficking(self, n)
        order = np.argsort(-ix.supply_share, kind="stable")
        for i in range(n):
            org = TraffickingOrganisation(self, 1.0 / n)
            org.move_to(self._cell(ix.provinces[order[i % order.size]]))
        self.traffickers = self.agents_by_type[TraffickingOrganisation]

    def _militant_setup(self) -> None:
        ix = self.index
        p = self.p
        self.militants = Militants(self)
        n = int(p.militant_groups)
        order = np.argsort(-ix.militant_share, kind="stable")
        chosen = [order[i % order.size] for i in range(n)]
        shares = np.array([ix.militant_share[c] for c in chosen])
        shares = shares / shares.sum()
        recruits = (
            p.afghan_recruitment_rate * self.drivers["afghan_militant_pool"][0] * self.drivers["afghan_instability"][0]
        )
        equilibrium = recruits / (p.militant_attrition + p.infiltration_rate)
        for province, share in zip(chosen, shares, strict=True):
            group = MilitantGroup(self, int(province), float(share), equilibrium * share)
            group.move_to(self._cell(ix.provinces[province]))
        self.groups = self.agents_by_type[MilitantGroup]

    def _cell(self, node: str) -> Cell:
        for cell in self.space.all_cells:
            if cell.coordinate == node:
                return cell
        raise KeyError(node)

    # ------------------------------------------------------------------ helpers
    def driver(self, name: str) -> float:
        """This week's value of a driver."""
        return float(self.drivers[name][self.t])

    def tajik_demand(self) -> float:
        """Tajikistan's demand for cooperation (its threat index)."""
        return of_kind(self.states, "tajikistan", Tajikistan).demand()

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """Advance one week: every declared stage in order, then every stage's reporter."""
        if self.t >= self.n_total:
            self.running = False
            return
        run_week(self)
        self.recorder.record(self)
        self.t += 1
        self.week += 1
        if self.t >= self.n_total:
            self.running = False

    # ------------------------------------------------------------------ run
    def advance(self, weeks: int) -> None:
        """Run the burn-in if it has not run yet, then ``weeks`` recorded weeks (or up to the horizon).

        Used to run a scenario a year at a time (the classroom): ``advance(52)`` per round.
        """
        while self.t < self.burn_in:
            self.step()
        for _ in range(weeks):
            if self.t >= self.n_total:
                break
            self.step()

    def run(self, progress: Progress | None = None) -> RunData:
        """Run to the horizon; ``progress(done, total)`` is called every 52 steps if given."""
        while self.t < self.n_total:
            self.step()
            done = self.t - self.burn_in
            if progress is not None and done > 0 and (done % WEEKS_PER_YEAR == 0 or done == self.n_steps):
                progress(done, self.n_steps)
        return self.data()

    def data(self) -> RunData:
        """The recorded tables as plain column arrays."""
        return self.recorder.data(self)


def simulate(scenario: Scenario, seed: int | None = None, progress: Progress | None = None) -> RunData:
    """Build the model for ``scenario`` and run it to the horizon."""
    return SecurityModel(scenario, seed).run(progress)


__all__ = ["DRUGS", "RunData", "SecurityModel", "simulate"]
