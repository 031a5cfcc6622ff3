"""End to end in a real browser: a teacher and three teams play two rounds; the debrief renders;
no request leaves the server.

Uses Debian's chromium (/usr/bin/chromium) driven by Playwright, headless, with background
networking disabled; Playwright gives every launch a fresh temporary profile. `.ci/run` installs
chromium when it is missing. The server is `scenarios serve` on 127.0.0.1 and a free port,
started and stopped by the test, with every wait bounded.
"""

from __future__ import annotations

import pytest

from benchmarks import classroom_load  # starts and stops `scenarios serve` for tests and benchmarks

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PIN = "2468"

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path):
    proc, base = classroom_load.start_server(tmp_path / "class.sqlite", PIN, tmp_path / "server.log")
    try:
        yield base
    finally:
        classroom_load.stop_server(proc)


def test_teacher_and_three_teams_play_two_rounds(server):
    from playwright.sync_api import expect, sync_playwright

    requests: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=FLAGS, timeout=60_000)
        try:

            def new_page():  # a separate browser context (own cookies) that records every request
                ctx = browser.new_context()
                ctx.on("request", lambda r: requests.append(r.url))
                page = ctx.new_page()
                page.set_default_timeout(30_000)
                return page

            t = new_page()
            t.goto(server + "/teacher")
            t.fill("#pin", PIN)
            t.click("button[type=submit]")
            t.select_option("#exercise", "short_border_pressure")
            t.fill("#label", "E2E class <i>")
            t.click("#create")
            expect(t.locator("h1")).to_have_text("E2E class <i>")
            codes = {}
            for row in t.locator("#teams tbody tr").all():
                codes[row.get_attribute("data-state")] = row.locator(".join-code").inner_text()
            assert set(codes) == {"china", "tajikistan", "russia"}

            teams = {}
            for state, code in codes.items():
                page = new_page()
                page.goto(server + "/")
                page.fill("#join-code", code)
                page.click("form[action='/join'] button")
                expect(page.locator("h1")).to_have_text(f"Team {state}")
                teams[state] = page

            for rnd in (1, 2):
                for page in teams.values():
                    for box in page.locator("input.alloc").all():
                        box.fill("0")
                    page.locator("input.alloc").first.fill("40")
                    page.click("#submit")
                    expect(page.locator("#msg")).to_have_text(f"submitted for round {rnd}")
                for state in teams:
                    expect(t.locator(f'#teams tr[data-state="{state}"] .submitted')).to_have_text(
                        "submitted", timeout=20_000
                    )
                t.click("#advance")
                expect(t.locator("#round")).to_have_text(str(rnd), timeout=60_000)
                for page in teams.values():  # the team pages follow without a reload
                    expect(page.locator("#round")).to_have_text(str(rnd), timeout=20_000)
                    expect(page.locator("#world tbody tr").first).to_be_visible()

            expect(t.locator("#chart-stability_index .main-svg").first).to_be_attached(timeout=20_000)
            t.click("#debrief-link")
            expect(t.locator("h1")).to_contain_text("Debrief")
            expect(t.locator("#scores tbody tr")).to_have_count(3)
            expect(t.locator("#facts li").first).to_be_visible()
            expect(t.locator("#chart-stability_index .main-svg").first).to_be_attached(timeout=20_000)
        finally:
            browser.close()

    outside = [u for u in requests if not (u.startswith(server) or u.startswith("data:") or u.startswith("blob:"))]
    assert requests and outside == [], outside[:5]
