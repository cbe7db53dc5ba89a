"""``policykg report``: the landing-analysis report the notice asks for (定期分析评估、梳理堵点难点).

One self-contained HTML file (:mod:`.html`: inline CSS and SVG, no script, no network,
Chinese first) or one XLSX workbook with a sheet per section (:mod:`.xlsx`).
"""

from __future__ import annotations

from pathlib import Path

from policykg.core.errors import UsageError
from policykg.core.progress import Progress, silent
from policykg.diff import RowsOf
from policykg.graph.store import generation_name, open_read_only

from .data import collect
from .html import render_html
from .updates import section
from .xlsx import write_xlsx


def write_report(store_dir: Path | str, output_path: Path | str, progress: Progress = silent, *,
                 since: str | None = None, deadline: str | None = None, rows_of: RowsOf | None = None) -> Path:
    """Write the report to ``output_path``: ``.html`` or ``.xlsx`` by its suffix. The updates
    section lists each region's versions and the regions older than ``deadline``; with
    ``since`` and ``rows_of`` it also says what changed since that version or date."""
    out = Path(output_path)
    suffix = out.suffix.lower()
    if suffix not in (".html", ".htm", ".xlsx"):
        raise UsageError(f"报告文件须以 .html 或 .xlsx 结尾：{out.name}",
                         f"the report file must end in .html or .xlsx: {out.name}")
    data = collect(open_read_only(store_dir), progress)
    data.generation = generation_name(store_dir) or ""
    data.updates = section(store_dir, since, deadline, rows_of=rows_of)
    if not data.regions:
        raise UsageError("图谱中没有任何地区清单，无从分析", "the store holds no regional list to analyse")
    if suffix == ".xlsx":
        progress(f"写出 XLSX / writing {out.name}")
        write_xlsx(data, out)
    else:
        progress(f"写出 HTML / writing {out.name}")
        out.write_text(render_html(data), encoding="utf-8")
    return out
