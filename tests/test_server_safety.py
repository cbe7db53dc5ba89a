"""A public endpoint must be read-only and closed: each refusal and limit has a test here.

Updates (every operation, by every route) -> 403, never run; SERVICE -> 400, parsed by
tokens (a string saying "service" is fine); FROM never fetches; no network even for a query
that slips past the front; a real timeout (the worker is killed) while other clients are
served; row cap flagged; rate limit 429; size 413; non-UTF-8 400; syntax errors 400 with
line and column; and no input gives a 500 (hypothesis).
"""

from __future__ import annotations

import threading
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_support import Listener, app_for, make_protocol_store

from server import executor

UPDATES = [
    "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }",
    "DELETE DATA { <http://e/s> <http://e/p> <http://e/o> }",
    "DELETE WHERE { ?s ?p ?o }",
    "PREFIX e: <http://e/> INSERT { ?s e:p 1 } WHERE { ?s ?p ?o }",
    "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "CLEAR ALL",
    "CLEAR DEFAULT",
    "DROP GRAPH <http://kasei.us/2009/09/sparql/data/data1.rdf>",
    "CREATE GRAPH <http://e/new>",
    "ADD DEFAULT TO <http://e/g>",
    "MOVE <http://kasei.us/2009/09/sparql/data/data1.rdf> TO DEFAULT",
    "COPY <http://kasei.us/2009/09/sparql/data/data1.rdf> TO <http://e/g>",
    "# comment first\n  insert data { <http://e/s> <http://e/p> 1 }",
]
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_protocol_store(tmp_path_factory.mktemp("safety-store"))


@pytest.fixture(scope="module")
def client(store):
    return app_for(store).test_client()


def _count(client) -> str:
    return client.get("/sparql", query_string={"query": COUNT}).json["results"]["bindings"][0]["n"]["value"]


@pytest.mark.parametrize("update", UPDATES)
def test_update_refused_by_every_route(client, update):
    before = _count(client)
    for resp in (
        client.get("/sparql", query_string={"query": update}),
        client.post("/sparql", data={"query": update}),
        client.post("/sparql", data={"update": update}),
        client.get("/sparql", query_string={"update": update}),
        client.post("/sparql", data=update.encode(), content_type="application/sparql-update"),
        client.post("/sparql", data=update.encode(), content_type="application/sparql-query"),
        client.get("/api/query.json", query_string={"query": update}),
    ):
        assert resp.status_code == 403, (update, resp.status_code, resp.data[:200])
        assert "只读" in resp.get_data(as_text=True)
    assert _count(client) == before


def test_load_never_fetches(client):
    with Listener() as ear:
        for text in (f"LOAD <http://127.0.0.1:{ear.port}/data.ttl>",
                     f"LOAD SILENT <http://127.0.0.1:{ear.port}/data.ttl> INTO GRAPH <http://e/g>"):
            assert client.post("/sparql", data={"update": text}).status_code == 403
            assert client.get("/sparql", query_string={"query": text}).status_code == 403
        time.sleep(0.3)
    assert ear.hits == []


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent <{url}> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o .SERVICE<{url}>{ ?s ?p ?o } }",
    "PREFIX x: <http://e/> SELECT * WHERE { ?s ?p ?o # SERVICE in a comment\n SERVICE ?endpoint { ?a ?b ?c } }",
    "ASK { OPTIONAL { SeRvIcE <{url}> { } } }",
    "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <{url}> { ?s ?p ?o } }",
])
def test_service_refused_and_never_contacted(client, query):
    with Listener() as ear:
        text = query.replace("{url}", f"http://127.0.0.1:{ear.port}/sparql")
        resp = client.get("/sparql", query_string={"query": text}, headers={"Accept": "application/json"})
        assert resp.status_code == 400
        assert "SERVICE" in resp.json["error"]
        time.sleep(0.2)
    assert ear.hits == []


@pytest.mark.parametrize("query", [
    'SELECT * WHERE { ?s ?p ?o FILTER(CONTAINS(STR(?o), "SERVICE")) }',
    "SELECT ?service WHERE { ?service ?p ?o }",
    "PREFIX service: <http://e/> SELECT * WHERE { ?s service:SERVICE ?o }",
    "SELECT * WHERE { ?s ?p '''a SERVICE <http://e/> { }''' }",
    "# SERVICE <http://e/> { }\nASK {}",
])
def test_the_word_service_elsewhere_is_fine(client, query):
    resp = client.get("/sparql", query_string={"query": query})
    assert resp.status_code == 200, resp.data[:300]


def test_from_never_fetches(client):
    with Listener() as ear:
        url = f"http://127.0.0.1:{ear.port}/remote.ttl"
        for q in (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
                  f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
                  "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }"):
            resp = client.get("/sparql", query_string={"query": q})
            assert resp.status_code == 200
            assert resp.json["results"]["bindings"] == []
        time.sleep(0.3)
    assert ear.hits == []


