"""Results folders: streamed, atomic, self-describing, readable by pandas, polars and DuckDB in one call.

Layout of a results folder (a hive-partitioned Parquet dataset per table)::

    manifest.json            merged config + SHA-256, root and replicate seeds, versions of every
                             package a run depends on, git revision, executor and real worker count,
                             first command and start time (kept across --resume), end time, timings
    config.yaml              the merged, validated config (readable; what ran)
    timeseries/scenario=<name>/replicate=<i>/part.parquet   weekly national outcomes of replicate i
    regions/scenario=<name>/replicate=<i>/part.parquet      weekly outcomes per region
    segments/scenario=<name>/replicate=<i>/part.parquet     weekly outcomes per border segment
    severities/scenario=<name>/replicate=<i>/part.parquet   casualties of every attack
    summary.csv              per outcome: first-year, last-year and per-year mean, per replicate
                             and across replicates

``pandas.read_parquet("<folder>/timeseries")`` (or ``polars.read_parquet(..., hive_partitioning=True)``,
or DuckDB's ``read_parquet('<folder>/timeseries/**/*.parquet', hive_partitioning=true)``) reads one
table of every replicate, with ``scenario`` and ``replicate`` columns from the folder names. Weekly
tables carry a ``date`` column (the first day of the simulated week, a calendar date) in place of
the model's fractional year. Each file's
metadata (key ``scenarios``) holds the scenario name, config hash, package version and the unit
of every column.

While a run is in progress everything goes to ``<folder>.partial``; every file is written to a
temporary name and renamed (by the worker process that ran the replicate), so a replicate is
either complete or absent. Only when every replicate is there is ``<folder>.partial`` renamed to
``<folder>``: an interrupted or failed run never leaves a half folder under the final name, and
``--resume`` picks up the partial one.

A folder may also live at an fsspec URL (``s3://bucket/run``, ``gcs://...``, ``memory://...``) for
clusters whose workers share no disk with the main process; the same protocol is then carried
out with the filesystem's own operations (a write to a temporary name, then a move).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from scenarios import __version__
from scenarios.errors import ResultsError
from scenarios.schedule import DATE_PATTERN
from scenarios.spec import outcomes

if TYPE_CHECKING:
    from fsspec import AbstractFileSystem

TABLES = ("timeseries", "regions", "segments", "severities")
PARTIAL = ".partial"
PART = "part.parquet"
PACKAGES = (
    "scenarios",
    "mesa",
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "pydantic",
    "matplotlib",
    "SALib",
    "dask",
    "distributed",
    "networkx",
    "pyyaml",
    "fsspec",
)
"""Packages whose versions every manifest records (``not installed`` for an absent optional one)."""

_REPLICATE_DIR = re.compile(r"replicate=(\d+)$")


class RunTables(Protocol):
    """What one run produced (the model's ``RunData``), as seen by storage."""

    timeseries: dict[str, np.ndarray]
    regions: dict[str, np.ndarray]
    segments: dict[str, np.ndarray]
    severities: np.ndarray


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of the merged config (canonical JSON, keys sorted)."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and of every package a run, its analysis or its executor depends on."""
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def git_revision() -> str | None:
    """The git revision of the source tree this package runs from, if it is a checkout."""
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=no"],
        cwd=here,
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return out.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


# ------------------------------------------------------------ storage: a local folder or an fsspec URL


def is_url(location: str | Path) -> bool:
    """Whether ``location`` is an fsspec URL (``s3://...``, ``memory://...``) rather than a local path."""
    return "://" in str(location)


class Storage:
    """Files under a local folder or an fsspec URL, with atomic writes (temporary name, then rename).

    Paths given to the methods are full locations (local paths or URLs of the same filesystem).
    """

    def __init__(self, location: str | Path):
        self.fs: AbstractFileSystem | None = None
        if is_url(location):
            try:
                from fsspec.core import url_to_fs
            except ImportError:
                raise ResultsError(
                    f"{location} is a URL: writing results to URLs needs fsspec (pip install fsspec, plus s3fs for s3://)"
                ) from None
            try:
                self.fs, _ = url_to_fs(str(location))
            except (ImportError, ValueError) as err:
                raise ResultsError(f"cannot open {location}: {err}") from None

    def strip(self, location: str | Path) -> str:
        """The path of ``location`` on this filesystem (a URL without its protocol)."""
        if self.fs is None:
            return str(location)
        from fsspec.core import url_to_fs

        return str(url_to_fs(str(location))[1])

    def exists(self, location: str | Path) -> bool:
        return Path(location).exists() if self.fs is None else self.fs.exists(self.strip(location))

    def makedirs(self, location: str | Path) -> None:
        if self.fs is None:
            Path(location).mkdir(parents=True, exist_ok=True)
        else:
            self.fs.makedirs(self.strip(location), exist_ok=True)

    def write_bytes(self, location: str | Path, data: bytes) -> None:
        """Write ``data`` so that ``location`` is either complete or absent."""
        if self.fs is None:
            path = Path(location)
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            return
        target = self.strip(location)
        parent = target.rsplit("/", 1)[0]
        self.fs.makedirs(parent, exist_ok=True)
        staging = target + ".tmp"
        self.fs.pipe_file(staging, data)
        self.fs.mv(staging, target)

    def read_bytes(self, location: str | Path) -> bytes:
        return Path(location).read_bytes() if self.fs is None else self.fs.cat_file(self.strip(location))

    def glob(self, location: str | Path, pattern: str) -> list[str]:
        """Locations matching ``pattern`` under ``location``, sorted (URLs keep their protocol)."""
        if self.fs is None:
            return sorted(str(p) for p in Path(location).glob(pattern))
        base = str(location).rstrip("/")
        root = self.strip(base)
        found = self.fs.glob(root + "/" + pattern)
        return sorted(base + "/" + str(f)[len(root) :].lstrip("/") for f in found)

    def move(self, src: str | Path, dst: str | Path) -> None:
        if self.fs is None:
            os.replace(src, dst)
        else:
            self.fs.mv(self.strip(src), self.strip(dst), recursive=True)

    def remove_tree(self, location: str | Path) -> None:
        if self.fs is None:
            shutil.rmtree(location, ignore_errors=True)
        elif self.fs.exists(self.strip(location)):
            self.fs.rm(self.strip(location), recursive=True)


def join(location: str | Path, *parts: str) -> str | Path:
    """``location/part/...`` for a local path (a Path) or a URL (a string)."""
    if is_url(location):
        return "/".join([str(location).rstrip("/"), *parts])
    return Path(location).joinpath(*parts)


def partial_of(location: str | Path) -> str | Path:
    """The ``.partial`` sibling of a results folder, while it is being written."""
    return str(location).rstrip("/") + PARTIAL if is_url(location) else Path(str(location) + PARTIAL)


# ------------------------------------------------------------ files


def write_json(path: str | Path, obj: Any) -> None:
    """Write ``obj`` as indented JSON, atomically."""
    data = (json.dumps(obj, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8")
    Storage(path).write_bytes(path, data)


def parquet_bytes(columns: Mapping[str, np.ndarray], meta: Mapping[str, Any] | None = None) -> bytes:
    """Columns as the bytes of a zstd-compressed Parquet file; ``meta`` goes to the schema metadata."""
    table = pa.table({k: pa.array(np.asarray(v)) for k, v in columns.items()})
    if meta is not None:
        table = table.replace_schema_metadata({"scenarios": json.dumps(meta, sort_keys=True)})
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd")
    data: bytes = sink.getvalue().to_pybytes()  # pyarrow ships no type information
    return data


def write_table(path: str | Path, columns: Mapping[str, np.ndarray], meta: Mapping[str, Any] | None = None) -> None:
    """Write columns as a Parquet file, atomically (temporary name, then rename)."""
    Storage(path).write_bytes(path, parquet_bytes(columns, meta))


def parquet_table(data: bytes) -> pa.Table:
    """The bytes of a Parquet file as an Arrow table, read in this thread.

    Arrow's own readers (``pq.read_table``, a file path) start its thread pools, and those can abort
    the interpreter at exit ("terminate called without an active exception", apache/arrow#34314):
    once in a CI run of the docs' calibration example. Our tables are small, so every table the
    package reads goes through here and starts no thread (schemas are read with ``pq.read_schema``,
    which starts none either).
    """
    return pq.ParquetFile(pa.BufferReader(data)).read(use_threads=False)


def read_table(path: str | Path) -> dict[str, np.ndarray]:
    """A Parquet file as column arrays (dates as ``datetime64[D]``)."""
    table = parquet_table(Storage(path).read_bytes(path))
    return {name: table.column(name).to_numpy() for name in table.column_names}


def week_dates(start: str, steps: np.ndarray) -> np.ndarray:
    """The first day of each weekly step: the scenario's start (a year or a month) plus 7 days a step."""
    m = DATE_PATTERN.match(start)
    if m is None:
        raise ResultsError(f"start {start!r} is not a year or a month")
    first = np.datetime64(dt.date(int(m.group(1)), int(m.group(2) or 1), 1), "D")
    return first + np.asarray(steps, dtype=np.int64) * np.timedelta64(7, "D")


def column_units(table: str) -> dict[str, str]:
    """The unit of every column a table can hold (outcomes from their declarations)."""
    declared = {"timeseries": outcomes.national, "regions": outcomes.regional, "segments": outcomes.per_segment}
    units = {"step": "week", "date": "date", "casualties": "people"}
    if table in declared:
        units.update({name: o.unit for name, o in declared[table]().items()})
    return units


def replicate_dir(folder: str | Path, table: str, scenario: str, i: int) -> str | Path:
    """Where replicate ``i`` of ``table`` lives: ``<table>/scenario=<name>/replicate=<i>/``."""
    return join(folder, table, f"scenario={quote(scenario, safe='')}", f"replicate={i}")


def write_replicate(folder: str | Path, scenario: str, start: str, config_sha256: str, i: int, data: RunTables) -> None:
    """Write one replicate's tables into ``folder`` (severities last: its presence marks it done).

    Runs in the worker process that simulated the replicate; every file is written atomically.
    The bytes depend only on the scenario, its config and the seed, never on where or when it ran.
    """
    store = Storage(folder)
    weekly = (("timeseries", data.timeseries), ("regions", data.regions), ("segments", data.segments))
    for table, columns in (*weekly, ("severities", {"casualties": data.severities})):
        cols = dict(columns)
        if "step" in cols:  # a calendar date instead of the model's fractional year
            cols.pop("year", None)
            cols = {"step": cols["step"], "date": week_dates(start, cols["step"]), **cols}
        units = column_units(table)
        meta = {
            "scenario": scenario,
            "config_sha256": config_sha256,
            "version": __version__,
            "table": table,
            "units": {c: units.get(c, "") for c in cols},
        }
        store.write_bytes(join(replicate_dir(folder, table, scenario, i), PART), parquet_bytes(cols, meta))


RESUME_KEYS = {
    "config_sha256": "config hash",
    "root_seed": "root seed",
    "replicates": "number of replicates",
    "design_sha256": "design",
}
"""What must be the same for a run to continue an interrupted one, and how to name it."""


def continue_manifest(manifest: dict[str, Any], old: dict[str, Any], partial: str | Path, keys: Sequence[str]) -> None:
    """Make ``manifest`` (of a run resuming ``partial``) continue ``old``, the interrupted run's.

    The first ``started`` and ``command`` and the timings of what finished are kept; this resume is
    listed under ``resumes`` (with its own time and command) and counted in ``resumed``.

    Raises:
        ResultsError: if one of ``keys`` differs (another config, seed, size or design).
    """
    for key in keys:
        if old.get(key) != manifest[key]:
            raise ResultsError(
                f"cannot resume {partial}: its {RESUME_KEYS[key]} differs from this run "
                f"(stored {str(old.get(key))[:12]}, now {str(manifest[key])[:12]})"
            )
    resumes = [*old.get("resumes", []), {"started": manifest["started"], "command": manifest.get("command", [])}]
    for carried in ("timings", "cpu_seconds"):
        if carried in manifest:
            manifest[carried] = old.get(carried, {})
    manifest["started"] = old.get("started", manifest["started"])
    manifest["command"] = old.get("command", manifest.get("command", []))
    manifest["resumes"] = resumes
    manifest["resumed"] = len(resumes)


class FolderLock:
    """``<folder>.lock``: which process writes a local results folder, so that a second one is refused.

    The lock file is created atomically (``O_EXCL``) and holds the writer's pid, host and start
    time. A lock whose process no longer runs on this host (killed, even by ``kill -9``) is stale
    and taken over; a lock of this same process is taken over too (an earlier call of the API
    that was interrupted). A lock from another host cannot be checked and is respected.
    Folders at URLs are not locked (their writers may be anywhere).
    """

    def __init__(self, folder: str | Path):
        self.folder = folder
        self.file: Path | None = None if is_url(folder) else Path(str(folder).rstrip("/") + ".lock")

    def holder(self) -> dict[str, Any] | None:
        """What the lock file says (pid, host, started, command), or None when there is none or it cannot be read."""
        if self.file is None:
            return None
        try:
            data = json.loads(self.file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return data if isinstance(data, dict) else None

    @staticmethod
    def alive(holder: dict[str, Any]) -> bool:
        """Whether the process that wrote ``holder`` may still run (always True for another host)."""
        pid = holder.get("pid")
        if holder.get("host") != socket.gethostname():
            return True
        if not isinstance(pid, int) or pid <= 0 or pid == os.getpid():
            return False
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def check(self) -> None:
        """Refuse a folder another live process holds, without taking it.

        Raises:
            ResultsError: naming the process (pid, host, start) that writes the folder.
        """
        holder = self.holder()
        if holder is not None and self.alive(holder):
            raise ResultsError(
                f"{self.folder} is in use by another process (pid {holder.get('pid')} on "
                f"{holder.get('host')}, since {holder.get('started')}): wait for it to finish or choose "
                f"another --out; if that process no longer runs, remove {self.file}"
            )

    def acquire(self, command: Sequence[str] = ()) -> None:
        """Take the lock.

        Raises:
            ResultsError: another live process holds it (named with its pid, host and start).
        """
        if self.file is None:
            return
        self.file.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(3):
            try:
                fd = os.open(self.file, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                self.check()
                self.file.unlink(missing_ok=True)  # stale: its process is gone
                continue
            info = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "command": list(command),
            }
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(info, fh)
            return
        raise ResultsError(f"cannot take the lock {self.file}: other processes keep creating it")

    def release(self) -> None:
        """Give the lock up (only a lock this process holds)."""
        if self.file is None:
            return
        holder = self.holder()
        if holder is not None and holder.get("pid") == os.getpid() and holder.get("host") == socket.gethostname():
            self.file.unlink(missing_ok=True)


class ResultsFolder:
    """A results folder being written (``<path>.partial``) or complete (``<path>``): local or a URL."""

    def __init__(self, path: str | Path):
        self.path: str | Path = str(path).rstrip("/") if is_url(path) else Path(path)
        self.partial = partial_of(self.path)
        self.store = Storage(self.path)
        self.lock = FolderLock(self.path)

    # ------------------------------------------------------------ writing
    def start(self, manifest: dict[str, Any], config_yaml: str, resume: bool) -> set[int]:
        """Create (or, with ``resume``, reopen) the partial folder; return replicates already done.

        On resume the first ``started`` and ``command`` are kept; each resume is listed under
        ``resumes`` with its own time and command. A local folder is locked (:class:`FolderLock`)
        until :meth:`finish`, :meth:`discard` or :meth:`release`.

        Raises:
            ResultsError: the folder exists, another process writes it, or it cannot be resumed.
        """
        self.lock.acquire(manifest.get("command", []))
        try:
            return self._start(manifest, config_yaml, resume)
        except BaseException:
            self.lock.release()
            raise

    def _start(self, manifest: dict[str, Any], config_yaml: str, resume: bool) -> set[int]:
        if self.store.exists(self.path):
            raise ResultsError(f"{self.path} already exists; choose another --out or remove it (nothing was written)")
        if self.store.exists(self.partial):
            if not resume:
                raise ResultsError(
                    f"{self.partial} holds an interrupted run; rerun with --resume to finish it, or remove it"
                )
            old = json.loads(self.store.read_bytes(join(self.partial, "manifest.json")))
            continue_manifest(manifest, old, self.partial, ("config_sha256", "root_seed", "replicates"))
            write_json(join(self.partial, "manifest.json"), manifest)
            return self.done()
        if resume:
            raise ResultsError(f"nothing to resume: {self.partial} does not exist")
        self.store.makedirs(self.partial)
        write_json(join(self.partial, "manifest.json"), manifest)
        self.store.write_bytes(join(self.partial, "config.yaml"), config_yaml.encode("utf-8"))
        return set()

    def done(self) -> set[int]:
        """Replicates whose files are all present in the partial folder."""
        have = [set(table_files(self.partial, t)) for t in TABLES]
        return set.intersection(*have)

    def finish(self, manifest: dict[str, Any], summary_csv: str) -> str | Path:
        """Write the summary and final manifest, remove stray temporary files, move the folder into place."""
        for tmp in self.store.glob(self.partial, "**/*.tmp"):
            self.store.remove_tree(tmp)
        self.store.write_bytes(join(self.partial, "summary.csv"), summary_csv.encode("utf-8"))
        write_json(join(self.partial, "manifest.json"), manifest)
        self.store.move(self.partial, self.path)
        self.lock.release()
        return self.path

    def discard(self) -> None:
        """Remove the partial folder (used when a run fails before any replicate finished)."""
        self.store.remove_tree(self.partial)
        self.lock.release()

    def release(self) -> None:
        """Give up the folder's lock, keeping the partial folder (a stopped run that ``--resume`` finishes)."""
        self.lock.release()


@contextmanager
def staged_folder(path: str | Path) -> Iterator[Path]:
    """The results-folder protocol for one-shot outputs (comparisons, check tables, reports).

    Yields ``<path>.partial`` to write into; when the block finishes it is renamed to ``path`` in
    one step, so ``path`` is either complete or absent. On an error the partial folder is removed
    if nothing was written in it, and kept otherwise (a later ``--resume`` or a look can use it).
    Refuses to overwrite an existing ``path``, and a ``path`` another process is writing
    (:class:`FolderLock`).
    """
    final = Path(path)
    lock = FolderLock(final)
    lock.acquire()
    try:
        if final.exists():
            raise ResultsError(f"{final} already exists; choose another --out")
        partial = final.with_name(final.name + PARTIAL)
        partial.mkdir(parents=True, exist_ok=True)
        try:
            yield partial
        except BaseException:
            if not any(partial.iterdir()):
                partial.rmdir()
            raise
        os.replace(partial, final)
    finally:
        lock.release()


# ------------------------------------------------------------ reading


def code_version(manifest: dict[str, Any]) -> tuple[str | None, str | None]:
    """(package version, git revision) a results folder was made with."""
    return manifest.get("versions", {}).get("scenarios"), manifest.get("git_revision")


def load_manifest(path: str | Path) -> dict[str, Any]:
    """The manifest of a results folder (local or a URL)."""
    store = Storage(path)
    f = join(path, "manifest.json")
    if not store.exists(f):
        hint = " (an interrupted run: finish it with --resume)" if str(path).rstrip("/").endswith(PARTIAL) else ""
        raise ResultsError(f"{path} is not a results folder: manifest.json is missing{hint}")
    try:
        manifest = json.loads(store.read_bytes(f))
    except ValueError as err:  # not JSON, or not UTF-8
        raise ResultsError(f"{f} is not a results manifest: it is not valid JSON ({err})") from None
    if not isinstance(manifest, dict):
        raise ResultsError(
            f"{f} is not a results manifest: a JSON object was expected, not a {type(manifest).__name__}"
        )
    return manifest


def table_files(path: str | Path, table: str, replicates: list[int] | None = None) -> dict[int, str]:
    """The file of each replicate of ``table`` in a results folder (either layout), by replicate.

    With ``replicates`` only those are looked up (one small glob each), so reading an ensemble
    replicate by replicate does not list the whole table every time.
    """
    store = Storage(path)
    base = join(path, table)
    if replicates is None:
        patterns = [f"scenario=*/replicate=*/{PART}", "rep-*.parquet"]
    else:
        patterns = [p for i in replicates for p in (f"scenario=*/replicate={i}/{PART}", f"rep-{i:05d}.parquet")]
    found: dict[int, str] = {}
    for pattern in patterns:
        for f in store.glob(base, pattern):
            if f.endswith(PART):
                m = _REPLICATE_DIR.search(f.rsplit("/", 2)[-2] if is_url(f) else str(Path(f).parent))
                if m:
                    found[int(m.group(1))] = f
            else:  # folders written before the hive layout
                found[int(Path(f).stem.split("-")[1])] = f
    return dict(sorted(found.items()))


def expected_replicates(path: str | Path) -> list[int] | None:
    """The replicates an ensemble folder's manifest promises (``None`` for other folders, or no manifest)."""
    store = Storage(path)
    f = join(path, "manifest.json")
    if not store.exists(f):
        return None
    try:
        manifest = json.loads(store.read_bytes(f))
    except (OSError, ValueError):
        return None
    n = manifest.get("replicates")
    if manifest.get("kind") not in (None, "ensemble") or not isinstance(n, int):
        return None
    return list(range(n))


def load_table(path: str | Path, table: str, replicates: list[int] | None = None) -> dict[str, np.ndarray]:
    """One table of a results folder, all replicates (or those given) concatenated, with a ``replicate`` column.

    Every replicate asked for (by default all those the manifest promises) must be there: a missing
    one is an error naming it, except in an interrupted run's ``.partial`` folder, where it is a
    warning naming what is missing (the others are read). A file that cannot be read is an error
    naming the file.

    Raises:
        ResultsError: a replicate is missing from a finished folder, or a file is damaged.
    """
    files = table_files(path, table, replicates)
    wanted = replicates if replicates is not None else expected_replicates(path)
    missing = sorted(set(wanted) - set(files)) if wanted is not None else []
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (f" and {len(missing) - 10} more" if len(missing) > 10 else "")
        where = replicate_dir(path, table, "<scenario>", missing[0])
        text = f"{join(path, table)} lacks replicate(s) {shown} of {len(wanted or [])} (e.g. no {where}/{PART})"
        if str(path).rstrip("/").endswith(PARTIAL) and files:
            warnings.warn(f"{text}: an interrupted run; reading the {len(files)} replicate(s) there", stacklevel=2)
        else:
            raise ResultsError(f"{text}: the folder is incomplete or damaged; rerun it into a new folder")
    if not files:
        raise ResultsError(f"{join(path, table)} holds no replicate files")
    parts = []
    for i, f in files.items():
        try:
            cols = read_table(f)
        except (pa.ArrowException, OSError) as err:
            raise ResultsError(
                f"{f} (replicate {i} of {table}) cannot be read: {str(err).splitlines()[0]}; the file is damaged "
                "(rerun the ensemble into a new folder)"
            ) from None
        n = len(next(iter(cols.values()))) if cols else 0
        parts.append({"replicate": np.full(n, i), **{k: v for k, v in cols.items() if k != "replicate"}})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def table_metadata(path: str | Path) -> dict[str, Any]:
    """The ``scenarios`` metadata of one Parquet file: scenario, config hash, version, table, units."""
    store = Storage(path)
    schema = pq.read_schema(path) if store.fs is None else pq.read_schema(store.strip(path), filesystem=store.fs)
    raw = (schema.metadata or {}).get(b"scenarios")
    return json.loads(raw) if raw else {}


def make_portable(comparison: Path) -> None:
    """Make a comparison folder's ``comparison.json`` refer to its ensembles relative to the folder.

    Then the comparison can be moved or archived together with its ensembles (the usual layout:
    both under one results folder) and ``scenarios report`` still finds them.
    """
    spec_file = comparison / "comparison.json"
    spec = json.loads(spec_file.read_text(encoding="utf-8"))
    spec["folders"] = [
        f if is_url(f) else os.path.relpath(Path(f).resolve(), comparison.resolve()) for f in spec["folders"]
    ]
    spec_file.write_text(json.dumps(spec, indent=2) + "\n", encoding="utf-8")


def ensembles_of(folder: str | Path) -> list[str | Path]:
    """The ensemble folders behind a results folder: itself, or those a comparison folder refers to.

    Raises:
        ResultsError: a comparison refers to an ensemble that is not there.
    """
    store = Storage(folder)
    spec_file = join(folder, "comparison.json")
    if not store.exists(spec_file):
        return [folder]
    spec = json.loads(store.read_bytes(spec_file))
    found = [f if is_url(f) or Path(f).is_absolute() else join(folder, *Path(f).parts) for f in spec["folders"]]
    missing = [str(f) for f in found if not Storage(f).exists(join(f, "manifest.json"))]
    if missing:
        raise ResultsError(
            f"{folder} refers to ensembles that are not there: {', '.join(missing)} "
            "(move or archive a comparison together with the ensembles it refers to)"
        )
    return found


def config_yaml(config: dict[str, Any]) -> str:
    """The ``config.yaml`` of a results folder: the merged config, with a header saying what it is."""
    header = "# The merged, validated scenario that ran (extends: resolved, defaults filled in).\n"
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
