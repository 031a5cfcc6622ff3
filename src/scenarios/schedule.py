"""Per-year schedules: a constant, or values that hold from a date until the next date.

A schedule in a scenario file is either a number (held for the whole run) or a mapping from dates
to numbers, where a date is a year (``2021``) or a month (``"2021-08"``). The value at a date holds
until the next date; before the first date the schedule gives its ``default`` (0 for a lever, the
registry default for a driver). This module turns a schedule into one value per weekly step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import numpy as np

WEEKS_PER_YEAR = 52
DATE_PATTERN = re.compile(r"^(\d{4})(?:-(\d{2}))?$")

Schedule = float | Mapping[str, float]


def parse_date(text: str) -> float:
    """A date key as a fractional year: ``"2021"`` -> 2021.0, ``"2021-08"`` -> 2021 + 7/12."""
    m = DATE_PATTERN.match(text)
    if not m:
        raise ValueError(f"{text!r} is not a date; use a year like 2021 or a month like '2021-08'")
    year = int(m.group(1))
    month = int(m.group(2) or 1)
    if not 1 <= month <= 12:
        raise ValueError(f"{text!r}: month must be 01-12")
    return year + (month - 1) / 12


def step_years(start: str, n_steps: int) -> np.ndarray:
    """The fractional year at the start of each weekly step."""
    return parse_date(start) + np.arange(n_steps) / WEEKS_PER_YEAR


def expand(schedule: Schedule | None, years: np.ndarray, default: float) -> np.ndarray:
    """The schedule's value at each step (``years`` from :func:`step_years`), as float64."""
    if schedule is None:
        return np.full(years.shape, float(default))
    if not isinstance(schedule, Mapping):
        return np.full(years.shape, float(schedule))
    keys = sorted((parse_date(k), float(v)) for k, v in schedule.items())
    dates = np.array([k for k, _ in keys])
    values = np.array([float(default)] + [v for _, v in keys])
    # index 0 = before the first date; a tiny tolerance makes "2021" match the step that starts it
    idx = np.searchsorted(dates, years + 1e-9, side="right")
    return values[idx]
