"""graph/statistics: the RDF Data Cube counts made at build and load time (policykg.graph.derive).

Each dataset is checked against a direct count over the lists, and against the document's
own figures; the catalogue questions that read the statistics are checked against the
document in test_server_queries.py.
"""

from __future__ import annotations

import pytest
from pyoxigraph import DefaultGraph, NamedNode, Quad, Store

from policykg.core import iris
from policykg.core.errors import PolicyKGError
from policykg.graph.derive import refresh
from policykg.sparql import queries

PK = "https://w3id.org/policykg/def#"


def _obs(store, structure: str, *dims: str) -> dict[tuple, dict[str, int]]:
    """{(dimension values…): {measure: count}} for one dataset."""
    dim_vars = " ".join(f"?d{i}" for i in range(len(dims)))
    dim_pats = " ".join(f"{d} ?d{i} ;" for i, d in enumerate(dims))
    text = (f"SELECT {dim_vars} ?p ?v WHERE {{ ?ds qb:structure pk:{structure} . ?o qb:dataSet ?ds ; {dim_pats} "
            "?p ?v . FILTER(?p IN (pk:rowCount, pk:localMeasureCount, pk:serviceItemCount, pk:keyTaskCount)) }")
    out: dict[tuple, dict[str, int]] = {}
    for r in queries.run(store, text).values():
        key = tuple(r[f"d{i}"].rsplit("/", 1)[-1] for i in range(len(dims)))
        out.setdefault(key, {})[r["p"].rsplit("#", 1)[-1]] = int(r["v"])
    return out


def _direct(store, text: str) -> dict[tuple, int]:
    return {tuple(v for k, v in sorted(r.items()) if k != "n"): int(r["n"]) for r in queries.run(store, text).values()}


def test_region_summary_matches_the_document(built_read_only):
    obs = _obs(built_read_only, "regionSummaryStructure", "sdmx-dimension:refArea")
    got = {k[0]: (v["rowCount"], v["localMeasureCount"], v["serviceItemCount"], v["keyTaskCount"]) for k, v in obs.items()}
    # 舟山 prints 33 rows: 序号 27 twice (two rows of their own)
    assert got == {"330800": (93, 78, 87, 32), "330900": (33, 149, 0, 32),
                   "330114": (70, 99, 70, 26), "330521": (107, 107, 107, 31)}


def test_coverage_equals_direct_counts(built_read_only):
    obs = _obs(built_read_only, "coverageStructure", "sdmx-dimension:refArea", "pk:refKeyTask")
    assert len(obs) == 4 * 32, "one observation per (region with a list, key task), zeros included"
    for kind, measure in (("SourceRow", "rowCount"), ("LocalMeasure", "localMeasureCount"),
                          ("ServiceItem", "serviceItemCount")):
        direct = _direct(built_read_only, "SELECT ?code ?k (COUNT(DISTINCT ?x) AS ?n) WHERE { "
                         f"?x a pk:{kind} ; pk:region ?r ; pk:keyTask ?kt . ?r pk:divisionCode ?code . "
                         "BIND(STRAFTER(STR(?kt), 'key-task/') AS ?k) } GROUP BY ?code ?k")
        assert {k: v[measure] for k, v in obs.items() if v[measure]} == direct, measure
    # gaps the validation report names: 钱塘 lacks key tasks 7 and 12–16, 德清 lacks 27
    for kt in ("7", "12", "13", "14", "15", "16"):
        assert obs[("330114", kt)] == {"rowCount": 0, "localMeasureCount": 0, "serviceItemCount": 0}
    assert obs[("330521", "27")]["rowCount"] == 0
    assert obs[("330800", "32")] == {"rowCount": 1, "localMeasureCount": 0, "serviceItemCount": 0}


