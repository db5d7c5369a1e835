"""The multi-market report as a reader reads it: the key message's numbers are the
projection's own (recomputed here from its public methods), scenarios appear by their
labels, probabilities as whole percents, and every statement holds for other sets of
markets and scenarios (two markets, one scenario, no US, no diversion)."""

from __future__ import annotations

import html as htmllib
import re

import numpy as np
import pytest

import forecast
from forecast.plotting.names import scenario_label
from forecast.report import markets_section, write_markets_report


def _text(fragment: str) -> str:
    """What a reader sees: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(htmllib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _key(page: str) -> str:
    start = page.index('id="key-message"')
    return _text(page[start:page.index("</div>", start)])


def _project(releases, markets, scenarios, n_paths=300, to=2032):
    mh = forecast.reconstruct_markets(releases, markets=markets)
    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
    sset = forecast.market_presets.scenario_set()
    chosen = [s for s in sset.scenarios if s.name in scenarios] if scenarios else sset
    target = "US" if "US" in markets else "ALL"  # as forecast run --markets does
    return forecast.project_markets(fit, chosen, to=to, n_paths=n_paths, seed=2, target=target)


@pytest.fixture(scope="module")
def mp(market_history):
    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history, seed=1)
    return forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2032,
                                    n_paths=300, seed=2)


@pytest.fixture(scope="module")
def page(mp, tmp_path_factory):
    path = tmp_path_factory.mktemp("markets") / "report.html"
    return write_markets_report(mp, path, plots=False).read_text(encoding="utf-8")


def test_key_message_numbers_are_the_projections(mp, page):
    key = _key(page)
    last = 2032
    s = mp.summary_frame((80,), market="US", scenario="baseline", share=True)
    s = s[s["year"] == last].iloc[0]
    hist = mp.history.to_frame(share=True)
    now = hist[(hist["market"] == "US")].iloc[-1]
    assert (f"Under the baseline the US share of China's total goes from {now['median']:.1f}% "
            f"in {int(now['year'])} (reconstructed) to {s['median']:.1f}% in {last} (80% band "
            f"{s['lower_80']:.1f}%-{s['upper_80']:.1f}%).") in key
    t = mp.summary_frame((80,), market="ALL", scenario="baseline")
    t = t[t["year"] == last].iloc[0]
    assert f"China's total {t['median']:,.1f} USD bn (80% band {t['lower_80']:,.1f}-" in key
    # the scenario that moves the US share most: mean paired change, recomputed path by path
    sh = mp.shares("US")[:, :, -1]
    gaps = {n: float((sh[i] - sh[0]).mean()) for i, n in enumerate(mp.scenario_names) if i}
    top = max(gaps, key=lambda n: abs(gaps[n]))
    assert (f"{scenario_label(top)} moves the US share most: {gaps[top]:+.1f} points "
            f"by {last} (mean)") in key
    # what the diversion sends: the diverted assumption's contributions (decompose)
    best = None
    for name in ("fragmentation_diversion", "friction_diversion"):
        d = mp.decompose(name, "baseline")
        d = d[(d["year"] == last) & (d["assumption"] == "trade_friction")].set_index("market")
        gains = {m: d.at[m, "level"] for m in ("EU", "HK", "JP", "ROW") if d.at[m, "level"] > 0.05}
        if best is None or sum(gains.values()) > sum(best[1].values()):
            best = (name, gains, d.at["US", "level"], d.at["ALL", "level"])
    name, gains, loss, total = best
    to = ", ".join(f"{m} {g:+.1f}" for m, g in gains.items())
    assert (f"{scenario_label(name)}: of the US's {loss:+.1f} USD bn through trade friction "
            f"in {last} (mean), {sum(gains.values()):,.1f} moves to other "
            f"markets ({to}); China's total: {total:+.1f}."
            ) in key  # the assumption's part, not the scenario's whole change


def test_change_table_adds_up(mp):
    """The table's level changes are mean paired gaps: markets add up to China's total."""
    text = _text(markets_section(mp, plots=False))
    lv = mp.samples[:, :, :, -1]
    i = mp.scenario_names.index("escalation")
    us = (lv[i, 0] - lv[0, 0]).mean()
    total = (lv[i].sum(axis=0) - lv[0].sum(axis=0)).mean()
    row = text[text.index("Escalation", text.index("Change against the baseline")):]
    numbers = re.findall(r"[+-]\d+\.\d(?! pp)", row)
    assert numbers[0] == f"{us:+.1f}"
    assert numbers[len(mp.markets) - 1] == f"{total:+.1f}"


def test_labels_not_identifiers(page, mp):
    """Every scenario is named by its label above the reproduction block."""
    shown = _text(page[:page.index('id="reproduce"')])
    for name in mp.scenario_names:
        if "_" in name:
            assert name not in shown
            assert scenario_label(name) in shown
    assert "-0.0" not in shown  # a change that rounds to zero is +0.0


def test_probabilities_are_whole_percents_with_thresholds_in_the_header(mp):
    html = markets_section(mp, plots=False, thresholds=(15, 20))
    table = html[html.index("How likely is a smaller US share?"):]
    table = table[:table.index("</table>")]
    heads = re.findall(r'<th scope="col" class="num">([^<]+)</th>', table)
    assert heads == ["2030: below 15%", "2030: below 20%", "2032: below 15%", "2032: below 20%"]
    cells = re.findall(r'data-label="2030: below 15%">([^<]+)</td>', table)
    expect = mp.prob_below(15, 2030, "US", share=True)
    assert cells == [f"{100 * expect[n]:.0f}%" for n in mp.scenario_names]


def test_default_thresholds_never_exceed_todays_share():
    """18.6% was rounded to "below 19%": paths whose share rose counted as smaller."""
    from forecast.report.markets import _thresholds

    assert _thresholds(None, 18.6) == (18.0, 15.0)
    assert _thresholds(None, 9.5) == (9.0, 5.0)
    assert _thresholds(None, 20.0) == (20.0, 15.0)


@pytest.mark.parametrize("bad", [(0.15,), (), "15", (15, 120)])
def test_thresholds_are_checked(mp, bad):
    with pytest.raises(forecast.ParameterError, match=r"`thresholds` must be shares in percent"):
        markets_section(mp, plots=False, thresholds=bad)


@pytest.mark.slow
@pytest.mark.parametrize(("markets", "scenarios", "focus"), [
    (("US", "EU"), ("baseline",), "US"),                        # two markets, one scenario
    (("EU", "HK"), ("baseline",), "EU"),                        # no US
    (("US", "JP"), ("baseline", "escalation"), "US"),           # no diversion
    (("US", "EU"), ("friction_diversion",), "US"),              # a diversion alone
])
def test_every_statement_holds_for_other_runs(releases, tmp_path, markets, scenarios, focus):
    mp = _project(releases, markets, scenarios, n_paths=200)
    page = write_markets_report(mp, tmp_path / "r.html", plots=False).read_text("utf-8")
    key = _key(page)
    base = scenarios[0]
    s = mp.summary_frame((80,), market=focus, scenario=base, share=True).iloc[-1]
    assert f"the {focus} share of China's total goes from" in key
    assert f"to {s['median']:.1f}% in {int(mp.years[-1])}" in key
    assert ("moves the" in key) == (len(scenarios) > 1)
    assert "moves to other markets" not in key  # nothing diverted against a baseline
    if focus != "US":
        assert not re.search(r"\bUS\b", _text(page[:page.index('id="joint-history"')]))
    if len(scenarios) == 1:
        assert ">Scenarios against" not in page
        assert "Under the baseline" in key or "Under the friction diversion scenario" in key
    if scenarios == ("friction_diversion",):
        assert "Friction diversion is not decomposed" in _text(page)
    else:
        assert "Where diverted work goes" not in page
    shown = _text(page[:page.index('id="reproduce"')])
    assert not any(n in shown for n in scenarios if "_" in n)
    assert "<script" not in page
    assert "http" not in page[:page.index('id="data-provenance"')]
    probs = re.findall(r'data-label="\d{4}: below \d+%">([^<]+)</td>', page)
    assert probs
    assert all(re.fullmatch(r"\d{1,3}%", p) for p in probs)


def test_glance_table_is_the_baseline_summary(mp):
    """Each market's level and share in the last year are summary_frame's medians and bands."""
    html = markets_section(mp, plots=False)
    last = int(mp.years[-1])
    for share, head, pct in ((False, "Level", ""), (True, "Share", "%")):
        f = mp.summary_frame((80,), scenario="baseline", share=share)
        f = f[f["year"] == last].set_index("market")
        found = re.findall(rf'data-label="{head} {last}">([^<]+)<br><small>([^<]+)</small>',
                           html)
        markets = list(mp.parts) if share else list(mp.markets)
        assert found[:len(markets)] == [
            (f"{f.at[m, 'median']:,.1f}{pct}",
             f"{f.at[m, 'lower_80']:,.1f}{pct}-{f.at[m, 'upper_80']:,.1f}{pct}")
            for m in markets]


def test_the_settings_name_the_joint_fits_seed(mp, page, tmp_path):
    """The fit was seeded 1 and the projection 2: both are in the Reproduce table, also
    for a saved and loaded projection."""
    import html

    assert mp.settings["fit_seed"] == 1
    assert mp.seed == 2
    reproduce = html.unescape(page.split('id="reproduce"')[1])
    assert '<td data-label="Setting">fit_seed</td><td data-label="Value">1</td>' in reproduce
    assert '<td data-label="Setting">seed</td><td data-label="Value">2</td>' in reproduce
    mp.save(tmp_path / "saved")
    loaded = forecast.MarketProjection.load(tmp_path / "saved")
    assert loaded.settings["fit_seed"] == 1


@pytest.mark.parametrize("given", [None, "spawned"])
def test_a_joint_fit_records_a_seed_that_repeats_it(market_history, given):
    """Without a seed the fit draws fresh entropy and records it (it recorded nothing);
    a spawned SeedSequence is kept whole (its entropy alone would seed other draws).
    Either way model.fit(history, seed=fit.seed) gives the same fit."""
    model = forecast.SplitModel(forecast.Drift(imputations=3), forecast.Drift(imputations=3))
    seed = None if given is None else np.random.SeedSequence(4).spawn(2)[1]
    fit = model.fit(market_history, seed=seed)
    again = model.fit(market_history, seed=fit.seed)
    for a, b in zip(fit.fits, again.fits, strict=True):
        assert a.params == b.params
    if given is None:
        assert isinstance(fit.seed, int)
    else:
        assert fit.seed.spawn_key == (1,)
        assert fit.fits[0].params != model.fit(market_history, seed=4).fits[0].params
    mp = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2028,
                                  n_paths=50, seed=3)
    assert mp.settings["fit_seed"] == (fit.seed if given is None else
                                       {"entropy": 4, "spawn_key": [1], "pool_size": 4})


def test_records_of_another_type_are_refused_before_anything_is_written(mp, market_history,
                                                                       tmp_path):
    """A History passed as `records` failed deep in the provenance section with an
    AttributeError; like the single-market report, it is refused first."""
    from forecast.errors import ForecastTypeError

    target = tmp_path / "r.html"
    with pytest.raises(ForecastTypeError, match=r"`records` must be Records .*got "
                                                r"MarketHistory.*load_releases"):
        write_markets_report(mp, target, records=market_history, plots=False)
    assert not target.exists()


def test_censored_market_paths_are_warned_about_and_stated(market_history, tmp_path):
    """project() warned when a near-level fit's paths leave its working scale;
    project_markets said nothing, and 4% of JP's 2045 paths sat at the floor unexplained.
    It now warns per coordinate, records it, and the report states it."""
    fit = forecast.BottomUpModel().fit(market_history, seed=1)
    with pytest.warns(UserWarning, match=r"project_markets: baseline paths fall below .*"
                                         r"JP \(1\.0% in 2037, 3\.7% in 2045\)"):
        mp = forecast.project_markets(fit, [forecast.presets.baseline()], to=2045,
                                      n_paths=50, seed=1)
    assert "JP (1.0% in 2037, 3.7% in 2045)" in mp.settings["censored"]
    page = write_markets_report(mp, tmp_path / "r.html", plots=False).read_text("utf-8")
    assert "Caution, long horizon:</b> more than 1% of the baseline paths" in page
    short = forecast.project_markets(fit, [forecast.presets.baseline()], to=2030,
                                     n_paths=50, seed=1)
    assert short.settings["censored"] == []
    assert "Caution, long horizon" not in write_markets_report(
        short, tmp_path / "s.html", plots=False).read_text("utf-8")


def _levels(fragment: str) -> list[int]:
    return [int(h) for h in re.findall(r"<h([1-6])[ >]", fragment)]


def test_headings_never_skip_a_level_and_the_settings_are_shown_once(mp, page):
    """The report's decompositions were <h4> right under its <h2> sections, and the
    settings came twice (a table, then the same as JSON)."""
    for levels in (_levels(page), [2, *_levels(markets_section(mp, plots=False))]):
        assert all(b <= a + 1 for a, b in zip(levels, levels[1:], strict=False)), levels
    assert 3 in _levels(page)  # the decompositions, one level below their section
    reproduce = page.split('id="reproduce"')[1]
    # the library versions, then the settings, once (the Python code is not a table)
    assert reproduce.count("<table") == 2
    assert reproduce.count("<pre") == 1
    assert reproduce.count(">n_paths<") == 1


@pytest.fixture(scope="module")
def hk_run():
    """A single-market run on HK with two presets, as ``forecast run --market HK`` makes
    it: the settings name the market and the presets."""
    series = forecast.AnnualSeries(range(2015, 2026), [10 * 1.08**i for i in range(11)],
                                   name="HK offshore_execution")
    proj = forecast.project(forecast.Drift().fit(series),
                            [forecast.presets.baseline(), forecast.presets.escalation()],
                            to=2030, n_paths=100, seed=1)
    return proj, {"market": "HK", "scenario_file": "presets"}


def test_the_caution_of_presets_applied_to_another_market(hk_run):
    """``forecast run --market HK`` warns that the presets are calibrated on the US; the
    report said nothing and cited the US evidence as is. The caution and the evidence's
    wording for a report of another market (the call sites are report.py's)."""
    from forecast.report._markets_message import market_evidence, preset_caution

    proj, settings = hk_run
    scenarios = proj.scenarios
    caution = _text(preset_caution(settings, proj.history, scenarios))
    assert caution.startswith("Caution, US calibration: the preset scenarios are calibrated "
                              "on the US channel")
    assert "applies their assumptions to HK's series as written" in caution
    assert "are US figures, not HK's" in caution
    # the market from the history's name when the settings do not say
    assert preset_caution({}, proj.history, scenarios) == preset_caution(settings, None,
                                                                         scenarios)
    for quiet in ({"market": "US"}, {"market": "HK", "scenario_file": "mine.toml"}):
        assert preset_caution(quiet, None, scenarios) == ""
    assert preset_caution(settings, None, [forecast.presets.baseline()]) == ""
    text = market_evidence("trade_friction", "HK")
    assert text.startswith("US evidence, applied to HK as written (not HK figures): US share")
    assert market_evidence("trade_friction", "US") == market_evidence("trade_friction")
    assert market_evidence("my_levy", "HK").startswith("Judgement")


def test_the_report_and_the_command_line_say_the_same():
    """The command line's warning is :func:`preset_note`'s text (one wording to keep)."""
    import argparse

    from forecast.cli.run_report import _note_preset_market
    from forecast.report._markets_message import preset_note

    args = argparse.Namespace(file=None, market="HK")
    sset = forecast.ScenarioSet((forecast.presets.escalation(),))
    with pytest.warns(UserWarning, match="calibrated on the US") as caught:
        _note_preset_market(args, sset)
    assert str(caught[0].message) == preset_note("HK")


def test_a_report_of_another_market_carries_the_caution(hk_run, tmp_path):
    proj, settings = hk_run
    page = _text(forecast.report.write_report(proj, tmp_path / "hk.html", plots=False,
                                              settings=settings).read_text("utf-8"))
    key = page[:page.index("Contents")]
    assert "Caution, US calibration" in key
    assert "US evidence, applied to HK as written" in page


def test_a_report_of_the_us_carries_no_caution(hk_run, tmp_path):
    """The same run said to be on the US: no caution, the evidence as recorded."""
    proj, settings = hk_run
    us = {**settings, "market": "US"}
    page = _text(forecast.report.write_report(proj, tmp_path / "us.html", plots=False,
                                              settings=us).read_text("utf-8"))
    assert "Caution, US calibration" not in page
    assert "applied to" not in page
    assert "US share" in page  # the trade-friction evidence, as recorded


def _settings_cells(text: str) -> dict[str, str]:
    """The Reproduce block's settings table: setting -> the value as shown."""
    import html
    import re

    block = text.split('id="reproduce"')[1]
    rows = re.findall(r"<tr>(.*?)</tr>", block, re.S)
    cells = [[html.unescape(re.sub(r"<[^>]+>", "", c))
              for c in re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)] for r in rows]
    return {c[0]: c[1] for c in cells if len(c) == 2}


