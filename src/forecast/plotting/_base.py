"""Drawing helpers shared by the chart functions of :mod:`forecast.plotting` (private)."""

from __future__ import annotations

import contextlib
import functools
import io
import logging
import os
import re
import weakref
from collections.abc import Iterator

import numpy as np

from .._optional import require
from .._validation import check_int
from ..errors import ForecastTypeError, ParameterError
from ._shapes import history_parts
from .names import label as display

#: Colours of scenarios, in order (colour-blind-safe Okabe-Ito palette, baseline grey-blue).
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#8C564B",
           "#F0E442", "#000000")
HISTORY_COLOR = "black"


#: Fonts with Chinese, Japanese and Korean glyphs, tried in this order after DejaVu Sans
#: (matplotlib's own, Latin only) where installed: scenario and assumption names may be
#: written in Chinese.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Source Han Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Droid Sans Fallback", "Microsoft YaHei", "PingFang SC",
             "SimHei", "Arial Unicode MS")


@functools.cache
def chart_fonts() -> tuple[str, ...]:
    """``font.family`` of the report's charts: DejaVu Sans, then the installed CJK fonts.

    matplotlib falls back glyph by glyph along the list, so Latin text looks as before
    and a Chinese scenario name is drawn instead of empty boxes (when such a font is
    installed; Debian's ``fonts-noto-cjk`` or ``fonts-droid-fallback``). Only installed
    names are listed, so matplotlib never warns about a missing family.
    """
    font_manager = require("matplotlib.font_manager", "plot", "Drawing charts")
    installed = {f.name for f in font_manager.fontManager.ttflist}
    return ("DejaVu Sans", *(name for name in CJK_FONTS if name in installed))


@functools.cache
def _latin_glyphs() -> frozenset[int]:
    """The code points DejaVu Sans (the first of :func:`chart_fonts`) has glyphs for."""
    font_manager = require("matplotlib.font_manager", "plot", "Drawing charts")
    from matplotlib.ft2font import FT2Font  # lazy: the `plot` extra

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans"))
    return frozenset(FT2Font(path).get_charmap())


def fonts_for(texts) -> tuple[str, ...]:
    """The ``font.family`` list `texts` need: DejaVu Sans alone when it has every glyph.

    Each further family in the list costs matplotlib a font lookup for every string it
    measures or draws (about 7% of a chart's time), so the CJK fonts of
    :func:`chart_fonts` are added only when a text holds a character DejaVu Sans lacks.
    """
    fonts = chart_fonts()
    glyphs = _latin_glyphs()
    if len(fonts) > 1 and any(ord(ch) not in glyphs for text in texts for ch in text
                              if not ch.isspace()):
        return fonts
    return fonts[:1]


@contextlib.contextmanager
def quiet_font_lookup() -> Iterator[None]:
    """Silence matplotlib's font-lookup notes while the report's charts are drawn.

    A CJK fallback font has no bold face, so every bold title makes matplotlib log
    "Failed to find font weight bold for ..., now using 400" (the regular face is drawn,
    as intended): a note for matplotlib's developers, not for the reader of a run.
    """
    logger = logging.getLogger("matplotlib.font_manager")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def new_axes(ax, figsize=(7.5, 4.2)):
    """`ax`, or the axes of a new figure that keeps room for every label it draws.

    A figure the chart creates uses matplotlib's constrained layout, so labels outside
    the axes (end labels, an outside legend, long tick labels) are kept when it is saved
    without ``bbox_inches="tight"``. Axes the caller passes are drawn on, never laid out:
    their figure is the caller's.
    """
    if ax is not None:
        if not isinstance(ax, require("matplotlib.axes", "plot", "Plotting").Axes):
            raise ForecastTypeError(
                f"`ax` must be matplotlib Axes; got {ax!r} ({type(ax).__name__}). Pass e.g. "
                "ax=plt.subplots()[1], or leave it out to draw on a new figure.", field="ax")
        return ax
    plt = require("matplotlib.pyplot", "plot", "Plotting")
    _, ax = plt.subplots(figsize=figsize, layout="constrained")
    return ax


def new_figure(figsize):
    """A new pyplot figure with constrained layout (see :func:`new_axes`)."""
    plt = require("matplotlib.pyplot", "plot", "Plotting")
    return plt.figure(figsize=figsize, layout="constrained")


