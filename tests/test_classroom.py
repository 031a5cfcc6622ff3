"""Classroom round logic and persistence in plain Python, including a server restart between rounds.

Sessions are prepared (baseline and noise band stored, as the server's warm-up does) by
``helpers.prepared_session`` and measure their band on 2 seeds (``two_band_seeds``), except in the
tests of that preparation; two played sessions are shared by the tests that only read them or make
requests they must refuse. ``-m slow`` plays every shipped exercise at full size with the real band.
"""

from __future__ import annotations

import json
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from helpers import CONFIGS, library_copy, prepared_session, shortened

from scenarios.errors import ScenarioError
from scenarios.web.classroom import Classroom, ClassroomError, counterfactual, exercise_files, game, simulate
from scenarios.web.classroom.codes import ALPHABET as PIN_ALPHABET
from scenarios.web.classroom.scoring import number
from scenarios.web.classroom.store import Store, pin_hash

EXERCISES = CONFIGS / "exercises"


@pytest.fixture
def room(tmp_path, two_band_seeds):
    return Classroom(tmp_path / "class.sqlite", EXERCISES)


@pytest.fixture(scope="module")
def short_exercises(tmp_path_factory):
    """Every shipped exercise shortened to 1 year and 1 round (teams, goals, injects as shipped)."""
    folder = tmp_path_factory.mktemp("short_exercises")
    return library_copy(folder, exercises={name: shortened(1) for name in exercise_files(EXERCISES)}) / "exercises"


def codes(room, sid):
    return {t.state: t.code for t in room.teams(sid)}


def advance(room, sid):
    """Run the open round (the request names it, as the console does)."""
    return room.advance(sid, room.state(sid)["open_round"])


@pytest.fixture(scope="module")
def round_one(tmp_path_factory, two_band_seeds):
    """A session of short_border_pressure after round 1, shared by the tests that only read it or
    make requests it must refuse. Before the round: an attack injected in GBAO, China and
    Tajikistan submitted (``before``: the teacher's state then, ``team_before``: Tajikistan's)."""
    room = Classroom(tmp_path_factory.mktemp("round_one") / "class.sqlite", EXERCISES)
    sid, _ = prepared_session(room)
    c = codes(room, sid)
    room.inject(sid, "attack", region="gbao")
    room.submit(c["china"], 1, {"joint_border_patrols": 200, "military_training": 100})
    room.submit(c["tajikistan"], 1, {"joint_border_patrols": 150})
    before, team_before = room.state(sid), room.state(sid, "tajikistan")
    after = room.advance(sid, 1)
    return SimpleNamespace(room=room, sid=sid, codes=c, before=before, team_before=team_before, after=after)


@pytest.fixture(scope="module")
def three_rounds(tmp_path_factory, two_band_seeds):
    """A session of short_border_pressure played to its end, shared by the tests that only read it.
    Round 1: China submits 100 USD M of military training; round 2: Tajikistan submits and the
    teacher injects every event the exercise allows; round 3: nobody submits. ``states``: the state
    returned by each Advance."""
    room = Classroom(tmp_path_factory.mktemp("three_rounds") / "class.sqlite", EXERCISES)
    sid, _ = prepared_session(room)
    c = codes(room, sid)
    room.submit(c["china"], 1, {"military_training": 100})
    states = [advance(room, sid)]
    room.submit(c["tajikistan"], 2, {"economic_initiatives": 100})
    for kind in room.scenario(sid).exercise.injects:  # a crackdown without magnitude included
        room.inject(sid, kind)
    states.append(advance(room, sid))
    states.append(advance(room, sid))
    return SimpleNamespace(room=room, sid=sid, codes=c, states=states)


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


def test_a_round_runs_and_is_stored(round_one):
    st = round_one.before
    assert st["open_round"] == 1 and {t["state"]: t["submitted"] for t in st["teams"]}["china"]
    st = round_one.after
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


