"""附件 4 湖州市德清县 read from the document text: expected values typed from the document by
eye (line numbers are those of data/sources/000_ae2937e95410f861.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.text import deqing
from loaders.text.document import read_document
from loaders.text.engine import line_pieces
from policykg.core.records import ServiceItem

SOURCE = Path(__file__).resolve().parent.parent / "data" / "sources" / "000_ae2937e95410f861.txt"


@pytest.fixture(scope="module")
def doc():
    return read_document(SOURCE)


@pytest.fixture(scope="module")
def parser(doc):
    return deqing.parse(doc.attachments[4])


@pytest.fixture(scope="module")
def rl(doc):
    return deqing.read(doc.attachments[4], None, document=doc)


@pytest.fixture(scope="module")
def rows(rl):
    return {r.row: r for r in rl.rows}


def item(row) -> ServiceItem:
    assert len(row.service_items) == 1
    return row.service_items[0]


def levels(row) -> tuple[str, str, str, str]:
    it = item(row)
    return it.level1, it.level2, it.level3, it.block


def measure(row) -> str:
    assert len(row.local_measures) == 1
    return row.local_measures[0].text


# --- counts and provenance -------------------------------------------------------------------


def test_row_count(rl):
    assert rl.region == "330521" and rl.layout == "deqing"
    assert rl.title == "德清县政务服务增值化改革与“民营经济32条”一体融合细化清单（企业综合服务中心承接内容）"
    assert [r.row for r in rl.rows] == list(range(1, 108))
    assert sum(len(r.service_items) for r in rl.rows) == 107
    assert all(len(r.local_measures) == 1 for r in rl.rows)


def test_key_tasks_cover_all_but_27(rl):
    # the list prints no row for （二十七）: (二十六) covers rows 86-92, (二十八) starts at 93
    assert sorted({r.key_task for r in rl.rows}) == [n for n in range(1, 33) if n != 27]
    starts = {}
    for r in rl.rows:
        starts.setdefault(r.key_task, r.row)
    assert starts[1] == 1 and starts[2] == 4 and starts[26] == 86 and starts[28] == 93 and starts[32] == 106


def test_every_line_is_placed(doc, parser):
    body = {p.no for p in line_pieces(doc.attachments[4])}
    assert {n for r in parser.rows for n in r.lines} == body


def test_provenance(rl, doc):
    for r in rl.rows:
        s = r.source
        assert (s.document, s.sha256, s.attachment) == ("000_ae2937e95410f861.txt", doc.sha256, 4)
        assert 5990 < s.line_start <= s.line_end <= 9287
    assert (rl.rows[0].source.line_start, rl.rows[0].source.line_end) == (6015, 6052)
    assert (rl.rows[-1].source.line_start, rl.rows[-1].source.line_end) == (9269, 9286)


def test_warnings(rl):
    text = "\n".join(rl.warnings)
    assert "序号 44：承接板块印为“/”" in text
    assert "第 9019 行：省级重点工作续于下页" in text


# --- rows read by eye ------------------------------------------------------------------------


def test_row1_first(rows):
    r = rows[1]
    assert r.key_task == 1 and r.key_task_label == "（一）强化财税政策保障"
    assert measure(r) == ("精准宣传“政策找人”。充分发挥征纳互动服务效能，着力提升首次推送成功率，重点抓好“推送不成功”"
                          "和“应享未享”两个清册的兜底服务工作，为纳税人缴费人提供智能化、个性化精准推送服务。")
    assert item(r).content == ("征纳互动服务：通过征纳沟通平台个性化精准推送涉税费政策解读，开展政策课堂直播，"
                               "提供专业团队在线辅导，实现政策找人。")
    assert levels(r) == ("政策服务", "政策推送", "税费优惠政策推送服务", "政策服务板块")
    assert r.local_measures[0].kind == "county-measure"


def test_row2_level2_on_one_line(rows):
    r = rows[2]
    assert r.key_task_label == "（一）强化财税政策保障"            # merged cell
    assert measure(r).endswith("实现“零审批、零手续、零证明”。")
    assert item(r).content.endswith("实现跨平台一键申报、跨部门智能审批、跨层级一键兑付")
    assert levels(r) == ("政策服务", "政策申报", "税费预填服务", "政策服务板块")


def test_row3_label_broken_over_three_lines(rows):
    assert levels(rows[3]) == ("诉求服务", "政策咨询", "纳税人诉求服务", "政策服务板块")
    assert item(rows[3]).content == "开展便民办税春风行动，为纳税人提供税费预填服务，帮助纳税人自动计算税费减免金额。"


def test_row4_new_key_task_and_row5_merged(rows):
    assert rows[4].key_task_label == "（二）加大产业基金支持力度"
    assert measure(rows[4]) == "稳步推进专项基金组建，进一步加快已组建基金投资进度。"
    assert item(rows[4]).content == ("直接融资指导服务：为企业提供股权融资等对接服务，做好QFLP基金设立、股权融资等方面的"
                                     "咨询和指导工作。")
    assert levels(rows[4]) == ("金融服务", "基金投资", "种子基金", "金融服务板块")
    assert rows[5].key_task == 2 and rows[5].key_task_label == "（二）加大产业基金支持力度"
    assert levels(rows[5]) == ("金融服务", "基金投资", "天使基金", "金融服务板块")


def test_row13_block_only(rows):
    r = rows[13]
    assert r.key_task_label == "（四）强化用能保障"
    assert measure(r) == "定期调度民间投资项目用能保障情况。"
    assert item(r).content == "项目用能服务：对低于省控目标的项目，开辟节能审查绿色通道，保障项目用能。"
    assert levels(r) == ("", "", "", "项目服务板块")


def test_row20_content_of_four_services(rows):
    r = rows[20]
    assert r.key_task_label == "（五）强化金融保障"
    assert measure(r) == "落实《德清县制造业高质量发展若干意见》中的金融政策，按照相关要求对企业和金融机构进行奖励和补助。"
    content = item(r).content
    assert content.startswith("间接融资指导：为企业提供综合融资服务")
    for part in ("融资担保申请：为企业提供政策性融资担保申请办理服务。", "融资担保咨询：为企业提供政策性融资担保讲解介绍服务。",
                 "贷款服务指导：银行为符合条件的企业或个人提供贷款服务指导等服务。"):
        assert part in content
    assert levels(r) == ("金融服务", "金融服务", "", "金融服务板块")


def test_row33_measure_and_content_on_the_number_line(rows):
    r = rows[33]                                                    # line 7054
    assert r.key_task_label == "（七）向民营企业推介三张项目清单"
    assert measure(r) == "常态化推介项目，并做好向国家在线平台推送。"
    assert item(r).content == "举办国企民企协同发展项目推介会"
    assert levels(r) == ("项目服务", "项目推介服务", "", "项目服务板块")


def test_row41_wrapped_last_character(rows):
    r = rows[41]
    assert item(r).content == "将创业投资企业和天使投资个人投资初创科技型企业有关政策条件延续执行至2027年12月31日"   # 日 on line 7320
    assert levels(r) == ("金融服务", "基金投资", "科创基金", "金融服务板块")


def test_row44_slash_block(rows, parser):
    r = rows[44]
    assert measure(r) == "组织开展基础设施REITs业务培训，帮助民营企业掌握相关政策和管理要求。"
    assert item(r).content == "开展基础设施业务培训"
    assert levels(r) == ("金融服务", "基金投资", "科创基金", "/")          # kept as printed
    assert [x for x in parser.rows if x.number == 44][0].block == "/"


def test_row45_and_46_around_a_page_number(rows):
    assert rows[45].key_task_label == "（十一）加大政府采购对中小微企业支持力度"
    assert levels(rows[45]) == ("政策咨询", "政府采购咨询", "", "诉求（兜底）服务板块")
    r = rows[46]
    assert r.key_task_label == "（十二）严格落实招投标“七个不准”"
    assert measure(r).startswith("招标人对资格审查合格的投标人应当采取国有和民营分类的方式进行入围淘汰")
    assert item(r).content == "落实严格落实招投标“七个不准”政策，为企业提供招投标相关的资质设置的政策咨询服务。"
    assert levels(r) == ("项目服务", "咨询服务", "", "政策服务板块")
    assert r.source.line_end == 7495                                # page number 60 (line 7499) not included


def test_row52_long_key_task(rows):
    r = rows[52]
    assert r.key_task == 17
    assert r.key_task_label == "（十七）实施“百展百企”拓市场抢订单行动助力民营企业拓市场"
    assert measure(r) == "支持民营企业积极参展。"
    assert levels(r) == ("开放服务", "展会服务", "展会咨询服务", "开放服务板块")


def test_row70_block_over_three_lines(rows):
    assert levels(rows[70]) == ("科创服务", "智能化改造服务", "", "科创服务板块")


def test_row81_block_with_four_character_name(rows):
    r = rows[81]
    assert levels(r) == ("知识产权服务", "专利维权服务", "", "知识产权服务板块")
    assert item(r).content.startswith("知识产权咨询服务：依托“法护知产”在线协同应用")


def test_row93_and_94_blocks_as_printed(rows):
    assert rows[93].key_task_label == "（二十八）完善社会信用激励约束机制"
    assert measure(rows[93]) == "降低信用修复时间门槛，最短公示期从一年缩短至三个月。专项信用报告替代有无违法违规证明工作。"
    assert levels(rows[93]) == ("诉求服务", "信用修复主动告知服务", "", "诉求（兜底）服务")
    assert levels(rows[94]) == ("诉求服务", "信用修复服务", "", "各板块（具体涉及部门）")


def test_row97_key_task_continued_on_the_next_page(rows):
    label = "（二十九）完善拖欠账款和欠薪常态化预防清理机制"          # lines 8970-8976 + 9019-9021
    for n in (97, 98, 99):
        assert rows[n].key_task == 29 and rows[n].key_task_label == label
    assert rows[97].source.line_end == 9021
    assert measure(rows[98]).startswith("及时做好国务院“互联网+督查”、工信部“违约拖欠中小企业款项登记（投诉）平台”")
    assert rows[98].source.line_start == 9023


def test_row106_shared_line_after_key_task(rows):
    r = rows[106]
    assert r.key_task_label == "（三十二）建立健全“四个定期”调度评估工作机制"
    assert measure(r) == "贯彻落实“四个定期”调度评估工作机制。"
    assert item(r).content == "为投资项目提供难点问题攻关服务。"
    assert levels(r) == ("投资项目解难题服务", "", "", "诉求（兜底）服务板块")


def test_row107_last(rows):
    r = rows[107]
    assert r.key_task == 32
    assert measure(r) == "建立民营企业定点联系机制和问题收集推动解决机制。"
    assert item(r).content == "建立与民营企业家常态化沟通交流和解决问题机制，定期召开政企座谈交流会，收集汇总问题。"
    assert levels(r) == ("企业宣传服务", "", "", "诉求（兜底）服务板块")


# --- the recognisers on their own --------------------------------------------------------------


def test_labels_grouping(parser):
    assert parser.labels(["政策", "服务", "政策", "推送", "税费优惠", "政策推送", "服务"]) == [
        "政策服务", "政策推送", "税费优惠政策推送服务"]
    assert parser.labels(["开放服", "务", "境外投资", "申报服务"]) == ["开放服务", "境外投资申报服务"]
    assert parser.labels(["人才", "服务", "职工参保", "登记"]) == ["人才服务", "职工参保登记"]
    assert parser.labels([]) == []
