"""Registries of levers, drivers, parameters and the world, read from the package's data files.

Everything that describes the world or a number the model uses lives in ``scenarios/spec/data/*.yaml``
with its source; this module only reads and validates those files. Every other part of the
package (config schema, CLI listing, docs tables, web sliders, sensitivity bounds) derives from the
objects returned here, so a lever or parameter is declared exactly once.
"""

from __future__ import annotations

import difflib
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

STATES = ("tajikistan", "china", "russia", "taliban", "sco")
"""The state agents, in the fixed order the model steps them."""

Level = Literal["segment", "region", "national"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Channel(_Frozen):
    """A capacity of Tajik forces and institutions that levers build."""

    name: str
    level: Level
    description: str
    read_by: tuple[str, ...] = ()
    """Stages of the weekly schedule (modules of ``scenarios.model``) that read this capacity."""
    reaches: tuple[str, ...] = ()
    """Outcomes it moves first (the lever-pathway table in docs/model.md)."""


class StrongDose(_Frozen):
    """The level a lever check raises one supplier's lever to (``scenarios check-model``), and why."""

    level: float
    rationale: str = Field(min_length=1)


class ExpectedSign(_Frozen):
    """The sign the literature gives a lever's effect on one outcome, and where that comes from.

    ``suppliers`` limits it to some of the lever's suppliers (empty: every supplier), for the
    literature that gives a supplier-dependent sign; a lever lists one entry per sign.
    """

    outcome: str
    sign: Literal[-1, 1]
    source: str = Field(min_length=1)
    suppliers: tuple[str, ...] = ()


class Lever(_Frozen):
    """One cooperation lever of the article (docs/model.md §7.1)."""

    name: str
    label: str
    description: str
    unit: str
    min: float = 0.0
    max: float
    cost_musd_per_unit: float = Field(gt=0)
    article: str
    anchors: tuple[str, ...] = ()
    suppliers: tuple[str, ...]
    spatial: Level
    lag_weeks: int = Field(ge=0)
    lifetime_weeks: float = Field(ge=1)
    half_saturation_stock: float = Field(gt=0)
    category: Literal["security", "economic", "soft"]
    price_source: str
    effects: dict[str, float]
    sco_amplified: bool = False
    multiplier: bool = False
    funds_other_levers: bool = False
    raises_exposure: bool = False
    aid_default: bool = False
    """Tajikistan spends received aid on this lever when a scenario gives no ``aid_allocation``."""
    strong_dose: StrongDose | None = None
    """The dose of the lever checks; None: half the range (:attr:`dose`)."""
    expected_sign: tuple[ExpectedSign, ...] = ()
    """What the lever checks assert; empty: report only (no clear sign in the literature)."""
    notes: str = ""

    @property
    def helps_smugglers(self) -> bool:
        """Whether the lever builds roads that smugglers use (it feeds the ``roads`` channel)."""
        return self.effects.get("roads", 0.0) > 0

    @property
    def dose(self) -> StrongDose:
        """The strong dose of the lever checks: the declared one, or half the range."""
        if self.strong_dose is not None:
            return self.strong_dose
        return StrongDose(level=(self.min + self.max) / 2, rationale="half the range (no strong_dose declared)")

    def expectation(self, state: str) -> ExpectedSign | None:
        """The sign the checks assert when ``state`` supplies the lever (None: report only)."""
        return next((e for e in self.expected_sign if not e.suppliers or state in e.suppliers), None)

    @field_validator("expected_sign", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, dict) else value

    @model_validator(mode="after")
    def _check(self) -> Lever:
        unknown = set(self.suppliers) - set(STATES)
        if unknown:
            raise ValueError(f"lever {self.name}: unknown suppliers {sorted(unknown)}")
        if self.strong_dose is not None and not self.min < self.strong_dose.level <= self.max:
            raise ValueError(
                f"lever {self.name}: strong_dose.level {self.strong_dose.level:g} outside its range "
                f"(allowed: above min {self.min:g}, at most max {self.max:g})"
            )
        covered: list[str] = []
        for exp in self.expected_sign:
            others = set(exp.suppliers) - set(self.suppliers)
            if others:
                raise ValueError(
                    f"lever {self.name}: expected_sign names {sorted(others)}, not suppliers of the lever "
                    f"(allowed: {', '.join(self.suppliers)})"
                )
            covered += list(exp.suppliers or self.suppliers)
        twice = sorted({s for s in covered if covered.count(s) > 1})
        if twice:
            raise ValueError(
                f"lever {self.name}: expected_sign gives {twice} more than one sign (one entry per supplier)"
            )
        return self


class Driver(_Frozen):
    """An exogenous driver (uncertainty) a scenario can set or sweep."""

    name: str
    label: str
    unit: str
    min: float
    max: float
    default: float
    description: str
    source: str


class Parameter(_Frozen):
    """A model parameter with its value, plausible range, unit and source."""

    name: str
    group: str
    value: float
    min: float
    max: float
    unit: str
    kind: Literal["sourced", "assumption", "calibrated"]
    source: str
    target: str = ""

    @model_validator(mode="after")
    def _in_range(self) -> Parameter:
        if not self.min <= self.value <= self.max:
            raise ValueError(f"parameter {self.name}: value {self.value} outside [{self.min}, {self.max}]")
        return self


class Region(_Frozen):
    name: str
    label: str
    population: int = Field(gt=0)
    coords: tuple[float, float]
    autonomy_movement: bool = False
    jihadist_susceptibility: float = Field(default=1.0, ge=0, le=1)


class Province(_Frozen):
    name: str
    label: str
    coords: tuple[float, float]
    supply_share: float = Field(ge=0, le=1)
    militant_share: float = Field(ge=0, le=1)


class Segment(_Frozen):
    name: str
    label: str
    region: str
    faces: tuple[str, ...]
    length_km: float = Field(gt=0)
    difficulty: float = Field(ge=0, lt=1)
    coords: tuple[float, float]


class ChinaBorder(_Frozen):
    name: str
    label: str
    region: str
    length_km: float
    coords: tuple[float, float]


class Exit(_Frozen):
    name: str
    label: str
    coords: tuple[float, float]


class Route(_Frozen):
    name: str
    path: tuple[str, ...]
    exit: str
    length_km: float = Field(gt=0)


class World(_Frozen):
    """Tajikistan's regions, Afghan border segments, provinces, exits and routes, with sources."""

    name: str
    sources: dict[str, str]
    capital: str
    regions: tuple[Region, ...]
    afghan_provinces: tuple[Province, ...]
    segments: tuple[Segment, ...]
    china_border: ChinaBorder
    exits: tuple[Exit, ...]
    routes: tuple[Route, ...]

    @model_validator(mode="after")
    def _consistent(self) -> World:
        regions = {r.name for r in self.regions}
        provinces = {p.name for p in self.afghan_provinces}
        exits = {e.name for e in self.exits}
        if self.capital not in regions:
            raise ValueError(f"capital {self.capital!r} is not a region")
        for s in self.segments:
            if s.region not in regions:
                raise ValueError(f"segment {s.name}: unknown region {s.region}")
            if not set(s.faces) <= provinces:
                raise ValueError(f"segment {s.name}: unknown provinces {sorted(set(s.faces) - provinces)}")
        for r in self.routes:
            if not set(r.path) <= regions or r.exit not in exits:
                raise ValueError(f"route {r.name}: unknown region or exit")
            if not any(s.region == r.path[0] for s in self.segments):
                raise ValueError(f"route {r.name}: no border segment enters region {r.path[0]}")
        if self.china_border.region not in regions:
            raise ValueError(f"china_border: region {self.china_border.region!r} is not a region")
        faced = {name for s in self.segments for name in s.faces}
        if provinces - faced:
            raise ValueError(f"afghan_provinces {sorted(provinces - faced)}: no border segment faces them")
        for share in ("supply_share", "militant_share"):
            if sum(getattr(p, share) for p in self.afghan_provinces) <= 0:
                raise ValueError(f"afghan_provinces: {share} is 0 everywhere (at least one province must be above 0)")
        return self

    @property
    def region_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self.regions)

    @property
    def segment_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.segments)