def test_stale_round_after_advance(round_one):
    with pytest.raises(ClassroomError, match="closed"):
        round_one.room.submit(round_one.codes["china"], 1, {"military_training": 10})


def test_exercise_ends_after_its_rounds(three_rounds):
    room, sid = three_rounds.room, three_rounds.sid
    st = room.state(sid)
    assert st["finished"] and st["open_round"] is None and st["round"] == 3
    with pytest.raises(ClassroomError, match="over"):
        room.advance(sid, 4)
    assert room.state(sid)["version"] == st["version"]


def test_injected_event_takes_effect_in_the_next_round(round_one):
    cfg = round_one.room.played_config(round_one.sid, 1)
    assert cfg["events"][-1] == {"when": "2022-01", "kind": "attack", "region": "gbao"}
    assert round_one.after["played"]["regions"]["gbao"]["attacks"][0] >= 1


def test_allocations_become_yearly_lever_schedules(room):
    sid, _ = room.create_session("short_border_pressure")
    c = codes(room, sid)
    room.submit(c["china"], 1, {"intelligence_sharing": 15.0})  # 15 USD M = intensity 1.0
    cfg = room.played_config(sid, 1)
    china = cfg["states"]["china"]["levers"]
    assert china["intelligence_sharing"]["2022"] == pytest.approx(1.0)
    assert china["military_training"]["2022"] == 0.0  # the allocation replaces the plan that year
    assert china["financial_aid"]["2021"] == 50  # earlier years keep the plan


def test_restart_between_rounds_loses_nothing_and_replays_identically(tmp_path, three_rounds):
    """The inputs of ``three_rounds``' first two rounds, with the server restarted before round 2 runs."""
    db = tmp_path / "class.sqlite"
    first = Classroom(db, EXERCISES)
    sid, _ = prepared_session(first)
    c = codes(first, sid)
    first.submit(c["china"], 1, {"military_training": 100})
    advance(first, sid)
    first.submit(c["tajikistan"], 2, {"economic_initiatives": 100})
    injects = first.scenario(sid).exercise.injects
    for kind in injects:
        first.inject(sid, kind)
    del first  # the server stops

    second = Classroom(db, EXERCISES)  # and starts again on the same file
    st = second.state(sid)
    assert st["round"] == 1 and {t["state"]: t["submitted"] for t in st["teams"]}["tajikistan"]
    assert [i["kind"] for i in st["pending_injects"]] == list(injects)
    after_restart = advance(second, sid)

    # the same inputs without a restart give the same results
    straight = three_rounds.states[1]
    assert json.dumps(after_restart["played"]) == json.dumps(straight["played"])


def test_replaying_more_rounds_keeps_the_past(three_rounds):
    """Advancing re-simulates from the start; earlier years must not change (round 2 brought a new
    submission and every inject, round 3 a kept allocation)."""
    one, two, three = (st["played"] for st in three_rounds.states)
    for name, values in one["yearly"].items():
        assert two["yearly"][name][0] == values[0], name
    for name, values in two["yearly"].items():
        assert three["yearly"][name][:2] == values, name


def test_debrief_scores_and_facts(room, round_one):
    sid, _ = room.create_session("short_border_pressure")
    with pytest.raises(ClassroomError):
        room.debrief(sid)
    d = round_one.room.debrief(round_one.sid)
    assert {s["state"] for s in d["scores"]} == {"china", "tajikistan", "russia"}
    assert all("shared_stability" in s and s["own_goals"] for s in d["scores"])
    assert {f["id"] for f in d["facts"]} >= {"balloon", "repression_backlash"}
    assert d["questions"]


def debriefs_of_every_exercise(room):
    """Each exercise of ``room`` played for one round (seed 3), by name: (session id, state after the round)."""
    out = {}
    for name in room.exercises():
        sid, _ = room.create_session(name, seed=3)
        out[name] = sid, advance(room, sid)
    assert sorted(out) == sorted(exercise_files(EXERCISES))
    return out


