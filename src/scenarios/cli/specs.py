"""Commands about scenario files and declarations: ``validate``, ``levers``, ``schema``."""

from __future__ import annotations

import argparse
import json
import sys

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
        "levers",
        "List the 13 cooperation levers: unit, range, suppliers, lag, lifetime, channels, source.",
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


def levers(args: argparse.Namespace) -> int:
    from scenarios.analysis.summary import render_table
    from scenarios.spec import registry

    table = registry.levers()
    if args.format == "json":
        print(json.dumps([lv.model_dump() for lv in table.values()], indent=2))
        return EXIT_OK
    header = ["lever", "unit", "range", "suppliers", "lag wk", "life wk", "half-sat stock", "channels (weight)"]
    rows = [
        [
            lv.name,
            lv.unit,
            f"{lv.min:g}-{lv.max:g}",
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
