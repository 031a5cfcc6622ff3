"""Threats: risk beliefs, intelligence and infiltration, the radicalised-citizen hook, severities."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import baseline

from scenarios.analysis.summary import mean_ci
from scenarios.model import SecurityModel, simulate
from scenarios.model.beliefs import RiskBelief, RiskBeliefs
from scenarios.model.militants import draw_severity
from scenarios.spec.config import derive


def test_risk_belief_jumps_after_a_seizure_and_returns_to_prior():
    b = RiskBelief((2,), a=1.0, b=9.0, memory=0.9)
    prior = b.risk.copy()
    b.update(np.array([1.0, 1.0]), np.array([1.0, 0.0]))
    assert b.risk[0] > prior[0] and b.risk[1] < prior[1]
    faded = RiskBelief((2,), a=1.0, b=9.0, memory=0.9)
    faded.update(np.array([1.0, 1.0]), np.array([1.0, 0.0]))
    for _ in range(200):
        b.update(np.zeros(2), np.zeros(2))
        faded.fade()  # a step without trials, the same to the last bit
        assert np.array_equal(faded.risk, b.risk) and np.array_equal(faded.trials, b.trials)
    assert np.allclose(b.risk, prior, atol=1e-6)


def test_more_intelligence_sharing_lowers_successful_infiltrations():
    """Over 5 paired seeds (keyed draws keep pairs in step): intelligence sharing at 1.0 from China and
    Russia vs 0 (tolerance: CI of the difference < 0; measured over these 5 seeds: -13.4 infiltrations
    per 2 years, CI -20.0 to -6.8). The full-model lever effects over 20+ seeds are in ``scenarios check-model``."""
    base = baseline(years=2, society__citizens=1000, parameters__burn_in_weeks=0)
    no_intel = derive(
        base, states__china__levers__intelligence_sharing=0, states__russia__levers__intelligence_sharing=0
    )
    full = derive(
        base, states__china__levers__intelligence_sharing=1.0, states__russia__levers__intelligence_sharing=1.0
    )
    diffs = [
        simulate(full, s).timeseries["infiltration_successes"].sum()
        - simulate(no_intel, s).timeseries["infiltration_successes"].sum()
        for s in range(5)
    ]
    m, lo, hi = mean_ci(diffs)
    assert hi < 0, (m, lo, hi)


def test_radicalised_citizens_feed_militant_recruitment():
    """The hook from the society: more recruiters in the population, more militant members (4 paired
    seeds, CI of the difference > 0). Radicalisation above its threshold (contact 0.2: R0 about 2.8)
    starts at its endemic equilibrium."""
    base = baseline(years=2, society__citizens=1000, parameters__burn_in_weeks=0)
    hot = derive(
        base,
        parameters={"radicalisation_contact": 0.2, "tajik_recruitment_rate": 0.0002},
    )
    cold = derive(base, parameters={"radicalisation_contact": 0.2, "tajik_recruitment_rate": 0.0})
    more = [
        simulate(hot, s).timeseries["militant_members"][-52:].mean()
        - simulate(cold, s).timeseries["militant_members"][-52:].mean()
        for s in range(4)
    ]
    _, lo, _ = mean_ci(more)
    assert lo > 0


def test_chinese_exposure_grows_with_chinese_infrastructure():
    base = baseline(years=3, society__citizens=1000)
    big = derive(base, states__china__levers__infrastructure_investment=2000)
    a = simulate(base, 1).timeseries["chinese_exposure"]
    b = simulate(big, 1).timeseries["chinese_exposure"]
    assert b[-1] > a[-1] > a[0] * 0.99


def test_severity_sampler_has_the_stated_tail():
    x = draw_severity(np.random.default_rng(1).random(200_000), 2.5, 1.0)
    assert x.min() >= 1
    # P(X >= 10) = 10^-(alpha - 1) for a continuous power law above 1; flooring keeps it
    assert abs(np.mean(x >= 10) - 10**-1.5) < 0.002


def test_traffickers_and_groups_sit_in_their_provinces():
    m = SecurityModel(baseline(years=1, society__citizens=1000), 3)
    kinds = {m.space.G.nodes[a.cell.coordinate]["kind"] for a in [*m.traffickers, *m.groups]}
    assert kinds == {"province"}


# ---------------------------------------------------------------- adaptive adversaries


def _model(**parameters):
    return SecurityModel(
        baseline(
            years=1,
            society__citizens=300,
            parameters__burn_in_weeks=0,
            **{f"parameters__{k}": v for k, v in parameters.items()},
        ),
        3,
    )


def test_a_network_starts_on_its_best_combinations():
    from scenarios.model.trafficking import initial_network

    m = _model(initial_routes=5)
    mask = initial_network(m, 5)
    assert mask.sum() == 5
    org = m.traffickers[0]
    assert np.array_equal(org.open, mask)
    probs = org.choice_probabilities()
    assert np.all(probs[~org.open] == 0) and probs.sum() == pytest.approx(1.0)


def test_losses_open_the_best_closed_combination_and_risk_closes_one():
    m = _model(initial_routes=4, route_expansion=1.0, route_abandon_risk=0.6)
    org = m.traffickers[0]
    before = org.open.copy()
    org.loss = 0.0  # within tolerance: nothing opens
    org.adapt_network()
    assert np.array_equal(org.open, before)
    org.loss = 0.5  # far above the tolerance, expansion certain: one more combination
    org.adapt_network()
    assert org.open.sum() == before.sum() + 1 and np.all(org.open[before])
    # a seized segment: its perceived risk passes the threshold and its open combinations close
    seg = m.index.combo_segment[np.flatnonzero(org.open)[0]]
    trials = np.zeros(len(m.index.segments))
    trials[seg] = 50.0
    org.segment_risk.update(trials, trials)
    org.loss = 0.0
    org.adapt_network()
    assert not np.any(org.open & (m.index.combo_segment == seg)) or org.open.sum() == 1
    assert org.open.sum() >= 1


def test_target_hardening_shifts_attacks_to_civilians_unless_they_are_protected_too():
    """Enders & Sandler's substitution: with every attack foiled on security targets, the groups'
    belief moves and most attacks choose civilians; with civilians as protected (1.0), no shift."""
    shares = {}
    for protection in (0.0, 1.0):
        m = _model(
            cell_attack_rate=0.1,
            cell_disruption_base=0.005,
            cell_disruption_gain=0.05,
            target_hardening=0.9,
            soft_target_protection=protection,
        )
        mil = m.militants
        mil.counterterrorism = 1.0
        mil.chinese_share = 0.0
        for week in range(30):
            ids = np.arange(40, dtype=np.int64) + 1000 * (week + 1)
            mil.add_cells(ids, np.zeros(40, dtype=np.int64))
            m.week = week
            mil.step_cells([])
        shares[protection] = mil.target_probabilities()[1]
    assert shares[0.0] > 0.8
    assert abs(shares[1.0] - 0.5) < 0.2


def test_attacks_on_civilians_draw_larger_severities():
    u = np.linspace(0.0, 0.99, 50)
    assert np.all(draw_severity(u, 2.5, np.full(50, 1.5)) >= draw_severity(u, 2.5, 1.0))


def _attack_weeks(m, weeks=30, cells=40):
    """Feed ``cells`` new cells a week to the cell stage (all in region 0) for ``weeks`` weeks."""
    mil = m.militants
    for week in range(weeks):
        mil.add_cells(np.arange(cells, dtype=np.int64) + 1000 * (week + 1), np.zeros(cells, dtype=np.int64))
        m.week = week
        mil.reset()
        mil.step_cells([])


def test_preemption_shifts_attacks_from_complex_to_simple_tactics():
    """Tactical substitution: intelligence that uncovers every complex plot makes the groups learn that
    complex attacks fail, and most attacks become simple; without pre-emption both tactics fare alike."""
    shares, detected = {}, {}
    for preemption in (0.0, 1.0):
        m = _model(cell_attack_rate=0.1, cell_disruption_base=0.005, cell_disruption_gain=0.05, plot_detection=1.0)
        mil = m.militants
        mil.counterterrorism = 0.0  # no target hardening: only plot detection foils
        mil.chinese_share = 0.0
        mil.preemption = preemption
        _attack_weeks(m)
        shares[preemption] = mil.tactic_probabilities()[1]
        detected[preemption] = mil.plots_detected
    assert shares[1.0] < 0.2
    assert abs(shares[0.0] - 0.5) < 0.1
    assert detected[0.0] == 0


def test_every_complex_plot_is_uncovered_at_full_detection_and_none_attacks():
    m = _model(cell_attack_rate=0.1, cell_disruption_base=0.005, cell_disruption_gain=0.05, plot_detection=1.0)
    mil = m.militants
    mil.counterterrorism, mil.chinese_share, mil.preemption = 0.0, 0.0, 1.0
    mil.add_cells(np.arange(400, dtype=np.int64) + 7, np.zeros(400, dtype=np.int64))
    m.week = 0
    mil.reset()
    mil.step_cells([])
    assert mil.plots_detected > 0
    assert mil.attacks_complex == 0
    assert mil.attacks.sum() > 0  # the simple ones went ahead


def test_complex_attacks_draw_larger_casualties_on_the_same_draws():
    casualties = {}
    for tactic in (False, True):
        m = _model(complex_severity=3.0)
        mil = m.militants
        m.week = 0
        ids = np.arange(200, dtype=np.int64) + 11
        no = np.zeros(200, dtype=bool)
        mil._attack(ids, np.zeros(200, dtype=np.int64), no, no, np.full(200, tactic))
        casualties[tactic] = mil.casualties.sum()
        assert mil.attacks_complex == (200 if tactic else 0)
    assert casualties[True] >= 3.0 * casualties[False] * 0.9


def test_pressure_switches_opiate_volume_to_methamphetamine_at_the_weight_ratio():
    """Iron law of prohibition: within tolerance no switch; at losses 3x the tolerance (pressure 2) a
    share 0.3 x 2/3 = 0.2 of the opiates ships as half its weight in methamphetamine."""
    from scenarios.model.trafficking import METH, OPIATES

    m = _model(drug_substitution=0.3, substitution_weight_ratio=0.5)
    tr = m.trafficking
    tr.supply = np.array([10.0, 1.0])
    org = m.traffickers[0]
    org.loss = 0.0
    org.volume_factor = lambda road: 1.0  # isolate the switch from the risks-and-prices response
    _, calm, _ = org.plan()
    assert calm == pytest.approx(np.array([10.0, 1.0]) * org.share)
    org.loss = 3.0 * m.p.loss_tolerance
    _, pressed, _ = org.plan()
    moved = 0.2 * 10.0 * org.share
    assert pressed[OPIATES] == pytest.approx(10.0 * org.share - moved)
    assert pressed[METH] == pytest.approx(1.0 * org.share + 0.5 * moved)
    m0 = _model(drug_substitution=0.0)
    org0 = m0.traffickers[0]
    org0.loss = 3.0 * m0.p.loss_tolerance
    assert org0.substitution() == 0.0


def test_stacked_beliefs_hold_what_each_actors_own_belief_would():
    rng = np.random.default_rng(4)
    own = [RiskBelief((5,), 1.0, 19.0, 0.9) for _ in range(3)]
    stacked = RiskBeliefs(3, 5, 1.0, 19.0, 0.9)
    rows = [stacked.row(i) for i in range(3)]
    for week in range(30):
        trials = rng.integers(0, 6, (3, 5)).astype(float)
        events = np.minimum(trials, rng.integers(0, 3, (3, 5)))
        for belief, t, e in zip(own, trials, events, strict=True):
            belief.update(t, e)
        if week % 2:
            stacked.update(trials, events)
        else:  # one actor at a time, through its row
            for row, t, e in zip(rows, trials, events, strict=True):
                row.update(t, e)
        assert all(np.array_equal(b.risk, r.risk) for b, r in zip(own, rows, strict=True))
    assert np.array_equal(stacked.risk, np.array([b.risk for b in own]))


def test_the_organisations_are_the_rows_of_the_trafficking_systems_beliefs():
    from scenarios.model.trafficking import TraffickingOrganisation

    m = _model()
    orgs = list(m.traffickers)
    assert [o.row for o in orgs] == list(range(len(orgs)))
    trials = np.ones(len(m.index.segments))
    orgs[1].segment_risk.update(trials, trials)  # through its own belief: its row moves, no other
    risk = m.trafficking.segment_beliefs.risk
    assert np.array_equal(orgs[1].segment_risk.risk, risk[1]) and not np.array_equal(risk[1], risk[0])
    m.trafficking.reset()
    with pytest.raises(ValueError, match="in the order they were made"):
        m.trafficking.ship(orgs[::-1])
    with pytest.raises(ValueError, match="no more"):
        TraffickingOrganisation(m, 0.1)


def test_networks_adapted_together_are_what_each_would_be_alone():
    """adapt_networks runs every organisation in one array operation: as if each adapted alone."""
    import pickle

    m = _model(initial_routes=4, route_expansion=0.5, route_abandon_risk=0.3)
    orgs = list(m.traffickers)
    rng = np.random.default_rng(3)
    for week in range(30):
        m.week = week
        for i, org in enumerate(orgs):
            org.loss = [0.0, 0.5][(i + week) % 2]  # some above tolerance, some not
            n = len(m.index.segments)
            org.segment_risk.update(rng.integers(0, 20, n).astype(float), rng.integers(0, 5, n).astype(float))
        alone = pickle.loads(pickle.dumps(m))
        m.trafficking.adapt_networks(orgs)
        for org in alone.traffickers:
            org.adapt_network()
        assert np.array_equal(m.trafficking.networks, alone.trafficking.networks)
        assert all(org.open.sum() >= 1 for org in orgs)
    assert len({tuple(o.open) for o in orgs}) > 1  # the networks went their own ways
    assert np.array_equal(orgs[2].open, m.trafficking.networks[2])  # an organisation's network is its row
