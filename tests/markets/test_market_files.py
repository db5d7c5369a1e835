"""MarketProjection.save / load: bit-identical round trips, and every damaged folder refused.

The reading rules are those of a single-market projection (``forecast.projection.files``,
tested in tests/projection and tests/bad_inputs); these tests cover what the market format
adds: the parts, the coordinates, the joint reconstruction and its own format name.
"""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pandas as pd
import pytest
from _names import MARKETS, awkward_markets
from _optional import need

import forecast
from forecast import DataError, OutputError, Projection
from forecast.markets import BottomUpModel, MarketProjection, files, project_markets
from forecast.scenarios import Diversion, LevelShift, Scenario, Uniform, market_presets

LOSS = LevelShift(2027, Uniform(-0.3, -0.1), name="loss")


@pytest.fixture(scope="module")
def mp(market_history) -> MarketProjection:
    fit = BottomUpModel(forecast.Drift()).fit(market_history, seed=3)
    scen = [*market_presets.scenario_set(), Scenario("to_eu", (Diversion(LOSS, 0.5, to=("EU",)),))]
    return project_markets(fit, scen, to=2030, n_paths=200, seed=4)


def _same_history(a, b) -> None:
    # every column, what the records said included: n_records, evidence, basis
    for share in (False, True):
        pd.testing.assert_frame_equal(a.to_frame(share=share), b.to_frame(share=share),
                                      check_exact=True)
    np.testing.assert_array_equal(a.draws(50, seed=1), b.draws(50, seed=1))
    assert dict(a.params) == dict(b.params)
    assert (a.unit, a.currency, a.flow, a.segment) == (b.unit, b.currency, b.flow, b.segment)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_round_trip_is_bit_identical(mp, tmp_path, fmt):
    out = mp.save(tmp_path / "run", format=fmt)
    assert {p.name for p in out.iterdir()} >= {"metadata.json", f"samples.{fmt}",
                                               f"base_log.{fmt}", "scenarios.toml"}
    back = MarketProjection.load(out)
    for name in ("years", "samples", "base_log", "centers"):
        np.testing.assert_array_equal(getattr(back, name), getattr(mp, name))
    assert (back.parts, back.scenario_names, back.seed, back.model, back.unit) == \
        (mp.parts, mp.scenario_names, mp.seed, mp.model, mp.unit)
    assert back.settings == json.loads(json.dumps(mp.settings))
    _same_history(mp.history, back.history)
    # the per-record diagnostics stay with the records (documented)
    assert back.history.observations().empty
    assert list(back.history.observations().columns) == list(mp.history.observations().columns)
    # summaries, shares, the market view and the exact decomposition (diversion included)
    # bit for bit: the loaded samples are C-ordered too, so means add in the same order
    pd.testing.assert_frame_equal(back.to_frame(share=True), mp.to_frame(share=True),
                                  check_exact=True)
    pd.testing.assert_frame_equal(back.summary_frame(), mp.summary_frame(), check_exact=True)
    pd.testing.assert_frame_equal(back.market("US").summary_frame(),
                                  mp.market("US").summary_frame(), check_exact=True)
    assert [s.name for s in back.scenarios] == list(mp.scenario_names)
    pd.testing.assert_frame_equal(back.decompose("to_eu"), mp.decompose("to_eu"),
                                  check_exact=True)


def test_what_the_records_said_survives_save_and_load(mp, tmp_path):
    """A loaded history had a blank ``basis`` column, so the markets report of a loaded
    projection lost its caution on extrapolated years; the summary is saved now, and a
    file written before it loads as before (blank), while a damaged one is refused."""
    from forecast.report._markets_message import unpublished

    out = mp.save(tmp_path / "run")
    frame = MarketProjection.load(out).history.to_frame()
    assert set(frame["basis"]) == {"release", "combined", "trend"}
    assert (frame["n_records"] > 0).any()
    note = unpublished(MarketProjection.load(out).history, "US")
    assert note is not None
    assert note == unpublished(mp.history, "US")  # the report's caution, as before saving
    meta = json.loads((out / "metadata.json").read_text())
    del meta["history"]["records"]  # a file of the earlier format
    (out / "metadata.json").write_text(json.dumps(meta))
    old = MarketProjection.load(out).history.to_frame()
    assert set(old["basis"]) == {""}
    assert (old["n_records"] == 0).all()
    records = mp.history.record_summary()
    records["basis"]["US"][0] = "guess"
    meta["history"]["records"] = records
    (out / "metadata.json").write_text(json.dumps(meta))
    with pytest.raises(DataError, match=r"history\.records\.basis\['US'\].*release, "
                                        r"combined, trend"):
        MarketProjection.load(out)


def test_formula_like_scenario_names_survive_a_csv(market_history, tmp_path):
    fit = BottomUpModel(forecast.Drift()).fit(market_history, seed=3)
    mp = project_markets(fit, [Scenario("baseline"), Scenario("=cut", (LOSS,))], to=2028,
                         n_paths=20, seed=5)
    out = mp.save(tmp_path / "run", format="csv")
    assert "\n'=cut," in (out / "samples.csv").read_text()  # neutralised for spreadsheets
    back = MarketProjection.load(out)
    assert back.scenario_names == ("baseline", "=cut")
    np.testing.assert_array_equal(back.samples, mp.samples)


