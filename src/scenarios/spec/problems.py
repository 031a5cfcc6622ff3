"""Problems in scenario data, found before or after validation, as :class:`scenarios.errors.Problem`.

Place names (segments, regions, teams) are checked on the raw data so that they are reported in the
same pass as every field; pydantic's validation errors become problems with the file and line of
the nearest key, what is allowed and a did-you-mean; :func:`outside_the_run` names dated entries
that can never take effect.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from scenarios.errors import Problem
from scenarios.schedule import parse_date
from scenarios.spec import registry
from scenarios.spec.fields import Schedule

if TYPE_CHECKING:
    from scenarios.spec.schema import Scenario

PLACES_ERROR = "unknown_place"
"""The pydantic error type of unknown place names (reported from the raw data instead, with lines)."""

Provenance = dict[tuple[str, ...], tuple[str, int | None]]
"""Where each key path of a scenario was given: (file, line); line None for the command line."""


def playable_states() -> list[str]:
    """The states a classroom team can play: those that supply levers."""
    return [s for s in registry.STATES if registry.levers_of(s)]


@dataclass(frozen=True)
class Found:
    """A problem found on raw data, before it becomes a :class:`Problem` with file and line."""

    path: tuple[str, ...]
    message: str
    value: str | None = None
    allowed: str | None = None
    hint: str | None = None


def did_you_mean(word: str, choices: typing.Iterable[str]) -> str | None:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


def _unknown(path: tuple[str, ...], what: str, word: object, names: typing.Sequence[str]) -> Found:
    return Found(path, f"unknown {what}", repr(word), ", ".join(names), did_you_mean(str(word), names))


def place_problems(data: Mapping[str, Any]) -> list[Found]:
    """Names of places and states in raw scenario data that the scenario's world (or the model) does not have.

    Checks allocation weights (segments, regions), event regions and segments, and exercise teams,
    so that they are reported in the same pass as every other problem, each with did-you-mean.
    A world that cannot be read is left to the field check of ``world``.
    """
    found: list[Found] = []
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
                found.append(Found(("allocation", field), "weights must not all be zero"))
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


def fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
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
        names = fields_at(model, loc[:-1]) or []
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


def problems_from(err: ValidationError, lines: Provenance, default_file: str, model: type[BaseModel]) -> list[Problem]:
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
            allowed = fields_at(model, loc[:-1]) or []
            close = difflib.get_close_matches(path[-1], allowed, n=1, cutoff=0.6)
            hint = f"did you mean '{close[0]}'?" if close else None
        elif e["type"] == "missing":
            message = "required key is missing"
        elif e["type"] == "literal_error" and isinstance(e.get("input"), str):
            choices = [
                c.strip().strip("'")
                for c in str((e.get("ctx") or {}).get("expected", "")).replace(" or ", ",").split(",")
            ]
            hint = did_you_mean(e["input"], [c for c in choices if c])
        value = None if e["type"] == "missing" else repr(e.get("input"))
        if value is not None and len(value) > 80:
            value = value[:77] + "..."
        out.append(
            Problem(file, line, ".".join(path), message, value=value, allowed=_allowed_text(e, model, loc), hint=hint)
        )
    return out


def located(found: Found, lines: Provenance, file: str) -> Problem:
    where, line = file, None
    for n in range(len(found.path), -1, -1):  # the nearest key we know a line for
        if found.path[:n] in lines:
            where, line = lines[found.path[:n]]
            break
    return Problem(where, line, ".".join(found.path), found.message, found.value, found.allowed, found.hint)
