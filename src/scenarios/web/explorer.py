"""The explorer's runs, off the classroom: one worker process with a queue, a per-client limit, progress.

A run takes seconds of CPU; in the server's own process it would hold up every class. Here the
server only validates the request and queues it; a separate process (started on the first run)
simulates, reports its progress after every simulated year, and returns the yearly series. Each
client (a browser, by its explorer cookie) may have one run queued or running, one address at most
``per_address`` runs, and the queue holds at most ``max_queue`` runs.

A run reproduces the scenario as written and changes only the lever values the user changed
(each held for the whole run); with no change the explored run *is* the scenario as written.
"""

from __future__ import annotations

import itertools
import json
import multiprocessing
import queue
import threading
from pathlib import Path
from typing import Any

from scenarios.spec import registry
from scenarios.spec.config import load_scenario, scenario_dict, validate_data
from scenarios.web.classroom import ClassroomError
from scenarios.web.classroom.simulate import run_years

EXPLORER_CITIZENS = 3000
KEEP_FINISHED = 100


def scenario_files(configs_dir: Path) -> dict[str, Path]:
    return {p.stem: p for p in sorted(configs_dir.glob("*.yaml"))}


def explorer_config(configs_dir: Path, scenario: str, levers: dict[str, dict[str, float]]) -> dict[str, Any]:
    """The scenario as written (with the explorer's population) and the changed lever values on top."""
    files = scenario_files(configs_dir)
    if scenario not in files:
        raise ClassroomError(f"unknown scenario {scenario!r}; allowed: {', '.join(files)}", 404)
    cfg = scenario_dict(load_scenario(files[scenario], [f"society.citizens={EXPLORER_CITIZENS}"]))
    playable = [s for s in registry.STATES if registry.levers_of(s)]
    for state, values in levers.items():
        if state not in playable:
            raise ClassroomError(f"unknown state {state!r}; allowed: {', '.join(playable)}")
        for name, value in values.items():
            cfg["states"][state].setdefault("levers", {})[name] = value
    validate_data(cfg)  # a bad value raises ConfigError -> 400 naming key and range
    return cfg


def _worker(jobs: Any, events: Any) -> None:
    """The worker process: run queued jobs one by one; the scenario as written is cached."""
    cache: dict[str, dict[str, Any]] = {}
    while True:
        job = jobs.get()
        if job is None:
            return
        job_id, base_cfg, cfg = job
        try:
            years = cfg["years"]
            key = json.dumps(base_cfg, sort_keys=True)
            same = json.dumps(cfg, sort_keys=True) == key
            runs = 1 if same or key in cache else 2
            done = [0]

            def progress(frac: float, done: list[int] = done, runs: int = runs, job_id: str = job_id) -> None:
                events.put(("progress", job_id, (done[0] + frac) / runs))

            if key not in cache:
                cache[key] = run_years(base_cfg, base_cfg["seed"], years, progress)
                done[0] += 1
                if len(cache) > 20:
                    cache.pop(next(iter(cache)))
            baseline = cache[key]
            explored = baseline if same else run_years(cfg, cfg["seed"], years, progress)
            start = int(cfg["start"][:4])
            result = {"years": [start + i for i in range(years)], "baseline": baseline, "explored": explored}
            events.put(("done", job_id, result))
        except Exception as exc:  # a failed run is reported to its page, never kills the worker
            events.put(("error", job_id, f"the run failed: {exc}"))


class Explorer:
    """The queue in front of the worker process (one per app)."""

    def __init__(self, configs_dir: Path, max_queue: int = 8, per_address: int = 3):
        self.configs_dir = Path(configs_dir)
        self.max_queue = max_queue
        self.per_address = per_address
        self._jobs: dict[str, dict[str, Any]] = {}
        self._order: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._process: Any = None
        self._queue: Any = None
        self._events: Any = None
        self._reader: threading.Thread | None = None

    def _start(self) -> None:
        mp = multiprocessing.get_context("spawn")
        self._queue, self._events = mp.Queue(), mp.Queue()
        self._process = mp.Process(target=_worker, args=(self._queue, self._events), daemon=True, name="explorer")
        self._process.start()
        self._reader = threading.Thread(target=self._read, daemon=True, name="explorer-events")
        self._reader.start()

    def _read(self) -> None:
        while True:
            try:
                kind, job_id, payload = self._events.get(timeout=1.0)
            except queue.Empty:
                if self._process is None or not self._process.is_alive():
                    return
                continue
            except (EOFError, OSError, ValueError):
                return
            with self._lock:
                job = self._jobs.get(job_id)
                if job is None:
                    continue
                if kind == "progress":
                    job.update(status="running", progress=payload)
                elif kind == "done":
                    job.update(status="done", progress=1.0, result=payload)
                else:
                    job.update(status="error", error=payload)

    def submit(self, client: tuple[str, str], scenario: str, levers: dict[str, dict[str, float]]) -> str:
        """Queue a run for ``client`` (address, browser id); 429 if it has one already (or its address
        has ``per_address``), 503 if the queue is full."""
        cfg = explorer_config(self.configs_dir, scenario, levers)
        base_cfg = explorer_config(self.configs_dir, scenario, {})
        with self._lock:
            active = [j for j in self._jobs.values() if j["status"] in ("queued", "running")]
            if any(j["client"] == client for j in active):
                raise ClassroomError("you already have a run in progress: wait for it to finish", 429)
            if sum(j["client"][0] == client[0] for j in active) >= self.per_address:
                raise ClassroomError(f"at most {self.per_address} runs from one address at a time: wait a little", 429)
            if len(active) >= self.max_queue:
                raise ClassroomError(f"the explorer is busy ({len(active)} runs queued): try again in a minute", 503)
            if self._process is None or not self._process.is_alive():
                self._start()
            job_id = f"j{next(self._ids)}"
            self._jobs[job_id] = {"status": "queued", "progress": 0.0, "client": client}
            self._order.append(job_id)
            while len(self._order) > KEEP_FINISHED:
                self._jobs.pop(self._order.pop(0), None)
            self._queue.put((job_id, base_cfg, cfg))
        return job_id

    def job(self, job_id: str, client: tuple[str, str]) -> dict[str, Any]:
        """A job's status, its place in the queue, its progress (0-1) and, when done, its result."""
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None or job["client"] != client:
                raise ClassroomError("no such run", 404)
            ahead = [
                j for j in self._order[: self._order.index(job_id)] if self._jobs[j]["status"] in ("queued", "running")
            ]
            out = {k: v for k, v in job.items() if k != "client"}
        return out | {"ahead": len(ahead)}

    def close(self) -> None:
        """Stop the worker (at most 5 s of grace)."""
        if self._process is None:
            return
        try:
            self._queue.put(None)
            self._process.join(timeout=5)
        finally:
            if self._process.is_alive():
                self._process.terminate()
                self._process.join(timeout=5)
            self._process = None
