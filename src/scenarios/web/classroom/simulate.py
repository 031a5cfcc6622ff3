"""Running the model for the classroom: a config's first years as yearly series, and the noise band.

A round is simulated from the session's stored inputs (the model is deterministic given config and
seed): from the start, or continuing a snapshot of the model at the end of the round before
(:mod:`~scenarios.web.classroom.snapshots`); either way this module turns a config dict into plain
yearly numbers.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import numpy as np

from scenarios.analysis.summary import yearly
from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec import outcomes, registry
from scenarios.spec.config import validate_data
from scenarios.web.classroom.series import SERIES

SPENDING_COLUMNS = {
    "china": "spending_china",
    "russia": "spending_russia",
    "tajikistan": "spending_tajikistan",
    "sco": "spending_sco",
}
BAND_SEEDS = 4
"""Replicates (other seeds) of the baseline that measure the noise band."""


def run_years(
    cfg: dict[str, Any],
    seed: int,
    years: int,
    progress: Callable[[float], None] | None = None,
    start: Any = None,
    keep: Callable[[Any], None] | None = None,
) -> dict[str, Any]:
    """Run a config for its first ``years`` years; yearly national, regional, segment and spending series.

    Args:
        cfg: a scenario as a dict (validated here).
        seed: the root seed.
        years: years to simulate.
        progress: called with the fraction done after every simulated year.
        start: a model of the same session at the end of year ``years - 1`` (a snapshot: it is
            copied, never changed); the run then continues from it on ``cfg``'s inputs for the last
            year instead of replaying every year (:mod:`scenarios.model.resume` checks that ``cfg``
            agrees with it in the past; a mismatch raises :class:`~scenarios.model.resume.PastChanged`).
        keep: called with the model at the end of the run (the snapshot for the next round).
    """
    from scenarios.model import SecurityModel
    from scenarios.model.resume import replace_inputs

    sc = validate_data(cfg)
    if start is None:
        model = SecurityModel(sc, seed)
        first = 0
    else:
        if start.seed != seed or start.t != start.burn_in + WEEKS_PER_YEAR * (years - 1):
            raise ValueError(f"the snapshot is not at the end of year {years - 1} of seed {seed}")
        model = copy.deepcopy(start)
        replace_inputs(model, SecurityModel(sc, seed))
        first = years - 1
    for year in range(first, years):
        model.advance(WEEKS_PER_YEAR)
        if progress is not None:
            progress((year + 1) / years)
    if keep is not None:
        keep(model)
    return yearly_series(model, years)


def yearly_series(model: Any, years: int) -> dict[str, Any]:
    """The classroom's yearly series of a model that has run ``years`` years (see :func:`run_years`)."""
    data = model.data()
    table = outcomes.national()
    ts = data.timeseries
    out: dict[str, Any] = {
        "yearly": {k: yearly(np.asarray(ts[k], float), table[k].summary).tolist() for k in SERIES.recorded}
    }
    reg = data.regions
    out["regions"] = {}
    for region in np.unique(reg["region"]):
        m = reg["region"] == region
        out["regions"][str(region)] = {
            k: yearly(reg[k][m].astype(float), outcomes.regional()[k].summary).tolist() for k in SERIES.regional
        }
    seg = data.segments
    out["segments"] = {
        str(s): yearly(seg["inflow_t"][seg["segment"] == s].astype(float), "sum").tolist()
        for s in np.unique(seg["segment"])
    }
    out["spending"] = {
        state: yearly(np.asarray(ts[SPENDING_COLUMNS[state]], float), "mean").tolist()
        if state in SPENDING_COLUMNS
        else [0.0] * years
        for state in registry.STATES
    }
    return out


def noise_band(cfg: dict[str, Any], seed: int, years: int, replicates: int = BAND_SEEDS) -> dict[str, list[float]]:
    """Half-width of the noise band per recorded series and year: twice the standard deviation of
    the baseline over ``replicates`` other seeds. A change smaller than this is within noise (a
    conservative test: the session and its baseline share a seed, so their difference is less noisy)."""
    runs = [run_years(cfg, seed + 1000 + k, years)["yearly"] for k in range(replicates)]
    return {name: (2 * np.std([r[name] for r in runs], axis=0, ddof=1)).tolist() for name in SERIES.recorded}
