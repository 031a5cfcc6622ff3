"""The validation suite's machinery, fast: every check runs on a tiny design and returns a
well-formed row, a few have known answers, and the table and the doc keep their format.

The statistical claims themselves (20+ seeds, paired CIs) live in ``scenarios check-model``
(``--quick`` in CI); docs/validation.md shows its table.
"""

from __future__ import annotations

import csv
import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from helpers import baseline

from scenarios.experiments import checks
from scenarios.experiments.checks import CHECKS, Design, RunCache, robustness, run_checks, stresses, wilson
from scenarios.reporting.checks import CSV_COLUMNS, HEADER, validation_doc, verdict, write_checks
from scenarios.spec import outcomes, registry
from scenarios.spec.config import derive

ROOT = Path(__file__).resolve().parents[1]
TINY = Design(
    seeds=2,
    years=1,
    citizens=300,
    stress_years=1,
    workers=1,
    burn_in_weeks=0,
    mid_course_years=6,
    mid_course_suppliers=None,
)
"""Two paired seeds on a small world: enough to run every code path, not to claim anything. Without
the 52-week burn-in: half the simulated weeks, the same code paths (``check-model`` keeps it)."""

SUBMODEL = ("F1", "F2a", "F2b", "F3", "F4", "F6", "F7", "F8", "C5")
"""Checks of submodels or short runs, cheap at two seeds. The calibration checks share one 10-year
ensemble (one test below); F5, F9 and F10 (paired runs with fixed world sizes and horizons, 3-6 s
each at two seeds) run only in ``scenarios check-model``."""


def well_formed(r: checks.CheckResult) -> None:
    assert r.seeds == TINY.seeds and r.title and r.expected and r.source and r.detail
    assert r.passed in (True, False, None)
    assert isinstance(r.measured, float) and isinstance(r.ci_low, float) and isinstance(r.ci_high, float)
    if r.passed is None:
        assert "report" in (r.note + r.expected).lower()


def test_check_ids_are_unique_and_every_supplied_lever_has_a_row():
    ids = [c.id for c in CHECKS]
    assert len(ids) == len(set(ids))
    pairs = {f"L:{n}@{s}" for n, lv in registry.levers().items() for s in lv.suppliers}
    assert pairs <= set(ids)


def test_every_lever_has_a_strong_dose_within_its_bounds_and_expectations_name_recorded_outcomes():
    for name, lever in registry.levers().items():
        dose = checks.STRONG_DOSE[name]
        assert 0 < dose.level <= lever.max and dose.rationale
    assert set(checks.STRONG_DOSE) == set(registry.levers())
    for exp in checks.EXPECTED_SIGN.values():
        assert exp.outcome in checks.MEASURED and exp.sign in (-1, 1) and exp.source


@pytest.mark.parametrize("check_id", SUBMODEL)
def test_submodel_check_returns_a_well_formed_row(check_id):
    (r,) = run_checks(quick=True, only=(check_id,), design=TINY)
    well_formed(r)


def test_calibration_checks_return_well_formed_rows():
    for r in run_checks(quick=True, only=("C1", "C2", "C3", "C4"), design=TINY):
        well_formed(r)


def test_full_model_checks_return_well_formed_rows_and_tables():
    ids = (
        "L:joint_border_patrols@china",
        "L:diplomatic_engagement@russia",
        "R1",
        "R2",
        "P1",
        "M1",
        "M2",
        "M3",
        "M4",
        "M5",
        "H1",
    )
    results = run_checks(quick=True, only=ids, design=TINY)
    assert [r.id for r in results] == [c.id for c in CHECKS if c.id in ids]
    for r in results:
        well_formed(r)
    by = {r.id: r for r in results}
    # a lever without a clear expected sign is report only
    assert by["L:diplomatic_engagement@russia"].passed is None
    # known answer: strong border patrols raised in 2025 raise seizures in 2026 even on a tiny world
    # (interdiction channel); two seeds are too few for the CI to clear zero, so the mean is tested
    assert by["L:joint_border_patrols@china"].measured > 0
    # known answer: in the backlash region surveillance costs legitimacy, so stability falls
    assert by["R1"].measured < 0
    tables = checks.suite_tables(results, TINY)
    assert tables.lever_effects == []  # the whole-run view only when the design asks for it
    table = tables.mid_course_effects
    assert {(e.lever, e.state) for e in table} == {
        ("joint_border_patrols", "china"),
        ("diplomatic_engagement", "russia"),
    }
    assert {e.outcome for e in table} == set(checks.MEASURED)


