"""loaders.people on real cells of the source document (舟山市, 附件 2; line numbers of the text file)."""

from __future__ import annotations

import pytest

from loaders.celltext import join_lines
from loaders.people import parse_contacts, parse_units, split_circled, stage_for
from policykg.core.records import Contact

# --- split_circled -------------------------------------------------------------------------


def test_split_circled_row1_measures():
    # 舟山 row 1, 市级细化措施, lines 2613-2633 (abridged)
    text = ("①精准宣传“政策找人”。线上充分利用浙江税务征纳沟通平台。②精准落实“免申即享”。深化“便民办税春风行动”。"
            "③精准回应涉税诉求。④精准防范政策风险。")
    assert split_circled(text) == [
        (1, "精准宣传“政策找人”。线上充分利用浙江税务征纳沟通平台。"),
        (2, "精准落实“免申即享”。深化“便民办税春风行动”。"),
        (3, "精准回应涉税诉求。"),
        (4, "精准防范政策风险。"),
    ]


def test_split_circled_item_starting_mid_line():
    # 舟山 row 25, lines 4040-4044: ⑤ begins in the middle of a line
    text = ("④深化落实“双融双强12条”，推动政企党建结对，选派党建指导员强化党务指导、搜集企业诉求、协调解决难题。"
            "⑤完善市县两级领导干部联系民间投资重大项目制度。⑥邀请优秀企业家开展咨询。")
    items = split_circled("①推动落实。②完善制度。③开展监督。" + text)
    assert [n for n, _ in items] == [1, 2, 3, 4, 5, 6]
    assert items[4] == (5, "完善市县两级领导干部联系民间投资重大项目制度。")


def test_split_circled_without_numbers_and_empty():
    target = "绿色石化与新材料基金投向民营投资项目比重达到60%以上，市科创基金投向民间科创投资项目比重达到80%以上。"
    assert split_circled(target) == [(0, target)]
    assert split_circled("") == []
    assert split_circled("  ") == []


def test_split_circled_out_of_sequence_number_is_text():
    assert split_circled("①甲③乙②丙") == [(1, "甲③乙"), (2, "丙")]
    assert split_circled("前言①甲") == [(0, "前言"), (1, "甲")]


# --- parse_units ---------------------------------------------------------------------------


def test_parse_units_row1_lead_clause():
    # lines 2641-2649
    text = join_lines(["市税务局、市", "", "科技局、市财", "政局、市人社", "局、市退役军", "", "人事务局，列", "第一位为牵", "头单位"])
    assert parse_units(text) == (["市税务局", "市科技局", "市财政局", "市人社局", "市退役军人事务局"], "市税务局")


def test_parse_units_without_lead_and_with_brackets():
    # row 5, lines 2889-2903
    text = "市府办、市发改委、市经信局、市财政局、市市场监管局、市工商联、市税务局、人民银行舟山市分行、国家金融监督管理总局舟山监管分局"
    units, lead = parse_units(text)
    assert lead == ""
    assert units[-2:] == ["人民银行舟山市分行", "国家金融监督管理总局舟山监管分局"]
    assert len(units) == 9
    # row 24, lines 3970-3981: a bracket holds a second name, not a separate unit
    units, _ = parse_units("市委依法治市办（市司法局）、市委政法委、市法院、市检察院、市公安局、市市场监管局、市贸促会、市工商联")
    assert units[0] == "市委依法治市办（市司法局）" and len(units) == 8


def test_parse_units_comma_and_etc():
    # row 27, lines 4247-4255
    assert parse_units("市综合执法局、市司法局、市市场监管局、市海洋与渔业局，其他市级行政执法机关")[0] == [
        "市综合执法局", "市司法局", "市市场监管局", "市海洋与渔业局", "其他市级行政执法机关"]
    # row 28, lines 4362-4367
    assert parse_units("市发改委、市法院、市市场监管局、市税务局等市级有关部门")[0] == [
        "市发改委", "市法院", "市市场监管局", "市税务局", "市级有关部门"]
    # row 26, lines 4149-4158
    assert parse_units("市政务服务办、市发改委、市经信局、市财政局、市市场监管局、市数据局，有关行业主管单位")[0][-1] == "有关行业主管单位"


@pytest.mark.parametrize("text, lead", [
    ("市发改委、市统计局，排第一位的为牵头单位", "市发改委"),
    ("市发改委（牵头）、市统计局", "市发改委"),
    ("牵头单位：市发改委；配合单位：市统计局、市财政局", "市发改委"),
    ("市发改委、市统计局", ""),
])
def test_parse_units_lead_variants(text, lead):
    units, got = parse_units(text)
    assert got == lead
    assert units[:2] == ["市发改委", "市统计局"]


