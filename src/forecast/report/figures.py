"""The report's charts, drawn without pyplot: SVG for the report, PNG for files.

Every chart carries the source line (:data:`forecast.plotting.scenario_charts.SOURCE`)
and the same colour per scenario and per assumption (:mod:`forecast.plotting.names`).
"""

from __future__ import annotations

import textwrap
import warnings
from collections.abc import Mapping, Sequence

from .. import plotting
from .._keywords import checked_keywords
from .._optional import require
from ..errors import ParameterError
from ..plotting._base import fonts_for, measuring_canvas, quiet_font_lookup, source_line
from ..plotting.names import scenario_label
from ..plotting.scenario_charts import SOURCE
from . import _html as H
from .keymessage import nowcast_year

__all__ = ["render_figure_sets", "render_figures"]

#: Figure size in inches: wide enough for a desktop column, legible scaled to a phone.
SIZE = (7.2, 4.3)


class _Canvas:
    """Draws figures with a fixed layout and a source line, and keeps their bytes.

    Each chart is built once and saved in every format of `formats` (building the axes
    costs about as much as saving them); ``out[fmt][key]`` holds the bytes. With
    ``narrow=True`` each chart is also saved 4.4 inches wide, under the key
    ``"<key>.narrow"``, in the first format only: the report shows it on phones, where
    the wide chart scaled down to 360 px would have 7 px text. The same figure is resized
    and saved again (ticks and wrapping are chosen when saving, so the bytes equal a
    chart built at that size; tested), unless the phone version takes other arguments
    (`narrow` with ``"kwargs"``, e.g. fewer years on the headline), which is built anew.
    The figures share one store of text sizes (:func:`~forecast.plotting._base.
    measuring_canvas`): a text is measured once per renderer kind and resolution, not
    again at every layout and save.
    """

    def __init__(self, formats: Sequence[str], dpi: int, skip: Sequence[str],
                 narrow: bool = False):
        self.figure_cls = require("matplotlib.figure", "plot", "Drawing the report's charts").Figure
        self.formats, self.dpi, self.skip, self.narrow = tuple(formats), dpi, set(skip), narrow
        self.out: dict[str, dict[str, bytes]] = {f: {} for f in self.formats}
        self.metrics: dict = {}  # text sizes, shared by the charts' renderers

    def draw(self, key: str, func, *args, size=SIZE, right: float = 0.25, left: float = 0.85,
             narrow: Mapping | None = None, **kwargs) -> None:
        if key in self.skip:
            return
        layouts = [(key, size, left, right, self.formats)]
        opts = {"size": (4.4, size[1] * 0.9 + 0.5), "left": min(left, 0.8),
                "right": min(right, 0.2), **(narrow or {})}
        narrow_kwargs = opts.pop("kwargs", {})
        if self.narrow and not narrow_kwargs:  # the same chart, laid out again
            layouts.append((f"{key}.narrow", opts["size"], opts["left"], opts["right"],
                            self.formats[:1]))
        self._one(func, args, kwargs, layouts)
        if self.narrow and narrow_kwargs:  # a different chart: built anew
            self._one(func, args, {**kwargs, **narrow_kwargs},
                      [(f"{key}.narrow", opts["size"], opts["left"], opts["right"],
                        self.formats[:1])])

    def _one(self, func, args, kwargs, layouts) -> None:
        """Build the chart once, then save it in each layout: (key, size, left, right, formats).

        Every size-dependent choice (ticks, wrapping) is made when a figure is saved, so
        a chart resized and saved again is the chart built at that size.
        """
        import matplotlib  # lazy: the optional `plot` extra
        from matplotlib.text import Text

        # "axes.titley": no report chart has a top axis, so matplotlib's search for a
        # title height clear of it (a tight box of every axis, at each save) always
        # lands on 1.0: fixing it gives the same bytes, 9% faster.
        rc = {"font.size": 10.5, "axes.titlesize": "large", "axes.titley": 1.0,
              "axes.titleweight": "bold", "axes.spines.top": False,
              "axes.spines.right": False}
        fonts = fonts_for(())  # Latin first; the CJK fonts only if a text needs them
        while True:
            # a chart that measures its text while it is built (a legend kept clear of
            # the bars) warns of missing glyphs under the Latin font: held back until
            # we know the chart is not built again with the CJK fonts
            with matplotlib.rc_context({**rc, "font.family": list(fonts)}), \
                    quiet_font_lookup(), warnings.catch_warnings(record=True) as held:
                warnings.simplefilter("always")
                fig = self.figure_cls(figsize=layouts[0][1])
                measuring_canvas(fig, self.metrics)
                func(*args, ax=fig.subplots(), **kwargs)
                source_line(fig, SOURCE)
            need = fonts_for(t.get_text() for t in fig.findobj(Text))
            if need == fonts:
                break
            fonts = need  # built again: a figure's texts keep the fonts they were made with
        for w in held:  # the build that stands: its warnings are the user's
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        with matplotlib.rc_context({**rc, "font.family": list(fonts)}), quiet_font_lookup():
            ax = fig.axes[0]
            title = ax.get_title()
            for key, size, left, right, formats in layouts:
                fig.set_size_inches(size)
                _fit(fig, ax, title, size, left, right)
                for fmt in formats:
                    self.out[fmt][key] = H.image_bytes(fig, fmt, self.dpi)


