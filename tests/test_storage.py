"""Results storage: worker-written hive-partitioned Parquet, fsspec URLs, metadata, manifests, reuse, portability."""

from __future__ import annotations

import io
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from helpers import CONFIGS, ROOT, interrupt_on_call, scenario

from scenarios.cli import main
from scenarios.errors import ResultsError
from scenarios.experiments import runner
from scenarios.experiments.progress import Progress, duration, replicate_seconds, scenario_seconds
from scenarios.experiments.results import code_version, load_table, table_metadata, versions


def small(**kw):
    return scenario(years=1, society={"citizens": 500}, **kw)


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


def test_hive_dataset_reads_in_one_call_with_partitions_dates_and_metadata(tmp_path):
    res = runner.run_ensemble(small(), tmp_path / "ens", replicates=3)
    ts = pd.read_parquet(tmp_path / "ens" / "timeseries")
    assert sorted(ts["replicate"].astype(int).unique()) == [0, 1, 2]
    assert set(ts["scenario"].astype(str)) == {"test"}
    first = ts[ts["replicate"].astype(int) == 0].sort_values("step")
    # dates are calendar dates, one week apart, from the scenario's start
    assert str(first["date"].iloc[0]) == res.manifest["config"]["start"][:4] + "-01-01"
    assert (pd.to_datetime(first["date"]).diff().dropna() == pd.Timedelta(days=7)).all()
    one = next((tmp_path / "ens" / "timeseries").rglob("part.parquet"))
    meta = table_metadata(one)
    assert meta["scenario"] == "test" and meta["config_sha256"] == res.manifest["config_sha256"]
    assert meta["units"]["stability_index"] == "0-100" and meta["units"]["date"] == "date"
    assert str(pq.read_schema(one).field("date").type) == "date32[day]" and "year" not in pq.read_schema(one).names


def test_worker_written_files_do_not_depend_on_worker_count_or_place(tmp_path):
    pytest.importorskip("fsspec")
    local = runner.run_ensemble(small(), tmp_path / "one", replicates=4, workers=1)
    two = runner.run_ensemble(small(), f"file://{tmp_path}/two", replicates=4, workers=2)
    assert two.path == f"file://{tmp_path}/two" and not (tmp_path / "two.partial").exists()
    assert files(local.path) == files(tmp_path / "two")
    mem = runner.run_ensemble(small(), "memory://scale-test/ens", replicates=4)
    import fsspec

    fs = fsspec.filesystem("memory")
    stored = {
        p.removeprefix("/scale-test/ens/"): fs.cat_file(p) for p in fs.find("/scale-test/ens") if p.endswith(".parquet")
    }
    assert stored == files(local.path)
    assert mem.per_replicate == local.per_replicate
    # read back through the URL
    assert np.array_equal(
        load_table(mem.path, "timeseries")["seizures_t"], load_table(local.path, "timeseries")["seizures_t"]
    )
    fs.rm("/scale-test", recursive=True)


def test_workers_return_summaries_not_tables(tmp_path):
    done = runner.run_and_write(small().model_dump(mode="json"), [(0, 5), (1, 6)], str(tmp_path / "p"))
    assert [d.replicate for d in done] == [0, 1]
    assert set(done[0].summary["stability_index"]) == {"first_year", "last_year", "mean_per_year"}
    assert done[0].cpu_seconds > 0
    assert len(list((tmp_path / "p" / "severities").rglob("part.parquet"))) == 2


def test_dask_batches_group_replicates_and_local_runs_one_each():
    todo = list(range(40))
    assert runner.batches(todo, 2, external=False) == [[i] for i in todo]
    grouped = runner.batches(todo, 2, external=True)
    assert [i for g in grouped for i in g] == todo and max(map(len, grouped)) == 4 and len(grouped) >= 8


