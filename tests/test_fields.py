"""Typed scenario fields (spec/fields.py): numbers and schedules checked against the registry's ranges."""

from __future__ import annotations

from typing import Annotated

import jsonschema
import pytest
from pydantic import ValidationError

from scenarios.spec import registry
from scenarios.spec.fields import (
    LeverSchedules,
    Registered,
    Schedule,
    Shares,
    Values,
    number_in,
    schedule_in,
    schedule_schema,
)


def test_a_number_must_be_finite_and_in_range():
    assert number_in(3, 0, 5, "t") == 3.0 and isinstance(number_in(3, 0, 5, "t"), float)
    assert number_in(0, 0, 5, "t") == 0.0 and number_in(5.0, 0, 5, "t") == 5.0
    for bad, message in (
        (True, r"expected a number in \[0, 5\] t"),
        ("3", r"expected a number in \[0, 5\] t"),
        (float("nan"), r"expected a finite number in \[0, 5\] t"),
        (float("inf"), r"expected a finite number"),
        (5.5, r"5.5 is outside \[0, 5\] t"),
        (-1, r"-1 is outside \[0, 5\] t"),
    ):
        with pytest.raises(ValueError, match=message):
            number_in(bad, 0, 5, "t")


def test_a_schedule_is_a_number_or_dated_numbers_sorted_by_date():
    assert schedule_in(2, 0, 10, "USD M/yr") == 2.0
    out = schedule_in({"2024": 3, 2021: 1, "2022-08": 2}, 0, 10, "USD M/yr")
    assert out == {"2021": 1.0, "2022-08": 2.0, "2024": 3.0} and list(out) == ["2021", "2022-08", "2024"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ({}, "an empty schedule"),
        ({"21": 1}, "schedule key '21' is not a date"),
        ({"2021-13": 1}, "month must be 01-12"),
        ({"2021": 1, "2023": 11}, r"at 2023: 11 is outside \[0, 10\] USD M/yr"),
        ({"2021": "x"}, r"at 2021: expected a number"),
    ],
)
def test_a_bad_schedule_names_the_date_or_value(value, message):
    with pytest.raises(ValueError, match=message):
        schedule_in(value, 0, 10, "USD M/yr")


def test_the_schedule_json_schema_accepts_what_the_loader_accepts():
    schema = schedule_schema(0, 10, "aid")
    assert schema["description"].startswith("aid.")
    for good in (0, 10, {"2021": 1, "2022-12": 10}):
        jsonschema.validate(good, schema)
    for bad in (11, -1, {"2021-13": 1}, {"2021": 11}, {"spring": 1}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_registered_reads_bounds_unit_and_description_from_the_registry():
    lever = registry.levers()["cybersecurity"]
    assert Registered("lever", "cybersecurity").bounds() == (lever.min, lever.max, lever.unit, lever.description)
    p = registry.parameters()["route_loss_elasticity"]
    lo, hi, unit, description = Registered("parameter", "route_loss_elasticity").bounds()
    assert (lo, hi, unit) == (p.min, p.max, p.unit) and description.startswith(p.kind)
    d = next(iter(registry.drivers().values()))
    assert Registered("driver", d.name).bounds()[:2] == (d.min, d.max)


class Tiny(Values):
    route_loss_elasticity: Annotated[float | None, Registered("parameter", "route_loss_elasticity")] = None


class TinyLevers(LeverSchedules):
    cybersecurity: Annotated[Schedule | None, Registered("lever", "cybersecurity")] = None


class TinyShares(Shares):
    cybersecurity: float | None = None
    military_training: float | None = None


def test_a_registered_field_validates_at_load_and_states_its_range_in_the_schema():
    p = registry.parameters()["route_loss_elasticity"]
    assert Tiny(route_loss_elasticity=p.max).route_loss_elasticity == p.max
    assert Tiny().given() == {} and Tiny(route_loss_elasticity=p.min).given() == {"route_loss_elasticity": p.min}
    with pytest.raises(ValidationError, match="is outside"):
        Tiny(route_loss_elasticity=p.max + 1)
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Tiny(route_loss_elastcity=1.0)
    field = Tiny.model_json_schema()["properties"]["route_loss_elasticity"]
    number = field["anyOf"][0]
    assert (number["minimum"], number["maximum"]) == (p.min, p.max) and {"type": "null"} in field["anyOf"]
    assert p.unit in field["description"]


def test_lever_schedules_and_shares_answer_for_any_name():
    levers = TinyLevers(cybersecurity={"2022": 5})
    assert levers.schedule("cybersecurity") == {"2022": 5.0}
    assert TinyLevers().schedule("cybersecurity") is None and levers.schedule("financial_aid") is None
    with pytest.raises(ValidationError, match="is outside"):
        TinyLevers(cybersecurity={"2022": 1e9})
    shares = TinyShares(cybersecurity=0.5)
    assert shares.weight("cybersecurity") == 0.5 and shares.weight("military_training") == 0.0
    assert shares.weight("not_a_lever") == 0.0
