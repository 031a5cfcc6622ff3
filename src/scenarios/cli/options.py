"""Options shared by the commands: exit codes, bounded numbers, ``--set``, batch and executor options,
and the up-front estimate of a long run with its confirmation."""

from __future__ import annotations

import argparse
import sys
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from scenarios.spec.config import Scenario

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED, EXIT_TERMINATED = 0, 1, 2, 130, 143

CONFIRM_ABOVE_SECONDS = 3600.0
"""Estimated wall time above which a command asks before starting (or needs ``--yes``)."""
SHOW_ABOVE_SECONDS = 60.0
"""Estimated work (seconds at 1 worker) from which a command prints its estimate before starting."""

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
MAX_REPLICATES = 100_000
"""The most replicates per ensemble (``scenarios.experiments.runner.MAX_REPLICATES``; a test keeps them equal)."""
replicates_count = int_in(
    1, MAX_REPLICATES, f"a whole number in [1, {MAX_REPLICATES:,}] (for more, run ensembles with different --seed)"
)
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
    p.add_argument(
        "--progress",
        choices=("auto", "always", "never"),
        default="auto",
        help="progress line with rate and time left on stderr: auto = when stderr is a terminal",
    )


def yes_arg(p: argparse.ArgumentParser) -> None:
    """``--yes``: start a long run without asking."""
    p.add_argument(
        "--yes",
        action="store_true",
        help="start without asking even when the estimate is over an hour (needed when stdin is not a terminal)",
    )


def confirm_cost(what: str, runs: int, seconds_per_run: float, workers: int, yes: bool, show: bool = True) -> None:
    """Print an up-front estimate; above an hour of wall time ask (or, without a terminal, need ``--yes``).

    Args:
        what: the work, e.g. ``19,683 points x 1 replicate``.
        runs: replicate runs in the whole job.
        seconds_per_run: estimated seconds of one replicate on one core.
        workers: workers the job will use.
        yes: the user passed ``--yes``.
        show: print the estimate when the work is a minute or more (it is printed anyway when
            confirmation is needed).

    Raises:
        ScenarioError: the user declined, or no terminal to ask and no ``--yes``.
    """
    from scenarios.errors import ScenarioError
    from scenarios.experiments.progress import duration

    one = runs * seconds_per_run
    wall = one / max(1, workers)
    at = f", about {duration(wall)} at {workers} workers" if workers > 1 else ""
    if (show and one >= SHOW_ABOVE_SECONDS) or (wall > CONFIRM_ABOVE_SECONDS and not yes):
        print(f"{what}: about {duration(one)} at 1 worker{at}", file=sys.stderr)
    if wall <= CONFIRM_ABOVE_SECONDS or yes:
        return
    if not sys.stdin.isatty():
        raise ScenarioError(
            f"{what} would take about {duration(wall)} (over {duration(CONFIRM_ABOVE_SECONDS)}); "
            "add --yes to start it (stdin is not a terminal, so there is no prompt)"
        )
    answer = input(f"start {what} (about {duration(wall)})? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise ScenarioError("not started (answer y, or add --yes)")


def check_batch_args(args: argparse.Namespace, urls: str = "") -> None:
    """The checks of :func:`batch_args` that involve more than one option: ``--resume`` needs
    ``--out``; and, for a command that writes local folders only (``urls`` names it), an ``--out``
    URL is refused."""
    from scenarios.errors import ScenarioError
    from scenarios.experiments.results import is_url

    if args.resume and not args.out:
        raise ScenarioError("--resume needs --out DIR: the folder of the interrupted run")
    if urls and args.out and is_url(args.out):
        raise ScenarioError(f"--out {args.out}: {urls} writes a local folder (a disk every worker shares), not a URL")


def batch_args(p: argparse.ArgumentParser, replicates_help: str) -> None:
    """Options shared by commands that run many points: replicates, workers, seed, out, resume, yes, executor."""
    p.add_argument("--replicates", type=replicates_count, default=1, help=replicates_help)
    p.add_argument("--workers", type=positive_int, default=1, help="worker processes (default 1)")
    p.add_argument("--seed", type=seed, default=None, help="root seed (default: the config's seed)")
    p.add_argument(
        "--out",
        default=None,
        metavar="DIR",
        help="results folder (default: a new folder under results/ named after the scenario and the UTC time)",
    )
    p.add_argument("--resume", action="store_true", help="finish an interrupted run in DIR.partial (needs --out)")
    yes_arg(p)
    executor_args(p)


def show_progress(args: argparse.Namespace) -> bool:
    """Whether to draw a progress line: ``--progress always``, or ``auto`` on a terminal."""
    choice = getattr(args, "progress", "auto")
    return choice == "always" or (choice == "auto" and sys.stderr.isatty())


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


def posterior_draws(
    ref: str | Path, replicates: int, seeds_per_draw: int = 1
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """What ``--parameters REF --seeds-per-draw S`` gives ``replicates`` replicates: each replicate's
    parameter values and the manifest's record, by the one mechanism of ``run`` and ``compare``
    (:func:`~scenarios.calibration.posterior.ensemble_parameters`), the sizes checked first.

    Raises:
        ScenarioError: sizes that cannot pair every draw, or no readable posterior at ``ref`` (a
            missing folder, a damaged file), each naming what is allowed.
    """
    from scenarios.calibration.posterior import ensemble_parameters
    from scenarios.experiments.exploration import check_seeds_per_draw

    check_seeds_per_draw(replicates, seeds_per_draw)
    return ensemble_parameters(ref, replicates, seeds_per_draw)


def parameters_arg(p: argparse.ArgumentParser, seeds_per_draw: int | None = None) -> None:
    """``--parameters DIR|calibrated``: a posterior ensemble (replicate i uses posterior draw i).

    With ``seeds_per_draw`` (its default), also ``--seeds-per-draw S``: replicate i then uses draw
    ``i // S`` and seed i.
    """
    each = "i // S (S = --seeds-per-draw)" if seeds_per_draw is not None else "i"
    p.add_argument(
        "--parameters",
        default=None,
        metavar="DIR|calibrated",
        help="run over a calibrated posterior: a folder written by 'scenarios calibrate', a posterior.parquet, or "
        f"'calibrated' (the one shipped); replicate i uses posterior draw {each} and seed i",
    )
    if seeds_per_draw is not None:
        p.add_argument(
            "--seeds-per-draw",
            type=int_in(1, 1000, "a whole number in 1-1000"),
            default=seeds_per_draw,
            metavar="S",
            help=f"with --parameters: seeds run per posterior draw (default {seeds_per_draw}); --replicates must be "
            "a multiple of it",
        )
