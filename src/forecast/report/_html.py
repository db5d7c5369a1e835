"""HTML building blocks of the report (private): escaping, tables, figures, page shell.

Only self-contained output: CSS inline in one ``<style>`` element, images as base64
``data:`` URIs, no scripts, no external addresses in ``src``/``href``.
"""

from __future__ import annotations

import base64
import html
import io

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
max-width:1000px;margin:2em auto;padding:0 1em;color:#1a1a1a;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:1px solid #ddd;padding-bottom:.2em;
margin-top:2em}h3{margin-bottom:.3em}.muted{color:#666;font-size:.9em}
table{border-collapse:collapse;margin:.6em 0;font-size:.88em}
th,td{border:1px solid #ddd;padding:3px 8px;text-align:right}
th{background:#f3f5f7}td:first-child,th:first-child{text-align:left}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85em;color:#555}pre{background:#f6f8fa;padding:.8em;overflow-x:auto;
font-size:.85em}nav ol{columns:2}code{background:#f6f8fa;padding:0 3px}
.grid{display:flex;flex-wrap:wrap;gap:10px}.grid figure{flex:1 1 460px}
"""


def esc(text: object) -> str:
    """HTML-escape any value's text."""
    return html.escape(str(text), quote=True)


def anchor(title: str) -> str:
    """A stable id for a section title."""
    return "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")


def png_bytes(fig, dpi: int = 90, tight: bool = False) -> bytes:
    """Render a matplotlib Figure to PNG bytes (no pyplot, no display needed).

    ``tight=True`` fits the bounding box to the content, at the cost of drawing the
    figure twice; the report sets fixed margins instead, except for long labels.
    """
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, **({"bbox_inches": "tight"} if tight else {}))
    return buf.getvalue()


def figure(png: bytes, alt: str, caption: str = "") -> str:
    """An ``<figure>`` with the PNG embedded as a base64 data URI."""
    data = base64.b64encode(png).decode("ascii")
    cap = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return (f'<figure><img alt="{esc(alt)}" src="data:image/png;base64,{data}">'
            f"{cap}</figure>")


def table(frame, float_format: str = "{:,.2f}", max_rows: int = 400) -> str:
    """An HTML table of a DataFrame (escaped; floats formatted; long frames truncated)."""
    note = ""
    if len(frame) > max_rows:
        note = f'<p class="muted">First {max_rows} of {len(frame)} rows.</p>'
        frame = frame.head(max_rows)
    body = frame.to_html(index=False, border=0, escape=True, na_rep="",
                         float_format=lambda v: float_format.format(v))
    return body + note


def pre(text: str) -> str:
    return f"<pre>{esc(text)}</pre>"


def page(title: str, sections: list[tuple[str, str]], subtitle: str = "") -> str:
    """The whole document: title, table of contents and sections ``(title, html)``."""
    toc = "".join(f'<li><a href="#{anchor(t)}">{esc(t)}</a></li>' for t, _ in sections)
    body = "".join(f'<section id="{anchor(t)}"><h2>{esc(t)}</h2>{content}</section>'
                   for t, content in sections)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
            f"<title>{esc(title)}</title><style>{_CSS}</style></head><body>"
            f"<h1>{esc(title)}</h1><p class=\"muted\">{esc(subtitle)}</p>"
            f"<nav><ol>{toc}</ol></nav>{body}</body></html>\n")
