"""An EMA Workbench adapter: drive this model from EMA's experiments, samplers and optimisers.

``ema_model(CONFIG)`` returns an ``ema_workbench.Model`` whose uncertainties, levers and outcomes
are the scenario's ``exploration:`` section (names from the registries; a lever ``state.lever``
is named ``state__lever`` in EMA because EMA passes names as keyword arguments, and its start
year ``state.lever@start`` is the integer lever ``state__lever__start``). Each experiment
runs ``replicates`` replicates with the scenario's common seeds and returns the mean per
simulated year of each outcome, averaged over replicates. EMA Workbench is an optional extra
(``pip install ema_workbench``); nothing else in scenarios imports it.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.experiments.exploration import apply, evaluate_point, factors_of
from scenarios.rng import replicate_seeds
from scenarios.spec.config import load_scenario, scenario_dict


def ema_name(factor_name: str) -> str:
    """The factor's name as EMA passes it, a keyword: ``china.x`` -> ``china__x``, ``china.x@start`` -> ``china__x__start``."""
    return factor_name.replace(".", "__").replace("@", "__")


def ema_model(
    config: str | Path, overrides: list[str] | tuple[str, ...] = (), replicates: int = 1, name: str | None = None
) -> Any:
    """An ``ema_workbench.Model`` for the scenario ``config`` (a file or a library name; optional ``--set`` overrides).

    Returns ``Any`` because the EMA Workbench ships no type information.
    """
    with warnings.catch_warnings():  # EMA warns at import about optional parallel back ends
        warnings.simplefilter("ignore")
        from ema_workbench import IntegerParameter, Model, RealParameter, ScalarOutcome

    sc = load_scenario(config, list(overrides))
    factors = factors_of(sc)  # raises when there is no exploration section
    base = scenario_dict(sc)
    seeds = replicate_seeds(sc.seed, replicates)
    outcomes = list(sc.exploration.outcomes) if sc.exploration is not None else []

    def run(**kwargs: float) -> dict[str, float]:
        values = np.array([kwargs[ema_name(f.name)] for f in factors])
        result = evaluate_point(apply(base, factors, values), seeds, outcomes)
        return {o: float(np.mean(result[o])) for o in outcomes}

    model = Model(name or f"scenarios_{sc.name}", function=run)
    model.uncertainties = [
        RealParameter(ema_name(f.name), f.low, f.high) for f in factors if f.kind in ("driver", "parameter")
    ]
    model.levers = [
        IntegerParameter(ema_name(f.name), int(f.low), int(f.high))
        if f.kind == "start"
        else RealParameter(ema_name(f.name), f.low, f.high)
        for f in factors
        if f.kind in ("lever", "start")
    ]
    model.outcomes = [ScalarOutcome(o) for o in outcomes]
    return model
