"""Schema and row validation of release records (private to :mod:`forecast.records`).

Every cell is checked and every problem collected before anything is raised, so a user
fixing a file sees all of its problems at once, each as
``row 12, column 'months': 13 is outside 1..12; ...``.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import math
import re
from collections.abc import Callable, Sequence
from typing import NamedTuple

import pandas as pd

from .._keywords import suggest
from .._validation import NUMBER_RE, number_hint
from ..errors import DataError
from ._periods import future_problem, months_hint, period_end_date, published_text

# Columns of releases.csv, in file order.
CSV_COLUMNS: tuple[str, ...] = (
    "market", "segment", "flow", "year", "months", "measure", "value", "unit", "basis",
    "published", "source", "address", "confidence", "note",
)
OPTIONAL_COLUMNS: frozenset[str] = frozenset({"address", "note"})
REQUIRED_COLUMNS: tuple[str, ...] = tuple(c for c in CSV_COLUMNS if c not in OPTIONAL_COLUMNS)
# Columns of Records.frame, in order.
FRAME_COLUMNS: tuple[str, ...] = (
    "market", "segment", "flow", "year", "months", "measure", "value", "unit", "basis",
    "published", "published_date", "source", "address", "confidence", "note", "row", "origin",
)
PROVENANCE_COLUMNS: frozenset[str] = frozenset({"row", "origin", "published_date"})
KEY_COLUMNS: tuple[str, ...] = (
    "market", "segment", "flow", "year", "months", "measure", "basis",
)

KNOWN_MARKETS: tuple[str, ...] = ("US", "ALL", "HK", "EU", "JP", "KR", "SG", "RCEP", "BRI")
#: Order of the codes in a sum after loading: the known markets in this order, then any
#: other code alphabetically ("HK+US" and "US+HK" are one market, stored as "US+HK").
_SUM_ORDER: dict[str, int] = {m: i for i, m in enumerate(KNOWN_MARKETS)}
MARKET_RE = re.compile(r"^[A-Z]{2,6}(\+[A-Z]{2,6})*$")
SEGMENTS: tuple[str, ...] = ("all", "ITO", "BPO", "KPO")
FLOWS: tuple[str, ...] = ("offshore_execution", "offshore_contract", "so_execution", "so_contract")
MEASURES: tuple[str, ...] = ("level", "yoy_growth", "share")
UNITS: tuple[str, ...] = ("USD_1e8", "CNY_1e8", "pct")
BASES: tuple[str, ...] = ("USD", "CNY")
CONFIDENCES: tuple[str, ...] = ("read", "uncertain")
YEAR_RANGE: tuple[int, int] = (1980, 2100)

VOCABULARY: dict[str, tuple[str, ...]] = {
    "segment": SEGMENTS,
    "flow": FLOWS,
    "measure": MEASURES,
    "unit": UNITS,
    "basis": BASES,
    "confidence": CONFIDENCES,
}
_VOCAB_HELP = {
    "segment": "all segments together, or IT, business-process or knowledge-process outsourcing",
    "flow": "offshore = international; so_ = all service outsourcing, onshore included",
    "measure": "yoy_growth and share are percentages",
    "unit": "1e8 = 100 million (亿); pct for growth rates and shares",
    "basis": "the currency of the level, or of the level behind a growth rate or share",
    "confidence": "read = the figure is in the cited text; uncertain = inferred or garbled",
}


class Problem(NamedTuple):
    """One bad cell: 1-based data row, column name, the value as given, and what is wrong."""

    row: int
    column: str
    value: object
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row > 0 else ""
        return f"{where}column '{self.column}': {self.message}"


def raise_problems(header: str, problems: Sequence[Problem], limit: int = 200) -> None:
    """Raise one DataError listing every problem (``err.problems`` holds them all)."""
    if not problems:
        return
    lines = [str(p) for p in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... and {len(problems) - limit} more (see `err.problems`)")
    n = len(problems)
    err = DataError(f"{header}: {n} problem{'s' if n != 1 else ''}:\n  " + "\n  ".join(lines))
    err.problems = tuple(problems)  # type: ignore[attr-defined]
    raise err


def parse_period_end(text: str) -> pd.Timestamp | None:
    """The last day that 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' allows as a Timestamp, or None.

    Examples
    --------
    >>> str(parse_period_end("2025-12").date()), str(parse_period_end("2011").date())
    ('2025-12-31', '2011-12-31')
    >>> parse_period_end("2023-13") is None
    True
    """
    d = period_end_date(text)
    return None if d is None else pd.Timestamp(d)


def market_problem(value: str) -> str | None:
    """Why `value` is not a market code, or None when it is one."""
    if MARKET_RE.match(value):
        parts = value.split("+")
        if len(parts) > 1 and "ALL" in parts:
            return (f"'{value}' adds ALL (China's total) to other markets; use 'ALL' alone "
                    "or a sum of individual markets such as 'US+HK+EU'")
        if len(set(parts)) != len(parts):
            return f"'{value}' repeats a market; list each market of a sum once"
        return None
    hint = ""
    up = value.strip().upper().replace(" ", "")
    if up != value and MARKET_RE.match(up):
        hint = f" Did you mean '{up}'?"
    known = ", ".join(KNOWN_MARKETS)
    return (f"'{value}' is not a market code; market must be an uppercase code of 2-6 letters "
            f"(known: {known}; any other code is accepted) or a sum such as 'US+HK+EU'.{hint}")


def canonical_market(code: str) -> str:
    """`code` with the markets of a sum in the one stored order; a single code as it is.

    The known markets come first in the order of ``KNOWN_MARKETS`` (US, HK, EU, JP, KR,
    SG, RCEP, BRI), any other code after them alphabetically, so that a sum written in
    another order has the same key (and conflicts are found).

    Examples
    --------
    >>> canonical_market("EU+HK+US"), canonical_market("US+EU+JP+HK"), canonical_market("IN+US")
    ('US+HK+EU', 'US+HK+EU+JP', 'US+IN')
    >>> canonical_market("JP")
    'JP'
    """
    if "+" not in code:
        return code
    parts = sorted(code.split("+"), key=lambda m: (_SUM_ORDER.get(m, len(_SUM_ORDER)), m))
    return "+".join(parts)


def _text(v: object) -> str:
    """A cell as stripped text; blank/NaN/None -> ''."""
    if v is None:
        return ""
    if isinstance(v, float) and math.isnan(v):
        return ""
    if v is pd.NA or v is pd.NaT:
        return ""
    return str(v).strip()


def _show(v: object) -> str:
    return repr(v) if isinstance(v, str) else str(v)


#: Plausible magnitudes of a published figure (levels in 1e8 of a currency: 1e-4 is
#: 10,000 and 1e7 is 1e15; growth in percent): anything outside is a typo or a wrong unit.
LEVEL_RANGE: tuple[float, float] = (1e-4, 1e7)
GROWTH_MAX = 1000.0


def _as_int(v: object) -> int | None:
    """A whole number from text (ASCII digits only) or a number, else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, str) and not NUMBER_RE.match(v.strip()):
        return None
    try:
        f = float(_text(v))
    except (TypeError, ValueError):
        return None
    if not math.isfinite(f) or not f.is_integer():
        return None
    return int(f)


