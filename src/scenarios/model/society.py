"""Citizens as arrays: grievance, unrest and arrests (Epstein 2002), endogenous legitimacy
(Lemos, Coelho & Lopes 2018) and radicalisation compartments (Santoprete & Xu 2018).

Citizens are a structure of numpy arrays, one entry per simulated citizen, each standing for
``population / citizens`` people of its region (2020 census). The whole update is array
operations; there is no Python loop over citizens.

**Unrest (Epstein 2002, PNAS 99:7243).** Grievance ``G = H (1 - L)``. A citizen estimates the
chance of arrest if active as ``P = 1 - exp(-k * floor(C / A))`` with ``k = 2.3``, ``C`` the police
in its neighbourhood and ``A`` the actives it sees there, counting itself; it is active iff
``G - R P > T`` with ``T = 0.1``. Choices, and why:

- *Neighbourhoods, not the whole region.* A region holds hundreds of thousands of people; a
  region-wide ``C/A`` would make a whole region flip at once. Citizens of a region are split into
  neighbourhoods of ``neighbourhood_size`` (about the number of citizens in Epstein's vision-7
  neighbourhood), which keeps his local outbursts. Police are redrawn each week per neighbourhood
  (Poisson, mean ``police_per_citizen x size x presence``): Epstein's cops move at random.
- *The floor.* Without it ``P`` is never near 0 while a single cop is around, and the punctuated
  outbursts of Epstein's runs do not appear (facts.yaml ``model.epstein.replication_finding``);
  NetLogo does the same. ``arrest_rounding: round`` reproduces Mesa's example, which rounds.
- *Synchronous update.* Everyone decides on last week's active counts (Mesa's example updates
  agents one at a time in random order). A week is long enough for news of actives to spread.
- *Arrests.* Each police officer arrests one random active in the neighbourhood (as Epstein's
  cops), so a neighbourhood with more actives than police keeps some actives; jail terms are
  uniform on 0..``max_jail_weeks``.

**Legitimacy (Lemos et al. 2018).** Each region's legitimacy relaxes toward a target set by the
economy and soft power; with ``legitimacy_feedback`` on it also falls with the share arrested
(repression seen as illegitimate lowers legitimacy most where it is already low) and with
surveillance turned inward. With the feedback off only the economy and soft power move it.

**Hardship.** Each citizen's base hardship ``H0 ~ U(0, 1)`` is lowered by regional economic
capacity (infrastructure, economic initiatives) and raised when remittances fall below 35% of GDP.

**Radicalisation (Santoprete & Xu 2018).** Compartments susceptible -> extremist -> recruiter.
A susceptible becomes extremist with weekly hazard ``(beta * recruiter share + cells + online
propaganda (1 - online_suppression)) (1 - damping * economy) * 2 H0``; extremists become
recruiters at rate ``gamma`` or return through prevention; recruiters leave through treatment.
Without outside sources, extremism dies out iff ``R0 = beta gamma / ((gamma + prevention) treatment) < 1``.
Recruiters feed militant recruitment (:mod:`.militants`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from scenarios.rng import WeeklyStreams
from scenarios.spec.params import Params

if TYPE_CHECKING:
    from scenarios.model.model import SecurityModel

QUIET, ACTIVE, JAILED = 0, 1, 2
SUSCEPTIBLE, EXTREMIST, RECRUITER = 0, 1, 2


def arrest_probability(cops: np.ndarray, actives: np.ndarray, k: float, rounding: str = "floor") -> np.ndarray:
    """Epstein's estimated arrest probability ``1 - exp(-k * int(C / A))``.

    Args:
        cops: police a citizen sees.
        actives: actives it sees, counting itself (so at least 1).
        k: the arrest constant (2.3).
        rounding: ``"floor"`` (Epstein, NetLogo) or ``"round"`` (Mesa's example; Python's
            banker's rounding, exactly as Mesa calls ``round``).
    """
    ratio = np.asarray(cops, dtype=float) / np.asarray(actives, dtype=float)
    whole = np.floor(ratio) if rounding == "floor" else np.round(ratio)
    return 1.0 - np.exp(-k * whole)


def bernoulli_indices(rng: np.random.Generator, n: int, p: float) -> np.ndarray:
    """Indices of ``n`` independent Bernoulli(p) successes, drawn as geometric gaps (O(n p), not O(n))."""
    if p <= 0.0 or n == 0:
        return np.zeros(0, dtype=np.int64)
    if p >= 1.0:
        return np.arange(n)
    chunks = []
    last = -1
    while last < n - 1:
        expected = (n - 1 - last) * p
        gaps = rng.geometric(p, int(expected + 4.0 * np.sqrt(expected) + 16))
        idx = last + np.cumsum(gaps)
        chunks.append(idx)
        last = int(idx[-1])
    out = np.concatenate(chunks)
    return out[out < n]


def poisson_from_uniforms(u: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """Poisson draws by inverse transform: one uniform per draw, so a changed mean never shifts other draws.

    Means repeat (one per region and neighbourhood size), so the CDF is tabulated once per distinct
    mean, by the recursion ``p(k) = p(k - 1) mean / k`` up to far in the tail.
    """
    values, inverse = np.unique(mean, return_inverse=True)
    out = np.zeros(u.size, dtype=np.int64)
    for k, lam in enumerate(values):
        if lam <= 0:
            continue
        top = int(lam + 12.0 * np.sqrt(lam) + 12)
        ratios = np.empty(top + 1)
        ratios[0] = np.exp(-lam)
        ratios[1:] = lam / np.arange(1, top + 1)
        cdf = np.cumsum(np.cumprod(ratios))
        sel = inverse == k
        out[sel] = np.minimum(np.searchsorted(cdf, u[sel], side="right"), top)
    return out


def is_active(grievance: np.ndarray, risk_aversion: np.ndarray, p_arrest: np.ndarray, threshold: float) -> np.ndarray:
    """Epstein's activation rule: ``G - R P > T``."""
    return grievance - risk_aversion * p_arrest > threshold


class Society:
    """All citizens of all regions.

    Args:
        rng: the generator for the citizens' fixed attributes (hardship, risk aversion, initial state).
        draws: the weekly keyed streams (:class:`scenarios.rng.WeeklyStreams`) for everything drawn each week.
        population: persons per region.
        citizens: how many citizens to simulate in all.
        params: the model parameters.
        rounding: ``"floor"`` or ``"round"`` (see :func:`arrest_probability`).
        legitimacy_feedback: whether repression lowers legitimacy.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        draws: WeeklyStreams,
        population: np.ndarray,
        citizens: int,
        params: Params,
        rounding: str,
        legitimacy_feedback: bool,
        gbao_index: int | None = None,
    ):
        self.draws = draws
        self.week = 0
        self.p = params
        self.rounding = rounding
        self.feedback = legitimacy_feedback
        n_r = population.size
        share = population / population.sum()
        counts = np.maximum(1, np.floor(share * citizens).astype(np.int64))
        counts[np.argmax(counts)] += citizens - counts.sum()
        self.counts = counts
        self.scale = population / counts  # persons per simulated citizen, per region
        self.region = np.repeat(np.arange(n_r), counts)
        n = int(counts.sum())
        self.n = n
        size = int(params.neighbourhood_size)
        nb_per_region = np.maximum(1, np.ceil(counts / size).astype(np.int64))
        offsets = np.concatenate([[0], np.cumsum(nb_per_region)[:-1]])
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        local = np.arange(n) - np.repeat(first, counts)
        self.nb = np.repeat(offsets, counts) + np.minimum(local // size, np.repeat(nb_per_region, counts) - 1)
        self.n_nb = int(nb_per_region.sum())
        self.nb_region = np.repeat(np.arange(n_r), nb_per_region)
        self.nb_size = np.bincount(self.nb, minlength=self.n_nb).astype(float)
        self.nb_ids = np.arange(self.n_nb)

        self.bounds = np.concatenate([[0], np.cumsum(counts)])  # citizens are contiguous by region
        self.hardship = rng.random(n)
        self.risk_aversion = rng.random(n)
        self.state = np.zeros(n, dtype=np.int8)
        self.jail = np.zeros(n, dtype=np.int32)
        self.rad = np.where(rng.random(n) < params.radicalisation_initial, EXTREMIST, SUSCEPTIBLE).astype(np.int8)
        self.recruiters = self.count_by_region(self.rad == RECRUITER)
        base = np.full(n_r, params.legitimacy_initial)
        if gbao_index is not None:
            base[gbao_index] -= params.gbao_legitimacy_gap
        self.legitimacy_base = base
        self.legitimacy = base.copy()
        self.police = np.zeros(self.n_nb)
        self.grievance = np.zeros(n)
        self.arrests = np.zeros(n_r)
        self.extremism_arrests = np.zeros(n_r)
        self.active_count = np.zeros(n_r)
        self.jailed_count = np.zeros(n_r)
        self.n_regions = n_r
        self.legitimacy_override: np.ndarray | None = None

    # ------------------------------------------------------------------ outputs
    def count_by_region(self, mask: np.ndarray) -> np.ndarray:
        """How many citizens of each region ``mask`` holds for (regions are contiguous blocks)."""
        b = self.bounds
        return np.array([np.count_nonzero(mask[b[i] : b[i + 1]]) for i in range(b.size - 1)], dtype=float)

    def by_region(self, mask: np.ndarray) -> np.ndarray:
        """Share of each region's citizens for which ``mask`` holds."""
        return self.count_by_region(mask) / self.counts

    def mean_by_region(self, values: np.ndarray) -> np.ndarray:
        b = self.bounds
        return np.array([values[b[i] : b[i + 1]].mean() for i in range(b.size - 1)])

    def recruiters_persons(self) -> float:
        """Recruiters in the population (persons, scaled from simulated citizens)."""
        return float(self.recruiters @ self.scale)

    def active_persons(self) -> float:
        """Persons in active unrest at the end of the last week (scaled from simulated citizens)."""
        return float(self.active_count @ self.scale)

    def jailed_persons(self) -> float:
        """Persons in jail for unrest or extremism at the end of the last week (scaled)."""
        return float(self.jailed_count @ self.scale)

    # ------------------------------------------------------------------ step
    def step(
        self,
        economy: np.ndarray,
        soft: float,
        surveillance: np.ndarray,
        remittances: float,
        cells: np.ndarray,
        online_suppression: float,
        threat: float = 0.0,
        casualties: float = 0.0,
        resentment: float = 0.0,
    ) -> None:
        """One week.

        Args:
            economy: economic capacity per region (0-1).
            soft: soft-legitimacy capacity (0-1).
            surveillance: domestic surveillance capacity per region (0-1).
            remittances: remittances as a share of GDP (driver).
            cells: militant cells per region.
            online_suppression: share of online propaganda blocked (0-1).
            threat: the regime's threat index (0-1): it raises police presence (repression response).
            casualties: casualties of attacks this week (national): they lower legitimacy (blame),
                or raise it when ``attack_legitimacy_per_casualty`` is negative (rally).
            resentment: legitimacy target lost to resentment of Chinese presence (0-1).
        """
        p = self.p
        week = self.week
        self.week += 1
        self._update_legitimacy(economy, soft, surveillance, casualties, resentment)

        # grievance G = H (1 - L), with H lowered by the economy and raised by a remittance fall
        factor = (1.0 - p.economy_hardship_relief * economy) * (
            1.0 + p.remittance_hardship * (p.remittance_pivot - remittances)
        )
        G = self.grievance
        np.multiply(self.hardship, np.repeat(np.maximum(factor, 0.0), self.counts), out=G)
        np.minimum(G, 1.0, out=G)
        G *= np.repeat(1.0 - self.legitimacy, self.counts)

        # jail: serve a week; a citizen with no time left is free
        np.subtract(self.jail, 1, out=self.jail)
        np.maximum(self.jail, 0, out=self.jail)
        jailed = self.jail > 0

        # police per neighbourhood (Epstein's cops move at random: redraw weekly)
        presence = 1.0 + p.surveillance_arrest_gain * surveillance + p.repression_threat_response * threat
        mean = p.police_per_citizen * self.nb_size * presence[self.nb_region]
        self.police = poisson_from_uniforms(self.draws.uniforms("police", week, self.nb_ids), mean)

        # activation on last week's actives, counting oneself
        was = np.flatnonzero(self.state == ACTIVE)
        actives = np.bincount(self.nb[was], minlength=self.n_nb).astype(float)
        k = p.arrest_constant_k
        p_arrest = arrest_probability(self.police, 1.0 + actives, k, self.rounding)[self.nb]
        p_arrest[was] = arrest_probability(self.police, np.maximum(actives, 1.0), k, self.rounding)[self.nb[was]]
        active = is_active(G, self.risk_aversion, p_arrest, p.activation_threshold)
        active &= ~jailed
        self.state = active.astype(np.int8)  # ACTIVE = 1, QUIET = 0
        self.state[jailed] = JAILED

        # arrests: each officer takes one random active in the neighbourhood
        self.arrests = np.zeros(self.n_regions)
        self.extremism_arrests = np.zeros(self.n_regions)
        idx = np.flatnonzero(active)
        if idx.size:
            nb = self.nb[idx]
            order = np.lexsort((self.draws.uniforms("arrest-order", week, idx), nb))
            nb_sorted = nb[order]
            rank = np.arange(idx.size) - np.searchsorted(nb_sorted, nb_sorted, side="left")
            taken = idx[order[rank < self.police[nb_sorted]]]
            self.state[taken] = JAILED
            # a term of j weeks keeps the citizen out of the next j weeks (0: back next week)
            term = np.floor(self.draws.uniforms("jail-term", week, taken) * (int(p.max_jail_weeks) + 1))
            self.jail[taken] = term.astype(np.int32) + 1
            self.arrests = np.bincount(self.region[taken], minlength=self.n_regions).astype(float)

        self._arrest_extremists(surveillance, week)
        self._radicalise(economy, cells, online_suppression, week)
        # counted once here, read by the threat index, the militants and the recorder
        self.active_count = self.count_by_region(self.state == ACTIVE)
        self.jailed_count = self.count_by_region(self.state == JAILED)

    def step_from(self, model: SecurityModel) -> None:
        """The society stage of a week, reading the model's capacities, drivers and cells."""
        cap = model.capacities
        cells = np.bincount(model.militants.cell_region, minlength=self.n_regions).astype(float)
        self.week = model.week
        self.step(
            cap["economy"],
            float(cap["soft_legitimacy"][0]),
            cap["domestic_surveillance"],
            model.driver("remittances"),
            cells,
            float(cap["online_suppression"][0]),
            threat=model.threat.index,
            casualties=float(model.militants.casualties.sum()),
            resentment=model.p.chinese_resentment * model.chinese_visibility,
        )

    def _update_legitimacy(
        self, economy: np.ndarray, soft: float, surveillance: np.ndarray, casualties: float, resentment: float
    ) -> None:
        p = self.p
        if self.legitimacy_override is not None:
            self.legitimacy = self.legitimacy_override.copy()
            return
        target = self.legitimacy_base + p.economy_legitimacy_gain * economy + p.soft_legitimacy_gain * soft - resentment
        L = self.legitimacy + p.legitimacy_recovery * (np.minimum(target, 1.0) - self.legitimacy)
        if self.feedback:
            arrest_share = self.arrests / self.counts
            L -= p.repression_sensitivity * arrest_share * (1.0 - L)
            L -= p.surveillance_backlash * surveillance
        L -= p.attack_legitimacy_per_casualty * casualties
        self.legitimacy = np.clip(L, 0.0, 1.0)

    def _arrest_extremists(self, surveillance: np.ndarray, week: int) -> None:
        """Police and security services arrest radicalised citizens; surveillance finds more of them.

        Each extremist or recruiter at liberty is arrested this week with chance
        ``extremism_arrest_base + extremism_arrest_gain x domestic surveillance`` of its region and
        jailed for ``extremism_sentence_weeks``. Tajik authorities report 100-300 such detentions a
        year (facts.yaml security.extremism_detentions); in prison the radicalised keep recruiting
        (see prison radicalisation in :meth:`_radicalise`).
        """
        p = self.p
        idx = np.flatnonzero((self.rad >= EXTREMIST) & (self.state != JAILED))
        if idx.size == 0:
            return
        chance = p.extremism_arrest_base + p.extremism_arrest_gain * surveillance[self.region[idx]]
        taken = idx[self.draws.uniforms("extremism-arrest", week, idx) < chance]
        if taken.size == 0:
            return
        self.state[taken] = JAILED
        self.jail[taken] = int(p.extremism_sentence_weeks)
        caught = np.bincount(self.region[taken], minlength=self.n_regions).astype(float)
        self.arrests = self.arrests + caught
        self.extremism_arrests = caught

    def _radicalise(self, economy: np.ndarray, cells: np.ndarray, online_suppression: float, week: int) -> None:
        """One week of the compartments; only the few citizens whose draw can move them are touched."""
        p = self.p
        gamma, prevent, treat = p.extremist_to_recruiter, p.prevention_rate, p.treatment_rate
        force = (
            p.radicalisation_contact * (self.recruiters + cells) / self.counts
            + p.online_propaganda * (1.0 - online_suppression)
        ) * (1.0 - p.economy_radicalisation_damping * economy)
        # individual hazard: force x grievance relative to a citizen of average hardship at the
        # initial legitimacy (so hardship, legitimacy and the economy all move it), x the prison
        # factor for those in jail
        g_ref = 0.5 * (1.0 - p.legitimacy_initial)
        in_prison = self.state == JAILED
        top = float(self.grievance.max()) / g_ref * (p.prison_radicalisation if in_prison.any() else 1.0)
        # the largest chance any citizen can have of moving this week
        needed = min(1.0, max(-np.expm1(-float(force.max()) * top), gamma + prevent, treat))
        # Rounded up to a power of two, so scenarios whose forces differ a little draw the same
        # candidates (common random numbers stay in step); a higher ceiling only adds candidates
        # that then fail their (uniform) test more often, so the process is the same.
        ceiling = min(1.0, 2.0 ** np.ceil(np.log2(needed))) if needed > 0 else 0.0
        # Equivalent to drawing u ~ U(0, 1) for every citizen and keeping those with u < ceiling,
        # without touching the others: candidates come from geometric gaps (a Bernoulli process),
        # and a candidate's u is uniform on [0, ceiling).
        rng = self.draws.generator("radicalisation", week)
        cand = bernoulli_indices(rng, self.n, ceiling)
        if cand.size == 0:
            return
        uc = rng.random(cand.size) * ceiling
        rc = self.rad[cand]
        hazard = force[self.region[cand]] * self.grievance[cand] / g_ref
        hazard[in_prison[cand]] *= p.prison_radicalisation
        new_e = (rc == SUSCEPTIBLE) & (uc < -np.expm1(-hazard))
        to_r = (rc == EXTREMIST) & (uc < gamma)
        to_s = ((rc == EXTREMIST) & (uc >= gamma) & (uc < gamma + prevent)) | ((rc == RECRUITER) & (uc < treat))
        region = self.region[cand]
        self.recruiters += np.bincount(region[to_r], minlength=self.n_regions)
        self.recruiters -= np.bincount(region[(rc == RECRUITER) & to_s], minlength=self.n_regions)
        rc[new_e] = EXTREMIST
        rc[to_r] = RECRUITER
        rc[to_s] = SUSCEPTIBLE
        self.rad[cand] = rc
