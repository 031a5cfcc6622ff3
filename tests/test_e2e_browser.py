"""End to end in a real browser: a teacher, a projector at 1920x1080 and three teams (China on a
phone-sized page, 390x844) play a whole exercise, with a deal proposed by China and accepted by
Tajikistan; the debrief renders; the explorer runs; no request leaves the server; no page logs an
error (a CSP violation included); axe-core finds no accessibility violation. That walk-through is a
slow test (`make test-slow`, CI); `make test` runs the quick one: a teacher creates a session and a
team joins and submits on a phone (feedback at the button, the budget bar in view), and a one-round
session whose debrief swaps in "why stability moved" when the server has computed it (the slow
version has a team that moved, so the explanation runs the session about 30 times).

Uses Debian's chromium (/usr/bin/chromium) driven by Playwright, headless, with background
networking disabled; Playwright gives every launch a fresh temporary profile. `.ci/run` installs
chromium when it is missing. The server is `scenarios serve` on 127.0.0.1 and a free port,
started and stopped by the test, with every wait bounded. axe-core is vendored under
tests/vendor/axe-core and injected by the test. With SCENARIOS_SCREENSHOTS=DIR the test saves the
screenshots shown in docs/classroom.md there (``SCENARIOS_SCREENSHOTS=docs/img``).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from helpers import serve_library_copy, shortened

from benchmarks import classroom_load  # starts and stops `scenarios serve` for tests and benchmarks

CHROMIUM = os.environ.get("SCENARIOS_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--renderer-process-limit=1",  # the pages share one renderer process (each keeps its own context): less CPU
]
PIN = "2468-e2e-pin"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The server for the quick test: a library copy with the explorer's baseline shortened to 1 year
    and short_border_pressure (teams, budgets, levers and briefings as shipped) shortened to one
    round of one year without the burn-in: the server prepares each new session's baseline and noise
    band at once (5 runs), which this test, playing no round, never reads."""
    one_round = {**shortened(1), "parameters": {"burn_in_weeks": 0}}
    serve_library_copy(
        monkeypatch,
        tmp_path / "root",
        scenarios={"baseline": {"years": 1}},
        exercises={"short_border_pressure": one_round},
    )
    yield from serving(tmp_path)


@pytest.fixture
def shipped_server(tmp_path):
    """The server for the full walk-through: the shipped library as it is (a 10-year explorer run)."""
    yield from serving(tmp_path)


def serving(tmp_path):
    proc, base = classroom_load.start_server(tmp_path / "class.sqlite", PIN, tmp_path / "server.log")
    try:
        yield base
    finally:
        classroom_load.stop_server(proc)


def axe_violations(page) -> list[str]:
    """WCAG 2 A/AA violations axe-core finds on the page (the SVG charts included)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
            return r.violations.map(v => v.id + ": " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", "));
        }"""
    )
    return result


def snap(page, name: str, full: bool = True) -> None:
    folder = os.environ.get("SCENARIOS_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=full)


class Pages:
    """Opens pages in one browser, each in its own context (own cookies) unless given one; records
    every request and every console or page error."""

    def __init__(self, browser):
        self.browser = browser
        self.requests: list[str] = []
        self.problems: list[str] = []

    def new(self, viewport=None, context=None):
        ctx = context or self.browser.new_context(viewport=viewport or {"width": 1280, "height": 900})
        if context is None:
            ctx.on("request", lambda r: self.requests.append(r.url))
        page = ctx.new_page()
        page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        page.set_default_timeout(30_000)
        return page

    def refused(self, status: int) -> None:
        """Forget the console error chromium logs for one request the test made to be refused."""
        wanted = f"status of {status}"
        found = [p for p in self.problems if wanted in p]
        assert found, (wanted, self.problems)
        self.problems.remove(found[0])

    def assert_clean(self, server: str) -> None:
        """Some requests were made, none left the server, and no page logged an error."""
        outside = [u for u in self.requests if not u.startswith((server, "data:", "blob:"))]
        assert self.requests and outside == [], outside[:5]
        assert self.problems == [], self.problems[:5]


@pytest.fixture
def pages():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, timeout=60_000)
        try:
            yield Pages(browser)
        finally:
            browser.close()


