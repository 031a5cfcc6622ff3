"""A calibration run: the model as an ABC-SMC simulator, saved generation by generation, resumable.

:func:`plan` builds what to run (the scenario shortened to the targets' years with few citizens,
the calibrated parameters, the targets, the ABC settings); :func:`calibrate` runs it into a
results folder written as ``DIR.partial`` until complete: ``generations/gen_NNN.parquet`` after
each generation (a ``resume`` continues after the last one saved), then ``posterior.parquet``,
``report.html`` (and ``report.md``) and ``manifest.json``.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from scenarios.calibration.abc import Generation, Settings, abc_smc
from scenarios.calibration.posterior import POSTERIOR_FILE, Posterior, shipped_dir, write_posterior
from scenarios.calibration.prior import UniformPrior
from scenarios.calibration.targets import (
    Target,
    TargetFile,
    calibrated_parameters,
    distance,
    load_targets,
    statistics,
    year_span,
)
from scenarios.errors import Interrupted, ResultsError, ScenarioError
from scenarios.experiments.progress import duration, scenario_seconds
from scenarios.experiments.results import config_hash, git_revision, parquet_table, versions
from scenarios.experiments.runner import local_executor, run_replicate, run_tasks
from scenarios.spec.config import Scenario, derive, scenario_dict

QUICK = {"particles": 30, "generations": 3, "batch": 15, "max_attempts": 6, "citizens": 1000}
"""``--quick``: a small calibration (under 10 minutes on 2 cores; measured in docs/usage.md)."""
FULL = {"particles": 200, "generations": 6, "batch": 50, "max_attempts": 20, "citizens": 2000}
"""The default (and the shipped posterior's) size."""
ASSUMED_ACCEPTANCE = 0.3
"""Share of proposals kept after generation 0, for the up-front estimate only."""
GENERATIONS_DIR = "generations"


@dataclass(frozen=True)
class Plan:
    """What a calibration runs.

    Attributes:
        scenario: the scenario as simulated (horizon cut to the targets' years, citizens set).
        names: the calibrated parameters (prior column order).
        targets: every target (fitted and held out), in file order.
        settings: ABC-SMC settings.
        seed: root seed of the ABC run.
        quick: made with ``--quick``.
    """

    scenario: Scenario
    names: tuple[str, ...]
    targets: tuple[Target, ...]
    settings: Settings
    seed: int
    quick: bool = False

    @property
    def start_year(self) -> int:
        """Calendar year of the first recorded week."""
        return int(self.scenario.start[:4])

    def prior(self) -> UniformPrior:
        """Uniform priors on the declared ranges."""
        return UniformPrior.from_registry(self.names)

    def estimated_runs(self) -> int:
        """Model runs the plan is expected to need (generation 0 plus the later ones at the assumed acceptance)."""
        s = self.settings
        later = min(s.max_attempts, round(1 / ASSUMED_ACCEPTANCE)) * s.particles
        return s.particles + s.generations * later

    def run_seconds(self) -> float:
        """Estimated seconds of one model run on one core."""
        return scenario_seconds(self.scenario)


def plan(
    scenario: Scenario,
    quick: bool = False,
    particles: int | None = None,
    generations: int | None = None,
    citizens: int | None = None,
    seed: int | None = None,
    targets: TargetFile | None = None,
    parameters: list[str] | None = None,
) -> Plan:
    """The calibration of ``scenario`` against the declared targets.

    The scenario must start in January of, or before, the first target year; its horizon is set to
    end with the last target year and its citizens to ``citizens`` (few, to be fast: the society's
    outcomes are scaled to the census).

    Raises:
        ScenarioError: the scenario starts after the first target year or not in January, a
            parameter cannot be calibrated, or a size is out of bounds.
    """
    size = dict(QUICK if quick else FULL)
    for key, value in (("particles", particles), ("generations", generations), ("citizens", citizens)):
        if value is not None:
            size[key] = value
    tf = targets or load_targets()
    first, last = year_span(tf.targets)
    start_year, month = int(scenario.start[:4]), scenario.start[5:7]
    if month != "01" or start_year > first:
        raise ScenarioError(
            f"{scenario.name} starts {scenario.start}; a calibration needs a start in January of {first} or earlier "
            f"(the first target year)"
        )
    names = parameters if parameters is not None else calibrated_parameters(tf)
    if not names:
        raise ScenarioError("no parameter to calibrate")
    UniformPrior.from_registry(names)  # raises on unknown or fixed parameters
    if size["particles"] < 2 or size["generations"] < 0 or size["citizens"] < 100:
        raise ScenarioError(
            f"particles >= 2, generations >= 0 and citizens >= 100 (got {size['particles']}, "
            f"{size['generations']}, {size['citizens']})"
        )
    sim = derive(scenario, years=last - start_year + 1, society__citizens=size["citizens"])
    settings = Settings(
        particles=size["particles"],
        generations=size["generations"],
        batch=min(size["batch"], size["particles"]),
        max_attempts=size["max_attempts"],
    )
    return Plan(sim, tuple(names), tuple(tf.targets), settings, int(scenario.seed if seed is None else seed), quick)


def particle_statistics(
    config: dict[str, Any],
    names: tuple[str, ...],
    thetas: NDArray[np.float64],
    seeds: list[int],
    targets: tuple[Target, ...],
    start_year: int,
) -> NDArray[np.float64]:
    """Run the model at each parameter set with its seed; the targets' statistics, one row each. Picklable."""
    rows = []
    for theta, seed in zip(thetas, seeds, strict=True):
        cfg = copy.deepcopy(config)
        cfg["parameters"] = {**cfg["parameters"], **{n: float(v) for n, v in zip(names, theta, strict=True)}}
        data, _ = run_replicate(cfg, seed)
        rows.append(statistics(targets, data.timeseries, start_year))
    return np.array(rows)


def model_simulator(
    p: Plan, workers: int, executor: Executor | None
) -> Callable[[NDArray[np.float64], list[int]], tuple[NDArray[np.float64], NDArray[np.float64]]]:
    """The ABC simulator of a plan: each row run on ``executor`` (or in this process), returned in order."""
    config = scenario_dict(p.scenario)

    def simulate(thetas: NDArray[np.float64], seeds: list[int]) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        tasks = {
            k: (config, p.names, thetas[k : k + 1], seeds[k : k + 1], p.targets, p.start_year)
            for k in range(len(seeds))
        }
        found: dict[int, NDArray[np.float64]] = {}
        run_tasks(particle_statistics, tasks, workers, executor, lambda k, r: found.__setitem__(k, r))
        stats = np.vstack([found[k] for k in range(len(seeds))])
        return np.array([distance(p.targets, s) for s in stats]), stats

    return simulate


def targets_sha256(targets: tuple[Target, ...]) -> str:
    """SHA-256 of the targets as data (what a resume must share)."""
    text = json.dumps([t.model_dump(mode="json") for t in targets], sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _manifest(p: Plan, command: list[str], executor_label: str, workers: int) -> dict[str, Any]:
    config = scenario_dict(p.scenario)
    prior = p.prior()
    return {
        "kind": "calibration",
        "scenario": p.scenario.name,
        "config_sha256": config_hash(config),
        "root_seed": p.seed,
        "quick": p.quick,
        "method": "ABC-SMC (population Monte Carlo; Beaumont et al. 2009, Toni et al. 2009)",
        "settings": asdict(p.settings),
        "parameters": {n: [float(lo), float(hi)] for n, lo, hi in zip(p.names, prior.low, prior.high, strict=True)},
        "targets": [t.model_dump(mode="json") for t in p.targets],
        "targets_sha256": targets_sha256(p.targets),
        "command": command,
        "versions": versions(),
        "git_revision": git_revision(),
        "executor": {"kind": executor_label, "workers": max(1, workers)},
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "generations": [],
        "config": config,
    }


RESUME_KEYS = ("config_sha256", "root_seed", "settings", "parameters", "targets_sha256")
"""What must match for a calibration to continue an interrupted one (the number of generations may
change: a resumed calibration can end early or go on longer, recorded as ``generations_changed``)."""


def _resumable(value: Any, key: str) -> Any:
    """``value`` of a manifest's ``key`` as it must match on resume: the settings without ``generations``."""
    if key == "settings" and isinstance(value, dict):
        return {k: v for k, v in value.items() if k != "generations"}
    return value


def _generation_path(folder: Path, index: int) -> Path:
    return folder / GENERATIONS_DIR / f"gen_{index:03d}.parquet"


def save_generation(folder: Path, gen: Generation, names: tuple[str, ...], targets: tuple[Target, ...]) -> None:
    """Write one generation (particles, weights, distances, seeds, statistics) atomically."""
    cols: dict[str, Any] = {n: gen.theta[:, k] for k, n in enumerate(names)}
    cols["weight"] = gen.weights
    cols["distance"] = gen.distances
    cols["seed"] = pa.array([str(s) for s in gen.seeds])
    for k, t in enumerate(targets):
        cols[f"stat:{t.key}"] = gen.stats[:, k]
    meta = {"index": gen.index, "epsilon": gen.epsilon, "attempts": gen.attempts, "seconds": gen.seconds}
    table = pa.table(cols).replace_schema_metadata({"scenarios": json.dumps(meta)})
    path = _generation_path(folder, gen.index)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def load_generations(folder: Path, names: tuple[str, ...], targets: tuple[Target, ...]) -> list[Generation]:
    """The generations saved in ``folder``, in order (stops at the first gap)."""
    out: list[Generation] = []
    while _generation_path(folder, len(out)).is_file():
        table = parquet_table(_generation_path(folder, len(out)).read_bytes())
        meta = json.loads((table.schema.metadata or {})[b"scenarios"])
        col = {c: table.column(c).to_numpy() for c in table.column_names}
        out.append(
            Generation(
                int(meta["index"]),
                float(meta["epsilon"]),
                np.column_stack([col[n].astype(float) for n in names]),
                col["weight"].astype(float),
                col["distance"].astype(float),
                [int(s) for s in col["seed"]],
                int(meta["attempts"]),
                np.column_stack([col[f"stat:{t.key}"].astype(float) for t in targets]),
                float(meta["seconds"]),
            )
        )
    return out


@dataclass(frozen=True)
class CalibrationResult:
    """A finished calibration: its folder, manifest, generations and posterior."""

    path: Path
    manifest: dict[str, Any]
    generations: list[Generation]
    posterior: Posterior


def _open(out: Path, manifest: dict[str, Any], resume: bool) -> tuple[Path, dict[str, Any]]:
    partial = out.with_name(out.name + ".partial")
    if out.exists():
        raise ResultsError(f"{out} already exists; choose another --out or remove it (nothing was written)")
    if partial.exists():
        if not resume:
            raise ResultsError(
                f"{partial} holds an interrupted calibration; rerun with --resume to continue it, or remove it"
            )
        old = json.loads((partial / "manifest.json").read_text(encoding="utf-8"))
        for key in RESUME_KEYS:
            if _resumable(old.get(key), key) != _resumable(manifest[key], key):
                raise ResultsError(f"cannot resume {partial}: its {key} differs from this calibration's")
        before = old["settings"]["generations"]
        if before != manifest["settings"]["generations"]:  # ending a calibration early, or extending it
            manifest["generations_changed"] = [
                *old.get("generations_changed", []),
                {"from": before, "to": manifest["settings"]["generations"], "at": manifest["started"]},
            ]
        manifest["resumes"] = [
            *old.get("resumes", []),
            {"started": manifest["started"], "command": manifest["command"]},
        ]
        manifest["started"], manifest["command"] = old["started"], old["command"]
        return partial, manifest
    if resume:
        raise ResultsError(f"nothing to resume: {partial} does not exist")
    partial.mkdir(parents=True)
    return partial, manifest


def _write_json(path: Path, obj: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    tmp.replace(path)


def _log(enabled: bool) -> Callable[[str], None]:
    def log(text: str) -> None:
        if enabled:
            print(text, file=sys.stderr, flush=True)

    return log


def calibrate(
    p: Plan,
    out: str | Path,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    progress: bool = False,
    command: list[str] | None = None,
    executor_label: str = "local",
    verbose: bool = False,
) -> CalibrationResult:
    """Run the calibration ``p`` into the folder ``out`` (written as ``out.partial`` until complete).

    ``verbose`` prints a line per generation on stderr; ``progress`` also redraws a line per batch.

    Raises:
        ResultsError: ``out`` exists, or the partial folder cannot be resumed.
        Interrupted: on Ctrl-C or SIGTERM, naming the partial folder (finished generations are kept).
    """
    from scenarios.calibration.report import write_report

    out = Path(out)
    manifest = _manifest(p, command or [], executor_label, workers)
    partial, manifest = _open(out, manifest, resume)
    done = load_generations(partial, p.names, p.targets)
    manifest["generations"] = [_gen_record(g) for g in done]
    _write_json(partial / "manifest.json", manifest)
    log = _log(verbose or progress)
    total = p.settings.generations + 1
    if done:
        log(f"resuming {partial}: {len(done)} of {total} generations saved")

    def saved(gen: Generation) -> None:
        save_generation(partial, gen, p.names, p.targets)
        manifest["generations"].append(_gen_record(gen))
        _write_json(partial / "manifest.json", manifest)
        log(
            f"generation {gen.index}/{total - 1}: epsilon {gen.epsilon:.4g}, kept {gen.theta.shape[0]} of "
            f"{gen.attempts} attempts ({gen.acceptance:.0%}), ESS {gen.ess:.0f}, {duration(gen.seconds)}"
        )

    def batch(t: int, kept: int, attempts: int) -> None:
        if progress:
            sys.stderr.write(
                f"\rgeneration {t}/{total - 1}: kept {kept}/{p.settings.particles} of {attempts} attempts   "
            )
            sys.stderr.flush()

    t0 = time.perf_counter()
    own = executor is None and workers > 1
    pool = local_executor(workers) if own else executor
    try:
        gens, why = abc_smc(model_simulator(p, workers, pool), p.prior(), p.settings, p.seed, done, saved, batch)
    except KeyboardInterrupt as err:
        name = err.signal_name if isinstance(err, Interrupted) else "SIGINT"
        kept = len(load_generations(partial, p.names, p.targets))
        raise Interrupted(name, str(partial), kept, total) from None
    finally:
        if own and pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
    if progress:
        sys.stderr.write("\n")
    last = gens[-1]
    post = Posterior(p.names, last.theta, last.weights, last.distances)
    manifest["stopped"] = why
    manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["duration_seconds"] = round(
        time.perf_counter() - t0 + sum(g["seconds"] for g in manifest["generations"][: len(done)]), 3
    )
    manifest["model_runs"] = int(sum(g.attempts for g in gens))
    write_posterior(
        partial / POSTERIOR_FILE,
        post,
        {k: manifest[k] for k in ("scenario", "config_sha256", "root_seed", "quick", "git_revision")},
    )
    write_report(partial, p, gens, manifest)
    _write_json(partial / "manifest.json", manifest)
    partial.replace(out)
    return CalibrationResult(out, manifest, gens, post)


def _gen_record(g: Generation) -> dict[str, Any]:
    return {
        "index": g.index,
        "epsilon": g.epsilon,
        "attempts": g.attempts,
        "acceptance": round(g.acceptance, 4),
        "ess": round(g.ess, 2),
        "seconds": round(g.seconds, 3),
    }


SHIPPED_FILES = (POSTERIOR_FILE, "manifest.json", "report.md")
"""What ``--ship`` copies into the package: the posterior, its manifest and the report's text (and its figures)."""


def ship(folder: Path) -> Path:
    """Copy a finished calibration's posterior, manifest and Markdown report (with its figures) into the
    package, replacing what was shipped: the posterior ``--parameters calibrated`` reads."""
    dest = shipped_dir()
    dest.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED_FILES:
        shutil.copyfile(folder / name, dest / name)
    if (dest / "figures").exists():
        shutil.rmtree(dest / "figures")
    shutil.copytree(folder / "figures", dest / "figures")
    return dest
