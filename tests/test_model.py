"""The model on a tiny hand-built world: each lever's direction, exact zero, determinism, bounds."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from helpers import scenario, tiny

from scenarios.model import SecurityModel, simulate
from scenarios.spec import outcomes, registry


def declared_effects(name: str) -> tuple[str, list[str]]:
    """What a lever's declaration promises on a tiny world, read from levers.yaml: its first supplier, and the
    national outcomes that must rise when that supplier sets it to its strong dose: the capacity of every
    channel it feeds; for a lever that funds others (financial aid), Tajik spending and the capacities of the
    levers aid goes to by default (``aid_default``); for one that ``raises_exposure`` supplied by China, the
    exposure of Chinese targets."""
    lever = registry.levers()[name]
    channels = set(lever.effects)
    rising = []
    if lever.funds_other_levers:
        channels |= {c for n in registry.flagged("aid_default") for c in registry.levers()[n].effects}
        rising.append("spending_tajikistan")
    state = lever.suppliers[0]
    if lever.raises_exposure and state == "china":
        rising.append("chinese_exposure")
    return state, [f"capacity_{c}" for c in sorted(channels)] + rising


# Mechanisms further down the chain than a lever's own channels, for some levers (not a list of every
# lever: each lever's declared channels are tested from levers.yaml above):
# lever, supplier, value, outcome (national time series), expected sign of (with - without)
MECHANISMS = [
    ("joint_border_patrols", "tajikistan", 150, "seizure_rate", +1),
    ("infrastructure_investment", "tajikistan", 1500, "mean_grievance", -1),
    ("economic_initiatives", "tajikistan", 400, "radicalised_share", -1),
    ("diplomatic_engagement", "china", 1.0, "taliban_cooperation", +1),
    ("sco_engagement", "sco", 1.0, "taliban_cooperation", +1),
    ("cultural_exchanges", "china", 100, "legitimacy", +1),
]


def run(sc, seed=1):
    return simulate(sc, seed).timeseries


@functools.cache
def tiny_without_levers_set(seed: int):
    """The tiny world's run as configured, once per seed: the reference of the lever tests below (read
    only; that a seed gives the same run every time is tested by test_same_seed_same_results...)."""
    return simulate(tiny(), seed)


@pytest.mark.parametrize("lever", list(registry.levers()))
def test_each_lever_raises_the_outcomes_its_declaration_names_on_a_tiny_world(lever):
    state, rising = declared_effects(lever)
    without = tiny_without_levers_set(1).timeseries
    with_lever = run(tiny(states={state: {"levers": {lever: registry.levers()[lever].dose.level}}}))
    assert rising
    for outcome in rising:
        diff = with_lever[outcome].mean() - without[outcome].mean()
        assert diff > 0, f"{lever} from {state} at its strong dose: {outcome} changed by {diff}"


@pytest.mark.parametrize(("lever", "state", "value", "outcome", "sign"), MECHANISMS)
def test_lever_moves_an_outcome_down_the_chain_on_a_tiny_world(lever, state, value, outcome, sign):
    without = tiny_without_levers_set(1).timeseries
    with_lever = run(tiny(states={state: {"levers": {lever: value}}}))
    diff = with_lever[outcome].mean() - without[outcome].mean()
    assert np.sign(diff) == sign, f"{lever} from {state}: {outcome} changed by {diff}"


def test_aid_goes_to_the_levers_flagged_aid_default_when_no_allocation_is_given(monkeypatch):
    names = list(registry.levers())
    flagged = registry.flagged("aid_default")
    share = SecurityModel(tiny(years=1), 1).aid_allocation
    assert flagged and {names[i] for i in np.flatnonzero(share)} == set(flagged)
    assert share[[names.index(n) for n in flagged]] == pytest.approx(1 / len(flagged))
    # the model reads the flag, not a list of its own: another declaration moves the default
    other = tuple(n for n in registry.levers_of("tajikistan") if n not in flagged)[:1]
    real = registry.flagged
    monkeypatch.setattr(registry, "flagged", lambda flag: other if flag == "aid_default" else real(flag))
    share = SecurityModel(tiny(years=1), 1).aid_allocation
    assert {names[i] for i in np.flatnonzero(share)} == set(other)


@pytest.mark.parametrize("lever", list(registry.levers()))
def test_lever_at_zero_is_exactly_the_lever_absent(lever):
    state = registry.levers()[lever].suppliers[0]
    absent = tiny_without_levers_set(7)
    zero = simulate(tiny(states={state: {"levers": {lever: 0}}}), 7)
    for table in ("timeseries", "regions", "segments"):
        a, b = getattr(absent, table), getattr(zero, table)
        for col in a:
            assert np.array_equal(a[col], b[col]), f"{lever}=0 changed {table}.{col}"


def test_same_seed_same_results_and_different_seeds_differ():
    sc = scenario()
    a, b, c = simulate(sc, 3), simulate(sc, 3), simulate(sc, 4)
    for col in a.timeseries:
        assert np.array_equal(a.timeseries[col], b.timeseries[col])
    assert not np.array_equal(a.timeseries["seizures_t"], c.timeseries["seizures_t"])


def test_outcomes_stay_in_bounds_in_default_world():
    d = simulate(scenario(years=3), 11)
    ts = d.timeseries
    for name in ("stability_index",):
        assert np.all((ts[name] >= 0) & (ts[name] <= 100))
    for name, o in outcomes.national().items():
        assert np.all(np.isfinite(ts[name])), name
        if o.unit in ("share", "0-1"):
            assert np.all((ts[name] >= 0) & (ts[name] <= 1 + 1e-12)), name
    assert np.all(ts["seizures_t"] <= ts["drug_inflow_t"] + 1e-12)
    assert np.all(ts["infiltration_successes"] <= ts["infiltration_attempts"])


def test_recorded_drivers_follow_schedule_and_events():
    sc = scenario(
        years=3,
        drivers={"russia_engagement": {"2021": 1.0, "2022": 0.8}},
        events=[
            {"when": "2023-01", "kind": "russian_drawdown"},
            {"when": "2022-06", "kind": "attack", "region": "gbao", "magnitude": 3},
        ],
    )
    d = simulate(sc, 2)
    eng = d.timeseries["russia_engagement"]
    assert eng[0] == 1.0 and eng[60] == 0.8 and eng[-1] == pytest.approx(0.4)
    gbao = d.regions["region"] == "gbao"
    assert d.regions["attacks"][gbao].sum() >= 3


def test_opium_ban_event_cuts_driver():
    d = simulate(scenario(years=2, events=[{"when": 2022, "kind": "opium_ban"}]), 1)
    opium = d.timeseries["opium_production"]
    assert opium[0] == registry.drivers()["opium_production"].default
    assert opium[-1] == pytest.approx(opium[0] * 0.05)


def test_model_uses_mesa_agents_and_network_space():
    from mesa.discrete_space import Network

    m = SecurityModel(scenario(years=1), 5)
    assert isinstance(m.space, Network)
    names = {type(a).__name__ for a in m.agents}
    assert {"Tajikistan", "China", "Russia", "Taliban", "SCO", "TraffickingOrganisation", "MilitantGroup"} <= names
    assert all(a.cell is not None for a in m.traffickers)


def test_population_represented_matches_census():
    m = SecurityModel(scenario(years=1, society={"citizens": 5000}), 1)
    soc = m.society
    assert soc.n == 5000
    assert np.allclose(soc.counts * soc.scale, m.index.population)


def test_every_event_kind_has_an_effect_and_a_default_size():
    from scenarios.model.events import EVENT_DEFAULT_MAGNITUDE
    from scenarios.spec.config import EVENT_KINDS

    assert set(EVENT_DEFAULT_MAGNITUDE) == set(EVENT_KINDS)
    for kind in EVENT_KINDS:
        plain = simulate(scenario(years=1), 3).timeseries
        shocked = simulate(scenario(years=1, events=[{"when": "2021-03", "kind": kind}]), 3).timeseries
        assert any(not np.array_equal(plain[k], shocked[k]) for k in plain), f"{kind} changed nothing"


def test_a_run_is_causal_its_first_years_do_not_depend_on_its_horizon():
    """What the check suite's horizon sharing relies on (experiments/checks/core.py, RunCache)."""
    short, long = simulate(tiny(years=1), 4), simulate(tiny(years=2), 4)
    n = short.timeseries["step"].size
    for name, values in short.timeseries.items():
        np.testing.assert_array_equal(values, long.timeseries[name][:n], err_msg=name)
    n_r = short.regions["step"].size
    for name, values in short.regions.items():
        np.testing.assert_array_equal(values, long.regions[name][:n_r], err_msg=name)


