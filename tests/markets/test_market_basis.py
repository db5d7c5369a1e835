"""What each reconstructed market-year rests on (probe D1).

Hong Kong has no release after 2023 (2024 only the January-July US+HK+EU share, 2025
nothing), and the joint model carried its trend on until its median passed the US's in
2024-2025, which the sources contradict (the US ranked first). Nothing said so: the
history's ``basis`` column and the markets report now name such years.
"""

from __future__ import annotations

import html as htmllib
import re

import pytest

import forecast
from forecast import cli
from forecast.history.markets import BASES, MarketHistory
from forecast.report._markets_message import unpublished


def _text(fragment: str) -> str:
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _basis(frame):
    return frame.pivot(index="year", columns="market", values="basis")


def test_basis_names_the_years_without_a_release(market_history):
    b = _basis(market_history.to_frame())
    assert set(b.to_numpy().ravel()) == set(BASES)
    assert b.loc[2023, "HK"] == "release"
    assert b.loc[2024, "HK"] == "combined"      # the Jan-Jul US+HK+EU share only
    assert b.loc[2025, "HK"] == "trend"          # nothing
    assert (b.loc[2021:2025, "JP"] == "trend").all()  # no Japanese release after 2020
    assert (b.loc[2020:2025, "US"] == "release").all()
    assert b.loc[2025, "EU"] == "trend"
    assert b.loc[2025, "ALL"] == "trend"
    assert b.loc[2013, "ROW"] == "release"       # the total and every market published
    assert b.loc[2024, "ROW"] == "combined"      # the total, but not Japan nor Hong Kong
    assert b.loc[2025, "ROW"] == "trend"
    shares = _basis(market_history.to_frame(share=True))
    assert shares.equals(b.drop(columns="ALL"))


def test_unpublished_names_hk_above_the_us(market_history):
    u = unpublished(market_history, "US")
    assert u.years == {"EU": [2025], "HK": [2024, 2025], "JP": list(range(2021, 2026)),
                       "ALL": [2025]}
    assert u.combined["HK"] == [2024]
    [(part, years, chances)] = u.above
    assert (part, years) == ("HK", [2024, 2025])
    assert 0.4 < chances[0] < 0.6  # the probe: 0.51
    assert 0.6 < chances[1] < 0.85  # and 0.72


def test_a_history_without_its_records_claims_nothing(market_history):
    mh = market_history
    bare = MarketHistory(years=mh.years, markets=mh.markets, mean=mh.mean, _map=mh._map)
    assert (bare.to_frame()["basis"] == "").all()
    assert unpublished(bare, "US") is None


def test_nothing_is_named_when_every_last_year_is_published(releases):
    mh = forecast.reconstruct_markets(releases, markets=("US", "EU"), end=2023)
    assert unpublished(mh, "US") is None


@pytest.fixture(scope="module")
def default_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("d1") / "run"
    code = cli.main(["run", "--markets", "US,EU,HK,JP", "--seed", "1", "--paths", "300",
                     "--no-plot", "--quiet", "--out", str(out)])
    assert code == 0
    return (out / "report.html").read_text(encoding="utf-8")


def test_the_default_markets_report_names_hk_2024_2025_as_extrapolated(default_report):
    page = default_report
    glance = page.index('<section id="at-a-glance">')
    start = page.index("Caution, extrapolated history:")
    assert glance < start < page.index("</section>", glance)  # first thing read after the key
    note = _text(page[start:page.index("</p>", start)])
    assert re.search(r"Extrapolated, not published: [^.]*HK 2024-2025", note), note
    assert "HK 2024: only a combined share" in note
    assert re.search(r"puts HK above the US in 2024-2025 \(median; chance \d+%, \d+%", note), note
    history = _text(page[page.index("Joint reconstruction, median"):])
    row = history[history.index(" HK "):history.index(" JP ")]
    assert row.count("(combined)") == 2, row  # 2021 and 2024
    assert row.count("(trend)") == 1, row  # 2025
