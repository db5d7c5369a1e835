"""Turn release records into observations of the log annual level (private to history).

Every record of the requested series becomes one row of the observation table: what it
says about the target-currency annual level (``y`` on the log scale, with variance
``var``), which state-space slot it feeds (``0``: the level ``x_t``; ``1``: the growth
``x_t - x_{t-1}``), and whether it is used, with the reason when it is not. Nothing is
dropped silently: unused records stay in the table with their reason.

Per year at most one record feeds each slot. January-to-month figures are cumulative, so
the figure covering the most months of a year contains the shorter ones (and a full-year
figure contains every partial one); the same figure published in both currencies, or
again in another re-post, or re-derived from a share, is one piece of evidence, not two.
So is a growth rate whose two end levels (the same period of the year and the year
before) are both used: it restates their ratio (:func:`drop_restated_growth`), and the
year's growth slot goes to the next figure, as if it were not published.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable

import numpy as np
import pandas as pd

from ..errors import DataError
from .profile import IntraYearProfile, month_label

# Measurement sd (log scale) by confidence, before rounding and conversion terms:
# "read" covers revisions and label drift between re-posts; "uncertain" covers a wrong
# year or a garbled copy.
LEVEL_SD = {"read": 0.01, "uncertain": 0.10}
GROWTH_SD = {"read": 0.005, "uncertain": 0.05}

COLUMNS = ["row", "origin", "year", "months", "measure", "basis", "value", "unit",
           "confidence", "kind", "evidence", "slot", "y", "var", "fx_rate", "fx_method",
           "used", "reason", "y0", "var0", "own_var", "pending"]


def _half_unit(value: float) -> float:
    """Half a unit of the last published digit (figures are rounded when published)."""
    text = repr(abs(float(value)))
    if "e" in text or "." not in text:
        return 0.5
    decimals = len(text.split(".")[1].rstrip("0"))
    return 0.5 * 10.0 ** (-decimals)


def _round_var(value: float, scale: float) -> float:
    """Variance of a uniform rounding error, on the log scale of a quantity ``scale``."""
    return (_half_unit(value) / scale) ** 2 / 3.0


class _Converter:
    """Conversion of log values between USD and CNY with the fx stage's rates."""

    def __init__(self, records, fx, currency: str) -> None:
        self.records, self.fx, self.currency = records, fx, currency
        self.cache: dict[tuple[int, int], object] = {}

    def rate(self, year: int, months: int):
        key = (year, months)
        if key not in self.cache:
            try:
                self.cache[key] = self.fx.for_period(self.records, year, months)
            except DataError as exc:
                self.cache[key] = exc
        return self.cache[key]

    def shift(self, basis: str, year: int, months: int) -> tuple[float, float, float, str]:
        """(log shift, variance, rate, method) taking a `basis` value to the target currency.

        Raises DataError (caught by the caller) when no rate exists.
        """
        if basis == self.currency:
            return 0.0, 0.0, np.nan, ""
        r = self.rate(year, months)
        if isinstance(r, Exception):
            raise r
        sign = -1.0 if self.currency == "USD" else 1.0  # CNY -> USD divides by CNY/USD
        return sign * float(np.log(r.rate)), float(r.log_sd) ** 2, float(r.rate), str(r.method)


def _evidence(kind: str, months: int, basis: str) -> str:
    """Label of a record in ``History.to_frame()["evidence"]``: "partial(Jan-Oct, CNY)"."""
    period = "" if months == 12 else f"{month_label(months)}, "
    name = {"partial_growth": "growth"}.get(kind, kind)
    return f"{name}({period}{basis})"


