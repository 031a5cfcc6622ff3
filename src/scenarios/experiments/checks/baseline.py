"""The baseline's own regime, B1-B4: what every comparison starts from must not run away or drift.

- **B1** effective R0 of radicalisation by region stays below 1 (no region's extremism grows by
  itself; it persists through outside sources) at the start and the end of the baseline;
- **B2** no drift: radicalised persons and extremism prisoners over the last two years within 10%
  of the first two (the compartments start at the equilibrium of the first week's conditions);
  legitimacy and the stability index reported beside them;
- **B3** open protest only where the world has an autonomy movement (GBAO), and its episodes;
- **B4** the sensitivity of the baseline to the calibrated legitimacy (report only): the range
  ends of ``legitimacy_initial`` against the calibrated value.

All read the mid-course baseline (the horizon of the lever checks), so its ensemble is shared.
"""

from __future__ import annotations

import numpy as np

from scenarios.analysis.summary import mean_ci
from scenarios.experiments.checks.core import (
    Check,
    Design,
    Ensemble,
    Request,
    Row,
    baseline_seeds,
    ensembles,
    paired,
    summary_requests,
    whole_requests,
    whole_runs,
)
from scenarios.spec import registry
from scenarios.spec.config import Scenario, derive

DRIFT_TOLERANCE = 0.10
"""Largest relative change between the first and the last two years that B2 accepts."""


def _baseline(design: Design) -> Ensemble:
    return ensembles({"baseline": design.baseline(design.mid_course_years)}, design)["baseline"]


def r0_by_region(design: Design, seeds: int = 3) -> dict[str, tuple[float, float]]:
    """Each region's effective R0 in the first recorded week and the last week of the baseline (mean over ``seeds``)."""
    from scenarios.model import SecurityModel

    scenario = design.baseline(design.mid_course_years)
    start, end = [], []
    for seed in range(seeds):
        model = SecurityModel(scenario, 1000 + seed)
        model.advance(1)
        start.append(model.society.r0())
        model.run()
        end.append(model.society.r0())
    names = model.index.regions
    first, last = np.mean(start, axis=0), np.mean(end, axis=0)
    return {name: (float(first[i]), float(last[i])) for i, name in enumerate(names)}


def _r0(design: Design, quick: bool) -> Row:
    r0 = r0_by_region(design)
    worst = max(max(a, b) for a, b in r0.values())
    parts = ", ".join(f"{name} {a:.2f}->{b:.2f}" for name, (a, b) in r0.items())
    return worst, worst, worst, worst < 1.0, f"effective R0 by region, first -> last week of the baseline: {parts}"


def drift(values: np.ndarray) -> np.ndarray:
    """Per seed, the mean of the last two years over the mean of the first two, minus 1."""
    return values[:, -2:].mean(axis=1) / np.maximum(values[:, :2].mean(axis=1), 1e-12) - 1.0


def _drift(design: Design, quick: bool) -> Row:
    run = _baseline(design)
    radical, prisoners = drift(run["radicalised_share"]), drift(run["extremism_prisoners"])
    worst = radical if abs(radical.mean()) >= abs(prisoners.mean()) else prisoners
    m, lo, hi = mean_ci(worst)
    ok = abs(radical.mean()) < DRIFT_TOLERANCE and abs(prisoners.mean()) < DRIFT_TOLERANCE
    legit, index = run["legitimacy"], run["stability_index"]
    detail = (
        f"last two years / first two - 1: radicalised persons {radical.mean():+.3f}, extremism prisoners "
        f"{prisoners.mean():+.3f} (must be within +/-{DRIFT_TOLERANCE:.0%}); legitimacy "
        f"{legit[:, :2].mean():.4f} -> {legit[:, -2:].mean():.4f}, stability index {index[:, :2].mean():.2f} -> "
        f"{index[:, -2:].mean():.2f} (drivers change: the Taliban takeover, the opium ban)"
    )
    return m, lo, hi, bool(ok), detail


