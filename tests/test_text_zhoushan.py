"""附件 2 舟山市 read from the document text: expected values typed from the document by eye
(line numbers are those of data/sources/000_ae2937e95410f861.txt)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.people import parse_contacts
from loaders.text import zhoushan
from loaders.text.document import read_document
from loaders.text.engine import line_pieces
from policykg.core.records import Contact
from policykg.graph import rdfmap

SOURCE = Path(__file__).resolve().parent.parent / "data" / "sources" / "000_ae2937e95410f861.txt"


@pytest.fixture(scope="module")
def doc():
    return read_document(SOURCE)


@pytest.fixture(scope="module")
def parser(doc):
    return zhoushan.parse(doc.attachments[2])


@pytest.fixture(scope="module")
def rl(doc):
    return zhoushan.read(doc.attachments[2], None, document=doc)


@pytest.fixture(scope="module")
def rows(rl):
    """By 序号; the second printing of 27 is ``rows["27-2"]``."""
    return {r.row if r.occurrence == 1 else f"{r.row}-{r.occurrence}": r for r in rl.rows}


def measures(row):
    return [(m.number, m.text) for m in row.local_measures]


# --- counts and provenance -------------------------------------------------------------------


def test_row_count_and_numbers(rl, parser):
    assert rl.region == "330900" and rl.layout == "zhoushan"
    assert rl.title == "舟山市贯彻落实《浙江省促进民营经济高质量发展若干措施》细化表（2024年）"
    # 33 printed rows: 序号 27 is printed twice (lines 4167 and 4274), two rows of their own
    assert [r.row for r in rl.rows] == [*range(1, 28), 27, *range(28, 33)]
    assert [r.occurrence for r in rl.rows].count(2) == 1 and rl.rows[27].occurrence == 2
    assert len(parser.rows) == 33
    assert [r.seq for r in parser.rows].count(27) == 2
    assert [r.key_task for r in rl.rows] == [*range(1, 28), 27, *range(28, 33)]


def test_no_service_items(rl):
    assert all(r.service_items == () for r in rl.rows)


def test_every_line_is_placed_once(doc, parser):
    body = {p.no for p in line_pieces(doc.attachments[2])}
    placed = [n for r in parser.rows for n in r.lines]
    assert set(placed) == body
    # lines holding several cells (序号 + 重点工作, 实施阶段 + 责任单位, row 26's heads) count once per cell
    assert len(placed) - len(set(placed)) == 10


def test_provenance(rl, doc):
    for r in rl.rows:
        s = r.source
        assert s.document == "000_ae2937e95410f861.txt"
        assert s.sha256 == doc.sha256 and len(s.sha256) == 64
        assert s.attachment == 2
        assert 2553 < s.line_start <= s.line_end <= 4597
    assert (rl.rows[0].source.line_start, rl.rows[0].source.line_end) == (2570, 2660)
    assert (rl.rows[-1].source.line_start, rl.rows[-1].source.line_end) == (4560, 4597)


def test_warnings_name_the_quirks(rl):
    text = "\n".join(rl.warnings)
    for n in (7, 12, 15):
        assert f"序号未印出，按前一行推为 {n}" in text
    assert "序号 27 重复印出" in text
    assert "第 2789 行：序号 3 续于下页" in text and "第 3999 行：序号 24 续于下页" in text


# --- rows read by eye ------------------------------------------------------------------------


def test_row1_first(rows):
    r = rows[1]
    assert (r.general_task, r.general_task_label) == (1, "强化资源要素支持")
    assert r.key_task_label == "（一）推进税费优惠政策直达快享"
    assert measures(r)[0] == (1, "精准宣传“政策找人”。线上充分利用浙江税务征纳沟通平台，提供智能化、个性化精准推送服务；"
                                 "线下强化网格管理，落实税收服务长等特色制度，按照优惠政策适用对象，分级分类开展精准辅导。")
    assert [n for n, _ in measures(r)] == [1, 2, 3, 4]
    m1, m3 = r.local_measures[0], r.local_measures[2]
    assert m1.target.startswith("①增值税小规模纳税人减免增值税，小微企业减按25%计入应纳税所得额")
    assert m1.target.endswith("④允许先进制造业企业增值税加计抵减，从2023年执行到2027年度。")
    assert r.cells["stage"] == "①②④2023—2027年③长期实施"
    assert (m1.stage, m3.stage) == ("2023—2027年", "长期实施")
    assert m1.units == ("市税务局", "市科技局", "市财政局", "市人社局", "市退役军人事务局")
    assert m1.lead_unit == "市税务局"
    assert [(c.name, c.role) for c in r.contacts] == [("张波", "总会计师"), ("方晓", "法制科科长")]
    assert r.local_measures[0].key == "1-1"


def test_row2_merged_general_task_and_undivided_stage(rows):
    r = rows[2]
    assert r.general_task_label == "强化资源要素支持"          # merged cell, printed on row 1 only
    assert r.key_task_label == "（二）加大产业基金支持力度"
    m = r.local_measures[0]
    assert m.target == "绿色石化与新材料基金投向民营投资项目比重达到60%以上，市科创基金投向民间科创投资项目比重达到80%以上。"
    assert m.stage == "绿色石化与新材料基金的实施阶段根据省里统筹，市科创基金的措施为长期实施"
    # row 1's cell says 列第一位为牵头单位 for the whole list: the first unit leads on every row
    assert m.units == ("市财政局", "市府办", "市经信局", "市科技局", "市财金公司") and m.lead_unit == "市财政局"
    assert r.lead_unit == "市财政局" and r.units_note == ""
    assert r.contacts == (Contact("李磊", "市财金公司董事长", ""), Contact("陈保华", "", "15728086875"))


def test_row3_measures_continued_after_the_contacts(rows):
    r = rows[3]
    assert [n for n, _ in measures(r)] == [1, 2, 3, 4, 5, 6, 7]
    assert measures(r)[5][1].startswith("推动存量土地盘活利用。推进低效用地再开发")    # line 2789, next page
    assert measures(r)[6][1].endswith("积极实现“拿地即开工”。")
    assert r.local_measures[0].stage == "2023—2024年"
    assert r.local_measures[0].units == ("市资源规划局", "市发改委", "市经信局", "市财政局", "市住建局")
    assert (r.source.line_start, r.source.line_end) == (2725, 2794)


def test_row4_stage_and_unit_on_one_line(rows):
    r = rows[4]
    assert r.key_task_label == "（四）强化用能保障"                       # line 2796 "4 （四）强化"
    assert r.local_measures[0].target == "每年新增能耗的70%以上支持民间投资项目。"
    assert len(r.local_measures) == 2
    assert (r.local_measures[1].stage, r.local_measures[1].units) == ("2024年", ("市发改委",))   # line 2812
    assert [c.name for c in r.contacts] == ["戴曙洲", "娄伟军"]


def test_row5_eight_measures_numbered_target(rows):
    r = rows[5]
    assert len(r.local_measures) == 8
    assert r.local_measures[0].target.startswith("①推动民营企业贷款余额持续增长，综合融资成本稳中有降。②将普惠小微贷款")
    assert measures(r)[7] == (8, "运用应急转贷政策工具，为经营正常但暂遇困难的小微企业提供续贷“过桥”支持，解决企业短期融资周转需求。")
    units = r.local_measures[0].units
    assert len(units) == 9 and units[-1] == "国家金融监督管理总局舟山监管分局"
    assert r.local_measures[0].stage == "长期实施"


def test_row7_no_printed_number(rows):
    r = rows[7]
    assert (r.general_task, r.general_task_label) == (2, "鼓励拓展投资领域")
    assert r.key_task_label == "（七）向民营企业推介三张项目清单"
    assert r.local_measures[0].target == "每批次推介项目不少于10个，各县（区）、功能区不少于2个，市级有关单位原则上不少于1个。"
    assert measures(r)[0] == (1, "梳理形成2024年向民营企业推介的三张项目储备清单。")
    assert len(r.local_measures[0].units) == 10 and r.local_measures[0].units[1] == "市财政局（国资委）"
    assert r.source.line_start == 3010


def test_row11_contact_phone_inside_brackets(rows):
    r = rows[11]
    assert r.contacts == (Contact("王醒飞", "副局长", ""), Contact("金雪娥", "采监处副处长", "2282690"))


def test_row13_short_first_measure(rows):
    r = rows[13]
    assert r.local_measures[0].target == "对串通投标犯罪组织2轮“惊雷”波次打击”。"
    assert measures(r)[0] == (1, "落实招标代理执业情况定期通报机制。")
    assert r.local_measures[0].stage == "2024年"


def test_row15_no_number_no_phones(rows):
    r = rows[15]
    assert r.general_task_label == "维护市场公平竞争"             # merged from row 12
    assert r.key_task_label == "（十五）全面落实公平竞争审查制度"
    assert r.contacts == (Contact("鲍华君", "四级调研员"), Contact("陈冰", "执法协调处副处长"))
    assert r.local_measures[0].units == ("市市场监管局", "市发改委", "市司法局")


def test_row24_split_by_a_page_break(rows):
    r = rows[24]
    assert r.general_task_label == "营造最优发展氛围"
    target = r.local_measures[0].target
    assert target.endswith("⑥在2个以上重点产业推进重点产业预防性合规改革工作，打造2个以上产额合规中心，组建一批合规服务成员。")
    assert [n for n, _ in measures(r)] == [1, 2, 3, 4, 5, 6, 7]
    assert "扩大市场化解纷机制试点，规范完善律师市场化调解流程和运作机制" in measures(r)[2][1]   # lines 3966 / 4002
    assert measures(r)[6] == (7, "推动调解中心入驻“中国（杭州）知识产权·国际商事调解云平台”。")
    assert (r.source.line_start, r.source.line_end) == (3914, 4024)
    assert [c.name for c in r.contacts] == ["郑依娜", "李宝强"]


def test_row25_measure_starting_mid_line(rows):
    r = rows[25]
    assert [n for n, _ in measures(r)] == [1, 2, 3, 4, 5, 6]
    assert measures(r)[4] == (5, "完善市县两级领导干部联系民间投资重大项目制度。")
    assert measures(r)[5] == (6, "邀请优秀企业家开展咨询。")
    assert r.contacts[0] == Contact("诸葛明海", "副部长", "")


def test_row26_all_cells_start_on_one_line(rows):
    r = rows[26]
    assert r.key_task_label == "（二十六）推动政务服务增值化改革"
    m = r.local_measures[0]
    assert m.target.startswith("①至2024年底，打造形神兼备的企业综合服务中心，高频涉企服务事项集成纳入线下中心和线上平台。")
    assert measures(r)[0][1].startswith("打造形神兼备的企业综合服务中心，提升各级企业综合服务中心建设水平，推动企服中心")
    assert len(r.local_measures) == 7
    assert m.stage == "根据工作安排推进"
    assert m.units[0] == "市委改革办" and m.units[-1] == "有关行业主管单位"
    assert [(c.name, c.role) for c in r.contacts] == [("庄启旻", "院长"), ("蒋追龙", "产业处处长")]


def test_row27_printed_twice(parser, rows):
    first, second = [r for r in parser.rows if r.seq == 27]
    assert parser.cells(first)["row"] == "27" and parser.cells(second)["row"] == "27"
    c2 = parser.cells(second)
    assert c2["key_task"] == "（二十七）创新优化监管执法方式"
    assert c2["stage"] == "2024年" and c2["units"] == "市交通运输局"
    assert [c.name for c in parse_contacts(c2["contacts"])] == ["何波英", "张海强"]
    r, r2 = rows[27], rows["27-2"]
    assert (r.occurrence, r2.occurrence) == (1, 2) and r2.key_task == 27
    assert (r.source.line_start, r.source.line_end) == (4167, 4273)
    assert (r2.source.line_start, r2.source.line_end) == (4274, 4320)
    assert len(r.local_measures) == 7 and len(r2.local_measures) == 3
    assert {m.stage for m in r.local_measures} == {"长期实施"} and {m.stage for m in r2.local_measures} == {"2024年"}
    assert r2.local_measures[0].text.startswith("制定印发《全市交通运输“枫桥式”基层执法站所试点创建工作方案》")


def test_row27_each_printing_keeps_its_units_contacts_and_keys(rows):
    r, r2 = rows[27], rows["27-2"]
    # units in printed order, lead first, the catch-all "其他市级行政执法机关" as printed after "，"
    assert [(u.before, u.label) for u in r.units] == [
        ("", "市综合执法局"), ("、", "市司法局"), ("、", "市市场监管局"), ("、", "市海洋与渔业局"),
        ("，", "其他市级行政执法机关")]
    assert r.lead_unit == "市综合执法局" and all(m.lead_unit == "市综合执法局" for m in r.local_measures)
    assert [u.label for u in r2.units] == ["市交通运输局"] and r2.lead_unit == "市交通运输局"
    assert r2.local_measures[0].units == ("市交通运输局",)
    assert [c.name for c in r.contacts] == ["龚敏", "洪晶晶"]
    assert [c.name for c in r2.contacts] == ["何波英", "张海强"]
    assert [m.key for m in r.local_measures] == [f"27-{n}" for n in range(1, 8)]
    assert [m.key for m in r2.local_measures] == ["27p2-1", "27p2-2", "27p2-3"]


def test_row32_last(rows):
    r = rows[32]
    assert r.key_task_label == "（三十二）建立健全“四个定期”调度评估工作机制"
    m = r.local_measures[0]
    assert m.target == "①力争民间投资增速较2023年有所提升。②民间投资占固定资产投资比重50%以上。"
    assert measures(r)[-1] == (5, "落实浙江省民营经济统计监测制度。")
    assert m.units == ("市发改委", "市统计局") and m.stage == "长期实施"
    assert r.contacts == (Contact("陈能斌", "副主任", ""), Contact("邱晓岚", "投资处处长", "2281717"))


def test_measure_total(rl):
    assert sum(len(r.local_measures) for r in rl.rows) == 149


# --- personal data ---------------------------------------------------------------------------


def phones_in_text(lines: list[str]) -> set[str]:
    """Phone numbers in the raw text: 11-digit mobiles (also broken over two lines, e.g.
    ``1350680`` / ``1708``), 7-digit landlines and 6-digit short numbers (``（62412`` / ``6）``)."""
    texts = [t.strip() for t in lines if t.strip()]
    for i in range(len(texts) - 1):
        ma, mb = re.search(r"(\d+)$", texts[i]), re.match(r"^(\d+)", texts[i + 1])
        if not (ma and mb):
            continue
        joined = ma.group(1) + mb.group(1)
        bracketed = texts[i].endswith("（" + ma.group(1)) and texts[i + 1].startswith(mb.group(1) + "）")
        if re.fullmatch(r"1[3-9]\d{9}", joined) or bracketed:
            texts[i], texts[i + 1] = texts[i][:ma.start()] + joined, texts[i + 1][mb.end():]
    found: set[str] = set()
    for t in texts:
        found.update(re.findall(r"(?<![\d.])(?:1[3-9]\d{9}|\d{6,7})(?![\d.])", t))
    return found


def test_phones_never_public(doc, rl, parser):
    att = doc.attachments[2]
    phones = phones_in_text([ln.text for ln in att.lines])
    assert len(phones) == 34
    assert {"13506801708", "13567668580", "15728086875", "624126", "2187072", "663156"} <= phones
    # the parser finds every one of them in the 联系人 cells
    parsed = {re.sub(r"\D", "", part) for r in parser.rows for c in parse_contacts(parser.cells(r)["contacts"])
              for part in re.split(r"[（）]", c.phone) if part}
    assert parsed == phones
    public = []
    for r in rl.rows:
        public += [r.key_task_label, r.general_task_label, r.remark, *r.provincial_texts]
        public += [c.name for c in r.contacts] + [c.role for c in r.contacts]
        for m in r.local_measures:
            public += [m.key, m.text, m.target, m.stage, m.lead_unit, *m.units]
    public += rl.warnings + [rl.title]
    flat = re.sub(r"\s+", "", "\n".join(public))
    for p in phones:
        assert p not in flat, p
    graph = "\n".join(str(t) for t in rdfmap.region_list_triples(rl))
    for p in phones:
        assert p not in re.sub(r"\s+", "", graph), p
    restricted = "\n".join(str(t) for t in rdfmap.restricted_triples(rl))
    assert "13506801708" in restricted


def test_contact_names_are_public(rl):
    names = {c.name for r in rl.rows for c in r.contacts}
    for name in ("张波", "方晓", "陈保华", "夏志光", "苗杰", "诸葛明海", "庄启旻", "蒋追龙", "龚敏", "陈能斌", "邱晓岚"):
        assert name in names
    graph = "\n".join(str(t) for t in rdfmap.region_list_triples(rl))
    assert "张波" in graph and "总会计师" in graph
