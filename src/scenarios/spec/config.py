"""Scenario configs: the typed :class:`Scenario` and the YAML loader.

A scenario is a YAML file. It may ``extends:`` another file (a path relative to itself, or the name
of a scenario of the packaged library, e.g. ``baseline``) and then states only what differs:
mappings merge key by key, anything else (numbers, lists) replaces what the parent had. The
merged, validated :class:`Scenario` is what runs and what is recorded.

The types are static pydantic classes that mypy understands (``Scenario``, ``States``,
``StateConfig`` and one subclass per state with levers, ``Drivers``, ``Parameters``). A state's
levers are a class with one optional schedule field per lever it supplies; the field lists are
generated from the registries into :mod:`scenarios.spec.declared` by
``scripts/gen_declared.py`` (a test fails when they are stale), while bounds, units and
descriptions stay in the registry and are read by each field's
:class:`~scenarios.spec.fields.Registered` marker. Code that must not care about the
representation calls ``scenario.states.of(state).lever(name)`` and
``scenario.states.tajikistan.aid_allocation.weight(name)``.

Every problem in a file is reported at once, each with file, line, key path, the bad value, what
is allowed and a did-you-mean for misspelt keys and place names (:class:`scenarios.errors.ConfigError`);
a key given twice in a mapping is a problem too. :func:`outside_the_run` names dated entries that
can never take effect.
"""

from __future__ import annotations

import copy
import difflib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from scenarios.errors import ConfigError, Problem
from scenarios.schedule import parse_date
from scenarios.spec import registry
from scenarios.spec.declared import (
    AidAllocation,
    ChinaLevers,
    Drivers,
    Parameters,
    RussiaLevers,
    ScoLevers,
    TajikistanLevers,
)
from scenarios.spec.fields import DATE_SCHEMA_PATTERN, LeverSchedules, Schedule, Strict

__all__ = [
    "EVENT_KINDS",
    "AidAllocation",
    "Drivers",
    "Event",
    "EventKind",
    "Parameters",
    "Scenario",
    "Schedule",
    "StateConfig",
    "States",
    "derive",
    "json_schema",
    "library_dir",
    "library_scenarios",
    "load_scenario",
    "resolve_config",
    "scenario_dict",
    "validate_data",
]

EventKind = Literal["attack", "opium_ban", "afghan_collapse", "russian_drawdown", "meth_surge", "crackdown"]
"""The shocks a scenario's ``events:`` and a teacher's injects can use (effects in scenarios.model.model)."""
EVENT_KINDS: tuple[str, ...] = typing.get_args(EventKind)
_Strict = Strict
PLACES_ERROR = "unknown_place"

# --------------------------------------------------------------------------- models


class Society(_Strict):
    """Citizens and the unrest / radicalisation submodels."""

    citizens: int = Field(
        10_000,
        ge=100,
        le=9_660_000,
        description="citizens simulated (each stands for a share of the census population; 9,660,000 is one agent per person)",
    )
    legitimacy_feedback: bool = Field(
        True,
        description="repression and surveillance lower legitimacy (Lemos et al. 2018); off = legitimacy only follows economy and soft power",
    )
    arrest_rounding: Literal["floor", "round"] = Field(
        "floor",
        description="how C/A becomes an integer in Epstein's arrest probability: floor (Epstein, NetLogo) or round (Mesa's example)",
    )


class Allocation(_Strict):
    """How spatial levers are spread over border segments and regions (weights, normalised)."""

    border: dict[str, Annotated[float, Field(ge=0, le=1000)]] | None = Field(
        None, description="weight per border segment for segment levers; default: length x (1 - difficulty)"
    )
    regions: dict[str, Annotated[float, Field(ge=0, le=1000)]] | None = Field(
        None, description="weight per region for region levers; default: population"
    )


def _year_as_text(value: object) -> object:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


_WHEN_SCHEMA = {
    "description": "year or month, e.g. 2024 or '2024-11'",
    "anyOf": [
        {"type": "integer", "minimum": 1000, "maximum": 9999},
        {"type": "string", "pattern": DATE_SCHEMA_PATTERN},
    ],
}


