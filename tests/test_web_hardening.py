"""Hardening of the classroom server: forwarded headers, the PIN, logins, join-code and request limits.

In-process (TestClient) except the forwarded headers, which only a real uvicorn server handles:
those tests start one in a thread on a free port of 127.0.0.1 and stop it.
"""

from __future__ import annotations

import argparse
import socket
import threading
import time
import urllib.error
import urllib.request

import pytest
import uvicorn
from fastapi.testclient import TestClient
from helpers import CONFIGS

from scenarios.cli import serve
from scenarios.cli.main import main
from scenarios.errors import ScenarioError
from scenarios.web.app import create_app
from scenarios.web.classroom import store

PIN = "hardened-7"
ORIGIN = {"origin": "http://testserver"}


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def app(tmp_path):
    return create_app(tmp_path / "c.sqlite", CONFIGS, PIN)


def logged_in(app):
    t = TestClient(app, headers=ORIGIN)
    assert t.post("/teacher/login", data={"pin": PIN}, follow_redirects=False).status_code == 303
    return t


def new_session(teacher):
    r = teacher.post("/teacher/sessions", data={"exercise": "short_border_pressure"}, follow_redirects=False)
    sid = r.headers["location"].rsplit("/", 1)[1]
    return sid, {t.state: t.code for t in teacher.app.state.room.teams(sid)}


# ---------------------------------------------------------------------------- forwarded headers


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrong_pins_from_forged_addresses(app, forwarded_allow_ips):
    """Start uvicorn as ``scenarios serve`` configures it; send 7 wrong PINs, each with another
    X-Forwarded-For; the statuses."""
    port = free_port()
    args = argparse.Namespace(port=port, forwarded_allow_ips=forwarded_allow_ips)
    server = uvicorn.Server(uvicorn.Config(app, **serve.uvicorn_options(args, "127.0.0.1")))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.05)
        statuses = []
        for i in range(7):
            req = urllib.request.Request(
                f"http://127.0.0.1:{port}/teacher/login",
                data=b"pin=wrong-pin-x",
                headers={"x-forwarded-for": f"10.0.0.{i}", "origin": f"http://127.0.0.1:{port}"},
            )
            try:
                statuses.append(urllib.request.urlopen(req, timeout=10).status)
            except urllib.error.HTTPError as e:
                statuses.append(e.code)
        return statuses
    finally:
        server.should_exit = True
        thread.join(10)


def test_forwarded_addresses_are_ignored_unless_a_proxy_is_named(tmp_path, caplog):
    statuses = wrong_pins_from_forged_addresses(create_app(tmp_path / "a.sqlite", CONFIGS, PIN), None)
    assert statuses[:5] == [403] * 5 and statuses[5:] == [429, 429]  # one client: 127.0.0.1
    assert "from 127.0.0.1" in caplog.text and "10.0.0." not in caplog.text
    trusting = wrong_pins_from_forged_addresses(create_app(tmp_path / "b.sqlite", CONFIGS, PIN), "127.0.0.1")
    assert trusting == [403] * 7  # a named proxy: each forwarded address is its own client


def test_serve_refuses_a_short_pin_and_lan_with_host(tmp_path, capsys):
    assert serve.PIN_MIN_CHARS == store.PIN_MIN_CHARS
    assert main(["serve", "--pin", "1234", "--db", str(tmp_path / "c.sqlite")]) == 2
    assert "--pin must have at least 8 characters (got 4)" in capsys.readouterr().err
    assert main(["serve", "--lan", "--host", "0.0.0.0", "--db", str(tmp_path / "c.sqlite")]) == 2
    assert "--lan or --host, not both" in capsys.readouterr().err
    assert not (tmp_path / "c.sqlite").exists()  # nothing written
    with pytest.raises(ScenarioError, match="at least 8 characters"):
        create_app(tmp_path / "d.sqlite", CONFIGS, "1234567")


# ---------------------------------------------------------------------------- the PIN and logins


def test_a_new_pin_ends_every_old_login_and_the_same_pin_keeps_them(tmp_path):
    db = tmp_path / "c.sqlite"
    first = logged_in(create_app(db, CONFIGS, PIN))
    cookie = first.cookies["teacher"]
    same = TestClient(create_app(db, CONFIGS, PIN), cookies={"teacher": cookie})  # a restart with the same PIN
    assert same.get("/api/session/x/state").status_code == 404  # logged in: the session is what is missing
    renewed = create_app(db, CONFIGS, "another-pin")
    assert renewed.state.pin == "another-pin"
    old = TestClient(renewed, headers=ORIGIN, cookies={"teacher": cookie})
    assert old.get("/api/session/x/state").status_code == 403
    assert old.post("/teacher/login", data={"pin": PIN}).status_code == 403
    assert old.post("/teacher/login", data={"pin": "ANOTHER-PIN"}, follow_redirects=False).status_code == 303


def test_logout_everywhere_ends_every_login(app):
    laptop, tablet = logged_in(app), logged_in(app)
    assert laptop.post("/teacher/logout-everywhere", follow_redirects=False).status_code == 303
    assert laptop.get("/api/session/x/state").status_code == 403
    assert tablet.get("/api/session/x/state").status_code == 403
    assert TestClient(app).post("/teacher/logout-everywhere", headers=ORIGIN).status_code == 403


