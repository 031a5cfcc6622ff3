"""Negotiation between teams: a team proposes a deal to another, which accepts or rejects it.

A proposal is made in the open round: the proposing team puts ``give_musd`` USD M on one of its
own levers (aid, e.g. "40 USD M of surveillance systems"), on the condition that the other team
puts at least ``ask_musd`` USD M on one of its levers (e.g. "if you raise patrols to 20"); the
condition may be left out (a gift). When the other team accepts, both allocations of the open
round change at once and count as submitted (the proposer's lever rises by ``give_musd``, the
other's lever is raised to ``ask_musd`` if below), within each team's budget and the levers'
maxima, or the acceptance is refused and nothing changes. For the rest of the round the deal's
amounts are floors: a submission below them is refused with a message naming the deal. A
proposal left pending when the round runs expires. The debrief lists every proposal and its fate
on its timeline.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from typing import TYPE_CHECKING, Any

from scenarios.spec import registry
from scenarios.web.classroom import claims
from scenarios.web.classroom.errors import ClassroomError
from scenarios.web.classroom.scoring import state_label

if TYPE_CHECKING:
    from scenarios.web.classroom.game import Classroom

MAX_PENDING = 5
"""Pending proposals one team may have out at once (a page cannot flood another with offers)."""


def propose(
    room: Classroom,
    code: str,
    to: str,
    give_lever: str,
    give_musd: float,
    ask_lever: str | None = None,
    ask_musd: float | None = None,
    device: str | None = None,
) -> int:
    """A team's proposal to team ``to`` for the open round; returns its id. Every problem at once (400)."""
    sid, state = room.team_by_code(code)
    sc = room.scenario(sid)
    teams = sc.exercise.teams
    levers = registry.levers()
    problems = []
    if to not in teams or to == state:
        others = [t for t in teams if t != state]
        problems.append(f"to: {to!r} is not another team of this session; allowed: {', '.join(others)}")
    own = registry.levers_of(state)
    if give_lever not in own:
        problems.append(f"give_lever: {give_lever!r} is not a lever of {state}; allowed: {', '.join(own)}")
    if not (math.isfinite(give_musd) and 0 < give_musd <= teams[state].budget_musd):
        problems.append(
            f"give_musd: {give_musd:g} is not allowed; allowed: more than 0, at most your budget ({teams[state].budget_musd:g})"
        )
    if (ask_lever is None) != (ask_musd is None):
        problems.append("ask_lever and ask_musd: give both (a condition) or neither (a gift)")
    elif ask_lever is not None and ask_musd is not None and to in teams and to != state:
        theirs = registry.levers_of(to)
        if ask_lever not in theirs:
            problems.append(f"ask_lever: {ask_lever!r} is not a lever of {to}; allowed: {', '.join(theirs)}")
        else:
            cap = min(teams[to].budget_musd, levers[ask_lever].max * levers[ask_lever].cost_musd_per_unit)
            if not (math.isfinite(ask_musd) and 0 < ask_musd <= cap):
                problems.append(f"ask_musd: {ask_musd:g} is not allowed; allowed: more than 0, at most {cap:g}")
    if problems:
        raise ClassroomError("; ".join(problems))
    with room.store.transaction(write=True) as db:
        row = room.session_row(db, sid)
        _must_hold(db, sid, state, device)
        room.check_open(row, row["round"] + 1)
        pending = db.execute(
            "SELECT COUNT(*) FROM proposals WHERE session_id=? AND from_state=? AND round=? AND status='pending'",
            (sid, state, row["round"] + 1),
        ).fetchone()[0]
        if pending >= MAX_PENDING:
            raise ClassroomError(f"at most {MAX_PENDING} pending proposals at once: withdraw one first", 429)
        cur = db.execute(
            "INSERT INTO proposals (session_id, round, from_state, to_state, give_lever, give_musd, ask_lever, ask_musd,"
            " status, created) VALUES (?,?,?,?,?,?,?,?,'pending',?)",
            (sid, row["round"] + 1, state, to, give_lever, give_musd, ask_lever, ask_musd, time.time()),
        )
        db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))
        return int(cur.lastrowid or 0)


def decide(
    room: Classroom, code: str, proposal_id: int, action: str, device: str | None = None, client: str = ""
) -> None:
    """``accept`` or ``reject`` a proposal made to this team, or ``withdraw`` one it made."""
    if action not in ("accept", "reject", "withdraw"):
        raise ClassroomError(f"action: {action!r} is not allowed; allowed: accept, reject, withdraw")
    sid, state = room.team_by_code(code)
    with room.store.transaction(write=True) as db:
        row = room.session_row(db, sid)
        _must_hold(db, sid, state, device)
        p = db.execute("SELECT * FROM proposals WHERE session_id=? AND id=?", (sid, proposal_id)).fetchone()
        party = p is not None and (p["from_state"] if action == "withdraw" else p["to_state"]) == state
        if not party:
            raise ClassroomError(f"no proposal {proposal_id} that {state} can {action}", 404)
        if p["status"] != "pending" or p["round"] != row["round"] + 1:
            status = "expired" if p["status"] == "pending" else p["status"]
            raise ClassroomError(f"proposal {proposal_id} is {status}: it can no longer be changed", 409)
        room.check_open(row, p["round"])
        if action == "accept":
            _apply(room, db, sid, p, device or "", client)
        status = {"accept": "accepted", "reject": "rejected", "withdraw": "withdrawn"}[action]
        db.execute("UPDATE proposals SET status=?, decided=? WHERE id=?", (status, time.time(), proposal_id))
        db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))


