"""An Advance continues the model of the round before (a snapshot) instead of replaying the session:
the numbers must be those of a replay, bit for bit, every outcome and round, counterfactuals
included, also after a restart, an undo or a session pushed out of the cache (then it replays)."""

from __future__ import annotations

import copy

import pytest
from helpers import CONFIGS, prepared_session, tiny

from scenarios.model import SecurityModel
from scenarios.model.resume import PastChanged, replace_inputs
from scenarios.spec.config import scenario_dict, validate_data
from scenarios.web.classroom import Classroom, controls, counterfactual, game
from scenarios.web.classroom.snapshots import Snapshots

EXERCISES = CONFIGS / "exercises"
TEAMS = ("china", "tajikistan", "russia")
CHOICES = {  # round -> team -> allocation (USD M); injects of three kinds (one per round)
    1: {"china": {"joint_border_patrols": 200, "military_training": 100}, "tajikistan": {"joint_border_patrols": 150}},
    2: {"china": {"intelligence_sharing": 9, "infrastructure_investment": 300}, "russia": {"military_training": 60}},
    3: {"tajikistan": {"surveillance_systems": 80}},
}
INJECTS = {1: ("attack", {"region": "gbao"}), 2: ("crackdown", {}), 3: ("afghan_collapse", {})}


@pytest.fixture
def starts(monkeypatch):
    """Records, per simulation, whether it continued a snapshot (True) or replayed (False)."""
    seen: list[tuple[int, bool]] = []
    real = game.run_years

    def spy(cfg, seed, years, *args, **kwargs):
        seen.append((years, kwargs.get("start") is not None))
        return real(cfg, seed, years, *args, **kwargs)

    monkeypatch.setattr(game, "run_years", spy)
    return seen


def play(room, sid, round_):
    codes = {t.state: t.code for t in room.teams(sid)}
    for state, alloc in CHOICES[round_].items():
        room.submit(codes[state], round_, alloc)
    kind, where = INJECTS[round_]
    room.inject(sid, kind, **where)
    room.advance(sid, round_)
    counterfactual.compute(room, sid, round_)


def outcomes(room, sid, round_):
    """Everything a round stored: the played series and every team's counterfactual."""
    st = room.state(sid)
    return st["played"], {s: counterfactual.stored(room, sid, round_, s) for s in TEAMS}


@pytest.fixture(scope="module")
def replayed(tmp_path_factory, two_band_seeds):
    """The reference of the two tests below: a session of seed 11 played three rounds by a room that
    keeps no snapshot (every Advance and counterfactual replays from the start), with what each
    round stored. The first test only reads the stored outcomes; the second then undoes rounds 3 and
    2 of this room and plays them again (one replayed session serves both)."""
    room = Classroom(tmp_path_factory.mktemp("replayed") / "replayed.sqlite", EXERCISES, snapshot_sessions=0)
    sid, _ = prepared_session(room, seed=11)
    stored = {}
    for r in (1, 2, 3):
        play(room, sid, r)
        stored[r] = outcomes(room, sid, r)
    return room, sid, stored


def test_rounds_continued_from_snapshots_equal_a_replay_every_outcome_every_round(
    tmp_path, two_band_seeds, starts, replayed
):
    replay_room, _, reference = replayed
    kept = Classroom(tmp_path / "kept.sqlite", EXERCISES)
    a, _ = prepared_session(kept, seed=11)
    for r in (1, 2, 3):
        play(kept, a, r)
        played_a, cf_a = outcomes(kept, a, r)
        played_b, cf_b = reference[r]
        assert played_a == played_b, r  # every outcome, region, segment and spending, every year so far
        assert cf_a == cf_b, r
        assert any(v["yearly"] is not None for v in cf_a.values())  # some team's counterfactual was run
    # the kept room continued rounds 2 and 3 and their counterfactuals; the other replayed them all
    assert starts.count((1, True)) == 0
    continued = [years for years, resumed in starts if resumed]
    assert continued.count(2) >= 2 and continued.count(3) >= 2
    assert kept.snapshots.count() == 2 and replay_room.snapshots.count() == 0


