"""The landing-analysis report as an XLSX workbook: one sheet per section (openpyxl)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from policykg.core import cellsafe
from policykg.core.records import KEY_TASKS, PROVINCIAL_MEASURES
from policykg.handling.render import add_sheets

from .data import ReportData
from .landing import LANDING_SHEETS
from .landing import add_sheets as add_landing_sheets

SHEETS = ("概况 Overview", "重点工作覆盖 KeyTasks", "细化措施承接 Measures", "承接板块 Blocks", "一级事项 Level1",
          "未转化举措 Lacking", "标准化 Standardization", "地区差异 Differences", "堵点 Bottlenecks") + LANDING_SHEETS


def write_xlsx(data: ReportData, path: Path) -> None:
    # openpyxl: heavy optional dependency, imported only when an XLSX is written
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    wb = Workbook()
    wb.remove(wb.active)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor="EEF4F3")
    gap_fill = PatternFill("solid", fgColor="FDE2E1")

    def sheet(title: str, head: list[str], rows: list[list[Any]], widths: dict[int, int] | None = None,
              gap_col: int | None = None):
        ws = wb.create_sheet(title)
        ws.append(head)
        for c in ws[1]:
            c.font, c.fill = bold, head_fill
            c.alignment = Alignment(wrap_text=True, vertical="top")
        for row in rows:
            ws.append(row)
            cellsafe.xlsx_text(ws)
            if gap_col is not None and row[gap_col] in (0, "0"):
                ws.cell(ws.max_row, gap_col + 1).fill = gap_fill
        ws.freeze_panes = "A2"
        for col, w in (widths or {}).items():
            ws.column_dimensions[chr(ord("A") + col)].width = w
        return ws

    regs = data.regions
    sheet(SHEETS[0], ["地区代码 code", "地区 region", "清单行 rows", "地方举措 local measures", "服务事项 service items",
                      f"有举措的重点工作 key tasks with measures (/{KEY_TASKS})",
                      f"有服务事项的重点工作 key tasks with items (/{KEY_TASKS})",
                      f"引用的省级细化措施 measures cited (/{PROVINCIAL_MEASURES})",
                      f"落地为服务事项的细化措施 measures with items (/{PROVINCIAL_MEASURES})",
                      "未转化举措 measures lacking items"],
          [[r.code, r.name, r.rows, r.local_measures, r.service_items, r.key_tasks_with_measures,
            r.key_tasks_with_items, r.measures_cited if r.linked else "未对应 not linked",
            r.measures_landed if r.linked else "—", r.measures_lacking] for r in regs], {1: 16})
    sheet(SHEETS[1], ["地区代码 code", "地区 region", "重点工作 key task", "名称 title", "地方举措 local measures",
                      "服务事项 service items"],
          [[r.code, r.name, k, data.key_task_titles.get(k, ""), *r.key_tasks.get(k, (0, 0))]
           for r in regs for k in range(1, KEY_TASKS + 1)], {1: 16, 3: 40}, gap_col=5)
    sheet(SHEETS[2], ["地区代码 code", "地区 region", "省级细化措施 measure", "重点工作 key task", "名称 label",
                      "清单引用 cited", "服务事项 service items"],
          [[r.code, r.name, n, data.measure_key_task.get(n), data.measure_labels.get(n, ""),
            (r.measures.get(n, (0, 0))[0] if r.linked else "未对应 not linked"), r.measures.get(n, (0, 0))[1]]
           for r in regs for n in range(1, PROVINCIAL_MEASURES + 1)], {1: 16, 4: 50})
    sheet(SHEETS[3], ["地区代码 code", "地区 region", "承接板块 block", "服务事项 service items"],
          [[r.code, r.name, b, n] for r in regs for b, n in r.blocks], {1: 16, 2: 30})
    sheet(SHEETS[4], ["地区代码 code", "地区 region", "一级事项 level-1 category", "服务事项 service items"],
          [[r.code, r.name, b, n] for r in regs for b, n in r.level1], {1: 16, 2: 24})
    sheet(SHEETS[5], ["地区代码 code", "地区 region", "序号 row", "重点工作 key task", "举措原文 measure text", "IRI"],
          [[r.code, r.name, x.get("row"), x.get("keyTask"), x.get("text"), x.get("measure")]
           for r in regs for x in r.lacking], {1: 16, 4: 80})
    sheet(SHEETS[6], ["地区代码 code", "地区 region", "服务事项 items", "写明服务内容 with content",
                      "写明服务流程 with process", "写明办理渠道 with channel", "只写服务内容 content only",
                      "三者皆无 none stated", "三者齐全 standardized"],
          [[r.code, r.name] + [r.standard.get(k, 0) for k in ("items", "withContent", "withProcess", "withChannel",
                                                               "contentOnly", "noneStated", "standardized")]
           for r in regs if r.service_items], {1: 16})
    sheet(SHEETS[7], ["提供方 offers", "缺少方 lacks", "序号 row", "重点工作 key task", "服务事项 service item",
                      "一级事项 level 1", "承接板块 block"],
          [[a.name, b.name, x.get("row"), x.get("keyTask"), x.get("title"), x.get("level1"), x.get("block")]
           for a, b, items in data.differences() for x in items], {0: 14, 1: 14, 4: 30, 6: 24})
    names = {r.code: r.name for r in regs}
    sheet(SHEETS[8], ["类别 kind", "编号 number", "重点工作 key task", "名称 title", "落地地区数 regions",
                      "地区 which"],
          [["重点工作 key task", r["keyTask"], r["keyTask"], r["title"], r["regions"],
            "、".join(names.get(c, c) for c in r["regionCodes"].split())] for r in data.key_task_bottlenecks]
          + [["省级细化措施 measure", r["measure"], r["keyTask"], r["label"], r["regions"],
              "、".join(names.get(c, c) for c in r["regionCodes"].split())] for r in data.measure_bottlenecks],
          {0: 18, 3: 60, 5: 20})
    if data.landing is not None:
        add_landing_sheets(wb, data.landing)
    if data.handling:                     # only when 办件 records are loaded: last, after the sheets every report has
        add_sheets(wb, data.handling, prefix="办件-")
    wb.save(path)
