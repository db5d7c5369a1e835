"""The HTML report: parses, embeds every image, loads nothing, stays small."""

from __future__ import annotations

import base64
import re
import warnings
from dataclasses import dataclass
from html.parser import HTMLParser

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

import forecast
from forecast import presets, report
from forecast.errors import ForecastTypeError, ParameterError
from forecast.series import AnnualSeries

PNG = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class _DriftFit:
    """A minimal Fit (the engine's duck-typed contract): log random walk with drift."""

    series: AnnualSeries
    name: str = "drift-stub"

    last_year = property(lambda self: self.series.last_year)
    unit = property(lambda self: self.series.unit)

    def point_forecast(self, h):
        return np.log(self.series.values[-1]) + 0.06 * np.arange(1, h + 1)

    def simulate(self, h, n_paths, seed=None, innovations=None):
        if innovations is None:
            innovations = np.random.default_rng(seed).standard_normal((n_paths, h))
        return self.point_forecast(h) + np.cumsum(0.08 * innovations, axis=1)


@pytest.fixture(scope="module")
def proj():
    series = AnnualSeries(np.arange(2013, 2026), 11.75 * 1.1 ** np.arange(13),
                          name="US offshore execution")
    return forecast.project(_DriftFit(series),
                            [presets.baseline(), presets.escalation()],
                            to=2032, n_paths=300, seed=11)


@pytest.fixture(scope="module")
def figures(proj):
    return report.render_figures(proj, history=proj.history,
                                 decompositions={"escalation": proj.decompose("escalation")})


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.ids, self.srcs, self.hrefs, self.errors = [], set(), [], [], []
        self.stack = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if "src" in a:
            self.srcs.append(a["src"])
        if "href" in a:
            self.hrefs.append((tag, a["href"], a.get("rel") or ""))
        if tag not in ("img", "meta", "br", "hr", "link", "input", "source"):
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"unbalanced </{tag}> (open: {self.stack[-3:]})")
        else:
            self.stack.pop()


def check_self_contained(path, n_images=None):
    """Assert the report parses, embeds every image, loads nothing external (links to the
    sources are plain ``<a rel="noreferrer">``), <= 3 MB."""
    data = path.read_bytes()
    assert len(data) <= 3_000_000
    text = data.decode("utf-8")
    parser = _Collector()
    parser.feed(text)
    parser.close()
    assert parser.errors == []
    assert parser.stack == []
    assert parser.tags[0] == "html"
    assert "script" not in parser.tags
    assert "link" not in parser.tags
    assert "iframe" not in parser.tags
    for src in parser.srcs:
        kind, payload = src.split(",", 1)
        assert kind in ("data:image/svg+xml;base64", "data:image/png;base64"), kind
        raw = base64.b64decode(payload)
        assert raw.startswith(PNG) if "png" in kind else b"<svg" in raw[:400]
        if "svg" in kind:
            assert re.findall(rb"https?://[^\"' ]*", raw) in (
                [b"http://www.w3.org/2000/svg", b"http://www.w3.org/1999/xlink"],
                [b"http://www.w3.org/1999/xlink", b"http://www.w3.org/2000/svg"],
                [b"http://www.w3.org/2000/svg"])  # XML namespaces: names, never loaded
    # in-page links, and the sources' addresses: plain links, loaded only when clicked,
    # that tell the site nothing of the report
    for tag, href, rel in parser.hrefs:
        assert tag == "a", (tag, href)
        if href.startswith(("http://", "https://")):
            assert "noreferrer" in rel.split(), href
        else:
            assert href.startswith("#"), href
            assert href[1:] in parser.ids, href
    for attr in ("src=\"http", "src='http", "url(http", "@import"):
        assert attr not in text
    if n_images is not None:
        assert len(parser.srcs) == n_images
    return text


SECTIONS = ("Scenarios at a glance", "Scenario by scenario", "History and baseline model",
            "Sensitivity", "Data provenance", "Reproduce")


def test_report_puts_the_key_message_first_then_every_section(proj, tmp_path):
    path = report.write_report(proj, tmp_path / "r.html", settings={"command": "test"})
    assert path == tmp_path / "r.html"
    # headline, history; per scenario: fan, difference, decomposition
    text = check_self_contained(path, n_images=5)
    positions = [text.index(f">{s}</h2>") for s in SECTIONS]
    assert positions == sorted(positions)
    key = text.index('id="key-message"')
    assert key < positions[0]
    message = str(report.key_message(proj))
    assert message.split(".")[0] in text  # the headline sentence, as computed
    assert "seed=11" in text
    assert "n_paths=300" in text
    assert "Trade friction" in text  # assumptions by display name, with parameters
    assert "levy step, size" in text
    assert "group:trade_friction" not in text
    assert "<details>" in text  # provenance collapsed


