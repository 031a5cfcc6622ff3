"""The check-model table: printed, and written as ``checks.csv``, ``lever_effects.csv`` and ``checks.md``.

``validation_doc`` turns a written ``checks.md`` into ``docs/validation.md`` (``scenarios
check-model --write-docs``), so the doc always shows a table the code wrote.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

from scenarios.analysis.summary import fmt
from scenarios.reporting.render import md_table

HEADER = ["id", "check", "measured", "95% CI", "expected", "result", "source", "note"]
CSV_COLUMNS = [
    "id",
    "check",
    "kind",
    "measured",
    "ci_low",
    "ci_high",
    "expected",
    "passed",
    "source",
    "detail",
    "seeds",
    "note",
]
LEVER_COLUMNS = ["lever", "state", "outcome", "dose", "baseline", "difference", "ci_low", "ci_high"]


class Result(Protocol):
    """What a check result carries (``scenarios.experiments.checks.CheckResult``), read-only."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def kind(self) -> str: ...

    @property
    def measured(self) -> float: ...

    @property
    def ci_low(self) -> float: ...

    @property
    def ci_high(self) -> float: ...

    @property
    def expected(self) -> str: ...

    @property
    def passed(self) -> bool | None: ...

    @property
    def source(self) -> str: ...

    @property
    def detail(self) -> str: ...

    @property
    def seeds(self) -> int: ...

    @property
    def note(self) -> str: ...


def verdict(passed: bool | None) -> str:
    """PASS, FAIL, or REPORT for a report-only row."""
    return "REPORT" if passed is None else "PASS" if passed else "FAIL"


def check_rows(results: Sequence[Result]) -> list[list[str]]:
    """One printable row per check result."""
    return [
        [
            r.id,
            r.title,
            fmt(r.measured),
            f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]",
            r.expected,
            verdict(r.passed),
            r.source,
            r.note,
        ]
        for r in results
    ]


def _ci(m: float, lo: float, hi: float) -> str:
    return f"{fmt(m)} [{fmt(lo)}, {fmt(hi)}]"


def lever_effect_rows(effects: Sequence[object]) -> list[list[str]]:
    """The lever-effect table in wide form: one row per (lever, state), one column per outcome."""
    by: dict[tuple[str, str], dict[str, str]] = {}
    for e in effects:
        by.setdefault((e.lever, e.state), {"dose": fmt(e.dose)})[e.outcome] = _ci(e.difference, e.ci_low, e.ci_high)  # type: ignore[attr-defined]
    return [[lever, state, *cells.values()] for (lever, state), cells in by.items()]


def robustness_rows(robustness: Sequence[object]) -> list[list[str]]:
    """One row per conclusion of a Morris robustness screening."""
    rows = []
    for r in robustness:
        holds, points = r.holds, r.points  # type: ignore[attr-defined]
        verdict_ = "survives" if holds == points else "mostly" if holds >= 0.8 * points else "does not survive"
        top = "; ".join(f"{n} ({fmt(mu)})" for n, mu, _ in r.top)  # type: ignore[attr-defined]
        rows.append(
            [r.claim, f"{holds}/{points}", f"[{fmt(r.effect_min)}, {fmt(r.effect_max)}]", verdict_, top]  # type: ignore[attr-defined]
        )
    return rows


