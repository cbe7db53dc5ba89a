"""The endpoint under fuzzing and the SPARQL 1.1 query texts (issue 19).

* the query texts of ``tests/data/sparql11-query-texts`` (after the W3C suite's
  categories): positive -> 200 (or a 503 timeout), negative -> 4xx, SERVICE -> 400, never 500;
* a bounded fuzz run in CI: seed 19, 2,000 generated requests (:mod:`benchmarks.hostile`)
  against the app under waitress, 0 responses >= 500 other than 503, the server alive after.
"""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest
from server_support import Waitress, app_for, make_protocol_store

from benchmarks import hostile

TEXTS = Path(__file__).resolve().parent / "data" / "sparql11-query-texts"


def _texts(name: str) -> list[str]:
    return [t.strip() + "\n" for t in (TEXTS / name).read_text(encoding="utf-8").split("\n#----\n") if t.strip()]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return make_protocol_store(tmp_path_factory.mktemp("fuzz-store"))


@pytest.fixture(scope="module")
def app(store):
    return app_for(store, QUERY_TIMEOUT_S=5)


def test_the_texts_are_there():
    assert len(_texts("positive.rq.txt")) >= 60 and len(_texts("negative.rq.txt")) >= 35


@pytest.mark.parametrize("text", _texts("positive.rq.txt"))
def test_positive_query_texts_answer(app, text):
    resp = app.test_client().post("/sparql", data=text.encode(), content_type="application/sparql-query")
    assert resp.status_code in (200, 503), (text, resp.status_code, resp.data[:300])


@pytest.mark.parametrize("text", _texts("negative.rq.txt"))
def test_negative_query_texts_are_refused_not_500(app, text):
    resp = app.test_client().post("/sparql", data=text.encode(), content_type="application/sparql-query",
                                  headers={"Accept": "application/json"})
    assert 400 <= resp.status_code < 500, (text, resp.status_code, resp.data[:300])
    if "SERVICE" in text:
        assert resp.status_code == 400 and "SERVICE" in resp.json["error"]


def test_no_worker_died_on_the_texts(app):
    # at most the one known pyoxigraph abort (ORDER BY after a zero-length path, 503): scripts/pyoxigraph_repro.py
    client = app.test_client()
    assert client.get("/api/status").json["worker_deaths"] <= 1
    assert client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"}).json["boolean"] is True


def test_bounded_fuzz(app):
    with Waitress(app, threads=6) as server:
        t0 = time.monotonic()
        result = hostile.fuzz(server.url, n=2000, seed=19, threads=4)
        took = time.monotonic() - t0
        alive = urllib.request.urlopen(server.url + "/sparql?query=ASK%7B%7D", timeout=10).status
    print(f"\nfuzz: {result['requests']} requests in {took:.1f} s, statuses {result['statuses']}, "
          f"worst refusal {result['worst_refusal_s']} s, worst answer {result['worst_answer_s']} s")
    assert result["bad"] == []
    assert sum(result["statuses"].values()) == 2000
    assert alive == 200
    assert result["worst_refusal_s"] < 5 + 1


def test_validation_region_checked_first_and_rate_limited(store):
    app = app_for(store, RATE_LIMIT_PER_MIN=3)
    client = app.test_client()
    t0 = time.monotonic()
    bad = client.get("/api/validation", query_string={"region": "999999"})
    assert bad.status_code == 404 and "999999" in bad.json["error"] and time.monotonic() - t0 < 10.0
    assert "validation_worker" not in app.extensions.get("policykg", {})      # nothing was started
    codes = [client.get("/api/validation", query_string={"region": r}).status_code for r in ("x", "3308", "330800")]
    assert codes == [404, 404, 429]
    assert "validation_worker" not in app.extensions.get("policykg", {})


def test_validation_reuses_one_process(built_store):
    app = app_for(built_store, VALIDATION_TIMEOUT_S=600)
    client = app.test_client()
    for region in ("330521", "330114"):
        assert client.get("/api/validation", query_string={"region": region}).status_code == 200
    assert app.extensions["policykg"]["validation_worker"].started == 1
