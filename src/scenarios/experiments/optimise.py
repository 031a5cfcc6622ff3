"""The best lever mix for a budget: multi-objective search over one state's levers from a year.

The question (issue 22): "which mix of levers is best for this budget?" A candidate is a level for
every lever the state supplies, held from the year ``from_year`` on; before it the scenario's own
schedule runs (the policy ``compare`` evaluates, built with
:func:`~scenarios.experiments.exploration.from_year`). The problem, objectives and the NSGA-II
search live in :mod:`scenarios.experiments.mix_search`; this module evaluates mixes on the model
and keeps the results folder.

Every candidate runs the same replicate seeds (common random numbers), so differences between
mixes are not seed noise. Two references run the same seeds: the baseline (the scenario's own
policy of the state) and the do-nothing mix (every lever of the state at 0 from the year: no
spending at all). With ``parameters`` (one dict of parameter overrides per replicate: the draws of a
posterior ensemble, :func:`~scenarios.calibration.posterior.ensemble_parameters`) replicate i of every
mix and reference runs draw ``i // S`` with seed i, so mixes stay paired within each draw; the
objectives' intervals are then over the draws' means (they include parameter uncertainty), each
objective's spread is split into seed noise and parameter uncertainty, and each mix's gain over the
do-nothing mix and the baseline is stated as the share of draws in which it holds
(:func:`~scenarios.analysis.uncertainty.robustness`).

An optimisation is a results folder (``DIR.partial`` until done): ``manifest.json``,
``config.yaml``, ``evaluations/`` (one JSON file per simulated mix, written as it finishes), then
``evaluations.csv``, ``pareto.csv`` and ``summary.csv`` (the report is written by
:mod:`scenarios.reporting.optimisation`). A rerun with ``resume`` replays the search with the same
seed and takes every evaluation already in the folder from it, so it continues where it stopped
and ends with the same front as an uninterrupted run.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import time
from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from scenarios.analysis.pareto import share_better
from scenarios.analysis.summary import mean_ci, yearly
from scenarios.analysis.uncertainty import decompose, robustness
from scenarios.errors import Interrupted, ResultsError, ScenarioError
from scenarios.experiments.exploration import from_year
from scenarios.experiments.mix_search import (
    COST,
    DEFAULT_OBJECTIVES,
    GRID,
    Candidate,
    Evaluations,
    MixProblem,
    Objective,
    SearchResult,
    key_of,
    mix_problem,
    objective,
    search,
)
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
from scenarios.experiments.runner import draw_config, run_tasks
from scenarios.rng import replicate_seeds
from scenarios.schedule import expand, parse_date, step_years
from scenarios.spec import registry
from scenarios.spec.config import Scenario, scenario_dict, validate_data

__all__ = [
    "COST",
    "DEFAULT_OBJECTIVES",
    "MixProblem",
    "Objective",
    "Optimisation",
    "check_year",
    "evaluate_mix",
    "key_of",
    "mix_problem",
    "objective",
    "optimise",
    "policy_config",
    "search",
]


NOTHING = "nothing"
"""The do-nothing mix's key among the evaluations: every lever of the state at 0 from the year."""
REFERENCES = ("baseline", NOTHING)
"""The policies every mix is compared with, run on the same seeds (and draws): the scenario's own, and nothing."""


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
        sc = validate_data(config if parameters is None else draw_config(config, parameters[i]))
        ts = simulate(sc, seed).timeseries
        weeks = len(np.asarray(ts[objectives[0][0]])) if objectives else 0
        after = step_years(sc.start, weeks) >= year - 1e-9  # the weeks from the policy's start year
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
    parameters_record: dict[str, Any] | None = None,
) -> Optimisation:
    """Search ``state``'s lever mix within ``budget`` from ``year``; write the results folder ``out``.

    Every mix (and the scenario's own policy, the baseline, and the do-nothing mix) runs the same
    ``replicates`` seeds. Evaluations are written to ``out.partial/evaluations/`` as they finish, so
    ``resume`` continues an interrupted search (the same seed replays it, taking what is stored).

    ``parameters`` gives replicate i's parameter overrides (a posterior ensemble's draws) and
    ``parameters_record`` what they are (file, SHA-256, ``draw_of_replicate``: see
    :func:`~scenarios.calibration.posterior.ensemble_parameters`), recorded in the manifest under
    ``parameters``; without a record every replicate counts as its own draw.

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
    record: dict[str, Any] | None = None
    if parameters is not None:
        record = {"source": "parameter overrides given per replicate", **(parameters_record or {})}
        given = record.get("draw_of_replicate")
        record["draw_of_replicate"] = [int(d) for d in given] if given is not None else list(range(replicates))
        if len(record["draw_of_replicate"]) != replicates:
            raise ScenarioError(f"parameters: {len(record['draw_of_replicate'])} draws for {replicates} replicates")
        record["replicate_values"] = [dict(p) for p in parameters]
    settings = {
        "state": state,
        "budget_musd": float(budget),
        "from_year": int(year),
        "objectives": [o.name for o in problem.objectives],
        "levers": list(problem.levers),
        "population": population,
        "generations": generations,
        "parameters": None if record is None else {k: record.get(k) for k in ("key", "replicate_values")},
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
    if record is not None:
        manifest["parameters"] = record
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
    bar = Progress(population * (generations + 1) + len(REFERENCES), "mixes", enabled=progress, done=0)

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
    nothing = policy_config(config, state, problem.levers, np.zeros(len(problem.levers)), year)
    references = [(base_key, config), (NOTHING, nothing)]

    def missing_references() -> list[tuple[str, dict[str, Any]]]:
        return [(k, cfg) for k, cfg in references if k not in cache]

    def evaluate(mixes: list[np.ndarray]) -> list[Evaluations]:
        batch = [(key_of(x), policy_config(config, state, problem.levers, x, year)) for x in mixes]
        refs = missing_references()  # the references run with the first generation, not alone before it
        values = simulate_batch([*batch, *refs])
        for (k, _), v in zip(refs, values[len(batch) :], strict=True):
            cache[k] = v
        return values[: len(batch)]

    def generation_done(gen: int, simulated: int) -> None:
        if population > simulated:  # mixes taken from the folder, over budget or repeated count as done
            bar.update(population - simulated)

    try:
        if base_key in cache:
            bar.update()
        mixes = {k: v for k, v in cache.items() if k not in (base_key, NOTHING)}
        result = search(problem, evaluate, population, generations, root, mixes, generation_done)
        refs = missing_references()
        if refs:  # every mix came from the folder
            for (k, _), v in zip(refs, simulate_batch(refs), strict=True):
                cache[k] = v
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
    do_nothing = Candidate(tuple(0.0 for _ in problem.levers), 0.0, {**cache[NOTHING], COST: [0.0] * replicates}, -1)
    draw = None if record is None else np.asarray(record["draw_of_replicate"])
    manifest["baseline"] = reference_stats(baseline, draw)
    manifest["nothing"] = reference_stats(do_nothing, draw)
    manifest["search"] = {
        "generations": result.generations,
        "mixes_simulated": result.evaluations_requested,
        "mixes_taken_from_the_folder": result.cached,
        "over_budget_not_simulated": result.infeasible_skipped,
        "feasible_mixes": len(result.candidates),
        "pareto_mixes": len(result.front),
    }
    rows = pareto_rows(result, baseline, do_nothing, draw)
    write_csv(join(partial, "pareto.csv"), rows)
    write_csv(join(partial, "evaluations.csv"), evaluation_rows(result))
    manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    final = folder.finish(manifest, summary_text(result, baseline))
    return Optimisation(final, result, baseline, manifest)


def _lever_columns(problem: MixProblem, levels: Sequence[float]) -> dict[str, Any]:
    return {f"{problem.state}.{n}": v for n, v in zip(problem.levers, levels, strict=True)}


def interval(values: Sequence[float] | np.ndarray, draw: np.ndarray | None = None) -> tuple[float, float, float]:
    """Mean and 95% t interval of per-replicate ``values``; with ``draw`` (each replicate's posterior
    draw) the interval is over the draws' means, so it includes parameter uncertainty and counts
    the seeds of one draw once (the mean is the same)."""
    v = np.asarray(values, dtype=float)
    if draw is None:
        return mean_ci(v)
    means = [v[draw == d].mean() for d in np.unique(draw)]
    return mean_ci(means)


def reference_stats(reference: Candidate, draw: np.ndarray | None) -> dict[str, dict[str, float | None]]:
    """Mean and 95% interval (``low``, ``high``; None when there is none) of a reference's every objective."""
    return {
        name: {
            k: (v if math.isfinite(v) else None)
            for k, v in zip(("mean", "low", "high"), interval(values, draw), strict=True)
        }
        for name, values in reference.values.items()
    }


