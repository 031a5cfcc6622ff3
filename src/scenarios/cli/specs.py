"""Commands about scenario files and declarations: ``validate``, ``show``, ``levers``, ``schema``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scenarios.cli.options import EXIT_BAD_INPUT, EXIT_OK, SubParsers, command, set_option
from scenarios.errors import ConfigError


def register(sub: SubParsers) -> None:
    p = command(
        sub,
        "validate",
        "Check scenario files; report every problem with file, line and key.",
        "scenarios validate baseline security_first",
        validate,
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files")
    set_option(p)
    p = command(
        sub,
        "show",
        "Print a scenario as it runs (extends: merged, --set applied) and the file and line of every value.",
        "scenarios show security_first\nscenarios show configs/my_case.yaml --defaults",
        show,
    )
    p.add_argument("file", metavar="FILE", help="scenario YAML file, or the name of a library scenario")
    p.add_argument("--defaults", action="store_true", help="also print the values no file sets (marked 'default')")
    set_option(p)
    p = command(
        sub,
        "levers",
        "List the cooperation levers: unit, range, price, suppliers, lag, lifetime, channels, source.",
        "scenarios levers\nscenarios levers --format json",
        levers,
    )
    p.add_argument("--format", choices=("table", "json"), default="table")
    command(
        sub,
        "schema",
        "Print the JSON Schema of a scenario file (for editor completion).",
        "scenarios schema > scenario.schema.json",
        schema,
    )


def validate(args: argparse.Namespace) -> int:
    from scenarios.cli.options import load_config

    failed = 0
    for f in args.files:
        try:
            sc = load_config(f, args.overrides)
        except ConfigError as err:
            failed += 1
            print(f"{f}: INVALID\n" + "\n".join(f"  - {p}" for p in err.problems), file=sys.stderr)
        else:
            print(f"{f}: ok ({sc.name}, {sc.years} years from {sc.start}, {sc.society.citizens} citizens)")
    return EXIT_BAD_INPUT if failed else EXIT_OK


def _where(source: tuple[str, int | None] | None) -> str:
    """A value's source for a reader: ``library/baseline.yaml:12``, ``configs/my_case.yaml:3``, ``--set``."""
    if source is None:
        return "default"
    file, line = source
    if file == "<command line>":
        return "--set"
    from scenarios.spec.loader import library_dir

    path = Path(file)
    for root, label in ((library_dir().resolve(), "library"), (Path.cwd().resolve(), "")):
        if path.is_relative_to(root):
            shown = path.relative_to(root).as_posix()
            file = f"{label}/{shown}" if label else shown
            break
    return f"{file}:{line}" if line else file


def show_lines(
    config: dict[str, Any], sources: dict[tuple[str, ...], tuple[str, int | None]], defaults: bool
) -> list[str]:
    """The merged scenario as YAML lines, each value followed by ``# file:line`` (or ``# default``).

    Mappings whose values all hold their defaults are left out unless ``defaults``.
    """
    import json

    rows: list[tuple[str, str]] = []

    def given(path: tuple[str, ...]) -> bool:
        return any(k[: len(path)] == path for k in sources)

    def scalar(value: object) -> str:
        return json.dumps(value, ensure_ascii=False) if isinstance(value, str) else json.dumps(value)

    def walk(node: Any, path: tuple[str, ...], indent: str) -> None:
        for key, value in node.items():
            here = (*path, str(key))
            if not defaults and not given(here):
                continue
            if value is None and not defaults:
                continue
            if isinstance(value, dict) and value:
                rows.append((f"{indent}{key}:", ""))
                walk(value, here, indent + "  ")
            elif isinstance(value, list) and value:
                rows.append((f"{indent}{key}:", ""))
                for i, item in enumerate(value):
                    text = json.dumps(item, ensure_ascii=False) if isinstance(item, dict | list) else scalar(item)
                    rows.append((f"{indent}  - {text}", _where(sources.get((*here, str(i))))))
            else:
                rows.append((f"{indent}{key}: {scalar(value)}", _where(sources.get(here))))

    walk(config, (), "")
    width = min(72, max(len(text) for text, _ in rows) + 2)
    return [f"{text.ljust(width - 2)}  # {where}" if where else text for text, where in rows]


def show(args: argparse.Namespace) -> int:
    from scenarios.spec.loader import load_with_sources, scenario_dict

    scenario, sources = load_with_sources(args.file, args.overrides)
    config = scenario_dict(scenario)
    config.pop("extends", None)
    print(f"# {scenario.name}: the merged scenario; after each value, the file and line that set it")
    print("\n".join(show_lines(config, sources, args.defaults)))
    return EXIT_OK


def levers(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import render_table
    from scenarios.spec import registry

    table = registry.levers()
    if args.format == "json":
        print(json.dumps([lv.model_dump() for lv in table.values()], indent=2))
        return EXIT_OK
    header = [
        "lever",
        "unit",
        "range",
        "price USD M/yr per unit",
        "suppliers",
        "lag wk",
        "life wk",
        "half-sat stock",
        "channels (weight)",
    ]
    rows = [
        [
            lv.name,
            lv.unit,
            f"{lv.min:g}-{lv.max:g}",
            f"{lv.cost_musd_per_unit:g}",
            ",".join(lv.suppliers),
            str(lv.lag_weeks),
            f"{lv.lifetime_weeks:g}",
            f"{lv.half_saturation_stock:g}",
            ", ".join(f"{k} {v:g}" for k, v in lv.effects.items()) or "funds other levers",
        ]
        for lv in table.values()
    ]
    print(render_table(header, rows))
    print("\nArticle passages and notes: scenarios levers --format json; mechanisms: docs/model.md")
    return EXIT_OK


def schema(args: argparse.Namespace) -> int:
    from scenarios.spec.config import json_schema

    print(json.dumps(json_schema(), indent=2))
    return EXIT_OK
