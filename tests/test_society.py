"""Society: docking with Mesa's Epstein model, and the vectorised update's basic rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from scenarios.model.society import (
    ACTIVE,
    JAILED,
    Radicalisation,
    RadicalisationContext,
    RegionTraits,
    Society,
    arrest_probability,
    is_active,
    poisson_from_uniforms,
    stratified_counts,
)
from scenarios.rng import WeeklyStreams
from scenarios.spec.params import Params

HARDSHIP = (0.05, 0.4, 0.9, 1.0)
LEGITIMACY = (0.2, 0.5, 0.8, 0.95)
RISK = (0.0, 0.1, 0.5, 0.99)
COPS = (0, 1, 2, 5)
ACTIVES = (0, 1, 2, 7)


def test_docking_with_mesa_epstein_civil_violence():
    """Same inputs, same decisions as Mesa's reference agents (with Mesa's rounding of C/A).

    Deliberate differences of our regional version, documented in scenarios/model/society.py:
    ``floor`` instead of ``round`` by default (Epstein, NetLogo), neighbourhoods of a region
    instead of a lattice vision, synchronous instead of random-order updates, police redrawn
    per neighbourhood each week.
    """
    from mesa.examples import EpsteinCivilViolence
    from mesa.examples.advanced.epstein_civil_violence.agents import Citizen, CitizenState, Cop

    model = EpsteinCivilViolence(width=20, height=20)
    citizens = list(model.agents_by_type[Citizen])
    cops = list(model.agents_by_type[Cop])
    probe, others = citizens[0], citizens[1:]
    for c in others[:10]:
        c.state = CitizenState.ACTIVE
    k, T = model.scenario.arrest_prob_constant, model.scenario.active_threshold
    rows = 0
    for h, L, r, n_cops, n_act in itertools.product(HARDSHIP, LEGITIMACY, RISK, COPS, ACTIVES):
        probe.hardship, probe.risk_aversion = h, r
        probe.grievance = h * (1 - L)
        probe.neighbors = cops[:n_cops] + others[:n_act]
        probe.update_estimated_arrest_probability()
        mesa_active = (probe.grievance - probe.risk_aversion * probe.arrest_probability) > T
        ours_p = arrest_probability(np.array([n_cops]), np.array([1 + n_act]), k, "round")[0]
        ours_active = bool(is_active(np.array([h * (1 - L)]), np.array([r]), np.array([ours_p]), T)[0])
        assert ours_p == pytest.approx(probe.arrest_probability, abs=1e-12)
        assert ours_active == mesa_active, (h, L, r, n_cops, n_act)
        rows += 1
    assert rows == 4**5


def test_floor_differs_from_round_only_above_half():
    cops = np.array([1, 1, 3, 5])
    actives = np.array([2, 3, 2, 2])  # ratios 0.5, 0.33, 1.5, 2.5
    f = arrest_probability(cops, actives, 2.3, "floor")
    r = arrest_probability(cops, actives, 2.3, "round")
    assert f[1] == r[1] == 0.0
    assert f[2] < r[2]  # floor(1.5)=1 < round(1.5)=2


def society(n=2000, seed=0, traits=None, population=(600_000.0, 400_000.0), **params):
    params.setdefault("min_region_share", 0.0)
    return Society(
        np.random.default_rng(seed),
        WeeklyStreams(seed),
        np.array(population),
        n,
        Params.defaults(**params),
        "floor",
        True,
        traits,
    )


def step(s, surveillance=0.0, steps=1, cells=None):
    z = np.zeros(s.n_regions)
    for _ in range(steps):
        s.step(z, 0.0, z + surveillance, 0.35, z if cells is None else cells, 0.0)


def test_regions_are_contiguous_blocks_with_census_shares():
    s = society(1000)
    assert list(s.counts) == [600, 400]
    assert np.all(np.diff(s.region) >= 0)
    assert np.all(s.nb_region[s.nb] == s.region)


def test_stratified_counts_give_small_regions_their_floor_and_keep_the_total():
    # the census of Tajikistan's five regions, GBAO last
    pop = np.array([3_444_000, 2_770_000, 2_270_000, 948_800, 227_200], dtype=float)
    counts = stratified_counts(pop, 10_000, 0.05)
    assert counts.sum() == 10_000
    assert counts[-1] == 500  # GBAO: 2.4% of persons, 5% of citizens
    # the others share the remaining 9,500 in census proportion (within rounding)
    rest = pop[:-1] / pop[:-1].sum() * 9_500
    assert np.all(np.abs(counts[:-1] - rest) < 5)  # the rounding remainder goes to the largest
    # Dushanbe (9.8% of persons) also falls under a 10% floor: both get it, the others share 8,000
    counts = stratified_counts(pop, 10_000, 0.1)
    assert list(counts[3:]) == [1_000, 1_000] and counts.sum() == 10_000
    assert np.all(np.abs(counts[:3] - pop[:3] / pop[:3].sum() * 8_000) < 5)
    # no floor: census shares
    assert np.all(np.abs(stratified_counts(pop, 10_000, 0.0) - pop / pop.sum() * 10_000) < 5)


def test_weights_keep_national_totals_of_persons():
    pop = (3_444_000.0, 227_200.0)
    s = society(5_000, population=pop, min_region_share=0.15)
    assert s.counts[1] == 750
    assert float(s.counts @ s.scale) == pytest.approx(sum(pop))
    s.state[:] = ACTIVE  # everyone active: persons in unrest = the whole population
    s.active_count = s.count_by_region(s.state == ACTIVE)
    assert s.active_persons() == pytest.approx(sum(pop))


def test_arrested_citizens_serve_time_and_come_back():
    s = society(max_jail_weeks=4, police_per_citizen=0.3, legitimacy_initial=0.91)
    s.legitimacy_override = np.array([0.3, 0.3])
    step(s, steps=30)
    assert np.any(s.state == JAILED)
    assert s.jail.max() <= 5
    s.legitimacy_override = np.array([0.99, 0.99])
    step(s, steps=6)
    assert not np.any(s.state == JAILED) and not np.any(s.state == ACTIVE)


def test_arrests_never_exceed_police_per_neighbourhood():
    s = society(police_per_citizen=0.02)
    s.legitimacy_override = np.array([0.2, 0.2])
    binding = 0
    for _ in range(5):
        before = s.jail.copy()
        step(s)
        arrested = (before <= 1) & (s.jail > 0)  # free (or released) before the week, jailed after it
        per_nb = np.bincount(s.nb[arrested], minlength=s.n_nb)
        assert np.all(per_nb <= s.police)
        still_active = np.bincount(s.nb[s.state == ACTIVE], minlength=s.n_nb)
        binding += int(np.sum((per_nb == s.police) & (still_active > 0)))
    assert binding > 0, "the test must reach neighbourhoods where actives outnumber the police"


def test_surveillance_raises_police_presence():
    a, b = society(seed=1), society(seed=1)
    step(a, 0.0)
    step(b, 1.0)
    assert b.police.sum() > a.police.sum()


def test_protest_needs_an_incident_in_a_region_with_an_autonomy_movement():
    """Off the knife-edge nobody protests (1 - L < T); an incident in the autonomy region sparks an
    episode there and nowhere else, and the episode ends as the shock decays."""
    traits = RegionTraits(np.array([False, True]), np.ones(2))
    s = society(
        4000,
        traits=traits,
        legitimacy_initial=0.93,
        autonomy_legitimacy_gap=0.0,
        protest_incident_rate=0.0,
        incident_legitimacy_drop=0.25,
        incident_weeks=3.0,
        police_per_citizen=0.03,
    )
    step(s, steps=10)
    assert s.active_count.sum() == 0 and s.protest_detentions().sum() == 0
    # an incident: the shock of one incident, then decay (the incident draw itself is tested below)
    s.incident_shock = np.array([0.0, 0.25])
    active, detained = [], []
    for _ in range(30):
        s.p = s.p  # parameters unchanged; the rate is 0, so no new incident
        step(s)
        active.append(s.active_count.copy())
        detained.append(s.protest_detentions().copy())
    active, detained = np.array(active), np.array(detained)
    assert active[:, 0].sum() == 0 and detained[:, 0].sum() == 0  # the other region stays quiet
    assert active[:5, 1].sum() > 0 and detained[:10, 1].sum() > 0  # the episode
    assert active[-5:, 1].sum() == 0  # and its end (the shock decays with time constant 3 weeks)


def test_incidents_arrive_at_their_rate_only_where_there_is_an_autonomy_movement():
    traits = RegionTraits(np.array([False, True]), np.ones(2))
    s = society(400, traits=traits, protest_incident_rate=5.2)  # 0.1 a week
    counts = np.zeros(2)
    for week in range(2000):
        s._incidents(week)
        counts += s.incidents
    assert counts[0] == 0
    expected = 2000 * -np.expm1(-0.1)
    assert abs(counts[1] - expected) < 4 * np.sqrt(expected)


def test_protest_detentions_are_persons_of_the_arrested_groups():
    s = society(1500, population=(100_000.0, 50_000.0), protest_detained_share=0.2)
    s.arrests = np.array([3.0, 2.0])
    # 1,000 and 500 citizens of 100 persons each: 3 and 2 groups arrested, a fifth of each detained
    assert list(s.protest_detentions()) == pytest.approx([60.0, 40.0])


def radicalisation(population=(1_000_000.0,), susceptibility=(1.0,), **params):
    return Radicalisation(np.array(population), Params.defaults(**params), np.array(susceptibility), 0.0)


def context(n=1, economy=0.0, surveillance=0.0, cells=0.0, suppression=0.0):
    return RadicalisationContext(
        np.full(n, economy), np.ones(n), np.full(n, cells), suppression, np.full(n, surveillance)
    )


def test_r0_is_the_santoprete_xu_threshold_with_arrest_as_an_exit():
    r = radicalisation(
        radicalisation_contact=0.1,
        extremist_to_recruiter=0.02,
        prevention_rate=0.03,
        treatment_rate=0.04,
        extremism_arrest_base=0.01,
        economy_radicalisation_damping=0.5,
    )
    # beta d gamma / ((gamma + prevention + a)(treatment + a)) = 0.1 x 0.75 x 0.02 / (0.06 x 0.05)
    assert r.r0(context(economy=0.5))[0] == pytest.approx(0.1 * 0.75 * 0.02 / (0.06 * 0.05))


@pytest.mark.parametrize(("contact", "endemic"), [(0.02, False), (0.2, True)])
def test_extremism_dies_out_below_threshold_and_persists_above(contact, endemic):
    r = radicalisation(
        radicalisation_contact=contact,
        online_propaganda=0.0,
        extremism_arrest_base=0.0,
        extremist_to_recruiter=0.01,
        prevention_rate=0.02,
        treatment_rate=0.02,
    )
    assert (r.r0(context())[0] > 1) == endemic  # R0 0.17 and 1.67
    r.extremists = np.array([5_000])
    rng = np.random.default_rng(3)
    for _ in range(1500):
        r.step(context(), rng)
    if endemic:
        assert r.radicalised[0] > 10_000
    else:
        assert r.radicalised[0] == 0


def test_settle_starts_at_the_mean_field_equilibrium_and_the_stochastic_model_stays_near_it():
    r = radicalisation(online_propaganda=4e-6, extremism_arrest_base=0.002)
    residual = r.settle(context())
    assert residual < 1e-6
    start = r.radicalised.copy()
    rng = np.random.default_rng(8)
    series = []
    for _ in range(520):
        r.step(context(), rng)
        series.append(r.radicalised[0])
    # no drift: the mean over ten years is within 5% of the start
    assert abs(np.mean(series) / start[0] - 1) < 0.05


@pytest.mark.parametrize("contact", [0.02, 0.05, 0.2])
def test_the_solved_equilibrium_is_where_iterating_the_mean_field_week_ends(contact):
    # three regions of different size, susceptibility and surveillance; R0 below and above 1
    r = radicalisation(
        population=(2_000_000.0, 300_000.0, 50_000.0),
        susceptibility=(1.0, 0.3, 1.5),
        radicalisation_contact=contact,
        online_propaganda=4e-6,
        extremism_arrest_base=0.002,
    )
    ctx = RadicalisationContext(np.zeros(3), np.ones(3), np.array([0.0, 2.0, 0.0]), 0.1, np.array([0.0, 0.5, 1.0]))
    solved = r._fixed_point(ctx)
    assert solved is not None
    week = r._mean_field(ctx)
    x = np.zeros((3, 3))
    for _ in range(100_000):  # the slow way settle used to take: iterate until nothing moves
        y = week(x)
        if np.abs(y - x).max() < 1e-9:
            break
        x = y
    assert np.abs(week(solved) - solved).max() < 1e-6
    assert np.allclose(solved, y, rtol=1e-6, atol=1e-4)
    assert r.settle(ctx) < 1e-6
    assert np.array_equal(r.radicalised, np.round(y).sum(axis=0).astype(np.int64))


def test_extremism_detentions_follow_their_chance_and_surveillance_raises_it():
    r = radicalisation(extremism_arrest_base=0.002, extremism_arrest_gain=0.004)
    assert r.arrest_chance(np.array([0.0, 0.5]))[1] == pytest.approx(0.004)
    r.extremists = np.array([100_000])
    r.recruiters = np.array([0])
    rng = np.random.default_rng(1)
    r.step(context(surveillance=0.5), rng)
    # 100,000 at liberty x 0.004 = 400 expected, binomial sd 20
    assert abs(int(r.arrests[0]) - 400) < 80
    assert r.prisoners[0] == r.arrests[0]


def test_radicalisation_is_national_and_does_not_read_legitimacy():
    """Susceptibility scales a region's hazard; recruiters anywhere recruit everywhere (national mixing)."""
    r = radicalisation(population=(500_000.0, 500_000.0), susceptibility=(1.0, 0.3), online_propaganda=0.0)
    recruiters = np.array([1_000, 0])
    lam = r.force(recruiters, context(2))
    assert lam[1] == pytest.approx(0.3 * lam[0])
    assert lam[1] > 0  # the region without recruiters is reached through national mixing
    assert "legitimacy" not in RadicalisationContext.__dataclass_fields__


