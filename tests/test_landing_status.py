"""Measure-level landing (issue 15): statuses derived into graph/statistics, the cells of
``policykg landing``, convertibility, recommendations, the report section; with printed links
with the real build (printed links and the alignment engine's predicted ones, issue 14), with the
printed links only, and with a crafted alignment graph (tests/landing_support.py)."""

from __future__ import annotations

import json

import landing_support as ls
import pytest
from click.testing import CliRunner

from policykg import landing
from policykg.cli import main
from policykg.core import iris
from policykg.graph.store import open_read_only
from policykg.sparql.queries import run

QUZHOU, ZHOUSHAN, QIANTANG, DEQING = "330800", "330900", "330114", "330521"
KEYS = {"region", "measure", "status", "rows", "service_items", "confidence", "recommendations"}


@pytest.fixture(scope="module")
def land(built_read_only) -> landing.Landing:
    return landing.compute(built_read_only)


@pytest.fixture(scope="module")
def printed_only(tmp_path_factory) -> landing.Landing:
    root = tmp_path_factory.mktemp("printed") / "store"
    ls.build_printed_store(root)
    return landing.compute(open_read_only(root))


@pytest.fixture(scope="module")
def aligned(tmp_path_factory):
    root = tmp_path_factory.mktemp("aligned") / "store"
    nodes = ls.build_aligned_store(root)
    return root, nodes, landing.compute(open_read_only(root))


def counts(land: landing.Landing, code: str) -> dict[str, int]:
    c = land.counts(code)
    return {s: c.get(s, 0) for s in landing.STATUSES}


# ------------------------------------------------------------------ printed links only

def test_printed_links_only(printed_only):
    land = printed_only
    assert list(land.regions) == [QIANTANG, DEQING, QUZHOU, ZHOUSHAN]
    assert len(land.measures) == 146 and len(land.cells) == 4 * 146
    # 衢州 cites every measure (merged cells per key task); 12 stay refined: key tasks 27 and 32's
    assert counts(land, QUZHOU) == {"service-item": 134, "local-measure": 12, "none": 0}
    assert [m for m in land.measures if land.cells[(QUZHOU, m)]["status"] == "local-measure"] == \
        [122, 123, 124, 125, 126, 127, 141, 142, 143, 144, 145, 146]
    # 钱塘 reprints 99 provincial texts, each with a service item
    assert counts(land, QIANTANG) == {"service-item": 99, "local-measure": 0, "none": 47}
    # 舟山 and 德清 print no measure numbers: without an alignment nothing is linked
    assert counts(land, ZHOUSHAN) == {"service-item": 0, "local-measure": 0, "none": 146}
    assert counts(land, DEQING) == {"service-item": 0, "local-measure": 0, "none": 146}
    assert land.cells[(DEQING, 16)]["confidence"] is None and land.cells[(DEQING, 16)]["rows"] == []
    assert [m for m in land.measures if not land.converted_by(m)] == [122, 124, 141, 142, 146]


# ------------------------------------------------------------------ the real build (printed + aligned)

def test_matrix_counts_for_the_four_lists(land):
    assert list(land.regions) == [QIANTANG, DEQING, QUZHOU, ZHOUSHAN]
    assert len(land.measures) == 146 and len(land.cells) == 4 * 146
    # the printed links: 衢州 and 钱塘 as without an alignment (the alignment skips printed lists)
    assert counts(land, QUZHOU) == {"service-item": 134, "local-measure": 12, "none": 0}
    assert [m for m in land.measures if land.cells[(QUZHOU, m)]["status"] == "local-measure"] == \
        [122, 123, 124, 125, 126, 127, 141, 142, 143, 144, 145, 146]
    assert counts(land, QIANTANG) == {"service-item": 99, "local-measure": 0, "none": 47}
    # 舟山 and 德清 print no measure numbers: their links are the alignment's predictions.
    # 舟山's list has local measures and no service item: refined at most
    assert counts(land, ZHOUSHAN) == {"service-item": 0, "local-measure": 124, "none": 22}
    assert counts(land, DEQING) == {"service-item": 118, "local-measure": 0, "none": 28}
    assert [m for m in land.measures if land.cells[(DEQING, m)]["status"] == "none"] == \
        [3, 8, 9, 24, 26, 29, 33, 47, 61, 68, 80, 81, 82, 89, 119, 120, 121, 122, 123, 124, 125, 126, 127,
         136, 137, 144, 145, 146]
    for code in (ZHOUSHAN, DEQING):
        assert {land.cells[(code, m)]["confidence"]["kind"] for m in land.measures
                if land.cells[(code, m)]["status"] != "none"} == {"predicted"}


