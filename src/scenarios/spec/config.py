"""Scenario configs: the pydantic schema (derived from the registries) and the YAML loader.

A scenario is a YAML file. It may ``extends:`` another file (a path relative to itself) and then
states only what differs: mappings merge key by key, anything else (numbers, lists) replaces what
the parent had. The merged, validated :class:`Scenario` is what runs and what is recorded.

Every problem in a file is reported at once, each with file, line, key path, the bad value, what
is allowed and a did-you-mean for misspelt keys (:class:`scenarios.errors.ConfigError`).
"""

from __future__ import annotations

import copy
import difflib
import math
import types
import typing
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    create_model,
    model_validator,
)

from scenarios.errors import ConfigError, Problem
from scenarios.schedule import DATE_PATTERN, parse_date
from scenarios.spec import registry

CONFIG_DICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
EventKind = Literal["attack", "opium_ban", "afghan_collapse", "russian_drawdown", "meth_surge", "crackdown"]
"""The shocks a scenario's ``events:`` and a teacher's injects can use (effects in scenarios.model.model)."""
EVENT_KINDS: tuple[str, ...] = typing.get_args(EventKind)


class _Strict(BaseModel):
    model_config = CONFIG_DICT


# --------------------------------------------------------------------------- schedules


def _number(value: Any, lo: float, hi: float, unit: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number in [{lo:g}, {hi:g}] {unit}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"expected a finite number in [{lo:g}, {hi:g}] {unit}")
    if not lo <= x <= hi:
        raise ValueError(f"{x:g} is outside [{lo:g}, {hi:g}] {unit}")
    return x


def schedule_type(lo: float, hi: float, unit: str, description: str) -> Any:
    """A schedule field bounded to [lo, hi]: a number, or a mapping of dates to numbers."""

    def validate(value: Any) -> float | dict[str, float]:
        if not isinstance(value, Mapping):
            return _number(value, lo, hi, unit)
        if not value:
            raise ValueError("an empty schedule; give a number or a mapping like {2021: 10, 2024: 20}")
        out: dict[str, float] = {}
        for key, v in value.items():
            k = str(key)
            if not DATE_PATTERN.match(k):
                raise ValueError(f"schedule key {key!r} is not a date (a year like 2021 or a month like '2021-08')")
            parse_date(k)
            try:
                out[k] = _number(v, lo, hi, unit)
            except ValueError as err:
                raise ValueError(f"at {k}: {err}") from None
        return dict(sorted(out.items(), key=lambda kv: parse_date(kv[0])))

    number = {"type": "number", "minimum": lo, "maximum": hi}
    schema = {
        "description": f"{description} [{unit}]. A number, or a mapping of year/month to numbers.",
        "anyOf": [
            number,
            {"type": "object", "patternProperties": {DATE_PATTERN.pattern: number}, "additionalProperties": False},
        ],
    }
    return Annotated[float | dict[str, float], PlainValidator(validate), WithJsonSchema(schema)]


# --------------------------------------------------------------------------- models


