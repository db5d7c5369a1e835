"""Named scenarios for multi-market projections: the presets plus two with diversion.

In a multi-market projection (:func:`forecast.markets.project_markets`) every plain
assumption of the presets acts on the US (their numbers are calibrated on the US
channel), so ``fragmentation`` there is friction *without* diversion: what the US loses is
lost from China's total. The two scenarios added here divert part of that loss:

``fragmentation_diversion``
    ``fragmentation`` with its ``trade_friction("severe")`` wrapped in a
    :class:`~forecast.scenarios.diversion.Diversion` to all other markets in proportion to
    their size, rate Beta(2, 3) (mean 0.4). Evidence (SOURCES.md, "diversion", derived
    from releases.csv): from 2013 to 2023 the US share of China's offshore execution fell
    from 25.9% to 20.5% and the EU's from 15.7% to 13.8% while Hong Kong's rose from 11.9%
    to 18.6% and the total grew 12.8% a year: shares lost by the US went to other markets.
    How much of a *friction* loss would move is not measured anywhere: the rate is a
    judgement, kept below one half because data-flow blocs also hinder the alternatives.
``friction_diversion``
    ``trade_friction("moderate")`` (the ``escalation`` preset) diverted to the EU and the
    rest of the world, rate Triangular(0.2, 0.5, 0.8) (judgement). The issue asked for "the
    EU and ASEAN": ASEAN is not a market the releases allow to reconstruct (one Singapore
    figure; RCEP overlaps Japan), so its part is the rest of the world (``ROW``), which
    holds ASEAN, RCEP less Japan and Korea, and the Belt-and-Road markets.

Examples
--------
>>> from forecast.scenarios import market_presets
>>> market_presets.names()[-2:]
('fragmentation_diversion', 'friction_diversion')
>>> market_presets.get("friction_diversion").assumptions[0].to
('EU', 'ROW')
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ParameterError
from ..records.schema import suggest
from . import presets
from .distributions import Beta, Triangular, Uniform
from .diversion import Diversion
from .primitives import Volatility
from .scenario import Scenario, ScenarioSet

__all__ = ["fragmentation_diversion", "friction_diversion", "get", "names", "scenario_set"]

#: Diversion rate of fragmentation_diversion: mean 0.4 (judgement, see the module doc).
FRAGMENTATION_RATE = Beta(2.0, 3.0)
#: Diversion rate of friction_diversion: mode 0.5 (judgement).
FRICTION_RATE = Triangular(0.2, 0.5, 0.8)


def fragmentation_diversion() -> Scenario:
    """``fragmentation`` whose severe friction diverts Beta(2, 3) of the US loss elsewhere."""
    return Scenario("fragmentation_diversion", (
        Diversion(presets.trade_friction("severe"), rate=FRAGMENTATION_RATE),
        presets.data_flow_fragmentation(),
        Volatility(presets.FIRST_YEAR, Uniform(1.0, 1.5), name="policy_uncertainty")),
        "Fragmentation; part of the work the US channel loses moves to other markets.")


def friction_diversion() -> Scenario:
    """Moderate friction; Triangular(0.2, 0.5, 0.8) of the US loss moves to the EU and ROW."""
    return Scenario("friction_diversion", (
        Diversion(presets.trade_friction("moderate"), rate=FRICTION_RATE, to=("EU", "ROW")),),
        "Escalating friction; part of the US loss moves to the EU and the rest of the "
        "world (ASEAN is in ROW).")


_EXTRA: dict[str, Callable[[], Scenario]] = {
    "fragmentation_diversion": fragmentation_diversion,
    "friction_diversion": friction_diversion,
}


def names() -> tuple[str, ...]:
    """The seven presets, then the two diversion scenarios."""
    return (*presets.names(), *_EXTRA)


def get(name: str) -> Scenario:
    """The named scenario `name` (a preset or a diversion scenario)."""
    if name in _EXTRA:
        return _EXTRA[name]()
    if name in presets.names():
        return presets.get(name)
    hint = suggest(name, names()) if isinstance(name, str) else ""
    raise ParameterError(f"`name` must be one of {', '.join(names())}; got {name!r}.{hint} See "
                         "forecast.scenarios.market_presets.names().")


def scenario_set() -> ScenarioSet:
    """The nine named scenarios of a multi-market run, baseline first."""
    return ScenarioSet(tuple(get(n) for n in names()))