@pytest.fixture(scope="module")
def awkward(market_history) -> MarketProjection:
    """Scenario and market names pandas would read as missing values, numbers or
    formulas (tests/_names.py)."""
    return awkward_markets(market_history)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_every_scenario_and_market_name_survives_save_and_load(awkward, tmp_path, fmt):
    if fmt == "parquet":
        need("pyarrow")
    out = awkward.save(tmp_path / "run", format=fmt)
    assert (out / f"samples.{fmt}").is_file()
    back = MarketProjection.load(out)
    assert back.scenario_names == awkward.scenario_names
    assert back.parts == awkward.parts == (*MARKETS, "ROW")
    np.testing.assert_array_equal(back.samples, awkward.samples)
    assert [s.name for s in back.scenarios] == list(awkward.scenario_names)
    pd.testing.assert_frame_equal(back.summary_frame(), awkward.summary_frame(),
                                  check_exact=True)
    again = MarketProjection.load(back.save(tmp_path / "again", format=fmt))
    assert (again.scenario_names, again.parts) == (awkward.scenario_names, awkward.parts)


def test_the_csv_fallback_of_the_default_save_keeps_every_name(awkward, tmp_path,
                                                               monkeypatch):
    from forecast.projection import files as single

    monkeypatch.setattr(single, "_has_pyarrow", lambda: False)
    out = awkward.save(tmp_path / "run")
    assert (out / "samples.csv").is_file()
    back = MarketProjection.load(out)
    assert (back.scenario_names, back.parts) == (awkward.scenario_names, awkward.parts)


def test_a_damaged_or_foreign_folder_is_refused(mp, tmp_path):
    out = mp.save(tmp_path / "run", format="csv")
    # a data file changed after the save
    samples = out / "samples.csv"
    original = samples.read_bytes()
    samples.write_bytes(original.replace(b",", b";", 1))
    with pytest.raises(DataError, match="does not match the SHA-256"):
        MarketProjection.load(out)
    samples.write_bytes(original)
    # a link in place of a file is never followed
    os.rename(samples, tmp_path / "elsewhere.csv")
    os.symlink(tmp_path / "elsewhere.csv", samples)
    with pytest.raises(DataError, match="symbolic link"):
        MarketProjection.load(out)
    os.remove(samples)
    os.rename(tmp_path / "elsewhere.csv", samples)
    assert MarketProjection.load(out).n_paths == mp.n_paths
    # each format is read by its own class
    single = mp.market("US").save(tmp_path / "single", format="csv")
    with pytest.raises(DataError, match="forecast.MarketProjection.*Projection.load"):
        MarketProjection.load(single)
    with pytest.raises(DataError, match=r"forecast.Projection.*read by "
                                         r"forecast\.MarketProjection\.load"):
        Projection.load(out)
    with pytest.raises(DataError, match="must be a folder written by MarketProjection.save"):
        MarketProjection.load(tmp_path / "missing")


def _edit_metadata(folder, edit) -> None:
    path = folder / "metadata.json"
    meta = json.loads(path.read_text())
    edit(meta)
    path.write_text(json.dumps(meta))


@pytest.mark.parametrize(("edit", "words"), [
    (lambda m: m.pop("history"), "'history' missing"),
    (lambda m: m.update(parts=["US", "ROW"]), "`parts` must be the history's markets"),
    (lambda m: m["history"].pop("map"), "`history` must be an object with exactly the keys"),
    (lambda m: m["history"]["mean"][0].append(1.0), "`history.mean[0]` must be a list of"),
    (lambda m: m["history"]["map"][1].__setitem__(0, "x"), "`history.map[1][0]`"),
    (lambda m: m["history"]["params"].update(sigma_level=[1]), "history.params"),
    (lambda m: m.update(centers=m["centers"][:-1]), "`centers`"),
    (lambda m: m["history"].update(years=[2009, 2011]), "consecutive years"),
    (lambda m: m.update(scenario_names=["a", "a"]), "unique"),
    (lambda m: m.update(format_version=2), "format_version 1"),
    (lambda m: m["checksums"].update({"samples.csv": "abc"}), "64-digit SHA-256"),
])
def test_bad_metadata_names_the_key(mp, tmp_path, edit, words):
    out = mp.save(tmp_path / "run", format="csv")
    _edit_metadata(out, edit)
    with pytest.raises(DataError, match=words.replace("[", r"\[").replace("(", r"\(")):
        MarketProjection.load(out)


def test_reordered_rows_are_refused_even_with_a_fresh_checksum(mp, tmp_path):
    out = mp.save(tmp_path / "run", format="csv")
    lines = (out / "samples.csv").read_text().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]  # paths 0 and 1 of the first part swapped
    data = "".join(lines).encode()
    (out / "samples.csv").write_bytes(data)
    _edit_metadata(out, lambda m: m["checksums"].update(
        {"samples.csv": hashlib.sha256(data).hexdigest()}))
    with pytest.raises(DataError, match="in order"):
        MarketProjection.load(out)


def test_a_failed_save_keeps_the_previous_folder_and_a_foreign_one_needs_force(
        mp, tmp_path, monkeypatch):
    out = mp.save(tmp_path / "run", format="csv")
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files, "_write", full_disk)
    with pytest.raises(OutputError):
        mp.save(out, format="csv")
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not forecast's")
    with pytest.raises(OutputError, match="force"):
        mp.save(foreign, format="csv")
    assert (foreign / "notes.txt").exists()
    mp.save(foreign, format="csv", force=True)
    assert not (foreign / "notes.txt").exists()
    assert MarketProjection.load(foreign).n_paths == mp.n_paths
