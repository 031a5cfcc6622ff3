"""The classroom's SQLite file: schema, transactions, and the server's own secrets.

Everything a class needs survives a restart because everything is here: sessions, teams and their
join codes, submissions, injects, results, the teacher's secret and the teacher's login tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scenarios.web.classroom.codes import random_code

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, exercise_path TEXT NOT NULL, config_json TEXT NOT NULL,
    seed INTEGER NOT NULL, rounds INTEGER NOT NULL, round INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, version INTEGER NOT NULL DEFAULT 0, round_started REAL);
CREATE TABLE IF NOT EXISTS teams (
    session_id TEXT NOT NULL, state TEXT NOT NULL, code TEXT NOT NULL UNIQUE, PRIMARY KEY (session_id, state));
CREATE TABLE IF NOT EXISTS submissions (
    session_id TEXT NOT NULL, state TEXT NOT NULL, round INTEGER NOT NULL, allocation_json TEXT NOT NULL,
    submitted REAL NOT NULL, PRIMARY KEY (session_id, state, round));
CREATE TABLE IF NOT EXISTS injects (
    session_id TEXT NOT NULL, round INTEGER NOT NULL, kind TEXT NOT NULL, region TEXT, segment TEXT, created REAL NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    session_id TEXT NOT NULL, round INTEGER NOT NULL, kind TEXT NOT NULL, data_json TEXT NOT NULL,
    PRIMARY KEY (session_id, round, kind));
CREATE TABLE IF NOT EXISTS teacher_logins (token_hash TEXT PRIMARY KEY, created REAL NOT NULL, expires REAL NOT NULL);
"""

MIGRATIONS = (("sessions", "round_started", "ALTER TABLE sessions ADD COLUMN round_started REAL"),)
"""Columns added since the first schema: (table, column, statement), applied to older files."""

TEACHER_LOGIN_HOURS = 12


class Store:
    """One SQLite file (created with its folder if missing; older files gain new columns)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        con = sqlite3.connect(self.path, timeout=30)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)
            for table, column, statement in MIGRATIONS:
                columns = {r[1] for r in con.execute(f"PRAGMA table_info({table})")}
                if column not in columns:
                    con.execute(statement)
            con.commit()
        finally:
            con.close()

    @contextmanager
    def transaction(self, write: bool = False) -> Iterator[sqlite3.Connection]:
        """A connection in one transaction. Reads share the file (pages poll often); a write takes
        the write lock at the start, so two writers never interleave, even across processes."""
        con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        con.row_factory = sqlite3.Row
        try:
            con.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            yield con
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        finally:
            con.close()

    # ------------------------------------------------------------------ server secrets
    def meta_value(self, key: str, make: str) -> str:
        """The stored value of ``key``, storing ``make`` first if there is none."""
        with self.transaction(write=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            if row is None:
                db.execute("INSERT INTO meta VALUES (?, ?)", (key, make))
                return make
            return str(row["value"])

    def teacher_pin(self, pin: str | None) -> str:
        """The teacher's secret: ``pin`` if given (and then stored), else the one stored with the
        database, generated once (12 characters, about 59 bits), so a restart keeps it."""
        if pin is None:
            return self.meta_value("teacher_pin", random_code(12))
        with self.transaction(write=True) as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('teacher_pin', ?)", (pin,))
        return pin

    # ------------------------------------------------------------------ teacher logins
    def new_teacher_link(self) -> str:
        """A fresh one-time login token for a link (replaces any earlier one); only its hash is stored."""
        token = secrets.token_urlsafe(24)
        with self.transaction(write=True) as db:
            db.execute("INSERT OR REPLACE INTO meta VALUES ('teacher_link', ?)", (_hash(token),))
        return token

    def use_teacher_link(self, token: str) -> bool:
        """Whether ``token`` is the current one-time link; if so it is used up."""
        with self.transaction(write=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key='teacher_link'").fetchone()
            if row is None or len(token) > 100 or not hmac.compare_digest(row["value"], _hash(token)):
                return False
            db.execute("DELETE FROM meta WHERE key='teacher_link'")
        return True

    def new_teacher_login(self) -> str:
        """A fresh login token (the cookie); only its hash is stored."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self.transaction(write=True) as db:
            db.execute("DELETE FROM teacher_logins WHERE expires < ?", (now,))
            db.execute(
                "INSERT INTO teacher_logins VALUES (?,?,?)", (_hash(token), now, now + TEACHER_LOGIN_HOURS * 3600)
            )
        return token

    def teacher_login_valid(self, token: str) -> bool:
        if not token or len(token) > 100:
            return False
        with self.transaction() as db:
            row = db.execute("SELECT expires FROM teacher_logins WHERE token_hash=?", (_hash(token),)).fetchone()
        return row is not None and row["expires"] > time.time()

    def end_teacher_login(self, token: str) -> None:
        with self.transaction(write=True) as db:
            db.execute("DELETE FROM teacher_logins WHERE token_hash=?", (_hash(token),))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
