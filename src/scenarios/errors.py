"""Errors the library raises. Only the CLI turns them into exit codes and messages."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a user's input.

    Attributes:
        file: the file the problem is in (or "<command line>" for ``--set``).
        line: 1-based line of the offending key or value, when known.
        path: dotted key path, e.g. ``states.china.levers.military_training``.
        message: what is wrong.
        value: the offending value, as the user wrote it (repr), if any.
        allowed: what would be accepted.
        hint: a did-you-mean suggestion, if any.
    """

    file: str
    line: int | None
    path: str
    message: str
    value: str | None = None
    allowed: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        parts = [f"{where}: {self.path or '<top level>'}: {self.message}"]
        if self.value is not None:
            parts.append(f"got {self.value}")
        if self.allowed:
            parts.append(f"allowed: {self.allowed}")
        if self.hint:
            parts.append(self.hint)
        return "; ".join(parts)


class ScenarioError(Exception):
    """Base class of the errors a user can cause (exit code 2 on the CLI)."""


class ConfigError(ScenarioError):
    """A scenario config (or an override of it) is invalid; lists every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} in the scenario config"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class ResultsError(ScenarioError):
    """A results folder is missing, incomplete or does not match what was asked."""


class Interrupted(KeyboardInterrupt):
    """A long run was stopped by Ctrl-C (SIGINT) or SIGTERM; what finished is kept for ``--resume``.

    Attributes:
        signal_name: ``SIGINT`` or ``SIGTERM``.
        folder: the ``.partial`` folder that holds what finished (None if nothing was kept).
        done: units of work (replicates or design points) finished so far.
        total: units of work in the whole run.
    """

    def __init__(self, signal_name: str = "SIGINT", folder: str | None = None, done: int = 0, total: int = 0):
        super().__init__(signal_name)
        self.signal_name = signal_name
        self.folder = folder
        self.done = done
        self.total = total
