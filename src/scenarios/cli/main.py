"""The ``scenarios`` command: the parser assembled from one module per command group, and ``main``.

Exit codes: 0 ok, 1 the run failed, 2 bad input, 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from collections.abc import Sequence

from scenarios import __version__
from scenarios.cli import check, compare, explore, run, serve, specs
from scenarios.cli.options import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, Parser
from scenarios.errors import ConfigError, ScenarioError

GROUPS = (specs, run, compare, check, serve, explore)
"""Command modules, each with ``register(subparsers)``; their order is the order of ``--help``."""


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser = Parser(
        prog="scenarios",
        description="Agent-based scenarios of China-Tajikistan security cooperation (Mesa).",
        epilog=textwrap.dedent(
            """\
            examples:
              scenarios run baseline
              scenarios validate configs/*.yaml   (your own folder)
              scenarios levers
            exit codes: 0 ok, 1 run failed, 2 bad input, 130 interrupted"""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"scenarios {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for group in GROUPS:
        group.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scenarios`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return int(args.handler(args))
    except (ConfigError, ScenarioError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(
            "\ninterrupted: finished replicates are kept in the .partial folder; rerun with --resume", file=sys.stderr
        )
        return EXIT_INTERRUPTED
    except Exception as err:  # an internal failure: short message, traceback only on request
        if os.environ.get("SCENARIOS_DEBUG"):
            raise
        print(f"run failed: {type(err).__name__}: {err} (set SCENARIOS_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_FAILED