def test_the_settings_table_shows_lists_as_typed(mp, tmp_path):
    """``forecast run --markets US,EU,HK,JP``'s Reproduce table read "['US', 'EU', 'HK',
    'JP']" (Python's text of a list) and "[]" for no --add; lists are now written as a
    user types them, nothing as "none"; the settings' JSON keeps them as lists."""
    settings = {"command": "forecast run --markets US,EU,HK,JP",
                "markets": ["US", "EU", "HK", "JP"], "added": [], "as_of": None,
                "scenarios": list(mp.scenario_names)}
    text = write_markets_report(mp, tmp_path / "r.html", plots=False,
                                settings=dict(settings)).read_text(encoding="utf-8")
    shown = _settings_cells(text)
    assert shown["markets"] == "US, EU, HK, JP"
    assert shown["added"] == "none"
    assert shown["as_of"] == "none"
    assert shown["scenarios"] == ", ".join(mp.scenario_names)
    assert not [v for v in shown.values() if v.startswith(("[", "{", "("))]
    assert settings["markets"] == ["US", "EU", "HK", "JP"]  # the caller's dict untouched


def test_the_provenance_counts_every_figure_not_one_market(mp, tmp_path):
    """A report of several markets said "341 published figures in total; 341 for this
    market": it has no one market, and 341 were all of them."""
    records = forecast.load_releases()
    text = write_markets_report(mp, tmp_path / "r.html", records=records,
                                plots=False).read_text(encoding="utf-8")
    assert f"{len(records.frame):,} published figures. Every figure carries its" in text
    assert "for this market" not in text