def assert_every_team_scored(room, played):
    for sid, _ in played.values():
        d = room.debrief(sid)
        assert {s["state"] for s in d["scores"]} == set(room.scenario(sid).exercise.teams)
        for s in d["scores"]:
            assert all(np.isfinite(g["delta"]) for g in s["own_goals"])


@pytest.fixture(scope="module")
def first_rounds(tmp_path_factory, short_exercises, two_band_seeds):
    """Every exercise shortened to 1 year, played for one round by a room that had not prepared the
    sessions (their first Advance computes the baseline and band)."""
    room = Classroom(tmp_path_factory.mktemp("first_rounds") / "class.sqlite", short_exercises)
    return room, debriefs_of_every_exercise(room)


def test_every_exercise_plays_a_round_and_debriefs(first_rounds):
    """Every exercise (including the SCO team's goals) runs a round and scores every team."""
    assert_every_team_scored(*first_rounds)


@pytest.mark.slow(quick="test_every_exercise_plays_a_round_and_debriefs")
def test_every_shipped_exercise_plays_a_round_and_debriefs_at_full_size(tmp_path, monkeypatch):
    """The quick test above on the shipped exercises as they are, with the real noise band."""
    monkeypatch.setattr(game, "noise_band", simulate.noise_band)  # even after two_band_seeds in this module
    room = Classroom(tmp_path / "class.sqlite", EXERCISES)
    assert_every_team_scored(room, debriefs_of_every_exercise(room))


def test_every_allowed_inject_runs(three_rounds):
    """Each inject an exercise allows takes effect when the round runs (a crackdown without magnitude included)."""
    st = three_rounds.states[1]
    assert st["round"] == 2
    assert sorted(i["kind"] for i in st["last_injects"]) == sorted(
        three_rounds.room.scenario(three_rounds.sid).exercise.injects
    )
    events = [
        e["kind"] for e in three_rounds.room.played_config(three_rounds.sid, 2)["events"] if e["when"] == "2023-01"
    ]
    assert sorted(events) == sorted(i["kind"] for i in st["last_injects"])


def test_warming_up_a_session_changes_no_result(tmp_path, short_exercises, first_rounds):
    """The baseline and band computed ahead (as the server does) equal those of the first Advance
    (on the exercise shortened to 1 year; the cold session is first_rounds')."""
    warm = Classroom(tmp_path / "b.sqlite", short_exercises)
    sid_w, _ = warm.create_session("short_border_pressure", seed=3)
    warm.warm_up(sid_w)
    assert warm.state(sid_w)["band"] is not None and warm.state(sid_w)["round"] == 0
    a, b = first_rounds[1]["short_border_pressure"][1], warm.advance(sid_w, 1)
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


def test_a_repeated_advance_is_refused_and_skips_nothing(round_one):
    room, sid = round_one.room, round_one.sid
    assert round_one.after["round"] == 1  # the first press, room.advance(sid, 1)
    with pytest.raises(ClassroomError, match="cannot be run") as info:
        room.advance(sid, 1)
    assert info.value.status == 409 and room.state(sid)["round"] == 1
    with pytest.raises(ClassroomError, match="cannot be run"):
        room.advance(sid, 3)
    assert room.state(sid)["round"] == 1


def test_two_simultaneous_advances_run_one_round(room, monkeypatch):
    sid, _ = prepared_session(room)
    outcomes = []
    inside, release = threading.Event(), threading.Event()
    simulate_year = game.run_years

    def held(*args, **kwargs):  # the first press waits inside the simulation until the second has pressed
        inside.set()
        release.wait(10)
        return simulate_year(*args, **kwargs)

    monkeypatch.setattr(game, "run_years", held)

    def press():
        try:
            outcomes.append(room.advance(sid, 1)["round"])
        except ClassroomError as e:
            outcomes.append(e.status)

    first, second = threading.Thread(target=press), threading.Thread(target=press)
    first.start()
    assert inside.wait(10)
    second.start()
    time.sleep(0.2)  # the second press reaches the session while the first is simulating
    release.set()
    for t in (first, second):
        t.join(timeout=60)
    assert sorted(outcomes) == [1, 409]
    assert room.state(sid)["round"] == 1