def test_predicted_cells_read_the_alignment_graph(land, built_read_only):
    """德清 × 16 and 舟山 × 16: the status, rows and confidence are those of the sssom:Mapping
    records in graph/alignment/{code} (subject and object IRIs, no "Not" modifier)."""
    q = """PREFIX pk: <https://w3id.org/policykg/def#> PREFIX sssom: <https://w3id.org/sssom/>
    PREFIX eli: <http://data.europa.eu/eli/ontology#>
    SELECT ?n ?c WHERE {{ GRAPH <{g}> {{ ?s eli:implements <{pm}> .
        ?rec a sssom:Mapping ; sssom:subject_id ?s ; sssom:object_id <{pm}> ; sssom:confidence ?c .
        FILTER NOT EXISTS {{ ?rec sssom:predicate_modifier "Not" }} }}
      ?s pk:sourceRow ?row . ?row pk:rowNumber ?n }} ORDER BY ?n"""
    # 舟山 row 5 has two local measures predicted to implement 16: the cell takes the best
    for code, records in ((DEQING, [(21, 0.9858)]), (ZHOUSHAN, [(5, 0.7751), (5, 0.9989)])):
        got = run(built_read_only, q.format(g=iris.alignment_graph(code), pm=iris.provincial_measure(16))).rows
        assert sorted((int(r["n"].value), float(r["c"].value)) for r in got) == records
        c = land.cells[(code, 16)]
        assert c["confidence"] == {"kind": "predicted", "value": max(conf for _, conf in records)}
        assert [r["row"] for r in c["rows"]] == sorted({n for n, _ in records})
    # 德清 row 21 is its item 金融服务 (金融服务板块); 舟山 has no items: refined only
    c = land.cells[(DEQING, 16)]
    assert c["status"] == "service-item" and [(i["row"], i["name"], i["kind"]) for i in c["service_items"]] == \
        [(21, "金融服务", "predicted")]
    assert land.cells[(ZHOUSHAN, 16)]["status"] == "local-measure" and land.cells[(ZHOUSHAN, 16)]["service_items"] == []


def test_statuses_are_a_data_cube_in_the_statistics_graph(built_read_only):
    q = """PREFIX pk: <https://w3id.org/policykg/def#> PREFIX qb: <http://purl.org/linked-data/cube#>
    PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    SELECT ?code (COUNT(?o) AS ?n) (SUM(IF(?s = "service-item", 1, 0)) AS ?items) WHERE {{
      GRAPH <{}> {{ ?o qb:dataSet ?d ; pk:landingStatus ?st ; prov:wasDerivedFrom ?t ;
                   <http://purl.org/linked-data/sdmx/2009/dimension#refArea> ?r . ?d qb:structure pk:landingStructure }}
      ?st skos:notation ?s . ?r pk:divisionCode ?code }} GROUP BY ?code ORDER BY ?code""".format(iris.graph("statistics"))
    got = {r["code"].value: (int(r["n"].value), int(r["items"].value)) for r in run(built_read_only, q).rows}
    assert got == {QIANTANG: (146, 99), DEQING: (146, 118), QUZHOU: (146, 134), ZHOUSHAN: (146, 0)}
    # the structure is declared in the ontology with its measures and attributes
    dsd = run(built_read_only, """PREFIX pk: <https://w3id.org/policykg/def#> PREFIX qb: <http://purl.org/linked-data/cube#>
        SELECT ?c WHERE { pk:landingStructure qb:component ?x . ?x qb:measure|qb:dimension|qb:attribute ?c }""").rows
    assert {r["c"].value.rsplit("#", 1)[-1] for r in dsd} >= {"landingStatus", "confidence", "linkKind",
                                                              "refProvincialMeasure", "serviceItemCount"}


