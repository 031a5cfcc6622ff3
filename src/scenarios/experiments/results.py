"""Results folders: streamed, atomic, self-describing.

Layout of a results folder::

    manifest.json            merged config + SHA-256, root and replicate seeds, versions, git
                             revision, command, start/end time, duration, per-replicate timings
    config.yaml              the merged, validated config (readable; what ran)
    timeseries/rep-00000.parquet   weekly national outcomes of replicate 0 (one file per replicate)
    regions/rep-00000.parquet      weekly outcomes per region
    segments/rep-00000.parquet     weekly outcomes per border segment
    severities/rep-00000.parquet   casualties of every attack
    summary.csv              per outcome: first-year, last-year and per-year mean, per replicate
                             and across replicates

Tables are Parquet (typed columns, compressed, one file per replicate so an ensemble streams to
disk and can be read back lazily with pyarrow); ``summary.csv`` is CSV for spreadsheets.

While a run is in progress everything goes to ``<folder>.partial``; each replicate's files are
written to a temporary name and renamed, so a replicate is either complete or absent. Only when
every replicate is there is ``<folder>.partial`` renamed to ``<folder>``: an interrupted or failed
run never leaves a half folder under the final name, and ``--resume`` picks up the partial one.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from scenarios.errors import ResultsError

TABLES = ("timeseries", "regions", "segments", "severities")
PARTIAL = ".partial"


def config_hash(config: dict[str, Any]) -> str:
    """SHA-256 of the merged config (canonical JSON, keys sorted)."""
    text = json.dumps(config, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def versions() -> dict[str, str]:
    """Versions of Python and the packages a run depends on."""
    out = {"python": platform.python_version()}
    for pkg in ("scenarios", "mesa", "numpy", "pydantic", "pyarrow", "networkx", "pyyaml"):
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


def _atomic_write_bytes(path: Path, data: bytes) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def write_json(path: Path, obj: Any) -> None:
    _atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=False, ensure_ascii=False) + "\n").encode("utf-8"))


def write_table(path: Path, columns: dict[str, np.ndarray]) -> None:
    """Write columns as a Parquet file, atomically (temporary name, then rename)."""
    table = pa.table({k: pa.array(np.asarray(v)) for k, v in columns.items()})
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp, compression="zstd")
    os.replace(tmp, path)


def read_table(path: Path) -> dict[str, np.ndarray]:
    table = pq.read_table(path)
    return {name: table.column(name).to_numpy() for name in table.column_names}


class ResultsFolder:
    """A results folder being written (``<path>.partial``) or complete (``<path>``)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.partial = self.path.with_name(self.path.name + PARTIAL)

    # ------------------------------------------------------------ writing
    def start(self, manifest: dict[str, Any], config_yaml: str, resume: bool) -> set[int]:
        """Create (or, with ``resume``, reopen) the partial folder; return replicates already done."""
        if self.path.exists():
            raise ResultsError(f"{self.path} already exists; choose another --out or remove it (nothing was written)")
        if self.partial.exists():
            if not resume:
                raise ResultsError(
                    f"{self.partial} holds an interrupted run; rerun with --resume to finish it, or remove it"
                )
            old = json.loads((self.partial / "manifest.json").read_text(encoding="utf-8"))
            if old.get("config_sha256") != manifest["config_sha256"] or old.get("root_seed") != manifest["root_seed"]:
                raise ResultsError(
                    f"cannot resume {self.partial}: its config hash or root seed differs from this run "
                    f"(stored {old.get('config_sha256', '?')[:12]}, seed {old.get('root_seed')}; "
                    f"now {manifest['config_sha256'][:12]}, seed {manifest['root_seed']})"
                )
            if old.get("replicates") != manifest["replicates"]:
                raise ResultsError(
                    f"cannot resume {self.partial}: it was started with {old.get('replicates')} replicates, not {manifest['replicates']}"
                )
            manifest["timings"] = old.get("timings", {})
            manifest["resumed"] = old.get("resumed", 0) + 1
            write_json(self.partial / "manifest.json", manifest)
            return self.done()
        if resume:
            raise ResultsError(f"nothing to resume: {self.partial} does not exist")
        self.partial.mkdir(parents=True)
        for t in TABLES:
            (self.partial / t).mkdir()
        write_json(self.partial / "manifest.json", manifest)
        _atomic_write_bytes(self.partial / "config.yaml", config_yaml.encode("utf-8"))
        return set()

    def done(self) -> set[int]:
        """Replicates whose files are all present in the partial folder."""
        have = [{int(p.stem.split("-")[1]) for p in (self.partial / t).glob("rep-*.parquet")} for t in TABLES]
        return set.intersection(*have) if have else set()

    def write_replicate(self, i: int, data: Any) -> None:
        """Write one replicate's tables (severities last: its presence marks the replicate done)."""
        name = f"rep-{i:05d}.parquet"
        for table, columns in (("timeseries", data.timeseries), ("regions", data.regions), ("segments", data.segments)):
            write_table(self.partial / table / name, {"replicate": np.full(len(columns["step"]), i), **columns})
        write_table(
            self.partial / "severities" / name,
            {"replicate": np.full(data.severities.size, i), "casualties": data.severities},
        )

    def finish(self, manifest: dict[str, Any], summary_csv: str) -> Path:
        """Write the summary and final manifest, then move the folder into place."""
        _atomic_write_bytes(self.partial / "summary.csv", summary_csv.encode("utf-8"))
        write_json(self.partial / "manifest.json", manifest)
        os.replace(self.partial, self.path)
        return self.path

    def discard(self) -> None:
        """Remove the partial folder (used when a run fails before any replicate finished)."""
        shutil.rmtree(self.partial, ignore_errors=True)


@contextmanager
def staged_folder(path: str | Path) -> Iterator[Path]:
    """The results-folder protocol for one-shot outputs (comparisons, check tables, reports).

    Yields ``<path>.partial`` to write into; when the block finishes it is renamed to ``path`` in
    one step, so ``path`` is either complete or absent. On an error the partial folder is removed
    if nothing was written in it, and kept otherwise (a later ``--resume`` or a look can use it).
    Refuses to overwrite an existing ``path``.
    """
    final = Path(path)
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


# ------------------------------------------------------------ reading


def load_manifest(path: str | Path) -> dict[str, Any]:
    folder = Path(path)
    f = folder / "manifest.json"
    if not f.is_file():
        hint = " (an interrupted run: finish it with --resume)" if folder.name.endswith(PARTIAL) else ""
        raise ResultsError(f"{folder} is not a results folder: manifest.json is missing{hint}")
    return json.loads(f.read_text(encoding="utf-8"))


def load_table(path: str | Path, table: str, replicates: list[int] | None = None) -> dict[str, np.ndarray]:
    """One table of a results folder, all replicates (or those given) concatenated."""
    folder = Path(path) / table
    files = sorted(folder.glob("rep-*.parquet"))
    if replicates is not None:
        wanted = {f"rep-{i:05d}.parquet" for i in replicates}
        files = [f for f in files if f.name in wanted]
    if not files:
        raise ResultsError(f"{folder} holds no replicate files")
    parts = [read_table(f) for f in files]
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def config_yaml(config: dict[str, Any]) -> str:
    header = "# The merged, validated scenario that ran (extends: resolved, defaults filled in).\n"
    return header + yaml.safe_dump(config, sort_keys=False, allow_unicode=True)
