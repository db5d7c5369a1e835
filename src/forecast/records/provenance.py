"""Where each figure can be checked: the official outlet where one was found, else the re-post.

Most ``address`` values of ``releases.csv`` are re-posts where a figure was read. For 27 of
the 51 distinct sources the same release was also found at a state outlet or news agency
(China News Service, Xinhua via People's Daily or China Daily, gov.cn, CRI, China.org.cn,
China Economic Net, CSORC, Sputnik): ``data/official_sources.csv`` gives, per ``source``
(spelt exactly as in ``releases.csv``), the official address, publisher, date, title and
the sentence quoted with its figure. :func:`provenance` joins the two, so that a
provenance table shows the official address where there is one and the re-post where not.

Examples
--------
>>> import forecast
>>> off = load_official_sources()
>>> len(off), off.columns.tolist()[:3]
(27, ['source', 'official_address', 'publisher'])
>>> p = provenance(forecast.load_releases())
>>> int(p["official"].sum()), len(p)
(27, 51)
"""

from __future__ import annotations

import functools
import io

import pandas as pd

from ..errors import DataError, ForecastTypeError
from .csvfile import embedded_text
from .releases import Records

__all__ = ["OFFICIAL_COLUMNS", "PROVENANCE_COLUMNS", "load_official_sources", "provenance"]

#: Columns of ``official_sources.csv``.
OFFICIAL_COLUMNS = ("source", "official_address", "publisher", "date", "title", "quote")
#: Columns of :func:`provenance`.
PROVENANCE_COLUMNS = ("source", "address", "official", "publisher", "reposted_at",
                      "figures", "years")


@functools.cache
def _official() -> pd.DataFrame:
    frame = pd.read_csv(io.StringIO(embedded_text("official_sources.csv")), dtype=str,
                        keep_default_na=False)
    if tuple(frame.columns) != OFFICIAL_COLUMNS:  # pragma: no cover - packaged data
        raise DataError(f"embedded official_sources.csv must have the columns "
                        f"{', '.join(OFFICIAL_COLUMNS)}; got {', '.join(frame.columns)}.")
    blank = frame["official_address"].str.strip() == ""
    if blank.any() or frame["source"].duplicated().any():  # pragma: no cover - packaged data
        raise DataError("embedded official_sources.csv needs one non-blank official address "
                        "per source.")
    return frame


def load_official_sources() -> pd.DataFrame:
    """The official outlets found for the embedded sources (a copy; cached on first use).

    Returns
    -------
    DataFrame
        Columns ``source`` (as in ``releases.csv``), ``official_address``, ``publisher``,
        ``date``, ``title``, ``quote`` (the sentence with the figure, in its language).

    Examples
    --------
    >>> load_official_sources().shape
    (27, 6)
    """
    return _official().copy()


def provenance(records: Records) -> pd.DataFrame:
    """One row per source of `records`: the address to cite and what it covers.

    Parameters
    ----------
    records : Records

    Returns
    -------
    DataFrame
        Columns ``source``; ``address`` (the official outlet's address where one is
        known, else the re-post where the figures were read); ``official`` (bool);
        ``publisher`` (of the official outlet, "" otherwise); ``reposted_at`` (the
        re-post addresses of the records, ``"; "``-joined); ``figures`` (number of
        records); ``years`` ("2013", "2012-2014", or "2009, 2024-2025": the years of its
        records, each run of consecutive years as first-last). Sources keep their
        first-appearance order. A user's own records whose source has no official entry
        show their own address.

    Examples
    --------
    >>> from forecast.records import load_releases
    >>> cite = provenance(load_releases().filter(market="US", year=2024))
    >>> cite[["official", "figures", "years"]].to_dict("records")
    [{'official': False, 'figures': 1, 'years': '2024'}, \
{'official': False, 'figures': 2, 'years': '2024'}]
    """
    if not isinstance(records, Records):
        raise ForecastTypeError(f"`records` must be Records; got {type(records).__name__}. "
                                "Pass forecast.load_releases() or Records.from_csv(path).")
    frame = records.frame
    off = _official().set_index("source")
    rows = []
    for source, grp in frame.groupby("source", sort=False):
        reposts = [a for a in dict.fromkeys(grp["address"]) if a]
        known = source in off.index
        rows.append({
            "source": source,
            "address": off.at[source, "official_address"] if known else "; ".join(reposts),
            "official": bool(known),
            "publisher": off.at[source, "publisher"] if known else "",
            "reposted_at": "; ".join(reposts),
            "figures": len(grp),
            "years": year_runs(grp["year"]),
        })
    return pd.DataFrame(rows, columns=list(PROVENANCE_COLUMNS))


def year_runs(years) -> str:
    """The years, each run of consecutive years as ``first-last``, the runs comma-separated:
    a source of 2009, 2024 and 2025 covers "2009, 2024-2025", not "2009-2025".

    >>> year_runs([2025, 2009, 2024, 2024]), year_runs([2012, 2013, 2014]), year_runs([2013])
    ('2009, 2024-2025', '2012-2014', '2013')
    """
    runs: list[list[int]] = []
    for y in sorted({int(y) for y in years}):
        if runs and y == runs[-1][1] + 1:
            runs[-1][1] = y
        else:
            runs.append([y, y])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
