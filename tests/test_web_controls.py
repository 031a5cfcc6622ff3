"""The teacher's controls over HTTP: the clock, cancelling an inject, undo, resetting a team, archive
and delete, the session list with dates and the exercises shortest first.

In-process (TestClient); the session that plays rounds is prepared (baseline and band stored).
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from helpers import CONFIGS, prepare

from scenarios.web.app import create_app

PIN = "controls-5"
ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def teacher(tmp_path, two_band_seeds):
    t = TestClient(create_app(tmp_path / "c.sqlite", CONFIGS, PIN), headers=ORIGIN)
    assert t.post("/teacher/login", data={"pin": PIN}, follow_redirects=False).status_code == 303
    return t


def new_session(teacher, label="9A", prepared=False):
    r = teacher.post(
        "/teacher/sessions", data={"exercise": "short_border_pressure", "label": label}, follow_redirects=False
    )
    sid = r.headers["location"].rsplit("/", 1)[1]
    if prepared:
        prepare(teacher.app.state.room, sid)
    return sid, {t.state: t.code for t in teacher.app.state.room.teams(sid)}


def clock(teacher, sid, action, minutes=0):
    return teacher.post(f"/api/session/{sid}/clock", json={"action": action, "minutes": minutes})


def test_the_clock_starts_pauses_resumes_extends_and_locks_at_zero(teacher):
    sid, codes = new_session(teacher)
    st = teacher.get(f"/api/session/{sid}/state").json()
    assert st["clock"]["deadline"] is None  # not at creation: the teacher starts it
    assert clock(teacher, sid, "pause").status_code == 409
    r = clock(teacher, sid, "start")
    deadline = r.json()["state"]["clock"]["deadline"]
    assert r.status_code == 200 and deadline == pytest.approx(time.time() + 12 * 60, abs=5)
    paused = clock(teacher, sid, "pause").json()["state"]["clock"]
    assert paused["deadline"] is None and paused["paused_left"] == pytest.approx(12 * 60, abs=5)
    assert clock(teacher, sid, "extend", 3).json()["state"]["clock"]["paused_left"] == pytest.approx(15 * 60, abs=5)
    resumed = clock(teacher, sid, "resume").json()["state"]["clock"]
    assert resumed["deadline"] == pytest.approx(time.time() + 15 * 60, abs=5) and resumed["paused_left"] is None
    assert clock(teacher, sid, "extend", 61).status_code == 400
    assert clock(teacher, sid, "rewind").status_code == 400
    # the team page sees the clock (students see the countdown)
    team = TestClient(teacher.app, headers=ORIGIN)
    assert team.get(f"/api/team/{codes['china']}/state").json()["clock"]["deadline"] == resumed["deadline"]
    assert 'id="countdown"' in team.get(f"/team/{codes['china']}").text
    # time up with the lock on: submissions refused; without it: accepted
    room = teacher.app.state.room
    with room.store.transaction(write=True) as db:
        db.execute("UPDATE sessions SET deadline=? WHERE id=?", (time.time() - 1, sid))
    assert team.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {}}).status_code == 200
    assert clock(teacher, sid, "lock").json()["state"]["clock"]["lock_at_zero"] is True
    r = team.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {}})
    assert r.status_code == 409 and "time is up" in r.json()["error"]
    extended = clock(teacher, sid, "extend", 2).json()["state"]["clock"]  # time up: extends from now
    assert extended["deadline"] == pytest.approx(time.time() + 120, abs=5)
    assert team.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {}}).status_code == 200


def test_a_pending_inject_can_be_cancelled_but_not_a_played_one(teacher):
    sid, _ = new_session(teacher, prepared=True)
    teacher.post(f"/api/session/{sid}/inject", json={"kind": "attack", "region": "gbao"})
    st = teacher.post(f"/api/session/{sid}/inject", json={"kind": "attack"}).json()["state"]
    first, second = (i["id"] for i in st["pending_injects"])
    r = teacher.post(f"/api/session/{sid}/inject/{first}/cancel")
    assert r.status_code == 200 and [i["id"] for i in r.json()["state"]["pending_injects"]] == [second]
    assert teacher.post(f"/api/session/{sid}/inject/{first}/cancel").status_code == 404
    teacher.post(f"/api/session/{sid}/advance", json={"round": 1})
    assert teacher.get(f"/api/session/{sid}/state").json()["last_injects"][0]["region"] is None
    r = teacher.post(f"/api/session/{sid}/inject/{second}/cancel")
    assert r.status_code == 409 and "already taken effect" in r.json()["error"]


def test_undo_the_last_round_reopens_it_and_a_rerun_gives_the_same_year(teacher):
    sid, codes = new_session(teacher, prepared=True)
    team = TestClient(teacher.app, headers=ORIGIN)
    team.get(f"/team/{codes['china']}")
    team.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {"military_training": 60}})
    one = teacher.post(f"/api/session/{sid}/advance", json={"round": 1}).json()["state"]
    assert teacher.post(f"/api/session/{sid}/undo", json={"round": 2}).status_code == 409  # not the last played
    r = teacher.post(f"/api/session/{sid}/undo", json={"round": 1})
    st = r.json()["state"]
    assert r.status_code == 200 and st["round"] == 0 and st["open_round"] == 1 and st["played"] is None
    assert {t["state"]: t["submitted"] for t in st["teams"]}["china"]  # its submission is back, open again
    assert teacher.post(f"/api/session/{sid}/undo", json={"round": 1}).status_code == 409  # nothing played
    again = teacher.post(f"/api/session/{sid}/advance", json={"round": 1}).json()["state"]
    assert again["played"] == one["played"]


def test_reset_a_team_frees_its_code_and_drops_its_open_submission(teacher):
    sid, codes = new_session(teacher)
    phone = TestClient(teacher.app, headers=ORIGIN)
    phone.get(f"/team/{codes['russia']}")
    phone.post(f"/api/team/{codes['russia']}/submit", json={"round": 1, "allocation": {}})
    r = teacher.post(f"/api/session/{sid}/team/russia", json={"action": "reset"})
    team = {t["state"]: t for t in r.json()["state"]["teams"]}["russia"]
    assert r.status_code == 200 and not team["joined"] and not team["submitted"]
    other = TestClient(teacher.app, headers=ORIGIN)
    other.get(f"/team/{codes['russia']}")
    assert other.post(f"/api/team/{codes['russia']}/submit", json={"round": 1, "allocation": {}}).status_code == 200


def test_sessions_are_listed_with_dates_archived_and_deleted(teacher):
    keep, _ = new_session(teacher, label="Keep me")
    old, codes = new_session(teacher, label="Old class")
    page = teacher.get("/teacher").text
    assert time.strftime("%Y-%m-%d") in page and "Keep me" in page
    assert teacher.post(f"/teacher/session/{old}/archive", follow_redirects=False).status_code == 303
    page = teacher.get("/teacher").text
    active = page[page.index('id="h-sessions"') : page.index('id="h-archive"')]
    assert "Keep me" in active and "Old class" not in active and "Old class" in page[page.index('id="h-archive"') :]
    r = teacher.post(f"/teacher/session/{old}/delete", data={"confirm": "wrong"})
    assert r.status_code == 400 and "type its label exactly" in r.text
    assert teacher.post(f"/teacher/session/{old}/delete", data={"confirm": "Old class"}).status_code == 200
    assert teacher.get(f"/api/session/{old}/state").status_code == 404
    assert TestClient(teacher.app).get(f"/team/{codes['china']}").status_code == 404
    assert teacher.get(f"/api/session/{keep}/state").status_code == 200
    anon = TestClient(teacher.app, headers=ORIGIN)
    assert anon.post(f"/teacher/session/{keep}/delete", data={"confirm": "Keep me"}).status_code == 403


def test_the_shortest_exercise_is_listed_first(teacher):
    page = teacher.get("/teacher").text
    select = page[page.index('<select name="exercise"') : page.index("</select>")]
    names = [chunk.split('"')[0] for chunk in select.split('<option value="')[1:]]
    assert names[0] == "short_border_pressure" and names[-1] == "long_decade"
