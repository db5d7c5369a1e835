"""HTML building blocks of the report (private): escaping, tables, figures, the page.

The page itself is ``template.html`` (``string.Template``) with ``report.css`` inlined,
both shipped as package data. Only self-contained output: CSS in one ``<style>``
element, images as ``data:`` URIs, no scripts, no external addresses.
"""

from __future__ import annotations

import base64
import html
import io
import os
import pathlib
import re
import shlex
from importlib import resources
from string import Template

from .._io.paths import check_new_file
from .._io.seals import LineSeal, check_own_file, write_own
from ..errors import ParameterError
from ..plotting.names import label
from .formats import format_value, is_numeric_column


def esc(text: object) -> str:
    """HTML-escape any value's text."""
    return html.escape(str(text), quote=True)


def anchor(title: str) -> str:
    """A stable id for a section title."""
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def check_html_path(path: object, option: str = "`path`") -> None:
    """A report is one HTML page: refuse another suffix (``r.pdf`` would hold HTML).

    `option` names the argument in the message: ``"`path`"`` in Python, ``"--out"`` on
    the command line.

    Examples
    --------
    >>> check_html_path("r.pdf", "--out")
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: --out must be an .html file (the report is one \
self-contained HTML page); got 'r.pdf'. Pass e.g. --out r.html, and print it to PDF from a \
browser if you need a PDF.
    >>> check_html_path(".html")
    Traceback (most recent call last):
    ...
    forecast.errors.ParameterError: `path` must be an .html file (the report is one \
self-contained HTML page); got '.html'. Pass e.g. path='forecast-report.html', and print it \
to PDF from a browser if you need a PDF.
    """
    text = os.fspath(path)  # a str or path-like: checked by the caller
    p = pathlib.PurePath(text)
    if p.suffix.lower() in (".html", ".htm"):
        return
    # ".html" alone is a hidden file without a suffix (pathlib): not ".html.html"
    stem = p.stem if p.stem and not p.stem.startswith(".") else "forecast-report"
    name = stem + ".html"
    example = f"{option} {shlex.quote(name)}" if option.startswith("--") else f"path={name!r}"
    raise ParameterError(
        f"{option} must be an .html file (the report is one self-contained HTML page); got "
        f"{text!r}. Pass e.g. {example}, and print it to PDF from a browser if you need a PDF.")


def image_bytes(fig, fmt: str = "svg", dpi: int = 150) -> bytes:
    """Render a matplotlib Figure to SVG (text kept as text) or PNG bytes, reproducibly.

    PNG is written by :func:`_png`: the pixels matplotlib draws, without an alpha
    channel when every pixel is opaque, at zlib level :data:`PNG_LEVEL`.
    """
    import matplotlib  # lazy: matplotlib is the optional `plot` extra

    if fmt == "png":
        return _png(fig, dpi)
    buf = io.BytesIO()
    rc = {"svg.fonttype": "none", "svg.hashsalt": "forecast"}
    with matplotlib.rc_context(rc):
        fig.savefig(buf, format=fmt, dpi=dpi, metadata={"Date": None})
    data = buf.getvalue()
    if fmt == "svg":  # drop the DTD address and the RDF block: nothing that names a site
        data = re.sub(rb"<!DOCTYPE[^>]*>\s*", b"", data)
        data = re.sub(rb"<metadata>.*?</metadata>\s*", b"", data, flags=re.S)
    return data


#: zlib level of :func:`image_bytes`'s PNG (of 9). The presets' 21 charts took 0.40 s
#: to encode at Pillow's default 6, 0.24 s at 3 (as fast as 1, which makes files 2% larger
#: than 3) with the alpha channel dropped: 1.60 MB against 1.70 MB as matplotlib writes them.
PNG_LEVEL = 3


