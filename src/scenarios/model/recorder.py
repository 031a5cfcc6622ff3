"""The recorder: every declared outcome, every week, into preallocated arrays (plain data out).

Outcomes are declared in :mod:`scenarios.spec.outcomes`, each with the stage whose reporter writes
it (``stage`` in outcomes.yaml); each stage module has a ``record(state, tables)`` reporter beside
its ``step(state)`` (:mod:`.stages`), and :meth:`Recorder.record` calls them in schedule order. Two
reporters have no stage of their own and live here: the drivers of the week (:func:`record_drivers`)
and the composite stability index (:func:`record_indices`, last, as it reads other stages'
outcomes). The tables start as NaN, so an outcome never written shows as NaN:
``tests/test_stages.py`` checks that every declared outcome is written by exactly one reporter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

import numpy as np
from numpy.typing import NDArray

from scenarios.model.state import Tables
from scenarios.spec import outcomes

if TYPE_CHECKING:
    from scenarios.model.state import ModelState


class RunMeta(TypedDict):
    """How a run was made: its seed, the weeks recorded and the burn-in weeks before them."""

    seed: int
    steps: int
    burn_in_weeks: int


@dataclass
class RunData:
    """What one run produced: weekly tables as column arrays (plain data, no live model).

    The tables' columns have several dtypes (``step`` integers, ``region`` and ``segment`` names,
    outcomes floats); ``severities`` holds the casualties of each recorded attack.
    """

    timeseries: dict[str, np.ndarray]
    regions: dict[str, np.ndarray]
    segments: dict[str, np.ndarray]
    severities: NDArray[np.float64]
    meta: RunMeta


Reporter = Callable[["ModelState", Tables], None]
"""A stage's reporter: writes the stage's outcomes of week ``state.t`` into the tables."""


class Recorder:
    """Preallocated weekly tables at three levels (national, region, segment), written by the
    stages' reporters in schedule order.

    Args:
        n_steps: weeks to record (burn-in included).
        n_regions: regions of the world.
        n_segments: border segments of the world.
        index_weights: the stability index's component weights.
        reporters: ``(stage name, reporter)`` pairs, in schedule order (:data:`.stages.STAGES`).
    """

    def __init__(
        self,
        n_steps: int,
        n_regions: int,
        n_segments: int,
        index_weights: dict[str, float],
        reporters: tuple[tuple[str, Reporter], ...],
    ):
        self.tables = Tables(
            ts={name: np.full(n_steps, np.nan) for name in outcomes.national()},
            rg={name: np.full((n_steps, n_regions), np.nan) for name in outcomes.regional()},
            sg={name: np.full((n_steps, n_segments), np.nan) for name in outcomes.per_segment()},
            index_weights=index_weights,
        )
        self.reporters = reporters

    def record(self, state: ModelState) -> None:
        """Write week ``state.t`` of every outcome: each stage's reporter in schedule order."""
        for _, reporter in self.reporters:
            reporter(state, self.tables)

    def data(self, m: ModelState) -> RunData:
        """The recorded tables of the weeks run so far after the burn-in, as plain column arrays."""
        b = m.burn_in
        n = max(0, m.t - b)
        ix = m.index
        n_r, n_s = len(ix.regions), len(ix.segments)
        steps = np.arange(n)
        timeseries = {"step": steps, "year": m.years[:n]}
        tables = self.tables
        timeseries.update({k: v[b : b + n].copy() for k, v in tables.ts.items()})
        regions = {"step": np.repeat(steps, n_r), "region": np.tile(np.array(ix.regions), n)}
        regions.update({k: v[b : b + n].reshape(-1) for k, v in tables.rg.items()})
        segments = {"step": np.repeat(steps, n_s), "segment": np.tile(np.array(ix.segments), n)}
        segments.update({k: v[b : b + n].reshape(-1) for k, v in tables.sg.items()})
        recorded = [s for w, s in m.militants.severities if w >= 0]
        sev = np.concatenate(recorded) if recorded else np.zeros(0)
        return RunData(timeseries, regions, segments, sev, {"seed": m.seed, "steps": n, "burn_in_weeks": b})


def record_drivers(state: ModelState, tables: Tables) -> None:
    """Write this week's value of every driver under its own name."""
    t = state.t
    for name, series in state.drivers.items():
        tables.ts[name][t] = series[t]


def record_indices(state: ModelState, tables: Tables) -> None:
    """Write the stability index per region and nationally, from outcomes already written this week.

    Rolling 52-week sums of casualties, deliveries and infiltrations (the burn-in fills the window).
    """
    t = state.t
    ts, rg = tables.ts, tables.rg
    lo = tables.window(t)
    pop_w = state.index.pop_weights
    casualties_52w = rg["casualties"][lo : t + 1].sum(axis=0)
    weights = tables.index_weights
    rg["stability_index"][t] = outcomes.stability_index(
        weights,
        casualties_52w=casualties_52w / np.maximum(pop_w, 1e-9),
        active_share=rg["unrest_active_share"][t],
        jailed_share=rg["jailed_share"][t],
        radicalised_share=rg["radicalised_share"][t],
        legitimacy=rg["legitimacy"][t],
    )
    ts["stability_index"][t] = outcomes.stability_index(
        weights,
        casualties_52w=casualties_52w.sum(),
        active_share=ts["unrest_active_share"][t],
        jailed_share=ts["jailed_share"][t],
        radicalised_share=ts["radicalised_share"][t],
        legitimacy=ts["legitimacy"][t],
        delivered_52w=ts["delivered_t"][lo : t + 1].sum(),
    )
