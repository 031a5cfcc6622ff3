"""Calibration targets, declared as data in ``spec/data/targets.yaml``, and their summary statistics.

A target is a sourced pattern (an outcome, the years it covers, a statistic, the observed value or
range, a tolerance, the ``facts.yaml`` keys behind it). :func:`statistic` computes a target's
statistic from one run's weekly table and :func:`distance` the ABC distance of a set of statistics
to the observations: the sum over fitted targets of ``((sim - obs) / tolerance)^2``, where ``obs``
is the nearest bound when the observation is a range (zero inside it). Held-out targets are never
part of the distance; they are reported as predictions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

import numpy as np
import yaml
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scenarios.errors import ScenarioError
from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec import outcomes, registry

Statistic = Literal["per_year", "share", "year_end", "first_half"]
HALF_YEAR_WEEKS = 26


class Target(BaseModel):
    """One calibration target (see the header of ``targets.yaml`` for the fields)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: str = Field(pattern=r"^[a-z0-9_]+$")
    outcome: str
    of: str | None = None
    years: tuple[int, int]
    statistic: Statistic
    observed: float | tuple[float, float]
    tolerance: float = Field(gt=0)
    facts: tuple[str, ...] = ()
    note: str = ""
    held_out: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> Target:
        national = outcomes.national()
        for name in (self.outcome, self.of):
            if name is not None and name not in national:
                raise ValueError(f"outcome {name!r} is not a national outcome (allowed: {', '.join(national)})")
        if (self.statistic == "share") != (self.of is not None):
            raise ValueError("`of` (the denominator outcome) is given exactly when statistic is share")
        if self.years[0] > self.years[1]:
            raise ValueError(f"years {list(self.years)}: the first year is after the last")
        if isinstance(self.observed, tuple) and self.observed[0] > self.observed[1]:
            raise ValueError(f"observed range {list(self.observed)}: low is above high")
        if not self.facts and not self.note:
            raise ValueError("a target without facts.yaml keys needs a note saying where its figure comes from")
        return self

    @property
    def low(self) -> float:
        """Lower end of the observation (the value itself for a point observation)."""
        return float(self.observed[0] if isinstance(self.observed, tuple) else self.observed)

    @property
    def high(self) -> float:
        """Upper end of the observation."""
        return float(self.observed[1] if isinstance(self.observed, tuple) else self.observed)

    def observed_text(self) -> str:
        """The observation as text: ``4.537`` or ``100-300``."""
        return f"{self.low:g}" if self.low == self.high else f"{self.low:g}-{self.high:g}"

    def miss(self, value: float) -> float:
        """Signed miss in tolerances: 0 inside the observed range, else (value - nearest bound) / tolerance."""
        if value < self.low:
            return (value - self.low) / self.tolerance
        if value > self.high:
            return (value - self.high) / self.tolerance
        return 0.0