def test_report_numbers_are_formatted_by_column(proj, tmp_path):
    import pandas as pd

    tornado = pd.DataFrame({
        "year": [2030, 2030], "parameter": ["trade_friction.levy_step.start",
                                            "trade_friction.drift.delta"],
        "assumption": "trade_friction", "low_value": [2026.0, -0.0136],
        "high_value": [2028.0, -0.0015], "level_low": [9.04, 8.0], "level_high": [11.0, 13.0],
        "level_median": [10.0, 10.0], "swing": [2.0, 5.0]})
    text = check_self_contained(report.write_report(proj, tmp_path / "f.html",
                                                    sensitivity=tornado, plots=False))
    assert "2,026.00" not in text
    assert "2026.00" not in text
    assert ">2026</td>" in text
    assert ">-0.0136</td>" in text  # a parameter to three significant digits
    assert ">-0.0015</td>" in text
    assert ">9.0</td>" in text  # levels to one decimal
    assert "Trade friction: levy step, start year" in text
    assert "lower_80" not in text.split('id="reproduce"')[0]  # display names, not columns


def test_report_with_sensitivity_and_without_plots(proj, figures, tmp_path):
    import pandas as pd

    tornado = pd.DataFrame({"year": 2030, "parameter": ["a.x", "a.y"], "assumption": "a",
                            "level_low": [9.0, 8.0], "level_high": [11.0, 13.0],
                            "level_median": [10.0, 10.0], "swing": [2.0, 5.0]})
    text = check_self_contained(
        report.write_report(proj, tmp_path / "a.html", sensitivity=tornado, decompose=False,
                            figures=figures),
        n_images=5)  # headline, history, fan, difference passed; tornado drawn
    assert "A: y" in text
    # the text alternative says what the tornado shows and which parameter is widest
    assert ('alt="Tornado chart: the median level with each uncertain parameter at its low '
            'and high value; in 2030 the widest is A: y (the median moves 5.0 between its '
            'low and high value)"') in text
    text = check_self_contained(report.write_report(proj, tmp_path / "b.html", plots=False,
                                                    decompose=False), n_images=0)
    assert "Escalation" in text


def test_figures_can_be_reused_and_are_svg(proj, figures, tmp_path):
    assert set(figures) == {"headline", "history", "fan_escalation", "difference_escalation",
                            "decomposition_escalation"}
    assert all(b"<svg" in svg[:400] for svg in figures.values())
    assert all(b"Source: MOFCOM releases" in svg for svg in figures.values())
    out = report.write_report(proj, tmp_path / "c.html", figures=figures, plots=False)
    check_self_contained(out, n_images=5)
    png = report.render_figures(proj, format="png", dpi=150, skip=("history",))
    assert png["headline"].startswith(PNG)
    with pytest.raises(ParameterError, match="svg"):
        report.render_figures(proj, format="jpg")


def test_figure_sets_build_each_chart_once_for_every_format(proj, figures):
    dec = {"escalation": proj.decompose("escalation")}
    sets = report.render_figure_sets(proj, history=proj.history, decompositions=dec,
                                     formats=("svg", "png"), narrow=True)
    # the same bytes as one format at a time: SVG and PNG are drawn reproducibly
    assert {k: v for k, v in sets["svg"].items() if not k.endswith(".narrow")} == figures
    png = report.render_figures(proj, history=proj.history, decompositions=dec,
                                format="png")
    assert sets["png"] == png
    # the phone versions only in the first format (the report's)
    assert {k for k in sets["svg"] if k.endswith(".narrow")} == {f"{k}.narrow" for k in figures}
    assert not any(k.endswith(".narrow") for k in sets["png"])
    for bad in (("svg", "jpg"), (), ("png", "png")):
        with pytest.raises(ParameterError, match="formats"):
            report.render_figure_sets(proj, formats=bad)


def test_phone_charts_laid_out_again_equal_charts_built_at_phone_size(proj):
    """A chart is built once and saved wide, then resized for phones: the same bytes as
    the chart built at the phone size from the start (sizes matter only when saving)."""
    from forecast import plotting
    from forecast.report.figures import SIZE, _Canvas

    sets = report.render_figure_sets(proj, history=proj.history, narrow=True)
    # the difference chart's phone version is taller: its legend's rows under the axes
    for key, func, args, height in (
            ("history", plotting.history_chart, (proj.history,), SIZE[1] * 0.9 + 0.5),
            ("difference_escalation", plotting.difference_chart, (proj, "escalation"),
             SIZE[1] + 1.3)):
        fresh = _Canvas(("svg",), 150, (), narrow=False)
        fresh.draw(key, func, *args, size=(4.4, height), left=0.8, right=0.2)
        assert sets["svg"][f"{key}.narrow"] == fresh.out["svg"][key]
        assert sets["svg"][f"{key}.narrow"] != sets["svg"][key]


def test_charts_measured_once_equal_charts_on_matplotlibs_own_canvases(proj, monkeypatch):
    """The report's figures sit on a canvas that keeps every text's size for the whole
    set (:func:`~forecast.plotting._base.measuring_canvas`): the same bytes, SVG and PNG,
    wide and phone, as on the canvases matplotlib's ``savefig`` makes."""
    from forecast.report import figures as F

    dec = {"escalation": proj.decompose("escalation")}

    def draw():
        return report.render_figure_sets(proj, history=proj.history, decompositions=dec,
                                         formats=("svg", "png"), narrow=True)

    measured = draw()
    monkeypatch.setattr(F, "measuring_canvas", lambda fig, metrics: None)
    plain = draw()
    differ = [(fmt, key) for fmt in plain for key in plain[fmt]
              if measured[fmt].get(key) != plain[fmt][key]]  # names, not megabytes of diff
    assert differ == []
    assert {fmt: sorted(v) for fmt, v in measured.items()} == {
        fmt: sorted(v) for fmt, v in plain.items()}
    assert len(plain["svg"]) == 2 * len(plain["png"]) >= 8