def grid(fig, n: int, ncols: int, sharey: bool):
    """`n` panels in rows of `ncols` sharing the years; the unused panels hidden.

    With a shared x axis matplotlib labels the years on the bottom row only; a panel
    whose neighbour below is hidden gets its own year labels back, so every column
    keeps them on its lowest visible panel.
    """
    nrows = -(-n // ncols)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, sharex=True, sharey=sharey)).ravel()
    for ax in axes[n:]:
        ax.set_visible(False)
    for k in range(max(0, n - ncols), n):  # the last visible panel of each column
        if k + ncols < nrows * ncols:  # not on the bottom row: its label was hidden
            axes[k].xaxis.set_tick_params(which="both", labelbottom=True)
    return list(axes[:n])


#: Names in a chart's end labels and legends are cut to this many characters (ellipsis);
#: the report's tables, which wrap, give them in full.
LABEL_CHARS = 28

#: The full name and the value of each end label (:func:`end_label`), by its Text.
_END_LABELS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def shorten(text: str, chars: int = LABEL_CHARS) -> str:
    """`text` cut to at most `chars` characters, at a word boundary when one is near, and
    ended with an ellipsis.

    >>> shorten("Escalation with a possible services levy", 20)
    'Escalation with a…'
    >>> shorten("Baseline")
    'Baseline'
    """
    text = str(text)
    if len(text) <= chars:
        return text
    cut = text[:max(chars - 1, 1)]
    space = cut.rfind(" ")
    if space >= chars // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-_") + "\u2026"


def end_label(text, name: str, value: str) -> None:
    """Make the Text `text` read "`name` `value`", the name cut to :data:`LABEL_CHARS`;
    :func:`fit_end_labels` may cut it further."""
    _END_LABELS[text] = (str(name), str(value))
    text.set_text(f"{shorten(name)} {value}")


def fit_end_labels(ax, renderer, limit: float | None = None) -> None:
    """Cut the names of the end labels of `ax` (:func:`end_label`) until each ends left of
    `limit` pixels; the value is always kept. Without `limit`, labels get back the text
    they were built with (a chart laid out again starts from it).
    """
    for text in ax.texts:
        if text not in _END_LABELS:
            continue
        name, value = _END_LABELS[text]
        chars = min(len(name), LABEL_CHARS)
        text.set_text(f"{shorten(name, chars)} {value}")
        while limit is not None and chars > 4 and text.get_window_extent(renderer).x1 > limit:
            chars -= max(1, chars // 8)
            text.set_text(f"{shorten(name, chars)} {value}")


#: The columns and labels each legend under the axes was built with (:func:`legend_below`),
#: so that the report's layout can build it again in fewer columns (labels only: a value
#: holding the artists would hold the axes, and the entry would never be dropped).
_BELOW: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def legend_below(ax, ncols: int = 2, handles=None, labels=None) -> None:
    """The legend in rows under the axes, below the year labels: it covers no data.

    A fan's history, bands and medians can fill any corner (a long horizon spreads the
    bands over the whole height), so a legend inside the axes hides some of them. The
    legend hangs from the axes' bottom by the depth of the tick labels, a fixed distance
    in points, so it stays under them at any figure size; the report's layout
    (:mod:`forecast.report.figures`) and a figure's constrained layout make room for it,
    and the report's puts it in fewer columns when `ncols` would be wider than the
    figure (:func:`fit_legend_below`). `handles` and `labels` default to every labelled
    artist of `ax`.
    """
    if handles is None or labels is None:
        handles, labels = ax.get_legend_handles_labels()
    _BELOW[ax] = (ncols, tuple(str(t) for t in labels))
    _place_below(ax, ncols, list(handles), list(labels))


def _place_below(ax, ncols: int, handles, labels) -> None:
    import matplotlib  # lazy: the optional `plot` extra
    from matplotlib.font_manager import FontProperties
    from matplotlib.transforms import ScaledTranslation

    rc = matplotlib.rcParams
    label = FontProperties(size=rc["xtick.labelsize"]).get_size_in_points()
    depth = (rc["xtick.major.size"] + rc["xtick.major.pad"] + 1.3 * label + 2) / 72
    below = ax.transAxes + ScaledTranslation(0, -depth, ax.figure.dpi_scale_trans)
    leg = ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, 0.0),
                    bbox_transform=below, ncols=ncols, fontsize="small", frameon=False)
    _PLACED[ax] = (weakref.ref(leg), ncols)


#: The legend :func:`_place_below` last made for each axes (a weak reference: the legend
#: holds its axes) and its columns: :func:`fit_legend_below` keeps it rather than make
#: the same legend again (making one cost as much as the rest of the layout's steps).
_PLACED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def fit_legend_below(ax, renderer, lo: float, hi: float) -> None:
    """Build the legend under the axes of `ax` (:func:`legend_below`) again in as many
    columns as it was built with, then in fewer until it lies inside the pixels
    ``lo..hi`` (a phone's width: two columns of long labels are wider); one column at
    least. Nothing is done to another legend. The legend in place is kept where it is
    the one :func:`legend_below` (or this function) made in that many columns, unmoved
    since: the same legend, not made again.
    """
    if ax not in _BELOW or ax.get_legend() is None:
        return
    ncols, labels = _BELOW[ax]
    found = {}
    for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
        found.setdefault(text, handle)
    if any(t not in found for t in labels):  # an artist gone since: left as it is
        return
    handles = [found[t] for t in labels]
    for n in range(ncols, 0, -1):
        made, cols = _PLACED.get(ax, (None, 0))
        if made is None or made() is not ax.get_legend() or cols != n:  # else as made
            _place_below(ax, n, handles, labels)
        box = ax.get_legend().get_window_extent(renderer)
        if box.x0 >= lo and box.x1 <= hi:
            return


