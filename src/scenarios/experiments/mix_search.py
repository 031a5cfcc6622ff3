"""The lever-mix problem and its search: objectives as data, the budget constraint, NSGA-II (pymoo).

A candidate is one level per lever a state supplies; its cost is the sum of each level times the
lever's price (``cost_musd_per_unit`` in the lever registry, USD M/yr), and cost <= budget is a
constraint. Objectives are declared as data (:class:`Objective`): a national outcome, with its
direction from the outcome registry, or the mix's cost.

Search: NSGA-II (Deb et al. 2002) from pymoo, a maintained multi-objective library with
constraint handling (a feasible candidate always beats an infeasible one; infeasible ones are
ranked by how far over budget they are), driven ask-and-tell as the EMA Workbench drives
platypus: :func:`search` takes the evaluation as a function (the model in
:mod:`scenarios.experiments.optimise`, a synthetic objective in the tests), hands it each
generation's new feasible mixes in one batch and passes the means back. The initial population
is drawn inside the budget (random shares of a random part of it), levels are rounded to a grid
of 1/100 of each lever's range, and over-budget offspring are not evaluated (the constraint
already ranks them). Nothing here runs the model.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from scenarios.analysis.pareto import non_dominated
from scenarios.errors import ScenarioError
from scenarios.spec import outcomes, registry

COST = "cost"
"""The objective that is the mix's own cost (USD M/yr), not a simulated outcome."""
DEFAULT_OBJECTIVES = ("stability_index", COST, "attacks_on_chinese")
"""Objectives when none are chosen: stability (higher is better), cost and attacks on Chinese interests (lower)."""
GRID = 100
"""Levels are rounded to 1/GRID of each lever's searched range."""


@dataclass(frozen=True)
class Objective:
    """One objective: an outcome's mean per year over the years from the policy's start, or the cost.

    Attributes:
        name: an outcome name (``spec/data/outcomes.yaml``) or ``cost``.
        label: human label.
        unit: unit of the yearly value (``USD M/yr`` for the cost).
        maximise: higher is better (from the outcome's declared direction).
        summary: how a year of weekly values becomes one number (the outcome's own).
    """

    name: str
    label: str
    unit: str
    maximise: bool
    summary: str = "mean"


def objective(name: str) -> Objective:
    """The objective ``name``: ``cost`` or a national outcome with a declared direction.

    Raises:
        ScenarioError: not an outcome (with a did-you-mean), or an outcome with no direction.
    """
    if name == COST:
        return Objective(COST, "Cost of the mix", "USD M/yr", maximise=False)
    table = outcomes.national()
    if name not in table:
        close = difflib.get_close_matches(name, [*table, COST], n=1)
        raise ScenarioError(
            f"objective {name!r} is not an outcome"
            + (f" (did you mean '{close[0]}'?)" if close else "")
            + "; allowed: 'cost' or a national outcome (scenarios outcomes)"
        )
    o = table[name]
    if o.higher_is_better is None:
        raise ScenarioError(f"objective {name!r}: the outcome declares no direction (higher or lower is better)")
    unit = o.unit.replace("/week", "/yr") if o.summary == "sum" else o.unit
    return Objective(name, o.label, unit, maximise=o.higher_is_better, summary=o.summary)


@dataclass(frozen=True)
class MixProblem:
    """One state's lever mix within a budget: what is searched and what it costs.

    Attributes:
        state: the state whose levers are mixed.
        levers: the levers searched (all the state supplies).
        prices: USD M/yr per unit of each lever (the registry's ``cost_musd_per_unit``).
        upper: the highest level searched per lever (its registry maximum, or what the whole budget buys).
        budget: USD M/yr the mix may cost at most (the constraint).
        objectives: what is optimised.
    """

    state: str
    levers: tuple[str, ...]
    prices: tuple[float, ...]
    upper: tuple[float, ...]
    budget: float
    objectives: tuple[Objective, ...]

    def cost(self, x: np.ndarray) -> float:
        """USD M/yr of the mix ``x`` (one level per lever)."""
        return round(float(np.dot(np.asarray(x, float), self.prices)), 9)

    def snap(self, x: np.ndarray) -> np.ndarray:
        """``x`` rounded to the grid of 1/GRID of each lever's range, within [0, upper]."""
        upper = np.asarray(self.upper)
        step = np.where(upper > 0, upper / GRID, 1.0)
        return np.clip(np.round(np.asarray(x, float) / step) * step, 0.0, upper).round(10)


