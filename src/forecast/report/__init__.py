"""Face: a self-contained HTML report of a projection, its key message, the summary table.

Modules: ``report`` (:func:`write_report`, :func:`compact_table`, ...), ``keymessage``
(:func:`key_message`), ``figures`` (:func:`render_figures`,
:func:`render_figure_sets`), ``formats`` (number formats
by column), ``reproduce`` (versions and the code that reproduces a run), ``markets``
(:func:`markets_section`, :func:`write_markets_report`: multi-market projections);
internal: ``_html`` (HTML building blocks and the page template), ``_sections`` (the
sections). The page is ``template.html`` with ``report.css``, shipped as package data.
"""

from .figures import render_figure_sets, render_figures
from .keymessage import KeyMessage, key_message
from .markets import market_figures, market_table, markets_section, write_markets_report
from .report import compact_table, compact_years, write_report

__all__ = ["KeyMessage", "compact_table", "compact_years", "key_message", "market_figures",
           "market_table", "markets_section", "render_figure_sets", "render_figures",
           "write_markets_report",
           "write_report"]
