"""policykg load into a store: one region's graph replaced atomically, the rest untouched."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from loadkit import copy_store

from loaders.export import export_region
from loaders.load import load_region
from policykg import pool
from policykg.cli import main
from policykg.core import iris
from policykg.core.errors import LoadError
from policykg.graph import store


def _graphs(store_dir) -> dict[str, set[str]]:
    st = store.open_read_only(store_dir)
    return {g.value: {str(q) for q in st.quads_for_pattern(None, None, None, g)} for g in st.named_graphs()}


@pytest.fixture()
def store_dir(built_store, tmp_path):
    return copy_store(built_store, tmp_path / "store")


def test_load_replaces_one_region_and_keeps_the_others(store_dir, tmp_path):
    before = _graphs(store_dir)
    restricted_before = store.current(store_dir).restricted_file.read_text(encoding="utf-8")
    path = tmp_path / "qz.csv"
    data = export_region(store_dir, "330800", "csv").decode("utf-8-sig")
    lines = data.splitlines()
    path.write_text("\n".join(lines[:11]), encoding="utf-8")          # 衢州's first 10 rows only
    res = load_region(store_dir, path, "330800")
    assert (res.rows, res.layout, res.form, res.region_name) == (10, "quzhou", "csv", "衢州市")
    assert res.service_items == 10 and res.local_measures == 2
    assert "10 行" in res.summary() and "10 rows" in res.summary()
    after = _graphs(store_dir)
    graph = iris.region_graph("330800")
    stats = iris.graph("statistics")
    assert set(after) == set(before)
    for g in before:
        if g not in (graph, stats, iris.alignment_graph("330800")):
            assert after[g] == before[g], f"{g} changed"
    assert after[graph] != before[graph]
    # the statistics are recounted: 衢州's changed, the other regions' kept (but for their
    # item-name pairs with 衢州, queries/derive/region-pairs.rq)
    changed = after[stats] ^ before[stats]
    assert changed and all("/region/330800/" in q or "/item-name-pair/330800>" in q for q in changed)
    assert any("/item-name-pair/330800>" in q for q in changed)
    rows = [q for q in after[graph] if "/row/" in q and "rowNumber" in q]
    assert len(rows) == 10
    assert store.current(store_dir).restricted_file.read_text(encoding="utf-8") == restricted_before, \
        "舟山's phone numbers stay in the restricted file"
    from policykg.sparql import queries

    res = queries.run(store.open_read_only(store_dir),
                      "SELECT (COUNT(?r) AS ?n) WHERE { ?r pk:rowNumber ?x ; pk:region ?reg . ?reg pk:divisionCode '330800' }")
    assert res.values()[0]["n"] == "10", "the default graph (merge of the named graphs) follows the load"
    summary = queries.run(store.open_read_only(store_dir), queries.get("region-summary").text).values()
    assert {r["region"]: (r["rows"], r["localMeasures"], r["serviceItems"]) for r in summary}["330800"] == \
        ("10", "2", "10"), "the statistics graph follows the load"


def test_new_region_and_cli_output(store_dir, tmp_path):
    path = tmp_path / "dq.csv"
    path.write_bytes(export_region(store_dir, "330800", "csv"))
    res = CliRunner().invoke(main, ["load", str(path), "--region", "330881", "--store", str(store_dir)])
    assert res.exit_code == 0, res.output
    assert "已加载 dq.csv → 衢州市江山市（330881，版式 quzhou）：93 行" in res.stdout
    assert "写入新的存储版本" in res.stderr
    assert iris.region_graph("330881") in _graphs(store_dir)


@pytest.mark.parametrize("cpus", [1, 2], ids=["inline", "forked"])
def test_validation_violations_refuse_the_load(store_dir, tmp_path, monkeypatch, cpus):
    """德清's own list has rows without a level-1 category: structure Violations, nothing loaded.
    The validation runs in a child beside the writing (two CPUs) or before it (one): either
    way its verdict refuses the generation, which is removed unpublished."""
    monkeypatch.setattr(pool, "cpu_count", lambda: cpus)
    path = tmp_path / "dq.csv"
    path.write_bytes(export_region(store_dir, "330521", "csv"))
    before = _graphs(store_dir)
    generations = sorted(p.name for p in store_dir.glob("gen-*"))
    live = store.generation_name(store_dir)
    with pytest.raises(LoadError, match="(?s)结构校验发现 7 处违规.*第13行.*一级事项"):
        load_region(store_dir, path, "330521", strict=False)
    assert _graphs(store_dir) == before
    assert store.generation_name(store_dir) == live
    assert sorted(p.name for p in store_dir.glob("gen-*")) == generations


def test_pdf_progress_per_page(store_dir, tmp_path):
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    path = tmp_path / "two.pdf"
    c = canvas.Canvas(str(path), pagesize=landscape(A4))
    for _ in range(2):
        c.drawString(72, 72, "no table")
        c.showPage()
    c.save()
    seen: list[str] = []
    from policykg.core.errors import LoadError

    with pytest.raises(LoadError):
        load_region(store_dir, path, "330100", progress=seen.append)
    assert [m for m in seen if "page" in m] == ["two.pdf: 第 1/2 页 / page 1 of 2", "two.pdf: 第 2/2 页 / page 2 of 2"]