def test_uptake_equals_direct_counts(built_read_only):
    obs = _obs(built_read_only, "uptakeStructure", "sdmx-dimension:refArea", "pk:refProvincialMeasure")
    direct = _direct(built_read_only, "SELECT ?code ?pm (COUNT(DISTINCT ?x) AS ?n) WHERE { "
                     "{ ?x pk:citesProvincialMeasure ?p } UNION { ?x eli:implements ?p } ?x pk:region ?r . "
                     "?r pk:divisionCode ?code . BIND(STRAFTER(STR(?p), 'provincial-measure/') AS ?pm) } GROUP BY ?code ?pm")
    assert set(obs) == set(direct)
    assert {k: sum(v.values()) for k, v in obs.items()} == direct
    # 衢州 (by number) and 钱塘 (by quoted text) print their links; 舟山 and 德清 print none, and reach
    # the provincial measures through the alignment graphs (policykg.align, issue 14)
    assert {r for r, _ in obs} == {"330800", "330114", "330900", "330521"}


def test_every_observation_names_its_list(built_read_only):
    res = queries.run(built_read_only, "SELECT ?o ?t WHERE { ?o a qb:Observation . "
                      "OPTIONAL { ?o prov:wasDerivedFrom ?t . ?t a pk:SourceTable } }")
    assert res.rows and all(r["t"] is not None for r in res.rows)
    graphs = {g.value for g in built_read_only.named_graphs()}
    assert iris.graph("statistics") in graphs


def test_refresh_recounts_and_replaces():
    """Dropping every service item of key task 5 shows in the counts, and no stale triple stays."""
    st = Store()
    g = NamedNode(iris.region_graph("330800"))
    region = NamedNode(iris.region("330800"))
    kt = NamedNode(iris.key_task(5))
    table = NamedNode(iris.region("330800") + "/table")
    rdf_type = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    quads = [Quad(table, rdf_type, NamedNode(PK + "SourceTable"), g), Quad(table, NamedNode(PK + "region"), region, g),
             Quad(kt, rdf_type, NamedNode(PK + "KeyTask"), g), Quad(kt, NamedNode(PK + "number"), _int(5), g)]
    for i in range(3):
        item = NamedNode(iris.region("330800") + f"/service-item/{i}")
        quads += [Quad(item, rdf_type, NamedNode(PK + "ServiceItem"), g), Quad(item, NamedNode(PK + "region"), region, g),
                  Quad(item, NamedNode(PK + "keyTask"), kt, g)]
    st.bulk_extend(quads)
    st.bulk_extend([Quad(q.subject, q.predicate, q.object, DefaultGraph()) for q in quads])
    refresh(st)
    first = _obs(st, "coverageStructure", "sdmx-dimension:refArea", "pk:refKeyTask")
    assert first == {("330800", "5"): {"rowCount": 0, "localMeasureCount": 0, "serviceItemCount": 3}}
    for q in list(st.quads_for_pattern(None, NamedNode(PK + "keyTask"), kt, None)):
        st.remove(q)
    refresh(st)
    assert _obs(st, "coverageStructure", "sdmx-dimension:refArea", "pk:refKeyTask")[("330800", "5")]["serviceItemCount"] == 0
    stats = NamedNode(iris.graph("statistics"))
    in_graph = {(q.subject, q.predicate, q.object) for q in st.quads_for_pattern(None, None, None, stats)}
    in_default = {(q.subject, q.predicate, q.object) for q in st.quads_for_pattern(None, NamedNode(PK + "serviceItemCount"),
                                                                                      None, DefaultGraph())}
    assert {t for t in in_graph if t[1].value.endswith("serviceItemCount")} == in_default, "no stale count"


def _int(n: int):
    from pyoxigraph import Literal

    return Literal(str(n), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))