#: The least contrast of coloured text against the white chart (WCAG 2's 4.5:1 for text
#: of normal size; the end labels are 8.75 pt).
TEXT_CONTRAST = 4.5


def _luminance(rgb) -> float:
    """WCAG 2's relative luminance of an sRGB colour (channels in [0, 1])."""
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_color(color, contrast: float = TEXT_CONTRAST) -> str:
    """`color` darkened just enough for text in it to reach `contrast` against white.

    The line keeps its colour; its label is written in this one (the light palette
    colours, orange #E69F00 and sky blue #56B4E9, have 2.3:1).

    >>> text_color("#E69F00"), text_color("#0072B2")
    ('#9c6c00', '#0072b2')
    """
    from matplotlib.colors import to_hex, to_rgb  # lazy: the optional `plot` extra

    rgb = to_rgb(color)
    k = 1.0
    while k > 0 and 1.05 / (_luminance([c * k for c in rgb]) + 0.05) < contrast:
        k -= 0.01
    return to_hex([c * max(k, 0.0) for c in rgb])


def finish(ax, title: str | None, ylabel: str | None, legend: bool = True,
            years: bool = True, loc: str = "upper left"):
    if years:  # calendar years on the x axis, never 2027.5
        from matplotlib.ticker import MaxNLocator  # lazy: matplotlib is the optional `plot` extra

        ax.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True, steps=[1, 2, 5, 10]))
    if title:
        ax.set_title(title)
    if ylabel:
        ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3, linewidth=0.6)
    if legend and ax.get_legend_handles_labels()[0]:
        ax.legend(loc=loc, fontsize="small", frameon=False)
        legend_clear_of_bars(ax)
    return ax


#: The y limits of each axes before :func:`legend_clear_of_bars` widened them.
_DATA_YLIM: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

#: Space kept between the legend and the bars, as a fraction of the axes' height.
_LEGEND_GAP = 0.03


def text_renderer(fig):
    """A renderer that measures the text of `fig` as it will be drawn (nothing is drawn).

    A figure made without pyplot has no renderer of its own; an Agg renderer of the
    figure's size and resolution measures text in the same font metrics as every backend.
    A figure on an Agg canvas (pyplot's, or :func:`measuring_canvas`) lends its own: the
    canvas keeps it while the figure's size and resolution stay, so text measured for
    the layout need not be measured again (a :func:`measuring_canvas` shares its
    measurements with every renderer it makes).
    """
    from matplotlib.backends.backend_agg import (  # lazy: the `plot` extra
        FigureCanvasAgg,
        RendererAgg,
    )

    if isinstance(fig.canvas, FigureCanvasAgg):
        return fig.canvas.get_renderer()
    w, h = fig.bbox.size
    return RendererAgg(max(int(w), 1), max(int(h), 1), fig.dpi)


#: The first matplotlib on which the measuring canvas is tested to leave every image
#: byte-identical to matplotlib's own canvases; on older ones (3.7 was tried) its PNGs
#: differ in the anti-aliasing of some thousand pixels, so they keep matplotlib's canvas.
MEASURED_SINCE = (3, 11)


def measuring_canvas(fig, metrics: dict) -> bool:
    """Put `fig` on an Agg canvas whose renderers measure each text once, in `metrics`.

    matplotlib measures every text again in each renderer (its cache of text sizes
    belongs to one renderer), and saving a figure makes a new renderer: a report chart,
    laid out, saved as SVG and PNG, then laid out and saved again for phones, measured
    its title, tick labels and source line (a wrapped text: measured word by word) five
    times, and every chart measured the same source line and years again. The canvas's
    renderers (Agg for PNG and the layout's :func:`text_renderer`, SVG for
    ``savefig(format="svg")``) keep each text's size, by renderer kind, resolution,
    font and text, in `metrics`: pass one dict to the figures of a set of charts and
    each text is shaped once per kind and resolution (the presets' report: 2772 texts
    shaped, 0.87 s with libraqm, down to 495). The sizes are those the renderer
    computes, a function of the key alone, so the images are unchanged (tested).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    metrics : dict
        The store of text sizes: an empty dict, shared by the figures drawn together
        (keep it no longer: it grows with every text measured).

    Returns
    -------
    bool
        False (and `fig` left on its canvas) with matplotlib older than
        :data:`MEASURED_SINCE`.
    """
    import matplotlib  # lazy: the optional `plot` extra

    version = tuple(int(v) for v in re.findall(r"\d+", matplotlib.__version__)[:2])
    if version < MEASURED_SINCE:
        return False
    _canvas_class()(fig, metrics)
    return True


