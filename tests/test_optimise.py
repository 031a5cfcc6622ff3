"""The lever-mix optimisation: the search core on toy problems with known best mixes (no model),
the front and paired statistics, bad input, and one small search on the model (files, common
seeds, resume after an interruption, the same front whatever the worker count, the CLI and API)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import interrupt_on_call, tiny

from scenarios.analysis.pareto import non_dominated, share_better
from scenarios.errors import ResultsError, ScenarioError
from scenarios.experiments import optimise as opt
from scenarios.experiments.mix_search import COST, MixProblem, Objective, search

GAIN = Objective("gain", "Gain", "units", maximise=True)
COST_OBJ = Objective(COST, "Cost", "USD M/yr", maximise=False)


def toy(objectives: tuple[Objective, ...] = (GAIN,)) -> MixProblem:
    """Two levers, budget 10: lever a costs 1 and gives 3 per unit, lever b costs 2 and gives 1 per unit.
    Per USD, a gives 3 and b 0.5: the best mix spends the whole budget on a (a = 10, b = 0, gain 30)."""
    return MixProblem("toy", ("a", "b"), (1.0, 2.0), (10.0, 5.0), 10.0, objectives)


def gain_of(mixes: list[np.ndarray], seen: list[np.ndarray] | None = None) -> list[dict[str, list[float]]]:
    if seen is not None:
        seen.extend(mixes)
    return [{"gain": [3 * x[0] + x[1] + 0.01 * r for r in range(3)]} for x in mixes]


def test_search_finds_the_known_best_mix_of_a_toy_problem():
    res = search(toy(), gain_of, population=12, generations=15, seed=1)
    best = max(res.candidates, key=lambda c: c.mean("gain"))
    a, b = best.levels
    assert a >= 9.5 and b <= 0.25 and best.cost <= 10
    assert [res.candidates[i] for i in res.front] == [best]  # one objective: one non-dominated mix


def test_the_front_of_gain_and_cost_spends_on_the_better_lever():
    res = search(toy((GAIN, COST_OBJ)), gain_of, population=12, generations=15, seed=1)
    front = [res.candidates[i] for i in res.front]
    assert len(front) >= 5
    # at any cost, moving money from b to a raises the gain: front mixes barely use b
    assert np.mean([c.levels[1] * 2 / max(c.cost, 1e-9) for c in front]) < 0.2
    assert max(c.mean("gain") for c in front) >= 27
    costs = [c.cost for c in front]
    gains = [c.mean("gain") for c in front]
    order = np.argsort(costs)
    assert np.all(np.diff(np.array(gains)[order]) > 0), "a dearer front mix must be better"


def test_over_budget_mixes_are_never_simulated():
    problem = MixProblem("toy", ("a", "b"), (1.0, 1.0), (10.0, 10.0), 10.0, (GAIN,))
    seen: list[np.ndarray] = []

    def total(mixes: list[np.ndarray]) -> list[dict[str, list[float]]]:
        seen.extend(mixes)
        return [{"gain": [float(x.sum())]} for x in mixes]

    res = search(problem, total, population=10, generations=8, seed=3)
    assert seen and all(problem.cost(x) <= 10 + 1e-9 for x in seen)
    assert res.infeasible_skipped > 0  # offspring over budget were ranked by the constraint, not run
    assert max(c.mean("gain") for c in res.candidates) >= 9.5  # the budget binds the best mix


def test_search_replays_from_its_cache_without_simulating():
    first = search(toy((GAIN, COST_OBJ)), gain_of, population=8, generations=4, seed=7)
    cache = {opt.key_of(np.array(c.levels)): c.values for c in first.candidates}
    calls: list[np.ndarray] = []
    again = search(toy((GAIN, COST_OBJ)), lambda m: gain_of(m, calls), population=8, generations=4, seed=7, cache=cache)
    assert calls == [] and again.cached == len(first.candidates)
    assert [c.levels for c in again.candidates] == [c.levels for c in first.candidates]
    assert again.front == first.front


def test_non_dominated_and_paired_shares():
    pts = np.array([[1.0, 5.0], [2.0, 2.0], [3.0, 3.0], [2.0, 2.0], [5.0, 1.0]])
    assert non_dominated(pts) == [0, 1, 4]  # [3, 3] is dominated by [2, 2]; the repeated [2, 2] is kept once
    assert share_better([3.0, 1.0, 2.0, 2.0], [2.0, 2.0, 2.0, 1.0], maximise=True) == 0.5
    assert share_better([3.0, 1.0, 2.0, 2.0], [2.0, 2.0, 2.0, 1.0], maximise=False) == 0.25
    with pytest.raises(ValueError, match="same number of replicates"):
        share_better([1.0], [1.0, 2.0], True)


def test_objectives_come_from_the_outcome_registry():
    assert opt.objective("stability_index").maximise and not opt.objective("attacks_on_chinese").maximise
    assert opt.objective("attacks_on_chinese").unit == "attacks/yr"
    assert opt.objective(COST).unit == "USD M/yr"
    with pytest.raises(ScenarioError, match="did you mean 'stability_index'"):
        opt.objective("stabilty_index")
    with pytest.raises(ScenarioError, match="add at least one outcome to 'cost'"):
        opt.mix_problem("china", 300, ["cost"])
    with pytest.raises(ScenarioError, match="given twice"):
        opt.mix_problem("china", 300, ["cost", "casualties", "cost"])
    p = opt.mix_problem("china", 300)
    assert [o.name for o in p.objectives] == list(opt.DEFAULT_OBJECTIVES)
    assert p.levers and p.cost(np.array(p.upper) * 0) == 0
    # no lever is searched beyond what the whole budget buys
    assert all(u * price <= 300 + 1e-9 for u, price in zip(p.upper, p.prices, strict=True))


@pytest.mark.parametrize(
    ("state", "budget", "message"),
    [
        ("narnia", 100, "not a state with levers"),
        ("chna", 100, "did you mean 'china'"),
        ("taliban", 100, "allowed: tajikistan, china"),
        ("china", -5, "--budget must be a positive number"),
        ("china", 0, "--budget must be a positive number"),
        ("china", float("nan"), "--budget must be a positive number"),
    ],
)
def test_bad_problems_are_refused_by_name(state, budget, message):
    with pytest.raises(ScenarioError, match=message):
        opt.mix_problem(state, budget)


def test_a_start_year_outside_the_run_is_refused():
    sc = tiny(years=2)
    opt.check_year(sc, 2021)
    opt.check_year(sc, 2022)
    for year in (1990, 2020, 2023):
        with pytest.raises(ScenarioError, match="can start in 2021-2022"):
            opt.check_year(sc, year)


def test_policy_config_keeps_the_schedule_until_the_year():
    sc = tiny(years=3, states={"china": {"levers": {"financial_aid": {"2021": 50, "2022": 70}, "cybersecurity": 4}}})
    cfg = opt.policy_config(sc.model_dump(mode="json"), "china", ("financial_aid", "cybersecurity"), (90.0, 0.0), 2022)
    levers = cfg["states"]["china"]["levers"]
    assert levers["financial_aid"] == {"2021": 50.0, "2022": 90.0}
    assert levers["cybersecurity"] == {"2021-01": 4.0, "2022": 0.0}


# ------------------------------------------------------------------ on the model (small)

SMALL = {"population": 4, "generations": 1, "replicates": 2}


def small_scenario():
    return tiny(years=2, states={"china": {"levers": {"joint_border_patrols": 20}}})


def test_optimise_on_the_model_writes_its_folder_and_resumes_to_the_same_front(tmp_path, monkeypatch):
    sc = small_scenario()
    straight = opt.optimise(sc, "china", 200, 2022, tmp_path / "straight", workers=2, **SMALL)
    folder = tmp_path / "straight"
    assert {p.name for p in folder.iterdir()} >= {
        "manifest.json",
        "config.yaml",
        "evaluations",
        "evaluations.csv",
        "pareto.csv",
        "summary.csv",
    }
    m = json.loads((folder / "manifest.json").read_text())
    assert m["kind"] == "optimisation" and m["algorithm"]["library"] == "pymoo" and len(m["replicate_seeds"]) == 2
    for f in (folder / "evaluations").glob("ev-*.json"):  # every mix ran the same replicates
        assert all(len(v) == 2 for v in json.loads(f.read_text())["values"].values())
    front = pd.read_csv(folder / "pareto.csv")
    evaluated = pd.read_csv(folder / "evaluations.csv")
    assert len(front) == evaluated["pareto"].sum() and (front["cost_musd_per_yr"] <= 200 + 1e-6).all()
    assert front["cost_musd_per_yr"].is_monotonic_increasing
    assert {"china.joint_border_patrols", "stability_index_low", "attacks_on_chinese_beats_baseline"} <= set(front)
    assert (front["stability_index_low"] <= front["stability_index_mean"]).all()
    paired = front["stability_index_mean"] - m["baseline"]["stability_index"]["mean"]
    assert np.allclose(front["stability_index_vs_baseline"], paired)  # the mean of the paired differences
    assert (front["stability_index_vs_baseline_low"] <= front["stability_index_vs_baseline"]).all()
    assert m["baseline"]["cost"]["mean"] == pytest.approx(20.0)  # the scenario's own China policy from 2022

    _, real = interrupt_on_call(monkeypatch, opt, "evaluate_mix", 4)
    with pytest.raises(KeyboardInterrupt):
        opt.optimise(sc, "china", 200, 2022, tmp_path / "resumed", **SMALL)
    monkeypatch.setattr(opt, "evaluate_mix", real)
    assert len(list((tmp_path / "resumed.partial" / "evaluations").glob("ev-*.json"))) == 3
    with pytest.raises(ResultsError, match="holds an interrupted run"):
        opt.optimise(sc, "china", 200, 2022, tmp_path / "resumed", **SMALL)
    with pytest.raises(ResultsError, match="problem or search settings differ"):
        opt.optimise(sc, "china", 250, 2022, tmp_path / "resumed", resume=True, **SMALL)
    resumed = opt.optimise(sc, "china", 200, 2022, tmp_path / "resumed", resume=True, **SMALL)
    assert resumed.manifest["search"]["mixes_taken_from_the_folder"] == 3  # the baseline runs last in its batch
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "resumed" / "pareto.csv"), front)
    assert straight.result.front == resumed.result.front
    with pytest.raises(ResultsError, match="already exists"):
        opt.optimise(sc, "china", 200, 2022, folder, **SMALL)


def test_optimise_command_and_api(tmp_path, capsys, write_yaml, monkeypatch):
    import scenarios
    from scenarios.cli import main

    cfg = write_yaml("small.yaml", small_scenario().model_dump(mode="json", exclude_none=True))
    fast = ["--population", "4", "--generations", "0", "--replicates", "2"]
    args = ["optimise", str(cfg), "--state", "china", "--budget", "150", "--from", "2022", *fast]
    assert main([*args, "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "cost [USD M/yr]" in out and "baseline (the scenario's own policy)" in out and "report:" in out
    report = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    assert "NSGA-II" in report and "share of replicates" in report and (tmp_path / "o" / "report.html").is_file()
    assert "stability_index minus baseline, paired [95% CI]" in report
    assert (tmp_path / "o" / "figures" / "pareto_front.png").is_file()

    for bad, message in (
        (["--state", "narnia"], "not a state with levers"),
        (["--budget", "-5"], "--budget must be a positive number"),
        (["--from", "1990"], "--from 1990 is outside the run"),
        (["--objectives", "stability_index,casualtes"], "did you mean 'casualties'"),
        (["--out", str(tmp_path / "o")], "already exists"),
    ):
        assert main([*args, *bad]) == 2, bad
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "small.yaml"]  # nothing half-written

    monkeypatch.chdir(tmp_path)
    # the search itself is tested above: the API's call needs no generation after the first
    frame = scenarios.optimise(
        small_scenario(), "china", 150, 2022, objectives=["stability_index", "cost"], **{**SMALL, "generations": 0}
    )
    assert isinstance(frame, pd.DataFrame) and len(frame) >= 1
    assert "attacks_on_chinese_mean" not in frame and "stability_index_beats_baseline" in frame
    assert frame.attrs["path"].startswith("results/optimise-tiny-china-")
    assert frame.attrs["search"]["mixes_simulated"] >= 1


def test_posterior_draws_are_one_parameter_set_per_replicate(tmp_path):
    sc = small_scenario()
    with pytest.raises(ScenarioError, match="1 override sets for 2 replicates"):
        opt.optimise(sc, "china", 100, 2022, tmp_path / "p", parameters=[{}], **SMALL)
    with pytest.raises(ScenarioError, match="not_a_parameter are not parameters"):
        opt.optimise(sc, "china", 100, 2022, tmp_path / "p", parameters=[{"not_a_parameter": 1.0}, {}], **SMALL)
    assert not (tmp_path / "p").exists() and not (tmp_path / "p.partial").exists()


def test_each_replicate_runs_with_its_own_parameter_overrides():
    from scenarios.rng import replicate_seeds

    config = tiny(years=1).model_dump(mode="json")
    seeds = replicate_seeds(1, 2)
    names = [("stability_index", "mean")]
    plain = opt.evaluate_mix(config, seeds, names, 2021)
    same = opt.evaluate_mix(config, seeds, names, 2021, [{}, {}])
    drawn = opt.evaluate_mix(config, seeds, names, 2021, [{}, {"index_weight_security": 1.0}])
    assert same == plain
    assert drawn["stability_index"][0] == plain["stability_index"][0]
    assert drawn["stability_index"][1] != plain["stability_index"][1]


@pytest.mark.slow(quick="test_optimise.py::test_optimise_on_the_model_writes_its_folder_and_resumes_to_the_same_front")
def test_optimise_on_a_local_dask_cluster_gives_the_front_of_a_local_run(tmp_path, write_yaml):
    pytest.importorskip("distributed")
    from scenarios.cli import main

    cfg = write_yaml("small.yaml", small_scenario().model_dump(mode="json", exclude_none=True))
    args = ["optimise", str(cfg), "--state", "china", "--budget", "150", "--from", "2022"]
    args += ["--population", "4", "--generations", "1", "--replicates", "2"]
    assert main([*args, "--out", str(tmp_path / "local")]) == 0
    assert main([*args, "--executor", "dask", "--workers", "2", "--out", str(tmp_path / "dask")]) == 0
    local, dask = (pd.read_csv(tmp_path / name / "pareto.csv") for name in ("local", "dask"))
    pd.testing.assert_frame_equal(local, dask)
    assert "dask local cluster" in json.loads((tmp_path / "dask" / "manifest.json").read_text())["executor"]["kind"]


def test_objectives_are_averaged_over_the_years_from_the_policy_start():
    from scenarios.analysis.summary import yearly
    from scenarios.model import simulate

    sc = tiny(years=2)
    ts = simulate(sc, 5).timeseries
    names = [("stability_index", "mean"), ("protest_detentions", "sum")]
    got = opt.evaluate_mix(sc.model_dump(mode="json"), [5], names, 2022)
    for name, summary in names:
        assert got[name] == [float(yearly(np.asarray(ts[name], float), summary)[1])]  # 2022 alone
    whole = opt.evaluate_mix(sc.model_dump(mode="json"), [5], names, 2021)
    assert whole["protest_detentions"] == [float(yearly(np.asarray(ts["protest_detentions"], float), "sum").mean())]
