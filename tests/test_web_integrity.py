"""Over HTTP: a round never loses a choice, a code stays with its device, the teacher's controls.

In-process (FastAPI's TestClient); each TestClient is one browser (its own cookie jar). Sessions
are prepared (baseline and noise band stored) and measure their band on 2 seeds.
"""

from __future__ import annotations

import threading

import pytest
from fastapi.testclient import TestClient
from helpers import CONFIGS, prepare

from scenarios.web.app import create_app
from scenarios.web.classroom import game

PIN = "integrity-9"
ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def app(tmp_path, two_band_seeds):
    return create_app(tmp_path / "c.sqlite", CONFIGS, PIN)


def browser(app):
    """A new browser (its own cookies) whose POSTs carry this server's Origin."""
    return TestClient(app, headers=ORIGIN)


@pytest.fixture
def teacher(app):
    t = browser(app)
    assert t.post("/teacher/login", data={"pin": PIN}, follow_redirects=False).status_code == 303
    return t


def new_session(teacher, exercise="short_border_pressure"):
    r = teacher.post("/teacher/sessions", data={"exercise": exercise, "label": "9A"}, follow_redirects=False)
    sid = r.headers["location"].rsplit("/", 1)[1]
    prepare(teacher.app.state.room, sid)
    return sid, {t.state: t.code for t in teacher.app.state.room.teams(sid)}


def joined(app, code):
    """A phone that opened the team's page (and so claimed the code, if nobody had)."""
    phone = browser(app)
    assert phone.get(f"/team/{code}").status_code == 200
    return phone


# ---------------------------------------------------------------------------- the race


def test_a_submission_during_advance_gets_409_and_the_round_uses_what_came_before(app, teacher, monkeypatch):
    sid, codes = new_session(teacher)
    phone = joined(app, codes["tajikistan"])
    r = phone.post(
        f"/api/team/{codes['tajikistan']}/submit", json={"round": 1, "allocation": {"joint_border_patrols": 50}}
    )
    assert r.status_code == 200 and r.json()["saved"]["joint_border_patrols"] == 50 and r.json()["total_musd"] == 50
    inside, release = threading.Event(), threading.Event()
    real = game.run_years

    def held(*args, **kwargs):
        inside.set()
        release.wait(20)
        return real(*args, **kwargs)

    monkeypatch.setattr(game, "run_years", held)
    answers = []
    press = threading.Thread(
        target=lambda: answers.append(teacher.post(f"/api/session/{sid}/advance", json={"round": 1}))
    )
    press.start()
    assert inside.wait(20)
    late = phone.post(
        f"/api/team/{codes['tajikistan']}/submit", json={"round": 1, "allocation": {"joint_border_patrols": 43}}
    )
    assert late.status_code == 409 and "being simulated" in late.json()["error"]
    assert phone.get(f"/api/team/{codes['tajikistan']}/state").json()["running"] == 1
    inject = teacher.post(f"/api/session/{sid}/inject", json={"kind": "attack"})
    assert inject.status_code == 409
    release.set()
    press.join(60)
    assert answers[0].status_code == 200
    report = phone.get(f"/api/team/{codes['tajikistan']}/state").json()["this_year"]
    assert report["spending_total"] == pytest.approx(50)  # what the model used: the submission before Advance
    assert {s["lever"]: s["musd"] for s in report["spending"]}["joint_border_patrols"] == 50
    monkeypatch.setattr(game, "run_years", real)
    first = teacher.get(f"/api/session/{sid}/state").json()["played"]["yearly"]
    assert teacher.post(f"/api/session/{sid}/advance", json={"round": 2}).status_code == 200
    second = teacher.get(f"/api/session/{sid}/state").json()["played"]["yearly"]
    assert all(second[k][0] == v[0] for k, v in first.items())  # the past never changes
    csv_text = teacher.get(f"/debrief/{sid}/export.csv").text
    assert "tajikistan,joint_border_patrols,Coordinated border patrols,1,2022,50.0,submitted" in csv_text
    log = teacher.get(f"/api/session/{sid}/log").json()["log"]
    assert [(e["round"], e["status"]) for e in log] == [(1, 200), (1, 409)]
    assert log[0]["device"] == log[1]["device"] != ""


# ---------------------------------------------------------------------------- a code stays with its team


