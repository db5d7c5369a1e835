"""Small test doubles for the engine tests: a drift Fit and additive scenarios.

They follow the contract of ``forecast.models.Fit`` and ``forecast.scenarios.Scenario``
exactly (simulate / point_forecast / effects with per-assumption seeds), so the engine's
results with them can be checked by hand, independently of the real models.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from forecast.series import AnnualSeries


@dataclass(frozen=True)
class FakeFit:
    """Random walk with drift on the log level: log y_t = log y_T + drift * k + sigma * W_k."""

    series: AnnualSeries
    drift: float = 0.08
    sigma: float = 0.1
    name: str = "FakeDrift"

    @property
    def last_year(self) -> int:
        return self.series.last_year

    @property
    def unit(self) -> str:
        return self.series.unit

    def simulate(self, h, n_paths, seed=None, innovations=None):
        if innovations is None:
            innovations = np.random.default_rng(seed).standard_normal((n_paths, h))
        start = np.log(self.series.values[-1])
        return start + np.cumsum(self.drift + self.sigma * innovations, axis=1)

    def point_forecast(self, h):
        return np.log(self.series.values[-1]) + self.drift * np.arange(1, h + 1)


def _years_since(ctx, start):
    return np.clip(ctx.years - start + 1, 0, None)


@dataclass(frozen=True)
class Shift:
    """Level shift from `start`, size ~ Normal(size, sd) per path."""

    name: str
    size: float
    start: int
    sd: float = 0.0

    @property
    def first_start(self) -> int:
        return self.start

    @property
    def key(self) -> str:
        return f"Shift({self.name!r},{self.size!r},{self.start},{self.sd!r})"

    def effect(self, ctx, rng):
        n = ctx.base.shape[0]
        amp = self.size + self.sd * rng.standard_normal(n)
        return amp[:, None] * (ctx.years >= self.start)[None, :]


@dataclass(frozen=True)
class Growth:
    """Growth shift of `rate` per year from `start` (cumulative on the log level)."""

    name: str
    rate: float
    start: int

    @property
    def first_start(self) -> int:
        return self.start

    @property
    def key(self) -> str:
        return f"Growth({self.name!r},{self.rate!r},{self.start})"

    def effect(self, ctx, rng):
        n = ctx.base.shape[0]
        return np.broadcast_to(self.rate * _years_since(ctx, self.start), (n, ctx.years.size))


@dataclass(frozen=True)
class Vol:
    """Scales the baseline's deviation from the point forecast (depends on ctx.base)."""

    name: str
    scale: float
    start: int

    @property
    def first_start(self) -> int:
        return self.start

    @property
    def key(self) -> str:
        return f"Vol({self.name!r},{self.scale!r},{self.start})"

    def effect(self, ctx, rng):
        on = (ctx.years >= self.start)[None, :]
        return (self.scale - 1.0) * (ctx.base - ctx.center[None, :]) * on


@dataclass(frozen=True)
class FakeScenario:
    name: str
    assumptions: tuple = ()
    description: str = ""

    def effects(self, ctx, seed):
        out = {}
        for a in self.assumptions:
            ss = np.random.SeedSequence(
                entropy=seed.entropy,
                spawn_key=(*seed.spawn_key, zlib.crc32(a.key.encode())),
            )
            out[a.name] = a.effect(ctx, np.random.default_rng(ss))
        return out


@dataclass(frozen=True)
class FakeSet:
    scenarios: tuple
    probabilities: tuple | None = None


def history(n: int = 10, last: int = 2025) -> AnnualSeries:
    years = np.arange(last - n + 1, last + 1)
    return AnnualSeries(years, 10.0 * 1.1 ** np.arange(n), name="test")


def scenarios(first: int = 2026) -> tuple:
    """baseline, two one-assumption scenarios and a combined three-assumption one."""
    friction = Shift("friction", -0.2, first + 1, sd=0.05)
    opening = Growth("opening", 0.03, first + 2)
    vol = Vol("volatility", 1.5, first)
    return (
        FakeScenario("baseline"),
        FakeScenario("friction", (friction,)),
        FakeScenario("opening", (opening,)),
        FakeScenario("mixed", (friction, opening, vol)),
    )


def toy_projection(seed: int, n_paths: int, *, shifts=(0.0,), names=("baseline",),
                   history_name: str | None = "US offshore_execution"):
    """A small Projection built from random-walk log paths, 2026-2028, without a fit.

    One scenario per entry of `shifts` (its log offset from the baseline's paths, named
    by `names`); the history is two years, 2024-2025. For tests of what a Projection
    does with its samples (exports, summaries, messages), not of how they are made.
    """
    from forecast.projection import Projection

    rng = np.random.default_rng(seed)
    base = np.log(31.6) + np.cumsum(rng.normal(0.03, 0.1, (n_paths, 3)), axis=1)
    history = AnnualSeries([2024, 2025], [31.6, 32.0],
                           **({} if history_name is None else {"name": history_name}))
    return Projection(
        years=np.arange(2026, 2029), scenario_names=tuple(names),
        samples=np.exp(np.stack([base + s for s in shifts])), base_log=base,
        center=base.mean(axis=0), history=history, seed=seed, model="Drift",
        settings={"n_paths": n_paths, "chunk_size": n_paths})
