"""Periods and publication dates of release records (private to :mod:`forecast.records`).

A ``published`` text (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``) allows a range of days: the
first is when the figure may have appeared at the earliest, the last is the
``published_date`` an as-of view compares with. A publication after today is a typo
(``2052`` for ``2025``), and ``months`` counts months from January as a whole number;
the messages here say so with the value received and, where one is easy, the fix.
"""

from __future__ import annotations

import calendar
import datetime as _dt
import re

import pandas as pd

__all__ = ["future_problem", "months_hint", "period_end_date", "period_start_date",
           "published_text", "today"]

_PERIOD_RE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def today() -> _dt.date:
    """The date that publication dates are checked against (a function so tests can fix it).

    Examples
    --------
    >>> today() == _dt.date.today()
    True
    """
    return _dt.date.today()


def _period_bounds(text: str) -> tuple[_dt.date, _dt.date] | None:
    """First and last day that 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' allows, or None."""
    m = _PERIOD_RE.match(text.strip())
    if m is None:
        return None
    y = int(m.group(1))
    mo = int(m.group(2)) if m.group(2) else None
    if (mo is not None and not 1 <= mo <= 12) or y < 1900:
        return None
    if mo is None:
        return _dt.date(y, 1, 1), _dt.date(y, 12, 31)
    last = calendar.monthrange(y, mo)[1]
    if m.group(3) is None:
        return _dt.date(y, mo, 1), _dt.date(y, mo, last)
    d = int(m.group(3))
    if not 1 <= d <= last:
        return None
    return _dt.date(y, mo, d), _dt.date(y, mo, d)


def period_end_date(text: str) -> _dt.date | None:
    """The last day that 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' allows; None if not such a date.

    Examples
    --------
    >>> period_end_date("2024-02"), period_end_date("2023-13")
    (datetime.date(2024, 2, 29), None)
    """
    bounds = _period_bounds(text)
    return None if bounds is None else bounds[1]


def period_start_date(text: str) -> _dt.date | None:
    """The first day that 'YYYY', 'YYYY-MM' or 'YYYY-MM-DD' allows; None if not such a date.

    Examples
    --------
    >>> period_start_date("2025-12"), period_start_date("2011")
    (datetime.date(2025, 12, 1), datetime.date(2011, 1, 1))
    """
    bounds = _period_bounds(text)
    return None if bounds is None else bounds[0]


def future_problem(published: str, first_year: int | None) -> str | None:
    """Why the publication date `published` is in the future, or None when it is not.

    A date is in the future when even its first possible day is after :func:`today`
    (``"2025-12"`` is not, during December 2025). `first_year` is the year the row
    reports: a digit swap of the publication year that falls between it and today's
    year is proposed (``2052`` -> ``2025``).

    Examples
    --------
    >>> future_problem("2000-01", 1999) is None
    True
    >>> future_problem("9999-01-20", 2024)[:27]
    "'9999-01-20' is after today"
    """
    start = period_start_date(published)
    now = today()
    if start is None or start <= now:
        return None
    text = published.strip()
    swaps = {text[:i] + text[i + 1] + text[i] + text[i + 2:4] for i in range(3)} - {text[:4]}
    fits = sorted(int(y) for y in swaps
                  if y[0] != "0" and (first_year or 1900) <= int(y) <= now.year)
    hint = f" Did you mean {str(fits[-1]) + text[4:]!r}?" if fits else ""
    return (f"{published!r} is after today ({now.isoformat()}): a figure cannot be "
            "published in the future (and an as-of view would never show this row); enter "
            f"the date the figure appeared.{hint}")


def published_text(value: object, text: str) -> tuple[str, str | None]:
    """`published` as text, and why it is not a date (None when it is, or is text).

    A date, a datetime or a pandas Timestamp at midnight (what Excel and
    ``pd.read_excel`` give for a date cell) becomes ``YYYY-MM-DD``; one with a time of
    day is refused rather than silently truncated. Anything else stays `text`.

    Examples
    --------
    >>> published_text(pd.Timestamp("2025-12-01"), "2025-12-01 00:00:00")
    ('2025-12-01', None)
    >>> published_text(_dt.date(2014, 1, 20), "2014-01-20")
    ('2014-01-20', None)
    >>> published_text(pd.Timestamp("2025-12-01 14:30"), "2025-12-01 14:30:00")[1]
    "'2025-12-01 14:30:00' has a time of day (14:30:00); published must be a date: YYYY, \
YYYY-MM or YYYY-MM-DD, e.g. '2023-06-15' (drop the time, e.g. df['published'].dt.date)"
    """
    if value is pd.NaT or not isinstance(value, _dt.date):  # NaT is a datetime too
        return text, None
    if isinstance(value, _dt.datetime):  # a pandas Timestamp is one
        if value.time() != _dt.time(0) or getattr(value, "nanosecond", 0):
            return text, (f"{text!r} has a time of day ({value.time()}); published must be a "
                          "date: YYYY, YYYY-MM or YYYY-MM-DD, e.g. '2023-06-15' (drop the "
                          "time, e.g. df['published'].dt.date)")
        value = value.date()
    return value.isoformat(), None


_MONTH_NAMES = {name.lower(): i for i in range(1, 13)
                for name in (calendar.month_name[i], calendar.month_abbr[i])}
_NAME_RANGE_RE = re.compile(r"^([a-z]+)\.?\s*(?:-|–|—|to)\s*([a-z]+)\.?$")
_NUMBER_RANGE_RE = re.compile(r"^(\d{1,2})\s*(?:-|–|—|to)\s*(\d{1,2})$")
_PART_RE = re.compile(r"^(q|h)([1-4])$")


def _span(text: str) -> tuple[int, int] | None:
    """(first, last) month of 'Jan-Oct', 'January to October', '1-10', 'Q2' or 'H1'."""
    text = text.strip().lower()
    if (m := _NAME_RANGE_RE.match(text)) is not None:
        first, last = (_MONTH_NAMES.get(g) for g in m.groups())
    elif (m := _NUMBER_RANGE_RE.match(text)) is not None:
        first, last = (int(g) for g in m.groups())
    elif (m := _PART_RE.match(text)) is not None and (m.group(1) == "q" or m.group(2) < "3"):
        size = 3 if m.group(1) == "q" else 6
        last = size * int(m.group(2))
        first = last - size + 1
    else:
        return None
    if first is None or last is None or not 1 <= first <= last <= 12:
        return None
    return first, last


def months_hint(value: object) -> str:
    """A suggestion for a `months` cell written as a period ('Jan-Oct', 'Q1', 'H1'), or ''.

    Examples
    --------
    >>> months_hint("Jan-Oct"), months_hint("Q1"), months_hint(6.5)
    (' Did you mean 10 (January-October)?', ' Did you mean 3 (January-March)?', '')
    >>> months_hint("Q2")
    ' A figure for April-June alone cannot be entered: the January-June figure is months 6.'
    """
    span = _span(value) if isinstance(value, str) else None
    if span is None:
        return ""
    first, last = span
    name = calendar.month_name
    upto = name[1] if last == 1 else f"{name[1]}-{name[last]}"
    if first == 1:
        return f" Did you mean {last} ({upto})?"
    return (f" A figure for {name[first]}-{name[last]} alone cannot be entered: the {upto} "
            f"figure is months {last}.")
