"""Scenarios: named sets of uncertain assumptions acting on the log level.

An assumption (:class:`LevelShift`, :class:`GrowthShift`, :class:`Adoption`,
:class:`Escalation`, :class:`Volatility`, or a :class:`Group` of them) returns an additive
effect on the log level of every projected path. A :class:`Scenario` is a name plus
assumptions; :meth:`Scenario.effects` gives one effect array per assumption, each drawn
from its own generator seeded by the assumption's ``key``, so effects do not depend on
the order of the assumptions or on which other assumptions are present. Effects add in
log space, which makes :func:`combine` order-free and decompositions exact.

Examples
--------
>>> import numpy as np
>>> from forecast.scenarios import Uniform
>>> s = Scenario("friction", [LevelShift(2027, Uniform(-0.05, -0.01), name="step")])
>>> ctx = PathContext.flat(np.arange(2026, 2031), n_paths=100)
>>> eff = s.effects(ctx, np.random.SeedSequence(1))
>>> list(eff), eff["step"].shape, bool((eff["step"] <= 0).all())
(['step'], (100, 5), True)
"""

from __future__ import annotations

import dataclasses
import math
import numbers
import warnings
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .._keywords import checked_init, checked_keywords, checked_methods
from .._seeds import SeedLike, as_seed_sequence, assumption_seed
from .._validation import check_unique, user_stacklevel
from ..errors import ForecastTypeError, ParameterError, ScenarioError, ScenarioKeyError
from ..records.schema import suggest
from .assumption import Assumption, PathContext, check_context
from .distributions import Distribution
from .group import Group
from .primitives import Adoption, Escalation, GrowthShift, LevelShift, Volatility

__all__ = [
    "Adoption",
    "Assumption",
    "Escalation",
    "Group",
    "GrowthShift",
    "LevelShift",
    "PathContext",
    "Scenario",
    "ScenarioSet",
    "Volatility",
    "assumption_effect",
    "assumption_effects",
    "check_starts",
    "combine",
]


def _check_name(what: str, name: object) -> str:
    if not isinstance(name, str):
        raise ForecastTypeError(f"{what} name must be a str; got {name!r} "
                                f"({type(name).__name__}). Pass e.g. name=\"managed_friction\".",
                                field="name")
    if not name.strip() or name != name.strip():
        raise ScenarioError(f"{what} name must be a non-empty string without surrounding "
                            f"spaces; got {name!r}. Pass e.g. name=\"managed_friction\".",
                            field="name")
    if not name.isprintable():  # names become CSV cells, file content and report text
        raise ScenarioError(f"{what} name must not hold control characters or line breaks; "
                            f"got {name!r}. Pass e.g. name=\"managed_friction\".",
                            field="name")
    return name


def assumption_effect(a: Assumption, ctx: PathContext,
                      seed: np.random.SeedSequence) -> np.ndarray:
    """The effect of assumption `a` below the effects seed `seed`: the one rule.

    `a` draws from ``default_rng(assumption_seed(seed, a.key))``, the stream named by its
    key, so its draws depend neither on the order nor on the company of assumptions.
    :meth:`Scenario.effects`, the projection's chunks and ``decompose``, and the
    sensitivity tools all compute effects through here.
    """
    return a.effect(ctx, np.random.default_rng(assumption_seed(seed, a.key)))


def assumption_effects(assumptions: Iterable[Assumption], ctx: PathContext,
                       seed: np.random.SeedSequence,
                       cache: dict[Any, np.ndarray] | None = None) -> dict[str, np.ndarray]:
    """``{a.name: assumption_effect(a, ctx, seed)}`` for every assumption, in order.

    With `cache` (a dict shared by the scenarios of one chunk), an assumption equal to
    one evaluated before (same type, parameters and key, hence the same draws) reuses its
    effect: the presets ``digital_opening`` and ``cooperation`` share one, for example.
    Unhashable assumptions are evaluated without caching.
    """
    out: dict[str, np.ndarray] = {}
    for a in assumptions:
        hit, cacheable = None, cache is not None
        if cache is not None:
            try:
                hit = cache.get(a)
            except (TypeError, ValueError):
                cacheable = False
        if hit is None:
            hit = assumption_effect(a, ctx, seed)
            if cacheable:
                cache[a] = hit  # type: ignore[index]
        out[a.name] = hit
    return out


