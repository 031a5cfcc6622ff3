"""Stopping long commands: SIGTERM (Slurm) and SIGINT (Ctrl-C) on a real subprocess keep what finished,
exit 143/130 with one line naming the folder to resume, and leave no Dask noise. Bounded in time."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import CONFIGS, ROOT

from scenarios.cli import main

SMALL = ["--set", "years=1", "--set", "society.citizens=500"]
DEADLINE = 90.0


def start(args: list[str]) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.Popen(
        [sys.executable, "-m", "scenarios", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # a terminal's Ctrl-C reaches the whole group; the test sends it the same way
    )


def stop_when(proc: subprocess.Popen[str], ready: Callable[[], bool], sig: int, group: bool = False) -> tuple[int, str]:
    """Send ``sig`` once ``ready()`` holds; return the exit code and stderr. Kills the process on timeout."""
    try:
        t0 = time.monotonic()
        while not ready():
            assert proc.poll() is None, f"finished before it could be stopped: {proc.stderr.read()}"
            assert time.monotonic() - t0 < DEADLINE, "nothing finished in time"
            time.sleep(0.05)
        if group:
            os.killpg(proc.pid, sig)
        else:
            proc.send_signal(sig)
        _, err = proc.communicate(timeout=DEADLINE)
        return proc.returncode, err
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def has_replicate(root: Path, pattern: str = "*.partial/severities/*/*/part.parquet") -> Callable[[], bool]:
    return lambda: any(root.glob(pattern))


def test_sigterm_stops_run_naming_the_folder_and_resume_finishes_it(tmp_path):
    out = tmp_path / "run"
    args = ["run", str(CONFIGS / "baseline.yaml"), "--replicates", "400", "--out", str(out), "--quiet", *SMALL]
    code, err = stop_when(start(args), has_replicate(tmp_path), signal.SIGTERM)
    assert code == 143
    line = err.strip().splitlines()[-1]
    assert line.startswith("stopped by SIGTERM: ") and f"kept in {out}.partial" in line and line.endswith("--resume")
    assert "Traceback" not in err and not out.exists()
    kept = len(list((tmp_path / "run.partial" / "severities").rglob("part.parquet")))
    assert kept >= 1 and not list((tmp_path / "run.partial").rglob("*.tmp"))


@pytest.mark.slow(quick="test_storage.py::test_compare_resume_finishes_an_interrupted_ensemble")
def test_sigterm_stops_compare_and_compare_resume_continues(tmp_path, capsys):
    args = ["compare", str(CONFIGS / "baseline.yaml"), str(CONFIGS / "china_withdraws.yaml"), "--replicates", "8"]
    args += ["--results", str(tmp_path), *SMALL]
    code, err = stop_when(start(args), has_replicate(tmp_path), signal.SIGTERM)
    assert code == 143 and "Traceback" not in err
    (partial,) = tmp_path.glob("*.partial")
    assert f"kept in {partial}" in err and err.rstrip().endswith("--resume")
    assert main([*args, "--resume", "--yes"]) == 0
    assert f"resuming {partial.with_suffix('')}" in capsys.readouterr().err
    assert not list(tmp_path.glob("*.partial"))


@pytest.mark.slow(quick="test_exploration.py::test_sweep_resumed_after_interruption_gives_the_same_table")
def test_sigterm_stops_a_sweep_keeping_finished_points(tmp_path):
    out = tmp_path / "sweep"
    args = ["sweep", str(CONFIGS / "exploration.yaml"), "--samples", "300", "--out", str(out), *SMALL]
    code, err = stop_when(start(args), has_replicate(tmp_path, "sweep.partial/points/pt-*.parquet"), signal.SIGTERM)
    assert code == 143 and "Traceback" not in err
    assert f"kept in {out}.partial" in err and err.rstrip().endswith("--resume")
    assert list((tmp_path / "sweep.partial" / "points").glob("pt-*.parquet"))


def test_ctrl_c_on_a_local_pool_stops_the_workers_quietly(tmp_path):
    out = tmp_path / "pool"
    args = ["run", str(CONFIGS / "baseline.yaml"), "--replicates", "400", "--workers", "2", "--out", str(out), *SMALL]
    code, err = stop_when(start(args), has_replicate(tmp_path), signal.SIGINT, group=True)
    assert code == 130 and "Traceback" not in err and "stopped by SIGINT" in err


@pytest.mark.slow(quick="test_ctrl_c_on_a_local_pool_stops_the_workers_quietly")
def test_ctrl_c_under_dask_prints_no_dask_warnings(tmp_path):
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    args = ["run", str(CONFIGS / "baseline.yaml"), "--replicates", "400", "--executor", "dask", "--workers", "1"]
    args += ["--out", str(out), "--quiet", *SMALL]
    code, err = stop_when(start(args), has_replicate(tmp_path), signal.SIGINT, group=True)
    assert code == 130
    # the scenario's own warnings (dated entries beyond a 1-year run) are not Dask's
    lines = [line for line in err.splitlines() if line.strip() and not line.startswith("warning: baseline:")]
    assert len(lines) == 1 and lines[0].startswith("stopped by SIGINT"), err  # nothing from Dask


def test_sigterm_to_every_process_of_a_pool_run_leaves_no_process_behind(tmp_path):
    # as Slurm does at the end of a job: every process of the session gets SIGTERM
    out = tmp_path / "slurm"
    args = ["run", str(CONFIGS / "baseline.yaml"), "--replicates", "400", "--workers", "2", "--out", str(out), *SMALL]
    proc = start(args)
    code, err = stop_when(proc, has_replicate(tmp_path), signal.SIGTERM, group=True)
    assert code == 143 and "Traceback" not in err and f"kept in {out}.partial" in err
    t0 = time.monotonic()
    try:
        while True:  # the fork server, its workers and the resource tracker are gone too
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            assert time.monotonic() - t0 < 20, "processes of the stopped run are still alive"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


ORPHAN = """
import os, subprocess, sys
child = subprocess.Popen([sys.executable, "-c", '''
import sys, time
from scenarios.experiments.runner import watch_process
watch_process(interval=0.05)
print("watching", flush=True)
time.sleep(60)
'''], stdout=subprocess.PIPE, text=True)
assert child.stdout.readline().strip() == "watching"
print(child.pid, flush=True)
os._exit(0)  # as after kill -9: no clean-up, the child is orphaned
"""


def test_a_worker_ends_when_the_process_that_started_it_dies():
    # a worker watches the run's pid; here (no pid given) its parent, whose death changes getppid()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", ORPHAN], env=env, capture_output=True, text=True, timeout=60)
    pid = int(out.stdout.strip())
    t0 = time.monotonic()
    while _alive(pid):
        assert time.monotonic() - t0 < 10, "the orphaned worker is still running"
        time.sleep(0.05)


def test_a_watched_process_that_dies_is_noticed_even_as_a_zombie():
    from scenarios.experiments.runner import process_alive, watch_process

    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    noticed = threading.Event()
    watch_process(child.pid, interval=0.02, on_death=noticed.set)
    assert process_alive(child.pid) and not noticed.wait(0.2)
    child.kill()  # not reaped yet: a zombie
    assert noticed.wait(5) and not process_alive(child.pid)
    child.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with contextlib.suppress(OSError):  # a zombie not yet reaped by its new parent has ended
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z"
    return True


@pytest.mark.slow(quick="test_a_watched_process_that_dies_is_noticed_even_as_a_zombie")
def test_kill_9_of_a_pool_run_leaves_no_worker_behind(tmp_path):
    out = tmp_path / "killed"
    args = ["run", str(CONFIGS / "baseline.yaml"), "--replicates", "400", "--workers", "2", "--out", str(out), *SMALL]
    proc = start(args)
    try:
        t0 = time.monotonic()
        while not any(tmp_path.glob("*.partial/severities/*/*/part.parquet")):
            assert proc.poll() is None and time.monotonic() - t0 < DEADLINE
            time.sleep(0.05)
        group = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _group_of(p) == proc.pid]
        assert len(group) >= 3, "the run, its fork server and its workers"
        proc.kill()  # kill -9 of the run alone: nothing can clean up
        proc.communicate(timeout=DEADLINE)
        t0 = time.monotonic()
        while any(_alive(int(p.name)) for p in group if int(p.name) != proc.pid):
            assert time.monotonic() - t0 < 20, "processes of the killed run are still alive"
            time.sleep(0.1)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def _group_of(proc_dir: Path) -> int | None:
    try:
        return int(proc_dir.joinpath("stat").read_text().rsplit(")", 1)[1].split()[2])
    except (OSError, ValueError, IndexError):
        return None