def test_mid_course_schedule_keeps_the_baseline_before_the_change():
    base = baseline(years=6)
    # a constant in the baseline: kept from the start, the dose from 2025
    assert checks.levers.mid_course_schedule(base, "china", "joint_border_patrols", 100, 2025) == {
        "2021": 5.0,
        "2025": 100.0,
    }
    # a dated schedule: its dates before 2025 kept; a lever the state does not plan: 0 until 2025
    aid = checks.levers.mid_course_schedule(base, "china", "financial_aid", 250, 2025)
    assert aid == {"2021": 50.0, "2022": 70.0, "2023": 85.0, "2025": 250.0}
    assert checks.levers.mid_course_schedule(base, "sco", "cybersecurity", 100, 2025) == {"2021": 0.0, "2025": 100.0}


def test_quick_design_checks_only_chinas_levers_mid_course():
    quick = Design.for_mode(True)
    pairs = checks.levers.mid_course_pairs(quick)
    assert pairs and {state for _, state in pairs} == {"china"}
    assert {lever for lever, _ in pairs} == {n for n, lv in registry.levers().items() if "china" in lv.suppliers}
    assert checks.suite.applies(next(c for c in CHECKS if c.id == "L:cybersecurity@china"), quick)
    assert not checks.suite.applies(next(c for c in CHECKS if c.id == "L:joint_exercises@russia"), quick)


def test_baseline_checks_return_well_formed_rows():
    for r in run_checks(quick=True, only=("B1", "B2", "B3", "B4"), design=TINY):
        well_formed(r)


def test_the_runaway_check_fails_when_a_region_runs_away(monkeypatch):
    """B1 passes on the baseline and fails when radicalisation is above its threshold (contact 0.2:
    R0 about 2.6), as the merged Model 2.0 would have made it fail in GBAO (R0 1.2-1.5)."""
    from scenarios.experiments.checks import core

    (ok,) = run_checks(quick=True, only=("B1",), design=TINY)
    assert ok.passed is True and ok.measured < 1
    original = core.library_scenario
    monkeypatch.setattr(
        core,
        "library_scenario",
        lambda *args: derive(original(*args), parameters__radicalisation_contact=0.2),
    )
    (bad,) = run_checks(quick=True, only=("B1",), design=replace(TINY, runs=RunCache()))
    assert bad.passed is False and bad.measured > 1


def test_drift_is_relative_change_of_the_last_two_years():
    values = np.array([[1.0, 1.0, 1.0, 1.1, 1.1], [2.0, 2.0, 2.0, 1.8, 1.8]])
    assert checks.baseline.drift(values) == pytest.approx([0.1, -0.1])


def test_stress_and_adaptive_checks_return_well_formed_rows(monkeypatch):
    # fewer scenarios than the suite's (same code paths): each single shock and one combination
    monkeypatch.setattr(stresses, "STRESS", stresses.STRESS[:5])
    monkeypatch.setattr(stresses, "PARTS", {"afghan_collapse_china_withdraws": ("afghan_collapse", "china_withdraws")})
    monkeypatch.setattr(stresses, "ADAPTIVE_STRESS", ("baseline", "afghan_collapse"))
    # two-year runs compared from 2022: the shocks (2024-25) do not happen, the code paths are the same
    monkeypatch.setattr(stresses, "STRESS_FROM", 2022)
    design = replace(TINY, stress_years=2)
    results = run_checks(quick=True, only=("S1", "S2", "S3", "A1"), design=design)
    for r in results:
        well_formed(r)
    tables = checks.suite_tables(results, design)
    assert sorted(n for n, *_ in tables.stress_ordering) == sorted(stresses.STRESS)
    base = next(row for row in tables.stress_ordering if row[0] == "baseline")
    assert base[2] == 0.0  # the baseline minus itself, paired
    assert tables.weight_sensitivity[0][3] == 0 and len(tables.weight_sensitivity) == 1 + 2 * len(
        outcomes.INDEX_COMPONENTS
    )
    # the adaptive rules only scale plans up: China's security spending cannot fall
    assert all(r[3] >= 0 for r in tables.adaptive if r[1] == "security_spending_china")