def check_starts(scenarios: Iterable[Any], last_year: int, fix: str | None = None) -> None:
    """The one rule: every assumption starts after the history, in ``last_year + 1`` or later.

    Takes scenarios (or anything with ``name`` and ``assumptions`` whose items have
    ``name`` and ``first_start``), so the engine applies it to any scenario-like input.
    `fix` replaces the advice of the message (the command line gives its own).

    Raises
    ------
    ScenarioError
        Naming the scenario, the assumption, its earliest start and the fix
        (``err.field == "start"``).
    """
    if isinstance(last_year, bool) or not isinstance(last_year, numbers.Integral):
        raise ForecastTypeError(f"`last_year` must be the history's last year as an int; got "
                                f"{last_year!r} ({type(last_year).__name__}). Pass e.g. "
                                "fit.last_year or 2025.", field="last_year")
    last_year = int(last_year)
    for s in scenarios:
        for a in getattr(s, "assumptions", ()):
            start = getattr(a, "first_start", None)
            if start is not None and int(start) <= last_year:
                raise ScenarioError(
                    f"scenario {s.name!r}: assumption {getattr(a, 'name', a)!r} must start "
                    f"after the history (which ends in {last_year}), in {last_year + 1} or "
                    f"later; its earliest start is {int(start)}. " + (
                        fix or f"Pass start={last_year + 1} or later, or fit the model on "
                        f"data ending before {int(start)}."), field="start")


def late_starts(scenarios: Iterable[Any], last: int) -> list[str]:
    """The assumptions that cannot start by `last`, as ``"'name' of 'scenario' (start)"``.

    Such an assumption has no effect on any path that ends in `last` (a horizon too short
    for it, or a start year mistyped: 2207). Takes scenario-like inputs, as
    :func:`check_starts` does; :func:`warn_late_starts` words the warning.
    """
    return [f"{a.name!r} of {s.name!r} ({a.first_start})" for s in scenarios
            for a in getattr(s, "assumptions", ())
            if isinstance(getattr(a, "first_start", None), int) and a.first_start > last]


def warn_late_starts(scenarios: Iterable[Any], last: int, who: str, fix: str) -> None:
    """Warn once, as :func:`forecast.project` does, when an assumption starts after `last`.

    Parameters
    ----------
    scenarios : iterable of Scenario
    last : int
        The last year simulated.
    who : str
        The function warning ("tornado"), which leads the message.
    fix : str
        The advice that ends the message (how to reach the start years).
    """
    late = late_starts(scenarios, last)
    if late:
        warnings.warn(f"{who}: {', '.join(late)} start(s) after {last}, the last projected "
                      f"year, so they have no effect on these paths. {fix}", UserWarning,
                      stacklevel=user_stacklevel())


