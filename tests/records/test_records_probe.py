"""Regression tests for the problems a user probe found in reading release records.

Each test names the probe's finding: combined market codes in another order, files
separated by ';' or tabs, publication dates in the future, Excel workbooks, paths that are
not regular files, ``months`` written as a period name, quoted line breaks and line
numbers, and blank rows in ``from_frame``.
"""

from __future__ import annotations

import datetime as dt
import os
import zipfile

import numpy as np
import pandas as pd
import pytest

import forecast
from forecast.errors import DataError
from forecast.records import Records, _periods, load_releases
from forecast.records.schema import canonical_market

HEADER = "market,segment,flow,year,months,measure,value,unit,basis,published,source,confidence"
ROWS = [
    "US,all,offshore_execution,2009,12,level,28.1,USD_1e8,USD,2010-01,src A,read",
    "US,all,offshore_execution,2013,12,level,117.5,USD_1e8,USD,2014-01-20,src B,read",
    "US,all,offshore_execution,2015,12,yoy_growth,17.5,pct,USD,2016-01-20,src C,read",
    "US,all,offshore_execution,2020,12,level,1550.6,CNY_1e8,CNY,2021-01-29,src D,read",
]
SUM_ROW = "{m},all,offshore_execution,2019,7,share,{v},pct,CNY,2019-08-20,src S,read"


def write(tmp_path, lines, name="mine.csv") -> str:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def small_frame() -> pd.DataFrame:
    return pd.DataFrame([r.split(",") for r in ROWS], columns=HEADER.split(","))


# ------------------------------------------------------------ 1. market sums in any order


@pytest.mark.parametrize(("code", "stored"), [
    ("HK+US", "US+HK"), ("US+HK", "US+HK"), ("EU+HK+US", "US+HK+EU"),
    ("US+EU+JP+HK", "US+HK+EU+JP"), ("US+EU+HK+JP", "US+HK+EU+JP"),
    ("IN+ZZ+US", "US+IN+ZZ"), ("JP", "JP"), ("ZZ", "ZZ"),
])
def test_market_sums_are_stored_in_one_order(code, stored):
    assert canonical_market(code) == stored


def test_sums_in_another_order_with_different_values_conflict(tmp_path):
    path = write(tmp_path, [HEADER, *ROWS, SUM_ROW.format(m="US+HK", v=50.1),
                            SUM_ROW.format(m="HK+US", v=48.0)])
    with pytest.raises(DataError, match=r"key US\+HK/all/offshore_execution/2019/7/share/CNY "
                                        r".* has different values \(row 5 = 50\.1, row 6 = 48\)"
                       ) as info:
        Records.from_csv(path)
    assert "US+HK is one sum whatever the order" in str(info.value)
    assert [(p.row, p.column) for p in info.value.problems] == [(5, "value")]


def test_sums_in_another_order_with_equal_values_are_duplicates(tmp_path):
    path = write(tmp_path, [HEADER, *ROWS, SUM_ROW.format(m="US+HK", v=50.1),
                            SUM_ROW.format(m="HK+US", v=50.1)])
    rec = Records.from_csv(path)
    f = rec.frame
    assert f["market"].tolist()[-2:] == ["US+HK", "US+HK"]  # both kept (corroboration)
    assert f["row"].tolist()[-2:] == [5, 6]


def test_filter_finds_a_sum_in_any_order(tmp_path):
    path = write(tmp_path, [HEADER, *ROWS, SUM_ROW.format(m="HK+US", v=50.1)])
    rec = Records.from_csv(path)
    assert len(rec.filter(market="HK+US")) == len(rec.filter(market="US+HK")) == 1


def test_reconstruct_names_a_sum_in_any_order(releases):
    """``market="EU+HK+US"`` rebuilds the stored US+HK+EU sum, not 'unknown market'."""
    import warnings

    from forecast import reconstruct

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # a record past the China totals
        a = reconstruct(releases, market="EU+HK+US")
        b = reconstruct(releases, market="US+HK+EU")
    assert a.market == b.market == "US+HK+EU"
    np.testing.assert_array_equal(a.log_mean, b.log_mean)
    np.testing.assert_array_equal(a.log_sd, b.log_sd)


def test_embedded_sums_are_canonical_and_do_not_collide(releases):
    """The embedded file spells one sum two ways (US+EU+JP+HK, US+EU+HK+JP).

    Stored in one order they are one market; their four rows are different periods or
    measures, so nothing collides and every row still loads.
    """
    f = releases.frame
    assert len(f) == 341
    sums = f[f["market"].str.contains("+", regex=False)]
    assert set(sums["market"]) == {"US+HK+EU", "US+EU", "US+HK+EU+JP"}
    four = sums[sums["market"] == "US+HK+EU+JP"]
    assert list(zip(four["year"], four["months"], four["measure"], four["value"],
                    strict=True)) == [(2011, 12, "level", 164.3), (2011, 12, "share", 68.9),
                                      (2014, 11, "share", 62.1), (2015, 1, "share", 64.9)]
    assert not f.duplicated(["market", "segment", "flow", "year", "months", "measure",
                             "basis"]).loc[four.index].any()


