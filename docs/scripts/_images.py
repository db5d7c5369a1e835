"""The record of what a docs image shows, read back from the drawn figure.

A PNG is not byte-stable across matplotlib versions, so the docs do not compare images:
each script that draws one (``doc_outputs.IMAGES``) also writes ``docs/img/NAME.txt``,
the figures the chart shows (each band's extent and each line's value at its last year,
the labels and notes), and ``refresh.py --check`` compares that record with the chart
the code draws today.
"""

from __future__ import annotations

import pathlib

import numpy as np

IMG = pathlib.Path(__file__).resolve().parents[1] / "img"


def _label(artist) -> str:
    label = artist.get_label()
    return "" if label.startswith("_") else f" {label}"


def shown(fig, script: str, fmt: str = "{:,.1f}") -> str:
    """The figures `fig` shows, as text: the record kept beside its image."""
    lines = [f"# The figures this image shows, written with it by docs/scripts/{script};",
             "# `python docs/scripts/refresh.py --check` compares them with what the code "
             "draws today."]
    for k, ax in enumerate(fig.axes):
        lines.append(f"[{ax.get_title() or f'axes {k + 1}'}]")
        for band in ax.collections:
            if not band.get_paths():
                continue
            v = band.get_paths()[0].vertices
            x = v[:, 0].max()
            ys = v[np.isclose(v[:, 0], x), 1]
            lines.append(f"band{_label(band)}, {x:g}: [{fmt.format(ys.min())}, "
                         f"{fmt.format(ys.max())}]")
        for line in ax.lines:
            x, y = np.asarray(line.get_xdata()), np.asarray(line.get_ydata(), dtype=float)
            if x.size < 2 or not line.get_transform().contains_branch(ax.transData):
                continue  # a marker, or a reference line drawn in axes coordinates
            lines.append(f"line{_label(line)}, {x[-1]:g}: {fmt.format(y[-1])}")
        lines += [f"label: {t.get_text()}" for t in ax.texts if t.get_text()]
    lines += [f"note: {t.get_text()}" for t in fig.texts if t.get_text()]
    return "\n".join(lines) + "\n"


def record(name: str) -> pathlib.Path:
    """The record of docs/img/`name` (``readme_headline.png`` -> ``readme_headline.txt``)."""
    return (IMG / name).with_suffix(".txt")
