"""Dask clusters: a hand-started ``dask scheduler`` + ``dask worker`` on 127.0.0.1 (shared disk, and an fsspec
URL standing in for an object store), giving the same files as a local run. Processes are stopped by the test.
Long system tests (``slow``: `make test-slow` and CI); the quick Dask check in `make test` is
tests/test_runner.py::test_dask_local_cluster_gives_the_same_results."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers import CONFIGS, ROOT

from scenarios.cli import main

pytest.importorskip("distributed")
pytestmark = pytest.mark.slow(quick="test_runner.py::test_dask_local_cluster_gives_the_same_results")
DASK = shutil.which("dask", path=str(Path(sys.executable).parent)) or shutil.which("dask")
SMALL = ["--set", "years=1", "--set", "society.citizens=500", "--quiet"]


def files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*.parquet"))}


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[str]:
    """A scheduler and two single-threaded workers as separate processes on 127.0.0.1; yields the address."""
    if DASK is None:
        pytest.skip("the dask command is not installed")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # workers import this checkout
    info = tmp_path / "scheduler.json"
    common = {"env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "start_new_session": True}
    procs = [
        subprocess.Popen(
            [DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard", "--scheduler-file", str(info)],
            **common,
        )
    ]
    try:
        t0 = time.monotonic()
        while not info.is_file():
            assert time.monotonic() - t0 < 60, "the scheduler did not start"
            time.sleep(0.1)
        address = json.loads(info.read_text())["address"]
        procs.append(
            subprocess.Popen(
                [
                    DASK,
                    "worker",
                    address,
                    "--nworkers",
                    "2",
                    "--nthreads",
                    "1",
                    "--host",
                    "127.0.0.1",
                    "--no-dashboard",
                ],
                **common,
            )
        )
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for p in reversed(procs):
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()


def test_hand_started_scheduler_and_workers_give_the_local_results(tmp_path, cluster):
    base = ["run", str(CONFIGS / "baseline.yaml"), "--replicates", "6", *SMALL]
    assert main([*base, "--out", str(tmp_path / "local")]) == 0
    # shared storage: workers write into the run's folder themselves
    assert main([*base, "--executor", "dask", "--scheduler", cluster, "--out", str(tmp_path / "shared")]) == 0
    assert files(tmp_path / "shared") == files(tmp_path / "local")
    manifest = json.loads((tmp_path / "shared" / "manifest.json").read_text())
    assert manifest["executor"]["workers"] == 2 and cluster in manifest["executor"]["kind"]
    # no shared disk: an fsspec URL (file:// here, s3:// on a cluster) that workers write to directly
    url = f"file://{tmp_path}/object-store/run"
    assert main([*base, "--executor", "dask", "--scheduler", cluster, "--out", url]) == 0
    assert files(tmp_path / "object-store" / "run") == files(tmp_path / "local")


def test_local_cluster_compare_matches_a_local_compare(tmp_path):
    args = ["compare", str(CONFIGS / "baseline.yaml"), str(CONFIGS / "china_withdraws.yaml"), "--replicates", "3"]
    args += ["--set", "years=1", "--set", "society.citizens=500"]
    assert main([*args, "--results", str(tmp_path / "a")]) == 0
    assert main([*args, "--results", str(tmp_path / "b"), "--executor", "dask", "--workers", "2"]) == 0
    a = sorted(p for p in (tmp_path / "a").iterdir() if not p.name.startswith("compare"))
    b = sorted(p for p in (tmp_path / "b").iterdir() if not p.name.startswith("compare"))
    assert [files(p) for p in a] == [files(p) for p in b]
