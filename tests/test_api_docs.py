"""Every ```python block of docs/api.md runs as a plain script from the repository root."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from helpers import ROOT

BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "api.md").read_text(encoding="utf-8"), re.S)


def test_the_api_document_has_examples():
    assert len(BLOCKS) >= 5


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
