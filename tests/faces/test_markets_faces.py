"""The faces of a multi-market projection: charts, the report section and
``forecast run --markets`` (in process: ``main`` runs the command without a subprocess)."""

from __future__ import annotations

import json

import matplotlib
import numpy as np
import pandas as pd
import pytest

import forecast
from forecast import cli, plotting
from forecast.report import market_table, markets_section, write_markets_report

matplotlib.use("Agg")


@pytest.fixture(scope="module")
def mp(market_projection):
    return market_projection  # tests/conftest.py: SplitModel of drifts, to 2032


def test_market_fans_and_share_chart(mp):
    from matplotlib.figure import Figure

    axes = plotting.market_fans(mp, "friction_diversion", fig=Figure(figsize=(9, 6)))
    assert [ax.get_title() for ax in axes] == ["US", "EU", "HK", "JP", "ROW",
                                               "ALL (China total)"]
    assert axes[0].get_legend() is not None
    assert axes[1].get_legend() is None
    # one y axis per market: the total's fan is far above Japan's
    assert axes[5].get_ylim()[1] > axes[3].get_ylim()[1]
    ax = plotting.share_chart(mp, "fragmentation_diversion", ax=Figure().subplots())
    assert ax.get_ylim() == (0.0, 100.0)
    assert ax.get_title() == "Shares of China's total: Fragmentation diversion"
    # top to bottom as stacked (ROW on top), outside the plot so no share is hidden
    assert [t.get_text() for t in ax.get_legend().get_texts()] == list(mp.parts)[::-1]
    assert ax.get_legend().get_bbox_to_anchor().x0 > ax.get_window_extent().x1 - 1


def test_plot_draws_every_market_or_one(mp):
    """MarketProjection.plot as Projection.plot: small multiples of every market, or one
    market's fan with its own history; a scenario by name, a misspelt one refused."""
    from matplotlib.figure import Figure

    axes = mp.plot("friction_diversion", fig=Figure(figsize=(9, 6)))
    assert [ax.get_title() for ax in axes] == ["US", "EU", "HK", "JP", "ROW",
                                               "ALL (China total)"]
    one = mp.plot("friction_diversion", market="EU", ax=Figure().subplots())
    alone = plotting.fan_chart(mp.market("EU"), "friction_diversion", ax=Figure().subplots())
    assert one.get_title() == f"EU: {alone.get_title()}" == "EU: Friction diversion"
    got = [line.get_ydata().tolist() for line in one.get_lines()]
    assert got == [line.get_ydata().tolist() for line in alone.get_lines()]
    with pytest.raises(forecast.ForecastError, match="Did you mean 'friction_diversion'"):
        mp.plot("friction_diversio", market="EU")
    with pytest.raises(forecast.ForecastError, match="market"):
        mp.plot(market="XX")


def test_market_fans_draw_the_history_with_its_band(mp):
    """The single-market fan draws its history's band; the market fans drew the joint
    reconstruction's median alone. Each panel now has the history's 80% band, that of
    ``mp.history.interval(80, market)`` (the band of the report's tables)."""
    from matplotlib.figure import Figure

    axes = plotting.market_fans(mp, fig=Figure(figsize=(9, 6)))
    for ax, market in zip(axes, mp.markets, strict=True):
        bands = [c for c in ax.collections if c.get_label() == "history 80% band"]
        assert len(bands) == 1, market
        band = mp.history.interval(80, market=market)
        ys = bands[0].get_paths()[0].vertices[:, 1]
        np.testing.assert_allclose([ys.min(), ys.max()], [band["lower"].min(),
                                                          band["upper"].max()], rtol=1e-9)
        assert band["upper"].iloc[0] > band["lower"].iloc[0]
    assert "history 80% band" in [t.get_text() for t in axes[0].get_legend().get_texts()]


@pytest.mark.parametrize("scenario", ["fragmentation_diversion", "friction_diversion",
                                      "escalation"])
def test_market_fans_use_the_scenario_colour_of_every_other_chart(mp, scenario):
    """Not the palette colour at the scenario's position (the 8th is a pale yellow)."""
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    from forecast.plotting.names import colors

    axes = plotting.market_fans(mp, scenario, fig=Figure(figsize=(9, 6)))
    fan = next(c for c in axes[0].collections if c.get_label() == "95% band")  # the outer
    expected = colors(mp.scenario_names)[scenario].lower()
    assert to_hex(fan.get_facecolor()[0], keep_alpha=False) == expected
    assert to_hex(fan.get_facecolor()[0], keep_alpha=False) != "#f0e442"