def _must_hold(db: sqlite3.Connection, sid: str, state: str, device: str | None) -> None:
    if device is not None and not claims.claim(db, sid, state, device):
        raise ClassroomError(f"this device only views {state}'s page: the team's code is in use on another device", 403)


def _apply(room: Classroom, db: sqlite3.Connection, sid: str, p: sqlite3.Row, device: str, client: str) -> None:
    """Both teams' allocations of the open round with the deal in them, stored as submissions."""
    start = room.in_force_tx(db, sid, p["round"])[-1]
    mine = db.execute(
        "SELECT state, allocation_json FROM submissions WHERE session_id=? AND round=?", (sid, p["round"])
    ).fetchall()
    current = {s: dict(start[s]["allocation"]) for s in start} | {
        r["state"]: json.loads(r["allocation_json"]) for r in mine
    }
    giver, taker = dict(current[p["from_state"]]), dict(current[p["to_state"]])
    giver[p["give_lever"]] = giver.get(p["give_lever"], 0.0) + p["give_musd"]
    if p["ask_lever"] is not None:
        taker[p["ask_lever"]] = max(taker.get(p["ask_lever"], 0.0), p["ask_musd"])
    problems = []
    for state, allocation in ((p["from_state"], giver), (p["to_state"], taker)):
        try:
            stored = room.check_allocation(sid, state, allocation)
        except ClassroomError as e:
            problems.append(f"{state}: {e}")
            continue
        db.execute(
            "INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?)",
            (sid, state, p["round"], json.dumps(stored), time.time()),
        )
        claims.log(db, sid, state, p["round"], stored, device, client, 200, f"deal {p['id']} accepted")
    if problems:
        raise ClassroomError(f"the deal does not fit: {'; '.join(problems)}. Nothing was changed", 409)


def floors(db: sqlite3.Connection, sid: str, state: str, round_: int) -> dict[str, tuple[float, list[int]]]:
    """What the team's accepted deals of ``round_`` commit it to: lever -> (USD M at least, deal ids)."""
    out: dict[str, tuple[float, list[int]]] = {}
    for p in db.execute(
        "SELECT * FROM proposals WHERE session_id=? AND round=? AND status='accepted' AND (from_state=? OR to_state=?)",
        (sid, round_, state, state),
    ):
        if p["from_state"] == state:
            lever, amount, add = p["give_lever"], p["give_musd"], True
        elif p["ask_lever"] is not None:
            lever, amount, add = p["ask_lever"], p["ask_musd"], False
        else:
            continue
        usd, ids = out.get(lever, (0.0, []))
        out[lever] = (usd + amount if add else max(usd, amount), [*ids, p["id"]])
    return out


def check_floors(db: sqlite3.Connection, sid: str, state: str, round_: int, allocation: dict[str, float]) -> None:
    """Refuse (409) an allocation below what the team's accepted deals of the round commit it to."""
    broken = [
        f"{lever}: {allocation.get(lever, 0.0):g} USD M is below the {usd:g} USD M of deal {', '.join(map(str, ids))}"
        for lever, (usd, ids) in floors(db, sid, state, round_).items()
        if allocation.get(lever, 0.0) < usd - 1e-9
    ]
    if broken:
        raise ClassroomError("your accepted deals commit you: " + "; ".join(broken) + ". Nothing was saved", 409)


def proposals(
    db: sqlite3.Connection, sid: str, open_round: int | None, state: str | None = None
) -> list[dict[str, Any]]:
    """Every proposal of the session (or those involving ``state``), oldest first, with its status
    (a pending proposal of a round that has run is ``expired``) and in words."""
    rows = db.execute("SELECT * FROM proposals WHERE session_id=? ORDER BY id", (sid,)).fetchall()
    out = []
    levers = registry.levers()
    for p in rows:
        if state is not None and state not in (p["from_state"], p["to_state"]):
            continue
        status = p["status"]
        if status == "pending" and (open_round is None or p["round"] < open_round):
            status = "expired"
        giver, taker = state_label(p["from_state"]), state_label(p["to_state"])
        words = f"{giver} puts {p['give_musd']:g} USD M on {levers[p['give_lever']].label.lower()}"
        if p["ask_lever"] is not None:
            words += f" if {taker} puts at least {p['ask_musd']:g} USD M on {levers[p['ask_lever']].label.lower()}"
        else:
            words += f" for {taker}, with no condition"
        out.append(dict(p) | {"status": status, "words": words})
    return out
