"""Group: a named composition of assumptions (a domain assumption) gated as a whole."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from .._keywords import checked_init
from .._seeds import assumption_seed, generator_streams, keyed
from .._validation import check_unique
from ..errors import ForecastTypeError, ParameterError
from .assumption import CERTAIN, PROBABILITY, Assumption, PathContext, check_context, register
from .distributions import Distribution, Fixed

__all__ = ["Group"]


def _chance(probability: object) -> str:
    """A probability as the reprs show it: "" when certain, ``0.6`` when fixed, else the
    distribution's repr."""
    if probability == CERTAIN:
        return ""
    return f"{probability.value:g}" if isinstance(probability, Fixed) else repr(probability)


@checked_init
@register
@dataclass(frozen=True)
class Group(Assumption):
    """A named composition of assumptions (a domain assumption) gated as a whole.

    One Bernoulli(`probability`) draw per path decides whether the whole group happens;
    each part then draws as usual from its own stream (keyed by the part's ``key``), so
    ``effect = gate * sum(part effects)``.

    Parameters
    ----------
    name : str
        The group's name (the first argument, required): decompositions show the group
        under it; no dots or surrounding spaces.
    parts : sequence of Assumption
        At least one assumption (a single one is taken as a one-part group), with
        distinct names; parts keep their own `probability`.
    probability : float or Distribution, default 1.0
        The chance in [0, 1] that the whole group happens on a path (one draw per path).

    Examples
    --------
    >>> from forecast.scenarios import GrowthShift, LevelShift
    >>> g = Group("friction", (LevelShift(2027, -0.02, name="step"),
    ...                        GrowthShift(2026, -0.01, name="drift")))
    >>> ctx = PathContext.flat([2026, 2027], n_paths=1)
    >>> g.effect(ctx, np.random.default_rng(0)).round(3).tolist()
    [[-0.01, -0.04]]
    """

    name: str
    parts: tuple[Assumption, ...] = ()
    probability: float | Distribution = 1.0
    kind: ClassVar[str] = "group"
    year_fields: ClassVar[tuple[str, ...]] = ()
    bounds: ClassVar[dict] = {"probability": PROBABILITY}

    if TYPE_CHECKING:
        # what the constructor accepts (__post_init__ makes `parts` a tuple); the dataclass
        # writes the real __init__
        def __init__(self, name: str, parts: Assumption | Iterable[Assumption] = (),
                     probability: float | Distribution = 1.0) -> None: ...

    def __post_init__(self) -> None:
        if not isinstance(self.name, str):  # Group((a, b)) forgets the name
            raise ForecastTypeError(f"`name` of a Group must be a string, its first argument; "
                                    f"got {type(self.name).__name__} {self.name!r:.80}. Pass "
                                    "Group(\"my_group\", (part, ...)).", field="name")
        parts = self.parts
        if isinstance(parts, Assumption):
            parts = (parts,)
        try:
            parts = tuple(parts)
        except TypeError:
            raise ForecastTypeError(
                f"`parts` must be a sequence of assumptions; got {parts!r}. Pass e.g. "
                "(LevelShift(2027, -0.02), GrowthShift(2026, -0.01)).", field="parts") from None
        if not parts:
            raise ParameterError(f"Group {self.name!r} must have at least one part; got none. "
                                 "Add assumptions, or leave the group out.", field="parts")
        for p in parts:
            if not isinstance(p, Assumption):
                raise ForecastTypeError(f"every part of Group {self.name!r} must be an "
                                        f"Assumption; got {p!r}. Pass LevelShift, GrowthShift, "
                                        "... objects.", field="parts")
        check_unique([p.name for p in parts], f"part names in Group {self.name!r}",
                     "Pass name=... to tell them apart.", ParameterError, field="parts")
        object.__setattr__(self, "parts", parts)
        super().__post_init__()

    def __repr__(self) -> str:
        """One line, as a Scenario's: the name, each part's name and kind (and chance), the
        group's probability and the number of uncertain parameters.

        Each part's full definition is ``group.parts`` (their own reprs), or as text to
        keep, :func:`forecast.dumps_scenarios`; the dataclass repr of a preset's group ran
        to 550 characters.

        >>> from forecast.scenarios import GrowthShift, LevelShift, Uniform
        >>> Group("friction", (LevelShift(2027, Uniform(-0.1, 0.0), name="step",
        ...                               probability=0.6),
        ...                    GrowthShift(2026, -0.01, name="drift")), probability=0.5)
        ... # doctest: +NORMALIZE_WHITESPACE
        Group('friction': step [LevelShift, probability 0.6], drift [GrowthShift];
        probability 0.5; 1 uncertain parameter)
        """
        parts = []
        for p in self.parts:
            kind = type(p).__name__
            inner = getattr(p, "parts", None)
            if inner:
                kind += ": " + ", ".join(getattr(x, "name", "?") for x in inner)
            chance = _chance(getattr(p, "probability", CERTAIN))
            parts.append(f"{p.name} [{kind}{', probability ' + chance if chance else ''}]")
        chance = _chance(self.probability)
        n = len(self.parameters())
        return (f"Group({self.name!r}: {', '.join(parts)}"
                f"{'; probability ' + chance if chance else ''}; {n} uncertain "
                f"parameter{'s' * (n != 1)})")

    @property
    def first_start(self) -> int:
        return min(p.first_start for p in self.parts)

    def _part(self, name: str) -> Assumption:
        for p in self.parts:
            if p.name == name:
                return p
        raise ParameterError(f"Group {self.name!r} has no part {name!r}; parts: "
                             f"{', '.join(p.name for p in self.parts)}. Use one of those names.",
                             field=name)

    def parameters(self) -> dict[str, Distribution]:
        out = super().parameters()
        for p in self.parts:
            out.update({f"{p.name}.{k}": v for k, v in p.parameters().items()})
        return out

    def with_parameters(self, **values: object) -> Group:
        """The group with some parameters replaced: ``probability`` or ``"<part>.<name>"``."""
        own = {k: v for k, v in values.items() if "." not in k}
        if any(k != "probability" for k in own):
            bad = next(k for k in own if k != "probability")
            raise ParameterError(f"Group {self.name!r} has no parameter {bad!r}; use "
                                 "'probability' or '<part>.<parameter>', e.g. 'step.size'.",
                                 field=bad)
        by_part: dict[str, dict[str, object]] = {}
        for k, v in values.items():
            if "." in k:
                part, rest = k.split(".", 1)
                self._part(part)
                by_part.setdefault(part, {})[rest] = v
        parts = tuple(p.with_parameters(**by_part[p.name]) if p.name in by_part else p
                      for p in self.parts)
        return dataclasses.replace(self, parts=parts, **own)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"type": "group", "name": self.name}
        prob = self.probability
        out["probability"] = prob.value if isinstance(prob, Fixed) else prob.to_dict()
        out["part"] = [p.to_dict() for p in self.parts]
        return out

    def compute_effect(self, ctx: PathContext, draw: Any) -> np.ndarray:  # pragma: no cover
        raise NotImplementedError("Group.effect sums its parts' effects")

    def effect(self, ctx: PathContext, rng: np.random.Generator) -> np.ndarray:
        """Gate (one draw per path) times the sum of the parts' effects."""
        check_context(ctx)
        ss = generator_streams(rng)
        n = ctx.n_paths
        total = None
        fresh = False  # whether `total` is an array made here (else a part's own)
        for part in self.parts:
            eff = part.effect(ctx, np.random.default_rng(assumption_seed(ss, part.key)))
            if total is None:
                total = eff
            elif fresh and total.dtype == float and total.shape == (n, ctx.horizon):
                total += eff  # the same sum, in the array made for it
            else:
                total, fresh = total + eff, True
        if self.probability == CERTAIN:
            return total
        prob = self.probability
        if type(prob) is Fixed:  # what Fixed.sample draws, without building its stream
            p = np.full(n, prob.value)
        else:
            p = prob.sample(n, np.random.default_rng(keyed(ss, "probability")))
        happens = np.random.default_rng(keyed(ss, "happens")).random(n) < p
        return np.where(happens[:, None], total, 0.0)
