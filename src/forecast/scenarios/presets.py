"""Domain assumptions and named scenarios with sourced default numbers.

Every default below is either tied to a row of the evidence tables in
``data/SOURCES.md`` ("Evidence for scenario assumptions" and "Evidence on effect sizes")
or labelled a *judgement*. Almost none of that evidence measures China-to-US service
outsourcing itself: it comes from goods trade, global services trade or CGE models, so
the effects are deliberately modest. Effects are in log points on the level of US
offshore execution: a value x changes the level by exp(x) - 1, close to x only when small
(0.01 is +1.0%, -0.25 is -22.1%). They come *in addition to* the baseline trend, which
already carries whatever friction shaped 2019-2025. ``docs/scenarios.md`` tabulates every
number.

Examples
--------
>>> from forecast import presets
>>> presets.names()
('baseline', 'managed_friction', 'escalation', 'digital_opening', 'green_partnership', \
'cooperation', 'fragmentation')
>>> presets.get("escalation").assumption_names
('trade_friction',)
"""

from __future__ import annotations

from collections.abc import Callable

from .._keywords import checked_keywords, suggest
from ..errors import ParameterError
from .distributions import DiscreteUniform, Distribution, Triangular, Uniform
from .group import Group
from .primitives import Adoption, Escalation, GrowthShift, LevelShift, Volatility
from .scenario import Scenario, ScenarioSet

__all__ = [
    "baseline",
    "cooperation",
    "data_flow_fragmentation",
    "data_flow_liberalization",
    "digital_opening",
    "escalation",
    "fragmentation",
    "get",
    "green_partnership",
    "green_tech_cooperation",
    "managed_friction",
    "names",
    "scenario_set",
    "trade_friction",
]

Param = float | Distribution
Year = int | DiscreteUniform

# default distributions (module-level singletons; frozen, so sharing them is safe)
DATA_START = DiscreteUniform(2027, 2030)
DATA_CEILING = Triangular(0.005, 0.02, 0.05)
FRAGMENT_START = DiscreteUniform(2026, 2028)
FRAGMENT_CEILING = Triangular(-0.04, -0.0176, -0.005)
GREEN_START = DiscreteUniform(2027, 2030)
GREEN_CEILING = Triangular(0.0016, 0.01, 0.03)

FIRST_YEAR = 2026  # first projected year of the embedded US data (history ends in 2025)

# severity -> (drift delta, step size, step probability, control-shock rate, shock size)
_FRICTION: dict[str, tuple[Distribution, Distribution | None, float, float, Distribution | None]]
_FRICTION = {
    # drift: the US share of China's offshore execution fell about -1%/yr since 2019
    # (releases.csv); mild = up to that pace again, on top of the trend (judgement on the
    # multiple). No step, no shocks: services kept growing +9.8%/yr through the 2018-22
    # tariff war (BEA via CRS IF11284).
    "mild": (Triangular(-0.01, -0.003, 0.0), None, 0.0, 0.0, None),
    # moderate: up to 1.5x the share drift; a 50% chance of a services-specific measure worth
    # -0.01..-0.06 log points, -1.0% to -5.8% on the level (a tenth to a fifth of the
    # -25..-31% goods response in Amiti et al. and Fajgelbaum et al.: judgement), and
    # export-control rounds that persist (FRBNY SR 1096).
    "moderate": (Triangular(-0.015, -0.0075, 0.0), Uniform(-0.06, -0.01), 0.5, 0.1,
                 Uniform(-0.03, -0.005)),
    # severe: 1.5-3x the share drift; a 60% chance of a HIRE-Act-like levy (S.2976: after-tax
    # cost +58%) worth -0.03..-0.25 log points, -3.0% to -22.1% on the level: at most a little
    # less than the 25-31% goods fell; yearly shocks twice as often.
    "severe": (Triangular(-0.03, -0.015, -0.005), Triangular(-0.25, -0.10, -0.03), 0.6, 0.2,
               Uniform(-0.05, -0.01)),
}


