"""The library's warnings (and an error) reach the command line in its words.

The library gives its advice in Python (``reconstruct_markets(markets=...)``, ``horizon=``,
``frame.attrs``); a command says the option instead (``forecast.cli._warnings.CLI_WORDS``).
Each case meets the real library message through ``cli.main``, so a library message that
is reworded without its translation fails here.
"""

from __future__ import annotations

import re

import pytest

from forecast import cli
from forecast.cli._warnings import CLI_WORDS

FAST = ["--model", "drift", "--imputations", "1"]

#: Python spellings no command-line message should carry.
PYTHON = re.compile(r"\w+=\.\.\.|\w+=\d|frame\.attrs|\w+\(forecast\.|Records\.filter|"
                    r"`markets`|start=, end=|\.to_frame\(\)|\w+=<")

_DIVERSION = ('[[scenario]]\nname = "baseline"\n\n[[scenario]]\nname = "to_eu"\n\n'
              '[[scenario.assumption]]\ntype = "diversion"\nto = "EU,JP"\nrate = 0.5\n\n'
              '[[scenario.assumption.part]]\npreset = "trade_friction"\n'
              'severity = "moderate"\n')
_SIZE = ('[[scenario]]\nname = "baseline"\n\n[[scenario]]\nname = "levy"\n\n'
         '[[scenario.assumption]]\ntype = "level_shift"\nstart = 2027\nsize = -5\n')


def _lines(capsys, argv, tmp_path, code=0) -> list[str]:
    assert cli.main([a.replace("{tmp}", str(tmp_path)) for a in argv]) == code
    return capsys.readouterr().err.splitlines()


def _said(lines: list[str], command: str, *needles: str) -> str:
    found = [ln for ln in lines if all(n in ln for n in needles)]
    assert len(found) == 1, (needles, lines)
    assert found[0].startswith(f"forecast {command}: ")
    assert not PYTHON.search(found[0]), found[0]
    return found[0]


def test_a_receiver_not_projected_is_added_to_markets(tmp_path, capsys):
    (tmp_path / "div.toml").write_text(_DIVERSION, encoding="utf-8")
    lines = _lines(capsys, ["run", "{tmp}/div.toml", "--markets", "US,EU", *FAST, "--paths",
                            "20", "--seed", "1", "--to", "2029", "--no-plot", "-q", "--out",
                            "{tmp}/o"], tmp_path)
    _said(lines, "run", "receivers JP are not named markets", "Add them to --markets")


def test_censored_market_paths_point_at_scale_log(tmp_path, capsys):
    lines = _lines(capsys, ["run", "--markets", "US,EU", "--model", "llt", "--scale", "level",
                            "--imputations", "1", "--paths", "500", "--seed", "1", "--to",
                            "2060", "--scenario", "baseline", "--no-plot", "-q", "--out",
                            "{tmp}/o"], tmp_path)
    # (2045 sufficed before the joint history dropped restated growth rates; now the
    # first part past 1% censored is the EU, in 2055)
    _said(lines, "run", "are censored", "On the log scale (--scale log)")


def test_backtest_warnings_name_horizon_and_no_frame_attrs(tmp_path, capsys):
    lines = _lines(capsys, ["backtest", "--pseudo-real-time", "--horizon", "12", "--paths",
                            "20", "--seed", "1", "--model", "drift", "-q"], tmp_path)
    _said(lines, "backtest", "not up to --horizon 12:", "Pass a smaller --horizon.")
    assert _said(lines, "backtest", "backtest skipped").endswith("the model needs 2")


def test_a_rolling_origin_horizon_past_the_data_is_scored_as_far_as_it_goes(tmp_path, capsys):
    """--horizon 20 was refused ("`horizon` must be at most 11"); it now scores horizons
    1-11, as --pseudo-real-time does, and says so in the command line's words."""
    lines = _lines(capsys, ["backtest", "--model", "drift", "--horizon", "20", "--paths",
                            "20", "--seed", "1", "-q"], tmp_path)
    said = _said(lines, "backtest", "scored horizons 1-11 only, not up to --horizon 20:")
    assert said.endswith("no truth (the data end in 2025) lies further ahead of any origin. "
                         "Pass a smaller --horizon."), said


def test_horizons_cut_by_the_shared_origins_say_which_model_cut_them(tmp_path, capsys):
    """The default models stopped at horizon 9 where drift alone reaches 11, and the
    warning gave the same reason, no truth further ahead: DampedTrend needs 8 training
    years and every model is scored from the same origins. It now says so, and which
    --model choices start earlier."""
    lines = _lines(capsys, ["backtest", "--horizon", "20", "--paths", "20", "--seed", "1",
                            "-q"], tmp_path)
    said = _said(lines, "backtest", "scored horizons 1-9 only, not up to --horizon 20:")
    assert said.endswith(
        "no truth (the data end in 2025) lies further ahead of any origin. The models share "
        "the origins, which start in 2016 to give DampedTrend the 8 training years it needs; "
        "without it they would start in 2014 and reach horizon 11. Pass a smaller --horizon, "
        "or leave damped out of --model (--model drift --model theta)."), said