def test_a_stale_submission_says_what_happened(round_one):
    with pytest.raises(ClassroomError, match=r"round 1 is closed.*round 2 is open") as info:
        round_one.room.submit(round_one.codes["china"], 1, {"military_training": 10})
    assert info.value.status == 409
    assert round_one.room.state(round_one.sid)["version"] == round_one.after["version"]


def test_allocations_in_force_follow_the_rule(three_rounds):
    """Round 1 without a submission: the plan; later without one: the last submission kept."""
    rounds = three_rounds.room.allocations_in_force(three_rounds.sid, 2)  # China does not submit in round 2
    assert rounds[0]["china"]["source"] == "submitted" and rounds[1]["china"]["source"] == "kept"
    assert rounds[1]["china"]["allocation"]["military_training"] == 100
    assert rounds[0]["russia"]["source"] == "plan" and sum(rounds[0]["russia"]["allocation"].values()) > 0


def test_debrief_costs_count_what_was_in_force_against_the_plan(three_rounds):
    d = three_rounds.room.debrief(three_rounds.sid)
    by = {s["state"]: s for s in d["scores"]}
    assert by["china"]["cost_musd"] == pytest.approx(300)  # submitted once, kept in rounds 2 and 3
    # a team that never submitted spent exactly the plan: like for like, no fixed base spending
    assert by["russia"]["cost_musd"] == pytest.approx(by["russia"]["plan_musd"]) and by["russia"]["plan_musd"] > 0
    assert by["russia"]["cost_vs_plan_musd"] == pytest.approx(0)
    assert d["sources"]["china"] == ["submitted", "kept", "kept"]
    assert [r["musd"] for r in d["allocations"]["china"] if r["lever"] == "military_training"] == [[100, 100, 100]]
    assert d["labels"]["unrest_active_share"]["unit"] == "%"


def test_a_team_sees_what_happened_this_year(round_one):
    room, sid = round_one.room, round_one.sid
    assert round_one.before["pending_injects"] and "pending_injects" not in round_one.team_before
    y = room.state(sid, "tajikistan")["this_year"]
    assert y["year"] == 2022 and y["events"] == ["attack in Gorno-Badakhshan (GBAO)"]
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


def test_the_teacher_pin_is_kept_as_a_salted_scrypt_hash(tmp_path):
    store = Store(tmp_path / "c.sqlite")
    first = store.teacher_pin(None)  # a new file: a PIN is generated and shown once
    assert len(first) == 12 and set(first) <= set(PIN_ALPHABET)
    assert Store(tmp_path / "c.sqlite").teacher_pin(None) is None  # a restart keeps it (only its hash is stored)
    with store.transaction() as db:
        meta = {r["key"]: r["value"] for r in db.execute("SELECT key, value FROM meta")}
    assert first not in "".join(meta.values()) and meta["teacher_pin_hash"].startswith("scrypt$16384$8$1$")
    assert store.pin_matches(first.lower()) and not store.pin_matches(first[:-1])
    assert pin_hash(first) != pin_hash(first)  # salted: the same PIN never hashes alike twice


def test_a_pin_stored_in_plain_text_by_an_older_version_is_hashed(tmp_path):
    store = Store(tmp_path / "c.sqlite")
    store.meta_value("teacher_pin", "OLDPIN-2345")
    assert store.teacher_pin(None) is None and store.pin_matches("oldpin-2345")
    with store.transaction() as db:
        assert db.execute("SELECT value FROM meta WHERE key='teacher_pin'").fetchone() is None