def write_checks(
    folder: Path,
    results: Sequence[Result],
    tables: object | None = None,
    timing: str = "",
    robustness: Sequence[object] = (),
    robustness_note: str = "",
) -> None:
    """``checks.csv`` (every field), ``lever_effects.csv`` and ``checks.md`` (tables and details) in ``folder``.

    ``tables`` is a ``SuiteTables`` (lever effects, stress ordering, weight sensitivity, adaptive
    comparison); ``timing`` a sentence on how long the run took; ``robustness`` the rows of a
    Morris screening (``morris_robustness``), described by ``robustness_note``.
    """
    with open(folder / "checks.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(CSV_COLUMNS)
        for r in results:
            w.writerow([getattr(r, c if c != "check" else "title") for c in CSV_COLUMNS])
    md = [md_table(HEADER, check_rows(results)), "", "Details:", ""]
    md += [f"- **{r.id}** {r.detail}" for r in results]
    if timing:
        md += ["", timing]
    mid = list(getattr(tables, "mid_course_effects", []))
    whole = list(getattr(tables, "lever_effects", []))
    for effects, csv_name, title, text in (
        (
            mid,
            "lever_effects.csv",
            "### Lever effects, mid-course: raised from 2025",
            "Mean paired difference per year over the years after 2025 (variant - baseline) with its 95% CI, "
            "over the seeds; `dose` is the level the state's plan is raised to from 2025, the years before as in "
            "the baseline (the new effort passes through the lever's lag and builds its stock). A ranking of "
            "levers by these effects per USD also reflects the levers' prices, most of them assumptions "
            "(docs/model.md, section 7.1).",
        ),
        (
            whole,
            "lever_effects_whole_run.csv",
            "### Lever effects, whole run (secondary view): raised from the first year",
            "As above, with the dose from the first year over every year: it skips lag and build-up, so it "
            "overstates what a mid-course change of a slow lever buys.",
        ),
    ):
        if not effects:
            continue
        with open(folder / csv_name, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(LEVER_COLUMNS)
            for e in effects:
                w.writerow([getattr(e, c) for c in LEVER_COLUMNS])
        outcomes = list(dict.fromkeys(e.outcome for e in effects))
        md += ["", title, "", text, "", md_table(["lever", "state", "dose", *outcomes], lever_effect_rows(effects))]
    ordering = list(getattr(tables, "stress_ordering", []))
    if ordering:
        md += [
            "",
            "### Stress scenarios, most to least stable",
            "",
            "Stability index, mean over the years from 2025; difference to the baseline paired by seed.",
            "",
            md_table(
                ["scenario", "stability index", "minus baseline [95% CI]"],
                [[n, fmt(m), _ci(d, lo, hi)] for n, m, d, lo, hi in ordering],
            ),
        ]
    weights = list(getattr(tables, "weight_sensitivity", []))
    if weights:
        md += [
            "",
            "### The ordering when each index weight moves +/-50%",
            "",
            "Recomputed from the recorded index components of the same runs (the index is their weighted mean).",
            "",
            md_table(
                ["weight", "factor", "ordering (most stable first)", "ranks moved"],
                [[w, f"{f:g}", order, str(moved)] for w, f, order, moved in weights],
            ),
        ]
    adaptive = list(getattr(tables, "adaptive", []))
    if adaptive:
        md += [
            "",
            "### Adaptive minus scheduled policies, from 2025",
            "",
            md_table(
                ["case", "outcome", "scheduled", "adaptive - scheduled [95% CI]"],
                [[c, o, fmt(a), _ci(d, lo, hi)] for c, o, a, d, lo, hi in adaptive],
            ),
        ]
    if robustness:
        md += [
            "",
            "### Robustness of the lever-effect conclusions (Morris screening)",
            "",
            robustness_note,
            "",
            md_table(
                [
                    "conclusion",
                    "holds at points",
                    "effect range",
                    "verdict",
                    "largest mu* (parameters moving its size)",
                ],
                robustness_rows(robustness),
            ),
        ]
    (folder / "checks.md").write_text("\n".join(md) + "\n", encoding="utf-8")


DOC_HEAD = """# Validation: stylized facts, calibration targets and the full model's lever effects

<!-- Generated by `scenarios check-model --write-docs docs/validation.md` from the checks.md it
writes; edit reporting/checks.py (DOC_HEAD) for the text, rerun for the figures. -->

`scenarios check-model` runs every check below over paired seeds (common random numbers: replicate i
of every scenario uses the same seed) and prints this table; `tests/test_checks.py` runs small-seed
smoke versions (two seeds, small worlds: each check returns a well-formed row) of every check
family and every check except F5, F9 and F10 and most `L:` rows (which share one function), and a
few checks with known answers; `tests/test_checks_fail.py` feeds each Model 3.0 check (B2, B3,
M1-M5, the mid-course lever checks; B1 in `tests/test_checks.py`) a case where it must fail (a
drifting baseline, protest outside GBAO, a magnitude off its source, a lever effect of the wrong
sign) and its passing counterpart.

How to read it: *measured* is the statistic named in *expected*, with a 95% confidence interval
(t interval over seeds or over paired differences; Wilson interval for shares of seeds; bootstrap
percentiles for alpha). *result* is PASS or FAIL, or REPORT where no pass/fail is warranted.
*note* says when a check is true by construction of the model (it then tests the code, not the
world) or report only.

Checks share runs, without changing a figure: the suite makes every full-model run its checks need
in one batch on its workers, and (1) a scenario asked for at several horizons (in `--quick` the
baseline at 4, 7 and 8 years) runs once at the longest and the shorter ensembles are its first
years, since a run's first years do not depend on its horizon (`tests/test_model.py`); (2) a
scenario whose inputs part from another's only from some week on (a lever raised from 2025, a
stress case's shock in 2024 or 2025, the Afghan-collapse and opium-ban cases of F5, F7 and F10)
continues, for each seed, a copy of the other's run taken at that week, with its own lever plans,
drivers and events put in: the same run as made from the start, since what the model does in a
week depends on its inputs up to that week only. The first seed of every family is also run from
the start and compared bit for bit (the suite stops if they differ), and
`tests/test_checks.py` compares both ways on a small world
(`src/scenarios/experiments/checks/families.py`, continuing runs with `model/resume.py` as the
classroom does). The checks that make their own small runs (F1-F4 and F8 on the society submodel,
B1 stepping the model by hand) go into the same batch, on the workers. Check families:

- **F1-F10, C1-C5**: stylized facts and calibration targets (docs/model.md section 1 and 8).
- **B1-B4**: the baseline's own regime, which every comparison starts from: effective R0 of
  radicalisation by region (< 1 everywhere: no region runs away), no drift of radicalised persons
  and extremism prisoners, open protest only where the world has an autonomy movement (GBAO), and
  the sensitivity of the baseline to the calibrated legitimacy (report).
- **L:lever@state**: the full model's effect of raising one state's lever to its strong dose
  (`STRONG_DOSE` in `src/scenarios/experiments/checks/levers.py`, one place, with its rationale)
  **mid-course, from 2025** (the years before as in the baseline, so the new effort passes through
  the lever's lag and builds its stock), against the baseline, over the years after (2026 to the
  end of the run); the sign is asserted where the literature is clear (`EXPECTED_SIGN`), the
  magnitude reported either way (table below). `--quick` checks China's levers to 2028; the full
  run every supplier to 2030, and adds the whole-run table (dose from 2021) as a secondary view:
  it skips lag and build-up and overstates what a mid-course change of a slow lever buys.
- **S1-S3**: the library's stress cases and their combinations (`afghan_collapse_china_withdraws`,
  `afghan_collapse_russia_distracted`, `china_withdraws_russia_distracted`, `triple_stress`),
  compared from 2025, and how their ordering moves when each `index_weight_*` moves +/-50%
  (recomputed from the recorded index components, no rerun).
- **R1-R2**: a parameter region where more surveillance lowers stability (backlash:
  `repression_sensitivity` 6, `surveillance_backlash` 0.004) and one where it should raise it
  (0.5 and 0).
- **P1**: Chinese presence (China's infrastructure investment at its strong dose) and attacks on
  Chinese interests.
- **M1-M5**: magnitudes against sourced ranges, each against its own source: extremism detentions,
  persons jailed for extremism (never all offences), persons jailed for protest or extremism,
  seizures, detentions per protest incident; **H1**: held-out years (seizure parameters were
  calibrated on 2021-22 totals only, C1-C2; H1 2023 and H1 2024 are compared, report only).
- **A1**: the adaptive baseline (`adaptive_baseline.yaml`) against the scheduled one in the
  stress cases (docs/scenarios.md, last section).
- The Morris table at the end (`--robustness`): which lever-effect conclusions survive the
  uncertainty of the coupling parameters of docs/model.md 7.7.

What was calibrated, and on which years: only parameters of `kind: calibrated` in
`src/scenarios/spec/data/parameters.yaml`, within their documented ranges (docs/model.md section 8):
`opiate_product_per_opium_t`, `base_interdiction`, `base_transit_seizure` and `interdiction_max`
on the 2021-22 seizure totals and the seizure share (C1, C2), `infiltration_rate` on the rarity of
attacks (C4), `extremism_arrest_base` on the extremism detentions (M1), `extremism_sentence_weeks`
on the extremism prisoners (M2), `online_propaganda` on the order of magnitude of radicalised
persons, `legitimacy_initial` on the absence of open protest outside GBAO, and
`autonomy_legitimacy_gap` and `incident_legitimacy_drop` on GBAO's protest episodes (M5; a grid
over both, 4 seeds x 8 years each: 271 detained per incident and none between incidents).
Seizures in 2023 and 2024 were not used: H1 compares them. `scenarios calibrate` fits the same
parameters by ABC-SMC against `src/scenarios/spec/data/targets.yaml` (section below).

"""


KEEP_MARKER = "<!-- hand-written below: kept when check-model --write-docs regenerates the table above -->"
"""Everything after this line of an existing validation document survives its regeneration."""


def validation_doc(checks_md: str, preface: str = "", previous: str = "") -> str:
    """docs/validation.md: the fixed head, an optional preface (what was run, when, how long) and ``checks_md``,
    then the hand-written part of ``previous`` (the document being replaced) after :data:`KEEP_MARKER`."""
    doc = DOC_HEAD + (preface.strip() + "\n\n" if preface.strip() else "") + "## The table\n\n" + checks_md
    if KEEP_MARKER in previous:
        doc = doc.rstrip("\n") + "\n\n" + KEEP_MARKER + previous.split(KEEP_MARKER, 1)[1]
    return doc
