"""The query runner and catalogue: headers, prefixes, updates refused, errors with positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import Literal, NamedNode, Triple

from policykg.core.config import ONTOLOGY_NS, QUERY_DIR, ROOT
from policykg.core.errors import QueryError
from policykg.graph import store
from policykg.graph.derive import refresh
from policykg.sparql import queries

PK = ONTOLOGY_NS


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    a = NamedNode(PK + "number")
    with store.new_generation(root, finish=refresh, in_memory=True) as (st, _):
        store.put_graph(st, "https://w3id.org/policykg/graph/backbone", [
            Triple(NamedNode("urn:kt:1"), NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                   NamedNode(PK + "KeyTask")),
            Triple(NamedNode("urn:kt:1"), a, Literal("1", datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))),
            Triple(NamedNode("urn:kt:1"), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
                   Literal("强化财税政策保障", language="zh")),
        ])
        store.put_graph(st, "https://w3id.org/policykg/graph/other", [
            Triple(NamedNode("urn:o"), NamedNode("urn:p"), Literal("x"))])
    return store.open_read_only(root)


def test_prefixes_are_predeclared_and_default_graph_is_the_union(tiny):
    res = queries.run(tiny, "SELECT ?t WHERE { ?k a pk:KeyTask ; rdfs:label ?t }")
    assert res.values() == [{"t": "强化财税政策保障"}]
    n = queries.run(tiny, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").values()[0]["n"]
    assert n == "4"


def test_default_graph_can_be_narrowed(tiny):
    res = queries.run(tiny, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
                      default_graph=["https://w3id.org/policykg/graph/other"])
    assert res.values()[0]["n"] == "1"


def test_substitutions_bind_values_not_text(tiny):
    text = "SELECT ?k ?label WHERE { ?k rdfs:label ?label }"
    res = queries.run(tiny, text, substitutions={"label": Literal("强化财税政策保障", language="zh")})
    assert res.values() == [{"k": "urn:kt:1", "label": "强化财税政策保障"}]
    evil = '" } ; DROP ALL ; SELECT * { "'
    assert queries.run(tiny, text, substitutions={"label": evil}).rows == []


def test_a_parameter_need_not_be_selected(tiny):
    """Parameters are written into the text (policykg.sparql.binding), so unlike pyoxigraph's own
    substitutions they bind variables outside the projection, in subqueries and in MINUS."""
    zh = Literal("强化财税政策保障", language="zh")
    res = queries.run(tiny, "SELECT ?k WHERE { ?k rdfs:label ?label }", substitutions={"label": zh})
    assert res.values() == [{"k": "urn:kt:1"}]
    sub = "SELECT ?k WHERE { { SELECT ?k WHERE { ?k rdfs:label ?label } } }"
    assert queries.run(tiny, sub, substitutions={"label": zh}).values() == [{"k": "urn:kt:1"}]
    minus = "SELECT ?k WHERE { ?k rdfs:label ?any MINUS { ?k rdfs:label ?label } }"
    assert queries.run(tiny, minus, substitutions={"label": zh}).rows == []
    assert queries.run(tiny, "SELECT ?k WHERE { ?k rdfs:label ?label }", substitutions={"label": "x"}).rows == []


def test_parameters_without_a_where_keyword_fall_back_on_substitutions(tiny):
    res = queries.run(tiny, "SELECT * { ?k rdfs:label ?label }",
                      substitutions={"label": Literal("强化财税政策保障", language="zh")})
    assert [r["k"] for r in res.values()] == ["urn:kt:1"]


def test_a_syntax_error_is_placed_in_the_text_as_written(tiny):
    with pytest.raises(QueryError) as err:
        queries.run(tiny, "SELECT ?k WHERE {\n  ?k rdfs:label ?label .\n  FILTER(?k = }", substitutions={"label": "x"})
    assert err.value.position is not None and err.value.position[0] == 3


def test_inline_writes_terms_not_text():
    from pyoxigraph import NamedNode

    from policykg.sparql.binding import NotInlinableError, inline

    out = inline('SELECT ?a (COUNT(?x) AS ?n) WHERE { ?x <urn:p> ?a . FILTER(?a != "?a") } GROUP BY ?a ORDER BY ?a',
                 {"a": Literal('q" } DROP ALL #')})
    assert 'VALUES (?a) { ("q\\" } DROP ALL #") }' in out
    assert '"?a"' in out                                   # strings are not touched
    assert out.startswith("SELECT ?a (COUNT(?x) AS ?n) WHERE { VALUES")   # the VALUES block binds ?a outside
    nested = inline("SELECT ?x WHERE { { SELECT ?a ?x WHERE { ?x <urn:p> ?a } GROUP BY ?a ?x } }", {"a": Literal("v")})
    assert '{ SELECT ("v" AS ?a) ?x WHERE { ?x <urn:p> "v" } GROUP BY ("v") ?x }' in nested
    with pytest.raises(NotInlinableError):
        inline("SELECT * { ?s ?p ?o }", {"s": NamedNode("urn:x")})


@pytest.mark.parametrize("text", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX x: <urn:x#>\n  delete where { ?s ?p ?o }",
    "# comment\nDROP ALL",
    "LOAD <http://example.org/x.ttl>",
    "CLEAR DEFAULT",
])
def test_updates_are_refused(tiny, text):
    with pytest.raises(QueryError) as err:
        queries.run(tiny, text)
    assert err.value.status == 403
    assert "只读" in err.value.message


def test_syntax_error_names_its_position(tiny):
    with pytest.raises(QueryError) as err:
        queries.run(tiny, "SELECT ?x WHERE {\n  ?x ?y \n}")
    assert err.value.status == 400
    assert err.value.position is not None and err.value.position[0] >= 1


def test_row_cap_is_flagged(tiny):
    res = queries.run(tiny, "SELECT * WHERE { ?s ?p ?o }", max_rows=2)
    assert len(res.rows) == 2 and res.truncated


def test_serializations(tiny):
    res = queries.run(tiny, "SELECT ?t WHERE { ?k rdfs:label ?t }")
    doc = json.loads(queries.serialize_result(res, "json"))
    assert doc["results"]["bindings"][0]["t"] == {"type": "literal", "value": "强化财税政策保障", "xml:lang": "zh"}
    assert queries.serialize_result(res, "csv").decode() == "t\r\n强化财税政策保障\r\n"
    assert b"<literal xml:lang=\"zh\">" in queries.serialize_result(res, "xml")
    assert queries.serialize_result(res, "tsv").decode().splitlines()[1] == '"强化财税政策保障"@zh'
    g = queries.run(tiny, "CONSTRUCT WHERE { ?k rdfs:label ?t }")
    assert "强化财税政策保障" in queries.serialize_result(g, "turtle").decode()
    ask = queries.run(tiny, "ASK { ?k a pk:KeyTask }")
    assert json.loads(queries.serialize_result(ask, "json"))["boolean"] is True


def test_csv_writes_blank_nodes_as_labels_iris_and_literals_plain(tiny):
    """SPARQL 1.1 CSV: "Blank nodes use the _:label form from Turtle"; a bare label read as an
    identifier (or as digits) is not what the other formats say."""
    res = queries.run(tiny, 'SELECT ?b ?i ?l WHERE { BIND(BNODE() AS ?b) BIND(pk:KeyTask AS ?i) BIND("x" AS ?l) }')
    label = res.rows[0]["b"].value
    row = queries.serialize_result(res, "csv").decode().splitlines()[1]
    assert row == f"_:{label},https://w3id.org/policykg/def#KeyTask,x"
    assert queries.serialize_result(res, "tsv").decode().splitlines()[1].startswith(f"_:{label}\t")


def test_every_catalogue_query_has_bilingual_title_and_parses(tiny):
    cat = queries.catalogue()
    assert {"key-tasks", "provincial-measures", "rows-per-block", "rows-per-level1", "region-summary"} <= set(cat)
    for q in cat.values():
        assert q.title.get("zh") and q.title.get("en"), q.name
        assert q.description.get("zh") and q.description.get("en"), q.name
        defaults = {k: v.get("default") for k, v in q.params.items() if isinstance(v, dict) and "default" in v}
        queries.run(tiny, q.text, substitutions=defaults or None)   # parses and runs


def test_every_turtle_and_query_file_parses():
    for path in sorted(Path(ROOT).glob("*/**/*.ttl")):
        if any(part in {".venv", "venv", "var", "node_modules"} for part in path.parts):
            continue
        rdflib.Graph().parse(path, format="turtle")
    from pyoxigraph import Store

    from policykg.core.namespaces import prefixes

    empty = Store()
    for path in sorted(QUERY_DIR.rglob("*.rq")):
        empty.query(path.read_text(encoding="utf-8"), prefixes=prefixes())


def test_resolve_text_accepts_names_files_and_text(tmp_path):
    assert "pk:KeyTask" in queries.resolve_text("key-tasks")
    f = tmp_path / "q.rq"
    f.write_text("ASK {}", encoding="utf-8")
    assert queries.resolve_text(str(f)) == "ASK {}"
    assert queries.resolve_text("ASK { ?s ?p ?o }") == "ASK { ?s ?p ?o }"


@pytest.mark.parametrize("text, update", [
    ("PREFIX : <urn:x#> BASE <urn:b> WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
    ("PREFIX sdmx-dimension: <http://x#>\nSELECT ?insert WHERE { ?insert ?p ?o }", False),
    ("# INSERT DATA\nASK {}", False),
    ("PREFIX pk: <urn:insert> DESCRIBE <urn:x>", False),
    ("", False),
])
def test_update_detection_reads_past_the_prologue_only(text, update):
    assert queries.is_update(text) is update
