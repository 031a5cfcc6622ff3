"""A bounded load test: classes, open pages and explorer users on one server, no errors.

The quick version (2 classes, 20 pages, 2 explorer users and a flooding tab (1 loop) for 3 s, on
the exercise shortened to 1 year and the baseline to 1 year, both without the burn-in) runs in
``make test``; the full-size one (12 teams in 4 classes, 60 pages, 2 explorer users, a flooding tab
in 8 loops for 8 s, on the shipped library) is marked slow. The longer measurement with figures is
benchmarks/classroom_load.py (docs/benchmarks.md).
"""

from __future__ import annotations

import pytest
from helpers import serve_library_copy, shortened

from benchmarks import classroom_load

NO_BURN_IN = {"parameters": {"burn_in_weeks": 0}}
"""The quick test's runs start without the year of burn-in: the server's work per session (its
baseline, its band, each Advance) is halved; what is tested is the server under load, not the model."""


def load(db, seconds, sessions, pages, explorers, flood=0):
    classroom_load._DB[:] = [db]
    proc, base = classroom_load.start_server(db)
    try:
        return classroom_load.run_load(
            base, seconds=seconds, sessions=sessions, pages=pages, rounds=1, explorers=explorers, flood=flood
        )
    finally:
        classroom_load.stop_server(proc)


def test_six_teams_twenty_pages_two_explorers_and_a_flooding_tab_without_errors(tmp_path, monkeypatch):
    serve_library_copy(
        monkeypatch,
        tmp_path / "root",
        scenarios={"baseline": {"years": 1, **NO_BURN_IN}},
        exercises={"short_border_pressure": {**shortened(1), **NO_BURN_IN}},
    )
    result = load(tmp_path / "load.sqlite", seconds=3, sessions=2, pages=20, explorers=2, flood=1)
    assert result["teams"] == 6 and result["pages"] == 20
    assert result["requests"] >= 20 + 6  # every page polled, every team submitted
    assert result["errors"] == []  # the flooded team's page and submission included
    assert result["flood_requests"] > 0 and result["flood_other"] == []  # the flooding tab: 200 or 429, nothing else
    assert len(result["advance_s"]) == 2
    assert len(result["explorer_runs_s"]) >= 2  # each explorer user's first run at least


@pytest.mark.slow(quick="test_six_teams_twenty_pages_two_explorers_and_a_flooding_tab_without_errors")
def test_twelve_teams_sixty_pages_two_explorers_and_a_flooding_tab_without_errors(tmp_path):
    result = load(tmp_path / "load.sqlite", seconds=8, sessions=4, pages=60, explorers=2, flood=8)
    assert result["teams"] == 12 and result["pages"] == 60
    assert result["requests"] >= 60 + 12  # every page polled, every team submitted (a count, not a speed)
    assert result["errors"] == []  # the flooded team's own polls and submissions included
    assert result["flood_refused"] > 0 and result["flood_other"] == []
    assert len(result["advance_s"]) == 4