def test_a_measuring_canvas_measures_each_text_once():
    from matplotlib.figure import Figure

    from forecast.plotting._base import measuring_canvas, source_line, text_renderer
    from forecast.report._html import image_bytes

    metrics: dict = {}
    fig = Figure(figsize=(4, 3))
    if not measuring_canvas(fig, metrics):  # an older matplotlib keeps its own canvas
        assert type(fig.canvas).__name__ == "FigureCanvasBase"
        pytest.skip(f"matplotlib {matplotlib.__version__}: the measuring canvas is not used")
    ax = fig.subplots()
    ax.plot([2020, 2030], [1, 2], label="a line")
    ax.set_title("A title")
    ax.legend()
    source_line(fig, "Source: a line long enough to be wrapped on a narrow chart, word by word")
    assert text_renderer(fig) is fig.canvas.get_renderer()  # the layout's: kept
    first = {fmt: image_bytes(fig, fmt) for fmt in ("svg", "png")}
    known = dict(metrics)
    kinds = {k[0] for k in known}
    assert kinds >= {"agg", "svg"}
    # matplotlib 3.11 asks the renderer for the fonts' heights (kept, as matplotlib's)
    version = tuple(int(v) for v in matplotlib.__version__.split(".")[:2])
    assert ("heights" in kinds) == (version >= (3, 11))
    assert {fmt: image_bytes(fig, fmt) for fmt in ("svg", "png")} == first
    assert metrics == known  # nothing measured again
    fig.savefig(__import__("io").BytesIO(), format="svg", facecolor="white")


def test_precomputed_decompositions_are_used_and_checked(proj, figures, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # one header stamp for a and b
    dec = {"escalation": proj.decompose("escalation")}
    a = report.write_report(proj, tmp_path / "a.html", figures=figures, plots=False,
                            decompose=dec).read_text()
    b = report.write_report(proj, tmp_path / "b.html", figures=figures, plots=False,
                            decompose=["escalation"]).read_text()
    assert a == b
    with pytest.raises(ParameterError, match="'nope' -> DataFrame"):
        report.write_report(proj, tmp_path / "c.html", plots=False,
                            decompose={"nope": dec["escalation"]})
    with pytest.raises(ParameterError, match="'escalation' -> str"):
        report.write_report(proj, tmp_path / "c.html", plots=False,
                            decompose={"escalation": "x"})
    with pytest.raises(ParameterError, match="^`decompose` must list scenarios of the "
                                             "projection .*got 'escalaton'. Did you mean "
                                             "'escalation'?"):
        report.write_report(proj, tmp_path / "c.html", plots=False, decompose=["escalaton"])
    assert not (tmp_path / "c.html").exists()


def test_records_without_the_projected_market_give_a_report_without_warnings(proj, tmp_path):
    """The provenance section of a series' own market: Korean records alone have no US row,
    so the section counts 0 for this market and cites nothing, in silence."""
    korean = forecast.load_releases().filter(market="KR")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        text = report.write_report(proj, tmp_path / "kr.html", plots=False,
                                   records=korean).read_text()
    assert f"{len(korean):,} published figures in total; 0 for this market" in text


def test_a_report_path_that_is_not_html_is_refused_before_any_work(proj, tmp_path):
    from forecast.report import write_markets_report

    for write in (report.write_report, write_markets_report):
        with pytest.raises(ParameterError, match=r"^`path` must be an \.html file .*got "
                                                 r"'.*r\.pdf'\. Pass e\.g\. path='r\.html'"):
            write(proj, tmp_path / "r.pdf", plots=False)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ParameterError, match="`baseline` must be one of .*'basline'"):
        report.write_report(proj, tmp_path / "r.html", plots=False, baseline="basline")


def test_reproduce_block_lists_versions_command_and_settings_once(proj, tmp_path):
    text = report.write_report(proj, tmp_path / "v.html", plots=False,
                               settings={"command": "forecast run --seed 11"}).read_text()
    block = text.split('id="reproduce"')[1]
    for lib in ("numpy", "pandas", "statsmodels", "scipy", "matplotlib"):
        assert f">{lib}</td>" in block
    assert "forecast run --seed 11" in block
    assert block.count(">n_paths</td>") == 1  # the settings are shown once
    assert "{" not in block.split("<h3>Settings</h3>")[1]  # no stringified dict or JSON


def test_mixture_appears_when_scenarios_carry_probabilities(tmp_path):
    series = AnnualSeries(np.arange(2013, 2026), 11.75 * 1.1 ** np.arange(13), name="US")
    sset = forecast.ScenarioSet((presets.baseline(), presets.escalation()),
                                probabilities=(0.7, 0.3))
    proj = forecast.project(_DriftFit(series), sset, to=2030, n_paths=200, seed=2)
    text = check_self_contained(report.write_report(proj, tmp_path / "m.html",
                                                    decompose=False))
    assert ">Probability-weighted mixture</h2>" in text
    assert 'alt="Fan chart of the probability-weighted mixture of the scenarios"' in text
    # its caption, as every other figure has one
    assert "<figcaption>The scenarios pooled by their probabilities" in text
    assert "Weighting the scenarios by their probabilities" in text


