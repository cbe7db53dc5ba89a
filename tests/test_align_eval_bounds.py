"""What the evaluation's gold allows (policykg/align/evaluate.py): the ceiling of order evidence,
leave-one-region-out calibration, and order that tolerates interleaved rows."""

from __future__ import annotations

import pytest

from policykg.align import align
from policykg.align.engine import ORDER_EVIDENCE, STRONG_TEXT
from policykg.align.evaluate import _best_cuts, _groups, gold, leave_one_out, order_bound
from policykg.core import iris
from policykg.core.config import SOURCE_DOCUMENT


@pytest.fixture(scope="module")
def lists():
    from loaders.text import read_attachments, read_backbone

    bb = read_backbone(SOURCE_DOCUMENT)
    return bb, {rl.region: rl for rl in read_attachments(SOURCE_DOCUMENT, bb)}


def test_qiantang_gold_is_what_the_list_reprints(lists):
    bb, ls = lists
    truth = gold(ls["330114"])
    # 70 rows, one service item each; the gold of a row is the set of provincial texts it reprints
    assert len(truth) == 70 and sum(len(w) for _g, w in truth.values()) == 99
    def row(n: int) -> list[int]:
        return sorted(truth[iris.service_item("330114", n)][1])

    assert row(9) == [15, 18, 20, 28] and row(10) == [16, 23, 24, 25, 27]   # interleaved rows
    assert row(5) == [8, 9, 10] and row(55) == [123]
    groups = _groups(ls["330114"])
    assert [sorted(s) for s in groups[26]] == [[113, 115, 117], [114, 116, 118]]


def test_best_cuts_counts_the_most_correct_consecutive_runs():
    # measures 1..5, group one printed {1, 3}, group two {2, 4, 5}: no cut gets more than 4 right
    assert _best_cuts([1, 2, 3, 4, 5], [frozenset({1, 3}), frozenset({2, 4, 5})]) == 4
    assert _best_cuts([1, 2, 3], [frozenset({1, 2, 3})]) == 3
    assert _best_cuts([1, 2], [frozenset({2}), frozenset({1})]) == 1     # against the order: one of the two


def test_order_evidence_cannot_reach_the_target_on_qiantang(lists):
    bb, ls = lists
    qt = order_bound(ls["330114"], bb)
    # every measure of the 26 key tasks 钱塘 covers (131) given to one row in order, the best cuts
    # chosen knowing the answer: 91 right, of 99 printed
    assert (round(qt.partition_precision, 4), round(qt.partition_recall, 4)) == (round(91 / 131, 4), round(91 / 99, 4))
    # each row's shortest consecutive run holding all it prints: 123 links for 99
    assert round(qt.extent_precision, 4) == round(99 / 123, 4) < 0.9
    qz = order_bound(ls["330800"], bb)
    assert qz.partition_recall == 1.0 and qz.extent_precision == 1.0
    assert order_bound(ls["330900"], bb) is None and order_bound(ls["330521"], bb) is None


def test_leave_one_region_out_picks_the_threshold_on_the_other_list(lists):
    bb, ls = lists
    out = {region: (t, s) for region, t, s in leave_one_out([ls[c] for c in ("330800", "330900", "330114")], bb)}
    assert set(out) == {"330800", "330114"}                   # 舟山 prints nothing: never held out
    t_qz, s_qz = out["330800"]
    t_qt, s_qt = out["330114"]
    assert (t_qz, t_qt) == (0.6, 0.3)
    assert s_qz.precision == 1.0 and 0.85 < s_qz.recall < 0.9
    assert s_qt.recall > 0.85 and s_qt.precision < 0.7


def test_order_never_lowers_a_clear_text_match_of_an_interleaved_row(lists):
    bb, ls = lists
    # 德清 prints key task 26 as 113, 117, 114, 114, 115, 116: the order keeps 113 and 117 and would
    # put rows 91 and 92 after 117. Their texts repeat 115's and 116's titles: they keep confidence 1
    al = align(ls["330521"], bb)
    by = al.by_subject()
    for row, number in ((91, 115), (92, 116)):
        measure = next(s for s in al.subjects if s.row == row and s.kind == "measure")
        top = by[measure.iri][0]
        assert (top.object_number, top.rank, top.asserted) == (number, 1, True)
        assert top.confidence >= STRONG_TEXT and ORDER_EVIDENCE not in top.evidence.split("；")
