"""Militant groups staging from northern Afghanistan: recruitment, infiltration, cells, attacks.

Each group (a Mesa agent placed in an Afghan province) has members. Every week it

1. **recruits** from the Afghan pool in proportion to instability (both exogenous drivers),
   multiplied by two couplings: **drug money** (``1 + drug_militant_gain x R / (R + drug_revenue_half)``,
   R the drug revenue of the Northern Route last year; narco-funding of militant groups in the
   region, e.g. the IMU's role in trafficking) and **anti-China motive** (``1 + anti_china_recruitment
   x visibility``: Chinese presence gives propaganda value to groups that target China, as ISKP's
   campaigns against Chinese nationals did). Tajik citizens who have become **recruiters** add
   recruits, and **unrest** adds more (``tajik_recruitment_rate x (recruiters + unrest_recruitment x
   persons in active unrest)``): the society submodel feeds the militants;
2. **loses** members to attrition and to Tajik counter-terrorism pressure;
3. **attempts infiltration** across the border segments its province faces, choosing segments by
   its own learned risk (the same Beta-Bernoulli belief as traffickers). An attempt is pre-empted
   with the intelligence-driven ``preemption`` capacity, else stopped with the segment's
   interdiction chance; a success founds a **cell** in the segment's region or, with chance
   ``onward_to_capital``, in the capital (Dushanbe).

Cells are arrays (id, region). Each week a cell is disrupted with a chance that grows with
counter-terrorism capacity, or attacks with ``cell_attack_rate``; an attack is foiled by target
hardening (counter-terrorism), and an attack that goes ahead spends the cell.

**Transit to Xinjiang.** Uyghur militants in Afghan Badakhshan seek a way into China; the only
land route through Tajikistan is GBAO. Each week ``xinjiang_attempts_per_year / 52 x instability``
attempts (Poisson) cross the GBAO segments (by length); each is stopped with the segment's
interdiction chance and then on the Chinese side with ``china_side_interdiction``. This is
China's first stated goal (the security of its Xinjiang border) and what its GBAO outposts and
patrols act on.

**Targets adapt; severity follows the target.** An attacking cell strikes Chinese nationals or
assets with a chance that grows with the stock of Chinese infrastructure investment (exposure;
Chinese workers were killed in 2024 and 2025); otherwise it chooses between the state's
**security** forces and **civilian** targets by a logit on the groups' perceived chance of being
foiled (a Beta-Bernoulli belief per target class, as for segments). Target hardening foils attacks
on security and Chinese targets with ``target_hardening x CT`` but civilian ones only with
``soft_target_protection`` of that, so hardening pushes attacks toward civilians: the
substitution Enders & Sandler (1993) measured after hardening measures. Casualties follow a
continuous power law ``P(x) ~ x^-alpha`` above ``x_min`` (inverse-transform sampling), rounded
down; ``alpha = 2.5`` (Bohorquez et al., Nature 2009; Clauset, Young & Gleditsch 2007 find ~2 for
terrorism); attacks on civilians have ``x_min x civilian_severity`` (crowds: an assumption).

**Tactics adapt; severity follows the tactic.** An attacking cell also chooses a tactic of
:data:`TACTICS` by a logit on the groups' perceived chance of each being foiled (a belief per
tactic). A complex attack needs more people, communication and preparation, so the intelligence
that pre-empts infiltration also uncovers it: before target hardening acts, a complex plot is
detected with ``plot_detection x preemption``. Better intelligence therefore raises the learned risk
of complex attacks and shifts cells toward simple ones, with smaller casualties: the substitution
between attack modes that Enders & Sandler (2006, *The Political Economy of Terrorism*, ch. 4)
describe after counter-terrorism raises the cost of one mode, and the adaptation of Jackson et
al. (RAND 2007, *Breaching the Fortress Wall*). Complex attacks have ``x_min x complex_severity``
(facts.yaml: 17 killed at Ishkobod by 20 attackers, 4 at Danghara by a car and knives).

**Common random numbers.** Counts that depend on group size (recruits, losses, attempts) come
from per-(week, group, purpose) generators. Every attempt and every cell has its own keyed
uniforms (:meth:`scenarios.rng.WeeklyStreams.uniforms`), so better intelligence changes the fate
of the attempts it pre-empts and of nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from mesa.discrete_space import CellAgent

from scenarios.model.beliefs import RiskBelief
from scenarios.rng import WEEK_OFFSET

if TYPE_CHECKING:
    from scenarios.model.border import Conditions
    from scenarios.model.state import ModelState, Tables

TARGETS = ("security", "civilian")
"""Target classes a cell chooses between (Chinese targets are drawn first, by exposure)."""

TACTICS = ("simple", "complex")
"""Tactics a cell chooses between: a simple attack (a vehicle, knives, a lone gunman: Danghara 2018) or
a complex one (a coordinated armed assault or a bomb: the Ishkobod border post, 2019)."""

_GROUP_SLOTS = 1 << 20  # attempts per group and week that get distinct keys
_WEEK_SLOTS = 1 << 40  # ... and weeks (cell ids are week * _WEEK_SLOTS + group * _GROUP_SLOTS + attempt)


def draw_severity(u: np.ndarray, alpha: float, x_min: float | np.ndarray) -> np.ndarray:
    """Casualties from uniforms ``u``: a continuous power law above ``x_min``, floored to integers."""
    return np.floor(x_min * (1.0 - u) ** (-1.0 / (alpha - 1.0)))


class MilitantGroup(CellAgent):  # type: ignore[misc]  # Mesa ships no type information: its CellAgent is Any
    """A militant group based in one Afghan province.

    Args:
        model: the model.
        province: index of the province it stages from.
        share: its share of the Afghan militant pool.
        members: initial members.
    """

    model: ModelState  # set by CellAgent.__init__; typed here as the stages see the model

    def __init__(self, model: ModelState, province: int, share: float, members: float):
        super().__init__(model)
        p = model.p
        ix = model.index
        self.province = province
        self.share = share
        self.members = float(members)
        self.segments = np.flatnonzero(ix.province_segment[province])
        self.risk = RiskBelief((self.segments.size,), p.risk_prior_a, p.risk_prior_b, p.risk_memory)

    def step(self) -> None:
        """Recruit, lose members, attempt infiltration; successes become cells."""
        m = self.model
        p = m.p
        mil = m.militants
        week, gid = m.week, self.unique_id
        afghan = (
            p.afghan_recruitment_rate
            * m.driver("afghan_militant_pool")
            * m.driver("afghan_instability")
            * self.share
            * mil.funding
            * mil.motive
        )
        tajik = p.tajik_recruitment_rate * mil.tajik_base * self.share
        recruits = m.draws.generator("recruits", week, gid).poisson(afghan + tajik)
        pressure = p.militant_attrition + p.counterterrorism_attrition * mil.counterterrorism
        losses = m.draws.generator("losses", week, gid).binomial(int(self.members), min(1.0, pressure))
        self.members = max(0.0, self.members + recruits - losses)

        attempts = int(m.draws.generator("attempts", week, gid).poisson(p.infiltration_rate * self.members))
        if attempts == 0:
            self.risk.fade()
            return
        ids = np.arange(attempts, dtype=np.int64) + gid * _GROUP_SLOTS
        w = np.exp(-p.risk_sensitivity * self.risk.risk)
        cdf = np.cumsum(w / w.sum())
        u = m.draws.uniforms_for(("attempt-segment", "attempt-preempt", "attempt-stop"), week, ids)
        choice = np.minimum(np.searchsorted(cdf, u[0], side="right"), w.size - 1)
        preempted = u[1] < mil.preemption
        stopped = ~preempted & (u[2] < mil.p_border[self.segments[choice]])
        success = ~preempted & ~stopped
        n_seg = self.segments.size
        self.risk.update(np.bincount(choice, minlength=n_seg), np.bincount(choice[~success], minlength=n_seg))
        self.members = max(0.0, self.members - attempts)
        mil.attempts += attempts
        mil.preempted += int(preempted.sum())
        n_success = int(success.sum())
        mil.successes += n_success
        if n_success:
            regions = m.index.segment_region[self.segments[choice[success]]].copy()
            onward = m.draws.uniforms("attempt-onward", week, ids[success]) < p.onward_to_capital
            regions[onward] = m.index.regions.index(m.world.capital)
            mil.add_cells(ids[success] + (week + WEEK_OFFSET) * _WEEK_SLOTS, regions)


class Militants:
    """Cells inside Tajikistan, this week's tallies of infiltration and attacks, and transit to Xinjiang."""

    def __init__(self, model: ModelState):
        self.model = model
        self.cell_id = np.zeros(0, dtype=np.int64)
        self.cell_region = np.zeros(0, dtype=np.int64)
        self.preemption = 0.0
        self.counterterrorism = 0.0
        self.p_border = np.zeros(len(model.index.segments))
        self.chinese_share = 0.0
        self.funding = 1.0
        self.motive = 1.0
        self.tajik_base = 0.0
        self.severities: list[tuple[int, np.ndarray]] = []  # (week, casualties of its attacks)
        p = model.p
        # the groups' shared belief of being foiled, per target class (security, civilian)
        self.target_risk = RiskBelief((len(TARGETS),), p.risk_prior_a, p.risk_prior_b, p.risk_memory)
        # ... and per tactic (simple, complex)
        self.tactic_risk = RiskBelief((len(TACTICS),), p.risk_prior_a, p.risk_prior_b, p.risk_memory)
        # transit to Xinjiang crosses the segments of the region on the Chinese border (GBAO)
        china_side = model.index.regions.index(model.world.china_border.region)
        self.gbao_segments = np.flatnonzero(model.index.segment_region == china_side)
        self.reset()

    def reset(self) -> None:
        """Zero this week's tallies."""
        n_r = len(self.model.index.regions)
        self.attempts = 0
        self.preempted = 0
        self.successes = 0
        self.attacks = np.zeros(n_r)
        self.casualties = np.zeros(n_r)
        self.attacks_chinese = 0
        self.attacks_civilian = 0
        self.attacks_complex = 0
        self.plots_detected = 0
        self.casualties_chinese = 0.0
        self.mass_casualty = 0
        self.xinjiang_attempts = 0
        self.xinjiang_crossings = 0

    def step(self, cond: Conditions) -> None:
        """The militant stage of a week: groups recruit and infiltrate, cells act, transit to Xinjiang."""
        m = self.model
        p = m.p
        self.reset()
        self.p_border = cond.p_border
        self.preemption = cond.preemption
        self.counterterrorism = cond.counterterrorism
        exposure = p.chinese_target_base + p.chinese_exposure_per_busd * m.china_investment_musd / 1000.0
        self.chinese_share = min(p.chinese_share_cap, exposure)
        revenue = m.trafficking.revenue_musd
        self.funding = 1.0 + p.drug_militant_gain * revenue / (revenue + p.drug_revenue_half)
        self.motive = 1.0 + p.anti_china_recruitment * m.chinese_visibility
        soc = m.society
        self.tajik_base = soc.recruiters_persons() + p.unrest_recruitment * soc.active_persons()
        m.groups.do("step")
        self.step_cells(m.forced_attacks.get(m.t, []))
        self._xinjiang()

    def add_cells(self, ids: np.ndarray, regions: np.ndarray) -> None:
        """New cells (each with a unique id that keys its own draws) in ``regions``."""
        self.cell_id = np.concatenate([self.cell_id, ids.astype(np.int64)])
        self.cell_region = np.concatenate([self.cell_region, regions.astype(np.int64)])

    def target_probabilities(self) -> np.ndarray:
        """Chance an attack not aimed at Chinese targets chooses each class of :data:`TARGETS`."""
        return _logit(self.model.p.risk_sensitivity, self.target_risk)

    def tactic_probabilities(self) -> np.ndarray:
        """Chance an attack chooses each tactic of :data:`TACTICS`."""
        return _logit(self.model.p.risk_sensitivity, self.tactic_risk)

    def step_cells(self, forced: list[int]) -> None:
        """Disrupt cells, let the others choose a target and attack; ``forced`` adds attacks (injected events) by region."""
        m = self.model
        p = m.p
        week = m.week
        u = m.draws.uniforms("cell-fate", week, self.cell_id)
        disrupt = p.cell_disruption_base + p.cell_disruption_gain * self.counterterrorism
        disrupted = u < disrupt
        attacking = (u >= disrupt) & (u < disrupt + p.cell_attack_rate)
        ids, cell_regions = self.cell_id[attacking], self.cell_region[attacking]
        keep = ~(disrupted | attacking)  # disrupted and attacking cells leave
        self.cell_id = self.cell_id[keep]
        self.cell_region = self.cell_region[keep]
        if not forced and not ids.size:  # most weeks: no attack to draw for, beliefs only fade
            self.target_risk.fade()
            self.tactic_risk.fade()
            return
        u = m.draws.uniforms_for(
            ("attack-target", "attack-class", "attack-tactic", "plot-detected", "cell-foiled"), week, ids
        )
        chinese = u[0] < self.chinese_share
        civilian = ~chinese & (u[1] >= self.target_probabilities()[0])
        simple_share = self.tactic_probabilities()[0]
        complex_ = u[2] >= simple_share
        detected = complex_ & (u[3] < p.plot_detection * self.preemption)
        hardening = p.target_hardening * self.counterterrorism * np.where(civilian, p.soft_target_protection, 1.0)
        hardened = u[4] < hardening
        foiled = detected | hardened
        self.target_risk.update(
            np.array([np.sum(~chinese & ~civilian), np.sum(civilian)], dtype=float),
            np.array([np.sum(~chinese & ~civilian & hardened), np.sum(civilian & hardened)], dtype=float),
        )
        self.tactic_risk.update(
            np.array([np.sum(~complex_), np.sum(complex_)], dtype=float),
            np.array([np.sum(~complex_ & foiled), np.sum(complex_ & foiled)], dtype=float),
        )
        self.plots_detected += int(detected.sum())
        go = ~foiled
        forced_ids = np.arange(len(forced), dtype=np.int64) - len(forced) - 1  # negative: never a cell's id
        forced_keys = forced_ids.astype(np.uint64)
        all_ids = np.concatenate([ids[go], forced_ids])
        regions = np.concatenate([cell_regions[go], np.asarray(forced, dtype=np.int64)])
        on_chinese = np.concatenate(
            [chinese[go], m.draws.uniforms("attack-target", week, forced_keys) < self.chinese_share]
        )
        on_civilians = np.concatenate([civilian[go], np.zeros(len(forced), dtype=bool)])
        as_complex = np.concatenate(
            [complex_[go], m.draws.uniforms("attack-tactic", week, forced_keys) >= simple_share]
        )
        if regions.size:
            self._attack(all_ids, regions, on_chinese, on_civilians, as_complex)

    def _attack(
        self, ids: np.ndarray, regions: np.ndarray, chinese: np.ndarray, civilian: np.ndarray, complex_: np.ndarray
    ) -> None:
        m = self.model
        p = m.p
        keys = ids.astype(np.uint64)
        x_min = (
            p.severity_xmin * np.where(civilian, p.civilian_severity, 1.0) * np.where(complex_, p.complex_severity, 1.0)
        )
        sev = draw_severity(m.draws.uniforms("attack-severity", m.week, keys), p.severity_alpha, x_min)
        n_r = len(m.index.regions)
        self.attacks += np.bincount(regions, minlength=n_r)
        self.casualties += np.bincount(regions, sev, n_r)
        self.attacks_chinese += int(chinese.sum())
        self.casualties_chinese += float(sev[chinese].sum())
        self.attacks_civilian += int(civilian.sum())
        self.attacks_complex += int(complex_.sum())
        self.mass_casualty += int(np.count_nonzero(sev >= p.mass_casualty_threshold))
        self.severities.append((m.week, sev))

    def _xinjiang(self) -> None:
        m = self.model
        p = m.p
        segs = self.gbao_segments
        if segs.size == 0:
            return
        rate = p.xinjiang_attempts_per_year / 52.0 * m.driver("afghan_instability")
        n = int(m.draws.generator("xinjiang", m.week).poisson(rate))
        if n == 0:
            return
        ids = np.arange(n, dtype=np.int64)
        length = m.index.segment_length[segs]
        cdf = np.cumsum(length / length.sum())
        seg = segs[
            np.minimum(
                np.searchsorted(cdf, m.draws.uniforms("xinjiang-segment", m.week, ids), side="right"), segs.size - 1
            )
        ]
        stopped = m.draws.uniforms("xinjiang-stop", m.week, ids) < self.p_border[seg]
        stopped |= m.draws.uniforms("xinjiang-china", m.week, ids) < p.china_side_interdiction
        self.xinjiang_attempts += n
        self.xinjiang_crossings += int((~stopped).sum())

    @property
    def cells(self) -> int:
        """Active cells inside Tajikistan."""
        return int(self.cell_region.size)