class Event(_Strict):
    """A shock at a date: the classroom teacher's injects use the same kinds."""

    when: Annotated[str, BeforeValidator(_year_as_text), WithJsonSchema(_WHEN_SCHEMA)] = Field(
        description="year or month, e.g. 2024 or '2024-11'", pattern=DATE_SCHEMA_PATTERN
    )
    kind: EventKind
    region: str | None = Field(
        None, description="region of an attack (default: the region of the first border segment, Khatlon)"
    )
    segment: str | None = Field(None, description="border segment of a crackdown (default: every segment)")
    weeks: int | None = Field(
        None, ge=1, le=2600, description="how long the shock lasts (default: to the end of the run)"
    )
    magnitude: float | None = Field(
        None, ge=0, le=10, description="size of the shock; defaults per kind in docs/model.md"
    )


class Team(_Strict):
    """A team of a classroom exercise: the state it plays, its budget per round, its briefing."""

    budget_musd: float = Field(gt=0, le=10_000, description="budget per round (one simulated year) [USD M]")
    briefing: str = Field(min_length=1, max_length=5000, description="what the team reads before round 1")
    goals: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(min_length=1, max_length=10)


def playable_states() -> list[str]:
    """The states a classroom team can play: those that supply levers."""
    return [s for s in registry.STATES if registry.levers_of(s)]


def _default_injects() -> list[EventKind]:
    return ["attack", "opium_ban", "afghan_collapse", "russian_drawdown"]


class Exercise(_Strict):
    """A classroom exercise: teams play states round by round (one round = one simulated year)."""

    title: str = Field(min_length=1, max_length=200)
    rounds: int = Field(ge=1, le=50, description="rounds played; at most the scenario's years")
    minutes_per_round: int = Field(15, ge=1, le=240)
    learning_objectives: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(min_length=1, max_length=10)
    teams: dict[str, Team] = Field(min_length=1, description="state name -> team; states with levers only")
    injects: list[EventKind] = Field(
        default_factory=_default_injects,
        description="events the teacher may inject",
    )
    debrief_questions: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=20
    )

    @model_validator(mode="after")
    def _teams(self) -> Exercise:
        # the loader reports these from the raw data with lines and did-you-mean (place_problems)
        unknown = [t for t in self.teams if t not in playable_states()]
        if unknown:
            raise PydanticCustomError(
                PLACES_ERROR, "teams: {names} cannot be played", {"names": ", ".join(map(repr, unknown))}
            )
        return self


Range = Annotated[tuple[float, float], Field(description="[low, high]")]


class Exploration(_Strict):
    """What sensitivity analysis and sweeps vary: uncertainties (drivers, parameters) and levers, with ranges.

    A sampled driver or lever value holds for the whole run (it replaces the scenario's schedule),
    unless the lever also has a start year (``'state.lever@start': [first, last]``, whole years):
    then the scenario's schedule holds until that year and the sampled level from it. A sampled
    parameter replaces the parameter. Ranges must lie within the registry's bounds.
    """

    uncertainties: dict[str, Range] = Field(default_factory=dict, description="driver or parameter name -> [low, high]")
    levers: dict[str, Range] = Field(
        default_factory=dict,
        description="'state.lever' -> [low, high] in the lever's unit; 'state.lever@start' -> [first, last] year its level starts",
    )
    outcomes: list[str] = Field(
        default_factory=lambda: ["stability_index", "casualties", "seizures_t", "unrest_active_share"], min_length=1
    )

    @model_validator(mode="after")
    def _names(self) -> Exploration:
        drivers, params, levers = registry.drivers(), registry.parameters(), registry.levers()
        problems = []
        for name, (lo, hi) in self.uncertainties.items():
            entry = drivers.get(name) or params.get(name)
            if entry is None:
                close = difflib.get_close_matches(name, [*drivers, *params], n=1)
                problems.append(
                    f"uncertainties.{name}: not a driver or parameter"
                    + (f" (did you mean '{close[0]}'?)" if close else "")
                )
            elif not (entry.min <= lo < hi <= entry.max):
                problems.append(
                    f"uncertainties.{name}: [{lo:g}, {hi:g}] must be increasing and within [{entry.min:g}, {entry.max:g}]"
                )
        for key, (lo, hi) in self.levers.items():
            state, _, lever = key.removesuffix("@start").partition(".")
            if state not in registry.STATES or lever not in registry.levers_of(state):
                problems.append(
                    f"levers.{key}: not 'state.lever' of a lever the state supplies (e.g. china.joint_border_patrols)"
                    " or 'state.lever@start' (the year its level starts)"
                )
            elif key.endswith("@start"):  # a start year: whole years in the run (checked with the run's dates)
                if key.removesuffix("@start") not in self.levers:
                    problems.append(
                        f"levers.{key}: a start year needs the lever's level too ('{key[:-6]}': [low, high])"
                    )
            elif not (levers[lever].min <= lo < hi <= levers[lever].max):
                problems.append(
                    f"levers.{key}: [{lo:g}, {hi:g}] must be increasing and within [{levers[lever].min:g}, {levers[lever].max:g}]"
                )
        from scenarios.spec import outcomes as outcome_registry

        known = outcome_registry.national()
        for name in self.outcomes:
            if name not in known:
                close = difflib.get_close_matches(name, list(known), n=1)
                problems.append(
                    f"outcomes: {name!r} is not an outcome" + (f" (did you mean '{close[0]}'?)" if close else "")
                )
        if problems:
            raise ValueError("; ".join(problems))
        return self


