"""The best lever mix for a budget: multi-objective search over one state's levers from a year.

The question (issue 22): "which mix of levers is best for this budget?" A candidate is a level for
every lever the state supplies, held from the year ``from_year`` on; before it the scenario's own
schedule runs (the policy ``compare`` evaluates, built with
:func:`~scenarios.experiments.exploration.from_year`). Its cost is the sum of each level times the
lever's price (``cost_musd_per_unit`` in the lever registry, USD M/yr), a constraint:
cost <= budget. Objectives are declared as data (:class:`Objective`): an outcome's mean per year
over the years from ``from_year`` (its direction from the outcome registry) or the mix's cost.

Search: NSGA-II (Deb et al. 2002) from pymoo, a maintained multi-objective library with
constraint handling (a feasible candidate always beats an infeasible one; infeasible ones are
ranked by how far over budget they are), driven ask-and-tell as the EMA Workbench drives
platypus: the project's own code evaluates each generation (in parallel on the process pool or
Dask), caches every evaluation, and hands the means back. The initial population is drawn inside
the budget (random shares of a random part of it), levels are rounded to a grid of 1/100 of each
lever's range, and over-budget offspring are not simulated (the constraint already ranks them).

Every candidate runs the same replicate seeds (common random numbers), so differences between
mixes are not seed noise; ``parameters`` (one dict of parameter overrides per replicate, e.g.
posterior draws of a calibration) is the hook for parameter uncertainty. :func:`search` takes the
evaluation as a function, so it can be tested on synthetic problems without the model.

An optimisation is a results folder (``DIR.partial`` until done): ``manifest.json``,
``config.yaml``, ``evaluations/`` (one JSON file per simulated mix, written as it finishes), then
``evaluations.csv``, ``pareto.csv`` and the report. A rerun with ``resume`` replays the search
with the same seed and takes every evaluation already in the folder from it, so it continues
where it stopped and ends with the same front as an uninterrupted run.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.analysis.pareto import non_dominated, share_better
from scenarios.analysis.summary import mean_ci, yearly
from scenarios.errors import Interrupted, ResultsError, ScenarioError
from scenarios.experiments.exploration import from_year
from scenarios.experiments.progress import Progress
from scenarios.experiments.results import (
    ResultsFolder,
    Storage,
    config_hash,
    config_yaml,
    git_revision,
    join,
    load_manifest,
    versions,
    write_json,
)
from scenarios.experiments.runner import run_tasks
from scenarios.rng import replicate_seeds
from scenarios.schedule import expand, parse_date, step_years
from scenarios.spec import outcomes, registry
from scenarios.spec.config import Scenario, scenario_dict, validate_data

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
        import difflib

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
        import difflib

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


# ------------------------------------------------------------------ the model's evaluation


def policy_config(
    config: dict[str, Any], state: str, levers: Sequence[str], levels: Sequence[float] | np.ndarray, year: int
) -> dict[str, Any]:
    """``config`` with ``state``'s levers following the scenario's schedule until ``year`` and ``levels`` from it."""
    cfg = copy.deepcopy(config)
    schedules = cfg["states"][state].get("levers") or {}
    cfg["states"][state]["levers"] = schedules
    for lever, level in zip(levers, levels, strict=True):
        schedules[lever] = from_year(schedules.get(lever), cfg["start"], year, float(level))
    return cfg


def evaluate_mix(
    config: dict[str, Any],
    seeds: list[int],
    objectives: list[tuple[str, str]],
    year: int,
    parameters: list[dict[str, float]] | None = None,
) -> Evaluations:
    """Run one policy for every replicate seed; per outcome, its mean per year over the years from ``year``.

    Picklable; runs in a worker. ``objectives`` are (outcome, yearly summary) pairs; ``parameters``
    gives replicate i's parameter overrides (None: the scenario's parameters for every replicate).
    """
    from scenarios.model import simulate

    out: Evaluations = {name: [] for name, _ in objectives}
    for i, seed in enumerate(seeds):
        cfg = config
        if parameters is not None:
            cfg = copy.deepcopy(config)
            cfg["parameters"].update(parameters[i])
        ts = simulate(validate_data(cfg), seed).timeseries
        after = np.asarray(ts["year"], float) >= year - 1e-9
        for name, summary in objectives:
            out[name].append(float(yearly(np.asarray(ts[name], float)[after], summary).mean()))
    return out


def _timed(
    config: dict[str, Any], seeds: list[int], objectives: list[tuple[str, str]], year: int, parameters: Any
) -> tuple[Evaluations, float]:
    t0 = time.perf_counter()
    values = evaluate_mix(config, seeds, objectives, year, parameters)
    return values, time.perf_counter() - t0


def check_year(scenario: Scenario, year: int) -> None:
    """A policy start year must leave at least one whole simulated year in the run.

    Raises:
        ScenarioError: naming the years allowed.
    """
    first = math.ceil(parse_date(scenario.start) - 1e-9)
    last = math.floor(scenario.end() + 1e-9) - 1
    if not first <= year <= last:
        raise ScenarioError(
            f"--from {year} is outside the run: {scenario.name} runs {scenario.start} + {scenario.years} years, "
            f"so the mix can start in {first}-{last} (at least one whole simulated year after it)"
        )


def baseline_cost(scenario: Scenario, problem: MixProblem, year: int) -> float:
    """What the scenario's own policy of the state costs per year from ``year`` (mean over those years)."""
    years = step_years(scenario.start, scenario.years * 52)
    after = years >= year - 1e-9
    state = scenario.states.of(problem.state)
    total = sum(
        (expand(state.lever(n), years, 0.0) * p for n, p in zip(problem.levers, problem.prices, strict=True)),
        start=np.zeros(years.shape),
    )
    return float(total[after].mean())