def test_a_scenario_named_mixture_keeps_its_name_and_the_pool_takes_another(tmp_path):
    """A user's scenario "mixture" beside the probability-weighted pool: both kept apart."""
    series = AnnualSeries(np.arange(2013, 2026), 11.75 * 1.1 ** np.arange(13), name="US")
    cut = forecast.Scenario("mixture", (forecast.scenarios.LevelShift(2027, -0.4),))
    sset = forecast.ScenarioSet((presets.baseline(), cut), probabilities=(0.5, 0.5))
    proj = forecast.project(_DriftFit(series), sset, to=2030, n_paths=200, seed=2)
    assert proj.mixture().scenario_names == ("mixture (pooled)",)
    assert proj.mixture(name="pool").scenario_names == ("pool",)
    text = check_self_contained(report.write_report(proj, tmp_path / "m.html",
                                                    decompose=False))
    assert ">Probability-weighted mixture</h2>" in text
    from forecast.cli.run_report import _summary

    assert list(dict.fromkeys(_summary(proj)["scenario"])) == [
        "baseline", "mixture", "mixture (pooled)"]
    # without probabilities the user's scenario is not called a probability-weighted one
    plain = forecast.project(_DriftFit(series), [presets.baseline(), cut], to=2030,
                             n_paths=200, seed=2)
    message = str(report.key_message(plain))
    assert "The largest gap is Mixture (" in message
    assert "Probability-weighted" not in message
    assert proj.mixture().samples.shape == proj.samples[:1].shape


def test_a_scenario_effect_is_called_the_average_it_is_not_a_median(tmp_path):
    """The report's "Effect in YEAR" is exp(mean log ratio) - 1, which the decomposition
    splits; for an assumption that happens on fewer than half of the paths the median
    paired effect is 0, so calling it a median was wrong."""
    series = AnnualSeries(np.arange(2013, 2026), 11.75 * 1.1 ** np.arange(13), name="US")
    rare = forecast.Scenario("rare", (forecast.scenarios.LevelShift(2027, -0.4,
                                                                   probability=0.3),))
    proj = forecast.project(_DriftFit(series), [presets.baseline(), rare], to=2030,
                            n_paths=400, seed=2)
    diff = proj.difference(scenarios=["rare"])
    assert diff[diff.year == 2030]["median_pct"].iloc[0] == pytest.approx(0.0, abs=1e-9)
    text = report.write_report(proj, tmp_path / "r.html", decompose=False).read_text()
    effect = report.key_message(proj).effects["rare"]
    assert effect < -5
    assert (f"<b>Effect in 2030:</b> {effect:+.1f}% against the baseline on average (the "
            "geometric mean of the path-by-path ratios") in text


def test_compact_table_matches_samples(proj):
    table = report.compact_table(proj, years=[2026, 2032], level=80)
    assert list(table.columns) == ["scenario", "year", "median", "lower_80", "upper_80"]
    assert len(table) == 4
    row = table[(table.scenario == "escalation") & (table.year == 2032)].iloc[0]
    paths = proj.samples[1][:, -1]
    assert row["median"] == pytest.approx(np.median(paths))
    assert row["lower_80"] == pytest.approx(np.quantile(paths, 0.1))
    assert report.compact_table(proj).year.unique().tolist() == [2026, 2030, 2032]


def test_bad_arguments(proj, tmp_path):
    with pytest.raises(ForecastTypeError, match="forecast.project"):
        report.write_report("not a projection", tmp_path / "x.html")
    with pytest.raises(ParameterError, match="2040"):
        report.compact_table(proj, years=[2040])
    # each used to reach the page as text ("Baseline model: garbage"), be ignored, or fail
    # with a raw TypeError deep inside
    for kwargs, field in (({"fit": "garbage"}, "`fit` must be the baseline Fit"),
                          ({"figures": 5}, "`figures` must map chart names to image bytes"),
                          ({"figures": {"headline": "<svg/>"}}, "`figures` must map"),
                          ({"history": "us"}, "`history` must be a History or an Annual")):
        with pytest.raises(ForecastTypeError, match=field):
            report.write_report(proj, tmp_path / "x.html", plots=False, **kwargs)
    with pytest.raises(ForecastTypeError, match="`history` must be a History"):
        report.key_message(proj, "us")
    assert not (tmp_path / "x.html").exists()


def test_records_that_are_not_records_are_refused_before_any_work(proj, us_history,
                                                                  tmp_path, monkeypatch):
    monkeypatch.setattr(report.report, "render_figures", lambda *a, **k: pytest.fail("drew"))
    for wrong, name in ((us_history, "History"), (proj.history, "AnnualSeries"),
                        (forecast.load_releases().frame, "DataFrame")):
        with pytest.raises(ForecastTypeError, match=rf"`records` must be Records .*got {name}\. "
                           r"Pass forecast\.load_releases\(\)") as info:
            report.write_report(proj, tmp_path / "r.html", records=wrong)
        assert info.value.field == "records"
    assert not (tmp_path / "r.html").exists()


