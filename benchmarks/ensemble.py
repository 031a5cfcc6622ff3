"""Benchmark of ensembles (issue: ensembles): one default run, 100 replicates on 1 and 2 workers
(wall time, speed-up, peak memory), and the default 100-replicate comparison of two scenarios.

Run: ``.venv/bin/python benchmarks/ensemble.py [--replicates N]``. Prints a Markdown table.
Peak memory is the largest sum of resident sets of the main process and its workers, sampled every 0.1 s.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "scenarios"]


def timed(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak total RSS (MiB) of a command and all its child processes, sampled every 0.1 s."""
    import psutil

    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    top = psutil.Process(proc.pid)
    peak = 0
    while proc.poll() is None:
        try:
            procs = [top, *top.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in procs if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.1)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return wall, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--replicates", type=int, default=100)
    args = ap.parse_args()
    n = args.replicates
    base = str(ROOT / "src" / "scenarios" / "library" / "baseline.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        rows = []
        wall, mem = timed([*CLI, "run", base, "--quiet", "--out", f"{tmp}/single"])
        rows.append(("single default run (baseline, 10 years, 10,000 citizens), incl. start-up", wall, mem))
        w1, m1 = timed([*CLI, "run", base, "--quiet", "--replicates", str(n), "--workers", "1", "--out", f"{tmp}/w1"])
        rows.append((f"{n}-replicate ensemble, 1 worker", w1, m1))
        w2, m2 = timed([*CLI, "run", base, "--quiet", "--replicates", str(n), "--workers", "2", "--out", f"{tmp}/w2"])
        rows.append((f"{n}-replicate ensemble, 2 workers (speed-up {w1 / w2:.2f}x)", w2, m2))
        wc, mc = timed(
            [
                *CLI,
                "compare",
                base,
                str(ROOT / "src" / "scenarios" / "library" / "security_first.yaml"),
                "--replicates",
                str(n),
                "--workers",
                "2",
                "--results",
                f"{tmp}/res",
            ]
        )
        rows.append((f"compare baseline vs security_first, {n} replicates each, 2 workers, with report", wc, mc))
    print("| benchmark | wall (s) | peak memory, all processes (MiB) |")
    print("|---|---:|---:|")
    for name, wall, mem in rows:
        print(f"| {name} | {wall:.1f} | {mem:.0f} |")


if __name__ == "__main__":
    main()
