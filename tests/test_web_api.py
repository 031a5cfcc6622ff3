"""The HTTP API and pages in-process: the class flow, access control, every bad request, escaping."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from helpers import CONFIGS

from scenarios.web.app import create_app

PIN = "4321"


@pytest.fixture
def client(tmp_path):
    return TestClient(create_app(tmp_path / "c.sqlite", CONFIGS, PIN))


@pytest.fixture
def teacher(client):
    r = client.post("/teacher/login", data={"pin": PIN}, follow_redirects=False)
    assert r.status_code == 303 and "teacher" in r.cookies
    return client


def new_session(teacher, label="Class 9A"):
    r = teacher.post(
        "/teacher/sessions", data={"exercise": "short_border_pressure", "label": label}, follow_redirects=False
    )
    assert r.status_code == 303
    sid = r.headers["location"].rsplit("/", 1)[1]
    codes = {t.state: t.code for t in teacher.app.state.room.teams(sid)}
    return sid, codes


def test_pages_render_and_assets_are_local(client):
    for path in ("/", "/teacher", "/explore", "/static/app.js", "/static/style.css", "/static/vendor/plotly.min.js"):
        r = client.get(path)
        assert r.status_code == 200, path
    assert len(client.get("/static/vendor/plotly.min.js").content) > 1_000_000
    for path in ("/", "/explore"):
        html = client.get(path).text
        srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert srcs and all(s.startswith("/") for s in srcs), srcs
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_teacher_actions_need_the_pin(client):
    assert "PIN" in client.get("/teacher").text
    assert client.post("/teacher/login", data={"pin": "0000"}).status_code == 403
    assert client.post("/teacher/sessions", data={"exercise": "short_border_pressure"}).status_code == 403
    assert client.post("/api/session/x/advance").status_code == 403
    assert client.get("/api/session/x/state").status_code == 403
    # the header works for scripts
    r = client.post(
        "/teacher/sessions",
        data={"exercise": "short_border_pressure"},
        headers={"x-teacher-pin": PIN},
        follow_redirects=False,
    )
    assert r.status_code == 303


def test_a_round_over_http(teacher):
    sid, codes = new_session(teacher)
    team = teacher.get(f"/team/{codes['china']}")
    assert team.status_code == 200 and "Intelligence sharing" in team.text and "unverified" in team.text
    r = teacher.post(
        f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {"joint_border_patrols": 100.0}}
    )
    assert r.status_code == 200 and r.json()["ok"]
    st = teacher.get(f"/api/session/{sid}/state").json()
    assert {t["state"]: t["submitted"] for t in st["teams"]}["china"] is True
    assert teacher.post(f"/api/session/{sid}/inject", json={"kind": "attack", "region": "khatlon"}).status_code == 200
    r = teacher.post(f"/api/session/{sid}/advance")
    assert r.status_code == 200 and r.json()["state"]["round"] == 1
    assert teacher.get(f"/api/team/{codes['russia']}/state").json()["round"] == 1
    assert teacher.get(f"/debrief/{sid}").status_code == 200
    csv_text = teacher.get(f"/debrief/{sid}/export.csv").text
    assert csv_text.startswith("year,outcome,session,baseline") and "stability_index" in csv_text
    exported = teacher.get(f"/debrief/{sid}/export.html").text
    assert "data:image/png;base64" in exported and "<script" not in exported


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        (
            {"round": 1, "allocation": {"joint_border_patrols": 200, "infrastructure_investment": 400}},
            400,
            "over the budget",
        ),
        ({"round": 1, "allocation": {"teleportation": 1}}, 400, "not a lever of china"),
        ({"round": 2, "allocation": {}}, 409, "not open"),
        ({"round": 1, "allocation": {"military_training": -1}}, 400, "non-negative"),
        ({"round": 1, "allocation": {"military_training": "lots"}}, 400, "allocation.military_training"),
        ({"round": 1}, 400, "allocation"),
        ({"round": 1, "allocation": {}, "extra": 1}, 400, "extra"),
        ({"round": "one", "allocation": {}}, 400, "round"),
    ],
)
def test_bad_submissions_get_clear_errors_and_change_nothing(teacher, body, status, text):
    sid, codes = new_session(teacher)
    before = teacher.get(f"/api/session/{sid}/state").json()["version"]
    r = teacher.post(f"/api/team/{codes['china']}/submit", json=body)
    assert r.status_code == status and text in r.json()["error"], r.json()
    assert teacher.get(f"/api/session/{sid}/state").json()["version"] == before


def test_non_json_and_nan_bodies(teacher):
    _, codes = new_session(teacher)
    r = teacher.post(
        f"/api/team/{codes['china']}/submit", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400 and "error" in r.json()
    r = teacher.post(
        f"/api/team/{codes['china']}/submit",
        content=b'{"round": 1, "allocation": {"military_training": NaN}}',
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 400


def test_unknown_code_session_and_inject(teacher):
    sid, _ = new_session(teacher)
    assert teacher.get("/team/nope").status_code == 404
    assert teacher.post("/api/team/nope/submit", json={"round": 1, "allocation": {}}).status_code == 404
    assert teacher.get("/api/session/nope/state").status_code == 404
    r = teacher.post(f"/api/session/{sid}/inject", json={"kind": "earthquake"})
    assert r.status_code == 400 and "allowed" in r.json()["error"]
    assert teacher.post("/join", data={"code": "wrong"}).status_code == 404


def test_a_team_cannot_open_another_sessions_debrief(teacher, client):
    sid, codes = new_session(teacher)
    _, codes2 = new_session(teacher)
    teacher.post(f"/api/session/{sid}/advance")
    anon = TestClient(teacher.app)
    assert anon.get(f"/debrief/{sid}").status_code == 403
    assert anon.get(f"/debrief/{sid}?code={codes2['china']}").status_code == 403
    assert anon.get(f"/debrief/{sid}?code={codes['china']}").status_code == 200


def test_user_text_is_escaped(teacher):
    sid, codes = new_session(teacher, label='<script>alert("x")</script>')
    page = teacher.get(f"/teacher/session/{sid}").text
    assert '<script>alert("x")</script>' not in page and "&lt;script&gt;" in page
    listing = teacher.get("/teacher").text
    assert '<script>alert("x")</script>' not in listing
    team_page = teacher.get(f"/team/{codes['china']}").text
    assert '<script>alert("x")</script>' not in team_page


def test_explorer_runs_and_rejects_bad_input(client):
    r = client.post("/api/explore/run", json={"scenario": "baseline", "levers": {"china": {"military_training": 150}}})
    assert r.status_code == 200
    data = r.json()
    assert len(data["years"]) == 10 and "khatlon" in data["explored"]["regions"]
    assert data["explored"]["yearly"]["stability_index"] != data["baseline"]["yearly"]["stability_index"]
    bad = client.post(
        "/api/explore/run", json={"scenario": "baseline", "levers": {"china": {"military_training": 10_000}}}
    )
    assert bad.status_code == 400 and "military_training" in bad.json()["error"]
    assert client.post("/api/explore/run", json={"scenario": "nope"}).status_code == 404
    assert (
        client.post("/api/explore/run", json={"scenario": "baseline", "levers": {"taliban": {"x": 1}}}).status_code
        == 400
    )


def test_unknown_route_is_404_page(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "Error 404" in r.text
