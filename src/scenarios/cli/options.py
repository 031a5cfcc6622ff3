"""Options shared by the commands: exit codes, bounded numbers, ``--set``, batch and executor options."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scenarios.spec.config import Scenario

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130

Handler = Callable[[argparse.Namespace], int]
SubParsers = Any  # argparse's _SubParsersAction is private; its type is not part of argparse's API


class Parser(argparse.ArgumentParser):
    """argparse, but usage errors name the subcommand's help and exit with 2 (bad input)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"error: {message}\n(see '{self.prog} --help')\n")


def int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number in [low, high], with a message naming what is allowed."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be {what}, got {value}")
        return value

    return parse


positive_int = int_in(1, 10**9, "a whole number >= 1")
port = int_in(1, 65535, "a port number in 1-65535")
seed = int_in(0, 2**63 - 1, "a whole number in [0, 2^63)")


def command(sub: SubParsers, name: str, help_: str, example: str, handler: Handler) -> argparse.ArgumentParser:
    """Add a subcommand with its help, an example epilog and the function that runs it."""
    p: argparse.ArgumentParser = sub.add_parser(
        name,
        help=help_,
        description=help_,
        epilog="example:\n" + textwrap.indent(example.strip(), "  "),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.set_defaults(handler=handler)
    return p


def set_option(
    p: argparse.ArgumentParser, help_: str = "override a config value (repeatable), validated like the file"
) -> None:
    """``--set KEY=VALUE`` (repeatable): one declaration for every command that loads a config."""
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE", help=help_)


def executor_args(p: argparse.ArgumentParser) -> None:
    """``--executor`` and ``--scheduler``."""
    p.add_argument(
        "--executor", choices=("local", "dask"), default="local", help="local processes (default) or Dask distributed"
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://host:8786 (default: a local Dask cluster)",
    )


def batch_args(p: argparse.ArgumentParser, replicates_help: str) -> None:
    """Options shared by commands that run many points: replicates, workers, seed, out, resume, executor."""
    p.add_argument("--replicates", type=positive_int, default=1, help=replicates_help)
    p.add_argument("--workers", type=positive_int, default=1, help="worker processes (default 1)")
    p.add_argument("--seed", type=seed, default=None, help="root seed (default: the config's seed)")
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="results folder (default: a new folder under results/ named after the scenario and the UTC time)",
    )
    p.add_argument("--resume", action="store_true", help="finish an interrupted run in DIR.partial (needs --out)")
    executor_args(p)


def command_line() -> list[str]:
    """The command as typed, recorded in manifests."""
    return ["scenarios", *sys.argv[1:]]


def load_config(ref: str, overrides: list[str] | tuple[str, ...] = ()) -> Scenario:
    """Load a scenario (a file, or a library scenario's name) and warn on stderr, by name, about
    dated entries that fall outside the run (an event after the horizon never happens)."""
    from scenarios.spec.config import load_scenario, outside_the_run

    scenario = load_scenario(ref, overrides)
    for note in outside_the_run(scenario):
        print(f"warning: {scenario.name}: {note}", file=sys.stderr)
    return scenario