def test_parse_units_empty():
    assert parse_units("") == ([], "")


# --- parse_contacts ------------------------------------------------------------------------


def test_contacts_row1_phones_broken_over_lines():
    # lines 2651-2660
    text = join_lines(["张波（总", "会计师）", "", "1350680", "1708，方", "晓（法制", "", "科科长）", "1356766", "8580"])
    assert parse_contacts(text) == [
        Contact("张波", "总会计师", "13506801708"),
        Contact("方晓", "法制科科长", "13567668580"),
    ]


def test_contacts_label_and_phone_in_brackets():
    # row 2, lines 2714-2723
    text = join_lines(["李磊（市", "", "财金公", "司董事", "长） ，", "", "联系人：", "陈保华", "（15728", "086875）"])
    assert parse_contacts(text) == [Contact("李磊", "市财金公司董事长", ""), Contact("陈保华", "", "15728086875")]
    # row 11, lines 3271-3283: phone inside the role's brackets
    text = join_lines(["王醒飞", "（副局", "", "长）", "联系人：", "金雪娥", "", "（采监", "处副处", "长", "", "2282690", "）"])
    assert parse_contacts(text) == [Contact("王醒飞", "副局长", ""), Contact("金雪娥", "采监处副处长", "2282690")]


def test_contacts_short_numbers_landline_and_no_separator():
    # row 3, lines 2773-2788: six-digit short numbers
    text = "夏志光（市资源规划局副局长）663156、苗杰（自然资源开发利用处处长）662283"
    assert [(c.name, c.phone) for c in parse_contacts(text)] == [("夏志光", "663156"), ("苗杰", "662283")]
    # row 4, lines 2814-2822: one landline after two names goes to the name it follows
    text = "戴曙洲（副主任）、娄伟军（能源处处长）2187072"
    assert parse_contacts(text) == [Contact("戴曙洲", "副主任", ""), Contact("娄伟军", "能源处处长", "2187072")]
    # row 6, lines 2994-3009: no separator between two people; a role with 、
    text = "郑磊择（市人社局党组成员、就业中心主任）夏港（市就业管理中心副主任）13567678173"
    assert parse_contacts(text) == [
        Contact("郑磊择", "市人社局党组成员、就业中心主任", ""),
        Contact("夏港", "市就业管理中心副主任", "13567678173"),
    ]
    # row 20, lines 3721-3731: mobile + short number
    assert parse_contacts("詹琼（行政许可服务处处长）13616804126（624126）") == [
        Contact("詹琼", "行政许可服务处处长", "13616804126（624126）")]
    # row 30, four-character name
    assert parse_contacts("诸葛明海（副部长）、杨琳（党外知识分子与非公有制经济处副处长）610029")[0].name == "诸葛明海"


def test_contacts_without_phone_and_empty():
    assert parse_contacts("鲍华君（四级调研员）、陈冰（执法协调处副处长）") == [
        Contact("鲍华君", "四级调研员"), Contact("陈冰", "执法协调处副处长")]
    assert parse_contacts("") == []
    assert parse_contacts("张三 13500000000") == [Contact("张三", "", "13500000000")]


def test_contacts_roles_never_hold_digits():
    text = "张曙（党组成员，副局长），王海滨（外贸处处长2281255）"
    cs = parse_contacts(text)
    assert [c.role for c in cs] == ["党组成员，副局长", "外贸处处长"]
    assert cs[1].phone == "2281255"


# --- stage_for -----------------------------------------------------------------------------


def test_stage_for_row1():
    # lines 2635-2639
    text = join_lines(["①②④", "2023—", "2027年", "③长期", "实施"])
    assert text == "①②④2023—2027年③长期实施"
    assert stage_for(text, 1) == "2023—2027年"
    assert stage_for(text, 2) == "2023—2027年"
    assert stage_for(text, 3) == "长期实施"
    assert stage_for(text, 4) == "2023—2027年"
    assert stage_for(text, 5) == text


def test_stage_for_undivided():
    # row 2, lines 2691-2705
    text = "绿色石化与新材料基金的实施阶段根据省里统筹，市科创基金的措施为长期实施"
    assert stage_for(text, 3) == text
    assert stage_for("长期实施", 1) == "长期实施"
    assert stage_for("", 1) == ""
