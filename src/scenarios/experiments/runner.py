"""Running scenarios: one run or an ensemble of replicates, each written by the worker that ran it.

Replicate seeds come from one recorded root seed (``SeedSequence(root).spawn``), so replicate i
of every scenario uses the same seed (common random numbers). Each replicate is a pure function
of (config, seed); the worker process that runs it writes its tables straight into the run's
``.partial`` folder (or a shared/object-store URL) and returns only a small summary, so the main
process does bookkeeping only and results are byte-identical for any number of workers and any
finish order. The executor is any :class:`concurrent.futures.Executor`: by default a local
process pool whose workers import the model once; Dask's ``Client.get_executor()`` works the same way.
"""

from __future__ import annotations

import copy
import json
import logging
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ProcessPoolExecutor, wait
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scenarios import __version__
from scenarios.analysis.summary import replicate_summary, summary_csv
from scenarios.errors import Interrupted, ResultsError
from scenarios.experiments.progress import Progress
from scenarios.experiments.results import (
    FolderLock,
    ResultsFolder,
    code_version,
    config_hash,
    config_yaml,
    git_revision,
    is_url,
    join,
    load_table,
    versions,
    write_json,
    write_replicate,
)
from scenarios.rng import replicate_seeds
from scenarios.spec.config import Scenario, scenario_dict, validate_data

if TYPE_CHECKING:
    from scenarios.model.recorder import RunData

Summary = dict[str, dict[str, float]]
"""Per national outcome: first-year, last-year and per-year mean of one replicate."""

MAX_REPLICATES = 100_000
"""The most replicates one ensemble may have: its manifest lists every seed (about 2 MB at this size)."""

_VALIDATED: dict[str, Scenario] = {}
"""Validated scenarios by config hash, per process: a worker validates each config once, not per replicate."""


def run_replicate(
    config: dict[str, Any], seed: int, progress: Callable[[int, int], None] | None = None
) -> tuple[RunData, float]:
    """Run one replicate from a plain config mapping; returns (RunData, seconds). Picklable.

    ``progress(weeks_done, weeks_total)``, if given, is called after each simulated year.
    """
    from scenarios.model import simulate  # the model layer, imported where it runs

    key = config_hash(config)
    if key not in _VALIDATED:
        if len(_VALIDATED) >= 16:  # a long-lived process running many configs keeps only recent ones
            _VALIDATED.clear()
        _VALIDATED[key] = validate_data(config)
    t0 = time.perf_counter()
    data = simulate(_VALIDATED[key], seed, progress)
    return data, time.perf_counter() - t0


@dataclass(frozen=True)
class ReplicateDone:
    """What a worker returns for one replicate it ran and wrote: small, whatever the run's size."""

    replicate: int
    summary: Summary
    seconds: float
    cpu_seconds: float


def run_and_write(
    config: dict[str, Any],
    jobs: list[tuple[int, int]],
    folder: str,
    progress: Callable[[int, int], None] | None = None,
) -> list[ReplicateDone]:
    """Run replicates ``(index, seed)`` of ``config`` and write each into ``folder``. Picklable; runs in a worker.

    Each replicate's files are written (atomically) as soon as it finishes, so an interrupted
    batch keeps what it finished.
    """
    out = []
    sha = config_hash(config)
    for i, seed in jobs:
        cpu = time.process_time()
        data, seconds = run_replicate(config, seed, progress)
        write_replicate(folder, config["name"], config["start"], sha, i, data)
        summary = replicate_summary(data.timeseries)
        out.append(ReplicateDone(i, summary, seconds, time.process_time() - cpu))
    return out


def ensemble_sha(config: dict[str, Any], parameters_sha256: str | None = None) -> str:
    """The key an ensemble is stored and reused under: its config's hash, or, for a posterior
    ensemble (``--parameters``), the hash of the config together with the posterior file's."""
    if parameters_sha256 is None:
        return config_hash(config)
    return config_hash({"config": config, "parameters_sha256": parameters_sha256})


def draw_config(config: dict[str, Any], values: Mapping[str, float]) -> dict[str, Any]:
    """``config`` with the parameter values of one posterior draw (the rest of ``parameters:`` kept)."""
    out = copy.deepcopy(config)
    out["parameters"] = {**out.get("parameters", {}), **{k: float(v) for k, v in values.items()}}
    return out


def _year_progress(done: int, total: int) -> None:
    sys.stderr.write(f"\rsimulated {done // 52}/{total // 52} years   ")
    if done >= total:
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