# ------------------------------------------------------------ 2. ';' or tab separators


@pytest.mark.parametrize(("sep", "said"), [(";", "semicolons (';')"), ("\t", "tabs")])
def test_semicolon_or_tab_separated_file_says_so(tmp_path, sep, said):
    lines = [HEADER.replace(",", sep)] + [r.replace(",", sep) for r in ROWS]
    path = write(tmp_path, lines, "excel.csv")
    with pytest.raises(DataError) as info:
        Records.from_csv(path)
    msg = str(info.value)
    assert f"releases file '{path}' seems to be separated by {said}, not commas" in msg
    assert "'CSV UTF-8 (comma delimited)'" in msg
    assert "'.' as the decimal point" in msg
    assert "missing required column" not in msg


def european(lines: list[str]) -> list[str]:
    """`lines` as Excel writes them in a region whose list separator is ';'."""
    out = []
    for line in lines:
        fields = line.split(",")
        fields[6] = fields[6].replace(".", ",")  # value
        out.append(";".join(fields))
    return out


def test_decimal_commas_are_named(tmp_path):
    path = write(tmp_path, european([HEADER, *ROWS]), "eu.csv")
    with pytest.raises(DataError, match=r"writes decimals with a comma, e\.g\. '28,1'"):
        Records.from_csv(path)


def test_the_suggested_pandas_conversion_works(tmp_path):
    path = write(tmp_path, european([HEADER, *ROWS]), "eu.csv")
    fixed = tmp_path / "fixed.csv"
    pd.read_csv(path, sep=";", decimal=",").to_csv(fixed, index=False)
    assert Records.from_csv(fixed).frame["value"].tolist() == [28.1, 117.5, 17.5, 1550.6]


def test_exchange_rate_file_separated_by_semicolons(tmp_path):
    path = tmp_path / "fx.csv"
    path.write_text("year;month;series;cny_per_usd;source;confidence\n"
                    "2020;;prc_official;6,8974;NBS;read\n", encoding="utf-8")
    with pytest.raises(DataError, match="exchange-rate file .*fx.csv' seems to be separated "
                                        r"by semicolons \(';'\)"):
        forecast.ExchangeRates.from_csv(path)


def test_a_decimal_comma_in_a_quoted_value_gets_the_decimal_hint(tmp_path):
    lines = [HEADER, ROWS[0], ROWS[1].replace("117.5", '"117,5"')]
    with pytest.raises(DataError, match=r"row 2, column 'value': '117,5' is not a number.*"
                                        r"use '\.' as the decimal point: 117\.5"):
        Records.from_csv(write(tmp_path, lines))


# ------------------------------------------------------------ 3. publication in the future


@pytest.fixture
def on_2026_11_28(monkeypatch):
    monkeypatch.setattr(_periods, "today", lambda: dt.date(2026, 11, 28))


@pytest.mark.usefixtures("on_2026_11_28")
@pytest.mark.parametrize(("published", "hint"), [
    ("2052-01-20", "Did you mean '2025-01-20'?"), ("2099-12-31", "enter the date"),
    ("2026-11-29", "enter the date"), ("2027", "enter the date"),
])
def test_publication_after_today_is_an_error(tmp_path, published, hint):
    lines = [HEADER, *ROWS,
             f"US,all,offshore_execution,2024,12,level,315.9,USD_1e8,USD,{published},src G,read"]
    with pytest.raises(DataError) as info:
        Records.from_csv(write(tmp_path, lines))
    (problem,) = info.value.problems
    assert (problem.row, problem.column, problem.value) == (5, "published", published)
    msg = str(info.value)
    assert f"row 5, column 'published': '{published}' is after today (2026-11-28)" in msg
    assert hint in msg


@pytest.mark.usefixtures("on_2026_11_28")
@pytest.mark.parametrize("published", ["2026-11-28", "2026-11", "2026"])
def test_a_date_that_may_be_today_is_accepted(published):
    df = small_frame()
    df.loc[3, ["year", "published"]] = ["2025", published]
    assert Records.from_frame(df).frame["published"].iloc[3] == published


def test_today_is_read_when_validating(monkeypatch):
    df = small_frame()
    monkeypatch.setattr(_periods, "today", lambda: dt.date(2015, 6, 30))
    with pytest.raises(DataError, match="'2016-01-20' is after today .2015-06-30."):
        Records.from_frame(df)
    monkeypatch.setattr(_periods, "today", lambda: dt.date(2030, 1, 1))
    assert len(Records.from_frame(df)) == 4


