"""Measure-level completeness (issue 15): the checks queries/checks/landing-row-*-warning.rq flag
rows, queries/checks/landing-measure-warning.rq flags measures other regions converted; with the real
build (printed links, and the alignment engine's predicted ones for 舟山 and 德清) and with a
crafted alignment graph (tests/landing_support.py)."""

from __future__ import annotations

from collections import Counter

import landing_support as ls
import pytest

from policykg.core import iris
from policykg.validate import run_store

ROW_SHAPE = "landing-row-measures-warning"
OWN_SHAPE = "landing-row-without-item-warning"
CHECK = "landing-measure-warning"


@pytest.fixture(scope="module")
def real(built_store):
    return run_store(built_store).results


@pytest.fixture(scope="module")
def aligned(tmp_path_factory):
    root = tmp_path_factory.mktemp("aligned-shapes") / "store"
    ls.build_aligned_store(root)
    return run_store(root).results


def by(findings, shape: str) -> list:
    return [f for f in findings if f.shape.endswith(shape)]


def test_rows_whose_measures_have_no_item_in_the_region(real):
    rows = by(real, ROW_SHAPE)
    # 衢州 rows 80 and 93 answer key tasks 27 (122–127) and 32 (141–146): no item in 衢州 for any of them;
    # 舟山 has no service item at all: every row the alignment links to a measure (all but row 17;
    # row 27 is printed twice, the second is row/27-2); 德清's aligned rows all reach an item
    assert sorted((f.region, f.row) for f in rows if f.region != "330900") == [("330800", 80), ("330800", 93)]
    assert sorted(f.row for f in rows if f.region == "330900") == [*range(1, 17), *range(18, 28), 27, *range(28, 33)]
    assert iris.row("330900", 27, 2) in {f.focus for f in rows}
    assert all(f.severity == "Warning" for f in rows)
    f = next(f for f in rows if f.row == 93)
    assert f.focus == iris.row("330800", 93)
    assert "衢州市（330800）清单第93行" in f.message and "141" in f.message
    assert "have no service item anywhere in the region" in f.message


def test_rows_that_only_cite_measures_carry_no_item(real):
    own = by(real, OWN_SHAPE)
    # 衢州 rows of merged groups that cite the group's measures and have no service item themselves
    assert sorted((f.region, f.row) for f in own) == [("330800", 70), ("330800", 71), ("330800", 73), ("330800", 92)]
    assert all(f.severity == "Warning" for f in own)
    assert "本行没有服务事项" in own[0].message and "carries no service item itself" in own[0].message


def test_measures_other_regions_converted_are_flagged_per_region(real):
    found = by(real, CHECK)
    # every non-converted cell but those of 122, 124, 146 (no region converted them): 德清 28 − 3,
    # 舟山 146 − 3, 钱塘 47 − 3, 衢州 12 − 3
    assert Counter(f.region for f in found) == {"330521": 25, "330900": 143, "330114": 44, "330800": 9}
    assert all(f.severity == "Warning" for f in found)
    assert not any(f.region == "330521" and f.focus.endswith("/landing/30") for f in found)   # aligned: converted
    f = next(f for f in found if f.region == "330521" and f.focus.endswith("/landing/3"))
    assert f.key_task == 1
    assert "湖州市德清县（330521）：省级细化措施3（重点工作1）已有 2 个其他地区转化为服务事项，本地区未落地" in f.message
    q = next(f for f in found if f.region == "330800" and f.focus.endswith("/landing/123"))
    assert "已细化但未转化为服务事项" in q.message and "refined but not converted" in q.message


def test_aligned_links_count_in_the_shapes(aligned):
    rows = by(aligned, ROW_SHAPE)
    # 舟山 row 1's local measure now implements 20, which no 舟山 item implements
    assert ("330900", 1) in {(f.region, f.row) for f in rows}
    f = next(f for f in rows if f.region == "330900")
    assert "（20）" in f.message
    found = by(aligned, CHECK)
    deqing = {f.focus.rsplit("/", 1)[-1] for f in found if f.region == "330521"}
    assert "16" not in deqing and len(deqing) == 140          # 德清 × 16 is converted through the alignment
    z20 = next(f for f in found if f.region == "330900" and f.focus.endswith("/landing/20"))
    assert "本地区已细化但未转化为服务事项" in z20.message
