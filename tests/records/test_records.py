"""Tests of forecast.records: loading, validation (every problem at once), as_of, concat."""

from __future__ import annotations

import datetime as dt
import warnings
from importlib import resources

import numpy as np
import pandas as pd
import pytest
from _own_files import refusal

import forecast
from forecast.errors import DataError, ForecastError, ForecastTypeError, ParameterError
from forecast.records import Records, load_releases

EMBEDDED = resources.files("forecast").joinpath("data", "releases.csv")
COLUMNS = [
    "market", "segment", "flow", "year", "months", "measure", "value", "unit", "basis",
    "published", "published_date", "source", "address", "confidence", "note", "row", "origin",
]


def raw_table() -> pd.DataFrame:
    """The embedded CSV as text cells, for corrupting."""
    with resources.as_file(EMBEDDED) as p:
        return pd.read_csv(p, dtype=str, keep_default_na=False)


def write(df: pd.DataFrame, path) -> str:
    df.to_csv(path, index=False)
    return str(path)


def corrupt(tmp_path, changes: dict[tuple[int, str], str]) -> str:
    df = raw_table()
    for (i, col), v in changes.items():
        df.loc[i, col] = v
    return write(df, tmp_path / "bad.csv")


# ---------------------------------------------------------------- embedded data


def test_every_embedded_row_loads(releases):
    assert len(releases) == 341
    f = releases.frame
    assert list(f.columns) == COLUMNS
    assert f["row"].tolist() == list(range(1, 342))
    assert set(f["origin"]) == {"embedded"}
    raw = raw_table()
    assert len(raw) == 341
    # nothing altered: every published value survives as a float
    np.testing.assert_array_equal(f["value"].to_numpy(), raw["value"].astype(float).to_numpy())
    assert f["published"].tolist() == raw["published"].tolist()


def test_frame_dtypes_and_blanks(releases):
    f = releases.frame
    assert f["year"].dtype == np.int64
    assert f["months"].dtype == np.int64
    assert f["value"].dtype == np.float64
    assert f["row"].dtype == np.int64
    assert pd.api.types.is_datetime64_any_dtype(f["published_date"])
    assert not f[["address", "note"]].isna().any().any()
    assert (f["address"] == "").sum() == 6
    assert set(f["confidence"]) == {"read", "uncertain"}


def test_published_date_is_last_day_allowed(releases):
    f = releases.frame.set_index("published")["published_date"]
    assert f.loc["2025-12"].iloc[0] == pd.Timestamp("2025-12-31")
    assert f.loc["2011"].iloc[0] == pd.Timestamp("2011-12-31")
    assert f.loc["2013-10"].iloc[0] == pd.Timestamp("2013-10-31")
    assert f.loc["2014-01-20"].iloc[0] == pd.Timestamp("2014-01-20")


def test_frame_is_a_copy(releases):
    f = releases.frame
    f.loc[0, "value"] = -1.0
    assert releases.frame.loc[0, "value"] == 28.1
    with pytest.raises(AttributeError):
        releases._frame = f  # frozen


def test_load_is_cached():
    assert load_releases() is load_releases()
    assert forecast.load_releases() is load_releases()


def test_markets_and_repr(releases):
    assert releases.markets[0] == "ALL"
    assert "US" in releases.markets
    assert "US+HK+EU" in releases.markets
    text = repr(releases)
    assert "341 rows" in text
    assert "embedded" in text
    assert "2006-2025" in text
    assert "yoy_growth" in text
    assert "US" in text
    assert repr(releases.filter(year=1990)) == "Records(0 rows)"


def test_known_figures(releases):
    us = releases.filter(market="US", measure="level", months=12, segment="all",
                         flow="offshore_execution")
    vals = dict(zip(us.frame["year"], us.frame["value"], strict=False))
    assert vals[2009] == 28.1
    assert vals[2024] == 315.9
    assert vals[2020] == 1550.6
    oct25 = releases.filter(market="US", year=2025, months=10, measure="level")
    assert oct25.frame["value"].tolist() == [1591.1]