def test_data_names_market_for_an_absent_market(tmp_path, capsys):
    lines = _lines(capsys, ["data", "--market", "KR", "--market", "XY"], tmp_path)
    assert _said(lines, "data", "no record has market 'XY'").startswith(
        "forecast data: warning: --market: no record has market 'XY'")


def test_a_size_in_percent_is_fixed_in_the_scenario_file(tmp_path, capsys):
    (tmp_path / "size.toml").write_text(_SIZE, encoding="utf-8")
    lines = _lines(capsys, ["scenarios", "{tmp}/size.toml"], tmp_path)
    _said(lines, "scenarios", "if you meant -5%, write size = -0.05 in the scenario file.")


def test_markets_the_records_do_not_pin_are_dropped_from_markets(tmp_path, capsys):
    """An error, reworded as the warnings are: the command line has no start/end."""
    lines = _lines(capsys, ["run", "--markets", "US,EU,HK,JP,KR,SG", *FAST, "--paths", "20",
                            "--seed", "1", "--scenario", "baseline", "--no-plot", "-q",
                            "--out", "{tmp}/o"], tmp_path, code=2)
    said = _said(lines, "run", "do not pin every market's level", "from --markets")
    assert "Too few releases pin KR (2 year(s) of its own records: 2016, 2020), SG (1 " in said
    assert said.endswith("leave them out of --markets (the rest of the world then holds what "
                         "they send).")


def test_a_joint_model_that_does_not_converge_advises_in_command_line_words(tmp_path,
                                                                           capsys):
    """The advice came after ~600 characters of records.filter(...) and
    forecast.reconstruct(...); it comes first, and what to inspect is forecast data and
    forecast history for the thin market."""
    lines = _lines(capsys, ["run", "--markets", "US,KR", "--paths", "100", "--seed", "1",
                            "-q", "--out", "{tmp}/o"], tmp_path, code=2)
    said = _said(lines, "run", "did not converge")
    advice = said.index("Too few releases pin KR (2 year(s) of its own records: 2016, 2020): "
                        "leave it out of --markets (the rest of the world then holds what "
                        "they send).")
    assert advice < 300
    assert said.endswith("To see why, list the records with forecast data --market KR --flow "
                         "offshore_execution --segment all and reconstruct the market alone "
                         "with forecast history --market KR (the same --flow and --segment); "
                         "likewise for the other markets and ALL.")
    assert "MarketHistory" not in said


def test_nowcast_of_a_full_year_points_at_forecast_history(tmp_path, capsys):
    """HK's last year has a full-year level: the advice was history.to_frame() and, for
    the combined US+HK+EU series, end=<year>, neither of which a command line has."""
    lines = _lines(capsys, ["nowcast", "--market", "HK"], tmp_path, code=2)
    said = _said(lines, "nowcast", "has no partial year to nowcast")
    assert said.endswith("List its figures with forecast history (the same --market, --flow "
                         "and --segment), or add a later January-to-month record to the "
                         "releases (--data).")
    lines = _lines(capsys, ["nowcast", "--market", "US+HK+EU"], tmp_path, code=2)
    said = _said(lines, "nowcast", "cannot be used")
    assert said.endswith("Add usable records for those years to the releases (--data).")


@pytest.mark.parametrize(("argv", "has"), [
    (["--year", "2024"], "2024 has a full-year level"),
    (["--year", "2013"], "2013 has a full-year level"),
    (["--year", "2015"], "2015 has a full-year growth rate"),
    (["--market", "ALL", "--year", "2024"], "2024 has a full-year level")])
def test_nowcast_of_a_given_full_year_points_at_forecast_history(tmp_path, capsys, argv,
                                                                 has):
    """The default year's advice was translated, a --year's was not: 'Read
    history.to_frame() for it, or pass a later year.'"""
    said = _said(_lines(capsys, ["nowcast", *argv, "-q"], tmp_path, code=2), "nowcast", has)
    assert "List its figures with forecast history (the same --market, --flow and " \
           "--segment), or pass a --year known only from partial-year figures (this " \
           "history's: 2012, " in said


def test_nowcast_header_names_the_months_as_the_nowcast_does(tmp_path, capsys):
    """It read 'from January-to-month 10 figures'; the Nowcast says January-October."""
    assert cli.main(["nowcast", "-q"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nowcast of full-year 2025 from January-October figures, US ")
    assert cli.main(["nowcast", "--year", "2017", "-q"]) == 0
    assert capsys.readouterr().out.startswith("Nowcast of full-year 2017 from January-May ")


@pytest.mark.parametrize(("pattern", "words"), CLI_WORDS)
def test_every_translation_leaves_no_python(pattern, words):
    """The replacements themselves speak the command line."""
    assert not PYTHON.search(words.replace("\\1", "1")), words