def test_a_printed_cell_names_its_rows_and_items(land):
    c = land.cells[(QIANTANG, 1)]          # 钱塘 row 1 reprints measure 1: 税费优惠政策推送服务
    assert c["status"] == "service-item"
    assert c["confidence"] == {"kind": "printed", "value": 1.0}
    assert [r["row"] for r in c["rows"]] == [1]
    assert [(i["row"], i["name"]) for i in c["service_items"]] == [(1, "税费优惠政策推送服务")]
    c = land.cells[(QUZHOU, 16)]           # 衢州's merged cell for key task 5 answers 16 with rows 23–29
    assert [r["row"] for r in c["rows"]] == [23, 24, 25, 26, 27, 28, 29]
    assert "融资服务" in {i["name"] for i in c["service_items"]}


def test_recommendations_are_real_items_of_other_regions(land, built_read_only):
    labels = {r["i"].value: (r["code"].value, r["name"].value) for r in run(built_read_only, """
        PREFIX pk: <https://w3id.org/policykg/def#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?i ?code ?name WHERE { ?i a pk:ServiceItem ; rdfs:label ?name ; pk:region/pk:divisionCode ?code }""").rows}
    n = 0
    for (code, m), c in land.cells.items():
        if c["status"] == "service-item":
            assert c["recommendations"] == []
            continue
        assert len(c["recommendations"]) <= landing.MAX_RECOMMENDATIONS
        for r in c["recommendations"]:
            n += 1
            assert r["region"] != code
            assert labels[r["iri"]] == (r["region"], r["name"])          # never invented
            assert land.cells[(r["region"], m)]["status"] == "service-item"
    assert n == 667
    # hand-checked against the document (see the closing note)
    top = {m: land.cells[(DEQING, m)]["recommendations"][0] for m in (3, 8, 9, 24, 33)}
    assert (top[3]["region"], top[3]["row"], top[3]["name"], top[3]["block"]) == (QIANTANG, 3, "涉税诉求服务", "纳税综合服务专区")
    assert (top[8]["region"], top[8]["row"], top[8]["name"], top[8]["block"]) == (QUZHOU, 12, "咨询服务", "项目服务板块")
    assert (top[9]["region"], top[9]["row"], top[9]["name"], top[9]["level2"]) == (QUZHOU, 15, "重大工业项目决策咨询", "项目决策咨询服务")
    assert (top[24]["region"], top[24]["row"], top[24]["name"]) == (QIANTANG, 10, "融资对接服务")
    assert (top[33]["region"], top[33]["row"], top[33]["name"], top[33]["block"]) == \
        (QIANTANG, 18, "新就业群体劳动合同签订服务", "劳动用工综合服务专区")
    assert all(top[m]["kind"] == "printed" for m in top)
    top = {m: land.cells[(ZHOUSHAN, m)]["recommendations"][0] for m in (16, 19, 28, 34, 60)}
    assert (top[16]["region"], top[16]["row"], top[16]["name"]) == (QIANTANG, 10, "融资对接服务")
    assert (top[19]["region"], top[19]["row"], top[19]["name"]) == (QIANTANG, 11, "金融产品定制服务")
    # 德清's items are predicted links: real items of 德清, with the mapping's confidence
    assert (top[28]["region"], top[28]["row"], top[28]["name"], top[28]["kind"], top[28]["confidence"]) == \
        (DEQING, 25, "融资对接", "predicted", 0.6661)
    assert (top[34]["region"], top[34]["row"], top[34]["name"], top[34]["level1"]) == (DEQING, 29, "职工参保登记", "人才服务")
    assert (top[60]["region"], top[60]["row"], top[60]["name"], top[60]["block"]) == (DEQING, 47, "招投标服务", "政策服务板块")