def _check_value(raw: object, measure: str | None) -> tuple[float | None, str | None]:
    """Parse and range-check one value; return (value, problem message)."""
    if isinstance(raw, bool):
        return None, f"{raw!r} is not a number; value must be the published figure"
    s = _text(raw)
    if s == "":
        return None, "value is missing; enter the figure as published, e.g. 1550.6"
    try:
        v = float(s) if not isinstance(raw, int | float) else float(raw)
        if math.isfinite(v) and not isinstance(raw, int | float) and not NUMBER_RE.match(s):
            raise ValueError(s)  # "1_000", "１２３": Python reads them, this library does not
    except (TypeError, ValueError, OverflowError):  # OverflowError: an int beyond floats
        return None, (f"{s!r} is not a number; value must be the figure as published in "
                      f"the row's unit, e.g. 1550.6, in ASCII digits without units or "
                      f"separators{number_hint(s)}")
    if not math.isfinite(v):
        return None, f"{s} is not finite; value must be a finite figure as published"
    lo, hi = LEVEL_RANGE
    if measure == "level" and v <= 0:
        return None, (f"{s} must be > 0 for measure 'level' (an amount in 1e8 of the basis "
                      "currency); enter a fall as measure 'yoy_growth'")
    if measure == "level" and not lo <= v <= hi:
        return None, (f"{s} is outside [{lo:g}, {hi:g}] for measure 'level' (an amount in 1e8 "
                      "of the basis currency: 1e-4 is 10,000, 1e7 is 1e15); check the unit and "
                      "the decimal point")
    if measure == "share" and not 0 < v <= 100:
        return None, (f"{s} is outside (0, 100]; a share is a percentage of China's "
                      "offshore execution, e.g. 25.9 (not 0.259)")
    if measure == "yoy_growth" and v <= -100:
        return None, (f"{s} must be > -100 for measure 'yoy_growth' (a percent change; "
                      "-100 would mean the flow vanished)")
    if measure == "yoy_growth" and v > GROWTH_MAX:
        return None, (f"{s} is above {GROWTH_MAX:g} for measure 'yoy_growth' (a percent "
                      "change: 1000 is an 11-fold rise); check the figure and its unit")
    return v, None