def build(records, series: pd.DataFrame, totals: pd.DataFrame, market: str, currency: str,
          fx, profile: IntraYearProfile, span: tuple[int, int]
          ) -> tuple[pd.DataFrame, _Converter]:
    """Observation table for the rows of `series` (one market, segment, flow).

    `totals` holds the China-total (ALL) levels of the same segment and flow, used to turn
    shares into levels. `span` is the (first, last) year reconstructed.
    """
    conv = _Converter(records, fx, currency)
    total_of = {}
    for t in totals.itertuples(index=False):
        total_of.setdefault((int(t.year), int(t.months), t.unit[:3]), (float(t.value),
                                                                       t.confidence))
    first, last = span
    out = []
    for rec in series.itertuples(index=False):
        year, months, value = int(rec.year), int(rec.months), float(rec.value)
        basis = rec.unit[:3] if rec.measure == "level" else str(rec.basis)
        kind = _kind(str(rec.measure), months)
        row = {"row": int(rec.row), "origin": rec.origin, "year": year, "months": months,
               "measure": rec.measure, "basis": basis, "value": value, "unit": rec.unit,
               "confidence": rec.confidence, "slot": 0, "y": np.nan, "var": np.nan,
               "fx_rate": np.nan, "fx_method": "", "used": True, "reason": "",
               "y0": np.nan, "var0": np.nan, "own_var": np.nan, "pending": False,
               "kind": kind,
               "evidence": _evidence(kind, months, basis)}
        out.append(row)
        if not first <= year <= last:
            row.update(used=False, reason=f"outside the reconstructed years {first}-{last}")
            continue
        conf = rec.confidence if rec.confidence in LEVEL_SD else "uncertain"
        try:
            if kind in ("level", "partial", "share"):
                tot = total_of.get((year, months, basis)) if kind == "share" else None
                y, var, own = _level_obs(kind, value, conf, row, market, tot, profile)
                row.update(y0=y, var0=var, own_var=own, pending=True)
            elif kind in ("growth", "partial_growth"):
                y, var, own = _growth_obs(value, conf, row, first, profile)
                row.update(slot=1, y0=y, var0=var, own_var=own, pending=True)
            else:
                raise _Unused(f"measure {rec.measure!r} is not used by the history model")
        except _Unused as exc:
            row.update(used=False, reason=str(exc))
    # the levels first: a growth rate whose two end levels are used restates them, and the
    # growth slot goes to the next figure, as if the restatement were not published
    select([r for r in out if r["slot"] == 0], conv)
    drop_restated_growth(out, conv)
    select([r for r in out if r["slot"] == 1], conv)
    return pd.DataFrame(out, columns=COLUMNS), conv


def _kind(measure: str, months: int) -> str:
    """level / partial (January-to-month level), growth / partial_growth, share."""
    if measure == "yoy_growth":
        return "growth" if months == 12 else "partial_growth"
    if measure == "level":
        return "level" if months == 12 else "partial"
    return measure


def _level_obs(kind: str, value: float, conf: str, row: dict, market: str,
               tot: tuple[float, str] | None, profile: IntraYearProfile
               ) -> tuple[float, float, float]:
    """Log full-year level (in bn of the record's currency), its variance, and the part
    of it that is the figure's own (measurement and rounding, without the profile's).

    A share becomes a level through the China total `tot` of the same period; a
    January-to-month level through the intra-year profile.
    """
    year, months = row["year"], row["months"]
    level = value
    var = LEVEL_SD[conf] ** 2 + _round_var(value, value)
    if kind == "share":
        if market == "ALL":
            raise _Unused("a share of China's total cannot inform the total")
        if tot is None:
            raise _Unused(f"no China-total (ALL) level for {year} {month_label(months)} in "
                          f"{row['basis']} to apply the share to; add that record to use it")
        level = value / 100.0 * tot[0]
        var += _round_var(tot[0], tot[0])
        if tot[1] != "read":
            var += LEVEL_SD["uncertain"] ** 2
    if not level > 0:
        raise _Unused(f"a level must be > 0; got {level:g}")
    y, own = np.log(level / 10.0), var
    if months < 12:
        y -= float(profile.log_share(months)[0])
        var += float(profile.log_var(months)[0])
    return y, var, own


def _growth_obs(value: float, conf: str, row: dict, first: int, profile: IntraYearProfile
                ) -> tuple[float, float, float]:
    """Log growth factor ``log(1 + g)``, its variance (partial-year growth: plus the
    variation of the intra-year profile between the two years) and the figure's own part
    of it (measurement and rounding)."""
    year, months = row["year"], row["months"]
    if year - 1 < first:
        raise _Unused(f"it relates {year} to {year - 1}, before the first reconstructed "
                      f"year; reconstructing from {year - 1} (start={year - 1} in Python), "
                      "with a level to anchor that year, would use it")
    if not value > -100:
        raise _Unused(f"a growth rate must be > -100%; got {value:g}")
    var = own = GROWTH_SD[conf] ** 2 + _round_var(value, 100.0 + value)
    if months < 12:
        var += 2.0 * float(profile.variation_var(months)[0])
    return float(np.log1p(value / 100.0)), var, own


def convert(row: dict, conv: _Converter) -> None:
    """Fill ``y``, ``var`` and the rate of a pending row (raises DataError without a rate)."""
    year, months, basis = row["year"], row["months"], row["basis"]
    shift, fvar, rate, method = conv.shift(basis, year, months)
    if row["slot"] == 1:
        s0, v0, _, _ = conv.shift(basis, year - 1, months)
        shift, fvar = shift - s0, fvar + v0
    row.update(y=row["y0"] + shift, var=row["var0"] + fvar, fx_rate=rate, fx_method=method,
               pending=False)


