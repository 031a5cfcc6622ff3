"""Stress scenarios S1-S3 and the adaptive baseline A1.

The stress cases of the library (single shocks and their combinations) are compared with the
baseline on the stability index from :data:`STRESS_FROM` on, and the ordering is recomputed under
+/-50% index weights (the index is a weighted mean of recorded components, so no rerun is needed).
A1 runs the same cases under the adaptive policies of ``adaptive_baseline.yaml``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from scenarios.experiments.checks.core import (
    LIBRARY,
    Check,
    Design,
    Ensemble,
    Request,
    Row,
    ensembles,
    paired,
    summary_requests,
)
from scenarios.spec import outcomes
from scenarios.spec.config import Scenario, derive, load_scenario, scenario_dict

STRESS = (
    "baseline",
    "afghan_collapse",
    "china_withdraws",
    "russia_distracted",
    "afghan_collapse_china_withdraws",
    "afghan_collapse_russia_distracted",
    "china_withdraws_russia_distracted",
    "triple_stress",
)
"""The stress scenarios of the library (single shocks and their combinations) and the baseline."""

PARTS = {
    "afghan_collapse_china_withdraws": ("afghan_collapse", "china_withdraws"),
    "afghan_collapse_russia_distracted": ("afghan_collapse", "russia_distracted"),
    "china_withdraws_russia_distracted": ("china_withdraws", "russia_distracted"),
    "triple_stress": (
        "afghan_collapse_china_withdraws",
        "afghan_collapse_russia_distracted",
        "china_withdraws_russia_distracted",
    ),
}

STRESS_FROM = 2025
"""First year compared: every shock has started by 2025 (Russia steps back in 2024, the others in 2025)."""


def stress_runs(design: Design) -> dict[str, Ensemble]:
    """The ensembles of :data:`STRESS`, ``design.stress_years`` long."""
    return ensembles({name: design.library(name) for name in STRESS}, design)


def stress_window(design: Design) -> slice:
    start = int(str(design.baseline(design.stress_years, design.citizens).start)[:4])
    return slice(STRESS_FROM - start, None)


def stress_index(run: Ensemble, window: slice, weights: Mapping[str, float]) -> np.ndarray:
    """Per seed, the mean stability index over the years in ``window``, recomputed with ``weights``."""
    total = sum(weights.values())
    parts = [w * run[f"index_{c}"][:, window].mean(axis=1) for c, w in weights.items()]
    return np.asarray(100.0 * np.sum(parts, axis=0) / total)


def stress_ordering(design: Design) -> list[tuple[str, float, float, float, float]]:
    """The stress scenarios from most to least stable: (name, mean index, paired difference vs baseline, CI low, CI high)."""
    runs, window = stress_runs(design), stress_window(design)
    weights = outcomes.index_weights()
    base = stress_index(runs["baseline"], window, weights)
    rows = []
    for name in STRESS:
        idx = stress_index(runs[name], window, weights)
        m, lo, hi = paired(base, idx)
        rows.append((name, float(idx.mean()), m, lo, hi))
    return sorted(rows, key=lambda r: -r[1])


def weight_sensitivity(design: Design) -> list[tuple[str, float, str, int]]:
    """How the stress ordering moves when each ``index_weight_*`` is scaled by 0.5 or 1.5.

    The index is recomputed from the recorded components (it is a weighted mean of them, so no
    rerun is needed). Rows: (weight, factor, ordering, number of scenarios whose rank changed).
    """
    runs, window = stress_runs(design), stress_window(design)
    default = outcomes.index_weights()

    def order(weights: Mapping[str, float]) -> list[str]:
        means = {name: float(stress_index(runs[name], window, weights).mean()) for name in STRESS}
        return sorted(STRESS, key=lambda n: -means[n])

    ref = order(default)
    rows = [("(default)", 1.0, " > ".join(ref), 0)]
    for c in default:
        for factor in (0.5, 1.5):
            new = order({**default, c: default[c] * factor})
            rows.append(
                (f"index_weight_{c}", factor, " > ".join(new), sum(a != b for a, b in zip(ref, new, strict=True)))
            )
    return rows


def _stress_singles(design: Design, quick: bool) -> Row:
    runs, window = stress_runs(design), stress_window(design)
    weights = outcomes.index_weights()
    base = stress_index(runs["baseline"], window, weights)
    diffs = {
        n: paired(base, stress_index(runs[n], window, weights))
        for n in ("afghan_collapse", "china_withdraws", "russia_distracted")
    }
    worst = max(diffs, key=lambda n: diffs[n][2])
    m, lo, hi = diffs[worst]
    detail = (
        "stability index 2025 on, each shock minus baseline: "
        + "; ".join(f"{n} {d[0]:+.2f} [{d[1]:+.2f}, {d[2]:+.2f}]" for n, d in diffs.items())
        + f" (row shows the weakest, {worst})"
    )
    # none may raise stability; which of them resolve a fall is the finding (Model 3.0: Russia's
    # distraction does not, now that the index no longer counts infiltrations)
    return m, lo, hi, not any(d[1] > 0 for d in diffs.values()), detail


def _stress_combinations(design: Design, quick: bool) -> Row:
    runs, window = stress_runs(design), stress_window(design)
    weights = outcomes.index_weights()
    diffs = {
        (combo, part): paired(stress_index(runs[part], window, weights), stress_index(runs[combo], window, weights))
        for combo, singles in PARTS.items()
        for part in singles
    }
    worst = max(diffs, key=lambda k: diffs[k][0])
    m, lo, hi = diffs[worst]
    detail = "stability index 2025 on, combination minus each of its parts: " + "; ".join(
        f"{c} - {p} {d[0]:+.2f} [{d[1]:+.2f}, {d[2]:+.2f}]" for (c, p), d in diffs.items()
    )
    # a combination may equal a part (a shock that does not bite) but must not be significantly more stable
    return (
        m,
        lo,
        hi,
        all(d[1] <= 0 for d in diffs.values()),
        detail + f" (row shows the largest, {worst[0]} - {worst[1]})",
    )


def _weight_ordering(design: Design, quick: bool) -> Row:
    rows = weight_sensitivity(design)
    moved = [r for r in rows[1:] if r[3]]
    detail = f"default ordering {rows[0][2]}; " + (
        "changed by " + "; ".join(f"{r[0]} x{r[1]:g} ({r[3]} ranks)" for r in moved)
        if moved
        else "no +/-50% weight change moves a rank"
    )
    n = float(len(moved))
    return n, n, n, None, detail


# ---------------------------------------------------------------------------- the adaptive baseline

ADAPTIVE_STRESS = ("baseline", "afghan_collapse", "china_withdraws", "russia_distracted", "triple_stress")
"""The stress cases run under both the scheduled and the adaptive policies."""


def adaptive(scenario: Scenario) -> Scenario:
    """``scenario`` with each state's policy and budget taken from ``adaptive_baseline.yaml``."""
    policy = scenario_dict(load_scenario(LIBRARY / "adaptive_baseline.yaml"))["states"]
    changes = {
        f"states__{state}__{key}": policy[state][key]
        for state in ("china", "tajikistan")
        for key in ("policy", "budget_musd")
    }
    return derive(scenario, **changes)