def test_projection_plot_and_write_report(tmp_path):
    """`Projection.plot` draws the fan chart; `write_report` takes the projection."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from forecast.projection.projection import _example

    proj = _example()
    ax = proj.plot("baseline")
    assert ax.get_title() or ax.get_legend() is not None
    assert len(ax.collections) >= 3  # the nested 50/80/95% bands
    plt.close(ax.figure)
    assert not hasattr(proj, "report")  # the report is a face: report.write_report(proj, ...)
    path = report.write_report(proj, tmp_path / "r.html")
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert str(path).endswith("r.html")
    assert "<img" in text
    assert "data:image/svg+xml;base64," in text


def test_reproduction_uses_the_fits_recorded_seed(proj, tmp_path):
    """A fit made without a seed records its entropy in ``fit.seed``; the code shows it."""

    @dataclass(frozen=True)
    class _Seeded(_DriftFit):
        seed: int = 123456789

    fit = _Seeded(proj.history)
    text = report.write_report(proj, tmp_path / "s.html", fit=fit, plots=False).read_text()
    block = text.split('id="reproduce"')[1]
    assert ".fit(history, seed=123456789)" in block
    assert "seed=11)" in block  # the projection's own seed


def test_a_report_too_big_drops_the_phone_charts_first(proj, figures, tmp_path, monkeypatch):
    from forecast.report import report as module

    full = report.write_report(proj, tmp_path / "full.html")
    size = full.stat().st_size
    assert "<source" in full.read_text()
    monkeypatch.setattr(module, "MAX_BYTES", size - 1)
    smaller = report.write_report(proj, tmp_path / "small.html")
    assert smaller.stat().st_size < size
    assert "<source" not in smaller.read_text()
    monkeypatch.setattr(module, "MAX_BYTES", 10_000)
    with pytest.raises(ParameterError, match="at most 10,000 bytes"):
        report.write_report(proj, tmp_path / "none.html")
    assert not (tmp_path / "none.html").exists()


def test_the_header_stamp_follows_source_date_epoch(proj, figures, tmp_path, monkeypatch):
    """Two reports of one projection are byte-identical when SOURCE_DATE_EPOCH fixes the clock."""
    from forecast.report.reproduce import stamp

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    assert stamp() == "2026-01-01 00:00 UTC"
    a = report.write_report(proj, tmp_path / "a.html", figures=figures, plots=False)
    b = report.write_report(proj, tmp_path / "b.html", figures=figures, plots=False)
    assert "2026-01-01 00:00 UTC" in a.read_text()
    assert a.read_bytes() == b.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "not a number")  # ignored: the clock
    assert stamp() != "2026-01-01 00:00 UTC"


def test_the_model_section_says_how_a_combination_is_centred():
    from forecast.report import _sections as S

    s = AnnualSeries(range(2010, 2025), [10 * 1.07**i + (i % 3) for i in range(15)])
    for center in ("median", "mean"):
        html = S.model_section(forecast.Auto(center=center).fit(s), None, None, {})
        assert f"centred on the {center} of the families' forecasts" in html
    for single in (forecast.Drift(), forecast.Auto(method="select")):
        assert "centred on" not in S.model_section(single.fit(s), None, None, {})


def test_the_families_aicc_table_says_the_values_do_not_rank_the_families():
    """The table was captioned "Families compared and combined: AICc of each family's own
    fit" (US: Drift -33.4, LocalLinearTrend -26.6, Theta -11.0), inviting the reader to
    rank them, though each AICc counts other observations (docs/models.md)."""
    import html as _html
    import re as _re

    from forecast.report import _sections as S

    s = AnnualSeries(range(2010, 2025), [10 * 1.07**i + (i % 3) for i in range(15)])

    def text(spec):
        return _html.unescape(_re.sub(r"<[^>]+>", "", S.model_section(spec.fit(s), None,
                                                                       None, {})))

    equal = text(forecast.Auto())
    assert "Families compared" not in equal
    assert "not comparable between families" in equal
    assert "does not show that a family fits better" in equal
    assert "weighted equally: the values play no part in the model" in equal
    assert "weights the families by them (Akaike weights)" in text(forecast.Auto(weights="aicc"))
    assert "selects the family with the lowest one" in text(forecast.Auto(method="select"))
    assert "Reading the AICc column" not in text(forecast.Drift())  # no table, no note


def _shown_code(path) -> str:
    import html as _html

    block = path.read_text().split('id="reproduce"')[1]
    return _html.unescape(block.split("<h3>Python</h3><pre>")[1].split("</pre>")[0])


@pytest.mark.parametrize("on", ["history", "series"])
def test_the_reproduction_code_of_a_python_run_reproduces_it(on, tmp_path):
    """The code names the model the projection was made with (its ModelSpec.call_text),
    the data it was fitted on and the fit's own seed, all recorded in the projection's
    settings: run as shown, from the report of the projection or of its saved copy
    (without the fit), it gives the same samples."""
    history = forecast.reconstruct()
    spec = forecast.Drift(scale="log", imputations=4)
    fit = spec.fit(history, seed=3) if on == "history" else spec.fit(history.series)
    proj = forecast.project(fit, [presets.get("baseline"), presets.get("escalation")],
                            to=2029, n_paths=300, seed=4)
    assert proj.settings["model_spec"] == "Drift(scale='log', imputations=4)"
    proj.save(tmp_path / "saved")
    loaded = forecast.Projection.load(tmp_path / "saved")
    want = ("fit = forecast.Drift(scale='log', imputations=4).fit(history, seed=3)"
            if on == "history" else  # a series is written out: it need not be the history's
            "fit = forecast.Drift(scale='log', imputations=4).fit(series)")
    for i, (p, kw) in enumerate([(proj, {"fit": fit, "history": history}), (loaded, {})]):
        code = _shown_code(report.write_report(p, tmp_path / f"r{i}.html", plots=False,
                                               **kw))
        assert want in code
        scope: dict = {}
        exec(compile(code, "reproduce", "exec"), scope)
        np.testing.assert_array_equal(scope["proj"].samples, proj.samples)


def test_the_reproduction_code_repeats_seeds_that_are_not_ints(tmp_path):
    """A fit seeded with an entropy list and a projection seeded with a spawned child:
    ``seed=<entropy>`` would draw other numbers (the fit even refuses a list), so the code
    rebuilds each SeedSequence; run as shown, also from the saved copy, it gives the same
    samples."""
    history = forecast.reconstruct()
    fit = forecast.Drift(imputations=3).fit(history, seed=np.random.SeedSequence([1, 2]))
    assert fit.notes[0].endswith("(seed numpy.random.SeedSequence([1, 2]))")
    again = forecast.Drift(imputations=3).fit(history, seed=fit.seed)  # Fit.seed repeats it
    assert again.params == fit.params
    assert again.notes == fit.notes
    child = np.random.SeedSequence(7, pool_size=8).spawn(2)[1]
    proj = forecast.project(fit, [presets.get("baseline")], to=2028, n_paths=200,
                            seed=child)
    assert proj.settings["fit_seed"] == {"entropy": [1, 2], "spawn_key": [], "pool_size": 4}
    proj.save(tmp_path / "saved")
    loaded = forecast.Projection.load(tmp_path / "saved")
    for i, (p, kw) in enumerate([(proj, {"fit": fit}), (loaded, {})]):
        code = _shown_code(report.write_report(p, tmp_path / f"r{i}.html", plots=False,
                                               **kw))
        assert code.startswith("import numpy\n")
        assert "fit(history, seed=numpy.random.SeedSequence([1, 2]))" in code
        assert "seed=numpy.random.SeedSequence(7, spawn_key=(1,), pool_size=8))" in code
        scope: dict = {}
        exec(compile(code, "reproduce", "exec"), scope)
        np.testing.assert_array_equal(scope["proj"].samples, proj.samples)


def test_the_reproduction_code_keeps_market_probabilities_chunks_and_own_scenarios(
        tmp_path):
    """A Python run on the EU's CNY series, with scenarios built in Python (a mixture)
    and a chunk size of its own: the code rebuilds that history (from the fit's
    ``fit_source``), writes the scenarios out as TOML with their probabilities and names
    the chunk size; run as shown, also from the saved copy, it gives the same samples and
    the same mixture. A scenario file named in the settings is loaded instead, and its
    probabilities kept."""
    history = forecast.reconstruct(market="EU", currency="CNY")
    fit = forecast.Drift(imputations=3).fit(history, seed=5)
    assert dict(fit.source) == {"market": "EU", "flow": "offshore_execution",
                                "segment": "all", "currency": "CNY"}
    levy = forecast.Scenario("levy", (forecast.LevelShift(2027, forecast.Normal(-0.1, 0.02),
                                                          name="levy"),))
    sset = forecast.ScenarioSet((forecast.Scenario("baseline"), levy),
                                probabilities=(0.6, 0.4))
    proj = forecast.project(fit, sset, to=2029, n_paths=120, chunk_size=50, seed=6)
    proj.save(tmp_path / "saved")
    loaded = forecast.Projection.load(tmp_path / "saved")
    for i, p in enumerate((proj, loaded)):
        code = _shown_code(report.write_report(p, tmp_path / f"r{i}.html", plots=False))
        assert ("forecast.reconstruct(records, market='EU', flow='offshore_execution', "
                "segment='all', currency='CNY')") in code
        assert "scenarios = forecast.loads_scenarios(r'''" in code
        assert "probability = 0.4" in code
        assert "chunk_size=50, seed=6)" in code
        assert "presets" not in code
        scope: dict = {}
        exec(compile(code, "reproduce", "exec"), scope)
        np.testing.assert_array_equal(scope["proj"].samples, proj.samples)
        np.testing.assert_array_equal(scope["proj"].mixture().samples,
                                      proj.mixture().samples)
    path = forecast.dump_scenarios(sset, tmp_path / "mine.toml")
    code = _shown_code(report.write_report(proj, tmp_path / "f.html", plots=False,
                                           settings={"scenario_file": str(path)}))
    assert f"scenarios = forecast.load_scenarios({str(path)!r})" in code
    assert "probabilities=(0.6, 0.4))" in code
    scope = {}
    exec(compile(code, "reproduce", "exec"), scope)
    np.testing.assert_array_equal(scope["proj"].mixture().samples, proj.mixture().samples)


@pytest.mark.parametrize(("n_paths", "chunk_size", "named"),
                         [(15_000, 20_000, True), (300, 50, True), (300, 20_000, False),
                          (12_000, 10_000, False)])
def test_the_reproduction_code_names_a_chunk_size_when_the_chunks_differ(
        n_paths, chunk_size, named):
    """Chunks seed their paths: the code names chunk_size unless it makes the default's
    chunks (both hold every path, or it is the default). 15,000 paths in one chunk of
    20,000 are not the default's two chunks of 10,000 (the code left it out)."""
    from forecast.report.reproduce import python_code, settings_of

    s = AnnualSeries(range(2010, 2025), [10 * 1.07**i for i in range(15)])
    proj = forecast.project(forecast.Drift().fit(s), forecast.Scenario("baseline"), to=2027,
                            n_paths=n_paths, chunk_size=chunk_size, seed=1)
    code = python_code(settings_of(proj, None), proj)
    assert (f"chunk_size={chunk_size}" in code) == named
    scope: dict = {}
    exec(compile(code, "reproduce", "exec"), scope)
    np.testing.assert_array_equal(scope["proj"].samples, proj.samples)


