"""Society: docking with Mesa's Epstein model, and the vectorised update's basic rules."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from scenarios.model.society import ACTIVE, JAILED, Society, arrest_probability, is_active
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


def society(n=2000, seed=0, **params):
    return Society(
        np.random.default_rng(seed),
        WeeklyStreams(seed),
        np.array([600_000.0, 400_000.0]),
        n,
        Params.defaults(**params),
        "floor",
        True,
    )


def step(s, surveillance=0.0, steps=1):
    z = np.zeros(2)
    for _ in range(steps):
        s.step(z, 0.0, z + surveillance, 0.35, z, 0.0)


def test_regions_are_contiguous_blocks_with_census_shares():
    s = society(1000)
    assert list(s.counts) == [600, 400]
    assert np.all(np.diff(s.region) >= 0)
    assert np.all(s.nb_region[s.nb] == s.region)


def test_arrested_citizens_serve_time_and_come_back():
    s = society(max_jail_weeks=4, police_per_citizen=0.3, legitimacy_initial=0.3)
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


def test_recruiter_bookkeeping_matches_the_array():
    s = society(radicalisation_contact=0.3, radicalisation_initial=0.05)
    step(s, steps=40)
    assert np.array_equal(s.recruiters, s.count_by_region(s.rad == 2))


def test_surveillance_raises_police_presence():
    a, b = society(seed=1), society(seed=1)
    step(a, 0.0)
    step(b, 1.0)
    assert b.police.sum() > a.police.sum()


def test_bernoulli_indices_match_the_bernoulli_process():
    from scenarios.model.society import bernoulli_indices

    rng = np.random.default_rng(5)
    n, p = 20_000, 0.03
    counts = [bernoulli_indices(rng, n, p).size for _ in range(300)]
    assert abs(np.mean(counts) - n * p) < 3 * np.sqrt(n * p * (1 - p) / 300) * 3
    hits = np.zeros(n)
    for _ in range(300):
        idx = bernoulli_indices(rng, n, p)
        assert np.all(np.diff(idx) > 0) and idx.min() >= 0 and idx.max() < n
        hits[idx] += 1
    # every position is equally likely (first and second half alike)
    assert abs(hits[: n // 2].sum() - hits[n // 2 :].sum()) < 0.05 * hits.sum()
    assert bernoulli_indices(rng, 10, 0.0).size == 0 and bernoulli_indices(rng, 10, 1.0).size == 10
