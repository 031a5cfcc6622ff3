"""Loading scenario files: YAML read safely and within bounds, ``extends:`` merged, ``--set`` applied, validated.

A scenario is a YAML file. It may ``extends:`` another file (a path relative to itself, or the name
of a scenario of the packaged library, e.g. ``baseline``) and then states only what differs:
mappings merge key by key; a schedule given as a mapping of dates overlays the parent's schedule
from its first date (earlier points come from the parent, see :func:`overlay`); anything else
(numbers, lists) replaces what the parent had. ``--set`` overrides are one more layer on top, with
the same rules. The merged, validated :class:`~scenarios.spec.schema.Scenario` is what runs and
what is recorded, and :func:`load_with_sources` also says which file (and line) gave each value.

Every problem in a file is reported at once, each with file, line, key path, the bad value, what
is allowed and a did-you-mean (:class:`scenarios.errors.ConfigError`); a key given twice in a
mapping is a problem too, and so is a file whose aliases would expand it beyond
:data:`MAX_NODES` values (a "billion laughs" file is refused before it is built).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scenarios.errors import ConfigError, Problem
from scenarios.schedule import parse_date
from scenarios.spec.problems import Provenance, did_you_mean, located, place_problems, problems_from
from scenarios.spec.schema import Scenario

MAX_BYTES = 1_000_000
"""The largest scenario file read (a scenario is a few kilobytes; the largest shipped one under 10 kB)."""
MAX_NODES = 100_000
"""The most values (keys, numbers, texts, lists) a file may hold once its aliases are expanded."""

SCHEDULE_PARENTS = (("states", "*", "levers"), ("drivers",))
"""Where schedules live: ``states.<state>.levers.<lever>`` and ``drivers.<driver>``."""
FROM_PARENT = "<from the parent>"
"""Placeholder date of a parent's constant kept before a child's first point; becomes the run's start."""

RawMapping = dict[Any, Any]
"""A mapping as ``yaml.safe_load`` gives it, before validation: keys are mostly text, but a schedule's
dates may be numbers, and values are whatever the file holds (validation gives them their types)."""


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


class _TooLarge(Exception):
    """The node graph expands beyond :data:`MAX_NODES`, or an alias refers to a node that contains it."""


def expanded_size(node: yaml.Node | None, limit: int = MAX_NODES) -> int:
    """How many nodes ``node`` holds once every alias is expanded (counted without expanding anything).

    PyYAML composes an alias as a second reference to the same node, so a file of a few hundred
    bytes can describe billions of values ("billion laughs"); counting each distinct node once,
    with its size memoised, takes time proportional to the file.

    Raises:
        ValueError: the count passes ``limit`` (the message says so), or an alias refers to a node
            that contains it (a recursive structure).
    """
    if node is None:
        return 0
    memo: dict[int, int] = {}
    active: set[int] = set()

    def size(n: yaml.Node) -> int:
        key = id(n)
        if key in memo:
            return memo[key]
        if key in active:
            raise ValueError("an alias refers to a node that contains it (a recursive structure)")
        active.add(key)
        total = 1
        if isinstance(n, yaml.MappingNode):
            children: list[yaml.Node] = [x for pair in n.value for x in pair]
        elif isinstance(n, yaml.SequenceNode):
            children = list(n.value)
        else:
            children = []
        for child in children:
            total += size(child)
            if total > limit:
                raise _TooLarge
        active.discard(key)
        memo[key] = total
        return total

    try:
        return size(node)
    except _TooLarge:
        raise ValueError(f"more than {limit:,} values once its aliases (*name) are expanded") from None


def _read_yaml(path: Path, problems: list[Problem], origin: Problem | None) -> tuple[RawMapping | None, Provenance]:
    file = str(path)
    try:
        if path.is_file() and path.stat().st_size > MAX_BYTES:
            problems.append(
                Problem(
                    file,
                    None,
                    "",
                    f"the file has {path.stat().st_size:,} bytes",
                    allowed=f"a scenario file of at most {MAX_BYTES:,} bytes",
                )
            )
            return None, {}
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        problems.append(origin or Problem(file, None, "", "file not found", allowed="a path to a scenario .yaml file"))
        return None, {}
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(file, None, "", f"cannot read the file ({err})"))
        return None, {}
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        expanded_size(node)
        data = loader.construct_document(node) if node is not None else None
    except ValueError as err:  # before anything is built: refused in time and memory proportional to the file
        problems.append(
            Problem(file, None, "", f"the YAML is too large: {err}", allowed=f"at most {MAX_NODES:,} values")
        )
        return None, {}
    except RecursionError:
        problems.append(Problem(file, None, "", "the YAML is nested too deeply", allowed="a scenario's few levels"))
        return None, {}
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        problems.append(Problem(file, mark.line + 1 if mark else None, "", f"YAML syntax error: {err.problem or err}"))
        return None, {}
    except yaml.YAMLError as err:
        problems.append(Problem(file, None, "", f"YAML error: {err}"))
        return None, {}
    finally:
        loader.dispose()
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


