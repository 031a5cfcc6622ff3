"""The typed parameters (spec/params.py, generated): one field per registry parameter, frozen."""

from __future__ import annotations

import dataclasses

import pytest

from scenarios.spec import registry
from scenarios.spec.params import Params


def test_defaults_are_the_registry_values_with_overrides_by_name():
    table = registry.parameters()
    p = Params.defaults()
    assert [f.name for f in dataclasses.fields(Params)] == list(table)
    assert all(getattr(p, name) == par.value for name, par in table.items())
    q = Params.defaults(route_loss_elasticity=1.5)
    assert q.route_loss_elasticity == 1.5 and q.severity_alpha == p.severity_alpha
    with pytest.raises(KeyError, match=r"unknown parameters: \['route_los_elasticity'\]"):
        Params.defaults(route_los_elasticity=1.5)


def test_from_values_needs_exactly_the_registry_names_and_gives_floats():
    values = {name: par.value for name, par in registry.parameters().items()}
    values["burn_in_weeks"] = int(values["burn_in_weeks"])
    p = Params.from_values(values)
    assert isinstance(p.burn_in_weeks, float)
    extra = {**values, "typo": 1.0}
    with pytest.raises(KeyError, match=r"parameters differ from the registry: \['typo'\]"):
        Params.from_values(extra)
    missing = {k: v for k, v in values.items() if k != "severity_alpha"}
    with pytest.raises(KeyError, match="severity_alpha"):
        Params.from_values(missing)


def test_params_are_frozen():
    p = Params.defaults()
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.severity_alpha = 3.0  # type: ignore[misc]