def test_a_history_or_fit_of_another_series_is_refused(tmp_path):
    """An HK projection written with the US history and fit gave a page headed HK with the
    US model, weights and evidence, and a key message that lost its base year."""
    hk = forecast.reconstruct(market="HK")
    fit_hk = forecast.Drift().fit(hk, seed=1)
    proj = forecast.project(fit_hk, forecast.Scenario("baseline"), to=2027, n_paths=50, seed=1)
    us = forecast.reconstruct()
    for kwargs, field in (({"history": us}, "history"),
                          ({"history": us.series}, "history"),
                          ({"fit": forecast.Drift().fit(us, seed=1)}, "fit"),
                          ({"history": forecast.reconstruct(market="HK", currency="CNY")},
                           "history")):
        with pytest.raises(ParameterError, match=rf"`{field}` must belong to the projected "
                                                 r"series, HK offshore_execution in USD_bn "
                                                 r"to 2023; got ") as info:
            report.write_report(proj, tmp_path / "x.html", plots=False, **kwargs)
        assert info.value.field == field
    with pytest.raises(ParameterError, match="`history` must belong"):
        report.key_message(proj, us)
    assert not (tmp_path / "x.html").exists()
    # its own history and fit are taken
    report.write_report(proj, tmp_path / "ok.html", plots=False, history=hk, fit=fit_hk)
    assert (tmp_path / "ok.html").exists()


