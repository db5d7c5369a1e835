"""Face: a self-contained HTML report of a projection, and the compact summary table.

Modules: ``report`` (:func:`write_report`, :func:`compact_table`, ...); internal:
``_html`` (HTML building blocks), ``_sections`` (the report's sections).
"""

from .report import compact_table, compact_years, render_figures, write_report

__all__ = ["compact_table", "compact_years", "render_figures", "write_report"]
