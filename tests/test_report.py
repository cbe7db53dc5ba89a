"""policykg report (HTML and XLSX) and the two catalogue queries it shares with others.

Hand-written lists (tests/handmade_lists.py) give exact numbers; the real four-region
graph (conftest's ``built_store``) gives the document's. Expected values were counted in
the source text: 衢州市 rows 70, 71, 73, 92 (市级落实细则 57, 58, 60, 78) have no service item
and row 93 (key task 32) has no 市级落实细则; 钱塘区's list skips key tasks 7 and 12–16; 德清县's
skips 27; 舟山市's table has no service-item columns.
"""

from __future__ import annotations

import re

import handmade_lists as hl
import pytest
from click.testing import CliRunner

from policykg import report
from policykg.cli import main
from policykg.core.errors import UsageError
from policykg.graph.store import open_read_only
from policykg.report.xlsx import SHEETS
from policykg.sparql import queries


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return hl.make_store(tmp_path_factory.mktemp("report-store"))


@pytest.fixture(scope="module")
def data(store):
    return report.collect(open_read_only(store))


def _region(data, code):
    return next(r for r in data.regions if r.code == code)


# ------------------------------------------------------------------ hand-written lists

def test_overview_numbers(data):
    assert [r.code for r in data.regions] == ["330114", "330521", "330800", "330900"]
    qz = _region(data, "330800")
    assert (qz.rows, qz.local_measures, qz.service_items) == (5, 2, 5)
    assert (qz.key_tasks_with_measures, qz.key_tasks_with_items, qz.measures_lacking) == (2, 2, 0)
    assert qz.linked and qz.measures_cited == 6 and qz.measures_landed == 6
    zs = _region(data, "330900")
    assert (zs.rows, zs.local_measures, zs.service_items, zs.measures_lacking) == (2, 5, 0, 5)
    assert not zs.linked and zs.names == {}
    qt = _region(data, "330114")
    assert qt.measures_cited == 5 and qt.key_tasks[3] == (1, 1) and qt.key_tasks[4] == (0, 0)


def test_blocks_level1_and_standardization(data):
    qz = _region(data, "330800")
    assert qz.blocks == [("诉求（兜底）服务板块", 3), ("金融服务板块", 2)]
    assert qz.level1 == [("政策服务", 2), ("金融服务", 2), ("诉求服务", 1)]
    assert qz.standard["contentOnly"] == 5 and qz.standard["standardized"] == 0
    assert _region(data, "330114").standard["noneStated"] == 5


def test_cross_region_differences_by_normalized_name(data):
    diffs = {(a.code, b.code): [x["title"] for x in items] for a, b, items in data.differences()}
    assert ("330900", "330800") not in diffs                  # 舟山 has no items to compare
    assert diffs[("330800", "330521")] == ["天使基金"]          # 德清 rows 1–4 have the other four
    assert diffs[("330800", "330114")] == ["纳税人诉求服务", "种子基金", "天使基金"]    # in row order
    assert diffs[("330114", "330800")] == ["涉税诉求服务", "省“4+1”基金对接服务", "政策咨询宣讲服务"]
    assert report.normalize_name("税费优惠政\n策推送服务") == report.normalize_name("税费优惠政策推送服务")
    assert report.normalize_name("省“4+1”基金") == report.normalize_name('省"4+1"基金')


def test_bottlenecks(data):
    # hand-written rows cover key tasks 1–3 only: 4–32 have no service item anywhere
    none = [r["keyTask"] for r in data.key_task_bottlenecks if r["regions"] == 0]
    one = {r["keyTask"]: r["regionCodes"] for r in data.key_task_bottlenecks if r["regions"] == 1}
    assert none == list(range(4, 33))
    assert one == {3: "330114"}
    landed_once = {r["measure"] for r in data.measure_bottlenecks if r["regions"] == 1}
    assert landed_once == {4, 5, 7}          # 4, 5: 衢州 only; 7: 钱塘 only; 1, 2, 3, 6 both


def test_html_is_self_contained_and_chinese_first(store, tmp_path):
    out = report.write_report(store, tmp_path / "r.html")
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and 'lang="zh-CN"' in page
    assert "<script" not in page and "src=" not in page and "@import" not in page
    assert not re.search(r"(href|src)=[\"']https?:", page)
    # 4 key-task grids, measure grids for the 2 linked lists, 2 heatmaps, 2 bar charts × 3 lists with items
    assert page.count("<svg") == 4 + 2 + 2 + 2 * 3
    assert page.index("落地分析报告") < page.index("Landing analysis")
    assert "舟山市（330900）清单没有服务事项栏，全部 5 条举措均未转化为服务事项。" in page
    assert "杭州市钱塘区有、衢州市没有：3 项" in page