@checked_keywords
def trade_friction(severity: str = "moderate", *, start: Year = FIRST_YEAR,
                   name: str = "trade_friction") -> Group:
    """US-China friction on service outsourcing: drift, possible levy step, control shocks.

    Parts (log points, beyond the baseline trend; a value x changes the level by
    exp(x) - 1):

    - ``drift``: :class:`GrowthShift` from `start`, delta by severity, log points a year:
      mild Triangular(-0.01, -0.003, 0), moderate Triangular(-0.015, -0.0075, 0), severe
      Triangular(-0.03, -0.015, -0.005) (about 1, 1.5 and 3 points less growth a year at
      most). Evidence: the US share of China's offshore execution fell about -1%/yr
      (relative) since 2019 (SOURCES.md, releases.csv row); the multiples are a judgement.
    - ``levy_step`` (moderate, severe): :class:`LevelShift` starting uniformly in
      `start`..`start`+2, phased in over 2 years, with probability 0.5 / 0.6 (judgement),
      size Uniform(-0.06, -0.01) / Triangular(-0.25, -0.10, -0.03) in log points, on the
      level -5.8% to -1.0% / -22.1% to -3.0% (mode -9.5%). Goods fell 25-31% under the 2018
      tariffs (Amiti-Redding-Weinstein; Fajgelbaum et al.), services far less (BEA
      services imports from China +9.8%/yr 2018-2022, CRS IF11284); the HIRE Act proposal
      (S.2976) would raise after-tax cost by 58%. The severe step reaches -22.1%, a little
      less than the goods response; the scaling is a judgement.
    - ``control_shocks`` (moderate, severe): :class:`Escalation` with yearly rate 0.1 /
      0.2 (judgement) and persistent jumps Uniform(-0.03, -0.005) / Uniform(-0.05, -0.01)
      (-3.0% to -0.5% / -4.9% to -1.0% on the level): export-control losses did not
      reverse (FRBNY Staff Report 1096).

    >>> g = trade_friction("severe")
    >>> [p.name for p in g.parts]
    ['drift', 'levy_step', 'control_shocks']
    """
    if severity not in _FRICTION:
        raise ParameterError(f"`severity` must be one of 'mild', 'moderate', 'severe'; got "
                             f"{severity!r}. Pass e.g. severity=\"moderate\".", field="severity")
    drift, step, p_step, rate, shock = _FRICTION[severity]
    s0 = start.low if isinstance(start, DiscreteUniform) else start
    parts: list = [GrowthShift(start, drift, name="drift")]
    if step is not None:
        parts.append(LevelShift(DiscreteUniform(s0, s0 + 2), step, 2.0, name="levy_step",
                                probability=p_step))
    if shock is not None:
        parts.append(Escalation(start, rate, shock, name="control_shocks"))
    return Group(name, tuple(parts))


@checked_keywords
def data_flow_liberalization(start: Year = DATA_START,
                             probability: Param = 0.35,
                             ceiling: Param = DATA_CEILING,
                             years_to_half: Param = 2.5, steepness: Param = 1.0, *,
                             name: str = "data_flow_liberalization") -> Group:
    """Easier cross-border data flows (e.g. DEPA accession): an S-curve gain.

    - `start` DiscreteUniform(2027, 2030) and `probability` 0.35: China applied to DEPA
      on 2021-11-01, a working group was set up 2022-08-18, and China was still not a
      member at the 2024-11-14 ministerial; South Korea joined on 2024-05-03 (SOURCES.md
      timeline). The numbers themselves are a judgement on that timeline.
    - `ceiling` Triangular(0.005, 0.02, 0.05), +0.5%, +2.0% and +5.1% on the level:
      China's localisation measures cost about
      -1.7% of exports (ECIPE 2014), global "open with safeguards" adds +3.6% (OECD/WTO
      2025). Deep bilateral provisions give +15..65% (Borchert & Di Ubaldo 2021), but no
      China-US agreement is in prospect and DEPA has no US member, so that range is only an
      outer bound, not used.
    - `years_to_half` 2.5 with `steepness` 1: effects build up over about 5 years (ITIF 2022).
    """
    return Group(name, (Adoption(start, ceiling, years_to_half, steepness, name="adoption"),),
                 probability=probability)


@checked_keywords
def data_flow_fragmentation(start: Year = FRAGMENT_START, probability: Param = 0.6,
                            ceiling: Param = FRAGMENT_CEILING,
                            years_to_half: Param = 2.5, steepness: Param = 1.0, *,
                            name: str = "data_flow_fragmentation") -> Group:
    """Data regimes splitting into blocs: an S-curve loss (the mirror of liberalization).

    `ceiling` Triangular(-0.04, -0.0176, -0.005), -3.9%, -1.7% and -0.5% on the level: the
    mode is the -1.76% of OECD/WTO (2025) fragmentation into blocs, in log points; the range
    and `probability` 0.6 are a judgement; 5-year build-up from ITIF (2022).
    """
    return Group(name, (Adoption(start, ceiling, years_to_half, steepness, name="adoption"),),
                 probability=probability)


