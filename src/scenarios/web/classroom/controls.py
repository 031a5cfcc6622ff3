"""The teacher's controls of a session: team codes, the round clock, injects, undo, archive and delete.

Plain functions on a :class:`~scenarios.web.classroom.game.Classroom`; each is one write
transaction that bumps the session's version (so every page updates) and refuses (409) what
would change a round while it is being simulated.

The clock: a round has no deadline until the teacher starts it (round 1) or Advance opens the next
round (it starts by itself, ``minutes_per_round`` of the exercise). Pausing keeps the time left;
extending adds minutes; with the lock on, submissions after the deadline are refused.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from scenarios.web.classroom.codes import CODE_LENGTH, random_code
from scenarios.web.classroom.errors import ClassroomError

if TYPE_CHECKING:
    from scenarios.web.classroom.game import Classroom

MAX_EXTEND_MINUTES = 60


def _error(message: str, status: int = 400) -> ClassroomError:
    return ClassroomError(message, status)


@contextmanager
def _change(room: Classroom, sid: str) -> Iterator[tuple[sqlite3.Connection, sqlite3.Row]]:
    """A write transaction on an existing session that bumps its version when it commits."""
    with room.store.transaction(write=True) as db:
        row = db.execute("SELECT * FROM sessions WHERE id=?", (sid,)).fetchone()
        if row is None:
            raise _error("no such session", 404)
        yield db, row
        db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))


def _team(db: sqlite3.Connection, sid: str, state: str) -> None:
    teams = [r["state"] for r in db.execute("SELECT state FROM teams WHERE session_id=? ORDER BY rowid", (sid,))]
    if state not in teams:
        raise _error(f"no team {state!r} in this session; its teams: {', '.join(teams)}", 404)


def _not_running(row: sqlite3.Row, what: str) -> None:
    if row["running"] is not None:
        raise _error(f"round {row['running']} is being simulated now: {what} once it has run", 409)


# ---------------------------------------------------------------------- team codes
def release(room: Classroom, sid: str, state: str) -> None:
    """Free the team's code: the next device to open it claims it."""
    with _change(room, sid) as (db, _):
        _team(db, sid, state)
        db.execute("UPDATE teams SET device_hash=NULL, joined=NULL WHERE session_id=? AND state=?", (sid, state))


def reissue(room: Classroom, sid: str, state: str) -> str:
    """A new code for the team (the old one stops working, no device holds the new one); returns it."""
    for _ in range(5):
        code = random_code(CODE_LENGTH)
        try:
            with _change(room, sid) as (db, _):
                _team(db, sid, state)
                db.execute(
                    "UPDATE teams SET code=?, device_hash=NULL, joined=NULL WHERE session_id=? AND state=?",
                    (code, sid, state),
                )
            return code
        except sqlite3.IntegrityError:  # a code in use (about 1 in 1e11): draw again
            continue
    raise _error("could not draw a unique join code", 500)


def reset_team(room: Classroom, sid: str, state: str) -> None:
    """Start the team over in the open round: its code is released and its submission for the open
    round deleted (it then keeps its last allocation, or the plan). Played rounds are not touched."""
    with _change(room, sid) as (db, row):
        _team(db, sid, state)
        _not_running(row, "reset the team")
        db.execute("UPDATE teams SET device_hash=NULL, joined=NULL WHERE session_id=? AND state=?", (sid, state))
        db.execute("DELETE FROM submissions WHERE session_id=? AND state=? AND round=?", (sid, state, row["round"] + 1))


# ---------------------------------------------------------------------- the clock
def _minutes(db: sqlite3.Connection, row: sqlite3.Row) -> float | None:
    value = json.loads(row["config_json"])["exercise"].get("minutes_per_round")
    return None if value is None else float(value)


def start_clock(room: Classroom, sid: str) -> None:
    """Start the open round's countdown from the exercise's ``minutes_per_round``."""
    with _change(room, sid) as (db, row):
        if row["round"] >= row["rounds"]:
            raise _error("the exercise is over", 409)
        minutes = _minutes(db, row)
        if minutes is None:
            raise _error("this exercise sets no minutes_per_round: extend the clock by a number of minutes instead")
        now = time.time()
        db.execute(
            "UPDATE sessions SET deadline=?, paused_left=NULL, round_started=? WHERE id=?",
            (now + 60 * minutes, now, sid),
        )


