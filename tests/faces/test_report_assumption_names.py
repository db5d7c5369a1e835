"""A user's assumption has one name everywhere, and a spread assumption's sign is read.

Probe 36c: the custom scenario file's ``drift`` was "drift" in the assumptions table and
the chart legend but "Drift" in the decomposition table, and the key message said "the
other assumptions" of one (defect 12). Policy uncertainty (a volatility scale) is -2.6
log points in the report of one market and +1.22 USD bn in the report of several, with
nothing to say why the sign differs (defect 9).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import html
import re

import pytest

import forecast
from forecast import plotting
from forecast.plotting.names import assumption_label, label
from forecast.report import key_message, markets_section, write_report
from forecast.report._sections import spread_note
from forecast.series import AnnualSeries

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


@pytest.fixture(scope="module")
def custom():
    """The custom scenario file's baseline and slow drift (drift and a green pilot)."""
    sset = forecast.load_scenarios(ROOT / "examples" / "04_custom_scenario.toml")
    s = AnnualSeries(range(2012, 2026), [10 * 1.09**i for i in range(14)], name="US")
    chosen = [sset["baseline"], sset["slow_drift"]]
    return forecast.project(forecast.Drift().fit(s), chosen, to=2035, n_paths=300, seed=1)


def test_one_label_for_an_assumption_in_every_table_chart_and_sentence(custom, tmp_path):
    assert assumption_label("drift") == "Drift"  # "drift" stays a part's name in paths
    assert label("drift.delta") == "Drift: growth change per year"
    page = write_report(custom, tmp_path / "r.html", plots=False).read_text()
    article = _text(page[page.index('id="scenario-slow-drift"'):])
    assumptions = article[article.index("Assumption Probability"):]
    assert assumptions.split("Assumption Probability Parameters Evidence ")[1].startswith(
        "Drift ")
    decomposition = article[article.index("Contribution to the gap"):]
    assert "Year Drift Green pilot Total" in decomposition
    legend = plotting.decomposition_chart(custom.decompose("slow_drift"), "slow_drift")
    assert {"Drift", "Green pilot"} <= {t.get_text() for t in legend.get_legend().get_texts()}


def test_the_other_assumption_when_there_is_one(custom):
    msg = key_message(custom)
    assert msg.driver[4] == 1  # slow drift has drift and one other assumption
    text = str(msg)
    assert "the other assumptions" not in text
    if "other assumption" in text:
        assert re.search(r"the other assumption \([+-]\d", text)


def test_a_spread_assumption_is_read_where_its_decomposition_is_shown(tmp_path,
                                                                     market_projection):
    fragmentation = forecast.presets.fragmentation()
    note = _text(spread_note(fragmentation.assumptions))
    assert note.startswith("Reading Policy uncertainty: an assumption that widens the "
                           "spread of the paths")
    assert "can lower the mean log level while it raises the mean level" in note
    assert spread_note(forecast.presets.escalation().assumptions) == ""
    # the report of one market, under fragmentation's log-point table
    s = AnnualSeries(range(2012, 2026), [10 * 1.09**i for i in range(14)], name="US")
    p = forecast.project(forecast.Drift().fit(s), [forecast.presets.baseline(), fragmentation,
                                                  forecast.presets.escalation()],
                         to=2030, n_paths=200, seed=1)
    page = write_report(p, tmp_path / "r.html", plots=False).read_text()
    frag = page[page.index('id="scenario-fragmentation"'):page.index('id="scenario-escalation"')]
    assert "Measured on the mean level (in the unit) instead of these log points" in _text(frag)
    assert "Reading" not in _text(page[page.index('id="scenario-escalation"'):])
    # the markets report, under the level table of the diversion that carries it
    markets = _text(markets_section(market_projection, plots=False))
    diverted = markets[markets.index("Fragmentation diversion against"):]
    assert diverted.index("Reading Policy uncertainty") < diverted.index("against the baseline",
                                                                         40)
    assert "Measured on the mean log level (in log points" in diverted
