"""Classroom sessions: teams play states round by round; persisted in SQLite; plain Python.

A session is an exercise config (``exercise:`` section) plus, per round, each team's allocation
of its budget across its levers and the teacher's injected events. One round is one simulated
year. Nothing live is kept between requests: the model is deterministic given the config, the
seed, the allocations and the events, so advancing to round r re-simulates years 1..r from the
stored inputs (the past is identical, because no draw of an earlier week depends on a later
input). That is also what makes a server restart lose nothing: everything is in the SQLite file.
"""

from __future__ import annotations

import json
import math
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.analysis.summary import yearly
from scenarios.errors import ScenarioError
from scenarios.spec import outcomes, registry
from scenarios.spec.config import load_scenario, scenario_dict, validate_data

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY, label TEXT NOT NULL, exercise_path TEXT NOT NULL, config_json TEXT NOT NULL,
    seed INTEGER NOT NULL, rounds INTEGER NOT NULL, round INTEGER NOT NULL DEFAULT 0,
    created REAL NOT NULL, version INTEGER NOT NULL DEFAULT 0);
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
"""

SCORE_GOALS = outcomes.STATE_GOALS
"""Each state's own goals for debrief scores (declared in :mod:`scenarios.spec.outcomes`)."""

SERIES = outcomes.view("classroom")


