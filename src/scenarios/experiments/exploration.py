"""Sweeps of levers x uncertainties: designs, streamed and resumable runs, one tidy table.

The factors come from a scenario's ``exploration:`` section (names from the registries). A design
is a matrix of factor values (one row per point); every point runs the same replicate seeds
(common random numbers). Each point's rows (point, replicate, factors, outcomes) are written to
``points/pt-NNNNN.parquet`` when it finishes, atomically; ``--resume`` redoes only missing points
after checking the config and design hashes; at the end ``sweep.parquet`` holds the tidy table.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import shutil
import time
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import qmc

from scenarios.analysis.summary import yearly
from scenarios.errors import Interrupted, ResultsError, ScenarioError
from scenarios.experiments.progress import Progress
from scenarios.experiments.results import (
    config_hash,
    continue_manifest,
    git_revision,
    read_table,
    versions,
    write_json,
    write_table,
)
from scenarios.experiments.runner import run_tasks
from scenarios.rng import replicate_seeds
from scenarios.spec import outcomes, registry
from scenarios.spec.config import Scenario, scenario_dict, validate_data


@dataclass(frozen=True)
class Factor:
    """One swept input: a driver, a parameter, or a state's lever."""

    name: str  # as in results columns: driver/parameter name, or "state.lever"
    kind: str  # "driver", "parameter" or "lever"
    low: float
    high: float


def factors_of(scenario: Scenario) -> list[Factor]:
    """The factors an ``exploration:`` section declares (uncertainties first, then levers)."""
    ex = scenario.exploration
    if ex is None or not (ex.uncertainties or ex.levers):
        raise ScenarioError(
            f"{scenario.name} declares nothing to vary: add an 'exploration:' section with 'uncertainties:' "
            "(drivers or parameters with [low, high]) and/or 'levers:' ('state.lever': [low, high]); see docs/exploration.md"
        )
    out = []
    for name, (lo, hi) in ex.uncertainties.items():
        out.append(Factor(name, "driver" if name in registry.drivers() else "parameter", lo, hi))
    for name, (lo, hi) in ex.levers.items():
        out.append(Factor(name, "lever", lo, hi))
    return out


def apply(config: dict[str, Any], factors: list[Factor], values: np.ndarray) -> dict[str, Any]:
    """The config with each factor set to its value (drivers and levers as constants for the whole run)."""
    cfg = copy.deepcopy(config)
    for f, v in zip(factors, values, strict=True):
        v = float(v)
        if f.kind == "driver":
            cfg["drivers"][f.name] = v
        elif f.kind == "parameter":
            cfg["parameters"][f.name] = v
        else:
            state, lever = f.name.split(".")
            cfg["states"][state].setdefault("levers", {})[lever] = v
    return cfg


def lhs(factors: list[Factor], n: int, seed: int) -> np.ndarray:
    """A Latin hypercube of ``n`` points (scipy's LatinHypercube, scrambled, seeded)."""
    unit = qmc.LatinHypercube(d=len(factors), seed=np.random.default_rng(seed)).random(n)
    return qmc.scale(unit, [f.low for f in factors], [f.high for f in factors])


def factorial(factors: list[Factor], levels: int) -> np.ndarray:
    """A full factorial of ``levels`` evenly spaced values per factor."""
    count = levels ** len(factors)
    if count > 100_000:
        raise ScenarioError(
            f"a full factorial of {levels} levels over {len(factors)} factors has {count:,} points (over 100,000): use --design lhs"
        )
    grids = [np.linspace(f.low, f.high, levels) for f in factors]
    return np.array(np.meshgrid(*grids, indexing="ij")).reshape(len(factors), -1).T


def evaluate_point(config: dict[str, Any], seeds: list[int], names: list[str]) -> dict[str, list[float]]:
    """Run one design point for every replicate seed; return the mean per year of each outcome. Picklable."""
    from scenarios.model import simulate

    table = outcomes.national()
    sc = validate_data(config)
    out: dict[str, list[float]] = {n: [] for n in names}
    for seed in seeds:
        ts = simulate(sc, seed).timeseries
        for n in names:
            out[n].append(float(yearly(np.asarray(ts[n], float), table[n].summary).mean()))
    return out