def is_schedule_path(path: tuple[str, ...]) -> bool:
    """Whether ``path`` is where a schedule lives (a lever of a state, or a driver)."""
    return any(
        len(path) == len(parent) + 1 and all(p in ("*", q) for p, q in zip(parent, path, strict=False))
        for parent in SCHEDULE_PARENTS
    )


def _date_or_none(key: object) -> float | None:
    try:
        return parse_date(str(key))
    except ValueError:
        return None


def overlay(parent: object, child: Mapping[Any, Any]) -> RawMapping:
    """A child's schedule laid over its parent's from the child's first date.

    The parent's points dated before the child's first date are kept (a parent's constant is kept
    as a point at :data:`FROM_PARENT`, which the loader turns into the run's start); from the
    child's first date on, only the child's points count. So ``{2026: 10}`` over
    ``{2021: 5, 2024: 8}`` is ``{2021: 5, 2024: 8, 2026: 10}``, and over a constant 5 it is 5
    until 2026, then 10. A child's schedule whose first date is at or before the run's start
    therefore replaces the parent's entirely, as does a child's number.

    Keys that are not dates are left for validation to report.
    """
    dates = [d for d in (_date_or_none(k) for k in child) if d is not None]
    if not dates or len(dates) != len(child):
        return dict(child)
    first = min(dates)
    if isinstance(parent, Mapping):
        # a key that is not a date stays, so that validation still reports it with its file and line
        kept = {k: v for k, v in parent.items() if k == FROM_PARENT or (d := _date_or_none(k)) is None or d < first}
    elif isinstance(parent, int | float) and not isinstance(parent, bool):
        kept = {FROM_PARENT: parent}
    else:
        kept = {}
    return {**kept, **child}


