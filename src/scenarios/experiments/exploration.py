"""Sweeps of levers x uncertainties: designs, streamed and resumable runs, one tidy table.

The factors come from a scenario's ``exploration:`` section (names from the registries). A design
is a matrix of factor values (one row per point); every point runs the same replicate seeds
(common random numbers). A lever can be swept in its level (``state.lever``) and in the year its
level starts (``state.lever@start``, whole years): the point's policy is then the scenario's own
schedule until that year and the sampled level from it, the question ``compare`` answers.

A sweep is a results folder like an ensemble's (:class:`~scenarios.experiments.results.ResultsFolder`:
``DIR.partial`` until complete, ``--resume``, local or an fsspec URL): each point's rows (point,
replicate, factors, outcomes) are written to ``points/pt-NNNNN.parquet`` when it finishes,
atomically; ``--resume`` redoes only missing points after checking the config, seed, replicates
and design; at the end ``sweep.parquet`` holds the tidy table and ``summary.csv`` each outcome's
range.

A sweep can run over a calibrated posterior (``parameter_sets``, from
:func:`~scenarios.calibration.posterior.ensemble_parameters`): replicate r of every design point
then runs posterior draw ``r // S`` with seed r, so the points stay paired within each draw (common
random numbers) and the manifest records the posterior as an ensemble's does. A parameter the
design sweeps keeps its swept value (the draw's is dropped, and the manifest names it).
"""

from __future__ import annotations

import copy
import hashlib
import json
import time
from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import qmc

from scenarios.analysis.summary import yearly
from scenarios.errors import Interrupted, ResultsError, ScenarioError
from scenarios.experiments.progress import Progress
from scenarios.experiments.results import (
    ResultsFolder,
    Storage,
    config_hash,
    config_yaml,
    git_revision,
    join,
    load_manifest,
    read_table,
    versions,
    write_json,
    write_table,
)
from scenarios.experiments.runner import draw_config, ensemble_sha, run_tasks
from scenarios.rng import replicate_seeds
from scenarios.schedule import parse_date
from scenarios.spec import outcomes, registry
from scenarios.spec.config import Scenario, scenario_dict, validate_data

START = "@start"
"""Suffix of a lever factor that samples the year its level starts: ``china.joint_border_patrols@start``."""


@dataclass(frozen=True)
class Factor:
    """One swept input: a driver, a parameter, or a state's lever."""

    name: str  # as in results columns: driver/parameter name, "state.lever", "state.lever@start" or "policy"
    kind: str  # "driver", "parameter", "lever", "start" (the year a lever's level starts) or "policy"
    low: float
    high: float
    choices: tuple[Any, ...] = ()  # a "policy" factor: its policies (overrides by dotted key), by index


def factors_of(scenario: Scenario) -> list[Factor]:
    """The factors an ``exploration:`` section declares (uncertainties first, then levers and start years).

    Raises:
        ScenarioError: nothing to vary; or a start year range that is not whole years within the run.
    """
    ex = scenario.exploration
    if ex is None or not (ex.uncertainties or ex.levers):
        raise ScenarioError(
            f"{scenario.name} declares nothing to vary: add an 'exploration:' section with 'uncertainties:' "
            "(drivers or parameters with [low, high]) and/or 'levers:' ('state.lever': [low, high]); see docs/exploration.md"
        )
    out = []
    for name, (lo, hi) in ex.uncertainties.items():
        out.append(Factor(name, "driver" if name in registry.drivers() else "parameter", lo, hi))
    first, last = int(parse_date(scenario.start)), int(np.ceil(scenario.end() - 1e-9)) - 1
    for name, (lo, hi) in ex.levers.items():
        if not name.endswith(START):
            out.append(Factor(name, "lever", lo, hi))
            continue
        if lo != int(lo) or hi != int(hi) or not first <= lo < hi <= last:
            raise ScenarioError(
                f"exploration.levers.{name}: [{lo:g}, {hi:g}] must be whole years within the run "
                f"({first}-{last}: {scenario.start} + {scenario.years} years)"
            )
        out.append(Factor(name, "start", lo, hi))
    return out


def _text_keys(value: Any) -> Any:
    """A schedule written with year numbers as keys (``{2026: 10}``) as the config stores it (``{"2026": 10}``)."""
    return {str(k): v for k, v in value.items()} if isinstance(value, Mapping) else value


