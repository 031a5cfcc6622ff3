"""A bounded load test: 12 teams in 4 classes, 60 open pages and 2 explorer users on one server, no errors.

The longer measurement with figures is benchmarks/classroom_load.py (docs/benchmarks.md).
"""

from __future__ import annotations

from benchmarks import classroom_load


def test_twelve_teams_sixty_pages_and_two_explorers_without_errors(tmp_path):
    db = tmp_path / "load.sqlite"
    classroom_load._DB[:] = [db]
    proc, base = classroom_load.start_server(db)
    try:
        result = classroom_load.run_load(base, seconds=8, sessions=4, pages=60, rounds=1, explorers=2)
    finally:
        classroom_load.stop_server(proc)
    assert result["teams"] == 12 and result["pages"] == 60
    assert result["requests"] >= 200
    assert result["errors"] == []
    assert len(result["advance_s"]) == 4