# ---------------------------------------------------------------- filter / as_of


@pytest.mark.parametrize(
    ("as_of", "end"),
    [
        ("2023", "2023-12-31"),
        ("2023-06", "2023-06-30"),
        ("2023-06-15", "2023-06-15"),
        (2023, "2023-12-31"),
        (dt.date(2023, 6, 15), "2023-06-15"),
        (pd.Timestamp("2023-06-15 13:00"), "2023-06-15"),
        (np.datetime64("2023-06-15"), "2023-06-15"),
    ],
)
def test_as_of_forms(releases, as_of, end):
    kept = releases.filter(as_of=as_of).frame
    expected = releases.frame[releases.frame["published_date"] <= pd.Timestamp(end)]
    assert kept["row"].tolist() == expected["row"].tolist()
    assert len(kept) > 0


def test_as_of_excludes_late_figures(releases):
    before = releases.filter(as_of="2025-11")
    assert 2024 not in before.filter(market="US", measure="level", months=12).frame["year"].tolist()
    # a release published "2013-10" is only known by the end of October 2013
    assert (releases.filter(as_of="2013-10-15").frame["published"] != "2013-10").all()
    assert (releases.filter(as_of="2013-10").frame["published"] == "2013-10").any()


def test_filter_lists_and_combinations(releases):
    both = releases.filter(market=["US", "HK"], measure="level")
    assert set(both.frame["market"]) == {"US", "HK"}
    assert len(both) == len(releases.filter(market="US", measure="level")) + len(
        releases.filter(market="HK", measure="level"))
    assert set(releases.filter(months=[6, 12]).frame["months"]) == {6, 12}
    assert set(releases.filter(confidence="uncertain").frame["confidence"]) == {"uncertain"}
    with pytest.warns(UserWarning, match="no record has market 'ZZ'"):
        assert len(releases.filter(market="ZZ")) == 0


def test_filter_warns_for_a_market_no_record_has(releases):
    with pytest.warns(UserWarning, match="no record has market") as rec:
        kept = releases.filter(market=["USA", "EU"])
    assert len(kept) == len(releases.filter(market="EU")) > 0  # EU rows are kept
    (w,) = rec  # one warning, for USA only
    msg = str(w.message)
    for frag in ("no record has market 'USA'", "markets here are ALL, BRI, EU", "Did you "
                 "mean 'US'?"):
        assert frag in msg
    assert w.filename == __file__  # points at the caller's line
    with warnings.catch_warnings():  # present markets, or no records at all: silent
        warnings.simplefilter("error")
        releases.filter(market="US")
        releases.filter(market="KR", year=1990)
        releases.filter(year=1990).filter(market="US")


@pytest.mark.parametrize(
    ("kwargs", "exc", "fragments"),
    [
        ({"as_of": "June 2023"}, ParameterError, ["`as_of`", "'June 2023'", "YYYY-MM"]),
        ({"as_of": "2023-13"}, ParameterError, ["`as_of`", "'2023-13'", "as_of='2023-06'"]),
        ({"as_of": "2023-02-30"}, ParameterError, ["`as_of`", "'2023-02-30'", "YYYY-MM-DD"]),
        ({"as_of": 2023.5}, ForecastTypeError, ["`as_of`", "2023.5", "as_of='2023-06'"]),
        ({"as_of": True}, ForecastTypeError, ["`as_of`", "True", "as_of='2023-06'"]),
        ({"measure": "lvl"}, ParameterError, ["`measure`", "'lvl'", "Did you mean 'level'?"]),
        ({"segment": "ito"}, ParameterError, ["`segment`", "'ito'", "Did you mean 'ITO'?"]),
        ({"market": "us"}, ParameterError, ["`market`", "'us'", "Did you mean 'US'?"]),
        ({"months": 13}, ParameterError, ["`months`", "13", "12 = full year"]),
        ({"year": "2023"}, ForecastTypeError, ["`year`", "'2023'", "calendar year"]),
        ({"market": []}, ParameterError, ["`market`", "[]", "Pass None"]),
    ],
)
def test_filter_bad_arguments(releases, kwargs, exc, fragments):
    with pytest.raises(exc) as info:
        releases.filter(**kwargs)
    for frag in fragments:
        assert frag in str(info.value)