def test_the_first_device_claims_a_code_and_another_only_views(app, teacher):
    sid, codes = new_session(teacher)
    code = codes["tajikistan"]
    owner = joined(app, code)
    intruder = browser(app)
    page = intruder.get(f"/team/{code}")
    assert page.status_code == 200 and "read-only" in page.text
    assert intruder.get(f"/api/team/{code}/state").json()["read_only"] is True
    r = intruder.post(f"/api/team/{code}/submit", json={"round": 1, "allocation": {"joint_border_patrols": 10}})
    assert r.status_code == 403 and "another device" in r.json()["error"]
    ok = owner.post(f"/api/team/{code}/submit", json={"round": 1, "allocation": {"joint_border_patrols": 20}})
    assert ok.status_code == 200 and owner.get(f"/api/team/{code}/state").json()["read_only"] is False
    assert owner.get(f"/api/team/{code}/state").json()["my_allocation"]["joint_border_patrols"] == 20
    # a made-up device cookie is no device: still read-only
    forged = TestClient(app, headers=ORIGIN, cookies={"device": "abc.def"})
    assert forged.post(f"/api/team/{code}/submit", json={"round": 1, "allocation": {}}).status_code == 403
    teams = {t["state"]: t for t in teacher.get(f"/api/session/{sid}/state").json()["teams"]}
    assert teams["tajikistan"]["joined"] and teams["tajikistan"]["submitted"] and not teams["russia"]["joined"]
    log = teacher.get(f"/api/session/{sid}/log").json()["log"]
    assert [e["status"] for e in log] == [403, 200, 403] and len({e["device"] for e in log}) == 3


def test_the_teacher_releases_or_reissues_a_code(app, teacher):
    sid, codes = new_session(teacher)
    code = codes["china"]
    first = joined(app, code)
    second = browser(app)
    second.get(f"/team/{code}")
    assert teacher.post(f"/api/session/{sid}/team/china", json={"action": "release"}).status_code == 200
    second.get(f"/team/{code}")  # the next device to open it claims it
    assert second.post(f"/api/team/{code}/submit", json={"round": 1, "allocation": {}}).status_code == 200
    assert first.post(f"/api/team/{code}/submit", json={"round": 1, "allocation": {}}).status_code == 403
    r = teacher.post(f"/api/session/{sid}/team/china", json={"action": "reissue"})
    new = r.json()["code"].replace("-", "")
    assert r.status_code == 200 and new != code
    assert second.get(f"/api/team/{code}/state").status_code == 404  # the old code is dead
    assert joined(app, new).post(f"/api/team/{new}/submit", json={"round": 1, "allocation": {}}).status_code == 200
    assert teacher.post(f"/api/session/{sid}/team/nobody", json={"action": "release"}).status_code == 404
    assert teacher.post(f"/api/session/{sid}/team/china", json={"action": "steal"}).status_code == 400
    assert browser(app).post(f"/api/session/{sid}/team/china", json={"action": "release"}).status_code == 403


def test_a_team_sees_other_teams_allocations_only_after_the_game(app, teacher):
    sid, codes = new_session(teacher)
    joined(app, codes["china"])
    teacher.post(f"/api/session/{sid}/advance", json={"round": 1})
    team = browser(app)
    mid = team.get(f"/debrief/{sid}?code={codes['china']}")
    assert mid.status_code == 200 and "Your team's allocations only" in mid.text
    assert 'data-state="china"' in mid.text and 'data-state="russia"' not in mid.text
    csv_mid = team.get(f"/debrief/{sid}/export.csv?code={codes['china']}").text
    assert "\nchina," in csv_mid and "\nrussia," not in csv_mid
    assert 'data-state="russia"' in teacher.get(f"/debrief/{sid}").text  # the teacher sees every team
    for r in (2, 3):
        teacher.post(f"/api/session/{sid}/advance", json={"round": r})
    after = team.get(f"/debrief/{sid}?code={codes['china']}").text
    assert 'data-state="russia"' in after and "Your team's allocations only" not in after


def test_after_advance_each_team_page_and_the_debrief_show_what_its_own_choices_did(app, teacher):
    sid, codes = new_session(teacher)
    phone = joined(app, codes["china"])
    phone.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {"military_training": 100}})
    teacher.post(f"/api/session/{sid}/advance", json={"round": 1})  # counterfactuals run after the answer
    effect = phone.get(f"/api/team/{codes['china']}/state").json()["this_year"]["own_effect"]
    assert effect.startswith("Against the same year re-run with the exercise's plan") and "Stability index" in effect
    page = teacher.get(f"/debrief/{sid}").text
    table = page[page.index('id="own-effects"') :]
    china = table[table.index('data-state="china"') : table.index("</tr>", table.index('data-state="china"'))]
    russia = table[table.index('data-state="russia"') : table.index("</tr>", table.index('data-state="russia"'))]
    assert "Stability index:" in china and "kept the plan" in russia
    own = browser(app).get(f"/debrief/{sid}?code={codes['russia']}").text
    assert 'id="own-effects"' in own and 'data-state="china"' not in own  # mid-game: its own row only


# ---------------------------------------------------------------------------- negotiation


