"""Perceived risk as a time-weighted Beta-Bernoulli posterior (NarcoLogic).

Magliocca et al. (PNAS 2019, "Modeling cocaine traffickers and counterdrug interdiction forces
as a complex adaptive system") let trafficking nodes estimate interdiction risk as
``(sum_s w^(t-s) events_s + a) / (sum_s w^(t-s) trials_s + a + b)``: a Beta(a, b) prior updated
by past outcomes whose weight fades by ``w`` per step. Here a trial is one crossing (a shipment
or an infiltration attempt) and an event is its interdiction. With no new trials both sums fade,
so perceived risk jumps after a seizure and decays back to the prior ``a / (a + b)`` without events.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

Counts = NDArray[np.int64] | NDArray[np.float64]
"""Trials or events per actor and place: whole counts, or expected (fractional) ones."""


class RiskBelief:
    """Perceived interdiction risk of one or many actors over a set of places.

    Args:
        shape: array shape, e.g. ``(n_actors, n_places)``.
        a: prior pseudo-events.
        b: prior pseudo-non-events.
        memory: weight ``w`` kept per step (0 < w <= 1).
    """

    def __init__(self, shape: tuple[int, ...], a: float, b: float, memory: float):
        self.events: NDArray[np.float64] = np.zeros(shape)
        self.trials: NDArray[np.float64] = np.zeros(shape)
        self.a, self.b, self.memory = a, b, memory
        self._risk = self._posterior_mean()

    def update(self, trials: Counts, events: Counts) -> None:
        """Fade the past by ``memory`` and add this step's trials and interdiction events."""
        self.events *= self.memory
        self.trials *= self.memory
        self.events += events
        self.trials += trials
        self._risk = self._posterior_mean()

    def fade(self) -> None:
        """A step without trials: the past fades by ``memory`` (``update`` with zero counts, to the last bit)."""
        self.events *= self.memory
        self.trials *= self.memory
        self._risk = self._posterior_mean()

    def _posterior_mean(self) -> NDArray[np.float64]:
        mean: NDArray[np.float64] = (self.events + self.a) / (self.trials + self.a + self.b)
        mean.setflags(write=False)  # shared by every reader until the next update
        return mean

    @property
    def risk(self) -> NDArray[np.float64]:
        """Posterior mean of the interdiction chance (computed once per update; read-only)."""
        return self._risk


class RiskBeliefs(RiskBelief):
    """The beliefs of many actors over the same places, one row each, updated in one array operation.

    Row ``i`` holds what a :class:`RiskBelief` of actor ``i`` would hold, to the last bit: the same
    fading and adding, element by element. :meth:`row` gives actor ``i`` its own belief (a
    :class:`RowBelief`) that reads and updates its row.

    Args:
        n_actors: rows.
        n_places: columns.
        a, b, memory: as for :class:`RiskBelief`.
    """

    def __init__(self, n_actors: int, n_places: int, a: float, b: float, memory: float):
        super().__init__((n_actors, n_places), a, b, memory)

    def update_row(self, i: int, trials: Counts, events: Counts) -> None:
        """One actor's step (the others' beliefs do not change)."""
        self.events[i] *= self.memory
        self.trials[i] *= self.memory
        self.events[i] += events
        self.trials[i] += trials
        self._risk = self._posterior_mean()

    def row(self, i: int) -> RowBelief:
        """Actor ``i``'s belief."""
        return RowBelief(self, i)


class RowBelief:
    """One actor's row of a :class:`RiskBeliefs`, used as its :class:`RiskBelief`."""

    def __init__(self, beliefs: RiskBeliefs, i: int):
        self.beliefs, self.i = beliefs, i

    def update(self, trials: Counts, events: Counts) -> None:
        """Fade the past by ``memory`` and add this step's trials and interdiction events (this row only)."""
        self.beliefs.update_row(self.i, trials, events)

    @property
    def risk(self) -> NDArray[np.float64]:
        """Posterior mean of the interdiction chance (read-only)."""
        row: NDArray[np.float64] = self.beliefs.risk[self.i]
        return row
