"""Issue 21: SPARQL JSON serialized by pyoxigraph (queries.run_json), as the server's workers answer.

The bytes must say what :func:`policykg.sparql.queries.serialize_result` says, and the row
count read from them must be exact, whatever the literals hold (braces, commas, quotes).
"""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyoxigraph import Literal, NamedNode, Quad, Store

from policykg.core.errors import QueryError
from policykg.sparql import queries

EX = "http://example.org/"
TRICKY = ['x,{', '[{', '},{"a":{', 'say "hi"', 'a\nb', '{}', ',{}', '}},{"s":{"type":"uri"', '衢州市', '']


@pytest.fixture(scope="module")
def store() -> Store:
    st = Store()
    for i, text in enumerate(TRICKY):
        s = NamedNode(f"{EX}s{i}")
        st.add(Quad(s, NamedNode(f"{EX}text"), Literal(text, language="zh") if i % 2 else Literal(text)))
        if i % 3 == 0:
            st.add(Quad(s, NamedNode(f"{EX}n"), Literal(str(i), datatype=NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    return st


@pytest.mark.parametrize("text", [
    "SELECT ?s ?t ?n WHERE { ?s <http://example.org/text> ?t OPTIONAL { ?s <http://example.org/n> ?n } }",
    "SELECT ?n WHERE { ?s <http://example.org/text> ?t OPTIONAL { ?s <http://example.org/n> ?n } }",  # empty rows
    "SELECT ?t (STRLEN(?t) AS ?长度) WHERE { ?s <http://example.org/text> ?t }",                          # Chinese name
    "SELECT * WHERE { ?s <http://example.org/none> ?o }",                                                   # no rows
])
def test_same_answer_and_exact_count(store, text):
    body, count = queries.run_json(store, text)
    want = queries.run(store, text)
    assert count == len(want.rows)
    assert json.loads(body) == json.loads(queries.serialize_result(want, "json"))


def test_over_the_row_cap_comes_back_truncated(store):
    text = "SELECT ?s WHERE { ?s <http://example.org/text> ?t }"
    res = queries.run_json(store, text, max_rows=3)
    assert isinstance(res, queries.Result) and res.truncated and len(res.rows) == 3
    body, count = queries.run_json(store, text, max_rows=len(TRICKY))
    assert count == len(TRICKY)


def test_ask_and_construct_come_back_as_results(store):
    assert queries.run_json(store, "ASK { ?s ?p ?o }").boolean is True
    assert len(queries.run_json(store, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples) == len(store)


def test_errors_are_query_errors_with_their_position(store):
    with pytest.raises(QueryError) as exc:
        queries.run_json(store, "SELECT ?s WHERE {\n  ?s ?p }")
    assert exc.value.position is not None and exc.value.position[0] == 2


@given(st.lists(st.text(alphabet='{}[],":\\ a衢\n', max_size=12), min_size=0, max_size=8))
@settings(max_examples=150, deadline=None)
def test_row_count_is_exact_for_any_literals(texts):
    store = Store()
    for i, text in enumerate(texts):
        store.add(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}text"), Literal(text)))
        if i % 2:
            store.add(Quad(NamedNode(f"{EX}s{i}"), NamedNode(f"{EX}flag"), Literal(text, language="en")))
    for text in ("SELECT ?t ?f WHERE { ?s <http://example.org/text> ?t OPTIONAL { ?s <http://example.org/flag> ?f } }",
                 "SELECT ?f WHERE { ?s <http://example.org/text> ?t OPTIONAL { ?s <http://example.org/flag> ?f } }"):
        body, count = queries.run_json(store, text)
        assert count == len(json.loads(body)["results"]["bindings"]) == len(texts)
