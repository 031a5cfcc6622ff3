"""Seeding: named, independent random streams derived from one root seed.

Each process of the model (society, trafficking, militants, ...) draws from its own stream, keyed
by a stable name, so adding a lever or a new process never shifts the draws of unrelated parts of
the model. Replicate seeds come from ``SeedSequence(root).spawn(n)``, so
replicate i of every scenario uses the same seed (common random numbers).
"""

from __future__ import annotations

import operator
import zlib
from functools import lru_cache
from typing import Any

import numpy as np
from numpy.random.bit_generator import ISeedSequence


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


def _splitmix64(z: np.ndarray) -> np.ndarray:
    """The splitmix64 finaliser, vectorised, in place on ``z`` (uint64): a bijective mix of 64-bit
    integers (Steele et al. 2014). With the constants made once: the weekly draws call it a dozen
    times a week on small arrays, where numpy's per-call cost is most of the time."""
    z += _GOLDEN
    z ^= z >> _S30
    z *= _MIX1
    z ^= z >> _S27
    z *= _MIX2
    z ^= z >> _S31
    return z


# numpy's SeedSequence (numpy/random/bit_generator.pyx), in Python integers: its hashing constants
_M32 = 0xFFFFFFFF
_INIT_A, _MULT_A, _INIT_B, _MULT_B = 0x43B0D7E5, 0x931E8875, 0x8B51F9DD, 0x58F38DED
_MIX_L, _MIX_R = 0xCA01F9DD, 0x4973F715


def _powers(start: int, mult: int, n: int) -> tuple[int, ...]:
    out = [start]
    for _ in range(n):
        out.append(out[-1] * mult & _M32)
    return tuple(out)


_HASH_A = _powers(_INIT_A, _MULT_A, 1024)  # hashmix i xors with _HASH_A[i], multiplies by _HASH_A[i + 1]
_HASH_B = _powers(_INIT_B, _MULT_B, 8)


def _words(x: int) -> list[int]:
    """An integer as SeedSequence reads it: 32-bit words, least significant first (0: one word)."""
    if x < 0:
        raise ValueError(f"a seed sequence's entropy and keys are non-negative integers, not {x}")
    out = [x & _M32]
    x >>= 32
    while x:
        out.append(x & _M32)
        x >>= 32
    return out


Pool = tuple[tuple[int, int, int, int], int]
"""A SeedSequence's entropy pool part way through its words, and how many hashmixes it has made."""


def _start(entropy: list[int]) -> Pool:
    """The pool after the run entropy (padded to four words, as SeedSequence pads it before a spawn key)."""
    e = entropy + [0] * (4 - len(entropy))
    mixer = []
    for i in range(4):
        v = (e[i] ^ _HASH_A[i]) * _HASH_A[i + 1] & _M32
        mixer.append(v ^ v >> 16)
    i = 4
    for src in range(4):
        for dst in range(4):
            if src != dst:
                v = (mixer[src] ^ _HASH_A[i]) * _HASH_A[i + 1] & _M32
                r = (_MIX_L * mixer[dst] - _MIX_R * (v ^ v >> 16)) & _M32
                mixer[dst] = r ^ r >> 16
                i += 1
    pool: Pool = ((mixer[0], mixer[1], mixer[2], mixer[3]), i)
    return _absorb(pool, e[4:])  # words past the first four are mixed in as a spawn key's are


def _absorb(pool: Pool, words: list[int]) -> Pool:
    """The pool after ``words`` more entropy (each word hashed into each of the four pool words)."""
    (a, b, c, d), i = pool
    if i + 4 * len(words) >= len(_HASH_A):
        raise ValueError("a seed sequence of more than 250 words")
    h = _HASH_A
    for w in words:  # hashmix(w) mixed into a, b, c and d in turn, unrolled: called a dozen times a week
        v = (w ^ h[i]) * h[i + 1] & _M32
        z = (_MIX_L * a - _MIX_R * (v ^ v >> 16)) & _M32
        a = z ^ z >> 16
        v = (w ^ h[i + 1]) * h[i + 2] & _M32
        z = (_MIX_L * b - _MIX_R * (v ^ v >> 16)) & _M32
        b = z ^ z >> 16
        v = (w ^ h[i + 2]) * h[i + 3] & _M32
        z = (_MIX_L * c - _MIX_R * (v ^ v >> 16)) & _M32
        c = z ^ z >> 16
        v = (w ^ h[i + 3]) * h[i + 4] & _M32
        z = (_MIX_L * d - _MIX_R * (v ^ v >> 16)) & _M32
        d = z ^ z >> 16
        i += 4
    return (a, b, c, d), i


