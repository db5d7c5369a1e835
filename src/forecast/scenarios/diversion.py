"""Diversion: an assumption on one source market whose loss partly moves to other markets.

Trade friction with the United States need not be a loss to China's total: some of the
work the US channel loses can move to other clients. :class:`Diversion` wraps any
assumption (its *source*, e.g. ``trade_friction("severe")``) with the market it acts on
and a diversion *rate*, uncertain like any other parameter. In a multi-market projection
(:func:`forecast.markets.project_markets`), per path and year:

- the source's log effect ``e`` acts on `market`'s level ``B``; the market's gap that
  belongs to this assumption is ``g`` (the secant share of its gap, as in
  ``Projection.decompose``);
- a fraction ``rate`` of the loss ``max(-g, 0)`` moves to the markets named in `to`
  (``ROW`` is the rest of the world), or to all other markets when `to` is empty, in
  proportion to their size in that scenario;
- the rest, ``(1 - rate) max(-g, 0)``, is lost from China's total. Gains are not diverted.

In a single-market projection (:func:`forecast.project`) a Diversion is its source: the
market loses the same, wherever the diverted work goes. A Diversion draws its source
from the source's own seed (its ``key`` is the source's), so a scenario with and without
diversion share the same friction draws (common random numbers) and differ only by the
diversion.

Examples
--------
>>> from forecast.scenarios import Beta, LevelShift, PathContext
>>> d = Diversion(LevelShift(2027, -0.1, name="levy"), rate=Beta(2, 2), to=("EU", "ROW"))
>>> d.name, d.market, d.to, d.key
('levy', 'US', ('EU', 'ROW'), 'level_shift:levy')
>>> ctx = PathContext.flat([2026, 2027], n_paths=3)
>>> effect, rate = d.split(ctx, np.random.SeedSequence(0))
>>> effect.shape, rate.shape, bool(((rate >= 0) & (rate <= 1)).all())
((3, 2), (3,), True)
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._keywords import checked_init, checked_keywords
from .._seeds import keyed
from ..errors import ForecastTypeError, ParameterError
from .assumption import Assumption, Bound, PathContext, register
from .distributions import Distribution, Fixed

__all__ = ["RATE_KEY", "Diversion", "on_market"]

_CODE = re.compile(r"^[A-Z]{2,6}$")
#: Name of the rate's random stream below the assumption's seed.
RATE_KEY = "diversion_rate"


def _code(field_: str, value: object, fix: str) -> str:
    if not isinstance(value, str) or not _CODE.match(value):
        upper = value.strip().upper() if isinstance(value, str) else ""
        hint = f" Did you mean {upper!r}?" if _CODE.match(upper) else ""
        raise ParameterError(f"`{field_}` must be a market code of 2-6 capital letters (e.g. "
                             f"'US', 'EU', 'ROW'); got {value!r}.{hint} {fix}", field=field_)
    return value


@checked_init
@register
@dataclass(frozen=True)
class Diversion(Assumption):
    """An assumption acting on one market's level, of whose loss a fraction is diverted.

    Parameters
    ----------
    source : Assumption
        The effect on `market`'s log level (any primitive, Group or preset).
    rate : float or Distribution
        Fraction in [0, 1] of the market's loss that moves to other markets (per path);
        required (a forgotten rate once meant none). 0 makes the Diversion a plain
        assumption on `market` (see :func:`on_market`).
    market : str, default "US"
        The market the source acts on: a named market, ``"ROW"``, or ``"ALL"`` (every
        market in proportion; nothing to divert, so `rate` must be 0).
    to : tuple of str or str, default ()
        Receiving markets (``"EU,ROW"`` also works); empty: all other markets. A code that
        is not a market of the projection is part of the rest of the world and counts
        as ``ROW``.
    name : str, optional
        Default the source's name (decompositions list the assumption under it).
    """

    source: Assumption
    rate: float | Distribution | None = None
    market: str = "US"
    to: tuple[str, ...] = ()
    name: str = field(default="", kw_only=True)
    kind: ClassVar[str] = "diversion"
    year_fields: ClassVar[tuple[str, ...]] = ()
    bounds: ClassVar[dict] = {
        "rate": Bound(0.0, 1.0, "Pass a fraction in [0, 1], e.g. 0.5 or Beta(2, 2)."),
    }
    # the source carries its own gate (a class constant where the others have a field)
    probability: ClassVar[Fixed] = Fixed(1.0)  # type: ignore[misc]

    if TYPE_CHECKING:
        # what the constructor accepts (__post_init__ makes `to` a tuple); the dataclass
        # writes the real __init__
        def __init__(self, source: Assumption, rate: float | Distribution | None = None,
                     market: str = "US", to: str | Iterable[str] = (), *,
                     name: str = "") -> None: ...

    def __post_init__(self) -> None:
        if not isinstance(self.source, Assumption) or isinstance(self.source, Diversion):
            cls = ParameterError if isinstance(self.source, Assumption) else ForecastTypeError
            raise cls(f"`source` must be an Assumption other than a Diversion; got "
                      f"{self.source!r}. Pass e.g. trade_friction('severe').", field="source")
        if self.rate is None:  # a required argument, with its own advice
            raise ParameterError(
                "`rate` is required: the fraction of the source's loss on "
                f"{self.market!r} that moves to other markets; got none. Pass e.g. "
                "rate=0.5 or rate=Beta(2, 3), or rate=0 for none (on_market(source, "
                "market) says the same).", field="rate")
        if self.name == "":
            object.__setattr__(self, "name", self.source.name)
        market = self.market if self.market == "ALL" else _code(
            "market", self.market, "Pass the market the source acts on.")
        to = self.to
        if isinstance(to, str):
            to = tuple(t.strip() for t in to.split(",") if t.strip())
        to = tuple(_code("to", t, "Pass receiving market codes.") for t in to)
        if "ALL" in to:  # the total is no receiver: it would silently count as ROW
            raise ParameterError(f"`to` must list receiving markets, not 'ALL' (China's total, "
                                 f"which the diverted work stays in); got {list(to)!r}. Leave "
                                 "`to` empty to divert to every other market.", field="to")
        if market in to or len(set(to)) != len(to):
            raise ParameterError(f"`to` must list distinct markets other than {market!r}; got "
                                 f"{list(to)!r}. Drop {market!r} and any repeats.", field="to")
        object.__setattr__(self, "market", market)
        object.__setattr__(self, "to", to)
        super().__post_init__()
        if market == "ALL" and self.rate != Fixed(0.0):
            raise ParameterError("`rate` must be 0 for market 'ALL': China's total has no "
                                 f"other market to divert to; got {self.rate!r}. Target one "
                                 "market.", field="rate")

    # the source's seed: with and without diversion, the same draws of the source
    @property
    def key(self) -> str:
        return self.source.key

    @property
    def first_start(self) -> int:
        return self.source.first_start

    def parameters(self) -> dict[str, Distribution]:
        """``rate`` (when uncertain) and the source's parameters as ``source.<name>``."""
        out = {} if self.rate.is_fixed else {"rate": self.rate}
        out.update({f"source.{k}": v for k, v in self.source.parameters().items()})
        return out

    def with_parameters(self, **values: object) -> Diversion:
        """Replace ``rate`` and/or source parameters (``source.<name>=...``)."""
        src = {k[len("source."):]: v for k, v in values.items() if k.startswith("source.")}
        own = {k: v for k, v in values.items() if not k.startswith("source.")}
        bad = [k for k in own if k != "rate"]
        if bad:
            raise ParameterError(f"Diversion {self.name!r} has no parameter {bad[0]!r}; use "
                                 "'rate' or 'source.<parameter>', e.g. 'source.drift.delta'.",
                                 field=bad[0])
        source = self.source.with_parameters(**src) if src else self.source
        return dataclasses.replace(self, source=source, **own)

    def to_dict(self) -> dict[str, Any]:
        rate = self.rate.value if isinstance(self.rate, Fixed) else self.rate.to_dict()
        return {"type": self.kind, "name": self.name, "market": self.market,
                "to": ",".join(self.to), "rate": rate, "part": [self.source.to_dict()]}

    def effect(self, ctx: PathContext, rng: np.random.Generator) -> np.ndarray:
        """The source's effect on `market` (what that market loses or gains)."""
        return self.source.effect(ctx, rng)

    def split(self, ctx: PathContext, seed: np.random.SeedSequence
              ) -> tuple[np.ndarray, np.ndarray]:
        """(effect, rate): the source's effect drawn from `seed` and one rate per path.

        ``effect`` equals ``self.effect(ctx, np.random.default_rng(seed))``; the rates come
        from their own stream (``RATE_KEY`` below `seed`).
        """
        effect = self.source.effect(ctx, np.random.default_rng(seed))
        return effect, self.rates(ctx.n_paths, seed)

    def rates(self, n: int, seed: np.random.SeedSequence) -> np.ndarray:
        """The diversion rate of `n` paths, from the stream ``RATE_KEY`` below `seed`."""
        rng = np.random.default_rng(keyed(seed, RATE_KEY))
        return np.asarray(self.rate.sample(n, rng), dtype=float)


@checked_keywords
def on_market(assumption: Assumption, market: str) -> Diversion:
    """`assumption` acting on `market` without diversion (``Diversion(..., rate=0)``).

    >>> from forecast.scenarios import GrowthShift
    >>> a = on_market(GrowthShift(2026, 0.01, name="eu_boom"), "EU")
    >>> a.market, a.rate
    ('EU', Fixed(value=0.0))
    """
    return Diversion(assumption, rate=0.0, market=market)
