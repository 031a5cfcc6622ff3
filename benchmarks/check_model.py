"""Benchmark of ``scenarios check-model``: where its time goes, and its total CPU over every process.

Runs the suite (``--quick`` by default) as the CLI does and prints, per check, the wall time, the
model runs it started (full-model runs on the workers, submodel runs in this process) with their
years and citizens, and at the end the total CPU time (user + sys) of this process and of every
worker process. Worker processes are forked by a forkserver, not by this process, so
``/usr/bin/time`` alone misses their CPU; the script stops the forkserver at the end (which reaps
the workers) so that ``RUSAGE_CHILDREN`` counts them.

Run: ``.venv/bin/python benchmarks/check_model.py [--full] [--workers 2] [--seeds N] [--json FILE]``; ``--json``
also writes every check's figures (to compare two versions of the code check by check).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from collections import Counter
from dataclasses import replace
from multiprocessing import forkserver
from typing import Any


def cpu_seconds(who: int) -> float:
    """User + sys CPU seconds of ``resource.RUSAGE_SELF`` or ``RUSAGE_CHILDREN``."""
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _burn_in(config: dict[str, Any]) -> int | None:
    value = config.get("parameters", {}).get("burn_in_weeks")
    return None if value is None else int(value)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full design (default: --quick)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=None, help="replace the design's seeds (a smaller run)")
    parser.add_argument("--only", default=None, help="comma-separated check ids")
    parser.add_argument("--json", default=None, help="write every check's figures to this file")
    args = parser.parse_args()

    import scenarios.experiments.checks.core as core
    import scenarios.model
    from scenarios.experiments.checks import Design, run_checks, suite_tables

    runs: Counter[tuple[str, int, int]] = Counter()  # (where, years, citizens) -> runs
    per_check: dict[str, Counter[tuple[str, int, int]]] = {}
    simulated = Counter[str]()  # where -> simulated years (burn-in included)
    current = ["(prefetch)"]

    def count(where: str, years: float, citizens: int, burn_in: int | None) -> None:
        runs[(where, round(years, 2), citizens)] += 1
        per_check.setdefault(current[0], Counter())[(where, round(years, 2), citizens)] += 1
        simulated[where] += years + (52 if burn_in is None else burn_in) / 52

    original_run_tasks = core.run_tasks

    def counting_run_tasks(fn: Any, tasks: Any, *rest: Any) -> None:
        for task in tasks.values():
            if task[0] == "check":  # a standalone check (F1-F4, F8, B1) made on a worker
                count(f"workers, standalone {task[1].__name__}", 0, 0, 0)
                continue
            _, group, _seed, _summarise, verify = task  # a family of runs (checks/families.py)
            for i, m in enumerate(group):
                years = max(y for y, _ in m.wanted)
                burn_in = _burn_in(m.config)
                citizens = int(m.config["society"]["citizens"])
                start = 0.0 if i == 0 else (m.branch - (52 if burn_in is None else burn_in)) / 52
                if i == 0:
                    count("workers", years, citizens, burn_in)
                else:  # continued from the root: only its own years are simulated
                    count("workers, continued", years - start, citizens, 0)
                    if verify:
                        count("workers, verifying", years, citizens, burn_in)
        original_run_tasks(fn, tasks, *rest)

    original_simulate = scenarios.model.simulate

    def counting_simulate(scenario: Any, seed: int | None = None, progress: Any = None) -> Any:
        count("in process", int(scenario.years), int(scenario.society.citizens), scenario.parameters.burn_in_weeks)
        return original_simulate(scenario, seed, progress)

    core.run_tasks = counting_run_tasks  # type: ignore[assignment]
    scenarios.model.simulate = counting_simulate  # type: ignore[assignment]

    design = replace(Design.for_mode(not args.full), workers=args.workers)
    if args.seeds is not None:
        design = replace(design, seeds=args.seeds)
    only = tuple(args.only.split(",")) if args.only else None
    times: dict[str, float] = {}
    started = time.perf_counter()
    last = [started]

    def progress(cid: str) -> None:
        now = time.perf_counter()
        times[current[0]] = now - last[0]
        last[0] = now
        current[0] = cid

    results = run_checks(quick=not args.full, only=only, progress=progress, design=design)
    progress("(tables)")
    suite_tables(results, design)
    progress("(end)")
    wall = time.perf_counter() - started
    if forkserver._forkserver._forkserver_pid is not None:  # type: ignore[attr-defined]
        forkserver._forkserver._stop()  # type: ignore[attr-defined]  # reaps the workers: their CPU is counted
    own, children = cpu_seconds(resource.RUSAGE_SELF), cpu_seconds(resource.RUSAGE_CHILDREN)

    print("| check | wall s | runs (where: n x years x citizens) |")
    print("|---|---:|---|")
    for cid, seconds in times.items():
        made = "; ".join(f"{w}: {n} x {y} y x {c:,}" for (w, y, c), n in sorted(per_check.get(cid, Counter()).items()))
        print(f"| {cid} | {seconds:.1f} | {made} |")
    print()
    for (where, years, citizens), n in sorted(runs.items()):
        print(f"{where}: {n} runs of {years} years x {citizens:,} citizens")
    for where, years in sorted(simulated.items()):
        print(f"{where}: {years:,.0f} simulated years, burn-in included")
    load = os.getloadavg()
    print(
        f"\n{len(results)} checks, {args.workers} workers: wall {wall:.1f} s; CPU {own + children:.1f} s "
        f"(main {own:.1f} s + workers {children:.1f} s) = {(own + children) / 60:.2f} CPU-minutes; "
        f"load average at the end {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}"
    )
    if args.json:
        rows = [
            {"id": r.id, "measured": r.measured, "ci": [r.ci_low, r.ci_high], "passed": r.passed, "detail": r.detail}
            for r in results
        ]
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
