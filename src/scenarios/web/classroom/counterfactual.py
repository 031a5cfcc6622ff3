"""What each team's own choices did: the round re-run with the team's plan instead of its choices.

For round r and team T: rounds 1..r are simulated again with every input as played (the frozen
inputs of each round) except T's allocation of round r, which is the exercise's plan for that
year, under the session's seed (common random numbers: the same draws wherever the inputs agree).
The difference between year r as played and that re-run is what T's own choices did that year.
A team whose allocation of round r was the plan needs no run. The server computes every team's
counterfactual right after each Advance, in the background; an undone round loses them with its
results (a late one for an undone round is not stored).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from scenarios.web.classroom.errors import ClassroomError

if TYPE_CHECKING:
    from scenarios.web.classroom.game import Classroom


def compute(room: Classroom, sid: str, round_: int) -> None:
    """Compute and store every team's counterfactual of round ``round_`` (played, else 409): per
    team, ``{"same_as_plan": bool, "yearly": {outcome: value of that year} or None}``."""
    from scenarios.web.classroom import game

    with room.store.transaction() as db:
        row = room.session_row(db, sid)
        if not 1 <= round_ <= row["round"] or room.result_tx(db, sid, round_, "played") is None:
            raise ClassroomError(f"round {round_} has not been played", 409)
        in_force = room.in_force_tx(db, sid, round_)[-1]
    cfg = room.config(sid)
    year_index = round_ - 1
    for state, entry in in_force.items():
        plan = game.plan_allocation(cfg, state, int(cfg["start"][:4]) + year_index)
        same = entry["source"] == "plan" or all(
            abs(entry["allocation"].get(n, 0.0) - plan.get(n, 0.0)) < 1e-9 for n in set(plan) | set(entry["allocation"])
        )
        data: dict[str, Any] = {"same_as_plan": same, "yearly": None}
        if not same:
            series = room.simulate_round(sid, round_, row["seed"], plan_for=state)
            data["yearly"] = {k: v[year_index] for k, v in series["yearly"].items()}
        with room.store.transaction(write=True) as db:
            if room.session_row(db, sid)["round"] < round_ or room.in_force_tx(db, sid, round_)[-1] != in_force:
                return  # the round was undone (and perhaps played again) meanwhile: nothing to store
            db.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?)",
                (sid, round_, f"counterfactual:{state}", json.dumps(data)),
            )
            db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))


def stored(room: Classroom, sid: str, round_: int, state: str) -> dict[str, Any] | None:
    """A team's stored counterfactual of a round (see :func:`compute`), or None if not computed (yet)."""
    with room.store.transaction() as db:
        return room.result_tx(db, sid, round_, f"counterfactual:{state}")