class StateConfig(_Strict):
    """A state's policy and budget; the states that supply levers add ``levers`` (see the subclasses)."""

    policy: Literal["schedule", "adaptive"] = Field(
        "schedule",
        description="schedule: levers as given; adaptive: the state's documented rule scales them with threat",
    )
    budget_musd: Annotated[float, Field(ge=0, le=100_000)] | None = Field(
        None, description="cap on the state's total lever spending per year [USD M/yr]"
    )

    def lever(self, name: str) -> Schedule | None:
        """The schedule this state gives lever ``name``, or ``None`` (not set, or not a lever it supplies)."""
        levers = getattr(self, "levers", None)
        return levers.schedule(name) if isinstance(levers, LeverSchedules) else None

    @model_validator(mode="after")
    def _budget(self) -> StateConfig:
        if self.budget_musd is None:
            return self
        from scenarios.schedule import expand, step_years

        years = step_years("2000", 101 * 52)
        total = sum(
            (expand(self.lever(n), years, 0.0) * lv.cost_musd_per_unit for n, lv in registry.levers().items()),
            start=years * 0.0,
        )
        over = years[total > self.budget_musd + 1e-9]
        if over.size:
            raise ValueError(
                f"lever spending reaches {total.max():.1f} USD M/yr (first over in {int(over[0])}), "
                f"over the budget of {self.budget_musd:g} USD M/yr"
            )
        return self


class TajikistanState(StateConfig):
    """Tajikistan: its own levers and how it spends the financial aid it receives."""

    levers: TajikistanLevers = Field(default_factory=TajikistanLevers)
    aid_allocation: AidAllocation = Field(
        default_factory=AidAllocation,
        description="shares of received financial aid spent on each Tajik lever (normalised); default: equal over "
        "military_training, joint_border_patrols, military_equipment, surveillance_systems",
    )


class ChinaState(StateConfig):
    """China's levers."""

    levers: ChinaLevers = Field(default_factory=ChinaLevers)


class RussiaState(StateConfig):
    """Russia's levers."""

    levers: RussiaLevers = Field(default_factory=RussiaLevers)


class ScoState(StateConfig):
    """The SCO's levers."""

    levers: ScoLevers = Field(default_factory=ScoLevers)


class States(_Strict):
    """Every state agent, in the order the model steps them (``registry.STATES``)."""

    tajikistan: TajikistanState = Field(default_factory=TajikistanState)
    china: ChinaState = Field(default_factory=ChinaState)
    russia: RussiaState = Field(default_factory=RussiaState)
    taliban: StateConfig = Field(default_factory=StateConfig)
    sco: ScoState = Field(default_factory=ScoState)

    def of(self, state: str) -> StateConfig:
        """The config of ``state`` (a name of ``registry.STATES``)."""
        config: StateConfig = getattr(self, state)
        return config


