"""scenarios: an agent-based policy scenario simulator of China-Tajikistan security cooperation.

Layers (imports flow downwards only; ``tests/test_architecture.py`` keeps this true):

- faces: :mod:`scenarios.cli`, :mod:`scenarios.web`, and the Python API :mod:`scenarios.api`
- running: :mod:`scenarios.experiments.runner`, :mod:`scenarios.experiments.results`
- the model (the only layer that imports Mesa): :mod:`scenarios.model`
- foundations: :mod:`scenarios.spec.config`, :mod:`scenarios.spec.registry`, :mod:`scenarios.spec.outcomes`,
  :mod:`scenarios.schedule`, :mod:`scenarios.rng`, :mod:`scenarios.errors`

The public API is re-exported here (``scenarios.load``, ``scenarios.run``, ``scenarios.read`` ...)
and imported on first use, so ``import scenarios.rng`` in a worker does not import pandas.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

API: tuple[str, ...] = (
    "calibrate",
    "compare",
    "discover",
    "explain",
    "load",
    "manifest",
    "optimise",
    "override",
    "posterior",
    "read",
    "read_wide",
    "run",
    "sensitivity",
    "summary",
    "sweep",
    "uncertainty",
    "validate",
)
"""Names of :mod:`scenarios.api` available as ``scenarios.<name>``."""
API += ("costs", "cost_effectiveness")  # what compared scenarios cost (scenarios.api)


def __getattr__(name: str) -> Any:
    if name in API:
        from scenarios import api

        return getattr(api, name)
    raise AttributeError(f"module 'scenarios' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *API])
