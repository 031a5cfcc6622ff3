"""Scenario events: dated shocks written into the weekly driver series before the run starts.

Each event kind has a default size (``magnitude`` in the event overrides it); the sizes are
parameters of the registry (``event_*``), with units, ranges and sources in docs/model.md:

- ``opium_ban``: opium production x (1 - m) from the event on (m: share removed).
- ``afghan_collapse``: Afghan instability + ``event_collapse_instability`` x m (capped at 1) and
  the militant pool x (1 + ``event_collapse_pool`` x m).
- ``russian_drawdown``: Russia's engagement x (1 - ``event_drawdown_share`` x m).
- ``meth_surge``: methamphetamine output x (1 + m).
- ``crackdown``: interdiction chance on the segment (or all) x m, capped by ``interdiction_ceiling``.
- ``attack``: m attacks in the region in the event's week (an inject).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from scenarios.schedule import parse_date
from scenarios.spec.params import Params

if TYPE_CHECKING:
    from scenarios.spec.schema import Event

EVENT_DEFAULT_MAGNITUDE = {
    "attack": 1.0,  # number of attacks
    "opium_ban": 0.95,  # share of opium production removed
    "afghan_collapse": 1.0,
    "russian_drawdown": 1.0,
    "meth_surge": 1.0,  # methamphetamine output x (1 + m)
    "crackdown": 3.0,  # interdiction chance x m
}
"""Default size of each event kind; an event's ``magnitude`` overrides it."""


@dataclass
class EventEffects:
    """What the events add besides driver changes: interdiction multipliers and forced attacks."""

    crackdown: NDArray[np.float64]
    forced_attacks: dict[int, list[int]] = field(default_factory=dict)


def apply_events(
    events: Sequence[Event],
    drivers: dict[str, NDArray[np.float64]],
    years: NDArray[np.float64],
    segments: tuple[str, ...],
    regions: tuple[str, ...],
    default_region: int,
    params: Params,
) -> EventEffects:
    """Write every event into ``drivers`` (in place) and return the other effects.

    Args:
        events: the scenario's events (each with ``when``, ``kind``, ``weeks``, ``magnitude``,
            ``region``, ``segment``).
        drivers: weekly series per driver, changed in place.
        years: fractional year of each recorded week.
        segments: border segment names (column order of ``crackdown``).
        regions: region names.
        default_region: region of an attack event that names none.
        params: the model parameters (event sizes).
    """
    n_steps = years.size
    out = EventEffects(np.ones((n_steps, len(segments))))
    for ev in events:
        start = int(np.searchsorted(years, parse_date(ev.when) - 1e-9))
        if start >= n_steps:
            continue
        span = slice(start, None if ev.weeks is None else start + ev.weeks)
        m = EVENT_DEFAULT_MAGNITUDE[ev.kind] if ev.magnitude is None else ev.magnitude
        if ev.kind == "opium_ban":
            drivers["opium_production"][span] *= max(0.0, 1.0 - m)
        elif ev.kind == "afghan_collapse":
            inst = drivers["afghan_instability"][span] + params.event_collapse_instability * m
            drivers["afghan_instability"][span] = np.minimum(1.0, inst)
            drivers["afghan_militant_pool"][span] *= 1.0 + params.event_collapse_pool * m
        elif ev.kind == "russian_drawdown":
            drivers["russia_engagement"][span] *= max(0.0, 1.0 - params.event_drawdown_share * m)
        elif ev.kind == "meth_surge":
            drivers["meth_production"][span] *= 1.0 + m
        elif ev.kind == "crackdown":
            cols = [segments.index(ev.segment)] if ev.segment else slice(None)
            out.crackdown[span, cols] *= m
        elif ev.kind == "attack":
            region = regions.index(ev.region) if ev.region else default_region
            out.forced_attacks.setdefault(start, []).extend([region] * max(1, round(m)))
    return out
