"""Classroom round logic and persistence in plain Python, including a server restart between rounds."""

from __future__ import annotations

import json
import threading

import numpy as np
import pytest
from helpers import CONFIGS

from scenarios.web.classroom import Classroom, ClassroomError
from scenarios.web.classroom.codes import ALPHABET as PIN_ALPHABET
from scenarios.web.classroom.scoring import number
from scenarios.web.classroom.store import Store

EXERCISES = CONFIGS / "exercises"


@pytest.fixture
def room(tmp_path):
    return Classroom(tmp_path / "class.sqlite", EXERCISES)


def codes(room, sid):
    return {t.state: t.code for t in room.teams(sid)}


def advance(room, sid):
    """Run the open round (the request names it, as the console does)."""
    return room.advance(sid, room.state(sid)["open_round"])


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
    assert all(len(c) == 8 and set(c) <= set(PIN_ALPHABET) for c in all_codes)
    assert not set("O0I1L-_") & set(PIN_ALPHABET)
    assert sid != sid2


def test_join_codes_are_typed_in_any_case_with_or_without_the_dash(room):
    sid, teams = room.create_session("short_border_pressure")
    code = teams[0].code
    shown = teams[0].shown_code
    assert shown == code[:4] + "-" + code[4:]
    for typed in (code, code.lower(), shown, shown.lower(), f" {shown} "):
        assert room.team_by_code(typed) == (sid, teams[0].state)
    for wrong in ("", code[:-1], code + "A", code.replace(code[0], "0")):
        with pytest.raises(ClassroomError, match="unknown join code"):
            room.team_by_code(wrong)


