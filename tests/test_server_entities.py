"""Linked data: /id/... dereferences to an HTML page or RDF, by Accept, with 200 and Vary: Accept."""

from __future__ import annotations

import json
import re

import pytest
from pyoxigraph import RdfFormat, parse
from server_support import XSS_IRI, XSS_LABEL, app_for, make_protocol_store

from policykg.core import iris


@pytest.fixture(scope="module")
def client(built_store):
    return app_for(built_store).test_client()


def _path(iri: str) -> str:
    return "/id/" + iri.split("/id/", 1)[1]


def _text(html: bytes) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html.decode("utf-8")))


def test_service_item_page_in_chinese_with_source_row(client):
    resp = client.get(_path(iris.service_item("330800", 1)), headers={"Accept": "text/html"})
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert resp.headers["Vary"] == "Accept"
    html = resp.data.decode()
    text = _text(resp.data)
    assert re.search(r'<h1 id="entity-label">\s*税费优惠政策推送服务\s*</h1>', html)
    assert "服务事项" in text                                  # its type, labelled from the ontology
    # the source row: document, attachment, 序号 and line range
    assert "000_ae2937e95410f861.txt" in text
    assert "附件1" in text and "衢州市清单第1行" in text
    assert "78–124" in text
    # related entities link to local /id/ pages, with their Chinese labels
    assert 'href="/id/key-task/1"' in html and "强化财税政策保障" in text
    assert 'href="/id/region/330800/row/1"' in html
    assert 'href="/id/provincial-measure/2"' in html


def test_incoming_links_and_provincial_measure_lines(client):
    resp = client.get("/id/key-task/1", headers={"Accept": "text/html"})
    html = resp.data.decode()
    assert 'id="incoming"' in html
    assert 'href="/id/provincial-measure/1"' in html            # measures point at their key task
    measure = _text(client.get("/id/provincial-measure/1", headers={"Accept": "text/html"}).data)
    assert "精准宣传“政策找人”" in measure
    assert re.search(r"第 \d+–\d+ 行", measure)                  # its own lines in the document


@pytest.mark.parametrize("accept, fmt, mimetype", [
    ("text/turtle", RdfFormat.TURTLE, "text/turtle"),
    ("application/ld+json", RdfFormat.JSON_LD, "application/ld+json"),
    ("application/n-triples", RdfFormat.N_TRIPLES, "application/n-triples"),
    ("application/rdf+xml", RdfFormat.RDF_XML, "application/rdf+xml"),
])
def test_rdf_descriptions(client, accept, fmt, mimetype):
    iri = iris.service_item("330800", 1)
    resp = client.get(_path(iri), headers={"Accept": accept})
    assert resp.status_code == 200 and resp.mimetype == mimetype and resp.headers["Vary"] == "Accept"
    triples = [q.triple for q in parse(resp.data, format=fmt)]
    titles = [t.object.value for t in triples if t.subject.value == iri and t.predicate.value.endswith("/title")]
    assert titles == ["税费优惠政策推送服务"]
    assert all(iri in (t.subject.value, t.object.value) for t in triples)


def test_description_includes_incoming_statements(client):
    resp = client.get("/id/key-task/1", headers={"Accept": "application/n-triples"})
    lines = resp.get_data(as_text=True).splitlines()
    assert any(line.startswith(f"<{iris.provincial_measure(1)}>") for line in lines)


def test_format_parameter_and_406(client):
    assert client.get("/id/key-task/1?format=turtle").mimetype == "text/turtle"
    assert client.get("/id/key-task/1?format=jsonld").mimetype == "application/ld+json"
    assert client.get("/id/key-task/1", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/id/key-task/1?format=xlsx").status_code == 406


def test_browser_default_is_html(client):
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert client.get("/id/key-task/1", headers={"Accept": browser}).mimetype == "text/html"
    assert client.get("/id/key-task/1").mimetype == "text/html"


def test_unknown_entity_is_404(client):
    assert client.get("/id/key-task/99", headers={"Accept": "text/html"}).status_code == 404
    assert client.get("/id/key-task/99", headers={"Accept": "text/turtle"}).status_code == 404
    assert client.get("/id/no%20such%3Cthing%3E").status_code == 404


def test_literals_are_escaped(tmp_path_factory):
    client = app_for(make_protocol_store(tmp_path_factory.mktemp("xss-store"))).test_client()
    resp = client.get(_path(XSS_IRI), headers={"Accept": "text/html"})
    assert resp.status_code == 200
    html = resp.data.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;测试事项" in html
    data = json.loads(client.get(_path(XSS_IRI), headers={"Accept": "application/ld+json"}).data)
    assert XSS_LABEL in json.dumps(data, ensure_ascii=False)


def test_graph_iris_dereference_to_the_graph_store(client):
    resp = client.get("/graph/region/330800")
    assert resp.status_code == 303
    assert resp.headers["Location"].endswith("/rdf-graphs/service?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fgraph%2Fregion%2F330800")