def test_workers_have_no_network(store):
    """Defence in depth: even a SERVICE that skipped the front cannot leave the worker."""
    pool = executor.LocalPool(store, workers=1, timeout=10)
    try:
        pool.run(executor.Job("ASK {}"))
        if not pool.status()["network_sandbox"]:
            pytest.skip("this kernel does not allow an unprivileged network namespace")
        with Listener() as ear:
            job = executor.Job(f"SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{ear.port}/sparql> {{ ?s ?p ?o }} }}")
            try:
                pool.run(job)
            except Exception:  # noqa: BLE001 - an error is as good as an empty answer here
                pass
            time.sleep(0.3)
        assert ear.hits == []
    finally:
        pool.close()


# ------------------------------------------------------------------ limits

def test_timeout_stops_the_query_and_others_are_served(built_store):
    app = app_for(built_store, QUERY_TIMEOUT_S=2, QUERY_WORKERS=2)
    client = app.test_client()
    assert client.get("/sparql", query_string={"query": "ASK {}"}).status_code == 200   # workers up
    heavy = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    result: dict = {}

    def run_heavy() -> None:
        t0 = time.monotonic()
        resp = app.test_client().get("/sparql", query_string={"query": heavy}, headers={"Accept": "application/json"})
        result.update(status=resp.status_code, body=resp.json, seconds=time.monotonic() - t0,
                      retry=resp.headers.get("Retry-After"))

    th = threading.Thread(target=run_heavy)
    th.start()
    time.sleep(0.5)
    t0 = time.monotonic()
    quick = client.get("/sparql", query_string={"query": "SELECT ?t WHERE { ?t a pk:KeyTask } LIMIT 1"})
    quick_seconds = time.monotonic() - t0
    th.join(timeout=30)
    assert quick.status_code == 200 and quick_seconds < 1.0
    assert result["status"] == 503
    assert result["seconds"] < 2 + 1.0
    assert "超时" in result["body"]["error"] and "timed out" in result["body"]["error"]
    assert result["retry"]
    # the killed worker is replaced; the endpoint keeps answering
    status = app.test_client().get("/api/status").json
    assert status["killed_for_timeout"] >= 1
    assert client.get("/sparql", query_string={"query": "ASK { ?s a pk:KeyTask }"}).json["boolean"] is True


def test_row_cap_is_stated(store):
    client = app_for(store, MAX_ROWS=2).test_client()
    q = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"
    resp = client.get("/sparql", query_string={"query": q})
    assert resp.headers["X-Policykg-Truncated"] == "true"
    assert len(resp.json["results"]["bindings"]) == 2 and resp.json["truncated"] is True
    api = client.get("/api/query.json", query_string={"query": q}).json
    assert api["truncated"] is True and len(api["rows"]) == 2
    small = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s a <http://xmlns.com/foaf/0.1/Nothing> }"})
    assert small.headers["X-Policykg-Truncated"] == "false" and "truncated" not in small.json