@checked_methods
@checked_init
@dataclass(frozen=True, repr=False)
class Scenario:
    """A named set of assumptions; the empty scenario is the baseline.

    Parameters
    ----------
    name : str
        Label of the scenario in results.
    assumptions : sequence of Assumption
        Their names must be unique within the scenario (they label decompositions).
    description : str
        Free text for reports.
    """

    name: str
    assumptions: tuple[Assumption, ...] = ()
    description: str = ""

    if TYPE_CHECKING:
        # what the constructor accepts (__post_init__ makes `assumptions` a tuple); the
        # dataclass writes the real __init__
        def __init__(self, name: str, assumptions: Assumption | Iterable[Assumption] = (),
                     description: str = "") -> None: ...

    def __post_init__(self) -> None:
        _check_name("scenario", self.name)
        items = self.assumptions
        if isinstance(items, Assumption):
            items = (items,)
        if isinstance(items, str | bytes) or not isinstance(items, Iterable):
            raise ForecastTypeError(f"`assumptions` of scenario {self.name!r} must be a sequence"
                                    f" of Assumption objects; got {items!r}. Pass a list.",
                                    field="assumptions")
        items = tuple(items)
        for a in items:
            if not isinstance(a, Assumption):
                raise ForecastTypeError(
                    f"every assumption of scenario {self.name!r} must be an Assumption; got "
                    f"{a!r} ({type(a).__name__}). Pass LevelShift, GrowthShift, ... or a preset.",
                    field="assumptions")
        check_unique([a.name for a in items], f"assumption names within scenario {self.name!r}",
                     "Pass name=... to each so they can be told apart.", ScenarioError,
                     field="assumptions")
        if not isinstance(self.description, str):
            raise ForecastTypeError(f"`description` must be a string; got "
                                    f"{self.description!r}. Pass text or leave it out.",
                                    field="description")
        object.__setattr__(self, "assumptions", items)

    def __len__(self) -> int:
        return len(self.assumptions)

    def __repr__(self) -> str:
        """One line: the name, each assumption's name and kind, the uncertain parameters.

        The full definition is ``scenario.assumptions`` (each assumption's own repr) or,
        as text to keep, :func:`forecast.dumps_scenarios`; the dataclass repr of a preset
        ran to 1,100 characters.

        >>> import forecast
        >>> forecast.Scenario("cut", [forecast.LevelShift(2027, forecast.Uniform(-0.1, 0.0),
        ...                                               name="step")])
        Scenario('cut': step [LevelShift]; 1 uncertain parameter)
        >>> forecast.presets.get("fragmentation")  # doctest: +NORMALIZE_WHITESPACE
        Scenario('fragmentation': trade_friction [Group: drift, levy_step, control_shocks],
        data_flow_fragmentation [Group: adoption], policy_uncertainty [Volatility]; 7
        uncertain parameters)
        """
        if not self.assumptions:
            return f"Scenario({self.name!r}: no assumption, the baseline)"
        parts = []
        for a in self.assumptions:
            inner = getattr(a, "parts", None)
            kind = type(a).__name__
            if inner:
                kind += ": " + ", ".join(getattr(x, "name", "?") for x in inner)
            parts.append(f"{a.name} [{kind}]")
        n = len(self.parameters())
        return (f"Scenario({self.name!r}: {', '.join(parts)}; {n} uncertain "
                f"parameter{'' if n == 1 else 's'})")

    def __getitem__(self, name: str) -> Assumption:
        for a in self.assumptions:
            if a.name == name:
                return a
        raise ScenarioKeyError(f"scenario {self.name!r} has no assumption {name!r}; it has "
                               f"{[a.name for a in self.assumptions]}")

    @property
    def assumption_names(self) -> tuple[str, ...]:
        return tuple(a.name for a in self.assumptions)

    @property
    def first_start(self) -> int | None:
        """Earliest possible start year of any assumption (None for the baseline)."""
        return min((a.first_start for a in self.assumptions), default=None)

    def validate_against(self, last_year: int) -> Scenario:
        """Check that nothing starts before the first projected year ``last_year + 1``.

        Raises
        ------
        ScenarioError
            Naming the assumption, its start and the fix (:func:`check_starts`).
        """
        check_starts((self,), last_year)
        return self

    def effects(self, ctx: PathContext, seed: SeedLike) -> dict[str, np.ndarray]:
        """One additive log-level effect ``(n_paths, horizon)`` per assumption, by name.

        Assumption ``a`` draws from ``default_rng(SeedSequence(entropy=seed.entropy,
        spawn_key=seed.spawn_key + (crc32(a.key),)))``: the same draws whatever the order
        or the company of the assumption.
        """
        check_context(ctx)
        ss = as_seed_sequence(seed)
        self.validate_against(ctx.last_year)
        return assumption_effects(self.assumptions, ctx, ss)

    def parameters(self) -> dict[str, Distribution]:
        """Uncertain parameters of all assumptions, as ``"<assumption>.<parameter>"``."""
        return {f"{a.name}.{k}": v for a in self.assumptions for k, v in a.parameters().items()}

    def with_parameters(self, **values: object) -> Scenario:
        """The scenario with some parameters replaced, by dotted name.

        >>> s = Scenario("s", [LevelShift(2027, -0.05, name="step")])
        >>> s.with_parameters(**{"step.size": -0.1})["step"].size.value
        -0.1
        """
        by: dict[str, dict[str, object]] = {}
        for k, v in values.items():
            head, _, rest = k.partition(".")
            if head not in self.assumption_names or not rest:
                raise ParameterError(
                    f"parameter names must be '<assumption>.<parameter>' with an assumption of "
                    f"scenario {self.name!r} ({', '.join(self.assumption_names) or 'none'}); got"
                    f" {k!r}. See scenario.parameters() for the names.", field=k)
            by.setdefault(head, {})[rest] = v
        new = tuple(a.with_parameters(**by[a.name]) if a.name in by else a
                    for a in self.assumptions)
        return dataclasses.replace(self, assumptions=new)


def _short(x: object, width: int = 80) -> str:
    text = repr(x)
    return text if len(text) <= width else text[: width - 3] + "..."


