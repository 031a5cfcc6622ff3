"""Seeding: named, independent random streams derived from one root seed.

Each process of the model (society, trafficking, militants, ...) draws from its own stream, keyed
by a stable name, so adding a lever or a new process never shifts the draws of unrelated parts of
the model (STYLE.md, "Randomness"). Replicate seeds come from ``SeedSequence(root).spawn(n)``, so
replicate i of every scenario uses the same seed (common random numbers).
"""

from __future__ import annotations

import zlib

import numpy as np


def stream_key(name: str) -> int:
    """A stable 32-bit key for a stream name (crc32: the same on every platform and process)."""
    return zlib.crc32(name.encode("utf-8"))


def named_generator(seed: int | np.random.SeedSequence, name: str) -> np.random.Generator:
    """The generator of stream ``name`` under ``seed``; the same pair always gives the same draws."""
    root = seed if isinstance(seed, np.random.SeedSequence) else np.random.SeedSequence(seed)
    child = np.random.SeedSequence(entropy=root.entropy, spawn_key=(*root.spawn_key, stream_key(name)))
    return np.random.default_rng(child)


def replicate_seeds(root_seed: int, n: int) -> list[int]:
    """Seeds for ``n`` replicates, derived from ``root_seed`` with ``SeedSequence.spawn``.

    Returned as plain integers so they can be recorded in a manifest and typed on a command line;
    replicate ``i`` is the same for every scenario run with the same root seed.
    """
    children = np.random.SeedSequence(root_seed).spawn(n)
    seeds = []
    for child in children:
        hi, lo = (int(x) for x in child.generate_state(2, dtype=np.uint32))
        seeds.append(hi << 32 | lo)
    return seeds