def test_a_round_runs_and_is_stored(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.submit(c["china"], 1, {"joint_border_patrols": 200, "military_training": 100})
    st = room.state(sid)
    assert st["open_round"] == 1 and {t["state"]: t["submitted"] for t in st["teams"]}["china"]
    st = advance(room, sid)
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
    advance(room, sid)
    with pytest.raises(ClassroomError, match="closed"):
        room.submit(c["china"], 1, {"military_training": 10})


def test_exercise_ends_after_its_rounds(room):
    sid, _ = room.create_session("short_border_pressure")
    for _ in range(3):
        advance(room, sid)
    st = room.state(sid)
    assert st["finished"] and st["open_round"] is None
    with pytest.raises(ClassroomError, match="over"):
        advance(room, sid)


def test_injected_event_takes_effect_in_the_next_round(room):
    sid, _ = room.create_session("short_border_pressure")
    room.inject(sid, "attack", region="gbao")
    cfg = room.played_config(sid, 1)
    assert cfg["events"][-1] == {"when": "2022-01", "kind": "attack", "region": "gbao"}
    st = advance(room, sid)
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
    advance(first, sid)
    first.submit(c["tajikistan"], 2, {"economic_initiatives": 100})
    del first  # the server stops

    second = Classroom(db, EXERCISES)  # and starts again on the same file
    st = second.state(sid)
    assert st["round"] == 1 and {t["state"]: t["submitted"] for t in st["teams"]}["tajikistan"]
    after_restart = advance(second, sid)

    # the same inputs without a restart give the same results
    third = Classroom(tmp_path / "other.sqlite", EXERCISES)
    sid3, _ = third.create_session("short_border_pressure", seed=5)
    c3 = codes(third, sid3)
    third.submit(c3["china"], 1, {"joint_border_patrols": 150})
    advance(third, sid3)
    third.submit(c3["tajikistan"], 2, {"economic_initiatives": 100})
    straight = advance(third, sid3)
    assert json.dumps(after_restart["played"]) == json.dumps(straight["played"])


def test_replaying_more_rounds_keeps_the_past(room):
    """Advancing re-simulates from the start; earlier years must not change."""
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.submit(c["china"], 1, {"military_training": 100})
    one = advance(room, sid)["played"]
    room.submit(c["china"], 2, {"infrastructure_investment": 300})
    room.inject(sid, "afghan_collapse")
    two = advance(room, sid)["played"]
    for name, values in one["yearly"].items():
        assert two["yearly"][name][0] == values[0], name


def test_debrief_scores_and_facts(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    with pytest.raises(ClassroomError):
        room.debrief(sid)
    room.submit(c["tajikistan"], 1, {"joint_border_patrols": 150})
    advance(room, sid)
    d = room.debrief(sid)
    assert {s["state"] for s in d["scores"]} == {"china", "tajikistan", "russia"}
    assert all("shared_stability" in s and s["own_goals"] for s in d["scores"])
    assert {f["id"] for f in d["facts"]} >= {"balloon", "repression_backlash"}
    assert d["questions"]


def test_every_exercise_plays_a_round_and_debriefs(room):
    """Every exercise (including the SCO team's goals) runs a round and scores every team."""
    for name in room.exercises():
        sid, _ = room.create_session(name)
        advance(room, sid)
        d = room.debrief(sid)
        assert {s["state"] for s in d["scores"]} == set(room.scenario(sid).exercise.teams)
        for s in d["scores"]:
            assert all(np.isfinite(g["delta"]) for g in s["own_goals"])


def test_every_allowed_inject_runs(room):
    """Each inject an exercise allows takes effect when the round runs (a crackdown without magnitude included)."""
    sid, _ = room.create_session("short_border_pressure")
    for kind in room.scenario(sid).exercise.injects:
        room.inject(sid, kind)
    st = advance(room, sid)
    assert st["round"] == 1


def test_warming_up_a_session_changes_no_result(tmp_path):
    """The baseline and band computed ahead (as the server does) equal those of the first Advance."""
    cold, warm = Classroom(tmp_path / "a.sqlite", EXERCISES), Classroom(tmp_path / "b.sqlite", EXERCISES)
    sid_c, _ = cold.create_session("short_border_pressure", seed=3)
    sid_w, _ = warm.create_session("short_border_pressure", seed=3)
    warm.warm_up(sid_w)
    assert warm.state(sid_w)["band"] is not None and warm.state(sid_w)["round"] == 0
    a, b = cold.advance(sid_c, 1), warm.advance(sid_w, 1)
    for key in ("played", "baseline", "band"):
        assert json.dumps(a[key]) == json.dumps(b[key]), key


def test_join_codes_of_older_sessions_still_work(room):
    """A database from before the short codes keeps its 11-character, case-sensitive codes."""
    sid, _ = room.create_session("short_border_pressure")
    with room.store.transaction(write=True) as db:
        db.execute("UPDATE teams SET code='aB3_-xY9zQ1' WHERE session_id=? AND state='china'", (sid,))
    assert room.team_by_code("aB3_-xY9zQ1") == (sid, "china")
    with pytest.raises(ClassroomError, match="unknown join code"):
        room.team_by_code("AB3_-XY9ZQ1")


def test_a_repeated_advance_is_refused_and_skips_nothing(room):
    sid, _ = room.create_session("short_border_pressure")
    assert room.advance(sid, 1)["round"] == 1
    with pytest.raises(ClassroomError, match="cannot be run") as info:
        room.advance(sid, 1)
    assert info.value.status == 409 and room.state(sid)["round"] == 1
    with pytest.raises(ClassroomError, match="cannot be run"):
        room.advance(sid, 3)
    assert room.state(sid)["round"] == 1


def test_two_simultaneous_advances_run_one_round(room):
    sid, _ = room.create_session("short_border_pressure")
    outcomes = []

    def press():
        try:
            outcomes.append(room.advance(sid, 1)["round"])
        except ClassroomError as e:
            outcomes.append(e.status)

    threads = [threading.Thread(target=press) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == [1, 409]
    assert room.state(sid)["round"] == 1


def test_a_stale_submission_says_what_happened(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    advance(room, sid)
    with pytest.raises(ClassroomError, match=r"round 1 is closed.*round 2 is open") as info:
        room.submit(c["china"], 1, {"military_training": 10})
    assert info.value.status == 409


def test_allocations_in_force_follow_the_rule(room):
    """Round 1 without a submission: the plan; later without one: the last submission kept."""
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.submit(c["china"], 1, {"military_training": 100})
    advance(room, sid)
    advance(room, sid)  # nobody submits in round 2
    rounds = room.allocations_in_force(sid, 2)
    assert rounds[0]["china"]["source"] == "submitted" and rounds[1]["china"]["source"] == "kept"
    assert rounds[1]["china"]["allocation"]["military_training"] == 100
    assert rounds[0]["russia"]["source"] == "plan" and sum(rounds[0]["russia"]["allocation"].values()) > 0


def test_debrief_costs_count_what_was_in_force_against_the_plan(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.submit(c["china"], 1, {"military_training": 100})
    advance(room, sid)
    advance(room, sid)
    d = room.debrief(sid)
    by = {s["state"]: s for s in d["scores"]}
    assert by["china"]["cost_musd"] == pytest.approx(200)  # submitted once, kept in round 2
    # a team that never submitted spent exactly the plan: like for like, no fixed base spending
    assert by["russia"]["cost_musd"] == pytest.approx(by["russia"]["plan_musd"]) and by["russia"]["plan_musd"] > 0
    assert by["russia"]["cost_vs_plan_musd"] == pytest.approx(0)
    assert d["sources"]["china"] == ["submitted", "kept"]
    assert [r["musd"] for r in d["allocations"]["china"] if r["lever"] == "military_training"] == [[100, 100]]
    assert d["labels"]["unrest_active_share"]["unit"] == "%"


def test_a_team_sees_what_happened_this_year(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.inject(sid, "attack", region="gbao")
    assert room.state(sid)["pending_injects"] and "pending_injects" not in room.state(sid, "tajikistan")
    room.submit(c["tajikistan"], 1, {"joint_border_patrols": 150})
    advance(room, sid)
    y = room.state(sid, "tajikistan")["this_year"]
    assert y["year"] == 2022 and y["events"] == ["attack in gbao"]
    assert y["spending_total"] == pytest.approx(150) and "your submission" in y["spending_source"]
    rows = {r["outcome"]: r for r in y["rows"]}
    assert "unrest_active_share" in rows and rows["unrest_active_share"]["value"].endswith(" %")
    for r in rows.values():
        vs = r["vs_baseline"]
        assert vs["within_noise"] == ("within noise" in vs["words"])
    assert room.state(sid)["band"]["stability_index"][0] > 0


@pytest.mark.parametrize(
    ("x", "text"),
    [(0, "0.000"), (0.5, "0.500"), (1.234, "1.23"), (1234.5, "1,234"), (0.00161, "0.00161"), (-2e-5, "-0.0000200")],
)
def test_numbers_read_without_exponents(x, text):
    assert number(x) == text


def test_the_teacher_secret_is_kept_with_the_database(tmp_path):
    first = Store(tmp_path / "c.sqlite").teacher_pin(None)
    assert len(first) == 12 and set(first) <= set(PIN_ALPHABET)
    assert Store(tmp_path / "c.sqlite").teacher_pin(None) == first
