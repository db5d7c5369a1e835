"""The scenarios stage: uncertain assumptions acting on the log level, and their files.

Modules: ``scenario`` (:class:`Scenario`, :class:`ScenarioSet`, :func:`combine`),
``assumption`` (the assumption contract: :class:`Assumption`, :class:`Bound`,
:class:`PathContext`, :func:`register`), ``group`` (:class:`Group`), ``primitives`` (the
five assumption primitives), ``distributions`` (uncertain
parameters), ``presets`` (domain assumptions and named scenarios, ``forecast.presets``),
``files`` (TOML scenario files, ``forecast.config``), ``diversion`` (:class:`Diversion`:
an assumption on one market whose loss partly moves to others), ``market_presets`` (the
presets plus two diversion scenarios, for multi-market runs); internal:
``_distribution_base``, ``_normal`` (Normal and LogNormal, re-exported by
``distributions``).
"""

from . import market_presets, presets
from .assumption import PROBABILITY, Assumption, Bound, PathContext, register, registered
from .distributions import (
    Bernoulli,
    Beta,
    DiscreteUniform,
    Distribution,
    Fixed,
    LogNormal,
    Normal,
    Triangular,
    Uniform,
    as_distribution,
)
from .diversion import Diversion, on_market
from .files import dump_scenarios, dumps_scenarios, load_scenarios, loads_scenarios
from .group import Group
from .primitives import Adoption, Escalation, GrowthShift, LevelShift, Volatility
from .scenario import Scenario, ScenarioSet, combine

__all__ = [
    "PROBABILITY",
    "Adoption",
    "Assumption",
    "Bernoulli",
    "Beta",
    "Bound",
    "DiscreteUniform",
    "Distribution",
    "Diversion",
    "Escalation",
    "Fixed",
    "Group",
    "GrowthShift",
    "LevelShift",
    "LogNormal",
    "Normal",
    "PathContext",
    "Scenario",
    "ScenarioSet",
    "Triangular",
    "Uniform",
    "Volatility",
    "as_distribution",
    "combine",
    "dump_scenarios",
    "dumps_scenarios",
    "load_scenarios",
    "loads_scenarios",
    "market_presets",
    "on_market",
    "presets",
    "register",
    "registered",
]
