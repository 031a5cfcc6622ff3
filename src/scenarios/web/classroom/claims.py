"""A join code stays with its team: the first device that opens it claims it; every submission is logged.

A device is a browser, known by a random token in a cookie (the web layer signs and sets it); the
database keeps only the token's hash. The first device to open a team's page claims the code;
another device with the same code gets a read-only view (it sees the page, it cannot submit)
until the teacher releases the code (the next device to open it claims it) or re-issues it (a
new code; the old one stops working). Every submission, saved or refused, is logged with its
device (the first 8 characters of the hash) and client address, for the teacher.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import time
from typing import Any


def device_hash(device: str) -> str:
    """What the database keeps of a device token ('' for none)."""
    return hashlib.sha256(device.encode()).hexdigest() if device else ""


def claim(db: sqlite3.Connection, sid: str, state: str, device: str) -> bool:
    """Claim the team's code for ``device`` if nobody holds it; whether ``device`` holds it now."""
    if not device:
        return False
    mine = device_hash(device)
    row = db.execute("SELECT device_hash FROM teams WHERE session_id=? AND state=?", (sid, state)).fetchone()
    if row["device_hash"] is None:
        db.execute(
            "UPDATE teams SET device_hash=?, joined=? WHERE session_id=? AND state=?", (mine, time.time(), sid, state)
        )
        db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))
        return True
    return bool(row["device_hash"] == mine)


def holds(db: sqlite3.Connection, sid: str, state: str, device: str) -> bool:
    """Whether ``device`` holds the team's code."""
    row = db.execute("SELECT device_hash FROM teams WHERE session_id=? AND state=?", (sid, state)).fetchone()
    return bool(device) and row is not None and row["device_hash"] == device_hash(device)


def log(
    db: sqlite3.Connection,
    sid: str,
    state: str,
    round_: int,
    allocation: dict[str, Any],
    device: str,
    client: str,
    status: int,
    note: str,
) -> None:
    """Log one submission (saved: ``status`` 200, or refused with its status and message)."""
    db.execute(
        "INSERT INTO submission_log VALUES (?,?,?,?,?,?,?,?,?)",
        (
            sid,
            state,
            round_,
            json.dumps(allocation, default=str)[:2000],
            device_hash(device)[:8],
            client[:60],
            time.time(),
            status,
            note[:300],
        ),
    )


def submission_log(db: sqlite3.Connection, sid: str) -> list[dict[str, Any]]:
    """Every logged submission of the session, oldest first."""
    rows = db.execute(
        "SELECT state, round, allocation_json, device, client, at, status, note FROM submission_log"
        " WHERE session_id=? ORDER BY at, rowid",
        (sid,),
    ).fetchall()
    return [dict(r) | {"allocation": json.loads(r["allocation_json"])} for r in rows]
