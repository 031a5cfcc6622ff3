"""The comparison report for a policy audience: labelled rows, windows, differences, single-run reports."""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pytest

from scenarios.analysis.compare import Window, compare
from scenarios.analysis.summary import HEADLINE
from scenarios.errors import ResultsError
from scenarios.experiments.runner import run_ensemble
from scenarios.reporting.comparison import (
    build_comparison,
    comparison_rows,
    fmt_diff,
    fmt_p,
    fmt_value,
    load_scenario_data,
    verdict,
)
from scenarios.spec.config import load_scenario

SETS = ("years=4", "society.citizens=500", "parameters.burn_in_weeks=0")


@pytest.fixture(scope="module")
def ensembles(tmp_path_factory):
    """Baseline and meth_surge (a 2024 event) over 2021-2024, 3 paired replicates each."""
    root = tmp_path_factory.mktemp("ens")
    base = run_ensemble(load_scenario("baseline", SETS), root / "base", replicates=3).path
    surge = run_ensemble(load_scenario("meth_surge", SETS), root / "surge", replicates=3).path
    single = run_ensemble(load_scenario("baseline", SETS), root / "single", replicates=1).path
    return base, surge, single


@pytest.fixture(scope="module")
def patrols(ensembles):
    """The baseline with China's patrols at 60 USD M/yr from 2022 (a paired ensemble beside the others)."""
    sets = (*SETS, "states.china.levers.joint_border_patrols={2022: 60}", "name=patrols")
    return run_ensemble(load_scenario("baseline", sets), ensembles[0].parent / "patrols", replicates=3).path


def test_reports_give_spending_per_state_prices_and_cost_effectiveness(ensembles, patrols, tmp_path):
    base, surge, _ = ensembles
    built = build_comparison([base, patrols, surge], tmp_path / "cmp", window=Window(2022, 2024))
    china = next(c for c in built.spending if (c.scenario, c.state, c.category) == ("patrols", "china", "security"))
    assert china.diff == pytest.approx(55.0), "patrols from 5 to 60 USD M/yr, security spending, from 2022"
    stability = next(e for e in built.effects if (e.scenario, e.outcome) == ("patrols", "stability_index"))
    assert stability.extra_spending == pytest.approx(55.0, rel=0.05) and stability.per_100 is not None
    assert stability.per_100 == pytest.approx(100 * stability.diff / stability.extra_spending)
    assert stability.low <= stability.per_100 <= stability.high
    no_cost = next(e for e in built.effects if (e.scenario, e.outcome) == ("meth_surge", "stability_index"))
    assert no_cost.per_100 is None, "meth_surge spends what the baseline spends"
    md = built.paths["markdown"].read_text(encoding="utf-8")
    assert "## patrols: spending" in md and "## patrols: cost-effectiveness" in md
    for state in ("China", "Tajikistan", "Russia", "SCO", "all states"):
        assert f"| {state} |" in md, state
    assert "| Stability index | 0-100 per 100 USD M/yr |" in md and "n/a (no extra spending)" in md
    assert "| price (USD M/yr per unit) |" in md and "| Coordinated border patrols | USD M/yr | 1.000 |" in md
    header = built.paths["costs"].read_text(encoding="utf-8").splitlines()[0]
    assert header == "scenario,state,category,mean,base_mean,diff,diff_low,diff_high,unit"
    assert "per_100" in built.paths["cost_effectiveness"].read_text(encoding="utf-8").splitlines()[0]
    china = build_comparison([base, patrols], tmp_path / "china", window=Window(2022, 2024), payer="china")
    assert {e.payer for e in china.effects} == {"china"}
    assert "extra spending by China" in china.paths["markdown"].read_text(encoding="utf-8")
    assert json.loads((tmp_path / "china" / "comparison.json").read_text(encoding="utf-8"))["payer"] == "china"
    with pytest.raises(ResultsError, match="unknown payer"):
        build_comparison([base, patrols], tmp_path / "nato", payer="nato")
    single = build_comparison([base], tmp_path / "one")
    assert single.effects == [] and "## Spending" in single.paths["markdown"].read_text(encoding="utf-8")


def test_window_selects_years_and_refuses_empty_or_inverted_ones():
    years = np.arange(2021, 2031)
    assert years[Window(2026, 2030).mask(years)].tolist() == [2026, 2027, 2028, 2029, 2030]
    assert years[Window(last_year=True).mask(years)].tolist() == [2030]
    assert Window().mask(years).all() and Window().text(years) == "the whole run (2021-2030)"
    with pytest.raises(ValueError, match="holds no simulated year"):
        Window(2040).mask(years)
    with pytest.raises(ValueError, match="inverted"):
        Window(2028, 2026).mask(years)


