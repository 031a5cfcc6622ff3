"""Lever effects: every lever at a strong dose, per supplier (L:lever@state), and the region and presence checks.

The strong dose of each lever and the sign the literature gives its effect are declared once, with the
lever, in ``spec/data/levers.yaml`` (``strong_dose``, ``expected_sign``); :data:`STRONG_DOSE` and
:data:`EXPECTED_SIGN` are views of those declarations.

**Mid-course, as policies really change.** A lever check raises one supplier's lever to its strong
dose from :data:`MID_COURSE_FROM` (2025), the years before as in the baseline, so the new effort
passes through the lever's delivery lag and builds its stock from the baseline's level; the effect
is the paired difference over the years after (2026 to the end of the run).
:func:`mid_course_effect_table` is the lever x state x outcome table of the report.
:func:`lever_effect_table` (the dose from the first year, the whole run) is kept as a secondary view:
it skips lag and build-up, so it overstates what a mid-course change of a slow lever buys.
Surveillance in a backlash and a benign parameter region (R1-R2) and Chinese presence (P1) are the
same paired comparison of one dosed lever against the baseline.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from scenarios.experiments.checks.core import MEASURED, Check, Design, Request, Row, ensembles, paired, summary_requests
from scenarios.spec import registry
from scenarios.spec.config import Scenario, derive, scenario_dict

MID_COURSE_FROM = 2025
"""The year a lever check raises the lever; the effect is measured over the years after it."""


Dose = registry.StrongDose
"""A lever's "strong" dose (level and rationale), declared as ``strong_dose`` in levers.yaml."""

Expectation = registry.ExpectedSign
"""The sign a lever's effect on one outcome should have and its source, declared as ``expected_sign`` in levers.yaml."""

STRONG_DOSE: dict[str, Dose] = {name: lever.dose for name, lever in registry.levers().items()}
"""View of the registry: every lever's strong dose by lever name (the declared ``strong_dose``, or half the
range); a state's plan for the lever is replaced by this level (the same whichever state supplies it)."""

EXPECTED_SIGN: dict[str, Expectation] = {
    f"{name}@{state}": exp
    for name, lever in registry.levers().items()
    for state in lever.suppliers
    if (exp := lever.expectation(state)) is not None
}
"""View of the registry: the sign each ``lever@supplier`` check asserts, for the pairs whose lever declares an
``expected_sign`` covering that supplier; the other pairs are report only (today joint exercises and
diplomatic engagement: levers.yaml says why)."""


def _dose(lever: str) -> Dose:
    return registry.levers()[lever].dose


def dosed(design: Design, state: str, lever: str) -> Scenario:
    """The design's baseline with ``state`` supplying ``lever`` at its strong dose from the first year."""
    base = design.baseline()
    return derive(base, **{f"states__{state}__levers__{lever}": _dose(lever).level})


def lever_variants(design: Design) -> dict[str, Scenario]:
    """The baseline and one variant per (lever, supplier) at the strong dose, labelled ``lever@state``."""
    out = {"baseline": design.baseline()}
    for name, lever in registry.levers().items():
        for state in lever.suppliers:
            out[f"{name}@{state}"] = dosed(design, state, name)
    return out


@dataclass(frozen=True)
class LeverEffect:
    """One cell of the lever-effect table: mean paired difference per year (variant - baseline) and its 95% CI."""

    lever: str
    state: str
    outcome: str
    dose: float
    baseline: float
    difference: float
    ci_low: float
    ci_high: float


def lever_effect_table(design: Design, pairs: tuple[str, ...] | None = None) -> list[LeverEffect]:
    """The lever x state x outcome table at the strong doses (all pairs, or the ``lever@state`` labels given)."""
    variants = lever_variants(design)
    if pairs is not None:
        variants = {k: v for k, v in variants.items() if k == "baseline" or k in pairs}
    runs = ensembles(variants, design)
    base = runs["baseline"]
    rows = []
    for label, run in runs.items():
        if label == "baseline":
            continue
        lever, state = label.split("@")
        for name in MEASURED:
            m, lo, hi = paired(base[name].mean(axis=1), run[name].mean(axis=1))
            rows.append(LeverEffect(lever, state, name, _dose(lever).level, float(base[name].mean()), m, lo, hi))
    return rows


def mid_course_schedule(base: Scenario, state: str, lever: str, level: float, start: int) -> dict[str, float]:
    """The baseline's schedule of ``state``'s ``lever`` until ``start``, then ``level`` from ``start``.

    Written out in full (the baseline's dates before ``start``, then the new one), so it means the
    same whether a child's schedule replaces or overlays its parent's.
    """
    plan: Any = scenario_dict(base)["states"][state].get("levers", {}).get(lever)
    first = int(str(base.start)[:4])
    if plan is None:
        before = {str(first): 0.0}
    elif isinstance(plan, Mapping):
        before = {str(k): float(v) for k, v in plan.items() if int(str(k)[:4]) < start}
    else:
        before = {str(first): float(plan)}
    return {**before, str(start): float(level)}


