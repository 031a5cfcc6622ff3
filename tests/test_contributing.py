"""CONTRIBUTING.md stays true: every path, script and code name its walk-throughs mention exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEXT = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_every_path_mentioned_exists():
    paths = set(re.findall(r"`((?:src|tests|scripts|docs|configs)/[\w./-]+?)(?:`|\s)", TEXT))
    paths |= {m.split()[-1] for m in re.findall(r"`python (scripts/[\w.]+)`", TEXT)}
    assert len(paths) >= 15
    missing = sorted(p for p in paths if "NAME" not in p and not (ROOT / p).exists())
    assert missing == []


def test_every_test_and_function_mentioned_exists():
    names = set(re.findall(r"`(test_\w+)`", TEXT))
    tests = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("test_*.py"))
    assert names and all(f"def {n}(" in tests for n in names), names
    src = "".join(p.read_text(encoding="utf-8") for p in (ROOT / "src").rglob("*.py"))
    for code in ("Recorder.record", "CHECKS", "Check", "Params", "STRONG_DOSE", "EXPECTED_SIGN"):
        assert code in TEXT
        name = code.split(".")[-1]
        assert re.search(rf"^\s*(class {name}\b|def {name}\(|{name}(: [^=]+)? = )", src, re.M), code


def test_make_targets_mentioned_exist():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in re.findall(r"`make (\w+)`", TEXT):
        assert re.search(rf"^{target}:", makefile, re.M), target