# ---------------------------------------------------------------- round trip, concat


def test_csv_round_trip(releases, tmp_path):
    path = tmp_path / "out.csv"
    releases.to_csv(path)
    back = Records.from_csv(path)
    pd.testing.assert_frame_equal(back.frame.drop(columns="origin"),
                                  releases.frame.drop(columns="origin"))
    assert set(back.frame["origin"]) == {"out.csv"}


def test_from_frame_round_trip(releases):
    assert Records.from_frame(releases.frame) == releases
    fresh = Records.from_frame(releases.frame.drop(columns=["row", "origin", "published_date"]),
                               origin="mine")
    assert fresh.frame["row"].tolist() == list(range(1, 342))
    assert set(fresh.frame["origin"]) == {"mine"}


@pytest.mark.parametrize("as_date", [
    pd.Timestamp,  # what pd.read_excel gives for a date cell
    lambda text: pd.Timestamp(text).date(),
    lambda text: pd.Timestamp(text).to_pydatetime(),
])
def test_from_frame_reads_dates_in_published_as_iso_dates(releases, as_date):
    day = releases.frame[releases.frame["published"].str.len() == 10].head(5)
    frame = day.drop(columns=["published_date"])
    frame["published"] = [as_date(t) for t in frame["published"]]
    back = Records.from_frame(frame)
    assert back.frame["published"].tolist() == day["published"].tolist()  # 'YYYY-MM-DD'
    assert back.frame["published_date"].tolist() == day["published_date"].tolist()
    whole = pd.to_datetime(day["published"])  # a datetime64 column, as Excel gives
    assert Records.from_frame(frame.assign(published=whole)) == back


def test_from_frame_refuses_a_published_time_of_day(releases):
    frame = releases.frame.head(2).drop(columns=["published_date"])
    frame["published"] = [pd.Timestamp("2014-01-20 14:30"), pd.NaT]
    with pytest.raises(DataError) as info:
        Records.from_frame(frame)
    msg = str(info.value)
    assert ("row 1, column 'published': '2014-01-20 14:30:00' has a time of day (14:30:00); "
            "published must be a date: YYYY, YYYY-MM or YYYY-MM-DD") in msg
    assert "df['published'].dt.date" in msg
    assert "row 2, column 'published': published is missing" in msg
    assert len(info.value.problems) == 2  # one problem per cell, not a second 'not a date'


def test_optional_columns_may_be_absent(tmp_path):
    df = raw_table().head(5).drop(columns=["address", "note"])
    rec = Records.from_csv(write(df, tmp_path / "min.csv"))
    assert len(rec) == 5
    assert (rec.frame["note"] == "").all()


def test_append_newer_release_keeps_own_numbering(releases, tmp_path):
    new = raw_table().head(1).copy()
    new.loc[0, ["year", "months", "value", "unit", "basis", "published"]] = [
        "2025", "12", "1900", "CNY_1e8", "CNY", "2026-02-01"]
    newer = Records.from_csv(write(new, tmp_path / "newer.csv"))
    both = releases + newer
    assert len(both) == 342
    last = both.frame.iloc[-1]
    assert (last["row"], last["origin"], last["value"]) == (1, "newer.csv", 1900.0)
    assert len(both.filter(as_of="2025-12")) == 341


def test_concat_identical_values_corroborate(releases):
    a = releases.filter(year=2020)
    b = Records.from_frame(a.frame.drop(columns=["origin"]), origin="copy")
    both = Records.concat(a, b)
    assert len(both) == 2 * len(a)
    assert Records.concat(a, a) == a  # the same record is kept once
    assert Records.concat([a, b]) == both