def mix_problem(state: str, budget: float, objectives: Sequence[str] = DEFAULT_OBJECTIVES) -> MixProblem:
    """The problem for ``state``'s levers within ``budget`` USD M/yr.

    Raises:
        ScenarioError: an unknown state or one without levers, a budget that is not positive, or
            an unknown objective (each message names what is allowed).
    """
    playable = [s for s in registry.STATES if registry.levers_of(s)]
    if state not in playable:
        close = difflib.get_close_matches(state, playable, n=1)
        raise ScenarioError(
            f"--state {state!r} is not a state with levers"
            + (f" (did you mean '{close[0]}'?)" if close else "")
            + f"; allowed: {', '.join(playable)}"
        )
    if not (math.isfinite(budget) and budget > 0):
        raise ScenarioError(f"--budget must be a positive number of USD M/yr, got {budget:g}")
    if not objectives:
        raise ScenarioError("at least one objective is needed (e.g. stability_index,cost)")
    if all(o == COST for o in objectives):
        raise ScenarioError("objectives: add at least one outcome to 'cost' (e.g. stability_index,cost)")
    if len(set(objectives)) != len(objectives):
        raise ScenarioError(f"objectives are given twice: {', '.join(objectives)}")
    table = registry.levers()
    names = registry.levers_of(state)
    prices = tuple(table[n].cost_musd_per_unit for n in names)
    upper = tuple(min(table[n].max, budget / p) for n, p in zip(names, prices, strict=True))
    return MixProblem(state, names, prices, upper, float(budget), tuple(objective(o) for o in objectives))


# ------------------------------------------------------------------ the search core (no model in it)

Evaluations = dict[str, list[float]]
"""One candidate's values: per objective name, one value per replicate."""
Evaluate = Callable[[list[np.ndarray]], list[Evaluations]]
"""Evaluate a batch of mixes (each feasible and on the grid); return their values in the same order."""


@dataclass
class Candidate:
    """An evaluated mix: its levels, cost and per-replicate values of every objective."""

    levels: tuple[float, ...]
    cost: float
    values: Evaluations
    generation: int

    def mean(self, name: str) -> float:
        return float(np.mean(self.values[name]))


@dataclass
class SearchResult:
    """Every evaluated mix (first evaluation order) and the indices of the non-dominated ones."""

    problem: MixProblem
    candidates: list[Candidate]
    front: list[int]
    generations: int
    evaluations_requested: int = 0
    infeasible_skipped: int = 0
    cached: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def key_of(x: np.ndarray) -> str:
    """The cache key of a mix on the grid (its levels, rounded, as text)."""
    return ",".join(f"{v:.10g}" for v in np.asarray(x, float))


def _with_cost(problem: MixProblem, key: str, values: Evaluations) -> Evaluations:
    """A mix's simulated values with its cost added (the same for every replicate)."""
    n = len(next(iter(values.values()), [0.0]))
    return {**values, COST: [problem.cost(np.array(key.split(","), float))] * n}


def _minimised(problem: MixProblem, values: Evaluations) -> np.ndarray:
    """The objectives' means, each signed so that lower is better (pymoo minimises)."""
    return np.array([(-1 if o.maximise else 1) * float(np.mean(values[o.name])) for o in problem.objectives])