def _memo_key(renderer, kind: str, s: str, prop, ismath):
    import matplotlib  # lazy: the optional `plot` extra

    rc = matplotlib.rcParams
    return (kind, renderer.dpi if kind == "agg" else 72, s, prop.copy(), ismath,
            rc["text.hinting"], rc["text.hinting_factor"], rc["text.kerning_factor"])


def _write_text(target, text: str) -> None:
    """Write `text` to `target`: a path (UTF-8), a text file, or a binary file (encoded)."""
    if isinstance(target, str | os.PathLike):
        with open(target, "w", encoding="utf-8") as fh:
            fh.write(text)
    elif isinstance(target, io.TextIOBase):
        target.write(text)
    else:
        target.write(text.encode("utf-8"))


#: The font tables matplotlib reads a font's ascent, descent and line gap from (in font
#: units), in the order it tries them.
_HEIGHT_TABLES = (("OS/2", "sTypoAscender", "sTypoDescender", "sTypoLineGap"),
                  ("hhea", "ascent", "descent", "lineGap"))


def _font_heights(metrics: dict, prop, dpi: float, figure_dpi: float):
    """The ascent, descent and line gap in pixels of the font of `prop` at `dpi`, kept in
    `metrics`; (None, None, None) when `dpi`, the renderer's, is not `figure_dpi`.

    matplotlib >= 3.11 lays out every line of text from these, read from the font's
    tables at each measure and draw of a text (9% of a report's charts' time), unless
    the renderer gives them through ``_get_font_height_metrics``, a hook its PDF and PS
    renderers define. The hook and the font lookup here (``_find_fonts_by_props``, the
    one matplotlib's text layout makes) are private: the values are computed as
    matplotlib computes them (the same tables, scaled in the same order at the figure's
    resolution), and a report drawn with them is tested equal, byte for byte, to one
    drawn on matplotlib's own canvases, so a change in matplotlib fails that test rather
    than moving a text. None leaves them to matplotlib (another resolution than the
    figure's, a font without those tables); older matplotlib never asks.
    """
    if dpi != figure_dpi:
        return None, None, None
    key = ("heights", dpi, prop.copy())
    if key not in metrics:
        from matplotlib.font_manager import fontManager, get_font  # lazy: `plot` extra

        font = get_font(fontManager._find_fonts_by_props(prop))
        heights = (None, None, None)
        for name, ascent, descent, gap in _HEIGHT_TABLES:
            table = font.get_sfnt_table(name)
            if table is None:
                continue
            fontsize = prop.get_size_in_points()
            scale = 1 / font.get_sfnt_table("head")["unitsPerEm"] * fontsize * dpi / 72
            heights = (table[ascent] * scale, -table[descent] * scale, table[gap] * scale)
            break
        metrics[key] = heights
    return metrics[key]


@functools.cache
def _canvas_class():
    """The canvas of :func:`measuring_canvas` (made on first use: matplotlib is optional)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
    from matplotlib.backends.backend_mixed import MixedModeRenderer
    from matplotlib.backends.backend_svg import FigureCanvasSVG, RendererSVG

    class _Measuring:
        """What the two renderers share: text sizes and font heights kept in `metrics`,
        by the renderer's kind and the resolution it measures at (SVG: 72 an inch)."""

        kind = ""

        def measuring_dpi(self) -> float:
            return self.dpi if self.kind == "agg" else 72

        def _get_font_height_metrics(self, prop):
            return _font_heights(self.metrics, prop, self.measuring_dpi(), self.drawn.dpi)

        def get_text_width_height_descent(self, s, prop, ismath):
            if ismath == "TeX":
                return super().get_text_width_height_descent(s, prop, ismath)
            key = _memo_key(self, self.kind, s, prop, ismath)
            if key not in self.metrics:
                self.metrics[key] = super().get_text_width_height_descent(s, prop, ismath)
            return self.metrics[key]

    class _Agg(_Measuring, RendererAgg):
        kind = "agg"

        def __init__(self, width, height, dpi, metrics, figure):
            super().__init__(width, height, dpi)
            self.metrics, self.drawn = metrics, figure

    class _SVG(_Measuring, RendererSVG):
        kind = "svg"

        def __init__(self, *args, metrics, figure, **kwargs):
            super().__init__(*args, **kwargs)
            self.metrics, self.drawn = metrics, figure

    class MeasuringCanvas(FigureCanvasAgg):
        """Agg canvas (PNG, and SVG as :class:`FigureCanvasSVG` writes it) whose
        renderers keep the text sizes they measure in a shared dict."""

        filetypes = {**FigureCanvasAgg.filetypes, **FigureCanvasSVG.filetypes}

        def __init__(self, figure, metrics):
            super().__init__(figure)
            self.metrics, self.made_for = metrics, None

        def get_renderer(self):
            # FigureCanvasAgg's: one renderer kept while the size and resolution stay
            w, h = self.get_width_height(physical=True)
            key = w, h, self.figure.dpi
            if self.made_for != key:
                self.renderer = _Agg(w, h, self.figure.dpi, self.metrics, self.figure)
                self.made_for = key
            return self.renderer

        def print_svg(self, target, *, bbox_inches_restore=None, metadata=None,
                      **_figure_colours):
            """Write the figure as SVG to `target` (a path or a file) through the
            measuring SVG renderer.

            The backend API's hook for a format (``print_<format>``), which ``savefig``
            calls after setting the figure's colours (hence the keywords ignored). SVG
            counts 72 user units an inch, so the figure is drawn at 72 dots an inch, its
            raster parts (none in the report's charts) at the figure's own resolution
            through a :class:`MixedModeRenderer`; ``savefig`` restores the resolution.
            """
            raster_dpi = self.figure.dpi
            self.figure.dpi = 72  # before the renderers are made: they read it
            inches = self.figure.get_size_inches()
            text = io.StringIO()
            vector = _SVG(*(inches * 72), text, image_dpi=raster_dpi, metadata=metadata,
                          metrics=self.metrics, figure=self.figure)
            mixed = MixedModeRenderer(self.figure, *inches, raster_dpi, vector,
                                      bbox_inches_restore=bbox_inches_restore)
            self.figure.draw(mixed)
            mixed.finalize()
            _write_text(target, text.getvalue())

    return MeasuringCanvas


