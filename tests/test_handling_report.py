"""The landing report's 办件 section: present with records, absent without, charts and bottlenecks."""

from __future__ import annotations

import re
import shutil

from test_handling_load import CRAFTED, write_csv

from loaders.handling import load_file
from policykg.report import write_report


def test_report_has_handling_section_with_charts_and_bottlenecks(built_store, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(built_store, store, symlinks=True)
    plain = write_report(store, tmp_path / "before.html").read_text(encoding="utf-8")
    assert 'id="handling"' not in plain
    load_file(store, write_csv(tmp_path / "办件.csv", CRAFTED))
    html = write_report(store, tmp_path / "报告.html").read_text(encoding="utf-8")
    section = html[html.index('id="handling"'):]
    assert "办件：服务事项的使用情况" in section and "统计月份 2024-01–2024-02，2 个月" in section
    # the region row: 87 items, 2 handled, 85 never, 20 received, 16 completed, 80.0 %, 75.0 %
    assert re.search(r"<td>衢州市（330800）</td><td class=\"n\">87</td><td class=\"n\">2</td><td class=\"n\">85</td>"
                     r"<td class=\"n\">20</td><td class=\"n\">16</td><td class=\"n\">80.0%</td>"
                     r"<td class=\"n\">75.0%</td>", section)
    assert "杭州市钱塘区（330114）" in section                      # listed as having no records yet
    assert section.count("<polyline") == 3                        # received, completed, bad
    assert "<title>受理 received 2024-01: 14</title>" in section
    assert "<title>诉求（兜底）服务板块: 20</title>" in section       # the block bar
    assert "办件堵点（86）" in section
    assert "<td>办结率低、差评多</td><td>衢州市</td><td class=\"n\">2</td><td>税费预填服务</td>" in section
    assert "<script" not in section


def test_xlsx_report_gets_handling_sheets(built_store, tmp_path):
    from openpyxl import load_workbook

    store = tmp_path / "store"
    shutil.copytree(built_store, store, symlinks=True)
    before = load_workbook(write_report(store, tmp_path / "before.xlsx")).sheetnames
    assert not [n for n in before if n.startswith("办件")]
    load_file(store, write_csv(tmp_path / "办件.csv", CRAFTED))
    wb = load_workbook(write_report(store, tmp_path / "报告.xlsx"))
    assert wb.sheetnames[len(before):] == ["办件-地区", "办件-从未办件", "办件-承接板块", "办件-一级事项",
                                          "办件-省级细化措施", "办件-逐月趋势", "办件-堵点"]
    assert [c.value for c in wb["办件-地区"][2]] == ["330800", "衢州市", 87, 2, 20, 16, 9, 3, 0.8, 0.75]
    assert wb["办件-从未办件"].max_row == 1 + 85
    assert [c.value for c in wb["办件-逐月趋势"]["B"]][1:] == [14, 6]
