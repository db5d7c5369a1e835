"""``forecast run --markets`` prints its tables as the single-market run does.

They printed pandas' pivot header rows (``year`` and a ``scenario`` line of their own)
and P(US share < 15%) as fractions (0.25) where the single-market run prints percentages.
"""

from __future__ import annotations

import re

import numpy as np

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


#: A scenario file whose scenarios carry probabilities (the audit's, D1).
WEIGHTED = """\
[[scenario]]
name = "baseline"
probability = 0.5
[[scenario]]
name = "escalation"
preset = "escalation"
probability = 0.3
[[scenario]]
name = "fragmentation"
preset = "fragmentation"
probability = 0.2
"""


def _run_weighted(tmp_path, capsys, *extra):
    file = tmp_path / "s.toml"
    file.write_text(WEIGHTED, encoding="utf-8")
    out = tmp_path / "m"
    code = cli.main(["run", str(file), "--markets", "US,EU", "--model", "drift", "--paths",
                     "100", "--seed", "3", "--to", "2030", "--no-plot", "--quiet", "--out",
                     str(out), *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return captured, out


def test_a_file_with_probabilities_gives_the_mixture_everywhere(tmp_path, capsys):
    """The run kept the probabilities and showed no mixture, with no warning (D1): now the
    printed tables, summary.csv, shares.csv, the key message and the report have it."""
    import pandas as pd

    import forecast

    captured, out = _run_weighted(tmp_path, capsys)
    assert captured.err == ""
    lines = captured.out.splitlines()
    for market in ("US", "ALL"):
        k = next(i for i, line in enumerate(lines) if line.startswith(f"{market} (USD bn, "))
        assert [line.split()[0] for line in lines[k + 2:k + 6]] == [
            "baseline", "escalation", "fragmentation", "mixture"]
    share = " ".join(captured.out.split("P(US share < 15% in 2030): ")[1].split("\n\n")[0]
                     .split())
    assert re.fullmatch(r"baseline \d{1,3}%, escalation \d{1,3}%, fragmentation \d{1,3}%, "
                        r"mixture \d{1,3}%", share), share
    # the rows are the library's: the same run in Python, its mixture's summaries
    mh = forecast.reconstruct_markets(markets=("US", "EU"))
    fit = forecast.BottomUpModel(forecast.Drift()).fit(mh, seed=3)
    sset = forecast.load_scenarios(tmp_path / "s.toml")
    mix = forecast.project_markets(fit, sset, to=2030, n_paths=100, seed=3).mixture()
    assert mix.settings["mixture"] == {"baseline": 50, "escalation": 30, "fragmentation": 20}
    # settings.json records them too (the mixture's rows are checkable from it and the seed)
    import json

    settings = json.loads((out / "settings.json").read_text())
    assert settings["mixture_paths"] == mix.settings["mixture"]
    assert settings["probabilities"] == {"baseline": 0.5, "escalation": 0.3,
                                         "fragmentation": 0.2}
    for name, share in (("summary.csv", False), ("shares.csv", True)):
        frame = pd.read_csv(out / name)
        assert frame["scenario"].unique().tolist() == ["baseline", "escalation",
                                                       "fragmentation", "mixture"]
        rows = frame[frame["scenario"] == "mixture"].reset_index(drop=True)
        expect = mix.summary_frame((50, 80, 95), share=share)
        np.testing.assert_allclose(rows["median"], expect["median"], rtol=1e-9)
    page = (out / "report.html").read_text(encoding="utf-8")
    assert ">Probability-weighted mixture</h2>" in page
    assert "Weighted by probability: a US share" in page


def test_a_subset_of_a_weighted_file_drops_the_mixture_with_a_warning(tmp_path, capsys):
    """As the single-market run: two of three scenarios do not sum to 1."""
    captured, out = _run_weighted(tmp_path, capsys, "--scenario", "baseline", "--scenario",
                                  "escalation")
    assert "forecast run: warning: --scenario chose 2 of the 3 scenarios" in captured.err
    assert "no probability-weighted mixture" in captured.err
    assert "mixture" not in captured.out
    assert "mixture" not in (out / "summary.csv").read_text(encoding="utf-8")
    assert "mixture" not in (out / "report.html").read_text(encoding="utf-8").lower()