def test_manifest_records_versions_and_keeps_first_start_and_command_across_resume(tmp_path, monkeypatch):
    _, real = interrupt_on_call(monkeypatch, runner, "run_replicate", 3)
    with pytest.raises(KeyboardInterrupt) as info:
        runner.run_ensemble(small(), tmp_path / "e", replicates=4, command=["first"])
    assert info.value.folder == str(tmp_path / "e.partial") and info.value.done == 2
    monkeypatch.setattr(runner, "run_replicate", real)
    first = json.loads((tmp_path / "e.partial" / "manifest.json").read_text())
    res = runner.run_ensemble(small(), tmp_path / "e", replicates=4, resume=True, command=["second"])
    m = res.manifest
    assert m["command"] == ["first"] and m["started"] == first["started"]
    assert [r["command"] for r in m["resumes"]] == [["second"]]
    assert set(m["timings"]) == set(m["cpu_seconds"]) == {"0", "1", "2", "3"}  # the first part's kept too
    for pkg in ("scipy", "SALib", "dask", "pandas", "pyarrow", "matplotlib", "mesa", "numpy", "pydantic"):
        assert m["versions"][pkg] == versions()[pkg] and m["versions"][pkg] != ""
    assert m["executor"] == {"kind": "local", "workers": 1}


def test_reuse_needs_the_same_package_version_and_warns_on_another_revision(tmp_path):
    res = runner.run_ensemble(small(), tmp_path / "stored", replicates=2, seed=3)
    h = res.manifest["config_sha256"]
    pkg, rev = code_version(res.manifest)
    assert runner.find_reusable(tmp_path, h, 3, 2, (pkg, rev)).other_revision is False
    assert runner.find_reusable(tmp_path, h, 3, 2, (pkg, "another-revision")).other_revision is True
    assert runner.find_reusable(tmp_path, h, 3, 2, ("0.0.0-other", rev)) is None


def compare_args(results: Path, *extra: str, replicates: int = 2) -> list[str]:
    return [
        "compare",
        str(CONFIGS / "baseline.yaml"),
        str(CONFIGS / "china_withdraws.yaml"),
        "--replicates",
        str(replicates),
        "--set",
        "years=1",
        "--set",
        "society.citizens=500",
        "--set",
        "parameters.burn_in_weeks=0",
        "--results",
        str(results),
        *extra,
    ]


def test_comparison_folder_moves_with_its_ensembles(tmp_path, capsys):
    assert main(compare_args(tmp_path / "res", "--out", str(tmp_path / "res" / "cmp"))) == 0
    spec = json.loads((tmp_path / "res" / "cmp" / "comparison.json").read_text())
    assert all(not Path(f).is_absolute() for f in spec["folders"])
    shutil.move(tmp_path / "res", tmp_path / "moved")
    (tmp_path / "moved" / "cmp" / "report.html").unlink()
    capsys.readouterr()
    assert main(["report", str(tmp_path / "moved" / "cmp")]) == 0
    assert (tmp_path / "moved" / "cmp" / "report.html").is_file()
    # without its ensembles a comparison says which are missing
    shutil.rmtree(tmp_path / "moved" / spec["folders"][0].removeprefix("../"))
    capsys.readouterr()
    assert main(["report", str(tmp_path / "moved" / "cmp")]) == 2
    assert "not there" in capsys.readouterr().err


def test_compare_resume_finishes_an_interrupted_ensemble(tmp_path, monkeypatch, capsys):
    # the 5th replicate: baseline's three done, one of china_withdraws
    calls, _ = interrupt_on_call(monkeypatch, runner, "run_replicate", 5)
    assert main(compare_args(tmp_path, replicates=3)) == 130
    err = capsys.readouterr().err
    (partial,) = tmp_path.glob("china_withdraws-*.partial")
    assert f"stopped by SIGINT: 1/3 finished, kept in {partial}" in err
    assert err.rstrip().endswith(
        "to finish: " + shlex.join(["scenarios", *compare_args(tmp_path, replicates=3), "--resume"])
    )
    assert main(compare_args(tmp_path, replicates=3)) == 2  # without --resume: not started again
    assert "add --resume" in capsys.readouterr().err
    calls.clear()  # the wrapper stays and counts the resumed replicates (two: no interrupt)
    assert main(compare_args(tmp_path, "--resume", replicates=3)) == 0
    err = capsys.readouterr().err
    assert "baseline: reusing" in err and f"resuming {partial.with_suffix('')}" in err
    assert not list(tmp_path.glob("*.partial")) and partial.with_suffix("").is_dir()
    assert len(calls) == 2  # only the two missing replicates ran