def test_a_fit_of_several_markets_is_sent_to_project_markets(mp):
    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(
        forecast.reconstruct_markets(markets=("US", "EU")), seed=1)
    with pytest.raises(forecast.ForecastTypeError, match=r"`fit` is a fit of several markets "
                       r"\(SplitFit: US, EU, ROW\); project it with forecast\.project_markets"):
        forecast.project(fit, [forecast.Scenario("baseline")], to=2030, n_paths=100, seed=1)


def test_a_report_in_cny_says_what_it_assumes_about_the_exchange_rate(mp):
    """As a report of one market says it; a markets run in CNY said nothing."""
    assert "Exchange rate" not in markets_section(mp, plots=False)  # USD: nothing to say
    mh = forecast.reconstruct_markets(markets=("US", "EU"), currency="CNY")
    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(mh, seed=1)
    cny = forecast.project_markets(fit, forecast.market_presets.scenario_set(), to=2032,
                                   n_paths=300, seed=2)
    text = htmllib.unescape(re.sub(r"<[^>]+>", "", markets_section(cny, plots=False)))
    total = cny.summary_frame((80,), market="ALL", scenario="baseline")
    median = float(total[total["year"] == 2032]["median"].iloc[0])
    assert "Exchange rate: the series is projected in CNY as it is" in text
    assert f"the baseline median of China's total in 2032, {median:,.1f} CNY bn, is" in text


