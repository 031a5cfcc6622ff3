"""Why stability moved, for the debrief: each team's choices against doing nothing, by mechanism.

Computed once, when the last round has run. For each team T that changed the exercise's plan in
some round, two sessions are compared under the session's seed (common random numbers): the
session as played, and the same session with T's allocations replaced by the exercise's plan in
every round ("T did nothing": every other input as played). The outcome is shared stability, the
mean over the years played, as the debrief's scores. The difference is decomposed by
:func:`scenarios.analysis.explain.explain`: both sessions are run again with each coupling of
``spec/data/knockouts.yaml`` switched off, and with all of them off, so that

    direct + each mechanism's part + remainder = total

exactly (one run each: the session's own seed, so there is no interval; the noise band of the
debrief says how large seed noise is). That is 2 + 2 x (number of couplings) runs of the whole
session per team, the played ones shared: 15 + 15 per team that moved.

When the session plays a posterior draw (``serve --parameters``), the same total difference is also
computed under each of the session's other plausible parameter sets: "your choices raised stability
in N of M plausible parameter sets".

:func:`inputs` gathers plain data from the database; :func:`compute` is a pure function of it (run
in a worker process by :class:`Runner`, so pages stay responsive); :func:`store` keeps the result
under the hash of its inputs, so an undone and replayed last round is explained again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import threading
import time
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios.web.classroom.errors import ClassroomError
from scenarios.web.classroom.scoring import state_label

if TYPE_CHECKING:
    from scenarios.web.classroom.game import Classroom

OUTCOME = "stability_index"
"""The outcome explained: shared stability (mean of its yearly values over the years played)."""
KIND = "why"
"""The results row (round 0) that keeps the explanation."""
SHOWN_PARTS = 3
"""Mechanisms named in the plain-words summary (the largest by size); the table lists them all."""

log = logging.getLogger("scenarios.web")


def inputs(room: Classroom, sid: str) -> dict[str, Any]:
    """What the explanation of a finished session needs, as plain data (409 before the last round)."""
    with room.store.transaction() as db:
        row = room.session_row(db, sid)
    n = int(row["round"])
    if n < int(row["rounds"]) or row["running"] is not None:
        raise ClassroomError("why stability moved is computed when the last round has run", 409)
    played = room.played_config(sid, n)
    nothing = {}
    for team in room.teams(sid):
        cfg = room.played_config(sid, n, nothing_from=team.state)
        nothing[team.state] = None if cfg == played else cfg
    record = room.parameters_record(sid)
    draws = [] if record is None else record["draws"]
    payload = {"seed": int(row["seed"]), "years": n, "played": played, "nothing": nothing, "draws": draws}
    return payload | {"key": _key(payload)}


def _key(payload: dict[str, Any]) -> str:
    text = json.dumps({k: v for k, v in payload.items() if k != "key"}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _stability(cfg: dict[str, Any], seed: int, years: int) -> float:
    from scenarios.web.classroom.simulate import run_years

    values = run_years(cfg, seed, years)["yearly"][OUTCOME]
    return float(sum(values) / len(values))


def _variants(cfg: dict[str, Any], seed: int, years: int) -> dict[str, float]:
    """Stability of a session under every knockout variant (full, each coupling off, all off)."""
    from scenarios.analysis.explain import variants
    from scenarios.spec.config import scenario_dict, validate_data

    return {name: _stability(scenario_dict(sc), seed, years) for name, sc in variants(validate_data(cfg)).items()}


def _with(cfg: dict[str, Any], values: dict[str, float]) -> dict[str, Any]:
    return cfg | {"parameters": {**cfg.get("parameters", {}), **values}}


def compute(payload: dict[str, Any]) -> dict[str, Any]:
    """The explanation of each team (a pure function of :func:`inputs`; minutes for a long session).

    Returns ``{"key", "outcome", "teams": {state: None (kept the plan) or {"total", "terms": [{"name",
    "label", "value"}], "draws": [difference under each plausible parameter set] or []}}, "runs",
    "cpu_seconds", "wall_seconds"}``.
    """
    from scenarios.analysis.explain import explain

    t0, w0 = time.process_time(), time.perf_counter()
    seed, years = payload["seed"], payload["years"]
    runs = 0
    played = None
    played_draws: list[float] = []
    teams: dict[str, Any] = {}
    for state, cfg in payload["nothing"].items():
        if cfg is None:
            teams[state] = None
            continue
        if played is None:
            played = _variants(payload["played"], seed, years)
            played_draws = [_stability(_with(payload["played"], d), seed, years) for d in payload["draws"]]
            runs += len(played) + len(played_draws)
        nothing = _variants(cfg, seed, years)
        e = explain(
            {k: np.array([v]) for k, v in nothing.items()},
            {k: np.array([v]) for k, v in played.items()},
            state,
            OUTCOME,
        )
        draws = [
            p - _stability(_with(cfg, d), seed, years) for p, d in zip(played_draws, payload["draws"], strict=True)
        ]
        runs += len(nothing) + len(draws)
        teams[state] = {
            "total": e.total.mean,
            "terms": [{"name": t.name, "label": t.label, "value": t.mean} for t in e.terms()],
            "draws": draws,
        }
    return {
        "key": payload["key"],
        "outcome": OUTCOME,
        "teams": teams,
        "runs": runs,
        "cpu_seconds": time.process_time() - t0,
        "wall_seconds": time.perf_counter() - w0,
    }


def store(room: Classroom, sid: str, result: dict[str, Any]) -> bool:
    """Keep ``result`` if the session's inputs are still those it explains (not after an undo); True if kept."""
    try:
        current = inputs(room, sid)["key"]
    except ClassroomError:
        return False
    if current != result["key"]:
        return False
    with room.store.transaction(write=True) as db:
        db.execute("INSERT OR REPLACE INTO results VALUES (?,?,?,?)", (sid, 0, KIND, json.dumps(result)))
        db.execute("UPDATE sessions SET version = version + 1 WHERE id=?", (sid,))
    return True