def test_results_do_not_depend_on_batching():
    ids = ("L:cultural_exchanges@china", "L:cybersecurity@russia")
    design = replace(TINY, runs=RunCache())  # nothing run yet
    together = run_checks(quick=True, only=ids, design=design)  # one batch
    assert len(design.runs) == 3  # the baseline and the two variants
    alone = [run_checks(quick=True, only=(i,), design=replace(TINY, runs=RunCache()))[0] for i in ids]  # one each
    assert [(r.measured, r.ci_low, r.ci_high) for r in together] == [(r.measured, r.ci_low, r.ci_high) for r in alone]


def test_a_design_holds_its_run_cache_and_sets_the_burn_in_of_its_scenarios():
    # a changed copy reuses the runs (their keys name the whole config); equality ignores them
    assert replace(TINY, workers=2).runs is TINY.runs and replace(TINY, runs=RunCache()) == TINY
    assert Design.for_mode(True).runs is not Design.for_mode(True).runs
    assert TINY.baseline(1, 300).parameters.burn_in_weeks == 0
    kept = replace(TINY, burn_in_weeks=None)
    assert kept.baseline(1, 300).parameters.burn_in_weeks is None  # the scenario's own (52 weeks)
    assert kept.library("triple_stress").years == TINY.stress_years and kept.baseline().years == TINY.years


def test_index_components_rebuild_the_recorded_stability_index():
    from scenarios.model import simulate

    sc = baseline(years=2, society__citizens=300)  # with the 52-week burn-in (not the smoke designs')
    ts = simulate(sc, 7).timeseries
    comp = checks.index_components(ts)
    weights = outcomes.index_weights()
    rebuilt = 100 * sum(weights[c] * comp[c] for c in weights) / sum(weights.values())
    # exact once the 52-week windows no longer reach into the burn-in, which a run does not return
    np.testing.assert_allclose(rebuilt[51:], ts["stability_index"][51:], rtol=1e-9, atol=1e-9)


def test_stress_index_ignores_a_common_scale_of_the_weights():
    rng = np.random.default_rng(1)
    run = {f"index_{c}": rng.random((3, 4)) for c in outcomes.index_weights()}
    w = outcomes.index_weights()
    a = checks.stress_index(run, slice(1, None), w)
    b = checks.stress_index(run, slice(1, None), {c: 3 * v for c, v in w.items()})
    np.testing.assert_allclose(a, b)
    assert a.shape == (3,) and np.all((a >= 0) & (a <= 100))


def test_facts_and_adaptive_policy():
    assert checks.fact("security.prison_population_2024", 2024) == 14911
    with pytest.raises(KeyError):
        checks.fact("security.prison_population_2024", 1999)
    sc = checks.adaptive(TINY.baseline(2, 300))
    assert sc.states.china.policy == "adaptive" and sc.states.tajikistan.policy == "adaptive"
    assert sc.states.china.budget_musd is not None and sc.states.russia.policy == "schedule"


def test_wilson_interval():
    lo, hi = wilson(14, 20)
    assert lo < 0.7 < hi and lo >= 0 and hi <= 1
    assert wilson(0, 20)[0] == pytest.approx(0.0, abs=1e-12) and wilson(20, 20)[1] == pytest.approx(1.0)
    assert all(np.isnan(wilson(0, 0)))


def test_verdict_and_written_table(tmp_path):
    assert [verdict(x) for x in (True, False, None)] == ["PASS", "FAIL", "REPORT"]
    rows = [
        checks.CheckResult("X1", "a", "k", 1.0, 0.5, 1.5, "e", None, "s", "d", 2, "report only"),
        checks.CheckResult("X2", "b", "k", 2.0, 1.5, 2.5, "e", True, "s", "d", 2),
    ]
    write_checks(tmp_path, rows)
    with open(tmp_path / "checks.csv", newline="", encoding="utf-8") as fh:
        table = list(csv.reader(fh))
    assert table[0] == CSV_COLUMNS and [r[0] for r in table[1:]] == ["X1", "X2"] and table[1][-1] == "report only"
    md = (tmp_path / "checks.md").read_text(encoding="utf-8")
    assert "| X1 | a |" in md and "REPORT" in md and "PASS" in md
    assert validation_doc(md).startswith("# Validation") and md in validation_doc(md)


