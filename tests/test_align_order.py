"""The order evidence: rows follow the provincial measures within a key task (policykg/align/order.py)."""

from __future__ import annotations

import pytest

from policykg.align import align
from policykg.align.engine import ORDER_EVIDENCE, THRESHOLD
from policykg.align.order import relations
from policykg.core import iris
from policykg.core.config import SOURCE_DOCUMENT


@pytest.fixture(scope="module")
def lists():
    from loaders.text import read_attachments, read_backbone

    bb = read_backbone(SOURCE_DOCUMENT)
    return bb, {rl.region: rl for rl in read_attachments(SOURCE_DOCUMENT, bb)}


def _kinds(rel: dict) -> list[str]:
    return [rel[p].kind for p in sorted(rel)]


def test_weak_rows_between_anchors_share_the_gap_in_order():
    # five positions; element 0 names position 0, element 3 names position 4; elements 1 and 2 say nothing
    conf = [[0.99, 0.1, 0.1, 0.1, 0.1], [0.1] * 5, [0.1] * 5, [0.1, 0.1, 0.1, 0.1, 0.99]]
    rel = relations(conf)
    assert _kinds(rel[0])[0] == "share" and rel[0][4].kind == "claimed"
    assert [p for p, r in rel[1].items() if r.kind == "share"] == [1]          # 3 measures, 2 rows: 1 | 2, 3
    assert [p for p, r in rel[2].items() if r.kind == "share"] == [2, 3]
    assert (rel[2][2].size, rel[1][0].kind, rel[1][4].kind) == (2, "claimed", "claimed")
    assert (rel[1][2].kind, rel[2][1].kind) == ("taken", "taken")        # the other weak row's run


def test_an_anchor_against_the_order_is_demoted():
    # anchors at 0, 3, 1, 4: the heaviest non-decreasing run keeps 0, 3, 4 and demotes the one at 1
    conf = [[0.99 if p == q else 0.0 for p in range(5)] for q in (0, 3, 1, 4)]
    rel = relations(conf)
    # between the kept anchors at 3 and 4 there is no free measure: it may answer either
    assert rel[2][1].kind == "out" and [p for p, r in rel[2].items() if r.kind == "share"] == [3, 4]
    assert rel[1][3].size == 1 and rel[2][0].kind == "out"
    assert relations([]) == []


def test_qiantang_generic_service_items_are_placed_by_order(lists):
    bb, ls = lists
    al = align(ls["330114"], bb, hide_printed=True).by_subject()
    # 涉税政策服务 sits between 高能级科创平台申报服务 (40) and 重大科技项目申报服务 (42): it answers 41,
    # which its text alone ranks with confidence 0.04
    top = al[iris.service_item("330114", 23)][0]
    assert (top.object_number, top.asserted, top.evidence) == (41, True, ORDER_EVIDENCE)
    assert top.confidence >= THRESHOLD
    # 人才宣讲服务 and 政策咨询宣讲服务 between 136 and 139: one measure each, in order
    assert [al[iris.service_item("330114", r)][0].object_number for r in (66, 67)] == [137, 138]


def test_order_alone_never_links_a_local_measure(lists):
    bb, ls = lists
    al = align(ls["330800"], bb, hide_printed=True)
    by = al.by_subject()
    # key task 17 has one provincial measure (69): the order names it for 衢州's row 50, but the row's
    # 市级落实细则 shares no word with it and stays unasserted; its service item is asserted
    measure = next(s for s in al.subjects if s.row == 50 and s.kind == "measure")
    m = by[measure.iri][0]
    item = by[iris.service_item("330800", 50)][0]
    assert (m.object_number, m.evidence, m.asserted) == (69, ORDER_EVIDENCE, False)
    assert (item.object_number, item.asserted) == (69, True) and ORDER_EVIDENCE in item.evidence.split("；")
