"""The alignment engine on the four real lists: ranks, evidence, printed sets, bad input."""

from __future__ import annotations

import pytest

from policykg.align import align
from policykg.align.engine import COMPOSITE, LEXICAL, ORDER_EVIDENCE, THRESHOLD, TOP_K
from policykg.align.evaluate import baseline_top1, choose, evaluate, sweep
from policykg.core import iris
from policykg.core.config import SOURCE_DOCUMENT
from policykg.core.records import ListRow, LocalMeasure, RegionList, ServiceItem, SourceRef


@pytest.fixture(scope="module")
def lists():
    from loaders.text import read_attachments, read_backbone

    bb = read_backbone(SOURCE_DOCUMENT)
    return bb, {rl.region: rl for rl in read_attachments(SOURCE_DOCUMENT, bb)}


def _cands(al, iri):
    return al.by_subject()[iri]


def test_zhoushan_sub_measures_are_subjects_of_their_own_and_rank_their_provincial_measure(lists):
    bb, ls = lists
    al = align(ls["330900"], bb)
    measures = [s for s in al.subjects if s.kind == "measure"]
    assert len(measures) == 149                                  # every ①② of 舟山 on its own
    c = _cands(al, iris.local_measure("330900", "1-1"))
    assert [x.rank for x in c] == [1, 2, 3, 4, 5]
    assert (c[0].object_number, c[0].asserted, c[0].justification) == (1, True, LEXICAL)
    assert "政策找人" in c[0].evidence.split("；")
    # row 3's ⑤ (产业链供地) is provincial measure 9, not its neighbours
    assert _cands(al, iris.local_measure("330900", "3-5"))[0].object_number == 9


def test_deqing_reprinted_text_is_certain_and_its_service_items_are_aligned(lists):
    bb, ls = lists
    al = align(ls["330521"], bb)
    top = _cands(al, iris.local_measure("330521", "t45da9f2437"))[0]
    assert (top.object_number, top.confidence) == (1, 1.0)
    assert {"应享未享", "推送不成功", "政策找人"} <= set(top.evidence.split("；"))
    assert sum(s.kind == "service-item" for s in al.subjects) == 107
    item = _cands(al, iris.service_item("330521", 13))[0]          # 项目用能服务 -> 12 (用能保障)
    assert (item.object_number, item.asserted) == (12, True)


def test_candidates_are_ranked_bounded_and_deterministic(lists):
    bb, ls = lists
    for code, rl in ls.items():
        a, b = align(rl, bb), align(rl, bb)
        assert a.candidates == b.candidates, code
        for iri, cs in a.by_subject().items():
            assert 1 <= len(cs) <= TOP_K
            assert all(0.0 <= c.confidence <= 1.0 for c in cs)
            assert [c.score for c in cs] == sorted((c.score for c in cs), reverse=True), iri
            # the order alone asserts a service item; a local measure needs words in common
            assert all(c.asserted == (c.confidence >= THRESHOLD and (
                bool(set(c.evidence.split("；")) - {ORDER_EVIDENCE, ""}) or (c.subject_kind == "service-item"
                                                                              and c.evidence != "")))
                       for c in cs if c.justification == LEXICAL and not c.cross_task)


def test_printed_numbers_bound_the_candidates_and_are_refined_row_by_row(lists):
    bb, ls = lists
    al = align(ls["330800"], bb)
    c = _cands(al, iris.service_item("330800", 2))                  # 税费预填服务, printed 1–4 for the group
    assert {x.object_number for x in c} == {1, 2, 3, 4}
    assert (c[0].object_number, c[0].justification, c[0].asserted) == (2, COMPOSITE, True)   # 免申即享
    assert al.highlights == []                                       # 衢州 prints numbers for every measure
    qt = align(ls["330114"], bb)
    assert [x.object_number for x in _cands(qt, iris.service_item("330114", 1))] == [1]


def test_cross_task_link_only_on_a_clear_text_match(lists):
    bb, ls = lists
    # 舟山 12-2 “落实省市招标文件示范文本” reads like measures 58 (task 12), 61 (13) and 63 (14):
    # its own task's 58 is asserted, the look-alikes of other tasks only ranked
    zs = _cands(align(ls["330900"], bb), iris.local_measure("330900", "12-2"))
    assert [(c.object_number, c.asserted) for c in zs if c.object_number in (58, 61, 63)][0] == (58, True)
    assert not any(c.asserted for c in zs if c.cross_task)
    m30 = next(m for m in bb.measures if m.number == 30).text
    rows = [ListRow(1, 1, "（一）", local_measures=(LocalMeasure("x", "county-measure", m30),)),
            ListRow(2, 1, "（一）", local_measures=(LocalMeasure("y", "county-measure", "加强培训。"),))]
    al = align(RegionList("330100", "standard", rows, SourceRef("t.csv")), bb)
    top = _cands(al, iris.local_measure("330100", "x"))[0]
    assert (top.object_number, top.cross_task, top.asserted) == (30, True, True)
    weak = _cands(al, iris.local_measure("330100", "y"))
    assert weak[0].cross_task is False and {c.object_number for c in weak[:1]} <= {1, 2, 3, 4}


def test_bad_input_gives_findings_not_a_crash(lists):
    bb, _ = lists
    rows = [ListRow(1, 3, local_measures=(LocalMeasure("e", "county-measure", ""),)),
            ListRow(2, None, local_measures=(LocalMeasure("n", "county-measure", "探索实行产业链供地"),)),
            ListRow(3, 5, service_items=(ServiceItem(level3="ABC 123", content="Loan 500 USD"),))]
    al = align(RegionList("330100", "standard", rows, SourceRef("t.csv")), bb)
    msgs = [f.message for f in al.findings]
    assert any("第1行" in m and "文本为空" in m for m in msgs)
    assert any("第2行" in m and "没有重点工作" in m and "no key task" in m for m in msgs)
    assert any("第3行" in m and "没有中文" in m for m in msgs)
    # the row without key task still finds its measure by text; the empty one only its key task's
    assert _cands(al, iris.local_measure("330100", "n"))[0].object_number == 9
    assert all(c.object_number in {7, 8, 9, 10, 11} for c in _cands(al, iris.local_measure("330100", "e")))
    assert iris.local_measure("330100", "e") in al.highlights


def test_evaluation_against_printed_citations_and_baseline(lists):
    bb, ls = lists
    qz = {s.method: s for s in evaluate(ls["330800"], bb)}
    qt = {s.method: s for s in evaluate(ls["330114"], bb)}
    assert evaluate(ls["330900"], bb) == [] and evaluate(ls["330521"], bb) == []   # they print nothing
    assert (qz["engine"].subjects, qz["engine"].groups, qt["engine"].subjects) == (165, 31, 70)
    assert qz["engine"].precision >= 0.95 and qz["engine"].recall > qz["baseline"].recall
    assert qt["engine"].top1 > qt["baseline"].top1 and qt["engine"].recall > qt["baseline"].recall
    grid = sweep([ls["330800"], ls["330114"]], bb)
    assert choose(grid) == THRESHOLD
    sub = next(s for s in align(ls["330114"], bb, hide_printed=True).subjects if s.row == 1)
    assert baseline_top1(sub, bb) in {1, 2, 3, 4}
