"""Seeding (rng.py): named streams are stable and independent, weekly draws are keyed, not sequential."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from scenarios.rng import WEEK_OFFSET, WeeklyStreams, named_generator, replicate_seeds, stream_key


def test_stream_keys_are_crc32_of_the_name():
    # a fixed value: the key must not change between processes, platforms or Python's hash seed
    assert stream_key("society") == zlib.crc32(b"society") == 224682482
    assert stream_key("society") != stream_key("trafficking")


def test_a_named_generator_depends_on_seed_and_name_only():
    a = named_generator(42, "society").random(5)
    assert np.array_equal(a, named_generator(42, "society").random(5))
    assert np.array_equal(a, named_generator(np.random.SeedSequence(42), "society").random(5))
    assert not np.array_equal(a, named_generator(42, "militants").random(5))
    assert not np.array_equal(a, named_generator(43, "society").random(5))


def test_drawing_from_one_stream_leaves_another_untouched():
    quiet = named_generator(7, "militants").random(3)
    busy = named_generator(7, "society")
    busy.random(10_000)  # e.g. a lever that makes the society stage draw more
    assert np.array_equal(named_generator(7, "militants").random(3), quiet)


def test_replicate_seeds_are_distinct_64_bit_integers():
    seeds = replicate_seeds(20250320, 50)
    assert len(set(seeds)) == 50
    assert all(isinstance(s, int) and 0 <= s < 2**64 for s in seeds)
    assert replicate_seeds(20250320, 50) == seeds and replicate_seeds(20250321, 50) != seeds


def test_weekly_generators_are_keyed_by_stage_week_and_entity():
    w = WeeklyStreams(11)
    first = w.generator("attacks", 3).random(4)
    w.generator("attacks", 2).random(1_000)  # other weeks' draws do not move week 3
    assert np.array_equal(w.generator("attacks", 3).random(4), first)
    assert not np.array_equal(w.generator("attacks", 4).random(4), first)
    assert not np.array_equal(w.generator("attacks", 3, 1).random(4), first)
    assert not np.array_equal(w.generator("attacks", -3).random(4), first)  # burn-in weeks have their own
    assert np.array_equal(WeeklyStreams(11).generator("attacks", 3).random(4), first)


def test_weekly_uniforms_lie_in_the_unit_interval_and_look_uniform():
    u = WeeklyStreams(3).uniforms("society", 0, np.arange(100_000))
    assert u.dtype == np.float64 and u.min() >= 0.0 and u.max() < 1.0
    assert abs(u.mean() - 0.5) < 0.005  # sd of the mean: 0.29 / sqrt(1e5) ~ 0.001
    counts = np.histogram(u, bins=10, range=(0, 1))[0]
    assert counts.min() > 9_500 and counts.max() < 10_500


@pytest.mark.parametrize("seed", [0, 7, 2**32 + 3, 2**64 - 1])
def test_weekly_generators_are_the_seed_sequences_spawned_by_stage_week_and_keys(seed):
    w = WeeklyStreams(seed)
    for stage, week, keys in (("recruits", 5, (2,)), ("radicalisation", -52, ()), ("xinjiang", 400, (1, 2**40))):
        spawn = (stream_key(stage), week + WEEK_OFFSET, *keys)
        expected = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn)).random(4)
        assert np.array_equal(w.generator(stage, week, *keys).random(4), expected)


def test_weekly_generators_match_seed_sequences_on_random_seeds_and_keys():
    """The Python hashing of generator() against numpy's SeedSequence: seeds of 1 to 6 words, keys of 0 to
    2, each stream asked for in a random order of stages and weeks (its kept pools reused or not)."""
    rng = np.random.default_rng(11)
    for case in range(60):
        seed = int(rng.integers(0, 2**63)) >> int(rng.integers(0, 63))
        if case % 10 == 0:
            seed = seed << 100 | seed  # more than four 32-bit words of entropy
        elif case % 10 == 1:
            seed = seed << 40 | 1  # three words
        w = WeeklyStreams(seed)
        for _ in range(12):
            stage, week = f"stage-{rng.integers(0, 3)}", int(rng.integers(-2, 3))
            keys = tuple(int(rng.integers(0, 2**63)) >> int(rng.integers(0, 63)) for _ in range(rng.integers(0, 3)))
            if rng.random() < 0.2:
                keys = (*keys, 2**70 + int(rng.integers(0, 2**20)))  # a key of three words
            spawn = (stream_key(stage), week + WEEK_OFFSET, *keys)
            expected = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=spawn)).integers(0, 2**63, 3)
            assert np.array_equal(w.generator(stage, week, *keys).integers(0, 2**63, 3), expected), (seed, spawn)
    with pytest.raises(ValueError, match="non-negative"):
        WeeklyStreams(1).generator("stage", 0, -1)
    # numpy integers as week and keys, as SeedSequence takes them
    spawn = (stream_key("stage"), 3 + WEEK_OFFSET, 7)
    expected = np.random.default_rng(np.random.SeedSequence(5, spawn_key=spawn)).random(3)
    for week, key in ((np.int64(3), np.int64(7)), (np.int32(3), np.uint32(7)), (3, np.uint64(7))):
        assert np.array_equal(WeeklyStreams(5).generator("stage", week, key).random(3), expected)


def test_uniforms_of_several_stages_are_each_stages_own():
    w = WeeklyStreams(2**40 + 9)
    ids = np.array([0, 5, 2**40, 17], dtype=np.int64)
    stages = ("shipment-route", "shipment-border", "shipment-transit")
    rows = w.uniforms_for(stages, 12, ids)
    assert rows.shape == (3, 4)
    for row, stage in zip(rows, stages, strict=True):
        assert np.array_equal(row, w.uniforms(stage, 12, ids))
    assert len({tuple(r) for r in rows}) == 3  # the stages' draws differ