def test_a_short_pin_is_refused_and_a_new_pin_ends_every_login(tmp_path):
    store = Store(tmp_path / "c.sqlite")
    with pytest.raises(ScenarioError, match="at least 8 characters"):
        store.teacher_pin("1234")
    assert store.teacher_pin("first-pin") == "first-pin"
    login, link = store.new_teacher_login(), store.new_teacher_link()
    assert store.teacher_pin("first-pin") == "first-pin" and store.teacher_login_valid(login)  # same PIN: kept
    store.teacher_pin("second-pin")
    assert not store.teacher_login_valid(login) and not store.use_teacher_link(link)
    assert store.pin_matches("second-pin") and not store.pin_matches("first-pin")


# ---------------------------------------------------------------------------- Advance and submissions race


def hold_the_simulation(monkeypatch):
    """Make Advance wait inside the simulation until released: (inside, release) events."""
    inside, release = threading.Event(), threading.Event()
    simulate_year = game.run_years

    def held(*args, **kwargs):
        inside.set()
        release.wait(20)
        return simulate_year(*args, **kwargs)

    monkeypatch.setattr(game, "run_years", held)
    return inside, release


def test_a_submission_during_advance_is_refused_and_the_past_never_changes(room, monkeypatch):
    sid, _ = prepared_session(room)
    c = codes(room, sid)
    room.submit(c["tajikistan"], 1, {"joint_border_patrols": 150})
    inside, release = hold_the_simulation(monkeypatch)
    done = []
    press = threading.Thread(target=lambda: done.append(room.advance(sid, 1)))
    press.start()
    assert inside.wait(20)
    assert room.state(sid)["running"] == 1
    with pytest.raises(ClassroomError, match=r"round 1 is being simulated now.*Nothing was saved") as info:
        room.submit(c["tajikistan"], 1, {"joint_border_patrols": 43})
    assert info.value.status == 409
    with pytest.raises(ClassroomError, match="being simulated") as info:
        room.submit(c["china"], 1, {"military_training": 10})  # a team that had not submitted either
    with pytest.raises(ClassroomError, match="being simulated"):
        room.inject(sid, "attack")
    release.set()
    press.join(60)
    after_one = done[0]
    assert after_one["round"] == 1 and after_one["running"] is None
    used = room.allocations_in_force(sid, 1)[0]
    assert (
        used["tajikistan"]["source"] == "submitted" and used["tajikistan"]["allocation"]["joint_border_patrols"] == 150
    )
    assert sum(used["tajikistan"]["allocation"].values()) == 150
    assert used["china"]["source"] == "plan"
    report = room.state(sid, "tajikistan")["this_year"]
    assert report["spending_total"] == pytest.approx(150) and "your submission" in report["spending_source"]
    debriefed = {r["lever"]: r["musd"] for r in room.debrief(sid)["allocations"]["tajikistan"]}
    assert debriefed["joint_border_patrols"] == [150.0]
    # whatever reaches the submissions table later, the round that ran keeps its inputs
    with room.store.transaction(write=True) as db:
        db.execute(
            "UPDATE submissions SET allocation_json=? WHERE state='tajikistan'",
            (json.dumps({"joint_border_patrols": 43}),),
        )
    monkeypatch.setattr(game, "run_years", simulate.run_years)
    after_two = room.advance(sid, 2)
    for name, series in after_one["played"]["yearly"].items():
        assert after_two["played"]["yearly"][name][0] == series[0], name  # 2022 unchanged, bit for bit
    assert room.allocations_in_force(sid, 1)[0]["tajikistan"]["allocation"]["joint_border_patrols"] == 150.0