def test_xlsx_has_one_sheet_per_section(store, tmp_path):
    from openpyxl import load_workbook

    out = report.write_report(store, tmp_path / "r.xlsx")
    wb = load_workbook(out, read_only=True)
    assert wb.sheetnames == list(SHEETS)
    overview = list(wb["概况 Overview"].iter_rows(values_only=True))
    assert overview[0][0] == "地区代码 code"
    assert [r[:5] for r in overview[1:]] == [("330114", "杭州市钱塘区", 5, 5, 5), ("330521", "湖州市德清县", 4, 4, 4),
                                             ("330800", "衢州市", 5, 2, 5), ("330900", "舟山市", 2, 5, 0)]
    kt = list(wb["重点工作覆盖 KeyTasks"].iter_rows(values_only=True))
    assert len(kt) == 1 + 4 * 32
    lacking = list(wb["未转化举措 Lacking"].iter_rows(values_only=True))
    assert [r[0] for r in lacking[1:]] == ["330900"] * 5


def test_report_errors(store, tmp_path):
    with pytest.raises(UsageError):
        report.write_report(store, tmp_path / "r.pdf")
    res = CliRunner().invoke(main, ["report", "--store", str(store), "-o", str(tmp_path / "r.txt")])
    assert res.exit_code == 2 and ".html" in res.output
    res = CliRunner().invoke(main, ["report", "--store", str(tmp_path / "none"), "-o", str(tmp_path / "r.html")])
    assert res.exit_code == 1 and not (tmp_path / "r.html").exists()


def test_cli_report(store, tmp_path):
    res = CliRunner().invoke(main, ["report", "--store", str(store), "-o", str(tmp_path / "cli.xlsx")])
    assert res.exit_code == 0, res.output
    assert (tmp_path / "cli.xlsx").stat().st_size > 5000


def test_catalogue_queries_on_hand_written_lists(store):
    st = open_read_only(store)
    lacking = queries.run(st, queries.get("measures-lacking-service-items").text)
    assert lacking.variables == ["region", "row", "keyTask", "measure"]
    assert [(r["region"], r["row"], r["keyTask"]) for r in lacking.values()] == [
        ("330900", "1", "1")] * 4 + [("330900", "2", "2")]
    cov = queries.run(st, queries.get("key-task-coverage").text)
    assert cov.variables == ["region", "keyTask", "localMeasures", "serviceItems"]
    rows = cov.values()
    assert len(rows) == 4 * 32
    assert {"region": "330800", "keyTask": "1", "localMeasures": "1", "serviceItems": "3"} in rows
    assert {"region": "330900", "keyTask": "1", "localMeasures": "4", "serviceItems": "0"} in rows
    assert {"region": "330521", "keyTask": "32", "localMeasures": "0", "serviceItems": "0"} in rows


# ------------------------------------------------------------------ the real graph

@pytest.fixture(scope="module")
def real(built_store):
    return report.collect(open_read_only(built_store))


def test_real_lacking_measures_and_key_task_gaps(built_store, real):
    st = open_read_only(built_store)
    lacking = queries.run(st, queries.get("measures-lacking-service-items").text).values()
    qz = [(r["row"], r["keyTask"]) for r in lacking if r["region"] == "330800"]
    assert qz == [("70", "25"), ("71", "25"), ("73", "25"), ("92", "31")]
    zs = _region(real, "330900")
    assert zs.service_items == 0 and zs.local_measures > 0
    assert sum(1 for r in lacking if r["region"] == "330900") == zs.local_measures
    assert [k for k in range(1, 33) if real.regions[0].key_tasks.get(k, (0, 0))[1] == 0] == [7, 12, 13, 14, 15, 16]
    assert [k for k in range(1, 33) if _region(real, "330521").key_tasks.get(k, (0, 0))[0] == 0] == [27]
    assert [k for k in range(1, 33) if _region(real, "330800").key_tasks.get(k, (0, 0))[0] == 0] == [32]
    assert _region(real, "330800").measures_cited == 146


def test_real_report_files(built_store, tmp_path):
    from openpyxl import load_workbook

    page = report.write_report(built_store, tmp_path / "real.html").read_text(encoding="utf-8")
    assert "衢州市（330800）" in page and "舟山市（330900）" in page
    assert "<script" not in page
    wb = load_workbook(report.write_report(built_store, tmp_path / "real.xlsx"), read_only=True)
    assert wb.sheetnames == list(SHEETS)


@pytest.mark.browser
def test_report_renders_in_chromium(built_store, tmp_path, artifacts):
    from playwright.sync_api import sync_playwright

    out = report.write_report(built_store, tmp_path / "report.html")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(out.as_uri())
            assert page.title().startswith("民营经济32条落地分析报告")
            assert page.locator("h1").inner_text().startswith("“民营经济32条”落地分析报告")
            assert page.locator("svg").count() >= 10
            box = page.locator("#cross + h3 + figure svg").bounding_box()
            assert box and box["width"] > 800 and box["height"] > 100      # the heatmap is drawn
            assert [u for u in requests if not u.startswith("file:")] == []
            page.screenshot(path=str(artifacts / "report.png"), full_page=False)
            page.locator("#cross").scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / "report-cross.png"))
        finally:
            browser.close()
