"""The ``scenarios`` command: the parser assembled from one module per command group, and ``main``.

Exit codes: 0 ok, 1 the run failed, 2 bad input, 130 interrupted (Ctrl-C, SIGINT), 143 stopped (SIGTERM,
e.g. by Slurm at the end of a job's time). A stopped run prints one line naming the folder that
keeps what finished and the command that resumes it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shlex
import signal
import sys
import textwrap
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from scenarios import __version__
from scenarios.cli import calibrate, check, compare, explore, optimise, run, serve, specs
from scenarios.cli.options import (
    EXIT_BAD_INPUT,
    EXIT_FAILED,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    Parser,
)
from scenarios.errors import ConfigError, Interrupted, ScenarioError

GROUPS = (specs, run, compare, calibrate, check, serve, explore, optimise)
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
            exit codes: 0 ok, 1 run failed, 2 bad input, 130 interrupted (Ctrl-C), 143 stopped (SIGTERM)"""
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"scenarios {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for group in GROUPS:
        group.register(sub)
    return parser


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise Interrupted(signal.Signals(signum).name)


@contextmanager
def stop_signals() -> Iterator[None]:
    """SIGINT and SIGTERM both raise :class:`Interrupted` (a clean stop that keeps finished work)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {s: signal.signal(s, _stop) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def resume_command(args: argparse.Namespace, typed: list[str], folder: str) -> str:
    """The command that finishes a stopped run: the same one with ``--resume`` (and ``--out`` if it needs it)."""
    cmd = ["scenarios", *typed]
    if "--resume" not in cmd:
        cmd.append("--resume")
    if args.command != "compare" and getattr(args, "out", "") is None:
        cmd += ["--out", folder.removesuffix(".partial")]
    return shlex.join(cmd)


def stopped(args: argparse.Namespace, typed: list[str], err: KeyboardInterrupt) -> int:
    """Print the one-line message of a stopped command; return 130 (SIGINT) or 143 (SIGTERM)."""
    name = err.signal_name if isinstance(err, Interrupted) else "SIGINT"
    folder = err.folder if isinstance(err, Interrupted) else None
    if folder:
        kept = (
            f"{err.done}/{err.total} finished, kept in {folder}"
            if isinstance(err, Interrupted) and err.total
            else folder
        )
        msg = f"stopped by {name}: {kept}; to finish: {resume_command(args, typed, folder)}"
    else:
        msg = f"stopped by {name}: nothing had finished, nothing was kept"
    print("\n" + msg, file=sys.stderr, flush=True)
    return EXIT_TERMINATED if name == "SIGTERM" else EXIT_INTERRUPTED


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``scenarios`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        with stop_signals():
            return int(args.handler(args))
    except (ConfigError, ScenarioError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt as err:
        return stopped(args, list(sys.argv[1:] if argv is None else argv), err)
    except BrokenPipeError:  # the reader of our output went away (``| head``): not a failure
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return EXIT_OK
    except Exception as err:  # an internal failure: short message, traceback only on request
        if os.environ.get("SCENARIOS_DEBUG"):
            raise
        print(f"run failed: {type(err).__name__}: {err} (set SCENARIOS_DEBUG=1 for the traceback)", file=sys.stderr)
        return EXIT_FAILED
