"""docs/scenarios.md states each primitive's bounds as the code checks them."""

from __future__ import annotations

import pathlib

import pytest

from forecast.scenarios import Adoption, Escalation, Group, GrowthShift, LevelShift, Volatility
from forecast.scenarios.assumption import YEAR_RANGE
from forecast.scenarios.primitives import _LIMITS

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"


def _range(cls, key: str) -> str:
    """The range the code allows for `key` of `cls`, written as the docs write it."""
    b = cls.bounds.get(key)
    if key in _LIMITS:
        limit = _LIMITS[key][0]
        low = -limit if b is None or b.low is None else max(b.low, -limit)
        return f"[{low:g}, {limit:g}]"
    lo = "-inf" if b.low is None else f"{b.low:g}"
    hi = "inf)" if b.high is None else f"{b.high:g}]"
    return f"{'(' if b.low_open else '['}{lo}, {hi}"


def _row(cls) -> str:
    rows = [ln for ln in DOC.read_text(encoding="utf-8").splitlines()
            if ln.startswith(f"| `{cls.__name__}` |") and " in " in ln]
    assert len(rows) == 1, f"docs/scenarios.md: no single bounds row for {cls.__name__}"
    return rows[0]


@pytest.mark.parametrize("cls", [LevelShift, GrowthShift, Adoption, Escalation, Volatility,
                                 Group])
def test_the_bounds_table_states_every_checked_bound(cls):
    row = _row(cls)
    for key in cls.bounds:
        if key == "probability" and cls is not Group:
            continue  # in the "every primitive" row
        assert f"`{key}` in {_range(cls, key)}" in row, (cls.__name__, key, _range(cls, key))


def test_the_common_row_states_probability_and_years():
    text = DOC.read_text(encoding="utf-8")
    row = next(ln for ln in text.splitlines() if ln.startswith("| every primitive |"))
    assert f"`probability` in {_range(LevelShift, 'probability')}" in row
    assert f"[{YEAR_RANGE[0]}, {YEAR_RANGE[1]}]" in row
    assert "reliability.md#inputs-and-limits" in text  # the caps, with the combined one
    assert "`scale >= 0`" not in text
