"""Readable log-axis ticks: inside the range, increasing, few, and at least two when they fit."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from forecast.plotting._base import log_ticks

positive = st.floats(min_value=1e-3, max_value=1e6, allow_nan=False, allow_infinity=False)


@given(positive, st.floats(min_value=1.05, max_value=1e4))
def test_log_ticks_are_few_increasing_and_inside(lo, ratio):
    hi = lo * ratio
    ticks = log_ticks(lo, hi)
    assert ticks == sorted(set(ticks))
    assert all(lo <= t <= hi for t in ticks)
    assert len(ticks) <= 9
    if ratio >= 10:  # a decade always holds a round number and a neighbour
        assert len(ticks) >= 2