#: Space kept between any text and the edge of a chart, in inches.
PAD = 0.08

#: The least share of a chart's width its axes keep when labels beside them (the
#: headline's end labels) ask for a wider right margin: their names are cut instead.
#: The presets' longest label ("Green partnership 46.6") leaves a phone's 4.4 inches 43%;
#: on the wide chart names are cut at 28 characters first, which leaves it about 60%.
AXES_SHARE = 0.42


def _fit(fig, ax, title: str, size, left: float, right: float) -> None:
    """Lay out the chart at `size`: margins in inches, widened so that no text is cut.

    The margins are fixed in inches (a tight box would draw every chart twice), then
    measured without drawing: a title wider than the space over the axes is moved
    sideways into the figure, and wrapped onto more lines (the top margin growing) when
    wider than the figure; tick labels longer than the left margin widen it, labels
    beside the axes (the headline's end labels) wider than the right one widen that, up to
    :data:`AXES_SHARE` of the width left to the axes, and are cut beyond it; a bar
    chart's legend is moved clear of the bars (:func:`~forecast.plotting._base.
    legend_clear_of_bars`), and a legend under the axes (:func:`~forecast.plotting._base.
    legend_below`) goes in fewer columns when wider than the figure and widens the bottom
    margin to stay above the source line; a title that a y tick label would touch is
    raised clear of it (:func:`_title_overlap`), the top margin with it. Every choice
    starts again from the chart as built, so a chart laid out again at another size
    equals the chart built at that size.
    """
    from ..plotting._base import (
        fit_end_labels,
        fit_legend_below,
        legend_clear_of_bars,
        text_renderer,
    )

    width, height = size
    top, bottom = 0.45, 0.8

    def adjust():
        fig.subplots_adjust(left=left / width, right=1 - right / width,
                            top=1 - top / height, bottom=bottom / height)

    adjust()
    renderer = text_renderer(fig)
    pad = PAD * fig.dpi
    if title:
        t = ax.title
        t.set_text(title)
        t.set_x(0.5)
        t.set_y(1.0)  # raised below when a tick label would touch it: start from 1.0
        box = t.get_window_extent(renderer)
        one_line = box.height
        room = fig.bbox.width - 2 * pad
        chars = len(title)
        while box.width > room and chars > 12:  # wrap at word boundaries until it fits
            chars = int(chars * min(0.95, room / box.width))
            t.set_text(textwrap.fill(title, max(chars, 12)))
            box = t.get_window_extent(renderer)
        top += (box.height - one_line) / fig.dpi
        if box.height != one_line:
            adjust()
    legend_clear_of_bars(ax, renderer)
    ticks = ax.yaxis.get_tightbbox(renderer)
    if ticks is not None and ticks.x0 < fig.bbox.x0 + pad:
        left = min(left + (fig.bbox.x0 + pad - ticks.x0) / fig.dpi, 0.6 * width)
        adjust()
        legend_clear_of_bars(ax, renderer)
    # labels beside the axes (the headline's end labels) move with its right edge, which
    # leaves the axes at least AXES_SHARE of the width: longer names are cut to fit
    fit_end_labels(ax, renderer)
    ends = [t.get_window_extent(renderer).x1 for t in ax.texts
            if t.get_visible() and t.get_text()]
    if ends and max(ends) > fig.bbox.x1 - pad:
        room = max(right, (1 - AXES_SHARE) * width - left)
        right = min(right + (max(ends) - fig.bbox.x1 + pad) / fig.dpi, room)
        adjust()
        fit_end_labels(ax, renderer, fig.bbox.x1 - pad)
    # a legend under the axes (a fan's) in fewer columns when wider than the figure, and
    # the bottom margin widened for it to stay above the source line
    fit_legend_below(ax, renderer, fig.bbox.x0 + pad, fig.bbox.x1 - pad)
    leg = ax.get_legend()
    if leg is not None:
        floor = max(t.get_window_extent(renderer).y1 for t in fig.texts) + pad \
            if fig.texts else fig.bbox.y0 + pad
        low = leg.get_window_extent(renderer).y0
        if low < floor:
            bottom += (floor - low) / fig.dpi
            adjust()
    xlabel = ax.xaxis.label
    xlabel.set_x(0.5)
    for text in (ax.title, xlabel):  # centred on the axes where they fit, else slid in
        if text.get_text():
            _slide_in(text, ax, fig.bbox.x0 + pad, fig.bbox.x1 - pad, renderer)
    # the top y tick label (a share chart's "100", at the axes' top) reached into a title
    # centred over narrow axes: the title is raised clear of it, the top margin with it
    for _ in range(2):  # the axes' new height may choose other ticks: checked again
        rise = _title_overlap(ax, renderer, TITLE_GAP * fig.dpi / 72)
        if rise <= 0:
            break
        top += rise / fig.dpi
        adjust()
        ax.title.set_y(ax.title.get_position()[1] + rise / ax.bbox.height)


