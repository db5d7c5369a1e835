"""Shared fixtures of the model tests."""

from __future__ import annotations

import numpy as np
import pytest
from _model_fakes import FakeHistory

from forecast.series import AnnualSeries

#: a made-up growth series (not data) with the shape of the US history
US_FIXTURE = [28.1, 40, 55, 75, 100, 117.5, 130, 152, 180, 200, 225, 245, 250, 272, 300, 316]


@pytest.fixture(scope="module")
def series():
    return AnnualSeries(np.arange(2009, 2025), US_FIXTURE, name="fixture (not data)")


@pytest.fixture
def fake_history(series):
    return FakeHistory(series)
