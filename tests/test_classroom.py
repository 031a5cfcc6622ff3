"""Classroom round logic and persistence in plain Python, including a server restart between rounds."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import CONFIGS

from scenarios.web.classroom import Classroom, ClassroomError

EXERCISES = CONFIGS / "exercises"


@pytest.fixture
def room(tmp_path):
    return Classroom(tmp_path / "class.sqlite", EXERCISES)


def codes(room, sid):
    return {t.state: t.code for t in room.teams(sid)}


def test_every_exercise_config_has_teams_and_fits_its_years(room):
    ex = room.exercises()
    assert len(ex) >= 3
    for sc in ex.values():
        assert sc.exercise.rounds <= sc.years and {"china", "tajikistan"} <= set(sc.exercise.teams)


def test_join_codes_are_unique_and_unguessable(room):
    sid, teams = room.create_session("short_border_pressure")
    sid2, teams2 = room.create_session("short_border_pressure")
    all_codes = [t.code for t in teams + teams2]
    assert len(set(all_codes)) == len(all_codes)
    assert all(len(c) >= 10 for c in all_codes)
    assert sid != sid2


def test_a_round_runs_and_is_stored(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.submit(c["china"], 1, {"joint_border_patrols": 200, "military_training": 100})
    st = room.state(sid)
    assert st["open_round"] == 1 and {t["state"]: t["submitted"] for t in st["teams"]}["china"]
    st = room.advance(sid)
    assert st["round"] == 1 and st["open_round"] == 2 and len(st["played"]["yearly"]["stability_index"]) == 1
    assert len(st["baseline"]["yearly"]["stability_index"]) == 3
    assert not any(t["submitted"] for t in st["teams"])


def test_bad_requests_are_refused_and_change_nothing(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    before = room.state(sid)["version"]
    with pytest.raises(ClassroomError, match="over the budget"):
        room.submit(c["china"], 1, {"joint_border_patrols": 200, "infrastructure_investment": 400})
    with pytest.raises(ClassroomError, match="not a lever of tajikistan"):
        room.submit(c["tajikistan"], 1, {"financial_aid": 10})
    with pytest.raises(ClassroomError, match="not open") as info:
        room.submit(c["china"], 2, {"military_training": 1})
    assert info.value.status == 409
    with pytest.raises(ClassroomError, match="non-negative"):
        room.submit(c["china"], 1, {"military_training": -5})
    with pytest.raises(ClassroomError, match="non-negative"):
        room.submit(c["china"], 1, {"military_training": float("nan")})
    with pytest.raises(ClassroomError, match="unknown join code"):
        room.submit("not-a-code", 1, {})
    with pytest.raises(ClassroomError, match="not allowed"):
        room.inject(sid, "meth_surge")
    with pytest.raises(ClassroomError, match="unknown region"):
        room.inject(sid, "attack", region="atlantis")
    assert room.state(sid)["version"] == before


def test_stale_round_after_advance(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.advance(sid)
    with pytest.raises(ClassroomError, match="not open"):
        room.submit(c["china"], 1, {"military_training": 10})


def test_exercise_ends_after_its_rounds(room):
    sid, _ = room.create_session("short_border_pressure")
    for _ in range(3):
        room.advance(sid)
    st = room.state(sid)
    assert st["finished"] and st["open_round"] is None
    with pytest.raises(ClassroomError, match="over"):
        room.advance(sid)


def test_injected_event_takes_effect_in_the_next_round(room):
    sid, _ = room.create_session("short_border_pressure")
    room.inject(sid, "attack", region="gbao")
    cfg = room.played_config(sid, 1)
    assert cfg["events"][-1] == {"when": "2022-01", "kind": "attack", "region": "gbao"}
    st = room.advance(sid)
    assert st["played"]["regions"]["gbao"]["attacks"][0] >= 1


def test_allocations_become_yearly_lever_schedules(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.submit(c["china"], 1, {"intelligence_sharing": 15.0})  # 15 USD M = intensity 1.0
    cfg = room.played_config(sid, 1)
    china = cfg["states"]["china"]["levers"]
    assert china["intelligence_sharing"]["2022"] == pytest.approx(1.0)
    assert china["military_training"]["2022"] == 0.0  # the allocation replaces the plan that year
    assert china["financial_aid"]["2021"] == 50  # earlier years keep the plan


def test_restart_between_rounds_loses_nothing_and_replays_identically(tmp_path):
    db = tmp_path / "class.sqlite"
    first = Classroom(db, EXERCISES)
    sid, _ = first.create_session("short_border_pressure", seed=5)
    c = codes(first, sid)
    first.submit(c["china"], 1, {"joint_border_patrols": 150})
    first.advance(sid)
    first.submit(c["tajikistan"], 2, {"economic_initiatives": 100})
    del first  # the server stops

    second = Classroom(db, EXERCISES)  # and starts again on the same file
    st = second.state(sid)
    assert st["round"] == 1 and {t["state"]: t["submitted"] for t in st["teams"]}["tajikistan"]
    after_restart = second.advance(sid)

    # the same inputs without a restart give the same results
    third = Classroom(tmp_path / "other.sqlite", EXERCISES)
    sid3, _ = third.create_session("short_border_pressure", seed=5)
    c3 = codes(third, sid3)
    third.submit(c3["china"], 1, {"joint_border_patrols": 150})
    third.advance(sid3)
    third.submit(c3["tajikistan"], 2, {"economic_initiatives": 100})
    straight = third.advance(sid3)
    assert json.dumps(after_restart["played"]) == json.dumps(straight["played"])


def test_replaying_more_rounds_keeps_the_past(room):
    """Advancing re-simulates from the start; earlier years must not change."""
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.submit(c["china"], 1, {"military_training": 100})
    one = room.advance(sid)["played"]
    room.submit(c["china"], 2, {"infrastructure_investment": 300})
    room.inject(sid, "afghan_collapse")
    two = room.advance(sid)["played"]
    for name, values in one["yearly"].items():
        assert two["yearly"][name][0] == values[0], name


def test_debrief_scores_and_facts(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    with pytest.raises(ClassroomError):
        room.debrief(sid)
    room.submit(c["tajikistan"], 1, {"joint_border_patrols": 150})
    room.advance(sid)
    d = room.debrief(sid)
    assert {s["state"] for s in d["scores"]} == {"china", "tajikistan", "russia"}
    assert all("shared_stability" in s and s["own_goals"] for s in d["scores"])
    assert {f["id"] for f in d["facts"]} >= {"balloon", "repression_backlash"}
    assert d["questions"]


def test_every_exercise_plays_a_round_and_debriefs(room):
    """Every exercise (including the SCO team's goals) runs a round and scores every team."""
    for name in room.exercises():
        sid, _ = room.create_session(name)
        room.advance(sid)
        d = room.debrief(sid)
        assert {s["state"] for s in d["scores"]} == set(room.scenario(sid).exercise.teams)
        for s in d["scores"]:
            assert all(np.isfinite(g["delta"]) for g in s["own_goals"])


def test_every_allowed_inject_runs(room):
    """Each inject an exercise allows takes effect when the round runs (a crackdown without magnitude included)."""
    sid, _ = room.create_session("short_border_pressure")
    for kind in room.scenario(sid).exercise.injects:
        room.inject(sid, kind)
    st = room.advance(sid)
    assert st["round"] == 1
