"""Exploration: known answers for Sobol (Ishigami) and Morris (linear), PRIM on a known box,
a sweep resumed after interruption, the CLI, and the EMA Workbench round trip."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from helpers import CONFIGS, interrupt_on_call

from scenarios.analysis import prim
from scenarios.analysis.sensitivity import Problem, ishigami, morris_design, morris_indices, sobol_design, sobol_indices
from scenarios.errors import ResultsError, ScenarioError
from scenarios.experiments import exploration
from scenarios.rng import replicate_seeds
from scenarios.spec.config import load_scenario

EXPLORE = CONFIGS / "exploration.yaml"
FAST = ["years=1", "society.citizens=300", "parameters.burn_in_weeks=0"]


def test_sobol_recovers_ishigami_indices():
    p = Problem(("x1", "x2", "x3"), ((-np.pi, np.pi),) * 3)
    x = sobol_design(p, 4096, seed=1)
    idx = sobol_indices(p, ishigami(x), seed=1)
    # analytic values (Ishigami & Homma 1990; a = 7, b = 0.1)
    assert idx["S1"] == pytest.approx([0.314, 0.442, 0.0], abs=0.04)
    assert idx["ST"] == pytest.approx([0.558, 0.442, 0.244], abs=0.04)
    assert np.all(idx["ST_conf"] > 0)


def test_morris_ranks_a_linear_function_by_its_effects():
    p = Problem(("a", "b", "c", "d"), ((0, 1), (0, 1), (0, 2), (0, 1)))
    x = morris_design(p, 30, seed=2)
    y = 5 * x[:, 0] + 1 * x[:, 1] + 2 * x[:, 2] + 0 * x[:, 3]
    idx = morris_indices(p, x, y, seed=2)
    # for a linear function mu* = |coefficient| x range, and sigma = 0 (no interaction)
    assert idx["mu_star"] == pytest.approx([5, 1, 4, 0], abs=1e-9)
    assert np.allclose(idx["sigma"], 0, atol=1e-9)


def test_prim_finds_a_known_box():
    rng = np.random.default_rng(3)
    x = rng.random((3000, 4))
    y = ((x[:, 0] > 0.6) & (x[:, 2] < 0.3)).astype(float)
    traj = prim.peel(x, y)
    box = prim.paste(x, y, prim.choose(traj, min_coverage=0.8))
    assert box.density > 0.9 and box.coverage > 0.8
    assert set(box.restricted) == {0, 2}
    assert box.limits[0, 0] == pytest.approx(0.6, abs=0.05) and box.limits[2, 1] == pytest.approx(0.3, abs=0.05)
    assert [b.mass for b in traj] == sorted((b.mass for b in traj), reverse=True)


def test_exploration_section_is_validated(write_yaml):
    from scenarios.errors import ConfigError

    bad = write_yaml(
        "x.yaml",
        "exploration:\n  uncertainties:\n    afghan_instabilty: [0, 1]\n    corruption: [0.5, 0.2]\n  levers:\n    tajikistan.financial_aid: [0, 10]\n  outcomes: [stabilty_index]\n",
    )
    with pytest.raises(ConfigError) as info:
        load_scenario(bad)
    text = str(info.value)
    assert "did you mean 'afghan_instability'" in text and "corruption: [0.5, 0.2]" in text
    assert "tajikistan.financial_aid" in text and "did you mean 'stability_index'" in text
    with pytest.raises(ScenarioError, match="exploration"):
        exploration.factors_of(load_scenario(CONFIGS / "baseline.yaml"))


def test_apply_sets_drivers_parameters_and_levers():
    sc = load_scenario(EXPLORE, FAST)
    factors = exploration.factors_of(sc)
    cfg = exploration.apply(sc.model_dump(mode="json"), factors, np.array([f.high for f in factors]))
    assert cfg["drivers"]["afghan_instability"] == 1.0 and cfg["parameters"]["risk_memory"] == 0.99
    assert cfg["states"]["china"]["levers"]["joint_border_patrols"] == 150


def test_lhs_covers_each_range_once_per_stratum():
    sc = load_scenario(EXPLORE)
    factors = exploration.factors_of(sc)
    d = exploration.lhs(factors, 10, seed=1)
    for j, f in enumerate(factors):
        strata = np.floor((d[:, j] - f.low) / (f.high - f.low) * 10).astype(int)
        assert sorted(strata) == list(range(10))


def test_sweep_resumed_after_interruption_gives_the_same_table(tmp_path, monkeypatch):
    sc = load_scenario(EXPLORE, FAST)
    factors = exploration.factors_of(sc)
    design = exploration.lhs(factors, 6, seed=4)
    straight = exploration.run_design(sc, factors, design, tmp_path / "straight", replicates=2)

    _, real = interrupt_on_call(monkeypatch, exploration, "evaluate_point", 4)
    with pytest.raises(KeyboardInterrupt):
        exploration.run_design(sc, factors, design, tmp_path / "resumed", replicates=2)
    monkeypatch.setattr(exploration, "evaluate_point", real)
    assert len(list((tmp_path / "resumed.partial" / "points").glob("*.parquet"))) == 3
    with pytest.raises(ResultsError, match="its design differs"):
        exploration.run_design(sc, factors, design * 0.99, tmp_path / "resumed", replicates=2, resume=True)
    resumed = exploration.run_design(sc, factors, design, tmp_path / "resumed", replicates=2, resume=True)
    _, a = exploration.load_sweep(straight)
    _, b = exploration.load_sweep(resumed)
    for col in a:
        assert np.array_equal(a[col], b[col]), col
    assert set(a) >= {"point", "replicate", "afghan_instability", "china.joint_border_patrols", "stability_index"}


SMALL = ("--set", "years=1", "--set", "society.citizens=300", "--set", "parameters.burn_in_weeks=0")
"""A small world for the command-line tests (--set works on sweep and sensitivity)."""


@pytest.fixture(scope="module")
def cli_sweep(tmp_path_factory):
    """One 16-point sweep of the library's exploration scenario written by the CLI, read by the
    discovery and sweep-report tests."""
    from scenarios.cli import main

    out = tmp_path_factory.mktemp("sweep") / "w"
    assert main(["sweep", str(EXPLORE), "--design", "lhs", "--samples", "16", *SMALL, "--out", str(out)]) == 0
    return out


def test_cli_sensitivity_sweep_and_discover(tmp_path, capsys, write_yaml, cli_sweep):
    from scenarios.cli import main

    # Morris on two factors (6 runs): the command's plumbing (the library's nine-factor exploration
    # scenario goes through the same code in sweeps); the method's known answers are above
    two = write_yaml(
        "two.yaml",
        {
            "extends": "baseline",
            "exploration": {
                "uncertainties": {"afghan_instability": [0.4, 1.0]},
                "levers": {"china.intelligence_sharing": [0, 1]},
                "outcomes": ["stability_index", "seizures_t"],
            },
        },
    )
    args = ["sensitivity", str(two), "--method", "morris", "--samples", "2", *SMALL, "--out", str(tmp_path / "s")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert (
        "mu_star" in out and (tmp_path / "s" / "report.html").is_file() and (tmp_path / "s" / "indices.csv").is_file()
    )
    assert out.splitlines()[0].split()[:5] == ["outcome", "factor", "mu_star", "mu", "sigma"]
    report = (tmp_path / "s" / "report.md").read_text(encoding="utf-8")
    assert "| mu* [95% CI] (outcome unit) | mu (signed) | sigma |" in report and "direction" in report
    assert main(["sensitivity", str(EXPLORE), "--method", "sobol", "--samples", "3"]) == 2
    capsys.readouterr()
    assert main(["discover", str(cli_sweep), "--outcome", "stability_index", "--below", "1000"]) == 2  # all cases
    mid = float(np.median(exploration.load_sweep(cli_sweep)[1]["stability_index"]))
    found = tmp_path / "found"
    assert (
        main(["discover", str(cli_sweep), "--outcome", "stability_index", "--below", str(mid), "--out", str(found)])
        == 0
    )
    assert (
        "coverage" in capsys.readouterr().out and (found / "discovery.md").is_file() and (found / "box.csv").is_file()
    )
    assert not (cli_sweep / "discovery.md").exists()  # the sweep is only read
    assert (
        main(["discover", str(cli_sweep), "--outcome", "stability_index", "--below", str(mid), "--out", str(found)])
        == 2
    )
    assert "already exists" in capsys.readouterr().err  # nothing is overwritten
    assert main(["discover", str(cli_sweep), "--outcome", "nope", "--below", "1", "--out", str(tmp_path / "n")]) == 2
    assert not (tmp_path / "n").exists() and not (tmp_path / "n.partial").exists()
    assert main(["sweep", str(CONFIGS / "baseline.yaml")]) == 2


def test_ema_workbench_round_trip():
    pytest.importorskip("ema_workbench")
    from scenarios.experiments.ema import ema_model

    model = ema_model(EXPLORE, FAST)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench import SequentialEvaluator, perform_experiments

        with SequentialEvaluator(model) as evaluator:
            experiments, outcomes = perform_experiments(model, scenarios=3, policies=2, evaluator=evaluator)
    assert len(experiments) == 6
    assert {u.name for u in model.uncertainties} == {
        "afghan_instability",
        "corruption",
        "russia_engagement",
        "remittances",
        "risk_memory",
    }
    assert "china__joint_border_patrols" in {lv.name for lv in model.levers}
    assert set(outcomes) == {"stability_index", "casualties", "seizures_t", "unrest_active_share", "legitimacy"}
    assert np.all(np.isfinite(outcomes["stability_index"]))
    # an experiment's result is what our own runner gives for the same inputs
    row = experiments.iloc[0]
    sc = load_scenario(EXPLORE, FAST)
    factors = exploration.factors_of(sc)
    values = np.array([row[f.name.replace(".", "__")] for f in factors])
    ours = exploration.evaluate_point(
        exploration.apply(sc.model_dump(mode="json"), factors, values), replicate_seeds(sc.seed, 1), ["stability_index"]
    )
    assert outcomes["stability_index"][0] == pytest.approx(ours["stability_index"][0])


def test_ema_names_are_keywords():
    from scenarios.experiments.ema import ema_name

    assert ema_name("china.intelligence_sharing").isidentifier()
    assert ema_name("china.joint_border_patrols@start") == "china__joint_border_patrols__start"
    assert Path(EXPLORE).is_file()


def test_ema_gets_a_start_year_as_an_integer_lever(write_yaml):
    pytest.importorskip("ema_workbench")
    from scenarios.experiments.ema import ema_model

    cfg = write_yaml("timing.yaml", timing().model_dump(mode="json", exclude_none=True))
    model = ema_model(cfg)
    kinds = {lv.name: type(lv).__name__ for lv in model.levers}
    assert kinds == {
        "china__joint_border_patrols": "RealParameter",
        "china__joint_border_patrols__start": "IntegerParameter",
    }
    assert (
        model.levers["china__joint_border_patrols__start"].lower_bound,
        model.levers["china__joint_border_patrols__start"].upper_bound,
    ) == (2021, 2022)


# ------------------------------------------------------------------ PRIM pruning and significance, warnings


def test_prim_prunes_restrictions_that_do_not_concentrate_cases():
    rng = np.random.default_rng(11)
    x = rng.random((400, 6))
    y = ((x[:, 0] > 0.7) & (rng.random(400) < 0.9)).astype(float)  # only input 0 matters
    peeled = prim.paste(x, y, prim.choose(prim.peel(x, y), min_coverage=0.5))
    pruned = prim.prune(x, y, peeled)
    assert 0 in pruned.restricted and set(pruned.restricted) <= set(peeled.restricted)
    assert len(pruned.restricted) <= 2
    for t in prim.restriction_tests(x, y, pruned):
        assert t.p_value <= 0.05 / 6


def test_prim_on_pure_noise_keeps_almost_no_restriction():
    rng = np.random.default_rng(1)
    peeled, pruned = [], []
    for _ in range(15):
        x = rng.random((60, 9))
        y = np.zeros(60)
        y[rng.choice(60, 7, replace=False)] = 1
        box = prim.paste(x, y, prim.choose(prim.peel(x, y), 0.5))
        peeled.append(len(box.restricted))
        pruned.append(len(prim.prune(x, y, box).restricted))
    assert np.mean(peeled) >= 6, "peeling alone restricts most inputs, even on noise"
    assert np.mean(pruned) <= 1.0


def test_restriction_test_is_the_hypergeometric_tail():
    x = np.array([[0.0], [1.0], [2.0], [3.0]])
    y = np.array([0.0, 0.0, 1.0, 1.0])
    box = prim.Box(np.array([[2.0, 3.0]]), coverage=1.0, density=1.0, mass=0.5, restricted=[0])
    (t,) = prim.restriction_tests(x, y, box)
    # 2 runs drawn from 4 holding 2 cases: P(both are cases) = 1 / C(4, 2)
    assert t.p_value == pytest.approx(1 / 6) and t.density_without == 0.5


def test_pareto_front_of_a_trajectory():
    boxes = [prim.Box(np.zeros((1, 2)), c, d, 1.0) for c, d in ((1.0, 0.2), (0.8, 0.5), (0.7, 0.4), (0.5, 0.9))]
    assert prim.pareto(boxes) == [0, 1, 3]


def test_small_designs_are_warned_about_by_name():
    from scenarios.analysis.sensitivity import stability_warnings

    sobol_rows = [
        {"outcome": "stability_index", "factor": "corruption", "S1": 1.29, "S1_conf": 0.9, "ST": 0.4, "ST_conf": 0.1}
    ]
    notes = stability_warnings("sobol", 4, sobol_rows)
    assert "4 Sobol base samples" in notes[0]
    assert any("corruption: S1 = 1.29 lies outside [0, 1]" in n for n in notes)
    assert any("exceeds ST" in n for n in notes)
    ok = [{"outcome": "o", "factor": "f", "S1": 0.3, "S1_conf": 0.02, "ST": 0.35, "ST_conf": 0.03}]
    assert stability_warnings("sobol", 1024, ok) == []
    morris = [{"outcome": "o", "factor": "f", "mu_star": 1.0, "mu_star_conf": 2.0}]
    assert len(stability_warnings("morris", 4, morris)) == 2
    assert stability_warnings("morris", 20, [{**morris[0], "mu_star_conf": 0.1}]) == []


def test_sweep_report_and_discovery_report(capsys, cli_sweep, tmp_path, monkeypatch):
    from scenarios.cli import main

    out = cli_sweep
    md = (out / "report.md").read_text(encoding="utf-8")
    assert (
        "Stability index (0-100)" in md
        and "rank correlation" in md
        and (out / "figures" / "sweep_scatter.png").is_file()
    )
    mid = float(np.median(exploration.load_sweep(out)[1]["stability_index"]))
    monkeypatch.chdir(tmp_path)  # the default --out is results/discover-<scenario>-<time>
    assert main(["discover", str(out), "--outcome", "stability_index", "--below", str(mid)]) == 0
    captured = capsys.readouterr()
    assert "cases of interest: a box found from so few runs is fragile" in captured.err
    (found,) = (tmp_path / "results").glob("discover-exploration-*")
    disc = (found / "discovery.md").read_text(encoding="utf-8")
    assert "coverage" in disc.lower() and "hypergeometric" in disc and (found / "discovery.html").is_file()


def test_a_sweep_that_fails_before_any_point_leaves_nothing(tmp_path, monkeypatch):
    sc = load_scenario(EXPLORE, FAST)
    factors = exploration.factors_of(sc)

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(exploration, "evaluate_point", broken)
    with pytest.raises(RuntimeError, match="boom"):
        exploration.run_design(sc, factors, exploration.lhs(factors, 3, seed=1), tmp_path / "sw")
    assert list(tmp_path.iterdir()) == []  # the same command can start again, without --resume


# ------------------------------------------------------------------ policy timing: a lever's start year


def test_from_year_keeps_the_schedule_until_the_year():
    assert exploration.from_year(None, "2021-01", 2024, 9) == {"2024": 9.0}
    assert exploration.from_year(5, "2021-01", 2024, 9) == {"2021-01": 5.0, "2024": 9.0}
    assert exploration.from_year(5, "2021-01", 2021, 9) == {"2021": 9.0}  # from the first year: the level alone
    sched = {"2021": 50, "2022": 70, "2023": 85, "2026": 120}
    assert exploration.from_year(sched, "2021-01", 2024, 10) == {"2021": 50.0, "2022": 70.0, "2023": 85.0, "2024": 10.0}


def timing(**exploration_section):
    from helpers import tiny

    section = {"levers": {"china.joint_border_patrols": [0, 10], "china.joint_border_patrols@start": [2021, 2022]}}
    section.update(exploration_section)
    return tiny(
        states={"china": {"levers": {"joint_border_patrols": 5}}},
        exploration={"outcomes": ["stability_index", "seizures_t", "infiltration_successes"], **section},
    )


def test_apply_with_a_start_year_gives_the_schedule_a_scenario_file_would():
    from scenarios.schedule import expand, step_years

    sc = timing()
    factors = exploration.factors_of(sc)
    assert [(f.name, f.kind) for f in factors] == [
        ("china.joint_border_patrols", "lever"),
        ("china.joint_border_patrols@start", "start"),
    ]
    cfg = exploration.apply(sc.model_dump(mode="json"), factors, np.array([10.0, 2021.7]))  # rounded to 2022
    schedule = cfg["states"]["china"]["levers"]["joint_border_patrols"]
    years = step_years(sc.start, 104)
    assert np.array_equal(expand(schedule, years, 0.0), np.where(years < 2022, 5.0, 10.0))
    design = exploration.whole_years(factors, np.array([[3.3, 2021.2], [4.4, 2021.6]]))
    assert design.tolist() == [[3.3, 2021.0], [4.4, 2022.0]]  # only start years are rounded


def test_start_year_factors_are_checked_against_the_run(write_yaml):
    from helpers import tiny

    from scenarios.errors import ConfigError

    with pytest.raises(ConfigError, match="a start year needs the lever's level too"):
        tiny(exploration={"levers": {"china.joint_border_patrols@start": [2021, 2022]}})
    with pytest.raises(ConfigError, match=r"or 'state\.lever@start'"):
        tiny(exploration={"levers": {"china.joint_border_patrol@start": [2021, 2022]}})
    for bad in ([2019, 2022], [2021, 2023], [2021.5, 2022]):
        sc = timing(levers={"china.joint_border_patrols": [0, 10], "china.joint_border_patrols@start": bad})
        with pytest.raises(ScenarioError, match=r"must be whole years within the run \(2021-2022"):
            exploration.factors_of(sc)


def test_a_sweep_over_start_years_answers_the_question_compare_answers(tmp_path):
    """With the baseline's own level (5) the start year changes nothing (the policy is the baseline's,
    bit for bit); with another level it does, and the level from the first year equals a constant."""
    sc = timing()
    factors = exploration.factors_of(sc)
    design = np.array([[5, 2021], [5, 2022], [10, 2021], [10, 2022], [0, 2021], [0, 2022]], float)
    out = exploration.run_design(sc, factors, design, tmp_path / "t")
    manifest, table = exploration.load_sweep(out)
    names = manifest["outcomes"]
    rows = {(table["china.joint_border_patrols"][i], table["china.joint_border_patrols@start"][i]): i for i in range(6)}

    def values(level, start):
        return [float(table[n][rows[(level, start)]]) for n in names]

    baseline = exploration.evaluate_point(sc.model_dump(mode="json"), manifest["replicate_seeds"], names)
    assert values(5, 2021) == values(5, 2022) == [baseline[n][0] for n in names]
    assert values(10, 2021) != values(10, 2022) and values(0, 2021) != values(0, 2022)
    constant = exploration.apply(sc.model_dump(mode="json"), factors[:1], np.array([10.0]))
    assert values(10, 2021) == [
        exploration.evaluate_point(constant, manifest["replicate_seeds"], names)[n][0] for n in names
    ]
    report = exploration.load_sweep(out)[0]
    assert report["factors"][1]["kind"] == "start"


def test_a_sweep_goes_to_a_url_through_the_results_folder_protocol(capsys, write_yaml):
    pytest.importorskip("fsspec")
    from scenarios.cli import main
    from scenarios.experiments.results import Storage
    from scenarios.reporting.exploration import write_sweep_report

    sc = timing()
    factors = exploration.factors_of(sc)
    url = "memory://explore-tests/sweep"
    out = exploration.run_design(sc, factors, exploration.lhs(factors, 2, seed=1), url)
    store = Storage(url)
    assert out == url and not store.exists(url + ".partial")
    for name in ("manifest.json", "config.yaml", "design.parquet", "sweep.parquet", "summary.csv"):
        assert store.exists(f"{url}/{name}"), name
    assert store.read_bytes(f"{url}/summary.csv").decode().startswith("outcome,unit,runs,min,mean,max")
    write_sweep_report(url)
    assert store.exists(f"{url}/report.html") and store.exists(f"{url}/figures/sweep_scatter.png")
    with pytest.raises(ResultsError, match="already exists"):
        exploration.run_design(sc, factors, exploration.lhs(factors, 2, seed=1), url)

    cfg = write_yaml("timing.yaml", sc.model_dump(mode="json", exclude_none=True))
    assert main(["sweep", str(cfg), "--samples", "2", "--out", "memory://explore-tests/cli"]) == 0
    assert "report: memory://explore-tests/cli/report.html" in capsys.readouterr().out
    assert Storage(url).exists("memory://explore-tests/cli/report.md")


def test_api_sweep_with_policies_sensitivity_and_discover(tmp_path):
    import pandas as pd

    import scenarios

    sc = timing(levers={"china.joint_border_patrols": [0, 10]})
    policies = {
        "early": {"states.china.levers.cybersecurity": {2021: 20}},
        "late": {"states.china.levers.cybersecurity": {2021: 0, 2022: 20}},
    }
    frame = scenarios.sweep(sc, tmp_path / "sw", design="factorial", samples=2, policies=policies)
    assert isinstance(frame, pd.DataFrame) and len(frame) == 4 and frame.attrs["path"] == str(tmp_path / "sw")
    assert frame["policy"].tolist() == ["early", "early", "late", "late"]
    assert frame["china.joint_border_patrols"].tolist() == [0, 10, 0, 10]
    early, late = frame[frame.policy == "early"], frame[frame.policy == "late"]
    assert not np.array_equal(early["stability_index"].to_numpy(), late["stability_index"].to_numpy())
    assert (tmp_path / "sw" / "report.html").is_file()
    with pytest.raises(ScenarioError, match="policies\\['bad'\\] does not give a valid scenario"):
        scenarios.sweep(sc, tmp_path / "x", samples=2, policies={"bad": {"states.china.levers.cybersecurity": -1}})
    assert not (tmp_path / "x").exists() and not (tmp_path / "x.partial").exists()

    indices = scenarios.sensitivity(timing(), method="morris", samples=2, out=tmp_path / "se")
    assert {"outcome", "factor", "mu_star", "mu_star_conf", "mu", "sigma"} <= set(indices)
    assert set(indices["factor"]) == {"china.joint_border_patrols", "china.joint_border_patrols@start"}
    assert indices.attrs["warnings"] and "2 Morris trajectories" in indices.attrs["warnings"][0]

    mid = float(frame["stability_index"].median())
    box = scenarios.discover(tmp_path / "sw", "stability_index", below=mid + 1e-9, out=tmp_path / "d")
    assert set(box["factor"]) == {"policy", "china.joint_border_patrols"}
    assert {"low", "high", "unit", "restricted", "p_value"} <= set(box) and 0 < box.attrs["coverage"] <= 1
    with pytest.raises(ScenarioError, match="already exists"):
        scenarios.discover(tmp_path / "sw", "stability_index", below=mid + 1e-9, out=tmp_path / "d")
    with pytest.raises(ScenarioError, match="exactly one of below= or above="):
        scenarios.discover(tmp_path / "sw", "stability_index")
