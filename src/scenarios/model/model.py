"""The Mesa model: one step is one week.

Order within a week (fixed, so results do not depend on agent order):

1. **States act** (China, Russia, SCO, Taliban, then Tajikistan, which spends the aid it gets).
2. **Capacities** move with this week's lever effort (:mod:`.capacity`).
3. **Trafficking** organisations ship, get seized and learn (:mod:`.trafficking`).
4. **Militant** groups recruit and infiltrate; cells are disrupted or attack (:mod:`.militants`).
5. **Society** updates legitimacy, unrest, arrests and radicalisation (:mod:`.society`).
6. The threat index, spending and all outcomes are recorded (:mod:`scenarios.spec.outcomes`).

Every random draw goes through a named stream of the scenario's seed (:mod:`scenarios.rng`):
``trafficking``, ``militants``, ``attacks``, ``society``, plus Mesa's own ``rng``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import mesa
import numpy as np
from mesa.discrete_space import Network

from scenarios.model.capacity import Capacities
from scenarios.model.militants import MilitantGroup, Militants
from scenarios.model.society import ACTIVE, EXTREMIST, JAILED, Society
from scenarios.model.states import ACT_ORDER, STATE_CLASSES, State
from scenarios.model.trafficking import DRUGS, Trafficking, TraffickingOrganisation
from scenarios.model.world import build_graph, build_index
from scenarios.rng import named_generator
from scenarios.schedule import WEEKS_PER_YEAR, expand, parse_date, step_years
from scenarios.spec import outcomes, registry

STREAMS = ("trafficking", "militants", "attacks", "society")
AID_DEFAULT = ("military_training", "joint_border_patrols", "military_equipment", "surveillance_systems")
CHINA_INVESTMENT_BEFORE_MUSD = 4000.0
"""Chinese investment stock at the start (facts.yaml investment.china_cumulative, >USD 4bn 2007-2023)."""
EVENT_DEFAULT_MAGNITUDE = {
    "attack": 1.0,  # number of attacks
    "opium_ban": 0.95,  # share of opium production removed
    "afghan_collapse": 1.0,  # instability +0.3 x m, militant pool x (1 + 1.5 m)
    "russian_drawdown": 1.0,  # Russia's engagement x (1 - 0.5 m)
    "meth_surge": 1.0,  # methamphetamine output x (1 + m)
    "crackdown": 3.0,  # interdiction chance on the segment(s) x m, capped at 0.95
}
"""Default size of each event kind; an event's ``magnitude`` overrides it (docs/model.md section 6)."""


@dataclass
class RunData:
    """What one run produced: weekly tables as column arrays (plain data, no live model)."""

    timeseries: dict[str, np.ndarray]
    regions: dict[str, np.ndarray]
    segments: dict[str, np.ndarray]
    severities: np.ndarray
    meta: dict[str, Any] = field(default_factory=dict)


