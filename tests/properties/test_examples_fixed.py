"""The derandomised profile draws the same examples whatever modules earlier tests loaded."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st


def _draws() -> list[float]:
    seen: list[float] = []

    @settings(max_examples=30, derandomize=True, database=None)
    @given(st.floats(-0.5, 0.5))
    def record(g):
        seen.append(g)

    record()
    return seen


def test_loading_more_of_the_package_does_not_change_the_examples():
    """Hypothesis mixes literals of loaded local modules into its draws unless
    tests/conftest.py stops it; then a property could pass alone and fail in the suite."""
    providers = pytest.importorskip("hypothesis.internal.conjecture.providers")
    if not hasattr(providers, "_get_local_constants"):
        pytest.skip("this Hypothesis does not mine module constants")
    before = _draws()
    for name in ("forecast.history._outliers", "forecast.records.schema",
                 "forecast.plotting.scenario_charts", "forecast.markets.allocation"):
        importlib.import_module(name)
    assert _draws() == before
    assert len(providers._get_local_constants().set_for_type("float")) == 0