def test_categories_and_blocks_equal_direct_counts(built_read_only):
    for structure, dim, prop in (("serviceCategoryStructure", "pk:refCategory", "pk:level1"),
                                 ("blockStructure", "pk:refBlock", "pk:undertakingBlock")):
        obs = _obs(built_read_only, structure, "sdmx-dimension:refArea", dim)
        items = _direct(built_read_only, "SELECT ?code ?z (COUNT(DISTINCT ?i) AS ?n) WHERE { ?i a pk:ServiceItem ; "
                        f"{prop} ?x ; pk:region ?r . ?r pk:divisionCode ?code . "
                        "BIND(REPLACE(STR(?x), '^.*/', '') AS ?z) } GROUP BY ?code ?z")
        rows = _direct(built_read_only, "SELECT ?code ?z (COUNT(DISTINCT ?row) AS ?n) WHERE { ?i a pk:ServiceItem ; "
                       f"{prop} ?x ; pk:region ?r ; pk:sourceRow ?row . ?r pk:divisionCode ?code . "
                       "BIND(REPLACE(STR(?x), '^.*/', '') AS ?z) } GROUP BY ?code ?z")
        assert {k: v["serviceItemCount"] for k, v in obs.items()} == items, structure
        assert {k: v["rowCount"] for k, v in obs.items()} == rows, structure
    # 衢州's 87 service items sit in its blocks, 舟山 (no service items) has no block observation
    blocks = _obs(built_read_only, "blockStructure", "sdmx-dimension:refArea", "pk:refBlock")
    assert sum(v["serviceItemCount"] for (code, _), v in blocks.items() if code == "330800") == 87
    assert not any(code == "330900" for code, _ in blocks)


def test_item_names_equal_direct_counts(built_read_only):
    """One observation per (region, item name with whitespace removed): 衢州 65, 钱塘 63, 德清 60."""
    obs = _obs(built_read_only, "itemNameStructure", "sdmx-dimension:refArea")
    names = queries.run(built_read_only, "SELECT ?code ?name ?items ?rows WHERE { ?ds qb:structure pk:itemNameStructure . "
                        "?o qb:dataSet ?ds ; sdmx-dimension:refArea ?r ; pk:refItemName ?name ; pk:serviceItemCount ?items ; "
                        "pk:rowCount ?rows . ?r pk:divisionCode ?code }").values()
    got = {(r["code"], r["name"]): (int(r["items"]), int(r["rows"])) for r in names}
    direct = queries.run(built_read_only, "SELECT ?code ?name (COUNT(DISTINCT ?i) AS ?items) (COUNT(DISTINCT ?row) AS ?rows) "
                         "WHERE { ?i a pk:ServiceItem ; dct:title ?t ; pk:region ?r . OPTIONAL { ?i pk:sourceRow ?row } "
                         "?r pk:divisionCode ?code . BIND(REPLACE(STR(?t), '\\\\s+', '') AS ?name) } GROUP BY ?code ?name").values()
    assert got == {(r["code"], r["name"]): (int(r["items"]), int(r["rows"])) for r in direct}
    per_region = {}
    for code, name in got:
        per_region[code] = per_region.get(code, 0) + 1
        assert not any(ch.isspace() for ch in name), name
    assert per_region == {"330800": 65, "330114": 63, "330521": 60}
    assert set(obs) == {("330800",), ("330114",), ("330521",)}     # 舟山 lists no service items


@pytest.mark.parametrize(("text", "says"), [
    ("SELECT * WHERE { ?s ?p ?o }", "must be a CONSTRUCT"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ", "failed"),
    ("CONSTRUCT { _:obs pk:rowCount 1 } WHERE { }", "blank nodes"),
])
def test_a_bad_derive_query_is_named_and_writes_nothing(tmp_path, text, says):
    (tmp_path / "bad.rq").write_text(text, encoding="utf-8")
    st = Store()
    with pytest.raises(PolicyKGError) as info:
        refresh(st, tmp_path)
    assert "bad.rq" in info.value.en and says in info.value.en and "bad.rq" in info.value.zh
    assert not st.contains_named_graph(NamedNode(iris.graph("statistics")))