def _merge(
    base: RawMapping, over: RawMapping, sources: Provenance, base_sources: Provenance, path: tuple[str, ...] = ()
) -> RawMapping:
    """``over`` laid on ``base``: mappings merge key by key, schedules overlay (:func:`overlay`),
    anything else replaces. ``sources`` (the merged provenance) gains the parent's line (from
    ``base_sources``) for a parent's constant kept before a child's schedule."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        here = (*path, str(key))
        if isinstance(value, dict) and is_schedule_path(here) and key in out:
            out[key] = overlay(out[key], value)
            if FROM_PARENT in out[key] and not isinstance(out[key][FROM_PARENT], dict):
                sources[(*here, FROM_PARENT)] = base_sources.get(
                    (*here, FROM_PARENT), base_sources.get(here, ("<parent>", None))
                )
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value, sources, base_sources, here)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _settle_starts(data: RawMapping, lines: Provenance) -> None:
    """Give every parent's constant kept before a child's schedule (key :data:`FROM_PARENT`) the run's start as date.

    It is dropped when another point is dated at or before the start (it would never be used).
    """
    start = data.get("start", Scenario.model_fields["start"].default)
    begin = _date_or_none(start) if isinstance(start, str) else None
    if begin is None:
        start, begin = Scenario.model_fields["start"].default, parse_date(Scenario.model_fields["start"].default)
    for parent in SCHEDULE_PARENTS:
        for path, schedule in _at(data, parent):
            if not isinstance(schedule, dict) or FROM_PARENT not in schedule:
                continue
            value = schedule.pop(FROM_PARENT)
            source = lines.pop((*path, FROM_PARENT), lines.get(path, ("<parent>", None)))
            others = [d for d in (_date_or_none(k) for k in schedule) if d is not None]
            if any(d <= begin + 1e-9 for d in others):
                continue
            rest = dict(schedule)
            schedule.clear()
            schedule.update({start: value, **rest})
            lines[(*path, start)] = source


def _at(data: Any, pattern: tuple[str, ...], path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], Any]]:
    """Every (key path, value) one level below ``pattern`` (``*`` matches any key) in ``data``."""
    if not isinstance(data, dict):
        return []
    if not pattern:
        return [((*path, str(k)), v) for k, v in data.items()]
    head, rest = pattern[0], pattern[1:]
    keys = list(data) if head == "*" else [head] if head in data else []
    return [found for k in keys for found in _at(data[k], rest, (*path, str(k)))]


def _load_raw(
    path: Path, problems: list[Problem], chain: tuple[Path, ...], origin: Problem | None
) -> tuple[RawMapping | None, Provenance]:
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
    sources = {**base_lines, **lines}
    return _merge(base, data, sources, base_lines), sources


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


def parse_override(text: str) -> tuple[tuple[str, ...], Any]:
    """Parse a ``--set path.to.key=value`` override; the value is read as YAML (``5``, ``true``, ``{2021: 3}``)."""
    if "=" not in text:
        raise ConfigError([Problem("<command line>", None, text, "an override must look like path.to.key=value")])
    key, _, raw = text.partition("=")
    path = tuple(p for p in key.strip().split(".") if p)
    if not path:
        raise ConfigError([Problem("<command line>", None, text, "an override needs a key path before '='")])
    try:
        value = bounded_yaml(raw) if raw.strip() else None
    except yaml.YAMLError as err:
        raise ConfigError([Problem("<command line>", None, key, f"cannot read the value ({err})", value=raw)]) from None
    except ValueError as err:
        raise ConfigError(
            [
                Problem(
                    "<command line>",
                    None,
                    key,
                    f"the value is too large: {err}",
                    allowed=f"at most {MAX_NODES:,} values",
                )
            ]
        ) from None
    return path, value


def bounded_yaml(text: str) -> Any:
    """``text`` read as YAML with the safe loader, refused when its aliases expand it beyond :data:`MAX_NODES`.

    Raises:
        ValueError: too large once expanded, or a recursive alias (see :func:`expanded_size`).
        yaml.YAMLError: not YAML.
    """
    loader = _LOADER(text)
    try:
        node = loader.get_single_node()
        expanded_size(node)
        return loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()


def _apply(
    data: RawMapping, path: tuple[str, ...], value: Any, lines: Provenance, source: tuple[str, int | None]
) -> None:
    """Set ``path`` to ``value`` in ``data``; a schedule mapping overlays the schedule there (:func:`overlay`)."""
    node = data
    for part in path[:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    key = path[-1]
    if isinstance(value, dict) and is_schedule_path(path) and key in node:
        earlier = lines.get(path, source)
        node[key] = overlay(node[key], value)
        if FROM_PARENT in node[key]:
            lines[(*path, FROM_PARENT)] = earlier
        lines.update({(*path, str(k)): source for k in value})
    else:
        node[key] = value
    lines[path] = source


def _gather(path: str | Path, overrides: list[str] | tuple[str, ...]) -> tuple[RawMapping, Provenance, Path]:
    """The merged raw data of a file and its ``extends:`` chain with ``--set`` applied, and where each value came from."""
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
            hint=did_you_mean(path.stem, library_scenarios()),
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
    if "name" not in data:
        data["name"] = path.stem.replace(" ", "_")
        lines[("name",)] = (str(path.resolve()), None)
    for key_path, value in parsed:
        _apply(data, key_path, value, lines, ("<command line>", None))
    _settle_starts(data, lines)
    return data, lines, path


def load_scenario(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load, merge (``extends:``), override (``--set``) and validate a scenario file.

    Args:
        path: a scenario file, or the name of a library scenario (see :func:`resolve_config`).
        overrides: ``--set`` texts, ``path.to.key=value``; a schedule given as a mapping overlays
            the file's schedule from its first date, like a child file's (:func:`overlay`).

    Raises:
        ConfigError: listing every problem found, each with file, line and key path.
    """
    data, lines, path = _gather(path, overrides)
    return validate_data(data, lines, str(path))


def load_with_sources(path: str | Path, overrides: list[str] | tuple[str, ...] = ()) -> tuple[Scenario, Provenance]:
    """Like :func:`load_scenario`, with where each value was given: key path -> (file, line).

    A key path that is not in the mapping holds its default. The line is ``None`` for ``--set``
    values (file ``<command line>``) and for a name taken from the file name.
    """
    data, lines, path = _gather(path, overrides)
    return validate_data(data, lines, str(path)), lines


def override(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """A validated copy of ``scenario`` with ``changes`` (``{"path.to.key": value}``) laid on it like ``--set``.

    A schedule given as a mapping overlays the scenario's schedule from its first date
    (:func:`overlay`); anything else replaces the value.

    Raises:
        ConfigError: a change names an unknown key or a value out of bounds.
    """
    data = scenario_dict(scenario)
    lines: Provenance = {}
    for key, value in changes.items():
        path = tuple(p for p in str(key).split(".") if p)
        if not path:
            raise ConfigError([Problem("<override>", None, str(key), "an override needs a key path")])
        _apply(data, path, value, lines, ("<override>", None))
    _settle_starts(data, lines)
    return validate_data(data, lines, "<override>")


def validate_data(data: RawMapping, lines: Provenance | None = None, file: str = "<scenario>") -> Scenario:
    """Validate an already merged scenario mapping (used by the loader, the web app and tests).

    Place names (segments, regions) are checked on the raw data in the same pass as every field,
    so one run of the loader reports every problem.

    Raises:
        ConfigError: listing every problem found.
    """
    lines = lines or {}
    problems = [located(f, lines, file) for f in place_problems(data)]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as err:
        raise ConfigError(problems + problems_from(err, lines, file, Scenario)) from None
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
