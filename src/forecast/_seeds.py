"""Every seed the library derives, by one set of rules (SPEC 7 inputs, children, streams).

A run's `seed` (int, Generator, SeedSequence or None) becomes one root
:class:`numpy.random.SeedSequence` (:func:`as_seed_sequence`); every other seed is
derived from it here, by one of three rules:

- **By position**, :func:`child`: the ``k``-th child is ``SeedSequence(entropy,
  spawn_key + (k,), pool_size)``, what ``copy(ss).spawn(k + 1)[k]`` returns. It is built
  directly instead of calling ``spawn`` because ``spawn`` advances a counter on the
  parent: building children directly never mutates a caller's SeedSequence, and a
  Projection can rebuild chunk ``i``'s seeds long after the run (``decompose``).
  :func:`task_seeds` gives the two seeds of unit of work ``i``: a projection chunk
  (baseline simulation, scenario effects) or a backtest origin (fit, simulation).
  :func:`children` gives the first ``n`` children at once, the seeds of the sensitivity
  tools (:func:`forecast.tornado`, :func:`forecast.sobol`): what ``ss.spawn(n)`` returns
  for a fresh SeedSequence (every int seed), without advancing a SeedSequence passed in,
  so the same call twice gives the same result.
- **By name**, :func:`keyed`: ``SeedSequence(entropy, spawn_key + (crc32(key),))``. An
  assumption's draws come from the stream of its ``key`` below the effects seed
  (:func:`assumption_seed`), and each of its parameters from the stream of the parameter's
  name below the assumption's own seed, so draws depend neither on the order nor on the
  company of assumptions and parameters (common random numbers). Unlike :func:`child`,
  the name rule does not carry ``pool_size`` (the default, 4, is used): that is how the
  draws were first defined, and changing it would change every scenario's draws for a
  seed given as a SeedSequence with another pool size.
- **From a Generator**, :func:`from_generator`: an assumption called with a Generator
  (``Assumption.effect(ctx, rng)``) seeds its streams from four 32-bit words drawn from it.

No function here calls ``ss.spawn``, which advances the counter of `ss`: a caller's
SeedSequence must not be advanced (SPEC 7).

Keep every derived seed here: results must stay bit-identical for a given seed, and
``tests/test_seeds.py`` checks each rule against numpy's own ``spawn``.

The models stage (:mod:`forecast.models`) still builds its member seeds itself
(``models/linear.py``: ``SeedSequence(entropy, spawn_key + (i,))``, i.e. :func:`child`
without ``pool_size``; ``models/auto.py``: a fresh copy of the root for every member).
"""

from __future__ import annotations

import functools
import numbers
import zlib
from typing import TypeAlias

import numpy as np

from .errors import ForecastTypeError, ParameterError

__all__ = [
    "SeedLike",
    "as_generator",
    "as_seed_sequence",
    "assumption_seed",
    "child",
    "children",
    "from_generator",
    "generator_streams",
    "keyed",
    "rebuild",
    "repeatable",
    "run_seed_source",
    "seed_json",
    "seed_parts",
    "seed_source",
    "task_seeds",
    "task_seeds_of",
]

#: What every public ``seed`` argument accepts (SPEC 7), for annotations: an int >= 0
#: (numpy's ints too), a Generator (one integer is drawn from it), a SeedSequence (used,
#: never advanced) or None (fresh entropy). :func:`as_seed_sequence` checks the value.
SeedLike: TypeAlias = int | np.integer | np.random.Generator | np.random.SeedSequence | None


def as_seed_sequence(seed: object, name: str = "seed") -> np.random.SeedSequence:
    """Normalise a SPEC 7 seed (int, Generator, SeedSequence or None) to a SeedSequence.

    A SeedSequence is returned as is. A Generator is consumed: one integer drawn from
    it, uniform in [0, 2**63 - 1) (63 bits), becomes the entropy, so the caller's
    generator advances exactly as if it had produced one integer.

    Examples
    --------
    >>> as_seed_sequence(7).entropy
    7
    """
    if seed is None:
        return np.random.SeedSequence()
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return np.random.SeedSequence(int(seed.integers(0, 2**63 - 1)))
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise ForecastTypeError(
            f"`{name}` must be an int >= 0, a numpy Generator, a SeedSequence or None; "
            f"got {seed!r} ({type(seed).__name__}). Pass e.g. seed=2025."
        )
    if int(seed) < 0:
        raise ParameterError(f"`{name}` must be an int >= 0; got {seed}. Pass e.g. seed=2025.")
    return np.random.SeedSequence(int(seed))


