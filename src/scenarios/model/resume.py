"""Continuing a run on new inputs: how the classroom plays a round without replaying the rounds
before, and how ``check-model`` runs a scenario that parts from another mid-run
(:mod:`scenarios.experiments.checks.families`): one mechanism for both.

A model's inputs are arrays computed from its scenario when it is built: each state's weekly lever
plan, the drivers with the scenario's events written in, the supply derived from them, the
crackdown multipliers and the injected attacks. A classroom round r changes only the inputs of year
r and later (a new lever schedule from year r, an event dated in year r), so a copy of the model at
the end of round r-1 that takes the inputs of the config of rounds 1..r and runs year r ends in
exactly the state a model built from that config reaches after years 1..r: no week reads a later
week's input, and every random draw is keyed by stage, week and entity (:mod:`scenarios.rng`).

:func:`replace_inputs` checks that promise instead of trusting it: it refuses (:class:`PastChanged`)
a scenario whose inputs differ from the model's in a week already run, or that changes what is
fixed when the model is built (parameters, world, horizon, seed). :func:`first_difference` says
from which week two freshly built models' inputs differ: the latest week a copy of one can take
the other's inputs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from scenarios.model.state import ModelState


class PastChanged(ValueError):
    """The new scenario differs from the model's in the weeks already run or in what is fixed at build time."""


def _arrays(model: ModelState) -> dict[str, np.ndarray]:
    """Every weekly input array of a model by a stable name (changed in place by :func:`replace_inputs`)."""
    out = {f"driver {k}": v for k, v in sorted(model.drivers.items())}
    out["supply"] = model.supply
    out["crackdown"] = model.crackdown
    out.update({f"plan of {name}": state.plan for name, state in sorted(model.states.items())})
    return out


def first_difference(a: ModelState, b: ModelState) -> int:
    """The first week (index into the weekly series, burn-in included) in which the inputs of ``a``
    and ``b`` differ: their lever plans, drivers, supply, crackdown multipliers or injected attacks
    (``a.n_total`` when none does; 0 when they do not even have the same inputs)."""
    first = a.n_total
    arrays_a, arrays_b = _arrays(a), _arrays(b)
    if arrays_a.keys() != arrays_b.keys():
        return 0
    for name, x in arrays_a.items():
        y = arrays_b[name]
        if x.shape != y.shape:
            return 0
        rows = np.flatnonzero(np.any((x != y).reshape(len(x), -1), axis=1))
        if rows.size:
            first = min(first, int(rows[0]))
    for week in a.forced_attacks.keys() | b.forced_attacks.keys():
        if a.forced_attacks.get(week) != b.forced_attacks.get(week):
            first = min(first, week)
    return first


def replace_inputs(model: ModelState, fresh: ModelState) -> None:
    """Give ``model`` the inputs of ``fresh`` for the weeks it has not run yet (in place).

    Args:
        model: a model part-way through its run (never one another caller still uses: copy it first).
        fresh: a model just built, with the same seed, from the scenario to continue with (its
            inputs must agree with the model's in every week already run). This module does not
            build it: no module of the model package but its ``__init__`` imports the model module.

    Raises:
        PastChanged: the scenario changes a week already run, or the parameters, world, horizon,
            policies or aid allocation (all read when the model is built).
    """
    if fresh.seed != model.seed:
        raise PastChanged(f"seeds differ ({model.seed} against {fresh.seed}): a run cannot continue on another seed")
    fixed = {
        "parameters": (model.p, fresh.p),
        "world": (model.cfg.world, fresh.cfg.world),
        "horizon (weeks)": (model.n_total, fresh.n_total),
        "policies": (
            {n: s.policy for n, s in model.states.items()},
            {n: s.policy for n, s in fresh.states.items()},
        ),
    }
    for what, (old, new) in fixed.items():
        if old != new:
            raise PastChanged(f"{what} differ: a run cannot continue on another {what}")
    if not np.array_equal(model.aid_allocation, fresh.aid_allocation):
        raise PastChanged("aid allocation differs: a run cannot continue on another aid allocation")
    old_arrays, new_arrays = _arrays(model), _arrays(fresh)
    if old_arrays.keys() != new_arrays.keys():
        raise PastChanged(f"inputs differ: {sorted(old_arrays)} against {sorted(new_arrays)}")
    t = model.t
    for name, before in old_arrays.items():
        after = new_arrays[name]
        if before.shape != after.shape or not np.array_equal(before[:t], after[:t]):
            raise PastChanged(f"{name} differs in a week already run (before week {t})")
    past = {k: v for k, v in model.forced_attacks.items() if k < t}
    if past != {k: v for k, v in fresh.forced_attacks.items() if k < t}:
        raise PastChanged(f"injected attacks differ before week {t}")
    for name, before in old_arrays.items():
        before[...] = new_arrays[name]  # in place: whatever holds a reference reads the new inputs too
    model.forced_attacks.clear()
    model.forced_attacks.update(fresh.forced_attacks)
    for name, state in model.states.items():
        state.budget = fresh.states[name].budget
    model.cfg = fresh.cfg
