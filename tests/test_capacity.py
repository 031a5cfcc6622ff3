"""The lever mechanism: lag, decay, diminishing returns, allocation, exact zero."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.model.capacity import Capacities
from scenarios.spec import registry

NAMES = list(registry.levers())


def caps(initial=None, seg=(1.0, 1.0), reg=(1.0, 1.0), sco=0.5):
    init = np.zeros(len(NAMES)) if initial is None else initial
    return Capacities(np.array(seg), np.array(reg), init, sco)


def effort(**levels):
    e = np.zeros(len(NAMES))
    for k, v in levels.items():
        e[NAMES.index(k)] = v
    return e


def test_zero_effort_gives_exactly_zero_capacity():
    c = caps()
    for _ in range(10):
        c.step(np.zeros(len(NAMES)))
    for ch in c.channel_names:
        assert np.all(c[ch] == 0.0)


def test_lag_delays_the_effect():
    c = caps()
    lag = registry.levers()["military_training"].lag_weeks
    for _ in range(lag):
        c.step(effort(military_training=50))
    assert np.all(c["counterterrorism"] == 0.0)
    c.step(effort(military_training=50))
    assert c["counterterrorism"][0] > 0


def test_stock_converges_to_effort_times_lifetime_and_decays_without_upkeep():
    c = caps()
    i = NAMES.index("joint_border_patrols")
    life = registry.levers()["joint_border_patrols"].lifetime_weeks
    for _ in range(int(20 * life)):
        c.step(effort(joint_border_patrols=40))
    assert c.stock[i] == pytest.approx(40 * life / 52, rel=1e-3)
    high = c["interdiction"].copy()
    for _ in range(52):
        c.step(np.zeros(len(NAMES)))
    assert np.all(c["interdiction"] < high * 0.5)


def test_diminishing_returns():
    gains = []
    for x in (25, 50, 75, 100):
        c = caps(initial=effort(joint_border_patrols=x))
        gains.append(c["interdiction"][0])
    steps = np.diff([0.0, *gains])
    assert np.all(steps[1:] < steps[:-1]) and np.all(steps > 0)


def test_half_saturation_stock_gives_half_of_the_weight():
    lever = registry.levers()["joint_border_patrols"]
    flow = lever.half_saturation_stock * 52 / lever.lifetime_weeks  # the effort whose steady stock is that
    c = caps(initial=effort(joint_border_patrols=flow))
    assert c["interdiction"][0] == pytest.approx(0.5 * lever.effects["interdiction"])


def test_segment_allocation_concentrates_spatial_levers():
    c = caps(initial=effort(joint_border_patrols=50), seg=(3.0, 1.0))
    assert c["interdiction"][0] > c["interdiction"][1] > 0
    even = caps(initial=effort(joint_border_patrols=50))
    assert even["interdiction"][0] == pytest.approx(even["interdiction"][1])


def test_sco_multiplies_intelligence():
    alone = caps(initial=effort(intelligence_sharing=0.5))
    both = caps(initial=effort(intelligence_sharing=0.5, sco_engagement=1.0))
    assert both["preemption"][0] > alone["preemption"][0]
    none = caps(initial=effort(intelligence_sharing=0.5, sco_engagement=1.0), sco=0.0)
    sco_only = caps(initial=effort(sco_engagement=1.0), sco=0.0)
    expected = 1 - (1 - alone["preemption"][0]) * (1 - sco_only["preemption"][0])
    assert none["preemption"][0] == pytest.approx(expected)


def test_capacities_stay_in_unit_interval_at_maximum_effort():
    top = np.array([lv.max for lv in registry.levers().values()])
    c = caps(initial=top, seg=(1.0, 0.0))
    for ch in c.channel_names:
        assert np.all((c[ch] >= 0) & (c[ch] <= 1))


def test_one_off_delivery_acts_in_full_after_its_lag_then_depreciates():
    lever = registry.levers()["military_equipment"]
    i = NAMES.index("military_equipment")
    c = caps()
    c.step(effort(military_equipment=52 * 100))  # USD 100M delivered in one week
    for _ in range(lever.lag_weeks - 1):
        c.step(np.zeros(len(NAMES)))
        assert c.stock[i] == 0.0
    c.step(np.zeros(len(NAMES)))
    assert c.stock[i] == pytest.approx(100.0)
    for _ in range(int(lever.lifetime_weeks)):
        c.step(np.zeros(len(NAMES)))
    assert c.stock[i] == pytest.approx(100.0 * (1 - 1 / lever.lifetime_weeks) ** lever.lifetime_weeks, rel=1e-9)


def test_segment_shares_can_be_reallocated():
    c = caps(initial=effort(joint_border_patrols=50))
    before = c["interdiction"].copy()
    c.set_segment_shares(np.array([0.9, 0.1]))
    assert np.array_equal(c["interdiction"], before), "in force from the next week"
    c.step(effort(joint_border_patrols=50))
    assert c["interdiction"][0] > before[0] and c["interdiction"][1] < before[1]