def test_after_a_restart_or_an_undo_the_round_is_replayed_and_gives_the_same_numbers(
    tmp_path, two_band_seeds, starts, replayed
):
    reference, ref, stored = replayed
    room = Classroom(tmp_path / "class.sqlite", EXERCISES)
    sid, _ = prepared_session(room, seed=11)
    play(room, sid, 1)
    restarted = Classroom(tmp_path / "class.sqlite", EXERCISES)  # a new server on the same file: no snapshot
    starts.clear()
    play(restarted, sid, 2)
    assert starts and not any(resumed for _, resumed in starts)  # replayed
    assert outcomes(restarted, sid, 2) == stored[2]
    # undo round 2 and play it with other choices: the kept snapshot of round 2 no longer fits (the
    # reference, three rounds on, first undoes its round 3, keeping that round's choice and inject)
    controls.undo_last_round(reference, ref, 3)
    controls.undo_last_round(restarted, sid, 2)
    controls.undo_last_round(reference, ref, 2)
    for room_, s in ((restarted, sid), (reference, ref)):
        code = {t.state: t.code for t in room_.teams(s)}["china"]
        room_.submit(code, 2, {"military_training": 40})
    starts.clear()
    restarted.advance(sid, 2)
    reference.advance(ref, 2)
    assert starts == [(2, False), (2, False)]  # replayed (no round 1 snapshot since the restart)
    assert restarted.state(sid)["played"] == reference.state(ref)["played"]
    starts.clear()
    play(restarted, sid, 3)
    reference.advance(ref, 3)  # round 3's choice and inject are still stored from before the undo
    counterfactual.compute(reference, ref, 3)
    assert (3, True) in starts  # continued the round 2 played after the undo, not the one undone
    assert outcomes(restarted, sid, 3) == outcomes(reference, ref, 3)


def test_memory_is_bounded_by_sessions_and_rounds():
    kept = Snapshots(sessions=2)
    for sid in ("a", "b", "c"):
        for r in (1, 2, 3):
            kept.put(sid, r, f"{sid}{r}", object())
    assert kept.count() == 4  # sessions b and c, rounds 2 and 3 each
    assert kept.get("a", 3, "a3") is None and kept.get("c", 3, "c3") is not None
    assert kept.get("c", 3, "other inputs") is None  # a key that does not match is no snapshot
    assert kept.get("c", 1, "c1") is None
    kept.drop("c")
    assert kept.count() == 2
    off = Snapshots(sessions=0)
    off.put("a", 1, "a1", object())
    assert off.count() == 0


def two_years(**levers):
    return tiny(years=2, states={"china": {"levers": levers}} if levers else {})


def test_replace_inputs_continues_exactly_and_refuses_a_changed_past():
    plan = two_years(joint_border_patrols={"2021": 0.2})
    changed = two_years(joint_border_patrols={"2021": 0.2, "2022": 0.9})
    half = SecurityModel(plan, 3)
    half.advance(52)
    resumed = copy.deepcopy(half)
    replace_inputs(resumed, SecurityModel(changed, 3))
    resumed.advance(52)
    whole = SecurityModel(changed, 3)
    whole.advance(104)
    a, b = resumed.data().timeseries, whole.data().timeseries
    assert all((a[k] == b[k]).all() for k in b)
    unchanged = SecurityModel(plan, 3)
    unchanged.advance(104)
    before = unchanged.data().timeseries
    assert any(not (before[k] == b[k]).all() for k in b)  # the new input of year 2 did change year 2
    with pytest.raises(PastChanged, match="plan of china differs in a week already run"):
        replace_inputs(copy.deepcopy(half), SecurityModel(two_years(joint_border_patrols={"2021": 0.5}), 3))
    other = scenario_dict(plan)
    other["parameters"]["unrest_recruitment"] = 0.0
    with pytest.raises(PastChanged, match="parameters differ"):
        replace_inputs(copy.deepcopy(half), SecurityModel(validate_data(other), 3))
    with pytest.raises(PastChanged, match="seeds differ"):
        replace_inputs(copy.deepcopy(half), SecurityModel(plan, 4))


def test_first_difference_is_the_first_week_whose_inputs_differ():
    from scenarios.model.resume import first_difference

    plan = SecurityModel(two_years(joint_border_patrols={"2021": 0.2}), 3)
    burn_in = plan.burn_in
    assert first_difference(plan, SecurityModel(two_years(joint_border_patrols={"2021": 0.2}), 9)) == plan.n_total
    raised = SecurityModel(two_years(joint_border_patrols={"2021": 0.2, "2022": 0.9}), 3)
    assert first_difference(plan, raised) == first_difference(raised, plan) == burn_in + 52  # the plan of 2022
    injected = scenario_dict(two_years(joint_border_patrols={"2021": 0.2}))
    injected["events"] = [{"when": "2021-03", "kind": "attack", "region": "south"}]
    attack = SecurityModel(validate_data(injected), 3)
    assert burn_in + 8 <= first_difference(plan, attack) < burn_in + 13  # an attack injected in March 2021
    # the latest week a copy of one can take the other's inputs: replace_inputs refuses one week later
    half = SecurityModel(two_years(joint_border_patrols={"2021": 0.2}), 3)
    half.advance(52)
    half.step()
    with pytest.raises(PastChanged):
        replace_inputs(half, raised)
