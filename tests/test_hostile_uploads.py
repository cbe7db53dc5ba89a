"""Hostile Graph Store uploads (issue 19): nesting and size refused before any native
parser, parsing in a child process, the server alive and the store unchanged after.

The reproduction: a JSON-LD upload nested 5,000 deep segfaulted pyoxigraph inside the
server process. Variants: RDF/XML elements, Turtle collections and blank-node property
lists, other whitespace; an RDF/XML element with 20,000 attributes (quadratic in
pyoxigraph); a per-format size cap.
"""

from __future__ import annotations

import time

import pytest
from server_support import app_for, copy_store

from policykg.core import iris
from policykg.graph.store import generation_name
from server import upload

TOKEN = "hostile-token-5d2e"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUZHOU = iris.region_graph("330800")
RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:e="http://e/"'


@pytest.fixture(scope="module")
def store(built_store, tmp_path_factory):
    return copy_store(built_store, tmp_path_factory.mktemp("hostile-upload") / "store")


@pytest.fixture(scope="module")
def client(store):
    return app_for(store, WRITE_TOKEN=TOKEN).test_client()


def _put(client, data: str | bytes, ctype: str):
    body = data.encode("utf-8") if isinstance(data, str) else data
    return client.put("/rdf-graphs/service", query_string={"graph": QUZHOU}, data=body, content_type=ctype,
                      headers={**AUTH, "Accept": "application/json"})


DEEP = [
    ("application/ld+json", '{"@id": "http://e/s", "http://e/p": ' + "[" * 5000 + "1" + "]" * 5000 + "}"),
    ("application/ld+json", '{"@id": "http://e/s", "http://e/p": ' + '{"http://e/q": ' * 5000 + "1" + "}" * 5000 + "}"),
    ("application/ld+json", "[\n" * 3000 + "\n]" * 3000),
    ("application/rdf+xml", f"<rdf:RDF {RDF}>" + '<rdf:Description rdf:about="http://e/s"><e:p>' * 3000
     + "</e:p></rdf:Description>" * 3000 + "</rdf:RDF>"),
    ("text/turtle", "<http://e/s> <http://e/p> " + "(" * 5000 + ")" * 5000 + " ."),
    ("text/turtle", "<http://e/s> <http://e/p> " + "[ <http://e/q> " * 5000 + "]" * 5000 + " ."),
    ("text/turtle", "<http://e/s> <http://e/p>\t" + "(\r\n" * 5000 + ")\n" * 5000 + " ."),
]


@pytest.mark.parametrize("ctype, body", DEEP)
def test_deep_uploads_refused_before_parsing(client, store, ctype, body):
    before = generation_name(store)
    t0 = time.monotonic()
    resp = _put(client, body, ctype)
    assert resp.status_code == 400, resp.data[:300]
    assert "嵌套过深" in resp.json["error"] and "nested too deeply" in resp.json["error"]
    assert time.monotonic() - t0 < 10.0          # generous: no parser ran
    assert generation_name(store) == before
    assert client.get("/sparql", query_string={"query": "ASK { ?s a pk:KeyTask }"}).json["boolean"] is True


def test_depth_ignores_strings_and_comments():
    assert upload.json_depth('{"a": "[[[[[[[[", "b": [1, {"c": "]]]"}]}')[0] == 3
    assert upload.turtle_depth('<s> <p> "((((((" . # ((((((\n<s> <p> ( ( 1 ) ) .')[0] == 2
    depth, attrs, _ = upload.xml_shape('<a x="1" y=\'>\'><!-- <b><b><b> --><b/><c><![CDATA[<d><d>]]></c></a>')
    assert (depth, attrs) == (2, 2)


def test_many_attributes_refused(client):
    attrs = " ".join(f'e:a{i}="v"' for i in range(20000))
    resp = _put(client, f'<rdf:RDF {RDF}><rdf:Description rdf:about="http://e/s" {attrs}/></rdf:RDF>',
                "application/rdf+xml")
    assert resp.status_code == 400 and "20001" in resp.json["error"] and "attributes" in resp.json["error"]   # + rdf:about


def test_size_cap_per_format(client):
    body = f"<rdf:RDF {RDF}>" + "<!-- padding -->" * ((upload.MAX_BYTES["rdfxml"] // 16) + 1) + "</rdf:RDF>"
    resp = _put(client, body, "application/rdf+xml")
    assert resp.status_code == 413 and "RDF/XML" in resp.json["error"] and str(upload.MAX_BYTES["rdfxml"]) in \
        resp.json["error"]


def test_parsing_happens_in_a_child_and_keeps_positions():
    with pytest.raises(Exception) as err:
        upload.parse_upload(b"<http://e/s> <http://e/p> .\n", "turtle", QUZHOU)
    assert "RDF" in str(err.value) and getattr(err.value, "position", None) is not None
    triples = upload.parse_upload(b'{"@id": "http://e/s", "http://e/p": [{"@value": "x"}]}', "jsonld", QUZHOU)
    assert [(t.subject.value, t.object.value) for t in triples] == [("http://e/s", "x")]
    assert "parse(body" not in open(upload.__file__.replace("upload.py", "graphstore.py"), encoding="utf-8").read()
