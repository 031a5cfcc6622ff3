"""The lever-mix search over a posterior (``--parameters``): every mix, the baseline and the
do-nothing mix run the same draws and seeds; intervals over the draws; robustness across draws."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from helpers import tiny
from test_posterior_sweep import posterior_dir

from scenarios.analysis.summary import mean_ci
from scenarios.cli import main
from scenarios.cli.options import posterior_draws
from scenarios.errors import ScenarioError
from scenarios.experiments import optimise as opt

SMALL = {"population": 3, "generations": 0, "replicates": 4}
"""The SCO's two levers (joint exercises, SCO engagement), 4 replicates: 2 draws x 2 seeds."""


def small_scenario():
    return tiny(years=2, society={"citizens": 300})


def _evaluation(folder, key):
    return json.loads((folder / "evaluations" / f"ev-{opt._digest(key)}.json").read_text())["values"]


def test_mixes_run_the_posterior_draws_the_same_with_any_worker_count(tmp_path):
    sc = small_scenario()
    sets, record = posterior_draws(posterior_dir(tmp_path), 4, seeds_per_draw=2)
    kw = {**SMALL, "parameters": sets, "parameters_record": record}
    one = opt.optimise(sc, "sco", 40, 2022, tmp_path / "one", **kw)
    two = opt.optimise(sc, "sco", 40, 2022, tmp_path / "two", workers=2, **kw)
    # without the draws (the same seeds; its references are compared, not its mixes: 2 are enough)
    plain = opt.optimise(sc, "sco", 40, 2022, tmp_path / "plain", **{**SMALL, "population": 2})
    front = pd.read_csv(tmp_path / "one" / "pareto.csv")
    pd.testing.assert_frame_equal(front, pd.read_csv(tmp_path / "two" / "pareto.csv"))
    assert one.manifest["baseline"] == two.manifest["baseline"] and one.manifest["nothing"] == two.manifest["nothing"]
    m = one.manifest
    assert m["parameters"]["sha256"] == record["sha256"] and m["parameters"]["draw_of_replicate"] == [0, 0, 1, 1]
    assert [v["legitimacy_initial"] for v in m["parameters"]["replicate_values"]] == [0.92, 0.92, 0.95, 0.95]
    # the draws are used: the references and the mixes differ from the same search without them
    for key in ("baseline", "nothing"):
        assert _evaluation(tmp_path / "one", key) != _evaluation(tmp_path / "plain", key)
    assert m["baseline"] != plain.manifest["baseline"]
    # intervals over the two draws' means; robustness over draws against the do-nothing mix
    nothing = np.asarray(_evaluation(tmp_path / "one", "nothing")["stability_index"])
    draw = np.array([0, 0, 1, 1])
    for _, row in front.iterrows():
        values = np.asarray(one.result.candidates[int(row["mix"])].values["stability_index"])
        _, low, high = mean_ci([values[:2].mean(), values[2:].mean()])
        assert (row["stability_index_low"], row["stability_index_high"]) == pytest.approx((low, high))
        gain = values - nothing
        share = np.mean([gain[draw == d].mean() > 0 for d in (0, 1)])
        assert row["stability_index_draws_better_than_nothing"] == share
        assert row["stability_index_vs_nothing"] == pytest.approx(gain.mean())
        assert row["stability_index_seed_sd"] >= 0 and row["stability_index_parameter_sd"] >= 0
    assert "stability_index_draws_better_than_nothing" not in pd.read_csv(tmp_path / "plain" / "pareto.csv")


def test_the_do_nothing_mix_is_every_lever_at_zero_from_the_year(tmp_path):
    sc = tiny(years=2, society={"citizens": 300}, states={"sco": {"levers": {"joint_exercises": 2}}})
    res = opt.optimise(sc, "sco", 40, 2022, tmp_path / "o", population=2, generations=0, replicates=1)
    config = opt.policy_config(sc.model_dump(mode="json"), "sco", ("joint_exercises", "sco_engagement"), [0, 0], 2022)
    assert list(config["states"]["sco"]["levers"]["joint_exercises"].values()) == [2.0, 0.0]  # 2 until 2022, then 0
    expected = opt.evaluate_mix(config, res.manifest["replicate_seeds"], [("stability_index", "mean")], 2022)
    assert _evaluation(tmp_path / "o", "nothing")["stability_index"] == expected["stability_index"]
    assert res.manifest["nothing"]["cost"]["mean"] == 0.0


def test_cli_optimise_with_parameters_states_the_robustness(tmp_path, capsys, write_yaml):
    cal = posterior_dir(tmp_path)
    cfg = write_yaml("small.yaml", small_scenario().model_dump(mode="json", exclude_none=True))
    args = ["optimise", str(cfg), "--state", "sco", "--budget", "40", "--from", "2022"]
    args += ["--population", "3", "--generations", "0", "--replicates", "2"]
    assert main([*args, "--parameters", str(cal), "--out", str(tmp_path / "o")]) == 0
    captured = capsys.readouterr()
    assert "replicate i of every mix uses draw i // 1" in captured.err
    assert "better than no extra spending in" in captured.out
    report = (tmp_path / "o" / "report.md").read_text(encoding="utf-8")
    assert "## Robustness across parameter sets" in report and "of parameter sets" in report
    assert "Parameters: posterior ensemble from" in report and "do nothing" in report
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / "posterior.parquet").write_bytes(b"PAR1 broken")
    before = sorted(p.name for p in tmp_path.iterdir())
    for bad, message in (
        (["--parameters", str(tmp_path / "missing")], "allowed: a folder written by scenarios calibrate"),
        (["--parameters", str(damaged)], "not a Parquet posterior file"),
        (["--parameters", str(cal), "--seeds-per-draw", "3"], "replicates (2) must be a multiple of seeds per draw"),
    ):
        assert main([*args, *bad, "--out", str(tmp_path / "x")]) == 2, bad
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing half-written


def test_api_optimise_takes_a_posterior_folder(tmp_path):
    import scenarios

    cal = posterior_dir(tmp_path)
    frame = scenarios.optimise(
        small_scenario(),
        "sco",
        40,
        2022,
        tmp_path / "o",
        objectives=["stability_index", "cost"],
        population=3,
        generations=0,
        replicates=2,
        parameters=cal,
        report=False,
    )
    assert {"stability_index_draws_better_than_baseline", "stability_index_beats_nothing"} <= set(frame.columns)
    assert frame.attrs["nothing"]["cost"]["mean"] == 0.0
    m = scenarios.manifest(tmp_path / "o")
    assert m["parameters"]["file"] == str(cal / "posterior.parquet") and m["parameters"]["draw_of_replicate"] == [0, 1]
    with pytest.raises(ScenarioError, match="seeds per draw"):
        scenarios.optimise(
            small_scenario(), "sco", 40, 2022, tmp_path / "p", replicates=2, parameters=cal, seeds_per_draw=0
        )
    assert not (tmp_path / "p").exists() and not (tmp_path / "p.partial").exists()