def _differences(a: Assumption, b: Assumption) -> str:
    """What tells two assumptions apart, in a few words (not two full reprs)."""
    if type(a) is not type(b):
        return f"a {type(a).__name__} and a {type(b).__name__}"
    da, db = a.to_dict(), b.to_dict()
    keys = [k for k in dict.fromkeys([*da, *db]) if da.get(k) != db.get(k)]
    if keys == ["part"]:  # groups: name the parts that differ
        pa = {p["name"]: p for p in da.get("part", [])}
        pb = {p["name"]: p for p in db.get("part", [])}
        diff = [k for k in dict.fromkeys([*pa, *pb]) if pa.get(k) != pb.get(k)]
        return "their parts differ: " + ", ".join(diff)
    return "they differ in " + ", ".join(f"{k} ({_short(da.get(k), 40)} vs "
                                         f"{_short(db.get(k), 40)})" for k in keys[:3])


@checked_keywords
def combine(*scenarios: Scenario, name: str | None = None,
            description: str | None = None) -> Scenario:
    """Union of the scenarios' assumptions, in canonical (name, key) order.

    When the scenarios that have assumptions all have the same ones in the same order (a
    scenario combined with the empty one, or with itself), that order is kept.

    Associative and commutative, with the empty scenario as identity: it is left out of
    the default name and of the description, so ``combine(a, baseline) == a``. Identical
    assumptions shared by several scenarios are kept once; two different assumptions with
    the same name are an error.

    Parameters
    ----------
    *scenarios : Scenario
    name : str, optional
        Name of the result. Default: the sorted ``+``-joined names of the scenarios that
        have assumptions (of all of them when none has; "baseline" for none at all).
    description : str, optional
        Description of the result. Default: the description the scenarios with
        assumptions share (of all of them when none has), or ``""`` when they differ
        (two descriptions are not merged: pass the text that describes the combination).

    Returns
    -------
    Scenario

    Examples
    --------
    >>> a = Scenario("a", [LevelShift(2027, -0.02, name="x")], "a levy")
    >>> b = Scenario("b", [GrowthShift(2027, 0.01, name="y")], "slower growth")
    >>> combine(b, a).name, combine(b, a).assumption_names
    ('a+b', ('x', 'y'))
    >>> combine(a, Scenario("baseline", description="no change")) == a
    True
    >>> combine(a, b).description, combine(a, b, description="levy, slower").description
    ('', 'levy, slower')
    """
    for s in scenarios:
        if not isinstance(s, Scenario):
            fix = ("Unpack it: combine(*scenarios)" if isinstance(s, ScenarioSet | list | tuple)
                   else "Wrap assumptions in Scenario(name, [...])")
            raise ForecastTypeError(f"combine() takes Scenario objects as separate arguments; "
                                    f"got a {type(s).__name__} ({_short(s)}). {fix}.",
                                    field="scenarios")
    by_name: dict[str, Assumption] = {}
    owner: dict[str, str] = {}
    for s in scenarios:
        for a in s.assumptions:
            if a.name in by_name and by_name[a.name] != a:
                raise ScenarioError(
                    f"cannot combine: assumption name {a.name!r} means two different "
                    f"assumptions, in scenarios {owner[a.name]!r} and {s.name!r} "
                    f"({_differences(by_name[a.name], a)}). Rename one of them "
                    f"(dataclasses.replace(a, name=...)), or combine only one of the two.",
                    field="assumptions")
            by_name[a.name] = a
            owner.setdefault(a.name, s.name)
    items = tuple(sorted(by_name.values(), key=lambda a: (a.name, a.key)))
    own = {s.assumptions for s in scenarios if s.assumptions}
    if len(own) == 1:  # one set of assumptions in one order (a scenario and the empty one)
        items = own.pop()
    if name is None:
        tokens = {t for s in scenarios if s.assumptions for t in s.name.split("+")}
        if not tokens:
            tokens = {t for s in scenarios for t in s.name.split("+")} or {"baseline"}
        name = "+".join(sorted(tokens))
    if description is None:
        # the empty scenario is the identity: only the scenarios that add assumptions speak
        # (all of them when none does); one shared text is kept, differing ones are not
        # merged. Associative and commutative: a result's text is that of every input.
        texts = {s.description for s in scenarios if s.assumptions} or {
            s.description for s in scenarios}
        description = texts.pop() if len(texts) == 1 else ""
    return Scenario(name, items, description)


