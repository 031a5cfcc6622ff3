"""The HTTP API and pages in-process: the class flow, access control, every bad request, escaping.

Sessions measure their noise band on 2 seeds (``two_band_seeds``); those that advance are prepared
(baseline and band stored, as the server's warm-up does, by ``helpers.prepare``), except where
the server's own preparation is tested.
"""

from __future__ import annotations

import ipaddress
import json
import re
import time

import pytest
from fastapi.testclient import TestClient
from helpers import CONFIGS, library_copy, prepare, shortened

from scenarios.web.app import create_app, lan_address

PIN = "4321-class"


ORIGIN = {"origin": "http://testserver"}


@pytest.fixture
def client(tmp_path, two_band_seeds):
    """A browser-like client: its state-changing requests carry this server's Origin."""
    return TestClient(create_app(tmp_path / "c.sqlite", CONFIGS, PIN), headers=ORIGIN)


@pytest.fixture
def teacher(client):
    r = client.post("/teacher/login", data={"pin": PIN}, follow_redirects=False)
    assert r.status_code == 303 and "teacher" in r.cookies
    return client


def new_session(teacher, label="Class 9A", prepared=False):
    """Create a session as the teacher's console does; ``prepared``: then store its baseline and band."""
    r = teacher.post(
        "/teacher/sessions", data={"exercise": "short_border_pressure", "label": label}, follow_redirects=False
    )
    assert r.status_code == 303
    sid = r.headers["location"].rsplit("/", 1)[1]
    codes = {t.state: t.code for t in teacher.app.state.room.teams(sid)}
    if prepared:
        prepare(teacher.app.state.room, sid)
    return sid, codes


