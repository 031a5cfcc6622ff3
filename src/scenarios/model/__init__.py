"""The Mesa model: the only layer of the package that imports Mesa.

- :mod:`.world`: the network of regions, border segments, provinces, exits and routes.
- :mod:`.capacity`: from lever effort to capacities (lags, decay, diminishing returns).
- :mod:`.states`: Tajikistan, China, Russia, the Taliban authorities and the SCO as agents.
- :mod:`.trafficking`: trafficking organisations on the Northern Route.
- :mod:`.militants`: militant groups, infiltration and attacks.
- :mod:`.society`: citizens as arrays (unrest, legitimacy, radicalisation).
- :mod:`.border`, :mod:`.presence`, :mod:`.threat`, :mod:`.corruption`: the week's border
  conditions, China's visibility and investment, the threat index, corruption.
- :mod:`.state`: the typed state every stage reads and writes (:class:`~.state.ModelState`).
- :mod:`.stages`: the weekly schedule as data (each stage's ``step(state)`` and ``record(state, tables)``).
- :mod:`.recorder`: the weekly tables the reporters write.
- :mod:`.model`: :class:`SecurityModel`, which loops over the stages weekly.
- :mod:`.resume`: a run continued on new inputs for the weeks it has not run (the classroom's rounds).
"""

from scenarios.model.model import SecurityModel, simulate

__all__ = ["SecurityModel", "simulate"]
