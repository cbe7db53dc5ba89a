"""附件 1 衢州市: rows read off the document by eye (line numbers are the text file's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.text import read_attachments, read_backbone
from loaders.text.document import read_document
from loaders.text.quzhou import parse

SOURCE = Path(__file__).resolve().parent.parent / "data" / "sources" / "000_ae2937e95410f861.txt"


@pytest.fixture(scope="module")
def region():
    backbone = read_backbone(SOURCE)
    lists = read_attachments(SOURCE, backbone)
    return next(rl for rl in lists if rl.region == "330800")


@pytest.fixture(scope="module")
def rows(region):
    return {r.row: r for r in region.rows}


@pytest.fixture(scope="module")
def parser():
    return parse(read_document(SOURCE).attachments[1])


def item(row):
    assert len(row.service_items) == 1
    s = row.service_items[0]
    return (s.level1, s.level2, s.level3, s.block)


def test_row_count_and_numbers(region):
    assert [r.row for r in region.rows] == list(range(1, 94))
    assert region.layout == "quzhou" and region.source.attachment == 1
    assert region.title.startswith("2024年衢州市政务服务增值化改革")
    assert region.warnings == []


def test_first_row(rows):
    r = rows[1]                                     # lines 78-124
    assert r.key_task == 1
    assert r.provincial_measures == (1, 2, 3, 4)
    assert r.cells["key_task"] == "（一）强化财税政策保障"
    assert r.cells["local_measure"].startswith("1.深入贯彻落实中共中央、国务院关于延续优化完善实施阶段性税费")
    assert r.cells["local_measure"].endswith("2023年到2025年，全市民营经济主体每年享受税费优惠政策力争达到50亿元以上。")
    assert [m.number for m in r.local_measures] == [1]
    assert r.service_items[0].content == "智能筛选最新税费优惠政策内容，匹配对应纳税人，实现政策定制化精准推送服务"
    assert item(r) == ("政策服务", "政策推送", "税费优惠政策推送服务", "诉求（兜底）服务板块")
    assert (r.source.line_start, r.source.line_end) == (78, 124)
    assert r.source.document == "000_ae2937e95410f861.txt" and len(r.source.sha256) == 64


def test_cell_broken_by_blank_line_and_merged_cells(rows):
    r = rows[2]                                     # "税费预填服" / blank / "务" (lines 132-134)
    assert item(r) == ("政策服务", "政策申报", "税费预填服务", "诉求（兜底）服务板块")
    assert r.service_items[0].content == "开展便民办税春风行动，为纳税人提供税费预填服务，帮助纳税人自动计算税费减免金额。"
    assert r.key_task == 1 and r.provincial_measures == (1, 2, 3, 4)      # merged from row 1
    assert [m.number for m in r.local_measures] == [1]                   # rule 1 merged over rows 1-3
    assert item(rows[3]) == ("诉求服务", "政策咨询", "纳税人诉求服务", "诉求（兜底）服务板块")


def test_three_levels_on_one_line_and_wide_level3(rows):
    assert item(rows[4]) == ("金融服务", "基金投资", "种子基金", "金融服务板块")
    assert item(rows[7]) == ("金融服务", "基金投资", "“6+X”产业链基金", "金融服务板块")
    assert item(rows[11]) == ("金融服务", "基金投资", "产业基金和国企投资基金", "金融服务板块")
    assert rows[11].key_task == 2 and rows[11].provincial_measures == (5, 6)
    assert [m.number for m in rows[11].local_measures] == [2]


def test_merged_measures_continued_on_next_page(rows):
    # key task 3's measures 7-8 on one page, 8 (end)-11 after the page header at line 354
    for n in range(12, 18):
        assert rows[n].key_task == 3 and rows[n].provincial_measures == (7, 8, 9, 10, 11)
    r = rows[13]
    assert [m.number for m in r.local_measures] == [4]
    assert item(r) == ("项目服务", "咨询服务", "创新型产业用地（M0）和混合产业用地（Mb）用地供应服务", "项目服务板块")
    assert item(rows[12]) == ("项目服务", "咨询服务", "", "项目服务板块")
    assert item(rows[15]) == ("项目服务", "项目决策咨询服务", "重大工业项目决策咨询", "项目服务板块")


def test_key_task_5_measures_across_three_pages(rows):
    # 13-15 before a page break, 15 (end)-28 at line 635, 29 at line 782
    for n in range(23, 30):
        assert rows[n].key_task == 5
        assert rows[n].provincial_measures == tuple(range(13, 30))
    assert [m.number for m in rows[23].local_measures] == [14]
    assert item(rows[23]) == ("金融服务", "融资对接", "", "金融服务板块")
    assert item(rows[28]) == ("金融服务", "绿色金融服务", "碳账户绿色金融服务", "金融服务板块")


def test_row_number_and_rule_on_one_line(rows):
    r = rows[27]                                    # "27 18.推广政府性融资担保“随借随" (line 718)
    assert [m.number for m in r.local_measures] == [18]
    assert r.local_measures[0].text == "推广政府性融资担保“随借随担”模式，切实减轻企业融资负担。"
    assert item(r) == ("金融服务", "担保服务", "融资担保服务", "金融服务板块")
    assert r.source.line_start == 718


def test_lone_two_line_cell_is_level2(rows):
    assert item(rows[30]) == ("人才服务", "职称评审权下放服务", "", "人才服务板块")
    assert item(rows[68]) == ("法治服务", "企业“法治体检”服务", "", "法治服务板块")


def test_rule_numbered_before_a_year(rows, parser):
    # "31.2023年至 2025年，全市政府采" (line 1207): rule 31, not measure text
    cells = parser.rows[42].cells
    assert parser.rows[42].number == 43
    assert cells["local_measure"].startswith("31.2023年至2025年，全市政府采购授予中小微企业合同金额")
    assert cells["content"].startswith("加大政府采购对中小微企业政策支持")
    assert item(rows[43]) == ("政策服务", "政府采购咨询", "", "诉求（兜底）服务板块")


def test_row_and_content_on_one_line_rule_merged(rows):
    r = rows[57]                                    # "57 为企业提供绿色直播间申报服" (line 1592)
    assert r.service_items[0].content == "为企业提供绿色直播间申报服务。"
    assert item(r) == ("开放服务", "绿色直播间申报服务", "", "开放服务板块")
    assert [m.number for m in r.local_measures] == [44]                  # merged from row 56
    assert r.provincial_measures == tuple(range(75, 83))


def test_row_split_by_page_break_block_without_ban_kuai(rows):
    r = rows[58]                                    # measure 87 ends on the next page (line 1646)
    assert r.key_task == 20 and r.provincial_measures == tuple(range(83, 90))
    assert [m.number for m in r.local_measures] == [45]
    assert item(r) == ("政策服务", "政策申报", "个转企申报服务", "诉求（兜底）服务")
    assert r.source.line_end == 1652


def test_rows_without_service_items(rows):
    for n in (70, 71, 73, 92):
        assert rows[n].service_items == (), n
        assert len(rows[n].local_measures) == 1
    assert rows[70].key_task == 25 and rows[70].provincial_measures == tuple(range(107, 113))
    assert rows[70].local_measures[0].number == 57


def test_content_and_level1_on_one_line(rows):
    r = rows[72]                                    # "为企业提供诉求办理服务。 诉求服务" (line 2021)
    assert r.service_items[0].content == "为企业提供诉求办理服务。"
    assert item(r) == ("诉求服务", "", "", "诉求（兜底）服务板块")
    assert r.local_measures[0].number == 59


def test_key_task_printed_twice(rows):
    assert rows[79].key_task == 27 and rows[79].provincial_measures == (119, 120, 121)
    r = rows[80]                                    # "（二十七）创新优化监管执法方式" again, measures 122-127
    assert r.key_task == 27 and r.provincial_measures == tuple(range(122, 128))
    assert r.local_measures == () and r.service_items == ()


def test_level1_over_two_lines(rows):
    assert item(rows[90]) == ("企业宣传服务", "", "", "诉求（兜底）服务板块")
    assert rows[90].service_items[0].content == "为企业提供宣传和推介服务。"


def test_last_row(rows):
    r = rows[93]                                    # lines 2536-2552, key task 32, no rule, no items
    assert r.key_task == 32
    assert r.cells["key_task"] == "（三十二）建立健全“四个定期”调度评估工作机制"
    assert r.provincial_measures == (141, 142, 143, 144, 145, 146)
    assert r.local_measures == () and r.service_items == ()
    assert (r.source.line_start, r.source.line_end) == (2536, 2552)


def test_every_row_has_a_key_task_and_measures(rows):
    for r in rows.values():
        assert r.key_task is not None and r.provincial_measures, r.row
    assert [r.row for r in rows.values() if not r.service_items] == [70, 71, 73, 80, 92, 93]


def test_nothing_dropped_nothing_invented(parser):
    """Every piece of text of the table body ends up in exactly one cell (merged cells once)."""
    import re

    att = read_document(SOURCE).attachments[1]
    body = re.sub(r"\s+", "", "".join(ln.text for ln in att.lines))
    segments = [p for r in parser.rows for p in r.segment.pieces]
    assert re.sub(r"\s+", "", "".join(p.text for p in segments)) == body
    got = [p for k in parser.key_cells for p in k.pieces] + [p for m in parser.measures for p in m.pieces]
    rules = {id(r.rule): r.rule for r in parser.rows if r.rule}
    got += [p for c in rules.values() for p in c.pieces]
    for r in parser.rows:
        got += r.segment.pieces[:1] + r.content.pieces + r.service
    assert sorted((p.no, p.text) for p in got) == sorted((p.no, p.text) for p in segments)