@checked_keywords
def green_tech_cooperation(start: Year = GREEN_START, probability: Param = 0.25,
                           ceiling: Param = GREEN_CEILING,
                           years_to_half: Param = 4.0, steepness: Param = 0.8, *,
                           name: str = "green_tech_cooperation") -> Group:
    """Green-technology service cooperation (new-energy R&D, testing, licensing).

    - `ceiling` Triangular(0.0016, 0.01, 0.03), +0.16%, +1.0% and +3.0% on the level:
      offshore new-energy R&D services grew +61.3%
      (2022) and +140% (2023) from an unpublished, small base (MOFCOM releases); the
      US-China Clean Energy Research Center was about 0.16% of the channel (CERC, the lower
      bound). A 1% slice growing 50%/yr faster for 3 years adds about 2.4%: the mode and
      upper bound are a judgement.
    - `probability` 0.25, `start` 2027-2030: the 2025 US tax law denies clean-energy
      credits for projects with "material assistance" from prohibited foreign entities from
      2026 (OBBBA summaries), and Ford-CATL licensing is contested: a judgement.
    - `years_to_half` 4, `steepness` 0.8: a slower build-up than data flows (judgement).
    """
    return Group(name, (Adoption(start, ceiling, years_to_half, steepness, name="adoption"),),
                 probability=probability)


def baseline() -> Scenario:
    """No assumption: the fitted model's own projection."""
    return Scenario("baseline", (), "The baseline model's projection, no added assumption.")


def managed_friction() -> Scenario:
    """Friction continues at about its post-2019 pace: ``trade_friction("mild")``."""
    return Scenario("managed_friction", (trade_friction("mild"),),
                    "Friction drifts on at up to its post-2019 pace; no new levy.")


def escalation() -> Scenario:
    """Friction escalates: ``trade_friction("moderate")`` (levy step, control shocks)."""
    return Scenario("escalation", (trade_friction("moderate"),),
                    "Faster drift, a possible services levy and persistent control shocks.")


def digital_opening() -> Scenario:
    """Cross-border data flows open: ``data_flow_liberalization()``."""
    return Scenario("digital_opening", (data_flow_liberalization(),),
                    "DEPA-style data-flow opening with probability 0.35 from 2027-2030.")


def green_partnership() -> Scenario:
    """Green-technology cooperation: ``green_tech_cooperation()``."""
    return Scenario("green_partnership", (green_tech_cooperation(),),
                    "Green-technology service cooperation with probability 0.25.")


def cooperation() -> Scenario:
    """Both openings, each more likely in a cooperative world (0.6 and 0.5: judgement)."""
    return Scenario("cooperation", (data_flow_liberalization(probability=0.6),
                                    green_tech_cooperation(probability=0.5)),
                    "Data-flow opening and green cooperation, each more likely.")


def fragmentation() -> Scenario:
    """Severe friction, data blocs and a wider spread of outcomes.

    ``policy_uncertainty`` scales baseline deviations by Uniform(1, 1.5) from 2026: a
    judgement that a fragmenting regime makes the channel more volatile.
    """
    return Scenario("fragmentation", (
        trade_friction("severe"), data_flow_fragmentation(),
        Volatility(FIRST_YEAR, Uniform(1.0, 1.5), name="policy_uncertainty")),
        "Severe friction, data-flow blocs and more volatile outcomes.")


_SCENARIOS: dict[str, Callable[[], Scenario]] = {
    "baseline": baseline,
    "managed_friction": managed_friction,
    "escalation": escalation,
    "digital_opening": digital_opening,
    "green_partnership": green_partnership,
    "cooperation": cooperation,
    "fragmentation": fragmentation,
}

#: Domain assumptions that scenario files may reference with ``preset = "..."``.
ASSUMPTIONS: dict[str, Callable[..., Group]] = {
    "trade_friction": trade_friction,
    "data_flow_liberalization": data_flow_liberalization,
    "data_flow_fragmentation": data_flow_fragmentation,
    "green_tech_cooperation": green_tech_cooperation,
}


def names() -> tuple[str, ...]:
    """Names of the named scenarios, baseline first."""
    return tuple(_SCENARIOS)


@checked_keywords
def get(name: str) -> Scenario:
    """The named scenario `name`."""
    if name not in _SCENARIOS:
        hint = suggest(name, _SCENARIOS) if isinstance(name, str) else ""
        raise ParameterError(f"`name` must be one of {', '.join(_SCENARIOS)}; got {name!r}."
                             f"{hint} See forecast.presets.names().", field="name")
    return _SCENARIOS[name]()


def scenario_set() -> ScenarioSet:
    """The 7 named scenarios as a ScenarioSet (no probabilities), baseline first.

    (Named so that it does not shadow the builtin ``all`` inside this module.)

    >>> scenario_set().names[:2]
    ('baseline', 'managed_friction')
    """
    return ScenarioSet(tuple(f() for f in _SCENARIOS.values()))