def test_convertibility_evidence_and_review_cues(land):
    cv = land.convertibility(16)
    assert cv["convertible"] and cv["regions"] == [QIANTANG, DEQING, QUZHOU]
    assert cv["summary"].startswith("可转化：3/4 个地区已设服务事项")
    assert cv["blocks"][0] == ("金融服务板块", 8) and "convertible: 3 of 4 regions" in cv["summary"]
    review = [m for m in land.measures if not land.converted_by(m)]
    assert review == [122, 124, 146]         # 141 and 142 have predicted 德清 items
    cv = land.convertibility(122)        # 制定交通运输领域“枫桥式”基层执法站所建设方案…
    assert not cv["convertible"]
    assert cv["cues"] == {"government": ["制定", "执法"], "enterprise": []}
    assert "线索（关键词）" in cv["summary"] and "addressed to government" in cv["summary"]
    assert land.landed_nowhere() == []       # 衢州 cites every measure
    assert land.most_missing(5) == [(122, 4), (124, 4), (146, 4), (26, 3), (47, 3)]


# ------------------------------------------------------------------ the command

def test_cli_json_has_one_cell_per_region_and_measure(built_store):
    res = CliRunner().invoke(main, ["landing", "--store", str(built_store)])
    assert res.exit_code == 0, res.output
    cells = json.loads(res.output)
    assert len(cells) == 584 and all(set(c) == KEYS for c in cells)
    assert {(c["region"], c["measure"]) for c in cells} == {(r, m) for r in (QUZHOU, ZHOUSHAN, QIANTANG, DEQING)
                                                             for m in range(1, 147)}
    res = CliRunner().invoke(main, ["landing", "--store", str(built_store), "--region", ZHOUSHAN])
    one = json.loads(res.output)
    assert len(one) == 146 and {c["status"] for c in one} == {"local-measure", "none"}
    assert sum(bool(c["recommendations"]) for c in one) == 143       # all but 122, 124, 146