class ClassroomError(ScenarioError):
    """A request that cannot be honoured; ``status`` is the HTTP status the web layer returns."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Team:
    state: str
    code: str


def exercise_files(root: Path) -> dict[str, Path]:
    """Exercise configs under ``root`` (``configs/exercises``) by name."""
    return {p.stem: p for p in sorted(root.glob("*.yaml"))}


class Classroom:
    """All sessions of one server, stored in one SQLite file.

    Args:
        db_path: the SQLite file (created if missing).
        exercises_dir: folder of exercise configs the teacher may pick from.
    """

    def __init__(self, db_path: str | Path, exercises_dir: str | Path):
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self.exercises_dir = Path(exercises_dir)
        self._lock = threading.RLock()
        con = sqlite3.connect(self.db_path, timeout=30)
        try:
            con.execute("PRAGMA journal_mode=WAL")
            con.executescript(SCHEMA)
        finally:
            con.close()

    @contextmanager
    def _db(self, write: bool = False):
        """A connection in one transaction: reads share the file (pages poll often); a write takes
        the write lock at the start, so two writers never interleave."""
        con = sqlite3.connect(self.db_path, timeout=30, isolation_level=None)
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

    # ------------------------------------------------------------------ server secret
    def secret(self) -> bytes:
        """A random secret kept in the database (signs teacher cookies across restarts)."""
        with self._db(write=True) as db:
            row = db.execute("SELECT value FROM meta WHERE key='secret'").fetchone()
            if row is None:
                value = secrets.token_hex(32)
                db.execute("INSERT INTO meta VALUES ('secret', ?)", (value,))
                return bytes.fromhex(value)
            return bytes.fromhex(row["value"])

    # ------------------------------------------------------------------ sessions
    def exercises(self) -> dict[str, Any]:
        out = {}
        for name, path in exercise_files(self.exercises_dir).items():
            sc = load_scenario(path)
            if sc.exercise is not None:
                out[name] = sc
        return out

    def create_session(self, exercise: str, label: str = "", seed: int | None = None) -> tuple[str, list[Team]]:
        """Create a session of an exercise; returns its id and the teams' join codes."""
        files = exercise_files(self.exercises_dir)
        if exercise not in files:
            raise ClassroomError(f"unknown exercise {exercise!r}; allowed: {', '.join(files)}", 404)
        sc = load_scenario(files[exercise])
        if sc.exercise is None:
            raise ClassroomError(f"{exercise} has no exercise section", 400)
        if len(label) > 100:
            raise ClassroomError("label: at most 100 characters")
        sid = secrets.token_urlsafe(9)
        teams = [Team(state, secrets.token_urlsafe(8)) for state in sc.exercise.teams]
        with self._lock, self._db(write=True) as db:
            db.execute(
                "INSERT INTO sessions (id, label, exercise_path, config_json, seed, rounds, created) VALUES (?,?,?,?,?,?,?)",
                (
                    sid,
                    label or sc.exercise.title,
                    str(files[exercise]),
                    json.dumps(scenario_dict(sc)),
                    sc.seed if seed is None else seed,
                    sc.exercise.rounds,
                    time.time(),
                ),
            )
            db.executemany("INSERT INTO teams VALUES (?,?,?)", [(sid, t.state, t.code) for t in teams])
        return sid, teams

    def sessions(self) -> list[dict[str, Any]]:
        with self._db() as db:
            rows = db.execute("SELECT id, label, rounds, round, created FROM sessions ORDER BY created DESC").fetchall()
        return [dict(r) for r in rows]

    def _session(self, db: sqlite3.Connection, sid: str) -> sqlite3.Row:
        row = db.execute("SELECT * FROM sessions WHERE id=?", (sid,)).fetchone()
        if row is None:
            raise ClassroomError("no such session", 404)
        return row

    def scenario(self, sid: str) -> Any:
        with self._db() as db:
            row = self._session(db, sid)
        return validate_data(json.loads(row["config_json"]))

    def team_by_code(self, code: str) -> tuple[str, str]:
        """(session id, state) of a join code."""
        with self._db() as db:
            row = db.execute("SELECT session_id, state FROM teams WHERE code=?", (code,)).fetchone()
        if row is None:
            raise ClassroomError("unknown join code", 404)
        return row["session_id"], row["state"]

    def teams(self, sid: str) -> list[Team]:
        with self._db() as db:
            self._session(db, sid)
            rows = db.execute("SELECT state, code FROM teams WHERE session_id=? ORDER BY rowid", (sid,)).fetchall()
        return [Team(r["state"], r["code"]) for r in rows]

    # ------------------------------------------------------------------ rounds
    def submit(self, code: str, round_: int, allocation: dict[str, float]) -> None:
        """A team's allocation (USD M per lever) for the current round; replaces an earlier one of the same round."""
        sid, state = self.team_by_code(code)
        sc = self.scenario(sid)
        team = sc.exercise.teams[state]
        own = registry.levers_of(state)
        levers = registry.levers()
        problems = []
        for name, usd in allocation.items():
            if name not in own:
                problems.append(f"{name!r} is not a lever of {state} (its levers: {', '.join(own)})")
            elif not isinstance(usd, int | float) or isinstance(usd, bool) or not math.isfinite(usd) or usd < 0:
                problems.append(f"{name}: {usd!r} is not a non-negative amount of USD M")
            elif usd / levers[name].cost_musd_per_unit > levers[name].max + 1e-9:
                cap = levers[name].max * levers[name].cost_musd_per_unit
                problems.append(
                    f"{name}: {usd:g} USD M buys more than the lever's maximum ({levers[name].max:g} {levers[name].unit} = {cap:g} USD M)"
                )
        total = sum(v for v in allocation.values() if isinstance(v, int | float) and math.isfinite(v))
        if total > team.budget_musd + 1e-9:
            problems.append(f"total {total:g} USD M is over the budget of {team.budget_musd:g} USD M")
        if problems:
            raise ClassroomError("; ".join(problems))
        with self._lock, self._db(write=True) as db:
            row = self._session(db, sid)
            if row["round"] >= row["rounds"]:
                raise ClassroomError("the exercise is over: no more rounds", 409)
            if round_ != row["round"] + 1:
                raise ClassroomError(f"round {round_} is not open: the current round is {row['round'] + 1}", 409)
            db.execute(
                "INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?)",
                (sid, state, round_, json.dumps(allocation), time.time()),
            )
            db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))

    def inject(self, sid: str, kind: str, region: str | None = None, segment: str | None = None) -> None:
        """Schedule an event at the start of the next round."""
        sc = self.scenario(sid)
        world = registry.load_world(sc.world)
        if kind not in sc.exercise.injects:
            raise ClassroomError(
                f"inject {kind!r} is not allowed in this exercise; allowed: {', '.join(sc.exercise.injects)}"
            )
        if region is not None and region not in world.region_names:
            raise ClassroomError(f"unknown region {region!r}; allowed: {', '.join(world.region_names)}")
        if segment is not None and segment not in world.segment_names:
            raise ClassroomError(f"unknown segment {segment!r}; allowed: {', '.join(world.segment_names)}")
        with self._lock, self._db(write=True) as db:
            row = self._session(db, sid)
            if row["round"] >= row["rounds"]:
                raise ClassroomError("the exercise is over", 409)
            db.execute(
                "INSERT INTO injects VALUES (?,?,?,?,?,?)", (sid, row["round"] + 1, kind, region, segment, time.time())
            )
            db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))

    def _inputs(
        self, db: sqlite3.Connection, sid: str
    ) -> tuple[dict[int, dict[str, dict[str, float]]], list[sqlite3.Row]]:
        subs: dict[int, dict[str, dict[str, float]]] = {}
        for r in db.execute("SELECT state, round, allocation_json FROM submissions WHERE session_id=?", (sid,)):
            subs.setdefault(r["round"], {})[r["state"]] = json.loads(r["allocation_json"])
        injects = db.execute("SELECT * FROM injects WHERE session_id=? ORDER BY round, created", (sid,)).fetchall()
        return subs, injects

    def played_config(self, sid: str, upto: int) -> dict[str, Any]:
        """The config of rounds 1..upto as played: allocations as yearly lever schedules, injects as events."""
        with self._db() as db:
            row = self._session(db, sid)
            subs, injects = self._inputs(db, sid)
        cfg = json.loads(row["config_json"])
        start_year = int(cfg["start"][:4])
        levers = registry.levers()
        last: dict[str, dict[str, float]] = {}
        for r in range(1, upto + 1):
            year = str(start_year + r - 1)
            for state in cfg["exercise"]["teams"]:
                alloc = subs.get(r, {}).get(state, last.get(state))
                if alloc is None:
                    continue  # nothing submitted yet: the exercise's plan holds
                last[state] = alloc
                plan = cfg["states"][state].setdefault("levers", {})
                for name in registry.levers_of(state):
                    value = alloc.get(name, 0.0) / levers[name].cost_musd_per_unit
                    old = plan.get(name)
                    sched = dict(old) if isinstance(old, dict) else ({} if old is None else {str(start_year): old})
                    sched = {k: v for k, v in sched.items() if int(k[:4]) < int(year)}
                    sched[year] = value
                    plan[name] = sched
        for inj in injects:
            if inj["round"] <= upto:
                ev = {"when": f"{start_year + inj['round'] - 1}-01", "kind": inj["kind"]}
                if inj["region"]:
                    ev["region"] = inj["region"]
                if inj["segment"]:
                    ev["segment"] = inj["segment"]
                if inj["kind"] == "crackdown":
                    ev["weeks"] = 52
                cfg["events"].append(ev)
        for state in cfg["states"]:
            cfg["states"][state]["budget_musd"] = None  # budgets are enforced per round on submission
        return cfg

    def advance(self, sid: str) -> dict[str, Any]:
        """Run the next round (one simulated year) and store its outcomes; returns the new state."""
        with self._lock:
            with self._db() as db:
                row = self._session(db, sid)
            if row["round"] >= row["rounds"]:
                raise ClassroomError("the exercise is over: no more rounds", 409)
            nxt = row["round"] + 1
            cfg = self.played_config(sid, nxt)
            series = run_years(cfg, row["seed"], nxt)
            if not self._has(sid, 0, "baseline"):
                base_cfg = json.loads(row["config_json"])
                self._store(sid, 0, "baseline", run_years(base_cfg, row["seed"], row["rounds"]))
            with self._db(write=True) as db:
                db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?)", (sid, nxt, "played", json.dumps(series)))
                db.execute("UPDATE sessions SET round=?, version = version + 1 WHERE id=?", (nxt, sid))
        return self.state(sid)

    def _has(self, sid: str, round_: int, kind: str) -> bool:
        with self._db() as db:
            return (
                db.execute(
                    "SELECT 1 FROM results WHERE session_id=? AND round=? AND kind=?", (sid, round_, kind)
                ).fetchone()
                is not None
            )

    def _store(self, sid: str, round_: int, kind: str, data: dict[str, Any]) -> None:
        with self._db(write=True) as db:
            db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?)", (sid, round_, kind, json.dumps(data)))

    def _result(self, db: sqlite3.Connection, sid: str, round_: int, kind: str) -> dict[str, Any] | None:
        r = db.execute(
            "SELECT data_json FROM results WHERE session_id=? AND round=? AND kind=?", (sid, round_, kind)
        ).fetchone()
        return None if r is None else json.loads(r["data_json"])

    # ------------------------------------------------------------------ views
    def state(self, sid: str, for_state: str | None = None) -> dict[str, Any]:
        """Everything a page shows (JSON-ready): round, who submitted, outcomes so far, baseline."""
        with self._db() as db:
            row = self._session(db, sid)
            teams = db.execute("SELECT state FROM teams WHERE session_id=? ORDER BY rowid", (sid,)).fetchall()
            cur = row["round"] + 1
            submitted = {
                r["state"]
                for r in db.execute("SELECT state FROM submissions WHERE session_id=? AND round=?", (sid, cur))
            }
            played = self._result(db, sid, row["round"], "played") if row["round"] else None
            baseline = self._result(db, sid, 0, "baseline")
            pending = [
                dict(r)
                for r in db.execute(
                    "SELECT kind, region, segment FROM injects WHERE session_id=? AND round=?", (sid, cur)
                )
            ]
            mine = None
            if for_state:
                last = db.execute(
                    "SELECT allocation_json FROM submissions WHERE session_id=? AND state=? ORDER BY round DESC LIMIT 1",
                    (sid, for_state),
                ).fetchone()
                mine = json.loads(last["allocation_json"]) if last else None
        cfg = json.loads(row["config_json"])
        start_year = int(cfg["start"][:4])
        out = {
            "session": sid,
            "label": row["label"],
            "version": row["version"],
            "round": row["round"],
            "rounds": row["rounds"],
            "finished": row["round"] >= row["rounds"],
            "open_round": None if row["round"] >= row["rounds"] else cur,
            "open_year": None if row["round"] >= row["rounds"] else start_year + row["round"],
            "teams": [{"state": t["state"], "submitted": t["state"] in submitted} for t in teams],
            "pending_injects": pending,
            "years": [start_year + i for i in range(row["round"])],
            "played": played,
            "baseline": baseline,
        }
        if for_state:
            out["my_last_allocation"] = mine
        return out

    def debrief(self, sid: str) -> dict[str, Any]:
        """Scores per team on several axes and the stylized facts that showed up, vs the baseline."""
        st = self.state(sid)
        if not st["played"]:
            raise ClassroomError("no round has been played yet", 409)
        n = st["round"]
        played, base = st["played"], st["baseline"]

        def mean(d: dict[str, Any], name: str) -> float:
            return float(np.mean(d["yearly"][name][:n]))

        with self._db() as db:
            subs, injects = self._inputs(db, sid)
        scores = []
        for team in st["teams"]:
            state = team["state"]
            spent = sum(sum(subs.get(r, {}).get(state, {}).values()) for r in range(1, n + 1))
            base_spent = sum(base["spending"][state][:n])
            goals = []
            for name, sign in SCORE_GOALS.get(state, ()):
                delta = mean(played, name) - mean(base, name)
                goals.append(
                    {"outcome": name, "delta": delta, "better": bool(sign * delta > 0) if delta != 0 else None}
                )
            scores.append(
                {
                    "state": state,
                    "shared_stability": mean(played, "stability_index") - mean(base, "stability_index"),
                    "own_goals": goals,
                    "cost_musd": spent,
                    "cost_vs_plan_musd": spent - base_spent,
                }
            )
        facts = detect_facts(played, base, n)
        cfg = json.loads(self._config_json(sid))
        questions = list(cfg["exercise"].get("debrief_questions") or [])
        questions += [f["prompt"] for f in facts if f["shown"]]
        return {
            "state": st,
            "scores": scores,
            "facts": facts,
            "questions": questions,
            "injects": [dict(i) for i in injects],
        }

    def _config_json(self, sid: str) -> str:
        with self._db() as db:
            return self._session(db, sid)["config_json"]


