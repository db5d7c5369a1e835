"""Messages of the reconstruction read naturally (new-user audit)."""

from __future__ import annotations

import pytest

import forecast
from forecast.errors import DataError


@pytest.mark.parametrize(("kwargs", "words"), [({"start": 2030}, "falls in 2030 or later;"),
                                              ({"end": 2000}, "falls in 2000 or earlier;")])
def test_empty_span_message_has_no_none(releases, kwargs, words):
    with pytest.raises(DataError, match=words) as e:
        forecast.reconstruct(releases, **kwargs)
    assert "None" not in str(e.value)


def test_a_misspelled_market_gets_a_suggestion():
    with pytest.raises(forecast.ForecastError, match=r"got 'us'\. Did you mean 'US'\?"):
        forecast.reconstruct(market="us")


def test_markets_points_to_the_joint_reconstruction():
    """issue 14 named `reconstruct(records, markets=...)`: the argument says where it lives."""
    with pytest.raises(forecast.ForecastError,
                       match=r"reconstruct_markets\(records, markets=\('US', 'EU'\)\)"):
        forecast.reconstruct(markets=("US", "EU"))