def test_validation_doc_holds_a_table_check_model_wrote():
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    assert "| " + " | ".join(HEADER) + " |" in text
    # written by check-model --quick: its checks (China's levers mid-course; the full run adds the others)
    ids = {c.id for c in CHECKS if checks.suite.applies(c, Design.for_mode(True))}
    rows = [line.split("|")[1].strip() for line in text.splitlines() if line.startswith("| ") and "|---" not in line]
    listed = [r for r in rows if r in ids]
    assert len(listed) == len(ids), sorted(ids - set(listed))
    assert "### Lever effects, mid-course: raised from 2025" in text and "H1" in text


def test_check_model_command_writes_table(tmp_path, capsys):
    from scenarios.cli import main

    out = tmp_path / "chk"
    assert (
        main(["check-model", "--quick", "--only", "C5,F1", "--out", str(out), "--write-docs", str(tmp_path / "v.md")])
        == 0
    )
    printed = capsys.readouterr().out
    assert "C5" in printed and "PASS" in printed and "minutes" in printed
    assert (out / "checks.csv").read_text().count("\n") == 3
    assert "| C5 |" in (tmp_path / "v.md").read_text(encoding="utf-8")
    assert main(["check-model", "--only", "X9", "--out", str(tmp_path / "x")]) == 2
    assert not (tmp_path / "x").exists()


def test_morris_robustness_runs_and_reports(monkeypatch):
    monkeypatch.setattr(robustness, "UNCERTAIN", ("repression_sensitivity", "route_loss_elasticity"))
    monkeypatch.setattr(robustness, "CONCLUSIONS", robustness.CONCLUSIONS[:1])
    (r,) = checks.morris_robustness(
        Design(seeds=1, years=1, citizens=300, stress_years=5, workers=1, burn_in_weeks=0), 2
    )
    assert r.points == 6 and 0 <= r.holds <= 6 and r.effect_min <= r.effect_max
    assert {name for name, _, _ in r.top} == {"repression_sensitivity", "route_loss_elasticity"}


def test_robustness_verdicts():
    from scenarios.reporting.checks import robustness_rows

    rows = [
        checks.Robustness("a", 10, 10, 0.1, 0.5, (("p", 0.2, 0.1),)),
        checks.Robustness("b", 10, 8, -0.1, 0.5, ()),
        checks.Robustness("c", 10, 3, -0.5, 0.1, ()),
    ]
    assert [r[3] for r in robustness_rows(rows)] == ["survives", "mostly", "does not survive"]


def test_check_model_refuses_bad_options_before_running(tmp_path, capsys):
    from scenarios.cli import main

    args = ["check-model", "--only", "C5", "--out", str(tmp_path / "x")]
    for bad, allowed in ((["--robustness", "-1"], "trajectories >= 0"), (["--workers", "0"], "whole number >= 1")):
        with pytest.raises(SystemExit) as info:  # argparse: usage, the message, exit 2
            main([*args, *bad])
        assert info.value.code == 2 and allowed in capsys.readouterr().err
    assert main([*args, "--write-docs", str(tmp_path / "no" / "v.md")]) == 2
    assert "folder does not exist" in capsys.readouterr().err
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.partial").exists()


def test_regenerating_the_validation_doc_keeps_its_hand_written_part():
    from scenarios.reporting.checks import KEEP_MARKER

    old = validation_doc("| old table |\n", previous="") + "\n" + KEEP_MARKER + "\n\n## Reading\n\nkept words\n"
    new = validation_doc("| new table |\n", previous=old)
    assert "| new table |" in new and "| old table |" not in new
    assert new.endswith(KEEP_MARKER + "\n\n## Reading\n\nkept words\n")
    assert KEEP_MARKER not in validation_doc("| t |\n", previous="no marker here")


# ---------------------------------------------------------------------------- runs shared between checks


def test_a_continued_run_equals_the_run_made_from_the_start():
    """What ``checks/families.py`` relies on: a scenario that parts from the baseline mid-course (a
    lever raised in 2025, an Afghan collapse in March 2025, Russia stepping back in 2024), continued
    from a copy of the baseline's run, gives the run made from the start, bit for bit."""
    from scenarios.experiments.checks import core, families, levers
    from scenarios.model import simulate

    design = replace(TINY, runs=RunCache(), stress_years=6)
    scenarios = {
        "baseline": design.baseline(6),
        "raised": levers.mid_course(design, "china", "joint_border_patrols"),
        "collapse": design.library("afghan_collapse"),
        "russia": design.library("russia_distracted"),
    }
    requests = core.whole_requests(scenarios, (3,))
    horizon = {families.family_key(json.loads(r.config)): 6 for r in requests}
    groups = core._families(requests, {r.config: core._built(r.config, 6) for r in requests}, horizon)
    assert len(groups) == 1 and groups[0][0].branch == 0
    assert sorted(m.branch for m in groups[0][1:]) == [3 * 52, 4 * 52, 4 * 52 + 9]  # 2024, 2025, March 2025
    runs = core.whole_runs(scenarios, (3,), design)
    for label, sc in scenarios.items():
        alone, shared = simulate(sc, 3), runs[label][0]
        assert families._equal(alone, shared), label