def pause_clock(room: Classroom, sid: str) -> None:
    """Stop the countdown, keeping the time left."""
    with _change(room, sid) as (db, row):
        if row["deadline"] is None:
            raise _error("the clock is not running", 409)
        db.execute(
            "UPDATE sessions SET paused_left=?, deadline=NULL WHERE id=?",
            (max(0.0, row["deadline"] - time.time()), sid),
        )


def resume_clock(room: Classroom, sid: str) -> None:
    """Run the countdown again from the time left when it was paused."""
    with _change(room, sid) as (db, row):
        if row["paused_left"] is None:
            raise _error("the clock is not paused", 409)
        db.execute(
            "UPDATE sessions SET deadline=?, paused_left=NULL WHERE id=?", (time.time() + row["paused_left"], sid)
        )


def extend_clock(room: Classroom, sid: str, minutes: float) -> None:
    """Add ``minutes`` (1 to 60) to the open round: to the time left, or from now if time is up or
    the clock has not started."""
    if not 0 < minutes <= MAX_EXTEND_MINUTES:
        raise _error(f"minutes: {minutes:g} is not allowed; allowed: more than 0, at most {MAX_EXTEND_MINUTES}")
    with _change(room, sid) as (db, row):
        if row["round"] >= row["rounds"]:
            raise _error("the exercise is over", 409)
        now = time.time()
        if row["paused_left"] is not None:
            db.execute("UPDATE sessions SET paused_left=? WHERE id=?", (row["paused_left"] + 60 * minutes, sid))
        else:
            db.execute(
                "UPDATE sessions SET deadline=? WHERE id=?", (max(now, row["deadline"] or now) + 60 * minutes, sid)
            )


def lock_at_zero(room: Classroom, sid: str, on: bool) -> None:
    """Whether submissions after the deadline are refused."""
    with _change(room, sid) as (db, _):
        db.execute("UPDATE sessions SET lock_at_zero=? WHERE id=?", (int(on), sid))


# ---------------------------------------------------------------------- injects and rounds
def cancel_inject(room: Classroom, sid: str, inject_id: int) -> None:
    """Cancel a pending inject (one scheduled for the open round)."""
    with _change(room, sid) as (db, row):
        _not_running(row, "cancel an inject")
        found = db.execute("SELECT round FROM injects WHERE session_id=? AND rowid=?", (sid, inject_id)).fetchone()
        if found is None:
            raise _error(f"no inject {inject_id} in this session", 404)
        if found["round"] <= row["round"]:
            raise _error(f"inject {inject_id} has already taken effect in round {found['round']}", 409)
        db.execute("DELETE FROM injects WHERE session_id=? AND rowid=?", (sid, inject_id))


def undo_last_round(room: Classroom, sid: str, expected_round: int) -> None:
    """Take back the last played round ``expected_round``: its results and frozen inputs are deleted
    and it is open again, with the submissions and injects it had (teams may change them). Earlier
    rounds are untouched. A stale request (another round is the last) gets 409."""
    with room.session_lock(sid), _change(room, sid) as (db, row):
        _not_running(row, "undo")
        if row["round"] == 0:
            raise _error("no round has been played yet", 409)
        if expected_round != row["round"]:
            raise _error(f"round {expected_round} is not the last played round (round {row['round']} is)", 409)
        db.execute("DELETE FROM results WHERE session_id=? AND round=?", (sid, row["round"]))
        db.execute(
            "UPDATE sessions SET round=?, deadline=NULL, paused_left=NULL WHERE id=? AND round=?",
            (row["round"] - 1, sid, row["round"]),
        )


# ---------------------------------------------------------------------- sessions
def archive(room: Classroom, sid: str, archived: bool) -> None:
    """Move a session to the archive (or back): archived sessions are listed apart, still reachable."""
    with _change(room, sid) as (db, _):
        db.execute("UPDATE sessions SET archived=? WHERE id=?", (time.time() if archived else None, sid))


def delete(room: Classroom, sid: str) -> None:
    """Delete a session and everything of it (teams, submissions, log, injects, results, proposals)."""
    with room.store.transaction(write=True) as db:
        if db.execute("SELECT 1 FROM sessions WHERE id=?", (sid,)).fetchone() is None:
            raise _error("no such session", 404)
        for table in ("teams", "submissions", "submission_log", "injects", "results", "proposals"):
            db.execute(f"DELETE FROM {table} WHERE session_id=?", (sid,))
        db.execute("DELETE FROM sessions WHERE id=?", (sid,))
    room.snapshots.drop(sid)
