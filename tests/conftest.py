"""Fixtures shared by the tests; plain helpers live in ``helpers.py``."""

from __future__ import annotations

import os
import resource
from pathlib import Path
from typing import Any

import pytest
import yaml


@pytest.fixture
def write_yaml(tmp_path: Path):
    """Write a YAML file (from text or data) under tmp_path and return its path."""

    def write(name: str, content: Any) -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content if isinstance(content, str) else yaml.safe_dump(content), encoding="utf-8")
        return path

    return write


CHROMIUM = Path(os.environ.get("SCENARIOS_CHROMIUM", "/usr/bin/chromium"))
"""Debian's chromium; SCENARIOS_CHROMIUM points elsewhere (the tests of this skip use a missing path)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Browser tests need Debian's chromium: skipped with one line saying how to get it, except in CI."""
    if CHROMIUM.exists() or os.environ.get("CI") == "true":
        return
    skip = pytest.mark.skip(reason="no /usr/bin/chromium: `sudo apt-get install chromium` enables the browser tests")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The CPU the session used (this process and every subprocess it waited for), as the README quotes it."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    own_s, kids_s = own.ru_utime + own.ru_stime, kids.ru_utime + kids.ru_stime
    terminalreporter.write_line(
        f"CPU time: {own_s + kids_s:.0f} s ({own_s:.0f} s in pytest, {kids_s:.0f} s in subprocesses)"
    )


@pytest.fixture(scope="module")
def two_band_seeds():
    """Classroom sessions measure their noise band on 2 seeds (the fewest a standard deviation
    takes) instead of ``BAND_SEEDS``: the quick tests' sessions prepare in half the time. The same
    code runs; the full-size slow tests and the servers started in a subprocess keep the real band."""
    from functools import partial

    from scenarios.web.classroom import game, simulate

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(game, "noise_band", partial(simulate.noise_band, replicates=2))
        yield
