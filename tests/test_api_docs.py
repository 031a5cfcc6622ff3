"""Every ```python block of docs/api.md runs: in this process in `make test` (quick), and as a plain
script from the repository root in `make test-slow` and CI (a fresh interpreter per block)."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys

import pytest
from helpers import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(encoding="utf-8"), re.S)


def test_the_api_document_has_examples():
    assert len(BLOCKS) >= 5


def example(index: int) -> object:
    """The examples that start a Dask cluster are long system tests (``slow``); the quick Dask check
    in ``make test`` is tests/test_runner.py::test_dask_local_cluster_gives_the_same_results."""
    quick = "test_runner.py::test_dask_local_cluster_gives_the_same_results"
    marks = [pytest.mark.slow(quick=quick)] if "distributed" in BLOCKS[index] else []
    return pytest.param(index, marks=marks, id=str(index))


@pytest.mark.parametrize("index", [example(i) for i in range(len(BLOCKS))])
def test_api_example_runs(index, tmp_path, monkeypatch, capsys):
    """In this process (the quick version): an example that leaned on the tests' own modules
    (``helpers``, on pytest's path here) would pass; the script version in make test-slow catches it."""
    if "distributed" in BLOCKS[index]:
        pytest.importorskip("distributed")
    script = tmp_path / f"example_{index}.py"
    script.write_text(BLOCKS[index], encoding="utf-8")
    monkeypatch.chdir(ROOT)
    runpy.run_path(str(script), run_name="__main__")
    assert capsys.readouterr().out.strip(), "an example should print what it shows"


@pytest.mark.slow(quick="test_api_example_runs")
@pytest.mark.parametrize("index", range(len(BLOCKS)))
def test_api_example_runs_as_a_script(index, tmp_path):
    code = BLOCKS[index]
    if "distributed" in code:
        pytest.importorskip("distributed")
    script = tmp_path / f"example_{index}.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "PYTHONWARNINGS": "error"}
    done = subprocess.run(
        [sys.executable, str(script)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip(), "an example should print what it shows"
