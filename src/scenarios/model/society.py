"""Society: regional protest (Epstein 2002, Lemos, Coelho & Lopes 2018) and national jihadist
radicalisation (Santoprete & Xu 2018), two processes kept apart.

Tajikistan's open unrest and its jihadist radicalisation are different phenomena with different
sources, and a model that merges them makes one region's autonomy protests look like jihadism.
GBAO's protests (Khorog 2012, 2014, 2018, November 2021, May 2022: facts.yaml
``protest.gbao.*``) were about autonomy and local grievances, episodic, sparked by incidents with
the security forces; extremism detentions are national, in the low hundreds a year
(facts.yaml ``security.extremism_detentions.*``).

**Protest (Epstein 2002, PNAS 99:7243), on simulated citizens.** Citizens are arrays, one entry
per simulated citizen. Grievance ``G = H (1 - L)``; a citizen estimates the chance of arrest if
active as ``P = 1 - exp(-k * floor(C / A))`` with ``k = 2.3``, ``C`` the police in its
neighbourhood and ``A`` the actives it sees there, counting itself; it is active iff
``G - R P > T`` with ``T = 0.1``. Choices, and why:

- *Legitimacy off the knife-edge.* Each region's legitimacy starts at ``legitimacy_initial``
  (well above ``1 - T = 0.9``: then, by Epstein's first result, nobody there is ever active),
  less ``autonomy_legitimacy_gap`` in regions whose world entry has an ``autonomy_movement``.
  Unrest there comes in **episodes**: incidents with the security forces arrive at
  ``protest_incident_rate`` a year (calibrated to GBAO's five episodes in 2012-2022) and each
  lowers the region's legitimacy by ``incident_legitimacy_drop``, decaying with time constant
  ``incident_weeks``; whether an incident becomes a protest, and how big, is Epstein's rule.
- *Stratified citizens.* Every region gets at least ``min_region_share`` of the simulated
  citizens (GBAO has about 1,000 of 10,000 rather than 235), each citizen weighted by the persons
  it stands for (``population / citizens of its region``), so national totals stay right and a
  small region is not a handful of agents.
- *A citizen is a group.* A simulated citizen stands for ``scale`` persons who act together; an
  arrest disperses the group and detains ``protest_detained_share`` of its persons (in May 2022
  about 1,000 gathered in Khorog and over 200 were detained: facts.yaml
  ``protest.gbao.2022.detained``). The group sits out its members' jail term.
- *Neighbourhoods, not the whole region*, of ``neighbourhood_size`` citizens (Epstein's vision-7
  neighbourhood); police are redrawn each week per neighbourhood (Poisson, mean
  ``police_per_citizen x size x presence``): Epstein's cops move at random.
- *The floor* (``arrest_rounding: round`` reproduces Mesa's example, which rounds);
  *synchronous update* on last week's actives; each officer arrests one random active in the
  neighbourhood; jail terms uniform on 0..``max_jail_weeks``.

**Legitimacy (Lemos et al. 2018).** Each region's legitimacy relaxes toward a target set by the
economy and soft power; with ``legitimacy_feedback`` on it also falls with the share of its
citizens arrested (repression seen as illegitimate) and with surveillance turned inward.

**Hardship.** Each citizen's base hardship ``H0 ~ U(0, 1)`` is lowered by regional economic
capacity and raised when remittances fall below ``remittance_pivot`` of GDP.

**Radicalisation (Santoprete & Xu 2018), in persons.** Jihadist radicalisation is small (a few
thousand persons in ten million) and national, so it runs as a stochastic compartment model over
the persons of each region, not over simulated citizens (whose weight of ~1,000 persons would
quantise a 200-a-year detention count into 0 or 1,000): susceptible -> extremist -> recruiter,
with prevention (extremist back to susceptible), treatment (recruiter leaves) and arrest
(extremist or recruiter to prison, released after ``extremism_sentence_weeks`` on average, a
share ``prison_recruiter_share`` coming out as recruiters: the IS-claimed prison riots of 2018
and 2019). The force of infection mixes nationally (networks in Russia and online):
``lambda_r = (beta (R + cell_recruiters x cells_r) / N + online (1 - suppression)) x s_r x h_r x
(1 - damping x economy_r)`` with ``s_r`` the region's ``jihadist_susceptibility`` (world data)
and ``h_r`` its hardship factor (1 at baseline). It does not read legitimacy: radicalisation is
not protest. Without outside sources extremism dies out iff
``R0 = beta s h d gamma / ((gamma + prevention + a) (treatment + a)) < 1`` (:meth:`Society.r0`).
Compartments start at the equilibrium of the first week's conditions (:meth:`Society.settle`).
Recruiters feed militant recruitment (:mod:`.militants`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from scenarios.rng import WeeklyStreams
from scenarios.spec.params import Params

if TYPE_CHECKING:
    from scenarios.model.state import ModelState, Tables

ACTIVE, JAILED = 1, 2
WEEKS_PER_YEAR = 52


def arrest_probability(cops: ArrayLike, actives: ArrayLike, k: float, rounding: str = "floor") -> NDArray[np.float64]:
    """Epstein's estimated arrest probability ``1 - exp(-k * int(C / A))``.

    Args:
        cops: police a citizen sees.
        actives: actives it sees, counting itself (so at least 1).
        k: the arrest constant (2.3).
        rounding: ``"floor"`` (Epstein, NetLogo) or ``"round"`` (Mesa's example; Python's
            banker's rounding, exactly as Mesa calls ``round``).
    """
    ratio: NDArray[np.float64] = np.asarray(cops, dtype=float) / np.asarray(actives, dtype=float)
    whole = np.floor(ratio) if rounding == "floor" else np.round(ratio)
    return 1.0 - np.exp(-k * whole)


def poisson_from_uniforms(u: NDArray[np.float64], mean: NDArray[np.float64]) -> NDArray[np.int64]:
    """Poisson draws by inverse transform: one uniform per draw, so a changed mean never shifts other draws.

    Means repeat (one per region and neighbourhood size), so the CDF is tabulated once per distinct
    mean, by the recursion ``p(k) = p(k - 1) mean / k`` up to ``mean + 12 sqrt(mean) + 12``, all
    distinct means in one table (a row each, accumulated along the row as one mean alone would be).
    A draw is the number of its row's CDF values at or below its uniform (capped at the row's
    end): one ``searchsorted`` over the table flattened, with each entry keyed (row, value) as a
    complex number, whose order numpy defines as lexicographic, so that no arithmetic touches the
    values compared. The table holds (distinct means) x (the largest mean's length) entries: made for
    the police, a few dozen small means; thousands of distinct large means would make it large.

    Raises:
        ValueError: a mean that is not finite.
    """
    if not np.all(np.isfinite(mean)):
        raise ValueError("Poisson means must be finite")
    values, inverse = np.unique(mean, return_inverse=True)
    lam = np.maximum(values, 0.0)
    top = (lam + 12.0 * np.sqrt(lam) + 12).astype(np.int64)
    ratios = np.empty((values.size, int(top.max(initial=0)) + 1))
    ratios[:, 0] = np.exp(-lam)
    ratios[:, 1:] = lam[:, None] / np.arange(1, ratios.shape[1])
    keyed = np.empty(ratios.shape, dtype=np.complex128)
    keyed.real = np.arange(values.size)[:, None]
    keyed.imag = np.cumsum(np.cumprod(ratios, axis=1), axis=1)
    draw = np.empty(u.size, dtype=np.complex128)
    draw.real = inverse
    draw.imag = u
    at_or_below = np.searchsorted(keyed.ravel(), draw, side="right") - inverse * ratios.shape[1]
    return np.where(values[inverse] > 0, np.minimum(at_or_below, top[inverse]), 0)


def is_active(
    grievance: NDArray[np.float64], risk_aversion: NDArray[np.float64], p_arrest: NDArray[np.float64], threshold: float
) -> NDArray[np.bool_]:
    """Epstein's activation rule: ``G - R P > T``."""
    return grievance - risk_aversion * p_arrest > threshold


def stratified_counts(population: NDArray[np.float64], citizens: int, min_share: float) -> NDArray[np.int64]:
    """Simulated citizens per region: proportional to population, but at least ``min_share`` of all.

    Regions under the floor get the floor; the rest share what remains in proportion to their
    population (repeated until no region falls under the floor); the rounding remainder goes to
    the largest region. Each region keeps at least one citizen.
    """
    n = population.size
    floor = min_share * citizens
    fixed = np.zeros(n, dtype=bool)
    exact = citizens * population / population.sum()
    for _ in range(n):
        rest = citizens - floor * fixed.sum()
        free = population[~fixed].sum()
        exact = np.where(fixed, floor, rest * population / free if free > 0 else 0.0)
        under = (exact < floor) & ~fixed
        if not under.any():
            break
        fixed |= under
    counts = np.maximum(1, np.floor(exact).astype(np.int64))
    counts[np.argmax(counts)] += citizens - counts.sum()
    return counts


@dataclass(frozen=True)
class RegionTraits:
    """What the world file says of each region that the society reads.

    Attributes:
        autonomy: whether the region has an autonomy movement (episodic protest; GBAO).
        susceptibility: relative susceptibility to jihadist recruitment (1 = national average).
    """

    autonomy: NDArray[np.bool_]
    susceptibility: NDArray[np.float64]

    @classmethod
    def uniform(cls, n: int) -> RegionTraits:
        """No autonomy movement, average susceptibility everywhere (small test worlds)."""
        return cls(np.zeros(n, dtype=bool), np.ones(n))


class Radicalisation:
    """Santoprete & Xu's compartments over the persons of each region (integer counts).

    Args:
        population: persons per region.
        params: the model parameters.
        susceptibility: each region's relative susceptibility.
        initial_share: share extremist at the start when :meth:`settle` is not called.
    """

    def __init__(
        self, population: NDArray[np.float64], params: Params, susceptibility: NDArray[np.float64], initial_share: float
    ):
        self.p = params
        self.population: NDArray[np.int64] = population.astype(np.int64)
        self.susceptibility = susceptibility
        self.extremists: NDArray[np.int64] = np.round(population * initial_share).astype(np.int64)
        self.recruiters: NDArray[np.int64] = np.zeros(population.size, dtype=np.int64)
        self.prisoners = np.zeros(population.size, dtype=np.int64)
        self.arrests = np.zeros(population.size, dtype=np.int64)

    @property
    def susceptible(self) -> NDArray[np.int64]:
        return self.population - self.extremists - self.recruiters - self.prisoners

    @property
    def radicalised(self) -> NDArray[np.int64]:
        """Extremists, recruiters and radicalised prisoners, per region (persons)."""
        return self.extremists + self.recruiters + self.prisoners

    def force(self, recruiters: NDArray[np.int64], context: RadicalisationContext) -> NDArray[np.float64]:
        """Weekly hazard of a susceptible person becoming extremist, per region."""
        p = self.p
        mixing = p.radicalisation_contact * recruiters.sum() / self.population.sum()
        local = p.radicalisation_contact * p.cell_recruiters * context.cells / self.population
        online = p.online_propaganda * (1.0 - context.online_suppression)
        damping = 1.0 - p.economy_radicalisation_damping * context.economy
        return (mixing + local + online) * self.susceptibility * context.hardship * damping

    def arrest_chance(self, surveillance: NDArray[np.float64]) -> NDArray[np.float64]:
        """Weekly chance that an extremist or recruiter at liberty is detained, per region."""
        p = self.p
        return np.minimum(1.0, p.extremism_arrest_base + p.extremism_arrest_gain * surveillance)

    def r0(self, context: RadicalisationContext) -> NDArray[np.float64]:
        """Each region's reproduction number: extremists one recruiter makes among susceptibles there.

        ``beta s h d gamma / ((gamma + prevention + a) (treatment + a))``, the Santoprete & Xu
        threshold with arrest as an extra exit; extremism dies out without outside sources iff < 1.
        """
        p = self.p
        a = self.arrest_chance(context.surveillance)
        damping = 1.0 - p.economy_radicalisation_damping * context.economy
        beta = p.radicalisation_contact * self.susceptibility * context.hardship * damping
        gamma = p.extremist_to_recruiter
        return beta * gamma / ((gamma + p.prevention_rate + a) * (p.treatment_rate + a))

    def _mean_field(self, context: RadicalisationContext) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
        """The deterministic (mean-field) week under ``context``, as a function of the state (rows:
        extremists, recruiters, prisoners).

        What does not change from week to week (arrest chance, local and online sources, damping,
        exit rates) is computed once here; the week then makes the same operations in the same
        order as the stochastic week's expectation, so :meth:`settle` iterates it cheaply.
        """
        p = self.p
        pop = self.population
        pop_total = pop.sum()
        contact = p.radicalisation_contact
        local = p.radicalisation_contact * p.cell_recruiters * context.cells / pop
        online = p.online_propaganda * (1.0 - context.online_suppression)
        damping = 1.0 - p.economy_radicalisation_damping * context.economy
        susceptibility, hardship = self.susceptibility, context.hardship
        a = self.arrest_chance(context.surveillance)
        release = 1.0 / p.extremism_sentence_weeks
        gamma = p.extremist_to_recruiter
        leave_e = p.extremist_to_recruiter + p.prevention_rate + a
        leave_r = p.treatment_rate + a
        back_extremist, back_recruiter = 1 - p.prison_recruiter_share, p.prison_recruiter_share

        def week(state: NDArray[np.float64]) -> NDArray[np.float64]:
            e, r, j = state
            s = pop - e - r - j
            lam = (contact * r.sum() / pop_total + local + online) * susceptibility * hardship * damping
            new_e = s * -np.expm1(-lam)
            out = np.empty_like(state)
            out[0] = e + new_e - e * leave_e + j * release * back_extremist
            out[1] = r + e * gamma - r * leave_r + j * release * back_recruiter
            out[2] = j + a * (e + r) - j * release
            return np.maximum(out, 0.0, out=out)

        return week

    def _fixed_point(self, context: RadicalisationContext) -> NDArray[np.float64] | None:
        """The mean-field week's fixed point, solved directly (None when it has no non-negative solution).

        Given the national recruiters ``R``, each region's fixed point is linear in its
        (extremists, recruiters, prisoners): ``q (N - e - r - j) = e leave_e - j rel (1 - share)``,
        ``e gamma + j rel share = r leave_r``, ``a (e + r) = j rel``, with ``q = 1 - exp(-lambda(R))``.
        The national ``R`` then solves ``sum_i r_i(R) = R``, found by bisection on ``[0, N]``
        (``sum_i r_i(R) - R`` is positive at 0 and negative at ``N``). :meth:`settle` starts its
        iteration there, so it stops after a few weeks instead of thousands.
        """
        p = self.p
        pop = self.population.astype(float)
        local = p.radicalisation_contact * p.cell_recruiters * context.cells / pop
        online = p.online_propaganda * (1.0 - context.online_suppression)
        damping = 1.0 - p.economy_radicalisation_damping * context.economy
        scale = self.susceptibility * context.hardship * damping
        a = self.arrest_chance(context.surveillance)
        rel = 1.0 / p.extremism_sentence_weeks
        gamma = p.extremist_to_recruiter
        leave_e = gamma + p.prevention_rate + a
        leave_r = p.treatment_rate + a
        share = p.prison_recruiter_share
        n = pop.size
        matrix = np.empty((n, 3, 3))
        matrix[:, 1] = np.stack([np.full(n, gamma), -leave_r, np.full(n, rel * share)], axis=1)
        matrix[:, 2] = np.stack([a, a, np.full(n, -rel)], axis=1)
        rhs = np.zeros((n, 3, 1))

        def solve(recruiters: float) -> NDArray[np.float64]:
            q = -np.expm1(-(p.radicalisation_contact * recruiters / pop.sum() + local + online) * scale)
            matrix[:, 0] = np.stack([-(q + leave_e), -q, -q + rel * (1.0 - share)], axis=1)
            rhs[:, 0, 0] = -q * pop
            return np.asarray(np.linalg.solve(matrix, rhs)[:, :, 0].T)

        lo, hi = 0.0, float(pop.sum())
        try:
            for _ in range(200):
                mid = 0.5 * (lo + hi)
                if solve(mid)[1].sum() > mid:
                    lo = mid
                else:
                    hi = mid
                if hi - lo <= 1e-12 * max(1.0, hi):
                    break
            x = solve(0.5 * (lo + hi))
        except np.linalg.LinAlgError:
            return None
        if not np.all(np.isfinite(x)) or x.min() < -1e-9 * pop.max():
            return None
        return np.maximum(x, 0.0)

    def settle(self, context: RadicalisationContext, weeks: int = 20_000, tol: float = 1e-6) -> float:
        """Start at the equilibrium of ``context`` (the mean-field fixed point); returns its residual.

        Iterates the deterministic week until the largest weekly change is below ``tol`` persons
        (or ``weeks`` weeks pass), starting from the fixed point solved directly
        (:meth:`_fixed_point`), so that a few weeks suffice; the counts are rounded to whole persons.
        """
        week = self._mean_field(context)
        x = self._fixed_point(context)
        if x is None:  # no interior solution: iterate from the current state, as before
            x = np.stack([self.extremists, self.recruiters, self.prisoners]).astype(float)
        change = np.inf
        for _ in range(weeks):
            y = week(x)
            change = float(np.abs(y - x).max())
            x = y
            if change < tol:
                break
        self.extremists, self.recruiters, self.prisoners = np.round(x).astype(np.int64)
        return change

    def step(self, context: RadicalisationContext, rng: np.random.Generator) -> None:
        """One stochastic week: binomial flows between compartments, region by region."""
        p = self.p
        lam = self.force(self.recruiters, context)
        a = self.arrest_chance(context.surveillance)
        gamma, prevent, treat = p.extremist_to_recruiter, p.prevention_rate, p.treatment_rate
        release = min(1.0, 1.0 / p.extremism_sentence_weeks)
        s = self.susceptible
        new_e = rng.binomial(s, -np.expm1(-lam))
        # one multinomial per region, drawn region by region in one call (the same draws as a loop)
        e_p = np.empty((a.size, 4))  # to recruiter, prevented, arrested, stays
        e_p[:, 0], e_p[:, 1] = gamma, prevent
        e_p[:, 2] = np.minimum(a, 1.0 - gamma - prevent)
        e_p[:, 3] = 1.0 - gamma - prevent - e_p[:, 2]
        e_out = rng.multinomial(self.extremists, e_p)
        r_p = np.empty((a.size, 3))  # treated, arrested, stays
        r_p[:, 0] = treat
        r_p[:, 1] = np.minimum(a, 1.0 - treat)
        r_p[:, 2] = 1.0 - treat - r_p[:, 1]
        r_out = rng.multinomial(self.recruiters, r_p)
        freed = rng.binomial(self.prisoners, release)
        as_recruiters = rng.binomial(freed, p.prison_recruiter_share)
        to_r, to_s_e, caught_e = e_out[:, 0], e_out[:, 1], e_out[:, 2]
        left_r, caught_r = r_out[:, 0], r_out[:, 1]
        self.arrests = caught_e + caught_r
        self.extremists = self.extremists + new_e - to_r - to_s_e - caught_e + (freed - as_recruiters)
        self.recruiters = self.recruiters + to_r - left_r - caught_r + as_recruiters
        self.prisoners = self.prisoners + self.arrests - freed


@dataclass(frozen=True)
class RadicalisationContext:
    """What drives radicalisation in one week, per region (arrays) or national (floats)."""

    economy: NDArray[np.float64]
    hardship: NDArray[np.float64]
    cells: NDArray[np.float64]
    online_suppression: float
    surveillance: NDArray[np.float64]


class Society:
    """All citizens of all regions: protest on simulated citizens, radicalisation in persons.

    Args:
        rng: the generator for the citizens' fixed attributes (hardship, risk aversion).
        draws: the weekly keyed streams (:class:`scenarios.rng.WeeklyStreams`) for everything drawn each week.
        population: persons per region.
        citizens: how many citizens to simulate in all.
        params: the model parameters.
        rounding: ``"floor"`` or ``"round"`` (see :func:`arrest_probability`).
        legitimacy_feedback: whether repression lowers legitimacy.
        traits: per-region autonomy movement and susceptibility (default: none, 1).
        settle: start radicalisation at the equilibrium of the first week's conditions (False: at
            ``radicalisation_initial``, to watch it move, as the stylized-fact checks do).
    """

    def __init__(
        self,
        rng: np.random.Generator,
        draws: WeeklyStreams,
        population: NDArray[np.float64],
        citizens: int,
        params: Params,
        rounding: str,
        legitimacy_feedback: bool,
        traits: RegionTraits | None = None,
        settle: bool = True,
    ):
        self.draws = draws
        self.week = 0
        self.p = params
        self.rounding = rounding
        self.feedback = legitimacy_feedback
        n_r = population.size
        traits = traits or RegionTraits.uniform(n_r)
        self.traits = traits
        self.population = population.astype(float)
        counts = stratified_counts(population, citizens, params.min_region_share)
        self.counts = counts
        self.scale = population / counts  # persons per simulated citizen, per region
        self.region = np.repeat(np.arange(n_r, dtype=np.int32), counts)  # int32: half the memory traffic
        n = int(counts.sum())
        self.n = n
        size = int(params.neighbourhood_size)
        nb_per_region = np.maximum(1, np.ceil(counts / size).astype(np.int64))
        offsets = np.concatenate([[0], np.cumsum(nb_per_region)[:-1]])
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        local = np.arange(n) - np.repeat(first, counts)
        # neighbourhood of each citizen (intp: np.take would convert narrower indices every week)
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
        self.grievance = np.zeros(n)
        self.police: NDArray[np.int64] = np.zeros(self.n_nb, dtype=np.int64)  # police per neighbourhood, drawn weekly
        # buffers reused every week: no citizen-sized array is allocated after set-up
        self._p_arrest = np.empty(n)
        self._scratch = np.empty(n)
        self._jailed = np.empty(n, dtype=bool)
        self._active = np.empty(n, dtype=bool)
        self._was = np.zeros(0, dtype=np.int64)  # citizens active at the end of last week (sorted)

        base = np.full(n_r, params.legitimacy_initial) - params.autonomy_legitimacy_gap * traits.autonomy
        self.legitimacy_base = base
        self.legitimacy = base.copy()
        self.legitimacy_override: NDArray[np.float64] | None = None
        self.incident_shock = np.zeros(n_r)
        self.incidents = np.zeros(n_r)
        self.arrests = np.zeros(n_r)  # simulated citizens arrested in protest this week
        self.active_count = np.zeros(n_r)
        self.jailed_count = np.zeros(n_r)
        self.n_regions = n_r

        self.radicalisation = Radicalisation(
            self.population, params, traits.susceptibility, params.radicalisation_initial
        )
        self.settled = not settle
        self.settle_residual = 0.0
        self.context: RadicalisationContext | None = None

    # ------------------------------------------------------------------ outputs
    def count_by_region(self, mask: NDArray[np.float64]) -> NDArray[np.float64]:
        """How many simulated citizens of each region ``mask`` holds for (regions are contiguous
        blocks: one count per block, no temporary)."""
        b = self.bounds
        return np.array([np.count_nonzero(mask[b[i] : b[i + 1]]) for i in range(b.size - 1)], dtype=float)

    def _blocks(self) -> list[slice]:
        """Each region's citizens, a contiguous block."""
        b = self.bounds
        return [slice(int(b[i]), int(b[i + 1])) for i in range(b.size - 1)]

    def by_region(self, mask: NDArray[np.float64]) -> NDArray[np.float64]:
        """Share of each region's simulated citizens for which ``mask`` holds."""
        return self.count_by_region(mask) / self.counts

    def mean_by_region(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Mean of ``values`` over each region's simulated citizens: each block's sum (numpy's
        pairwise sum, as ``mean`` adds) over its count."""
        b = self.bounds
        sums = np.array([np.add.reduce(values[b[i] : b[i + 1]]) for i in range(b.size - 1)])
        mean: NDArray[np.float64] = sums / self.counts
        return mean

    @property
    def recruiters(self) -> NDArray[np.int64]:
        """Recruiters per region (persons)."""
        return self.radicalisation.recruiters

    def recruiters_persons(self) -> float:
        """Recruiters in the population (persons)."""
        return float(self.radicalisation.recruiters.sum())

    def active_persons(self) -> float:
        """Persons in active unrest at the end of the last week (scaled from simulated citizens)."""
        return float(self.active_count @ self.scale)

    def protest_detentions(self) -> NDArray[np.float64]:
        """Persons detained in protest this week, per region."""
        return self.arrests * self.scale * self.p.protest_detained_share

    def protest_prisoners(self) -> NDArray[np.float64]:
        """Persons in jail for protest, per region."""
        return self.jailed_count * self.scale * self.p.protest_detained_share

    def jailed_persons(self) -> NDArray[np.float64]:
        """Persons in jail for protest or extremism, per region."""
        return self.protest_prisoners() + self.radicalisation.prisoners

    def r0(self) -> NDArray[np.float64]:
        """Each region's reproduction number of radicalisation under last week's conditions."""
        if self.context is None:
            raise RuntimeError("no week has run yet")
        return self.radicalisation.r0(self.context)

    def radicalised_share(self) -> NDArray[np.float64]:
        """Share of each region's persons radicalised (extremists, recruiters, radicalised prisoners)."""
        share: NDArray[np.float64] = self.radicalisation.radicalised / self.population
        return share

    # ------------------------------------------------------------------ step
    def step(
        self,
        economy: NDArray[np.float64],
        soft: float,
        surveillance: NDArray[np.float64],
        remittances: float,
        cells: NDArray[np.float64],
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
        week = self.week
        self.week += 1
        self._update_legitimacy(economy, soft, surveillance, casualties, resentment)
        self._incidents(week)
        factor = self.hardship_factor(economy, remittances)
        self._protest(factor, surveillance, threat, week)
        context = RadicalisationContext(economy, factor, cells, online_suppression, surveillance)
        self.context = context
        if not self.settled:
            self.settle_residual = self.radicalisation.settle(context)
            self.settled = True
        self.radicalisation.step(context, self.draws.generator("radicalisation", week))
        # counted once in _protest, read by the threat index, the militants and the recorder

    def hardship_factor(self, economy: NDArray[np.float64], remittances: float) -> NDArray[np.float64]:
        """Each region's factor on hardship: relieved by the economy, raised when remittances fall below their pivot."""
        p = self.p
        return np.maximum(
            (1.0 - p.economy_hardship_relief * economy)
            * (1.0 + p.remittance_hardship * (p.remittance_pivot - remittances)),
            0.0,
        )

    def _incidents(self, week: int) -> None:
        """Incidents with the security forces in regions with an autonomy movement (Poisson in time)."""
        p = self.p
        rate = p.protest_incident_rate / WEEKS_PER_YEAR * self.traits.autonomy
        u = self.draws.uniforms("incident", week, np.arange(self.n_regions))
        self.incidents = (u < -np.expm1(-rate)).astype(float)
        self.incident_shock = (
            self.incident_shock * np.exp(-1.0 / p.incident_weeks) + p.incident_legitimacy_drop * self.incidents
        )

    def _protest(
        self, factor: NDArray[np.float64], surveillance: NDArray[np.float64], threat: float, week: int
    ) -> None:
        """Epstein's week: grievance, police, activation on last week's actives, arrests, jail.

        Every citizen-sized array is a buffer made at set-up and written in place (``out=``);
        region-level factors are applied block by block (regions are contiguous), and last week's
        actives are carried as an index rather than searched for.
        """
        p = self.p
        G = self.grievance
        felt = np.clip(self.legitimacy - self.incident_shock, 0.0, 1.0)
        for r, block in enumerate(self._blocks()):
            g = G[block]
            np.multiply(self.hardship[block], factor[r], out=g)
            np.minimum(g, 1.0, out=g)
            g *= 1.0 - felt[r]

        # jail: serve a week; a citizen with no time left is free
        np.subtract(self.jail, 1, out=self.jail)
        np.maximum(self.jail, 0, out=self.jail)
        jailed = np.greater(self.jail, 0, out=self._jailed)

        # police per neighbourhood (Epstein's cops move at random: redraw weekly)
        presence = 1.0 + p.surveillance_arrest_gain * surveillance + p.repression_threat_response * threat
        mean = p.police_per_citizen * self.nb_size * presence[self.nb_region]
        self.police = poisson_from_uniforms(self.draws.uniforms("police", week, self.nb_ids), mean)

        was = self._was
        actives = np.bincount(self.nb[was], minlength=self.n_nb).astype(float)
        k = p.arrest_constant_k
        p_arrest = np.take(
            arrest_probability(self.police, 1.0 + actives, k, self.rounding), self.nb, out=self._p_arrest, mode="clip"
        )
        p_arrest[was] = arrest_probability(self.police, np.maximum(actives, 1.0), k, self.rounding)[self.nb[was]]
        # Epstein's rule G - R P > T, in place
        margin = np.multiply(self.risk_aversion, p_arrest, out=self._scratch)
        np.subtract(G, margin, out=margin)
        active = np.greater(margin, p.activation_threshold, out=self._active)
        np.greater(active, jailed, out=active)  # active and not jailed (on booleans a > b iff a and not b)
        self.state[...] = active  # ACTIVE = 1, quiet = 0
        np.copyto(self.state, np.int8(JAILED), where=jailed)

        self.arrests = np.zeros(self.n_regions)
        idx = np.flatnonzero(active)
        still = np.ones(idx.size, dtype=bool)
        taken = idx[:0]
        if idx.size:
            nb = self.nb[idx]
            order = np.lexsort((self.draws.uniforms("arrest-order", week, idx), nb))
            nb_sorted = nb[order]
            rank = np.arange(idx.size) - np.searchsorted(nb_sorted, nb_sorted, side="left")
            caught = order[rank < self.police[nb_sorted]]
            taken = idx[caught]
            still[caught] = False
            self.state[taken] = JAILED
            # a term of j weeks keeps the citizen out of the next j weeks (0: back next week)
            term = np.floor(self.draws.uniforms("jail-term", week, taken) * (int(p.max_jail_weeks) + 1))
            self.jail[taken] = term.astype(np.int32) + 1
            self.arrests = np.bincount(self.region[taken], minlength=self.n_regions).astype(float)
        self._was = idx[still]
        # counted once here, read by the threat index, the militants and the recorder
        self.active_count = np.bincount(self.region[self._was], minlength=self.n_regions).astype(float)
        taken_by_region = np.bincount(self.region[taken], minlength=self.n_regions)
        self.jailed_count = self.count_by_region(jailed) + taken_by_region

    def _update_legitimacy(
        self,
        economy: NDArray[np.float64],
        soft: float,
        surveillance: NDArray[np.float64],
        casualties: float,
        resentment: float,
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


def step(state: ModelState) -> None:
    """The society stage of a week, reading the capacities, drivers, cells, threat and visibility."""
    cap = state.capacities
    soc = state.society
    cells = np.bincount(state.militants.cell_region, minlength=soc.n_regions).astype(float)
    soc.week = state.week
    soc.step(
        cap["economy"],
        float(cap["soft_legitimacy"][0]),
        cap["domestic_surveillance"],
        state.driver("remittances"),
        cells,
        float(cap["online_suppression"][0]),
        threat=state.threat.index,
        casualties=float(state.militants.casualties.sum()),
        resentment=state.p.chinese_resentment * state.chinese_visibility,
    )


REGIONAL = ("unrest_active_share", "jailed_share", "radicalised_share", "mean_grievance", "legitimacy")
"""Regional society outcomes that are also recorded nationally, weighted by population."""


def record(state: ModelState, tables: Tables) -> None:
    """Write the society stage's outcomes of week ``state.t`` (protest, prisons, radicalisation)."""
    t, soc = state.t, state.society
    ts, rg = tables.ts, tables.rg
    pop_w = state.index.pop_weights
    rg["unrest_active_share"][t] = soc.active_count / soc.counts
    rg["jailed_share"][t] = soc.jailed_persons() / soc.population
    rg["radicalised_share"][t] = soc.radicalised_share()
    rg["mean_grievance"][t] = soc.mean_by_region(soc.grievance)
    rg["legitimacy"][t] = soc.legitimacy
    for name in REGIONAL:
        ts[name][t] = rg[name][t] @ pop_w
    ts["recruiter_share"][t] = soc.recruiters_persons() / soc.population.sum()
    ts["protest_incidents"][t] = soc.incidents.sum()
    ts["protest_detentions"][t] = soc.protest_detentions().sum()
    ts["extremism_arrests"][t] = soc.radicalisation.arrests.sum()
    ts["extremism_prisoners"][t] = soc.radicalisation.prisoners.sum()
    ts["prison_population"][t] = soc.jailed_persons().sum()
    threshold = state.p.protest_threshold_share
    ts["protest_region_weeks"][t] = np.count_nonzero(rg["unrest_active_share"][t] >= threshold)