def create_session(t, server: str) -> dict[str, str]:
    """As the teacher on page ``t``: log in, create a session of short_border_pressure (the shortest
    exercise, listed first), start the clock, read the join codes."""
    from playwright.sync_api import expect

    t.goto(server + "/teacher")
    assert axe_violations(t) == []
    t.fill("#pin", PIN)
    t.click("button[type=submit]")
    expect(t.locator("#exercise option").first).to_have_attribute("value", "short_border_pressure")
    t.fill("#label", "E2E class <i>")
    t.click("#create")
    expect(t.locator("h1")).to_have_text("E2E class <i>")
    expect(t.locator("#codes .join-code").first).to_be_hidden()  # codes only on demand
    expect(t.locator('#teams tr[data-state="china"] .joined')).to_have_text("not joined")
    expect(t.locator("#countdown")).to_have_text("not started")  # not at creation: the teacher starts it
    t.click("button.clock[data-action=start]")
    expect(t.locator("#countdown")).to_contain_text(":")
    snap(t, "console")
    t.click("#codes summary")
    codes = {
        li.get_attribute("data-state"): li.locator(".join-code").inner_text() for li in t.locator("#codes li").all()
    }
    assert set(codes) == {"china", "tajikistan", "russia"}
    assert all(len(c) == 9 and c[4] == "-" for c in codes.values())
    expect(t.locator("#codes svg")).to_have_count(3)
    return codes


LABELS = {"china": "China", "tajikistan": "Tajikistan", "russia": "Russia"}
OWN_EFFECT = re.compile("re-run with the exercise's plan|changed nothing against the plan")


def join(page, server: str, state: str, code: str) -> None:
    from playwright.sync_api import expect

    page.goto(server + "/")
    page.fill("#join-code", code.lower())  # any case works
    page.click("form[action='/join'] button")
    expect(page.locator("h1")).to_have_text(LABELS[state])


def bar_in_view(page) -> bool:
    """Whether the budget bar (budget left, countdown, Submit) is inside the viewport."""
    box = page.locator("#budget-bar").bounding_box()
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= page.viewport_size["height"] + 1


def test_a_team_joins_and_submits_on_a_phone(server, pages):
    """The quick browser test of `make test`: the teacher's console and a 390x844 team page, with
    axe-core on both, no outside request and no console error."""
    from playwright.sync_api import expect

    t = pages.new()
    codes = create_session(t, server)
    assert axe_violations(t) == []
    phone = pages.new(PHONE)
    join(phone, server, "china", codes["china"])
    expect(phone.locator("#briefing")).to_be_visible()
    expect(phone.locator("#countdown")).to_contain_text(":")  # students see the countdown
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert bar_in_view(phone)  # the budget bar stays in view at the top of the form...
    phone.locator(".lever").nth(5).scroll_into_view_if_needed()
    assert bar_in_view(phone)  # ...and further down
    left = phone.locator("#left").inner_text()
    start = float(phone.locator(".usd").first.input_value())
    phone.locator(".usd").first.fill("99999")
    phone.locator(".usd").first.dispatch_event("input")
    expect(phone.locator("#left")).to_contain_text("over by")
    phone.click("#submit")
    expect(phone.locator("#feedback")).to_contain_text("over the budget")  # the answer is at the button
    pages.refused(400)
    phone.locator(".usd").first.fill(str(start + 1))
    phone.locator(".usd").first.dispatch_event("input")
    expect(phone.locator("#left")).not_to_have_text(left)
    phone.click("#submit")
    expect(phone.locator("#feedback")).to_contain_text("Saved for round 1")
    expect(t.locator('#teams tr[data-state="china"] .submitted')).to_have_text("submitted", timeout=20_000)
    expect(t.locator('#teams tr[data-state="china"] .joined')).to_have_text("joined")
    assert axe_violations(phone) == []
    # another device with China's code only views
    other = pages.new(PHONE)
    join(other, server, "china", codes["china"])
    expect(other.locator("#read-only")).to_be_visible()
    expect(other.locator("#submit")).to_be_disabled()
    pages.assert_clean(server)


@pytest.fixture
def one_round_server(tmp_path, monkeypatch):
    """The server for the debrief's explanation: short_border_pressure as one round of one year
    without the burn-in, so that explaining it (about 30 runs) takes seconds."""
    one_round = {"years": 1, "exercise": {"rounds": 1}, "parameters": {"burn_in_weeks": 0}}
    serve_library_copy(monkeypatch, tmp_path / "root", exercises={"short_border_pressure": one_round})
    yield from serving(tmp_path)


def play_one_round(server, pages, china_moves: bool):
    """A one-round session played to the end (China adds 20 USD M to its first lever or keeps the
    plan); returns the teacher's page, opened on the debrief."""
    from playwright.sync_api import expect

    t = pages.new()
    codes = create_session(t, server)
    if china_moves:
        phone = pages.new(PHONE)
        join(phone, server, "china", codes["china"])
        start = float(phone.locator(".usd").first.input_value())
        phone.locator(".usd").first.fill(str(start + 20))
        phone.locator(".usd").first.dispatch_event("input")
        phone.click("#submit")
        expect(phone.locator("#feedback")).to_contain_text("Saved for round 1")
    t.click("#advance")
    expect(t.locator("#round")).to_have_text("1", timeout=180_000)  # the baseline and band first, if not ready
    t.click("#debrief-link")
    expect(t.locator("h1")).to_contain_text("Debrief")
    t.fill("#replay", "1")  # the page is in use while the explanation is computed: it is not reloaded
    t.evaluate("window.kept = true")
    return t