def test_assumption_tables_give_every_parameter_fixed_ones_too(proj, tmp_path):
    """Only the uncertain parameters were listed: escalation's levy, which happens on
    half the paths and is phased in over 2 years, and its control shocks' yearly rate
    read as if they were not part of the scenario."""
    import html
    import re

    text = report.write_report(proj, tmp_path / "p.html", plots=False).read_text()
    article = text[text.index('id="scenario-escalation"'):]
    cells = html.unescape(re.sub(r"<[^>]+>", "|", article[:article.index("</table>")]))
    for shown in ("drift, start year: 2026", "levy step, probability: 0.5;",
                  "levy step, phase-in years: 2;", "control shocks, yearly rate: 0.1;",
                  "control shocks, start year: 2026",
                  "levy step, size: Uniform(low -0.06, high -0.01)"):  # and uncertain ones
        assert shown in cells
    assert "drift, probability" not in cells  # a part that always happens: no noise


def test_the_decomposition_table_gives_log_points_and_the_total_on_the_level(proj, tmp_path):
    """The table was headed "log points (about % of the baseline)": for the fragmentation
    preset's -34.0 log points that is -28.8%, not about -34%. The parts stay in log points
    (they add up exactly); the total is also given as the change in the level."""
    import html
    import re

    text = report.write_report(proj, tmp_path / "d.html", plots=False).read_text()
    article = text[text.index('id="scenario-escalation"'):]
    table = article[article.index("Contribution to the gap"):]
    table = table[:table.index("</table>")]
    caption = html.unescape(table[:table.index("</caption>")])
    assert "about %" not in caption
    assert "exp(total / 100) - 1" in caption
    assert "-34 are -28.8%" in caption
    frame = proj.decompose("escalation")
    years = [int(y) for y in re.findall(r'data-label="Year">(\d+)<', table)]
    shown = re.findall(r'data-label="Total">([-+]\d+\.\d) \(([-+]\d+\.\d)%\)<', table)
    assert years
    assert len(shown) == len(years)
    for year, (points, level) in zip(years, shown, strict=True):
        total = frame.loc[frame["year"] == year, "log_points"].sum()
        assert float(points) == pytest.approx(total, abs=0.051)
        assert float(level) == pytest.approx(100 * np.expm1(total / 100), abs=0.051)
    # the chart says log points, not "~%"
    import matplotlib.pyplot as plt

    from forecast.plotting import decomposition_chart

    ax = decomposition_chart(frame)
    assert ax.get_ylabel() == "contribution to the gap (log points)"
    plt.close(ax.figure)


