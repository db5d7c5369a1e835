"""Bad inputs of the projection engine: arguments, executors, memory, runaway effects."""

from __future__ import annotations

import numpy as np
from cases import case

from forecast import GrowthShift, LevelShift, Scenario, project
from forecast.errors import (
    ForecastTypeError,
    ParameterError,
    ResourceError,
    ScenarioError,
    SimulationError,
)

BASE = Scenario("baseline")


def _run(w, **kw):
    args = {"to": 2030, "n_paths": 100, "seed": 1, "chunk_size": 25}
    args.update(kw)
    return project(w.fit, kw.pop("scenarios", BASE), **{k: v for k, v in args.items()
                                                          if k != "scenarios"})


@case("engine", "fit-not-fit", ForecastTypeError, "`fit`", "int")
def _(w, p, mp):
    project(42, BASE, to=2030)


@case("engine", "to-before-data", ParameterError, "`to`", "2020", "2024")
def _(w, p, mp):
    _run(w, to=2020)


@case("engine", "no-horizon", ParameterError, "`to`", "`horizon`", "to=None")
def _(w, p, mp):
    project(w.fit, BASE)


@case("engine", "horizon-zero", ParameterError, "`horizon`", "0")
def _(w, p, mp):
    project(w.fit, BASE, horizon=0)


@case("engine", "horizon-101", ParameterError, "`horizon`", "101")
def _(w, p, mp):
    project(w.fit, BASE, horizon=101)


@case("engine", "paths-zero", ParameterError, "`n_paths`", "0")
def _(w, p, mp):
    _run(w, n_paths=0)


@case("engine", "chunk-zero", ParameterError, "`chunk_size`", "0")
def _(w, p, mp):
    _run(w, chunk_size=0)


@case("engine", "seed-negative", ParameterError, "`seed`", "-1")
def _(w, p, mp):
    _run(w, seed=-1)


@case("engine", "seed-text", ForecastTypeError, "`seed`", "'x'")
def _(w, p, mp):
    _run(w, seed="x")


@case("engine", "executor-without-map", ForecastTypeError, "`executor`", "42")
def _(w, p, mp):
    _run(w, executor=42)


@case("engine", "progress-text", ForecastTypeError, "`progress`", "'yes'")
def _(w, p, mp):
    _run(w, progress="yes")


@case("engine", "duplicate-scenarios", ScenarioError, "unique", "'baseline'")
def _(w, p, mp):
    project(w.fit, [BASE, BASE], to=2030)


@case("engine", "no-scenarios", ScenarioError, "`scenarios`", "none")
def _(w, p, mp):
    project(w.fit, [], to=2030)


@case("engine", "scenarios-text", ForecastTypeError, "`scenarios`", "str")
def _(w, p, mp):
    project(w.fit, "baseline", to=2030)


@case("engine", "assumption-before-projection", ScenarioError, "'early'", "2020",
      "2025 or later")
def _(w, p, mp):
    project(w.fit, Scenario("s", (LevelShift(2020, -0.1, name="early"),)), to=2030)


@case("engine", "runaway-effect", SimulationError, "scenario 'runaway'", "'boom'",
      "log points")
def _(w, p, mp):
    project(w.fit, Scenario("runaway", (GrowthShift(2025, 1.0, name="boom"),)), to=2045,
            n_paths=20, seed=1)


class _Map:
    """An executor whose map is `fn(function, items) -> results` (a misbehaving one)."""

    def __init__(self, fn):
        self.fn = fn

    def map(self, function, items):
        return self.fn(function, list(items))


def _raise_in_chunk(function, items):
    yield function(items[0])
    raise RuntimeError("worker lost")


EXECUTORS = {
    "executor-raises-in-chunk": (_raise_in_chunk, ("chunk 1 of 4", "paths 25-49",
                                                   "RuntimeError", "worker lost")),
    "executor-map-raises": (lambda f, it: (_ for _ in ()).throw(ValueError("shut down")),
                            ("`executor.map`", "ValueError", "shut down")),
    "executor-drops-chunk": (lambda f, it: [f(i) for i in it[:-1]],
                             ("3 of 4", "never did", "chunk 3 of 4", "paths 75-99")),
    "executor-duplicates-chunk": (lambda f, it: [f(it[0]), f(it[0])] + [f(i) for i in it[1:]],
                                  ("chunk 0 of 4", "twice")),
    "executor-garbage": (lambda f, it: [1, 2, 3, 4], ("result 0", "chunk result", "int")),
    "executor-float32": (lambda f, it: [(i, lv.astype(np.float32), b) for i, lv, b in
                                        (f(j) for j in it)], ("chunk 0 of 4", "float64",
                                                              "float32")),
    "executor-wrong-index": (lambda f, it: [(i + 10, lv, b) for i, lv, b in (f(j) for j in it)],
                             ("result 0", "chunk index", "10")),
    "executor-not-iterable": (lambda f, it: 5, ("iterable", "int")),
    "executor-wrong-shape": (lambda f, it: [(i, lv[:, :3], b) for i, lv, b in
                                            (f(j) for j in it)], ("chunk 0 of 4", "shape")),
}
for _id, (_fn, _needles) in EXECUTORS.items():
    case("engine", _id, SimulationError, *_needles)(
        (lambda fn: lambda w, p, mp: _run(w, executor=_Map(fn)))(_fn))


@case("engine", "memory-guard-real", ResourceError, "1,000,000,000 paths", "GB",
      "n_paths <=")
def _(w, p, mp):
    _run(w, n_paths=1_000_000_000, chunk_size=10_000)


@case("engine", "memory-guard-small-machine", ResourceError, "200,000 paths", "available",
      "Pass n_paths <=")
def _(w, p, mp):
    mp.setattr("forecast._resources.available_memory", lambda: 20_000_000)
    _run(w, n_paths=200_000, chunk_size=10_000)