def test_market_figures_name_the_scenario(mp):
    from matplotlib import image

    figures = forecast.report.market_figures(mp, "escalation")
    assert set(figures) == {"market_fans", "market_shares"}
    html = markets_section(mp, plots=True)  # the report's charts: the baseline, by its label
    assert "Every market and China&#x27;s total under the baseline" in html
    shown = markets_section(mp, figures=figures, scenario="escalation")
    assert "Every market and China&#x27;s total under the escalation scenario" in shown
    import io

    assert image.imread(io.BytesIO(figures["market_fans"])).shape[2] in (3, 4)
    svg = forecast.report.market_figures(mp, narrow=True, format="svg")
    assert set(svg) == {"market_fans", "market_shares", "market_fans.narrow",
                        "market_shares.narrow"}
    for data in svg.values():  # reproducible SVG, text kept as text
        assert data.startswith(b"<?xml")
        assert b"<text" in data
        assert b"<metadata>" not in data
    with pytest.raises(forecast.ParameterError, match='`format` must be "png" or "svg"'):
        forecast.report.market_figures(mp, format="jpg")


def test_market_figures_match_the_single_market_charts(mp):
    """The PNG files were 90 dpi without a source line: now 150 dpi, as ``forecast run``
    writes the single-market charts, each with the source line of those charts."""
    import io

    from matplotlib import image

    from forecast.plotting.scenario_charts import SOURCE
    from forecast.report.markets import FAN_WIDTH

    png = forecast.report.market_figures(mp)
    assert image.imread(io.BytesIO(png["market_fans"])).shape[1] == round(150 * FAN_WIDTH[3])
    assert image.imread(io.BytesIO(png["market_shares"])).shape[1] == round(150 * 7.2)
    svg = forecast.report.market_figures(mp, narrow=True, format="svg")
    for key, data in svg.items():
        assert SOURCE.encode() in data, key