def _drawn(ax, renderer) -> list[tuple[np.ndarray, np.ndarray, np.ndarray, bool]]:
    """The bars and lines of `ax` as (x0, x1, values, bars): the horizontal extent in
    axes fraction of each bar (`bars`) or point, and the data values drawn there (a bar's
    two ends, a point's value).

    Measured once for the four corners :func:`legend_clear_of_bars` weighs: a bar's box,
    which matplotlib measures in a renderer, was measured again for every corner (a
    decomposition chart's 13 bars a year: most of its layout's time). Bars of no height
    and reference lines (axhline, which span every corner) are left out.
    """
    to_axes = ax.transAxes.inverted()
    drawn = []
    boxes, ends = [], []
    for container in ax.containers:
        for patch in getattr(container, "patches", ()):
            if patch.get_height() != 0:
                box = patch.get_window_extent(renderer).transformed(to_axes)
                boxes.append((box.x0, box.x1))
                ends.append((patch.get_y(), patch.get_y() + patch.get_height()))
    if boxes:
        x = np.asarray(boxes, float)
        drawn.append((x[:, 0], x[:, 1], np.asarray(ends, float), True))
    for line in ax.lines:
        if line.get_transform() is not ax.transData:  # reference lines (axhline) span all
            continue
        x = to_axes.transform(ax.transData.transform(line.get_xydata()))[:, 0]
        drawn.append((x, x, np.asarray(line.get_ydata(), float), False))
    return drawn


def _reach(drawn, span, upper: bool) -> float | None:
    """The highest (`upper`) or lowest finite value of :func:`_drawn` under the
    axes-fraction x `span`: of the bars reaching into it and the points inside it."""
    lo, hi = span
    found = [values[(x1 > lo) & (x0 < hi) if bars else (x0 >= lo) & (x0 <= hi)].ravel()
             for x0, x1, values, bars in drawn]
    values = np.concatenate(found) if found else np.empty(0)
    values = values[np.isfinite(values)]
    if not len(values):
        return None
    return float(values.max() if upper else values.min())