def as_generator(seed: object, name: str = "seed") -> np.random.Generator:
    """Normalise a SPEC 7 seed to a Generator (a Generator is returned as is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(as_seed_sequence(seed, name))


def seed_parts(ss: np.random.SeedSequence) -> tuple[object, tuple[int, ...], int]:
    """``(entropy, spawn_key, pool_size)``: what :func:`rebuild` needs, small and picklable."""
    return ss.entropy, tuple(ss.spawn_key), int(ss.pool_size)


def rebuild(entropy: object, spawn_key: tuple[int, ...] = (),
            pool_size: int = 4) -> np.random.SeedSequence:
    """The SeedSequence with these parts (a run's root, from what a result recorded).

    A list or tuple entropy (a seed that was itself an array) is passed on as a list.
    """
    if isinstance(entropy, list | tuple):
        entropy = list(entropy)
    return np.random.SeedSequence(entropy=entropy, spawn_key=tuple(spawn_key),
                                  pool_size=int(pool_size))


def repeatable(ss: np.random.SeedSequence) -> int | np.random.SeedSequence:
    """What to record so that ``seed=<it>`` draws again what `ss` draws.

    The int entropy for the root SeedSequence of an int (every int seed, and fresh
    entropy); otherwise (an array entropy, a spawned child, another pool size) a fresh
    copy of `ss`, because its entropy alone would seed other draws.

    Examples
    --------
    >>> repeatable(np.random.SeedSequence(7))
    7
    >>> repeatable(np.random.SeedSequence(7).spawn(2)[1]).spawn_key
    (1,)
    """
    if isinstance(ss.entropy, numbers.Integral) and not ss.spawn_key and ss.pool_size == 4:
        return int(ss.entropy)
    return rebuild(*seed_parts(ss))


def seed_json(seed: object) -> int | list | dict:
    """A recorded seed (int, entropy list or SeedSequence) as JSON: an int, a list, or
    ``{"entropy", "spawn_key", "pool_size"}`` for a SeedSequence that is not a plain int's."""
    if isinstance(seed, np.random.SeedSequence):
        seed = repeatable(seed)
        if isinstance(seed, np.random.SeedSequence):
            entropy, key, pool = seed_parts(seed)
            return {"entropy": _entropy_json(entropy), "spawn_key": list(key),
                    "pool_size": pool}
    return _entropy_json(seed)


def _entropy_json(entropy: object) -> int | list:
    if isinstance(entropy, numbers.Integral):
        return int(entropy)
    return [int(x) for x in entropy]  # type: ignore[union-attr]


def seed_source(seed: object, spawn_key=(), pool_size: int = 4) -> str:
    """Python source for a `seed` argument that repeats a recorded seed.

    `seed` is what a result recorded: an int, an entropy list or tuple (with `spawn_key`
    and `pool_size` beside it, as a Projection's settings hold them), a SeedSequence, or
    :func:`seed_json`'s mapping. The source is the int itself where that repeats the
    draws, else a ``numpy.random.SeedSequence(...)`` call (the code must import numpy).

    Examples
    --------
    >>> seed_source(2025)
    '2025'
    >>> seed_source([1, 2])
    'numpy.random.SeedSequence([1, 2])'
    >>> seed_source(5, spawn_key=[0, 3])
    'numpy.random.SeedSequence(5, spawn_key=(0, 3))'
    """
    if isinstance(seed, dict):
        seed, spawn_key, pool_size = (seed.get("entropy"), seed.get("spawn_key", ()),
                                      seed.get("pool_size", 4))
    if not isinstance(seed, np.random.SeedSequence):
        seed = rebuild(_entropy_json(seed), tuple(int(k) for k in spawn_key), int(pool_size))
    plain = repeatable(seed)
    if not isinstance(plain, np.random.SeedSequence):
        return str(plain)
    entropy, key, pool = seed_parts(plain)
    args = [repr(_entropy_json(entropy))]
    if key:
        args.append(f"spawn_key={key!r}")
    if pool != 4:
        args.append(f"pool_size={pool}")
    return f"numpy.random.SeedSequence({', '.join(args)})"


def run_seed_source(result: object) -> str:
    """:func:`seed_source` of a result's root seed (``.seed`` with the ``spawn_key`` and
    ``pool_size`` of its ``.settings``), for messages that say how to re-run it."""
    settings = getattr(result, "settings", None) or {}
    return seed_source(getattr(result, "seed", None), tuple(settings.get("spawn_key", ())),
                       int(settings.get("pool_size", 4)))


def child(ss: np.random.SeedSequence, k: int) -> np.random.SeedSequence:
    """The ``k``-th child of `ss`, equal to ``copy(ss).spawn(k + 1)[k]``; `ss` is untouched.

    Examples
    --------
    >>> ss = np.random.SeedSequence(5)
    >>> child(ss, 1).spawn_key == ss.spawn(2)[1].spawn_key
    True
    """
    return np.random.SeedSequence(
        entropy=ss.entropy, spawn_key=(*ss.spawn_key, int(k)), pool_size=ss.pool_size
    )


def children(ss: np.random.SeedSequence, n: int) -> list[np.random.SeedSequence]:
    """The first `n` children of `ss` (:func:`child` ``0 .. n-1``); `ss` is untouched.

    Equal to ``copy(ss).spawn(n)``, hence to ``ss.spawn(n)`` for a SeedSequence that has
    spawned no children yet (every int seed).

    Examples
    --------
    >>> ss = np.random.SeedSequence(5)
    >>> [c.spawn_key for c in children(ss, 2)], ss.n_children_spawned
    ([(0,), (1,)], 0)
    """
    return [child(ss, k) for k in range(int(n))]


def task_seeds(
    root: np.random.SeedSequence, i: int
) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """The two seeds of unit of work `i`: children 0 and 1 of ``child(root, i)``.

    A projection chunk uses them for (baseline simulation, scenario effects), a backtest
    origin for (fit, simulation).
    """
    return task_seeds_of(root.entropy, tuple(root.spawn_key), root.pool_size, i)


def task_seeds_of(entropy: object, spawn_key: tuple[int, ...], pool_size: int, i: int
                  ) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """:func:`task_seeds` of the root with these parts (:func:`rebuild`'s arguments).

    The seeds are built from the parts directly: a projection chunk used to rebuild its
    root and then ``child(root, i)``, two SeedSequences (each hashing its entropy into a
    pool) only to read back the entropy, spawn key and pool size they were given.
    """
    if isinstance(entropy, list | tuple):
        entropy = list(entropy)
    key = (*spawn_key, int(i))
    return (np.random.SeedSequence(entropy=entropy, spawn_key=(*key, 0), pool_size=pool_size),
            np.random.SeedSequence(entropy=entropy, spawn_key=(*key, 1), pool_size=pool_size))


def origin_seeds(
    root: np.random.SeedSequence, label: object
) -> tuple[np.random.SeedSequence, np.random.SeedSequence]:
    """The (fit, simulation) seeds of a backtest origin: children 0 and 1 of the stream
    keyed by the origin's label (``keyed(root, f"origin {label}")``).

    Keyed by the origin itself, not by its place in the list, so an origin draws the same
    numbers whichever other origins run beside it (a model whose longer minimum length
    drops the first origins leaves every later origin's draws as they were).
    """
    unit = keyed(root, f"origin {label}")
    return child(unit, 0), child(unit, 1)


def keyed(ss: np.random.SeedSequence | Streams, key: str) -> np.random.SeedSequence:
    """The stream named `key` below `ss`: spawn key ``+ (crc32(key),)``, default pool size."""
    return np.random.SeedSequence(entropy=ss.entropy, spawn_key=(*ss.spawn_key, _crc32(key)))


@functools.lru_cache(maxsize=1024)
def _crc32(key: str) -> int:
    """``crc32`` of a stream's name, remembered: a projection keys the same few names
    (parameter names, assumption keys) in every chunk."""
    return zlib.crc32(key.encode())


def assumption_seed(seed: np.random.SeedSequence, key: str) -> np.random.SeedSequence:
    """The seed of an assumption's draws (its ``key``, ``"<kind>:<name>"``) below `seed`."""
    return keyed(seed, key)


def from_generator(rng: np.random.Generator) -> np.random.SeedSequence:
    """A SeedSequence from four 32-bit words drawn from `rng` (which advances).

    The words are drawn as int64 (as they always were) and given to numpy as a uint32
    array: the same entropy words, hence the same state, as the list of ints, but numpy
    converts a list element by element, twice the cost of the SeedSequence and of every
    stream keyed below it (a projection builds dozens per chunk).
    """
    return np.random.SeedSequence(generator_streams(rng).entropy)


class Streams:
    """What :func:`keyed` reads of a SeedSequence (``entropy`` and ``spawn_key``), alone.

    :func:`generator_streams` returns it where the SeedSequence :func:`from_generator`
    would build is only ever keyed: building it hashes the words into a pool that no
    stream uses (an assumption's effect in every chunk). ``keyed(generator_streams(rng),
    key)`` equals ``keyed(from_generator(rng), key)``, seed and state.
    """

    __slots__ = ("entropy", "spawn_key")

    def __init__(self, entropy: np.ndarray) -> None:
        self.entropy = entropy
        self.spawn_key: tuple[int, ...] = ()


def generator_streams(rng: np.random.Generator) -> Streams:
    """The streams below four 32-bit words drawn from `rng` (which advances), for
    :func:`keyed`: the entropy of :func:`from_generator`'s SeedSequence, without it."""
    if not isinstance(rng, np.random.Generator):
        raise ForecastTypeError(f"`rng` must be a numpy Generator; got {type(rng).__name__}. "
                                "Pass np.random.default_rng(seed).")
    return Streams(rng.integers(0, 2**32, size=4).astype(np.uint32))