def test_market_charts_keep_every_text_inside_and_apart_at_both_widths(mp, monkeypatch):
    """Measured as matplotlib draws them (as the single-market charts are): no text
    outside the image, and the fans' legend (under the panels) clear of the panels'
    labels and of the source line."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from test_report_phone import _bad, _Saved

    from forecast.report import _html as H

    legends = []
    saved = _Saved(monkeypatch)
    measure = H.image_bytes

    def legend_clear(fig, fmt="svg", dpi=150):
        if fig.legends:
            FigureCanvasAgg(fig).draw()  # the layout is made when the figure is drawn
            renderer = fig.canvas.get_renderer()
            box = fig.legends[0].get_window_extent(renderer)
            others = [ax.get_tightbbox(renderer) for ax in fig.axes if ax.get_visible()]
            others += [t.get_window_extent(renderer) for t in fig.texts]
            legends.append([b.bounds for b in others if b.overlaps(box)])
        return measure(fig, fmt, dpi)

    monkeypatch.setattr(H, "image_bytes", legend_clear)
    forecast.report.market_figures(mp, narrow=True, format="svg")
    assert sorted(w for w, _ in saved.sizes) == [4.0, 4.0, 7.2, 7.8]  # phones, desktops
    assert not _bad(saved)
    assert legends == [[], []]


def test_market_table_and_section(mp):
    t = market_table(mp, years=[2026, 2030])
    assert list(t.columns) == ["market", "scenario", "2026", "2030"]
    assert len(t) == len(mp.markets) * len(mp.scenario_names)
    assert t.iloc[0]["2026"].count("[") == 1
    html = markets_section(mp, plots=False)
    assert "2030: below 15%" in html  # the thresholds and the year in the header
    assert "Fragmentation diversion against the baseline" in html
    assert "<img" not in html
    with pytest.raises(forecast.ForecastTypeError, match="MarketProjection"):
        markets_section(mp.market("US"))


def test_write_markets_report(mp, tmp_path):
    path = write_markets_report(mp, tmp_path / "m.html", records=forecast.load_releases(),
                                settings={"note": "test"})
    text = path.read_text(encoding="utf-8")
    assert text.count("<img") == 2
    # drawn by the report itself: SVG, sharp at any screen density (phone version too)
    assert text.count("data:image/svg+xml") == 4  # both charts: a phone version each
    assert "data:image/png" not in text
    for section in ("At a glance", "Scenarios against the baseline", "Where diverted work goes",
                    "All figures", "Joint history", "Data provenance", "Reproduce"):
        assert f">{section}</h2>" in text
    assert "http://www.ecns.cn/business/2014/01-27/98757.shtml" in text  # official address
    assert "<script" not in text


def test_cli_run_markets(tmp_path, capsys):
    out = tmp_path / "m"
    code = cli.main(["run", "--markets", "US,EU", "--model", "drift", "--imputations", "2",
                     "--paths", "200", "--seed", "3", "--to", "2030", "--scenario", "baseline",
                     "--scenario", "friction_diversion", "--format", "iamc", "--out", str(out),
                     "--quiet"])
    assert code == 0
    text = capsys.readouterr().out
    assert "US (USD bn" in text
    assert "ALL (USD bn" in text
    assert "P(US share < 15% in 2030)" in text
    assert (out / "market_fans.png").read_bytes()[:4] == b"\x89PNG"  # files: PNG
    assert "data:image/svg+xml" in (out / "report.html").read_text(encoding="utf-8")
    names = {p.name for p in out.iterdir() if not p.name.startswith(".")}  # not the marker
    assert names == {"history.csv", "summary.csv", "shares.csv", "projection_iamc.csv",
                     "decomposition.csv", "market_fans.png", "market_shares.png",
                     "settings.json", "report.html"}
    iamc = pd.read_csv(out / "projection_iamc.csv")
    assert {"United States", "European Union", "Rest of the World", "World"} <= set(
        iamc["region"])
    summary = pd.read_csv(out / "summary.csv")
    assert list(dict.fromkeys(summary["market"])) == ["US", "EU", "ROW", "ALL"]
    settings = json.loads((out / "settings.json").read_text())
    assert settings["markets"] == ["US", "EU"]
    assert settings["seed"] == 3
    assert (settings["paths"], settings["to"]) == (200, 2030)
    assert settings["scenarios"] == ["baseline", "friction_diversion"]
    assert settings["unit"] == "USD_bn"  # of every figure in the CSV files
    assert (settings["design"], settings["model"]) == ("bottom-up", "BottomUp(Drift)")
    assert "US (USD bn, BottomUp(Drift))" in text


def test_cli_run_markets_decomposes_a_scenario_files_diversions(tmp_path, capsys):
    """decomposition.csv holds every scenario that diverts, a file's as the presets' (it
    held only the presets', while the report showed the file's too)."""
    toml = tmp_path / "div.toml"
    toml.write_text('[[scenario]]\nname = "baseline"\n\n[[scenario]]\nname = "to_eu"\n\n'
                    '[[scenario.assumption]]\ntype = "diversion"\nto = "EU"\nrate = 0.5\n\n'
                    '[[scenario.assumption.part]]\npreset = "trade_friction"\n'
                    'severity = "moderate"\n', encoding="utf-8")
    out = tmp_path / "d"
    code = cli.main(["run", str(toml), "--markets", "US,EU", "--model", "drift",
                     "--imputations", "2", "--paths", "100", "--seed", "3", "--to", "2029",
                     "--no-plot", "--quiet", "--out", str(out)])
    assert code == 0
    capsys.readouterr()
    dec = pd.read_csv(out / "decomposition.csv")
    assert set(dec["scenario"]) == {"to_eu"}
    assert {"US", "EU", "ROW", "ALL"} <= set(dec["market"])


def test_cli_run_markets_design_split(tmp_path, capsys):
    args = ["run", "--markets", "US,EU", "--model", "drift", "--imputations", "2", "--paths",
            "100", "--seed", "5", "--to", "2028", "--no-plot", "--quiet", "--scenario",
            "baseline"]
    frames = {}
    for design in ("split", "bottom-up"):
        out = tmp_path / design
        assert cli.main([*args, "--design", design, "--out", str(out)]) == 0
        settings = json.loads((out / "settings.json").read_text())
        assert settings["design"] == design
        frames[design] = pd.read_csv(out / "summary.csv")
    assert "US (USD bn, Split(Drift; Drift))" in capsys.readouterr().out
    a, b = frames["split"], frames["bottom-up"]
    assert list(a.columns) == list(b.columns)
    assert len(a) == len(b)
    assert not np.allclose(a["median"], b["median"])  # two models, not one under two names


def test_cli_run_markets_is_reproducible_and_checks_its_input(tmp_path, capsys):
    args = ["run", "--markets", "US", "--model", "drift", "--imputations", "2", "--paths",
            "100", "--seed", "4", "--to", "2028", "--no-plot", "--format", "wide", "--quiet",
            "--scenario", "baseline"]
    assert cli.main([*args, "--out", str(tmp_path / "a")]) == 0
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("keep")
    capsys.readouterr()
    assert cli.main([*args, "--out", str(foreign)]) == 2  # not a forecast folder: refused
    assert (foreign / "notes.txt").read_text() == "keep"
    assert cli.main([*args, "--out", str(tmp_path / "b")]) == 0
    a = pd.read_csv(tmp_path / "a" / "projection_wide.csv")
    b = pd.read_csv(tmp_path / "b" / "projection_wide.csv")
    pd.testing.assert_frame_equal(a, b)
    assert {"mean", "p5", "p50", "p95"} <= set(a.columns)
    capsys.readouterr()
    assert cli.main(["run", "--markets", "US,XX", "--quiet", "--out", str(tmp_path / "c")]) == 2
    assert "markets" in capsys.readouterr().err
    assert cli.main(["run", "--markets", "US", "--scenario", "nope", "--quiet",
                     "--out", str(tmp_path / "d")]) == 2
    assert "market presets" in capsys.readouterr().err


def test_single_market_run_is_unchanged():
    args = cli.build_parser().parse_args(["run"])
    assert args.markets is None


@pytest.mark.parametrize(("extra", "words"), [
    (["--markets", "US,EU,US"], "--markets must list each market once"),
    (["--markets", "US,EU", "--market", "HK"], "--market HK is the series of the single"),
])
def test_cli_markets_mistakes(tmp_path, capsys, extra, words):
    code = cli.main(["run", *extra, "--quiet", "--out", str(tmp_path / "x")])
    assert code == 2
    assert words in capsys.readouterr().err


def test_cli_one_diversion_scenario_alone(tmp_path, capsys):
    out = tmp_path / "one"
    code = cli.main(["run", "--markets", "US,EU", "--model", "drift", "--imputations", "2",
                     "--paths", "50", "--seed", "1", "--to", "2028", "--no-plot", "--quiet",
                     "--scenario", "friction_diversion", "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    assert "is not decomposed" in (out / "report.html").read_text(encoding="utf-8")


def test_market_charts_refuse_a_list_of_scenarios_and_a_repeated_market(mp):
    from matplotlib.figure import Figure

    from forecast.errors import ForecastTypeError, ParameterError

    # a list was drawn as its first scenario under the title "['baseline']"
    for chart in (plotting.market_fans, plotting.share_chart):
        with pytest.raises(ForecastTypeError, match=r"`scenario` must be one scenario name"):
            chart(mp, ["baseline"])
    # the US panel was drawn twice
    with pytest.raises(ParameterError, match=r"`markets` must name each once; got 'US' more "
                                             r"than once"):
        plotting.market_fans(mp, markets=["US", "US"], fig=Figure())


def test_a_weighted_projection_draws_the_mixtures_fans(mp, tmp_path):
    """The mixture had tables but no chart: its fans are drawn (a phone version too),
    shown in the report's mixture section, and differ from every scenario's."""
    import dataclasses

    k = len(mp.scenario_names)
    weighted = dataclasses.replace(mp, probabilities=(1.0 / k,) * k)
    svg = forecast.report.market_figures(weighted, narrow=True, format="svg")
    assert set(svg) == {"market_fans", "market_shares", "market_fans.narrow",
                        "market_shares.narrow", "mixture_fans", "mixture_fans.narrow"}
    assert b"Probability-weighted mixture of the scenarios" in svg["mixture_fans"]
    assert b"Scenario:" not in svg["mixture_fans"]
    assert svg["mixture_fans"] != svg["market_fans"]
    text = write_markets_report(weighted, tmp_path / "w.html").read_text(encoding="utf-8")
    section = text.split(">Probability-weighted mixture</h2>")[1].split("<h2")[0]
    assert 'alt="Fan chart of every market, mixture"' in section
    assert section.count("data:image/svg+xml") == 2  # the chart and its phone version
    # unweighted: no mixture chart anywhere
    assert "mixture_fans" not in forecast.report.market_figures(mp, format="svg")
