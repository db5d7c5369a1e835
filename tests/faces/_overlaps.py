"""Measurements of a drawn chart's layout: what its legend covers, what its title touches.

Shared by the tests of the report's charts (``test_chart_overlaps.py``): every figure is
measured as matplotlib lays it out for saving (Agg renderer, the figure's own size).
"""

from __future__ import annotations

import numpy as np


def renderer_of(fig):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def _clip(box, other):
    from matplotlib.transforms import Bbox

    x0, y0 = max(box.x0, other.x0), max(box.y0, other.y0)
    x1, y1 = min(box.x1, other.x1), min(box.y1, other.y1)
    return Bbox([[x0, y0], [x1, y1]]) if x1 > x0 and y1 > y0 else None


def legend_over_data(fig, renderer=None, tol: float = 1.0) -> list[str]:
    """What each legend of `fig` covers of its axes' data: lines (their segments and
    markers), bands (fill_between) and bars, within the axes' view; [] when nothing.

    Reference lines spanning the axes (``axhline``, ``axvline``, spans) are not data.
    The legend's box is shrunk by `tol` pixels, so that a line just touching its edge is
    not counted.
    """
    from matplotlib.collections import PolyCollection
    from matplotlib.transforms import Bbox

    renderer = renderer or renderer_of(fig)
    found = []
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None or not ax.get_visible():
            continue
        lbox = leg.get_window_extent(renderer)
        lbox = Bbox.from_extents(lbox.x0 + tol, lbox.y0 + tol, lbox.x1 - tol, lbox.y1 - tol)
        box = _clip(lbox, ax.bbox)  # only what is drawn inside the axes can be covered
        if box is None:
            continue
        for coll in ax.collections:
            if not isinstance(coll, PolyCollection) or not coll.get_visible():
                continue
            tr = coll.get_transform()
            if any(p.transformed(tr).intersects_bbox(box, filled=True)
                   for p in coll.get_paths() if len(p.vertices)):
                found.append(f"legend {_r(lbox)} covers band {coll.get_label()!r}")
        for line in ax.lines:
            if not line.get_visible() or line.get_transform() is not ax.transData:
                continue  # axhline/axvline: drawn across the axes, not data
            xy = line.get_transform().transform(line.get_xydata())
            xy = xy[np.isfinite(xy).all(axis=1)]
            if not len(xy):
                continue
            hit = False
            if line.get_linestyle() not in ("None", "none", "", " ") and len(xy) > 1:
                path = line.get_transform().transform_path(line.get_path())
                hit = path.intersects_bbox(box, filled=False)
            if line.get_marker() not in (None, "None", "none", "", " "):
                r = line.get_markersize() * fig.dpi / 72 / 2
                hit = hit or bool(((xy[:, 0] > box.x0 - r) & (xy[:, 0] < box.x1 + r)
                                   & (xy[:, 1] > box.y0 - r) & (xy[:, 1] < box.y1 + r)).any())
            if hit:
                found.append(f"legend {_r(lbox)} covers line {line.get_label()!r}")
        for container in ax.containers:
            for patch in getattr(container, "patches", ()):
                pbox = patch.get_window_extent(renderer)
                if min(pbox.width, pbox.height) > 1 and _clip(pbox, box) is not None:
                    found.append(f"legend {_r(lbox)} covers bar {_r(pbox)} "
                                 f"({container.get_label()})")
                    break
    return found


def title_touches(fig, renderer=None, gap: float = 0.0) -> list[str]:
    """Texts of `fig` that come within `gap` pixels of an axes' title: tick labels shown
    (those inside the view), axis labels, the legend and the axes' own texts."""
    renderer = renderer or renderer_of(fig)
    found = []
    for ax in fig.axes:
        title = ax.title
        if not ax.get_visible() or not title.get_text():
            continue
        tbox = title.get_window_extent(renderer).padded(gap)
        others = []
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            for tick in axis.get_major_ticks():
                loc = tick.get_loc()
                if not lo - 1e-9 * abs(hi - lo) <= loc <= hi + 1e-9 * abs(hi - lo):
                    continue
                for lab in (tick.label1, tick.label2):
                    if lab.get_visible() and lab.get_text():
                        others.append((f"tick {lab.get_text()!r}", lab))
            if axis.label.get_text():
                others.append((f"axis label {axis.label.get_text()!r}", axis.label))
        others += [(f"text {t.get_text()!r}", t) for t in ax.texts
                   if t.get_visible() and t.get_text()]
        if ax.get_legend() is not None:
            others.append(("legend", ax.get_legend()))
        for name, artist in others:
            box = artist.get_window_extent(renderer)
            if _clip(tbox, box) is not None:
                found.append(f"title {title.get_text()!r} {_r(tbox)} touches {name} {_r(box)}")
    return found


def _r(box) -> tuple[int, ...]:
    return tuple(round(v) for v in box.extents)
