"""`forecast history` says its unit, printed and in its --out file (probe D8).

The table and the CSV were `year, median, ...` with no unit: with `--currency CNY` they
differed from the USD ones only by magnitude, and no settings.json is written beside the
CSV. The printed table is now titled as `forecast run` titles its own ("US offshore
execution (USD bn, Drift)"), and the CSV ends with a `unit` column, as backtest's --out
ends with its `seed`.
"""

from __future__ import annotations

import csv

import pytest

from forecast import cli

COLUMNS = ["year", "median", "lower_80", "upper_80", "lower_95", "upper_95", "n_records",
           "evidence"]


@pytest.mark.parametrize(("currency", "title", "unit"), [
    ("USD", "US offshore execution (USD bn)", "USD_bn"),
    ("CNY", "US offshore execution (CNY bn)", "CNY_bn"),
])
def test_history_prints_and_writes_its_unit(tmp_path, capsys, currency, title, unit):
    path = tmp_path / "h.csv"
    assert cli.main(["history", "--currency", currency, "--out", str(path), "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == title
    assert out[1].split() == COLUMNS
    assert out[2].split()[0] == "2009"
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == [*COLUMNS, "unit"]
    assert {r["unit"] for r in rows} == {unit}
    assert [r["year"] for r in rows] == [line.split()[0] for line in out[2:]]


def test_a_segment_is_named_in_the_title(capsys):
    assert cli.main(["history", "--market", "ALL", "--segment", "ITO", "-q"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "ALL offshore execution (ITO) (USD bn)"


@pytest.mark.parametrize(("currency", "title"), [
    ("USD", "US offshore execution (USD bn)"),
    ("CNY", "US offshore execution (CNY bn)"),
])
def test_nowcast_and_backtest_title_the_series_as_history_does(capsys, currency, title):
    """`forecast nowcast` titled its table "US offshore_execution (all, USD)" (and backtest
    the same), while history and run title theirs "US offshore execution (USD bn)"; the
    unit is the nowcast's first row's (CNY bn with --currency CNY)."""
    assert cli.main(["nowcast", "--currency", currency, "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"Nowcast of full-year 2025 from January-October figures, {title}"
    assert out[2].split()[0] == f"{currency}_bn"
    assert cli.main(["backtest", "--model", "drift", "--horizon", "1", "--paths", "20",
                     "--seed", "1", "--currency", currency, "-q"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"rolling-origin backtest of {title}; metrics averaged over origins"
