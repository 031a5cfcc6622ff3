"""Posterior files: ``posterior.parquet`` (one row per particle: a column per parameter, ``weight``,
``distance``) with the calibration's manifest beside it, and the draws a posterior ensemble uses.

Replicate i of a posterior ensemble runs with draw i of :func:`draws`: the weighted particles
resampled into equally weighted draws by systematic resampling (deterministic, no random numbers),
so the same posterior and replicate count always give the same draws.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from numpy.typing import NDArray

from scenarios.errors import ScenarioError
from scenarios.experiments.results import parquet_table
from scenarios.spec import registry

POSTERIOR_FILE = "posterior.parquet"
SHIPPED = "calibrated"
"""The name ``--parameters`` takes for the posterior shipped with the package."""
RESERVED = ("weight", "distance")
"""Columns of ``posterior.parquet`` that are not parameters."""


@dataclass(frozen=True)
class Posterior:
    """Weighted particles of a calibration.

    Attributes:
        names: parameter names (columns of ``theta``).
        theta: particles, shape (n, len(names)).
        weights: normalised weights, shape (n,).
        distances: each particle's ABC distance (NaN when unknown).
        source: the file it was read from ('' when built in memory).
        sha256: SHA-256 of that file's bytes ('' when built in memory).
    """

    names: tuple[str, ...]
    theta: NDArray[np.float64]
    weights: NDArray[np.float64]
    distances: NDArray[np.float64]
    source: str = ""
    sha256: str = ""

    def mean(self) -> NDArray[np.float64]:
        """Weighted mean of each parameter."""
        return np.asarray(self.weights @ self.theta)

    def variance(self) -> NDArray[np.float64]:
        """Weighted variance of each parameter."""
        return np.asarray(self.weights @ (self.theta - self.mean()) ** 2)

    def quantile(self, q: float) -> NDArray[np.float64]:
        """Weighted quantile ``q`` of each parameter."""
        out = []
        for k in range(len(self.names)):
            order = np.argsort(self.theta[:, k], kind="stable")
            cdf = np.cumsum(self.weights[order])
            i = int(np.searchsorted(cdf, q * cdf[-1]))
            out.append(self.theta[order, k][min(i, cdf.size - 1)])
        return np.array(out)


def write_posterior(path: str | Path, post: Posterior, meta: dict[str, Any] | None = None) -> None:
    """Write ``post`` as Parquet (``meta`` stored as JSON in the file's metadata)."""
    cols: dict[str, Any] = {n: pa.array(post.theta[:, k], pa.float64()) for k, n in enumerate(post.names)}
    cols["weight"] = pa.array(post.weights, pa.float64())
    cols["distance"] = pa.array(post.distances, pa.float64())
    table = pa.table(cols).replace_schema_metadata({"scenarios": json.dumps(meta or {}, sort_keys=True)})
    tmp = Path(str(path) + ".tmp")
    pq.write_table(table, tmp)
    tmp.replace(path)


def read_posterior(path: str | Path) -> Posterior:
    """Read a posterior file (or a folder holding ``posterior.parquet``), checking it against the registry.

    Raises:
        ScenarioError: missing or unreadable file, no particles, unknown parameter columns, values
            outside a parameter's declared range, or weights that are negative or sum to zero.
    """
    p = Path(path)
    if p.is_dir():
        p = p / POSTERIOR_FILE
    if not p.is_file():
        raise ScenarioError(f"{p}: no posterior file (expected a calibration folder with {POSTERIOR_FILE})")
    data = p.read_bytes()
    try:
        table = parquet_table(data)
    except (pa.ArrowInvalid, OSError) as err:
        raise ScenarioError(f"{p}: not a Parquet posterior file ({err})") from None
    names = tuple(c for c in table.column_names if c not in RESERVED)
    if "weight" not in table.column_names or not names or table.num_rows == 0:
        raise ScenarioError(f"{p}: a posterior needs a 'weight' column, parameter columns and at least one row")
    params = registry.parameters()
    unknown = [n for n in names if n not in params]
    if unknown:
        raise ScenarioError(
            f"{p}: columns {unknown} are not parameters of parameters.yaml (allowed: parameter names, weight, distance)"
        )
    theta = np.column_stack([table.column(n).to_numpy().astype(float) for n in names])
    for k, n in enumerate(names):
        lo, hi = params[n].min, params[n].max
        bad = ~((theta[:, k] >= lo) & (theta[:, k] <= hi))
        if bad.any():
            raise ScenarioError(f"{p}: {n} = {theta[bad, k][0]:g} is outside its declared range [{lo:g}, {hi:g}]")
    w = table.column("weight").to_numpy().astype(float)
    if not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ScenarioError(f"{p}: weights must be finite, >= 0 and sum to more than 0")
    dist = (
        table.column("distance").to_numpy().astype(float)
        if "distance" in table.column_names
        else np.full(w.size, np.nan)
    )
    return Posterior(names, theta, w / w.sum(), dist, str(p), hashlib.sha256(data).hexdigest())


def posterior_meta(path: str | Path) -> dict[str, Any]:
    """The metadata stored in a posterior file (what made it)."""
    raw = pq.read_schema(path).metadata or {}
    return dict(json.loads(raw.get(b"scenarios", b"{}")))


def shipped_dir() -> Path:
    """The folder of the posterior shipped with the package (``scenarios/calibration/shipped``)."""
    return Path(str(resources.files("scenarios.calibration").joinpath("shipped")))


def resolve(ref: str | Path) -> Path:
    """The posterior file ``--parameters`` names: a calibration folder, a Parquet file, or ``calibrated``.

    Raises:
        ScenarioError: nothing there, with what is allowed.
    """
    if str(ref) == SHIPPED:
        f = shipped_dir() / POSTERIOR_FILE
        if not f.is_file():
            raise ScenarioError(
                "--parameters calibrated: no posterior is shipped with this installation; "
                "make one with: scenarios calibrate baseline --ship"
            )
        return f
    p = Path(ref)
    f = p / POSTERIOR_FILE if p.is_dir() else p
    if not f.is_file():
        raise ScenarioError(
            f"--parameters {ref}: not a calibration folder (with {POSTERIOR_FILE}) or a posterior file; "
            f"allowed: a folder written by scenarios calibrate, a .parquet file, or '{SHIPPED}'"
        )
    return f


def draws(post: Posterior, n: int, seeds_per_draw: int = 1) -> tuple[NDArray[np.float64], list[int], list[int]]:
    """Parameter values for ``n`` replicates: (theta (n, dim), particle row, draw index) per replicate.

    ``ceil(n / seeds_per_draw)`` equally weighted draws are made by systematic resampling
    (deterministic: draw d is the particle whose cumulative weight first reaches (d + 0.5) / D), and
    replicate i uses draw ``i // seeds_per_draw``; with 1 seed per draw, replicate i uses draw i.
    """
    if n < 1 or seeds_per_draw < 1:
        raise ValueError("n >= 1 and seeds_per_draw >= 1")
    n_draws = -(-n // seeds_per_draw)
    cdf = np.cumsum(post.weights)
    cdf[-1] = 1.0
    picked = np.minimum(np.searchsorted(cdf, (np.arange(n_draws) + 0.5) / n_draws, side="left"), post.weights.size - 1)
    draw = [i // seeds_per_draw for i in range(n)]
    rows = [int(picked[d]) for d in draw]
    return post.theta[rows], rows, draw


def parameter_sets(
    post: Posterior, n: int, seeds_per_draw: int = 1
) -> tuple[list[dict[str, float]], list[int], list[int]]:
    """The replicates' parameter values as mappings (``{name: value}``), with particle rows and draw indices."""
    theta, rows, draw = draws(post, n, seeds_per_draw)
    return [{name: float(v) for name, v in zip(post.names, row, strict=True)} for row in theta], rows, draw


def ensemble_parameters(
    ref: str | Path, replicates: int, seeds_per_draw: int = 1
) -> tuple[list[dict[str, float]], dict[str, Any]]:
    """What ``--parameters REF`` gives a posterior ensemble of ``replicates``: replicate i's parameter
    values (see :func:`draws`) and the record its manifest keeps (file, SHA-256, rows and draws).

    Raises:
        ScenarioError: ``ref`` names no readable posterior (see :func:`resolve`, :func:`read_posterior`).
    """
    path = resolve(ref)
    post = read_posterior(path)
    sets, rows, draw = parameter_sets(post, replicates, seeds_per_draw)
    record = {
        "source": str(ref),
        "file": str(path),
        "sha256": post.sha256,
        "key": f"{post.sha256}:{seeds_per_draw}",
        "names": list(post.names),
        "particles": int(post.weights.size),
        "seeds_per_draw": seeds_per_draw,
        "rows": rows,
        "draw_of_replicate": draw,
        "rule": "replicate i uses posterior draw i // seeds_per_draw (systematic resampling of the weighted "
        "particles) and seed i, the same in every scenario",
    }
    return sets, record