def test_embedded_data_has_no_future_publication(releases):
    assert releases.frame["published_date"].max() <= pd.Timestamp(dt.date.today())


# ------------------------------------------------------------ 4. Excel workbooks


def test_xlsx_renamed_to_csv_is_named_a_workbook(tmp_path):
    path = tmp_path / "releases.csv"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(DataError) as info:
        Records.from_csv(path)
    msg = str(info.value)
    assert f"releases file '{path}' is an Excel workbook (.xlsx" in msg
    assert "'CSV UTF-8 (comma delimited)'" in msg
    assert "forecast.Records.from_frame(pandas.read_excel(path))" in msg
    assert "UTF-8 text" not in msg
    assert callable(forecast.Records.from_frame)  # the name the message gives exists


def test_old_xls_is_named_a_workbook(tmp_path):
    path = tmp_path / "old.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500))
    with pytest.raises(DataError, match=r"old\.xls' is an Excel 97-2003 workbook \(\.xls\)"):
        Records.from_csv(path)


def test_exchange_rate_workbook(tmp_path):
    path = tmp_path / "fx.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("x", "y")
    with pytest.raises(DataError, match=r"exchange-rate file .* is an Excel workbook .*"
                                        r"pandas\.read_excel\(path\)\.to_csv"):
        forecast.ExchangeRates.from_csv(path)


# ------------------------------------------------------------ 5. not a regular file


@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_device_is_not_a_regular_file():
    with pytest.raises(DataError, match=r"releases path '/dev/null' is a character device, "
                                        "not a regular file"):
        Records.from_csv("/dev/null")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_without_blocking(tmp_path):
    path = tmp_path / "pipe.csv"
    os.mkfifo(path)
    with pytest.raises(DataError, match=r"is a named pipe \(FIFO\), not a regular file"):
        Records.from_csv(path)


def test_folder_is_still_named_a_directory(tmp_path):
    with pytest.raises(DataError, match="is a directory; pass the CSV file inside it"):
        Records.from_csv(tmp_path)


# ------------------------------------------------------------ 6. months not a whole number


@pytest.mark.parametrize(("value", "shown", "hint"), [
    ("Jan-Oct", "'Jan-Oct'", "Did you mean 10 (January-October)?"),
    ("Q1", "'Q1'", "Did you mean 3 (January-March)?"),
    ("H1", "'H1'", "Did you mean 6 (January-June)?"),
    ("Q2", "'Q2'", "the January-June figure is months 6"),
    ("6.5", "'6.5'", ""),
])
def test_months_not_a_whole_number_in_a_file(tmp_path, value, shown, hint):
    lines = [HEADER, *ROWS[:3], ROWS[3].replace(",2020,12,", f",2020,{value},")]
    with pytest.raises(DataError) as info:
        Records.from_csv(write(tmp_path, lines))
    msg = str(info.value)
    assert ("row 4, column 'months': months must be a whole number of months 1..12, "
            "counted from January") in msg
    assert f"; got {shown}." in msg
    assert hint in msg
    assert "outside" not in msg


@pytest.mark.parametrize(("value", "shown"), [(6.5, "6.5"), (True, "True"), ("Q1", "'Q1'")])
def test_months_not_a_whole_number_in_a_frame(value, shown):
    df = small_frame().astype({"months": object})
    df.loc[0, "months"] = value
    with pytest.raises(DataError, match=f"must be a whole number of months 1..12.*; got "
                                        f"{shown}") as info:
        Records.from_frame(df)
    assert info.value.problems[0].value is value or info.value.problems[0].value == value


def test_months_out_of_range_keeps_its_message(tmp_path):
    lines = [HEADER, ROWS[0].replace(",2009,12,", ",2009,13,")]
    with pytest.raises(DataError, match=r"row 1, column 'months': 13 is outside 1\.\.12"):
        Records.from_csv(write(tmp_path, lines))


def test_missing_months(tmp_path):
    lines = [HEADER, ROWS[0].replace(",2009,12,", ",2009,,")]
    with pytest.raises(DataError, match="months is missing; it must be a whole number"):
        Records.from_csv(write(tmp_path, lines))


# ------------------------------------------------------------ 7. quoted line breaks


def test_row_after_a_quoted_line_break_is_on_line_row_plus_one(tmp_path):
    lines = [HEADER, ROWS[0], ROWS[1].replace("src B", '"MOFCOM\nreport"'), ROWS[2],
             ROWS[3].replace("1550.6", "-1550.6")]
    path = write(tmp_path, lines)
    with pytest.raises(DataError, match="row 5, column 'value'") as info:
        Records.from_csv(path)
    with open(path, encoding="utf-8") as fh:
        file_lines = fh.read().split("\n")
    assert "-1550.6" in file_lines[info.value.problems[0].row]  # line = row + 1