def finish(table: pd.DataFrame, conv: _Converter) -> pd.DataFrame:
    """Convert the rows left pending (records not used by the model), for display."""
    rows = table.to_dict("records")
    for r in rows:
        if r["pending"]:
            try:
                convert(r, conv)
            except DataError as exc:
                r.update(pending=False, reason=f"{r['reason']}; no exchange rate: {exc}")
    return pd.DataFrame(rows, columns=COLUMNS)


class _Unused(Exception):
    """A record that cannot inform the model; the message is the reason shown to users."""


def _ref(r: dict) -> str:
    return f"row {r['row']} of {r['origin']}"


#: standard deviations apart (measurement and exchange-rate uncertainty together) at which
#: a period's USD and CNY levels contradict each other instead of restating each other
CURRENCY_CONFLICT_SD = 4.0


def _check_currencies_agree(r: dict, best: dict, conv: _Converter) -> None:
    """Raise a DataError when the level `r` contradicts `best`, the same period's level in
    the other currency, beyond what the rate and the figures' own uncertainty allow.

    One of the two is kept as a restatement of the other; a CNY figure 24% above its USD
    one (a misread digit, another unit) was dropped in a USD history and used in a CNY one,
    so the same records gave two incompatible years, and neither said so.
    """
    if r["kind"] != best["kind"] or r["kind"] not in ("level", "partial"):
        return
    if isinstance(r["slot"], str):  # the joint model's table: r's y is still its own
        if not r["slot"] == best["slot"] == "level":
            return
        y, var = r["y"], r["var"]
    else:
        if r["slot"] or best["slot"]:
            return
        y, var = r["y0"], r["var0"]
    try:  # both on the target currency's log scale; `best` is converted already
        shift, fvar, rate, _ = conv.shift(r["basis"], r["year"], r["months"])
    except DataError:
        return
    gap = y + shift - best["y"]
    sd = float(np.sqrt(var + fvar + best["var"]))
    if abs(gap) <= CURRENCY_CONFLICT_SD * sd:
        return
    cny, usd = (r, best) if r["basis"] == "CNY" else (best, r)
    implied = cny["value"] / usd["value"]  # levels are in 1e8 of their currency, both
    period = "" if r["months"] == 12 else f" {month_label(r['months'])}"
    raise DataError(
        f"the{period} {r['year']} levels in CNY ({_ref(cny)}: {cny['value']:g} "
        f"{cny['unit']}) and in USD ({_ref(usd)}: {usd['value']:g} {usd['unit']}) imply "
        f"{implied:.3g} CNY per USD, {100 * (np.exp(abs(gap)) - 1):.0f}% from the rate "
        f"used ({rate:.4g}), more than the figures and the rate allow (about "
        f"{100 * CURRENCY_CONFLICT_SD * sd:.0f}%): one of them is misread or in other "
        "units. Correct that row, or leave it out of the records (records.filter or your "
        "file).")


#: standard deviations apart (the three figures' own uncertainty, and the exchange rates'
#: where their currencies differ) within which a growth rate restates the ratio of the two
#: levels it relates, as a period's two currencies' levels restate each other
GROWTH_RESTATEMENT_SD = CURRENCY_CONFLICT_SD


def _in_basis(r: dict, basis: str, conv: _Converter) -> tuple[float, float]:
    """(log value, own variance) of the level row `r` in `basis` (raises DataError)."""
    if r["basis"] == basis:
        return r["y0"], r["own_var"]
    s_r, v_r, _, _ = conv.shift(r["basis"], r["year"], r["months"])
    s_b, v_b, _, _ = conv.shift(basis, r["year"], r["months"])
    return r["y0"] + s_r - s_b, r["own_var"] + v_r + v_b


