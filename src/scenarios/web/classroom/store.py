"""The classroom's SQLite file: schema, transactions, and the server's own secrets.

Everything a class needs survives a restart because everything is here: sessions, teams and their
join codes and device claims, submissions and their log, injects, the inputs frozen for each round,
results, the teacher's PIN (as a salted scrypt hash) and the teacher's login tokens (hashed).
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

from scenarios.errors import ScenarioError
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
CREATE TABLE IF NOT EXISTS proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, round INTEGER NOT NULL,
    from_state TEXT NOT NULL, to_state TEXT NOT NULL, give_lever TEXT NOT NULL, give_musd REAL NOT NULL,
    ask_lever TEXT, ask_musd REAL, status TEXT NOT NULL, created REAL NOT NULL, decided REAL);
CREATE TABLE IF NOT EXISTS submission_log (
    session_id TEXT NOT NULL, state TEXT NOT NULL, round INTEGER NOT NULL, allocation_json TEXT NOT NULL,
    device TEXT NOT NULL, client TEXT NOT NULL, at REAL NOT NULL, status INTEGER NOT NULL, note TEXT NOT NULL);
"""

MIGRATIONS = (
    ("sessions", "round_started", "ALTER TABLE sessions ADD COLUMN round_started REAL"),
    ("sessions", "running", "ALTER TABLE sessions ADD COLUMN running INTEGER"),
    ("sessions", "deadline", "ALTER TABLE sessions ADD COLUMN deadline REAL"),
    ("sessions", "paused_left", "ALTER TABLE sessions ADD COLUMN paused_left REAL"),
    ("sessions", "lock_at_zero", "ALTER TABLE sessions ADD COLUMN lock_at_zero INTEGER NOT NULL DEFAULT 0"),
    ("sessions", "archived", "ALTER TABLE sessions ADD COLUMN archived REAL"),
    ("teams", "device_hash", "ALTER TABLE teams ADD COLUMN device_hash TEXT"),
    ("teams", "joined", "ALTER TABLE teams ADD COLUMN joined REAL"),
)
"""Columns added since the first schema: (table, column, statement), applied to older files."""

TEACHER_LOGIN_HOURS = 12
PIN_MIN_CHARS = 8
"""The shortest PIN ``--pin`` accepts (a generated one has 12 characters)."""
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
"""scrypt's cost (16 MB, a few tens of ms per check): each wrong guess costs an attacker that much."""


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

    def teacher_pin(self, pin: str | None) -> str | None:
        """Set up the teacher's PIN; returns the PIN to show the teacher, or None if it is unchanged.

        With ``pin``, that PIN (at least :data:`PIN_MIN_CHARS` characters) is stored as a salted
        scrypt hash; if it differs from the stored one, every earlier teacher login and one-time
        link ends. Without ``pin``, the stored PIN holds (None: it cannot be shown, only its hash is
        kept); with none stored, a random 12-character one is generated, stored and returned.
        A PIN stored in plain text by an older version is hashed in place.
        """
        if pin is not None and len(pin.strip()) < PIN_MIN_CHARS:
            raise ScenarioError(
                f"the teacher's PIN must have at least {PIN_MIN_CHARS} characters (got {len(pin.strip())})"
            )
        with self.transaction(write=True) as db:
            rows = {
                r["key"]: r["value"] for r in db.execute("SELECT key, value FROM meta WHERE key LIKE 'teacher_pin%'")
            }
            if "teacher_pin" in rows:  # an older file: plain text
                db.execute("DELETE FROM meta WHERE key='teacher_pin'")
                rows["teacher_pin_hash"] = pin_hash(rows["teacher_pin"])
                db.execute("INSERT OR REPLACE INTO meta VALUES ('teacher_pin_hash', ?)", (rows["teacher_pin_hash"],))
            stored = rows.get("teacher_pin_hash")
            if pin is None:
                if stored is not None:
                    return None
                pin = random_code(12)
            elif stored is not None and pin_matches(pin, stored):
                return pin
            if stored is not None:  # a new PIN: whoever logged in with the old one is logged out
                db.execute("DELETE FROM teacher_logins")
                db.execute("DELETE FROM meta WHERE key='teacher_link'")
            db.execute("INSERT OR REPLACE INTO meta VALUES ('teacher_pin_hash', ?)", (pin_hash(pin),))
        return pin

    def pin_matches(self, pin: str) -> bool:
        """Whether ``pin`` is the teacher's PIN (any case, spaces around it ignored)."""
        with self.transaction() as db:
            row = db.execute("SELECT value FROM meta WHERE key='teacher_pin_hash'").fetchone()
        return row is not None and pin_matches(pin, row["value"])

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

    def end_every_teacher_login(self) -> int:
        """Log the teacher out everywhere (every login token and the one-time link); returns how many logins ended."""
        with self.transaction(write=True) as db:
            ended = db.execute("DELETE FROM teacher_logins").rowcount
            db.execute("DELETE FROM meta WHERE key='teacher_link'")
        return int(ended)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _pin_bytes(pin: str) -> bytes:
    return pin.strip().upper().encode()


def pin_hash(pin: str, salt: bytes | None = None) -> str:
    """``scrypt$n$r$p$salt$hash`` of a PIN (any case) with a random 16-byte salt (hashlib's scrypt)."""
    salt = secrets.token_bytes(16) if salt is None else salt
    digest = hashlib.scrypt(_pin_bytes(pin), salt=salt, maxmem=64 * 2**20, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def pin_matches(pin: str, stored: str) -> bool:
    """Whether ``pin`` hashes to ``stored`` (a :func:`pin_hash` string), in constant time."""
    try:
        _, n, r, p, salt, digest = stored.split("$")
        got = hashlib.scrypt(
            _pin_bytes(pin), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p), maxmem=64 * 2**20, dklen=32
        )
    except ValueError:
        return False
    return hmac.compare_digest(got.hex(), digest)
