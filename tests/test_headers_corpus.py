"""Issue 20's variant corpus: each variant of a real list loads into the original's graph.

The variants (tests/header_variants.py) rename, reorder and respell headers, add titles,
two-row headers, extra columns, sheets, hidden rows and columns, merged cells, GBK CSV and
序号 forms. "The same graph" is isomorphism of the triples without provenance (loadkit),
with the region code of a variant loaded as another region (余杭区) mapped back.
"""

from __future__ import annotations

import re

import pytest
from header_variants import VARIANTS, Variant
from loadkit import PK, assert_same_graph, comparable, region_triples
from pyoxigraph import Literal, NamedNode, Triple

from loaders.export import region_table
from loaders.headers import ReadOptions, parse_map
from loaders.load import backbone_from_store, read_list
from policykg.core import regions
from policykg.core.errors import LoadError
from policykg.graph.rdfmap import region_list_triples

REMARK = PK + "remark"
PHONE = re.compile(r"0580-?2281234")


def recode(triples, code: str, original: str) -> list[Triple]:
    """IRIs and literals of region ``code`` written as ``original``'s (its code and names)."""
    a, b = regions.get(code), regions.get(original)
    names = [(a.full_name, b.full_name), (a.name, b.name)]

    def node(t):
        if isinstance(t, NamedNode):
            return NamedNode(t.value.replace(f"region/{code}", f"region/{original}"))
        if isinstance(t, Literal):
            value = t.value.replace(code, original)
            for x, y in names:
                value = value.replace(x, y)
            return Literal(value, language=t.language) if t.language else Literal(value, datatype=t.datatype)
        return t

    return [Triple(node(t.subject), t.predicate, node(t.object)) for t in triples]


def load_variant(built_store, tmp_path, v: Variant, **extra):
    path = v.build(region_table(built_store, v.code), tmp_path / v.id)
    opts = ReadOptions(hand=parse_map(v.hand), **extra)
    rl, form = read_list(path, v.region, backbone=backbone_from_store(built_store), strict=False, options=opts)
    return path, rl, opts


def test_corpus_size_and_coverage():
    assert len(VARIANTS) >= 20
    assert {v.code for v in VARIANTS} == {"330800", "330900", "330114", "330521"}
    assert len({v.id for v in VARIANTS}) == len(VARIANTS)


@pytest.mark.parametrize("v", VARIANTS, ids=lambda v: v.id)
def test_variant_loads_into_the_original_graph(built_store, tmp_path, v):
    path, rl, opts = load_variant(built_store, tmp_path, v)
    original = region_triples(built_store, v.code)
    got = region_list_triples(rl)
    if v.load_as:
        got = recode(got, v.load_as, v.code)
    if v.notes:
        remarks = {t.subject.value.rsplit("/", 1)[-1]: t.object.value for t in got if t.predicate.value == REMARK}
        for n, note in v.notes.items():
            assert note in remarks[n], f"序号 {n}: the extra column's text is kept in 备注"
        assert not any(PHONE.search(t.object.value) for t in got if isinstance(t.object, Literal)), \
            "a column of phone numbers is left out"
        assert any("联系电话" in w and "personal data" in w for w in rl.warnings)
        original = [t for t in original if t.predicate.value != REMARK]
        got = [t for t in got if t.predicate.value != REMARK]
    assert_same_graph(comparable(original), comparable(got), f"{v.id} ({path.name})")
    assert opts.recognition is not None and opts.recognition.layout.id == rl.layout


def test_yuhang_loads_without_a_map(built_store, tmp_path):
    v = next(v for v in VARIANTS if v.id == "dq-yuhang")
    _, rl, opts = load_variant(built_store, tmp_path, v)
    rec = opts.recognition
    assert rl.region == "330110" and rl.layout == "deqing" and not v.hand
    assert rl.title == "2024年余杭区政务服务增值化改革与“民营经济32条”一体融合细化清单"
    fields = {m.header: (m.field, m.how) for m in rec.matches}
    assert fields["重点工作"] == ("key_task", "alias") and fields["细化举措"] == ("local_measure", "alias")
    assert fields["承接板块（专区）"] == ("block", "alias")
    assert [h for _, h in rec.extras] == ["备注"]
    assert rec.score == pytest.approx(8 / 9, abs=1e-3)      # 8 columns found at 100, one column left over
    assert "版式 deqing，表头得分 0.89" in rec.describe()
    assert len(rl.rows) == len(region_table(built_store, "330521").groups) == 107


def test_hand_mapping_is_needed_and_named(built_store, tmp_path):
    v = next(v for v in VARIANTS if v.id == "dq-hand-map")
    bare = Variant(v.id, v.code, v.varies, v.build)
    with pytest.raises(LoadError, match="无法识别表头.*最接近：deqing，缺少 县级细化举措"):
        load_variant(built_store, tmp_path, bare)
    wrong = Variant(v.id, v.code, v.varies, v.build, hand=("工作举措内容=local_measures",))
    with pytest.raises(LoadError, match="未知字段 local_measures"):
        load_variant(built_store, tmp_path, wrong)
    absent = Variant(v.id, v.code, v.varies, v.build, hand=("举措=local_measure",))
    with pytest.raises(LoadError, match="文件表头中没有“举措”"):
        load_variant(built_store, tmp_path, absent)


def test_region_named_in_the_title_or_sheet(built_store, tmp_path):
    qz = next(v for v in VARIANTS if v.id == "qz-title-gb18030")
    as_zhoushan = Variant(qz.id, qz.code, qz.varies, qz.build, load_as="330900")
    with pytest.raises(LoadError, match="标题.*写的是 衢州市（330800），不是 --region 330900（舟山市）.*--force"):
        load_variant(built_store, tmp_path, as_zhoushan)
    _, rl, _ = load_variant(built_store, tmp_path, as_zhoushan, force=True)
    assert rl.region == "330900" and any("--force" in w for w in rl.warnings)
    got = recode(region_list_triples(rl), "330900", "330800")
    assert_same_graph(comparable(region_triples(built_store, "330800")), comparable(got), "forced")
    zs = next(v for v in VARIANTS if v.id == "zs-hidden")
    with pytest.raises(LoadError, match="工作表“舟山市”写的是 舟山市（330900），不是 --region 330521"):
        load_variant(built_store, tmp_path, Variant(zs.id, zs.code, zs.varies, zs.build, load_as="330521"))


def test_hidden_rows_and_columns_and_sheet_choice_are_reported(built_store, tmp_path):
    zs = next(v for v in VARIANTS if v.id == "zs-hidden")
    _, rl, _ = load_variant(built_store, tmp_path, zs)
    assert any("隐藏的第 3 行未读入" in w for w in rl.warnings)
    assert any("隐藏的 B 列未读入" in w for w in rl.warnings)
    qz = next(v for v in VARIANTS if v.id == "qz-sheets")
    _, rl, opts = load_variant(built_store, tmp_path, qz)
    assert opts.recognition.sheet == "清单"
    assert any("读入工作表“清单”" in w and "“汇总” 0.00" in w for w in rl.warnings)
    with pytest.raises(LoadError, match="没有工作表“清单二”；工作表：填表说明、汇总、清单"):
        load_variant(built_store, tmp_path, qz, sheet="清单二")
    with pytest.raises(LoadError, match="无法识别表头"):
        load_variant(built_store, tmp_path, qz, sheet="汇总")