@dataclass
class Optimisation:
    """A finished optimisation: its folder, the search result and the baseline's evaluation."""

    path: str | Path
    result: SearchResult
    baseline: Candidate
    manifest: dict[str, Any]


def optimise(
    scenario: Scenario,
    state: str,
    budget: float,
    year: int,
    out: str | Path,
    objectives: Sequence[str] = DEFAULT_OBJECTIVES,
    population: int = 20,
    generations: int = 10,
    replicates: int = 4,
    seed: int | None = None,
    parameters: list[dict[str, float]] | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    meta: dict[str, Any] | None = None,
    progress: bool = False,
    executor_label: str = "local",
) -> Optimisation:
    """Search ``state``'s lever mix within ``budget`` from ``year``; write the results folder ``out``.

    Every mix (and the scenario's own policy, the baseline) runs the same ``replicates`` seeds.
    Evaluations are written to ``out.partial/evaluations/`` as they finish, so ``resume``
    continues an interrupted search (the same seed replays it, taking what is stored).

    Raises:
        ScenarioError: bad state, budget, year, objectives or parameters (nothing is written).
        ResultsError: ``out`` exists, or an interrupted search is there and ``resume`` is off, or
            the stored search differs (config, seed, replicates, problem or algorithm settings).
    """
    problem = mix_problem(state, budget, objectives)
    check_year(scenario, year)
    cap = scenario.states.of(state).budget_musd
    if cap is not None and cap < budget:
        raise ScenarioError(
            f"--budget {budget:g}: {scenario.name} caps {state}'s lever spending at {cap:g} USD M/yr (states.{state}.budget_musd)"
        )
    if parameters is not None:
        if len(parameters) != replicates:
            raise ScenarioError(
                f"parameters: {len(parameters)} override sets for {replicates} replicates (one per replicate)"
            )
        unknown = sorted({k for p in parameters for k in p} - set(registry.parameters()))
        if unknown:
            raise ScenarioError(f"parameters: {', '.join(unknown)} are not parameters of the registry")
    config = scenario_dict(scenario)
    root = int(scenario.seed if seed is None else seed)
    seeds = replicate_seeds(root, replicates)
    settings = {
        "state": state,
        "budget_musd": float(budget),
        "from_year": int(year),
        "objectives": [o.name for o in problem.objectives],
        "levers": list(problem.levers),
        "population": population,
        "generations": generations,
        "parameters": parameters,
        "grid": GRID,
    }
    import pymoo

    manifest: dict[str, Any] = {
        "kind": "optimisation",
        "scenario": config["name"],
        "config_sha256": config_hash(config),
        "design_sha256": hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest(),
        "root_seed": root,
        "replicates": replicates,
        "replicate_seeds": seeds,
        **settings,
        "problem": {
            "prices_musd_per_unit": list(problem.prices),
            "upper": list(problem.upper),
            "objectives": [asdict(o) for o in problem.objectives],
        },
        "algorithm": {"name": "NSGA-II", "library": "pymoo", "version": pymoo.__version__},
        "versions": versions(),
        "git_revision": git_revision(),
        "executor": {"kind": executor_label, "workers": workers},
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings": {},
        "config": config,
        **(meta or {}),
    }
    folder = ResultsFolder(out)
    store, partial = folder.store, folder.partial
    if resume and store.exists(partial) and not store.exists(folder.path):
        stored = load_manifest(partial).get("design_sha256")
        if stored != manifest["design_sha256"]:
            raise ResultsError(
                f"cannot resume {partial}: its problem or search settings differ from this run "
                "(state, budget, year, objectives, population, generations or parameters)"
            )
    folder.start(manifest, config_yaml(config), resume)
    evaluations = join(partial, "evaluations")
    store.makedirs(evaluations)
    cache: dict[str, Evaluations] = {}
    for f in store.glob(evaluations, "ev-*.json"):
        stored_eval = json.loads(store.read_bytes(f))
        cache[stored_eval["key"]] = stored_eval["values"]
    names = [(o.name, o.summary) for o in problem.objectives if o.name != COST]
    bar = Progress(population * (generations + 1) + 1, "mixes", enabled=progress, done=0)

    def simulate_batch(batch: list[tuple[str, dict[str, Any]]]) -> list[Evaluations]:
        tasks = {i: (cfg, seeds, names, year, parameters) for i, (_, cfg) in enumerate(batch)}
        got: dict[int, Evaluations] = {}

        def finished(i: int, res: tuple[Evaluations, float]) -> None:
            values, seconds = res
            key = batch[i][0]
            got[i] = values
            write_json(join(evaluations, f"ev-{_digest(key)}.json"), {"key": key, "values": values})
            manifest["timings"][_digest(key)] = round(seconds, 3)
            bar.update()

        run_tasks(_timed, tasks, workers, executor, finished)
        return [got[i] for i in range(len(batch))]

    base_key = "baseline"

    def evaluate(mixes: list[np.ndarray]) -> list[Evaluations]:
        batch = [(key_of(x), policy_config(config, state, problem.levers, x, year)) for x in mixes]
        if base_key not in cache:  # the baseline runs with the first generation, not alone before it
            *values, cache[base_key] = simulate_batch([*batch, (base_key, config)])
            return values
        return simulate_batch(batch)

    def generation_done(gen: int, simulated: int) -> None:
        if population > simulated:  # mixes taken from the folder, over budget or repeated count as done
            bar.update(population - simulated)

    try:
        if base_key in cache:
            bar.update()
        mixes = {k: v for k, v in cache.items() if k != base_key}
        result = search(problem, evaluate, population, generations, root, mixes, generation_done)
        if base_key not in cache:  # every mix came from the folder
            (cache[base_key],) = simulate_batch([(base_key, config)])
    except BaseException as err:
        write_json(join(partial, "manifest.json"), manifest)
        kept = bool(store.glob(evaluations, "ev-*.json"))
        if not kept:
            folder.discard()
        if isinstance(err, KeyboardInterrupt):
            name = err.signal_name if isinstance(err, Interrupted) else "SIGINT"
            raise Interrupted(name, str(partial) if kept else None, bar.done, bar.total) from None
        raise
    base_cost = baseline_cost(scenario, problem, year)
    baseline = Candidate(
        tuple(float("nan") for _ in problem.levers),
        base_cost,
        {**cache["baseline"], COST: [base_cost] * replicates},
        -1,
    )
    manifest["baseline"] = {
        name: {
            k: (v if math.isfinite(v) else None) for k, v in zip(("mean", "low", "high"), mean_ci(values), strict=True)
        }
        for name, values in baseline.values.items()
    }
    manifest["search"] = {
        "generations": result.generations,
        "mixes_simulated": result.evaluations_requested,
        "mixes_taken_from_the_folder": result.cached,
        "over_budget_not_simulated": result.infeasible_skipped,
        "feasible_mixes": len(result.candidates),
        "pareto_mixes": len(result.front),
    }
    rows = pareto_rows(result, baseline)
    write_csv(join(partial, "pareto.csv"), rows)
    write_csv(join(partial, "evaluations.csv"), evaluation_rows(result))
    manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    final = folder.finish(manifest, summary_text(result, baseline))
    return Optimisation(final, result, baseline, manifest)