#: The least space between a chart's title and the tick labels under it, in points.
TITLE_GAP = 2.0


def _title_overlap(ax, renderer, gap: float) -> float:
    """How many pixels the title of `ax` must rise to keep `gap` pixels above every y tick
    label shown (inside the view) under it; 0 when it already does, or has no text."""
    title = ax.title
    if not title.get_text():
        return 0.0
    box = title.get_window_extent(renderer)
    lo, hi = sorted(ax.yaxis.get_view_interval())
    slack = 1e-9 * (hi - lo)
    need = 0.0
    for tick in ax.yaxis.get_major_ticks():
        if not lo - slack <= tick.get_loc() <= hi + slack:
            continue
        for label in (tick.label1, tick.label2):
            if not (label.get_visible() and label.get_text()):
                continue
            b = label.get_window_extent(renderer)
            if b.x1 > box.x0 - gap and b.x0 < box.x1 + gap:  # under the title
                need = max(need, b.y1 + gap - box.y0)
    return need


def _slide_in(text, ax, lo: float, hi: float, renderer) -> None:
    """Move `text` (its x in axes fraction) sideways into the pixels ``lo..hi``."""
    box = text.get_window_extent(renderer)
    shift = max(0.0, lo - box.x0) - max(0.0, box.x1 - hi)
    if shift:
        text.set_x(text.get_position()[0] + shift / ax.bbox.width)


