"""Why an outcome moved: a difference between two scenarios decomposed by coupling, with paired knockouts.

The couplings of docs/model.md section 7.7 that can be switched off are declared in
``spec/data/knockouts.yaml`` (each sets its parameters to their neutral value). For a scenario S
and its baseline B, paired over common random numbers (replicate r of every run uses seed r), and
for each outcome:

- total: D = S - B in the full model;
- part of coupling c: P_c = D - D_{-c}, where D_{-c} is the same difference with c knocked out in
  both S and B (how much of the difference passes through c);
- direct: D_0, the difference with every declared coupling knocked out (the levers' own channels
  and the couplings that cannot be switched off);
- remainder: R = D - D_0 - sum_c P_c, what interactions between couplings leave.

So direct + parts + remainder = total in every replicate, by construction (up to floating-point
rounding). Each part is reported as its mean over replicates with a 95% t interval of the paired
per-replicate values.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import yaml
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, model_validator

from scenarios.analysis.summary import mean_ci
from scenarios.spec import registry
from scenarios.spec.config import Scenario, derive

FULL = "full"
"""Variant name of the unchanged model."""
ALL_OFF = "all_off"
"""Variant name with every declared coupling knocked out."""


class Knockout(BaseModel):
    """One coupling and the neutral values that switch it off."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    label: str
    set: dict[str, float]

    @model_validator(mode="after")
    def _in_range(self) -> Knockout:
        params = registry.parameters()
        for key, value in self.set.items():
            if key not in params:
                raise ValueError(f"knockout {self.name}: {key!r} is not a parameter of parameters.yaml")
            p = params[key]
            if not p.min <= value <= p.max:
                raise ValueError(f"knockout {self.name}: {key} = {value} is outside its range [{p.min}, {p.max}]")
        return self


@cache
def knockouts() -> tuple[Knockout, ...]:
    """The declared knockouts (``spec/data/knockouts.yaml``), in file order."""
    text = resources.files("scenarios.spec.data").joinpath("knockouts.yaml").read_text(encoding="utf-8")
    found = tuple(Knockout.model_validate(k) for k in yaml.safe_load(text)["couplings"])
    names = [k.name for k in found]
    if len(set(names)) != len(names):
        raise ValueError(f"knockouts.yaml: names repeat: {names}")
    return found


def variant_name(scenario: str, variant: str) -> str:
    """The name of a scenario's knockout variant, e.g. ``security_first.ko.prison_radicalisation``."""
    return scenario if variant == FULL else f"{scenario}.ko.{variant}"


def variants(scenario: Scenario, chosen: Sequence[Knockout] | None = None) -> dict[str, Scenario]:
    """The runs an explanation needs for one scenario: full, each knockout, and all knocked out."""
    ks = knockouts() if chosen is None else tuple(chosen)
    out = {FULL: scenario}
    for k in ks:
        out[k.name] = _knock(scenario, k.name, dict(k.set))
    out[ALL_OFF] = _knock(scenario, ALL_OFF, {key: v for k in ks for key, v in k.set.items()})
    return out


def _knock(scenario: Scenario, variant: str, values: Mapping[str, float]) -> Scenario:
    changes: dict[str, Any] = {f"parameters__{key}": v for key, v in values.items()}
    return derive(scenario, name=variant_name(scenario.name, variant), **changes)


@dataclass(frozen=True)
class Part:
    """One term of an explained difference: its per-replicate values, mean and 95% interval."""

    name: str
    label: str
    values: np.ndarray

    @property
    def mean(self) -> float:
        """Mean over replicates."""
        return float(np.mean(self.values))

    @property
    def interval(self) -> tuple[float, float]:
        """95% t interval of the mean (NaN with fewer than 2 replicates)."""
        _, lo, hi = mean_ci(self.values)
        return lo, hi


@dataclass(frozen=True)
class Explanation:
    """A difference (scenario - baseline, one outcome) as direct + coupling parts + remainder."""

    scenario: str
    outcome: str
    total: Part
    direct: Part
    parts: tuple[Part, ...]
    remainder: Part

    def terms(self) -> list[Part]:
        """Direct, each coupling's part, then the remainder: they add up to the total."""
        return [self.direct, *self.parts, self.remainder]


def explain(
    baseline: Mapping[str, np.ndarray],
    scenario: Mapping[str, np.ndarray],
    name: str,
    outcome: str,
    chosen: Sequence[Knockout] | None = None,
) -> Explanation:
    """Decompose the paired difference ``scenario - baseline`` of one outcome.

    Args:
        baseline: variant name (``full``, each knockout, ``all_off``) -> per-replicate values of the baseline.
        scenario: the same for the scenario.
        name: the scenario's name (for the result).
        outcome: the outcome's name (for the result).
        chosen: the knockouts run (default: all declared).

    Raises:
        KeyError: a variant is missing.
        ValueError: variants differ in their number of replicates.
    """
    ks = knockouts() if chosen is None else tuple(chosen)

    def diff(variant: str) -> NDArray[np.float64]:
        a = np.asarray(scenario[variant], dtype=np.float64)
        b = np.asarray(baseline[variant], dtype=np.float64)
        if a.shape != b.shape:
            raise ValueError(f"{variant}: {a.size} replicates against {b.size}")
        return a - b

    total = diff(FULL)
    direct = diff(ALL_OFF)
    parts = tuple(Part(k.name, k.label, total - diff(k.name)) for k in ks)
    if any(p.values.shape != total.shape for p in parts) or direct.shape != total.shape:
        raise ValueError("every variant needs the same replicates")
    stacked = np.vstack([direct, *(p.values for p in parts)])
    remainder = np.array([total[r] - math.fsum(stacked[:, r]) for r in range(total.size)])
    return Explanation(
        name,
        outcome,
        Part("total", "total difference", total),
        Part("direct", "direct (every listed coupling off)", direct),
        parts,
        Part("remainder", "remainder (interactions between couplings)", remainder),
    )


def explain_against_first(
    values: Sequence[Mapping[str, Mapping[str, np.ndarray]]],
    names: Sequence[str],
    outcomes: Sequence[str],
    chosen: Sequence[Knockout] | None = None,
) -> list[Explanation]:
    """:func:`explain` for every scenario after the first against the first, outcome by outcome.

    Args:
        values: per scenario (the baseline first), variant name -> outcome -> per-replicate values.
        names: the scenarios' names, in the same order.
        outcomes: the outcomes to explain.
        chosen: the knockouts run (default: all declared).
    """
    found = []
    for name, vals in zip(names[1:], values[1:], strict=True):
        for outcome in outcomes:
            base = {k: v[outcome] for k, v in values[0].items()}
            mine = {k: v[outcome] for k, v in vals.items()}
            found.append(explain(base, mine, name, outcome, chosen))
    return found