def test_pages_render_and_assets_are_local_compressed_and_cached(client):
    for path in ("/", "/teacher", "/explore", "/static/app.js", "/static/style.css"):
        r = client.get(path)
        assert r.status_code == 200, path
    for path in ("/", "/explore"):
        html = client.get(path).text
        srcs = re.findall(r'(?:src|href)="([^"]+)"', html)
        assert srcs and all(s.startswith("/") or s == "data:," for s in srcs), srcs
        assert "plotly" not in html  # charts are drawn by the app's own script
    assert client.get("/static/../pyproject.toml").status_code == 404
    assert client.get("/static/vendor/plotly.min.js").status_code == 404
    url = re.search(r'src="(/static/app\.js\?v=[0-9a-f]{12})"', client.get("/explore").text)[1]
    r = client.get(url, headers={"accept-encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and "immutable" in r.headers["cache-control"]
    assert int(r.headers["content-length"]) < len(r.content) / 2  # sent compressed (httpx unzips it)
    assert client.get(url, headers={"if-none-match": r.headers["etag"]}).status_code == 304


def test_a_phones_first_load_is_small(teacher):
    """Everything a team page downloads first, compressed as sent: well under 1.5 MB."""
    _, codes = new_session(teacher, prepared=True)
    phone = TestClient(teacher.app, headers={"accept-encoding": "gzip"} | ORIGIN)
    page = phone.get(f"/team/{codes['china']}")
    sizes = [int(page.headers["content-length"])]
    for src in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        sizes.append(int(phone.get(src).headers["content-length"]))
    sizes.append(int(phone.get(f"/api/team/{codes['china']}/state").headers["content-length"]))
    assert len(sizes) == 4 and sum(sizes) < 150_000, sizes


def test_teacher_actions_need_the_pin(client):
    assert "PIN" in client.get("/teacher").text
    assert client.post("/teacher/login", data={"pin": "0000"}).status_code == 403
    assert client.post("/teacher/sessions", data={"exercise": "short_border_pressure"}).status_code == 403
    assert client.post("/api/session/x/advance", json={"round": 1}).status_code == 403
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
    sid, codes = new_session(teacher, prepared=True)
    team = teacher.get(f"/team/{codes['china']}")
    assert team.status_code == 200 and "Intelligence sharing" in team.text and "unverified" in team.text
    r = teacher.post(
        f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {"joint_border_patrols": 100.0}}
    )
    assert r.status_code == 200 and r.json()["ok"]
    st = teacher.get(f"/api/session/{sid}/state").json()
    assert {t["state"]: t["submitted"] for t in st["teams"]}["china"] is True
    assert teacher.post(f"/api/session/{sid}/inject", json={"kind": "attack", "region": "khatlon"}).status_code == 200
    r = teacher.post(f"/api/session/{sid}/advance", json={"round": 1})
    assert r.status_code == 200 and r.json()["state"]["round"] == 1
    assert teacher.get(f"/api/team/{codes['russia']}/state").json()["round"] == 1
    assert teacher.get(f"/debrief/{sid}").status_code == 200
    csv_text = teacher.get(f"/debrief/{sid}/export.csv").text
    assert csv_text.startswith("year,outcome,label,unit,session,baseline") and "stability_index" in csv_text
    assert "china,joint_border_patrols,Coordinated border patrols,1,2022,100.0,submitted" in csv_text
    assert "1,2022,attack,khatlon," in csv_text  # the inject timeline
    exported = teacher.get(f"/debrief/{sid}/export.html")
    assert "data:image/png;base64" in exported.text and "<script" not in exported.text
    assert "Coordinated border patrols" in exported.text and "attack in Khatlon" in exported.text
    assert "default-src 'none'" in exported.headers["content-security-policy"]


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
    assert teacher.get("/team/nope").status_code == 404


def test_a_team_cannot_open_another_sessions_debrief(teacher, client):
    sid, codes = new_session(teacher, prepared=True)
    _, codes2 = new_session(teacher)
    teacher.post(f"/api/session/{sid}/advance", json={"round": 1})
    anon = TestClient(teacher.app, headers=ORIGIN)
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


def test_unknown_route_is_404_page(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "Error 404" in r.text


# ---------------------------------------------------------------------------- security


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_pin_guesses_are_rate_limited_per_client(client, caplog):
    clock = Clock()
    client.app.state.ctx.auth.throttle.clock = clock
    for _ in range(4):
        assert client.post("/teacher/login", data={"pin": "0000"}).status_code == 403
    assert client.post("/teacher/login", data={"pin": "0001"}).status_code == 403  # the 5th locks out
    r = client.post("/teacher/login", data={"pin": PIN}, follow_redirects=False)
    assert r.status_code == 429 and int(r.headers["retry-after"]) == 2  # even the right PIN waits
    assert "wrong guess 5" in caplog.text and "refused" in caplog.text
    clock.now += 2.5
    assert client.post("/teacher/login", data={"pin": "0002"}).status_code == 403
    r = client.post("/teacher/login", data={"pin": PIN})
    assert r.status_code == 429 and int(r.headers["retry-after"]) == 4  # the wait doubles
    clock.now += 4.5
    assert client.post("/teacher/login", data={"pin": PIN}, follow_redirects=False).status_code == 303
    # the header used by scripts counts too (same client address, no cookie), and a right guess reset the count
    script = TestClient(client.app)
    for _ in range(5):
        assert script.get("/api/session/x/state", headers={"x-teacher-pin": "nope"}).status_code == 403
    assert script.get("/api/session/x/state", headers={"x-teacher-pin": PIN}).status_code == 429


def test_unknown_join_codes_are_rate_limited(client):
    clock = Clock()
    client.app.state.ctx.join_throttle.clock = clock
    statuses = [client.get(f"/team/ABCD-EF{i:02d}").status_code for i in range(21)]
    assert statuses[:20] == [404] * 20 and statuses[20] == 429
    for _ in range(10):  # the lockout doubles but never exceeds a minute (a class may share one address)
        clock.now += 61
        assert client.get("/team/ABCD-EFGH").status_code == 404
    r = client.get("/team/ABCD-EFGH")
    assert r.status_code == 429 and int(r.headers["retry-after"]) == 60


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "http://evil.example:8000"},
        {"origin": "http://testserver:9999"},  # a page on another port of the same machine
        {"origin": "null"},
        {"referer": "http://evil.example/page"},
        {},
    ],
)
def test_a_request_from_another_origin_is_refused_and_changes_nothing(teacher, headers):
    sid, codes = new_session(teacher)
    cookie = {"teacher": teacher.cookies["teacher"]}
    foreign = TestClient(teacher.app, cookies=cookie)  # the teacher's cookie, sent by another site's page
    r = foreign.post(f"/api/session/{sid}/advance", json={"round": 1}, headers=headers)
    assert r.status_code == 403 and "did not come from a page of this server" in r.json()["error"]
    r = foreign.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {}}, headers=headers)
    assert r.status_code == 403
    st = teacher.get(f"/api/session/{sid}/state").json()
    assert st["round"] == 0 and st["version"] == 0
    # the same request from this server's own page (Referer when there is no Origin) is accepted
    same = foreign.post(
        f"/api/team/{codes['china']}/submit",
        json={"round": 1, "allocation": {}},
        headers={"referer": f"http://testserver/team/{codes['china']}"},
    )
    assert same.status_code == 200


