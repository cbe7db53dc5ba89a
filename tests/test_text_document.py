"""loaders.text.document: attachments, page furniture, line numbers, text helpers."""

from __future__ import annotations

from pathlib import Path

import pytest

from loaders.celltext import clean, join_lines, width
from loaders.text.document import parse_document, read_document
from policykg.core.errors import LoadError

SOURCE = Path(__file__).resolve().parent.parent / "data" / "sources" / "000_ae2937e95410f861.txt"


@pytest.fixture(scope="module")
def doc():
    return read_document(SOURCE)


def test_four_attachments_with_titles(doc):
    # titles read by eye, cleaned like cells: the extraction printed "民营经济 32条" (lines 66,
    # 4599, 5991) where the PDF has no space (line 2115 prints "民营经济32条")
    assert sorted(doc.attachments) == [1, 2, 3, 4]
    assert [doc.attachments[n].start for n in (1, 2, 3, 4)] == [64, 2553, 4598, 5990]
    assert doc.attachments[1].title == "2024年衢州市政务服务增值化改革与“民营经济32条”一体融合细化清单（企业综合服务中心承接内容）"
    assert doc.attachments[2].title == "舟山市贯彻落实《浙江省促进民营经济高质量发展若干措施》细化表（2024年）"
    assert doc.attachments[3].title == "2024年度钱塘区政务服务增值化改革与“民营经济32条”一体融合省级举措细化清单"
    assert doc.attachments[4].title == "德清县政务服务增值化改革与“民营经济32条”一体融合细化清单（企业综合服务中心承接内容）"
    assert doc.attachments[4].end == 9287          # last line has no newline
    assert doc.front[0].no == 1 and doc.front[-1].no == 63
    assert len(doc.sha256) == 64 and doc.name == "000_ae2937e95410f861.txt"


def test_line_numbers_kept(doc):
    a = doc.attachments[1]
    by_no = {ln.no: ln.text for ln in a.lines}
    assert by_no[83] == "1.精准宣传“政策找人”。充分发挥征纳互动服务"
    assert by_no[354] == "降低企业用地成本。"
    assert by_no[78] == "1"
    assert doc.text(118, 120) == "政策服务 政策推送\n税费优惠政\n策推送服务"


def test_repeated_headers_removed(doc):
    a = doc.attachments[1]
    kept = {ln.no for ln in a.lines}
    removed = {ln.no for ln in a.removed}
    # full header at the top of a page (lines 201-208), blank lines inside it dropped too
    assert {201, 202, 204, 205, 207, 208} <= removed
    assert not kept & {201, 202, 203, 204, 205, 206, 207, 208}
    # partial headers: " 承接板块" alone (1469), " 承接板块" + level header (1974-1975)
    assert {1469, 1974, 1975} <= removed
    # the first header (lines 69-76) is the attachment's header, not body
    assert [ln.no for ln in a.header] == [69, 70, 72, 73, 75, 76]
    assert 78 in kept and 210 in kept
    # 钱塘: full and partial header blocks
    r3 = {ln.no for ln in doc.attachments[3].removed}
    assert {4706, 4708, 4717, 4908, 4917, 5167, 5417, 5418, 5419, 5422} <= r3
    # nothing that looks like a header is left in any table body
    for a in doc.attachments.values():
        assert not [ln.no for ln in a.lines if ln.stripped in ("一级事项 二级事项 三级事项", "序号 省级重点工作 省级细化措施")]


def test_page_numbers_removed_row_numbers_kept(doc):
    numbers = {n: sorted(ln.no for ln in a.removed if ln.stripped.isdigit()) for n, a in doc.attachments.items()}
    assert numbers == {1: [1786], 2: [2664, 3144, 3571], 3: [5165], 4: [7499, 7906, 8388]}
    kept1 = {ln.no: ln.text for ln in doc.attachments[1].lines}
    assert kept1[1795] == "63"          # 序号 right after a page header stays
    kept4 = {ln.no: ln.text for ln in doc.attachments[4].lines}
    assert kept4[7521] == "47" and kept4[7928] == "60" and kept4[8410] == "77"


def test_clean_removes_extraction_spaces():
    assert clean("民营经济 32条") == "民营经济32条"
    assert clean("2024 年 6 月 7 日") == "2024年6月7日"
    assert clean("如地方指标不足， 特别重大") == "如地方指标不足，特别重大"
    assert clean("领 域 不 动 产 投 资 信 托 基 金") == "领域不动产投资信托基金"
    assert clean("“连续贷+ 灵活贷”") == "“连续贷+灵活贷”"
    assert clean("最高给予减点 100个 BP。") == "最高给予减点100个BP。"
    # spaces between two CJK words are in the source and stay
    assert clean("组织开展“走万企 提信心 优服务”活动") == "组织开展“走万企 提信心 优服务”活动"
    assert join_lines(["税费优惠政", "", "策推送服务"]) == "税费优惠政策推送服务"
    assert join_lines(["2.发挥市产业基金引领带动作用，", "低于 90%。"]) == "2.发挥市产业基金引领带动作用，低于90%。"


def test_width():
    assert width("税费优惠政") == 5
    assert width("“6+X”产业链") == 6.5
    assert width("2023年到 2025") == 6


def test_errors(tmp_path):
    with pytest.raises(LoadError) as e:
        read_document(tmp_path / "missing.txt")
    assert "无法读取" in str(e.value)
    with pytest.raises(LoadError) as e:
        parse_document(Path("x.txt"), b"no attachments here\n")
    assert "附件" in e.value.zh
    with pytest.raises(LoadError) as e:
        parse_document(Path("x.txt"), b"\xff\xfe\x00bad")
    assert "UTF-8" in e.value.zh
    with pytest.raises(LoadError) as e:
        parse_document(Path("x.txt"), "附件 1\n标题\n没有表头\n".encode())
    assert "序号" in e.value.zh


def test_unknown_attachment_number(tmp_path):
    from loaders.text import read_attachments

    path = tmp_path / "five.txt"
    path.write_text("通知\n附件 5\n标题\n序号\n1\n", encoding="utf-8")
    with pytest.raises(LoadError) as e:
        read_attachments(path, None)
    assert "附件 5" in e.value.zh
