"""Display names: the one table of human labels used by the charts, the report and the CLI.

Identifiers stay identifiers in data (``offshore_execution``, ``lower_80``,
``trade_friction.levy_step.size``); whatever a person reads goes through :func:`label`
(and :func:`unit_text`, :func:`evidence`, :func:`colors`), so a chart legend, a report
heading and a command-line table say the same thing in the same words and colours.
Unknown identifiers get a readable fallback (``my_levy`` -> "My levy"), never an error.

Examples
--------
>>> label("managed_friction")
'Managed friction'
>>> label("lower_80")
'80% band, lower'
>>> label("trade_friction.levy_step.size")
'Trade friction: levy step, size'
>>> label("my_custom_shock")
'My custom shock'
>>> scenario_label("v2.0")
'v2.0'
>>> unit_text("USD_bn")
'USD bn'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

__all__ = ["ASSUMPTION_COLORS", "EVIDENCE", "NAMES", "PALETTE", "SCENARIO_COLORS", "UNITS",
           "assumption_label", "colors", "evidence", "label", "part_label", "scenario_label",
           "unit_text"]

#: Scenario, assumption, part, parameter, column and flow identifiers -> display names.
NAMES: dict[str, str] = {
    # scenarios (presets)
    "baseline": "Baseline",
    "managed_friction": "Managed friction",
    "escalation": "Escalation",
    "digital_opening": "Digital opening",
    "green_partnership": "Green partnership",
    "cooperation": "Cooperation",
    "fragmentation": "Fragmentation",
    # assumptions (presets)
    "trade_friction": "Trade friction",
    "data_flow_liberalization": "Data-flow opening",
    "data_flow_fragmentation": "Data-flow blocs",
    "green_tech_cooperation": "Green-tech cooperation",
    "policy_uncertainty": "Policy uncertainty",
    # parts and parameters
    "drift": "drift",
    "levy_step": "levy step",
    "control_shocks": "control shocks",
    "adoption": "adoption",
    "delta": "growth change per year",
    "size": "size",
    "start": "start year",
    "ceiling": "ceiling",
    "scale": "volatility scale",
    "probability": "probability",
    "rate": "yearly rate",
    "phase_in": "phase-in years",
    "half_life": "half-life",
    "years_to_half": "years to half",
    "steepness": "steepness",
    # columns
    "scenario": "Scenario",
    "year": "Year",
    "mean": "Mean",
    "median": "Median",
    "value": "Value",
    "quantile": "Quantile",
    "assumption": "Assumption",
    "parameter": "Parameter",
    "log_points": "Log points",
    "level": "Level",
    "total": "Total",
    "prob_below": "P(below baseline)",
    "n_records": "Records",
    "evidence": "Evidence",
    "figures": "Figures",
    "years": "Years",
    "source": "Source",
    "diverted_share": "Diverted share of the loss",
    "diverted_to": "Diverted to",
    "address": "Address",
    "family": "Family",
    "aicc": "AICc",
    "weight": "Weight",
    "model": "Model",
    "horizon": "Horizon",
    "mase": "MASE",
    "mape": "MAPE (%)",
    "crps": "CRPS",
    "crps_log": "CRPS (log scale)",
    "level_low": "Median, parameter low",
    "level_high": "Median, parameter high",
    "level_median": "Median, all at median",
    "value_low": "Parameter low value",
    "value_high": "Parameter high value",
    "swing": "Swing",
    "swing_se": "Swing s.e.",
    "setting": "Setting",
    # flows
    "offshore_execution": "offshore execution",
    "offshore_contract": "offshore contracts",
    "so_execution": "service-outsourcing execution",
    "so_contract": "service-outsourcing contracts",
}

#: Unit codes -> display text.
UNITS: dict[str, str] = {"USD_bn": "USD bn", "CNY_bn": "CNY bn", "USD_1e8": "USD 100 m",
                         "CNY_1e8": "CNY 100 m", "pct": "%"}

#: Evidence behind each preset assumption (``data/SOURCES.md``; "judgement" where none).
EVIDENCE: dict[str, str] = {
    "trade_friction": (
        "US share of China's offshore execution fell about 1%/yr since 2019 (MOFCOM "
        "releases); goods fell 25-31% under the 2018 tariffs (Amiti-Redding-Weinstein; "
        "Fajgelbaum et al.), services far less (CRS IF11284); export-control losses "
        "persisted (FRBNY SR 1096). Multiples, levy odds and shock rates: judgement."),
    "data_flow_liberalization": (
        "China applied to DEPA in 2021, not a member by 2024 (DEPA timeline); "
        "localisation costs about 1.7% of exports (ECIPE 2014), open-with-safeguards "
        "+3.6% (OECD/WTO 2025); build-up about 5 years (ITIF 2022). Timing and odds: "
        "judgement."),
    "data_flow_fragmentation": (
        "Bloc fragmentation about -1.76% (OECD/WTO 2025); range and probability: judgement."),
    "green_tech_cooperation": (
        "New-energy R&D services grew +61% (2022) and +140% (2023) from a small base "
        "(MOFCOM); CERC about 0.16% of the channel. Mode, upper bound and odds: judgement."),
    "policy_uncertainty": "Judgement: a fragmenting regime makes outcomes more volatile.",
}

#: Colour-blind-safe palette (Okabe-Ito); scenarios not named below take these in order.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B",
           "#332288", "#882255")

#: Fixed colours, so a scenario looks the same in every chart of every report.
SCENARIO_COLORS: dict[str, str] = {
    "baseline": "#3B4A5A",
    "managed_friction": "#E69F00",
    "escalation": "#D55E00",
    "digital_opening": "#0072B2",
    "green_partnership": "#009E73",
    "cooperation": "#56B4E9",
    "fragmentation": "#882255",
    "mixture": "#6A3D9A",
}

#: Fixed colours of the preset assumptions (decomposition bars, tornado).
ASSUMPTION_COLORS: dict[str, str] = {
    "trade_friction": "#D55E00",
    "data_flow_liberalization": "#0072B2",
    "data_flow_fragmentation": "#CC79A7",
    "green_tech_cooperation": "#009E73",
    "policy_uncertainty": "#999999",
}


def _humane(token: str) -> str:
    return token.replace("_", " ").strip()


def label(key: object) -> str:
    """Display name of an identifier (scenario, assumption, parameter path, column).

    Dotted parameter paths read as ``"<assumption>: <part>, <parameter>"``; band columns
    ``lower_80``/``upper_80`` (also with a ``_pct`` suffix) as ``"80% band, lower"``.
    """
    text = str(key)
    if text in NAMES:
        return NAMES[text]
    m = re.fullmatch(r"(lower|upper)_(\d+(?:\.\d+)?)(_pct)?", text)
    if m:
        return f"{m.group(2)}% band, {m.group(1)}" + (" (%)" if m.group(3) else "")
    if text.endswith("_pct") and text[:-4] in NAMES:
        return f"{NAMES[text[:-4]]} (%)"
    if "." in text:
        head, *rest = text.split(".")
        tail = ", ".join(NAMES.get(r, _humane(r)) for r in rest)
        return f"{assumption_label(head)}: {tail}"  # the head names an assumption
    out = _humane(text)
    return out[:1].upper() + out[1:]


#: Identifiers that read better humanised (``my_levy`` -> "My levy"); other names are kept.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


def scenario_label(name: object, *, in_sentence: bool = False) -> str:
    """Display name of a scenario, never read as a parameter path.

    Parameters
    ----------
    name : str
        The scenario name.
    in_sentence : bool, default False
        Lower-case the first letter of a display name, for use inside a sentence.

    Returns
    -------
    str
        The table's name for a preset, a lower-case identifier humanised as by
        :func:`label`, any other name (``"v2.0"``, ``"US tariffs"``) exactly as written.

    Examples
    --------
    >>> scenario_label("a.b"), scenario_label("my_levy")
    ('a.b', 'My levy')
    >>> scenario_label("escalation", in_sentence=True)
    'escalation'
    """
    text = str(name)
    if text not in NAMES and not _IDENTIFIER.fullmatch(text):
        return text
    out = label(text)
    return out[:1].lower() + out[1:] if in_sentence else out


def assumption_label(name: object, *, in_sentence: bool = False) -> str:
    """Display name of an assumption, the same in every table, chart and sentence.

    A preset's name from the table, a lower-case identifier humanised and capitalised
    (``drift`` is "Drift" as an assumption, although "drift" as a part of one), any other
    name (``"US tariffs"``) exactly as written; `in_sentence` lower-cases the first
    letter of the first two kinds, as :func:`scenario_label` does.

    >>> assumption_label("drift"), assumption_label("green_pilot"), assumption_label("US tariffs")
    ('Drift', 'Green pilot', 'US tariffs')
    >>> assumption_label("trade_friction", in_sentence=True), label("drift.delta")
    ('trade friction', 'Drift: growth change per year')
    """
    text = str(name)
    if text not in NAMES and not _IDENTIFIER.fullmatch(text):
        return text
    out = label(text)
    return out[:1].lower() + out[1:] if in_sentence else out[:1].upper() + out[1:]


def part_label(path: object) -> str:
    """A parameter path inside one assumption: ``"levy_step.size"`` -> ``"levy step, size"``."""
    return ", ".join(NAMES.get(p, _humane(p)) for p in str(path).split("."))


def unit_text(unit: object) -> str:
    """Display text of a unit code (``"USD_bn"`` -> ``"USD bn"``)."""
    return UNITS.get(str(unit), str(unit).replace("_", " "))


def evidence(assumption: str) -> str:
    """The evidence recorded for an assumption, or ``"judgement"`` when none is."""
    return EVIDENCE.get(str(assumption), "Judgement (no evidence recorded for this name).")


def colors(names: Iterable[str], fixed: Mapping[str, str] = SCENARIO_COLORS) -> dict[str, str]:
    """A colour per name: the fixed one when it has one, else the next unused palette colour.

    >>> colors(["baseline", "my_levy"])
    {'baseline': '#3B4A5A', 'my_levy': '#0072B2'}
    """
    names = list(dict.fromkeys(str(n) for n in names))
    taken = {fixed[n] for n in names if n in fixed}
    free = [c for c in PALETTE if c not in taken]
    out = {}
    for n in names:
        if n in fixed:
            out[n] = fixed[n]
        else:
            out[n] = free.pop(0) if free else PALETTE[len(out) % len(PALETTE)]
    return out
