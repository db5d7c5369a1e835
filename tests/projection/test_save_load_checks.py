"""Saving to or loading from an empty path says the path is empty.

``Projection.save("")`` was refused because the path "is or holds the current folder"
(``Path("")`` is ``.``), where the command line says the path is empty.
"""

from __future__ import annotations

import pytest
from _engine_fakes import toy_projection

from forecast import MarketProjection, Projection
from forecast.errors import DataError, OutputError

EMPTY = (r"the `directory` path is empty; got ''\. Pass a folder name, e\.g\. 'my_run' "
         r"\(an unset variable\?\)\.")


@pytest.fixture(scope="module")
def proj():
    return toy_projection(1, 20)


def test_saving_to_an_empty_path_says_it_is_empty(proj, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match=EMPTY):
        proj.save("")
    assert list(tmp_path.iterdir()) == []


def test_loading_an_empty_path_says_it_is_empty(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for load in (Projection.load, MarketProjection.load):
        with pytest.raises(DataError, match=EMPTY):
            load("")


def test_a_market_projection_saved_to_an_empty_path_says_it_is_empty(market_projection):
    with pytest.raises(OutputError, match=EMPTY):
        market_projection.save("")
