"""Issue 21: the benchmark's mixed workload and its fastest-peer comparison (no timing assertions)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest
from pyoxigraph import Store

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))        # benchmarks/ is not an installed package

from benchmarks import fairness, mixed  # noqa: E402

CODES = ["330800", "330900", "330114", "330521"]
ITEMS = [f"https://w3id.org/policykg/id/region/330800/service-item/{i}" for i in range(1, 40)]


def test_mixed_requests_are_distinct_seeded_and_self_contained():
    a = mixed.requests(CODES, ITEMS, seed=3, count=400)
    assert len(a) == len(set(a)) == 400
    assert a == mixed.requests(CODES, ITEMS, seed=3, count=400)
    assert a != mixed.requests(CODES, ITEMS, seed=4, count=400)
    empty = Store()
    for t in a[:80]:                  # self-contained: no prefix missing, every parameter bound
        empty.query(t)
    # the parameters vary: several regions and keywords appear
    assert sum('"330900"' in t for t in a) > 10 and sum('"330521"' in t for t in a) > 10


def test_keywords_come_from_the_document():
    words = mixed.keywords()
    assert "融资" in words and "企业" in words
    assert all(len(w) == 2 for w in words) and len(words) > 1000


def test_mixed_requests_run_on_the_real_build(built_read_only, built_store):
    from policykg.sparql import queries

    texts = mixed.requests(CODES, mixed.item_iris(built_store), seed=0, count=60)
    assert len(texts) == 60
    rows = [len(queries.run(built_read_only, t).rows) for t in texts if "SELECT" in t]
    assert sum(1 for n in rows if n) > 20, "random parameters still find answers"


def _entry(ms: float, rows: int) -> dict:
    return {"samples": [ms / 1000] * 3, "rows": rows}


def test_a_wrong_answer_is_not_the_fastest_peer():
    store = {"q1": {"rows": 10}, "q2": {"rows": 5}, "q3": {"rows": 1}}
    http = {
        "policykg-uncached": {"latency": {"q1": _entry(4, 10), "q2": _entry(3, 5), "q3": _entry(2, 1)}},
        "oxigraph-server": {"latency": {"q1": _entry(8, 10), "q2": _entry(6, 5), "q3": {"error": "HTTP 400"}}},
        "virtuoso": {"latency": {"q1": _entry(1, 0), "q2": _entry(2, 5), "q3": _entry(9, 2)}},
    }
    res = fairness.compare(["q1", "q2", "q3"], store, http)
    assert res["per_query"]["q1"] == {"policykg_ms": 4.0, "peer": "oxigraph-server", "peer_ms": 8.0, "ratio": 0.5}
    assert res["per_query"]["q2"]["peer"] == "virtuoso" and res["per_query"]["q2"]["ratio"] == 1.5
    assert res["excluded"] == ["q3"]            # one peer errs, the other answers wrongly
    assert res["geomean"] == pytest.approx(math.sqrt(0.5 * 1.5), abs=1e-3)
    assert (res["worst"], res["worst_ratio"]) == ("q2", 1.5)
    wrong = fairness.wrong_answers(["q1", "q2", "q3"], store, http)
    assert {(w["query"], w["engine"], w["got"]) for w in wrong} == {
        ("q1", "virtuoso", 0), ("q3", "oxigraph-server", "error"), ("q3", "virtuoso", 2)}
