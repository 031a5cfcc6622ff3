"""Running the model for the classroom: a config's first years as yearly series, and the noise band.

A session is re-simulated from its stored inputs (the model is deterministic given config and
seed), so this module only turns a config dict into plain yearly numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from scenarios.analysis.summary import yearly
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
    cfg: dict[str, Any], seed: int, years: int, progress: Callable[[float], None] | None = None
) -> dict[str, Any]:
    """Run a config for its first ``years`` years; yearly national, regional, segment and spending series.

    Args:
        cfg: a scenario as a dict (validated here).
        seed: the root seed.
        years: years to simulate.
        progress: called with the fraction done after every simulated year.
    """
    from scenarios.model import SecurityModel

    sc = validate_data(cfg)
    model = SecurityModel(sc, seed)
    for year in range(years):
        model.advance(52)
        if progress is not None:
            progress((year + 1) / years)
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
