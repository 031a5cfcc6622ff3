"""Test helpers: paths and small scenarios that run in a fraction of a second.

Imported by test modules as ``from helpers import ...`` (``tests/`` is on pytest's ``pythonpath``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scenarios.spec.config import load_scenario, validate_data

ROOT = Path(__file__).resolve().parents[1]
CONFIGS = ROOT / "src" / "scenarios" / "library"
TINY_WORLD = Path(__file__).parent / "data" / "tiny_world.yaml"


def scenario(**overrides: Any) -> Any:
    """A validated scenario from a mapping (defaults everywhere else), without the burn-in."""
    return validate_data(without_burn_in({"name": "test", "years": 2, "society": {"citizens": 2000}}, overrides))


def tiny(**overrides: Any) -> Any:
    """A scenario on the hand-built two-segment world, without the burn-in."""
    data = {"name": "tiny", "years": 2, "world": str(TINY_WORLD), "society": {"citizens": 1000}}
    return validate_data(without_burn_in(data, overrides))


def without_burn_in(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """``data`` updated by ``overrides``, with ``burn_in_weeks`` 0 unless the overrides set it: the
    52-week burn-in would add a simulated year to every small test run; the tests of the burn-in
    itself set it (tests/test_couplings.py)."""
    parameters = {"burn_in_weeks": 0, **overrides.get("parameters", {})}
    return {**data, **overrides, "parameters": parameters}


def baseline(**sets: Any) -> Any:
    """The shipped baseline, with ``--set``-style overrides given as keyword path__to__key=value."""
    return load_scenario(CONFIGS / "baseline.yaml", [f"{k.replace('__', '.')}={v}" for k, v in sets.items()])