def adaptive_comparison(design: Design) -> list[tuple[str, str, float, float, float, float]]:
    """Adaptive minus scheduled, per stress case, from 2025 on: (case, outcome, scheduled mean, difference, CI low, CI high)."""
    scheduled = {n: design.library(n) for n in ADAPTIVE_STRESS}
    runs = ensembles({**scheduled, **{f"adaptive:{n}": adaptive(sc) for n, sc in scheduled.items()}}, design)
    window = stress_window(design)
    rows = []
    for n in ADAPTIVE_STRESS:
        for outcome in ("stability_index", "security_spending_china", "attacks", "seizures_t", "radicalised_share"):
            a = runs[n][outcome][:, window].mean(axis=1)
            b = runs[f"adaptive:{n}"][outcome][:, window].mean(axis=1)
            m, lo, hi = paired(a, b)
            rows.append((n, outcome, float(a.mean()), m, lo, hi))
    return rows


def _adaptive_check(design: Design, quick: bool) -> Row:
    table = adaptive_comparison(design)
    spending = [r for r in table if r[1] == "security_spending_china"]
    stability = [r for r in table if r[1] == "stability_index"]
    runs = ensembles(
        {
            n: sc
            for name in ("baseline", "afghan_collapse")
            for n, sc in (
                (name, design.library(name)),
                (f"adaptive:{name}", adaptive(design.library(name))),
            )
        },
        design,
    )
    window = stress_window(design)

    def added(name: str) -> np.ndarray:
        key = "security_spending_china"
        return runs[f"adaptive:{name}"][key][:, window].mean(axis=1) - runs[name][key][:, window].mean(axis=1)

    # the claim: China answers Tajik demand, so it adds more after an Afghan collapse than in the baseline
    m, lo, hi = paired(added("baseline"), added("afghan_collapse"))
    detail = (
        "adaptive - scheduled from 2025: China's security spending "
        + "; ".join(f"{r[0]} {r[3]:+.1f} [{r[4]:+.1f}, {r[5]:+.1f}] USD M/yr" for r in spending)
        + "; stability index "
        + "; ".join(f"{r[0]} {r[3]:+.2f} [{r[4]:+.2f}, {r[5]:+.2f}]" for r in stability)
        + "; row: what China adds after the collapse minus what it adds in the baseline (paired)"
    )
    return m, lo, hi, bool(lo > 0), detail


STRESSES: tuple[Check, ...] = (
    Check(
        "S1",
        "No single stress raises stability",
        "stress",
        "no paired CI > 0 (which shocks resolve a fall is in the detail)",
        "library stress cases; docs/scenarios.md",
        _stress_singles,
    ),
    Check(
        "S2",
        "A combination of shocks is no more stable than its parts",
        "stress",
        "no paired CI > 0 (combination - part)",
        "library stress cases; docs/scenarios.md",
        _stress_combinations,
    ),
    Check(
        "S3",
        "Stress ordering under +/-50% index weights",
        "stress",
        "report: ranks moved",
        "issue #13 item 1; index_weight_* are assumptions (parameters.yaml)",
        _weight_ordering,
        "report only",
    ),
)

ADAPTIVE: tuple[Check, ...] = (
    Check(
        "A1",
        "Adaptive baseline: China adds more after an Afghan collapse",
        "adaptive",
        "paired CI > 0 (added after collapse - added in baseline)",
        "Lemon & Norov 2025 (Tajik demand drives cooperation); adaptive_baseline.yaml",
        _adaptive_check,
        "mechanism follows from the adaptive rule; the size is the finding",
    ),
)


def requests(design: Design, ids: set[str]) -> list[Request]:
    """The runs the checks ``ids`` of this module will ask for (so that the suite makes them in one batch)."""
    out = []
    if ids & {"S1", "S2", "S3"}:
        out += summary_requests({name: design.library(name) for name in STRESS}, design)
    if "A1" in ids:
        scheduled = {n: design.library(n) for n in ADAPTIVE_STRESS}
        out += summary_requests({**scheduled, **{f"adaptive:{n}": adaptive(sc) for n, sc in scheduled.items()}}, design)
    return out
