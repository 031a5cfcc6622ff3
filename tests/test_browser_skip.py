"""Without chromium, `make test` still passes: browser tests are skipped with one line saying how to
get them (and in CI, where CI=true, they run and fail loudly instead)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_browser_tests(env_extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"} | env_extra
    cmd = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "tests/test_e2e_browser.py"]
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_browser_tests_skip_with_a_hint_when_chromium_is_missing():
    res = run_browser_tests({"SCENARIOS_CHROMIUM": "/nonexistent/chromium"})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "skipped" in res.stdout and "apt-get install chromium" in res.stdout


@pytest.mark.slow(quick=None, reason="CI's own guarantee, so it runs where it matters: in CI (make test-slow)")
def test_in_ci_a_missing_chromium_is_not_skipped():
    res = run_browser_tests({"SCENARIOS_CHROMIUM": "/nonexistent/chromium", "CI": "true"})
    assert res.returncode != 0 and "skipped" not in res.stdout.splitlines()[-1]