def test_concat_of_nothing_is_refused_as_an_empty_table_is(releases):
    """Records.concat() gave Records(0 rows), which from_frame and from_csv refuse, and
    reconstruct then blamed an as_of filter nobody had passed."""
    for args, given in (((), "no argument"), (([],), "an empty list"),
                        (((),), "an empty tuple")):
        with pytest.raises(ParameterError) as info:
            Records.concat(*args)
        for words in (f"`records` must be one or more Records to combine; got {given}.",
                      "Records.concat(a, b)", "forecast.load_releases()"):
            assert words in str(info.value), (words, str(info.value))
        assert info.value.field == "records"
    # Records a filter left empty are Records: they add nothing, and alone stay empty
    none = releases.filter(market="JP", flow="so_contract")
    us = releases.filter(market="US")
    assert len(none) == 0
    assert Records.concat(none, us) == us
    assert us + none == us
    assert len(Records.concat(none, none)) == 0
    assert len(Records.concat([none])) == 0


def test_concat_conflict_names_both_rows(releases):
    a = releases.filter(market="US", year=2020, months=12, measure="level")
    f = a.frame.drop(columns="origin")
    f["value"] = 1600.0
    b = Records.from_frame(f, origin="mine.csv")
    with pytest.raises(DataError) as info:
        _ = a + b
    msg = str(info.value)
    assert "embedded row 5 = 1550.6" in msg
    assert "mine.csv row 5 = 1600" in msg
    assert "'value'" in msg
    assert "keep the later release" in msg
    assert info.value.problems[0].column == "value"


@pytest.mark.parametrize("bad", [1, "records.csv", None])
def test_add_and_concat_reject_non_records(releases, bad):
    with pytest.raises(ForecastTypeError, match="Records"):
        _ = releases + bad
    with pytest.raises(ForecastTypeError, match="argument 1"):
        Records.concat(releases, bad)


# ---------------------------------------------------------------- bad CSV rows

# (row index, column, new text, fragments the message must contain)
BAD_CELLS = [
    (11, "months", "13", ["row 12, column 'months'", "13 is outside 1..12", "12 = full year"]),
    (3, "months", "0", ["row 4, column 'months'", "0 is outside 1..12", "from January"]),
    (0, "market", "us", ["row 1, column 'market'", "'us'", "Did you mean 'US'?"]),
    (0, "market", "US+ALL", ["column 'market'", "'US+ALL'", "use 'ALL' alone"]),
    (0, "market", "", ["column 'market'", "missing", "'US' or 'ALL'"]),
    (1, "segment", "ito", ["row 2, column 'segment'", "'ito'", "Did you mean 'ITO'?"]),
    (2, "flow", "offshore", ["column 'flow'", "'offshore'", "one of 'offshore_execution'"]),
    (3, "measure", "levels", ["column 'measure'", "'levels'", "Did you mean 'level'?"]),
    (2, "unit", "USD_1e8", ["row 3, column 'unit'", "'USD_1e8'", "must be 'pct'"]),
    (4, "unit", "USD_1e8", ["row 5, column 'unit'", "basis 'CNY'", "must be 'CNY_1e8'"]),
    (4, "basis", "RMB", ["column 'basis'", "'RMB'", "one of 'USD', 'CNY'"]),
    (5, "year", "20x0", ["row 6, column 'year'", "'20x0'", "e.g. 2023"]),
    (5, "year", "1850", ["row 6, column 'year'", "1850 is outside 1980..2100", "e.g. 2023"]),
    (5, "value", "abc", ["row 6, column 'value'", "'abc' is not a number", "e.g. 1550.6"]),
    (4, "value", "1,550.6", ["column 'value'", "'1,550.6'", "remove the thousands separator"]),
    (4, "value", "inf", ["column 'value'", "inf is not finite", "finite figure"]),
    (0, "value", "-5", ["row 1, column 'value'", "-5 must be > 0", "'yoy_growth'"]),
    (2, "value", "150", ["row 3, column 'value'", "150 is outside (0, 100]", "not 0.259"]),
    (3, "value", "-100", ["row 4, column 'value'", "-100 must be > -100", "percent change"]),
    (6, "published", "2021/01", ["row 7, column 'published'", "'2021/01'", "YYYY-MM-DD"]),
    (4, "published", "2020-06", ["row 5, column 'published'", "before the end of the period",
                                 "check the year"]),
    (7, "source", "", ["row 8, column 'source'", "source is missing", "title"]),
    (8, "confidence", "high", ["row 9, column 'confidence'", "'high'", "'read', 'uncertain'"]),
]