class Scenario(_Strict):
    """A validated scenario: what runs and what a manifest records."""

    name: str = Field(
        "scenario",
        min_length=1,
        max_length=100,
        pattern=r"^[A-Za-z0-9_.-]+$",
        description="short name, used in results folder names",
    )
    description: str = Field("", max_length=5000)
    question: str = Field("", max_length=2000, description="the question the scenario asks")
    extends: str | None = Field(
        None,
        description="the scenario this one extends: a path relative to this file, or a library scenario's name (e.g. baseline)",
    )
    start: str = Field("2021-01", pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="first simulated month, YYYY-MM")
    years: int = Field(10, ge=1, le=50, description="horizon in years (52 weekly steps each)")
    seed: int = Field(20250320, ge=0, le=2**63 - 1, description="root seed")
    world: str | None = Field(None, description="path of a world file; default: the shipped Tajikistan world")
    society: Society = Field(default_factory=Society)
    states: States = Field(default_factory=States)
    drivers: Drivers = Field(default_factory=Drivers)
    parameters: Parameters = Field(default_factory=Parameters)
    allocation: Allocation = Field(default_factory=Allocation)
    events: list[Event] = Field(default_factory=list)
    exercise: Exercise | None = Field(None, description="classroom exercise: teams, rounds, briefings")
    exploration: Exploration | None = Field(
        None, description="uncertainties and levers with ranges, for sensitivity and sweeps"
    )

    @field_validator("world")
    @classmethod
    def _world_file(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            registry.load_world(value)
        except FileNotFoundError:
            raise ValueError(f"file {value!r} not found") from None
        except OSError as err:
            raise ValueError(f"cannot read {value!r} ({err.strerror})") from None
        except ValidationError as err:
            what = "; ".join(
                (".".join(str(x) for x in e["loc"]) + ": " if e["loc"] else "") + e["msg"].removeprefix("Value error, ")
                for e in err.errors()[:3]
            )
            raise ValueError(f"{value!r} is not a valid world file: {what}") from None
        except yaml.YAMLError as err:
            raise ValueError(f"{value!r} is not a valid world file ({str(err).splitlines()[0]})") from None
        return value

    def end(self) -> float:
        """The end of the run as a fractional year (``start`` + ``years``)."""
        return parse_date(self.start) + self.years

    @model_validator(mode="after")
    def _places(self) -> Scenario:
        # the loader reports these from the raw data with lines; this keeps model_validate honest too
        problems = place_problems(self.model_dump(mode="python"))
        if problems:
            text = "; ".join(f"{'.'.join(p.path)}: {p.message} {p.value} (allowed: {p.allowed})" for p in problems)
            raise PydanticCustomError(PLACES_ERROR, text)
        return self

    @model_validator(mode="after")
    def _rounds(self) -> Scenario:
        if self.exercise is not None and self.exercise.rounds > self.years:
            raise ValueError(
                f"exercise.rounds: {self.exercise.rounds} rounds need at least as many years (years is {self.years})"
            )
        return self


def scenario_model() -> type[Scenario]:
    """The scenario type (kept for callers of the generated-model era; use :class:`Scenario`)."""
    return Scenario


# --------------------------------------------------------------------------- places and dates


@dataclass(frozen=True)
class _Found:
    """A problem found on raw data, before it becomes a :class:`Problem` with file and line."""

    path: tuple[str, ...]
    message: str
    value: str | None = None
    allowed: str | None = None
    hint: str | None = None


def _did_you_mean(word: str, choices: typing.Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _unknown(path: tuple[str, ...], what: str, word: object, names: typing.Sequence[str]) -> _Found:
    return _Found(path, f"unknown {what}", repr(word), ", ".join(names), _did_you_mean(str(word), names))


def place_problems(data: Mapping[str, Any]) -> list[_Found]:
    """Names of places and states in raw scenario data that the scenario's world (or the model) does not have.

    Checks allocation weights (segments, regions), event regions and segments, and exercise teams,
    so that they are reported in the same pass as every other problem, each with did-you-mean.
    A world that cannot be read is left to the field check of ``world``.
    """
    found: list[_Found] = []
    exercise = data.get("exercise")
    teams = exercise.get("teams") if isinstance(exercise, Mapping) else None
    if isinstance(teams, Mapping):
        playable = playable_states()
        found += [
            _unknown(("exercise", "teams", str(t)), "state (a team plays a state with levers)", t, playable)
            for t in teams
            if t not in playable
        ]
    try:
        world = registry.load_world(data.get("world") if isinstance(data.get("world"), str) else None)
    except (OSError, ValidationError, yaml.YAMLError):
        return found
    allocation = data.get("allocation")
    if isinstance(allocation, Mapping):
        for field, what, names in (
            ("border", "border segment", world.segment_names),
            ("regions", "region", world.region_names),
        ):
            weights = allocation.get(field)
            if not isinstance(weights, Mapping):
                continue
            found += [_unknown(("allocation", field, str(k)), what, k, names) for k in weights if k not in names]
            values = [v for v in weights.values() if isinstance(v, int | float)]
            if values and len(values) == len(weights) and sum(values) <= 0:
                found.append(_Found(("allocation", field), "weights must not all be zero"))
    events = data.get("events")
    if isinstance(events, list):
        for i, ev in enumerate(events):
            if not isinstance(ev, Mapping):
                continue
            for field, what, names in (
                ("region", "region", world.region_names),
                ("segment", "border segment", world.segment_names),
            ):
                name = ev.get(field)
                if name is not None and name not in names:
                    found.append(_unknown(("events", str(i), field), what, name, names))
    return found


def outside_the_run(scenario: Scenario) -> list[str]:
    """Dated entries of ``scenario`` that fall outside its run and so never take effect, by name.

    An event dated before ``start`` or at or after ``start + years`` never happens; a schedule
    point after the end is never reached, and one before ``start`` that a later point before
    ``start`` overrides is never used. The CLI prints these as warnings.
    """
    begin, end = parse_date(scenario.start), scenario.end()
    last = f"{scenario.start} + {scenario.years} years"
    notes = [
        f"events.{i} ({ev.kind} on {ev.when}) is {'before the start' if parse_date(ev.when) < begin - 1e-9 else 'after the end'} "
        f"of the run ({last}) and never happens"
        for i, ev in enumerate(scenario.events)
        if not begin - 1e-9 <= parse_date(ev.when) < end - 1e-9
    ]
    schedules: list[tuple[str, Schedule | None]] = []
    for state in registry.STATES:
        config = scenario.states.of(state)
        schedules += [(f"states.{state}.levers.{n}", config.lever(n)) for n in registry.levers_of(state)]
    schedules += [(f"drivers.{n}", v) for n, v in scenario.drivers.given().items()]
    late: list[str] = []
    unused: list[str] = []
    for path, schedule in schedules:
        if not isinstance(schedule, Mapping):
            continue
        dates = {k: parse_date(k) for k in schedule}
        after = [k for k, d in dates.items() if d >= end - 1e-9]
        before = [k for k, d in dates.items() if d < begin and any(d < e <= begin + 1e-9 for e in dates.values())]
        late += [f"{path} ({', '.join(after)})"] if after else []
        unused += [f"{path} ({', '.join(before)})"] if before else []
    if late:
        notes.append(f"schedule points after the end of the run ({last}) are never reached: {'; '.join(late)}")
    if unused:
        notes.append(
            f"schedule points before the start ({scenario.start}) that a later one overrides are never used: {'; '.join(unused)}"
        )
    return notes


def _place_enums() -> dict[str, list[str]]:
    world = registry.default_world()
    return {"regions": list(world.region_names), "segments": list(world.segment_names)}


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (for editor completion), with the shipped world's place names.

    It accepts what the loader accepts; a custom ``world:`` may name other places, which the schema
    cannot know (the loader checks them against that world).
    """
    from scenarios import __version__

    schema = Scenario.model_json_schema()
    defs = schema["$defs"]
    places = _place_enums()
    for name, what in (("border", "segments"), ("regions", "regions")):
        prop = defs["Allocation"]["properties"][name]
        for option in prop["anyOf"]:
            if option.get("type") == "object":
                option["propertyNames"] = {"enum": places[what]}
    event = defs["Event"]["properties"]
    for name, what in (("region", "regions"), ("segment", "segments")):
        event[name]["anyOf"] = [{"type": "string", "enum": places[what]}, {"type": "null"}]
    defs["Exercise"]["properties"]["teams"]["propertyNames"] = {"enum": playable_states()}
    from scenarios.spec import outcomes as outcome_registry

    explore = defs["Exploration"]["properties"]
    explore["uncertainties"]["propertyNames"] = {"enum": [*registry.drivers(), *registry.parameters()]}
    explore["levers"]["propertyNames"] = {"enum": [f"{s}.{n}" for s in registry.STATES for n in registry.levers_of(s)]}
    explore["outcomes"]["items"] = {"type": "string", "enum": list(outcome_registry.national())}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:scenarios:scenario-schema:{__version__}",
        **schema,
        "title": "scenarios scenario file",
    }


# --------------------------------------------------------------------------- loading

Provenance = dict[tuple[str, ...], tuple[str, int | None]]


def _line_map(node: yaml.Node, file: str, problems: list[Problem], prefix: tuple[str, ...] = ()) -> Provenance:
    """The line of every key path under ``node``; a key given twice in one mapping is a problem."""
    out: Provenance = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*prefix, str(key_node.value))
            line = key_node.start_mark.line + 1
            if path in out:
                problems.append(
                    Problem(
                        file,
                        line,
                        ".".join(path),
                        f"duplicate key (first given at line {out[path][1]}); YAML would silently keep the last",
                        allowed="each key once per mapping",
                    )
                )
                continue
            out[path] = (file, line)
            out.update(_line_map(value_node, file, problems, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = (*prefix, str(i))
            out[path] = (file, item.start_mark.line + 1)
            out.update(_line_map(item, file, problems, path))
    return out


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML was built with it (about 8x faster), else the pure-Python one."""


def _read_yaml(path: Path, problems: list[Problem], origin: Problem | None) -> tuple[dict | None, Provenance]:
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(origin or Problem(file, None, "", "file not found", allowed="a path to a scenario .yaml file"))
        return None, {}
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(file, None, "", f"cannot read the file ({err})"))
        return None, {}
    try:
        node = yaml.compose(text, Loader=_LOADER)
        data = yaml.load(text, Loader=_LOADER)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problems.append(Problem(file, mark.line + 1 if mark else None, "", f"YAML syntax error: {err.problem or err}"))
        return None, {}
    except yaml.YAMLError as err:
        problems.append(Problem(file, None, "", f"YAML error: {err}"))
        return None, {}
    if data is None:
        problems.append(
            Problem(file, None, "", "the file is empty", allowed="a mapping of scenario keys, e.g. 'name: my_scenario'")
        )
        return None, {}
    if not isinstance(data, dict):
        problems.append(Problem(file, 1, "", f"the top level must be a mapping of keys, not a {type(data).__name__}"))
        return None, {}
    found: list[Problem] = []
    lines = _line_map(node, file, found) if node is not None else {}
    if found:
        problems.extend(found)
        return None, {}
    return data, lines


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _load_raw(
    path: Path, problems: list[Problem], chain: tuple[Path, ...], origin: Problem | None
) -> tuple[dict | None, Provenance]:
    data, lines = _read_yaml(path, problems, origin)
    if data is None:
        return None, {}
    world = data.get("world")
    if isinstance(world, str) and world and not Path(world).is_absolute():
        data["world"] = str((path.parent / world).resolve())
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data, lines
    file, line = lines.get(("extends",), (str(path), None))
    if not isinstance(parent_ref, str) or not parent_ref.strip():
        problems.append(
            Problem(file, line, "extends", "must be a path to another scenario file", value=repr(parent_ref))
        )
        return None, {}
    parent = _parent_path(path, parent_ref)
    if parent in chain:
        cycle = " -> ".join(p.name for p in (*chain, parent))
        problems.append(Problem(file, line, "extends", f"circular extends: {cycle}", value=repr(parent_ref)))
        return None, {}
    missing = Problem(
        file,
        line,
        "extends",
        "the file it extends does not exist",
        value=repr(parent_ref),
        allowed="a path relative to this file, or a library scenario: " + ", ".join(library_scenarios()),
    )
    base, base_lines = _load_raw(parent, problems, (*chain, parent), missing)
    if base is None:
        return None, {}
    return _merge(base, data), {**base_lines, **lines}


def library_dir() -> Path:
    """The scenario library shipped inside the package (``scenarios/library``; exercises in ``exercises/``)."""
    return Path(str(resources.files("scenarios").joinpath("library")))


def library_scenarios() -> dict[str, Path]:
    """The library's scenarios by name (exercises as ``exercises/NAME``)."""
    root = library_dir()
    found = {p.stem: p for p in sorted(root.glob("*.yaml"))}
    found.update({f"exercises/{p.stem}": p for p in sorted((root / "exercises").glob("*.yaml"))})
    return found


def resolve_config(ref: str | Path) -> Path:
    """The file a command-line CONFIG names: an existing path, else a library scenario's name.

    ``baseline``, ``baseline.yaml`` and ``exercises/long_decade`` name library files when no such
    file exists in the current folder. Anything else is returned as a path (the loader then
    reports that the file does not exist, listing the library).
    """
    path = Path(ref)
    if path.exists():
        return path
    name = str(ref).removesuffix(".yaml")
    return library_scenarios().get(name, path)


def _parent_path(path: Path, ref: str) -> Path:
    """What ``extends: ref`` in ``path`` names: a file relative to ``path``, else a library scenario."""
    near = (path.parent / ref).resolve()
    if near.exists():
        return near
    library = library_scenarios().get(ref.removesuffix(".yaml"))
    return library.resolve() if library is not None else near


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The keys allowed at ``loc`` in ``model`` (for did-you-mean), if it is a model."""
    current: Any = model
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return None
        field = current.model_fields.get(str(part))
        if field is None:
            return None
        current = _model_in(field.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return list(current.model_fields)
    return None


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, Annotated):
        for arg in typing.get_args(annotation):
            found = _model_in(arg)
            if found is not None:
                return found
    if origin is list:
        return _model_in(typing.get_args(annotation)[0])
    return None


def _bounds_at(model: type[BaseModel], loc: tuple[Any, ...]) -> dict[str, Any]:
    """Both bounds (ge, le) declared on the field at ``loc``, wherever they sit in its annotation."""
    current: Any = model
    field = None
    for part in loc:
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return {}
        field = current.model_fields.get(str(part))
        if field is None:
            return {}
        current = _model_in(field.annotation)
    if field is None:
        return {}
    found: dict[str, Any] = {}

    def visit(meta: Any) -> None:
        for attr in ("ge", "le"):
            if getattr(meta, attr, None) is not None:
                found.setdefault(attr, getattr(meta, attr))
        for inner in getattr(meta, "metadata", ()) or ():
            visit(inner)

    for meta in field.metadata:
        visit(meta)
    stack = [field.annotation]
    while stack:
        ann = stack.pop()
        if typing.get_origin(ann) is Annotated:
            for meta in typing.get_args(ann)[1:]:
                visit(meta)
        stack.extend(typing.get_args(ann))
    return found


def _allowed_text(err: ErrorDetails, model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
    ctx = dict(err.get("ctx") or {})
    if err["type"] == "extra_forbidden":
        names = _fields_at(model, loc[:-1]) or []
        return ", ".join(names) if names else None
    if "ge" in ctx or "le" in ctx:
        for k, v in _bounds_at(model, loc).items():
            ctx.setdefault(k, v)
    if "ge" in ctx and "le" in ctx:
        return f"[{ctx['ge']}, {ctx['le']}]"
    if "ge" in ctx:
        return f">= {ctx['ge']}"
    if "le" in ctx:
        return f"<= {ctx['le']}"
    if "expected" in ctx:
        return str(ctx["expected"])
    if "pattern" in ctx:
        return f"text matching {ctx['pattern']}"
    return None


def _problems_from(err: ValidationError, lines: Provenance, default_file: str, model: type[BaseModel]) -> list[Problem]:
    out = []
    for e in err.errors():
        if e["type"] == PLACES_ERROR:
            continue
        loc = tuple(p for p in e["loc"] if not (isinstance(p, str) and p.startswith(("function-", "float", "dict["))))
        path = tuple(str(p) for p in loc)
        file, line = default_file, None
        for n in range(len(path), -1, -1):  # the nearest key we know a line for
            if path[:n] in lines:
                file, line = lines[path[:n]]
                break
        message = e["msg"].removeprefix("Value error, ")
        hint = None
        if e["type"] == "extra_forbidden":
            message = "unknown key"
            allowed = _fields_at(model, loc[:-1]) or []
            close = difflib.get_close_matches(path[-1], allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else None
        elif e["type"] == "missing":
            message = "required key is missing"
        elif e["type"] == "literal_error" and isinstance(e.get("input"), str):
            choices = [
                c.strip().strip("'")
                for c in str((e.get("ctx") or {}).get("expected", "")).replace(" or ", ",").split(",")
            ]
            hint = _did_you_mean(e["input"], [c for c in choices if c])
        value = None if e["type"] == "missing" else repr(e.get("input"))
        if value is not None and len(value) > 80:
            value = value[:77] + "..."
        out.append(
            Problem(file, line, ".".join(path), message, value=value, allowed=_allowed_text(e, model, loc), hint=hint)
        )
    return out


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """Parse a ``--set path.to.key=value`` override; the value is read as YAML (``5``, ``true``, ``{2021: 3}``)."""
    if "=" not in text:
        raise ConfigError([Problem("<command line>", None, text, "an override must look like path.to.key=value")])
    key, _, raw = text.partition("=")
    path = tuple(p for p in key.strip().split(".") if p)
    if not path:
        raise ConfigError([Problem("<command line>", None, text, "an override needs a key path before '='")])
    try:
        value = yaml.safe_load(raw) if raw.strip() else None
    except yaml.YAMLError as err:
        raise ConfigError([Problem("<command line>", None, key, f"cannot read the value ({err})", value=raw)]) from None
    return path, value


def _apply(data: dict, path: tuple[str, ...], value: Any) -> None:
    node = data
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    node[path[-1]] = value


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, merge (``extends:``), override (``--set``) and validate a scenario file.

    Args:
        path: a scenario file, or the name of a library scenario (see :func:`resolve_config`).
        overrides: ``--set`` texts, ``path.to.key=value``.

    Raises:
        ConfigError: listing every problem found, each with file, line and key path.
    """
    path = resolve_config(path)
    problems: list[Problem] = []
    missing = None
    if not path.exists():
        missing = Problem(
            str(path),
            None,
            "",
            "file not found",
            allowed="a path to a scenario .yaml file, or a library scenario: " + ", ".join(library_scenarios()),
            hint=_did_you_mean(path.stem, library_scenarios()),
        )
    data, lines = _load_raw(path.resolve(), problems, (path.resolve(),), missing)
    parsed = []
    for text in overrides:
        try:
            parsed.append(parse_override(text))
        except ConfigError as err:
            problems.extend(err.problems)
    if problems or data is None:
        raise ConfigError(problems)
    data.setdefault("name", path.stem.replace(" ", "_"))
    for key_path, value in parsed:
        _apply(data, key_path, value)
        lines[key_path] = ("<command line>", None)
    return validate_data(data, lines, str(path))


def _located(found: _Found, lines: Provenance, file: str) -> Problem:
    where, line = file, None
    for n in range(len(found.path), -1, -1):  # the nearest key we know a line for
        if found.path[:n] in lines:
            where, line = lines[found.path[:n]]
            break
    return Problem(where, line, ".".join(found.path), found.message, found.value, found.allowed, found.hint)


def validate_data(data: dict, lines: Provenance | None = None, file: str = "<scenario>") -> Scenario:
    """Validate an already merged scenario mapping (used by the loader, the web app and tests).

    Place names (segments, regions) are checked on the raw data in the same pass as every field,
    so one run of the loader reports every problem.

    Raises:
        ConfigError: listing every problem found.
    """
    lines = lines or {}
    problems = [_located(f, lines, file) for f in place_problems(data)]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ConfigError(problems + _problems_from(err, lines, file, Scenario)) from None
    return scenario


def scenario_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as plain JSON-ready data, with defaults filled in: what a manifest records."""
    return scenario.model_dump(mode="json")


def derive(scenario: Scenario, **changes: Any) -> Scenario:
    """A validated copy of ``scenario`` with ``changes`` applied (``a__b=v`` sets ``a.b``).

    Example: ``derive(base, states__china__levers__financial_aid=100)``.
    """
    data = scenario_dict(scenario)
    for key, value in changes.items():
        node = data
        parts = key.split("__")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = value
    return validate_data(data)