def drop_restated_growth(rows: list[dict], conv: _Converter, *,
                         slots: tuple[Hashable, Hashable] = (0, 1),
                         group: Callable[[dict], Hashable] = lambda r: ()) -> None:
    """Report unused each growth rate whose two end levels are both used: it restates them.

    A growth rate of year t over January-m (m = 12: the full year) is the ratio of the
    levels of that period in t and t - 1. When the levels used for both years (chosen by
    :func:`select` beforehand: direct, or from a share) are of that period, it adds
    nothing to them, and counting it again would narrow the bands for no reason: the US
    2023 growth rate, 13.6% in CNY, restates 2132/1878 = +13.5%. Their currency does not
    matter, as for a period's two levels: one currency's figure is a conversion of the
    other's. Every candidate of the growth slot is checked before the slot's figure is
    chosen, so a restatement changes nothing: the history is the one without it.

    Both levels must be ``read``: an ``uncertain`` one (its year inferred, a garbled copy)
    may not be the figure the rate was computed from, and its 10% error would let almost
    any rate "agree" with it; the rate then pins what that level only hints at (the US
    2017 January-May growth rate and the 2016 figure whose year the excerpt does not
    state), as the intra-year profile uses ``read`` pairs only.

    A restatement agrees with the levels' ratio within :data:`GROWTH_RESTATEMENT_SD`
    standard deviations of the three figures' own uncertainty (measurement and rounding;
    the exchange rates' where the currencies differ; the intra-year profile cancels
    between two years' same months). A growth rate further off is no restatement: it says
    something the levels do not (a revised base year, or a slip), and it stays in use as
    any growth rate, where the fraction-slip warning can name it. It is not refused:
    growth rates and levels of different releases do disagree (docs/history.md).

    `slots` names the level and the growth slot of the rows (``0`` and ``1`` here;
    ``"level"`` and ``"growth"`` in the joint market model's table), and `group` the
    series a row belongs to (one here; the market set in the joint model): a rate
    restates two levels of its own series only. Rows need ``y0`` (the log value in their
    own currency) and ``own_var`` (its measurement and rounding variance).
    """
    level_slot, growth_slot = slots
    levels = {(group(r), r["year"]): r for r in rows
              if r["used"] and r["slot"] == level_slot}
    for g in rows:
        if not (g["used"] and g["slot"] == growth_slot):
            continue
        year, months, basis = g["year"], g["months"], g["basis"]
        ends = (levels.get((group(g), year - 1)), levels.get((group(g), year)))
        if any(e is None or e["months"] != months or e["confidence"] != "read"
               for e in ends):
            continue
        try:
            (y_a, v_a), (y_b, v_b) = (_in_basis(e, basis, conv) for e in ends)
        except DataError:  # no rate for the rate's own currency: select() reports it unused
            continue
        gap = g["y0"] - (y_b - y_a)
        if abs(gap) > GROWTH_RESTATEMENT_SD * float(np.sqrt(g["own_var"] + v_a + v_b)):
            continue
        what = "full-year" if months == 12 else month_label(months)
        other = {e["basis"] for e in ends} - {basis}
        change = f"{100 * np.expm1(y_b - y_a):+.1f}%" + (f" in {basis}" if other else "")
        g.update(used=False, reason=(
            f"restates the {what} levels of {year - 1} ({_ref(ends[0])}) and {year} "
            f"({_ref(ends[1])}), both used, which imply {change} (this rate: "
            f"{g['value']:+g}%, within the figures' rounding and uncertainty); one piece of "
            "evidence, counted once"))


#: the start of the reason of a kept record whose currency has no exchange rate
NO_RATE = "no exchange rate to convert it: "


def select(rows: list[dict], conv: _Converter,
           key: Callable[[dict], Hashable] = lambda r: (r["year"], r["slot"]),
           convert: Callable[[dict, _Converter], None] = convert) -> None:
    """Keep one record per `key` (default: year and slot); give every other its reason.

    Works in place on the rows of :func:`build` (and of the joint model's table, which
    groups by year, market set and slot and converts with its own `convert`). Only the
    kept record is converted (rates are costly to look up); a kept record whose currency
    has no rate is reported and the next candidate is tried.
    """
    currency = conv.currency
    groups: dict[Hashable, list[dict]] = {}
    for r in rows:
        if r["used"]:
            groups.setdefault(key(r), []).append(r)
    for grp in groups.values():
        # stable sort: the caller's canonical record order breaks the remaining ties
        grp.sort(key=lambda r: (-r["months"], r["confidence"] != "read", r["kind"] == "share",
                                r["basis"] != currency))
        while grp:
            try:
                convert(grp[0], conv)
                break
            except DataError as exc:
                grp.pop(0).update(used=False, reason=f"{NO_RATE}{exc}")
        if not grp:
            continue
        best = grp[0]
        for r in grp[1:]:
            if r["months"] < best["months"]:
                what = "full-year" if best["months"] == 12 else month_label(best["months"])
                why = (f"superseded by the {what} figure of the same year ({_ref(best)}), "
                       "which contains these months")
            elif r["kind"] == "share" and best["kind"] != "share":
                why = f"the same period's level is published directly ({_ref(best)})"
            elif r["basis"] != best["basis"]:
                _check_currencies_agree(r, best, conv)
                why = (f"the same period is also published in {best['basis']} "
                       f"({_ref(best)}); one currency's figure is a conversion of the other's")
            elif r["kind"] == best["kind"] and r["value"] == best["value"]:
                why = (f"duplicate of {_ref(best)} (same figure, another re-post); "
                       "counted once")
            else:
                why = f"another figure for the same period is preferred ({_ref(best)})"
            r["used"], r["reason"] = False, why