def test_a_deal_between_two_teams_becomes_both_allocations_and_binds_them(app, teacher):
    sid, codes = new_session(teacher)
    china, tajik = joined(app, codes["china"]), joined(app, codes["tajikistan"])
    offer = {"to": "tajikistan", "give_lever": "surveillance_systems", "give_musd": 40}
    r = china.post(
        f"/api/team/{codes['china']}/propose", json=offer | {"ask_lever": "joint_border_patrols", "ask_musd": 20}
    )
    assert r.status_code == 200
    pid = r.json()["id"]
    seen = tajik.get(f"/api/team/{codes['tajikistan']}/state").json()["proposals"]
    assert [(p["id"], p["status"]) for p in seen] == [(pid, "pending")]
    assert seen[0]["words"] == (
        "China puts 40 USD M on border surveillance and monitoring systems if Tajikistan puts at least 20 USD M"
        " on coordinated border patrols"
    )
    assert "proposals" in teacher.get(f"/api/session/{sid}/state").json()
    russia = joined(app, codes["russia"])
    assert russia.get(f"/api/team/{codes['russia']}/state").json()["proposals"] == []  # not a party
    assert russia.post(f"/api/team/{codes['russia']}/proposal/{pid}", json={"action": "accept"}).status_code == 404
    assert china.post(f"/api/team/{codes['china']}/proposal/{pid}", json={"action": "accept"}).status_code == 404
    before = china.get(f"/api/team/{codes['china']}/state").json()["my_allocation"]["surveillance_systems"]
    r = tajik.post(f"/api/team/{codes['tajikistan']}/proposal/{pid}", json={"action": "accept"})
    assert r.status_code == 200 and r.json()["state"]["my_allocation"]["joint_border_patrols"] >= 20
    st = china.get(f"/api/team/{codes['china']}/state").json()
    assert st["my_allocation"]["surveillance_systems"] == pytest.approx(before + 40) and st["my_submitted"]
    assert tajik.post(f"/api/team/{codes['tajikistan']}/proposal/{pid}", json={"action": "reject"}).status_code == 409
    # the deal binds for the rest of the round: going below it is refused with the deal named
    low = china.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {"surveillance_systems": 5}})
    assert low.status_code == 409 and f"deal {pid}" in low.json()["error"]
    teacher.post(f"/api/session/{sid}/advance", json={"round": 1})
    used = teacher.app.state.room.allocations_in_force(sid, 1)[0]
    assert used["tajikistan"]["allocation"]["joint_border_patrols"] >= 20
    assert used["china"]["allocation"]["surveillance_systems"] == pytest.approx(before + 40)
    d = teacher.get(f"/debrief/{sid}").text
    assert 'id="deals"' in d and "accepted" in d and "China puts 40 USD M" in d


def test_bad_proposals_get_every_problem_at_once_and_a_deal_must_fit_the_budgets(app, teacher):
    sid, codes = new_session(teacher)
    china, russia = joined(app, codes["china"]), joined(app, codes["russia"])
    r = china.post(
        f"/api/team/{codes['china']}/propose",
        json={"to": "china", "give_lever": "teleport", "give_musd": 1e9, "ask_lever": "x"},
    )
    err = r.json()["error"]
    assert r.status_code == 400 and "not another team" in err and "not a lever of china" in err
    assert "at most your budget" in err and "give both" in err
    budget = teacher.app.state.room.scenario(sid).exercise.teams["china"].budget_musd
    r = china.post(
        f"/api/team/{codes['china']}/propose", json={"to": "russia", "give_lever": "financial_aid", "give_musd": budget}
    )
    pid = r.json()["id"]  # a gift of the whole budget: it cannot fit on top of China's plan
    r = russia.post(f"/api/team/{codes['russia']}/proposal/{pid}", json={"action": "accept"})
    assert r.status_code == 409 and "does not fit" in r.json()["error"] and "over the budget" in r.json()["error"]
    assert not china.get(f"/api/team/{codes['china']}/state").json()["my_submitted"]  # nothing changed
    assert china.post(f"/api/team/{codes['china']}/proposal/{pid}", json={"action": "withdraw"}).status_code == 200
    for _ in range(5):
        china.post(
            f"/api/team/{codes['china']}/propose", json={"to": "russia", "give_lever": "financial_aid", "give_musd": 1}
        )
    r = china.post(
        f"/api/team/{codes['china']}/propose", json={"to": "russia", "give_lever": "financial_aid", "give_musd": 1}
    )
    assert r.status_code == 429 and "at most 5 pending" in r.json()["error"]
    viewer = browser(app)  # a device that does not hold China's code cannot propose
    r = viewer.post(
        f"/api/team/{codes['china']}/propose", json={"to": "russia", "give_lever": "financial_aid", "give_musd": 1}
    )
    assert r.status_code == 403
    teacher.post(f"/api/session/{sid}/advance", json={"round": 1})
    statuses = {p["status"] for p in china.get(f"/api/team/{codes['china']}/state").json()["proposals"]}
    assert statuses == {"withdrawn", "expired"}  # pending proposals expire when the round runs