def test_cli_xlsx_and_html(built_store, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "落地.xlsx"
    res = CliRunner().invoke(main, ["landing", "--store", str(built_store), "--format", "xlsx", "-o", str(out)])
    assert res.exit_code == 0, res.output
    wb = load_workbook(out)
    assert wb.sheetnames == ["落地矩阵", "单元格", "可转化", "落地率"]
    assert wb["落地矩阵"].max_row == 147 and wb["单元格"].max_row == 585
    rates = {r[0]: r[2:6] for r in wb["落地率"].iter_rows(min_row=2, values_only=True)}
    assert rates[QUZHOU] == (134, 12, 0, 146)
    html = tmp_path / "l.html"
    CliRunner().invoke(main, ["landing", "--store", str(built_store), "--format", "html", "-o", str(html)])
    text = html.read_text(encoding="utf-8")
    assert "省级细化措施落地矩阵" in text and "校企对接服务" in text


def test_cli_errors(built_store, tmp_path):
    res = CliRunner().invoke(main, ["landing", "--store", str(built_store), "--region", "330100"])
    assert res.exit_code == 2 and "地区 330100 没有清单" in res.output and "330800" in res.output
    res = CliRunner().invoke(main, ["landing", "--store", str(built_store), "--format", "xlsx"])
    assert res.exit_code == 2 and "XLSX 需要 -o" in res.output
    res = CliRunner().invoke(main, ["landing", "--store", str(tmp_path / "none")])
    assert res.exit_code != 0 and "policykg build" in res.output


def test_report_has_the_landing_section(built_store, tmp_path):
    from policykg.report import write_report

    out = write_report(built_store, tmp_path / "r.html")
    text = out.read_text(encoding="utf-8")
    assert "省级细化措施落地（146条×地区）" in text
    assert "衢州市（330800）</td><td class=\"n\">134</td><td class=\"n\">12</td><td class=\"n\">0</td>" in text
    assert "湖州市德清县（330521）</td><td class=\"n\">118</td><td class=\"n\">0</td><td class=\"n\">28</td>" in text
    assert "舟山市（330900）</td><td class=\"n\">0</td><td class=\"n\">124</td><td class=\"n\">22</td>" in text
    assert "无地区转化为服务事项、待研判的措施：3 条" in text
    assert "无任何地区落地的措施：0 条" in text
    from openpyxl import load_workbook

    wb = load_workbook(write_report(built_store, tmp_path / "r.xlsx"))
    assert wb.sheetnames[-2:] == ["措施落地率 LandingRate", "措施缺口与建议 LandingGaps"]


# ------------------------------------------------------------------ with an alignment graph

def test_aligned_links_carry_their_mapping_confidence(aligned):
    _root, nodes, land = aligned
    c = land.cells[(DEQING, 16)]
    assert c["status"] == "service-item"
    assert c["confidence"] == {"kind": "predicted", "value": 0.83}     # not the rejected record's 0.99
    assert [r["row"] for r in c["rows"]] == [1]
    assert [i["row"] for i in c["service_items"]] == [1] and c["service_items"][0]["kind"] == "predicted"
    assert c["recommendations"] == []
    c = land.cells[(ZHOUSHAN, 20)]
    assert c["status"] == "local-measure" and c["confidence"] == {"kind": "predicted", "value": 0.6}
    assert [r["row"] for r in c["rows"]] == [1] and c["service_items"] == []
    assert c["recommendations"] and all(r["region"] != ZHOUSHAN for r in c["recommendations"])
    assert land.cells[(ZHOUSHAN, 21)]["status"] == "none"                # a rejected mapping is no link
    assert counts(land, ZHOUSHAN) == {"service-item": 0, "local-measure": 1, "none": 145}
    assert counts(land, DEQING) == {"service-item": 1, "local-measure": 0, "none": 145}
    # 德清's predicted item is now a suggestion for 舟山 × 16, marked as predicted
    recs = land.cells[(ZHOUSHAN, 16)]["recommendations"]
    assert len(recs) == landing.MAX_RECOMMENDATIONS
    assert land.convertibility(16)["regions"] == [QIANTANG, DEQING, QUZHOU]
    # printed cells are unchanged
    assert land.cells[(QUZHOU, 16)]["confidence"] == {"kind": "printed", "value": 1.0}


def test_aligned_statistics_observation(aligned):
    root, _nodes, _land = aligned
    q = f"""PREFIX pk: <https://w3id.org/policykg/def#>
    SELECT ?kind ?c ?items WHERE {{ <{iris.region(DEQING)}/landing/16> pk:linkKind ?kind ; pk:confidence ?c ; pk:serviceItemCount ?items }}
    """
    row = run(open_read_only(root), q).rows[0]
    assert (row["kind"].value, float(row["c"].value), int(row["items"].value)) == ("predicted", 0.83, 1)


def test_catalogue_query_reads_the_statuses(built_read_only):
    from policykg.sparql import queries

    q = queries.get("measure-landing")
    res = queries.run(built_read_only, q.text, substitutions=queries.bind(q, {"region": QIANTANG}))
    assert len(res.rows) == 146
    statuses = [r["status"].value for r in res.rows]
    assert statuses.count("none") == 47 and statuses.count("service-item") == 99
    first = res.rows[0]
    assert (int(first["measure"].value), first["statusLabel"].value, first["kind"].value) == (1, "已转化为服务事项", "printed")
