"""The rules of a classroom session: teams, join codes, rounds, submissions, injects, allocations in force.

A session is an exercise config (``exercise:`` section) plus, per round, each team's allocation
of its budget across its levers and the teacher's injected events. One round is one simulated
year. Nothing live is kept between requests: the model is deterministic given the config, the
seed, the allocations and the events, so advancing to round r re-simulates years 1..r from the
stored inputs (the past is identical, because no draw of an earlier week depends on a later
input). That is also what makes a server restart lose nothing: everything is in the SQLite file.

A team that does not submit in a round keeps its allocation of the round before; with no earlier
submission the exercise's plan for that year holds. :meth:`Classroom.allocations_in_force` is
that rule, and the simulation, the team pages and the debrief's costs all read it.
"""

from __future__ import annotations

import json
import math
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.schedule import expand
from scenarios.spec import registry
from scenarios.spec.config import load_scenario, scenario_dict, validate_data
from scenarios.web.classroom import claims, counterfactual, deals, scoring, snapshots, why
from scenarios.web.classroom.codes import CODE_LENGTH, normalize_code, random_code, show_code
from scenarios.web.classroom.errors import ClassroomError
from scenarios.web.classroom.simulate import noise_band, run_years
from scenarios.web.classroom.snapshots import KEEP_SESSIONS, Snapshots
from scenarios.web.classroom.store import Store


@dataclass(frozen=True)
class Team:
    state: str
    code: str

    @property
    def shown_code(self) -> str:
        """The code as printed for people: two groups of four."""
        return show_code(self.code)


def exercise_files(root: Path) -> dict[str, Path]:
    """Exercise configs under ``root`` (``configs/exercises``) by name."""
    return {p.stem: p for p in sorted(root.glob("*.yaml"))}


def plan_allocation(cfg: dict[str, Any], state: str, year: int) -> dict[str, float]:
    """The exercise's own plan for ``state`` in ``year``, in USD M per lever."""
    levers_cfg = cfg["states"].get(state, {}).get("levers") or {}
    out = {}
    for name in registry.levers_of(state):
        value = float(expand(levers_cfg.get(name), np.array([year + 0.5]), 0.0)[0])
        out[name] = round(value * registry.levers()[name].cost_musd_per_unit, 6)
    return out


POSTERIOR_DRAWS = 10
"""Plausible parameter sets drawn from the posterior for a session (it plays one; the debrief uses all)."""
PARAMETERS_KIND = "parameters"
"""The results row (round 0) recording the posterior a session plays."""


class PosteriorChoice:
    """The server's posterior (``serve --parameters``) and the draws a session records.

    Args:
        ref: a calibration folder, a ``posterior.parquet`` or ``calibrated`` (the shipped one).

    Raises:
        ScenarioError: ``ref`` names no readable posterior (the messages of
            :mod:`scenarios.calibration.posterior`).
    """

    def __init__(self, ref: str | Path):
        from scenarios.calibration.posterior import ensemble_parameters

        self.ref = str(ref)
        self.sets, self.record = ensemble_parameters(ref, POSTERIOR_DRAWS)

    def record_for(self, seed: int) -> dict[str, Any]:
        """What a session of ``seed`` records: every draw, the one it plays (picked with the seed) and its values."""
        played = int(np.random.default_rng(np.random.SeedSequence([seed, 21])).integers(len(self.sets)))
        keep = ("source", "file", "sha256", "names", "particles", "rows")
        return {k: self.record[k] for k in keep} | {
            "draws": self.sets,
            "played_draw": played,
            "values": self.sets[played],
            "rule": f"{len(self.sets)} equally likely draws of the posterior (systematic resampling of its weighted "
            "particles); the session plays the one its seed picks; the debrief repeats the comparison on all of them",
        }


def exercise_minutes(sc: Any) -> float:
    """How long an exercise takes: rounds x minutes per round."""
    return float(sc.exercise.rounds * sc.exercise.minutes_per_round)


