"""policykg template: the standard XLSX a region fills in; a filled one loads without a mapping."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner
from loadkit import copy_store

from loaders.layouts import get as get_layout
from loaders.load import load_region
from loaders.template import write_template
from policykg.cli import main
from policykg.core.errors import UsageError
from policykg.graph import store
from policykg.sparql import queries


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    path = tmp_path_factory.mktemp("tpl") / "模板.xlsx"
    write_template(path)
    return path


def test_sheets_header_and_drop_downs(template):
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["清单", "说明", "选项"]
    ws = wb["清单"]
    header = [c.value for c in ws[1]]
    assert header == get_layout("standard").headers
    assert header[:4] == ["序号", "重点工作编号", "省级细化措施编号", "地方细化举措"]
    assert header[7:11] == ["一级事项", "二级事项", "三级事项", "承接板块"]
    assert ws.max_row == 1, "no example rows that would be loaded"
    opts = wb["选项"]
    assert opts.sheet_state == "hidden"
    key_tasks = [c.value for c in opts["A"][1:] if c.value]
    assert len(key_tasks) == 32
    assert key_tasks[0] == "1 强化财税政策保障" and key_tasks[4] == "5 强化金融保障"
    level1 = {c.value for c in opts["B"][1:] if c.value}
    blocks = {c.value for c in opts["C"][1:] if c.value}
    assert {"政策服务", "金融服务", "项目服务", "科创服务"} <= level1
    assert {"诉求（兜底）服务板块", "金融服务板块", "劳动用工综合服务专区"} <= blocks
    rules = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert rules["B2:B1001"].formula1 == "=选项!$A$2:$A$33" and rules["B2:B1001"].errorStyle == "stop"
    assert rules["H2:H1001"].errorStyle == "warning", "a new level-1 category is allowed"
    assert rules["K2:K1001"].formula1.startswith("=选项!$C$2")
    notes = "\n".join(str(c.value) for c in wb["说明"]["A"] if c.value)
    assert "填表说明" in notes and "policykg load" in notes and "手机号码" in notes
    assert "1,2,5-7" in notes


def test_refuses_other_suffixes(tmp_path):
    with pytest.raises(UsageError):
        write_template(tmp_path / "t.xls")


def test_cli_template(tmp_path):
    out = tmp_path / "t.xlsx"
    res = CliRunner().invoke(main, ["template", "-o", str(out)])
    assert res.exit_code == 0 and out.exists()


def test_filled_template_loads_as_a_new_region(template, built_store, tmp_path):
    """杭州市 (330100) has no list in the document: fill the template, load it, ask the catalogue."""
    wb = openpyxl.load_workbook(template)
    ws = wb["清单"]
    ws.append([1, "1 强化财税政策保障", "1,2", "落实税费优惠政策精准推送", "为企业精准推送税费优惠政策", "受理—匹配—推送",
               "浙里办", "政策服务", "政策推送", "税费优惠政策推送服务", "诉求（兜底）服务板块", "市税务局", "2024年", None])
    ws.append([None, None, None, None, "税费政策辅导", None, "线下窗口", "政策服务", "政策辅导", "税费政策辅导",
               "诉求（兜底）服务板块", "市税务局", None, None])
    ws.append([2, "5 强化金融保障", "15-17", "深化融资畅通工程", "融资对接服务", None, None, "金融服务", "融资对接", None,
               "金融服务板块", "人民银行杭州分行", "长期实施", "新增"])
    path = tmp_path / "杭州市.xlsx"
    wb.save(path)
    store_dir = copy_store(built_store, tmp_path / "store")
    res = load_region(store_dir, path, "330100")
    assert (res.layout, res.rows, res.service_items, res.local_measures) == ("standard", 2, 3, 2)
    summary = queries.run(store.open_read_only(store_dir), queries.get("region-summary").text).values()
    hz = next(r for r in summary if r["region"] == "330100")
    assert hz["name"] == "杭州市" and hz["rows"] == "2" and hz["serviceItems"] == "3" and hz["keyTasksCovered"] == "2"
    assert {r["region"] for r in summary} >= {"330100", "330800", "330900", "330114", "330521"}
    rows = queries.run(store.open_read_only(store_dir), """
        SELECT ?pm WHERE { ?r pk:region <https://w3id.org/policykg/id/region/330100> ; pk:rowNumber 2 ;
                            pk:citesProvincialMeasure/pk:number ?pm } ORDER BY ?pm""").values()
    assert [r["pm"] for r in rows] == ["15", "16", "17"]
