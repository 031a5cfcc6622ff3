"""Outcomes, declared once as data (``spec/data/outcomes.yaml``): name, label, unit, definition,
direction, yearly summary and real-world counterpart; named views of them; the states' goals.

Outcomes are recorded every week at three levels: national (``timeseries``), per region
(``regions``) and per border segment (``segments``). Capacities get one outcome per channel
(``capacity_<channel>``) and drivers are recorded under their own names, so a results table
carries every input that changed over time.

The **dashboard** view holds the observable outcomes (attacks, casualties, arrests, prison
population, seizures, spending by category, ...): read those first. The stability index is a
secondary composite whose weights are parameters of the registry (``index_weight_*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Literal

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict

from scenarios.spec import registry

Level = Literal["national", "region", "segment"]
Summary = Literal["sum", "mean", "last"]


class Outcome(BaseModel):
    """One recorded outcome.

    Attributes:
        name: column name in results, key in reports.
        label: human label.
        unit: unit of one weekly value.
        description: the definition.
        higher_is_better: direction for reports (None: neither).
        level: national, region or segment.
        summary: how a year of weekly values becomes one number (sum for flows, mean for levels,
            last for cumulative totals).
        counterpart: the real-world figure it corresponds to and its source ("" if none).
        stage: the stage of the weekly schedule whose reporter writes it (``scenarios.model.stages``;
            ``capacity`` for the capacity outcomes, ``drivers`` for the drivers).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    label: str
    unit: str
    description: str
    higher_is_better: bool | None
    level: Level = "national"
    summary: Summary = "mean"
    counterpart: str = ""
    stage: str


class _File(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    views: dict[str, tuple[str, ...]]
    state_goals: dict[str, tuple[tuple[str, int], ...]]
    national: tuple[Outcome, ...]
    region: tuple[Outcome, ...]
    segment: tuple[Outcome, ...]


@cache
def _file() -> _File:
    text = resources.files("scenarios.spec.data").joinpath("outcomes.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    for level in ("region", "segment"):
        raw[level] = [{**o, "level": level} for o in raw[level]]
    return _File.model_validate(raw)


@cache
def national() -> dict[str, Outcome]:
    """National outcomes by name, including one per capacity channel and one per driver."""
    out = {o.name: o for o in _file().national}
    for ch in registry.channels().values():
        name = f"capacity_{ch.name}"
        out[name] = Outcome(
            name=name,
            label=f"Capacity: {ch.name}",
            unit="0-1",
            description=ch.description + " (mean over places)",
            higher_is_better=None,
            stage="capacity",
        )
    for d in registry.drivers().values():
        out[d.name] = Outcome(
            name=d.name,
            label=d.label,
            unit=d.unit,
            description=f"driver: {d.description}",
            higher_is_better=None,
            stage="drivers",
        )
    return out


@cache
def regional() -> dict[str, Outcome]:
    """Outcomes recorded per region."""
    return {o.name: o for o in _file().region}


@cache
def per_segment() -> dict[str, Outcome]:
    """Outcomes recorded per border segment."""
    return {o.name: o for o in _file().segment}


def view(name: str) -> tuple[str, ...]:
    """The outcomes of a named view: ``dashboard`` (observable outcomes, the primary output),
    ``headline`` (printed after a run), ``fan`` (fan charts), ``console`` (the compare table),
    ``classroom`` (series stored per round)."""
    return _file().views[name]


def views() -> dict[str, tuple[str, ...]]:
    """Every named view."""
    return dict(_file().views)


def state_goals() -> dict[str, tuple[tuple[str, int], ...]]:
    """Each state's own goals (classroom debrief scores, teacher's guides): (outcome, +1 if higher is better)."""
    return dict(_file().state_goals)


STATE_GOALS = state_goals()
"""Each state's own goals (see :func:`state_goals`)."""


# ---------------------------------------------------------------------------- stability index

INDEX_COMPONENTS = ("security", "order", "radicalisation", "legitimacy", "narcotics")
"""Components of the stability index; the weight of each is the parameter ``index_weight_<component>``.

Each is an outcome people bear (casualties, unrest and prison, radicalisation, legitimacy, drugs
delivered), not an intermediate quantity a lever acts on directly: the successful infiltrations of
Model 2.0's ``border`` component were exactly what pre-emption removes, so intelligence sharing
raised the index by construction; infiltrations now count through the attacks they lead to."""

SCALES = {
    "casualties_per_year": 30.0,
    "active_share": 0.05,
    "jailed_share": 0.01,
    "radicalised_share": 0.02,
    "delivered_t_per_year": 80.0,
}
"""Where each component falls to 0 (shares) or to 1/e (yearly counts): assumptions."""


def stability_components(
    casualties_52w: np.ndarray | float,
    active_share: np.ndarray | float,
    radicalised_share: np.ndarray | float,
    legitimacy: np.ndarray | float,
    jailed_share: np.ndarray | float = 0.0,
    delivered_52w: np.ndarray | float | None = None,
) -> dict[str, np.ndarray]:
    """Each component of the stability index on 0-1 (1 = best).

    ``order`` counts both open unrest and imprisonment for it (``active/0.05 + jailed/0.01``), so a
    scenario cannot buy order by jailing the population.
    """
    disorder = np.asarray(active_share) / SCALES["active_share"] + np.asarray(jailed_share) / SCALES["jailed_share"]
    comp = {
        "security": np.exp(-np.asarray(casualties_52w) / SCALES["casualties_per_year"]),
        "order": 1.0 - np.minimum(1.0, disorder),
        "radicalisation": 1.0 - np.minimum(1.0, np.asarray(radicalised_share) / SCALES["radicalised_share"]),
        "legitimacy": np.asarray(legitimacy, dtype=float),
    }
    if delivered_52w is not None:
        comp["narcotics"] = np.exp(-np.asarray(delivered_52w) / SCALES["delivered_t_per_year"])
    return comp


def index_weights(params: object | None = None) -> dict[str, float]:
    """The index weights: from ``params`` (a :class:`~scenarios.spec.params.Params`) or the registry."""
    if params is None:
        table = registry.parameters()
        return {c: table[f"index_weight_{c}"].value for c in INDEX_COMPONENTS}
    return {c: float(getattr(params, f"index_weight_{c}")) for c in INDEX_COMPONENTS}


def stability_index(weights: Mapping[str, float], **components: np.ndarray | float | None) -> np.ndarray:
    """The stability index, 0-100: the weighted mean of the components given (weights renormalised).

    With all five components this is the national index; the regional index uses security
    (regional casualties over 52 weeks, on a scale shrunk by the region's population share),
    order, radicalisation and legitimacy.
    """
    comp = stability_components(**components)  # type: ignore[arg-type]
    total = sum(weights[k] for k in comp)
    if total <= 0:
        return np.full(np.shape(comp["legitimacy"]), np.nan)
    return np.asarray(100.0 * sum(weights[k] * v for k, v in comp.items()) / total)