def test_progress_line_shows_rate_and_time_left():
    buf = io.StringIO()
    bar = Progress(10, "points", stream=buf, done=4)
    bar.started -= 2.0  # two seconds ago
    bar.update(2)
    line = buf.getvalue()
    assert "points 6/10" in line and "/s" in line and "left" in line
    assert bar.rate() == pytest.approx(1.0, rel=0.2)
    assert duration(5 * 3600) == "5.0 h" and duration(30) == "30 s"
    assert replicate_seconds(10, 1_000_000) > 5 * replicate_seconds(10, 10_000)
    # the estimate counts the burn-in: 2 recorded years + 52 burn-in weeks cost 3 simulated years
    with_burn_in = scenario_seconds(scenario(parameters={"burn_in_weeks": 52}))
    assert with_burn_in == pytest.approx(1.5 * scenario_seconds(scenario()))


def test_a_long_sweep_shows_an_estimate_and_needs_yes_without_a_terminal(tmp_path, capsys):
    # 3 levels of the 9 factors of the shipped exploration section: 3^9 points of 10 default years
    args = ["sweep", str(CONFIGS / "exploration.yaml"), "--design", "factorial", "--samples", "3"]
    args += ["--set", "years=10", "--set", "society.citizens=10000", "--out", str(tmp_path / "big")]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "19,683 points" in err and "at 1 worker" in err and "add --yes" in err
    assert not (tmp_path / "big").exists() and not (tmp_path / "big.partial").exists()


def test_resume_refuses_a_missing_partial_with_the_folder_named(tmp_path):
    with pytest.raises(ResultsError, match="nothing to resume"):
        runner.run_ensemble(small(), tmp_path / "none", replicates=2, resume=True)


def test_api_reads_ensembles_comparisons_and_sweeps_as_tidy_tables(tmp_path):
    import scenarios

    base = scenarios.load(CONFIGS / "baseline.yaml", {"years": 1, "society.citizens": 500})
    res = scenarios.run(base, tmp_path / "base", replicates=2)
    ts = scenarios.read(res.path, outcomes=["stability_index"])
    assert list(ts.columns) == ["scenario", "replicate", "date", "outcome", "value", "unit"]
    assert len(ts) == 2 * 52 and set(ts["unit"]) == {"0-100"}
    # dates as datetime64, in the DataFrames of both readers (not Python date objects)
    assert str(ts["date"].dtype).startswith("datetime64") and ts["date"].iloc[0] == pd.Timestamp("2021-01-01")
    assert str(scenarios.read_wide(res.path)["date"].dtype).startswith("datetime64")
    wide = load_table(res.path, "timeseries")
    assert np.array_equal(ts["value"].to_numpy(), wide["stability_index"].astype(float))
    rg = scenarios.read(res.path, "regions", outcomes=["stability_index"])
    assert "region" in rg.columns and rg["region"].nunique() > 1
    with pytest.raises(ResultsError, match="allowed: timeseries"):
        scenarios.read(res.path, "weekly")
    sweep = tmp_path / "sweep"
    assert (
        main(
            [
                "sweep",
                str(CONFIGS / "exploration.yaml"),
                "--samples",
                "3",
                "--set",
                "years=1",
                "--set",
                "society.citizens=300",
                "--set",
                "parameters.burn_in_weeks=0",
                "--out",
                str(sweep),
            ]
        )
        == 0
    )
    table = scenarios.read(sweep)
    assert {"point", "replicate", "afghan_instability", "outcome", "value"} <= set(table.columns)
    assert table["point"].nunique() == 3


def test_api_overrides_as_mapping_or_set_strings_agree_and_validate():
    import scenarios
    from scenarios.errors import ConfigError

    base = scenarios.load(CONFIGS / "baseline.yaml")
    a = scenarios.override(base, {"society.citizens": 1500, "states.china.levers.financial_aid": 0})
    b = scenarios.override(base, ["society.citizens=1500", "states.china.levers.financial_aid=0"])
    assert a == b and a.society.citizens == 1500 and base.society.citizens != 1500
    with pytest.raises(ConfigError, match="years"):
        scenarios.override(base, {"years": 0})


