"""Progress of long commands: done/total, rate and time left on one stderr line, and up-front estimates.

One helper for every long command (ensembles, comparisons, sweeps, sensitivity, check-model).
The estimate of a run's cost comes from the measured cost of the default scenario on the
project's machine (docs/benchmarks.md, whole default scenario at 10^4 and 10^6 citizens): about
0.084 s per simulated year (burn-in included) plus 0.52 s per million citizen-years, for one
replicate on one core.
"""

from __future__ import annotations

import math
import sys
import time
from dataclasses import dataclass, field
from typing import TextIO

from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec import registry
from scenarios.spec.config import Scenario

SECONDS_PER_YEAR = 0.084
"""Fixed cost of one simulated year of one replicate (seconds, one core; measured, docs/benchmarks.md)."""
SECONDS_PER_CITIZEN_YEAR = 0.52e-6
"""Cost of one citizen over one simulated year (seconds, one core; measured, docs/benchmarks.md)."""


def replicate_seconds(years: float, citizens: int) -> float:
    """Rough seconds one replicate of ``years`` simulated years and ``citizens`` citizens takes on one core."""
    return years * (SECONDS_PER_YEAR + SECONDS_PER_CITIZEN_YEAR * citizens)


def scenario_seconds(scenario: Scenario) -> float:
    """Rough seconds one replicate of ``scenario`` takes on one core, its burn-in included."""
    burn_in = scenario.parameters.burn_in_weeks
    if burn_in is None:
        burn_in = registry.parameters()["burn_in_weeks"].value
    return replicate_seconds(scenario.years + burn_in / WEEKS_PER_YEAR, scenario.society.citizens)


def duration(seconds: float) -> str:
    """A duration for people: ``45 s``, ``12 min``, ``5.2 h``, ``3.1 days``."""
    if not math.isfinite(seconds):
        return "?"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    if seconds < 48 * 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 86400:.1f} days"


@dataclass
class Progress:
    """Prints ``<label> done/total | rate/s | time left`` on one stderr line (when enabled).

    Args:
        total: units of work in the whole run.
        label: what a unit is (``replicates``, ``points``, ``checks``).
        enabled: print at all (off when stderr is not a terminal, or with ``--quiet``).
        done: units already finished before this process started (a resume); they do not count
            towards the rate.
    """

    total: int
    label: str = "replicates"
    enabled: bool = True
    done: int = 0
    stream: TextIO = field(default_factory=lambda: sys.stderr)
    started: float = field(default_factory=time.perf_counter)

    def __post_init__(self) -> None:
        self._first = self.done

    def rate(self) -> float:
        """Units per second since this process started."""
        elapsed = time.perf_counter() - self.started
        return (self.done - self._first) / elapsed if elapsed > 0 else 0.0

    def line(self) -> str:
        """The progress line, e.g. ``replicates 12/48 | 2.31/s | 16 s left``."""
        rate = self.rate()
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        return f"{self.label} {self.done:,}/{self.total:,} | {rate:.3g}/s | {duration(left)} left"

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units done and redraw the line."""
        self.done += n
        if not self.enabled:
            return
        self.stream.write("\r" + self.line() + "   ")
        if self.done >= self.total:
            self.stream.write("\n")
        self.stream.flush()
