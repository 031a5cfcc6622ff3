"""Calibrating the model: a known answer from synthetic data, the results folder, resume, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import tiny

from scenarios.calibration import fit
from scenarios.calibration.fit import calibrate, plan
from scenarios.calibration.posterior import read_posterior
from scenarios.calibration.targets import Target, TargetFile, statistic
from scenarios.cli import main
from scenarios.errors import Interrupted, ResultsError, ScenarioError
from scenarios.model import simulate

TRUTH = 0.05
"""opiate_product_per_opium_t used to make the synthetic data (its range is 0.01-0.1)."""


def synthetic(seed: int = 11, citizens: int = 200) -> tuple[TargetFile, float]:
    """Seizures in 2021 simulated by the model itself at the known parameter value."""
    sc = tiny(years=1, society={"citizens": citizens}, parameters={"opiate_product_per_opium_t": TRUTH})
    target = Target(
        key="seizures",
        outcome="seizures_t",
        years=(2021, 2021),
        statistic="per_year",
        observed=0.0,
        tolerance=1.0,
        note="synthetic",
    )
    value = statistic(target, simulate(sc, seed).timeseries, 2021)
    held = Target(
        key="held",
        outcome="casualties",
        years=(2021, 2021),
        statistic="per_year",
        observed=0.0,
        tolerance=1.0,
        note="synthetic",
        held_out=True,
    )
    fitted = target.model_copy(update={"observed": value, "tolerance": 0.1 * value})
    return TargetFile(parameters={"assumptions": ()}, targets=(fitted, held)), value


def small_plan(particles: int, generations: int, names: list[str] | None = None) -> fit.Plan:
    tf, _ = synthetic()
    return plan(
        tiny(years=1),
        particles=particles,
        generations=generations,
        citizens=200,
        targets=tf,
        parameters=names or ["opiate_product_per_opium_t"],
        seed=5,
    )


@pytest.mark.slow(quick="test_a_small_calibration_writes_its_folder_and_resumes_to_the_same_result")
def test_known_answer_the_model_recovers_the_parameter_that_made_the_data(tmp_path):
    # data made by the model at opiate_product_per_opium_t = 0.05; prior uniform on 0.01-0.1. Stated
    # interval: the truth lies in the posterior's 90% interval, and the posterior sd is under half the prior's
    result = calibrate(small_plan(particles=16, generations=3), tmp_path / "cal")
    post = result.posterior
    lo, hi = post.quantile(0.05)[0], post.quantile(0.95)[0]
    assert lo <= TRUTH <= hi
    prior_sd = (0.1 - 0.01) / np.sqrt(12)
    assert np.sqrt(post.variance()[0]) < 0.5 * prior_sd


def test_a_small_calibration_writes_its_folder_and_resumes_to_the_same_result(tmp_path, monkeypatch):
    p = small_plan(particles=3, generations=1, names=["opiate_product_per_opium_t", "base_interdiction"])
    whole = calibrate(p, tmp_path / "whole")
    out = tmp_path / "whole"
    assert sorted(f.name for f in out.iterdir()) == [
        "figures",
        "generations",
        "manifest.json",
        "posterior.parquet",
        "report.html",
        "report.md",
    ]
    m = json.loads((out / "manifest.json").read_text())
    assert m["kind"] == "calibration" and m["root_seed"] == 5 and len(m["generations"]) == 2
    assert set(m["parameters"]) == {"opiate_product_per_opium_t", "base_interdiction"}
    assert m["versions"]["python"] and "config" in m and m["model_runs"] >= 6
    post = read_posterior(out)
    np.testing.assert_array_equal(post.theta, whole.posterior.theta)
    html = (out / "report.html").read_text()
    for part in ("Parameters", "Fit to every target", "Held-out coverage", "shrinkage", "held (held out)", "marginals"):
        assert part in html

    # --ship copies the posterior, manifest, Markdown report and figures to where 'calibrated' is read
    monkeypatch.setattr(fit, "shipped_dir", lambda: tmp_path / "shipped")
    fit.ship(out)
    assert sorted(f.name for f in (tmp_path / "shipped").iterdir()) == [
        "figures",
        "manifest.json",
        "posterior.parquet",
        "report.md",
    ]
    assert read_posterior(tmp_path / "shipped").sha256 == post.sha256

    # stop right after generation 0 is saved, then resume: the same posterior as the whole run
    real = fit.save_generation

    def save_then_stop(folder, gen, names, targets):
        real(folder, gen, names, targets)
        if gen.index == 0:
            raise KeyboardInterrupt

    monkeypatch.setattr(fit, "save_generation", save_then_stop)
    with pytest.raises(Interrupted) as stop:
        calibrate(p, tmp_path / "again")
    assert stop.value.folder == str(tmp_path / "again.partial") and stop.value.done == 1 and stop.value.total == 2
    monkeypatch.setattr(fit, "save_generation", real)
    with pytest.raises(ResultsError, match="--resume"):
        calibrate(p, tmp_path / "again")
    resumed = calibrate(p, tmp_path / "again", resume=True)
    np.testing.assert_array_equal(resumed.posterior.theta, whole.posterior.theta)
    np.testing.assert_array_equal(resumed.posterior.weights, whole.posterior.weights)
    assert len(resumed.manifest["resumes"]) == 1
    with pytest.raises(ResultsError, match="already exists"):
        calibrate(p, tmp_path / "again")
    # a resumed calibration may end earlier (or go on longer): recorded, and the earlier generations kept
    monkeypatch.setattr(fit, "save_generation", save_then_stop)
    with pytest.raises(Interrupted):
        calibrate(p, tmp_path / "short")
    monkeypatch.setattr(fit, "save_generation", real)
    short = calibrate(
        small_plan(particles=3, generations=0, names=["opiate_product_per_opium_t", "base_interdiction"]),
        tmp_path / "short",
        resume=True,
    )
    assert len(short.generations) == 1 and short.manifest["generations_changed"][0]["from"] == 1
    assert short.manifest["generations_changed"][0]["to"] == 0
    other = small_plan(particles=4, generations=1)
    (tmp_path / "x.partial").mkdir()
    (tmp_path / "x.partial" / "manifest.json").write_text(json.dumps(resumed.manifest))
    with pytest.raises(ResultsError, match="differs"):
        calibrate(other, tmp_path / "x", resume=True)


def test_plan_sets_the_horizon_and_size_and_refuses_what_cannot_be_calibrated():
    tf, _ = synthetic()
    p = plan(tiny(years=7), quick=True, targets=tf, parameters=["opiate_product_per_opium_t"])
    assert p.scenario.years == 1 and p.scenario.society.citizens == fit.QUICK["citizens"]
    assert p.settings.particles == fit.QUICK["particles"] and p.estimated_runs() > p.settings.particles
    full = plan(tiny(), targets=tf, parameters=["opiate_product_per_opium_t"])
    assert full.settings.particles == fit.FULL["particles"]
    with pytest.raises(ScenarioError, match="start in January of 2021 or earlier"):
        plan(tiny(start="2022-01"), targets=tf)
    with pytest.raises(ScenarioError, match="start in January"):
        plan(tiny(start="2021-03"), targets=tf)
    with pytest.raises(ScenarioError, match="without a range"):
        plan(tiny(), targets=tf, parameters=["arrest_constant_k"])
    with pytest.raises(ScenarioError, match="particles >= 2"):
        plan(tiny(), targets=tf, particles=1)


def test_cli_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "cal"
    cases = [
        ["calibrate", "no_such_scenario", "--out", str(out)],
        ["calibrate", "baseline", "--set", "start=2022-01", "--out", str(out)],
        ["calibrate", "baseline", "--targets", str(tmp_path / "missing.yaml"), "--out", str(out)],
        ["calibrate", "baseline", "--resume"],
        ["calibrate", "baseline", "--out", "s3://bucket/cal"],
    ]
    for argv in cases:
        assert main(argv) == 2, argv
    with pytest.raises(SystemExit) as usage:  # argparse's own check of the option
        main(["calibrate", "baseline", "--particles", "1"])
    assert usage.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "--resume needs --out" in err and "a whole number in 2-100000" in err
    assert not out.exists() and not (tmp_path / "cal.partial").exists()


def test_the_model_simulator_gives_the_same_statistics_with_any_worker_count():
    from scenarios.experiments.runner import local_executor

    p = small_plan(particles=2, generations=0, names=["opiate_product_per_opium_t", "base_interdiction"])
    thetas = p.prior().sample(np.random.default_rng(0), 2)
    one = fit.model_simulator(p, 1, None)(thetas, [1, 2])
    pool = local_executor(2)
    try:
        two = fit.model_simulator(p, 2, pool)(thetas, [1, 2])
    finally:
        pool.shutdown()
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])
