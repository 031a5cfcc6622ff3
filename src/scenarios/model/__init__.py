"""The Mesa model: the only layer of the package that imports Mesa.

- :mod:`.world`: the network of regions, border segments, provinces, exits and routes.
- :mod:`.capacity`: from lever effort to capacities (lags, decay, diminishing returns).
- :mod:`.states`: Tajikistan, China, Russia, the Taliban authorities and the SCO as agents.
- :mod:`.trafficking`: trafficking organisations on the Northern Route.
- :mod:`.militants`: militant groups, infiltration and attacks.
- :mod:`.society`: citizens as arrays (unrest, legitimacy, radicalisation).
- :mod:`.model`: :class:`SecurityModel`, which steps them weekly and records outcomes.
"""

from scenarios.model.model import SecurityModel, simulate

__all__ = ["SecurityModel", "simulate"]
