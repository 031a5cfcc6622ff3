"""Golden regression of the baseline summary: a change that moves the baseline must be deliberate
(rewrite with `python scripts/update_golden.py` and say why in the commit)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scripts import update_golden

ROOT = Path(__file__).resolve().parents[1]


def test_baseline_summary_matches_golden():
    golden = json.loads((ROOT / "tests" / "golden" / "baseline_summary.json").read_text())
    now = update_golden.golden_summary()
    assert set(now) == set(golden)
    for name, stats in golden.items():
        for key, value in stats.items():
            assert now[name][key] == pytest.approx(value, rel=1e-9, abs=1e-12), f"{name}.{key}"
