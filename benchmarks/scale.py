"""Benchmark of scale-out (issue #15): the main process's share of an ensemble's CPU time, and the
Amdahl speed-up it allows, plus measured wall times on 1 and 2 workers.

Run: ``PYTHONPATH=src .venv/bin/python benchmarks/scale.py [--replicates 48]``. Prints a Markdown table.

The main process's CPU time is ``time.process_time()`` around :func:`scenarios.api.run` (all its
threads: task submission, the pool's management thread, bookkeeping, ``summary.csv``, the final
rename); the workers' CPU time is the sum of the per-replicate CPU seconds they record in the
manifest (simulation + writing the replicate's files + its summary). Worker start-up is not in
either sum. The main share ``s`` bounds the speed-up on N workers by Amdahl's law,
``1 / (s + (1 - s) / N)``, and at most ``1 / s`` with any number of workers.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(replicates: int, workers: int, out: Path) -> tuple[float, float, float]:
    """Wall seconds, main-process CPU seconds and summed worker CPU seconds of one ensemble."""
    import scenarios

    base = scenarios.load(ROOT / "configs" / "baseline.yaml")
    wall0, cpu0 = time.perf_counter(), time.process_time()
    result = scenarios.run(base, out, replicates=replicates, workers=workers)
    wall, main_cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return wall, main_cpu, float(sum(result.manifest["cpu_seconds"].values()))


def amdahl(share: float, workers: float) -> float:
    """Speed-up on ``workers`` workers when ``share`` of the work is serial."""
    return 1.0 / (share + (1.0 - share) / workers)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=48)
    n = ap.parse_args().replicates
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            wall, main_cpu, worker_cpu = measure(n, workers, Path(tmp) / f"w{workers}")
            rows.append((workers, wall, main_cpu, worker_cpu))
    print(
        "| workers | wall (s) | main process CPU (s) | workers' CPU (s) | main share | "
        "Amdahl speed-up at 16 workers | limit (1/share) |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for workers, wall, main_cpu, worker_cpu in rows:
        if workers == 1:  # one worker runs in the main process: there is no separate main share
            print(f"| 1 (in the main process) | {wall:.1f} | {main_cpu:.2f} | (same process) | - | - | - |")
            continue
        share = main_cpu / (main_cpu + worker_cpu)
        print(
            f"| {workers} | {wall:.1f} | {main_cpu:.2f} | {worker_cpu:.1f} | {100 * share:.1f}% | "
            f"{amdahl(share, 16):.1f}x | {1 / share:.0f}x |"
        )
    print(f"\n{n} replicates of the baseline; speed-up 1 -> 2 workers: {rows[0][1] / rows[1][1]:.2f}x")
    print(f"load average during the run (1, 5, 15 min): {', '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
