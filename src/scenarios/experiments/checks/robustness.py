"""Robustness of the main lever conclusions: a Morris screening of the uncertain coupling parameters."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scenarios.experiments.checks.core import Design, ensembles
from scenarios.experiments.checks.levers import STRONG_DOSE
from scenarios.spec import registry
from scenarios.spec.config import Scenario, derive

UNCERTAIN = (
    "prison_recruiter_share",
    "extremism_arrest_gain",
    "unrest_recruitment",
    "attack_legitimacy_per_casualty",
    "repression_threat_response",
    "repression_sensitivity",
    "surveillance_backlash",
    "drug_corruption_gain",
    "drug_militant_gain",
    "route_loss_elasticity",
    "roads_help_smugglers",
    "anti_china_recruitment",
    "chinese_resentment",
    "interdiction_reallocation",
)
"""The coupling parameters of docs/model.md 7.7 screened for robustness, over their ranges in parameters.yaml."""

CONCLUSIONS = (
    ("surveillance_systems@china", "seizures_t", +1, "Chinese surveillance raises seizures"),
    ("economic_initiatives@china", "radicalised_share", -1, "Economic initiatives lower radicalisation"),
    ("intelligence_sharing@china", "infiltration_preempted", +1, "Intelligence sharing raises pre-emptions"),
)
"""Lever-effect conclusions tested for robustness: (lever@state, outcome, expected sign, claim)."""


@dataclass(frozen=True)
class Robustness:
    """How one conclusion fares over a Morris design of the uncertain parameters."""

    claim: str
    points: int
    holds: int
    effect_min: float
    effect_max: float
    top: tuple[tuple[str, float, float], ...]  # (parameter, mu*, sigma), largest mu* first


def morris_robustness(design: Design, trajectories: int = 3, seed: int = 13) -> list[Robustness]:
    """Screen :data:`UNCERTAIN` with Morris (``trajectories`` x (k + 1) points, ``design.seeds`` paired seeds each).

    At every point the baseline and each conclusion's lever at its strong dose are run with the
    parameters of the point; the effect is the mean paired difference. A conclusion *holds* at a
    point when the effect has the expected sign; mu* ranks the parameters that move its size.
    """
    from scenarios.analysis.sensitivity import Problem, morris_design, morris_indices

    table = registry.parameters()
    problem = Problem(UNCERTAIN, tuple((float(table[n].min), float(table[n].max)) for n in UNCERTAIN))
    x = morris_design(problem, trajectories, seed)
    scenarios: dict[str, Scenario] = {}
    for i, row in enumerate(x):
        params = {n: float(v) for n, v in zip(UNCERTAIN, row, strict=True)}
        base = derive(design.baseline(), parameters=params)
        scenarios[f"{i}:baseline"] = base
        for label, *_ in CONCLUSIONS:
            lever, state = label.split("@")
            scenarios[f"{i}:{label}"] = derive(base, **{f"states__{state}__levers__{lever}": STRONG_DOSE[lever].level})
    runs = ensembles(scenarios, design)
    out = []
    for label, outcome, sign, claim in CONCLUSIONS:
        y = np.array(
            [
                float(np.mean(runs[f"{i}:{label}"][outcome].mean(axis=1) - runs[f"{i}:baseline"][outcome].mean(axis=1)))
                for i in range(len(x))
            ]
        )
        idx = morris_indices(problem, x, y, seed)
        order = np.argsort(-idx["mu_star"])[:3]
        out.append(
            Robustness(
                claim,
                len(y),
                int(np.sum(sign * y > 0)),
                float(y.min()),
                float(y.max()),
                tuple((UNCERTAIN[j], float(idx["mu_star"][j]), float(idx["sigma"][j])) for j in order),
            )
        )
    return out
