"""Outcomes, declared once: name (= results column = report label), definition, unit, direction.

Outcomes are recorded every week at three levels: national (``timeseries``), per region
(``regions``) and per border segment (``segments``). Capacities get one outcome per channel
(``capacity_<channel>``) and drivers are recorded under their own names, so a results table
carries every input that changed over time. The stability index is a documented composite.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np

from scenarios.spec import registry

Level = Literal["national", "region", "segment"]
Summary = Literal["sum", "mean", "last"]


@dataclass(frozen=True)
class Outcome:
    """One recorded outcome.

    Attributes:
        name: column name in results, key in reports.
        label: human label.
        unit: unit of one weekly value.
        description: the definition.
        higher_is_better: direction for reports (None: neither).
        level: national, region or segment.
        summary: how a year of weekly values becomes one number (sum for flows, mean for levels).
    """

    name: str
    label: str
    unit: str
    description: str
    higher_is_better: bool | None
    level: Level = "national"
    summary: Summary = "mean"


_N = "national"
_BASE: tuple[Outcome, ...] = (
    Outcome(
        "stability_index",
        "Stability index",
        "0-100",
        "Composite of security, order, radicalisation, legitimacy, narcotics and border (see stability_index())",
        True,
    ),
    Outcome(
        "threat_index",
        "Threat index",
        "0-1",
        "Tajikistan's perceived threat: smoothed casualties, infiltrations and unrest (drives adaptive policies)",
        False,
    ),
    Outcome("attacks", "Attacks", "attacks/week", "Militant attacks carried out in Tajikistan", False, _N, "sum"),
    Outcome("casualties", "Casualties", "persons/week", "Casualties (killed and injured) of attacks", False, _N, "sum"),
    Outcome(
        "attacks_on_chinese",
        "Attacks on Chinese interests",
        "attacks/week",
        "Attacks whose target was Chinese nationals or assets",
        False,
        _N,
        "sum",
    ),
    Outcome(
        "casualties_chinese",
        "Casualties in attacks on Chinese interests",
        "persons/week",
        "Casualties of attacks on Chinese targets",
        False,
        _N,
        "sum",
    ),
    Outcome(
        "mass_casualty_attacks",
        "Mass-casualty attacks",
        "attacks/week",
        "Attacks with at least mass_casualty_threshold casualties",
        False,
        _N,
        "sum",
    ),
    Outcome(
        "infiltration_attempts",
        "Infiltration attempts",
        "attempts/week",
        "Militant attempts to cross the Afghan border",
        None,
        _N,
        "sum",
    ),
    Outcome(
        "infiltration_preempted",
        "Infiltrations pre-empted",
        "attempts/week",
        "Attempts stopped in advance by intelligence",
        True,
        _N,
        "sum",
    ),
    Outcome(
        "infiltration_successes",
        "Infiltration successes",
        "crossings/week",
        "Attempts that crossed and formed a cell",
        False,
        _N,
        "sum",
    ),
    Outcome(
        "militant_members",
        "Militant group strength",
        "members",
        "Members of all militant groups facing Tajikistan",
        False,
    ),
    Outcome("active_cells", "Active cells", "cells", "Militant cells inside Tajikistan", False),
    Outcome(
        "drug_inflow_t",
        "Drug inflow",
        "t/week",
        "Drugs crossing the Afghan border (attempted crossings)",
        False,
        _N,
        "sum",
    ),
    Outcome("seizures_t", "Seizures", "t/week", "Drugs seized at the border and in transit", None, _N, "sum"),
    Outcome("seizures_opiates_t", "Seizures of opiates", "t/week", "Opiates seized", None, _N, "sum"),
    Outcome("seizures_meth_t", "Seizures of methamphetamine", "t/week", "Methamphetamine seized", None, _N, "sum"),
    Outcome(
        "delivered_t",
        "Drugs delivered north",
        "t/week",
        "Drugs that left Tajikistan for Uzbekistan or Kyrgyzstan",
        False,
        _N,
        "sum",
    ),
    Outcome("seizure_rate", "Seizure rate", "share", "Seizures / inflow this week", True),
    Outcome("meth_share", "Methamphetamine share", "share", "Methamphetamine share of drug inflow", None),
    Outcome(
        "active_routes",
        "Active routes",
        "routes",
        "Effective number of (segment, route) combinations used in the last 4 weeks: exp(entropy of flow shares)",
        None,
    ),
    Outcome("unrest_active_share", "Citizens in active unrest", "share", "Share of citizens actively rebelling", False),
    Outcome("jailed_share", "Citizens jailed", "share", "Share of citizens in jail", False),
    Outcome("radicalised_share", "Radicalised citizens", "share", "Share of citizens extremist or recruiter", False),
    Outcome("recruiter_share", "Recruiters", "share", "Share of citizens who recruit", False),
    Outcome("mean_grievance", "Mean grievance", "0-1", "Mean G = H(1-L) over citizens", False),
    Outcome("legitimacy", "Perceived legitimacy", "0-1", "Population-weighted regional legitimacy", True),
    Outcome("arrests", "Arrests", "persons/week", "Citizens arrested (scaled to population)", None, _N, "sum"),
    Outcome(
        "taliban_cooperation",
        "Taliban border cooperation",
        "0-1",
        "Effective Taliban-side cooperation (driver + diplomacy)",
        True,
    ),
    Outcome("spending_china", "China's spending", "USD M/yr", "China's lever spending at this week's rate", None),
    Outcome(
        "spending_russia",
        "Russia's spending",
        "USD M/yr",
        "Russia's lever spending plus the base's value, at this week's rate",
        None,
    ),
    Outcome(
        "spending_tajikistan",
        "Tajikistan's spending",
        "USD M/yr",
        "Tajikistan's own lever spending plus aid spent",
        None,
    ),
    Outcome("spending_sco", "SCO spending", "USD M/yr", "SCO lever spending", None),
    Outcome(
        "cost_to_china",
        "Cost to China",
        "USD M",
        "Cumulative Chinese spending on levers since the start",
        None,
        _N,
        "last",
    ),
    Outcome(
        "china_influence_share",
        "China's influence share",
        "share",
        "China's share of external security assistance over the last 52 weeks (China + Russia)",
        None,
    ),
    Outcome(
        "dependence_on_china",
        "Dependence on China",
        "share",
        "China's share of cumulative external security assistance since the start",
        None,
        _N,
        "last",
    ),
    Outcome(
        "chinese_exposure",
        "Chinese exposure",
        "share of attacks",
        "Chance that an attack targets Chinese interests (grows with infrastructure)",
        None,
    ),
)

_REGION: tuple[Outcome, ...] = (
    Outcome(
        "stability_index",
        "Stability index",
        "0-100",
        "Regional composite (security, order, radicalisation, legitimacy)",
        True,
        "region",
    ),
    Outcome(
        "inflow_t",
        "Drug inflow",
        "t/week",
        "Drugs entering through the region's border segments",
        False,
        "region",
        "sum",
    ),
    Outcome(
        "seizures_t", "Seizures", "t/week", "Drugs seized in the region (border and transit)", None, "region", "sum"
    ),
    Outcome("attacks", "Attacks", "attacks/week", "Attacks in the region", False, "region", "sum"),
    Outcome("casualties", "Casualties", "persons/week", "Casualties in the region", False, "region", "sum"),
    Outcome("unrest_active_share", "Citizens in active unrest", "share", "Share active", False, "region"),
    Outcome("jailed_share", "Citizens jailed", "share", "Share jailed", False, "region"),
    Outcome("radicalised_share", "Radicalised citizens", "share", "Share extremist or recruiter", False, "region"),
    Outcome("mean_grievance", "Mean grievance", "0-1", "Mean grievance", False, "region"),
    Outcome("legitimacy", "Perceived legitimacy", "0-1", "Regional legitimacy", True, "region"),
    Outcome("capacity_economy", "Economic capacity", "0-1", "Economy channel", True, "region"),
    Outcome("capacity_transit_policing", "Transit policing", "0-1", "Transit policing channel", None, "region"),
    Outcome(
        "capacity_domestic_surveillance",
        "Domestic surveillance",
        "0-1",
        "Domestic surveillance channel",
        None,
        "region",
    ),
)

_SEGMENT: tuple[Outcome, ...] = (
    Outcome("inflow_t", "Drug inflow", "t/week", "Drugs crossing the segment", False, "segment", "sum"),
    Outcome("seizures_t", "Seizures", "t/week", "Drugs seized on the segment", None, "segment", "sum"),
    Outcome(
        "interdiction_probability",
        "Interdiction chance",
        "per crossing",
        "Chance a crossing is stopped",
        None,
        "segment",
    ),
    Outcome(
        "perceived_risk", "Perceived risk", "0-1", "Traffickers' mean perceived risk of the segment", None, "segment"
    ),
    Outcome("capacity_detection", "Detection", "0-1", "Detection channel", None, "segment"),
    Outcome("capacity_interdiction", "Interdiction", "0-1", "Interdiction channel", None, "segment"),
)


@cache
def national() -> dict[str, Outcome]:
    """National outcomes by name, including one per capacity channel and one per driver."""
    out = {o.name: o for o in _BASE}
    for ch in registry.channels().values():
        out[f"capacity_{ch.name}"] = Outcome(
            f"capacity_{ch.name}", f"Capacity: {ch.name}", "0-1", ch.description + " (mean over places)", None
        )
    for d in registry.drivers().values():
        out[d.name] = Outcome(d.name, d.label, d.unit, f"driver: {d.description}", None)
    return out


@cache
def regional() -> dict[str, Outcome]:
    return {o.name: o for o in _REGION}


@cache
def per_segment() -> dict[str, Outcome]:
    return {o.name: o for o in _SEGMENT}


# ---------------------------------------------------------------------------- views

VIEWS: dict[str, tuple[str, ...]] = {
    "headline": (
        "stability_index",
        "attacks",
        "casualties",
        "attacks_on_chinese",
        "infiltration_successes",
        "seizures_t",
        "seizure_rate",
        "delivered_t",
        "meth_share",
        "unrest_active_share",
        "radicalised_share",
        "legitimacy",
        "china_influence_share",
        "cost_to_china",
    ),
    "fan": (
        "stability_index",
        "casualties",
        "infiltration_successes",
        "seizures_t",
        "unrest_active_share",
        "radicalised_share",
        "legitimacy",
        "china_influence_share",
    ),
    "console": (
        "stability_index",
        "casualties",
        "seizures_t",
        "unrest_active_share",
        "legitimacy",
        "china_influence_share",
    ),
    "classroom": (
        "stability_index",
        "infiltration_preempted",
        "attacks",
        "casualties",
        "attacks_on_chinese",
        "infiltration_successes",
        "seizures_t",
        "delivered_t",
        "unrest_active_share",
        "radicalised_share",
        "legitimacy",
        "china_influence_share",
        "cost_to_china",
        "capacity_domestic_surveillance",
    ),
}
"""Named views of the outcomes, read by every consumer: ``headline`` (printed after a run, first in
reports), ``fan`` (fan charts of a comparison), ``console`` (the comparison table printed by the CLI
and the explorer's charts), ``classroom`` (series stored per round of a classroom session)."""

STATE_GOALS: dict[str, tuple[tuple[str, int], ...]] = {
    "china": (("attacks_on_chinese", -1), ("infiltration_successes", -1), ("china_influence_share", +1)),
    "tajikistan": (("stability_index", +1), ("unrest_active_share", -1), ("legitimacy", +1)),
    "russia": (("china_influence_share", -1), ("stability_index", +1)),
    "sco": (("infiltration_preempted", +1), ("infiltration_successes", -1)),
}
"""Each state's own goals (classroom debrief scores, teacher's guides): (outcome, +1 if higher is better for it)."""


def view(name: str) -> tuple[str, ...]:
    """The outcomes of a named view (see :data:`VIEWS`)."""
    return VIEWS[name]


# ---------------------------------------------------------------------------- stability index

STABILITY_WEIGHTS = {
    "security": 0.25,
    "order": 0.20,
    "radicalisation": 0.15,
    "legitimacy": 0.15,
    "narcotics": 0.10,
    "border": 0.15,
}
"""Weights of the stability index components (an assumption; they sum to 1)."""

SCALES = {
    "casualties_per_year": 30.0,
    "active_share": 0.05,
    "radicalised_share": 0.02,
    "delivered_t_per_year": 80.0,
    "infiltrations_per_year": 20.0,
}
"""Where each component falls to 0 (shares) or to 1/e (yearly counts): assumptions."""


def stability_components(
    casualties_52w, active_share, radicalised_share, legitimacy, delivered_52w=None, infiltrations_52w=None
) -> dict[str, np.ndarray]:
    """Each component of the stability index on 0-1 (1 = best). Arguments are arrays or floats."""
    comp = {
        "security": np.exp(-np.asarray(casualties_52w) / SCALES["casualties_per_year"]),
        "order": 1.0 - np.minimum(1.0, np.asarray(active_share) / SCALES["active_share"]),
        "radicalisation": 1.0 - np.minimum(1.0, np.asarray(radicalised_share) / SCALES["radicalised_share"]),
        "legitimacy": np.asarray(legitimacy, dtype=float),
    }
    if delivered_52w is not None:
        comp["narcotics"] = np.exp(-np.asarray(delivered_52w) / SCALES["delivered_t_per_year"])
    if infiltrations_52w is not None:
        comp["border"] = np.exp(-np.asarray(infiltrations_52w) / SCALES["infiltrations_per_year"])
    return comp


def stability_index(**kwargs) -> np.ndarray:
    """The stability index, 0-100: the weighted mean of the components given (weights renormalised).

    With all six components this is the national index; the regional index uses security
    (regional casualties over 52 weeks, on a scale shrunk by the region's population share),
    order, radicalisation and legitimacy.
    """
    comp = stability_components(**kwargs)
    total = sum(STABILITY_WEIGHTS[k] for k in comp)
    return 100.0 * sum(STABILITY_WEIGHTS[k] * v for k, v in comp.items()) / total