@pytest.mark.parametrize(("i", "col", "text", "fragments"), BAD_CELLS,
                         ids=[f"{c}={t!r}" for _, c, t, _ in BAD_CELLS])
def test_bad_cell_reported(tmp_path, i, col, text, fragments):
    path = corrupt(tmp_path, {(i, col): text})
    with pytest.raises(DataError) as info:
        Records.from_csv(path)
    msg = str(info.value)
    for frag in fragments:
        assert frag in msg, msg
    assert "bad.csv" in msg
    rows = {p.row for p in info.value.problems}
    assert i + 1 in rows
    assert all(p.column == col for p in info.value.problems if p.row == i + 1)


def test_all_problems_reported_at_once(tmp_path):
    path = corrupt(tmp_path, {(11, "months"): "13", (40, "segment"): "xx",
                              (200, "value"): "n/a", (339, "confidence"): "?"})
    with pytest.raises(DataError) as info:
        Records.from_csv(path)
    problems = info.value.problems
    assert [(p.row, p.column) for p in problems] == [
        (12, "months"), (41, "segment"), (201, "value"), (340, "confidence")]
    assert "4 problems" in str(info.value)
    assert all(isinstance(p, tuple) and len(p) == 4 for p in problems)
    assert problems[0].value == "13"


def test_duplicate_key_with_different_values(tmp_path):
    df = raw_table()
    dup = df.iloc[[4]].copy()
    dup["value"] = "1551"
    path = write(pd.concat([df, dup], ignore_index=True), tmp_path / "dup.csv")
    with pytest.raises(DataError) as info:
        Records.from_csv(path)
    msg = str(info.value)
    assert "row 5 = 1550.6" in msg
    assert "row 342 = 1551" in msg
    assert "US/all/offshore_execution/2020/12/level/CNY" in msg
    assert "Correct the wrong" in msg


def test_duplicate_key_with_same_value_is_kept(tmp_path):
    df = raw_table()
    path = write(pd.concat([df, df.iloc[[4]]], ignore_index=True), tmp_path / "dup.csv")
    assert len(Records.from_csv(path)) == 342


def test_user_market_code_accepted(tmp_path):
    df = raw_table().head(3)
    df["market"] = ["IN", "MYMKT", "US+IN"]
    assert Records.from_csv(write(df, tmp_path / "own.csv")).markets == ("IN", "MYMKT", "US+IN")


# ---------------------------------------------------------------- bad files


def test_missing_and_extra_columns_named(tmp_path):
    df = raw_table().drop(columns=["confidence", "unit"]).assign(comment="x")
    with pytest.raises(DataError) as info:
        Records.from_csv(write(df, tmp_path / "cols.csv"))
    msg = str(info.value)
    assert "missing required column(s) 'unit', 'confidence'" in msg
    assert "unknown column(s) 'comment'" in msg
    assert "The header must be" in msg


@pytest.mark.parametrize("frame", [
    lambda f: f.head(0),  # what from_frame accepted: Records(0 rows)
    lambda f: f.drop(columns=["row", "origin", "published_date"]).head(0)])
def test_from_frame_refuses_a_frame_without_data_rows_as_from_csv_does(releases, frame,
                                                                         tmp_path):
    with pytest.raises(DataError, match=r"records frame from 'mine' has .*pass at least one "
                                        r"row with data\.") as info:
        Records.from_frame(frame(releases.frame), origin="mine")
    assert info.value.field == "df"
    path = tmp_path / "empty.csv"
    releases.filter(year=1990).to_csv(path)
    with pytest.raises(DataError, match="no data rows"):
        Records.from_csv(path)


