"""Running scenarios: one run or an ensemble of replicates, streamed to a results folder.

Replicate seeds come from one recorded root seed (``SeedSequence(root).spawn``), so replicate i
of every scenario uses the same seed (common random numbers). Each replicate is a pure function
of (config, seed), written to disk when it finishes, so results are identical for any number of
workers and any finish order. The executor is any :class:`concurrent.futures.Executor`: by
default a local process pool; Dask's ``Client.get_executor()`` works the same way.
"""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scenarios.analysis.summary import replicate_summary, summary_csv
from scenarios.errors import ResultsError
from scenarios.experiments.results import (
    ResultsFolder,
    config_hash,
    config_yaml,
    git_revision,
    load_table,
    versions,
    write_json,
)
from scenarios.rng import replicate_seeds
from scenarios.spec.config import Scenario, scenario_dict, validate_data


def run_replicate(config: dict[str, Any], seed: int, progress: Any = None) -> tuple[Any, float]:
    """Run one replicate from a plain config mapping; returns (RunData, seconds). Picklable.

    ``progress(weeks_done, weeks_total)``, if given, is called after each simulated year.
    """
    from scenarios.model import simulate  # the model layer, imported where it runs

    t0 = time.perf_counter()
    data = simulate(validate_data(config), seed, progress)
    return data, time.perf_counter() - t0


def _year_progress(done: int, total: int) -> None:
    sys.stderr.write(f"\rsimulated {done // 52}/{total // 52} years   ")
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


@dataclass
class Progress:
    """Prints replicates done, rate and time left on one stderr line (when enabled)."""

    total: int
    enabled: bool = True
    done: int = 0
    started: float = field(default_factory=time.perf_counter)

    def update(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self.started
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = (self.total - self.done) / rate if rate > 0 else float("nan")
        sys.stderr.write(f"\rreplicates {self.done}/{self.total} | {rate:.2f}/s | {left:.0f}s left   ")
        if self.done >= self.total:
            sys.stderr.write("\n")
        sys.stderr.flush()


def default_out(name: str, root: str | Path = "results") -> Path:
    """A new results folder name: ``results/<name>-<UTC timestamp>``."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = Path(root) / f"{name}-{stamp}"
    n = 2
    while path.exists() or path.with_name(path.name + ".partial").exists():
        path = Path(root) / f"{name}-{stamp}-{n}"
        n += 1
    return path


def run_tasks(
    fn: Callable[..., Any],
    tasks: dict[int, tuple],
    workers: int,
    executor: Executor | None,
    on_done: Callable[[int, Any], None],
) -> None:
    """Run ``fn(*args)`` for every task, calling ``on_done(key, result)`` as each finishes.

    In this process when there is no executor and one worker; otherwise on ``executor`` or a local
    process pool of ``workers``. On any exception or Ctrl-C, pending tasks are cancelled and a pool
    this function started is shut down before the exception propagates; what finished was already
    handed to ``on_done``.
    """
    if executor is None and workers <= 1:
        for key, args in tasks.items():
            on_done(key, fn(*args))
        return
    own = executor is None
    pool = executor or local_executor(workers)
    futures: dict[Future, int] = {}
    try:
        for key, args in tasks.items():
            futures[pool.submit(fn, *args)] = key
        for fut in as_completed(futures):
            on_done(futures[fut], fut.result())
    finally:
        for fut in futures:
            fut.cancel()
        if own:
            pool.shutdown(wait=True, cancel_futures=True)


def local_executor(workers: int) -> Executor:
    """A process pool of ``workers`` processes (forkserver: safe with threads, fast enough)."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        ctx.set_forkserver_preload(["scenarios.model"])  # workers fork from a server that imported the model once
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx)


@dataclass
class EnsembleResult:
    path: Path
    manifest: dict[str, Any]
    per_replicate: dict[int, dict[str, dict[str, float]]]


