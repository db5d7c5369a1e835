"""Hypothesis properties of Records: CSV round trip, concat, as_of, corruption reporting."""

from __future__ import annotations

import os
import tempfile

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import record_frames, records

from forecast.errors import DataError
from forecast.records import Records

ROW_COLUMNS = ["market", "segment", "flow", "year", "months", "measure", "value", "unit",
               "basis", "published", "source", "address", "confidence", "note", "row", "origin"]

# (column, bad text): each makes exactly that cell invalid whatever the rest of the row is
CORRUPTIONS = [
    ("months", "13"), ("months", "0"), ("months", "x"), ("year", "abc"), ("year", "1700"),
    ("market", "us"), ("market", "U"), ("segment", "xx"), ("flow", "offshore"),
    ("measure", "levels"), ("basis", "RMB"), ("value", "abc"), ("value", "inf"),
    ("value", ""), ("published", "20-20"), ("published", "2023-02-30"), ("source", ""),
    ("confidence", "maybe"), ("unit", "EUR_1e8"),
]


def _rows(rec: Records) -> list[tuple]:
    return sorted(rec.frame[ROW_COLUMNS].itertuples(index=False, name=None))


@settings(max_examples=30)  # each example writes and parses a file
@given(record_frames())
def test_csv_round_trip(df):
    rec = Records.from_frame(df, origin="gen.csv")
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "gen.csv")
        rec.to_csv(path)
        back = Records.from_csv(path)
    pd.testing.assert_frame_equal(back.frame, rec.frame)


@settings(max_examples=30)
@given(record_frames(min_rows=2), st.data())
def test_concat_order_independent(df, data):
    cut = data.draw(st.integers(1, len(df) - 1), label="cut")
    a = Records.from_frame(df.iloc[:cut], origin="a.csv")
    b = Records.from_frame(df.iloc[cut:], origin="b.csv")
    ab, ba = a + b, b + a
    assert _rows(ab) == _rows(ba)
    assert len(ab) == len(a) + len(b)
    assert _rows(Records.concat(a, b, a)) == _rows(ab)  # the same record is kept once


@given(records(), st.dates(pd.Timestamp("2004-01-01").date(), pd.Timestamp("2034-12-31").date()))
def test_concat_with_records_a_filter_left_empty_changes_nothing(rec, d):
    """An empty Records (every record published after `d`, or none) is the identity of
    concat, on either side, and empty ones alone stay empty."""
    empty = rec.filter(as_of=d)
    empty = empty if len(empty) == 0 else rec.filter(year=1980)  # years drawn: 2005-2022
    assert Records.concat(rec, empty) == rec
    assert empty + rec == rec
    assert len(Records.concat(empty, empty)) == 0


@given(records(), st.dates(pd.Timestamp("2004-01-01").date(), pd.Timestamp("2034-12-31").date()),
       st.integers(0, 2000))
def test_as_of_monotone(rec, d1, extra_days):
    d2 = d1 + pd.Timedelta(days=extra_days).to_pytimedelta()
    early, late = rec.filter(as_of=d1), rec.filter(as_of=d2)
    assert set(early.frame["row"]) <= set(late.frame["row"])
    assert (early.frame["published_date"] <= pd.Timestamp(d1)).all()
    dropped = rec.frame[~rec.frame["row"].isin(early.frame["row"])]
    assert (dropped["published_date"] > pd.Timestamp(d1)).all()  # nothing else dropped
    assert len(rec.filter(as_of=d1.strftime("%Y-%m"))) >= len(early)


@given(record_frames(min_rows=1, max_rows=8), st.data())
def test_corrupted_cell_is_reported_with_its_row(df, data):
    i = data.draw(st.integers(0, len(df) - 1), label="row index")
    col, bad = data.draw(st.sampled_from(CORRUPTIONS), label="corruption")
    df = df.astype({"year": object, "months": object, "value": object})
    df.loc[i, col] = bad
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bad.csv")
        df.to_csv(path, index=False)
        with pytest.raises(DataError) as info:
            Records.from_csv(path)
    problems = info.value.problems
    assert (i + 1, col) in {(p.row, p.column) for p in problems}
    assert f"row {i + 1}, column '{col}'" in str(info.value)
    assert all(p.row == i + 1 for p in problems)  # the other rows are valid
