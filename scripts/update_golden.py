"""Rewrite the golden baseline summary (tests/golden/baseline_summary.json). Run only on purpose,
after a change that is meant to move the baseline, and say so in the commit message."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def golden_summary() -> dict:
    from scenarios.analysis.summary import replicate_summary
    from scenarios.model import simulate
    from scenarios.spec.config import load_scenario

    sc = load_scenario(ROOT / "src" / "scenarios" / "library" / "baseline.yaml", ["years=3", "society.citizens=2000"])
    return replicate_summary(simulate(sc, 20250320).timeseries)


if __name__ == "__main__":
    path = ROOT / "tests" / "golden" / "baseline_summary.json"
    path.write_text(json.dumps(golden_summary(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {path}")