def legend_clear_of_bars(ax, renderer=None) -> None:
    """Move the legend of a bar chart to the corner where it covers no bar.

    Vertical bars (``ax.bar``) can fill any corner of the axes, so a legend at a fixed
    corner may hide them. For each corner the y axis is widened on the legend's side,
    just enough for the bars and lines under the legend to end short of it; the corner
    that needs the least widening is kept (the legend's own corner on ties, then the
    other side, then the other end). Called again after the figure is resized, it
    starts from the y limits of the data again, so the result depends only on the
    figure's final size. Other charts, and axes with a log y axis, are left as they are.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        Axes with a legend (from ``ax.legend``); nothing is done without one.
    renderer : matplotlib renderer, optional
        Measures the legend; default one of the figure's size (:func:`text_renderer`).
    """
    leg = ax.get_legend()
    bars = [c for c in ax.containers if getattr(c, "orientation", None) == "vertical"]
    if leg is None or not bars or ax.get_yscale() != "linear":
        return
    renderer = renderer or text_renderer(ax.figure)
    if ax in _DATA_YLIM:  # laid out again: start from the data's limits and first corner
        ax.set_ylim(*_DATA_YLIM[ax][0])
        _set_loc(leg, _DATA_YLIM[ax][1])
    else:
        box = leg.get_window_extent(renderer).transformed(ax.transAxes.inverted())
        _DATA_YLIM[ax] = (ax.get_ylim(), _corner(box.y0 + box.y1 > 1, box.x0 + box.x1 < 1))
    (lo, hi), first = _DATA_YLIM[ax]
    if not hi > lo:
        return
    box = leg.get_window_extent(renderer).transformed(ax.transAxes.inverted())
    upper, left = first.startswith("upper"), first.endswith("left")
    drawn = _drawn(ax, renderer)
    best = None
    for flip_x, flip_y in ((False, False), (True, False), (False, True), (True, True)):
        span = (1 - box.x1, 1 - box.x0) if flip_x else (box.x0, box.x1)
        top = upper != flip_y
        room = 1 - (box.y1 - box.y0) - (1 - box.y1 if upper else box.y0) - _LEGEND_GAP
        if room < 0.3:  # a legend taller than the chart: leave it where it is
            return
        reach = _reach(drawn, span, top)
        if reach is None:
            new = (lo, hi)
        elif top:
            new = (lo, max(hi, lo + (reach - lo) / room))
        else:
            new = (min(lo, hi - (hi - reach) / room), hi)
        if best is None or new[1] - new[0] < best[0][1] - best[0][0] - 1e-12 * (hi - lo):
            best = (new, _corner(top, left != flip_x))
    (new_lo, new_hi), loc = best
    if (new_lo, new_hi) != (lo, hi):
        ax.set_ylim(new_lo, new_hi)
    if loc != first:
        _set_loc(leg, loc)


def _set_loc(leg, loc: str) -> None:
    _PLACED.pop(leg.axes, None)  # moved: no longer the legend :func:`_place_below` made
    if hasattr(leg, "set_loc"):  # matplotlib >= 3.8
        leg.set_loc(loc)
    else:  # pragma: no cover - matplotlib 3.7
        leg._set_loc(leg.codes[loc])


def _corner(upper: bool, left: bool) -> str:
    return ("upper " if upper else "lower ") + ("left" if left else "right")


def set_yscale(ax, yscale: str) -> None:
    if yscale not in ("linear", "log"):
        raise ParameterError(f'`yscale` must be "linear" or "log"; got {yscale!r}. Pass "log" '
                             "to read wide fans as ratios.")
    if yscale == "log":
        log_axis(ax)


#: Mantissas tried for log-axis ticks, densest first: 20, 30, 40, 50 ... where they fit.
_MANTISSAS = ((1, 1.5, 2, 3, 4, 5, 6, 7, 8, 9), (1, 2, 3, 4, 5, 6, 8), (1, 2, 3, 5, 7),
              (1, 2, 5), (1, 3), (1,))


def log_ticks(lo: float, hi: float, max_ticks: int = 9) -> list[float]:
    """Readable tick values for a log axis from `lo` to `hi` (at most `max_ticks`).

    Every tick is labelled: on a narrow range (where the scenarios sit) the ticks fall at
    20, 30, 40, 50 ...; on wide ranges they thin out to 10, 20, 50, 100.

    >>> log_ticks(18, 62)
    [20.0, 30.0, 40.0, 50.0, 60.0]
    >>> log_ticks(3, 300)
    [5.0, 10.0, 20.0, 50.0, 100.0, 200.0]
    """
    lo, hi = float(lo), float(hi)
    if not (0 < lo < hi and np.isfinite(hi)):
        return []
    k0, k1 = int(np.floor(np.log10(lo))), int(np.ceil(np.log10(hi)))
    best: list[float] = []
    for subs in _MANTISSAS:
        ticks = [round(m * 10.0**k, 10) for k in range(k0, k1 + 1) for m in subs]
        ticks = [v for v in ticks if lo <= v <= hi]
        if len(ticks) <= max_ticks:
            if len(ticks) >= 2 or not best:
                best = ticks
            break
        best = ticks
    if len(best) < MIN_TICKS:  # a narrow range: evenly spaced round values
        return _even_ticks(lo, hi)
    return _to_the_ends(best, lo, hi)


#: The fewest ticks a log axis shows (:func:`log_ticks`).
MIN_TICKS = 3

#: The largest share of a log axis's range left without a tick at either end.
_END_GAP = 0.2


def _round_in(value: float, inward: int) -> float:
    """A round value (its leading digits a multiple of 5, 2 or 1) near `value`, on the
    side `inward` (+1: at or above it, -1: at or below it)."""
    unit = 10.0 ** (np.floor(np.log10(value)) - 1)
    for step in (50 * unit, 20 * unit, 10 * unit, 5 * unit, 2 * unit, unit):
        v = (np.ceil if inward > 0 else np.floor)(value / step) * step
        if v > 0 and abs(np.log(v / value)) < 0.15:
            return round(float(v), 10)
    return round(float(value), 10)