def test_rate_limit(store):
    client = app_for(store, RATE_LIMIT_PER_MIN=3).test_client()
    codes = [client.get("/sparql", query_string={"query": "ASK {}"}).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = client.get("/sparql", query_string={"query": "ASK {}"}, headers={"Accept": "application/json"})
    assert resp.status_code == 429 and int(resp.headers["Retry-After"]) >= 1
    assert "请求过于频繁" in resp.json["error"]
    other = client.get("/sparql", query_string={"query": "ASK {}"}, environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 200


def test_query_size_limit(store):
    client = app_for(store, MAX_QUERY_BYTES=200).test_client()
    big = "ASK { ?s ?p " + '"' + "x" * 300 + '" }'
    assert client.get("/sparql", query_string={"query": big}).status_code == 413
    assert client.post("/sparql", data={"query": big}).status_code == 413
    assert client.post("/sparql", data=big.encode(), content_type="application/sparql-query").status_code == 413
    assert client.post("/sparql", data=b"query=" + b"x" * 5000,
                       content_type="application/x-www-form-urlencoded").status_code == 413


def test_non_utf8_input(client):
    assert client.get("/sparql?query=ASK%20%7B%7D%FF").status_code == 400
    assert client.post("/sparql", data=b"query=ASK%20%7B%FE%7D",
                       content_type="application/x-www-form-urlencoded").status_code == 400
    assert client.post("/sparql", data=b"ASK { \xff }", content_type="application/sparql-query").status_code == 400
    assert client.post("/sparql", data="ASK {}".encode("latin-1"),
                       content_type="application/sparql-query; charset=ISO-8859-1").status_code == 400
    msg = client.get("/sparql?query=%FF", headers={"Accept": "application/json"}).json
    assert "UTF-8" in msg["error"]


def test_syntax_error_names_line_and_column(client):
    resp = client.get("/sparql", query_string={"query": "SELECT *\nWHERE {\n  ?s ?p \n}"},
                      headers={"Accept": "application/json"})
    assert resp.status_code == 400
    body = resp.json
    assert body["ok"] is False and body["status"] == 400
    assert (body["line"], body["column"]) == tuple(body["position"])
    assert body["line"] == 4
    assert "查询语法错误" in body["error"]
    one_line = client.get("/sparql", query_string={"query": "SELECT * WHERE { ?s ?p }"},
                          headers={"Accept": "application/json"}).json
    assert one_line["position"] == [1, 25]          # the service BASE on line 1 does not shift it
    text = client.get("/sparql", query_string={"query": "ASK {"})
    assert text.status_code == 400 and "line 1, column 6" in text.get_data(as_text=True)


@pytest.mark.parametrize("make", [
    lambda c: c.get("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D"),
    lambda c: c.post("/sparql", data={"query": "ASK {}", "update": "CLEAR ALL"}),
    lambda c: c.post("/sparql", data=b"ASK {}", content_type="text/plain"),
    lambda c: c.post("/sparql", data=b"ASK {}"),
    lambda c: c.post("/sparql", data={"format": "json"}),
    lambda c: c.get("/sparql", query_string={"default-graph-uri": "http://e/g"}),
    lambda c: c.post("/sparql?query=ASK%20%7B%7D", data=b"ASK {}", content_type="application/sparql-query"),
])
def test_bad_requests_are_400(client, make):
    assert make(client).status_code == 400


def test_other_methods_are_405(client):
    resp = client.put("/sparql", data=b"ASK {}")
    assert resp.status_code == 405 and "GET" in resp.headers["Allow"]


def test_results_are_cached_per_generation(client):
    q = "SELECT ?s WHERE { GRAPH ?g { ?s a ?t } } ORDER BY ?s"
    first = client.get("/sparql", query_string={"query": q})
    again = client.get("/sparql", query_string={"query": q})
    assert again.headers["X-Policykg-Cache"] == "hit" and again.data == first.data
    assert first.headers["X-Policykg-Generation"] == again.headers["X-Policykg-Generation"]


# ------------------------------------------------------------------ fuzz: never a 500

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
SPARQLISH = st.text(alphabet=st.sampled_from(list("SELECTWHERASKCONSTRUDIBFOMPXNV{}()<>?$\"'#.;,:*/-_@^ \n\t01服务事项")),
                    max_size=80)


@FUZZ
@given(text=st.one_of(st.text(max_size=200), SPARQLISH))
def test_fuzz_query_text(client, text):
    for resp in (client.get("/sparql", query_string={"query": text}),
                 client.post("/sparql", data=text.encode("utf-8", "surrogatepass"), content_type="application/sparql-query"),
                 client.get("/api/query.json", query_string={"query": text})):
        assert resp.status_code < 500 or resp.status_code == 503, (text, resp.status_code, resp.data[:300])


@FUZZ
@given(body=st.binary(max_size=300),
       ctype=st.sampled_from(["application/sparql-query", "application/x-www-form-urlencoded", "text/plain", "",
                              "application/sparql-update", "application/sparql-query; charset=utf-16",
                              "multipart/form-data; boundary=x"]))
def test_fuzz_bodies(client, body, ctype):
    resp = client.post("/sparql", data=body, content_type=ctype or None)
    assert resp.status_code < 500, (body, ctype, resp.status_code, resp.data[:300])


@FUZZ
@given(accept=st.text(max_size=60), fmt=st.one_of(st.none(), st.text(max_size=12)),
       path=st.sampled_from(["/sparql", "/queries/key-tasks.json", "/id/key-task/1", "/rdf-graphs/service?default"]))
def test_fuzz_headers_and_formats(client, accept, fmt, path):
    params = {"query": "ASK {}"} if path == "/sparql" else {}
    if fmt is not None:
        params["format"] = fmt
    try:
        resp = client.get(path, query_string=params, headers={"Accept": accept})
    except ValueError:          # werkzeug refuses to even build a request with a control character
        return
    assert resp.status_code < 500, (accept, fmt, path, resp.status_code, resp.data[:300])


@FUZZ
@given(segment=st.text(max_size=40), param=st.text(max_size=40))
def test_fuzz_paths_and_parameters(client, segment, param):
    from urllib.parse import quote

    seg = quote(segment, safe="")
    for url, qs in ((f"/id/{seg}", {}), (f"/queries/{seg}.json", {"x": param}),
                    ("/queries/keyword-search.json", {"keyword": param}),
                    ("/queries/service-item-provenance.json", {"item": param}),
                    ("/queries/local-measures-implementing.json", {"measure": param}),
                    ("/rdf-graphs/service", {"graph": param}), ("/api/validation", {"region": param[:6] or "x"})):
        if url == "/api/validation" and not param.isdigit():
            continue                       # each distinct region spawns a validation run; digits suffice
        resp = client.get(url, query_string=qs)
        assert resp.status_code < 500 or resp.status_code in (501, 503), (url, qs, resp.status_code, resp.data[:300])
