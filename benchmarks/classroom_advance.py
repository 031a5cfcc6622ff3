"""The cost of a classroom Advance, in process (no server): each round of an exercise advanced by a
``Classroom``, with every team's counterfactual of the round after it, CPU and wall seconds.

Two ways per exercise, on the same choices (every team keeps the exercise's plan):
``replay`` (``snapshot_sessions=0``: every Advance re-runs the session from its start, the code
before snapshots) and ``snapshot`` (the default: the model of the round before continues for one
year). Also the memory of one snapshot (``tracemalloc`` peak while copying the model).

Run: ``.venv/bin/python benchmarks/classroom_advance.py [--exercise long_decade]``; prints Markdown.
``--why [--parameters calibrated]`` instead measures the debrief's "why stability moved" once the
exercise is over (every team moved; with a posterior, also the 10 plausible parameter sets).
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "src" / "scenarios" / "library" / "exercises"


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def play(
    exercise: str, snapshot_sessions: int, parameters: str | None = None, why: bool = False
) -> tuple[list[tuple[float, float]], list[tuple[float, float]], object]:
    """(CPU, wall) seconds of each Advance and of each round's counterfactuals; with ``why``, the
    explanation's result (its own CPU and wall seconds) instead of the room."""
    from scenarios.web.classroom import Classroom, counterfactual
    from scenarios.web.classroom import why as explain

    with tempfile.TemporaryDirectory() as tmp:
        room = Classroom(
            Path(tmp) / "class.sqlite", EXERCISES, snapshot_sessions=snapshot_sessions, parameters=parameters
        )
        chosen = "defaults" if parameters is None else "posterior"
        sid, teams = room.create_session(exercise, seed=1, parameters=chosen)
        room.warm_up(sid)  # baseline and noise band, as the server does at creation
        advances, counterfactuals = [], []
        rounds = room.state(sid)["rounds"]
        for r in range(1, rounds + 1):
            for t in teams:  # a team that changes its plan a little every round (so counterfactuals run)
                plan = room.allocations_in_force(sid, r)[-1][t.state]["allocation"]
                room.submit(t.code, r, {k: v * (1.0 - 0.05 * (r % 3)) for k, v in plan.items()})
            c0, w0 = cpu(), time.perf_counter()
            room.advance(sid, r)
            advances.append((cpu() - c0, time.perf_counter() - w0))
            c0, w0 = cpu(), time.perf_counter()
            counterfactual.compute(room, sid, r)
            counterfactuals.append((cpu() - c0, time.perf_counter() - w0))
        if why:
            return advances, counterfactuals, explain.compute(explain.inputs(room, sid))
        return advances, counterfactuals, room


def snapshot_megabytes(exercise: str) -> float:
    """Memory of one snapshot of the exercise's model after its first round (tracemalloc peak of a copy)."""
    from scenarios.model import SecurityModel
    from scenarios.spec.config import load_scenario

    sc = load_scenario(EXERCISES / f"{exercise}.yaml")
    model = SecurityModel(sc, sc.seed)
    model.advance(52)
    tracemalloc.start()
    kept = copy.deepcopy(model)
    size = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    del kept
    return size / 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--exercise", default="long_decade")
    ap.add_argument("--why", action="store_true", help="measure the debrief's explanation instead")
    ap.add_argument("--parameters", default=None, help="with --why: a posterior (e.g. calibrated)")
    args = ap.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.why:
        *_, result = play(args.exercise, 8, args.parameters, why=True)
        moved = sum(1 for t in result["teams"].values() if t is not None)
        print(
            f"{args.exercise}, parameters {args.parameters or 'defaults'}: {moved} teams moved, {result['runs']} runs "
            f"of the session, {result['cpu_seconds']:.1f} s CPU, {result['wall_seconds']:.1f} s wall"
        )
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        return
    rows = {}
    for label, sessions in (("replay", 0), ("snapshot", 8)):
        advances, counterfactuals, _ = play(args.exercise, sessions)
        rows[label] = (advances, counterfactuals)
    print(f"\n{args.exercise}: CPU / wall seconds per round\n")
    print("| round | Advance, replay | Advance, snapshot | counterfactuals, replay | counterfactuals, snapshot |")
    print("|---:|---|---|---|---|")
    for r in range(len(rows["replay"][0])):
        cells = [f"{rows[k][i][r][0]:.2f} / {rows[k][i][r][1]:.2f}" for i in (0, 1) for k in ("replay", "snapshot")]
        print(f"| {r + 1} | " + " | ".join(cells) + " |")
    print(f"\none snapshot: {snapshot_megabytes(args.exercise):.1f} MB")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
