"""Posterior ensembles: replicate i runs draw i with seed i, recorded in the manifest and paired across scenarios."""

from __future__ import annotations

import json

import numpy as np
import pytest
from helpers import tiny

from scenarios.calibration.posterior import Posterior, ensemble_parameters, write_posterior
from scenarios.cli import main
from scenarios.experiments.results import load_table
from scenarios.experiments.runner import draw_config, ensemble_sha, plan_ensembles, run_ensemble
from scenarios.model import simulate
from scenarios.spec.config import scenario_dict, validate_data


def _posterior_dir(tmp_path):
    theta = np.array([[0.92, 0.05], [0.95, 0.2]])
    post = Posterior(("legitimacy_initial", "police_per_citizen"), theta, np.array([0.5, 0.5]), np.zeros(2))
    folder = tmp_path / "cal"
    folder.mkdir()
    write_posterior(folder / "posterior.parquet", post)
    return folder


def test_replicate_i_runs_draw_i_with_seed_i_and_the_manifest_says_so(tmp_path):
    sc = tiny(years=1, society={"citizens": 200})
    sets, record = ensemble_parameters(_posterior_dir(tmp_path), 2)
    assert [s["legitimacy_initial"] for s in sets] == [0.92, 0.95]
    res = run_ensemble(sc, tmp_path / "run", replicates=2, parameter_sets=sets, parameters_record=record)
    m = res.manifest
    assert m["parameters"]["sha256"] == record["sha256"] and m["parameters"]["draw_of_replicate"] == [0, 1]
    assert m["parameters"]["replicate_values"][1]["legitimacy_initial"] == 0.95
    assert m["config_sha256"] == ensemble_sha(scenario_dict(sc), record["key"]) != ensemble_sha(scenario_dict(sc))
    saved = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert saved["parameters"]["rows"] == [0, 1]
    # replicate 1 is exactly the model run at draw 1's values with replicate 1's seed
    expected = simulate(validate_data(draw_config(scenario_dict(sc), sets[1])), m["replicate_seeds"][1]).timeseries
    got = load_table(tmp_path / "run", "timeseries", [1])
    np.testing.assert_array_equal(got["legitimacy"], expected["legitimacy"])
    plain = simulate(sc, m["replicate_seeds"][1]).timeseries
    assert not np.array_equal(got["legitimacy"], plain["legitimacy"])  # the draw changed the run


def test_a_posterior_ensemble_is_never_reused_for_a_plain_one(tmp_path):
    sc = tiny(years=1, society={"citizens": 200})
    sets, record = ensemble_parameters(_posterior_dir(tmp_path), 2)
    run_ensemble(sc, tmp_path / "results" / "x", replicates=2, parameter_sets=sets, parameters_record=record)
    plain = plan_ensembles([sc], tmp_path / "results", sc.seed, 2)
    assert plain[0].action == "run"
    same = plan_ensembles([sc], tmp_path / "results", sc.seed, 2, parameters_sha256=record["key"])
    assert same[0].action == "reuse"
    with pytest.raises(ValueError, match="parameter sets"):
        run_ensemble(sc, tmp_path / "y", replicates=3, parameter_sets=sets, parameters_record=record)


def test_cli_run_with_parameters(tmp_path, capsys):
    cal = _posterior_dir(tmp_path)
    args = ["run", str(tmp_path / "s.yaml"), "--replicates", "2", "--quiet"]
    (tmp_path / "s.yaml").write_text(
        "extends: baseline\nyears: 1\nsociety: {citizens: 200}\nparameters: {burn_in_weeks: 0}\n", encoding="utf-8"
    )
    assert main([*args, "--parameters", str(cal), "--out", str(tmp_path / "r")]) == 0
    m = json.loads((tmp_path / "r" / "manifest.json").read_text())
    assert m["parameters"]["file"] == str(cal / "posterior.parquet")
    assert main([*args, "--parameters", str(tmp_path / "nothing"), "--out", str(tmp_path / "r2")]) == 2
    assert "allowed: a folder written by scenarios calibrate" in capsys.readouterr().err
    assert not (tmp_path / "r2").exists() and not (tmp_path / "r2.partial").exists()


