"""scenarios: an agent-based policy scenario simulator of China-Tajikistan security cooperation.

Layers (imports flow downwards only; ``tests/test_architecture.py`` keeps this true):

- faces: :mod:`scenarios.cli`
- running: :mod:`scenarios.experiments.runner`, :mod:`scenarios.experiments.results`
- the model (the only layer that imports Mesa): :mod:`scenarios.model`
- foundations: :mod:`scenarios.spec.config`, :mod:`scenarios.spec.registry`, :mod:`scenarios.spec.outcomes`,
  :mod:`scenarios.schedule`, :mod:`scenarios.rng`, :mod:`scenarios.errors`
"""

__version__ = "0.1.0"
