"""Scenario effects under common random numbers, for sensitivity analysis (private).

An assumption draws each parameter from its own stream (keyed by the parameter name)
and everything else (does it happen, when do jumps occur) from further named streams,
all below the assumption's own seed. Sensitivity analysis replaces the parameter
distributions by *pinned* values (one per path) and keeps every other stream, so two
evaluations that differ in one parameter share the same baseline paths and the same
non-parameter draws, path by path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np

from ..errors import ScenarioError, SimulationError
from ..projection.chunks import live_cells
from ..scenarios import DiscreteUniform, Distribution, PathContext
from ..scenarios.scenario import assumption_effect

__all__: list[str] = []


def _pinned_sample(values: np.ndarray, n: int) -> np.ndarray:
    m = values.size
    if n == m:
        return values.copy()
    if m and n % m == 0:  # per path and year (Escalation's jump sizes): path-major order
        return np.repeat(values, n // m)
    raise SimulationError(
        f"a pinned parameter holds {m} values (one per path) but {n} draws were requested; "
        "sensitivity analysis supports parameters drawn per path or per path and year."
    )


@dataclass(frozen=True, eq=False)
class Pinned(Distribution):
    """Not a distribution: given values, one per path, returned by ``sample``."""

    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    kind: ClassVar[str] = ""

    def _sample(self, n, rng):
        return _pinned_sample(self.values, n)

    def mean(self) -> float:
        return float(np.mean(self.values))

    def quantile(self, q):
        arr = np.atleast_1d(np.asarray(q, dtype=float))
        out = np.quantile(self.values, arr)
        return float(out[0]) if np.ndim(q) == 0 else out


@dataclass(frozen=True, eq=False)
class PinnedYears(DiscreteUniform):
    """Pinned integer years (start/end parameters must be DiscreteUniform-like)."""

    values: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    kind: ClassVar[str] = ""  # never registered: not readable from scenario files

    def _sample(self, n, rng):
        return _pinned_sample(self.values, n)


def pin(dist: Distribution, values: np.ndarray) -> Distribution:
    """Pinned stand-in for `dist` holding `values` (ints for a DiscreteUniform)."""
    if isinstance(dist, DiscreteUniform):
        v = np.asarray(np.round(values), dtype=np.int64)
        return PinnedYears(int(v.min()), int(v.max()), values=v)
    return Pinned(values=np.asarray(values, dtype=float))


@dataclass(frozen=True)
class Parameter:
    """One uncertain parameter of a scenario: ``assumption.name`` + parameter name."""

    assumption: str
    name: str
    dist: Distribution

    @property
    def label(self) -> str:
        return f"{self.assumption}.{self.name}"


def scenario_parameters(scenario: Any) -> list[Parameter]:
    """Every uncertain parameter of every assumption, in the scenario's order."""
    out = []
    for a in scenario.assumptions:
        for pname, dist in a.parameters().items():
            out.append(Parameter(a.name, pname, dist))
    if not out:
        got = ("no assumption at all (the baseline)" if not scenario.assumptions
               else "only fixed values")
        raise ScenarioError(
            f"scenario {scenario.name!r} has no uncertain parameter; got {got}. Give some "
            "assumption parameters a Distribution, e.g. size=Uniform(-0.1, 0.0), or pick "
            "a scenario that has some, e.g. forecast.presets.get('escalation').",
            field="scenario")
    return out


class Evaluator:
    """Effects of one scenario's assumptions with chosen parameter values, under CRN.

    Parameters
    ----------
    scenario : Scenario
    params : list of Parameter
    years : ndarray (h,)
    center : ndarray (h,)
    last_year : int
    floor : float, default -inf
        The fit's ``floor_log``: a baseline cell at it is censored (the channel has
        vanished on the working scale), and every effect there is 0, as in ``project``.
    """

    def __init__(self, scenario, params, years, center, last_year,
                 floor: float = -np.inf) -> None:
        self._ctx_cls = PathContext
        self.assumptions = {a.name: a for a in scenario.assumptions}
        self.params = params
        self.years = np.asarray(years, dtype=np.int64)
        self.center = np.asarray(center, dtype=float)
        self.last_year = int(last_year)
        self.floor = float(floor)

    def context(self, base: np.ndarray):
        return self._ctx_cls(self.years, base, self.center, self.last_year)

    def effect(
        self,
        name: str,
        values: Mapping[str, object],
        ctx: Any,
        seed: np.random.SeedSequence,
    ) -> np.ndarray:
        """Effect ``(n, h)`` of assumption `name` with parameters set from `values`.

        `values` maps a parameter name (within the assumption) to a number (every path)
        or an array (one value per path). The effect is 0 on a censored baseline cell
        (:func:`~forecast.projection.chunks.only_live`), as ``project`` applies it.
        """
        a = self.assumptions[name]
        repl = {}
        for p in self.params:
            if p.assumption != name or p.name not in values:
                continue
            v = values[p.name]
            repl[p.name] = pin(p.dist, np.asarray(v)) if np.ndim(v) else v
        if repl:
            a = a.with_parameters(**repl)
        effect = np.asarray(assumption_effect(a, ctx, seed), dtype=float)
        live = live_cells(np.asarray(ctx.base, dtype=float), self.floor)
        return effect if live is None else np.where(live, effect, 0.0)

    def effects(
        self,
        values: Mapping[str, Mapping[str, object]],
        ctx: Any,
        seed: np.random.SeedSequence,
    ) -> dict[str, np.ndarray]:
        """Effects of every assumption; `values` maps assumption name -> parameter values."""
        return {nm: self.effect(nm, values.get(nm, {}), ctx, seed) for nm in self.assumptions}


def by_assumption(params: Sequence[Parameter], row: Sequence[object]) -> dict[str, dict]:
    """Split one value per parameter (number or per-path array) by assumption."""
    out: dict[str, dict[str, object]] = {}
    for p, v in zip(params, row, strict=True):
        out.setdefault(p.assumption, {})[p.name] = v
    return out
