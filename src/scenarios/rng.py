"""Seeding: named, independent random streams derived from one root seed.

Each process of the model (society, trafficking, militants, ...) draws from its own stream, keyed
by a stable name, so adding a lever or a new process never shifts the draws of unrelated parts of
the model. Replicate seeds come from ``SeedSequence(root).spawn(n)``, so
replicate i of every scenario uses the same seed (common random numbers).
"""

from __future__ import annotations

import zlib
from functools import lru_cache

import numpy as np


@lru_cache(maxsize=256)
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


WEEK_OFFSET = 1 << 16  # so burn-in weeks (negative) get their own keys
_MASK = 0xFFFFFFFFFFFFFFFF


def _splitmix64_int(x: int) -> int:
    """:func:`_splitmix64` of one Python integer: the same bits, without numpy's per-call overhead."""
    z = (x + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


_GOLDEN, _MIX1, _MIX2 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)
_S27, _S30, _S31, _S11 = np.uint64(27), np.uint64(30), np.uint64(31), np.uint64(11)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, vectorised: a bijective mix of 64-bit integers (Steele et al. 2014).

    In place on one copy, with the constants made once: the weekly draws call it a dozen times a
    week on small arrays, where numpy's per-call cost is most of the time.
    """
    z = x.astype(np.uint64, copy=True)
    z += _GOLDEN
    z ^= z >> _S30
    z *= _MIX1
    z ^= z >> _S27
    z *= _MIX2
    z ^= z >> _S31
    return z


class WeeklyStreams:
    """Random numbers keyed by (stage, week, entity), so paired runs stay in step.

    Common random numbers only help a comparison if a change of one lever does not shift the
    draws of unrelated agents or weeks. A single stream per process does: one extra draw in week 3
    moves every later draw. Here every stage of every week gets a fresh generator seeded from
    ``(root seed, stage, week, *entity keys)``, as epidemiological ABMs such as Starsim key draws
    to agents and time steps; a stage that consumes a different number of draws in one scenario
    cannot disturb any other stage, week or entity.

    For per-citizen draws, :meth:`uniforms` is counter-based: citizen ``i``'s uniform for a stage
    and week is a hash of (seed, stage, week, i), so it is the same whichever other citizens are
    drawn for, and costs nothing for the citizens not drawn.

    Args:
        seed: the run's seed.
    """

    def __init__(self, seed: int):
        # the seed's entropy as SeedSequence reads it (32-bit words, least significant first): the
        # same generators as from the integer, a quarter cheaper to seed every week
        seed = int(seed)
        np.random.SeedSequence(seed)  # refuses what it refuses (a negative seed); its entropy is the seed
        words = [(seed >> shift) & 0xFFFFFFFF for shift in range(0, max(seed.bit_length(), 1), 32)]
        self._entropy = np.array(words, dtype=np.uint32)
        self._key = _splitmix64_int(seed % 2**64)

    def generator(self, stage: str, week: int, *keys: int) -> np.random.Generator:
        """A generator for ``stage`` in ``week`` (and for the entity ``keys``), the same in every scenario."""
        spawn = (stream_key(stage), week + WEEK_OFFSET, *keys)
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(self._entropy, spawn_key=spawn)))

    def uniforms(self, stage: str, week: int, ids: np.ndarray) -> np.ndarray:
        """One uniform on [0, 1) per entity id, a pure function of (seed, stage, week, id)."""
        salt = _splitmix64_int((stream_key(stage) << 24 ^ (week + WEEK_OFFSET)) & _MASK)
        x = _splitmix64(np.asarray(ids, dtype=np.uint64) ^ np.uint64(self._key ^ salt))
        x >>= _S11
        return x.astype(np.float64) * (1.0 / 2**53)