def _legend_under(func):
    """`func`, a chart drawn with its legend inside the axes, with that legend (its
    entries, in order) moved under the axes (:func:`~forecast.plotting._base.legend_below`),
    where it covers no data: :func:`_fit` makes room for it."""
    from ..plotting._base import legend_below

    def draw(*args, **kwargs):
        ax = func(*args, **kwargs)
        leg = ax.get_legend()
        if leg is not None:
            texts = [t.get_text() for t in leg.get_texts()]
            found = {}
            for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
                found.setdefault(text, handle)
            legend_below(ax, 2, [found[t] for t in texts], texts)
        return ax

    return draw


def headline_title(projection) -> str:
    """The headline chart's title: the series and the last projected year, as the report's
    title ("US offshore execution: scenarios to 2035")."""
    name = str(getattr(projection.history, "name", "") or "").replace("_", " ")
    last = int(projection.years[-1])
    return f"{name}: scenarios to {last}" if name else f"Scenarios to {last}"


def _mixture_chart(projection, *, nowcast_year=None, **kwargs):
    """The mixture's fan chart, its nowcast year marked as on the other fans."""
    from ..plotting._base import mark_nowcast

    ax = plotting.fan_chart(projection, **kwargs)
    mark_nowcast(ax, nowcast_year)
    return ax


@checked_keywords
def render_figures(projection, *, history=None, decompositions: Mapping | None = None,
                   sensitivity=None, nowcast=None, baseline: str = "baseline",
                   format: str = "svg", dpi: int = 150, skip: Sequence[str] = (),
                   narrow: bool = False) -> dict[str, bytes]:
    """Draw the report's charts as SVG (default) or PNG bytes; no display needed.

    Parameters
    ----------
    projection : Projection
    history : History or AnnualSeries, optional
        Drawn in ``"history"`` and behind every fan; a History's nowcast year is marked.
    decompositions : mapping of str to DataFrame, optional
        Scenario name -> ``projection.decompose(name)``.
    sensitivity : DataFrame, optional
        The result of :func:`forecast.tornado`.
    nowcast : Nowcast, optional
    baseline : str, default "baseline"
    format : {"svg", "png"}, default "svg"
    dpi : int, default 150
        Resolution of PNG output (SVG is resolution-free).
    skip : sequence of str, optional
        Keys not to draw.
    narrow : bool, default False
        Also draw each chart for phones (4.4 inches wide), as ``"<key>.narrow"``.

    Returns
    -------
    dict of str to bytes
        ``headline`` (baseline fan with every scenario's median), ``history``,
        ``nowcast``, ``mixture`` (when the scenarios carry probabilities), and per
        non-baseline scenario ``fan_<name>``, ``difference_<name>`` and
        ``decomposition_<name>``, then ``tornado``; those that apply. Write them to
        ``<key>.svg`` or ``<key>.png``.
    """
    if format not in ("svg", "png"):
        raise ParameterError(f'`format` must be "svg" or "png"; got {format!r}.')
    return render_figure_sets(projection, history=history, decompositions=decompositions,
                              sensitivity=sensitivity, nowcast=nowcast, baseline=baseline,
                              formats=(format,), dpi=dpi, skip=skip, narrow=narrow)[format]