Bad = Callable[[str, object, str], None]  # bad(column, value, message) records a problem


def validate_rows(raw: pd.DataFrame, rows: Sequence[int]) -> tuple[dict, list[Problem]]:
    """Check every cell of `raw` (columns already checked); return typed columns and problems.

    `rows` gives the 1-based row number reported for each row of `raw`. Problems are
    reported per row in column order: market, the vocabulary columns, year, months,
    value, unit, published, source.
    """
    problems: list[Problem] = []
    cols: dict[str, list] = {c: [] for c in CSV_COLUMNS}
    cols["published_date"] = []
    get = {c: (raw[c].tolist() if c in raw.columns else [""] * len(raw)) for c in CSV_COLUMNS}
    for i, row in enumerate(rows):
        def bad(col: str, val: object, msg: str, _row: int = row) -> None:
            problems.append(Problem(_row, col, val, msg))

        cell = {c: get[c][i] for c in CSV_COLUMNS}
        txt = {c: (v.strip() if type(v) is str else _text(v)) for c, v in cell.items()}
        txt["published"], when_msg = published_text(cell["published"], txt["published"])
        _check_codes(txt, bad)
        year, months = _check_period(cell, bad)
        measure = txt["measure"] if txt["measure"] in MEASURES else None
        value, msg = _check_value(cell["value"], measure)
        if msg is not None:
            bad("value", cell["value"], msg)
        _check_unit(txt["unit"], txt["basis"], measure, bad)
        if when_msg is None:
            pdate = _check_published(txt["published"], year, months, bad)
        else:
            pdate = None
            bad("published", cell["published"], when_msg)
        if txt["source"] == "":
            bad("source", "", "source is missing; every figure must name the text it was read "
                "in (a title, e.g. 'MOFCOM: 2023 service outsourcing')")
        for c in CSV_COLUMNS:
            cols[c].append(txt[c])
        cols["year"][-1] = year if year is not None else 0
        cols["months"][-1] = months if months is not None else 0
        cols["value"][-1] = value if value is not None else math.nan
        cols["published_date"].append(pdate)
    return cols, problems


def _check_codes(txt: dict[str, str], bad: Bad) -> None:
    """The market code (a sum put in its stored order) and the fixed-vocabulary columns."""
    market = txt["market"]
    if market == "":
        bad("market", "", "market is missing; enter a code such as 'US' or 'ALL'")
    elif (msg := market_problem(market)) is not None:
        bad("market", market, msg)
    else:
        txt["market"] = canonical_market(market)
    for col, allowed in VOCABULARY.items():
        v = txt[col]
        if v not in allowed:
            shown = "', '".join(allowed)
            what = f"{v!r} is not" if v else f"{col} is missing; it must be"
            hint = suggest(v, allowed) if v else ""
            bad(col, v, f"{what} one of '{shown}' ({_VOCAB_HELP[col]}).{hint}")


