"""The typed scenario: :class:`Scenario` and its parts, static pydantic classes that mypy understands.

``Scenario``, ``States``, ``StateConfig`` and one subclass per state with levers, ``Drivers``,
``Parameters``. A state's levers are a class with one optional schedule field per lever it supplies;
the field lists are generated from the registries into :mod:`scenarios.spec.declared` by
``scripts/gen_declared.py`` (a test fails when they are stale), while bounds, units and
descriptions stay in the registry and are read by each field's
:class:`~scenarios.spec.fields.Registered` marker. Code that must not care about the
representation calls ``scenario.states.of(state).lever(name)`` and
``scenario.states.tajikistan.aid_allocation.weight(name)``. Loading files is
:mod:`scenarios.spec.loader`'s job; problem reporting is :mod:`scenarios.spec.problems`'s.
"""

from __future__ import annotations

import difflib
import typing
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BeforeValidator,
    Field,
    ValidationError,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

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
from scenarios.spec.problems import PLACES_ERROR, place_problems, playable_states

EventKind = Literal["attack", "opium_ban", "afghan_collapse", "russian_drawdown", "meth_surge", "crackdown"]
"""The shocks a scenario's ``events:`` and a teacher's injects can use (effects in scenarios.model.model)."""
EVENT_KINDS: tuple[str, ...] = typing.get_args(EventKind)

# --------------------------------------------------------------------------- models


class Society(Strict):
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


class Allocation(Strict):
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


class Event(Strict):
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


class Team(Strict):
    """A team of a classroom exercise: the state it plays, its budget per round, its briefing."""

    budget_musd: float = Field(gt=0, le=10_000, description="budget per round (one simulated year) [USD M]")
    briefing: str = Field(min_length=1, max_length=5000, description="what the team reads before round 1")
    goals: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(min_length=1, max_length=10)


def _default_injects() -> list[EventKind]:
    return ["attack", "opium_ban", "afghan_collapse", "russian_drawdown"]


class Exercise(Strict):
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


class Exploration(Strict):
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


class StateConfig(Strict):
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
        "the levers levers.yaml flags aid_default",
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


class States(Strict):
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


class Scenario(Strict):
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