class Society(_Strict):
    """Citizens and the unrest / radicalisation submodels."""

    citizens: int = Field(
        10_000,
        ge=100,
        le=5_000_000,
        description="citizens simulated (each stands for a share of the census population)",
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


def _year_as_text(value: Any) -> Any:
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Event(_Strict):
    """A shock at a date: the classroom teacher's injects use the same kinds."""

    when: Annotated[str, BeforeValidator(_year_as_text)] = Field(
        description="year or month, e.g. 2024 or '2024-11'", pattern=DATE_PATTERN.pattern
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


class Exercise(_Strict):
    """A classroom exercise: teams play states round by round (one round = one simulated year)."""

    title: str = Field(min_length=1, max_length=200)
    rounds: int = Field(ge=1, le=50, description="rounds played; at most the scenario's years")
    minutes_per_round: int = Field(15, ge=1, le=240)
    learning_objectives: list[Annotated[str, Field(min_length=1, max_length=300)]] = Field(min_length=1, max_length=10)
    teams: dict[str, Team] = Field(min_length=1, description="state name -> team; states with levers only")
    injects: list[EventKind] = Field(
        default_factory=lambda: ["attack", "opium_ban", "afghan_collapse", "russian_drawdown"],
        description="events the teacher may inject",
    )
    debrief_questions: list[Annotated[str, Field(min_length=1, max_length=500)]] = Field(
        default_factory=list, max_length=20
    )

    @model_validator(mode="after")
    def _teams(self) -> Exercise:
        playable = [s for s in registry.STATES if registry.levers_of(s)]
        unknown = [t for t in self.teams if t not in playable]
        if unknown:
            raise ValueError(f"teams: {', '.join(map(repr, unknown))} cannot be played; allowed: {', '.join(playable)}")
        return self


Range = Annotated[tuple[float, float], Field(description="[low, high]")]


class Exploration(_Strict):
    """What sensitivity analysis and sweeps vary: uncertainties (drivers, parameters) and levers, with ranges.

    A sampled driver or lever value holds for the whole run (it replaces the scenario's schedule);
    a sampled parameter replaces the parameter. Ranges must lie within the registry's bounds.
    """

    uncertainties: dict[str, Range] = Field(default_factory=dict, description="driver or parameter name -> [low, high]")
    levers: dict[str, Range] = Field(
        default_factory=dict, description="'state.lever' -> [low, high] in the lever's unit"
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
            state, _, lever = key.partition(".")
            if state not in registry.STATES or lever not in registry.levers_of(state):
                problems.append(
                    f"levers.{key}: not 'state.lever' of a lever the state supplies (e.g. china.joint_border_patrols)"
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


@cache
def _levers_model(state: str) -> type[BaseModel]:
    fields: dict[str, Any] = {}
    for name in registry.levers_of(state):
        lever = registry.levers()[name]
        fields[name] = (schedule_type(lever.min, lever.max, lever.unit, lever.description) | None, None)
    return create_model(f"{state.title()}Levers", __config__=CONFIG_DICT, **fields)


@cache
def _state_model(state: str) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "policy": (
            Literal["schedule", "adaptive"],
            Field(
                "schedule",
                description="schedule: levers as given; adaptive: the state's documented rule scales them with threat",
            ),
        ),
        "budget_musd": (
            Annotated[float, Field(ge=0, le=100_000)] | None,
            Field(None, description="cap on the state's total lever spending per year [USD M/yr]"),
        ),
    }
    if registry.levers_of(state):
        fields["levers"] = (_levers_model(state), Field(default_factory=_levers_model(state)))
    if state == "tajikistan":
        own = registry.levers_of(state)
        aid_fields = {n: (Annotated[float, Field(ge=0, le=1)] | None, None) for n in own}
        aid = create_model("AidAllocation", __config__=CONFIG_DICT, **aid_fields)
        fields["aid_allocation"] = (
            aid,
            Field(
                default_factory=aid,
                description="shares of received financial aid spent on each Tajik lever (normalised); default: equal over military_training, joint_border_patrols, military_equipment, surveillance_systems",
            ),
        )

    def check_budget(self: Any) -> Any:
        if self.budget_musd is None or not hasattr(self, "levers"):
            return self
        from scenarios.schedule import expand, step_years

        years = step_years("2000", 101 * 52)
        total = sum(
            expand(getattr(self.levers, n), years, 0.0) * registry.levers()[n].cost_musd_per_unit
            for n in type(self.levers).model_fields
        )
        over = years[total > self.budget_musd + 1e-9]
        if over.size:
            first = int(over[0])
            raise ValueError(
                f"lever spending reaches {total.max():.1f} USD M/yr (first over in {first}), "
                f"over the budget of {self.budget_musd:g} USD M/yr"
            )
        return self

    return create_model(
        f"{state.title()}State",
        __config__=CONFIG_DICT,
        __validators__={"_budget": model_validator(mode="after")(check_budget)},
        **fields,
    )


@cache
def _states_model() -> type[BaseModel]:
    fields = {s: (_state_model(s), Field(default_factory=_state_model(s))) for s in registry.STATES}
    return create_model("States", __config__=CONFIG_DICT, **fields)


@cache
def _drivers_model() -> type[BaseModel]:
    fields = {
        d.name: (schedule_type(d.min, d.max, d.unit, d.description) | None, None) for d in registry.drivers().values()
    }
    return create_model("Drivers", __config__=CONFIG_DICT, **fields)


@cache
def _parameters_model() -> type[BaseModel]:
    fields = {
        p.name: (
            Annotated[float, Field(ge=p.min, le=p.max, description=f"{p.unit}; {p.kind}: {p.source}")] | None,
            None,
        )
        for p in registry.parameters().values()
    }
    return create_model("Parameters", __config__=CONFIG_DICT, **fields)


@cache
def scenario_model() -> type[BaseModel]:
    """The pydantic model of a whole scenario file, built from the registries."""
    fields: dict[str, Any] = {
        "name": (
            str,
            Field(
                "scenario",
                min_length=1,
                max_length=100,
                pattern=r"^[A-Za-z0-9_.-]+$",
                description="short name, used in results folder names",
            ),
        ),
        "description": (str, Field("", max_length=5000)),
        "question": (str, Field("", max_length=2000, description="the question the scenario asks")),
        "extends": (
            str | None,
            Field(None, description="path of the scenario this one extends (relative to this file)"),
        ),
        "start": (str, Field("2021-01", pattern=r"^\d{4}-\d{2}$", description="first simulated month, YYYY-MM")),
        "years": (int, Field(10, ge=1, le=50, description="horizon in years (52 weekly steps each)")),
        "seed": (int, Field(20250320, ge=0, le=2**63 - 1, description="root seed")),
        "world": (str | None, Field(None, description="path of a world file; default: the shipped Tajikistan world")),
        "society": (Society, Field(default_factory=Society)),
        "states": (_states_model(), Field(default_factory=_states_model())),
        "drivers": (_drivers_model(), Field(default_factory=_drivers_model())),
        "parameters": (_parameters_model(), Field(default_factory=_parameters_model())),
        "allocation": (Allocation, Field(default_factory=Allocation)),
        "events": (list[Event], Field(default_factory=list)),
        "exercise": (Exercise | None, Field(None, description="classroom exercise: teams, rounds, briefings")),
        "exploration": (
            Exploration | None,
            Field(None, description="uncertainties and levers with ranges, for sensitivity and sweeps"),
        ),
    }
    return create_model(
        "Scenario",
        __config__=CONFIG_DICT,
        __validators__={"_world": model_validator(mode="after")(_check_world_names)},
        **fields,
    )


def _check_world_names(scenario: Any) -> Any:
    """Allocation keys and event regions must name places of the scenario's world."""
    try:
        world = registry.load_world(scenario.world)
    except FileNotFoundError:
        raise ValueError(f"world: file {scenario.world!r} not found") from None
    except (ValidationError, yaml.YAMLError) as err:
        raise ValueError(f"world: {scenario.world!r} is not a valid world file ({str(err).splitlines()[0]})") from None
    problems = []
    for field, names in (("border", world.segment_names), ("regions", world.region_names)):
        weights = getattr(scenario.allocation, field)
        if weights is None:
            continue
        unknown = [k for k in weights if k not in names]
        if unknown:
            problems.append(
                f"allocation.{field}: unknown {', '.join(map(repr, unknown))} (allowed: {', '.join(names)})"
            )
        elif sum(weights.values()) <= 0:
            problems.append(f"allocation.{field}: weights must not all be zero")
    for i, ev in enumerate(scenario.events):
        if ev.region is not None and ev.region not in world.region_names:
            problems.append(
                f"events.{i}.region: unknown region {ev.region!r} (allowed: {', '.join(world.region_names)})"
            )
        if ev.segment is not None and ev.segment not in world.segment_names:
            problems.append(
                f"events.{i}.segment: unknown segment {ev.segment!r} (allowed: {', '.join(world.segment_names)})"
            )
    if scenario.exercise is not None and scenario.exercise.rounds > scenario.years:
        problems.append(
            f"exercise.rounds: {scenario.exercise.rounds} rounds need at least as many years (years is {scenario.years})"
        )
    if problems:
        raise ValueError("; ".join(problems))
    return scenario


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a scenario file (for editor completion)."""
    schema = scenario_model().model_json_schema()
    schema["title"] = "scenarios scenario file"
    return schema


# --------------------------------------------------------------------------- loading

Provenance = dict[tuple[str, ...], tuple[str, int | None]]


def _line_map(node: yaml.Node, file: str, prefix: tuple[str, ...] = ()) -> Provenance:
    out: Provenance = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*prefix, str(key_node.value))
            out[path] = (file, key_node.start_mark.line + 1)
            out.update(_line_map(value_node, file, path))
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            path = (*prefix, str(i))
            out[path] = (file, item.start_mark.line + 1)
            out.update(_line_map(item, file, path))
    return out


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
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
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
    return data, _line_map(node, file)


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
    parent = (path.parent / parent_ref).resolve()
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
        allowed="a path relative to this file",
    )
    base, base_lines = _load_raw(parent, problems, (*chain, parent), missing)
    if base is None:
        return None, {}
    return _merge(base, data), {**base_lines, **lines}


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


def _allowed_text(err: dict, model: type[BaseModel], loc: tuple[Any, ...]) -> str | None:
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


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Any:
    """Load, merge (``extends:``), override (``--set``) and validate a scenario file.

    Raises:
        ConfigError: listing every problem found, each with file, line and key path.
    """
    path = Path(path)
    problems: list[Problem] = []
    data, lines = _load_raw(path.resolve(), problems, (path.resolve(),), None)
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


def validate_data(data: dict, lines: Provenance | None = None, file: str = "<scenario>") -> Any:
    """Validate an already merged scenario mapping (used by the loader, the web app and tests)."""
    model = scenario_model()
    try:
        return model.model_validate(data)
    except ValidationError as err:
        raise ConfigError(_problems_from(err, lines or {}, file, model)) from None


def scenario_dict(scenario: Any) -> dict[str, Any]:
    """The scenario as plain JSON-ready data, with defaults filled in: what a manifest records."""
    return scenario.model_dump(mode="json")


def derive(scenario: Any, **changes: Any) -> Any:
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