def _to_the_ends(ticks: list[float], lo: float, hi: float) -> list[float]:
    """`ticks` with a round value added near an end they leave more than :data:`_END_GAP`
    of the (log) range unlabelled: a phone's headline from 24 to 62 had none below 30.

    >>> _to_the_ends([30.0, 40.0, 50.0, 60.0], 22.5, 65.0)
    [25.0, 30.0, 40.0, 50.0, 60.0]
    """
    span = np.log(hi / lo)
    out = list(ticks)
    if np.log(out[0] / lo) > _END_GAP * span:
        v = _round_in(lo, +1)
        if np.log(out[0] / v) > 0.5 * _END_GAP * span:  # not on top of the next tick
            out.insert(0, v)
    if np.log(hi / out[-1]) > _END_GAP * span:
        v = _round_in(hi, -1)
        if np.log(v / out[-1]) > 0.5 * _END_GAP * span:
            out.append(v)
    return out


def _even_ticks(lo: float, hi: float) -> list[float]:
    """At least :data:`MIN_TICKS` evenly spaced round values from `lo` to `hi`.

    >>> _even_ticks(31.0, 33.0)
    [31.0, 31.5, 32.0, 32.5, 33.0]
    """
    raw = (hi - lo) / MIN_TICKS
    unit = 10.0 ** np.floor(np.log10(raw))
    step = max(s * unit for s in (1, 2, 2.5, 5) if s * unit <= raw)
    first = np.ceil(lo / step) * step
    return [round(float(v), 10) for v in np.arange(first, hi + step * 1e-9, step)]


def cover_data(ticks: list[float], lo: float, hi: float, data_lo: float,
               data_hi: float) -> list[float]:
    """`ticks` of a log axis shown from `lo` to `hi`, with a round value added at or below
    the lowest data value `data_lo` (at or above the highest, `data_hi`) when the data
    reach beyond the outer tick: a fan's band from 12.0 under a lowest tick of 15 could not
    be read off the axis. The added value is inside the view; a tick it would crowd (closer
    than half :data:`_END_GAP` of the range) gives way to it. Data outside the view (a
    zoom) are left alone.

    >>> cover_data([15.0, 20.0, 30.0, 40.0, 50.0, 70.0], 11.001, 72.9, 11.99, 66.9)
    [11.5, 15.0, 20.0, 30.0, 40.0, 50.0, 70.0]
    >>> cover_data([20.0, 30.0, 50.0], 17.0, 60.0, 19.0, 52.0)  # 18 crowds 20 out
    [18.0, 30.0, 50.0, 60.0]
    """
    if not ticks or not (0 < lo < hi) or not np.isfinite([data_lo, data_hi]).all():
        return ticks
    out = list(ticks)
    span = np.log(hi / lo)
    crowd = 0.5 * _END_GAP * span
    if lo <= data_lo < out[0]:
        v = _round_between(lo, data_lo, largest=True)
        if v is not None:
            out = [t for t in out if np.log(t / v) >= crowd] or out[-1:]
            out.insert(0, v)
    if out[-1] < data_hi <= hi:
        v = _round_between(data_hi, hi, largest=False)
        if v is not None:
            out = [t for t in out if np.log(v / t) >= crowd] or out[:1]
            out.append(v)
    return out


def _round_between(a: float, b: float, largest: bool) -> float | None:
    """The roundest value from `a` to `b` (0 < a <= b): a multiple of the largest step
    (5, 2 or 1 times a power of ten) that has one there, the largest such multiple or the
    smallest; None when no step down to a thousandth of `b` has one.

    >>> _round_between(11.001, 11.99, largest=True), _round_between(66.9, 72.9, largest=False)
    (11.5, 70.0)
    """
    top = int(np.floor(np.log10(b)))
    for e in range(top, top - 4, -1):
        for m in (5, 2, 1):
            step = m * 10.0**e
            v = (np.floor(b / step) if largest else np.ceil(a / step)) * step
            if v > 0 and a <= v <= b:
                return round(float(v), 10)
    return None


def log_axis(ax, axis: str = "y") -> None:
    """A log axis whose ticks are all labelled with plain numbers (see :func:`log_ticks`)."""
    from matplotlib.ticker import (  # lazy: matplotlib is the optional `plot` extra
        FuncFormatter,
        Locator,
        NullLocator,
    )

    class _Readable(Locator):
        def __call__(self):
            lo, hi = sorted(self.axis.get_view_interval())
            return cover_data(log_ticks(lo, hi), lo, hi, *self.axis.get_data_interval())

        def tick_values(self, vmin, vmax):
            return log_ticks(min(vmin, vmax), max(vmin, vmax))

    which = ax.yaxis if axis == "y" else ax.xaxis
    (ax.set_yscale if axis == "y" else ax.set_xscale)("log")
    which.set_major_locator(_Readable())
    which.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.4g}"))
    which.set_minor_locator(NullLocator())