def test_the_debrief_swaps_in_why_stability_moved_when_ready(one_round_server, pages):
    """The quick version: no team moved, so the worker process answers without a run; the section
    is swapped in without a reload, axe finds nothing, no request leaves the server."""
    from playwright.sync_api import expect

    t = play_one_round(one_round_server, pages, china_moves=False)
    expect(t.locator("#why")).to_have_attribute("data-state", "ready", timeout=120_000)
    assert t.evaluate("window.kept === true")
    expect(t.locator('.why-words[data-state="russia"]')).to_have_text(
        "Russia kept the exercise's plan in every round: its choices moved nothing."
    )
    assert axe_violations(t) == []
    pages.assert_clean(one_round_server)


@pytest.mark.slow(quick="test_the_debrief_swaps_in_why_stability_moved_when_ready")
def test_the_debrief_explains_why_stability_moved(one_round_server, pages):
    """After the last round the server explains, in a worker process, what China's choices did to
    stability, by mechanism (about 30 runs of the session: minutes on a busy machine); the debrief
    swaps the section in when ready (no reload), its table opens with the keyboard, axe finds nothing."""
    from playwright.sync_api import expect

    t = play_one_round(one_round_server, pages, china_moves=True)
    expect(t.locator("#why")).to_have_attribute("data-state", "ready", timeout=600_000)
    assert t.evaluate("window.kept === true")
    expect(t.locator('.why-words[data-state="china"]').first).to_contain_text("China's choices")
    table = t.locator('.why-table[data-state="china"]')
    expect(table).to_be_hidden()
    t.locator("#why details summary").first.focus()
    t.keyboard.press("Enter")
    expect(table).to_be_visible()
    expect(table.locator("tbody tr").last).to_contain_text("total")
    assert axe_violations(t) == []
    pages.assert_clean(one_round_server)