@checked_methods
@checked_init
@dataclass(frozen=True)
class ScenarioSet:
    """Scenarios to project together, optionally with probabilities (a mixture).

    >>> ss = ScenarioSet([Scenario("baseline"), Scenario("x")], probabilities=[0.7, 0.3])
    >>> ss.names, len(ss), ss["x"].name
    (('baseline', 'x'), 2, 'x')
    """

    scenarios: tuple[Scenario, ...]
    probabilities: tuple[float, ...] | None = None

    if TYPE_CHECKING:
        # what the constructor accepts (__post_init__ makes both tuples); the dataclass
        # writes the real __init__
        def __init__(self, scenarios: Scenario | Iterable[Scenario],
                     probabilities: Sequence[float] | np.ndarray | None = None) -> None: ...

    def __post_init__(self) -> None:
        items = self.scenarios
        if isinstance(items, Scenario):
            items = (items,)
        if isinstance(items, str | bytes) or not isinstance(items, Iterable):
            raise ForecastTypeError(f"`scenarios` must be a sequence of Scenario; got "
                                    f"{items!r}. Pass a list.", field="scenarios")
        items = tuple(items)
        if not items:
            raise ScenarioError("a ScenarioSet needs at least one scenario; got none. "
                                "Pass e.g. [Scenario('baseline')].", field="scenarios")
        for s in items:
            if not isinstance(s, Scenario):
                raise ForecastTypeError(f"every item of a ScenarioSet must be a Scenario; got "
                                        f"{s!r}. Wrap assumptions in Scenario(name, [...]).",
                                        field="scenarios")
        check_unique([s.name for s in items], "scenario names in a set", "Rename one of them.",
                     ScenarioError, field="scenarios")
        object.__setattr__(self, "scenarios", items)
        if self.probabilities is not None:
            object.__setattr__(self, "probabilities", self._check_probs(self.probabilities))

    def _check_probs(self, probs: object) -> tuple[float, ...]:
        if isinstance(probs, str | bytes) or not isinstance(probs, Sequence | np.ndarray):
            raise ForecastTypeError(f"`probabilities` must be a sequence of numbers; got "
                                    f"{probs!r}. Pass one probability per scenario.",
                                    field="probabilities")
        vals = list(probs)
        if len(vals) != len(self.scenarios):
            raise ParameterError(f"`probabilities` must have one value per scenario "
                                 f"({len(self.scenarios)}); got {len(vals)}. Pass "
                                 f"{len(self.scenarios)} numbers summing to 1.",
                                 field="probabilities")
        out = []
        for nm, p in zip(self.names, vals, strict=True):
            if isinstance(p, bool) or not isinstance(p, numbers.Real) or not math.isfinite(p) \
                    or p < 0:
                raise ParameterError(f"probability of scenario {nm!r} must be a number >= 0; "
                                     f"got {p!r}. Pass non-negative weights summing to 1.",
                                     field="probabilities")
            out.append(float(p))
        total = math.fsum(out)
        if abs(total - 1.0) > 1e-9:
            hint = (" Did you give percentages? Divide them by 100."
                    if abs(total - 100.0) <= 1e-6 else " Divide each by their sum.")
            raise ParameterError(f"`probabilities` must sum to 1 (within 1e-9); got {total!r}."
                                 f"{hint}", field="probabilities")
        return tuple(out)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.scenarios)

    def __repr__(self) -> str:
        """One line: the scenarios' names (with their probabilities when the set has them).

        Each scenario's full definition is ``ss[name]``; a preset set printed whole ran to
        4,000 characters.

        >>> ScenarioSet([Scenario("baseline"), Scenario("x")], probabilities=[0.7, 0.3])
        ScenarioSet(2 scenarios: baseline 0.7, x 0.3)
        """
        probs = self.probabilities or (None,) * len(self.scenarios)
        items = ", ".join(n if p is None else f"{n} {p:g}"
                          for n, p in zip(self.names, probs, strict=True))
        return f"ScenarioSet({len(self.scenarios)} scenario{'s' * (len(self) > 1)}: {items})"

    def __iter__(self) -> Iterator[Scenario]:
        return iter(self.scenarios)

    def __len__(self) -> int:
        return len(self.scenarios)

    def __getitem__(self, key: str | int) -> Scenario:
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            return self.scenarios[int(key)]
        for s in self.scenarios:
            if s.name == key:
                return s
        hint = suggest(key, self.names) if isinstance(key, str) else ""
        raise ScenarioKeyError(f"no scenario {key!r} in the set.{hint} It has: "
                               f"{', '.join(self.names)}.")

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def validate_against(self, last_year: int) -> ScenarioSet:
        """:meth:`Scenario.validate_against` for every scenario."""
        for s in self.scenarios:
            s.validate_against(last_year)
        return self

    @classmethod
    def coerce(cls, scenarios: object) -> ScenarioSet:
        """A ScenarioSet from a set, one Scenario, or a sequence of Scenarios."""
        if isinstance(scenarios, ScenarioSet):
            return scenarios
        return cls(scenarios)  # type: ignore[arg-type]
