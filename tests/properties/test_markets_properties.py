"""Hypothesis properties of the joint markets models' coordinates.

Whatever a joint model fits, the engine works in the log total and the log ratios to ROW:
part log levels converted to them and back give the same levels (the parts sum to the
total, shares lie in [0, 1] and sum to 1), without overflow however far apart the parts
are.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from forecast.history.markets import softmax_levels
from forecast.markets.split import coordinates_of_parts

#: (paths, parts = K + 1 with K >= 1, years)
shapes = st.tuples(st.integers(1, 4), st.integers(2, 6), st.integers(1, 5))


@given(shapes.flatmap(lambda s: arrays(np.float64, s, elements=st.floats(-700, 700))))
def test_part_log_levels_round_trip_through_the_coordinates(y):
    c = coordinates_of_parts(y)
    assert c.shape == y.shape
    assert np.all(np.isfinite(c))
    # the ratios are exact differences, the total is the largest part or more
    np.testing.assert_array_equal(c[:, 1:], y[:, :-1] - y[:, -1:])
    assert np.all(c[:, 0] >= y.max(axis=1))
    assert np.all(c[:, 0] <= y.max(axis=1) + np.log(y.shape[1]) + 1e-12)
    # back to levels: each part's level, relative to the total, is its share
    shares = softmax_levels(np.zeros_like(c[:, 0]), c[:, 1:])
    np.testing.assert_allclose(shares.sum(axis=1), 1.0, rtol=1e-12)
    assert np.all((shares >= 0) & (shares <= 1))
    expected = np.exp(y - c[:, :1])
    np.testing.assert_allclose(shares, expected, rtol=1e-9, atol=1e-300)
