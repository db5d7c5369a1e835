"""Refuse level records that the other releases show to be off by a unit or a currency.

Each level observation is compared, on the log scale, converted to the target currency
and to a full year (one per year and series), with the other levels of its series. Two
signatures are refused with one DataError naming every such record:

- **Order of magnitude.** A record of 1e15 (or 13,200 typed for 132.0) differs from the
  levels of the other years within :data:`WINDOW` years by more than a factor of
  :data:`FACTOR` plus :data:`GROWTH` log points per year apart (about +100% a year, more
  than any year in the data). One outlier cannot make its neighbours look wrong: a
  record is flagged only when it disagrees with more than half of at least two of them.
- **Isolated spike.** A record whose nearest levels on both sides (years ``t - a`` and
  ``t + b``) agree with each other, while it differs from each of them *in the same
  direction* by a large factor. That is what a constant factor applied to one record
  looks like: a figure in USD bn typed where the unit says 1e8 (10x too small), a CNY
  figure tagged USD (6-8x too large, the CNY/USD rate) or the reverse. A genuine series
  would have to jump and fall back (or fall and recover) by that factor.

The spike thresholds follow from the slips they must catch and the growth the data show,
not from any one file:

- against a neighbour one year away the record must differ by more than
  :data:`SPIKE` = 5: below every slip to catch (10 for bn vs 1e8; 6.1-8.3 for CNY vs USD
  since 2005) and 2.5 times the largest one-year change of any embedded series (EU,
  2015: x1.96). Each further year to that neighbour multiplies the threshold by
  ``exp(GAP_GROWTH)`` = 1.65, the fastest growth a series sustains (China's total,
  2010-2011: +43% and +65%), so a boom and bust over several years is not mistaken for
  a slip;
- the two neighbours must agree within ``exp(GAP_GROWTH)`` per year between them (a
  factor 2.7 for neighbours two years apart): if they disagree more, one of them may be
  the wrong one, and the record is not blamed.

On the embedded data the largest same-direction departure of any record from both its
neighbours is a factor 1.52 (EU 2015; 1.87 in an earlier vintage), far from 5 (tested).
Two adjacent slips do not look isolated and are not caught by the spike rule.

- **A jump at either end** (warned about, not refused). The first and the last record have
  one neighbour only, so a slip there cannot be told from a genuine break: the newest
  figure, the one most often typed by hand, is also the one without a second witness. A
  record is warned about when it differs from its only neighbour by more than the spike
  threshold (a factor of :data:`SPIKE` one year away, times ``exp(GAP_GROWTH)`` per
  further year) while that neighbour agrees with the next level beyond it (within
  ``exp(GAP_GROWTH)`` a year): the series was steady up to the jump. The warning names
  the record, the factor and the likely slip; the history uses the record as typed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping

from .._validation import user_stacklevel
from ..errors import DataError
from .profile import month_label

__all__ = ["check_outliers", "end_jumps", "record_sources", "spike_factor",
           "warn_growth_slips"]

WINDOW = 3
GROWTH = 0.7
FACTOR = 10.0
#: Factor a record must differ by from a neighbour one year away to be a spike.
SPIKE = 5.0
#: Log growth allowed per further year between a record and a neighbour (about +65%).
GAP_GROWTH = 0.5
#: Factors read as a CNY/USD mix-up (the rate was 6.1-8.3 since 2005, plus a year's
#: growth either way) and as a 1e8-vs-bn slip (10, within this factor), for the hint.
_RATE_RANGE = (5.0, 10.5)
_UNIT_TOLERANCE = 1.35


def record_sources(frame) -> dict[tuple[str, int], str]:
    """``(origin, row) -> source`` of a records frame, to name flagged records."""
    return dict(zip(zip(frame["origin"], frame["row"], strict=True), frame["source"],
                    strict=True))


def _describe(r: dict, sources: Mapping) -> str:
    """`row 7 of mine.csv (source 'src G', 2024 full year, level 31.59 USD_1e8)`."""
    src = sources.get((r["origin"], r["row"]))
    where = f"source {src!r}, " if src else ""
    return (f"row {r['row']} of {r['origin']} ({where}{r['year']} {month_label(r['months'])},"
            f" {r['measure']} {r['value']:g} {r['unit']})")


def _gross(levels: list[dict]) -> list[tuple[dict, float]]:
    """(record, factor against its neighbours' median) of every order-of-magnitude outlier."""
    bad = []
    for r in levels:
        near = [o for o in levels if o is not r and 1 <= abs(o["year"] - r["year"]) <= WINDOW]
        if len(near) < 2:
            continue
        far = [o for o in near if abs(r["y"] - o["y"]) > math.log(FACTOR) +
               GROWTH * abs(r["year"] - o["year"])]
        if 2 * len(far) > len(near):
            bad.append((r, math.exp(r["y"] - sorted(o["y"] for o in near)[len(near) // 2])))
    return bad


def spike_factor(y_prev: float, y: float, y_next: float, a: int, b: int) -> float | None:
    """The factor by which a level is an isolated spike between two neighbours, or None.

    Parameters
    ----------
    y_prev, y, y_next : float
        Log levels of the previous neighbour, the record and the next neighbour (same
        currency, full-year equivalents).
    a, b : int
        Years from the previous neighbour to the record and from the record to the next.

    Returns
    -------
    float or None
        ``exp(y - interpolation of the neighbours at the record's year)`` (e.g. 0.1 for a
        record 10 times too small) when the record is a spike by the rule of the module
        docstring, else None.

    Examples
    --------
    >>> import math
    >>> round(spike_factor(math.log(31.0), math.log(3.159), math.log(32.2), 1, 1), 3)
    0.1
    >>> spike_factor(math.log(31.0), math.log(20.0), math.log(32.2), 1, 1) is None
    True
    """
    d_prev, d_next = y - y_prev, y - y_next
    if d_prev * d_next <= 0:
        return None
    if abs(y_next - y_prev) > GAP_GROWTH * (a + b):
        return None
    need = [math.log(SPIKE) + GAP_GROWTH * (gap - 1) for gap in (a, b)]
    if abs(d_prev) <= need[0] or abs(d_next) <= need[1]:
        return None
    return math.exp(y - (y_prev + (y_next - y_prev) * a / (a + b)))


def _spikes(levels: list[dict]) -> list[tuple[dict, float, dict, dict]]:
    """(record, factor, previous, next) of every isolated spike among `levels`."""
    ordered = sorted(levels, key=lambda r: r["year"])
    out = []
    for prev, r, nxt in zip(ordered, ordered[1:], ordered[2:], strict=False):
        a, b = r["year"] - prev["year"], nxt["year"] - r["year"]
        if a < 1 or b < 1:  # one level per year is used; never compare within a year
            continue
        f = spike_factor(prev["y"], r["y"], nxt["y"], a, b)
        if f is not None:
            out.append((r, f, prev, nxt))
    return out


def end_jumps(rows: list[dict]) -> list[tuple[dict, float, dict, dict]]:
    """(record, factor, neighbour, next level beyond it) of the ends that jump.

    The first and the last of the level `rows` (by year) are compared with their only
    neighbour: a factor beyond the spike threshold for their distance (see the module
    docstring), where that neighbour and the level beyond it agree, is returned as
    ``exp(y - y_neighbour)`` (0.11 for 14.64 after 133.1).

    Examples
    --------
    >>> import math
    >>> rows = [{"year": t, "y": math.log(v)} for t, v in
    ...         [(2016, 110.0), (2017, 121.0), (2018, 133.1), (2019, 14.64)]]
    >>> [(r["year"], round(f, 3), n["year"]) for r, f, n, _ in end_jumps(rows)]
    [(2019, 0.11, 2018)]
    >>> end_jumps(rows[:3])
    []
    """
    ordered = sorted(rows, key=lambda r: r["year"])
    if len(ordered) < 3:  # two levels: either may be the wrong one
        return []
    out = []
    for r, near, far in ((ordered[0], ordered[1], ordered[2]),
                         (ordered[-1], ordered[-2], ordered[-3])):
        gap, beyond = abs(r["year"] - near["year"]), abs(near["year"] - far["year"])
        if gap < 1 or beyond < 1:  # one level per year is used; never compare within a year
            continue
        steady = abs(near["y"] - far["y"]) <= GAP_GROWTH * beyond
        if steady and abs(r["y"] - near["y"]) > math.log(SPIKE) + GAP_GROWTH * (gap - 1):
            out.append((r, math.exp(r["y"] - near["y"]), near, far))
    return out


def _hint(r: dict, f: float) -> str:
    """The likely slip behind a spike of factor `f`, with the corrected entry."""
    v, unit, basis = r["value"], r["unit"], str(r["unit"])[:3]
    lo, hi = _RATE_RANGE
    hints = []  # (distance of the factor from the slip's own, text): the closest first
    off_unit = abs(abs(math.log(f)) - math.log(10.0))
    if off_unit < math.log(_UNIT_TOLERANCE):
        hints.append((off_unit, f"a figure in billions typed where the unit says 1e8 (100 "
                                f"million): enter {v * 10:g} {unit}" if f < 1 else
                      f"10 times too large for 1e8 (100 million): enter {v / 10:g} {unit}"))
    other = {"USD": "CNY", "CNY": "USD"}.get(basis)
    if other and lo <= (f if basis == "USD" else 1 / f) <= hi:
        hints.append((abs(abs(math.log(f)) - math.log(7.0)),
                      f"a {other} figure tagged {basis} (an amount in CNY is 6-8 times its "
                      f"USD value): set unit {other}_1e8 and basis {other}"))
    if not hints:
        return "no common slip matches the factor"
    return "likely " + ", or ".join(text for _, text in sorted(hints))


def check_outliers(levels: list[dict], what: str, sources: Mapping | None = None) -> None:
    """Raise DataError naming every level record out of line with its neighbours.

    Where none is, warn about a first or last level that jumps from its only neighbour
    (:func:`end_jumps`): used as typed, since one neighbour cannot tell a slip from a break.

    Parameters
    ----------
    levels : list of dict
        The level observations used, at most one per year: keys ``row, origin, year,
        months, measure, value, unit`` (the record) and ``y`` (log full-year level in the
        target currency).
    what : str
        The series, e.g. ``"US offshore_execution (all)"``.
    sources : mapping, optional
        ``(origin, row) -> source`` of the records, to name them.

    Raises
    ------
    DataError
        A record differs by an order of magnitude from most of its neighbours, or is an
        isolated spike (see the module docstring); the message names each record, the
        factor and the likely fix.
    """
    sources = sources or {}
    levels = [r for r in levels if math.isfinite(r["y"])]
    gross = _gross(levels)
    flagged = {id(r) for r, _ in gross}  # neither a spike nor a neighbour to judge one by
    spikes = _spikes([r for r in levels if id(r) not in flagged])
    if not gross and not spikes:
        _warn_end_jumps([r for r in levels if id(r) not in flagged], what, sources)
        return
    parts = [f"{_describe(r, sources)} is {f:.3g} times the level of the neighbouring years"
             for r, f in gross]
    for r, f, prev, nxt in spikes:
        parts.append(
            f"{_describe(r, sources)} is {f:.3g} times what the levels of {prev['year']} "
            f"(row {prev['row']} of {prev['origin']}) and {nxt['year']} (row {nxt['row']} of "
            f"{nxt['origin']}) imply for it, about {r['value'] / f:.4g} {r['unit']}, while "
            f"those two agree: an isolated spike, {_hint(r, f)}")
    more = f"; and {len(parts) - 5} more" if len(parts) > 5 else ""
    raise DataError(
        f"{what}: every level record must agree with the releases of the neighbouring years "
        f"within normal growth (no isolated factor of {SPIKE:g} or more, no factor of "
        f"{FACTOR:g} beyond growth); " + "; ".join(parts[:5]) + more
        + ". A unit or currency slip? Check the unit (1e8 = 100 million: a figure in "
        "billions is 10 times smaller) and the currency (a CNY figure is 6-8 times its USD "
        "value). Correct or remove the row.")


def _warn_end_jumps(levels: list[dict], what: str, sources: Mapping) -> None:
    """Warn, naming each, about a first or last level that jumps (:func:`end_jumps`)."""
    for r, f, near, far in end_jumps(levels):
        side = "first" if r["year"] < near["year"] else "last"
        hint = _hint(r, f)
        hint = ("check its unit (1e8 = 100 million) and currency" if hint.startswith("no ")
                else hint)
        warnings.warn(
            f"{what}: {_describe(r, sources)}, the {side} level of the series, is {f:.3g} "
            f"times the level of {near['year']} (row {near['row']} of {near['origin']}), "
            f"which agrees with {far['year']}; no series in the releases changes by more "
            f"than about 2 times in a year. At an end of a series a slip cannot be told "
            f"from a break, so the record is used as typed; if it is a slip, {hint}.",
            UserWarning, stacklevel=user_stacklevel())


#: A growth rate is read as a fraction typed where the unit says percent (0.175 for 17.5%)
#: when the levels on both sides imply a change of at least this many log points (a year)...
SLIP_MIN_CHANGE = 0.05
#: ...and the record, read as a fraction, matches them within this share of that change
#: and at least four times better than as typed.
SLIP_MATCH = 0.25


def _implied(r: dict, level: dict, growth: dict) -> tuple[float, int, int, list[int]] | None:
    """(log change a year, year a, year b, other growth years) the levels imply for `r`.

    `a` is the nearest year with a level at or before ``t - 1`` and `b` the nearest at or
    after ``t``; over a longer span the other growth rates in it (their years listed) are
    taken out and the rest is shared evenly by the years left. None without both levels.
    """
    t = r["year"]
    a = max((y for y in level if y <= t - 1), default=None)
    b = min((y for y in level if y >= t), default=None)
    if a is None or b is None:
        return None
    others = [s for s in growth if a < s <= b and s != t]
    change = level[b] - level[a] - sum(growth[s] for s in others)
    return change / (b - a - len(others)), a, b, others


def growth_slips(used: list[dict]) -> list[tuple[dict, float, int, int, list[int]]]:
    """(record, implied growth in percent a year, a, b, other growth years) of the slips.

    A growth rate ``v`` (unit ``pct``) in year ``t`` is compared with the log change of
    the levels used for ``t - 1`` and ``t`` (full-year equivalents, same currency). Where
    either year has no level, the nearest levels around them, years ``a < t <= b``, stand
    in: their log change, less the growth rates of the span's other years, shared evenly
    by the years of the span without one (2016 to 2018 at +21%, with no other growth
    rate, implies +10% for 2017). The record is flagged when that change is at least
    :data:`SLIP_MIN_CHANGE` log points a year and the record, read as ``100 v`` percent,
    agrees with it within :data:`SLIP_MATCH` of that change and four times better than
    ``v`` percent does: 0.175 typed for 17.5%.

    Examples
    --------
    >>> import math
    >>> used = [{"year": t, "slot": 0, "y": math.log(100 * 1.1 ** (t - 2014))}
    ...         for t in (2014, 2015, 2016, 2018, 2019)]
    >>> used.append({"year": 2017, "slot": 1, "value": 0.1, "y": math.log1p(0.001)})
    >>> [(r["year"], round(g, 1), a, b) for r, g, a, b, _ in growth_slips(used)]
    [(2017, 10.0, 2016, 2018)]
    >>> used[-1].update(value=10.0, y=math.log1p(0.1))  # as published: no slip
    >>> growth_slips(used)
    []
    """
    level = {r["year"]: r["y"] for r in used if r["slot"] == 0 and math.isfinite(r["y"])}
    growth = {r["year"]: r["y"] for r in used if r["slot"] == 1 and math.isfinite(r["y"])}
    out = []
    for r in used:
        if r["slot"] != 1 or not r["value"] > -1.0 or not math.isfinite(r["y"]):
            continue
        v = r["value"]
        implied = _implied(r, level, growth)
        if implied is None:
            continue
        change, a, b, others = implied
        typed = abs(r["y"] - change)
        as_fraction = abs(r["y"] - math.log1p(v / 100.0) + math.log1p(v) - change)
        if (abs(change) >= SLIP_MIN_CHANGE and as_fraction <= SLIP_MATCH * abs(change)
                and 4.0 * as_fraction < typed):
            out.append((r, 100.0 * math.expm1(change), a, b, others))
    return out


def _levels_text(a: int, b: int, others: list[int], implied: float) -> str:
    """`the levels of 2016 and 2018, which imply +10.0% a year in between`."""
    if b - a == 1:
        return f"the levels of {a} and {b}, which imply {implied:+.1f}%"
    given = (f" after the growth rate{'s' * (len(others) > 1)} of "
             f"{', '.join(map(str, others))}" if others else "")
    return (f"the levels of {a} and {b} (no level in between), which imply "
            f"{implied:+.1f}% a year{given}")


def warn_growth_slips(used: list[dict], what: str, sources: Mapping | None = None) -> None:
    """Warn, naming each record, about growth rates that read as a fraction slip."""
    for r, implied, a, b, others in growth_slips(used):
        warnings.warn(
            f"{what}: {_describe(r, sources or {})} contradicts "
            f"{_levels_text(a, b, others, implied)}; read as {100 * r['value']:g}% it "
            f"would agree. If the release says {100 * r['value']:g}%, enter "
            f"{100 * r['value']:g} (the unit is percent, not a fraction); the history uses "
            "the record as typed.", UserWarning, stacklevel=user_stacklevel())