def test_a_size_in_log_points_is_given_with_its_change_in_the_level(tmp_path):
    """-0.25 of the severe levy step was read as -25% ("0.01 is about 1%"): it is -22.1%."""
    import html
    import re

    series = AnnualSeries(np.arange(2013, 2026), 11.75 * 1.1 ** np.arange(13))
    frag = forecast.project(_DriftFit(series), [presets.baseline(), presets.fragmentation()],
                            to=2028, n_paths=50, seed=1)
    text = report.write_report(frag, tmp_path / "f.html", plots=False,
                               decompose=False).read_text()
    cells = html.unescape(re.sub(r"<[^>]+>", "|", text))
    assert ("levy step, size: Triangular(low -0.25, mode -0.1, high -0.03) (on the level: "
            "-22.1%, -9.5%, -3.0%)") in cells
    assert "control shocks, size: Uniform(low -0.05, high -0.01) (on the level: -4.9%, -1.0%)" \
        in cells
    assert "adoption, ceiling: Triangular(low -0.04, mode -0.0176, high -0.005) (on the level: " \
        "-3.9%, -1.7%, -0.5%)" in cells
    assert "0.01 is about 1%" not in cells
    assert "-0.25 is -22.1%" in cells
    # a growth change, a probability or a year is not a level effect
    assert re.search(r"growth change per year: Triangular\([^)]*\);", cells)


def test_a_report_in_cny_states_the_exchange_rates_it_rests_on(proj, tmp_path):
    """``forecast run --currency CNY`` implied a yuan at about 8.1 per USD in 2030 (its
    trend carries the yuan's past fall) without a word on exchange rates."""
    import html
    import re

    history = forecast.reconstruct(forecast.load_releases(), currency="CNY")
    fit = _DriftFit(AnnualSeries(history.series.years, history.series.values,
                                 name=history.series.name, unit="CNY_bn"))
    cny = forecast.project(fit, [presets.baseline()], to=2030, n_paths=200, seed=1)
    text = report.write_report(cny, tmp_path / "cny.html", history=history,
                               plots=False).read_text()
    note = re.search(r'<p class="fx-note">(.*?)</p>', text)
    assert note is not None
    note = html.unescape(re.sub(r"<[^>]+>", "", note.group(1)))
    obs = history.observations()
    used = obs[obs["used"].astype(bool) & obs["fx_rate"].notna()].sort_values("year")
    last = used[used["year"] == used["year"].max()]
    assert "no exchange-rate path is applied to the projected years" in note
    assert f"{last['fx_rate'].mean():.2f} in {int(last['year'].iloc[0])}" in note
    assert "MOFCOM's own CNY and USD totals" in note  # where the last rate comes from
    assert "median in 2030" in note
    usd = report.write_report(proj, tmp_path / "usd.html", plots=False).read_text()
    assert 'class="fx-note"' not in usd


def test_a_report_in_cny_cautions_that_it_is_not_the_usd_projection_restated(proj, tmp_path):
    """The same data, model and seed gave a baseline chance that 2030 is above 2024 of 97%
    in CNY against 74% in USD (the CNY trend carries the yuan's fall), and the key message
    said nothing; the key-message block now cautions, before any figure is compared."""
    import html
    import re

    history = forecast.reconstruct(forecast.load_releases(), currency="CNY")
    fit = _DriftFit(AnnualSeries(history.series.years, history.series.values,
                                 name=history.series.name, unit="CNY_bn"))
    cny = forecast.project(fit, [presets.baseline()], to=2030, n_paths=200, seed=1)
    text = report.write_report(cny, tmp_path / "cny.html", history=history,
                               plots=False).read_text()
    head = text[:text.index("Scenarios at a glance</h2>")]  # the key-message block
    found = re.search(r'<p class="caution"><b>Caution, currency:</b>(.*?)</p>', head)
    assert found is not None
    caution = html.unescape(found.group(1))
    assert "not a projection in US dollars restated in yuan" in caution
    assert "Future exchange rates are not modelled" in caution
    assert "carries them on as growth" in caution
    assert "For the outlook in dollars, project in USD." in caution
    usd = report.write_report(proj, tmp_path / "usd.html", plots=False).read_text()
    assert "Caution, currency" not in usd


def test_the_settings_table_shows_lists_and_mappings_as_typed(proj, tmp_path):
    """The single-market report's settings read "['baseline', 'escalation']", "[]" and
    "{'market': 'US', ...}" (Python's text); they are now "baseline, escalation", "none"
    and "market: US; flow: ..."."""
    from test_markets_report import _settings_cells

    text = report.write_report(proj, tmp_path / "s.html", plots=False, settings={
        "command": "forecast run", "added": [], "as_of": None,
        "fit_source": {"market": "US", "flow": "offshore_execution"}}).read_text()
    shown = _settings_cells(text)
    assert shown["scenarios"] == "baseline, escalation"
    assert shown["added"] == "none"
    assert shown["as_of"] == "none"
    assert shown["fit_source"] == "market: US; flow: offshore_execution"
    assert shown["spawn_key"] == "none"
    assert not [v for v in shown.values() if v.startswith(("[", "{", "("))]