def mid_course(design: Design, state: str, lever: str) -> Scenario:
    """The mid-course horizon's baseline with ``state`` raising ``lever`` to its strong dose from 2025."""
    base = design.baseline(design.mid_course_years)
    schedule = mid_course_schedule(base, state, lever, _dose(lever).level, MID_COURSE_FROM)
    return derive(base, **{f"states__{state}__levers__{lever}": schedule})


def mid_course_pairs(design: Design) -> tuple[tuple[str, str], ...]:
    """The (lever, supplier) pairs the design checks mid-course (all, or only the listed suppliers)."""
    wanted = design.mid_course_suppliers
    return tuple(
        (name, state)
        for name, lever in registry.levers().items()
        for state in lever.suppliers
        if wanted is None or state in wanted
    )


def mid_course_variants(design: Design) -> dict[str, Scenario]:
    """The mid-course baseline (label ``baseline``) and one variant per checked pair, labelled ``lever@state``."""
    out = {"baseline": design.baseline(design.mid_course_years)}
    for lever, state in mid_course_pairs(design):
        out[f"{lever}@{state}"] = mid_course(design, state, lever)
    return out


def after(design: Design) -> slice:
    """The yearly columns of the years after the mid-course change (2026 to the end of the run)."""
    first = int(str(design.baseline().start)[:4])
    return slice(MID_COURSE_FROM + 1 - first, design.mid_course_years)


def mid_course_effect_table(design: Design, pairs: tuple[str, ...] | None = None) -> list[LeverEffect]:
    """The lever x state x outcome table, mid-course: dose from 2025, mean over the years after."""
    variants = mid_course_variants(design)
    if pairs is not None:
        variants = {k: v for k, v in variants.items() if k == "baseline" or k in pairs}
    runs = ensembles(variants, design)
    base = runs["baseline"]
    window = after(design)
    rows = []
    for label, run in runs.items():
        if label == "baseline":
            continue
        lever, state = label.split("@")
        for name in MEASURED:
            a, b = base[name][:, window].mean(axis=1), run[name][:, window].mean(axis=1)
            m, lo, hi = paired(a, b)
            rows.append(LeverEffect(lever, state, name, _dose(lever).level, float(a.mean()), m, lo, hi))
    return rows


def _lever_check(lever: str, state: str) -> Callable[[Design, bool], Row]:
    def run(design: Design, quick: bool) -> Row:
        label = f"{lever}@{state}"
        runs = ensembles(
            {"baseline": design.baseline(design.mid_course_years), label: mid_course(design, state, lever)},
            design,
        )
        exp = registry.levers()[lever].expectation(state)
        outcome = exp.outcome if exp else "stability_index"
        window = after(design)
        base, var = runs["baseline"][outcome][:, window].mean(axis=1), runs[label][outcome][:, window].mean(axis=1)
        m, lo, hi = paired(base, var)
        passed = None if exp is None else bool(lo > 0 if exp.sign > 0 else hi < 0)
        first = int(str(design.baseline().start)[:4])
        detail = (
            f"{state} raises {lever} to {_dose(lever).level:g} from {MID_COURSE_FROM} "
            f"({_dose(lever).rationale}): {outcome} {float(base.mean()):.4g} -> {float(var.mean()):.4g} per year "
            f"over {MID_COURSE_FROM + 1}-{first + design.mid_course_years - 1}, paired difference {m:+.4g} [{lo:+.4g}, {hi:+.4g}]"
        )
        return m, lo, hi, passed, detail

    return run


def lever_checks(suppliers: tuple[str, ...] | None = None) -> tuple[Check, ...]:
    """One check per (lever, supplier), mid-course: its expected sign where the literature gives one, else report only.

    ``suppliers`` limits the pairs (the quick design checks China's levers); None: every supplier.
    """
    out = []
    for name, lever in registry.levers().items():
        for state in lever.suppliers:
            if suppliers is not None and state not in suppliers:
                continue
            exp = lever.expectation(state)
            out.append(
                Check(
                    f"L:{name}@{state}",
                    f"{lever.label} ({state}) raised to the strong dose from {MID_COURSE_FROM}",
                    "lever effect",
                    f"{exp.outcome} {'up' if exp.sign > 0 else 'down'} over the years after: CI {'> 0' if exp.sign > 0 else '< 0'}"
                    if exp
                    else "report: stability_index difference over the years after",
                    exp.source if exp else "no clear sign in the literature (report only)",
                    _lever_check(name, state),
                    "" if exp else "report only",
                )
            )
    return tuple(out)


# ---------------------------------------------------------------------------- surveillance regions, Chinese presence

