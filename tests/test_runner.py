"""Ensembles: common random numbers, worker-count independence, streaming, resume, interrupt, Dask."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from helpers import CONFIGS, interrupt_on_call, scenario

from scenarios.errors import ResultsError
from scenarios.experiments import runner
from scenarios.experiments.results import load_table
from scenarios.rng import replicate_seeds


def small():
    return scenario(years=1, society={"citizens": 500})


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


def test_replicate_seeds_are_common_and_prefix_stable():
    assert replicate_seeds(7, 5) == replicate_seeds(7, 5)
    assert replicate_seeds(7, 3) == replicate_seeds(7, 5)[:3]
    assert len(set(replicate_seeds(7, 50))) == 50
    assert replicate_seeds(7, 2) != replicate_seeds(8, 2)


def test_results_identical_for_any_worker_count(tmp_path):
    one = runner.run_ensemble(small(), tmp_path / "one", replicates=4, workers=1)
    two = runner.run_ensemble(small(), tmp_path / "two", replicates=4, workers=2)
    assert files(one.path) == files(two.path)
    assert one.manifest["replicate_seeds"] == two.manifest["replicate_seeds"]
    assert (one.path / "summary.csv").read_text() == (two.path / "summary.csv").read_text()


def test_replicates_differ_and_share_seeds_across_scenarios(tmp_path):
    a = runner.run_ensemble(small(), tmp_path / "a", replicates=3)
    other = scenario(years=1, society={"citizens": 500}, states={"china": {"levers": {"cultural_exchanges": 50}}})
    b = runner.run_ensemble(other, tmp_path / "b", replicates=3)
    assert a.manifest["replicate_seeds"] == b.manifest["replicate_seeds"]
    ts = load_table(a.path, "timeseries")
    r0, r1 = (ts["seizures_t"][ts["replicate"] == i] for i in (0, 1))
    assert not np.array_equal(r0, r1)


def test_interrupted_ensemble_resumes_redoing_only_missing_replicates(tmp_path, monkeypatch):
    out = tmp_path / "ens"
    _, real = interrupt_on_call(monkeypatch, runner, "run_replicate", 3)
    with pytest.raises(KeyboardInterrupt):
        runner.run_ensemble(small(), out, replicates=5)
    partial = Path(str(out) + ".partial")
    assert not out.exists() and partial.is_dir()
    assert len(list((partial / "timeseries").glob("scenario=test/replicate=*/part.parquet"))) == 2

    monkeypatch.setattr(runner, "run_replicate", real)
    with pytest.raises(ResultsError, match="--resume"):
        runner.run_ensemble(small(), out, replicates=5)
    done = runner.run_ensemble(small(), out, replicates=5, resume=True)
    assert done.manifest["resumed"] == 1 and not partial.exists()
    straight = runner.run_ensemble(small(), tmp_path / "straight", replicates=5)
    assert files(done.path) == files(straight.path)
    # summaries of replicates read back from disk equal those computed in memory
    assert (done.path / "summary.csv").read_text() == (straight.path / "summary.csv").read_text()


def test_resume_refuses_a_different_config(tmp_path, monkeypatch):
    out = tmp_path / "ens"

    _, real = interrupt_on_call(monkeypatch, runner, "run_replicate", 2)
    with pytest.raises(KeyboardInterrupt):
        runner.run_ensemble(small(), out, replicates=3)
    monkeypatch.setattr(runner, "run_replicate", real)
    with pytest.raises(ResultsError, match="config hash"):
        runner.run_ensemble(scenario(years=2, society={"citizens": 500}), out, replicates=3, resume=True)


def test_failure_before_any_replicate_leaves_nothing(tmp_path, monkeypatch):
    def broken(config, seed, progress=None):
        raise RuntimeError("boom")

    monkeypatch.setattr(runner, "run_replicate", broken)
    with pytest.raises(RuntimeError):
        runner.run_ensemble(small(), tmp_path / "x", replicates=2)
    assert list(tmp_path.iterdir()) == []


def test_find_stored_matches_hash_seed_and_replicates(tmp_path):
    res = runner.run_ensemble(small(), tmp_path / "stored", replicates=2, seed=11)
    h = res.manifest["config_sha256"]
    assert runner.find_stored(tmp_path, h, 11, 2) == res.path
    assert runner.find_stored(tmp_path, h, 12, 2) is None
    assert runner.find_stored(tmp_path, h, 11, 3) is None


def test_manifest_records_timings_and_executor(tmp_path):
    res = runner.run_ensemble(small(), tmp_path / "m", replicates=2, workers=2)
    m = json.loads((res.path / "manifest.json").read_text())
    assert set(m["timings"]) == {"0", "1"} and m["executor"]["workers"] == 2
    assert m["started"] <= m["finished"]


def test_dask_local_cluster_gives_the_same_results(tmp_path):
    pytest.importorskip("distributed")
    local = runner.run_ensemble(small(), tmp_path / "local", replicates=3)
    with runner.executor_for("dask", 2) as pool:
        assert "dask" in pool.label and pool.workers == 2
        dask = runner.run_ensemble(
            small(),
            tmp_path / "dask",
            replicates=3,
            executor=pool.executor,
            workers=pool.workers,
            executor_label=pool.label,
        )
    assert files(local.path) == files(dask.path)


def test_cli_compare_and_report_regeneration(tmp_path, capsys):
    from scenarios.cli import main

    args = [
        "compare",
        str(CONFIGS / "baseline.yaml"),
        str(CONFIGS / "china_withdraws.yaml"),
        "--replicates",
        "3",
        "--set",
        "years=2",
        "--set",
        "society.citizens=500",
        "--set",
        "parameters.burn_in_weeks=0",
        "--results",
        str(tmp_path),
        "--precision",
        "0.1",
    ]
    assert main([*args, "--out", str(tmp_path / "cmp")]) == 0
    out = capsys.readouterr()
    assert "Stability index" in out.out and "replicates would be needed" in out.out
    html = (tmp_path / "cmp" / "report.html").read_text()
    assert "<img" in html and "data:image/png;base64" in html and "http://" not in html and "https://" not in html
    assert "not verified" in html
    md = (tmp_path / "cmp" / "report.md").read_text()
    assert "| outcome |" in md and "figures/regions.png" in md
    # a second comparison reuses the stored ensembles
    assert main([*args, "--out", str(tmp_path / "cmp2")]) == 0
    assert capsys.readouterr().err.count("reusing") == 2
    # the report is regenerated from stored results without rerunning
    (tmp_path / "cmp" / "report.html").unlink()
    assert main(["report", str(tmp_path / "cmp")]) == 0
    assert (tmp_path / "cmp" / "report.html").is_file()
    assert main(["report", str(tmp_path / "nothing")]) == 2
