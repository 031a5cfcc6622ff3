"""End to end in a real browser: a teacher, a projector page and three teams (one on a phone-sized
page, 390x844) play a whole exercise; the debrief renders; the explorer runs; no request leaves the
server; no page logs an error (a CSP violation included); axe-core finds no accessibility violation.
That walk-through takes ~35 s of CPU (chromium) and is a slow test (`make test-slow`, CI); `make test`
runs the quick one: a teacher creates a session and a team joins and submits on a phone.

Uses Debian's chromium (/usr/bin/chromium) driven by Playwright, headless, with background
networking disabled; Playwright gives every launch a fresh temporary profile. `.ci/run` installs
chromium when it is missing. The server is `scenarios serve` on 127.0.0.1 and a free port,
started and stopped by the test, with every wait bounded. axe-core is vendored under
tests/vendor/axe-core and injected by the test. With SCENARIOS_SCREENSHOTS=DIR the test saves the
screenshots shown in docs/classroom.md there (``SCENARIOS_SCREENSHOTS=docs/img``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import serve_library_copy

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
PIN = "2468"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, monkeypatch):
    """The server for the quick test: a library copy with the shipped short_border_pressure and the
    explorer's baseline shortened to 1 year."""
    serve_library_copy(
        monkeypatch, tmp_path / "root", scenarios={"baseline": {"years": 1}}, exercises={"short_border_pressure": {}}
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
    """WCAG 2 A/AA violations axe-core finds on the page (the charts' SVG internals excluded)."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run({ exclude: [[".js-plotly-plot"]] },
                                    { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa"] } });
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
    """As the teacher on page ``t``: log in, create a session of short_border_pressure, read the join codes."""
    from playwright.sync_api import expect

    t.goto(server + "/teacher")
    assert axe_violations(t) == []
    t.fill("#pin", PIN)
    t.click("button[type=submit]")
    t.select_option("#exercise", "short_border_pressure")
    t.fill("#label", "E2E class <i>")
    t.click("#create")
    expect(t.locator("h1")).to_have_text("E2E class <i>")
    expect(t.locator("#codes .join-code").first).to_be_hidden()  # codes only on demand
    expect(t.locator('#teams tr[data-state="china"] .submitted')).to_have_text("waiting")
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


def join(page, server: str, state: str, code: str) -> None:
    from playwright.sync_api import expect

    page.goto(server + "/")
    page.fill("#join-code", code.lower())  # any case works
    page.click("form[action='/join'] button")
    expect(page.locator("h1")).to_have_text(f"Team {state}")


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
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator(".amount-num").first.fill("5")
    expect(phone.locator(".cost").first).not_to_have_text("0 USD M")
    phone.click("#submit")
    expect(phone.locator("#msg")).to_have_text("submitted for round 1")
    expect(t.locator('#teams tr[data-state="china"] .submitted')).to_have_text("submitted", timeout=20_000)
    assert axe_violations(phone) == []
    pages.assert_clean(server)


@pytest.mark.slow(quick="test_a_team_joins_and_submits_on_a_phone")
def test_a_full_exercise_with_projector_and_a_phone(shipped_server, pages):
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
    proj.set_viewport_size({"width": 1600, "height": 900})
    proj.goto(server + t.locator("#projector-link").get_attribute("href"))
    expect(proj.locator("#countdown")).to_contain_text(":")
    assert not any(c in proj.content() for c in codes.values())

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
            expect(t.locator("#pending")).to_have_text("attack in gbao")
        for state, page in teams.items():
            # the inputs start at what holds (the plan, then the last allocation); each team changes one lever
            if state != "russia" or rnd == 1:  # Russia skips rounds 2 and 3: its allocation is kept
                page.locator(".amount-num").first.fill(str(5 * rnd))
                expect(page.locator(".cost").first).not_to_have_text("0 USD M")
                page.click("#submit")
                expect(page.locator("#msg")).to_have_text(f"submitted for round {rnd}")
        for state in teams:
            expected = "waiting" if state == "russia" and rnd > 1 else "submitted"
            expect(proj.locator(f'#submitted li[data-state="{state}"] .submitted')).to_have_text(
                expected, timeout=20_000
            )
        if rnd == 1:
            snap(proj, "projector", full=False)
        t.click("#advance")
        expect(t.locator("#round")).to_have_text(str(rnd), timeout=60_000)
        expect(proj.locator("#round")).to_have_text(str(rnd), timeout=20_000)
        for page in teams.values():  # the team pages follow without a reload
            expect(page.locator("#round")).to_have_text(str(rnd), timeout=20_000)
            expect(page.locator("#this-year")).to_be_visible()
            expect(page.locator("#changes li").first).to_be_visible()
        if rnd == 1:
            expect(phone.locator("#briefing-box")).not_to_have_attribute("open", "")  # folded away
        if rnd == 2:
            expect(proj.locator("#banner")).to_contain_text("attack in gbao")
            expect(phone.locator("#events")).to_contain_text("attack in gbao")
            snap(phone, "team-phone")
            assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            assert axe_violations(phone) == []
            snap(proj, "projector-event", full=False)
            assert axe_violations(proj) == []
        if rnd == 3:
            expect(teams["russia"].locator("#spending")).to_contain_text("did not submit")

    expect(t.locator("#advance")).to_be_disabled()
    expect(proj.locator("#chart-stability_index .main-svg").first).to_be_attached(timeout=20_000)
    t.click("#debrief-link")
    expect(t.locator("h1")).to_contain_text("Debrief")
    expect(t.locator("#scores tbody tr")).to_have_count(3)
    expect(t.locator("#timeline li")).to_have_text(["Round 2 (2023): attack in gbao"])
    expect(t.locator('.alloc-table[data-state="russia"] thead th').nth(2)).to_contain_text("kept")
    expect(t.locator("#facts li").first).to_be_visible()
    expect(t.locator("#chart-stability_index .main-svg").first).to_be_attached(timeout=20_000)
    t.fill("#replay", "1")
    t.dispatch_event("#replay", "input")
    expect(t.locator("#replay-out")).to_have_text("1")
    snap(t, "debrief")
    assert axe_violations(t) == []
    link = phone.locator("#debrief-link")
    expect(link).to_be_visible()
    link.click()
    expect(phone.locator("h1")).to_contain_text("Debrief")
    expect(phone.locator("#chart-stability_index .main-svg").first).to_be_attached(timeout=20_000)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert axe_violations(phone) == []

    # the explorer, on a phone: Run without touching a slider runs the scenario as written
    home.goto(server + "/explore")
    home.select_option("#scenario", "baseline")
    home.click("#run")
    expect(home.locator("#msg")).to_have_text("done", timeout=120_000)
    expect(home.locator("#chart-stability_index .main-svg").first).to_be_attached()
    expect(home.locator("#regions tbody tr").first).to_be_visible()
    assert home.evaluate("document.getElementById('progress').value") == 1
    assert axe_violations(home) == []
    pages.assert_clean(server)
