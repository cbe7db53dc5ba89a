"""ORDER BY keys pyoxigraph 0.5.13 can sort (policykg.sparql.order, issue 19 item 13): the
W3C test's ``?X foaf:knows* ?Y ORDER BY ?X ?Y`` and the reduced reproductions (numbers with
strings, dateTimes with and without a timezone) answer in SPARQL 1.1's order instead of
aborting the query worker; every catalogue query keeps its exact answer and order.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from pyoxigraph import Store

from policykg.core.config import QUERY_DIR
from policykg.sparql import queries
from policykg.sparql.order import total_order
from tests.server_support import app_for

X = "http://www.w3.org/2001/XMLSchema#"
# 24 integers and strings whose lexical order differs from their values' (reduced by random
# search; with the bare ORDER BY, pyoxigraph 0.5.13 aborts: SIGABRT, "does not correctly
# implement a total order")
MIXED = ('SELECT ?x WHERE { VALUES ?x { "26" "129" "84" "20" "131" 171 45 46 "39" "37" 82 79 "28" "182" "132" '
         '"155" "76" 33 53 190 140 9 "81" 160 } } ORDER BY ?x')
TIMES = ("SELECT ?x WHERE { VALUES ?x { " + " ".join(
    f'"2020-01-01T{h:02d}:{m:02d}:00{tz}"^^<{X}dateTime>'
    for h, m, tz in [(16, 42, "-13:00"), (14, 19, "-13:00"), (6, 43, "Z"), (23, 51, "-13:00"), (4, 44, ""),
                     (1, 12, ""), (16, 21, "Z"), (4, 23, "-13:00"), (10, 16, "-13:00"), (18, 33, "Z"),
                     (13, 49, "Z"), (22, 10, "-13:00")] * 3) + " } } ORDER BY ?x")


def _child(query: str) -> subprocess.CompletedProcess:
    code = "import sys, pyoxigraph as p\nfor r in p.Store().query(sys.argv[1]): print(r[0])\n"
    return subprocess.run([sys.executable, "-c", code, query], capture_output=True, text=True, timeout=60)


def test_numbers_and_strings_sort_numbers_by_value_and_strings_by_text():
    done = _child(total_order(MIXED))
    assert done.returncode == 0, done.stderr[-300:]
    got = done.stdout.split("\n")[:-1]
    numbers = [int(t.split('"')[1]) for t in got if t.endswith("integer>")]
    texts = [t.strip('"') for t in got if not t.endswith(">")]
    assert numbers == sorted(numbers) == [9, 33, 45, 46, 53, 79, 82, 140, 160, 171, 190]
    assert texts == sorted(texts) and len(texts) == 13
    assert got.index(f'"9"^^<{X}integer>') == 0          # numbers first, as one group


def test_date_times_with_and_without_a_timezone_sort():
    done = _child(total_order(TIMES))
    assert done.returncode == 0, done.stderr[-300:]
    assert len(done.stdout.split("\n")[:-1]) == 36


def test_keys_keep_sparqls_places_for_unbound_blank_nodes_iris_and_literals():
    q = ("SELECT ?x WHERE { VALUES ?x { 2 <urn:b> UNDEF \"a\" <urn:a> 1 } } ORDER BY ?x")
    st = Store()
    asc = [str(r["x"]) if r["x"] is not None else "UNDEF" for r in st.query(total_order(q))]
    assert asc[:3] == ["UNDEF", "<urn:a>", "<urn:b>"]
    assert set(asc[3:]) == {'"a"', f'"1"^^<{X}integer>', f'"2"^^<{X}integer>'}
    assert asc.index(f'"1"^^<{X}integer>') < asc.index(f'"2"^^<{X}integer>')
    desc = [str(r["x"]) if r["x"] is not None else "UNDEF" for r in
            st.query(total_order(q.replace("ORDER BY ?x", "ORDER BY DESC(?x)")))]
    assert desc[-3:] == ["<urn:b>", "<urn:a>", "UNDEF"]


def test_each_condition_form_gets_its_key_and_unknown_forms_are_left_alone():
    out = total_order("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g "
                      "ORDER BY DESC(COUNT(*)) ?g (STR(?g)) LCASE(STR(?g)) LIMIT 3")
    assert out.count("isNumeric(") == 4 and out.endswith("LIMIT 3")
    assert "DESC(IF(isNumeric(COUNT(*))" in out and "DESC(COUNT(*))" in out
    assert total_order("SELECT * WHERE { ?s ?p ?o }") == "SELECT * WHERE { ?s ?p ?o }"
    assert total_order("SELECT * WHERE { ?s ?p ?o } ORDER BY") == "SELECT * WHERE { ?s ?p ?o } ORDER BY"
    assert total_order('SELECT * WHERE { ?s ?p "ORDER BY ?s" }') == 'SELECT * WHERE { ?s ?p "ORDER BY ?s" }'


def _catalogue() -> list[queries.Query]:
    out = []
    for path in sorted(QUERY_DIR.rglob("*.rq")):
        q = queries.load_query(path)
        if "ORDER BY" in q.text.upper() and "checks" not in path.parts:
            out.append(q)
    return out


@pytest.mark.parametrize("query", _catalogue(), ids=lambda q: q.name)
def test_catalogue_queries_keep_their_answers_in_their_order(built_read_only, query):
    subs = queries.bind(query, {})
    before = queries.run(built_read_only, query.text, substitutions=subs or None)
    after = queries.run(built_read_only, total_order(query.text), substitutions=subs or None)
    assert after.values() == before.values()


def test_the_endpoint_answers_the_w3c_path_query_in_order_and_keeps_its_workers(built_store):
    client = app_for(built_store, QUERY_TIMEOUT_S=20).test_client()
    deaths = client.get("/api/status").json["worker_deaths"]
    for q in ("PREFIX foaf: <http://xmlns.com/foaf/0.1/> SELECT * WHERE { ?X foaf:knows* ?Y } ORDER BY ?X ?Y",
              MIXED, TIMES):
        resp = client.get("/sparql", query_string={"query": q}, headers={"Accept": "application/json"})
        assert resp.status_code == 200, resp.data[:300]
        assert resp.json["results"]["bindings"]
    assert client.get("/api/status").json["worker_deaths"] == deaths


def test_the_path_query_answers_every_store_term_with_itself(built_read_only):
    q = "SELECT * WHERE { ?X <http://xmlns.com/foaf/0.1/knows>* ?Y } ORDER BY ?X ?Y"
    st: Store = built_read_only
    rows = queries.run(st, total_order(q)).values()
    assert rows and all(r["X"] == r["Y"] for r in rows)
    nodes = queries.run(st, "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { { ?t ?p ?o } UNION { ?s ?p ?t } }").values()
    assert len(rows) == int(nodes[0]["n"])          # a zero-length path: every node of the graph, once
