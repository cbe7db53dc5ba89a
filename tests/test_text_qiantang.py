"""附件 3 杭州市钱塘区: rows read off the document by eye, and provincial text matching."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.match import candidates, explain, match_provincial, normal
from loaders.text import read_attachments, read_backbone

SOURCE = Path(__file__).resolve().parent.parent / "data" / "sources" / "000_ae2937e95410f861.txt"


@pytest.fixture(scope="module")
def backbone():
    return read_backbone(SOURCE)


@pytest.fixture(scope="module")
def region(backbone):
    return next(rl for rl in read_attachments(SOURCE, backbone) if rl.region == "330114")


@pytest.fixture(scope="module")
def rows(region):
    return {r.row: r for r in region.rows}


def items(row):
    return [(s.level1, s.level2, s.level3, s.block) for s in row.service_items]


def test_row_count_and_numbers(region):
    assert [r.row for r in region.rows] == list(range(1, 71))
    assert region.layout == "qiantang" and region.source.attachment == 3
    assert region.title == "2024年度钱塘区政务服务增值化改革与“民营经济32条”一体融合省级举措细化清单"
    assert region.warnings == []


def test_every_text_matched(region):
    assert region.unmatched == []
    numbers = [n for r in region.rows for n in r.provincial_measures]
    assert len(numbers) == len(set(numbers)) == 99
    assert sum(len(r.provincial_texts) for r in region.rows) == 99


def test_first_row(rows):
    r = rows[1]                                   # lines 4614-4632
    assert r.key_task == 1 and r.key_task_label == "1.强化财税政策保障"
    assert r.provincial_texts == ("精准宣传“政策找人”。充分发挥征纳互动服务效能，着力提升首次推送成功率，重点抓好“推送不成功”"
                                  "和“应享未享”两个清册的兜底服务工作，为纳税人缴费人提供智能化、个性化精准推送服务。",)
    assert r.provincial_measures == (1,)
    assert items(r) == [("政策服务", "政策推送服务", "税费优惠政策推送服务", "纳税综合服务专区")]
    assert r.remark == ""
    assert (r.source.line_start, r.source.line_end) == (4614, 4632)


def test_text_with_blank_line_inside(rows):
    r = rows[2]                                   # "…创新优化“自动算" / blank / "税”等智能化应用…"
    assert r.provincial_measures == (2,)
    assert r.provincial_texts[0].startswith("精准落实“免申即享”。迭代升级直达快享机制，创新优化“自动算税”等智能化应用")
    assert items(r) == [("政策服务", "涉税申报服务", "税费预填服务", "纳税综合服务专区")]
    assert items(rows[3]) == [("政策服务", "涉税诉求服务", "", "纳税综合服务专区")]


def test_row_number_and_key_task_on_one_line(rows):
    r = rows[4]                                   # "4 2.加大产业基金支持" / "力度"
    assert r.key_task == 2 and r.key_task_label == "2.加大产业基金支持力度"
    assert r.provincial_measures == (6,)
    assert items(r) == [("金融服务", "产业基金服务", "省“4+1”基金对接服务", "金融板块")]


def test_rows_without_number_are_sub_rows(rows):
    r = rows[5]                                   # texts at 4687, 4698, 4702: measures 9, 8, 10
    assert r.key_task == 3
    assert r.provincial_measures == (9, 8, 10)
    assert r.provincial_texts[1] == ("按照投资项目不同行业生命周期，支持采取弹性年期出让、先租后让、长期租赁等方式供地，"
                                     "合理确定土地供应方式和使用年限，有效降低企业用地成本。")
    assert items(r) == [("项目服务", "政策咨询宣讲服务", "", "项目板块")]
    assert r.source.line_end == 4705


def test_sub_rows_repeating_level1_make_no_new_item(rows):
    r = rows[9]                                   # "积极推进融资担保合作。" / "金融" / "服务" (4792-4794) …
    assert r.provincial_measures == (15, 18, 20, 28)
    assert r.provincial_texts[1] == "积极推进融资担保合作。"
    assert r.provincial_texts[2] == "用足用好2024年国家融资担保基金再担保授信额度。"
    assert items(r) == [("金融服务", "政策性担保服务", "", "金融板块")]
    assert rows[10].provincial_measures == (16, 23, 24, 25, 27)
    assert len(rows[10].service_items) == 1


def test_each_adopted_text_implements_its_own_measure_only(rows):
    """Regression: every adopted text of a 序号 was linked to all the row's measures (row 9's
    "积极推进融资担保合作。" implemented 15, 18, 20 and 28); it is measure 18 alone (衢州 line 644)."""
    r = rows[9]
    assert [(m.text[:10], m.implements) for m in r.local_measures] == [
        ("推动构建分层分类的民", (15,)), ("积极推进融资担保合作", (18,)),
        ("用足用好2024年国", (20,)), ("用足用好2024年国", (28,))]
    assert all(m.kind == "adopted" for m in r.local_measures)
    # every row: one adopted measure per printed text, each implementing one number, in order
    for row in rows.values():
        assert [m.implements for m in row.local_measures] == [(n,) for n in row.provincial_measures], row.row


def test_row_number_and_text_on_one_line(rows):
    r = rows[11]                                  # "11 为我省“名特优新”个体工商户定制专属金融产品，加大信用贷款支"
    assert r.provincial_texts == ("为我省“名特优新”个体工商户定制专属金融产品，加大信用贷款支持力度。",)
    assert r.provincial_measures == (19,)
    assert items(r) == [("金融服务", "金融产品定制服务", "", "金融板块")]


def test_long_level3(rows):
    assert items(rows[13]) == [("金融服务", "上市培育服务", "资本市场专业培训服务、资本市场个性化专业服务等", "金融板块")]
    assert items(rows[31]) == [("开放服务", "境外参展服务", "境外展会信息服务、境外参展培训服务、境外展会政策推送服务", "开放板块")]


def test_level2_broken_by_blank_line_block_over_three_lines(rows):
    r = rows[18]                                  # "新就业群" / blank / "体劳动合" / "同签订服" / "务"
    assert items(r) == [("人才服务", "新就业群体劳动合同签订服务", "", "劳动用工综合服务专区")]
    assert r.key_task == 6 and r.key_task_label == "6.强化人才和用工需求保障"


def test_block_run_into_next_text(rows):
    r = rows[28]                                  # "政策板块对有意愿开展基础设施 REITs试点…" (line 5195)
    assert r.key_task == 10
    assert items(r) == [("政策服务", "政策培训宣讲服务", "", "政策板块")]
    assert r.provincial_measures == (50, 51, 52)
    assert r.provincial_texts[1].startswith("对有意愿开展基础设施REITs试点的重点项目进行一对一上门辅导")


def test_shortened_key_task_title(rows):
    r = rows[29]                                  # "11.加大政府采购对" / "中小微企业支持" (no 力度)
    assert r.key_task == 11 and r.key_task_label == "11.加大政府采购对中小微企业支持"
    assert r.provincial_measures == (53, 54, 56)
    assert items(r) == [("金融服务", "政府采购咨询和指导服务", "", "金融板块")]
    assert rows[30].key_task == 11 and rows[30].provincial_measures == (55,)


def test_text_and_level1_on_one_line(rows):
    r = rows[38]                                  # "38 开展“绿色直播为民专项行动”。 科创" / "服务"
    assert r.provincial_texts == ("开展“绿色直播为民专项行动”。",)
    assert r.provincial_measures == (76,)
    assert items(r) == [("科创服务", "绿色直播申报服务", "", "科创板块")]


def test_level3_and_block_on_one_line(rows):
    assert items(rows[42]) == [("法治服务", "合规治理服务", "法律合规提醒", "法治板块")]
    assert items(rows[8]) == [("金融服务", "融资对接服务", "银行信贷服务", "金融板块")]


def test_sub_row_after_page_header(rows):
    r = rows[47]                                  # 5541 "开展 2024年度省级产业数字化服务商遴选。" after the header
    assert r.provincial_measures == (93, 94)
    assert r.provincial_texts[1] == "开展2024年度省级产业数字化服务商遴选。"


def test_level1_half_shares_line_with_level2(rows):
    r = rows[68]                                  # "服务 舆情处置" / "咨询服务"
    assert items(r) == [("诉求服务", "舆情处置咨询服务", "", "诉求板块")]
    assert r.provincial_measures == (139, 140)


def test_last_row(rows):
    r = rows[70]                                  # 5977-5989, with a sub-row (measure 145)
    assert r.key_task == 32
    assert r.provincial_measures == (144, 145)
    assert r.provincial_texts == ("建立代表性民营企业联系点。",
                                  "支持在畅通国企民企合作路径、创新民营经济“风险池”、民企牵头重大科技公关项目等方面开展试点。")
    assert items(r) == [("诉求服务", "政策咨询宣讲服务", "", "诉求板块")]
    assert (r.source.line_start, r.source.line_end) == (5977, 5989)


def test_key_tasks_skipped_by_qiantang(rows):
    assert sorted({r.key_task for r in rows.values()}) == [1, 2, 3, 4, 5, 6, 8, 9, 10, 11, *range(17, 33)]


# -- matching -------------------------------------------------------------------------------

def test_normal_form():
    assert normal("实现设区市 100%全覆盖、“浙里办”。") == "实现设区市100全覆盖浙里办"
    assert normal("１００％") == "100"


def test_match_exact_contains_fuzzy_none(backbone):
    assert match_provincial("建立代表性民营企业联系点。", backbone) == (144, 100.0)
    # a first sentence only: containment
    hit = match_provincial("加快打造企业综合服务中心。依托各地政务服务中心，建强企业综合服务中心，"
                           "“一个口子”受理、流转、督办、反馈企业需求，承接政企恳谈会、政企沟通见面会等活动", backbone)
    assert hit is not None and hit[0] == 113 and 90 < hit[1] < 100
    assert candidates("加快打造企业综合服务中心。依托各地政务服务中心，建强企业综合服务中心，"
                      "“一个口子”受理、流转、督办、反馈企业需求，承接政企恳谈会、政企沟通见面会等活动", backbone)[0][2] == "contains"
    # two characters changed: fuzzy
    hit = match_provincial("建立健全部门推动民营经济高质量发展协调机制。", backbone)
    assert hit is not None and hit[0] == 141 and hit[1] < 90
    # 20 exactly, although 28 starts with the same words
    assert match_provincial("用足用好 2024年国家融资担保基金再担保授信额度。", backbone)[0] == 20
    assert match_provincial("完全无关的一句话，没有任何对应的省级措施。", backbone) is None
    assert match_provincial("", backbone) is None
    why = explain("完全无关的一句话，没有任何对应的省级措施。", backbone)
    assert why.startswith("与146条省级细化措施均不匹配") and "matches none" in why


def test_nothing_dropped_nothing_invented(backbone):
    """Every piece of the table body is in exactly one cell: key task (once), a (sub-)row's
    text, or its service cells (a sub-row's repeated 一级事项 included, though it makes no item)."""
    import re

    from loaders.text import qiantang
    from loaders.text.document import read_document

    att = read_document(SOURCE).attachments[3]
    parser = qiantang.parse(att, backbone)
    body = re.sub(r"\s+", "", "".join(ln.text for ln in att.lines))
    segments = [p for r in parser.rows for p in r.segment.pieces]
    assert re.sub(r"\s+", "", "".join(p.text for p in segments)) == body
    keys = {id(r.key): r.key for r in parser.rows}
    got = [p for k in keys.values() for p in k]
    for r in parser.rows:
        got += r.segment.pieces[:1] + [p for u in r.units for p in u.text + u.service]
    assert sorted((p.no, p.text) for p in got) == sorted((p.no, p.text) for p in segments)
