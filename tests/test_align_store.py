"""graph/alignment/{code} in the store: the contract issue 15 reads, curation, CLI, failures."""

from __future__ import annotations

import csv
import io

import pytest
from click.testing import CliRunner
from loadkit import copy_store
from pyoxigraph import NamedNode

from loaders.build import build
from loaders.export import export_region
from loaders.load import load_region
from policykg.align import candidates, highlights
from policykg.align.sssom import curation_file
from policykg.cli import main
from policykg.core import iris
from policykg.core.errors import LoadError
from policykg.graph import store
from policykg.sparql import queries

PK = "https://w3id.org/policykg/def#"


def _ask(st, text: str) -> bool:
    return queries.run(st, text).boolean


def test_every_region_has_its_alignment_graph_in_the_union(built_read_only):
    graphs = {g.value for g in built_read_only.named_graphs()}
    for code in ("330800", "330900", "330114", "330521"):
        assert iris.alignment_graph(code) in graphs
    g = iris.alignment_graph("330900")
    assert g == "https://w3id.org/policykg/graph/alignment/330900"
    one = iris.local_measure("330900", "1-1")
    assert _ask(built_read_only, f"ASK {{ GRAPH <{g}> {{ <{one}> eli:implements <https://w3id.org/policykg/id/provincial-measure/1> }} }}")
    assert _ask(built_read_only, f"ASK {{ <{one}> eli:implements <https://w3id.org/policykg/id/provincial-measure/1> }}")   # default graph
    rec = queries.run(built_read_only, f"""
        SELECT ?m ?conf ?rank ?just ?pred ?ev ?row WHERE {{ GRAPH <{g}> {{
          ?m a sssom:Mapping ; sssom:subject_id <{one}> ; sssom:object_id <https://w3id.org/policykg/id/provincial-measure/1> ;
             sssom:confidence ?conf ; pk:rank ?rank ; sssom:mapping_justification ?just ;
             sssom:predicate_id ?pred ; pk:evidence ?ev ; prov:wasDerivedFrom ?row }} }}""")
    (r,) = rec.rows
    assert r["m"].value.startswith("https://w3id.org/policykg/id/region/330900/mapping/")
    assert r["conf"].datatype.value.endswith("#double") and r["rank"].value == "1"
    assert r["just"].value == "https://w3id.org/semapv/vocab/LexicalMatching"
    assert r["pred"].value == "http://data.europa.eu/eli/ontology#implements"
    assert "政策找人" in r["ev"].value and r["row"].value == iris.row("330900", 1)
    n = queries.run(built_read_only, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{g}> {{ ?m a sssom:Mapping }} }}")
    assert n.values()[0]["n"] == str(149 * 5)


def test_printed_links_stay_in_the_region_graph(built_read_only):
    qz = iris.region_graph("330800")
    assert _ask(built_read_only, f"ASK {{ GRAPH <{qz}> {{ <https://w3id.org/policykg/id/region/330800/service-item/2> "
                                 f"pk:citesProvincialMeasure <https://w3id.org/policykg/id/provincial-measure/4> }} }}")
    assert _ask(built_read_only, f"ASK {{ GRAPH <{qz}> {{ <https://w3id.org/policykg/id/region/330800/measure/1> "
                                 f"eli:implements <https://w3id.org/policykg/id/provincial-measure/3> }} }}")
    # the alignment refines 衢州's group row by row, never leaving the printed set: 税费预填服务 -> 2 (免申即享) first
    al = iris.alignment_graph("330800")
    res = queries.run(built_read_only, f"SELECT ?pm WHERE {{ GRAPH <{al}> {{ <https://w3id.org/policykg/id/region/330800/service-item/2> "
                                       f"eli:implements ?pm }} }}")
    got = {r["pm"] for r in res.values()}
    assert iris.provincial_measure(2) in got and got <= {iris.provincial_measure(n) for n in (1, 2, 3, 4)}