@checked_keywords
def render_figure_sets(projection, *, history=None, decompositions: Mapping | None = None,
                       sensitivity=None, nowcast=None, baseline: str = "baseline",
                       formats: Sequence[str] = ("svg", "png"), dpi: int = 150,
                       skip: Sequence[str] = (), narrow: bool = False
                       ) -> dict[str, dict[str, bytes]]:
    """The charts of :func:`render_figures` in several formats, each chart built once.

    Parameters are those of :func:`render_figures`, with `formats` (a sequence of "svg"
    and "png") for `format`; the phone versions (`narrow`) are drawn in the first format
    only. ``forecast run`` uses it for the report's SVG and the PNG files: building a
    chart's axes costs about as much as saving it in one format, so two formats from one
    build take a quarter less time than two calls of :func:`render_figures` (4.4 -> 3.3 s
    for the 20 charts of the presets).

    Returns
    -------
    dict of str to dict of str to bytes
        Format -> (key -> bytes), the keys as in :func:`render_figures`.

    Examples
    --------
    >>> import forecast
    >>> values = [10 * 1.08**i * (1 + 0.03 * (-1)**i) for i in range(10)]
    >>> s = forecast.AnnualSeries(range(2015, 2025), values)
    >>> proj = forecast.project(forecast.Drift().fit(s), forecast.Scenario("baseline"),
    ...                         to=2028, n_paths=200, seed=1)
    >>> sets = render_figure_sets(proj, formats=("svg", "png"))
    >>> sorted(sets), sets["png"]["headline"][:4] == b"\\x89PNG"
    (['png', 'svg'], True)
    """
    formats = tuple(formats) if not isinstance(formats, str) else (formats,)
    bad = [f for f in formats if f not in ("svg", "png")]
    if not formats or bad or len(set(formats)) != len(formats):
        raise ParameterError(f'`formats` must name "svg" and/or "png", each once; got '
                             f'{formats!r}. Pass e.g. formats=("svg", "png").')
    c = _Canvas(formats, dpi, skip, narrow)
    history = projection.history if history is None else history
    year = nowcast_year(history)
    names = list(projection.scenario_names)
    base = baseline if baseline in names else None
    # the headline's and the mixture's legends under the axes, as the fans': inside, they
    # covered the baseline's band (a phone's headline) or the history (the mixture's)
    # titled as the report is (the PNG is reused alone: it named no series)
    c.draw("headline", _legend_under(plotting.headline_chart), projection, history=history,
           baseline=baseline, nowcast_year=year, title=headline_title(projection),
           right=1.75, size=(7.8, 5.0),
           narrow={"size": (4.4, 4.9), "right": 1.5, "kwargs": {"since": -6}})
    if history is not None:
        c.draw("history", plotting.history_chart, history)
    if nowcast is not None:
        c.draw("nowcast", plotting.nowcast_chart, nowcast, size=(6.5, 3.6))
    if getattr(projection, "probabilities", None) is not None:
        c.draw("mixture", _legend_under(_mixture_chart), projection.mixture(),
               history=history, nowcast_year=year, yscale="log",
               size=(SIZE[0], SIZE[1] + 0.6),
               title="Probability-weighted mixture of the scenarios")
    decomps = dict(decompositions or {})
    for name in names:
        if name == base:
            continue
        c.draw(f"fan_{name}", plotting.scenario_fan_chart, projection, name,
               baseline=baseline, history=history, nowcast_year=year, levels=(50, 80),
               size=(SIZE[0], SIZE[1] + 0.6))  # the legend's rows under the axes
        if base is not None:  # the legend's rows under the axes: one column on a phone
            c.draw(f"difference_{name}", plotting.difference_chart, projection, name,
                   baseline=baseline, size=(SIZE[0], SIZE[1] + 0.6),
                   narrow={"size": (4.4, SIZE[1] + 1.3)})
        if name in decomps:  # against another scenario than "baseline": the title says so
            against = {} if base in (None, "baseline") else {"title": (
                f"What drives {scenario_label(name)} against {scenario_label(base)}")}
            c.draw(f"decomposition_{name}", plotting.decomposition_chart, decomps[name], name,
                   unit=projection.unit, **against)
    if sensitivity is not None:
        n = int(sensitivity["parameter"].nunique()) if "parameter" in sensitivity else 8
        c.draw("tornado", plotting.tornado_chart, sensitivity,
               size=(7.8, 0.5 * min(n, 12) + 1.9), left=2.7,
               narrow={"size": (4.4, 0.5 * min(n, 12) + 2.0), "left": 2.2})
    return c.out
