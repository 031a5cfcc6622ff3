"""Typed scenario fields whose bounds, unit and description come from the registries.

A scenario's levers, drivers and parameters are declared as ordinary pydantic fields (so mypy and
editors know them), listed in :mod:`scenarios.spec.declared`; each carries a :class:`Registered`
marker naming its registry entry. The marker validates the value against that entry's range at
load time and writes the entry's unit and description into the JSON Schema, so the numbers stay
declared once, in ``spec/data/*.yaml``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from scenarios.schedule import DATE_PATTERN, parse_date
from scenarios.spec import registry

CONFIG_DICT = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

Schedule = float | dict[str, float]
"""A number held for the whole run, or a mapping of dates (``"2021"``, ``"2021-08"``) to numbers."""

DATE_SCHEMA_PATTERN = r"^\d{4}(-(0[1-9]|1[0-2]))?$"
"""What the loader accepts as a date key: a year, or a year and a month 01-12."""


class Strict(BaseModel):
    """Base of every scenario model: unknown keys fail, instances are frozen, no NaN or infinity."""

    model_config = CONFIG_DICT


def number_in(value: object, lo: float, hi: float, unit: str) -> float:
    """``value`` as a float if it is a finite number in [lo, hi].

    Raises:
        ValueError: naming the allowed range and unit.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number in [{lo:g}, {hi:g}] {unit}")
    x = float(value)
    if not math.isfinite(x):
        raise ValueError(f"expected a finite number in [{lo:g}, {hi:g}] {unit}")
    if not lo <= x <= hi:
        raise ValueError(f"{x:g} is outside [{lo:g}, {hi:g}] {unit}")
    return x


def schedule_in(value: object, lo: float, hi: float, unit: str) -> Schedule:
    """``value`` as a schedule bounded to [lo, hi]: a number, or a mapping of dates to numbers, sorted by date.

    Raises:
        ValueError: naming the bad date or value and what is allowed.
    """
    if not isinstance(value, Mapping):
        return number_in(value, lo, hi, unit)
    if not value:
        raise ValueError("an empty schedule; give a number or a mapping like {2021: 10, 2024: 20}")
    out: dict[str, float] = {}
    for key, v in value.items():
        k = str(key)
        if not DATE_PATTERN.match(k):
            raise ValueError(f"schedule key {key!r} is not a date (a year like 2021 or a month like '2021-08')")
        parse_date(k)
        try:
            out[k] = number_in(v, lo, hi, unit)
        except ValueError as err:
            raise ValueError(f"at {k}: {err}") from None
    return dict(sorted(out.items(), key=lambda kv: parse_date(kv[0])))


def schedule_schema(lo: float, hi: float, description: str) -> dict[str, Any]:
    """The JSON Schema of a schedule bounded to [lo, hi] (a number or a date -> number mapping)."""
    number = {"type": "number", "minimum": lo, "maximum": hi}
    return {
        "description": f"{description}. A number, or a mapping of year/month to numbers.",
        "anyOf": [
            number,
            {"type": "object", "patternProperties": {DATE_SCHEMA_PATTERN: number}, "additionalProperties": False},
        ],
    }


@dataclass(frozen=True)
class Registered:
    """Marker on a field ``Annotated[Schedule | None, Registered("lever", name)]``: checked against the registry.

    Attributes:
        kind: which registry declares the field: a lever or driver (a schedule) or a parameter (a number).
        name: the registry name, equal to the field name.
    """

    kind: Literal["lever", "driver", "parameter"]
    name: str

    def bounds(self) -> tuple[float, float, str, str]:
        """(low, high, unit, description) of the registry entry."""
        if self.kind == "lever":
            lv = registry.levers()[self.name]
            return lv.min, lv.max, lv.unit, lv.description
        if self.kind == "driver":
            d = registry.drivers()[self.name]
            return d.min, d.max, d.unit, d.description
        p = registry.parameters()[self.name]
        return p.min, p.max, p.unit, f"{p.kind}: {p.source}"

    def validate(self, value: object) -> Schedule | None:
        """The value checked against the entry's range (``None`` means: not set)."""
        if value is None:
            return None
        lo, hi, unit, _ = self.bounds()
        if self.kind == "parameter":
            return number_in(value, lo, hi, unit)
        return schedule_in(value, lo, hi, unit)

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_plain_validator_function(self.validate)

    def __get_pydantic_json_schema__(self, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        lo, hi, unit, description = self.bounds()
        if self.kind == "parameter":
            value: dict[str, Any] = {
                "type": "number",
                "minimum": lo,
                "maximum": hi,
                "description": f"[{unit}] {description}",
            }
        else:
            value = schedule_schema(lo, hi, f"{description} [{unit}]")
        return {"anyOf": [value, {"type": "null"}], "description": value.pop("description")}


class LeverSchedules(Strict):
    """Base of a state's lever fields (one optional schedule per lever the state supplies)."""

    def schedule(self, name: str) -> Schedule | None:
        """The schedule given for lever ``name``, or ``None`` (not set, or not a lever of this state)."""
        if name not in type(self).model_fields:
            return None
        value: Schedule | None = getattr(self, name)
        return value


class Values(Strict):
    """Base of the driver schedules and parameter values of a scenario."""

    def given(self) -> dict[str, Schedule]:
        """The entries the scenario sets, by name (unset ones are left to the registry's defaults)."""
        return {name: v for name in type(self).model_fields if (v := getattr(self, name)) is not None}


class Shares(Strict):
    """Base of a mapping of names to optional weights in [0, 1] (normalised by the model)."""

    def weight(self, name: str) -> float:
        """The weight given to ``name``; 0.0 when not given or not a field."""
        if name not in type(self).model_fields:
            return 0.0
        value: float | None = getattr(self, name)
        return 0.0 if value is None else value