def test_a_failed_simulation_opens_the_round_again(room, monkeypatch):
    sid, _ = prepared_session(room)
    c = codes(room, sid)

    def broken(*args, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(game, "run_years", broken)
    with pytest.raises(RuntimeError):
        room.advance(sid, 1)
    st = room.state(sid)
    assert st["round"] == 0 and st["running"] is None
    room.submit(c["china"], 1, {"military_training": 10})  # open again


def test_a_round_left_running_by_a_stopped_server_opens_again_at_restart(tmp_path, two_band_seeds):
    room = Classroom(tmp_path / "class.sqlite", EXERCISES)
    sid, _ = prepared_session(room)
    room._close_round(sid, 1)  # the server was killed while simulating round 1
    assert room.state(sid)["running"] == 1
    again = Classroom(tmp_path / "class.sqlite", EXERCISES)
    assert again.state(sid)["running"] is None and again.state(sid)["round"] == 0
    again.submit(codes(again, sid)["china"], 1, {"military_training": 10})
    assert again.advance(sid, 1)["round"] == 1
    assert again.allocations_in_force(sid, 1)[0]["china"]["source"] == "submitted"


def test_each_team_sees_what_its_own_choices_did_with_common_random_numbers(room):
    """China's counterfactual (its round-1 choices replaced by the plan) is exactly the session in
    which China sent nothing; a team that kept the plan needs no run; goals differ between teams."""
    sid, _ = prepared_session(room)
    c = codes(room, sid)
    room.submit(c["china"], 1, {"military_training": 100})
    room.submit(c["tajikistan"], 1, {"joint_border_patrols": 150})
    room.advance(sid, 1)
    assert room.state(sid, "china")["this_year"]["own_effect"] is None  # not computed yet
    counterfactual.compute(room, sid, 1)
    without_china, _ = prepared_session(room)
    room.submit(codes(room, without_china)["tajikistan"], 1, {"joint_border_patrols": 150})
    played_without = room.advance(without_china, 1)["played"]["yearly"]
    cf = counterfactual.stored(room, sid, 1, "china")
    assert cf["same_as_plan"] is False
    assert cf["yearly"] == {k: v[0] for k, v in played_without.items()}
    assert counterfactual.stored(room, sid, 1, "russia") == {"same_as_plan": True, "yearly": None}
    china = room.state(sid, "china")["this_year"]
    tajik = room.state(sid, "tajikistan")["this_year"]
    assert china["own_effect"].startswith("Against the same year re-run with the exercise's plan for your team")
    china_goals = [r["label"] for r in china["own_effect_rows"]]
    tajik_goals = [r["label"] for r in tajik["own_effect_rows"]]
    assert china_goals[0] == tajik_goals[0] == "Stability index" and set(china_goals) != set(tajik_goals)
    assert "changed nothing" in room.state(sid, "russia")["this_year"]["own_effect"]
    for r in china["own_effect_rows"]:  # each change judged against the noise band, and for China's goals
        assert r["words"] == "no change" or ("within noise" in r["words"]) == (r["better"] is None)


def test_a_difference_in_the_last_digits_is_no_change():
    from scenarios.web.classroom.scoring import change

    assert change("legitimacy", 0.9 + 1e-12, 0.9, 0.01)["words"] == "no change"
    assert change("legitimacy", 0.91, 0.9, 0.001)["words"] == "up 0.010 (+1 %)"


def test_band_bounds_come_from_the_outcome_units():
    """Bands are clipped to what an outcome can be: an index's scale, a share's [0, 1], else >= 0."""
    from scenarios.web.classroom.scoring import bounds, labels

    assert bounds("0-100") == (0.0, 100.0) and bounds("0-1") == (0.0, 1.0) and bounds("share") == (0.0, 1.0)
    assert bounds("persons/week") == (0.0, None)
    lab = labels()
    assert (lab["casualties"]["min"], lab["casualties"]["max"]) == (0.0, None)
    assert (lab["stability_index"]["min"], lab["stability_index"]["max"]) == (0.0, 100.0)