def _protest_where(design: Design, quick: bool) -> Row:
    scenario = design.baseline(design.mid_course_years)
    autonomy = {r.name for r in registry.load_world(scenario.world).regions if r.autonomy_movement}
    inside, total, episodes, years = 0.0, 0.0, 0.0, 0
    for data in whole_runs({"baseline": scenario}, _protest_seeds(design), design)["baseline"]:
        regions = np.asarray(data.regions["region"])
        weeks = np.asarray(data.regions["unrest_active_share"])
        inside += float(weeks[np.isin(regions, list(autonomy))].sum())
        total += float(weeks.sum())
        episodes += float(np.sum(data.timeseries["protest_incidents"]))
        years += len(data.timeseries["protest_incidents"]) // 52
    share = inside / total if total > 0 else 1.0
    detail = (
        f"share of protest (active person-weeks) in regions with an autonomy movement ({', '.join(sorted(autonomy))}): "
        f"{share:.3f}; incidents {episodes / years:.2f}/yr (sourced: 5 episodes in 2012-2022, 0.45/yr)"
    )
    return share, share, share, share >= 0.999, detail


def _protest_seeds(design: Design) -> tuple[int, ...]:
    return baseline_seeds(min(design.seeds, 5))


def _legitimacy_variants(design: Design) -> dict[str, Scenario]:
    par = registry.parameters()["legitimacy_initial"]
    base = design.baseline()  # the magnitude horizon: B4 reports levels, no trend (4 years in --quick)
    return {
        "calibrated": base,
        "low": derive(base, parameters__legitimacy_initial=par.min),
        "high": derive(base, parameters__legitimacy_initial=par.max),
    }


def _legitimacy_sensitivity(design: Design, quick: bool) -> Row:
    par = registry.parameters()["legitimacy_initial"]
    variants = _legitimacy_variants(design)
    runs = ensembles(variants, design)
    parts = []
    diffs = {}
    for end in ("low", "high"):
        m, lo, hi = paired(
            runs["calibrated"]["stability_index"].mean(axis=1), runs[end]["stability_index"].mean(axis=1)
        )
        det = runs[end]["protest_detentions"].mean()
        diffs[end] = (m, lo, hi)
        parts.append(
            f"legitimacy_initial {getattr(par, 'min' if end == 'low' else 'max'):g}: stability {m:+.2f} [{lo:+.2f}, {hi:+.2f}], "
            f"protest detentions {det:,.0f}/yr"
        )
    m, lo, hi = diffs["low"]
    detail = (
        f"calibrated {par.value:g} (protest detentions {runs['calibrated']['protest_detentions'].mean():,.0f}/yr) vs "
        + "; ".join(parts)
        + "; row: the low end's stability difference"
    )
    return m, lo, hi, None, detail


def requests(design: Design, ids: set[str]) -> list[Request]:
    """The runs the checks ``ids`` of this module will ask for (so that the suite makes them in one batch)."""
    out = []
    if "B2" in ids:
        out += summary_requests({"baseline": design.baseline(design.mid_course_years)}, design)
    if "B3" in ids:
        out += whole_requests({"baseline": design.baseline(design.mid_course_years)}, _protest_seeds(design))
    if "B4" in ids:
        out += summary_requests(_legitimacy_variants(design), design)
    return out


CHECKS: tuple[Check, ...] = (
    Check(
        "B1",
        "No region's radicalisation runs away: effective R0 < 1 everywhere",
        "baseline",
        "max over regions and over the run < 1",
        "Santoprete & Xu 2018 (threshold R0 = 1); facts.yaml security.extremism_detentions.* (small and stable)",
        _r0,
        standalone=True,
    ),
    Check(
        "B2",
        "The baseline does not drift: radicalised persons and extremism prisoners",
        "baseline",
        f"last two years within +/-{DRIFT_TOLERANCE:.0%} of the first two",
        "facts.yaml security.extremism_detentions.2011, .2013, .2021_h1 (no trend 2011-2021)",
        _drift,
    ),
    Check(
        "B3",
        "Open protest only in regions with an autonomy movement",
        "baseline",
        "share >= 0.999",
        "facts.yaml protest.gbao.* (no open protest elsewhere in 2012-2024)",
        _protest_where,
        "by construction unless legitimacy falls below 0.9 elsewhere (Epstein's threshold): tests the calibration",
    ),
    Check(
        "B4",
        "Sensitivity to the calibrated legitimacy",
        "baseline",
        "report: the range ends of legitimacy_initial",
        "parameters.yaml legitimacy_initial (calibrated; range 0.91-0.97)",
        _legitimacy_sensitivity,
        "report only",
    ),
)
