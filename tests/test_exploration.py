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
    assert main(["sensitivity", str(EXPLORE), "--method", "sobol", "--samples", "3"]) == 2
    capsys.readouterr()
    assert main(["discover", str(cli_sweep), "--outcome", "stability_index", "--below", "1000"]) == 2  # all cases
    mid = float(np.median(exploration.load_sweep(cli_sweep)[1]["stability_index"]))
    (cli_sweep / "discovery.md").unlink(missing_ok=True)  # the module's sweep: written by this call, not another test
    assert main(["discover", str(cli_sweep), "--outcome", "stability_index", "--below", str(mid)]) == 0
    assert "coverage" in capsys.readouterr().out and (cli_sweep / "discovery.md").is_file()
    assert main(["discover", str(cli_sweep), "--outcome", "nope", "--below", "1"]) == 2
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
    assert Path(EXPLORE).is_file()


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


def test_sweep_report_and_discovery_report(capsys, cli_sweep):
    from scenarios.cli import main

    out = cli_sweep
    md = (out / "report.md").read_text(encoding="utf-8")
    assert (
        "Stability index (0-100)" in md
        and "rank correlation" in md
        and (out / "figures" / "sweep_scatter.png").is_file()
    )
    mid = float(np.median(exploration.load_sweep(out)[1]["stability_index"]))
    for written in ("discovery.md", "discovery.html"):  # the module's sweep: written by this call, not another test
        (out / written).unlink(missing_ok=True)
    assert main(["discover", str(out), "--outcome", "stability_index", "--below", str(mid)]) == 0
    captured = capsys.readouterr()
    assert "cases of interest: a box found from so few runs is fragile" in captured.err
    disc = (out / "discovery.md").read_text(encoding="utf-8")
    assert "coverage" in disc.lower() and "hypergeometric" in disc and (out / "discovery.html").is_file()


def test_a_sweep_that_fails_before_any_point_leaves_nothing(tmp_path, monkeypatch):
    sc = load_scenario(EXPLORE, FAST)
    factors = exploration.factors_of(sc)

    def broken(config, seeds, names):
        raise RuntimeError("boom")

    monkeypatch.setattr(exploration, "evaluate_point", broken)
    with pytest.raises(RuntimeError, match="boom"):
        exploration.run_design(sc, factors, exploration.lhs(factors, 3, seed=1), tmp_path / "sw")
    assert list(tmp_path.iterdir()) == []  # the same command can start again, without --resume
