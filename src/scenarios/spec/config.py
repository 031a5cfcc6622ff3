"""Scenario configs: one import for the typed :class:`Scenario` and its loader.

The code lives in three modules: :mod:`scenarios.spec.schema` (the pydantic classes and the JSON
Schema), :mod:`scenarios.spec.loader` (YAML files, ``extends:``, ``--set``, validation) and
:mod:`scenarios.spec.problems` (every problem with file, line, key path and what is allowed). This
module re-exports their public names so that ``from scenarios.spec.config import load_scenario``
keeps working.
"""

from __future__ import annotations

from scenarios.errors import ConfigError
from scenarios.spec.declared import AidAllocation, Drivers, Parameters
from scenarios.spec.fields import Schedule
from scenarios.spec.loader import (
    MAX_NODES,
    derive,
    library_dir,
    library_scenarios,
    load_scenario,
    load_with_sources,
    overlay,
    override,
    parse_override,
    resolve_config,
    scenario_dict,
    validate_data,
)
from scenarios.spec.problems import Provenance, outside_the_run, place_problems, playable_states
from scenarios.spec.schema import (
    EVENT_KINDS,
    Event,
    EventKind,
    Scenario,
    StateConfig,
    States,
    json_schema,
    scenario_model,
)

__all__ = [
    "EVENT_KINDS",
    "MAX_NODES",
    "AidAllocation",
    "ConfigError",
    "Drivers",
    "Event",
    "EventKind",
    "Parameters",
    "Provenance",
    "Scenario",
    "Schedule",
    "StateConfig",
    "States",
    "derive",
    "json_schema",
    "library_dir",
    "library_scenarios",
    "load_scenario",
    "load_with_sources",
    "outside_the_run",
    "overlay",
    "override",
    "parse_override",
    "place_problems",
    "playable_states",
    "resolve_config",
    "scenario_dict",
    "scenario_model",
    "validate_data",
]
