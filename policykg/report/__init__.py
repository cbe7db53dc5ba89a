"""The landing-analysis report: data (the queries' numbers), html, xlsx, svg; ``write_report``."""

from .data import ReportData, collect, normalize_name
from .html import render_html
from .write import write_report

__all__ = ["ReportData", "collect", "normalize_name", "render_html", "write_report"]