def run_ensemble(
    scenario: Scenario,
    out: str | Path,
    replicates: int = 1,
    seed: int | None = None,
    workers: int = 1,
    executor: Executor | None = None,
    resume: bool = False,
    overrides: tuple[str, ...] = (),
    command: list[str] | None = None,
    progress: bool = False,
    executor_label: str = "local",
) -> EnsembleResult:
    """Run ``replicates`` replicates of a validated scenario into the results folder ``out``.

    Args:
        scenario: validated scenario.
        out: final results folder (written as ``<out>.partial`` until complete).
        replicates: number of replicates.
        seed: root seed (default: the scenario's ``seed``).
        workers: local worker processes when ``executor`` is not given (1 = in this process).
        executor: any ``concurrent.futures.Executor`` (e.g. a Dask client's executor).
        resume: finish an interrupted run in ``<out>.partial``, redoing only missing replicates.
        overrides: the ``--set`` overrides, recorded in the manifest.
        command: the command line, recorded in the manifest.
        progress: print a progress line on stderr.
        executor_label: recorded in the manifest.

    Raises:
        ResultsError: the folder exists, or cannot be resumed.
        KeyboardInterrupt: after keeping every finished replicate (resume later with ``resume``).
    """
    config = scenario_dict(scenario)
    root = int(scenario.seed if seed is None else seed)
    seeds = replicate_seeds(root, replicates)
    manifest: dict[str, Any] = {
        "scenario": config["name"],
        "config_sha256": config_hash(config),
        "root_seed": root,
        "replicates": replicates,
        "replicate_seeds": seeds,
        "overrides": list(overrides),
        "command": command or [],
        "versions": versions(),
        "git_revision": git_revision(),
        "executor": {"kind": executor_label, "workers": workers},
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings": {},
        "config": config,
    }
    folder = ResultsFolder(out)
    done = folder.start(manifest, config_yaml(config), resume)
    todo = [i for i in range(replicates) if i not in done]
    bar = Progress(replicates, enabled=progress, done=len(done))
    t0 = time.perf_counter()

    per_rep: dict[int, dict[str, dict[str, float]]] = {}

    def finished(i: int, result: tuple[Any, float]) -> None:
        data, seconds = result
        folder.write_replicate(i, data)
        per_rep[i] = replicate_summary(data.timeseries)
        manifest["timings"][str(i)] = round(seconds, 4)
        bar.update()

    # a single long run in this process shows its years; an ensemble shows replicates
    year_bar = _year_progress if progress and replicates == 1 and executor is None and workers <= 1 else None
    tasks = {i: (config, seeds[i], year_bar) for i in todo}
    try:
        run_tasks(run_replicate, tasks, workers, executor, finished)
    except BaseException:
        write_json(folder.partial / "manifest.json", manifest)  # keep timings of what finished
        if not folder.done():
            folder.discard()
        raise
    for i in done:  # finished before a resume: read back
        per_rep[i] = replicate_summary(load_table(folder.partial, "timeseries", [i]))
    per_rep = dict(sorted(per_rep.items()))
    manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["duration_seconds"] = round(time.perf_counter() - t0, 3)
    path = folder.finish(manifest, summary_csv(per_rep))
    return EnsembleResult(path, manifest, per_rep)


@contextmanager
def executor_for(kind: str, workers: int, scheduler: str | None = None) -> Iterator[tuple[Executor | None, str]]:
    """The executor a command asked for: ``local`` (None: in-process or a process pool) or ``dask``.

    With ``dask`` and a scheduler address, connect to that cluster; without one, start a local
    Dask cluster of ``workers`` single-threaded worker processes bound to 127.0.0.1.
    """
    if kind == "local":
        yield None, "local"
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ResultsError("--executor dask needs the optional extra: pip install 'scenarios[distributed]'") from None
    if scheduler:
        client = Client(scheduler, timeout="10s")
        label = f"dask {scheduler}"
        cluster = None
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
        )
        client = Client(cluster)
        label = f"dask local cluster ({workers} workers)"
    try:
        yield client.get_executor(), label
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def find_stored(results_root: str | Path, config_sha256: str, root_seed: int, replicates: int) -> Path | None:
    """A complete results folder under ``results_root`` made from the same config, seed and replicates."""
    root = Path(results_root)
    if not root.is_dir():
        return None
    for manifest in sorted(root.glob("*/manifest.json")):
        if manifest.parent.name.endswith(".partial"):
            continue
        try:
            m = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue
        if (
            m.get("config_sha256") == config_sha256
            and m.get("root_seed") == root_seed
            and m.get("replicates") == replicates
            and "finished" in m
        ):
            return manifest.parent
    return None
