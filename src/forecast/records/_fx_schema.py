"""Schema and row validation of exchange-rate tables (private to :mod:`forecast.records.fx`)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pandas as pd

from .schema import CONFIDENCES, NUMBER_RE, YEAR_RANGE, Problem, _as_int, _text, suggest

FX_COLUMNS: tuple[str, ...] = (
    "year", "month", "series", "cny_per_usd", "source", "address", "confidence", "note",
)
FX_REQUIRED: tuple[str, ...] = ("year", "month", "series", "cny_per_usd", "source", "confidence")
FX_FRAME_COLUMNS: tuple[str, ...] = (*FX_COLUMNS, "row", "origin")
# Annual-average series in order of preference, then the monthly series.
ANNUAL_SERIES: tuple[str, ...] = ("prc_official", "fed_g5a", "wdi")
MONTHLY_SERIES: tuple[str, ...] = ("fed_g5",)
SERIES: tuple[str, ...] = ANNUAL_SERIES + MONTHLY_SERIES
RATE_RANGE: tuple[float, float] = (1.0, 15.0)


def validate_fx_rows(raw: pd.DataFrame, rows: list[int]) -> tuple[pd.DataFrame, list[Problem]]:
    """Check every cell of an exchange-rate table; return the typed frame and all problems.

    Problems are reported per row in column order: year, month, series, cny_per_usd,
    source, confidence; conflicting rates only when every row is valid.
    """
    problems: list[Problem] = []
    out: dict[str, list] = {c: [] for c in FX_FRAME_COLUMNS}
    get = {c: (raw[c].tolist() if c in raw.columns else [""] * len(raw)) for c in FX_COLUMNS}
    for i, row in enumerate(rows):
        cell = {c: get[c][i] for c in FX_COLUMNS}
        txt = {c: _text(v) for c, v in cell.items()}

        def bad(col: str, msg: str, _row: int = row, _txt: dict = txt) -> None:
            problems.append(Problem(_row, col, _txt[col], msg))

        year, month = _fx_period(cell, txt, bad)
        rate = _fx_rate(txt["cny_per_usd"], bad)
        if txt["source"] == "":
            bad("source", "source is missing; name the table the rate was read from, e.g. "
                "'Federal Reserve G.5A annual release'")
        if txt["confidence"] not in CONFIDENCES:
            bad("confidence", f"{txt['confidence']!r} is not one of 'read', 'uncertain' (read = "
                "in the cited table; uncertain = second-hand or label lost)."
                f"{suggest(txt['confidence'], CONFIDENCES)}")
        for c in FX_COLUMNS:
            out[c].append(txt[c])
        out["year"][-1] = year if year is not None else 0
        out["month"][-1] = month
        out["cny_per_usd"][-1] = rate
        out["row"].append(row)
    frame = pd.DataFrame({
        c: pd.Series(out[c], dtype={"year": "int64", "month": "Int64", "cny_per_usd": "float64",
                                    "row": "int64"}.get(c, str))
        for c in FX_COLUMNS + ("row",)
    })
    if not problems:
        problems.extend(_conflicts(frame))
    return frame, problems


def _fx_period(cell: dict, txt: dict[str, str], bad: Callable[[str, str], None]
               ) -> tuple[int | None, int | None]:
    """``(year, month)`` (month None for an annual average), and the series that fits."""
    lo, hi = YEAR_RANGE
    year = _as_int(cell["year"])
    if year is None or not lo <= year <= hi:
        shown = txt["year"] if year is not None else repr(txt["year"])
        bad("year", f"{shown} is not a year in {lo}..{hi}; year is the "
            "calendar year of the average, e.g. 2023")
    month = None if txt["month"] == "" else _as_int(cell["month"])
    if txt["month"] != "" and (month is None or not 1 <= month <= 12):
        bad("month", f"{txt['month']} is outside 1..12; leave month blank for an annual "
            "average, or give the month (1-12) of a monthly average")
        month = None
    series = txt["series"]
    if series not in SERIES:
        bad("series", f"{series!r} is not one of '{', '.join(SERIES)}' (annual: "
            f"{', '.join(ANNUAL_SERIES)}; monthly: fed_g5).{suggest(series, SERIES)}")
    elif series in ANNUAL_SERIES and txt["month"] != "":
        bad("month", f"{txt['month']} given for annual series '{series}'; leave month "
            "blank for an annual average, or use series 'fed_g5' for a monthly average")
    elif series in MONTHLY_SERIES and txt["month"] == "":
        bad("month", "month is blank for monthly series 'fed_g5'; give the month (1-12), "
            "or use an annual series (prc_official, fed_g5a, wdi)")
    return year, month


def _fx_rate(text: str, bad: Callable[[str, str], None]) -> float:
    """Yuan per US dollar in RATE_RANGE, else NaN (with a hint when it looks inverted)."""
    rlo, rhi = RATE_RANGE
    try:
        rate = float(text)
        if not NUMBER_RE.match(text.strip()):
            raise ValueError(text)  # "7.0_8", "６.７": Python reads them, the records do not
    except ValueError:
        bad("cny_per_usd", f"{text!r} is not a number; cny_per_usd is yuan per US dollar, "
            "e.g. 7.0809")
        return math.nan
    if not (math.isfinite(rate) and rlo <= rate <= rhi):
        hint = (f" Did you enter USD per CNY? Use {1 / rate:.4f}."
                if math.isfinite(rate) and 0 < rate < rlo else "")
        bad("cny_per_usd", f"{text} is outside {rlo:g}..{rhi:g}; cny_per_usd is yuan per US "
            f"dollar, e.g. 7.0809.{hint}")
        return math.nan
    return rate


def _conflicts(frame: pd.DataFrame) -> list[Problem]:
    key = ["year", "month", "series"]
    f = frame.assign(month=frame["month"].fillna(0))
    n = f.groupby(key)["cny_per_usd"].transform("size")
    problems = []
    for _, grp in f[n > 1].groupby(key):
        first = grp.iloc[0]
        where = ", ".join(f"row {r} = {v:g}" for r, v in zip(grp["row"], grp["cny_per_usd"],
                                                             strict=True))
        # a repeated row is refused too: each row is one measurement of the rate, so a
        # copy would count the same figure twice (and narrow its band)
        what = ("different rates" if grp["cny_per_usd"].nunique() > 1
                else "the same rate twice")
        problems.append(Problem(
            int(first["row"]), "cny_per_usd", float(first["cny_per_usd"]),
            f"series '{first['series']}' has {what} for {first['year']}"
            + (f"-{int(first['month']):02d}" if first["month"] else "")
            + f" ({where}); keep one row per series and period",
        ))
    return problems
