"""The provincial backbone read from the document, checked against the document itself.

Expected titles and texts below were typed from the source text (附件 1, 省级重点工作 and
省级细化措施 columns; 附件 2, 总体任务 column), not copied from the parser's output.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.text import read_backbone
from loaders.text.document import read_document

SOURCE = Path(__file__).resolve().parent.parent / "data" / "sources" / "000_ae2937e95410f861.txt"


def nows(s: str) -> str:
    return re.sub(r"\s+", "", s)


@pytest.fixture(scope="module")
def backbone():
    return read_backbone(SOURCE)


@pytest.fixture(scope="module")
def doc():
    return read_document(SOURCE)


KEY_TASK_TITLES = {
    1: "强化财税政策保障",
    2: "加大产业基金支持力度",
    3: "保障合理用地需求",
    4: "强化用能保障",
    5: "强化金融保障",
    6: "强化人才和用工需求保障",
    7: "向民营企业推介三张项目清单",
    8: "充分发挥民营企业科技创新主体作用",
    9: "鼓励发展创业投资",
    10: "支持民营企业盘活存量资产",
    11: "加大政府采购对中小微企业支持力度",
    12: "严格落实招投标“七个不准”",
    13: "加大工程建设项目招投标领域突出问题专项整治力度",
    14: "增加招标人的自主权利",
    15: "严格落实公平竞争审查制度",
    16: "严格实行“非禁即入”",
    17: "实施“千团万企”行动助力民营企业拓市场",
    18: "引导有序布局境外产业",
    19: "推动平台经济创新发展走在前列",
    20: "支持个体工商户升级为企业",
    21: "支持企业加大技改投资",
    22: "强化中小企业数字化改造支持",
    23: "构建完善优质企业梯度培育体系",
    24: "依法保护民营企业产权和企业家权益",
    25: "构建亲清政商关系",
    26: "推动政务服务增值化改革",
    27: "创新优化监管执法方式",
    28: "完善社会信用激励约束机制",
    29: "完善拖欠账款和欠薪常态化预防清理机制",
    30: "促进民营经济人士健康成长",
    31: "营造尊重民营经济创新创业的舆论环境",
    32: "建立健全“四个定期”调度评估工作机制",
}

MEASURE_TEXTS = {
    5: "在基金绩效管理办法中明确，设置考核加分指标，对投资民间投资项目超过70%的基金按完成情况予以加分。",
    6: "在基金投后管理的过程中引导鼓励基金加强对民间投资力度。",
    # continues after a page header (line 354)
    8: "按照投资项目不同行业生命周期，支持采取弹性年期出让、先租后让、长期租赁等方式供地，"
       "合理确定土地供应方式和使用年限，有效降低企业用地成本。",
    12: "做好民间投资项目分阶段用能保障，确保省重大建设用能实现“应保尽保”。",
    18: "积极推进融资担保合作。",
    # a real space between CJK words stays; "+ " of the extraction goes
    21: "组织开展“走万企 提信心 优服务”活动，推广“连续贷+灵活贷”“信易贷”“小微主体信用融资新模式”等机制。",
    # printed alone at the top of the next page (line 782)
    29: "推动银行机构完善考核激励、尽职免责等制度安排，引导开发区别于大集团、小微客户的中型企业专门评价模型。",
    45: "支持杭州、宁波率先发起设立私募股权二级市场基金（S基金）。",
    62: "扩大区域性“评定分离”综合试点范围。",
    69: "继续支持民营企业积极参展。",
    # split by a page break (line 1646)
    87: "制定《浙江省“浙个好”品牌个体工商户评选规则》，首先在民宿、非遗两大领域开展首批“浙个好”品牌个体工商户评选。",
    103: "编撰企业法律风险提示手册。",
    142: "建立健全议事协调机制。",
    145: "支持在畅通国企民企合作路径、创新民营经济“风险池”、民企牵头重大科技公关项目等方面开展试点。",
    146: "建立浙江省民营经济统计监测制度。",
}


def test_counts_and_numbering(backbone):
    assert [k.number for k in backbone.key_tasks] == list(range(1, 33))
    assert [m.number for m in backbone.measures] == list(range(1, 147))
    assert backbone.source.attachment == 1


def test_all_32_titles(backbone):
    assert {k.number: k.title for k in backbone.key_tasks} == KEY_TASK_TITLES


def test_hand_typed_measure_texts(backbone):
    by_no = {m.number: m for m in backbone.measures}
    for n, text in MEASURE_TEXTS.items():
        assert by_no[n].text == text, n


def test_every_measure_text_is_in_the_document(backbone, doc):
    """Whitespace-free, each text is the document's text from its first to its last line,
    except that a measure split by a page break skips what lies between its two parts."""
    for m in backbone.measures:
        src = m.source
        assert src.document == "000_ae2937e95410f861.txt" and src.attachment == 1
        assert src.line_start <= src.line_end
        span = nows(doc.text(src.line_start, src.line_end))
        text = f"{m.number}." + nows(m.text)
        assert span.startswith(text[:8]), m.number
        assert span.endswith(text[-8:]), m.number
        if span.startswith(text):
            continue
        # page-split: a prefix at the start, the rest at the end
        assert any(span.startswith(text[:k]) and span.endswith(text[k:]) for k in range(8, len(text))), m.number
        assert m.number in {8, 15, 87, 115}, m.number
        assert src.line_end - src.line_start > 20


def test_measures_end_a_sentence_and_carry_no_number(backbone):
    for m in backbone.measures:
        assert m.text.endswith("。"), m.number
        assert not re.match(r"^\d+[.．]", m.text), m.number
        assert "\n" not in m.text and "  " not in m.text


def test_measure_key_tasks(backbone):
    key = {m.number: m.key_task for m in backbone.measures}
    # spot checks read off the document: the measure sits in the key task's merged cell
    expected = {1: 1, 4: 1, 5: 2, 6: 2, 7: 3, 11: 3, 12: 4, 13: 5, 29: 5, 30: 6, 36: 6, 69: 17, 87: 20, 89: 20,
                90: 21, 115: 26, 119: 27, 122: 27, 127: 27, 128: 28, 131: 29, 141: 32, 146: 32}
    assert {n: key[n] for n in expected} == expected
    counts = {}
    for m in backbone.measures:
        counts[m.key_task] = counts.get(m.key_task, 0) + 1
    assert counts[5] == 17 and counts[27] == 9 and counts[4] == 1 and counts[17] == 1
    assert sorted(counts) == list(range(1, 33))
    assert all(key[a] <= key[b] for a, b in zip(range(1, 146), range(2, 147), strict=True))


def test_general_tasks(backbone):
    assert [(g.number, g.title) for g in backbone.general_tasks] == [
        (1, "强化资源要素支持"), (2, "鼓励拓展投资领域"), (3, "维护市场公平竞争"),
        (4, "助力拓市场促升级"), (5, "营造最优发展氛围"),
    ]
    general = {k.number: k.general_task for k in backbone.key_tasks}
    assert {n: general[n] for n in (1, 6, 7, 11, 12, 16, 17, 23, 24, 32)} == {
        1: 1, 6: 1, 7: 2, 11: 2, 12: 3, 16: 3, 17: 4, 23: 4, 24: 5, 32: 5}


def test_measures_also_printed_by_qiantang(backbone, doc):
    """Independent check: 钱塘 prints the provincial texts without numbers; most of our texts
    appear there verbatim (whitespace removed, page headers cut out)."""
    qiantang = nows("".join(ln.text for ln in doc.attachments[3].lines))
    found = [m.number for m in backbone.measures if nows(m.text) in qiantang]
    assert len(found) >= 95


def test_missing_attachment_1_is_an_error(tmp_path):
    from policykg.core.errors import LoadError

    path = tmp_path / "only2.txt"
    path.write_text("通知\n 附件 2\n标题\n序\n号\n总体任务\n1\n一、强化\n", encoding="utf-8")
    with pytest.raises(LoadError) as e:
        read_backbone(path)
    assert "附件 1" in e.value.zh and "only2.txt" in str(e.value)


def test_incomplete_table_is_an_error(tmp_path):
    """A truncated 衢州 table cannot give 146 measures: refuse rather than load half a backbone."""
    from policykg.core.errors import LoadError

    lines = SOURCE.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "truncated.txt"
    path.write_text("\n".join(lines[:1000]) + "\n", encoding="utf-8")
    with pytest.raises(LoadError) as e:
        read_backbone(path)
    assert "1–32" in e.value.zh or "1–146" in e.value.zh
