"""Property tests (hypothesis, small budgets): any valid config runs with outcomes in bounds; any
corrupted config gives the config error and nothing else."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios.errors import ConfigError
from scenarios.model import simulate
from scenarios.spec import outcomes, registry
from scenarios.spec.config import validate_data

SUPPLY = [(s, lever) for s in registry.STATES for lever in registry.levers_of(s)]
PARAMS = list(registry.parameters().values())


@st.composite
def valid_configs(draw):
    levers: dict = {}
    for state, lever in draw(st.lists(st.sampled_from(SUPPLY), max_size=5, unique=True)):
        lv = registry.levers()[lever]
        levers.setdefault(state, {"levers": {}})["levers"][lever] = draw(st.floats(lv.min, lv.max))
    params = {
        p.name: draw(st.floats(p.min, p.max))
        for p in draw(st.lists(st.sampled_from(PARAMS), max_size=4, unique_by=lambda p: p.name))
    }
    drivers = {
        d.name: draw(st.floats(d.min, d.max))
        for d in draw(
            st.lists(st.sampled_from(list(registry.drivers().values())), max_size=3, unique_by=lambda d: d.name)
        )
    }
    return {
        "name": "prop",
        "years": 1,
        "society": {"citizens": 300},
        "states": levers,
        "parameters": params,
        "drivers": drivers,
    }


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_configs(), st.integers(0, 2**32))
def test_any_valid_config_runs_with_outcomes_in_bounds(cfg, seed):
    data = simulate(validate_data(cfg), seed).timeseries
    for name, o in outcomes.national().items():
        v = data[name]
        assert np.all(np.isfinite(v)), name
        if o.unit in ("share", "0-1"):
            assert np.all((v >= 0) & (v <= 1 + 1e-12)), name
    assert np.all((data["stability_index"] >= 0) & (data["stability_index"] <= 100))


CORRUPTIONS = st.one_of(
    st.tuples(st.just("unknown"), st.text(st.characters(categories=["Ll"]), min_size=3, max_size=12)),
    st.tuples(st.just("range"), st.sampled_from(["years", "seed", "society.citizens"])),
    st.tuples(
        st.just("type"), st.sampled_from(["years", "start", "society.legitimacy_feedback", "drivers.corruption"])
    ),
    st.tuples(st.just("nan"), st.sampled_from([p.name for p in PARAMS])),
)


@settings(max_examples=40, deadline=None)
@given(valid_configs(), CORRUPTIONS)
def test_any_corrupted_config_gives_the_config_error(cfg, corruption):
    kind, what = corruption
    if kind == "unknown":
        if what in {
            "name",
            "description",
            "question",
            "extends",
            "start",
            "years",
            "seed",
            "world",
            "society",
            "states",
            "drivers",
            "parameters",
            "allocation",
            "events",
            "exercise",
            "exploration",
        }:
            what = what + "_x"
        cfg[what] = 1
    elif kind == "range":
        node, key = (cfg["society"], "citizens") if what == "society.citizens" else (cfg, what)
        node[key] = -1
    elif kind == "type":
        parts = what.split(".")
        node = cfg
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = ["not", "valid"]
    else:
        cfg["parameters"][what] = float("nan")
    try:
        validate_data(cfg)
    except ConfigError as err:
        assert err.problems and all(p.message for p in err.problems)
        key = {"unknown": what, "range": what, "type": what, "nan": f"parameters.{what}"}[kind]
        assert any(p.path == key or p.path.startswith(key + ".") for p in err.problems), (key, err.problems)
    else:
        raise AssertionError(f"{corruption} was accepted")