def test_cli_compare_needs_replicates_a_multiple_of_seeds_per_draw(tmp_path, capsys):
    cal = _posterior_dir(tmp_path)
    code = main(
        [
            "compare",
            "baseline",
            "security_first",
            "--replicates",
            "3",
            "--parameters",
            str(cal),
            "--results",
            str(tmp_path / "res"),
            "--out",
            str(tmp_path / "c"),
        ]
    )
    assert code == 2
    assert "multiple of --seeds-per-draw 2" in capsys.readouterr().err


def test_api_compare_over_a_posterior_separates_seed_noise_from_parameter_uncertainty(tmp_path):
    import scenarios

    cal = _posterior_dir(tmp_path)
    base = tiny(years=1, society={"citizens": 200})
    more = tiny(years=1, society={"citizens": 200}, name="more", states={"china": {"levers": {"cybersecurity": 150}}})
    folder = scenarios.compare([base, more], tmp_path / "cmp", replicates=4, results=tmp_path / "res", parameters=cal)
    report = (folder / "report.md").read_text(encoding="utf-8")
    assert "## Parameter uncertainty" in report and "2 draws x 2 seeds" in report
    table = scenarios.uncertainty(folder)
    assert set(table["scenario"]) == {"more"}
    row = table.set_index("outcome").loc["radicalised_share"]
    assert 0.0 <= row["share_better"] <= 1.0
    assert row["robustness"].startswith("better in ") and "seed noise: +/-" in row["robustness"]
    assert row["seed_variance"] >= 0 and row["parameter_variance"] >= 0
    frame = scenarios.posterior(cal)
    assert list(frame.columns) == ["legitimacy_initial", "police_per_citizen", "weight", "distance"]
    assert frame["weight"].sum() == pytest.approx(1.0)
    with pytest.raises(Exception, match="multiple of seeds_per_draw"):
        scenarios.compare([base, more], tmp_path / "c2", replicates=3, results=tmp_path / "res", parameters=cal)


def test_api_calibrate_writes_a_posterior(tmp_path):
    import scenarios

    sc = tiny(years=4)
    result = scenarios.calibrate(sc, tmp_path / "cal", particles=2, generations=0, citizens=100)
    assert (tmp_path / "cal" / "posterior.parquet").is_file()
    assert len(scenarios.posterior(tmp_path / "cal")) == 2
    assert result.manifest["settings"]["particles"] == 2


def test_cli_compare_over_a_posterior_prints_robustness(tmp_path, capsys):
    import yaml
    from helpers import TINY_WORLD

    cal = _posterior_dir(tmp_path)
    base = {
        "name": "a",
        "years": 1,
        "world": str(TINY_WORLD),
        "society": {"citizens": 200},
        "parameters": {"burn_in_weeks": 0},
    }
    more = {**base, "name": "b", "states": {"china": {"levers": {"cultural_exchanges": 100}}}}
    for data in (base, more):
        (tmp_path / f"{data['name']}.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    argv = [
        "compare",
        str(tmp_path / "a.yaml"),
        str(tmp_path / "b.yaml"),
        "--replicates",
        "4",
        "--parameters",
        str(cal),
    ]
    assert main([*argv, "--results", str(tmp_path / "res"), "--out", str(tmp_path / "c")]) == 0
    captured = capsys.readouterr()
    assert "uses draw i // 2 and seed i" in captured.err
    assert "parameter share" in captured.out and "of plausible parameter sets (seed noise: +/-" in captured.out
    manifests = [json.loads(p.read_text()) for p in (tmp_path / "res").glob("*/manifest.json")]
    assert [m["parameters"]["draw_of_replicate"] for m in manifests] == [[0, 0, 1, 1]] * 2
    assert "## Parameter uncertainty" in (tmp_path / "c" / "report.md").read_text(encoding="utf-8")
