"""Militant groups staging from northern Afghanistan: recruitment, infiltration, cells, attacks.

Each group (a Mesa agent placed in an Afghan province) has members. Every week it

1. **recruits** from the Afghan pool in proportion to instability (both exogenous drivers) and
   from radicalised Tajik citizens who have become recruiters (the society submodel's output);
2. **loses** members to attrition and to Tajik counter-terrorism pressure;
3. **attempts infiltration** across the border segments its province faces, choosing segments by
   its own learned risk (the same Beta-Bernoulli belief as traffickers). An attempt is pre-empted
   with the intelligence-driven ``preemption`` capacity, else stopped with the segment's
   interdiction chance; a success founds a **cell** in the segment's region or, with chance 0.3
   (assumption), in the capital (Dushanbe).

Cells are arrays (region, group). Each week a cell is disrupted with a chance that grows with
counter-terrorism capacity, or attacks with ``cell_attack_rate``; an attack is foiled by target
hardening (counter-terrorism), and an attack that goes ahead spends the cell.

**Severity is drawn, not emergent.** Casualties follow a continuous power law
``P(x) ~ x^-alpha`` above ``x_min`` (inverse-transform sampling), rounded down to whole casualties;
``alpha = 2.5`` (Bohorquez et al., Nature 2009; Clauset, Young & Gleditsch 2007 find ~2 for
terrorism). The target is Chinese nationals or assets with a chance that grows with the stock
of Chinese infrastructure investment (exposure; Chinese workers were killed in 2024 and 2025).
"""

from __future__ import annotations

import mesa
import numpy as np
from mesa.discrete_space import CellAgent

from scenarios.model.beliefs import RiskBelief

ONWARD_TO_CAPITAL = 0.3  # assumption: share of successful infiltrators heading to the capital


def draw_severity(rng: np.random.Generator, n: int, alpha: float, x_min: float) -> np.ndarray:
    """Casualties of ``n`` attacks: a continuous power law above ``x_min``, floored to integers."""
    u = rng.random(n)
    return np.floor(x_min * (1.0 - u) ** (-1.0 / (alpha - 1.0)))


class MilitantGroup(CellAgent):
    """A militant group based in one Afghan province.

    Args:
        model: the model.
        province: index of the province it stages from.
        share: its share of the Afghan militant pool.
        members: initial members.
    """

    def __init__(self, model: mesa.Model, province: int, share: float, members: float):
        super().__init__(model)
        p = model.p
        ix = model.index
        self.province = province
        self.share = share
        self.members = float(members)
        self.segments = np.flatnonzero(ix.province_segment[province])
        self.risk = RiskBelief((self.segments.size,), p["risk_prior_a"], p["risk_prior_b"], p["risk_memory"])
        self.stream = model.streams["militants"]

    def step(self) -> None:
        """Recruit, lose members, attempt infiltration; successes become cells."""
        m = self.model
        p = m.p
        mil = m.militants
        rng = self.stream
        afghan = (
            p["afghan_recruitment_rate"]
            * m.driver("afghan_militant_pool")
            * m.driver("afghan_instability")
            * self.share
        )
        tajik = p["tajik_recruitment_rate"] * m.society.recruiters_persons() * self.share
        recruits = rng.poisson(afghan + tajik)
        pressure = p["militant_attrition"] + 0.01 * mil.counterterrorism
        losses = rng.binomial(int(self.members), min(1.0, pressure))
        self.members = max(0.0, self.members + recruits - losses)
        mil.recruits_tajik += tajik

        attempts = rng.poisson(p["infiltration_rate"] * self.members)
        if attempts == 0:
            self.risk.update(np.zeros(self.segments.size), np.zeros(self.segments.size))
            return
        risk = self.risk.risk
        w = np.exp(-p["risk_sensitivity"] * risk)
        counts = rng.multinomial(attempts, w / w.sum())
        preempted = rng.binomial(counts, mil.preemption)
        tried = counts - preempted
        stopped = rng.binomial(tried, mil.p_border[self.segments])
        success = tried - stopped
        self.risk.update(counts, preempted + stopped)
        self.members = max(0.0, self.members - attempts)
        mil.attempts += attempts
        mil.preempted += int(preempted.sum())
        mil.stopped += int(stopped.sum())
        n_success = int(success.sum())
        mil.successes += n_success
        if n_success:
            regions = np.repeat(m.index.segment_region[self.segments], success)
            onward = rng.random(n_success) < ONWARD_TO_CAPITAL
            regions[onward] = m.index.regions.index(m.world.capital)
            mil.add_cells(regions)


class Militants:
    """Cells inside Tajikistan and this week's tallies of infiltration and attacks."""

    def __init__(self, model: mesa.Model):
        self.model = model
        self.rng = model.streams["attacks"]
        self.cell_region = np.zeros(0, dtype=np.int64)
        self.preemption = 0.0
        self.counterterrorism = 0.0
        self.p_border = np.zeros(len(model.index.segments))
        self.chinese_share = 0.0
        self.severities: list[np.ndarray] = []
        self.reset()

    def reset(self) -> None:
        n_r = len(self.model.index.regions)
        self.attempts = 0
        self.preempted = 0
        self.stopped = 0
        self.successes = 0
        self.recruits_tajik = 0.0
        self.attacks = np.zeros(n_r)
        self.casualties = np.zeros(n_r)
        self.attacks_chinese = 0
        self.casualties_chinese = 0.0
        self.mass_casualty = 0
        self.disrupted = 0

    def add_cells(self, regions: np.ndarray) -> None:
        self.cell_region = np.concatenate([self.cell_region, regions.astype(np.int64)])

    def step_cells(self, forced: list[int]) -> None:
        """Disrupt cells, let the others attack; ``forced`` adds attacks (injected events) by region."""
        p = self.model.p
        rng = self.rng
        n = self.cell_region.size
        u = rng.random(n)
        disrupt = p["cell_disruption_base"] + p["cell_disruption_gain"] * self.counterterrorism
        disrupted = u < disrupt
        attacking = (u >= disrupt) & (u < disrupt + p["cell_attack_rate"])
        foiled = rng.random(n) < p["target_hardening"] * self.counterterrorism
        go = attacking & ~foiled
        self.disrupted += int(disrupted.sum())
        regions = np.concatenate([self.cell_region[go], np.asarray(forced, dtype=np.int64)])
        self.cell_region = self.cell_region[~(disrupted | attacking)]
        if regions.size:
            self._attack(regions)

    def _attack(self, regions: np.ndarray) -> None:
        p = self.model.p
        rng = self.rng
        sev = draw_severity(rng, regions.size, p["severity_alpha"], p["severity_xmin"])
        chinese = rng.random(regions.size) < self.chinese_share
        n_r = len(self.model.index.regions)
        self.attacks += np.bincount(regions, minlength=n_r)
        self.casualties += np.bincount(regions, sev, n_r)
        self.attacks_chinese += int(chinese.sum())
        self.casualties_chinese += float(sev[chinese].sum())
        self.mass_casualty += int(np.count_nonzero(sev >= p["mass_casualty_threshold"]))
        self.severities.append(sev)

    @property
    def cells(self) -> int:
        return int(self.cell_region.size)