def test_presets_acting_on_another_market_are_cautioned(market_history, mp):
    """``project_markets(..., target="JP")`` applied the US-calibrated presets to Japan's
    series, and the markets report said nothing (the single-market report and the
    command line's --market runs do). A run whose presets act on the US stays quiet."""
    fit = forecast.SplitModel(forecast.Drift(), forecast.Drift()).fit(market_history, seed=1)
    jp = forecast.project_markets(fit, [forecast.presets.baseline(),
                                        forecast.presets.escalation()],
                                  to=2030, n_paths=50, seed=2, target="JP")
    text = _text(markets_section(jp, plots=False))
    assert ("Caution, US calibration: the preset scenarios are calibrated on the US channel"
            in text)
    assert "applies trade friction to JP's series as written" in text
    assert "Caution, US calibration" not in _text(markets_section(mp, plots=False))
    on_all = forecast.Scenario("everywhere", (forecast.on_market(
        forecast.presets.trade_friction("moderate"), "ALL"),))
    text = _text(markets_section(forecast.project_markets(
        fit, [forecast.presets.baseline(), on_all], to=2030, n_paths=50, seed=2),
        plots=False))
    assert "applies trade friction to every market in proportion as written" in text


#: the nine market presets' weights (they sum to 1)
WEIGHTS = (0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05)