def stored(room: Classroom, sid: str) -> dict[str, Any] | None:
    """The explanation kept for the session as it now stands, or None (not computed, or stale)."""
    with room.store.transaction() as db:
        found = room.result_tx(db, sid, 0, KIND)
    if found is None:
        return None
    try:
        return found if inputs(room, sid)["key"] == found["key"] else None
    except ClassroomError:
        return None


def compute_now(room: Classroom, sid: str) -> dict[str, Any]:
    """Compute and store the explanation in this thread (tests, scripts); returns it."""
    result = compute(inputs(room, sid))
    store(room, sid, result)
    return result


def _work(payload: dict[str, Any], conn: Any) -> None:
    """The worker process: compute and send ``("ok", result)`` or ``("error", message)``."""
    try:
        conn.send(("ok", compute(payload)))
    except BaseException as e:  # sent to the server, which logs and shows it
        conn.send(("error", f"{type(e).__name__}: {e}"))
    finally:
        conn.close()


class Runner:
    """Explanations computed in worker processes (spawned, daemonic: they stop with the server),
    one at a time across sessions, at most one per session.

    Args:
        room: the classroom whose sessions are explained.
        enabled: start explanations at all (the server does; in-process tests of other features
            leave it off, and a debrief then says it is not computed here).
    """

    def __init__(self, room: Classroom, enabled: bool = False):
        self.room = room
        self.enabled = enabled
        self._running: dict[str, float] = {}
        self._failed: dict[str, str] = {}
        self._processes: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._one_at_a_time = threading.Semaphore(1)

    def start(self, sid: str) -> None:
        """Start the explanation of a finished session unless it is kept or already running."""
        if not self.enabled or stored(self.room, sid) is not None:
            return
        try:
            payload = inputs(self.room, sid)
        except ClassroomError:
            return
        with self._lock:
            if sid in self._running:
                return
            self._running[sid] = time.time()
            self._failed.pop(sid, None)
        threading.Thread(target=self._run, args=(sid, payload), daemon=True, name=f"why-{sid}").start()

    def _run(self, sid: str, payload: dict[str, Any]) -> None:
        mp = multiprocessing.get_context("spawn")
        try:
            with self._one_at_a_time:
                receive, send = mp.Pipe(duplex=False)
                proc = mp.Process(target=_work, args=(payload, send), daemon=True, name=f"why-{sid}")
                with self._lock:
                    if not self.enabled:
                        return  # closed meanwhile
                    proc.start()
                    self._processes[sid] = proc
                send.close()
                try:
                    kind, data = receive.recv()
                except EOFError:
                    kind, data = "error", "the worker process stopped"
                proc.join()
            if kind != "ok":
                raise RuntimeError(data)
            store(self.room, sid, data)
        except Exception as e:  # logged and shown; the debrief works without it
            log.exception("explaining session %s failed", sid)
            with self._lock:
                self._failed[sid] = str(e)
        finally:
            with self._lock:
                self._running.pop(sid, None)
                self._processes.pop(sid, None)

    def status(self, sid: str) -> dict[str, Any]:
        """``{"state": "ready" | "running" | "failed" | "waiting" | "off", "since": epoch or None, "error": str or None}``."""
        if stored(self.room, sid) is not None:
            return {"state": "ready", "since": None, "error": None}
        if not self.enabled:
            return {"state": "off", "since": None, "error": None}
        with self._lock:
            if sid in self._running:
                return {"state": "running", "since": self._running[sid], "error": None}
            if sid in self._failed:
                return {"state": "failed", "since": None, "error": self._failed[sid]}
        return {"state": "waiting", "since": None, "error": None}

    def close(self) -> None:
        """Stop every worker process (a running explanation is lost; the next start computes it again)."""
        with self._lock:
            self.enabled = False
            procs = list(self._processes.values())
        for proc in procs:
            proc.terminate()
            proc.join(5)


