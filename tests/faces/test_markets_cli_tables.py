"""``forecast run --markets`` prints its tables as the single-market run does.

They printed pandas' pivot header rows (``year`` and a ``scenario`` line of their own)
and P(US share < 15%) as fractions (0.25) where the single-market run prints percentages.
"""

from __future__ import annotations

import re

from forecast import cli


def test_markets_tables_look_like_the_single_market_table(tmp_path, capsys):
    code = cli.main(["run", "--markets", "US,EU", "--model", "drift", "--paths", "100",
                     "--seed", "3", "--to", "2030", "--scenario", "baseline", "--scenario",
                     "friction_diversion", "--no-plot", "--quiet", "--out", str(tmp_path / "m")])
    text = capsys.readouterr().out
    assert code == 0, text
    lines = text.splitlines()
    for market in ("US", "ALL"):
        k = next(i for i, line in enumerate(lines) if line.startswith(f"{market} (USD bn, "))
        assert lines[k].endswith("): median [80% band]")
        assert re.fullmatch(r"scenario +2026 +2030", lines[k + 1]), lines[k + 1]
        assert lines[k + 2].startswith("baseline ")
        assert lines[k + 3].startswith("friction_diversion ")
    assert not any(line.split() in (["year", "2026", "2030"], ["scenario"]) for line in lines)
    share = " ".join(text.split("P(US share < 15% in 2030): ")[1].split("\n\n")[0].split())
    assert re.fullmatch(r"baseline \d{1,3}%, friction_diversion \d{1,3}%", share), share