def test_from_frame_columns_named(releases):
    with pytest.raises(DataError, match="missing required column.*'value'.*unknown.*'extra'"):
        Records.from_frame(releases.frame.drop(columns="value").assign(extra=1))
    with pytest.raises(ForecastTypeError, match="DataFrame"):
        Records.from_frame({"market": ["US"]})


@pytest.mark.parametrize(
    ("content", "fragments"),
    [
        (b"", ["is empty", "header line"]),
        (b"   \n\n", ["is empty", "header line"]),
        (",".join(["market", "segment", "flow", "year", "months", "measure", "value", "unit",
                   "basis", "published", "source", "address", "confidence", "note"]).encode()
         + b"\n", ["no data rows", "add at least one row"]),
        ("market,segment\nUS,all\n".encode("utf-16"), ["not UTF-8", "Save it as UTF-8"]),
        (b"market,segment\nUS,all\xff\n", ["not UTF-8", "line 2", "CSV UTF-8"]),
        (b"a,b\n1,2\n1,2,3,4\n", ["not a valid CSV", "Quote fields"]),
    ],
)
def test_bad_files(tmp_path, content, fragments):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(DataError) as info:
        Records.from_csv(path)
    for frag in fragments:
        assert frag in str(info.value)
    assert "f.csv" in str(info.value)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(DataError, match=r"nope\.csv' does not exist\. Check the path"):
        Records.from_csv(tmp_path / "nope.csv")
    with pytest.raises(DataError, match="is a directory; pass the CSV file"):
        Records.from_csv(tmp_path)
    with pytest.raises(ForecastTypeError, match="`path` must be a str"):
        Records.from_csv(42)


def test_blank_lines_keep_file_numbering(tmp_path):
    text = EMBEDDED.read_text(encoding="utf-8").splitlines()
    lines = [text[0], text[1], "", text[3].replace(",12,share,", ",13,share,")]
    path = tmp_path / "blank.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        Records.from_csv(path)
    assert info.value.problems[0].row == 3  # third data line, the blank one counted


def test_direct_constructor_rejects_raw_tables():
    with pytest.raises(ForecastTypeError, match="Records.from_frame"):
        Records(pd.DataFrame({"market": ["US"]}))


def test_errors_are_value_errors(tmp_path):
    path = corrupt(tmp_path, {(0, "months"): "13"})
    with pytest.raises(ValueError):
        Records.from_csv(path)
    with pytest.raises(ForecastError):
        Records.from_csv(path)


def test_to_csv_bad_folder(releases, tmp_path):
    from forecast.errors import OutputError

    with pytest.raises(OutputError, match="does not exist. Create it first"):
        releases.to_csv(tmp_path / "no" / "such" / "dir.csv")


def test_repr_has_no_trailing_spaces(releases):
    """pandas pads the index header line; a notebook shows the padding as ragged text."""
    lines = repr(releases).splitlines()
    assert len(lines) > 3
    assert [line for line in lines if line != line.rstrip()] == []


def test_to_csv_replaces_its_own_untouched_file_and_keeps_an_edited_one(tmp_path):
    from forecast.errors import OutputError

    records = load_releases().filter(market="US")
    path = tmp_path / "us.csv"
    records.to_csv(path)
    first = path.read_bytes()
    records.to_csv(path)  # untouched: replaced without force
    assert path.read_bytes() == first
    edited = first.replace(b"\n", b"\r\n")  # saved again by a spreadsheet
    path.write_bytes(edited)
    refusal(lambda: records.to_csv(path), path, "records file",
            "changed since forecast wrote it")
    assert path.read_bytes() == edited
    records.to_csv(path, force=True)
    assert path.read_bytes() == first
    other = tmp_path / "other.csv"  # no record beside it
    other.write_text("not,records\n")
    with pytest.raises(OutputError, match=r"was not written by forecast.*force=True"):
        records.to_csv(other)
    assert other.read_text() == "not,records\n"
