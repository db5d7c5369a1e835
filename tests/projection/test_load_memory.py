"""Running out of memory while loading a projection is a ResourceError, never a bad file.

``_parse`` caught every exception, so a MemoryError of pandas or pyarrow became
"samples.parquet cannot be read as Parquet (corrupt ...). Restore it from a copy", advice
that invites replacing a good file; and nothing checked the memory before reading
(a load peaks at about 4 times its arrays).
"""

from __future__ import annotations

import pandas as pd
import pytest
from _engine_fakes import toy_projection

from forecast import MarketProjection, Projection, _resources
from forecast.errors import ResourceError
from forecast.projection import files


@pytest.fixture(scope="module")
def proj():
    return toy_projection(1, 20)


def _no_memory(*args, **kwargs):
    raise MemoryError("Unable to allocate 198. MiB")


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_out_of_memory_while_parsing_is_no_corrupt_file(proj, tmp_path, monkeypatch, fmt):
    if fmt == "parquet":
        pytest.importorskip("pyarrow")
    proj.save(tmp_path / "p", format=fmt)
    target = "read_parquet" if fmt == "parquet" else "read_csv"
    monkeypatch.setattr(pd, target, _no_memory)
    with pytest.raises(ResourceError) as info:
        Projection.load(tmp_path / "p")
    msg = str(info.value)
    assert "ran out of memory" in msg
    assert "do not replace them" in msg
    assert "corrupt" not in msg
    assert "Restore it from a copy" not in msg
    assert isinstance(info.value, MemoryError)  # ResourceError is a MemoryError too


def test_out_of_memory_while_building_the_arrays(proj, tmp_path, monkeypatch):
    proj.save(tmp_path / "p", format="csv")
    monkeypatch.setattr(files, "_frame_array", _no_memory)
    with pytest.raises(ResourceError, match="ran out of memory"):
        Projection.load(tmp_path / "p")


def test_a_market_projection_too(market_projection, tmp_path, monkeypatch):
    market_projection.save(tmp_path / "m", format="csv")
    monkeypatch.setattr(pd, "read_csv", _no_memory)
    with pytest.raises(ResourceError, match="ran out of memory.*do not replace them"):
        MarketProjection.load(tmp_path / "m")


def test_an_interrupt_is_not_a_corrupt_file(proj, tmp_path, monkeypatch):
    proj.save(tmp_path / "p", format="csv")

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(pd, "read_csv", interrupt)
    with pytest.raises(KeyboardInterrupt):
        Projection.load(tmp_path / "p")


def test_memory_is_checked_before_reading(proj, tmp_path, monkeypatch):
    proj.save(tmp_path / "p", format="csv")
    # 2 arrays (scenario + baseline) x 20 paths x 3 years x 8 bytes = 960 bytes; 4.6x
    monkeypatch.setattr(_resources, "available_memory", lambda: 4_000)
    monkeypatch.setattr(pd, "read_csv", _no_memory)  # never reached
    with pytest.raises(ResourceError) as info:
        Projection.load(tmp_path / "p")
    msg = str(info.value)
    for words in ("1 scenarios and the baseline x 20 paths x 3 years", "960 bytes of arrays",
                  "needs about 4.4 kB", "not damaged", "Nothing was allocated"):
        assert words in msg
    monkeypatch.undo()
    assert Projection.load(tmp_path / "p").n_paths == 20


def test_a_market_load_is_checked_before_reading(market_projection, tmp_path, monkeypatch):
    market_projection.save(tmp_path / "m")
    monkeypatch.setattr(_resources, "available_memory", lambda: 1_000_000)
    with pytest.raises(ResourceError, match=r"x 300 paths x 7 years.*not damaged"):
        MarketProjection.load(tmp_path / "m")
    monkeypatch.setattr(_resources, "available_memory", lambda: 10**9)
    assert MarketProjection.load(tmp_path / "m").n_paths == 300
