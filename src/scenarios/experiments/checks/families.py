"""Runs that share their first years: a scenario that differs from another only from some week on
(a lever raised mid-course, a shock in 2025) continues a copy of the other's run from that week.

The model is causal: what it does in week ``t`` depends on its inputs up to ``t`` only. So when two
scenarios give the model the same inputs up to week ``t`` (the same parameters, world and society,
and the same lever plans, drivers and events before ``t``), their runs with one seed are identical
up to ``t``, and the second can start from a copy of the first taken at ``t`` with its own inputs
put in: the same figures, bit for bit, without running the shared years twice. Finding that week
and putting the inputs in is :mod:`scenarios.model.resume` (:func:`~scenarios.model.resume.first_difference`,
:func:`~scenarios.model.resume.replace_inputs`), the mechanism the classroom continues its rounds with.

The inputs a scenario may change without leaving its *family* are the model's scenario-derived
set-up that the stages read week by week (each state's lever plan, the drivers, the supply, the
crackdown multipliers and the injected attacks); a scenario that changes anything else
(parameters, world, society, policies, budgets, allocations) is a family of its own
(:func:`family_key`). :func:`run_family` runs one family for one seed and, when asked to verify,
also runs every branched member whole and raises if any figure differs: the suite does so for the
first seed of each family, so a model change that breaks causality cannot go unseen.
"""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from scenarios.schedule import WEEKS_PER_YEAR
from scenarios.spec.config import validate_data

if TYPE_CHECKING:
    from scenarios.model.model import RunData, SecurityModel

FAMILY_FREE = ("name", "description", "question", "years", "drivers", "events")
"""Top-level keys of a config that members of one family may differ in (with the states' ``levers``)."""


def family_key(config: Mapping[str, Any]) -> str:
    """What a config fixes for its whole family: everything but :data:`FAMILY_FREE` and the lever plans (JSON)."""
    rest = {k: v for k, v in config.items() if k not in FAMILY_FREE}
    rest["states"] = {s: {k: v for k, v in c.items() if k != "levers"} for s, c in config.get("states", {}).items()}
    return json.dumps(rest, sort_keys=True, default=str)


@dataclass(frozen=True)
class Member:
    """One scenario of a family, for one seed: what it needs and where it leaves the root's run.

    ``config`` is the scenario at the family's horizon; ``branch`` the week (index, burn-in included)
    from which its inputs differ from the root's (0 for the root; at most the end of its shortest
    horizon); ``wanted`` the results to return: (horizon in years, whole :class:`RunData` or its summary).
    """

    key: Hashable
    config: dict[str, Any]
    branch: int
    wanted: tuple[tuple[int, bool], ...]


Result = dict[tuple[Hashable, int, bool], Any]
"""What a family's run returns: per (member key, years, whole) the run's data or its summary."""


def run_family(
    members: Sequence[Member], seed: int, summarise: Callable[[RunData], Any], verify: bool = False
) -> Result:
    """Run one family for one seed: the root (``members[0]``) from the start, every other member from a
    copy of the root taken at its ``branch`` week (picklable: runs in worker processes).

    With ``verify``, every branched member is also run whole and its results must equal the branched
    ones exactly, else :class:`RuntimeError` (the model would not be causal in its inputs).
    """
    from scenarios.model import SecurityModel
    from scenarios.model.resume import replace_inputs

    root, *others = members
    model = SecurityModel(validate_data(root.config), seed)
    fresh = {m.key: SecurityModel(validate_data(m.config), seed) for m in others}
    out: Result = {}
    stops = sorted({model.burn_in + y * WEEKS_PER_YEAR for y, _ in root.wanted} | {m.branch for m in others})
    for stop in stops:
        while model.t < stop:
            model.step()
        _emit(model, root, out, summarise)
        leaving = [m for m in others if m.branch == stop]
        if leaving:
            snapshot = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        for m in leaving:
            copy = pickle.loads(snapshot)
            replace_inputs(copy, fresh[m.key])
            _finish(copy, m, out, summarise)
    if verify:
        for m in others:
            alone: Result = {}
            _finish(SecurityModel(validate_data(m.config), seed), m, alone, summarise)
            for key, value in alone.items():
                if not _equal(value, out[key]):
                    raise RuntimeError(
                        f"a run continued from its family's shared weeks differs from the same run made whole "
                        f"({m.key!r}, seed {seed}, {key[1]} years): the model is not causal in its inputs, "
                        "so scenarios.experiments.checks.families cannot share runs"
                    )
    return out


def _emit(model: SecurityModel, member: Member, out: Result, summarise: Callable[[RunData], Any]) -> None:
    """Store the results ``member`` wants at the week ``model`` has reached."""
    for y, whole in member.wanted:
        if model.t == model.burn_in + y * WEEKS_PER_YEAR:
            data = model.data()
            out[(member.key, y, whole)] = data if whole else summarise(data)


def _finish(model: SecurityModel, member: Member, out: Result, summarise: Callable[[RunData], Any]) -> None:
    """Run ``model`` on to ``member``'s longest horizon, storing its results on the way."""
    _emit(model, member, out, summarise)
    for y in sorted({y for y, _ in member.wanted}):
        while model.t < model.burn_in + y * WEEKS_PER_YEAR:
            model.step()
        _emit(model, member, out, summarise)


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if hasattr(a, "timeseries"):
        return all(_equal(getattr(a, f), getattr(b, f)) for f in ("timeseries", "regions", "segments", "severities"))
    return bool(np.array_equal(np.asarray(a), np.asarray(b)))