def test_replicates_the_main_process_cannot_see_are_an_error_not_a_silent_hole(tmp_path, monkeypatch):
    # as when workers on other machines write to their own disks instead of shared storage
    monkeypatch.setattr(runner, "write_replicate", lambda *args: None)
    with pytest.raises(ResultsError, match="shared disk or an object-store URL"):
        runner.run_ensemble(small(), tmp_path / "lost", replicates=2)
    assert not (tmp_path / "lost").exists() and not (tmp_path / "lost.partial").exists()


def test_stored_tables_hold_exactly_what_the_model_produced(tmp_path):
    from scenarios.model import simulate
    from scenarios.rng import replicate_seeds

    sc = small()
    res = runner.run_ensemble(sc, tmp_path / "exact", replicates=2, seed=13, workers=2)
    seed = replicate_seeds(13, 2)[1]
    direct = simulate(sc, seed)
    for table, columns in (
        ("timeseries", direct.timeseries),
        ("regions", direct.regions),
        ("segments", direct.segments),
    ):
        stored = load_table(res.path, table, [1])
        assert set(stored) == {*columns, "replicate", "date"} - {"year"}  # the date replaces the fractional year
        for name, values in columns.items():
            if name != "year":
                assert np.array_equal(stored[name], values), (table, name)
    assert np.array_equal(load_table(res.path, "severities", [1])["casualties"], direct.severities)


def test_folders_written_before_the_hive_layout_still_read(tmp_path):
    from scenarios.experiments.results import write_table

    (tmp_path / "old" / "timeseries").mkdir(parents=True)
    for i in (0, 3):
        write_table(
            tmp_path / "old" / "timeseries" / f"rep-{i:05d}.parquet",
            {"replicate": np.full(2, i), "x": np.array([1.0, 2.0]) + i},
        )
    table = load_table(tmp_path / "old", "timeseries")
    assert table["replicate"].tolist() == [0, 0, 3, 3] and table["x"].tolist() == [1.0, 2.0, 4.0, 5.0]
    assert load_table(tmp_path / "old", "timeseries", [3])["x"].tolist() == [4.0, 5.0]


def test_a_resumed_sweep_keeps_its_first_start_and_command(tmp_path, monkeypatch):
    from scenarios.experiments import exploration
    from scenarios.spec.config import load_scenario

    sc = load_scenario(CONFIGS / "exploration.yaml", ["years=1", "society.citizens=300"])
    factors = exploration.factors_of(sc)
    design = exploration.lhs(factors, 4, seed=2)
    _, real = interrupt_on_call(monkeypatch, exploration, "evaluate_point", 3)
    with pytest.raises(KeyboardInterrupt) as info:
        exploration.run_design(sc, factors, design, tmp_path / "sw", meta={"command": ["first"]})
    assert info.value.folder == str(tmp_path / "sw.partial") and (info.value.done, info.value.total) == (2, 4)
    first = json.loads((tmp_path / "sw.partial" / "manifest.json").read_text())
    monkeypatch.setattr(exploration, "evaluate_point", real)
    out = exploration.run_design(sc, factors, design, tmp_path / "sw", resume=True, meta={"command": ["second"]})
    m = json.loads((out / "manifest.json").read_text())
    assert m["command"] == ["first"] and m["started"] == first["started"]
    assert [r["command"] for r in m["resumes"]] == [["second"]] and set(m["timings"]) == {"0", "1", "2", "3"}


def test_api_compare_refuses_urls_and_an_existing_out_before_running(tmp_path, monkeypatch):
    import scenarios

    ran = []
    monkeypatch.setattr(runner, "run_replicate", lambda *a, **k: ran.append(a))
    base = scenarios.load("baseline", {"years": 1, "society.citizens": 300})
    with pytest.raises(ResultsError, match="results s3://bucket/r: compare writes local folders"):
        scenarios.compare([base, base], results="s3://bucket/r", replicates=2)
    (tmp_path / "taken").mkdir()
    with pytest.raises(ResultsError, match="already exists"):
        scenarios.compare([base, base], out=tmp_path / "taken", results=tmp_path / "r", replicates=2)
    assert ran == [] and not (tmp_path / "r").exists() and not Path("s3:").exists()


