"""Schedules (schedule.py): dates, weekly steps and the value a schedule holds at each step."""

from __future__ import annotations

import numpy as np
import pytest

from scenarios.schedule import WEEKS_PER_YEAR, expand, parse_date, step_years


def test_dates_are_fractional_years():
    assert parse_date("2021") == 2021.0
    assert parse_date("2021-01") == 2021.0
    assert parse_date("2021-07") == pytest.approx(2021.5)
    assert parse_date("2021-12") == pytest.approx(2021 + 11 / 12)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2021-13", "month must be 01-12"),
        ("2021-00", "month must be 01-12"),
        ("21", "is not a date"),
        ("2021/08", "is not a date"),
        ("2021-8", "is not a date"),
        ("", "is not a date"),
    ],
)
def test_a_bad_date_says_what_is_allowed(text, message):
    with pytest.raises(ValueError, match=message):
        parse_date(text)


def test_weekly_steps_start_at_the_start_date():
    years = step_years("2021-07", 2 * WEEKS_PER_YEAR)
    assert years.shape == (104,) and years[0] == pytest.approx(2021.5)
    assert np.diff(years) == pytest.approx(np.full(103, 1 / 52))


def test_a_missing_or_constant_schedule_holds_everywhere():
    years = step_years("2021", 10)
    assert np.array_equal(expand(None, years, 7.0), np.full(10, 7.0))
    assert np.array_equal(expand(3, years, 7.0), np.full(10, 3.0))
    assert expand(3, years, 7.0).dtype == np.float64


def test_a_dated_value_holds_until_the_next_date_and_the_default_before_the_first():
    years = step_years("2021", 3 * WEEKS_PER_YEAR)
    x = expand({"2023": 5.0, "2022-07": 2.0}, years, 1.0)  # unsorted keys are sorted by date
    assert np.all(x[:78] == 1.0)  # 2021 and the first half of 2022: the default
    assert x[78] == 2.0 and np.all(x[78:104] == 2.0)  # from week 27 of 2022: July
    assert np.all(x[104:] == 5.0)  # the step that starts 2023 takes the 2023 value


def test_a_date_before_the_start_applies_from_the_first_step():
    years = step_years("2024", 5)
    assert np.all(expand({"2020": 4.0, "2030": 9.0}, years, 0.0) == 4.0)