class Classroom:
    """All sessions of one server, stored in one SQLite file.

    Opening a Classroom on a file reopens any round left marked as being simulated (a server
    stopped mid-Advance): one server process per file. Advances of one session are serialized by
    a lock in this process and by a conditional update in the database.

    Args:
        db_path: the SQLite file (created if missing).
        exercises_dir: folder of exercise configs the teacher may pick from.
        snapshot_sessions: sessions whose model is kept in memory between rounds (0: every
            Advance replays the session from its start; see :mod:`.snapshots`).
        parameters: a posterior (``serve --parameters``: a calibration folder, a posterior file or
            ``calibrated``) a session may be played on (:meth:`create_session`); read and checked
            here (:class:`~scenarios.errors.ScenarioError` naming what is wrong).
    """

    def __init__(
        self,
        db_path: str | Path,
        exercises_dir: str | Path,
        snapshot_sessions: int = KEEP_SESSIONS,
        parameters: str | Path | None = None,
    ):
        self.store = Store(db_path)
        self.exercises_dir = Path(exercises_dir)
        self.snapshots = Snapshots(snapshot_sessions)
        self.parameters = None if parameters is None else PosteriorChoice(parameters)
        self.why = why.Runner(self)
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        with self.store.transaction(write=True) as db:
            # a round marked running by a server that stopped mid-simulation opens again as it was
            db.execute(
                "DELETE FROM results WHERE kind='inputs' AND EXISTS (SELECT 1 FROM sessions s"
                " WHERE s.id=results.session_id AND s.running=results.round)"
            )
            db.execute("UPDATE sessions SET running=NULL WHERE running IS NOT NULL")

    def session_lock(self, sid: str) -> threading.Lock:
        """One lock per session: advancing one class never waits for another class."""
        with self._locks_guard:
            return self._locks.setdefault(sid, threading.Lock())

    # ------------------------------------------------------------------ sessions
    def exercises(self) -> dict[str, Any]:
        """The exercises (validated scenarios) by name, the shortest first (rounds x minutes per round)."""
        out = {}
        for name, path in exercise_files(self.exercises_dir).items():
            sc = load_scenario(path)
            if sc.exercise is not None:
                out[name] = sc
        return dict(sorted(out.items(), key=lambda kv: (exercise_minutes(kv[1]), kv[0])))

    def parameter_choices(self) -> tuple[str, ...]:
        """What a session may be played on: ``defaults``, and ``posterior`` when the server has one."""
        return ("defaults",) if self.parameters is None else ("defaults", "posterior")

    def create_session(
        self, exercise: str, label: str = "", seed: int | None = None, parameters: str = "defaults"
    ) -> tuple[str, list[Team]]:
        """Create a session of an exercise; returns its id and the teams' join codes.

        ``parameters``: ``defaults`` (the model's parameter values) or ``posterior`` (the server's
        ``--parameters``): the session is played on one plausible parameter set, drawn with the
        session's seed among :data:`POSTERIOR_DRAWS` equally likely draws of the posterior, all
        recorded with the session (:meth:`parameters_record`)."""
        files = exercise_files(self.exercises_dir)
        if exercise not in files:
            raise ClassroomError(f"unknown exercise {exercise!r}; allowed: {', '.join(files)}", 404)
        if parameters not in self.parameter_choices():
            why = " (the server was started without --parameters)" if parameters == "posterior" else ""
            raise ClassroomError(
                f"parameters: {parameters!r} is not a choice{why}; allowed: {', '.join(self.parameter_choices())}"
            )
        sc = load_scenario(files[exercise])
        if sc.exercise is None:
            raise ClassroomError(f"{exercise} has no exercise section", 400)
        if len(label) > 100:
            raise ClassroomError("label: at most 100 characters")
        seed = sc.seed if seed is None else seed
        cfg = scenario_dict(sc)
        record = None
        if parameters == "posterior" and self.parameters is not None:
            record = self.parameters.record_for(seed)
            cfg["parameters"] = {**cfg.get("parameters", {}), **record["values"]}
        sid = secrets.token_urlsafe(9)
        for _ in range(5):  # a repeated code (about 1 in 1e11) just draws again
            teams = [Team(state, random_code(CODE_LENGTH)) for state in sc.exercise.teams]
            try:
                with self.store.transaction(write=True) as db:
                    now = time.time()
                    db.execute(
                        "INSERT INTO sessions (id, label, exercise_path, config_json, seed, rounds, created, round_started)"
                        " VALUES (?,?,?,?,?,?,?,?)",
                        (
                            sid,
                            label or sc.exercise.title,
                            str(files[exercise]),
                            json.dumps(cfg),
                            seed,
                            sc.exercise.rounds,
                            now,
                            now,
                        ),
                    )
                    db.executemany(
                        "INSERT INTO teams (session_id, state, code) VALUES (?,?,?)",
                        [(sid, t.state, t.code) for t in teams],
                    )
                    if record is not None:
                        db.execute(
                            "INSERT INTO results VALUES (?,?,?,?)", (sid, 0, PARAMETERS_KIND, json.dumps(record))
                        )
                return sid, teams
            except sqlite3.IntegrityError:
                continue
        raise ClassroomError("could not draw unique join codes", 500)

    def parameters_record(self, sid: str) -> dict[str, Any] | None:
        """The posterior a session plays (see :class:`PosteriorChoice`), or None (the defaults)."""
        with self.store.transaction() as db:
            self.session_row(db, sid)
            return self.result_tx(db, sid, 0, PARAMETERS_KIND)

    def sessions(self) -> list[dict[str, Any]]:
        """Every session, newest first: id, label, rounds, round, created and archived (epoch seconds or None)."""
        with self.store.transaction() as db:
            rows = db.execute(
                "SELECT id, label, rounds, round, created, archived FROM sessions ORDER BY created DESC"
            ).fetchall()
        return [dict(r) for r in rows]

    def session_row(self, db: sqlite3.Connection, sid: str) -> sqlite3.Row:
        row: sqlite3.Row | None = db.execute("SELECT * FROM sessions WHERE id=?", (sid,)).fetchone()
        if row is None:
            raise ClassroomError("no such session", 404)
        return row

    def config(self, sid: str) -> dict[str, Any]:
        """The session's exercise config as stored (a dict)."""
        with self.store.transaction() as db:
            cfg: dict[str, Any] = json.loads(self.session_row(db, sid)["config_json"])
        return cfg

    def scenario(self, sid: str) -> Any:
        return validate_data(self.config(sid))

    def team_by_code(self, code: str) -> tuple[str, str]:
        """(session id, state) of a join code, typed in any case, with or without its dash."""
        norm = normalize_code(code)
        row = None
        if norm:
            with self.store.transaction() as db:
                row = db.execute("SELECT session_id, state FROM teams WHERE code=?", (norm,)).fetchone()
        if row is None:
            raise ClassroomError("unknown join code", 404)
        return row["session_id"], row["state"]

    def find_team(self, code: str) -> tuple[str, str, str | None] | None:
        """(session id, state, hash of the device holding the code or None) of a join code, or None."""
        norm = normalize_code(code)
        if not norm:
            return None
        with self.store.transaction() as db:
            row = db.execute("SELECT session_id, state, device_hash FROM teams WHERE code=?", (norm,)).fetchone()
        return None if row is None else (row["session_id"], row["state"], row["device_hash"])

    def teams(self, sid: str) -> list[Team]:
        with self.store.transaction() as db:
            self.session_row(db, sid)
            rows = db.execute("SELECT state, code FROM teams WHERE session_id=? ORDER BY rowid", (sid,)).fetchall()
        return [Team(r["state"], r["code"]) for r in rows]

    # ------------------------------------------------------------------ rounds
    def submit(
        self, code: str, round_: int, allocation: dict[str, float], device: str | None = None, client: str = ""
    ) -> dict[str, float]:
        """A team's allocation (USD M per lever) for the round it names; replaces an earlier one of
        the same round. Returns the allocation as stored (every lever of the team, 0 where not
        given): exactly what the round will use unless the team changes it before Advance.

        Refused (and logged, as every submission is, with ``device`` and ``client``): a round that
        is no longer or not yet open, or that is being simulated (409: submissions close when the
        teacher presses Advance); a code claimed by another device (403); time up with the lock on
        (409); a bad allocation (400). ``device`` None (Python callers, not the web) skips the claim.
        """
        sid, state = self.team_by_code(code)
        try:
            stored = self.check_allocation(sid, state, allocation)
            with self.store.transaction(write=True) as db:
                row = self.session_row(db, sid)
                if device is not None and not claims.claim(db, sid, state, device):
                    raise ClassroomError(
                        f"this device only views {state}'s page: the team's code is in use on another device. "
                        "Nothing was saved; ask the teacher to release the code if that device is yours",
                        403,
                    )
                self.check_open(row, round_)
                deals.check_floors(db, sid, state, round_, stored)
                db.execute(
                    "INSERT OR REPLACE INTO submissions VALUES (?,?,?,?,?)",
                    (sid, state, round_, json.dumps(stored), time.time()),
                )
                db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))
                claims.log(db, sid, state, round_, stored, device or "", client, 200, "saved")
        except ClassroomError as e:
            with self.store.transaction(write=True) as db:
                claims.log(db, sid, state, round_, allocation, device or "", client, e.status, str(e))
            raise
        return stored

    def check_allocation(self, sid: str, state: str, allocation: dict[str, Any]) -> dict[str, float]:
        """The allocation with every lever of ``state`` (0 where not given), or every problem at once (400)."""
        team = self.scenario(sid).exercise.teams[state]
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
        return {name: float(allocation.get(name, 0.0)) for name in own}

    def check_open(self, row: sqlite3.Row, round_: int) -> None:
        """Refuse (409) a submission for a round that is not the open one, is being simulated, or whose time is up."""
        if row["round"] >= row["rounds"]:
            raise ClassroomError("the exercise is over: no more rounds", 409)
        current = row["round"] + 1
        if round_ < current:
            raise ClassroomError(
                f"round {round_} is closed: the teacher has already run it and round {current} is open. "
                "Nothing was saved; look at what happened and submit again for round "
                f"{current}",
                409,
            )
        if round_ != current:
            raise ClassroomError(f"round {round_} is not open: the current round is {current}", 409)
        if row["running"] == current:
            after = (
                f"submit again for round {current + 1} when it opens"
                if current < row["rounds"]
                else "that was the last round"
            )
            raise ClassroomError(
                f"round {current} is being simulated now: submissions closed when the teacher pressed Advance. "
                f"Nothing was saved; the round uses what your team had submitted before; {after}",
                409,
            )
        if row["lock_at_zero"] and row["deadline"] is not None and time.time() > row["deadline"]:
            raise ClassroomError(
                f"time is up for round {current}: the teacher locked submissions at zero. Nothing was saved; "
                "the round uses what your team had submitted before",
                409,
            )

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
        with self.store.transaction(write=True) as db:
            row = self.session_row(db, sid)
            if row["round"] >= row["rounds"]:
                raise ClassroomError("the exercise is over", 409)
            if row["running"] is not None:
                raise ClassroomError(
                    f"round {row['running']} is being simulated now: inject after it has run (for the next round)",
                    409,
                )
            db.execute(
                "INSERT INTO injects VALUES (?,?,?,?,?,?)", (sid, row["round"] + 1, kind, region, segment, time.time())
            )
            db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))

    def injects(self, sid: str) -> list[dict[str, Any]]:
        """Every inject of the session, by round (played and pending), with its year."""
        with self.store.transaction() as db:
            row = self.session_row(db, sid)
            rows = db.execute(
                "SELECT rowid AS id, round, kind, region, segment FROM injects WHERE session_id=? ORDER BY round, created",
                (sid,),
            ).fetchall()
        start_year = int(json.loads(row["config_json"])["start"][:4])
        return [dict(r) | {"year": start_year + r["round"] - 1, "played": r["round"] <= row["round"]} for r in rows]

    def allocations_in_force(self, sid: str, upto: int) -> list[dict[str, dict[str, Any]]]:
        """For rounds 1..upto, each team's allocation in force (USD M per lever) and where it came
        from: ``submitted`` that round, ``kept`` from an earlier round, or the exercise's ``plan``.

        A round that has run (or is running) reads the inputs frozen when Advance was pressed, so
        what a page or the debrief shows for it is what was simulated, whatever came in later."""
        with self.store.transaction() as db:
            return self.in_force_tx(db, sid, upto)

    def in_force_tx(self, db: sqlite3.Connection, sid: str, upto: int) -> list[dict[str, dict[str, Any]]]:
        row = self.session_row(db, sid)
        cfg = json.loads(row["config_json"])
        start_year = int(cfg["start"][:4])
        subs: dict[int, dict[str, dict[str, float]]] = {}
        for r in db.execute("SELECT state, round, allocation_json FROM submissions WHERE session_id=?", (sid,)):
            subs.setdefault(r["round"], {})[r["state"]] = json.loads(r["allocation_json"])
        out: list[dict[str, dict[str, Any]]] = []
        last: dict[str, dict[str, float]] = {}
        for r in range(1, upto + 1):
            frozen = self._frozen(db, row, r)
            if frozen is not None:
                this = frozen["allocations"]
            else:
                this = {}
                for state in cfg["exercise"]["teams"]:
                    own = registry.levers_of(state)
                    if state in subs.get(r, {}):
                        alloc, source = subs[r][state], "submitted"
                    elif state in last:
                        alloc, source = last[state], "kept"
                    else:
                        this[state] = {"allocation": plan_allocation(cfg, state, start_year + r - 1), "source": "plan"}
                        continue
                    this[state] = {"allocation": {n: float(alloc.get(n, 0.0)) for n in own}, "source": source}
            for state, entry in this.items():
                if entry["source"] != "plan":
                    last[state] = entry["allocation"]
            out.append(this)
        return out

    def _frozen(self, db: sqlite3.Connection, row: sqlite3.Row, round_: int) -> dict[str, Any] | None:
        """The inputs frozen for a round that has run or is running (None for an open round, or a
        round played before inputs were frozen: then the submissions decide)."""
        if round_ > row["round"] and round_ != row["running"]:
            return None
        return self.result_tx(db, row["id"], round_, "inputs")

    def played_config(
        self, sid: str, upto: int, plan_for: str | None = None, nothing_from: str | None = None
    ) -> dict[str, Any]:
        """The config of rounds 1..upto as played: allocations as yearly lever schedules, injects as
        events. With ``plan_for`` (a team), that team's round ``upto`` holds the exercise's plan
        instead of its choices (see :mod:`~scenarios.web.classroom.counterfactual`); with
        ``nothing_from``, every round of that team does (see :mod:`~scenarios.web.classroom.why`)."""
        cfg = self.config(sid)
        start_year = int(cfg["start"][:4])
        levers = registry.levers()
        for r, teams in enumerate(self.allocations_in_force(sid, upto), start=1):
            year = start_year + r - 1
            if plan_for is not None and r == upto:
                teams = teams | {plan_for: {"allocation": plan_allocation(cfg, plan_for, year), "source": "swapped"}}
            if nothing_from is not None:
                teams = teams | {nothing_from: {"allocation": {}, "source": "plan"}}
            for state, entry in teams.items():
                if entry["source"] == "plan":
                    continue  # the exercise's plan holds as written
                plan = cfg["states"][state].setdefault("levers", {})
                for name, usd in entry["allocation"].items():
                    old = plan.get(name)
                    sched = dict(old) if isinstance(old, dict) else ({} if old is None else {str(start_year): old})
                    sched = {k: v for k, v in sched.items() if int(k[:4]) < year}
                    sched[str(year)] = usd / levers[name].cost_musd_per_unit
                    plan[name] = sched
        for inj in self.round_injects(sid, upto):
            if inj["round"] <= upto:
                ev = {"when": f"{inj['year']}-01", "kind": inj["kind"]}
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

    def round_injects(self, sid: str, upto: int) -> list[dict[str, Any]]:
        """The injects of rounds 1..upto: frozen with a round's inputs once it has run (or is running)."""
        with self.store.transaction() as db:
            row = self.session_row(db, sid)
            frozen = [self._frozen(db, row, r) for r in range(1, upto + 1)]
        live = self.injects(sid)
        out: list[dict[str, Any]] = []
        for r, f in enumerate(frozen, start=1):
            out += f["injects"] if f is not None else [i for i in live if i["round"] == r]
        return out

    def advance(self, sid: str, expected_round: int) -> dict[str, Any]:
        """Run round ``expected_round`` (one simulated year) if it is the open round; store its
        outcomes and return the new state. A repeated or stale request gets 409 and changes nothing.

        Pressing Advance first closes the round in one write transaction: the allocations in force
        and the injects are frozen with the round, and from then on a submission or an inject for
        it is refused with 409. The simulation then runs on exactly those inputs; if it fails, the
        round opens again as it was.
        """
        with self.session_lock(sid):
            nxt, row = self._close_round(sid, expected_round)
            try:
                series = self.simulate_round(sid, nxt, row["seed"])
                extra = self._missing_references(sid, row)
            except BaseException:
                with self.store.transaction(write=True) as db:
                    db.execute("DELETE FROM results WHERE session_id=? AND round=? AND kind='inputs'", (sid, nxt))
                    db.execute(
                        "UPDATE sessions SET running=NULL, version = version + 1 WHERE id=? AND running=?", (sid, nxt)
                    )
                raise
            minutes = json.loads(row["config_json"])["exercise"].get("minutes_per_round")
            now = time.time()
            with self.store.transaction(write=True) as db:
                done = db.execute(
                    "UPDATE sessions SET round=?, running=NULL, version = version + 1, round_started=?, deadline=?,"
                    " paused_left=NULL WHERE id=? AND round=? AND running=?",
                    (nxt, now, now + 60 * minutes if minutes and nxt < row["rounds"] else None, sid, nxt - 1, nxt),
                )
                if done.rowcount != 1:  # another process advanced it meanwhile
                    raise ClassroomError(f"round {nxt} has already been run", 409)
                db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?)", (sid, nxt, "played", json.dumps(series)))
                for kind, data in extra:
                    db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?)", (sid, 0, kind, json.dumps(data)))
        return self.state(sid)

    def simulate_round(self, sid: str, round_: int, seed: int, plan_for: str | None = None) -> dict[str, Any]:
        """The yearly series of rounds 1..``round_`` as played (``plan_for``: with that team's round
        ``round_`` as the plan, a counterfactual). Continues the snapshot of round ``round_ - 1`` when
        one is kept for exactly these inputs, else replays from the start (the same numbers); the
        played round's own model becomes the snapshot of ``round_``."""
        start = None
        if round_ > 1:
            start = self.snapshots.get(sid, round_ - 1, snapshots.key(self.played_config(sid, round_ - 1), seed))
        cfg = self.played_config(sid, round_, plan_for=plan_for)
        name = snapshots.key(cfg, seed)

        def keep(model: Any) -> None:
            self.snapshots.put(sid, round_, name, model)

        return run_years(cfg, seed, round_, start=start, keep=None if plan_for is not None else keep)

    def _close_round(self, sid: str, expected_round: int) -> tuple[int, sqlite3.Row]:
        """Freeze round ``expected_round``'s inputs and mark it running (one write transaction)."""
        with self.store.transaction(write=True) as db:
            row = self.session_row(db, sid)
            if row["round"] >= row["rounds"]:
                raise ClassroomError("the exercise is over: no more rounds", 409)
            nxt = row["round"] + 1
            if expected_round != nxt:
                raise ClassroomError(
                    f"round {expected_round} cannot be run: round {row['round']} is the last played and {nxt} is open"
                    " (was the button pressed twice, or on an old page?)",
                    409,
                )
            if row["running"] is not None:
                raise ClassroomError(
                    f"round {row['running']} is being simulated now (was the button pressed twice?)", 409
                )
            allocations = self.in_force_tx(db, sid, nxt)[-1]
            injects = [
                dict(r) | {"year": int(json.loads(row["config_json"])["start"][:4]) + nxt - 1, "played": True}
                for r in db.execute(
                    "SELECT rowid AS id, round, kind, region, segment FROM injects WHERE session_id=? AND round=?"
                    " ORDER BY created",
                    (sid, nxt),
                )
            ]
            db.execute(
                "INSERT OR REPLACE INTO results VALUES (?,?,?,?)",
                (sid, nxt, "inputs", json.dumps({"allocations": allocations, "injects": injects})),
            )
            db.execute("UPDATE sessions SET running=?, version = version + 1 WHERE id=?", (nxt, sid))
            row = self.session_row(db, sid)
        return nxt, row

    def _missing_references(self, sid: str, row: sqlite3.Row) -> list[tuple[str, dict[str, Any]]]:
        """The baseline and the noise band of the session, computed if not stored yet."""
        base_cfg = json.loads(row["config_json"])
        extra = []
        if not self._has(sid, 0, "baseline"):
            extra.append(("baseline", run_years(base_cfg, row["seed"], row["rounds"])))
        if not self._has(sid, 0, "band"):
            extra.append(("band", noise_band(base_cfg, row["seed"], row["rounds"])))
        return extra

    def warm_up(self, sid: str) -> None:
        """Compute and store the session's baseline and noise band now (a server does it in the
        background when a session is created, so that the first Advance is as quick as the others)."""
        with self.session_lock(sid):
            with self.store.transaction() as db:
                row = self.session_row(db, sid)
            extra = self._missing_references(sid, row)
            with self.store.transaction(write=True) as db:
                for kind, data in extra:
                    db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?)", (sid, 0, kind, json.dumps(data)))

    def _has(self, sid: str, round_: int, kind: str) -> bool:
        with self.store.transaction() as db:
            return self.result_tx(db, sid, round_, kind) is not None

    def result_tx(self, db: sqlite3.Connection, sid: str, round_: int, kind: str) -> dict[str, Any] | None:
        r = db.execute(
            "SELECT data_json FROM results WHERE session_id=? AND round=? AND kind=?", (sid, round_, kind)
        ).fetchone()
        return None if r is None else json.loads(r["data_json"])

    # ------------------------------------------------------------------ views
    def version(self, sid: str) -> int:
        """The session's version: it changes with every submission, inject and round (pages poll it)."""
        with self.store.transaction() as db:
            return int(self.session_row(db, sid)["version"])

    def state(self, sid: str, for_state: str | None = None) -> dict[str, Any]:
        """Everything a page shows (JSON-ready): round, clock, who submitted, outcomes so far, baseline,
        noise band, injects; with ``for_state``, that team's allocation and its "this year" report."""
        with self.store.transaction() as db:
            row = self.session_row(db, sid)
            teams = db.execute("SELECT state, joined FROM teams WHERE session_id=? ORDER BY rowid", (sid,)).fetchall()
            cur = row["round"] + 1
            submitted = {
                r["state"]
                for r in db.execute("SELECT state FROM submissions WHERE session_id=? AND round=?", (sid, cur))
            }
            played = self.result_tx(db, sid, row["round"], "played") if row["round"] else None
            baseline = self.result_tx(db, sid, 0, "baseline")
            band = self.result_tx(db, sid, 0, "band")
            proposals = deals.proposals(db, sid, None if row["round"] >= row["rounds"] else cur, for_state)
            mine = None
            if for_state:
                last = db.execute(
                    "SELECT allocation_json FROM submissions WHERE session_id=? AND state=? AND round=?",
                    (sid, for_state, cur),
                ).fetchone()
                mine = json.loads(last["allocation_json"]) if last else None
        cfg = json.loads(row["config_json"])
        start_year = int(cfg["start"][:4])
        finished = row["round"] >= row["rounds"]
        injects = self.injects(sid)
        out = {
            "session": sid,
            "label": row["label"],
            "version": row["version"],
            "round": row["round"],
            "rounds": row["rounds"],
            "finished": finished,
            "open_round": None if finished else cur,
            "open_year": None if finished else start_year + row["round"],
            "running": row["running"],
            "minutes_per_round": cfg["exercise"].get("minutes_per_round"),
            "round_started": row["round_started"],
            "clock": {
                "deadline": row["deadline"],
                "paused_left": row["paused_left"],
                "lock_at_zero": bool(row["lock_at_zero"]),
            },
            "server_time": time.time(),
            "teams": [
                {"state": t["state"], "joined": t["joined"] is not None, "submitted": t["state"] in submitted}
                for t in teams
            ],
            "pending_injects": [i | {"words": scoring.event_words(i)} for i in injects if not i["played"]],
            "last_injects": [
                i | {"words": scoring.event_words(i)}
                for i in self.round_injects(sid, row["round"])
                if i["round"] == row["round"]
            ],
            "years": [start_year + i for i in range(row["round"])],
            "played": played,
            "baseline": baseline,
            "band": band,
            "proposals": proposals,
        }
        if for_state:
            del out["pending_injects"]  # the teacher's surprise stays one until the round runs
            in_force = self.allocations_in_force(sid, row["round"])
            if mine is None and not finished:  # the starting point of the open round: what holds if nothing is sent
                mine = self.allocations_in_force(sid, cur)[-1][for_state]["allocation"]
            out["my_allocation"] = mine
            out["my_submitted"] = for_state in submitted
            out["this_year"] = (
                scoring.year_report(
                    out,
                    for_state,
                    in_force[-1][for_state],
                    out["last_injects"],
                    counterfactual.stored(self, sid, row["round"], for_state),
                )
                if played and baseline
                else None
            )
        return out

    def debrief(self, sid: str) -> dict[str, Any]:
        """Scores, costs, allocations round by round, injects and stylized facts (see :mod:`scoring`)."""
        st = self.state(sid)
        if not st["played"]:
            raise ClassroomError("no round has been played yet", 409)
        cfg = self.config(sid)
        n = st["round"]
        start_year = int(cfg["start"][:4])
        in_force = self.allocations_in_force(sid, n)
        plans = [
            {state: plan_allocation(cfg, state, start_year + r) for state in cfg["exercise"]["teams"]} for r in range(n)
        ]
        d = scoring.debrief(st, in_force, plans, self.injects(sid), cfg["exercise"].get("debrief_questions") or [])
        effects = {}
        for state in cfg["exercise"]["teams"]:
            per_round = [
                scoring.own_effect(st, state, r, counterfactual.stored(self, sid, r, state)) for r in range(1, n + 1)
            ]
            effects[state] = [None if e is None else e["rows"] for e in per_round]
        with self.store.transaction() as db:
            deals_made = deals.proposals(db, sid, st["open_round"])
        return d | {
            "own_effects": effects,
            "deals": deals_made,
            "parameters": self.parameters_record(sid),
            "why": why.view(self, sid),
        }
