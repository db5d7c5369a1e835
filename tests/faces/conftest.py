"""Fixtures shared by the faces' tests."""

from __future__ import annotations

import sys

import pytest
from _browser import Browser, find_browser, in_ci


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every report test that looks at a page.

    Skipped where none is installed, except in CI, where a missing browser fails.
    """
    found = find_browser()
    if found is None:
        if in_ci():
            pytest.fail("CI needs Chromium and chromedriver for the report's browser test: "
                        "`apt-get install -y chromium chromium-driver` (.ci/run does this).")
        pytest.skip("no chromium/chromedriver installed (the test runs in CI)")
    with Browser(*found) as b:
        yield b


@pytest.fixture(autouse=True)
def _close_figures():
    """Close the pyplot figures a test opened, so that they do not pile up across tests."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")  # only where a test has imported it
    if plt is not None:
        plt.close("all")
