"""Every ```python block of README.md and of every page under docs/ runs: in this process in `make
test` (quick), and as a plain script from the repository root, in a fresh interpreter and in under a
minute, in `make test-slow` and CI."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
import time

import pytest
from helpers import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCKS = [
    (page.relative_to(ROOT).as_posix(), code)
    for page in PAGES
    for code in re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
]
"""(page, code) of every Python block, in page order."""
SCRIPT_SECONDS = 60.0
"""Each block runs as a script within this (issue 22: every example in under a minute)."""
WARNINGS = "error,ignore:ipyparallel not installed:UserWarning"
"""Warnings are errors, but for the EMA Workbench's notice at import that an optional package is absent."""
LONG = ("distributed", "ema_workbench")
"""Blocks that start a Dask cluster or run EMA experiments: long system tests (``slow``)."""


def test_the_documents_have_examples():
    pages = {page for page, _ in BLOCKS}
    assert sum(page == "docs/api.md" for page, _ in BLOCKS) >= 5
    assert {"docs/api.md", "docs/exploration.md"} <= pages


def example(index: int) -> object:
    """The examples that start a Dask cluster or an EMA run are long system tests (``slow``); the quick
    Dask check in ``make test`` is tests/test_runner.py::test_dask_local_cluster_gives_the_same_results."""
    page, code = BLOCKS[index]
    quick = "test_runner.py::test_dask_local_cluster_gives_the_same_results"
    marks = [pytest.mark.slow(quick=quick)] if any(word in code for word in LONG) else []
    return pytest.param(index, marks=marks, id=f"{page}-{index}")


@pytest.mark.parametrize("index", [example(i) for i in range(len(BLOCKS))])
def test_api_example_runs(index, tmp_path, monkeypatch, capsys):
    """In this process (the quick version): an example that leaned on the tests' own modules
    (``helpers``, on pytest's path here) would pass; the script version in make test-slow catches it."""
    page, code = BLOCKS[index]
    for word in LONG:
        if word in code:
            pytest.importorskip(word)
    script = tmp_path / f"example_{index}.py"
    script.write_text(code, encoding="utf-8")
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip(), f"{page}: an example should print what it shows"


@pytest.mark.slow(quick="test_api_example_runs")
@pytest.mark.parametrize("index", [pytest.param(i, id=f"{BLOCKS[i][0]}-{i}") for i in range(len(BLOCKS))])
def test_api_example_runs_as_a_script(index, tmp_path):
    page, code = BLOCKS[index]
    for word in LONG:
        if word in code:
            pytest.importorskip(word)
    script = tmp_path / f"example_{index}.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONWARNINGS": WARNINGS}
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCRIPT_SECONDS,
        check=False,
    )
    seconds = time.perf_counter() - t0
    assert done.returncode == 0, f"{page}: {done.stderr}"
    assert done.stdout.strip(), f"{page}: an example should print what it shows"
    assert seconds < SCRIPT_SECONDS, f"{page}: the example took {seconds:.0f} s"