def run_years(cfg: dict[str, Any], seed: int, years: int) -> dict[str, Any]:
    """Run a config for its first ``years`` years; return yearly outcomes, regions, segments and spending."""
    from scenarios.model import SecurityModel

    sc = validate_data(cfg)
    model = SecurityModel(sc, seed)
    model.advance(years * 52)
    data = model.data()
    table = outcomes.national()
    ts = data.timeseries
    out: dict[str, Any] = {"yearly": {k: yearly(np.asarray(ts[k], float), table[k].summary).tolist() for k in SERIES}}
    reg = data.regions
    out["regions"] = {}
    for region in np.unique(reg["region"]):
        m = reg["region"] == region
        out["regions"][str(region)] = {
            k: yearly(reg[k][m].astype(float), outcomes.regional()[k].summary).tolist()
            for k in ("stability_index", "seizures_t", "unrest_active_share", "attacks", "legitimacy")
        }
    seg = data.segments
    out["segments"] = {
        str(s): yearly(seg["inflow_t"][seg["segment"] == s].astype(float), "sum").tolist()
        for s in np.unique(seg["segment"])
    }
    spending = {}
    for state in registry.STATES:
        col = {
            "china": "spending_china",
            "russia": "spending_russia",
            "tajikistan": "spending_tajikistan",
            "sco": "spending_sco",
        }.get(state)
        spending[state] = yearly(np.asarray(ts[col], float), "mean").tolist() if col else [0.0] * years
    out["spending"] = spending
    return out


