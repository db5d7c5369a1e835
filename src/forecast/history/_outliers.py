"""Refuse a level record that the other releases contradict by an order of magnitude.

A record of 1e15 (or 13,200 typed for 132.0) would otherwise be taken at face value:
the state-space model absorbs it by inflating its variances and bends the whole history.
Each level observation (on the log scale, converted to the target currency and to a
full year) is compared with the level observations of the other years within
:data:`WINDOW` years. It is an outlier when it differs from most of them by more than a
factor of 10 plus :data:`GROWTH` log points per year apart (about +100% a year, more than
any year in the data), so genuine fast growth never trips it. One outlier cannot make
its neighbours look wrong: a record is flagged only when it disagrees with more than
half of at least two neighbours.
"""

from __future__ import annotations

import math

from ..errors import DataError

__all__ = ["check_outliers"]

WINDOW = 3
GROWTH = 0.7
FACTOR = 10.0


def check_outliers(used: list[dict], what: str) -> None:
    """Raise DataError naming every level record out of line with its neighbours."""
    levels = [r for r in used if r["slot"] == 0 and math.isfinite(r["y"])]
    bad = []
    for r in levels:
        near = [o for o in levels if o is not r and 1 <= abs(o["year"] - r["year"]) <= WINDOW]
        if len(near) < 2:
            continue
        far = [o for o in near if abs(r["y"] - o["y"]) > math.log(FACTOR) +
               GROWTH * abs(r["year"] - o["year"])]
        if 2 * len(far) > len(near):
            ratio = math.exp(r["y"] - sorted(o["y"] for o in near)[len(near) // 2])
            bad.append(f"row {r['row']} of {r['origin']} ({r['year']}, {r['months']} month(s), "
                       f"{r['measure']} {r['value']:g} {r['unit']}) is {ratio:.3g} times the "
                       "level of the neighbouring years")
    if bad:
        raise DataError(
            f"{what}: every level record must agree with the other releases within a factor "
            f"of {FACTOR:g} (plus normal growth); " + "; ".join(bad[:5])
            + (f"; and {len(bad) - 5} more" if len(bad) > 5 else "")
            + ". A typo or a wrong unit (1e8 vs 1e4)? Correct or remove the row.")
