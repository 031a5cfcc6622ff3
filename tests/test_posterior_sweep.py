"""Sweeps and sensitivity over a posterior (``--parameters``): every design point runs the same
draws and seeds, recorded in the manifest; bad posteriors are refused before anything is written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from helpers import TINY_WORLD, tiny

from scenarios.calibration.posterior import Posterior, ensemble_parameters, write_posterior
from scenarios.cli import main
from scenarios.cli.options import posterior_draws
from scenarios.errors import ScenarioError
from scenarios.experiments import exploration
from scenarios.experiments.runner import draw_config
from scenarios.rng import replicate_seeds
from scenarios.spec.config import scenario_dict

EXPLORE = {
    "uncertainties": {"corruption": [0.1, 0.6]},
    "levers": {"china.cybersecurity": [0, 150]},
    "outcomes": ["stability_index", "legitimacy"],
}


def posterior_dir(tmp_path, name="cal"):
    """A two-particle posterior of two parameters that visibly move legitimacy."""
    theta = np.array([[0.92, 0.05], [0.95, 0.2]])
    post = Posterior(("legitimacy_initial", "police_per_citizen"), theta, np.array([0.5, 0.5]), np.zeros(2))
    folder = tmp_path / name
    folder.mkdir()
    write_posterior(folder / "posterior.parquet", post)
    return folder


def small(**exploration_section):
    return tiny(years=1, society={"citizens": 200}, exploration={**EXPLORE, **exploration_section})


def test_every_point_runs_the_same_draws_and_seeds_whatever_the_workers(tmp_path):
    sc = small()
    factors = exploration.factors_of(sc)
    design = exploration.lhs(factors, 3, seed=2)
    sets, record = posterior_draws(posterior_dir(tmp_path), 4, seeds_per_draw=2)
    one = exploration.run_design(
        sc, factors, design, tmp_path / "one", replicates=4, parameter_sets=sets, parameters_record=record
    )
    two = exploration.run_design(
        sc, factors, design, tmp_path / "two", replicates=4, workers=2, parameter_sets=sets, parameters_record=record
    )
    plain = exploration.run_design(sc, factors, design, tmp_path / "plain", replicates=4)
    m, table = exploration.load_sweep(one)
    assert m["parameters"]["sha256"] == record["sha256"] and m["parameters"]["draw_of_replicate"] == [0, 0, 1, 1]
    assert [v["legitimacy_initial"] for v in m["parameters"]["replicate_values"]] == [0.92, 0.92, 0.95, 0.95]
    assert m["parameters"]["swept_not_drawn"] == []
    assert list(table["draw"]) == [0, 0, 1, 1] * 3
    pd.testing.assert_frame_equal(pd.read_parquet(one / "sweep.parquet"), pd.read_parquet(two / "sweep.parquet"))
    _, without = exploration.load_sweep(plain)
    assert "draw" not in without and not np.array_equal(table["legitimacy"], without["legitimacy"])
    # replicate 3 of point 1 is the model at draw 1's values with seed 3, the same seed as without a posterior
    seeds = replicate_seeds(sc.seed, 4)
    config = exploration.apply(scenario_dict(sc), factors, exploration.whole_years(factors, design)[1])
    expected = exploration.evaluate_point(draw_config(config, sets[3]), [seeds[3]], ["legitimacy"])
    row = (table["point"] == 1) & (table["replicate"] == 3)
    assert table["legitimacy"][row][0] == expected["legitimacy"][0]


def test_a_parameter_the_design_sweeps_keeps_its_swept_value(tmp_path):
    sc = small(uncertainties={"legitimacy_initial": [0.91, 0.93]})
    factors = exploration.factors_of(sc)
    design = exploration.lhs(factors, 2, seed=1)
    sets, record = posterior_draws(posterior_dir(tmp_path), 2)
    path = exploration.run_design(
        sc, factors, design, tmp_path / "s", replicates=2, parameter_sets=sets, parameters_record=record
    )
    m, table = exploration.load_sweep(path)
    assert m["parameters"]["swept_not_drawn"] == ["legitimacy_initial"]
    assert all(set(v) == {"police_per_citizen"} for v in m["parameters"]["replicate_values"])
    config = exploration.apply(scenario_dict(sc), factors, design[0])
    seeds = replicate_seeds(sc.seed, 2)
    expected = exploration.evaluate_point(
        config, seeds, ["legitimacy"], [{"police_per_citizen": v["police_per_citizen"]} for v in sets]
    )
    np.testing.assert_array_equal(table["legitimacy"][table["point"] == 0], expected["legitimacy"])


def test_posterior_sizes_and_files_are_checked(tmp_path):
    cal = posterior_dir(tmp_path)
    with pytest.raises(ScenarioError, match="multiple of seeds per draw"):
        posterior_draws(cal, 3, 2)
    with pytest.raises(ScenarioError, match="seeds per draw must be a whole number >= 1, got 0"):
        posterior_draws(cal, 2, 0)
    with pytest.raises(ScenarioError, match="allowed: a folder written by scenarios calibrate"):
        posterior_draws(tmp_path / "missing", 2)
    sets, record = posterior_draws(cal, 4, 2)
    assert (sets, record) == ensemble_parameters(cal, 4, 2)  # the one mechanism of run and compare


def _write_config(tmp_path):
    data = {
        "name": "ex",
        "years": 1,
        "world": str(TINY_WORLD),
        "society": {"citizens": 200},
        "parameters": {"burn_in_weeks": 0},
        "exploration": EXPLORE,
    }
    path = tmp_path / "ex.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_cli_sweep_and_sensitivity_with_parameters(tmp_path, capsys):
    cal = posterior_dir(tmp_path)
    cfg = _write_config(tmp_path)
    sweep = ["sweep", str(cfg), "--samples", "2", "--replicates", "2"]
    assert main([*sweep, "--parameters", str(cal), "--out", str(tmp_path / "s")]) == 0
    assert "replicate i of every point uses draw i // 1" in capsys.readouterr().err
    m = json.loads((tmp_path / "s" / "manifest.json").read_text())
    assert m["parameters"]["file"] == str(cal / "posterior.parquet") and m["parameters"]["draw_of_replicate"] == [0, 1]
    assert "Parameters: posterior ensemble from" in (tmp_path / "s" / "report.md").read_text(encoding="utf-8")
    sens = ["sensitivity", str(cfg), "--samples", "2", "--replicates", "2", "--parameters", str(cal)]
    assert main([*sens, "--seeds-per-draw", "2", "--out", str(tmp_path / "m")]) == 0
    m = json.loads((tmp_path / "m" / "manifest.json").read_text())
    assert m["parameters"]["draw_of_replicate"] == [0, 0] and m["method"] == "morris"
    assert "posterior ensemble" in (tmp_path / "m" / "report.md").read_text(encoding="utf-8")


def test_cli_sweep_refuses_bad_posteriors_and_writes_nothing(tmp_path, capsys):
    cal = posterior_dir(tmp_path)
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "posterior.parquet").write_bytes(b"not parquet at all")
    cfg = _write_config(tmp_path)
    sweep = ["sweep", str(cfg), "--samples", "2", "--replicates", "2", "--out", str(tmp_path / "out")]
    before = sorted(p.name for p in tmp_path.iterdir())
    for bad, message in (
        (["--parameters", str(tmp_path / "nothing")], "allowed: a folder written by scenarios calibrate"),
        (["--parameters", str(damaged)], "not a Parquet posterior file"),
        (["--parameters", str(cal), "--seeds-per-draw", "3"], "replicates (2) must be a multiple of seeds per draw"),
    ):
        assert main([*sweep, *bad]) == 2, bad
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    with pytest.raises(SystemExit) as usage:  # argparse's own check of the option: usage, message, exit 2
        main([*sweep, "--parameters", str(cal), "--seeds-per-draw", "0"])
    assert usage.value.code == 2
    assert "--seeds-per-draw: must be a whole number in 1-1000, got 0" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no folder, not even a .partial


def test_api_sweep_with_parameters_returns_the_draw_of_each_row(tmp_path):
    import scenarios

    cal = posterior_dir(tmp_path)
    sc = small()
    runs = scenarios.sweep(sc, tmp_path / "s", samples=2, replicates=2, parameters=cal, report=False)
    assert list(runs["draw"]) == [0, 1, 0, 1]
    tidy = scenarios.read(tmp_path / "s", outcomes=["legitimacy"])
    assert {"point", "replicate", "draw", "china.cybersecurity"} <= set(tidy.columns) and len(tidy) == 4
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "posterior.parquet").write_bytes(b"x")
    with pytest.raises(ScenarioError, match="not a Parquet posterior file"):
        scenarios.sweep(sc, tmp_path / "s2", samples=2, replicates=2, parameters=tmp_path / "bad")
    with pytest.raises(ScenarioError, match="seeds per draw"):
        scenarios.sweep(sc, tmp_path / "s2", samples=2, replicates=2, parameters=cal, seeds_per_draw=0)
    assert not (tmp_path / "s2").exists() and not (tmp_path / "s2.partial").exists()


def test_a_resume_needs_the_same_posterior(tmp_path, monkeypatch):
    from helpers import interrupt_on_call

    from scenarios.errors import ResultsError

    sc = small()
    factors = exploration.factors_of(sc)
    design = exploration.lhs(factors, 3, seed=2)
    sets, record = posterior_draws(posterior_dir(tmp_path), 2)
    kw = {"replicates": 2, "parameter_sets": sets, "parameters_record": record}
    _, real = interrupt_on_call(monkeypatch, exploration, "evaluate_point", 2)
    with pytest.raises(KeyboardInterrupt):
        exploration.run_design(sc, factors, design, tmp_path / "s", **kw)
    monkeypatch.setattr(exploration, "evaluate_point", real)
    with pytest.raises(ResultsError, match="cannot resume"):  # the same sweep without the posterior
        exploration.run_design(sc, factors, design, tmp_path / "s", replicates=2, resume=True)
    other_sets, other = posterior_draws(posterior_dir(tmp_path, "other"), 2, 2)
    with pytest.raises(ResultsError, match="cannot resume"):  # another seeds-per-draw: another key
        exploration.run_design(
            sc,
            factors,
            design,
            tmp_path / "s",
            replicates=2,
            parameter_sets=other_sets,
            parameters_record=other,
            resume=True,
        )
    done = exploration.run_design(sc, factors, design, tmp_path / "s", resume=True, **kw)
    straight = exploration.run_design(sc, factors, design, tmp_path / "straight", **kw)
    pd.testing.assert_frame_equal(pd.read_parquet(done / "sweep.parquet"), pd.read_parquet(straight / "sweep.parquet"))