def _lever_columns(problem: MixProblem, levels: Sequence[float]) -> dict[str, Any]:
    return {f"{problem.state}.{n}": v for n, v in zip(problem.levers, levels, strict=True)}


def pareto_rows(result: SearchResult, baseline: Candidate) -> list[dict[str, Any]]:
    """One row per non-dominated mix, by cost: each lever's level, the cost, and per objective its
    mean over replicates with a 95% interval, its paired difference from the baseline (same seeds)
    with a 95% interval, and the share of replicates where it beats the baseline."""
    problem = result.problem
    rows = []
    for i in sorted(result.front, key=lambda j: (result.candidates[j].cost, j)):
        c = result.candidates[i]
        row: dict[str, Any] = {"mix": i, **_lever_columns(problem, c.levels), "cost_musd_per_yr": round(c.cost, 6)}
        for o in problem.objectives:
            if o.name == COST:
                continue
            mean, low, high = mean_ci(c.values[o.name])
            row[f"{o.name}_mean"] = mean
            row[f"{o.name}_low"] = low
            row[f"{o.name}_high"] = high
            paired = np.asarray(c.values[o.name]) - np.asarray(baseline.values[o.name])  # same seeds: paired
            diff, diff_low, diff_high = mean_ci(paired)
            row[f"{o.name}_vs_baseline"] = diff
            row[f"{o.name}_vs_baseline_low"] = diff_low
            row[f"{o.name}_vs_baseline_high"] = diff_high
            row[f"{o.name}_beats_baseline"] = share_better(c.values[o.name], baseline.values[o.name], o.maximise)
        rows.append(row)
    return rows