def _check_period(cell: dict[str, object], bad: Bad) -> tuple[int | None, int | None]:
    """``(year, months)``, each None when it is not valid."""
    lo, hi = YEAR_RANGE
    year = _as_int(cell["year"])
    if year is None:
        bad("year", cell["year"], f"{_show(cell['year'])} is not a whole-number year; "
            "year is the calendar year the figure covers, e.g. 2023"
            + number_hint(_text(cell["year"])))
    elif not lo <= year <= hi:
        bad("year", year, f"{year} is outside {lo}..{hi}; year is the calendar year "
            "the figure covers, e.g. 2023")
        year = None
    months = _as_int(cell["months"])
    if months is None:
        raw = cell["months"]
        rule = ("a whole number of months 1..12, counted from January (12 = full year, 6 = "
                "January-June)")
        if _text(raw) == "" and not isinstance(raw, bool):
            bad("months", raw, f"months is missing; it must be {rule}")
        else:
            shown = _show(_text(raw) if isinstance(raw, str) else raw)
            digits = number_hint(_text(raw)) if "," not in _text(raw) else ""
            bad("months", raw, f"months must be {rule}; got {shown}.{months_hint(raw)}{digits}")
    elif not 1 <= months <= 12:
        bad("months", cell["months"], f"{months} is outside 1..12; months counts months "
            "from January (12 = full year, 6 = January-June)")
        months = None
    return year, months


def _check_unit(unit: str, basis: str, measure: str | None, bad: Bad) -> None:
    """A level is in 1e8 of its basis currency, a growth rate or a share in percent."""
    if measure and unit in UNITS and basis in BASES:
        want = f"{basis}_1e8" if measure == "level" else "pct"
        if unit != want:
            why = ("a level is in 1e8 of its basis currency" if measure == "level"
                   else f"a {measure} is a percentage")
            bad("unit", unit, f"'{unit}' does not fit measure '{measure}' with basis "
                f"'{basis}'; {why}, so the unit must be '{want}'. Fix the unit or the basis")


def _check_published(published: str, year: int | None, months: int | None,
                     bad: Bad) -> _dt.date | None:
    """The publication date: not after today, not before the end of the period reported."""
    pdate = period_end_date(published)
    if pdate is None:
        what = f"{published!r} is not a date" if published else "published is missing"
        bad("published", published, f"{what}; published must be YYYY, YYYY-MM or "
            "YYYY-MM-DD, e.g. '2023-06' or '2023-06-15'")
    elif (msg := future_problem(published, year)) is not None:
        bad("published", published, msg)
    elif year is not None and months is not None:
        period_end = _dt.date(year, months, calendar.monthrange(year, months)[1])
        if pdate < period_end:
            bad("published", published, f"{published!r} is before the end of the period "
                f"it reports ({year}, {months} month(s) from January, ending "
                f"{period_end}); check the year, months or publication date")
    return pdate


def conflict_problems(frame: pd.DataFrame) -> list[Problem]:
    """Rows sharing a key with a different value (identical values corroborate and stay)."""
    if len(frame) < 2:
        return []
    # plain Python: a groupby costs ~10 ms of overhead even for a handful of rows
    keys = list(zip(*(frame[c].tolist() for c in KEY_COLUMNS), strict=True))
    values, rows, origins = (frame[c].tolist() for c in ("value", "row", "origin"))
    groups: dict[tuple, list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    single_origin = len(set(origins)) <= 1
    problems: list[Problem] = []
    for k, idx in groups.items():
        if len({values[i] for i in idx}) < 2:
            continue
        where = ", ".join(
            f"row {rows[i]} = {values[i]:g}" if single_origin
            else f"{origins[i]} row {rows[i]} = {values[i]:g}"
            for i in idx
        )
        first = idx[0]
        # rows of two sources (e.g. `forecast history --add new.csv` against the embedded
        # releases): say how to drop a row the user cannot edit in place
        how = "" if single_origin else (
            "; on the command line, write the records to a file with `forecast data --out "
            "all.csv`, delete the superseded row there, and pass `--data all.csv` instead of "
            "the embedded releases (with --add for your other files)")
        # a sum may have been written in another order in the file ("HK+US" is "US+HK")
        order = (f"; {k[0]} is one sum whatever the order its markets are written in"
                 if "+" in k[0] else "")
        problems.append(Problem(
            int(rows[first]), "value", float(values[first]),
            f"key {'/'.join(map(str, k))} (market/segment/flow/year/months/measure/basis) has "
            f"different values ({where}){order}; the same key may repeat only with the same "
            "value. Correct the wrong figure, or drop the superseded row (e.g. keep the later "
            f"release){how}",
        ))
    return problems