def test_check_ensembles_share_one_run_across_horizons(monkeypatch):
    """An ensemble asked for at two horizons runs once, at the longer; the shorter is its first
    years, equal to running it alone."""
    from dataclasses import replace

    from scenarios.experiments.checks import core

    design = core.Design(seeds=2, years=1, citizens=300, stress_years=2, workers=1, burn_in_weeks=0)
    calls: list[int] = []
    real = core.run_tasks
    monkeypatch.setattr(core, "run_tasks", lambda fn, tasks, *a: calls.append(len(tasks)) or real(fn, tasks, *a))
    both = core.ensembles({"short": design.baseline(1), "long": design.baseline(2)}, design)
    assert calls == [2]  # one scenario x two seeds
    assert core.ensembles({"again": design.baseline(1)}, design)["again"]["attacks"].shape == (2, 1)
    assert calls == [2]  # from the cache
    alone = core.ensembles({"short": design.baseline(1)}, replace(design, runs=core.RunCache()))["short"]
    assert both["short"].keys() == alone.keys()
    for name, values in alone.items():
        assert values.shape == (2, 1) and np.array_equal(values, both["short"][name], equal_nan=True), name
    assert both["long"]["attacks"].shape == (2, 2)


def test_check_baseline_runs_through_the_task_runner_equal_direct_runs():
    """The whole baseline runs the facts checks keep go through the workers as plain configs: the
    same runs as simulating the scenario directly."""
    from scenarios.experiments.checks import core

    design = core.Design(seeds=2, years=1, citizens=300, stress_years=1, workers=1, burn_in_weeks=0)
    runs = core.baseline_runs(design, 1, 300)
    for s, run in enumerate(runs):
        direct = simulate(design.baseline(1, 300), 1000 + s)
        for name, values in direct.timeseries.items():
            np.testing.assert_array_equal(values, run.timeseries[name], err_msg=name)