@pytest.fixture(scope="module")
def weighted(mp):
    """The presets with probabilities, as a scenario file's (the report ignored them)."""
    import dataclasses

    return dataclasses.replace(mp, probabilities=WEIGHTS)


def _section(html: str, title: str) -> str:
    start = html.index(f"<h3>{title}</h3>")
    end = html.find("<h3>", start + 1)
    return html[start:end if end > 0 else None]


def test_the_mixture_is_in_the_key_message_and_its_own_section(weighted):
    mix = weighted.mixture()
    html = markets_section(weighted, plots=False, thresholds=(15,))
    s = mix.summary_frame((80,), market="US", scenario="mixture", share=True).iloc[-1]
    t = mix.summary_frame((80,), market="ALL", scenario="mixture").iloc[-1]
    assert (f"Weighted by probability: a US share of "
            f"{s['median']:.1f}% in 2032 (80% band {s['lower_80']:.1f}-"
            f"{s['upper_80']:.1f}%), China's total {t['median']:,.1f} USD bn "
            f"({t['lower_80']:,.1f}-{t['upper_80']:,.1f}).") in _text(html)
    section = _text(_section(html, "Probability-weighted mixture"))
    assert "Probabilities: Baseline 30%, Managed friction 10%," in section
    assert "(Baseline 90, Managed friction 30," in section
    f = mix.summary_frame((80,), share=True)
    us = f[(f["market"] == "US") & (f["year"] == 2032)].iloc[0]
    assert f"{us['median']:.1f}% {us['lower_80']:.1f}%-{us['upper_80']:.1f}%" in section
    # the chance of a smaller share: every scenario, then the mixture
    table = _section(html, "How likely is a smaller US share?")
    cells = re.findall(r'data-label="2030: below 15%">([^<]+)</td>', table)
    expect = [*weighted.prob_below(15, 2030, "US", share=True),
              mix.prob_below(15, 2030, "US", share=True, scenario="mixture")]
    assert cells == [f"{100 * p:.0f}%" for p in expect]
    assert _text(table).count("Mixture") == 1
    # the full tables: each market's scenarios, then its mixture
    full = _text(html[html.index("Every market, scenario and year shown"):])
    assert full.count("Mixture") == 2 * len(weighted.markets) - 1  # no share row of ALL


def test_no_probabilities_no_mixture(mp, page):
    assert mp.probabilities is None
    assert "mixture" not in _text(page).lower()


def test_a_report_of_the_mixture_itself(weighted, tmp_path):
    """Everything that takes a MarketProjection takes its mixture: one scenario, no
    diversion to decompose."""
    page = write_markets_report(weighted.mixture(), tmp_path / "mix.html",
                                plots=False).read_text(encoding="utf-8")
    assert "Under the mixture scenario the US share of China's total" in _key(page)
    assert "Weighting" not in page
    assert ">Scenarios against" not in page