class LeverFile(_Frozen):
    channels: dict[str, Channel]
    ranges: dict[str, tuple[float, float]]
    levers: tuple[Lever, ...]


def _read(name: str) -> dict[str, Any]:
    """A packaged data file as raw YAML (each caller validates its part with a pydantic model)."""
    text = resources.files("scenarios.spec.data").joinpath(name).read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise TypeError(f"scenarios/spec/data/{name}: the top level must be a mapping, not a {type(data).__name__}")
    return data


@cache
def lever_file() -> LeverFile:
    raw = _read("levers.yaml")
    raw["channels"] = {k: {"name": k, **v} for k, v in raw["channels"].items()}
    lf = LeverFile.model_validate(raw)
    for lever in lf.levers:
        unknown = set(lever.effects) - set(lf.channels)
        if unknown:
            raise ValueError(f"lever {lever.name}: unknown channels {sorted(unknown)}")
    multipliers = [lever.name for lever in lf.levers if lever.multiplier]
    if len(multipliers) > 1:
        raise ValueError(f"at most one lever may be the multiplier of sco_amplified levers; got {multipliers}")
    _check_expected_outcomes(lf)
    _check_aid_default(lf)
    return lf


def _check_expected_outcomes(lf: LeverFile) -> None:
    """Every expected sign names a national outcome of ``outcomes.yaml`` or a declared channel's capacity."""
    declared = [o["name"] for o in _read("outcomes.yaml")["national"]]
    declared += [f"capacity_{c}" for c in lf.channels]
    for lever in lf.levers:
        for exp in lever.expected_sign:
            if exp.outcome not in declared:
                close = difflib.get_close_matches(exp.outcome, declared, n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                raise ValueError(
                    f"lever {lever.name}: expected_sign.outcome {exp.outcome!r} is not a declared national "
                    f"outcome (outcomes.yaml or capacity_<channel>){hint}"
                )


def _check_aid_default(lf: LeverFile) -> None:
    """The default aid allocation needs a Tajik lever to spend on, and only Tajik levers can be in it."""
    if not any(lever.funds_other_levers for lever in lf.levers):
        return
    chosen = [lever for lever in lf.levers if lever.aid_default]
    if not chosen:
        raise ValueError("no lever sets aid_default: true (the levers Tajikistan spends aid on by default)")
    wrong = [lever.name for lever in chosen if "tajikistan" not in lever.suppliers or lever.funds_other_levers]
    if wrong:
        raise ValueError(
            f"levers {wrong} set aid_default but Tajikistan cannot spend aid on them "
            "(allowed: levers tajikistan supplies that do not themselves fund other levers)"
        )


@cache
def levers() -> dict[str, Lever]:
    """All levers by name, in declaration order."""
    return {lever.name: lever for lever in lever_file().levers}


@cache
def channels() -> dict[str, Channel]:
    """All capacity channels by name."""
    return dict(lever_file().channels)


@cache
def drivers() -> dict[str, Driver]:
    """All exogenous drivers by name."""
    return {d["name"]: Driver.model_validate(d) for d in _read("drivers.yaml")["drivers"]}


@cache
def parameters() -> dict[str, Parameter]:
    """All model parameters by name."""
    return {p["name"]: Parameter.model_validate(p) for p in _read("parameters.yaml")["parameters"]}


@cache
def default_world() -> World:
    """The world shipped with the package (``scenarios/spec/data/world.yaml``)."""
    return World.model_validate(_read("world.yaml"))


def load_world(path: str | None) -> World:
    """The world in ``path`` (a YAML file with the layout of the shipped one), or the default."""
    if path is None:
        return default_world()
    with open(path, encoding="utf-8") as fh:
        return World.model_validate(yaml.safe_load(fh))


def flagged(flag: str) -> tuple[str, ...]:
    """Names of the levers whose declaration sets ``flag`` (``funds_other_levers``, ``raises_exposure``, ...)."""
    return tuple(name for name, lever in levers().items() if getattr(lever, flag))


def levers_of(state: str) -> tuple[str, ...]:
    """Names of the levers ``state`` can supply."""
    return tuple(name for name, lever in levers().items() if state in lever.suppliers)
