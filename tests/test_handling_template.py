"""The handling template (``policykg template --kind handling``) and the synthetic sample."""

from __future__ import annotations

import importlib.util
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from policykg.cli import main
from policykg.core import iris
from policykg.core.config import ROOT
from policykg.graph.store import graph_sizes, open_read_only

SAMPLE = ROOT / "data" / "samples" / "handling-synthetic.csv"


@pytest.fixture()
def store(built_store, tmp_path) -> Path:
    root = tmp_path / "store"
    shutil.copytree(built_store, root, symlinks=True)
    return root


def test_template_has_region_items_dropdowns_and_instructions(store, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "办件模板.xlsx"
    res = CliRunner().invoke(main, ["template", "--kind", "handling", "-o", str(out), "--store", str(store),
                                    "--region", "330800", "--month", "2024-05"])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["办件", "说明", "事项", "选项"]
    ws = wb["办件"]
    assert [c.value for c in ws[1]] == ["地区代码", "清单序号", "服务事项", "统计月份", "受理件数", "办结件数", "好评数",
                                        "差评数", "办理渠道", "平均办理天数", "备注"]
    assert ws.max_row == 1 + 87                                       # 衢州市: 87 service items pre-filled
    assert [c.value for c in ws[2]][:4] == ["330800", 1, "税费优惠政策推送服务", "2024-05"]
    rules = {str(d.sqref): d.formula1 for d in ws.data_validations.dataValidation}
    assert rules["C2:C5001"] == '=INDIRECT("R"&$A2)'
    assert rules["I2:I5001"] == '"线上,线下"'
    assert sorted(wb.defined_names.keys()) == ["R330114", "R330521", "R330800"]
    items = wb["事项"]
    assert [items.cell(1, j).value for j in (1, 2, 3)] == ["330114", "330521", "330800"]
    assert items.cell(2, 3).value == "税费优惠政策推送服务"
    assert "handling load" in "".join(str(c.value) for c in wb["说明"]["A"])

    # filled in, it loads back: month 2024-05 for every 衢州 item
    for r in range(2, ws.max_row + 1):
        for col, v in ((5, r), (6, r - 1), (7, 1), (8, 0)):
            ws.cell(r, col, v)
    wb.save(out)
    res = CliRunner().invoke(main, ["handling", "load", str(out), "--store", str(store)])
    assert res.exit_code == 0, res.output
    assert "87 条观测值" in res.output
    res = CliRunner().invoke(main, ["handling", "summary", "--store", str(store), "--format", "json"])
    s = json.loads(res.output)
    assert s["regions"][0]["received"] == sum(range(2, 89)) and s["never_handled"] == []


def test_template_refuses_a_bad_month_and_a_region_without_items(store, tmp_path):
    for args, text in ((["--month", "2024-5x"], "--month 应为 YYYY-MM"), (["--region", "330900"], "舟山市")):
        res = CliRunner().invoke(main, ["template", "--kind", "handling", "-o", str(tmp_path / "t.xlsx"),
                                        "--store", str(store), *args])
        assert res.exit_code == 2 and text in res.output


def test_sample_is_deterministic_synthetic_and_not_built(built_store, store, tmp_path):
    spec = importlib.util.spec_from_file_location("make_sample", ROOT / "scripts" / "make_handling_sample.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.render(mod.sample_rows()) == SAMPLE.read_bytes()
    text = SAMPLE.read_text(encoding="utf-8")
    assert text.count("\n") == 1 + 264 * 12 and text.count("synthetic") == 264 * 12
    assert not [g for g in graph_sizes(open_read_only(built_store)) if g.startswith(iris.handling_graph_prefix())]
    res = CliRunner().invoke(main, ["handling", "load", str(SAMPLE), "--store", str(store)])
    assert res.exit_code == 0, res.output
    s = json.loads(CliRunner().invoke(main, ["handling", "summary", "--store", str(store), "--format",
                                             "json"]).output)
    assert [(r["region"], r["items"], r["items_handled"], r["received"], r["completed"]) for r in s["regions"]] == [
        ("330114", 70, 58, 7546, 6604), ("330521", 107, 94, 12095, 10966), ("330800", 87, 79, 9868, 8939)]
    assert len(s["never_handled"]) == 33 and len(s["trend"]) == 12
    # 德清县 row 13's item has no printed name: matched by its row, shown by its label
    assert ("330521", 13, "第13行服务事项") in {(n["region"], n["row"], n["item"]) for n in s["never_handled"]}
    xlsx = tmp_path / "s.xlsx"
    res = CliRunner().invoke(main, ["handling", "summary", "--store", str(store), "--format", "xlsx", "-o", str(xlsx),
                                    "--region", "330800", "--from", "2024-07", "--to", "2024-12"])
    assert res.exit_code == 0, res.output
    from openpyxl import load_workbook

    wb = load_workbook(xlsx)
    assert wb.sheetnames == ["地区", "从未办件", "承接板块", "一级事项", "省级细化措施", "逐月趋势", "堵点"]
    assert [c.value for c in wb["逐月趋势"]["A"]][1:] == [f"2024-{m:02d}" for m in range(7, 13)]
