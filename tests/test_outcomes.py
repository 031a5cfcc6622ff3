"""Outcomes declared as data (spec/outcomes.py): levels, views, goals and the stability index."""

from __future__ import annotations

import math

import numpy as np
import pytest

from scenarios.spec import outcomes, registry
from scenarios.spec.params import Params


def test_national_outcomes_add_one_per_channel_and_one_per_driver():
    table = outcomes.national()
    for channel in registry.channels():
        o = table[f"capacity_{channel}"]
        assert o.unit == "0-1" and o.higher_is_better is None and o.level == "national"
    for driver in registry.drivers().values():
        assert table[driver.name].unit == driver.unit and table[driver.name].description.startswith("driver: ")
    assert all(o.level == "region" for o in outcomes.regional().values())
    assert all(o.level == "segment" for o in outcomes.per_segment().values())


def test_every_view_and_goal_names_a_declared_outcome():
    names = set(outcomes.national()) | set(outcomes.regional()) | set(outcomes.per_segment())
    assert {"dashboard", "headline"} <= set(outcomes.views())
    for view, members in outcomes.views().items():
        assert set(members) <= names, view
        assert outcomes.view(view) == members
    for state, goals in outcomes.state_goals().items():
        assert state in registry.STATES
        assert all(name in names and sign in (-1, 1) for name, sign in goals), state
    with pytest.raises(KeyError):
        outcomes.view("no_such_view")


def test_components_are_one_at_best_and_fall_with_harm():
    best = outcomes.stability_components(0.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    assert set(best) == set(outcomes.INDEX_COMPONENTS) and all(float(v) == 1.0 for v in best.values())
    s = outcomes.SCALES
    worse = outcomes.stability_components(
        s["casualties_per_year"],
        s["active_share"] / 2,
        s["radicalised_share"],
        0.4,
        s["jailed_share"] / 2,
        s["delivered_t_per_year"],
    )
    assert float(worse["security"]) == pytest.approx(math.exp(-1)) and float(worse["narcotics"]) == pytest.approx(
        math.exp(-1)
    )
    assert float(worse["order"]) == 0.0  # half the unrest scale and half the jail scale: disorder 1
    assert float(worse["radicalisation"]) == 0.0 and float(worse["legitimacy"]) == 0.4
    # without drug data the index has four components
    assert set(outcomes.stability_components(0.0, 0.0, 0.0, 1.0)) == {
        "security",
        "order",
        "radicalisation",
        "legitimacy",
    }


def test_the_index_is_the_weighted_mean_of_the_components_given():
    w = outcomes.index_weights()
    kwargs = {"casualties_52w": 0.0, "active_share": 0.0, "radicalised_share": 0.0, "legitimacy": np.array([1.0, 0.5])}
    idx = outcomes.stability_index(w, **kwargs)
    four = sum(w[c] for c in ("security", "order", "radicalisation"))
    assert idx[0] == pytest.approx(100.0)
    assert idx[1] == pytest.approx(100 * (four + 0.5 * w["legitimacy"]) / (four + w["legitimacy"]))
    assert np.all(np.isnan(outcomes.stability_index(dict.fromkeys(w, 0.0), **kwargs)))


def test_index_weights_come_from_the_registry_or_the_run_parameters():
    table = registry.parameters()
    assert outcomes.index_weights() == {c: table[f"index_weight_{c}"].value for c in outcomes.INDEX_COMPONENTS}
    p = Params.defaults(index_weight_security=table["index_weight_security"].max)
    assert outcomes.index_weights(p)["security"] == table["index_weight_security"].max
