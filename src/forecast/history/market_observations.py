"""Release records as observations of the joint market model (private to history).

The joint model (:mod:`forecast.history.market_model`) has, per year, the log total
``x_t`` and the additive log ratios ``r_k,t = log(s_k / s_ROW)`` of the named markets
against the rest of the world. A record of a *set* of named markets S (one market, or a
combination such as ``US+HK+EU``; S empty for China's total ``ALL``) is one of:

- a level: ``log L_S = x_t + f_S(r_t)`` (``f_S = 0`` for the total);
- a share of China's total: ``log s_S = f_S(r_t)``;
- a growth rate: ``log(1 + g) = x_t - x_(t-1) + f_S(r_t) - f_S(r_(t-1))``;

where ``f_S(r) = log(sum_(j in S) exp r_j) - log(1 + sum_j exp r_j)`` is the log share of
S. Levels and growth rates are converted and profile-corrected exactly as the
single-market history does them (:mod:`forecast.history.observations`); shares need no
exchange rate. January-to-month shares are corrected by the difference of the set's and
the total's intra-year profiles and carry one profile variation.

One figure per (year, set, slot) is used, preferring more months, ``read`` records and the
target currency. A growth rate whose set's two end levels (the same period of the year and
the year before) are both used restates their ratio and is reported unused, as in the
single-market history (:func:`forecast.history.observations.drop_restated_growth`). A
share whose level and total for the same period are both used only
restates them and is reported unused; in a period without a published total, one share
with its level implies the total and further such shares are reported unused. Records of
markets that are not modelled stay in the table, unused, with the reason.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .observations import GROWTH_SD, LEVEL_SD, _ref, _round_var, drop_restated_growth, select
from .profile import month_label

COLUMNS = ["row", "origin", "market", "year", "months", "measure", "basis", "value", "unit",
           "confidence", "kind", "evidence", "members", "slot", "y", "var", "fx_rate",
           "fx_method", "used", "reason"]
SLOTS = ("level", "growth", "share")


class _Unused(Exception):
    """A record that cannot inform the joint model; the message is the reason shown."""


def members_of(market: str, markets: tuple[str, ...]) -> tuple[str, ...]:
    """The named markets a record's market stands for (() for ALL); raises _Unused."""
    if market == "ALL":
        return ()
    parts = market.split("+")
    missing = [p for p in parts if p not in markets]
    if missing:
        what = "is not modelled" if len(parts) == 1 else (
            f"combines markets that are not modelled ({', '.join(missing)})")
        raise _Unused(f"{market} {what}: it is part of the rest of the world (ROW) here; add "
                      "it to `markets` to model it")
    return tuple(m for m in markets if m in parts)


def _kind(measure: str, months: int) -> str:
    base = {"level": "level", "yoy_growth": "growth", "share": "share"}[measure]
    return base if months == 12 else f"partial_{base}" if base != "level" else "partial"


def _evidence(kind: str, market: str, months: int, basis: str) -> str:
    period = "" if months == 12 else f"{month_label(months)}, "
    name = kind.removeprefix("partial_")
    return f"{market} {name}({period}{basis if name != 'share' else '%'})"


def _measure(rec, members, profiles, span) -> tuple[str, float, float, float]:
    """(slot, y before conversion, variance before conversion, the figure's own part of
    that variance: measurement and rounding, without the intra-year profile's) of one
    record."""
    first, _ = span
    year, months, value = int(rec.year), int(rec.months), float(rec.value)
    conf = rec.confidence if rec.confidence in LEVEL_SD else "uncertain"
    prof = profiles[members[0] if len(members) == 1 else "ALL"]
    if rec.measure == "level":
        y = float(np.log(value / 10.0))
        var = own = LEVEL_SD[conf] ** 2 + _round_var(value, value)
        if months < 12:
            y -= float(prof.log_share(months)[0])
            var += float(prof.log_var(months)[0])
        return "level", y, var, own
    if rec.measure == "share":
        if not members:
            raise _Unused("a share of China's total cannot inform the total")
        y = float(np.log(value / 100.0))
        var = own = LEVEL_SD[conf] ** 2 + _round_var(value, value)
        if months < 12:  # the set's months against the total's: their profiles' difference
            y -= float(prof.log_share(months)[0] - profiles["ALL"].log_share(months)[0])
            var += float(prof.variation_var(months)[0])
        return "share", y, var, own
    if year - 1 < first:
        raise _Unused(f"it relates {year} to {year - 1}, before the first reconstructed year;"
                      f" reconstructing from {year - 1} (start={year - 1} in Python), with a "
                      "level to anchor that year, would use it")
    var = own = GROWTH_SD[conf] ** 2 + _round_var(value, 100.0 + value)
    if months < 12:
        var += 2.0 * float(prof.variation_var(months)[0])
    return "growth", float(np.log1p(value / 100.0)), var, own