def _state(pool: Pool) -> np.ndarray:
    """``generate_state(4, np.uint64)``: the pool's words twice over, hashed, read in pairs as
    little-endian 64-bit words."""
    words = pool[0]
    out = [0] * 8
    for i in range(8):
        v = (words[i & 3] ^ _HASH_B[i]) * _HASH_B[i + 1] & _M32
        out[i] = v ^ v >> 16
    return np.array(
        [out[0] | out[1] << 32, out[2] | out[3] << 32, out[4] | out[5] << 32, out[6] | out[7] << 32], np.uint64
    )


class _Words(ISeedSequence):
    """A seed sequence whose state is already hashed (:func:`_state`), for PCG64 to read."""

    def __init__(self, state: np.ndarray):
        self._state = state

    def generate_state(self, n_words: int, dtype: Any = np.uint32) -> np.ndarray:
        if n_words != 4 or dtype is not np.uint64:
            raise ValueError("PCG64's seed only: 4 words of uint64")
        return self._state


def _unit(x: np.ndarray) -> np.ndarray:
    """Uniforms on [0, 1) from keyed ids (uint64, mixed in place): the top 53 bits of their splitmix64."""
    _splitmix64(x)
    x >>= _S11
    out: np.ndarray = np.multiply(x, 1.0 / 2**53)  # 53 bits: exact in a float64
    return out


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
        seed = int(seed)
        np.random.SeedSequence(seed)  # refuses what it refuses (a negative seed); its entropy is the seed
        self._seed = _start(_words(seed))
        self._stages: dict[str, Pool] = {}  # the pool after (seed, stage), per stage
        self._weeks: dict[str, tuple[int, Pool]] = {}  # per stage, its last week and the pool after it
        self._key = _splitmix64_int(seed % 2**64)

    def generator(self, stage: str, week: int, *keys: int) -> np.random.Generator:
        """A generator for ``stage`` in ``week`` (and for the entity ``keys``), the same in every scenario.

        It is ``Generator(PCG64(SeedSequence(seed, spawn_key=(stream_key(stage), week + WEEK_OFFSET,
        *keys))))`` to the last bit (tested), with the seed sequence's hashing done here in Python
        integers from the pools it leaves after the seed and the stage (kept per stage) and after the
        week (kept for the stage's last week, as each group's draws of a stage come in the same week):
        a dozen generators a week cost half as much. Unlike a SeedSequence's, its generator cannot
        ``spawn`` (nothing here does), and keys are limited to about 250 32-bit words in all.
        """
        week = operator.index(week)  # numpy integers too, as SeedSequence takes them
        last = self._weeks.get(stage)
        if last is not None and last[0] == week:
            pool = last[1]
        else:
            base = self._stages.get(stage)
            if base is None:
                base = self._stages[stage] = _absorb(self._seed, _words(stream_key(stage)))
            pool = _absorb(base, _words(week + WEEK_OFFSET))
            self._weeks[stage] = (week, pool)
        for key in keys:
            pool = _absorb(pool, _words(operator.index(key)))
        # a BitGenerator takes any ISeedSequence (numpy's documented interface; its stubs list SeedSequence only)
        return np.random.Generator(np.random.PCG64(_Words(_state(pool))))  # type: ignore[arg-type]

    def uniforms(self, stage: str, week: int, ids: np.ndarray) -> np.ndarray:
        """One uniform on [0, 1) per entity id, a pure function of (seed, stage, week, id)."""
        x = np.array(ids, dtype=np.uint64)  # a copy, mixed in place
        x ^= np.uint64(self._stage_key(stage, week))
        return _unit(x)

    def uniforms_for(self, stages: tuple[str, ...], week: int, ids: np.ndarray) -> np.ndarray:
        """:meth:`uniforms` of several stages for the same ids, one row per stage, mixed in one pass."""
        keys = np.array([self._stage_key(stage, week) for stage in stages], dtype=np.uint64)
        return _unit(np.bitwise_xor(np.asarray(ids, dtype=np.uint64)[None, :], keys[:, None]))

    def _stage_key(self, stage: str, week: int) -> int:
        """What the ids of ``stage`` in ``week`` are xor-ed with before they are mixed."""
        return self._key ^ _splitmix64_int((stream_key(stage) << 24 ^ (week + WEEK_OFFSET)) & _MASK)