def search(
    problem: MixProblem,
    evaluate: Evaluate,
    population: int = 20,
    generations: int = 10,
    seed: int = 0,
    cache: Mapping[str, Evaluations] | None = None,
    on_generation: Callable[[int, int], None] | None = None,
) -> SearchResult:
    """NSGA-II (pymoo) over ``problem``: ``generations`` generations after the initial population.

    Args:
        problem: levers, prices, bounds, budget and objectives.
        evaluate: simulates a batch of mixes (see :data:`Evaluate`); a mix in ``cache`` is not
            passed to it, nor is an over-budget mix (its constraint violation ranks it).
        population: candidates per generation.
        generations: generations after the initial one.
        seed: seeds pymoo's generator: the same seed and evaluations give the same search.
        cache: evaluations already made, by :func:`key_of` (e.g. read back from a results folder).
        on_generation: called with (generation, mixes simulated in it) after each generation.

    Returns:
        Every evaluated feasible mix and the non-dominated ones among them (by the objectives' means).
    """
    from pymoo.algorithms.moo.nsga2 import NSGA2
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.core.repair import Repair
    from pymoo.core.sampling import Sampling
    from pymoo.problems.static import StaticProblem

    n = len(problem.levers)
    prices, upper = np.asarray(problem.prices), np.asarray(problem.upper)

    class Budgeted(Sampling):  # type: ignore[misc]
        """Random mixes inside the budget: random shares of a random part of it (then the grid)."""

        def _do(self, _: Any, n_samples: int, *args: Any, random_state: Any = None, **kwargs: Any) -> np.ndarray:
            shares = random_state.dirichlet(np.ones(n), n_samples)
            spend = random_state.uniform(0.0, 1.0, (n_samples, 1)) * problem.budget
            x = np.minimum(shares * spend / prices, upper)
            return np.array([problem.snap(row) for row in x])

    class OnGrid(Repair):  # type: ignore[misc]
        def _do(self, _: Any, x: np.ndarray, **kwargs: Any) -> np.ndarray:
            return np.array([problem.snap(row) for row in x])

    space = Problem(n_var=n, n_obj=len(problem.objectives), n_ieq_constr=1, xl=np.zeros(n), xu=upper)
    algorithm = NSGA2(pop_size=population, sampling=Budgeted(), repair=OnGrid(), eliminate_duplicates=True)
    algorithm.setup(space, termination=("n_gen", generations + 1), seed=seed, verbose=False)
    known: dict[str, Evaluations] = {k: _with_cost(problem, k, v) for k, v in (cache or {}).items()}
    order: list[str] = []
    first_gen: dict[str, int] = {}
    from_cache: set[str] = set()
    requested = skipped = 0
    gen = 0
    while algorithm.has_next():
        pop = algorithm.ask()
        xs = [problem.snap(x) for x in pop.get("X")]
        costs = np.array([problem.cost(x) for x in xs])
        keys = [key_of(x) for x in xs]
        feasible = costs <= problem.budget + 1e-9
        todo: dict[str, np.ndarray] = {}
        for k, x, ok in zip(keys, xs, feasible, strict=True):
            if not ok:
                skipped += 1
            elif k in known:
                if k not in first_gen and k not in from_cache:  # counted once, when first taken from the cache
                    from_cache.add(k)
            else:
                todo.setdefault(k, x)
        requested += len(todo)
        if todo:
            for k, values in zip(todo, evaluate(list(todo.values())), strict=True):
                known[k] = _with_cost(problem, k, values)
        f = np.zeros((len(xs), len(problem.objectives)))
        for i, (k, ok) in enumerate(zip(keys, feasible, strict=True)):
            if ok:
                f[i] = _minimised(problem, known[k])
                if k not in first_gen:
                    first_gen[k] = gen
                    order.append(k)
        g = (costs - problem.budget)[:, None]
        Evaluator().eval(StaticProblem(space, F=f, G=g), pop)
        algorithm.tell(infills=pop)
        if on_generation is not None:
            on_generation(gen, len(todo))
        gen += 1
    candidates = [
        Candidate(
            tuple(float(v) for v in k.split(",")), problem.cost(np.array(k.split(","), float)), known[k], first_gen[k]
        )
        for k in order
    ]
    points = np.array([_minimised(problem, c.values) for c in candidates]) if candidates else np.zeros((0, 1))
    return SearchResult(problem, candidates, non_dominated(points), gen, requested, skipped, len(from_cache))