def test_a_script_with_the_pin_header_is_checked_once_with_scrypt(app, monkeypatch):
    calls = []
    real = store.pin_matches
    monkeypatch.setattr(store, "pin_matches", lambda pin, stored: calls.append(pin) or real(pin, stored))
    script = TestClient(app)
    for _ in range(3):
        assert script.get("/api/session/x/state", headers={"x-teacher-pin": PIN}).status_code == 404
    assert len(calls) == 1
    assert script.get("/api/session/x/state", headers={"x-teacher-pin": "wrong-pin-1"}).status_code == 403
    assert len(calls) == 2  # a wrong PIN always costs a full check


# ---------------------------------------------------------------------------- join codes behind one address


def test_wrong_codes_from_a_shared_address_do_not_freeze_a_team_or_new_joiners(app):
    """Every TestClient has the same address, as a class behind NAT has."""
    _, codes = new_session(logged_in(app))
    clock = Clock()
    app.state.ctx.join_throttle.clock = clock
    app.state.ctx.address_throttle.clock = clock
    phone = TestClient(app, headers=ORIGIN)
    assert phone.get(f"/team/{codes['china']}").status_code == 200  # claims China's code
    attacker = TestClient(app, headers=ORIGIN, cookies=None)
    statuses = [attacker.get(f"/api/team/ABCD-EF{i:02d}/state").status_code for i in range(45)]
    assert statuses[:20] == [404] * 20 and set(statuses[20:]) == {429}
    # the team's phone (it holds its code) is never throttled by others' guesses
    assert all(phone.get(f"/api/team/{codes['china']}/state").status_code == 200 for _ in range(10))
    r = phone.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {}})
    assert r.status_code == 200
    # a student who opened the start page has a device of its own: it joins while the address is throttled
    student = TestClient(app, headers=ORIGIN)
    assert student.get("/").status_code == 200 and "device" in student.cookies
    assert student.get(f"/team/{codes['russia']}").status_code == 200
    # so does a fresh phone scanning a QR code (sent back once to get its device cookie)
    fresh = TestClient(app, headers=ORIGIN)
    assert fresh.get(f"/j/{codes['tajikistan']}").status_code == 200 and "device" in fresh.cookies
    # an attacker making up devices is stopped per address after 100 wrong guesses
    for i in range(100):
        TestClient(app, headers=ORIGIN).get(f"/team/ABCD-EG{i:02d}", follow_redirects=True)
    assert TestClient(app).get("/").status_code == 200
    late = TestClient(app, headers=ORIGIN)
    late.get("/")
    assert late.get(f"/team/{codes['russia']}").status_code == 429
    assert phone.get(f"/api/team/{codes['china']}/state").status_code == 200  # still not the team's phone


def test_one_flooding_tab_is_limited_per_code_and_device(app):
    _, codes = new_session(logged_in(app))
    clock = Clock()
    app.state.code_limit.clock = clock
    app.state.code_limit.tarpit = 0.05  # the server waits up to 1 s before each 429; the test need not
    tab = TestClient(app, headers=ORIGIN)
    tab.get(f"/team/{codes['china']}")  # 1 request of the burst of 20
    statuses = [tab.get(f"/api/team/{codes['china']}/state").status_code for _ in range(30)]
    assert statuses.count(200) == 19 and statuses[19:] == [429] * 11
    t0 = time.monotonic()
    r = tab.get(f"/api/team/{codes['china']}/state")
    assert r.status_code == 429 and r.headers["retry-after"] == "1" and "at most 4 a second" in r.json()["error"]
    assert time.monotonic() - t0 >= 0.05  # answered after the tarpit's wait: a tight loop slows down
    other = TestClient(app, headers=ORIGIN)  # another team, another device: not slowed
    assert other.get(f"/team/{codes['russia']}").status_code == 200
    # the flooding tab's own team can still submit: writes are counted apart from polls
    r = tab.post(f"/api/team/{codes['china']}/submit", json={"round": 1, "allocation": {}})
    assert r.status_code == 200
    clock.now += 1.0  # 4 more a second
    assert [tab.get(f"/api/team/{codes['china']}/state").status_code for _ in range(5)] == [200] * 4 + [429]


def test_serve_lan_listens_on_the_classroom_address_and_puts_it_in_every_link(
    tmp_path, monkeypatch, capsys, two_band_seeds
):
    # serve warms a new session up (its baseline and band): on 2 seeds here, the links are what is tested
    from scenarios.web import app as web_app

    monkeypatch.setattr(web_app, "lan_address", lambda: "192.168.1.20")
    started = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    db = tmp_path / "c.sqlite"
    assert main(["serve", "--lan", "--db", str(db), "--pin", PIN]) == 0
    assert started["host"] == "192.168.1.20" and started["port"] == 8000
    assert started["proxy_headers"] is False and started["forwarded_allow_ips"] == ""
    out = capsys.readouterr().out
    assert "http://192.168.1.20:8000/" in out and "students open http://192.168.1.20:8000" in out
    teacher = TestClient(
        started["app"], headers={"origin": "http://192.168.1.20:8000"}, base_url="http://192.168.1.20:8000"
    )
    teacher.post("/teacher/login", data={"pin": PIN})
    r = teacher.post("/teacher/sessions", data={"exercise": "short_border_pressure"}, follow_redirects=False)
    sid = r.headers["location"].rsplit("/", 1)[1]
    console = teacher.get(f"/teacher/session/{sid}").text
    assert console.count("http://192.168.1.20:8000/j/") == 3
    assert "http://192.168.1.20:8000/" in teacher.get(f"/projector/{sid}").text
    monkeypatch.setattr(web_app, "lan_address", lambda: None)
    assert main(["serve", "--lan", "--db", str(db)]) == 2
    assert "no network address" in capsys.readouterr().err