@pytest.mark.slow(quick="test_a_team_joins_and_submits_on_a_phone")
def test_a_full_exercise_with_a_deal_the_projector_and_a_phone(shipped_server, pages):
    from playwright.sync_api import expect

    server = shipped_server
    new_page = pages.new
    home = new_page(PHONE)
    home.goto(server + "/")
    assert axe_violations(home) == []

    t = new_page()
    codes = create_session(t, server)
    assert axe_violations(t) == []
    t.click("#codes summary")

    proj = new_page(context=t.context)  # the projector: the teacher's browser, a second window
    proj.set_viewport_size(PROJECTOR)
    proj.goto(server + t.locator("#projector-link").get_attribute("href"))
    expect(proj.locator("#countdown")).to_contain_text(":")
    expect(proj.locator("#join-panel")).to_be_visible()  # before round 1: where to go, and a QR code
    expect(proj.locator("#join-address")).to_have_text(server + "/")
    expect(proj.locator("#join-panel svg")).to_have_count(1)
    assert not any(c in proj.content() for c in codes.values())
    snap(proj, "projector-join", full=False)
    assert axe_violations(proj) == []

    teams = {}
    for state, code in codes.items():
        page = new_page(PHONE if state == "china" else None)
        join(page, server, state, code)
        teams[state] = page
    phone = teams["china"]
    expect(phone.locator("#briefing")).to_be_visible()  # the briefing comes first before round 1
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []

    for rnd in (1, 2, 3):
        if rnd == 2:
            t.select_option("#inject-kind", "attack")
            t.select_option("#inject-region", "gbao")
            t.click("#inject")
            expect(t.locator("#pending li")).to_contain_text("attack in Gorno-Badakhshan (GBAO)")
        for state, page in teams.items():
            # the inputs start at what holds (the plan, then the last allocation); each team changes one lever
            if state != "russia" or rnd == 1:  # Russia skips rounds 2 and 3: its allocation is kept
                page.locator(".usd").first.fill(str(5 * rnd))
                page.locator(".usd").first.dispatch_event("input")
                page.click("#submit")
                expect(page.locator("#feedback")).to_contain_text(f"Saved for round {rnd}")
        if rnd == 1:  # China offers Tajikistan surveillance aid if it raises its patrols; Tajikistan accepts
            phone.select_option("#deal-to", "tajikistan")
            phone.fill("#deal-give", "40")
            phone.select_option("#deal-give-lever", "surveillance_systems")
            phone.fill("#deal-ask", "20")
            phone.select_option("#deal-ask-lever", "joint_border_patrols")
            phone.click("#propose")
            expect(phone.locator("#deal-feedback")).to_contain_text("sent")
            tajik = teams["tajikistan"]
            offer = tajik.locator("#proposals li[data-status=pending]")
            expect(offer).to_contain_text("China puts 40 USD M", timeout=20_000)
            tajik.click("#proposals button.accept")
            expect(tajik.locator("#deal-feedback")).to_contain_text("accepted")
            expect(phone.locator("#proposals li[data-status=accepted]")).to_be_visible(timeout=20_000)
            assert axe_violations(tajik) == []
        for state in teams:
            expected = "joined, not submitted" if state == "russia" and rnd > 1 else "submitted"
            expect(proj.locator(f'#submitted li[data-state="{state}"] .submitted')).to_have_text(
                expected, timeout=20_000
            )
        t.click("#advance")
        expect(t.locator("#round")).to_have_text(str(rnd), timeout=60_000)
        expect(proj.locator("#round")).to_have_text(str(rnd), timeout=20_000)
        line = f"Round {rnd + 1} of 3, year {2022 + rnd}" if rnd < 3 else "All 3 rounds played"
        expect(phone.locator("#round-line")).to_have_text(line, timeout=20_000)  # the new round has reached it
        expect(phone.locator("#year")).to_have_text(str(2021 + rnd))
        box = phone.locator("#this-year").bounding_box()
        assert box is not None and 0 <= box["y"] < PHONE["height"]  # the phone opened on what happened
        for page in teams.values():  # the team pages follow without a reload
            expect(page.locator("#this-year")).to_be_visible(timeout=20_000)
            expect(page.locator("#changes li").first).to_be_visible()
            # what its own choices did, once computed (a team whose allocation is the plan is told so)
            expect(page.locator("#own-effect")).to_contain_text(OWN_EFFECT, timeout=60_000)
        expect(phone.locator("#own-effect")).to_contain_text("re-run with the exercise's plan")  # China moved off it
        if rnd == 1:
            expect(phone.locator("#briefing-box")).not_to_have_attribute("open", "")  # folded away
            expect(proj.locator("#join-panel")).to_be_hidden()
        expect(proj.locator("#charts figure.chart")).to_have_count(6, timeout=20_000)
        assert proj.locator("#charts figure.chart").first.get_attribute("id") == "chart-stability_index"
        assert proj.evaluate("document.documentElement.scrollHeight") <= PROJECTOR["height"]  # no scrolling
        assert proj.evaluate("document.documentElement.scrollWidth") <= PROJECTOR["width"]
        if rnd == 1:
            snap(proj, "projector", full=False)
        if rnd == 2:
            expect(proj.locator("#banner")).to_contain_text("attack in Gorno-Badakhshan (GBAO)")
            expect(phone.locator("#events")).to_contain_text("attack in Gorno-Badakhshan (GBAO)")
            snap(phone, "team-phone", full=False)
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert axe_violations(phone) == []
            snap(proj, "projector-event", full=False)
            assert axe_violations(proj) == []
        if rnd == 3:
            expect(teams["russia"].locator("#spending")).to_contain_text("did not submit")

    expect(t.locator("#advance")).to_be_disabled()
    t.click("#debrief-link")
    expect(t.locator("h1")).to_contain_text("Debrief")
    expect(t.locator("#scores tbody tr")).to_have_count(3)
    expect(t.locator("#timeline li")).to_have_text(["Round 2 (2023): attack in Gorno-Badakhshan (GBAO)"])
    expect(t.locator("#deals li[data-status=accepted]")).to_contain_text("China puts 40 USD M")
    expect(t.locator('#own-effects tr[data-state="china"]')).to_contain_text("Stability index")
    expect(t.locator('.alloc-table[data-state="russia"] thead th').nth(2)).to_contain_text("kept")
    expect(t.locator("#facts li").first).to_be_visible()
    expect(t.locator("#chart-stability_index svg polyline").first).to_be_attached(timeout=20_000)
    t.fill("#replay", "1")
    t.dispatch_event("#replay", "input")
    expect(t.locator("#replay-out")).to_have_text("1")
    snap(t, "debrief")
    assert axe_violations(t) == []
    link = phone.locator("#debrief-link")
    expect(link).to_be_visible()
    link.click()
    expect(phone.locator("h1")).to_contain_text("Debrief")
    expect(phone.locator('.alloc-table[data-state="russia"]')).to_have_count(1)  # the game is over: every team
    expect(phone.locator("#chart-stability_index svg").first).to_be_attached(timeout=20_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []

    # the explorer, on a phone: Run without touching a slider runs the scenario as written
    home.goto(server + "/explore")
    home.select_option("#scenario", "baseline")
    home.click("#run")
    expect(home.locator("#msg")).to_have_text("done", timeout=120_000)
    expect(home.locator("#chart-stability_index svg").first).to_be_attached()
    expect(home.locator("#regions tbody tr").first).to_be_visible()
    assert home.evaluate("document.getElementById('progress').value") == 1
    assert axe_violations(home) == []
    pages.assert_clean(server)