BACKLASH_REGION = {"repression_sensitivity": 6.0, "surveillance_backlash": 0.004}
"""Repression strongly seen as illegitimate (upper part of both parameters' ranges)."""
BENIGN_REGION = {"repression_sensitivity": 0.5, "surveillance_backlash": 0.0}
"""Repression barely seen as illegitimate (lower bounds of both ranges)."""


def surveillance_lever() -> str:
    """The Tajik lever that builds the most domestic surveillance (the lever of checks R1 and R2)."""
    own = [(lv.effects.get("domestic_surveillance", 0.0), name) for name, lv in registry.levers().items()]
    return max((w, name) for w, name in own if w > 0 and "tajikistan" in registry.levers()[name].suppliers)[1]


def presence_lever() -> str:
    """The first lever China supplies that builds the Chinese investment stock (``raises_exposure``; check P1)."""
    return next(name for name in registry.flagged("raises_exposure") if "china" in registry.levers()[name].suppliers)


def surveillance_scenarios(design: Design, region: Mapping[str, float]) -> dict[str, Scenario]:
    """The baseline in a parameter region, and the same with the Tajik surveillance lever at its strong dose."""
    lever = surveillance_lever()
    base = derive(design.baseline(design.region_years), parameters=dict(region))
    return {"base": base, "dosed": derive(base, **{f"states__tajikistan__levers__{lever}": _dose(lever).level})}


def _surveillance(region: Mapping[str, float], sign: int) -> Callable[[Design, bool], Row]:
    def run(design: Design, quick: bool) -> Row:
        lever = surveillance_lever()
        runs = ensembles(surveillance_scenarios(design, region), design)
        a, b = runs["base"]["stability_index"].mean(axis=1), runs["dosed"]["stability_index"].mean(axis=1)
        m, lo, hi = paired(a, b)
        params = ", ".join(f"{k} = {v:g}" for k, v in region.items())
        detail = (
            f"{params}: Tajik {lever} raised to {_dose(lever).level:g} {registry.levers()[lever].unit}, "
            f"stability index {a.mean():.2f} -> {b.mean():.2f} (legitimacy "
            f"{runs['base']['legitimacy'].mean():.3f} -> {runs['dosed']['legitimacy'].mean():.3f})"
        )
        return m, lo, hi, bool(hi < 0 if sign < 0 else lo > 0), detail

    return run


def presence_scenarios(design: Design) -> dict[str, Scenario]:
    """The baseline and China's presence lever at its strong dose (check P1)."""
    lever = presence_lever()
    return {"baseline": design.baseline(), f"{lever}@china": dosed(design, "china", lever)}


def _chinese_presence(design: Design, quick: bool) -> Row:
    lever = presence_lever()
    label = f"{lever}@china"
    runs = ensembles(presence_scenarios(design), design)
    a, b = runs["baseline"]["attacks_on_chinese"].sum(axis=1), runs[label]["attacks_on_chinese"].sum(axis=1)
    m, lo, hi = paired(a, b)
    detail = (
        f"China's {lever} raised to {_dose(lever).level:g} {registry.levers()[lever].unit}: attacks on "
        f"Chinese interests over {design.years} years {a.mean():.3f} -> {b.mean():.3f} per run; all attacks "
        f"{runs['baseline']['attacks'].sum(axis=1).mean():.2f} -> {runs[label]['attacks'].sum(axis=1).mean():.2f}"
    )
    return m, lo, hi, bool(lo > 0), detail


REGIONS: tuple[Check, ...] = (
    Check(
        "R1",
        "Backlash region: more surveillance lowers stability",
        "region",
        "paired CI < 0",
        "Lemos, Coelho & Lopes 2018 (repression seen as illegitimate)",
        _surveillance(BACKLASH_REGION, -1),
    ),
    Check(
        "R2",
        "Benign region: more surveillance raises stability",
        "region",
        "paired CI > 0",
        "detection of smuggling and infiltration (docs/model.md 7.7)",
        _surveillance(BENIGN_REGION, +1),
    ),
    Check(
        "P1",
        "Chinese presence raises attacks on Chinese interests",
        "presence",
        "paired CI > 0",
        "attacks on Chinese nationals in Tajikistan (facts.yaml terror.*); anti-China recruitment (docs/model.md 7.7)",
        _chinese_presence,
    ),
)


def requests(design: Design, ids: set[str]) -> list[Request]:
    """The runs the checks ``ids`` of this module will ask for (so that the suite makes them in one batch)."""
    pairs = {i.removeprefix("L:") for i in ids if i.startswith("L:")}
    out = []
    if pairs:
        variants = mid_course_variants(design)
        out += summary_requests({k: v for k, v in variants.items() if k == "baseline" or k in pairs}, design)
    for cid, region in (("R1", BACKLASH_REGION), ("R2", BENIGN_REGION)):
        if cid in ids:
            out += summary_requests(surveillance_scenarios(design, region), design)
    if "P1" in ids:
        out += summary_requests(presence_scenarios(design), design)
    return out