def test_python_api_and_highlights(built_store):
    cs = candidates(built_store, "330521")
    assert len(cs) == 214 * 5
    top = next(c for c in cs if c.subject_id == iris.local_measure("330521", "t45da9f2437") and c.rank == 1)
    assert (top.object_number, top.asserted, top.row, top.justification) == (1, True, 1, "semapv:LexicalMatching")
    hl = highlights(built_store, "330900")
    assert len(hl) == 14 and iris.local_measure("330900", "13-2") in hl
    st = store.open_read_only(built_store)
    rows = queries.run(st, queries.get("local-highlights").text, substitutions={"region": "330900"}).values()
    assert len(rows) == 14 and any(r["text"] == "开展“一标一评”，强化对评标专家的信用评价。" for r in rows)
    impl = queries.run(st, queries.get("region-implements").text, substitutions={"region": "330900"}).values()
    first = impl[0]
    assert (first["number"], first["origins"]) == ("1", "预测 predicted")
    none = queries.run(st, queries.get("provincial-measures-not-implemented").text).values()
    assert none == []      # 衢州 prints numbers for all but 27's 122–127, which the others' links reach


def test_cli_sssom_json_and_xlsx_round_trip(built_store, tmp_path):
    runner = CliRunner()
    res = runner.invoke(main, ["align", "--store", str(built_store), "--region", "330900"])
    assert res.exit_code == 0, res.output
    head = [line for line in res.output.splitlines() if line.startswith("#")]
    assert any(line.startswith("# mapping_set_id: https://w3id.org/policykg/id/alignment/330900") for line in head)
    assert any("license:" in line for line in head) and any("curie_map:" in line for line in head)
    body = list(csv.DictReader(io.StringIO("\n".join(x for x in res.output.splitlines() if not x.startswith("#"))),
                               delimiter="\t"))
    assert len(body) == 745
    assert list(body[0]) == ["subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id",
                             "object_label", "mapping_justification", "confidence", "rank", "evidence"]
    assert (body[0]["subject_id"], body[0]["object_id"], body[0]["rank"]) == (
        "pkid:region/330900/measure/1-1", "pkid:provincial-measure/1", "1")
    js = runner.invoke(main, ["align", "--store", str(built_store), "--region", "330521", "--format", "json"])
    assert js.exit_code == 0 and '"object_number": 1' in js.output
    bad = runner.invoke(main, ["align", "--store", str(built_store), "--region", "999999"])
    assert bad.exit_code != 0 and "没有地区 999999 的对齐结果" in bad.output

    sheet = tmp_path / "审核.xlsx"
    assert runner.invoke(main, ["align", "--store", str(built_store), "--region", "330900", "--format", "xlsx",
                                "-o", str(sheet)]).exit_code == 0
    from openpyxl import load_workbook

    wb = load_workbook(sheet)
    ws = wb["对齐审核"]
    assert ws.cell(1, 13).value == "审核（接受/拒绝）" and ws.cell(2, 4).value == iris.local_measure("330900", "1-1")
    ws.cell(2, 13).value = "拒绝"          # 1-1 -> 1 rejected
    ws.cell(3, 13).value = "接受"          # 1-1 -> its rank-2 candidate accepted
    accepted = ws.cell(3, 7).value
    wb.save(sheet)
    out = tmp_path / "alignment"
    res = runner.invoke(main, ["align-import", str(sheet), "--region", "330900", "--dir", str(out)])
    assert res.exit_code == 0, res.output
    text = curation_file("330900", out).read_text(encoding="utf-8")
    lines = [x for x in text.splitlines() if not x.startswith("#")]
    assert len(lines) == 3 and all("semapv:ManualMappingCuration" in x for x in lines[1:])
    assert any("\tNot\tpkid:provincial-measure/1\t" in x for x in lines)

    # the next build applies it: curated beats predicted, and survives a rebuild
    root = tmp_path / "store"
    for _ in range(2):
        build(root, curation_dir=out)
        cs = {c.object_number: c for c in candidates(root, "330900") if c.subject_id == iris.local_measure("330900", "1-1")}
        assert (cs[1].predicate_modifier, cs[1].asserted, cs[1].justification) == ("Not", False,
                                                                                   "semapv:ManualMappingCuration")
        assert cs[accepted].asserted and cs[accepted].justification == "semapv:ManualMappingCuration"
        st = store.open_read_only(root)
        one = iris.local_measure("330900", "1-1")
        assert not _ask(st, f"ASK {{ <{one}> eli:implements <https://w3id.org/policykg/id/provincial-measure/1> }}")