def run_point(
    config: dict[str, Any], seeds: list[int], names: list[str], point: int, values: dict[str, float], folder: str
) -> float:
    """Run one design point and write its rows to ``folder/points/pt-NNNNN.parquet``; return its seconds.

    Picklable; runs in a worker, which writes the file itself (atomically), so the main process
    only counts points.
    """
    t0 = time.perf_counter()
    result = evaluate_point(config, seeds, names)
    n = len(seeds)
    cols = {"point": np.full(n, point), "replicate": np.arange(n)}
    cols.update({name: np.full(n, v) for name, v in values.items()})
    cols.update({name: np.array(result[name]) for name in names})
    write_table(Path(folder) / "points" / f"pt-{point:05d}.parquet", cols)
    return time.perf_counter() - t0


def design_hash(design: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(design, dtype=np.float64).tobytes()).hexdigest()


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
) -> Path:
    """Run every design point into the folder ``out`` (``out.partial`` until complete); returns ``out``.

    ``progress`` prints points done, rate and time left on stderr. On Ctrl-C or SIGTERM every
    finished point is kept and :class:`~scenarios.errors.Interrupted` names the folder to resume;
    a resume keeps the first ``started`` and ``command`` and lists each resume under ``resumes``.
    """
    out = Path(out)
    partial = out.with_name(out.name + ".partial")
    config = scenario_dict(scenario)
    if scenario.exploration is None:
        raise ScenarioError(f"{scenario.name} has no 'exploration:' section: nothing says which outcomes to record")
    names = list(scenario.exploration.outcomes)
    root = int(scenario.seed if seed is None else seed)
    seeds = replicate_seeds(root, replicates)
    manifest = {
        "kind": "sweep",
        "scenario": config["name"],
        "config_sha256": config_hash(config),
        "design_sha256": design_hash(design),
        "root_seed": root,
        "replicates": replicates,
        "replicate_seeds": seeds,
        "factors": [f.__dict__ for f in factors],
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
    if out.exists():
        raise ResultsError(f"{out} already exists; choose another --out")
    if partial.exists():
        if not resume:
            raise ResultsError(f"{partial} holds an interrupted sweep; rerun with --resume to finish it, or remove it")
        old = json.loads((partial / "manifest.json").read_text(encoding="utf-8"))
        continue_manifest(manifest, old, partial, ("config_sha256", "design_sha256", "root_seed", "replicates"))
    elif resume:
        raise ResultsError(f"nothing to resume: {partial} does not exist")
    else:
        (partial / "points").mkdir(parents=True)
        write_table(
            partial / "design.parquet",
            {"point": np.arange(design.shape[0]), **{f.name: design[:, j] for j, f in enumerate(factors)}},
        )
    write_json(partial / "manifest.json", manifest)
    done = {int(p.stem.split("-")[1]) for p in (partial / "points").glob("pt-*.parquet")}
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
        )
        for i in todo
    }
    try:
        run_tasks(run_point, tasks, workers, executor, finished)
    except BaseException as err:
        write_json(partial / "manifest.json", manifest)  # keep timings of what finished
        kept = any((partial / "points").glob("pt-*.parquet"))
        if not kept:  # as run_ensemble: a sweep that fails before any point leaves nothing behind
            shutil.rmtree(partial)
        if isinstance(err, KeyboardInterrupt):
            name = err.signal_name if isinstance(err, Interrupted) else "SIGINT"
            raise Interrupted(name, str(partial) if kept else None, bar.done, bar.total) from None
        raise
    write_json(partial / "manifest.json", manifest)
    have = {int(p.stem.split("-")[1]) for p in (partial / "points").glob("pt-*.parquet")}
    if len(have) != design.shape[0]:  # workers wrote somewhere this process cannot see (their own disks)
        raise ResultsError(
            f"{design.shape[0] - len(have)} design point(s) reported done are not in {partial / 'points'}: the workers "
            "cannot write there. Give --out a folder on a disk every worker shares, then --resume"
        )
    table = _concat(partial)
    write_table(partial / "sweep.parquet", table)
    manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    write_json(partial / "manifest.json", manifest)
    os.replace(partial, out)
    return out


def _concat(folder: Path) -> dict[str, np.ndarray]:
    parts = [read_table(p) for p in sorted((folder / "points").glob("pt-*.parquet"))]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def load_sweep(folder: str | Path) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The manifest and tidy table of a finished sweep folder."""
    folder = Path(folder)
    f = folder / "sweep.parquet"
    if not f.is_file():
        raise ResultsError(f"{folder} is not a finished sweep: sweep.parquet is missing")
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    return manifest, read_table(f)


def point_means(table: dict[str, np.ndarray], n_points: int, name: str) -> np.ndarray:
    """Per design point, the mean of an outcome over replicates (common random numbers)."""
    sums = np.bincount(table["point"].astype(int), table[name].astype(float), n_points)
    counts = np.bincount(table["point"].astype(int), minlength=n_points)
    return sums / counts