def _team_words(state: str, result: dict[str, Any] | None, record: dict[str, Any] | None) -> list[str]:
    name = state_label(state)
    if result is None:
        return [f"{name} kept the exercise's plan in every round: its choices moved nothing."]
    total = result["total"]
    if abs(total) < 0.005:
        head = f"{name}'s choices changed shared stability by less than 0.01 points"
    else:
        head = f"{name}'s choices {'raised' if total > 0 else 'lowered'} shared stability by {abs(total):.2f} points"
    out = [
        f"{head} (mean over the years played) against the same session in which {name} had done nothing "
        "(kept the exercise's plan), everything else as played."
    ]
    terms = [t for t in result["terms"] if t["name"] != "remainder"]
    big = sorted(terms, key=lambda t: -abs(t["value"]))[:SHOWN_PARTS]
    if abs(total) >= 0.005 and big:
        out.append(
            "Mostly through: "
            + "; ".join(f"{_plain(t)} ({t['value']:+.2f})" for t in big if abs(t["value"]) >= 0.005)
            + "."
        )
        rest = next(t["value"] for t in result["terms"] if t["name"] == "remainder")
        out.append(f"Mechanisms acting together (the remainder) account for {rest:+.2f}.")
    draws = result.get("draws") or []
    if record is not None and draws:
        up = sum(1 for d in draws if d > 0)
        out.append(
            f"Across the {len(draws)} plausible parameter sets of the calibration (this session played set "
            f"{record['played_draw'] + 1}), {name}'s choices raised stability in {up} of {len(draws)}."
        )
    return out


def _plain(term: dict[str, Any]) -> str:
    if term["name"] == "direct":
        return "the levers' own direct effects (with every listed mechanism switched off)"
    return str(term["label"])


def view(room: Classroom, sid: str) -> dict[str, Any]:
    """What the debrief shows: ``status`` (see :meth:`Runner.status`; ``not_finished`` before the last
    round) and, when ready, per team its plain-words summary and every term (they add up to the total)."""
    with room.store.transaction() as db:
        row = room.session_row(db, sid)
    if row["round"] < row["rounds"]:
        return {"status": {"state": "not_finished"}, "teams": []}
    result = stored(room, sid)
    if result is None:
        return {"status": room.why.status(sid), "teams": []}
    record = room.parameters_record(sid)
    teams = []
    for state, r in result["teams"].items():
        terms = [] if r is None else [t | {"words": _plain(t)} for t in r["terms"]]
        teams.append(
            {
                "state": state,
                "label": state_label(state),
                "words": _team_words(state, r, record),
                "total": None if r is None else r["total"],
                "terms": terms,
                "draws": [] if r is None else r["draws"],
            }
        )
    seconds = {k: result[k] for k in ("runs", "cpu_seconds", "wall_seconds")}
    return {"status": {"state": "ready"}, "teams": teams} | seconds
