"""Benchmark of common random numbers: how well paired runs stay in step when one lever changes.

For each case (one lever of one state raised, everything else equal), ``--replicates`` replicate
seeds are run for the baseline and for the case with the same seeds. The statistic is a run's mean
of an outcome over the years from ``--from`` to the end. Printed per case: the SD of the paired
differences, the SD that independent (unpaired) runs would give (sqrt of the sum of the two
variances), and their ratio: the smaller the paired SD, the fewer replicates a comparison needs
(replicates needed scale with the variance, so a ratio of 0.5 means 4x fewer).

Run: ``.venv/bin/python benchmarks/crn.py [--replicates 20] [--citizens 10000]``. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from scenarios.analysis.summary import yearly
from scenarios.model import simulate
from scenarios.rng import replicate_seeds
from scenarios.spec import outcomes
from scenarios.spec.config import derive, load_scenario

CASES = {
    "china surveillance_systems 10 -> 20 (2026-)": {
        "states__china__levers__surveillance_systems": {"2021": 10, "2026": 20}
    },
    "china economic_initiatives 20 -> 120 (2026-)": {
        "states__china__levers__economic_initiatives": {"2021": 20, "2026": 120}
    },
    "china intelligence_sharing 0.4 -> 0.9 (2026-)": {
        "states__china__levers__intelligence_sharing": {"2021": 0.4, "2026": 0.9}
    },
}
OUTCOMES = ("stability_index", "casualties", "legitimacy", "seizures_t")


def statistic(scenario: object, seed: int, first_year: int) -> dict[str, float]:
    data = simulate(scenario, seed)
    ts = data.timeseries
    years = np.floor(ts["year"]).astype(int)
    keep = years >= first_year
    table = outcomes.national()
    return {o: float(yearly(np.asarray(ts[o])[keep], table[o].summary).mean()) for o in OUTCOMES}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=20)
    ap.add_argument("--citizens", type=int, default=10_000)
    ap.add_argument("--from", dest="first", type=int, default=2026)
    args = ap.parse_args()
    base = load_scenario("baseline", [f"society.citizens={args.citizens}"])
    seeds = replicate_seeds(base.seed, args.replicates)
    t0 = time.perf_counter()
    b = [statistic(base, s, args.first) for s in seeds]
    print(f"{args.replicates} replicates, {args.citizens:,} citizens, statistic: mean per year {args.first}-end\n")
    print("| case | outcome | mean difference | paired SD | unpaired SD | ratio |")
    print("|---|---|---|---|---|---|")
    for label, change in CASES.items():
        sc = derive(base, **change)
        c = [statistic(sc, s, args.first) for s in seeds]
        for o in OUTCOMES:
            x = np.array([r[o] for r in b])
            y = np.array([r[o] for r in c])
            d = y - x
            paired = d.std(ddof=1)
            unpaired = float(np.sqrt(x.var(ddof=1) + y.var(ddof=1)))
            ratio = paired / unpaired if unpaired > 0 else float("nan")
            print(f"| {label} | {o} | {d.mean():+.4g} | {paired:.4g} | {unpaired:.4g} | {ratio:.2f} |")
    print(f"\n({time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