def test_released_convicts_come_out_as_recruiters_in_the_stated_share():
    r = radicalisation(
        extremism_sentence_weeks=156,
        prison_recruiter_share=0.5,
        online_propaganda=0.0,
        radicalisation_contact=0.0,
        extremism_arrest_base=0.0,
    )
    r.prisoners = np.array([156_000])
    r.step(context(), np.random.default_rng(2))
    # about 1,000 released, about half of them recruiters
    assert abs(int(r.recruiters[0]) - 500) < 100
    assert abs(int(r.recruiters[0] + r.extremists[0]) - 1000) < 150


def test_poisson_draws_are_the_inverse_of_the_poisson_cdf():
    """Each draw is the smallest k with CDF(k) > u (scipy's quantile), whatever the other means."""
    from scipy import stats

    rng = np.random.default_rng(7)
    means = np.array([0.0, 0.3, 2.0, 7.5, 40.0, 250.0])
    mean = rng.choice(means, 20_000)
    u = rng.random(mean.size)
    k = poisson_from_uniforms(u, mean)
    assert k.dtype == np.int64 and np.all(k[mean == 0] == 0)
    expected = stats.poisson.ppf(u, mean)
    near_a_step = np.isclose(stats.poisson.cdf(expected, mean), u, rtol=0, atol=1e-12)
    assert np.array_equal(k[~near_a_step], expected[~near_a_step].astype(np.int64))
    for m in means[1:]:
        assert abs(k[mean == m].mean() - m) < 4 * np.sqrt(m / np.count_nonzero(mean == m))
    # a draw depends on its own uniform and mean only (common random numbers)
    changed = np.where(mean == 2.0, 3.0, mean)
    assert np.array_equal(poisson_from_uniforms(u, changed)[mean != 2.0], k[mean != 2.0])
    with pytest.raises(ValueError, match="finite"):
        poisson_from_uniforms(u[:2], np.array([1.0, np.nan]))
