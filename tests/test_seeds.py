"""The seed rules of ``forecast._seeds``, checked against numpy's own ``spawn`` and against
the formulas each stage used before the rules moved there (results stay bit-identical)."""

from __future__ import annotations

import zlib

import numpy as np
import pytest

from forecast import _seeds
from forecast.errors import ForecastTypeError, ParameterError

ROOTS = [
    np.random.SeedSequence(7),
    np.random.SeedSequence(11, spawn_key=(2, 5)),
    np.random.SeedSequence(13, pool_size=8),
    np.random.SeedSequence([1, 2, 3]),
]


def _state(ss: np.random.SeedSequence) -> list[int]:
    return ss.generate_state(8).tolist()


@pytest.mark.parametrize("root", ROOTS, ids=["int", "spawn_key", "pool8", "list"])
def test_child_equals_spawn_and_never_mutates(root):
    fresh = _seeds.rebuild(*_seeds.seed_parts(root))
    kids = fresh.spawn(4)
    for k in range(4):
        assert _state(_seeds.child(root, k)) == _state(kids[k])
    assert root.n_children_spawned == 0


@pytest.mark.parametrize("root", ROOTS, ids=["int", "spawn_key", "pool8", "list"])
def test_task_seeds_are_the_children_of_the_ith_child(root):
    fresh = _seeds.rebuild(*_seeds.seed_parts(root))
    unit = fresh.spawn(3)[2]
    a, b = unit.spawn(2)
    first, second = _seeds.task_seeds(root, 2)
    assert (_state(first), _state(second)) == (_state(a), _state(b))


@pytest.mark.parametrize("root", ROOTS, ids=["int", "spawn_key", "pool8", "list"])
def test_keyed_is_the_crc32_rule_with_the_default_pool_size(root):
    old = np.random.SeedSequence(entropy=root.entropy,
                                 spawn_key=tuple(root.spawn_key) + (zlib.crc32(b"a:b"),))
    assert _state(_seeds.keyed(root, "a:b")) == _state(old)
    assert _seeds.assumption_seed(root, "a:b").spawn_key == old.spawn_key
    assert _seeds.keyed(root, "a:b").pool_size == 4


def test_from_generator_draws_four_words():
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    ss = _seeds.from_generator(g1)
    words = [int(x) for x in g2.integers(0, 2**32, size=4)]
    assert _state(ss) == _state(np.random.SeedSequence(words))
    assert g1.random() == g2.random()  # the generator advanced by the same amount
    with pytest.raises(ForecastTypeError, match="Generator"):
        _seeds.from_generator(3)


def test_rebuild_round_trips_the_parts():
    for root in ROOTS:
        assert _state(_seeds.rebuild(*_seeds.seed_parts(root))) == _state(root)
    assert _state(_seeds.rebuild((1, 2, 3))) == _state(np.random.SeedSequence([1, 2, 3]))


def test_as_seed_sequence_follows_spec_7():
    assert _seeds.as_seed_sequence(5).entropy == 5
    ss = np.random.SeedSequence(1)
    assert _seeds.as_seed_sequence(ss) is ss
    g = np.random.default_rng(0)
    expected = int(np.random.default_rng(0).integers(0, 2**63 - 1))
    assert _seeds.as_seed_sequence(g).entropy == expected
    assert isinstance(_seeds.as_generator(None), np.random.Generator)
    assert _seeds.as_generator(g) is g
    with pytest.raises(ParameterError, match="seed=2025"):
        _seeds.as_seed_sequence(-1)
    with pytest.raises(ForecastTypeError, match="Generator"):
        _seeds.as_seed_sequence("1")
    assert _seeds.repeatable(_seeds.as_seed_sequence(3)) == 3
    assert _seeds.repeatable(np.random.SeedSequence(4)) == 4
    # a Generator seeds by one int it draws: that int repeats the run
    assert _seeds.repeatable(_seeds.as_seed_sequence(np.random.default_rng(0))) == expected


@pytest.mark.parametrize("root", ROOTS, ids=["int", "spawn_key", "pool8", "list"])
def test_a_recorded_seed_repeats_the_draws(root):
    """`repeatable`, `seed_json` and `seed_source` each give back a seed that draws what
    `root` draws: the int for a plain int's root, a rebuilt SeedSequence otherwise."""
    plain = root.spawn_key == () and root.pool_size == 4 and isinstance(root.entropy, int)
    kept = _seeds.repeatable(root)
    assert isinstance(kept, int) == plain
    assert _state(_seeds.as_seed_sequence(kept)) == _state(root)
    assert kept is not root  # a copy: spawning from it never moves the caller's counter
    record = _seeds.seed_json(root)
    assert isinstance(record, int if plain else dict)
    for text in (_seeds.seed_source(root), _seeds.seed_source(record),
                 _seeds.seed_source(root.entropy, root.spawn_key, root.pool_size)):
        assert text.startswith("numpy.random.SeedSequence(") != plain
        assert _state(_seeds.as_seed_sequence(eval(text, {"numpy": np}))) == _state(root)


def test_an_entropy_list_records_as_a_list():
    assert _seeds.seed_json((1, 2)) == [1, 2]
    assert _seeds.seed_source([1, 2]) == "numpy.random.SeedSequence([1, 2])"
    assert _seeds.seed_source(5) == "5"


@pytest.mark.parametrize("root", ROOTS, ids=["int", "spawn_key", "pool8", "list"])
def test_task_seeds_of_equals_task_seeds(root):
    parts = _seeds.seed_parts(root)
    for i in (0, 3):
        got = _seeds.task_seeds_of(*parts, i)
        want = _seeds.task_seeds(root, i)
        assert [_state(s) for s in got] == [_state(s) for s in want]
        assert [s.spawn_key for s in got] == [s.spawn_key for s in want]


def test_generator_streams_key_like_from_generator():
    g1, g2 = np.random.default_rng(3), np.random.default_rng(3)
    streams, ss = _seeds.generator_streams(g1), _seeds.from_generator(g2)
    assert _state(_seeds.keyed(streams, "size")) == _state(_seeds.keyed(ss, "size"))
    assert g1.random() == g2.random()