def test_the_suite_stops_when_a_continued_run_differs_from_the_run_made_from_the_start(monkeypatch):
    """The first seed of a family is run both ways: were the model not causal in its inputs (here: the
    copy keeps the baseline's lever plans), the suite raises instead of reporting wrong figures."""
    from scenarios.experiments.checks import levers

    monkeypatch.setattr("scenarios.model.resume.replace_inputs", lambda model, fresh: None)
    design = replace(TINY, runs=RunCache())
    with pytest.raises(RuntimeError, match="not causal in its inputs"):
        checks.ensembles(
            {"baseline": design.baseline(6), "raised": levers.mid_course(design, "china", "joint_border_patrols")},
            design,
        )


def test_families_are_the_scenarios_that_differ_only_in_plans_drivers_and_events():
    from scenarios.experiments.checks import families
    from scenarios.spec.config import scenario_dict

    base = scenario_dict(TINY.baseline(6))
    same = [
        {**base, "years": 3, "name": "other"},
        {**base, "events": [{"when": "2025-03", "kind": "afghan_collapse"}]},
        {**base, "drivers": {**base["drivers"], "remittances": 0.1}},
        scenario_dict(checks.levers.mid_course(TINY, "china", "cybersecurity")),
    ]
    other = [
        scenario_dict(derive(TINY.baseline(6), parameters__legitimacy_initial=0.95)),
        scenario_dict(checks.adaptive(TINY.baseline(6))),
        {**base, "society": {**base["society"], "citizens": 301}},
    ]
    key = families.family_key(base)
    assert all(families.family_key(c) == key for c in same)
    assert all(families.family_key(c) != key for c in other)


def test_the_suite_makes_its_full_model_runs_in_one_batch(monkeypatch):
    from scenarios.experiments.checks import core

    calls: list[int] = []
    real = core.run_tasks
    monkeypatch.setattr(core, "run_tasks", lambda fn, tasks, *a: calls.append(len(tasks)) or real(fn, tasks, *a))
    ids = ("L:cybersecurity@china", "B2", "B3", "B4", "M1", "M5", "R1", "P1")
    results = run_checks(quick=True, only=ids, design=replace(TINY, runs=RunCache()))
    assert [r.id for r in results] == [c.id for c in CHECKS if c.id in ids]
    assert len(calls) == 1  # the prefetch; every check then reads its runs from the cache


def test_standalone_checks_are_made_in_the_batch_on_the_workers_with_the_same_rows():
    from scenarios.experiments.checks import core

    ids = ("F1", "F4", "M1")
    submodel = {c.id: c for c in CHECKS if c.standalone}
    assert set(submodel) == {"F1", "F2a", "F2b", "F3", "F4", "F8", "B1"}
    design = replace(TINY, workers=2, runs=RunCache())
    results = run_checks(quick=True, only=ids, design=design)
    assert set(design.runs.rows) == {"F1", "F4"}  # made in the batch, beside M1's runs
    for r in results[:2]:
        direct = submodel[r.id].run(replace(TINY, runs=RunCache()), True)  # in this process
        assert (r.measured, r.ci_low, r.ci_high, r.passed, r.detail) == tuple(direct)
    assert core._task("check", submodel["F1"].run, TINY, True) == submodel["F1"].run(TINY, True)


def test_f8s_radicalisation_alone_is_the_society_runs_radicalised_share():
    from scenarios.experiments.checks.facts import radicalisation_run, society_run

    params = {"online_propaganda": 1e-5, "radicalisation_initial": 0.01, "radicalisation_contact": 0.18}
    for seed in (0, 1):
        _, whole = society_run(seed, 150, citizens=500, **params)
        assert np.array_equal(radicalisation_run(seed, 150, **params), whole)
