"""XLSX lists: merged ranges filled down, two-level headers, titles, the right sheet."""

from __future__ import annotations

import pytest
from loadkit import REGIONS, assert_same_graph, comparable, region_triples
from openpyxl import Workbook
from tablerender import to_styled_xlsx

from loaders.export import region_table
from loaders.load import backbone_from_store, read_list
from policykg.graph.rdfmap import region_list_triples


def _qiantang_workbook(path):
    """钱塘区's rows 1–2 as a region would type them: title, 附件 line, two-level header,
    merged 省级重点工作 and 序号 (row 2 has two service items), an instructions sheet first."""
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    notes.append(["本表由区营商办汇总，请勿改动表头。"])
    ws = wb.create_sheet("清单")
    ws.append(["附件 3"])
    ws.append(["2024年度钱塘区政务服务增值化改革与“民营经济32条”一体融合省级举措细化清单"])
    ws.merge_cells("A2:H2")
    ws.append(["序号", "省级重点工作", "省级细化措施", "服务事项", None, None, "承接板块（专区）", "备注"])
    ws.append([None, None, None, "一级事项", "二级事项", "三级事项", None, None])
    for col in "ABCGH":
        ws.merge_cells(f"{col}3:{col}4")
    ws.merge_cells("D3:F3")
    ws.append([1, "1.强化财税政策保障", "精准宣传“政策找人”。", "政策服务", "政策推送", "税费优惠政策推送服务",
               "政策板块", None])
    ws.append([2.0, None, "精准落实“免申即享”。", "政策服务", "政策兑现", "免申即享", "政策板块", "试点"])
    ws.append([None, None, None, "诉求服务", "政策咨询", None, "诉求板块", None])
    ws.merge_cells("B5:B7")
    ws.merge_cells("A6:A7")
    ws.merge_cells("C6:C7")
    ws.merge_cells("H6:H7")
    wb.save(path)


def test_merged_cells_two_level_header_and_sheet_choice(tmp_path, built_store):
    path = tmp_path / "qt.xlsx"
    _qiantang_workbook(path)
    rl, form = read_list(path, "330114", backbone=backbone_from_store(built_store))
    assert form == "xlsx" and rl.layout == "qiantang" and rl.source.attachment == 3
    assert rl.title.startswith("2024年度钱塘区")
    one, two = rl.rows
    assert one.key_task == 1 and two.key_task == 1, "merged 省级重点工作 filled down"
    assert two.remark == "试点"
    assert [i.title for i in two.service_items] == ["免申即享", "政策咨询"], "merged 序号: one row, two items"
    assert two.service_items[1].block == "诉求板块"
    assert [m.text for m in two.local_measures] == ["精准落实“免申即享”。"], "adopted provincial text"
    assert one.source.sheet == "清单" and one.source.sheet_row == 5 and two.source.sheet_row == 6


@pytest.mark.parametrize("code", sorted(REGIONS))
def test_styled_region_workbooks_give_the_text_loaders_graph(built_store, tmp_path, code):
    """The workbook the PDF tests print, merged ranges whole, loads as the text did."""
    path = tmp_path / f"{code}.xlsx"
    to_styled_xlsx(region_table(built_store, code), path, for_print=False)
    rl, _ = read_list(path, code, backbone=backbone_from_store(built_store), strict=False)
    assert_same_graph(comparable(region_triples(built_store, code), keep_title=True),
                      comparable(region_list_triples(rl), keep_title=True), code)


def test_progress_every_hundred_rows(tmp_path, built_store):
    path = tmp_path / "dq.xlsx"
    to_styled_xlsx(region_table(built_store, "330521"), path)
    seen: list[str] = []
    read_list(path, "330521", strict=False, progress=seen.append)
    assert any("已读 100 行" in m for m in seen)