def source_line(fig, text: str) -> None:
    """The source of a chart, small and grey at its bottom left (as statistical offices do)."""
    fig.text(0.01, 0.01, text, ha="left", va="bottom", fontsize="x-small", color="0.35",
             wrap=True)


def mark_nowcast(ax, year: int | None, label: str | None = None) -> None:
    """A dotted vertical line at a nowcast year (a partial year, estimated) with a label."""
    if year is None:
        return
    year = check_int("nowcast_year", year, fix="Pass a calendar year such as 2025, or None.")
    ax.axvline(year, color="0.45", linestyle=":", linewidth=1.0, zorder=1)
    # upright along the line's foot: at its top it ran under an upper-left legend on a
    # narrow chart, which spans the line there
    ax.annotate(label or f"{year}: nowcast", xy=(year, 0.0), xycoords=("data", "axes fraction"),
                xytext=(-3, 3), textcoords="offset points", ha="right", va="bottom",
                rotation=90, fontsize="x-small", color="0.35")


def unit_of(projection) -> str:
    return getattr(projection, "unit", None) or getattr(projection.history, "unit", "")


def history_to_draw(projection, history, since: int | None = None,
                    nowcast_year: int | None = None):
    """The checked (years, median, band) of the history drawn under a projection, or None.

    `history` defaults to the projection's own. One in another unit than the projection
    would share its axis and be joined to its fan, so it is refused; so are a `since`
    after the history's last year and a `nowcast_year` that is not one of its years (a
    nowcast estimates a year under way, never a projected one). Called before any figure
    is made, so that a refused argument leaves no empty figure behind.
    """
    if nowcast_year is not None:
        nowcast_year = check_int("nowcast_year", nowcast_year,
                                 fix="Pass a calendar year such as 2025, or None.")
    parts = history_parts(projection.history if history is None else history)
    if parts is None:
        return None
    years, median, band, hist_unit, _ = parts
    if nowcast_year is not None and len(years) and not years[0] <= nowcast_year <= years[-1]:
        first, last = int(years[0]), int(years[-1])
        raise ParameterError(
            f"`nowcast_year` must be a year of the history ({first}-{last}); got "
            f"{nowcast_year}. Pass the history's partly observed year (usually its last, "
            f"{last}), or None.", field="nowcast_year")
    unit = unit_of(projection)
    if unit and hist_unit and str(hist_unit) != str(unit):
        raise ParameterError(
            f"`history` is in {hist_unit} but the projection is in {unit}: both would share "
            f"one axis. Pass a history in {unit} (e.g. the projection's own, by leaving "
            f"`history` out), or convert it to {unit} first.", field="history")
    if since is not None and len(years) and since > years[-1]:
        raise ParameterError(
            f"`since` must be at most the history's last year {int(years[-1])}; got "
            f"{since}. Pass an earlier year, a negative offset such as -10, or None for the "
            "whole history.", field="since")
    if since is not None:  # a recent window keeps the log axis readable
        keep = years >= since
        years, median = years[keep], median[keep]
        band = None if band is None else (band[0][keep], band[1][keep])
    return years, median, band


def draw_history(ax, parts, label: str = "history"):
    """Draw :func:`history_to_draw`'s history (and its 95% band); return its last point."""
    if parts is None or not len(parts[0]):
        return None
    years, median, band = parts
    if band is not None:
        ax.fill_between(years, band[0], band[1], color="0.6", alpha=0.35, linewidth=0,
                        label="history 95% band")
    ax.plot(years, median, color=HISTORY_COLOR, linewidth=1.8, label=label)
    return years[-1], median[-1]


def draw_observations(ax, obs):
    cols = set(obs.columns)
    value = next((c for c in ("implied", "implied_value", "level", "value") if c in cols), None)
    kind = next((c for c in ("kind", "record_kind", "measure") if c in cols), None)
    if value is None or "year" not in cols or obs.empty:
        return
    if "used" in cols:  # records the reconstruction did not use imply nothing to draw
        obs = obs[obs["used"].astype(bool)]
    obs = obs[np.isfinite(np.asarray(obs[value], dtype=float))]
    markers = "osD^v<>PX*"
    groups = obs.groupby(kind, sort=True) if kind else [("records", obs)]
    for k, (label, g) in enumerate(groups):
        ax.plot(np.asarray(g["year"], float), np.asarray(g[value], float), linestyle="none",
                marker=markers[k % len(markers)], markersize=4.5, alpha=0.8,
                color=PALETTE[(k + 1) % len(PALETTE)], label=display(str(label)))