def _logit(sensitivity: float, belief: RiskBelief) -> np.ndarray:
    """Choice probabilities falling with the perceived chance of being foiled: ``exp(-s x risk)``, normalised."""
    w = np.exp(-sensitivity * belief.risk)
    return w / float(w.sum())


def step(state: ModelState) -> None:
    """The militant stage: groups recruit and infiltrate, cells act, transit to Xinjiang."""
    state.militants.step(state.conditions)


def record(state: ModelState, tables: Tables) -> None:
    """Write the militant stage's outcomes of week ``state.t`` (attacks, infiltration, cells)."""
    t, mil = state.t, state.militants
    ts, rg = tables.ts, tables.rg
    ts["attacks"][t] = mil.attacks.sum()
    ts["casualties"][t] = mil.casualties.sum()
    ts["attacks_on_chinese"][t] = mil.attacks_chinese
    ts["attacks_on_civilians"][t] = mil.attacks_civilian
    ts["complex_attacks"][t] = mil.attacks_complex
    ts["plots_detected"][t] = mil.plots_detected
    ts["casualties_chinese"][t] = mil.casualties_chinese
    ts["mass_casualty_attacks"][t] = mil.mass_casualty
    ts["infiltration_attempts"][t] = mil.attempts
    ts["infiltration_preempted"][t] = mil.preempted
    ts["infiltration_successes"][t] = mil.successes
    ts["militant_members"][t] = sum(g.members for g in state.groups)
    ts["active_cells"][t] = mil.cells
    ts["xinjiang_attempts"][t] = mil.xinjiang_attempts
    ts["xinjiang_crossings"][t] = mil.xinjiang_crossings
    ts["chinese_exposure"][t] = mil.chinese_share
    rg["attacks"][t] = mil.attacks
    rg["casualties"][t] = mil.casualties
