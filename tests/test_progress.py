"""Progress and estimates of long commands (experiments/progress.py)."""

from __future__ import annotations

import io

import pytest
from helpers import baseline

from scenarios.experiments.progress import (
    SECONDS_PER_CITIZEN_YEAR,
    SECONDS_PER_YEAR,
    Progress,
    duration,
    replicate_seconds,
    scenario_seconds,
)


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (45.4, "45 s"),
        (89, "89 s"),
        (90, "2 min"),
        (12 * 60, "12 min"),
        (5.2 * 3600, "5.2 h"),
        (3.1 * 86400, "3.1 days"),
        (float("nan"), "?"),
        (float("inf"), "?"),
    ],
)
def test_durations_read_as_people_say_them(seconds, text):
    assert duration(seconds) == text


def test_a_replicate_costs_a_fixed_part_and_a_part_per_citizen_year():
    assert replicate_seconds(10, 0) == pytest.approx(10 * SECONDS_PER_YEAR)
    assert replicate_seconds(10, 10**6) - replicate_seconds(10, 0) == pytest.approx(
        10 * 10**6 * SECONDS_PER_CITIZEN_YEAR
    )


def test_a_scenario_estimate_counts_its_burn_in():
    with_burn_in = baseline(years=2, society__citizens=1000)
    without = baseline(years=2, society__citizens=1000, parameters__burn_in_weeks=0)
    assert scenario_seconds(without) == pytest.approx(replicate_seconds(2, 1000))
    assert scenario_seconds(with_burn_in) > scenario_seconds(without)


def test_the_line_shows_done_total_rate_and_time_left():
    out = io.StringIO()
    bar = Progress(4, "points", stream=out, started=0.0)
    assert bar.line().startswith("points 0/4 | 0/s | ? left")
    bar.update()
    bar.update()
    assert out.getvalue().count("\r") == 2 and "points 2/4" in out.getvalue() and not out.getvalue().endswith("\n")
    bar.update(2)
    assert out.getvalue().endswith("\n")  # the line ends when the work is done


def test_work_resumed_from_an_earlier_run_does_not_count_towards_the_rate():
    bar = Progress(10, done=6, enabled=False)
    assert bar.rate() == 0.0 and bar.line().endswith("? left")
    bar.update()
    assert bar.done == 7 and bar.rate() > 0


def test_a_disabled_bar_prints_nothing():
    out = io.StringIO()
    bar = Progress(2, stream=out, enabled=False)
    bar.update(2)
    assert out.getvalue() == "" and bar.done == 2