def with_overrides(config: dict[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``config`` with each dotted key set (``{"states.china.levers.financial_aid": {2026: 100}}``)."""
    cfg = copy.deepcopy(config)
    for key, value in overrides.items():
        node = cfg
        parts = key.split(".")
        for part in parts[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[parts[-1]] = _text_keys(value)
    return cfg


def policy_factor(policies: Mapping[str, Mapping[str, Any]]) -> Factor:
    """A factor whose values index named policies, each a set of overrides (any schedule of any lever)."""
    if not policies:
        raise ScenarioError(
            "policies: give at least one named policy, e.g. {'late': {'states.china.levers.x': {2026: 10}}}"
        )
    choices = tuple(
        {"name": str(n), "overrides": {k: _text_keys(v) for k, v in o.items()}} for n, o in policies.items()
    )
    return Factor("policy", "policy", 0.0, float(len(choices) - 1), choices)


def crossed(factors: list[Factor], design: np.ndarray, policy: Factor) -> tuple[list[Factor], np.ndarray]:
    """Every design point under every policy: the policy factor first, its index varying slowest."""
    n = design.shape[0]
    rows = [np.column_stack([np.full(n, float(i)), design]) for i in range(len(policy.choices))]
    return [policy, *factors], np.vstack(rows)


def whole_years(factors: list[Factor], design: np.ndarray) -> np.ndarray:
    """The design with every start-year factor rounded to a whole year (what runs and is recorded)."""
    out = np.array(design, dtype=float, copy=True)
    for j, f in enumerate(factors):
        if f.kind == "start":
            out[:, j] = np.round(out[:, j])
    return out


def from_year(schedule: float | Mapping[str, float] | None, run_start: str, year: int, level: float) -> Any:
    """A lever schedule that follows ``schedule`` until ``year`` and holds ``level`` from it.

    ``schedule`` is what the scenario gives the lever (``None``, a number for the whole run, or
    ``{date: value}``); the result is a ``{date: value}`` schedule, the same policy a scenario
    file writes as its parent's schedule followed by ``{year: level}``.
    """
    when = float(year)
    if schedule is None:
        before: dict[str, float] = {}
    elif isinstance(schedule, Mapping):
        before = {str(k): float(v) for k, v in schedule.items() if parse_date(str(k)) < when - 1e-9}
    else:
        before = {run_start: float(schedule)} if parse_date(run_start) < when - 1e-9 else {}
    return {**before, str(year): float(level)}


def apply(config: dict[str, Any], factors: list[Factor], values: np.ndarray) -> dict[str, Any]:
    """The config with each factor set to its value.

    Drivers and levers without a start year hold their value for the whole run; a lever with a
    ``@start`` factor keeps the scenario's schedule until that year and its sampled level from it
    (:func:`from_year`). Parameters replace the parameter.
    """
    cfg = copy.deepcopy(config)
    levels: dict[str, float] = {}
    starts: dict[str, int] = {}
    for f, v in zip(factors, values, strict=True):  # policies first: a swept factor overrides them
        if f.kind == "policy":
            cfg = with_overrides(cfg, f.choices[round(float(v))]["overrides"])
    for f, v in zip(factors, values, strict=True):
        v = float(v)
        if f.kind == "policy":
            continue
        if f.kind == "driver":
            cfg["drivers"][f.name] = v
        elif f.kind == "parameter":
            cfg["parameters"][f.name] = v
        elif f.kind == "start":
            starts[f.name.removesuffix(START)] = round(v)
        else:
            levels[f.name] = v
    for name, level in levels.items():
        state, lever = name.split(".")
        schedules = cfg["states"][state].get("levers") or {}
        cfg["states"][state]["levers"] = schedules
        schedules[lever] = (
            from_year(schedules.get(lever), cfg["start"], starts[name], level) if name in starts else level
        )
    return cfg


def lhs(factors: list[Factor], n: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``n`` points (scipy's LatinHypercube, scrambled, seeded)."""
    unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(n)
    return np.asarray(qmc.scale(unit, [f.low for f in factors], [f.high for f in factors]), dtype=float)


def factorial(factors: list[Factor], levels: int) -> np.ndarray:
    """A full factorial of ``levels`` evenly spaced values per factor."""
    count = levels ** len(factors)
    if count > 100_000:
        raise ScenarioError(
            f"a full factorial of {levels} levels over {len(factors)} factors has {count:,} points (over 100,000): use --design lhs"
        )
    grids = [np.linspace(f.low, f.high, levels) for f in factors]
    return np.array(np.meshgrid(*grids, indexing="ij")).reshape(len(factors), -1).T


def design_for(method: str, factors: list[Factor], samples: int, seed: int) -> tuple[np.ndarray, dict[str, Any]]:
    """The design matrix of a sweep (``lhs``, ``factorial``) or a sensitivity analysis (``morris``,
    ``sobol``), with start years rounded, and what a manifest records about it.

    Raises:
        ScenarioError: an unknown method, Sobol samples that are not a power of 2, or a factorial too large.
    """
    from scenarios.analysis.sensitivity import Problem, morris_design, sobol_design

    if method == "lhs":
        return whole_years(factors, lhs(factors, samples, seed)), {"design": "lhs", "samples": samples}
    if method == "factorial":
        return whole_years(factors, factorial(factors, samples)), {"design": "factorial", "samples": samples}
    problem = Problem(tuple(f.name for f in factors), tuple((f.low, f.high) for f in factors))
    if method == "morris":
        return whole_years(factors, morris_design(problem, samples, seed)), {"method": "morris", "samples": samples}
    if method == "sobol":
        if samples < 1 or samples & (samples - 1):
            raise ScenarioError(f"samples for sobol must be a power of 2 (e.g. 64, 128, 256), got {samples}")
        return whole_years(factors, sobol_design(problem, samples, seed)), {"method": "sobol", "samples": samples}
    raise ScenarioError(f"unknown design {method!r}; allowed: lhs, factorial (sweeps), morris, sobol (sensitivity)")


def check_seeds_per_draw(replicates: int, seeds_per_draw: int) -> None:
    """Refuse a posterior ensemble's sizes that cannot pair every draw: ``seeds_per_draw`` must be a
    whole number >= 1 and ``replicates`` a multiple of it (every draw runs the same seeds).

    The draws themselves come from
    :func:`~scenarios.calibration.posterior.ensemble_parameters` (the one mechanism of ``run`` and
    ``compare``), called by the faces (the CLI and the API) after this check.

    Raises:
        ScenarioError: naming the sizes and what is allowed.
    """
    if isinstance(seeds_per_draw, bool) or not isinstance(seeds_per_draw, int) or seeds_per_draw < 1:
        raise ScenarioError(f"seeds per draw must be a whole number >= 1, got {seeds_per_draw!r}")
    if replicates % seeds_per_draw:
        raise ScenarioError(
            f"replicates ({replicates}) must be a multiple of seeds per draw ({seeds_per_draw}): "
            "every posterior draw runs the same number of seeds"
        )


def evaluate_point(
    config: dict[str, Any],
    seeds: list[int],
    names: list[str],
    parameters: list[dict[str, float]] | None = None,
) -> dict[str, list[float]]:
    """Run one design point for every replicate seed; return the mean per year of each outcome. Picklable.

    ``parameters`` (a posterior ensemble) gives replicate r's parameter values (None: the config's).
    """
    from scenarios.model import simulate

    table = outcomes.national()
    sc = validate_data(config)
    out: dict[str, list[float]] = {n: [] for n in names}
    for r, seed in enumerate(seeds):
        run = sc if parameters is None else validate_data(draw_config(config, parameters[r]))
        ts = simulate(run, seed).timeseries
        for n in names:
            out[n].append(float(yearly(np.asarray(ts[n], float), table[n].summary).mean()))
    return out


def run_point(
    config: dict[str, Any],
    seeds: list[int],
    names: list[str],
    point: int,
    values: dict[str, float],
    folder: str,
    parameters: list[dict[str, float]] | None = None,
    draws: list[int] | None = None,
) -> float:
    """Run one design point and write its rows to ``folder/points/pt-NNNNN.parquet``; return its seconds.

    Picklable; runs in a worker, which writes the file itself (atomically), so the main process
    only counts points. With ``parameters`` (replicate r's posterior values) the rows get a
    ``draw`` column (``draws[r]``, the posterior draw of replicate r).
    """
    t0 = time.perf_counter()
    result = evaluate_point(config, seeds, names, parameters)
    n = len(seeds)
    cols = {"point": np.full(n, point), "replicate": np.arange(n)}
    if draws is not None:
        cols["draw"] = np.asarray(draws, dtype=np.int64)
    cols.update({name: np.full(n, v) for name, v in values.items()})
    cols.update({name: np.array(result[name]) for name in names})
    write_table(join(folder, "points", f"pt-{point:05d}.parquet"), cols)
    return time.perf_counter() - t0


def design_hash(design: np.ndarray, factors: list[Factor] | None = None) -> str:
    """SHA-256 of the design's values (and of the factors' policies, when there are any)."""
    h = hashlib.sha256(np.ascontiguousarray(design, dtype=np.float64).tobytes())
    policies = [f.choices for f in factors or [] if f.choices]
    if policies:
        h.update(json.dumps(policies, sort_keys=True, default=str).encode("utf-8"))
    return h.hexdigest()


def run_design(
    scenario: Scenario,
    factors: list[Factor],
    design: np.ndarray,
    out: str | Path,
    replicates: int = 1,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    meta: dict[str, Any] | None = None,
    progress: bool = False,
    executor_label: str = "local",
    parameter_sets: list[dict[str, float]] | None = None,
    parameters_record: dict[str, Any] | None = None,
) -> str | Path:
    """Run every design point into the results folder ``out`` (``out.partial`` until complete); returns ``out``.

    ``out`` is a local folder or an fsspec URL (the workers write the points there themselves).
    Start-year factors are rounded to whole years first (:func:`whole_years`). ``progress`` prints
    points done, rate and time left on stderr. On Ctrl-C or SIGTERM every finished point is kept and
    :class:`~scenarios.errors.Interrupted` names the folder to resume; a resume keeps the first
    ``started`` and ``command`` and lists each resume under ``resumes``.

    ``parameter_sets`` and ``parameters_record`` (from
    :func:`~scenarios.calibration.posterior.ensemble_parameters`) make every point a
    posterior ensemble: replicate r runs ``parameter_sets[r]`` with seed r at every point. The
    manifest records them under ``parameters`` (file, SHA-256, rows, the draw and values of each
    replicate), and the posterior joins the key a resume is checked against.

    Raises:
        ResultsError: ``out`` exists; an interrupted sweep is there and ``resume`` is off; or a
            resume whose config, seed, replicates, design or posterior differ.
    """
    folder = ResultsFolder(out)
    store, partial = folder.store, folder.partial
    design = whole_years(factors, design)
    config = scenario_dict(scenario)
    if scenario.exploration is None:
        raise ScenarioError(f"{scenario.name} has no 'exploration:' section: nothing says which outcomes to record")
    names = list(scenario.exploration.outcomes)
    root = int(scenario.seed if seed is None else seed)
    seeds = replicate_seeds(root, replicates)
    sets = None
    if parameter_sets is not None:
        if len(parameter_sets) != replicates:
            raise ScenarioError(f"{len(parameter_sets)} posterior parameter sets for {replicates} replicates")
        swept = {f.name for f in factors if f.kind == "parameter"}  # the design's value wins over the draw's
        sets = [{k: float(v) for k, v in s.items() if k not in swept} for s in parameter_sets]
    psha = None if sets is None else str((parameters_record or {}).get("key", ""))
    manifest = {
        "kind": "sweep",
        "scenario": config["name"],
        "config_sha256": config_hash(config) if psha is None else ensemble_sha(config, psha),
        "design_sha256": design_hash(design, factors),
        "root_seed": root,
        "replicates": replicates,
        "replicate_seeds": seeds,
        "factors": [asdict(f) for f in factors],
        "outcomes": names,
        "points": int(design.shape[0]),
        "versions": versions(),
        "git_revision": git_revision(),
        "executor": {"kind": executor_label, "workers": workers},
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings": {},
        "config": config,
        **(meta or {}),
    }
    if sets is not None:
        record = dict(parameters_record or {})
        manifest["parameters"] = {
            **record,
            "swept_not_drawn": sorted({k for s in parameter_sets or [] for k in s} - {k for s in sets for k in s}),
            "replicate_values": sets,
        }
    draws = None if sets is None else [int(d) for d in (parameters_record or {}).get("draw_of_replicate", [])]
    if draws is not None and len(draws) != replicates:
        draws = list(range(replicates))
    if resume and store.exists(partial) and not store.exists(folder.path):
        stored = load_manifest(partial).get("design_sha256")
        if stored != manifest["design_sha256"]:  # the ensemble protocol checks config, seed and replicates
            raise ResultsError(
                f"cannot resume {partial}: its design differs from this run "
                f"(stored {str(stored)[:12]}, now {manifest['design_sha256'][:12]})"
            )
    folder.start(manifest, config_yaml(config), resume)
    points = join(partial, "points")
    if not resume:
        store.makedirs(points)
        write_table(
            join(partial, "design.parquet"),
            {"point": np.arange(design.shape[0]), **{f.name: design[:, j] for j, f in enumerate(factors)}},
        )
    done = {_point_of(p) for p in store.glob(points, "pt-*.parquet")}
    todo = [i for i in range(design.shape[0]) if i not in done]

    bar = Progress(int(design.shape[0]), "points", enabled=progress, done=len(done))

    def finished(i: int, seconds: float) -> None:
        manifest["timings"][str(i)] = round(seconds, 3)
        bar.update()

    tasks = {
        i: (
            apply(config, factors, design[i]),
            seeds,
            names,
            i,
            {f.name: float(design[i, j]) for j, f in enumerate(factors)},
            str(partial),
            sets,
            draws,
        )
        for i in todo
    }
    try:
        run_tasks(run_point, tasks, workers, executor, finished)
    except BaseException as err:
        write_json(join(partial, "manifest.json"), manifest)  # keep timings of what finished
        kept = bool(store.glob(points, "pt-*.parquet"))
        if not kept:  # as run_ensemble: a sweep that fails before any point leaves nothing behind
            folder.discard()
        if isinstance(err, KeyboardInterrupt):
            name = err.signal_name if isinstance(err, Interrupted) else "SIGINT"
            raise Interrupted(name, str(partial) if kept else None, bar.done, bar.total) from None
        raise
    have = {_point_of(p) for p in store.glob(points, "pt-*.parquet")}
    if len(have) != design.shape[0]:  # workers wrote somewhere this process cannot see (their own disks)
        write_json(join(partial, "manifest.json"), manifest)
        raise ResultsError(
            f"{design.shape[0] - len(have)} design point(s) reported done are not in {points}: the workers "
            "cannot write there. Give --out a folder on a disk every worker shares (or a URL), then --resume"
        )
    table = _concat(store, points)
    write_table(join(partial, "sweep.parquet"), table)
    manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    return folder.finish(manifest, summary_csv(table, names))


def _point_of(location: str) -> int:
    return int(location.rsplit("/", 1)[-1].removesuffix(".parquet").split("-")[1])


def _concat(store: Storage, points: str | Path) -> dict[str, np.ndarray]:
    parts = [read_table(p) for p in store.glob(points, "pt-*.parquet")]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def summary_csv(table: Mapping[str, np.ndarray], names: list[str]) -> str:
    """``summary.csv`` of a sweep: per outcome (its mean per simulated year), the range over every point and replicate."""
    units = outcomes.national()
    lines = ["outcome,unit,runs,min,mean,max"]
    for n in names:
        v = np.asarray(table[n], float)
        lines.append(f"{n},{units[n].unit} (mean per year),{v.size},{v.min():.6g},{v.mean():.6g},{v.max():.6g}")
    return "\n".join(lines) + "\n"


def load_sweep(folder: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The manifest and tidy table of a finished sweep folder (local or a URL)."""
    f = join(folder, "sweep.parquet")
    if not Storage(folder).exists(f):
        raise ResultsError(f"{folder} is not a finished sweep: sweep.parquet is missing")
    return load_manifest(folder), read_table(f)


def point_means(table: dict[str, np.ndarray], n_points: int, name: str) -> np.ndarray:
    """Per design point, the mean of an outcome over replicates (common random numbers)."""
    sums = np.bincount(table["point"].astype(int), table[name].astype(float), n_points)
    counts = np.bincount(table["point"].astype(int), minlength=n_points)
    return sums / counts
