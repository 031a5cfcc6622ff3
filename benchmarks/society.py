"""Benchmark of the society update and the whole default scenario (issue: society, speed).

Measures, on this machine, in CPU time of this process (``time.process_time``: user + system,
so other jobs on a shared machine do not count, though they still slow memory access):
- per-step cost of the society update at 10^4, 10^5 and 10^6 citizens;
- the whole default scenario (baseline, 10 years weekly) at 10^4 and 10^6 citizens;
- citizen-steps per second against a plain Mesa model with the same number of trivial agents
  stepped with ``shuffle_do`` (Mesa's Boltzmann-wealth style benchmark), side by side;
- with ``--census``, only the baseline at census size (9,660,000 citizens), the model run of
  ``scenarios run baseline --set society.citizens=9660000`` without writing the results folder:
  CPU seconds (user and system, from ``resource.getrusage``) and peak resident memory.

Run: ``.venv/bin/python benchmarks/society.py [--quick] [--census]``. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import mesa
import numpy as np

from scenarios.model import simulate
from scenarios.model.society import Society
from scenarios.rng import WeeklyStreams
from scenarios.spec import registry
from scenarios.spec.config import load_scenario
from scenarios.spec.params import Params

ROOT = Path(__file__).resolve().parents[1]


def society_step_seconds(n: int, steps: int) -> float:
    pop = np.array([r.population for r in registry.default_world().regions], dtype=float)
    soc = Society(np.random.default_rng(0), WeeklyStreams(0), pop, n, Params.defaults(), "floor", True)
    z = np.zeros(pop.size)
    soc.step(z, 0.0, z, 0.35, z, 0.0)  # warm-up
    t0 = time.process_time()
    for _ in range(steps):
        soc.step(z + 0.3, 0.2, z + 0.2, 0.35, z, 0.3)
    return (time.process_time() - t0) / steps


class Trivial(mesa.Agent):
    def __init__(self, model: mesa.Model):
        super().__init__(model)
        self.wealth = 1

    def step(self) -> None:
        if self.wealth > 0:
            self.wealth -= 1
            self.model.pot += 1


class TrivialModel(mesa.Model):
    def __init__(self, n: int):
        super().__init__(rng=np.random.default_rng(0))
        self.pot = 0
        Trivial.create_agents(self, n)

    def step(self) -> None:
        self.agents.shuffle_do("step")


def mesa_step_seconds(n: int, steps: int) -> float:
    m = TrivialModel(n)
    m.step()
    t0 = time.process_time()
    for _ in range(steps):
        m.step()
    return (time.process_time() - t0) / steps


def scenario_seconds(citizens: int) -> float:
    """CPU seconds of one baseline run (set-up included) at ``citizens``."""
    sc = load_scenario(ROOT / "src" / "scenarios" / "library" / "baseline.yaml", [f"society.citizens={citizens}"])
    t0 = time.process_time()
    simulate(sc, 1)
    return time.process_time() - t0


def census() -> tuple[float, float, float]:
    """The census-size baseline: (user CPU s, system CPU s, peak resident memory in GiB)."""
    before = resource.getrusage(resource.RUSAGE_SELF)
    sc = load_scenario(ROOT / "src" / "scenarios" / "library" / "baseline.yaml", ["society.citizens=9660000"])
    simulate(sc, sc.seed)
    after = resource.getrusage(resource.RUSAGE_SELF)
    return after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, after.ru_maxrss / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer steps, skip the 10^6 whole run")
    ap.add_argument("--census", action="store_true", help="only the census-size baseline (9,660,000 citizens)")
    args = ap.parse_args()
    if args.census:
        user, system, rss = census()
        print(
            "| census-size baseline (9,660,000 citizens, 10 years) | user CPU (s) | system CPU (s) | peak memory (GiB) |"
        )
        print("|---|---:|---:|---:|")
        print(f"| simulate() of baseline.yaml with society.citizens=9660000 | {user:.1f} | {system:.1f} | {rss:.2f} |")
        return
    print(
        "| citizens | society step (CPU ms) | citizen-steps/s | plain Mesa shuffle_do step (CPU ms) | agent-steps/s | speed-up |"
    )
    print("|---:|---:|---:|---:|---:|---:|")
    for n in (10_000, 100_000, 1_000_000):
        steps = 20 if n == 1_000_000 else 100
        if args.quick:
            steps = max(3, steps // 10)
        s = society_step_seconds(n, steps)
        m = mesa_step_seconds(n, max(2, steps // (10 if n >= 100_000 else 1)))
        print(f"| {n:,} | {s * 1e3:.2f} | {n / s:,.0f} | {m * 1e3:.1f} | {n / m:,.0f} | {m / s:.0f}x |")
    print()
    print("| whole default scenario (baseline, 10 years: 520 recorded weeks after a 52-week burn-in) | CPU seconds |")
    print("|---|---:|")
    for n in (10_000,) if args.quick else (10_000, 1_000_000):
        print(f"| {n:,} citizens | {scenario_seconds(n):.2f} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