def test_rows_keep_line_numbers_after_a_multiline_note(tmp_path):
    note = '"first line\r\nsecond line\r\n\r\nfourth"'
    lines = [HEADER + ",note", ROWS[0] + "," + note, "", ROWS[1] + ",", ROWS[2] + ","]
    rec = Records.from_csv(write(tmp_path, lines))
    f = rec.frame
    assert f["row"].tolist() == [1, 6, 7]
    assert f["note"].iloc[0] == "first line\r\nsecond line\r\n\r\nfourth"


def test_to_csv_round_trip_with_a_line_break(tmp_path):
    df = small_frame()
    df["note"] = ["a\nb", "", "", ""]
    path = tmp_path / "out.csv"
    Records.from_frame(df).to_csv(path)
    back = Records.from_csv(path)
    assert back.frame["note"].iloc[0] == "a\nb"
    assert back.frame["row"].tolist() == [1, 3, 4, 5]


# ------------------------------------------------------------ 8. blank rows in from_frame


def test_from_frame_skips_fully_blank_rows():
    df = small_frame()
    gap = pd.DataFrame([[np.nan] * len(df.columns)], columns=df.columns)
    df = pd.concat([df.iloc[:2], gap, df.iloc[2:], gap.replace({np.nan: ""})],
                   ignore_index=True)
    rec = Records.from_frame(df)
    assert len(rec) == 4
    assert rec.frame["row"].tolist() == [1, 2, 4, 5]  # positions, as CSV blank lines count


def test_from_frame_reports_the_row_position_after_a_blank_row():
    df = small_frame()
    df.loc[3, "months"] = "13"
    gap = pd.DataFrame([[None] * len(df.columns)], columns=df.columns)
    df = pd.concat([gap, df], ignore_index=True)
    with pytest.raises(DataError, match=r"row 5, column 'months': 13 is outside") as info:
        Records.from_frame(df)
    assert len(info.value.problems) == 1


def test_from_frame_of_blank_rows_only():
    df = pd.DataFrame([[np.nan] * 12] * 2, columns=HEADER.split(","))
    with pytest.raises(DataError, match="has 2 row.s., all blank; pass at least one row"):
        Records.from_frame(df, origin="sheet")


def test_a_partly_blank_row_is_still_reported():
    df = small_frame()
    df.loc[4] = [""] * 11 + ["read"]
    with pytest.raises(DataError, match="row 5, column 'market': market is missing"):
        Records.from_frame(df)


def test_embedded_data_round_trips_through_from_frame(releases):
    assert Records.from_frame(releases.frame) == releases
    assert load_releases() is releases or load_releases() == releases


def test_an_edited_copy_of_a_row_needs_a_number_of_its_own():
    """A row copied from records.frame, edited and appended kept its number, and the
    conflict message read "row 1 = 28.1, row 1 = 56.2"."""
    frame = load_releases().frame
    edited = frame.iloc[[0]].assign(value=frame["value"].iloc[0] * 2)
    with pytest.raises(DataError, match=r"column 'row' gives two different records the "
                                        r"number 1 \(origin 'embedded'; the second at "
                                        r"position 341\).*Give the new rows new numbers"):
        Records.from_frame(pd.concat([frame, edited], ignore_index=True))
    renumbered = edited.assign(row=int(frame["row"].max()) + 1)
    with pytest.raises(DataError, match=r"row 1 = .*, row 342 = "):  # now told apart
        Records.from_frame(pd.concat([frame, renumbered], ignore_index=True))
    same = Records.from_frame(pd.concat([frame, frame.iloc[[0]]], ignore_index=True))
    assert len(same.frame) >= len(frame)  # the same record twice: not a numbering problem


def test_from_frame_refuses_repeated_columns_a_bad_origin_and_a_huge_int():
    df = small_frame()
    with pytest.raises(DataError, match=r"repeated column\(s\) 'source'; each column must "
                                        r"appear once"):
        Records.from_frame(pd.concat([df, df[["source"]]], axis=1))  # a raw AttributeError
    for origin in (5, "", None):  # 5 used to break repr(records) later
        with pytest.raises(forecast.ForecastTypeError, match=r"`origin` must be a non-empty "
                                                             r"str .*got"):
            Records.from_frame(df, origin=origin)
    huge = df.astype({"value": object})
    huge.loc[0, "value"] = 10**400  # was a raw OverflowError
    with pytest.raises(DataError, match="is not a number"):
        Records.from_frame(huge)