def test_api_compare_warns_when_it_reuses_results_of_another_revision(tmp_path):
    import scenarios

    sets = {"years": 1, "society.citizens": 300, "parameters.burn_in_weeks": 0}
    pair = [scenarios.load("baseline", sets), scenarios.load("china_withdraws", sets)]
    scenarios.compare(pair, out=tmp_path / "c1", results=tmp_path / "r", replicates=2)
    (manifest_file,) = (tmp_path / "r").glob("baseline-*/manifest.json")
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    manifest["git_revision"] = "another-revision"
    manifest_file.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.warns(UserWarning, match="made by git revision another-revision"):
        scenarios.compare(pair, out=tmp_path / "c2", results=tmp_path / "r", replicates=2)


def test_read_names_a_damaged_part_file_and_refuses_a_missing_replicate(tmp_path):
    import scenarios

    res = runner.run_ensemble(small(), tmp_path / "ens", replicates=3)
    part = next((Path(res.path) / "timeseries").glob("scenario=*/replicate=1/part.parquet"))
    intact = part.read_bytes()
    part.write_bytes(intact[: len(intact) // 2])
    with pytest.raises(ResultsError, match=r"replicate=1/part\.parquet \(replicate 1 of timeseries\) cannot be read"):
        scenarios.read(res.path)
    part.write_bytes(intact)
    shutil.rmtree(part.parent)
    with pytest.raises(ResultsError, match=r"lacks replicate\(s\) 1 of 3"):
        scenarios.read(res.path)
    assert set(scenarios.read(res.path, "regions")["replicate"]) == {0, 1, 2}  # the other tables are whole


def test_reading_an_interrupted_run_warns_naming_the_missing_replicates(tmp_path):
    res = runner.run_ensemble(small(), tmp_path / "ens", replicates=3)
    partial = tmp_path / "ens.partial"
    Path(res.path).rename(partial)
    shutil.rmtree(next((partial / "timeseries").glob("scenario=*/replicate=2")))
    with pytest.warns(UserWarning, match=r"lacks replicate\(s\) 2 of 3.*reading the 2 replicate"):
        table = load_table(partial, "timeseries")
    assert set(table["replicate"]) == {0, 1}


def _lock_of(folder: Path, pid: int) -> None:
    import socket

    info = {"pid": pid, "host": socket.gethostname(), "started": "2026-12-01T10:00:00+00:00", "command": []}
    Path(str(folder) + ".lock").write_text(json.dumps(info), encoding="utf-8")


def test_an_out_another_process_writes_is_refused_and_a_stale_lock_is_taken_over(tmp_path, capsys):
    import subprocess
    import sys

    out = tmp_path / "busy"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _lock_of(out, other.pid)
        with pytest.raises(ResultsError, match=rf"in use by another process \(pid {other.pid} on"):
            runner.run_ensemble(small(), out, replicates=1)
        assert not (tmp_path / "busy.partial").exists(), "nothing was written"
        assert main(["run", str(CONFIGS / "baseline.yaml"), "--out", str(out), "--quiet"]) == 2
        assert "in use by another process" in capsys.readouterr().err
    finally:
        other.kill()
        other.wait()
    # its process is gone: the lock is stale and the run takes it over, then gives it up
    runner.run_ensemble(small(), out, replicates=1)
    assert (out / "manifest.json").exists() and not Path(str(out) + ".lock").exists()


def test_a_stopped_run_gives_its_lock_up_so_resume_can_take_the_folder(tmp_path, monkeypatch):
    interrupt_on_call(monkeypatch, runner, "run_and_write", 2)
    with pytest.raises(KeyboardInterrupt):
        runner.run_ensemble(small(), tmp_path / "stop", replicates=3)
    assert (tmp_path / "stop.partial").exists() and not (tmp_path / "stop.lock").exists()
    monkeypatch.undo()
    assert runner.run_ensemble(small(), tmp_path / "stop", replicates=3, resume=True).manifest["resumed"] == 1


def test_a_comparison_out_in_use_is_refused(tmp_path):
    from scenarios.experiments.results import staged_folder

    other = __import__("subprocess").Popen([__import__("sys").executable, "-c", "import time; time.sleep(30)"])
    try:
        _lock_of(tmp_path / "cmp", other.pid)
        with pytest.raises(ResultsError, match="in use by another process"), staged_folder(tmp_path / "cmp"):
            pass
    finally:
        other.kill()
        other.wait()


def test_tasks_are_submitted_lazily_with_a_bounded_number_in_flight():
    import threading
    from concurrent.futures import ThreadPoolExecutor

    taken, running, peak = [], [0], [0]
    lock = threading.Lock()

    def task(i):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        with lock:
            running[0] -= 1
        return i

    def tasks():
        for k in range(200):
            taken.append(k)
            assert len(taken) - len(done) <= 3, "a task was taken before a place was free"
            yield k, (k,)

    done = []
    with ThreadPoolExecutor(4) as pool:
        runner.run_tasks(task, tasks(), 2, pool, lambda key, result: done.append(result), in_flight=3)
    assert sorted(done) == list(range(200)) and peak[0] <= 3


def test_absurd_replicates_are_refused_before_anything_is_allocated(tmp_path, capsys):
    import time
    import tracemalloc

    from scenarios.cli.options import MAX_REPLICATES

    assert MAX_REPLICATES == runner.MAX_REPLICATES
    tracemalloc.start()
    t0 = time.perf_counter()
    with pytest.raises(ResultsError, match=r"replicates must be a whole number in \[1, 100,000\], got 1000000000"):
        runner.run_ensemble(small(), tmp_path / "huge", replicates=10**9)
    assert time.perf_counter() - t0 < 1 and tracemalloc.get_traced_memory()[1] < 10e6
    tracemalloc.stop()
    assert not (tmp_path / "huge.partial").exists()
    args = ["run", str(CONFIGS / "baseline.yaml"), "--replicates", "1000000000", "--yes", "--out", str(tmp_path / "h")]
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2 and "[1, 100,000]" in capsys.readouterr().err


def test_compare_says_an_ensemble_is_being_written_rather_than_interrupted(tmp_path):
    import subprocess
    import sys

    sc = small()
    sha = runner.config_hash(runner.scenario_dict(sc))
    partial = tmp_path / "test-now.partial"
    partial.mkdir()
    (partial / "manifest.json").write_text(
        json.dumps({"config_sha256": sha, "root_seed": sc.seed, "replicates": 2}), encoding="utf-8"
    )
    with pytest.raises(ResultsError, match="interrupted ensemble"):
        runner.plan_ensembles([sc], tmp_path, sc.seed, 2)
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        _lock_of(tmp_path / "test-now", other.pid)
        with pytest.raises(ResultsError, match="in use by another process"):
            runner.plan_ensembles([sc], tmp_path, sc.seed, 2, resume=True)
    finally:
        other.kill()
        other.wait()


READS_WITHOUT_THREADS = """
import os, sys
import numpy as np
from scenarios.calibration.posterior import read_posterior, shipped_dir
from scenarios.experiments.results import read_table, write_table

def threads():
    return len(os.listdir("/proc/self/task"))

write_table(sys.argv[1], {"step": np.arange(100), "x": np.linspace(0.0, 1.0, 100)})
before = threads()
assert read_table(sys.argv[1])["x"][-1] == 1.0
assert len(read_posterior(shipped_dir()).weights) > 0
print(before, threads())
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="counts threads in /proc (Linux)")
def test_reading_parquet_starts_no_arrow_threads(tmp_path):
    """Arrow's thread pools can abort the interpreter at exit (apache/arrow#34314; it happened once in
    CI, after the docs' calibration example had finished): the package's reads start none."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-c", READS_WITHOUT_THREADS, str(tmp_path / "t.parquet")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    before, after = map(int, done.stdout.split())
    assert after == before


def test_no_module_reads_parquet_with_arrows_threaded_reader():
    for path in sorted((ROOT / "src" / "scenarios").rglob("*.py")):
        assert "pq.read_table(" not in path.read_text(encoding="utf-8"), f"{path}: read through results.parquet_table"
