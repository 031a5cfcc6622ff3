"""The suite: every check in table order, the batch that runs their ensembles, and the tables behind them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from scenarios.experiments.checks import baseline, calibration, facts, levers, stresses
from scenarios.experiments.checks.core import Check, CheckResult, Design, fetch

CHECKS: tuple[Check, ...] = (
    *facts.CHECKS,
    *baseline.CHECKS,
    *calibration.CALIBRATION,
    *levers.lever_checks(),
    *stresses.STRESSES,
    *levers.REGIONS,
    *calibration.MAGNITUDES,
    *stresses.ADAPTIVE,
)
"""Every check in the order of the table: F, B, C, L, S, R and P, M and H, A."""


def applies(check: Check, design: Design) -> bool:
    """Whether ``design`` runs ``check``: a lever check only for the design's mid-course suppliers."""
    if not check.id.startswith("L:") or design.mid_course_suppliers is None:
        return True
    return check.id.rsplit("@", 1)[1] in design.mid_course_suppliers


def prefetch(ids: tuple[str, ...], design: Design, quick: bool = False) -> None:
    """Make the full-model runs the checks ``ids`` will need, and the standalone checks among them
    (:attr:`.core.Check.standalone`: F1-F4, F8, B1), in one batch (:func:`.core.fetch`).

    One batch lets runs be shared across checks (one baseline run per seed serves every check that
    reads the baseline; a scenario that parts from another mid-course continues its run) and keeps
    both workers busy to the end. Results do not depend on batching: each run is a pure function of
    config and seed, each standalone check of the design and ``quick``.
    """
    wanted = set(ids)
    fetch(
        [r for module in (facts, baseline, calibration, levers, stresses) for r in module.requests(design, wanted)],
        design,
        [c for c in CHECKS if c.standalone and c.id in wanted],
        quick,
    )


def run_checks(
    quick: bool = False,
    only: tuple[str, ...] | None = None,
    progress: Callable[[str], None] | None = None,
    design: Design | None = None,
) -> list[CheckResult]:
    """Run the validation suite (or the checks whose ids are in ``only``).

    Args:
        quick: the quick design (and shorter horizons in the submodel checks).
        only: check ids to run; all when None.
        progress: called with each check's id before it runs.
        design: seeds, horizon and world size; default :meth:`Design.for_mode` of ``quick``.
    """
    if design is None:
        design = Design.for_mode(quick)
    selected = [c for c in CHECKS if (not only or c.id in only) and applies(c, design)]
    prefetch(tuple(c.id for c in selected), design, quick)
    out = []
    for check in selected:
        if progress:
            progress(check.id)
        made = design.runs.rows.get(check.id)  # a standalone check made in the batch
        m, lo, hi, ok, detail = made if made is not None else check.run(design, quick)
        out.append(
            CheckResult(
                check.id,
                check.title,
                check.kind,
                float(m),
                float(lo),
                float(hi),
                check.expected,
                None if ok is None else bool(ok),
                check.source,
                detail,
                design.seeds,
                check.note,
            )
        )
    return out


@dataclass(frozen=True)
class SuiteTables:
    """The tables behind the check rows, for the report: each empty when its checks did not run."""

    mid_course_effects: list[levers.LeverEffect]
    lever_effects: list[levers.LeverEffect]
    stress_ordering: list[tuple[str, float, float, float, float]]
    weight_sensitivity: list[tuple[str, float, str, int]]
    adaptive: list[tuple[str, str, float, float, float, float]]


def suite_tables(results: list[CheckResult], design: Design) -> SuiteTables:
    """The tables of the checks in ``results`` (from the ensembles those checks ran; nothing new is run)."""
    ids = {r.id for r in results}
    pairs = tuple(i.removeprefix("L:") for i in ids if i.startswith("L:"))
    stress = bool(ids & {"S1", "S2", "S3"})
    return SuiteTables(
        levers.mid_course_effect_table(design, pairs) if pairs else [],
        levers.lever_effect_table(design, pairs) if pairs and design.whole_run_table else [],
        stresses.stress_ordering(design) if stress else [],
        stresses.weight_sensitivity(design) if stress else [],
        stresses.adaptive_comparison(design) if "A1" in ids else [],
    )