class SecurityModel(mesa.Model):
    """China-Tajikistan security cooperation, weekly, from a validated scenario.

    Args:
        scenario: a validated scenario (:func:`scenarios.spec.config.load_scenario`).
        seed: the run's seed; defaults to the scenario's ``seed``.
    """

    def __init__(self, scenario: Any, seed: int | None = None):
        seed = scenario.seed if seed is None else int(seed)
        super().__init__(rng=named_generator(seed, "mesa"))
        self.seed = seed
        self.cfg = scenario
        self.streams = {name: named_generator(seed, name) for name in STREAMS}
        self.p = {name: par.value for name, par in registry.parameters().items()}
        self.p.update({k: v for k, v in scenario.parameters.model_dump().items() if v is not None})

        world = registry.load_world(scenario.world)
        self.world = world
        self.index = ix = build_index(world)
        graph = build_graph(world)
        self.space = Network(graph, layout={n: d["pos"] for n, d in graph.nodes(data=True)}, random=self.random)

        self.n_steps = scenario.years * WEEKS_PER_YEAR
        self.years = step_years(scenario.start, self.n_steps)
        self.t = 0
        self._build_drivers()
        self._build_states()

        self.lever_names = tuple(registry.levers())
        self.lever_cost = np.array([lv.cost_musd_per_unit for lv in registry.levers().values()])
        self._aid = self.lever_names.index("financial_aid")
        self._infrastructure = self.lever_names.index("infrastructure_investment")
        self.threat = 0.0
        self.threat_to_china = 0.0
        self._threat_level = 0.0
        self._china_level = 0.0

        self.capacities = Capacities(
            self._segment_weights(), self._region_weights(), self._initial_effort(), self.p["sco_multiplier"]
        )
        self._trafficking_setup()
        self._militant_setup()
        self.society = Society(
            self.streams["society"],
            ix.population,
            scenario.society.citizens,
            self.p,
            scenario.society.arrest_rounding,
            scenario.society.legitimacy_feedback,
            gbao_index=ix.regions.index("gbao") if "gbao" in ix.regions else None,
        )
        self._recorder_setup()

    # ------------------------------------------------------------------ set-up
    def _build_drivers(self) -> None:
        sc = self.cfg
        self.drivers = {
            name: expand(getattr(sc.drivers, name), self.years, d.default) for name, d in registry.drivers().items()
        }
        self.forced_attacks: dict[int, list[int]] = {}
        self.crackdown = np.ones((self.n_steps, len(self.index.segments)))
        for ev in sc.events:
            start = int(np.searchsorted(self.years, parse_date(ev.when) - 1e-9))
            if start >= self.n_steps:
                continue
            span = slice(start, None if ev.weeks is None else start + ev.weeks)
            m = EVENT_DEFAULT_MAGNITUDE[ev.kind] if ev.magnitude is None else ev.magnitude
            d = self.drivers
            if ev.kind == "opium_ban":
                d["opium_production"][span] *= max(0.0, 1.0 - m)
            elif ev.kind == "afghan_collapse":
                d["afghan_instability"][span] = np.minimum(1.0, d["afghan_instability"][span] + 0.3 * m)
                d["afghan_militant_pool"][span] *= 1.0 + 1.5 * m
            elif ev.kind == "russian_drawdown":
                d["russia_engagement"][span] *= max(0.0, 1.0 - 0.5 * m)
            elif ev.kind == "meth_surge":
                d["meth_production"][span] *= 1.0 + m
            elif ev.kind == "crackdown":
                cols = [self.index.segments.index(ev.segment)] if ev.segment else slice(None)
                self.crackdown[span, cols] *= m
            elif ev.kind == "attack":
                region = self.index.regions.index(ev.region) if ev.region else int(self.index.segment_region[0])
                self.forced_attacks.setdefault(start, []).extend([region] * max(1, round(m)))
        # stockpiles smooth opiate supply after production shocks (first-order lag)
        p = self.p
        opium = self.drivers["opium_production"] * p["tajik_share_of_opiates"] * p["opiate_product_per_opium_t"]
        smooth = np.empty_like(opium)
        level = opium[0]
        for i, x in enumerate(opium):
            level += (x - level) / p["supply_stock_weeks"]
            smooth[i] = level
        meth = self.drivers["meth_production"] * p["meth_share_north"]
        self.supply = np.stack([smooth, meth], axis=1) / WEEKS_PER_YEAR  # t/week per drug

    def _build_states(self) -> None:
        sc = self.cfg
        names = tuple(registry.levers())
        self.states: dict[str, State] = {}
        for name in registry.STATES:
            cfg = getattr(sc.states, name)
            plan = np.zeros((self.n_steps, len(names)))
            levers_cfg = getattr(cfg, "levers", None)
            if levers_cfg is not None:
                for j, lever in enumerate(names):
                    value = getattr(levers_cfg, lever, None)
                    if value is not None:
                        plan[:, j] = expand(value, self.years, 0.0)
            self.states[name] = STATE_CLASSES[name](self, name, plan, cfg.policy, cfg.budget_musd)
        alloc = sc.states.tajikistan.aid_allocation.model_dump()
        weights = np.array([alloc.get(n) or 0.0 for n in names])
        if weights.sum() <= 0:
            weights = np.array([1.0 if n in AID_DEFAULT else 0.0 for n in names])
        self.aid_allocation = weights / weights.sum()

    def _segment_weights(self) -> np.ndarray:
        ix = self.index
        given = self.cfg.allocation.border
        if given:
            return np.array([given.get(s, 0.0) for s in ix.segments])
        return ix.segment_length * (1.0 - ix.segment_difficulty)

    def _region_weights(self) -> np.ndarray:
        given = self.cfg.allocation.regions
        if given:
            return np.array([given.get(r, 0.0) for r in self.index.regions])
        return self.index.population

    def _initial_effort(self) -> np.ndarray:
        """Effort of the first week, taken as the steady state before the run (warm start)."""
        return self._states_act()

    def _states_act(self) -> np.ndarray:
        """The states act (donors first, then Tajikistan spends the aid); total effort per lever."""
        for name in ACT_ORDER:
            self.states[name].act()
        aid = sum(self.states[s].effort[self._aid] for s in ("china", "russia"))
        self.states["tajikistan"].receive_aid(aid, self.aid_allocation)
        return sum(s.effort for s in self.states.values())

    def _trafficking_setup(self) -> None:
        ix = self.index
        self.trafficking = Trafficking(self)
        n = int(self.p["trafficking_orgs"])
        order = np.argsort(-ix.supply_share, kind="stable")
        for i in range(n):
            org = TraffickingOrganisation(self, 1.0 / n)
            org.move_to(self._cell(ix.provinces[order[i % order.size]]))
        self.traffickers = self.agents_by_type[TraffickingOrganisation]

    def _militant_setup(self) -> None:
        ix = self.index
        p = self.p
        self.militants = Militants(self)
        n = int(p["militant_groups"])
        order = np.argsort(-ix.militant_share, kind="stable")
        chosen = [order[i % order.size] for i in range(n)]
        shares = np.array([ix.militant_share[c] for c in chosen])
        shares = shares / shares.sum()
        recruits = (
            p["afghan_recruitment_rate"]
            * self.drivers["afghan_militant_pool"][0]
            * self.drivers["afghan_instability"][0]
        )
        equilibrium = recruits / (p["militant_attrition"] + p["infiltration_rate"])
        for province, share in zip(chosen, shares, strict=True):
            group = MilitantGroup(self, int(province), float(share), equilibrium * share)
            group.move_to(self._cell(ix.provinces[province]))
        self.groups = self.agents_by_type[MilitantGroup]

    def _cell(self, node: str) -> Any:
        for cell in self.space.all_cells:
            if cell.coordinate == node:
                return cell
        raise KeyError(node)

    def _recorder_setup(self) -> None:
        n, n_r, n_s = self.n_steps, len(self.index.regions), len(self.index.segments)
        self.ts = {name: np.zeros(n) for name in outcomes.national()}
        self.rg = {name: np.zeros((n, n_r)) for name in outcomes.regional()}
        self.sg = {name: np.zeros((n, n_s)) for name in outcomes.per_segment()}
        self._china_cum = 0.0
        self._russia_cum = 0.0
        self._china_infra = CHINA_INVESTMENT_BEFORE_MUSD

    # ------------------------------------------------------------------ helpers
    def driver(self, name: str) -> float:
        """This week's value of a driver."""
        return float(self.drivers[name][self.t])

    def tajik_demand(self) -> float:
        """Tajikistan's demand for cooperation (its threat index)."""
        return self.states["tajikistan"].demand()

    # ------------------------------------------------------------------ step
    def step(self) -> None:
        """Advance one week."""
        if self.t >= self.n_steps:
            self.running = False
            return
        p = self.p
        ix = self.index

        # 1. states (the Taliban's cooperation reads last week's capacities)
        effort = self._states_act()
        taliban = self.states["taliban"].cooperation()

        # 2. capacities
        cap = self.capacities
        cap.step(effort)
        engagement = self.driver("russia_engagement")
        corruption = self.driver("corruption")
        border_cap = 1.0 - (1.0 - cap["detection"]) * (1.0 - cap["interdiction"])
        border_cap = 1.0 - (1.0 - border_cap) * (1.0 - p["russia_base_interdiction"] * engagement) * (
            1.0 - 0.5 * taliban
        )
        p_border = p["base_interdiction"] + (p["interdiction_max"] - p["base_interdiction"]) * border_cap
        p_border = p_border * (1.0 - 0.5 * ix.segment_difficulty) * (1.0 - corruption)
        p_border = np.minimum(0.95, p_border * self.crackdown[self.t])
        p_transit = (
            p["base_transit_seizure"] + (p["transit_max"] - p["base_transit_seizure"]) * cap["transit_policing"]
        ) * (1.0 - corruption)
        economy_mean = float(cap["economy"] @ ix.population / ix.population.sum())
        road_factor = 1.0 - p["roads_help_smugglers"] * economy_mean
        ct = 1.0 - (1.0 - float(cap["counterterrorism"][0])) * (1.0 - p["russia_base_counterterrorism"] * engagement)

        # 3. trafficking
        tr = self.trafficking
        tr.reset()
        tr.set_conditions(self.supply[self.t], p_border, p_transit, road_factor)
        self.traffickers.do("step")

        # 4. militants
        mil = self.militants
        mil.reset()
        mil.p_border = p_border
        mil.preemption = float(cap["preemption"][0])
        mil.counterterrorism = ct
        mil.chinese_share = min(
            0.9, p["chinese_target_base"] + p["chinese_exposure_per_busd"] * self._china_infra / 1000.0
        )
        self.groups.do("step")
        mil.step_cells(self.forced_attacks.get(self.t, []))

        # 5. society
        soc = self.society
        cells = np.bincount(mil.cell_region, minlength=len(ix.regions)).astype(float)
        soc.step(
            cap["economy"],
            float(cap["soft_legitimacy"][0]),
            cap["domestic_surveillance"],
            self.driver("remittances"),
            cells,
            float(cap["online_suppression"][0]),
        )

        # 6. threat, money, outcomes
        self._record(p_border, ct, taliban)
        self.t += 1
        if self.t >= self.n_steps:
            self.running = False

    def _record(self, p_border: np.ndarray, ct: float, taliban: float) -> None:
        t = self.t
        ix = self.index
        tr, mil, soc, cap = self.trafficking, self.militants, self.society, self.capacities
        ts, rg, sg = self.ts, self.rg, self.sg
        lo = max(0, t - WEEKS_PER_YEAR + 1)

        inflow = tr.inflow_seg.sum()
        seized_region = tr.seized_region.sum(axis=0) + np.bincount(
            ix.segment_region, tr.seized_seg.sum(axis=0), len(ix.regions)
        )
        seized = seized_region.sum()
        ts["attacks"][t] = mil.attacks.sum()
        ts["casualties"][t] = mil.casualties.sum()
        ts["attacks_on_chinese"][t] = mil.attacks_chinese
        ts["casualties_chinese"][t] = mil.casualties_chinese
        ts["mass_casualty_attacks"][t] = mil.mass_casualty
        ts["infiltration_attempts"][t] = mil.attempts
        ts["infiltration_preempted"][t] = mil.preempted
        ts["infiltration_successes"][t] = mil.successes
        ts["militant_members"][t] = sum(g.members for g in self.groups)
        ts["active_cells"][t] = mil.cells
        ts["drug_inflow_t"][t] = inflow
        ts["seizures_t"][t] = seized
        ts["seizures_opiates_t"][t] = tr.seized_seg[0].sum() + tr.seized_region[0].sum()
        ts["seizures_meth_t"][t] = tr.seized_seg[1].sum() + tr.seized_region[1].sum()
        ts["delivered_t"][t] = tr.delivered.sum()
        ts["seizure_rate"][t] = seized / inflow if inflow > 0 else 0.0
        ts["meth_share"][t] = tr.inflow_seg[1].sum() / inflow if inflow > 0 else 0.0
        ts["active_routes"][t] = tr.active_routes(t)

        active = soc.state == ACTIVE
        jailed = soc.state == JAILED
        radical = soc.rad >= EXTREMIST
        pop_w = ix.population / ix.population.sum()
        rg["unrest_active_share"][t] = soc.by_region(active)
        rg["jailed_share"][t] = soc.by_region(jailed)
        rg["radicalised_share"][t] = soc.by_region(radical)
        rg["mean_grievance"][t] = soc.mean_by_region(soc.grievance)
        rg["legitimacy"][t] = soc.legitimacy
        rg["inflow_t"][t] = np.bincount(ix.segment_region, tr.inflow_seg.sum(axis=0), len(ix.regions))
        rg["seizures_t"][t] = seized_region
        rg["attacks"][t] = mil.attacks
        rg["casualties"][t] = mil.casualties
        rg["capacity_economy"][t] = cap["economy"]
        rg["capacity_transit_policing"][t] = cap["transit_policing"]
        rg["capacity_domestic_surveillance"][t] = cap["domestic_surveillance"]
        for name in ("unrest_active_share", "jailed_share", "radicalised_share", "mean_grievance", "legitimacy"):
            ts[name][t] = rg[name][t] @ pop_w
        ts["recruiter_share"][t] = soc.recruiters.sum() / soc.n
        ts["arrests"][t] = soc.arrests @ soc.scale
        ts["taliban_cooperation"][t] = taliban
        ts["chinese_exposure"][t] = mil.chinese_share

        casualties_52w = rg["casualties"][lo : t + 1].sum(axis=0)
        rg["stability_index"][t] = outcomes.stability_index(
            casualties_52w=casualties_52w / np.maximum(pop_w, 1e-9),
            active_share=rg["unrest_active_share"][t],
            radicalised_share=rg["radicalised_share"][t],
            legitimacy=rg["legitimacy"][t],
        )
        ts["stability_index"][t] = outcomes.stability_index(
            casualties_52w=casualties_52w.sum(),
            active_share=ts["unrest_active_share"][t],
            radicalised_share=ts["radicalised_share"][t],
            legitimacy=ts["legitimacy"][t],
            delivered_52w=ts["delivered_t"][lo : t + 1].sum(),
            infiltrations_52w=ts["infiltration_successes"][lo : t + 1].sum(),
        )

        sg["inflow_t"][t] = tr.inflow_seg.sum(axis=0)
        sg["seizures_t"][t] = tr.seized_seg.sum(axis=0)
        sg["interdiction_probability"][t] = p_border
        sg["perceived_risk"][t] = np.mean([o.segment_risk.risk for o in self.traffickers], axis=0)
        sg["capacity_detection"][t] = cap["detection"]
        sg["capacity_interdiction"][t] = cap["interdiction"]

        seg_w = ix.segment_length / ix.segment_length.sum()
        for ch, level in zip(cap.channel_names, cap.channel_level, strict=True):
            v = cap[ch]
            ts[f"capacity_{ch}"][t] = v @ seg_w if level == "segment" else (v @ pop_w if level == "region" else v[0])
        for name, series in self.drivers.items():
            ts[name][t] = series[t]

        # money and influence
        st = self.states
        engagement = self.driver("russia_engagement")
        china = st["china"].spending
        russia = st["russia"].spending + self.p["russia_security_spending"] * engagement
        ts["spending_china"][t] = china
        ts["spending_russia"][t] = russia
        ts["spending_tajikistan"][t] = st["tajikistan"].spending
        ts["spending_sco"][t] = st["sco"].spending
        self._china_cum += china / WEEKS_PER_YEAR
        self._russia_cum += russia / WEEKS_PER_YEAR
        self._china_infra += st["china"].effort[self._infrastructure] / WEEKS_PER_YEAR
        ts["cost_to_china"][t] = self._china_cum
        c52 = ts["spending_china"][lo : t + 1].sum()
        r52 = ts["spending_russia"][lo : t + 1].sum()
        ts["china_influence_share"][t] = c52 / (c52 + r52) if c52 + r52 > 0 else 0.0
        total = self._china_cum + self._russia_cum
        ts["dependence_on_china"][t] = self._china_cum / total if total > 0 else 0.0

        # threat index (drives adaptive policies next week)
        p = self.p
        x = (
            ts["casualties"][t] * WEEKS_PER_YEAR / 20.0
            + mil.successes * WEEKS_PER_YEAR / 10.0
            + ts["unrest_active_share"][t] / 0.02
        )
        a = 1.0 / p["threat_memory_weeks"]
        self._threat_level += a * (x - self._threat_level)
        self._china_level += a * (mil.attacks_chinese * WEEKS_PER_YEAR - self._china_level)
        self.threat = float(1.0 - np.exp(-self._threat_level))
        self.threat_to_china = float(1.0 - np.exp(-self._china_level))
        ts["threat_index"][t] = self.threat

    # ------------------------------------------------------------------ run
    def run(self, progress: Any = None) -> RunData:
        """Run to the horizon; ``progress(done, total)`` is called every 52 steps if given."""
        while self.t < self.n_steps:
            self.step()
            if progress is not None and (self.t % WEEKS_PER_YEAR == 0 or self.t == self.n_steps):
                progress(self.t, self.n_steps)
        return self.data()

    def data(self) -> RunData:
        """The recorded tables as plain column arrays."""
        n = self.t
        ix = self.index
        n_r, n_s = len(ix.regions), len(ix.segments)
        steps = np.arange(n)
        timeseries = {"step": steps, "year": self.years[:n]}
        timeseries.update({k: v[:n].copy() for k, v in self.ts.items()})
        regions = {"step": np.repeat(steps, n_r), "region": np.tile(np.array(ix.regions), n)}
        regions.update({k: v[:n].reshape(-1) for k, v in self.rg.items()})
        segments = {"step": np.repeat(steps, n_s), "segment": np.tile(np.array(ix.segments), n)}
        segments.update({k: v[:n].reshape(-1) for k, v in self.sg.items()})
        sev = np.concatenate(self.militants.severities) if self.militants.severities else np.zeros(0)
        return RunData(timeseries, regions, segments, sev, {"seed": self.seed, "steps": n})


def simulate(scenario: Any, seed: int | None = None, progress: Any = None) -> RunData:
    """Build the model for ``scenario`` and run it to the horizon."""
    return SecurityModel(scenario, seed).run(progress)


__all__ = ["DRUGS", "RunData", "SecurityModel", "simulate"]