def _png(fig, dpi: int) -> bytes:
    """`fig` as PNG at `dpi`: matplotlib's pixels (Agg), encoded by Pillow.

    matplotlib's PNG is RGBA at Pillow's default zlib level: a chart on its opaque white
    figure has an alpha of 255 everywhere, a quarter of the bytes to filter and compress
    for nothing. Here the same pixels are encoded as RGB when every one is opaque (RGBA
    otherwise) at :data:`PNG_LEVEL`, with the resolution in the file as matplotlib
    writes it; a viewer shows the same colours, pixel for pixel.
    """
    import numpy as np
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # lazy: the `plot` extra
    from PIL import Image  # a dependency of matplotlib

    canvas = fig.canvas  # the report's measuring canvas is an Agg canvas; else one for now
    agg = canvas if isinstance(canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    try:
        fig.savefig(io.BytesIO(), format="rgba", dpi=dpi)  # draws as savefig(format="png")
        pixels = np.asarray(agg.buffer_rgba())  # its renderer's: the pixels just drawn
    finally:
        if agg is not canvas:
            fig.set_canvas(canvas)
    if pixels[..., 3].min() == 255:
        pixels = pixels[..., :3]
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(
        buf, format="png", dpi=(dpi, dpi), compress_level=PNG_LEVEL)
    return buf.getvalue()


def png_bytes(fig, dpi: int = 150, tight: bool = False) -> bytes:
    """Render a matplotlib Figure to PNG bytes (no pyplot, no display needed)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **({"bbox_inches": "tight"} if tight else {}))
    return buf.getvalue()


def _mime(data: bytes) -> str:
    if data.startswith(b"\x89PNG"):
        return "image/png"
    return "image/svg+xml"


def _uri(data: bytes) -> str:
    return f"data:{_mime(data)};base64,{base64.b64encode(data).decode('ascii')}"


def figure(data: bytes, alt: str, caption: str = "", narrow: bytes | None = None) -> str:
    """A ``<figure>`` with the image (SVG or PNG) embedded as a base64 data URI.

    With `narrow`, a ``<picture>`` shows that version on screens up to 40rem wide.
    """
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    img = f'<img alt="{esc(alt)}" src="{_uri(data)}">'
    if narrow is not None:
        img = (f'<picture><source media="(max-width: 40rem)" srcset="{_uri(narrow)}">'
               f"{img}</picture>")
    return f"<figure>{img}{cap}</figure>"


def table(frame, formats: dict | None = None, max_rows: int = 400, caption: str = "",
          labels: bool = True, stack: bool = False, anywhere: tuple[str, ...] = (),
          whole_words: bool = False, links: tuple[str, ...] = ()) -> str:
    """An HTML table: display names as headers, per-column number formats, numbers right.

    `formats` maps a column to a function of (row, value) -> text, for the few columns
    whose format depends on the row (e.g. a parameter's value). ``stack=True``: on a
    phone each row becomes a block of "header: value" lines (for tables of text).
    The cells of the columns in `anywhere` (addresses: one long word each) may break
    at any character (class ``anywhere``, report.css). With `whole_words`, a word of
    another text cell that holds a hyphen ("2009-2025", "January-September") is kept on
    one line (:func:`whole_words`): cells then wrap between words only. The cells of the
    columns in `links` (addresses, ``"; "``-joined) are links (:func:`links_html`).
    """
    note = ""
    if len(frame) > max_rows:
        note = f'<p class="muted">First {max_rows} of {len(frame)} rows.</p>'
        frame = frame.head(max_rows)
    formats = formats or {}
    cols = list(frame.columns)
    num = {c: is_numeric_column(frame[c]) for c in cols}
    names = {c: _capital(label(c)) if labels else str(c) for c in cols}
    head = "".join(f'<th scope="col"{" class=num" if num[c] else ""}>{esc(names[c])}</th>'
                   for c in cols)
    rows = []
    for rec in frame.to_dict("records"):
        cells = []
        for c in cols:
            v = rec[c]
            text = formats[c](rec, v) if c in formats else format_value(c, v)
            klass = [k for k, on in (("num", num[c]), ("anywhere", c in anywhere)) if on]
            attr = (f" class={klass[0]}" if len(klass) == 1
                    else f' class="{" ".join(klass)}"' if klass else "")
            body = (links_html(text) if c in links
                    else keep_words(text) if whole_words and not num[c] and c not in anywhere
                    else esc(text))
            cells.append(f'<td{attr} data-label="{esc(names[c])}">{body}</td>')
        rows.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    klass = ' class="stack"' if stack else ""
    return (f'<div class="table-wrap"><table{klass}>{cap}<thead><tr>{head}</tr></thead><tbody>'
            + "".join(rows) + f"</tbody></table></div>{note}")


#: An address worth a link: http(s), or a host name (with a dot, or an IP address) and a
#: path without a scheme, as many re-post addresses are written ("www.site.cn/page").
_ADDRESS = re.compile(r"(?:https?://)?[A-Za-z0-9][A-Za-z0-9.-]*\.[A-Za-z0-9-]+(?::\d+)?"
                      r"(?:[/?#]\S*)?")


def links_html(text: object) -> str:
    """`text`, addresses joined by ``"; "``, as links: ``<a href>`` that load nothing until
    clicked, and tell the site nothing of the report (``rel="noreferrer"``). An address
    without a scheme is linked as http (the site moves a reader to https if it serves it);
    what is not an address (another scheme, a sentence) stays text; nothing, "none
    recorded".

    >>> links_html("www.a.cn/x; https://b.org/y?q=1&r=2")
    '<a href="http://www.a.cn/x" rel="noreferrer">www.a.cn/x</a>; \
<a href="https://b.org/y?q=1&amp;r=2" rel="noreferrer">https://b.org/y?q=1&amp;r=2</a>'
    >>> links_html(""), links_html("javascript:alert(1)")
    ('<span class="muted">none recorded</span>', 'javascript:alert(1)')
    """
    parts = [p.strip() for p in str(text).split("; ") if p.strip()]
    if not parts:
        return '<span class="muted">none recorded</span>'
    out = []
    for part in parts:
        if _ADDRESS.fullmatch(part):
            href = part if re.match(r"https?://", part) else f"http://{part}"
            out.append(f'<a href="{esc(href)}" rel="noreferrer">{esc(part)}</a>')
        else:
            out.append(esc(part))
    return "; ".join(out)


def keep_words(text: object) -> str:
    """`text` escaped, each word holding a hyphen in a ``<span class="word">``.

    A browser may break a line after any hyphen, which splits a range of years or a date
    ("2009-" / "2025"); report.css keeps the span on one line (but on a phone, where
    a table's rows are blocks as wide as the screen).

    >>> keep_words("2009-2025 & more")
    '<span class="word">2009-2025</span> &amp; more'
    """
    return re.sub(r"\S*-\S*", lambda m: f'<span class="word">{m.group(0)}</span>',
                  esc(text))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def pre(text: str, keep_words: bool = False) -> str:
    """A ``<pre>`` block of `text`. With `keep_words` (a command line), each word of at
    most :data:`PRE_WORD` characters holding a hyphen is kept on one line (report.css):
    a phone wrapped ``--seed 1`` as ``--`` / ``seed 1``; the block wraps at spaces.

    >>> pre("forecast run --seed 1", keep_words=True)
    '<pre>forecast run <span class="word">--seed</span> 1</pre>'
    """
    if not keep_words:
        return f"<pre>{esc(text)}</pre>"
    body = re.sub(r"[^\s<>]*-[^\s<>]*",
                  lambda m: (f'<span class="word">{m.group(0)}</span>'
                             if len(m.group(0)) <= PRE_WORD else m.group(0)), esc(text))
    return f"<pre>{body}</pre>"


#: The longest word :func:`pre` keeps on one line: a longer one (a path) may break
#: anywhere, as it must to fit a phone.
PRE_WORD = 30


def _resource(name: str) -> str:
    return resources.files("forecast.report").joinpath(name).read_text(encoding="utf-8")


def page(title: str, key: str, sections: list[tuple[str, str]], meta: str = "",
         appendix: str = "", notes: str = "") -> str:
    """The whole document from ``template.html``: title block (with `notes` under the key
    message, e.g. a caution about its data), contents, sections."""
    toc = "".join(f'<li><a href="#{anchor(t)}">{esc(t)}</a></li>' for t, _ in sections)
    body = "".join(f'<section id="{anchor(t)}"><h2>{esc(t)}</h2>{content}</section>'
                   for t, content in sections)
    return Template(_resource("template.html")).substitute(
        title=esc(title), style=_resource("report.css"), meta=meta, key=key, notes=notes,
        toc=toc, body=body + appendix)


#: The line every report carries in its head: how a report forecast wrote is recognised.
GENERATOR = '<meta name="generator" content="forecast">'


#: How a report forecast wrote is known, unchanged: the line after :data:`GENERATOR`,
#: ``<meta name="forecast-sha256" content="...">``, holds the SHA-256 of the document
#: without that line.
SEAL = LineSeal(GENERATOR, '<meta name="forecast-sha256" content="', '">',
                      within=4096, mark=f"the line {GENERATOR}",
                      record='its <meta name="forecast-sha256"> line')


def write_report_file(path: object, page: bytes, force: bool) -> None:
    """Write the report `page` to `path`: atomically, never through a link, with its
    digest (:data:`SEAL`); an existing file only as :func:`check_report_path` allows."""
    write_own(path, page, force=force, what="report", seal=SEAL)


def check_report_path(path: object, force: bool) -> None:
    """Refuse a report path that is a link, a folder, not ``.html``/``.htm``, or an existing
    file forecast did not write or that changed since (unless `force`): before any chart
    is drawn."""
    check_new_file(path, force=True, what="report")
    check_html_path(path)
    check_own_file(path, force=force, what="report", seal=SEAL)
