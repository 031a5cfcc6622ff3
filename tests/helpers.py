"""Test helpers: paths and small scenarios that run in a fraction of a second.

Imported by test modules as ``from helpers import ...`` (``tests/`` is on pytest's ``pythonpath``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from scenarios.spec.config import load_scenario, validate_data

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "src" / "scenarios" / "library"
TINY_WORLD = Path(__file__).parent / "data" / "tiny_world.yaml"


def scenario(**overrides: Any) -> Any:
    """A validated scenario from a mapping (defaults everywhere else), without the burn-in."""
    return validate_data(without_burn_in({"name": "test", "years": 2, "society": {"citizens": 2000}}, overrides))


def tiny(**overrides: Any) -> Any:
    """A scenario on the hand-built two-segment world, without the burn-in."""
    data = {"name": "tiny", "years": 2, "world": str(TINY_WORLD), "society": {"citizens": 1000}}
    return validate_data(without_burn_in(data, overrides))


def without_burn_in(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``data`` updated by ``overrides``, with ``burn_in_weeks`` 0 unless the overrides set it: the
    52-week burn-in would add a simulated year to every small test run; the tests of the burn-in
    itself set it (tests/test_couplings.py)."""
    parameters = {"burn_in_weeks": 0, **overrides.get("parameters", {})}
    return {**data, **overrides, "parameters": parameters}


def baseline(**sets: Any) -> Any:
    """The shipped baseline, with ``--set``-style overrides given as keyword path__to__key=value."""
    return load_scenario(CONFIGS / "baseline.yaml", [f"{k.replace('__', '.')}={v}" for k, v in sets.items()])


def library_copy(
    folder: Path, scenarios: dict[str, dict] | None = None, exercises: dict[str, dict] | None = None
) -> Path:
    """A configs folder (as ``serve --configs`` and ``create_app`` take) under ``folder``: each named
    scenario of the library, and each named exercise in ``exercises/``, as a file that extends the
    shipped one with the given keys on top (``{}``: as shipped). Returns ``folder``.

    A run costs about the same at any population (per simulated week, not per citizen), so the
    quick tests shorten runs with fewer ``years`` (and ``exercise.rounds``), not fewer citizens."""
    for sub, names in (("", scenarios or {}), ("exercises", exercises or {})):
        (folder / sub).mkdir(parents=True, exist_ok=True)
        for name, keys in names.items():
            shipped = CONFIGS / sub / f"{name}.yaml"
            assert shipped.exists(), shipped
            (folder / sub / f"{name}.yaml").write_text(yaml.safe_dump({"extends": str(shipped), **keys}), "utf-8")
    return folder


def shortened(years: int) -> dict[str, Any]:
    """Keys that shorten an exercise to ``years`` years and as many rounds."""
    return {"years": years, "exercise": {"rounds": years}}


_REFERENCES: dict[tuple[str, int, str], list[tuple[str, str]]] = {}


def prepared_session(room: Any, exercise: str = "short_border_pressure", **kwargs: Any) -> tuple[str, list[Any]]:
    """``room.create_session``, then :func:`prepare` (returns the session id and teams)."""
    sid, teams = room.create_session(exercise, **kwargs)
    prepare(room, sid)
    return sid, teams


def prepare(room: Any, sid: str) -> None:
    """Store the session's baseline and noise band, as the server's warm-up does (its first Advance
    then only runs the played years).

    Those references depend only on the session's config and seed (and the band's size), so they
    are computed once per test run by ``room.warm_up`` and copied into every later session of the
    same config and seed. The tests of the references themselves (an Advance computing them, the
    warm-up) do not use this."""
    from scenarios.web.classroom import game

    with room.store.transaction() as db:
        row = db.execute("SELECT config_json, seed FROM sessions WHERE id=?", (sid,)).fetchone()
    key = (row["config_json"], row["seed"], repr(game.noise_band))
    if key in _REFERENCES:
        with room.store.transaction(write=True) as db:
            db.executemany(
                "INSERT INTO results VALUES (?,0,?,?)", [(sid, kind, data) for kind, data in _REFERENCES[key]]
            )
        return
    room.warm_up(sid)
    with room.store.transaction() as db:
        rows = db.execute("SELECT kind, data_json FROM results WHERE session_id=? AND round=0", (sid,)).fetchall()
    assert {r["kind"] for r in rows} == {"baseline", "band"}
    _REFERENCES[key] = [(r["kind"], r["data_json"]) for r in rows]


def serve_library_copy(monkeypatch: Any, folder: Path, **copies: Any) -> None:
    """Make ``benchmarks.classroom_load.start_server`` (which serves ``ROOT/src/scenarios/library``)
    serve ``library_copy(..., **copies)`` under ``folder`` for the rest of the test."""
    from benchmarks import classroom_load

    library_copy(folder / "src" / "scenarios" / "library", **copies)
    monkeypatch.setattr(classroom_load, "ROOT", folder)


def interrupt_on_call(monkeypatch: Any, module: Any, name: str, n: int) -> tuple[list[tuple[Any, ...]], Any]:
    """Replace ``module.name`` for the rest of the test by a version that raises KeyboardInterrupt (as
    Ctrl-C would) on its ``n``-th call and otherwise calls the real one. Returns the list of calls'
    positional arguments, and the real function (to put back with ``monkeypatch.setattr``)."""
    real = getattr(module, name)
    calls: list[tuple[Any, ...]] = []

    def stop_on_nth(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == n:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, stop_on_nth)
    return calls, real