@pytest.fixture()
def store_dir(built_store, tmp_path):
    return copy_store(built_store, tmp_path / "store")


@pytest.mark.parametrize("subject,obj,why", [
    ("pkid:region/330800/measure/1", "pkid:provincial-measure/999", "不是146条省级细化措施之一"),
    ("pkid:region/330800/measure/777", "pkid:provincial-measure/3", "不是该地区清单中的举措或服务事项"),
])
def test_a_curation_file_naming_unknown_entities_is_refused_and_the_store_unchanged(store_dir, tmp_path, subject,
                                                                                  obj, why):
    cur = tmp_path / "alignment"
    cur.mkdir()
    path = curation_file("330800", cur)
    path.write_text("# mapping_set_id: x\nsubject_id\tpredicate_id\tobject_id\tmapping_justification\n"
                    "pkid:region/330800/measure/1\teli:implements\tpkid:provincial-measure/2\tsemapv:ManualMappingCuration\n"
                    f"{subject}\teli:implements\t{obj}\tsemapv:ManualMappingCuration\n", encoding="utf-8")
    csv_path = tmp_path / "qz.csv"
    csv_path.write_bytes(export_region(store_dir, "330800", "csv"))
    before = store.generation_name(store_dir)
    with pytest.raises(LoadError) as exc:
        load_region(store_dir, csv_path, "330800", curation_dir=cur)
    assert f"{path}:4" in exc.value.message and why in exc.value.message
    assert store.generation_name(store_dir) == before
    st = store.open_read_only(store_dir)
    assert st.contains_named_graph(NamedNode(iris.alignment_graph("330800")))


def test_report_lists_each_regions_highlights(built_store, tmp_path):
    from policykg import report

    data = report.collect(store.open_read_only(built_store))
    zs = next(r for r in data.regions if r.code == "330900")
    assert len(zs.highlights) == 14 and zs.linked             # 舟山 reaches provincial measures by alignment now
    assert {h["row"] for h in zs.highlights} >= {13, 17}
    assert next(r for r in data.regions if r.code == "330800").highlights == []
    page = report.write_report(built_store, tmp_path / "r.html").read_text(encoding="utf-8")
    assert "地方特色亮点（14）" in page and "开展“一标一评”，强化对评标专家的信用评价。" in page


def test_a_graph_store_write_drops_the_regions_stale_alignment(built_store, tmp_path):
    from server_support import app_for

    root = copy_store(built_store, tmp_path / "gsp")
    client = app_for(root, WRITE_TOKEN="t-align-1").test_client()
    graph = iris.region_graph("330900")
    data = client.get("/rdf-graphs/service", query_string={"graph": graph}, headers={"Accept": "application/n-triples"}).data
    resp = client.put("/rdf-graphs/service", query_string={"graph": graph}, data=data,
                      headers={"Authorization": "Bearer t-align-1", "Content-Type": "application/n-triples"})
    assert resp.status_code == 200, resp.json
    assert any("对齐结果已移除" in w for w in resp.json["warnings"])
    st = store.open_read_only(root)
    assert not st.contains_named_graph(NamedNode(iris.alignment_graph("330900")))
    assert st.contains_named_graph(NamedNode(iris.alignment_graph("330800")))
