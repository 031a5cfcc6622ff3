"""From lever effort to capacities: delivery lags, stocks in service, diminishing returns, channels.

One mechanism serves every lever (their numbers are in ``scenarios/spec/data/levers.yaml``):

1. **Delivery lag.** Effort spent in week t is delivered in week t + ``lag_weeks`` (training
   cycles, procurement, construction).
2. **Stock in service.** ``K <- K (1 - 1/L) + delivered / 52`` with ``L = lifetime_weeks``: K is in
   lever-unit-years (USD M of equipment in service, officer-training years, drill-years of
   readiness). A one-off delivery acts in full once delivered and then depreciates with time
   constant L; sustained effort x accumulates toward ``x L / 52``. The lifetime sets how long an
   effect lasts, the lag how long it takes to start; neither sets the size of the effect.
3. **Diminishing returns.** ``s = 1 - 2^(-K / half_saturation_stock)``: the first units in service
   buy most. For segment levers K is the stock allocated to the segment, scaled so that an even
   allocation gives every segment the national level. For region levers K is the stock **per
   person** relative to the national stock per person (``K x share_r / population share_r``): equal
   spending per person gives every region the national level, whatever its size.
4. **Multiplier.** Levers marked ``sco_amplified`` (intelligence sharing, joint exercises) act as
   if their stock were ``K (1 + m s_mult)``, with ``s_mult`` the saturation of the lever marked
   ``multiplier`` in levers.yaml (SCO engagement) and ``m`` the parameter ``sco_multiplier``.
5. **Channels.** Each channel's capacity combines levers like independent chances:
   ``cap = 1 - prod_l (1 - w_l s_l)``, so no channel exceeds 1 and each lever adds less when
   others are already high.

A lever that is zero from the start has ``K = 0`` and ``s = 0`` exactly, so it leaves every
capacity exactly as if it did not exist (tested).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from scenarios.spec import registry

if TYPE_CHECKING:
    from scenarios.model.state import ModelState, Tables

LEVELS = ("segment", "region", "national")


class Capacities:
    """Lever stocks and the channel capacities they produce, all as numpy arrays.

    Args:
        segment_weights: allocation weight of each border segment (normalised here).
        region_weights: allocation weight of each region (normalised here).
        initial_effort: effort per lever (lever units per year) assumed to have held before the
            run starts; stocks and lag buffers start at that steady state ("warm start"), so the
            status quo of the start year is already in place in week 0.
        sco_multiplier: the parameter of step 4 above.
        population: persons per region (step 3's per-person saturation); default: equal regions.
    """

    def __init__(
        self,
        segment_weights: NDArray[np.float64],
        region_weights: NDArray[np.float64],
        initial_effort: NDArray[np.float64],
        sco_multiplier: float,
        population: NDArray[np.float64] | None = None,
    ):
        table = registry.levers()
        chans = registry.channels()
        self.lever_names = tuple(table)
        self.channel_names = tuple(chans)
        lv = list(table.values())
        self.lag: NDArray[np.int64] = np.array([lever.lag_weeks for lever in lv], dtype=np.int64)
        self.lifetime: NDArray[np.float64] = np.array([lever.lifetime_weeks for lever in lv], dtype=float)
        self.half: NDArray[np.float64] = np.array([lever.half_saturation_stock for lever in lv], dtype=float)
        self.weights: NDArray[np.float64] = np.array([[lever.effects.get(c, 0.0) for c in chans] for lever in lv])
        self.amplified: NDArray[np.bool_] = np.array([lever.sco_amplified for lever in lv])
        multiplier = [i for i, lever in enumerate(lv) if lever.multiplier]
        self.sco_index = multiplier[0] if multiplier else None
        self.sco_multiplier = sco_multiplier
        self.channel_level = tuple(chans[c].level for c in chans)
        self._level_columns = {
            level: np.array([k for k, lv_ in enumerate(self.channel_level) if lv_ == level], dtype=np.int64)
            for level in LEVELS
        }

        shares = {
            "segment": np.asarray(segment_weights, float) / np.sum(segment_weights),
            "region": np.asarray(region_weights, float) / np.sum(region_weights),
        }
        n_regions = shares["region"].size
        pop = np.ones(n_regions) if population is None else np.asarray(population, float)
        # what an allocation share is worth in each unit: n x share for segments (even = national
        # level), share / population share for regions (equal per person = national level)
        per_unit = {
            "segment": np.full(shares["segment"].size, float(shares["segment"].size)),
            "region": pop.sum() / pop,
        }
        self.base_segment_shares = shares["segment"].copy()
        self.segment_shares = shares["segment"].copy()
        self._segment_rows: NDArray[np.bool_] = np.array([lever.spatial == "segment" for lever in lv])
        self.alloc: dict[str, NDArray[np.float64]] = {}
        for level in LEVELS:
            n = 1 if level == "national" else shares[level].size
            a = np.ones((len(lv), n))
            if level != "national":
                for i, lever in enumerate(lv):
                    if lever.spatial == level:
                        a[i] = shares[level] * per_unit[level]
            self.alloc[level] = a

        initial = np.asarray(initial_effort, dtype=float)
        self.stock: NDArray[np.float64] = initial * self.lifetime / 52.0  # steady state of the effort before the run
        self.buffer: NDArray[np.float64] = np.tile(initial, (int(self.lag.max()) + 1, 1))
        self.t = 0
        self.values: dict[str, NDArray[np.float64]] = {}
        self._compute()

    def step(self, effort: NDArray[np.float64]) -> None:
        """Advance one week with this week's effort per lever (lever units per year)."""
        size = self.buffer.shape[0]
        self.buffer[self.t % size] = effort
        arriving = self.buffer[(self.t - self.lag) % size, np.arange(self.lag.size)]
        self.stock += arriving / 52.0 - self.stock / self.lifetime
        self.t += 1
        self._compute()

    def set_segment_shares(self, shares: NDArray[np.float64]) -> None:
        """Re-allocate the segment levers (patrols, equipment, systems) over the border segments.

        The capacities change at the next :meth:`step`: this week's border conditions were already
        made from the current ones, and the recorder writes the capacities that were in force."""
        shares = np.asarray(shares, dtype=float)
        self.segment_shares = shares / shares.sum()
        self.alloc["segment"][self._segment_rows] = self.segment_shares * self.segment_shares.size

    def _level(self) -> NDArray[np.float64]:
        """Each lever's stock, the SCO-amplified ones raised by the SCO lever's own saturation."""
        level = self.stock.copy()
        if self.sco_index is not None:
            s_mult = 1.0 - np.exp2(-level[self.sco_index] / self.half[self.sco_index])
            level[self.amplified] *= 1.0 + self.sco_multiplier * s_mult
        return level

    def _compute(self) -> None:
        """Every channel's capacity: ``1 - prod over levers of (1 - weight x saturation)``, the
        channels of one level in one array operation (the product over levers in lever order, as
        channel by channel). Each channel's values are a read-only row of its level's result."""
        level = self._level()
        for name in LEVELS:
            columns = self._level_columns[name]
            if not columns.size:
                continue
            s = 1.0 - np.exp2(-(level[:, None] * self.alloc[name]) / self.half[:, None])  # (levers, places)
            product = np.prod(1.0 - self.weights[:, columns, None] * s[:, None, :], axis=0)  # (channels, places)
            capacity = 1.0 - product
            capacity.setflags(write=False)
            for row, k in enumerate(columns):
                self.values[self.channel_names[k]] = capacity[row]

    def __getitem__(self, channel: str) -> NDArray[np.float64]:
        """Capacity of ``channel``: one value per segment, per region, or a 1-element array."""
        return self.values[channel]


def step(state: ModelState) -> None:
    """The capacity stage: this week's effort (from the states stage) moves stocks and capacities."""
    state.capacities.step(state.effort)


PREFIX = "capacity_"
"""Capacity outcomes are named ``capacity_<channel>``."""


def record(state: ModelState, tables: Tables) -> None:
    """Write every channel's capacity of week ``state.t``: nationally (the mean over places,
    weighted by population for regions and by length for segments) and, where an outcome is
    declared per region or segment, there."""
    t, ix, cap = state.t, state.index, state.capacities
    for ch, level in zip(cap.channel_names, cap.channel_level, strict=True):
        v = cap[ch]
        mean = v @ ix.length_weights if level == "segment" else (v @ ix.pop_weights if level == "region" else v[0])
        tables.ts[PREFIX + ch][t] = mean
    for table in (tables.rg, tables.sg):
        for name in table:
            if name.startswith(PREFIX):
                table[name][t] = cap[name.removeprefix(PREFIX)]