def build(frame: pd.DataFrame, markets: tuple[str, ...], conv, profiles: dict,
          span: tuple[int, int]) -> pd.DataFrame:
    """Observation table of the joint model from the records of one segment and flow.

    `frame` holds the rows of that segment and flow (every market); `conv` converts
    levels to the target currency (``observations._Converter``); `profiles` maps each
    named market and ``"ALL"`` to its intra-year profile; `span` is (first, last) year.
    """
    first, last = span
    out = []
    for rec in frame.itertuples(index=False):
        months = int(rec.months)
        basis = rec.unit[:3] if rec.measure == "level" else str(rec.basis)
        kind = _kind(str(rec.measure), months)
        row = {"row": int(rec.row), "origin": rec.origin, "market": rec.market,
               "year": int(rec.year), "months": months, "measure": rec.measure,
               "basis": basis, "value": float(rec.value), "unit": rec.unit,
               "confidence": rec.confidence, "kind": kind,
               "evidence": _evidence(kind, rec.market, months, basis), "members": (),
               "slot": "", "y": np.nan, "var": np.nan, "fx_rate": np.nan, "fx_method": "",
               "used": True, "reason": ""}
        out.append(row)
        try:
            row["members"] = members_of(str(rec.market), markets)
            if not first <= row["year"] <= last:
                raise _Unused(f"outside the reconstructed years {first}-{last}")
            row["slot"], row["y"], row["var"], row["own_var"] = _measure(
                rec, row["members"], profiles, span)
            row["y0"] = row["y"]
        except _Unused as exc:
            row.update(used=False, reason=str(exc))
    # one record per (year, market set, slot), chosen as for the single-market series:
    # the levels first, then the growth rates that do not restate two of them, then shares
    select([r for r in out if r["slot"] == "level"], conv, key=_slot_key, convert=_convert)
    drop_restated_growth(out, conv, slots=("level", "growth"), group=_members)
    select([r for r in out if r["slot"] != "level"], conv, key=_slot_key, convert=_convert)
    _drop_restated_shares(out)
    return pd.DataFrame(out, columns=COLUMNS)


def _slot_key(row: dict) -> tuple:
    return row["year"], row["members"], row["slot"]


def _members(row: dict) -> tuple[str, ...]:
    return row["members"]


def _convert(row: dict, conv) -> None:
    """Add the exchange-rate shift and variance of a level or growth row (in place)."""
    if row["slot"] == "share":
        return
    shift, fvar, rate, method = conv.shift(row["basis"], row["year"], row["months"])
    if row["slot"] == "growth":
        s0, v0, _, _ = conv.shift(row["basis"], row["year"] - 1, row["months"])
        shift, fvar = shift - s0, fvar + v0
    row.update(y=row["y"] + shift, var=row["var"] + fvar, fx_rate=rate, fx_method=method)


def _drop_restated_shares(rows: list[dict]) -> None:
    """A share whose level (and total) of the same period are used adds nothing new."""
    levels = {(r["year"], r["months"], r["members"]): r for r in rows
              if r["used"] and r["slot"] == "level"}
    implied: dict[tuple[int, int], dict] = {}
    shares = [r for r in rows if r["used"] and r["slot"] == "share"]
    # canonical order (not the records' order): single markets first, then by name
    for r in sorted(shares, key=lambda r: (len(r["members"]), r["members"], r["row"])):
        period = (r["year"], r["months"])
        own = levels.get((*period, r["members"]))
        if own is None:
            continue
        total = levels.get((*period, ()))
        if total is not None:
            r.update(used=False, reason=f"restates its level ({_ref(own)}) over China's total "
                                        f"of the same period ({_ref(total)})")
        elif period in implied:
            r.update(used=False, reason=f"with its level ({_ref(own)}) it restates China's "
                                        f"total of the same period, already implied by "
                                        f"{_ref(implied[period])} and its level")
        else:
            implied[period] = r
