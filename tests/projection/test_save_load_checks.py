"""Saving to an empty path, an empty unit and unknown keys in a saved projection's metadata.

``Projection.save("")`` was refused because the path "is or holds the current folder"
(``Path("")`` is ``.``), where the command line says the path is empty; a projection
took ``unit=""`` (``dataclasses.replace``) although ``to_iamc(unit="")`` is refused; and
``load`` took ``"unit": ""`` and keys no saved file has, although docs/results.md says it
"checks every key".
"""

from __future__ import annotations

import dataclasses
import json
import pathlib

import pytest
from _engine_fakes import toy_projection

from forecast import MarketProjection, Projection
from forecast.errors import DataError, ForecastTypeError, OutputError, ParameterError

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


@pytest.mark.parametrize("name", ["p.parquet", "p.csv", "out/P.JSON", "p.xlsx"])
def test_a_file_like_directory_is_refused_saying_a_projection_is_a_folder(proj, tmp_path,
                                                                          name):
    """`proj.save("p.parquet")` silently made a folder named p.parquet, where a user coming
    from DataFrame.to_parquet expects one file. It is refused, before anything is written,
    with the folder name to pass and how to load it; load reads a folder of any name."""
    with pytest.raises(ParameterError) as info:
        proj.save(tmp_path / name, format="csv")
    stem = str((tmp_path / name).with_suffix(""))
    assert str(info.value) == (
        f"`directory` must name a folder: Projection.save writes a folder of files "
        f"(samples.parquet, base_log.parquet, metadata.json, ...), not one file; got "
        f"{str(tmp_path / name)!r}, whose {pathlib.PurePath(name).suffix} suffix names a "
        f"file. Pass a folder name without it, e.g. {stem!r} (Projection.load({stem!r}) "
        "reads it back); format='csv' or 'parquet' sets the format of the files inside.")
    assert info.value.field == "directory"
    assert list(tmp_path.iterdir()) == []
    back = Projection.load(proj.save(tmp_path / "run.v2", format="csv"))  # not a file suffix
    assert back.samples.tobytes() == proj.samples.tobytes()
    # a folder saved under such a name before the check still loads
    folder = proj.save(tmp_path / "old", format="csv")
    folder.rename(tmp_path / "old.parquet")
    assert Projection.load(tmp_path / "old.parquet").samples.shape == proj.samples.shape


def test_a_market_projection_with_a_file_like_directory_is_refused(market_projection,
                                                                   tmp_path):
    with pytest.raises(ParameterError, match=r"MarketProjection\.save writes a folder of "
                                             r"files .* e\.g\. '.*m' \(MarketProjection\."
                                             r"load\("):
        market_projection.save(tmp_path / "m.parquet")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("unit", "error"), [("", ParameterError), ("  ", ParameterError),
                                             (None, ForecastTypeError)])
def test_a_projection_needs_a_unit(proj, unit, error):
    with pytest.raises(error, match=rf"`unit` must be a non-empty str; got {unit!r}.*Pass "
                                    r"the unit of the levels, e\.g\. unit='USD_bn'"):
        dataclasses.replace(proj, unit=unit)


def test_a_market_projection_needs_a_unit(market_projection):
    with pytest.raises(ParameterError, match=r"`unit` must be a non-empty str; got ''"):
        dataclasses.replace(market_projection, unit="")


def _saved(proj, tmp_path, **change):
    folder = proj.save(tmp_path / "run")
    meta = json.loads((folder / "metadata.json").read_text())
    for key, value in change.items():
        where, _, sub = key.partition("__")
        if sub:
            meta[where][sub] = value
        else:
            meta[key] = value
    (folder / "metadata.json").write_text(json.dumps(meta))
    return folder


def test_load_refuses_an_empty_unit(proj, tmp_path):
    folder = _saved(proj, tmp_path, unit="")
    with pytest.raises(DataError, match=r"metadata\.json: `unit` must be a non-empty string; "
                                        r"got '' \(str\).*save the projection again"):
        Projection.load(folder)


@pytest.mark.parametrize(("key", "named", "within"), [
    ("extra", "'extra'", "a saved projection has"),
    ("history__note", "'history.note'", "its `history` has"),
    ("scenarios__x", "'scenarios.x'", "its `scenarios` has"),
    ("checksums__other.csv", "'checksums.other.csv'", "its `checksums` has"),
])
def test_load_refuses_an_unknown_key(proj, tmp_path, key, named, within):
    folder = _saved(proj, tmp_path, **{key: 1})
    with pytest.raises(DataError, match=rf"has the unknown key {named}; {within} only the "
                                        r"keys .*: remove the key or save the projection "
                                        r"again\."):
        Projection.load(folder)


def test_a_market_projection_load_refuses_an_unknown_key_and_an_empty_unit(market_projection,
                                                                             tmp_path):
    folder = market_projection.save(tmp_path / "m")
    meta = json.loads((folder / "metadata.json").read_text())
    (folder / "metadata.json").write_text(json.dumps({**meta, "note": "hand-edited"}))
    with pytest.raises(DataError, match=r"has the unknown key 'note'; a saved projection has "
                                        r"only the keys format, format_version"):
        MarketProjection.load(folder)
    (folder / "metadata.json").write_text(json.dumps({**meta, "unit": ""}))
    with pytest.raises(DataError, match=r"`unit` must be a non-empty string; got ''"):
        MarketProjection.load(folder)
    (folder / "metadata.json").write_text(json.dumps(meta))
    assert MarketProjection.load(folder).unit == market_projection.unit
