"""Units of the server front: the SPARQL tokenizer, negotiation, the rate-limit bucket."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policykg.core.errors import QueryError
from policykg.sparql import guard
from server import negotiation
from server.ratelimit import Buckets


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_tokens_join_back_to_the_text(text):
    assert "".join(t.text for t in guard.tokenize(text)) == text


@pytest.mark.parametrize("text, form, update, service", [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT", False, False),
    ("prefix a: <http://a/> base <http://b/> construct { ?s ?p ?o } where { ?s ?p ?o }", "CONSTRUCT", False, False),
    ("# SERVICE\nASK {}", "ASK", False, False),
    ("DESCRIBE <http://e/x>", "DESCRIBE", False, False),
    ("PREFIX a: <http://a/> INSERT DATA { <a> <b> <c> }", "INSERT", True, False),
    ("SELECT * {} ; DROP ALL", "SELECT", True, False),
    ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH", True, False),
    ("SELECT * { ?s ?p ?o . SERVICE <http://x> {} }", "SELECT", False, True),
    ("SELECT * { ?s ?p ?o.service<http://x>{} }", "SELECT", False, True),
    ('SELECT * { ?s ?p "a SERVICE b" }', "SELECT", False, False),
    ("SELECT * { ?s ?p '''x\nSERVICE <http://x> {}\n''' }", "SELECT", False, False),
    ("SELECT ?SERVICE { ?SERVICE ?p ?o }", "SELECT", False, False),
    ("SELECT * { ?s service:x ?o }", "SELECT", False, False),
    ("SELECT * { ?s <http://e/SERVICE> ?o }", "SELECT", False, False),
    ('SELECT * { ?s ?p "x"@service }', "SELECT", False, False),
    ("SELECT * { _:service ?p ?o }", "SELECT", False, False),
    ("something else", None, False, False),
])
def test_inspect(text, form, update, service):
    info = guard.inspect(text)
    assert (info.form, info.is_update, info.has_service) == (form, update, service)


def test_from_clauses_are_resolved_with_prefixes_and_base():
    info = guard.inspect("PREFIX e: <http://e/> BASE <http://b/> SELECT * FROM e:g1 FROM <rel> FROM NAMED <http://n> "
                         "FROM NAMED pkg:region\\/330800 WHERE {}")
    assert info.from_graphs == ["http://e/g1", "http://b/rel"]
    assert info.from_named == ["http://n", "https://w3id.org/policykg/graph/region/330800"]


def test_check_query_refuses_update_403_service_400():
    with pytest.raises(QueryError) as upd:
        guard.check_query("CLEAR ALL")
    assert upd.value.status == 403 and "只读" in upd.value.message
    with pytest.raises(QueryError) as svc:
        guard.check_query("SELECT * { SERVICE <http://x> {} }")
    assert svc.value.status == 400 and "SERVICE" in svc.value.message


@pytest.mark.parametrize("accept, kind, fmt", [
    ("application/sparql-results+xml;q=0.5, application/sparql-results+json", "select", "json"),
    ("text/csv, */*;q=0.1", "select", "csv"),
    ("text/*", "graph", "turtle"),
    ("application/json", "graph", "jsonld"),
    ("text/turtle;q=0, */*", "graph", "ntriples"),
    ("*/*", "graph", "turtle"),
    ("application/rdf+xml, text/turtle", "graph", "rdfxml"),
    (",,;q=x, foo", "select", "json"),
])
def test_negotiation(accept, kind, fmt):
    choice = negotiation.choose(kind, accept, None)
    assert choice is not None and choice.fmt == fmt


def test_explicit_q_zero_excludes():
    assert negotiation.choose("select", "application/sparql-results+json;q=0", None) is None


def test_bucket_refills():
    b = Buckets(60)           # one token a second, 60 at most
    assert all(b.take("a", now=0.0) == 0 for _ in range(60))
    assert b.take("a", now=0.0) > 0
    assert b.take("a", now=1.5) == 0
    assert b.take("b", now=0.0) == 0