def pareto_rows(
    result: SearchResult, baseline: Candidate, nothing: Candidate | None = None, draw: np.ndarray | None = None
) -> list[dict[str, Any]]:
    """One row per non-dominated mix, by cost: each lever's level, the cost, and per objective its
    mean with a 95% interval, its paired difference from the baseline and from the do-nothing mix
    (same seeds) with 95% intervals, and the share of replicates where it beats each.

    With ``draw`` (the posterior draw of each replicate) the intervals are over the draws' means,
    and each objective also gets ``_seed_sd`` and ``_parameter_sd`` (its spread from seed noise and
    from parameter uncertainty: :func:`~scenarios.analysis.uncertainty.decompose`; NaN with one seed
    per draw) and ``_draws_better_than_nothing`` and ``_draws_better_than_baseline``: the share of
    draws whose mean paired difference goes the better way."""
    problem = result.problem
    references = [("baseline", baseline), *([("nothing", nothing)] if nothing is not None else [])]
    rows = []
    for i in sorted(result.front, key=lambda j: (result.candidates[j].cost, j)):
        c = result.candidates[i]
        row: dict[str, Any] = {"mix": i, **_lever_columns(problem, c.levels), "cost_musd_per_yr": round(c.cost, 6)}
        for o in problem.objectives:
            if o.name == COST:
                continue
            values = np.asarray(c.values[o.name], dtype=float)
            mean, low, high = interval(values, draw)
            row[f"{o.name}_mean"] = mean
            row[f"{o.name}_low"] = low
            row[f"{o.name}_high"] = high
            for label, ref in references:
                paired = values - np.asarray(ref.values[o.name], dtype=float)  # same seeds and draws: paired
                diff, diff_low, diff_high = interval(paired, draw)
                row[f"{o.name}_vs_{label}"] = diff
                row[f"{o.name}_vs_{label}_low"] = diff_low
                row[f"{o.name}_vs_{label}_high"] = diff_high
                row[f"{o.name}_beats_{label}"] = share_better(values, ref.values[o.name], o.maximise)
            if draw is not None:
                spread = decompose(values, draw) if values.size > 1 else None
                row[f"{o.name}_seed_sd"] = math.sqrt(spread.seed) if spread and spread.separable else float("nan")
                row[f"{o.name}_parameter_sd"] = (
                    math.sqrt(spread.parameter) if spread and spread.separable else float("nan")
                )
                for label, ref in references:
                    paired = values - np.asarray(ref.values[o.name], dtype=float)
                    row[f"{o.name}_draws_better_than_{label}"] = _draws_better(paired, draw, o.maximise)
        rows.append(row)
    return rows


def _draws_better(paired: np.ndarray, draw: np.ndarray, maximise: bool) -> float:
    """Share of posterior draws whose mean paired difference goes the better way."""
    if paired.size < 2:  # robustness() decomposes the variance, which needs 2 replicates
        return float(paired.mean() > 0 if maximise else paired.mean() < 0)
    return robustness(paired, draw, maximise).share_better


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