def worker_init(main_pid: int | None = None) -> None:
    """Start-up of a local worker process: Ctrl-C in the terminal is the main process's to handle,
    and the worker ends when the process that started the run dies (:func:`watch_process`).

    The main process then cancels pending replicates and waits for running ones, which finish and
    are kept. SIGTERM keeps its default: when Slurm signals every process of a job, workers stop
    at once (ignoring it would leave them behind once the fork server has gone).

    Args:
        main_pid: the run's process (default: this worker's parent).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    watch_process(main_pid)


WATCH_SECONDS = 0.5
"""How often a worker checks that the run that started it still runs."""


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (not Linux): kill(pid, 0) is all there is


def watch_process(
    pid: int | None = None, interval: float = WATCH_SECONDS, on_death: Callable[[], None] | None = None
) -> threading.Thread:
    """End this process (exit code 1) once process ``pid`` has died: a daemon thread polls it.

    A local pool's workers are children of multiprocessing's fork server, which lives on while
    they do, so they watch the run itself: when it dies, whatever killed it (``kill -9``
    included), they exit within ``interval`` seconds instead of finishing a replicate (minutes,
    for a large one) that nobody will collect; the fork server and the resource tracker then see
    their last users gone and exit too.

    Args:
        pid: the process to watch (default: this process's parent; an orphan's parent pid changes).
        interval: seconds between checks.
        on_death: what to do instead of exiting (for tests).
    """
    parent = os.getppid()

    def gone() -> bool:
        return not process_alive(pid) if pid is not None else os.getppid() != parent

    def watch() -> None:
        while not gone():
            time.sleep(interval)
        if on_death is not None:
            on_death()
        else:
            os._exit(1)

    thread = threading.Thread(target=watch, name="watch-run", daemon=True)
    thread.start()
    return thread


def run_tasks[R](
    fn: Callable[..., R],
    tasks: Mapping[int, tuple[object, ...]] | Iterable[tuple[int, tuple[object, ...]]],
    workers: int,
    executor: Executor | None,
    on_done: Callable[[int, R], None],
    in_flight: int | None = None,
) -> None:
    """Run ``fn(*args)`` for every task ``(key, args)``, calling ``on_done(key, result)`` as each finishes.

    In this process when there is no executor and one worker; otherwise on ``executor`` or a local
    process pool of ``workers``. Tasks are taken from ``tasks`` (a mapping, or any iterable, e.g. a
    generator) only as workers free up: at most ``in_flight`` (default 4 per worker) are submitted
    and not yet finished, so a huge ensemble holds a bounded number of futures. On any exception,
    Ctrl-C or SIGTERM, pending tasks are cancelled and a pool this function started is shut down
    (running tasks finish and keep their files) before the exception propagates; what finished
    was already handed to ``on_done``.
    """
    items = iter(tasks.items() if isinstance(tasks, Mapping) else tasks)
    if executor is None and workers <= 1:
        for key, args in items:
            on_done(key, fn(*args))
        return
    own = executor is None
    pool = executor or local_executor(workers)
    limit = max(1, in_flight if in_flight is not None else 4 * max(1, workers))
    pending: dict[Future[R], int] = {}
    stopping = False
    try:
        more = True
        while True:
            while more and len(pending) < limit:
                task = next(items, None)
                if task is None:
                    more = False
                    break
                pending[pool.submit(fn, *task[1])] = task[0]
            if not pending:
                break
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in sorted(done, key=lambda f: pending[f]):
                key = pending.pop(fut)
                on_done(key, fut.result())
    except BaseException:
        stopping = True
        raise
    finally:
        with quiet_dask() if stopping else nullcontext():
            for fut in pending:
                fut.cancel()
            if own:
                pool.shutdown(wait=True, cancel_futures=True)


def local_executor(workers: int) -> Executor:
    """A process pool of ``workers`` processes (forkserver: safe with threads; the model imported once)."""
    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    ctx = multiprocessing.get_context(method)
    if method == "forkserver":
        # workers fork from a server that imported the model and the storage layer once
        ctx.set_forkserver_preload(["scenarios.model", "scenarios.experiments.runner"])
    return ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=worker_init, initargs=(os.getpid(),))


@dataclass(frozen=True)
class Pool:
    """Where tasks run: an executor (None: this process or a local pool), what it is, and its real worker count."""

    executor: Executor | None
    label: str
    workers: int


@dataclass
class EnsembleResult:
    """A finished ensemble: its folder, manifest and per-replicate summaries."""

    path: Path | str
    manifest: dict[str, Any]
    per_replicate: dict[int, Summary]


def check_replicates(replicates: int) -> None:
    """Refuse a number of replicates outside [1, :data:`MAX_REPLICATES`] before anything is allocated.

    Raises:
        ResultsError: naming the number and what is allowed.
    """
    if isinstance(replicates, bool) or not isinstance(replicates, int) or not 1 <= replicates <= MAX_REPLICATES:
        raise ResultsError(
            f"replicates must be a whole number in [1, {MAX_REPLICATES:,}], got {replicates!r}; "
            "for more, run several ensembles with different --seed"
        )


def batches(todo: list[int], workers: int, external: bool) -> list[list[int]]:
    """Replicates grouped into tasks: one per task locally (a stop waits for at most one replicate);
    on an external executor (Dask) up to 4 per task, at least 4 tasks per worker, to spread the
    per-task scheduling cost."""
    size = 1 if not external else max(1, min(4, len(todo) // max(1, 4 * workers)))
    return [todo[k : k + size] for k in range(0, len(todo), size)]


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
    parameter_sets: Sequence[Mapping[str, float]] | None = None,
    parameters_record: Mapping[str, Any] | None = None,
) -> EnsembleResult:
    """Run ``replicates`` replicates of a validated scenario into the results folder ``out``.

    Args:
        scenario: validated scenario.
        out: final results folder, a local path or an fsspec URL (written as ``<out>.partial``
            until complete). Workers write there directly, so with an external executor it must be
            storage every worker can reach (a shared disk or an object store).
        replicates: number of replicates.
        seed: root seed (default: the scenario's ``seed``).
        workers: local worker processes when ``executor`` is not given (1 = in this process); with
            an executor, its real number of workers (recorded, and used to size tasks).
        executor: any ``concurrent.futures.Executor`` (e.g. a Dask client's executor).
        resume: finish an interrupted run in ``<out>.partial``, redoing only missing replicates.
        overrides: the ``--set`` overrides, recorded in the manifest.
        command: the command line, recorded in the manifest.
        progress: print a progress line on stderr.
        executor_label: recorded in the manifest.
        parameter_sets: a posterior ensemble: replicate i runs with the parameter values
            ``parameter_sets[i]`` (and seed i, so scenarios stay paired within each draw).
        parameters_record: what the parameter sets are (posterior file, its SHA-256, the rows
            drawn), recorded in the manifest under ``parameters``; its ``key`` (the posterior's
            SHA-256 and the seeds per draw) joins the key the ensemble is stored and reused under
            (:func:`ensemble_sha`).

    Raises:
        ResultsError: the folder exists, or cannot be resumed.
        Interrupted: on Ctrl-C or SIGTERM, after keeping every finished replicate (its ``folder``
            is the ``.partial`` folder to resume, or None when nothing had finished).
    """
    check_replicates(replicates)
    config = scenario_dict(scenario)
    root = int(scenario.seed if seed is None else seed)
    seeds = replicate_seeds(root, replicates)
    if parameter_sets is not None and len(parameter_sets) < replicates:
        raise ValueError(f"{len(parameter_sets)} parameter sets for {replicates} replicates")
    psha = None if parameter_sets is None else str((parameters_record or {}).get("key", ""))
    manifest: dict[str, Any] = {
        "scenario": config["name"],
        "config_sha256": ensemble_sha(config, psha),
        "root_seed": root,
        "replicates": replicates,
        "replicate_seeds": seeds,
        "overrides": list(overrides),
        "command": command or [],
        "versions": versions(),
        "git_revision": git_revision(),
        "executor": {"kind": executor_label, "workers": max(1, workers)},
        "layout": "hive",
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "timings": {},
        "cpu_seconds": {},
        "config": config,
    }
    if parameter_sets is not None:
        manifest["parameters"] = {
            **dict(parameters_record or {}),
            "replicate_values": [dict(parameter_sets[i]) for i in range(replicates)],
        }
    folder = ResultsFolder(out)
    done = folder.start(manifest, config_yaml(config), resume)
    todo = [i for i in range(replicates) if i not in done]
    bar = Progress(replicates, enabled=progress, done=len(done))
    t0 = time.perf_counter()

    per_rep: dict[int, Summary] = {}

    def finished(_: int, results: list[ReplicateDone]) -> None:
        for r in results:
            per_rep[r.replicate] = r.summary
            manifest["timings"][str(r.replicate)] = round(r.seconds, 4)
            manifest["cpu_seconds"][str(r.replicate)] = round(r.cpu_seconds, 4)
            bar.update()

    # a single long run in this process shows its years; an ensemble shows replicates
    year_bar = _year_progress if progress and replicates == 1 and executor is None and workers <= 1 else None
    target = str(folder.partial)
    tasks = (
        (k, (config, [(i, seeds[i]) for i in batch], target, year_bar))
        for k, batch in enumerate(batches(todo, workers, executor is not None))
    )
    if parameter_sets is not None:  # one task per replicate: each runs its own draw's config
        sets = parameter_sets
        tasks = ((i, (draw_config(config, sets[i]), [(i, seeds[i])], target, year_bar)) for i in todo)
    try:
        run_tasks(run_and_write, tasks, workers, executor, finished)
    except BaseException as err:
        write_json(join(folder.partial, "manifest.json"), manifest)  # keep timings of what finished
        kept = folder.done()
        if not kept:
            folder.discard()
        folder.release()
        if isinstance(err, KeyboardInterrupt):
            name = err.signal_name if isinstance(err, Interrupted) else "SIGINT"
            raise Interrupted(name, str(folder.partial) if kept else None, len(kept), replicates) from None
        raise
    unseen = sorted(set(range(replicates)) - folder.done())
    if unseen:  # workers wrote somewhere this process cannot see (their own disks)
        if len(unseen) == replicates:
            folder.discard()
        folder.release()
        raise ResultsError(
            f"{len(unseen)} replicate(s) reported done are not in {folder.partial} (e.g. {unseen[:3]}): the workers "
            "cannot write there. Give --out a shared disk or an object-store URL every worker can reach, then --resume"
        )
    for i in done:  # finished before a resume: read back
        per_rep[i] = replicate_summary(load_table(folder.partial, "timeseries", [i]))
    per_rep = dict(sorted(per_rep.items()))
    manifest["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    manifest["duration_seconds"] = round(time.perf_counter() - t0, 3)
    path = folder.finish(manifest, summary_csv(per_rep))
    return EnsembleResult(path, manifest, per_rep)


@contextmanager
def quiet_dask() -> Iterator[None]:
    """Silence Dask's own loggers while a cluster is closed (a clean stop is not a warning)."""
    loggers = [logging.getLogger(n) for n in ("distributed", "distributed.nanny", "distributed.worker", "tornado")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


@contextmanager
def executor_for(kind: str, workers: int, scheduler: str | None = None) -> Iterator[Pool]:
    """The executor a command asked for: ``local`` (in this process or a process pool) or ``dask``.

    With ``dask`` and a scheduler address, connect to that cluster (its real worker count is
    recorded); without one, start a local Dask cluster of ``workers`` single-threaded worker
    processes bound to 127.0.0.1. Closing the cluster is quiet, also after Ctrl-C or SIGTERM.
    """
    if kind == "local":
        yield Pool(None, "local", workers)
        return
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ResultsError("--executor dask needs the optional extra: pip install 'scenarios[distributed]'") from None
    cluster = None
    if scheduler:
        try:
            client = Client(scheduler, timeout="10s")
        except OSError as err:
            raise ResultsError(f"cannot reach the Dask scheduler at {scheduler}: {err}") from None
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            client.close()
            raise ResultsError(
                f"the Dask scheduler at {scheduler} has no workers (waited 60 s); start some with: dask worker {scheduler}"
            ) from None
        real = len(client.scheduler_info().get("workers", {}))
        label = f"dask {scheduler} ({real} workers)"
    else:
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
        client.run(worker_init)  # local workers share the terminal: Ctrl-C is the main process's to handle
        real = workers
        label = f"dask local cluster ({workers} workers)"
    try:
        yield Pool(client.get_executor(), label, max(1, real))
    finally:
        with quiet_dask():
            client.close()
            if cluster is not None:
                cluster.close()


def _manifests(results_root: str | Path, partial: bool) -> Iterator[tuple[Path, dict[str, Any]]]:
    root = Path(results_root)
    if not root.is_dir():
        return
    for f in sorted(root.glob("*/manifest.json")):
        if f.parent.name.endswith(".partial") != partial:
            continue
        try:
            yield f.parent, json.loads(f.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            continue


def _same_run(m: dict[str, Any], config_sha256: str, root_seed: int, replicates: int) -> bool:
    return (
        m.get("config_sha256") == config_sha256
        and m.get("root_seed") == root_seed
        and m.get("replicates") == replicates
    )


@dataclass(frozen=True)
class Stored:
    """A complete stored ensemble that matches a request, and whether its code revision differs."""

    path: Path
    manifest: dict[str, Any]
    other_revision: bool


def find_stored(
    results_root: str | Path,
    config_sha256: str,
    root_seed: int,
    replicates: int,
    version: tuple[str | None, str | None] | None = None,
) -> Path | None:
    """A complete results folder under ``results_root`` made from the same config, seed and replicates.

    With ``version`` (package version, git revision), only a folder made by the same package
    version qualifies; :func:`find_reusable` also says when the git revision differs.
    """
    found = find_reusable(results_root, config_sha256, root_seed, replicates, version)
    return found.path if found else None


def find_reusable(
    results_root: str | Path,
    config_sha256: str,
    root_seed: int,
    replicates: int,
    version: tuple[str | None, str | None] | None = None,
) -> Stored | None:
    """Like :func:`find_stored`, with the manifest; a folder from the same git revision is preferred."""
    candidates = []
    for path, m in _manifests(results_root, partial=False):
        if not (_same_run(m, config_sha256, root_seed, replicates) and "finished" in m):
            continue
        pkg, rev = code_version(m)
        if version is not None and pkg != version[0]:
            continue
        candidates.append(Stored(path, m, version is not None and rev != version[1]))
    candidates.sort(key=lambda s: s.other_revision)
    return candidates[0] if candidates else None


def find_partial(results_root: str | Path, config_sha256: str, root_seed: int, replicates: int) -> Path | None:
    """The final name of an interrupted ensemble (``<name>.partial``) of the same config, seed and size."""
    for path, m in _manifests(results_root, partial=True):
        if _same_run(m, config_sha256, root_seed, replicates):
            return path.with_name(path.name.removesuffix(".partial"))
    return None


@dataclass(frozen=True)
class Planned:
    """What to do for one scenario of a comparison: reuse a stored ensemble, resume one, or run one.

    Attributes:
        scenario: the validated scenario.
        action: ``reuse``, ``resume`` or ``run``.
        path: the stored folder, the folder to finish, or the new folder to run into.
        warning: set when a reused ensemble was made by another git revision.
    """

    scenario: Scenario
    action: str
    path: Path
    warning: str | None = None


def check_compare_locations(out: str | Path | None, results: str | Path) -> None:
    """Refuse, before anything runs, what a comparison cannot write: URLs (the ensembles and the
    report are local folders) and an ``out`` that already exists.

    Raises:
        ResultsError: naming the option and what is allowed.
    """
    for option, value in (("out", out), ("results", results)):
        if value is not None and is_url(value):
            raise ResultsError(f"{option} {value}: compare writes local folders (ensembles and the report), not URLs")
    if out is not None and Path(out).exists():
        raise ResultsError(f"{out} already exists; choose another out folder (nothing was run)")


def plan_ensembles(
    scenarios: Sequence[Scenario],
    results_root: str | Path,
    root_seed: int,
    replicates: int,
    resume: bool = False,
    parameters_sha256: str | None = None,
) -> list[Planned]:
    """One plan per scenario of a comparison, the same for the command line and the Python API.

    A stored ensemble is reused only when it was made from the same config, seed and size by the
    same package version; one from another git revision is reused with a warning naming both. An
    interrupted ensemble of the same config, seed and size is finished with ``resume`` and never
    silently started again beside its ``.partial``.

    With ``parameters_sha256`` (posterior ensembles: the record's ``key``), only ensembles of the same
    posterior file and seeds per draw qualify.

    Raises:
        ResultsError: an interrupted ensemble exists and ``resume`` is not set.
    """
    version = (__version__, git_revision())
    plans = []
    for sc in scenarios:
        sha = ensemble_sha(scenario_dict(sc), parameters_sha256)
        stored = find_reusable(results_root, sha, root_seed, replicates, version)
        if stored is not None:
            warning = (
                f"{sc.name}: reusing {stored.path}, made by git revision {stored.manifest.get('git_revision')} "
                f"(now {version[1]}); remove it to rerun with this code"
                if stored.other_revision
                else None
            )
            plans.append(Planned(sc, "reuse", stored.path, warning))
            continue
        partial = find_partial(results_root, sha, root_seed, replicates)
        if partial is not None:
            FolderLock(partial).check()  # being written right now: not an interrupted run
        if partial is not None and not resume:
            raise ResultsError(
                f"{partial}.partial holds an interrupted ensemble of {sc.name}; add --resume to finish it, or remove it"
            )
        plans.append(
            Planned(sc, "resume", partial) if partial else Planned(sc, "run", default_out(sc.name, results_root))
        )
    return plans