class TargetFile(BaseModel):
    """The whole ``targets.yaml``: calibrated assumptions and targets."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parameters: dict[str, tuple[str, ...]]
    targets: tuple[Target, ...]

    @model_validator(mode="after")
    def _consistent(self) -> TargetFile:
        if set(self.parameters) != {"assumptions"}:
            raise ValueError("parameters: has exactly one key, assumptions (a list of parameter names)")
        params = registry.parameters()
        for name in self.parameters["assumptions"]:
            if name not in params:
                raise ValueError(f"parameters.assumptions: {name!r} is not a parameter of parameters.yaml")
            if params[name].kind != "assumption" or params[name].min == params[name].max:
                raise ValueError(f"parameters.assumptions: {name!r} is not an assumption with a range")
        keys = [t.key for t in self.targets]
        if len(set(keys)) != len(keys):
            raise ValueError(f"target keys repeat: {sorted({k for k in keys if keys.count(k) > 1})}")
        if not any(not t.held_out for t in self.targets):
            raise ValueError("at least one target must be fitted (held_out: false)")
        known = fact_keys()
        for t in self.targets:
            missing = [k for k in t.facts if k not in known]
            if missing:
                raise ValueError(f"target {t.key}: facts {missing} are not keys of facts.yaml")
        return self


@cache
def fact_keys() -> frozenset[str]:
    """Keys of ``spec/data/facts.yaml``."""
    text = resources.files("scenarios.spec.data").joinpath("facts.yaml").read_text(encoding="utf-8")
    return frozenset(entry["key"] for entry in yaml.safe_load(text))


def load_targets(path: str | Path | None = None) -> TargetFile:
    """Read and validate a targets file (default: the shipped ``spec/data/targets.yaml``).

    Raises:
        ScenarioError: the file is missing, not YAML, or invalid; the message names the file, the
            key path and what is allowed.
    """
    name = str(path) if path is not None else "spec/data/targets.yaml"
    try:
        if path is None:
            text = resources.files("scenarios.spec.data").joinpath("targets.yaml").read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
    except OSError as err:
        raise ScenarioError(f"{name}: cannot read the targets file ({err.strerror})") from None
    except yaml.YAMLError as err:
        raise ScenarioError(f"{name}: not valid YAML ({str(err).splitlines()[0]})") from None
    try:
        return TargetFile.model_validate(raw)
    except ValidationError as err:
        lines = []
        for e in err.errors():
            where = ".".join(str(x) for x in e["loc"]) or "<top level>"
            lines.append(f"  - {name}: {where}: {e['msg'].removeprefix('Value error, ')}")
        raise ScenarioError(f"{len(lines)} problem(s) in the targets file:\n" + "\n".join(lines)) from None


def calibrated_parameters(targets: TargetFile) -> list[str]:
    """The parameters fitted: every ``calibrated`` parameter with a range, then the chosen assumptions."""
    params = registry.parameters()
    fitted = [n for n, p in params.items() if p.kind == "calibrated" and p.min < p.max]
    return fitted + [n for n in targets.parameters["assumptions"] if n not in fitted]


def _weeks(values: NDArray[np.float64], start_year: int, year: int) -> NDArray[np.float64]:
    i = year - start_year
    if i < 0 or (i + 1) * WEEKS_PER_YEAR > values.size:
        raise ValueError(
            f"year {year} is outside the run ({start_year}-{start_year + values.size // WEEKS_PER_YEAR - 1})"
        )
    return values[i * WEEKS_PER_YEAR : (i + 1) * WEEKS_PER_YEAR]


def statistic(target: Target, timeseries: Mapping[str, ArrayLike], start_year: int) -> float:
    """The target's statistic from one run's weekly national table (recorded weeks from ``start_year``).

    Raises:
        ValueError: a year of the target lies outside the run.
    """
    v = np.asarray(timeseries[target.outcome], dtype=float)
    years = range(target.years[0], target.years[1] + 1)
    if target.statistic == "share":
        assert target.of is not None
        d = np.asarray(timeseries[target.of], dtype=float)
        num = sum(float(_weeks(v, start_year, y).sum()) for y in years)
        den = sum(float(_weeks(d, start_year, y).sum()) for y in years)
        return num / den if den > 0 else 0.0
    if target.statistic == "year_end":
        return float(_weeks(v, start_year, target.years[1])[-1])
    if target.statistic == "first_half":
        return float(np.mean([_weeks(v, start_year, y)[:HALF_YEAR_WEEKS].sum() for y in years]))
    summary = outcomes.national()[target.outcome].summary
    per_year = []
    for y in years:
        w = _weeks(v, start_year, y)
        per_year.append(w.sum() if summary == "sum" else w[-1] if summary == "last" else w.mean())
    return float(np.mean(per_year))


def statistics(targets: Sequence[Target], timeseries: Mapping[str, ArrayLike], start_year: int) -> NDArray[np.float64]:
    """The statistics of ``targets`` (in order) from one run."""
    return np.array([statistic(t, timeseries, start_year) for t in targets])


def distance(targets: Sequence[Target], stats: NDArray[np.float64]) -> float:
    """ABC distance: sum of squared misses in tolerances over the fitted (not held-out) targets."""
    return float(sum(t.miss(float(s)) ** 2 for t, s in zip(targets, stats, strict=True) if not t.held_out))


def year_span(targets: Sequence[Target]) -> tuple[int, int]:
    """First and last calendar year any target covers (the run must cover them)."""
    return min(t.years[0] for t in targets), max(t.years[1] for t in targets)