def detect_facts(played: dict[str, Any], base: dict[str, Any], n: int) -> list[dict[str, Any]]:
    """Which stylized facts showed up in this session, compared with the baseline run."""
    facts = []
    seg_p = {k: sum(v[:n]) for k, v in played["segments"].items()}
    seg_b = {k: sum(v[:n]) for k, v in base["segments"].items()}
    down = [k for k in seg_p if seg_p[k] < 0.9 * seg_b[k]]
    up = [k for k in seg_p if seg_p[k] > 1.1 * seg_b[k]]
    facts.append(
        {
            "id": "balloon",
            "title": "Balloon effect",
            "shown": bool(down and up),
            "evidence": f"flow fell on {', '.join(down) or 'no segment'} and rose on {', '.join(up) or 'no segment'} (vs baseline, >10%)",
            "prompt": "Trafficking moved between border segments: where did it go, and did the total delivered fall?",
        }
    )
    surv = np.mean(played["yearly"]["capacity_domestic_surveillance"][:n]) - np.mean(
        base["yearly"]["capacity_domestic_surveillance"][:n]
    )
    leg = np.mean(played["yearly"]["legitimacy"][:n]) - np.mean(base["yearly"]["legitimacy"][:n])
    facts.append(
        {
            "id": "repression_backlash",
            "title": "Repression backlash",
            "shown": bool(surv > 0.02 and leg < 0),
            "evidence": f"domestic surveillance {surv:+.3f}, legitimacy {leg:+.4f} vs baseline",
            "prompt": "Surveillance rose and legitimacy fell: was the extra policing worth the loss of legitimacy?",
        }
    )
    ch = np.mean(played["yearly"]["china_influence_share"][:n]) - np.mean(base["yearly"]["china_influence_share"][:n])
    facts.append(
        {
            "id": "influence_shift",
            "title": "Influence shifted",
            "shown": bool(abs(ch) > 0.02),
            "evidence": f"China's influence share {ch:+.3f} vs baseline",
            "prompt": "Influence moved between China and Russia: what did each side pay for it?",
        }
    )
    return facts