def test_security_headers_and_no_inline_scripts(teacher):
    sid, codes = new_session(teacher)
    for path in (
        "/",
        "/teacher",
        f"/teacher/session/{sid}",
        f"/team/{codes['china']}",
        f"/projector/{sid}",
        "/explore",
    ):
        r = teacher.get(path)
        assert r.status_code == 200, path
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
        assert "script-src 'self';" in r.headers["content-security-policy"]
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        for tag in re.findall(r"<script[^>]*>", r.text):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
    assert teacher.get("/nope").headers["x-frame-options"] == "DENY"


def test_an_unknown_host_is_refused(client):
    r = client.get("/", headers={"host": "attacker.example"})
    assert r.status_code == 400 and "Host" in r.text
    assert client.get("/", headers={"host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"host": "[::1]:8000"}).status_code == 200


def test_an_oversized_body_is_refused_unread(teacher):
    sid, codes = new_session(teacher)
    big = b'{"round": 1, "allocation": {"military_training": 1}, "pad": "' + b"x" * 150_000 + b'"}'
    r = teacher.post(f"/api/team/{codes['china']}/submit", content=big, headers={"content-type": "application/json"})
    assert r.status_code == 413 and "64 KB" in r.json()["error"]

    def chunks():  # no Content-Length: counted while read
        for _ in range(100):
            yield b"x" * 1000

    r = teacher.post(
        f"/api/team/{codes['china']}/submit", content=chunks(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 413
    assert teacher.get(f"/api/session/{sid}/state").json()["version"] == 0


def test_form_field_limits_give_400_not_500(teacher):
    r = teacher.post("/teacher/sessions", data={f"f{i}": "x" for i in range(25)})
    assert r.status_code == 400 and "too many form fields" in r.text and "Traceback" not in r.text
    r = teacher.post("/teacher/sessions", data={"exercise": "short_border_pressure", "label": "x" * 500})
    assert r.status_code == 400 and "at most 200 characters" in r.text


def test_a_double_advance_gets_409_and_skips_nothing(teacher):
    sid, _ = new_session(teacher, prepared=True)
    assert teacher.post(f"/api/session/{sid}/advance", json={"round": 1}).status_code == 200
    r = teacher.post(f"/api/session/{sid}/advance", json={"round": 1})
    assert r.status_code == 409 and "pressed twice" in r.json()["error"]
    assert teacher.get(f"/api/session/{sid}/state").json()["round"] == 1
    assert teacher.post(f"/api/session/{sid}/advance", json={}).status_code == 400  # the round is required


def test_polls_with_the_current_version_get_a_short_answer(teacher):
    sid, codes = new_session(teacher)
    for url in (f"/api/session/{sid}/state", f"/api/team/{codes['china']}/state"):
        v = teacher.get(url).json()["version"]
        short = teacher.get(f"{url}?since={v}").json()
        assert (
            short["version"] == v and short["unchanged"] is True and set(short) <= {"version", "unchanged", "read_only"}
        )
        assert teacher.get(f"{url}?since={v - 1}").json()["round"] == 0
    teacher.post(f"/api/team/{codes['russia']}/submit", json={"round": 1, "allocation": {}})
    changed = teacher.get(f"/api/team/{codes['china']}/state?since={v}").json()
    assert changed["version"] > v and {t["state"]: t["submitted"] for t in changed["teams"]}["russia"]


def test_a_stale_submission_is_refused_with_a_message(teacher):
    sid, codes = new_session(teacher, prepared=True)
    teacher.post(f"/api/session/{sid}/advance", json={"round": 1})
    r = teacher.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {}})
    assert r.status_code == 409 and "round 1 is closed" in r.json()["error"]


def test_a_restart_keeps_the_teacher_logged_in(tmp_path):
    db = tmp_path / "c.sqlite"
    first = TestClient(create_app(db, CONFIGS), headers=ORIGIN)  # no PIN given: one is generated and stored
    pin = first.app.state.pin
    assert len(pin) == 12
    assert first.post("/teacher/login", data={"pin": pin.lower()}, follow_redirects=False).status_code == 303
    cookie = first.cookies["teacher"]
    second = TestClient(create_app(db, CONFIGS), headers=ORIGIN, cookies={"teacher": cookie})  # the server restarted
    assert second.app.state.pin is None  # unchanged, and only its hash is stored: nothing to show
    assert "Teacher's console" in second.get("/teacher").text
    assert TestClient(second.app, headers=ORIGIN).post("/teacher/login", data={"pin": pin}).status_code == 200
    assert (
        second.post("/teacher/sessions", data={"exercise": "short_border_pressure"}, follow_redirects=False).status_code
        == 303
    )


def test_the_server_prepares_a_new_sessions_baseline(tmp_path, two_band_seeds):
    """(On the exercise shortened to 1 year.)"""
    configs = library_copy(tmp_path / "configs", exercises={"short_border_pressure": shortened(1)})
    client = TestClient(create_app(tmp_path / "c.sqlite", configs, PIN, warm_up=True), headers=ORIGIN)
    client.post("/teacher/login", data={"pin": PIN})
    sid, _ = new_session(client)
    st = client.get(f"/api/session/{sid}/state").json()
    assert st["round"] == 0 and st["baseline"] is not None and st["band"] is not None


def test_an_unexpected_error_is_a_500_without_traceback(teacher, monkeypatch, caplog):
    def broken():
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(teacher.app.state.room, "sessions", broken)
    quiet = TestClient(teacher.app, raise_server_exceptions=False, cookies={"teacher": teacher.cookies["teacher"]})
    r = quiet.get("/teacher")
    assert r.status_code == 500 and "internal error" in r.text
    assert "Traceback" not in r.text and "disk on fire" not in r.text
    assert "disk on fire" in caplog.text  # but the server logged it


def test_the_one_time_teacher_link_works_once(client):
    token = client.app.state.room.store.new_teacher_link()
    r = client.get(f"/teacher/enter/{token}")
    assert r.status_code == 200 and "teacher" in r.cookies and 'url=/teacher"' in r.text
    assert "Teacher's console" in client.get("/teacher").text
    other = TestClient(client.app)
    assert other.get(f"/teacher/enter/{token}").status_code == 403  # used up
    newer = client.app.state.room.store.new_teacher_link()
    client.app.state.room.store.new_teacher_link()  # a restart prints a new one: the older stops working
    assert other.get(f"/teacher/enter/{newer}").status_code == 403
    for _ in range(3):  # wrong links count as guesses
        other.get("/teacher/enter/guess")
    assert other.get("/teacher/enter/guess").status_code == 429


def test_logout_ends_the_login(teacher):
    cookie = teacher.cookies["teacher"]
    assert teacher.post("/teacher/logout", follow_redirects=False).status_code == 303
    replay = TestClient(teacher.app, headers=ORIGIN, cookies={"teacher": cookie})
    assert "Teacher's PIN" in replay.get("/teacher").text
    assert replay.get("/api/session/x/state").status_code == 403


# ---------------------------------------------------------------------------- projector, codes, cards


def test_the_projector_shows_no_codes_and_no_controls(teacher):
    sid, codes = new_session(teacher)
    proj = teacher.get(f"/projector/{sid}").text
    assert not any(c in proj or c.lower() in proj or f"{c[:4]}-{c[4:]}" in proj for c in codes.values())
    assert "<button" not in proj and "<form" not in proj and 'id="countdown"' in proj
    # before round 1: the address to open and its QR code (of the start page, not of a team)
    join = proj[proj.index('id="join-panel"') : proj.index("</section>", proj.index('id="join-panel"'))]
    assert "http://testserver/" in join and join.count("<svg") == 1
    console = teacher.get(f"/teacher/session/{sid}").text
    start = console.index('<details id="codes"')
    details = console[start : console.index("</details>", start)]
    for c in codes.values():
        assert f"{c[:4]}-{c[4:]}" in details and f"/j/{c}" not in console.replace(details, "")
    assert details.count("<svg") == 3
    assert TestClient(teacher.app).get(f"/projector/{sid}").status_code == 403


def test_join_links_use_the_public_address(tmp_path):
    client = TestClient(
        create_app(tmp_path / "c.sqlite", CONFIGS, PIN, public_url="http://192.168.1.20:8000/"), headers=ORIGIN
    )
    client.post("/teacher/login", data={"pin": PIN})
    sid, codes = new_session(client)
    console = client.get(f"/teacher/session/{sid}").text
    assert f"http://192.168.1.20:8000/j/{codes['china']}" in console and "testserver/j/" not in console


def test_the_lan_address_is_an_ip_address_or_none():
    found = lan_address()
    assert found is None or ipaddress.ip_address(found).version == 4


def test_join_by_typed_code_or_qr_link(teacher):
    _, codes = new_session(teacher)
    code = codes["china"]
    r = teacher.post("/join", data={"code": f"{code[:4]}-{code[4:]}".lower()}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/team/{code}"
    r = teacher.get(f"/j/{code}", follow_redirects=False)  # a browser without a device cookie gets one first
    assert r.status_code == 303 and r.headers["location"] == f"/j/{code}?d=1" and "device" in r.cookies
    r = teacher.get(f"/j/{code}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/team/{code}"


def test_printable_briefing_cards(teacher):
    sid, _ = new_session(teacher)
    cards = teacher.get(f"/teacher/session/{sid}/cards").text
    assert cards.count('class="briefing-card"') == 3 and cards.count("<svg") == 3
    assert "Budget per round" in cards and "@media print" in teacher.get("/static/style.css").text
    assert TestClient(teacher.app).get(f"/teacher/session/{sid}/cards").status_code == 403


def test_the_teachers_guide_is_generated_from_the_config(teacher):
    listing = teacher.get("/teacher").text
    assert 'href="/teacher/guide/short_border_pressure"' in listing
    guide = teacher.get("/teacher/guide/short_border_pressure")
    assert guide.status_code == 200 and "Learning objectives" in guide.text and "12 minutes per round" in guide.text
    assert teacher.get("/teacher/guide/nope").status_code == 404
    assert TestClient(teacher.app).get("/teacher/guide/short_border_pressure").status_code == 403


def test_the_team_page_counts_in_usd_with_the_natural_unit_beside_and_sliders_within_the_budget(teacher):
    _, codes = new_session(teacher)
    page = teacher.get(f"/team/{codes['tajikistan']}").text
    assert 'type="range"' in page and 'id="this-year"' in page and 'id="budget-bar"' in page
    assert re.search(
        r'<label for="usd-joint_border_patrols" class="lever-name">Coordinated border patrols</label>', page
    )
    assert "intensity 0-1; 5 USD M buys 1, the most there is" in page  # the natural unit beside the USD
    assert "USD M/yr; 1 USD M each" not in page  # levers counted in USD M need no second unit
    budget = 250  # Tajikistan's budget in short_border_pressure
    maxima = [float(m) for m in re.findall(r'type="range"[^>]* max="([0-9.]+)"', page)]
    assert len(maxima) == 9 and max(maxima) <= budget and maxima.count(budget) == 4  # never past the budget
    assert 'id="feedback" role="status"' in page and "Team tajikistan" not in page and "<h1>Tajikistan</h1>" in page


# ---------------------------------------------------------------------------- explorer


def wait_job(client, job, seconds=120):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        s = client.get(f"/api/explore/job/{job}").json()
        if s["status"] in ("done", "error"):
            return s
        time.sleep(0.2)
    raise AssertionError("the explorer run did not finish")


def test_explorer_runs_in_its_worker_and_rejects_bad_input(tmp_path):
    """(On the baseline shortened to 2 years.)"""
    configs = library_copy(tmp_path / "configs", scenarios={"baseline": {"years": 2}})
    with TestClient(create_app(tmp_path / "c.sqlite", configs, PIN), headers=ORIGIN) as client:
        r = client.post("/api/explore/run", json={"scenario": "baseline"})
        assert r.status_code == 202
        first = r.json()["job"]
        busy = client.post("/api/explore/run", json={"scenario": "baseline"})
        assert busy.status_code == 429 and "already have a run" in busy.json()["error"]
        s = wait_job(client, first)
        assert s["status"] == "done" and s["progress"] == 1.0
        data = s["result"]
        assert data["years"] == [2021, 2022] and "khatlon" in data["explored"]["regions"]
        assert data["explored"] == data["baseline"]  # no lever moved: the scenario as written
        r = client.post(
            "/api/explore/run", json={"scenario": "baseline", "levers": {"china": {"military_training": 1.5}}}
        )
        moved = wait_job(client, r.json()["job"])["result"]
        assert moved["explored"]["yearly"]["stability_index"] != moved["baseline"]["yearly"]["stability_index"]
        assert moved["baseline"] == data["baseline"]
        bad = client.post(
            "/api/explore/run", json={"scenario": "baseline", "levers": {"china": {"military_training": 10_000}}}
        )
        assert bad.status_code == 400 and "military_training" in bad.json()["error"]
        assert client.post("/api/explore/run", json={"scenario": "nope"}).status_code == 404
        assert (
            client.post("/api/explore/run", json={"scenario": "baseline", "levers": {"taliban": {"x": 1}}}).status_code
            == 400
        )
        assert client.get("/api/explore/job/j999").status_code == 404


def test_explorer_keeps_yearly_schedules_when_untouched(teacher):
    page = teacher.get("/explore").text
    data = json.loads(re.search(r'<script type="application/json" id="scenarios">(.*?)</script>', page, re.S).group(1))
    schedules = [v for s in data.values() for st in s.values() for v in st.values() if v["schedule"]]
    assert schedules  # some shipped scenario has a yearly lever schedule, shown as such