def test_a_window_partly_outside_the_run_is_clipped_and_labelled_with_the_years_used():
    years = np.arange(2021, 2031)
    window = Window(1990, 2022)
    assert years[window.mask(years)].tolist() == [2021, 2022]
    assert window.used(years) == (2021, 2022) and window.text(years) == "2021-2022"
    assert window.clip_note(years) == (
        "the window 1990-2022 reaches outside the run (2021-2030): the statistics cover 2021-2022"
    )
    assert Window(2029, 2040).text(years) == "2029-2030" and Window(2030).text(years) == "2030"
    assert Window(2022, 2024).clip_note(years) is None and Window().clip_note(years) is None


def test_significance_and_adjusted_interval_agree():
    rng = np.random.default_rng(5)
    for trial in range(30):
        common = rng.normal(50, 5, 12)
        shift = rng.normal(0, 0.4)
        vals = {
            "base": {n: common + rng.normal(0, 0.5, 12) for n in HEADLINE},
            "other": {n: common + shift + rng.normal(0, 0.5, 12) for n in HEADLINE},
        }
        for r in compare(vals, "base"):
            if r.tested:
                excludes_zero = r.diff_low > 0 or r.diff_high < 0
                assert r.significant == excludes_zero, trial


def test_an_outcome_that_does_not_vary_is_not_tested():
    x = np.arange(10.0)
    vals = {
        "base": {n: x for n in HEADLINE},
        "other": {n: x + (1.0 if n == "security_spending_china" else 0.0) for n in HEADLINE},
    }
    rows = {r.outcome: r for r in compare(vals, "base") if r.scenario == "other"}
    cost = rows["security_spending_china"]
    assert cost.diff == 1.0 and not cost.tested and cost.significant is None and cost.p_value is None
    assert "nothing to test" in verdict(cost)
    assert verdict(rows["stability_index"]) == "same in every run"


def test_formatting_for_readers():
    assert fmt_p(0.0) == "< 0.001" and fmt_p(0.0004) == "< 0.001" and fmt_p(0.0123) == "0.012"
    assert fmt_value(4.6e-4, "share") == "0.046%" and fmt_diff(0.012, "share") == "+1.2 pp"
    assert fmt_value(float("nan"), "t/yr") == "n/a"
    # below 0.0001 a bound, the same way in values and differences, with the sign where it belongs
    assert (fmt_value(5e-5, "persons"), fmt_value(-5e-5, "persons")) == ("< 0.0001", "> -0.0001")
    assert (fmt_diff(5e-5, "persons"), fmt_diff(-5e-5, "persons")) == ("< +0.0001", "> -0.0001")
    assert (fmt_diff(5e-7, "share"), fmt_diff(-5e-7, "share")) == ("< +0.0001 pp", "> -0.0001 pp")


def test_comparison_report_has_labelled_rows_a_window_and_the_differences(ensembles, tmp_path):
    base, surge, _ = ensembles
    built = build_comparison([base, surge], tmp_path / "cmp", window=Window(2024, 2024))
    rows, paths = built.rows, built.paths
    md = paths["markdown"].read_text(encoding="utf-8")
    html = paths["html"].read_text(encoding="utf-8")
    assert "## meth_surge compared with baseline" in md and "mean per year over 2024" in md
    assert "| Stability index | 0-100 |" in md and "| Drugs delivered north | t/yr |" in md
    assert "| stability_index |" not in md, "rows are labelled, not column names"
    assert "| Events | none | meth_surge 2024 |" in md, "the differing event is listed"
    assert not re.search(r"\bnan\b", md.lower()) and "e-0" not in md
    assert "<table>" in html and "Stability index" in html and "data:image/png;base64," in html
    delivered = next(r for r in rows if r.scenario == "meth_surge" and r.outcome == "delivered_t")
    assert delivered.diff > 0, "the 2024 surge raises what is delivered in 2024"
    # the runs table names the code; results of one version carry no warning
    assert "| scenarios version | git revision |" in md and "different versions of the code" not in md


def test_the_window_changes_the_statistic(ensembles, tmp_path):
    base, surge, _ = ensembles
    data = [load_scenario_data(folder) for folder in (base, surge)]

    def delivered(rows):
        return next(r for r in rows if r.scenario == "meth_surge" and r.outcome == "delivered_t").diff

    before, whole, after = (
        delivered(comparison_rows(data, w)) for w in (Window(2021, 2023), Window(), Window(last_year=True))
    )
    assert before == pytest.approx(0.0, abs=1e-9), "nothing differs before the 2024 event"
    assert after > whole > 0, "the whole-run mean dilutes the effect of a late event"
    # the report's rows are these statistics
    rows = build_comparison([base, surge], tmp_path / "before", window=Window(2021, 2023)).rows
    assert delivered(rows) == pytest.approx(0.0, abs=1e-9)


