"""Is a change bit-identical? Dump every recorded table of a few runs, then compare two dumps exactly.

The golden test (tests/test_golden.py) compares a summary to 1e-9; a speed-up that claims to
change nothing is checked here instead, table by table, to the last bit:

    git worktree add /tmp/before <commit before the change>
    PYTHONPATH=/tmp/before/src .venv/bin/python -m scripts.same_runs dump /tmp/before.pkl
    .venv/bin/python -m scripts.same_runs dump /tmp/after.pkl
    .venv/bin/python -m scripts.same_runs compare /tmp/before.pkl /tmp/after.pkl

The runs cover the baseline, a lever raised mid-run, a small world off the calibrated legitimacy
and the triple stress (events, drivers and a withdrawal), two seeds each (one for the stress).
Exit code 0 when every table is identical, 1 otherwise (the differing tables are printed).
"""

from __future__ import annotations

import argparse
import pickle
import sys
from typing import Any

import numpy as np

CASES: dict[str, tuple[str, list[str], tuple[int, ...]]] = {
    "baseline": ("baseline", ["society.citizens=2000", "years=8"], (1, 2)),
    "lever mid-run": (
        "baseline",
        ["society.citizens=2000", "years=6", "states.china.levers.intelligence_sharing={2021: 0.2, 2025: 1.0}"],
        (1, 2),
    ),
    "small world": ("baseline", ["society.citizens=1000", "years=3", "parameters.legitimacy_initial=0.91"], (1, 2)),
    "triple stress": ("triple_stress", ["society.citizens=2000", "years=7"], (5,)),
}


def dump(path: str) -> None:
    """Run every case and pickle its tables: {(case, seed): (timeseries, regions, segments, severities)}."""
    from scenarios import api
    from scenarios.model import simulate

    out: dict[tuple[str, int], Any] = {}
    for name, (scenario, sets, seeds) in CASES.items():
        sc = api.load(scenario, sets)
        for seed in seeds:
            d = simulate(sc, seed)
            out[(name, seed)] = (d.timeseries, d.regions, d.segments, d.severities)
    with open(path, "wb") as f:
        pickle.dump(out, f)


def _same(a: Any, b: Any) -> bool:
    x, y = np.asarray(a), np.asarray(b)
    return x.shape == y.shape and bool(np.array_equal(x, y, equal_nan=x.dtype.kind == "f"))


def compare(before: str, after: str) -> int:
    """Print every table that differs; 0 when none does."""
    with open(before, "rb") as f:
        a = pickle.load(f)
    with open(after, "rb") as f:
        b = pickle.load(f)
    differ = []
    for key in a.keys() | b.keys():
        if key not in a or key not in b:
            differ.append(f"{key}: only in one dump")
            continue
        for part, (ta, tb) in zip(
            ("timeseries", "regions", "segments"), zip(a[key][:3], b[key][:3], strict=True), strict=True
        ):
            differ += [
                f"{key} {part}.{n}"
                for n in ta.keys() | tb.keys()
                if n not in ta or n not in tb or not _same(ta[n], tb[n])
            ]
        if not _same(a[key][3], b[key][3]):
            differ.append(f"{key} severities")
    for line in sorted(differ):
        print("differs:", line)
    tables = sum(len(t) for v in a.values() for t in v[:3]) + len(a)
    print(f"{len(a)} runs, {tables} tables: " + ("identical" if not differ else f"{len(differ)} differ"))
    return 1 if differ else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("dump").add_argument("file")
    cmp = sub.add_parser("compare")
    cmp.add_argument("before")
    cmp.add_argument("after")
    args = parser.parse_args()
    if args.command == "dump":
        dump(args.file)
        sys.exit(0)
    sys.exit(compare(args.before, args.after))


if __name__ == "__main__":
    main()