def evaluation_rows(result: SearchResult) -> list[dict[str, Any]]:
    """Every feasible mix evaluated: generation, levels, cost, each objective's mean, and whether it is on the front."""
    front = set(result.front)
    problem = result.problem
    return [
        {
            "mix": i,
            "generation": c.generation,
            **_lever_columns(problem, c.levels),
            "cost_musd_per_yr": round(c.cost, 6),
            **{f"{o.name}_mean": c.mean(o.name) for o in problem.objectives if o.name != COST},
            "pareto": i in front,
        }
        for i, c in enumerate(result.candidates)
    ]


def summary_text(result: SearchResult, baseline: Candidate) -> str:
    """``summary.csv`` of an optimisation: per objective, the baseline's mean and the range over the front."""
    lines = ["objective,unit,direction,baseline_mean,front_min,front_max"]
    for o in result.problem.objectives:
        front = [result.candidates[i].mean(o.name) for i in result.front] or [float("nan")]
        lines.append(
            f"{o.name},{o.unit},{'higher is better' if o.maximise else 'lower is better'},"
            f"{baseline.mean(o.name):.6g},{min(front):.6g},{max(front):.6g}"
        )
    return "\n".join(lines) + "\n"


def write_csv(location: str | Path, rows: list[dict[str, Any]]) -> None:
    """Rows of dicts (same keys) as a CSV file, atomically (local or a URL); an empty file for no rows."""
    import csv
    import io

    buf = io.StringIO()
    if rows:
        w = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    Storage(location).write_bytes(location, buf.getvalue().encode("utf-8"))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:16]