def test_single_run_report_has_no_comparison_text_and_no_nan(ensembles, tmp_path):
    _, _, single = ensembles
    paths = build_comparison([single], tmp_path / "one").paths
    md = paths["markdown"].read_text(encoding="utf-8")
    assert md.startswith("# Scenario report: baseline")
    assert "single run has no confidence intervals" in md
    assert not re.search(r"\bnan\b", md.lower())
    for absent in ("compared with", "bonferroni", "paired"):
        assert absent not in md.lower(), absent


def test_ensemble_report_shows_cis(ensembles, tmp_path):
    base, _, _ = ensembles
    paths = build_comparison([base], tmp_path / "ens").paths
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "95% CI of the mean" in md and "compared with" not in md


def test_window_outside_the_run_is_a_results_error(ensembles, tmp_path):
    base, surge, _ = ensembles
    with pytest.raises(ResultsError, match="holds no simulated year"):
        build_comparison([base, surge], tmp_path / "bad", window=Window(2030, 2031))


def test_cli_compare_window_options(ensembles, tmp_path, capsys):
    from scenarios.cli import main

    args = ["compare", "baseline", "meth_surge", "--replicates", "3", *(f"--set={s}" for s in SETS)]
    args += ["--results", str(ensembles[0].parent), "--out", str(tmp_path / "c")]  # the fixture's ensembles
    assert main([*args, "--from", "2040"]) == 2
    assert main([*args, "--last-year", "--from", "2022"]) == 2
    assert main([*args, "--payer", "nato"]) == 2
    assert not (tmp_path / "c").exists()
    capsys.readouterr()
    assert main([*args, "--last-year"]) == 0
    printed = capsys.readouterr()
    assert printed.err.count("reusing") == 2
    assert printed.out.splitlines()[0].split()[:3] == ["outcome", "unit", "scenario"]
    spending = next(line for line in printed.out.splitlines() if line.startswith("China "))
    assert "USD M/yr" in spending and "per 100 USD M/yr" in printed.out
    assert "last year (2024)" in (tmp_path / "c" / "report.md").read_text(encoding="utf-8")
    assert main(["report", str(tmp_path / "c"), "--payer", "russia", "--out", str(tmp_path / "russia")]) == 0
    assert "extra spending by Russia" in (tmp_path / "russia" / "report.md").read_text(encoding="utf-8")
    assert main(["report", str(tmp_path / "c"), "--from", "2023", "--out", str(tmp_path / "again")]) == 0
    assert "mean per year over 2023-2024" in (tmp_path / "again" / "report.md").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main([*args[:-1], str(tmp_path / "clipped"), "--from", "1990", "--to", "2022"]) == 0
    assert "note: the window 1990-2022 reaches outside the run (2021-2024)" in capsys.readouterr().out
    md = (tmp_path / "clipped" / "report.md").read_text(encoding="utf-8")
    assert "mean per year over 2021-2022" in md and "1990" in md.split("##")[0]
    window = json.loads((tmp_path / "clipped" / "comparison.json").read_text(encoding="utf-8"))["window"]
    assert window["years_used"] == [2021, 2022]


def test_cli_tables_show_small_numbers_without_scientific_notation():
    from scenarios.analysis.summary import fmt

    assert fmt(0.00237) == "0.00237" and fmt(-0.00123) == "-0.00123" and fmt(1.54e-05) == "0.0000154"
    assert fmt(4.81e-07) == "0.000000481" and fmt(-1.5e-08) == "-0.0000000150"
    assert fmt(1234.5) == "1,234" and fmt(0.5) == "0.500" and fmt(0) == "0"


def test_the_report_warns_when_results_come_from_different_code(ensembles, tmp_path):
    base, surge, _ = ensembles
    other = tmp_path / "surge-other-code"
    shutil.copytree(surge, other)
    manifest = json.loads((other / "manifest.json").read_text(encoding="utf-8"))
    manifest["git_revision"] = "0123456789abcdef-other"
    (other / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    paths = build_comparison([base, other], tmp_path / "mixed").paths
    md = paths["markdown"].read_text(encoding="utf-8")
    assert "different versions of the code" in md and "0123456789ab" in md
